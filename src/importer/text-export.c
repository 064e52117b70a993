/* SPDX-License-Identifier: MIT */
#include "text-export.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "base/datetime.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "base/text-reader.h"
#include "base/utf.h"
#include "importer/parse-util.h"
#include "importer/xml-export.h"

/* Two shapes of text export are read here, and may even follow each other in one file:
 *
 *   Event Viewer ("Copy details as text", event properties)    wevtutil qe LOG /f:text
 *
 *   Log Name:      System                                       Event[0]:
 *   Source:        Microsoft-Windows-HttpEvent                    Log Name: System
 *   Date:          3/31/2010 2:43:28 PM                           Date: 2020-12-14T17:09:08.940
 *   ...                                                           ...
 *   Description:                                                  Description:
 *   SSL Certificate Settings deleted for Port : 0.0.0.0:443 .   The ... service entered the running state.
 *   Event Xml:
 *   <Event xmlns="...">...</Event>
 *
 * A block runs from its first line ("Log Name:" or "Event[N]:") to the next block's first line.
 * Its labels come first, then the message after "Description:", then optionally the event's XML
 * after "Event Xml:". Times are local and carry no zone. */

typedef enum Label {
        LABEL_NONE = -1,
        /* labels whose value is kept */
        LABEL_LOG_NAME,
        LABEL_SOURCE,
        LABEL_DATE,
        LABEL_EVENT_ID,
        LABEL_LEVEL,
        LABEL_KEYWORDS,
        LABEL_USER,
        LABEL_USER_NAME,
        LABEL_COMPUTER,
        _LABEL_VALUES,
        /* labels that change the section, or are known and ignored */
        LABEL_DESCRIPTION = _LABEL_VALUES,
        LABEL_IGNORED,
} Label;

static const struct {
        const char *name;
        Label label;
} label_table[] = {
        { "Log Name",           LABEL_LOG_NAME },
        { "Protokollname",      LABEL_LOG_NAME },
        { "Source",             LABEL_SOURCE },
        { "Quelle",             LABEL_SOURCE },
        { "Date",               LABEL_DATE },
        { "Datum",              LABEL_DATE },
        { "Event ID",           LABEL_EVENT_ID },
        { "Ereignis-ID",        LABEL_EVENT_ID },
        { "Level",              LABEL_LEVEL },
        { "Ebene",              LABEL_LEVEL },
        { "Stufe",              LABEL_LEVEL },          /* a machine-translated variant */
        { "Keywords",           LABEL_KEYWORDS },
        { "Keyword",            LABEL_KEYWORDS },       /* wevtutil */
        { "Schlüsselwörter",    LABEL_KEYWORDS },
        { "User",               LABEL_USER },
        { "Benutzer",           LABEL_USER },
        { "User Name",          LABEL_USER_NAME },      /* wevtutil */
        { "Computer",           LABEL_COMPUTER },
        { "Description",        LABEL_DESCRIPTION },
        { "Beschreibung",       LABEL_DESCRIPTION },
        { "Task Category",      LABEL_IGNORED },
        { "Aufgabenkategorie",  LABEL_IGNORED },
        { "Task",               LABEL_IGNORED },        /* wevtutil */
        { "Opcode",             LABEL_IGNORED },        /* wevtutil */
};

typedef enum Section {
        SECTION_NONE,           /* no block started yet */
        SECTION_HEADER,         /* "Label: value" lines */
        SECTION_MESSAGE,        /* after "Description:" */
        SECTION_XML,            /* after "Event Xml:" */
} Section;

typedef struct Block {
        bool wevtutil;
        uint64_t line;                          /* where the block starts */
        Section section;
        StrBuf values[_LABEL_VALUES];           /* trimmed */
        bool seen[_LABEL_VALUES];
        StrBuf message;                         /* lines joined by LF, leading blank lines left out */
        bool message_cut;
        StrBuf xml;
        uint64_t xml_line;                      /* line of the first non-blank XML line */
        bool xml_dropped;
} Block;

typedef struct TextParser {
        const ParseOptions *opts;
        const ImportSink *sink;
        Diag *diag;
        bool voting;                            /* first pass: only count date orders */
        DateVote dates;                         /* the day/month order of the file's dates */
        uint64_t blocks;
        bool warned_preamble;
        Block block;
} TextParser;

static void text_parser_done(TextParser *p) {
        for (size_t i = 0; i < _LABEL_VALUES; i++)
                strbuf_done(&p->block.values[i]);
        strbuf_done(&p->block.message);
        strbuf_done(&p->block.xml);
}

