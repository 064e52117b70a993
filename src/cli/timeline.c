/* SPDX-License-Identifier: MIT */
/* evdiag timeline: every event of a host in time order, merged across its logs, after its
 * configuration and bindings, with the symptoms and evidence of the findings marked. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/datetime.h"
#include "base/hostname.h"
#include "base/strbuf.h"
#include "base/utf.h"
#include "cli.h"
#include "config.h"
#include "fix/apphost-fix.h"
#include "importer/import.h"
#include "importer/sink.h"
#include "report/escape.h"
#include "rules/event-summary.h"
#include "store/store.h"

static const char usage[] =
        "Usage: evdiag timeline [OPTIONS] --db FILE\n"
        "       evdiag timeline [OPTIONS] PATH...\n"
        "\n"
        "Lists one host's configuration and bindings (they have no time), then every one of its\n"
        "events in time order, merged across its logs. The symptoms and the evidence of the\n"
        "findings the rules reach are marked. Reads the case database FILE, or imports the\n"
        "files and folders named into a temporary one (into FILE when both are given).\n"
        "\n"
        "Options:\n"
        "  --db FILE         the case database (built with 'evdiag import')\n"
        "  --host NAME       the host to list; required when the case holds several\n"
        "  --around TIME     only the events from TIME - SPAN/2 to TIME + SPAN/2. TIME is ISO\n"
        "                    8601: 2024-03-12T02:14:13Z, 2024-03-12T03:14:13+01:00, or without a\n"
        "                    zone a local time in --tz (UTC without --tz)\n"
        "  --span DURATION   the width of that window: 90s, 30m (default), 2h, 1d\n"
        "  --format FORMAT   text (default), jsonl or csv\n"
        "  --tz ZONE         show local times in ZONE beside UTC; when importing, also the zone\n"
        "                    of the local times in text and CSV exports\n"
        "  --window SECONDS  how far before a symptom the rules look for its cause (default 600)\n"
        "  --rules DIR       the rule pack to use\n"
        "  --quiet           no progress bar while importing\n"
        "  -h, --help        show this help\n"
        "\n"
        "Exit codes: 0 done; 1 listed, but some inputs were skipped or failed; 2 bad command line\n"
        "or unknown host; 3 the rules could not be loaded; 4 database, I/O or memory failure.\n";

/* A mark on an event: one symptom or evidence line of a finding. */
typedef struct EventMark {
        int64_t row;
        bool symptom;
        const char *rule, *detail;      /* borrowed from the report */
} EventMark;

/* A mark on an artifact: evidence whose source is its "path:line". */
typedef struct ArtifactMark {
        const char *source, *rule, *detail;
} ArtifactMark;

typedef struct Timeline {
        TimelineFormat format;
        const char *host_name;
        Tz *tz;                         /* --tz (borrowed): a local time beside UTC; NULL without */
        EventMark *marks;               /* sorted by row */
        size_t n_marks, a_marks;
        ArtifactMark *artifact_marks;
        size_t n_artifact_marks, a_artifact_marks;
        StrBuf line;
        uint64_t n_events, n_artifacts;
        int error;                      /* of a callback: -ENOMEM or -EIO */
} Timeline;

/* The columns of the machine formats, fixed whatever the row (README, "timeline"). */
static const char csv_header[] = "kind,time,local,host,event_id,provider,summary,record_id,source,recovered,mark,findings\r\n";

static int mark_compare(const void *a, const void *b) {
        const EventMark *x = a, *y = b;

        if (x->row != y->row)
                return x->row < y->row ? -1 : 1;
        return (int) y->symptom - (int) x->symptom;    /* symptoms first */
}

