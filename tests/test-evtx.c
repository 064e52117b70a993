/* SPDX-License-Identifier: MIT */
/* Tests of the .evtx reader on logs built here, byte by byte, by a small writer: templates are
 * written in a compact XML-like notation and encoded to BinXML the way Windows lays it out
 * (template definitions inline on first use in a chunk and referenced afterwards, names inline
 * on first use and by offset afterwards, nested BinXML values for EventData), with correct
 * checksums unless a test breaks them on purpose.
 *
 * Template notation: <Name attr='text %0 %?1'>content</Name> and <Name/>; %N is a normal
 * substitution of value N, %?N an optional one; &name; an entity reference, &#N; a character
 * reference, <![CDATA[...]]> and <?target data?> as in XML. Text is encoded as it stands.
 *
 * With EVTX_WRITE_SEEDS=<folder> in the environment, the test also writes the fuzz seeds of
 * tests/fuzz/corpus/evtx there. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/bytes.h"
#include "base/crc32.h"
#include "base/datetime.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "collect-sink.h"
#include "importer/evtx-internal.h"
#include "importer/evtx.h"
#include "test-util.h"

/* --- Allocations that live until the end of a test -------------------------------------- */

static void **kept;
static size_t n_kept, a_kept;

static void *keep(void *p) {
        assert_non_null(p);
        assert_int_equal(ARRAY_GROW(kept, a_kept, n_kept + 1), 0);
        kept[n_kept++] = p;
        return p;
}

static int free_kept(void **state) {
        for (size_t i = 0; i < n_kept; i++)
                free(kept[i]);
        free(kept);
        kept = NULL;
        n_kept = a_kept = 0;
        return 0;
}

/* --- Values ----------------------------------------------------------------------------- */

typedef struct Inst Inst;

typedef struct Val {
        uint8_t type;
        const uint8_t *data;
        size_t size;
        const Inst *nested;             /* VT_BINXML: a template instance written in place */
} Val;

struct Inst {
        const char *tpl;                /* NULL: raw BinXML (no template) written from raw */
        const char *raw;
        const Val *vals;
        size_t n;
};

static Val v_bytes(uint8_t type, const void *p, size_t n) {
        uint8_t *copy = keep(malloc(n ? n : 1));

        if (n)
                memcpy(copy, p, n);
        return (Val) { .type = type, .data = copy, .size = n };
}

static Val v_null(void) {
        return (Val) { .type = VT_NULL };
}

/* UTF-8 to UTF-16LE (any code point, surrogate pairs included). */
static size_t utf16_of(const char *s, uint8_t *out) {
        const uint8_t *p = (const uint8_t *) s;
        size_t k = 0;

        while (*p) {
                uint32_t cp;

                if (*p < 0x80)
                        cp = *p++;
                else if ((*p & 0xE0) == 0xC0) {
                        cp = (uint32_t) (p[0] & 0x1F) << 6 | (p[1] & 0x3F);
                        p += 2;
                } else if ((*p & 0xF0) == 0xE0) {
                        cp = (uint32_t) (p[0] & 0x0F) << 12 | (uint32_t) (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
                        p += 3;
                } else {
                        cp = (uint32_t) (p[0] & 0x07) << 18 | (uint32_t) (p[1] & 0x3F) << 12 |
                             (uint32_t) (p[2] & 0x3F) << 6 | (p[3] & 0x3F);
                        p += 4;
                }
                if (cp >= 0x10000) {
                        uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);

                        out[k++] = (uint8_t) hi;
                        out[k++] = (uint8_t) (hi >> 8);
                        out[k++] = (uint8_t) lo;
                        out[k++] = (uint8_t) (lo >> 8);
                } else {
                        out[k++] = (uint8_t) cp;
                        out[k++] = (uint8_t) (cp >> 8);
                }
        }
        return k;
}

static Val v_str(const char *s) {
        uint8_t *buf = keep(malloc(4 * strlen(s) + 2));

        return (Val) { .type = VT_STRING, .data = buf, .size = utf16_of(s, buf) };
}

static Val v_int(uint8_t type, uint64_t v, size_t size) {
        uint8_t b[8];

        for (size_t i = 0; i < 8; i++)
                b[i] = (uint8_t) (v >> (8 * i));
        return v_bytes(type, b, size);
}

#define v_u8(x) v_int(VT_UINT8, (x), 1)
#define v_u16(x) v_int(VT_UINT16, (x), 2)
#define v_u32(x) v_int(VT_UINT32, (x), 4)
#define v_u64(x) v_int(VT_UINT64, (x), 8)
#define v_hex64(x) v_int(VT_HEXINT64, (x), 8)
#define v_filetime(x) v_int(VT_FILETIME, (x), 8)

static Val v_guid(void) {
        static const uint8_t g[16] = { 0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49,
                                       0xA5, 0xBA, 0x3E, 0x3B, 0x03, 0x28, 0xC3, 0x0D };

        return v_bytes(VT_GUID, g, 16);
}

/* S-1-5-21-1-2-3-500 */
static Val v_sid(void) {
        static const uint8_t s[] = { 1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xF4, 1, 0, 0 };

        return v_bytes(VT_SID, s, sizeof(s));
}

static Val v_nested(const Inst *in) {
        return (Val) { .type = VT_BINXML, .nested = in };
}

/* FILETIME of a UTC civil time. */
static uint64_t filetime(int y, int mo, int d, int h, int mi, int s, int ticks) {
        return (uint64_t) ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * TICKS_PER_SECOND + ticks +
                           FILETIME_UNIX_EPOCH);
}

/* --- Chunks ----------------------------------------------------------------------------- */

#define MAX_NAMES 512

typedef struct Chunk {
        uint8_t d[EVTX_CHUNK_SIZE];
        uint32_t pos;
        uint64_t first_id, last_id, n_records;
        uint32_t last_off;
        struct {
                char name[64];
                uint32_t off;
        } names[MAX_NAMES];
        size_t n_names;
        struct {
                const char *tpl;
                uint32_t off;
        } tpls[64];
        size_t n_tpls;
} Chunk;

static Chunk *chunk_new(void) {
        Chunk *c = keep(calloc(1, sizeof(Chunk)));

        c->pos = EVTX_CHUNK_HEADER_SIZE;
        return c;
}

static void w_room(Chunk *c, size_t n) {
        assert_true(EVTX_CHUNK_SIZE - c->pos >= n);
}

static void w_u8(Chunk *c, uint8_t v) {
        w_room(c, 1);
        c->d[c->pos++] = v;
}

static void w_u16(Chunk *c, uint16_t v) {
        w_u8(c, (uint8_t) v);
        w_u8(c, (uint8_t) (v >> 8));
}

static void w_u32(Chunk *c, uint32_t v) {
        w_u16(c, (uint16_t) v);
        w_u16(c, (uint16_t) (v >> 16));
}

static void w_u64(Chunk *c, uint64_t v) {
        w_u32(c, (uint32_t) v);
        w_u32(c, (uint32_t) (v >> 32));
}

static void w_bytes(Chunk *c, const void *p, size_t n) {
        if (n == 0)
                return;
        w_room(c, n);
        memcpy(c->d + c->pos, p, n);
        c->pos += (uint32_t) n;
}

static void put32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
        p[2] = (uint8_t) (v >> 16);
        p[3] = (uint8_t) (v >> 24);
}

static void put64(uint8_t *p, uint64_t v) {
        put32(p, (uint32_t) v);
        put32(p + 4, (uint32_t) (v >> 32));
}

/* Counted UTF-16 text of n bytes of UTF-8 at s. */
static void w_counted(Chunk *c, const char *s, size_t n) {
        _cleanup_free_ char *z = strndup(s, n);
        uint8_t buf[4096];
        size_t k;

        assert_non_null(z);
        assert_true(4 * n < sizeof(buf));
        k = utf16_of(z, buf);
        w_u16(c, (uint16_t) (k / 2));
        w_bytes(c, buf, k);
}

/* A name reference: inline on first use in the chunk, by offset afterwards. */
static void w_name(Chunk *c, const char *s, size_t n) {
        uint32_t at;

        assert_true(n < 64);
        for (size_t i = 0; i < c->n_names; i++)
                if (strlen(c->names[i].name) == n && memcmp(c->names[i].name, s, n) == 0) {
                        w_u32(c, c->names[i].off);
                        return;
                }
        at = c->pos + 4;
        w_u32(c, at);
        w_u32(c, 0);    /* next name in its hash bucket */
        w_u16(c, 0);    /* hash: not checked by readers */
        w_counted(c, s, n);
        w_u16(c, 0);
        assert_true(c->n_names < MAX_NAMES);
        memcpy(c->names[c->n_names].name, s, n);
        c->names[c->n_names].name[n] = 0;
        c->names[c->n_names++].off = at;
}

static size_t name_len(const char *s) {
        size_t n = 0;

        while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
               s[n] == '_' || s[n] == ':' || s[n] == '-' || s[n] == '.')
                n++;
        return n;
}

