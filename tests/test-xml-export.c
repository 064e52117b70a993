/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "base/utf.h"
#include "collect-sink.h"
#include "test-util.h"
#include "importer/xml-export.h"

#define NS "http://schemas.microsoft.com/win/2004/08/events/event"

/* A minimal one-line event as wevtutil writes it; %s is the EventData contents. */
#define EVENT_HEAD(id, rec)                                                                        \
        "<Event xmlns='" NS "'><System><Provider Name='Test-Provider'/><EventID>" id "</EventID>" \
        "<TimeCreated SystemTime='2020-05-01T10:00:00.0000000Z'/><EventRecordID>" rec             \
        "</EventRecordID><Channel>System</Channel><Computer>HOST1</Computer></System>"
#define EVENT_SIMPLE(id, rec, value) \
        EVENT_HEAD(id, rec) "<EventData><Data Name='v'>" value "</Data></EventData></Event>"

static int parse_mem(const void *data, size_t n, CollectSink *c, Diag *d) {
        return parse_into(xml_export_parse, data, n, &(ParseOptions) { .tz = NULL }, c, d);
}

static int parse_str(const char *s, CollectSink *c, Diag *d) {
        return parse_mem(s, strlen(s), c, d);
}

static void test_empty(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("empty.xml");
        CollectSink c;

        collect_sink_init(&c);
        assert_int_equal(parse_mem("", 0, &c, d), 0);
        assert_int_equal(c.n_events, 0);
        assert_true(has_warning(d, ANY_LINE, "no <Event> elements found"));
        assert_int_equal(diag_count(d), 1);
        collect_sink_done(&c);

        /* Only the frame of an export, no event in it. */
        _cleanup_(diag_freep) Diag *d2 = diag_new("frame.xml");
        collect_sink_init(&c);
        assert_int_equal(parse_str("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<Events></Events>\r\n",
                                   &c, d2), 0);
        assert_int_equal(c.n_events, 0);
        assert_int_equal(diag_count(d2), 1);
        assert_true(has_warning(d2, ANY_LINE, "no <Event> elements found"));
        collect_sink_done(&c);
}

static void check_system_saveas(const CollectSink *c) {
        const Event *e;

        assert_int_equal(c->n_events, 4);

        /* 104 with UserData, and a RenderingInfo message */
        e = &c->events[0].ev;
        assert_int_equal(e->event_id, 104);
        assert_string_equal(e->provider, "Microsoft-Windows-Eventlog");
        assert_string_equal(e->provider_guid, "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}");
        assert_int_equal(e->qualifiers, EVENT_NO_VALUE);
        assert_int_equal(e->task, 104);
        assert_string_equal(e->user, "S-1-5-21-3623811015-3361044348-30300820-500");
        assert_string_equal(e->message, "The Application log file was cleared.");
        assert_int_equal(e->n_fields, 4);
        assert_string_equal(e->fields[0].name, "SubjectUserName");
        assert_string_equal(e->fields[0].value, "Administrator");
        assert_string_equal(e->fields[1].name, "SubjectDomainName");
        assert_string_equal(e->fields[1].value, "IISSERVER");
        assert_string_equal(e->fields[2].name, "Channel");
        assert_string_equal(e->fields[2].value, "Application");
        assert_string_equal(e->fields[3].name, "BackupPath");
        assert_string_equal(e->fields[3].value, "");
        assert_int_equal(e->line, 2);
        /* The System channel, not the one of UserData or RenderingInfo */
        assert_string_equal(e->channel, "System");

        /* 7036: IIS Admin Service running, Binary "IISADMIN/4" in UTF-16LE */
        e = &c->events[1].ev;
        assert_int_equal(e->event_id, 7036);
        assert_int_equal(e->qualifiers, 16384);
        assert_string_equal(e->provider, "Service Control Manager");
        assert_string_equal(e->keywords, "0x8080000000000000");
        assert_string_equal(collected_field(c, 1, "param1"), "IIS Admin Service");
        assert_string_equal(collected_field(c, 1, "param2"), "running");
        assert_int_equal(e->binary_size, 22);
        assert_memory_equal(e->binary, "I\0I\0S\0A\0D\0M\0I\0N\0/\0" "4\0\0\0", 22);
        assert_null(e->user);
        assert_string_equal(e->message, "The IIS Admin Service service entered the running state.");
        assert_int_equal(e->line, 2);
        assert_string_equal(iso(e->time, e->time_digits), "2010-03-31T21:43:27.9980468Z");

        /* 15300 from HttpEvent */
        e = &c->events[2].ev;
        assert_int_equal(e->event_id, 15300);
        assert_int_equal(e->qualifiers, 32768);
        assert_string_equal(e->provider, "Microsoft-Windows-HttpEvent");
        assert_string_equal(e->provider_guid, "{7b6bc78c-898b-4170-bbf8-1a469ea43fc5}");
        assert_int_equal(e->version, 0);
        assert_int_equal(e->level, 3);
        assert_int_equal(e->task, 0);
        assert_int_equal(e->opcode, 0);
        assert_string_equal(e->keywords, "0x80000000000000");
        assert_int_equal(e->record_id, 48213);
        assert_int_equal(e->time_digits, 7);
        assert_string_equal(iso(e->time, e->time_digits), "2010-03-31T21:43:28.1234567Z");
        assert_string_equal(e->channel, "System");
        assert_string_equal(e->host, "IISServer");
        assert_null(e->user);
        assert_string_equal(e->message, "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .");
        assert_int_equal(e->n_fields, 2);
        assert_string_equal(e->fields[0].name, "DeviceObject");
        assert_string_equal(e->fields[0].value, "\\Device\\Http\\ReqQueue");
        assert_string_equal(e->fields[1].name, "Endpoint");
        assert_string_equal(e->fields[1].value, "0.0.0.0:443");
        assert_null(e->binary);
        assert_int_equal(e->binary_size, 0);
        assert_int_equal(e->line, 3);
        assert_true(e->offset == UINT64_MAX);
        assert_false(e->recovered);

        /* 6013: classic event with unnamed Data */
        e = &c->events[3].ev;
        assert_int_equal(e->event_id, 6013);
        assert_string_equal(e->provider, "EventLog");
        assert_null(e->provider_guid);
        assert_null(e->message);
        assert_int_equal(e->n_fields, 7);
        for (size_t i = 0; i < 7; i++)
                assert_null(e->fields[i].name);
        assert_string_equal(e->fields[0].value, "");
        assert_string_equal(e->fields[3].value, "");
        assert_string_equal(e->fields[4].value, "1037");
        assert_string_equal(e->fields[6].value, "420 Pacific Daylight Time");
        assert_int_equal(e->line, 4);
}

