/* SPDX-License-Identifier: MIT */
#include "apphost-fix.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/sha256.h"
#include "base/utf.h"
#include "importer/xml-util.h"

#define NO_INDEX SIZE_MAX
#define DIFF_CONTEXT 3

/* The elements on the way to the properties, as the importer (importer/apphost.c) sees them:
 * unprefixed names, and nothing below an element that is not on the way. */
typedef enum Node {
        NODE_DOCUMENT,
        NODE_OTHER,
        NODE_CONFIGURATION,
        NODE_APPHOST,
        NODE_CUSTOM_METADATA,
        NODE_KEY,
        NODE_PROPERTY,
} Node;

static const struct {
        Node parent;
        const char *name;
        Node node;
} transitions[] = {
        { NODE_DOCUMENT,        "configuration",          NODE_CONFIGURATION },
        { NODE_CONFIGURATION,   "system.applicationHost", NODE_APPHOST },
        { NODE_APPHOST,         "customMetadata",         NODE_CUSTOM_METADATA },
        { NODE_CUSTOM_METADATA, "key",                    NODE_KEY },
        { NODE_KEY,             "property",               NODE_PROPERTY },
};

/* The input as code units: bytes, or UTF-16 units of either byte order. Offsets of the scanner
 * are unit indexes; unit i starts at byte i * width. */
typedef struct Source {
        const uint8_t *data;
        size_t n;               /* units */
        size_t base;            /* units of the BOM */
        unsigned width;         /* 1 or 2 */
        bool big_endian;
} Source;

static inline uint32_t unit_at(const Source *s, size_t i) {
        if (i >= s->n)
                return UINT32_MAX;
        if (s->width == 1)
                return s->data[i];
        if (s->big_endian)
                return (uint32_t) s->data[2 * i] << 8 | s->data[2 * i + 1];
        return s->data[2 * i] | (uint32_t) s->data[2 * i + 1] << 8;
}

static inline bool is_xml_space(uint32_t u) {
        return u == ' ' || u == '\t' || u == '\n' || u == '\r';
}

static inline bool is_blank(uint32_t u) {
        return u == ' ' || u == '\t';
}

/* A key of customMetadata that holds a property to remove. */
typedef struct ScanKey {
        size_t start, end;              /* units: its '<' and past its last '>' */
        uint64_t line, end_line;
        size_t ordinal;                 /* among all keys of customMetadata, in document order */
        unsigned children;              /* child elements */
        unsigned removed;               /* of which properties to remove */
        bool other;                     /* holds text, a comment, CDATA or a PI */
} ScanKey;

typedef struct ScanProp {
        size_t start, end;
        uint64_t line, end_line;
        uint32_t id;
        size_t key;                     /* index in keys[] */
} ScanProp;

struct ApphostFixPlan {
        size_t size;
        const char *encoding;
        Source src;

        ScanKey *keys;
        size_t n_keys, allocated_keys;
        ScanProp *props;
        size_t n_props, allocated_props;

        ApphostFixRange *ranges;
        size_t n_ranges, allocated_ranges;
        ApphostFixProperty *out_props;
        char **key_paths;               /* per key, owned; NULL when the key has no path */
        size_t keys_removed;
};

ApphostFixPlan *apphost_fix_plan_free(ApphostFixPlan *plan) {
        if (!plan)
                return NULL;
        for (size_t i = 0; plan->key_paths && i < plan->n_keys; i++)
                free(plan->key_paths[i]);
        free(plan->key_paths);
        free(plan->keys);
        free(plan->props);
        free(plan->ranges);
        free(plan->out_props);
        free(plan);
        return NULL;
}

const ApphostFixRange *apphost_fix_plan_ranges(const ApphostFixPlan *plan, size_t *ret_n) {
        *ret_n = plan->n_ranges;
        return plan->ranges;
}

const ApphostFixProperty *apphost_fix_plan_properties(const ApphostFixPlan *plan, size_t *ret_n) {
        *ret_n = plan->n_props;
        return plan->out_props;
}

size_t apphost_fix_plan_keys_removed(const ApphostFixPlan *plan) {
        return plan->keys_removed;
}

const char *apphost_fix_plan_encoding(const ApphostFixPlan *plan) {
        return plan->encoding;
}

/* ---- Encoding ---- */

/* Single-byte encodings whose bytes below 0x80 are ASCII, so markup scans the same as in
 * UTF-8. Multi-byte ones (Shift_JIS, GBK, ...) could hide a '<' or a quote in a second byte. */
static const struct {
        const char *name;
        const char *canonical;
} byte_encodings[] = {
        { "UTF-8", "UTF-8" }, { "UTF8", "UTF-8" },
        { "US-ASCII", "US-ASCII" }, { "ASCII", "US-ASCII" },
        { "ISO-8859-1", "ISO-8859-1" }, { "LATIN1", "ISO-8859-1" }, { "ISO-LATIN-1", "ISO-8859-1" },
        { "ISO-8859-2", "ISO-8859-2" }, { "ISO-8859-3", "ISO-8859-3" }, { "ISO-8859-4", "ISO-8859-4" },
        { "ISO-8859-5", "ISO-8859-5" }, { "ISO-8859-6", "ISO-8859-6" }, { "ISO-8859-7", "ISO-8859-7" },
        { "ISO-8859-8", "ISO-8859-8" }, { "ISO-8859-9", "ISO-8859-9" }, { "ISO-8859-10", "ISO-8859-10" },
        { "ISO-8859-13", "ISO-8859-13" }, { "ISO-8859-14", "ISO-8859-14" }, { "ISO-8859-15", "ISO-8859-15" },
        { "ISO-8859-16", "ISO-8859-16" },
        { "WINDOWS-1250", "windows-1250" }, { "WINDOWS-1251", "windows-1251" },
        { "WINDOWS-1252", "windows-1252" }, { "WINDOWS-1253", "windows-1253" },
        { "WINDOWS-1254", "windows-1254" }, { "WINDOWS-1255", "windows-1255" },
        { "WINDOWS-1256", "windows-1256" }, { "WINDOWS-1257", "windows-1257" },
        { "WINDOWS-1258", "windows-1258" }, { "CP1252", "windows-1252" },
};

