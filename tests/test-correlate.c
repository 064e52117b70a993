/* SPDX-License-Identifier: MIT */
/* The correlator with the shipped rules, over cases built row by row through the store API:
 * every row of the KB2025598 verdict table, each kind of IIS 6 metabase client launch and the
 * look-alikes that are none, the window's edges, endpoints, hosts, and the admin rule. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "importer/import.h"
#include "report/report.h"
#include "rules/correlate.h"
#include "rules/rule.h"
#include "store/store.h"

#define KB "KB2025598"
#define ADMIN "SSL-BINDING-REMOVED-BY-ADMIN"
#define HOST "web01"
#define HOST_NAME "WEB01.contoso.local"

static RuleSet *rules;

static int setup(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new(RULES_DIR);

        return rule_set_load(RULES_DIR, &rules, d) == 2 ? 0 : -1;
}

static int teardown(void **state) {
        rules = rule_set_free(rules);
        return 0;
}

/* 2024-03-12T02:14:13.4200003Z: the 15300 of the cases, at full precision. */
static int64_t t0(void) {
        return (days_from_civil(2024, 3, 12) * 86400 + 2 * 3600 + 14 * 60 + 13) * TICKS_PER_SECOND + 4200003;
}

#define SECONDS(s) ((int64_t) ((s) * (double) TICKS_PER_SECOND))

typedef struct Case {
        Store *store;
        unsigned files;
        int64_t events_file;    /* System.xml of HOST */
        int64_t apphost_file;   /* its applicationHost.config, or 0 */
        int64_t record;
} Case;

static int64_t add_file(Case *c, const char *path, const char *format, const char *host) {
        char sha[65];
        int64_t id;

        snprintf(sha, sizeof(sha), "%064u", ++c->files);
        assert_int_equal(store_file_add(c->store, &(StoreFile) {
                .path = path, .sha256 = sha, .format = format, .host = host, .size = 1,
                .attribution = host ? "folder" : NULL }, &id), 0);
        return id;
}

static void case_new(Case *c) {
        *c = (Case) { .record = 48000 };
        assert_int_equal(store_open(NULL, &c->store, NULL), 0);
        assert_int_equal(store_host_add(c->store, HOST, HOST_NAME), 0);
        c->events_file = add_file(c, "case/WEB01/System.xml", "xml", NULL);
}

static void case_done(Case *c) {
        c->store = store_free(c->store);
}

/* An event as a test writes it: fields as name, value pairs; binary as text that is stored the
 * way Windows writes it, UTF-16LE with a terminating NUL. */
typedef struct Ev {
        const char *host;               /* key; NULL: HOST */
        const char *computer;
        const char *provider, *channel;
        int64_t id;
        int64_t time;
        int digits;                     /* 0: 7 */
        bool whole_seconds;             /* digits 0 (text and CSV exports) */
        const char *message;
        const char *fields[12];
        const char *binary;
        int64_t file;                   /* 0: the case's System.xml */
        int64_t record;                 /* 0: the next one; -1: none */
} Ev;

static void add_event(Case *c, const Ev *e) {
        EventField fields[6] = {};
        uint8_t binary[128];
        size_t n_fields = 0, n_binary = 0;
        Event ev = {
                .host = e->computer ? e->computer : HOST_NAME,
                .channel = e->channel,
                .provider = e->provider,
                .event_id = e->id,
                .qualifiers = EVENT_NO_VALUE, .version = EVENT_NO_VALUE, .level = EVENT_NO_VALUE,
                .task = EVENT_NO_VALUE, .opcode = EVENT_NO_VALUE,
                .record_id = e->record < 0 ? EVENT_NO_VALUE : e->record ? e->record : ++c->record,
                .time = e->time,
                .time_digits = e->whole_seconds ? 0 : e->digits ? e->digits : 7,
                .message = e->message,
                .line = (uint64_t) (c->record % 1000) + 1,
                .offset = UINT64_MAX,
        };

        for (size_t i = 0; e->fields[i]; i += 2)
                fields[n_fields++] = (EventField) { .name = e->fields[i], .value = e->fields[i + 1] };
        ev.fields = fields;
        ev.n_fields = n_fields;
        if (e->binary) {
                for (const char *p = e->binary; *p; p++) {
                        binary[n_binary++] = (uint8_t) *p;
                        binary[n_binary++] = 0;
                }
                binary[n_binary++] = 0;
                binary[n_binary++] = 0;
                ev.binary = binary;
                ev.binary_size = n_binary;
        }
        assert_int_equal(store_event_add(c->store, e->file ? e->file : c->events_file, e->host ? e->host : HOST, &ev), 1);
}

/* The 15300 on host at time, for endpoint (in EventData, or only in the message when
 * text_export). */
static void add_symptom(Case *c, const char *host, int64_t time, const char *endpoint, bool text_export, int64_t record) {
        char message[160];

        snprintf(message, sizeof(message), "SSL Certificate Settings deleted for Port : %s .", endpoint);
        if (text_export)
                add_event(c, &(Ev) { .host = host, .provider = "Microsoft-Windows-HttpEvent", .channel = "System",
                                     .id = 15300, .time = time, .whole_seconds = true, .message = message,
                                     .record = record ? record : -1 });
        else
                add_event(c, &(Ev) { .host = host, .provider = "Microsoft-Windows-HttpEvent", .channel = "System",
                                     .id = 15300, .time = time, .record = record,
                                     .fields = { "DeviceObject", "\\Device\\Http\\ReqQueue", "Endpoint", endpoint } });
}

static void add_iisadmin_launch(Case *c, const char *host, int64_t time) {
        add_event(c, &(Ev) { .host = host, .provider = "Service Control Manager", .channel = "System", .id = 7036,
                             .time = time, .binary = "IISADMIN/4",
                             .message = "The IIS Admin Service service entered the running state.",
                             .fields = { "param1", "IIS Admin Service", "param2", "running" } });
}

/* What the KB2025598 facts look at, besides events: a config file of the host, the 5506 key
 * of site 1, the https binding of site 1 on endpoint, netsh's binding. */
static void add_config(Case *c, const char *host) {
        char path[64];

        snprintf(path, sizeof(path), "case/%s/applicationHost.config", host);
        c->apphost_file = add_file(c, path, "apphost", host);
}

