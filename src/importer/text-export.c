/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being written; replaced before this lands. */
#include "text-export.h"

#include <errno.h>

int text_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        return -EOPNOTSUPP;
}
