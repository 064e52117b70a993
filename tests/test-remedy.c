/* SPDX-License-Identifier: MIT */
/* The remedy as facts (rules/remedy.c) and the timeline of a symptom (rules/symptom-window.c),
 * built from a store filled by hand: which lines of applicationHost.config to delete, what the
 * excerpt shows, which netsh commands restore which binding and what the note says; which
 * events a timeline keeps, in which order, with which roles. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/datetime.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "importer/sink.h"
#include "report/report.h"
#include "rules/remedy.h"
#include "rules/symptom-window.h"
#include "store/store.h"

#define HOST "web01"
#define LEGACY "a178873b314030e17463122e23bb285af0c51338"
#define BOUND "0123456789abcdef0123456789abcdef01234567"
#define APPID "{4dc3e181-e14b-4a21-b022-59fc669b0914}"

/* Lines 1-15; the key of site 1 on lines 5-9 (5511 on 7, 5506 on 8), the key of site 2 on
 * lines 10-12 (only 5506, on 11). */
static const char config_text[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                  /* 1 */
        "<configuration>\n"                                                             /* 2 */
        "  <system.applicationHost>\n"                                                  /* 3 */
        "    <customMetadata>\n"                                                        /* 4 */
        "      <key path=\"LM/W3SVC/1\">\n"                                             /* 5 */
        "        <property id=\"1018\" dataType=\"DWord\" value=\"1\" />\n"              /* 6 */
        "        <property id=\"5511\" dataType=\"String\" value=\"MY\" />\n"            /* 7 */
        "        <property id=\"5506\" dataType=\"Binary\" value=\"oXiHOzFAMOF0YxIuI7soWvDFEzg=\" />\n" /* 8 */
        "      </key>\n"                                                                /* 9 */
        "      <key path=\"LM/W3SVC/2\">\n"                                             /* 10 */
        "        <property id=\"5506\" dataType=\"Binary\" value=\"oXiHOzFAMOF0YxIuI7soWvDFEzg=\" />\n" /* 11 */
        "      </key>\n"                                                                /* 12 */
        "    </customMetadata>\n"                                                       /* 13 */
        "  </system.applicationHost>\n"                                                 /* 14 */
        "</configuration>\n";                                                           /* 15 */

typedef struct Fixture {
        Store *store;
        char dir[64];
        char path[128];                 /* the applicationHost.config */
        int64_t config_file, netsh_file, events_file;
        unsigned files;
} Fixture;

static int64_t add_file(Fixture *x, const char *path, const char *format) {
        char sha[65];
        int64_t id;

        snprintf(sha, sizeof(sha), "%064u", ++x->files);
        assert_int_equal(store_file_add(x->store, &(StoreFile) {
                .path = path, .sha256 = sha, .format = format, .host = HOST, .size = 1, .attribution = "folder" },
                &id), 0);
        return id;
}

static void property(Fixture *x, const char *key_path, uint64_t key_line, int64_t id, uint64_t line,
                     const char *decoded) {
        assert_int_equal(store_config_property_add(x->store, x->config_file, HOST, &(ConfigProperty) {
                .key_path = key_path, .key_line = key_line, .id = id, .data_type = decoded ? "Binary" : "String",
                .value = "x", .decoded = decoded, .valid = true, .line = line }), 0);
}

static void write_config(const char *path, const char *text) {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

/* A store with the config above imported for HOST (the rows as the importer writes them). */
static void fixture_new(Fixture *x) {
        *x = (Fixture) {};
        strcpy(x->dir, "/tmp/evdiag-test-remedy-XXXXXX");
        assert_non_null(mkdtemp(x->dir));
        snprintf(x->path, sizeof(x->path), "%s/applicationHost.config", x->dir);
        write_config(x->path, config_text);
        assert_int_equal(store_open(NULL, &x->store, NULL), 0);
        assert_int_equal(store_host_add(x->store, HOST, "WEB01"), 0);
        x->config_file = add_file(x, x->path, "apphost");
        x->events_file = add_file(x, "case/WEB01/System.xml", "xml");
        property(x, "LM/W3SVC/1", 5, 1018, 6, NULL);
        property(x, "LM/W3SVC/1", 5, 5511, 7, NULL);
        property(x, "LM/W3SVC/1", 5, 5506, 8, LEGACY);
        property(x, "LM/W3SVC/2", 10, 5506, 11, LEGACY);
}

static void fixture_done(Fixture *x) {
        x->store = store_free(x->store);
        unlink(x->path);
        rmdir(x->dir);
}

static void netsh(Fixture *x, const char *endpoint, const char *hash) {
        if (!x->netsh_file)
                x->netsh_file = add_file(x, "case/WEB01/netsh.txt", "netsh");
        if (endpoint)
                assert_int_equal(store_netsh_binding_add(x->store, x->netsh_file, HOST, &(NetshBinding) {
                        .kind = "ipport", .endpoint = endpoint, .cert_hash = hash, .app_id = APPID, .store_name = "My",
                        .line = 3 }), 0);
}

static ReportRemedy *build(Fixture *x, const RemedyKeyRef *keys, size_t n_keys, const char *const *endpoints,
                           size_t n_endpoints) {
        ReportRemedy *m = NULL;

        assert_int_equal(remedy_build(x->store, HOST, keys, n_keys, endpoints, n_endpoints, &m), 0);
        assert_non_null(m);
        return m;
}

/* The key that keeps a property: the two legacy lines go, the excerpt is the element. */
static void test_key_that_stays(void **state) {
        _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
        const ReportConfigKey *k;
        Fixture x;

        fixture_new(&x);
        m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/1" }, 1, NULL, 0);
        assert_int_equal(m->n_configs, 1);
        assert_string_equal(m->configs[0].path, x.path);
        assert_null(m->configs[0].note);
        assert_int_equal(m->configs[0].n_keys, 1);
        k = &m->configs[0].keys[0];
        assert_string_equal(k->key_path, "LM/W3SVC/1");
        assert_int_equal(k->line, 5);
        assert_int_equal(k->end_line, 9);
        assert_false(k->remove_key);
        assert_int_equal(k->n_properties, 2);
        assert_int_equal(k->properties[0].id, 5511);
        assert_int_equal(k->properties[0].line, 7);
        assert_null(k->properties[0].decoded);
        assert_int_equal(k->properties[1].id, 5506);
        assert_string_equal(k->properties[1].decoded, LEGACY);
        assert_int_equal(k->n_delete_lines, 2);
        assert_int_equal(k->delete_lines[0], 7);
        assert_int_equal(k->delete_lines[1], 8);
        assert_int_equal(k->n_excerpt, 5);
        for (size_t i = 0; i < 5; i++)
                assert_int_equal(k->excerpt[i].line, 5 + i);
        assert_string_equal(k->excerpt[0].text, "      <key path=\"LM/W3SVC/1\">");
        assert_string_equal(k->excerpt[4].text, "      </key>");
        assert_false(k->excerpt_truncated);
        assert_string_equal(k->appcmd, "%windir%\\system32\\inetsrv\\appcmd.exe set config -section:customMetadata "
                                       "/-\"[path='LM/W3SVC/1'].[id='5511']\" /-\"[path='LM/W3SVC/1'].[id='5506']\"");
        /* No symptom, and no https binding of site 1 in the store: nothing to restore. */
        assert_int_equal(m->n_bindings, 0);
        fixture_done(&x);
}

/* A key with nothing else: the whole element goes, and appcmd clears it. The same key named
 * twice is one key. */
static void test_key_removed(void **state) {
        _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
        const RemedyKeyRef keys[] = { { NULL, "LM/W3SVC/2" }, { NULL, NULL }, { NULL, "LM/W3SVC/2" } };
        RemedyKeyRef k3[3];
        const ReportConfigKey *k;
        Fixture x;

        fixture_new(&x);
        memcpy(k3, keys, sizeof(keys));
        k3[0].path = k3[2].path = x.path;
        m = build(&x, k3, 3, NULL, 0);
        assert_int_equal(m->n_configs, 1);
        assert_int_equal(m->configs[0].n_keys, 1);
        k = &m->configs[0].keys[0];
        assert_true(k->remove_key);
        assert_int_equal(k->end_line, 12);
        assert_int_equal(k->n_delete_lines, 3);
        assert_int_equal(k->delete_lines[0], 10);
        assert_int_equal(k->delete_lines[1], 11);
        assert_int_equal(k->delete_lines[2], 12);
        assert_string_equal(k->appcmd, "%windir%\\system32\\inetsrv\\appcmd.exe clear config "
                                       "-section:customMetadata -[path='LM/W3SVC/2']");
        fixture_done(&x);
}

/* The lines come from the planner of evdiag fix, not from a guess on the text: a comment that
 * holds "</key>" does not end the key, and properties that share their line with other markup
 * get no lines at all. */
static void test_lines_from_the_planner(void **state) {
        Fixture x;

        fixture_new(&x);
        write_config(x.path,
                     "<configuration>\n<system.applicationHost>\n<customMetadata>\n"
                     "<key path=\"LM/W3SVC/2\">\n"                                    /* 4 */
                     "<!-- moved from an old </key> -->\n"                             /* 5 */
                     "<property id=\"5506\" value=\"x\" />\n"                         /* 6 */
                     "</key>\n"                                                        /* 7 */
                     "</customMetadata>\n</system.applicationHost>\n</configuration>\n");
        assert_int_equal(store_config_property_add(x.store, x.config_file, HOST, &(ConfigProperty) {
                .key_path = "LM/W3SVC/7", .key_line = 4, .id = 5506, .value = "x", .valid = true, .line = 6 }), 0);
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;

                /* The file names the key LM/W3SVC/2; the import saw LM/W3SVC/7 there. */
                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/7" }, 1, NULL, 0);
                assert_non_null(strstr(m->configs[0].note, "changed since it was imported"));
                assert_int_equal(m->configs[0].keys[0].n_delete_lines, 0);
        }
        write_config(x.path,
                     "<configuration>\n<system.applicationHost>\n<customMetadata>\n"
                     "<key path=\"LM/W3SVC/7\">\n"                                    /* 4 */
                     "<!-- moved from an old </key> -->\n"                             /* 5 */
                     "<property id=\"5506\" value=\"x\" />\n"                         /* 6 */
                     "</key>\n"                                                        /* 7 */
                     "</customMetadata>\n</system.applicationHost>\n</configuration>\n");
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
                const ReportConfigKey *k;

                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/7" }, 1, NULL, 0);
                k = &m->configs[0].keys[0];
                /* The comment keeps the key (it holds more than the property). */
                assert_false(k->remove_key);
                assert_int_equal(k->end_line, 7);
                assert_int_equal(k->n_excerpt, 4);
                assert_int_equal(k->n_delete_lines, 1);
                assert_int_equal(k->delete_lines[0], 6);
        }
        write_config(x.path,
                     "<configuration><system.applicationHost><customMetadata>"
                     "<key path=\"LM/W3SVC/7\"><property id=\"1\" value=\"y\" /><property id=\"5506\" value=\"x\" /></key>"
                     "</customMetadata></system.applicationHost></configuration>\n");
        assert_int_equal(store_config_property_add(x.store, x.config_file, HOST, &(ConfigProperty) {
                .key_path = "LM/W3SVC/8", .key_line = 1, .id = 5506, .value = "x", .valid = true, .line = 1 }), 0);
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
                const char *one_line = "<configuration><system.applicationHost><customMetadata>"
                                       "<key path=\"LM/W3SVC/8\"><property id=\"1\" value=\"y\" />"
                                       "<property id=\"5506\" value=\"x\" /></key>"
                                       "</customMetadata></system.applicationHost></configuration>\n";

                write_config(x.path, one_line);
                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/8" }, 1, NULL, 0);
                /* One line is the whole file: it is not a line to delete. */
                assert_int_equal(m->configs[0].keys[0].n_delete_lines, 0);
                assert_non_null(strstr(m->configs[0].note, "share their lines"));
                assert_int_equal(m->configs[0].keys[0].n_excerpt, 1);
        }
        fixture_done(&x);
}

