/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/hostname.h"

static void test_key(void **state) {
        static const struct {
                const char *name;
                const char *want;       /* NULL: no key */
        } cases[] = {
                { "WEB02", "web02" },
                { "web02.contoso.local", "web02" },
                { "WEB02.Contoso.Local", "web02" },
                { "  WEB02  ", "web02" },
                { "\tWEB02 .contoso.local", "web02" },
                { "IISServer", "iisserver" },
                { "web02.", "web02" },
                { ".contoso.local", NULL },     /* leading dot: no first label */
                { "", NULL },
                { "   ", NULL },
                { ".", NULL },
                { " .x", NULL },
                { "10.0.0.5", "10.0.0.5" },     /* an address is a name whole */
                { " 10.0.0.5 ", "10.0.0.5" },
                { "10web.contoso", "10web" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *k = hostname_key(cases[i].name, strlen(cases[i].name));

                if (!cases[i].want) {
                        if (k)
                                fail_msg("\"%s\": \"%s\", want none", cases[i].name, k);
                        continue;
                }
                if (!k)
                        fail_msg("\"%s\": none, want \"%s\"", cases[i].name, cases[i].want);
                assert_string_equal(k, cases[i].want);
                free(k);
        }

        /* n bounds the read */
        char *k = hostname_key("WEB02XYZ", 5);
        assert_string_equal(k, "web02");
        free(k);
        assert_null(hostname_key("WEB02", 0));
}

static void test_equal(void **state) {
        assert_true(hostname_equal("WEB02", "web02.contoso.local"));
        assert_true(hostname_equal("web02.a.local", "WEB02.b.local"));
        assert_false(hostname_equal("WEB02", "WEB03"));
        assert_false(hostname_equal("WEB02", "WEB020"));
        assert_false(hostname_equal("", ""));
        assert_false(hostname_equal(".x", ".x"));
        assert_false(hostname_equal(NULL, "WEB02"));
        assert_false(hostname_equal("WEB02", NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key),
                cmocka_unit_test(test_equal),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
