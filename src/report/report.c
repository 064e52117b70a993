/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

Report *report_new(const char *version, const char *assumed_tz) {
        Report *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        r->version = strdup(version);
        r->assumed_tz = strdup(assumed_tz ? assumed_tz : "UTC");
        if (!r->version || !r->assumed_tz)
                return report_free(r);
        return r;
}

void report_timeline_event_done(ReportTimelineEvent *ev) {
        free(ev->role);
        free(ev->provider);
        free(ev->summary);
        free(ev->source);
}

static void symptom_done(ReportSymptom *s) {
        free(s->endpoint);
        free(s->source);
        free(s->verdict);
        for (size_t i = 0; i < s->n_timeline; i++)
                report_timeline_event_done(&s->timeline[i]);
        free(s->timeline);
}

void report_config_key_done(ReportConfigKey *k) {
        free(k->key_path);
        for (size_t i = 0; i < k->n_properties; i++)
                free(k->properties[i].decoded);
        free(k->properties);
        free(k->delete_lines);
        free(k->appcmd);
        for (size_t i = 0; i < k->n_excerpt; i++)
                free(k->excerpt[i].text);
        free(k->excerpt);
        *k = (ReportConfigKey) {};
}

bool report_config_key_deletes(const ReportConfigKey *k, uint64_t line) {
        for (size_t i = 0; i < k->n_delete_lines; i++)
                if (k->delete_lines[i] == line)
                        return true;
        return false;
}

char *report_verdict_words(const char *verdict, bool upper) {
        char *w = strdup(verdict ? verdict : "");

        for (char *p = w; p && *p; p++)
                if (*p == '_')
                        *p = ' ';
                else if (upper && *p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        return w;
}

void report_binding_fix_done(ReportBindingFix *b) {
        free(b->endpoint);
        free(b->cert_hash);
        free(b->legacy_hash);
        free(b->delete_command);
        free(b->command);
        free(b->note);
        *b = (ReportBindingFix) {};
}

ReportRemedy *report_remedy_free(ReportRemedy *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_configs; i++) {
                ReportConfigFix *c = &m->configs[i];

                free(c->path);
                free(c->fix_command);
                free(c->note);
                for (size_t j = 0; j < c->n_keys; j++)
                        report_config_key_done(&c->keys[j]);
                free(c->keys);
        }
        free(m->configs);
        for (size_t i = 0; i < m->n_bindings; i++)
                report_binding_fix_done(&m->bindings[i]);
        free(m->bindings);
        free(m);
        return NULL;
}

static void finding_done(ReportFinding *f) {
        free(f->rule);
        free(f->title);
        free(f->host);
        free(f->verdict);
        free(f->reason);
        free(f->remediation);
        for (size_t i = 0; i < f->n_symptoms; i++)
                symptom_done(&f->symptoms[i]);
        free(f->symptoms);
        report_remedy_free(f->remedy);
        for (size_t i = 0; i < f->n_evidence; i++) {
                free(f->evidence[i].kind);
                free(f->evidence[i].summary);
                free(f->evidence[i].source);
        }
        free(f->evidence);
}

Report *report_free(Report *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_inputs; i++) {
                ReportInput *in = &r->inputs[i];

                free(in->path);
                free(in->format);
                free(in->status);
                free(in->host);
                strv_free(in->warnings);
        }
        free(r->inputs);
        for (size_t i = 0; i < r->n_findings; i++)
                finding_done(&r->findings[i]);
        free(r->findings);
        free(r->version);
        free(r->assumed_tz);
        free(r);
        return NULL;
}

ReportInput *report_add_input(Report *r) {
        if (ARRAY_GROW(r->inputs, r->a_inputs, r->n_inputs + 1) < 0)
                return NULL;
        r->inputs[r->n_inputs] = (ReportInput) {};
        return &r->inputs[r->n_inputs++];
}

ReportFinding *report_add_finding(Report *r) {
        if (ARRAY_GROW(r->findings, r->a_findings, r->n_findings + 1) < 0)
                return NULL;
        r->findings[r->n_findings] = (ReportFinding) {};
        return &r->findings[r->n_findings++];
}

int report_finding_add_symptom(ReportFinding *f, const ReportSymptom *s) {
        ReportSymptom *p = realloc(f->symptoms, (f->n_symptoms + 1) * sizeof(*p));

        if (!p)
                return -ENOMEM;
        f->symptoms = p;
        p = &p[f->n_symptoms];
        *p = *s;
        /* The timeline is not copied: it is added to the symptom in the finding. */
        p->timeline = NULL;
        p->n_timeline = 0;
        p->endpoint = dup_or_null(s->endpoint);
        p->source = dup_or_null(s->source);
        p->verdict = dup_or_null(s->verdict);
        if ((s->endpoint && !p->endpoint) || (s->source && !p->source) || (s->verdict && !p->verdict)) {
                free(p->endpoint);
                free(p->source);
                free(p->verdict);
                return -ENOMEM;
        }
        f->n_symptoms++;
        return 0;
}

