/* SPDX-License-Identifier: MIT */
#pragma once

/* The command line: one file per verb; this header holds what they share. Only the command
 * line prints, and it prints each problem once: "path:line: message" on standard error. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

/* Exit codes (README, "Exit codes"). */
enum {
        EXIT_OK = 0,            /* done; every input was read */
        EXIT_PARTIAL = 1,       /* done, report printed, but some inputs were skipped or failed */
        EXIT_USAGE = 2,         /* bad command line */
        EXIT_RULES = 3,         /* the rule pack could not be loaded */
        EXIT_FATAL = 4,       /* database, I/O or memory failure: no report */
};

/* Which options a verb takes. */
enum {
        OPT_DB = 1 << 0,
        OPT_DB_REQUIRED = 1 << 1,
        OPT_IMPORT = 1 << 2,    /* --tz, --host, and paths */
        OPT_ANALYZE = 1 << 3,   /* --format, --window, --rules */
        OPT_TIMELINE = 1 << 4,  /* --around, --span; --format of a timeline; --db or paths */
};

typedef enum TimelineFormat {
        TIMELINE_TEXT,
        TIMELINE_JSONL,
        TIMELINE_CSV,
} TimelineFormat;

typedef struct CliOptions {
        ReportFormat format;
        const char *tz;
        const char *host;
        int64_t window;         /* seconds */
        const char *rules_dir;
        const char *db;
        char **paths;           /* borrowed from argv */
        size_t n_paths;
        bool quiet;             /* --quiet: no progress bar */
        TimelineFormat timeline_format;
        const char *around;     /* --around, read once the zone is known; NULL when not given */
        int64_t span;           /* --span, seconds */
} CliOptions;

/* Parses a verb's options. Returns 0, 1 when --help was printed, or -EINVAL after printing
 * what is wrong. */
int cli_parse(int argc, char **argv, const char *verb, unsigned allowed, const char *usage, CliOptions *ret);

/* The verbs. Each returns an exit code. */
int verb_diagnose(int argc, char **argv);
int verb_import(int argc, char **argv);
int verb_analyze(int argc, char **argv);
int verb_dump(int argc, char **argv);
int verb_fix(int argc, char **argv);
int verb_timeline(int argc, char **argv);

/* Shared steps. */
typedef struct Diag Diag;
typedef struct Store Store;
typedef struct Importer Importer;
typedef struct Tz Tz;

/* Prints d's entries on standard error, "path:line: message" each, and how many were not kept. */
void cli_print_diag(const Diag *d);
/* The zone of --tz (NULL: UTC), printing why it is refused. Returns 0 or a negative errno. */
int cli_tz(const char *verb, const char *spec, Tz **ret);
/* Opens the database (NULL: a private temporary one), printing why it cannot. */
int cli_open_store(const char *path, Store **ret);
/* Imports opts->paths into store, printing every input's warnings. *ret_partial tells whether
 * some input was skipped or failed. The importer is handed back for the report. Returns 0 or a
 * negative errno (printed). */
int cli_import(Store *store, const CliOptions *opts, Tz *tz, Importer **ret_importer, bool *ret_partial);
/* Loads the rules and adds the findings of the database to report, printing why it cannot.
 * Returns EXIT_OK or the exit code to leave with. */
int cli_correlate(Store *store, const CliOptions *opts, Report *report);
/* Loads the rules, correlates, and prints the report of the database, with the inputs of this
 * run (im may be NULL) and of earlier imports. Returns an exit code. */
int cli_analyze(Store *store, const CliOptions *opts, const Importer *im, const char *assumed_tz, bool partial);
