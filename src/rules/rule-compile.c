/* SPDX-License-Identifier: MIT */
#include "rule-compile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/strbuf.h"

typedef struct Builder {
        StrBuf sql;
        Param *params;
        size_t n_params, a_params;
        bool oom;
} Builder;

static void put(Builder *b, const char *s) {
        if (strbuf_puts(&b->sql, s) < 0)
                b->oom = true;
}

/* Appends "?N" for a new parameter. */
static void param(Builder *b, Param p) {
        if (ARRAY_GROW(b->params, b->a_params, b->n_params + 1) < 0) {
                b->oom = true;
                return;
        }
        b->params[b->n_params++] = p;
        if (strbuf_printf(&b->sql, "?%zu", b->n_params) < 0)
                b->oom = true;
}

static void param_text(Builder *b, const char *s) {
        param(b, (Param) { .kind = PARAM_TEXT, .text = s });
}

/* One source as an SQL expression; "" counts as absent, so that COALESCE moves on. */
static void source_sql(Builder *b, const RuleSource *s, FactKind kind) {
        switch (s->kind) {
        case SOURCE_FIELD:
                put(b, "NULLIF(evd_field(e.data, ");
                param_text(b, s->name);
                put(b, "), '')");
                break;
        case SOURCE_MESSAGE:
                put(b, "NULLIF(e.message, '')");
                break;
        case SOURCE_MESSAGE_LABEL:
                put(b, "evd_label(e.message, ");
                param_text(b, s->name);
                put(b, ")");
                break;
        case SOURCE_BINARY_UTF16:
                put(b, "evd_utf16(e.binary)");
                break;
        case SOURCE_COLUMN: {
                size_t n;
                const FactColumn *cols = fact_kind_columns(kind, &n);

                put(b, "NULLIF(CAST(");
                put(b, s->column >= 0 && (size_t) s->column < n ? cols[s->column].sql : "NULL");
                put(b, " AS TEXT), '')");
                break;
        }
        case SOURCE_REF:
                param(b, (Param) { .kind = PARAM_REF, .text = s->name });
                break;
        }
}

/* The first of the sources with a value; SQLite's COALESCE() wants two arguments at least. */
static void sources_sql(Builder *b, const RuleSource *s, size_t n, FactKind kind, bool endpoint) {
        if (n > 1)
                put(b, "COALESCE(");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        put(b, ", ");
                if (endpoint)
                        put(b, "evd_endpoint(");
                source_sql(b, &s[i], kind);
                if (endpoint)
                        put(b, ")");
        }
        if (n > 1)
                put(b, ")");
}

static void where_sql(Builder *b, const RuleWhere *w, FactKind kind) {
        const char *op = match_op_to_string(w->op);
        bool first = true;

        put(b, "(");
        for (size_t i = 0; i < w->n_values + w->n_refs; i++) {
                if (!first)
                        put(b, " OR ");
                first = false;
                put(b, "evd_match(");
                param_text(b, op);
                put(b, ", ");
                sources_sql(b, w->sources, w->n_sources, kind, false);
                put(b, ", ");
                if (i < w->n_values)
                        param_text(b, w->values[i]);
                else
                        param(b, (Param) { .kind = PARAM_REF, .text = w->refs[i - w->n_values].name });
                put(b, ")");
        }
        put(b, ")");
}

static void cond_sql(Builder *b, const RuleCond *c, FactKind kind) {
        switch (c->kind) {
        case COND_WHERE:
                where_sql(b, &c->where, kind);
                return;
        case COND_NOT:
                put(b, "NOT ");
                cond_sql(b, &c->children[0], kind);
                return;
        case COND_ALL:
        case COND_ANY:
                if (c->n_children == 0) {
                        put(b, "1");
                        return;
                }
                put(b, "(");
                for (size_t i = 0; i < c->n_children; i++) {
                        if (i > 0)
                                put(b, c->kind == COND_ALL ? " AND " : " OR ");
                        cond_sql(b, &c->children[i], kind);
                }
                put(b, ")");
                return;
        }
}

/* An event whose provider or channel is unknown (CSV exports) matches any list. */
static void list_sql(Builder *b, const char *column, char *const *items, size_t n) {
        if (n == 0)
                return;
        put(b, " AND (");
        put(b, column);
        put(b, " IS NULL OR ");
        put(b, column);
        put(b, " COLLATE NOCASE IN (");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        put(b, ", ");
                param_text(b, items[i]);
        }
        put(b, "))");
}

static void event_select(Builder *b, const RuleEventSel *sel) {
        put(b, "SELECT e.id, e.host, e.time, e.time_digits, e.event_id, e.record_id, e.provider, e.channel, "
               "e.message, f.path, e.line, e.offset, e.recovered, e.data");
}

static void event_where(Builder *b, const RuleEventSel *sel) {
        put(b, " FROM events e JOIN files f ON f.id = e.file_id WHERE e.event_id IN (");
        for (size_t i = 0; i < sel->n_ids; i++) {
                if (i > 0)
                        put(b, ", ");
                param(b, (Param) { .kind = PARAM_INT, .number = sel->ids[i] });
        }
        put(b, ")");
}