static void test_saveas(void **state) {
        _cleanup_free_ char *data = NULL;
        size_t n;

        data = read_data("xml-export/system-saveas.xml", &n);
        parse_and_check(xml_export_parse, data, n, &(ParseOptions) {}, check_system_saveas);
}

static void test_saveas_utf16le(void **state) {
        _cleanup_free_ char *data = NULL;
        _cleanup_free_ uint8_t *wide = NULL;
        size_t n, wn;

        data = read_data("xml-export/system-saveas.xml", &n);
        wide = to_utf16(data, n, false, &wn);
        parse_and_check(xml_export_parse, wide, wn, &(ParseOptions) {}, check_system_saveas);
}

static void check_security(const CollectSink *c) {
        assert_int_equal(c->n_events, 3);
        for (size_t i = 0; i < 3; i++) {
                const Event *e = &c->events[i].ev;

                assert_int_equal(e->event_id, 4688);
                assert_int_equal(e->version, 2);
                assert_int_equal(e->level, 0);
                assert_int_equal(e->task, 13312);
                assert_string_equal(e->channel, "Security");
                assert_string_equal(e->host, "IISServer.contoso.local");
                assert_string_equal(e->provider, "Microsoft-Windows-Security-Auditing");
                assert_int_equal(e->n_fields, 15);
                assert_int_equal(e->line, i + 1);
                assert_null(e->message);
        }
        assert_string_equal(collected_field(c, 0, "NewProcessName"), "C:\\Windows\\System32\\inetsrv\\inetinfo.exe");
        assert_string_equal(collected_field(c, 0, "ParentProcessName"), "C:\\Windows\\System32\\services.exe");
        assert_string_equal(collected_field(c, 1, "NewProcessName"), "C:\\Windows\\System32\\cscript.exe");
        assert_string_equal(collected_field(c, 1, "CommandLine"),
                            "cscript.exe  C:\\inetpub\\AdminScripts\\adsutil.vbs ENUM /P W3SVC/1");
        assert_string_equal(collected_field(c, 1, "SubjectUserName"), "Fr\xc3\xa9" "d\xc3\xa9ric");
        assert_string_equal(collected_field(c, 2, "CommandLine"), "cmd.exe /c \"iisreset /restart && echo done\"");
        assert_int_equal(c->events[1].ev.record_id, 1123457);
}

static void test_wevtutil(void **state) {
        _cleanup_free_ char *data = NULL;
        size_t n;

        data = read_data("xml-export/security-wevtutil.xml", &n);
        parse_and_check(xml_export_parse, data, n, &(ParseOptions) {}, check_security);
}

static void test_utf8_bom(void **state) {
        _cleanup_free_ char *data = NULL, *bom = NULL;
        size_t n;

        data = read_data("xml-export/security-wevtutil.xml", &n);
        bom = malloc(n + 3);
        assert_non_null(bom);
        memcpy(bom, "\xEF\xBB\xBF", 3);
        memcpy(bom + 3, data, n);
        parse_and_check(xml_export_parse, bom, n + 3, &(ParseOptions) {}, check_security);
}

static void test_utf16le_wevtutil(void **state) {
        _cleanup_free_ char *data = NULL;
        _cleanup_free_ uint8_t *wide = NULL;
        size_t n, wn;

        data = read_data("xml-export/security-wevtutil.xml", &n);
        wide = to_utf16(data, n, false, &wn);
        parse_and_check(xml_export_parse, wide, wn, &(ParseOptions) {}, check_security);
}

static void test_entities(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("entities.xml");
        CollectSink c;
        const char *xml =
                EVENT_HEAD("1", "7") "<EventData>"
                "<Data Name='amp'>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</Data>"
                "<Data Name='refs'>&#x41;&#66;&#233;&#x20AC;</Data>"
                "<Data Name='blank'>  x  \n y </Data>"
                "<Data Name='spaces'>   </Data>"
                "<Data Name='cdata'><![CDATA[<not> &amp; </Event>]]></Data>"
                "<Data Name='A&amp;B'>named</Data>"
                "<Data Name='empty'/>"
                "<Data Name='crlf'>l1\r\nl2</Data>"
                "</EventData></Event>";

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(c.n_events, 1);
        assert_int_equal(diag_count(d), 0);
        assert_string_equal(collected_field(&c, 0, "amp"), "a & b <c> \"d\" 'e'");
        assert_string_equal(collected_field(&c, 0, "refs"), "AB\xc3\xa9\xe2\x82\xac");
        assert_string_equal(collected_field(&c, 0, "blank"), "  x  \n y ");
        assert_string_equal(collected_field(&c, 0, "spaces"), "   ");
        assert_string_equal(collected_field(&c, 0, "cdata"), "<not> &amp; </Event>");
        assert_string_equal(collected_field(&c, 0, "A&B"), "named");
        assert_string_equal(collected_field(&c, 0, "empty"), "");
        assert_string_equal(collected_field(&c, 0, "crlf"), "l1\nl2");
        collect_sink_done(&c);
}

