/* SPDX-License-Identifier: MIT */
/* evdiag fix on any bytes: a plan is refused with a reason, or it is one that apply, verify and
 * diff all stand behind. The output must be exactly the input minus the ranges, it must verify,
 * and planning it again must find nothing left to cut. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "fix/apphost-fix.h"

#define DIFF_HEAD "--- a/applicationHost.config\n+++ b/applicationHost.config\n@@ -"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input minus the ranges, built here without apphost_fix_apply(); aborts when the ranges
 * are not sorted, disjoint, inside the input and on code unit boundaries. The caller frees it;
 * NULL when out of memory. */
static uint8_t *cut_ranges(const uint8_t *data, size_t size, const ApphostFixPlan *plan, size_t *ret_size) {
        const ApphostFixRange *ranges;
        const char *enc = apphost_fix_plan_encoding(plan);
        size_t n, at = 0, o = 0, width = strncmp(enc, "UTF-16", 6) == 0 ? 2 : 1;
        uint8_t *out = malloc(size + 1);

        if (!out)
                return NULL;
        ranges = apphost_fix_plan_ranges(plan, &n);
        for (size_t i = 0; i < n; i++) {
                const ApphostFixRange *c = &ranges[i];

                /* Touching cuts are merged into one: a gap of at least one unit between two. */
                if (c->start < at || (i > 0 && c->start == at) || c->end <= c->start || c->end > size)
                        abort();
                if (c->start % width != 0 || c->end % width != 0)
                        abort();
                if (c->first_line == 0 || c->last_line < c->first_line)
                        abort();
                if (c->kind != APPHOST_FIX_PROPERTY && c->kind != APPHOST_FIX_KEY)
                        abort();
                memcpy(out + o, data + at, c->start - at);
                o += c->start - at;
                at = c->end;
        }
        memcpy(out + o, data + at, size - at);
        o += size - at;
        *ret_size = o;
        return out;
}

static void check_properties(const ApphostFixPlan *plan) {
        const ApphostFixProperty *props;
        size_t n, ranges;

        props = apphost_fix_plan_properties(plan, &n);
        (void) apphost_fix_plan_ranges(plan, &ranges);
        if ((n == 0) != (ranges == 0) || apphost_fix_plan_keys_removed(plan) > n)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (props[i].id != APPHOST_FIX_SSL_CERT_HASH && props[i].id != APPHOST_FIX_SSL_CERT_STORE_NAME)
                        abort();
                if (props[i].line < props[i].key_line || (i > 0 && props[i].line < props[i - 1].line))
                        abort();
                if (props[i].key_path && strlen(props[i].key_path) > EVDIAG_MAX_FIX_KEY_PATH)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL, *again = NULL;
        _cleanup_(diag_freep) Diag *diag = NULL, *vdiag = NULL, *adiag = NULL;
        _cleanup_free_ uint8_t *out = NULL, *expected = NULL;
        _cleanup_strbuf_ StrBuf diff = {};
        size_t out_size, expected_size, n;
        int r;

        diag = diag_new("applicationHost.config");
        vdiag = diag_new("applicationHost.config");
        adiag = diag_new("applicationHost.config");
        if (!diag || !vdiag || !adiag)
                return 0;

        r = apphost_fix_plan(data, size, &plan, diag);
        if (r == -ENOMEM)
                return 0;
        if (r < 0) {
                /* A refusal always says why. */
                if ((r != -EBADMSG && r != -E2BIG) || diag_errors(diag) == 0)
                        abort();
                return 0;
        }
        if (r != 0 || diag_errors(diag) != 0)
                abort();
        check_properties(plan);

        expected = cut_ranges(data, size, plan, &expected_size);
        if (!expected)
                return 0;
        r = apphost_fix_apply(data, size, plan, &out, &out_size);
        if (r == -ENOMEM)
                return 0;
        if (r < 0 || out_size != expected_size || memcmp(out, expected, out_size) != 0 || out[out_size] != 0)
                abort();

        r = apphost_fix_verify(data, size, plan, out, out_size, vdiag);
        if (r == -ENOMEM)
                return 0;
        if (r != 0)
                abort();

        r = apphost_fix_diff(data, size, plan, "applicationHost.config", &diff);
        if (r == -ENOMEM)
                return 0;
        (void) apphost_fix_plan_ranges(plan, &n);
        if (r < 0 || (n == 0) != (diff.len == 0))
                abort();
        if (n > 0 && strncmp(strbuf_str(&diff), DIFF_HEAD, strlen(DIFF_HEAD)) != 0)
                abort();

        /* The fixed file is one the fix accepts, with nothing left to do. */
        r = apphost_fix_plan(out, out_size, &again, adiag);
        if (r == -ENOMEM)
                return 0;
        if (r < 0)
                abort();
        (void) apphost_fix_plan_ranges(again, &n);
        if (n != 0)
                abort();
        return 0;
}
