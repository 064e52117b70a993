/* SPDX-License-Identifier: MIT */
#include "correlate.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/match.h"
#include "base/strbuf.h"
#include "event-summary.h"
#include "importer/sink.h"
#include "remedy.h"
#include "report/report.h"
#include "rule-compile.h"
#include "rule.h"
#include "store/store.h"
#include "symptom-window.h"
#include "template.h"

/* How many symptoms and evidence lines one finding shows; the rest are counted. */
#define FINDING_MAX_SYMPTOMS 50
#define FINDING_MAX_EVIDENCE 50
/* How far a symptom's timeline runs after it: long enough for the binding to be recreated
 * (15301) or for the requests that fail without it (15021). */
#define TIMELINE_AFTER_SECONDS 300

/* A row of a symptom or fact query, copied out of SQLite. */
typedef struct Row {
        bool event;
        size_t alt;             /* which <event> of the fact selected it */
        int64_t rowid, time, event_id, record_id, line, offset;
        int digits;
        bool recovered;
        char *host, *provider, *channel, *message, *path;
        char *data;             /* events: their values, JSON pairs as stored */
        char **values;          /* artifact columns, or symptom captures */
        size_t n_values;
} Row;

typedef struct RowSet {
        Row *rows;
        size_t n, allocated;
} RowSet;

typedef struct CompiledFact {
        Query *event_queries;   /* one per <event> of an event fact */
        StoreQuery **event_stmts;
        Query artifact;         /* other kinds */
        StoreQuery *artifact_stmt;
        char **refs;            /* distinct facts referred to, by name */
        size_t n_refs;
} CompiledFact;

typedef struct Run {
        Store *store;
        const Rule *rule;
        const CorrelateOptions *opts;
        Diag *diag;
        CompiledFact *facts;
        /* Per host and symptom. */
        const char *host, *host_name;
        const Row *symptom;
        RowSet *state;          /* rows of each fact */
        const char *verdict;
        char scratch[64];
        char *lookup_buf;       /* owned value returned by the last lookup */
} Run;

static void row_done(Row *r) {
        free(r->host);
        free(r->provider);
        free(r->channel);
        free(r->message);
        free(r->path);
        free(r->data);
        for (size_t i = 0; i < r->n_values; i++)
                free(r->values[i]);
        free(r->values);
        *r = (Row) {};
}

static void rowset_clear(RowSet *s) {
        for (size_t i = 0; i < s->n; i++)
                row_done(&s->rows[i]);
        s->n = 0;
}

static void rowset_done(RowSet *s) {
        rowset_clear(s);
        free(s->rows);
        *s = (RowSet) {};
}

static char *dup_col(StoreQuery *q, int col) {
        const char *t = store_query_text(q, col);

        return t ? strdup(t) : NULL;
}

static int64_t int_col(StoreQuery *q, int col) {
        return store_query_is_null(q, col) ? EVENT_NO_VALUE : store_query_int(q, col);
}

/* Reads the current result row of an event query, with extra columns (captures) after it. */
static int read_event_row(StoreQuery *q, size_t n_extra, Row *ret) {
        Row r = { .event = true };

        r.rowid = store_query_int(q, EVCOL_ROWID);
        r.time = store_query_int(q, EVCOL_TIME);
        r.digits = (int) store_query_int(q, EVCOL_DIGITS);
        r.event_id = store_query_int(q, EVCOL_EVENT_ID);
        r.record_id = int_col(q, EVCOL_RECORD_ID);
        r.line = int_col(q, EVCOL_LINE);
        r.offset = int_col(q, EVCOL_OFFSET);
        r.recovered = store_query_int(q, EVCOL_RECOVERED) != 0;
        r.host = dup_col(q, EVCOL_HOST);
        r.provider = dup_col(q, EVCOL_PROVIDER);
        r.channel = dup_col(q, EVCOL_CHANNEL);
        r.message = dup_col(q, EVCOL_MESSAGE);
        r.path = dup_col(q, EVCOL_PATH);
        r.data = dup_col(q, EVCOL_DATA);
        if (n_extra > 0) {
                r.values = calloc(n_extra, sizeof(char *));
                if (!r.values) {
                        row_done(&r);
                        return -ENOMEM;
                }
                r.n_values = n_extra;
                for (size_t i = 0; i < n_extra; i++)
                        r.values[i] = dup_col(q, (int) (_EVCOL_MAX + i));
        }
        *ret = r;
        return 0;
}

static int read_artifact_row(StoreQuery *q, size_t n, Row *ret) {
        Row r = {};

        r.values = calloc(n ? n : 1, sizeof(char *));
        if (!r.values)
                return -ENOMEM;
        r.n_values = n;
        for (size_t i = 0; i < n; i++)
                r.values[i] = dup_col(q, (int) i);
        *ret = r;
        return 0;
}

