/* SPDX-License-Identifier: MIT */
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct InStream {
        int fd;                         /* -1 for a memory stream */
        const uint8_t *mem;
        uint64_t size, pos;
        Sha256 sha;
        uint64_t hashed;                /* bytes [0, hashed) have gone into sha */
};

static InStream *instream_alloc(void) {
        InStream *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        s->fd = -1;
        sha256_init(&s->sha);
        return s;
}

int instream_open(const char *path, InStream **ret) {
        _cleanup_(instream_freep) InStream *s = NULL;
        struct stat st;

        s = instream_alloc();
        if (!s)
                return -ENOMEM;
        s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (s->fd < 0)
                return -errno;
        if (fstat(s->fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        /* O_NONBLOCK only kept open() from hanging on a FIFO; regular files ignore it. */
        s->size = (uint64_t) st.st_size;
        posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        *ret = TAKE_PTR(s);
        return 0;
}

int instream_new_memory(const void *data, size_t size, InStream **ret) {
        InStream *s = instream_alloc();

        if (!s)
                return -ENOMEM;
        s->mem = data;
        s->size = size;
        *ret = s;
        return 0;
}

InStream *instream_free(InStream *s) {
        if (!s)
                return NULL;
        if (s->fd >= 0)
                close(s->fd);
        free(s);
        return NULL;
}

static void feed_hash(InStream *s, const uint8_t *p, size_t n) {
        uint64_t start = s->pos, end = s->pos + n;

        /* Only bytes past what was already hashed, and only while reading contiguously. */
        if (end <= s->hashed || start > s->hashed)
                return;
        sha256_update(&s->sha, p + (s->hashed - start), (size_t) (end - s->hashed));
        s->hashed = end;
}

ssize_t instream_read(InStream *s, void *buf, size_t n) {
        ssize_t k;

        if (s->fd < 0) {
                uint64_t left = s->size - s->pos;

                k = (ssize_t) (n < left ? n : left);
                if (k > 0)      /* an empty stream may have no buffer at all */
                        memcpy(buf, s->mem + s->pos, (size_t) k);
        } else {
                do
                        k = read(s->fd, buf, n);
                while (k < 0 && errno == EINTR);
                if (k < 0)
                        return -errno;
        }
        feed_hash(s, buf, (size_t) k);
        s->pos += (uint64_t) k;
        return k;
}

int instream_rewind(InStream *s) {
        if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) < 0)
                return -errno;
        s->pos = 0;
        return 0;
}

uint64_t instream_position(const InStream *s) {
        return s->pos;
}

uint64_t instream_size(const InStream *s) {
        return s->size;
}

int instream_sha256_hex(InStream *s, char hex[static 65]) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        Sha256 copy;

        if (s->pos > s->hashed) {
                /* A gap: restart from the first byte not hashed yet. */
                if (s->fd >= 0 && lseek(s->fd, (off_t) s->hashed, SEEK_SET) < 0)
                        return -errno;
                s->pos = s->hashed;
        }
        for (;;) {
                uint8_t buf[64 * 1024];
                ssize_t k = instream_read(s, buf, sizeof(buf));

                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
        }
        copy = s->sha;
        sha256_final(&copy, digest);
        sha256_hex(digest, hex);
        return 0;
}
