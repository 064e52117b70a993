/* SPDX-License-Identifier: MIT */
#pragma once

/* Ownership helpers: scope-bound cleanup and visible hand-over of pointers. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) {
        free(*(void **) p);
        *(void **) p = NULL;
}
#define _cleanup_free_ _cleanup_(freep)

/* Defines a cleanup helper for a destructor that accepts NULL and returns NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type *p) {                   \
                if (*p)                                         \
                        *p = func(*p);                          \
        }

/* Hands ownership of *p to the caller and leaves NULL behind. */
#define TAKE_PTR(p)                                     \
        ({                                              \
                __typeof__(p) _taken_ = (p);            \
                (p) = NULL;                             \
                _taken_;                                \
        })

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Returns a * b in *ret, or false when the product overflows size_t. */
static inline int size_mul(size_t a, size_t b, size_t *ret) {
        return !__builtin_mul_overflow(a, b, ret);
}

/* Grows *array so that it holds at least need elements of size elem; *allocated counts
 * elements. Returns 0, or -ENOMEM (the array is left as it was). */
int array_grow(void **array, size_t *allocated, size_t need, size_t elem);

#define ARRAY_GROW(array, allocated, need) \
        array_grow((void **) &(array), &(allocated), (need), sizeof((array)[0]))

/* strdup() of a (ptr, len) view that may hold no terminator; NULL when out of memory. */
char *strndup_view(const char *s, size_t len);

/* Frees a NULL-terminated array of strings and the array; returns NULL. */
char **strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)