/* A file that is gone or has changed since the import: the lines the import saw, no excerpt,
 * a note that says why. A key that holds no legacy property is no remedy. */
static void test_file_gone_or_changed(void **state) {
        Fixture x;

        fixture_new(&x);
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;

                write_config(x.path, "<configuration>\n</configuration>\n");
                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/1" }, 1, NULL, 0);
                assert_int_equal(m->n_configs, 1);
                assert_non_null(strstr(m->configs[0].note, "changed since it was imported"));
                assert_int_equal(m->configs[0].keys[0].n_excerpt, 0);
                /* No lines named from an old reading of the file. */
                assert_int_equal(m->configs[0].keys[0].n_delete_lines, 0);
                assert_non_null(m->configs[0].keys[0].appcmd);
        }
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;

                unlink(x.path);
                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/2" }, 1, NULL, 0);
                assert_non_null(strstr(m->configs[0].note, "could not be read again"));
                /* What the import saw: the key holds nothing else, appcmd clears it; no lines. */
                assert_true(m->configs[0].keys[0].remove_key);
                assert_int_equal(m->configs[0].keys[0].n_delete_lines, 0);
                assert_non_null(strstr(m->configs[0].keys[0].appcmd, "clear config"));
        }
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;

                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/9" }, 1, NULL, 0);
                assert_int_equal(m->n_configs, 0);
        }
        fixture_done(&x);
}

