/* SPDX-License-Identifier: MIT */
/* The reports, rendered from Reports that hold what logs may hold.
 *
 * Golden files: tests/data/report/golden.{txt,color.txt,md,json} are the renderings of the
 * fixed report built by golden_report() below, compared byte for byte. When a change to a
 * renderer is meant to change them, regenerate them with
 *     EVDIAG_UPDATE_GOLDEN=1 build/tests/test-report
 * (run from anywhere: the files are written into the source tree), read the diff line by line,
 * and say in the commit why they changed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/datetime.h"
#include "base/strbuf.h"
#include "report/escape.h"
#include "report/report.h"

#define GOLDEN_DIR TEST_DATA_DIR "/report"

/* 2024-03-12T02:14:13.4200003Z */
static int64_t t0(void) {
        return (days_from_civil(2024, 3, 12) * 86400 + 2 * 3600 + 14 * 60 + 13) * TICKS_PER_SECOND + 4200003;
}

static void set(char **field, const char *value) {
        *field = value ? strdup(value) : NULL;
        assert_true(!value || *field);
}

static ReportInput *input(Report *r, const char *path, const char *format, const char *status, const char *host,
                          uint64_t events, uint64_t duplicates, uint64_t rows) {
        ReportInput *in = report_add_input(r);

        assert_non_null(in);
        set(&in->path, path);
        set(&in->format, format);
        set(&in->status, status);
        set(&in->host, host);
        in->events = events;
        in->duplicates = duplicates;
        in->rows = rows;
        return in;
}

static ReportFinding *finding(Report *r, const char *rule, const char *title, const char *host, const char *verdict,
                              int strength, const char *reason, const char *remediation) {
        ReportFinding *f = report_add_finding(r);

        assert_non_null(f);
        set(&f->rule, rule);
        set(&f->title, title);
        set(&f->host, host);
        set(&f->verdict, verdict);
        set(&f->reason, reason);
        set(&f->remediation, remediation);
        f->strength = strength;
        return f;
}

static void symptom(ReportFinding *f, int64_t time, int digits, int64_t record, const char *endpoint,
                    const char *source, const char *verdict) {
        ReportSymptom s = {
                .time = time, .digits = digits, .event_id = 15300, .record_id = record,
                .endpoint = (char *) endpoint, .source = (char *) source, .verdict = (char *) verdict,
        };

        assert_int_equal(report_finding_add_symptom(f, &s), 0);
        f->symptoms_total++;
}

static void evidence(ReportFinding *f, const char *kind, bool has_time, int64_t time, int digits, int64_t event_id,
                     int64_t record, const char *summary, const char *source) {
        ReportEvidence e = {
                .kind = (char *) kind, .has_time = has_time, .time = time, .digits = digits, .event_id = event_id,
                .record_id = record, .summary = (char *) summary, .source = (char *) source,
        };

        assert_int_equal(report_finding_add_evidence(f, &e), 0);
}

static void timeline_event(ReportSymptom *s, int64_t time, int digits, int64_t event_id, int64_t record,
                           const char *role, const char *summary, const char *source) {
        ReportTimelineEvent ev = {
                .time = time, .digits = digits, .event_id = event_id, .record_id = record, .role = (char *) role,
                .provider = (char *) "Service Control Manager", .summary = (char *) summary, .source = (char *) source,
        };

        assert_int_equal(report_symptom_add_event(s, &ev), 0);
        s->timeline_total++;
}

static char *dup_checked(const char *s) {
        char *d = s ? strdup(s) : NULL;

        assert_true(!s || d);
        return d;
}

/* A remedy of one config key (line 52, properties 5511 and 5506 on lines 54 and 55, an excerpt
 * of texts[0..4]) and two bindings: one whose bound hash differs from the legacy one, one
 * that was recreated from it. */
static ReportRemedy *remedy_new(const char *path, const char *key_path, const char *const texts[5],
                                const char *endpoint, const char *note) {
        ReportRemedy *m = calloc(1, sizeof(*m));
        ReportConfigKey *k;

        assert_non_null(m);
        m->configs = calloc(1, sizeof(ReportConfigFix));
        assert_non_null(m->configs);
        m->n_configs = 1;
        m->configs[0].path = dup_checked(path);
        m->configs[0].fix_command = dup_checked("evdiag fix case/WEB01/applicationHost.config --in-place");
        m->configs[0].note = dup_checked(note);
        m->configs[0].keys = k = calloc(1, sizeof(ReportConfigKey));
        assert_non_null(k);
        m->configs[0].n_keys = 1;
        k->key_path = dup_checked(key_path);
        k->line = 52;
        k->end_line = 56;
        k->properties = calloc(2, sizeof(ReportConfigProperty));
        assert_non_null(k->properties);
        k->n_properties = 2;
        k->properties[0] = (ReportConfigProperty) { .id = 5511, .line = 54 };
        k->properties[1] = (ReportConfigProperty) { .id = 5506, .line = 55,
                                                    .decoded = dup_checked("a178873b314030e17463122e23bb285af0c51338") };
        k->delete_lines = calloc(2, sizeof(uint64_t));
        assert_non_null(k->delete_lines);
        k->delete_lines[0] = 54;
        k->delete_lines[1] = 55;
        k->n_delete_lines = 2;
        k->appcmd = dup_checked("%windir%\\system32\\inetsrv\\appcmd.exe set config -section:customMetadata "
                                "/-\"[path='LM/W3SVC/1'].[id='5511']\" /-\"[path='LM/W3SVC/1'].[id='5506']\"");
        k->excerpt = calloc(5, sizeof(ReportExcerptLine));
        assert_non_null(k->excerpt);
        for (size_t i = 0; i < 5; i++)
                k->excerpt[i] = (ReportExcerptLine) { .line = 52 + i, .text = dup_checked(texts[i]) };
        k->n_excerpt = 5;

        m->bindings = calloc(2, sizeof(ReportBindingFix));
        assert_non_null(m->bindings);
        m->n_bindings = 2;
        m->bindings[0] = (ReportBindingFix) {
                .endpoint = dup_checked(endpoint), .deleted = true, .netsh_supplied = true,
                .cert_hash = dup_checked("0123456789abcdef0123456789abcdef01234567"),
                .legacy_hash = dup_checked("a178873b314030e17463122e23bb285af0c51338"), .hash_differs = true,
                .command = dup_checked("netsh http add sslcert ipport=0.0.0.0:443 certhash=0123456789abcdef0123456789abcdef01234567 "
                                       "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}"),
                .note = dup_checked("The legacy hash a178873b314030e17463122e23bb285af0c51338 in property 5506 is not the "
                                    "certificate bound to 0.0.0.0:443 (0123456789abcdef0123456789abcdef01234567)."),
        };
        m->bindings[1] = (ReportBindingFix) {
                .endpoint = dup_checked("[::]:443"), .deleted = true, .netsh_supplied = true,
                .cert_hash = dup_checked("a178873b314030e17463122e23bb285af0c51338"),
                .legacy_hash = dup_checked("a178873b314030e17463122e23bb285af0c51338"), .legacy_bound = true,
                .delete_command = dup_checked("netsh http delete sslcert ipport=[::]:443"),
                .command = dup_checked("netsh http add sslcert ipport=[::]:443 certhash=<thumbprint-of-the-site-certificate> "
                                       "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}"),
                .note = dup_checked("netsh shows [::]:443 bound to the legacy hash."),
        };
        return m;
}

