/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include <cmocka.h>

#include "base/diag.h"
#include "base/strbuf.h"
#include "store/store.h"

/* How many schema scripts evdiag has (schema/NNN-*.sql). */
extern const size_t store_schema_count;

static const char SHA_A[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char SHA_B[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/* A temporary path in /tmp; the file is created empty, as mkstemp() does. */
typedef struct TmpDb {
        char path[64];
} TmpDb;

static void tmpdb_new(TmpDb *t) {
        int fd;

        snprintf(t->path, sizeof(t->path), "/tmp/evdiag-test-store-XXXXXX");
        fd = mkstemp(t->path);
        assert_true(fd >= 0);
        close(fd);
}

static void tmpdb_remove(TmpDb *t) {
        char side[80];

        unlink(t->path);
        snprintf(side, sizeof(side), "%s-wal", t->path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", t->path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-journal", t->path);
        unlink(side);
}

/* Runs SQL directly, outside the store: to prepare foreign databases. */
static void raw_exec(const char *path, const char *sql) {
        sqlite3 *db = NULL;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
}

/* The one integer a query returns. */
static int64_t query_int(Store *s, const char *sql) {
        _cleanup_(store_query_freep) StoreQuery *q = NULL;
        int64_t v;

        if (store_query_new(s, sql, &q) < 0)
                fail_msg("%s: %s", sql, store_error(s));
        assert_int_equal(store_query_step(q), 1);
        v = store_query_int(q, 0);
        assert_int_equal(store_query_step(q), 0);
        return v;
}

/* The one text a query returns, with ?1 bound to arg1 when not NULL; a copy, or NULL. */
static char *query_text(Store *s, const char *sql, const char *arg1) {
        _cleanup_(store_query_freep) StoreQuery *q = NULL;
        const char *t;
        char *v;

        if (store_query_new(s, sql, &q) < 0)
                fail_msg("%s: %s", sql, store_error(s));
        if (arg1)
                assert_int_equal(store_query_bind_text(q, 1, arg1), 0);
        if (store_query_step(q) != 1)
                fail_msg("%s: %s", sql, store_error(s));
        t = store_query_text(q, 0);
        v = t ? strdup(t) : NULL;
        assert_int_equal(store_query_step(q), 0);
        return v;
}

static int64_t add_file(Store *s, const char *path, const char *sha) {
        StoreFile f = {
                .path = path, .sha256 = sha, .format = "xml", .size = 1234,
        };
        int64_t id = -1;

        assert_int_equal(store_file_add(s, &f, &id), 0);
        assert_true(id > 0);
        return id;
}

static void test_open_memory(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        char *err = NULL;

        assert_int_equal(store_open(NULL, &s, &err), 0);
        assert_null(err);
        assert_int_equal(query_int(s, "PRAGMA user_version"), (int64_t) store_schema_count);
        assert_int_equal(query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                      "('files', 'file_warnings', 'hosts', 'events', "
                                      "'config_properties', 'site_bindings', 'netsh_bindings')"), 7);
        assert_int_equal(query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name = 'event_data'"), 1);
        assert_string_equal(store_error(s), "no error");
        assert_null(store_free(NULL));

        /* a query freed after its store: nothing leaks (the sanitizer build checks) */
        Store *s2 = NULL;
        StoreQuery *q = NULL;
        assert_int_equal(store_open(NULL, &s2, NULL), 0);
        assert_int_equal(store_query_new(s2, "SELECT 1", &q), 0);
        assert_int_equal(store_query_step(q), 1);
        assert_null(store_free(s2));
        assert_null(store_query_free(q));
}

static void test_open_file(void **state) {
        TmpDb t;
        Store *s = NULL;
        char *err = NULL, *path = NULL;

        tmpdb_new(&t);
        assert_int_equal(store_open(t.path, &s, &err), 0);
        add_file(s, "System.xml", SHA_A);
        s = store_free(s);

        /* reopened: the schema is not applied again (it would fail on the existing tables) and
         * what was written is there */
        assert_int_equal(store_open(t.path, &s, &err), 0);
        assert_null(err);
        assert_int_equal(query_int(s, "PRAGMA user_version"), (int64_t) store_schema_count);
        assert_int_equal(store_file_lookup(s, SHA_A, &path), 1);
        assert_string_equal(path, "System.xml");
        free(path);
        char *mode = query_text(s, "PRAGMA journal_mode", NULL);
        assert_string_equal(mode, "delete");
        free(mode);
        s = store_free(s);
        tmpdb_remove(&t);
}

static void test_open_foreign(void **state) {
        TmpDb t;
        Store *s = NULL;
        char *err = NULL;
        FILE *f;

        /* a plain SQLite database with a table of its own */
        tmpdb_new(&t);
        raw_exec(t.path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); "
                         "INSERT INTO customers (name) VALUES ('x');");
        assert_int_equal(store_open(t.path, &s, &err), -EBADMSG);
        assert_null(s);
        assert_non_null(err);
        assert_non_null(strstr(err, "not an evdiag database"));
        free(err);
        err = NULL;
        /* and it was left alone */
        raw_exec(t.path, "SELECT name FROM customers");
        tmpdb_remove(&t);

        /* written by a newer evdiag */
        tmpdb_new(&t);
        raw_exec(t.path, "CREATE TABLE files (id INTEGER PRIMARY KEY); PRAGMA user_version = 99;");
        assert_int_equal(store_open(t.path, &s, &err), -EBADMSG);
        assert_null(s);
        assert_non_null(err);
        assert_non_null(strstr(err, "newer"));
        free(err);
        err = NULL;
        tmpdb_remove(&t);

        /* not SQLite at all */
        tmpdb_new(&t);
        f = fopen(t.path, "w");
        assert_non_null(f);
        for (int i = 0; i < 200; i++)
                fputs("Log Name: System\r\nSource: HTTP\r\n", f);
        fclose(f);
        assert_int_equal(store_open(t.path, &s, &err), -EBADMSG);
        assert_null(s);
        assert_non_null(err);
        free(err);
        err = NULL;
        /* without an error string */
        assert_int_equal(store_open(t.path, &s, NULL), -EBADMSG);
        tmpdb_remove(&t);

        /* a folder that does not exist */
        assert_int_equal(store_open("/nonexistent/evdiag/case.db", &s, &err), -EIO);
        assert_null(s);
        assert_non_null(err);
        free(err);
}

static const EventField fields_15300[] = {
        { "DeviceObject", "\\Device\\Http\\ReqQueue" },
        { "Endpoint", "0.0.0.0:443" },
        { NULL, "unnamed" },
};

static Event event_15300(void) {
        return (Event) {
                .host = "IISServer",
                .channel = "System",
                .provider = "Microsoft-Windows-HttpEvent",
                .provider_guid = "{7b6bc78c-898b-4170-bbf8-1a469ea43fc5}",
                .event_id = 15300,
                .qualifiers = 32768,
                .version = 0, .level = 3, .task = 0, .opcode = 0,
                .keywords = "0x80000000000000",
                .record_id = 48213,
                .time = INT64_C(12700718081234567),
                .time_digits = 7,
                .user = NULL,
                .message = "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .",
                .fields = fields_15300,
                .n_fields = 3,
                .line = 2,
                .offset = UINT64_MAX,
        };
}

static void test_events(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        int64_t file;
        Event ev = event_15300();

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        file = add_file(s, "System.xml", SHA_A);
        assert_int_equal(store_host_add(s, "iisserver", "IISServer"), 0);

        /* with a record id: the second copy is a duplicate */
        assert_int_equal(store_event_add(s, file, "iisserver", &ev), 1);
        assert_int_equal(store_event_add(s, file, "iisserver", &ev), 0);
        /* the same record id at another time is another event */
        ev.time += 1;
        assert_int_equal(store_event_add(s, file, "iisserver", &ev), 1);
        ev.time -= 1;
        /* ... and on another host */
        assert_int_equal(store_event_add(s, file, "web02", &ev), 1);
        assert_int_equal(query_int(s, "SELECT count(*) FROM events"), 3);
        /* fields once per added event */
        assert_int_equal(query_int(s, "SELECT count(*) FROM event_data"), 9);

        /* without a record id (text exports): the content identifies it */
        Event t = event_15300();
        t.record_id = EVENT_NO_VALUE;
        t.time = INT64_C(12700718080000000);
        t.time_digits = 0;
        t.fields = NULL;
        t.n_fields = 0;
        assert_int_equal(store_event_add(s, file, "iisserver", &t), 1);
        assert_int_equal(store_event_add(s, file, "iisserver", &t), 0);
        t.message = "SSL Certificate Settings deleted for Port : 0.0.0.0:8443 .";
        assert_int_equal(store_event_add(s, file, "iisserver", &t), 1);
        t.message = NULL;
        assert_int_equal(store_event_add(s, file, "iisserver", &t), 1);
        assert_int_equal(store_event_add(s, file, "iisserver", &t), 0);
        /* unattributed */
        assert_int_equal(store_event_add(s, file, NULL, &t), 1);
        assert_int_equal(store_event_add(s, file, NULL, &t), 0);
        /* with binary data */
        static const uint8_t bin[] = { 'I', 0, 'I', 0, 'S', 0, 0, 0 };
        t.binary = bin;
        t.binary_size = sizeof(bin);
        assert_int_equal(store_event_add(s, file, NULL, &t), 1);
        assert_int_equal(store_event_add(s, file, NULL, &t), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM events"), 8);

        /* what was stored, column by column */
        _cleanup_(store_query_freep) StoreQuery *q = NULL;
        assert_int_equal(store_query_new(s,
                "SELECT host, computer, channel, provider, provider_guid, event_id, qualifiers, version, level, "
                "task, opcode, keywords, record_id, time, time_digits, user, message, binary, line, offset, "
                "recovered, file_id FROM events WHERE record_id = ?1 AND host = ?2 ORDER BY time", &q), 0);
        assert_int_equal(store_query_bind_int(q, 1, 48213), 0);
        assert_int_equal(store_query_bind_text(q, 2, "iisserver"), 0);
        assert_int_equal(store_query_step(q), 1);
        assert_string_equal(store_query_text(q, 0), "iisserver");
        assert_string_equal(store_query_text(q, 1), "IISServer");
        assert_string_equal(store_query_text(q, 2), "System");
        assert_string_equal(store_query_text(q, 3), "Microsoft-Windows-HttpEvent");
        assert_string_equal(store_query_text(q, 4), "{7b6bc78c-898b-4170-bbf8-1a469ea43fc5}");
        assert_int_equal(store_query_int(q, 5), 15300);
        assert_int_equal(store_query_int(q, 6), 32768);
        assert_int_equal(store_query_int(q, 7), 0);
        assert_false(store_query_is_null(q, 7));
        assert_int_equal(store_query_int(q, 8), 3);
        assert_string_equal(store_query_text(q, 11), "0x80000000000000");
        assert_int_equal(store_query_int(q, 13), INT64_C(12700718081234567));
        assert_int_equal(store_query_int(q, 14), 7);
        assert_true(store_query_is_null(q, 15));
        assert_null(store_query_text(q, 15));
        assert_string_equal(store_query_text(q, 16), "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .");
        assert_true(store_query_is_null(q, 17));
        assert_int_equal(store_query_int(q, 18), 2);
        assert_true(store_query_is_null(q, 19));
        assert_int_equal(store_query_int(q, 20), 0);
        assert_int_equal(store_query_int(q, 21), file);
        assert_int_equal(store_query_step(q), 1);      /* the one a tick later */
        assert_int_equal(store_query_step(q), 0);

        /* run again with other values */
        assert_int_equal(store_query_reset(q), 0);
        assert_int_equal(store_query_bind_int(q, 1, 48213), 0);
        assert_int_equal(store_query_bind_text(q, 2, "web02"), 0);
        assert_int_equal(store_query_step(q), 1);
        assert_string_equal(store_query_text(q, 0), "web02");
        assert_int_equal(store_query_step(q), 0);
        /* a NULL binding matches nothing with "=" */
        assert_int_equal(store_query_reset(q), 0);
        assert_int_equal(store_query_bind_int(q, 1, 48213), 0);
        assert_int_equal(store_query_bind_text(q, 2, NULL), 0);
        assert_int_equal(store_query_step(q), 0);
        /* out-of-range parameter */
        assert_int_equal(store_query_bind_int(q, 9, 1), -EINVAL);
        q = store_query_free(q);

        /* fields in document order, names NULL for unnamed <Data> */
        assert_int_equal(store_query_new(s,
                "SELECT d.pos, d.name, d.value FROM event_data d JOIN events e ON e.id = d.event "
                "WHERE e.host = 'iisserver' AND e.record_id = 48213 AND e.time = 12700718081234567 "
                "ORDER BY d.pos", &q), 0);
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(store_query_step(q), 1);
                assert_int_equal(store_query_int(q, 0), (int64_t) i);
                if (fields_15300[i].name)
                        assert_string_equal(store_query_text(q, 1), fields_15300[i].name);
                else
                        assert_true(store_query_is_null(q, 1));
                assert_string_equal(store_query_text(q, 2), fields_15300[i].value);
        }
        assert_int_equal(store_query_step(q), 0);
        q = store_query_free(q);

        /* the binary comes back as it went in */
        assert_int_equal(store_query_new(s, "SELECT binary FROM events WHERE binary IS NOT NULL", &q), 0);
        assert_int_equal(store_query_step(q), 1);
        size_t n = 0;
        const void *b = store_query_blob(q, 0, &n);
        assert_int_equal(n, sizeof(bin));
        assert_memory_equal(b, bin, n);
        assert_int_equal(store_query_step(q), 0);
}

static void test_files(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        _cleanup_(diag_freep) Diag *d = diag_new("System.txt");
        char *path = (char *) "untouched";
        int64_t a, b;

        assert_non_null(d);
        assert_int_equal(store_open(NULL, &s, NULL), 0);
        assert_int_equal(store_file_lookup(s, SHA_A, &path), 0);
        assert_string_equal(path, "untouched");

        a = add_file(s, "logs/System.xml", SHA_A);
        assert_int_equal(store_file_lookup(s, SHA_A, &path), 1);
        assert_string_equal(path, "logs/System.xml");
        free(path);
        path = (char *) "untouched";
        assert_int_equal(store_file_lookup(s, SHA_B, &path), 0);
        assert_string_equal(path, "untouched");

        /* the same contents twice is refused by the database */
        StoreFile again = { .path = "copy.xml", .sha256 = SHA_A, .format = "xml" };
        int64_t id = -42;
        assert_int_equal(store_file_add(s, &again, &id), -EIO);
        assert_int_equal(id, -42);

        /* a host-less file with its attribution; tz defaults to UTC */
        StoreFile apphost = {
                .path = "applicationHost.config", .sha256 = SHA_B, .format = "apphost",
                .host = "web02", .attribution = "option", .size = 99,
        };
        assert_int_equal(store_file_add(s, &apphost, &b), 0);
        assert_true(b != a);
        char *tz = query_text(s, "SELECT tz || '|' || host || '|' || attribution || '|' || size FROM files WHERE id = 2", NULL);
        assert_string_equal(tz, "UTC|web02|option|99");
        free(tz);

        /* the host found later */
        assert_int_equal(store_file_set_host(s, a, "iisserver"), 0);
        char *h = query_text(s, "SELECT host FROM files WHERE sha256 = ?1", SHA_A);
        assert_string_equal(h, "iisserver");
        free(h);
        assert_int_equal(store_file_set_host(s, a, NULL), 0);
        assert_null(query_text(s, "SELECT host FROM files WHERE sha256 = ?1", SHA_A));

        /* the counts and warnings of a finished import */
        diag_warn_line(d, 12, "bad date");
        diag_warn_offset(d, 4096, "bad chunk");
        diag_error_line(d, 30, "bad record");
        assert_int_equal(store_file_finish(s, a, 10, 2, 0, d), 0);
        assert_int_equal(query_int(s, "SELECT events * 1000000 + duplicates * 10000 + rows * 100 + warnings "
                                      "FROM files WHERE id = 1"), 10020003);
        assert_int_equal(query_int(s, "SELECT count(*) FROM file_warnings WHERE file_id = 1"), 3);
        assert_int_equal(query_int(s, "SELECT line FROM file_warnings WHERE seq = 0"), 12);
        assert_int_equal(query_int(s, "SELECT offset IS NULL FROM file_warnings WHERE seq = 0"), 1);
        assert_int_equal(query_int(s, "SELECT offset FROM file_warnings WHERE seq = 1"), 4096);
        assert_int_equal(query_int(s, "SELECT line IS NULL FROM file_warnings WHERE seq = 1"), 1);
        char *m = query_text(s, "SELECT message FROM file_warnings WHERE seq = 2", NULL);
        assert_string_equal(m, "bad record");
        free(m);
        /* no Diag */
        assert_int_equal(store_file_finish(s, b, 0, 0, 5, NULL), 0);
        assert_int_equal(query_int(s, "SELECT rows FROM files WHERE id = 2"), 5);
}

static void test_transactions(void **state) {
        TmpDb t;
        Store *s = NULL;
        Event ev = event_15300();
        int64_t file;

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        /* a rollback leaves nothing */
        assert_int_equal(store_begin(s), 0);
        file = add_file(s, "System.xml", SHA_A);
        assert_int_equal(store_host_add(s, "iisserver", "IISServer"), 0);
        assert_int_equal(store_event_add(s, file, "iisserver", &ev), 1);
        assert_int_equal(query_int(s, "SELECT count(*) FROM events"), 1);
        assert_int_equal(store_rollback(s), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM events"), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM event_data"), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM files"), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM hosts"), 0);
        /* a rollback without a transaction is nothing */
        assert_int_equal(store_rollback(s), 0);
        /* a commit keeps */
        assert_int_equal(store_begin(s), 0);
        file = add_file(s, "System.xml", SHA_A);
        assert_int_equal(store_event_add(s, file, "iisserver", &ev), 1);
        assert_int_equal(store_commit(s), 0);
        assert_int_equal(store_rollback(s), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM events"), 1);
        /* a transaction inside a transaction is refused */
        assert_int_equal(store_begin(s), 0);
        assert_int_equal(store_begin(s), -EIO);
        assert_non_null(strstr(store_error(s), "transaction"));
        assert_int_equal(store_rollback(s), 0);
        s = store_free(s);

        /* closing with a transaction open rolls it back */
        tmpdb_new(&t);
        assert_int_equal(store_open(t.path, &s, NULL), 0);
        add_file(s, "kept.xml", SHA_B);
        assert_int_equal(store_begin(s), 0);
        add_file(s, "lost.xml", SHA_A);
        s = store_free(s);
        assert_int_equal(store_open(t.path, &s, NULL), 0);
        assert_int_equal(query_int(s, "SELECT count(*) FROM files"), 1);
        s = store_free(s);
        tmpdb_remove(&t);
}

