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

#include "base/limits.h"
#include "base/strbuf.h"
#include "base/stream.h"
#include "base/text-reader.h"
#include "base/utf.h"

/* A string literal and its length. */
#define S(lit) (lit), (sizeof(lit) - 1)

/* The reader's internal buffer: sequences are cut where it ends. */
#define RAW 65536

typedef struct Reader {
        InStream *in;
        TextReader *r;
} Reader;

static void reader_open(Reader *rd, const void *data, size_t n) {
        assert_int_equal(instream_new_memory(data, n, &rd->in), 0);
        assert_int_equal(text_reader_new(rd->in, &rd->r), 0);
}

static void reader_close(Reader *rd) {
        rd->r = text_reader_free(rd->r);
        rd->in = instream_free(rd->in);
}

/* Every line, joined with "\n" after each. */
static char *read_lines(TextReader *r, size_t *ret_len) {
        StrBuf b = {};
        const char *line;
        size_t len;
        int k;

        while ((k = text_reader_getline(r, &line, &len)) > 0) {
                assert_int_equal(strlen(line), len);            /* NUL-terminated, no NUL inside */
                assert_int_equal(strbuf_append(&b, line, len), 0);
                assert_int_equal(strbuf_putc(&b, '\n'), 0);
        }
        assert_int_equal(k, 0);
        *ret_len = b.len;
        return strbuf_steal(&b);
}

/* Everything through text_reader_read() in pieces of chunk bytes. */
static char *read_all(TextReader *r, size_t chunk, size_t *ret_len) {
        StrBuf b = {};
        char buf[8192];
        ssize_t k;

        assert_true(chunk <= sizeof(buf));
        while ((k = text_reader_read(r, buf, chunk)) > 0) {
                assert_true((size_t) k <= chunk);
                assert_int_equal(strbuf_append(&b, buf, (size_t) k), 0);
        }
        assert_int_equal(k, 0);
        *ret_len = b.len;
        return strbuf_steal(&b);
}

static void expect_lines(const void *data, size_t n, TextEncoding enc, const char *const *want) {
        Reader rd = {};
        const char *line;
        size_t len;

        reader_open(&rd, data, n);
        assert_int_equal(text_reader_encoding(rd.r), enc);
        for (size_t i = 0; want[i]; i++) {
                int k = text_reader_getline(rd.r, &line, &len);

                if (k != 1)
                        fail_msg("line %zu: %d", i + 1, k);
                assert_string_equal(line, want[i]);
                assert_int_equal(len, strlen(want[i]));
                assert_int_equal(text_reader_line(rd.r), i + 1);
        }
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);   /* and stays there */
        assert_int_equal(text_reader_bad_sequences(rd.r, NULL), 0);
        reader_close(&rd);
}

static void test_empty(void **state) {
        Reader rd = {};
        const char *line = "untouched";
        size_t len = 42;
        uint64_t first = 42;
        char buf[4];

        reader_open(&rd, "", 0);
        assert_int_equal(text_reader_encoding(rd.r), TEXT_UTF8);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);
        assert_string_equal(line, "untouched");
        assert_int_equal(len, 42);
        assert_int_equal(text_reader_line(rd.r), 0);
        assert_int_equal(text_reader_read(rd.r, buf, sizeof(buf)), 0);
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 0);
        assert_int_equal(first, 0);
        reader_close(&rd);

        /* a BOM and nothing else is empty too */
        reader_open(&rd, "\xEF\xBB\xBF", 3);
        assert_int_equal(text_reader_encoding(rd.r), TEXT_UTF8_BOM);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);
        reader_close(&rd);
        reader_open(&rd, "\xFF\xFE", 2);
        assert_int_equal(text_reader_encoding(rd.r), TEXT_UTF16LE);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);
        reader_close(&rd);

        /* one empty line */
        expect_lines(S("\n"), TEXT_UTF8, (const char *const[]) { "", NULL });
        expect_lines(S("\r\n"), TEXT_UTF8, (const char *const[]) { "", NULL });
        expect_lines(S("\n\n"), TEXT_UTF8, (const char *const[]) { "", "", NULL });
}

