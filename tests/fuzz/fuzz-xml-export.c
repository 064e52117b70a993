/* SPDX-License-Identifier: MIT */
/* Feeds the input to the streaming XML export parser, then to the one-element parser that the
 * text-export parser uses on "Event Xml:" parts. fuzz_sink aborts when a row breaks a promise
 * (invalid UTF-8, a count over its cap). */

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"
#include "base/stream.h"
#include "fuzz-sink.h"
#include "importer/xml-export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_(diag_freep) Diag *diag = NULL;
        const ParseOptions opts = { .tz = NULL };

        diag = diag_new("fuzz");
        if (!diag)
                return 0;
        if (instream_new_memory(data, size, &in) == 0)
                (void) xml_export_parse(in, &opts, &fuzz_sink, diag);
        /* The same bytes as one element, even when they are not valid UTF-8: libxml2 must
         * reject what the caller failed to sanitise rather than let it through. */
        if (size <= EVDIAG_MAX_XML_EVENT)
                (void) xml_export_parse_event((const char *) data, size, 1, &fuzz_sink, diag);
        return 0;
}
