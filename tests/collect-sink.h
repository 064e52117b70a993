/* SPDX-License-Identifier: MIT */
#pragma once

/* An ImportSink for tests: it copies every row it is handed, so a test can look at them after
 * the parse. */

#include <stddef.h>

#include "importer/sink.h"

typedef struct CollectedEvent {
        Event ev;               /* every pointer owned by the collector */
        EventField *fields;
} CollectedEvent;

typedef struct CollectSink {
        ImportSink sink;        /* pass &c->sink to a parser */
        CollectedEvent *events;
        size_t n_events, a_events;
        ConfigProperty *properties;
        size_t n_properties, a_properties;
        SiteBinding *bindings;
        size_t n_bindings, a_bindings;
        NetshBinding *netsh;
        size_t n_netsh, a_netsh;
        int fail_after;         /* > 0: the Nth row and later return -EIO (sink errors) */
        int seen;
} CollectSink;

void collect_sink_init(CollectSink *c);
void collect_sink_done(CollectSink *c);

/* The value of the field named name of event i, or NULL. */
const char *collected_field(const CollectSink *c, size_t i, const char *name);
