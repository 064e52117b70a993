/* SPDX-License-Identifier: MIT */
/* The report for a ticket: per finding a one-line summary, the verdict and why, a table of the
 * symptom and its evidence, and the remedy. */
#include <string.h>

#include "base/datetime.h"
#include "report-internal.h"
#include "report.h"

static void cell_time(Emit *e, bool has, int64_t t, int digits) {
        char iso[40];

        emit(e, "| ");
        emit(e, has ? ticks_format_iso(t, digits, iso) : "");
        emit(e, " ");
}

static void cell_record(Emit *e, int64_t record) {
        if (record >= 0)
                emitf(e, "| %lld ", (long long) record);
        else
                emit(e, "| ");
}

static void finding(Emit *e, const ReportFinding *f) {
        emit(e, "## ");
        emit_md(e, f->host, false);
        emit(e, ": ");
        emit_md(e, f->rule, false);
        emit(e, " **");
        emit_md(e, f->verdict, false);
        emit(e, "**\n\n");
        emit_md(e, f->title, false);
        emit(e, "\n\n");
        if (f->reason) {
                emit(e, "**Why:** ");
                emit_md(e, f->reason, false);
                emit(e, "\n\n");
        }
        if (f->n_symptoms + f->n_evidence > 0) {
                emit(e, "| Time (UTC) | Event | Record | Source |\n|---|---|---|---|\n");
                for (size_t i = 0; i < f->n_symptoms; i++) {
                        const ReportSymptom *s = &f->symptoms[i];

                        cell_time(e, true, s->time, s->digits);
                        emitf(e, "| symptom: %lld ", (long long) s->event_id);
                        if (s->endpoint) {
                                emit_md(e, s->endpoint, false);
                                emit(e, " ");
                        }
                        emit(e, "(");
                        emit_md(e, s->verdict, false);
                        emit(e, ") ");
                        cell_record(e, s->record_id);
                        emit(e, "| ");
                        emit_md(e, s->source, false);
                        emit(e, " |\n");
                }
                for (size_t i = 0; i < f->n_evidence; i++) {
                        const ReportEvidence *ev = &f->evidence[i];

                        cell_time(e, ev->has_time, ev->time, ev->digits);
                        emit(e, "| ");
                        emit_md(e, ev->kind, false);
                        emit(e, ": ");
                        emit_md(e, ev->summary, false);
                        emit(e, " ");
                        cell_record(e, ev->record_id);
                        emit(e, "| ");
                        emit_md(e, ev->source, false);
                        emit(e, " |\n");
                }
                if (f->symptoms_total > f->n_symptoms)
                        emitf(e, "\n%llu more symptoms are not listed.\n",
                              (unsigned long long) (f->symptoms_total - f->n_symptoms));
                emit(e, "\n");
        }
        if (f->remediation) {
                size_t run = 0, fence = 3;

                /* A fenced block shows commands as they are (PowerShell's backticks too): its fence
                 * is longer than any run of backticks inside, which therefore cannot close it. */
                for (const char *p = f->remediation; *p; p++) {
                        run = *p == '`' ? run + 1 : 0;
                        if (run + 1 > fence)
                                fence = run + 1;
                }
                emit(e, "**Remedy:**\n\n");
                for (size_t i = 0; i < fence; i++)
                        emit(e, "`");
                emit(e, "\n");
                for (const unsigned char *p = (const unsigned char *) f->remediation; *p && e->r == 0; p++) {
                        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
                                e->r = strbuf_putc(e->out, ' ');
                                p++;
                        } else if (*p != '\r')
                                e->r = strbuf_putc(e->out, (*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F ? ' ' : (char) *p);
                }
                emit(e, "\n");
                for (size_t i = 0; i < fence; i++)
                        emit(e, "`");
                emit(e, "\n\n");
        }
}

int report_render_markdown(const Report *r, StrBuf *out) {
        Emit e = { .out = out };

        emit(&e, "# evdiag report\n\n");
        if (r->n_findings == 0)
                emit(&e, "No finding: no rule matched these inputs.\n\n");
        else {
                for (size_t i = 0; i < r->n_findings; i++) {
                        const ReportFinding *f = &r->findings[i];

                        emit(&e, "- **");
                        emit_md(&e, f->verdict, false);
                        emit(&e, "** ");
                        emit_md(&e, f->rule, false);
                        emit(&e, " on ");
                        emit_md(&e, f->host, false);
                        emit(&e, ": ");
                        emit_md(&e, f->title, false);
                        emit(&e, "\n");
                }
                emit(&e, "\n");
        }
        for (size_t i = 0; i < r->n_findings; i++)
                finding(&e, &r->findings[i]);

        emit(&e, "### Inputs\n\nLocal times of text and CSV exports were read as ");
        emit_md(&e, r->assumed_tz, false);
        emit(&e, ".\n\n| File | Format | Host | Events | Warnings |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < r->n_inputs; i++) {
                const ReportInput *in = &r->inputs[i];

                emit(&e, "| ");
                emit_md(&e, in->path, false);
                emit(&e, " | ");
                emit_md(&e, in->format, false);
                if (strcmp(in->status, "imported") != 0) {
                        emit(&e, " (");
                        emit_md(&e, in->status, false);
                        emit(&e, ")");
                }
                emit(&e, " | ");
                emit_md(&e, in->host ? in->host : "", false);
                emitf(&e, " | %llu | %llu |\n", (unsigned long long) in->events, (unsigned long long) in->warnings_total);
        }
        emit(&e, "\n_evdiag ");
        emit_md(&e, r->version, false);
        emit(&e, "_\n");
        return e.r;
}