/* A case as evdiag reports it: a confirmed finding, a ruled-out one, an at-risk host, inputs
 * of every status. Strings hold what Markdown must escape (*, <, >, \) but nothing hostile. */
static Report *golden_report(void) {
        Report *r = report_new("0.1.0", "Europe/Berlin");
        ReportFinding *f;
        ReportInput *in;

        assert_non_null(r);
        in = input(r, "case/WEB01/System.xml", "xml", "imported", "WEB01.contoso.local", 133, 2, 0);
        in = input(r, "case/WEB01/System.csv", "csv", "imported", "WEB01.contoso.local", 20, 0, 0);
        in->warnings_total = 3;
        assert_int_equal(report_input_add_warning(in, "case/WEB01/System.csv:7: a record with 4 fields, not 6; skipped"), 0);
        assert_int_equal(report_input_add_warning(in, "case/WEB01/System.csv:9: \"31/02/2024\" is not a date; skipped"), 0);
        input(r, "case/WEB01/applicationHost.config", "apphost", "imported", "WEB01.contoso.local", 0, 0, 8);
        input(r, "case/WEB01/System-copy.xml", "xml", "duplicate", NULL, 0, 0, 0);
        in = input(r, "case/WEB01/System.evtx", "evtx", "skipped", NULL, 0, 0, 0);
        in->warnings_total = 1;
        assert_int_equal(report_input_add_warning(in, "case/WEB01/System.evtx: binary .evtx logs are not read yet; skipped"), 0);
        input(r, "case/README.md", "unknown", "ignored", NULL, 0, 0, 0);

        f = finding(r, "KB2025598", "Legacy IIS 6 SSL certificate hash re-applied (KB 2025598)", "WEB01.contoso.local",
                    "confirmed", 4,
                    "An IIS 6 metabase client started at 2024-03-12T02:14:11.5770003Z and HTTP.sys deleted the SSL "
                    "binding of 0.0.0.0:443; applicationHost.config holds 5506 under <key path=\"LM/W3SVC/1\">.",
                    "1. Delete 5506 from <customMetadata> in C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config:\n"
                    "     <key path=\"LM/W3SVC/1\"> (line 52)\n"
                    "2. Restore the binding:\n"
                    "     netsh http add sslcert ipport=0.0.0.0:443 certhash=<thumbprint> appid={4dc3e181-e14b-4a21-b022-59fc669b0914}");
        symptom(f, t0() - 900 * TICKS_PER_SECOND, 0, -1, "[::]:443", "case/WEB01/System.csv:5", "possible");
        symptom(f, t0(), 7, 48116, "0.0.0.0:443", "case/WEB01/System.xml:1", "confirmed");
        f->symptoms_total = 60;
        {
                static const char *const texts[5] = {
                        "            <key path=\"LM/W3SVC/1\">",
                        "                <property id=\"1018\" dataType=\"DWord\" value=\"1\" />",
                        "                <property id=\"5511\" dataType=\"String\" value=\"MY\" />",
                        "                <property id=\"5506\" dataType=\"Binary\" value=\"oXiHOzFAMOF0YxIuI7soWvDFEzg=\" />",
                        "            </key>",
                };
                ReportSymptom *s = &f->symptoms[1];

                s->decisive = true;
                s->window_from = t0() - 600 * TICKS_PER_SECOND;
                s->window_to = t0() + 300 * TICKS_PER_SECOND;
                timeline_event(s, t0() - 130 * TICKS_PER_SECOND, 7, 6006, 48098, "other", "EventLog 6006: The Event log service was stopped.",
                               "case/WEB01/System.xml:1");
                timeline_event(s, t0() - 18430000, 7, 7036, 48115, "launch",
                               "The IIS Admin Service service entered the running state", "case/WEB01/System.xml:1");
                timeline_event(s, t0(), 7, 15300, 48116, "symptom",
                               "Microsoft-Windows-HttpEvent 15300: SSL Certificate Settings deleted for endpoint : 0.0.0.0:443 .",
                               "case/WEB01/System.xml:1");
                timeline_event(s, t0() + 4670000, 7, 7036, 48117, "other",
                               "Service Control Manager 7036: The World Wide Web Publishing Service service entered the running state.",
                               "case/WEB01/System.xml:1");
                timeline_event(s, t0() + 109 * TICKS_PER_SECOND, 7, 15021, 48118, "aftermath",
                               "Microsoft-Windows-HttpEvent 15021: An error occurred while using SSL configuration for endpoint 0.0.0.0:443.",
                               "case/WEB01/System.xml:1");
                s->timeline_total = 9;
                f->remedy = remedy_new("case/WEB01/applicationHost.config", "LM/W3SVC/1", texts, "0.0.0.0:443", NULL);
        }
        evidence(f, "launch", true, t0() - 18430000, 7, 7036, 48115, "The IIS Admin Service service entered the running state",
                 "case/WEB01/System.xml:1");
        evidence(f, "config", false, 0, 0, -1, -1, "<key path=\"LM/W3SVC/1\"> (line 52) holds property 5506",
                 "case/WEB01/applicationHost.config:55");
        evidence(f, "binding", false, 0, 0, -1, -1, "site \"Default Web Site\" (id 1) has the https binding *:443: on 0.0.0.0:443",
                 "case/WEB01/applicationHost.config:75");

        f = finding(r, "KB2025598", "Legacy IIS 6 SSL certificate hash re-applied (KB 2025598)", "APP03", "ruled_out", 1,
                    "The applicationHost.config supplied holds no legacy hash 5506: KB 2025598 is not the cause.", NULL);
        symptom(f, t0() + 3600 * TICKS_PER_SECOND, 3, 12, NULL, "case/APP03/System.txt:40", "ruled_out");

        f = finding(r, "KB2025598", "Legacy IIS 6 SSL certificate hash re-applied (KB 2025598)", "WEB04", "at_risk", 0,
                    "No SSL binding was deleted in these logs, but applicationHost.config holds 5506.",
                    "Delete 5506 from `customMetadata`.");
        return r;
}