/* Picks the code unit from the first bytes, as libxml2 does (XML 1.0, appendix F). */
static int source_init(Source *s, const uint8_t *data, size_t size, const char **ret_encoding, Diag *diag) {
        *s = (Source) { .data = data, .width = 1 };

        if (size >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF))) {
                s->width = 2;
                s->big_endian = data[0] == 0xFE;
                s->base = 1;
                *ret_encoding = s->big_endian ? "UTF-16BE with BOM" : "UTF-16LE with BOM";
        } else if (size >= 4 && memcmp(data, "<\0?\0", 4) == 0) {
                s->width = 2;
                *ret_encoding = "UTF-16LE";
        } else if (size >= 4 && memcmp(data, "\0<\0?", 4) == 0) {
                s->width = 2;
                s->big_endian = true;
                *ret_encoding = "UTF-16BE";
        } else if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
                s->base = 3;
                *ret_encoding = "UTF-8 with BOM";
        } else
                *ret_encoding = "UTF-8";
        if (s->width == 2 && size % 2 != 0) {
                diag_error_line(diag, DIAG_NO_LINE, "UTF-16 file with an odd number of bytes: not touched");
                return -EBADMSG;
        }
        s->n = size / s->width;
        return 0;
}

/* The encoding an 8-bit file declares (the units [a, b) of its value). */
static int declared_encoding(const Source *s, size_t a, size_t b, const char **encoding, uint64_t line, Diag *diag) {
        char name[32];
        size_t len = b - a;
        bool printable = len < sizeof(name);

        if (s->width != 1)
                return 0;       /* a UTF-16 file is UTF-16, whatever its declaration says */
        for (size_t i = 0; printable && i < len; i++) {
                name[i] = (char) s->data[a + i];
                printable = s->data[a + i] > 0x20 && s->data[a + i] < 0x7F;
        }
        if (printable) {
                for (size_t i = 0; i < ELEMENTSOF(byte_encodings); i++)
                        if (ascii_strcaseeq_n(name, len, byte_encodings[i].name, strlen(byte_encodings[i].name))) {
                                if (s->base > 0 && strcmp(byte_encodings[i].canonical, "UTF-8") != 0) {
                                        diag_error_line(diag, line, "a UTF-8 byte order mark, but encoding \"%.*s\" "
                                                        "declared: which one holds is unclear, not touched",
                                                        (int) len, name);
                                        return -EBADMSG;
                                }
                                if (s->base == 0)
                                        *encoding = byte_encodings[i].canonical;
                                return 0;
                        }
        }
        diag_error_line(diag, line, "encoding \"%.*s\" is not one evdiag fix edits (UTF-8, UTF-16, or a single-byte "
                        "encoding such as ISO-8859-1 or windows-1252): not touched",
                        printable ? (int) len : 3, printable ? name : "...");
        return -EBADMSG;
}

/* ---- The scanner: XML's lexical structure on the raw units ---- */

typedef struct Scanner {
        const Source *src;
        size_t i;
        uint64_t line;
        ApphostFixPlan *plan;
        Diag *diag;

        uint8_t stack[EVDIAG_MAX_CONFIG_DEPTH];
        unsigned depth;
        size_t key_ordinals;            /* keys of customMetadata seen */
        size_t cur_key;                 /* index in keys[] of the open key, or NO_INDEX */
        ScanKey key;                    /* the open key, until it holds something to remove */
        bool in_key;
        size_t cur_prop;                /* index in props[] of the open property, or NO_INDEX */
} Scanner;

static inline uint32_t peek(const Scanner *sc, size_t k) {
        return sc->i + k < sc->i ? UINT32_MAX : unit_at(sc->src, sc->i + k);
}

static inline void advance(Scanner *sc) {
        if (unit_at(sc->src, sc->i) == '\n')
                sc->line++;
        sc->i++;
}

static bool starts_with(const Scanner *sc, const char *s) {
        for (size_t k = 0; s[k]; k++)
                if (peek(sc, k) != (uint8_t) s[k])
                        return false;
        return true;
}

/* Moves past the next occurrence of end. Returns false at the end of the input. */
static bool skip_past(Scanner *sc, const char *end) {
        size_t len = strlen(end);

        while (sc->i < sc->src->n) {
                if (starts_with(sc, end)) {
                        for (size_t k = 0; k < len; k++)
                                advance(sc);
                        return true;
                }
                advance(sc);
        }
        return false;
}

static void skip_space(Scanner *sc) {
        while (is_xml_space(peek(sc, 0)))
                advance(sc);
}

static bool units_eq(const Source *s, size_t a, size_t b, const char *name) {
        size_t len = strlen(name);

        if (b - a != len)
                return false;
        for (size_t k = 0; k < len; k++)
                if (unit_at(s, a + k) != (uint8_t) name[k])
                        return false;
        return true;
}

static Node node_of(const Source *s, Node parent, size_t a, size_t b) {
        for (size_t i = 0; i < ELEMENTSOF(transitions); i++)
                if (transitions[i].parent == parent && units_eq(s, a, b, transitions[i].name))
                        return transitions[i].node;
        return NODE_OTHER;
}

static Node parent_node(const Scanner *sc) {
        return sc->depth > 0 ? (Node) sc->stack[sc->depth - 1] : NODE_DOCUMENT;
}

/* An unsigned decimal up to UINT32_MAX with XML spaces around it, as the importer reads ids;
 * character references (&#53;) and the predefined entities are decoded as libxml2 would. */
static bool parse_id(const Source *s, size_t a, size_t b, uint32_t *ret) {
        uint64_t v = 0;
        size_t digits = 0;
        bool trailing = false;

        for (size_t i = a; i < b; i++) {
                uint32_t u = unit_at(s, i);

                if (u == '&') {
                        uint32_t cp = 0;
                        size_t j = i + 1;
                        bool hex = false, any = false;

                        if (j >= b || unit_at(s, j) != '#')
                                return false;   /* &amp; and the like are no digits */
                        j++;
                        if (j < b && unit_at(s, j) == 'x') {
                                hex = true;
                                j++;
                        }
                        for (; j < b && unit_at(s, j) != ';'; j++) {
                                uint32_t d = unit_at(s, j);

                                if (d >= '0' && d <= '9')
                                        d -= '0';
                                else if (hex && (d | 0x20) >= 'a' && (d | 0x20) <= 'f')
                                        d = (d | 0x20) - 'a' + 10;
                                else
                                        return false;
                                cp = cp * (hex ? 16 : 10) + d;
                                any = true;
                                if (cp > 0x10FFFF)
                                        return false;
                        }
                        if (!any || j >= b)
                                return false;
                        i = j;
                        u = cp;
                }
                if (is_xml_space(u)) {
                        if (digits > 0)
                                trailing = true;
                        continue;
                }
                if (u < '0' || u > '9' || trailing)
                        return false;
                v = v * 10 + (u - '0');
                if (++digits > 10 || v > UINT32_MAX)
                        return false;
        }
        if (digits == 0)
                return false;
        *ret = (uint32_t) v;
        return true;
}