static int marks_build(Timeline *t, const Report *report) {
        for (size_t i = 0; i < report->n_findings; i++) {
                const ReportFinding *f = &report->findings[i];

                for (size_t j = 0; j < f->n_symptoms; j++) {
                        if (ARRAY_GROW(t->marks, t->a_marks, t->n_marks + 1) < 0)
                                return -ENOMEM;
                        t->marks[t->n_marks++] = (EventMark) {
                                .row = f->symptoms[j].row, .symptom = true,
                                .rule = f->rule, .detail = f->symptoms[j].verdict,
                        };
                }
                for (size_t j = 0; j < f->n_evidence; j++) {
                        const ReportEvidence *e = &f->evidence[j];

                        if (e->row >= 0) {
                                if (ARRAY_GROW(t->marks, t->a_marks, t->n_marks + 1) < 0)
                                        return -ENOMEM;
                                t->marks[t->n_marks++] = (EventMark) { .row = e->row, .rule = f->rule, .detail = e->kind };
                        } else if (e->source) {
                                if (ARRAY_GROW(t->artifact_marks, t->a_artifact_marks, t->n_artifact_marks + 1) < 0)
                                        return -ENOMEM;
                                t->artifact_marks[t->n_artifact_marks++] = (ArtifactMark) {
                                        .source = e->source, .rule = f->rule, .detail = e->kind,
                                };
                        }
                }
        }
        if (t->n_marks > 0)
                qsort(t->marks, t->n_marks, sizeof(EventMark), mark_compare);
        return 0;
}

/* The marks of event row: a run of t->marks, *ret_n long (0: none). */
static const EventMark *marks_of_event(const Timeline *t, int64_t row, size_t *ret_n) {
        size_t lo = 0, hi = t->n_marks, n = 0;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (t->marks[mid].row < row)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        while (lo + n < t->n_marks && t->marks[lo + n].row == row)
                n++;
        *ret_n = n;
        return n > 0 ? &t->marks[lo] : NULL;
}

/* A mark as one uniform list, whether of an event or an artifact. */
typedef struct MarkView {
        bool symptom;
        const char *rule, *detail;
} MarkView;

/* "symptom of KB2025598 (confirmed); evidence of KB2025598 (launch)" */
static int marks_text(StrBuf *out, const MarkView *m, size_t n) {
        int r = 0;

        for (size_t i = 0; r == 0 && i < n; i++)
                r = strbuf_printf(out, "%s%s of %s (%s)", i > 0 ? "; " : "", m[i].symptom ? "symptom" : "evidence",
                                  m[i].rule ? m[i].rule : "?", m[i].detail ? m[i].detail : "?");
        return r;
}

static const char *mark_word(const MarkView *m, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (m[i].symptom)
                        return "symptom";
        return n > 0 ? "evidence" : NULL;
}

/* An RFC 4180 field: quoted when it holds a comma, a quote or a line break. Other control
 * characters, C1 ones included, become spaces: a CSV file is often looked at in a terminal. A
 * field that a spreadsheet would take for a formula (=, +, -, @ first) gets a "'" before it:
 * log text must not run as one. */
static int csv_field(StrBuf *out, const char *s) {
        _cleanup_strbuf_ StrBuf clean = {};
        bool quote = false;
        int r = 0;

        if (!s)
                return 0;
        if (strchr("=+-@", *s) && *s)
                r = strbuf_putc(&clean, '\'');
        for (const unsigned char *p = (const unsigned char *) s; r == 0 && *p; p++) {
                if (*p == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0) {
                        r = strbuf_putc(&clean, ' ');
                        p++;
                } else if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
                        r = strbuf_putc(&clean, ' ');
                else {
                        quote = quote || *p == ',' || *p == '"';
                        r = *p == '"' ? strbuf_puts(&clean, "\"\"") : strbuf_putc(&clean, (char) *p);
                }
        }
        if (r < 0)
                return r;
        if (!quote)
                return strbuf_puts(out, strbuf_str(&clean));
        return strbuf_printf(out, "\"%s\"", strbuf_str(&clean));
}

static int text_cell(StrBuf *out, const char *s, int width) {
        size_t before = out->len, w;
        int r = escape_terminal(out, s ? s : "", false);

        w = r == 0 && out->len > before ? utf8_code_points(out->data + before, out->len - before) : 0;
        for (; r == 0 && w < (size_t) width; w++)
                r = strbuf_putc(out, ' ');
        return r;
}

