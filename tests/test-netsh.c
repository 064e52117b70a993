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
#include "base/diag.h"
#include "base/limits.h"
#include "collect-sink.h"
#include "test-util.h"
#include "importer/netsh.h"

#define IIS_APP_ID "{4dc3e181-e14b-4a21-b022-59fc669b0914}"

static int parse(const void *data, size_t size, CollectSink *c, Diag **ret_diag) {
        return parse_memory(netsh_parse, data, size, &(ParseOptions) {}, c, ret_diag);
}

static int parse_str(const char *s, CollectSink *c, Diag **ret_diag) {
        return parse(s, strlen(s), c, ret_diag);
}

static void assert_str_or_null(const char *got, const char *want) {
        if (want)
                assert_string_equal(got, want);
        else
                assert_null(got);
}

static void check_binding(const NetshBinding *b, const char *kind, const char *endpoint, const char *hash,
                          const char *app_id, const char *store, uint64_t line) {
        assert_string_equal(b->kind, kind);
        assert_str_or_null(b->endpoint, endpoint);
        assert_str_or_null(b->cert_hash, hash);
        assert_str_or_null(b->app_id, app_id);
        assert_str_or_null(b->store_name, store);
        if (line)
                assert_int_equal(b->line, line);
}

/* What tests/data/netsh/sslcert.txt must give, without any warning (parse_sample()). */
static void check_sample(const CollectSink *c) {
        assert_int_equal(c->n_netsh, 4);
        check_binding(&c->netsh[0], "ipport", "0.0.0.0:443", "5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4",
                      IIS_APP_ID, "My", 7);
        check_binding(&c->netsh[1], "ipport", "[::]:8443", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
                      "{00112233-4455-6677-8899-aabbccddeeff}", NULL, 40);
        check_binding(&c->netsh[2], "hostnameport", "shop.contoso.com:443",
                      "c3ab8ff13720e8ad9047dd39466b3c8974e592c2", IIS_APP_ID, "WebHosting", 73);
        check_binding(&c->netsh[3], "ccs", "443", NULL, IIS_APP_ID, NULL, 106);
}

static void parse_sample(const void *data, size_t n) {
        parse_and_check(netsh_parse, data, n, &(ParseOptions) {}, check_sample);
}

static void test_sample(void **state) {
        _cleanup_free_ char *data = NULL;
        size_t n;

        data = read_data("netsh/sslcert.txt", &n);
        parse_sample(data, n);
}

/* "netsh http show sslcert > file" in PowerShell writes UTF-16LE with a BOM. */
static void test_utf16(void **state) {
        _cleanup_free_ char *data = NULL;
        _cleanup_free_ uint8_t *wide = NULL;
        size_t n, wn;

        data = read_data("netsh/sslcert.txt", &n);
        wide = to_utf16(data, n, false, &wn);
        parse_sample(wide, wn);
}