static void test_hosts(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        char **keys = NULL, *name = (char *) "untouched";

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        assert_int_equal(store_host_keys(s, &keys), 0);
        assert_non_null(keys);
        assert_null(keys[0]);
        keys = strv_free(keys);

        assert_int_equal(store_host_add(s, "web02", "WEB02.contoso.local"), 0);
        assert_int_equal(store_host_add(s, "iisserver", "IISServer"), 0);
        assert_int_equal(store_host_add(s, "web02", "WEB02"), 0);       /* the first name stays */
        assert_int_equal(store_host_add(s, "web01", "web01"), 0);

        assert_int_equal(store_host_keys(s, &keys), 3);
        assert_string_equal(keys[0], "iisserver");
        assert_string_equal(keys[1], "web01");
        assert_string_equal(keys[2], "web02");
        assert_null(keys[3]);
        keys = strv_free(keys);

        assert_int_equal(store_host_name(s, "web02", &name), 1);
        assert_string_equal(name, "WEB02.contoso.local");
        free(name);
        name = (char *) "untouched";
        assert_int_equal(store_host_name(s, "web03", &name), 0);
        assert_string_equal(name, "untouched");

        /* many hosts: the array grows */
        for (int i = 0; i < 100; i++) {
                char k[16];

                snprintf(k, sizeof(k), "h%03d", i);
                assert_int_equal(store_host_add(s, k, k), 0);
        }
        assert_int_equal(store_host_keys(s, &keys), 103);
        assert_string_equal(keys[0], "h000");
        assert_string_equal(keys[99], "h099");
        assert_null(keys[103]);
        keys = strv_free(keys);
}

