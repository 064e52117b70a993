/* SPDX-License-Identifier: MIT */
/* Substitution values of .evtx records: their items and their text. The text is what libevtx's
 * evtxexport writes, which is what Windows writes too except where noted (EvtxStyle). Numbers
 * are formatted by hand: printf costs more than the rest of a record. */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/datetime.h"
#include "base/utf.h"
#include "evtx-internal.h"

int evtx_buf_grow(EvtxBuf *b, size_t extra) {
        size_t need, n;
        char *p;

        if (b->error < 0)
                return b->error;
        if (extra > SIZE_MAX / 2 - b->sb.len) {
                b->error = -ENOMEM;
                return b->error;
        }
        need = b->sb.len + extra + 1;
        if (b->limit > 0 && need > b->limit + 1) {
                b->error = -E2BIG;
                return b->error;
        }
        if (need <= b->sb.allocated)
                return 0;
        n = b->sb.allocated ? b->sb.allocated : 256;
        while (n < need)
                n *= 2;
        p = realloc(b->sb.data, n);
        if (!p) {
                b->error = -ENOMEM;
                return b->error;
        }
        b->sb.data = p;
        b->sb.allocated = n;
        return 0;
}

void evtx_buf_done(EvtxBuf *b) {
        strbuf_done(&b->sb);
        b->error = 0;
}

void evtx_format_u64(EvtxBuf *out, uint64_t v) {
        char tmp[20], *p = tmp + sizeof(tmp);

        do {
                *--p = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0);
        evtx_buf_put(out, p, (size_t) (tmp + sizeof(tmp) - p));
}

void evtx_format_i64(EvtxBuf *out, int64_t v) {
        if (v < 0) {
                evtx_buf_putc(out, '-');
                evtx_format_u64(out, (uint64_t) 0 - (uint64_t) v);
        } else
                evtx_format_u64(out, (uint64_t) v);
}

void evtx_format_hex(EvtxBuf *out, uint64_t v, int digits) {
        static const char hex[] = "0123456789abcdef";
        char tmp[18];
        int n = 0;

        do {
                tmp[sizeof(tmp) - 1 - n++] = hex[v & 15];
                v >>= 4;
        } while (v > 0 || n < digits);
        tmp[sizeof(tmp) - 1 - n++] = 'x';
        tmp[sizeof(tmp) - 1 - n++] = '0';
        evtx_buf_put(out, tmp + sizeof(tmp) - n, (size_t) n);
}

static void put_digits(char *p, unsigned v, int n) {
        for (int i = n - 1; i >= 0; i--) {
                p[i] = (char) ('0' + v % 10);
                v /= 10;
        }
}

/* Appends year-month-dayThh:mm:ss. with the year at least four digits wide. */
static void format_civil(EvtxBuf *out, int64_t year, int month, int day, int hour, int minute, int second) {
        char *p;

        if (year < 0 || year > 9999) {
                evtx_format_i64(out, year);
                year = 0;
        } else {
                p = evtx_buf_reserve(out, 4);
                if (!p)
                        return;
                put_digits(p, (unsigned) year, 4);
                evtx_buf_commit(out, 4);
        }
        p = evtx_buf_reserve(out, 16);
        if (!p)
                return;
        p[0] = '-';
        put_digits(p + 1, (unsigned) month, 2);
        p[3] = '-';
        put_digits(p + 4, (unsigned) day, 2);
        p[6] = 'T';
        put_digits(p + 7, (unsigned) hour, 2);
        p[9] = ':';
        put_digits(p + 10, (unsigned) minute, 2);
        p[12] = ':';
        put_digits(p + 13, (unsigned) second, 2);
        p[15] = '.';
        evtx_buf_commit(out, 16);
}

bool evtx_filetime_ticks(uint64_t filetime, int64_t *ret) {
        if (filetime > (uint64_t) INT64_MAX)
                return false;
        *ret = (int64_t) filetime - FILETIME_UNIX_EPOCH;
        return true;
}

void evtx_format_filetime(EvtxBuf *out, uint64_t filetime) {
        uint64_t secs = filetime / (uint64_t) TICKS_PER_SECOND;
        unsigned frac = (unsigned) (filetime % (uint64_t) TICKS_PER_SECOND);
        int64_t days = (int64_t) (secs / 86400) - 134774;       /* 1601-01-01 .. 1970-01-01 */
        unsigned sod = (unsigned) (secs % 86400);
        int year, month, day;
        char *p;

        civil_from_days(days, &year, &month, &day);
        format_civil(out, year, month, day, (int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60));
        p = evtx_buf_reserve(out, 10);
        if (!p)
                return;
        put_digits(p, frac, 7);
        memcpy(p + 7, "00Z", 3);
        evtx_buf_commit(out, 10);
}