static char *read_all(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "rb");
        StrBuf b = {};
        char buf[4096];
        size_t n;

        *ret_size = 0;
        if (!f)
                return NULL;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                assert_int_equal(strbuf_append(&b, buf, n), 0);
        fclose(f);
        *ret_size = b.len;
        return b.data ? strbuf_steal(&b) : strdup("");
}

static void compare_golden(const char *name, const StrBuf *got) {
        char path[512];
        char *want;
        size_t size = 0;

        snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
        if (getenv("EVDIAG_UPDATE_GOLDEN")) {
                FILE *f = fopen(path, "wb");

                assert_non_null(f);
                assert_int_equal(fwrite(got->data, 1, got->len, f), got->len);
                assert_int_equal(fclose(f), 0);
                fprintf(stderr, "wrote %s\n", path);
                return;
        }
        want = read_all(path, &size);
        if (!want)
                fail_msg("%s is missing (see the top of test-report.c)", path);
        if (size != got->len || memcmp(want, got->data, size) != 0) {
                size_t i = 0;

                while (i < size && i < got->len && want[i] == got->data[i])
                        i++;
                fprintf(stderr, "%s differs at byte %zu:\n--- got:\n%.200s\n--- want:\n%.200s\n", path, i,
                        got->data + (i > 40 ? i - 40 : 0), want + (i > 40 ? i - 40 : 0));
                free(want);
                fail();
        }
        free(want);
}

static void test_golden(void **state) {
        _cleanup_(report_freep) Report *r = golden_report();
        _cleanup_strbuf_ StrBuf text = {}, color = {}, md = {}, json = {}, html = {};

        report_sort(r);
        assert_int_equal(report_render(r, REPORT_TEXT, &(ReportStyle) {}, &text), 0);
        assert_int_equal(report_render(r, REPORT_TEXT, &(ReportStyle) { .color = true }, &color), 0);
        assert_int_equal(report_render(r, REPORT_MARKDOWN, NULL, &md), 0);
        assert_int_equal(report_render(r, REPORT_JSON, NULL, &json), 0);
        assert_int_equal(report_render(r, REPORT_HTML, NULL, &html), 0);
        compare_golden("golden.txt", &text);
        compare_golden("golden.color.txt", &color);
        compare_golden("golden.md", &md);
        compare_golden("golden.json", &json);
        compare_golden("golden.html", &html);
}

/* A JSON checker: the grammar of RFC 8259, no raw control characters anywhere (not even the
 * C1 ones, valid as they are in strings), and the decoded strings kept for the caller. */
typedef struct Json {
        const unsigned char *p, *end;
        unsigned depth;
        char **strings;
        size_t n_strings, a_strings;
} Json;

static bool json_value(Json *j);

static void json_ws(Json *j) {
        while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
                j->p++;
}

