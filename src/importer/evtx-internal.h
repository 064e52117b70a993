/* SPDX-License-Identifier: MIT */
#pragma once

/* Internals of the .evtx reader, shared by its stages and by nothing outside src/importer:
 *
 *   evtx-file.c    a chunk: header and checksums, the record walk, resynchronisation, slack
 *   evtx-binxml.c  BinXML: names, template compilation and cache, template instances, the walk
 *   evtx-value.c   substitution values: sizes, arrays, rendering as text
 *   evtx-render.c  what a walk feeds: the Event row builder, the XML and JSON writers
 *   evtx.c         the public entry points, the thread pool and delivery in file order
 *
 * The unit of work is a chunk (64 KiB, self-contained: its names and templates are addressed by
 * offsets inside it). A worker thread turns one chunk into an EvtxBatch: the records it holds,
 * already decoded (import) or rendered (dump), and the warnings about it. The calling thread
 * hands batches to the sink or writer in file order. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/strbuf.h"
#include "importer/evtx.h"

/* On-disk layout (little-endian throughout). */
#define EVTX_FILE_HEADER_SIZE           4096
#define EVTX_CHUNK_SIZE                 65536
#define EVTX_CHUNK_HEADER_SIZE          512
#define EVTX_RECORD_HEADER_SIZE         24      /* magic, size, id, written time */
#define EVTX_RECORD_MIN_SIZE            (EVTX_RECORD_HEADER_SIZE + 4)
#define EVTX_FILE_FLAG_DIRTY            0x1u
#define EVTX_FILE_FLAG_FULL             0x2u
#define EVTX_FILE_FLAG_NO_CRC32         0x4u    /* format 3.2: checksum fields are left at 0 */

/* BinXML tokens; 0x40 on some of them says that more data follows. */
enum {
        BX_EOF = 0x00,
        BX_OPEN_START = 0x01,           /* 0x41: with an attribute list */
        BX_CLOSE_START = 0x02,
        BX_CLOSE_EMPTY = 0x03,
        BX_END_ELEMENT = 0x04,
        BX_VALUE = 0x05,
        BX_ATTRIBUTE = 0x06,
        BX_CDATA = 0x07,
        BX_CHARREF = 0x08,
        BX_ENTITYREF = 0x09,
        BX_PI_TARGET = 0x0A,
        BX_PI_DATA = 0x0B,
        BX_TEMPLATE_INSTANCE = 0x0C,
        BX_NORMAL_SUBST = 0x0D,
        BX_OPTIONAL_SUBST = 0x0E,
        BX_FRAGMENT_HEADER = 0x0F,
        BX_MORE = 0x40,
};

/* Value types of substitutions; 0x80 makes an array of the type. */
enum {
        VT_NULL = 0x00,
        VT_STRING = 0x01,
        VT_ANSI_STRING = 0x02,
        VT_INT8 = 0x03,
        VT_UINT8 = 0x04,
        VT_INT16 = 0x05,
        VT_UINT16 = 0x06,
        VT_INT32 = 0x07,
        VT_UINT32 = 0x08,
        VT_INT64 = 0x09,
        VT_UINT64 = 0x0A,
        VT_REAL32 = 0x0B,
        VT_REAL64 = 0x0C,
        VT_BOOL = 0x0D,
        VT_BINARY = 0x0E,
        VT_GUID = 0x0F,
        VT_SIZET = 0x10,
        VT_FILETIME = 0x11,
        VT_SYSTEMTIME = 0x12,
        VT_SID = 0x13,
        VT_HEXINT32 = 0x14,
        VT_HEXINT64 = 0x15,
        VT_EVTHANDLE = 0x20,
        VT_BINXML = 0x21,
        VT_EVTXML = 0x23,
        VT_ARRAY = 0x80,
};

/* Element and attribute names the builders look at, recognised once when a template is
 * compiled so that a walk compares small integers. */
