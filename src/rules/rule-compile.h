/* SPDX-License-Identifier: MIT */
#pragma once

/* Rule parts -> SQL. The SQL text is built only from evdiag's own fragments; every value that
 * comes from a rule (ids, providers, patterns) or from the case (host, times, referenced values)
 * is a bound parameter, described by the Param list that goes with the text. */

#include <stddef.h>
#include <stdint.h>

#include "rule.h"

typedef enum ParamKind {
        PARAM_TEXT,             /* a literal from the rule */
        PARAM_INT,              /* a literal number from the rule */
        PARAM_HOST,             /* the host being examined */
        PARAM_TIME_FROM,        /* the window's bounds, in ticks */
        PARAM_TIME_TO,
        PARAM_SYMPTOM_ROW,      /* the symptom event's row id, kept out of its own facts */
        PARAM_REF,              /* a value from the symptom or another fact ("key.site_id") */
        PARAM_LIMIT,            /* how many rows at most */
} ParamKind;

typedef struct Param {
        ParamKind kind;
        const char *text;       /* PARAM_TEXT, PARAM_REF: borrowed from the rule */
        int64_t number;         /* PARAM_INT */
} Param;

typedef struct Query {
        char *sql;
        Param *params;          /* params[i] binds ?(i + 1) */
        size_t n_params;
        size_t n_columns;       /* result columns; see the column layouts below */
        char **names;           /* for artifact facts: the name of each result column */
} Query;

/* Result columns of symptom and event-fact queries, then (symptoms) one per capture. */
enum {
        EVCOL_ROWID,
        EVCOL_HOST,
        EVCOL_TIME,
        EVCOL_DIGITS,
        EVCOL_EVENT_ID,
        EVCOL_RECORD_ID,
        EVCOL_PROVIDER,
        EVCOL_CHANNEL,
        EVCOL_MESSAGE,
        EVCOL_PATH,
        EVCOL_LINE,
        EVCOL_OFFSET,
        EVCOL_RECOVERED,
        EVCOL_DATA,
        _EVCOL_MAX,
};

/* The symptom events of alternative i of the rule, over every host, ordered by host and time.
 * Returns 0 or -ENOMEM; the query is freed with query_done(). */
int compile_symptom(const Rule *rule, size_t i, Query *ret);
/* Events of alternative i of an event fact, on PARAM_HOST between the time bounds, newest
 * first, without the symptom itself. */
int compile_event_fact(const RuleFact *fact, size_t i, Query *ret);
/* Rows of an artifact fact on PARAM_HOST: its kind's columns, then its captures. */
int compile_artifact_fact(const RuleFact *fact, Query *ret);

void query_done(Query *q);