/* Warnings are given in the second pass only, so that each is given once. */
static void text_warn(TextParser *p, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void text_warn(TextParser *p, uint64_t line, const char *fmt, ...) {
        va_list ap;

        if (p->voting)
                return;
        va_start(ap, fmt);
        diag_addv(p->diag, DIAG_WARNING, line, DIAG_NO_OFFSET, fmt, ap);
        va_end(ap);
}

/* "Label   :  value" with the label (any ASCII case) from label_table; the value is trimmed. */
static Label match_label(const char *s, size_t n, const char **ret_value, size_t *ret_len) {
        trim_hspace(&s, &n);
        for (size_t i = 0; i < ELEMENTSOF(label_table); i++) {
                size_t l = strlen(label_table[i].name), j;

                if (n < l || !ascii_strcaseeq_n(s, l, label_table[i].name, l))
                        continue;
                for (j = l; j < n && is_hspace(s[j]); j++)
                        ;
                if (j >= n || s[j] != ':')
                        continue;
                *ret_value = s + j + 1;
                *ret_len = n - j - 1;
                trim_hspace(ret_value, ret_len);
                return label_table[i].label;
        }
        return LABEL_NONE;
}

/* wevtutil's "Event[12]:", at the start of a line. */
static bool is_event_index(const char *s, size_t n) {
        size_t i = 6;

        if (n < 9 || memcmp(s, "Event[", 6) != 0)
                return false;
        while (i < n && i < 6 + 20 && s[i] >= '0' && s[i] <= '9')
                i++;
        if (i == 6 || n - i < 2 || s[i] != ']' || s[i + 1] != ':')
                return false;
        return is_blank(s + i + 2, n - i - 2);
}

/* "Event Xml:" (German "Ereignis-XML:") alone on its line. */
static bool is_xml_marker(const char *s, size_t n) {
        static const char *const markers[] = { "Event Xml", "Ereignis-XML" };

        trim_hspace(&s, &n);
        for (size_t i = 0; i < ELEMENTSOF(markers); i++) {
                size_t l = strlen(markers[i]), j;

                if (n < l || !ascii_strcaseeq_n(s, l, markers[i], l))
                        continue;
                for (j = l; j < n && is_hspace(s[j]); j++)
                        ;
                if (j + 1 == n && s[j] == ':')
                        return true;
        }
        return false;
}

/* A value, or NULL when it is missing, empty or says so ("N/A", German "N/V"). */
static const char *block_value(const Block *b, Label label) {
        const char *v;

        if (!b->seen[label] || b->values[label].len == 0)
                return NULL;
        v = strbuf_str(&b->values[label]);
        if (ascii_strcaseeq_n(v, b->values[label].len, "N/A", 3) ||
            ascii_strcaseeq_n(v, b->values[label].len, "N/V", 3))
                return NULL;
        return v;
}

/* A level by name, or as the bare number that providers without a message file show. */
static int64_t level_from_label(const char *s) {
        int64_t level = level_from_name(s);
        size_t n;
        int v = 0;

        if (level != EVENT_NO_VALUE || !s)
                return level;
        n = strlen(s);
        if (n == 0 || n > 3)
                return EVENT_NO_VALUE;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return EVENT_NO_VALUE;
                v = v * 10 + (s[i] - '0');
        }
        return v <= 255 ? v : EVENT_NO_VALUE;
}

static void block_reset(Block *b) {
        for (size_t i = 0; i < _LABEL_VALUES; i++) {
                strbuf_reset(&b->values[i]);
                b->seen[i] = false;
        }
        strbuf_reset(&b->message);
        strbuf_reset(&b->xml);
        b->wevtutil = false;
        b->line = 0;
        b->section = SECTION_NONE;
        b->message_cut = b->xml_dropped = false;
        b->xml_line = 0;
}

static int block_set_value(Block *b, Label label, const char *v, size_t n) {
        StrBuf *value = &b->values[label];

        strbuf_reset(value);
        b->seen[label] = true;
        if (strbuf_append(value, v, n) < 0)
                return -ENOMEM;
        if (label == LABEL_DATE && value->data)
                value->len = drop_direction_marks(value->data, value->len);
        return 0;
}

static int block_add_message(TextParser *p, const char *s, size_t n) {
        Block *b = &p->block;

        if (p->voting || b->message_cut)
                return 0;
        if (b->message.len == 0 && is_blank(s, n))
                return 0;
        if (b->message.len + (b->message.len > 0) + n > EVDIAG_MAX_MESSAGE) {
                text_warn(p, b->line, "message of the event cut at %d bytes", EVDIAG_MAX_MESSAGE);
                b->message_cut = true;
                return 0;
        }
        if (b->message.len > 0 && strbuf_putc(&b->message, '\n') < 0)
                return -ENOMEM;
        return strbuf_append(&b->message, s, n);
}