typedef struct BindingCase {
        const char *what;
        const char *netsh_endpoint, *netsh_hash;  /* NULL endpoint: netsh output without it */
        bool netsh;                               /* netsh output supplied at all */
        const char *endpoint;
        bool legacy_key;                          /* the remedy holds the 5506 key */
        const char *command, *delete_command;     /* expected; NULL: none */
        bool differs, legacy_bound;
        const char *note;                         /* a part of the note */
} BindingCase;

static const BindingCase binding_cases[] = {
        { "no netsh output", NULL, NULL, false, "0.0.0.0:443", true,
          "netsh http add sslcert ipport=0.0.0.0:443 certhash=<thumbprint-of-the-site-certificate> appid=" APPID, NULL,
          false, false, "No netsh output was supplied: put the thumbprint of the site's certificate in the command, "
                        "not the legacy hash." },
        { "netsh without the endpoint", NULL, NULL, true, "0.0.0.0:443", true,
          "netsh http add sslcert ipport=0.0.0.0:443 certhash=<thumbprint-of-the-site-certificate> appid=" APPID, NULL,
          false, false, "lists no binding for 0.0.0.0:443" },
        { "netsh binds another certificate", "0.0.0.0:443", BOUND, true, "0.0.0.0:443", true,
          "netsh http add sslcert ipport=0.0.0.0:443 certhash=" BOUND " appid=" APPID, NULL, true, false,
          "which is why the binding broke" },
        { "the same, the endpoint as *:443", "0.0.0.0:443", BOUND,
          true, "*:443", true, "netsh http add sslcert ipport=0.0.0.0:443 certhash=" BOUND " appid=" APPID, NULL, true, false,
          "is not the certificate bound to *:443" },
        { "netsh binds the legacy hash", "0.0.0.0:443", LEGACY, true, "0.0.0.0:443", true,
          "netsh http add sslcert ipport=0.0.0.0:443 certhash=<thumbprint-of-the-site-certificate> appid=" APPID,
          "netsh http delete sslcert ipport=0.0.0.0:443", false, true, "recreated the binding from it" },
        { "netsh binds, no legacy key", "0.0.0.0:443", BOUND, true, "0.0.0.0:443", false,
          "netsh http add sslcert ipport=0.0.0.0:443 certhash=" BOUND " appid=" APPID, NULL, false, false,
          "run the command only if that binding is lost" },
        { "an SNI binding", NULL, NULL, false, "portal.contoso.com:443", true,
          "netsh http add sslcert hostnameport=portal.contoso.com:443 certhash=<thumbprint-of-the-site-certificate> appid="
          APPID " certstorename=MY", NULL, false, false, "No netsh output" },
        { "an IPv6 endpoint", NULL, NULL, false, "[::]:8443", true,
          "netsh http add sslcert ipport=[::]:8443 certhash=<thumbprint-of-the-site-certificate> appid=" APPID, NULL,
          false, false, "No netsh output" },
        { "a hash that is no thumbprint (a hand-made case database)", "0.0.0.0:443", "0123 & calc.exe", true,
          "0.0.0.0:443", true,
          "netsh http add sslcert ipport=0.0.0.0:443 certhash=<thumbprint-of-the-site-certificate> appid=" APPID, NULL,
          false, false, "lists no binding" },
        { "an endpoint a shell would read", NULL, NULL, false, "0.0.0.0:443 & calc.exe", true, NULL, NULL, false,
          false, "No netsh output" },
};

