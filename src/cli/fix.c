/* SPDX-License-Identifier: MIT */
/* evdiag fix: the cure for KB 2025598 written into applicationHost.config, with a diff to read
 * first, a check before anything is written, a backup, and an atomic replacement. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "cli.h"
#include "fix/apphost-fix.h"
#include "report/escape.h"

#define BACKUP_SUFFIX ".evdiag-bak"

static const char usage[] =
        "Usage: evdiag fix applicationHost.config [--out FILE | --in-place]\n"
        "\n"
        "Removes the legacy IIS 6 SSL properties that make HTTP.sys lose its HTTPS bindings (KB 2025598):\n"
        "every <property id=\"5506\"> (the certificate hash) and id=\"5511\" (its store name) under\n"
        "system.applicationHost/customMetadata/key, and every key left with nothing else in it. Nothing\n"
        "else changes, byte for byte: comments, attribute order, whitespace, line ends, encoding, BOM.\n"
        "Prints what goes and a unified diff, and checks the result before writing anything.\n"
        "\n"
        "Without --out or --in-place it only shows what it would do.\n"
        "\n"
        "Options:\n"
        "  --out FILE     write the fixed copy to FILE (replaced atomically; never the input itself)\n"
        "  --in-place     replace the input atomically, after keeping it as FILE" BACKUP_SUFFIX "\n"
        "                 (refused when that backup exists already, or the input is read-only)\n"
        "  -h, --help     show this help\n"
        "\n"
        "Exit codes: 0 done (fixed, shown, or nothing to fix); 1 not fixed: the input is unreadable,\n"
        "malformed or no applicationHost.config, or the write was refused (backup exists, read-only\n"
        "input); 2 bad command line (also --out naming the input); 4 writing failed.\n";

/* The whole file, at most EVDIAG_MAX_CONFIG_FILE bytes, and what it is. */
static int read_input(const char *path, uint8_t **ret, size_t *ret_size, struct stat *ret_st) {
        _cleanup_free_ uint8_t *buf = NULL;
        struct stat st;
        size_t n = 0;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
                return -errno;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                fprintf(stderr, "%s: not a regular file\n", path);
                close(fd);
                return -EINVAL;
        }
        if (st.st_size > EVDIAG_MAX_CONFIG_FILE) {
                fprintf(stderr, "%s: larger than %d bytes: not an applicationHost.config evdiag edits\n", path,
                        EVDIAG_MAX_CONFIG_FILE);
                close(fd);
                return -E2BIG;
        }
        /* One spare byte shows a file that grew past its size while it was read. */
        buf = malloc((size_t) st.st_size + 1);
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        for (;;) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size + 1 - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
                        break;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > (size_t) st.st_size) {
                        r = -EBUSY;
                        fprintf(stderr, "%s: the file changed while it was read: try again\n", path);
                        break;
                }
        }
        close(fd);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        *ret_st = st;
        return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Gives the new file fd the owner in owner (when we may: only root may give a file away; an
 * ordinary user's file is theirs) and mode (despite the umask), writes data, flushes it to disk
 * and closes fd. Returns 0 or a negative errno. */
static int fill_and_close(int fd, const uint8_t *data, size_t size, mode_t mode, const struct stat *owner) {
        int r;

        if (owner && fchown(fd, owner->st_uid, owner->st_gid) < 0) {
                /* not root: the file stays ours */
        }
        r = fchmod(fd, mode) < 0 ? -errno : 0;
        if (r >= 0)
                r = write_all(fd, data, size);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        return r;
}

/* The folder of path, for its temporary file and the fsync after the rename. */
static char *dir_of(const char *path) {
        const char *slash = strrchr(path, '/');

        if (!slash)
                return strdup(".");
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t) (slash - path));
}

/* Writes data to target through a temporary file beside it, flushed, then renamed over target,
 * and flushes the folder. The file gets mode (and, when we may, the owner in st). Prints what
 * goes wrong. Returns 0 or a negative errno. */
static int write_atomic(const char *target, const uint8_t *data, size_t size, mode_t mode, const struct stat *owner) {
        _cleanup_free_ char *tmp = NULL, *dir = NULL;
        int fd, dfd, r;

        if (asprintf(&tmp, "%s.evdiag-tmp-XXXXXX", target) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }
        dir = dir_of(target);
        if (!dir)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                fprintf(stderr, "%s: cannot create a temporary file beside it: %s\n", target, strerror(errno));
                return r;
        }
        r = fill_and_close(fd, data, size, mode, owner);
        if (r >= 0 && rename(tmp, target) < 0)
                r = -errno;
        if (r < 0) {
                fprintf(stderr, "%s: cannot write: %s\n", target, strerror(-r));
                (void) unlink(tmp);
                return r;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                (void) fsync(dfd);
                close(dfd);
        }
        return 0;
}

