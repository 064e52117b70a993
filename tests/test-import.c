/* SPDX-License-Identifier: MIT */
/* The import of a run: which host the host-less files belong to, files seen twice, a store that
 * fails halfway, and the files that are no logs. Cases are laid out in folders under /tmp from
 * the small files in tests/data/import. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <cmocka.h>

#include "base/diag.h"
#include "base/strbuf.h"
#include "importer/import.h"
#include "store/store.h"

#define DATA TEST_DATA_DIR "/import/"

/* A case folder under /tmp, removed with everything in it. */
typedef struct Tree {
        char root[64];
} Tree;

static void tree_new(Tree *t) {
        snprintf(t->root, sizeof(t->root), "/tmp/evdiag-test-import-XXXXXX");
        assert_non_null(mkdtemp(t->root));
}

static void tree_remove(Tree *t) {
        char cmd[128];

        /* The root is ours, made by mkdtemp() under /tmp. */
        assert_int_equal(strncmp(t->root, "/tmp/evdiag-test-import-", 24), 0);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
        assert_int_equal(system(cmd), 0);
}

/* The path of rel in the tree, in a buffer the next call reuses. */
static const char *at(const Tree *t, const char *rel) {
        static char bufs[4][512];
        static unsigned next;
        char *b = bufs[next++ % 4];

        snprintf(b, sizeof(bufs[0]), "%s%s%s", t->root, *rel ? "/" : "", rel);
        return b;
}

static void make_dirs(const char *path) {
        char buf[512];

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        mkdir(buf, 0700);
                        *p = '/';
                }
}

static void put_bytes(const Tree *t, const char *rel, const void *data, size_t n) {
        const char *path = at(t, rel);
        FILE *f;

        make_dirs(path);
        f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        assert_int_equal(fclose(f), 0);
}

/* Copies tests/data/import/name to rel in the tree, with extra appended (so that copies of a
 * file can differ). */
static void put_with(const Tree *t, const char *rel, const char *name, const char *extra) {
        char from[512], buf[65536];
        FILE *f;
        size_t n;

        snprintf(from, sizeof(from), DATA "%s", name);
        f = fopen(from, "rb");
        assert_non_null(f);
        n = fread(buf, 1, sizeof(buf) - 256, f);
        fclose(f);
        if (extra) {
                memcpy(buf + n, extra, strlen(extra));
                n += strlen(extra);
        }
        put_bytes(t, rel, buf, n);
}

static void put(const Tree *t, const char *rel, const char *name) {
        put_with(t, rel, name, NULL);
}

static Store *open_memory(void) {
        Store *s = NULL;

        assert_int_equal(store_open(NULL, &s, NULL), 0);
        return s;
}

/* Imports paths (NULL-terminated) into store with --host host (or none). Returns the importer
 * with its inputs; *ret_r is what importer_run() returned. */
static Importer *import_paths(Store *store, const char *host, const char *const *paths, int *ret_r) {
        Importer *im = NULL;

        assert_int_equal(importer_new(store, &(ImportOptions) { .host = host }, &im), 0);
        for (const char *const *p = paths; *p; p++)
                assert_int_equal(importer_add_path(im, *p), 0);
        *ret_r = importer_run(im, NULL, NULL);
        return im;
}

static Importer *import_ok(Store *store, const char *host, const char *const *paths) {
        int r;
        Importer *im = import_paths(store, host, paths, &r);

        assert_int_equal(r, 0);
        return im;
}

/* The input whose path ends with suffix. */
static const ImportInput *input(const Importer *im, const char *suffix) {
        size_t n;
        const ImportInput *in = importer_inputs(im, &n);

        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(in[i].path), k = strlen(suffix);

                if (l >= k && strcmp(in[i].path + l - k, suffix) == 0)
                        return &in[i];
        }
        fail_msg("no input ends with %s", suffix);
        return NULL;
}

static bool diag_has(const Diag *d, DiagLevel level, const char *a, const char *b) {
        size_t n;
        const DiagEntry *e = diag_entries(d, &n);

        for (size_t i = 0; i < n; i++)
                if (e[i].level == level && strstr(e[i].message, a) && (!b || strstr(e[i].message, b)))
                        return true;
        return false;
}

static int64_t count(Store *s, const char *sql) {
        _cleanup_(store_query_freep) StoreQuery *q = NULL;
        int64_t v;

        if (store_query_new(s, sql, &q) < 0)
                fail_msg("%s: %s", sql, store_error(s));
        assert_int_equal(store_query_step(q), 1);
        v = store_query_int(q, 0);
        return v;
}

