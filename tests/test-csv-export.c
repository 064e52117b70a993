/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "base/utf.h"
#include "collect-sink.h"
#include "test-util.h"
#include "importer/csv-export.h"

/* ---- helpers ---- */

static int parse(const void *data, size_t n, Tz *tz, CollectSink *c, Diag **ret_diag) {
        return parse_memory(csv_export_parse, data, n, &(ParseOptions) { .tz = tz }, c, ret_diag);
}

static int parse_str(const char *s, CollectSink *c, Diag **ret_diag) {
        return parse(s, strlen(s), NULL, c, ret_diag);
}

#define HEADER "Level,Date and Time,Source,Event ID,Task Category\n"

/* The events of system.csv and system-tab.txt (the same export in both shapes). */
static void check_system(const CollectSink *c) {
        assert_int_equal(c->n_events, 6);
        for (size_t i = 0; i < c->n_events; i++) {
                const Event *ev = &c->events[i].ev;

                assert_null(ev->host);
                assert_null(ev->channel);
                assert_null(ev->user);
                assert_null(ev->keywords);
                assert_int_equal(ev->record_id, EVENT_NO_VALUE);
                assert_int_equal(ev->qualifiers, EVENT_NO_VALUE);
                assert_int_equal(ev->task, EVENT_NO_VALUE);
                assert_true(ev->offset == UINT64_MAX);
                assert_null(strchr(ev->message, '\r'));
        }

        const Event *ev = &c->events[0].ev;
        assert_int_equal(ev->line, 2);
        assert_int_equal(ev->level, 2);
        assert_string_equal(ev->provider, "Microsoft-Windows-HttpEvent");
        assert_int_equal(ev->event_id, 15021);
        assert_string_equal(iso(ev->time, ev->time_digits), "2010-03-31T14:44:02Z");
        assert_string_equal(ev->message, "An error occured while using SSL configuration for socket address 0.0.0.0:443.  "
                                         "The error status code is contained within the returned data.");

        ev = &c->events[1].ev;
        assert_int_equal(ev->line, 3);
        assert_int_equal(ev->level, 3);
        assert_int_equal(ev->event_id, 15300);
        assert_string_equal(iso(ev->time, 0), "2010-03-31T14:43:28Z");
        assert_string_equal(ev->message, "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .");

        ev = &c->events[2].ev;
        assert_int_equal(ev->line, 4);
        assert_int_equal(ev->level, 4);
        assert_string_equal(ev->provider, "Service Control Manager");
        assert_int_equal(ev->event_id, 7036);
        assert_string_equal(ev->message, "The IIS Admin Service service entered the running state.");

        ev = &c->events[3].ev;
        assert_int_equal(ev->line, 5);
        assert_string_equal(ev->message, "The Contoso Sync, Backup and Restore service entered the stopped state.");

        ev = &c->events[4].ev;
        assert_int_equal(ev->line, 6);
        assert_int_equal(ev->event_id, 7045);
        assert_string_equal(ev->message,
                            "A service was installed in the system.\n"
                            "\n"
                            "Service Name:  Contoso Backup Agent\n"
                            "Service File Name:  \"C:\\Program Files\\Contoso\\agent.exe\" -service\n"
                            "Service Type:  user mode service\n"
                            "Service Start Type:  auto start\n"
                            "Service Account:  LocalSystem");

        ev = &c->events[5].ev;
        assert_int_equal(ev->line, 13);
        assert_int_equal(ev->event_id, 1);
        assert_string_equal(ev->provider, "Microsoft-Windows-Kernel-General");
        assert_string_equal(iso(ev->time, 0), "2010-03-31T14:39:58Z");
        assert_string_equal(ev->message,
                            "The system time has changed to 2010-03-31T21:39:58.500000000Z from 2010-03-31T21:39:58.496772400Z.\n"
                            "\n"
                            "Change Reason: An application or system component changed the time.");
}

