/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "collect-sink.h"
#include "test-util.h"
#include "importer/apphost.h"

#define KB_HASH_B64 "oXiHOzFAMOF0YxIuI7soWvDFEzg="
#define KB_HASH_HEX "a178873b314030e17463122e23bb285af0c51338"
/* apphost.c's cap on the attributes of one element (and the literals of a DOCTYPE). */
#define MAX_ATTRIBUTES_TESTED 1024

static int parse(const void *data, size_t size, CollectSink *c, Diag **ret_diag) {
        return parse_memory(apphost_parse, data, size, &(ParseOptions) {}, c, ret_diag);
}

static int parse_str(const char *s, CollectSink *c, Diag **ret_diag) {
        return parse(s, strlen(s), c, ret_diag);
}

static const ConfigProperty *find_prop(const CollectSink *c, const char *key, int64_t id) {
        for (size_t i = 0; i < c->n_properties; i++)
                if (strcmp(c->properties[i].key_path, key) == 0 && c->properties[i].id == id)
                        return &c->properties[i];
        return NULL;
}

static const SiteBinding *find_binding(const CollectSink *c, const char *site, const char *info) {
        for (size_t i = 0; i < c->n_bindings; i++) {
                const SiteBinding *b = &c->bindings[i];

                if (b->site_name && strcmp(b->site_name, site) == 0 &&
                    (info ? b->binding_information && strcmp(b->binding_information, info) == 0
                          : !b->protocol))
                        return b;
        }
        return NULL;
}

static size_t count_site_rows(const CollectSink *c, const char *site) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_bindings; i++)
                if (c->bindings[i].site_name && strcmp(c->bindings[i].site_name, site) == 0)
                        n++;
        return n;
}

/* What tests/data/apphost/applicationHost.config must give, whatever its line ends or BOM, and
 * without any warning (parse_sample()). */
static void check_sample(const CollectSink *c) {
        const ConfigProperty *p;
        const SiteBinding *b;

        assert_int_equal(c->n_properties, 5);
        p = find_prop(c, "LM/W3SVC/INFO", 4012);
        assert_non_null(p);
        assert_int_equal(p->key_line, 51);
        assert_int_equal(p->line, 52);
        assert_string_equal(p->data_type, "String");
        assert_string_equal(p->user_type, "1");
        assert_string_equal(p->attributes, "Inherit");
        assert_string_equal(p->value, "NCSA Common Log File Format,Microsoft IIS Log File Format,"
                                      "W3C Extended Log File Format,ODBC Logging");
        assert_null(p->decoded);
        assert_true(p->valid);
        p = find_prop(c, "LM/W3SVC/INFO", 2120);
        assert_non_null(p);
        assert_string_equal(p->value, "400,0,,,0\n");      /* &#xA; resolved */
        assert_string_equal(p->attributes, "None");
        p = find_prop(c, "LM/W3SVC/1", 1018);
        assert_non_null(p);
        assert_string_equal(p->data_type, "DWord");
        assert_string_equal(p->value, "1");
        assert_int_equal(p->key_line, 55);
        p = find_prop(c, "LM/W3SVC/1", 5511);
        assert_non_null(p);
        assert_string_equal(p->value, "MY");
        assert_null(p->decoded);
        p = find_prop(c, "LM/W3SVC/1", 5506);
        assert_non_null(p);
        assert_string_equal(p->value, KB_HASH_B64);
        assert_string_equal(p->decoded, KB_HASH_HEX);
        assert_true(p->valid);
        assert_int_equal(p->line, 58);
        /* The look-alike inside <location> is not customMetadata. */
        assert_null(find_prop(c, "LM/W3SVC/99", 5506));

        assert_int_equal(c->n_bindings, 8);
        b = find_binding(c, "Default Web Site", "*:80:");
        assert_non_null(b);
        assert_int_equal(b->site_id, 1);
        assert_int_equal(b->site_line, 73);
        assert_int_equal(b->line, 78);
        assert_string_equal(b->protocol, "http");
        assert_string_equal(b->ip, "*");
        assert_int_equal(b->port, 80);
        assert_string_equal(b->hostname, "");
        assert_int_equal(b->ssl_flags, 0);
        assert_string_equal(b->endpoint, "0.0.0.0:80");
        b = find_binding(c, "Default Web Site", "*:443:");
        assert_non_null(b);
        assert_string_equal(b->protocol, "https");
        assert_string_equal(b->endpoint, "0.0.0.0:443");
        assert_int_equal(b->line, 79);
        b = find_binding(c, "Default Web Site", "808:*");
        assert_non_null(b);
        assert_string_equal(b->protocol, "net.tcp");
        assert_null(b->ip);
        assert_int_equal(b->port, EVENT_NO_VALUE);
        assert_null(b->hostname);
        assert_null(b->endpoint);
        b = find_binding(c, "Default Web Site", "*");
        assert_non_null(b);
        assert_string_equal(b->protocol, "net.pipe");
        assert_null(b->endpoint);

        /* "&amp;" in a name comes out as '&'. */
        b = find_binding(c, "Shop & Blog", "*:443:shop.contoso.com");
        assert_non_null(b);
        assert_int_equal(b->site_id, 2);
        assert_int_equal(b->ssl_flags, 1);
        assert_string_equal(b->hostname, "shop.contoso.com");
        assert_string_equal(b->endpoint, "shop.contoso.com:443");      /* SNI: the host name */
        b = find_binding(c, "Shop & Blog", "[2001:db8::10]:8443:");
        assert_non_null(b);
        assert_string_equal(b->ip, "[2001:db8::10]");
        assert_int_equal(b->port, 8443);
        assert_string_equal(b->endpoint, "[2001:db8::10]:8443");
        b = find_binding(c, "Shop & Blog", "192.168.10.20:80:Shop.Contoso.com");
        assert_non_null(b);
        assert_string_equal(b->hostname, "Shop.Contoso.com");
        assert_string_equal(b->endpoint, "192.168.10.20:80");  /* no SNI: the address */

        b = find_binding(c, "Staging", NULL);
        assert_non_null(b);
        assert_int_equal(b->site_id, 3);
        assert_null(b->protocol);
        assert_null(b->binding_information);
        assert_int_equal(b->site_line, 95);
        assert_int_equal(count_site_rows(c, "Staging"), 1);

        /* <siteDefaults> and the site inside <location> are not sites. */
        assert_int_equal(count_site_rows(c, "Impostor"), 0);
        for (size_t i = 0; i < c->n_bindings; i++)
                assert_false(c->bindings[i].binding_information &&
                             strstr(c->bindings[i].binding_information, "8080"));
}

