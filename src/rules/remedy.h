/* SPDX-License-Identifier: MIT */
#pragma once

/* The remedy of a finding as facts: which lines of applicationHost.config to delete (what
 * `evdiag fix` removes: the legacy SSL properties 5506 and 5511 of the keys the rule found,
 * and a key they leave empty), the commands that do it, and the command that restores the
 * HTTP.sys binding with the hash netsh shows, or a placeholder. */

#include <stddef.h>

#include "base/strbuf.h"

typedef struct ReportRemedy ReportRemedy;
typedef struct Store Store;

/* The placeholder of the restore command when no hash is known. */
#define REMEDY_HASH_PLACEHOLDER "<thumbprint-of-the-site-certificate>"

/* A <key> the rule found, in the applicationHost.config imported from path. */
typedef struct RemedyKeyRef {
        const char *path, *key_path;
} RemedyKeyRef;

/* Builds the remedy of a finding on host (a key): the keys (duplicates are skipped; keys
 * holding neither 5506 nor 5511 add nothing) and the endpoints whose binding HTTP.sys lost, to
 * restore (NULL entries skipped). When no endpoint is given (nothing lost yet), those of the
 * https bindings of the sites the keys name (LM/W3SVC/<id>) are used, as bindings to restore
 * should they be lost. The applicationHost.config is read again for the
 * excerpt of each key; when it cannot be read or has changed, the excerpt is left out and the
 * config's note says why. *ret is new (caller frees with report_remedy_free()). Returns 0,
 * -ENOMEM, or -EIO (store failure: store_error()). */
int remedy_build(Store *s, const char *host, const RemedyKeyRef *keys, size_t n_keys, const char *const *endpoints,
                 size_t n_endpoints, ReportRemedy **ret);

/* Appends to out s quoted for a POSIX shell: as it is when it needs no quoting, else in single
 * quotes. Returns 0 or -ENOMEM. */
int remedy_shell_quote(StrBuf *out, const char *s);
