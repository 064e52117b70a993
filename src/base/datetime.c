/* SPDX-License-Identifier: MIT */
#include "datetime.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "utf.h"

/* Shifts the year to start in March so that the leap day is the last day of the year; then
 * 400-year eras of 146097 days each repeat exactly. */
int64_t days_from_civil(int year, int month, int day) {
        int64_t y = (int64_t) year - (month <= 2);
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;                                    /* 0..399 */
        int64_t mp = month > 2 ? month - 3 : month + 9;                 /* March = 0 */
        int64_t doy = (153 * mp + 2) / 5 + day - 1;                     /* 0..365 */
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* 0..146096 */

        return era * 146097 + doe - 719468;     /* 719468 days from 0000-03-01 to 1970-01-01 */
}

void civil_from_days(int64_t days, int *ret_year, int *ret_month, int *ret_day) {
        int64_t z = days + 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int64_t d = doy - (153 * mp + 2) / 5 + 1;
        int64_t m = mp < 10 ? mp + 3 : mp - 9;

        *ret_year = (int) (yoe + era * 400 + (m <= 2));
        *ret_month = (int) m;
        *ret_day = (int) d;
}

static int days_in_month(int year, int month) {
        static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

        return month == 2 && leap ? 29 : n[month - 1];
}

static bool civil_valid(const CivilTime *c) {
        return c->year >= 1601 && c->year <= 30827 &&
               c->month >= 1 && c->month <= 12 &&
               c->day >= 1 && c->day <= days_in_month(c->year, c->month) &&
               c->hour >= 0 && c->hour <= 23 && c->minute >= 0 && c->minute <= 59 &&
               c->second >= 0 && c->second <= 60 &&
               c->fraction >= 0 && c->fraction < TICKS_PER_SECOND;
}

int civil_to_ticks_utc(const CivilTime *c, int64_t *ret_ticks) {
        int64_t secs;

        if (!civil_valid(c))
                return -EINVAL;
        secs = days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 + c->second;
        *ret_ticks = secs * TICKS_PER_SECOND + c->fraction;
        return 0;
}

int64_t ticks_grain(int digits) {
        int64_t g = 1;

        for (int d = digits < 0 ? 0 : digits; d < 7; d++)
                g *= 10;
        return g;
}

char *ticks_format_iso(int64_t ticks, int digits, char buf[static 40]) {
        int64_t secs = ticks / TICKS_PER_SECOND, frac = ticks % TICKS_PER_SECOND, days, rem;
        int y, m, d, len;

        if (frac < 0) {
                frac += TICKS_PER_SECOND;
                secs--;
        }
        days = secs / 86400;
        rem = secs % 86400;
        if (rem < 0) {
                rem += 86400;
                days--;
        }
        civil_from_days(days, &y, &m, &d);
        len = snprintf(buf, 40, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
                       (int) (rem / 3600), (int) (rem / 60 % 60), (int) (rem % 60));
        if (digits > 0 && len > 0 && len < 30) {
                char f[8];

                if (digits > 7)
                        digits = 7;
                snprintf(f, sizeof(f), "%07d", (int) frac);
                len += snprintf(buf + len, 40 - (size_t) len, ".%.*s", digits, f);
        }
        if (len > 0 && len < 39)
                snprintf(buf + len, 40 - (size_t) len, "Z");
        return buf;
}

/* A tiny cursor over (s, n) for the date grammars below. */
typedef struct Cur {
        const char *s;
        size_t n, i;
} Cur;

static bool cur_eof(const Cur *c) {
        return c->i >= c->n;
}

static int cur_peek(const Cur *c) {
        return c->i < c->n ? (unsigned char) c->s[c->i] : -1;
}

static bool cur_char(Cur *c, char ch) {
        if (cur_peek(c) != (unsigned char) ch)
                return false;
        c->i++;
        return true;
}

/* Reads 1..max digits; returns the count read (0 when none). */
static int cur_digits(Cur *c, int max, int *ret) {
        int v = 0, k = 0;

        while (k < max && cur_peek(c) >= '0' && cur_peek(c) <= '9') {
                v = v * 10 + (c->s[c->i] - '0');
                c->i++;
                k++;
        }
        if (k > 0)
                *ret = v;
        return k;
}

