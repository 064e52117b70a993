/* SPDX-License-Identifier: MIT */
#pragma once

/* JSON text, written by hand: strings escaped so that any input stays one valid string. */

#include "strbuf.h"

/* Appends s as a JSON string with its quotes (NULL as null). Control characters become \uXXXX
 * escapes; s is expected to be valid UTF-8, which every parser guarantees. Returns 0 or -ENOMEM. */
int json_append_string(StrBuf *out, const char *s);

/* Reads evdiag's own JSON for event values: an array of [name, value] pairs, name a string or
 * null, value a string. Calls fn for each pair in order, with decoded UTF-8 strings valid
 * during the call (name NULL for null). Stops at fn's first non-zero return and returns it.
 * Returns 0 at the end, -EBADMSG when json is not of that shape (pairs before the fault were
 * handed over), -ENOMEM. A NULL json holds no pairs. */
typedef int (*JsonPairFn)(void *userdata, const char *name, const char *value);
int json_pairs_foreach(const char *json, JsonPairFn fn, void *userdata);

/* The value of the first pair whose name equals name, ignoring ASCII case, as a new string;
 * NULL when there is none, when json is malformed, or when out of memory. */
char *json_pairs_get(const char *json, const char *name);