static void format_systemtime(EvtxBuf *out, const uint8_t *d) {
        char *p;

        /* Fields are written as stored, even when out of range: it is what the record says. */
        format_civil(out, le16(d), le16(d + 2) % 100, le16(d + 6) % 100, le16(d + 8) % 100, le16(d + 10) % 100,
                     le16(d + 12) % 100);
        p = evtx_buf_reserve(out, 4);
        if (!p)
                return;
        put_digits(p, le16(d + 14) % 1000, 3);
        p[3] = 'Z';
        evtx_buf_commit(out, 4);
}

static void format_guid(EvtxBuf *out, const uint8_t *d) {
        static const char hex[] = "0123456789ABCDEF";
        /* Data1..3 are little-endian numbers, Data4 eight bytes in order. */
        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        char *p = evtx_buf_reserve(out, 38);
        size_t n = 0;

        if (!p)
                return;
        p[n++] = '{';
        for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        p[n++] = '-';
                p[n++] = hex[d[order[i]] >> 4];
                p[n++] = hex[d[order[i]] & 15];
        }
        p[n++] = '}';
        evtx_buf_commit(out, n);
}

/* Size of the SID at d (at most n bytes), or 0 when it does not fit. */
static uint32_t sid_size(const uint8_t *d, uint32_t n) {
        uint32_t need;

        if (n < 8)
                return 0;
        need = 8 + 4 * (uint32_t) d[1];
        return need <= n ? need : 0;
}

static void format_sid(EvtxBuf *out, const uint8_t *d, uint32_t size, EvtxBad *bad) {
        uint64_t authority = 0;
        uint32_t n = sid_size(d, size);

        if (n == 0) {
                bad->values++;
                return;
        }
        for (int i = 2; i < 8; i++)
                authority = authority << 8 | d[i];
        evtx_buf_puts_lit(out, "S-");
        evtx_format_u64(out, d[0]);
        evtx_buf_putc(out, '-');
        if (authority >> 32) {
                char tmp[20];

                snprintf(tmp, sizeof(tmp), "0x%012llX", (unsigned long long) authority);
                evtx_buf_put(out, tmp, strlen(tmp));
        } else
                evtx_format_u64(out, authority);
        for (uint32_t i = 0; i < d[1]; i++) {
                evtx_buf_putc(out, '-');
                evtx_format_u64(out, le32(d + 8 + 4 * i));
        }
}

static void format_hex_bytes(EvtxBuf *out, const uint8_t *d, uint32_t size) {
        static const char hex[] = "0123456789ABCDEF";
        char *p = evtx_buf_reserve(out, 2 * (size_t) size);

        if (!p)
                return;
        for (uint32_t i = 0; i < size; i++) {
                p[2 * i] = hex[d[i] >> 4];
                p[2 * i + 1] = hex[d[i] & 15];
        }
        evtx_buf_commit(out, 2 * (size_t) size);
}

static void format_real(EvtxBuf *out, double v, int precision) {
        char tmp[40];

        /* Windows' own spellings of what is not a number. */
        if (isnan(v))
                evtx_buf_puts_lit(out, "-1.#IND");
        else if (isinf(v)) {
                if (v < 0)
                        evtx_buf_puts_lit(out, "-1.#INF");
                else
                        evtx_buf_puts_lit(out, "1.#INF");
        } else {
                snprintf(tmp, sizeof(tmp), "%.*g", precision, v);
                evtx_buf_put(out, tmp, strlen(tmp));
        }
}

void evtx_utf16_append(EvtxBuf *out, const uint8_t *p, size_t n, bool stop_at_nul, size_t *bad) {
        size_t units = n / 2, i = 0, k = 0;
        bool nul = false;
        char *o;

        /* At most three bytes per unit (a surrogate pair is four bytes for two), plus the
         * replacement of an odd trailing byte. */
        o = evtx_buf_reserve(out, 3 * units + 3);
        if (!o)
                return;
        while (i < units) {
                uint32_t c = le16(p + 2 * i);

                if (c < 0x80) {
                        if (c == 0 && stop_at_nul) {
                                nul = true;
                                break;
                        }
                        o[k++] = (char) c;
                        i++;
                        continue;
                }
                i++;
                if (c >= 0xD800 && c <= 0xDBFF && i < units) {
                        uint32_t lo = le16(p + 2 * i);

                        if (lo >= 0xDC00 && lo <= 0xDFFF) {
                                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                                i++;
                        } else {
                                c = UTF_REPLACEMENT;
                                (*bad)++;
                        }
                } else if (c >= 0xD800 && c <= 0xDFFF) {
                        c = UTF_REPLACEMENT;
                        (*bad)++;
                }
                k += utf8_encode(c, o + k);
        }
        if (n % 2 != 0 && !nul) {
                k += utf8_encode(UTF_REPLACEMENT, o + k);
                (*bad)++;
        }
        evtx_buf_commit(out, k);
}