/* How many rows of table (events, config_properties, ...) belong to host (NULL: none). */
static int64_t rows_of(Store *s, const char *table, const char *host) {
        _cleanup_(store_query_freep) StoreQuery *q = NULL;
        char sql[160];

        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE host IS ?1", table);
        assert_int_equal(store_query_new(s, sql, &q), 0);
        assert_int_equal(store_query_bind_text(q, 1, host), 0);
        assert_int_equal(store_query_step(q), 1);
        return store_query_int(q, 0);
}

static void expect_host(const ImportInput *in, const char *host, const char *attribution) {
        if (!host)
                assert_null(in->host);
        else if (!in->host || strcmp(in->host, host) != 0)
                fail_msg("%s: host %s, wanted %s", in->path, in->host ? in->host : "(none)", host);
        if (!attribution)
                assert_null(in->attribution);
        else
                assert_string_equal(in->attribution, attribution);
}

/* --host names the owner of every host-less file, whatever the folders say. */
static void test_attribution_option(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_free_ char *name = NULL;
        Tree t;

        tree_new(&t);
        put(&t, "WEB01/System.xml", "system-web01.xml");
        put(&t, "WEB01/applicationHost.config", "applicationHost.config");
        put(&t, "WEB01/System.csv", "System.csv");
        im = import_ok(store, "WEB09.contoso.local", (const char *const[]) { t.root, NULL });
        expect_host(input(im, "/applicationHost.config"), "web09", "option");
        expect_host(input(im, "/System.csv"), "web09", "option");
        expect_host(input(im, "/System.xml"), "web01", NULL);      /* events name their own host */
        assert_int_equal(store_host_name(store, "web09", &name), 1);
        assert_string_equal(name, "WEB09.contoso.local");
        assert_int_equal(rows_of(store, "config_properties", "web09"), 2);
        assert_int_equal(rows_of(store, "site_bindings", "web09"), 3);
        assert_int_equal(rows_of(store, "events", "web09"), 2);
        assert_int_equal(rows_of(store, "events", "web01"), 3);
        tree_remove(&t);

        /* A --host with no name in it is refused at once. */
        {
                Importer *bad = NULL;

                assert_int_equal(importer_new(store, &(ImportOptions) { .host = "." }, &bad), -EINVAL);
                assert_int_equal(importer_new(store, &(ImportOptions) { .host = "  " }, &bad), -EINVAL);
                assert_null(bad);
        }
}

/* A folder on the path named after a host the events name: the plain name, its FQDN, any case;
 * the nearest such folder wins. */
static void test_attribution_folder(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        Tree t;

        tree_new(&t);
        put(&t, "case/WEB01/System.xml", "system-web01.xml");
        put(&t, "case/WEB02/System.xml", "system-web02.xml");
        put(&t, "case/WEB01/applicationHost.config", "applicationHost.config");
        put_with(&t, "case/web02.contoso.local/config/applicationHost.config", "applicationHost.config", "<!-- web02 -->\n");
        put(&t, "case/WEB01/netsh/WEB02/netsh.txt", "netsh-http-show-sslcert.txt");
        put(&t, "case/Web01.Contoso.Local/System.csv", "System.csv");
        im = import_ok(store, NULL, (const char *const[]) { at(&t, "case"), NULL });
        expect_host(input(im, "case/WEB01/applicationHost.config"), "web01", "folder");
        expect_host(input(im, "web02.contoso.local/config/applicationHost.config"), "web02", "folder");
        expect_host(input(im, "WEB02/netsh.txt"), "web02", "folder");
        expect_host(input(im, "Web01.Contoso.Local/System.csv"), "web01", "folder");
        expect_host(input(im, "case/WEB01/System.xml"), "web01", NULL);
        expect_host(input(im, "case/WEB02/System.xml"), "web02", NULL);
        assert_int_equal(rows_of(store, "site_bindings", "web01"), 3);
        assert_int_equal(rows_of(store, "site_bindings", "web02"), 3);
        assert_int_equal(rows_of(store, "events", "web01"), 3 + 2);
        assert_int_equal(rows_of(store, "netsh_bindings", "web02"), 1);
        tree_remove(&t);
}

static void test_attribution_only_host(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        Tree t;

        tree_new(&t);
        put(&t, "System.xml", "system-web01.xml");
        put(&t, "applicationHost.config", "applicationHost.config");
        put(&t, "misc/netsh.txt", "netsh-http-show-sslcert.txt");
        im = import_ok(store, NULL, (const char *const[]) { t.root, NULL });
        expect_host(input(im, "/applicationHost.config"), "web01", "only-host");
        expect_host(input(im, "/netsh.txt"), "web01", "only-host");
        assert_int_equal(rows_of(store, "site_bindings", "web01"), 3);
        assert_int_equal(diag_count(input(im, "/applicationHost.config")->diag), 0);
        tree_remove(&t);
}