static void test_scanner_markup(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("markup.xml");
        CollectSink c;
        /* "</Event>" inside a comment, a CDATA section, a processing instruction and an
         * attribute value must not end an element; "<Events", "<EventData", "<EventID",
         * "<EventRecordID" must not start one. */
        const char *xml =
                "<?xml version='1.0'?>\n"
                "<!-- <Event> not one </Event> -->\n"
                "<Events>\n"
                EVENT_HEAD("1", "1") "<EventData><!-- </Event> --><Data Name='a'>x</Data>"
                "<?pi </Event> ?><Data Name='b'><![CDATA[</Event>]]></Data>"
                "<Data Name='c' Extra='1 > 0 /'>y</Data></EventData></Event>\n"
                "<Event\n  xmlns='" NS "'\n><System><EventID>2</EventID>"
                "<TimeCreated SystemTime='2020-05-01T10:00:00Z'/></System></Event>\n"
                "</Events>\n";

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(c.n_events, 2);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.events[0].ev.line, 4);
        assert_string_equal(collected_field(&c, 0, "a"), "x");
        assert_string_equal(collected_field(&c, 0, "b"), "</Event>");
        assert_string_equal(collected_field(&c, 0, "c"), "y");
        assert_int_equal(c.events[1].ev.event_id, 2);
        assert_int_equal(c.events[1].ev.line, 5);
        assert_int_equal(c.events[1].ev.time_digits, 0);
        collect_sink_done(&c);
}

static void test_malformed_between(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("malformed.xml");
        CollectSink c;
        const char *xml =
                EVENT_SIMPLE("1", "1", "first") "\n"
                EVENT_HEAD("2", "2") "<EventData><Data Name='v'>bad</Dat></EventData></Event>\n"
                EVENT_SIMPLE("3", "3", "third") "\n";

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(c.n_events, 2);
        assert_int_equal(c.events[0].ev.event_id, 1);
        assert_int_equal(c.events[1].ev.event_id, 3);
        assert_int_equal(c.events[1].ev.line, 3);
        assert_int_equal(diag_count(d), 1);
        assert_true(has_warning(d, 2, "event skipped"));
        collect_sink_done(&c);
}

static void test_bad_values(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("values.xml");
        CollectSink c;
        const char *xml =
                /* 1: EventID not a number */
                "<Event><System><EventID>abc</EventID><TimeCreated SystemTime='2020-05-01T10:00:00Z'/></System></Event>\n"
                /* 2: EventID out of range */
                "<Event><System><EventID>65536</EventID><TimeCreated SystemTime='2020-05-01T10:00:00Z'/></System></Event>\n"
                /* 3: no EventID */
                "<Event><System><TimeCreated SystemTime='2020-05-01T10:00:00Z'/></System></Event>\n"
                /* 4: no TimeCreated */
                "<Event><System><EventID>4</EventID></System></Event>\n"
                /* 5: bad time */
                "<Event><System><EventID>5</EventID><TimeCreated SystemTime='yesterday'/></System></Event>\n"
                /* 6: bad Level and Qualifiers, absent Version, empty Task, legacy source name only */
                "<Event><System><Provider EventSourceName='HTTP'/><EventID Qualifiers='x'>6</EventID><Level>high</Level>"
                "<Task></Task><TimeCreated SystemTime='2020-05-01T10:00:00Z'/><EventRecordID>-1</EventRecordID>"
                "</System></Event>\n"
                /* 7: bad Binary, then an odd one; warnings about values of a skipped event are dropped */
                "<Event><System><EventID>7</EventID><TimeCreated SystemTime='2020-05-01T10:00:00Z'/></System>"
                "<EventData><Binary>zz00</Binary></EventData></Event>\n"
                "<Event><System><EventID>8</EventID><TimeCreated SystemTime='2020-05-01T10:00:00Z'/></System>"
                "<EventData><Binary>ABC</Binary></EventData></Event>\n"
                /* 9: not the Event element at all */
                "<Event/>\n"
                "<Event><System><EventID>99999</EventID><Level>x</Level><TimeCreated SystemTime='2020-05-01T10:00:00Z'/>"
                "</System></Event>\n";
        const Event *e;

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(c.n_events, 3);
        assert_true(has_warning(d, 1, "event skipped: <EventID> is not a number"));
        assert_true(has_warning(d, 2, "event skipped: <EventID> is not a number"));
        assert_true(has_warning(d, 3, "event skipped: no <EventID>"));
        assert_true(has_warning(d, 4, "event skipped: no <TimeCreated>"));
        assert_true(has_warning(d, 5, "event skipped: <TimeCreated> @SystemTime is not a valid time"));
        assert_true(has_warning(d, 6, "<Level> 'high' is not a valid number"));
        assert_true(has_warning(d, 6, "Qualifiers"));
        assert_true(has_warning(d, 6, "<EventRecordID> '-1'"));
        assert_true(has_warning(d, 7, "<Binary> is not hexadecimal"));
        assert_true(has_warning(d, 8, "<Binary> has an odd number"));
        assert_true(has_warning(d, 9, "event skipped: no <EventID>"));
        assert_true(has_warning(d, 10, "event skipped: <EventID> is not a number"));
        assert_false(has_warning(d, 10, "<Level>"));
        assert_int_equal(diag_count(d), 12);

        e = &c.events[0].ev;
        assert_int_equal(e->event_id, 6);
        assert_string_equal(e->provider, "HTTP");
        assert_int_equal(e->qualifiers, EVENT_NO_VALUE);
        assert_int_equal(e->level, EVENT_NO_VALUE);
        assert_int_equal(e->version, EVENT_NO_VALUE);
        assert_int_equal(e->task, EVENT_NO_VALUE);
        assert_int_equal(e->opcode, EVENT_NO_VALUE);
        assert_int_equal(e->record_id, EVENT_NO_VALUE);
        assert_null(e->keywords);
        assert_null(e->channel);
        assert_null(e->host);
        e = &c.events[1].ev;
        assert_int_equal(e->event_id, 7);
        assert_null(e->binary);
        assert_int_equal(e->binary_size, 0);
        assert_int_equal(c.events[2].ev.event_id, 8);
        assert_int_equal(c.events[2].ev.binary_size, 0);
        collect_sink_done(&c);
}