/* ---- the shapes ---- */

/* A sample in one of its shapes: no warning, and what check_system() looks for. */
static void parse_system(const void *data, size_t n) {
        parse_and_check(csv_export_parse, data, n, &(ParseOptions) {}, check_system);
}

static void test_comma_bom_crlf(void **state) {
        size_t n;
        char *data = read_data("csv-export/system.csv", &n);

        /* The sample is UTF-8 with a BOM and CRLF, also inside the quoted messages. */
        assert_true(n > 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0);
        assert_non_null(strstr(data, "system.\r\n\r\nService Name:"));
        parse_system(data, n);
        free(data);
}

static void test_tab(void **state) {
        size_t n;
        char *data = read_data("csv-export/system-tab.txt", &n);

        parse_system(data, n);
        free(data);
}

static void test_no_bom_lf(void **state) {
        size_t n, k = 0;
        char *data = read_data("csv-export/system.csv", &n);
        char *lf = malloc(n);

        /* Drop the BOM and every CR. */
        for (size_t i = 3; i < n; i++)
                if (data[i] != '\r')
                        lf[k++] = data[i];
        parse_system(lf, k);
        free(data);
        free(lf);
}

static void test_german(void **state) {
        CollectSink c;
        Diag *d;
        size_t n;
        char *data = read_data("csv-export/system-de.csv", &n);

        assert_int_equal(parse(data, n, NULL, &c, &d), 0);
        dump_diag(d);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 3);
        assert_int_equal(c.events[0].ev.level, 3);
        assert_int_equal(c.events[0].ev.event_id, 15300);
        assert_string_equal(iso(c.events[0].ev.time, 0), "2010-03-31T14:43:28Z");
        assert_string_equal(c.events[0].ev.message, "SSL-Zertifikateinstellungen für Port 0.0.0.0:443 wurden gelöscht.");
        assert_int_equal(c.events[1].ev.level, 4);
        assert_string_equal(c.events[1].ev.provider, "Dienststeuerungs-Manager");
        assert_string_equal(c.events[1].ev.message,
                            "Der Dienst \"IIS-Verwaltungsdienst\" befindet sich jetzt im Status \"Wird ausgeführt\".");
        assert_int_equal(c.events[2].ev.level, 2);
        assert_int_equal(c.events[2].ev.line, 4);
        collect_sink_done(&c);
        diag_free(d);
        free(data);
}

static void test_header_variants(void **state) {
        static const char *const inputs[] = {
                "Level,Date and Time,Source,Event ID,Task Category\n",
                "Level\tDate and Time\tSource\tEvent ID\tTask Category\n",
                "level,date and time,source,event id,task category,\n",
                "\"Level\",\"Date and Time\",\"Source\",\"Event ID\",\"Task Category\"\n",
                "Level;Date and Time;Source;Event ID;Task Category\n",
                "\n\nEbene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\r\n",
        };
        static const char *const rows[] = {
                "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,15300,None,SSL deleted\n",
                "Warning\t3/31/2010 2:43:28 PM\tMicrosoft-Windows-HttpEvent\t15300\tNone\tSSL deleted\n",
                "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,15300,None,SSL deleted\n",
                "\"Warning\",\"3/31/2010 2:43:28 PM\",\"Microsoft-Windows-HttpEvent\",\"15300\",\"None\",\"SSL deleted\"\n",
                "Warning;3/31/2010 2:43:28 PM;Microsoft-Windows-HttpEvent;15300;None;SSL deleted\n",
                "Warnung,31.03.2010 14:43:28,Microsoft-Windows-HttpEvent,15300,Keine,SSL deleted\r\n",
        };

        for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
                CollectSink c;
                Diag *d;
                StrBuf b = {};

                assert_int_equal(strbuf_puts(&b, inputs[i]), 0);
                assert_int_equal(strbuf_puts(&b, rows[i]), 0);
                assert_int_equal(parse_str(b.data, &c, &d), 0);
                dump_diag(d);
                assert_int_equal(diag_count(d), 0);
                assert_int_equal(c.n_events, 1);
                assert_int_equal(c.events[0].ev.event_id, 15300);
                assert_int_equal(c.events[0].ev.level, 3);
                assert_string_equal(c.events[0].ev.message, "SSL deleted");
                assert_string_equal(iso(c.events[0].ev.time, 0), "2010-03-31T14:43:28Z");
                collect_sink_done(&c);
                diag_free(d);
                strbuf_done(&b);
        }
}

