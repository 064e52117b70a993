/* SPDX-License-Identifier: MIT */
/* Event Viewer "Save All Events As" XML, `wevtutil qe /f:xml` output and single "Event Xml:"
 * elements.
 *
 * Two stages. A small scanner reads the transcoded UTF-8 in chunks and cuts out each <Event>
 * element: it knows comments, CDATA sections, processing instructions and quoted attribute
 * values, so a "</Event>" inside one of them does not end an element, and it never goes back
 * over what it has read. Nothing outside the elements matters, which is why a wevtutil file (no root
 * element, so not a well-formed document) reads as well as a saved one. Each element is then
 * parsed alone by libxml2's SAX2 push parser, one context reused for the whole file, and the
 * Event row is filled straight from the callbacks into buffers that are reused event after
 * event: no tree, no allocation per value. Memory stays bounded by the caps in limits.h
 * whatever the size of the file. */

#include "xml-export.h"

#include <errno.h>
#include <libxml/SAX2.h>
#include <libxml/dict.h>
#include <libxml/parser.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "base/alloc.h"
#include "base/datetime.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "base/text-reader.h"
#include "importer/xml-util.h"

/* Every input handed to libxml2 here is UTF-8 already (the TextReader transcoded it), so an
 * encoding="utf-16" in a declaration must not make it decode again. */
#define EVENT_PARSE_OPTIONS (XML_SAFE_OPTIONS | XML_PARSE_IGNORE_ENC)

/* The context's dictionary keeps every element and attribute name it has seen; real exports
 * use a few dozen. A hostile file with new names in every event would grow it without end, so
 * past this many the context is replaced. */
#define PARSER_MAX_DICT 10000

/* Longest text of a number element worth reading; more is not a number we accept anyway. */
#define NUMBER_MAX_TEXT 64

#define NO_STR SIZE_MAX

/* Warnings about one event's values kept until it is known whether the event is handed over;
 * past this many, the rest are dropped (a hostile element could repeat one bad value). */
#define BUILDER_MAX_NOTES 16

typedef enum Section {
        SECTION_NONE,
        SECTION_SYSTEM,
        SECTION_EVENT_DATA,
        SECTION_USER_DATA,
        SECTION_RENDERING,
} Section;

typedef enum Capture {
        CAPTURE_NONE,
        CAPTURE_EVENT_ID,
        CAPTURE_VERSION,
        CAPTURE_LEVEL,
        CAPTURE_TASK,
        CAPTURE_OPCODE,
        CAPTURE_KEYWORDS,
        CAPTURE_RECORD_ID,
        CAPTURE_CHANNEL,
        CAPTURE_COMPUTER,
        CAPTURE_DATA,
        CAPTURE_BINARY,
        CAPTURE_MESSAGE,
        CAPTURE_USER_DATA,
} Capture;

/* The element and attribute names looked at. libxml2 hands names over interned in the
 * context's dictionary, so each is compared by pointer with the entry looked up once per
 * context: no string compare per element. */
typedef enum Name {
        NAME_EVENT,
        NAME_SYSTEM,
        NAME_EVENT_DATA,
        NAME_USER_DATA,
        NAME_RENDERING_INFO,
        NAME_PROVIDER,
        NAME_EVENT_ID,
        NAME_VERSION,
        NAME_LEVEL,
        NAME_TASK,
        NAME_OPCODE,
        NAME_KEYWORDS,
        NAME_TIME_CREATED,
        NAME_EVENT_RECORD_ID,
        NAME_CHANNEL,
        NAME_COMPUTER,
        NAME_SECURITY,
        NAME_DATA,
        NAME_BINARY,
        NAME_MESSAGE,
        NAME_NAME,
        NAME_EVENT_SOURCE_NAME,
        NAME_GUID,
        NAME_QUALIFIERS,
        NAME_SYSTEM_TIME,
        NAME_USER_ID,
        _NAME_MAX,
} Name;

static const char *const name_strings[_NAME_MAX] = {
        [NAME_EVENT] = "Event",
        [NAME_SYSTEM] = "System",
        [NAME_EVENT_DATA] = "EventData",
        [NAME_USER_DATA] = "UserData",
        [NAME_RENDERING_INFO] = "RenderingInfo",
        [NAME_PROVIDER] = "Provider",
        [NAME_EVENT_ID] = "EventID",
        [NAME_VERSION] = "Version",
        [NAME_LEVEL] = "Level",
        [NAME_TASK] = "Task",
        [NAME_OPCODE] = "Opcode",
        [NAME_KEYWORDS] = "Keywords",
        [NAME_TIME_CREATED] = "TimeCreated",
        [NAME_EVENT_RECORD_ID] = "EventRecordID",
        [NAME_CHANNEL] = "Channel",
        [NAME_COMPUTER] = "Computer",
        [NAME_SECURITY] = "Security",
        [NAME_DATA] = "Data",
        [NAME_BINARY] = "Binary",
        [NAME_MESSAGE] = "Message",
        [NAME_NAME] = "Name",
        [NAME_EVENT_SOURCE_NAME] = "EventSourceName",
        [NAME_GUID] = "Guid",
        [NAME_QUALIFIERS] = "Qualifiers",
        [NAME_SYSTEM_TIME] = "SystemTime",
        [NAME_USER_ID] = "UserID",
};

/* A field as offsets into the arena, which may move while the event is being built. */
typedef struct FieldRef {
        size_t name;            /* NO_STR for an unnamed <Data> */
        size_t value;
} FieldRef;

