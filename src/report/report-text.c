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
        _cleanup_free_ char *u = report_verdict_words(s, true);

        if (!u) {
                if (e->r == 0)
                        e->r = -ENOMEM;
                return;
        }
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

/* The timeline of the decisive symptom: every event of the window, the marked ones named. */
static void timeline(Emit *e, const ReportStyle *st, const ReportSymptom *s) {
        char iso[40], from[40], to[40];

        emitf(e, "\n  Timeline of the %lld at %s (%s to %s", (long long) s->event_id,
              ticks_format_iso(s->time, s->digits, iso), ticks_format_iso(s->window_from, 0, from),
              ticks_format_iso(s->window_to, 0, to));
        if (s->timeline_total > s->n_timeline)
                emitf(e, "; %zu of %llu events, the nearest", s->n_timeline, (unsigned long long) s->timeline_total);
        emit(e, "):\n");
        for (size_t i = 0; i < s->n_timeline; i++)
                if (s->timeline[i].digits == 0) {
                        emit(e, "    (times of whole seconds, from text and CSV exports, come after the events of their second)\n");
                        break;
                }
        for (size_t i = 0; i < s->n_timeline; i++) {
                const ReportTimelineEvent *ev = &s->timeline[i];
                bool marked = strcmp(ev->role, "other") != 0;

                emitf(e, "    %s  ", ticks_format_iso(ev->time, ev->digits, iso));
                if (marked)
                        on(e, st, ANSI_BOLD);
                emit_term(e, ev->role, false);
                for (size_t n = strlen(ev->role); n < 10; n++)
                        emit(e, " ");
                if (marked)
                        on(e, st, ANSI_RESET);
                emit(e, " ");
                emit_term(e, ev->summary, false);
                emit(e, "\n");
        }
}

static void remedy(Emit *e, const ReportStyle *st, const ReportRemedy *m) {
        for (size_t i = 0; i < m->n_configs; i++) {
                const ReportConfigFix *c = &m->configs[i];

                emit(e, "\n    In ");
                emit_term(e, c->path, false);
                emit(e, ":\n");
                for (size_t j = 0; j < c->n_keys; j++) {
                        const ReportConfigKey *k = &c->keys[j];

                        /* No lines when they cannot be named safely (the note says why). */
                        if (k->n_delete_lines == 0)
                                emit(e, "      remove ");
                        else
                                emit(e, k->n_delete_lines == 1 ? "      delete line " : "      delete lines ");
                        for (size_t l = 0; l < k->n_delete_lines; l++)
                                emitf(e, "%s%llu", l ? ", " : "", (unsigned long long) k->delete_lines[l]);
                        if (k->n_delete_lines > 0)
                                emit(e, ": ");
                        for (size_t p = 0; p < k->n_properties; p++)
                                emitf(e, "%sproperty %lld (line %llu)", p ? ", " : "", (long long) k->properties[p].id,
                                      (unsigned long long) k->properties[p].line);
                        emit(e, k->remove_key ? " and the <key path=\"" : " of <key path=\"");
                        emit_term(e, k->key_path, false);
                        emitf(e, "\"> (line %llu)%s\n", (unsigned long long) k->line,
                              k->remove_key ? ", which holds nothing else" : "; the key stays: it holds other properties");
                        for (size_t l = 0; l < k->n_excerpt; l++) {
                                bool del = report_config_key_deletes(k, k->excerpt[l].line);

                                if (del)
                                        on(e, st, ANSI_RED);
                                emitf(e, "      %c%5llu | ", del ? '-' : ' ', (unsigned long long) k->excerpt[l].line);
                                emit_term(e, k->excerpt[l].text, false);
                                if (del)
                                        on(e, st, ANSI_RESET);
                                emit(e, "\n");
                        }
                        if (k->excerpt_truncated)
                                emit(e, "              …\n");
                        if (k->appcmd) {
                                emit(e, "      or with appcmd: ");
                                emit_term(e, k->appcmd, false);
                                emit(e, "\n");
                        }
                }
                if (c->note) {
                        emit(e, "      (");
                        emit_term(e, c->note, false);
                        emit(e, ")\n");
                }
                emit(e, "      or let evdiag do it: ");
                emit_term(e, c->fix_command, false);
                emit(e, "\n");
        }
        for (size_t i = 0; i < m->n_bindings; i++) {
                const ReportBindingFix *b = &m->bindings[i];

                emit(e, b->deleted ? "\n    Restore the binding of " : "\n    Should the binding of ");
                emit_term(e, b->endpoint, false);
                emit(e, b->deleted ? ":\n" : " be lost:\n");
                if (b->delete_command) {
                        emit(e, "      ");
                        emit_term(e, b->delete_command, false);
                        emit(e, "\n");
                }
                emit(e, "      ");
                emit_term(e, b->command ? b->command : "(no command: the endpoint has characters a command line would misread)", false);
                emit(e, "\n");
                if (b->note) {
                        emit(e, "      ");
                        emit_term(e, b->note, false);
                        emit(e, "\n");
                }
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
        for (size_t i = 0; i < f->n_symptoms; i++)
                if (f->symptoms[i].decisive && f->symptoms[i].n_timeline > 0)
                        timeline(e, st, &f->symptoms[i]);
        if (f->remediation || f->remedy) {
                emit(e, "\n  Remedy:\n");
                if (f->remediation)
                        indented(e, f->remediation, "    ");
                if (f->remedy)
                        remedy(e, st, f->remedy);
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
                        emitf(&e, ", %llu row%s", (unsigned long long) in->rows, in->rows == 1 ? "" : "s");
                if (in->warnings_total)
                        emitf(&e, ", %llu warning%s", (unsigned long long) in->warnings_total,
                              in->warnings_total == 1 ? "" : "s");
                emit(&e, "\n");
        }
        if (warnings > 0)
                emit(&e, "\nWarnings were printed on standard error; --format json lists them per input.\n");
        return e.r;
}