typedef enum EvtxKnownName {
        EN_OTHER,
        EN_EVENT,
        EN_SYSTEM,
        EN_PROVIDER,
        EN_NAME,
        EN_GUID,
        EN_EVENT_SOURCE_NAME,
        EN_EVENT_ID,
        EN_QUALIFIERS,
        EN_VERSION,
        EN_LEVEL,
        EN_TASK,
        EN_OPCODE,
        EN_KEYWORDS,
        EN_TIME_CREATED,
        EN_SYSTEM_TIME,
        EN_EVENT_RECORD_ID,
        EN_CORRELATION,
        EN_ACTIVITY_ID,
        EN_RELATED_ACTIVITY_ID,
        EN_EXECUTION,
        EN_PROCESS_ID,
        EN_THREAD_ID,
        EN_CHANNEL,
        EN_COMPUTER,
        EN_SECURITY,
        EN_USER_ID,
        EN_EVENT_DATA,
        EN_USER_DATA,
        EN_DATA,
        EN_BINARY,
        _EN_MAX,
} EvtxKnownName;

/* A name as a walk hands it over: UTF-8, NUL-terminated, owned by a compiled template. */
typedef struct EvtxName {
        const char *str;
        uint32_t len;
        uint8_t id;             /* EvtxKnownName */
} EvtxName;

/* A substitution value: a view of the chunk buffer. */
typedef struct EvtxValue {
        uint8_t type;           /* as the template instance describes it */
        const uint8_t *data;
        uint32_t size;
        uint32_t offset;        /* of data in the chunk: nested BinXML resolves offsets there */
} EvtxValue;

/* --- Output buffers --------------------------------------------------------------------- */

/* A StrBuf with a sticky error: appends after a failure do nothing, and the caller looks once,
 * at the end of a record. limit caps its length (-E2BIG past it). */
typedef struct EvtxBuf {
        StrBuf sb;
        size_t limit;
        int error;              /* 0, -ENOMEM or -E2BIG */
} EvtxBuf;

int evtx_buf_grow(EvtxBuf *b, size_t extra);

static inline char *evtx_buf_reserve(EvtxBuf *b, size_t extra) {
        if (b->error < 0)
                return NULL;
        if (b->sb.allocated - b->sb.len <= extra && evtx_buf_grow(b, extra) < 0)
                return NULL;
        return b->sb.data + b->sb.len;
}

/* Marks the n bytes written at the pointer evtx_buf_reserve() returned as used. */
static inline void evtx_buf_commit(EvtxBuf *b, size_t n) {
        b->sb.len += n;
        b->sb.data[b->sb.len] = 0;
}

static inline void evtx_buf_put(EvtxBuf *b, const char *s, size_t n) {
        char *p = evtx_buf_reserve(b, n);

        if (!p)
                return;
        if (n > 0)
                __builtin_memcpy(p, s, n);
        evtx_buf_commit(b, n);
}

static inline void evtx_buf_putc(EvtxBuf *b, char c) {
        char *p = evtx_buf_reserve(b, 1);

        if (!p)
                return;
        *p = c;
        evtx_buf_commit(b, 1);
}

#define evtx_buf_puts_lit(b, lit) evtx_buf_put((b), (lit), sizeof(lit) - 1)

static inline void evtx_buf_truncate(EvtxBuf *b, size_t len) {
        if (b->sb.data && len <= b->sb.len) {
                b->sb.len = len;
                b->sb.data[len] = 0;
        }
}

/* Empties the buffer and clears its error; keeps the memory. */
static inline void evtx_buf_reset(EvtxBuf *b) {
        b->error = 0;
        evtx_buf_truncate(b, 0);
}

void evtx_buf_done(EvtxBuf *b);

/* --- Values (evtx-value.c) ------------------------------------------------------------- */

typedef enum EvtxStyle {
        EVTX_STYLE_LIBEVTX,     /* hex integers zero-padded to their width, as libevtx writes them */
        EVTX_STYLE_WINDOWS,     /* hex integers without padding, as Windows renders them */
} EvtxStyle;

/* What went wrong while rendering values, counted for one warning per record. */
typedef struct EvtxBad {
        size_t utf16;           /* bad UTF-16 sequences (and windows-1252 bytes) made U+FFFD */
        size_t values;          /* values too short for their type, rendered as nothing */
} EvtxBad;

