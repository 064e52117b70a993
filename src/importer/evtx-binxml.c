/* SPDX-License-Identifier: MIT */
/* BinXML, the token form of XML that .evtx records hold ([MS-EVEN6] 2.2.12, libyal's EVTX
 * format document).
 *
 * A record is nearly always one template instance: a reference to a template definition (an
 * element tree with numbered substitution tokens, stored once in the chunk, often inside the
 * first record that uses it) and the values to put in. Each definition is compiled once into a
 * flat list of operations (EvtxOp) with its names decoded, and a walk runs that list against
 * the instance's values, which stay views of the chunk buffer until a consumer renders them.
 * Compiled templates are cached across chunks, keyed by GUID, place and a hash of the
 * definition's bytes; names a definition borrows from elsewhere in its chunk are checked again
 * before a compiled form is reused in another chunk.
 *
 * Everything that reads the chunk checks bounds by subtraction against the end of the region it
 * may read (the definition, the record, the value); every recursion takes a depth and checks it
 * first; the work a record and a chunk may cause is budgeted (hostile templates can refer to one
 * value thousands of times, and nested BinXML values multiply that). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bytes.h"
#include "base/utf.h"
#include "evtx-internal.h"

#define NAME_HEADER_SIZE        8       /* next offset (u32), hash (u16), characters (u16) */
#define TEMPLATE_HEADER_SIZE    24      /* next definition (u32), GUID (16), body size (u32) */
#define INSTANCE_HEADER_SIZE    10      /* token, unknown (u8), template id (u32), definition offset (u32) */

void evtx_err(EvtxErr *err, const char *fmt, ...) {
        va_list ap;

        if (!err || err->set)
                return;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        err->set = true;
}

static const char *const known_names[_EN_MAX] = {
        [EN_OTHER] = "",
        [EN_EVENT] = "Event",
        [EN_SYSTEM] = "System",
        [EN_PROVIDER] = "Provider",
        [EN_NAME] = "Name",
        [EN_GUID] = "Guid",
        [EN_EVENT_SOURCE_NAME] = "EventSourceName",
        [EN_EVENT_ID] = "EventID",
        [EN_QUALIFIERS] = "Qualifiers",
        [EN_VERSION] = "Version",
        [EN_LEVEL] = "Level",
        [EN_TASK] = "Task",
        [EN_OPCODE] = "Opcode",
        [EN_KEYWORDS] = "Keywords",
        [EN_TIME_CREATED] = "TimeCreated",
        [EN_SYSTEM_TIME] = "SystemTime",
        [EN_EVENT_RECORD_ID] = "EventRecordID",
        [EN_CORRELATION] = "Correlation",
        [EN_ACTIVITY_ID] = "ActivityID",
        [EN_RELATED_ACTIVITY_ID] = "RelatedActivityID",
        [EN_EXECUTION] = "Execution",
        [EN_PROCESS_ID] = "ProcessID",
        [EN_THREAD_ID] = "ThreadID",
        [EN_CHANNEL] = "Channel",
        [EN_COMPUTER] = "Computer",
        [EN_SECURITY] = "Security",
        [EN_USER_ID] = "UserID",
        [EN_EVENT_DATA] = "EventData",
        [EN_USER_DATA] = "UserData",
        [EN_DATA] = "Data",
        [EN_BINARY] = "Binary",
};

static uint8_t known_name_id(const char *s, size_t n) {
        for (int i = 1; i < _EN_MAX; i++)
                if (strlen(known_names[i]) == n && memcmp(known_names[i], s, n) == 0)
                        return (uint8_t) i;
        return EN_OTHER;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
        uint64_t h = 0x9E3779B97F4A7C15ull ^ n;

        while (n >= 8) {
                h = (h ^ le64(p)) * 0xFF51AFD7ED558CCDull;
                h ^= h >> 32;
                p += 8;
                n -= 8;
        }
        while (n-- > 0)
                h = (h ^ *p++) * 0xC4CEB9FE1A85EC53ull;
        h ^= h >> 29;
        return h;
}

/* --- Workers ---------------------------------------------------------------------------- */

EvtxWorker *evtx_worker_new(const EvtxConfig *cfg) {
        EvtxWorker *w = calloc(1, sizeof(*w));

        if (!w)
                return NULL;
        w->cfg = *cfg;
        w->capture.limit = EVDIAG_MAX_FIELD_VALUE;
        w->attr.limit = EVDIAG_MAX_FIELD_VALUE;
        w->tmp.limit = EVDIAG_MAX_EVTX_RECORD_OUTPUT;
        return w;
}

static void cache_clear(EvtxWorker *w) {
        for (size_t i = 0; i < EVTX_CACHE_BUCKETS; i++)
                while (w->cache[i]) {
                        EvtxTemplate *t = w->cache[i];

                        w->cache[i] = t->next;
                        free(t);
                }
        w->cache_mem = 0;
}

EvtxWorker *evtx_worker_free(EvtxWorker *w) {
        if (!w)
                return NULL;
        cache_clear(w);
        free(w->ops);
        strbuf_done(&w->pool);
        free(w->substs);
        free(w->ext);
        free(w->values);
        free(w->json_next);
        free(w->json_last);
        free(w->json_head);
        free(w->json_taken);
        free(w->json_slot);
        evtx_buf_done(&w->tmp);
        evtx_buf_done(&w->capture);
        evtx_buf_done(&w->attr);
        free(w);
        return NULL;
}

void evtx_templates_begin_chunk(EvtxWorker *w) {
        for (uint32_t i = 0; i < w->n_chunk_tpl; i++)
                w->chunk_tpl[w->chunk_tpl_used[i]].t = NULL;
        w->n_chunk_tpl = 0;
        if (w->cache_mem > EVDIAG_MAX_EVTX_TEMPLATE_CACHE)
                cache_clear(w);
        w->chunk_budget = (EvtxBudget) {};
}

/* --- Compilation ------------------------------------------------------------------------ */

