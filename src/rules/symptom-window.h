/* SPDX-License-Identifier: MIT */
#pragma once

/* The timeline of a symptom: the events of its host in a window around it, with the role each
 * plays in the finding (the symptom, evidence of a fact, or another event nearby). */

#include <stddef.h>
#include <stdint.h>

typedef struct ReportSymptom ReportSymptom;
typedef struct Store Store;

/* An event the finding names: it is always kept, with this role and summary. */
typedef struct WindowMark {
        int64_t row;            /* events.id */
        int64_t time;           /* ticks, UTC */
        const char *role;       /* "launch", "aftermath", … */
        const char *summary;    /* NULL: the event's own summary */
} WindowMark;

/* Fills sym's window and timeline: the events of host (a key) from sym->time - before to
 * sym->time + after (ticks), the symptom (sym->row) and the marked events always, the others
 * nearest in time to the symptom, EVDIAG_MAX_TIMELINE_EVENTS in all (fewer when there are
 * fewer), in time order (a time of whole seconds at the end of its second); timeline_total
 * counts every event of the span. Returns 0, -ENOMEM, or -EIO (store_error()). */
int symptom_window_build(Store *s, const char *host, ReportSymptom *sym, int64_t before, int64_t after,
                         const WindowMark *marks, size_t n_marks);