static void add_key(Case *c, int64_t file, const char *host, const char *key_path) {
        assert_int_equal(store_config_property_add(c->store, file, host, &(ConfigProperty) {
                .key_path = key_path, .key_line = 52, .id = 5506, .data_type = "Binary", .user_type = "1",
                .attributes = "Inherit", .value = "oXiHOzFAMOF0YxIuI7soWvDFEzg=",
                .decoded = "a178873b314030e17463122e23bb285af0c51338", .valid = true, .line = 55 }), 0);
        /* Beside it, properties of other ids that are no hash. */
        assert_int_equal(store_config_property_add(c->store, file, host, &(ConfigProperty) {
                .key_path = key_path, .key_line = 52, .id = 5511, .data_type = "String", .value = "MY",
                .valid = true, .line = 54 }), 0);
}

static void add_binding(Case *c, int64_t file, const char *host, int64_t site, const char *info, const char *ip,
                        const char *hostname, int64_t ssl_flags, const char *endpoint) {
        assert_int_equal(store_site_binding_add(c->store, file, host, &(SiteBinding) {
                .site_name = site == 1 ? "Default Web Site" : "Shop", .site_id = site, .protocol = "https",
                .binding_information = info, .ip = ip, .port = 443, .hostname = hostname, .ssl_flags = ssl_flags,
                .endpoint = endpoint, .site_line = 70, .line = 75 }), 0);
}

static void add_netsh(Case *c, const char *host, const char *endpoint) {
        int64_t f = add_file(c, "case/WEB01/netsh.txt", "netsh", host);

        assert_int_equal(store_netsh_binding_add(c->store, f, host, &(NetshBinding) {
                .kind = "ipport", .endpoint = endpoint, .cert_hash = "0123456789abcdef0123456789abcdef01234567",
                .app_id = "{4dc3e181-e14b-4a21-b022-59fc669b0914}", .store_name = "My", .line = 5 }), 0);
}

static Report *run_window(Case *c, int64_t window) {
        _cleanup_(diag_freep) Diag *d = diag_new("correlate");
        Report *report = report_new("test", "UTC");
        int r;

        assert_non_null(report);
        r = correlate(c->store, rules, &(CorrelateOptions) { .window = window }, report, d);
        if (r < 0) {
                size_t n;
                const DiagEntry *e = diag_entries(d, &n);

                for (size_t i = 0; i < n; i++)
                        fprintf(stderr, "    diag: %s\n", e[i].message);
                fail_msg("correlate() returned %d", r);
        }
        assert_int_equal((size_t) r, report->n_findings);
        return report;
}

static Report *run(Case *c) {
        return run_window(c, 600);
}

static const ReportFinding *find(const Report *report, const char *rule, const char *host) {
        for (size_t i = 0; i < report->n_findings; i++)
                if (strcmp(report->findings[i].rule, rule) == 0 && strcmp(report->findings[i].host, host) == 0)
                        return &report->findings[i];
        return NULL;
}

/* The verdict of rule on host_name, "none" when there is no finding. */
static const char *verdict_of(const Report *report, const char *rule, const char *host_name) {
        const ReportFinding *f = find(report, rule, host_name);

        return f ? f->verdict : "none";
}

static bool has_evidence(const ReportFinding *f, const char *kind, const char *summary_part) {
        for (size_t i = 0; i < f->n_evidence; i++)
                if (strcmp(f->evidence[i].kind, kind) == 0 && (!summary_part || strstr(f->evidence[i].summary, summary_part)))
                        return true;
        return false;
}

static void dump(const Report *report) {
        _cleanup_strbuf_ StrBuf b = {};

        if (report_render_text(report, &(ReportStyle) {}, &b) == 0)
                fprintf(stderr, "%s", strbuf_str(&b));
}

static void expect_verdict(const Report *report, const char *rule, const char *host_name, const char *want,
                           const char *what) {
        const char *got = verdict_of(report, rule, host_name);

        if (strcmp(got, want) != 0) {
                dump(report);
                fail_msg("%s: %s on %s is %s, wanted %s", what, rule, host_name, got, want);
        }
}

/* Every row of the KB2025598 table. Without a config file there can be no key, and without a
 * key no link: those rows give the facts to a file of another format (as nothing an import
 * makes would), so that the table is walked whole; the link fact then has a binding but no
 * key to join it with, so it does not hold. */
typedef struct TableRow {
        bool config, key, link, launch;
        const char *verdict;
} TableRow;

static const TableRow table[] = {
        { true, true, true, true, "confirmed" },
        { true, true, true, false, "likely" },
        { true, true, false, true, "possible" },
        { true, true, false, false, "possible" },
        { true, false, true, true, "ruled_out" },
        { true, false, true, false, "ruled_out" },
        { true, false, false, true, "ruled_out" },
        { true, false, false, false, "ruled_out" },
        { false, true, true, true, "likely" },
        { false, true, true, false, "possible" },
        { false, true, false, true, "likely" },
        { false, true, false, false, "possible" },
        { false, false, true, true, "likely" },
        { false, false, true, false, "possible" },
        { false, false, false, true, "likely" },
        { false, false, false, false, "possible" },
};

static void build_row(Case *c, const TableRow *row) {
        int64_t artifacts;

        case_new(c);
        add_symptom(c, HOST, t0(), "0.0.0.0:443", false, 48116);
        if (row->launch)
                add_iisadmin_launch(c, HOST, t0() - SECONDS(1.8));
        if (row->config)
                add_config(c, HOST);
        artifacts = c->apphost_file ? c->apphost_file : add_file(c, "case/WEB01/odd.xml", "xml", HOST);
        if (row->key)
                add_key(c, artifacts, HOST, "LM/W3SVC/1");
        if (row->link)
                add_binding(c, artifacts, HOST, 1, "*:443:", "*", "", 0, "0.0.0.0:443");
        /* A site binding on another site never links. */
        add_binding(c, artifacts, HOST, 2, "*:443:", "*", "", 0, "0.0.0.0:443");
}

static void test_verdict_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                const TableRow *row = &table[i];
                _cleanup_(report_freep) Report *report = NULL;
                const ReportFinding *f;
                char what[96];
                Case c;

                snprintf(what, sizeof(what), "config=%d key=%d link=%d launch=%d", row->config, row->key, row->link,
                         row->launch);
                build_row(&c, row);
                report = run(&c);
                expect_verdict(report, KB, HOST_NAME, row->verdict, what);
                f = find(report, KB, HOST_NAME);

                /* The symptom as the JSON report shows it. */
                assert_int_equal(f->n_symptoms, 1);
                assert_int_equal(f->symptoms_total, 1);
                assert_string_equal(f->symptoms[0].endpoint, "0.0.0.0:443");
                assert_int_equal(f->symptoms[0].record_id, 48116);
                assert_int_equal(f->symptoms[0].event_id, 15300);
                assert_int_equal(f->symptoms[0].time, t0());
                assert_string_equal(f->symptoms[0].verdict, row->verdict);
                assert_non_null(strstr(f->symptoms[0].source, "case/WEB01/System.xml:"));
                assert_non_null(f->reason);
                assert_null(strstr(f->reason, "${"));

                /* Remedy for the verdicts that have one. */
                if (strcmp(row->verdict, "ruled_out") == 0)
                        assert_null(f->remediation);
                else
                        assert_non_null(f->remediation);
                /* The facts that hold are shown. */
                assert_int_equal(has_evidence(f, "launch", "IIS Admin Service"), row->launch);
                assert_int_equal(has_evidence(f, "config", "applicationHost.config was read"), row->config);
                assert_int_equal(has_evidence(f, "config", "holds property 5506"), row->key);
                assert_int_equal(has_evidence(f, "binding", NULL), row->link && row->key);
                assert_false(has_evidence(f, "netsh", NULL));
                case_done(&c);
        }
}

