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
#define EVDIAG_MAX_TIMELINE_EVENTS  40                 /* events of a symptom's timeline in a report */
#define EVDIAG_MAX_EXCERPT_LINES    40                 /* lines of a <key> quoted in a remedy */
#define EVDIAG_MAX_EXCERPT_LINE     400                /* bytes of one quoted line */
#define EVDIAG_MAX_REMEDY_ITEMS     16                 /* config keys, and bindings, of one remedy */

/* Binary .evtx logs. Chunks are 64 KiB, so most sizes are bounded by the format itself; these
 * caps bound what a hostile chunk can make the reader do or keep. */
#define EVDIAG_MAX_EVTX_RECORD_SIZE   (65536 - 512)      /* bytes of one record: a chunk's data area */
#define EVDIAG_MAX_EVTX_DEPTH         64                 /* BinXML nesting: elements and nested BinXML values */
#define EVDIAG_MAX_EVTX_SUBSTITUTIONS 2048               /* values of one template instance */
#define EVDIAG_MAX_EVTX_CHUNK_TEMPLATES 1024             /* template definitions used in one chunk */
#define EVDIAG_MAX_EVTX_TEMPLATE_CACHE (8 * 1024 * 1024) /* bytes of compiled templates kept across chunks, per thread */
#define EVDIAG_MAX_EVTX_NAME_CHARS    1024               /* UTF-16 units of one element, attribute or entity name */
#define EVDIAG_MAX_EVTX_TEMPLATE_BYTES (1024 * 1024)     /* bytes of one compiled template (operations and names) */
#define EVDIAG_MAX_EVTX_ATTRIBUTES    256                /* attributes of one element */
#define EVDIAG_MAX_EVTX_RECORD_OUTPUT (2 * 1024 * 1024)  /* bytes rendered for one record */
#define EVDIAG_MAX_EVTX_CHUNK_OUTPUT  (16 * 1024 * 1024) /* bytes rendered for one chunk */
#define EVDIAG_MAX_EVTX_RECORD_STEPS  (256 * 1024)       /* BinXML tokens walked for one record */
#define EVDIAG_MAX_EVTX_CHUNK_STEPS   (4 * 1024 * 1024)  /* BinXML tokens walked for one chunk */
#define EVDIAG_MAX_EVTX_ID_RANGES     (1024 * 1024)      /* runs of record ids remembered to drop duplicate recovered records */
#define EVDIAG_MAX_EVTX_CHUNK_WARNINGS 32                /* warnings kept per chunk; the rest are counted */
#define EVDIAG_MAX_EVTX_THREADS       64                 /* parser threads */

/* evdiag fix (applicationHost.config edited in place) */
#define EVDIAG_MAX_FIX_PROPERTIES     100000             /* legacy SSL properties removed from one file */
#define EVDIAG_MAX_FIX_ATTRIBUTES     1024               /* attributes of one element */
#define EVDIAG_MAX_FIX_KEY_PATH       1024               /* bytes of a key path shown */
