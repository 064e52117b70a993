/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being written; replaced before this lands. */
#include "apphost.h"

#include <errno.h>

int apphost_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        return -EOPNOTSUPP;
}
