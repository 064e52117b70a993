/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being written; replaced before this lands. */
#include "netsh.h"

#include <errno.h>

int netsh_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        return -EOPNOTSUPP;
}
