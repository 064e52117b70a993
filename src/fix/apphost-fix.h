/* SPDX-License-Identifier: MIT */
#pragma once

/* The cure for KB 2025598 as an edit of applicationHost.config: the legacy IIS 6 SSL properties
 * (5506, the certificate hash, and 5511, its store name) are cut out of
 * configuration/system.applicationHost/customMetadata/key, with any key they leave empty, and
 * not one other byte changes. The edit is planned on the raw bytes by a scanner of XML's lexical
 * structure (comments, CDATA, processing instructions, quoted attributes), checked against
 * libxml2's own reading of the file, and applied by cutting byte ranges. UTF-8 with or without
 * a BOM (and ASCII-compatible single-byte encodings) and UTF-16LE/BE are handled directly, code
 * unit by code unit: offsets are always offsets into the original bytes. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

typedef struct Diag Diag;

#define APPHOST_FIX_SSL_CERT_HASH       5506    /* MD_SSL_CERT_HASH */
#define APPHOST_FIX_SSL_CERT_STORE_NAME 5511    /* MD_SSL_CERT_STORE_NAME */

typedef enum ApphostFixKind {
        APPHOST_FIX_PROPERTY,           /* a <property> element */
        APPHOST_FIX_KEY,                /* a <key> that held nothing but the properties removed */
} ApphostFixKind;

/* One cut: the bytes [start, end) of the input. When the element stood alone on its line(s),
 * the cut runs from the start of its first line through the line end after it. */
typedef struct ApphostFixRange {
        size_t start, end;
        uint64_t first_line, last_line; /* 1-based lines (ended by LF) of the bytes cut */
        ApphostFixKind kind;
        bool whole_lines;               /* the cut takes whole lines, line ends included */
} ApphostFixRange;

/* One property removed. */
typedef struct ApphostFixProperty {
        uint32_t id;                    /* 5506 or 5511 */
        uint64_t line, end_line;        /* lines of its '<' and of its last '>' */
        const char *key_path;           /* its key's path as UTF-8 (cut at EVDIAG_MAX_FIX_KEY_PATH
                                         * bytes), or NULL when the key has none */
        uint64_t key_line, key_end_line;/* lines of its key's '<' and of the key's last '>' */
        bool key_removed;               /* its key goes with it */
        bool whole_lines;               /* the cut that removes it (or its key, when the key
                                         * goes) takes whole lines: nothing else is on them */
} ApphostFixProperty;

typedef struct ApphostFixPlan ApphostFixPlan;

/* Plans the edit of the size bytes at data, an applicationHost.config. On success *ret is a
 * new plan (the caller frees it) whose ranges may be empty: nothing to fix. Returns 0;
 * -EBADMSG when the input is not one this edit may touch: not well-formed XML by libxml2
 * (XML_SAFE_OPTIONS), not a <configuration> document, a DOCTYPE, an encoding it does not
 * handle, a cut that would join text into "]]>", or the scanner and libxml2 disagreeing about
 * where the properties are (why, with its line, is in diag); -E2BIG past a cap of base/limits.h (also in diag); -ENOMEM. */
int apphost_fix_plan(const uint8_t *data, size_t size, ApphostFixPlan **ret, Diag *diag);
ApphostFixPlan *apphost_fix_plan_free(ApphostFixPlan *plan);

/* The cuts, sorted and disjoint; the pointer lives as long as the plan. */
const ApphostFixRange *apphost_fix_plan_ranges(const ApphostFixPlan *plan, size_t *ret_n);
/* The properties removed, in document order; the pointer lives as long as the plan. */
const ApphostFixProperty *apphost_fix_plan_properties(const ApphostFixPlan *plan, size_t *ret_n);
/* Keys removed. */
size_t apphost_fix_plan_keys_removed(const ApphostFixPlan *plan);
/* The encoding the input was read in: "UTF-8", "UTF-8 with BOM", "UTF-16LE", "UTF-16LE with
 * BOM", "UTF-16BE", "UTF-16BE with BOM", or the ASCII-compatible single-byte encoding its
 * declaration names ("ISO-8859-1", "windows-1252", "US-ASCII", ...). Static. */
const char *apphost_fix_plan_encoding(const ApphostFixPlan *plan);

/* The input minus the plan's ranges, in *ret (the caller frees it; one spare NUL byte after
 * *ret_size bytes). Returns 0; -EINVAL when the plan was not made for size bytes; -ENOMEM. */
int apphost_fix_apply(const uint8_t *data, size_t size, const ApphostFixPlan *plan, uint8_t **ret,
                      size_t *ret_size);

/* Checks out (out_size bytes) before anything is written: it must be exactly data minus the
 * plan's ranges, parse as XML with libxml2 (XML_SAFE_OPTIONS), hold no property 5506 or 5511
 * in customMetadata any more, and keep every other key and property. Returns 0 when it holds;
 * -EBADMSG when it does not (why is in diag, as errors); -ENOMEM. */
int apphost_fix_verify(const uint8_t *data, size_t size, const ApphostFixPlan *plan, const uint8_t *out,
                       size_t out_size, Diag *diag);

/* Appends to out a unified diff (`diff -u` with 3 lines of context, headers "--- a/PATH" and
 * "+++ b/PATH", the leading '/' of an absolute PATH left out) from data to data minus the plan's ranges; nothing when the plan is empty.
 * Lines are copied as they are, line ends included; UTF-16 lines are shown as UTF-8. Returns 0;
 * -EINVAL when the plan was not made for size bytes; -ENOMEM. */
int apphost_fix_diff(const uint8_t *data, size_t size, const ApphostFixPlan *plan, const char *path, StrBuf *out);

#include "base/alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(ApphostFixPlan *, apphost_fix_plan_free);
