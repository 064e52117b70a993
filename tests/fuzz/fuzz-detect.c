/* SPDX-License-Identifier: MIT */
/* Format detection on any head, then the same bytes through the text reader every text parser
 * uses: line by line to the end, and again in raw pieces after a rewind. A broken promise of the
 * reader (invalid UTF-8 out, a line over the cap, a missing terminator, line numbers that skip)
 * aborts. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "base/text-reader.h"
#include "base/utf.h"
#include "importer/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_lines(TextReader *r) {
        uint64_t expected = 0;
        const char *line;
        size_t len;
        int k;

        for (;;) {
                k = text_reader_getline(r, &line, &len);
                if (k == 0)
                        break;
                if (k != 1 && k != -E2BIG)
                        abort();
                if (text_reader_line(r) != ++expected)
                        abort();
                if (k == 1 && (len > EVDIAG_MAX_LINE || line[len] != 0 || !utf8_is_valid(line, len) ||
                               memchr(line, '\n', len)))
                        abort();
        }
        /* the end stays the end */
        if (text_reader_getline(r, &line, &len) != 0 || text_reader_line(r) != expected)
                abort();
}

static void check_read(TextReader *r) {
        StrBuf all = {};
        char buf[4093];
        ssize_t k;

        if (text_reader_rewind(r) < 0)
                abort();
        while ((k = text_reader_read(r, buf, sizeof(buf))) > 0)
                if ((size_t) k > sizeof(buf) || strbuf_append(&all, buf, (size_t) k) < 0)
                        abort();
        if (k < 0 || !utf8_is_valid(strbuf_str(&all), all.len))
                abort();
        strbuf_done(&all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        InStream *in = NULL;
        TextReader *r = NULL;
        ImportFormat f;

        f = detect_format(data, size < EVDIAG_SNIFF_BYTES ? size : EVDIAG_SNIFF_BYTES);
        if (f >= _FORMAT_MAX || !import_format_name(f))
                abort();

        if (instream_new_memory(data, size, &in) < 0)
                return 0;
        if (text_reader_new(in, &r) < 0) {
                instream_free(in);
                return 0;
        }
        check_lines(r);
        check_read(r);
        text_reader_free(r);
        instream_free(in);
        return 0;
}
