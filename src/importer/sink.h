/* SPDX-License-Identifier: MIT */
#pragma once

/* What parsers hand over. A parser never speaks SQL: it fills these rows and passes them to an
 * ImportSink, so that it can be tested and fuzzed alone. Rows are views: every pointer in them
 * is borrowed and valid only during the callback. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_NO_VALUE (-1)

typedef struct EventField {
        const char *name;       /* NULL for an unnamed <Data> */
        const char *value;      /* UTF-8, never NULL */
} EventField;

typedef struct Event {
        const char *host;               /* <Computer>; NULL when the export has none (CSV) */
        const char *channel;            /* NULL when unknown */
        const char *provider;           /* provider name, or the legacy source name */
        const char *provider_guid;      /* "{…}" or NULL */
        int64_t event_id;               /* low 16 bits of the id, as Windows shows it */
        int64_t qualifiers;             /* EVENT_NO_VALUE when absent */
        int64_t version, level, task, opcode;   /* EVENT_NO_VALUE when absent */
        const char *keywords;           /* "0x8080000000000000" in XML, names in text exports */
        int64_t record_id;              /* EVENT_NO_VALUE when the export has none */
        int64_t time;                   /* 100 ns ticks since 1970-01-01 UTC */
        int time_digits;                /* fraction digits the source had, 0..7 */
        const char *user;               /* SID or account name, NULL when absent */
        const char *message;            /* rendered message, NULL when the export has none */
        const EventField *fields;       /* EventData/UserData values in document order */
        size_t n_fields;
        const uint8_t *binary;          /* decoded <Binary> */
        size_t binary_size;
        uint64_t line;                  /* where the event starts: 1-based line, or 0 */
        uint64_t offset;                /* or byte offset (binary formats); UINT64_MAX if none */
        bool recovered;                 /* read from slack space of a binary log */
} Event;

typedef struct ConfigProperty {
        const char *key_path;           /* <key path="LM/W3SVC/1"> */
        uint64_t key_line;
        int64_t id;                     /* metabase property id, 5506 = SSL certificate hash */
        const char *data_type, *user_type, *attributes;  /* as written; NULL when absent */
        const char *value;              /* as written (entities resolved) */
        const char *decoded;            /* hex of a base64 Binary value; NULL when not decodable */
        bool valid;                     /* false when a Binary value is not base64, or a 5506
                                         * value is not a 20-byte SHA-1 thumbprint */
        uint64_t line;
} ConfigProperty;

typedef struct SiteBinding {
        const char *site_name;
        int64_t site_id;                /* EVENT_NO_VALUE when the site has no valid id */
        const char *protocol;           /* NULL for a site row without bindings */
        const char *binding_information;/* "IP:port:host" as written */
        const char *ip;                 /* "*" kept as written; NULL when unparsable */
        int64_t port;                   /* EVENT_NO_VALUE when unparsable */
        const char *hostname;           /* host header, "" when none */
        int64_t ssl_flags;              /* 0 when absent */
        const char *endpoint;           /* the HTTP.sys key: "0.0.0.0:443", "[::1]:443",
                                         * "www.contoso.com:443" (SNI), NULL when unparsable */
        uint64_t site_line, line;
} SiteBinding;

typedef struct NetshBinding {
        const char *kind;               /* "ipport", "hostnameport" or "ccs" */
        const char *endpoint;           /* as netsh printed it; normalised for ipport */
        const char *cert_hash;          /* 40 lowercase hex digits, or NULL */
        const char *app_id;
        const char *store_name;
        uint64_t line;
} NetshBinding;

typedef struct ImportSink {
        void *userdata;
        /* Each returns >= 0 to go on, or a negative errno to stop the import of this file
         * (out of memory, a database error): parsers pass such a return straight back. */
        int (*event)(void *userdata, const Event *ev);
        int (*config_property)(void *userdata, const ConfigProperty *p);
        int (*site_binding)(void *userdata, const SiteBinding *b);
        int (*netsh_binding)(void *userdata, const NetshBinding *b);
} ImportSink;

/* Context that every parser receives with its input. */
typedef struct Tz Tz;
typedef struct ParseOptions {
        Tz *tz;                         /* zone of local times (text, CSV); NULL = UTC */
} ParseOptions;