static int finish(Builder *b, size_t n_columns, Query *ret) {
        if (b->oom) {
                strbuf_done(&b->sql);
                free(b->params);
                return -ENOMEM;
        }
        *ret = (Query) {
                .sql = strbuf_steal(&b->sql),
                .params = b->params,
                .n_params = b->n_params,
                .n_columns = n_columns,
        };
        return ret->sql ? 0 : -ENOMEM;
}

int compile_symptom(const Rule *rule, size_t i, Query *ret) {
        const RuleEventSel *sel = &rule->symptoms[i];
        Builder b = {};

        event_select(&b, sel);
        for (size_t c = 0; c < rule->n_captures; c++) {
                put(&b, ", ");
                sources_sql(&b, rule->captures[c].sources, rule->captures[c].n_sources, FACT_EVENT,
                            rule->captures[c].extract_endpoint);
        }
        event_where(&b, sel);
        /* The index on (event_id, host, time) serves this; unattributed events have no host
         * to correlate on. */
        put(&b, " AND e.host IS NOT NULL");
        list_sql(&b, "e.provider", sel->providers, sel->n_providers);
        list_sql(&b, "e.channel", sel->channels, sel->n_channels);
        put(&b, " AND ");
        cond_sql(&b, &sel->cond, FACT_EVENT);
        put(&b, " ORDER BY e.host, e.time, e.id LIMIT ");
        param(&b, (Param) { .kind = PARAM_LIMIT });
        return finish(&b, _EVCOL_MAX + rule->n_captures, ret);
}

int compile_event_fact(const RuleFact *fact, size_t i, Query *ret) {
        const RuleEventSel *sel = &fact->events[i];
        Builder b = {};

        event_select(&b, sel);
        event_where(&b, sel);
        put(&b, " AND e.host = ");
        param(&b, (Param) { .kind = PARAM_HOST });
        put(&b, " AND e.time BETWEEN ");
        param(&b, (Param) { .kind = PARAM_TIME_FROM });
        put(&b, " AND ");
        param(&b, (Param) { .kind = PARAM_TIME_TO });
        put(&b, " AND e.id <> ");
        param(&b, (Param) { .kind = PARAM_SYMPTOM_ROW });
        list_sql(&b, "e.provider", sel->providers, sel->n_providers);
        list_sql(&b, "e.channel", sel->channels, sel->n_channels);
        put(&b, " AND ");
        cond_sql(&b, &sel->cond, FACT_EVENT);
        put(&b, " ORDER BY e.time DESC, e.id DESC LIMIT ");
        param(&b, (Param) { .kind = PARAM_LIMIT });
        return finish(&b, _EVCOL_MAX, ret);
}

int compile_artifact_fact(const RuleFact *fact, Query *ret) {
        const FactColumn *cols;
        size_t n_cols, n_names = 0;
        char **names = NULL;
        Builder b = {};
        int r;

        cols = fact_kind_columns(fact->kind, &n_cols);
        names = calloc(n_cols + fact->cond.n_children + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        put(&b, "SELECT ");
        for (size_t i = 0; i < n_cols; i++) {
                if (i > 0)
                        put(&b, ", ");
                put(&b, "CAST(");
                put(&b, cols[i].sql);
                put(&b, " AS TEXT)");
                names[n_names] = strdup(cols[i].name);
                if (!names[n_names++])
                        b.oom = true;
        }
        /* Captures: group 1 of their regex on their first source with a value. */
        for (size_t i = 0; i < fact->cond.n_children; i++) {
                const RuleWhere *w = &fact->cond.children[i].where;

                if (fact->cond.children[i].kind != COND_WHERE || !w->capture)
                        continue;
                put(&b, ", evd_capture(");
                sources_sql(&b, w->sources, w->n_sources, fact->kind, false);
                put(&b, ", ");
                param_text(&b, w->values[0]);
                put(&b, ", 1)");
                names[n_names] = strdup(w->capture);
                if (!names[n_names++])
                        b.oom = true;
        }
        switch (fact->kind) {
        case FACT_CONFIG_FILE:
                put(&b, " FROM files f WHERE f.format = 'apphost' AND f.host = ");
                break;
        case FACT_CONFIG_PROPERTY:
                put(&b, " FROM config_properties a JOIN files f ON f.id = a.file_id WHERE a.host = ");
                break;
        case FACT_SITE_BINDING:
                put(&b, " FROM site_bindings a JOIN files f ON f.id = a.file_id WHERE a.host = ");
                break;
        case FACT_NETSH_BINDING:
                put(&b, " FROM netsh_bindings a JOIN files f ON f.id = a.file_id WHERE a.host = ");
                break;
        default:
                b.oom = true;   /* not reached: the loader checked the kind */
                break;
        }
        param(&b, (Param) { .kind = PARAM_HOST });
        put(&b, " AND ");
        cond_sql(&b, &fact->cond, fact->kind);
        put(&b, fact->kind == FACT_CONFIG_FILE ? " ORDER BY f.id" : " ORDER BY a.id");
        put(&b, " LIMIT ");
        param(&b, (Param) { .kind = PARAM_LIMIT });
        r = finish(&b, n_names, ret);
        if (r < 0) {
                strv_free(names);
                return r;
        }
        ret->names = names;
        return 0;
}

void query_done(Query *q) {
        free(q->sql);
        free(q->params);
        strv_free(q->names);
        *q = (Query) {};
}