/* Appends v, a scalar (or one item of an array), as text. Bad UTF-16 becomes U+FFFD and is
 * counted. Nested BinXML renders as nothing: the walk expands it. */
void evtx_value_format(EvtxBuf *out, const EvtxValue *v, EvtxStyle style, EvtxBad *bad);

/* Counts into bad what evtx_value_format() would count for v, without rendering it: the same
 * figures whatever renders the record (or whether anything renders this value at all), so that
 * a record's warnings do not depend on the output. */
void evtx_value_check(const EvtxValue *v, EvtxBad *bad);

/* Whether UTF-16 text of n bytes is one line break and nothing else (up to a U+0000): such a
 * string shows as empty in Event Viewer and libevtx, and renders as nothing here too. */
bool evtx_value_is_line_break(const uint8_t *d, size_t n);

/* Iterates over the items of an array value. */
typedef struct EvtxArrayIter {
        const EvtxValue *v;
        uint32_t pos;
} EvtxArrayIter;

static inline void evtx_array_begin(EvtxArrayIter *it, const EvtxValue *v) {
        it->v = v;
        it->pos = 0;
}

/* Stores the next item as a scalar value in *item; false at the end. */
bool evtx_array_next(EvtxArrayIter *it, EvtxValue *item);

/* Ticks since 1970 of a FILETIME value, false when it does not fit. */
bool evtx_filetime_ticks(uint64_t filetime, int64_t *ret);
/* Appends a FILETIME as 2016-07-08T18:12:51.681640800Z (nine digits, as Windows writes). */
void evtx_format_filetime(EvtxBuf *out, uint64_t filetime);
/* Appends an unsigned / signed decimal number. */
void evtx_format_u64(EvtxBuf *out, uint64_t v);
void evtx_format_i64(EvtxBuf *out, int64_t v);
/* Appends "0x" and v in lowercase hex: padded to digits, or without padding when digits is 0. */
void evtx_format_hex(EvtxBuf *out, uint64_t v, int digits);
/* Appends UTF-16LE text of n bytes as UTF-8, stopping at a U+0000 when stop_at_nul. */
void evtx_utf16_append(EvtxBuf *out, const uint8_t *p, size_t n, bool stop_at_nul, size_t *bad);

/* --- What a walk feeds (evtx-render.c implements three) --------------------------------- */

/* Events of a walk, in document order. Between start() and start_done() come the attributes,
 * each as attr_start(), its pieces (text, value, charref, entityref), attr_end(). Each callback
 * returns 0 or a negative errno that stops the walk. */
typedef struct EvtxSax {
        int (*start)(void *u, const EvtxName *name);
        int (*attr_start)(void *u, const EvtxName *name);
        int (*attr_end)(void *u);
        int (*start_done)(void *u);
        int (*end)(void *u, const EvtxName *name);
        int (*text)(void *u, const char *s, size_t n);          /* UTF-8, not escaped */
        int (*value)(void *u, const EvtxValue *v);              /* a scalar, never nested BinXML */
        int (*charref)(void *u, uint32_t cp);
        int (*entityref)(void *u, const EvtxName *name);
        int (*cdata)(void *u, const char *s, size_t n);
        int (*pi)(void *u, const EvtxName *target, const char *s, size_t n);
} EvtxSax;

/* --- Compiled templates (evtx-binxml.c) ------------------------------------------------- */

typedef enum EvtxOpKind {
        OP_ELEMENT,     /* name; c = index of its OP_END; d, e = range of content_substs */
        OP_ATTRIBUTE,   /* name; c = index of the first op after its value */
        OP_END,         /* name of the element it ends */
        OP_TEXT,        /* a, b = offset and length of the text in the pool */
        OP_CDATA,       /* the same */
        OP_CHARREF,     /* a = the character */
        OP_ENTITYREF,   /* name */
        OP_PI,          /* name = target; a, b = data in the pool */
        OP_SUBST,       /* a = value index; type = declared type; flags: OPF_OPTIONAL */
} EvtxOpKind;