/* "2024-03-11T19:14:11.577-07:00" */
static char *local_format(const Timeline *t, int64_t ticks, int digits, char buf[static 48]) {
        int64_t off = 0, a;
        char iso[40];
        size_t n;

        if (tz_offset_at(t->tz, ticks, &off) < 0)
                off = 0;        /* an instant the C library cannot place: shown as UTC */
        a = off < 0 ? -off : off;
        ticks_format_iso(ticks + off * TICKS_PER_SECOND, digits, iso);
        n = strlen(iso);
        if (n > 0 && iso[n - 1] == 'Z')
                iso[n - 1] = 0;
        snprintf(buf, 48, "%s%c%02d:%02d", iso, off < 0 ? '-' : '+', (int) (a / 3600), (int) (a / 60 % 60));
        return buf;
}

/* Writes one row in the chosen format. time < 0 digits means none (artifacts). */
typedef struct RowView {
        const char *kind;               /* "event", "config", "binding", "netsh" */
        bool has_time;
        int64_t time;
        int digits;
        int64_t event_id, record_id;    /* EVENT_NO_VALUE when none */
        const char *provider, *summary, *source;
        bool recovered;
        const MarkView *marks;
        size_t n_marks;
} RowView;

static int row_write(Timeline *t, const RowView *v) {
        StrBuf *b = &t->line;
        char utc[40] = "", local[48] = "";
        const char *word = mark_word(v->marks, v->n_marks);
        int r = 0;

        strbuf_reset(b);
        if (v->has_time) {
                ticks_format_iso(v->time, v->digits, utc);
                if (t->tz)
                        local_format(t, v->time, v->digits, local);
        }
        switch (t->format) {
        case TIMELINE_TEXT:
                if (v->has_time) {
                        r = text_cell(b, utc, 28);
                        if (r == 0 && t->tz)
                                r = strbuf_printf(b, "  %-33s", local);
                        if (r == 0)
                                r = strbuf_puts(b, "  ");
                        if (r == 0)
                                r = text_cell(b, t->host_name, 0);
                        if (r == 0)
                                r = strbuf_printf(b, "  %6" PRId64 "  ", v->event_id);
                        if (r == 0 && v->record_id != EVENT_NO_VALUE)
                                r = strbuf_printf(b, "%10" PRId64, v->record_id);
                        else if (r == 0)
                                r = strbuf_printf(b, "%10s", "-");
                        if (r == 0)
                                r = strbuf_puts(b, "  ");
                } else
                        r = strbuf_puts(b, "  ");
                if (r == 0)
                        r = strbuf_printf(b, "%-8s  ", word ? (strcmp(word, "symptom") == 0 ? "SYMPTOM" : "evidence") : "");
                if (r == 0)
                        r = escape_terminal(b, v->summary, false);
                if (r == 0)
                        r = strbuf_puts(b, "  (");
                if (r == 0)
                        r = escape_terminal(b, v->source, false);
                if (r == 0)
                        r = strbuf_puts(b, v->recovered ? ", recovered)" : ")");
                if (r == 0 && v->n_marks > 0) {
                        r = strbuf_puts(b, "  [");
                        if (r == 0)
                                r = marks_text(b, v->marks, v->n_marks);
                        if (r == 0)
                                r = strbuf_putc(b, ']');
                }
                if (r == 0)
                        r = strbuf_putc(b, '\n');
                break;

        case TIMELINE_JSONL:
                r = strbuf_puts(b, "{\"kind\":");
                if (r == 0)
                        r = escape_json(b, v->kind);
                if (r == 0)
                        r = strbuf_puts(b, ",\"time\":");
                if (r == 0)
                        r = escape_json(b, v->has_time ? utc : NULL);
                if (r == 0)
                        r = strbuf_puts(b, ",\"local\":");
                if (r == 0)
                        r = escape_json(b, v->has_time && t->tz ? local : NULL);
                if (r == 0)
                        r = strbuf_puts(b, ",\"host\":");
                if (r == 0)
                        r = escape_json(b, t->host_name);
                if (r == 0 && v->event_id != EVENT_NO_VALUE)
                        r = strbuf_printf(b, ",\"event_id\":%" PRId64, v->event_id);
                else if (r == 0)
                        r = strbuf_puts(b, ",\"event_id\":null");
                if (r == 0)
                        r = strbuf_puts(b, ",\"provider\":");
                if (r == 0)
                        r = escape_json(b, v->provider);
                if (r == 0)
                        r = strbuf_puts(b, ",\"summary\":");
                if (r == 0)
                        r = escape_json(b, v->summary);
                if (r == 0 && v->record_id != EVENT_NO_VALUE)
                        r = strbuf_printf(b, ",\"record_id\":%" PRId64, v->record_id);
                else if (r == 0)
                        r = strbuf_puts(b, ",\"record_id\":null");
                if (r == 0)
                        r = strbuf_puts(b, ",\"source\":");
                if (r == 0)
                        r = escape_json(b, v->source);
                if (r == 0)
                        r = strbuf_printf(b, ",\"recovered\":%s,\"mark\":", v->recovered ? "true" : "false");
                if (r == 0)
                        r = escape_json(b, word);
                if (r == 0)
                        r = strbuf_puts(b, ",\"findings\":[");
                for (size_t i = 0; r == 0 && i < v->n_marks; i++) {
                        r = strbuf_puts(b, i > 0 ? ",{\"rule\":" : "{\"rule\":");
                        if (r == 0)
                                r = escape_json(b, v->marks[i].rule);
                        if (r == 0)
                                r = strbuf_puts(b, v->marks[i].symptom ? ",\"role\":\"symptom\",\"detail\":" :
                                                                         ",\"role\":\"evidence\",\"detail\":");
                        if (r == 0)
                                r = escape_json(b, v->marks[i].detail);
                        if (r == 0)
                                r = strbuf_putc(b, '}');
                }
                if (r == 0)
                        r = strbuf_puts(b, "]}\n");
                break;

        case TIMELINE_CSV: {
                _cleanup_strbuf_ StrBuf m = {};

                r = csv_field(b, v->kind);
                if (r == 0)
                        r = strbuf_putc(b, ',');
                if (r == 0)
                        r = csv_field(b, utc);
                if (r == 0)
                        r = strbuf_putc(b, ',');
                if (r == 0)
                        r = csv_field(b, local);
                if (r == 0)
                        r = strbuf_putc(b, ',');
                if (r == 0)
                        r = csv_field(b, t->host_name);
                if (r == 0 && v->event_id != EVENT_NO_VALUE)
                        r = strbuf_printf(b, ",%" PRId64 ",", v->event_id);
                else if (r == 0)
                        r = strbuf_puts(b, ",,");
                if (r == 0)
                        r = csv_field(b, v->provider);
                if (r == 0)
                        r = strbuf_putc(b, ',');
                if (r == 0)
                        r = csv_field(b, v->summary);
                if (r == 0 && v->record_id != EVENT_NO_VALUE)
                        r = strbuf_printf(b, ",%" PRId64 ",", v->record_id);
                else if (r == 0)
                        r = strbuf_puts(b, ",,");
                if (r == 0)
                        r = csv_field(b, v->source);
                if (r == 0)
                        r = strbuf_printf(b, ",%s,", v->recovered ? "true" : "false");
                if (r == 0)
                        r = csv_field(b, word);
                if (r == 0)
                        r = strbuf_putc(b, ',');
                if (r == 0)
                        r = marks_text(&m, v->marks, v->n_marks);
                if (r == 0)
                        r = csv_field(b, strbuf_str(&m));
                if (r == 0)
                        r = strbuf_puts(b, "\r\n");
                break;
        }
        }
        if (r < 0)
                return r;
        if (fwrite(strbuf_str(b), 1, b->len, stdout) != b->len)
                return -EIO;
        return 0;
}