static int hexval(unsigned char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool json_u4(Json *j, unsigned *ret) {
        unsigned v = 0;

        if (j->end - j->p < 4)
                return false;
        for (int i = 0; i < 4; i++) {
                int h = hexval(j->p[i]);

                if (h < 0)
                        return false;
                v = v * 16 + (unsigned) h;
        }
        j->p += 4;
        *ret = v;
        return true;
}

static void put_utf8(StrBuf *b, unsigned cp) {
        char u[5] = {};

        if (cp < 0x80)
                u[0] = (char) cp;
        else if (cp < 0x800) {
                u[0] = (char) (0xC0 | cp >> 6);
                u[1] = (char) (0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
                u[0] = (char) (0xE0 | cp >> 12);
                u[1] = (char) (0x80 | (cp >> 6 & 0x3F));
                u[2] = (char) (0x80 | (cp & 0x3F));
        } else {
                u[0] = (char) (0xF0 | cp >> 18);
                u[1] = (char) (0x80 | (cp >> 12 & 0x3F));
                u[2] = (char) (0x80 | (cp >> 6 & 0x3F));
                u[3] = (char) (0x80 | (cp & 0x3F));
        }
        if (cp == 0)
                assert_int_equal(strbuf_append(b, "", 1), 0);
        else
                assert_int_equal(strbuf_puts(b, u), 0);
}

static bool json_string(Json *j) {
        StrBuf b = {};

        if (j->p >= j->end || *j->p != '"')
                return false;
        j->p++;
        for (;;) {
                unsigned char c;

                if (j->p >= j->end)
                        goto bad;
                c = *j->p++;
                if (c == '"')
                        break;
                if (c < 0x20 || c == 0x7F || (c == 0xC2 && j->p < j->end && *j->p >= 0x80 && *j->p <= 0x9F))
                        goto bad;       /* raw control character */
                if (c != '\\') {
                        assert_int_equal(strbuf_putc(&b, (char) c), 0);
                        continue;
                }
                if (j->p >= j->end)
                        goto bad;
                c = *j->p++;
                switch (c) {
                case '"': case '\\': case '/':
                        assert_int_equal(strbuf_putc(&b, (char) c), 0);
                        break;
                case 'b': assert_int_equal(strbuf_putc(&b, '\b'), 0); break;
                case 'f': assert_int_equal(strbuf_putc(&b, '\f'), 0); break;
                case 'n': assert_int_equal(strbuf_putc(&b, '\n'), 0); break;
                case 'r': assert_int_equal(strbuf_putc(&b, '\r'), 0); break;
                case 't': assert_int_equal(strbuf_putc(&b, '\t'), 0); break;
                case 'u': {
                        unsigned cp, lo;

                        if (!json_u4(j, &cp))
                                goto bad;
                        if (cp >= 0xD800 && cp <= 0xDBFF) {
                                if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
                                        goto bad;
                                j->p += 2;
                                if (!json_u4(j, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                                        goto bad;
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                                goto bad;
                        put_utf8(&b, cp);
                        break;
                }
                default:
                        goto bad;
                }
        }
        assert_int_equal(ARRAY_GROW(j->strings, j->a_strings, j->n_strings + 1), 0);
        j->strings[j->n_strings++] = b.data ? strbuf_steal(&b) : strdup("");
        return true;
bad:
        strbuf_done(&b);
        return false;
}

static bool json_number(Json *j) {
        const unsigned char *start = j->p;

        if (j->p < j->end && *j->p == '-')
                j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9')
                return false;
        if (*j->p == '0')
                j->p++;
        else
                while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                        j->p++;
        if (j->p < j->end && *j->p == '.') {
                j->p++;
                if (j->p >= j->end || *j->p < '0' || *j->p > '9')
                        return false;
                while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                        j->p++;
        }
        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
                j->p++;
                if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
                        j->p++;
                if (j->p >= j->end || *j->p < '0' || *j->p > '9')
                        return false;
                while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                        j->p++;
        }
        return j->p > start;
}

static bool json_literal(Json *j, const char *word) {
        size_t n = strlen(word);

        if ((size_t) (j->end - j->p) < n || memcmp(j->p, word, n) != 0)
                return false;
        j->p += n;
        return true;
}

static bool json_container(Json *j, char open, char close) {
        bool first = true;

        if (++j->depth > 64)
                return false;
        j->p++;
        json_ws(j);
        if (j->p < j->end && *j->p == close) {
                j->p++;
                j->depth--;
                return true;
        }
        for (;;) {
                if (!first) {
                        json_ws(j);
                        if (j->p < j->end && *j->p == close)
                                break;
                        if (j->p >= j->end || *j->p != ',')
                                return false;
                        j->p++;
                }
                first = false;
                json_ws(j);
                if (open == '{') {
                        if (!json_string(j))
                                return false;
                        json_ws(j);
                        if (j->p >= j->end || *j->p != ':')
                                return false;
                        j->p++;
                        json_ws(j);
                }
                if (!json_value(j))
                        return false;
        }
        j->p++;
        j->depth--;
        return true;
}

static bool json_value(Json *j) {
        if (j->p >= j->end)
                return false;
        switch (*j->p) {
        case '{':
                return json_container(j, '{', '}');
        case '[':
                return json_container(j, '[', ']');
        case '"':
                return json_string(j);
        case 't':
                return json_literal(j, "true");
        case 'f':
                return json_literal(j, "false");
        case 'n':
                return json_literal(j, "null");
        default:
                return json_number(j);
        }
}

/* Checks s is one JSON document; returns its decoded strings (keys and values, in order),
 * NULL-terminated, for strv_free(). */
static char **json_check(const char *s) {
        Json j = { .p = (const unsigned char *) s, .end = (const unsigned char *) s + strlen(s) };

        json_ws(&j);
        if (!json_value(&j))
                fail_msg("not JSON at byte %zu: \"%.60s\"", (size_t) (j.p - (const unsigned char *) s), (const char *) j.p);
        json_ws(&j);
        if (j.p != j.end)
                fail_msg("text after the JSON document at byte %zu", (size_t) (j.p - (const unsigned char *) s));
        assert_int_equal(ARRAY_GROW(j.strings, j.a_strings, j.n_strings + 1), 0);
        j.strings[j.n_strings] = NULL;
        return j.strings;
}

static bool strv_has(char **v, const char *s) {
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

static bool have_python(void) {
        return system("command -v python3 >/dev/null 2>&1") == 0;
}

/* Python's json module reads doc, and finds want at findings[0].reason. */
static void python_check(const char *doc, const char *want_reason) {
        char tmpl[] = "/tmp/evdiag-test-report-XXXXXX";
        char cmd[256];
        FILE *f;
        int fd, status;

        if (!have_python()) {
                fprintf(stderr, "python3 not found: JSON checked by the test's own reader only\n");
                return;
        }
        fd = mkstemp(tmpl);
        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        assert_non_null(f);
        fputs(want_reason, f);
        assert_int_equal(fclose(f), 0);
        snprintf(cmd, sizeof(cmd),
                 "python3 -c 'import json,sys; d=json.load(sys.stdin); "
                 "sys.exit(0 if d[\"findings\"][0][\"reason\"] == open(sys.argv[1], encoding=\"utf-8\").read() else 3)' %s",
                 tmpl);
        f = popen(cmd, "w");
        assert_non_null(f);
        fputs(doc, f);
        status = pclose(f);
        unlink(tmpl);
        if (status != 0)
                fail_msg("python3 does not read the JSON report back (status %d)", status);
}

/* What log text may hold. */
static const char *const hostile[] = {
        "<script>alert(1)</script>",
        "\"double\" 'single' quotes",
        "back\\slash\\ and C:\\Windows\\",
        "pipe | in | cells ||",
        "`tick` ``two`` ```fence``` ````",
        "\x1b[31mred\x1b[0m and \x1b]0;title\x07",
        "\302\23331mC1 CSI and \xc2\x85 NEL and \xc2\x80",
        "line1\nline2\r\nline3\rcr",
        "\ttab\x01\x07\x08\x7f controls",
        "*bold* _it_ [link](http://x) ![img](y) # hash ~~del~~",
        "&amp; &lt; entities",
        "unicode: \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92 \xe2\x80\xa8 separator",
        "- list\n# heading\n> quote\n---\n```\n",
        "</title></style></svg><svg onload=alert(1)><img src=x onerror=alert(2)>",
};

static char *long_text(void) {
        StrBuf b = {};

        for (int i = 0; i < 2000; i++)
                assert_int_equal(strbuf_printf(&b, "%s|<%d>", hostile[i % ELEMENTSOF(hostile)], i), 0);
        return strbuf_steal(&b);
}

/* One hostile string in every field; the i-th string of the list goes to the i-th field. */
static Report *hostile_report(size_t k, const char *big) {
#define H(n) (big && (n) % 5 == 0 ? big : hostile[((n) + k) % ELEMENTSOF(hostile)])
        Report *r = report_new(H(0), H(1));
        ReportFinding *f;
        ReportInput *in;

        assert_non_null(r);
        in = input(r, H(2), H(3), H(4), H(5), 1, 2, 3);
        assert_int_equal(report_input_add_warning(in, H(6)), 0);
        assert_int_equal(report_input_add_warning(in, H(7)), 0);
        in->warnings_total = 9;
        input(r, H(8), H(9), "imported", NULL, 0, 0, 0);
        f = finding(r, H(10), H(11), H(12), H(13), 4, H(14), H(15));
        symptom(f, t0(), 7, 1, H(16), H(17), H(18));
        symptom(f, t0(), 0, -1, NULL, H(19), H(20));
        evidence(f, H(21), true, t0(), 3, 4688, 5, H(22), H(23));
        evidence(f, H(24), false, 0, 0, -1, -1, H(25), H(26));
        {
                const char *texts[5] = { H(35), H(36), H(37), H(38), H(39) };
                ReportSymptom *s = &f->symptoms[0];

                s->decisive = true;
                s->window_from = t0() - 600 * TICKS_PER_SECOND;
                s->window_to = t0() + 300 * TICKS_PER_SECOND;
                timeline_event(s, t0() - 5 * TICKS_PER_SECOND, 0, 1, 2, H(40), H(41), H(42));
                timeline_event(s, t0(), 7, 15300, 3, "symptom", H(43), H(44));
                timeline_event(s, t0() + 1, 7, 15021, -1, "other", H(45), H(46));
                f->remedy = remedy_new(H(47), H(48), texts, H(49), H(50));
        }
        f = finding(r, H(27), H(28), H(29), "confirmed", 3, NULL, NULL);
        f = finding(r, H(30), H(31), H(32), "ruled_out", 2, H(33), H(34));
#undef H
        return r;
}

/* Text: no control characters but newline and tab; ESC only as the start of evdiag's own SGR
 * sequences, and only with colour. */
static void check_text(const char *s, bool color) {
        static const char *const sgr[] = { "\033[1m", "\033[1;31m", "\033[1;33m", "\033[1;32m", "\033[2m", "\033[0m" };

        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == 0x1B) {
                        bool ok = false;

                        for (size_t i = 0; color && !ok && i < ELEMENTSOF(sgr); i++)
                                if (strncmp((const char *) p, sgr[i], strlen(sgr[i])) == 0) {
                                        ok = true;
                                        p += strlen(sgr[i]) - 1;
                                }
                        if (!ok)
                                fail_msg("ESC in text output at byte %zu: \"%.20s\"", (size_t) ((const char *) p - s), p + 1);
                        continue;
                }
                if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
                        fail_msg("control character 0x%02x in text output at byte %zu", *p, (size_t) ((const char *) p - s));
                if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
                        fail_msg("C1 control in text output at byte %zu", (size_t) ((const char *) p - s));
        }
        /* A newline inside a value never starts a line of the report; in the remedy, where
         * newlines stay, the line is indented. */
        for (const char *p = s; (p = strstr(p, "line2")); p++)
                if (p > s && p[-1] == '\n')
                        fail_msg("a value's newline starts a line: \"%.40s\"", p);
}

/* The number of "|" in a table line that are cell separators (not escaped). */
static size_t unescaped_pipes(const char *line, size_t len) {
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                if (line[i] == '\\') {
                        i++;
                        continue;
                }
                if (line[i] == '|')
                        n++;
        }
        return n;
}

/* Whether a line holds a "<" outside its code spans (a run of backticks up to the next run of
 * the same length: CommonMark shows what is inside as text). */
static bool raw_lt(const char *line, size_t len) {
        for (size_t i = 0; i < len; i++) {
                size_t run = 0, j;

                if (line[i] == '<')
                        return true;
                if (line[i] == '\\') {
                        i++;
                        continue;
                }
                if (line[i] != '`')
                        continue;
                while (i + run < len && line[i + run] == '`')
                        run++;
                for (j = i + run; j < len; j++) {
                        size_t r2 = 0;

                        while (j + r2 < len && line[j + r2] == '`')
                                r2++;
                        if (r2 == run)
                                break;
                        j += r2;
                }
                i = j < len ? j + run - 1 : i + run - 1;
        }
        return false;
}

/* Markdown: outside code blocks and spans no raw "<", no control characters, no line that a value
 * started; table rows keep their number of cells; code blocks are closed only by their own
 * fence. A raw "<" inside a fenced code block is text to every CommonMark reader. */
static void check_markdown(const char *s) {
        size_t fence = 0, cells = 0;

        for (const char *line = s; *line; ) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line), ticks = 0;

                while (ticks < len && line[ticks] == '`')
                        ticks++;
                for (size_t i = 0; i < len; i++) {
                        unsigned char c = (unsigned char) line[i];

                        if ((c < 0x20 && c != '\t') || c == 0x7F || c == 0x1B)
                                fail_msg("control character 0x%02x in Markdown: \"%.*s\"", c, (int) len, line);
                        if (c == 0xC2 && i + 1 < len && (unsigned char) line[i + 1] >= 0x80 && (unsigned char) line[i + 1] <= 0x9F)
                                fail_msg("C1 control in Markdown: \"%.*s\"", (int) len, line);
                }
                if (fence > 0) {
                        if (ticks >= fence) {
                                if (ticks != len || ticks != fence)
                                        fail_msg("a line inside a code block looks like its fence: \"%.*s\"", (int) len, line);
                                fence = 0;
                        }
                } else if (ticks >= 3) {
                        fence = ticks;
                        /* An info string ("diff") may follow; evdiag's are words. */
                        for (size_t i = ticks; i < len; i++)
                                if (line[i] < 'a' || line[i] > 'z')
                                        fail_msg("a fence with text after it: \"%.*s\"", (int) len, line);
                } else {
                        if (raw_lt(line, len))
                                fail_msg("raw \"<\" in Markdown: \"%.*s\"", (int) len, line);
                        if (len >= 5 && strncmp(line, "line2", 5) == 0)
                                fail_msg("a value's newline starts a line: \"%.*s\"", (int) len, line);
                        if (len > 0 && line[0] == '#' && !(line == s && strncmp(line, "# ", 2) == 0) &&
                            strncmp(line, "## ", 3) != 0 && strncmp(line, "### Inputs", 10) != 0)
                                fail_msg("a heading that is not evdiag's: \"%.*s\"", (int) len, line);
                        if (len > 0 && line[0] == '|') {
                                size_t n = unescaped_pipes(line, len);

                                if (len >= 4 && strncmp(line, "|---", 4) == 0)
                                        ;       /* the header's separator, counted with it */
                                else if (line > s + 1 && line[-2] == '\n')
                                        cells = n;      /* a header: the line after a blank one */
                                else if (n != cells)
                                        fail_msg("a table row with %zu separators, its header %zu: \"%.*s\"", n, cells,
                                                 (int) len, line);
                        }
                }
                if (!nl)
                        break;
                line = nl + 1;
        }
        if (fence > 0)
                fail_msg("a code block is left open");
}