static bool is_legacy_ssl(uint32_t id) {
        return id == APPHOST_FIX_SSL_CERT_HASH || id == APPHOST_FIX_SSL_CERT_STORE_NAME;
}

static int scan_error(Scanner *sc, uint64_t line, const char *what) {
        diag_error_line(sc->diag, line, "malformed XML: %s: not touched", what);
        return -EBADMSG;
}

/* The open key holds something to remove: keep it. */
static int key_keep(Scanner *sc) {
        ApphostFixPlan *p = sc->plan;

        if (sc->cur_key != NO_INDEX)
                return 0;
        if (ARRAY_GROW(p->keys, p->allocated_keys, p->n_keys + 1) < 0)
                return -ENOMEM;
        sc->cur_key = p->n_keys++;
        p->keys[sc->cur_key] = sc->key;
        return 0;
}

static ScanKey *open_key(Scanner *sc) {
        return sc->cur_key != NO_INDEX ? &sc->plan->keys[sc->cur_key] : &sc->key;
}

static int element_end(Scanner *sc, Node node) {
        if (node == NODE_PROPERTY && sc->cur_prop != NO_INDEX) {
                sc->plan->props[sc->cur_prop].end = sc->i;
                sc->plan->props[sc->cur_prop].end_line = sc->line;
                sc->cur_prop = NO_INDEX;
        } else if (node == NODE_KEY) {
                ScanKey *k = open_key(sc);

                k->end = sc->i;
                k->end_line = sc->line;
                sc->in_key = false;
                sc->cur_key = NO_INDEX;
        }
        return 0;
}

static int start_tag(Scanner *sc) {
        size_t start = sc->i, name_start, attrs = 0;
        uint64_t line = sc->line;
        Node parent = parent_node(sc), node;
        uint32_t id = 0;
        bool has_id = false, empty = false;
        int r;

        advance(sc);    /* '<' */
        name_start = sc->i;
        for (;;) {
                uint32_t u = peek(sc, 0);

                if (u == UINT32_MAX || is_xml_space(u) || u == '/' || u == '>' || u == '<' || u == '"' || u == '\'' ||
                    u == '=')
                        break;
                advance(sc);
        }
        if (sc->i == name_start)
                return scan_error(sc, line, "'<' not followed by an element name");
        node = parent == NODE_OTHER ? NODE_OTHER : node_of(sc->src, parent, name_start, sc->i);

        for (;;) {
                size_t an, ae, va, vb;
                uint32_t q;

                skip_space(sc);
                if (peek(sc, 0) == '/' && peek(sc, 1) == '>') {
                        advance(sc);
                        advance(sc);
                        empty = true;
                        break;
                }
                if (peek(sc, 0) == '>') {
                        advance(sc);
                        break;
                }
                an = sc->i;
                while (sc->i < sc->src->n && !is_xml_space(peek(sc, 0)) && peek(sc, 0) != '=' && peek(sc, 0) != '>' &&
                       peek(sc, 0) != '/' && peek(sc, 0) != '<')
                        advance(sc);
                ae = sc->i;
                if (an == ae)
                        return scan_error(sc, line, "a start tag that does not end");
                if (++attrs > EVDIAG_MAX_FIX_ATTRIBUTES) {
                        diag_error_line(sc->diag, line, "an element with more than %d attributes: not touched",
                                        EVDIAG_MAX_FIX_ATTRIBUTES);
                        return -E2BIG;
                }
                skip_space(sc);
                if (peek(sc, 0) != '=')
                        return scan_error(sc, line, "an attribute without a value");
                advance(sc);
                skip_space(sc);
                q = peek(sc, 0);
                if (q != '"' && q != '\'')
                        return scan_error(sc, line, "an attribute value without quotes");
                advance(sc);
                va = sc->i;
                while (peek(sc, 0) != q) {
                        if (peek(sc, 0) == UINT32_MAX || peek(sc, 0) == '<')
                                return scan_error(sc, line, "an attribute value that does not end");
                        advance(sc);
                }
                vb = sc->i;
                advance(sc);
                if (node == NODE_PROPERTY && units_eq(sc->src, an, ae, "id"))
                        has_id = parse_id(sc->src, va, vb, &id);
        }
        if (parent == NODE_KEY)
                open_key(sc)->children++;
        if (node == NODE_KEY) {
                sc->key = (ScanKey) { .start = start, .line = line, .ordinal = sc->key_ordinals++ };
                sc->in_key = true;
                sc->cur_key = NO_INDEX;
        } else if (node == NODE_PROPERTY && has_id && is_legacy_ssl(id)) {
                ApphostFixPlan *p = sc->plan;

                if (p->n_props >= EVDIAG_MAX_FIX_PROPERTIES) {
                        diag_error_line(sc->diag, line, "more than %d legacy SSL properties: not touched",
                                        EVDIAG_MAX_FIX_PROPERTIES);
                        return -E2BIG;
                }
                r = key_keep(sc);
                if (r < 0)
                        return r;
                if (ARRAY_GROW(p->props, p->allocated_props, p->n_props + 1) < 0)
                        return -ENOMEM;
                p->keys[sc->cur_key].removed++;
                sc->cur_prop = p->n_props++;
                p->props[sc->cur_prop] = (ScanProp) {
                        .start = start, .line = line, .id = id, .key = sc->cur_key,
                };
        }
        if (empty)
                return element_end(sc, node);
        if (sc->depth >= EVDIAG_MAX_CONFIG_DEPTH) {
                diag_error_line(sc->diag, line, "elements nested deeper than %d levels: not touched",
                                EVDIAG_MAX_CONFIG_DEPTH);
                return -E2BIG;
        }
        sc->stack[sc->depth++] = (uint8_t) node;
        return 0;
}

static int end_tag(Scanner *sc) {
        uint64_t line = sc->line;

        if (!skip_past(sc, ">"))
                return scan_error(sc, line, "an end tag that does not end");
        if (sc->depth == 0)
                return scan_error(sc, line, "an end tag without its start tag");
        return element_end(sc, (Node) sc->stack[--sc->depth]);
}