static void test_junk(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("junk.xml");
        CollectSink c;
        const char *xml =
                "garbage before\nmore garbage\n"
                EVENT_SIMPLE("1", "1", "a") "\n"
                "junk between < 3 x\n"
                EVENT_SIMPLE("2", "2", "b") EVENT_SIMPLE("3", "3", "c") "\n"
                "\n   \t\n";

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(c.n_events, 3);
        assert_int_equal(c.events[2].ev.line, 5);
        assert_int_equal(diag_count(d), 2);
        assert_true(has_warning(d, 1, "text outside <Event> elements ignored"));
        assert_true(has_warning(d, 4, "text outside <Event> elements ignored"));
        collect_sink_done(&c);
}

static void test_unterminated_then_good(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("concat.xml");
        CollectSink c;
        /* A truncated file with another export appended to it */
        const char *xml =
                "<Events>" EVENT_HEAD("1", "1") "<EventData><Data Name='v'>cut he\n"
                "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n"
                "<Events>" EVENT_SIMPLE("2", "2", "whole") "</Events>\n";

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(c.n_events, 1);
        assert_int_equal(c.events[0].ev.event_id, 2);
        assert_int_equal(c.events[0].ev.line, 3);
        assert_true(has_warning(d, 1, "unterminated <Event>"));
        collect_sink_done(&c);
}

static void test_truncation(void **state) {
        const char *xml =
                "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n"
                "<Events>" EVENT_SIMPLE("1", "1", "first &amp; one") "\r\n"
                EVENT_SIMPLE("2", "2", "second") "</Events>";
        size_t n = strlen(xml);
        size_t end1 = (size_t) (strstr(xml, "</Event>") - xml) + 8;
        size_t end2 = (size_t) (strstr(xml + end1, "</Event>") - xml) + 8;
        size_t start2 = (size_t) (strstr(xml + end1, "<Event ") - xml);

        for (size_t cut = 0; cut <= n; cut++) {
                _cleanup_(diag_freep) Diag *d = diag_new("cut.xml");
                _cleanup_free_ char *part = strndup_view(xml, cut);
                CollectSink c;

                collect_sink_init(&c);
                assert_int_equal(parse_mem(part, cut, &c, d), 0);
                if (cut >= end2)
                        assert_int_equal(c.n_events, 2);
                else if (cut >= end1)
                        assert_int_equal(c.n_events, 1);
                else
                        assert_int_equal(c.n_events, 0);
                if (c.n_events >= 1) {
                        assert_int_equal(c.events[0].ev.event_id, 1);
                        assert_string_equal(collected_field(&c, 0, "v"), "first & one");
                        assert_int_equal(c.events[0].ev.line, 2);
                }
                if (c.n_events == 2) {
                        assert_string_equal(collected_field(&c, 1, "v"), "second");
                        assert_int_equal(c.events[1].ev.line, 3);
                }
                /* A cut inside the second element (once "<Event " is there) says so, on its line */
                if (cut > start2 + 6 && cut < end2)
                        assert_true(has_warning(d, 3, "unterminated <Event>"));
                if (cut >= end2)
                        assert_int_equal(diag_count(d), 0);
                collect_sink_done(&c);
        }
}

/* An event whose element is exactly size bytes, padded with blanks between elements. */
static char *event_of_size(size_t size, const char *value) {
        static const char head[] = EVENT_HEAD("42", "42") "<EventData>";
        _cleanup_free_ char *tail = NULL;
        size_t hn = strlen(head), tn, pad;
        char *s;

        assert_true(asprintf(&tail, "<Data Name='v'>%s</Data></EventData></Event>", value) > 0);
        tn = strlen(tail);
        assert_true(size >= hn + tn);
        pad = size - hn - tn;
        s = malloc(size + 1);
        assert_non_null(s);
        memcpy(s, head, hn);
        memset(s + hn, ' ', pad);
        memcpy(s + hn + pad, tail, tn + 1);
        return s;
}

