/* SPDX-License-Identifier: MIT */
#pragma once

/* Every size, count and depth that input controls is capped here, in one place. */

/* Text inputs (text, CSV, netsh exports) */
#define EVDIAG_MAX_LINE             (1024 * 1024)      /* bytes in one line, after transcoding */
#define EVDIAG_MAX_MESSAGE          (1024 * 1024)      /* bytes in one rendered message */
#define EVDIAG_MAX_CSV_COLUMNS      64                 /* columns in one CSV record */
#define EVDIAG_MAX_CSV_RECORD       (2 * 1024 * 1024)  /* bytes in one CSV record, quoted newlines included */

/* XML inputs */
#define EVDIAG_MAX_XML_EVENT        (4 * 1024 * 1024)  /* bytes of one <Event> element */
#define EVDIAG_MAX_XML_DEPTH        32                 /* element nesting inside one event */
#define EVDIAG_MAX_EVENT_FIELDS     1024               /* EventData/UserData values of one event */
#define EVDIAG_MAX_FIELD_VALUE      (1024 * 1024)      /* bytes of one field value */
#define EVDIAG_MAX_BINARY           (1024 * 1024)      /* bytes of decoded <Binary> data */
#define EVDIAG_MAX_CONFIG_FILE      (64 * 1024 * 1024) /* bytes of applicationHost.config */
#define EVDIAG_MAX_CONFIG_DEPTH     256                /* element nesting in applicationHost.config */

/* Diagnostics */
#define EVDIAG_MAX_WARNINGS_KEPT    200                /* warnings kept per file; the rest are counted */

/* Detection */
#define EVDIAG_SNIFF_BYTES          (64 * 1024)        /* bytes read to recognise a format */
#define EVDIAG_MAX_WALK_DEPTH       64                 /* folder nesting when walking inputs */

/* Rules */
#define EVDIAG_MAX_RULE_FILE        (1024 * 1024)      /* bytes of one rule file */
#define EVDIAG_MAX_RULE_DEPTH       16                 /* nesting of <any>/<all> in one rule */
#define EVDIAG_MAX_RULE_VALUES      256                /* <value> items in one <where> */
#define EVDIAG_MAX_RULE_FACTS       32                 /* facts in one rule */
#define EVDIAG_MAX_REGEX            1024               /* bytes of one regular expression */
#define EVDIAG_MAX_FACT_ROWS        1000               /* rows of one fact kept per symptom */
#define EVDIAG_MAX_SYMPTOMS         100000             /* symptoms of one rule evaluated per run */