static void test_bindings(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(binding_cases); i++) {
                const BindingCase *c = &binding_cases[i];
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
                const ReportBindingFix *b;
                Fixture x;

                print_message("%s\n", c->what);
                fixture_new(&x);
                if (c->netsh)
                        netsh(&x, c->netsh_endpoint, c->netsh_hash);
                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/1" }, c->legacy_key ? 1 : 0,
                          (const char *const[]) { c->endpoint }, 1);
                assert_int_equal(m->n_bindings, 1);
                b = &m->bindings[0];
                assert_string_equal(b->endpoint, c->endpoint);
                assert_true(b->deleted);
                assert_int_equal(b->netsh_supplied, c->netsh);
                if (c->command)
                        assert_string_equal(b->command, c->command);
                else
                        assert_null(b->command);
                if (c->delete_command)
                        assert_string_equal(b->delete_command, c->delete_command);
                else
                        assert_null(b->delete_command);
                assert_int_equal(b->hash_differs, c->differs);
                assert_int_equal(b->legacy_bound, c->legacy_bound);
                if (c->legacy_key)
                        assert_string_equal(b->legacy_hash, LEGACY);
                else
                        assert_null(b->legacy_hash);
                if (!strstr(b->note, c->note))
                        fail_msg("%s: note \"%s\" lacks \"%s\"", c->what, b->note, c->note);
                fixture_done(&x);
        }
}

