/* SPDX-License-Identifier: MIT */
#include "collect-sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

static int count(CollectSink *c) {
        c->seen++;
        return c->fail_after > 0 && c->seen >= c->fail_after ? -EIO : 0;
}

static int on_event(void *userdata, const Event *ev) {
        CollectSink *c = userdata;
        CollectedEvent *ce;
        int r = count(c);

        if (r < 0)
                return r;
        if (ARRAY_GROW(c->events, c->a_events, c->n_events + 1) < 0)
                return -ENOMEM;
        ce = &c->events[c->n_events++];
        *ce = (CollectedEvent) { .ev = *ev };
        ce->ev.host = dup_or_null(ev->host);
        ce->ev.channel = dup_or_null(ev->channel);
        ce->ev.provider = dup_or_null(ev->provider);
        ce->ev.provider_guid = dup_or_null(ev->provider_guid);
        ce->ev.keywords = dup_or_null(ev->keywords);
        ce->ev.user = dup_or_null(ev->user);
        ce->ev.message = dup_or_null(ev->message);
        ce->fields = calloc(ev->n_fields + 1, sizeof(EventField));
        for (size_t i = 0; i < ev->n_fields; i++) {
                ce->fields[i].name = dup_or_null(ev->fields[i].name);
                ce->fields[i].value = dup_or_null(ev->fields[i].value);
        }
        ce->ev.fields = ce->fields;
        if (ev->binary_size > 0) {
                uint8_t *b = malloc(ev->binary_size);

                memcpy(b, ev->binary, ev->binary_size);
                ce->ev.binary = b;
        } else
                ce->ev.binary = NULL;
        return 0;
}

static int on_property(void *userdata, const ConfigProperty *p) {
        CollectSink *c = userdata;
        ConfigProperty *q;
        int r = count(c);

        if (r < 0)
                return r;
        if (ARRAY_GROW(c->properties, c->a_properties, c->n_properties + 1) < 0)
                return -ENOMEM;
        q = &c->properties[c->n_properties++];
        *q = *p;
        q->key_path = dup_or_null(p->key_path);
        q->data_type = dup_or_null(p->data_type);
        q->user_type = dup_or_null(p->user_type);
        q->attributes = dup_or_null(p->attributes);
        q->value = dup_or_null(p->value);
        q->decoded = dup_or_null(p->decoded);
        return 0;
}

static int on_binding(void *userdata, const SiteBinding *b) {
        CollectSink *c = userdata;
        SiteBinding *q;
        int r = count(c);

        if (r < 0)
                return r;
        if (ARRAY_GROW(c->bindings, c->a_bindings, c->n_bindings + 1) < 0)
                return -ENOMEM;
        q = &c->bindings[c->n_bindings++];
        *q = *b;
        q->site_name = dup_or_null(b->site_name);
        q->protocol = dup_or_null(b->protocol);
        q->binding_information = dup_or_null(b->binding_information);
        q->ip = dup_or_null(b->ip);
        q->hostname = dup_or_null(b->hostname);
        q->endpoint = dup_or_null(b->endpoint);
        return 0;
}

static int on_netsh(void *userdata, const NetshBinding *b) {
        CollectSink *c = userdata;
        NetshBinding *q;
        int r = count(c);

        if (r < 0)
                return r;
        if (ARRAY_GROW(c->netsh, c->a_netsh, c->n_netsh + 1) < 0)
                return -ENOMEM;
        q = &c->netsh[c->n_netsh++];
        *q = *b;
        q->kind = dup_or_null(b->kind);
        q->endpoint = dup_or_null(b->endpoint);
        q->cert_hash = dup_or_null(b->cert_hash);
        q->app_id = dup_or_null(b->app_id);
        q->store_name = dup_or_null(b->store_name);
        return 0;
}

void collect_sink_init(CollectSink *c) {
        *c = (CollectSink) {
                .sink = {
                        .userdata = c,
                        .event = on_event,
                        .config_property = on_property,
                        .site_binding = on_binding,
                        .netsh_binding = on_netsh,
                },
        };
}

#define FREE_CONST(p) free((void *) (p))

void collect_sink_done(CollectSink *c) {
        for (size_t i = 0; i < c->n_events; i++) {
                Event *e = &c->events[i].ev;

                FREE_CONST(e->host);
                FREE_CONST(e->channel);
                FREE_CONST(e->provider);
                FREE_CONST(e->provider_guid);
                FREE_CONST(e->keywords);
                FREE_CONST(e->user);
                FREE_CONST(e->message);
                FREE_CONST(e->binary);
                for (size_t j = 0; j < e->n_fields; j++) {
                        FREE_CONST(c->events[i].fields[j].name);
                        FREE_CONST(c->events[i].fields[j].value);
                }
                free(c->events[i].fields);
        }
        free(c->events);
        for (size_t i = 0; i < c->n_properties; i++) {
                ConfigProperty *p = &c->properties[i];

                FREE_CONST(p->key_path);
                FREE_CONST(p->data_type);
                FREE_CONST(p->user_type);
                FREE_CONST(p->attributes);
                FREE_CONST(p->value);
                FREE_CONST(p->decoded);
        }
        free(c->properties);
        for (size_t i = 0; i < c->n_bindings; i++) {
                SiteBinding *b = &c->bindings[i];

                FREE_CONST(b->site_name);
                FREE_CONST(b->protocol);
                FREE_CONST(b->binding_information);
                FREE_CONST(b->ip);
                FREE_CONST(b->hostname);
                FREE_CONST(b->endpoint);
        }
        free(c->bindings);
        for (size_t i = 0; i < c->n_netsh; i++) {
                NetshBinding *b = &c->netsh[i];

                FREE_CONST(b->kind);
                FREE_CONST(b->endpoint);
                FREE_CONST(b->cert_hash);
                FREE_CONST(b->app_id);
                FREE_CONST(b->store_name);
        }
        free(c->netsh);
        *c = (CollectSink) {};
}

const char *collected_field(const CollectSink *c, size_t i, const char *name) {
        if (i >= c->n_events)
                return NULL;
        for (size_t j = 0; j < c->events[i].ev.n_fields; j++) {
                const char *n = c->events[i].fields[j].name;

                if (n && strcmp(n, name) == 0)
                        return c->events[i].fields[j].value;
        }
        return NULL;
}
