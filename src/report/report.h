/* SPDX-License-Identifier: MIT */
#pragma once

/* What a run found, in a form every output renders: the inputs read and the findings with
 * their symptoms (each with the timeline of the events around it), evidence and remedy. Built
 * by the correlator and the command line; rendered as text, Markdown, JSON or HTML (the JSON
 * is a stable contract, see README). All strings owned. */

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

/* One event of the host in the window around a symptom. */
typedef struct ReportTimelineEvent {
        int64_t time;           /* ticks, UTC */
        int digits;
        int64_t event_id;
        int64_t record_id;      /* -1 when none */
        char *role;             /* "symptom", the evidence kind of a fact that selected it
                                 * ("launch", "aftermath", …), or "other" */
        char *provider;         /* NULL when the export names none */
        char *summary;
        char *source;           /* "path:line" or "path, offset 0x…" */
        int64_t row;            /* the event's id in the store (events.id); not in the JSON */
} ReportTimelineEvent;

typedef struct ReportSymptom {
        int64_t time;           /* ticks, UTC */
        int digits;
        int64_t event_id;
        int64_t record_id;      /* -1 when the export has none */
        char *endpoint;         /* NULL when the event names none */
        char *source;           /* "path:line" */
        char *verdict;          /* this symptom's own verdict */
        int64_t row;            /* the event's id in the store (events.id); not in the JSON */
        bool decisive;          /* the symptom whose verdict, reason and remedy the finding took */
        /* The events of the host from window_from to window_to (ticks), in time order, the
         * symptom and its evidence always among them; timeline_total counts all in the span. */
        int64_t window_from, window_to;
        ReportTimelineEvent *timeline;
        size_t n_timeline;
        uint64_t timeline_total;
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

/* The remedy as facts a program can act on. */
typedef struct ReportConfigProperty {
        int64_t id;             /* 5506 or 5511 */
        uint64_t line;          /* 1-based line in the file */
        char *decoded;          /* 5506: the thumbprint in hex; NULL otherwise or when invalid */
} ReportConfigProperty;

typedef struct ReportExcerptLine {
        uint64_t line;
        char *text;             /* as read from the file, UTF-8, without its line end; hostile */
} ReportExcerptLine;

/* A <key> of <customMetadata> that holds legacy SSL properties. */
typedef struct ReportConfigKey {
        char *key_path;                 /* "LM/W3SVC/1" */
        uint64_t line;                  /* of <key> */
        uint64_t end_line;              /* of its </key>; 0 when the file could not be read */
        bool remove_key;                /* nothing else in it: the whole element goes */
        ReportConfigProperty *properties;
        size_t n_properties;
        uint64_t *delete_lines;         /* the lines to delete, ascending */
        size_t n_delete_lines;
        char *appcmd;                   /* the appcmd command that does the same */
        ReportExcerptLine *excerpt;     /* the <key> element as the file has it now; empty when
                                         * the file could not be read or has changed */
        size_t n_excerpt;
        bool excerpt_truncated;
} ReportConfigKey;

typedef struct ReportConfigFix {
        char *path;                     /* the applicationHost.config, as imported */
        char *fix_command;              /* "evdiag fix PATH --in-place", quoted for a shell */
        char *note;                     /* why the excerpt is missing, or NULL */
        ReportConfigKey *keys;
        size_t n_keys;
} ReportConfigFix;

typedef struct ReportBindingFix {
        char *endpoint;                 /* "0.0.0.0:443" */
        bool deleted;                   /* a symptom says HTTP.sys lost it; else (at risk) the
                                         * endpoint comes from the site's https bindings */
        bool netsh_supplied;            /* netsh output of the host was imported */
        char *cert_hash;                /* what netsh shows bound to the endpoint; NULL: none */
        char *legacy_hash;              /* the decoded 5506 thumbprint; NULL when none */
        bool hash_differs;              /* both known, and not the same certificate */
        bool legacy_bound;              /* both known, and the same: the binding was recreated
                                         * from the legacy hash */
        char *delete_command;           /* netsh http delete sslcert …, to run first; NULL unless
                                         * legacy_bound */
        char *command;                  /* netsh http add sslcert …, with the bound hash, or a
                                         * placeholder when netsh showed none or the legacy one;
                                         * NULL when the endpoint is unfit for a command line */
        char *note;                     /* one sentence on the hashes */
} ReportBindingFix;

typedef struct ReportRemedy {
        ReportConfigFix *configs;
        size_t n_configs;
        ReportBindingFix *bindings;
        size_t n_bindings;
} ReportRemedy;

typedef struct ReportFinding {
        char *rule, *title, *host, *verdict, *reason, *remediation;
        int strength;
        ReportSymptom *symptoms;
        size_t n_symptoms;
        uint64_t symptoms_total;        /* symptoms seen; only the first ones are kept */
        ReportEvidence *evidence;
        size_t n_evidence;
        ReportRemedy *remedy;           /* NULL when the verdict calls for none */
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
/* Appends a copy of ev (strings copied) to the symptom's timeline. Returns 0 or -ENOMEM. */
int report_symptom_add_event(ReportSymptom *s, const ReportTimelineEvent *ev);
/* Frees what a remedy holds, and the remedy; accepts NULL. Returns NULL. */
ReportRemedy *report_remedy_free(ReportRemedy *m);
/* Whether line is one of the lines k's remedy deletes. */
bool report_config_key_deletes(const ReportConfigKey *k, uint64_t line);
/* A verdict as words: "at_risk" becomes "at risk", or "AT RISK" when upper. Returns a new
 * string, or NULL when out of memory. */
char *report_verdict_words(const char *verdict, bool upper);
/* Frees what a timeline event holds (not the event). */
void report_timeline_event_done(ReportTimelineEvent *ev);
/* Frees what a key holds (not the key) and zeroes it. */
void report_config_key_done(ReportConfigKey *k);
/* Frees what a binding fix holds (not the fix) and zeroes it. */
void report_binding_fix_done(ReportBindingFix *b);

/* Orders findings: strongest verdict first, then host, then rule; and each finding's evidence:
 * events in time order, then configuration and bindings in the order found. */
void report_sort(Report *r);

typedef enum ReportFormat {
        REPORT_TEXT,
        REPORT_MARKDOWN,
        REPORT_JSON,
        REPORT_HTML,
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
/* One self-contained page: inline CSS and SVG, no script, nothing fetched. */
int report_render_html(const Report *r, StrBuf *out);

#include "base/alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Report *, report_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(ReportRemedy *, report_remedy_free);