static void test_hash_forms(void **state) {
        static const char doc[] =
                "SSL Certificate bindings:\n"
                "-------------------------\n"
                "\n"
                "    IP:port                      : 10.1.2.3:443\n"                       /* 4 */
                /* pasted from the certificate dialog: spaced, uppercase, U+200E in front */
                "    Certificate Hash             : \xe2\x80\x8e" "D0 DA 0B 35 CF 91 C5 5B 91 A1 07 55 C0 B4 B1 1D FB 1D 3F F9\xe2\x80\x8f\n"
                "    Application ID               : " IIS_APP_ID "\n"
                "    Certificate Store Name       : MY\n"
                "\n"
                "    IP:port                      : 0.0.0.0:8443\n"                       /* 9 */
                "    Certificate Hash             : d0da0b35cf91c55b91a10755c0b4b11dfb1d3ffz\n" /* 10 */
                "    Application ID               : " IIS_APP_ID "\n"
                "\n"
                "    IP:port                      : 0.0.0.0:9443\n"                       /* 13 */
                "    Certificate Hash             : d0da0b35cf91c55b91a10755c0b4b11dfb1d3ff\n"  /* 14 */
                "\n"
                "    IP:port                      : 0.0.0.0:10443\n"                      /* 16 */
                "    Certificate Hash             : d0da0b35cf91c55b91a10755c0b4b11dfb1d3ff9aa\n" /* 17 */
                "\n"
                "    IP:port                      : 0.0.0.0:11443\n"                      /* 19 */
                "    Certificate Hash             :\n"                                    /* 20 */
                "    Application ID               :\n"
                "    Certificate Store Name       :   \n"
                "\n"
                "    IP:port                      : 0.0.0.0:12443\n"
                "    Certificate Hash             : 2ace368a90d2117be7a0065dfe259b2e8c94f538\n";
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_netsh, 6);
        check_binding(&c.netsh[0], "ipport", "10.1.2.3:443", "d0da0b35cf91c55b91a10755c0b4b11dfb1d3ff9",
                      IIS_APP_ID, "MY", 4);
        check_binding(&c.netsh[1], "ipport", "0.0.0.0:8443", NULL, IIS_APP_ID, NULL, 9);
        assert_non_null(find_diag(d, 10, "not 40 hex digits"));
        check_binding(&c.netsh[2], "ipport", "0.0.0.0:9443", NULL, NULL, NULL, 13);
        assert_non_null(find_diag(d, 14, "not 40 hex digits"));
        check_binding(&c.netsh[3], "ipport", "0.0.0.0:10443", NULL, NULL, NULL, 16);
        assert_non_null(find_diag(d, 17, "not 40 hex digits"));
        /* Empty values: split at the colon after the padding. */
        check_binding(&c.netsh[4], "ipport", "0.0.0.0:11443", NULL, "", "", 19);
        assert_non_null(find_diag(d, 20, "not 40 hex digits"));
        check_binding(&c.netsh[5], "ipport", "0.0.0.0:12443", "2ace368a90d2117be7a0065dfe259b2e8c94f538",
                      NULL, NULL, 24);
        assert_int_equal(diag_count(d), 4);
        collect_sink_done(&c);
}

static void test_endpoints(void **state) {
        static const char doc[] =
                "    IP:port                 : *:443\n"
                "    IP:port                 : [fe80::0001]:443\n"
                "    IP:port                 : not an endpoint\n"                         /* 3 */
                "    Hostname:port           : WWW.Contoso.COM:443\n"
                "    Hostname:port           : bad host:443\n"                            /* 5 */
                "    Central Certificate Store : 8443\n"
                "    IP:port                 :\n";                                        /* 7 */
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_netsh, 7);
        check_binding(&c.netsh[0], "ipport", "0.0.0.0:443", NULL, NULL, NULL, 1);
        check_binding(&c.netsh[1], "ipport", "[fe80::1]:443", NULL, NULL, NULL, 2);
        check_binding(&c.netsh[2], "ipport", "not an endpoint", NULL, NULL, NULL, 3);
        assert_non_null(find_diag(d, 3, "not IP:port"));
        check_binding(&c.netsh[3], "hostnameport", "www.contoso.com:443", NULL, NULL, NULL, 4);
        check_binding(&c.netsh[4], "hostnameport", "bad host:443", NULL, NULL, NULL, 5);
        assert_non_null(find_diag(d, 5, "not IP:port"));
        check_binding(&c.netsh[5], "ccs", "8443", NULL, NULL, NULL, 6);
        check_binding(&c.netsh[6], "ipport", "", NULL, NULL, NULL, 7);
        assert_non_null(find_diag(d, 7, "not IP:port"));
        assert_int_equal(diag_count(d), 3);
        collect_sink_done(&c);
}

