/* SPDX-License-Identifier: MIT */
/* The one line an event gets in evidence and timelines (rules/event-summary.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "rules/event-summary.h"

static void test_table(void **state) {
        static const struct {
                const char *provider;
                int64_t id;
                const char *message, *data, *want;
        } cases[] = {
                /* The first line of the message, and nothing it already says. */
                { "Microsoft-Windows-HttpEvent", 15300, "SSL Certificate Settings deleted for endpoint : 0.0.0.0:443 .",
                  "[[\"DeviceObject\",\"\\\\Device\\\\Http\\\\ReqQueue\"],[\"Endpoint\",\"0.0.0.0:443\"]]",
                  "Microsoft-Windows-HttpEvent 15300: SSL Certificate Settings deleted for endpoint : 0.0.0.0:443 ." },
                { "Service Control Manager", 7036, "The DNS Client service entered the running state.\r\nmore",
                  "[[\"param1\",\"DNS Client\"],[\"param2\",\"running\"]]",
                  "Service Control Manager 7036: The DNS Client service entered the running state." },
                /* A first line that only names the kind of event: the telling values follow. */
                { "Microsoft-Windows-Sysmon", 1, "Process Create:\r\nRuleName: -\r\n",
                  "[[\"RuleName\",\"-\"],[\"ParentImage\",\"C:\\\\p.exe\"],[\"User\",\"CONTOSO\\\\adm\"],"
                  "[\"CommandLine\",\"netsh http delete sslcert\"],[\"Image\",\"C:\\\\netsh.exe\"]]",
                  "Microsoft-Windows-Sysmon 1: Process Create \xE2\x80\x94 Image=C:\\netsh.exe; "
                  "CommandLine=netsh http delete sslcert; User=CONTOSO\\adm; ParentImage=C:\\p.exe" },
                /* No message: the telling values, "-" left out. */
                { "Microsoft-Windows-Security-Auditing", 4688, NULL,
                  "[[\"SubjectUserName\",\"adm\"],[\"NewProcessName\",\"C:\\\\x.exe\"],[\"TargetUserName\",\"-\"]]",
                  "Microsoft-Windows-Security-Auditing 4688: NewProcessName=C:\\x.exe; SubjectUserName=adm" },
                /* No message, nothing telling: every value, positional ones without names. */
                { "Service Control Manager", 7036, "", "[[\"param1\",\"DNS Client\"],[\"param2\",\"running\"]]",
                  "Service Control Manager 7036: DNS Client; running" },
                { "P", 5, NULL, "[[null,\"a\"],[\"Name\",\"b\"],[\"e\",\"\"]]", "P 5: a; Name=b" },
                /* Nothing at all: no dangling colon. */
                { "EventLog", 6006, NULL, NULL, "EventLog 6006" },
                { NULL, 1, NULL, "[]", "event 1" },
                /* Malformed values show as far as they could be read. */
                { "P", 2, NULL, "[[\"a\",\"1\"],[\"b\"", "P 2: a=1" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = event_summary(cases[i].provider, cases[i].id, cases[i].message, cases[i].data);

                assert_non_null(got);
                if (strcmp(got, cases[i].want) != 0)
                        fail_msg("case %zu: \"%s\", not \"%s\"", i, got, cases[i].want);
                free(got);
        }
}

/* Long values are cut on a UTF-8 boundary, and what was cut always ends with an ellipsis. */
static void test_cut(void **state) {
        _cleanup_strbuf_ StrBuf data = {};
        char *got;
        size_t n;

        assert_int_equal(strbuf_puts(&data, "[[\"CommandLine\",\""), 0);
        for (int i = 0; i < 400; i++)
                assert_int_equal(strbuf_puts(&data, "\xC3\xA9"), 0);         /* é: two bytes */
        assert_int_equal(strbuf_puts(&data, "\"],[\"User\",\"u\"]]"), 0);
        got = event_summary("P", 1, "Process Create:", strbuf_str(&data));
        assert_non_null(got);
        n = strlen(got);
        assert_true(n <= 300 + 3);
        assert_string_equal(got + n - 3, "\xE2\x80\xA6");
        assert_true(((unsigned char) got[n - 4] & 0xC0) != 0xC0);            /* no lead byte left alone */
        free(got);

        /* Many short values: the collection stops, and says so. */
        strbuf_reset(&data);
        assert_int_equal(strbuf_puts(&data, "["), 0);
        for (int i = 0; i < 200; i++)
                assert_int_equal(strbuf_printf(&data, "%s[\"v%d\",\"xxxx\"]", i ? "," : "", i), 0);
        assert_int_equal(strbuf_puts(&data, "]"), 0);
        got = event_summary("P", 1, NULL, strbuf_str(&data));
        assert_non_null(got);
        assert_true(strlen(got) <= 300 + 3);
        assert_non_null(strstr(got, "\xE2\x80\xA6"));
        free(got);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_cut),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
