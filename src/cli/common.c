/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "cli.h"
#include "config.h"
#include "importer/import.h"
#include "progress.h"
#include "rules/correlate.h"
#include "rules/rule.h"
#include "store/store.h"

#define DEFAULT_WINDOW 600
#define DEFAULT_SPAN (30 * 60)
#define MAX_SPAN (366LL * 86400)

static int timeline_format_from_string(const char *s, TimelineFormat *ret) {
        static const char *const names[] = {
                [TIMELINE_TEXT] = "text",
                [TIMELINE_JSONL] = "jsonl",
                [TIMELINE_CSV] = "csv",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(s, names[i]) == 0) {
                        *ret = (TimelineFormat) i;
                        return 0;
                }
        return -EINVAL;
}

/* "90", "90s", "30m", "2h", "1d": a positive duration in seconds. */
static int span_parse(const char *s, int64_t *ret) {
        char *end;
        long long v, unit = 1;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || end == s)
                return -EINVAL;
        if (*end) {
                switch (*end) {
                case 's':
                        unit = 1;
                        break;
                case 'm':
                        unit = 60;
                        break;
                case 'h':
                        unit = 3600;
                        break;
                case 'd':
                        unit = 86400;
                        break;
                default:
                        return -EINVAL;
                }
                if (end[1])
                        return -EINVAL;
        }
        if (v <= 0 || v > MAX_SPAN / unit)
                return -EINVAL;
        *ret = v * unit;
        return 0;
}