/* The event being built by the SAX callbacks. Its buffers are kept from one event to the next. */
typedef struct Builder {
        xmlParserCtxtPtr ctxt;
        const xmlChar *names[_NAME_MAX];        /* interned in ctxt's dictionary */
        Diag *diag;
        uint64_t line;                  /* where the element starts */

        int error;                      /* -ENOMEM met in a callback */
        bool abort;                     /* ignore the rest of this element */
        bool too_deep, not_event, has_dtd;

        unsigned depth;                 /* 1 = <Event> */
        Section section;
        Capture capture;                /* whose text is being collected, if anyone's */
        unsigned capture_depth;
        size_t capture_limit;
        bool capture_cut;
        size_t pending_name;            /* @Name of the <Data> being captured */
        StrBuf text;
        StrBuf scratch;                 /* an attribute value being decoded */

        StrBuf arena;                   /* the event's strings, each followed by a NUL */
        FieldRef *fields;
        size_t n_fields, a_fields;
        bool fields_dropped;
        uint8_t *binary;
        size_t binary_size, a_binary;

        StrBuf notes;                   /* pending warnings, each followed by a NUL */
        uint64_t note_lines[BUILDER_MAX_NOTES];
        size_t n_notes;

        size_t provider, source_name, provider_guid, keywords, channel, host, user, message;
        bool has_event_id, event_id_seen, has_time, time_seen;
        int64_t event_id, qualifiers, version, level, task, opcode, record_id, time;
        int time_digits;
} Builder;

typedef struct EventParser {
        xmlParserCtxtPtr ctxt;          /* created on first use, replaced after a bad element */
        Builder b;
        EventField *fields;             /* what the sink is handed */
        size_t a_fields;
        const ImportSink *sink;
        Diag *diag;
} EventParser;

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool name_is(const Builder *b, const xmlChar *name, Name which) {
        return name == b->names[which];
}

static void trim_blanks(const char **s, size_t *n) {
        while (*n > 0 && is_blank(**s)) {
                (*s)++;
                (*n)--;
        }
        while (*n > 0 && is_blank((*s)[*n - 1]))
                (*n)--;
}

/* Length of s without a UTF-8 sequence left incomplete at its end by a cut. */
static size_t utf8_drop_partial(const char *s, size_t n) {
        size_t i = n, back = 0, want;
        unsigned char lead;

        while (i > 0 && back < 4 && ((unsigned char) s[i - 1] & 0xC0) == 0x80) {
                i--;
                back++;
        }
        if (i == 0)
                return 0;
        lead = (unsigned char) s[i - 1];
        want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
        return want == back + 1 ? n : i - 1;
}

/* Line the parser is at, in the file. */
static uint64_t builder_cur_line(const Builder *b) {
        int l = b->ctxt ? xmlSAX2GetLineNumber(b->ctxt) : 0;

        return l > 0 ? b->line + (uint64_t) l - 1 : b->line;
}

static void builder_reset(Builder *b, xmlParserCtxtPtr ctxt, Diag *diag, uint64_t line) {
        b->ctxt = ctxt;
        b->diag = diag;
        b->line = line;
        b->error = 0;
        b->abort = b->too_deep = b->not_event = b->has_dtd = false;
        b->depth = 0;
        b->section = SECTION_NONE;
        b->capture = CAPTURE_NONE;
        b->capture_depth = 0;
        b->capture_limit = 0;
        b->capture_cut = false;
        b->pending_name = NO_STR;
        strbuf_reset(&b->text);
        strbuf_reset(&b->arena);
        b->n_fields = 0;
        b->fields_dropped = false;
        b->binary_size = 0;
        strbuf_reset(&b->notes);
        b->n_notes = 0;
        b->provider = b->source_name = b->provider_guid = b->keywords = NO_STR;
        b->channel = b->host = b->user = b->message = NO_STR;
        b->has_event_id = b->event_id_seen = b->has_time = b->time_seen = false;
        b->event_id = 0;
        b->qualifiers = b->version = b->level = b->task = b->opcode = b->record_id = EVENT_NO_VALUE;
        b->time = 0;
        b->time_digits = 0;
}

static void builder_done(Builder *b) {
        strbuf_done(&b->text);
        strbuf_done(&b->scratch);
        strbuf_done(&b->arena);
        strbuf_done(&b->notes);
        free(b->fields);
        free(b->binary);
        *b = (Builder) {};
}

static void builder_fail(Builder *b, int error) {
        if (b->error == 0)
                b->error = error;
        b->abort = true;
}