static bool ascii_only(const uint8_t *p, size_t n) {
        uint64_t acc = 0;
        size_t i = 0;

        for (; i + 8 <= n; i += 8)
                acc |= le64(p + i);
        for (; i < n; i++)
                acc |= p[i];
        return (acc & 0x8080808080808080ull) == 0;
}

static void format_ansi(EvtxBuf *out, const uint8_t *d, uint32_t size, EvtxBad *bad) {
        const uint8_t *nul = memchr(d, 0, size);
        size_t n = nul ? (size_t) (nul - d) : size, replaced = 0;

        if (out->error < 0)
                return;
        /* ASCII reads the same in windows-1252: the common case is a copy. */
        if (ascii_only(d, n)) {
                evtx_buf_put(out, (const char *) d, n);
                return;
        }
        if (cp1252_append(&out->sb, d, n, &replaced) < 0)
                out->error = -ENOMEM;
        else if (out->limit > 0 && out->sb.len > out->limit)
                out->error = -E2BIG;
        bad->utf16 += replaced;
}

/* The width of one item of a fixed-size type, or 0 for the variable ones. */
static uint32_t fixed_size(uint8_t type, uint32_t size) {
        switch (type) {
        case VT_INT8:
        case VT_UINT8:
                return 1;
        case VT_INT16:
        case VT_UINT16:
                return 2;
        case VT_INT32:
        case VT_UINT32:
        case VT_REAL32:
        case VT_BOOL:
        case VT_HEXINT32:
                return 4;
        case VT_INT64:
        case VT_UINT64:
        case VT_REAL64:
        case VT_FILETIME:
        case VT_HEXINT64:
                return 8;
        case VT_GUID:
        case VT_SYSTEMTIME:
                return 16;
        case VT_SIZET:
                /* As wide as the writer's pointers; an array of them only says so by its size. */
                return size % 8 == 0 ? 8 : 4;
        default:
                return 0;
        }
}

bool evtx_value_is_line_break(const uint8_t *d, size_t n) {
        return (n >= 2 && le16(d) == '\n' && (n < 4 || le16(d + 2) == 0)) ||
               (n >= 4 && le16(d) == '\r' && le16(d + 2) == '\n' && (n < 6 || le16(d + 4) == 0));
}

void evtx_value_format(EvtxBuf *out, const EvtxValue *v, EvtxStyle style, EvtxBad *bad) {
        const uint8_t *d = v->data;
        uint32_t n = v->size, w;

        switch (v->type) {
        case VT_NULL:
        case VT_BINXML:
                return;
        case VT_STRING:
                if (evtx_value_is_line_break(d, n))
                        return;
                evtx_utf16_append(out, d, n, true, &bad->utf16);
                return;
        case VT_ANSI_STRING:
                format_ansi(out, d, n, bad);
                return;
        case VT_BINARY:
        case VT_EVTHANDLE:
        case VT_EVTXML:
                format_hex_bytes(out, d, n);
                return;
        case VT_SID:
                format_sid(out, d, n, bad);
                return;
        default:
                break;
        }

        w = fixed_size(v->type, n);
        if (w == 0) {
                /* An unknown type: its bytes. */
                format_hex_bytes(out, d, n);
                return;
        }
        if (n < w || (v->type == VT_SIZET && n != 4 && n != 8)) {
                bad->values++;
                return;
        }
        switch (v->type) {
        case VT_INT8:
                evtx_format_i64(out, (int8_t) d[0]);
                break;
        case VT_UINT8:
                evtx_format_u64(out, d[0]);
                break;
        case VT_INT16:
                evtx_format_i64(out, (int16_t) le16(d));
                break;
        case VT_UINT16:
                evtx_format_u64(out, le16(d));
                break;
        case VT_INT32:
                evtx_format_i64(out, (int32_t) le32(d));
                break;
        case VT_UINT32:
                evtx_format_u64(out, le32(d));
                break;
        case VT_INT64:
                evtx_format_i64(out, (int64_t) le64(d));
                break;
        case VT_UINT64:
                evtx_format_u64(out, le64(d));
                break;
        case VT_REAL32: {
                uint32_t bits = le32(d);
                float f;

                memcpy(&f, &bits, sizeof(f));
                format_real(out, f, 9);
                break;
        }
        case VT_REAL64: {
                uint64_t bits = le64(d);
                double f;

                memcpy(&f, &bits, sizeof(f));
                format_real(out, f, 17);
                break;
        }
        case VT_BOOL:
                if (le32(d) != 0)
                        evtx_buf_puts_lit(out, "true");
                else
                        evtx_buf_puts_lit(out, "false");
                break;
        case VT_GUID:
                format_guid(out, d);
                break;
        case VT_SIZET:
                /* A pointer-sized number: Windows writes it in hex, libevtx in decimal. */
                if (style == EVTX_STYLE_WINDOWS)
                        evtx_format_hex(out, w == 8 ? le64(d) : le32(d), 0);
                else
                        evtx_format_u64(out, w == 8 ? le64(d) : le32(d));
                break;
        case VT_FILETIME:
                evtx_format_filetime(out, le64(d));
                break;
        case VT_SYSTEMTIME:
                format_systemtime(out, d);
                break;
        case VT_HEXINT32:
                evtx_format_hex(out, le32(d), style == EVTX_STYLE_WINDOWS ? 0 : 8);
                break;
        case VT_HEXINT64:
                evtx_format_hex(out, le64(d), style == EVTX_STYLE_WINDOWS ? 0 : 16);
                break;
        default:
                break;
        }
}