typedef struct Compiler {
        EvtxWorker *w;
        const EvtxChunk *c;
        uint32_t own_lo, own_hi;        /* the definition's bytes: names outside are external */
        bool in_template;               /* substitutions allowed; element starts have a dependency id */
        EvtxErr *err;
} Compiler;

static int push_op(Compiler *cp, const EvtxOp *op, uint32_t *ret_index) {
        EvtxWorker *w = cp->w;

        if (w->n_ops * sizeof(EvtxOp) + w->pool.len > EVDIAG_MAX_EVTX_TEMPLATE_BYTES) {
                evtx_err(cp->err, "template compiles to more than %d bytes", EVDIAG_MAX_EVTX_TEMPLATE_BYTES);
                return -E2BIG;
        }
        if (ARRAY_GROW(w->ops, w->a_ops, w->n_ops + 1) < 0)
                return -ENOMEM;
        w->ops[w->n_ops] = *op;
        if (ret_index)
                *ret_index = (uint32_t) w->n_ops;
        w->n_ops++;
        return 0;
}

/* Whether cp may start (or continue, when first is false) an XML name (XML 1.0, fifth edition,
 * NameStartChar and NameChar). */
static bool xml_name_char(uint32_t cp, bool first) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_' || cp == ':' ||
            (cp >= 0xC0 && cp <= 0xD6) || (cp >= 0xD8 && cp <= 0xF6) || (cp >= 0xF8 && cp <= 0x2FF) ||
            (cp >= 0x370 && cp <= 0x37D) || (cp >= 0x37F && cp <= 0x1FFF) || cp == 0x200C || cp == 0x200D ||
            (cp >= 0x2070 && cp <= 0x218F) || (cp >= 0x2C00 && cp <= 0x2FEF) || (cp >= 0x3001 && cp <= 0xD7FF) ||
            (cp >= 0xF900 && cp <= 0xFDCF) || (cp >= 0xFDF0 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0xEFFFF))
                return true;
        return !first && ((cp >= '0' && cp <= '9') || cp == '-' || cp == '.' || cp == 0xB7 ||
                          (cp >= 0x300 && cp <= 0x36F) || cp == 0x203F || cp == 0x2040);
}

/* Appends the UTF-16 name of nchars characters at p as UTF-8. XML names admit no escaping: a
 * character a name cannot hold (from a damaged or hostile chunk) becomes '_', so that the XML
 * written stays well-formed; an empty name is "_". A bad surrogate counts as bad UTF-16. */
static void append_name(EvtxBuf *b, const uint8_t *p, uint32_t nchars, size_t *bad) {
        char *o = evtx_buf_reserve(b, 4 * (size_t) nchars + 1);
        size_t k = 0;

        if (!o)
                return;
        for (uint32_t i = 0; i < nchars; i++) {
                uint32_t c = le16(p + 2 * i);

                if (c == 0)
                        break;
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < nchars && le16(p + 2 * i + 2) >= 0xDC00 &&
                    le16(p + 2 * i + 2) <= 0xDFFF) {
                        c = 0x10000 + ((c - 0xD800) << 10) + (le16(p + 2 * i + 2) - 0xDC00u);
                        i++;
                } else if (c >= 0xD800 && c <= 0xDFFF) {
                        (*bad)++;
                        c = '_';
                }
                if (!xml_name_char(c, k == 0))
                        c = '_';
                k += utf8_encode(c, o + k);
        }
        if (k == 0)
                o[k++] = '_';
        evtx_buf_commit(b, k);
}

/* Decodes the name whose structure starts at chunk offset off into the pool. Returns 0 with its
 * pool offset, length, known id and the size of its structure (header, characters, U+0000). */
static int read_name(Compiler *cp, uint32_t off, uint32_t *ret_pool, uint32_t *ret_len, uint8_t *ret_id,
                     uint32_t *ret_size) {
        const EvtxChunk *c = cp->c;
        EvtxWorker *w = cp->w;
        EvtxBuf b = { .sb = w->pool };
        uint32_t nchars, start, slot = (off * 2654435761u) % EVTX_NAME_SLOTS;
        size_t bad = 0;

        if (off > c->size || c->size - off < NAME_HEADER_SIZE) {
                evtx_err(cp->err, "name at chunk offset 0x%x lies outside the chunk", off);
                return -EBADMSG;
        }
        nchars = le16(c->data + off + 6);
        if (nchars > EVDIAG_MAX_EVTX_NAME_CHARS) {
                evtx_err(cp->err, "name at chunk offset 0x%x has %u characters, more than %d", off, nchars,
                         EVDIAG_MAX_EVTX_NAME_CHARS);
                return -E2BIG;
        }
        if (c->size - off - NAME_HEADER_SIZE < 2 * nchars) {
                evtx_err(cp->err, "name at chunk offset 0x%x runs past the chunk", off);
                return -EBADMSG;
        }
        *ret_size = NAME_HEADER_SIZE + 2 * nchars + 2;
        /* Templates name the same few elements and attributes again and again. */
        if (off > 0 && w->names[slot].offset == off) {
                *ret_pool = w->names[slot].pool;
                *ret_len = w->names[slot].len;
                *ret_id = w->names[slot].id;
                return 0;
        }
        /* Decoding names is the work a hostile template can multiply: it counts against the
         * chunk's budget, as rendering does. */
        w->chunk_budget.bytes += 2 * (uint64_t) nchars;
        if (w->chunk_budget.bytes > EVDIAG_MAX_EVTX_CHUNK_OUTPUT) {
                evtx_err(cp->err, "chunk expands past the caps of one chunk (%d bytes)", EVDIAG_MAX_EVTX_CHUNK_OUTPUT);
                return -E2BIG;
        }
        /* Each name is NUL-terminated in the pool, so that consumers may use it as a C string. */
        start = (uint32_t) b.sb.len;
        append_name(&b, c->data + off + NAME_HEADER_SIZE, nchars, &bad);
        evtx_buf_putc(&b, 0);
        w->pool = b.sb;
        if (b.error < 0)
                return b.error;
        w->bad.utf16 += bad;
        if (w->pool.len > EVDIAG_MAX_EVTX_TEMPLATE_BYTES) {
                evtx_err(cp->err, "template with more than %d bytes of names", EVDIAG_MAX_EVTX_TEMPLATE_BYTES);
                return -E2BIG;
        }
        *ret_pool = start;
        *ret_len = (uint32_t) (w->pool.len - start - 1);
        *ret_id = known_name_id(w->pool.data + start, *ret_len);
        if (off > 0)
                w->names[slot] = (EvtxNameSlot) { .offset = off, .pool = start, .len = *ret_len, .id = *ret_id };
        return 0;
}