/* Records a warning about a value of this event, on the line the parser is at. */
static void builder_note(Builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void builder_note(Builder *b, const char *fmt, ...) {
        va_list ap;
        int r;

        if (b->n_notes >= BUILDER_MAX_NOTES)
                return;
        va_start(ap, fmt);
        r = strbuf_vprintf(&b->notes, fmt, ap);
        va_end(ap);
        if (r < 0 || strbuf_append(&b->notes, "", 1) < 0) {
                builder_fail(b, -ENOMEM);
                return;
        }
        b->note_lines[b->n_notes++] = builder_cur_line(b);
}

/* Moves the pending warnings into diag, once the event is handed over. */
static void builder_flush_notes(Builder *b) {
        const char *m = strbuf_str(&b->notes);

        for (size_t i = 0; i < b->n_notes; i++) {
                diag_warn_line(b->diag, b->note_lines[i], "%s", m);
                m += strlen(m) + 1;
        }
}

/* Copies s into the arena and returns its offset, or NO_STR when out of memory (recorded). A
 * string longer than limit is cut at a character boundary, with a warning naming what. */
static size_t builder_add(Builder *b, const char *s, size_t n, size_t limit, const char *what) {
        size_t off = b->arena.len;

        if (n > limit) {
                n = utf8_drop_partial(s, limit);
                builder_note(b, "%s cut to %zu bytes", what, n);
        }
        if (strbuf_append(&b->arena, s, n) < 0 || strbuf_append(&b->arena, "", 1) < 0) {
                builder_fail(b, -ENOMEM);
                return NO_STR;
        }
        return off;
}

/* Copies an attribute value into the arena. Without entity substitution (which stays off),
 * libxml2 hands an escaped '&' in an attribute over as "&#38;", to be decoded later by a tree
 * builder; there is none here, so it is done now. No other '&' can reach us: an entity that is
 * not predefined is undeclared (a DTD stops the parse), hence an error. Returns the offset, or
 * NO_STR when out of memory or when the value is empty and empty_absent. */
static size_t builder_add_attr_value(Builder *b, const xmlChar *value, const xmlChar *end, bool empty_absent,
                                     const char *what) {
        const char *v = (const char *) value, *amp;
        size_t n = end > value ? (size_t) (end - value) : 0, off;

        if (!v || (n == 0 && empty_absent))
                return NO_STR;
        amp = memchr(v, '&', n);
        if (!amp)
                return builder_add(b, v, n, EVDIAG_MAX_FIELD_VALUE, what);

        strbuf_reset(&b->scratch);
        while (amp) {
                if (strbuf_append(&b->scratch, v, (size_t) (amp - v)) < 0 || strbuf_putc(&b->scratch, '&') < 0) {
                        builder_fail(b, -ENOMEM);
                        return NO_STR;
                }
                n -= (size_t) (amp - v);
                if (n >= 5 && memcmp(amp, "&#38;", 5) == 0) {
                        v = amp + 5;
                        n -= 5;
                } else {
                        v = amp + 1;
                        n -= 1;
                }
                amp = memchr(v, '&', n);
        }
        if (strbuf_append(&b->scratch, v, n) < 0) {
                builder_fail(b, -ENOMEM);
                return NO_STR;
        }
        off = builder_add(b, b->scratch.data, b->scratch.len, EVDIAG_MAX_FIELD_VALUE, what);
        strbuf_reset(&b->scratch);
        return off;
}

/* An attribute of System; an empty value counts as absent. */
static size_t builder_add_attr(Builder *b, const xmlChar *v, const xmlChar *end, const char *what) {
        return builder_add_attr_value(b, v, end, true, what);
}

/* Finds the attribute with this local name in a SAX2 attribute array (5 pointers each:
 * localname, prefix, URI, value, end of value). */
static bool attr_find(const Builder *b, int nb_attributes, const xmlChar **attributes, Name name,
                      const xmlChar **ret_value, const xmlChar **ret_end) {
        for (int i = 0; i < nb_attributes; i++) {
                const xmlChar **a = attributes + 5 * i;

                if (name_is(b, a[0], name)) {
                        *ret_value = a[3];
                        *ret_end = a[4];
                        return true;
                }
        }
        return false;
}

/* Parses decimal digits with blanks around them. Returns 0, or -EBADMSG when s is not a
 * number from 0 to max. */
static int parse_decimal(const char *s, size_t n, uint64_t max, int64_t *ret) {
        uint64_t v = 0;

        trim_blanks(&s, &n);
        if (n == 0)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++) {
                unsigned d;

                if (s[i] < '0' || s[i] > '9')
                        return -EBADMSG;
                d = (unsigned) (s[i] - '0');
                if (v > max / 10 || v * 10 > max - d)
                        return -EBADMSG;
                v = v * 10 + d;
        }
        *ret = (int64_t) v;
        return 0;
}

static void warn_not_number(Builder *b, const char *what, const char *s, size_t n) {
        size_t shown = utf8_drop_partial(s, n < 32 ? n : 32);

        builder_note(b, "%s '%.*s%s' is not a valid number; ignored", what, (int) shown, s, shown < n ? "…" : "");
}

/* Reads an optional number: absent or empty leaves EVENT_NO_VALUE silently, anything else that
 * is not a number from 0 to max is a warning. */
static void set_number(Builder *b, int64_t *field, const char *what, const char *s, size_t n, bool cut, uint64_t max) {
        const char *t = s;
        size_t tn = n;

        trim_blanks(&t, &tn);
        if (tn == 0 && !cut)
                return;
        if (cut || parse_decimal(t, tn, max, field) < 0) {
                *field = EVENT_NO_VALUE;
                warn_not_number(b, what, t, tn);
        }
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static void binary_finish(Builder *b, const char *s, size_t n, bool cut) {
        trim_blanks(&s, &n);
        b->binary_size = 0;
        if (n == 0 && !cut)
                return;
        if (cut || n / 2 > EVDIAG_MAX_BINARY) {
                builder_note(b, "<Binary> longer than %d bytes; dropped", EVDIAG_MAX_BINARY);
                return;
        }
        if (n % 2 != 0) {
                builder_note(b, "<Binary> has an odd number of hex digits; ignored");
                return;
        }
        if (ARRAY_GROW(b->binary, b->a_binary, n / 2) < 0) {
                builder_fail(b, -ENOMEM);
                return;
        }
        for (size_t i = 0; i < n; i += 2) {
                int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);

                if (hi < 0 || lo < 0) {
                        builder_note(b, "<Binary> is not hexadecimal; ignored");
                        return;
                }
                b->binary[i / 2] = (uint8_t) (hi << 4 | lo);
        }
        b->binary_size = n / 2;
}

/* A trimmed System text (Keywords, Channel, Computer); empty counts as absent. */
static size_t builder_add_trimmed(Builder *b, const char *s, size_t n, const char *what) {
        trim_blanks(&s, &n);
        return n == 0 ? NO_STR : builder_add(b, s, n, EVDIAG_MAX_FIELD_VALUE, what);
}

static bool builder_field_room(Builder *b) {
        if (b->n_fields < EVDIAG_MAX_EVENT_FIELDS)
                return true;
        b->fields_dropped = true;
        return false;
}

static void builder_push_field(Builder *b, size_t name, size_t value) {
        if (value == NO_STR)
                return;         /* out of memory, already recorded */
        if (ARRAY_GROW(b->fields, b->a_fields, b->n_fields + 1) < 0) {
                builder_fail(b, -ENOMEM);
                return;
        }
        b->fields[b->n_fields++] = (FieldRef) { .name = name, .value = value };
}

static void capture_begin(Builder *b, Capture what, size_t limit) {
        b->capture = what;
        b->capture_depth = b->depth;
        b->capture_limit = limit;
        b->capture_cut = false;
        strbuf_reset(&b->text);
}

/* Texts kept as strings (numbers and Binary judge a cut value themselves). */
static bool capture_is_text(Capture what) {
        return what == CAPTURE_KEYWORDS || what == CAPTURE_CHANNEL || what == CAPTURE_COMPUTER ||
               what == CAPTURE_DATA || what == CAPTURE_MESSAGE || what == CAPTURE_USER_DATA;
}

static bool capture_is_number(Capture what) {
        return what == CAPTURE_EVENT_ID || what == CAPTURE_VERSION || what == CAPTURE_LEVEL ||
               what == CAPTURE_TASK || what == CAPTURE_OPCODE || what == CAPTURE_RECORD_ID;
}