/* Value text, substitutions and references up to stop. */
static const char *w_pieces(Chunk *c, const char *s, char stop, bool tpl) {
        while (*s && *s != stop) {
                if (*s == '%') {
                        bool optional = s[1] == '?';
                        char *end;
                        unsigned long idx = strtoul(s + (optional ? 2 : 1), &end, 10);

                        assert_true(tpl);
                        w_u8(c, optional ? BX_OPTIONAL_SUBST : BX_NORMAL_SUBST);
                        w_u16(c, (uint16_t) idx);
                        w_u8(c, VT_STRING);
                        s = end;
                } else if (*s == '&' && s[1] == '#') {
                        char *end;
                        unsigned long v = strtoul(s + 2, &end, 10);

                        assert_true(*end == ';');
                        w_u8(c, BX_CHARREF);
                        w_u16(c, (uint16_t) v);
                        s = end + 1;
                } else if (*s == '&') {
                        size_t n = name_len(s + 1);

                        assert_true(s[1 + n] == ';');
                        w_u8(c, BX_ENTITYREF);
                        w_name(c, s + 1, n);
                        s += n + 2;
                } else {
                        size_t n = strcspn(s, stop == '\'' ? "'%&" : "<%&");

                        w_u8(c, BX_VALUE);
                        w_u8(c, VT_STRING);
                        w_counted(c, s, n);
                        s += n;
                }
        }
        return s;
}

static const char *w_element(Chunk *c, const char *s, bool tpl) {
        const char *name, *attrs[16], *p;
        size_t name_n, n_attrs = 0;
        uint32_t size_at, list_at;
        bool empty;

        assert_true(*s == '<');
        name = ++s;
        name_n = name_len(s);
        assert_true(name_n > 0);
        /* Find the attributes first: the token says whether there are any. */
        p = s + name_n;
        for (;;) {
                while (*p == ' ')
                        p++;
                if (*p == '/' || *p == '>')
                        break;
                assert_true(n_attrs < 16);
                attrs[n_attrs++] = p;
                p = strchr(p, '\'');
                assert_non_null(p);
                p = strchr(p + 1, '\'');
                assert_non_null(p);
                p++;
        }
        empty = *p == '/';

        w_u8(c, n_attrs > 0 ? BX_OPEN_START | BX_MORE : BX_OPEN_START);
        if (tpl)
                w_u16(c, 0xFFFF);       /* dependency id: none */
        size_at = c->pos;
        w_u32(c, 0);
        w_name(c, name, name_n);
        if (n_attrs > 0) {
                list_at = c->pos;
                w_u32(c, 0);
                for (size_t i = 0; i < n_attrs; i++) {
                        const char *a = attrs[i], *v;
                        size_t an = name_len(a);

                        w_u8(c, i + 1 < n_attrs ? BX_ATTRIBUTE | BX_MORE : BX_ATTRIBUTE);
                        w_name(c, a, an);
                        v = a + an;
                        assert_true(v[0] == '=' && v[1] == '\'');
                        w_pieces(c, v + 2, '\'', tpl);
                }
                put32(c->d + list_at, c->pos - list_at - 4);
        }
        if (empty) {
                w_u8(c, BX_CLOSE_EMPTY);
                p += 2;
        } else {
                w_u8(c, BX_CLOSE_START);
                p++;
                for (;;) {
                        if (strncmp(p, "</", 2) == 0) {
                                assert_true(strncmp(p + 2, name, name_n) == 0 && p[2 + name_n] == '>');
                                w_u8(c, BX_END_ELEMENT);
                                p += 3 + name_n;
                                break;
                        }
                        if (strncmp(p, "<![CDATA[", 9) == 0) {
                                const char *end = strstr(p, "]]>");

                                assert_non_null(end);
                                w_u8(c, BX_CDATA);
                                w_counted(c, p + 9, (size_t) (end - p - 9));
                                p = end + 3;
                        } else if (strncmp(p, "<?", 2) == 0) {
                                size_t tn = name_len(p + 2);
                                const char *data = p + 2 + tn, *end = strstr(p, "?>");

                                assert_non_null(end);
                                while (*data == ' ')
                                        data++;
                                w_u8(c, BX_PI_TARGET);
                                w_name(c, p + 2, tn);
                                w_u8(c, BX_PI_DATA);
                                w_counted(c, data, (size_t) (end - data));
                                p = end + 2;
                        } else if (*p == '<')
                                p = w_element(c, p, tpl);
                        else {
                                assert_true(*p != 0);
                                p = w_pieces(c, p, '<', tpl);
                        }
                }
        }
        put32(c->d + size_at, c->pos - size_at - 4);
        return p;
}

static void w_value(Chunk *c, const Val *v);

static void w_instance(Chunk *c, const Inst *in) {
        uint32_t desc_at;
        size_t t;

        if (!in->tpl) {
                const char *end = w_element(c, in->raw, false);

                assert_int_equal(*end, 0);
                return;
        }
        w_u8(c, BX_TEMPLATE_INSTANCE);
        w_u8(c, 1);
        w_u32(c, (uint32_t) strlen(in->tpl));   /* template id: not checked by readers */
        for (t = 0; t < c->n_tpls; t++)
                if (c->tpls[t].tpl == in->tpl)
                        break;
        if (t < c->n_tpls)
                w_u32(c, c->tpls[t].off);
        else {
                uint32_t def = c->pos + 4, size_at;
                uint8_t guid[16] = { 0 };
                const char *end;

                w_u32(c, def);
                w_u32(c, 0);    /* next definition */
                memcpy(guid, &in->tpl, sizeof(in->tpl) < 16 ? sizeof(in->tpl) : 16);
                w_bytes(c, guid, 16);
                size_at = c->pos;
                w_u32(c, 0);
                w_bytes(c, "\x0f\x01\x01\x00", 4);
                end = w_element(c, in->tpl, true);
                assert_int_equal(*end, 0);
                w_u8(c, BX_EOF);
                put32(c->d + size_at, c->pos - size_at - 4);
                assert_true(c->n_tpls < 64);
                c->tpls[c->n_tpls].tpl = in->tpl;
                c->tpls[c->n_tpls++].off = def;
        }
        w_u32(c, (uint32_t) in->n);
        desc_at = c->pos;
        for (size_t i = 0; i < in->n; i++) {
                w_u16(c, 0);
                w_u8(c, in->vals[i].type);
                w_u8(c, 0);
        }
        for (size_t i = 0; i < in->n; i++) {
                uint32_t start = c->pos;

                w_value(c, &in->vals[i]);
                c->d[desc_at + 4 * i] = (uint8_t) (c->pos - start);
                c->d[desc_at + 4 * i + 1] = (uint8_t) ((c->pos - start) >> 8);
        }
}

static void w_value(Chunk *c, const Val *v) {
        if (v->nested) {
                w_bytes(c, "\x0f\x01\x01\x00", 4);
                w_instance(c, v->nested);
                w_u8(c, BX_EOF);
        } else
                w_bytes(c, v->data, v->size);
}

/* Appends a record; returns its chunk offset. */
static uint32_t w_record(Chunk *c, uint64_t id, const Inst *in) {
        uint32_t off = c->pos;

        w_bytes(c, "**\0\0", 4);
        w_u32(c, 0);
        w_u64(c, id);
        w_u64(c, filetime(2010, 3, 31, 21, 43, 28, 0));
        w_bytes(c, "\x0f\x01\x01\x00", 4);
        w_instance(c, in);
        w_u8(c, BX_EOF);
        w_u32(c, c->pos + 4 - off);
        put32(c->d + off + 4, c->pos - off);
        if (c->n_records++ == 0)
                c->first_id = id;
        c->last_id = id;
        c->last_off = off;
        return off;
}

static void chunk_checksums(Chunk *c) {
        uint32_t free_off = le32(c->d + 48);

        put32(c->d + 52, crc32_update(0, c->d + EVTX_CHUNK_HEADER_SIZE, free_off - EVTX_CHUNK_HEADER_SIZE));
        put32(c->d + 124, crc32_update(crc32_update(0, c->d, 120), c->d + 128, EVTX_CHUNK_HEADER_SIZE - 128));
}

static void chunk_finish(Chunk *c) {
        memcpy(c->d, "ElfChnk\0", 8);
        put64(c->d + 8, c->first_id);
        put64(c->d + 16, c->last_id);
        put64(c->d + 24, c->first_id);
        put64(c->d + 32, c->last_id);
        put32(c->d + 40, 128);
        put32(c->d + 44, c->last_off);
        put32(c->d + 48, c->pos);
        chunk_checksums(c);
}

/* A file of n finished chunks (NULL: an all-zero slot); header_chunks as the header counts. */
static uint8_t *file_of(Chunk **chunks, size_t n, unsigned header_chunks, size_t *ret_size) {
        size_t size = EVTX_FILE_HEADER_SIZE + n * EVTX_CHUNK_SIZE;
        uint8_t *f = keep(calloc(1, size));

        memcpy(f, "ElfFile\0", 8);
        put64(f + 16, n > 0 ? n - 1 : 0);
        put64(f + 24, 1000);
        put32(f + 32, 128);
        f[36] = 1;      /* minor version */
        f[38] = 3;      /* major version */
        f[40] = 0x00;
        f[41] = 0x10;   /* 4096 */
        f[42] = (uint8_t) header_chunks;
        f[43] = (uint8_t) (header_chunks >> 8);
        put32(f + 124, crc32_update(0, f, 120));
        for (size_t i = 0; i < n; i++)
                if (chunks[i])
                        memcpy(f + EVTX_FILE_HEADER_SIZE + i * EVTX_CHUNK_SIZE, chunks[i]->d, EVTX_CHUNK_SIZE);
        *ret_size = size;
        return f;
}

/* --- A Windows-like event: System from an outer template, EventData nested ---------------- */

static const char SYSTEM_TPL[] =
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        "<Provider Name='%?0' Guid='%?1' EventSourceName='%?2'/>"
        "<EventID Qualifiers='%?3'>%4</EventID>"
        "<Version>%?5</Version><Level>%?6</Level><Task>%?7</Task><Opcode>%?8</Opcode>"
        "<Keywords>%?9</Keywords><TimeCreated SystemTime='%?10'/><EventRecordID>%?11</EventRecordID>"
        "<Correlation ActivityID='%?12' RelatedActivityID='%?13'/><Execution ProcessID='%?14' ThreadID='%?15'/>"
        "<Channel>%?16</Channel><Computer>%?17</Computer><Security UserID='%?18'/></System>%19</Event>";