/* Reads a name reference (u32 chunk offset) at *pos. The name is inline when it points right
 * after the reference: then *pos moves past it. */
static int compile_name(Compiler *cp, uint32_t *pos, uint32_t end, EvtxOp *op) {
        const uint8_t *d = cp->c->data;
        uint32_t off, size;
        int r;

        if (end - *pos < 4) {
                evtx_err(cp->err, "name reference cut at chunk offset 0x%x", *pos);
                return -EBADMSG;
        }
        off = le32(d + *pos);
        *pos += 4;
        r = read_name(cp, off, &op->name, &op->name_len, &op->name_id, &size);
        if (r < 0)
                return r;
        if (off == *pos) {
                if (end - *pos < size) {
                        evtx_err(cp->err, "inline name at chunk offset 0x%x runs past its end", off);
                        return -EBADMSG;
                }
                *pos += size;
        } else if (cp->in_template && (off < cp->own_lo || off >= cp->own_hi || cp->own_hi - off < size)) {
                EvtxWorker *w = cp->w;
                uint32_t hashed = size - 2;     /* a referenced name's NUL was not checked */

                if (ARRAY_GROW(w->ext, w->a_ext, w->n_ext + 1) < 0)
                        return -ENOMEM;
                w->ext[w->n_ext++] = (EvtxExtName) {
                        .offset = off,
                        .size = hashed,
                        .hash = hash_bytes(cp->c->data + off, hashed),
                };
        }
        return 0;
}

/* Reads counted UTF-16 text at *pos into the pool, as an op of kind (OP_TEXT or OP_CDATA). */
static int compile_text(Compiler *cp, uint32_t *pos, uint32_t end, uint8_t kind) {
        EvtxWorker *w = cp->w;
        const uint8_t *d = cp->c->data;
        EvtxBuf b;
        uint32_t nchars, start;
        size_t bad = 0;

        if (end - *pos < 2) {
                evtx_err(cp->err, "text cut at chunk offset 0x%x", *pos);
                return -EBADMSG;
        }
        nchars = le16(d + *pos);
        *pos += 2;
        if ((end - *pos) / 2 < nchars) {
                evtx_err(cp->err, "text of %u characters at chunk offset 0x%x runs past its end", nchars, *pos);
                return -EBADMSG;
        }
        b = (EvtxBuf) { .sb = w->pool };
        start = (uint32_t) b.sb.len;
        evtx_utf16_append(&b, d + *pos, 2 * (size_t) nchars, true, &bad);
        w->pool = b.sb;
        if (b.error < 0)
                return b.error;
        w->bad.utf16 += bad;
        *pos += 2 * nchars;
        return push_op(cp, &(EvtxOp) { .kind = kind, .a = start, .b = (uint32_t) w->pool.len - start }, NULL);
}

/* One piece of an attribute value or of element content: value text, a substitution, a
 * character or entity reference. *pos is at its token. */
static int compile_piece(Compiler *cp, uint32_t *pos, uint32_t end) {
        const uint8_t *d = cp->c->data;
        uint8_t t = d[*pos];
        EvtxOp op = {};
        int r;

        switch (t & (uint8_t) ~BX_MORE) {
        case BX_VALUE:
                if (end - *pos < 2) {
                        evtx_err(cp->err, "value text cut at chunk offset 0x%x", *pos);
                        return -EBADMSG;
                }
                if (d[*pos + 1] != VT_STRING) {
                        evtx_err(cp->err, "value text of type 0x%02x at chunk offset 0x%x", d[*pos + 1], *pos);
                        return -EBADMSG;
                }
                *pos += 2;
                return compile_text(cp, pos, end, OP_TEXT);
        case BX_CHARREF:
                if (end - *pos < 3) {
                        evtx_err(cp->err, "character reference cut at chunk offset 0x%x", *pos);
                        return -EBADMSG;
                }
                op = (EvtxOp) { .kind = OP_CHARREF, .a = le16(d + *pos + 1) };
                *pos += 3;
                return push_op(cp, &op, NULL);
        case BX_ENTITYREF:
                op.kind = OP_ENTITYREF;
                *pos += 1;
                r = compile_name(cp, pos, end, &op);
                if (r < 0)
                        return r;
                return push_op(cp, &op, NULL);
        case BX_NORMAL_SUBST:
        case BX_OPTIONAL_SUBST:
                if (t & BX_MORE)
                        break;
                if (!cp->in_template) {
                        evtx_err(cp->err, "substitution outside a template at chunk offset 0x%x", *pos);
                        return -EBADMSG;
                }
                if (end - *pos < 4) {
                        evtx_err(cp->err, "substitution cut at chunk offset 0x%x", *pos);
                        return -EBADMSG;
                }
                op = (EvtxOp) {
                        .kind = OP_SUBST,
                        .flags = t == BX_OPTIONAL_SUBST ? OPF_OPTIONAL : 0,
                        .a = le16(d + *pos + 1),
                        .type = d[*pos + 3],
                };
                *pos += 4;
                return push_op(cp, &op, NULL);
        default:
                break;
        }
        evtx_err(cp->err, "unexpected token 0x%02x at chunk offset 0x%x", t, *pos);
        return -EBADMSG;
}

static bool is_piece_token(uint8_t t) {
        uint8_t base = t & (uint8_t) ~BX_MORE;

        return base == BX_VALUE || base == BX_CHARREF || base == BX_ENTITYREF || t == BX_NORMAL_SUBST ||
               t == BX_OPTIONAL_SUBST;
}

