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
        bool *seen;                     /* per mark */
} Collect;

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
                .row = e->id,
        };

        for (size_t i = 0; i < sym->n_timeline; i++)
                if (sym->timeline[i].row == e->id)
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
        source = event_source(e->path, e->line, e->offset);
        if (!source)
                return -ENOMEM;
        ev.source = source;
        return report_symptom_add_event(sym, &ev);
}

/* The latest instant an event's time stands for, given the digits its source wrote. */
static int64_t latest(const ReportTimelineEvent *ev) {
        return ev->time + ticks_grain(ev->digits) - 1;
}

/* Time order, then store order. */
static bool comes_before(const ReportTimelineEvent *a, const ReportTimelineEvent *b) {
        return latest(a) < latest(b) || (latest(a) == latest(b) && a->row < b->row);
}

static int64_t distance(int64_t a, int64_t b) {
        return a > b ? a - b : b - a;
}

int symptom_window_build(Store *s, const char *host, ReportSymptom *sym, int64_t before, int64_t after,
                         const WindowMark *marks, size_t n_marks) {
        Collect c = { .sym = sym, .marks = marks, .n_marks = n_marks };
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
        for (size_t i = 0; r == 0 && i < n_marks; i++)
                if (!c.seen[i])
                        r = store_event_by_id(s, marks[i].row, collect_event, &c);
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
                report_timeline_event_done(&sym->timeline[far]);
                memmove(&sym->timeline[far], &sym->timeline[far + 1],
                        (sym->n_timeline - far - 1) * sizeof(sym->timeline[0]));
                sym->n_timeline--;
        }
        /* Time order (marks fetched last came at the end); insertion sort on few entries. A
         * time of whole seconds (text and CSV exports) goes at the end of its second: "02:00:04"
         * is not before "02:00:04.118". */
        for (size_t i = 1; r == 0 && i < sym->n_timeline; i++)
                for (size_t j = i; j > 0 && comes_before(&sym->timeline[j], &sym->timeline[j - 1]); j--) {
                        ReportTimelineEvent t = sym->timeline[j];

                        sym->timeline[j] = sym->timeline[j - 1];
                        sym->timeline[j - 1] = t;
                }
        free(c.seen);
        return r;
}
