/* SPDX-License-Identifier: MIT */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "base/json.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "sql-functions.h"

extern const char *const store_schema_scripts[];
extern const size_t store_schema_count;

enum {
        STMT_EVENT_ADD,
        STMT_HOST_ADD,
        STMT_CONFIG_ADD,
        STMT_BINDING_ADD,
        STMT_NETSH_ADD,
        _STMT_MAX,
};

static const char *const stmt_sql[_STMT_MAX] = {
        [STMT_EVENT_ADD] =
                "INSERT OR IGNORE INTO events (file_id, host, computer, channel, provider, provider_guid, "
                "event_id, qualifiers, version, level, task, opcode, keywords, record_id, time, time_digits, "
                "user, message, binary, line, offset, recovered, dedupe, data) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                "?19, ?20, ?21, ?22, ?23, ?24)",
        [STMT_HOST_ADD] =
                "INSERT OR IGNORE INTO hosts (key, name) VALUES (?1, ?2)",
        [STMT_CONFIG_ADD] =
                "INSERT INTO config_properties (file_id, host, key_path, key_line, prop_id, data_type, "
                "user_type, attributes, value, decoded, valid, line) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        [STMT_BINDING_ADD] =
                "INSERT INTO site_bindings (file_id, host, site_name, site_id, protocol, binding_information, "
                "ip, port, hostname, ssl_flags, endpoint, site_line, line) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        [STMT_NETSH_ADD] =     /* parenthesised: clang takes two joined literals for a missing comma */
                ("INSERT INTO netsh_bindings (file_id, host, kind, endpoint, cert_hash, app_id, store_name, line) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
};

struct Store {
        sqlite3 *db;
        StrBuf data;            /* an event's values as JSON, reused */
        sqlite3_stmt *stmt[_STMT_MAX];
        char *error;
        bool in_transaction;
};

struct StoreQuery {
        Store *store;
        sqlite3_stmt *stmt;
};

static int fail(Store *s, int r) {
        free(s->error);
        s->error = strdup(sqlite3_errmsg(s->db));
        return r;
}

static int fail_msg(Store *s, int r, const char *msg) {
        free(s->error);
        s->error = strdup(msg);
        return r;
}

const char *store_error(const Store *s) {
        return s->error ? s->error : "no error";
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < _STMT_MAX; i++)
                sqlite3_finalize(s->stmt[i]);
        if (s->in_transaction)
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        /* _v2: a StoreQuery not freed yet keeps the connection until it is, instead of the
         * close failing and leaking it. */
        sqlite3_close_v2(s->db);
        strbuf_done(&s->data);
        free(s->error);
        free(s);
        return NULL;
}

static int exec(Store *s, const char *sql) {
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        return 0;
}

static int query_int(Store *s, const char *sql, int64_t *ret) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW)
                *ret = sqlite3_column_int64(st, 0);
        else if (r != SQLITE_DONE) {
                r = fail(s, -EIO);
                sqlite3_finalize(st);
                return r;
        } else
                *ret = 0;
        sqlite3_finalize(st);
        return 0;
}

/* Applies every schema script past the database's user_version, each in its own transaction. */
static int migrate(Store *s) {
        int64_t version, objects;
        int r;

        r = query_int(s, "PRAGMA user_version", &version);
        if (r < 0)
                return r == -EIO && strstr(store_error(s), "not a database") ? -EBADMSG : r;
        if (version > (int64_t) store_schema_count)
                return fail_msg(s, -EBADMSG, "the database was written by a newer evdiag");
        if (version == 0) {
                r = query_int(s, "SELECT count(*) FROM sqlite_master", &objects);
                if (r < 0)
                        return r;
                if (objects > 0)
                        return fail_msg(s, -EBADMSG, "not an evdiag database (it has tables of its own)");
        }
        for (size_t i = (size_t) version; i < store_schema_count; i++) {
                char pragma[64];

                r = exec(s, "BEGIN IMMEDIATE");
                if (r < 0)
                        return r;
                snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %zu", i + 1);
                if (exec(s, store_schema_scripts[i]) < 0 || exec(s, pragma) < 0) {
                        r = -EIO;
                        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                        return r;
                }
                r = exec(s, "COMMIT");
                if (r < 0)
                        return r;
        }
        return 0;
}

