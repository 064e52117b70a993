/* SPDX-License-Identifier: MIT */
/* The JSON report: a stable contract (README, "JSON report"). Keys are only ever added. */
#include "base/datetime.h"
#include "report-internal.h"
#include "report.h"

/* A key on a line of its own, indented; with indent "" the key follows the previous value on
 * the same line (symptoms and evidence are one line each). */
static void key(Emit *e, const char *indent, const char *k, bool first) {
        emitf(e, "%s%s\"%s\": ", first ? "" : *indent ? ",\n" : ", ", indent, k);
}

static void str(Emit *e, const char *indent, const char *k, const char *v, bool first) {
        key(e, indent, k, first);
        emit_json(e, v);
}

static void num(Emit *e, const char *indent, const char *k, long long v, bool first) {
        key(e, indent, k, first);
        emitf(e, "%lld", v);
}

/* A number that may be missing (negative): null then. */
static void opt_num(Emit *e, const char *indent, const char *k, long long v) {
        key(e, indent, k, false);
        if (v < 0)
                emit(e, "null");
        else
                emitf(e, "%lld", v);
}

static void time_value(Emit *e, const char *indent, const char *k, bool has, int64_t t, int digits, bool first) {
        char iso[40];

        key(e, indent, k, first);
        if (has)
                emit_json(e, ticks_format_iso(t, digits, iso));
        else
                emit(e, "null");
}

static void boolean(Emit *e, const char *indent, const char *k, bool v) {
        key(e, indent, k, false);
        emit(e, v ? "true" : "false");
}

static void timeline(Emit *e, const ReportSymptom *s) {
        emit(e, ",\n         \"window\": {");
        time_value(e, "", "from", true, s->window_from, 0, true);
        time_value(e, "", "to", true, s->window_to, 0, false);
        emitf(e, "}, \"timeline_total\": %llu,\n         \"timeline\": [", (unsigned long long) s->timeline_total);
        for (size_t k = 0; k < s->n_timeline; k++) {
                const ReportTimelineEvent *ev = &s->timeline[k];

                emit(e, k ? ",\n          {" : "\n          {");
                time_value(e, "", "time", true, ev->time, ev->digits, true);
                num(e, "", "event_id", (long long) ev->event_id, false);
                opt_num(e, "", "record_id", (long long) ev->record_id);
                str(e, "", "role", ev->role, false);
                str(e, "", "provider", ev->provider, false);
                str(e, "", "summary", ev->summary, false);
                str(e, "", "source", ev->source, false);
                emit(e, "}");
        }
        emit(e, s->n_timeline ? "\n         ]" : "]");
}

static void config_key(Emit *e, const ReportConfigKey *k) {
        str(e, "", "key_path", k->key_path, true);
        num(e, "", "line", (long long) k->line, false);
        key(e, "", "end_line", false);
        if (k->end_line)
                emitf(e, "%llu", (unsigned long long) k->end_line);
        else
                emit(e, "null");
        boolean(e, "", "remove_key", k->remove_key);
        key(e, "", "properties", false);
        emit(e, "[");
        for (size_t i = 0; i < k->n_properties; i++) {
                emit(e, i ? ", {" : "{");
                num(e, "", "id", (long long) k->properties[i].id, true);
                num(e, "", "line", (long long) k->properties[i].line, false);
                str(e, "", "decoded", k->properties[i].decoded, false);
                emit(e, "}");
        }
        emit(e, "]");
        key(e, "", "delete_lines", false);
        emit(e, "[");
        for (size_t i = 0; i < k->n_delete_lines; i++)
                emitf(e, "%s%llu", i ? ", " : "", (unsigned long long) k->delete_lines[i]);
        emit(e, "],\n              ");
        str(e, "", "appcmd", k->appcmd, true);
        emit(e, ",\n              \"excerpt\": [");
        for (size_t i = 0; i < k->n_excerpt; i++) {
                emit(e, i ? ",\n                {" : "\n                {");
                num(e, "", "line", (long long) k->excerpt[i].line, true);
                str(e, "", "text", k->excerpt[i].text, false);
                emit(e, "}");
        }
        emit(e, k->n_excerpt ? "\n              ]" : "]");
        boolean(e, "", "excerpt_truncated", k->excerpt_truncated);
}

