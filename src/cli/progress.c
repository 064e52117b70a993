/* SPDX-License-Identifier: MIT */
#include "progress.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/utf.h"

#define REDRAW_NS INT64_C(100000000)    /* at most ten drawings a second */
#define BAR_CELLS 20
#define DEFAULT_COLUMNS 80

struct Progress {
        FILE *f;
        bool enabled;
        bool drawn;             /* something is on the line */
        int64_t start_ns;       /* the first tick */
        int64_t last_ns;        /* the last drawing */
};

static int64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

Progress *progress_new(FILE *f, bool enabled) {
        Progress *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->f = f;
        p->enabled = enabled;
        p->start_ns = -1;
        return p;
}

void progress_clear(Progress *p) {
        if (!p || !p->drawn)
                return;
        /* Back to the start of the line, and erase to its end. */
        fputs("\r\033[K", p->f);
        fflush(p->f);
        p->drawn = false;
}

Progress *progress_free(Progress *p) {
        progress_clear(p);
        free(p);
        return NULL;
}

static unsigned columns(FILE *f) {
        struct winsize ws = {};

        if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
                return ws.ws_col;
        return DEFAULT_COLUMNS;
}

/* A file name fit for a terminal: invalid UTF-8 and control characters (escape sequences, C1
 * controls included) become '?'. */
static int append_name(StrBuf *out, const char *s) {
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                const uint8_t *u = (const uint8_t *) s + i;
                size_t k = utf8_sequence_length(u, n - i);
                int r;

                if (k == 0 || u[0] < 0x20 || u[0] == 0x7F || (k == 2 && u[0] == 0xC2 && u[1] < 0xA0)) {
                        r = strbuf_putc(out, '?');
                        i += k ? k : 1;
                } else {
                        r = strbuf_append(out, s + i, k);
                        i += k;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static char *format_bar(const ImportTick *t, double elapsed, unsigned width) {
        _cleanup_strbuf_ StrBuf b = {}, name = {};
        unsigned filled = 0;
        size_t used, room;
        int r;

        if (t->bytes_total > 0)
                filled = (unsigned) ((t->bytes > t->bytes_total ? t->bytes_total : t->bytes) * BAR_CELLS / t->bytes_total);
        r = strbuf_puts(&b, "[");
        for (unsigned i = 0; r == 0 && i < BAR_CELLS; i++)
                r = strbuf_putc(&b, i < filled ? '#' : '.');
        if (r == 0)
                r = strbuf_printf(&b, "] %zu/%zu files, %.1f/%.1f MB", t->done, t->total, t->bytes / 1e6,
                                  t->bytes_total / 1e6);
        if (r == 0 && elapsed >= 0.5)
                r = strbuf_printf(&b, ", %.0f events/s", t->rows / elapsed);
        if (r == 0 && t->input)
                r = append_name(&name, t->input->path);
        if (r < 0)
                return NULL;

        /* The name gets what is left of the line, its start cut off when it is too long: the
         * end of a path tells most. */
        used = utf8_code_points(b.data, b.len);
        room = width > used + 3 ? width - used - 3 : 0;
        if (name.len > 0 && room >= 8) {
                const char *s = strbuf_str(&name);
                size_t w = utf8_code_points(s, name.len);

                r = strbuf_puts(&b, ", ");
                if (r == 0 && w > room) {
                        /* Skip code points until the rest fits beside the ellipsis. */
                        while (w > room - 1) {
                                s++;
                                while (((unsigned char) *s & 0xC0) == 0x80)
                                        s++;
                                w--;
                        }
                        r = strbuf_puts(&b, "…");
                }
                if (r == 0)
                        r = strbuf_puts(&b, s);
        }
        if (r < 0)
                return NULL;
        /* A line that wraps cannot be redrawn in place. The part before the name is ASCII. */
        if (used > width) {
                b.len = width;
                b.data[width] = 0;
        }
        return strbuf_steal(&b);
}

void progress_tick(void *userdata, const ImportTick *tick) {
        Progress *p = userdata;
        _cleanup_free_ char *line = NULL;
        int64_t now;

        if (!p || !p->enabled)
                return;
        now = now_ns();
        if (p->start_ns < 0)
                p->start_ns = now;
        else if (now - p->last_ns < REDRAW_NS)
                return;
        p->last_ns = now;
        line = format_bar(tick, (double) (now - p->start_ns) / 1e9, columns(p->f) - 1);
        if (!line)
                return;         /* a bar is not worth failing for */
        fprintf(p->f, "\r%s\033[K", line);
        fflush(p->f);
        p->drawn = true;
}