static void test_utf16(void **state) {
        size_t n, k;
        char *data = read_data("csv-export/system.csv", &n);
        /* The sample's UTF-8 BOM makes way for the UTF-16 one. */
        uint8_t *u16 = to_utf16(data + 3, n - 3, false, &k);

        parse_system(u16, k);
        free(data);
        free(u16);
}

/* ---- quoting ---- */

static void test_quoting(void **state) {
        CollectSink c;
        Diag *d;

        assert_int_equal(parse_str(
                HEADER                                                                          /* 1 */
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,"           /* 2 */
                "\"The \"\"IIS Admin Service\"\" service, as asked, entered the running state.\"\n"
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,\"line one\r\n"   /* 3 */
                "\r\n"                                                                          /* 4 */
                "line, three\n"                                                                 /* 5 */
                "\"\"quoted\"\" line four\"\n"                                                  /* 6 */
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,\"\"\n"     /* 7 */
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None\n"          /* 8 */
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,\"a\"b,c\n" /* 9 */
                "Information,3/31/2010 2:43:27 PM,\"Service, Control\",7036,None,msg\n",        /* 10 */
                &c, &d), 0);
        dump_diag(d);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 6);
        assert_string_equal(c.events[0].ev.message, "The \"IIS Admin Service\" service, as asked, entered the running state.");
        assert_int_equal(c.events[0].ev.line, 2);
        assert_string_equal(c.events[1].ev.message, "line one\n\nline, three\n\"quoted\" line four");
        assert_int_equal(c.events[1].ev.line, 3);
        assert_null(c.events[2].ev.message);
        assert_int_equal(c.events[2].ev.line, 7);
        assert_null(c.events[3].ev.message);
        assert_int_equal(c.events[3].ev.line, 8);
        /* Text after a closing quote stays; unquoted separators in the message are kept. */
        assert_string_equal(c.events[4].ev.message, "ab,c");
        assert_string_equal(c.events[5].ev.provider, "Service, Control");
        assert_int_equal(c.events[5].ev.line, 10);
        collect_sink_done(&c);
        diag_free(d);
}

static void test_columns_cap(void **state) {
        for (int extra = 0; extra <= 1; extra++) {
                StrBuf b = {};
                CollectSink c;
                Diag *d;

                assert_int_equal(strbuf_puts(&b, HEADER), 0);
                assert_int_equal(strbuf_puts(&b, "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,first\n"), 0);
                assert_int_equal(strbuf_puts(&b, "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,15300,None,m"), 0);
                for (int i = 6; i < EVDIAG_MAX_CSV_COLUMNS + extra; i++)
                        assert_int_equal(strbuf_puts(&b, ",m"), 0);
                assert_int_equal(strbuf_puts(&b, "\nInformation,3/31/2010 2:43:29 PM,Service Control Manager,7036,None,last\n"), 0);

                assert_int_equal(parse_str(b.data, &c, &d), 0);
                dump_diag(d);
                if (extra) {
                        assert_int_equal(c.n_events, 2);
                        assert_int_equal(diag_count(d), 1);
                        assert_true(has_warning(d, 3, "more than 64 columns"));
                        assert_int_equal(c.events[1].ev.line, 4);
                        assert_string_equal(c.events[1].ev.message, "last");
                } else {
                        assert_int_equal(c.n_events, 3);
                        assert_int_equal(diag_count(d), 0);
                        assert_int_equal(strlen(c.events[1].ev.message), 2 * (EVDIAG_MAX_CSV_COLUMNS - 5) - 1);
                        assert_int_equal(c.events[2].ev.line, 4);
                }
                collect_sink_done(&c);
                diag_free(d);
                strbuf_done(&b);
        }
}

