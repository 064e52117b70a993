/* SPDX-License-Identifier: MIT */
#include "escape.h"

#include "base/json.h"
#include "base/utf.h"

#include <stdbool.h>
#include <string.h>

/* C1 controls (U+0080..U+009F, as UTF-8 C2 80..C2 9F) act as escapes on some terminals too. */
static bool c1_control(const unsigned char *p) {
        return p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F;
}

int escape_json(StrBuf *out, const char *s) {
        static const char hex[] = "0123456789abcdef";
        _cleanup_strbuf_ StrBuf raw = {};
        const unsigned char *p;
        int r;

        if (!s || !strstr(s, "\xc2"))
                return json_append_string(out, s);
        /* JSON allows C1 controls raw, but a report read in a terminal must not carry them. In
         * valid UTF-8 a C2 byte always starts a character, so they can be found in the JSON. */
        r = json_append_string(&raw, s);
        for (p = (const unsigned char *) strbuf_str(&raw); r == 0 && *p; p++)
                if (c1_control(p)) {
                        char u[7] = { '\\', 'u', '0', '0', hex[p[1] >> 4], hex[p[1] & 15], 0 };

                        r = strbuf_puts(out, u);
                        p++;
                } else
                        r = strbuf_putc(out, (char) *p);
        return r;
}

int escape_terminal(StrBuf *out, const char *s, bool keep_newlines) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *) s, *end;
        int r = 0;

        if (!s)
                return 0;
        end = p + strlen(s);
        for (; r == 0 && *p; p++) {
                /* Bytes that are not UTF-8 (a lone 0x9B is the 8-bit CSI to some terminals)
                 * become U+FFFD; a sequence is copied whole. */
                if (*p >= 0x80 && !c1_control(p)) {
                        size_t n = utf8_sequence_length(p, (size_t) (end - p));

                        if (n == 0)
                                r = strbuf_puts(out, "\xEF\xBF\xBD");
                        else {
                                r = strbuf_append(out, (const char *) p, n);
                                p += n - 1;
                        }
                        continue;
                }
                if ((*p == '\n' || *p == '\t') && keep_newlines)
                        r = strbuf_putc(out, (char) *p);
                else if (*p == '\n' || *p == '\t')
                        r = strbuf_putc(out, ' ');
                else if (*p == '\r')
                        continue;
                else if (*p < 0x20 || *p == 0x7F) {
                        char e[5] = { '\\', 'x', hex[*p >> 4], hex[*p & 15], 0 };

                        r = strbuf_puts(out, e);
                } else if (c1_control(p)) {
                        char e[5] = { '\\', 'x', hex[p[1] >> 4], hex[p[1] & 15], 0 };

                        r = strbuf_puts(out, e);
                        p++;
                } else
                        r = strbuf_putc(out, (char) *p);
        }
        return r;
}

int escape_markdown(StrBuf *out, const char *s, bool keep_newlines) {
        bool line_start = true;
        int r = 0;

        if (!s)
                return 0;
        for (const unsigned char *p = (const unsigned char *) s; r == 0 && *p; p++) {
                if (*p == '\n') {
                        r = strbuf_puts(out, keep_newlines ? "  \n" : " ");
                        line_start = keep_newlines;
                        continue;
                }
                if (*p == '\r')
                        continue;
                if (*p == '<')
                        r = strbuf_puts(out, "&lt;");
                else if (*p == '>')
                        r = strbuf_puts(out, "&gt;");
                else if (*p == '&')
                        r = strbuf_puts(out, "&amp;");
                else if (*p == '|')
                        r = strbuf_puts(out, "\\|");
                else if (strchr("\\`*_[]~", *p) || (line_start && strchr("#-+=>", *p)))
                        /* Emphasis, code, links and strike-through anywhere; headings, lists
                         * and quotes only where a line starts. */
                        r = strbuf_printf(out, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7F)
                        r = strbuf_putc(out, ' ');
                else if (c1_control(p)) {
                        r = strbuf_putc(out, ' ');
                        p++;
                } else
                        r = strbuf_putc(out, (char) *p);
                if (*p != ' ')
                        line_start = false;
        }
        return r;
}

int escape_markdown_code(StrBuf *out, const char *s) {
        size_t run = 0, longest = 0;
        int r;

        if (!s)
                return 0;
        for (const char *p = s; *p; p++) {
                run = *p == '`' ? run + 1 : 0;
                if (run > longest)
                        longest = run;
        }
        /* A fence longer than any run of backticks inside cannot be closed by the text. */
        for (size_t i = 0; i <= longest; i++)
                if ((r = strbuf_putc(out, '`')) < 0)
                        return r;
        r = strbuf_putc(out, ' ');
        for (const unsigned char *p = (const unsigned char *) s; r == 0 && *p; p++)
                if (c1_control(p)) {
                        r = strbuf_putc(out, ' ');
                        p++;
                } else
                        r = strbuf_putc(out, (*p < 0x20 || *p == 0x7F) ? ' ' : (char) *p);
        if (r == 0)
                r = strbuf_putc(out, ' ');
        for (size_t i = 0; r == 0 && i <= longest; i++)
                r = strbuf_putc(out, '`');
        return r;
}

int escape_html(StrBuf *out, const char *s, bool keep_newlines) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = (const unsigned char *) s;
        size_t left;
        int r = 0;

        if (!s)
                return 0;
        left = strlen(s);
        while (r == 0 && *p) {
                size_t n = 1;

                if (*p == '&')
                        r = strbuf_puts(out, "&amp;");
                else if (*p == '<')
                        r = strbuf_puts(out, "&lt;");
                else if (*p == '>')
                        r = strbuf_puts(out, "&gt;");
                else if (*p == '"')
                        r = strbuf_puts(out, "&quot;");
                else if (*p == '\'')
                        r = strbuf_puts(out, "&#39;");
                else if (*p == '\n' || *p == '\t')
                        r = strbuf_putc(out, keep_newlines ? (char) *p : ' ');
                else if (*p == '\r')
                        ;
                else if (*p < 0x20 || *p == 0x7F) {
                        char e[5] = { '\\', 'x', hex[*p >> 4], hex[*p & 15], 0 };

                        r = strbuf_puts(out, e);
                } else if (*p < 0x80)
                        r = strbuf_putc(out, (char) *p);
                else {
                        n = utf8_sequence_length(p, left);
                        if (n == 0) {
                                /* Not UTF-8: the page says it is, so no stray byte gets in. */
                                r = strbuf_puts(out, "\xEF\xBF\xBD");
                                n = 1;
                        } else if (c1_control(p)) {
                                char e[5] = { '\\', 'x', hex[p[1] >> 4], hex[p[1] & 15], 0 };

                                r = strbuf_puts(out, e);
                        } else
                                r = strbuf_append(out, (const char *) p, n);
                }
                p += n;
                left -= n;
        }
        return r;
}