/* The XML declaration: only its encoding matters. */
static int xml_declaration(Scanner *sc) {
        size_t start = sc->i, end;
        uint64_t line = sc->line;

        if (!skip_past(sc, "?>"))
                return scan_error(sc, line, "an XML declaration that does not end");
        end = sc->i;
        for (size_t i = start; i + 8 < end; i++) {
                size_t a, b;
                uint32_t q;

                if (!units_eq(sc->src, i, i + 8, "encoding"))
                        continue;
                a = i + 8;
                while (a < end && is_xml_space(unit_at(sc->src, a)))
                        a++;
                if (a >= end || unit_at(sc->src, a) != '=')
                        break;
                a++;
                while (a < end && is_xml_space(unit_at(sc->src, a)))
                        a++;
                q = unit_at(sc->src, a);
                if (a >= end || (q != '"' && q != '\''))
                        break;
                a++;
                for (b = a; b < end && unit_at(sc->src, b) != q; b++)
                        ;
                return declared_encoding(sc->src, a, b, &sc->plan->encoding, line, sc->diag);
        }
        return 0;
}

static int scan(Scanner *sc) {
        int r;

        sc->i = sc->src->base;
        sc->line = 1;
        sc->cur_key = sc->cur_prop = NO_INDEX;
        if (starts_with(sc, "<?xml") && is_xml_space(peek(sc, 5))) {
                r = xml_declaration(sc);
                if (r < 0)
                        return r;
        }
        while (sc->i < sc->src->n) {
                uint32_t u = peek(sc, 0);
                uint64_t line = sc->line;
                bool direct = sc->in_key && parent_node(sc) == NODE_KEY;

                if (u != '<') {
                        if (direct && !is_xml_space(u))
                                open_key(sc)->other = true;
                        advance(sc);
                        continue;
                }
                if (starts_with(sc, "<!--")) {
                        if (!skip_past(sc, "-->"))
                                return scan_error(sc, line, "a comment that does not end");
                } else if (starts_with(sc, "<![CDATA[")) {
                        if (!skip_past(sc, "]]>"))
                                return scan_error(sc, line, "a CDATA section that does not end");
                } else if (starts_with(sc, "<?")) {
                        if (!skip_past(sc, "?>"))
                                return scan_error(sc, line, "a processing instruction that does not end");
                } else if (starts_with(sc, "<!")) {
                        diag_error_line(sc->diag, line, "a DOCTYPE or other declaration: evdiag fix does not edit such "
                                        "files: not touched");
                        return -EBADMSG;
                } else if (starts_with(sc, "</")) {
                        r = end_tag(sc);
                        if (r < 0)
                                return r;
                        continue;
                } else {
                        r = start_tag(sc);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (direct)
                        open_key(sc)->other = true;
        }
        if (sc->depth > 0)
                return scan_error(sc, sc->line, "the file ends inside an element");
        return 0;
}

/* ---- libxml2's reading of the same bytes ---- */

static bool node_is(const xmlNode *n, const char *name) {
        return n->type == XML_ELEMENT_NODE && (!n->ns || !n->ns->prefix) && strcmp((const char *) n->name, name) == 0;
}

static bool node_id(xmlNode *n, uint32_t *ret) {
        xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *) "id");
        Source s;
        bool ok;

        if (!v)
                return false;
        s = (Source) { .data = v, .n = strlen((const char *) v), .width = 1 };
        ok = parse_id(&s, 0, s.n, ret);
        xmlFree(v);
        return ok;
}

static bool node_removable(xmlNode *n) {
        uint32_t id;

        return node_is(n, "property") && node_id(n, &id) && is_legacy_ssl(id);
}

static bool text_is_space(const xmlChar *t) {
        for (; t && *t; t++)
                if (!is_xml_space(*t))
                        return false;
        return true;
}

/* Calls f on every key of every customMetadata, in document order. */
typedef int (*KeyFunc)(void *userdata, xmlNode *key, size_t ordinal);

static int for_each_key(xmlDoc *doc, KeyFunc f, void *userdata) {
        xmlNode *root = xmlDocGetRootElement(doc);
        size_t ordinal = 0;

        for (xmlNode *a = root ? root->children : NULL; a; a = a->next) {
                if (!node_is(a, "system.applicationHost"))
                        continue;
                for (xmlNode *c = a->children; c; c = c->next) {
                        if (!node_is(c, "customMetadata"))
                                continue;
                        for (xmlNode *k = c->children; k; k = k->next) {
                                int r;

                                if (!node_is(k, "key"))
                                        continue;
                                r = f(userdata, k, ordinal++);
                                if (r != 0)
                                        return r;
                        }
                }
        }
        return 0;
}

/* Parses with libxml2; its first error, with its line, goes into diag as an error. */
static int xml_parse(const uint8_t *data, size_t size, const char *what, xmlDoc **ret, Diag *diag) {
        _cleanup_(diag_freep) Diag *scratch = diag_new(diag_path(diag));
        XmlErrorCapture capture;
        xmlDoc *doc;
        xmlNode *root;

        if (!scratch)
                return -ENOMEM;
        if (size > INT32_MAX)
                return -E2BIG;
        xml_errors_begin(&capture, scratch, 1, NULL);
        doc = xmlReadMemory((const char *) data, (int) size, NULL, NULL, XML_SAFE_OPTIONS);
        xml_errors_end(&capture);
        if (!doc || capture.errors > 0) {
                size_t n;
                const DiagEntry *e = diag_entries(scratch, &n);

                if (doc)
                        xmlFreeDoc(doc);
                if (n > 0)
                        diag_error_line(diag, e[0].line, "%s: %s", what, e[0].message);
                else
                        diag_error_line(diag, DIAG_NO_LINE, "%s", what);
                return -EBADMSG;
        }
        root = xmlDocGetRootElement(doc);
        if (!root || !node_is(root, "configuration")) {
                diag_error_line(diag, root ? (uint64_t) xmlGetLineNo(root) : DIAG_NO_LINE,
                                "not an applicationHost.config: the root element is not <configuration>");
                xmlFreeDoc(doc);
                return -EBADMSG;
        }
        *ret = doc;
        return 0;
}

/* The scanner and libxml2 must agree on every property to remove, key by key, and on the keys
 * left empty; and the key paths come from libxml2, decoded. */
typedef struct CrossCheck {
        ApphostFixPlan *plan;
        Diag *diag;
        size_t prop;                    /* next props[] to meet */
        size_t key;                     /* next keys[] to meet */
        int r;
} CrossCheck;

/* The key's path, cut to EVDIAG_MAX_FIX_KEY_PATH bytes, in *ret (NULL when it has none).
 * Returns 0 or -ENOMEM. */
