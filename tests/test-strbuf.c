/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/strbuf.h"

static void test_empty(void **state) {
        StrBuf b = {};
        char *s;

        assert_string_equal(strbuf_str(&b), "");
        assert_int_equal(b.len, 0);
        strbuf_reset(&b);               /* on a buffer that never allocated */
        assert_null(b.data);
        s = strbuf_steal(&b);
        assert_non_null(s);
        assert_string_equal(s, "");
        free(s);
        strbuf_done(&b);
        strbuf_done(&b);                /* twice is fine */

        /* appending nothing still gives a terminated buffer */
        assert_int_equal(strbuf_append(&b, NULL, 0), 0);
        assert_non_null(b.data);
        assert_string_equal(b.data, "");
        strbuf_done(&b);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.allocated, 0);
}

static void test_append(void **state) {
        _cleanup_strbuf_ StrBuf b = {};

        assert_int_equal(strbuf_puts(&b, "Log Name"), 0);
        assert_int_equal(strbuf_putc(&b, ':'), 0);
        assert_int_equal(strbuf_append(&b, " System and more", 7), 0);
        assert_string_equal(strbuf_str(&b), "Log Name: System");
        assert_int_equal(b.len, 16);
        assert_true(b.allocated > b.len);

        /* embedded NULs are kept, the terminator follows the contents */
        assert_int_equal(strbuf_append(&b, "\0x", 2), 0);
        assert_int_equal(b.len, 18);
        assert_memory_equal(b.data + 16, "\0x\0", 3);

        /* reset keeps the memory */
        size_t allocated = b.allocated;
        char *data = b.data;
        strbuf_reset(&b);
        assert_int_equal(b.len, 0);
        assert_string_equal(strbuf_str(&b), "");
        assert_ptr_equal(b.data, data);
        assert_int_equal(b.allocated, allocated);

        /* growth over many appends, contents intact */
        for (unsigned i = 0; i < 100000; i++)
                assert_int_equal(strbuf_putc(&b, (char) ('a' + i % 26)), 0);
        assert_int_equal(b.len, 100000);
        assert_int_equal(b.data[100000], 0);
        for (unsigned i = 0; i < 100000; i++)
                assert_int_equal(b.data[i], 'a' + i % 26);
}

static void test_printf(void **state) {
        _cleanup_strbuf_ StrBuf b = {};

        assert_int_equal(strbuf_printf(&b, "%s:%llu: ", "a.txt", 12ULL), 0);
        assert_int_equal(strbuf_printf(&b, "%d%%", 50), 0);
        assert_string_equal(strbuf_str(&b), "a.txt:12: 50%");
        assert_int_equal(b.len, 13);
        /* an empty format on an empty buffer */
        strbuf_done(&b);
        assert_int_equal(strbuf_printf(&b, "%s", ""), 0);
        assert_string_equal(strbuf_str(&b), "");
        /* longer than any first allocation */
        char big[5000];
        memset(big, 'q', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        assert_int_equal(strbuf_printf(&b, "<%s>", big), 0);
        assert_int_equal(b.len, sizeof(big) + 1);
        assert_int_equal(b.data[0], '<');
        assert_int_equal(b.data[b.len - 1], '>');
        assert_int_equal(b.data[b.len], 0);
}

static void test_steal(void **state) {
        StrBuf b = {};
        char *s;

        assert_int_equal(strbuf_puts(&b, "hand over"), 0);
        s = strbuf_steal(&b);
        assert_string_equal(s, "hand over");
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.allocated, 0);
        free(s);
        /* usable again */
        assert_int_equal(strbuf_puts(&b, "again"), 0);
        assert_string_equal(strbuf_str(&b), "again");
        strbuf_done(&b);
}

static void test_alloc_helpers(void **state) {
        int *a = NULL;
        size_t allocated = 0;
        char *s;

        assert_int_equal(ARRAY_GROW(a, allocated, 1), 0);
        assert_true(allocated >= 1);
        assert_int_equal(ARRAY_GROW(a, allocated, 1000), 0);
        assert_true(allocated >= 1000);
        a[999] = 7;
        /* a size that overflows is refused and leaves the array as it was */
        size_t before = allocated;
        assert_int_equal(ARRAY_GROW(a, allocated, SIZE_MAX / 2), -ENOMEM);
        assert_int_equal(allocated, before);
        assert_int_equal(a[999], 7);
        free(a);

        size_t r;
        assert_true(size_mul(3, 4, &r));
        assert_int_equal(r, 12);
        assert_false(size_mul(SIZE_MAX / 2 + 1, 2, &r));

        s = strndup_view("abcdef", 3);
        assert_string_equal(s, "abc");
        free(s);
        s = strndup_view(NULL, 0);
        assert_string_equal(s, "");
        free(s);
        assert_null(strndup_view("x", SIZE_MAX));

        char **v = calloc(3, sizeof(char *));
        assert_non_null(v);
        v[0] = strdup("a");
        v[1] = strdup("b");
        assert_null(strv_free(v));
        assert_null(strv_free(NULL));

        char *p = malloc(1);
        char *taken = TAKE_PTR(p);
        assert_null(p);
        free(taken);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_append),
                cmocka_unit_test(test_printf),
                cmocka_unit_test(test_steal),
                cmocka_unit_test(test_alloc_helpers),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