static void test_confirmed_content(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        const ReportFinding *f;
        Case c;

        build_row(&c, &table[0]);
        add_netsh(&c, HOST, "0.0.0.0:443");
        report = run(&c);
        f = find(report, KB, HOST_NAME);
        assert_non_null(f);
        assert_string_equal(f->verdict, "confirmed");
        assert_int_equal(f->strength, 4);
        assert_string_equal(f->title, rules->rules[0]->title);
        assert_non_null(strstr(f->reason, "started at 2024-03-12T02:14:11.6200003Z (The IIS Admin Service service "
                                          "entered the running state)"));
        assert_non_null(strstr(f->reason, "<key path=\"LM/W3SVC/1\">"));
        assert_non_null(strstr(f->reason, "0.0.0.0:443 at 2024-03-12T02:14:13.4200003Z"));
        assert_non_null(strstr(f->remediation, "case/web01/applicationHost.config"));
        /* The remedy as facts: both legacy properties of the key; the file is not there to
         * read again, so no lines and no excerpt, and a note that says so. */
        assert_non_null(f->remedy);
        assert_int_equal(f->remedy->n_configs, 1);
        {
                const ReportConfigFix *c0 = &f->remedy->configs[0];
                const ReportConfigKey *k = &c0->keys[0];

                assert_string_equal(c0->path, "case/web01/applicationHost.config");
                assert_string_equal(c0->fix_command, "evdiag fix case/web01/applicationHost.config --in-place");
                assert_non_null(c0->note);
                assert_int_equal(c0->n_keys, 1);
                assert_string_equal(k->key_path, "LM/W3SVC/1");
                assert_int_equal(k->line, 52);
                /* It holds nothing else, but where it ends is not known: only the property
                 * lines are named; appcmd clears the whole key. */
                assert_true(k->remove_key);
                assert_int_equal(k->end_line, 0);
                assert_int_equal(k->n_properties, 2);
                /* The file is not there to plan the edit on: no lines are named. */
                assert_non_null(strstr(c0->note, "could not be read again"));
                assert_int_equal(k->n_delete_lines, 0);
                assert_int_equal(k->n_excerpt, 0);
                assert_string_equal(k->appcmd, "%windir%\\system32\\inetsrv\\appcmd.exe clear config "
                                                "-section:customMetadata -[path='LM/W3SVC/1']");
        }
        /* The binding HTTP.sys holds is not the legacy hash: it goes into the command, and the
         * note says the difference is why the binding broke. */
        assert_int_equal(f->remedy->n_bindings, 1);
        assert_string_equal(f->remedy->bindings[0].endpoint, "0.0.0.0:443");
        assert_true(f->remedy->bindings[0].deleted);
        assert_true(f->remedy->bindings[0].hash_differs);
        assert_false(f->remedy->bindings[0].legacy_bound);
        assert_null(f->remedy->bindings[0].delete_command);
        assert_string_equal(f->remedy->bindings[0].command,
                            "netsh http add sslcert ipport=0.0.0.0:443 certhash=0123456789abcdef0123456789abcdef01234567 "
                            "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}");
        assert_non_null(strstr(f->remedy->bindings[0].note, "which is why the binding broke"));
        /* The decisive symptom's timeline holds it and its launch, marked. */
        assert_int_equal(f->n_symptoms, 1);
        assert_true(f->symptoms[0].decisive);
        assert_true(f->symptoms[0].n_timeline >= 2);
        {
                bool symptom = false, launch = false;

                for (size_t i = 0; i < f->symptoms[0].n_timeline; i++) {
                        const ReportTimelineEvent *ev = &f->symptoms[0].timeline[i];

                        symptom = symptom || (strcmp(ev->role, "symptom") == 0 && ev->time == t0());
                        launch = launch || (strcmp(ev->role, "launch") == 0 && ev->event_id == 7036);
                        if (i > 0)
                                assert_true(ev->time >= f->symptoms[0].timeline[i - 1].time);
                }
                assert_true(symptom);
                assert_true(launch);
        }
        assert_true(has_evidence(f, "netsh", "0.0.0.0:443 is bound to certificate 0123456789abcdef"));
        assert_true(has_evidence(f, "binding", "site \"Default Web Site\" (id 1) has the https binding *:443: on 0.0.0.0:443"));
        for (size_t i = 0; i < f->n_evidence; i++) {
                const ReportEvidence *e = &f->evidence[i];

                assert_non_null(e->source);
                if (strcmp(e->kind, "launch") == 0) {
                        assert_true(e->has_time);
                        assert_int_equal(e->time, t0() - SECONDS(1.8));
                        assert_int_equal(e->event_id, 7036);
                        assert_true(e->record_id > 48000);
                } else {
                        assert_false(e->has_time);
                        assert_int_equal(e->event_id, -1);
                        assert_int_equal(e->record_id, -1);
                }
                if (strstr(e->summary, "5506"))
                        assert_string_equal(e->source, "case/web01/applicationHost.config:55");
        }
        /* The other rule finds nothing here. */
        assert_null(find(report, ADMIN, HOST_NAME));
        case_done(&c);
}

