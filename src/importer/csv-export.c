/* SPDX-License-Identifier: MIT */
#include "csv-export.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "base/text-reader.h"
#include "base/utf.h"
#include "importer/parse-util.h"

/* Event Viewer "Save as CSV" (and "Save as TXT", the same with TABs):
 *
 *   Level,Date and Time,Source,Event ID,Task Category
 *   Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,15300,None,"SSL Certificate ..."
 *
 * The header names five columns; the message is an unnamed sixth. Fields follow RFC 4180: a
 * quoted field may hold the separator, doubled quotes and line breaks, so one record may span
 * many lines. Times are local and carry no zone; the export names neither host nor log.
 *
 * Records are read from TextReader lines and joined while a quote is open. Rules for damaged
 * input, chosen so that one bad record costs only itself where the quoting allows:
 * - A record longer than EVDIAG_MAX_CSV_RECORD bytes is skipped. Its quotes are still followed
 *   (nothing more is stored), so reading resumes at the line after the one where its quoting
 *   closes, which is where the next record starts by the rules of the format.
 * - A line longer than EVDIAG_MAX_LINE is lost to TextReader, and with it whatever quotes it
 *   held: the record it belonged to is dropped and the next line starts a new record.
 * - A quote still open at the end of the input drops the record it opened in.
 * Blank lines are skipped. The first other line must be the header, or the input is not of
 * this format (-EBADMSG); an input of nothing but blank lines is empty (a warning only). */

#define CSV_MIN_COLUMNS 5

static const char *const header_sets[][CSV_MIN_COLUMNS] = {
        { "Level", "Date and Time", "Source", "Event ID", "Task Category" },
        { "Ebene", "Datum und Uhrzeit", "Quelle", "Ereignis-ID", "Aufgabenkategorie" },
};

/* Comma (CSV), TAB ("Save as TXT"), semicolon (lists saved in some locales). */
static const char separators[] = { ',', '\t', ';' };

typedef enum CsvState {
        CSV_FIELD_START,
        CSV_UNQUOTED,
        CSV_QUOTED,
        CSV_QUOTE_SEEN,         /* a quote inside a quoted field: its end, or the first of "" */
} CsvState;

typedef struct CsvRecord {
        StrBuf text;                                    /* the fields, each followed by a NUL */
        size_t start[EVDIAG_MAX_CSV_COLUMNS];
        size_t len[EVDIAG_MAX_CSV_COLUMNS];
        size_t n_fields;                                /* also counts fields past the cap */
        size_t field_start;                             /* where the open field begins in text */
        uint64_t bytes;                                 /* as written, inner line breaks included */
        uint64_t line, lines;                           /* first line, and lines taken */
        CsvState state;
        bool too_long;
} CsvRecord;

typedef struct CsvParser {
        const ParseOptions *opts;
        const ImportSink *sink;
        Diag *diag;
        bool voting;                                    /* first pass: only count date orders */
        DateVote dates;                                 /* the day/month order of the file's dates */
        char sep;                                       /* 0 until the header was read */
        uint64_t rows;
        CsvRecord rec;
        StrBuf message;
} CsvParser;

static void csv_parser_done(CsvParser *p) {
        strbuf_done(&p->rec.text);
        strbuf_done(&p->message);
}

