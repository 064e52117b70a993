/* SPDX-License-Identifier: MIT */
#pragma once

/* What the parser tests share: reading their files, running a parser over bytes in memory, and
 * looking into the Diag it filled. For tests only: what goes wrong fails the test (cmocka). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/stream.h"
#include "collect-sink.h"
#include "importer/sink.h"

/* The signature every parser has (apphost_parse(), xml_export_parse(), ...). */
typedef int (*ParseFunc)(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);

/* For find_diag() and has_warning(): entries on any line. (DIAG_NO_LINE means entries that
 * have no line.) */
#define ANY_LINE UINT64_MAX

/* The whole file at path, NUL-terminated after its size bytes; the caller frees it. NULL when
 * it cannot be opened. */
char *read_file(const char *path, size_t *ret_size);
/* The same for name under tests/data ("netsh/sslcert.txt"); the file must exist. */
char *read_data(const char *name, size_t *ret_size);

/* Runs parse over the size bytes at data (a memory InStream) with opts (may be NULL), into c,
 * which the caller initialised, and d. Returns what parse returns. */
int parse_into(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts, CollectSink *c,
               Diag *d);
/* The same with c initialised here and a new Diag in *ret_diag; the caller frees both. */
int parse_memory(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts, CollectSink *c,
                 Diag **ret_diag);
/* parse_memory() into a sink that refuses its fail_after-th row, and every row after it, with
 * -EIO (see collect-sink.h); the Diag is dropped. Returns what parse returns; the caller frees c. */
int parse_failing(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts, int fail_after,
                  CollectSink *c);
/* parse_memory() of the n bytes at data, which must succeed without a single message, and give
 * what check() looks for. */
void parse_and_check(ParseFunc parse, const void *data, size_t size, const ParseOptions *opts,
                     void (*check)(const CollectSink *c));
/* parse_memory() of name under the shared corpus ("iis/..."), which must parse without error.
 * Returns 0, or 1 after a message when the file is absent (then the caller skips, and has
 * nothing to free). */
int parse_corpus(ParseFunc parse, const char *name, CollectSink *c, Diag **ret_diag);

/* A copy of size bytes in an allocation of exactly that size, so that a parser reading past
 * the end trips the sanitizer; the caller frees it. */
void *memdup_exact(const void *data, size_t size);
/* The n bytes at s with every LF made CRLF, NUL-terminated; the caller frees it. */
char *to_crlf(const char *s, size_t n, size_t *ret_n);
/* The n bytes of UTF-8 at s (code points up to U+FFFF) as UTF-16 with a BOM, little or big
 * endian; the caller frees it. */
uint8_t *to_utf16(const char *s, size_t n, bool big_endian, size_t *ret_n);

/* The first entry on line (or ANY_LINE) whose message contains what, or NULL. */
const DiagEntry *find_diag(Diag *d, uint64_t line, const char *what);
/* Whether there is such an entry. */
bool has_warning(Diag *d, uint64_t line, const char *what);
/* Prints every entry, for a test that fails to show why. */
void dump_diag(Diag *d);

/* ticks as ticks_format_iso() writes them, in a buffer that the next call reuses. */
const char *iso(int64_t ticks, int digits);
