/* SPDX-License-Identifier: MIT */
#pragma once

/* Event Viewer "Save as CSV" (and the tab-separated variant): Level, Date and Time, Source, Event ID, Task Category and the message in a sixth column. Local times, read in opts->tz; no host. */

#include "importer/sink.h"

typedef struct Diag Diag;
typedef struct InStream InStream;

/* Reads in and hands every row to sink. A malformed record is a warning in diag and the parse
 * goes on. Returns 0; a negative errno from the sink or from reading (-EIO, -ENOMEM) stops it;
 * -EBADMSG when the input is not of this format at all (also in diag). */
int csv_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);