int cli_parse(int argc, char **argv, const char *verb, unsigned allowed, const char *usage, CliOptions *ret) {
        enum { ARG_FORMAT = 0x100, ARG_TZ, ARG_HOST, ARG_WINDOW, ARG_RULES, ARG_DB, ARG_QUIET, ARG_AROUND, ARG_SPAN };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "tz", required_argument, NULL, ARG_TZ },
                { "host", required_argument, NULL, ARG_HOST },
                { "window", required_argument, NULL, ARG_WINDOW },
                { "rules", required_argument, NULL, ARG_RULES },
                { "db", required_argument, NULL, ARG_DB },
                { "quiet", no_argument, NULL, ARG_QUIET },
                { "around", required_argument, NULL, ARG_AROUND },
                { "span", required_argument, NULL, ARG_SPAN },
                {}
        };
        CliOptions o = { .format = REPORT_TEXT, .window = DEFAULT_WINDOW, .span = DEFAULT_SPAN };
        bool span_given = false;
        int c;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                unsigned need = 0;

                switch (c) {
                case 'h':
                        fputs(usage, stdout);
                        return 1;
                case ARG_FORMAT:
                        /* A timeline is a listing, not a report: formats of its own. */
                        if (allowed & OPT_TIMELINE) {
                                need = OPT_TIMELINE;
                                if (timeline_format_from_string(optarg, &o.timeline_format) < 0) {
                                        fprintf(stderr, "evdiag %s: --format takes text, jsonl or csv, not \"%s\"\n",
                                                verb, optarg);
                                        return -EINVAL;
                                }
                                break;
                        }
                        need = OPT_ANALYZE;
                        if (report_format_from_string(optarg, &o.format) < 0) {
                                fprintf(stderr, "evdiag %s: --format takes text, markdown, json or html, not \"%s\"\n", verb, optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_TZ:
                        need = OPT_IMPORT | OPT_ANALYZE;
                        o.tz = optarg;
                        break;
                case ARG_HOST:
                        need = OPT_IMPORT;
                        o.host = optarg;
                        break;
                case ARG_WINDOW: {
                        char *end;
                        long long v;

                        need = OPT_ANALYZE;
                        errno = 0;
                        v = strtoll(optarg, &end, 10);
                        if (errno || *end || end == optarg || v < 0 || v > 30LL * 86400) {
                                fprintf(stderr, "evdiag %s: --window takes seconds (0 to 2592000), not \"%s\"\n", verb, optarg);
                                return -EINVAL;
                        }
                        o.window = v;
                        break;
                }
                case ARG_RULES:
                        need = OPT_ANALYZE;
                        o.rules_dir = optarg;
                        break;
                case ARG_DB:
                        need = OPT_DB | OPT_DB_REQUIRED;
                        o.db = optarg;
                        break;
                case ARG_QUIET:
                        need = OPT_IMPORT;
                        o.quiet = true;
                        break;
                case ARG_AROUND:
                        need = OPT_TIMELINE;
                        o.around = optarg;
                        break;
                case ARG_SPAN:
                        need = OPT_TIMELINE;
                        if (span_parse(optarg, &o.span) < 0) {
                                fprintf(stderr, "evdiag %s: --span takes a duration such as 90s, 30m, 2h or 1d "
                                        "(up to 366d), not \"%s\"\n", verb, optarg);
                                return -EINVAL;
                        }
                        span_given = true;
                        break;
                case '?':
                default:
                        if (optopt && optopt < 0x100)
                                fprintf(stderr, "evdiag %s: unknown option -%c\n", verb, optopt);
                        else if (optopt)
                                fprintf(stderr, "evdiag %s: option %s needs a value\n", verb, argv[optind - 1]);
                        else
                                fprintf(stderr, "evdiag %s: unknown option %s\n", verb, argv[optind - 1]);
                        fprintf(stderr, "Try 'evdiag %s --help'.\n", verb);
                        return -EINVAL;
                }
                if (!(allowed & need)) {
                        fprintf(stderr, "evdiag %s: %s is not an option of this verb\nTry 'evdiag %s --help'.\n",
                                verb, argv[optind - 1], verb);
                        return -EINVAL;
                }
        }
        if ((allowed & OPT_DB_REQUIRED) && !o.db) {
                fprintf(stderr, "evdiag %s: --db FILE is required\nTry 'evdiag %s --help'.\n", verb, verb);
                return -EINVAL;
        }
        if (span_given && !o.around) {
                fprintf(stderr, "evdiag %s: --span needs --around\nTry 'evdiag %s --help'.\n", verb, verb);
                return -EINVAL;
        }
        o.paths = argv + optind;
        o.n_paths = (size_t) (argc - optind);
        if ((allowed & OPT_TIMELINE) && o.n_paths == 0 && !o.db) {
                fprintf(stderr, "evdiag %s: name a case database with --db FILE, or files and folders to read\n"
                        "Try 'evdiag %s --help'.\n", verb, verb);
                return -EINVAL;
        }
        if ((allowed & OPT_IMPORT) && o.n_paths == 0 && !((allowed & OPT_TIMELINE) && o.db)) {
                fprintf(stderr, "evdiag %s: name at least one file or folder to read\nTry 'evdiag %s --help'.\n",
                        verb, verb);
                return -EINVAL;
        }
        if (!(allowed & OPT_IMPORT) && o.n_paths > 0) {
                fprintf(stderr, "evdiag %s: unexpected argument \"%s\"\nTry 'evdiag %s --help'.\n", verb, o.paths[0], verb);
                return -EINVAL;
        }
        *ret = o;
        return 0;
}

int cli_tz(const char *verb, const char *spec, Tz **ret) {
        int r = tz_new(spec, ret);

        if (r < 0)
                fprintf(stderr, "evdiag %s: --tz %s: %s\n", verb, spec,
                        r == -ENOENT ? "no such time zone" : "not a zone name or offset such as +02:00");
        return r;
}

int cli_open_store(const char *path, Store **ret) {
        _cleanup_free_ char *err = NULL;
        int r = store_open(path, ret, &err);

        if (r < 0)
                fprintf(stderr, "%s: cannot open the database: %s\n", path ? path : "(memory)",
                        err ? err : strerror(-r));
        return r;
}

