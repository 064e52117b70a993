/* SPDX-License-Identifier: MIT */
#include "endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "utf.h"

static bool parse_port(const char *s, size_t n, int64_t *ret) {
        int64_t v = 0;

        if (n == 0 || n > 5)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        if (v < 1 || v > 65535)
                return false;
        *ret = v;
        return true;
}

static bool is_host_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_';
}

/* Canonical text of an address: IPv4 and IPv6 through inet_pton/inet_ntop, "*" and "" as
 * 0.0.0.0, host names lowercased. Writes at most 256 bytes with NUL; false when invalid. */
static bool canonical_address(const char *s, size_t n, bool bracketed, char out[static 256]) {
        char tmp[256];
        unsigned char bin[16];
        bool numeric = true;

        /* inet_pton() would stop at an embedded NUL and accept what is before it. */
        if (n >= sizeof(tmp) || memchr(s, 0, n))
                return false;
        memcpy(tmp, s, n);
        tmp[n] = 0;
        if (bracketed) {
                if (inet_pton(AF_INET6, tmp, bin) != 1)
                        return false;
                out[0] = '[';
                if (!inet_ntop(AF_INET6, bin, out + 1, 250))
                        return false;
                strcat(out, "]");
                return true;
        }
        if (n == 0 || (n == 1 && s[0] == '*')) {
                strcpy(out, "0.0.0.0");
                return true;
        }
        if (inet_pton(AF_INET, tmp, bin) == 1)
                return inet_ntop(AF_INET, bin, out, 256) != NULL;
        for (size_t i = 0; i < n; i++) {
                if (!is_host_char(s[i]))
                        return false;
                if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '.')
                        numeric = false;
                out[i] = ascii_tolower(s[i]);
        }
        out[n] = 0;
        /* Digits and dots that are not an IPv4 address ("1.2.3", "010.0.0.1") are no host name. */
        return !numeric;
}

int endpoint_normalize(const char *s, size_t n, char **ret) {
        const char *end, *colon = NULL, *addr_start;
        char addr[256], *r;
        bool bracketed = false;
        size_t alen;
        int64_t port;

        while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
                s++, n--;
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        end = s + n;
        if (n > 0 && s[0] == '[') {
                const char *close = memchr(s, ']', n);

                if (!close || close + 1 >= end || close[1] != ':')
                        return -EBADMSG;
                bracketed = true;
                colon = close + 1;
                addr_start = s + 1;
                alen = (size_t) (close - addr_start);
        } else {
                for (const char *p = end; p > s; p--)
                        if (p[-1] == ':') {
                                colon = p - 1;
                                break;
                        }
                if (!colon)
                        return -EBADMSG;
                addr_start = s;
                alen = (size_t) (colon - s);
                if (memchr(s, ':', alen))       /* an unbracketed IPv6 address */
                        return -EBADMSG;
        }
        if (!parse_port(colon + 1, (size_t) (end - colon - 1), &port))
                return -EBADMSG;
        if (!canonical_address(addr_start, alen, bracketed, addr))
                return -EBADMSG;
        if (asprintf(&r, "%s:%lld", addr, (long long) port) < 0)
                return -ENOMEM;
        *ret = r;
        return 0;
}

bool endpoint_equal(const char *a, const char *b) {
        _cleanup_free_ char *na = NULL, *nb = NULL;

        if (!a || !b)
                return false;
        if (endpoint_normalize(a, strlen(a), &na) < 0 || endpoint_normalize(b, strlen(b), &nb) < 0)
                return false;
        return strcmp(na, nb) == 0;
}

int binding_information_split(const char *s, char **ret_ip, int64_t *ret_port, char **ret_host) {
        const char *p, *ip_end, *port_start, *port_end;
        _cleanup_free_ char *ip = NULL, *host = NULL;
        int64_t port;

        if (s[0] == '[') {
                ip_end = strchr(s, ']');
                if (!ip_end || ip_end[1] != ':')
                        return -EBADMSG;
                ip_end++;
                port_start = ip_end + 1;
        } else {
                ip_end = strchr(s, ':');
                if (!ip_end)
                        return -EBADMSG;
                port_start = ip_end + 1;
        }
        p = strchr(port_start, ':');
        port_end = p ? p : port_start + strlen(port_start);
        if (!parse_port(port_start, (size_t) (port_end - port_start), &port))
                return -EBADMSG;
        ip = strndup_view(s, (size_t) (ip_end - s));
        host = strdup(p ? p + 1 : "");
        if (!ip || !host)
                return -ENOMEM;
        *ret_ip = TAKE_PTR(ip);
        *ret_port = port;
        *ret_host = TAKE_PTR(host);
        return 0;
}

