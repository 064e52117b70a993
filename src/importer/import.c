/* SPDX-License-Identifier: MIT */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apphost.h"
#include "base/datetime.h"
#include "base/diag.h"
#include "base/hostname.h"
#include "base/limits.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "csv-export.h"
#include "evtx.h"
#include "netsh.h"
#include "store/store.h"
#include "text-export.h"
#include "xml-export.h"

#define UNKNOWN_HOST "unknown"

typedef int (*ParseFn)(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);

static ParseFn parser_for(ImportFormat f) {
        switch (f) {
        case FORMAT_XML:
                return xml_export_parse;
        case FORMAT_TEXT:
                return text_export_parse;
        case FORMAT_CSV:
                return csv_export_parse;
        case FORMAT_APPHOST:
                return apphost_parse;
        case FORMAT_NETSH:
                return netsh_parse;
        case FORMAT_EVTX:
                return evtx_parse;
        default:
                return NULL;
        }
}

/* Why a format that is recognised is still not read. */
static const char *unsupported_reason(ImportFormat f) {
        switch (f) {
        case FORMAT_EVT:
                return "legacy .evt logs (Windows Server 2003 and older) are not supported";
        case FORMAT_EMPTY:
                return "empty file";
        default:
                return "not an event log export, applicationHost.config or netsh output evdiag "
                       "recognises";
        }
}

struct Importer {
        Store *store;
        ImportOptions opts;             /* host is a copy we own; tz is borrowed */
        ImportInput *inputs;
        size_t n_inputs, a_inputs;
        struct { dev_t dev; ino_t ino; } *dirs;   /* folders walked, against link loops */
        size_t n_dirs, a_dirs;
        size_t n_settled;               /* inputs[] reported to the progress callback by runs before */
        ImportTickFn tick_fn;
        void *tick_userdata;
        ImportTick tick;                /* of the run under way */
        uint64_t bytes_settled;         /* sizes of the inputs of that run settled so far */
};

/* State of one file's import, behind the ImportSink. */
typedef struct FileImport {
        Importer *im;
        ImportInput *input;
        int64_t file_id;
        const char *fallback_host;      /* for rows that name no host */
        bool fallback_done;             /* fallback_host decided */
        char *last_computer, *last_key; /* the host key of the last Computer value seen */
        char *events_host;              /* the host of the file's events, if only one */
        bool several_hosts;
        InStream *stream;               /* for the bytes read so far */
        uint64_t bytes_before;          /* tick.bytes when the file started */
        uint64_t tick_rows, tick_bytes; /* where the last tick was */
} FileImport;

int importer_new(Store *store, const ImportOptions *opts, Importer **ret) {
        Importer *im;

        if (opts->host) {
                _cleanup_free_ char *key = NULL;

                errno = 0;
                key = hostname_key(opts->host, strlen(opts->host));
                if (!key)
                        return errno == ENOMEM ? -ENOMEM : -EINVAL;
        }
        im = calloc(1, sizeof(*im));
        if (!im)
                return -ENOMEM;
        im->store = store;
        im->opts = *opts;
        if (opts->host) {
                im->opts.host = strdup(opts->host);
                if (!im->opts.host) {
                        free(im);
                        return -ENOMEM;
                }
        }
        *ret = im;
        return 0;
}

Importer *importer_free(Importer *im) {
        if (!im)
                return NULL;
        for (size_t i = 0; i < im->n_inputs; i++) {
                free(im->inputs[i].path);
                free(im->inputs[i].host);
                free(im->inputs[i].duplicate_of);
                diag_free(im->inputs[i].diag);
        }
        free(im->inputs);
        free(im->dirs);
        free((char *) im->opts.host);
        free(im);
        return NULL;
}

void importer_set_tick(Importer *im, ImportTickFn fn, void *userdata) {
        im->tick_fn = fn;
        im->tick_userdata = userdata;
}

