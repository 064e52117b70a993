/* SPDX-License-Identifier: MIT */
#include "hostname.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "utf.h"

static bool all_digits_and_dots(const char *s, size_t n) {
        bool digit = false;

        for (size_t i = 0; i < n; i++) {
                if (s[i] >= '0' && s[i] <= '9')
                        digit = true;
                else if (s[i] != '.')
                        return false;
        }
        return digit;
}

char *hostname_key(const char *name, size_t n) {
        const char *dot;
        char *k;

        while (n > 0 && (*name == ' ' || *name == '\t'))
                name++, n--;
        while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
                n--;
        /* An IP address names the host whole: its first "label" is no name. */
        dot = all_digits_and_dots(name, n) ? NULL : memchr(name, '.', n);
        if (dot)
                n = (size_t) (dot - name);
        while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
                n--;
        if (n == 0)
                return NULL;
        k = strndup_view(name, n);
        if (!k)
                return NULL;
        for (char *p = k; *p; p++)
                *p = ascii_tolower(*p);
        return k;
}

bool hostname_equal(const char *a, const char *b) {
        _cleanup_free_ char *ka = NULL, *kb = NULL;

        if (!a || !b)
                return false;
        ka = hostname_key(a, strlen(a));
        kb = hostname_key(b, strlen(b));
        return ka && kb && strcmp(ka, kb) == 0;
}
