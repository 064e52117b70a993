/* SPDX-License-Identifier: MIT */
#pragma once

/* The case database. The only code that speaks SQL to the event and artifact tables: the
 * importer adds rows through the functions below, the rules run their compiled queries
 * through a StoreQuery, and the reports read the same way. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "importer/sink.h"

typedef struct Diag Diag;
typedef struct Store Store;

/* Opens (or creates) the database at path, or a private temporary one when path is NULL (kept
 * in memory while small, spilled to a deleted file when large), and brings its schema up to
 * date. Returns 0; -EBADMSG when path is not an evdiag database or is newer
 * than this evdiag, -EIO for other SQLite failures, with a message in *ret_error (caller
 * frees); -ENOMEM. */
int store_open(const char *path, Store **ret, char **ret_error);
Store *store_free(Store *s);

/* The message of the last failed call. */
const char *store_error(const Store *s);

/* One import is one transaction: an import cut off midway leaves the database as it was. */
int store_begin(Store *s);
int store_commit(Store *s);
int store_rollback(Store *s);

typedef struct StoreFile {
        const char *path, *sha256, *format, *tz;
        const char *host, *attribution;   /* NULL when not attributed */
        uint64_t size;
} StoreFile;

/* Whether a file with this SHA-256 was imported before: 1 with *ret_path (caller frees) set
 * to the path it was imported from, 0 when not, -EIO. */
int store_file_lookup(Store *s, const char *sha256, char **ret_path);
int store_file_add(Store *s, const StoreFile *f, int64_t *ret_id);
/* Records the counts of a finished import and its warnings. */
int store_file_finish(Store *s, int64_t id, uint64_t events, uint64_t duplicates, uint64_t rows, const Diag *d);
/* Sets the SHA-256 of file id, known once its contents were read. Returns 0, or -EIO (also
 * when another file has it). */
int store_file_set_sha256(Store *s, int64_t id, const char *sha256);
/* Sets the host (a key, or NULL when none or several) that file id belongs to, once its import
 * has found out. Returns 0 or -EIO. */
int store_file_set_host(Store *s, int64_t id, const char *host);

/* A file imported earlier, as the reports list it. */
typedef struct StoreFileInfo {
        int64_t id;
        char *path, *sha256, *format, *tz;
        char *host;                     /* key, or NULL */
        uint64_t events, duplicates, rows, warnings_total;
        char **warnings;                /* formatted "path:line: message"; NULL-terminated */
} StoreFileInfo;

/* Every file imported, in import order. Returns 0 with an array the caller frees with
 * store_files_list_free(), -EIO, -ENOMEM. */
int store_files_list(Store *s, StoreFileInfo **ret, size_t *ret_n);
void store_files_list_free(StoreFileInfo *files, size_t n);

/* The zones that local times of text and CSV exports were read in, comma-separated, or NULL
 * in *ret when no such file was imported. Returns 0, -EIO, -ENOMEM. */
int store_local_time_zones(Store *s, char **ret);

/* Records a host name; the first name seen for a key is kept. */
int store_host_add(Store *s, const char *key, const char *name);
/* The name first seen for host key: 1 with *ret_name (caller frees) set, 0 when the key is
 * unknown, -EIO, -ENOMEM. */
int store_host_name(Store *s, const char *key, char **ret_name);
/* Keys of every host that events name. Returns the count, with a NULL-terminated array the
 * caller frees with strv_free(), or -EIO/-ENOMEM. */
int store_host_keys(Store *s, char ***ret_keys);

/* Adds an event of file_id, owned by host (a key, or NULL when unattributed). Returns 1 when
 * added, 0 when the same event is already present, -EIO, -ENOMEM. */
int store_event_add(Store *s, int64_t file_id, const char *host, const Event *ev);
int store_config_property_add(Store *s, int64_t file_id, const char *host, const ConfigProperty *p);
int store_site_binding_add(Store *s, int64_t file_id, const char *host, const SiteBinding *b);
int store_netsh_binding_add(Store *s, int64_t file_id, const char *host, const NetshBinding *b);

/* An event as timelines show it; strings valid during the callback only. */
typedef struct StoreEventRow {
        int64_t id, time, event_id, record_id;  /* record_id EVENT_NO_VALUE when none */
        int digits;
        const char *host, *computer, *channel, *provider, *message, *data, *path;
        int64_t line, offset;                   /* EVENT_NO_VALUE when none */
        bool recovered;
} StoreEventRow;
typedef int (*StoreEventFn)(void *userdata, const StoreEventRow *row);

/* Calls fn for each event of host (a key) with from <= time <= to, in time order, at most
 * limit of them (through the index on host and time: no scan). Stops at fn's first non-zero
 * return and returns it; else 0, or -EIO. */
int store_events_between(Store *s, const char *host, int64_t from, int64_t to, size_t limit,
                         StoreEventFn fn, void *userdata);