static void test_attribution_unknown(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_free_ char *name = NULL;
        Tree t;

        tree_new(&t);
        put(&t, "WEB01/applicationHost.config", "applicationHost.config");
        put(&t, "WEB01/System.csv", "System.csv");
        im = import_ok(store, NULL, (const char *const[]) { t.root, NULL });
        /* No event names a host: the folder's name is not taken on its own say-so. */
        expect_host(input(im, "/applicationHost.config"), "unknown", "unknown");
        expect_host(input(im, "/System.csv"), "unknown", "unknown");
        assert_int_equal(store_host_name(store, "unknown", &name), 1);
        assert_int_equal(rows_of(store, "config_properties", "unknown"), 2);
        assert_int_equal(rows_of(store, "events", "unknown"), 2);
        tree_remove(&t);
}

static void test_attribution_several(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        const ImportInput *in;
        Tree t;

        tree_new(&t);
        put(&t, "logs/a.xml", "system-web01.xml");
        put(&t, "logs/b.xml", "system-web02.xml");
        put(&t, "applicationHost.config", "applicationHost.config");
        im = import_ok(store, NULL, (const char *const[]) { t.root, NULL });
        in = input(im, "/applicationHost.config");
        assert_int_equal(in->status, INPUT_IMPORTED);
        expect_host(in, NULL, NULL);
        assert_true(diag_has(in->diag, DIAG_WARNING, "cannot tell which host this file belongs to", "web01, web02"));
        /* The rows are kept, without a host. */
        assert_int_equal(rows_of(store, "config_properties", NULL), 2);
        assert_int_equal(count(store, "SELECT count(*) FROM files WHERE format = 'apphost' AND host IS NULL"), 1);
        tree_remove(&t);
}

/* Events whose Computer holds no name (".", blanks) belong to no host of their own: they go
 * where a file without hosts goes, and the import goes on. */
static void test_computer_without_name(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        const ImportInput *in;
        Tree t;

        tree_new(&t);
        put(&t, "WEB01/a.xml", "system-nolabel.xml");
        put(&t, "WEB01/b.xml", "system-web01.xml");
        im = import_ok(store, NULL, (const char *const[]) { t.root, NULL });
        in = input(im, "/a.xml");
        assert_int_equal(in->status, INPUT_IMPORTED);
        assert_int_equal(in->events, 3);
        assert_int_equal(rows_of(store, "events", "web03"), 1);
        assert_int_equal(rows_of(store, "events", "unknown"), 2);
        /* "unknown" is no host: a config in WEB01/ and one outside still find web01 or the
         * hosts the events name. */
        tree_remove(&t);

        tree_new(&t);
        put(&t, "a.xml", "system-nolabel.xml");
        put(&t, "b.xml", "system-web02.xml");
        put(&t, "applicationHost.config", "applicationHost.config");
        {
                _cleanup_(store_freep) Store *s2 = open_memory();
                _cleanup_(importer_freep) Importer *im2 = import_ok(s2, NULL, (const char *const[]) { t.root, NULL });
                const ImportInput *cfg = input(im2, "/applicationHost.config");

                /* Hosts seen: web02 and web03; "unknown" is not one of them. */
                expect_host(cfg, NULL, NULL);
                assert_true(diag_has(cfg->diag, DIAG_WARNING, "(hosts seen: web02, web03)", NULL));
        }
        tree_remove(&t);
}

static void test_duplicate_in_one_run(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        size_t n;
        const ImportInput *in;
        Tree t;

        tree_new(&t);
        put(&t, "a/System.xml", "system-web01.xml");
        put(&t, "b/Copy of System.xml", "system-web01.xml");
        im = import_ok(store, NULL, (const char *const[]) { at(&t, "a/System.xml"), at(&t, "a/System.xml"), at(&t, "b"), NULL });
        in = importer_inputs(im, &n);
        assert_int_equal(n, 3);
        assert_int_equal(in[0].status, INPUT_IMPORTED);
        assert_int_equal(in[0].events, 3);
        for (size_t i = 1; i < 3; i++) {
                assert_int_equal(in[i].status, INPUT_DUPLICATE);
                assert_string_equal(in[i].duplicate_of, in[0].path);
                assert_int_equal(in[i].events, 0);
                assert_int_equal(in[i].duplicates, 0);
                assert_string_equal(input_status_name(in[i].status), "duplicate");
        }
        assert_int_equal(count(store, "SELECT count(*) FROM files"), 1);
        assert_int_equal(count(store, "SELECT count(*) FROM events"), 3);
        tree_remove(&t);
}