static const char LOGON_TPL[] =
        "<EventData><Data Name='SubjectUserSid'>%0</Data><Data Name='TargetUserName'>%1</Data>"
        "<Data Name='LogonType'>%2</Data></EventData>";

static uint64_t t0;     /* set in main: 2010-03-31T21:43:28.1234567Z */

/* The outer instance of a Security 4624 with record id id; data may be NULL. */
static Inst *event(uint64_t id, const Inst *data) {
        Val *v = keep(calloc(20, sizeof(Val)));
        Inst *in = keep(calloc(1, sizeof(Inst)));

        v[0] = v_str("Microsoft-Windows-Security-Auditing");
        v[1] = v_guid();
        v[2] = v_null();
        v[3] = v_null();
        v[4] = v_u16(4624);
        v[5] = v_u8(2);
        v[6] = v_u8(0);
        v[7] = v_u16(12544);
        v[8] = v_u8(0);
        v[9] = v_hex64(0x8020000000000000ull);
        v[10] = v_filetime(t0 + id);
        v[11] = v_u64(id);
        v[12] = v_null();
        v[13] = v_null();
        v[14] = v_u32(456);
        v[15] = v_u32(460);
        v[16] = v_str("Security");
        v[17] = v_str("IISServer");
        v[18] = v_sid();
        v[19] = data ? v_nested(data) : v_null();
        *in = (Inst) { .tpl = SYSTEM_TPL, .vals = v, .n = 20 };
        return in;
}

static Inst *logon_data(const char *user) {
        Val *v = keep(calloc(3, sizeof(Val)));
        Inst *in = keep(calloc(1, sizeof(Inst)));

        v[0] = v_sid();
        v[1] = v_str(user);
        v[2] = v_u32(3);
        *in = (Inst) { .tpl = LOGON_TPL, .vals = v, .n = 3 };
        return in;
}

/* A chunk of n 4624 events with ids first.. */
static Chunk *logon_chunk(uint64_t first, size_t n) {
        Chunk *c = chunk_new();

        for (size_t i = 0; i < n; i++) {
                char user[32];

                snprintf(user, sizeof(user), "user%llu", (unsigned long long) (first + i));
                w_record(c, first + i, event(first + i, logon_data(user)));
        }
        chunk_finish(c);
        return c;
}

static uint8_t *logon_file(size_t n_chunks, size_t per_chunk, size_t *ret_size) {
        Chunk **chunks = keep(calloc(n_chunks, sizeof(Chunk *)));

        for (size_t i = 0; i < n_chunks; i++)
                chunks[i] = logon_chunk(1 + i * per_chunk, per_chunk);
        return file_of(chunks, n_chunks, (unsigned) n_chunks, ret_size);
}

/* --- Running the reader ----------------------------------------------------------------- */

static int parse_threads(const void *data, size_t size, unsigned threads, CollectSink *c, Diag **ret_diag) {
        _cleanup_(instream_freep) InStream *in = NULL;
        Diag *d = diag_new("test.evtx");

        assert_non_null(d);
        collect_sink_init(c);
        assert_int_equal(instream_new_memory(data, size, &in), 0);
        diag_free(*ret_diag);   /* a test may run several parses with one variable */
        *ret_diag = d;
        return evtx_parse_threads(in, NULL, threads, &c->sink, d);
}

static int write_strbuf(void *userdata, const char *data, size_t size) {
        return strbuf_append(userdata, data, size);
}

static int dump(const void *data, size_t size, EvtxDumpFormat fmt, unsigned threads, StrBuf *out, Diag **ret_diag) {
        _cleanup_(instream_freep) InStream *in = NULL;
        Diag *d = diag_new("test.evtx");

        assert_non_null(d);
        assert_int_equal(instream_new_memory(data, size, &in), 0);
        diag_free(*ret_diag);
        *ret_diag = d;
        return evtx_dump(in, fmt, threads, write_strbuf, out, d);
}

static const EventField *field(const Event *ev, const char *name) {
        for (size_t i = 0; i < ev->n_fields; i++)
                if (ev->fields[i].name && strcmp(ev->fields[i].name, name) == 0)
                        return &ev->fields[i];
        return NULL;
}

static const char *fval(const Event *ev, const char *name) {
        const EventField *f = field(ev, name);

        return f ? f->value : NULL;
}

/* --- CRC-32 ----------------------------------------------------------------------------- */

static void test_crc32(void **state) {
        uint8_t buf[70000];
        uint32_t x = 12345;

        assert_int_equal(crc32_update(0, "", 0), 0);
        assert_int_equal(crc32_update(0, "a", 1), 0xE8B7BE43);
        assert_int_equal(crc32_update(0, "123456789", 9), 0xCBF43926);
        assert_int_equal(crc32_update(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339);
        assert_int_equal(crc32_update_portable(0, "123456789", 9), 0xCBF43926);
        assert_int_equal(crc32_update(crc32_update(0, "12345", 5), "6789", 4), 0xCBF43926);
        for (size_t i = 0; i < sizeof(buf); i++) {
                x = x * 1103515245 + 12345;
                buf[i] = (uint8_t) (x >> 16);
        }
        /* Every length and alignment against the portable code (the CPU's path when it has one). */
        for (size_t n = 0; n < 600; n++)
                for (size_t o = 0; o < 4; o++)
                        assert_int_equal(crc32_update(0, buf + o, n), crc32_update_portable(0, buf + o, n));
        assert_int_equal(crc32_update(0, buf, sizeof(buf)), crc32_update_portable(0, buf, sizeof(buf)));
        assert_int_equal(crc32_update(crc32_update(0, buf, 1000), buf + 1000, sizeof(buf) - 1000),
                         crc32_update(0, buf, sizeof(buf)));
}

/* --- Files that are not .evtx ----------------------------------------------------------- */

static void expect_refused(const void *data, size_t size, const char *what) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;

        assert_int_equal(parse_threads(data, size, 1, &c, &d), -EBADMSG);
        assert_int_equal(diag_errors(d), 1);
        assert_int_equal(diag_count(d), 1);
        if (!has_warning(d, ANY_LINE, what)) {
                dump_diag(d);
                fail_msg("no diag with \"%s\"", what);
        }
        assert_int_equal(c.n_events, 0);
        collect_sink_done(&c);
}

static void test_not_evtx(void **state) {
        uint8_t evt[4096] = { 0x30, 0, 0, 0, 'L', 'f', 'L', 'e', 1, 0, 0, 0, 1, 0, 0, 0 };
        uint8_t noise[5000];
        size_t size;
        uint8_t *f;

        expect_refused("", 0, "empty file");
        expect_refused("<Events></Events>", 17, "not an .evtx log");
        expect_refused(evt, sizeof(evt), "legacy Windows event log (.evt");
        for (size_t i = 0; i < sizeof(noise); i++)
                noise[i] = (uint8_t) (i * 7919 + 13);
        expect_refused(noise, sizeof(noise), "not an .evtx log");

        /* A header and nothing else, while the header counts a chunk: truncated. */
        f = logon_file(1, 2, &size);
        expect_refused(f, EVTX_FILE_HEADER_SIZE, "truncated");
        expect_refused(f, 100, "truncated");
}

static void test_header_only_empty_log(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        size_t size;
        uint8_t *f = file_of(NULL, 0, 0, &size);

        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 0);
        assert_int_equal(diag_count(d), 0);
        collect_sink_done(&c);
}

/* --- What a record becomes -------------------------------------------------------------- */

static void test_event_rows(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        size_t size;
        uint8_t *f = logon_file(1, 3, &size);
        int64_t ticks;

        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        dump_diag(d);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 3);
        for (size_t i = 0; i < 3; i++) {
                const Event *ev = &c.events[i].ev;
                char user[16];

                assert_string_equal(ev->host, "IISServer");
                assert_string_equal(ev->channel, "Security");
                assert_string_equal(ev->provider, "Microsoft-Windows-Security-Auditing");
                assert_string_equal(ev->provider_guid, "{54849625-5478-4994-A5BA-3E3B0328C30D}");
                assert_int_equal(ev->event_id, 4624);
                assert_int_equal(ev->qualifiers, EVENT_NO_VALUE);
                assert_int_equal(ev->version, 2);
                assert_int_equal(ev->level, 0);
                assert_int_equal(ev->task, 12544);
                assert_int_equal(ev->opcode, 0);
                assert_string_equal(ev->keywords, "0x8020000000000000");
                assert_int_equal(ev->record_id, (int64_t) i + 1);
                assert_true(evtx_filetime_ticks(t0 + i + 1, &ticks));
                assert_int_equal(ev->time, ticks);
                assert_int_equal(ev->time_digits, 7);
                assert_string_equal(ev->user, "S-1-5-21-1-2-3-500");
                assert_null(ev->message);
                assert_int_equal(ev->n_fields, 3);
                assert_string_equal(ev->fields[0].name, "SubjectUserSid");
                assert_string_equal(ev->fields[0].value, "S-1-5-21-1-2-3-500");
                snprintf(user, sizeof(user), "user%zu", i + 1);
                assert_string_equal(ev->fields[1].name, "TargetUserName");
                assert_string_equal(ev->fields[1].value, user);
                assert_string_equal(ev->fields[2].name, "LogonType");
                assert_string_equal(ev->fields[2].value, "3");
                assert_null(ev->binary);
                assert_int_equal(ev->line, 0);
                assert_false(ev->recovered);
        }
        /* The first record sits right after the chunk header. */
        assert_int_equal(c.events[0].ev.offset, EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_HEADER_SIZE);
        assert_true(c.events[1].ev.offset > c.events[0].ev.offset);
        collect_sink_done(&c);
}

