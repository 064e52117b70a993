/* SPDX-License-Identifier: MIT */
#pragma once

/* Character encodings met in Windows exports: UTF-8, UTF-16LE, windows-1252. Everything that
 * leaves these functions is valid UTF-8; what could not be decoded becomes U+FFFD and is counted,
 * so the caller can warn. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define UTF_REPLACEMENT 0xFFFDu

/* Writes the UTF-8 form of code point cp (<= 0x10FFFF, not a surrogate) to out; returns its length. */
size_t utf8_encode(uint32_t cp, char out[static 4]);

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not valid
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
size_t utf8_sequence_length(const uint8_t *s, size_t n);

/* Appends s to out, replacing every invalid byte sequence with U+FFFD. *ret_bad (may be NULL)
 * is increased by the number of replacements. Returns 0 or -ENOMEM. */
int utf8_append_sanitized(StrBuf *out, const char *s, size_t n, size_t *ret_bad);

bool utf8_is_valid(const char *s, size_t n);

/* The number of code points in n bytes of UTF-8 (the bytes that do not continue a sequence): the
 * columns a text takes on a terminal, wide characters aside. */
size_t utf8_code_points(const char *s, size_t n);

/* The longest prefix of the n bytes at s that is at most max bytes long and does not end inside
 * a UTF-8 sequence: n itself when n <= max. */
size_t utf8_prefix(const char *s, size_t n, size_t max);

/* Appends UTF-16LE text of n bytes to out as UTF-8; an unpaired surrogate, or an odd trailing
 * byte, becomes U+FFFD and is counted in *ret_bad (may be NULL). Stops at the first U+0000 when
 * stop_at_nul. Returns 0 or -ENOMEM. */
int utf16le_append(StrBuf *out, const uint8_t *p, size_t n, bool stop_at_nul, size_t *ret_bad);

/* Appends windows-1252 text to out as UTF-8. The five undefined bytes become U+FFFD. */
int cp1252_append(StrBuf *out, const uint8_t *p, size_t n, size_t *ret_bad);

/* ASCII-only case folding, enough for the identifiers compared here (host names, labels). */
static inline char ascii_tolower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}
bool ascii_strcaseeq_n(const char *a, size_t an, const char *b, size_t bn);