int store_open(const char *path, Store **ret, char **ret_error) {
        _cleanup_(store_freep) Store *s = NULL;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        /* "" is SQLite's private temporary database: held in the page cache and spilled to a
         * deleted file when it outgrows it, so a large case does not grow memory. */
        r = sqlite3_open_v2(path ? path : "", &s->db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
        if (r != SQLITE_OK) {
                if (ret_error)
                        *ret_error = strdup(s->db ? sqlite3_errmsg(s->db) : "cannot open the database");
                return r == SQLITE_NOMEM ? -ENOMEM : -EIO;
        }
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, 5000);

        /* Speed over durability: an interrupted import is rolled back whole either way, by the
         * rollback journal (which, unlike a write-ahead log, does not write new pages twice). */
        r = exec(s, "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768");
        if (r == 0 && path)
                r = exec(s, "PRAGMA journal_mode = DELETE");
        if (r == 0)
                r = migrate(s);
        if (r == 0)
                r = sql_functions_register(s->db) < 0 ? fail(s, -EIO) : 0;
        for (size_t i = 0; r == 0 && i < _STMT_MAX; i++)
                if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) != SQLITE_OK)
                        r = fail(s, -EIO);
        if (r < 0) {
                if (r == -EIO && strstr(store_error(s), "not a database"))
                        r = -EBADMSG;
                if (ret_error)
                        *ret_error = strdup(store_error(s));
                return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int store_begin(Store *s) {
        int r = exec(s, "BEGIN IMMEDIATE");

        if (r == 0)
                s->in_transaction = true;
        return r;
}

int store_commit(Store *s) {
        int r = exec(s, "COMMIT");

        if (r == 0)
                s->in_transaction = false;
        return r;
}

int store_rollback(Store *s) {
        if (!s->in_transaction)
                return 0;
        s->in_transaction = false;
        return exec(s, "ROLLBACK");
}

/* Binds text, or NULL for a NULL pointer. The row views outlive the step, so no copy. */
static int bind_text(sqlite3_stmt *st, int idx, const char *v) {
        return v ? sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, idx);
}

static int bind_opt_int(sqlite3_stmt *st, int idx, int64_t v) {
        return v == EVENT_NO_VALUE ? sqlite3_bind_null(st, idx) : sqlite3_bind_int64(st, idx, v);
}

static int bind_line(sqlite3_stmt *st, int idx, uint64_t line) {
        return line == 0 ? sqlite3_bind_null(st, idx) : sqlite3_bind_int64(st, idx, (sqlite3_int64) line);
}

/* Runs a prepared insert to completion and makes it ready again. */
static int run(Store *s, sqlite3_stmt *st) {
        int r = sqlite3_step(st);

        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (r != SQLITE_DONE)
                return fail(s, r == SQLITE_NOMEM ? -ENOMEM : -EIO);
        return 0;
}