static void test_dump_xml(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        size_t size;
        uint8_t *f = logon_file(1, 1, &size);
        static const char expected[] =
                "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
                "  <System>\n"
                "    <Provider Name=\"Microsoft-Windows-Security-Auditing\" Guid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\"/>\n"
                "    <EventID>4624</EventID>\n"
                "    <Version>2</Version>\n"
                "    <Level>0</Level>\n"
                "    <Task>12544</Task>\n"
                "    <Opcode>0</Opcode>\n"
                "    <Keywords>0x8020000000000000</Keywords>\n"
                "    <TimeCreated SystemTime=\"2010-03-31T21:43:28.123456800Z\"/>\n"
                "    <EventRecordID>1</EventRecordID>\n"
                "    <Correlation/>\n"
                "    <Execution ProcessID=\"456\" ThreadID=\"460\"/>\n"
                "    <Channel>Security</Channel>\n"
                "    <Computer>IISServer</Computer>\n"
                "    <Security UserID=\"S-1-5-21-1-2-3-500\"/>\n"
                "  </System>\n"
                "  <EventData>\n"
                "    <Data Name=\"SubjectUserSid\">S-1-5-21-1-2-3-500</Data>\n"
                "    <Data Name=\"TargetUserName\">user1</Data>\n"
                "    <Data Name=\"LogonType\">3</Data>\n"
                "  </EventData>\n"
                "</Event>\n";

        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        assert_int_equal(diag_count(d), 0);
        assert_string_equal(strbuf_str(&out), expected);
}

static void test_dump_jsonl(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        size_t size;
        uint8_t *f = logon_file(1, 2, &size);
        static const char expected[] =
                "{\"record_id\":2,\"time\":\"2010-03-31T21:43:28.1234569Z\",\"event_id\":4624,\"qualifiers\":null,"
                "\"version\":2,\"level\":0,\"task\":12544,\"opcode\":0,\"keywords\":\"0x8020000000000000\","
                "\"provider\":\"Microsoft-Windows-Security-Auditing\","
                "\"provider_guid\":\"{54849625-5478-4994-A5BA-3E3B0328C30D}\",\"channel\":\"Security\","
                "\"computer\":\"IISServer\",\"user\":\"S-1-5-21-1-2-3-500\",\"process_id\":456,\"thread_id\":460,"
                "\"activity_id\":null,\"recovered\":false,\"binary\":null,"
                "\"data\":{\"SubjectUserSid\":\"S-1-5-21-1-2-3-500\",\"TargetUserName\":\"user2\",\"LogonType\":\"3\"}}\n";
        const char *second;

        assert_int_equal(dump(f, size, EVTX_DUMP_JSONL, 1, &out, &d), 0);
        assert_int_equal(diag_count(d), 0);
        second = strchr(strbuf_str(&out), '\n');
        assert_non_null(second);
        assert_string_equal(second + 1, expected);
}

/* --- Templates -------------------------------------------------------------------------- */

static void test_template_defined_earlier(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *ch = chunk_new();
        size_t size;
        uint8_t *f;
        uint32_t first, second;

        first = w_record(ch, 1, event(1, logon_data("alice")));
        second = w_record(ch, 2, event(2, logon_data("bob")));
        chunk_finish(ch);
        /* The second record refers to definitions inside the first instead of holding them: */
        assert_true(second - first > ch->pos - second);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 2);
        assert_string_equal(fval(&c.events[0].ev, "TargetUserName"), "alice");
        assert_string_equal(fval(&c.events[1].ev, "TargetUserName"), "bob");
        collect_sink_done(&c);
}

/* Runs the worker over chunks directly, to see the cache at work. */
static void test_template_cache_across_chunks(void **state) {
        EvtxConfig cfg = { .mode = EVTX_MODE_IMPORT, .style = EVTX_STYLE_LIBEVTX, .check_crc = true };
        EvtxWorker *w = evtx_worker_new(&cfg);
        EvtxBatch b = {};
        Chunk *c1 = logon_chunk(1, 3), *c2 = logon_chunk(4, 3), *c3;
        EvtxChunk ec;
        size_t cached;
        uint8_t *p;

        assert_non_null(w);
        ec = (EvtxChunk) { .data = c1->d, .size = EVTX_CHUNK_SIZE, .index = 0, .file_offset = 4096 };
        assert_int_equal(evtx_chunk_process(w, &ec, &b), 0);
        assert_int_equal(b.n_records, 3);
        assert_int_equal(w->compiled, 2);       /* System, EventData */
        cached = w->cache_mem;
        assert_true(cached > 0);
        /* The same definitions at the same places: nothing compiled again. */
        ec = (EvtxChunk) { .data = c2->d, .size = EVTX_CHUNK_SIZE, .index = 1, .file_offset = 4096 + 65536 };
        assert_int_equal(evtx_chunk_process(w, &ec, &b), 0);
        assert_int_equal(b.n_records, 3);
        assert_int_equal(w->compiled, 2);
        assert_int_equal(w->cache_mem, cached);
        assert_string_equal(b.strings.sb.data + b.fields[b.records[0].first_field + 1].value, "user4");

        /* A copy of chunk 2 where a name the EventData template borrows from the System
         * template ("Name", written inline in the first definition) is spelled differently: the
         * EventData definition's own bytes are the same, but its compiled form must not be
         * reused. */
        c3 = keep(malloc(sizeof(Chunk)));
        memcpy(c3, c2, sizeof(Chunk));
        p = memmem(c3->d, EVTX_CHUNK_SIZE, "N\0a\0m\0e\0\0\0", 10);
        assert_non_null(p);
        p[2] = 'o';     /* "Nome" */
        chunk_checksums(c3);
        ec = (EvtxChunk) { .data = c3->d, .size = EVTX_CHUNK_SIZE, .index = 2, .file_offset = 4096 + 2 * 65536 };
        assert_int_equal(evtx_chunk_process(w, &ec, &b), 0);
        assert_int_equal(w->compiled, 4);       /* both again: one changed, one borrows from it */
        assert_true(w->cache_mem > cached);
        /* <Data Nome='…'>: had the cached EventData template been reused, its fields would
         * still be named. */
        assert_int_equal(b.n_records, 3);
        assert_int_equal(b.fields[b.records[0].first_field].name, EVTX_NO_STR);
        assert_string_equal(b.strings.sb.data + b.fields[b.records[0].first_field + 1].value, "user4");

        evtx_batch_done(&b);
        evtx_worker_free(w);
}

/* --- Values ----------------------------------------------------------------------------- */

