/* SPDX-License-Identifier: MIT */
/* evdiag dump: the records of .evtx logs as JSON lines or XML, for jq, Elastic, Timesketch, or a
 * look at what the reader sees. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/limits.h"
#include "base/stream.h"
#include "cli.h"
#include "importer/evtx.h"

static const char usage[] =
        "Usage: evdiag dump [OPTIONS] FILE.evtx...\n"
        "\n"
        "Prints every record of the .evtx logs, in file order, on standard output: one flat JSON\n"
        "object per line (record_id, time, event_id, ..., and \"data\", the EventData or UserData\n"
        "values keyed by name), or the XML Windows renders for each record. Records recovered\n"
        "from a chunk's slack space are marked. Damaged parts are skipped with a warning on\n"
        "standard error naming the file and byte offset.\n"
        "\n"
        "Options:\n"
        "  --format FORMAT   jsonl (default) or xml\n"
        "  --threads N       threads decoding chunks (default: one per core; 1: no threads)\n"
        "  -h, --help        show this help\n"
        "\n"
        "Exit codes: 0 every file read; 1 some file was not an .evtx log or could not be read;\n"
        "2 bad command line; 4 the output could not be written.\n";

static int write_stdout(void *userdata, const char *data, size_t size) {
        (void) userdata;
        if (fwrite(data, 1, size, stdout) != size)
                return -EIO;
        return 0;
}

static int dump_one(const char *path, EvtxDumpFormat fmt, unsigned threads, bool *ret_failed) {
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_(diag_freep) Diag *diag = diag_new(path);
        int r;

        if (!diag)
                return -ENOMEM;
        r = instream_open(path, &in);
        if (r < 0) {
                fprintf(stderr, "%s: cannot read: %s\n", path, strerror(-r));
                *ret_failed = true;
                return 0;
        }
        r = evtx_dump(in, fmt, threads, write_stdout, NULL, diag);
        cli_print_diag(diag);
        if (r == -EBADMSG) {
                *ret_failed = true;
                return 0;
        }
        /* An error that is not the output's: this file failed, the next may not. */
        if (r < 0 && r != -ENOMEM && !(r == -EIO && ferror(stdout))) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                *ret_failed = true;
                return 0;
        }
        return r;
}

int verb_dump(int argc, char **argv) {
        enum { ARG_FORMAT = 0x100, ARG_THREADS };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "threads", required_argument, NULL, ARG_THREADS },
                {}
        };
        static char buf[1 << 20];
        EvtxDumpFormat fmt = EVTX_DUMP_JSONL;
        unsigned threads = 0;
        bool failed = false;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(usage, stdout);
                        return EXIT_OK;
                case ARG_FORMAT:
                        if (strcmp(optarg, "jsonl") == 0)
                                fmt = EVTX_DUMP_JSONL;
                        else if (strcmp(optarg, "xml") == 0)
                                fmt = EVTX_DUMP_XML;
                        else {
                                fprintf(stderr, "evdiag dump: --format takes jsonl or xml, not \"%s\"\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case ARG_THREADS: {
                        char *end;
                        long v;

                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || *end || end == optarg || v < 1 || v > EVDIAG_MAX_EVTX_THREADS) {
                                fprintf(stderr, "evdiag dump: --threads takes 1 to %d, not \"%s\"\n",
                                        EVDIAG_MAX_EVTX_THREADS, optarg);
                                return EXIT_USAGE;
                        }
                        threads = (unsigned) v;
                        break;
                }
                default:
                        fprintf(stderr, "evdiag dump: unknown or incomplete option \"%s\"\nTry 'evdiag dump --help'.\n",
                                argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "evdiag dump: name at least one .evtx file\nTry 'evdiag dump --help'.\n");
                return EXIT_USAGE;
        }

        /* Records are small and many: write in large blocks. */
        setvbuf(stdout, buf, _IOFBF, sizeof(buf));
        for (int i = optind; i < argc; i++) {
                r = dump_one(argv[i], fmt, threads, &failed);
                if (r < 0) {
                        fprintf(stderr, "evdiag dump: %s: %s\n", argv[i],
                                r == -EIO ? "cannot write the output" : strerror(-r));
                        return EXIT_FATAL;
                }
        }
        if (fflush(stdout) != 0) {
                fprintf(stderr, "evdiag dump: cannot write the output: %s\n", strerror(errno));
                return EXIT_FATAL;
        }
        return failed ? EXIT_PARTIAL : EXIT_OK;
}
