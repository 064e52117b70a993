/* SPDX-License-Identifier: MIT */
/* evdiag diagnose: import, analyse, report, in one go. */
#include <errno.h>
#include <stdio.h>

#include "base/datetime.h"
#include "cli.h"
#include "importer/import.h"
#include "store/store.h"

static const char usage[] =
        "Usage: evdiag diagnose [OPTIONS] PATH...\n"
        "\n"
        "Reads event logs (binary .evtx, or exported as XML, text or CSV), applicationHost.config\n"
        "and netsh output from the files and folders named (folders are read recursively),\n"
        "runs the rules and prints the root-cause verdict with its evidence.\n"
        "\n"
        "Options:\n"
        "  --format FORMAT   text (default), markdown, json or html\n"
        "  --tz ZONE         zone of the local times in text and CSV exports: an IANA name\n"
        "                    such as Europe/Berlin, or an offset such as +02:00 (default UTC)\n"
        "  --host NAME       the host that host-less files (applicationHost.config, netsh\n"
        "                    output, CSV exports) belong to\n"
        "  --window SECONDS  how far before a symptom to look for its cause (default 600)\n"
        "  --rules DIR       the rule pack to use\n"
        "  --db FILE         keep the imported case in this SQLite database (default: memory)\n"
        "  --quiet           no progress bar (shown on standard error when it is a terminal)\n"
        "  -h, --help        show this help\n";

int verb_diagnose(int argc, char **argv) {
        _cleanup_(store_freep) Store *store = NULL;
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_(tz_freep) Tz *tz = NULL;
        CliOptions opts;
        bool partial = false;
        int r;

        r = cli_parse(argc, argv, "diagnose", OPT_DB | OPT_IMPORT | OPT_ANALYZE, usage, &opts);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        if (cli_tz("diagnose", opts.tz, &tz) < 0)
                return EXIT_USAGE;
        if (cli_open_store(opts.db, &store) < 0)
                return EXIT_FATAL;
        if (cli_import(store, &opts, tz, &im, &partial) < 0)
                return EXIT_FATAL;
        return cli_analyze(store, &opts, im, tz_name(tz), partial);
}