static void test_value_types(void **state) {
        static const char tpl[] =
                "<EventData><Data Name='i8'>%0</Data><Data Name='u8'>%1</Data><Data Name='i16'>%2</Data>"
                "<Data Name='u16'>%3</Data><Data Name='i32'>%4</Data><Data Name='u32'>%5</Data>"
                "<Data Name='i64'>%6</Data><Data Name='u64'>%7</Data><Data Name='r32'>%8</Data>"
                "<Data Name='r64'>%9</Data><Data Name='bool1'>%10</Data><Data Name='bool0'>%11</Data>"
                "<Data Name='bin'>%12</Data><Data Name='guid'>%13</Data><Data Name='size4'>%14</Data>"
                "<Data Name='size8'>%15</Data><Data Name='ft'>%16</Data><Data Name='st'>%17</Data>"
                "<Data Name='sid'>%18</Data><Data Name='hex32'>%19</Data><Data Name='hex64'>%20</Data>"
                "<Data Name='ansi'>%21</Data><Data Name='str'>%22</Data><Data Name='null'>%23</Data>"
                "<Data Name='short'>%24</Data><Data Name='nul'>%25</Data><Binary>%26</Binary></EventData>";
        static const uint8_t bin[] = { 0xDE, 0xAD, 0xBE, 0xEF };
        static const uint8_t st[] = { 0xDA, 0x07, 3, 0, 3, 0, 31, 0, 21, 0, 43, 0, 28, 0, 0x7B, 0 };
        static const uint8_t ansi[] = { 'c', 'a', 'f', 0xE9, 0 };
        static const uint8_t nul[] = { 'a', 0, 0, 0, 'b', 0 };
        float r32 = 1.5f;
        double r64 = 0.25;
        Val v[27];
        Inst data = { .tpl = tpl, .vals = v, .n = 27 };
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *ch = chunk_new();
        const Event *ev;
        uint32_t bits32;
        uint64_t bits64;
        size_t size;
        uint8_t *f;

        memcpy(&bits32, &r32, 4);
        memcpy(&bits64, &r64, 8);
        v[0] = v_int(VT_INT8, (uint8_t) -5, 1);
        v[1] = v_u8(250);
        v[2] = v_int(VT_INT16, (uint16_t) -300, 2);
        v[3] = v_u16(60000);
        v[4] = v_int(VT_INT32, (uint32_t) -70000, 4);
        v[5] = v_u32(4000000000u);
        v[6] = v_int(VT_INT64, (uint64_t) -5000000000ll, 8);
        v[7] = v_u64(18000000000000000000ull);
        v[8] = v_int(VT_REAL32, bits32, 4);
        v[9] = v_int(VT_REAL64, bits64, 8);
        v[10] = v_int(VT_BOOL, 1, 4);
        v[11] = v_int(VT_BOOL, 0, 4);
        v[12] = v_bytes(VT_BINARY, bin, sizeof(bin));
        v[13] = v_guid();
        v[14] = v_int(VT_SIZET, 1234, 4);
        v[15] = v_int(VT_SIZET, 0x1234567890ull, 8);
        v[16] = v_filetime(filetime(2010, 3, 31, 21, 43, 28, 1234567));
        v[17] = v_bytes(VT_SYSTEMTIME, st, sizeof(st));
        v[18] = v_sid();
        v[19] = v_int(VT_HEXINT32, 42, 4);
        v[20] = v_int(VT_HEXINT64, 42, 8);
        v[21] = v_bytes(VT_ANSI_STRING, ansi, sizeof(ansi));
        v[22] = v_str("caf\xC3\xA9 \xF0\x9F\x98\x80 <&>");
        v[23] = v_null();
        v[24] = v_int(VT_UINT32, 7, 2);         /* too short for its type */
        v[25] = v_bytes(VT_STRING, nul, sizeof(nul));
        v[26] = v_bytes(VT_BINARY, bin, sizeof(bin));

        w_record(ch, 1, event(1, &data));
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 1);
        ev = &c.events[0].ev;
        assert_string_equal(fval(ev, "i8"), "-5");
        assert_string_equal(fval(ev, "u8"), "250");
        assert_string_equal(fval(ev, "i16"), "-300");
        assert_string_equal(fval(ev, "u16"), "60000");
        assert_string_equal(fval(ev, "i32"), "-70000");
        assert_string_equal(fval(ev, "u32"), "4000000000");
        assert_string_equal(fval(ev, "i64"), "-5000000000");
        assert_string_equal(fval(ev, "u64"), "18000000000000000000");
        assert_string_equal(fval(ev, "r32"), "1.5");
        assert_string_equal(fval(ev, "r64"), "0.25");
        assert_string_equal(fval(ev, "bool1"), "true");
        assert_string_equal(fval(ev, "bool0"), "false");
        assert_string_equal(fval(ev, "bin"), "DEADBEEF");
        assert_string_equal(fval(ev, "guid"), "{54849625-5478-4994-A5BA-3E3B0328C30D}");
        assert_string_equal(fval(ev, "size4"), "1234");
        assert_string_equal(fval(ev, "size8"), "78187493520");
        assert_string_equal(fval(ev, "ft"), "2010-03-31T21:43:28.123456700Z");
        assert_string_equal(fval(ev, "st"), "2010-03-31T21:43:28.123Z");
        assert_string_equal(fval(ev, "sid"), "S-1-5-21-1-2-3-500");
        assert_string_equal(fval(ev, "hex32"), "0x0000002a");
        assert_string_equal(fval(ev, "hex64"), "0x000000000000002a");
        assert_string_equal(fval(ev, "ansi"), "caf\xC3\xA9");
        assert_string_equal(fval(ev, "str"), "caf\xC3\xA9 \xF0\x9F\x98\x80 <&>");
        /* A NULL value in a normal substitution: the element stays, empty. */
        assert_string_equal(fval(ev, "null"), "");
        assert_string_equal(fval(ev, "short"), "");
        assert_string_equal(fval(ev, "nul"), "a");
        assert_int_equal(ev->binary_size, 4);
        assert_memory_equal(ev->binary, bin, 4);
        assert_true(has_warning(d, ANY_LINE, "1 values too short for their type"));
        assert_int_equal(diag_count(d), 1);
        collect_sink_done(&c);
}

static void test_dump_windows_style(void **state) {
        static const char tpl[] = "<EventData><Data Name='h32'>%0</Data><Data Name='h64'>%1</Data>"
                                  "<Data Name='sz'>%2</Data><Data Name='s'>%3</Data></EventData>";
        Val v[4];
        Inst data = { .tpl = tpl, .vals = v, .n = 4 };
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        Chunk *ch = chunk_new();
        size_t size;
        uint8_t *f;

        v[0] = v_int(VT_HEXINT32, 0x3e7, 4);
        v[1] = v_int(VT_HEXINT64, 0x3e7, 8);
        v[2] = v_int(VT_SIZET, 0x24c, 8);
        v[3] = v_str("a\"b'<c>&\r\n\x01");
        w_record(ch, 1, event(1, &data));
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        /* Windows writes hex numbers without padding; text is escaped, CR kept as a
         * reference, a control character XML cannot carry replaced. */
        assert_non_null(strstr(strbuf_str(&out), "<Data Name=\"h32\">0x3e7</Data>"));
        assert_non_null(strstr(strbuf_str(&out), "<Data Name=\"h64\">0x3e7</Data>"));
        assert_non_null(strstr(strbuf_str(&out), "<Data Name=\"sz\">0x24c</Data>"));
        assert_non_null(strstr(strbuf_str(&out), "<Data Name=\"s\">a\"b'&lt;c&gt;&amp;&#13;\n\xEF\xBF\xBD</Data>"));
}

/* Strings on both paths (the XML writer decodes and escapes in one pass, the rows use the value
 * renderer): the same characters, escaped only in XML. */
static void test_string_corners(void **state) {
        static const char tpl[] = "<EventData><Data Name='mix'>%0</Data><Data Name='odd'>%1</Data>"
                                  "<Data Name='nul'>%2</Data><Data Name='eol'>%3</Data><Data Name='sur'>%4</Data>"
                                  "<Data Name='ctl'>%5</Data><A v='%0'/></EventData>";
        static const uint8_t odd[] = { 'a', 0, 'b', 0, 'c' };
        static const uint8_t nul[] = { 'x', 0, 0, 0, 'y', 0 };
        static const uint8_t eol[] = { '\r', 0, '\n', 0 };
        static const uint8_t sur[] = { 0x00, 0xDC, 'k', 0, 0xFE, 0xFF, 0x3D, 0xD8, 0x00, 0xDE };
        static const uint8_t ctl[] = { 0x01, 0, 'z', 0 };
        Val v[6];
        Inst data = { .tpl = tpl, .vals = v, .n = 6 };
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        CollectSink c;
        Chunk *ch = chunk_new();
        const Event *ev;
        const char *x;
        size_t size;
        uint8_t *f;

        v[0] = v_str("a\tb\nc\r\"<&>'");
        v[1] = v_bytes(VT_STRING, odd, sizeof(odd));
        v[2] = v_bytes(VT_STRING, nul, sizeof(nul));
        v[3] = v_bytes(VT_STRING, eol, sizeof(eol));
        v[4] = v_bytes(VT_STRING, sur, sizeof(sur));
        v[5] = v_bytes(VT_STRING, ctl, sizeof(ctl));
        w_record(ch, 1, event(1, &data));
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);

        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        ev = &c.events[0].ev;
        assert_string_equal(fval(ev, "mix"), "a\tb\nc\r\"<&>'");
        assert_string_equal(fval(ev, "odd"), "ab\xEF\xBF\xBD");
        assert_string_equal(fval(ev, "nul"), "x");
        assert_string_equal(fval(ev, "eol"), "");
        /* A lone low surrogate becomes U+FFFD; U+FFFE is kept in the rows (valid UTF-8); a pair
         * decodes. */
        assert_string_equal(fval(ev, "sur"), "\xEF\xBF\xBDk\xEF\xBF\xBE\xF0\x9F\x98\x80");
        assert_string_equal(fval(ev, "ctl"), "\x01z");
        assert_true(has_warning(d, ANY_LINE, "record 1: 2 invalid UTF-16 sequences"));
        collect_sink_done(&c);

        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        x = strbuf_str(&out);
        assert_non_null(strstr(x, "<Data Name=\"mix\">a\tb\nc&#13;\"&lt;&amp;&gt;'</Data>"));
        assert_non_null(strstr(x, "<A v=\"a&#9;b&#10;c&#13;&quot;&lt;&amp;&gt;'\"/>"));
        assert_non_null(strstr(x, "<Data Name=\"odd\">ab\xEF\xBF\xBD</Data>"));
        assert_non_null(strstr(x, "<Data Name=\"nul\">x</Data>"));
        assert_non_null(strstr(x, "<Data Name=\"eol\"/>"));
        /* XML cannot hold U+FFFE nor control characters: U+FFFD in their place. */
        assert_non_null(strstr(x, "<Data Name=\"sur\">\xEF\xBF\xBDk\xEF\xBF\xBD\xF0\x9F\x98\x80</Data>"));
        assert_non_null(strstr(x, "<Data Name=\"ctl\">\xEF\xBF\xBDz</Data>"));
        assert_true(has_warning(d, ANY_LINE, "record 1: 2 invalid UTF-16 sequences"));
}