/* Counts a row read from the current file, and ticks when enough came since the last tick. */
static void tick_row(FileImport *fi) {
        Importer *im = fi->im;
        uint64_t pos;

        im->tick.rows++;
        if (!im->tick_fn)
                return;
        pos = instream_position(fi->stream);
        if (im->tick.rows - fi->tick_rows < IMPORT_TICK_ROWS &&
            (pos <= fi->tick_bytes || pos - fi->tick_bytes < IMPORT_TICK_BYTES))
                return;
        fi->tick_rows = im->tick.rows;
        fi->tick_bytes = pos;
        /* A parser may read ahead of, or rewind behind, the rows it hands over. */
        im->tick.bytes = fi->bytes_before + (pos < fi->input->size ? pos : fi->input->size);
        im->tick.input = fi->input;
        im->tick_fn(im->tick_userdata, &im->tick);
}

/* Counts an input settled, the whole of it read, and ticks. */
static void tick_settled(Importer *im, const ImportInput *in) {
        im->tick.done++;
        im->bytes_settled += in->size;
        im->tick.bytes = im->bytes_settled;
        im->tick.input = in;
        if (im->tick_fn)
                im->tick_fn(im->tick_userdata, &im->tick);
}

/* Ticks when the import of a file starts. */
static void tick_start(FileImport *fi) {
        Importer *im = fi->im;

        fi->bytes_before = im->bytes_settled;
        fi->tick_rows = im->tick.rows;
        fi->tick_bytes = 0;
        im->tick.bytes = im->bytes_settled;
        im->tick.input = fi->input;
        if (im->tick_fn)
                im->tick_fn(im->tick_userdata, &im->tick);
}

const ImportInput *importer_inputs(const Importer *im, size_t *ret_n) {
        *ret_n = im->n_inputs;
        return im->inputs;
}

const char *input_status_name(InputStatus s) {
        static const char *const names[] = {
                [INPUT_PENDING] = "pending",
                [INPUT_IMPORTED] = "imported",
                [INPUT_DUPLICATE] = "duplicate",
                [INPUT_SKIPPED] = "skipped",
                [INPUT_IGNORED] = "ignored",
                [INPUT_FAILED] = "failed",
        };

        return s <= INPUT_FAILED ? names[s] : "?";
}

static ImportInput *input_add(Importer *im, const char *path) {
        ImportInput *in;

        if (ARRAY_GROW(im->inputs, im->a_inputs, im->n_inputs + 1) < 0)
                return NULL;
        in = &im->inputs[im->n_inputs];
        *in = (ImportInput) {};
        in->path = strdup(path);
        in->diag = diag_new(path);
        if (!in->path || !in->diag) {
                free(in->path);
                diag_free(in->diag);
                return NULL;
        }
        im->n_inputs++;
        return in;
}

static int input_fail(Importer *im, const char *path, int error, const char *what) {
        ImportInput *in = input_add(im, path);

        if (!in)
                return -ENOMEM;
        in->status = INPUT_FAILED;
        diag_add(in->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "%s: %s", what, strerror(-error));
        return 0;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);

        return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

