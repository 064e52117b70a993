/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/endpoint.h"

static void test_normalize(void **state) {
        static const struct {
                const char *in;
                const char *want;       /* NULL: -EBADMSG */
        } cases[] = {
                { "0.0.0.0:443", "0.0.0.0:443" },
                { "10.1.2.3:8443", "10.1.2.3:8443" },
                { "  10.1.2.3:8443\t", "10.1.2.3:8443" },
                { "[::]:443", "[::]:443" },
                { "[0:0::0]:443", "[::]:443" },
                { "[0000:0000:0000:0000:0000:0000:0000:0000]:443", "[::]:443" },
                { "[::1]:443", "[::1]:443" },
                { "[FE80::ABCD]:443", "[fe80::abcd]:443" },
                { "[::ffff:10.0.0.1]:443", "[::ffff:10.0.0.1]:443" },
                { "*:443", "0.0.0.0:443" },
                { ":443", "0.0.0.0:443" },
                { "WWW.Contoso.com:443", "www.contoso.com:443" },
                { "localhost:8172", "localhost:8172" },
                { "web_02.contoso-1.local:443", "web_02.contoso-1.local:443" },
                { "1.2.3.4:1", "1.2.3.4:1" },
                { "1.2.3.4:65535", "1.2.3.4:65535" },
                { "1.2.3.4:0", NULL },
                { "1.2.3.4:00443", "1.2.3.4:443" },
                { ":65536", NULL },
                { ":99999", NULL },
                { ":123456", NULL },
                { "1.2.3.4:", NULL },
                { "1.2.3.4", NULL },
                { "1.2.3.4:44a", NULL },
                { "1.2.3.4:-1", NULL },
                { "1.2.3.4: 443", NULL },
                { "1.2.3:443", NULL },          /* not an IPv4 address, and no host name either */
                { "1.2.3.4.5:443", NULL },
                { "256.1.1.1:443", NULL },
                { "010.0.0.1:443", NULL },
                { "::1:443", NULL },            /* IPv6 needs brackets */
                { "fe80::1:443", NULL },
                { "[::1]443", NULL },
                { "[::1]", NULL },
                { "[::1:443", NULL },
                { "[]:443", NULL },
                { "[1.2.3.4]:443", NULL },
                { "[::1]:", NULL },
                { "[::1]:0", NULL },
                { "[fe80::1%eth0]:443", NULL },
                { "www.contoso.com/x:443", NULL },
                { "www contoso.com:443", NULL },
                { "", NULL },
                { ":", NULL },
                { "*", NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out = (char *) "untouched";
                int r = endpoint_normalize(cases[i].in, strlen(cases[i].in), &out);

                if (!cases[i].want) {
                        if (r != -EBADMSG)
                                fail_msg("\"%s\": %d (%s), want -EBADMSG", cases[i].in, r, r == 0 ? out : "");
                        assert_string_equal(out, "untouched");
                        continue;
                }
                if (r != 0)
                        fail_msg("\"%s\": %d", cases[i].in, r);
                assert_string_equal(out, cases[i].want);
                free(out);
        }
}

static void test_normalize_bounds(void **state) {
        /* n bounds the read: a view into a longer string */
        const char *s = "0.0.0.0:443 and more";
        char *out;

        assert_int_equal(endpoint_normalize(s, 11, &out), 0);
        assert_string_equal(out, "0.0.0.0:443");
        free(out);
        assert_int_equal(endpoint_normalize(s, 10, &out), 0);
        assert_string_equal(out, "0.0.0.0:44");
        free(out);

        /* an embedded NUL is not an endpoint */
        assert_int_equal(endpoint_normalize("1.2.3.4\0x:443", 13, &out), -EBADMSG);
        assert_int_equal(endpoint_normalize("[::1\0]:443", 10, &out), -EBADMSG);

        /* a host name of 255 bytes is the most that is kept; 256 is refused */
        char name[300];
        memset(name, 'a', sizeof(name));
        memcpy(name + 255, ":443", 4);
        assert_int_equal(endpoint_normalize(name, 259, &out), 0);
        assert_int_equal(strlen(out), 259);
        free(out);
        memset(name, 'a', sizeof(name));
        memcpy(name + 256, ":443", 4);
        assert_int_equal(endpoint_normalize(name, 260, &out), -EBADMSG);

        /* every cut of a bracketed endpoint, each in an exact-size copy */
        const char *v6 = "[fe80::1234:5678]:8443";
        for (size_t n = 0; n <= strlen(v6); n++) {
                char *copy = malloc(n ? n : 1);

                assert_non_null(copy);
                memcpy(copy, v6, n);
                if (endpoint_normalize(copy, n, &out) == 0)
                        free(out);
                free(copy);
        }
}

static void test_equal(void **state) {
        assert_true(endpoint_equal("0.0.0.0:443", "*:443"));
        assert_true(endpoint_equal("0.0.0.0:443", ":443"));
        assert_true(endpoint_equal("[::]:443", "[0:0::0]:443"));
        assert_true(endpoint_equal("WWW.contoso.COM:443", "www.contoso.com:443"));
        assert_true(endpoint_equal(" 10.0.0.5:443 ", "10.0.0.5:443"));
        assert_false(endpoint_equal("0.0.0.0:443", "[::]:443"));
        assert_false(endpoint_equal("0.0.0.0:443", "0.0.0.0:444"));
        assert_false(endpoint_equal("10.0.0.5:443", "10.0.0.6:443"));
        assert_false(endpoint_equal("junk", "junk"));
        assert_false(endpoint_equal(NULL, "0.0.0.0:443"));
        assert_false(endpoint_equal("0.0.0.0:443", NULL));
}

static void test_binding_split(void **state) {
        static const struct {
                const char *in;
                int want;
                const char *ip;
                int64_t port;
                const char *host;
        } cases[] = {
                { "*:443:", 0, "*", 443, "" },
                { "*:80:www.contoso.com", 0, "*", 80, "www.contoso.com" },
                { "[::1]:443:www.x.com", 0, "[::1]", 443, "www.x.com" },
                { "[::]:443:", 0, "[::]", 443, "" },
                { "10.0.0.1:8443:", 0, "10.0.0.1", 8443, "" },
                { "192.168.0.1:80:www.contoso.com", 0, "192.168.0.1", 80, "www.contoso.com" },
                { ":80:", 0, "", 80, "" },
                { ":443", 0, "", 443, "" },             /* IIS 6 style, no host part */
                { "*:443:a:b", 0, "*", 443, "a:b" },
                { "808:*", -EBADMSG, NULL, 0, NULL },   /* net.tcp */
                { "*", -EBADMSG, NULL, 0, NULL },       /* net.pipe, msmq */
                { "", -EBADMSG, NULL, 0, NULL },
                { "*::", -EBADMSG, NULL, 0, NULL },
                { "*:0:", -EBADMSG, NULL, 0, NULL },
                { "*:65536:", -EBADMSG, NULL, 0, NULL },
                { "*:4x3:", -EBADMSG, NULL, 0, NULL },
                { "[::1:443:", -EBADMSG, NULL, 0, NULL },
                { "[::1]443:", -EBADMSG, NULL, 0, NULL },
                { "[::1]", -EBADMSG, NULL, 0, NULL },
                { "::1:443:", -EBADMSG, NULL, 0, NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *ip = (char *) "untouched", *host = (char *) "untouched";
                int64_t port = -42;
                int r = binding_information_split(cases[i].in, &ip, &port, &host);

                if (r != cases[i].want)
                        fail_msg("\"%s\": %d, want %d", cases[i].in, r, cases[i].want);
                if (r < 0) {
                        assert_string_equal(ip, "untouched");
                        assert_string_equal(host, "untouched");
                        assert_int_equal(port, -42);
                        continue;
                }
                assert_string_equal(ip, cases[i].ip);
                assert_int_equal(port, cases[i].port);
                assert_string_equal(host, cases[i].host);
                free(ip);
                free(host);
        }
}

static void test_binding_endpoint(void **state) {
        static const struct {
                const char *ip;
                int64_t port;
                const char *host;
                int64_t ssl_flags;
                const char *want;       /* NULL: -EBADMSG */
        } cases[] = {
                { "*", 443, "", 0, "0.0.0.0:443" },
                { "", 443, "", 0, "0.0.0.0:443" },
                { "*", 443, "www.contoso.com", 0, "0.0.0.0:443" },      /* no SNI: the host is ignored */
                { "*", 443, "WWW.Contoso.com", 1, "www.contoso.com:443" },
                { "*", 443, "www.contoso.com", 3, "www.contoso.com:443" },
                { "*", 443, "", 1, "0.0.0.0:443" },                     /* SNI without a host name */
                { "*", 443, NULL, 1, "0.0.0.0:443" },
                { "10.0.0.5", 8443, "", 0, "10.0.0.5:8443" },
                { "[::1]", 443, "", 0, "[::1]:443" },
                { "[0::0]", 443, "x.com", 2, "[::]:443" },
                { "*", 0, "", 0, NULL },
                { "*", 65536, "", 0, NULL },
                { "*", -1, "", 0, NULL },
                { NULL, 443, "", 0, NULL },
                { "bad ip", 443, "", 0, NULL },
                { "::1", 443, "", 0, NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out = NULL;
                int r = binding_endpoint(cases[i].ip, cases[i].port, cases[i].host, cases[i].ssl_flags, &out);

                if (!cases[i].want) {
                        if (r != -EBADMSG)
                                fail_msg("case %zu: %d, want -EBADMSG", i, r);
                        assert_null(out);
                        continue;
                }
                if (r != 0)
                        fail_msg("case %zu: %d", i, r);
                assert_string_equal(out, cases[i].want);
                free(out);
        }
}

static void test_find_in_text(void **state) {
        static const struct {
                const char *text;
                const char *want;       /* NULL: -ENOENT */
        } cases[] = {
                /* the http.sys messages of 15300, 15301 and 15021, old and new wordings */
                { "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .", "0.0.0.0:443" },
                { "SSL Certificate Settings deleted for endpoint : [::]:443 .", "[::]:443" },
                { "SSL Certificate Settings created by an admin process for Port : 10.0.0.5:8443 .", "10.0.0.5:8443" },
                { "An error occured while using SSL configuration for socket address 10.0.0.5:443.  "
                  "The error status code is contained within the returned data.", "10.0.0.5:443" },
                { "An error occurred while using SSL configuration for endpoint [::]:443.  "
                  "The error status code is contained within the returned data.", "[::]:443" },
                { "An error occurred while using SSL configuration for endpoint 0.0.0.0:444.  "
                  "The error status code is contained within the returned data.", "0.0.0.0:444" },
                /* a German-like rendering */
                { "Die SSL-Zertifikateinstellungen f\xC3\xBCr den Port 0.0.0.0:443 wurden gel\xC3\xB6scht.",
                  "0.0.0.0:443" },
                /* clock times and URLs are not endpoints */
                { "At 14:43:28 the settings for 0.0.0.0:443 were deleted.", "0.0.0.0:443" },
                { "The settings for 0.0.0.0:443 were deleted at 14:43:28.", "0.0.0.0:443" },
                { "Deleted at 14:43:28 PM", NULL },
                { "Deleted at 14:43", NULL },
                { "See http://x:80/ for details", NULL },
                { "See http://10.0.0.1:80/ for details", NULL },
                { "See http://www.contoso.com:80/path", NULL },
                { "Reservation for namespace identified by URL prefix https://+:443/ was successfully added.", NULL },
                { "Copied C:\\x\\file.txt:12 and user@host.com:25", NULL },
                /* a host name endpoint (SNI) */
                { "SSL Certificate Settings deleted for endpoint : www.contoso.com:443 .", "www.contoso.com:443" },
                { "SSL Certificate Settings deleted for endpoint : WWW.Contoso.COM:443 .", "www.contoso.com:443" },
                { "endpoint localhost:8172.", "localhost:8172" },
                /* an IP beats a host name, and the last IP wins */
                { "www.contoso.com:443 and 10.0.0.5:443", "10.0.0.5:443" },
                { "10.0.0.5:443 and www.contoso.com:443", "10.0.0.5:443" },
                { "from 10.0.0.5:443 to 10.0.0.6:443.", "10.0.0.6:443" },
                { "from [::1]:443 to 10.0.0.6:443.", "10.0.0.6:443" },
                { "from 10.0.0.6:443 to [::1]:443.", "[::1]:443" },
                /* a later token that is not a valid endpoint does not hide a valid one */
                { "endpoint 10.0.0.5:443 (was [1:2]:443)", "10.0.0.5:443" },
                { "endpoint 10.0.0.5:443 (was 10.0.0.6:0)", "10.0.0.5:443" },
                { "endpoint 10.0.0.5:443 (was 10.0.0.6:99999)", "10.0.0.5:443" },
                { "endpoint 10.0.0.5:443 (was 999.0.0.1:443)", "10.0.0.5:443" },
                { "endpoint www.contoso.com:443 (was x.y:0)", "www.contoso.com:443" },
                /* too many digits, a word after the port */
                { "endpoint 10.0.0.5:443444", NULL },
                { "endpoint 10.0.0.5:443abc", NULL },
                { "Event ID: 15300", NULL },
                { "", NULL },
                { ":", NULL },
                { ":443", NULL },
                { "]:443", NULL },
                { "[:443", NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out = NULL;
                int r = endpoint_find_in_text(cases[i].text, strlen(cases[i].text), &out);

                if (!cases[i].want) {
                        if (r != -ENOENT)
                                fail_msg("\"%s\": %d (%s), want -ENOENT", cases[i].text, r, r == 0 ? out : "");
                        assert_null(out);
                        continue;
                }
                if (r != 0)
                        fail_msg("\"%s\": %d, want %s", cases[i].text, r, cases[i].want);
                if (strcmp(out, cases[i].want) != 0)
                        fail_msg("\"%s\": %s, want %s", cases[i].text, out, cases[i].want);
                free(out);
        }

        /* every cut of a message, each in an exact-size copy */
        const char *msg = "deleted for endpoint : [fe80::1]:443 and 10.0.0.5:443 and www.x.com:80.";
        for (size_t n = 0; n <= strlen(msg); n++) {
                char *copy = malloc(n ? n : 1), *out;

                assert_non_null(copy);
                memcpy(copy, msg, n);
                if (endpoint_find_in_text(copy, n, &out) == 0)
                        free(out);
                free(copy);
        }

        /* a long line of colons and digits stays linear and finds nothing */
        size_t big = 256 * 1024;
        char *junk = malloc(big), *out;
        assert_non_null(junk);
        for (size_t i = 0; i < big; i++)
                junk[i] = i % 3 == 0 ? ':' : '1';
        assert_int_equal(endpoint_find_in_text(junk, big, &out), -ENOENT);
        free(junk);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalize),
                cmocka_unit_test(test_normalize_bounds),
                cmocka_unit_test(test_equal),
                cmocka_unit_test(test_binding_split),
                cmocka_unit_test(test_binding_endpoint),
                cmocka_unit_test(test_find_in_text),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