int store_file_lookup(Store *s, const char *sha256, char **ret_path) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db, "SELECT path FROM files WHERE sha256 = ?1", -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
                char *p = strdup((const char *) sqlite3_column_text(st, 0));

                sqlite3_finalize(st);
                if (!p)
                        return -ENOMEM;
                *ret_path = p;
                return 1;
        }
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int store_file_add(Store *s, const StoreFile *f, int64_t *ret_id) {
        sqlite3_stmt *st = NULL;
        char now[40];
        int r;

        ticks_format_iso((int64_t) time(NULL) * TICKS_PER_SECOND, 0, now);
        if (sqlite3_prepare_v2(s->db,
                               "INSERT INTO files (path, sha256, size, format, host, attribution, tz, imported_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, f->path);
        bind_text(st, 2, f->sha256);
        sqlite3_bind_int64(st, 3, (sqlite3_int64) f->size);
        bind_text(st, 4, f->format);
        bind_text(st, 5, f->host);
        bind_text(st, 6, f->attribution);
        bind_text(st, 7, f->tz ? f->tz : "UTC");
        bind_text(st, 8, now);
        r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE)
                return fail(s, -EIO);
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_file_finish(Store *s, int64_t id, uint64_t events, uint64_t duplicates, uint64_t rows, const Diag *d) {
        sqlite3_stmt *st = NULL;
        const DiagEntry *e;
        size_t n = 0;
        int r;

        if (sqlite3_prepare_v2(s->db,
                               "UPDATE files SET events = ?2, duplicates = ?3, rows = ?4, warnings = ?5 WHERE id = ?1",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) events);
        sqlite3_bind_int64(st, 3, (sqlite3_int64) duplicates);
        sqlite3_bind_int64(st, 4, (sqlite3_int64) rows);
        sqlite3_bind_int64(st, 5, d ? (sqlite3_int64) diag_count(d) : 0);
        r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE)
                return fail(s, -EIO);
        if (!d)
                return 0;

        if (sqlite3_prepare_v2(s->db,
                               "INSERT INTO file_warnings (file_id, seq, line, offset, message) VALUES (?1, ?2, ?3, ?4, ?5)",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        e = diag_entries(d, &n);
        for (size_t i = 0; i < n; i++) {
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_int64(st, 2, (sqlite3_int64) i);
                bind_line(st, 3, e[i].line);
                if (e[i].offset == DIAG_NO_OFFSET)
                        sqlite3_bind_null(st, 4);
                else
                        sqlite3_bind_int64(st, 4, (sqlite3_int64) e[i].offset);
                bind_text(st, 5, e[i].message);
                r = sqlite3_step(st);
                sqlite3_reset(st);
                if (r != SQLITE_DONE) {
                        r = fail(s, -EIO);
                        sqlite3_finalize(st);
                        return r;
                }
        }
        sqlite3_finalize(st);
        return 0;
}

int store_file_set_sha256(Store *s, int64_t id, const char *sha256) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db, "UPDATE files SET sha256 = ?2 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, sha256);
        r = sqlite3_step(st);
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int store_file_set_host(Store *s, int64_t id, const char *host) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db, "UPDATE files SET host = ?2 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, host);
        r = sqlite3_step(st);
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

static char *col_dup(sqlite3_stmt *st, int col) {
        const unsigned char *t = sqlite3_column_text(st, col);

        return t ? strdup((const char *) t) : NULL;
}

void store_files_list_free(StoreFileInfo *files, size_t n) {
        for (size_t i = 0; files && i < n; i++) {
                free(files[i].path);
                free(files[i].sha256);
                free(files[i].format);
                free(files[i].tz);
                free(files[i].host);
                strv_free(files[i].warnings);
        }
        free(files);
}

/* Appends the stored warnings of file f, formatted as the import printed them. */
static int file_warnings(Store *s, sqlite3_stmt *st, StoreFileInfo *f) {
        size_t n = 0, allocated = 0;
        int r;

        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, f->id);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                const char *msg = (const char *) sqlite3_column_text(st, 2);
                char *line = NULL;
                int k;

                if (sqlite3_column_type(st, 0) != SQLITE_NULL)
                        k = asprintf(&line, "%s:%lld: %s", f->path, (long long) sqlite3_column_int64(st, 0), msg);
                else if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                        k = asprintf(&line, "%s: offset 0x%llx: %s", f->path,
                                     (unsigned long long) sqlite3_column_int64(st, 1), msg);
                else
                        k = asprintf(&line, "%s: %s", f->path, msg);
                if (k < 0 || ARRAY_GROW(f->warnings, allocated, n + 2) < 0) {
                        free(k < 0 ? NULL : line);
                        return -ENOMEM;
                }
                f->warnings[n++] = line;
                f->warnings[n] = NULL;
        }
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int store_files_list(Store *s, StoreFileInfo **ret, size_t *ret_n) {
        sqlite3_stmt *st = NULL, *wst = NULL;
        StoreFileInfo *files = NULL;
        size_t n = 0, allocated = 0;
        int r;

        if (sqlite3_prepare_v2(s->db,
                               "SELECT id, path, sha256, format, tz, host, events, duplicates, rows, warnings "
                               "FROM files ORDER BY id", -1, &st, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(s->db,
                               "SELECT line, offset, message FROM file_warnings WHERE file_id = ?1 ORDER BY seq",
                               -1, &wst, NULL) != SQLITE_OK) {
                r = fail(s, -EIO);
                goto out;
        }
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                StoreFileInfo *f;

                if (ARRAY_GROW(files, allocated, n + 1) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                f = &files[n++];
                *f = (StoreFileInfo) {
                        .id = sqlite3_column_int64(st, 0),
                        .path = col_dup(st, 1),
                        .sha256 = col_dup(st, 2),
                        .format = col_dup(st, 3),
                        .tz = col_dup(st, 4),
                        .host = col_dup(st, 5),
                        .events = (uint64_t) sqlite3_column_int64(st, 6),
                        .duplicates = (uint64_t) sqlite3_column_int64(st, 7),
                        .rows = (uint64_t) sqlite3_column_int64(st, 8),
                        .warnings_total = (uint64_t) sqlite3_column_int64(st, 9),
                };
                if (!f->path || !f->sha256 || !f->format || !f->tz) {
                        r = -ENOMEM;
                        goto out;
                }
                r = file_warnings(s, wst, f);
                if (r < 0)
                        goto out;
        }
        if (r != SQLITE_DONE) {
                r = fail(s, -EIO);
                goto out;
        }
        r = 0;
        *ret = TAKE_PTR(files);
        *ret_n = n;
out:
        sqlite3_finalize(st);
        sqlite3_finalize(wst);
        store_files_list_free(files, n);
        return r;
}

int store_local_time_zones(Store *s, char **ret) {
        sqlite3_stmt *st = NULL;
        StrBuf b = {};
        int r;

        if (sqlite3_prepare_v2(s->db,
                               "SELECT DISTINCT tz FROM files WHERE format IN ('text', 'csv') ORDER BY tz",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
                if (strbuf_printf(&b, "%s%s", b.len ? ", " : "", (const char *) sqlite3_column_text(st, 0)) < 0) {
                        sqlite3_finalize(st);
                        strbuf_done(&b);
                        return -ENOMEM;
                }
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) {
                strbuf_done(&b);
                return fail(s, -EIO);
        }
        *ret = b.data;          /* NULL when no such file */
        return 0;
}

int store_host_add(Store *s, const char *key, const char *name) {
        sqlite3_stmt *st = s->stmt[STMT_HOST_ADD];

        bind_text(st, 1, key);
        bind_text(st, 2, name);
        return run(s, st);
}

int store_host_name(Store *s, const char *key, char **ret_name) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db, "SELECT name FROM hosts WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, key);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
                char *p = strdup((const char *) sqlite3_column_text(st, 0));

                sqlite3_finalize(st);
                if (!p)
                        return -ENOMEM;
                *ret_name = p;
                return 1;
        }
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int store_host_keys(Store *s, char ***ret_keys) {
        sqlite3_stmt *st = NULL;
        char **keys = NULL;
        size_t n = 0, allocated = 0;
        int r;

        if (sqlite3_prepare_v2(s->db, "SELECT key FROM hosts ORDER BY key", -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (ARRAY_GROW(keys, allocated, n + 2) < 0)
                        goto nomem;
                keys[n] = strdup((const char *) sqlite3_column_text(st, 0));
                if (!keys[n])
                        goto nomem;
                keys[++n] = NULL;
        }
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) {
                strv_free(keys);
                return fail(s, -EIO);
        }
        if (!keys) {
                keys = calloc(1, sizeof(char *));
                if (!keys)
                        return -ENOMEM;
        }
        *ret_keys = keys;
        return (int) n;
nomem:
        sqlite3_finalize(st);
        if (keys)
                keys[n] = NULL;
        strv_free(keys);
        return -ENOMEM;
}

static void hash_str(Sha256 *h, const char *s) {
        /* Each piece ends in a NUL so that ("ab", "c") and ("a", "bc") differ; NULL is "\1". */
        if (s)
                sha256_update(h, s, strlen(s) + 1);
        else
                sha256_update(h, "\1", 2);
}

static void hash_int(Sha256 *h, int64_t v) {
        char buf[24];

        snprintf(buf, sizeof(buf), "%lld", (long long) v);
        hash_str(h, buf);
}

/* The identity of an event, 16 bytes: its time first (big-endian, sign bit flipped) so that the
 * unique index grows in time order, then 8 bytes of a SHA-256 of what identifies it. With a
 * record id that is host, channel, provider, id and record id; without one, the content. */
static void event_dedupe_key(const char *host, const Event *ev, uint8_t key[16]) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        uint64_t t = (uint64_t) ev->time ^ UINT64_C(0x8000000000000000);
        Sha256 h;

        sha256_init(&h);
        hash_str(&h, host);
        hash_str(&h, ev->channel);
        hash_str(&h, ev->provider);
        hash_int(&h, ev->event_id);
        if (ev->record_id != EVENT_NO_VALUE) {
                hash_int(&h, ev->record_id);
        } else {
                hash_str(&h, ev->message);
                for (size_t i = 0; i < ev->n_fields; i++) {
                        hash_str(&h, ev->fields[i].name);
                        hash_str(&h, ev->fields[i].value);
                }
                hash_int(&h, (int64_t) ev->binary_size);
                if (ev->binary_size)
                        sha256_update(&h, ev->binary, ev->binary_size);
        }
        sha256_final(&h, digest);
        for (unsigned i = 0; i < 8; i++)
                key[i] = (uint8_t) (t >> (56 - 8 * i));
        memcpy(key + 8, digest, 8);
}

/* The event's values as a JSON array of [name, value] pairs, in s->data; NULL when none. */
static const char *event_data_json(Store *s, const Event *ev) {
        int r = 0;

        if (ev->n_fields == 0)
                return NULL;
        strbuf_reset(&s->data);
        r = strbuf_putc(&s->data, '[');
        for (size_t i = 0; r == 0 && i < ev->n_fields; i++) {
                r = strbuf_puts(&s->data, i ? ",[" : "[");
                if (r == 0)
                        r = json_append_string(&s->data, ev->fields[i].name);
                if (r == 0)
                        r = strbuf_putc(&s->data, ',');
                if (r == 0)
                        r = json_append_string(&s->data, ev->fields[i].value ? ev->fields[i].value : "");
                if (r == 0)
                        r = strbuf_putc(&s->data, ']');
        }
        if (r == 0)
                r = strbuf_putc(&s->data, ']');
        return r == 0 ? strbuf_str(&s->data) : NULL;
}

int store_event_add(Store *s, int64_t file_id, const char *host, const Event *ev) {
        sqlite3_stmt *st = s->stmt[STMT_EVENT_ADD];
        const char *data = event_data_json(s, ev);
        uint8_t key[16];
        int r;

        if (ev->n_fields > 0 && !data)
                return -ENOMEM;
        event_dedupe_key(host, ev, key);
        sqlite3_bind_int64(st, 1, file_id);
        bind_text(st, 2, host);
        bind_text(st, 3, ev->host);
        bind_text(st, 4, ev->channel);
        bind_text(st, 5, ev->provider);
        bind_text(st, 6, ev->provider_guid);
        sqlite3_bind_int64(st, 7, ev->event_id);
        bind_opt_int(st, 8, ev->qualifiers);
        bind_opt_int(st, 9, ev->version);
        bind_opt_int(st, 10, ev->level);
        bind_opt_int(st, 11, ev->task);
        bind_opt_int(st, 12, ev->opcode);
        bind_text(st, 13, ev->keywords);
        bind_opt_int(st, 14, ev->record_id);
        sqlite3_bind_int64(st, 15, ev->time);
        sqlite3_bind_int(st, 16, ev->time_digits);
        bind_text(st, 17, ev->user);
        bind_text(st, 18, ev->message);
        if (ev->binary_size > 0)
                sqlite3_bind_blob64(st, 19, ev->binary, ev->binary_size, SQLITE_STATIC);
        bind_line(st, 20, ev->line);
        if (ev->offset == UINT64_MAX)
                sqlite3_bind_null(st, 21);
        else
                sqlite3_bind_int64(st, 21, (sqlite3_int64) ev->offset);
        sqlite3_bind_int(st, 22, ev->recovered);
        sqlite3_bind_blob(st, 23, key, sizeof(key), SQLITE_STATIC);
        bind_text(st, 24, data);
        r = run(s, st);
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0;
}

int store_config_property_add(Store *s, int64_t file_id, const char *host, const ConfigProperty *p) {
        sqlite3_stmt *st = s->stmt[STMT_CONFIG_ADD];

        sqlite3_bind_int64(st, 1, file_id);
        bind_text(st, 2, host);
        bind_text(st, 3, p->key_path);
        bind_line(st, 4, p->key_line);
        sqlite3_bind_int64(st, 5, p->id);
        bind_text(st, 6, p->data_type);
        bind_text(st, 7, p->user_type);
        bind_text(st, 8, p->attributes);
        bind_text(st, 9, p->value);
        bind_text(st, 10, p->decoded);
        sqlite3_bind_int(st, 11, p->valid);
        bind_line(st, 12, p->line);
        return run(s, st);
}

int store_site_binding_add(Store *s, int64_t file_id, const char *host, const SiteBinding *b) {
        sqlite3_stmt *st = s->stmt[STMT_BINDING_ADD];

        sqlite3_bind_int64(st, 1, file_id);
        bind_text(st, 2, host);
        bind_text(st, 3, b->site_name);
        bind_opt_int(st, 4, b->site_id);
        bind_text(st, 5, b->protocol);
        bind_text(st, 6, b->binding_information);
        bind_text(st, 7, b->ip);
        bind_opt_int(st, 8, b->port);
        bind_text(st, 9, b->hostname);
        sqlite3_bind_int64(st, 10, b->ssl_flags);
        bind_text(st, 11, b->endpoint);
        bind_line(st, 12, b->site_line);
        bind_line(st, 13, b->line);
        return run(s, st);
}

int store_netsh_binding_add(Store *s, int64_t file_id, const char *host, const NetshBinding *b) {
        sqlite3_stmt *st = s->stmt[STMT_NETSH_ADD];

        sqlite3_bind_int64(st, 1, file_id);
        bind_text(st, 2, host);
        bind_text(st, 3, b->kind);
        bind_text(st, 4, b->endpoint);
        bind_text(st, 5, b->cert_hash);
        bind_text(st, 6, b->app_id);
        bind_text(st, 7, b->store_name);
        bind_line(st, 8, b->line);
        return run(s, st);
}

/* The columns of an event as StoreEventRow holds it, for queries over "events e JOIN files f". */
#define EVENT_COLUMNS \
        "e.id, e.time, e.time_digits, e.event_id, e.record_id, e.host, e.computer, e.channel, e.provider, " \
        "e.message, e.data, f.path, e.line, e.offset, e.recovered"

static int64_t opt_int(sqlite3_stmt *st, int col) {
        return sqlite3_column_type(st, col) == SQLITE_NULL ? EVENT_NO_VALUE : sqlite3_column_int64(st, col);
}

/* Steps st, a query whose columns are those of EVENT_COLUMNS (and, when ret_total is not NULL,
 * a count after them), calling fn for each row; finalizes st. Stops at fn's first non-zero
 * return and returns it; else 0, or -EIO. */
static int events_walk(Store *s, sqlite3_stmt *st, uint64_t *ret_total, StoreEventFn fn, void *userdata) {
        int r;

        if (ret_total)
                *ret_total = 0;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                StoreEventRow row = {
                        .id = sqlite3_column_int64(st, 0),
                        .time = sqlite3_column_int64(st, 1),
                        .digits = sqlite3_column_int(st, 2),
                        .event_id = sqlite3_column_int64(st, 3),
                        .record_id = opt_int(st, 4),
                        .host = (const char *) sqlite3_column_text(st, 5),
                        .computer = (const char *) sqlite3_column_text(st, 6),
                        .channel = (const char *) sqlite3_column_text(st, 7),
                        .provider = (const char *) sqlite3_column_text(st, 8),
                        .message = (const char *) sqlite3_column_text(st, 9),
                        .data = (const char *) sqlite3_column_text(st, 10),
                        .path = (const char *) sqlite3_column_text(st, 11),
                        .line = opt_int(st, 12),
                        .offset = opt_int(st, 13),
                        .recovered = sqlite3_column_int(st, 14) != 0,
                };
                int k;

                if (ret_total)
                        *ret_total = (uint64_t) sqlite3_column_int64(st, 15);
                k = fn(userdata, &row);
                if (k != 0) {
                        sqlite3_finalize(st);
                        return k;
                }
        }
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int store_events_between(Store *s, const char *host, int64_t from, int64_t to, size_t limit,
                         StoreEventFn fn, void *userdata) {
        sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(s->db,
                               "SELECT " EVENT_COLUMNS " FROM events e JOIN files f ON f.id = e.file_id "
                               "WHERE e.host = ?1 AND e.time BETWEEN ?2 AND ?3 ORDER BY e.time, e.id LIMIT ?4",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, host);
        sqlite3_bind_int64(st, 2, from);
        sqlite3_bind_int64(st, 3, to);
        sqlite3_bind_int64(st, 4, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64) limit);
        return events_walk(s, st, NULL, fn, userdata);
}

int store_query_new(Store *s, const char *sql, StoreQuery **ret) {
        StoreQuery *q = calloc(1, sizeof(*q));

        if (!q)
                return -ENOMEM;
        q->store = s;
        if (sqlite3_prepare_v2(s->db, sql, -1, &q->stmt, NULL) != SQLITE_OK) {
                free(q);
                return fail(s, -EIO);
        }
        *ret = q;
        return 0;
}

StoreQuery *store_query_free(StoreQuery *q) {
        if (!q)
                return NULL;
        sqlite3_finalize(q->stmt);
        free(q);
        return NULL;
}

int store_query_bind_int(StoreQuery *q, int idx, int64_t v) {
        return sqlite3_bind_int64(q->stmt, idx, v) == SQLITE_OK ? 0 : fail(q->store, -EINVAL);
}

int store_query_bind_text(StoreQuery *q, int idx, const char *v) {
        int r = v ? sqlite3_bind_text(q->stmt, idx, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q->stmt, idx);

        return r == SQLITE_OK ? 0 : fail(q->store, r == SQLITE_NOMEM ? -ENOMEM : -EINVAL);
}

int store_query_reset(StoreQuery *q) {
        sqlite3_reset(q->stmt);
        sqlite3_clear_bindings(q->stmt);
        return 0;
}

int store_query_step(StoreQuery *q) {
        int r = sqlite3_step(q->stmt);

        if (r == SQLITE_ROW)
                return 1;
        if (r == SQLITE_DONE)
                return 0;
        return fail(q->store, r == SQLITE_NOMEM ? -ENOMEM : -EIO);
}

bool store_query_is_null(StoreQuery *q, int col) {
        return sqlite3_column_type(q->stmt, col) == SQLITE_NULL;
}

int64_t store_query_int(StoreQuery *q, int col) {
        return sqlite3_column_int64(q->stmt, col);
}

const char *store_query_text(StoreQuery *q, int col) {
        return (const char *) sqlite3_column_text(q->stmt, col);
}

const void *store_query_blob(StoreQuery *q, int col, size_t *ret_size) {
        const void *p = sqlite3_column_blob(q->stmt, col);

        *ret_size = (size_t) sqlite3_column_bytes(q->stmt, col);
        return p;
}

int store_events_nearest(Store *s, const char *host, int64_t from, int64_t to, int64_t center, size_t limit,
                         uint64_t *ret_total, StoreEventFn fn, void *userdata) {
        sqlite3_stmt *st = NULL;

        /* The inner query keeps the nearest (a bounded sort over the host's span through the
         * index on host and time); the outer one puts them back in time order. */
        if (sqlite3_prepare_v2(s->db,
                               "SELECT * FROM (SELECT " EVENT_COLUMNS ", COUNT(*) OVER () "
                               "FROM events e JOIN files f ON f.id = e.file_id "
                               "WHERE e.host = ?1 AND e.time BETWEEN ?2 AND ?3 "
                               "ORDER BY abs(e.time - ?4), e.id LIMIT ?5) ORDER BY 2, 1",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, host);
        sqlite3_bind_int64(st, 2, from);
        sqlite3_bind_int64(st, 3, to);
        sqlite3_bind_int64(st, 4, center);
        sqlite3_bind_int64(st, 5, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64) limit);
        return events_walk(s, st, ret_total, fn, userdata);
}

int store_event_by_id(Store *s, int64_t id, StoreEventFn fn, void *userdata) {
        sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(s->db,
                               "SELECT " EVENT_COLUMNS " FROM events e JOIN files f ON f.id = e.file_id WHERE e.id = ?1",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        sqlite3_bind_int64(st, 1, id);
        return events_walk(s, st, NULL, fn, userdata);
}

int store_key_properties(Store *s, const char *host, const char *path, const char *key_path,
                         StoreKeyPropertyFn fn, void *userdata) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db,
                               "SELECT a.prop_id, a.key_line, a.line, a.decoded, a.valid "
                               "FROM config_properties a JOIN files f ON f.id = a.file_id "
                               "WHERE a.host IS ?1 AND f.path = ?2 AND a.key_path = ?3 ORDER BY a.line, a.id",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, host);
        bind_text(st, 2, path);
        bind_text(st, 3, key_path);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                int64_t key_line = opt_int(st, 1), line = opt_int(st, 2);
                StoreKeyProperty p = {
                        .prop_id = sqlite3_column_int64(st, 0),
                        .key_line = key_line > 0 ? (uint64_t) key_line : 0,
                        .line = line > 0 ? (uint64_t) line : 0,
                        .decoded = (const char *) sqlite3_column_text(st, 3),
                        .valid = sqlite3_column_int(st, 4) != 0,
                };
                int k = fn(userdata, &p);

                if (k != 0) {
                        sqlite3_finalize(st);
                        return k;
                }
        }
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int store_host_has_format(Store *s, const char *host, const char *format) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM files WHERE host IS ?1 AND format = ?2 LIMIT 1", -1, &st,
                               NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, host);
        bind_text(st, 2, format);
        r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r == SQLITE_ROW)
                return 1;
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