static void test_duplicate_across_runs(void **state) {
        char db[] = "/tmp/evdiag-test-import-db-XXXXXX";
        int fd = mkstemp(db);
        Tree t;

        assert_true(fd >= 0);
        close(fd);
        unlink(db);     /* store_open() creates it */
        tree_new(&t);
        put(&t, "WEB01/System.xml", "system-web01.xml");
        put(&t, "WEB01/applicationHost.config", "applicationHost.config");
        for (int run = 0; run < 2; run++) {
                _cleanup_(store_freep) Store *store = NULL;
                _cleanup_(importer_freep) Importer *im = NULL;
                const ImportInput *xml, *cfg;

                assert_int_equal(store_open(db, &store, NULL), 0);
                im = import_ok(store, NULL, (const char *const[]) { at(&t, "WEB01"), NULL });
                xml = input(im, "/System.xml");
                cfg = input(im, "/applicationHost.config");
                assert_int_equal(xml->status, run == 0 ? INPUT_IMPORTED : INPUT_DUPLICATE);
                assert_int_equal(cfg->status, run == 0 ? INPUT_IMPORTED : INPUT_DUPLICATE);
                if (run == 1) {
                        assert_string_equal(xml->duplicate_of, at(&t, "WEB01/System.xml"));
                        assert_int_equal(xml->events + xml->duplicates + cfg->rows, 0);
                }
                assert_int_equal(count(store, "SELECT count(*) FROM files"), 2);
                assert_int_equal(count(store, "SELECT count(*) FROM events"), 3);
                assert_int_equal(count(store, "SELECT count(*) FROM site_bindings"), 3);
        }
        tree_remove(&t);
        unlink(db);
}

/* Two XML exports of one log that overlap: the events both hold are counted, not added. */
static void test_overlapping_exports(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        const ImportInput *a, *b;
        Tree t;

        tree_new(&t);
        put(&t, "1-System.xml", "system-web01.xml");            /* records 100..102 */
        put(&t, "2-System.xml", "system-web01-overlap.xml");    /* records 101..104 */
        im = import_ok(store, NULL, (const char *const[]) { t.root, NULL });
        a = input(im, "/1-System.xml");
        b = input(im, "/2-System.xml");
        assert_int_equal(a->events, 3);
        assert_int_equal(a->duplicates, 0);
        assert_int_equal(b->status, INPUT_IMPORTED);
        assert_int_equal(b->events, 2);
        assert_int_equal(b->duplicates, 2);
        assert_int_equal(count(store, "SELECT count(*) FROM events"), 5);
        assert_int_equal(count(store, "SELECT duplicates FROM files WHERE path LIKE '%2-System.xml'"), 2);
        tree_remove(&t);
}

/* A store that fails halfway through a file: a trigger refuses the second row of table once
 * the database is made, as a full disk or a broken file would. */
static void arm_failure(const char *db, const char *table) {
        sqlite3 *raw = NULL;
        char sql[512];

        snprintf(sql, sizeof(sql),
                 "CREATE TRIGGER evdiag_test_fail BEFORE INSERT ON %s "
                 "WHEN (SELECT count(*) FROM %s) >= 1 BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;",
                 table, table);
        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
}

