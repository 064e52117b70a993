/* SPDX-License-Identifier: MIT */
/* The differential test of the .evtx reader against libevtx (evtxexport 20181227), over the
 * real logs of the shared corpus (skipped with a message when it is absent).
 *
 * For every file, evtx_parse() must not fail (the legacy .evt sample aside, which it must
 * refuse). For every file libevtx read without error, libevtx's dump (reference/libevtx/
 * <file>.xml.xz, decompressed with `xz -dc`) is read back with the project's own XML export
 * parser, and compared with what evdiag read: the same number of records (the ones evdiag
 * recovered from slack space aside: evtxexport leaves those out by default), and for each
 * record, matched by record id, the same time (100 ns), event id, qualifiers, level,
 * provider, channel, computer and EventData / UserData values in order. For the files libevtx
 * fails on, evdiag must read at least as many records, and the records libevtx did write must
 * compare equal too. One summary line per file is printed. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "collect-sink.h"
#include "importer/evtx.h"
#include "importer/xml-export.h"

#define EVTX_DIR CORPUS_DIR "/evtx"
#define REFERENCE_DIR CORPUS_DIR "/reference"
#define MAX_SHOWN 5

typedef struct RefRow {
        char *file;
        int libevtx_rc;
        long libevtx_records;
} RefRow;

static bool corpus_present(void) {
        struct stat st;

        return stat(EVTX_DIR, &st) == 0 && S_ISDIR(st.st_mode) && stat(REFERENCE_DIR "/reference_counts.tsv", &st) == 0;
}

/* Reads reference_counts.tsv: file, then libevtx_rc and libevtx_records by column name. */
static RefRow *read_counts(size_t *ret_n) {
        FILE *f = fopen(REFERENCE_DIR "/reference_counts.tsv", "r");
        char line[8192];
        int col_rc = -1, col_records = -1;
        RefRow *rows = NULL;
        size_t n = 0, a = 0;

        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                char *save = NULL, *tok;
                int col = 0;
                RefRow row = { .libevtx_rc = -1, .libevtx_records = -1 };

                line[strcspn(line, "\r\n")] = 0;
                if (strncmp(line, "file\t", 5) == 0) {
                        for (tok = strtok_r(line, "\t", &save); tok; tok = strtok_r(NULL, "\t", &save), col++)
                                if (strcmp(tok, "libevtx_rc") == 0)
                                        col_rc = col;
                                else if (strcmp(tok, "libevtx_records") == 0)
                                        col_records = col;
                        continue;
                }
                for (tok = strtok_r(line, "\t", &save); tok; tok = strtok_r(NULL, "\t", &save), col++) {
                        if (col == 0)
                                row.file = strdup(tok);
                        else if (col == col_rc)
                                row.libevtx_rc = atoi(tok);
                        else if (col == col_records)
                                row.libevtx_records = atol(tok);
                }
                if (col_rc >= 0 && row.file) {
                        assert_int_equal(ARRAY_GROW(rows, a, n + 1), 0);
                        rows[n++] = row;
                }
        }
        fclose(f);
        assert_true(col_rc >= 0 && col_records >= 0);
        *ret_n = n;
        return rows;
}

/* The whole output of `xz -dc path`; NULL when it cannot be run. */
static char *xz_decompress(const char *path, size_t *ret_n) {
        _cleanup_free_ char *cmd = NULL;
        char *buf = NULL;
        size_t n = 0, a = 0;
        FILE *p;

        assert_true(asprintf(&cmd, "xz -dc '%s'", path) > 0);
        p = popen(cmd, "r");
        if (!p)
                return NULL;
        for (;;) {
                size_t k;

                if (a - n < 65536) {
                        a = a ? 2 * a : 1 << 20;
                        buf = realloc(buf, a);
                        assert_non_null(buf);
                }
                k = fread(buf + n, 1, a - n, p);
                if (k == 0)
                        break;
                n += k;
        }
        if (pclose(p) != 0) {
                free(buf);
                return NULL;
        }
        *ret_n = n;
        return buf;
}

