/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/limits.h"
#include "importer/detect.h"

/* A string literal and its length. */
#define S(lit) (const uint8_t *) (lit), (sizeof(lit) - 1)

static const char saveas_xml[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n"
        "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        "<Provider Name='Microsoft-Windows-HttpEvent' Guid='{7b6bc78c-898b-4170-bbf8-1a469ea43fc5}' "
        "EventSourceName='HTTP'/><EventID Qualifiers='32768'>15300</EventID>";

static const char wevtutil_xml[] =
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider "
        "Name='Service Control Manager' Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}' "
        "EventSourceName='Service Control Manager'/><EventID Qualifiers='16384'>7036</EventID>";

static const char apphost[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
        "<!--\r\n\r\n    IIS configuration sections.\r\n\r\n    For schema documentation, see\r\n"
        "    %windir%\\system32\\inetsrv\\config\\schema\\IIS_schema.xml.\r\n\r\n-->\r\n\r\n"
        "<configuration>\r\n\r\n    <!--\r\n        The <configSections> element is only used in this file.\r\n"
        "    -->\r\n\r\n    <configSections>\r\n"
        "        <sectionGroup name=\"system.applicationHost\">\r\n"
        "            <section name=\"applicationPools\" allowDefinition=\"AppHostOnly\" />\r\n";

static const char web_config[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<configuration>\r\n  <system.webServer>\r\n"
        "    <handlers>\r\n      <add name=\"aspNetCore\" path=\"*\" verb=\"*\" />\r\n";

static const char text_export[] =
        "Log Name:      System\r\nSource:        Microsoft-Windows-HttpEvent\r\n"
        "Date:          3/31/2010 2:43:28 PM\r\nEvent ID:      15300\r\n";

static const char text_german[] =
        "Protokollname: System\r\nQuelle:        Microsoft-Windows-HttpEvent\r\n"
        "Datum:         20.07.2010 00:00:01\r\nEreignis-ID:   15300\r\n";

static const char wevtutil_text[] =
        "Event[0]:\r\n  Log Name: System\r\n  Source: Microsoft-Windows-HttpEvent\r\n"
        "  Date: 2020-12-14T17:09:08.940\r\n";

static const char csv_en[] =
        "Level,Date and Time,Source,Event ID,Task Category\r\n"
        "Warning,3/31/2010 2:43:28 PM,Microsoft-Windows-HttpEvent,15300,None,\"SSL Certificate Settings "
        "deleted for Port : 0.0.0.0:443 .\"\r\n";

static const char csv_de[] =
        "Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\r\n"
        "Warnung,20.07.2010 00:00:01,Microsoft-Windows-HttpEvent,15300,Keine,\"...\"\r\n";

static const char csv_tab[] =
        "Level\tDate and Time\tSource\tEvent ID\tTask Category\r\n"
        "Information\t10/7/2016 06:38:24 PM\tService Control Manager\t7036\tNone\tThe IIS Admin Service ...\r\n";

static const char netsh[] =
        "\r\nSSL Certificate bindings:\r\n-------------------------\r\n\r\n"
        "    IP:port                      : 0.0.0.0:443\r\n"
        "    Certificate Hash             : d0da0b35cf91c55b91a10755c0b4b11dfb1d3ff9\r\n";

static const char netsh_sni[] =
        "    Hostname:port                : www.contoso.com:443\r\n"
        "    Certificate Hash             : d0da0b35cf91c55b91a10755c0b4b11dfb1d3ff9\r\n";

static const char netsh_prompt[] =
        "C:\\Users\\Administrator>netsh http show sslcert\r\n\r\n"
        "SSL Certificate bindings:\r\n-------------------------\r\n";

/* UTF-16 of an ASCII string, with or without a BOM. Returns the length. */
static size_t utf16(const char *s, bool bom, bool be, uint8_t *out) {
        size_t k = 0;

        if (bom) {
                out[k++] = be ? 0xFE : 0xFF;
                out[k++] = be ? 0xFF : 0xFE;
        }
        for (; *s; s++) {
                out[k++] = be ? 0 : (uint8_t) *s;
                out[k++] = be ? (uint8_t) *s : 0;
        }
        return k;
}

static void expect(const uint8_t *data, size_t n, ImportFormat want, const char *what) {
        /* an exact-size copy, so that a read past the end trips the sanitizer */
        uint8_t *copy = malloc(n ? n : 1);
        ImportFormat f;

        assert_non_null(copy);
        if (n)
                memcpy(copy, data, n);
        f = detect_format(copy, n);
        free(copy);
        if (f != want)
                fail_msg("%s: %s, want %s", what, import_format_name(f), import_format_name(want));
}

/* Every prefix of a sample gives some answer without reading past it. */
static void every_cut(const uint8_t *data, size_t n) {
        for (size_t k = 0; k <= n; k++) {
                uint8_t *copy = malloc(k ? k : 1);
                ImportFormat f;

                assert_non_null(copy);
                if (k)
                        memcpy(copy, data, k);
                f = detect_format(copy, k);
                assert_true(f < _FORMAT_MAX);
                free(copy);
        }
}

static void test_names(void **state) {
        static const char *const names[] = {
                "unknown", "xml", "text", "csv", "apphost", "netsh", "evtx", "evt", "empty",
        };

        assert_int_equal(sizeof(names) / sizeof(names[0]), _FORMAT_MAX);
        for (ImportFormat f = 0; f < _FORMAT_MAX; f++)
                assert_string_equal(import_format_name(f), names[f]);
        assert_string_equal(import_format_name(_FORMAT_MAX), "unknown");
        assert_string_equal(import_format_name((ImportFormat) 1000), "unknown");

        assert_true(import_format_hostless(FORMAT_CSV));
        assert_true(import_format_hostless(FORMAT_APPHOST));
        assert_true(import_format_hostless(FORMAT_NETSH));
        assert_false(import_format_hostless(FORMAT_XML));
        assert_false(import_format_hostless(FORMAT_TEXT));
        assert_false(import_format_hostless(FORMAT_EVTX));
        assert_false(import_format_hostless(FORMAT_UNKNOWN));
}

static void test_xml(void **state) {
        expect(S(saveas_xml), FORMAT_XML, "Save-As XML");
        expect(S(wevtutil_xml), FORMAT_XML, "wevtutil XML");
        expect(S("\xEF\xBB\xBF<?xml version=\"1.0\"?><Events>"), FORMAT_XML, "XML with a BOM");
        expect(S("\r\n  <!-- exported -->\r\n<?pi x?><Events>\r\n<Event>"), FORMAT_XML, "comment and PI first");
        expect(S("<!DOCTYPE Events><Events/>"), FORMAT_XML, "doctype");
        expect(S("<Events/>"), FORMAT_XML, "empty Events");
        expect(S("<Event>"), FORMAT_XML, "bare Event");
        expect(S("<Events"), FORMAT_XML, "cut after the name");
        expect(S("<EventsX>"), FORMAT_UNKNOWN, "another element");
        expect(S("<Eventing>"), FORMAT_UNKNOWN, "another element");
        expect(S("<events>"), FORMAT_UNKNOWN, "XML names are case-sensitive");
        expect(S("<!-- never closed <Events>"), FORMAT_UNKNOWN, "unclosed comment");
        expect(S("<?xml version=\"1.0\""), FORMAT_UNKNOWN, "unclosed declaration");
        expect(S("<html><body>"), FORMAT_UNKNOWN, "HTML");

        /* wevtutil /uni:true writes UTF-16LE */
        uint8_t raw[1024];
        expect(raw, utf16(wevtutil_xml, true, false, raw), FORMAT_XML, "UTF-16LE XML");
        expect(raw, utf16(saveas_xml, false, false, raw), FORMAT_XML, "UTF-16LE XML without BOM");

        every_cut(S(saveas_xml));
        every_cut(S(wevtutil_xml));
}

static void test_apphost(void **state) {
        expect(S(apphost), FORMAT_APPHOST, "applicationHost.config");
        expect(S("<configuration><system.applicationHost>"), FORMAT_APPHOST, "minimal");
        expect(S(web_config), FORMAT_UNKNOWN, "web.config");
        expect(S("<configurations>system.applicationHost"), FORMAT_UNKNOWN, "another root");
        every_cut(S(apphost));
}

static void test_text(void **state) {
        expect(S(text_export), FORMAT_TEXT, "Log Name:");
        expect(S("\xEF\xBB\xBFLog Name: System\n"), FORMAT_TEXT, "Log Name: with a BOM");
        expect(S("log name: System\n"), FORMAT_TEXT, "labels ignore case");
        expect(S(text_german), FORMAT_TEXT, "Protokollname:");
        expect(S(wevtutil_text), FORMAT_TEXT, "Event[0]:");
        expect(S("\n\nEvent[12345]:\n"), FORMAT_TEXT, "Event[12345]:");
        expect(S("Event[]:\n"), FORMAT_UNKNOWN, "Event[]:");
        expect(S("Event[0]\n"), FORMAT_UNKNOWN, "Event[0] without colon");
        expect(S("Event[0"), FORMAT_UNKNOWN, "Event[0 cut");
        /* copied details, after a few lines of something else */
        expect(S("Some notes\r\nabout the server\r\n\r\nLog Name: System\r\n"), FORMAT_TEXT, "notes first");

        uint8_t raw[1024];
        expect(raw, utf16(text_export, true, false, raw), FORMAT_TEXT, "UTF-16LE text with BOM");
        expect(raw, utf16(text_export, false, false, raw), FORMAT_TEXT, "UTF-16LE text without BOM");
        expect(raw, utf16(text_export, true, true, raw), FORMAT_TEXT, "UTF-16BE text with BOM");
        expect(raw, utf16(text_export, false, true, raw), FORMAT_TEXT, "UTF-16BE text without BOM");
        /* an odd length (a head cut mid-unit) */
        size_t n = utf16(text_export, true, false, raw);
        expect(raw, n - 1, FORMAT_TEXT, "UTF-16LE text cut mid-unit");

        /* the label past the first 40 lines that have text is not looked for */
        char many[2000] = "";
        for (int i = 0; i < 40; i++)
                strcat(many, "filler line\n");
        strcat(many, "Log Name: System\n");
        expect((const uint8_t *) many, strlen(many), FORMAT_UNKNOWN, "label on line 41");

        every_cut(S(text_export));
        every_cut(S(wevtutil_text));
        n = utf16(text_german, true, false, raw);
        every_cut(raw, n);
}

static void test_csv(void **state) {
        expect(S(csv_en), FORMAT_CSV, "English CSV");
        expect(S(csv_de), FORMAT_CSV, "German CSV");
        expect(S(csv_tab), FORMAT_CSV, "tab-separated");
        expect(S("\xEF\xBB\xBFLevel,Date and Time,Source,Event ID,Task Category\n"), FORMAT_CSV, "CSV with a BOM");
        expect(S("level,date and time,source,event id,task category"), FORMAT_CSV, "CSV header only, any case");
        expect(S("Level,Date and Time,Source"), FORMAT_UNKNOWN, "too few columns");
        /* the header must be the first line with text */
        expect(S("junk\nLevel,Date and Time,Source,Event ID,Task Category\n"), FORMAT_UNKNOWN, "header second");
        expect(S("\r\n\r\nLevel,Date and Time,Source,Event ID,Task Category\n"), FORMAT_CSV, "blank lines first");

        uint8_t raw[1024];
        expect(raw, utf16(csv_tab, true, false, raw), FORMAT_CSV, "UTF-16LE tab-separated");
        every_cut(S(csv_en));
}

static void test_netsh(void **state) {
        expect(S(netsh), FORMAT_NETSH, "netsh");
        expect(S(netsh_sni), FORMAT_NETSH, "netsh, SNI binding first");
        expect(S(netsh_prompt), FORMAT_NETSH, "netsh after a prompt");
        expect(S("    Central Certificate Store    : 443\r\n"), FORMAT_NETSH, "netsh CCS");
        expect(S("IP:port\n"), FORMAT_UNKNOWN, "label without a colon after it");
        expect(S("IP:portable : x\n"), FORMAT_UNKNOWN, "a longer word");

        uint8_t raw[1024];
        expect(raw, utf16(netsh, true, false, raw), FORMAT_NETSH, "UTF-16LE netsh (PowerShell redirect)");
        every_cut(S(netsh));
}

static void test_binary(void **state) {
        uint8_t evtx[4096] = "ElfFile";
        uint8_t evt[48] = { 0x30, 0, 0, 0, 'L', 'f', 'L', 'e', 1, 0, 0, 0, 1, 0, 0, 0 };

        expect(evtx, sizeof(evtx), FORMAT_EVTX, "evtx");
        expect(evtx, 8, FORMAT_EVTX, "evtx signature only");
        expect(evtx, 7, FORMAT_UNKNOWN, "evtx signature cut");
        expect(S("ElfFileX"), FORMAT_UNKNOWN, "no NUL after ElfFile");
        expect(evt, sizeof(evt), FORMAT_EVT, "evt");
        expect(evt, 8, FORMAT_EVT, "evt signature only");
        expect(evt, 7, FORMAT_UNKNOWN, "evt signature cut");
        every_cut(evtx, 64);
        every_cut(evt, sizeof(evt));

        /* random bytes, with NULs: not text */
        uint8_t junk[8192];
        uint32_t x = 42;
        for (size_t i = 0; i < sizeof(junk); i++) {
                x = x * 1103515245 + 12345;
                junk[i] = (uint8_t) (x >> 16);
        }
        junk[100] = 0;
        expect(junk, sizeof(junk), FORMAT_UNKNOWN, "random bytes");
        /* random printable text */
        for (size_t i = 0; i < sizeof(junk); i++) {
                x = x * 1103515245 + 12345;
                junk[i] = (uint8_t) (' ' + (x >> 16) % 95);
        }
        expect(junk, sizeof(junk), FORMAT_UNKNOWN, "random text");
        expect(S("hello world\n"), FORMAT_UNKNOWN, "plain text");
        expect(S("a\0b"), FORMAT_UNKNOWN, "a NUL in UTF-8");
}

static void test_empty(void **state) {
        expect(NULL, 0, FORMAT_EMPTY, "nothing");
        expect(S(""), FORMAT_EMPTY, "empty");
        expect(S(" \r\n\t\n  "), FORMAT_EMPTY, "white space");
        expect(S("\xEF\xBB\xBF"), FORMAT_EMPTY, "UTF-8 BOM only");
        expect(S("\xEF\xBB\xBF\r\n"), FORMAT_EMPTY, "UTF-8 BOM and a newline");
        expect(S("\xFF\xFE"), FORMAT_EMPTY, "UTF-16LE BOM only");
        expect(S("\xFE\xFF"), FORMAT_EMPTY, "UTF-16BE BOM only");
        expect(S("\xFF\xFE \0\r\0\n\0"), FORMAT_EMPTY, "UTF-16LE white space");
        expect(S("\xFF"), FORMAT_UNKNOWN, "one odd byte");
}

/* The whole sniff window: a big head is fine, and only the head is looked at. */
static void test_big_head(void **state) {
        size_t n = EVDIAG_SNIFF_BYTES;
        uint8_t *head = malloc(2 * n + 2);

        assert_non_null(head);
        memset(head, ' ', n);
        memcpy(head + n - 7, "<Event>", 7);
        expect(head, n, FORMAT_XML, "XML after 64 KiB of blanks");
        memset(head, '\n', n);
        expect(head, n, FORMAT_EMPTY, "64 KiB of newlines");
        /* UTF-16LE of 32 Ki characters */
        head[0] = 0xFF;
        head[1] = 0xFE;
        for (size_t i = 2; i + 1 < 2 * n; i += 2) {
                head[i] = '\n';
                head[i + 1] = 0;
        }
        memcpy(head + 2 * n - 10, "E\0v\0e\0n\0t\0", 10);
        expect(head, 2 * n, FORMAT_UNKNOWN, "UTF-16 newlines then a word");
        free(head);
}

static uint8_t *read_file(const char *path, size_t max, size_t *ret_n) {
        FILE *f = fopen(path, "rb");
        uint8_t *buf;
        size_t n;

        if (!f)
                return NULL;
        buf = malloc(max);
        assert_non_null(buf);
        n = fread(buf, 1, max, f);
        fclose(f);
        *ret_n = n;
        return buf;
}

/* The first EVDIAG_SNIFF_BYTES of the real samples in the shared corpus. */
static void test_corpus(void **state) {
        static const struct {
                const char *dir, *suffix;
                ImportFormat want;
        } sets[] = {
                { "evtx", ".evtx", FORMAT_EVTX },
                { "evtx", ".Evt", FORMAT_EVT },
                { "iis", ".config", FORMAT_APPHOST },
                { "iis", ".txt", FORMAT_NETSH },
                { "exports", ".xml", FORMAT_XML },
        };
        unsigned seen = 0;

        for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
                char dir[4096];
                DIR *d;
                struct dirent *de;

                snprintf(dir, sizeof(dir), "%s/%s", CORPUS_DIR, sets[i].dir);
                d = opendir(dir);
                if (!d)
                        continue;
                while ((de = readdir(d))) {
                        size_t l = strlen(de->d_name), sl = strlen(sets[i].suffix), n;
                        char path[8192];
                        uint8_t *head;

                        if (l < sl || strcmp(de->d_name + l - sl, sets[i].suffix) != 0)
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                        head = read_file(path, EVDIAG_SNIFF_BYTES, &n);
                        if (!head)
                                continue;
                        expect(head, n, sets[i].want, de->d_name);
                        free(head);
                        seen++;
                }
                closedir(d);
        }
        if (seen == 0) {
                printf("no shared corpus at %s, skipped\n", CORPUS_DIR);
                skip();
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_xml),
                cmocka_unit_test(test_apphost),
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_csv),
                cmocka_unit_test(test_netsh),
                cmocka_unit_test(test_binary),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_big_head),
                cmocka_unit_test(test_corpus),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
