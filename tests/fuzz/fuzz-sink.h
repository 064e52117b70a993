/* SPDX-License-Identifier: MIT */
#pragma once

/* A sink for fuzz harnesses that checks what every parser promises about its rows: strings are
 * valid UTF-8 and NUL-terminated, counts stay under their caps. A broken promise aborts, which
 * the fuzzer (or the replay test) reports as a crash. */

#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/utf.h"
#include "importer/sink.h"

static inline void fuzz_check_str(const char *s) {
        if (s && !utf8_is_valid(s, strlen(s)))
                abort();
}

static inline int fuzz_event(void *userdata, const Event *ev) {
        fuzz_check_str(ev->host);
        fuzz_check_str(ev->channel);
        fuzz_check_str(ev->provider);
        fuzz_check_str(ev->provider_guid);
        fuzz_check_str(ev->keywords);
        fuzz_check_str(ev->user);
        fuzz_check_str(ev->message);
        if (ev->n_fields > EVDIAG_MAX_EVENT_FIELDS || ev->binary_size > EVDIAG_MAX_BINARY)
                abort();
        if (ev->time_digits < 0 || ev->time_digits > 7)
                abort();
        for (size_t i = 0; i < ev->n_fields; i++) {
                fuzz_check_str(ev->fields[i].name);
                if (!ev->fields[i].value)
                        abort();
                fuzz_check_str(ev->fields[i].value);
        }
        if (ev->binary_size > 0) {
                volatile uint8_t x = ev->binary[0] ^ ev->binary[ev->binary_size - 1];
                (void) x;
        }
        return 0;
}

static inline int fuzz_property(void *userdata, const ConfigProperty *p) {
        fuzz_check_str(p->key_path);
        fuzz_check_str(p->data_type);
        fuzz_check_str(p->user_type);
        fuzz_check_str(p->attributes);
        fuzz_check_str(p->value);
        fuzz_check_str(p->decoded);
        if (!p->key_path || (p->decoded && p->id == 5506 && p->valid && strlen(p->decoded) != 40))
                abort();
        return 0;
}

static inline int fuzz_binding(void *userdata, const SiteBinding *b) {
        fuzz_check_str(b->site_name);
        fuzz_check_str(b->protocol);
        fuzz_check_str(b->binding_information);
        fuzz_check_str(b->ip);
        fuzz_check_str(b->hostname);
        fuzz_check_str(b->endpoint);
        return 0;
}

static inline int fuzz_netsh(void *userdata, const NetshBinding *b) {
        fuzz_check_str(b->kind);
        fuzz_check_str(b->endpoint);
        fuzz_check_str(b->cert_hash);
        fuzz_check_str(b->app_id);
        fuzz_check_str(b->store_name);
        if (!b->kind)
                abort();
        return 0;
}

static const ImportSink fuzz_sink = {
        .event = fuzz_event,
        .config_property = fuzz_property,
        .site_binding = fuzz_binding,
        .netsh_binding = fuzz_netsh,
};