static void test_store_failure_midway(void **state) {
        static const struct {
                const char *table, *file, *data;
                const char *host;       /* --host */
        } cases[] = {
                { "site_bindings", "WEB01/applicationHost.config", "applicationHost.config", NULL },
                { "site_bindings", "applicationHost.config", "applicationHost.config", "WEB07" },
                { "config_properties", "applicationHost.config", "applicationHost.config", NULL },
                { "events", "WEB01/System.xml", "system-web01.xml", NULL },
                { "events", "System.csv", "System.csv", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char db[] = "/tmp/evdiag-test-import-db-XXXXXX";
                int fd = mkstemp(db), r;
                Tree t;

                assert_true(fd >= 0);
                close(fd);
                unlink(db);
                tree_new(&t);
                put(&t, cases[i].file, cases[i].data);
                {
                        Store *s = NULL;

                        assert_int_equal(store_open(db, &s, NULL), 0);
                        store_free(s);
                }
                arm_failure(db, cases[i].table);
                {
                        _cleanup_(store_freep) Store *store = NULL;
                        _cleanup_(importer_freep) Importer *im = NULL;
                        const ImportInput *in;

                        assert_int_equal(store_open(db, &store, NULL), 0);
                        im = import_paths(store, cases[i].host, (const char *const[]) { at(&t, cases[i].file), NULL }, &r);
                        in = input(im, cases[i].file);
                        /* A store failure stops the run. */
                        assert_int_equal(r, -EIO);
                        assert_int_equal(in->status, INPUT_FAILED);
                        assert_int_equal(in->events + in->duplicates + in->rows, 0);
                        assert_null(in->host);
                        assert_true(diag_has(in->diag, DIAG_ERROR, "nothing of this file was kept", "simulated disk failure"));
                        /* No trace: no file, no row, no host it alone brought. */
                        assert_int_equal(count(store, "SELECT count(*) FROM files"), 0);
                        assert_int_equal(count(store, "SELECT count(*) FROM file_warnings"), 0);
                        assert_int_equal(count(store, "SELECT count(*) FROM events"), 0);
                        assert_int_equal(count(store, "SELECT count(*) FROM config_properties"), 0);
                        assert_int_equal(count(store, "SELECT count(*) FROM site_bindings"), 0);
                        assert_int_equal(count(store, "SELECT count(*) FROM hosts"), 0);
                }
                {
                        /* The database is whole: with the failure gone, the same file imports. */
                        _cleanup_(store_freep) Store *store = NULL;
                        _cleanup_(importer_freep) Importer *im = NULL;
                        sqlite3 *raw = NULL;

                        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
                        assert_int_equal(sqlite3_exec(raw, "DROP TRIGGER evdiag_test_fail", NULL, NULL, NULL), SQLITE_OK);
                        sqlite3_close(raw);
                        assert_int_equal(store_open(db, &store, NULL), 0);
                        im = import_ok(store, cases[i].host, (const char *const[]) { at(&t, cases[i].file), NULL });
                        assert_int_equal(input(im, cases[i].file)->status, INPUT_IMPORTED);
                        assert_int_equal(count(store, "SELECT count(*) FROM files"), 1);
                }
                tree_remove(&t);
                unlink(db);
        }
}

/* Files that are no logs: ignored in a folder, skipped when named; broken logs fail. */
static void test_not_logs(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        static const char evtx[] = "ElfFile\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        const ImportInput *in;
        Tree t;

        tree_new(&t);
        put(&t, "case/README.md", "README.md");
        put(&t, "case/notes.txt", "README.md");
        put_bytes(&t, "case/empty.log", "", 0);
        put_bytes(&t, "case/System.evtx", evtx, 8);
        put_bytes(&t, "named/Security.evtx", evtx, sizeof(evtx) - 1);
        put(&t, "named/README.md", "README.md");
        put_bytes(&t, "named/empty.txt", "  \n", 3);
        put(&t, "case/System.xml", "system-web01.xml");
        im = import_ok(store, NULL, (const char *const[]) {
                at(&t, "case"), at(&t, "named/Security.evtx"), at(&t, "named/README.md"), at(&t, "named/empty.txt"), NULL });

        in = input(im, "case/README.md");
        assert_int_equal(in->status, INPUT_IGNORED);
        assert_true(diag_has(in->diag, DIAG_WARNING, "not an event log export", "; ignored"));
        assert_int_equal(input(im, "case/notes.txt")->status, INPUT_IGNORED);
        assert_int_equal(input(im, "case/empty.log")->status, INPUT_IGNORED);
        assert_true(diag_has(input(im, "case/empty.log")->diag, DIAG_WARNING, "empty file; ignored", NULL));

        in = input(im, "named/README.md");
        assert_int_equal(in->status, INPUT_SKIPPED);
        assert_true(diag_has(in->diag, DIAG_WARNING, "not an event log export", "; skipped"));
        assert_int_equal(input(im, "named/empty.txt")->status, INPUT_SKIPPED);

        /* A truncated .evtx fails, in a folder too, with what is wrong; the rest is imported. */
        for (int i = 0; i < 2; i++) {
                in = input(im, i ? "named/Security.evtx" : "case/System.evtx");
                assert_int_equal(in->status, INPUT_FAILED);
                assert_int_equal(in->format, FORMAT_EVTX);
                assert_true(diag_has(in->diag, DIAG_ERROR, "truncated .evtx log", NULL));
        }
        assert_int_equal(input(im, "case/System.xml")->status, INPUT_IMPORTED);
        assert_int_equal(count(store, "SELECT count(*) FROM files"), 1);
        tree_remove(&t);
}

static void test_unreadable(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        const ImportInput *in;
        Tree t;

        tree_new(&t);
        put(&t, "System.xml", "system-web01.xml");
        assert_int_equal(mkfifo(at(&t, "pipe"), 0600), 0);
        im = import_ok(store, NULL, (const char *const[]) {
                at(&t, "nosuch.xml"), at(&t, "System.xml/inside"), at(&t, "pipe"), at(&t, "System.xml"), NULL });
        in = input(im, "nosuch.xml");
        assert_int_equal(in->status, INPUT_FAILED);
        assert_true(diag_has(in->diag, DIAG_ERROR, "cannot read", "No such file or directory"));
        in = input(im, "System.xml/inside");
        assert_int_equal(in->status, INPUT_FAILED);
        assert_true(diag_has(in->diag, DIAG_ERROR, "cannot read", "Not a directory"));
        in = input(im, "pipe");
        assert_int_equal(in->status, INPUT_FAILED);
        assert_true(diag_has(in->diag, DIAG_ERROR, "not a regular file", NULL));
        assert_int_equal(input(im, "/System.xml")->status, INPUT_IMPORTED);
        tree_remove(&t);
}

/* The copy evdiag fix keeps beside a fixed applicationHost.config is the configuration as it
 * was: in a folder it is ignored, with a warning; named alone it is read. */
static void test_fix_backup(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL, *alone = NULL;
        const ImportInput *in;
        Tree t;

        tree_new(&t);
        put(&t, "case/WEB01/System.xml", "system-web01.xml");
        put(&t, "case/WEB01/applicationHost.config", "applicationHost.config");
        put(&t, "case/WEB01/applicationHost.config.evdiag-bak", "applicationHost.config");
        put(&t, "case/WEB01/applicationHost.config.evdiag-tmp-Ab12Cd", "applicationHost.config");
        im = import_ok(store, NULL, (const char *const[]) { at(&t, "case"), NULL });
        assert_int_equal(input(im, "/applicationHost.config")->status, INPUT_IMPORTED);
        in = input(im, "/applicationHost.config.evdiag-bak");
        assert_int_equal(in->status, INPUT_IGNORED);
        assert_true(diag_has(in->diag, DIAG_WARNING, "evdiag fix kept", "name it alone"));
        assert_int_equal(input(im, ".evdiag-tmp-Ab12Cd")->status, INPUT_IGNORED);
        alone = import_ok(store, NULL, (const char *const[]) { at(&t, "case/WEB01/applicationHost.config.evdiag-bak"), NULL });
        /* Read, and found to be the same bytes as the config imported before. */
        assert_int_equal(input(alone, ".evdiag-bak")->status, INPUT_DUPLICATE);
        /* Only a file's own name counts: a folder named so is read. */
        put(&t, "copy.evdiag-tmp-1/WEB02/System.xml", "system-web02.xml");
        importer_free(alone);
        alone = import_ok(store, NULL, (const char *const[]) { at(&t, "copy.evdiag-tmp-1"), NULL });
        assert_int_equal(input(alone, "/System.xml")->status, INPUT_IMPORTED);
        tree_remove(&t);
}

/* A file that disappears between being found and being read. */
static void test_vanished(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        Tree t;

        tree_new(&t);
        put(&t, "System.xml", "system-web01.xml");
        assert_int_equal(importer_new(store, &(ImportOptions) {}, &im), 0);
        assert_int_equal(importer_add_path(im, t.root), 0);
        assert_int_equal(unlink(at(&t, "System.xml")), 0);
        assert_int_equal(importer_run(im, NULL, NULL), 0);
        assert_int_equal(input(im, "/System.xml")->status, INPUT_FAILED);
        assert_int_equal(count(store, "SELECT count(*) FROM files"), 0);
        tree_remove(&t);
}

typedef struct Progress {
        size_t calls, total;
        const ImportInput *seen[32];
        size_t index[32];
} Progress;

static void on_progress(void *userdata, const ImportInput *done, size_t index, size_t total) {
        Progress *p = userdata;

        assert_true(p->calls < ELEMENTSOF(p->seen));
        assert_int_not_equal(done->status, INPUT_PENDING);
        if (p->calls == 0)
                p->total = total;
        assert_int_equal(total, p->total);
        p->seen[p->calls] = done;
        p->index[p->calls] = index;
        p->calls++;
}

static void test_progress(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        Progress p = {};
        size_t n;
        const ImportInput *inputs;
        Tree t;

        tree_new(&t);
        put(&t, "case/WEB01/System.xml", "system-web01.xml");
        put(&t, "case/WEB01/System.csv", "System.csv");
        put(&t, "case/WEB01/applicationHost.config", "applicationHost.config");
        put(&t, "case/README.md", "README.md");
        put(&t, "copy.xml", "system-web01.xml");
        assert_int_equal(importer_new(store, &(ImportOptions) {}, &im), 0);
        assert_int_equal(importer_add_path(im, at(&t, "case")), 0);
        assert_int_equal(importer_add_path(im, at(&t, "copy.xml")), 0);
        assert_int_equal(importer_add_path(im, at(&t, "missing.xml")), 0);
        assert_int_equal(importer_run(im, on_progress, &p), 0);
        inputs = importer_inputs(im, &n);
        assert_int_equal(n, 6);
        assert_int_equal(p.calls, n);
        assert_int_equal(p.total, n);
        for (size_t i = 0; i < p.calls; i++) {
                assert_int_equal(p.index[i], i + 1);
                for (size_t j = 0; j < i; j++)
                        assert_ptr_not_equal(p.seen[i], p.seen[j]);
        }
        /* The one that could not be read comes first; the host-less ones after the events. */
        assert_ptr_equal(p.seen[0], input(im, "missing.xml"));
        assert_ptr_equal(p.seen[5], input(im, "applicationHost.config"));

        /* A second run reports only what was added since. */
        put(&t, "later.xml", "system-web02.xml");
        assert_int_equal(importer_add_path(im, at(&t, "later.xml")), 0);
        assert_int_equal(importer_add_path(im, at(&t, "gone.xml")), 0);
        p = (Progress) {};
        assert_int_equal(importer_run(im, on_progress, &p), 0);
        assert_int_equal(p.calls, 2);
        assert_int_equal(p.total, 2);
        assert_ptr_equal(p.seen[0], input(im, "gone.xml"));
        assert_ptr_equal(p.seen[1], input(im, "later.xml"));
        inputs = importer_inputs(im, &n);
        assert_int_equal(n, 8);
        assert_int_equal(inputs[2].status, INPUT_IMPORTED);

        /* Without a callback, all the same. */
        assert_int_equal(importer_run(im, NULL, NULL), 0);
        tree_remove(&t);
}

/* What the tick callback saw: a copy of every tick. */
typedef struct Ticks {
        ImportTick t[64];
        size_t n;
} Ticks;

static void on_tick(void *userdata, const ImportTick *tick) {
        Ticks *k = userdata;

        assert_non_null(tick->input);
        assert_true(k->n < ELEMENTSOF(k->t));
        k->t[k->n++] = *tick;
}

/* An XML export of n events on host WEB01, each with a value of pad bytes. */
static void put_events(const Tree *t, const char *rel, size_t n, size_t pad) {
        _cleanup_strbuf_ StrBuf b = {};
        _cleanup_free_ char *filler = malloc(pad + 1);

        assert_non_null(filler);
        memset(filler, 'x', pad);
        filler[pad] = 0;
        assert_int_equal(strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n"), 0);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(strbuf_printf(&b,
                        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                        "<Provider Name='Service Control Manager'/><EventID>7036</EventID>"
                        "<TimeCreated SystemTime='2024-03-12T02:%02zu:%02zu.%07zuZ'/><EventRecordID>%zu</EventRecordID>"
                        "<Channel>System</Channel><Computer>WEB01</Computer></System><EventData>"
                        "<Data Name='param1'>%s</Data></EventData></Event>\n",
                        i / 60 % 60, i % 60, i, 1000 + i, filler), 0);
        assert_int_equal(strbuf_puts(&b, "</Events>\n"), 0);
        put_bytes(t, rel, b.data, b.len);
}

