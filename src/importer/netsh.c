/* SPDX-License-Identifier: MIT */
#include "netsh.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/endpoint.h"
#include "base/stream.h"
#include "base/text-reader.h"
#include "base/utf.h"
#include "importer/parse-util.h"

#define SHA1_HEX 40

/* Labels are localised; the German ones are inferred. The key labels compare without regard to
 * case, which also covers the German "IP:Port" and "Hostname:Port". */
static const struct {
        const char *label;
        const char *kind;
} key_labels[] = {
        { "IP:port",                      "ipport" },
        { "Hostname:port",                "hostnameport" },
        { "Central Certificate Store",    "ccs" },
        { "Zentraler Zertifikatspeicher", "ccs" },
};

typedef enum Field {
        FIELD_NONE,
        FIELD_HASH,
        FIELD_APP_ID,
        FIELD_STORE,
} Field;

static const struct {
        const char *label;
        Field field;
} field_labels[] = {
        { "Certificate Hash",       FIELD_HASH },
        { "Zertifikathash",         FIELD_HASH },
        { "Application ID",         FIELD_APP_ID },
        { "Anwendungs-ID",          FIELD_APP_ID },
        { "Certificate Store Name", FIELD_STORE },
        { "Zertifikatspeichername", FIELD_STORE },
};

typedef struct Pending {
        const char *kind;               /* NULL while no binding has started */
        char *endpoint, *cert_hash, *app_id, *store_name;
        uint64_t line;
} Pending;

static void pending_clear(Pending *b) {
        free(b->endpoint);
        free(b->cert_hash);
        free(b->app_id);
        free(b->store_name);
        *b = (Pending) {};
}

/* Splits "    Label      : value" at the first colon with a blank before it and a blank or
 * the end of the line after it: labels such as "IP:port" hold colons of their own, and a line
 * with an empty value ends in " :". False when the line has no such colon. */
static bool split_line(const char *line, size_t len, const char **ret_label, size_t *ret_label_len,
                       const char **ret_value, size_t *ret_value_len) {
        for (size_t i = 1; i < len; i++) {
                const char *label = line, *value;
                size_t label_len = i, value_len;

                if (line[i] != ':' || !is_hspace(line[i - 1]) || (i + 1 < len && !is_hspace(line[i + 1])))
                        continue;
                value = line + i + 1;
                value_len = len - i - 1;
                trim_hspace(&label, &label_len);
                trim_hspace(&value, &value_len);
                *ret_label = label;
                *ret_label_len = label_len;
                *ret_value = value;
                *ret_value_len = value_len;
                return true;
        }
        return false;
}

static bool label_is(const char *label, size_t n, const char *name) {
        return ascii_strcaseeq_n(label, n, name, strlen(name));
}

/* Brings a thumbprint to 40 lowercase hex digits: spaces and the invisible U+200E/U+200F that
 * certificate dialogs put in copied thumbprints are dropped. Returns 0 with a new string,
 * -EBADMSG when what remains is not 40 hex digits, -ENOMEM. */
static int clean_hash(const char *s, size_t n, char **ret) {
        char hex[SHA1_HEX + 1];
        size_t o = 0;

        for (size_t i = 0; i < n;) {
                size_t mark = direction_mark_len(s + i, n - i);
                char c = s[i];

                if (is_hspace(c)) {
                        i++;
                        continue;
                }
                if (mark > 0) {
                        i += mark;
                        continue;
                }
                c = ascii_tolower(c);
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || o >= SHA1_HEX)
                        return -EBADMSG;
                hex[o++] = c;
                i++;
        }
        if (o != SHA1_HEX)
                return -EBADMSG;
        hex[o] = 0;
        *ret = strdup(hex);
        return *ret ? 0 : -ENOMEM;
}

static int pending_emit(Pending *b, const ImportSink *sink) {
        int r;

        if (!b->kind)
                return 0;
        r = sink->netsh_binding(sink->userdata, &(NetshBinding) {
                .kind = b->kind,
                .endpoint = b->endpoint,
                .cert_hash = b->cert_hash,
                .app_id = b->app_id,
                .store_name = b->store_name,
                .line = b->line,
        });
        pending_clear(b);
        return r < 0 ? r : 1;
}