/* Without a symptom (a host at risk) the endpoints are those of the sites the keys name, and
 * the command is for the day the binding is lost. Endpoints are capped. */
static void test_bindings_at_risk_and_capped(void **state) {
        Fixture x;

        fixture_new(&x);
        assert_int_equal(store_site_binding_add(x.store, x.config_file, HOST, &(SiteBinding) {
                .site_name = "Shop", .site_id = 2, .protocol = "https", .binding_information = "*:443:shop",
                .port = 443, .hostname = "shop", .endpoint = "shop:443", .line = 20 }), 0);
        assert_int_equal(store_site_binding_add(x.store, x.config_file, HOST, &(SiteBinding) {
                .site_name = "Shop", .site_id = 2, .protocol = "http", .binding_information = "*:80:",
                .port = 80, .endpoint = "0.0.0.0:80", .line = 21 }), 0);
        netsh(&x, "shop:443", BOUND);
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;

                m = build(&x, &(RemedyKeyRef) { x.path, "LM/W3SVC/2" }, 1, NULL, 0);
                assert_int_equal(m->n_bindings, 1);
                assert_string_equal(m->bindings[0].endpoint, "shop:443");
                assert_false(m->bindings[0].deleted);
                assert_true(m->bindings[0].hash_differs);
                assert_non_null(strstr(m->bindings[0].note, "can replace that binding"));
                assert_non_null(strstr(m->bindings[0].command, "hostnameport=shop:443 certhash=" BOUND));
        }
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
                const char *endpoints[EVDIAG_MAX_REMEDY_ITEMS + 2];
                char names[EVDIAG_MAX_REMEDY_ITEMS + 2][32];

                for (size_t i = 0; i < ELEMENTSOF(endpoints); i++) {
                        snprintf(names[i], sizeof(names[i]), "10.0.0.%zu:443", i + 1);
                        endpoints[i] = names[i];
                }
                endpoints[3] = NULL;                    /* skipped */
                endpoints[4] = "10.0.0.1:443";          /* the same as the first */
                m = build(&x, NULL, 0, endpoints, ELEMENTSOF(endpoints));
                assert_int_equal(m->n_configs, 0);
                assert_int_equal(m->n_bindings, EVDIAG_MAX_REMEDY_ITEMS);
                assert_string_equal(m->bindings[0].endpoint, "10.0.0.1:443");
                assert_string_equal(m->bindings[3].endpoint, "10.0.0.6:443");
        }
        fixture_done(&x);
}

