/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* The module's own source, so that both block functions can be held against each other: the
 * public functions use the x86 SHA extensions whenever the CPU has them, and the portable code
 * would otherwise go untested on such machines. This file then defines the sha256_* symbols
 * itself, and the library's copy is not linked in. */
#include "base/sha256.c"

#include "base/stream.h"

/* Digests computed with Python's hashlib. */
static const char *const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char *const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *const MSG448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char *const MSG448_DIGEST = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char *const MSG896 =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
        "mnopqrstnopqrstu";
static const char *const MSG896_DIGEST = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
static const char *const MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
/* bytes (i * 7 + 3) & 0xff for i in 0..199 */
static const char *const D200 = "2c7e18c942ef065b526a2d4e5546283749cd3ddfb51d8fc71f42717363685f46";

static void hex_of(const void *data, size_t n, char hex[static 65]) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        Sha256 s;

        sha256_init(&s);
        sha256_update(&s, data, n);
        sha256_final(&s, digest);
        sha256_hex(digest, hex);
}

static void test_vectors(void **state) {
        char hex[65];

        hex_of("", 0, hex);
        assert_string_equal(hex, EMPTY);
        hex_of(NULL, 0, hex);
        assert_string_equal(hex, EMPTY);
        hex_of("abc", 3, hex);
        assert_string_equal(hex, ABC);
        hex_of(MSG448, strlen(MSG448), hex);
        assert_string_equal(hex, MSG448_DIGEST);
        hex_of(MSG896, strlen(MSG896), hex);
        assert_string_equal(hex, MSG896_DIGEST);
}