void cli_print_diag(const Diag *d) {
        size_t n;
        const DiagEntry *e = diag_entries(d, &n);

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *line = diag_entry_format(d, &e[i]);

                fprintf(stderr, "%s\n", line ? line : e[i].message);
        }
        if (diag_count(d) > n)
                fprintf(stderr, "%s: %llu more warnings not shown\n", diag_path(d),
                        (unsigned long long) (diag_count(d) - n));
}

int cli_import(Store *store, const CliOptions *opts, Tz *tz, Importer **ret_importer, bool *ret_partial) {
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_(progress_freep) Progress *bar = NULL;
        ImportOptions io = { .tz = tz, .host = opts->host };
        const ImportInput *inputs;
        bool partial = false;
        size_t n;
        int r;

        /* The bar is for a person watching: not in logs and pipes, nor with --quiet. */
        bar = progress_new(stderr, !opts->quiet && isatty(STDERR_FILENO));
        r = bar ? importer_new(store, &io, &im) : -ENOMEM;
        for (size_t i = 0; r == 0 && i < opts->n_paths; i++)
                r = importer_add_path(im, opts->paths[i]);
        if (r == 0) {
                importer_set_tick(im, progress_tick, bar);
                r = importer_run(im, NULL, NULL);
                /* Warnings start on a clean line. */
                progress_clear(bar);
        }
        inputs = im ? importer_inputs(im, &n) : NULL;
        for (size_t i = 0; inputs && i < n; i++) {
                cli_print_diag(inputs[i].diag);
                if (inputs[i].status == INPUT_SKIPPED || inputs[i].status == INPUT_FAILED)
                        partial = true;
                if (inputs[i].status == INPUT_DUPLICATE)
                        fprintf(stderr, "%s: already imported (same content as %s); nothing added\n",
                                inputs[i].path, inputs[i].duplicate_of);
        }
        if (r < 0) {
                fprintf(stderr, "evdiag: import stopped: %s\n", r == -EIO ? store_error(store) : strerror(-r));
                return r;
        }
        /* The importer's options point into this frame; the caller only reads its inputs. */
        *ret_importer = TAKE_PTR(im);
        *ret_partial = partial;
        return 0;
}

/* The rule pack: --rules, else the source tree's when running from the build folder, else
 * the installed one (or the source tree's if evdiag was never installed). */
static const char *rules_dir(const CliOptions *opts) {
        char exe[PATH_MAX];
        ssize_t n;
        struct stat st;

        if (opts->rules_dir)
                return opts->rules_dir;
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                size_t root = strlen(EVDIAG_BUILD_ROOT);

                exe[n] = 0;
                if (strncmp(exe, EVDIAG_BUILD_ROOT, root) == 0 && exe[root] == '/')
                        return EVDIAG_RULES_SOURCE;
        }
        if (stat(EVDIAG_RULES_INSTALLED, &st) == 0 && S_ISDIR(st.st_mode))
                return EVDIAG_RULES_INSTALLED;
        return EVDIAG_RULES_SOURCE;
}

