/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/limits.h"
#include "base/match.h"

static void test_op_names(void **state) {
        static const char *const names[] = {
                "equals", "prefix", "suffix", "path-suffix", "contains", "regex", "endpoint",
        };

        assert_int_equal(sizeof(names) / sizeof(names[0]), _MATCH_OP_MAX);
        for (MatchOp op = 0; op < _MATCH_OP_MAX; op++) {
                MatchOp back = _MATCH_OP_MAX;

                assert_string_equal(match_op_to_string(op), names[op]);
                assert_int_equal(match_op_from_string(names[op], &back), 0);
                assert_int_equal(back, op);
        }
        MatchOp untouched = MATCH_REGEX;
        assert_int_equal(match_op_from_string("Equals", &untouched), -EINVAL);
        assert_int_equal(match_op_from_string("", &untouched), -EINVAL);
        assert_int_equal(match_op_from_string("equals ", &untouched), -EINVAL);
        assert_int_equal(untouched, MATCH_REGEX);
        assert_string_equal(match_op_to_string(_MATCH_OP_MAX), "?");
        assert_string_equal(match_op_to_string((MatchOp) -1), "?");
}

static void test_ops(void **state) {
        static const struct {
                MatchOp op;
                const char *pattern, *subject;
                bool want;
        } cases[] = {
                { MATCH_EQUALS, "IISADMIN", "IISADMIN", true },
                { MATCH_EQUALS, "IISADMIN", "iisadmin", true },
                { MATCH_EQUALS, "IISADMIN", "IISADMIN ", false },
                { MATCH_EQUALS, "IISADMIN", "IISADMI", false },
                { MATCH_EQUALS, "", "", true },
                { MATCH_EQUALS, "", "x", false },
                { MATCH_PREFIX, "LM/W3SVC/", "lm/w3svc/1", true },
                { MATCH_PREFIX, "LM/W3SVC/", "LM/W3SVC", false },
                { MATCH_PREFIX, "", "anything", true },
                { MATCH_SUFFIX, "\\adsutil.vbs", "C:\\inetpub\\AdminScripts\\ADSUTIL.VBS", true },
                { MATCH_SUFFIX, "adsutil.vbs", "adsutil.vbs.bak", false },
                { MATCH_SUFFIX, "long suffix", "short", false },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "C:\\Windows\\System32\\inetsrv\\inetmgr6.exe", true },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "C:\\Windows\\System32\\inetsrv\\InetMgr6.EXE", true },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "inetmgr6.exe", true },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "/usr/bin/inetmgr6.exe", true },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "C:\\x\\notinetmgr6.exe", false },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "notinetmgr6.exe", false },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "\"C:\\Windows\\System32\\inetsrv\\inetmgr6.exe\"", true },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "\"C:\\Windows\\System32\\inetsrv\\inetmgr6.exe\" ", true },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "\"inetmgr6.exe\"", true },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "C:\\inetmgr6.exe\\other.exe", false },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "\"C:\\inetsrv\\inetmgr6.exe\" /s", false },
                { MATCH_PATH_SUFFIX, "inetmgr6.exe", "", false },
                { MATCH_PATH_SUFFIX, "inetsrv\\inetinfo.exe", "C:\\Windows\\system32\\inetsrv\\inetinfo.exe", true },
                { MATCH_PATH_SUFFIX, "inetsrv\\inetinfo.exe", "C:\\Windows\\system32\\xinetsrv\\inetinfo.exe", false },
                { MATCH_CONTAINS, "adsutil.vbs", "cscript.exe C:\\inetpub\\AdminScripts\\AdsUtil.vbs SET w3svc/2", true },
                { MATCH_CONTAINS, "adsutil.vbs", "cscript.exe iisweb.vbs", false },
                { MATCH_CONTAINS, "", "", true },
                { MATCH_CONTAINS, "aab", "aaab", true },
                { MATCH_CONTAINS, "abc", "ab", false },
                { MATCH_REGEX, "(adsutil|iisweb|iisvdir)\\.vbs", "cscript //nologo C:\\x\\IISWEB.VBS /query", true },
                { MATCH_REGEX, "(adsutil|iisweb|iisvdir)\\.vbs", "cscript test.js", false },
                { MATCH_REGEX, "^IISADMIN/4$", "iisadmin/4", true },
                { MATCH_REGEX, "^IISADMIN/4$", "IISADMIN/1", false },
                { MATCH_REGEX, "^$", "", true },
                { MATCH_ENDPOINT, "0.0.0.0:443", "*:443", true },
                { MATCH_ENDPOINT, "0.0.0.0:443", "0.0.0.0:443", true },
                { MATCH_ENDPOINT, "[::]:443", "[0::0]:443", true },
                { MATCH_ENDPOINT, "0.0.0.0:443", "[::]:443", false },
                { MATCH_ENDPOINT, "www.contoso.com:443", "WWW.CONTOSO.COM:443", true },
                { MATCH_ENDPOINT, "0.0.0.0:443", "not an endpoint", false },
                { MATCH_ENDPOINT, "junk", "junk", false },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_(matcher_freep) Matcher *m = NULL;
                char *err = NULL;

                assert_int_equal(matcher_new(cases[i].op, cases[i].pattern, &m, &err), 0);
                assert_null(err);
                if (matcher_test(m, cases[i].subject) != cases[i].want)
                        fail_msg("%s \"%s\" on \"%s\": want %d", match_op_to_string(cases[i].op), cases[i].pattern,
                                 cases[i].subject, cases[i].want);
                assert_false(matcher_test(m, NULL));
        }
}