/* HTML: every tag is one evdiag writes, with attributes that are evdiag's; no control
 * characters; nothing that runs or loads. Text from the report can only ever be text. */
static void check_html(const char *s) {
        static const char *const tags[] = {
                "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section",
                "h1", "h2", "h3", "p", "strong", "span", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
                "ol", "ul", "li", "a", "figure", "figcaption", "svg", "g", "rect", "line", "text", "tspan", "polygon",
                "circle", "colgroup", "col",
        };
        static const char *const attrs[] = {
                "lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "title", "viewBox", "role",
                "aria-label", "xmlns", "x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "fill",
                "fill-opacity", "stroke", "stroke-width", "points", "text-anchor", "font-weight",
        };
        const char *style_end = strstr(s, "</style>");

        assert_non_null(style_end);
        assert_non_null(strstr(s, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
                        fail_msg("control character 0x%02x in HTML at byte %zu", *p, (size_t) ((const char *) p - s));
                if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
                        fail_msg("C1 control in HTML at byte %zu", (size_t) ((const char *) p - s));
        }
        for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
                const char *q = p + 1, *end;
                size_t n;
                bool ok = false;

                if (*q == '/')
                        q++;
                n = strcspn(q, " >/\n");
                for (size_t i = 0; !ok && i < ELEMENTSOF(tags); i++)
                        ok = strlen(tags[i]) == n && strncmp(q, tags[i], n) == 0;
                if (!ok)
                        fail_msg("a tag evdiag does not write: \"%.40s\"", p);
                end = strchr(q, '>');
                assert_non_null(end);
                /* Attributes: known names, values in double quotes without a quote inside. */
                for (q += n; q < end;) {
                        size_t an;

                        while (*q == ' ' || *q == '/')
                                q++;
                        if (q >= end)
                                break;
                        an = strcspn(q, "= >");
                        ok = false;
                        for (size_t i = 0; !ok && i < ELEMENTSOF(attrs); i++)
                                ok = strlen(attrs[i]) == an && strncmp(q, attrs[i], an) == 0;
                        if (!ok && !(an == 4 && strncmp(q, "html", 4) == 0))      /* <!DOCTYPE html> */
                                fail_msg("an attribute evdiag does not write: \"%.40s\"", q);
                        q += an;
                        if (*q == '=') {
                                const char *close;

                                if (q[1] != '"')
                                        fail_msg("an unquoted attribute value: \"%.40s\"", q);
                                close = strchr(q + 2, '"');
                                assert_non_null(close);
                                if (memchr(q + 2, '<', (size_t) (close - q - 2)))
                                        fail_msg("\"<\" in an attribute value: \"%.40s\"", q);
                                q = close + 1;
                                end = strchr(q, '>');   /* a '>' inside the value was not the end */
                                assert_non_null(end);
                        }
                }
                if (p < style_end && strncmp(p, "<style>", 7) == 0)
                        p = style_end;          /* the style sheet is evdiag's own */
        }
}

