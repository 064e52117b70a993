/* SPDX-License-Identifier: MIT */
#include "utf.h"

#include <errno.h>
#include <string.h>

size_t utf8_encode(uint32_t cp, char out[static 4]) {
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xC0 | cp >> 6);
                out[1] = (char) (0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xE0 | cp >> 12);
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char) (0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char) (0xF0 | cp >> 18);
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char) (0x80 | (cp & 0x3F));
        return 4;
}

size_t utf8_sequence_length(const uint8_t *s, size_t n) {
        uint8_t c;

        if (n == 0)
                return 0;
        c = s[0];
        if (c < 0x80)
                return 1;
        if (c >= 0xC2 && c <= 0xDF)
                return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
        if (c >= 0xE0 && c <= 0xEF) {
                if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
                        return 0;
                if (c == 0xE0 && s[1] < 0xA0)   /* overlong */
                        return 0;
                if (c == 0xED && s[1] >= 0xA0)  /* surrogate */
                        return 0;
                return 3;
        }
        if (c >= 0xF0 && c <= 0xF4) {
                if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
                        return 0;
                if (c == 0xF0 && s[1] < 0x90)   /* overlong */
                        return 0;
                if (c == 0xF4 && s[1] >= 0x90)  /* past U+10FFFF */
                        return 0;
                return 4;
        }
        return 0;
}

bool utf8_is_valid(const char *s, size_t n) {
        const uint8_t *p = (const uint8_t *) s;
        size_t i = 0;

        while (i < n) {
                size_t l;

                if (p[i] < 0x80) {
                        i++;
                        continue;
                }
                l = utf8_sequence_length(p + i, n - i);
                if (l == 0)
                        return false;
                i += l;
        }
        return true;
}

int utf8_append_sanitized(StrBuf *out, const char *s, size_t n, size_t *ret_bad) {
        const uint8_t *p = (const uint8_t *) s;
        size_t i = 0, run = 0;
        int r;

        while (i < n) {
                size_t l;

                /* Exports are mostly ASCII: skip eight bytes at a time while none has its top
                 * bit set (memcpy keeps the load free of alignment assumptions). */
                while (n - i >= 8) {
                        uint64_t w;

                        memcpy(&w, p + i, 8);
                        if (w & UINT64_C(0x8080808080808080))
                                break;
                        i += 8;
                }
                if (i >= n)
                        break;
                l = p[i] < 0x80 ? 1 : utf8_sequence_length(p + i, n - i);
                if (l > 0) {
                        i += l;
                        continue;
                }
                /* Flush the valid run before the bad byte, then one replacement for it. */
                r = strbuf_append(out, s + run, i - run);
                if (r < 0)
                        return r;
                r = strbuf_append(out, "\xEF\xBF\xBD", 3);
                if (r < 0)
                        return r;
                if (ret_bad)
                        (*ret_bad)++;
                i++;
                run = i;
        }
        return strbuf_append(out, s + run, n - run);
}

int utf16le_append(StrBuf *out, const uint8_t *p, size_t n, bool stop_at_nul, size_t *ret_bad) {
        char tmp[256];
        size_t t = 0;
        int r;

        for (size_t i = 0; i < n; ) {
                uint32_t cp;

                if (n - i < 2) {        /* odd trailing byte */
                        cp = UTF_REPLACEMENT;
                        if (ret_bad)
                                (*ret_bad)++;
                        i = n;
                } else {
                        uint16_t u = (uint16_t) (p[i] | p[i + 1] << 8);

                        i += 2;
                        if (u == 0 && stop_at_nul)
                                break;
                        if (u >= 0xD800 && u <= 0xDBFF) {
                                uint16_t lo = n - i >= 2 ? (uint16_t) (p[i] | p[i + 1] << 8) : 0;

                                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                                        cp = 0x10000 + (((uint32_t) u - 0xD800) << 10) + (lo - 0xDC00);
                                        i += 2;
                                } else {
                                        cp = UTF_REPLACEMENT;
                                        if (ret_bad)
                                                (*ret_bad)++;
                                }
                        } else if (u >= 0xDC00 && u <= 0xDFFF) {
                                cp = UTF_REPLACEMENT;
                                if (ret_bad)
                                        (*ret_bad)++;
                        } else
                                cp = u;
                }
                if (t > sizeof(tmp) - 4) {
                        r = strbuf_append(out, tmp, t);
                        if (r < 0)
                                return r;
                        t = 0;
                }
                t += utf8_encode(cp, tmp + t);
        }
        return strbuf_append(out, tmp, t);
}

/* windows-1252 bytes 0x80..0x9F; 0 marks the five undefined ones. */
static const uint16_t cp1252_high[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
        0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

int cp1252_append(StrBuf *out, const uint8_t *p, size_t n, size_t *ret_bad) {
        for (size_t i = 0; i < n; i++) {
                uint32_t cp = p[i];
                char tmp[4];
                int r;

                if (cp >= 0x80 && cp <= 0x9F) {
                        cp = cp1252_high[cp - 0x80];
                        if (cp == 0) {
                                cp = UTF_REPLACEMENT;
                                if (ret_bad)
                                        (*ret_bad)++;
                        }
                }
                r = strbuf_append(out, tmp, utf8_encode(cp, tmp));
                if (r < 0)
                        return r;
        }
        return 0;
}

bool ascii_strcaseeq_n(const char *a, size_t an, const char *b, size_t bn) {
        if (an != bn)
                return false;
        for (size_t i = 0; i < an; i++)
                if (ascii_tolower(a[i]) != ascii_tolower(b[i]))
                        return false;
        return true;
}

size_t utf8_code_points(const char *s, size_t n) {
        size_t w = 0;

        for (size_t i = 0; i < n; i++)
                w += ((unsigned char) s[i] & 0xC0) != 0x80;
        return w;
}

size_t utf8_prefix(const char *s, size_t n, size_t max) {
        if (n <= max)
                return n;
        while (max > 0 && ((unsigned char) s[max] & 0xC0) == 0x80)
                max--;
        return max;
}
