/* SPDX-License-Identifier: MIT */
/* PLACEHOLDER: being written; replaced before this lands. */
#include "xml-export.h"

#include <errno.h>

int xml_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        return -EOPNOTSUPP;
}

int xml_export_parse_event(const char *xml, size_t n, uint64_t line, const ImportSink *sink, Diag *diag) {
        return 0;
}
