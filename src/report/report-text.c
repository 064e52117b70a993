/* SPDX-License-Identifier: MIT */
/* The report for a person at a terminal. Colour only when the caller says the output is one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "report-internal.h"
#include "report.h"

#define ANSI_BOLD   "\033[1m"
#define ANSI_RED    "\033[1;31m"
#define ANSI_YELLOW "\033[1;33m"
#define ANSI_GREEN  "\033[1;32m"
#define ANSI_DIM    "\033[2m"
#define ANSI_RESET  "\033[0m"

static const char *verdict_color(const char *v) {
        if (strcmp(v, "confirmed") == 0)
                return ANSI_RED;
        if (strcmp(v, "likely") == 0 || strcmp(v, "at_risk") == 0)
                return ANSI_YELLOW;
        if (strcmp(v, "ruled_out") == 0)
                return ANSI_GREEN;
        return ANSI_BOLD;
}

static void on(Emit *e, const ReportStyle *st, const char *code) {
        if (st && st->color)
                emit(e, code);
}

/* A verdict in capitals, "_" as a space; escaped like any other text. */
static void upper(Emit *e, const char *s) {
        _cleanup_free_ char *u = strdup(s ? s : "");

        if (!u) {
                if (e->r == 0)
                        e->r = -ENOMEM;
                return;
        }
        for (char *p = u; *p; p++)
                *p = *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : (*p == '_' ? ' ' : *p);
        emit_term(e, u, false);
}

/* Prints a multi-line text with each line indented. */
static void indented(Emit *e, const char *s, const char *indent) {
        _cleanup_strbuf_ StrBuf clean = {};
        const char *p;

        if (e->r == 0)
                e->r = escape_terminal(&clean, s, true);
        p = strbuf_str(&clean);
        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);

                emit(e, indent);
                if (e->r == 0)
                        e->r = strbuf_append(e->out, p, len);
                emit(e, "\n");
                if (!nl)
                        break;
                p = nl + 1;
        }
}

static void finding(Emit *e, const ReportStyle *st, const ReportFinding *f) {
        char iso[40];

        on(e, st, ANSI_BOLD);
        emit_term(e, f->host, false);
        on(e, st, ANSI_RESET);
        emit(e, "  ");
        emit_term(e, f->rule, false);
        emit(e, "  ");
        on(e, st, verdict_color(f->verdict ? f->verdict : ""));
        upper(e, f->verdict);
        on(e, st, ANSI_RESET);
        emit(e, "\n  ");
        emit_term(e, f->title, false);
        emit(e, "\n");
        if (f->reason) {
                emit(e, "  Why: ");
                emit_term(e, f->reason, false);
                emit(e, "\n");
        }
        if (f->n_symptoms > 0) {
                emitf(e, "\n  Symptoms (%llu):\n", (unsigned long long) f->symptoms_total);
                for (size_t i = 0; i < f->n_symptoms; i++) {
                        const ReportSymptom *s = &f->symptoms[i];

                        emitf(e, "    %s  %lld  ", ticks_format_iso(s->time, s->digits, iso), (long long) s->event_id);
                        emit_term(e, s->endpoint ? s->endpoint : "(no endpoint)", false);
                        emit(e, "  ");
                        emit_term(e, s->verdict, false);
                        emit(e, "  ");
                        on(e, st, ANSI_DIM);
                        emit_term(e, s->source, false);
                        if (s->record_id >= 0)
                                emitf(e, ", record %lld", (long long) s->record_id);
                        on(e, st, ANSI_RESET);
                        emit(e, "\n");
                }
                if (f->symptoms_total > f->n_symptoms)
                        emitf(e, "    … and %llu more\n", (unsigned long long) (f->symptoms_total - f->n_symptoms));
        }
        if (f->n_evidence > 0) {
                emit(e, "\n  Evidence:\n");
                for (size_t i = 0; i < f->n_evidence; i++) {
                        const ReportEvidence *ev = &f->evidence[i];

                        emit(e, "    ");
                        emit_term(e, ev->kind, false);
                        emit(e, ": ");
                        if (ev->has_time)
                                emitf(e, "%s  ", ticks_format_iso(ev->time, ev->digits, iso));
                        emit_term(e, ev->summary, false);
                        emit(e, "\n      ");
                        on(e, st, ANSI_DIM);
                        emit_term(e, ev->source, false);
                        if (ev->record_id >= 0)
                                emitf(e, ", record %lld", (long long) ev->record_id);
                        on(e, st, ANSI_RESET);
                        emit(e, "\n");
                }
        }
        if (f->remediation) {
                emit(e, "\n  Remedy:\n");
                indented(e, f->remediation, "    ");
        }
        emit(e, "\n");
}

int report_render_text(const Report *r, const ReportStyle *st, StrBuf *out) {
        Emit e = { .out = out };
        uint64_t events = 0, warnings = 0;

        for (size_t i = 0; i < r->n_inputs; i++) {
                events += r->inputs[i].events;
                warnings += r->inputs[i].warnings_total;
        }
        emit(&e, "evdiag ");
        emit_term(&e, r->version, false);
        emitf(&e, ": %zu input%s, %llu event%s; local times of text and CSV exports read as ",
              r->n_inputs, r->n_inputs == 1 ? "" : "s", (unsigned long long) events, events == 1 ? "" : "s");
        emit_term(&e, r->assumed_tz, false);
        emit(&e, "\n\n");

        if (r->n_findings == 0)
                emit(&e, "No finding: no rule matched these inputs.\n\n");
        for (size_t i = 0; i < r->n_findings; i++)
                finding(&e, st, &r->findings[i]);

        emit(&e, "Inputs:\n");
        for (size_t i = 0; i < r->n_inputs; i++) {
                const ReportInput *in = &r->inputs[i];

                emit(&e, "  ");
                emit_term(&e, in->path, false);
                emit(&e, "  ");
                emit_term(&e, in->format, false);
                if (strcmp(in->status, "imported") != 0) {
                        emit(&e, ", ");
                        emit_term(&e, in->status, false);
                }
                if (in->host) {
                        emit(&e, ", host ");
                        emit_term(&e, in->host, false);
                }
                if (in->events || in->duplicates)
                        emitf(&e, ", %llu events", (unsigned long long) in->events);
                if (in->duplicates)
                        emitf(&e, " (%llu already present)", (unsigned long long) in->duplicates);
                if (in->rows)
                        emitf(&e, ", %llu rows", (unsigned long long) in->rows);
                if (in->warnings_total)
                        emitf(&e, ", %llu warning%s", (unsigned long long) in->warnings_total,
                              in->warnings_total == 1 ? "" : "s");
                emit(&e, "\n");
        }
        if (warnings > 0)
                emit(&e, "\nWarnings were printed on standard error; --format json lists them per input.\n");
        return e.r;
}