int report_finding_add_evidence(ReportFinding *f, const ReportEvidence *e) {
        ReportEvidence *p = realloc(f->evidence, (f->n_evidence + 1) * sizeof(*p));

        if (!p)
                return -ENOMEM;
        f->evidence = p;
        p = &p[f->n_evidence];
        *p = *e;
        p->kind = dup_or_null(e->kind);
        p->summary = dup_or_null(e->summary);
        p->source = dup_or_null(e->source);
        if ((e->kind && !p->kind) || (e->summary && !p->summary) || (e->source && !p->source)) {
                free(p->kind);
                free(p->summary);
                free(p->source);
                return -ENOMEM;
        }
        f->n_evidence++;
        return 0;
}

int report_symptom_add_event(ReportSymptom *s, const ReportTimelineEvent *ev) {
        ReportTimelineEvent *p = realloc(s->timeline, (s->n_timeline + 1) * sizeof(*p));

        if (!p)
                return -ENOMEM;
        s->timeline = p;
        p = &p[s->n_timeline];
        *p = *ev;
        p->role = dup_or_null(ev->role);
        p->provider = dup_or_null(ev->provider);
        p->summary = dup_or_null(ev->summary);
        p->source = dup_or_null(ev->source);
        if ((ev->role && !p->role) || (ev->provider && !p->provider) || (ev->summary && !p->summary) ||
            (ev->source && !p->source)) {
                report_timeline_event_done(p);
                return -ENOMEM;
        }
        s->n_timeline++;
        return 0;
}

int report_input_add_warning(ReportInput *in, const char *warning) {
        char **p = realloc(in->warnings, (in->n_warnings + 2) * sizeof(char *));

        if (!p)
                return -ENOMEM;
        in->warnings = p;
        p[in->n_warnings] = strdup(warning);
        if (!p[in->n_warnings]) {
                p[in->n_warnings] = NULL;
                return -ENOMEM;
        }
        p[++in->n_warnings] = NULL;
        return 0;
}

static int finding_compare(const void *a, const void *b) {
        const ReportFinding *x = a, *y = b;
        int c;

        if (x->strength != y->strength)
                return x->strength > y->strength ? -1 : 1;
        c = strcmp(x->host ? x->host : "", y->host ? y->host : "");
        if (c != 0)
                return c;
        return strcmp(x->rule, y->rule);
}

/* Whether evidence a goes after b: events in time order first, then what has no time. */
static bool evidence_after(const ReportEvidence *a, const ReportEvidence *b) {
        if (a->has_time != b->has_time)
                return !a->has_time;
        return a->has_time && a->time > b->time;
}

void report_sort(Report *r) {
        if (r->n_findings > 1)
                qsort(r->findings, r->n_findings, sizeof(ReportFinding), finding_compare);
        /* Insertion sort, which keeps the order found among equals; a finding keeps at most a
         * few dozen lines of evidence. */
        for (size_t i = 0; i < r->n_findings; i++) {
                ReportFinding *f = &r->findings[i];

                for (size_t j = 1; j < f->n_evidence; j++)
                        for (size_t k = j; k > 0 && evidence_after(&f->evidence[k - 1], &f->evidence[k]); k--) {
                                ReportEvidence t = f->evidence[k];

                                f->evidence[k] = f->evidence[k - 1];
                                f->evidence[k - 1] = t;
                        }
        }
}

int report_format_from_string(const char *s, ReportFormat *ret) {
        static const char *const names[_REPORT_FORMAT_MAX] = {
                [REPORT_TEXT] = "text",
                [REPORT_MARKDOWN] = "markdown",
                [REPORT_JSON] = "json",
                [REPORT_HTML] = "html",
        };

        for (ReportFormat f = 0; f < _REPORT_FORMAT_MAX; f++)
                if (strcmp(s, names[f]) == 0) {
                        *ret = f;
                        return 0;
                }
        return -EINVAL;
}

int report_render(const Report *r, ReportFormat format, const ReportStyle *style, StrBuf *out) {
        switch (format) {
        case REPORT_MARKDOWN:
                return report_render_markdown(r, out);
        case REPORT_JSON:
                return report_render_json(r, out);
        case REPORT_HTML:
                return report_render_html(r, out);
        default:
                return report_render_text(r, style, out);
        }
}