static void parse_sample(const void *data, size_t n) {
        parse_and_check(apphost_parse, data, n, &(ParseOptions) {}, check_sample);
}

static void test_sample(void **state) {
        _cleanup_free_ char *data = NULL;
        size_t n;

        data = read_data("apphost/applicationHost.config", &n);
        parse_sample(data, n);
}

/* The same file saved by Notepad: CRLF line ends and a UTF-8 BOM. */
static void test_crlf_bom(void **state) {
        _cleanup_free_ char *data = NULL, *conv = NULL;
        size_t n, o;

        data = read_data("apphost/applicationHost.config", &n);
        conv = to_crlf(data, n, &o);
        for (int bom = 0; bom <= 1; bom++) {
                _cleanup_free_ char *buf = malloc(o + 3);

                assert_non_null(buf);
                memcpy(buf, "\xef\xbb\xbf", 3);
                memcpy(buf + 3, conv, o);
                parse_sample(bom ? buf : buf + 3, bom ? o + 3 : o);
        }
}

#define CONFIG_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n<system.applicationHost>\n"
#define CONFIG_TAIL "</system.applicationHost>\n</configuration>\n"

static void test_cert_hash(void **state) {
        static const char doc[] =
                CONFIG_HEAD
                "<customMetadata>\n"
                "<key path=\"LM/W3SVC/1\">\n"
                /* 16 bytes: an MD5 size, not a SHA-1 thumbprint (line 6) */
                "<property id=\"5506\" dataType=\"Binary\" userType=\"1\" attributes=\"Inherit\" value=\"AAECAwQFBgcICQoLDA0ODw==\" />\n"
                "</key>\n"
                "<key path=\"LM/W3SVC/2\">\n"
                /* a thumbprint stored as String is decoded all the same (line 9) */
                "<property id=\"5506\" dataType=\"String\" value=\"" KB_HASH_B64 "\" />\n"
                "</key>\n"
                "<key path=\"LM/W3SVC/3\">\n"
                /* not base64 at all (line 12) */
                "<property id=\"5506\" dataType=\"Binary\" value=\"a178873b314030e17463122e23bb285af0c51338\" />\n"
                "</key>\n"
                "<key path=\"LM/W3SVC/4\">\n"
                /* line breaks inside the value, as some writers wrap base64 */
                "<property id=\"5506\" dataType=\"Binary\" value=\"oXiHOzFAMOF0&#xA;YxIuI7soWvDF Ezg=\" />\n"
                "</key>\n"
                "</customMetadata>\n"
                CONFIG_TAIL;
        _cleanup_(diag_freep) Diag *d = NULL;
        const ConfigProperty *p;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_properties, 4);
        p = find_prop(&c, "LM/W3SVC/1", 5506);
        assert_non_null(p);
        assert_false(p->valid);
        assert_string_equal(p->decoded, "000102030405060708090a0b0c0d0e0f");
        assert_int_equal(p->line, 6);
        p = find_prop(&c, "LM/W3SVC/2", 5506);
        assert_non_null(p);
        assert_true(p->valid);
        assert_string_equal(p->decoded, KB_HASH_HEX);
        p = find_prop(&c, "LM/W3SVC/3", 5506);
        assert_non_null(p);
        assert_false(p->valid);
        /* 40 hex digits read as base64: 30 bytes, not 20 */
        assert_non_null(p->decoded);
        assert_int_equal(strlen(p->decoded), 60);
        p = find_prop(&c, "LM/W3SVC/4", 5506);
        assert_non_null(p);
        assert_true(p->valid);
        assert_string_equal(p->decoded, KB_HASH_HEX);
        /* A wrong thumbprint is a finding, not a parse error. */
        assert_int_equal(diag_count(d), 0);
        collect_sink_done(&c);
}

