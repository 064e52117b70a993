/* SPDX-License-Identifier: MIT */
/* Feeds the input to the .evtx reader three ways: into the import sink (fuzz_sink aborts when a
 * row breaks a promise: invalid UTF-8, a count over its cap), and through both renderings of
 * `evdiag dump`. Their output must be valid UTF-8, and the XML well-formed: libxml2 reads it
 * back wrapped in one root element. One thread, so that a crash reproduces. */

#include <libxml/parser.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/diag.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "base/utf.h"
#include "fuzz-sink.h"
#include "importer/evtx.h"
#include "importer/xml-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int collect(void *userdata, const char *s, size_t n) {
        if (!utf8_is_valid(s, n))
                abort();
        return strbuf_append(userdata, s, n);
}

static void check_xml(const StrBuf *out) {
        _cleanup_strbuf_ StrBuf doc = {};
        xmlParserCtxtPtr ctxt;
        XmlErrorCapture cap;
        Diag *diag;

        if (strbuf_puts(&doc, "<r>") < 0 || strbuf_append(&doc, strbuf_str(out), out->len) < 0 ||
            strbuf_puts(&doc, "</r>") < 0 || doc.len > INT32_MAX)
                return;
        xml_util_init();
        diag = diag_new("fuzz");
        if (!diag)
                return;
        ctxt = xmlNewParserCtxt();
        if (ctxt) {
                xml_errors_begin(&cap, diag, 1, NULL);
                xmlDocPtr d = xmlCtxtReadMemory(ctxt, doc.data, (int) doc.len, NULL, "UTF-8", XML_SAFE_OPTIONS);
                xml_errors_end(&cap);
                /* Namespace prefixes are the log's own business; the XML must hold together. */
                if (!ctxt->wellFormed)
                        abort();
                xmlFreeDoc(d);
                xmlFreeParserCtxt(ctxt);
        }
        diag_free(diag);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const ParseOptions opts = { .tz = NULL };

        for (int pass = 0; pass < 3; pass++) {
                _cleanup_(instream_freep) InStream *in = NULL;
                _cleanup_(diag_freep) Diag *diag = diag_new("fuzz");
                _cleanup_strbuf_ StrBuf out = {};

                if (!diag || instream_new_memory(data, size, &in) < 0)
                        return 0;
                if (pass == 0)
                        (void) evtx_parse_threads(in, &opts, 1, &fuzz_sink, diag);
                else if (evtx_dump(in, pass == 1 ? EVTX_DUMP_XML : EVTX_DUMP_JSONL, 1, collect, &out, diag) >= 0 &&
                         pass == 1)
                        check_xml(&out);
        }
        return 0;
}
