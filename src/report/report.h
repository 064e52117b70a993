/* SPDX-License-Identifier: MIT */
#pragma once

/* What a run found, in a form every output renders: the inputs read and the findings with
 * their symptoms, evidence and remedy. Built by the correlator and the command line; rendered
 * as text, Markdown or JSON (the JSON is a stable contract, see README). All strings owned. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

typedef struct ReportInput {
        char *path;
        char *format;           /* "xml", "text", "csv", "apphost", "netsh", "evtx", "unknown" … */
        char *status;           /* "imported", "duplicate", "skipped", "failed" */
        char *host;             /* the host its rows belong to, when one; NULL otherwise */
        uint64_t events, duplicates, rows;
        char **warnings;        /* formatted "path:line: message"; NULL-terminated */
        size_t n_warnings;
        uint64_t warnings_total;/* including those not kept */
} ReportInput;

typedef struct ReportSymptom {
        int64_t time;           /* ticks, UTC */
        int digits;
        int64_t event_id;
        int64_t record_id;      /* -1 when the export has none */
        char *endpoint;         /* NULL when the event names none */
        char *source;           /* "path:line" */
        char *verdict;          /* this symptom's own verdict */
        int64_t row;            /* the event's id in the store (events.id); not in the JSON */
} ReportSymptom;

typedef struct ReportEvidence {
        char *kind;             /* "launch", "config", "binding", … as the rule says */
        bool has_time;
        int64_t time;
        int digits;
        int64_t event_id;       /* for events; -1 otherwise */
        int64_t record_id;      /* for events that have one; -1 otherwise */
        char *summary;
        char *source;           /* "path:line", or "path, offset 0x…" for binary logs */
        int64_t row;            /* for events: events.id in the store; -1 otherwise; not in JSON */
} ReportEvidence;

typedef struct ReportFinding {
        char *rule, *title, *host, *verdict, *reason, *remediation;
        int strength;
        ReportSymptom *symptoms;
        size_t n_symptoms;
        uint64_t symptoms_total;        /* symptoms seen; only the first ones are kept */
        ReportEvidence *evidence;
        size_t n_evidence;
} ReportFinding;

typedef struct Report {
        char *version;
        char *assumed_tz;
        ReportInput *inputs;
        size_t n_inputs, a_inputs;
        ReportFinding *findings;
        size_t n_findings, a_findings;
} Report;

Report *report_new(const char *version, const char *assumed_tz);
Report *report_free(Report *r);

/* Appends an empty input or finding to fill in; NULL when out of memory. */
ReportInput *report_add_input(Report *r);
ReportFinding *report_add_finding(Report *r);
/* Appends to a finding; the strings are copied. Return 0 or -ENOMEM. */
int report_finding_add_symptom(ReportFinding *f, const ReportSymptom *s);
int report_finding_add_evidence(ReportFinding *f, const ReportEvidence *e);
int report_input_add_warning(ReportInput *in, const char *warning);

/* Orders findings: strongest verdict first, then host, then rule. */
void report_sort(Report *r);

typedef enum ReportFormat {
        REPORT_TEXT,
        REPORT_MARKDOWN,
        REPORT_JSON,
        _REPORT_FORMAT_MAX,
} ReportFormat;

int report_format_from_string(const char *s, ReportFormat *ret);

typedef struct ReportStyle {
        bool color;             /* ANSI colours (text on a terminal) */
} ReportStyle;

/* Renders r into out. Every string from the logs is escaped for the medium. Returns 0 or
 * -ENOMEM. */
int report_render(const Report *r, ReportFormat format, const ReportStyle *style, StrBuf *out);
int report_render_text(const Report *r, const ReportStyle *style, StrBuf *out);
int report_render_markdown(const Report *r, StrBuf *out);
int report_render_json(const Report *r, StrBuf *out);

#include "base/alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Report *, report_free);