static void test_record_cap(void **state) {
        /* A record spanning three lines, each under the line cap, together EVDIAG_MAX_CSV_RECORD
         * bytes (line breaks inside included) and then one more. */
        for (int extra = 0; extra <= 1; extra++) {
                const char *prefix = "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,\"";
                size_t l1 = EVDIAG_MAX_LINE - 10, l2 = EVDIAG_MAX_LINE - 10;
                size_t l3 = EVDIAG_MAX_CSV_RECORD - l1 - l2 - 2 + (size_t) extra;
                StrBuf b = {};
                CollectSink c;
                Diag *d;
                char *fill = malloc(EVDIAG_MAX_LINE);

                assert_non_null(fill);
                assert_int_equal(strbuf_puts(&b, HEADER), 0);                                                    /* 1 */
                assert_int_equal(strbuf_puts(&b, "Warning,3/31/2010 2:43:26 PM,x,1,None,first\n"), 0);           /* 2 */
                assert_int_equal(strbuf_puts(&b, prefix), 0);                                                    /* 3 */
                memset(fill, 'a', EVDIAG_MAX_LINE);
                assert_int_equal(strbuf_append(&b, fill, l1 - strlen(prefix)), 0);
                assert_int_equal(strbuf_putc(&b, '\n'), 0);
                memset(fill, 'b', EVDIAG_MAX_LINE);                                                              /* 4 */
                assert_int_equal(strbuf_append(&b, fill, l2), 0);
                assert_int_equal(strbuf_putc(&b, '\n'), 0);
                memset(fill, 'c', EVDIAG_MAX_LINE);                                                              /* 5 */
                assert_int_equal(strbuf_append(&b, fill, l3 - 1), 0);
                /* A quote char inside the long record must not confuse the resync: "" is text. */
                b.data[b.len - 10] = '"';
                b.data[b.len - 9] = '"';
                assert_int_equal(strbuf_puts(&b, "\"\n"), 0);
                assert_int_equal(strbuf_puts(&b, "Warning,3/31/2010 2:43:28 PM,x,15300,None,last\n"), 0);        /* 6 */

                assert_int_equal(parse_str(b.data, &c, &d), 0);
                dump_diag(d);
                if (extra) {
                        assert_int_equal(c.n_events, 2);
                        assert_int_equal(diag_count(d), 1);
                        assert_true(has_warning(d, 3, "longer than"));
                } else {
                        /* Kept, but its message is over the message cap and cut. */
                        assert_int_equal(c.n_events, 3);
                        assert_int_equal(diag_count(d), 1);
                        assert_true(has_warning(d, 3, "message cut"));
                        assert_int_equal(strlen(c.events[1].ev.message), EVDIAG_MAX_MESSAGE);
                        assert_int_equal(c.events[1].ev.line, 3);
                }
                assert_string_equal(c.events[0].ev.message, "first");
                assert_string_equal(c.events[c.n_events - 1].ev.message, "last");
                assert_int_equal(c.events[c.n_events - 1].ev.line, 6);
                collect_sink_done(&c);
                diag_free(d);
                strbuf_done(&b);
                free(fill);
        }
}