static void test_artifacts(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        int64_t file;

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        file = add_file(s, "applicationHost.config", SHA_A);

        ConfigProperty p = {
                .key_path = "LM/W3SVC/1", .key_line = 40, .id = 5506, .data_type = "Binary",
                .user_type = "1", .attributes = "None", .value = "oXiHOzFAMOF0YxIuI7soWvDFEzg=",
                .decoded = "a178873b314030e17463122e23bb285af0c51338", .valid = true, .line = 41,
        };
        assert_int_equal(store_config_property_add(s, file, "web02", &p), 0);
        p.id = 1018;
        p.data_type = NULL;
        p.decoded = NULL;
        p.line = 0;
        assert_int_equal(store_config_property_add(s, file, "web02", &p), 0);
        char *v = query_text(s, "SELECT key_path || '|' || prop_id || '|' || decoded || '|' || valid || '|' || line "
                                "FROM config_properties WHERE prop_id = 5506", NULL);
        assert_string_equal(v, "LM/W3SVC/1|5506|a178873b314030e17463122e23bb285af0c51338|1|41");
        free(v);
        assert_int_equal(query_int(s, "SELECT (data_type IS NULL) + (decoded IS NULL) + (line IS NULL) "
                                      "FROM config_properties WHERE prop_id = 1018"), 3);

        SiteBinding b = {
                .site_name = "Default Web Site", .site_id = 1, .protocol = "https",
                .binding_information = "*:443:", .ip = "*", .port = 443, .hostname = "",
                .ssl_flags = 0, .endpoint = "0.0.0.0:443", .site_line = 10, .line = 12,
        };
        assert_int_equal(store_site_binding_add(s, file, "web02", &b), 0);
        SiteBinding bare = { .site_name = "Empty", .site_id = EVENT_NO_VALUE, .port = EVENT_NO_VALUE, .site_line = 20 };
        assert_int_equal(store_site_binding_add(s, file, "web02", &bare), 0);
        v = query_text(s, "SELECT site_name || '|' || site_id || '|' || endpoint || '|' || port "
                          "FROM site_bindings WHERE protocol = 'https'", NULL);
        assert_string_equal(v, "Default Web Site|1|0.0.0.0:443|443");
        free(v);
        assert_int_equal(query_int(s, "SELECT (site_id IS NULL) + (port IS NULL) + (protocol IS NULL) + (line IS NULL) "
                                      "FROM site_bindings WHERE site_name = 'Empty'"), 4);

        NetshBinding n = {
                .kind = "ipport", .endpoint = "0.0.0.0:443", .cert_hash = "d0da0b35cf91c55b91a10755c0b4b11dfb1d3ff9",
                .app_id = "{4dc3e181-e14b-4a21-b022-59fc669b0914}", .store_name = "My", .line = 5,
        };
        assert_int_equal(store_netsh_binding_add(s, file, NULL, &n), 0);
        v = query_text(s, "SELECT kind || '|' || endpoint || '|' || cert_hash || '|' || store_name || '|' || line "
                          "FROM netsh_bindings WHERE host IS NULL", NULL);
        assert_string_equal(v, "ipport|0.0.0.0:443|d0da0b35cf91c55b91a10755c0b4b11dfb1d3ff9|My|5");
        free(v);
        /* kind is required */
        n.kind = NULL;
        assert_int_equal(store_netsh_binding_add(s, file, NULL, &n), -EIO);
        assert_non_null(strstr(store_error(s), "NOT NULL"));
        /* and the statement is usable again afterwards */
        n.kind = "hostnameport";
        assert_int_equal(store_netsh_binding_add(s, file, NULL, &n), 0);
}