/* Steps the (endpoint, value) rows of sql, whose ?1 is host and ?2, when site_id >= 0, the
 * site id, calling fn for each. */
static int endpoints_walk(Store *s, const char *sql, const char *host, int64_t site_id, StoreEndpointFn fn,
                          void *userdata) {
        sqlite3_stmt *st = NULL;
        int r;

        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, host);
        if (site_id >= 0)
                sqlite3_bind_int64(st, 2, site_id);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                int k = fn(userdata, (const char *) sqlite3_column_text(st, 0), (const char *) sqlite3_column_text(st, 1));

                if (k != 0) {
                        sqlite3_finalize(st);
                        return k;
                }
        }
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int store_netsh_endpoints(Store *s, const char *host, StoreEndpointFn fn, void *userdata) {
        return endpoints_walk(s,
                              "SELECT endpoint, cert_hash FROM netsh_bindings WHERE host IS ?1 AND endpoint IS NOT NULL "
                              "ORDER BY id",
                              host, -1, fn, userdata);
}

int store_site_https_endpoints(Store *s, const char *host, int64_t site_id, StoreEndpointFn fn, void *userdata) {
        return endpoints_walk(s,
                              "SELECT endpoint, NULL FROM site_bindings WHERE host IS ?1 AND site_id = ?2 "
                              "AND protocol = 'https' AND endpoint IS NOT NULL ORDER BY id",
                              host, site_id < 0 ? 0 : site_id, fn, userdata);
}

