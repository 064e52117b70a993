/* SPDX-License-Identifier: MIT */
/* The report for a ticket: per finding a one-line summary, the verdict and why, a table of the
 * symptom and its evidence, and the remedy. */
#include <string.h>

#include "base/alloc.h"
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

/* A fenced code block that shows text as it is, line by line (PowerShell's backticks too): its
 * fence is longer than any run of backticks inside, so nothing inside can close it. A CR before
 * a line end goes; other control characters become spaces. */
static void code_block(Emit *e, const char *lang, const char *text) {
        size_t fence = 3, run = 0;

        for (const char *p = text; *p; p++) {
                run = *p == '`' ? run + 1 : 0;
                if (run + 1 > fence)
                        fence = run + 1;
        }
        for (size_t i = 0; i < fence; i++)
                emit(e, "`");
        emit(e, lang);
        emit(e, "\n");
        for (const unsigned char *p = (const unsigned char *) text; *p && e->r == 0; p++) {
                if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
                        e->r = strbuf_putc(e->out, ' ');
                        p++;
                } else if (*p == '\r' && p[1] == '\n')
                        continue;
                else
                        e->r = strbuf_putc(e->out, *p != '\n' && (*p < 0x20 || *p == 0x7F) ? ' ' : (char) *p);
        }
        emit(e, "\n");
        for (size_t i = 0; i < fence; i++)
                emit(e, "`");
        emit(e, "\n");
}

/* The remedy as steps: per key the lines to delete (shown as a diff of the key when the file
 * could be read again), then the commands; per endpoint the netsh command and its note. */
static void remedy(Emit *e, const ReportRemedy *m) {
        unsigned step = 1;

        for (size_t i = 0; i < m->n_configs; i++) {
                const ReportConfigFix *c = &m->configs[i];

                for (size_t j = 0; j < c->n_keys; j++) {
                        const ReportConfigKey *k = &c->keys[j];
                        _cleanup_strbuf_ StrBuf line = {}, diff = {};

                        emitf(e, "%u. In ", step++);
                        emit_md_code(e, c->path);
                        if (k->n_delete_lines == 0)
                                emit(e, ", remove the legacy properties");
                        else
                                emit(e, k->n_delete_lines == 1 ? ", delete line " : ", delete lines ");
                        for (size_t l = 0; l < k->n_delete_lines; l++)
                                emitf(e, "%s%llu", l ? ", " : "", (unsigned long long) k->delete_lines[l]);
                        emit(e, " of ");
                        if (e->r == 0)
                                e->r = strbuf_printf(&line, "<key path=\"%s\">", k->key_path);
                        emit_md_code(e, strbuf_str(&line));
                        emitf(e, " (line %llu)%s:\n\n", (unsigned long long) k->line,
                              k->remove_key ? ", the whole key: it holds nothing else" : "");
                        /* The key as the file has it, the lines that go marked. */
                        for (size_t l = 0; l < k->n_excerpt && e->r == 0; l++)
                                e->r = strbuf_printf(&diff, "%s%c%6llu | %s", l ? "\n" : "",
                                                     report_config_key_deletes(k, k->excerpt[l].line) ? '-' : ' ',
                                                     (unsigned long long) k->excerpt[l].line, k->excerpt[l].text);
                        if (k->n_excerpt > 0) {
                                code_block(e, "diff", strbuf_str(&diff));
                                emit(e, "\n");
                        }
                }
                if (c->note) {
                        emit(e, "   (");
                        emit_md(e, c->note, false);
                        emit(e, ")\n\n");
                }
                /* The same edit as a command: evdiag's here, or appcmd's on the server. */
                {
                        _cleanup_strbuf_ StrBuf cmds = {};
                        bool appcmd = false;

                        if (e->r == 0)
                                e->r = strbuf_puts(&cmds, c->fix_command);
                        for (size_t j = 0; j < c->n_keys && e->r == 0; j++)
                                if (c->keys[j].appcmd) {
                                        e->r = strbuf_printf(&cmds, "\n%s", c->keys[j].appcmd);
                                        appcmd = true;
                                }
                        emit(e, appcmd ? "   Or run `evdiag fix` (it keeps a backup), or appcmd on the server:\n\n"
                                       : "   Or run `evdiag fix` (it keeps a backup):\n\n");
                        code_block(e, "", strbuf_str(&cmds));
                        emit(e, "\n");
                }
        }
        for (size_t i = 0; i < m->n_bindings; i++) {
                const ReportBindingFix *b = &m->bindings[i];
                _cleanup_strbuf_ StrBuf cmds = {};

                emitf(e, "%u. %s ", step++, b->deleted ? "Restore the binding of" : "Should the binding of");
                emit_md_code(e, b->endpoint);
                emit(e, b->deleted ? ": " : " be lost: ");
                emit_md(e, b->note, false);
                emit(e, "\n\n");
                if (e->r == 0 && b->delete_command)
                        e->r = strbuf_printf(&cmds, "%s\n", b->delete_command);
                if (e->r == 0 && b->command)
                        e->r = strbuf_puts(&cmds, b->command);
                if (cmds.len > 0) {
                        code_block(e, "", strbuf_str(&cmds));
                        emit(e, "\n");
                }
        }
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
        if (f->remediation || f->remedy) {
                emit(e, "**Remedy:**");
                /* One line is prose; lines laid out by the rule's author (steps, commands) are
                 * shown as they are. */
                if (f->remediation && strchr(f->remediation, '\n')) {
                        emit(e, "\n\n");
                        code_block(e, "", f->remediation);
                        emit(e, "\n");
                }
                else if (f->remediation) {
                        emit(e, " ");
                        emit_md(e, f->remediation, false);
                        emit(e, "\n\n");
                } else
                        emit(e, "\n\n");
                if (f->remedy)
                        remedy(e, f->remedy);
        }
}

int report_render_markdown(const Report *r, StrBuf *out) {
        Emit e = { .out = out };

        /* The first line says it all, for a ticket's title or a chat message: the strongest
         * finding, and how many more there are. */
        if (r->n_findings == 0)
                emit(&e, "# evdiag: no finding\n\nNo rule matched these inputs.\n\n");
        else {
                const ReportFinding *f = &r->findings[0];

                emit(&e, "# ");
                emit_md(&e, f->rule, false);
                emit(&e, " ");
                emit_md(&e, f->verdict, false);
                emit(&e, " on ");
                emit_md(&e, f->host, false);
                emit(&e, ": ");
                emit_md(&e, f->title, false);
                if (r->n_findings > 1)
                        emitf(&e, " (and %zu more finding%s)", r->n_findings - 1, r->n_findings == 2 ? "" : "s");
                emit(&e, "\n\n");
        }
        if (r->n_findings > 1) {
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
        emit(&e, ".\n\n| File | Format | Host | Events | Rows | Warnings |\n|---|---|---|---|---|---|\n");
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
                emitf(&e, " | %llu | %llu | %llu |\n", (unsigned long long) in->events, (unsigned long long) in->rows,
                      (unsigned long long) in->warnings_total);
        }
        emit(&e, "\n_evdiag ");
        emit_md(&e, r->version, false);
        emit(&e, "_\n");
        return e.r;
}