static void test_hostile(void **state) {
        char *big = long_text();

        for (size_t k = 0; k < 2 * ELEMENTSOF(hostile); k++) {
                _cleanup_(report_freep) Report *r = hostile_report(k, k >= ELEMENTSOF(hostile) ? big : NULL);
                _cleanup_strbuf_ StrBuf text = {}, color = {}, md = {}, json = {}, html = {};
                _cleanup_strv_free_ char **strings = NULL;
                ReportFinding *f = &r->findings[0];

                report_sort(r);
                assert_int_equal(report_render(r, REPORT_HTML, NULL, &html), 0);
                check_html(strbuf_str(&html));
                assert_int_equal(report_render(r, REPORT_TEXT, &(ReportStyle) {}, &text), 0);
                assert_int_equal(report_render(r, REPORT_TEXT, &(ReportStyle) { .color = true }, &color), 0);
                assert_int_equal(report_render(r, REPORT_MARKDOWN, NULL, &md), 0);
                assert_int_equal(report_render(r, REPORT_JSON, NULL, &json), 0);
                check_text(strbuf_str(&text), false);
                check_text(strbuf_str(&color), true);
                assert_non_null(strstr(strbuf_str(&color), "\033[1;31m"));     /* colour is on */
                check_markdown(strbuf_str(&md));

                /* JSON: valid, and every string comes back as it was. */
                strings = json_check(strbuf_str(&json));
                assert_true(strv_has(strings, r->version));
                assert_true(strv_has(strings, r->assumed_tz));
                assert_true(strv_has(strings, r->inputs[0].path));
                assert_true(strv_has(strings, r->inputs[0].warnings[1]));
                assert_true(strv_has(strings, f->title));
                assert_true(strv_has(strings, f->reason));
                assert_true(strv_has(strings, f->remediation));
                assert_true(strv_has(strings, f->symptoms[0].endpoint));
                assert_true(strv_has(strings, f->evidence[1].summary));
                if (k == 0 || k == ELEMENTSOF(hostile))
                        python_check(strbuf_str(&json), f->reason);
        }
        free(big);
}

