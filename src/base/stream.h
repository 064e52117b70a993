/* SPDX-License-Identifier: MIT */
#pragma once

/* Input streams: a file read sequentially (memory stays flat whatever its size) or a buffer in
 * memory (tests, fuzzing). Every byte read the first time through also feeds a SHA-256, which
 * names the file's contents so that importing it twice adds nothing. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sha256.h"

typedef struct InStream InStream;

/* Opens a regular file for reading; never writes to it. Returns 0, -errno from open/fstat, or
 * -EISDIR / -EINVAL when path is not a regular file. */
int instream_open(const char *path, InStream **ret);
/* A stream over memory the caller keeps alive for the stream's lifetime. */
int instream_new_memory(const void *data, size_t size, InStream **ret);
InStream *instream_free(InStream *s);

/* Reads up to n bytes. Returns the count (0 at the end) or -errno. */
ssize_t instream_read(InStream *s, void *buf, size_t n);
/* Goes back to the first byte. Returns 0 or -errno. */
int instream_rewind(InStream *s);
/* Bytes read since the start or the last rewind. */
uint64_t instream_position(const InStream *s);
/* The size the file had when it was opened. */
uint64_t instream_size(const InStream *s);
/* Reads whatever has not been hashed yet, then writes the SHA-256 of the whole stream as hex.
 * Leaves the stream at its end. Returns 0 or -errno. */
int instream_sha256_hex(InStream *s, char hex[static 65]);

#include "alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(InStream *, instream_free);
