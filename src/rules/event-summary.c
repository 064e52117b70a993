/* SPDX-License-Identifier: MIT */
#include "event-summary.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/utf.h"

#define SUMMARY_MAX 300

/* The values that tell what a process creation, a logon or a service change was about, in the
 * order they are shown: Security 4688 and 4624, Sysmon 1 and 3, the Service Control Manager's
 * own names. Their messages start with a line that says only what kind of event it is ("A new
 * process has been created.", "Process Create:"). */
static const char *const telling[] = {
        "NewProcessName", "Image", "CommandLine", "User", "SubjectUserName", "TargetUserName", "LogonType",
        "IpAddress", "DestinationIp", "DestinationPort", "ServiceName", "ImagePath", "Endpoint",
        "ParentProcessName", "ParentImage", "ParentCommandLine",
};

typedef struct Values {
        StrBuf *out;
        const char *only;               /* only this name; NULL: every value */
        const char *line;               /* the message's first line, n bytes: a value it holds */
        size_t n;                       /* already is not repeated */
        bool first;
        bool cut;                       /* stopped at SUMMARY_MAX */
} Values;

/* An unnamed value, or one Windows names by its position ("param1"), shows as it is. */
static bool positional(const char *name) {
        return !name || !*name || (strncasecmp(name, "param", 5) == 0 && name[5] >= '0' && name[5] <= '9');
}

static int add_value(void *userdata, const char *name, const char *value) {
        Values *v = userdata;
        bool named;
        int r;

        if (!*value || strcmp(value, "-") == 0)
                return 0;
        if (v->only && (!name || strcasecmp(name, v->only) != 0))
                return 0;
        if (v->n > 0 && memmem(v->line, v->n, value, strlen(value)))
                return 0;
        if (v->out->len >= SUMMARY_MAX) {
                v->cut = true;
                return 1;
        }
        named = !positional(name);
        r = strbuf_printf(v->out, "%s%s%s%s", v->first ? "" : "; ", named ? name : "", named ? "=" : "", value);
        v->first = false;
        return r;
}

/* The length of a message's first line, without trailing blanks. */
static size_t first_line(const char *message) {
        size_t n = strcspn(message, "\r\n");

        while (n > 0 && (message[n - 1] == ' ' || message[n - 1] == '\t'))
                n--;
        return n;
}

char *event_summary(const char *provider, int64_t event_id, const char *message, const char *data) {
        _cleanup_strbuf_ StrBuf b = {}, values = {};
        size_t n = message ? first_line(message) : 0;
        Values v = { .out = &values, .first = true, .line = message, .n = n };
        int r = 0;

        /* The telling values, in their order; with no message and none of them, every value. */
        for (size_t i = 0; r == 0 && i < sizeof(telling) / sizeof(telling[0]) && !v.cut; i++) {
                v.only = telling[i];
                r = json_pairs_foreach(data, add_value, &v) == -ENOMEM ? -ENOMEM : 0;
        }
        if (r == 0 && n == 0 && values.len == 0) {
                v.only = NULL;
                r = json_pairs_foreach(data, add_value, &v) == -ENOMEM ? -ENOMEM : 0;
        }
        if (r == 0)
                r = strbuf_printf(&b, "%s %lld", provider ? provider : "event", (long long) event_id);
        /* A first line that ends with ':' ("Process Create:") only names the kind of event. */
        if (r == 0 && n > 0) {
                r = strbuf_puts(&b, ": ");
                if (r == 0)
                        r = strbuf_append(&b, message, message[n - 1] == ':' ? n - 1 : n);
        }
        if (r == 0 && values.len > 0) {
                r = strbuf_puts(&b, n > 0 ? " \xE2\x80\x94 " : ": ");       /* an em dash */
                if (r == 0)
                        r = strbuf_append(&b, values.data, values.len);
        }
        if (r < 0)
                return NULL;
        if (b.len > SUMMARY_MAX || v.cut) {
                b.len = utf8_prefix(b.data, b.len, SUMMARY_MAX);
                b.data[b.len] = 0;
                if (strbuf_puts(&b, "\xE2\x80\xA6") < 0)        /* … */
                        return NULL;
        }
        return strbuf_steal(&b);
}

char *event_source(const char *path, int64_t line, int64_t offset) {
        char *s = NULL;
        int r;

        if (!path)
                path = "?";
        if (line > 0)
                r = asprintf(&s, "%s:%lld", path, (long long) line);
        else if (offset >= 0)
                r = asprintf(&s, "%s, offset 0x%llx", path, (unsigned long long) offset);
        else
                r = asprintf(&s, "%s", path);
        return r < 0 ? NULL : s;
}
