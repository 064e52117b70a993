/* SPDX-License-Identifier: MIT */
/* End to end on sample-logs/: each case is imported as a user would point evdiag at it, the
 * shipped rules run, and the verdicts must be the ones its README promises. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "importer/import.h"
#include "report/report.h"
#include "rules/correlate.h"
#include "rules/rule.h"
#include "store/store.h"

typedef struct Expect {
        const char *rule, *host, *verdict;
} Expect;

typedef struct Case {
        const char *folder;
        const char *tz;
        const Expect *expect;           /* every finding, in report order; ends with a NULL rule */
        const char *endpoint;           /* of the first symptom, when there is one */
} Case;

/* Imports a case and correlates it with the shipped rules; the report's findings. */
static Report *diagnose(const char *folder, const char *tz_spec, int64_t window) {
        _cleanup_(store_freep) Store *store = NULL;
        _cleanup_(importer_freep) Importer *im = NULL;
        _cleanup_(rule_set_freep) RuleSet *rules = NULL;
        _cleanup_(diag_freep) Diag *d = diag_new(RULES_DIR);
        _cleanup_(tz_freep) Tz *tz = NULL;
        ImportOptions io = {};
        CorrelateOptions co = { .window = window };
        Report *report;
        char path[1024];
        char *err = NULL;

        assert_non_null(d);
        assert_int_equal(tz_new(tz_spec, &tz), 0);
        io.tz = tz;
        assert_int_equal(store_open(NULL, &store, &err), 0);
        assert_int_equal(importer_new(store, &io, &im), 0);
        snprintf(path, sizeof(path), "%s/%s", SAMPLE_LOGS_DIR, folder);
        assert_int_equal(importer_add_path(im, path), 0);
        assert_int_equal(importer_run(im, NULL, NULL), 0);

        /* Every file of a sample is read without a single warning, but for its README. */
        size_t n;
        const ImportInput *in = importer_inputs(im, &n);
        for (size_t i = 0; i < n; i++) {
                if (strstr(in[i].path, "README")) {
                        assert_int_equal(in[i].status, INPUT_IGNORED);
                        continue;
                }
                if (diag_count(in[i].diag) > 0) {
                        size_t k;
                        const DiagEntry *e = diag_entries(in[i].diag, &k);

                        fail_msg("%s: %s", in[i].path, k > 0 ? e[0].message : "?");
                }
                assert_int_equal(in[i].status, INPUT_IMPORTED);
        }

        assert_true(rule_set_load(RULES_DIR, &rules, d) >= 2);
        report = report_new("test", tz_name(tz));
        assert_non_null(report);
        assert_true(correlate(store, rules, &co, report, d) >= 0);
        return report;
}

static void check_case(const Case *c, int64_t window) {
        _cleanup_(report_freep) Report *r = diagnose(c->folder, c->tz, window);
        size_t n = 0;

        for (const Expect *e = c->expect; e->rule; e++, n++) {
                assert_true(n < r->n_findings);
                assert_string_equal(r->findings[n].rule, e->rule);
                assert_string_equal(r->findings[n].host, e->host);
                assert_string_equal(r->findings[n].verdict, e->verdict);
                assert_non_null(r->findings[n].reason);
        }
        assert_int_equal(r->n_findings, n);
        if (c->endpoint) {
                assert_true(r->findings[0].n_symptoms > 0);
                assert_string_equal(r->findings[0].symptoms[0].endpoint, c->endpoint);
        }
}

static const Expect iisadmin[] = {
        { "KB2025598", "WEB01.contoso.local", "confirmed" },
        {},
};
static const Expect iisadmin_evtx[] = {
        { "KB2025598", "WEB05.contoso.local", "confirmed" },
        {},
};
static const Expect adsutil[] = {
        { "KB2025598", "WEB02.contoso.local", "confirmed" },
        {},
};
static const Expect netsh[] = {
        { "SSL-BINDING-REMOVED-BY-ADMIN", "APP03.fabrikam.net", "confirmed" },
        { "KB2025598", "APP03.fabrikam.net", "ruled_out" },
        {},
};
static const Expect at_risk[] = {
        { "KB2025598", "WEB04.contoso.local", "at_risk" },
        {},
};

static void test_iisadmin_confirmed(void **state) {
        check_case(&(Case) { "iisadmin-confirmed", NULL, iisadmin, "0.0.0.0:443" }, 600);
}

/* The binary System.evtx gives the same diagnosis as an export; the symptom names its offset. */
static void test_iisadmin_evtx(void **state) {
        _cleanup_(report_freep) Report *r = diagnose("iisadmin-evtx", NULL, 600);

        check_case(&(Case) { "iisadmin-evtx", NULL, iisadmin_evtx, "0.0.0.0:443" }, 600);
        assert_true(r->n_findings == 1 && r->findings[0].n_symptoms == 1);
        assert_int_equal(r->findings[0].symptoms[0].event_id, 15300);
        assert_int_equal(r->findings[0].symptoms[0].record_id, 113269);
        assert_non_null(strstr(r->findings[0].symptoms[0].source, "System.evtx, offset 0x"));
}

static void test_adsutil_confirmed(void **state) {
        check_case(&(Case) { "adsutil-confirmed", "America/Los_Angeles", adsutil, "0.0.0.0:443" }, 600);
}

static void test_netsh_admin_deletion(void **state) {
        check_case(&(Case) { "netsh-admin-deletion", "Europe/Berlin", netsh, "0.0.0.0:443" }, 600);
}

static void test_at_risk(void **state) {
        check_case(&(Case) { "at-risk", NULL, at_risk, NULL }, 600);
}

/* Read in the wrong zone, the text export's 15300 lands seven hours before the adsutil.vbs
 * run: the launch is not found, and the verdict honestly drops. */
static void test_adsutil_wrong_zone(void **state) {
        static const Expect likely[] = {
                { "KB2025598", "WEB02.contoso.local", "likely" },
                {},
        };

        check_case(&(Case) { "adsutil-confirmed", NULL, likely, "0.0.0.0:443" }, 600);
}

/* The IIS Admin Service starts 1.8 s before the 15300: a one-second window misses it. */
static void test_iisadmin_narrow_window(void **state) {
        static const Expect likely[] = {
                { "KB2025598", "WEB01.contoso.local", "likely" },
                {},
        };

        check_case(&(Case) { "iisadmin-confirmed", NULL, likely, "0.0.0.0:443" }, 1);
}

/* The renewal script's netsh run and the CSV's 15300 share a second; the CSV writes whole
 * seconds. Berlin was at +02:00 then: read as UTC the symptom moves two hours later and the
 * deletion falls out of a ten-minute window. */
static void test_netsh_wrong_zone(void **state) {
        static const Expect ruled_out[] = {
                { "KB2025598", "APP03.fabrikam.net", "ruled_out" },
                {},
        };

        check_case(&(Case) { "netsh-admin-deletion", NULL, ruled_out, "0.0.0.0:443" }, 600);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_iisadmin_confirmed),
                cmocka_unit_test(test_iisadmin_evtx),
                cmocka_unit_test(test_adsutil_confirmed),
                cmocka_unit_test(test_netsh_admin_deletion),
                cmocka_unit_test(test_at_risk),
                cmocka_unit_test(test_adsutil_wrong_zone),
                cmocka_unit_test(test_iisadmin_narrow_window),
                cmocka_unit_test(test_netsh_wrong_zone),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