typedef struct Seen {
        int64_t times[8];
        size_t n;
        int stop_after;
} Seen;

static int seen_event(void *userdata, const StoreEventRow *row) {
        Seen *seen = userdata;

        assert_true(seen->n < 8);
        assert_string_equal(row->host, "web01");
        assert_string_equal(row->path, "System.xml");
        seen->times[seen->n++] = row->time;
        return seen->stop_after > 0 && (int) seen->n >= seen->stop_after ? 42 : 0;
}

static void test_events_between(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        Event ev = { .provider = "P", .event_id = 1, .qualifiers = EVENT_NO_VALUE, .version = EVENT_NO_VALUE,
                     .level = EVENT_NO_VALUE, .task = EVENT_NO_VALUE, .opcode = EVENT_NO_VALUE,
                     .offset = UINT64_MAX };
        int64_t file;
        Seen seen = {};

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        file = add_file(s, "System.xml", SHA_A);
        /* Five events of web01 out of order, one of web02. */
        for (int64_t t = 50; t >= 10; t -= 10) {
                ev.time = t;
                ev.record_id = t;
                assert_int_equal(store_event_add(s, file, "web01", &ev), 1);
        }
        ev.time = 30;
        ev.record_id = 999;
        assert_int_equal(store_event_add(s, file, "web02", &ev), 1);

        assert_int_equal(store_events_between(s, "web01", 20, 40, 100, seen_event, &seen), 0);
        assert_int_equal(seen.n, 3);
        assert_true(seen.times[0] == 20 && seen.times[1] == 30 && seen.times[2] == 40);
        seen = (Seen) {};
        assert_int_equal(store_events_between(s, "web01", 0, 100, 2, seen_event, &seen), 0);   /* limit */
        assert_int_equal(seen.n, 2);
        seen = (Seen) { .stop_after = 1 };
        assert_int_equal(store_events_between(s, "web01", 0, 100, 100, seen_event, &seen), 42);
        assert_int_equal(seen.n, 1);
        seen = (Seen) {};
        assert_int_equal(store_events_between(s, "nobody", 0, 100, 100, seen_event, &seen), 0);
        assert_int_equal(seen.n, 0);
}