static int on_event(void *userdata, const StoreEventRow *row) {
        Timeline *t = userdata;
        _cleanup_free_ char *summary = NULL, *source = NULL;
        MarkView views[16];
        const EventMark *m;
        size_t n;
        int r;

        summary = event_summary(row->provider, row->event_id, row->message, row->data);
        source = event_source(row->path, row->line, row->offset);
        if (!summary || !source) {
                t->error = -ENOMEM;
                return 1;
        }
        m = marks_of_event(t, row->id, &n);
        /* A row is seldom the evidence of more than a few findings; the first ones are shown. */
        if (n > ELEMENTSOF(views))
                n = ELEMENTSOF(views);
        for (size_t i = 0; i < n; i++)
                views[i] = (MarkView) { .symptom = m[i].symptom, .rule = m[i].rule, .detail = m[i].detail };
        r = row_write(t, &(RowView) {
                        .kind = "event",
                        .has_time = true,
                        .time = row->time,
                        .digits = row->digits,
                        .event_id = row->event_id,
                        .record_id = row->record_id,
                        .provider = row->provider,
                        .summary = summary,
                        .source = source,
                        .recovered = row->recovered,
                        .marks = views,
                        .n_marks = n,
                });
        if (r < 0) {
                t->error = r;
                return 1;
        }
        t->n_events++;
        return 0;
}