static void test_bad_base64(void **state) {
        static const char doc[] =
                CONFIG_HEAD
                "<customMetadata>\n"
                "<key path=\"LM/W3SVC/1\">\n"
                "<property id=\"5500\" dataType=\"Binary\" value=\"QUJD RA==\" />\n"          /* 6 */
                "<property id=\"5501\" dataType=\"Binary\" value=\"not base64!\" />\n"        /* 7 */
                "<property id=\"5502\" dataType=\"binary\" value=\"QUJDRA=\" />\n"            /* 8 */
                "<property id=\"5503\" dataType=\"Binary\" value=\"QQ==QQ==\" />\n"           /* 9 */
                "<property id=\"5504\" dataType=\"Binary\" value=\"Q===\" />\n"               /* 10 */
                "<property id=\"5505\" dataType=\"Binary\" />\n"                               /* 11 */
                "<property id=\"5506\" dataType=\"Binary\" value=\"oXiH*zFAMOF0YxIuI7soWvDFEzg=\" />\n" /* 12 */
                "<property id=\"5507\" dataType=\"Binary\" value=\"\" />\n"                    /* 13 */
                "<property id=\"5508\" dataType=\"Binary\" value=\"QUI=\" />\n"                /* 14 */
                "</key>\n"
                "</customMetadata>\n"
                CONFIG_TAIL;
        _cleanup_(diag_freep) Diag *d = NULL;
        const ConfigProperty *p;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_properties, 9);
        p = find_prop(&c, "LM/W3SVC/1", 5500);
        assert_true(p->valid);
        assert_string_equal(p->decoded, "41424344");
        for (int64_t id = 5501; id <= 5505; id++) {
                p = find_prop(&c, "LM/W3SVC/1", id);
                assert_non_null(p);
                assert_false(p->valid);
                assert_null(p->decoded);
                assert_non_null(find_diag(d, (uint64_t) (id - 5501 + 7), "not base64"));
        }
        p = find_prop(&c, "LM/W3SVC/1", 5506);
        assert_false(p->valid);
        assert_null(p->decoded);
        assert_null(find_diag(d, 12, "not base64"));
        p = find_prop(&c, "LM/W3SVC/1", 5507);
        assert_true(p->valid);
        assert_string_equal(p->decoded, "");
        p = find_prop(&c, "LM/W3SVC/1", 5508);
        assert_true(p->valid);
        assert_string_equal(p->decoded, "4142");
        assert_int_equal(diag_count(d), 5);
        collect_sink_done(&c);
}

static void test_commented_key(void **state) {
        static const char doc[] =
                CONFIG_HEAD
                "<customMetadata>\n"
                "<!-- <key path=\"LM/W3SVC/1\">\n"
                "  <property id=\"5506\" dataType=\"Binary\" value=\"" KB_HASH_B64 "\" />\n"
                "</key> -->\n"
                "<key path=\"LM/W3SVC/INFO\"><!-- <property id=\"5506\" value=\"x\" /> -->\n"
                "<property id=\"4012\" dataType=\"String\" value=\"W3C Extended Log File Format\" />\n"
                "</key>\n"
                "</customMetadata>\n"
                "<sites><!-- <site name=\"Old\" id=\"7\"><bindings><binding protocol=\"https\" "
                "bindingInformation=\"*:443:\" /></bindings></site> --></sites>\n"
                CONFIG_TAIL;
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_properties, 1);
        assert_non_null(find_prop(&c, "LM/W3SVC/INFO", 4012));
        assert_null(find_prop(&c, "LM/W3SVC/1", 5506));
        assert_int_equal(c.n_bindings, 0);
        assert_int_equal(diag_count(d), 0);
        collect_sink_done(&c);
}

static void test_lookalikes(void **state) {
        static const char doc[] =
                "<configuration>\n"
                "<location path=\"Default Web Site\">\n"
                "<system.applicationHost><customMetadata><key path=\"LM/W3SVC/1\">"
                "<property id=\"5506\" value=\"" KB_HASH_B64 "\" /></key></customMetadata>"
                "<sites><site name=\"A\" id=\"1\"><bindings><binding protocol=\"http\" bindingInformation=\"*:80:\" />"
                "</bindings></site></sites></system.applicationHost>\n"
                "</location>\n"
                "<system.applicationHost>\n"
                "<customMetadata><property id=\"1\" value=\"x\" /><key path=\"K\"><key path=\"N\">"
                "<property id=\"2\" value=\"nested\" /></key><x><property id=\"3\" /></x></key></customMetadata>\n"
                "<sites><siteDefaults><bindings><binding protocol=\"http\" bindingInformation=\"*:81:\" />"
                "</bindings></siteDefaults><site name=\"B\" id=\"2\"><application><bindings>"
                "<binding protocol=\"http\" bindingInformation=\"*:82:\" /></bindings></application></site></sites>\n"
                "<x:sites xmlns:x=\"urn:x\"><x:site name=\"C\" id=\"3\" /></x:sites>\n"
                "</system.applicationHost>\n"
                "<system.webServer><customMetadata><key path=\"W\"><property id=\"4\" /></key></customMetadata></system.webServer>\n"
                "</configuration>\n";
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_properties, 0);
        /* Only B is a site, and the binding under its <application> is not one of its bindings. */
        assert_int_equal(c.n_bindings, 1);
        assert_string_equal(c.bindings[0].site_name, "B");
        assert_null(c.bindings[0].protocol);
        assert_int_equal(diag_count(d), 0);
        collect_sink_done(&c);
}