static int key_path_of(xmlNode *key, char **ret) {
        xmlChar *v = xmlGetNoNsProp(key, (const xmlChar *) "path");
        size_t len;
        char *s;

        *ret = NULL;
        if (!v)
                return 0;
        len = strlen((const char *) v);
        if (len > EVDIAG_MAX_FIX_KEY_PATH) {
                len = EVDIAG_MAX_FIX_KEY_PATH;
                while (len > 0 && ((uint8_t) v[len] & 0xC0) == 0x80)
                        len--;          /* a whole character, not half of one */
        }
        s = strndup_view((const char *) v, len);
        xmlFree(v);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int cross_key(void *userdata, xmlNode *key, size_t ordinal) {
        CrossCheck *x = userdata;
        ApphostFixPlan *p = x->plan;
        ScanKey *k = x->key < p->n_keys ? &p->keys[x->key] : NULL;
        bool only_removable = true;
        unsigned removable = 0;

        for (xmlNode *c = key->children; c; c = c->next) {
                if (node_removable(c)) {
                        ScanProp *q = x->prop < p->n_props ? &p->props[x->prop] : NULL;
                        uint32_t id = 0;

                        (void) node_id(c, &id);
                        if (!k || k->ordinal != ordinal || !q || q->key != x->key || q->id != id) {
                                diag_error_line(x->diag, (uint64_t) xmlGetLineNo(c),
                                                "the property %u here was not found where libxml2 sees it: not touched",
                                                id);
                                return -EBADMSG;
                        }
                        x->prop++;
                        removable++;
                } else if (c->type != XML_TEXT_NODE || !text_is_space(c->content))
                        only_removable = false;
        }
        if (removable == 0) {
                if (k && k->ordinal == ordinal) {
                        diag_error_line(x->diag, k->line, "libxml2 sees no property to remove in this key: not touched");
                        return -EBADMSG;
                }
                return 0;
        }
        /* The scanner's judgement that the key is left empty must hold in libxml2's eyes. */
        if (k->removed != removable || (k->children == k->removed && !k->other && !only_removable)) {
                diag_error_line(x->diag, k->line, "the scanner and libxml2 disagree about this key: not touched");
                return -EBADMSG;
        }
        if (key_path_of(key, &p->key_paths[x->key]) < 0)
                return -ENOMEM;
        x->key++;
        return 0;
}

/* ---- Ranges ---- */

static int add_range(ApphostFixPlan *p, size_t start, size_t end, uint64_t line, uint64_t end_line, ApphostFixKind kind) {
        if (ARRAY_GROW(p->ranges, p->allocated_ranges, p->n_ranges + 1) < 0)
                return -ENOMEM;
        p->ranges[p->n_ranges++] = (ApphostFixRange) {
                .start = start, .end = end, .first_line = line, .last_line = end_line, .kind = kind,
        };
        return 0;
}

static bool key_emptied(const ScanKey *k) {
        return k->children == k->removed && !k->other;
}

/* Extends prev, the cut before c, over c. */
static void range_merge(ApphostFixRange *prev, const ApphostFixRange *c) {
        if (c->end > prev->end)
                prev->end = c->end;
        prev->last_line = c->last_line;
        prev->whole_lines = prev->whole_lines && c->whole_lines;
        if (c->kind == APPHOST_FIX_KEY)
                prev->kind = APPHOST_FIX_KEY;
}

/* Elements to cut, in document order; those separated by nothing but blanks on one line become
 * one cut; a cut that then stands alone on its lines takes them whole, line ends included; cuts
 * that touch merge. Offsets are still units here. */
static int plan_ranges(ApphostFixPlan *p) {
        const Source *s = &p->src;
        size_t w = 0;
        int r;

        for (size_t i = 0, j = 0; i < p->n_keys; i++) {
                const ScanKey *k = &p->keys[i];

                if (key_emptied(k)) {
                        r = add_range(p, k->start, k->end, k->line, k->end_line, APPHOST_FIX_KEY);
                        if (r < 0)
                                return r;
                        p->keys_removed++;
                }
                for (; j < p->n_props && p->props[j].key == i; j++)
                        if (!key_emptied(k)) {
                                const ScanProp *q = &p->props[j];

                                r = add_range(p, q->start, q->end, q->line, q->end_line, APPHOST_FIX_PROPERTY);
                                if (r < 0)
                                        return r;
                        }
        }

        /* Same line, blanks between. */
        for (size_t i = 0; i < p->n_ranges; i++) {
                ApphostFixRange *c = &p->ranges[i];

                if (w > 0) {
                        ApphostFixRange *prev = &p->ranges[w - 1];
                        size_t k = prev->end;

                        while (k < c->start && is_blank(unit_at(s, k)))
                                k++;
                        if (k == c->start) {
                                range_merge(prev, c);
                                continue;
                        }
                }
                p->ranges[w++] = *c;
        }
        p->n_ranges = w;

        /* Whole lines. */
        for (size_t i = 0; i < p->n_ranges; i++) {
                ApphostFixRange *c = &p->ranges[i];
                size_t a = c->start, b = c->end;

                while (a > s->base && is_blank(unit_at(s, a - 1)))
                        a--;
                if (a > s->base && unit_at(s, a - 1) != '\n')
                        continue;
                while (b < s->n && is_blank(unit_at(s, b)))
                        b++;
                if (b < s->n && unit_at(s, b) == '\r' && unit_at(s, b + 1) == '\n')
                        b++;
                if (b < s->n && unit_at(s, b) != '\n')
                        continue;
                if (b < s->n)
                        b++;
                c->start = a;
                c->end = b;
                c->whole_lines = true;
        }

        /* Touching. */
        w = 0;
        for (size_t i = 0; i < p->n_ranges; i++) {
                ApphostFixRange *c = &p->ranges[i];

                if (w > 0 && p->ranges[w - 1].end >= c->start) {
                        range_merge(&p->ranges[w - 1], c);
                        continue;
                }
                p->ranges[w++] = *c;
        }
        p->n_ranges = w;

        for (size_t i = 0; i < p->n_ranges; i++) {
                p->ranges[i].start *= s->width;
                p->ranges[i].end *= s->width;
        }
        return 0;
}

/* A cut inside a line joins the text on its two sides, and text may not hold "]]>": "]]<key
 * .../>>" is well-formed, "]]>" is not. Looks at two units of the output on each side of every
 * cut, across any other cuts in the way. Returns 0, or -EBADMSG (in diag) when one would. */
static int check_joins(const ApphostFixPlan *p, Diag *diag) {
        const Source *s = &p->src;

        for (size_t i = 0; i < p->n_ranges; i++) {
                uint32_t before[2], after[2];
                size_t at = p->ranges[i].start / s->width, j = i;

                for (size_t k = 0; k < 2; k++) {
                        while (j > 0 && at <= p->ranges[j - 1].end / s->width)
                                at = p->ranges[--j].start / s->width;
                        before[k] = at > s->base ? unit_at(s, --at) : UINT32_MAX;
                }
                at = p->ranges[i].end / s->width;
                j = i + 1;
                for (size_t k = 0; k < 2; k++) {
                        while (j < p->n_ranges && at >= p->ranges[j].start / s->width)
                                at = p->ranges[j++].end / s->width;
                        after[k] = unit_at(s, at++);
                }
                if ((before[1] == ']' && before[0] == ']' && after[0] == '>') ||
                    (before[0] == ']' && after[0] == ']' && after[1] == '>')) {
                        diag_error_line(diag, p->ranges[i].first_line,
                                        "the cut here would leave \"]]>\" in text, which XML does not allow: "
                                        "not touched");
                        return -EBADMSG;
                }
        }
        return 0;
}

int apphost_fix_plan(const uint8_t *data, size_t size, ApphostFixPlan **ret, Diag *diag) {
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *p = NULL;
        _cleanup_free_ Scanner *sc = NULL;
        xmlDoc *doc = NULL;
        CrossCheck x;
        int r;

        if (size > EVDIAG_MAX_CONFIG_FILE) {
                diag_error_line(diag, DIAG_NO_LINE, "file larger than %d bytes: not touched", EVDIAG_MAX_CONFIG_FILE);
                return -E2BIG;
        }
        if (size == 0) {
                diag_error_line(diag, DIAG_NO_LINE, "empty file: not an applicationHost.config");
                return -EBADMSG;
        }
        p = calloc(1, sizeof(*p));
        sc = calloc(1, sizeof(*sc));
        if (!p || !sc)
                return -ENOMEM;
        p->size = size;
        r = source_init(&p->src, data, size, &p->encoding, diag);
        if (r < 0)
                return r;
        *sc = (Scanner) { .src = &p->src, .plan = p, .diag = diag };
        /* The scanner first: it is linear whatever the input, and caps what libxml2 would take
         * quadratic time over (attributes of one tag). */
        r = scan(sc);
        if (r < 0)
                return r;
        r = xml_parse(data, size, "not well-formed XML, not touched", &doc, diag);
        if (r < 0)
                return r;
        p->key_paths = calloc(p->n_keys ? p->n_keys : 1, sizeof(char *));
        if (!p->key_paths) {
                xmlFreeDoc(doc);
                return -ENOMEM;
        }
        x = (CrossCheck) { .plan = p, .diag = diag };
        r = for_each_key(doc, cross_key, &x);
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        if (x.prop != p->n_props || x.key != p->n_keys) {
                diag_error_line(diag, x.prop < p->n_props ? p->props[x.prop].line : DIAG_NO_LINE,
                                "libxml2 does not see this property where the scanner does: not touched");
                return -EBADMSG;
        }
        r = plan_ranges(p);
        if (r < 0)
                return r;
        r = check_joins(p, diag);
        if (r < 0)
                return r;
        p->out_props = calloc(p->n_props ? p->n_props : 1, sizeof(ApphostFixProperty));
        if (!p->out_props)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_props; i++) {
                const ScanProp *q = &p->props[i];
                const ScanKey *k = &p->keys[q->key];

                size_t at = (key_emptied(k) ? k->start : q->start) * p->src.width;

                p->out_props[i] = (ApphostFixProperty) {
                        .id = q->id,
                        .line = q->line,
                        .end_line = q->end_line,
                        .key_path = p->key_paths[q->key],
                        .key_line = k->line,
                        .key_end_line = k->end_line,
                        .key_removed = key_emptied(k),
                };
                for (size_t j = 0; j < p->n_ranges; j++)
                        if (p->ranges[j].start <= at && at < p->ranges[j].end)
                                p->out_props[i].whole_lines = p->ranges[j].whole_lines;
        }
        p->src.data = NULL;     /* borrowed for the planning only */
        *ret = TAKE_PTR(p);
        return 0;
}