static void cur_spaces(Cur *c) {
        while (!cur_eof(c)) {
                int ch = cur_peek(c);

                if (ch == ' ' || ch == '\t')
                        c->i++;
                /* U+200E/U+200F (marks Windows puts around dates) and U+00A0/U+202F (spaces) */
                else if (ch == 0xE2 && c->n - c->i >= 3 && (unsigned char) c->s[c->i + 1] == 0x80 &&
                         ((unsigned char) c->s[c->i + 2] == 0x8E || (unsigned char) c->s[c->i + 2] == 0x8F ||
                          (unsigned char) c->s[c->i + 2] == 0xAF))
                        c->i += 3;
                else if (ch == 0xC2 && c->n - c->i >= 2 && (unsigned char) c->s[c->i + 1] == 0xA0)
                        c->i += 2;
                else
                        break;
        }
}

/* ".fffffff..." after the seconds: up to 7 digits kept, more are read and dropped. */
static void cur_fraction(Cur *c, int32_t *ret_fraction, int *ret_digits) {
        int32_t f = 0;
        int k = 0;

        if (!(cur_peek(c) == '.' || cur_peek(c) == ',') || c->i + 1 >= c->n ||
            c->s[c->i + 1] < '0' || c->s[c->i + 1] > '9')
                return;
        c->i++;
        while (cur_peek(c) >= '0' && cur_peek(c) <= '9') {
                if (k < 7) {
                        f = f * 10 + (c->s[c->i] - '0');
                        k++;
                }
                c->i++;
        }
        *ret_digits = k;
        for (int j = k; j < 7; j++)
                f *= 10;
        *ret_fraction = f;
}

/* "HH:MM[:SS[.fff]]" */
static int cur_clock(Cur *c, CivilTime *t) {
        if (cur_digits(c, 2, &t->hour) == 0 || !cur_char(c, ':') || cur_digits(c, 2, &t->minute) != 2)
                return -EBADMSG;
        if (cur_char(c, ':')) {
                if (cur_digits(c, 2, &t->second) != 2)
                        return -EBADMSG;
                cur_fraction(c, &t->fraction, &t->digits);
        }
        return 0;
}

int iso_parse_utc(const char *s, size_t n, int64_t *ret_ticks, int *ret_digits) {
        Cur c = { s, n, 0 };
        CivilTime t = {};

        cur_spaces(&c);
        if (cur_digits(&c, 4, &t.year) != 4 || !cur_char(&c, '-') || cur_digits(&c, 2, &t.month) != 2 ||
            !cur_char(&c, '-') || cur_digits(&c, 2, &t.day) != 2)
                return -EBADMSG;
        if (!cur_char(&c, 'T') && !cur_char(&c, ' '))
                return -EBADMSG;
        if (cur_clock(&c, &t) < 0)
                return -EBADMSG;
        cur_char(&c, 'Z');
        cur_spaces(&c);
        if (!cur_eof(&c))
                return -EBADMSG;
        if (civil_to_ticks_utc(&t, ret_ticks) < 0)
                return -EBADMSG;
        if (ret_digits)
                *ret_digits = t.digits;
        return 0;
}

static bool cur_word_ci(Cur *c, const char *w) {
        size_t l = strlen(w);

        if (c->n - c->i < l || !ascii_strcaseeq_n(c->s + c->i, l, w, l))
                return false;
        c->i += l;
        return true;
}

/* Splits a date "a?b?c" with one separator into three numbers with their digit counts. */
static int cur_date3(Cur *c, int v[3], int k[3], char *ret_sep) {
        char sep;

        k[0] = cur_digits(c, 4, &v[0]);
        if (k[0] == 0 || cur_eof(c))
                return -EBADMSG;
        sep = c->s[c->i];
        if (sep != '/' && sep != '.' && sep != '-')
                return -EBADMSG;
        c->i++;
        k[1] = cur_digits(c, 4, &v[1]);
        if (k[1] == 0 || !cur_char(c, sep))
                return -EBADMSG;
        k[2] = cur_digits(c, 4, &v[2]);
        if (k[2] == 0)
                return -EBADMSG;
        cur_char(c, '.');       /* "31.03.2010." in some locales */
        *ret_sep = sep;
        return 0;
}

