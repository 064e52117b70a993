/* SPDX-License-Identifier: MIT */
#pragma once

/* SHA-256 (FIPS 180-4), streaming. Identifies input files, so that one imported twice adds
 * nothing. Uses the x86 SHA extensions when the CPU has them. */

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

typedef struct Sha256 {
        uint32_t h[8];
        uint64_t total;         /* bytes fed so far */
        uint8_t block[64];
        size_t used;            /* bytes waiting in block */
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
void sha256_final(Sha256 *s, uint8_t out[static SHA256_DIGEST_SIZE]);

/* Writes the 64 lowercase hex digits of a digest and a NUL to hex. */
void sha256_hex(const uint8_t digest[static SHA256_DIGEST_SIZE], char hex[static 65]);
