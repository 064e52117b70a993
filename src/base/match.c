/* SPDX-License-Identifier: MIT */
#include "match.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "limits.h"
#include "utf.h"

static const char *const op_names[_MATCH_OP_MAX] = {
        [MATCH_EQUALS] = "equals",
        [MATCH_PREFIX] = "prefix",
        [MATCH_SUFFIX] = "suffix",
        [MATCH_PATH_SUFFIX] = "path-suffix",
        [MATCH_CONTAINS] = "contains",
        [MATCH_REGEX] = "regex",
        [MATCH_ENDPOINT] = "endpoint",
};

int match_op_from_string(const char *s, MatchOp *ret) {
        for (MatchOp op = 0; op < _MATCH_OP_MAX; op++)
                if (strcmp(s, op_names[op]) == 0) {
                        *ret = op;
                        return 0;
                }
        return -EINVAL;
}

const char *match_op_to_string(MatchOp op) {
        return op >= 0 && op < _MATCH_OP_MAX ? op_names[op] : "?";
}

struct Matcher {
        MatchOp op;
        char *pattern;
        size_t len;
        bool have_regex;
        regex_t regex;
};

Matcher *matcher_free(Matcher *m) {
        if (!m)
                return NULL;
        if (m->have_regex)
                regfree(&m->regex);
        free(m->pattern);
        free(m);
        return NULL;
}

/* Whether a repetition operator follows another ("a++", "a*{2}"). POSIX leaves that undefined;
 * glibc nests the repetitions, and its memory and time double with each one. Backslash escapes
 * and bracket expressions hold no operators. */
static bool regex_has_stacked_quantifiers(const char *p) {
        bool after_quantifier = false;

        while (*p) {
                if (*p == '\\') {
                        after_quantifier = false;
                        p += p[1] ? 2 : 1;
                } else if (*p == '[') {
                        /* "[]x]" and "[^]x]" hold a literal "]" first */
                        p++;
                        if (*p == '^')
                                p++;
                        if (*p == ']')
                                p++;
                        while (*p && *p != ']') {
                                if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                                        const char *e = strstr(p + 2, (const char[]) { p[1], ']', 0 });

                                        p = e ? e + 2 : p + 1;
                                } else
                                        p++;
                        }
                        if (*p)
                                p++;
                        after_quantifier = false;
                } else if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
                        if (after_quantifier)
                                return true;
                        if (*p == '{') {
                                const char *e = strchr(p, '}');

                                p = e ? e : p + strlen(p) - 1;
                        }
                        p++;
                        after_quantifier = true;
                } else {
                        after_quantifier = false;
                        p++;
                }
        }
        return false;
}

int matcher_new(MatchOp op, const char *pattern, Matcher **ret, char **ret_error) {
        _cleanup_(matcher_freep) Matcher *m = NULL;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->op = op;
        m->pattern = strdup(pattern);
        if (!m->pattern)
                return -ENOMEM;
        m->len = strlen(pattern);
        if (op == MATCH_REGEX) {
                int r;

                if (m->len > EVDIAG_MAX_REGEX) {
                        if (ret_error && asprintf(ret_error, "regular expression longer than %d bytes",
                                                  EVDIAG_MAX_REGEX) < 0)
                                *ret_error = NULL;
                        return -EINVAL;
                }
                if (regex_has_stacked_quantifiers(pattern)) {
                        if (ret_error && asprintf(ret_error, "bad regular expression \"%s\": a repetition "
                                                  "operator follows another", pattern) < 0)
                                *ret_error = NULL;
                        return -EINVAL;
                }
                r = regcomp(&m->regex, pattern, REG_EXTENDED | REG_ICASE);
                if (r != 0) {
                        char buf[256];

                        regerror(r, &m->regex, buf, sizeof(buf));
                        if (ret_error && asprintf(ret_error, "bad regular expression \"%s\": %s", pattern, buf) < 0)
                                *ret_error = NULL;
                        return -EINVAL;
                }
                m->have_regex = true;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

static bool ci_equal(const char *a, const char *b, size_t n) {
        return ascii_strcaseeq_n(a, n, b, n);
}

static bool ci_contains(const char *hay, size_t hn, const char *needle, size_t nn) {
        if (nn == 0)
                return true;
        for (size_t i = 0; i + nn <= hn; i++)
                if (ascii_tolower(hay[i]) == ascii_tolower(needle[0]) && ci_equal(hay + i, needle, nn))
                        return true;
        return false;
}

bool matcher_test(const Matcher *m, const char *subject) {
        size_t n;

        if (!subject)
                return false;
        n = strlen(subject);
        switch (m->op) {
        case MATCH_EQUALS:
                return n == m->len && ci_equal(subject, m->pattern, n);
        case MATCH_PREFIX:
                return n >= m->len && ci_equal(subject, m->pattern, m->len);
        case MATCH_SUFFIX:
                return n >= m->len && ci_equal(subject + n - m->len, m->pattern, m->len);
        case MATCH_PATH_SUFFIX: {
                /* Quotes and blanks around an image path are not part of the name. */
                while (n > 0 && (subject[n - 1] == '"' || subject[n - 1] == ' '))
                        n--;
                if (n < m->len || !ci_equal(subject + n - m->len, m->pattern, m->len))
                        return false;
                if (n == m->len)
                        return true;
                char c = subject[n - m->len - 1];
                return c == '\\' || c == '/' || c == '"';
        }
        case MATCH_CONTAINS:
                return ci_contains(subject, n, m->pattern, m->len);
        case MATCH_REGEX:
                return regexec(&m->regex, subject, 0, NULL, 0) == 0;
        case MATCH_ENDPOINT:
                return endpoint_equal(subject, m->pattern);
        default:
                return false;
        }
}

int matcher_capture(const Matcher *m, const char *subject, unsigned n, char **ret) {
        regmatch_t groups[10];
        char *s;

        if (!m->have_regex || !subject || n == 0 || n >= ELEMENTSOF(groups))
                return 0;
        if (regexec(&m->regex, subject, ELEMENTSOF(groups), groups, 0) != 0)
                return 0;
        if (groups[n].rm_so < 0)
                return 0;
        s = strndup_view(subject + groups[n].rm_so, (size_t) (groups[n].rm_eo - groups[n].rm_so));
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 1;
}

char *text_label_value(const char *text, const char *label) {
        size_t ln = strlen(label);

        if (!text || ln == 0)
                return NULL;
        for (const char *line = text; line && *line; ) {
                const char *end = strchr(line, '\n'), *p = line;
                size_t len = end ? (size_t) (end - line) : strlen(line);

                while (p < line + len && (*p == ' ' || *p == '\t'))
                        p++;
                if ((size_t) (line + len - p) > ln && ci_equal(p, label, ln)) {
                        const char *v = p + ln;

                        while (v < line + len && (*v == ' ' || *v == '\t'))
                                v++;
                        if (v < line + len && *v == ':') {
                                const char *e = line + len;

                                v++;
                                while (v < e && (*v == ' ' || *v == '\t'))
                                        v++;
                                while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                                        e--;
                                return strndup_view(v, (size_t) (e - v));
                        }
                }
                line = end ? end + 1 : NULL;
        }
        return NULL;
}
