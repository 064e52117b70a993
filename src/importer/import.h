/* SPDX-License-Identifier: MIT */
#pragma once

/* The import of one run: walks the paths given, recognises each file by its content, and
 * feeds it through its parser into the store, one transaction per file. Decides which host
 * the host-less artifacts belong to. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "importer/detect.h"

typedef struct Diag Diag;
typedef struct Store Store;
typedef struct Tz Tz;

typedef enum InputStatus {
        INPUT_PENDING,
        INPUT_IMPORTED,         /* read; warnings may say that parts were skipped */
        INPUT_DUPLICATE,        /* same content imported before: nothing added */
        INPUT_SKIPPED,          /* a log evdiag does not read, or a file named on the command
                                 * line that is no log at all */
        INPUT_IGNORED,          /* found in a folder, and no log (notes, READMEs, …) */
        INPUT_FAILED,           /* could not be read, or a store failure: nothing added */
} InputStatus;

typedef struct ImportInput {
        char *path;
        bool in_folder;         /* found by walking a folder, not named */
        ImportFormat format;
        InputStatus status;
        char *host;             /* key of the host its rows belong to: for host-less formats
                                 * the one chosen for them, for event files the one their
                                 * events name; NULL when none or several */
        const char *attribution;/* how a host-less file's host was chosen: "option", "folder",
                                 * "only-host", "unknown"; NULL otherwise */
        uint64_t size;
        char sha256[65];        /* hex; "" until the file was read through */
        uint64_t events, duplicates, rows;
        char *duplicate_of;     /* for INPUT_DUPLICATE: the path imported before */
        Diag *diag;             /* warnings and errors about this input; never NULL */
} ImportInput;

typedef struct ImportOptions {
        Tz *tz;                 /* zone of local times in text and CSV exports; NULL = UTC */
        const char *host;       /* --host: owner of host-less artifacts; NULL = decide */
} ImportOptions;

/* Called once for each input a run settles, for progress displays, in the order they are
 * settled (inputs that cannot be read first): index counts from 1 to total, the number of
 * inputs of this run. May be NULL. */
typedef void (*ImportProgress)(void *userdata, const ImportInput *done, size_t index, size_t total);

/* Where a run stands while it reads a file, for progress bars. Bytes count whole inputs
 * settled so far plus the part of the current one its parser has read; rows count the events
 * (duplicates included), properties and bindings read by this run so far. */
typedef struct ImportTick {
        const ImportInput *input;       /* the file being read, or the one just settled */
        size_t done, total;             /* inputs of this run settled so far, and their number */
        uint64_t bytes, bytes_total;    /* of this run's inputs (sizes as they were opened) */
        uint64_t rows;
} ImportTick;

/* Called on the thread that runs the import: when a file starts, every IMPORT_TICK_ROWS rows
 * or IMPORT_TICK_BYTES bytes read from it, whichever comes first, and when an input settles.
 * Cheap enough to redraw nothing most of the time: the caller throttles by time. */
typedef void (*ImportTickFn)(void *userdata, const ImportTick *tick);
#define IMPORT_TICK_ROWS 512
#define IMPORT_TICK_BYTES (UINT64_C(1) << 20)

typedef struct Importer Importer;

/* The importer borrows store and opts->tz for its lifetime; it copies the rest of opts.
 * Returns 0; -EINVAL when opts->host holds no host name (".", blanks); -ENOMEM. */
int importer_new(Store *store, const ImportOptions *opts, Importer **ret);
Importer *importer_free(Importer *im);

/* Adds a file, or every file below a folder (recursively, in name order; links to folders are
 * followed once). A path that cannot be read becomes a failed input with its reason. Returns 0
 * or -ENOMEM. */
int importer_add_path(Importer *im, const char *path);

/* Imports every input added: first the files whose rows name their host, then the host-less
 * ones. Returns 0 when the run went through (inputs may still have failed or been skipped: see
 * their status), or a negative errno when the store failed in a way that stops the run. */
int importer_run(Importer *im, ImportProgress progress, void *userdata);

/* Asks for fn (NULL: none) to be called during the next runs, as ImportTickFn says. */
void importer_set_tick(Importer *im, ImportTickFn fn, void *userdata);

const ImportInput *importer_inputs(const Importer *im, size_t *ret_n);

const char *input_status_name(InputStatus s);

#include "base/alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Importer *, importer_free);