/* Lengths around the padding boundaries: bytes 0..n-1. */
static void test_padding_lengths(void **state) {
        static const struct {
                size_t n;
                const char *digest;
        } cases[] = {
                { 55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59" },
                { 56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562" },
                { 63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488" },
                { 64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108" },
                { 65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781" },
                { 119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6" },
                { 120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c" },
                { 127, "92ca0fa6651ee2f97b884b7246a562fa71250fedefe5ebf270d31c546bfea976" },
                { 128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5" },
        };
        uint8_t data[128];

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) i;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char hex[65];

                hex_of(data, cases[i].n, hex);
                assert_string_equal(hex, cases[i].digest);
        }
}

static void test_million_a(void **state) {
        static const size_t pieces[] = { 1, 7, 63, 64, 65, 127, 1000, 4097, 3 };
        uint8_t digest[SHA256_DIGEST_SIZE];
        char a[4097], hex[65];
        size_t left = 1000000;
        Sha256 s;

        memset(a, 'a', sizeof(a));
        sha256_init(&s);
        for (size_t i = 0; left > 0; i++) {
                size_t k = pieces[i % (sizeof(pieces) / sizeof(pieces[0]))];

                if (k > left)
                        k = left;
                sha256_update(&s, a, k);
                left -= k;
        }
        sha256_final(&s, digest);
        sha256_hex(digest, hex);
        assert_string_equal(hex, MILLION_A);
}

static void test_every_split(void **state) {
        uint8_t data[200];

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 7 + 3);

        for (size_t k = 0; k <= sizeof(data); k++)
                for (size_t j = k; j <= sizeof(data); j += 13) {
                        uint8_t digest[SHA256_DIGEST_SIZE];
                        char hex[65];
                        Sha256 s;

                        sha256_init(&s);
                        sha256_update(&s, data, k);
                        sha256_update(&s, data + k, j - k);
                        sha256_update(&s, NULL, 0);
                        sha256_update(&s, data + j, sizeof(data) - j);
                        assert_int_equal(s.total, sizeof(data));
                        sha256_final(&s, digest);
                        sha256_hex(digest, hex);
                        if (strcmp(hex, D200) != 0)
                                fail_msg("split at %zu and %zu: %s", k, j, hex);
                }
}

static void test_hex(void **state) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[66];

        for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++)
                digest[i] = (uint8_t) (i * 8 + 0x0F);
        memset(hex, 'X', sizeof(hex));
        sha256_hex(digest, hex);
        assert_string_equal(hex, "0f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff07");
        assert_int_equal(hex[65], 'X');
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The SHA-extension block function agrees with the portable one, one block or many at a time. */
static void test_block_functions_agree(void **state) {
        uint32_t a[8], b[8];
        uint8_t blocks[64 * 5];
        uint32_t x = 0x12345678;

        if (!cpu_has_sha()) {
                printf("this CPU has no SHA extensions, skipped\n");
                skip();
        }
        for (unsigned round = 0; round < 200; round++) {
                size_t nblocks = 1 + round % 5;

                for (size_t i = 0; i < sizeof(blocks); i++) {
                        x = x * 1103515245 + 12345;
                        blocks[i] = (uint8_t) (x >> 16);
                }
                for (unsigned i = 0; i < 8; i++) {
                        x = x * 1103515245 + 12345;
                        a[i] = b[i] = x;
                }
                compress_portable(a, blocks, nblocks);
                compress_shani(b, blocks, nblocks);
                assert_memory_equal(a, b, sizeof(a));
        }
}
#else
static void test_block_functions_agree(void **state) {
        printf("no SHA-extension code on this architecture, skipped\n");
        skip();
}
#endif

/* The portable block function alone, on the FIPS one-block message "abc". */
static void test_portable_abc(void **state) {
        uint32_t h[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };
        uint8_t block[64] = { 'a', 'b', 'c', 0x80 };
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[65];

        block[63] = 24;         /* length in bits, big-endian */
        compress_portable(h, block, 1);
        for (unsigned i = 0; i < 8; i++)
                put_be32(digest + 4 * i, h[i]);
        sha256_hex(digest, hex);
        assert_string_equal(hex, ABC);
}

/* InStream hashes what it reads, whatever the pattern of reads and rewinds. */
static void test_instream_hash(void **state) {
        uint8_t data[200];
        char hex[65];
        uint8_t buf[64];

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 7 + 3);

        /* nothing read yet */
        _cleanup_(instream_freep) InStream *m = NULL;
        assert_int_equal(instream_new_memory(data, sizeof(data), &m), 0);
        assert_int_equal(instream_size(m), 200);
        assert_int_equal(instream_sha256_hex(m, hex), 0);
        assert_string_equal(hex, D200);
        assert_int_equal(instream_position(m), 200);
        /* again: the same */
        assert_int_equal(instream_sha256_hex(m, hex), 0);
        assert_string_equal(hex, D200);

        /* part read, rewound, read again, then hashed */
        m = instream_free(m);
        assert_int_equal(instream_new_memory(data, sizeof(data), &m), 0);
        assert_int_equal(instream_read(m, buf, 50), 50);
        assert_int_equal(instream_rewind(m), 0);
        assert_int_equal(instream_position(m), 0);
        assert_int_equal(instream_read(m, buf, 30), 30);
        assert_memory_equal(buf, data, 30);
        assert_int_equal(instream_sha256_hex(m, hex), 0);
        assert_string_equal(hex, D200);

        /* empty memory, even without a buffer */
        m = instream_free(m);
        assert_int_equal(instream_new_memory(NULL, 0, &m), 0);
        assert_int_equal(instream_read(m, buf, sizeof(buf)), 0);
        assert_int_equal(instream_sha256_hex(m, hex), 0);
        assert_string_equal(hex, EMPTY);

        /* a file */
        char path[] = "/tmp/evdiag-test-sha256-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, sizeof(data)), (ssize_t) sizeof(data));
        close(fd);
        _cleanup_(instream_freep) InStream *f = NULL;
        assert_int_equal(instream_open(path, &f), 0);
        assert_int_equal(instream_size(f), 200);
        assert_int_equal(instream_read(f, buf, 10), 10);
        assert_int_equal(instream_sha256_hex(f, hex), 0);
        assert_string_equal(hex, D200);
        assert_int_equal(instream_rewind(f), 0);
        assert_int_equal(instream_read(f, buf, 64), 64);
        assert_memory_equal(buf, data, 64);
        unlink(path);

        /* what is not a regular file */
        InStream *bad = NULL;
        assert_int_equal(instream_open("/tmp", &bad), -EISDIR);
        assert_int_equal(instream_open("/dev/null", &bad), -EINVAL);
        assert_int_equal(instream_open("/nonexistent/evdiag", &bad), -ENOENT);
        assert_null(bad);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vectors),
                cmocka_unit_test(test_padding_lengths),
                cmocka_unit_test(test_million_a),
                cmocka_unit_test(test_every_split),
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_block_functions_agree),
                cmocka_unit_test(test_portable_abc),
                cmocka_unit_test(test_instream_hash),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