static int rowset_push(RowSet *s, Row *r) {
        if (ARRAY_GROW(s->rows, s->allocated, s->n + 1) < 0) {
                row_done(r);
                return -ENOMEM;
        }
        s->rows[s->n++] = *r;
        *r = (Row) {};
        return 0;
}

static bool rows_equal(const Row *a, const Row *b) {
        if (a->event || b->event)
                return a->event && b->event && a->rowid == b->rowid;
        if (a->n_values != b->n_values)
                return false;
        for (size_t i = 0; i < a->n_values; i++) {
                const char *x = a->values[i], *y = b->values[i];

                if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
                        return false;
        }
        return true;
}

static int fail_store(Run *run) {
        diag_add(run->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "rule %s: %s", run->rule->id,
                 store_error(run->store));
        return -EIO;
}

/* The value of a reference "symptom.X" or "fact.X" in the current context: the symptom's
 * capture, or the given row of the fact referred to. */
static const char *ref_value(Run *run, const char *ref, const Row *const *chosen) {
        const char *dot = strchr(ref, '.');
        const Rule *rule = run->rule;

        if (strncmp(ref, "symptom.", 8) == 0) {
                for (size_t i = 0; i < rule->n_captures; i++)
                        if (strcmp(rule->captures[i].name, dot + 1) == 0)
                                return run->symptom && i < run->symptom->n_values ? run->symptom->values[i] : NULL;
                return NULL;
        }
        for (size_t i = 0; i < rule->n_facts; i++) {
                const RuleFact *f = &rule->facts[i];
                const Query *q = &run->facts[i].artifact;

                if (strlen(f->name) != (size_t) (dot - ref) || strncmp(f->name, ref, (size_t) (dot - ref)) != 0)
                        continue;
                if (!chosen || !chosen[i])
                        return NULL;
                for (size_t c = 0; q->names && q->names[c]; c++)
                        if (strcmp(q->names[c], dot + 1) == 0)
                                return c < chosen[i]->n_values ? chosen[i]->values[c] : NULL;
        }
        return NULL;
}

