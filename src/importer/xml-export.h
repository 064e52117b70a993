/* SPDX-License-Identifier: MIT */
#pragma once

/* Event Viewer "Save All Events As" XML and wevtutil /f:xml output (no root element), UTF-8 with or without BOM or UTF-16LE. Streams: memory does not grow with the file. */

#include "importer/sink.h"

typedef struct Diag Diag;
typedef struct InStream InStream;

/* Reads in and hands every row to sink. A malformed record is a warning in diag and the parse
 * goes on. Returns 0; a negative errno from the sink or from reading (-EIO, -ENOMEM) stops it;
 * -EBADMSG when the input is not of this format at all (also in diag). */
int xml_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);
