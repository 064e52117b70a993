/* SPDX-License-Identifier: MIT */
#pragma once

/* Recognises an input by its content, never by its name. */

#include <stddef.h>
#include <stdint.h>

typedef enum ImportFormat {
        FORMAT_UNKNOWN,
        FORMAT_XML,             /* Event Viewer "Save All Events As" XML, wevtutil /f:xml */
        FORMAT_TEXT,            /* Event Viewer "Copy details as text", wevtutil /f:text */
        FORMAT_CSV,             /* Event Viewer "Save as CSV" (or tab-separated text) */
        FORMAT_APPHOST,         /* applicationHost.config */
        FORMAT_NETSH,           /* netsh http show sslcert */
        FORMAT_EVTX,            /* binary Windows event log */
        FORMAT_EVT,             /* legacy binary event log (Windows 2003 and older) */
        FORMAT_EMPTY,           /* nothing but white space */
        _FORMAT_MAX,
} ImportFormat;

/* "xml", "text", "csv", "apphost", "netsh", "evtx", "evt", "empty", "unknown". */
const char *import_format_name(ImportFormat f);

/* True for the formats whose rows name no host of their own. */
int import_format_hostless(ImportFormat f);

/* Looks at the first bytes of an input (up to EVDIAG_SNIFF_BYTES, all of it when shorter) and
 * says what it is. Never fails: FORMAT_UNKNOWN is an answer. */
ImportFormat detect_format(const uint8_t *head, size_t n);
