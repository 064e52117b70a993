/* SPDX-License-Identifier: MIT */
#pragma once

/* Log text is hostile: every report escapes what it prints for its medium. */

#include "base/strbuf.h"

/* A JSON string with its quotes; NULL becomes null. Control characters, C1 ones included, are
 * written as escapes. */
int escape_json(StrBuf *out, const char *s);
/* Text for a terminal: control characters (escape sequences above all, C1 ones too) become
 * "\xNN", except newline and tab when keep_newlines; otherwise those become a space. Bytes that
 * are not UTF-8 become U+FFFD. */
int escape_terminal(StrBuf *out, const char *s, bool keep_newlines);
/* Markdown inline text, safe in table cells: characters that would format, link or open HTML
 * are backslash-escaped or written as entities ("|" too); newlines become spaces unless
 * keep_newlines (then hard breaks: two spaces and a newline); other control characters, C1
 * ones included, become spaces. */
int escape_markdown(StrBuf *out, const char *s, bool keep_newlines);
/* Code spans/blocks: fenced with enough backticks, with control characters (C1 ones too)
 * replaced. */
int escape_markdown_code(StrBuf *out, const char *s);
/* HTML text or attribute value: & < > " ' become entities; control characters (C1 ones too)
 * become a visible "\xNN"; newlines and tabs stay when keep_newlines (for <pre>), else they
 * become spaces; bytes that are not UTF-8 become U+FFFD. */
int escape_html(StrBuf *out, const char *s, bool keep_newlines);