/* A processing instruction: target (a name) then data. */
static int compile_pi(Compiler *cp, uint32_t *pos, uint32_t end) {
        const uint8_t *d = cp->c->data;
        EvtxOp op = { .kind = OP_PI };
        EvtxWorker *w = cp->w;
        uint32_t before;
        int r;

        *pos += 1;
        r = compile_name(cp, pos, end, &op);
        if (r < 0)
                return r;
        /* "xml" is reserved for the declaration at the start of a document. */
        if (op.name_len == 3 && ascii_strcaseeq_n(w->pool.data + op.name, 3, "xml", 3)) {
                op.name = (uint32_t) w->pool.len;
                op.name_len = 4;
                if (strbuf_append(&w->pool, "_xml", 5) < 0)
                        return -ENOMEM;
        }
        if (end - *pos < 1 || d[*pos] != BX_PI_DATA) {
                evtx_err(cp->err, "processing instruction without data at chunk offset 0x%x", *pos);
                return -EBADMSG;
        }
        *pos += 1;
        /* The data goes to the pool through a text op, which is then turned into the PI. */
        before = (uint32_t) w->n_ops;
        r = compile_text(cp, pos, end, OP_CDATA);
        if (r < 0)
                return r;
        op.a = w->ops[before].a;
        op.b = w->ops[before].b;
        w->ops[before] = op;
        return 0;
}

/* Whether an element start at pos reads sensibly with or without a dependency id. */
static bool element_layout_ok(const Compiler *cp, uint32_t pos, uint32_t end, bool dep) {
        const EvtxChunk *c = cp->c;
        uint32_t p = pos + 1 + (dep ? 2 : 0), size, name;

        if (end - pos < 1 + (dep ? 2u : 0u) || end - p < 8)
                return false;
        size = le32(c->data + p);
        name = le32(c->data + p + 4);
        if (size > end - p - 4)
                return false;
        if (name == p + 8)
                return true;
        return name < c->size && c->size - name >= NAME_HEADER_SIZE;
}

static int compile_element(Compiler *cp, uint32_t *pos, uint32_t end, int depth);

static int compile_content(Compiler *cp, uint32_t *pos, uint32_t end, int depth) {
        const uint8_t *d = cp->c->data;

        for (;;) {
                uint8_t t;
                int r;

                if (*pos >= end) {
                        evtx_err(cp->err, "element content runs past its end at chunk offset 0x%x", *pos);
                        return -EBADMSG;
                }
                t = d[*pos];
                switch (t & (uint8_t) ~BX_MORE) {
                case BX_OPEN_START:
                        r = compile_element(cp, pos, end, depth + 1);
                        break;
                case BX_END_ELEMENT:
                        *pos += 1;
                        return 0;
                case BX_CDATA:
                        *pos += 1;
                        r = compile_text(cp, pos, end, OP_CDATA);
                        break;
                case BX_PI_TARGET:
                        r = compile_pi(cp, pos, end);
                        break;
                default:
                        if (!is_piece_token(t)) {
                                evtx_err(cp->err, "unexpected token 0x%02x in element content at chunk offset 0x%x", t,
                                         *pos);
                                return -EBADMSG;
                        }
                        r = compile_piece(cp, pos, end);
                }
                if (r < 0)
                        return r;
        }
}

/* Lists, after the element at index i has been compiled, the substitutions of its own content
 * (not of its attributes nor of its children): those decide whether it is left out or repeated. */
static int collect_content_substs(Compiler *cp, uint32_t i) {
        EvtxWorker *w = cp->w;
        uint32_t j = i + 1, first = (uint32_t) w->n_substs;

        while (j < w->ops[i].c && w->ops[j].kind == OP_ATTRIBUTE)
                j = w->ops[j].c;
        while (j < w->ops[i].c) {
                if (w->ops[j].kind == OP_ELEMENT) {
                        j = w->ops[j].c + 1;
                        continue;
                }
                if (w->ops[j].kind == OP_SUBST) {
                        if (ARRAY_GROW(w->substs, w->a_substs, w->n_substs + 1) < 0)
                                return -ENOMEM;
                        w->substs[w->n_substs++] = j;
                }
                j++;
        }
        w->ops[i].d = first;
        w->ops[i].e = (uint32_t) w->n_substs - first;
        return 0;
}

