/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "base/utf.h"

static void test_encode(void **state) {
        static const struct {
                uint32_t cp;
                const char *utf8;
        } cases[] = {
                { 0x24, "$" },
                { 0x7F, "\x7F" },
                { 0x80, "\xC2\x80" },
                { 0xA2, "\xC2\xA2" },
                { 0x7FF, "\xDF\xBF" },
                { 0x800, "\xE0\xA0\x80" },
                { 0x20AC, "\xE2\x82\xAC" },
                { 0xFFFD, "\xEF\xBF\xBD" },
                { 0xFFFF, "\xEF\xBF\xBF" },
                { 0x10000, "\xF0\x90\x80\x80" },
                { 0x1F600, "\xF0\x9F\x98\x80" },
                { 0x10FFFF, "\xF4\x8F\xBF\xBF" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char out[4];
                size_t l = utf8_encode(cases[i].cp, out);

                assert_int_equal(l, strlen(cases[i].utf8));
                assert_memory_equal(out, cases[i].utf8, l);
                /* and back: every encoded form is one valid sequence */
                assert_int_equal(utf8_sequence_length((const uint8_t *) out, l), l);
        }
}

static void test_sequence_length(void **state) {
        static const struct {
                const char *s;
                size_t n;
                size_t want;
        } cases[] = {
                { "", 0, 0 },
                { "A", 1, 1 },
                { "\0", 1, 1 },
                { "\xC3\xA9", 2, 2 },                   /* é */
                { "\xC3\xA9zz", 4, 2 },
                { "\xC3", 1, 0 },                       /* truncated */
                { "\xC3" "A", 2, 0 },                   /* no continuation */
                { "\xC0\x80", 2, 0 },                   /* overlong NUL */
                { "\xC1\xBF", 2, 0 },                   /* overlong */
                { "\xE0\x80\x80", 3, 0 },               /* overlong 3-byte */
                { "\xE0\x9F\xBF", 3, 0 },               /* overlong U+07FF */
                { "\xE0\xA0\x80", 3, 3 },               /* U+0800 */
                { "\xE2\x82\xAC", 3, 3 },               /* € */
                { "\xE2\x82", 2, 0 },                   /* truncated */
                { "\xE2\x82\xAC", 2, 0 },               /* truncated by n */
                { "\xE2\x28\xAC", 3, 0 },
                { "\xE2\x82\x28", 3, 0 },
                { "\xED\x9F\xBF", 3, 3 },               /* U+D7FF */
                { "\xED\xA0\x80", 3, 0 },               /* U+D800 surrogate */
                { "\xED\xBF\xBF", 3, 0 },               /* U+DFFF surrogate */
                { "\xEE\x80\x80", 3, 3 },               /* U+E000 */
                { "\xEF\xBF\xBF", 3, 3 },               /* U+FFFF */
                { "\xF0\x80\x80\x80", 4, 0 },           /* overlong 4-byte */
                { "\xF0\x8F\xBF\xBF", 4, 0 },           /* overlong U+FFFF */
                { "\xF0\x90\x80\x80", 4, 4 },           /* U+10000 */
                { "\xF0\x9F\x98\x80", 4, 4 },
                { "\xF0\x9F\x98\x80", 3, 0 },           /* truncated by n */
                { "\xF0\x9F\x98", 3, 0 },
                { "\xF4\x8F\xBF\xBF", 4, 4 },           /* U+10FFFF */
                { "\xF4\x90\x80\x80", 4, 0 },           /* U+110000 */
                { "\xF5\x80\x80\x80", 4, 0 },
                { "\xF8\x88\x80\x80\x80", 5, 0 },
                { "\xFF", 1, 0 },
                { "\xFE", 1, 0 },
                { "\x80", 1, 0 },                       /* lone continuation */
                { "\xBF", 1, 0 },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                size_t got = utf8_sequence_length((const uint8_t *) cases[i].s, cases[i].n);

                if (got != cases[i].want)
                        fail_msg("case %zu: got %zu, want %zu", i, got, cases[i].want);
                if (cases[i].want == 0 || cases[i].want == cases[i].n)
                        assert_int_equal(utf8_is_valid(cases[i].s, cases[i].n), cases[i].want == cases[i].n);
        }
}

static void test_is_valid(void **state) {
        assert_true(utf8_is_valid("", 0));
        assert_true(utf8_is_valid("plain ascii", 11));
        assert_true(utf8_is_valid("Schl\xC3\xBCsselw\xC3\xB6rter", 17));
        assert_false(utf8_is_valid("Schl\xFCsselw\xF6rter", 15));     /* latin-1 */
        assert_false(utf8_is_valid("ok\xE2\x82", 4));                   /* cut at the end */
        assert_true(utf8_is_valid("ok\xE2\x82\xAC", 5));
}

static void test_append_sanitized(void **state) {
        static const struct {
                const char *in;
                size_t n;
                const char *out;
                size_t bad;
        } cases[] = {
                { "", 0, "", 0 },
                { "abc", 3, "abc", 0 },
                { "caf\xC3\xA9", 5, "caf\xC3\xA9", 0 },
                { "caf\xE9", 4, "caf\xEF\xBF\xBD", 1 },
                { "\xE9t\xE9", 3, "\xEF\xBF\xBDt\xEF\xBF\xBD", 2 },
                /* each byte of an invalid sequence is replaced on its own */
                { "a\xC0\x80z", 4, "a\xEF\xBF\xBD\xEF\xBF\xBDz", 2 },
                { "a\xED\xA0\x80z", 5, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz", 3 },
                /* a truncated sequence at the end */
                { "x\xF0\x9F\x98", 4, "x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3 },
                { "\xF0\x9F\x98\x80!", 5, "\xF0\x9F\x98\x80!", 0 },
                /* NUL bytes are kept: the caller decides */
                { "a\0b", 3, "a\0b", 0 },
        };
        /* the NUL case compares 3 bytes, not strlen() */

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_strbuf_ StrBuf b = {};
                size_t bad = 0;

                assert_int_equal(utf8_append_sanitized(&b, cases[i].in, cases[i].n, &bad), 0);
                size_t want_len = cases[i].n == 3 && cases[i].in[1] == 0 ? 3 : strlen(cases[i].out);

                assert_int_equal(b.len, want_len);
                assert_memory_equal(strbuf_str(&b), cases[i].out, b.len);
                assert_int_equal(bad, cases[i].bad);
                assert_true(utf8_is_valid(strbuf_str(&b), b.len));
        }

        /* appends to what is there, and ret_bad may be NULL */
        _cleanup_strbuf_ StrBuf b = {};
        assert_int_equal(strbuf_puts(&b, "pre:"), 0);
        assert_int_equal(utf8_append_sanitized(&b, "\xFF", 1, NULL), 0);
        assert_string_equal(strbuf_str(&b), "pre:\xEF\xBF\xBD");
}

/* UTF-16LE from a list of code units. */
static size_t units_le(const uint16_t *u, size_t n, uint8_t *out) {
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = (uint8_t) (u[i] & 0xFF);
                out[2 * i + 1] = (uint8_t) (u[i] >> 8);
        }
        return 2 * n;
}

static void test_utf16le(void **state) {
        static const struct {
                uint16_t u[8];
                size_t n;
                const char *out;
                size_t bad;
        } cases[] = {
                { { 0 }, 0, "", 0 },
                { { 'I', 'I', 'S' }, 3, "IIS", 0 },
                { { 0x00E9, 0x20AC }, 2, "\xC3\xA9\xE2\x82\xAC", 0 },
                { { 0xD83D, 0xDE00 }, 2, "\xF0\x9F\x98\x80", 0 },              /* pair */
                { { 0xDBFF, 0xDFFF }, 2, "\xF4\x8F\xBF\xBF", 0 },              /* U+10FFFF */
                { { 0xD800, 0xDC00 }, 2, "\xF0\x90\x80\x80", 0 },              /* U+10000 */
                { { 'a', 0xD83D, 'b' }, 3, "a\xEF\xBF\xBD" "b", 1 },           /* lone high */
                { { 'a', 0xD83D }, 2, "a\xEF\xBF\xBD", 1 },                    /* high at the end */
                { { 'a', 0xDE00, 'b' }, 3, "a\xEF\xBF\xBD" "b", 1 },           /* lone low */
                { { 0xDE00, 0xD83D }, 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 2 },      /* reversed pair */
                { { 0xD83D, 0xD83D, 0xDE00 }, 3, "\xEF\xBF\xBD\xF0\x9F\x98\x80", 1 },
                { { 'a', 0, 'b' }, 3, "a\0b", 0 },                            /* NUL kept */
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_strbuf_ StrBuf b = {};
                uint8_t raw[16];
                size_t n = units_le(cases[i].u, cases[i].n, raw), bad = 0, want_len;

                assert_int_equal(utf16le_append(&b, raw, n, false, &bad), 0);
                want_len = cases[i].n == 3 && cases[i].u[1] == 0 ? 3 : strlen(cases[i].out);
                assert_int_equal(b.len, want_len);
                assert_memory_equal(strbuf_str(&b), cases[i].out, want_len);
                if (bad != cases[i].bad)
                        fail_msg("case %zu: %zu replacements, want %zu", i, bad, cases[i].bad);
        }
}

static void test_utf16le_odd_and_nul(void **state) {
        _cleanup_strbuf_ StrBuf b = {};
        size_t bad = 0;

        /* "AB" and an odd trailing byte */
        assert_int_equal(utf16le_append(&b, (const uint8_t *) "A\0B\0C", 5, false, &bad), 0);
        assert_string_equal(strbuf_str(&b), "AB\xEF\xBF\xBD");
        assert_int_equal(bad, 1);

        /* a single byte */
        strbuf_reset(&b);
        bad = 0;
        assert_int_equal(utf16le_append(&b, (const uint8_t *) "A", 1, false, &bad), 0);
        assert_string_equal(strbuf_str(&b), "\xEF\xBF\xBD");
        assert_int_equal(bad, 1);

        /* stop_at_nul: "IISADMIN/4" as the 7036 binary carries it, then padding */
        static const uint8_t blob[] = "I\0I\0S\0A\0D\0M\0I\0N\0/\0" "4\0\0\0X\0";
        strbuf_reset(&b);
        bad = 0;
        assert_int_equal(utf16le_append(&b, blob, sizeof(blob) - 1, true, &bad), 0);
        assert_string_equal(strbuf_str(&b), "IISADMIN/4");
        assert_int_equal(bad, 0);

        /* without stop_at_nul the NUL and what follows are kept */
        strbuf_reset(&b);
        assert_int_equal(utf16le_append(&b, blob, sizeof(blob) - 1, false, NULL), 0);
        assert_int_equal(b.len, 12);
        assert_memory_equal(strbuf_str(&b), "IISADMIN/4\0X", 12);

        /* a high surrogate right before the NUL does not swallow it */
        static const uint8_t hi_nul[] = { 0x3D, 0xD8, 0, 0, 'z', 0 };
        strbuf_reset(&b);
        bad = 0;
        assert_int_equal(utf16le_append(&b, hi_nul, sizeof(hi_nul), true, &bad), 0);
        assert_string_equal(strbuf_str(&b), "\xEF\xBF\xBD");
        assert_int_equal(bad, 1);

        /* appends to what is there */
        strbuf_reset(&b);
        assert_int_equal(strbuf_puts(&b, ">"), 0);
        assert_int_equal(utf16le_append(&b, (const uint8_t *) "o\0k\0", 4, false, NULL), 0);
        assert_string_equal(strbuf_str(&b), ">ok");
}

static void test_utf16le_long(void **state) {
        /* longer than the function's internal buffer: 1000 code points of 1..4 bytes each */
        _cleanup_strbuf_ StrBuf b = {}, want = {};
        static const uint16_t pattern[] = { 'a', 0x00E9, 0x20AC, 0xD83D, 0xDE00 };
        static const char *const pattern_utf8 = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
        uint8_t raw[1000 * 10];
        size_t n = 0;

        for (unsigned i = 0; i < 1000; i++) {
                n += units_le(pattern, 5, raw + n);
                assert_int_equal(strbuf_puts(&want, pattern_utf8), 0);
        }
        assert_int_equal(utf16le_append(&b, raw, n, false, NULL), 0);
        assert_int_equal(b.len, want.len);
        assert_memory_equal(b.data, want.data, b.len);

        /* every cut, so that the internal flush meets every alignment */
        for (size_t cut = 0; cut <= 64; cut += 2) {
                _cleanup_strbuf_ StrBuf c = {};

                assert_int_equal(utf16le_append(&c, raw + cut, n - cut, false, NULL), 0);
                assert_true(utf8_is_valid(c.data, c.len));
        }
}

static void test_cp1252(void **state) {
        static const uint8_t undefined[] = { 0x81, 0x8D, 0x8F, 0x90, 0x9D };
        _cleanup_strbuf_ StrBuf b = {};
        size_t bad = 0;

        assert_int_equal(cp1252_append(&b, (const uint8_t *) "abc", 3, &bad), 0);
        assert_string_equal(strbuf_str(&b), "abc");
        assert_int_equal(bad, 0);

        /* € ‚ ƒ … ‰ Š ž Ÿ and the Latin-1 upper half */
        static const uint8_t high[] = { 0x80, 0x82, 0x83, 0x85, 0x89, 0x8A, 0x9E, 0x9F, 0xA0, 0xE9, 0xFF };
        strbuf_reset(&b);
        assert_int_equal(cp1252_append(&b, high, sizeof(high), &bad), 0);
        assert_string_equal(strbuf_str(&b),
                            "\xE2\x82\xAC\xE2\x80\x9A\xC6\x92\xE2\x80\xA6\xE2\x80\xB0\xC5\xA0\xC5\xBE\xC5\xB8"
                            "\xC2\xA0\xC3\xA9\xC3\xBF");
        assert_int_equal(bad, 0);

        for (size_t i = 0; i < sizeof(undefined); i++) {
                strbuf_reset(&b);
                bad = 0;
                assert_int_equal(cp1252_append(&b, &undefined[i], 1, &bad), 0);
                assert_string_equal(strbuf_str(&b), "\xEF\xBF\xBD");
                assert_int_equal(bad, 1);
        }

        /* all five at once, NULL counter */
        strbuf_reset(&b);
        assert_int_equal(cp1252_append(&b, undefined, sizeof(undefined), NULL), 0);
        assert_int_equal(b.len, 15);

        /* every byte gives valid UTF-8 */
        uint8_t all[256];
        for (unsigned i = 0; i < 256; i++)
                all[i] = (uint8_t) i;
        strbuf_reset(&b);
        bad = 0;
        assert_int_equal(cp1252_append(&b, all, sizeof(all), &bad), 0);
        assert_true(utf8_is_valid(b.data, b.len));
        assert_int_equal(bad, 5);
}

static void test_ascii_case(void **state) {
        assert_int_equal(ascii_tolower('A'), 'a');
        assert_int_equal(ascii_tolower('Z'), 'z');
        assert_int_equal(ascii_tolower('@'), '@');
        assert_int_equal(ascii_tolower('['), '[');
        assert_int_equal(ascii_tolower((char) 0xC3), (char) 0xC3);
        assert_true(ascii_strcaseeq_n("IISADMIN", 8, "iisadmin", 8));
        assert_false(ascii_strcaseeq_n("IISADMIN", 8, "iisadmi", 7));
        assert_false(ascii_strcaseeq_n("abc", 3, "abd", 3));
        assert_true(ascii_strcaseeq_n("", 0, "", 0));
        /* not Unicode folding */
        assert_false(ascii_strcaseeq_n("\xC3\x84", 2, "\xC3\xA4", 2));
}

static void test_code_points_and_prefix(void **state) {
        static const char s[] = "a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x94\x92z";     /* a é 日 🔒 z: 1+2+3+4+1 bytes */
        static const struct {
                size_t max, want;
        } cases[] = {
                { 0, 0 }, { 1, 1 }, { 2, 1 }, { 3, 3 }, { 4, 3 }, { 5, 3 }, { 6, 6 }, { 9, 6 }, { 10, 10 },
                { 11, 11 }, { 100, 11 },
        };

        assert_int_equal(utf8_code_points(s, strlen(s)), 5);
        assert_int_equal(utf8_code_points(s, 0), 0);
        assert_int_equal(utf8_code_points(s, 2), 2);            /* a, and the lead byte of é */
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                assert_int_equal(utf8_prefix(s, strlen(s), cases[i].max), cases[i].want);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_code_points_and_prefix),
                cmocka_unit_test(test_encode),
                cmocka_unit_test(test_sequence_length),
                cmocka_unit_test(test_is_valid),
                cmocka_unit_test(test_append_sanitized),
                cmocka_unit_test(test_utf16le),
                cmocka_unit_test(test_utf16le_odd_and_nul),
                cmocka_unit_test(test_utf16le_long),
                cmocka_unit_test(test_cp1252),
                cmocka_unit_test(test_ascii_case),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