static void test_regex_errors(void **state) {
        static const char *const bad[] = { "(", "a[", "*a", "a{2,1}", "\\" };
        Matcher *m = NULL;
        char *err = NULL;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int r = matcher_new(MATCH_REGEX, bad[i], &m, &err);

                if (r == 0) {
                        /* some libcs take "*a" literally; that is fine as long as it is usable */
                        m = matcher_free(m);
                        continue;
                }
                assert_int_equal(r, -EINVAL);
                assert_null(m);
                assert_non_null(err);
                assert_non_null(strstr(err, "bad regular expression"));
                assert_non_null(strstr(err, bad[i]));
                free(err);
                err = NULL;
        }
        /* stacked repetitions: glibc's memory doubles with each, so they are refused */
        static const char *const stacked[] = {
                "0:++++++++++++++++++++++++++++++4434", "a++", "a*+", "a+?", "a{2}{3}", "a{2}*", "a*{2}", "[x]+*",
        };
        for (size_t i = 0; i < sizeof(stacked) / sizeof(stacked[0]); i++) {
                if (matcher_new(MATCH_REGEX, stacked[i], &m, &err) != -EINVAL)
                        fail_msg("\"%s\" was accepted", stacked[i]);
                assert_null(m);
                assert_non_null(strstr(err, "repetition"));
                free(err);
                err = NULL;
        }
        /* ... but operators in brackets and escapes are literal */
        static const struct {
                const char *re, *subject;
        } fine[] = {
                { "[+*]+", "a+*b" }, { "\\++", "a++" }, { "a+b+", "aabb" }, { "(a+)+", "aa" },
                { "[[:digit:]]+x", "12x" }, { "[]+]+", "]+" }, { "[^]+]+", "ab" }, { "a{2}b{1,3}", "aabbb" },
                { "x\\{+", "x{{" }, { "[[:alpha:]+]{2}", "a+" },
        };
        for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
                if (matcher_new(MATCH_REGEX, fine[i].re, &m, &err) != 0)
                        fail_msg("\"%s\": %s", fine[i].re, err);
                if (!matcher_test(m, fine[i].subject))
                        fail_msg("\"%s\" on \"%s\"", fine[i].re, fine[i].subject);
                m = matcher_free(m);
        }

        /* "(" is refused by every libc */
        assert_int_equal(matcher_new(MATCH_REGEX, "(", &m, &err), -EINVAL);
        free(err);
        /* without an error string */
        assert_int_equal(matcher_new(MATCH_REGEX, "(", &m, NULL), -EINVAL);
        assert_null(m);

        /* the cap, and one byte past it */
        char *big = malloc(EVDIAG_MAX_REGEX + 2);
        assert_non_null(big);
        memset(big, 'a', EVDIAG_MAX_REGEX + 1);
        big[EVDIAG_MAX_REGEX] = 0;
        assert_int_equal(matcher_new(MATCH_REGEX, big, &m, &err), 0);
        assert_true(matcher_test(m, big));
        m = matcher_free(m);
        big[EVDIAG_MAX_REGEX] = 'a';
        big[EVDIAG_MAX_REGEX + 1] = 0;
        assert_int_equal(matcher_new(MATCH_REGEX, big, &m, &err), -EINVAL);
        assert_null(m);
        assert_non_null(err);
        assert_non_null(strstr(err, "longer than"));
        free(err);
        /* other ops take long patterns */
        assert_int_equal(matcher_new(MATCH_CONTAINS, big, &m, NULL), 0);
        m = matcher_free(m);
        free(big);

        /* a regex-looking pattern is plain text for the other ops */
        assert_int_equal(matcher_new(MATCH_CONTAINS, "(", &m, NULL), 0);
        assert_true(matcher_test(m, "f(x)"));
        m = matcher_free(m);
        assert_null(matcher_free(NULL));
}

