/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include <string.h>

#include "bytes.h"

static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned n) {
        return x >> n | x << (32 - n);
}

static void compress_portable(uint32_t h[8], const uint8_t *p, size_t blocks) {
        for (; blocks > 0; blocks--, p += 64) {
                uint32_t w[64], a, b, c, d, e, f, g, k;

                for (unsigned i = 0; i < 16; i++)
                        w[i] = be32(p + 4 * i);
                for (unsigned i = 16; i < 64; i++) {
                        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
                        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
                        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
                }
                a = h[0]; b = h[1]; c = h[2]; d = h[3];
                e = h[4]; f = h[5]; g = h[6]; k = h[7];
                for (unsigned i = 0; i < 64; i++) {
                        uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
                        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                        k = g; g = f; f = e; e = d + t1;
                        d = c; c = b; b = a; a = t1 + t2;
                }
                h[0] += a; h[1] += b; h[2] += c; h[3] += d;
                h[4] += e; h[5] += f; h[6] += g; h[7] += k;
        }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/* The SHA extensions keep the state as two registers, ABEF and CDGH, and take the message
 * schedule four words at a time; each sha256rnds2 does two rounds. */
__attribute__((target("sha,sse4.1")))
static void compress_shani(uint32_t h[8], const uint8_t *p, size_t blocks) {
        const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
        __m128i t, abef, cdgh;

        t = _mm_loadu_si128((const __m128i *) &h[0]);          /* D C B A */
        cdgh = _mm_loadu_si128((const __m128i *) &h[4]);       /* H G F E */
        t = _mm_shuffle_epi32(t, 0xB1);                         /* C D A B */
        cdgh = _mm_shuffle_epi32(cdgh, 0x1B);                   /* E F G H */
        abef = _mm_alignr_epi8(t, cdgh, 8);                     /* A B E F */
        cdgh = _mm_blend_epi16(cdgh, t, 0xF0);                  /* C D G H */

        for (; blocks > 0; blocks--, p += 64) {
                __m128i save_abef = abef, save_cdgh = cdgh, m[4], k;

                for (unsigned i = 0; i < 4; i++)
                        m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16 * i)), bswap);

                for (unsigned i = 0; i < 16; i++) {
                        __m128i *cur = &m[i & 3];

                        if (i >= 4) {
                                /* w[i..i+3] from the four previous groups */
                                __m128i prev1 = m[(i - 1) & 3];
                                __m128i sum = _mm_add_epi32(_mm_sha256msg1_epu32(*cur, m[(i - 3) & 3]),
                                                            _mm_alignr_epi8(prev1, m[(i - 2) & 3], 4));
                                *cur = _mm_sha256msg2_epu32(sum, prev1);
                        }
                        k = _mm_add_epi32(*cur, _mm_loadu_si128((const __m128i *) &K[4 * i]));
                        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
                        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
                }
                abef = _mm_add_epi32(abef, save_abef);
                cdgh = _mm_add_epi32(cdgh, save_cdgh);
        }

        t = _mm_shuffle_epi32(abef, 0x1B);                      /* F E B A */
        cdgh = _mm_shuffle_epi32(cdgh, 0xB1);                   /* D C H G */
        abef = _mm_blend_epi16(t, cdgh, 0xF0);                  /* D C B A */
        cdgh = _mm_alignr_epi8(cdgh, t, 8);                     /* H G F E */
        _mm_storeu_si128((__m128i *) &h[0], abef);
        _mm_storeu_si128((__m128i *) &h[4], cdgh);
}

/* Asks CPUID itself: clang before 16 does not know "sha" in __builtin_cpu_supports(). */
static int cpu_has_sha(void) {
        unsigned a, b, c, d;

        if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1))
                return 0;
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
                return 0;
        return !!(b & bit_SHA);
}

static void compress(uint32_t h[8], const uint8_t *p, size_t blocks) {
        static int have_sha = -1;

        if (have_sha < 0)
                have_sha = cpu_has_sha();
        if (have_sha)
                compress_shani(h, p, blocks);
        else
                compress_portable(h, p, blocks);
}
#else
static void compress(uint32_t h[8], const uint8_t *p, size_t blocks) {
        compress_portable(h, p, blocks);
}
#endif

void sha256_init(Sha256 *s) {
        static const uint32_t iv[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };

        memcpy(s->h, iv, sizeof(iv));
        s->total = 0;
        s->used = 0;
}

void sha256_update(Sha256 *s, const void *data, size_t n) {
        const uint8_t *p = data;

        /* memcpy() from NULL is undefined even for 0 bytes, and (NULL, 0) is an empty input. */
        if (n == 0)
                return;
        s->total += n;
        if (s->used > 0) {
                size_t take = 64 - s->used < n ? 64 - s->used : n;

                memcpy(s->block + s->used, p, take);
                s->used += take;
                p += take;
                n -= take;
                if (s->used < 64)
                        return;
                compress(s->h, s->block, 1);
                s->used = 0;
        }
        if (n >= 64) {
                compress(s->h, p, n / 64);
                p += n / 64 * 64;
                n %= 64;
        }
        memcpy(s->block, p, n);
        s->used = n;
}

void sha256_final(Sha256 *s, uint8_t out[static SHA256_DIGEST_SIZE]) {
        uint64_t bits = s->total * 8;
        uint8_t len[8];

        s->block[s->used++] = 0x80;
        if (s->used > 56) {
                memset(s->block + s->used, 0, 64 - s->used);
                compress(s->h, s->block, 1);
                s->used = 0;
        }
        memset(s->block + s->used, 0, 56 - s->used);
        for (unsigned i = 0; i < 8; i++)
                len[i] = (uint8_t) (bits >> (56 - 8 * i));
        memcpy(s->block + 56, len, 8);
        compress(s->h, s->block, 1);
        for (unsigned i = 0; i < 8; i++)
                put_be32(out + 4 * i, s->h[i]);
}

void sha256_hex(const uint8_t digest[static SHA256_DIGEST_SIZE], char hex[static 65]) {
        static const char digits[] = "0123456789abcdef";

        for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++) {
                hex[2 * i] = digits[digest[i] >> 4];
                hex[2 * i + 1] = digits[digest[i] & 15];
        }
        hex[64] = 0;
}
