/* SPDX-License-Identifier: MIT */
/* evdiag: argv parsing and verb dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"

static const char usage[] =
        "Usage: evdiag VERB [OPTIONS] ...\n"
        "\n"
        "Finds why an IIS server lost its HTTPS binding, from Windows event logs (.evtx or exported),\n"
        "applicationHost.config and netsh output.\n"
        "\n"
        "Verbs:\n"
        "  diagnose PATH...        import the files and folders, run the rules, print the verdict\n"
        "  import --db FILE PATH...  import into a case database that persists\n"
        "  analyze --db FILE       run the rules on a case database\n"
        "  dump FILE.evtx...       print the records of .evtx logs as JSON lines or XML\n"
        "  fix applicationHost.config [--out FILE | --in-place]\n"
        "                          remove the legacy SSL properties behind KB 2025598, nothing else\n"
        "  timeline --db FILE | PATH...  one host's events in time order, findings marked\n"
        "\n"
        "Options:\n"
        "  -h, --help              show this help ('evdiag VERB --help' for a verb's options)\n"
        "  --version               show the version\n"
        "\n"
        "Exit codes: 0 done; 1 done, but some inputs were skipped or failed; 2 bad command line;\n"
        "3 the rules could not be loaded; 4 database, I/O or memory failure.\n";

int main(int argc, char **argv) {
        static const struct {
                const char *name;
                int (*run)(int argc, char **argv);
        } verbs[] = {
                { "diagnose", verb_diagnose },
                { "import", verb_import },
                { "analyze", verb_analyze },
                { "dump", verb_dump },
                { "fix", verb_fix },
                { "timeline", verb_timeline },
        };

        if (argc < 2) {
                fputs(usage, stderr);
                return EXIT_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
                fputs(usage, stdout);
                return EXIT_OK;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("evdiag %s\n", EVDIAG_VERSION);
                return EXIT_OK;
        }
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strcmp(argv[1], verbs[i].name) == 0)
                        return verbs[i].run(argc - 1, argv + 1);
        fprintf(stderr, "evdiag: unknown verb \"%s\"\nTry 'evdiag --help'.\n", argv[1]);
        return EXIT_USAGE;
}