static void test_capture(void **state) {
        _cleanup_(matcher_freep) Matcher *m = NULL, *plain = NULL;
        char *out = (char *) "untouched";

        assert_int_equal(matcher_new(MATCH_REGEX, "^LM/W3SVC/([0-9]+)(/ROOT)?$", &m, NULL), 0);
        assert_int_equal(matcher_capture(m, "LM/W3SVC/12", 1, &out), 1);
        assert_string_equal(out, "12");
        free(out);
        out = (char *) "untouched";
        /* group 2 did not take part */
        assert_int_equal(matcher_capture(m, "LM/W3SVC/12", 2, &out), 0);
        assert_string_equal(out, "untouched");
        assert_int_equal(matcher_capture(m, "lm/w3svc/7/root", 2, &out), 1);
        assert_string_equal(out, "/root");
        free(out);
        out = (char *) "untouched";
        /* no match, no group 0, groups past what is kept, past what the regex has */
        assert_int_equal(matcher_capture(m, "LM/W3SVC/INFO", 1, &out), 0);
        assert_int_equal(matcher_capture(m, "LM/W3SVC/12", 0, &out), 0);
        assert_int_equal(matcher_capture(m, "LM/W3SVC/12", 3, &out), 0);
        assert_int_equal(matcher_capture(m, "LM/W3SVC/12", 10, &out), 0);
        assert_int_equal(matcher_capture(m, NULL, 1, &out), 0);
        assert_string_equal(out, "untouched");

        /* the ninth group is the last */
        _cleanup_(matcher_freep) Matcher *nine = NULL;
        assert_int_equal(matcher_new(MATCH_REGEX, "(a)(b)(c)(d)(e)(f)(g)(h)(i)", &nine, NULL), 0);
        assert_int_equal(matcher_capture(nine, "xabcdefghiy", 9, &out), 1);
        assert_string_equal(out, "i");
        free(out);
        /* an empty group */
        _cleanup_(matcher_freep) Matcher *empty = NULL;
        assert_int_equal(matcher_new(MATCH_REGEX, "x(y*)z", &empty, NULL), 0);
        assert_int_equal(matcher_capture(empty, "xz", 1, &out), 1);
        assert_string_equal(out, "");
        free(out);

        /* not a regex matcher */
        out = (char *) "untouched";
        assert_int_equal(matcher_new(MATCH_CONTAINS, "LM", &plain, NULL), 0);
        assert_int_equal(matcher_capture(plain, "LM/W3SVC/12", 1, &out), 0);
        assert_string_equal(out, "untouched");
}