static int compile_element(Compiler *cp, uint32_t *pos, uint32_t end, int depth) {
        const uint8_t *d = cp->c->data;
        EvtxOp op = { .kind = OP_ELEMENT };
        uint32_t index, start = *pos, n_attrs = 0;
        bool dep = cp->in_template;
        uint8_t t = d[*pos];
        int r;

        if (depth > EVDIAG_MAX_EVTX_DEPTH) {
                evtx_err(cp->err, "elements nested deeper than %d at chunk offset 0x%x", EVDIAG_MAX_EVTX_DEPTH, *pos);
                return -E2BIG;
        }
        /* Template definitions carry a dependency id in every element start; elements written
         * directly in a record (forwarded events) do not. A layout that does not hold together
         * makes us try the other. */
        if (!element_layout_ok(cp, start, end, dep) && element_layout_ok(cp, start, end, !dep))
                dep = !dep;
        if (end - *pos < 1 + (dep ? 2u : 0u) + 4) {
                evtx_err(cp->err, "element start cut at chunk offset 0x%x", start);
                return -EBADMSG;
        }
        *pos += 1 + (dep ? 2 : 0) + 4;          /* token, dependency id, byte length */
        r = compile_name(cp, pos, end, &op);
        if (r < 0)
                return r;
        r = push_op(cp, &op, &index);
        if (r < 0)
                return r;

        if (t & BX_MORE) {
                if (end - *pos < 4) {
                        evtx_err(cp->err, "attribute list cut at chunk offset 0x%x", *pos);
                        return -EBADMSG;
                }
                *pos += 4;      /* its byte length: the tokens say where it ends */
                while (*pos < end && (d[*pos] & (uint8_t) ~BX_MORE) == BX_ATTRIBUTE) {
                        EvtxOp a = { .kind = OP_ATTRIBUTE };
                        uint32_t ai;

                        if (++n_attrs > EVDIAG_MAX_EVTX_ATTRIBUTES) {
                                evtx_err(cp->err, "element with more than %d attributes at chunk offset 0x%x",
                                         EVDIAG_MAX_EVTX_ATTRIBUTES, start);
                                return -E2BIG;
                        }
                        *pos += 1;
                        r = compile_name(cp, pos, end, &a);
                        if (r < 0)
                                return r;
                        /* Twice the same attribute is no XML: the first one stands. */
                        for (uint32_t j = index + 1; j < cp->w->n_ops; j = cp->w->ops[j].c) {
                                const EvtxOp *o = &cp->w->ops[j];

                                if (o->name_len == a.name_len &&
                                    memcmp(cp->w->pool.data + o->name, cp->w->pool.data + a.name, a.name_len) == 0)
                                        a.flags |= OPF_DUPLICATE;
                        }
                        r = push_op(cp, &a, &ai);
                        if (r < 0)
                                return r;
                        while (*pos < end && is_piece_token(d[*pos])) {
                                r = compile_piece(cp, pos, end);
                                if (r < 0)
                                        return r;
                        }
                        cp->w->ops[ai].c = (uint32_t) cp->w->n_ops;
                }
        }

        if (*pos >= end) {
                evtx_err(cp->err, "element start at chunk offset 0x%x is not closed", start);
                return -EBADMSG;
        }
        switch (d[*pos]) {
        case BX_CLOSE_EMPTY:
                *pos += 1;
                break;
        case BX_CLOSE_START:
                *pos += 1;
                r = compile_content(cp, pos, end, depth);
                if (r < 0)
                        return r;
                break;
        default:
                evtx_err(cp->err, "unexpected token 0x%02x in element start at chunk offset 0x%x", d[*pos], *pos);
                return -EBADMSG;
        }

        r = push_op(cp, &(EvtxOp) { .kind = OP_END, .name = op.name, .name_len = op.name_len, .name_id = op.name_id },
                    NULL);
        if (r < 0)
                return r;
        cp->w->ops[index].c = (uint32_t) cp->w->n_ops - 1;
        return collect_content_substs(cp, index);
}

/* Packs the compile scratch into one allocation. */
static int template_pack(EvtxWorker *w, EvtxTemplate **ret) {
        size_t ops = w->n_ops * sizeof(EvtxOp), ext = w->n_ext * sizeof(EvtxExtName),
               substs = w->n_substs * sizeof(uint32_t), pool = w->pool.len + 1, total;
        EvtxTemplate *t;
        uint8_t *p;

        total = sizeof(EvtxTemplate) + ops + ext + substs + pool;
        p = malloc(total);
        if (!p)
                return -ENOMEM;
        t = (EvtxTemplate *) p;
        *t = (EvtxTemplate) { .n_ops = (uint32_t) w->n_ops, .n_ext = (uint32_t) w->n_ext, .mem = total };
        p += sizeof(EvtxTemplate);
        if (ops)
                memcpy(p, w->ops, ops);
        t->ops = (const EvtxOp *) p;
        p += ops;
        if (ext)
                memcpy(p, w->ext, ext);
        t->ext = (const EvtxExtName *) p;
        p += ext;
        if (substs)
                memcpy(p, w->substs, substs);
        t->content_substs = (const uint32_t *) p;
        p += substs;
        if (w->pool.len)
                memcpy(p, w->pool.data, w->pool.len);
        p[w->pool.len] = 0;
        t->pool = (const char *) p;
        *ret = t;
        return 0;
}

static void compile_reset(EvtxWorker *w) {
        w->n_ops = w->n_substs = w->n_ext = 0;
        strbuf_reset(&w->pool);
        memset(w->names, 0, sizeof(w->names));
        w->compiled++;
}

/* Compiles the template definition at chunk offset def. */
static int template_compile(EvtxWorker *w, const EvtxChunk *c, uint32_t def, uint32_t body_size,
                            EvtxTemplate **ret, EvtxErr *err) {
        uint32_t pos = def + TEMPLATE_HEADER_SIZE, end = pos + body_size;
        Compiler cp = {
                .w = w,
                .c = c,
                .own_lo = def,
                .own_hi = end,
                .in_template = true,
                .err = err,
        };
        const uint8_t *d = c->data;
        int r;

        compile_reset(w);
        if (end - pos >= 4 && d[pos] == BX_FRAGMENT_HEADER)
                pos += 4;
        if (pos >= end || (d[pos] & (uint8_t) ~BX_MORE) != BX_OPEN_START) {
                evtx_err(err, "template definition at chunk offset 0x%x holds no element", def);
                return -EBADMSG;
        }
        r = compile_element(&cp, &pos, end, 1);
        if (r < 0)
                return r;
        return template_pack(w, ret);
}

/* Compiles BinXML written without a template (an element or a PI) at *pos. */
static int raw_compile(EvtxWorker *w, const EvtxChunk *c, uint32_t *pos, uint32_t end, int depth,
                       EvtxTemplate **ret, EvtxErr *err) {
        Compiler cp = { .w = w, .c = c, .in_template = false, .err = err };
        int r;

        compile_reset(w);
        if ((c->data[*pos] & (uint8_t) ~BX_MORE) == BX_OPEN_START)
                r = compile_element(&cp, pos, end, depth);
        else
                r = compile_pi(&cp, pos, end);
        if (r < 0)
                return r;
        return template_pack(w, ret);
}

static bool template_ext_valid(const EvtxTemplate *t, const EvtxChunk *c) {
        for (uint32_t i = 0; i < t->n_ext; i++) {
                const EvtxExtName *e = &t->ext[i];

                if (e->offset > c->size || c->size - e->offset < e->size ||
                    hash_bytes(c->data + e->offset, e->size) != e->hash)
                        return false;
        }
        return true;
}

