/* SPDX-License-Identifier: MIT */
#include "template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/limits.h"

/* Calls fn on each literal run and each variable of t; stops at the first negative return. */
typedef int (*PieceFn)(void *userdata, bool variable, const char *s, size_t n, const char *fallback, size_t fn);

/* The "}" that closes the "${" at open, counting nested "${…}" in a fallback; NULL if none. */
static const char *closing_brace(const char *open) {
        unsigned depth = 0;

        for (const char *p = open + 2; *p; p++) {
                if (p[0] == '$' && p[1] == '{') {
                        depth++;
                        p++;
                } else if (*p == '}') {
                        if (depth == 0)
                                return p;
                        depth--;
                }
        }
        return NULL;
}

static int walk(const char *t, PieceFn fn, void *userdata) {
        const char *p = t;
        int r;

        while (*p) {
                const char *d = strchr(p, '$');

                if (!d)
                        return fn(userdata, false, p, strlen(p), NULL, 0);
                if (d > p) {
                        r = fn(userdata, false, p, (size_t) (d - p), NULL, 0);
                        if (r < 0)
                                return r;
                }
                if (d[1] == '$') {
                        r = fn(userdata, false, "$", 1, NULL, 0);
                        if (r < 0)
                                return r;
                        p = d + 2;
                        continue;
                }
                if (d[1] != '{') {
                        r = fn(userdata, false, "$", 1, NULL, 0);
                        if (r < 0)
                                return r;
                        p = d + 1;
                        continue;
                }
                const char *close = closing_brace(d);
                if (!close)
                        return -EBADMSG;
                /* The name ends at the first "|"; the fallback, itself a template, runs to the
                 * matching "}". */
                const char *bar = memchr(d + 2, '|', (size_t) (close - d - 2));
                const char *name_end = bar ? bar : close;
                r = fn(userdata, true, d + 2, (size_t) (name_end - d - 2),
                       bar ? bar + 1 : NULL, bar ? (size_t) (close - bar - 1) : 0);
                if (r < 0)
                        return r;
                p = close + 1;
        }
        return 0;
}

typedef struct CheckState {
        TemplateKnows knows;
        void *userdata;
        char *error;
        unsigned depth;         /* fallbacks within fallbacks */
} CheckState;

static int check_piece(void *userdata, bool variable, const char *s, size_t n, const char *fallback, size_t fn) {
        CheckState *st = userdata;
        _cleanup_free_ char *name = NULL;

        if (!variable)
                return 0;
        name = strndup_view(s, n);
        if (!name)
                return -ENOMEM;
        if (n == 0 || !st->knows(st->userdata, name)) {
                if (asprintf(&st->error, "unknown template variable \"${%s}\"", name) < 0)
                        st->error = NULL;
                return -EBADMSG;
        }
        if (fallback) {
                _cleanup_free_ char *f = strndup_view(fallback, fn);
                int r;

                if (!f)
                        return -ENOMEM;
                if (st->depth >= EVDIAG_MAX_RULE_DEPTH) {
                        if (asprintf(&st->error, "template fallbacks nested deeper than %d", EVDIAG_MAX_RULE_DEPTH) < 0)
                                st->error = NULL;
                        return -EBADMSG;
                }
                st->depth++;
                r = walk(f, check_piece, st);
                st->depth--;
                return r;
        }
        return 0;
}

int template_check(const char *t, TemplateKnows knows, void *userdata, char **ret_error) {
        CheckState st = { .knows = knows, .userdata = userdata };
        int r = walk(t, check_piece, &st);

        if (r == -EBADMSG && !st.error && asprintf(&st.error, "\"${\" without a closing \"}\"") < 0)
                st.error = NULL;
        if (r < 0 && ret_error)
                *ret_error = st.error;
        else
                free(st.error);
        return r;
}

typedef struct ExpandState {
        TemplateLookup lookup;
        void *userdata;
        StrBuf *out;
} ExpandState;

static int expand_piece(void *userdata, bool variable, const char *s, size_t n, const char *fallback, size_t fn) {
        ExpandState *st = userdata;
        _cleanup_free_ char *name = NULL;
        const char *v;

        if (!variable)
                return strbuf_append(st->out, s, n);
        name = strndup_view(s, n);
        if (!name)
                return -ENOMEM;
        v = st->lookup(st->userdata, name);
        if (v && *v)
                return strbuf_puts(st->out, v);
        if (fallback) {
                _cleanup_free_ char *f = strndup_view(fallback, fn);

                if (!f)
                        return -ENOMEM;
                return walk(f, expand_piece, st);
        }
        return 0;
}

int template_expand(const char *t, TemplateLookup lookup, void *userdata, StrBuf *out) {
        ExpandState st = { .lookup = lookup, .userdata = userdata, .out = out };
        int r;

        if (!t)
                return 0;
        r = walk(t, expand_piece, &st);
        /* A malformed template cannot reach here: the loader checked it. */
        return r == -EBADMSG ? 0 : r;
}