/* German labels (inferred), written as the OEM console writes them: CRLF. */
static void test_german(void **state) {
        static const char doc[] =
                "SSL-Zertifikatbindungen:\r\n"
                "-------------------------\r\n"
                "\r\n"
                "    IP:Port                      : 0.0.0.0:443\r\n"
                "    Zertifikathash               : 5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4\r\n"
                "    Anwendungs-ID                : " IIS_APP_ID "\r\n"
                "    Zertifikatspeichername       : My\r\n"
                "\r\n"
                "    Hostname:Port                : www.contoso.de:443\r\n"
                "    Zertifikathash               : c3ab8ff13720e8ad9047dd39466b3c8974e592c2\r\n"
                "    Anwendungs-ID                : " IIS_APP_ID "\r\n"
                "    Zertifikatspeichername       : (null)\r\n"
                "\r\n"
                "    Zentraler Zertifikatspeicher : 443\r\n"
                "    Anwendungs-ID                : " IIS_APP_ID "\r\n"
                "\r\n";
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_netsh, 3);
        check_binding(&c.netsh[0], "ipport", "0.0.0.0:443", "5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4",
                      IIS_APP_ID, "My", 4);
        check_binding(&c.netsh[1], "hostnameport", "www.contoso.de:443",
                      "c3ab8ff13720e8ad9047dd39466b3c8974e592c2", IIS_APP_ID, NULL, 9);
        check_binding(&c.netsh[2], "ccs", "443", NULL, IIS_APP_ID, NULL, 14);
        collect_sink_done(&c);
}

static void test_empty(void **state) {
        static const char *const docs[] = {
                "",
                "\n\n",
                ("C:\\Users\\Administrator>netsh http show sslcert\r\n\r\nSSL Certificate bindings:\r\n"
                 "-------------------------\r\n\r\n\r\n"),
                "\xff\xfe",
                "this is not netsh output: at all\n",
                /* properties with no key line before them belong to no binding */
                "    Certificate Hash             : 5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                CollectSink c;

                assert_int_equal(parse_str(docs[i], &c, &d), 0);
                assert_int_equal(c.n_netsh, 0);
                assert_int_equal(diag_count(d), 1);
                assert_non_null(find_diag(d, ANY_LINE, "no SSL certificate bindings found"));
                collect_sink_done(&c);
        }
}

static void test_truncation(void **state) {
        static const char doc[] =
                "C:\\>netsh http show sslcert\n"
                "\n"
                "SSL Certificate bindings:\n"
                "-------------------------\n"
                "\n"
                "    IP:port                      : 0.0.0.0:443\n"
                "    Certificate Hash             : 5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4\n"
                "    Application ID               : " IIS_APP_ID "\n"
                "    Certificate Store Name       : My\n"
                "    Negotiate Client Certificate : Disabled\n"
                "\n"
                "    Hostname:port                : www.contoso.com:443\n"
                "    Certificate Hash             : c3ab8ff13720e8ad9047dd39466b3c8974e592c2\n"
                "    Application ID               : " IIS_APP_ID "\n"
                "    Certificate Store Name       : (null)\n"
                "\n";
        const size_t first_key = (size_t) (strstr(doc, "    IP:port") - doc);
        const size_t end_first = (size_t) (strstr(doc, "Disabled\n") - doc) + 9;
        const size_t n = strlen(doc);

        for (size_t cut = 0; cut <= n; cut++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ char *copy = memdup_exact(doc, cut);
                CollectSink c;

                assert_int_equal(parse(copy, cut, &c, &d), 0);
                if (cut <= first_key + strlen("    IP:port  "))
                        assert_int_equal(c.n_netsh, 0);
                if (cut >= end_first) {
                        assert_true(c.n_netsh >= 1);
                        check_binding(&c.netsh[0], "ipport", "0.0.0.0:443",
                                      "5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4", IIS_APP_ID, "My", 6);
                }
                for (size_t i = 0; i < c.n_netsh; i++)
                        assert_non_null(c.netsh[i].kind);
                if (cut == n) {
                        assert_int_equal(c.n_netsh, 2);
                        check_binding(&c.netsh[1], "hostnameport", "www.contoso.com:443",
                                      "c3ab8ff13720e8ad9047dd39466b3c8974e592c2", IIS_APP_ID, NULL, 12);
                        assert_int_equal(diag_count(d), 0);
                }
                collect_sink_done(&c);
        }
}