static uint64_t file_size(const char *path) {
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        return (uint64_t) st.st_size;
}

/* The ticks of a run move forward only, stay within their totals, and end at them. */
static void check_ticks(const Ticks *k, size_t total, uint64_t bytes_total, uint64_t rows) {
        assert_true(k->n > 0);
        for (size_t i = 0; i < k->n; i++) {
                assert_int_equal(k->t[i].total, total);
                assert_int_equal(k->t[i].bytes_total, bytes_total);
                assert_true(k->t[i].done <= total);
                assert_true(k->t[i].bytes <= bytes_total);
                if (i > 0) {
                        assert_true(k->t[i].done >= k->t[i - 1].done);
                        assert_true(k->t[i].bytes >= k->t[i - 1].bytes);
                        assert_true(k->t[i].rows >= k->t[i - 1].rows);
                }
        }
        assert_int_equal(k->t[k->n - 1].done, total);
        assert_int_equal(k->t[k->n - 1].bytes, bytes_total);
        assert_int_equal(k->t[k->n - 1].rows, rows);
}

/* Ticks inside the file in: rows strictly between its first and last, bytes strictly inside it. */
static size_t ticks_inside(const Ticks *k, const ImportInput *in) {
        size_t start = SIZE_MAX, inside = 0;

        for (size_t i = 0; i < k->n; i++)
                if (k->t[i].input == in) {
                        if (start == SIZE_MAX) {
                                start = i;     /* the file starts: none of it read yet */
                                assert_int_equal(k->t[i].done, i == 0 ? 0 : k->t[i - 1].done);
                                continue;
                        }
                        if (k->t[i].done == k->t[start].done) {
                                assert_true(k->t[i].rows > k->t[start].rows);
                                assert_true(k->t[i].bytes > k->t[start].bytes);
                                assert_true(k->t[i].bytes <= k->t[start].bytes + in->size);
                                inside++;
                        }
                }
        assert_int_not_equal(start, SIZE_MAX);
        return inside;
}

