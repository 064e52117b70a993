/* SPDX-License-Identifier: MIT */
#include "sql-functions.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/endpoint.h"
#include "base/json.h"
#include "base/match.h"
#include "base/strbuf.h"
#include "base/utf.h"

/* A compiled pattern kept with the statement, with the operator it was compiled for: SQLite
 * keeps it while the pattern argument stays the same, even when the operator changes from row
 * to row. */
typedef struct CachedMatcher {
        MatchOp op;
        Matcher *m;
} CachedMatcher;

static void cached_matcher_destroy(void *p) {
        CachedMatcher *c = p;

        matcher_free(c->m);
        free(c);
}

/* The matcher for the pattern in argument arg: kept with the statement while the pattern stays
 * the same (rules bind it as a parameter), else compiled now. *ret_fresh tells the caller to
 * hand a new one to keep_matcher() once done with it: SQLite may free it at once. */
static CachedMatcher *get_matcher(sqlite3_context *ctx, MatchOp op, int arg, const char *pattern, bool *ret_fresh) {
        CachedMatcher *c = sqlite3_get_auxdata(ctx, arg);
        char *err = NULL;
        int r;

        *ret_fresh = false;
        if (c && c->op == op)
                return c;
        c = calloc(1, sizeof(*c));
        if (!c) {
                sqlite3_result_error_nomem(ctx);
                return NULL;
        }
        c->op = op;
        r = matcher_new(op, pattern, &c->m, &err);
        if (r < 0) {
                if (r == -ENOMEM)
                        sqlite3_result_error_nomem(ctx);
                else
                        sqlite3_result_error(ctx, err ? err : "cannot compile pattern", -1);
                free(err);
                free(c);
                return NULL;
        }
        *ret_fresh = true;
        return c;
}

static void keep_matcher(sqlite3_context *ctx, int arg, CachedMatcher *c, bool fresh) {
        if (fresh)
                sqlite3_set_auxdata(ctx, arg, c, cached_matcher_destroy);
}

static void fn_match(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
        const char *op_name = (const char *) sqlite3_value_text(argv[0]);
        const char *subject = (const char *) sqlite3_value_text(argv[1]);
        const char *pattern = (const char *) sqlite3_value_text(argv[2]);
        CachedMatcher *c;
        MatchOp op;
        bool fresh;

        if (!op_name || match_op_from_string(op_name, &op) < 0) {
                sqlite3_result_error(ctx, "evd_match: bad operator", -1);
                return;
        }
        /* A missing pattern (a reference to a value the case lacks) matches nothing. */
        if (!subject || !pattern) {
                sqlite3_result_int(ctx, 0);
                return;
        }
        c = get_matcher(ctx, op, 2, pattern, &fresh);
        if (!c)
                return;
        sqlite3_result_int(ctx, matcher_test(c->m, subject));
        keep_matcher(ctx, 2, c, fresh);
}

static void fn_capture(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
        const char *subject = (const char *) sqlite3_value_text(argv[0]);
        const char *pattern = (const char *) sqlite3_value_text(argv[1]);
        int64_t n = sqlite3_value_int64(argv[2]);
        char *out = NULL;
        CachedMatcher *c;
        bool fresh;
        int r;

        if (!subject || !pattern || n < 1 || n > 9) {
                sqlite3_result_null(ctx);
                return;
        }
        c = get_matcher(ctx, MATCH_REGEX, 1, pattern, &fresh);
        if (!c)
                return;
        r = matcher_capture(c->m, subject, (unsigned) n, &out);
        keep_matcher(ctx, 1, c, fresh);
        if (r < 0)
                sqlite3_result_error_nomem(ctx);
        else if (r == 0)
                sqlite3_result_null(ctx);
        else
                sqlite3_result_text(ctx, out, -1, free);
}

static void fn_label(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
        const char *text = (const char *) sqlite3_value_text(argv[0]);
        const char *label = (const char *) sqlite3_value_text(argv[1]);
        char *v;

        if (!text || !label) {
                sqlite3_result_null(ctx);
                return;
        }
        v = text_label_value(text, label);
        if (v && *v)
                sqlite3_result_text(ctx, v, -1, free);
        else {
                free(v);
                sqlite3_result_null(ctx);
        }
}

static void fn_utf16(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
        const uint8_t *p = sqlite3_value_blob(argv[0]);
        size_t n = (size_t) sqlite3_value_bytes(argv[0]);
        StrBuf b = {};

        if (!p || n == 0) {
                sqlite3_result_null(ctx);
                return;
        }
        if (utf16le_append(&b, p, n, true, NULL) < 0) {
                strbuf_done(&b);
                sqlite3_result_error_nomem(ctx);
                return;
        }
        sqlite3_result_text(ctx, strbuf_steal(&b), -1, free);
}

static void fn_field(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
        const char *data = (const char *) sqlite3_value_text(argv[0]);
        const char *name = (const char *) sqlite3_value_text(argv[1]);
        char *v;

        if (!data || !name) {
                sqlite3_result_null(ctx);
                return;
        }
        /* Malformed data (a hand-edited database) reads as no value, like the view does. */
        v = json_pairs_get(data, name);
        if (v)
                sqlite3_result_text(ctx, v, -1, free);
        else
                sqlite3_result_null(ctx);
}

static void fn_endpoint(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
        const char *text = (const char *) sqlite3_value_text(argv[0]);
        char *e = NULL;

        if (!text) {
                sqlite3_result_null(ctx);
                return;
        }
        if (endpoint_normalize(text, strlen(text), &e) == 0 || endpoint_find_in_text(text, strlen(text), &e) == 0)
                sqlite3_result_text(ctx, e, -1, free);
        else
                sqlite3_result_null(ctx);
}

int sql_functions_register(sqlite3 *db) {
        static const struct {
                const char *name;
                int argc;
                void (*fn)(sqlite3_context *, int, sqlite3_value **);
        } fns[] = {
                { "evd_match", 3, fn_match },
                { "evd_capture", 3, fn_capture },
                { "evd_label", 2, fn_label },
                { "evd_utf16", 1, fn_utf16 },
                { "evd_endpoint", 1, fn_endpoint },
                { "evd_field", 2, fn_field },
        };

        for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
                if (sqlite3_create_function_v2(db, fns[i].name, fns[i].argc,
                                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                               NULL, fns[i].fn, NULL, NULL, NULL) != SQLITE_OK)
                        return -EIO;
        return 0;
}