static void test_external_entity(void **state) {
        static const char doc[] =
                "<?xml version=\"1.0\"?>\n"
                "<!DOCTYPE configuration [\n"
                "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
                "  <!ENTITY % remote SYSTEM \"file:///etc/passwd\">\n"
                "  %remote;\n"
                "  <!ENTITY inner \"&xxe;\">\n"
                "]>\n"
                "<configuration>\n"
                "<system.applicationHost>\n"
                "<customMetadata>\n"
                "<key path=\"LM/W3SVC/1&xxe;\">\n"
                "<property id=\"5511\" dataType=\"String\" value=\"[&xxe;][&inner;]&amp;&lt;&#x41;\" />\n"
                "</key>\n"
                "</customMetadata>\n"
                "<sites><site name=\"&xxe;S\" id=\"1\"><bindings>"
                "<binding protocol=\"http\" bindingInformation=\"*:80:&xxe;\" /></bindings></site></sites>\n"
                CONFIG_TAIL;
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        size_t n;
        const DiagEntry *e;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_properties, 1);
        assert_string_equal(c.properties[0].key_path, "LM/W3SVC/1");
        assert_string_equal(c.properties[0].value, "[][]&<A");
        assert_int_equal(c.n_bindings, 1);
        assert_string_equal(c.bindings[0].site_name, "S");
        assert_string_equal(c.bindings[0].binding_information, "*:80:");
        /* The references are reported, and nothing of the file leaks into a message either. */
        assert_true(diag_count(d) > 0);
        e = diag_entries(d, &n);
        for (size_t i = 0; i < n; i++)
                assert_null(strstr(e[i].message, "root:"));
        collect_sink_done(&c);
}

/* depth elements nested in <configuration> (counted with it), then a site. */
static char *nested_doc(unsigned depth) {
        StrBuf b = {};
        char *s;

        assert_int_equal(strbuf_puts(&b, "<configuration>"), 0);
        for (unsigned i = 1; i < depth; i++)
                assert_int_equal(strbuf_puts(&b, "<a>"), 0);
        for (unsigned i = 1; i < depth; i++)
                assert_int_equal(strbuf_puts(&b, "</a>"), 0);
        assert_int_equal(strbuf_puts(&b, "<system.applicationHost><sites><site name=\"after\" id=\"5\" /></sites>"
                                         "</system.applicationHost></configuration>"), 0);
        s = strbuf_steal(&b);
        assert_non_null(s);
        return s;
}

/* Far deeper still, reading stops: what came before is kept, nothing after is read. */
static void test_depth_stop(void **state) {
        static const char head[] = "<configuration><system.applicationHost><sites><site name=\"before\" id=\"4\" />";
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_free_ char *deep = nested_doc(2 * EVDIAG_MAX_CONFIG_DEPTH + 1);
        _cleanup_free_ char *doc = NULL;
        CollectSink c;

        /* nested_doc()'s <configuration> becomes one more level under <sites>. */
        assert_true(asprintf(&doc, "%s%s</sites></system.applicationHost></configuration>", head, deep) > 0);
        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_int_equal(c.n_bindings, 1);
        assert_string_equal(c.bindings[0].site_name, "before");
        assert_non_null(find_diag(d, 1, "this subtree is ignored"));
        assert_non_null(find_diag(d, 1, "the rest was not read"));
        collect_sink_done(&c);
}

static void test_depth(void **state) {
        for (unsigned depth = EVDIAG_MAX_CONFIG_DEPTH; depth <= EVDIAG_MAX_CONFIG_DEPTH + 1; depth++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ char *doc = nested_doc(depth);
                CollectSink c;

                assert_int_equal(parse_str(doc, &c, &d), 0);
                assert_int_equal(c.n_bindings, 1);
                assert_string_equal(c.bindings[0].site_name, "after");
                if (depth > EVDIAG_MAX_CONFIG_DEPTH) {
                        assert_int_equal(diag_count(d), 1);
                        assert_non_null(find_diag(d, 1, "nested deeper"));
                } else
                        assert_int_equal(diag_count(d), 0);
                collect_sink_done(&c);
        }
}

