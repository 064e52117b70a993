/* SPDX-License-Identifier: MIT */
/* Rule loader, compiler and correlator: any bytes in; a rule is refused with a message, or it
 * loads into a tree that keeps the loader's promises, compiles to SQL that SQLite accepts, and
 * runs over a small case without failing. No crash. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "report/report.h"
#include "rules/correlate.h"
#include "rules/rule-compile.h"
#include "rules/rule.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small case for every rule that loads to run on: a 15300 after an IIS Admin Service
 * start and a process creation, a 5506 key, bindings; on two hosts. */
static void fill(Store *s) {
        static const uint8_t binary[] = { 'I', 0, 'I', 0, 'S', 0, 'A', 0, 'D', 0, 'M', 0, 'I', 0, 'N', 0, '/', 0, '4', 0, 0, 0 };
        static const EventField symptom_fields[] = { { "Endpoint", "0.0.0.0:443" }, { NULL, "unnamed" } };
        static const EventField launch_fields[] = { { "param1", "IIS Admin Service" }, { "param2", "running" } };
        static const EventField process_fields[] = {
                { "NewProcessName", "C:\\Windows\\System32\\cscript.exe" },
                { "CommandLine", "cscript adsutil.vbs ENUM W3SVC/1" },
        };
        const char *hosts[] = { "web01", "web02" };
        int64_t events, config;

        if (store_file_add(s, &(StoreFile) { .path = "System.xml", .sha256 = "1", .format = "xml" }, &events) < 0 ||
            store_file_add(s, &(StoreFile) { .path = "applicationHost.config", .sha256 = "2", .format = "apphost",
                                             .host = "web01" }, &config) < 0)
                abort();
        for (size_t h = 0; h < 2; h++) {
                int64_t t = INT64_C(17102097534200003) + (int64_t) h;
                Event base = {
                        .host = hosts[h], .channel = "System", .qualifiers = EVENT_NO_VALUE, .version = EVENT_NO_VALUE,
                        .level = EVENT_NO_VALUE, .task = EVENT_NO_VALUE, .opcode = EVENT_NO_VALUE, .line = 1,
                        .offset = UINT64_MAX, .time_digits = 7,
                };
                Event e;

                if (store_host_add(s, hosts[h], hosts[h]) < 0)
                        abort();
                e = base;
                e.provider = "Microsoft-Windows-HttpEvent", e.event_id = 15300, e.record_id = 10, e.time = t;
                e.message = "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .";
                e.fields = symptom_fields, e.n_fields = 2;
                if (store_event_add(s, events, hosts[h], &e) < 0)
                        abort();
                e = base;
                e.provider = "Service Control Manager", e.event_id = 7036, e.record_id = 9, e.time = t - 20000000;
                e.message = "The IIS Admin Service service entered the running state.";
                e.fields = launch_fields, e.n_fields = 2, e.binary = binary, e.binary_size = sizeof(binary);
                if (store_event_add(s, events, hosts[h], &e) < 0)
                        abort();
                e = base;
                e.provider = "Microsoft-Windows-Security-Auditing", e.channel = "Security", e.event_id = 4688;
                e.record_id = EVENT_NO_VALUE, e.time = t - 30000000, e.time_digits = 0;
                e.message = "A new process has been created.\n\tNew Process Name:\tC:\\x\\inetmgr6.exe\n";
                e.fields = process_fields, e.n_fields = 2;
                if (store_event_add(s, events, hosts[h], &e) < 0)
                        abort();
        }
        for (int64_t id = 5505; id <= 5506; id++)
                if (store_config_property_add(s, config, "web01", &(ConfigProperty) {
                            .key_path = "LM/W3SVC/1", .key_line = 2, .id = id, .value = "oXiHOzFAMOF0YxIuI7soWvDFEzg=",
                            .decoded = "a178873b314030e17463122e23bb285af0c51338", .valid = true, .line = 3 }) < 0)
                        abort();
        for (int64_t site = 1; site <= 2; site++)
                if (store_site_binding_add(s, config, "web01", &(SiteBinding) {
                            .site_name = "Default", .site_id = site, .protocol = "https", .binding_information = "*:443:",
                            .ip = "*", .port = 443, .hostname = "", .endpoint = "0.0.0.0:443", .line = 5 }) < 0 ||
                    store_netsh_binding_add(s, config, "web01", &(NetshBinding) {
                            .kind = "ipport", .endpoint = "0.0.0.0:443", .cert_hash = "ab", .line = 7 }) < 0)
                        abort();
}

/* One in-memory database for every input: opening one runs the schema. */
static Store *fuzz_store(void) {
        static Store *store;

        if (!store) {
                if (store_open(NULL, &store, NULL) < 0)
                        abort();
                fill(store);
        }
        return store;
}

/* The rule runs over the case: a loaded rule never makes the correlator fail. */
static void check_correlate(Rule *rule) {
        RuleSet set = { .rules = &rule, .n_rules = 1 };
        Report *report = report_new("fuzz", "UTC");
        Diag *diag = diag_new("correlate");
        int r;

        if (report && diag) {
                r = correlate(fuzz_store(), &set, &(CorrelateOptions) { .window = 600 }, report, diag);
                if (r < 0 && r != -ENOMEM)
                        abort();
        }
        report_free(report);
        diag_free(diag);
}

static void check_query(int r, Query *q) {
        StoreQuery *st = NULL;

        if (r == -ENOMEM)
                return;
        if (r < 0 || !q->sql)
                abort();
        /* SQL built from a loaded rule is always valid: the rule only adds parameters. */
        if (store_query_new(fuzz_store(), q->sql, &st) < 0)
                abort();
        store_query_free(st);
        query_done(q);
}

static void check_rule(const Rule *rule) {
        if (!rule->id || !rule->title || !*rule->title || rule->n_symptoms == 0 || rule->n_verdicts == 0 ||
            rule->n_decisions == 0)
                abort();
        for (size_t i = 0; i < rule->n_decisions + rule->n_host_decisions; i++) {
                bool host = i >= rule->n_decisions;
                const RuleDecision *d = host ? &rule->host_decisions[i - rule->n_decisions] : &rule->decisions[i];

                if (!d->verdict || (strcmp(d->verdict, "none") != 0 && !rule_verdict(rule, d->verdict)))
                        abort();
                for (size_t j = 0; j < d->n; j++)
                        if (d->facts[j] >= rule->n_facts || (host && rule->facts[d->facts[j]].per_symptom))
                                abort();
        }
        for (size_t i = 0; i < rule->n_symptoms; i++) {
                Query q = {};

                check_query(compile_symptom(rule, i, &q), &q);
        }
        for (size_t i = 0; i < rule->n_facts; i++) {
                const RuleFact *f = &rule->facts[i];

                for (size_t j = 0; j < f->n_events; j++) {
                        Query q = {};

                        check_query(compile_event_fact(f, j, &q), &q);
                }
                if (f->kind != FACT_EVENT) {
                        Query q = {};

                        check_query(compile_artifact_fact(f, &q), &q);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(diag_freep) Diag *diag = NULL;
        Rule *rule = NULL;
        int r;

        diag = diag_new("fuzz.xml");
        if (!diag)
                return 0;
        r = rule_parse((const char *) data, size, "fuzz.xml", &rule, diag);
        if (r == -ENOMEM)
                return 0;
        if (r == -EBADMSG) {
                /* Refused, with a reason, and nothing handed back. */
                if (rule || diag_count(diag) == 0)
                        abort();
                return 0;
        }
        if (r != 0 || !rule)
                abort();
        check_rule(rule);
        check_correlate(rule);
        rule_free(rule);
        return 0;
}