static void capture_end(Builder *b, const xmlChar *localname) {
        const char *s = strbuf_str(&b->text);
        size_t n = b->text.len;
        bool cut = b->capture_cut;
        Capture what = b->capture;

        b->capture = CAPTURE_NONE;
        if (cut && capture_is_text(what)) {
                n = utf8_drop_partial(s, n);
                builder_note(b, "<%s> value cut to %zu bytes", (const char *) localname, n);
        }

        switch (what) {
        case CAPTURE_NONE:
                break;
        case CAPTURE_EVENT_ID: {
                const char *t = s;
                size_t tn = n;

                b->event_id_seen = true;
                trim_blanks(&t, &tn);
                b->has_event_id = !cut && parse_decimal(t, tn, UINT16_MAX, &b->event_id) >= 0;
                break;
        }
        case CAPTURE_VERSION:
                set_number(b, &b->version, "<Version>", s, n, cut, UINT8_MAX);
                break;
        case CAPTURE_LEVEL:
                set_number(b, &b->level, "<Level>", s, n, cut, UINT8_MAX);
                break;
        case CAPTURE_TASK:
                set_number(b, &b->task, "<Task>", s, n, cut, UINT16_MAX);
                break;
        case CAPTURE_OPCODE:
                set_number(b, &b->opcode, "<Opcode>", s, n, cut, UINT8_MAX);
                break;
        case CAPTURE_RECORD_ID:
                set_number(b, &b->record_id, "<EventRecordID>", s, n, cut, INT64_MAX);
                break;
        case CAPTURE_KEYWORDS:
                b->keywords = builder_add_trimmed(b, s, n, "<Keywords>");
                break;
        case CAPTURE_CHANNEL:
                b->channel = builder_add_trimmed(b, s, n, "<Channel>");
                break;
        case CAPTURE_COMPUTER:
                b->host = builder_add_trimmed(b, s, n, "<Computer>");
                break;
        case CAPTURE_DATA:
                builder_push_field(b, b->pending_name, builder_add(b, s, n, SIZE_MAX, "<Data>"));
                b->pending_name = NO_STR;
                break;
        case CAPTURE_BINARY:
                binary_finish(b, s, n, cut);
                break;
        case CAPTURE_MESSAGE:
                b->message = n == 0 ? NO_STR : builder_add(b, s, n, SIZE_MAX, "<Message>");
                break;
        case CAPTURE_USER_DATA: {
                size_t name;

                /* Leaves right under the UserData wrapper are fields even when empty (an
                 * empty BackupPath is still a value); deeper ones only when they say something. */
                if (b->depth != 4 && n == 0)
                        break;
                if (!builder_field_room(b))
                        break;
                name = builder_add(b, (const char *) localname, strlen((const char *) localname),
                                   EVDIAG_MAX_FIELD_VALUE, "element name");
                if (name != NO_STR)
                        builder_push_field(b, name, builder_add(b, s, n, SIZE_MAX, "value"));
                break;
        }
        }
}

static Section section_of(const Builder *b, const xmlChar *name) {
        if (name_is(b, name, NAME_SYSTEM))
                return SECTION_SYSTEM;
        if (name_is(b, name, NAME_EVENT_DATA))
                return SECTION_EVENT_DATA;
        if (name_is(b, name, NAME_USER_DATA))
                return SECTION_USER_DATA;
        if (name_is(b, name, NAME_RENDERING_INFO))
                return SECTION_RENDERING;
        return SECTION_NONE;
}

static void system_start(Builder *b, const xmlChar *name, int nb_attributes, const xmlChar **attributes) {
        static const struct {
                Name name;
                Capture capture;
        } texts[] = {
                { NAME_VERSION, CAPTURE_VERSION },
                { NAME_LEVEL, CAPTURE_LEVEL },
                { NAME_TASK, CAPTURE_TASK },
                { NAME_OPCODE, CAPTURE_OPCODE },
                { NAME_EVENT_RECORD_ID, CAPTURE_RECORD_ID },
                { NAME_KEYWORDS, CAPTURE_KEYWORDS },
                { NAME_CHANNEL, CAPTURE_CHANNEL },
                { NAME_COMPUTER, CAPTURE_COMPUTER },
        };
        const xmlChar *v, *end;

        if (name_is(b, name, NAME_PROVIDER)) {
                if (attr_find(b, nb_attributes, attributes, NAME_NAME, &v, &end))
                        b->provider = builder_add_attr(b, v, end, "Provider @Name");
                if (attr_find(b, nb_attributes, attributes, NAME_EVENT_SOURCE_NAME, &v, &end))
                        b->source_name = builder_add_attr(b, v, end, "Provider @EventSourceName");
                if (attr_find(b, nb_attributes, attributes, NAME_GUID, &v, &end))
                        b->provider_guid = builder_add_attr(b, v, end, "Provider @Guid");
        } else if (name_is(b, name, NAME_EVENT_ID)) {
                b->qualifiers = EVENT_NO_VALUE;
                if (attr_find(b, nb_attributes, attributes, NAME_QUALIFIERS, &v, &end) && end > v)
                        set_number(b, &b->qualifiers, "<EventID> @Qualifiers", (const char *) v, (size_t) (end - v),
                                   false, UINT16_MAX);
                capture_begin(b, CAPTURE_EVENT_ID, NUMBER_MAX_TEXT);
        } else if (name_is(b, name, NAME_TIME_CREATED)) {
                if (attr_find(b, nb_attributes, attributes, NAME_SYSTEM_TIME, &v, &end) && end > v) {
                        b->time_seen = true;
                        b->has_time = iso_parse_utc((const char *) v, (size_t) (end - v),
                                                    &b->time, &b->time_digits) >= 0;
                        if (b->time_digits < 0 || b->time_digits > 7)
                                b->time_digits = 7;
                }
        } else if (name_is(b, name, NAME_SECURITY)) {
                if (attr_find(b, nb_attributes, attributes, NAME_USER_ID, &v, &end))
                        b->user = builder_add_attr(b, v, end, "Security @UserID");
        } else
                for (size_t i = 0; i < ELEMENTSOF(texts); i++)
                        if (name_is(b, name, texts[i].name)) {
                                capture_begin(b, texts[i].capture,
                                              capture_is_number(texts[i].capture) ? NUMBER_MAX_TEXT
                                                                                  : EVDIAG_MAX_FIELD_VALUE);
                                break;
                        }
}