/* A line of EVDIAG_MAX_LINE bytes is read; one byte more is skipped with a warning. */
static void test_line_limit(void **state) {
        static const char head[] =
                "    IP:port                      : 0.0.0.0:443\n"
                "    Certificate Hash             : 5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4\n";
        static const char tail[] =
                "\n    Application ID               : " IIS_APP_ID "\n"
                "    IP:port                      : 0.0.0.0:8443\n";

        for (size_t len = EVDIAG_MAX_LINE; len <= EVDIAG_MAX_LINE + 1; len++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                size_t n = strlen(head) + len + strlen(tail);
                _cleanup_free_ char *doc = malloc(n + 1);
                static const char label[] = "    Certificate Store Name       : ";
                CollectSink c;

                assert_non_null(doc);
                memcpy(doc, head, strlen(head));
                memcpy(doc + strlen(head), label, strlen(label));
                memset(doc + strlen(head) + strlen(label), 'S', len - strlen(label));
                memcpy(doc + strlen(head) + len, tail, strlen(tail));
                doc[n] = 0;
                assert_int_equal(parse(doc, n, &c, &d), 0);
                assert_int_equal(c.n_netsh, 2);
                assert_string_equal(c.netsh[0].endpoint, "0.0.0.0:443");
                assert_string_equal(c.netsh[0].cert_hash, "5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4");
                assert_string_equal(c.netsh[0].app_id, IIS_APP_ID);
                check_binding(&c.netsh[1], "ipport", "0.0.0.0:8443", NULL, NULL, NULL, 5);
                if (len > EVDIAG_MAX_LINE) {
                        assert_null(c.netsh[0].store_name);
                        assert_non_null(find_diag(d, 3, "too long"));
                        assert_int_equal(diag_count(d), 1);
                } else {
                        assert_int_equal(strlen(c.netsh[0].store_name), len - strlen(label));
                        assert_int_equal(diag_count(d), 0);
                }
                collect_sink_done(&c);
        }
}

static void test_bad_bytes(void **state) {
        static const char doc[] =
                "    IP:port                      : 0.0.0.0:443\n"
                "    \x81\x84" "berpr\x81" "fung          : Aktiviert\n"                       /* CP850 umlauts */
                "    Certificate Hash             : 5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4\n";
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_netsh, 1);
        check_binding(&c.netsh[0], "ipport", "0.0.0.0:443", "5f2c4e8a1b3d7c9e0f1a2b3c4d5e6f708192a3b4", NULL,
                      NULL, 1);
        assert_non_null(find_diag(d, 2, "invalid byte sequences"));
        collect_sink_done(&c);
}

static void test_sink_error(void **state) {
        _cleanup_free_ char *data = NULL;
        size_t n;

        data = read_data("netsh/sslcert.txt", &n);
        for (int after = 1; after <= 4; after++) {
                CollectSink c;

                assert_int_equal(parse_failing(netsh_parse, data, n, NULL, after, &c), -EIO);
                assert_int_equal(c.seen, after);
                collect_sink_done(&c);
        }
}

static void test_corpus_watson(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        if (parse_corpus(netsh_parse,
                         "iis/netsh_http_show_sslcert__dotnet_WatsonWebserver__Documentation_Security.md.txt",
                         &c, &d) > 0)
                skip();
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_netsh, 1);
        check_binding(&c.netsh[0], "ipport", "0.0.0.0:443", "d0013e91aab93f437a4443b13e6d18bd60f0279c",
                      "{00112233-4455-6677-8899-aabbccddeeff}", NULL, 6);
        collect_sink_done(&c);
}

static void test_corpus_tls13(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        if (parse_corpus(netsh_parse,
                         "iis/netsh_http_show_sslcert__unknown-blog-repo__Client-Certificate-Authentication-TLS1.3.txt",
                         &c, &d) > 0)
                skip();
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_netsh, 1);
        check_binding(&c.netsh[0], "ipport", "0.0.0.0:443", "2ace368a90d2117be7a0065dfe259b2e8c94f538",
                      IIS_APP_ID, "My", 5);
        collect_sink_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sample),
                cmocka_unit_test(test_utf16),
                cmocka_unit_test(test_hash_forms),
                cmocka_unit_test(test_endpoints),
                cmocka_unit_test(test_german),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_line_limit),
                cmocka_unit_test(test_bad_bytes),
                cmocka_unit_test(test_sink_error),
                cmocka_unit_test(test_corpus_watson),
                cmocka_unit_test(test_corpus_tls13),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
