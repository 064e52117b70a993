/* SPDX-License-Identifier: MIT */
/* evdiag analyze: run the rules on a case database built earlier. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/datetime.h"
#include "cli.h"
#include "store/store.h"

static const char usage[] =
        "Usage: evdiag analyze --db FILE [OPTIONS]\n"
        "\n"
        "Runs the rules on a case database built with 'evdiag import' and prints the report.\n"
        "\n"
        "Options:\n"
        "  --db FILE         the case database (required)\n"
        "  --format FORMAT   text (default), markdown, json or html\n"
        "  --window SECONDS  how far before a symptom to look for its cause (default 600)\n"
        "  --rules DIR       the rule pack to use\n"
        "  -h, --help        show this help\n";

int verb_analyze(int argc, char **argv) {
        _cleanup_(store_freep) Store *store = NULL;
        _cleanup_free_ char *zones = NULL;
        CliOptions opts;
        int r;

        r = cli_parse(argc, argv, "analyze", OPT_DB | OPT_DB_REQUIRED | OPT_ANALYZE, usage, &opts);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        if (access(opts.db, F_OK) < 0) {
                fprintf(stderr, "%s: %s (build it with 'evdiag import --db %s PATH...')\n", opts.db, strerror(errno), opts.db);
                return EXIT_FATAL;
        }
        if (cli_open_store(opts.db, &store) < 0)
                return EXIT_FATAL;
        /* The zones the local times were read in are those recorded at import. */
        r = store_local_time_zones(store, &zones);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", opts.db, store_error(store));
                return EXIT_FATAL;
        }
        return cli_analyze(store, &opts, NULL, zones ? zones : "UTC", false);
}