/* Message of a 4688 as Event Viewer renders it: tab-indented "Label:\tvalue" lines. */
static const char msg_4688[] =
        "A new process has been created.\r\n"
        "\r\n"
        "Creator Subject:\r\n"
        "\tSecurity ID:\t\tS-1-5-18\r\n"
        "\tAccount Name:\t\tWEB02$\r\n"
        "\tAccount Domain:\t\tCONTOSO\r\n"
        "\tLogon ID:\t\t0x3E7\r\n"
        "\r\n"
        "Target Subject:\r\n"
        "\tSecurity ID:\t\tS-1-0-0\r\n"
        "\tAccount Name:\t\t-\r\n"
        "\r\n"
        "Process Information:\r\n"
        "\tNew Process ID:\t\t0x1a2c\r\n"
        "\tNew Process Name:\tC:\\Windows\\System32\\inetsrv\\inetmgr6.exe\r\n"
        "\tToken Elevation Type:\t%%1936\r\n"
        "\tMandatory Label:\t\tMandatory Label\\High Mandatory Level\r\n"
        "\tCreator Process ID:\t0x2bc\r\n"
        "\tCreator Process Name:\tC:\\Windows\\explorer.exe\r\n"
        "\tProcess Command Line:\t\"C:\\Windows\\system32\\inetsrv\\InetMgr6.exe\" \r\n"
        "\r\n"
        "Token Elevation Type indicates the type of token that was assigned to the new process.";

static void test_label_value(void **state) {
        static const struct {
                const char *label, *want;
        } cases[] = {
                { "New Process Name", "C:\\Windows\\System32\\inetsrv\\inetmgr6.exe" },
                { "new process name", "C:\\Windows\\System32\\inetsrv\\inetmgr6.exe" },
                { "Process Command Line", "\"C:\\Windows\\system32\\inetsrv\\InetMgr6.exe\"" },
                { "Creator Process Name", "C:\\Windows\\explorer.exe" },
                { "Security ID", "S-1-5-18" },         /* the first line that has it */
                { "Account Name", "WEB02$" },
                { "New Process ID", "0x1a2c" },
                { "Token Elevation Type", "%%1936" },
                { "Mandatory Label", "Mandatory Label\\High Mandatory Level" },
                { "Process Information", "" },          /* a heading: empty value */
                { "Process", NULL },                    /* a prefix of a label is not a label */
                { "New Process", NULL },
                { "Token Elevation Type indicates", NULL },
                { "Image", NULL },
                { "", NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *v = text_label_value(msg_4688, cases[i].label);

                if (!cases[i].want) {
                        if (v)
                                fail_msg("\"%s\": \"%s\", want none", cases[i].label, v);
                        continue;
                }
                if (!v)
                        fail_msg("\"%s\": none, want \"%s\"", cases[i].label, cases[i].want);
                assert_string_equal(v, cases[i].want);
                free(v);
        }

        char *v;
        assert_null(text_label_value(NULL, "x"));
        assert_null(text_label_value("", "x"));
        /* blanks around the colon; the last line without a newline */
        v = text_label_value("a\n  Label \t:  value  ", "Label");
        assert_string_equal(v, "value");
        free(v);
        /* the label must start the line */
        assert_null(text_label_value("The Label: x", "Label"));
        /* a line that is only the label */
        assert_null(text_label_value("Label", "Label"));
        v = text_label_value("Label:", "Label");
        assert_string_equal(v, "");
        free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_op_names),
                cmocka_unit_test(test_ops),
                cmocka_unit_test(test_regex_errors),
                cmocka_unit_test(test_capture),
                cmocka_unit_test(test_label_value),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
