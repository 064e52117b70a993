/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

struct Diag {
        char *path;
        DiagEntry *entries;
        size_t n_entries, allocated;
        uint64_t count, errors;
};

Diag *diag_new(const char *path) {
        Diag *d = calloc(1, sizeof(*d));

        if (!d)
                return NULL;
        d->path = strdup(path ? path : "");
        if (!d->path)
                return diag_free(d);
        return d;
}

Diag *diag_free(Diag *d) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_entries; i++)
                free(d->entries[i].message);
        free(d->entries);
        free(d->path);
        free(d);
        return NULL;
}

void diag_addv(Diag *d, DiagLevel level, uint64_t line, uint64_t offset, const char *fmt, va_list ap) {
        char *msg = NULL;

        if (!d)
                return;
        d->count++;
        if (level == DIAG_ERROR)
                d->errors++;
        if (d->n_entries >= EVDIAG_MAX_WARNINGS_KEPT)
                return;
        if (vasprintf(&msg, fmt, ap) < 0)
                return;
        if (ARRAY_GROW(d->entries, d->allocated, d->n_entries + 1) < 0) {
                free(msg);
                return;
        }
        d->entries[d->n_entries++] = (DiagEntry) {
                .level = level,
                .line = line,
                .offset = offset,
                .message = msg,
        };
}

void diag_add(Diag *d, DiagLevel level, uint64_t line, uint64_t offset, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        diag_addv(d, level, line, offset, fmt, ap);
        va_end(ap);
}

const char *diag_path(const Diag *d) {
        return d->path;
}

const DiagEntry *diag_entries(const Diag *d, size_t *ret_n) {
        *ret_n = d->n_entries;
        return d->entries;
}

uint64_t diag_count(const Diag *d) {
        return d->count;
}

uint64_t diag_errors(const Diag *d) {
        return d->errors;
}

char *diag_entry_format(const Diag *d, const DiagEntry *e) {
        char *s = NULL;
        int r;

        if (e->line != DIAG_NO_LINE)
                r = asprintf(&s, "%s:%llu: %s", d->path, (unsigned long long) e->line, e->message);
        else if (e->offset != DIAG_NO_OFFSET)
                r = asprintf(&s, "%s: offset 0x%llx: %s", d->path, (unsigned long long) e->offset, e->message);
        else
                r = asprintf(&s, "%s: %s", d->path, e->message);
        return r < 0 ? NULL : s;
}