/* A file of exactly limit bytes whose last element, a site, ends at its very last byte. */
static char *big_doc(size_t limit) {
        static const char head[] = "<configuration><system.applicationHost><sites><site name=\"early\" id=\"1\" />\n";
        static const char tail[] = "<site name=\"late\" id=\"2\" />";
        size_t pad = limit - strlen(head) - strlen(tail), i;
        char *s = malloc(limit + 1);

        assert_non_null(s);
        memcpy(s, head, strlen(head));
        for (i = 0; i + 7 <= pad; i += 7)
                memcpy(s + strlen(head) + i, "<pad/>\n", 7);
        memset(s + strlen(head) + i, ' ', pad - i);
        memcpy(s + limit - strlen(tail), tail, strlen(tail));
        s[limit] = 0;
        return s;
}

static void test_size_limit(void **state) {
        for (size_t size = EVDIAG_MAX_CONFIG_FILE; size <= EVDIAG_MAX_CONFIG_FILE + 1; size++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ char *doc = big_doc(size);
                CollectSink c;
                const DiagEntry *e;

                assert_int_equal(parse(doc, size, &c, &d), 0);
                assert_non_null(find_binding(&c, "early", NULL));
                e = find_diag(d, ANY_LINE, "file larger than");
                if (size > EVDIAG_MAX_CONFIG_FILE) {
                        /* The last byte was not read, so the late site is incomplete: no row. */
                        assert_non_null(e);
                        assert_int_equal(e->offset, EVDIAG_MAX_CONFIG_FILE);
                        assert_null(find_binding(&c, "late", NULL));
                } else {
                        assert_null(e);
                        assert_non_null(find_binding(&c, "late", NULL));
                }
                collect_sink_done(&c);
        }
}

/* A site with n attributes besides its name and id, after a site that is always read. */
static char *many_attributes_doc(unsigned n) {
        StrBuf b = {};
        char *s;

        assert_int_equal(strbuf_puts(&b, CONFIG_HEAD "<sites><site name=\"first\" id=\"1\" />\n"), 0);
        /* '=' in a comment, in text and in values is no attribute. */
        assert_int_equal(strbuf_puts(&b, "<!-- "), 0);
        for (unsigned i = 0; i < 2 * n; i++)
                assert_int_equal(strbuf_puts(&b, "a=\"1\" > "), 0);
        assert_int_equal(strbuf_puts(&b, "-->\n<x v=\""), 0);
        for (unsigned i = 0; i < 2 * n; i++)
                assert_int_equal(strbuf_putc(&b, '='), 0);
        assert_int_equal(strbuf_puts(&b, "\">"), 0);
        for (unsigned i = 0; i < 2 * n; i++)
                assert_int_equal(strbuf_putc(&b, '='), 0);
        assert_int_equal(strbuf_puts(&b, "</x>\n<site name=\"wide\" id=\"2\""), 0);
        for (unsigned i = 0; i < n - 2; i++)
                assert_int_equal(strbuf_printf(&b, " a%u=\"\"", i), 0);
        assert_int_equal(strbuf_puts(&b, " />\n<site name=\"last\" id=\"3\" />\n</sites>\n" CONFIG_TAIL), 0);
        s = strbuf_steal(&b);
        assert_non_null(s);
        return s;
}

static void test_attribute_limit(void **state) {
        for (unsigned n = MAX_ATTRIBUTES_TESTED; n <= MAX_ATTRIBUTES_TESTED + 1; n++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ char *doc = many_attributes_doc(n);
                CollectSink c;

                assert_int_equal(parse_str(doc, &c, &d), 0);
                assert_non_null(find_binding(&c, "first", NULL));
                if (n > MAX_ATTRIBUTES_TESTED) {
                        assert_null(find_binding(&c, "wide", NULL));
                        assert_null(find_binding(&c, "last", NULL));
                        assert_non_null(find_diag(d, ANY_LINE, "attributes: the rest was not read"));
                } else {
                        assert_non_null(find_binding(&c, "wide", NULL));
                        assert_non_null(find_binding(&c, "last", NULL));
                        assert_int_equal(diag_count(d), 0);
                }
                collect_sink_done(&c);
        }
}

/* Attribute defaults declared in a DOCTYPE cost libxml2 what written attributes do. */
static void test_doctype_limit(void **state) {
        for (unsigned n = MAX_ATTRIBUTES_TESTED; n <= MAX_ATTRIBUTES_TESTED + 1; n++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                StrBuf b = {};
                _cleanup_free_ char *doc = NULL;
                CollectSink c;

                assert_int_equal(strbuf_puts(&b, "<!DOCTYPE configuration [\n<!-- \"quotes\" 'here' -->\n"
                                                 "<!ATTLIST site"), 0);
                for (unsigned i = 0; i < n; i++)
                        assert_int_equal(strbuf_printf(&b, " a%u CDATA \"\"", i), 0);
                assert_int_equal(strbuf_puts(&b, ">\n]>\n" CONFIG_HEAD "<sites><site name=\"s\" id=\"1\" />"
                                                 "</sites>\n" CONFIG_TAIL), 0);
                doc = strbuf_steal(&b);
                assert_non_null(doc);
                if (n > MAX_ATTRIBUTES_TESTED) {
                        assert_int_equal(parse_str(doc, &c, &d), -EBADMSG);
                        assert_non_null(find_diag(d, ANY_LINE, "DOCTYPE with more than"));
                } else {
                        assert_int_equal(parse_str(strstr(doc, "<!DOCTYPE"), &c, &d), 0);
                        assert_non_null(find_binding(&c, "s", NULL));
                }
                collect_sink_done(&c);
        }
}