/* Appends v cut to about max bytes at a UTF-8 boundary, with "…" when cut. */
static int append_cut(StrBuf *b, const char *v, size_t max) {
        size_t n = strlen(v), keep = utf8_prefix(v, n, max);

        if (strbuf_append(b, v, keep) < 0)
                return -ENOMEM;
        return keep < n ? strbuf_puts(b, "…") : 0;
}

static int artifact_summary(const StoreArtifactRow *a, StrBuf *b, const char **ret_kind) {
        int r;

        if (strcmp(a->table, "config_properties") == 0) {
                *ret_kind = "config";
                r = strbuf_printf(b, "<key path=\"%s\">", a->key_path ? a->key_path : "?");
                if (r == 0 && a->key_line != EVENT_NO_VALUE)
                        r = strbuf_printf(b, " (line %" PRId64 ")", a->key_line);
                if (r == 0)
                        r = strbuf_printf(b, " property %" PRId64 "%s", a->prop_id,
                                          a->prop_id == APPHOST_FIX_SSL_CERT_HASH ? " (IIS 6 SSL certificate hash)" :
                                          a->prop_id == APPHOST_FIX_SSL_CERT_STORE_NAME ? " (IIS 6 SSL store name)" : "");
                if (r == 0 && (a->decoded || a->value)) {
                        r = strbuf_puts(b, " = ");
                        if (r == 0)
                                r = append_cut(b, a->decoded ? a->decoded : a->value, 200);
                }
                if (r == 0 && !a->valid)
                        r = strbuf_puts(b, " (not valid)");
        } else if (strcmp(a->table, "site_bindings") == 0) {
                *ret_kind = "binding";
                r = strbuf_printf(b, "site \"%s\"", a->site_name ? a->site_name : "?");
                if (r == 0 && a->site_id != EVENT_NO_VALUE)
                        r = strbuf_printf(b, " (id %" PRId64 ")", a->site_id);
                if (r == 0 && !a->protocol)
                        r = strbuf_puts(b, " has no bindings");
                else if (r == 0) {
                        r = strbuf_printf(b, ": %s binding %s", a->protocol,
                                          a->binding_information ? a->binding_information : "?");
                        if (r == 0 && a->endpoint)
                                r = strbuf_printf(b, " on %s", a->endpoint);
                        if (r == 0 && a->ssl_flags != EVENT_NO_VALUE && a->ssl_flags != 0)
                                r = strbuf_printf(b, ", sslFlags %" PRId64, a->ssl_flags);
                }
        } else {
                *ret_kind = "netsh";
                r = strbuf_printf(b, "HTTP.sys SSL binding %s %s", a->kind ? a->kind : "?", a->endpoint ? a->endpoint : "?");
                if (r == 0)
                        r = strbuf_printf(b, ": certificate hash %s", a->cert_hash ? a->cert_hash : "(none)");
                if (r == 0 && a->app_id)
                        r = strbuf_printf(b, ", application %s", a->app_id);
                if (r == 0 && a->store_name)
                        r = strbuf_printf(b, ", store %s", a->store_name);
        }
        return r;
}