/* ---- Apply ---- */

int apphost_fix_apply(const uint8_t *data, size_t size, const ApphostFixPlan *plan, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ uint8_t *out = NULL;
        size_t o = 0, at = 0;

        if (!plan || plan->size != size)
                return -EINVAL;
        out = malloc(size + 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < plan->n_ranges; i++) {
                const ApphostFixRange *c = &plan->ranges[i];

                if (c->start < at || c->end < c->start || c->end > size)
                        return -EINVAL;
                memcpy(out + o, data + at, c->start - at);
                o += c->start - at;
                at = c->end;
        }
        memcpy(out + o, data + at, size - at);
        o += size - at;
        out[o] = 0;
        *ret = TAKE_PTR(out);
        *ret_size = o;
        return 0;
}

/* ---- Verify ---- */

/* A digest of a document's content, whitespace-only differences aside, that leaves out what the
 * plan removes. Both sides go through it; equal digests mean nothing else changed. */
typedef struct Canon {
        Sha256 sha;
        const ApphostFixPlan *plan;     /* NULL: leave nothing out */
        size_t key_ordinal;
        size_t next_removed_key;        /* index in plan->keys of the next emptied key */
        size_t left_over;               /* legacy properties seen that are not left out */
} Canon;

static void canon_str(Canon *c, const char *s) {
        sha256_update(&c->sha, s, strlen(s));
}

/* Text: without XML whitespace, markup characters escaped, so that no text looks like markup. */
static void canon_text(Canon *c, const xmlChar *t) {
        for (; t && *t; t++) {
                if (is_xml_space(*t))
                        continue;
                if (*t == '<')
                        canon_str(c, "&lt;");
                else if (*t == '&')
                        canon_str(c, "&amp;");
                else if (*t == '"')
                        canon_str(c, "&quot;");
                else
                        sha256_update(&c->sha, t, 1);
        }
}

static bool canon_skip_key(Canon *c, size_t ordinal) {
        const ApphostFixPlan *p = c->plan;

        while (c->next_removed_key < p->n_keys &&
               (p->keys[c->next_removed_key].ordinal < ordinal || !key_emptied(&p->keys[c->next_removed_key])))
                c->next_removed_key++;
        return c->next_removed_key < p->n_keys && p->keys[c->next_removed_key].ordinal == ordinal;
}