static void test_arrays(void **state) {
        static const char tpl[] = "<EventData><Data Name='list'>%0</Data><Data Name='n'>%1</Data>"
                                  "<Data Name='none'>%2</Data><Item at='%3'/></EventData>";
        static const uint8_t strs[] = { 'a', 0, 0, 0, 'b', 0, 0, 0, 'c', 0 };
        static const uint8_t nums[] = { 1, 0, 2, 0 };
        Val v[4];
        Inst data = { .tpl = tpl, .vals = v, .n = 4 };
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        CollectSink c;
        Chunk *ch = chunk_new();
        const Event *ev;
        size_t size;
        uint8_t *f;

        v[0] = v_bytes(VT_STRING | VT_ARRAY, strs, sizeof(strs));
        v[1] = v_bytes(VT_UINT16 | VT_ARRAY, nums, sizeof(nums));
        v[2] = v_bytes(VT_UINT32 | VT_ARRAY, "", 0);
        v[3] = v_bytes(VT_UINT16 | VT_ARRAY, nums, sizeof(nums));
        w_record(ch, 1, event(1, &data));
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(diag_count(d), 0);
        ev = &c.events[0].ev;
        /* The element repeats once per item; an empty array leaves one empty element. */
        assert_int_equal(ev->n_fields, 6);
        assert_string_equal(ev->fields[0].value, "a");
        assert_string_equal(ev->fields[1].value, "b");
        assert_string_equal(ev->fields[2].value, "c");
        assert_string_equal(ev->fields[0].name, "list");
        assert_string_equal(ev->fields[2].name, "list");
        assert_string_equal(ev->fields[3].value, "1");
        assert_string_equal(ev->fields[4].value, "2");
        assert_string_equal(ev->fields[5].name, "none");
        assert_string_equal(ev->fields[5].value, "");
        collect_sink_done(&c);

        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        assert_non_null(strstr(strbuf_str(&out), "<Data Name=\"list\">a</Data>\n    <Data Name=\"list\">b</Data>"));
        assert_non_null(strstr(strbuf_str(&out), "<Item at=\"1, 2\"/>"));
        strbuf_reset(&out);
        assert_int_equal(dump(f, size, EVTX_DUMP_JSONL, 1, &out, &d), 0);
        assert_non_null(strstr(strbuf_str(&out), "\"data\":{\"list\":[\"a\",\"b\",\"c\"],\"n\":[\"1\",\"2\"],\"none\":\"\"}"));
}

static void test_userdata_nested(void **state) {
        static const char inner[] = "<LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>"
                                    "<SubjectUserName>%0</SubjectUserName><Channel>%1</Channel><BackupPath>%?2</BackupPath>"
                                    "<Deep><Leaf>%3</Leaf><Empty/></Deep></LogFileCleared>";
        static const char wrap[] = "<UserData>%0</UserData>";
        Val vi[4], vw[1];
        Inst in = { .tpl = inner, .vals = vi, .n = 4 }, w = { .tpl = wrap, .vals = vw, .n = 1 };
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *ch = chunk_new();
        const Event *ev;
        size_t size;
        uint8_t *f;

        vi[0] = v_str("admin");
        vi[1] = v_str("System");
        vi[2] = v_null();
        vi[3] = v_str("deep");
        vw[0] = v_nested(&in);
        w_record(ch, 1, event(1, &w));
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(diag_count(d), 0);
        ev = &c.events[0].ev;
        /* Leaves of the single child, by element name; the optional BackupPath whose value is
         * NULL is left out; deeper empty leaves too. */
        assert_int_equal(ev->n_fields, 3);
        assert_string_equal(ev->fields[0].name, "SubjectUserName");
        assert_string_equal(ev->fields[0].value, "admin");
        assert_string_equal(ev->fields[1].name, "Channel");
        assert_string_equal(ev->fields[1].value, "System");
        assert_string_equal(ev->fields[2].name, "Leaf");
        assert_string_equal(ev->fields[2].value, "deep");
        collect_sink_done(&c);
}

static void test_optional_null(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        Chunk *ch = chunk_new();
        Inst *in = event(1, NULL);
        Val *v = (Val *) in->vals;
        size_t size;
        uint8_t *f;

        v[5] = v_null();        /* <Version>%?5</Version> goes away */
        v[18] = v_null();       /* UserID='%?18' goes away */
        w_record(ch, 1, in);
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        assert_null(strstr(strbuf_str(&out), "<Version"));
        assert_non_null(strstr(strbuf_str(&out), "<Security/>"));
        assert_non_null(strstr(strbuf_str(&out), "<EventID>4624</EventID>\n    <Level>"));
}

static void test_tokens_without_template(void **state) {
        /* Forwarded events are written without templates (and without dependency ids). */
        static const char raw[] =
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                "<Provider Name='Fwd &amp; Co'/><EventID Qualifiers='16384'>7036</EventID>"
                "<TimeCreated SystemTime='2021-11-19T16:52:33.8337335Z'/><EventRecordID>77</EventRecordID>"
                "<Channel>Forwarded</Channel><Computer>wec</Computer></System>"
                "<EventData><Data>a&lt;b&#65;</Data><Data><![CDATA[x<y]]></Data><?note hi?></EventData></Event>";
        Inst in = { .raw = raw };
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        CollectSink c;
        Chunk *ch = chunk_new();
        const Event *ev;
        int64_t ticks;
        int digits;
        size_t size;
        uint8_t *f;

        w_record(ch, 77, &in);
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        dump_diag(d);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 1);
        ev = &c.events[0].ev;
        assert_string_equal(ev->provider, "Fwd & Co");
        assert_int_equal(ev->event_id, 7036);
        assert_int_equal(ev->qualifiers, 16384);
        assert_int_equal(ev->record_id, 77);
        assert_int_equal(iso_parse_utc("2021-11-19T16:52:33.8337335Z", 28, &ticks, &digits), 0);
        assert_int_equal(ev->time, ticks);
        assert_int_equal(ev->n_fields, 2);
        assert_null(ev->fields[0].name);
        assert_string_equal(ev->fields[0].value, "a<bA");
        assert_string_equal(ev->fields[1].value, "x<y");
        collect_sink_done(&c);

        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        assert_non_null(strstr(strbuf_str(&out), "<Provider Name=\"Fwd &amp; Co\"/>"));
        assert_non_null(strstr(strbuf_str(&out), "<Data>a&lt;b&#65;</Data>"));
        assert_non_null(strstr(strbuf_str(&out), "<Data><![CDATA[x<y]]></Data>"));
        assert_non_null(strstr(strbuf_str(&out), "<?note hi?>"));
}

/* What XML cannot hold is made so: characters no name may contain, twice the same attribute,
 * a processing instruction named "xml". */
static void test_names_made_xml(void **state) {
        static const char raw[] = "<Event><System><EventID>1</EventID></System><EventData>"
                                  "<Bad x='1' x='2'>v</Bad><?xml v?></EventData></Event>";
        Inst in = { .raw = raw };
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        Chunk *ch = chunk_new();
        size_t size;
        uint8_t *f, *p;

        w_record(ch, 1, &in);
        chunk_finish(ch);
        p = memmem(ch->d, EVTX_CHUNK_SIZE, "B\0a\0d\0", 6);
        assert_non_null(p);
        p[0] = '9';     /* no name starts with a digit */
        p[2] = 0x8E;    /* U+008E: no name character at all */
        chunk_checksums(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        assert_non_null(strstr(strbuf_str(&out), "<__d x=\"1\">v</__d>"));
        assert_non_null(strstr(strbuf_str(&out), "<?_xml v?>"));
}

static void test_bad_utf16(void **state) {
        static const uint8_t bad[] = { 'o', 0, 0x00, 0xD8, 'k', 0 };   /* a lone high surrogate */
        Val v[3];
        Inst data = { .tpl = LOGON_TPL, .vals = v, .n = 3 };
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *ch = chunk_new();
        size_t size;
        uint8_t *f;

        v[0] = v_sid();
        v[1] = v_bytes(VT_STRING, bad, sizeof(bad));
        v[2] = v_u32(3);
        w_record(ch, 1, event(1, &data));
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 1);
        assert_string_equal(fval(&c.events[0].ev, "TargetUserName"), "o\xEF\xBF\xBDk");
        assert_true(has_warning(d, ANY_LINE, "chunk 0: record 1: 1 invalid UTF-16 sequences replaced with U+FFFD"));
        collect_sink_done(&c);
}

/* --- Damage ------------------------------------------------------------------------------ */

static void test_bad_checksums(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        size_t size;
        uint8_t *f = logon_file(2, 3, &size);
        uint8_t *name;

        f[60] ^= 1;                                             /* file header, unused byte */
        f[EVTX_FILE_HEADER_SIZE + 80] ^= 1;                     /* chunk 0 header, unused byte */
        name = memmem(f + EVTX_FILE_HEADER_SIZE + 65536, 65536, "u\0s\0e\0r\0005\0", 10);
        assert_non_null(name);
        name[8] = '9';                                          /* chunk 1: record data */
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_true(has_warning(d, ANY_LINE, "file header checksum mismatch"));
        assert_true(has_warning(d, EVTX_FILE_HEADER_SIZE, "chunk 0: header checksum mismatch") ||
                    find_diag(d, ANY_LINE, "chunk 0: header checksum mismatch"));
        assert_non_null(find_diag(d, ANY_LINE, "chunk 1: records checksum mismatch"));
        assert_int_equal(find_diag(d, ANY_LINE, "chunk 1: records checksum")->offset, EVTX_FILE_HEADER_SIZE + 65536);
        assert_int_equal(diag_count(d), 3);
        /* Everything is still read, the damaged value as it now is. */
        assert_int_equal(c.n_events, 6);
        assert_string_equal(fval(&c.events[4].ev, "TargetUserName"), "user9");
        collect_sink_done(&c);

        /* The "no CRC-32" flag of format 3.2: checksums left at 0 are not checked. */
        f = logon_file(1, 2, &size);
        memset(f + EVTX_FILE_HEADER_SIZE + 52, 0, 4);
        memset(f + EVTX_FILE_HEADER_SIZE + 124, 0, 4);
        f[120] = EVTX_FILE_FLAG_NO_CRC32;
        memset(f + 124, 0, 4);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(diag_count(d), 0);
        assert_int_equal(c.n_events, 2);
        collect_sink_done(&c);
}