static int block_add_xml(TextParser *p, const char *s, size_t n, uint64_t line) {
        Block *b = &p->block;

        if (p->voting || b->xml_dropped)
                return 0;
        if (b->xml.len == 0) {
                if (is_blank(s, n))
                        return 0;
                b->xml_line = line;
        }
        if (b->xml.len + (b->xml.len > 0) + n > EVDIAG_MAX_XML_EVENT) {
                text_warn(p, b->xml_line, "Event Xml part longer than %d bytes ignored", EVDIAG_MAX_XML_EVENT);
                b->xml_dropped = true;
                strbuf_done(&b->xml);
                return 0;
        }
        if (b->xml.len > 0 && strbuf_putc(&b->xml, '\n') < 0)
                return -ENOMEM;
        return strbuf_append(&b->xml, s, n);
}

typedef struct XmlWrap {
        const ImportSink *sink;
        const char *message;
        uint64_t line;
} XmlWrap;

/* The XML knows the exact time, the record id and the fields; the text knows the message. */
static int xml_wrap_event(void *userdata, const Event *ev) {
        const XmlWrap *w = userdata;
        Event copy = *ev;

        if (w->message)
                copy.message = w->message;
        copy.line = w->line;
        copy.offset = UINT64_MAX;
        return w->sink->event(w->sink->userdata, &copy);
}

/* Returns 1 when the XML part gave the event, 0 when the labels must do, or -errno. */
static int block_emit_xml(TextParser *p, const char *message) {
        Block *b = &p->block;
        const char *s = b->xml.data, *end;
        size_t n = b->xml.len;
        XmlWrap w = {
                .sink = p->sink,
                .message = message,
                .line = b->line,
        };
        const ImportSink wrap = {
                .userdata = &w,
                .event = xml_wrap_event,
        };

        while (n > 0 && is_hspace(*s))
                s++, n--;
        /* Text pasted after the element is no part of it. */
        for (end = s + n; end - s >= 8; end--)
                if (memcmp(end - 8, "</Event>", 8) == 0)
                        break;
        if (end - s >= 8)
                n = (size_t) (end - s);
        return xml_export_parse_event(s, n, b->xml_line, &wrap, p->diag);
}

static int block_emit(TextParser *p) {
        Block *b = &p->block;
        const char *message = NULL, *id, *date;
        CivilTime c;
        int64_t event_id, ticks;
        int r;

        while (b->message.len > 0 && (is_hspace(b->message.data[b->message.len - 1]) ||
                                      b->message.data[b->message.len - 1] == '\n'))
                b->message.data[--b->message.len] = 0;
        if (b->message.len > 0)
                message = b->message.data;

        if (b->xml.len > 0 && !b->xml_dropped) {
                r = block_emit_xml(p, message);
                if (r != 0)
                        return r < 0 ? r : 0;
                /* The XML part was broken (the XML parser said why): the labels still hold. */
        }

        id = block_value(b, LABEL_EVENT_ID);
        if (!id) {
                text_warn(p, b->line, "event skipped: it has no Event ID");
                return 0;
        }
        if (event_id_parse(id, &event_id) < 0) {
                text_warn(p, b->line, "event skipped: Event ID \"%.*s\" is not a number from 0 to 65535",
                          quote_len(id), id);
                return 0;
        }
        date = block_value(b, LABEL_DATE);
        if (!date) {
                text_warn(p, b->line, "event skipped: it has no Date");
                return 0;
        }
        if (date_vote_read(&p->dates, date, p->opts ? p->opts->tz : NULL, &c, &ticks) < 0) {
                text_warn(p, b->line, "event skipped: Date \"%.*s\" is not a date", quote_len(date), date);
                return 0;
        }

        const char *user = block_value(b, LABEL_USER);
        if (!user)
                user = block_value(b, LABEL_USER_NAME);
        Event ev = {
                .host = block_value(b, LABEL_COMPUTER),
                .channel = block_value(b, LABEL_LOG_NAME),
                .provider = block_value(b, LABEL_SOURCE),
                .event_id = event_id,
                .qualifiers = EVENT_NO_VALUE,
                .version = EVENT_NO_VALUE,
                .level = level_from_label(block_value(b, LABEL_LEVEL)),
                .task = EVENT_NO_VALUE,
                .opcode = EVENT_NO_VALUE,
                .keywords = block_value(b, LABEL_KEYWORDS),
                .record_id = EVENT_NO_VALUE,
                .time = ticks,
                .time_digits = c.digits,
                .user = user,
                .message = message,
                .line = b->line,
                .offset = UINT64_MAX,
        };
        return p->sink->event(p->sink->userdata, &ev);
}