static int bind_params(Run *run, StoreQuery *st, const Query *q, int64_t from, int64_t to,
                       const Row *const *chosen, int64_t limit, bool *ret_unbound) {
        *ret_unbound = false;
        store_query_reset(st);
        for (size_t i = 0; i < q->n_params; i++) {
                const Param *p = &q->params[i];
                int idx = (int) i + 1, r = 0;

                switch (p->kind) {
                case PARAM_TEXT:
                        r = store_query_bind_text(st, idx, p->text);
                        break;
                case PARAM_INT:
                        r = store_query_bind_int(st, idx, p->number);
                        break;
                case PARAM_HOST:
                        r = store_query_bind_text(st, idx, run->host);
                        break;
                case PARAM_TIME_FROM:
                        r = store_query_bind_int(st, idx, from);
                        break;
                case PARAM_TIME_TO:
                        r = store_query_bind_int(st, idx, to);
                        break;
                case PARAM_SYMPTOM_ROW:
                        r = store_query_bind_int(st, idx, run->symptom ? run->symptom->rowid : -1);
                        break;
                case PARAM_REF: {
                        const char *v = ref_value(run, p->text, chosen);

                        /* A missing value cannot match anything: the condition is false. */
                        if (!v)
                                *ret_unbound = true;
                        r = store_query_bind_text(st, idx, v);
                        break;
                }
                case PARAM_LIMIT:
                        r = store_query_bind_int(st, idx, limit);
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int run_artifact(Run *run, size_t fi, const Row *const *chosen, RowSet *out) {
        CompiledFact *cf = &run->facts[fi];
        bool unbound;
        int r;

        r = bind_params(run, cf->artifact_stmt, &cf->artifact, 0, 0, chosen, EVDIAG_MAX_FACT_ROWS, &unbound);
        if (r < 0)
                return r;
        while ((r = store_query_step(cf->artifact_stmt)) > 0) {
                Row row;
                bool dup = false;

                if (out->n >= EVDIAG_MAX_FACT_ROWS)
                        break;
                r = read_artifact_row(cf->artifact_stmt, cf->artifact.n_columns, &row);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < out->n && !dup; i++)
                        dup = rows_equal(&out->rows[i], &row);
                if (dup) {
                        row_done(&row);
                        continue;
                }
                r = rowset_push(out, &row);
                if (r < 0)
                        return r;
        }
        store_query_reset(cf->artifact_stmt);
        return r < 0 ? fail_store(run) : 0;
}

/* Runs fact fi once for every combination of rows of the facts it refers to (a nested-loop
 * join; artifact facts have few rows). */
static int join_refs(Run *run, size_t fi, size_t k, const Row **chosen, RowSet *out) {
        const CompiledFact *cf = &run->facts[fi];
        int ri, r;

        if (k == cf->n_refs)
                return run_artifact(run, fi, chosen, out);
        ri = rule_fact_index(run->rule, cf->refs[k]);
        if (ri < 0)
                return -EINVAL;
        for (size_t i = 0; i < run->state[ri].n; i++) {
                chosen[ri] = &run->state[ri].rows[i];
                r = join_refs(run, fi, k + 1, chosen, out);
                if (r < 0)
                        return r;
        }
        chosen[ri] = NULL;
        return 0;
}

static int eval_event_fact(Run *run, size_t fi, RowSet *out) {
        const RuleFact *f = &run->rule->facts[fi];
        CompiledFact *cf = &run->facts[fi];
        int64_t w = (f->window >= 0 ? f->window : run->opts->window) * TICKS_PER_SECOND;
        int64_t t = run->symptom->time, grain = TICKS_PER_SECOND, from, to;
        int r;

        /* An export that writes whole seconds cuts the symptom's time down: it happened
         * somewhere in [t, t + grain), and a launch in that same second may come after t. */
        for (int d = 0; d < run->symptom->digits && d < 7; d++)
                grain /= 10;
        from = t - w;
        to = t + grain - 1;
        if (f->side == WINDOW_AFTER)
                from = t, to = t + grain - 1 + w;
        else if (f->side == WINDOW_AROUND)
                to = t + grain - 1 + w;
        for (size_t i = 0; i < f->n_events; i++) {
                StoreQuery *st = cf->event_stmts[i];
                bool unbound;

                r = bind_params(run, st, &cf->event_queries[i], from, to, NULL, EVDIAG_MAX_FACT_ROWS, &unbound);
                if (r < 0)
                        return r;
                while ((r = store_query_step(st)) > 0) {
                        Row row;
                        bool dup = false;

                        r = read_event_row(st, 0, &row);
                        if (r < 0)
                                return r;
                        row.alt = i;
                        for (size_t j = 0; j < out->n && !dup; j++)
                                dup = rows_equal(&out->rows[j], &row);
                        if (dup || out->n >= EVDIAG_MAX_FACT_ROWS) {
                                row_done(&row);
                                continue;
                        }
                        r = rowset_push(out, &row);
                        if (r < 0)
                                return r;
                }
                store_query_reset(st);
                if (r < 0)
                        return fail_store(run);
        }
        /* Newest first across the alternatives too: the launch nearest the symptom leads. */
        for (size_t i = 1; i < out->n; i++)
                for (size_t j = i; j > 0 && out->rows[j].time > out->rows[j - 1].time; j--) {
                        Row tmp = out->rows[j];
                        out->rows[j] = out->rows[j - 1];
                        out->rows[j - 1] = tmp;
                }
        return 0;
}

static int eval_fact(Run *run, size_t fi) {
        const Row **chosen;
        int r;

        rowset_clear(&run->state[fi]);
        if (run->rule->facts[fi].kind == FACT_EVENT)
                return eval_event_fact(run, fi, &run->state[fi]);
        chosen = calloc(run->rule->n_facts, sizeof(Row *));
        if (!chosen)
                return -ENOMEM;
        r = join_refs(run, fi, 0, chosen, &run->state[fi]);
        free(chosen);
        return r;
}

/* The first row of the table whose facts hold as it wants them; NULL when none does. */
static const RuleDecision *decide(Run *run, const RuleDecision *rows, size_t n) {
        for (size_t i = 0; i < n; i++) {
                bool ok = true;

                for (size_t j = 0; j < rows[i].n && ok; j++)
                        ok = (run->state[rows[i].facts[j]].n > 0) == rows[i].want[j];
                if (ok)
                        return &rows[i];
        }
        return NULL;
}

/* The verdict a decision gives, NULL for none ("none", or no row). */
static const RuleVerdict *decision_verdict(const Run *run, const RuleDecision *d) {
        return d ? rule_verdict(run->rule, d->verdict) : NULL;
}

/* Template lookups. */
static const char *keep(Run *run, char *s) {
        free(run->lookup_buf);
        run->lookup_buf = s;
        return s;
}

static const char *int_text(Run *run, int64_t v) {
        if (v == EVENT_NO_VALUE)
                return NULL;
        snprintf(run->scratch, sizeof(run->scratch), "%lld", (long long) v);
        return run->scratch;
}

static const char *event_field(Run *run, const Row *row, const char *name) {
        return keep(run, json_pairs_get(row->data, name));
}

static char *row_summary(Run *run, size_t fi, const Row *row);

/* A value of an event row; fi is the fact that selected it (SIZE_MAX for a symptom). */
static const char *event_value(Run *run, size_t fi, const Row *row, const char *name) {
        if (strcmp(name, "time") == 0)
                return ticks_format_iso(row->time, row->digits, run->scratch);
        if (strcmp(name, "event_id") == 0)
                return int_text(run, row->event_id);
        if (strcmp(name, "record_id") == 0)
                return int_text(run, row->record_id);
        if (strcmp(name, "line") == 0)
                return int_text(run, row->line);
        if (strcmp(name, "provider") == 0)
                return row->provider;
        if (strcmp(name, "channel") == 0)
                return row->channel;
        if (strcmp(name, "message") == 0)
                return row->message;
        if (strcmp(name, "path") == 0)
                return row->path;
        if (strcmp(name, "summary") == 0)
                return keep(run, row_summary(run, fi, row));
        if (strncmp(name, "field:", 6) == 0)
                return event_field(run, row, name + 6);
        if (strncmp(name, "label:", 6) == 0)
                return keep(run, text_label_value(row->message, name + 6));
        return NULL;
}

static const char *artifact_value(Run *run, size_t fi, const Row *row, const char *name) {
        const Query *q = &run->facts[fi].artifact;

        for (size_t c = 0; q->names && q->names[c]; c++)
                if (strcmp(q->names[c], name) == 0)
                        return c < row->n_values ? row->values[c] : NULL;
        return NULL;
}

typedef struct RowScope {
        Run *run;
        size_t fact;
        const Row *row;
} RowScope;

static const char *row_lookup(void *userdata, const char *name) {
        RowScope *sc = userdata;

        if (sc->row->event)
                return event_value(sc->run, sc->fact, sc->row, name);
        return artifact_value(sc->run, sc->fact, sc->row, name);
}

static const char *rule_lookup(void *userdata, const char *name) {
        Run *run = userdata;
        const char *dot = strchr(name, '.');

        if (strcmp(name, "host") == 0)
                return run->host_name;
        if (strcmp(name, "verdict") == 0)
                return run->verdict;
        if (strcmp(name, "window") == 0)
                return int_text(run, run->opts->window);
        if (!dot)
                return NULL;
        if (strncmp(name, "symptom.", 8) == 0) {
                if (!run->symptom)
                        return NULL;
                for (size_t i = 0; i < run->rule->n_captures; i++)
                        if (strcmp(run->rule->captures[i].name, dot + 1) == 0)
                                return i < run->symptom->n_values ? run->symptom->values[i] : NULL;
                return event_value(run, SIZE_MAX, run->symptom, dot + 1);
        }
        for (size_t i = 0; i < run->rule->n_facts; i++) {
                const RuleFact *f = &run->rule->facts[i];

                if (strlen(f->name) != (size_t) (dot - name) || strncmp(f->name, name, (size_t) (dot - name)) != 0)
                        continue;
                if (strcmp(dot + 1, "count") == 0)
                        return int_text(run, (int64_t) run->state[i].n);
                if (run->state[i].n == 0)
                        return NULL;
                RowScope sc = { run, i, &run->state[i].rows[0] };
                return row_lookup(&sc, dot + 1);
        }
        return NULL;
}

/* The evidence line of a row: its <event>'s summary template, else its fact's, else a default;
 * without a trailing full stop, which would clash with the punctuation around it. */
static char *row_summary(Run *run, size_t fi, const Row *row) {
        const RuleFact *f = fi < run->rule->n_facts ? &run->rule->facts[fi] : NULL;
        const char *t = NULL;
        _cleanup_strbuf_ StrBuf b = {};
        int r = 0;

        if (f && row->event && row->alt < f->n_events && f->events[row->alt].summary)
                t = f->events[row->alt].summary;
        else if (f)
                t = f->summary;
        if (t) {
                /* The lookup below may replace run->lookup_buf: expand into our own buffer. */
                RowScope sc = { run, fi, row };

                r = template_expand(t, row_lookup, &sc, &b);
        } else if (row->event) {
                char *d = event_summary(row->provider, row->event_id, row->message, row->data);

                r = d ? strbuf_puts(&b, d) : -ENOMEM;
                free(d);
        } else {
                const Query *q = &run->facts[fi].artifact;

                for (size_t c = 0; r == 0 && q->names && q->names[c]; c++)
                        if (row->values[c] && *row->values[c] && strcmp(q->names[c], "path") != 0)
                                r = strbuf_printf(&b, "%s%s=%s", b.len ? ", " : "", q->names[c], row->values[c]);
        }
        if (r < 0)
                return NULL;
        while (b.len > 0 && (b.data[b.len - 1] == '.' || b.data[b.len - 1] == ' '))
                b.data[--b.len] = 0;
        return strbuf_steal(&b);
}

static char *row_source(const Row *row) {
        return event_source(row->path, row->line, row->offset);
}

static int add_evidence(Run *run, ReportFinding *finding, size_t fi, const Row *row) {
        const RuleFact *f = &run->rule->facts[fi];
        _cleanup_free_ char *source = NULL, *summary = NULL;
        ReportEvidence e = { .kind = f->evidence, .event_id = -1, .record_id = -1, .row = -1 };

        if (strcmp(f->evidence, "none") == 0)
                return 0;
        summary = row_summary(run, fi, row);
        if (!summary)
                return -ENOMEM;
        if (row->event) {
                e.has_time = true;
                e.time = row->time;
                e.digits = row->digits;
                e.event_id = row->event_id;
                e.record_id = row->record_id;
                e.row = row->rowid;
                source = row_source(row);
        } else {
                const char *path = artifact_value(run, fi, row, "path");
                const char *line = artifact_value(run, fi, row, "line");

                if (line && asprintf(&source, "%s:%s", path ? path : "?", line) < 0)
                        return -ENOMEM;
                if (!line)
                        source = strdup(path ? path : "?");
        }
        if (!source)
                return -ENOMEM;
        e.summary = summary;
        e.source = source;
        /* The same line of evidence may serve several symptoms: show it once. */
        for (size_t i = 0; i < finding->n_evidence; i++) {
                const ReportEvidence *o = &finding->evidence[i];

                if (strcmp(o->kind, e.kind) != 0)
                        continue;
                /* Events are the same when their rows are (a one-line XML export puts every
                 * event on line 1); artifacts when what they say is. */
                if (e.row >= 0 ? o->row == e.row
                               : o->row < 0 && strcmp(o->source, e.source) == 0 && strcmp(o->summary, e.summary) == 0)
                        return 0;
        }
        if (finding->n_evidence >= FINDING_MAX_EVIDENCE)
                return 0;
        return report_finding_add_evidence(finding, &e);
}

static int add_fact_evidence(Run *run, ReportFinding *finding) {
        for (size_t i = 0; i < run->rule->n_facts; i++)
                for (size_t j = 0; j < run->state[i].n; j++) {
                        int r = add_evidence(run, finding, i, &run->state[i].rows[j]);

                        if (r < 0)
                                return r;
                }
        return 0;
}

static int expand(Run *run, const char *t, char **ret) {
        _cleanup_strbuf_ StrBuf b = {};
        int r;

        if (!t) {
                *ret = NULL;
                return 0;
        }
        r = template_expand(t, rule_lookup, run, &b);
        if (r < 0)
                return r;
        *ret = strbuf_steal(&b);
        return *ret ? 0 : -ENOMEM;
}

/* Fills the finding's title, reason and remedy for the decision, in the current context. */
static int finish_finding(Run *run, ReportFinding *finding, const RuleDecision *d) {
        const RuleVerdict *v = decision_verdict(run, d);
        int r;

        run->verdict = v->name;
        finding->rule = strdup(run->rule->id);
        finding->title = strdup(run->rule->title);
        finding->host = strdup(run->host_name);
        finding->verdict = strdup(v->name);
        finding->strength = v->strength;
        if (!finding->rule || !finding->title || !finding->host || !finding->verdict)
                return -ENOMEM;
        r = expand(run, d->reason ? d->reason : v->reason, &finding->reason);
        if (r < 0)
                return r;
        if (v->remedy)
                r = expand(run, run->rule->remediation, &finding->remediation);
        return r;
}

/* Frees the summaries of n marks; summaries[0], the symptom's own, is NULL: not a strv. */
static void summaries_free(char **summaries, size_t n) {
        for (size_t i = 0; summaries && i < n; i++)
                free(summaries[i]);
        free(summaries);
}

/* The marks of a symptom's timeline: the symptom, and the events its facts selected (in the
 * current state), with their evidence kinds and summaries. */
static int symptom_marks(Run *run, const Row *s, WindowMark **ret, char ***ret_summaries, size_t *ret_n) {
        _cleanup_free_ WindowMark *marks = NULL;
        char **summaries = NULL;
        size_t n = 0, cap = 1;

        for (size_t i = 0; i < run->rule->n_facts; i++)
                if (run->rule->facts[i].kind == FACT_EVENT && strcmp(run->rule->facts[i].evidence, "none") != 0)
                        cap += run->state[i].n;
        marks = calloc(cap, sizeof(*marks));
        summaries = calloc(cap + 1, sizeof(char *));
        if (!marks || !summaries) {
                free(summaries);
                return -ENOMEM;
        }
        marks[n++] = (WindowMark) { .row = s->rowid, .time = s->time, .role = "symptom" };
        for (size_t i = 0; i < run->rule->n_facts; i++) {
                const RuleFact *f = &run->rule->facts[i];

                if (f->kind != FACT_EVENT || strcmp(f->evidence, "none") == 0)
                        continue;
                for (size_t j = 0; j < run->state[i].n; j++) {
                        const Row *row = &run->state[i].rows[j];

                        summaries[n] = row_summary(run, i, row);
                        if (!summaries[n]) {
                                summaries_free(summaries, n);
                                return -ENOMEM;
                        }
                        marks[n] = (WindowMark) { .row = row->rowid, .time = row->time, .role = f->evidence,
                                                  .summary = summaries[n] };
                        n++;
                }
        }
        *ret = TAKE_PTR(marks);
        *ret_summaries = TAKE_PTR(summaries);
        *ret_n = n;
        return 0;
}

/* Adds symptom s with the timeline of the events around it, marked from the current state. */
static int add_symptom(Run *run, ReportFinding *finding, const Row *s, const char *endpoint, const char *verdict,
                       bool decisive) {
        _cleanup_free_ char *source = row_source(s);
        _cleanup_free_ WindowMark *marks = NULL;
        char **summaries = NULL;
        size_t n_marks = 0;
        ReportSymptom rs = {
                .time = s->time,
                .digits = s->digits,
                .event_id = s->event_id,
                .record_id = s->record_id,
                .endpoint = (char *) endpoint,
                .source = source,
                .verdict = (char *) verdict,
                .row = s->rowid,
                .decisive = decisive,
        };
        int r;

        if (!source)
                return -ENOMEM;
        finding->symptoms_total++;
        /* The decisive symptom is kept past the cap: the verdict, reason and remedy are its. */
        if (finding->n_symptoms >= FINDING_MAX_SYMPTOMS && !decisive)
                return 0;
        r = report_finding_add_symptom(finding, &rs);
        if (r < 0)
                return r;
        r = symptom_marks(run, s, &marks, &summaries, &n_marks);
        if (r == 0) {
                r = symptom_window_build(run->store, run->host, &finding->symptoms[finding->n_symptoms - 1],
                                         run->opts->window * TICKS_PER_SECOND,
                                         (int64_t) TIMELINE_AFTER_SECONDS * TICKS_PER_SECOND, marks, n_marks);
                if (r == -EIO)
                        r = fail_store(run);
        }
        summaries_free(summaries, n_marks);
        return r;
}

/* The remedy facts of a finding whose verdict calls for the remedy: the keys the rule's
 * config-property facts found, and the endpoints of its symptoms. */
static int add_remedy(Run *run, ReportFinding *finding) {
        _cleanup_free_ RemedyKeyRef *keys = NULL;
        _cleanup_free_ const char **endpoints = NULL;
        size_t n_keys = 0, cap = 0;
        int r;

        for (size_t i = 0; i < run->rule->n_facts; i++)
                if (run->rule->facts[i].kind == FACT_CONFIG_PROPERTY)
                        cap += run->state[i].n;
        keys = calloc(cap ? cap : 1, sizeof(*keys));
        endpoints = calloc(finding->n_symptoms ? finding->n_symptoms : 1, sizeof(char *));
        if (!keys || !endpoints)
                return -ENOMEM;
        for (size_t i = 0; i < run->rule->n_facts; i++) {
                if (run->rule->facts[i].kind != FACT_CONFIG_PROPERTY)
                        continue;
                for (size_t j = 0; j < run->state[i].n; j++)
                        keys[n_keys++] = (RemedyKeyRef) {
                                .path = artifact_value(run, i, &run->state[i].rows[j], "path"),
                                .key_path = artifact_value(run, i, &run->state[i].rows[j], "key_path"),
                        };
        }
        for (size_t i = 0; i < finding->n_symptoms; i++)
                endpoints[i] = finding->symptoms[i].endpoint;
        r = remedy_build(run->store, run->host, keys, n_keys, endpoints, finding->n_symptoms, &finding->remedy);
        return r == -EIO ? fail_store(run) : r;
}

/* The endpoint of a symptom: its capture named "endpoint", if the rule has one. */
static const char *symptom_endpoint(const Run *run, const Row *s) {
        for (size_t i = 0; i < run->rule->n_captures; i++)
                if (strcmp(run->rule->captures[i].name, "endpoint") == 0)
                        return i < s->n_values ? s->values[i] : NULL;
        return NULL;
}

static int eval_host_level(Run *run) {
        for (size_t i = 0; i < run->rule->n_facts; i++)
                if (!run->rule->facts[i].per_symptom) {
                        int r = eval_fact(run, i);

                        if (r < 0)
                                return r;
                }
        return 0;
}

static int eval_symptom(Run *run) {
        for (size_t i = 0; i < run->rule->n_facts; i++)
                if (run->rule->facts[i].per_symptom) {
                        int r = eval_fact(run, i);

                        if (r < 0)
                                return r;
                }
        return 0;
}

/* One host of one rule: its symptoms (a slice of the rule's, all on this host), or none. */
static int run_host(Run *run, const Row *symptoms, size_t n, Report *report, int *added) {
        const RuleDecision *best = NULL, **decisions = NULL;
        size_t best_i = 0;
        ReportFinding *finding;
        int r;

        r = eval_host_level(run);
        if (r < 0)
                return r;

        if (n == 0) {
                const RuleDecision *d;

                run->symptom = NULL;
                d = decide(run, run->rule->host_decisions, run->rule->n_host_decisions);
                if (!decision_verdict(run, d))
                        return 0;
                finding = report_add_finding(report);
                if (!finding)
                        return -ENOMEM;
                (*added)++;
                r = finish_finding(run, finding, d);
                if (r < 0)
                        return r;
                r = add_fact_evidence(run, finding);
                if (r == 0 && finding->remediation)
                        r = add_remedy(run, finding);
                return r;
        }

        /* First pass: each symptom's verdict; the strongest (earliest on ties) decides. */
        decisions = calloc(n, sizeof(*decisions));
        if (!decisions)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const RuleVerdict *v;

                run->symptom = &symptoms[i];
                r = eval_symptom(run);
                if (r < 0)
                        goto out;
                decisions[i] = decide(run, run->rule->decisions, run->rule->n_decisions);
                v = decision_verdict(run, decisions[i]);
                if (v && (!best || v->strength > decision_verdict(run, best)->strength)) {
                        best = decisions[i];
                        best_i = i;
                }
        }
        r = 0;
        if (!best)
                goto out;
        finding = report_add_finding(report);
        if (!finding) {
                r = -ENOMEM;
                goto out;
        }
        (*added)++;
        /* The decisive symptom's evidence first, its reason and remedy; then the other
         * symptoms that reached the same verdict add theirs. */
        run->symptom = &symptoms[best_i];
        r = eval_symptom(run);
        if (r == 0)
                r = finish_finding(run, finding, best);
        if (r == 0)
                r = add_fact_evidence(run, finding);
        /* Each symptom with a verdict: its timeline; those that reached the same verdict add
         * their evidence too. */
        for (size_t i = 0; r == 0 && i < n; i++) {
                const RuleVerdict *v = decision_verdict(run, decisions[i]);

                if (!v)
                        continue;
                run->symptom = &symptoms[i];
                r = eval_symptom(run);
                if (r == 0)
                        r = add_symptom(run, finding, &symptoms[i], symptom_endpoint(run, &symptoms[i]), v->name,
                                        i == best_i);
                if (r < 0 || i == best_i || strcmp(v->name, decision_verdict(run, best)->name) != 0)
                        continue;
                r = add_fact_evidence(run, finding);
        }
        if (r == 0 && finding->remediation)
                r = add_remedy(run, finding);
out:
        free(decisions);
        return r;
}

static void compiled_facts_free(Run *run) {
        if (!run->facts)
                return;
        for (size_t i = 0; i < run->rule->n_facts; i++) {
                CompiledFact *cf = &run->facts[i];

                for (size_t j = 0; j < run->rule->facts[i].n_events; j++) {
                        if (cf->event_queries)
                                query_done(&cf->event_queries[j]);
                        if (cf->event_stmts)
                                store_query_free(cf->event_stmts[j]);
                }
                free(cf->event_queries);
                free(cf->event_stmts);
                query_done(&cf->artifact);
                store_query_free(cf->artifact_stmt);
                strv_free(cf->refs);
        }
        free(run->facts);
        run->facts = NULL;
}

static int add_ref_name(CompiledFact *cf, const char *ref) {
        const char *dot = strchr(ref, '.');
        char *name;

        if (!dot || strncmp(ref, "symptom.", 8) == 0)
                return 0;
        for (size_t i = 0; i < cf->n_refs; i++)
                if (strlen(cf->refs[i]) == (size_t) (dot - ref) && strncmp(cf->refs[i], ref, (size_t) (dot - ref)) == 0)
                        return 0;
        name = strndup_view(ref, (size_t) (dot - ref));
        if (!name)
                return -ENOMEM;
        char **p = realloc(cf->refs, (cf->n_refs + 2) * sizeof(char *));
        if (!p) {
                free(name);
                return -ENOMEM;
        }
        cf->refs = p;
        p[cf->n_refs++] = name;
        p[cf->n_refs] = NULL;
        return 0;
}

static int compile_facts(Run *run) {
        const Rule *rule = run->rule;
        int r;

        run->facts = calloc(rule->n_facts ? rule->n_facts : 1, sizeof(CompiledFact));
        if (!run->facts)
                return -ENOMEM;
        for (size_t i = 0; i < rule->n_facts; i++) {
                const RuleFact *f = &rule->facts[i];
                CompiledFact *cf = &run->facts[i];

                if (f->kind == FACT_EVENT) {
                        cf->event_queries = calloc(f->n_events, sizeof(Query));
                        cf->event_stmts = calloc(f->n_events, sizeof(StoreQuery *));
                        if (!cf->event_queries || !cf->event_stmts)
                                return -ENOMEM;
                        for (size_t j = 0; j < f->n_events; j++) {
                                r = compile_event_fact(f, j, &cf->event_queries[j]);
                                if (r < 0)
                                        return r;
                                r = store_query_new(run->store, cf->event_queries[j].sql, &cf->event_stmts[j]);
                                if (r < 0)
                                        return fail_store(run);
                        }
                        continue;
                }
                r = compile_artifact_fact(f, &cf->artifact);
                if (r < 0)
                        return r;
                r = store_query_new(run->store, cf->artifact.sql, &cf->artifact_stmt);
                if (r < 0)
                        return fail_store(run);
                for (size_t p = 0; p < cf->artifact.n_params; p++)
                        if (cf->artifact.params[p].kind == PARAM_REF) {
                                r = add_ref_name(cf, cf->artifact.params[p].text);
                                if (r < 0)
                                        return r;
                        }
        }
        return 0;
}

static int symptom_compare(const void *a, const void *b) {
        const Row *x = a, *y = b;
        int c = strcmp(x->host, y->host);

        if (c != 0)
                return c;
        if (x->time != y->time)
                return x->time < y->time ? -1 : 1;
        return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

static int find_symptoms(Run *run, RowSet *out) {
        const Rule *rule = run->rule;
        int r = 0;

        for (size_t i = 0; i < rule->n_symptoms && r >= 0; i++) {
                _cleanup_(store_query_freep) StoreQuery *st = NULL;
                Query q = {};
                bool unbound;

                r = compile_symptom(rule, i, &q);
                if (r < 0)
                        return r;
                r = store_query_new(run->store, q.sql, &st);
                if (r < 0) {
                        query_done(&q);
                        return fail_store(run);
                }
                r = bind_params(run, st, &q, 0, 0, NULL, EVDIAG_MAX_SYMPTOMS, &unbound);
                while (r == 0 && (r = store_query_step(st)) > 0) {
                        Row row;

                        r = read_event_row(st, rule->n_captures, &row);
                        if (r == 0)
                                r = rowset_push(out, &row);
                }
                if (r < 0 && r != -ENOMEM)
                        r = fail_store(run);
                query_done(&q);
        }
        if (r < 0)
                return r;
        /* Alternatives were fetched one after the other: order all by host, then time. */
        if (out->n > 1)
                qsort(out->rows, out->n, sizeof(Row), symptom_compare);
        return 0;
}

static int run_rule(Store *store, const Rule *rule, const CorrelateOptions *opts, Report *report, Diag *diag,
                    char **hosts, char **names) {
        Run run = { .store = store, .rule = rule, .opts = opts, .diag = diag };
        RowSet symptoms = {};
        int r, added = 0;

        run.state = calloc(rule->n_facts ? rule->n_facts : 1, sizeof(RowSet));
        if (!run.state)
                return -ENOMEM;
        r = compile_facts(&run);
        if (r == 0)
                r = find_symptoms(&run, &symptoms);

        for (size_t h = 0; r == 0 && hosts[h]; h++) {
                size_t first = 0, n = 0;

                for (size_t i = 0; i < symptoms.n; i++)
                        if (strcmp(symptoms.rows[i].host, hosts[h]) == 0) {
                                if (n == 0)
                                        first = i;
                                n++;
                        }
                run.host = hosts[h];
                run.host_name = names[h];
                /* No symptom on the host: no slice (nor NULL + 0 when there are none at all). */
                r = run_host(&run, n > 0 ? symptoms.rows + first : NULL, n, report, &added);
                for (size_t i = 0; i < rule->n_facts; i++)
                        rowset_clear(&run.state[i]);
        }

        rowset_done(&symptoms);
        for (size_t i = 0; i < rule->n_facts; i++)
                rowset_done(&run.state[i]);
        free(run.state);
        compiled_facts_free(&run);
        free(run.lookup_buf);
        return r < 0 ? r : added;
}

int correlate(Store *store, const RuleSet *set, const CorrelateOptions *opts, Report *report, Diag *diag) {
        _cleanup_strv_free_ char **hosts = NULL, **names = NULL;
        int n, total = 0;

        n = store_host_keys(store, &hosts);
        if (n < 0)
                return n;
        names = calloc((size_t) n + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                int r = store_host_name(store, hosts[i], &names[i]);

                if (r < 0)
                        return r;
                if (r == 0 && !(names[i] = strdup(hosts[i])))
                        return -ENOMEM;
        }
        for (size_t i = 0; i < set->n_rules; i++) {
                int r = run_rule(store, set->rules[i], opts, report, diag, hosts, names);

                if (r < 0)
                        return r;
                total += r;
        }
        report_sort(report);
        return total;
}
