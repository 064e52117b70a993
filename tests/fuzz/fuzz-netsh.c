/* SPDX-License-Identifier: MIT */
/* "netsh http show sslcert" parser: any bytes in, rows that keep their promises out, no crash. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/diag.h"
#include "base/stream.h"
#include "fuzz-sink.h"
#include "importer/netsh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_(diag_freep) Diag *diag = NULL;
        int r;

        if (instream_new_memory(data, size, &in) < 0)
                return 0;
        diag = diag_new("fuzz.txt");
        if (!diag)
                return 0;
        r = netsh_parse(in, &(ParseOptions) {}, &fuzz_sink, diag);
        /* Memory input cannot fail to read and the sink never refuses: only -ENOMEM remains. */
        if (r != 0 && r != -ENOMEM)
                abort();
        return 0;
}