/* Stands in the chunk's table for a definition that could not be compiled. */
static EvtxTemplate template_failed;

static void template_remember(EvtxWorker *w, uint32_t slot, uint32_t def, EvtxTemplate *t) {
        for (uint32_t probe = 0;; probe++) {
                uint32_t i = (slot + probe) % EVTX_CHUNK_TPL_SLOTS;

                if (!w->chunk_tpl[i].t) {
                        w->chunk_tpl[i] = (EvtxTplSlot) { .offset = def, .t = t };
                        w->chunk_tpl_used[w->n_chunk_tpl++] = i;
                        return;
                }
        }
}

/* The compiled template whose definition lies at chunk offset def: from this chunk's table,
 * from the cache, or compiled now. */
static int template_get(EvtxWorker *w, const EvtxChunk *c, uint32_t def, EvtxTemplate **ret, EvtxErr *err) {
        const uint8_t *d = c->data;
        uint32_t slot = (def * 2654435761u) % EVTX_CHUNK_TPL_SLOTS, body_size;
        EvtxTemplate *t;
        uint64_t h;
        size_t bucket;
        int r;

        for (uint32_t probe = 0; probe < EVTX_CHUNK_TPL_SLOTS; probe++) {
                EvtxTplSlot *s = &w->chunk_tpl[(slot + probe) % EVTX_CHUNK_TPL_SLOTS];

                if (!s->t)
                        break;
                if (s->offset == def) {
                        if (s->t == &template_failed) {
                                evtx_err(err, "template definition at chunk offset 0x%x cannot be read "
                                         "(see the first record that uses it)", def);
                                return -EBADMSG;
                        }
                        *ret = s->t;
                        return 0;
                }
        }
        if (w->n_chunk_tpl >= EVDIAG_MAX_EVTX_CHUNK_TEMPLATES) {
                evtx_err(err, "more than %d template definitions in one chunk", EVDIAG_MAX_EVTX_CHUNK_TEMPLATES);
                return -E2BIG;
        }
        if (def > c->size || c->size - def < TEMPLATE_HEADER_SIZE) {
                evtx_err(err, "template definition at chunk offset 0x%x lies outside the chunk", def);
                return -EBADMSG;
        }
        body_size = le32(d + def + 20);
        if (body_size > c->size - def - TEMPLATE_HEADER_SIZE) {
                evtx_err(err, "template definition at chunk offset 0x%x runs past the chunk", def);
                return -EBADMSG;
        }
        h = hash_bytes(d + def + TEMPLATE_HEADER_SIZE, body_size);
        bucket = (size_t) ((h ^ le64(d + def + 4) ^ def) % EVTX_CACHE_BUCKETS);
        for (t = w->cache[bucket]; t; t = t->next)
                if (t->def_offset == def && t->body_size == body_size && t->hash == h &&
                    memcmp(t->guid, d + def + 4, 16) == 0 && template_ext_valid(t, c))
                        break;
        if (t) {
                /* As if compiled here: the same warnings and the same budget, cached or not. */
                w->bad.utf16 += t->bad_utf16;
                w->chunk_budget.bytes += t->name_bytes;
                if (w->chunk_budget.bytes > EVDIAG_MAX_EVTX_CHUNK_OUTPUT) {
                        evtx_err(err, "chunk expands past the caps of one chunk (%d bytes)", EVDIAG_MAX_EVTX_CHUNK_OUTPUT);
                        template_remember(w, slot, def, &template_failed);
                        return -E2BIG;
                }
        } else {
                uint64_t bytes_before = w->chunk_budget.bytes;
                size_t bad_before = w->bad.utf16;

                r = template_compile(w, c, def, body_size, &t, err);
                if (r < 0) {
                        /* Remembered, so that the records using it fail at once. */
                        template_remember(w, slot, def, &template_failed);
                        return r;
                }
                memcpy(t->guid, d + def + 4, 16);
                t->name_bytes = w->chunk_budget.bytes - bytes_before;
                t->bad_utf16 = w->bad.utf16 - bad_before;
                t->def_offset = def;
                t->body_size = body_size;
                t->hash = h;
                t->next = w->cache[bucket];
                w->cache[bucket] = t;
                w->cache_mem += t->mem;
        }
        template_remember(w, slot, def, t);
        *ret = t;
        return 0;
}

/* --- The walk --------------------------------------------------------------------------- */

typedef struct Walk {
        EvtxWorker *w;
        const EvtxChunk *c;
        const EvtxSax *sax;
        void *u;
        EvtxErr *err;
} Walk;

static int charge(Walk *k, uint64_t steps, uint64_t bytes) {
        EvtxBudget *r = &k->w->record_budget, *c = &k->w->chunk_budget;

        r->steps += steps;
        r->bytes += bytes;
        c->steps += steps;
        c->bytes += bytes;
        if (r->steps > EVDIAG_MAX_EVTX_RECORD_STEPS || r->bytes > EVDIAG_MAX_EVTX_RECORD_OUTPUT) {
                evtx_err(k->err, "record expands past the caps of one record (%d tokens, %d bytes)",
                         EVDIAG_MAX_EVTX_RECORD_STEPS, EVDIAG_MAX_EVTX_RECORD_OUTPUT);
                return -E2BIG;
        }
        if (c->steps > EVDIAG_MAX_EVTX_CHUNK_STEPS || c->bytes > EVDIAG_MAX_EVTX_CHUNK_OUTPUT) {
                evtx_err(k->err, "chunk expands past the caps of one chunk (%d tokens, %d bytes)",
                         EVDIAG_MAX_EVTX_CHUNK_STEPS, EVDIAG_MAX_EVTX_CHUNK_OUTPUT);
                return -E2BIG;
        }
        return 0;
}

/* The value a substitution refers to, NULL when the instance has fewer values (then it is
 * treated as a NULL value, as an optional one would be). */
static const EvtxValue *subst_value(const Walk *k, size_t base, size_t n, uint32_t index) {
        return index < n ? &k->w->values[base + index] : NULL;
}

