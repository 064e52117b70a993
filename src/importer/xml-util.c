/* SPDX-License-Identifier: MIT */
#include "xml-util.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <string.h>

#include "base/diag.h"

static void silent_generic(void *ctx, const char *msg, ...) {
}

void xml_util_init(void) {
        static int done = 0;

        if (done)
                return;
        xmlInitParser();
        xmlSetGenericErrorFunc(NULL, silent_generic);
        xmlSetStructuredErrorFunc(NULL, NULL);
        done = 1;
}

static void capture_error(void *userdata, xmlErrorPtr e) {
        XmlErrorCapture *c = userdata;
        char msg[512];
        size_t n;

        if (!c || !e || e->level == XML_ERR_WARNING)
                return;
        if (c->errors++ > 0)
                return;
        snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "malformed XML");
        n = strlen(msg);
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
                msg[--n] = 0;
        diag_add(c->diag, DIAG_WARNING, e->line > 0 ? c->line_base + (uint64_t) e->line - 1 : c->line_base,
                 DIAG_NO_OFFSET, "%s%s%s", c->what ? c->what : "", c->what ? ": " : "", msg);
}

void xml_errors_begin(XmlErrorCapture *c, Diag *diag, uint64_t line_base, const char *what) {
        xml_util_init();
        *c = (XmlErrorCapture) {
                .diag = diag,
                .line_base = line_base ? line_base : 1,
                .what = what,
        };
        xmlSetStructuredErrorFunc(c, capture_error);
}

void xml_errors_end(XmlErrorCapture *c) {
        xmlSetStructuredErrorFunc(NULL, NULL);
}
