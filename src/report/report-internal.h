/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by the renderers: output with a sticky error, so a renderer can write on and check
 * once at the end (the first failure stops every later write). */

#include <stdarg.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "escape.h"

typedef struct Emit {
        StrBuf *out;
        int r;          /* 0, or the first failure */
} Emit;

static inline void emit(Emit *e, const char *s) {
        if (e->r == 0)
                e->r = strbuf_puts(e->out, s);
}

__attribute__((format(printf, 2, 3)))
static inline void emitf(Emit *e, const char *fmt, ...) {
        va_list ap;

        if (e->r != 0)
                return;
        va_start(ap, fmt);
        e->r = strbuf_vprintf(e->out, fmt, ap);
        va_end(ap);
}

static inline void emit_json(Emit *e, const char *s) {
        if (e->r == 0)
                e->r = escape_json(e->out, s);
}

static inline void emit_term(Emit *e, const char *s, bool keep_newlines) {
        if (e->r == 0)
                e->r = escape_terminal(e->out, s, keep_newlines);
}

static inline void emit_md(Emit *e, const char *s, bool keep_newlines) {
        if (e->r == 0)
                e->r = escape_markdown(e->out, s, keep_newlines);
}

static inline void emit_md_code(Emit *e, const char *s) {
        if (e->r == 0)
                e->r = escape_markdown_code(e->out, s);
}

static inline void emit_html(Emit *e, const char *s) {
        if (e->r == 0)
                e->r = escape_html(e->out, s, false);
}

static inline void emit_html_pre(Emit *e, const char *s) {
        if (e->r == 0)
                e->r = escape_html(e->out, s, true);
}