static void test_event_size_cap(void **state) {
        for (size_t extra = 0; extra <= 1; extra++) {
                _cleanup_(diag_freep) Diag *d = diag_new("big.xml");
                _cleanup_free_ char *big = event_of_size(EVDIAG_MAX_XML_EVENT + extra, "big");
                _cleanup_free_ char *xml = NULL;
                CollectSink c;

                assert_true(asprintf(&xml, "%s\n%s\n%s\n", EVENT_SIMPLE("1", "1", "a"), big,
                                     EVENT_SIMPLE("3", "3", "c")) > 0);
                collect_sink_init(&c);
                assert_int_equal(parse_str(xml, &c, d), 0);
                if (extra == 0) {
                        assert_int_equal(c.n_events, 3);
                        assert_string_equal(collected_field(&c, 1, "v"), "big");
                        assert_int_equal(diag_count(d), 0);
                } else {
                        assert_int_equal(c.n_events, 2);
                        assert_int_equal(c.events[1].ev.event_id, 3);
                        assert_int_equal(c.events[1].ev.line, 3);
                        assert_int_equal(diag_count(d), 1);
                        assert_true(has_warning(d, 2, "larger than"));
                }
                collect_sink_done(&c);
        }

        /* The same cap holds for one element handed over in memory. */
        _cleanup_(diag_freep) Diag *d = diag_new("big-one.xml");
        _cleanup_free_ char *big = event_of_size(EVDIAG_MAX_XML_EVENT + 1, "big");
        CollectSink c;

        collect_sink_init(&c);
        assert_int_equal(xml_export_parse_event(big, strlen(big), 10, &c.sink, d), 0);
        assert_int_equal(c.n_events, 0);
        assert_true(has_warning(d, 10, "larger than"));
        collect_sink_done(&c);
}

static void test_fields_cap(void **state) {
        for (size_t extra = 0; extra <= 1; extra++) {
                _cleanup_(diag_freep) Diag *d = diag_new("fields.xml");
                StrBuf b = {};
                CollectSink c;
                size_t n = EVDIAG_MAX_EVENT_FIELDS + extra;

                assert_int_equal(strbuf_puts(&b, EVENT_HEAD("1", "1") "<EventData>"), 0);
                for (size_t i = 0; i < n; i++)
                        assert_int_equal(strbuf_printf(&b, "<Data Name='f%zu'>%zu</Data>", i, i), 0);
                assert_int_equal(strbuf_puts(&b, "</EventData></Event>"), 0);
                collect_sink_init(&c);
                assert_int_equal(parse_mem(b.data, b.len, &c, d), 0);
                assert_int_equal(c.n_events, 1);
                assert_int_equal(c.events[0].ev.n_fields, EVDIAG_MAX_EVENT_FIELDS);
                assert_string_equal(c.events[0].fields[EVDIAG_MAX_EVENT_FIELDS - 1].value, "1023");
                if (extra == 0)
                        assert_int_equal(diag_count(d), 0);
                else {
                        assert_int_equal(diag_count(d), 1);
                        assert_true(has_warning(d, 1, "more than 1024 fields"));
                }
                collect_sink_done(&c);
                strbuf_done(&b);
        }
}

static void test_value_cap(void **state) {
        for (size_t extra = 0; extra <= 1; extra++) {
                _cleanup_(diag_freep) Diag *d = diag_new("value.xml");
                size_t vn = EVDIAG_MAX_FIELD_VALUE + extra;
                _cleanup_free_ char *value = malloc(vn + 1), *xml = NULL;
                const char *v;
                CollectSink c;

                /* ASCII up to two bytes before the cap, then "é" straddling it when one over */
                assert_non_null(value);
                memset(value, 'a', vn);
                memcpy(value + vn - 2, "\xc3\xa9", 2);
                value[vn] = 0;
                assert_true(asprintf(&xml, "%s%s%s", EVENT_HEAD("1", "1") "<EventData><Data Name='v'>", value,
                                     "</Data><Data Name='w'>next</Data></EventData></Event>") > 0);
                collect_sink_init(&c);
                assert_int_equal(parse_str(xml, &c, d), 0);
                assert_int_equal(c.n_events, 1);
                v = collected_field(&c, 0, "v");
                assert_non_null(v);
                assert_true(utf8_is_valid(v, strlen(v)));
                if (extra == 0) {
                        assert_int_equal(strlen(v), EVDIAG_MAX_FIELD_VALUE);
                        assert_int_equal(diag_count(d), 0);
                } else {
                        assert_int_equal(strlen(v), EVDIAG_MAX_FIELD_VALUE - 1);
                        assert_int_equal(diag_count(d), 1);
                        assert_true(has_warning(d, 1, "<Data> value cut"));
                }
                assert_string_equal(collected_field(&c, 0, "w"), "next");
                collect_sink_done(&c);
        }
}

static void test_binary_cap(void **state) {
        for (size_t extra = 0; extra <= 1; extra++) {
                _cleanup_(diag_freep) Diag *d = diag_new("binary.xml");
                size_t bn = EVDIAG_MAX_BINARY + extra;
                StrBuf b = {};
                CollectSink c;

                assert_int_equal(strbuf_puts(&b, EVENT_HEAD("1", "1") "<EventData><Binary>"), 0);
                for (size_t i = 0; i < bn; i++)
                        assert_int_equal(strbuf_puts(&b, "A5"), 0);
                assert_int_equal(strbuf_puts(&b, "</Binary></EventData></Event>"), 0);
                collect_sink_init(&c);
                assert_int_equal(parse_mem(b.data, b.len, &c, d), 0);
                assert_int_equal(c.n_events, 1);
                if (extra == 0) {
                        assert_int_equal(c.events[0].ev.binary_size, EVDIAG_MAX_BINARY);
                        assert_int_equal(c.events[0].ev.binary[EVDIAG_MAX_BINARY - 1], 0xA5);
                        assert_int_equal(diag_count(d), 0);
                } else {
                        assert_int_equal(c.events[0].ev.binary_size, 0);
                        assert_true(has_warning(d, 1, "<Binary> longer than"));
                }
                collect_sink_done(&c);
                strbuf_done(&b);
        }
}