static void test_utf8_line_ends(void **state) {
        expect_lines(S("Log Name: System\nSource: HTTP\n"), TEXT_UTF8,
                     (const char *const[]) { "Log Name: System", "Source: HTTP", NULL });
        expect_lines(S("a\r\nb\r\n"), TEXT_UTF8, (const char *const[]) { "a", "b", NULL });
        expect_lines(S("a\r\nb\nc\r\n"), TEXT_UTF8, (const char *const[]) { "a", "b", "c", NULL });
        /* the last line without a newline */
        expect_lines(S("a\nlast"), TEXT_UTF8, (const char *const[]) { "a", "last", NULL });
        expect_lines(S("a\r\nlast\r"), TEXT_UTF8, (const char *const[]) { "a", "last", NULL });
        /* a lone CR is not a line end; only the CR before LF goes */
        expect_lines(S("a\rb\n"), TEXT_UTF8, (const char *const[]) { "a\rb", NULL });
        expect_lines(S("a\r\r\n"), TEXT_UTF8, (const char *const[]) { "a\r", NULL });
        /* with a BOM, which is not part of the first line */
        expect_lines(S("\xEF\xBB\xBFLog Name: System\r\nDate: 3/31/2010 2:43:28 PM\r\n"), TEXT_UTF8_BOM,
                     (const char *const[]) { "Log Name: System", "Date: 3/31/2010 2:43:28 PM", NULL });
        /* a BOM later on is text (U+FEFF) */
        expect_lines(S("a\n\xEF\xBB\xBF" "b"), TEXT_UTF8, (const char *const[]) { "a", "\xEF\xBB\xBF" "b", NULL });
        /* multibyte text */
        expect_lines(S("Schl\xC3\xBCsselw\xC3\xB6rter: Klassisch\n\xE2\x82\xAC\xF0\x9F\x98\x80"), TEXT_UTF8,
                     (const char *const[]) { "Schl\xC3\xBCsselw\xC3\xB6rter: Klassisch", "\xE2\x82\xAC\xF0\x9F\x98\x80",
                                             NULL });
}

/* UTF-16 of an ASCII/BMP string given as UTF-8 code points. */
static size_t to_utf16(const uint32_t *cps, size_t n, bool be, uint8_t *out) {
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                uint16_t u[2];
                size_t m = 1;

                if (cps[i] >= 0x10000) {
                        u[0] = (uint16_t) (0xD800 + ((cps[i] - 0x10000) >> 10));
                        u[1] = (uint16_t) (0xDC00 + ((cps[i] - 0x10000) & 0x3FF));
                        m = 2;
                } else
                        u[0] = (uint16_t) cps[i];
                for (size_t j = 0; j < m; j++) {
                        out[k++] = (uint8_t) (be ? u[j] >> 8 : u[j] & 0xFF);
                        out[k++] = (uint8_t) (be ? u[j] & 0xFF : u[j] >> 8);
                }
        }
        return k;
}

static size_t ascii_cps(const char *s, uint32_t *out) {
        size_t n = strlen(s);

        for (size_t i = 0; i < n; i++)
                out[i] = (unsigned char) s[i];
        return n;
}

static void test_utf16(void **state) {
        uint32_t cps[128];
        uint8_t raw[600];
        size_t n, m;

        /* LE with a BOM, CRLF, a non-ASCII letter and a pair */
        cps[0] = 0xFEFF;
        n = 1 + ascii_cps("Log Name: System\r\nUser: N/A\r\n", cps + 1);
        cps[n++] = 0xE9;
        cps[n++] = 0x1F600;
        m = to_utf16(cps, n, false, raw);
        assert_int_equal(raw[0], 0xFF);
        expect_lines(raw, m, TEXT_UTF16LE,
                     (const char *const[]) { "Log Name: System", "User: N/A", "\xC3\xA9\xF0\x9F\x98\x80", NULL });

        /* BE with a BOM */
        m = to_utf16(cps, n, true, raw);
        assert_int_equal(raw[0], 0xFE);
        expect_lines(raw, m, TEXT_UTF16BE,
                     (const char *const[]) { "Log Name: System", "User: N/A", "\xC3\xA9\xF0\x9F\x98\x80", NULL });

        /* LE without a BOM, recognised by its zero bytes */
        n = ascii_cps("Event[0]:\n  Log Name: System\n", cps);
        m = to_utf16(cps, n, false, raw);
        expect_lines(raw, m, TEXT_UTF16LE, (const char *const[]) { "Event[0]:", "  Log Name: System", NULL });
        /* and BE without one */
        m = to_utf16(cps, n, true, raw);
        expect_lines(raw, m, TEXT_UTF16BE, (const char *const[]) { "Event[0]:", "  Log Name: System", NULL });
}