/* The JSON report's shape: keys in the contract's order, nulls where values are missing. */
static void test_json_contract(void **state) {
        _cleanup_(report_freep) Report *r = golden_report();
        _cleanup_(report_freep) Report *empty = report_new("1.2.3", NULL);
        _cleanup_strbuf_ StrBuf json = {}, e = {};
        _cleanup_strv_free_ char **strings = NULL;
        static const char *const keys[] = {
                "tool", "evdiag", "version", "assumed_tz", "inputs", "path", "format", "status", "host", "events",
                "duplicates", "rows", "warnings", "warnings_total", "findings", "rule", "title", "host", "verdict",
                "reason", "symptoms", "time", "event_id", "endpoint", "source", "record_id", "verdict",
                "symptoms_total", "evidence", "kind", "time", "summary", "source", "event_id", "record_id", "remediation",
        };
        size_t k = 0;
        const char *p;

        report_sort(r);
        assert_int_equal(report_render_json(r, &json), 0);
        strings = json_check(strbuf_str(&json));
        for (char **s = strings; *s && k < ELEMENTSOF(keys); s++)
                if (strcmp(*s, keys[k]) == 0)
                        k++;
        assert_int_equal(k, ELEMENTSOF(keys));
        /* Missing values are null, not absent. */
        p = strbuf_str(&json);
        assert_non_null(strstr(p, "\"endpoint\": null"));
        assert_non_null(strstr(p, "\"record_id\": null"));
        assert_non_null(strstr(p, "\"time\": null"));
        assert_non_null(strstr(p, "\"remediation\": null"));
        assert_non_null(strstr(p, "\"host\": null"));
        /* Sorted: strongest first. */
        assert_string_equal(r->findings[0].verdict, "confirmed");
        assert_string_equal(r->findings[1].verdict, "ruled_out");
        assert_string_equal(r->findings[2].verdict, "at_risk");

        assert_int_equal(report_render_json(empty, &e), 0);
        strv_free(json_check(strbuf_str(&e)));
        assert_string_equal(strbuf_str(&e),
                            "{\n  \"tool\": \"evdiag\",\n  \"version\": \"1.2.3\",\n  \"assumed_tz\": \"UTC\",\n"
                            "  \"inputs\": [],\n  \"findings\": []\n}\n");
}

static void test_empty_reports(void **state) {
        _cleanup_(report_freep) Report *r = report_new("0.1.0", "UTC");
        _cleanup_strbuf_ StrBuf text = {}, md = {};

        assert_int_equal(report_render_text(r, NULL, &text), 0);
        assert_non_null(strstr(strbuf_str(&text), "No finding: no rule matched these inputs."));
        assert_non_null(strstr(strbuf_str(&text), "0 inputs, 0 events"));
        assert_int_equal(report_render_markdown(r, &md), 0);
        assert_true(strncmp(strbuf_str(&md), "# evdiag: no finding\n", 21) == 0);
        assert_non_null(strstr(strbuf_str(&md), "No rule matched these inputs."));
        check_markdown(strbuf_str(&md));
}