/* Hosts without a 15300: at risk with the key, nothing without. */
static void test_hosts_without_symptom(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        const ReportFinding *f;
        Case c;

        case_new(&c);
        assert_int_equal(store_host_add(c.store, "web04", "WEB04"), 0);
        assert_int_equal(store_host_add(c.store, "web05", "WEB05"), 0);
        assert_int_equal(store_host_add(c.store, "web06", "WEB06"), 0);
        add_config(&c, "web04");
        add_key(&c, c.apphost_file, "web04", "LM/W3SVC/3");
        add_config(&c, "web05");        /* config, no key */
        add_iisadmin_launch(&c, "web06", t0());   /* a launch, and nothing else */
        add_iisadmin_launch(&c, HOST, t0());
        report = run(&c);
        f = find(report, KB, "WEB04");
        assert_non_null(f);
        assert_string_equal(f->verdict, "at_risk");
        assert_int_equal(f->n_symptoms, 0);
        assert_int_equal(f->symptoms_total, 0);
        assert_non_null(strstr(f->reason, "<key path=\"LM/W3SVC/3\">"));
        assert_non_null(f->remediation);
        /* No symptom, no binding to name: the site has no https binding in this store. */
        assert_non_null(f->remedy);
        assert_int_equal(f->remedy->n_configs, 1);
        assert_int_equal(f->remedy->n_bindings, 0);
        assert_true(has_evidence(f, "config", "holds property 5506"));
        assert_false(has_evidence(f, "launch", NULL));
        expect_verdict(report, KB, "WEB05", "none", "config without key");
        expect_verdict(report, KB, "WEB06", "none", "launch only");
        expect_verdict(report, KB, HOST_NAME, "none", "neither");
        assert_int_equal(report->n_findings, 1);
        case_done(&c);
}

/* Each way an IIS 6 metabase client start shows up in the logs, and look-alikes that are no
 * such start. The host has the key and the link: a launch makes it confirmed, else likely. */
typedef struct LaunchCase {
        const char *name;
        bool launch;
        Ev ev;
} LaunchCase;

#define SCM .provider = "Service Control Manager", .channel = "System", .id = 7036
#define SECURITY .provider = "Microsoft-Windows-Security-Auditing", .channel = "Security", .id = 4688
#define SYSMON .provider = "Microsoft-Windows-Sysmon", .channel = "Microsoft-Windows-Sysmon/Operational", .id = 1

static const char new_process_text[] =
        "A new process has been created.\n"
        "\n"
        "Creator Subject:\n"
        "\tSecurity ID:\t\tCONTOSO\\adm.jdoe\n"
        "\tAccount Name:\t\tadm.jdoe\n"
        "\n"
        "Process Information:\n"
        "\tNew Process ID:\t\t0x1a2c\n"
        "\tNew Process Name:\tC:\\Windows\\System32\\cscript.exe\n"
        "\tToken Elevation Type:\t%%1937\n"
        "\tCreator Process ID:\t0x9f0\n"
        "\tCreator Process Name:\tC:\\Windows\\System32\\cmd.exe\n"
        "\tProcess Command Line:\tcscript.exe C:\\inetpub\\AdminScripts\\adsutil.vbs ENUM W3SVC/1\n";

static const char creator_only_text[] =
        "A new process has been created.\n"
        "\n"
        "Process Information:\n"
        "\tNew Process ID:\t\t0x1a2c\n"
        "\tNew Process Name:\tC:\\Windows\\System32\\cmd.exe\n"
        "\tCreator Process ID:\t0x9f0\n"
        "\tCreator Process Name:\tC:\\Windows\\System32\\inetsrv\\inetinfo.exe\n"
        "\tProcess Command Line:\tcmd.exe /c adsutil.vbs\n";

static const LaunchCase launch_cases[] = {
        { "7036 IISADMIN/4 in the binary data, names in German", true,
          { SCM, .binary = "IISADMIN/4", .fields = { "param1", "IIS-Verwaltungsdienst", "param2", "Wird ausgeführt" } } },
        { "7036 param1/param2", true,
          { SCM, .fields = { "param1", "IIS Admin Service", "param2", "running" } } },
        { "7036 from a text export: the English message only", true,
          { SCM, .whole_seconds = true, .record = -1, .message = "The IIS Admin Service service entered the running state." } },
        { "7036 from a German text export", true,
          { .provider = "Dienststeuerungs-Manager", .channel = "System", .id = 7036, .whole_seconds = true,
            .message = "Der Dienst \"IIS-Verwaltungsdienst\" befindet sich jetzt im Status \"Wird ausgeführt\"." } },
        { "7036 SMTPSVC/4", true,
          { SCM, .binary = "SMTPSVC/4", .fields = { "param1", "Simple Mail Transfer Protocol (SMTP)", "param2", "running" } } },
        { "7036 SMTP message only", true,
          { SCM, .message = "The Simple Mail Transfer Protocol (SMTP) service entered the running state." } },
        { "4688 inetmgr6.exe", true,
          { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\inetsrv\\inetmgr6.exe",
                                  "CommandLine", "\"C:\\Windows\\System32\\inetsrv\\inetmgr6.exe\"" } } },
        { "4688 inetinfo.exe", true,
          { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\inetsrv\\inetinfo.exe", "CommandLine", "" } } },
        { "4688 cscript.exe adsutil.vbs", true,
          { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\cscript.exe",
                                  "CommandLine", "cscript.exe C:\\inetpub\\AdminScripts\\adsutil.vbs ENUM W3SVC/1" } } },
        { "4688 wscript.exe iisweb.vbs", true,
          { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\SysWOW64\\WSCRIPT.EXE",
                                  "CommandLine", "wscript C:\\Windows\\System32\\IISWEB.VBS /query" } } },
        { "Sysmon 1 Image and CommandLine", true,
          { SYSMON, .fields = { "Image", "C:\\Windows\\System32\\cscript.exe",
                                "CommandLine", "cscript //nologo \"C:\\inetpub\\AdminScripts\\adsutil.vbs\" SET W3SVC/1/x 1" } } },
        { "Sysmon 1 inetmgr6.exe", true,
          { SYSMON, .fields = { "Image", "C:\\Windows\\System32\\inetsrv\\InetMgr6.exe" } } },
        { "4688 from a text export: message lines only", true,
          { SECURITY, .whole_seconds = true, .record = -1, .message = new_process_text } },

        { "7036 W3SVC running", false,
          { SCM, .binary = "W3SVC/4", .message = "The World Wide Web Publishing Service service entered the running state.",
            .fields = { "param1", "World Wide Web Publishing Service", "param2", "running" } } },
        { "7036 WAS running", false,
          { SCM, .binary = "WAS/4", .message = "The Windows Process Activation Service service entered the running state.",
            .fields = { "param1", "Windows Process Activation Service", "param2", "running" } } },
        { "7036 IISADMIN entering the stopped state", false,
          { SCM, .binary = "IISADMIN/1", .message = "The IIS Admin Service service entered the stopped state.",
            .fields = { "param1", "IIS Admin Service", "param2", "stopped" } } },
        { "7036 IISADMIN from another provider", false,
          { .provider = "EventLog", .channel = "System", .id = 7036, .binary = "IISADMIN/4",
            .message = "The IIS Admin Service service entered the running state." } },
        { "4688 appcmd.exe", false,
          { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\inetsrv\\appcmd.exe",
                                  "CommandLine", "appcmd.exe list site /config" } } },
        { "4688 w3wp.exe", false,
          { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                                  "CommandLine", "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"DefaultAppPool\"" } } },
        { "4688 cscript.exe with another script", false,
          { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\cscript.exe",
                                  "CommandLine", "cscript.exe C:\\scripts\\diskreport.vbs /all" } } },
        { "4688 a name that only ends like inetinfo.exe", false,
          { SECURITY, .fields = { "NewProcessName", "C:\\tools\\notinetinfo.exe", "CommandLine", "notinetinfo.exe" } } },
        { "4688 text export naming inetinfo.exe as the creator only", false,
          { SECURITY, .whole_seconds = true, .record = -1, .message = creator_only_text } },
        { "4689 (exit) of inetmgr6.exe", false,
          { .provider = "Microsoft-Windows-Security-Auditing", .channel = "Security", .id = 4689,
            .fields = { "ProcessName", "C:\\Windows\\System32\\inetsrv\\inetmgr6.exe" } } },
};

