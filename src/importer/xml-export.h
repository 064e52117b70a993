/* SPDX-License-Identifier: MIT */
#pragma once

/* Event Viewer "Save All Events As" XML and wevtutil /f:xml output (no root element), UTF-8 with or without BOM or UTF-16LE. Streams: memory does not grow with the file. */

#include <stddef.h>
#include <stdint.h>

#include "importer/sink.h"

typedef struct Diag Diag;
typedef struct InStream InStream;

/* Reads in and hands every row to sink. A malformed record is a warning in diag and the parse
 * goes on. Returns 0; a negative errno from the sink or from reading (-EIO, -ENOMEM) stops it;
 * -EBADMSG when the input is not of this format at all (also in diag). */
int xml_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);

/* Parses one <Event> element held in memory as UTF-8 (an element of an export, or the
 * "Event Xml:" part of a text export) and hands it to sink->event, with line as the line it
 * starts on. Returns 1 when an event was handed over, 0 when the element was malformed or
 * lacked what an event needs (a warning in diag), or a negative errno from the sink. */
int xml_export_parse_event(const char *xml, size_t n, uint64_t line, const ImportSink *sink, Diag *diag);