static int canon_node(Canon *c, xmlNode *n, Node parent, unsigned depth) {
        if (depth > EVDIAG_MAX_CONFIG_DEPTH + 8)
                return -E2BIG;
        for (; n; n = n->next) {
                Node node = NODE_OTHER;

                switch (n->type) {
                case XML_ELEMENT_NODE:
                        if (parent != NODE_OTHER && (!n->ns || !n->ns->prefix))
                                for (size_t i = 0; i < ELEMENTSOF(transitions); i++)
                                        if (transitions[i].parent == parent &&
                                            strcmp((const char *) n->name, transitions[i].name) == 0)
                                                node = transitions[i].node;
                        if (node == NODE_KEY) {
                                size_t ordinal = c->key_ordinal++;

                                if (c->plan && canon_skip_key(c, ordinal))
                                        continue;
                        }
                        if (node == NODE_PROPERTY && node_removable(n)) {
                                if (c->plan)
                                        continue;
                                c->left_over++;
                        }
                        canon_str(c, "<");
                        if (n->ns && n->ns->prefix) {
                                canon_str(c, (const char *) n->ns->prefix);
                                canon_str(c, ":");
                        }
                        canon_str(c, (const char *) n->name);
                        for (xmlNs *ns = n->nsDef; ns; ns = ns->next) {
                                canon_str(c, " xmlns:");
                                canon_str(c, ns->prefix ? (const char *) ns->prefix : "");
                                canon_str(c, "=\"");
                                canon_text(c, ns->href);
                                canon_str(c, "\"");
                        }
                        for (xmlAttr *a = n->properties; a; a = a->next) {
                                xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);

                                canon_str(c, " ");
                                if (a->ns && a->ns->prefix) {
                                        canon_str(c, (const char *) a->ns->prefix);
                                        canon_str(c, ":");
                                }
                                canon_str(c, (const char *) a->name);
                                canon_str(c, "=\"");
                                /* Attribute values keep their spaces: they are data. */
                                for (const xmlChar *t = v; t && *t; t++)
                                        if (*t == '"')
                                                canon_str(c, "&quot;");
                                        else
                                                sha256_update(&c->sha, t, 1);
                                canon_str(c, "\"");
                                xmlFree(v);
                        }
                        canon_str(c, ">");
                        int r = canon_node(c, n->children, node, depth + 1);
                        if (r < 0)
                                return r;
                        canon_str(c, "</>");
                        break;
                case XML_TEXT_NODE:
                case XML_CDATA_SECTION_NODE:
                        canon_text(c, n->content);
                        break;
                case XML_COMMENT_NODE:
                        canon_str(c, "<!--");
                        canon_text(c, n->content);
                        canon_str(c, "-->");
                        break;
                case XML_PI_NODE:
                        canon_str(c, "<?");
                        canon_str(c, (const char *) n->name);
                        canon_str(c, " ");
                        canon_text(c, n->content);
                        canon_str(c, "?>");
                        break;
                default:
                        break;
                }
        }
        return 0;
}

static int canon_doc(xmlDoc *doc, const ApphostFixPlan *plan, uint8_t digest[static SHA256_DIGEST_SIZE],
                     size_t *ret_left_over) {
        Canon c = { .plan = plan };
        int r;

        sha256_init(&c.sha);
        r = canon_node(&c, doc->children, NODE_DOCUMENT, 0);
        if (r < 0)
                return r;
        sha256_final(&c.sha, digest);
        *ret_left_over = c.left_over;
        return 0;
}

int apphost_fix_verify(const uint8_t *data, size_t size, const ApphostFixPlan *plan, const uint8_t *out,
                       size_t out_size, Diag *diag) {
        _cleanup_free_ uint8_t *expected = NULL;
        uint8_t before[SHA256_DIGEST_SIZE], after[SHA256_DIGEST_SIZE];
        size_t expected_size, left_over = 0, ignored;
        xmlDoc *doc = NULL;
        int r;

        r = apphost_fix_apply(data, size, plan, &expected, &expected_size);
        if (r == -EINVAL) {
                diag_error_line(diag, DIAG_NO_LINE, "the plan was not made for this file");
                return -EBADMSG;
        }
        if (r < 0)
                return r;
        if (expected_size != out_size || memcmp(expected, out, out_size) != 0) {
                diag_error_line(diag, DIAG_NO_LINE, "the result is not the input minus the lines planned");
                return -EBADMSG;
        }
        r = xml_parse(data, size, "the input no longer parses", &doc, diag);
        if (r < 0)
                return r;
        r = canon_doc(doc, plan, before, &ignored);
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        r = xml_parse(out, out_size, "the result would not parse", &doc, diag);
        if (r < 0)
                return r;
        r = canon_doc(doc, NULL, after, &left_over);
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        if (left_over > 0) {
                diag_error_line(diag, DIAG_NO_LINE, "the result still holds %zu legacy SSL properties", left_over);
                return -EBADMSG;
        }
        if (memcmp(before, after, sizeof(before)) != 0) {
                diag_error_line(diag, DIAG_NO_LINE,
                                "the result differs from the input by more than the properties and keys removed");
                return -EBADMSG;
        }
        return 0;
}

/* ---- Diff ---- */

/* Appends the units [a, b) as UTF-8 (UTF-16) or as they are (bytes); a BOM is not shown. */
static int emit_units(StrBuf *out, const Source *s, size_t a, size_t b) {
        uint8_t buf[512];

        if (s->width == 1)
                return strbuf_append(out, (const char *) s->data + a, b - a);
        if (a < s->base)
                a = s->base < b ? s->base : b;
        while (a < b) {
                size_t n = b - a < sizeof(buf) / 2 ? b - a : sizeof(buf) / 2;
                int r;

                /* Never split a surrogate pair between two pieces. */
                if (n < b - a && (unit_at(s, a + n - 1) & 0xFC00) == 0xD800)
                        n--;
                for (size_t k = 0; k < n; k++) {
                        uint32_t u = unit_at(s, a + k);

                        buf[2 * k] = (uint8_t) u;
                        buf[2 * k + 1] = (uint8_t) (u >> 8);
                }
                r = utf16le_append(out, buf, 2 * n, false, NULL);
                if (r < 0)
                        return r;
                a += n;
        }
        return 0;
}

/* Past the LF that ends the line starting at a, or the end. */
static size_t line_end(const Source *s, size_t a) {
        while (a < s->n && unit_at(s, a) != '\n')
                a++;
        return a < s->n ? a + 1 : a;
}

