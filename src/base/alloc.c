/* SPDX-License-Identifier: MIT */
#include "alloc.h"

#include <errno.h>
#include <string.h>

int array_grow(void **array, size_t *allocated, size_t need, size_t elem) {
        size_t n, bytes;
        void *p;

        if (need <= *allocated)
                return 0;
        n = *allocated ? *allocated : 8;
        while (n < need) {
                if (n > SIZE_MAX / 2)
                        return -ENOMEM;
                n *= 2;
        }
        if (!size_mul(n, elem, &bytes))
                return -ENOMEM;
        p = realloc(*array, bytes);
        if (!p)
                return -ENOMEM;
        *array = p;
        *allocated = n;
        return 0;
}

char *strndup_view(const char *s, size_t len) {
        char *r;

        if (len == SIZE_MAX)
                return NULL;
        r = malloc(len + 1);
        if (!r)
                return NULL;
        if (len)
                memcpy(r, s, len);
        r[len] = 0;
        return r;
}

char **strv_free(char **v) {
        if (!v)
                return NULL;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
        return NULL;
}