static void test_utf16_bad(void **state) {
        Reader rd = {};
        const char *line;
        size_t len;
        uint64_t first = 0;
        uint32_t cps[64];
        uint8_t raw[200];
        size_t n, m;

        /* a lone high surrogate on line 3, a lone low one on line 4, an odd byte at the end */
        cps[0] = 0xFEFF;
        n = 1 + ascii_cps("one\ntwo\nx", cps + 1);
        cps[n++] = 0xD83D;
        n += ascii_cps("y\n", cps + n);
        cps[n++] = 0xDE00;
        n += ascii_cps("z\nend", cps + n);
        m = to_utf16(cps, n, false, raw);
        raw[m++] = 'Q';
        reader_open(&rd, raw, m);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "one");
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "two");
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "x\xEF\xBF\xBDy");
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "\xEF\xBF\xBDz");
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "end\xEF\xBF\xBD");
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 3);
        assert_int_equal(first, 3);
        reader_close(&rd);
}

static void test_utf8_bad(void **state) {
        StrBuf in = {};
        Reader rd = {};
        const char *line;
        size_t len;
        uint64_t first = 0;
        int k;

        /* 100 lines; line 50 has a latin-1 byte, line 70 a truncated sequence */
        for (unsigned i = 1; i <= 100; i++) {
                if (i == 50)
                        assert_int_equal(strbuf_puts(&in, "caf\xE9\n"), 0);
                else if (i == 70)
                        assert_int_equal(strbuf_puts(&in, "x\xE2\x82y\n"), 0);
                else
                        assert_int_equal(strbuf_printf(&in, "line %u\n", i), 0);
        }
        reader_open(&rd, in.data, in.len);
        while ((k = text_reader_getline(rd.r, &line, &len)) > 0) {
                uint64_t no = text_reader_line(rd.r);

                assert_true(utf8_is_valid(line, len));
                if (no == 50)
                        assert_string_equal(line, "caf\xEF\xBF\xBD");
                else if (no == 70)
                        assert_string_equal(line, "x\xEF\xBF\xBD\xEF\xBF\xBDy");
        }
        assert_int_equal(k, 0);
        assert_int_equal(text_reader_line(rd.r), 100);
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 3);
        assert_int_equal(first, 50);
        reader_close(&rd);

        /* the first bad byte far beyond the first buffer: line 20001 */
        strbuf_reset(&in);
        for (unsigned i = 1; i <= 20000; i++)
                assert_int_equal(strbuf_printf(&in, "%08u\n", i), 0);
        assert_int_equal(strbuf_puts(&in, "bad \xFF\nok\n"), 0);
        reader_open(&rd, in.data, in.len);
        while ((k = text_reader_getline(rd.r, &line, &len)) > 0)
                ;
        assert_int_equal(k, 0);
        assert_int_equal(text_reader_line(rd.r), 20002);
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 1);
        assert_int_equal(first, 20001);
        reader_close(&rd);

        /* a bad byte on the first line, before anything was read */
        reader_open(&rd, "\xFF\n", 2);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "\xEF\xBF\xBD");
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 1);
        assert_int_equal(first, 1);
        reader_close(&rd);
        strbuf_done(&in);
}