/* Two sites with legacy hashes: the binding of site 5's endpoint is judged against site 5's
 * hash; bound to it, the binding was recreated from it, whichever key comes first. */
static void test_bindings_two_keys(void **state) {
        static const char other[] = "00112233445566778899aabbccddeeff00112233";
        Fixture x;

        fixture_new(&x);
        property(&x, "LM/W3SVC/5", 0, 5506, 30, other);
        assert_int_equal(store_site_binding_add(x.store, x.config_file, HOST, &(SiteBinding) {
                .site_name = "Five", .site_id = 5, .protocol = "https", .binding_information = "*:8443:",
                .port = 8443, .endpoint = "0.0.0.0:8443", .line = 40 }), 0);
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
                const RemedyKeyRef keys[] = { { x.path, "LM/W3SVC/1" }, { x.path, "LM/W3SVC/5" } };

                m = build(&x, keys, 2, (const char *const[]) { "0.0.0.0:8443" }, 1);
                assert_int_equal(m->n_bindings, 1);
                assert_string_equal(m->bindings[0].legacy_hash, other);
                assert_false(m->bindings[0].legacy_bound);
        }
        netsh(&x, "0.0.0.0:8443", other);
        {
                _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
                const RemedyKeyRef keys[] = { { x.path, "LM/W3SVC/1" }, { x.path, "LM/W3SVC/5" } };

                m = build(&x, keys, 2, (const char *const[]) { "0.0.0.0:8443" }, 1);
                assert_true(m->bindings[0].legacy_bound);
                assert_false(m->bindings[0].hash_differs);
                assert_string_equal(m->bindings[0].legacy_hash, other);
                assert_string_equal(m->bindings[0].delete_command, "netsh http delete sslcert ipport=0.0.0.0:8443");
                assert_non_null(strstr(m->bindings[0].command, "certhash=<thumbprint-of-the-site-certificate>"));
        }
        fixture_done(&x);
}

/* A key path that cmd.exe or appcmd would read as syntax gets no appcmd command; the lines to
 * delete are still named. */
static void test_hostile_key_path(void **state) {
        _cleanup_(report_remedy_freep) ReportRemedy *m = NULL;
        const char *path = "LM/W3SVC/1']\" & del C:\\ & rem";
        Fixture x;

        fixture_new(&x);
        property(&x, path, 0, 5506, 8, LEGACY);
        m = build(&x, &(RemedyKeyRef) { x.path, path }, 1, NULL, 0);
        assert_int_equal(m->n_configs, 1);
        assert_null(m->configs[0].keys[0].appcmd);
        assert_non_null(strstr(m->configs[0].note, "no line for the key"));
        assert_int_equal(m->configs[0].keys[0].n_delete_lines, 0);
        fixture_done(&x);
}