/* Warnings are given in the second pass only, so that each is given once. */
static void csv_warn(CsvParser *p, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void csv_warn(CsvParser *p, uint64_t line, const char *fmt, ...) {
        va_list ap;

        if (p->voting)
                return;
        va_start(ap, fmt);
        diag_addv(p->diag, DIAG_WARNING, line, DIAG_NO_OFFSET, fmt, ap);
        va_end(ap);
}

static void record_reset(CsvRecord *r, uint64_t line) {
        strbuf_reset(&r->text);
        r->n_fields = 0;
        r->field_start = 0;
        r->bytes = 0;
        r->line = line;
        r->lines = 0;
        r->state = CSV_FIELD_START;
        r->too_long = false;
}

/* Field i, trimmed of spaces, NUL-terminated in place of the trim. */
static char *record_field(CsvRecord *r, size_t i) {
        char *s = r->text.data + r->start[i];
        size_t n = r->len[i];

        while (n > 0 && is_hspace(s[n - 1]))
                s[--n] = 0;
        while (n > 0 && is_hspace(*s))
                s++, n--;
        return s;
}

static void record_count(CsvRecord *r, size_t n) {
        r->bytes += n;
        if (!r->too_long && r->bytes > EVDIAG_MAX_CSV_RECORD) {
                r->too_long = true;
                strbuf_done(&r->text);
                r->field_start = 0;
        }
}

static int record_append(CsvRecord *r, const char *s, size_t n) {
        if (r->too_long)
                return 0;
        return strbuf_append(&r->text, s, n);
}

static int record_end_field(CsvRecord *r) {
        size_t i = r->n_fields++;

        if (r->too_long)
                return 0;
        if (i >= EVDIAG_MAX_CSV_COLUMNS) {
                /* Past the cap nothing is kept; the record is skipped once complete. */
                r->text.len = r->field_start;
                if (r->text.data)
                        r->text.data[r->text.len] = 0;
                return 0;
        }
        r->start[i] = r->field_start;
        r->len[i] = r->text.len - r->field_start;
        if (strbuf_putc(&r->text, 0) < 0)
                return -ENOMEM;
        r->field_start = r->text.len;
        return 0;
}

/* Feeds one line. Returns 1 when it completes the record, 0 when a quoted field goes on to the
 * next line, or -ENOMEM. */
static int record_feed(CsvRecord *r, char sep, const char *s, size_t n) {
        size_t i = 0;
        int k;

        if (r->lines++ > 0)
                record_count(r, 1);     /* the line break inside quotes */
        record_count(r, n);

        while (i < n) {
                const char *q;
                size_t j;

                switch (r->state) {
                case CSV_FIELD_START:
                        if (s[i] == '"') {
                                r->state = CSV_QUOTED;
                                i++;
                        } else
                                r->state = CSV_UNQUOTED;
                        break;

                case CSV_UNQUOTED:
                        q = memchr(s + i, sep, n - i);
                        j = q ? (size_t) (q - s) : n;
                        if (record_append(r, s + i, j - i) < 0)
                                return -ENOMEM;
                        i = j;
                        if (q) {
                                if (record_end_field(r) < 0)
                                        return -ENOMEM;
                                r->state = CSV_FIELD_START;
                                i++;
                        }
                        break;

                case CSV_QUOTED:
                        q = memchr(s + i, '"', n - i);
                        j = q ? (size_t) (q - s) : n;
                        if (record_append(r, s + i, j - i) < 0)
                                return -ENOMEM;
                        i = j;
                        if (q) {
                                r->state = CSV_QUOTE_SEEN;
                                i++;
                        }
                        break;

                case CSV_QUOTE_SEEN:
                        if (s[i] == '"') {
                                if (record_append(r, "\"", 1) < 0)
                                        return -ENOMEM;
                                r->state = CSV_QUOTED;
                                i++;
                        } else if (s[i] == sep) {
                                if (record_end_field(r) < 0)
                                        return -ENOMEM;
                                r->state = CSV_FIELD_START;
                                i++;
                        } else
                                /* Text after the closing quote is kept as written. */
                                r->state = CSV_UNQUOTED;
                        break;
                }
        }

        if (r->state == CSV_QUOTED) {
                /* Line breaks inside quotes are kept as LF whatever the file used. */
                return record_append(r, "\n", 1) < 0 ? -ENOMEM : 0;
        }
        k = record_end_field(r);
        if (k < 0)
                return k;
        r->state = CSV_FIELD_START;
        return 1;
}

/* Returns whether the record is a header of one of the known languages. */
static bool record_is_header(CsvRecord *r) {
        if (r->too_long || r->n_fields < CSV_MIN_COLUMNS || r->n_fields > EVDIAG_MAX_CSV_COLUMNS)
                return false;
        for (size_t set = 0; set < ELEMENTSOF(header_sets); set++) {
                size_t i;

                for (i = 0; i < CSV_MIN_COLUMNS; i++) {
                        const char *f = record_field(r, i), *want = header_sets[set][i];

                        if (!ascii_strcaseeq_n(f, strlen(f), want, strlen(want)))
                                break;
                }
                if (i == CSV_MIN_COLUMNS)
                        return true;
        }
        return false;
}

/* The first line that is not blank must be the header; it also tells the separator. Returns 1
 * when it is, 0 when it is not, or -ENOMEM. */
static int read_header(CsvParser *p, const char *s, size_t n, uint64_t line) {
        p->rec.line = line;
        for (size_t i = 0; i < ELEMENTSOF(separators); i++) {
                int k;

                if (!memchr(s, separators[i], n))
                        continue;
                record_reset(&p->rec, line);
                k = record_feed(&p->rec, separators[i], s, n);
                if (k < 0)
                        return k;
                if (k > 0 && record_is_header(&p->rec)) {
                        p->sep = separators[i];
                        return 1;
                }
        }
        return 0;
}

/* The message: the sixth column, and any beyond it (a message someone saved without quoting
 * its separators), trimmed at the end. NULL when empty. */
static int record_message(CsvParser *p, const char **ret) {
        CsvRecord *r = &p->rec;
        StrBuf *m = &p->message;

        strbuf_reset(m);
        for (size_t i = CSV_MIN_COLUMNS; i < r->n_fields; i++) {
                if (i > CSV_MIN_COLUMNS && strbuf_putc(m, p->sep) < 0)
                        return -ENOMEM;
                if (strbuf_append(m, r->text.data + r->start[i], r->len[i]) < 0)
                        return -ENOMEM;
        }
        while (m->len > 0 && (is_hspace(m->data[m->len - 1]) || m->data[m->len - 1] == '\n'))
                m->data[--m->len] = 0;
        if (m->len > EVDIAG_MAX_MESSAGE) {
                size_t cut = EVDIAG_MAX_MESSAGE;

                while (cut > 0 && ((unsigned char) m->data[cut] & 0xC0) == 0x80)
                        cut--;
                m->data[m->len = cut] = 0;
                csv_warn(p, r->line, "message cut at %d bytes", EVDIAG_MAX_MESSAGE);
        }
        *ret = m->len > 0 ? m->data : NULL;
        return 0;
}

static int record_done(CsvParser *p) {
        CsvRecord *r = &p->rec;
        const char *level, *source, *id, *message;
        char *date;
        CivilTime c;
        int64_t event_id, ticks;
        int k;

        if (r->too_long) {
                csv_warn(p, r->line, "record longer than %d bytes skipped", EVDIAG_MAX_CSV_RECORD);
                return 0;
        }
        if (r->n_fields > EVDIAG_MAX_CSV_COLUMNS) {
                csv_warn(p, r->line, "record with more than %d columns skipped", EVDIAG_MAX_CSV_COLUMNS);
                return 0;
        }
        if (r->lines == 1 && r->n_fields == 1 && r->len[0] == 0)
                return 0;                                       /* a blank line */
        if (r->n_fields < CSV_MIN_COLUMNS) {
                csv_warn(p, r->line, "record with %zu column(s) skipped: %d are needed",
                         r->n_fields, CSV_MIN_COLUMNS);
                return 0;
        }
        p->rows++;

        date = record_field(r, 1);
        drop_direction_marks(date, strlen(date));
        if (p->voting) {
                date_vote_add(&p->dates, date, r->line);
                return 0;
        }

        level = record_field(r, 0);
        source = record_field(r, 2);
        id = record_field(r, 3);
        if (event_id_parse(id, &event_id) < 0) {
                csv_warn(p, r->line, "record skipped: Event ID \"%.*s\" is not a number from 0 to 65535",
                         quote_len(id), id);
                return 0;
        }
        if (date_vote_read(&p->dates, date, p->opts ? p->opts->tz : NULL, &c, &ticks) < 0) {
                csv_warn(p, r->line, "record skipped: \"%.*s\" is not a date", quote_len(date), date);
                return 0;
        }
        k = record_message(p, &message);
        if (k < 0)
                return k;

        Event ev = {
                .provider = *source ? source : NULL,
                .event_id = event_id,
                .qualifiers = EVENT_NO_VALUE,
                .version = EVENT_NO_VALUE,
                .level = level_from_name(level),
                .task = EVENT_NO_VALUE,
                .opcode = EVENT_NO_VALUE,
                .record_id = EVENT_NO_VALUE,
                .time = ticks,
                .time_digits = c.digits,
                .message = message,
                .line = r->line,
                .offset = UINT64_MAX,
        };
        return p->sink->event(p->sink->userdata, &ev);
}

/* Returns 0, -EBADMSG when the input has no header (the caller says so), or -errno. */
static int run_pass(CsvParser *p, TextReader *tr) {
        bool in_record = false;
        int k;

        p->sep = 0;
        p->rows = 0;
        for (;;) {
                const char *s;
                size_t n;
                uint64_t line;

                k = text_reader_getline(tr, &s, &n);
                if (k == 0)
                        break;
                line = text_reader_line(tr);
                if (k == -E2BIG) {
                        csv_warn(p, line, "line longer than %d bytes skipped", EVDIAG_MAX_LINE);
                        if (in_record) {
                                csv_warn(p, p->rec.line, "record skipped: its line %llu was too long",
                                         (unsigned long long) line);
                                in_record = false;
                        }
                        continue;
                }
                if (k < 0)
                        return k;

                if (p->sep == 0) {
                        if (is_blank(s, n))
                                continue;
                        k = read_header(p, s, n, line);
                        if (k < 0)
                                return k;
                        if (k == 0)
                                return -EBADMSG;
                        continue;
                }

                if (!in_record) {
                        record_reset(&p->rec, line);
                        in_record = true;
                }
                k = record_feed(&p->rec, p->sep, s, n);
                if (k < 0)
                        return k;
                if (k == 0)
                        continue;
                in_record = false;
                k = record_done(p);
                if (k < 0)
                        return k;
        }
        if (in_record) {
                if (p->rec.too_long)
                        csv_warn(p, p->rec.line, "record longer than %d bytes skipped", EVDIAG_MAX_CSV_RECORD);
                csv_warn(p, p->rec.line, "record skipped: its quote is not closed before the end of the input");
        }
        return 0;
}

int csv_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        _cleanup_(text_reader_freep) TextReader *tr = NULL;
        _cleanup_(csv_parser_done) CsvParser p = {
                .opts = opts,
                .sink = sink,
                .diag = diag,
                .voting = true,
        };
        uint64_t bad, bad_line;
        bool empty = true;
        int r;

        if (!in || !sink || !sink->event)
                return -EINVAL;
        r = text_reader_new(in, &tr);
        if (r < 0)
                return r;

        r = run_pass(&p, tr);
        if (r == -EBADMSG) {
                diag_error_line(diag, p.rec.line,
                                "not an Event Viewer CSV export: no \"Level,Date and Time,Source,Event ID,Task Category\" header");
                return r;
        }
        if (r < 0)
                return r;
        empty = p.sep == 0;
        date_vote_decide(&p.dates, diag);

        r = text_reader_rewind(tr);
        if (r < 0)
                return r;
        p.voting = false;
        r = run_pass(&p, tr);
        if (r < 0)
                return r;

        bad = text_reader_bad_sequences(tr, &bad_line);
        if (bad > 0)
                diag_warn_line(diag, bad_line, "%llu invalid byte sequence(s) replaced with U+FFFD",
                               (unsigned long long) bad);
        if (p.rows == 0)
                diag_warn_line(diag, DIAG_NO_LINE, empty ? "no events found: the input is empty" : "no events found");
        return 0;
}