static void on_start(void *userdata, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
        Builder *b = userdata;
        const xmlChar *v, *end;

        if (b->abort)
                return;
        if (++b->depth > EVDIAG_MAX_XML_DEPTH) {
                b->too_deep = b->abort = true;
                return;
        }
        /* Only UserData captures can see a child start: their element is then no leaf. */
        if (b->capture == CAPTURE_USER_DATA)
                b->capture = CAPTURE_NONE;

        if (b->depth == 1) {
                if (!name_is(b, localname, NAME_EVENT))
                        b->not_event = b->abort = true;
                return;
        }
        if (b->depth == 2) {
                b->section = section_of(b, localname);
                return;
        }
        switch (b->section) {
        case SECTION_SYSTEM:
                if (b->depth == 3)
                        system_start(b, localname, nb_attributes, attributes);
                break;
        case SECTION_EVENT_DATA:
                if (b->depth != 3)
                        break;
                if (name_is(b, localname, NAME_DATA)) {
                        if (!builder_field_room(b))
                                break;
                        b->pending_name = NO_STR;
                        if (attr_find(b, nb_attributes, attributes, NAME_NAME, &v, &end))
                                b->pending_name = builder_add_attr_value(b, v, end, false, "<Data> @Name");
                        capture_begin(b, CAPTURE_DATA, EVDIAG_MAX_FIELD_VALUE);
                } else if (name_is(b, localname, NAME_BINARY))
                        capture_begin(b, CAPTURE_BINARY, 2 * (size_t) EVDIAG_MAX_BINARY + 64);
                break;
        case SECTION_USER_DATA:
                capture_begin(b, CAPTURE_USER_DATA, EVDIAG_MAX_FIELD_VALUE);
                break;
        case SECTION_RENDERING:
                if (b->depth == 3 && name_is(b, localname, NAME_MESSAGE))
                        capture_begin(b, CAPTURE_MESSAGE, EVDIAG_MAX_MESSAGE);
                break;
        case SECTION_NONE:
                break;
        }
}

static void on_end(void *userdata, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
        Builder *b = userdata;

        if (b->abort)
                return;
        if (b->capture != CAPTURE_NONE && b->capture_depth == b->depth)
                capture_end(b, localname);
        if (b->depth == 2)
                b->section = SECTION_NONE;
        if (b->depth > 0)
                b->depth--;
}

static void on_characters(void *userdata, const xmlChar *ch, int len) {
        Builder *b = userdata;
        size_t n = len > 0 ? (size_t) len : 0, room;

        if (b->abort || b->capture == CAPTURE_NONE || b->depth != b->capture_depth || n == 0)
                return;
        room = b->capture_limit - b->text.len;
        if (n > room) {
                /* Keep what fits and remember the cut: capture_end() warns, and trims a
                 * character the cut split. */
                n = room;
                b->capture_cut = true;
        }
        if (strbuf_append(&b->text, (const char *) ch, n) < 0)
                builder_fail(b, -ENOMEM);
}

static void on_internal_subset(void *userdata, const xmlChar *name, const xmlChar *external_id,
                               const xmlChar *system_id) {
        Builder *b = userdata;

        /* An exported event never carries a DTD; one that does is hostile or not an event.
         * Stop before its internal subset is even read (libxml2 checks for a stop right after
         * this callback, before it looks at the input again). */
        b->has_dtd = b->abort = true;
        xmlStopParser(b->ctxt);
}

static const char *arena_str(const Builder *b, size_t off) {
        return off == NO_STR ? NULL : b->arena.data + off;
}

static void parser_close_ctxt(EventParser *p) {
        if (p->ctxt)
                xmlFreeParserCtxt(p->ctxt);
        p->ctxt = NULL;
        p->b.ctxt = NULL;
        memset(p->b.names, 0, sizeof(p->b.names));
}

static int parser_open_ctxt(EventParser *p) {
        xmlSAXHandler sax = {
                .initialized = XML_SAX2_MAGIC,
                .startElementNs = on_start,
                .endElementNs = on_end,
                .characters = on_characters,
                /* Blank text inside <Data> is a value: keep it. */
                .ignorableWhitespace = on_characters,
                .internalSubset = on_internal_subset,
        };

        xml_util_init();
        p->ctxt = xmlCreatePushParserCtxt(&sax, &p->b, NULL, 0, NULL);
        if (!p->ctxt)
                return -ENOMEM;
        xmlCtxtUseOptions(p->ctxt, EVENT_PARSE_OPTIONS);
        for (size_t i = 0; i < _NAME_MAX; i++) {
                p->b.names[i] = xmlDictLookup(p->ctxt->dict, BAD_CAST name_strings[i], -1);
                if (!p->b.names[i]) {
                        parser_close_ctxt(p);
                        return -ENOMEM;
                }
        }
        return 0;
}

static void parser_done(EventParser *p) {
        parser_close_ctxt(p);
        builder_done(&p->b);
        free(p->fields);
        p->fields = NULL;
        p->a_fields = 0;
}

/* Hands the built event to the sink. Returns 1, 0 when it lacks what an event needs, or the
 * sink's negative errno. */