/* A remedy that holds backticks (PowerShell's escape character) shows them as they are. */
static void test_markdown_remedy_backticks(void **state) {
        _cleanup_(report_freep) Report *r = report_new("0.1.0", "UTC");
        _cleanup_strbuf_ StrBuf md = {};
        const char *remedy = "Remove-Item `\"C:\\x`\"\n```\nnot a fence\n````";

        finding(r, "R", "T", "H", "confirmed", 4, "why", remedy);
        assert_int_equal(report_render_markdown(r, &md), 0);
        check_markdown(strbuf_str(&md));
        assert_non_null(strstr(strbuf_str(&md), "\n`````\nRemove-Item `\"C:\\x`\"\n```\nnot a fence\n````\n`````\n"));
}

static void test_escape_functions(void **state) {
        static const struct {
                const char *in, *json, *term, *term_nl, *md, *code;
        } cases[] = {
                { "a\"b\\c", "\"a\\\"b\\\\c\"", "a\"b\\c", "a\"b\\c", "a\"b\\\\c", "` a\"b\\c `" },
                { "x\ny\tz\r", "\"x\\ny\\tz\\r\"", "x y z", "x\ny\tz", "x y z", "` x y z  `" },
                { "\x1b[1m\x01", "\"\\u001b[1m\\u0001\"", "\\x1b[1m\\x01", "\\x1b[1m\\x01", " \\[1m ", "`  [1m  `" },
                { "\xc2\x9b\xc2\xa0", "\"\\u009b\xc2\xa0\"", "\\x9b\xc2\xa0", "\\x9b\xc2\xa0", " \xc2\xa0", "`  \xc2\xa0 `" },
                { "<a|b>&", "\"<a|b>&\"", "<a|b>&", "<a|b>&", "&lt;a\\|b&gt;&amp;", "` <a|b>& `" },
                { "# h", "\"# h\"", "# h", "# h", "\\# h", "` # h `" },
                { "a `b` ``c", "\"a `b` ``c\"", "a `b` ``c", "a `b` ``c", "a \\`b\\` \\`\\`c", "``` a `b` ``c ```" },
                { "\x7f", "\"\\u007f\"", "\\x7f", "\\x7f", " ", "`   `" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strbuf_ StrBuf j = {}, t = {}, tn = {}, m = {}, c = {};

                assert_int_equal(escape_json(&j, cases[i].in), 0);
                assert_int_equal(escape_terminal(&t, cases[i].in, false), 0);
                assert_int_equal(escape_terminal(&tn, cases[i].in, true), 0);
                assert_int_equal(escape_markdown(&m, cases[i].in, false), 0);
                assert_int_equal(escape_markdown_code(&c, cases[i].in), 0);
                assert_string_equal(strbuf_str(&j), cases[i].json);
                assert_string_equal(strbuf_str(&t), cases[i].term);
                assert_string_equal(strbuf_str(&tn), cases[i].term_nl);
                assert_string_equal(strbuf_str(&m), cases[i].md);
                assert_string_equal(strbuf_str(&c), cases[i].code);
        }
        {
                _cleanup_strbuf_ StrBuf j = {};

                assert_int_equal(escape_json(&j, NULL), 0);
                assert_string_equal(strbuf_str(&j), "null");
        }
        /* A lone 0x9B is the 8-bit CSI to some terminals: not UTF-8, it becomes U+FFFD; UTF-8
         * is kept whole, a cut sequence is not. */
        {
                _cleanup_strbuf_ StrBuf t = {};

                assert_int_equal(escape_terminal(&t, "Sys\x9b" "31mtem \xe6\x97\xa5 \xe6\x97", false), 0);
                assert_string_equal(strbuf_str(&t), "Sys\xef\xbf\xbd" "31mtem \xe6\x97\xa5 \xef\xbf\xbd\xef\xbf\xbd");
        }
}

static void test_sort_and_formats(void **state) {
        _cleanup_(report_freep) Report *r = report_new("0.1.0", "UTC");
        ReportFormat fmt;

        finding(r, "B", "t", "web02", "possible", 2, NULL, NULL);
        finding(r, "A", "t", "web02", "possible", 2, NULL, NULL);
        finding(r, "A", "t", "web01", "likely", 3, NULL, NULL);
        finding(r, "A", "t", "web03", "at_risk", 0, NULL, NULL);
        report_sort(r);
        assert_string_equal(r->findings[0].host, "web01");
        assert_string_equal(r->findings[1].rule, "A");
        assert_string_equal(r->findings[1].host, "web02");
        assert_string_equal(r->findings[2].rule, "B");
        assert_string_equal(r->findings[3].host, "web03");

        assert_int_equal(report_format_from_string("text", &fmt), 0);
        assert_int_equal(fmt, REPORT_TEXT);
        assert_int_equal(report_format_from_string("markdown", &fmt), 0);
        assert_int_equal(fmt, REPORT_MARKDOWN);
        assert_int_equal(report_format_from_string("json", &fmt), 0);
        assert_int_equal(fmt, REPORT_JSON);
        assert_int_equal(report_format_from_string("JSON", &fmt), -EINVAL);
        assert_int_equal(report_format_from_string("html", &fmt), 0);
        assert_int_equal(fmt, REPORT_HTML);
        assert_int_equal(report_format_from_string("HTML", &fmt), -EINVAL);
        assert_int_equal(report_format_from_string("", &fmt), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_json_contract),
                cmocka_unit_test(test_empty_reports),
                cmocka_unit_test(test_markdown_remedy_backticks),
                cmocka_unit_test(test_escape_functions),
                cmocka_unit_test(test_sort_and_formats),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
