/* SPDX-License-Identifier: MIT */
#include "json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf.h"

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


static const char *skip_ws(const char *p) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
        return p;
}

static int hex4(const char *p, uint32_t *ret) {
        uint32_t v = 0;

        for (int i = 0; i < 4; i++) {
                char c = p[i];

                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t) (c - 'A' + 10);
                else
                        return -EBADMSG;
        }
        *ret = v;
        return 0;
}

/* Decodes the JSON string at *p (at its opening quote) into out; *p moves past it. */
static int read_string(const char **p, StrBuf *out) {
        const char *s = *p + 1;
        int r = 0;

        strbuf_reset(out);
        if (**p != '"')
                return -EBADMSG;
        while (r == 0 && *s != '"') {
                const char *run = s;

                while (*s && *s != '"' && *s != '\\' && (unsigned char) *s >= 0x20)
                        s++;
                r = strbuf_append(out, run, (size_t) (s - run));
                if (r < 0 || *s == '"')
                        break;
                if (*s != '\\')
                        return -EBADMSG;        /* end of text or a raw control character */
                s++;
                switch (*s) {
                case '"': case '\\': case '/':
                        r = strbuf_putc(out, *s);
                        break;
                case 'b':
                        r = strbuf_putc(out, '\b');
                        break;
                case 'f':
                        r = strbuf_putc(out, '\f');
                        break;
                case 'n':
                        r = strbuf_putc(out, '\n');
                        break;
                case 'r':
                        r = strbuf_putc(out, '\r');
                        break;
                case 't':
                        r = strbuf_putc(out, '\t');
                        break;
                case 'u': {
                        uint32_t cp, lo;
                        char enc[4];

                        if (hex4(s + 1, &cp) < 0)
                                return -EBADMSG;
                        s += 4;
                        if (cp >= 0xD800 && cp <= 0xDBFF && s[1] == '\\' && s[2] == 'u' && hex4(s + 3, &lo) == 0 &&
                            lo >= 0xDC00 && lo <= 0xDFFF) {
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                s += 6;
                        } else if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
                                cp = UTF_REPLACEMENT;   /* and NUL: strings here end at NUL */
                        r = strbuf_append(out, enc, utf8_encode(cp, enc));
                        break;
                }
                default:
                        return -EBADMSG;
                }
                s++;
        }
        if (r < 0)
                return r;
        *p = s + 1;
        return 0;
}

int json_pairs_foreach(const char *json, JsonPairFn fn, void *userdata) {
        _cleanup_strbuf_ StrBuf name = {}, value = {};
        const char *p;
        bool first = true;
        int r;

        if (!json)
                return 0;
        p = skip_ws(json);
        if (*p++ != '[')
                return -EBADMSG;
        for (;;) {
                bool null_name = false;

                p = skip_ws(p);
                if (*p == ']')
                        break;
                if (!first) {
                        if (*p++ != ',')
                                return -EBADMSG;
                        p = skip_ws(p);
                }
                first = false;
                if (*p++ != '[')
                        return -EBADMSG;
                p = skip_ws(p);
                if (strncmp(p, "null", 4) == 0) {
                        null_name = true;
                        p += 4;
                } else if ((r = read_string(&p, &name)) < 0)
                        return r;
                p = skip_ws(p);
                if (*p++ != ',')
                        return -EBADMSG;
                p = skip_ws(p);
                if ((r = read_string(&p, &value)) < 0)
                        return r;
                p = skip_ws(p);
                if (*p++ != ']')
                        return -EBADMSG;
                r = fn(userdata, null_name ? NULL : strbuf_str(&name), strbuf_str(&value));
                if (r != 0)
                        return r;
        }
        return 0;
}

typedef struct GetState {
        const char *name;
        char *found;
} GetState;

static int get_pair(void *userdata, const char *name, const char *value) {
        GetState *st = userdata;

        if (!name || strlen(name) != strlen(st->name) || !ascii_strcaseeq_n(name, strlen(name), st->name, strlen(name)))
                return 0;
        st->found = strdup(value);
        return st->found ? 1 : -ENOMEM;
}

char *json_pairs_get(const char *json, const char *name) {
        GetState st = { .name = name };

        if (json_pairs_foreach(json, get_pair, &st) < 0) {
                free(st.found);
                return NULL;
        }
        return st.found;
}
