/* SPDX-License-Identifier: MIT */
#pragma once

/* The error sink. Library code never prints: it records what went wrong with one input here,
 * with the line or byte offset it concerns, and the caller decides how to show it. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define DIAG_NO_LINE   UINT64_C(0)
#define DIAG_NO_OFFSET UINT64_MAX

typedef enum DiagLevel {
        DIAG_WARNING,
        DIAG_ERROR,
} DiagLevel;

typedef struct DiagEntry {
        DiagLevel level;
        uint64_t line;          /* 1-based; DIAG_NO_LINE when the place is a byte offset or none */
        uint64_t offset;        /* byte offset; DIAG_NO_OFFSET when unknown */
        char *message;
} DiagEntry;

typedef struct Diag Diag;

/* Returns a new sink for messages about path (copied), or NULL when out of memory. */
Diag *diag_new(const char *path);
Diag *diag_free(Diag *d);

/* Records a message. Keeps the first EVDIAG_MAX_WARNINGS_KEPT entries and counts the rest.
 * Never fails visibly: when out of memory the message is only counted. */
void diag_add(Diag *d, DiagLevel level, uint64_t line, uint64_t offset, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
void diag_addv(Diag *d, DiagLevel level, uint64_t line, uint64_t offset, const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));

#define diag_warn_line(d, line, ...)   diag_add((d), DIAG_WARNING, (line), DIAG_NO_OFFSET, __VA_ARGS__)
#define diag_warn_offset(d, off, ...)  diag_add((d), DIAG_WARNING, DIAG_NO_LINE, (off), __VA_ARGS__)
#define diag_error_line(d, line, ...)  diag_add((d), DIAG_ERROR, (line), DIAG_NO_OFFSET, __VA_ARGS__)

const char *diag_path(const Diag *d);
/* Entries kept, in the order they were added; the pointer is valid until the next diag_add(). */
const DiagEntry *diag_entries(const Diag *d, size_t *ret_n);
/* Every message added, kept or not; and of those, the errors. */
uint64_t diag_count(const Diag *d);
uint64_t diag_errors(const Diag *d);

/* Formats one entry as "path:line: message", "path: offset 0x1f000: message" or
 * "path: message". Returns a string the caller frees, or NULL when out of memory. */
char *diag_entry_format(const Diag *d, const DiagEntry *e);

#include "alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Diag *, diag_free);