int date_parse_local(const char *s, size_t n, DateOrder order, CivilTime *ret) {
        Cur c = { s, n, 0 };
        CivilTime t = {};
        int v[3], k[3], r;
        char sep;

        cur_spaces(&c);
        r = cur_date3(&c, v, k, &sep);
        if (r < 0)
                return r;
        if (k[0] == 4) {                                /* year first: ISO or ja-JP */
                if (k[1] > 2 || k[2] > 2)
                        return -EBADMSG;
                t.year = v[0], t.month = v[1], t.day = v[2];
        } else if (k[2] == 4) {                         /* year last */
                if (k[0] > 2 || k[1] > 2)
                        return -EBADMSG;
                t.year = v[2];
                if (sep == '.')                         /* the dotted form is day first everywhere */
                        order = DATE_ORDER_DMY;
                t.month = v[0], t.day = v[1];           /* decided below, once AM/PM is known */
        } else
                return -EBADMSG;

        if (!cur_char(&c, 'T')) {
                cur_spaces(&c);
                cur_char(&c, ',');
                cur_spaces(&c);
        }
        r = cur_clock(&c, &t);
        if (r < 0)
                return r;
        cur_char(&c, 'Z');
        cur_spaces(&c);

        bool pm = false, ampm = false;
        if (cur_word_ci(&c, "PM") || cur_word_ci(&c, "p.m.")) {
                pm = ampm = true;
        } else if (cur_word_ci(&c, "AM") || cur_word_ci(&c, "a.m."))
                ampm = true;
        cur_spaces(&c);
        if (!cur_eof(&c))
                return -EBADMSG;
        if (ampm) {
                if (t.hour < 1 || t.hour > 12)
                        return -EBADMSG;
                t.hour = t.hour % 12 + (pm ? 12 : 0);
        }

        if (k[2] == 4) {
                if (order == DATE_ORDER_AUTO)
                        order = ampm ? DATE_ORDER_MDY : DATE_ORDER_DMY;
                if (order == DATE_ORDER_DMY)
                        t.day = v[0], t.month = v[1];
                else
                        t.month = v[0], t.day = v[1];
        }
        if (!civil_valid(&t))
                return -EBADMSG;
        *ret = t;
        return 0;
}

DateOrder date_order_hint(const char *s, size_t n) {
        Cur c = { s, n, 0 };
        int v[3], k[3];
        char sep;

        cur_spaces(&c);
        if (cur_date3(&c, v, k, &sep) < 0 || k[2] != 4 || sep == '.')
                return DATE_ORDER_AUTO;
        if (v[0] > 12 && v[1] <= 12)
                return DATE_ORDER_DMY;
        if (v[1] > 12 && v[0] <= 12)
                return DATE_ORDER_MDY;
        return DATE_ORDER_AUTO;
}

struct Tz {
        char *name;             /* as given */
        char *iana;             /* NULL for a fixed offset */
        int64_t offset_secs;    /* local = UTC + offset, for a fixed offset */
};

Tz *tz_free(Tz *tz) {
        if (!tz)
                return NULL;
        free(tz->name);
        free(tz->iana);
        free(tz);
        return NULL;
}

/* "+02:00", "-0530", "+2", "UTC+01:00" */
static int parse_offset(const char *s, int64_t *ret) {
        Cur c = { s, strlen(s), 0 };
        int h = 0, m = 0, sign;

        if (cur_word_ci(&c, "UTC") || cur_word_ci(&c, "GMT")) {
                if (cur_eof(&c)) {
                        *ret = 0;
                        return 0;
                }
        }
        if (cur_char(&c, '+'))
                sign = 1;
        else if (cur_char(&c, '-'))
                sign = -1;
        else
                return -EINVAL;
        int k = cur_digits(&c, 2, &h);
        if (k == 0)
                return -EINVAL;
        if (cur_char(&c, ':')) {
                if (cur_digits(&c, 2, &m) != 2)
                        return -EINVAL;
        } else if (k == 2 && !cur_eof(&c)) {
                if (cur_digits(&c, 2, &m) != 2)
                        return -EINVAL;
        }
        if (!cur_eof(&c) || h > 14 || m > 59)
                return -EINVAL;
        *ret = sign * (h * 3600 + m * 60);
        return 0;
}