static void test_long_line(void **state) {
        StrBuf b = {};
        CollectSink c;
        Diag *d;
        char *fill = malloc(EVDIAG_MAX_LINE + 1);

        /* A line over the line cap inside a quoted message: that record is lost, and the next
         * line starts afresh. */
        memset(fill, 'x', EVDIAG_MAX_LINE + 1);
        assert_int_equal(strbuf_puts(&b, HEADER), 0);                                                    /* 1 */
        assert_int_equal(strbuf_puts(&b, "Warning,3/31/2010 2:43:26 PM,x,1,None,\"first\n"), 0);         /* 2 */
        assert_int_equal(strbuf_append(&b, fill, EVDIAG_MAX_LINE + 1), 0);                               /* 3 */
        assert_int_equal(strbuf_puts(&b, "\nWarning,3/31/2010 2:43:28 PM,x,15300,None,last\n"), 0);      /* 4 */
        assert_int_equal(parse_str(b.data, &c, &d), 0);
        dump_diag(d);
        assert_int_equal(c.n_events, 1);
        assert_int_equal(c.events[0].ev.line, 4);
        assert_int_equal(diag_count(d), 2);
        assert_true(has_warning(d, 3, "line longer than"));
        assert_true(has_warning(d, 2, "record skipped"));
        collect_sink_done(&c);
        diag_free(d);
        strbuf_done(&b);
        free(fill);
}

static void test_unterminated_quote(void **state) {
        CollectSink c;
        Diag *d;

        assert_int_equal(parse_str(
                HEADER                                                                          /* 1 */
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,good\n"     /* 2 */
                "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,15300,None,\"open\n" /* 3 */
                "Information,3/31/2010 2:43:29 PM,Service Control Manager,7036,None,swallowed\n",
                &c, &d), 0);
        dump_diag(d);
        assert_int_equal(c.n_events, 1);
        assert_string_equal(c.events[0].ev.message, "good");
        assert_int_equal(diag_count(d), 1);
        assert_true(has_warning(d, 3, "quote is not closed"));
        collect_sink_done(&c);
        diag_free(d);
}

/* ---- malformed rows ---- */

static void test_bad_rows(void **state) {
        CollectSink c;
        Diag *d;

        assert_int_equal(parse_str(
                HEADER                                                                          /* 1 */
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,good 1\n"   /* 2 */
                "Warning,yesterday,Microsoft-Windows-HttpEvent,15300,None,bad date\n"           /* 3 */
                "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,153OO,None,\"bad\n"   /* 4 */
                "id\"\n"                                                                        /* 5 */
                "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent\n"                    /* 6 */
                "\n"                                                                            /* 7 */
                "Error,3/31/2010 2:44:02 PM,Microsoft-Windows-HttpEvent,65536,None,too big\n"   /* 8 */
                "Error,3/31/2010 2:44:02 PM,Microsoft-Windows-HttpEvent,,None,no id\n"          /* 9 */
                "Error,2/30/2010 2:44:02 PM,Microsoft-Windows-HttpEvent,15021,None,feb 30\n"    /* 10 */
                "Error,3/31/2010 2:44:02 PM,Microsoft-Windows-HttpEvent,15021,None,good 2\n",   /* 11 */
                &c, &d), 0);
        dump_diag(d);
        assert_int_equal(c.n_events, 2);
        assert_int_equal(c.events[0].ev.line, 2);
        assert_string_equal(c.events[0].ev.message, "good 1");
        assert_int_equal(c.events[1].ev.line, 11);
        assert_string_equal(c.events[1].ev.message, "good 2");
        assert_int_equal(diag_count(d), 6);
        assert_true(has_warning(d, 3, "\"yesterday\" is not a date"));
        assert_true(has_warning(d, 4, "Event ID \"153OO\""));
        assert_true(has_warning(d, 6, "3 column(s)"));
        assert_true(has_warning(d, 8, "Event ID \"65536\""));
        assert_true(has_warning(d, 9, "Event ID \"\""));
        assert_true(has_warning(d, 10, "\"2/30/2010 2:44:02 PM\" is not a date"));
        collect_sink_done(&c);
        diag_free(d);
}