/* A 4-byte sequence (and 2- and 3-byte ones) placed to straddle the end of the first buffer. */
static void test_utf8_split(void **state) {
        static const char *const seqs[] = { "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80" };

        for (size_t s = 0; s < 3; s++)
                for (int bom = 0; bom <= 1; bom++)
                        for (size_t before = RAW - 5; before <= RAW + 1; before++) {
                                size_t sl = strlen(seqs[s]), n = before + sl + 3, got_len;
                                char *in = malloc(n), *want = malloc(n), *got;
                                Reader rd = {};

                                assert_non_null(in);
                                assert_non_null(want);
                                memset(in, 'x', before);
                                if (bom)
                                        memcpy(in, "\xEF\xBB\xBF", 3);
                                memcpy(in + before, seqs[s], sl);
                                memcpy(in + before + sl, "z\r\n", 3);
                                /* what the lines give back: no BOM, no CR */
                                memcpy(want, in + (bom ? 3 : 0), n - (bom ? 3 : 0));
                                got_len = n - (bom ? 3 : 0);
                                want[got_len - 2] = '\n';
                                got_len--;

                                reader_open(&rd, in, n);
                                got = read_lines(rd.r, &n);
                                assert_int_equal(n, got_len);
                                assert_memory_equal(got, want, got_len);
                                assert_int_equal(text_reader_bad_sequences(rd.r, NULL), 0);
                                free(got);
                                reader_close(&rd);
                                free(in);
                                free(want);
                        }

        /* a broken sequence at the boundary is one replacement per byte, and what follows stays */
        size_t n = RAW + 10, len;
        char *in = malloc(n), *got;
        Reader rd = {};
        assert_non_null(in);
        memset(in, 'x', n);
        in[RAW - 1] = (char) 0xE2;
        in[RAW] = (char) 0x82;
        in[RAW + 1] = 'A';
        reader_open(&rd, in, n);
        got = read_all(rd.r, 4096, &len);
        assert_int_equal(len, n - 2 + 6 - 0);
        assert_memory_equal(got + RAW - 1, "\xEF\xBF\xBD\xEF\xBF\xBD" "A", 7);
        assert_int_equal(text_reader_bad_sequences(rd.r, NULL), 2);
        free(got);
        reader_close(&rd);
        free(in);
}

/* A surrogate pair straddling the end of the first buffer, in both byte orders. */
static void test_utf16_split(void **state) {
        for (int be = 0; be <= 1; be++)
                for (size_t units = RAW / 2 - 4; units <= RAW / 2 + 1; units++) {
                        size_t cap = units + 8, n, got_len;
                        uint32_t *cps = malloc(cap * sizeof(uint32_t));
                        uint8_t *raw = malloc(cap * 4);
                        StrBuf want = {};
                        char *got;
                        Reader rd = {};

                        assert_non_null(cps);
                        assert_non_null(raw);
                        cps[0] = 0xFEFF;
                        for (size_t i = 1; i < units; i++)
                                cps[i] = 'a' + i % 26;
                        cps[units] = 0x1F600;
                        cps[units + 1] = 0xE9;
                        cps[units + 2] = '\n';
                        n = to_utf16(cps, units + 3, be, raw);
                        for (size_t i = 1; i < units + 3; i++) {
                                char u[4];

                                assert_int_equal(strbuf_append(&want, u, utf8_encode(cps[i], u)), 0);
                        }

                        reader_open(&rd, raw, n);
                        assert_int_equal(text_reader_encoding(rd.r), be ? TEXT_UTF16BE : TEXT_UTF16LE);
                        got = read_all(rd.r, 8192, &got_len);
                        assert_int_equal(got_len, want.len);
                        assert_memory_equal(got, want.data, got_len);
                        assert_int_equal(text_reader_bad_sequences(rd.r, NULL), 0);
                        free(got);
                        reader_close(&rd);
                        strbuf_done(&want);
                        free(cps);
                        free(raw);
                }
}