static void test_shell_quote(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "case/WEB01/applicationHost.config", "case/WEB01/applicationHost.config" },
                { "my case/applicationHost.config", "'my case/applicationHost.config'" },
                { "it's", "'it'\\''s'" },
                { "$(rm -rf ~)", "'$(rm -rf ~)'" },
                { "", "''" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_strbuf_ StrBuf b = {};

                assert_int_equal(remedy_shell_quote(&b, cases[i].in), 0);
                assert_string_equal(strbuf_str(&b), cases[i].out);
        }
}

/* ---- Timelines ---- */

static int64_t t0(void) {
        return (days_from_civil(2024, 3, 12) * 86400 + 2 * 3600 + 14 * 60 + 13) * TICKS_PER_SECOND + 4200003;
}

static int64_t event(Fixture *x, int64_t time, int64_t event_id, const char *message) {
        static int64_t record = 1000;
        Event ev = {
                .host = "WEB01", .channel = "System", .provider = "Service Control Manager", .event_id = event_id,
                .qualifiers = EVENT_NO_VALUE, .version = EVENT_NO_VALUE, .level = EVENT_NO_VALUE,
                .task = EVENT_NO_VALUE, .opcode = EVENT_NO_VALUE, .record_id = ++record, .time = time,
                .time_digits = 7, .message = message, .line = 1, .offset = UINT64_MAX,
        };
        StoreQuery *q = NULL;
        int64_t id;

        assert_int_equal(store_event_add(x->store, x->events_file, HOST, &ev), 1);
        assert_int_equal(store_query_new(x->store, "SELECT max(id) FROM events", &q), 0);
        assert_int_equal(store_query_step(q), 1);
        id = store_query_int(q, 0);
        store_query_free(q);
        return id;
}

static void test_window(void **state) {
        const int64_t s = TICKS_PER_SECOND;
        ReportSymptom sym = {};
        int64_t symptom_row, launch_row, far_row, after_row;
        Fixture x;

        fixture_new(&x);
        /* 60 events a second apart before the symptom, so that more than the cap are in the
         * window; the launch 500 s before (farther than the 40 nearest), one event out of the
         * window, one after. */
        for (int i = 1; i <= 60; i++)
                (void) event(&x, t0() - i * s, 7036, "other");
        launch_row = event(&x, t0() - 500 * s, 7036, "The IIS Admin Service service entered the running state.");
        far_row = event(&x, t0() - 700 * s, 7036, "too early");
        symptom_row = event(&x, t0(), 15300, "SSL Certificate Settings deleted");
        after_row = event(&x, t0() + 10 * s, 15021, "after");
        sym = (ReportSymptom) { .time = t0(), .digits = 7, .event_id = 15300, .row = symptom_row };

        assert_int_equal(symptom_window_build(x.store, HOST, &sym, 600 * s, 300 * s,
                                              (const WindowMark[]) {
                                                      { .row = symptom_row, .time = t0(), .role = "symptom" },
                                                      { .row = launch_row, .time = t0() - 500 * s, .role = "launch",
                                                        .summary = "IIS Admin Service started" },
                                              }, 2), 0);
        assert_int_equal(sym.window_from, t0() - 600 * s);
        assert_int_equal(sym.window_to, t0() + 300 * s);
        assert_int_equal(sym.timeline_total, 63);       /* 60 + launch + symptom + after */
        assert_int_equal(sym.n_timeline, EVDIAG_MAX_TIMELINE_EVENTS);
        for (size_t i = 1; i < sym.n_timeline; i++)
                assert_true(sym.timeline[i].time >= sym.timeline[i - 1].time);
        /* The launch is kept although 38 others are nearer; the farthest others went for it. */
        assert_int_equal(sym.timeline[0].time, t0() - 500 * s);
        assert_string_equal(sym.timeline[0].role, "launch");
        assert_string_equal(sym.timeline[0].summary, "IIS Admin Service started");
        assert_int_equal(sym.timeline[1].time, t0() - 37 * s);
        assert_string_equal(sym.timeline[1].role, "other");
        assert_string_equal(sym.timeline[sym.n_timeline - 2].role, "symptom");
        assert_int_equal(sym.timeline[sym.n_timeline - 2].event_id, 15300);
        assert_int_equal(sym.timeline[0].row, launch_row);
        assert_int_equal(sym.timeline[sym.n_timeline - 2].row, symptom_row);
        assert_int_equal(sym.timeline[sym.n_timeline - 1].row, after_row);
        assert_int_equal(sym.timeline[sym.n_timeline - 1].time, t0() + 10 * s);
        assert_non_null(strstr(sym.timeline[sym.n_timeline - 1].summary, "15021"));
        assert_string_equal(sym.timeline[sym.n_timeline - 1].source, "case/WEB01/System.xml:1");
        /* Outside the window: not there. */
        for (size_t i = 0; i < sym.n_timeline; i++)
                assert_true(sym.timeline[i].row != far_row);

        /* Freed by the report's own code. */
        {
                Report *r = report_new("test", "UTC");
                ReportFinding *f = report_add_finding(r);

                assert_non_null(f);
                f->symptoms = calloc(1, sizeof(ReportSymptom));
                assert_non_null(f->symptoms);
                f->symptoms[0] = sym;
                f->n_symptoms = 1;
                report_free(r);
        }
        fixture_done(&x);
}