static int parser_emit(EventParser *p) {
        Builder *b = &p->b;
        Event ev;

        if (!b->has_event_id) {
                diag_warn_line(p->diag, b->line, "event skipped: %s",
                               b->event_id_seen ? "<EventID> is not a number from 0 to 65535" : "no <EventID>");
                return 0;
        }
        if (!b->has_time) {
                diag_warn_line(p->diag, b->line, "event skipped: %s",
                               b->time_seen ? "<TimeCreated> @SystemTime is not a valid time"
                                            : "no <TimeCreated> @SystemTime");
                return 0;
        }
        builder_flush_notes(b);
        if (b->fields_dropped)
                diag_warn_line(p->diag, b->line, "event has more than %d fields; the rest are dropped",
                               EVDIAG_MAX_EVENT_FIELDS);
        if (ARRAY_GROW(p->fields, p->a_fields, b->n_fields) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < b->n_fields; i++)
                p->fields[i] = (EventField) {
                        .name = arena_str(b, b->fields[i].name),
                        .value = arena_str(b, b->fields[i].value),
                };
        ev = (Event) {
                .host = arena_str(b, b->host),
                .channel = arena_str(b, b->channel),
                .provider = arena_str(b, b->provider != NO_STR ? b->provider : b->source_name),
                .provider_guid = arena_str(b, b->provider_guid),
                .event_id = b->event_id,
                .qualifiers = b->qualifiers,
                .version = b->version,
                .level = b->level,
                .task = b->task,
                .opcode = b->opcode,
                .keywords = arena_str(b, b->keywords),
                .record_id = b->record_id,
                .time = b->time,
                .time_digits = b->time_digits,
                .user = arena_str(b, b->user),
                .message = arena_str(b, b->message),
                .fields = b->n_fields > 0 ? p->fields : NULL,
                .n_fields = b->n_fields,
                .binary = b->binary_size > 0 ? b->binary : NULL,
                .binary_size = b->binary_size,
                .line = b->line,
                .offset = UINT64_MAX,
                .recovered = false,
        };
        if (!p->sink || !p->sink->event)
                return 1;
        int r = p->sink->event(p->sink->userdata, &ev);
        return r < 0 ? r : 1;
}

/* Parses one element. Returns 1 when an event was handed over, 0 when it was skipped (one
 * warning), or a negative errno. */
static int parser_run(EventParser *p, const char *xml, size_t n, uint64_t line) {
        Builder *b = &p->b;
        XmlErrorCapture cap;
        const char *encoding;
        bool clean;
        int r;

        if (n > EVDIAG_MAX_XML_EVENT) {
                diag_warn_line(p->diag, line, "event skipped: <Event> element larger than %d bytes",
                               EVDIAG_MAX_XML_EVENT);
                return 0;
        }
        if (!p->ctxt) {
                r = parser_open_ctxt(p);
                if (r < 0)
                        return r;
        }
        builder_reset(b, p->ctxt, p->diag, line);

        /* Naming "UTF-8" installs a converter that copies every byte once more. libxml2 only
         * guesses an encoding from the first four bytes, and "<Eve" matches none of its
         * signatures, so an element cut out by the scanner is read as UTF-8 without one.
         * Anything else (a text export's "Event Xml:" part may start with a BOM or a
         * declaration) is named explicitly. */
        encoding = n >= 6 && memcmp(xml, "<Event", 6) == 0 ? NULL : "UTF-8";
        xml_errors_begin(&cap, p->diag, line, "event skipped");
        if (xmlCtxtResetPush(p->ctxt, xml, (int) n, NULL, encoding) != 0) {
                xml_errors_end(&cap);
                parser_close_ctxt(p);
                return -ENOMEM;
        }
        xmlParseChunk(p->ctxt, NULL, 0, 1);
        xml_errors_end(&cap);

        clean = p->ctxt->wellFormed && cap.errors == 0 && !b->abort;
        /* A context left in the middle of an element keeps its namespace stack (libxml2's reset
         * does not clear it), and its dictionary only grows: start afresh in both cases. */
        if (!clean || xmlDictSize(p->ctxt->dict) > PARSER_MAX_DICT)
                parser_close_ctxt(p);

        if (b->error < 0)
                return b->error;
        if (cap.errors > 0)
                return 0;       /* libxml2's message is the warning */
        if (b->too_deep) {
                diag_warn_line(p->diag, line, "event skipped: elements nested deeper than %d", EVDIAG_MAX_XML_DEPTH);
                return 0;
        }
        if (b->has_dtd) {
                diag_warn_line(p->diag, line, "event skipped: a DOCTYPE is not allowed in an event");
                return 0;
        }
        if (b->not_event) {
                diag_warn_line(p->diag, line, "event skipped: the element is not <Event>");
                return 0;
        }
        if (!clean) {
                diag_warn_line(p->diag, line, "event skipped: malformed XML");
                return 0;
        }
        return parser_emit(p);
}

int xml_export_parse_event(const char *xml, size_t n, uint64_t line, const ImportSink *sink, Diag *diag) {
        EventParser p = {
                .sink = sink,
                .diag = diag,
        };
        int r;

        if (!xml)
                n = 0;
        if (line == 0)
                line = 1;
        r = parser_run(&p, xml ? xml : "", n, line);
        parser_done(&p);
        return r;
}

/* ---- The scanner ------------------------------------------------------------------------- */

#define SCAN_CHUNK (64 * 1024)
/* Bytes needed after a '<' to tell what it opens: "<![CDATA[" and one more. */
#define SCAN_LOOKAHEAD 10

typedef enum ScanState {
        SCAN_TEXT,              /* between events */
        SCAN_MARKUP,            /* a tag between events (<Events>, </Events>, anything) */
        SCAN_DOCTYPE,           /* <!DOCTYPE …> or another <!…> between events */
        SCAN_COMMENT,
        SCAN_CDATA,
        SCAN_PI,
        SCAN_CONTENT,           /* inside an event, between tags */
        SCAN_TAG,               /* inside an event, in a tag */
} ScanState;

typedef enum TagKind {
        TAG_OTHER,
        TAG_EVENT_START,
        TAG_EVENT_END,
} TagKind;

typedef enum ScanResult {
        SCAN_AGAIN,             /* went on; call again */
        SCAN_MORE,              /* needs more input */
        SCAN_ELEMENT,           /* an <Event> element ends at elem_end */
} ScanResult;

typedef struct Scanner {
        TextReader *reader;
        size_t len, pos;
        bool eof;
        uint64_t line;          /* line of buf[counted] */
        size_t counted;         /* newlines before this index are counted */

        ScanState state;
        char quote;             /* quote open in a tag, or 0 */
        unsigned brackets;      /* '[' open in a DOCTYPE */
        TagKind tag;
        char last;              /* last non-blank byte of the tag outside quotes */

        bool in_event;
        size_t elem_start, elem_end;    /* in buf */
        uint64_t elem_line;
        StrBuf elem;            /* earlier parts of an element that spans reads */
        bool elem_too_big;
        uint64_t elements;

        bool junk;              /* inside a run of text between events */

        char buf[SCAN_CHUNK];
} Scanner;