static int emit_line(StrBuf *out, const Source *s, char mark, size_t a, size_t b) {
        int r = strbuf_putc(out, mark);

        if (r >= 0)
                r = emit_units(out, s, a, b);
        if (r >= 0 && (b == a || unit_at(s, b - 1) != '\n'))
                r = strbuf_puts(out, "\n\\ No newline at end of file\n");
        return r;
}

/* Lines [first, last] touched by cuts, as units [start, end), and how many lines they become. */
typedef struct Block {
        uint64_t first, last;
        size_t start, end;
        size_t r0, r1;                  /* the ranges inside, [r0, r1) */
        uint64_t new_lines;
} Block;

/* Walks the new content of a block: its units minus the cuts; emits "+" lines when out is set.
 * Returns the number of lines. */
static int block_new(const ApphostFixPlan *p, const Source *s, const Block *b, StrBuf *out, uint64_t *ret_lines) {
        uint64_t lines = 0;
        bool at_start = true;
        size_t at = b->start;
        int r;

        for (size_t i = b->r0; i <= b->r1; i++) {
                size_t stop = i < b->r1 ? p->ranges[i].start / s->width : b->end;

                while (at < stop) {
                        size_t e = at;

                        while (e < stop && unit_at(s, e) != '\n')
                                e++;
                        if (e < stop)
                                e++;
                        if (at_start) {
                                lines++;
                                if (out && (r = strbuf_putc(out, '+')) < 0)
                                        return r;
                        }
                        if (out && (r = emit_units(out, s, at, e)) < 0)
                                return r;
                        at_start = unit_at(s, e - 1) == '\n';
                        at = e;
                }
                if (i < b->r1)
                        at = p->ranges[i].end / s->width;
        }
        if (!at_start && out && (r = strbuf_puts(out, "\n\\ No newline at end of file\n")) < 0)
                return r;
        *ret_lines = lines;
        return 0;
}

static int hunk_range(StrBuf *out, uint64_t start, uint64_t count) {
        if (count == 1)
                return strbuf_printf(out, "%llu", (unsigned long long) start);
        return strbuf_printf(out, "%llu,%llu", (unsigned long long) (count == 0 ? start - 1 : start),
                             (unsigned long long) count);
}

int apphost_fix_diff(const uint8_t *data, size_t size, const ApphostFixPlan *plan, const char *path, StrBuf *out) {
        _cleanup_free_ Block *blocks = NULL;
        Source src;
        const Source *s = &src;
        size_t n_blocks = 0, allocated = 0, at;
        uint64_t total_lines = 0, line;
        int64_t delta = 0;
        int r;

        if (!plan || plan->size != size)
                return -EINVAL;
        if (plan->n_ranges == 0)
                return 0;
        /* The plan's pointer to the bytes it was made from may be stale by now. */
        src = plan->src;
        src.data = data;

        /* Blocks of touched lines, with their units. */
        for (size_t i = 0; i < plan->n_ranges; i++) {
                const ApphostFixRange *c = &plan->ranges[i];
                uint64_t last = c->last_line;

                if (n_blocks > 0 && c->first_line <= blocks[n_blocks - 1].last + 1) {
                        Block *b = &blocks[n_blocks - 1];

                        if (last > b->last)
                                b->last = last;
                        b->r1 = i + 1;
                        continue;
                }
                if (ARRAY_GROW(blocks, allocated, n_blocks + 1) < 0)
                        return -ENOMEM;
                blocks[n_blocks++] = (Block) { .first = c->first_line, .last = last, .r0 = i, .r1 = i + 1 };
        }
        at = s->base;
        line = 1;
        for (size_t i = 0; i < n_blocks; i++) {
                Block *b = &blocks[i];

                while (line < b->first) {
                        at = line_end(s, at);
                        line++;
                }
                b->start = at;
                while (line <= b->last) {
                        at = line_end(s, at);
                        line++;
                }
                b->end = at;
                r = block_new(plan, s, b, NULL, &b->new_lines);
                if (r < 0)
                        return r;
        }
        /* Lines of the file: the ones before 'at' plus the rest. */
        total_lines = line - 1;
        for (size_t k = at; k < s->n; k = line_end(s, k))
                total_lines++;

        /* git's a/ and b/ before the path, also when it is absolute ("a/etc/…", not "a//etc/…"). */
        while (*path == '/')
                path++;
        r = strbuf_printf(out, "--- a/%s\n+++ b/%s\n", path, path);
        if (r < 0)
                return r;
        at = s->base;
        line = 1;
        for (size_t i = 0; i < n_blocks;) {
                size_t j = i + 1;
                uint64_t first, last, old_count, new_count = 0;

                while (j < n_blocks && blocks[j].first - blocks[j - 1].last - 1 <= 2 * DIFF_CONTEXT)
                        j++;
                first = blocks[i].first > DIFF_CONTEXT ? blocks[i].first - DIFF_CONTEXT : 1;
                last = blocks[j - 1].last + DIFF_CONTEXT < total_lines ? blocks[j - 1].last + DIFF_CONTEXT : total_lines;
                old_count = last - first + 1;
                new_count = old_count;
                for (size_t k = i; k < j; k++)
                        new_count = new_count - (blocks[k].last - blocks[k].first + 1) + blocks[k].new_lines;
                if ((r = strbuf_puts(out, "@@ -")) < 0 || (r = hunk_range(out, first, old_count)) < 0 ||
                    (r = strbuf_puts(out, " +")) < 0 ||
                    (r = hunk_range(out, (uint64_t) ((int64_t) first + delta), new_count)) < 0 ||
                    (r = strbuf_puts(out, " @@\n")) < 0)
                        return r;
                while (line < first) {
                        at = line_end(s, at);
                        line++;
                }
                for (size_t k = i; k < j; k++) {
                        const Block *b = &blocks[k];

                        for (; line < b->first; line++, at = line_end(s, at))
                                if ((r = emit_line(out, s, ' ', at, line_end(s, at))) < 0)
                                        return r;
                        for (; line <= b->last; line++, at = line_end(s, at))
                                if ((r = emit_line(out, s, '-', at, line_end(s, at))) < 0)
                                        return r;
                        r = block_new(plan, s, b, out, &(uint64_t) {0});
                        if (r < 0)
                                return r;
                        delta += (int64_t) b->new_lines - (int64_t) (b->last - b->first + 1);
                }
                for (; line <= last; line++, at = line_end(s, at))
                        if ((r = emit_line(out, s, ' ', at, line_end(s, at))) < 0)
                                return r;
                i = j;
        }
        return 0;
}