static void test_events_nearest(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        Event ev = { .provider = "P", .event_id = 1, .qualifiers = EVENT_NO_VALUE, .version = EVENT_NO_VALUE,
                     .level = EVENT_NO_VALUE, .task = EVENT_NO_VALUE, .opcode = EVENT_NO_VALUE,
                     .offset = UINT64_MAX };
        uint64_t total = 99;
        int64_t file;
        Seen seen = {};

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        file = add_file(s, "System.xml", SHA_A);
        for (int64_t t = 10; t <= 90; t += 10) {
                ev.time = t;
                ev.record_id = t;
                assert_int_equal(store_event_add(s, file, "web01", &ev), 1);
        }
        /* The three nearest to 42 of those from 20 to 80, in time order; all seven counted. */
        assert_int_equal(store_events_nearest(s, "web01", 20, 80, 42, 3, &total, seen_event, &seen), 0);
        assert_int_equal(total, 7);
        assert_int_equal(seen.n, 3);
        assert_true(seen.times[0] == 30 && seen.times[1] == 40 && seen.times[2] == 50);
        seen = (Seen) {};
        assert_int_equal(store_events_nearest(s, "web01", 95, 100, 97, 3, &total, seen_event, &seen), 0);
        assert_int_equal(total, 0);
        assert_int_equal(seen.n, 0);
        seen = (Seen) { .stop_after = 2 };
        assert_int_equal(store_events_nearest(s, "web01", 0, 100, 0, 5, NULL, seen_event, &seen), 42);
        assert_int_equal(store_events_unattributed(s), 0);
        assert_int_equal(store_event_add(s, file, NULL, &ev), 1);
        assert_int_equal(store_events_unattributed(s), 1);
}