static void test_launch_kinds(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(launch_cases); i++) {
                const LaunchCase *lc = &launch_cases[i];
                _cleanup_(report_freep) Report *report = NULL;
                Ev ev = lc->ev;
                Case c;

                build_row(&c, &table[1]);       /* config, key, link; no launch */
                /* 3 s before; 2 s when the export has whole seconds, which cut it down further. */
                ev.time = t0() - (ev.whole_seconds ? SECONDS(2.4200003) : SECONDS(3));
                add_event(&c, &ev);
                report = run(&c);
                expect_verdict(report, KB, HOST_NAME, lc->launch ? "confirmed" : "likely", lc->name);
                assert_int_equal(has_evidence(find(report, KB, HOST_NAME), "launch", NULL), lc->launch);
                case_done(&c);
        }
}

/* The summaries of launch evidence say what started, whatever the export held. */
static void test_launch_summaries(void **state) {
        static const struct {
                size_t launch_case;
                const char *summary;
        } want[] = {
                { 0, "The IIS-Verwaltungsdienst service entered the Wird ausgeführt state" },
                { 2, "The IIS Admin Service service entered the running state" },
                { 8, "C:\\Windows\\System32\\cscript.exe started: cscript.exe C:\\inetpub\\AdminScripts\\adsutil.vbs ENUM W3SVC/1" },
                { 10, "C:\\Windows\\System32\\cscript.exe started: cscript //nologo" },
                { 11, "InetMgr6.exe started: (no command line recorded)" },
                { 12, "C:\\Windows\\System32\\cscript.exe started: cscript.exe C:\\inetpub\\AdminScripts\\adsutil.vbs ENUM W3SVC/1" },
        };

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                _cleanup_(report_freep) Report *report = NULL;
                Ev ev = launch_cases[want[i].launch_case].ev;
                const ReportFinding *f;
                Case c;

                build_row(&c, &table[1]);
                ev.time = t0() - SECONDS(5);
                add_event(&c, &ev);
                report = run(&c);
                f = find(report, KB, HOST_NAME);
                if (!has_evidence(f, "launch", want[i].summary)) {
                        dump(report);
                        fail_msg("no launch evidence \"%s\"", want[i].summary);
                }
                case_done(&c);
        }
}

/* The window: --window (CorrelateOptions) seconds before the 15300, both ends included. */
static void test_window(void **state) {
        static const struct {
                int64_t window;
                int64_t before;         /* ticks before the symptom */
                bool inside;
        } cases[] = {
                { 600, 600 * TICKS_PER_SECOND, true },
                { 600, 600 * TICKS_PER_SECOND + 1, false },
                { 60, 60 * TICKS_PER_SECOND, true },
                { 60, 60 * TICKS_PER_SECOND + 1, false },
                { 60, 61 * TICKS_PER_SECOND, false },
                { 0, 0, true },
                { 0, 1, false },
                { 2592000, 2592000 * TICKS_PER_SECOND, true },
                /* After the symptom: no cause of it. */
                { 600, -1, false },
                { 600, -SECONDS(0.3), false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(report_freep) Report *report = NULL;
                char what[80], says[80];
                Case c;

                build_row(&c, &table[1]);
                add_iisadmin_launch(&c, HOST, t0() - cases[i].before);
                report = run_window(&c, cases[i].window);
                snprintf(what, sizeof(what), "window %lld, launch %lld ticks before", (long long) cases[i].window,
                         (long long) cases[i].before);
                expect_verdict(report, KB, HOST_NAME, cases[i].inside ? "confirmed" : "likely", what);
                if (!cases[i].inside) {
                        /* The reason names the window used. */
                        snprintf(says, sizeof(says), "in the %lld seconds before", (long long) cases[i].window);
                        assert_non_null(strstr(find(report, KB, HOST_NAME)->reason, says));
                }
                case_done(&c);
        }
}

/* A symptom from a CSV or text export has whole seconds: it happened somewhere in that second,
 * so a launch later in the same second may still be its cause; one in the next second not. */
static void test_whole_second_symptom(void **state) {
        static const struct {
                double after;
                bool counts;
        } cases[] = {
                { 0.3, true },
                { 0.9999999, true },
                { 1.0, false },
                { -0.5, true },
        };
        int64_t whole = t0() - t0() % TICKS_PER_SECOND;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(report_freep) Report *report = NULL;
                char what[64];
                Case c;

                case_new(&c);
                add_config(&c, HOST);
                add_key(&c, c.apphost_file, HOST, "LM/W3SVC/1");
                add_binding(&c, c.apphost_file, HOST, 1, "*:443:", "*", "", 0, "0.0.0.0:443");
                add_symptom(&c, HOST, whole, "0.0.0.0:443", true, 0);
                add_iisadmin_launch(&c, HOST, whole + SECONDS(cases[i].after));
                report = run(&c);
                snprintf(what, sizeof(what), "launch %.7f s after a whole-second symptom", cases[i].after);
                expect_verdict(report, KB, HOST_NAME, cases[i].counts ? "confirmed" : "likely", what);
                assert_int_equal(find(report, KB, HOST_NAME)->symptoms[0].record_id, -1);
                assert_string_equal(find(report, KB, HOST_NAME)->symptoms[0].endpoint, "0.0.0.0:443");
                case_done(&c);
        }
}

static void test_launch_on_another_host(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        Case c;

        build_row(&c, &table[1]);
        assert_int_equal(store_host_add(c.store, "web02", "WEB02"), 0);
        add_iisadmin_launch(&c, "web02", t0() - SECONDS(1));
        report = run(&c);
        expect_verdict(report, KB, HOST_NAME, "likely", "launch on WEB02");
        expect_verdict(report, KB, "WEB02", "none", "WEB02 has no symptom and no key");
        case_done(&c);
}