static Scanner *scanner_free(Scanner *s) {
        if (!s)
                return NULL;
        text_reader_free(s->reader);
        strbuf_done(&s->elem);
        free(s);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Scanner *, scanner_free);

/* Line of buf[i]; i never goes back. */
static uint64_t scan_line_at(Scanner *s, size_t i) {
        while (s->counted < i) {
                const char *nl = memchr(s->buf + s->counted, '\n', i - s->counted);

                if (!nl) {
                        s->counted = i;
                        break;
                }
                s->line++;
                s->counted = (size_t) (nl - s->buf) + 1;
        }
        return s->line;
}

/* Moves the element's bytes before end out of buf, unless it is already too big to keep. */
static int scan_save_element(Scanner *s, size_t end) {
        size_t n = end - s->elem_start;

        if (!s->elem_too_big) {
                if (s->elem.len + n > EVDIAG_MAX_XML_EVENT) {
                        s->elem_too_big = true;
                        strbuf_reset(&s->elem);
                } else if (strbuf_append(&s->elem, s->buf + s->elem_start, n) < 0)
                        return -ENOMEM;
        }
        s->elem_start = end;
        return 0;
}

static int scan_refill(Scanner *s) {
        size_t keep;
        ssize_t k;
        int r;

        if (s->in_event) {
                r = scan_save_element(s, s->pos);
                if (r < 0)
                        return r;
        }
        scan_line_at(s, s->pos);
        keep = s->len - s->pos;
        memmove(s->buf, s->buf + s->pos, keep);
        s->counted -= s->pos;
        s->elem_start = 0;
        s->len = keep;
        s->pos = 0;
        k = text_reader_read(s->reader, s->buf + s->len, sizeof(s->buf) - s->len);
        if (k < 0)
                return (int) k;
        if (k == 0)
                s->eof = true;
        s->len += (size_t) k;
        return 0;
}

static void scan_junk(Scanner *s, size_t at, Diag *diag) {
        if (s->junk)
                return;
        s->junk = true;
        diag_warn_line(diag, scan_line_at(s, at), "text outside <Event> elements ignored");
}

static bool starts_with(const char *p, size_t avail, const char *prefix, size_t n) {
        return avail >= n && memcmp(p, prefix, n) == 0;
}

/* "<Event" or "</Event" followed by what may end an element name. */
static bool is_event_name(const char *p, size_t avail, const char *prefix, size_t n) {
        return avail > n && memcmp(p, prefix, n) == 0 &&
               (is_blank(p[n]) || p[n] == '>' || p[n] == '/');
}

static bool is_name_start(unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0x80;
}

static void scan_begin_tag(Scanner *s, TagKind kind, size_t skip) {
        s->state = SCAN_TAG;
        s->tag = kind;
        s->quote = 0;
        s->last = 0;
        s->pos += skip;
}

static void scan_begin_event(Scanner *s, Diag *diag) {
        if (s->in_event)
                /* Events never nest: the one open was cut short (a truncated file concatenated
                 * with another, say). Keep the new one. */
                diag_warn_line(diag, s->elem_line, "event skipped: unterminated <Event> element");
        s->in_event = true;
        s->elem_start = s->pos;
        s->elem_line = scan_line_at(s, s->pos);
        s->elem_too_big = false;
        strbuf_reset(&s->elem);
        s->elements++;
        s->junk = false;
        scan_begin_tag(s, TAG_EVENT_START, 6);
}

/* At a '<': decides what it opens. Called for every tag, so it looks at the second byte
 * before comparing anything longer. */
static ScanResult scan_markup(Scanner *s, Diag *diag) {
        const char *p = s->buf + s->pos;
        size_t avail = s->len - s->pos;

        if (avail < SCAN_LOOKAHEAD && !s->eof)
                return SCAN_MORE;
        s->quote = 0;
        switch (avail >= 2 ? p[1] : 0) {
        case '!':
                if (starts_with(p, avail, "<!--", 4)) {
                        s->state = SCAN_COMMENT;
                        s->pos += 4;
                } else if (starts_with(p, avail, "<![CDATA[", 9)) {
                        s->state = SCAN_CDATA;
                        s->pos += 9;
                } else if (s->in_event)
                        scan_begin_tag(s, TAG_OTHER, 1);
                else {
                        s->state = SCAN_DOCTYPE;
                        s->brackets = 0;
                        s->pos += 2;
                }
                return SCAN_AGAIN;
        case '?':
                s->state = SCAN_PI;
                s->pos += 2;
                return SCAN_AGAIN;
        case 'E':
                if (is_event_name(p, avail, "<Event", 6)) {
                        scan_begin_event(s, diag);
                        return SCAN_AGAIN;
                }
                break;
        case '/':
                if (s->in_event) {
                        scan_begin_tag(s, is_event_name(p, avail, "</Event", 7) ? TAG_EVENT_END : TAG_OTHER, 1);
                        return SCAN_AGAIN;
                }
                break;
        }
        if (s->in_event)
                scan_begin_tag(s, TAG_OTHER, 1);
        else if (avail >= 2 && (p[1] == '/' || is_name_start((unsigned char) p[1]))) {
                s->state = SCAN_MARKUP;
                s->pos += 1;
        } else {
                /* A lone '<' at the very end is a cut, not junk. */
                if (avail >= 2 || !s->eof)
                        scan_junk(s, s->pos, diag);
                s->pos += 1;
        }
        return SCAN_AGAIN;
}

/* Skips to the end of a comment, CDATA section or processing instruction. */
static ScanResult scan_until(Scanner *s, const char *end, size_t n) {
        const char *hit = memmem(s->buf + s->pos, s->len - s->pos, end, n);

        if (!hit) {
                /* Keep what could be the start of the terminator. */
                if (s->len - s->pos >= n)
                        s->pos = s->len - (n - 1);
                return SCAN_MORE;
        }
        s->pos = (size_t) (hit - s->buf) + n;
        s->state = s->in_event ? SCAN_CONTENT : SCAN_TEXT;
        return SCAN_AGAIN;
}