static void test_tick_rows(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        Ticks k = {};
        const ImportInput *big, *config, *readme;
        Tree t;

        tree_new(&t);
        /* Small events: their count, not their bytes, brings the ticks. */
        put_events(&t, "case/WEB01/System.xml", 3 * IMPORT_TICK_ROWS + 10, 10);
        put(&t, "case/WEB01/applicationHost.config", "applicationHost.config");
        put(&t, "case/README.md", "README.md");
        assert_int_equal(importer_new(store, &(ImportOptions) {}, &im), 0);
        importer_set_tick(im, on_tick, &k);
        assert_int_equal(importer_add_path(im, at(&t, "case")), 0);
        assert_int_equal(importer_add_path(im, at(&t, "missing.xml")), 0);
        assert_int_equal(importer_run(im, NULL, NULL), 0);

        big = input(im, "System.xml");
        config = input(im, "applicationHost.config");
        readme = input(im, "README.md");
        assert_int_equal(big->status, INPUT_IMPORTED);
        assert_int_equal(big->events, 3 * IMPORT_TICK_ROWS + 10);
        assert_true(config->rows > 0);
        assert_int_equal(big->size, file_size(at(&t, "case/WEB01/System.xml")));
        /* The file that cannot be read counts as an input, not in bytes. */
        check_ticks(&k, 4, big->size + config->size + readme->size, big->events + config->rows);
        assert_int_equal(ticks_inside(&k, big), 3);
        (void) ticks_inside(&k, config);

        /* A second run counts only its own inputs. */
        k = (Ticks) {};
        put(&t, "later.xml", "system-web02.xml");
        assert_int_equal(importer_add_path(im, at(&t, "later.xml")), 0);
        assert_int_equal(importer_run(im, NULL, NULL), 0);
        check_ticks(&k, 1, input(im, "later.xml")->size, input(im, "later.xml")->events);
        assert_int_equal(k.n, 2);       /* it starts, it is done */

        /* Without a callback, nothing is called. */
        importer_set_tick(im, NULL, NULL);
        k = (Ticks) {};
        put(&t, "again.xml", "system-nolabel.xml");
        assert_int_equal(importer_add_path(im, at(&t, "again.xml")), 0);
        assert_int_equal(importer_run(im, NULL, NULL), 0);
        assert_int_equal(k.n, 0);
        tree_remove(&t);
}

