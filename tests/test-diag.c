/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/diag.h"
#include "base/limits.h"

static void test_format(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("logs/System.txt");
        const DiagEntry *e;
        size_t n = 42;
        char *s;

        assert_non_null(d);
        assert_string_equal(diag_path(d), "logs/System.txt");
        e = diag_entries(d, &n);
        assert_int_equal(n, 0);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(diag_errors(d), 0);

        diag_warn_line(d, 12, "bad date \"%s\"", "31/31/2010");
        diag_warn_offset(d, 0x1f000, "chunk checksum mismatch");
        diag_add(d, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "cannot read: %d", -5);
        diag_error_line(d, 1, "not an export");
        /* line 0 is "no line": the offset is used then */
        diag_add(d, DIAG_WARNING, DIAG_NO_LINE, 0, "at the start");
        /* both given: the line wins */
        diag_add(d, DIAG_WARNING, 7, 99, "both");

        e = diag_entries(d, &n);
        assert_int_equal(n, 6);
        assert_int_equal(diag_count(d), 6);
        assert_int_equal(diag_errors(d), 2);

        assert_int_equal(e[0].level, DIAG_WARNING);
        assert_int_equal(e[0].line, 12);
        assert_true(e[0].offset == DIAG_NO_OFFSET);
        assert_string_equal(e[0].message, "bad date \"31/31/2010\"");
        assert_int_equal(e[1].line, DIAG_NO_LINE);
        assert_int_equal(e[1].offset, 0x1f000);
        assert_int_equal(e[2].level, DIAG_ERROR);
        assert_int_equal(e[3].level, DIAG_ERROR);

        static const char *const want[] = {
                "logs/System.txt:12: bad date \"31/31/2010\"",
                "logs/System.txt: offset 0x1f000: chunk checksum mismatch",
                "logs/System.txt: cannot read: -5",
                "logs/System.txt:1: not an export",
                "logs/System.txt: offset 0x0: at the start",
                "logs/System.txt:7: both",
        };
        for (size_t i = 0; i < n; i++) {
                s = diag_entry_format(d, &e[i]);
                assert_non_null(s);
                assert_string_equal(s, want[i]);
                free(s);
        }
}

static void test_no_path(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new(NULL);
        const DiagEntry *e;
        size_t n;
        char *s;

        assert_non_null(d);
        assert_string_equal(diag_path(d), "");
        diag_warn_line(d, 3, "x");
        e = diag_entries(d, &n);
        s = diag_entry_format(d, &e[0]);
        assert_string_equal(s, ":3: x");
        free(s);

        /* a NULL sink takes messages and drops them */
        diag_warn_line(NULL, 1, "dropped");
        assert_null(diag_free(NULL));
}

static void test_cap(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("big.csv");
        const DiagEntry *e;
        size_t n;

        assert_non_null(d);
        for (unsigned i = 1; i <= EVDIAG_MAX_WARNINGS_KEPT + 50; i++) {
                if (i % 100 == 0)
                        diag_error_line(d, i, "error %u", i);
                else
                        diag_warn_line(d, i, "warning %u", i);
        }
        e = diag_entries(d, &n);
        assert_int_equal(n, EVDIAG_MAX_WARNINGS_KEPT);
        assert_int_equal(diag_count(d), EVDIAG_MAX_WARNINGS_KEPT + 50);
        /* errors are counted whether kept or not */
        assert_int_equal(diag_errors(d), (EVDIAG_MAX_WARNINGS_KEPT + 50) / 100);
        assert_int_equal(e[99].level, DIAG_ERROR);
        assert_int_equal(e[98].level, DIAG_WARNING);
        /* the first ones are kept, in order */
        for (size_t i = 0; i < n; i++)
                assert_int_equal(e[i].line, i + 1);
        assert_string_equal(e[n - 2].message, "warning 199");

        /* a long message is kept whole */
        _cleanup_(diag_freep) Diag *d2 = diag_new("x");
        char *long_msg = malloc(100001);
        assert_non_null(long_msg);
        memset(long_msg, 'm', 100000);
        long_msg[100000] = 0;
        diag_warn_line(d2, 1, "%s", long_msg);
        e = diag_entries(d2, &n);
        assert_int_equal(n, 1);
        assert_int_equal(strlen(e[0].message), 100000);
        free(long_msg);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_no_path),
                cmocka_unit_test(test_cap),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
