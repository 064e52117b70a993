/* SPDX-License-Identifier: MIT */
#include "parse-util.h"

#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/utf.h"
#include "importer/sink.h"

static const struct {
        const char *name;
        int level;
} level_table[] = {
        { "Critical",           1 },
        { "Kritisch",           1 },
        { "Error",              2 },
        { "Fehler",             2 },
        { "Warning",            3 },
        { "Warnung",            3 },
        { "Information",        4 },
        { "Informationen",      4 },
        { "Verbose",            5 },
        { "Ausführlich",        5 },
};

bool is_blank(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!is_hspace(s[i]))
                        return false;
        return true;
}

void trim_hspace(const char **s, size_t *n) {
        while (*n > 0 && is_hspace(**s))
                (*s)++, (*n)--;
        while (*n > 0 && is_hspace((*s)[*n - 1]))
                (*n)--;
}

int quote_len(const char *s) {
        size_t n = strlen(s);

        if (n <= 60)
                return (int) n;
        n = 60;
        while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
                n--;
        return (int) n;
}

const char *excerpt(const char *s, size_t n, char buf[static EXCERPT_SIZE]) {
        const uint8_t *u = (const uint8_t *) s;
        size_t i = 0, o = 0;

        while (i < n) {
                size_t l = utf8_sequence_length(u + i, n - i);

                if (l == 0)
                        l = 1;
                if (o + l > 40) {
                        memcpy(buf + o, "\xe2\x80\xa6", 3);     /* "…" */
                        o += 3;
                        break;
                }
                if (l == 1 && (u[i] < 0x20 || u[i] >= 0x7f))
                        buf[o++] = '?';
                else {
                        memcpy(buf + o, u + i, l);
                        o += l;
                }
                i += l;
        }
        buf[o] = 0;
        return buf;
}

size_t direction_mark_len(const char *s, size_t n) {
        const uint8_t *u = (const uint8_t *) s;

        return n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0x8E || u[2] == 0x8F) ? 3 : 0;
}

size_t drop_direction_marks(char *s, size_t n) {
        size_t j = 0;

        for (size_t i = 0; i < n;) {
                size_t m = direction_mark_len(s + i, n - i);

                if (m > 0) {
                        i += m;
                        continue;
                }
                s[j++] = s[i++];
        }
        s[j] = 0;
        return j;
}

int64_t level_from_name(const char *s) {
        size_t n;

        if (!s)
                return EVENT_NO_VALUE;
        n = strlen(s);
        for (size_t i = 0; i < ELEMENTSOF(level_table); i++)
                if (ascii_strcaseeq_n(s, n, level_table[i].name, strlen(level_table[i].name)))
                        return level_table[i].level;
        return EVENT_NO_VALUE;
}

int event_id_parse(const char *s, int64_t *ret) {
        size_t n = strlen(s);
        int64_t v = 0;

        if (n == 0 || n > 5)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EBADMSG;
                v = v * 10 + (s[i] - '0');
        }
        if (v > 65535)
                return -EBADMSG;
        *ret = v;
        return 0;
}

void date_vote_add(DateVote *v, const char *date, uint64_t line) {
        DateOrder o = date_order_hint(date, strlen(date));

        if (o == DATE_ORDER_DMY) {
                if (v->dmy++ == 0)
                        v->first_dmy_line = line;
        } else if (o == DATE_ORDER_MDY) {
                if (v->mdy++ == 0)
                        v->first_mdy_line = line;
        }
}

void date_vote_decide(DateVote *v, Diag *diag) {
        v->order = DATE_ORDER_AUTO;
        if (v->dmy > v->mdy)
                v->order = DATE_ORDER_DMY;
        else if (v->mdy > v->dmy)
                v->order = DATE_ORDER_MDY;
        if (v->dmy > 0 && v->mdy > 0)
                diag_warn_line(diag, v->order == DATE_ORDER_MDY ? v->first_dmy_line : v->first_mdy_line,
                               "dates disagree on the day/month order (%llu day first, %llu month first); "
                               "dates that could be either are read %s",
                               (unsigned long long) v->dmy, (unsigned long long) v->mdy,
                               v->order == DATE_ORDER_DMY ? "day first" :
                               v->order == DATE_ORDER_MDY ? "month first" : "by their own form");
}

int date_vote_read(const DateVote *v, const char *date, Tz *tz, CivilTime *ret_time, int64_t *ret_ticks) {
        size_t n = strlen(date);
        DateOrder order = date_order_hint(date, n);
        CivilTime c;
        int64_t ticks;

        /* A date that can only be read one way is read that way; the others as the file voted. */
        if (order == DATE_ORDER_AUTO)
                order = v->order;
        if (date_parse_local(date, n, order, &c) < 0 || tz_local_to_ticks(tz, &c, &ticks) < 0)
                return -EBADMSG;
        *ret_time = c;
        *ret_ticks = ticks;
        return 0;
}