int binding_endpoint(const char *ip, int64_t port, const char *host, int64_t ssl_flags, char **ret) {
        _cleanup_free_ char *raw = NULL;

        if (port < 1 || port > 65535 || !ip)
                return -EBADMSG;
        if ((ssl_flags & 1) && host && *host) {
                if (asprintf(&raw, "%s:%lld", host, (long long) port) < 0)
                        return -ENOMEM;
        } else if (asprintf(&raw, "%s:%lld", ip, (long long) port) < 0)
                return -ENOMEM;
        return endpoint_normalize(raw, strlen(raw), ret);
}

/* The token that ends with ":port" at s[colon]: [*ret_start, *ret_end). */
static bool token_at(const char *s, size_t n, size_t colon, size_t *ret_start, size_t *ret_end) {
        size_t e = colon + 1, i = colon;

        while (e < n && s[e] >= '0' && s[e] <= '9')
                e++;
        if (e == colon + 1 || e - colon - 1 > 5)
                return false;
        if (e < n && (s[e] == ':' || (is_host_char(s[e]) && s[e] != '.')))
                return false;   /* a clock time, or a longer word */
        if (i > 0 && s[i - 1] == ']') {
                i--;
                while (i > 0 && s[i - 1] != '[' && (s[i - 1] == ':' || s[i - 1] == '.' || s[i - 1] == '%' ||
                       (s[i - 1] >= '0' && s[i - 1] <= '9') || (ascii_tolower(s[i - 1]) >= 'a' &&
                                                                ascii_tolower(s[i - 1]) <= 'f')))
                        i--;
                if (i == 0 || s[i - 1] != '[')
                        return false;
                i--;
        } else {
                while (i > 0 && is_host_char(s[i - 1]))
                        i--;
                if (i == colon)
                        return false;
                if (i > 0 && (s[i - 1] == ':' || s[i - 1] == '/' || s[i - 1] == '\\' || s[i - 1] == '@'))
                        return false;   /* part of a URL, a path or a longer token */
        }
        *ret_start = i;
        *ret_end = e;
        return true;
}

static bool looks_like_host_name(const char *s, size_t n) {
        bool letter = false, dot = false;

        for (size_t i = 0; i < n; i++) {
                char c = ascii_tolower(s[i]);

                if (c >= 'a' && c <= 'z')
                        letter = true;
                else if (c == '.')
                        dot = true;
        }
        return letter && (dot || (n >= 9 && ascii_strcaseeq_n(s, 9, "localhost", 9)));
}

int endpoint_find_in_text(const char *s, size_t n, char **ret) {
        size_t ip_s = 0, ip_e = 0, host_s = 0, host_e = 0;
        bool have_ip = false, have_host = false;

        for (size_t i = 0; i < n; i++) {
                unsigned char bin[16];
                char tmp[64];
                size_t ts, te;
                int64_t port;

                if (s[i] != ':' || !token_at(s, n, i, &ts, &te))
                        continue;
                /* Only valid candidates are remembered, so that a later malformed one cannot
                 * hide the endpoint. */
                if (!parse_port(s + i + 1, te - i - 1, &port))
                        continue;
                if (s[ts] == '[') {
                        /* "[" address "]" ":" port */
                        if (i - ts - 2 < sizeof(tmp)) {
                                memcpy(tmp, s + ts + 1, i - ts - 2);
                                tmp[i - ts - 2] = 0;
                                if (inet_pton(AF_INET6, tmp, bin) == 1) {
                                        have_ip = true;
                                        ip_s = ts, ip_e = te;
                                }
                        }
                        continue;
                }
                if (i - ts < sizeof(tmp)) {
                        memcpy(tmp, s + ts, i - ts);
                        tmp[i - ts] = 0;
                        if (inet_pton(AF_INET, tmp, bin) == 1) {
                                have_ip = true;
                                ip_s = ts, ip_e = te;
                                continue;
                        }
                }
                if (looks_like_host_name(s + ts, i - ts) && i - ts < 256) {
                        have_host = true;
                        host_s = ts, host_e = te;
                }
        }
        /* The last valid one wins: messages name the endpoint at their end. */
        if (have_ip && endpoint_normalize(s + ip_s, ip_e - ip_s, ret) == 0)
                return 0;
        if (have_host && endpoint_normalize(s + host_s, host_e - host_s, ret) == 0)
                return 0;
        return -ENOENT;
}