typedef struct Artifacts {
        char rows[8][96];
        size_t n;
} Artifacts;

static int seen_artifact(void *userdata, const StoreArtifactRow *a) {
        Artifacts *x = userdata;

        assert_true(x->n < 8);
        snprintf(x->rows[x->n++], sizeof(x->rows[0]), "%s:%lld:%s", a->table, (long long) a->line,
                 a->key_path ? a->key_path : a->endpoint ? a->endpoint : "-");
        return 0;
}

static int count_endpoint(void *userdata, const char *endpoint, const char *value) {
        StrBuf *b = userdata;

        assert_int_equal(strbuf_printf(b, "%s=%s;", endpoint, value ? value : "-"), 0);
        return 0;
}

static int count_property(void *userdata, const StoreKeyProperty *p) {
        StrBuf *b = userdata;

        assert_int_equal(strbuf_printf(b, "%lld@%llu/%llu%s;", (long long) p->prop_id, (unsigned long long) p->line,
                                       (unsigned long long) p->key_line, p->decoded ? "+" : ""), 0);
        return 0;
}

/* What remedies and timelines ask of the artifacts: one host's rows in file and line order,
 * the properties of one key, the endpoints netsh and a site's https bindings name. */
static void test_artifact_queries(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        _cleanup_strbuf_ StrBuf props = {}, ends = {}, https = {};
        Artifacts seen = {};
        int64_t config, netsh;

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        config = add_file(s, "applicationHost.config", SHA_A);
        assert_int_equal(store_file_add(s, &(StoreFile) { .path = "netsh.txt", .sha256 = SHA_B, .format = "netsh",
                                                          .host = "web01", .size = 10 }, &netsh), 0);
        assert_int_equal(store_config_property_add(s, config, "web01", &(ConfigProperty) {
                .key_path = "LM/W3SVC/1", .key_line = 40, .id = 5506, .decoded = "ab", .valid = true, .line = 42 }), 0);
        assert_int_equal(store_config_property_add(s, config, "web01", &(ConfigProperty) {
                .key_path = "LM/W3SVC/1", .key_line = 40, .id = 5511, .valid = true, .line = 41 }), 0);
        assert_int_equal(store_config_property_add(s, config, "web02", &(ConfigProperty) {
                .key_path = "LM/W3SVC/1", .key_line = 40, .id = 5506, .valid = true, .line = 41 }), 0);
        assert_int_equal(store_site_binding_add(s, config, "web01", &(SiteBinding) {
                .site_name = "A", .site_id = 1, .protocol = "https", .port = 443, .endpoint = "0.0.0.0:443",
                .line = 12 }), 0);
        assert_int_equal(store_site_binding_add(s, config, "web01", &(SiteBinding) {
                .site_name = "A", .site_id = 1, .protocol = "http", .port = 80, .endpoint = "0.0.0.0:80",
                .line = 13 }), 0);
        assert_int_equal(store_netsh_binding_add(s, netsh, "web01", &(NetshBinding) {
                .kind = "ipport", .endpoint = "0.0.0.0:443", .cert_hash = "cd", .line = 3 }), 0);

        assert_int_equal(store_artifacts_of_host(s, "web01", seen_artifact, &seen), 0);
        assert_int_equal(seen.n, 5);
        assert_string_equal(seen.rows[0], "site_bindings:12:0.0.0.0:443");
        assert_string_equal(seen.rows[1], "site_bindings:13:0.0.0.0:80");
        assert_string_equal(seen.rows[2], "config_properties:41:LM/W3SVC/1");
        assert_string_equal(seen.rows[3], "config_properties:42:LM/W3SVC/1");
        assert_string_equal(seen.rows[4], "netsh_bindings:3:0.0.0.0:443");

        assert_int_equal(store_key_properties(s, "web01", "applicationHost.config", "LM/W3SVC/1", count_property,
                                              &props), 0);
        assert_string_equal(strbuf_str(&props), "5511@41/40;5506@42/40+;");
        assert_int_equal(store_host_has_format(s, "web01", "netsh"), 1);
        assert_int_equal(store_host_has_format(s, "web02", "netsh"), 0);
        assert_int_equal(store_netsh_endpoints(s, "web01", count_endpoint, &ends), 0);
        assert_string_equal(strbuf_str(&ends), "0.0.0.0:443=cd;");
        assert_int_equal(store_site_https_endpoints(s, "web01", 1, count_endpoint, &https), 0);
        assert_string_equal(strbuf_str(&https), "0.0.0.0:443=-;");
}

