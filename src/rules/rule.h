/* SPDX-License-Identifier: MIT */
#pragma once

/* A rule, as loaded from one XML file of the rule pack (README, "Rule format"). The loader builds this tree,
 * the compiler turns its parts into SQL, the correlator runs them. Nothing in C knows what a
 * particular rule is about. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/match.h"

typedef struct Diag Diag;

typedef enum SourceKind {
        SOURCE_FIELD,           /* an EventData/UserData value by name */
        SOURCE_MESSAGE,         /* the rendered message, whole */
        SOURCE_MESSAGE_LABEL,   /* the value after "label:" on a line of the message */
        SOURCE_BINARY_UTF16,    /* the event's binary data read as UTF-16LE text */
        SOURCE_COLUMN,          /* a column of an artifact row */
        SOURCE_REF,             /* a value from the symptom or another fact: "key.site_id" */
} SourceKind;

typedef struct RuleSource {
        SourceKind kind;
        char *name;             /* field, label, column, or "fact.value" for a ref */
        int column;             /* SOURCE_COLUMN: index into the fact kind's column table */
} RuleSource;

/* A comparison: the first source that has a value is compared with op against each value
 * (any may match); for op regex with capture set, group 1 of the match is kept as that name. */
typedef struct RuleWhere {
        MatchOp op;
        RuleSource *sources;
        size_t n_sources;
        char **values;          /* literal patterns; NULL-terminated */
        size_t n_values;
        RuleSource *refs;       /* patterns taken from refs (SOURCE_REF) */
        size_t n_refs;
        char *capture;
        unsigned line;
} RuleWhere;

typedef enum CondKind {
        COND_WHERE,
        COND_ALL,
        COND_ANY,
        COND_NOT,
} CondKind;

typedef struct RuleCond {
        CondKind kind;
        RuleWhere where;                /* COND_WHERE */
        struct RuleCond *children;      /* COND_ALL, COND_ANY, COND_NOT (one child) */
        size_t n_children;
        unsigned line;
} RuleCond;

/* Which events: any of ids, from any of providers and channels (a list left empty matches
 * everything; an event whose channel or provider is unknown, as in CSV exports, matches any
 * list), and the conditions. */
typedef struct RuleEventSel {
        int64_t *ids;
        size_t n_ids;
        char **providers;
        size_t n_providers;
        char **channels;
        size_t n_channels;
        RuleCond cond;                  /* COND_ALL of the conditions inside <event> */
        char *summary;                  /* evidence template for events it selects, or NULL */
        unsigned line;
} RuleEventSel;

typedef enum FactKind {
        FACT_EVENT,             /* events of the host near the symptom */
        FACT_CONFIG_FILE,       /* an applicationHost.config of the host was supplied */
        FACT_CONFIG_PROPERTY,   /* customMetadata properties */
        FACT_SITE_BINDING,      /* site bindings */
        FACT_NETSH_BINDING,     /* netsh http show sslcert bindings */
        _FACT_KIND_MAX,
} FactKind;

typedef enum WindowSide {
        WINDOW_BEFORE,          /* [T - window, T] */
        WINDOW_AFTER,           /* [T, T + window] */
        WINDOW_AROUND,          /* [T - window, T + window] */
} WindowSide;

typedef struct RuleFact {
        char *name;
        FactKind kind;
        char *evidence;         /* evidence kind in reports ("launch", "config", ...) */
        char *summary;          /* template for an evidence line; NULL: a default one */
        bool per_symptom;       /* depends on the symptom (derived at load) */
        int64_t window;         /* seconds; < 0: the run's --window */
        WindowSide side;
        RuleEventSel *events;   /* FACT_EVENT */
        size_t n_events;
        RuleCond cond;          /* other kinds: COND_ALL of <where> on columns and refs */
        unsigned line;
} RuleFact;

typedef struct RuleCapture {
        char *name;
        RuleSource *sources;    /* first with a value wins */
        size_t n_sources;
        bool extract_endpoint;  /* normalise, or find the endpoint a message names */
        unsigned line;
} RuleCapture;

/* One row of a verdict table: each fact named must be present (true) or absent (false). */
typedef struct RuleDecision {
        size_t *facts;          /* indexes into Rule.facts */
        bool *want;
        size_t n;
        char *verdict;          /* a name from Rule.verdicts, or "none": no finding */
        char *reason;           /* template; NULL: the verdict's own */
        unsigned line;
} RuleDecision;

typedef struct RuleVerdict {
        char *name;
        int strength;           /* the host's finding takes its strongest symptom's verdict */
        char *reason;           /* template: one sentence saying why */
        bool remedy;            /* the remediation applies to this verdict */
} RuleVerdict;

typedef struct Rule {
        char *path;
        char *id, *title, *description;
        RuleEventSel *symptoms; /* alternatives */
        size_t n_symptoms;
        RuleCapture *captures;
        size_t n_captures;
        RuleFact *facts;
        size_t n_facts;
        RuleVerdict *verdicts;
        size_t n_verdicts;
        RuleDecision *decisions;        /* per symptom, first match wins */
        size_t n_decisions;
        RuleDecision *host_decisions;   /* hosts without a symptom */
        size_t n_host_decisions;
        char *remediation;              /* template */
} Rule;

typedef struct RuleSet {
        Rule **rules;
        size_t n_rules;
} RuleSet;

/* Column tables of the artifact fact kinds: names that rules may use. */
typedef struct FactColumn {
        const char *name;
        const char *sql;        /* expression over the kind's table alias "a" and files "f" */
} FactColumn;
const FactColumn *fact_kind_columns(FactKind kind, size_t *ret_n);
const char *fact_kind_name(FactKind kind);

/* Parses one rule file held in memory. Errors go into diag as "path:line: message". Returns 0;
 * -EBADMSG for a malformed rule (nothing returned); -ENOMEM. */
int rule_parse(const char *data, size_t size, const char *path, Rule **ret, Diag *diag);
Rule *rule_free(Rule *r);

/* Loads every *.xml file of dir, in name order. Rule ids must be unique. Returns the number of
 * rules loaded; -EBADMSG when any file is malformed (details in diag), -ENOENT when dir does
 * not exist or holds no rule, -errno, -ENOMEM. */
int rule_set_load(const char *dir, RuleSet **ret, Diag *diag);
RuleSet *rule_set_free(RuleSet *s);

/* The verdict called name, or NULL. */
const RuleVerdict *rule_verdict(const Rule *r, const char *name);
/* The index of the fact called name, or -1. */
int rule_fact_index(const Rule *r, const char *name);

#include "base/alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Rule *, rule_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(RuleSet *, rule_set_free);
