/* SPDX-License-Identifier: MIT */
#include "text-reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "limits.h"
#include "strbuf.h"
#include "utf.h"

#define RAW_SIZE (64 * 1024)

struct TextReader {
        InStream *in;
        TextEncoding enc;
        uint8_t raw[RAW_SIZE + 4];
        size_t raw_len, raw_pos;        /* undecoded input */
        bool eof;
        size_t skip;                    /* BOM bytes to skip after a rewind */

        StrBuf out;                     /* decoded UTF-8 not handed out yet */
        size_t out_pos;

        StrBuf line;
        uint64_t line_no;
        uint64_t bad, bad_first_line;
};

static int fill_raw(TextReader *r) {
        ssize_t k;

        /* Keep an incomplete trailing sequence (at most 3 bytes) for the next round. */
        memmove(r->raw, r->raw + r->raw_pos, r->raw_len - r->raw_pos);
        r->raw_len -= r->raw_pos;
        r->raw_pos = 0;
        k = instream_read(r->in, r->raw + r->raw_len, RAW_SIZE - r->raw_len);
        if (k < 0)
                return (int) k;
        if (k == 0)
                r->eof = true;
        r->raw_len += (size_t) k;
        return 0;
}

static void sniff(TextReader *r) {
        const uint8_t *p = r->raw;
        size_t n = r->raw_len;

        r->enc = TEXT_UTF8;
        r->skip = 0;
        if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
                r->enc = TEXT_UTF8_BOM;
                r->skip = 3;
        } else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
                r->enc = TEXT_UTF16LE;
                r->skip = 2;
        } else if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
                r->enc = TEXT_UTF16BE;
                r->skip = 2;
        } else if (n >= 4 && p[0] != 0 && p[1] == 0 && p[2] != 0 && p[3] == 0) {
                r->enc = TEXT_UTF16LE;  /* ASCII text saved as UTF-16LE without a BOM */
        } else if (n >= 4 && p[0] == 0 && p[1] != 0 && p[2] == 0 && p[3] != 0) {
                r->enc = TEXT_UTF16BE;
        }
        r->raw_pos = r->skip;
}

int text_reader_new(InStream *s, TextReader **ret) {
        _cleanup_(text_reader_freep) TextReader *r = NULL;
        int k;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->in = s;
        k = fill_raw(r);
        if (k < 0)
                return k;
        /* A short first read (a pipe) might split the BOM; files give us enough bytes. */
        sniff(r);
        *ret = TAKE_PTR(r);
        return 0;
}

TextReader *text_reader_free(TextReader *r) {
        if (!r)
                return NULL;
        strbuf_done(&r->out);
        strbuf_done(&r->line);
        free(r);
        return NULL;
}

/* The line of the first invalid sequence in a chunk about to be decoded (UTF-8, or UTF-16LE
 * after byte swapping): the line being read plus the line ends before it. A chunk runs up to
 * 64 KiB ahead of the line handed out, so the lines it holds must be counted. */
static uint64_t first_bad_line(const TextReader *r, const uint8_t *p, size_t n, bool utf16) {
        uint64_t line = r->line_no + 1;

        for (size_t i = 0; i < n; ) {
                if (utf16) {
                        uint16_t u, lo;

                        if (n - i < 2)
                                break;                  /* odd trailing byte */
                        u = le16(p + i);
                        if (u >= 0xD800 && u <= 0xDBFF) {
                                lo = n - i >= 4 ? le16(p + i + 2) : 0;
                                if (lo < 0xDC00 || lo > 0xDFFF)
                                        break;
                                i += 4;
                                continue;
                        }
                        if (u >= 0xDC00 && u <= 0xDFFF)
                                break;
                        if (u == '\n')
                                line++;
                        i += 2;
                } else {
                        size_t l = p[i] < 0x80 ? 1 : utf8_sequence_length(p + i, n - i);

                        if (l == 0)
                                break;
                        if (p[i] == '\n')
                                line++;
                        i += l;
                }
        }
        return line;
}

static void count_bad(TextReader *r, size_t bad, const uint8_t *p, size_t n, bool utf16) {
        if (bad == 0)
                return;
        if (r->bad == 0)
                r->bad_first_line = first_bad_line(r, p, n, utf16);
        r->bad += bad;
}