/* PATH.evdiag-bak, created exclusively: an existing backup is never overwritten. It gets the
 * original's mode and, when we may (root), its owner: whoever could read the file can read its
 * backup. */
static int write_backup(const char *backup, const uint8_t *data, size_t size, const struct stat *st) {
        mode_t mode = st->st_mode & 07777;
        int fd, r;

        fd = open(backup, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        r = fill_and_close(fd, data, size, mode, st);
        if (r < 0)
                (void) unlink(backup);
        return r;
}

/* Text of the file, made harmless for a terminal. */
static const char *shown(StrBuf *b, const char *s) {
        strbuf_reset(b);
        if (escape_terminal(b, s, false) < 0)
                return "?";
        return strbuf_str(b);
}

/* The diff, with control characters other than tab and line ends (C1 ones and a CR that ends
 * no line too) replaced when standard output is a terminal: the file's text must not drive it,
 * nor overwrite the diff's own marks. Piped, it stays as it is, for patch(1). */
static void print_diff(const StrBuf *diff) {
        bool tty = isatty(STDOUT_FILENO);

        for (size_t i = 0; i < diff->len; i++) {
                unsigned char c = (unsigned char) diff->data[i];
                unsigned char next = i + 1 < diff->len ? (unsigned char) diff->data[i + 1] : 0;

                if (tty && c == 0xC2 && next >= 0x80 && next <= 0x9F) {
                        putchar('?');
                        i++;
                        continue;
                }
                if (tty && (((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) ||
                            (c == '\r' && next != '\n')))
                        c = '?';
                putchar(c);
        }
}

static void print_plan(const char *path, const ApphostFixPlan *plan) {
        _cleanup_strbuf_ StrBuf b = {};
        const ApphostFixProperty *props;
        size_t n, keys = apphost_fix_plan_keys_removed(plan);

        props = apphost_fix_plan_properties(plan, &n);
        printf("%s: %zu legacy IIS 6 SSL propert%s to remove (KB 2025598)", path, n, n == 1 ? "y" : "ies");
        if (keys > 0)
                printf(", and %zu key%s left empty by it", keys, keys == 1 ? "" : "s");
        printf(":\n");
        for (size_t i = 0; i < n; i++) {
                const ApphostFixProperty *q = &props[i];

                printf("  %s:%llu: property %u (%s) in ", path, (unsigned long long) q->line, q->id,
                       q->id == APPHOST_FIX_SSL_CERT_HASH ? "SSL certificate hash" : "SSL certificate store name");
                if (q->key_path)
                        printf("<key path=\"%s\">", shown(&b, q->key_path));
                else
                        printf("a <key> without a path");
                printf(" (line %llu)\n", (unsigned long long) q->key_line);
                if (q->key_removed && (i + 1 == n || props[i + 1].key_line != q->key_line)) {
                        printf("  %s:%llu: ", path, (unsigned long long) q->key_line);
                        if (q->key_path)
                                printf("<key path=\"%s\">", shown(&b, q->key_path));
                        else
                                printf("<key>");
                        printf(" holds nothing else: removed with them\n");
                }
        }
        printf("\n");
}

int verb_fix(int argc, char **argv) {
        enum { ARG_OUT = 0x100, ARG_IN_PLACE };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "out", required_argument, NULL, ARG_OUT },
                { "in-place", no_argument, NULL, ARG_IN_PLACE },
                {}
        };
        _cleanup_free_ uint8_t *data = NULL, *out = NULL;
        _cleanup_free_ char *backup = NULL;
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *diag = NULL;
        _cleanup_strbuf_ StrBuf diff = {};
        const char *path, *out_path = NULL;
        bool in_place = false;
        struct stat st, ost;
        size_t size = 0, out_size = 0, n = 0;
        int c, r;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(usage, stdout);
                        return EXIT_OK;
                case ARG_OUT:
                        out_path = optarg;
                        break;
                case ARG_IN_PLACE:
                        in_place = true;
                        break;
                default:
                        fprintf(stderr, "evdiag fix: unknown or incomplete option \"%s\"\nTry 'evdiag fix --help'.\n",
                                argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (argc - optind != 1) {
                fprintf(stderr, "evdiag fix: name one applicationHost.config\nTry 'evdiag fix --help'.\n");
                return EXIT_USAGE;
        }
        if (out_path && in_place) {
                fprintf(stderr, "evdiag fix: --out and --in-place exclude each other\nTry 'evdiag fix --help'.\n");
                return EXIT_USAGE;
        }
        path = argv[optind];
        if (out_path && *out_path == 0) {
                fprintf(stderr, "evdiag fix: --out needs a file name\n");
                return EXIT_USAGE;
        }

        r = read_input(path, &data, &size, &st);
        if (r == -ENOMEM)
                goto oom;
        if (r < 0)
                return EXIT_PARTIAL;
        if (out_path && stat(out_path, &ost) == 0 && ost.st_dev == st.st_dev && ost.st_ino == st.st_ino) {
                fprintf(stderr, "evdiag fix: --out %s is the input itself: nothing written.\n"
                        "Use --in-place to replace it (it keeps a backup in %s" BACKUP_SUFFIX ").\n", out_path, path);
                return EXIT_USAGE;
        }

        diag = diag_new(path);
        if (!diag)
                goto oom;
        r = apphost_fix_plan(data, size, &plan, diag);
        if (r == -ENOMEM)
                goto oom;
        if (r < 0) {
                cli_print_diag(diag);
                fprintf(stderr, "%s: not changed\n", path);
                return EXIT_PARTIAL;
        }
        (void) apphost_fix_plan_ranges(plan, &n);
        if (n == 0) {
                printf("%s: nothing to fix: no legacy IIS 6 SSL property (5506, 5511) in customMetadata. "
                       "Nothing written.\n", path);
                return EXIT_OK;
        }

        print_plan(path, plan);
        r = apphost_fix_diff(data, size, plan, path, &diff);
        if (r < 0)
                goto oom;
        print_diff(&diff);
        r = apphost_fix_apply(data, size, plan, &out, &out_size);
        if (r < 0)
                goto oom;
        r = apphost_fix_verify(data, size, plan, out, out_size, diag);
        if (r == -ENOMEM)
                goto oom;
        if (r < 0) {
                /* A bug of evdiag's, not of the file: say so rather than write something wrong. */
                fflush(stdout);
                cli_print_diag(diag);
                fprintf(stderr, "%s: the fixed copy failed its check: nothing written. Please report this.\n", path);
                return EXIT_FATAL;
        }
        printf("\nChecked: the result is well-formed and differs only by the lines above (%s).\n",
               apphost_fix_plan_encoding(plan));

        if (!out_path && !in_place) {
                printf("Dry run: nothing written. To apply:\n"
                       "  evdiag fix %s --in-place        (keeps the original as %s" BACKUP_SUFFIX ")\n"
                       "  evdiag fix %s --out FILE        (writes a fixed copy)\n",
                       path, path, path);
                return EXIT_OK;
        }
        fflush(stdout);

        if (out_path) {
                mode_t mode = 0666;

                if (stat(out_path, &ost) == 0)
                        mode = ost.st_mode & 07777;
                else {
                        mode_t mask = umask(0);

                        umask(mask);
                        mode &= ~mask;
                }
                r = write_atomic(out_path, out, out_size, mode, NULL);
                if (r == -ENOMEM)
                        goto oom;
                if (r < 0)
                        return EXIT_FATAL;
                printf("Wrote %s. %s is unchanged.\n", out_path, path);
                return EXIT_OK;
        }

        /* --in-place */
        if (lstat(path, &ost) == 0 && S_ISLNK(ost.st_mode)) {
                fprintf(stderr, "%s: a symbolic link: run evdiag fix on the file it points to. Not changed.\n", path);
                return EXIT_PARTIAL;
        }
        /* The rename would succeed in a writable folder, but a read-only file says "do not
         * change me": as root too, who passes every access check. */
        if ((st.st_mode & 0222) == 0 || access(path, W_OK) < 0) {
                fprintf(stderr, "%s: the file is read-only: not changed. Make it writable first, or write a copy "
                        "with --out FILE.\n", path);
                return EXIT_PARTIAL;
        }
        if (asprintf(&backup, "%s" BACKUP_SUFFIX, path) < 0) {
                backup = NULL;
                goto oom;
        }
        r = write_backup(backup, data, size, &st);
        if (r == -EEXIST) {
                fprintf(stderr, "%s: a backup exists already: not changed. Move it away first (evdiag never "
                        "overwrites a backup).\n", backup);
                return EXIT_PARTIAL;
        }
        if (r < 0) {
                fprintf(stderr, "%s: cannot write the backup: %s. %s not changed.\n", backup, strerror(-r), path);
                return EXIT_FATAL;
        }
        /* The file must still be the one planned on. */
        if (stat(path, &ost) < 0 || ost.st_dev != st.st_dev || ost.st_ino != st.st_ino || ost.st_size != st.st_size ||
            ost.st_mtim.tv_sec != st.st_mtim.tv_sec || ost.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
                fprintf(stderr, "%s: the file changed while evdiag worked on it: not changed (backup kept in %s).\n",
                        path, backup);
                return EXIT_PARTIAL;
        }
        r = write_atomic(path, out, out_size, st.st_mode & 07777, &st);
        if (r == -ENOMEM)
                goto oom;
        if (r < 0) {
                fprintf(stderr, "%s: not changed (backup kept in %s)\n", path, backup);
                return EXIT_FATAL;
        }
        printf("Fixed %s in place; the original is kept in %s.\n", path, backup);
        return EXIT_OK;

oom:
        fprintf(stderr, "evdiag fix: out of memory\n");
        return EXIT_FATAL;
}
