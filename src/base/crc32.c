/* SPDX-License-Identifier: MIT */
/* CRC-32 two ways, chosen at run time:
 *   - table-driven, eight bytes per step ("slicing by 8"): table[k][b] is the CRC of byte b
 *     followed by k zero bytes, so eight lookups fold eight input bytes at once; the tables are
 *     built once, before main(), from the polynomial;
 *   - on x86-64 CPUs with carry-less multiplication (PCLMULQDQ), by folding: 64 bytes at a time
 *     are multiplied by x^k mod P for the right k and added to the next 64, then what remains is
 *     reduced to 32 bits with Barrett's method (Gopal et al., "Fast CRC Computation for Generic
 *     Polynomials Using PCLMULQDQ Instruction", Intel, 2009). About ten times faster; chunks of
 *     .evtx files are checksummed whole, 64 KiB each. */

#include "crc32.h"

#include <stdbool.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_CLMUL 1
#endif

#define CRC32_POLY 0xEDB88320u

static uint32_t crc_table[8][256];

__attribute__((constructor)) static void crc32_build_tables(void) {
        for (uint32_t b = 0; b < 256; b++) {
                uint32_t c = b;

                for (int i = 0; i < 8; i++)
                        c = c & 1 ? (c >> 1) ^ CRC32_POLY : c >> 1;
                crc_table[0][b] = c;
        }
        for (uint32_t b = 0; b < 256; b++)
                for (int k = 1; k < 8; k++)
                        crc_table[k][b] = (crc_table[k - 1][b] >> 8) ^ crc_table[0][crc_table[k - 1][b] & 0xFF];
}

static inline uint32_t load_le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint32_t crc32_table(uint32_t c, const uint8_t *p, size_t n) {

        while (n >= 8) {
                uint32_t lo = c ^ load_le32(p), hi = load_le32(p + 4);

                c = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^
                    crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24] ^
                    crc_table[3][hi & 0xFF] ^ crc_table[2][(hi >> 8) & 0xFF] ^
                    crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
                p += 8;
                n -= 8;
        }
        while (n-- > 0)
                c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xFF];
        return c;
}

#ifdef HAVE_CLMUL
/* The folding constants of the reflected polynomial: x^k mod P for the distances folded over
 * (512 + 32 and 512 - 32 bits, 128 + 32 and 128 - 32 bits, 64 bits), then P and the Barrett
 * constant floor(x^64 / P). */
#define K1 0x154442bd4ull
#define K2 0x1c6e41596ull
#define K3 0x1751997d0ull
#define K4 0x0ccaa009eull
#define K5 0x163cd6124ull
#define POLY 0x1db710641ull
#define MU 0x1f7011641ull

__attribute__((target("pclmul,sse4.1"))) static inline __m128i fold(__m128i x, __m128i k, __m128i next) {
        return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)),
                             next);
}

/* c is the running register (already inverted); n >= 64 and a multiple of 16. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc32_clmul(uint32_t c, const uint8_t *p, size_t n) {
        const __m128i k12 = _mm_set_epi64x((long long) K2, (long long) K1);
        const __m128i k34 = _mm_set_epi64x((long long) K4, (long long) K3);
        const __m128i k5 = _mm_set_epi64x(0, (long long) K5);
        const __m128i pmu = _mm_set_epi64x((long long) MU, (long long) POLY);
        const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
        __m128i x1, x2, x3, x4, x, t;

        x1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *) p), _mm_cvtsi32_si128((int) c));
        x2 = _mm_loadu_si128((const __m128i *) (p + 16));
        x3 = _mm_loadu_si128((const __m128i *) (p + 32));
        x4 = _mm_loadu_si128((const __m128i *) (p + 48));
        p += 64;
        n -= 64;
        while (n >= 64) {
                x1 = fold(x1, k12, _mm_loadu_si128((const __m128i *) p));
                x2 = fold(x2, k12, _mm_loadu_si128((const __m128i *) (p + 16)));
                x3 = fold(x3, k12, _mm_loadu_si128((const __m128i *) (p + 32)));
                x4 = fold(x4, k12, _mm_loadu_si128((const __m128i *) (p + 48)));
                p += 64;
                n -= 64;
        }
        x = fold(fold(fold(x1, k34, x2), k34, x3), k34, x4);
        while (n >= 16) {
                x = fold(x, k34, _mm_loadu_si128((const __m128i *) p));
                p += 16;
                n -= 16;
        }
        /* 128 bits to 64, then to 32 */
        t = _mm_clmulepi64_si128(x, k34, 0x10);
        x = _mm_xor_si128(_mm_srli_si128(x, 8), t);
        t = _mm_srli_si128(x, 4);
        x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, mask32), k5, 0x00), t);
        /* Barrett reduction */
        t = _mm_and_si128(x, mask32);
        t = _mm_clmulepi64_si128(t, pmu, 0x10);
        t = _mm_and_si128(t, mask32);
        t = _mm_clmulepi64_si128(t, pmu, 0x00);
        x = _mm_xor_si128(x, t);
        return (uint32_t) _mm_extract_epi32(x, 1);
}

static bool have_clmul;

__attribute__((constructor)) static void crc32_detect(void) {
        __builtin_cpu_init();
        have_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}
#endif

uint32_t crc32_update(uint32_t crc, const void *data, size_t n) {
        const uint8_t *p = data;
        uint32_t c = ~crc;

#ifdef HAVE_CLMUL
        if (have_clmul && n >= 64) {
                size_t k = n & ~(size_t) 15;

                c = crc32_clmul(c, p, k);
                p += k;
                n -= k;
        }
#endif
        return ~crc32_table(c, p, n);
}

uint32_t crc32_update_portable(uint32_t crc, const void *data, size_t n) {
        return ~crc32_table(~crc, data, n);
}