/* Decodes what is in raw into out. Returns 0, or -errno. */
static int decode_more(TextReader *r) {
        uint8_t tmp[RAW_SIZE + 4];
        size_t avail, take, bad = 0;
        const uint8_t *p, *src;
        bool utf16;
        int k;

        if (r->out_pos > 0 && r->out_pos == r->out.len) {
                strbuf_reset(&r->out);
                r->out_pos = 0;
        }
        if (r->raw_len - r->raw_pos < 8 && !r->eof) {
                k = fill_raw(r);
                if (k < 0)
                        return k;
        }
        p = r->raw + r->raw_pos;
        avail = r->raw_len - r->raw_pos;
        if (avail == 0)
                return 0;

        utf16 = r->enc == TEXT_UTF16LE || r->enc == TEXT_UTF16BE;
        src = p;
        if (utf16) {
                take = avail & ~(size_t) 1;
                /* Do not split a surrogate pair across two reads. */
                if (!r->eof && take >= 2) {
                        uint16_t last = r->enc == TEXT_UTF16LE ? (uint16_t) (p[take - 2] | p[take - 1] << 8)
                                                               : (uint16_t) (p[take - 1] | p[take - 2] << 8);
                        if (last >= 0xD800 && last <= 0xDBFF)
                                take -= 2;
                }
                if (r->eof)
                        take = avail;
                if (take == 0)
                        return 0;
                if (r->enc == TEXT_UTF16BE) {
                        for (size_t i = 0; i + 1 < take; i += 2) {
                                tmp[i] = p[i + 1];
                                tmp[i + 1] = p[i];
                        }
                        if (take & 1)
                                tmp[take - 1] = p[take - 1];
                        src = tmp;
                }
                k = utf16le_append(&r->out, src, take, false, &bad);
        } else {
                take = avail;
                if (!r->eof) {
                        /* Hold back a sequence that may continue in the next read. */
                        size_t back = 0;

                        while (back < 3 && back < take && (p[take - 1 - back] & 0xC0) == 0x80)
                                back++;
                        if (back < take && p[take - 1 - back] >= 0xC0)
                                take -= back + 1;
                }
                if (take == 0)
                        return 0;
                k = utf8_append_sanitized(&r->out, (const char *) p, take, &bad);
        }
        if (k < 0)
                return k;
        r->raw_pos += take;
        count_bad(r, bad, src, take, utf16);
        return 0;
}

ssize_t text_reader_read(TextReader *r, char *buf, size_t n) {
        while (r->out_pos == r->out.len) {
                int k;

                if (r->eof && r->raw_pos == r->raw_len)
                        return 0;
                k = decode_more(r);
                if (k < 0)
                        return k;
        }
        size_t take = r->out.len - r->out_pos < n ? r->out.len - r->out_pos : n;
        memcpy(buf, r->out.data + r->out_pos, take);
        r->out_pos += take;
        return (ssize_t) take;
}

int text_reader_getline(TextReader *r, const char **ret_line, size_t *ret_len) {
        bool too_long = false, any = false;
        int k;

        strbuf_reset(&r->line);
        for (;;) {
                if (r->out_pos == r->out.len) {
                        if (r->eof && r->raw_pos == r->raw_len)
                                break;
                        k = decode_more(r);
                        if (k < 0)
                                return k;
                        continue;
                }
                const char *start = r->out.data + r->out_pos;
                size_t avail = r->out.len - r->out_pos;
                const char *nl = memchr(start, '\n', avail);
                size_t take = nl ? (size_t) (nl - start) : avail;

                any = true;
                if (!too_long) {
                        /* One byte more than the cap, for the CR of a CRLF. */
                        if (r->line.len + take > EVDIAG_MAX_LINE + 1) {
                                too_long = true;
                                strbuf_reset(&r->line);
                        } else {
                                k = strbuf_append(&r->line, start, take);
                                if (k < 0)
                                        return k;
                        }
                }
                r->out_pos += take + (nl ? 1 : 0);
                if (nl)
                        break;
        }
        if (!any)
                return 0;
        r->line_no++;
        if (!too_long && r->line.len > 0 && r->line.data[r->line.len - 1] == '\r')
                r->line.data[--r->line.len] = 0;
        if (too_long || r->line.len > EVDIAG_MAX_LINE)
                return -E2BIG;
        *ret_line = strbuf_str(&r->line);
        *ret_len = r->line.len;
        return 1;
}

uint64_t text_reader_line(const TextReader *r) {
        return r->line_no;
}

TextEncoding text_reader_encoding(const TextReader *r) {
        return r->enc;
}

uint64_t text_reader_bad_sequences(const TextReader *r, uint64_t *ret_first_line) {
        if (ret_first_line)
                *ret_first_line = r->bad_first_line;
        return r->bad;
}

int text_reader_rewind(TextReader *r) {
        int k = instream_rewind(r->in);

        if (k < 0)
                return k;
        r->raw_len = r->raw_pos = 0;
        r->eof = false;
        strbuf_reset(&r->out);
        r->out_pos = 0;
        r->line_no = 0;
        r->bad = r->bad_first_line = 0;
        k = fill_raw(r);
        if (k < 0)
                return k;
        r->raw_pos = r->skip;
        return 0;
}