static void test_direction_marks(void **state) {
        CollectSink c;
        Diag *d;

        assert_int_equal(parse_str(HEADER "Warning,\xE2\x80\x8F" "31/\xE2\x80\x8F" "03/\xE2\x80\x8F" "2010 14:43:28,"
                                   "Microsoft-Windows-HttpEvent,15300,None,x\n", &c, &d), 0);
        dump_diag(d);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 1);
        assert_string_equal(iso(c.events[0].ev.time, 0), "2010-03-31T14:43:28Z");
        collect_sink_done(&c);
        diag_free(d);
}

static void test_date_order_votes(void **state) {
        CollectSink c;
        Diag *d;

        /* en-AU: "12/01/2021 11:16:17 AM" alone would read month first; "13/01/2021" decides. */
        assert_int_equal(parse_str(
                HEADER
                "Information,12/01/2021 11:16:17 AM,Service Control Manager,7036,None,a\n"
                "Information,13/01/2021 9:00:00 AM,Service Control Manager,7036,None,b\n", &c, &d), 0);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 2);
        assert_string_equal(iso(c.events[0].ev.time, 0), "2021-01-12T11:16:17Z");
        assert_string_equal(iso(c.events[1].ev.time, 0), "2021-01-13T09:00:00Z");
        collect_sink_done(&c);
        diag_free(d);

        /* Votes disagree: majority, one warning naming the first dissenting row. */
        assert_int_equal(parse_str(
                HEADER
                "Information,1/13/2021 10:00:00,Service Control Manager,7036,None,a\n"          /* 2 */
                "Information,1/14/2021 10:00:00,Service Control Manager,7036,None,b\n"          /* 3 */
                "Information,15/01/2021 10:00:00,Service Control Manager,7036,None,c\n"         /* 4 */
                "Information,02/03/2021 10:00:00,Service Control Manager,7036,None,d\n", &c, &d), 0);
        assert_int_equal(diag_count(d), 1);
        assert_true(has_warning(d, 4, "disagree"));
        assert_int_equal(c.n_events, 4);
        assert_string_equal(iso(c.events[2].ev.time, 0), "2021-01-15T10:00:00Z");
        assert_string_equal(iso(c.events[3].ev.time, 0), "2021-02-03T10:00:00Z");
        collect_sink_done(&c);
        diag_free(d);
}

static void test_zone(void **state) {
        CollectSink c;
        Diag *d;
        Tz *tz = NULL;
        const char *s = HEADER "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,15300,None,x\n";

        if (tz_new("America/Los_Angeles", &tz) < 0) {
                print_message("no zone database: skipped\n");
                skip();
        }
        assert_int_equal(parse(s, strlen(s), tz, &c, &d), 0);
        assert_int_equal(c.n_events, 1);
        assert_string_equal(iso(c.events[0].ev.time, 0), "2010-03-31T21:43:28Z");
        collect_sink_done(&c);
        diag_free(d);
        tz_free(tz);
}

/* ---- truncation, empty, no header, sink errors ---- */