static void test_size_mismatch(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *ch = logon_chunk(1, 4);
        uint32_t second = le32(ch->d + EVTX_CHUNK_HEADER_SIZE + 4) + EVTX_CHUNK_HEADER_SIZE, size2, third;
        size_t size;
        uint8_t *f;
        const DiagEntry *e;

        /* Record 2's copy of its size is wrong, its content intact: read up to the next record,
         * flagged recovered, as everything after a break in the chain of records. */
        size2 = le32(ch->d + second + 4);
        third = second + size2;
        put32(ch->d + third - 4, size2 + 8);
        chunk_checksums(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 4);
        assert_false(c.events[0].ev.recovered);
        assert_true(c.events[1].ev.recovered);
        assert_true(c.events[3].ev.recovered);
        e = find_diag(d, ANY_LINE, "chunk 0: record 2 has a damaged size");
        assert_non_null(e);
        assert_int_equal(e->offset, EVTX_FILE_HEADER_SIZE + second);
        collect_sink_done(&c);

        /* The same with record 2's content destroyed: skipped with a warning, record 3 read. */
        memset(ch->d + second + 24, 0xEE, 40);
        chunk_checksums(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 3);
        assert_int_equal(c.events[1].ev.record_id, 3);
        e = find_diag(d, ANY_LINE, "chunk 0: no intact record at chunk offset");
        assert_non_null(e);
        assert_int_equal(e->offset, EVTX_FILE_HEADER_SIZE + second);
        collect_sink_done(&c);
}

static void test_undecodable_record(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *ch = logon_chunk(1, 3);
        uint32_t second = le32(ch->d + EVTX_CHUNK_HEADER_SIZE + 4) + EVTX_CHUNK_HEADER_SIZE;
        size_t size;
        uint8_t *f;

        /* Frame intact, BinXML not: skipped with a warning naming chunk, record and offset. */
        ch->d[second + 24] = 0x77;
        chunk_checksums(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 2);
        assert_int_equal(c.events[1].ev.record_id, 3);
        assert_false(c.events[1].ev.recovered);
        assert_non_null(find_diag(d, ANY_LINE, "chunk 0: record 2 skipped: unexpected token 0x77"));
        assert_int_equal(find_diag(d, ANY_LINE, "record 2 skipped")->offset, EVTX_FILE_HEADER_SIZE + second);
        collect_sink_done(&c);
}

static void test_slack_recovery(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf out = {};
        CollectSink c;
        Chunk *ch = chunk_new();
        uint32_t third, copy_at, fourth_end;
        size_t size;
        uint8_t *f;

        w_record(ch, 1, event(1, logon_data("a")));
        w_record(ch, 2, event(2, logon_data("b")));
        third = w_record(ch, 3, event(3, logon_data("c")));
        chunk_finish(ch);
        /* Record 4 lies past the free space offset; then a stale copy of record 2. */
        w_record(ch, 4, event(4, logon_data("d")));
        fourth_end = ch->pos;
        copy_at = ch->pos;
        w_bytes(ch, ch->d + EVTX_CHUNK_HEADER_SIZE + le32(ch->d + EVTX_CHUNK_HEADER_SIZE + 4),
                le32(ch->d + EVTX_CHUNK_HEADER_SIZE + le32(ch->d + EVTX_CHUNK_HEADER_SIZE + 4) + 4));
        assert_int_equal(le64(ch->d + copy_at + 8), 2);
        assert_int_equal(le32(ch->d + 48), third + le32(ch->d + third + 4));
        assert_true(fourth_end > le32(ch->d + 48));
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 4);
        assert_false(c.events[2].ev.recovered);
        assert_true(c.events[3].ev.recovered);
        assert_int_equal(c.events[3].ev.record_id, 4);
        assert_string_equal(fval(&c.events[3].ev, "TargetUserName"), "d");
        assert_true(has_warning(d, ANY_LINE, "1 records recovered from slack space or past damaged records"));
        assert_true(has_warning(d, ANY_LINE, "1 more were copies of records already read and were dropped"));
        collect_sink_done(&c);

        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &out, &d), 0);
        assert_non_null(strstr(strbuf_str(&out), "<!-- recovered from slack space at offset 0x"));
        assert_non_null(strstr(strbuf_str(&out), "<EventRecordID>4</EventRecordID>"));
        strbuf_reset(&out);
        assert_int_equal(dump(f, size, EVTX_DUMP_JSONL, 1, &out, &d), 0);
        assert_non_null(strstr(strbuf_str(&out), "\"record_id\":4,"));
        assert_non_null(strstr(strbuf_str(&out), "\"recovered\":true"));
}

static void test_chunk_slots(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *chunks[4] = { logon_chunk(1, 2), NULL, logon_chunk(3, 2), chunk_new() };
        size_t size;
        uint8_t *f;

        /* Slot 3: no chunk signature, but an intact record inside (a header wiped). */
        w_record(chunks[3], 9, event(9, logon_data("z")));
        chunk_finish(chunks[3]);
        memset(chunks[3]->d, 0, 8);
        /* The header counts one chunk: every slot is walked anyway; the empty one is skipped. */
        f = file_of(chunks, 4, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 5);
        assert_int_equal(c.events[2].ev.record_id, 3);
        assert_true(c.events[4].ev.recovered);
        assert_int_equal(c.events[4].ev.record_id, 9);
        assert_true(has_warning(d, ANY_LINE, "the file header counts 1 chunks; 2 were found and read"));
        assert_true(has_warning(d, ANY_LINE, "chunk 3: no chunk signature; 1 records recovered from its bytes"));
        collect_sink_done(&c);
}

static void test_truncations(void **state) {
        size_t size, end;
        uint8_t *f = logon_file(1, 3, &size);
        uint32_t ends[3], off = EVTX_CHUNK_HEADER_SIZE;

        for (size_t i = 0; i < 3; i++) {
                off += le32(f + EVTX_FILE_HEADER_SIZE + off + 4);
                ends[i] = EVTX_FILE_HEADER_SIZE + off;
        }
        end = ends[2] + 64;
        /* Every cut up to a little past the last record, then a sample of the rest. */
        for (size_t cut = 0; cut <= size; cut += cut < end ? 1 : 4093) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ uint8_t *copy = memdup_exact(f, cut);
                CollectSink c;
                size_t complete = 0;
                int r;

                /* A record cut in its trailing size copy (after its EOF token) still has all of
                 * its content: read as recovered. */
                for (size_t i = 0; i < 3; i++)
                        complete += ends[i] - 5 <= cut;
                r = parse_threads(copy, cut, 1, &c, &d);
                if (cut == size) {
                        assert_int_equal(r, 0);
                        assert_int_equal(c.n_events, 3);
                } else if (complete == 0) {
                        if (r != -EBADMSG)
                                fail_msg("cut at %zu: %d, %zu events", cut, r, c.n_events);
                        assert_int_equal(diag_errors(d), 1);
                } else {
                        assert_int_equal(r, 0);
                        assert_int_equal(c.n_events, complete);
                        assert_true(has_warning(d, ANY_LINE, "truncated"));
                }
                for (size_t i = 0; i < c.n_events; i++)
                        assert_int_equal(c.events[i].ev.record_id, (int64_t) i + 1);
                collect_sink_done(&c);
        }
}

/* --- Caps -------------------------------------------------------------------------------- */

static char *nested_raw(int depth) {
        StrBuf b = {};

        assert_int_equal(strbuf_puts(&b, "<Event><System><EventID>1</EventID></System>"), 0);
        for (int i = 1; i < depth; i++)
                assert_int_equal(strbuf_puts(&b, "<d>"), 0);
        assert_int_equal(strbuf_puts(&b, "x"), 0);
        for (int i = 1; i < depth; i++)
                assert_int_equal(strbuf_puts(&b, "</d>"), 0);
        assert_int_equal(strbuf_puts(&b, "</Event>"), 0);
        return keep(strbuf_steal(&b));
}

static void test_limits(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        Chunk *ch = chunk_new();
        Inst deep_ok = { .raw = nested_raw(EVDIAG_MAX_EVTX_DEPTH) };
        Inst deep_bad = { .raw = nested_raw(EVDIAG_MAX_EVTX_DEPTH + 1) };
        Val *many = keep(calloc(EVDIAG_MAX_EVTX_SUBSTITUTIONS + 1, sizeof(Val)));
        Inst subst_ok = { .tpl = LOGON_TPL, .vals = many, .n = EVDIAG_MAX_EVTX_SUBSTITUTIONS };
        Inst subst_bad = { .tpl = LOGON_TPL, .vals = many, .n = EVDIAG_MAX_EVTX_SUBSTITUTIONS + 1 };
        size_t size;
        uint8_t *f;

        for (size_t i = 0; i <= EVDIAG_MAX_EVTX_SUBSTITUTIONS; i++)
                many[i] = v_null();
        many[1] = v_str("many");
        w_record(ch, 1, &deep_ok);
        w_record(ch, 2, &deep_bad);
        w_record(ch, 3, event(3, &subst_ok));
        w_record(ch, 4, event(4, &subst_bad));
        chunk_finish(ch);
        f = file_of(&ch, 1, 1, &size);
        assert_int_equal(parse_threads(f, size, 1, &c, &d), 0);
        assert_int_equal(c.n_events, 2);
        assert_int_equal(c.events[0].ev.record_id, 1);
        assert_int_equal(c.events[1].ev.record_id, 3);
        assert_string_equal(fval(&c.events[1].ev, "TargetUserName"), "many");
        assert_true(has_warning(d, ANY_LINE, "record 2 skipped: elements nested deeper than 64"));
        assert_true(has_warning(d, ANY_LINE, "record 4 skipped: template instance with 2049 values, more than 2048"));
        collect_sink_done(&c);
}

