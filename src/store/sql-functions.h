/* SPDX-License-Identifier: MIT */
#pragma once

/* SQL functions that compiled rules call, so that matching happens inside the query on the
 * rows the indexes select:
 *   evd_match(op, subject, pattern)  1 when subject matches (ops of base/match.h), else 0
 *   evd_capture(subject, regex, n)   capture group n of the first match, or NULL
 *   evd_label(text, label)           the value after "label:" on a line of text, or NULL
 *   evd_utf16(blob)                  a UTF-16LE blob up to its first NUL, as text
 *   evd_field(data, name)            the value named name (ASCII case ignored) in an event's
 *                                    data column, or NULL
 *   evd_endpoint(text)               text as a normalised endpoint if it is one, else the
 *                                    endpoint a message names, else NULL
 */

typedef struct sqlite3 sqlite3;

/* Returns 0, or -EIO when SQLite refuses a registration. */
int sql_functions_register(sqlite3 *db);