static void test_depth_cap(void **state) {
        /* <Event> is depth 1, <UserData> 2: nest up to EVDIAG_MAX_XML_DEPTH, then one more. */
        for (size_t extra = 0; extra <= 1; extra++) {
                _cleanup_(diag_freep) Diag *d = diag_new("deep.xml");
                size_t inner = EVDIAG_MAX_XML_DEPTH - 2 + extra;
                StrBuf b = {};
                CollectSink c;

                assert_int_equal(strbuf_puts(&b, EVENT_SIMPLE("1", "1", "a") "\n" EVENT_HEAD("2", "2") "<UserData>"), 0);
                for (size_t i = 0; i < inner; i++)
                        assert_int_equal(strbuf_printf(&b, "<L%zu>", i), 0);
                assert_int_equal(strbuf_puts(&b, "deep"), 0);
                for (size_t i = inner; i > 0; i--)
                        assert_int_equal(strbuf_printf(&b, "</L%zu>", i - 1), 0);
                assert_int_equal(strbuf_puts(&b, "</UserData></Event>\n" EVENT_SIMPLE("3", "3", "c")), 0);
                collect_sink_init(&c);
                assert_int_equal(parse_mem(b.data, b.len, &c, d), 0);
                if (extra == 0) {
                        _cleanup_free_ char *name = NULL;

                        assert_int_equal(c.n_events, 3);
                        assert_true(asprintf(&name, "L%zu", inner - 1) > 0);
                        assert_string_equal(collected_field(&c, 1, name), "deep");
                        assert_int_equal(c.events[1].ev.n_fields, 1);
                        assert_int_equal(diag_count(d), 0);
                } else {
                        assert_int_equal(c.n_events, 2);
                        assert_int_equal(c.events[1].ev.event_id, 3);
                        assert_int_equal(diag_count(d), 1);
                        assert_true(has_warning(d, 2, "nested deeper than 32"));
                }
                collect_sink_done(&c);
                strbuf_done(&b);
        }
}

static void test_many_events(void **state) {
        /* Enough events to cross many read chunks, elements split at every possible place. */
        _cleanup_(diag_freep) Diag *d = diag_new("many.xml");
        StrBuf b = {};
        CollectSink c;
        const size_t n = 5000;

        assert_int_equal(strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n<Events>"), 0);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(strbuf_printf(&b,
                        "<Event xmlns='" NS "'><System><Provider Name='P'/><EventID>%zu</EventID>"
                        "<TimeCreated SystemTime='2020-05-01T10:00:00Z'/><EventRecordID>%zu</EventRecordID></System>"
                        "<EventData><!-- c%zu --><Data Name='i'>%zu</Data><Data Name='x'><![CDATA[</Event>%zu]]></Data>"
                        "</EventData></Event>%s",
                        i % 65536, i, i, i, i, i % 7 == 0 ? "\n" : ""), 0);
        assert_int_equal(strbuf_puts(&b, "</Events>\n"), 0);
        collect_sink_init(&c);
        assert_int_equal(parse_mem(b.data, b.len, &c, d), 0);
        assert_int_equal(c.n_events, n);
        assert_int_equal(diag_count(d), 0);
        for (size_t i = 0; i < n; i++) {
                char want[32];

                assert_int_equal(c.events[i].ev.record_id, (int64_t) i);
                assert_int_equal(c.events[i].ev.line, 2 + (i + 6) / 7);
                snprintf(want, sizeof(want), "%zu", i);
                assert_string_equal(collected_field(&c, i, "i"), want);
                snprintf(want, sizeof(want), "</Event>%zu", i);
                assert_string_equal(collected_field(&c, i, "x"), want);
        }
        collect_sink_done(&c);
        strbuf_done(&b);
}