static void test_truncation(void **state) {
        static const char doc[] =
                CONFIG_HEAD
                "<customMetadata>\n"
                "<key path=\"LM/W3SVC/1\">\n"
                "<property id=\"1018\" dataType=\"DWord\" value=\"1\" />\n"
                "<property id=\"5506\" dataType=\"Binary\" value=\"" KB_HASH_B64 "\" />\n"
                "</key>\n"
                "</customMetadata>\n"
                "<sites>\n"
                "<site name=\"Web\" id=\"1\">\n"
                "<bindings>\n"
                "<binding protocol=\"https\" bindingInformation=\"*:443:www.contoso.com\" sslFlags=\"1\" />\n"
                "</bindings>\n"
                "</site>\n"
                "<site name=\"Empty\" id=\"2\"></site>\n"
                "</sites>\n"
                CONFIG_TAIL;
        /* Where each row's element is complete. */
        const size_t end_1018 = (size_t) (strstr(doc, "\"1\" />") - doc) + 6;
        const size_t end_5506 = (size_t) (strstr(doc, "Ezg=\" />") - doc) + 8;
        const size_t end_binding = (size_t) (strstr(doc, "\"1\" />\n</bindings>") - doc) + 6;
        const size_t end_empty = (size_t) (strstr(doc, "</site>\n</sites>") - doc) + 7;
        const size_t root_start = (size_t) (strstr(doc, "<configuration>") - doc) + 15;
        const size_t n = strlen(doc);

        for (size_t cut = 0; cut <= n; cut++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ char *copy = memdup_exact(doc, cut);
                const ConfigProperty *p;
                const SiteBinding *b;
                CollectSink c;
                int r;

                r = parse(copy, cut, &c, &d);
                /* Recovery takes "<configuration" without its '>' for the root too. */
                if (cut + 1 < root_start) {
                        assert_int_equal(r, -EBADMSG);
                        assert_int_equal(diag_errors(d), 1);
                } else if (cut >= root_start)
                        assert_int_equal(r, 0);

                p = find_prop(&c, "LM/W3SVC/1", 1018);
                assert_true(cut >= end_1018 ? p != NULL : p == NULL);
                if (p)
                        assert_string_equal(p->value, "1");
                p = find_prop(&c, "LM/W3SVC/1", 5506);
                assert_true(cut >= end_5506 ? p != NULL : p == NULL);
                if (p) {
                        assert_true(p->valid);
                        assert_string_equal(p->decoded, KB_HASH_HEX);
                }
                b = find_binding(&c, "Web", "*:443:www.contoso.com");
                assert_true(cut >= end_binding ? b != NULL : b == NULL);
                if (b) {
                        assert_int_equal(b->ssl_flags, 1);
                        assert_string_equal(b->endpoint, "www.contoso.com:443");
                }
                assert_null(find_binding(&c, "Web", NULL));
                /* Recovery closes a site whose end tag was cut: its content was complete. */
                b = find_binding(&c, "Empty", NULL);
                if (cut >= end_empty)
                        assert_non_null(b);
                else if (cut < end_empty - strlen("</site>"))
                        assert_null(b);
                assert_int_equal(c.n_properties + c.n_bindings - (b != NULL),
                                 (cut >= end_1018) + (cut >= end_5506) + (cut >= end_binding));
                collect_sink_done(&c);
        }
}

static void test_empty(void **state) {
        static const char *const docs[] = {
                "",
                "   \n",
                "<?xml version=\"1.0\"?>\n",
                "<Events><Event /></Events>",
                "<web><configuration /></web>",
                "\xef\xbb\xbf",
                "not xml at all",
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                CollectSink c;

                assert_int_equal(parse_str(docs[i], &c, &d), -EBADMSG);
                assert_int_equal(diag_errors(d), 1);
                assert_non_null(find_diag(d, ANY_LINE, "<configuration>"));
                assert_int_equal(c.n_properties + c.n_bindings, 0);
                collect_sink_done(&c);
        }
}

static void test_empty_configuration(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        /* A web.config has no system.applicationHost: no rows, a warning, no error. */
        assert_int_equal(parse_str("<configuration><system.webServer /></configuration>", &c, &d), 0);
        assert_int_equal(c.n_properties + c.n_bindings, 0);
        assert_non_null(find_diag(d, ANY_LINE, "system.applicationHost"));
        assert_int_equal(diag_errors(d), 0);
        collect_sink_done(&c);
}

