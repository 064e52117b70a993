/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "base/datetime.h"

/* 2010-03-31T21:43:28Z, the time of the KB's 15300 (computed with Python's datetime) */
#define KB_TICKS INT64_C(12700718080000000)

static int64_t utc(int y, int mo, int d, int h, int mi, int s) {
        CivilTime c = { .year = y, .month = mo, .day = d, .hour = h, .minute = mi, .second = s };
        int64_t t;

        assert_int_equal(civil_to_ticks_utc(&c, &t), 0);
        return t;
}

static void test_days_known(void **state) {
        static const struct {
                int y, m, d;
                int64_t days;
        } cases[] = {
                { 1970, 1, 1, 0 },
                { 1970, 1, 2, 1 },
                { 1969, 12, 31, -1 },
                { 2000, 3, 1, 11017 },
                { 1601, 1, 1, -134774 },
                { 1, 1, 1, -719162 },
                { 9999, 12, 31, 2932896 },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int y, m, d;

                assert_int_equal(days_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].days);
                civil_from_days(cases[i].days, &y, &m, &d);
                assert_int_equal(y, cases[i].y);
                assert_int_equal(m, cases[i].m);
                assert_int_equal(d, cases[i].d);
        }
}

static bool is_leap(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void test_days_round_trip(void **state) {
        int py, pm, pd;

        /* from 0400-01-01 to 12000-ish, day by day: each day follows the one before */
        civil_from_days(days_from_civil(400, 1, 1) - 1, &py, &pm, &pd);
        assert_int_equal(py, 399);
        assert_int_equal(pm, 12);
        assert_int_equal(pd, 31);
        for (int64_t days = days_from_civil(400, 1, 1); days < INT64_C(3700000); days++) {
                int y, m, d;

                civil_from_days(days, &y, &m, &d);
                if (d == pd + 1 && m == pm && y == py) {
                        /* next day of the month */
                } else if (d == 1 && ((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1))) {
                        int last = pm == 2 ? (is_leap(py) ? 29 : 28) :
                                   (pm == 4 || pm == 6 || pm == 9 || pm == 11) ? 30 : 31;

                        if (pd != last)
                                fail_msg("%d-%02d ended on day %d", py, pm, pd);
                } else
                        fail_msg("day %lld: %d-%02d-%02d after %d-%02d-%02d", (long long) days, y, m, d, py, pm, pd);
                if (days_from_civil(y, m, d) != days)
                        fail_msg("round trip of %lld", (long long) days);
                py = y, pm = m, pd = d;
        }
}

static void test_leap_years(void **state) {
        assert_int_equal(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);
        assert_int_equal(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);
        assert_int_equal(days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28), 1);
        assert_int_equal(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
        assert_int_equal(days_from_civil(1601, 1, 1) - days_from_civil(1600, 1, 1), 366);
        assert_int_equal(days_from_civil(2001, 1, 1) - days_from_civil(1601, 1, 1), 146097);
}

static void test_civil_to_ticks(void **state) {
        static const struct {
                CivilTime c;
                int want;       /* 0 or -EINVAL */
        } cases[] = {
                { { 1601, 1, 1, 0, 0, 0, 0, 0 }, 0 },
                { { 1600, 12, 31, 23, 59, 59, 0, 0 }, -EINVAL },
                { { 30827, 12, 31, 23, 59, 59, 9999999, 7 }, 0 },
                { { 30828, 1, 1, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 0, 1, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 13, 1, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 1, 0, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 1, 32, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 4, 31, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 2, 29, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2012, 2, 29, 0, 0, 0, 0, 0 }, 0 },
                { { 1900, 2, 29, 0, 0, 0, 0, 0 }, -EINVAL },
                { { 2000, 2, 29, 0, 0, 0, 0, 0 }, 0 },
                { { 2010, 3, 31, 24, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 3, 31, -1, 0, 0, 0, 0 }, -EINVAL },
                { { 2010, 3, 31, 23, 60, 0, 0, 0 }, -EINVAL },
                { { 2010, 3, 31, 23, 59, 61, 0, 0 }, -EINVAL },
                { { 2010, 3, 31, 23, 59, 60, 0, 0 }, 0 },       /* a leap second */
                { { 2010, 3, 31, 0, 0, 0, -1, 1 }, -EINVAL },
                { { 2010, 3, 31, 0, 0, 0, 10000000, 7 }, -EINVAL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t t = 42;
                int r = civil_to_ticks_utc(&cases[i].c, &t);

                if (r != cases[i].want)
                        fail_msg("case %zu: %d, want %d", i, r, cases[i].want);
                if (r < 0)
                        assert_int_equal(t, 42);        /* untouched on failure */
        }

        assert_int_equal(utc(1970, 1, 1, 0, 0, 0), 0);
        assert_int_equal(utc(1601, 1, 1, 0, 0, 0), -FILETIME_UNIX_EPOCH);
        assert_int_equal(utc(2010, 3, 31, 21, 43, 28), KB_TICKS);
        assert_int_equal(utc(1969, 12, 31, 23, 59, 59), -TICKS_PER_SECOND);
        assert_int_equal(utc(2010, 3, 31, 23, 59, 60), utc(2010, 4, 1, 0, 0, 0));

        CivilTime c = { 2010, 3, 31, 21, 43, 28, 1234567, 7 };
        int64_t t;
        assert_int_equal(civil_to_ticks_utc(&c, &t), 0);
        assert_int_equal(t, KB_TICKS + 1234567);
}

static void test_format_iso(void **state) {
        static const struct {
                int64_t ticks;
                int digits;
                const char *want;
        } cases[] = {
                { 0, 0, "1970-01-01T00:00:00Z" },
                { 0, 3, "1970-01-01T00:00:00.000Z" },
                { KB_TICKS + 1234567, 0, "2010-03-31T21:43:28Z" },
                { KB_TICKS + 1234567, 1, "2010-03-31T21:43:28.1Z" },
                { KB_TICKS + 1234567, 2, "2010-03-31T21:43:28.12Z" },
                { KB_TICKS + 1234567, 3, "2010-03-31T21:43:28.123Z" },
                { KB_TICKS + 1234567, 4, "2010-03-31T21:43:28.1234Z" },
                { KB_TICKS + 1234567, 5, "2010-03-31T21:43:28.12345Z" },
                { KB_TICKS + 1234567, 6, "2010-03-31T21:43:28.123456Z" },
                { KB_TICKS + 1234567, 7, "2010-03-31T21:43:28.1234567Z" },
                { KB_TICKS + 1234567, 9, "2010-03-31T21:43:28.1234567Z" },    /* capped at 7 */
                { KB_TICKS + 1234567, -1, "2010-03-31T21:43:28Z" },
                { KB_TICKS + 50, 7, "2010-03-31T21:43:28.0000050Z" },
                { -1, 7, "1969-12-31T23:59:59.9999999Z" },
                { -1, 0, "1969-12-31T23:59:59Z" },
                { -TICKS_PER_SECOND, 0, "1969-12-31T23:59:59Z" },
                { -TICKS_PER_SECOND * 86400, 0, "1969-12-31T00:00:00Z" },
                { -TICKS_PER_SECOND * 86400 - 1, 1, "1969-12-30T23:59:59.9Z" },
                { -FILETIME_UNIX_EPOCH, 7, "1601-01-01T00:00:00.0000000Z" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char buf[40];

                assert_ptr_equal(ticks_format_iso(cases[i].ticks, cases[i].digits, buf), buf);
                assert_string_equal(buf, cases[i].want);
        }

        /* the extremes fit in 40 bytes */
        char buf[40];
        ticks_format_iso(INT64_MIN, 7, buf);
        assert_true(strlen(buf) < sizeof(buf));
        ticks_format_iso(INT64_MAX, 7, buf);
        assert_true(strlen(buf) < sizeof(buf));
        assert_true(strncmp(buf, "31197-", 6) == 0);
}

static void test_iso_parse(void **state) {
        static const struct {
                const char *s;
                int want;
                int64_t ticks;
                int digits;
        } cases[] = {
                { "2010-03-31T21:43:28.123456700Z", 0, KB_TICKS + 1234567, 7 },
                { "2010-03-31T21:43:28.1234567Z", 0, KB_TICKS + 1234567, 7 },
                { "2010-03-31T21:43:28.123Z", 0, KB_TICKS + 1230000, 3 },
                { "2010-03-31T21:43:28.1Z", 0, KB_TICKS + 1000000, 1 },
                { "2010-03-31T21:43:28Z", 0, KB_TICKS, 0 },
                { "2010-03-31T21:43:28", 0, KB_TICKS, 0 },
                { "2010-03-31 21:43:28Z", 0, KB_TICKS, 0 },
                { "  2010-03-31T21:43:28.123456700Z  ", 0, KB_TICKS + 1234567, 7 },
                { "2010-03-31T21:43Z", 0, KB_TICKS - 28 * TICKS_PER_SECOND, 0 },
                { "2021-01-12T11:16:17.241910600Z", 0, INT64_C(16104501772419106), 7 },
                { "2016-12-31T23:59:60Z", 0, INT64_C(14832288000000000), 0 },
                { "1601-01-01T00:00:00Z", 0, -FILETIME_UNIX_EPOCH, 0 },
                { "", -EBADMSG, 0, 0 },
                { "   ", -EBADMSG, 0, 0 },
                { "garbage", -EBADMSG, 0, 0 },
                { "2010-03-31", -EBADMSG, 0, 0 },
                { "2010-03-31T", -EBADMSG, 0, 0 },
                { "2010-03-31T21", -EBADMSG, 0, 0 },
                { "2010-03-31T21:4", -EBADMSG, 0, 0 },
                { "2010-03-31T21:43:2", -EBADMSG, 0, 0 },
                { "2010-03-31T21:43:28.Z", -EBADMSG, 0, 0 },
                { "2010-03-31T21:43:28ZZ", -EBADMSG, 0, 0 },
                { "2010-03-31T21:43:28Z junk", -EBADMSG, 0, 0 },
                { "2010-03-31T21:43:28+02:00", -EBADMSG, 0, 0 },
                { "10-03-31T21:43:28Z", -EBADMSG, 0, 0 },
                { "20100-03-31T21:43:28Z", -EBADMSG, 0, 0 },
                { "2010/03/31T21:43:28Z", -EBADMSG, 0, 0 },
                { "2010-3-31T21:43:28Z", -EBADMSG, 0, 0 },
                { "2010-13-01T00:00:00Z", -EBADMSG, 0, 0 },
                { "2010-00-01T00:00:00Z", -EBADMSG, 0, 0 },
                { "2010-02-29T00:00:00Z", -EBADMSG, 0, 0 },
                { "2010-04-31T00:00:00Z", -EBADMSG, 0, 0 },
                { "2010-03-31T24:00:00Z", -EBADMSG, 0, 0 },
                { "2010-03-31T23:60:00Z", -EBADMSG, 0, 0 },
                { "2010-03-31T23:59:61Z", -EBADMSG, 0, 0 },
                { "1600-12-31T23:59:59Z", -EBADMSG, 0, 0 },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t t = 42;
                int d = 42, r;

                r = iso_parse_utc(cases[i].s, strlen(cases[i].s), &t, &d);
                if (r != cases[i].want)
                        fail_msg("\"%s\": %d, want %d", cases[i].s, r, cases[i].want);
                if (r < 0) {
                        assert_int_equal(t, 42);
                        assert_int_equal(d, 42);
                        continue;
                }
                if (t != cases[i].ticks)
                        fail_msg("\"%s\": %lld, want %lld", cases[i].s, (long long) t, (long long) cases[i].ticks);
                assert_int_equal(d, cases[i].digits);
        }

        /* n bounds the parse: no reading past it, no NUL needed */
        const char *s = "2010-03-31T21:43:28.123Z9999";
        int64_t t;
        assert_int_equal(iso_parse_utc(s, 24, &t, NULL), 0);
        assert_int_equal(t, KB_TICKS + 1230000);
        assert_int_equal(iso_parse_utc(s, 23, &t, NULL), 0);
        assert_int_equal(iso_parse_utc(s, 19, &t, NULL), 0);
        assert_int_equal(t, KB_TICKS);
        assert_int_equal(iso_parse_utc(s, 18, &t, NULL), -EBADMSG);
        /* every cut of a well-formed time either parses or fails, never reads past */
        for (size_t n = 0; n <= strlen(s); n++) {
                char *copy = malloc(n ? n : 1);

                assert_non_null(copy);
                memcpy(copy, s, n);
                (void) iso_parse_utc(copy, n, &t, NULL);
                free(copy);
        }
}

static void test_parse_local(void **state) {
        static const struct {
                const char *s;
                DateOrder order;
                int want;
                CivilTime c;
        } cases[] = {
                { "3/31/2010 2:43:28 PM", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "3/31/2010 2:43:28 PM", DATE_ORDER_MDY, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "3/31/2010 2:43:28 PM", DATE_ORDER_DMY, -EBADMSG, {} },       /* month 31 */
                { "3/31/2010 2:43:28 pm", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "3/31/2010 2:43:28 p.m.", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "3/31/2010 2:43:28 AM", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 2, 43, 28, 0, 0 } },
                { "12/01/2021 11:16:17", DATE_ORDER_AUTO, 0, { 2021, 1, 12, 11, 16, 17, 0, 0 } },
                { "12/01/2021 11:16:17", DATE_ORDER_DMY, 0, { 2021, 1, 12, 11, 16, 17, 0, 0 } },
                { "12/01/2021 11:16:17", DATE_ORDER_MDY, 0, { 2021, 12, 1, 11, 16, 17, 0, 0 } },
                { "12/01/2021 11:16:17 AM", DATE_ORDER_AUTO, 0, { 2021, 12, 1, 11, 16, 17, 0, 0 } },
                { "12/01/2021 11:16:17 AM", DATE_ORDER_DMY, 0, { 2021, 1, 12, 11, 16, 17, 0, 0 } },
                { "31.03.2010 14:43:28", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "31.03.2010 14:43:28", DATE_ORDER_MDY, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },  /* dotted: day first */
                { "20.07.2010 00:00:01", DATE_ORDER_AUTO, 0, { 2010, 7, 20, 0, 0, 1, 0, 0 } },
                { "31.03.2010. 14:43:28", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "2010-03-31T14:43:28.123", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 1230000, 3 } },
                { "2010-03-31T14:43:28.123", DATE_ORDER_MDY, 0, { 2010, 3, 31, 14, 43, 28, 1230000, 3 } },
                { "2020-12-14T17:09:08.940", DATE_ORDER_AUTO, 0, { 2020, 12, 14, 17, 9, 8, 9400000, 3 } },
                { "2020-12-14T17:09:08.2140000Z", DATE_ORDER_AUTO, 0, { 2020, 12, 14, 17, 9, 8, 2140000, 7 } },
                { "2010/03/31 14:43:28", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "2010/03/31 14:43:28", DATE_ORDER_DMY, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                { "31-3-2010 14:43", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 0, 0, 0 } },
                { "10/7/2016 06:38:24 PM", DATE_ORDER_AUTO, 0, { 2016, 10, 7, 18, 38, 24, 0, 0 } },
                { "  3/31/2010, 2:43:28 PM  ", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                /* U+200E marks and a no-break space, as Windows writes them */
                { "\xE2\x80\x8E" "3/31/2010 2:43:28\xC2\xA0PM", DATE_ORDER_AUTO, 0, { 2010, 3, 31, 14, 43, 28, 0, 0 } },
                /* 12 o'clock */
                { "1/1/2020 12:00:00 AM", DATE_ORDER_AUTO, 0, { 2020, 1, 1, 0, 0, 0, 0, 0 } },
                { "1/1/2020 12:00:00 PM", DATE_ORDER_AUTO, 0, { 2020, 1, 1, 12, 0, 0, 0, 0 } },
                { "1/1/2020 12:59:59 AM", DATE_ORDER_AUTO, 0, { 2020, 1, 1, 0, 59, 59, 0, 0 } },
                { "1/1/2020 11:59:59 PM", DATE_ORDER_AUTO, 0, { 2020, 1, 1, 23, 59, 59, 0, 0 } },
                { "1/1/2020 0:00:00 AM", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "1/1/2020 13:00:00 PM", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "1/1/2020 24:00:00", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "30.02.2010 10:00:00", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "2/30/2010 10:00:00 AM", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "29.02.2100 10:00:00", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "29.02.2000 10:00:00", DATE_ORDER_AUTO, 0, { 2000, 2, 29, 10, 0, 0, 0, 0 } },
                { "13/13/2010 10:00:00", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "31.03.2010 14:60:00", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "31.03.2010", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "31.03.10 14:43:28", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "31/03-2010 14:43:28", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "2010-03-31T14:43:28 junk", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "3/31/2010 2:43:28 PMX", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "14:43:28", DATE_ORDER_AUTO, -EBADMSG, {} },
                { "N/A", DATE_ORDER_AUTO, -EBADMSG, {} },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                CivilTime c = { .year = 42 };
                int r = date_parse_local(cases[i].s, strlen(cases[i].s), cases[i].order, &c);

                if (r != cases[i].want)
                        fail_msg("\"%s\" (order %d): %d, want %d", cases[i].s, cases[i].order, r, cases[i].want);
                if (r < 0) {
                        assert_int_equal(c.year, 42);
                        continue;
                }
                if (memcmp(&c, &cases[i].c, sizeof(c)) != 0)
                        fail_msg("\"%s\": %d-%d-%d %d:%d:%d .%d (%d digits)", cases[i].s, c.year, c.month, c.day,
                                 c.hour, c.minute, c.second, (int) c.fraction, c.digits);
        }

        /* every cut, each in an exact-size copy: no read past n */
        static const char *const samples[] = {
                ("\xE2\x80\x8E" "3/31/2010 2:43:28\xC2\xA0p.m."), "2010-03-31T14:43:28.1234567Z", "31.03.2010. 14:43:28",
        };
        for (size_t j = 0; j < sizeof(samples) / sizeof(samples[0]); j++)
                for (size_t n = 0; n <= strlen(samples[j]); n++) {
                        char *copy = malloc(n ? n : 1);
                        CivilTime c;

                        assert_non_null(copy);
                        memcpy(copy, samples[j], n);
                        (void) date_parse_local(copy, n, DATE_ORDER_AUTO, &c);
                        (void) date_order_hint(copy, n);
                        free(copy);
                }
}

static void test_order_hint(void **state) {
        static const struct {
                const char *s;
                DateOrder want;
        } cases[] = {
                { "31/12/2021 10:00:00", DATE_ORDER_DMY },
                { "12/31/2021 10:00:00 AM", DATE_ORDER_MDY },
                { "12/01/2021 11:16:17", DATE_ORDER_AUTO },
                { "13/13/2021", DATE_ORDER_AUTO },
                { "31.12.2021 10:00:00", DATE_ORDER_AUTO },     /* dotted is always day first */
                { "2021-12-31T10:00:00", DATE_ORDER_AUTO },
                { "31-12-2021 10:00", DATE_ORDER_DMY },
                { "", DATE_ORDER_AUTO },
                { "junk", DATE_ORDER_AUTO },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                if (date_order_hint(cases[i].s, strlen(cases[i].s)) != cases[i].want)
                        fail_msg("\"%s\"", cases[i].s);
}

static void test_tz_fixed(void **state) {
        static const struct {
                const char *spec;
                int want;
                int64_t offset;         /* seconds east of UTC */
                const char *name;
        } cases[] = {
                { NULL, 0, 0, "UTC" },
                { "", 0, 0, "UTC" },
                { "UTC", 0, 0, "UTC" },
                { "utc", 0, 0, "utc" },
                { "Z", 0, 0, "Z" },
                { "GMT", 0, 0, "GMT" },
                { "+02:00", 0, 7200, "+02:00" },
                { "-0530", 0, -19800, "-0530" },
                { "+2", 0, 7200, "+2" },
                { "-8", 0, -28800, "-8" },
                { "UTC+01:00", 0, 3600, "UTC+01:00" },
                { "+14:00", 0, 50400, "+14:00" },
                { "+25:00", -EINVAL, 0, NULL },
                { "+15", -EINVAL, 0, NULL },
                { "+02:60", -EINVAL, 0, NULL },
                { "+02:0", -EINVAL, 0, NULL },
                { "+020", -EINVAL, 0, NULL },
                { "+", -EINVAL, 0, NULL },
                { "-", -EINVAL, 0, NULL },
                { "+02:00x", -EINVAL, 0, NULL },
                { "../etc/passwd", -EINVAL, 0, NULL },
                { "/etc/localtime", -EINVAL, 0, NULL },
                { "Europe/../../etc/passwd", -EINVAL, 0, NULL },
                { "Europe/Ber lin", -EINVAL, 0, NULL },
                { "Europe/Berlin\n", -EINVAL, 0, NULL },
        };
        CivilTime kb_local = { 2010, 3, 31, 21, 43, 28, 0, 0 };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_(tz_freep) Tz *tz = NULL;
                int64_t t;
                int r = tz_new(cases[i].spec, &tz);

                if (r != cases[i].want)
                        fail_msg("\"%s\": %d, want %d", cases[i].spec ? cases[i].spec : "(null)", r, cases[i].want);
                if (r < 0) {
                        assert_null(tz);
                        continue;
                }
                assert_string_equal(tz_name(tz), cases[i].name);
                kb_local.fraction = 77;
                assert_int_equal(tz_local_to_ticks(tz, &kb_local, &t), 0);
                assert_int_equal(t, KB_TICKS + 77 - cases[i].offset * TICKS_PER_SECOND);
        }

        /* a NULL zone is UTC */
        int64_t t;
        assert_string_equal(tz_name(NULL), "UTC");
        kb_local.fraction = 0;
        assert_int_equal(tz_local_to_ticks(NULL, &kb_local, &t), 0);
        assert_int_equal(t, KB_TICKS);
        /* an invalid local time */
        CivilTime bad = { 2010, 2, 30, 0, 0, 0, 0, 0 };
        t = 42;
        assert_int_equal(tz_local_to_ticks(NULL, &bad, &t), -EINVAL);
        assert_int_equal(t, 42);
}

static bool have_zoneinfo(void) {
        struct stat st;

        return stat("/usr/share/zoneinfo/Europe/Berlin", &st) == 0 &&
               stat("/usr/share/zoneinfo/America/Los_Angeles", &st) == 0;
}

static void test_tz_iana(void **state) {
        _cleanup_(tz_freep) Tz *berlin = NULL, *la = NULL;
        Tz *tz = NULL;

        if (!have_zoneinfo()) {
                printf("no zone database in /usr/share/zoneinfo, skipped\n");
                skip();
        }
        assert_int_equal(tz_new("Not/AZone", &tz), -ENOENT);
        assert_null(tz);
        assert_int_equal(tz_new("Europe", &tz), -ENOENT);          /* a folder */
        assert_int_equal(tz_new("leapseconds", &tz), -ENOENT);     /* a file, but not a zone */
        assert_int_equal(tz_new("Europe/Berlin", &berlin), 0);
        assert_string_equal(tz_name(berlin), "Europe/Berlin");
        assert_int_equal(tz_new("America/Los_Angeles", &la), 0);

        static const struct {
                bool berlin;
                CivilTime c;
                int64_t want;
        } cases[] = {
                /* summer (CEST, +2) and winter (CET, +1) */
                { true, { 2010, 3, 31, 14, 43, 28, 0, 0 }, 0 },
                /* the KB's 15300: 2:43:28 PM in Redmond is 21:43:28Z (PDT, -7) */
                { false, { 2010, 3, 31, 14, 43, 28, 0, 0 }, 0 },
                { true, { 2010, 1, 15, 12, 0, 0, 0, 0 }, 0 },
                { false, { 2010, 1, 15, 12, 0, 0, 0, 0 }, 0 },
                { true, { 2010, 7, 1, 12, 0, 0, 1234567, 7 }, 0 },
                { false, { 2010, 12, 1, 12, 0, 0, 1234567, 7 }, 0 },
                /* before 1970 */
                { true, { 1965, 7, 1, 12, 0, 0, 0, 0 }, 0 },
                /* just before and after the spring change in Berlin (2021-03-28 02:00 CET) */
                { true, { 2021, 3, 28, 1, 59, 59, 0, 0 }, 0 },
                { true, { 2021, 3, 28, 3, 0, 0, 0, 0 }, 0 },
                /* and in Los Angeles (2021-03-14 02:00 PST) */
                { false, { 2021, 3, 14, 1, 59, 59, 0, 0 }, 0 },
                { false, { 2021, 3, 14, 3, 0, 0, 0, 0 }, 0 },
        };
        const int64_t want[] = {
                utc(2010, 3, 31, 12, 43, 28),
                KB_TICKS,
                utc(2010, 1, 15, 11, 0, 0),
                utc(2010, 1, 15, 20, 0, 0),
                utc(2010, 7, 1, 10, 0, 0) + 1234567,
                utc(2010, 12, 1, 20, 0, 0) + 1234567,
                utc(1965, 7, 1, 11, 0, 0),
                utc(2021, 3, 28, 0, 59, 59),
                utc(2021, 3, 28, 1, 0, 0),
                utc(2021, 3, 14, 9, 59, 59),
                utc(2021, 3, 14, 10, 0, 0),
        };

        /* twice, so that each zone follows the other at least once */
        for (int round = 0; round < 2; round++)
                for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                        int64_t t;

                        assert_int_equal(tz_local_to_ticks(cases[i].berlin ? berlin : la, &cases[i].c, &t), 0);
                        if (t != want[i]) {
                                char a[40], b[40];

                                fail_msg("case %zu: %s, want %s", i, ticks_format_iso(t, 7, a),
                                         ticks_format_iso(want[i], 7, b));
                        }
                }

        /* an IANA zone and a fixed offset alternately */
        _cleanup_(tz_freep) Tz *plus2 = NULL;
        CivilTime winter = { 2010, 1, 15, 12, 0, 0, 0, 0 };
        int64_t t;
        assert_int_equal(tz_new("+02:00", &plus2), 0);
        assert_int_equal(tz_local_to_ticks(berlin, &winter, &t), 0);
        assert_int_equal(t, utc(2010, 1, 15, 11, 0, 0));
        assert_int_equal(tz_local_to_ticks(plus2, &winter, &t), 0);
        assert_int_equal(t, utc(2010, 1, 15, 10, 0, 0));
        assert_int_equal(tz_local_to_ticks(la, &winter, &t), 0);
        assert_int_equal(t, utc(2010, 1, 15, 20, 0, 0));

        /* the TZ variable another part of the process set is replaced, not trusted */
        setenv("TZ", ":America/Los_Angeles", 1);
        assert_int_equal(tz_local_to_ticks(berlin, &winter, &t), 0);
        assert_int_equal(t, utc(2010, 1, 15, 11, 0, 0));
}

/* The offset of a zone at an instant, for local times beside UTC: the zone's rules, daylight
 * saving included, or the fixed offset. */
static void test_tz_offset_at(void **state) {
        _cleanup_(tz_freep) Tz *berlin = NULL, *fixed = NULL;
        int64_t summer = (days_from_civil(2024, 6, 3) * 86400 + 1 * 3600) * TICKS_PER_SECOND;
        int64_t winter = (days_from_civil(2024, 1, 3) * 86400 + 1 * 3600) * TICKS_PER_SECOND;
        int64_t off = 1;

        assert_int_equal(tz_offset_at(NULL, summer, &off), 0);
        assert_int_equal(off, 0);
        assert_int_equal(tz_new("-05:30", &fixed), 0);
        assert_int_equal(tz_offset_at(fixed, summer, &off), 0);
        assert_int_equal(off, -(5 * 3600 + 30 * 60));
        if (!have_zoneinfo()) {
                printf("no zone database in /usr/share/zoneinfo, skipped\n");
                skip();
        }
        assert_int_equal(tz_new("Europe/Berlin", &berlin), 0);
        assert_int_equal(tz_offset_at(berlin, summer, &off), 0);
        assert_int_equal(off, 7200);
        assert_int_equal(tz_offset_at(berlin, winter, &off), 0);
        assert_int_equal(off, 3600);
        /* Just before the clocks went forward, 2024-03-31T01:00Z, and just after. */
        assert_int_equal(tz_offset_at(berlin, (days_from_civil(2024, 3, 31) * 86400 + 3599) * TICKS_PER_SECOND, &off), 0);
        assert_int_equal(off, 3600);
        assert_int_equal(tz_offset_at(berlin, (days_from_civil(2024, 3, 31) * 86400 + 3600) * TICKS_PER_SECOND, &off), 0);
        assert_int_equal(off, 7200);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_days_known),
                cmocka_unit_test(test_days_round_trip),
                cmocka_unit_test(test_leap_years),
                cmocka_unit_test(test_civil_to_ticks),
                cmocka_unit_test(test_format_iso),
                cmocka_unit_test(test_iso_parse),
                cmocka_unit_test(test_parse_local),
                cmocka_unit_test(test_order_hint),
                cmocka_unit_test(test_tz_fixed),
                cmocka_unit_test(test_tz_iana),
                cmocka_unit_test(test_tz_offset_at),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
