/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/json.h"

static int collect(void *userdata, const char *name, const char *value) {
        StrBuf *b = userdata;

        return strbuf_printf(b, "%s=%s;", name ? name : "(null)", value);
}

static void test_string(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { NULL, "null" },
                { "", "\"\"" },
                { "plain", "\"plain\"" },
                { "a\"b\\c", "\"a\\\"b\\\\c\"" },
                { "tab\tnl\ncr\r", "\"tab\\tnl\\ncr\\r\"" },
                { "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
                { "Fr\xc3\xa9" "d\xc3\xa9ric", "\"Fr\xc3\xa9" "d\xc3\xa9ric\"" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                StrBuf b = {};

                assert_int_equal(json_append_string(&b, cases[i].in), 0);
                assert_string_equal(strbuf_str(&b), cases[i].out);
                strbuf_done(&b);
        }
}

/* What json_append_string writes, json_pairs_foreach reads back. */
static void test_round_trip(void **state) {
        const char *values[] = { "IIS Admin Service", "", "a\"b\\c\n\x01", "C:\\inetpub\\adsutil.vbs", "\xf0\x9d\x84\x9e" };
        StrBuf json = {}, got = {}, want = {};

        strbuf_putc(&json, '[');
        for (size_t i = 0; i < 5; i++) {
                strbuf_puts(&json, i ? ",[" : "[");
                json_append_string(&json, i == 1 ? NULL : "name");
                strbuf_putc(&json, ',');
                json_append_string(&json, values[i]);
                strbuf_putc(&json, ']');
                strbuf_printf(&want, "%s=%s;", i == 1 ? "(null)" : "name", values[i]);
        }
        strbuf_putc(&json, ']');
        assert_int_equal(json_pairs_foreach(strbuf_str(&json), collect, &got), 0);
        assert_string_equal(strbuf_str(&got), strbuf_str(&want));
        strbuf_done(&json);
        strbuf_done(&got);
        strbuf_done(&want);
}

static void test_read(void **state) {
        static const struct {
                const char *json, *pairs;
                int r;
        } cases[] = {
                { NULL, "", 0 },
                { "[]", "", 0 },
                { " [ [ \"a\" , \"1\" ] , [null,\"2\"] ] ", "a=1;(null)=2;", 0 },
                { "[[\"e\",\"\\u00e9\\ud834\\udd1e\\/\"]]", "e=\xc3\xa9\xf0\x9d\x84\x9e/;", 0 },
                { "[[\"lone\",\"\\ud800x\"]]", "lone=\xef\xbf\xbdx;", 0 },       /* unpaired surrogate */
                { "[[\"nul\",\"a\\u0000b\"]]", "nul=a\xef\xbf\xbd" "b;", 0 },
                { "[[\"a\",\"1\"],[\"b\"]]", "a=1;", -EBADMSG },               /* pairs before the fault */
                { "[[\"a\",1]]", "", -EBADMSG },
                { "{\"a\":\"1\"}", "", -EBADMSG },
                { "[[\"a\",\"1\"]", "a=1;", -EBADMSG },
                { "[[\"a\",\"tab\there\"]]", "", -EBADMSG },                  /* raw control character */
                { "[[\"a\",\"\\x\"]]", "", -EBADMSG },
                { "[[\"a\",\"\\u12\"]]", "", -EBADMSG },
                { "[[\"a\",\"unterminated", "", -EBADMSG },
                { "[[\"a\",\"1\"],]", "a=1;", -EBADMSG },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                StrBuf got = {};

                assert_int_equal(json_pairs_foreach(cases[i].json, collect, &got), cases[i].r);
                assert_string_equal(strbuf_str(&got), cases[i].pairs);
                strbuf_done(&got);
        }
}

static void test_get(void **state) {
        const char *json = "[[\"NewProcessName\",\"C:\\\\cscript.exe\"],[null,\"x\"],[\"CommandLine\",\"a\"],"
                           "[\"commandline\",\"second\"]]";
        char *v;

        v = json_pairs_get(json, "newprocessname");
        assert_string_equal(v, "C:\\cscript.exe");
        free(v);
        v = json_pairs_get(json, "COMMANDLINE");       /* the first of two */
        assert_string_equal(v, "a");
        free(v);
        assert_null(json_pairs_get(json, "Image"));
        assert_null(json_pairs_get(json, "NewProcess"));
        assert_null(json_pairs_get(NULL, "a"));
        assert_null(json_pairs_get("[[\"a\",\"1\"", "a"));     /* malformed: nothing */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_string),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_read),
                cmocka_unit_test(test_get),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