static void test_tick_bytes(void **state) {
        _cleanup_(store_freep) Store *store = open_memory();
        _cleanup_(importer_freep) Importer *im = NULL;
        Ticks k = {};
        const ImportInput *big;
        Tree t;

        tree_new(&t);
        /* Few events, and large: the bytes bring the ticks. */
        put_events(&t, "System.xml", 100, 40 * 1024);
        assert_int_equal(importer_new(store, &(ImportOptions) {}, &im), 0);
        importer_set_tick(im, on_tick, &k);
        assert_int_equal(importer_add_path(im, at(&t, "System.xml")), 0);
        assert_int_equal(importer_run(im, NULL, NULL), 0);
        big = input(im, "System.xml");
        assert_int_equal(big->events, 100);
        assert_true(big->size > 3 * IMPORT_TICK_BYTES);
        check_ticks(&k, 1, big->size, 100);
        /* One tick per MiB read, give or take the parser's read-ahead. */
        assert_true(ticks_inside(&k, big) >= 2);
        assert_true(ticks_inside(&k, big) <= big->size / IMPORT_TICK_BYTES + 1);
        tree_remove(&t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_attribution_option),
                cmocka_unit_test(test_attribution_folder),
                cmocka_unit_test(test_attribution_only_host),
                cmocka_unit_test(test_attribution_unknown),
                cmocka_unit_test(test_attribution_several),
                cmocka_unit_test(test_computer_without_name),
                cmocka_unit_test(test_duplicate_in_one_run),
                cmocka_unit_test(test_duplicate_across_runs),
                cmocka_unit_test(test_overlapping_exports),
                cmocka_unit_test(test_store_failure_midway),
                cmocka_unit_test(test_not_logs),
                cmocka_unit_test(test_unreadable),
                cmocka_unit_test(test_vanished),
                cmocka_unit_test(test_fix_backup),
                cmocka_unit_test(test_progress),
                cmocka_unit_test(test_tick_rows),
                cmocka_unit_test(test_tick_bytes),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