static bool iana_name_ok(const char *s) {
        if (!*s || *s == '/' || strlen(s) > 128 || strstr(s, ".."))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      *p == '/' || *p == '_' || *p == '-' || *p == '+'))
                        return false;
        return true;
}

int tz_new(const char *spec, Tz **ret) {
        _cleanup_(tz_freep) Tz *tz = NULL;
        int64_t off = 0;

        if (!spec || !*spec)
                spec = "UTC";
        tz = calloc(1, sizeof(*tz));
        if (!tz)
                return -ENOMEM;
        tz->name = strdup(spec);
        if (!tz->name)
                return -ENOMEM;

        if (ascii_strcaseeq_n(spec, strlen(spec), "Z", 1) || parse_offset(spec, &off) == 0) {
                tz->offset_secs = ascii_strcaseeq_n(spec, strlen(spec), "Z", 1) ? 0 : off;
        } else if (spec[0] == '+' || spec[0] == '-') {
                return -EINVAL;
        } else {
                const char *dir = getenv("TZDIR");
                char path[512], magic[4];
                struct stat st;
                FILE *f;
                size_t k;
                int len;

                if (!iana_name_ok(spec))
                        return -EINVAL;
                len = snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", spec);
                if (len < 0 || (size_t) len >= sizeof(path))
                        return -ENOENT;
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        return -ENOENT;
                /* The zone folder also holds text files ("leapseconds"); the C library would
                 * silently read UTC for those. */
                f = fopen(path, "rbe");
                if (!f)
                        return -ENOENT;
                k = fread(magic, 1, sizeof(magic), f);
                fclose(f);
                if (k != sizeof(magic) || memcmp(magic, "TZif", 4) != 0)
                        return -ENOENT;
                tz->iana = strdup(spec);
                if (!tz->iana)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(tz);
        return 0;
}

const char *tz_name(const Tz *tz) {
        return tz ? tz->name : "UTC";
}

/* Makes the C library's local time that of the IANA zone tz, when it is not yet. */
static int tz_apply(const Tz *tz) {
        const char *cur = getenv("TZ");
        char buf[160];

        if (cur && cur[0] == ':' && strcmp(cur + 1, tz->iana) == 0)
                return 0;
        snprintf(buf, sizeof(buf), ":%s", tz->iana);
        if (setenv("TZ", buf, 1) < 0)
                return -errno;
        tzset();
        return 0;
}

int tz_offset_at(Tz *tz, int64_t ticks, int64_t *ret_secs) {
        time_t secs = (time_t) (ticks / TICKS_PER_SECOND - (ticks % TICKS_PER_SECOND < 0));
        struct tm tm;
        int r;

        if (!tz || !tz->iana) {
                *ret_secs = tz ? tz->offset_secs : 0;
                return 0;
        }
        r = tz_apply(tz);
        if (r < 0)
                return r;
        if (!localtime_r(&secs, &tm))
                return -EINVAL;
        *ret_secs = tm.tm_gmtoff;
        return 0;
}

int tz_local_to_ticks(Tz *tz, const CivilTime *c, int64_t *ret_ticks) {
        int64_t local;
        struct tm tm = {};
        time_t t;
        int r;

        r = civil_to_ticks_utc(c, &local);
        if (r < 0)
                return r;
        if (!tz || !tz->iana) {
                *ret_ticks = local - (tz ? tz->offset_secs : 0) * TICKS_PER_SECOND;
                return 0;
        }

        /* Let the C library apply the zone's rules, daylight saving included. */
        r = tz_apply(tz);
        if (r < 0)
                return r;
        tm.tm_year = c->year - 1900;
        tm.tm_mon = c->month - 1;
        tm.tm_mday = c->day;
        tm.tm_hour = c->hour;
        tm.tm_min = c->minute;
        tm.tm_sec = c->second;
        tm.tm_isdst = -1;
        t = mktime(&tm);
        if (t == (time_t) -1 && !(c->year == 1969 || c->year == 1970))
                return -EINVAL;
        *ret_ticks = (int64_t) t * TICKS_PER_SECOND + c->fraction;
        return 0;
}
