/* SPDX-License-Identifier: MIT */
#pragma once

/* applicationHost.config: every customMetadata key/property (5506 decoded to its SHA-1 thumbprint) and every site with its bindings. No host. */

#include "importer/sink.h"

typedef struct Diag Diag;
typedef struct InStream InStream;

/* Reads in and hands every row to sink. A malformed record is a warning in diag and the parse
 * goes on. Returns 0; a negative errno from the sink or from reading (-EIO, -ENOMEM) stops it;
 * -EBADMSG when the input is not of this format at all (also in diag). */
int apphost_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);