/* The 15300's endpoint against the site's binding. */
static void test_endpoints(void **state) {
        static const struct {
                const char *symptom;
                bool text_export;
                const char *info, *ip, *hostname;
                int64_t ssl_flags;
                const char *endpoint;
                const char *verdict;
        } cases[] = {
                { "0.0.0.0:443", false, "*:443:", "*", "", 0, "0.0.0.0:443", "confirmed" },
                { "0.0.0.0:443", true, "*:443:", "*", "", 0, "0.0.0.0:443", "confirmed" },
                { "[::]:443", false, "*:443:", "*", "", 0, "0.0.0.0:443", "possible" },
                { "[::]:443", true, "*:443:", "*", "", 0, "0.0.0.0:443", "possible" },
                { "10.1.2.3:443", false, "10.1.2.3:443:", "10.1.2.3", "", 0, "10.1.2.3:443", "confirmed" },
                { "10.1.2.3:443", false, "*:443:", "*", "", 0, "0.0.0.0:443", "possible" },
                { "0.0.0.0:443", false, "10.1.2.3:443:", "10.1.2.3", "", 0, "10.1.2.3:443", "possible" },
                { "www.contoso.com:443", false, "*:443:www.contoso.com", "*", "www.contoso.com", 1, "www.contoso.com:443", "confirmed" },
                { "WWW.Contoso.COM:443", false, "*:443:www.contoso.com", "*", "www.contoso.com", 1, "www.contoso.com:443", "confirmed" },
                { "0.0.0.0:443", false, "*:443:www.contoso.com", "*", "www.contoso.com", 1, "www.contoso.com:443", "possible" },
                { "0.0.0.0:8443", false, "*:443:", "*", "", 0, "0.0.0.0:443", "possible" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(report_freep) Report *report = NULL;
                char what[128];
                Case c;

                case_new(&c);
                add_config(&c, HOST);
                add_key(&c, c.apphost_file, HOST, "LM/W3SVC/1");
                add_binding(&c, c.apphost_file, HOST, 1, cases[i].info, cases[i].ip, cases[i].hostname,
                            cases[i].ssl_flags, cases[i].endpoint);
                add_symptom(&c, HOST, cases[i].text_export ? t0() - t0() % TICKS_PER_SECOND : t0(), cases[i].symptom,
                            cases[i].text_export, 0);
                add_iisadmin_launch(&c, HOST, t0() - SECONDS(10));
                report = run(&c);
                snprintf(what, sizeof(what), "15300 for %s%s, binding %s", cases[i].symptom,
                         cases[i].text_export ? " (message only)" : "", cases[i].info);
                expect_verdict(report, KB, HOST_NAME, cases[i].verdict, what);
                case_done(&c);
        }
}

/* The host's finding takes its strongest symptom's verdict; each symptom keeps its own. */
/* Two sites with legacy keys: the reason names the key of the site bound to the endpoint, not
 * the first key found. */
static void test_reason_names_the_linked_key(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        const ReportFinding *f;
        Case c;

        case_new(&c);
        add_symptom(&c, HOST, t0(), "0.0.0.0:8443", false, 48116);
        add_iisadmin_launch(&c, HOST, t0() - SECONDS(1.8));
        add_config(&c, HOST);
        add_key(&c, c.apphost_file, HOST, "LM/W3SVC/1");
        add_key(&c, c.apphost_file, HOST, "LM/W3SVC/2");
        add_binding(&c, c.apphost_file, HOST, 2, "*:8443:", "*", "", 0, "0.0.0.0:8443");
        report = run(&c);
        f = find(report, KB, HOST_NAME);
        assert_non_null(f);
        assert_string_equal(f->verdict, "confirmed");
        assert_non_null(strstr(f->reason, "<key path=\"LM/W3SVC/2\">"));
        case_done(&c);
}

/* Past the cap on symptoms kept, the decisive one is still there: the verdict is its. */
static void test_decisive_past_the_cap(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        const ReportFinding *f;
        size_t decisive = 0;
        Case c;

        build_row(&c, &table[1]);                               /* 15300 at t0 on 0.0.0.0:443 */
        for (int i = 0; i < 60; i++)                            /* earlier, no launch near them */
                add_symptom(&c, HOST, t0() - SECONDS(7200 + 60 * i), "0.0.0.0:443", false, 46000 + i);
        add_iisadmin_launch(&c, HOST, t0() - SECONDS(2));
        report = run(&c);
        f = find(report, KB, HOST_NAME);
        assert_non_null(f);
        assert_string_equal(f->verdict, "confirmed");
        assert_int_equal(f->symptoms_total, 61);
        assert_int_equal(f->n_symptoms, 51);
        for (size_t i = 0; i < f->n_symptoms; i++)
                if (f->symptoms[i].decisive) {
                        decisive++;
                        assert_int_equal(f->symptoms[i].record_id, 48116);
                        assert_string_equal(f->symptoms[i].verdict, "confirmed");
                        assert_true(f->symptoms[i].n_timeline > 0);
                }
        assert_int_equal(decisive, 1);
        case_done(&c);
}

static void test_strongest_symptom_decides(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        const ReportFinding *f;
        Case c;

        build_row(&c, &table[1]);                               /* 15300 at t0 on 0.0.0.0:443 */
        add_symptom(&c, HOST, t0() - SECONDS(900), "10.9.9.9:8443", false, 47000);     /* no link */
        add_iisadmin_launch(&c, HOST, t0() - SECONDS(2));       /* only near the second */
        add_symptom(&c, HOST, t0() + SECONDS(3600), "[::]:443", false, 49000);          /* no link, no launch */
        report = run(&c);
        f = find(report, KB, HOST_NAME);
        assert_non_null(f);
        assert_string_equal(f->verdict, "confirmed");
        assert_int_equal(f->symptoms_total, 3);
        assert_int_equal(f->n_symptoms, 3);
        assert_int_equal(f->symptoms[0].record_id, 47000);
        assert_string_equal(f->symptoms[0].endpoint, "10.9.9.9:8443");
        assert_string_equal(f->symptoms[0].verdict, "possible");
        assert_int_equal(f->symptoms[1].record_id, 48116);
        assert_string_equal(f->symptoms[1].verdict, "confirmed");
        assert_int_equal(f->symptoms[2].record_id, 49000);
        assert_string_equal(f->symptoms[2].verdict, "possible");
        /* The reason is the decisive symptom's. */
        assert_non_null(strstr(f->reason, "binding of 0.0.0.0:443"));
        assert_non_null(f->remediation);
        assert_non_null(f->remedy);
        /* Every symptom's endpoint is a binding to restore; only the decisive one is decisive. */
        assert_int_equal(f->remedy->n_bindings, 3);
        assert_string_equal(f->remedy->bindings[0].endpoint, "10.9.9.9:8443");
        assert_string_equal(f->remedy->bindings[1].endpoint, "0.0.0.0:443");
        assert_string_equal(f->remedy->bindings[2].endpoint, "[::]:443");
        assert_string_equal(f->remedy->bindings[2].command,
                            "netsh http add sslcert ipport=[::]:443 certhash=<thumbprint-of-the-site-certificate> "
                            "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}");
        assert_false(f->symptoms[0].decisive);
        assert_true(f->symptoms[1].decisive);
        assert_false(f->symptoms[2].decisive);
        assert_int_equal(report->n_findings, 1);
        case_done(&c);
}

/* Hosts are one by the first label of their name, whatever its case. */
static void test_host_names(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        Case c;

        build_row(&c, &table[0]);
        /* Seen again by other names: the first name stays. */
        assert_int_equal(store_host_add(c.store, HOST, "web01"), 0);
        assert_int_equal(store_host_add(c.store, HOST, "Web01.other.example"), 0);
        report = run(&c);
        expect_verdict(report, KB, HOST_NAME, "confirmed", "host key web01");
        assert_int_equal(report->n_findings, 1);
        case_done(&c);
}

static void copy_file(const char *from, const char *to) {
        FILE *in = fopen(from, "rb"), *out;
        char buf[65536];
        size_t n;

        assert_non_null(in);
        out = fopen(to, "wb");
        assert_non_null(out);
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(in);
        assert_int_equal(fclose(out), 0);
}

/* The same through the importer: the events name WEB01.contoso.local, the configuration sits
 * in a folder called web01. */
static void test_host_names_imported(void **state) {
        _cleanup_(store_freep) Store *store = NULL;
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_(report_freep) Report *report = report_new("test", "UTC");
        _cleanup_(diag_freep) Diag *d = diag_new("correlate");
        char dir[] = "/tmp/evdiag-test-correlate-XXXXXX", sub[64], path[128];
        const ImportInput *inputs;
        size_t n;

        assert_non_null(mkdtemp(dir));
        snprintf(sub, sizeof(sub), "%s/web01", dir);
        assert_int_equal(mkdir(sub, 0700), 0);
        snprintf(path, sizeof(path), "%s/System.xml", sub);
        copy_file(SAMPLE_LOGS_DIR "/iisadmin-confirmed/WEB01/System.xml", path);
        snprintf(path, sizeof(path), "%s/applicationHost.config", sub);
        copy_file(SAMPLE_LOGS_DIR "/iisadmin-confirmed/WEB01/applicationHost.config", path);

        assert_int_equal(store_open(NULL, &store, NULL), 0);
        assert_int_equal(importer_new(store, &(ImportOptions) {}, &im), 0);
        assert_int_equal(importer_add_path(im, dir), 0);
        assert_int_equal(importer_run(im, NULL, NULL), 0);
        inputs = importer_inputs(im, &n);
        assert_int_equal(n, 2);
        assert_string_equal(inputs[0].path + strlen(dir), "/web01/System.xml");
        assert_string_equal(inputs[0].host, "web01");
        assert_string_equal(inputs[1].host, "web01");
        assert_string_equal(inputs[1].attribution, "folder");
        assert_true(correlate(store, rules, &(CorrelateOptions) { .window = 600 }, report, d) >= 1);
        expect_verdict(report, KB, HOST_NAME, "confirmed", "imported from web01/");

        unlink(path);
        snprintf(path, sizeof(path), "%s/System.xml", sub);
        unlink(path);
        rmdir(sub);
        rmdir(dir);
}

/* SSL-BINDING-REMOVED-BY-ADMIN. */
static void test_admin_rule(void **state) {
        static const struct {
                const char *name;
                Ev ev;
                const char *verdict;
        } cases[] = {
                { "netsh with odd spacing and case",
                  { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\NETSH.EXE",
                                          "CommandLine", "netsh  HTTP   Delete   SSLCert ipport=0.0.0.0:443" } },
                  "confirmed" },
                { "netsh with a tab",
                  { SYSMON, .fields = { "Image", "C:\\Windows\\System32\\netsh.exe",
                                        "CommandLine", "\"C:\\Windows\\system32\\netsh.exe\" http delete\tsslcert ipport=0.0.0.0:443" } },
                  "confirmed" },
                { "netsh from a text export",
                  { SECURITY, .whole_seconds = true, .record = -1,
                    .message = "A new process has been created.\n\nProcess Information:\n"
                               "\tNew Process Name:\tC:\\Windows\\System32\\netsh.exe\n"
                               "\tProcess Command Line:\tnetsh http delete sslcert ipport=0.0.0.0:443\n" },
                  "confirmed" },
                { "netsh showing", { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\netsh.exe",
                                                           "CommandLine", "netsh http show sslcert" } },
                  "none" },
                { "netsh adding", { SECURITY, .fields = { "NewProcessName", "C:\\Windows\\System32\\netsh.exe",
                                                          "CommandLine", "netsh http add sslcert ipport=0.0.0.0:443" } },
                  "none" },
                { "another program deleting", { SECURITY, .fields = { "NewProcessName", "C:\\tools\\wrapper.exe",
                                                                      "CommandLine", "wrapper netsh http delete sslcert" } },
                  "none" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(report_freep) Report *report = NULL;
                Ev ev = cases[i].ev;
                Case c;

                case_new(&c);
                add_config(&c, HOST);           /* no key: KB2025598 is ruled out */
                add_symptom(&c, HOST, t0(), "0.0.0.0:443", false, 48116);
                ev.time = t0() - SECONDS(4);
                add_event(&c, &ev);
                report = run(&c);
                expect_verdict(report, ADMIN, HOST_NAME, cases[i].verdict, cases[i].name);
                expect_verdict(report, KB, HOST_NAME, "ruled_out", cases[i].name);
                if (strcmp(cases[i].verdict, "confirmed") == 0) {
                        const ReportFinding *f = find(report, ADMIN, HOST_NAME);

                        assert_non_null(strcasestr(f->reason, "delete"));
                        assert_non_null(strcasestr(f->reason, "sslcert ipport=0.0.0.0:443"));
                        assert_non_null(strstr(f->reason, "ran at 2024-03-12T02:14:09"));
                        assert_non_null(f->remediation);
                        assert_true(has_evidence(f, "launch", "netsh"));
                        /* Findings are ordered strongest first. */
                        assert_string_equal(report->findings[0].rule, ADMIN);
                        assert_string_equal(report->findings[1].rule, KB);
                        assert_null(report->findings[1].remediation);
                }
                case_done(&c);
        }
}