static bool str_eq(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

/* Whether our value equals libevtx's once it went through XML: an XML parser reads CR LF and
 * a lone CR as LF, so the dump cannot tell them apart. */
static bool value_eq(const char *ours, const char *theirs) {
        if (!ours || !theirs)
                return ours == theirs;
        while (*ours && *theirs) {
                if (*ours == '\r') {
                        if (*theirs != '\n')
                                return false;
                        ours += ours[1] == '\n' ? 2 : 1;
                        theirs++;
                        continue;
                }
                if (*ours != *theirs)
                        return false;
                ours++;
                theirs++;
        }
        return *ours == *theirs;
}

/* Known libevtx errors met, by kind: negative numbers, surrogates, markup, control characters. */
static unsigned known_kinds[4];

typedef struct Diff {
        unsigned count, shown, known;
        const char *file;
} Diff;

/* libevtx writes a negative 32- or 64-bit integer as minus its low 31 or 63 bits
 * (0x8004805F, which is -2147188641, as "-295007"): a bug of libevtx, counted apart. */
static bool libevtx_negative_bug(const char *ours, const char *theirs) {
        char *end;
        long long o, t;

        if (!ours || !theirs || ours[0] != '-' || theirs[0] != '-')
                return false;
        errno = 0;
        o = strtoll(ours, &end, 10);
        if (errno != 0 || *end)
                return false;
        t = strtoll(theirs, &end, 10);
        if (errno != 0 || *end)
                return false;
        if (o >= INT32_MIN)
                return t == -(long long) ((uint64_t) o & 0x7FFFFFFFu);
        return (uint64_t) -t == ((uint64_t) o & 0x7FFFFFFFFFFFFFFFu);
}

static void diff(Diff *d, int64_t record_id, const char *what, const char *ours, const char *theirs) {
        d->count++;
        if (d->shown++ < MAX_SHOWN)
                printf("  %s: record %lld: %s: evdiag \"%s\", libevtx \"%s\"\n", d->file, (long long) record_id, what,
                       ours ? ours : "(none)", theirs ? theirs : "(none)");
}

static void diff_num(Diff *d, int64_t record_id, const char *what, int64_t ours, int64_t theirs) {
        char a[32], b[32];

        if (ours == theirs)
                return;
        snprintf(a, sizeof(a), "%lld", (long long) ours);
        snprintf(b, sizeof(b), "%lld", (long long) theirs);
        diff(d, record_id, what, a, b);
}

/* A lone high surrogate followed by a character that is no low surrogate: evdiag replaces the
 * surrogate alone with U+FFFD (Unicode's advice), libevtx drops the next character with it. */
static bool libevtx_surrogate_bug(const char *ours, const char *theirs) {
        _cleanup_free_ char *squeezed = NULL;
        size_t n = 0;

        if (!ours || !theirs || !strstr(ours, "\xEF\xBF\xBD"))
                return false;
        squeezed = malloc(strlen(ours) + 1);
        assert_non_null(squeezed);
        for (const char *p = ours; *p;) {
                if (strncmp(p, "\xEF\xBF\xBD", 3) == 0) {
                        memcpy(squeezed + n, p, 3);
                        n += 3;
                        p += 3;
                        /* skip the next UTF-8 character */
                        if (*p) {
                                p++;
                                while ((*p & 0xC0) == 0x80)
                                        p++;
                        }
                        continue;
                }
                squeezed[n++] = *p++;
        }
        squeezed[n] = 0;
        return strcmp(squeezed, theirs) == 0;
}

/* A control character in a value: libevtx writes it raw, which XML cannot read; the repaired
 * dump has U+FFFD in its place. */
static bool libevtx_control_bug(const char *ours, const char *theirs) {
        if (!ours || !theirs)
                return false;
        while (*ours && *theirs) {
                unsigned char c = (unsigned char) *ours;

                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        if (strncmp(theirs, "\xEF\xBF\xBD", 3) != 0)
                                return false;
                        ours++;
                        theirs += 3;
                        continue;
                }
                if (c == '\r' && *theirs == '\n') {
                        ours += ours[1] == '\n' ? 2 : 1;
                        theirs++;
                        continue;
                }
                if (*ours != *theirs)
                        return false;
                ours++;
                theirs++;
        }
        return *ours == *theirs;
}