static void test_malformed_records(void **state) {
        static const char doc[] =
                CONFIG_HEAD
                "<customMetadata>\n"
                "<key>\n"                                                               /* 5 */
                "<property id=\"5506\" dataType=\"Binary\" value=\"" KB_HASH_B64 "\" />\n"
                "</key>\n"
                "<key path=\"LM/W3SVC/1\">\n"                                            /* 8 */
                "<property id=\"abc\" value=\"x\" />\n"                                  /* 9 */
                "<property value=\"y\" />\n"                                             /* 10 */
                "<property id=\"99999999999\" value=\"z\" />\n"                          /* 11 */
                "<property id=\" 1018 \" value=\"1\" />\n"                               /* 12 */
                "</key>\n"
                "</customMetadata>\n"
                "<sites>\n"
                "<site name=\"NoId\">\n"                                                 /* 16 */
                "<bindings>\n"
                "<binding protocol=\"https\" bindingInformation=\"*:99999:\" />\n"      /* 18 */
                "<binding protocol=\"https\" bindingInformation=\"*443\" />\n"          /* 19 */
                "<binding protocol=\"HTTPS\" />\n"                                       /* 20 */
                "<binding bindingInformation=\"*:80:\" />\n"                             /* 21 */
                "<binding protocol=\"https\" bindingInformation=\"*:443:a.example\" sslFlags=\"Sni, CentralCertStore\" />\n"
                "<binding protocol=\"https\" bindingInformation=\"*:444:b.example\" sslFlags=\"Sni DisableHTTP2\" />\n"
                "<binding protocol=\"https\" bindingInformation=\"*:445:c.example\" sslFlags=\"Bogus\" />\n"  /* 24 */
                "<binding protocol=\"https\" bindingInformation=\"*:446:d.example\" sslFlags=\"3\" />\n"
                "<binding protocol=\"https\" bindingInformation=\"*:447:e.example\" sslFlags=\"-1\" />\n"     /* 26 */
                "<binding protocol=\"ftp\" bindingInformation=\"*:21:\" />\n"
                "<binding protocol=\"https\" bindingInformation=\"*:448:bad host\" sslFlags=\"1\" />\n" /* 28 */
                "</bindings>\n"
                "</site>\n"
                "<site name=\"BadId\" id=\"one\"><bindings><clear /></bindings></site>\n"  /* 31 */
                "</sites>\n"
                CONFIG_TAIL;
        _cleanup_(diag_freep) Diag *d = NULL;
        const SiteBinding *b;
        const ConfigProperty *p;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);

        assert_non_null(find_diag(d, 5, "without a path"));
        assert_non_null(find_diag(d, 9, "invalid id"));
        assert_non_null(find_diag(d, 10, "no id"));
        assert_non_null(find_diag(d, 11, "invalid id"));
        assert_int_equal(c.n_properties, 1);
        p = find_prop(&c, "LM/W3SVC/1", 1018);
        assert_non_null(p);
        assert_int_equal(p->key_line, 8);
        assert_int_equal(p->line, 12);

        assert_non_null(find_diag(d, 16, "without an id"));
        b = find_binding(&c, "NoId", "*:99999:");
        assert_non_null(b);
        assert_int_equal(b->site_id, EVENT_NO_VALUE);
        assert_null(b->ip);
        assert_int_equal(b->port, EVENT_NO_VALUE);
        assert_null(b->hostname);
        assert_null(b->endpoint);
        assert_non_null(find_diag(d, 18, "bindingInformation"));
        b = find_binding(&c, "NoId", "*443");
        assert_non_null(b);
        assert_null(b->endpoint);
        assert_non_null(find_diag(d, 19, "bindingInformation"));
        assert_non_null(find_diag(d, 20, "bindingInformation"));
        assert_non_null(find_diag(d, 21, "without a protocol"));

        b = find_binding(&c, "NoId", "*:443:a.example");
        assert_int_equal(b->ssl_flags, 3);
        assert_string_equal(b->endpoint, "a.example:443");
        b = find_binding(&c, "NoId", "*:444:b.example");
        assert_int_equal(b->ssl_flags, 5);
        b = find_binding(&c, "NoId", "*:445:c.example");
        assert_int_equal(b->ssl_flags, 0);
        assert_string_equal(b->endpoint, "0.0.0.0:445");
        assert_non_null(find_diag(d, 24, "sslFlags"));
        b = find_binding(&c, "NoId", "*:446:d.example");
        assert_int_equal(b->ssl_flags, 3);
        b = find_binding(&c, "NoId", "*:447:e.example");
        assert_int_equal(b->ssl_flags, 0);
        assert_non_null(find_diag(d, 26, "sslFlags"));
        b = find_binding(&c, "NoId", "*:21:");
        assert_string_equal(b->protocol, "ftp");
        assert_null(b->endpoint);
        b = find_binding(&c, "NoId", "*:448:bad host");
        assert_non_null(b);
        assert_int_equal(b->ssl_flags, 1);
        assert_null(b->ip);
        assert_int_equal(b->port, EVENT_NO_VALUE);
        assert_null(b->hostname);
        assert_null(b->endpoint);
        assert_non_null(find_diag(d, 28, "HTTP.sys endpoint"));
        assert_int_equal(count_site_rows(&c, "NoId"), 10);

        assert_non_null(find_diag(d, 31, "invalid id"));
        b = find_binding(&c, "BadId", NULL);
        assert_non_null(b);
        assert_int_equal(b->site_id, EVENT_NO_VALUE);
        assert_int_equal(diag_errors(d), 0);
        collect_sink_done(&c);
}