int store_artifacts_of_host(Store *s, const char *host, StoreArtifactFn fn, void *userdata) {
        sqlite3_stmt *st = NULL;
        int r;

        /* One ordered stream over the three tables; columns a table lacks are NULL. */
        if (sqlite3_prepare_v2(s->db,
                               "SELECT a.t, a.id, a.file_id, f.path, a.line, a.key_path, a.key_line, a.prop_id, "
                               "a.value, a.decoded, a.valid, a.site_name, a.protocol, a.binding_information, "
                               "a.site_id, a.ssl_flags, a.endpoint, a.kind, a.cert_hash, a.app_id, a.store_name "
                               "FROM ("
                               "SELECT 0 AS t, id, file_id, line, key_path, key_line, prop_id, value, decoded, valid, "
                               "NULL AS site_name, NULL AS protocol, NULL AS binding_information, NULL AS site_id, "
                               "NULL AS ssl_flags, NULL AS endpoint, NULL AS kind, NULL AS cert_hash, NULL AS app_id, "
                               "NULL AS store_name FROM config_properties WHERE host = ?1 "
                               "UNION ALL SELECT 1, id, file_id, line, NULL, NULL, NULL, NULL, NULL, NULL, site_name, "
                               "protocol, binding_information, site_id, ssl_flags, endpoint, NULL, NULL, NULL, NULL "
                               "FROM site_bindings WHERE host = ?1 "
                               "UNION ALL SELECT 2, id, file_id, line, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                               "NULL, NULL, NULL, endpoint, kind, cert_hash, app_id, store_name "
                               "FROM netsh_bindings WHERE host = ?1"
                               ") a JOIN files f ON f.id = a.file_id ORDER BY a.file_id, a.line, a.t, a.id",
                               -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        bind_text(st, 1, host);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                static const char *const tables[] = { "config_properties", "site_bindings", "netsh_bindings" };
                int t = sqlite3_column_int(st, 0);
                StoreArtifactRow row = {
                        .table = tables[t >= 0 && t <= 2 ? t : 0],
                        .id = sqlite3_column_int64(st, 1),
                        .file_id = sqlite3_column_int64(st, 2),
                        .path = (const char *) sqlite3_column_text(st, 3),
                        .line = opt_int(st, 4),
                        .key_path = (const char *) sqlite3_column_text(st, 5),
                        .key_line = opt_int(st, 6),
                        .prop_id = opt_int(st, 7),
                        .value = (const char *) sqlite3_column_text(st, 8),
                        .decoded = (const char *) sqlite3_column_text(st, 9),
                        .valid = sqlite3_column_int(st, 10) != 0,
                        .site_name = (const char *) sqlite3_column_text(st, 11),
                        .protocol = (const char *) sqlite3_column_text(st, 12),
                        .binding_information = (const char *) sqlite3_column_text(st, 13),
                        .site_id = opt_int(st, 14),
                        .ssl_flags = opt_int(st, 15),
                        .endpoint = (const char *) sqlite3_column_text(st, 16),
                        .kind = (const char *) sqlite3_column_text(st, 17),
                        .cert_hash = (const char *) sqlite3_column_text(st, 18),
                        .app_id = (const char *) sqlite3_column_text(st, 19),
                        .store_name = (const char *) sqlite3_column_text(st, 20),
                };
                int k = fn(userdata, &row);

                if (k != 0) {
                        sqlite3_finalize(st);
                        return k;
                }
        }
        sqlite3_finalize(st);
        return r == SQLITE_DONE ? 0 : fail(s, -EIO);
}

int64_t store_events_unattributed(Store *s) {
        sqlite3_stmt *st = NULL;
        int64_t n = -EIO;

        /* Through the index on (host, time): NULL hosts sort first. */
        if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM events WHERE host IS NULL", -1, &st, NULL) != SQLITE_OK)
                return fail(s, -EIO);
        if (sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
        else
                (void) fail(s, -EIO);
        sqlite3_finalize(st);
        return n;
}