/* Rows the correlator must leave alone: unattributed events, other event ids, a symptom from
 * a provider the rule does not list. */
static void test_not_symptoms(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        int64_t orphan;
        Case c;

        case_new(&c);
        add_config(&c, HOST);
        add_key(&c, c.apphost_file, HOST, "LM/W3SVC/1");
        orphan = add_file(&c, "case/orphan.csv", "csv", NULL);
        {
                Event ev = { .provider = "HttpEvent", .event_id = 15300, .time = t0(), .record_id = EVENT_NO_VALUE,
                             .message = "SSL Certificate Settings deleted for Port : 0.0.0.0:443 .",
                             .qualifiers = EVENT_NO_VALUE, .version = EVENT_NO_VALUE, .level = EVENT_NO_VALUE,
                             .task = EVENT_NO_VALUE, .opcode = EVENT_NO_VALUE, .offset = UINT64_MAX };

                assert_int_equal(store_event_add(c.store, orphan, NULL, &ev), 1);
        }
        add_event(&c, &(Ev) { .provider = "Microsoft-Windows-HttpEvent", .channel = "System", .id = 15301, .time = t0(),
                              .fields = { "Endpoint", "0.0.0.0:443" } });
        add_event(&c, &(Ev) { .provider = "Some-Other-Provider", .channel = "System", .id = 15300, .time = t0(),
                              .fields = { "Endpoint", "0.0.0.0:443" } });
        add_event(&c, &(Ev) { .provider = "Microsoft-Windows-HttpEvent", .channel = "Application", .id = 15300,
                              .time = t0(), .fields = { "Endpoint", "0.0.0.0:443" } });
        report = run(&c);
        /* No symptom: the host is only at risk. */
        expect_verdict(report, KB, HOST_NAME, "at_risk", "no symptom of this host");
        assert_int_equal(report->n_findings, 1);
        case_done(&c);
}