/* A string value that holds XML markup: libevtx writes it without escaping, so that its dump
 * reads back as child elements and an empty value. */
static bool libevtx_markup_bug(const char *ours, const char *theirs) {
        return ours && theirs && theirs[0] == 0 && ours[0] == '<' && strchr(ours, '>');
}

static void compare_event(Diff *d, const Event *ours, const Event *theirs) {
        int64_t id = theirs->record_id;
        size_t n;

        diff_num(d, id, "time", ours->time, theirs->time);
        diff_num(d, id, "event id", ours->event_id, theirs->event_id);
        diff_num(d, id, "qualifiers", ours->qualifiers, theirs->qualifiers);
        diff_num(d, id, "level", ours->level, theirs->level);
        if (!str_eq(ours->provider, theirs->provider))
                diff(d, id, "provider", ours->provider, theirs->provider);
        if (!str_eq(ours->channel, theirs->channel))
                diff(d, id, "channel", ours->channel, theirs->channel);
        if (!str_eq(ours->host, theirs->host))
                diff(d, id, "computer", ours->host, theirs->host);
        n = ours->n_fields < theirs->n_fields ? ours->n_fields : theirs->n_fields;
        for (size_t i = 0; i < n; i++) {
                char what[300];

                snprintf(what, sizeof(what), "field %zu (%s)", i + 1,
                         theirs->fields[i].name ? theirs->fields[i].name : "unnamed");
                if (!str_eq(ours->fields[i].name, theirs->fields[i].name))
                        diff(d, id, "field name", ours->fields[i].name, theirs->fields[i].name);
                else if (value_eq(ours->fields[i].value, theirs->fields[i].value))
                        continue;
                else if (libevtx_negative_bug(ours->fields[i].value, theirs->fields[i].value))
                        d->known++, known_kinds[0]++;
                else if (libevtx_surrogate_bug(ours->fields[i].value, theirs->fields[i].value))
                        d->known++, known_kinds[1]++;
                else if (libevtx_markup_bug(ours->fields[i].value, theirs->fields[i].value))
                        d->known++, known_kinds[2]++;
                else if (libevtx_control_bug(ours->fields[i].value, theirs->fields[i].value))
                        d->known++, known_kinds[3]++;
                else if (!value_eq(ours->fields[i].value, theirs->fields[i].value))
                        diff(d, id, what, ours->fields[i].value, theirs->fields[i].value);
        }
        diff_num(d, id, "number of fields", (int64_t) ours->n_fields, (int64_t) theirs->n_fields);
}

/* libevtx writes string values as they are, without escaping '<', '>', '&' or control
 * characters, so some of its events are not well-formed XML. Such an event is repaired before
 * it is read again: the text of each <Data> element (up to the last "</Data>" before the next
 * <Data> or the end of EventData) is escaped, and the control characters XML cannot carry
 * become U+FFFD. Returns the repaired text; the caller frees it. */
