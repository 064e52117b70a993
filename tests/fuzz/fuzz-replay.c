/* SPDX-License-Identifier: MIT */
/* Replays fuzz corpora without libFuzzer: every file named on the command line, or found in a
 * folder named there, goes once through LLVMFuzzerTestOneInput(). Run by `meson test`, so every
 * crash reproducer in a corpus is checked on every run. */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, unsigned *count) {
        FILE *f = fopen(path, "rb");
        uint8_t *buf = NULL;
        size_t n = 0, allocated = 0;

        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        for (;;) {
                if (n == allocated) {
                        uint8_t *p;

                        allocated = allocated ? allocated * 2 : 4096;
                        p = realloc(buf, allocated);
                        if (!p) {
                                free(buf);
                                fclose(f);
                                return -1;
                        }
                        buf = p;
                }
                size_t k = fread(buf + n, 1, allocated - n, f);
                if (k == 0)
                        break;
                n += k;
        }
        fclose(f);
        /* A copy of exactly n bytes, so that reading past the input trips the sanitizer. */
        uint8_t *exact = malloc(n ? n : 1);
        if (!exact) {
                free(buf);
                return -1;
        }
        if (n)
                memcpy(exact, buf, n);
        free(buf);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
        (*count)++;
        return 0;
}

static int run_path(const char *path, unsigned *count) {
        struct stat st;

        if (stat(path, &st) < 0) {
                /* A corpus that is not there (the shared logs on a fresh clone) is skipped; any
                 * other failure fails. */
                if (errno == ENOENT) {
                        printf("%s: not found, skipped\n", path);
                        return 0;
                }
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path, count);

        struct dirent **entries;
        int n = scandir(path, &entries, NULL, alphasort), r = 0;
        if (n < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < n; i++) {
                if (entries[i]->d_name[0] != '.') {
                        char *child;

                        if (asprintf(&child, "%s/%s", path, entries[i]->d_name) < 0)
                                r = -1;
                        else {
                                if (run_path(child, count) < 0)
                                        r = -1;
                                free(child);
                        }
                }
                free(entries[i]);
        }
        free(entries);
        return r;
}

int main(int argc, char **argv) {
        unsigned count = 0;
        int r = 0;

        /* The empty input is always part of the corpus. */
        LLVMFuzzerTestOneInput((const uint8_t *) "", 0);
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &count) < 0)
                        r = 1;
        printf("replayed %u inputs\n", count);
        return r;
}