/* Bytes that matter inside a tag: quotes and its end. */
static const bool tag_special[256] = {
        ['"'] = true,
        ['\''] = true,
        ['>'] = true,
};

/* Inside a tag of an event: skips to its end, quote-aware. Most tags are <Data Name='…'>, so
 * this runs over much of the file and skips ordinary bytes with one table look-up each. */
static ScanResult scan_tag(Scanner *s) {
        const char *p = s->buf + s->pos, *end = s->buf + s->len;

        while (p < end) {
                const char *start = p;

                if (s->quote) {
                        p = memchr(p, s->quote, (size_t) (end - p));
                        if (!p)
                                break;
                        s->quote = 0;
                        p++;
                        continue;
                }
                while (p < end && !tag_special[(unsigned char) *p])
                        p++;
                if (s->tag == TAG_EVENT_START)
                        /* Only <Event …/> needs to know the last byte before '>'. */
                        for (const char *q = p; q > start; q--)
                                if (!is_blank(q[-1])) {
                                        s->last = q[-1];
                                        break;
                                }
                if (p == end)
                        break;
                if (*p != '>') {
                        s->quote = *p;
                        s->last = *p;
                        p++;
                        continue;
                }
                s->pos = (size_t) (p + 1 - s->buf);
                s->state = SCAN_CONTENT;
                if (s->tag == TAG_EVENT_END || (s->tag == TAG_EVENT_START && s->last == '/')) {
                        s->elem_end = s->pos;
                        return SCAN_ELEMENT;
                }
                return SCAN_AGAIN;
        }
        s->pos = s->len;
        return SCAN_MORE;
}

static ScanResult scan_step(Scanner *s, Diag *diag) {
        const char *lt;

        switch (s->state) {
        case SCAN_TEXT: {
                size_t end;

                lt = memchr(s->buf + s->pos, '<', s->len - s->pos);
                end = lt ? (size_t) (lt - s->buf) : s->len;
                if (!s->junk)
                        for (size_t i = s->pos; i < end; i++)
                                if (!is_blank(s->buf[i])) {
                                        scan_junk(s, i, diag);
                                        break;
                                }
                s->pos = end;
                return lt ? scan_markup(s, diag) : SCAN_MORE;
        }

        case SCAN_CONTENT:
                lt = memchr(s->buf + s->pos, '<', s->len - s->pos);
                if (!lt) {
                        s->pos = s->len;
                        return SCAN_MORE;
                }
                s->pos = (size_t) (lt - s->buf);
                return scan_markup(s, diag);

        case SCAN_MARKUP:
                for (; s->pos < s->len; s->pos++) {
                        char c = s->buf[s->pos];

                        if (s->quote) {
                                if (c == s->quote)
                                        s->quote = 0;
                        } else if (c == '"' || c == '\'')
                                s->quote = c;
                        else if (c == '>') {
                                s->pos++;
                                s->state = SCAN_TEXT;
                                return SCAN_AGAIN;
                        }
                }
                return SCAN_MORE;

        case SCAN_DOCTYPE:
                for (; s->pos < s->len; s->pos++) {
                        char c = s->buf[s->pos];

                        if (s->quote) {
                                if (c == s->quote)
                                        s->quote = 0;
                        } else if (c == '"' || c == '\'')
                                s->quote = c;
                        else if (c == '[')
                                s->brackets++;
                        else if (c == ']' && s->brackets > 0)
                                s->brackets--;
                        else if (c == '>' && s->brackets == 0) {
                                s->pos++;
                                s->state = SCAN_TEXT;
                                return SCAN_AGAIN;
                        }
                }
                return SCAN_MORE;

        case SCAN_COMMENT:
                return scan_until(s, "-->", 3);
        case SCAN_CDATA:
                return scan_until(s, "]]>", 3);
        case SCAN_PI:
                return scan_until(s, "?>", 2);

        case SCAN_TAG:
                return scan_tag(s);
        }
        return SCAN_MORE;
}

/* Parses the element that just ended, from buf when it is all there, else from the copy. */
static int scan_dispatch(Scanner *s, EventParser *p, Diag *diag) {
        int r;

        if (s->elem.len == 0 && !s->elem_too_big)
                r = parser_run(p, s->buf + s->elem_start, s->elem_end - s->elem_start, s->elem_line);
        else {
                r = scan_save_element(s, s->elem_end);
                if (r < 0)
                        return r;
                if (s->elem_too_big) {
                        diag_warn_line(diag, s->elem_line, "event skipped: <Event> element larger than %d bytes",
                                       EVDIAG_MAX_XML_EVENT);
                        r = 0;
                } else
                        r = parser_run(p, s->elem.data, s->elem.len, s->elem_line);
        }
        s->in_event = false;
        s->elem_too_big = false;
        strbuf_reset(&s->elem);
        s->state = SCAN_TEXT;
        return r < 0 ? r : 0;
}

int xml_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        _cleanup_(scanner_freep) Scanner *s = NULL;
        _cleanup_(parser_done) EventParser p = {
                .sink = sink,
                .diag = diag,
        };
        uint64_t bad, bad_line;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->line = 1;
        s->state = SCAN_TEXT;
        r = text_reader_new(in, &s->reader);
        if (r < 0)
                return r;

        for (;;) {
                ScanResult k = scan_step(s, diag);

                if (k == SCAN_ELEMENT) {
                        r = scan_dispatch(s, &p, diag);
                        if (r < 0)
                                return r;
                } else if (k == SCAN_MORE) {
                        if (s->eof)
                                break;
                        r = scan_refill(s);
                        if (r < 0)
                                return r;
                }
        }

        if (s->in_event)
                diag_warn_line(diag, s->elem_line, "event skipped: unterminated <Event> element (truncated file?)");
        if (s->elements == 0)
                diag_add(diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET, "no <Event> elements found");
        bad = text_reader_bad_sequences(s->reader, &bad_line);
        if (bad > 0)
                diag_add(diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET,
                         "%llu invalid byte sequences replaced with U+FFFD", (unsigned long long) bad);
        return 0;
}
