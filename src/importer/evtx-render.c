/* SPDX-License-Identifier: MIT */
/* What a record's walk feeds:
 *   - the Event builder: picks the System values and the EventData / UserData fields straight
 *     from the walk (typed values taken as they are, no XML text in between), for the import
 *     and for the JSON lines of `evdiag dump`;
 *   - the XML writer: the record's XML as Windows renders it, indented.
 * Which elements become which fields mirrors the XML export parser (xml-export.c), so that a
 * record read here and the same record read from an export of it give the same row. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bytes.h"
#include "base/datetime.h"
#include "base/json.h"
#include "base/utf.h"
#include "evtx-internal.h"

static uint32_t batch_str(EvtxBatch *b, const char *s, size_t n) {
        uint32_t off = (uint32_t) b->strings.sb.len;

        evtx_buf_put(&b->strings, s, n);
        evtx_buf_putc(&b->strings, 0);
        return b->strings.error < 0 ? EVTX_NO_STR : off;
}

static void trim_blanks(const char **s, size_t *n) {
        while (*n > 0 && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n')) {
                (*s)++;
                (*n)--;
        }
        while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
                          (*s)[*n - 1] == '\n'))
                (*n)--;
}

static bool parse_decimal(const char *s, size_t n, uint64_t *ret) {
        uint64_t v = 0;

        trim_blanks(&s, &n);
        if (n == 0 || n > 20)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                if (v > (UINT64_MAX - (uint64_t) (s[i] - '0')) / 10)
                        return false;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        *ret = v;
        return true;
}

/* An unsigned integer value as a number; false for other types or a negative one. */
static bool value_number(const EvtxValue *v, uint64_t *ret) {
        const uint8_t *d = v->data;

        switch (v->type) {
        case VT_UINT8:
                if (v->size < 1)
                        return false;
                *ret = d[0];
                return true;
        case VT_UINT16:
                if (v->size < 2)
                        return false;
                *ret = le16(d);
                return true;
        case VT_UINT32:
        case VT_HEXINT32:
                if (v->size < 4)
                        return false;
                *ret = le32(d);
                return true;
        case VT_UINT64:
        case VT_HEXINT64:
                if (v->size < 8)
                        return false;
                *ret = le64(d);
                return true;
        case VT_SIZET:
                if (v->size == 4)
                        *ret = le32(d);
                else if (v->size == 8)
                        *ret = le64(d);
                else
                        return false;
                return true;
        case VT_INT8:
                if (v->size < 1 || (int8_t) d[0] < 0)
                        return false;
                *ret = d[0];
                return true;
        case VT_INT16:
                if (v->size < 2 || (int16_t) le16(d) < 0)
                        return false;
                *ret = le16(d);
                return true;
        case VT_INT32:
                if (v->size < 4 || (int32_t) le32(d) < 0)
                        return false;
                *ret = le32(d);
                return true;
        case VT_INT64:
                if (v->size < 8 || (int64_t) le64(d) < 0)
                        return false;
                *ret = le64(d);
                return true;
        default:
                return false;
        }
}

/* --- The Event builder ------------------------------------------------------------------ */

typedef enum Section {
        SECTION_NONE,
        SECTION_SYSTEM,
        SECTION_EVENT_DATA,
        SECTION_USER_DATA,
} Section;

typedef enum Capture {
        CAP_NONE,
        CAP_EVENT_ID,
        CAP_VERSION,
        CAP_LEVEL,
        CAP_TASK,
        CAP_OPCODE,
        CAP_RECORD_ID,
        CAP_KEYWORDS,
        CAP_CHANNEL,
        CAP_COMPUTER,
        CAP_DATA,
        CAP_BINARY,
        CAP_USER_DATA,
        /* attributes */
        CAP_PROVIDER_NAME,
        CAP_PROVIDER_GUID,
        CAP_SOURCE_NAME,
        CAP_QUALIFIERS,
        CAP_SYSTEM_TIME,
        CAP_ACTIVITY_ID,
        CAP_PROCESS_ID,
        CAP_THREAD_ID,
        CAP_USER_ID,
        CAP_DATA_NAME,
} Capture;

/* Text being gathered: of an element (at one depth) or of an attribute. A capture that is one
 * value and nothing else keeps the value, so that numbers and times need no text at all. */
typedef struct Gather {
        Capture what;
        int depth;
        EvtxBuf *buf;
        unsigned pieces;
        bool single;                    /* value holds the only piece */
        EvtxValue value;
} Gather;

typedef struct Builder {
        EvtxWorker *w;
        EvtxBatch *b;
        EvtxRecordOut *rec;
        EvtxStyle style;
        /* Only <EventID>, for the XML writer: whether a record is taken must not depend on the
         * output, and the row needs an event id (see record_check()). */
        bool probe;
        /* What formatting the captures finds wrong is not counted: the record's counts come from
         * evtx_value_check() on every value the walk hands over, captured or not. */
        EvtxBad fmt_bad;
        int depth;
        Section section;
        uint8_t element;                /* name id of the element whose attributes come */
        Gather el, at;
        bool in_attr;
        uint32_t pending_name;          /* @Name of the <Data> being gathered */
        uint32_t source_name;
        bool event_id_seen, has_time, fields_dropped, cut;
        uint64_t chunk_offset;
} Builder;

static void gather_begin(Gather *g, Capture what, int depth, EvtxBuf *buf) {
        g->what = what;
        g->depth = depth;
        g->buf = buf;
        g->pieces = 0;
        g->single = false;
        evtx_buf_reset(buf);
}

/* Turns a kept value into text: a second piece came. */
static void gather_flatten(Builder *bl, Gather *g) {
        if (g->single) {
                evtx_value_format(g->buf, &g->value, bl->style, &bl->fmt_bad);
                g->single = false;
        }
}

static void gather_value(Builder *bl, Gather *g, const EvtxValue *v) {
        if (g->pieces++ == 0) {
                g->value = *v;
                g->single = true;
                return;
        }
        gather_flatten(bl, g);
        evtx_value_format(g->buf, v, bl->style, &bl->fmt_bad);
}

static void gather_text(Builder *bl, Gather *g, const char *s, size_t n) {
        gather_flatten(bl, g);
        g->pieces++;
        evtx_buf_put(g->buf, s, n);
}

