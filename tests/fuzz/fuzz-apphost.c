/* SPDX-License-Identifier: MIT */
/* applicationHost.config parser: any bytes in, rows that keep their promises out, no crash. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/diag.h"
#include "base/stream.h"
#include "fuzz-sink.h"
#include "importer/apphost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_(diag_freep) Diag *diag = NULL;
        int r;

        if (instream_new_memory(data, size, &in) < 0)
                return 0;
        diag = diag_new("fuzz.config");
        if (!diag)
                return 0;
        r = apphost_parse(in, &(ParseOptions) {}, &fuzz_sink, diag);
        /* Memory input cannot fail to read and the sink never refuses: only these remain. */
        if (r != 0 && r != -EBADMSG && r != -ENOMEM)
                abort();
        if (r == -EBADMSG && diag_errors(diag) == 0)
                abort();
        return 0;
}
