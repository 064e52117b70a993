/* SPDX-License-Identifier: MIT */
#include "event-summary.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"

#define SUMMARY_MAX 300

typedef struct Values {
        StrBuf *out;
        bool first;
} Values;

static int add_value(void *userdata, const char *name, const char *value) {
        Values *v = userdata;
        int r;

        if (!*value)
                return 0;
        if (v->out->len >= SUMMARY_MAX)
                return 1;
        r = strbuf_printf(v->out, "%s%s%s%s", v->first ? "" : "; ", name ? name : "", name ? "=" : "", value);
        v->first = false;
        return r;
}

char *event_summary(const char *provider, int64_t event_id, const char *message, const char *data) {
        _cleanup_strbuf_ StrBuf b = {};
        int r;

        r = strbuf_printf(&b, "%s %lld: ", provider ? provider : "event", (long long) event_id);
        if (r == 0 && message && *message) {
                const char *nl = strchr(message, '\n');

                r = strbuf_append(&b, message, nl ? (size_t) (nl - message) : strlen(message));
        } else if (r == 0) {
                Values v = { .out = &b, .first = true };

                /* Malformed values show as far as they could be read. */
                if (json_pairs_foreach(data, add_value, &v) == -ENOMEM)
                        r = -ENOMEM;
        }
        if (r < 0)
                return NULL;
        if (b.len > SUMMARY_MAX) {
                size_t cut = SUMMARY_MAX;

                while (cut > 0 && ((unsigned char) b.data[cut] & 0xC0) == 0x80)
                        cut--;
                b.len = cut;
                b.data[cut] = 0;
                if (strbuf_puts(&b, "…") < 0)
                        return NULL;
        }
        return strbuf_steal(&b);
}