static int add_input(Report *report, Store *store, const char *path, const char *format, const char *status,
                     const char *host_key, uint64_t events, uint64_t duplicates, uint64_t rows,
                     uint64_t warnings_total, const Diag *d, char **warnings) {
        ReportInput *in = report_add_input(report);
        int r;

        if (!in)
                return -ENOMEM;
        in->path = strdup(path);
        in->format = strdup(format);
        in->status = strdup(status);
        if (!in->path || !in->format || !in->status)
                return -ENOMEM;
        if (host_key) {
                r = store_host_name(store, host_key, &in->host);
                if (r < 0)
                        return r;
                if (r == 0 && !(in->host = strdup(host_key)))
                        return -ENOMEM;
        }
        in->events = events;
        in->duplicates = duplicates;
        in->rows = rows;
        in->warnings_total = warnings_total;
        if (d) {
                size_t n;
                const DiagEntry *e = diag_entries(d, &n);

                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *line = diag_entry_format(d, &e[i]);

                        r = report_input_add_warning(in, line ? line : e[i].message);
                        if (r < 0)
                                return r;
                }
        }
        for (char **w = warnings; w && *w; w++) {
                r = report_input_add_warning(in, *w);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The report's inputs: those of this run in the order given, then any imported earlier into
 * the same database. */
static int report_inputs(Report *report, Store *store, const Importer *im) {
        StoreFileInfo *files = NULL;
        const ImportInput *inputs = NULL;
        size_t n_files = 0, n_inputs = 0;
        int r;

        if (im)
                inputs = importer_inputs(im, &n_inputs);
        for (size_t i = 0; i < n_inputs; i++) {
                const ImportInput *in = &inputs[i];

                r = add_input(report, store, in->path, import_format_name(in->format), input_status_name(in->status),
                              in->host, in->events, in->duplicates, in->rows, diag_count(in->diag), in->diag, NULL);
                if (r < 0)
                        return r;
        }
        r = store_files_list(store, &files, &n_files);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_files && r == 0; i++) {
                bool this_run = false;

                for (size_t j = 0; j < n_inputs && !this_run; j++)
                        this_run = strcmp(inputs[j].sha256, files[i].sha256) == 0;
                if (!this_run)
                        r = add_input(report, store, files[i].path, files[i].format, "imported", files[i].host,
                                      files[i].events, files[i].duplicates, files[i].rows, files[i].warnings_total,
                                      NULL, files[i].warnings);
        }
        store_files_list_free(files, n_files);
        return r;
}

int cli_correlate(Store *store, const CliOptions *opts, Report *report) {
        _cleanup_(rule_set_freep) RuleSet *rules = NULL;
        _cleanup_(diag_freep) Diag *d = NULL;
        CorrelateOptions co = { .window = opts->window };
        const char *dir = rules_dir(opts);
        int r;

        d = diag_new(dir);
        if (!d) {
                fprintf(stderr, "evdiag: out of memory\n");
                return EXIT_FATAL;
        }
        r = rule_set_load(dir, &rules, d);
        if (r < 0) {
                size_t n;
                const DiagEntry *e = diag_entries(d, &n);

                /* Rule messages already name their file and line. */
                for (size_t i = 0; i < n; i++)
                        fprintf(stderr, "%s\n", e[i].message);
                fprintf(stderr, "evdiag: cannot load the rules from %s\n", dir);
                return r == -ENOMEM ? EXIT_FATAL : EXIT_RULES;
        }
        r = correlate(store, rules, &co, report, d);
        if (r < 0) {
                size_t n;
                const DiagEntry *e = diag_entries(d, &n);

                for (size_t i = 0; i < n; i++)
                        fprintf(stderr, "evdiag: %s\n", e[i].message);
                fprintf(stderr, "evdiag: analysis failed: %s\n", strerror(-r));
                return EXIT_FATAL;
        }
        return EXIT_OK;
}

int cli_analyze(Store *store, const CliOptions *opts, const Importer *im, const char *assumed_tz, bool partial) {
        _cleanup_(report_freep) Report *report = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        ReportStyle style = {};
        int r;

        report = report_new(EVDIAG_VERSION, assumed_tz);
        if (!report) {
                fprintf(stderr, "evdiag: out of memory\n");
                return EXIT_FATAL;
        }
        r = cli_correlate(store, opts, report);
        if (r != EXIT_OK)
                return r;
        r = report_inputs(report, store, im);
        if (r < 0) {
                fprintf(stderr, "evdiag: cannot list the inputs: %s\n", r == -EIO ? store_error(store) : strerror(-r));
                return EXIT_FATAL;
        }
        style.color = opts->format == REPORT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        r = report_render(report, opts->format, &style, &out);
        if (r < 0) {
                fprintf(stderr, "evdiag: out of memory\n");
                return EXIT_FATAL;
        }
        if (fwrite(strbuf_str(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
                fprintf(stderr, "evdiag: cannot write the report: %s\n", strerror(errno));
                return EXIT_FATAL;
        }
        return partial ? EXIT_PARTIAL : EXIT_OK;
}