static void test_truncations(void **state) {
        static const char *const samples[] = {
                "csv-export/system.csv", "csv-export/system-tab.txt", "csv-export/system-de.csv",
        };

        for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
                size_t n;
                char *data = read_data(samples[s], &n);
                CollectSink full;
                Diag *d;
                /* Where the header's last name ends (the samples start with a BOM). */
                size_t header_end = strcspn(data, "\r\n");

                assert_int_equal(parse(data, n, NULL, &full, &d), 0);
                diag_free(d);

                for (size_t cut = 0; cut <= n; cut++) {
                        CollectSink c;
                        char *copy = memdup_exact(data, cut);
                        int r;

                        r = parse(copy, cut, NULL, &c, &d);
                        assert_true(c.n_events <= full.n_events);
                        if (cut == 0 || cut == 3)
                                assert_int_equal(r, 0);            /* nothing, or just the BOM */
                        else if (cut < header_end)
                                assert_int_equal(r, -EBADMSG);     /* a cut BOM or header is no header */
                        else
                                assert_int_equal(r, 0);
                        /* Every event is the full parse's event, whole, except maybe the last
                         * one, whose line may be cut. */
                        for (size_t i = 0; i + 1 < c.n_events; i++) {
                                assert_int_equal(c.events[i].ev.line, full.events[i].ev.line);
                                assert_string_equal(c.events[i].ev.message, full.events[i].ev.message);
                        }
                        for (size_t i = 0; i < c.n_events; i++) {
                                const char *m = c.events[i].ev.message;

                                assert_true(!m || utf8_is_valid(m, strlen(m)));
                        }
                        if (cut == n)
                                assert_int_equal(c.n_events, full.n_events);
                        collect_sink_done(&c);
                        diag_free(d);
                        free(copy);
                }
                collect_sink_done(&full);
                free(data);
        }
}

static void test_empty(void **state) {
        static const char *const inputs[] = { "", "\xEF\xBB\xBF", "\r\n\n  \n" };

        for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
                CollectSink c;
                Diag *d;

                assert_int_equal(parse_str(inputs[i], &c, &d), 0);
                assert_int_equal(c.n_events, 0);
                assert_int_equal(diag_count(d), 1);
                assert_int_equal(diag_errors(d), 0);
                assert_true(has_warning(d, DIAG_NO_LINE, "no events found"));
                collect_sink_done(&c);
                diag_free(d);
        }

        /* A header and nothing else. */
        CollectSink c;
        Diag *d;
        assert_int_equal(parse_str(HEADER, &c, &d), 0);
        assert_int_equal(c.n_events, 0);
        assert_true(has_warning(d, DIAG_NO_LINE, "no events found"));
        collect_sink_done(&c);
        diag_free(d);
}

static void test_no_header(void **state) {
        static const char *const inputs[] = {
                "Information,3/31/2010 2:43:27 PM,Service Control Manager,7036,None,msg\n",
                "Level,Date and Time,Source,Event ID\nInformation,3/31/2010 2:43:27 PM,x,1\n",
                "\"Message\",\"Id\",\"Version\",\"Qualifiers\",\"Level\",\"Task\"\n",
                "Log Name:      System\nSource:        Service Control Manager\n",
                "Level,Date and Time,Source,Event ID,\"Task Category\n",
        };

        for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
                CollectSink c;
                Diag *d;

                assert_int_equal(parse_str(inputs[i], &c, &d), -EBADMSG);
                assert_int_equal(c.n_events, 0);
                assert_int_equal(diag_errors(d), 1);
                collect_sink_done(&c);
                diag_free(d);
        }
}

static void test_sink_error(void **state) {
        CollectSink c;
        size_t n;
        char *data = read_data("csv-export/system.csv", &n);

        assert_int_equal(parse_failing(csv_export_parse, data, n, &(ParseOptions) {}, 3, &c), -EIO);
        assert_int_equal(c.n_events, 2);
        collect_sink_done(&c);
        free(data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_comma_bom_crlf),
                cmocka_unit_test(test_tab),
                cmocka_unit_test(test_no_bom_lf),
                cmocka_unit_test(test_german),
                cmocka_unit_test(test_header_variants),
                cmocka_unit_test(test_utf16),
                cmocka_unit_test(test_quoting),
                cmocka_unit_test(test_columns_cap),
                cmocka_unit_test(test_record_cap),
                cmocka_unit_test(test_long_line),
                cmocka_unit_test(test_unterminated_quote),
                cmocka_unit_test(test_bad_rows),
                cmocka_unit_test(test_direction_marks),
                cmocka_unit_test(test_date_order_votes),
                cmocka_unit_test(test_zone),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_no_header),
                cmocka_unit_test(test_sink_error),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
