/* SPDX-License-Identifier: MIT */
/* evdiag import: add files to a case database that persists. */
#include <errno.h>
#include <stdio.h>

#include "base/datetime.h"
#include "cli.h"
#include "importer/import.h"
#include "store/store.h"

static const char usage[] =
        "Usage: evdiag import --db FILE [OPTIONS] PATH...\n"
        "\n"
        "Imports event logs (.evtx or exported), applicationHost.config and netsh output into\n"
        "the case database FILE (created when missing). A file imported before, or an event already\n"
        "present through an overlapping export, is not added twice. Run 'evdiag analyze' on\n"
        "the database afterwards.\n"
        "\n"
        "Options:\n"
        "  --db FILE         the case database (required)\n"
        "  --tz ZONE         zone of the local times in text and CSV exports (default UTC)\n"
        "  --host NAME       the host that host-less files belong to\n"
        "  --quiet           no progress bar (shown on standard error when it is a terminal)\n"
        "  -h, --help        show this help\n";

int verb_import(int argc, char **argv) {
        _cleanup_(store_freep) Store *store = NULL;
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_(tz_freep) Tz *tz = NULL;
        const ImportInput *inputs;
        CliOptions opts;
        bool partial = false;
        size_t n;
        int r;

        r = cli_parse(argc, argv, "import", OPT_DB | OPT_DB_REQUIRED | OPT_IMPORT, usage, &opts);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        if (cli_tz("import", opts.tz, &tz) < 0)
                return EXIT_USAGE;
        if (cli_open_store(opts.db, &store) < 0)
                return EXIT_FATAL;
        if (cli_import(store, &opts, tz, &im, &partial) < 0)
                return EXIT_FATAL;

        /* A line per input on standard output: what was added. */
        inputs = importer_inputs(im, &n);
        for (size_t i = 0; i < n; i++) {
                const ImportInput *in = &inputs[i];

                printf("%s: %s, %s", in->path, import_format_name(in->format), input_status_name(in->status));
                if (in->status == INPUT_IMPORTED)
                        printf(", %llu events added, %llu already present, %llu rows",
                               (unsigned long long) in->events, (unsigned long long) in->duplicates,
                               (unsigned long long) in->rows);
                printf("\n");
        }
        return partial ? EXIT_PARTIAL : EXIT_OK;
}