/* A damaged file: libxml2's recovery keeps what it can, and the first XML error is reported. */
static void test_damaged(void **state) {
        static const char doc[] =
                CONFIG_HEAD
                "<customMetadata>\n"
                "<key path=\"LM/W3SVC/1\">\n"
                "<property id=\"1018\" value=\"1\" />\n"
                "<property id=\"5511\" value=\"MY\" <oops>\n"                            /* 7 */
                "<property id=\"5506\" dataType=\"Binary\" value=\"" KB_HASH_B64 "\" />\n"
                "</key>\n"
                "</customMetadata>\n"
                "<sites><site name=\"W\" id=\"1\"><bindings>"
                "<binding protocol=\"https\" bindingInformation=\"*:443:\" /></bindings></site></sites>\n"
                CONFIG_TAIL;
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_str(doc, &c, &d), 0);
        assert_non_null(find_prop(&c, "LM/W3SVC/1", 1018));
        assert_non_null(find_diag(d, 7, "malformed XML"));
        assert_int_equal(diag_errors(d), 0);
        collect_sink_done(&c);
}

static void test_sink_error(void **state) {
        _cleanup_free_ char *data = NULL;
        size_t n;

        data = read_data("apphost/applicationHost.config", &n);
        for (int after = 1; after <= 3; after++) {
                CollectSink c;

                assert_int_equal(parse_failing(apphost_parse, data, n, NULL, after, &c), -EIO);
                assert_int_equal(c.seen, after);
                collect_sink_done(&c);
        }
}

static void test_corpus_shared_config(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        const ConfigProperty *p;
        const SiteBinding *b;
        CollectSink c;

        if (parse_corpus(apphost_parse, "iis/c1982__IIS-SharedGitConfig__applicationHost.config", &c, &d) > 0)
                skip();
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_properties, 2);
        p = find_prop(&c, "LM/W3SVC/INFO", 4012);
        assert_non_null(p);
        assert_int_equal(p->key_line, 167);
        assert_int_equal(p->line, 168);
        assert_string_equal(p->attributes, "Inherit");
        p = find_prop(&c, "LM/W3SVC/INFO", 2120);
        assert_non_null(p);
        assert_string_equal(p->value, "400,0,,,0\n");
        assert_string_equal(p->data_type, "MultiSZ");

        assert_int_equal(c.n_bindings, 7);
        b = find_binding(&c, "Default Web Site", "*:80:");
        assert_non_null(b);
        assert_int_equal(b->site_id, 1);
        assert_int_equal(b->site_line, 189);
        assert_int_equal(b->line, 194);
        assert_string_equal(b->endpoint, "0.0.0.0:80");
        b = find_binding(&c, "redisoncloud.com", "*:80:www.redisoncloud.com");
        assert_non_null(b);
        assert_int_equal(b->site_id, 4);
        assert_string_equal(b->hostname, "www.redisoncloud.com");
        assert_int_equal(count_site_rows(&c, "ikinci.com"), 2);
        b = find_binding(&c, "deneme.com", "*:80:deneme.com");
        assert_non_null(b);
        assert_int_equal(b->site_id, 6);
        for (size_t i = 0; i < c.n_bindings; i++)
                assert_string_equal(c.bindings[i].protocol, "http");
        collect_sink_done(&c);
}

static void test_corpus_reverse_proxy(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        const SiteBinding *b;
        CollectSink c;

        if (parse_corpus(apphost_parse, "iis/mattgillard__iis-reverse-proxy__applicationHost.config", &c, &d) > 0)
                skip();
        assert_int_equal(diag_count(d), 0);
        /* An empty <customMetadata />: no stale hash there. */
        assert_int_equal(c.n_properties, 0);
        assert_int_equal(c.n_bindings, 2);
        b = find_binding(&c, "Default Web Site", "*:443:");
        assert_non_null(b);
        assert_string_equal(b->protocol, "https");
        assert_int_equal(b->ssl_flags, 0);
        assert_string_equal(b->endpoint, "0.0.0.0:443");
        assert_int_equal(b->site_line, 175);
        assert_int_equal(b->line, 181);     /* CRLF file: the lines still count right */
        assert_non_null(find_binding(&c, "Default Web Site", "*:80:"));
        collect_sink_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sample),
                cmocka_unit_test(test_crlf_bom),
                cmocka_unit_test(test_cert_hash),
                cmocka_unit_test(test_bad_base64),
                cmocka_unit_test(test_commented_key),
                cmocka_unit_test(test_lookalikes),
                cmocka_unit_test(test_external_entity),
                cmocka_unit_test(test_depth),
                cmocka_unit_test(test_depth_stop),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_attribute_limit),
                cmocka_unit_test(test_doctype_limit),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_empty_configuration),
                cmocka_unit_test(test_malformed_records),
                cmocka_unit_test(test_damaged),
                cmocka_unit_test(test_sink_error),
                cmocka_unit_test(test_corpus_shared_config),
                cmocka_unit_test(test_corpus_reverse_proxy),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