static void test_sql_functions(void **state) {
        _cleanup_(store_freep) Store *s = NULL;
        char *v;

        assert_int_equal(store_open(NULL, &s, NULL), 0);

        static const struct {
                const char *sql, *arg, *want;   /* want NULL: SQL NULL */
        } cases[] = {
                { "SELECT evd_match('path-suffix', ?1, 'inetmgr6.exe')", "C:\\Windows\\System32\\inetsrv\\inetmgr6.exe", "1" },
                { "SELECT evd_match('path-suffix', ?1, 'inetmgr6.exe')", "C:\\x\\notinetmgr6.exe", "0" },
                { "SELECT evd_match('path-suffix', ?1, 'inetmgr6.exe')", NULL, "0" },
                { "SELECT evd_match('equals', ?1, 'IISADMIN')", "iisadmin", "1" },
                { "SELECT evd_match('contains', ?1, 'ADSUTIL.VBS')", "cscript adsutil.vbs set", "1" },
                { "SELECT evd_match('regex', ?1, '^IISADMIN/[0-9]$')", "IISADMIN/4", "1" },
                { "SELECT evd_match('endpoint', ?1, '0.0.0.0:443')", "*:443", "1" },
                { "SELECT evd_label(?1, 'New Process Name')",
                  "A new process has been created.\r\n\tNew Process Name:\tC:\\Windows\\inetmgr6.exe\r\n",
                  "C:\\Windows\\inetmgr6.exe" },
                { "SELECT evd_label(?1, 'Command Line')", "Command Line:\r\n", NULL },
                { "SELECT evd_label(?1, 'Missing')", "Label: x", NULL },
                { "SELECT evd_label(?1, 'x')", NULL, NULL },
                { "SELECT evd_utf16(X'490049005300410044004D0049004E002F0034000000')", NULL, "IISADMIN/4" },
                { "SELECT evd_utf16(X'540072007500730074006500640049006E007300740061006C006C00650072002F003100')", NULL,
                  "TrustedInstaller/1" },
                { "SELECT evd_utf16(X'')", NULL, NULL },
                { "SELECT evd_utf16(NULL)", NULL, NULL },
                { "SELECT evd_utf16(X'3DD8')", NULL, "\xEF\xBF\xBD" },
                { "SELECT evd_endpoint(?1)", "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .", "0.0.0.0:443" },
                { "SELECT evd_endpoint(?1)", "SSL Certificate Settings deleted for endpoint : [::]:443 .", "[::]:443" },
                { "SELECT evd_endpoint(?1)", "*:443", "0.0.0.0:443" },
                { "SELECT evd_endpoint(?1)", "WWW.Contoso.com:443", "www.contoso.com:443" },
                { "SELECT evd_endpoint(?1)", "no endpoint here", NULL },
                { "SELECT evd_endpoint(?1)", NULL, NULL },
                { "SELECT evd_field(?1, 'commandline')", "[[\"CommandLine\",\"cscript adsutil.vbs\"]]", "cscript adsutil.vbs" },
                { "SELECT evd_field(?1, 'Image')", "[[\"CommandLine\",\"x\"]]", NULL },
                { "SELECT evd_field(?1, 'a')", "[[\"a\",\"1\"", NULL },                     /* malformed */
                { "SELECT evd_field(NULL, 'a')", NULL, NULL },
                { "SELECT evd_capture('LM/W3SVC/12', '^LM/W3SVC/([0-9]+)$', 1)", NULL, "12" },
                { "SELECT evd_capture('LM/W3SVC/INFO', '^LM/W3SVC/([0-9]+)$', 1)", NULL, NULL },
                { "SELECT evd_capture('LM/W3SVC/12', '^LM/W3SVC/([0-9]+)$', 2)", NULL, NULL },
                { "SELECT evd_capture('LM/W3SVC/12', '^LM/W3SVC/([0-9]+)$', 0)", NULL, NULL },
                { "SELECT evd_capture('LM/W3SVC/12', '^LM/W3SVC/([0-9]+)$', 10)", NULL, NULL },
                { "SELECT evd_capture(NULL, '^LM/W3SVC/([0-9]+)$', 1)", NULL, NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_(store_query_freep) StoreQuery *q = NULL;

                if (store_query_new(s, cases[i].sql, &q) < 0)
                        fail_msg("%s: %s", cases[i].sql, store_error(s));
                if (strchr(cases[i].sql, '?'))
                        assert_int_equal(store_query_bind_text(q, 1, cases[i].arg), 0);
                if (store_query_step(q) != 1)
                        fail_msg("%s: %s", cases[i].sql, store_error(s));
                v = (char *) store_query_text(q, 0);
                if (!cases[i].want) {
                        if (v)
                                fail_msg("case %zu (%s): \"%s\", want NULL", i, cases[i].sql, v);
                        continue;
                }
                if (!v || strcmp(v, cases[i].want) != 0)
                        fail_msg("case %zu (%s): \"%s\", want \"%s\"", i, cases[i].sql, v ? v : "NULL", cases[i].want);
        }

        /* errors surface through the step */
        static const char *const bad[] = {
                "SELECT evd_match('nonsense', 'x', 'y')",
                "SELECT evd_match(NULL, 'x', 'y')",
                "SELECT evd_match('regex', 'x', '(')",
                "SELECT evd_capture('x', '(', 1)",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                _cleanup_(store_query_freep) StoreQuery *q = NULL;

                assert_int_equal(store_query_new(s, bad[i], &q), 0);
                assert_int_equal(store_query_step(q), -EIO);
                assert_true(strstr(store_error(s), "evd_match") || strstr(store_error(s), "regular expression"));
        }

        /* a constant pattern over many rows, where the operator changes from row to row: the
         * kept matcher must not be reused for another operator */
        _cleanup_(store_query_freep) StoreQuery *q = NULL;
        assert_int_equal(store_query_new(s,
                "WITH ops(n, op) AS (VALUES (1, 'equals'), (2, 'path-suffix'), (3, 'equals'), (4, 'contains'), "
                "(5, 'path-suffix')) "
                "SELECT n, evd_match(op, 'C:\\inetsrv\\inetmgr6.exe', ?1) FROM ops ORDER BY n", &q), 0);
        assert_int_equal(store_query_bind_text(q, 1, "inetmgr6.exe"), 0);
        static const int want_ops[] = { 0, 1, 0, 1, 1 };
        for (size_t i = 0; i < 5; i++) {
                assert_int_equal(store_query_step(q), 1);
                if (store_query_int(q, 1) != want_ops[i])
                        fail_msg("row %zu: %lld", i + 1, (long long) store_query_int(q, 1));
        }
        assert_int_equal(store_query_step(q), 0);
        q = store_query_free(q);

        /* a bound regex over many rows, and a pattern that changes per row */
        assert_int_equal(store_query_new(s,
                "WITH s(n, v, p) AS (VALUES (1, 'LM/W3SVC/1', '^LM/W3SVC/([0-9]+)$'), (2, 'LM/W3SVC/22', '^LM/W3SVC/([0-9]+)$'), "
                "(3, 'LM/W3SVC/3/ROOT', '^LM/W3SVC/[0-9]+/(ROOT)$'), (4, 'x', '^(x)$')) "
                "SELECT evd_capture(v, p, 1), evd_capture(v, ?1, 1) FROM s ORDER BY n", &q), 0);
        assert_int_equal(store_query_bind_text(q, 1, "/([0-9]+)"), 0);
        static const char *const want_cap[][2] = { { "1", "1" }, { "22", "22" }, { "ROOT", "3" }, { "x", NULL } };
        for (size_t i = 0; i < 4; i++) {
                const char *a, *b;

                assert_int_equal(store_query_step(q), 1);
                a = store_query_text(q, 0);
                b = store_query_text(q, 1);
                assert_string_equal(a, want_cap[i][0]);
                if (want_cap[i][1])
                        assert_string_equal(b, want_cap[i][1]);
                else
                        assert_null(b);
        }
        assert_int_equal(store_query_step(q), 0);
        q = store_query_free(q);

        /* bad SQL */
        assert_int_equal(store_query_new(s, "SELECT FROM WHERE", &q), -EIO);
        assert_null(q);
        assert_non_null(strstr(store_error(s), "syntax error"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_open_memory),
                cmocka_unit_test(test_open_file),
                cmocka_unit_test(test_open_foreign),
                cmocka_unit_test(test_events),
                cmocka_unit_test(test_events_between),
                cmocka_unit_test(test_events_nearest),
                cmocka_unit_test(test_artifact_queries),
                cmocka_unit_test(test_files),
                cmocka_unit_test(test_transactions),
                cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_artifacts),
                cmocka_unit_test(test_sql_functions),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
