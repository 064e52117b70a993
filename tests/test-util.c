/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-util.h"

#include "base/alloc.h"
#include "base/datetime.h"
#include "base/strbuf.h"

char *read_file(const char *path, size_t *ret_size) {
        FILE *f = fopen(path, "rb");
        char *buf;
        long n;

        if (!f)
                return NULL;
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n >= 0);
        rewind(f);
        buf = malloc((size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = 0;
        fclose(f);
        *ret_size = (size_t) n;
        return buf;
}

char *read_data(const char *name, size_t *ret_size) {
        _cleanup_free_ char *path = NULL;
        char *data;

        assert_true(asprintf(&path, "%s/%s", TEST_DATA_DIR, name) > 0);
        data = read_file(path, ret_size);
        if (!data)
                fail_msg("cannot read %s", path);
        return data;
}

int parse_into(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts, CollectSink *c,
               Diag *d) {
        _cleanup_(instream_freep) InStream *in = NULL;

        assert_int_equal(instream_new_memory(data, size, &in), 0);
        return parse(in, opts, &c->sink, d);
}

int parse_memory(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts, CollectSink *c,
                 Diag **ret_diag) {
        Diag *d = diag_new("test-input");

        assert_non_null(d);
        collect_sink_init(c);
        *ret_diag = d;
        return parse_into(parse, data, size, opts, c, d);
}

int parse_failing(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts, int fail_after,
                  CollectSink *c) {
        _cleanup_(diag_freep) Diag *d = diag_new("test-input");

        assert_non_null(d);
        collect_sink_init(c);
        c->fail_after = fail_after;
        return parse_into(parse, data, size, opts, c, d);
}

void parse_and_check(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts,
                     void (*check)(const CollectSink *c)) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_memory(parse, data, size, opts, &c, &d), 0);
        dump_diag(d);
        assert_int_equal(diag_count(d), 0);
        check(&c);
        collect_sink_done(&c);
}

int parse_corpus(ParseFunc parse, const char *name, CollectSink *c, Diag **ret_diag) {
        _cleanup_free_ char *path = NULL, *data = NULL;
        size_t n;

        assert_true(asprintf(&path, "%s/%s", CORPUS_DIR, name) > 0);
        data = read_file(path, &n);
        if (!data) {
                print_message("corpus file %s absent: skipped\n", path);
                return 1;
        }
        assert_int_equal(parse_memory(parse, data, n, &(ParseOptions) {}, c, ret_diag), 0);
        return 0;
}

void *memdup_exact(const void *data, size_t size) {
        void *copy = malloc(size > 0 ? size : 1);

        assert_non_null(copy);
        if (size > 0)
                memcpy(copy, data, size);
        return copy;
}

char *to_crlf(const char *s, size_t n, size_t *ret_n) {
        StrBuf b = {};
        char *out;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\n')
                        assert_int_equal(strbuf_putc(&b, '\r'), 0);
                assert_int_equal(strbuf_putc(&b, s[i]), 0);
        }
        *ret_n = b.len;
        out = strbuf_steal(&b);
        assert_non_null(out);
        return out;
}

uint8_t *to_utf16(const char *s, size_t n, bool big_endian, size_t *ret_n) {
        const uint8_t *p = (const uint8_t *) s;
        uint8_t *out = malloc(2 * n + 2);
        size_t k = 0;

        assert_non_null(out);
        out[k++] = big_endian ? 0xFE : 0xFF;
        out[k++] = big_endian ? 0xFF : 0xFE;
        for (size_t i = 0; i < n;) {
                uint32_t cp;

                if (p[i] < 0x80)
                        cp = p[i++];
                else if ((p[i] & 0xE0) == 0xC0) {
                        assert_true(n - i >= 2);
                        cp = (uint32_t) (p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
                        i += 2;
                } else {
                        assert_true((p[i] & 0xF0) == 0xE0 && n - i >= 3);
                        cp = (uint32_t) (p[i] & 0x0F) << 12 | (uint32_t) (p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F);
                        i += 3;
                }
                out[k++] = (uint8_t) (big_endian ? cp >> 8 : cp);
                out[k++] = (uint8_t) (big_endian ? cp : cp >> 8);
        }
        *ret_n = k;
        return out;
}

const DiagEntry *find_diag(Diag *d, uint64_t line, const char *what) {
        size_t n;
        const DiagEntry *e = diag_entries(d, &n);

        for (size_t i = 0; i < n; i++)
                if ((line == ANY_LINE || e[i].line == line) && strstr(e[i].message, what))
                        return &e[i];
        return NULL;
}

bool has_warning(Diag *d, uint64_t line, const char *what) {
        return find_diag(d, line, what) != NULL;
}

void dump_diag(Diag *d) {
        size_t n;
        const DiagEntry *e = diag_entries(d, &n);

        for (size_t i = 0; i < n; i++)
                print_message("diag: line %llu: %s\n", (unsigned long long) e[i].line, e[i].message);
}

const char *iso(int64_t ticks, int digits) {
        static char buf[40];

        return ticks_format_iso(ticks, digits, buf);
}