/* Some 400 KiB of mixed text through many buffer refills: what comes out is what went in. */
static void test_long_mixed(void **state) {
        static const uint32_t pool[] = { 'a', 'Z', ' ', '\n', 0xE9, 0x20AC, 0x1F600, 0x10FFFF, 0x7FF, 0x800 };
        size_t count = 100000, n, got_len;
        uint32_t *cps = malloc(count * sizeof(uint32_t));
        uint8_t *raw = malloc(count * 4 + 2);
        StrBuf want = {};
        uint32_t x = 1;
        char *got;

        assert_non_null(cps);
        assert_non_null(raw);
        for (size_t i = 0; i < count; i++) {
                char u[4];

                x = x * 1103515245 + 12345;
                cps[i] = pool[(x >> 16) % (sizeof(pool) / sizeof(pool[0]))];
                assert_int_equal(strbuf_append(&want, u, utf8_encode(cps[i], u)), 0);
        }

        /* UTF-8 */
        for (size_t chunk = 1; chunk <= 8192; chunk *= 8) {
                Reader rd = {};

                reader_open(&rd, want.data, want.len);
                got = read_all(rd.r, chunk, &got_len);
                assert_int_equal(got_len, want.len);
                assert_memory_equal(got, want.data, got_len);
                free(got);
                reader_close(&rd);
        }

        /* UTF-16LE and BE with BOMs */
        for (int be = 0; be <= 1; be++) {
                Reader rd = {};

                raw[0] = be ? 0xFE : 0xFF;
                raw[1] = be ? 0xFF : 0xFE;
                n = 2 + to_utf16(cps, count, be, raw + 2);
                reader_open(&rd, raw, n);
                got = read_all(rd.r, 777, &got_len);
                assert_int_equal(got_len, want.len);
                assert_memory_equal(got, want.data, got_len);
                assert_int_equal(text_reader_bad_sequences(rd.r, NULL), 0);
                free(got);
                reader_close(&rd);
        }

        strbuf_done(&want);
        free(cps);
        free(raw);
}

static void test_line_limit(void **state) {
        size_t max = EVDIAG_MAX_LINE, n = 0;
        char *in = malloc(6 * max + 100);
        Reader rd = {};
        const char *line;
        size_t len;

        assert_non_null(in);
#define PUT(s) (memcpy(in + n, (s), strlen(s)), n += strlen(s))
#define FILL(c, k) (memset(in + n, (c), (k)), n += (k))
        PUT("first\n");
        FILL('a', max);                 /* line 2: exactly the cap */
        PUT("\n");
        FILL('b', max + 1);             /* line 3: one byte too many */
        PUT("\n");
        PUT("fourth\n");
        FILL('c', max);                 /* line 5: the cap, then CRLF */
        PUT("\r\n");
        FILL('d', max + 1);             /* line 6: too long, with CRLF */
        PUT("\r\n");
        PUT("seventh\n");
        FILL('e', max + 1);             /* line 8: too long, at the end without a newline */

        reader_open(&rd, in, n);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "first");
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_int_equal(len, max);
        assert_int_equal(text_reader_line(rd.r), 2);
        assert_true(line[0] == 'a' && line[max - 1] == 'a' && line[max] == 0);
        line = "untouched";
        assert_int_equal(text_reader_getline(rd.r, &line, &len), -E2BIG);
        assert_string_equal(line, "untouched");
        assert_int_equal(text_reader_line(rd.r), 3);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "fourth");
        assert_int_equal(text_reader_line(rd.r), 4);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_int_equal(len, max);
        assert_int_equal(line[max - 1], 'c');
        assert_int_equal(text_reader_line(rd.r), 5);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), -E2BIG);
        assert_int_equal(text_reader_line(rd.r), 6);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "seventh");
        assert_int_equal(text_reader_line(rd.r), 7);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), -E2BIG);
        assert_int_equal(text_reader_line(rd.r), 8);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);
        reader_close(&rd);

        /* the cap counts bytes after transcoding: max/2 UTF-16 units of U+00E9 are max bytes */
        n = 0;
        in[n++] = (char) 0xFF;
        in[n++] = (char) 0xFE;
        for (size_t i = 0; i < max / 2; i++) {
                in[n++] = (char) 0xE9;
                in[n++] = 0;
        }
        PUT("\n");
        in[n++] = 0;
        for (size_t i = 0; i < max / 2 + 1; i++) {
                in[n++] = (char) 0xE9;
                in[n++] = 0;
        }
        reader_open(&rd, in, n);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_int_equal(len, max);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), -E2BIG);
        assert_int_equal(text_reader_line(rd.r), 2);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 0);
        reader_close(&rd);
