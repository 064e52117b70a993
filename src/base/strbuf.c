/* SPDX-License-Identifier: MIT */
#include "strbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int strbuf_reserve(StrBuf *b, size_t extra) {
        size_t need, n;
        char *p;

        if (extra > SIZE_MAX - b->len - 1)
                return -ENOMEM;
        need = b->len + extra + 1;
        if (need <= b->allocated)
                return 0;
        n = b->allocated ? b->allocated : 64;
        while (n < need)
                n = n > SIZE_MAX / 2 ? need : n * 2;
        p = realloc(b->data, n);
        if (!p)
                return -ENOMEM;
        b->data = p;
        b->allocated = n;
        return 0;
}

int strbuf_append(StrBuf *b, const char *s, size_t len) {
        int r = strbuf_reserve(b, len);

        if (r < 0)
                return r;
        if (len)
                memcpy(b->data + b->len, s, len);
        b->len += len;
        b->data[b->len] = 0;
        return 0;
}

int strbuf_puts(StrBuf *b, const char *s) {
        return strbuf_append(b, s, strlen(s));
}

int strbuf_putc(StrBuf *b, char c) {
        return strbuf_append(b, &c, 1);
}

int strbuf_vprintf(StrBuf *b, const char *fmt, va_list ap) {
        va_list aq;
        int n, r;

        va_copy(aq, ap);
        n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0)
                return -EINVAL;
        r = strbuf_reserve(b, (size_t) n);
        if (r < 0)
                return r;
        vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
        b->len += (size_t) n;
        return 0;
}

int strbuf_printf(StrBuf *b, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = strbuf_vprintf(b, fmt, ap);
        va_end(ap);
        return r;
}

void strbuf_reset(StrBuf *b) {
        b->len = 0;
        if (b->data)
                b->data[0] = 0;
}

void strbuf_done(StrBuf *b) {
        free(b->data);
        *b = (StrBuf) {};
}

const char *strbuf_str(const StrBuf *b) {
        return b->data ? b->data : "";
}

char *strbuf_steal(StrBuf *b) {
        char *s;

        if (!b->data)
                return strdup("");
        s = b->data;
        *b = (StrBuf) {};
        return s;
}
