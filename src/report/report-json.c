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
                emit(&e, "\n    }");
        }
        emit(&e, r->n_findings ? "\n  ]\n}\n" : "]\n}\n");
        return e.r;
}