static int name_compare(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk(Importer *im, const char *path, unsigned depth) {
        struct dirent **entries = NULL;
        struct stat st;
        int n, r = 0;

        if (stat(path, &st) < 0)
                return input_fail(im, path, -errno, "cannot read");
        if (!S_ISDIR(st.st_mode)) {
                ImportInput *in;

                if (!S_ISREG(st.st_mode))
                        return depth > 0 ? 0 : input_fail(im, path, -EINVAL, "not a regular file");
                in = input_add(im, path);
                if (!in)
                        return -ENOMEM;
                in->in_folder = depth > 0;
                /* What evdiag fix leaves beside the file it fixed is the case as it was: read
                 * in a folder, it would bring back what was fixed. Named alone, it is read. */
                if (in->in_folder && (ends_with(path, ".evdiag-bak") || strstr(base_name(path), ".evdiag-tmp-"))) {
                        in->status = INPUT_IGNORED;
                        diag_add(in->diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET,
                                 "a copy evdiag fix kept of the file before it was fixed; ignored (name it alone "
                                 "to read it)");
                }
                return 0;
        }
        if (depth >= EVDIAG_MAX_WALK_DEPTH)
                return input_fail(im, path, -ELOOP, "folders nested too deep");
        for (size_t i = 0; i < im->n_dirs; i++)
                if (im->dirs[i].dev == st.st_dev && im->dirs[i].ino == st.st_ino)
                        return 0;       /* seen through another link */
        if (ARRAY_GROW(im->dirs, im->a_dirs, im->n_dirs + 1) < 0)
                return -ENOMEM;
        im->dirs[im->n_dirs].dev = st.st_dev;
        im->dirs[im->n_dirs].ino = st.st_ino;
        im->n_dirs++;

        n = scandir(path, &entries, NULL, name_compare);
        if (n < 0)
                return input_fail(im, path, -errno, "cannot list folder");
        for (int i = 0; i < n; i++) {
                const char *name = entries[i]->d_name;
                char *child;

                if (r == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
                        size_t l = strlen(path);

                        if (asprintf(&child, "%s%s%s", path, l > 0 && path[l - 1] == '/' ? "" : "/", name) < 0)
                                r = -ENOMEM;
                        else {
                                r = walk(im, child, depth + 1);
                                free(child);
                        }
                }
                free(entries[i]);
        }
        free(entries);
        return r;
}

int importer_add_path(Importer *im, const char *path) {
        return walk(im, path, 0);
}

/* Reads the first bytes of the file: they tell its format. Its SHA-256 is taken while it is
 * parsed, so that a large file is read once. */
static int identify(ImportInput *in) {
        _cleanup_(instream_freep) InStream *s = NULL;
        _cleanup_free_ uint8_t *head = NULL;
        ssize_t k;
        size_t n = 0;
        int r;

        r = instream_open(in->path, &s);
        if (r < 0)
                return r;
        in->size = instream_size(s);
        head = malloc(EVDIAG_SNIFF_BYTES);
        if (!head)
                return -ENOMEM;
        while (n < EVDIAG_SNIFF_BYTES) {
                k = instream_read(s, head + n, EVDIAG_SNIFF_BYTES - n);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        in->format = detect_format(head, n);
        return 0;
}

static int attribute(Importer *im, ImportInput *in, bool warn);

static const char *note_events_host(FileImport *fi, const char *key) {
        if (!key || fi->several_hosts)
                return key;
        if (!fi->events_host) {
                fi->events_host = strdup(key);
                if (!fi->events_host)
                        return NULL;
        } else if (strcmp(fi->events_host, key) != 0)
                fi->several_hosts = true;
        return key;
}

/* The host key of an event in *ret: its Computer's, or the file's fallback owner (NULL when
 * unattributed), decided the first time an event lacks one. A Computer without a name in it
 * (".", blanks) is none. Returns 0, -ENOMEM or a store failure. */
static int host_of(FileImport *fi, const char *computer, const char **ret) {
        _cleanup_free_ char *key = NULL;
        int r;

        if (computer && *computer && fi->last_computer && strcmp(fi->last_computer, computer) == 0) {
                *ret = fi->last_key;
                return 0;
        }
        if (computer && *computer) {
                errno = 0;
                key = hostname_key(computer, strlen(computer));
                if (!key && errno == ENOMEM)
                        return -ENOMEM;
        }
        if (!key) {
                if (!fi->fallback_done) {
                        r = attribute(fi->im, fi->input, true);
                        if (r < 0)
                                return r;
                        fi->fallback_host = fi->input->host;
                        fi->fallback_done = true;
                }
                *ret = note_events_host(fi, fi->fallback_host);
                return *ret || !fi->fallback_host ? 0 : -ENOMEM;
        }
        free(fi->last_computer);
        free(fi->last_key);
        fi->last_computer = strdup(computer);
        fi->last_key = TAKE_PTR(key);
        if (!fi->last_computer)
                return -ENOMEM;
        r = store_host_add(fi->im->store, fi->last_key, computer);
        if (r < 0)
                return r;
        *ret = note_events_host(fi, fi->last_key);
        return *ret ? 0 : -ENOMEM;
}

static int sink_event(void *userdata, const Event *ev) {
        FileImport *fi = userdata;
        const char *host = NULL;
        int r;

        r = host_of(fi, ev->host, &host);
        if (r < 0)
                return r;
        r = store_event_add(fi->im->store, fi->file_id, host, ev);
        if (r < 0)
                return r;
        if (r > 0)
                fi->input->events++;
        else
                fi->input->duplicates++;
        tick_row(fi);
        return 0;
}

static int sink_property(void *userdata, const ConfigProperty *p) {
        FileImport *fi = userdata;
        int r = store_config_property_add(fi->im->store, fi->file_id, fi->fallback_host, p);

        if (r == 0) {
                fi->input->rows++;
                tick_row(fi);
        }
        return r;
}

static int sink_binding(void *userdata, const SiteBinding *b) {
        FileImport *fi = userdata;
        int r = store_site_binding_add(fi->im->store, fi->file_id, fi->fallback_host, b);

        if (r == 0) {
                fi->input->rows++;
                tick_row(fi);
        }
        return r;
}

static int sink_netsh(void *userdata, const NetshBinding *b) {
        FileImport *fi = userdata;
        int r = store_netsh_binding_add(fi->im->store, fi->file_id, fi->fallback_host, b);

        if (r == 0) {
                fi->input->rows++;
                tick_row(fi);
        }
        return r;
}

/* The host whose name is a folder on path, among the known hosts; the nearest folder wins. */
static char *host_from_folders(const char *path, char **hosts) {
        _cleanup_free_ char *copy = strdup(path);
        char *slash;

        if (!copy)
                return NULL;
        while ((slash = strrchr(copy, '/'))) {
                char *name;

                *slash = 0;
                name = strrchr(copy, '/');
                name = name ? name + 1 : copy;
                if (*name) {
                        _cleanup_free_ char *key = hostname_key(name, strlen(name));

                        for (char **h = hosts; key && *h; h++)
                                if (strcmp(*h, key) == 0)
                                        return TAKE_PTR(key);
                }
        }
        return NULL;
}

/* Decides the owner of the rows of in that name no host, in the order the README gives:
 * --host, a folder on the path named like a host seen in events, the only host seen, or
 * "unknown" when no input names any host. Leaves in->host NULL (unattributed) otherwise. */
static int attribute(Importer *im, ImportInput *in, bool warn) {
        _cleanup_strv_free_ char **hosts = NULL;
        int n;

        free(in->host);
        in->host = NULL;
        in->attribution = NULL;
        if (im->opts.host) {
                in->host = hostname_key(im->opts.host, strlen(im->opts.host));
                if (!in->host)
                        return -EINVAL;
                in->attribution = "option";
                return store_host_add(im->store, in->host, im->opts.host);
        }
        n = store_host_keys(im->store, &hosts);
        if (n < 0)
                return n;
        /* "unknown" is where rows without any host went: no host of its own. */
        for (int i = 0; i < n; i++)
                if (strcmp(hosts[i], UNKNOWN_HOST) == 0) {
                        free(hosts[i]);
                        memmove(hosts + i, hosts + i + 1, (size_t) (n - i) * sizeof(char *));
                        n--;
                        break;
                }
        in->host = host_from_folders(in->path, hosts);
        if (in->host) {
                in->attribution = "folder";
                return 0;
        }
        if (n == 1) {
                in->host = strdup(hosts[0]);
                in->attribution = "only-host";
                return in->host ? 0 : -ENOMEM;
        }
        if (n == 0) {
                in->host = strdup(UNKNOWN_HOST);
                in->attribution = "unknown";
                if (!in->host)
                        return -ENOMEM;
                return store_host_add(im->store, UNKNOWN_HOST, UNKNOWN_HOST);
        }
        if (warn) {
                _cleanup_strbuf_ StrBuf list = {};

                for (char **h = hosts; *h; h++)
                        if (strbuf_printf(&list, "%s%s", h == hosts ? "" : ", ", *h) < 0)
                                return -ENOMEM;
                diag_add(in->diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET,
                         "cannot tell which host this file belongs to (hosts seen: %s); "
                         "its rows are kept but unattributed: name the host with --host or put "
                         "the file in a folder named after it", strbuf_str(&list));
        }
        return 0;
}

static int import_one(Importer *im, ImportInput *in) {
        _cleanup_(instream_freep) InStream *s = NULL;
        _cleanup_free_ char *earlier = NULL;
        ParseOptions popts = { .tz = im->opts.tz };
        FileImport fi = { .im = im, .input = in };
        ImportSink sink = {
                .userdata = &fi,
                .event = sink_event,
                .config_property = sink_property,
                .site_binding = sink_binding,
                .netsh_binding = sink_netsh,
        };
        ParseFn parse = parser_for(in->format);
        int r, parse_r;

        if (!parse) {
                /* A folder copied off a server holds notes and READMEs too: not a failure. */
                bool ignore = in->in_folder && (in->format == FORMAT_UNKNOWN || in->format == FORMAT_EMPTY);

                in->status = ignore ? INPUT_IGNORED : INPUT_SKIPPED;
                diag_add(in->diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET, "%s; %s", unsupported_reason(in->format),
                         ignore ? "ignored" : "skipped");
                return 0;
        }
        r = instream_open(in->path, &s);
        if (r < 0) {
                in->status = INPUT_FAILED;
                diag_add(in->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "cannot read: %s", strerror(-r));
                return 0;
        }
        r = store_begin(im->store);
        if (r < 0)
                return r;
        /* Host-less formats need an owner for every row; the others only for events that
         * lack a Computer, decided when the first such event comes. Inside the transaction:
         * a host recorded for this file alone goes with it when its import fails. */
        if (import_format_hostless(in->format)) {
                r = attribute(im, in, true);
                if (r < 0)
                        goto fail;
                fi.fallback_host = in->host;
                fi.fallback_done = true;
        }
        r = store_file_add(im->store, &(StoreFile) {
                        .path = in->path,
                        .sha256 = "importing",     /* set once read: see below */
                        .size = in->size,
                        .format = import_format_name(in->format),
                        .tz = tz_name(im->opts.tz),
                        .host = import_format_hostless(in->format) ? in->host : NULL,
                        .attribution = import_format_hostless(in->format) ? in->attribution : NULL,
                }, &fi.file_id);
        if (r < 0)
                goto fail;

        fi.stream = s;
        tick_start(&fi);
        parse_r = parse(s, &popts, &sink, in->diag);
        free(fi.last_computer);
        free(fi.last_key);
        fi.last_computer = fi.last_key = NULL;
        if (!import_format_hostless(in->format)) {
                /* An event file belongs to the host its events name, when they name one. */
                free(in->host);
                in->host = fi.several_hosts ? NULL : TAKE_PTR(fi.events_host);
                in->attribution = NULL;
        }
        free(fi.events_host);
        fi.events_host = NULL;
        if (parse_r < 0 && parse_r != -EBADMSG) {
                r = parse_r;
                goto fail;
        }
        if (parse_r != -EBADMSG) {
                /* The stream hashed what the parser read; a file imported before (in this run
                 * or an earlier one) is rolled back whole: its events were all duplicates. */
                r = instream_sha256_hex(s, in->sha256);
                if (r < 0)
                        goto fail;
                r = store_file_lookup(im->store, in->sha256, &earlier);
                if (r < 0)
                        goto fail;
                if (r > 0) {
                        Diag *fresh = diag_new(in->path);

                        if (!fresh) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        /* Its warnings were given when it was first imported. */
                        diag_free(in->diag);
                        in->diag = fresh;
                        in->status = INPUT_DUPLICATE;
                        in->duplicate_of = TAKE_PTR(earlier);
                        in->events = in->duplicates = in->rows = 0;
                        free(in->host);
                        in->host = NULL;
                        in->attribution = NULL;
                        return store_rollback(im->store);
                }
                r = store_file_set_sha256(im->store, fi.file_id, in->sha256);
                if (r < 0)
                        goto fail;
        }
        if (parse_r == -EBADMSG) {
                /* Not readable as the format it looked like: nothing of it is kept. */
                in->status = INPUT_FAILED;
                in->events = in->duplicates = in->rows = 0;
                free(in->host);
                in->host = NULL;
                in->attribution = NULL;
                return store_rollback(im->store);
        }
        r = store_file_finish(im->store, fi.file_id, in->events, in->duplicates, in->rows, in->diag);
        if (r == 0 && !import_format_hostless(in->format))
                r = store_file_set_host(im->store, fi.file_id, in->host);
        if (r < 0)
                goto fail;
        r = store_commit(im->store);
        if (r < 0)
                goto fail;
        in->status = INPUT_IMPORTED;
        return 0;

fail:
        free(fi.last_computer);
        free(fi.last_key);
        free(fi.events_host);
        (void) store_rollback(im->store);
        in->status = INPUT_FAILED;
        in->events = in->duplicates = in->rows = 0;
        free(in->host);
        in->host = NULL;
        in->attribution = NULL;
        diag_add(in->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "import failed, nothing of this file was kept: %s",
                 r == -EIO ? store_error(im->store) : strerror(-r));
        /* A failing store stops the run; a parser's own failure only this file. */
        return r == -EIO || r == -ENOMEM ? r : 0;
}

int importer_run(Importer *im, ImportProgress progress, void *userdata) {
        ImportTick *t = &im->tick;
        int r;

        *t = (ImportTick) {};
        im->bytes_settled = 0;

        /* Each input of this run is reported once, and counted in t->done: those whose path
         * could not be read when it was added, and those that cannot be read now, first. */
        for (size_t i = 0; i < im->n_inputs; i++)
                if (im->inputs[i].status == INPUT_PENDING || i >= im->n_settled)
                        t->total++;

        /* Look at the start of every file to know its format. */
        for (size_t i = 0; i < im->n_inputs; i++) {
                ImportInput *in = &im->inputs[i];

                if (in->status != INPUT_PENDING) {
                        if (i >= im->n_settled) {
                                t->done++;
                                if (progress)
                                        progress(userdata, in, t->done, t->total);
                        }
                        continue;
                }
                r = identify(in);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        in->status = INPUT_FAILED;
                        diag_add(in->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "cannot read: %s", strerror(-r));
                        t->done++;
                        if (progress)
                                progress(userdata, in, t->done, t->total);
                } else
                        t->bytes_total += in->size;
        }
        im->n_settled = im->n_inputs;

        /* Files that name their hosts first, so that the host-less ones can be attributed. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < im->n_inputs; i++) {
                        ImportInput *in = &im->inputs[i];

                        if (in->status != INPUT_PENDING || import_format_hostless(in->format) != (pass == 1))
                                continue;
                        r = import_one(im, in);
                        tick_settled(im, in);
                        if (progress)
                                progress(userdata, in, t->done, t->total);
                        if (r < 0)
                                return r;
                }
        return 0;
}