/* Starts a binding at its key line. Returns 0 or -ENOMEM. */
static int pending_start(Pending *b, const char *kind, const char *value, size_t n, uint64_t line, Diag *diag) {
        char buf[EXCERPT_SIZE];
        int r;

        b->kind = kind;
        b->line = line;
        if (strcmp(kind, "ccs") == 0)
                r = -EBADMSG;   /* the value is a port: kept as written */
        else {
                r = endpoint_normalize(value, n, &b->endpoint);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        diag_warn_line(diag, line, "binding endpoint \"%s\" is not IP:port or host:port",
                                       excerpt(value, n, buf));
        }
        if (r < 0) {
                b->endpoint = strndup_view(value, n);
                if (!b->endpoint)
                        return -ENOMEM;
        }
        return 0;
}

/* Keeps one property of the binding being read. Returns 0 or -ENOMEM. */
static int pending_set(Pending *b, Field field, const char *value, size_t n, uint64_t line, Diag *diag) {
        char buf[EXCERPT_SIZE];
        char **target;
        int r;

        switch (field) {
        case FIELD_HASH:
                free(b->cert_hash);
                b->cert_hash = NULL;
                /* netsh prints "(null)" where a binding has no hash of its own. */
                if (label_is(value, n, "(null)"))
                        return 0;
                r = clean_hash(value, n, &b->cert_hash);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        diag_warn_line(diag, line, "certificate hash \"%s\" is not 40 hex digits",
                                       excerpt(value, n, buf));
                return 0;
        case FIELD_APP_ID:
                target = &b->app_id;
                break;
        case FIELD_STORE:
                target = &b->store_name;
                if (label_is(value, n, "(null)")) {
                        free(*target);
                        *target = NULL;
                        return 0;
                }
                break;
        default:
                return 0;
        }
        free(*target);
        *target = strndup_view(value, n);
        return *target ? 0 : -ENOMEM;
}

int netsh_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        _cleanup_(text_reader_freep) TextReader *reader = NULL;
        _cleanup_(pending_clear) Pending b = {};
        uint64_t bindings = 0, bad, bad_line;
        int r;

        r = text_reader_new(in, &reader);
        if (r < 0)
                return r;
        for (;;) {
                const char *line, *label, *value;
                size_t len, label_len, value_len;
                const char *kind = NULL;
                Field field = FIELD_NONE;

                r = text_reader_getline(reader, &line, &len);
                if (r == -E2BIG) {
                        diag_warn_line(diag, text_reader_line(reader), "line too long: skipped");
                        continue;
                }
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (!split_line(line, len, &label, &label_len, &value, &value_len))
                        continue;
                for (size_t i = 0; i < ELEMENTSOF(key_labels) && !kind; i++)
                        if (label_is(label, label_len, key_labels[i].label))
                                kind = key_labels[i].kind;
                if (kind) {
                        r = pending_emit(&b, sink);
                        if (r < 0)
                                return r;
                        bindings += r;
                        r = pending_start(&b, kind, value, value_len, text_reader_line(reader), diag);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!b.kind)
                        continue;       /* the prompt, the title, the dashes */
                for (size_t i = 0; i < ELEMENTSOF(field_labels) && field == FIELD_NONE; i++)
                        if (label_is(label, label_len, field_labels[i].label))
                                field = field_labels[i].field;
                r = pending_set(&b, field, value, value_len, text_reader_line(reader), diag);
                if (r < 0)
                        return r;
        }
        r = pending_emit(&b, sink);
        if (r < 0)
                return r;
        bindings += r;

        bad = text_reader_bad_sequences(reader, &bad_line);
        if (bad > 0)
                diag_warn_line(diag, bad_line, "%llu invalid byte sequences replaced by U+FFFD",
                               (unsigned long long) bad);
        if (bindings == 0)
                diag_warn_line(diag, DIAG_NO_LINE, "no SSL certificate bindings found");
        return 0;
}