/* What evtx_utf16_append() (and the XML writer's own copy of it) counts as bad in UTF-16 text
 * read up to a U+0000: lone surrogates, and an odd trailing byte. */
static size_t utf16_bad(const uint8_t *p, size_t n) {
        size_t units = n / 2, i = 0, bad = 0;

        while (i < units) {
                uint32_t c = le16(p + 2 * i++);

                if (c == 0)
                        return bad;
                if (c < 0xD800 || c > 0xDFFF)
                        continue;
                if (c <= 0xDBFF && i < units && le16(p + 2 * i) >= 0xDC00 && le16(p + 2 * i) <= 0xDFFF)
                        i++;
                else
                        bad++;
        }
        return bad + n % 2;
}

void evtx_value_check(const EvtxValue *v, EvtxBad *bad) {
        const uint8_t *d = v->data;
        uint32_t n = v->size, w;

        switch (v->type) {
        case VT_NULL:
        case VT_BINXML:
        case VT_BINARY:
        case VT_EVTHANDLE:
        case VT_EVTXML:
                return;
        case VT_STRING:
                if (!evtx_value_is_line_break(d, n))
                        bad->utf16 += utf16_bad(d, n);
                return;
        case VT_ANSI_STRING: {
                const uint8_t *nul = memchr(d, 0, n);
                size_t len = nul ? (size_t) (nul - d) : n;

                /* The bytes windows-1252 leaves undefined (cp1252_append() replaces them). */
                for (size_t i = 0; i < len; i++)
                        if (d[i] == 0x81 || d[i] == 0x8D || d[i] == 0x8F || d[i] == 0x90 || d[i] == 0x9D)
                                bad->utf16++;
                return;
        }
        case VT_SID:
                if (sid_size(d, n) == 0)
                        bad->values++;
                return;
        default:
                break;
        }
        w = fixed_size(v->type, n);
        if (w != 0 && (n < w || (v->type == VT_SIZET && n != 4 && n != 8)))
                bad->values++;
}

bool evtx_array_next(EvtxArrayIter *it, EvtxValue *item) {
        const EvtxValue *v = it->v;
        uint8_t base = v->type & (uint8_t) ~VT_ARRAY;
        uint32_t left = v->size - it->pos, n, w;
        const uint8_t *p = v->data + it->pos;

        if (it->pos >= v->size)
                return false;
        switch (base) {
        case VT_STRING:
                /* Items end with a U+0000; the last one may lack it. */
                for (n = 0; n + 1 < left; n += 2)
                        if (p[n] == 0 && p[n + 1] == 0)
                                break;
                *item = (EvtxValue) { .type = base, .data = p, .size = n + 1 < left ? n : left,
                                      .offset = v->offset + it->pos };
                it->pos += n + 1 < left ? n + 2 : left;
                return true;
        case VT_ANSI_STRING: {
                const uint8_t *nul = memchr(p, 0, left);

                n = nul ? (uint32_t) (nul - p) : left;
                *item = (EvtxValue) { .type = base, .data = p, .size = n, .offset = v->offset + it->pos };
                it->pos += nul ? n + 1 : n;
                return true;
        }
        case VT_SID:
                n = sid_size(p, left);
                if (n == 0) {
                        /* The rest cannot be a SID: handed over whole, rendered as bad. */
                        n = left;
                }
                *item = (EvtxValue) { .type = base, .data = p, .size = n, .offset = v->offset + it->pos };
                it->pos += n;
                return true;
        default:
                w = fixed_size(base, v->size);
                if (w == 0) {
                        /* Arrays of binary or BinXML are not defined: one item, as binary. */
                        *item = (EvtxValue) { .type = VT_BINARY, .data = p, .size = left,
                                              .offset = v->offset + it->pos };
                        it->pos = v->size;
                        return true;
                }
                if (left < w)
                        return false;
                *item = (EvtxValue) { .type = base, .data = p, .size = w, .offset = v->offset + it->pos };
                it->pos += w;
                return true;
        }
}