static int on_artifact(void *userdata, const StoreArtifactRow *a) {
        Timeline *t = userdata;
        _cleanup_strbuf_ StrBuf summary = {};
        _cleanup_free_ char *source = NULL;
        MarkView views[16];
        const char *kind = NULL;
        size_t n = 0;
        int r;

        r = artifact_summary(a, &summary, &kind);
        if (r == 0 && a->line != EVENT_NO_VALUE)
                r = asprintf(&source, "%s:%" PRId64, a->path ? a->path : "?", a->line) < 0 ? -ENOMEM : 0;
        else if (r == 0)
                source = strdup(a->path ? a->path : "?");
        if (r < 0 || !source) {
                t->error = -ENOMEM;
                return 1;
        }
        /* Evidence from a configuration file names the row by its file and line. */
        for (size_t i = 0; i < t->n_artifact_marks && n < ELEMENTSOF(views); i++)
                if (strcmp(t->artifact_marks[i].source, source) == 0)
                        views[n++] = (MarkView) { .rule = t->artifact_marks[i].rule, .detail = t->artifact_marks[i].detail };
        r = row_write(t, &(RowView) {
                        .kind = kind,
                        .event_id = EVENT_NO_VALUE,
                        .record_id = EVENT_NO_VALUE,
                        .summary = strbuf_str(&summary),
                        .source = source,
                        .marks = views,
                        .n_marks = n,
                });
        if (r < 0) {
                t->error = r;
                return 1;
        }
        t->n_artifacts++;
        return 0;
}

/* --around: "...Z" is UTC; "...+01:00" (or +0100, +01) carries its offset; a time without
 * either is local in --tz, or UTC without it. */
static int around_parse(const char *s, Tz *tz, bool tz_given, int64_t *ret) {
        size_t n = strlen(s);
        const char *sign = NULL;
        CivilTime c;

        if (n == 0)
                return -EINVAL;
        if (s[n - 1] == 'Z' || s[n - 1] == 'z') {
                char copy[64];

                if (n >= sizeof(copy))
                        return -EINVAL;
                memcpy(copy, s, n - 1);
                copy[n - 1] = 'Z';
                return iso_parse_utc(copy, n, ret, NULL) < 0 ? -EINVAL : 0;
        }
        /* A sign after the date ("YYYY-MM-DD") starts an offset. */
        if (n > 10)
                sign = strpbrk(s + 10, "+-");
        if (sign) {
                const char *p = sign + 1;
                int h, m = 0;
                int64_t base;

                if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
                        return -EINVAL;
                h = (p[0] - '0') * 10 + (p[1] - '0');
                p += 2;
                if (*p == ':')
                        p++;
                if (*p) {
                        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2])
                                return -EINVAL;
                        m = (p[0] - '0') * 10 + (p[1] - '0');
                }
                if (h > 14 || m > 59 || iso_parse_utc(s, (size_t) (sign - s), &base, NULL) < 0)
                        return -EINVAL;
                *ret = base - (*sign == '-' ? -1 : 1) * (int64_t) (h * 3600 + m * 60) * TICKS_PER_SECOND;
                return 0;
        }
        if (!tz_given)
                return iso_parse_utc(s, n, ret, NULL) < 0 ? -EINVAL : 0;
        if (date_parse_local(s, n, DATE_ORDER_AUTO, &c) < 0 || tz_local_to_ticks(tz, &c, ret) < 0)
                return -EINVAL;
        return 0;
}

/* The host to list, as a key in *ret_key: --host, or the only one. Prints why not. */
static int host_choose(Store *store, const char *wanted, char **ret_key) {
        _cleanup_strv_free_ char **keys = NULL;
        _cleanup_free_ char *key = NULL;
        _cleanup_strbuf_ StrBuf list = {};
        int n;

        n = store_host_keys(store, &keys);
        if (n < 0) {
                fprintf(stderr, "evdiag timeline: cannot list the hosts: %s\n", n == -EIO ? store_error(store) : strerror(-n));
                return EXIT_FATAL;
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *name = NULL;

                /* Host names come from the logs: escaped for the terminal. */
                if (store_host_name(store, keys[i], &name) < 0 || strbuf_puts(&list, i > 0 ? ", " : "") < 0 ||
                    escape_terminal(&list, name ? name : keys[i], false) < 0) {
                        fprintf(stderr, "evdiag timeline: cannot list the hosts\n");
                        return EXIT_FATAL;
                }
        }
        if (wanted) {
                key = hostname_key(wanted, strlen(wanted));
                if (!key) {
                        fprintf(stderr, "evdiag timeline: --host \"%s\" is no host name\n", wanted);
                        return EXIT_USAGE;
                }
                for (int i = 0; i < n; i++)
                        if (strcmp(keys[i], key) == 0) {
                                *ret_key = TAKE_PTR(key);
                                return EXIT_OK;
                        }
                if (n == 0)
                        fprintf(stderr, "evdiag timeline: no host \"%s\": the case holds no events or configuration\n", wanted);
                else
                        fprintf(stderr, "evdiag timeline: no host \"%s\" in this case; its hosts: %s\n", wanted,
                                strbuf_str(&list));
                return EXIT_USAGE;
        }
        if (n == 0) {
                *ret_key = NULL;
                return EXIT_OK;
        }
        if (n > 1) {
                fprintf(stderr, "evdiag timeline: the case holds several hosts; name one with --host: %s\n", strbuf_str(&list));
                return EXIT_USAGE;
        }
        *ret_key = strdup(keys[0]);
        if (!*ret_key) {
                fprintf(stderr, "evdiag timeline: out of memory\n");
                return EXIT_FATAL;
        }
        return EXIT_OK;
}

