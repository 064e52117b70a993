/* SPDX-License-Identifier: MIT */
#pragma once

/* What the importer's line-based parsers share: blanks, hostile text quoted in a warning, the
 * invisible marks Windows puts into text it prints; and, for the exports that print local
 * times (text and CSV), level names, event ids and the day/month order of their dates. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/datetime.h"

typedef struct Diag Diag;

/* The blanks of a line: space and TAB. */
static inline bool is_hspace(char c) {
        return c == ' ' || c == '\t';
}
/* Whether the n bytes at s are all blanks (true for none). */
bool is_blank(const char *s, size_t n);
/* Narrows the view (*s, *n) to leave out the blanks at both ends. */
void trim_hspace(const char **s, size_t *n);

/* How many bytes of the NUL-terminated s a warning quotes with "%.*s": at most 60, never
 * cutting a UTF-8 sequence. */
int quote_len(const char *s);

#define EXCERPT_SIZE 48
/* A short, printable piece of the n bytes of hostile text at s for a message: at most 40 bytes,
 * cut at a character boundary and then marked with "…", control characters and invalid bytes
 * shown as '?'. Written to buf, which is returned. */
const char *excerpt(const char *s, size_t n, char buf[static EXCERPT_SIZE]);

/* Windows puts U+200E/U+200F (direction marks) between the parts of the dates it prints in some
 * locales ("\u200e3/\u200e31/\u200e2010") and in front of thumbprints copied from certificate
 * dialogs; they mean nothing to a parser. Returns the length of the one at the start of the n
 * bytes at s (3), or 0. */
size_t direction_mark_len(const char *s, size_t n);
/* Drops them from the NUL-terminated s of length n, in place; returns the new length. */
size_t drop_direction_marks(char *s, size_t n);

/* The level of an event from its name in an export ("Warning", German "Warnung"; any ASCII
 * case), or EVENT_NO_VALUE for NULL and unknown names. */
int64_t level_from_name(const char *s);

/* Reads an event id as Windows shows it: a decimal from 0 to 65535. Returns 0, or -EBADMSG. */
int event_id_parse(const char *s, int64_t *ret);

/* Slashed dates ("12/01/2021") are read day first or month first as the whole file says. In a
 * first pass each date votes with date_vote_add() (only those that can be read one way only
 * count); date_vote_decide() then settles the order, and the second pass reads every date with
 * date_vote_read(). Zero-initialise. */
typedef struct DateVote {
        uint64_t dmy, mdy;                      /* votes */
        uint64_t first_dmy_line, first_mdy_line;
        DateOrder order;                        /* for dates that do not tell their own */
} DateVote;

void date_vote_add(DateVote *v, const char *date, uint64_t line);
/* Settles the order by majority. When dates voted both ways, warns once in diag, on the line
 * of the first date that lost (or of the first month-first date in a tie). */
void date_vote_decide(DateVote *v, Diag *diag);
/* Reads the local date in its own order when it tells one, else in the order decided, and
 * converts it to UTC ticks with tz (NULL: UTC). Returns 0 with *ret_time and *ret_ticks set,
 * or -EBADMSG when it is not a date (or not one in tz). */
int date_vote_read(const DateVote *v, const char *date, Tz *tz, CivilTime *ret_time, int64_t *ret_ticks);