#undef PUT
#undef FILL
        free(in);
}

static void test_read_chunks(void **state) {
        static const char text[] = "\xEF\xBB\xBFLog Name: System\r\nSource: \xC3\x9C\r\n\r\nend";
        Reader rd = {};
        size_t len;
        char *got, buf[4];

        for (size_t chunk = 1; chunk <= 64; chunk++) {
                reader_open(&rd, text, sizeof(text) - 1);
                got = read_all(rd.r, chunk, &len);
                /* read() gives the text as it is, CRs included, without the BOM */
                assert_int_equal(len, sizeof(text) - 1 - 3);
                assert_memory_equal(got, text + 3, len);
                free(got);
                reader_close(&rd);
        }

        /* read() and getline() share one position */
        reader_open(&rd, "ab\ncd\n", 6);
        assert_int_equal(text_reader_read(rd.r, buf, 1), 1);
        assert_int_equal(buf[0], 'a');
        const char *line;
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "b");
        assert_int_equal(text_reader_read(rd.r, buf, 4), 3);
        assert_memory_equal(buf, "cd\n", 3);
        assert_int_equal(text_reader_read(rd.r, buf, 4), 0);
        reader_close(&rd);
}

static void test_rewind(void **state) {
        uint32_t cps[64];
        uint8_t raw[200];
        size_t n, m, len1, len2;
        Reader rd = {};
        const char *line;
        size_t len;
        uint64_t first;
        char *a, *b;

        cps[0] = 0xFEFF;
        n = 1 + ascii_cps("one\r\ntwo\r\nthr", cps + 1);
        cps[n++] = 0xDC00;      /* lone low surrogate on line 3 */
        n += ascii_cps("ee\r\n", cps + n);
        m = to_utf16(cps, n, false, raw);

        reader_open(&rd, raw, m);
        a = read_lines(rd.r, &len1);
        assert_string_equal(a, "one\ntwo\nthr\xEF\xBF\xBD" "ee\n");
        assert_int_equal(text_reader_line(rd.r), 3);
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 1);
        assert_int_equal(first, 3);

        /* rewound halfway and at the end: the same lines, numbers and counts again */
        assert_int_equal(text_reader_rewind(rd.r), 0);
        assert_int_equal(text_reader_line(rd.r), 0);
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 0);
        assert_int_equal(text_reader_getline(rd.r, &line, &len), 1);
        assert_string_equal(line, "one");
        assert_int_equal(text_reader_rewind(rd.r), 0);
        assert_int_equal(text_reader_encoding(rd.r), TEXT_UTF16LE);
        b = read_lines(rd.r, &len2);
        assert_int_equal(len1, len2);
        assert_string_equal(a, b);
        assert_int_equal(text_reader_line(rd.r), 3);
        assert_int_equal(text_reader_bad_sequences(rd.r, &first), 1);
        assert_int_equal(first, 3);
        free(a);
        free(b);
        reader_close(&rd);

        /* UTF-8 with a BOM: the BOM is skipped again */
        reader_open(&rd, "\xEF\xBB\xBFx\ny", 6);
        a = read_lines(rd.r, &len1);
        assert_int_equal(text_reader_rewind(rd.r), 0);
        b = read_lines(rd.r, &len2);
        assert_string_equal(a, "x\ny\n");
        assert_string_equal(b, "x\ny\n");
        free(a);
        free(b);
        reader_close(&rd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_utf8_line_ends),
                cmocka_unit_test(test_utf16),
                cmocka_unit_test(test_utf16_bad),
                cmocka_unit_test(test_utf8_bad),
                cmocka_unit_test(test_utf8_split),
                cmocka_unit_test(test_utf16_split),
                cmocka_unit_test(test_long_mixed),
                cmocka_unit_test(test_line_limit),
                cmocka_unit_test(test_read_chunks),
                cmocka_unit_test(test_rewind),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