static char *repair_event(const char *ev, size_t n, size_t *ret_n) {
        StrBuf out = {};
        size_t i = 0;

        while (i < n) {
                const char *open = memmem(ev + i, n - i, "\n    <Data", 10), *content, *stop, *close = NULL;

                if (!open) {
                        assert_int_equal(strbuf_append(&out, ev + i, n - i), 0);
                        break;
                }
                content = memchr(open + 10, '>', n - (size_t) (open + 10 - ev));
                if (!content || content[-1] == '/') {
                        size_t k = (size_t) ((content ? content + 1 : ev + n) - ev);

                        assert_int_equal(strbuf_append(&out, ev + i, k - i), 0);
                        i = k;
                        continue;
                }
                content++;
                stop = memmem(content, n - (size_t) (content - ev), "\n    <Data", 10);
                if (!stop)
                        stop = memmem(content, n - (size_t) (content - ev), "\n  </EventData>", 15);
                if (!stop)
                        stop = ev + n;
                for (const char *p = content; p + 7 <= stop; p++)
                        if (memcmp(p, "</Data>", 7) == 0)
                                close = p;
                if (!close) {
                        assert_int_equal(strbuf_append(&out, ev + i, (size_t) (stop - ev) - i), 0);
                        i = (size_t) (stop - ev);
                        continue;
                }
                assert_int_equal(strbuf_append(&out, ev + i, (size_t) (content - ev) - i), 0);
                for (const char *p = content; p < close; p++) {
                        unsigned char c = (unsigned char) *p;

                        if (c == '<')
                                assert_int_equal(strbuf_puts(&out, "&lt;"), 0);
                        else if (c == '>')
                                assert_int_equal(strbuf_puts(&out, "&gt;"), 0);
                        else if (c == '&')
                                assert_int_equal(strbuf_puts(&out, "&amp;"), 0);
                        else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                                assert_int_equal(strbuf_puts(&out, "\xEF\xBF\xBD"), 0);
                        else
                                assert_int_equal(strbuf_putc(&out, (char) c), 0);
                }
                i = (size_t) (close - ev);
        }
        *ret_n = out.len;
        return strbuf_steal(&out);
}

/* Reads every <Event> of libevtx's dump into c, repairing those that are not well-formed. */
static void read_reference(const char *xml, size_t n, CollectSink *c, Diag *diag, size_t *ret_repaired,
                           size_t *ret_unreadable) {
        const char *p = xml, *end = xml + n;
        uint64_t line = 1;

        while (p < end) {
                const char *start = memmem(p, (size_t) (end - p), "<Event xmlns", 12), *stop;
                size_t len;
                int r;

                if (!start)
                        break;
                for (const char *q = p; q < start; q++)
                        line += *q == '\n';
                stop = memmem(start, (size_t) (end - start), "\n</Event>", 9);
                stop = stop ? stop + 9 : end;
                len = (size_t) (stop - start);
                r = xml_export_parse_event(start, len, line, &c->sink, diag);
                assert_true(r >= 0);
                if (r == 0) {
                        _cleanup_free_ char *fixed = NULL;
                        size_t fixed_n;

                        fixed = repair_event(start, len, &fixed_n);
                        r = xml_export_parse_event(fixed, fixed_n, line, &c->sink, diag);
                        assert_true(r >= 0);
                        if (r == 1)
                                (*ret_repaired)++;
                        else {
                                (*ret_unreadable)++;
                                if (getenv("DEBUG_REPAIR"))
                                        fprintf(stderr, "%.*s\n", (int) fixed_n, fixed);
                        }
                }
                p = stop;
        }
}