static int block_finish(TextParser *p) {
        Block *b = &p->block;
        int r = 0;

        if (b->section == SECTION_NONE)
                return 0;
        p->blocks++;
        if (p->voting) {
                const char *date = block_value(b, LABEL_DATE);

                if (date)
                        date_vote_add(&p->dates, date, b->line);
        } else
                r = block_emit(p);
        block_reset(b);
        return r;
}

static int block_start(TextParser *p, bool wevtutil, uint64_t line) {
        int r = block_finish(p);

        if (r < 0)
                return r;
        p->block.wevtutil = wevtutil;
        p->block.line = line;
        p->block.section = SECTION_HEADER;
        return 0;
}

static int handle_line(TextParser *p, const char *s, size_t n, uint64_t line) {
        Block *b = &p->block;
        bool indented = n > 0 && is_hspace(s[0]);
        const char *v = NULL;
        size_t vn = 0;
        Label label;
        int r;

        if (!indented && is_event_index(s, n))
                return block_start(p, true, line);

        label = match_label(s, n, &v, &vn);
        /* "Log Name:" starts a block, except as the first label of a wevtutil block, or indented
         * inside a message (messages indent their own "Name: value" lines). */
        if (label == LABEL_LOG_NAME &&
            !(b->section == SECTION_HEADER && b->wevtutil && !b->seen[LABEL_LOG_NAME]) &&
            !(b->section == SECTION_MESSAGE && indented)) {
                r = block_start(p, false, line);
                if (r < 0)
                        return r;
                return block_set_value(b, LABEL_LOG_NAME, v, vn);
        }

        switch (b->section) {
        case SECTION_NONE:
                if (!p->warned_preamble && !is_blank(s, n)) {
                        text_warn(p, line, "text before the first event ignored");
                        p->warned_preamble = true;
                }
                return 0;

        case SECTION_HEADER:
                if (is_xml_marker(s, n)) {
                        b->section = SECTION_XML;
                        return 0;
                }
                if (label == LABEL_DESCRIPTION) {
                        b->section = SECTION_MESSAGE;
                        return vn > 0 ? block_add_message(p, v, vn) : 0;
                }
                if (label > LABEL_NONE && label < _LABEL_VALUES)
                        return block_set_value(b, label, v, vn);
                /* Labels of other languages and lines of unknown use: nothing to take. */
                return 0;

        case SECTION_MESSAGE:
                if (is_xml_marker(s, n)) {
                        b->section = SECTION_XML;
                        return 0;
                }
                return block_add_message(p, s, n);

        case SECTION_XML:
                return block_add_xml(p, s, n, line);
        }
        return 0;
}

static int run_pass(TextParser *p, TextReader *tr) {
        for (;;) {
                const char *s;
                size_t n;
                int k = text_reader_getline(tr, &s, &n);

                if (k == 0)
                        break;
                if (k == -E2BIG) {
                        text_warn(p, text_reader_line(tr), "line longer than %d bytes skipped", EVDIAG_MAX_LINE);
                        continue;
                }
                if (k < 0)
                        return k;
                k = handle_line(p, s, n, text_reader_line(tr));
                if (k < 0)
                        return k;
        }
        return block_finish(p);
}

int text_export_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        _cleanup_(text_reader_freep) TextReader *tr = NULL;
        _cleanup_(text_parser_done) TextParser p = {
                .opts = opts,
                .sink = sink,
                .diag = diag,
                .voting = true,
        };
        uint64_t bad, bad_line;
        int r;

        if (!in || !sink || !sink->event)
                return -EINVAL;
        r = text_reader_new(in, &tr);
        if (r < 0)
                return r;

        r = run_pass(&p, tr);
        if (r < 0)
                return r;
        date_vote_decide(&p.dates, diag);

        r = text_reader_rewind(tr);
        if (r < 0)
                return r;
        block_reset(&p.block);
        p.voting = false;
        /* Without any block the file is not a text export: "no events found" says it all. */
        p.warned_preamble = p.blocks == 0;
        p.blocks = 0;
        r = run_pass(&p, tr);
        if (r < 0)
                return r;

        bad = text_reader_bad_sequences(tr, &bad_line);
        if (bad > 0)
                diag_warn_line(diag, bad_line, "%llu invalid byte sequence(s) replaced with U+FFFD",
                               (unsigned long long) bad);
        if (p.blocks == 0)
                diag_warn_line(diag, DIAG_NO_LINE, "no events found");
        return 0;
}