static void test_random_bytes(void **state) {
        uint32_t x = 4242;
        size_t size;
        uint8_t *good = logon_file(1, 3, &size);

        for (int round = 0; round < 200; round++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ uint8_t *f = memdup_exact(good, size);
                CollectSink c;
                int flips = 1 + round % 40;

                /* Damage the chunk: bytes flipped at random places in its used part. */
                for (int i = 0; i < flips; i++) {
                        x = x * 1103515245 + 12345;
                        f[EVTX_FILE_HEADER_SIZE + (x >> 8) % 2600] ^= (uint8_t) (x >> 3);
                }
                (void) parse_threads(f, size, round % 2 ? 2 : 1, &c, &d);
                collect_sink_done(&c);
        }
        for (int round = 0; round < 50; round++) {
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ uint8_t *f = malloc(size);
                CollectSink c;

                for (size_t i = 0; i < size; i++) {
                        x = x * 1103515245 + 12345;
                        f[i] = (uint8_t) (x >> 16);
                }
                if (round % 2)  /* with signatures, so that the chunk is looked at */
                        memcpy(f, "ElfFile\0", 8), memcpy(f + EVTX_FILE_HEADER_SIZE, "ElfChnk\0", 8);
                assert_true(parse_threads(f, size, 1, &c, &d) >= -EBADMSG);
                collect_sink_done(&c);
        }
}

/* --- Threads ----------------------------------------------------------------------------- */

static void test_threads_same_output(void **state) {
        size_t size;
        uint8_t *f = logon_file(9, 40, &size);
        _cleanup_strbuf_ StrBuf one = {}, four = {};
        _cleanup_(diag_freep) Diag *d1 = NULL, *d4 = NULL;
        CollectSink c1, c4;

        /* Damage one chunk so that warnings come too, in order. */
        f[EVTX_FILE_HEADER_SIZE + 3 * 65536 + 80] ^= 1;
        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 1, &one, &d1), 0);
        assert_int_equal(dump(f, size, EVTX_DUMP_XML, 4, &four, &d4), 0);
        assert_true(one.len > 0);
        assert_string_equal(strbuf_str(&one), strbuf_str(&four));
        strbuf_reset(&one);
        strbuf_reset(&four);
        assert_int_equal(dump(f, size, EVTX_DUMP_JSONL, 1, &one, &d1), 0);
        assert_int_equal(dump(f, size, EVTX_DUMP_JSONL, 0, &four, &d4), 0);
        assert_string_equal(strbuf_str(&one), strbuf_str(&four));

        assert_int_equal(parse_threads(f, size, 1, &c1, &d1), 0);
        assert_int_equal(parse_threads(f, size, 3, &c4, &d4), 0);
        assert_int_equal(c1.n_events, 360);
        assert_int_equal(c4.n_events, 360);
        for (size_t i = 0; i < c1.n_events; i++) {
                assert_int_equal(c1.events[i].ev.record_id, c4.events[i].ev.record_id);
                assert_int_equal(c1.events[i].ev.offset, c4.events[i].ev.offset);
                assert_string_equal(fval(&c1.events[i].ev, "TargetUserName"), fval(&c4.events[i].ev, "TargetUserName"));
        }
        assert_int_equal(diag_count(d1), diag_count(d4));
        assert_true(has_warning(d4, ANY_LINE, "chunk 3: header checksum mismatch"));
        collect_sink_done(&c1);
        collect_sink_done(&c4);
}

static void test_sink_error(void **state) {
        size_t size;
        uint8_t *f = logon_file(6, 10, &size);

        for (unsigned threads = 1; threads <= 3; threads++) {
                _cleanup_(instream_freep) InStream *in = NULL;
                _cleanup_(diag_freep) Diag *d = diag_new("test.evtx");
                CollectSink c;

                collect_sink_init(&c);
                c.fail_after = 25;
                assert_int_equal(instream_new_memory(f, size, &in), 0);
                assert_int_equal(evtx_parse_threads(in, NULL, threads, &c.sink, d), -EIO);
                assert_int_equal(c.n_events, 24);
                collect_sink_done(&c);
        }
}

/* --- A real sample ---------------------------------------------------------------------- */

static void test_real_sample(void **state) {
        _cleanup_(diag_freep) Diag *d = NULL;
        CollectSink c;
        const Event *http = NULL;

        if (parse_corpus(evtx_parse, "evtx/log2timeline__plaso__test_data_evtx_System.evtx", &c, &d) > 0)
                skip();
        assert_int_equal(c.n_events, 5009);
        for (size_t i = 0; i < c.n_events; i++)
                if (c.events[i].ev.provider && strcmp(c.events[i].ev.provider, "Microsoft-Windows-HttpEvent") == 0)
                        http = &c.events[i].ev;
        assert_non_null(http);
        assert_int_equal(http->event_id, 15007);
        assert_int_equal(http->qualifiers, 16384);
        assert_string_equal(http->channel, "System");
        collect_sink_done(&c);
}

/* --- Fuzz seeds ------------------------------------------------------------------------- */

static void write_seed(const char *dir, const char *name, const void *data, size_t size) {
        _cleanup_free_ char *path = NULL;
        FILE *out;

        assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
        out = fopen(path, "wb");
        assert_non_null(out);
        assert_int_equal(fwrite(data, 1, size, out), size);
        assert_int_equal(fclose(out), 0);
}

/* Seeds are trimmed to the used part of their chunk (the rest of a 64 KiB chunk is zeros):
 * the reader takes a cut chunk as it is. */
static void test_write_seeds(void **state) {
        const char *dir = getenv("EVTX_WRITE_SEEDS");
        size_t size;
        uint8_t *f;
        Chunk *ch;

        assert_non_null(dir);
        f = logon_file(1, 3, &size);
        write_seed(dir, "logon-3", f, EVTX_FILE_HEADER_SIZE + le32(f + EVTX_FILE_HEADER_SIZE + 48));
        {
                static const char raw[] = "<Event xmlns='e'><System><Provider Name='P &amp; Q'/><EventID>1</EventID>"
                                          "</System><EventData><Data>a&#65;<![CDATA[c]]></Data><?t d?></EventData></Event>";
                Inst in = { .raw = raw };

                ch = chunk_new();
                w_record(ch, 1, &in);
                chunk_finish(ch);
                f = file_of(&ch, 1, 1, &size);
                write_seed(dir, "raw-tokens", f, EVTX_FILE_HEADER_SIZE + ch->pos);
        }
        {
                static const uint8_t strs[] = { 'a', 0, 0, 0, 'b', 0 };
                static const char tpl[] = "<EventData><Data Name='l'>%0</Data><X a='%1'/></EventData>";
                Val v[2];
                Inst data = { .tpl = tpl, .vals = v, .n = 2 };

                v[0] = v_bytes(VT_STRING | VT_ARRAY, strs, sizeof(strs));
                v[1] = v_int(VT_HEXINT64, 7, 8);
                ch = chunk_new();
                w_record(ch, 1, event(1, &data));
                w_record(ch, 2, event(2, logon_data("x")));
                chunk_finish(ch);
                w_record(ch, 3, event(3, logon_data("slack")));
                f = file_of(&ch, 1, 1, &size);
                write_seed(dir, "arrays-slack", f, EVTX_FILE_HEADER_SIZE + ch->pos);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_crc32, free_kept),
                cmocka_unit_test_teardown(test_not_evtx, free_kept),
                cmocka_unit_test_teardown(test_header_only_empty_log, free_kept),
                cmocka_unit_test_teardown(test_event_rows, free_kept),
                cmocka_unit_test_teardown(test_dump_xml, free_kept),
                cmocka_unit_test_teardown(test_dump_jsonl, free_kept),
                cmocka_unit_test_teardown(test_template_defined_earlier, free_kept),
                cmocka_unit_test_teardown(test_template_cache_across_chunks, free_kept),
                cmocka_unit_test_teardown(test_value_types, free_kept),
                cmocka_unit_test_teardown(test_dump_windows_style, free_kept),
                cmocka_unit_test_teardown(test_string_corners, free_kept),
                cmocka_unit_test_teardown(test_arrays, free_kept),
                cmocka_unit_test_teardown(test_userdata_nested, free_kept),
                cmocka_unit_test_teardown(test_optional_null, free_kept),
                cmocka_unit_test_teardown(test_tokens_without_template, free_kept),
                cmocka_unit_test_teardown(test_names_made_xml, free_kept),
                cmocka_unit_test_teardown(test_bad_utf16, free_kept),
                cmocka_unit_test_teardown(test_bad_checksums, free_kept),
                cmocka_unit_test_teardown(test_size_mismatch, free_kept),
                cmocka_unit_test_teardown(test_undecodable_record, free_kept),
                cmocka_unit_test_teardown(test_slack_recovery, free_kept),
                cmocka_unit_test_teardown(test_chunk_slots, free_kept),
                cmocka_unit_test_teardown(test_truncations, free_kept),
                cmocka_unit_test_teardown(test_limits, free_kept),
                cmocka_unit_test_teardown(test_random_bytes, free_kept),
                cmocka_unit_test_teardown(test_threads_same_output, free_kept),
                cmocka_unit_test_teardown(test_sink_error, free_kept),
                cmocka_unit_test_teardown(test_real_sample, free_kept),
        };
        const struct CMUnitTest seeds[] = {
                cmocka_unit_test_teardown(test_write_seeds, free_kept),
        };

        t0 = filetime(2010, 3, 31, 21, 43, 28, 1234567);
        if (getenv("EVTX_WRITE_SEEDS"))
                return cmocka_run_group_tests(seeds, NULL, NULL);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
