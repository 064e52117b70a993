/* SPDX-License-Identifier: MIT */
#pragma once

/* A growable byte buffer that always keeps a terminating NUL after its contents. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct StrBuf {
        char *data;     /* NULL until the first append; owned */
        size_t len;
        size_t allocated;
} StrBuf;

/* Appends; each returns 0 or -ENOMEM (the buffer keeps what it had). */
int strbuf_append(StrBuf *b, const char *s, size_t len);
int strbuf_puts(StrBuf *b, const char *s);
int strbuf_putc(StrBuf *b, char c);
int strbuf_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(StrBuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Empties the buffer and keeps its memory. */
void strbuf_reset(StrBuf *b);
/* Frees the memory. */
void strbuf_done(StrBuf *b);
/* Returns the contents ("" when empty); valid until the next change. */
const char *strbuf_str(const StrBuf *b);
/* Hands the contents over to the caller (never NULL unless out of memory) and empties b. */
char *strbuf_steal(StrBuf *b);

#define _cleanup_strbuf_ __attribute__((cleanup(strbuf_done)))