static int header_write(const Timeline *t, const char *tz_spec, const char *around, int64_t from, int64_t to) {
        _cleanup_strbuf_ StrBuf b = {};
        char a[40], z[40];
        int r = 0;

        if (t->format == TIMELINE_JSONL)
                return 0;
        if (t->format == TIMELINE_CSV)
                return fputs(csv_header, stdout) < 0 ? -EIO : 0;
        r = strbuf_puts(&b, "Timeline of ");
        if (r == 0)
                r = escape_terminal(&b, t->host_name, false);
        if (r == 0 && around)
                r = strbuf_printf(&b, ", events from %s to %s\n", ticks_format_iso(from, 0, a), ticks_format_iso(to, 0, z));
        else if (r == 0)
                r = strbuf_puts(&b, ", every event\n");
        if (r == 0 && t->tz) {
                r = strbuf_puts(&b, "Times in UTC and in ");
                if (r == 0)
                        r = escape_terminal(&b, tz_spec, false);
                if (r == 0)
                        r = strbuf_puts(&b, ".\n");
        }
        if (r == 0)
                r = strbuf_puts(&b, "Marks: SYMPTOM of a finding, evidence for it; the findings follow in [brackets].\n"
                                    "\nConfiguration and bindings (no time):\n");
        if (r < 0)
                return r;
        return fputs(strbuf_str(&b), stdout) < 0 ? -EIO : 0;
}

/* How many columns s takes once escaped for a terminal, as the rows show it. */
static int shown_width(const char *s) {
        _cleanup_strbuf_ StrBuf b = {};

        if (escape_terminal(&b, s, false) < 0)
                return (int) strlen(s);
        return (int) utf8_code_points(b.data, b.len);
}

static int events_header_write(const Timeline *t, const char *tz_spec) {
        _cleanup_strbuf_ StrBuf b = {};
        int r;

        if (t->format != TIMELINE_TEXT)
                return 0;
        r = strbuf_puts(&b, t->n_artifacts == 0 ? "  (none)\n\nEvents:\n" : "\nEvents:\n");
        if (r == 0)
                r = strbuf_printf(&b, "%-28s", "UTC");
        if (r == 0 && t->tz) {
                r = strbuf_puts(&b, "  ");
                if (r == 0)
                        r = text_cell(&b, tz_spec, 33);
        }
        if (r == 0)
                r = strbuf_puts(&b, "  ");
        if (r == 0)
                r = text_cell(&b, "Host", shown_width(t->host_name));
        if (r == 0)
                r = strbuf_printf(&b, "  %6s  %10s  %-8s  %s\n", "Event", "Record", "Mark", "Summary  (source)  [findings]");
        if (r < 0)
                return r;
        return fputs(strbuf_str(&b), stdout) < 0 ? -EIO : 0;
}