/* A read query with bound parameters. SQL text comes from evdiag's own code, never from input;
 * values from input or rules are bound. */
typedef struct StoreQuery StoreQuery;

int store_query_new(Store *s, const char *sql, StoreQuery **ret);
StoreQuery *store_query_free(StoreQuery *q);
/* Parameters are numbered from 1; a NULL text binds NULL. */
int store_query_bind_int(StoreQuery *q, int idx, int64_t v);
int store_query_bind_text(StoreQuery *q, int idx, const char *v);
/* Clears the bindings and rewinds, ready to run again. */
int store_query_reset(StoreQuery *q);
/* Returns 1 with a row, 0 at the end, -EIO (message in store_error()). */
int store_query_step(StoreQuery *q);
bool store_query_is_null(StoreQuery *q, int col);
int64_t store_query_int(StoreQuery *q, int col);
/* Valid until the next step or reset; NULL for SQL NULL. */
const char *store_query_text(StoreQuery *q, int col);
const void *store_query_blob(StoreQuery *q, int col, size_t *ret_size);

#include "base/alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(StoreQuery *, store_query_free);

/* Report queries (remedy facts and symptom timelines). */

/* Calls fn for at most limit events of host (a key) with from <= time <= to, those nearest in
 * time to center, in time order; *ret_total (when not NULL) is set to the number of events in
 * the span. Stops at fn's first non-zero return and returns it; else 0, or -EIO. */
int store_events_nearest(Store *s, const char *host, int64_t from, int64_t to, int64_t center, size_t limit,
                         uint64_t *ret_total, StoreEventFn fn, void *userdata);

/* Calls fn for the event whose events.id is id, if there is one. Returns fn's non-zero return,
 * else 0, or -EIO. */
int store_event_by_id(Store *s, int64_t id, StoreEventFn fn, void *userdata);

/* A customMetadata property as the remedy needs it; strings valid during the callback only. */
typedef struct StoreKeyProperty {
        int64_t prop_id;
        uint64_t key_line, line;        /* 0 when unknown */
        const char *decoded;            /* NULL when none */
        bool valid;
} StoreKeyProperty;
typedef int (*StoreKeyPropertyFn)(void *userdata, const StoreKeyProperty *p);

/* Calls fn for every property of <key path="key_path"> in the applicationHost.config imported
 * from path for host, in line order. Stops at fn's first non-zero return and returns it; else
 * 0, or -EIO. */
int store_key_properties(Store *s, const char *host, const char *path, const char *key_path,
                         StoreKeyPropertyFn fn, void *userdata);

/* Whether a file of format ("netsh", "apphost", …) attributed to host was imported: 1, 0, or
 * -EIO. */
int store_host_has_format(Store *s, const char *host, const char *format);

typedef int (*StoreEndpointFn)(void *userdata, const char *endpoint, const char *value);

/* Calls fn(userdata, endpoint, cert_hash) for each netsh binding of host (cert_hash NULL when
 * none); bindings without an endpoint are skipped. Stops at fn's first non-zero return and
 * returns it; else 0, or -EIO. */
int store_netsh_endpoints(Store *s, const char *host, StoreEndpointFn fn, void *userdata);
/* Calls fn(userdata, endpoint, NULL) for the endpoint of each https binding of site site_id
 * of host. Returns as store_netsh_endpoints(). */
int store_site_https_endpoints(Store *s, const char *host, int64_t site_id, StoreEndpointFn fn, void *userdata);

/* Timeline queries. */

/* A configuration property, site binding or netsh binding as a timeline lists it; strings
 * valid during the callback only, NULL when the row has none; numbers EVENT_NO_VALUE when
 * none. Only the fields of its table are set. */
typedef struct StoreArtifactRow {
        const char *table;              /* "config_properties", "site_bindings", "netsh_bindings" */
        int64_t id, file_id;
        const char *path;               /* of the file it was read from */
        int64_t line;
        /* config_properties */
        const char *key_path;
        int64_t key_line, prop_id;
        const char *value, *decoded;
        bool valid;
        /* site_bindings */
        const char *site_name, *protocol, *binding_information;
        int64_t site_id, ssl_flags;
        /* site_bindings and netsh_bindings */
        const char *endpoint;
        /* netsh_bindings */
        const char *kind, *cert_hash, *app_id, *store_name;
} StoreArtifactRow;
typedef int (*StoreArtifactFn)(void *userdata, const StoreArtifactRow *row);

/* Calls fn for every configuration property, site binding and netsh binding of host (a key),
 * file by file in import order, each file's rows in line order. Stops at fn's first non-zero
 * return and returns it; else 0, or -EIO. */
int store_artifacts_of_host(Store *s, const char *host, StoreArtifactFn fn, void *userdata);

/* How many events no host owns (their file named none and none could be chosen). Returns the
 * count, or -EIO. */
int64_t store_events_unattributed(Store *s);
