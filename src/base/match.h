/* SPDX-License-Identifier: MIT */
#pragma once

/* The comparisons rules make on event text and artifact values. All ignore ASCII case. */

#include <stdbool.h>
#include <stddef.h>

typedef enum MatchOp {
        MATCH_EQUALS,           /* the whole value */
        MATCH_PREFIX,
        MATCH_SUFFIX,
        MATCH_PATH_SUFFIX,      /* a file name: the value is it, or ends with "\" or "/" and it */
        MATCH_CONTAINS,
        MATCH_REGEX,            /* POSIX extended regular expression, anywhere in the value */
        MATCH_ENDPOINT,         /* the same HTTP.sys endpoint once both are normalised */
        _MATCH_OP_MAX,
} MatchOp;

/* "equals", "prefix", "suffix", "path-suffix", "contains", "regex", "endpoint". Returns 0 or
 * -EINVAL. */
int match_op_from_string(const char *s, MatchOp *ret);
const char *match_op_to_string(MatchOp op);

typedef struct Matcher Matcher;

/* Compiles pattern for op. Returns 0; -EINVAL with *ret_error (a message the caller frees)
 * for a bad regular expression or one longer than EVDIAG_MAX_REGEX; -ENOMEM. */
int matcher_new(MatchOp op, const char *pattern, Matcher **ret, char **ret_error);
Matcher *matcher_free(Matcher *m);

/* Whether subject (NUL-terminated UTF-8) matches. */
bool matcher_test(const Matcher *m, const char *subject);

/* For a regex matcher: the text of capture group n (1-based) of the first match, as a new
 * string. Returns 1 with *ret set, 0 when there is no match or the group did not take part,
 * -ENOMEM. */
int matcher_capture(const Matcher *m, const char *subject, unsigned n, char **ret);

/* The value after "label:" on the first line of text that starts with label (leading blanks
 * and the blanks around the colon skipped), as a new string; NULL when no line has it or out of
 * memory. Reads "Field: value" lines of rendered messages. */
char *text_label_value(const char *text, const char *label);

#include "alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Matcher *, matcher_free);