/* A symptom from an export without provider or channel (CSV) matches any list. */
static void test_symptom_without_provider(void **state) {
        _cleanup_(report_freep) Report *report = NULL;
        Case c;

        build_row(&c, &table[1]);
        add_event(&c, &(Ev) { .id = 15300, .time = t0() + SECONDS(60), .whole_seconds = true, .record = -1,
                              .message = "SSL Certificate Settings deleted for endpoint : 10.0.0.9:443 ." });
        report = run(&c);
        assert_int_equal(find(report, KB, HOST_NAME)->symptoms_total, 2);
        assert_string_equal(find(report, KB, HOST_NAME)->symptoms[1].endpoint, "10.0.0.9:443");
        case_done(&c);
}

/* A rule of one's own: a capture of one source (no COALESCE of one argument), a fact over
 * events after the symptom. */
static void test_custom_rule(void **state) {
        static const char text[] =
                "<rule id=\"CUSTOM\"><title>Retried</title>\n"
                "  <symptom><event id=\"15300\"/>\n"
                "    <capture name=\"endpoint\" extract=\"endpoint\"><field>Endpoint</field></capture>\n"
                "  </symptom>\n"
                "  <fact name=\"again\" kind=\"event\" window=\"60\" side=\"after\">\n"
                "    <event id=\"15300\"><where op=\"endpoint\"><field>Endpoint</field><ref>symptom.endpoint</ref></where></event>\n"
                "  </fact>\n"
                "  <verdict name=\"repeated\" strength=\"2\">${symptom.endpoint} again at ${again.time} (${again.count})</verdict>\n"
                "  <decide><when again=\"yes\" verdict=\"repeated\"/></decide>\n"
                "</rule>\n";
        _cleanup_(diag_freep) Diag *d = diag_new("custom.xml");
        _cleanup_(report_freep) Report *report = report_new("test", "UTC");
        Rule *rule = NULL;
        RuleSet set = { .rules = &rule, .n_rules = 1 };
        const ReportFinding *f;
        Case c;

        assert_int_equal(rule_parse(text, strlen(text), "custom.xml", &rule, d), 0);
        case_new(&c);
        add_symptom(&c, HOST, t0(), "0.0.0.0:443", false, 1);
        add_symptom(&c, HOST, t0() + SECONDS(30), "0.0.0.0:443", false, 2);
        add_symptom(&c, HOST, t0() + SECONDS(31), "[::]:443", false, 3);
        assert_int_equal(correlate(c.store, &set, &(CorrelateOptions) { .window = 600 }, report, d), 1);
        f = find(report, "CUSTOM", HOST_NAME);
        assert_non_null(f);
        /* The first sees the second within 60 s; the second has nothing after it on its endpoint. */
        assert_int_equal(f->symptoms_total, 1);
        assert_string_equal(f->reason, "0.0.0.0:443 again at 2024-03-12T02:14:43.4200003Z (1)");
        case_done(&c);
        rule_free(rule);
}

/* Running twice over the same case gives the same findings. */
static void test_deterministic(void **state) {
        _cleanup_(report_freep) Report *a = NULL, *b = NULL;
        _cleanup_strbuf_ StrBuf ja = {}, jb = {};
        Case c;

        build_row(&c, &table[0]);
        add_symptom(&c, HOST, t0() - SECONDS(30), "[::]:443", false, 47990);
        a = run(&c);
        b = run(&c);
        assert_int_equal(report_render_json(a, &ja), 0);
        assert_int_equal(report_render_json(b, &jb), 0);
        assert_string_equal(strbuf_str(&ja), strbuf_str(&jb));
        case_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_verdict_table),
                cmocka_unit_test(test_confirmed_content),
                cmocka_unit_test(test_hosts_without_symptom),
                cmocka_unit_test(test_launch_kinds),
                cmocka_unit_test(test_launch_summaries),
                cmocka_unit_test(test_window),
                cmocka_unit_test(test_whole_second_symptom),
                cmocka_unit_test(test_launch_on_another_host),
                cmocka_unit_test(test_endpoints),
                cmocka_unit_test(test_strongest_symptom_decides),
                cmocka_unit_test(test_decisive_past_the_cap),
                cmocka_unit_test(test_reason_names_the_linked_key),
                cmocka_unit_test(test_host_names),
                cmocka_unit_test(test_host_names_imported),
                cmocka_unit_test(test_admin_rule),
                cmocka_unit_test(test_not_symptoms),
                cmocka_unit_test(test_symptom_without_provider),
                cmocka_unit_test(test_custom_rule),
                cmocka_unit_test(test_deterministic),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
