/* SPDX-License-Identifier: MIT */
#pragma once

/* Reads a text export as UTF-8 whatever it was saved in: UTF-8 with or without a BOM, or
 * UTF-16LE/BE (with a BOM, or recognised by its zero bytes). Invalid sequences become U+FFFD
 * and are counted. Lines end at LF or CRLF; the CR is dropped. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stream.h"

typedef enum TextEncoding {
        TEXT_UTF8,
        TEXT_UTF8_BOM,
        TEXT_UTF16LE,
        TEXT_UTF16BE,
} TextEncoding;

typedef struct TextReader TextReader;

/* Wraps s (borrowed: it must outlive the reader) and sniffs its encoding from the first bytes. */
int text_reader_new(InStream *s, TextReader **ret);
TextReader *text_reader_free(TextReader *r);

/* Reads up to n bytes of UTF-8. Returns the count, 0 at the end, or -errno. */
ssize_t text_reader_read(TextReader *r, char *buf, size_t n);

/* Returns the next line without its end: 1 with ret_line and ret_len set (valid until the next
 * call; NUL-terminated), 0 at the end, -E2BIG for a line longer than EVDIAG_MAX_LINE (the line
 * is skipped; the next call goes on after it), or -errno. */
int text_reader_getline(TextReader *r, const char **ret_line, size_t *ret_len);

/* 1-based number of the line last returned by text_reader_getline() (or skipped as too long). */
uint64_t text_reader_line(const TextReader *r);

TextEncoding text_reader_encoding(const TextReader *r);
/* Invalid byte sequences replaced so far, and the line of the first one (0 if none or unknown). */
uint64_t text_reader_bad_sequences(const TextReader *r, uint64_t *ret_first_line);

/* Goes back to the start of the stream (same encoding). Returns 0 or -errno. */
int text_reader_rewind(TextReader *r);

#include "alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(TextReader *, text_reader_free);