static bool subst_is_null(const Walk *k, size_t base, size_t n, uint32_t index) {
        const EvtxValue *v = subst_value(k, base, n, index);

        return !v || v->type == VT_NULL;
}

static int emit_scalar(Walk *k, const EvtxValue *v, bool in_attr, int depth) {
        int r = charge(k, 1, v->size);

        if (r < 0)
                return r;
        if (v->type == VT_BINXML) {
                /* An element tree cannot sit in an attribute value: left out there. */
                if (in_attr || v->size == 0)
                        return 0;
                return evtx_walk_document(k->w, k->c, v->offset, v->size, depth + 1, k->sax, k->u, k->err);
        }
        return k->sax->value(k->u, v);
}

static int emit_subst(Walk *k, const EvtxOp *op, size_t base, size_t n, bool in_attr, int depth,
                      uint32_t array_index, const EvtxValue *item) {
        const EvtxValue *v = subst_value(k, base, n, op->a);
        EvtxValue copy;
        int r;

        if (!v || v->type == VT_NULL)
                return 0;
        if (op->a == array_index)
                return item ? emit_scalar(k, item, in_attr, depth) : 0;
        if (v->type & VT_ARRAY) {
                EvtxArrayIter it;
                EvtxValue one;
                bool first = true;

                /* An array outside the content it repeats (an attribute, a second array): its
                 * items in one text. */
                copy = *v;
                evtx_array_begin(&it, &copy);
                while (evtx_array_next(&it, &one)) {
                        if (!first) {
                                r = k->sax->text(k->u, ", ", 2);
                                if (r < 0)
                                        return r;
                        }
                        first = false;
                        r = emit_scalar(k, &one, in_attr, depth);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        copy = *v;      /* the value stack may move during a nested walk */
        return emit_scalar(k, &copy, in_attr, depth);
}

static int emit_piece(Walk *k, const EvtxTemplate *t, const EvtxOp *op, size_t base, size_t n, bool in_attr,
                      int depth, uint32_t array_index, const EvtxValue *item) {
        EvtxName name;
        int r;

        switch (op->kind) {
        case OP_TEXT:
                r = charge(k, 1, op->b);
                return r < 0 ? r : k->sax->text(k->u, t->pool + op->a, op->b);
        case OP_CDATA:
                r = charge(k, 1, op->b);
                return r < 0 ? r : k->sax->cdata(k->u, t->pool + op->a, op->b);
        case OP_CHARREF:
                r = charge(k, 1, 8);
                return r < 0 ? r : k->sax->charref(k->u, op->a);
        case OP_ENTITYREF:
                name = (EvtxName) { t->pool + op->name, op->name_len, op->name_id };
                r = charge(k, 1, op->name_len);
                return r < 0 ? r : k->sax->entityref(k->u, &name);
        case OP_PI:
                name = (EvtxName) { t->pool + op->name, op->name_len, op->name_id };
                r = charge(k, 1, op->name_len + op->b);
                return r < 0 ? r : k->sax->pi(k->u, &name, t->pool + op->a, op->b);
        case OP_SUBST:
                return emit_subst(k, op, base, n, in_attr, depth, array_index, item);
        default:
                evtx_err(k->err, "compiled template is inconsistent");
                return -EBADMSG;
        }
}

static int walk_element(Walk *k, const EvtxTemplate *t, uint32_t i, size_t base, size_t n, int depth,
                        uint32_t *ret_next);

/* One rendering of the element at index i; item is the item of the array that repeats it. */
static int emit_element(Walk *k, const EvtxTemplate *t, uint32_t i, size_t base, size_t n, int depth,
                        uint32_t array_index, const EvtxValue *item) {
        const EvtxOp *op = &t->ops[i];
        EvtxName name = { t->pool + op->name, op->name_len, op->name_id };
        uint32_t j = i + 1;
        int r;

        r = charge(k, 1, op->name_len);
        if (r < 0)
                return r;
        r = k->sax->start(k->u, &name);
        if (r < 0)
                return r;
        while (j < op->c && t->ops[j].kind == OP_ATTRIBUTE) {
                const EvtxOp *a = &t->ops[j];
                EvtxName an = { t->pool + a->name, a->name_len, a->name_id };
                bool omit = false;

                /* An optional substitution that is NULL takes its attribute away. */
                if (a->flags & OPF_DUPLICATE)
                        omit = true;
                for (uint32_t m = j + 1; m < a->c; m++)
                        if (t->ops[m].kind == OP_SUBST && (t->ops[m].flags & OPF_OPTIONAL) &&
                            subst_is_null(k, base, n, t->ops[m].a))
                                omit = true;
                if (!omit) {
                        r = charge(k, 1, a->name_len);
                        if (r < 0)
                                return r;
                        r = k->sax->attr_start(k->u, &an);
                        for (uint32_t m = j + 1; r >= 0 && m < a->c; m++)
                                r = emit_piece(k, t, &t->ops[m], base, n, true, depth, UINT32_MAX, NULL);
                        if (r >= 0)
                                r = k->sax->attr_end(k->u);
                        if (r < 0)
                                return r;
                }
                j = a->c;
        }
        r = k->sax->start_done(k->u);
        if (r < 0)
                return r;
        while (j < op->c) {
                if (t->ops[j].kind == OP_ELEMENT)
                        r = walk_element(k, t, j, base, n, depth + 1, &j);
                else
                        r = emit_piece(k, t, &t->ops[j++], base, n, false, depth, array_index, item);
                if (r < 0)
                        return r;
        }
        return k->sax->end(k->u, &name);
}

static int walk_element(Walk *k, const EvtxTemplate *t, uint32_t i, size_t base, size_t n, int depth,
                        uint32_t *ret_next) {
        const EvtxOp *op = &t->ops[i];
        uint32_t array_index = UINT32_MAX;
        const EvtxValue *array = NULL;
        int r;

        if (depth > EVDIAG_MAX_EVTX_DEPTH) {
                evtx_err(k->err, "BinXML nested deeper than %d", EVDIAG_MAX_EVTX_DEPTH);
                return -E2BIG;
        }
        *ret_next = op->c + 1;
        for (uint32_t s = 0; s < op->e; s++) {
                const EvtxOp *so = &t->ops[t->content_substs[op->d + s]];
                const EvtxValue *v;

                /* An optional substitution that is NULL takes its element away. */
                if ((so->flags & OPF_OPTIONAL) && subst_is_null(k, base, n, so->a))
                        return 0;
                v = subst_value(k, base, n, so->a);
                if (!array && v && (v->type & VT_ARRAY)) {
                        array = v;
                        array_index = so->a;
                }
        }
        if (!array)
                return emit_element(k, t, i, base, n, depth, UINT32_MAX, NULL);

        /* The element repeats once per item of the array in its content; an empty array
         * still gives one empty element. */
        EvtxValue copy = *array, item;
        EvtxArrayIter it;
        bool any = false;

        evtx_array_begin(&it, &copy);
        while (evtx_array_next(&it, &item)) {
                any = true;
                r = emit_element(k, t, i, base, n, depth, array_index, &item);
                if (r < 0)
                        return r;
        }
        if (!any)
                return emit_element(k, t, i, base, n, depth, array_index, NULL);
        return 0;
}

/* Runs a compiled template (or raw BinXML) against the values [base, base + n) of the stack. */
static int walk_template(Walk *k, const EvtxTemplate *t, size_t base, size_t n, int depth) {
        uint32_t i = 0;
        int r;

        while (i < t->n_ops) {
                if (t->ops[i].kind == OP_ELEMENT)
                        r = walk_element(k, t, i, base, n, depth, &i);
                else
                        r = emit_piece(k, t, &t->ops[i++], base, n, false, depth, UINT32_MAX, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int walk_instance(Walk *k, uint32_t *pos, uint32_t end, int depth) {
        EvtxWorker *w = k->w;
        const uint8_t *d = k->c->data;
        uint32_t def, count, p, data;
        EvtxTemplate *t;
        size_t base;
        int r;

        if (end - *pos < INSTANCE_HEADER_SIZE) {
                evtx_err(k->err, "template instance cut at chunk offset 0x%x", *pos);
                return -EBADMSG;
        }
        def = le32(d + *pos + 6);
        p = *pos + INSTANCE_HEADER_SIZE;
        r = template_get(w, k->c, def, &t, k->err);
        if (r < 0)
                return r;
        if (def == p) {
                /* Defined right here: the values follow the definition. */
                if (end - p < TEMPLATE_HEADER_SIZE || end - p - TEMPLATE_HEADER_SIZE < t->body_size) {
                        evtx_err(k->err, "template definition at chunk offset 0x%x runs past its record", def);
                        return -EBADMSG;
                }
                p += TEMPLATE_HEADER_SIZE + t->body_size;
        }

        if (end - p < 4) {
                evtx_err(k->err, "template instance values cut at chunk offset 0x%x", p);
                return -EBADMSG;
        }
        count = le32(d + p);
        p += 4;
        if (count > EVDIAG_MAX_EVTX_SUBSTITUTIONS) {
                evtx_err(k->err, "template instance with %u values, more than %d", count, EVDIAG_MAX_EVTX_SUBSTITUTIONS);
                return -E2BIG;
        }
        if ((end - p) / 4 < count) {
                evtx_err(k->err, "template instance value descriptors cut at chunk offset 0x%x", p);
                return -EBADMSG;
        }
        base = w->n_values;
        if (ARRAY_GROW(w->values, w->a_values, base + count) < 0)
                return -ENOMEM;
        data = p + 4 * count;
        for (uint32_t i = 0; i < count; i++) {
                uint32_t size = le16(d + p + 4 * i);

                if (end - data < size) {
                        evtx_err(k->err, "template instance value %u runs past its end at chunk offset 0x%x", i, data);
                        return -EBADMSG;
                }
                w->values[base + i] = (EvtxValue) {
                        .type = d[p + 4 * i + 2],
                        .data = d + data,
                        .size = size,
                        .offset = data,
                };
                data += size;
        }
        w->n_values = base + count;
        r = walk_template(k, t, base, count, depth);
        w->n_values = base;
        if (r < 0)
                return r;
        *pos = data;
        return 0;
}

int evtx_walk_document(EvtxWorker *w, const EvtxChunk *c, uint32_t off, uint32_t n, int depth,
                       const EvtxSax *sax, void *u, EvtxErr *err) {
        Walk k = { .w = w, .c = c, .sax = sax, .u = u, .err = err };
        uint32_t pos = off, end;
        int r;

        if (depth > EVDIAG_MAX_EVTX_DEPTH) {
                evtx_err(err, "BinXML nested deeper than %d", EVDIAG_MAX_EVTX_DEPTH);
                return -E2BIG;
        }
        if (off > c->size || c->size - off < n) {
                evtx_err(err, "BinXML at chunk offset 0x%x runs past the chunk", off);
                return -EBADMSG;
        }
        end = off + n;
        while (pos < end) {
                uint8_t t = c->data[pos];
                EvtxTemplate *raw = NULL;

                switch (t & (uint8_t) ~BX_MORE) {
                case BX_EOF:
                        return 0;
                case BX_FRAGMENT_HEADER:
                        if (end - pos < 4) {
                                evtx_err(err, "fragment header cut at chunk offset 0x%x", pos);
                                return -EBADMSG;
                        }
                        pos += 4;
                        continue;
                case BX_TEMPLATE_INSTANCE:
                        r = walk_instance(&k, &pos, end, depth);
                        break;
                case BX_OPEN_START:
                case BX_PI_TARGET:
                        r = raw_compile(w, c, &pos, end, depth, &raw, err);
                        if (r >= 0)
                                r = walk_template(&k, raw, 0, 0, depth);
                        free(raw);
                        break;
                default:
                        evtx_err(err, "unexpected token 0x%02x at chunk offset 0x%x", t, pos);
                        return -EBADMSG;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}