/* A flood of events at the symptom's very time, all before it in the store: the symptom and
 * its launch are still in its timeline. */
static void test_window_flood(void **state) {
        const int64_t s = TICKS_PER_SECOND;
        ReportSymptom sym = {};
        int64_t symptom_row, launch_row;
        size_t symptoms = 0, launches = 0;
        Fixture x;

        fixture_new(&x);
        launch_row = event(&x, t0() - 300 * s, 7036, "launch");
        for (int i = 0; i < 1100; i++)
                (void) event(&x, t0(), 1, "noise");
        symptom_row = event(&x, t0(), 15300, "SSL Certificate Settings deleted");
        sym = (ReportSymptom) { .time = t0(), .digits = 7, .event_id = 15300, .row = symptom_row };
        assert_int_equal(symptom_window_build(x.store, HOST, &sym, 600 * s, 300 * s,
                                              (const WindowMark[]) {
                                                      { .row = symptom_row, .time = t0(), .role = "symptom" },
                                                      { .row = launch_row, .time = t0() - 300 * s, .role = "launch" },
                                              }, 2), 0);
        assert_int_equal(sym.timeline_total, 1102);
        assert_int_equal(sym.n_timeline, EVDIAG_MAX_TIMELINE_EVENTS);
        for (size_t i = 0; i < sym.n_timeline; i++) {
                symptoms += strcmp(sym.timeline[i].role, "symptom") == 0;
                launches += strcmp(sym.timeline[i].role, "launch") == 0;
        }
        assert_int_equal(symptoms, 1);
        assert_int_equal(launches, 1);
        for (size_t i = 0; i < sym.n_timeline; i++)
                report_timeline_event_done(&sym.timeline[i]);
        free(sym.timeline);
        fixture_done(&x);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key_that_stays),
                cmocka_unit_test(test_key_removed),
                cmocka_unit_test(test_file_gone_or_changed),
                cmocka_unit_test(test_lines_from_the_planner),
                cmocka_unit_test(test_bindings),
                cmocka_unit_test(test_bindings_at_risk_and_capped),
                cmocka_unit_test(test_bindings_two_keys),
                cmocka_unit_test(test_hostile_key_path),
                cmocka_unit_test(test_shell_quote),
                cmocka_unit_test(test_window),
                cmocka_unit_test(test_window_flood),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
