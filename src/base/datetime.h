/* SPDX-License-Identifier: MIT */
#pragma once

/* Times as evdiag stores them: signed 64-bit counts of 100 ns ticks since 1970-01-01 UTC, the
 * resolution of a Windows FILETIME. Also the local-time formats of text and CSV exports, and
 * the zone (--tz) they are read in. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TICKS_PER_SECOND INT64_C(10000000)
/* FILETIME counts 100 ns ticks from 1601-01-01; this many lie between 1601 and 1970. */
#define FILETIME_UNIX_EPOCH INT64_C(116444736000000000)

typedef struct CivilTime {
        int year, month, day;           /* proleptic Gregorian */
        int hour, minute, second;
        int32_t fraction;               /* in 100 ns ticks, 0..9999999 */
        int digits;                     /* fraction digits the source wrote, 0..7 */
} CivilTime;

typedef enum DateOrder {
        DATE_ORDER_AUTO,        /* slashed dates: month first with AM/PM, day first without */
        DATE_ORDER_MDY,
        DATE_ORDER_DMY,
} DateOrder;

/* Days since 1970-01-01 of a civil date, and back. */
int64_t days_from_civil(int year, int month, int day);
void civil_from_days(int64_t days, int *ret_year, int *ret_month, int *ret_day);

/* Ticks of a civil time read as UTC. Returns 0, or -EINVAL when a field is out of range. */
int civil_to_ticks_utc(const CivilTime *c, int64_t *ret_ticks);

/* Writes "2010-03-31T21:43:28.1234567Z" with digits fraction digits (0..7; 0 leaves out the
 * dot). buf needs 40 bytes. Returns buf. */
char *ticks_format_iso(int64_t ticks, int digits, char buf[static 40]);

/* How many ticks a time written with digits fraction digits (0 to 7) stands for: a whole
 * second for 0, one tick for 7. */
int64_t ticks_grain(int digits);

/* Parses an ISO 8601 UTC time as in XML exports ("2010-03-31T21:43:28.123456700Z"; more than
 * seven fraction digits are cut to 100 ns; the Z may be missing). Returns 0 or -EBADMSG. */
int iso_parse_utc(const char *s, size_t n, int64_t *ret_ticks, int *ret_digits);

/* Parses the local date and time of a text or CSV export: "3/31/2010 2:43:28 PM",
 * "31.03.2010 14:43:28", "2010-03-31T14:43:28.123", "2010/03/31 14:43:28", "31-3-2010 14:43". 
 * A trailing "Z" is ignored: exports print it on local times too. Returns 0 or -EBADMSG. */
int date_parse_local(const char *s, size_t n, DateOrder order, CivilTime *ret);

/* What a date says about its own day/month order: DATE_ORDER_DMY when its first number can
 * only be a day (> 12), DATE_ORDER_MDY when its second can only be one, DATE_ORDER_AUTO when
 * it does not tell. */
DateOrder date_order_hint(const char *s, size_t n);

/* The zone of the local times in text and CSV exports. */
typedef struct Tz Tz;

/* Accepts "UTC", "Z", an offset ("+02:00", "-0530", "+2") or an IANA name ("Europe/Berlin")
 * found in the system's zone database. Returns 0, -EINVAL for a malformed spec, -ENOENT for
 * an unknown zone, -ENOMEM. */
int tz_new(const char *spec, Tz **ret);
Tz *tz_free(Tz *tz);
/* The spec as given ("UTC" for the default). */
const char *tz_name(const Tz *tz);
/* Converts a local civil time to UTC ticks. A time that the zone skips or repeats (daylight
 * saving changes) is resolved as the C library does. Sets the process's TZ variable while it
 * works on an IANA zone; evdiag converts on one thread only. Returns 0 or -EINVAL. */
int tz_local_to_ticks(Tz *tz, const CivilTime *c, int64_t *ret_ticks);
/* Seconds east of UTC that tz (NULL: UTC) is at the instant ticks, daylight saving included.
 * Returns 0, -EINVAL for an instant the C library cannot convert, or -errno. */
int tz_offset_at(Tz *tz, int64_t ticks, int64_t *ret_secs);

#include "alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Tz *, tz_free);