int verb_timeline(int argc, char **argv) {
        _cleanup_(store_freep) Store *store = NULL;
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_(tz_freep) Tz *tz = NULL;
        _cleanup_(report_freep) Report *report = NULL;
        _cleanup_free_ char *host = NULL, *host_name = NULL;
        Timeline t = {};
        CliOptions opts;
        bool partial = false;
        int64_t center = 0, from = INT64_MIN, to = INT64_MAX, unattributed;
        int r, code = EXIT_FATAL;

        r = cli_parse(argc, argv, "timeline", OPT_DB | OPT_IMPORT | OPT_ANALYZE | OPT_TIMELINE, usage, &opts);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        if (cli_tz("timeline", opts.tz, &tz) < 0)
                return EXIT_USAGE;
        if (opts.around) {
                if (around_parse(opts.around, tz, opts.tz != NULL, &center) < 0) {
                        fprintf(stderr, "evdiag timeline: --around takes an ISO 8601 time such as 2024-03-12T02:14:13Z "
                                "or 2024-03-12T03:14:13+01:00, not \"%s\"\n", opts.around);
                        return EXIT_USAGE;
                }
                from = center - opts.span / 2 * TICKS_PER_SECOND - opts.span % 2 * (TICKS_PER_SECOND / 2);
                to = center + opts.span / 2 * TICKS_PER_SECOND + opts.span % 2 * (TICKS_PER_SECOND / 2);
        }
        if (opts.n_paths == 0 && access(opts.db, F_OK) < 0) {
                fprintf(stderr, "%s: %s (build it with 'evdiag import --db %s PATH...')\n", opts.db, strerror(errno), opts.db);
                return EXIT_FATAL;
        }
        if (cli_open_store(opts.db, &store) < 0)
                return EXIT_FATAL;
        if (opts.n_paths > 0) {
                /* --host picks the host listed; the files' hosts are found as always (a folder
                 * named after the host, the only host, ...), or one host would take another's
                 * configuration. */
                CliOptions io = opts;

                io.host = NULL;
                if (cli_import(store, &io, tz, &im, &partial) < 0)
                        return EXIT_FATAL;
        }
        r = host_choose(store, opts.host, &host);
        if (r != EXIT_OK)
                return r;
        if (!host) {
                fprintf(stderr, "evdiag timeline: the case holds no events or configuration\n");
                return partial ? EXIT_PARTIAL : EXIT_OK;
        }
        if (store_host_name(store, host, &host_name) < 0) {
                fprintf(stderr, "evdiag timeline: %s\n", store_error(store));
                return EXIT_FATAL;
        }

        report = report_new(EVDIAG_VERSION, tz_name(tz));
        if (!report) {
                fprintf(stderr, "evdiag: out of memory\n");
                return EXIT_FATAL;
        }
        r = cli_correlate(store, &opts, report);
        if (r != EXIT_OK)
                return r;

        t.format = opts.timeline_format;
        t.host_name = host_name ? host_name : host;
        r = marks_build(&t, report);
        t.tz = opts.tz ? tz : NULL;
        if (r == 0)
                r = header_write(&t, opts.tz, opts.around, from, to);
        if (r == 0) {
                r = store_artifacts_of_host(store, host, on_artifact, &t);
                if (r > 0)
                        r = t.error;
        }
        if (r == 0)
                r = events_header_write(&t, opts.tz);
        if (r == 0) {
                r = store_events_between(store, host, from, to, SIZE_MAX, on_event, &t);
                if (r > 0)
                        r = t.error;
        }
        if (r == 0 && t.format == TIMELINE_TEXT) {
                unattributed = store_events_unattributed(store);
                if (unattributed < 0)
                        r = (int) unattributed;
                else if (printf("(%" PRIu64 " event%s", t.n_events, t.n_events == 1 ? "" : "s") < 0 ||
                         (unattributed > 0 && printf("; %" PRId64 " events of the case belong to no host and are not listed",
                                                      unattributed) < 0) ||
                         puts(")") < 0)
                        r = -EIO;
        }
        if (r == 0 && fflush(stdout) != 0)
                r = -EIO;
        if (r < 0) {
                if (r == -ENOMEM)
                        fprintf(stderr, "evdiag: out of memory\n");
                else if (ferror(stdout))
                        fprintf(stderr, "evdiag timeline: cannot write the timeline: %s\n", strerror(errno));
                else
                        fprintf(stderr, "evdiag timeline: %s\n", r == -EIO ? store_error(store) : strerror(-r));
                goto done;
        }
        code = partial ? EXIT_PARTIAL : EXIT_OK;
done:
        free(t.marks);
        free(t.artifact_marks);
        strbuf_done(&t.line);
        return code;
}
