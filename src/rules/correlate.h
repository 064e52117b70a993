/* SPDX-License-Identifier: MIT */
#pragma once

/* Runs the rules over a case database and adds their findings to a report. Per rule: find its
 * symptom events on every host; for each, establish its facts (events in the window before it,
 * configuration and bindings of the host, joined as the rule says); pick the verdict from the
 * rule's table; the host's finding takes its strongest symptom's verdict. Hosts without a
 * symptom go through the rule's table for that case. */

#include <stdint.h>

typedef struct Diag Diag;
typedef struct Report Report;
typedef struct RuleSet RuleSet;
typedef struct Store Store;

typedef struct CorrelateOptions {
        int64_t window;         /* seconds looked back from a symptom (--window) */
} CorrelateOptions;

/* Returns the number of findings added, or -ENOMEM, -EIO (store failure, message in diag). */
int correlate(Store *store, const RuleSet *set, const CorrelateOptions *opts, Report *report, Diag *diag);