#define OPF_OPTIONAL 0x01
#define OPF_DUPLICATE 0x02      /* an attribute its element has already: left out, as XML wants */

typedef struct EvtxOp {
        uint8_t kind, flags, type, name_id;
        uint32_t name, name_len;        /* offset of a NUL-terminated name in the pool */
        uint32_t a, b, c, d, e;
} EvtxOp;

/* A name read from outside the definition's own bytes: checked again when the compiled form is
 * reused in another chunk. */
typedef struct EvtxExtName {
        uint32_t offset;
        uint32_t size;
        uint64_t hash;
} EvtxExtName;

typedef struct EvtxTemplate {
        struct EvtxTemplate *next;      /* in the cache's hash chain */
        uint8_t guid[16];
        uint32_t def_offset, body_size; /* where the definition lies in its chunk */
        uint64_t hash;                  /* of the definition's bytes */
        const EvtxOp *ops;
        uint32_t n_ops;
        const char *pool;
        const uint32_t *content_substs; /* per element: its substitutions outside children */
        const EvtxExtName *ext;
        uint32_t n_ext;
        size_t mem;                     /* bytes of the one allocation that holds it all */
        /* What compiling it cost and found, charged again whenever the cache stands in for a
         * compilation: a chunk's warnings and budget must not depend on which thread read it. */
        uint64_t name_bytes;            /* against the chunk's budget */
        size_t bad_utf16;               /* in its names and text */
} EvtxTemplate;

/* A chunk as the worker sees it. */
typedef struct EvtxChunk {
        const uint8_t *data;
        uint32_t size;                  /* EVTX_CHUNK_SIZE, less for the cut last one */
        uint64_t index;
        uint64_t file_offset;
} EvtxChunk;

/* Limits of work for one record and one chunk (hostile templates can expand without end). */
typedef struct EvtxBudget {
        uint64_t steps, bytes;
} EvtxBudget;

typedef struct EvtxWorker EvtxWorker;

/* An error while decoding a record: the first message wins. */
typedef struct EvtxErr {
        char msg[192];
        bool set;
} EvtxErr;

