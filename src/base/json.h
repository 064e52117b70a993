/* SPDX-License-Identifier: MIT */
#pragma once

/* JSON text, written by hand: strings escaped so that any input stays one valid string. */

#include "strbuf.h"

/* Appends s as a JSON string with its quotes (NULL as null). Control characters become \uXXXX
 * escapes; s is expected to be valid UTF-8, which every parser guarantees. Returns 0 or -ENOMEM. */
int json_append_string(StrBuf *out, const char *s);