static void test_context_reuse(void **state) {
        /* A malformed element leaves libxml2 in the middle of it: nothing of it may leak into
         * the next element (here its namespace binding: prefix p stays undeclared, and the
         * event that uses it is skipped). */
        _cleanup_(diag_freep) Diag *d = diag_new("ns.xml");
        CollectSink c;
        const char *xml =
                "<Event xmlns:p='urn:x'><System><EventID>1</EventID><oops</System></Event>\n"
                "<Event><System><p:EventID>2</p:EventID><TimeCreated SystemTime='2020-05-01T10:00:00Z'/></System></Event>\n"
                EVENT_SIMPLE("3", "3", "c") "\n";

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(c.n_events, 1);
        assert_int_equal(c.events[0].ev.event_id, 3);
        assert_true(has_warning(d, 1, "event skipped"));
        assert_true(has_warning(d, 2, "event skipped"));
        assert_int_equal(diag_count(d), 2);
        collect_sink_done(&c);

        /* New names in every event: the context is replaced as its dictionary grows, and the
         * names it compares with are looked up again. */
        _cleanup_(diag_freep) Diag *d2 = diag_new("names.xml");
        StrBuf b = {};
        const size_t n = 4000;

        for (size_t i = 0; i < n; i++)
                assert_int_equal(strbuf_printf(&b,
                        EVENT_HEAD("5", "5") "<UserData><W%zu><A%zu>a</A%zu><B%zu>b</B%zu><C%zu>%zu</C%zu></W%zu>"
                        "</UserData></Event>\n", i, i, i, i, i, i, i, i, i), 0);
        collect_sink_init(&c);
        assert_int_equal(parse_mem(b.data, b.len, &c, d2), 0);
        assert_int_equal(c.n_events, n);
        assert_int_equal(diag_count(d2), 0);
        for (size_t i = 0; i < n; i++) {
                char name[32], value[32];

                assert_int_equal(c.events[i].ev.event_id, 5);
                assert_string_equal(c.events[i].ev.channel, "System");
                assert_int_equal(c.events[i].ev.n_fields, 3);
                snprintf(name, sizeof(name), "C%zu", i);
                snprintf(value, sizeof(value), "%zu", i);
                assert_string_equal(collected_field(&c, i, name), value);
        }
        collect_sink_done(&c);
        strbuf_done(&b);
}

static void test_external_entity(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("xxe.xml");
        CollectSink c;
        const char *xml =
                "<?xml version=\"1.0\"?>\n"
                "<!DOCTYPE Events [<!ENTITY x SYSTEM \"file:///etc/passwd\"><!ENTITY y \"internal\">]>\n"
                "<Events>\n"
                EVENT_SIMPLE("1", "1", "&x;") "\n"
                EVENT_SIMPLE("2", "2", "&y;") "\n"
                EVENT_SIMPLE("3", "3", "plain") "\n"
                "</Events>\n";
        const char *one =
                "<!DOCTYPE Event [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                EVENT_SIMPLE("4", "4", "&x;");

        collect_sink_init(&c);
        assert_int_equal(parse_str(xml, &c, d), 0);
        assert_int_equal(xml_export_parse_event(one, strlen(one), 9, &c.sink, d), 0);
        assert_int_equal(c.n_events, 1);
        assert_int_equal(c.events[0].ev.event_id, 3);
        for (size_t i = 0; i < c.n_events; i++)
                for (size_t j = 0; j < c.events[i].ev.n_fields; j++) {
                        const char *v = c.events[i].fields[j].value;

                        assert_null(strstr(v, "root:"));
                        assert_null(strstr(v, "/bin/"));
                        assert_null(strstr(v, "internal"));
                }
        assert_true(has_warning(d, 4, "event skipped"));
        assert_true(has_warning(d, 5, "event skipped"));
        assert_true(has_warning(d, 9, "event skipped"));
        collect_sink_done(&c);
}

static void test_sink_error(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("sink.xml");
        _cleanup_free_ char *data = NULL;
        size_t n;
        CollectSink c;

        data = read_data("xml-export/security-wevtutil.xml", &n);
        assert_int_equal(parse_failing(xml_export_parse, data, n, &(ParseOptions) {}, 2, &c), -EIO);
        assert_int_equal(c.n_events, 1);
        collect_sink_done(&c);

        collect_sink_init(&c);
        c.fail_after = 1;
        assert_int_equal(xml_export_parse_event(EVENT_SIMPLE("1", "1", "a"), strlen(EVENT_SIMPLE("1", "1", "a")),
                                                1, &c.sink, d), -EIO);
        collect_sink_done(&c);
}

static void test_parse_event_pretty(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("pane.txt");
        _cleanup_free_ char *data = NULL;
        size_t n;
        CollectSink c;
        const Event *e;

        data = read_data("xml-export/event-xml-pane.xml", &n);
        collect_sink_init(&c);
        assert_int_equal(xml_export_parse_event(data, n, 14, &c.sink, d), 1);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 1);
        e = &c.events[0].ev;
        assert_int_equal(e->event_id, 15021);
        assert_int_equal(e->qualifiers, 49152);
        assert_int_equal(e->level, 2);
        assert_string_equal(e->provider, "Microsoft-Windows-HttpEvent");
        assert_string_equal(e->provider_guid, "{7b6bc78c-898b-4170-bbf8-1a469ea43fc5}");
        assert_string_equal(e->keywords, "0x80000000000000");
        assert_string_equal(e->channel, "System");
        assert_string_equal(e->host, "EXCH01.contoso.local");
        assert_int_equal(e->record_id, 29156582);
        assert_string_equal(iso(e->time, e->time_digits), "2021-01-12T11:16:17.2419106Z");
        assert_int_equal(e->n_fields, 2);
        assert_string_equal(e->fields[0].name, "DeviceObject");
        assert_string_equal(e->fields[0].value, "\\Device\\Http\\ReqQueue");
        assert_string_equal(e->fields[1].name, "Endpoint");
        assert_string_equal(e->fields[1].value, "[::]:443");
        assert_int_equal(e->binary_size, 44);
        /* The NTSTATUS the message calls "error status code": LE DWORD at offset 40 */
        assert_int_equal(e->binary[40] | e->binary[41] << 8 | e->binary[42] << 16 | (uint32_t) e->binary[43] << 24,
                         0xC000005Fu);
        assert_int_equal(e->line, 14);
        assert_null(e->message);
        collect_sink_done(&c);

        /* Surrounded by blanks, as cut out of a text export; after a BOM; after an XML
         * declaration that names another encoding (the text is UTF-8 by now whatever it says) */
        _cleanup_free_ char *padded = NULL;
        assert_true(asprintf(&padded, "\n  %s\n\n", data) > 0);
        collect_sink_init(&c);
        assert_int_equal(xml_export_parse_event(padded, strlen(padded), 3, &c.sink, d), 1);
        assert_int_equal(c.events[0].ev.line, 3);
        collect_sink_done(&c);
        _cleanup_free_ char *bom = NULL;
        assert_true(asprintf(&bom, "\xEF\xBB\xBF%s", data) > 0);
        collect_sink_init(&c);
        assert_int_equal(xml_export_parse_event(bom, strlen(bom), 1, &c.sink, d), 1);
        assert_int_equal(c.events[0].ev.event_id, 15021);
        collect_sink_done(&c);
        _cleanup_free_ char *declared = NULL;
        assert_true(asprintf(&declared, "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n%s", data) > 0);
        collect_sink_init(&c);
        assert_int_equal(xml_export_parse_event(declared, strlen(declared), 1, &c.sink, d), 1);
        assert_int_equal(c.events[0].ev.event_id, 15021);
        collect_sink_done(&c);
        assert_int_equal(diag_count(d), 0);
}

