/* SPDX-License-Identifier: MIT */
#include "json.h"

int json_append_string(StrBuf *out, const char *s) {
        static const char hex[] = "0123456789abcdef";
        const char *run;
        int r;

        if (!s)
                return strbuf_puts(out, "null");
        r = strbuf_putc(out, '"');
        run = s;
        for (const unsigned char *p = (const unsigned char *) s; r == 0 && *p; p++) {
                char esc[7] = { '\\', 0 };

                if (*p >= 0x20 && *p != '"' && *p != '\\' && *p != 0x7F)
                        continue;
                /* Flush the plain run before this character, then its escape. */
                r = strbuf_append(out, run, (size_t) ((const char *) p - run));
                switch (*p) {
                case '"':
                case '\\':
                        esc[1] = (char) *p;
                        break;
                case '\n':
                        esc[1] = 'n';
                        break;
                case '\r':
                        esc[1] = 'r';
                        break;
                case '\t':
                        esc[1] = 't';
                        break;
                default:
                        esc[1] = 'u';
                        esc[2] = '0';
                        esc[3] = '0';
                        esc[4] = hex[*p >> 4];
                        esc[5] = hex[*p & 15];
                }
                if (r == 0)
                        r = strbuf_puts(out, esc);
                run = (const char *) p + 1;
        }
        if (r == 0)
                r = strbuf_puts(out, run);
        return r < 0 ? r : strbuf_putc(out, '"');
}