void evtx_err(EvtxErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Walks the BinXML document of n bytes at chunk offset off (a record's event, or a nested
 * BinXML value) into sax. Returns 0, -EBADMSG (malformed, message in err), -E2BIG (a cap;
 * message in err) or -ENOMEM, or what a callback returned. */
int evtx_walk_document(EvtxWorker *w, const EvtxChunk *c, uint32_t off, uint32_t n, int depth,
                       const EvtxSax *sax, void *u, EvtxErr *err);

/* Called at the start of every chunk: forgets the chunk's own templates, and empties the cache
 * when it has grown past its cap. */
void evtx_templates_begin_chunk(EvtxWorker *w);

/* --- Batches: what a chunk gives ------------------------------------------------------- */

#define EVTX_NO_STR UINT32_MAX

typedef struct EvtxRecordOut {
        uint64_t record_id;             /* from the record header: what recovery de-duplicates by */
        int64_t event_record_id;        /* <EventRecordID>, what Windows shows; EVENT_NO_VALUE when absent */
        uint64_t offset;                /* in the file */
        bool recovered;
        /* the Event row, strings as offsets into batch->strings */
        uint32_t host, channel, provider, provider_guid, keywords, user, activity_id;
        int64_t event_id, qualifiers, version, level, task, opcode, time;
        int64_t process_id, thread_id;
        uint32_t first_field, n_fields; /* in batch->fields */
        uint32_t binary, binary_size;   /* raw bytes in batch->strings */
        uint32_t text, text_len;        /* dump output in batch->text */
} EvtxRecordOut;

typedef struct EvtxFieldOut {
        uint32_t name;                  /* EVTX_NO_STR for an unnamed <Data> */
        uint32_t value;
} EvtxFieldOut;

typedef struct EvtxNote {
        uint64_t offset;                /* in the file */
        uint32_t message;               /* in batch->note_text */
} EvtxNote;

typedef enum EvtxMode {
        EVTX_MODE_IMPORT,
        EVTX_MODE_XML,
        EVTX_MODE_JSONL,
} EvtxMode;

typedef struct EvtxBatch {
        EvtxRecordOut *records;
        size_t n_records, a_records;
        EvtxFieldOut *fields;
        size_t n_fields, a_fields;
        EvtxBuf strings;
        EvtxBuf text;
        EvtxNote *notes;
        size_t n_notes, a_notes;
        uint64_t notes_dropped;
        StrBuf note_text;
        bool empty;                     /* an all-zero chunk slot */
        bool bad;                       /* no chunk signature */
        uint64_t recovered;             /* records taken from slack space */
        int error;                      /* -ENOMEM: the batch is unusable */
} EvtxBatch;

void evtx_batch_reset(EvtxBatch *b);
void evtx_batch_done(EvtxBatch *b);
/* Adds a warning about the byte at file offset. */
void evtx_batch_note(EvtxBatch *b, uint64_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* What every worker of a run shares (read-only while the workers run). */
typedef struct EvtxConfig {
        EvtxMode mode;
        EvtxStyle style;
        bool check_crc;
} EvtxConfig;

/* One per thread: caches and scratch space, never shared. */
EvtxWorker *evtx_worker_new(const EvtxConfig *cfg);
EvtxWorker *evtx_worker_free(EvtxWorker *w);

/* Turns one chunk into b (reset first). Returns 0, or -ENOMEM (also in b->error). */
int evtx_chunk_process(EvtxWorker *w, const EvtxChunk *c, EvtxBatch *b);

/* Decodes the record at chunk offset off, whose BinXML (after the 24-byte record header) is n
 * bytes long, into b (evtx-render.c). Returns 0, a negative errno with the reason in err (the
 * record is then left out of b), or -ENOMEM. */
int evtx_record_emit(EvtxWorker *w, const EvtxChunk *c, uint32_t off, uint32_t n, bool recovered, EvtxBatch *b,
                     EvtxErr *err);

/* Scratch of a worker that the stages share. Defined here so that evtx-render.c and
 * evtx-binxml.c can both reach their parts. */
typedef struct EvtxTplSlot {
        uint32_t offset;
        EvtxTemplate *t;
} EvtxTplSlot;

typedef struct EvtxNameSlot {
        uint32_t offset;                /* 0: free (no name lies in the chunk header) */
        uint32_t pool, len;
        uint8_t id;
} EvtxNameSlot;

#define EVTX_CHUNK_TPL_SLOTS (2 * EVDIAG_MAX_EVTX_CHUNK_TEMPLATES)
#define EVTX_CACHE_BUCKETS 4096
#define EVTX_NAME_SLOTS 256

struct EvtxWorker {
        EvtxConfig cfg;

        /* templates compiled in this chunk, by definition offset */
        EvtxTplSlot chunk_tpl[EVTX_CHUNK_TPL_SLOTS];
        uint32_t chunk_tpl_used[EVDIAG_MAX_EVTX_CHUNK_TEMPLATES];
        uint32_t n_chunk_tpl;
        /* compiled templates kept across chunks, by GUID, offset and hash of their bytes */
        EvtxTemplate *cache[EVTX_CACHE_BUCKETS];
        size_t cache_mem;
        /* compile scratch; names already decoded in this compilation, by chunk offset */
        EvtxNameSlot names[EVTX_NAME_SLOTS];
        EvtxOp *ops;
        size_t n_ops, a_ops;
        StrBuf pool;
        uint32_t *substs;
        size_t n_substs, a_substs;
        EvtxExtName *ext;
        size_t n_ext, a_ext;
        /* walk scratch: the values of the template instances being walked */
        EvtxValue *values;
        size_t n_values, a_values;
        /* budgets */
        EvtxBudget record_budget, chunk_budget;
        EvtxBad bad;                    /* of the current record */
        /* render scratch */
        EvtxBuf tmp, capture, attr;
        /* JSON: grouping of a record's fields by key */
        uint32_t *json_next, *json_last, *json_head, *json_taken;
        int32_t *json_slot;
        /* statistics, for tests and benchmarks */
        uint64_t compiled;
};