static void test_parse_event_bad(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("pane.txt");
        _cleanup_free_ char *data = NULL;
        size_t n, end;
        CollectSink c;

        data = read_data("xml-export/event-xml-pane.xml", &n);
        end = (size_t) (strstr(data, "</Event>") - data) + 8;
        collect_sink_init(&c);
        /* Every cut of the pane before the end of its element is malformed, or lacks what an
         * event needs; each says so once. */
        for (size_t cut = 0; cut < n; cut++) {
                uint64_t before = diag_count(d);

                assert_int_equal(xml_export_parse_event(data, cut, 20, &c.sink, d), cut >= end ? 1 : 0);
                assert_int_equal(diag_count(d) - before, cut >= end ? 0 : 1);
        }
        assert_int_equal(c.n_events, n - end);
        collect_sink_done(&c);

        /* (A fresh Diag: the one above is past the warnings it keeps.) */
        _cleanup_(diag_freep) Diag *d2 = diag_new("pane.txt");
        collect_sink_init(&c);
        assert_int_equal(xml_export_parse_event("<Events/>", 9, 5, &c.sink, d2), 0);
        assert_true(has_warning(d2, 5, "event skipped: the element is not <Event>"));
        assert_int_equal(xml_export_parse_event(NULL, 0, 6, &c.sink, d2), 0);
        assert_true(has_warning(d2, 6, "event skipped"));
        assert_int_equal(xml_export_parse_event("<Event>x</Event> trailing", 25, 7, &c.sink, d2), 0);
        assert_true(has_warning(d2, 7, "event skipped"));
        assert_int_equal(diag_count(d2), 3);
        assert_int_equal(c.n_events, 0);
        collect_sink_done(&c);
}

static void test_corpus(void **state) {
        static const char path[] = CORPUS_DIR "/exports/eventviewer_saveas_xml__unknown-repo__DNS-Server_4013_fr-FR.xml";
        _cleanup_(diag_freep) Diag *d = diag_new(path);
        _cleanup_(instream_freep) InStream *in = NULL;
        ParseOptions opts = { .tz = NULL };
        CollectSink c;
        const Event *e;

        if (instream_open(path, &in) < 0) {
                print_message("corpus file %s absent, skipped\n", path);
                skip();
        }
        collect_sink_init(&c);
        assert_int_equal(xml_export_parse(in, &opts, &c.sink, d), 0);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 1);
        e = &c.events[0].ev;
        assert_int_equal(e->event_id, 4013);
        assert_string_equal(e->provider, "Microsoft-Windows-DNS-Server-Service");
        assert_string_equal(e->channel, "DNS Server");
        assert_string_equal(e->host, "SRVWIN-EKO.Ekoloclast.lan");
        assert_int_equal(e->record_id, 183);
        assert_int_equal(e->level, 3);
        assert_string_equal(e->user, "S-1-5-18");
        assert_string_equal(iso(e->time, e->time_digits), "2025-02-19T13:25:02.6560439Z");
        assert_non_null(e->message);
        assert_true(strncmp(e->message, "Le serveur DNS attend", 21) == 0);
        assert_true(utf8_is_valid(e->message, strlen(e->message)));
        assert_int_equal(e->n_fields, 0);
        assert_int_equal(e->line, 2);
        collect_sink_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_saveas),
                cmocka_unit_test(test_saveas_utf16le),
                cmocka_unit_test(test_wevtutil),
                cmocka_unit_test(test_utf8_bom),
                cmocka_unit_test(test_utf16le_wevtutil),
                cmocka_unit_test(test_entities),
                cmocka_unit_test(test_scanner_markup),
                cmocka_unit_test(test_malformed_between),
                cmocka_unit_test(test_bad_values),
                cmocka_unit_test(test_junk),
                cmocka_unit_test(test_unterminated_then_good),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_event_size_cap),
                cmocka_unit_test(test_fields_cap),
                cmocka_unit_test(test_value_cap),
                cmocka_unit_test(test_binary_cap),
                cmocka_unit_test(test_depth_cap),
                cmocka_unit_test(test_many_events),
                cmocka_unit_test(test_context_reuse),
                cmocka_unit_test(test_external_entity),
                cmocka_unit_test(test_sink_error),
                cmocka_unit_test(test_parse_event_pretty),
                cmocka_unit_test(test_parse_event_bad),
                cmocka_unit_test(test_corpus),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
