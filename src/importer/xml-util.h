/* SPDX-License-Identifier: MIT */
#pragma once

/* libxml2 the safe way. Inputs never make it touch the network, load a DTD or expand an
 * external entity; its messages go into a Diag with the line they concern, never to stderr. */

#include <stdint.h>

typedef struct Diag Diag;

/* The only parser options evdiag uses: no network, CDATA merged into text. Without
 * XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE, on purpose. */
#define XML_SAFE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA)

/* Initialises libxml2 once and silences its default error printing. */
void xml_util_init(void);

/* While a capture is active, libxml2's errors on this thread are recorded into diag. Lines are
 * reported as line_base + (libxml2's line - 1): callers that parse a piece of a file pass the
 * line the piece starts on. At most one message is kept per capture (the first is the cause;
 * what follows is fallout), the others are only counted. */
typedef struct XmlErrorCapture {
        Diag *diag;
        uint64_t line_base;
        unsigned errors;                /* errors seen during the capture */
        const char *what;               /* prefix for messages, e.g. "event skipped" or NULL */
} XmlErrorCapture;

void xml_errors_begin(XmlErrorCapture *c, Diag *diag, uint64_t line_base, const char *what);
void xml_errors_end(XmlErrorCapture *c);