static void remedy(Emit *e, const ReportRemedy *m) {
        key(e, "      ", "remedy", false);
        if (!m) {
                emit(e, "null");
                return;
        }
        emit(e, "{\n        \"config\": [");
        for (size_t i = 0; i < m->n_configs; i++) {
                const ReportConfigFix *c = &m->configs[i];

                emit(e, i ? ",\n          {" : "\n          {");
                str(e, "", "path", c->path, true);
                str(e, "", "fix_command", c->fix_command, false);
                str(e, "", "note", c->note, false);
                emit(e, ",\n           \"keys\": [");
                for (size_t j = 0; j < c->n_keys; j++) {
                        emit(e, j ? ",\n             {" : "\n             {");
                        config_key(e, &c->keys[j]);
                        emit(e, "}");
                }
                emit(e, c->n_keys ? "\n           ]}" : "]}");
        }
        emit(e, m->n_configs ? "\n        ],\n        \"bindings\": [" : "],\n        \"bindings\": [");
        for (size_t i = 0; i < m->n_bindings; i++) {
                const ReportBindingFix *b = &m->bindings[i];

                emit(e, i ? ",\n          {" : "\n          {");
                str(e, "", "endpoint", b->endpoint, true);
                boolean(e, "", "deleted", b->deleted);
                boolean(e, "", "netsh_supplied", b->netsh_supplied);
                str(e, "", "cert_hash", b->cert_hash, false);
                str(e, "", "legacy_hash", b->legacy_hash, false);
                boolean(e, "", "hash_differs", b->hash_differs);
                boolean(e, "", "legacy_bound", b->legacy_bound);
                emit(e, ",\n           ");
                str(e, "", "delete_command", b->delete_command, true);
                emit(e, ",\n           ");
                str(e, "", "command", b->command, true);
                emit(e, ",\n           ");
                str(e, "", "note", b->note, true);
                emit(e, "}");
        }
        emit(e, m->n_bindings ? "\n        ]\n      }" : "]\n      }");
}

int report_render_json(const Report *r, StrBuf *out) {
        Emit e = { .out = out };

        emit(&e, "{\n");
        str(&e, "  ", "tool", "evdiag", true);
        str(&e, "  ", "version", r->version, false);
        str(&e, "  ", "assumed_tz", r->assumed_tz, false);
        key(&e, "  ", "inputs", false);
        emit(&e, "[");
        for (size_t i = 0; i < r->n_inputs; i++) {
                const ReportInput *in = &r->inputs[i];

                emit(&e, i ? ",\n    {\n" : "\n    {\n");
                str(&e, "      ", "path", in->path, true);
                str(&e, "      ", "format", in->format, false);
                str(&e, "      ", "status", in->status, false);
                str(&e, "      ", "host", in->host, false);
                num(&e, "      ", "events", (long long) in->events, false);
                num(&e, "      ", "duplicates", (long long) in->duplicates, false);
                num(&e, "      ", "rows", (long long) in->rows, false);
                key(&e, "      ", "warnings", false);
                emit(&e, "[");
                for (size_t j = 0; j < in->n_warnings; j++) {
                        emit(&e, j ? ",\n        " : "\n        ");
                        emit_json(&e, in->warnings[j]);
                }
                emit(&e, in->n_warnings ? "\n      ]" : "]");
                num(&e, "      ", "warnings_total", (long long) in->warnings_total, false);
                emit(&e, "\n    }");
        }
        emit(&e, r->n_inputs ? "\n  ]" : "]");

        key(&e, "  ", "findings", false);
        emit(&e, "[");
        for (size_t i = 0; i < r->n_findings; i++) {
                const ReportFinding *f = &r->findings[i];

                emit(&e, i ? ",\n    {\n" : "\n    {\n");
                str(&e, "      ", "rule", f->rule, true);
                str(&e, "      ", "title", f->title, false);
                str(&e, "      ", "host", f->host, false);
                str(&e, "      ", "verdict", f->verdict, false);
                str(&e, "      ", "reason", f->reason, false);
                key(&e, "      ", "symptoms", false);
                emit(&e, "[");
                for (size_t j = 0; j < f->n_symptoms; j++) {
                        const ReportSymptom *s = &f->symptoms[j];

                        emit(&e, j ? ",\n        {" : "\n        {");
                        time_value(&e, "", "time", true, s->time, s->digits, true);
                        num(&e, "", "event_id", (long long) s->event_id, false);
                        str(&e, "", "endpoint", s->endpoint, false);
                        str(&e, "", "source", s->source, false);
                        opt_num(&e, "", "record_id", (long long) s->record_id);
                        str(&e, "", "verdict", s->verdict, false);
                        boolean(&e, "", "decisive", s->decisive);
                        timeline(&e, s);
                        emit(&e, "}");
                }
                emit(&e, f->n_symptoms ? "\n      ]" : "]");
                num(&e, "      ", "symptoms_total", (long long) f->symptoms_total, false);
                key(&e, "      ", "evidence", false);
                emit(&e, "[");
                for (size_t j = 0; j < f->n_evidence; j++) {
                        const ReportEvidence *ev = &f->evidence[j];

                        emit(&e, j ? ",\n        {" : "\n        {");
                        str(&e, "", "kind", ev->kind, true);
                        time_value(&e, "", "time", ev->has_time, ev->time, ev->digits, false);
                        str(&e, "", "summary", ev->summary, false);
                        str(&e, "", "source", ev->source, false);
                        opt_num(&e, "", "event_id", (long long) ev->event_id);
                        opt_num(&e, "", "record_id", (long long) ev->record_id);
                        emit(&e, "}");
                }
                emit(&e, f->n_evidence ? "\n      ]" : "]");
                str(&e, "      ", "remediation", f->remediation, false);
                remedy(&e, f->remedy);
                emit(&e, "\n    }");
        }
        emit(&e, r->n_findings ? "\n  ]\n}\n" : "]\n}\n");
        return e.r;
}