/* The gathered text (a kept value rendered now). The capture's buffer holds it, NUL-terminated. */
static const char *gather_str(Builder *bl, Gather *g, size_t *ret_n) {
        gather_flatten(bl, g);
        if (g->buf->error == -E2BIG) {
                bl->cut = true;
                g->buf->error = 0;
        }
        *ret_n = g->buf->sb.len;
        return g->buf->sb.data ? g->buf->sb.data : "";
}

static Gather *active(Builder *bl) {
        if (bl->in_attr)
                return bl->at.what != CAP_NONE ? &bl->at : NULL;
        if (bl->el.what != CAP_NONE && bl->el.depth == bl->depth)
                return &bl->el;
        return NULL;
}

static uint32_t gather_store(Builder *bl, Gather *g, bool trim, bool empty_absent) {
        size_t n;
        const char *s = gather_str(bl, g, &n);

        if (trim)
                trim_blanks(&s, &n);
        if (n == 0 && empty_absent)
                return EVTX_NO_STR;
        return batch_str(bl->b, s, n);
}

static void set_number(Builder *bl, Gather *g, int64_t *field, uint64_t max) {
        uint64_t v;
        size_t n;
        const char *s;

        if (g->single && value_number(&g->value, &v)) {
                *field = v <= max ? (int64_t) v : EVENT_NO_VALUE;
                return;
        }
        s = gather_str(bl, g, &n);
        *field = parse_decimal(s, n, &v) && v <= max ? (int64_t) v : EVENT_NO_VALUE;
}

static void add_field(Builder *bl, uint32_t name, uint32_t value) {
        EvtxBatch *b = bl->b;

        if (value == EVTX_NO_STR)
                return;
        if (bl->rec->n_fields >= EVDIAG_MAX_EVENT_FIELDS) {
                bl->fields_dropped = true;
                return;
        }
        if (ARRAY_GROW(b->fields, b->a_fields, b->n_fields + 1) < 0) {
                b->strings.error = -ENOMEM;
                return;
        }
        b->fields[b->n_fields++] = (EvtxFieldOut) { .name = name, .value = value };
        bl->rec->n_fields++;
}

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static void set_binary(Builder *bl, Gather *g) {
        EvtxRecordOut *rec = bl->rec;
        EvtxBuf *s = &bl->b->strings;
        const char *t;
        size_t n;
        char *p;

        rec->binary = EVTX_NO_STR;
        rec->binary_size = 0;
        if (g->single && g->value.type == VT_BINARY) {
                if (g->value.size == 0 || g->value.size > EVDIAG_MAX_BINARY)
                        return;
                rec->binary = (uint32_t) s->sb.len;
                evtx_buf_put(s, (const char *) g->value.data, g->value.size);
                rec->binary_size = g->value.size;
                return;
        }
        t = gather_str(bl, g, &n);
        trim_blanks(&t, &n);
        if (n == 0 || n % 2 != 0 || n / 2 > EVDIAG_MAX_BINARY)
                return;
        p = evtx_buf_reserve(s, n / 2);
        if (!p)
                return;
        for (size_t i = 0; i < n; i += 2) {
                int hi = hex_digit(t[i]), lo = hex_digit(t[i + 1]);

                if (hi < 0 || lo < 0)
                        return;
                p[i / 2] = (char) (hi << 4 | lo);
        }
        rec->binary = (uint32_t) s->sb.len;
        evtx_buf_commit(s, n / 2);
        rec->binary_size = (uint32_t) (n / 2);
}

static void element_done(Builder *bl, Gather *g, const EvtxName *name) {
        EvtxRecordOut *rec = bl->rec;
        uint64_t v;
        size_t n;
        const char *s;

        switch (g->what) {
        case CAP_EVENT_ID:
                bl->event_id_seen = true;
                if (g->single && value_number(&g->value, &v))
                        rec->event_id = (int64_t) (v & 0xFFFF);
                else {
                        s = gather_str(bl, g, &n);
                        rec->event_id = parse_decimal(s, n, &v) && v <= UINT16_MAX ? (int64_t) v : EVENT_NO_VALUE;
                }
                break;
        case CAP_VERSION:
                set_number(bl, g, &rec->version, UINT8_MAX);
                break;
        case CAP_LEVEL:
                set_number(bl, g, &rec->level, UINT8_MAX);
                break;
        case CAP_TASK:
                set_number(bl, g, &rec->task, UINT16_MAX);
                break;
        case CAP_OPCODE:
                set_number(bl, g, &rec->opcode, UINT8_MAX);
                break;
        case CAP_RECORD_ID:
                set_number(bl, g, &rec->event_record_id, INT64_MAX);
                break;
        case CAP_KEYWORDS:
                if (g->single && value_number(&g->value, &v)) {
                        rec->keywords = (uint32_t) bl->b->strings.sb.len;
                        evtx_format_hex(&bl->b->strings, v, 16);
                        evtx_buf_putc(&bl->b->strings, 0);
                } else
                        rec->keywords = gather_store(bl, g, true, true);
                break;
        case CAP_CHANNEL:
                rec->channel = gather_store(bl, g, true, true);
                break;
        case CAP_COMPUTER:
                rec->host = gather_store(bl, g, true, true);
                break;
        case CAP_DATA:
                add_field(bl, bl->pending_name, gather_store(bl, g, false, false));
                bl->pending_name = EVTX_NO_STR;
                break;
        case CAP_BINARY:
                set_binary(bl, g);
                break;
        case CAP_USER_DATA:
                /* Leaves right under the UserData wrapper are fields even when empty; deeper
                 * ones only when they say something (as the XML export parser reads them). */
                s = gather_str(bl, g, &n);
                if (bl->depth != 4 && n == 0)
                        break;
                add_field(bl, batch_str(bl->b, name->str, name->len), batch_str(bl->b, s, n));
                break;
        default:
                break;
        }
        g->what = CAP_NONE;
}

