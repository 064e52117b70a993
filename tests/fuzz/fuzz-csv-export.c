/* SPDX-License-Identifier: MIT */
/* Feeds arbitrary bytes to the Event Viewer CSV / TXT export parser. */

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/stream.h"
#include "fuzz-sink.h"
#include "importer/csv-export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_(diag_freep) Diag *diag = NULL;
        const ParseOptions opts = { .tz = NULL };

        if (instream_new_memory(data, size, &in) < 0)
                return 0;
        diag = diag_new("fuzz");
        if (!diag)
                return 0;
        (void) csv_export_parse(in, &opts, &fuzz_sink, diag);
        return 0;
}