/* Runs one file. Returns the differences found. */
static unsigned check_file(const RefRow *row, uint64_t *total_records, unsigned *total_known) {
        _cleanup_free_ char *path = NULL, *ref_path = NULL, *xml = NULL;
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_(diag_freep) Diag *diag = NULL, *ref_diag = NULL;
        CollectSink ours, theirs;
        size_t n_ours = 0, recovered = 0, from_cut = 0, xml_n = 0, next = 0, repaired = 0, unreadable = 0;
        uint64_t size, cut_start = UINT64_MAX;
        Diff d = { .file = row->file };
        int r;

        assert_true(asprintf(&path, "%s/%s", EVTX_DIR, row->file) > 0);
        assert_int_equal(instream_open(path, &in), 0);
        diag = diag_new(path);
        collect_sink_init(&ours);
        r = evtx_parse(in, NULL, &ours.sink, diag);
        if (strstr(row->file, ".Evt")) {
                /* The legacy .evt sample: one clear error. */
                assert_int_equal(r, -EBADMSG);
                assert_int_equal(diag_errors(diag), 1);
                printf("%s: refused (legacy .evt), as libevtx does\n", row->file);
                collect_sink_done(&ours);
                return 0;
        }
        assert_int_equal(r, 0);
        /* A file cut inside a chunk: libevtx leaves that chunk out, evdiag reads the records
         * before the cut. */
        size = instream_size(in);
        if (size > 4096 && (size - 4096) % 65536 != 0)
                cut_start = 4096 + (size - 4096) / 65536 * 65536;
        for (size_t i = 0; i < ours.n_events; i++)
                if (ours.events[i].ev.recovered)
                        recovered++;
                else if (ours.events[i].ev.offset >= cut_start)
                        from_cut++;
        n_ours = ours.n_events - recovered - from_cut;
        *total_records += ours.n_events;

        assert_true(asprintf(&ref_path, "%s/libevtx/%s.xml.xz", REFERENCE_DIR, row->file) > 0);
        xml = xz_decompress(ref_path, &xml_n);
        if (!xml) {
                printf("%s: cannot read %s (is xz installed?); compared counts only\n", row->file, ref_path);
                assert_true((long) n_ours >= row->libevtx_records);
                collect_sink_done(&ours);
                return 0;
        }
        ref_diag = diag_new(ref_path);
        collect_sink_init(&theirs);
        read_reference(xml, xml_n, &theirs, ref_diag, &repaired, &unreadable);

        /* Match libevtx's records to ours by id; both are in file order. */
        for (size_t i = 0; i < theirs.n_events; i++) {
                const Event *t = &theirs.events[i].ev;
                const Event *o = NULL;

                for (size_t k = 0; k < ours.n_events && !o; k++) {
                        const Event *c = &ours.events[(next + k) % ours.n_events].ev;

                        if (!c->recovered && c->record_id == t->record_id) {
                                o = c;
                                next = (next + k + 1) % ours.n_events;
                        }
                }
                if (!o) {
                        char id[32];

                        snprintf(id, sizeof(id), "%lld", (long long) t->record_id);
                        diff(&d, t->record_id, "record missing", NULL, id);
                        continue;
                }
                compare_event(&d, o, t);
        }

        /* The count is libevtx's own (reference_counts.tsv): reading its dump back may skip
         * an event it wrote as malformed XML. */
        if (row->libevtx_rc == 0) {
                if ((long) n_ours != row->libevtx_records) {
                        char a[32], b[32];

                        snprintf(a, sizeof(a), "%zu", n_ours);
                        snprintf(b, sizeof(b), "%ld", row->libevtx_records);
                        diff(&d, -1, "record count", a, b);
                }
        } else {
                /* libevtx stopped with an error: evdiag reads at least as much. */
                assert_true((long) n_ours >= row->libevtx_records);
        }
        printf("%s: libevtx %ld records%s (%zu of its XML repaired, %zu unreadable), evdiag %zu (+%zu recovered, "
               "+%zu from the cut last chunk), %llu warnings, %u differences, %u known libevtx errors\n",
               row->file, row->libevtx_records, row->libevtx_rc == 0 ? "" : " then failed", repaired, unreadable,
               n_ours, recovered, from_cut, (unsigned long long) diag_count(diag), d.count, d.known);
        if (unreadable > 0)
                diff(&d, -1, "libevtx events that could not be read back", NULL, NULL);
        *total_known += d.known;
        collect_sink_done(&theirs);
        collect_sink_done(&ours);
        return d.count;
}

static void test_corpus_differential(void **state) {
        RefRow *rows;
        size_t n;
        unsigned differences = 0, files = 0, known = 0;
        uint64_t records = 0;

        if (!corpus_present()) {
                printf("shared corpus not found under %s: skipped\n", CORPUS_DIR);
                skip();
        }
        rows = read_counts(&n);
        for (size_t i = 0; i < n; i++) {
                differences += check_file(&rows[i], &records, &known);
                files++;
        }
        printf("%u files, %llu records read, %u differences from libevtx, %u more where libevtx is wrong\n", files,
               (unsigned long long) records, differences, known);
        printf("libevtx errors: %u negative numbers, %u bad surrogates, %u values with markup, %u control characters\n",
               known_kinds[0], known_kinds[1], known_kinds[2], known_kinds[3]);
        for (size_t i = 0; i < n; i++)
                free(rows[i].file);
        free(rows);
        assert_int_equal(differences, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_corpus_differential),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