static void attribute_done(Builder *bl, Gather *g) {
        EvtxRecordOut *rec = bl->rec;
        uint64_t v;
        size_t n;
        const char *s;

        switch (g->what) {
        case CAP_PROVIDER_NAME:
                rec->provider = gather_store(bl, g, false, true);
                break;
        case CAP_PROVIDER_GUID:
                rec->provider_guid = gather_store(bl, g, false, true);
                break;
        case CAP_SOURCE_NAME:
                bl->source_name = gather_store(bl, g, false, true);
                break;
        case CAP_QUALIFIERS:
                set_number(bl, g, &rec->qualifiers, UINT16_MAX);
                break;
        case CAP_SYSTEM_TIME: {
                int64_t ticks;
                int digits;

                if (g->single && g->value.type == VT_FILETIME && g->value.size >= 8) {
                        if (evtx_filetime_ticks(le64(g->value.data), &ticks)) {
                                rec->time = ticks;
                                bl->has_time = true;
                        }
                        break;
                }
                s = gather_str(bl, g, &n);
                if (n > 0 && iso_parse_utc(s, n, &ticks, &digits) >= 0) {
                        rec->time = ticks;
                        bl->has_time = true;
                }
                break;
        }
        case CAP_ACTIVITY_ID:
                rec->activity_id = gather_store(bl, g, false, true);
                break;
        case CAP_PROCESS_ID:
                set_number(bl, g, &rec->process_id, UINT32_MAX);
                break;
        case CAP_THREAD_ID:
                set_number(bl, g, &rec->thread_id, UINT32_MAX);
                break;
        case CAP_USER_ID:
                rec->user = gather_store(bl, g, false, true);
                break;
        case CAP_DATA_NAME:
                bl->pending_name = gather_store(bl, g, false, false);
                break;
        default:
                break;
        }
        (void) v;
        g->what = CAP_NONE;
}

static int b_start(void *u, const EvtxName *name) {
        Builder *bl = u;

        bl->depth++;
        bl->element = name->id;
        /* A UserData element with a child is no leaf. */
        if (bl->el.what == CAP_USER_DATA)
                bl->el.what = CAP_NONE;
        if (bl->depth == 2) {
                bl->section = name->id == EN_SYSTEM       ? SECTION_SYSTEM
                              : name->id == EN_EVENT_DATA ? SECTION_EVENT_DATA
                              : name->id == EN_USER_DATA  ? SECTION_USER_DATA
                                                          : SECTION_NONE;
                return 0;
        }
        if (bl->depth < 3)
                return 0;
        switch (bl->section) {
        case SECTION_SYSTEM: {
                Capture what = CAP_NONE;

                if (bl->depth != 3)
                        break;
                if (bl->probe && name->id != EN_EVENT_ID)
                        break;
                switch (name->id) {
                case EN_EVENT_ID:
                        bl->rec->qualifiers = EVENT_NO_VALUE;
                        what = CAP_EVENT_ID;
                        break;
                case EN_VERSION:
                        what = CAP_VERSION;
                        break;
                case EN_LEVEL:
                        what = CAP_LEVEL;
                        break;
                case EN_TASK:
                        what = CAP_TASK;
                        break;
                case EN_OPCODE:
                        what = CAP_OPCODE;
                        break;
                case EN_EVENT_RECORD_ID:
                        what = CAP_RECORD_ID;
                        break;
                case EN_KEYWORDS:
                        what = CAP_KEYWORDS;
                        break;
                case EN_CHANNEL:
                        what = CAP_CHANNEL;
                        break;
                case EN_COMPUTER:
                        what = CAP_COMPUTER;
                        break;
                default:
                        break;
                }
                if (what != CAP_NONE)
                        gather_begin(&bl->el, what, bl->depth, &bl->w->capture);
                break;
        }
        case SECTION_EVENT_DATA:
                if (bl->depth != 3 || bl->probe)
                        break;
                if (name->id == EN_DATA) {
                        bl->pending_name = EVTX_NO_STR;
                        gather_begin(&bl->el, CAP_DATA, bl->depth, &bl->w->capture);
                } else if (name->id == EN_BINARY)
                        gather_begin(&bl->el, CAP_BINARY, bl->depth, &bl->w->capture);
                break;
        case SECTION_USER_DATA:
                if (!bl->probe)
                        gather_begin(&bl->el, CAP_USER_DATA, bl->depth, &bl->w->capture);
                break;
        case SECTION_NONE:
                break;
        }
        return 0;
}

static int b_attr_start(void *u, const EvtxName *name) {
        Builder *bl = u;
        Capture what = CAP_NONE;

        bl->in_attr = true;
        bl->at.what = CAP_NONE;
        if (bl->probe)
                return 0;
        if (bl->section == SECTION_SYSTEM && bl->depth == 3) {
                switch (bl->element) {
                case EN_PROVIDER:
                        what = name->id == EN_NAME                ? CAP_PROVIDER_NAME
                               : name->id == EN_GUID              ? CAP_PROVIDER_GUID
                               : name->id == EN_EVENT_SOURCE_NAME ? CAP_SOURCE_NAME
                                                                  : CAP_NONE;
                        break;
                case EN_EVENT_ID:
                        what = name->id == EN_QUALIFIERS ? CAP_QUALIFIERS : CAP_NONE;
                        break;
                case EN_TIME_CREATED:
                        what = name->id == EN_SYSTEM_TIME ? CAP_SYSTEM_TIME : CAP_NONE;
                        break;
                case EN_CORRELATION:
                        what = name->id == EN_ACTIVITY_ID ? CAP_ACTIVITY_ID : CAP_NONE;
                        break;
                case EN_EXECUTION:
                        what = name->id == EN_PROCESS_ID  ? CAP_PROCESS_ID
                               : name->id == EN_THREAD_ID ? CAP_THREAD_ID
                                                          : CAP_NONE;
                        break;
                case EN_SECURITY:
                        what = name->id == EN_USER_ID ? CAP_USER_ID : CAP_NONE;
                        break;
                default:
                        break;
                }
        } else if (bl->section == SECTION_EVENT_DATA && bl->depth == 3 && bl->element == EN_DATA &&
                   name->id == EN_NAME)
                what = CAP_DATA_NAME;
        if (what != CAP_NONE)
                gather_begin(&bl->at, what, bl->depth, &bl->w->attr);
        return 0;
}

static int b_attr_end(void *u) {
        Builder *bl = u;

        if (bl->at.what != CAP_NONE)
                attribute_done(bl, &bl->at);
        bl->in_attr = false;
        return 0;
}

