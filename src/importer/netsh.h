/* SPDX-License-Identifier: MIT */
#pragma once

/* "netsh http show sslcert" output: every binding with its certificate hash, application id and store. No host. */

#include "importer/sink.h"

typedef struct Diag Diag;
typedef struct InStream InStream;

/* Reads in and hands every row to sink. A malformed record is a warning in diag and the parse
 * goes on. Returns 0; a negative errno from the sink or from reading (-EIO, -ENOMEM) stops it;
 * -EBADMSG when the input is not of this format at all (also in diag). */
int netsh_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);
