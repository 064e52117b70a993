/* SPDX-License-Identifier: MIT */
#pragma once

/* CRC-32 as in RFC 1952 (gzip, zlib, Ethernet): reflected polynomial 0xEDB88320, register
 * preset to all ones and inverted at the end. The .evtx format checksums its file header, chunk
 * headers and record data with it. */

#include <stddef.h>
#include <stdint.h>

/* Continues crc (0 to start) over n bytes at data and returns the new value, so that
 * crc32_update(crc32_update(0, a, n), b, m) equals the CRC of a followed by b. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t n);

/* The same without the CPU's carry-less multiplication, which crc32_update() uses when it can:
 * for tests, which hold both against each other. */
uint32_t crc32_update_portable(uint32_t crc, const void *data, size_t n);
