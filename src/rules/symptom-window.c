/* SPDX-License-Identifier: MIT */
#include "symptom-window.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/datetime.h"
#include "base/limits.h"
#include "event-summary.h"
#include "importer/sink.h"
#include "report/report.h"
#include "store/store.h"

typedef struct Collect {
        ReportSymptom *sym;
        const WindowMark *marks;
        size_t n_marks;
        int64_t *rows;                  /* events.id of each timeline entry */
        int64_t want;                   /* only this row (a mark fetched on its own); -1: any */
        bool *seen;                     /* per mark */
} Collect;

static char *source_of(const StoreEventRow *e) {
        const char *path = e->path ? e->path : "?";
        char *s = NULL;
        int r;

        if (e->line > 0)
                r = asprintf(&s, "%s:%lld", path, (long long) e->line);
        else if (e->offset >= 0)
                r = asprintf(&s, "%s, offset 0x%llx", path, (unsigned long long) e->offset);
        else
                r = asprintf(&s, "%s", path);
        return r < 0 ? NULL : s;
}

static int collect_event(void *userdata, const StoreEventRow *e) {
        Collect *c = userdata;
        ReportSymptom *sym = c->sym;
        _cleanup_free_ char *source = NULL, *own = NULL;
        ReportTimelineEvent ev = {
                .time = e->time,
                .digits = e->digits,
                .event_id = e->event_id,
                .record_id = e->record_id == EVENT_NO_VALUE ? -1 : e->record_id,
                .role = (char *) "other",
                .provider = (char *) e->provider,
        };
        int64_t *p;
        int r;

        if (c->want >= 0 && e->id != c->want)
                return 0;
        for (size_t i = 0; i < sym->n_timeline; i++)
                if (c->rows[i] == e->id)
                        return 0;
        if (e->id == sym->row)
                ev.role = (char *) "symptom";
        for (size_t i = 0; i < c->n_marks; i++)
                if (c->marks[i].row == e->id) {
                        c->seen[i] = true;
                        if (e->id != sym->row) {
                                ev.role = (char *) c->marks[i].role;
                                ev.summary = (char *) c->marks[i].summary;
                        }
                        break;
                }
        if (!ev.summary) {
                own = event_summary(e->provider, e->event_id, e->message, e->data);
                if (!own)
                        return -ENOMEM;
                ev.summary = own;
        }
        source = source_of(e);
        if (!source)
                return -ENOMEM;
        ev.source = source;
        p = realloc(c->rows, (sym->n_timeline + 1) * sizeof(*p));
        if (!p)
                return -ENOMEM;
        c->rows = p;
        r = report_symptom_add_event(sym, &ev);
        if (r < 0)
                return r;
        p[sym->n_timeline - 1] = e->id;
        return 0;
}

/* The latest instant an event's time stands for, given the digits its source wrote. */
static int64_t latest(const ReportTimelineEvent *ev) {
        return ev->time + ticks_grain(ev->digits) - 1;
}

static int64_t distance(int64_t a, int64_t b) {
        return a > b ? a - b : b - a;
}

int symptom_window_build(Store *s, const char *host, ReportSymptom *sym, int64_t before, int64_t after,
                         const WindowMark *marks, size_t n_marks) {
        Collect c = { .sym = sym, .marks = marks, .n_marks = n_marks, .want = -1 };
        uint64_t total = 0;
        int r;

        sym->window_from = sym->time - before;
        sym->window_to = sym->time + after;
        c.seen = calloc(n_marks ? n_marks : 1, sizeof(bool));
        if (!c.seen)
                return -ENOMEM;
        r = store_events_nearest(s, host, sym->window_from, sym->window_to, sym->time, EVDIAG_MAX_TIMELINE_EVENTS,
                                 &total, collect_event, &c);
        sym->timeline_total = total;
        /* Marked events farther out than the nearest ones: fetched one by one. */
        for (size_t i = 0; r == 0 && i < n_marks; i++) {
                if (c.seen[i])
                        continue;
                c.want = marks[i].row;
                r = store_event_by_id(s, marks[i].row, collect_event, &c);
        }
        if (r > 0)
                r = -EIO;
        /* Back to the cap: drop the other events farthest from the symptom. */
        while (r == 0 && sym->n_timeline > EVDIAG_MAX_TIMELINE_EVENTS) {
                size_t far = SIZE_MAX;

                for (size_t i = 0; i < sym->n_timeline; i++)
                        if (strcmp(sym->timeline[i].role, "other") == 0 &&
                            (far == SIZE_MAX ||
                             distance(sym->timeline[i].time, sym->time) >= distance(sym->timeline[far].time, sym->time)))
                                far = i;
                if (far == SIZE_MAX)
                        break;
                free(sym->timeline[far].role);
                free(sym->timeline[far].provider);
                free(sym->timeline[far].summary);
                free(sym->timeline[far].source);
                memmove(&sym->timeline[far], &sym->timeline[far + 1],
                        (sym->n_timeline - far - 1) * sizeof(sym->timeline[0]));
                memmove(&c.rows[far], &c.rows[far + 1], (sym->n_timeline - far - 1) * sizeof(c.rows[0]));
                sym->n_timeline--;
        }
        /* Time order (marks fetched last came at the end); insertion sort on few entries. A
         * time of whole seconds (text and CSV exports) goes at the end of its second: "02:00:04"
         * is not before "02:00:04.118". */
        for (size_t i = 1; r == 0 && i < sym->n_timeline; i++)
                for (size_t j = i; j > 0 && (latest(&sym->timeline[j]) < latest(&sym->timeline[j - 1]) ||
                                             (latest(&sym->timeline[j]) == latest(&sym->timeline[j - 1]) &&
                                              c.rows[j] < c.rows[j - 1]));
                     j--) {
                        ReportTimelineEvent t = sym->timeline[j];
                        int64_t row = c.rows[j];

                        sym->timeline[j] = sym->timeline[j - 1];
                        sym->timeline[j - 1] = t;
                        c.rows[j] = c.rows[j - 1];
                        c.rows[j - 1] = row;
                }
        free(c.rows);
        free(c.seen);
        return r;
}