static int b_start_done(void *u) {
        return 0;
}

static int b_end(void *u, const EvtxName *name) {
        Builder *bl = u;

        if (bl->el.what != CAP_NONE && bl->el.depth == bl->depth)
                element_done(bl, &bl->el, name);
        if (bl->depth == 2)
                bl->section = SECTION_NONE;
        if (bl->depth > 0)
                bl->depth--;
        return 0;
}

static int b_text(void *u, const char *s, size_t n) {
        Builder *bl = u;
        Gather *g = active(bl);

        if (g)
                gather_text(bl, g, s, n);
        return 0;
}

static int b_value(void *u, const EvtxValue *v) {
        Builder *bl = u;
        Gather *g = active(bl);

        if (!bl->probe)
                evtx_value_check(v, &bl->w->bad);
        if (g)
                gather_value(bl, g, v);
        return 0;
}

static int b_charref(void *u, uint32_t cp) {
        char s[4];

        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = UTF_REPLACEMENT;
        return b_text(u, s, utf8_encode(cp, s));
}

static int b_entityref(void *u, const EvtxName *name) {
        static const struct {
                const char *name, *text;
        } entities[] = {
                { "lt", "<" }, { "gt", ">" }, { "amp", "&" }, { "quot", "\"" }, { "apos", "'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(entities); i++)
                if (strcmp(name->str, entities[i].name) == 0)
                        return b_text(u, entities[i].text, 1);
        /* Not one XML predefines: kept as written. */
        b_text(u, "&", 1);
        b_text(u, name->str, name->len);
        return b_text(u, ";", 1);
}

static int b_cdata(void *u, const char *s, size_t n) {
        return b_text(u, s, n);
}

static int b_pi(void *u, const EvtxName *target, const char *s, size_t n) {
        return 0;
}

static const EvtxSax builder_sax = {
        .start = b_start,
        .attr_start = b_attr_start,
        .attr_end = b_attr_end,
        .start_done = b_start_done,
        .end = b_end,
        .text = b_text,
        .value = b_value,
        .charref = b_charref,
        .entityref = b_entityref,
        .cdata = b_cdata,
        .pi = b_pi,
};

/* --- The XML writer --------------------------------------------------------------------- */

#define XML_MAX_TRACKED (EVDIAG_MAX_EVTX_DEPTH + 8)

typedef struct XmlWriter {
        EvtxWorker *w;
        EvtxBuf *out;
        EvtxStyle style;
        Builder *probe;                 /* sees every event too, for record_check() */
        int depth;
        bool open;                      /* the start tag awaits its '>' */
        bool in_attr;
        bool has_child[XML_MAX_TRACKED], has_text[XML_MAX_TRACKED];
} XmlWriter;

/* What needs care in XML text: markup characters, CR (kept as a reference, or a parser would
 * make it LF), the C0 controls XML 1.0 cannot hold at all, and 0xEF (which starts U+FFFE and
 * U+FFFF, also not allowed). */
static const uint8_t xml_special[256] = {
        [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
        [0x08] = 1, [0x09] = 2, [0x0A] = 2, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1, [0x0E] = 1, [0x0F] = 1,
        [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
        [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1,
        ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 2, [0xEF] = 1,
};

/* Whether any of the eight bytes in x may need care: below 0x20, '"', '&', '<', '>' or 0xEF. */
static inline bool xml_maybe_special(uint64_t x) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

#define HAS_BYTE(v, c) ((((v) ^ (ones * (c))) - ones) & ~((v) ^ (ones * (c))) & highs)
        return ((x - ones * 0x20) & ~x & highs) | HAS_BYTE(x, '"') | HAS_BYTE(x, '&') | HAS_BYTE(x, '<') |
               HAS_BYTE(x, '>') | HAS_BYTE(x, 0xEF);
#undef HAS_BYTE
}

/* Appends s escaped for XML text, or for an attribute value in double quotes (where TAB, LF and
 * '"' need references too). Runs of plain bytes are skipped eight at a time and copied whole. */
static void xml_escape(EvtxBuf *out, const char *s, size_t n, bool attr) {
        const uint8_t *p = (const uint8_t *) s;
        size_t run = 0, i = 0;
        uint8_t level = attr ? 2 : 1;

        while (i < n) {
                size_t lim;

                while (n - i >= 8 && !xml_maybe_special(le64(p + i)))
                        i += 8;
                lim = n - i >= 8 ? i + 8 : n;
                for (; i < lim; i++) {
                        const char *rep;

                        if (xml_special[p[i]] == 0 || xml_special[p[i]] > level)
                                continue;
                        switch (p[i]) {
                        case '&':
                                rep = "&amp;";
                                break;
                        case '<':
                                rep = "&lt;";
                                break;
                        case '>':
                                rep = "&gt;";
                                break;
                        case '"':
                                rep = "&quot;";
                                break;
                        case '\t':
                                rep = "&#9;";
                                break;
                        case '\n':
                                rep = "&#10;";
                                break;
                        case '\r':
                                rep = "&#13;";
                                break;
                        case 0xEF:
                                /* U+FFFE and U+FFFF are no XML characters either. */
                                if (n - i >= 3 && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF)) {
                                        evtx_buf_put(out, s + run, i - run);
                                        evtx_buf_put(out, "\xEF\xBF\xBD", 3);
                                        i += 2;
                                        run = i + 1;
                                        if (lim < i + 1)
                                                lim = i + 1;
                                }
                                continue;
                        default:
                                /* A control character XML 1.0 cannot carry, even as a reference. */
                                rep = "\xEF\xBF\xBD";
                                break;
                        }
                        evtx_buf_put(out, s + run, i - run);
                        evtx_buf_put(out, rep, strlen(rep));
                        run = i + 1;
                }
        }
        evtx_buf_put(out, s + run, n - run);
}

static void xml_indent(EvtxBuf *out, int depth) {
        char *p = evtx_buf_reserve(out, 1 + 2 * (size_t) depth);

        if (!p)
                return;
        p[0] = '\n';
        memset(p + 1, ' ', 2 * (size_t) depth);
        evtx_buf_commit(out, 1 + 2 * (size_t) depth);
}

static bool tracked(int depth) {
        return depth >= 0 && depth < XML_MAX_TRACKED;
}

static void xml_close_open(XmlWriter *x) {
        if (x->open) {
                evtx_buf_putc(x->out, '>');
                x->open = false;
        }
}

/* Content text is about to come at the current depth. */
static void xml_content(XmlWriter *x) {
        xml_close_open(x);
        if (tracked(x->depth))
                x->has_text[x->depth] = true;
}

static int x_start(void *u, const EvtxName *name) {
        XmlWriter *x = u;
        size_t indent = 0, k = 0;
        char *p;

        (void) b_start(x->probe, name);
        if (x->depth > 0) {
                xml_close_open(x);
                if (tracked(x->depth)) {
                        x->has_child[x->depth] = true;
                        if (!x->has_text[x->depth])
                                indent = 1 + 2 * (size_t) x->depth;
                }
        }
        /* One reservation for the line break, the indentation and the name. */
        p = evtx_buf_reserve(x->out, indent + 1 + name->len);
        if (p) {
                if (indent > 0) {
                        p[k++] = '\n';
                        memset(p + k, ' ', indent - 1);
                        k += indent - 1;
                }
                p[k++] = '<';
                memcpy(p + k, name->str, name->len);
                evtx_buf_commit(x->out, k + name->len);
        }
        x->depth++;
        if (tracked(x->depth))
                x->has_child[x->depth] = x->has_text[x->depth] = false;
        x->open = true;
        return 0;
}

static int x_attr_start(void *u, const EvtxName *name) {
        XmlWriter *x = u;
        char *p;

        (void) b_attr_start(x->probe, name);
        p = evtx_buf_reserve(x->out, name->len + 3);
        if (p) {
                p[0] = ' ';
                memcpy(p + 1, name->str, name->len);
                p[1 + name->len] = '=';
                p[2 + name->len] = '"';
                evtx_buf_commit(x->out, name->len + 3);
        }
        x->in_attr = true;
        return 0;
}

static int x_attr_end(void *u) {
        XmlWriter *x = u;

        (void) b_attr_end(x->probe);
        evtx_buf_putc(x->out, '"');
        x->in_attr = false;
        return 0;
}

static int x_start_done(void *u) {
        return 0;
}

static int x_end(void *u, const EvtxName *name) {
        XmlWriter *x = u;

        (void) b_end(x->probe, name);
        if (x->open) {
                evtx_buf_puts_lit(x->out, "/>");
                x->open = false;
        } else {
                if (tracked(x->depth) && x->has_child[x->depth] && !x->has_text[x->depth])
                        xml_indent(x->out, x->depth - 1);
                char *p = evtx_buf_reserve(x->out, name->len + 3);

                if (p) {
                        p[0] = '<';
                        p[1] = '/';
                        memcpy(p + 2, name->str, name->len);
                        p[2 + name->len] = '>';
                        evtx_buf_commit(x->out, name->len + 3);
                }
        }
        if (x->depth > 0)
                x->depth--;
        if (x->depth == 0)
                evtx_buf_putc(x->out, '\n');
        return 0;
}

static int xml_text(XmlWriter *x, const char *s, size_t n) {
        if (n == 0)
                return 0;
        if (!x->in_attr)
                xml_content(x);
        xml_escape(x->out, s, n, x->in_attr);
        return 0;
}

/* A UTF-16 string value straight to escaped XML: the same text as evtx_value_format() followed
 * by xml_escape(), in one pass (strings are most of what a record holds). */
static void xml_utf16(XmlWriter *x, const uint8_t *d, size_t n) {
        size_t units = n / 2, i = 0, k = 0;
        uint8_t level = x->in_attr ? 2 : 1;
        bool nul = false;
        char *o;

        if (evtx_value_is_line_break(d, n))
                return;
        /* At most six bytes ("&quot;") per unit, and the replacement of an odd byte. */
        o = evtx_buf_reserve(x->out, 6 * units + 3);
        if (!o)
                return;
        while (i < units) {
                uint32_t c = le16(d + 2 * i++);
                const char *rep;

                if (c >= 0x80) {
                        if (c >= 0xD800 && c <= 0xDBFF && i < units && le16(d + 2 * i) >= 0xDC00 &&
                            le16(d + 2 * i) <= 0xDFFF) {
                                c = 0x10000 + ((c - 0xD800) << 10) + (le16(d + 2 * i) - 0xDC00u);
                                i++;
                        } else if ((c >= 0xD800 && c <= 0xDFFF)) {
                                c = UTF_REPLACEMENT;
                                x->w->bad.utf16++;
                        } else if (c >= 0xFFFE)
                                c = UTF_REPLACEMENT;
                        k += utf8_encode(c, o + k);
                        continue;
                }
                if (c == 0) {
                        nul = true;
                        break;
                }
                if (xml_special[c] == 0 || xml_special[c] > level) {
                        o[k++] = (char) c;
                        continue;
                }
                switch (c) {
                case '&':
                        rep = "&amp;";
                        break;
                case '<':
                        rep = "&lt;";
                        break;
                case '>':
                        rep = "&gt;";
                        break;
                case '"':
                        rep = "&quot;";
                        break;
                case '\t':
                        rep = "&#9;";
                        break;
                case '\n':
                        rep = "&#10;";
                        break;
                case '\r':
                        rep = "&#13;";
                        break;
                default:
                        rep = "\xEF\xBF\xBD";
                        break;
                }
                for (; *rep; rep++)
                        o[k++] = *rep;
        }
        if (n % 2 != 0 && !nul) {
                k += utf8_encode(UTF_REPLACEMENT, o + k);
                x->w->bad.utf16++;
        }
        evtx_buf_commit(x->out, k);
}

/* Whether xml_utf16() writes anything for this string. */
static bool utf16_nonempty(const uint8_t *d, size_t n) {
        if (n < 2)
                return n == 1;  /* a lone byte becomes U+FFFD */
        return le16(d) != 0 && !evtx_value_is_line_break(d, n);
}

static int x_text(void *u, const char *s, size_t n) {
        XmlWriter *x = u;

        (void) b_text(x->probe, s, n);
        return xml_text(x, s, n);
}

static int x_value(void *u, const EvtxValue *v) {
        XmlWriter *x = u;
        EvtxBuf *tmp = &x->w->tmp;

        (void) b_value(x->probe, v);
        if (v->type == VT_STRING) {
                if (!x->in_attr && utf16_nonempty(v->data, v->size))
                        xml_content(x);
                xml_utf16(x, v->data, v->size);
                return 0;
        }

        evtx_buf_reset(tmp);
        evtx_value_format(tmp, v, x->style, &x->w->bad);
        if (tmp->error < 0) {
                x->out->error = tmp->error;
                return tmp->error;
        }
        return xml_text(x, tmp->sb.data ? tmp->sb.data : "", tmp->sb.len);
}

static int x_charref(void *u, uint32_t cp) {
        XmlWriter *x = u;
        char s[16];

        (void) b_charref(x->probe, cp);
        if (!x->in_attr)
                xml_content(x);
        /* As [MS-EVEN6] says: '&#' and the decimal value; what XML cannot hold is replaced. */
        if (cp == 0 || (cp < 0x20 && cp != 0x9 && cp != 0xA && cp != 0xD) || (cp >= 0xD800 && cp <= 0xDFFF) ||
            cp >= 0xFFFE)
                cp = UTF_REPLACEMENT;
        snprintf(s, sizeof(s), "&#%u;", cp);
        evtx_buf_put(x->out, s, strlen(s));
        return 0;
}

static int x_entityref(void *u, const EvtxName *name) {
        XmlWriter *x = u;
        bool known = strcmp(name->str, "lt") == 0 || strcmp(name->str, "gt") == 0 || strcmp(name->str, "amp") == 0 ||
                     strcmp(name->str, "quot") == 0 || strcmp(name->str, "apos") == 0;

        (void) b_entityref(x->probe, name);
        if (!x->in_attr)
                xml_content(x);
        /* An entity XML does not predefine would make the output unreadable: spelled out. */
        evtx_buf_puts_lit(x->out, "&");
        if (!known)
                evtx_buf_puts_lit(x->out, "amp;");
        evtx_buf_put(x->out, name->str, name->len);
        evtx_buf_putc(x->out, ';');
        return 0;
}

static int x_cdata(void *u, const char *s, size_t n) {
        XmlWriter *x = u;
        const char *end;

        (void) b_cdata(x->probe, s, n);
        xml_content(x);
        /* A "]]>" inside ends one section and starts the next. */
        while ((end = memmem(s, n, "]]>", 3))) {
                size_t k = (size_t) (end - s) + 2;

                evtx_buf_puts_lit(x->out, "<![CDATA[");
                evtx_buf_put(x->out, s, k);
                evtx_buf_puts_lit(x->out, "]]>");
                s += k;
                n -= k;
        }
        evtx_buf_puts_lit(x->out, "<![CDATA[");
        evtx_buf_put(x->out, s, n);
        evtx_buf_puts_lit(x->out, "]]>");
        return 0;
}

static int x_pi(void *u, const EvtxName *target, const char *s, size_t n) {
        XmlWriter *x = u;

        if (x->depth > 0)
                xml_content(x);
        evtx_buf_puts_lit(x->out, "<?");
        evtx_buf_put(x->out, target->str, target->len);
        if (n > 0) {
                evtx_buf_putc(x->out, ' ');
                /* "?>" would end it early. */
                for (size_t i = 0; i < n; i++) {
                        evtx_buf_putc(x->out, s[i]);
                        if (s[i] == '?' && i + 1 < n && s[i + 1] == '>')
                                evtx_buf_putc(x->out, ' ');
                }
        }
        evtx_buf_puts_lit(x->out, "?>");
        if (x->depth == 0)
                evtx_buf_putc(x->out, '\n');
        return 0;
}

static const EvtxSax xml_sax = {
        .start = x_start,
        .attr_start = x_attr_start,
        .attr_end = x_attr_end,
        .start_done = x_start_done,
        .end = x_end,
        .text = x_text,
        .value = x_value,
        .charref = x_charref,
        .entityref = x_entityref,
        .cdata = x_cdata,
        .pi = x_pi,
};

/* --- JSON lines ------------------------------------------------------------------------- */

static const char *bstr(const EvtxBatch *b, uint32_t off) {
        return off == EVTX_NO_STR ? NULL : b->strings.sb.data + off;
}

static void json_key(EvtxBuf *out, const char *key) {
        evtx_buf_putc(out, ',');
        evtx_buf_putc(out, '"');
        evtx_buf_put(out, key, strlen(key));
        evtx_buf_puts_lit(out, "\":");
}

static void json_str(EvtxBuf *out, const char *s) {
        if (out->error < 0)
                return;
        if (json_append_string(&out->sb, s) < 0)
                out->error = -ENOMEM;
}

static void json_num(EvtxBuf *out, int64_t v) {
        if (v == EVENT_NO_VALUE)
                evtx_buf_puts_lit(out, "null");
        else
                evtx_format_i64(out, v);
}

/* The data object: each key once, in the order keys first appear, with the values of a key
 * met again gathered into an array. */
static int json_data(EvtxWorker *w, EvtxBuf *out, const EvtxBatch *b, const EvtxRecordOut *rec) {
        enum { SLOTS = 2 * EVDIAG_MAX_EVENT_FIELDS };
        uint32_t n = rec->n_fields, *next, *last, *head, *taken, n_taken = 0;
        int32_t *slot;
        char keybuf[16];
        bool first = true;

        evtx_buf_puts_lit(out, "{");
        if (n == 0) {
                evtx_buf_putc(out, '}');
                return 0;
        }
        /* Scratch kept by the worker: the fields of one record are at most a known number. */
        if (!w->json_slot) {
                w->json_next = malloc(EVDIAG_MAX_EVENT_FIELDS * sizeof(uint32_t));
                w->json_last = malloc(EVDIAG_MAX_EVENT_FIELDS * sizeof(uint32_t));
                w->json_head = malloc(EVDIAG_MAX_EVENT_FIELDS * sizeof(uint32_t));
                w->json_taken = malloc(EVDIAG_MAX_EVENT_FIELDS * sizeof(uint32_t));
                w->json_slot = malloc(SLOTS * sizeof(int32_t));
                if (!w->json_next || !w->json_last || !w->json_head || !w->json_taken || !w->json_slot) {
                        free(w->json_slot);
                        w->json_slot = NULL;
                        return -ENOMEM;
                }
                for (uint32_t i = 0; i < SLOTS; i++)
                        w->json_slot[i] = -1;
        }
        next = w->json_next;
        last = w->json_last;
        head = w->json_head;
        taken = w->json_taken;
        slot = w->json_slot;

        /* Group fields by key: head[i] is the first field with i's key. */
        for (uint32_t i = 0; i < n; i++) {
                const EvtxFieldOut *f = &b->fields[rec->first_field + i];
                const char *key = bstr(b, f->name);
                uint64_t h = 1469598103934665603ull;

                if (!key) {
                        snprintf(keybuf, sizeof(keybuf), "%u", i + 1);
                        key = keybuf;
                }
                for (const char *p = key; *p; p++)
                        h = (h ^ (uint8_t) *p) * 1099511628211ull;
                head[i] = i;
                next[i] = UINT32_MAX;
                last[i] = i;
                for (uint32_t s = (uint32_t) (h % SLOTS);; s = (s + 1) % SLOTS) {
                        const EvtxFieldOut *g;
                        const char *gk;
                        char gbuf[16];

                        if (slot[s] < 0) {
                                slot[s] = (int32_t) i;
                                taken[n_taken++] = s;
                                break;
                        }
                        g = &b->fields[rec->first_field + (uint32_t) slot[s]];
                        gk = bstr(b, g->name);
                        if (!gk) {
                                snprintf(gbuf, sizeof(gbuf), "%d", slot[s] + 1);
                                gk = gbuf;
                        }
                        if (strcmp(gk, key) == 0) {
                                uint32_t h0 = (uint32_t) slot[s];

                                head[i] = h0;
                                next[last[h0]] = i;
                                last[h0] = i;
                                break;
                        }
                }
        }
        for (uint32_t i = 0; i < n; i++) {
                const EvtxFieldOut *f = &b->fields[rec->first_field + i];
                const char *key = bstr(b, f->name);

                if (head[i] != i)
                        continue;
                if (!key) {
                        snprintf(keybuf, sizeof(keybuf), "%u", i + 1);
                        key = keybuf;
                }
                if (!first)
                        evtx_buf_putc(out, ',');
                first = false;
                json_str(out, key);
                evtx_buf_putc(out, ':');
                if (next[i] == UINT32_MAX) {
                        json_str(out, bstr(b, f->value));
                        continue;
                }
                evtx_buf_putc(out, '[');
                for (uint32_t j = i; j != UINT32_MAX; j = next[j]) {
                        if (j != i)
                                evtx_buf_putc(out, ',');
                        json_str(out, bstr(b, b->fields[rec->first_field + j].value));
                }
                evtx_buf_putc(out, ']');
        }
        evtx_buf_putc(out, '}');
        /* Leave the table empty for the next record: only the slots taken are cleared. */
        for (uint32_t i = 0; i < n_taken; i++)
                slot[taken[i]] = -1;
        return 0;
}

static int json_record(EvtxWorker *w, EvtxBuf *out, const EvtxBatch *b, const EvtxRecordOut *rec) {
        char iso[40];
        int r;

        evtx_buf_puts_lit(out, "{\"record_id\":");
        if (rec->event_record_id != EVENT_NO_VALUE)
                evtx_format_i64(out, rec->event_record_id);
        else
                evtx_format_u64(out, rec->record_id);
        json_key(out, "time");
        json_str(out, ticks_format_iso(rec->time, 7, iso));
        json_key(out, "event_id");
        json_num(out, rec->event_id);
        json_key(out, "qualifiers");
        json_num(out, rec->qualifiers);
        json_key(out, "version");
        json_num(out, rec->version);
        json_key(out, "level");
        json_num(out, rec->level);
        json_key(out, "task");
        json_num(out, rec->task);
        json_key(out, "opcode");
        json_num(out, rec->opcode);
        json_key(out, "keywords");
        json_str(out, bstr(b, rec->keywords));
        json_key(out, "provider");
        json_str(out, bstr(b, rec->provider));
        json_key(out, "provider_guid");
        json_str(out, bstr(b, rec->provider_guid));
        json_key(out, "channel");
        json_str(out, bstr(b, rec->channel));
        json_key(out, "computer");
        json_str(out, bstr(b, rec->host));
        json_key(out, "user");
        json_str(out, bstr(b, rec->user));
        json_key(out, "process_id");
        json_num(out, rec->process_id);
        json_key(out, "thread_id");
        json_num(out, rec->thread_id);
        json_key(out, "activity_id");
        json_str(out, bstr(b, rec->activity_id));
        json_key(out, "recovered");
        if (rec->recovered)
                evtx_buf_puts_lit(out, "true");
        else
                evtx_buf_puts_lit(out, "false");
        json_key(out, "binary");
        if (rec->binary_size == 0)
                evtx_buf_puts_lit(out, "null");
        else {
                static const char hex[] = "0123456789ABCDEF";
                const uint8_t *p = (const uint8_t *) b->strings.sb.data + rec->binary;
                char *o = evtx_buf_reserve(out, 2 * (size_t) rec->binary_size + 2);

                if (o) {
                        o[0] = '"';
                        for (uint32_t i = 0; i < rec->binary_size; i++) {
                                o[1 + 2 * i] = hex[p[i] >> 4];
                                o[2 + 2 * i] = hex[p[i] & 15];
                        }
                        o[1 + 2 * (size_t) rec->binary_size] = '"';
                        evtx_buf_commit(out, 2 * (size_t) rec->binary_size + 2);
                }
        }
        json_key(out, "data");
        r = json_data(w, out, b, rec);
        if (r < 0)
                return r;
        evtx_buf_puts_lit(out, "}\n");
        return 0;
}

/* --- One record ------------------------------------------------------------------------- */

/* Whether a record whose walk went through is taken. One rule for every output: a record is
 * taken when its System holds an <EventID> that is a number from 0 to 65535, which the row needs
 * and which tells a record from stray bytes in slack space that happen to walk (a template of
 * this chunk that is not the one the stale record was written with often renders nothing). The
 * XML writer feeds a probing Builder for it, so the same code decides in every mode. */
static int record_check(const Builder *bl, const EvtxRecordOut *rec, EvtxErr *err) {
        if (rec->event_id != EVENT_NO_VALUE)
                return 0;
        evtx_err(err, "%s", bl->event_id_seen ? "<EventID> is not a number from 0 to 65535" : "no <EventID>");
        return -EBADMSG;
}

int evtx_record_emit(EvtxWorker *w, const EvtxChunk *c, uint32_t off, uint32_t n, bool recovered, EvtxBatch *b,
                     EvtxErr *err) {
        size_t n_records = b->n_records, n_fields = b->n_fields, strings = b->strings.sb.len, text = b->text.sb.len;
        uint64_t record_id = le64(c->data + off + 8), written = le64(c->data + off + 16);
        EvtxRecordOut *rec;
        int r;

        if (ARRAY_GROW(b->records, b->a_records, b->n_records + 1) < 0)
                return -ENOMEM;
        rec = &b->records[b->n_records++];
        *rec = (EvtxRecordOut) {
                .record_id = record_id,
                .offset = c->file_offset + off,
                .recovered = recovered,
                .host = EVTX_NO_STR,
                .channel = EVTX_NO_STR,
                .provider = EVTX_NO_STR,
                .provider_guid = EVTX_NO_STR,
                .keywords = EVTX_NO_STR,
                .user = EVTX_NO_STR,
                .activity_id = EVTX_NO_STR,
                .event_record_id = EVENT_NO_VALUE,
                .event_id = EVENT_NO_VALUE,
                .qualifiers = EVENT_NO_VALUE,
                .version = EVENT_NO_VALUE,
                .level = EVENT_NO_VALUE,
                .task = EVENT_NO_VALUE,
                .opcode = EVENT_NO_VALUE,
                .process_id = EVENT_NO_VALUE,
                .thread_id = EVENT_NO_VALUE,
                .first_field = (uint32_t) b->n_fields,
                .binary = EVTX_NO_STR,
                .text = (uint32_t) b->text.sb.len,
        };
        w->record_budget = (EvtxBudget) {};
        w->bad = (EvtxBad) {};
        w->n_values = 0;

        if (w->cfg.mode == EVTX_MODE_XML) {
                /* The probe reads <EventID> as the rows do, whatever style the XML is in. */
                Builder probe = {
                        .w = w,
                        .b = b,
                        .rec = rec,
                        .style = EVTX_STYLE_LIBEVTX,
                        .probe = true,
                        .pending_name = EVTX_NO_STR,
                        .source_name = EVTX_NO_STR,
                };
                XmlWriter x = { .w = w, .out = &b->text, .style = w->cfg.style, .probe = &probe };
                size_t xml_start;

                if (recovered) {
                        char s[96];

                        snprintf(s, sizeof(s), "<!-- recovered from slack space at offset 0x%llx -->\n",
                                 (unsigned long long) rec->offset);
                        evtx_buf_put(&b->text, s, strlen(s));
                }
                xml_start = b->text.sb.len;
                r = evtx_walk_document(w, c, off + EVTX_RECORD_HEADER_SIZE, n, 1,
                                       &xml_sax, &x, err);
                rec = &b->records[b->n_records - 1];
                if (r >= 0)
                        r = record_check(&probe, rec, err);
                if (r >= 0 && x.depth != 0) {
                        evtx_err(err, "BinXML ends inside an element");
                        r = -EBADMSG;
                }
                /* Measured after the comment: a record that renders nothing is no record. */
                if (r >= 0 && b->text.sb.len == xml_start) {
                        evtx_err(err, "no XML in the record");
                        r = -EBADMSG;
                }
        } else {
                Builder bl = {
                        .w = w,
                        .b = b,
                        .rec = rec,
                        .style = w->cfg.style,
                        .pending_name = EVTX_NO_STR,
                        .source_name = EVTX_NO_STR,
                };

                r = evtx_walk_document(w, c, off + EVTX_RECORD_HEADER_SIZE, n, 1,
                                       &builder_sax, &bl, err);
                rec = &b->records[b->n_records - 1];
                if (r >= 0)
                        r = record_check(&bl, rec, err);
                if (r >= 0) {
                        if (rec->provider == EVTX_NO_STR)
                                rec->provider = bl.source_name;
                        if (!bl.has_time && !evtx_filetime_ticks(written, &rec->time))
                                rec->time = 0;
                        if (bl.fields_dropped)
                                evtx_batch_note(b, rec->offset, "chunk %llu: record %llu has more than %d fields; the rest are dropped",
                                                (unsigned long long) c->index, (unsigned long long) record_id,
                                                EVDIAG_MAX_EVENT_FIELDS);
                        if (bl.cut)
                                evtx_batch_note(b, rec->offset, "chunk %llu: record %llu has a value longer than %d bytes; it is cut",
                                                (unsigned long long) c->index, (unsigned long long) record_id,
                                                EVDIAG_MAX_FIELD_VALUE);
                        if (w->cfg.mode == EVTX_MODE_JSONL)
                                r = json_record(w, &b->text, b, rec);
                }
        }
        if (r >= 0 && (b->strings.error < 0 || b->text.error < 0)) {
                r = b->strings.error < 0 ? b->strings.error : b->text.error;
                if (r == -E2BIG)
                        evtx_err(err, "record output past %d bytes", EVDIAG_MAX_EVTX_RECORD_OUTPUT);
        }
        if (r < 0) {
                /* Leave nothing of it behind. */
                b->n_records = n_records;
                b->n_fields = n_fields;
                if (b->strings.error == -E2BIG)
                        b->strings.error = 0;
                if (b->text.error == -E2BIG)
                        b->text.error = 0;
                evtx_buf_truncate(&b->strings, strings);
                evtx_buf_truncate(&b->text, text);
                return r;
        }
        rec->text_len = (uint32_t) (b->text.sb.len - text);
        if (w->bad.utf16 > 0)
                evtx_batch_note(b, rec->offset, "chunk %llu: record %llu: %zu invalid UTF-16 sequences replaced with U+FFFD",
                                (unsigned long long) c->index, (unsigned long long) record_id, w->bad.utf16);
        if (w->bad.values > 0)
                evtx_batch_note(b, rec->offset, "chunk %llu: record %llu: %zu values too short for their type left empty",
                                (unsigned long long) c->index, (unsigned long long) record_id, w->bad.values);
        return 0;
}
