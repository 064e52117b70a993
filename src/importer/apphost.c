/* SPDX-License-Identifier: MIT */
#include "apphost.h"

#include <errno.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/endpoint.h"
#include "base/limits.h"
#include "base/stream.h"
#include "base/strbuf.h"
#include "base/utf.h"
#include "importer/parse-util.h"
#include "importer/xml-util.h"

#define CHUNK_SIZE (64 * 1024)
#define MD_SSL_CERT_HASH 5506
#define SHA1_SIZE 20
/* A subtree deeper than EVDIAG_MAX_CONFIG_DEPTH is skipped, but libxml2's push parser keeps
 * stacks as deep as the document (tens of bytes per level, so hundreds of MB for a file of
 * nothing but open tags): past twice the cap the parse stops. */
#define STOP_DEPTH (2 * EVDIAG_MAX_CONFIG_DEPTH)
/* libxml2 2.9 checks the attributes of a start tag for duplicates pair by pair, and its
 * defaults from an <!ATTLIST> the same way: 100 000 of them take seconds, a 64 MB tag hours.
 * IIS elements have a few dozen at most. */
#define MAX_ATTRIBUTES 1024

/* The few places of the document that carry rows. Everything else is NODE_OTHER, and so is
 * everything below it: a <key> inside <location> is not customMetadata. */
typedef enum Node {
        NODE_DOCUMENT,
        NODE_OTHER,
        NODE_CONFIGURATION,
        NODE_APPHOST,
        NODE_CUSTOM_METADATA,
        NODE_KEY,
        NODE_PROPERTY,
        NODE_SITES,
        NODE_SITE,
        NODE_BINDINGS,
        NODE_BINDING,
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
        { NODE_APPHOST,         "sites",                  NODE_SITES },
        { NODE_SITES,           "site",                   NODE_SITE },
        { NODE_SITE,            "bindings",               NODE_BINDINGS },
        { NODE_BINDINGS,        "binding",                NODE_BINDING },
};

/* Just enough of XML's lexical structure, on the raw bytes about to be fed to libxml2, to count
 * the attributes of each tag and the quoted literals of a DOCTYPE (where attribute defaults
 * live). NUL bytes are skipped, so UTF-16 text of ASCII markup scans the same. */
typedef enum LexState {
        LEX_TEXT,
        LEX_LT,                 /* after '<' */
        LEX_TAG,                /* in a start or end tag */
        LEX_TAG_QUOTE,          /* in an attribute value */
        LEX_BANG,               /* after "<!" */
        LEX_BANG_DASH,          /* after "<!-" */
        LEX_COMMENT,
        LEX_PI,
        LEX_CDATA,
        LEX_DECL,               /* in <!DOCTYPE …> or a declaration inside it */
        LEX_DECL_QUOTE,
} LexState;

typedef struct Lexer {
        LexState state;
        bool in_decl;           /* comments and PIs inside the DOCTYPE return to LEX_DECL */
        char quote;
        unsigned run;           /* '-' (comment), ']' (CDATA) or '?' (PI) just before */
        unsigned brackets;      /* '[' nesting in the DOCTYPE */
        unsigned count;         /* attributes of this tag, or literals of this DOCTYPE */
} Lexer;

/* Scans n bytes. Returns n, or the offset of the byte that takes a count past MAX_ATTRIBUTES. */
static size_t lexer_scan(Lexer *l, const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char c = (char) p[i];

                if (c == 0)
                        continue;
        again:
                switch (l->state) {
                case LEX_TEXT:
                        if (c == '<')
                                l->state = LEX_LT;
                        break;
                case LEX_LT:
                        if (c == '!')
                                l->state = LEX_BANG;
                        else if (c == '?') {
                                l->state = LEX_PI;
                                l->run = 0;
                        } else if (l->in_decl) {
                                l->state = LEX_DECL;
                                goto again;
                        } else {
                                l->state = LEX_TAG;
                                l->count = 0;
                                goto again;
                        }
                        break;
                case LEX_TAG:
                        if (c == '"' || c == '\'') {
                                l->state = LEX_TAG_QUOTE;
                                l->quote = c;
                        } else if (c == '=') {
                                if (++l->count > MAX_ATTRIBUTES)
                                        return i;
                        } else if (c == '>')
                                l->state = LEX_TEXT;
                        else if (c == '<')
                                l->state = LEX_LT;
                        break;
                case LEX_TAG_QUOTE:
                        /* '<' never belongs to a value: libxml2 ends the tag there, so do we. */
                        if (c == l->quote)
                                l->state = LEX_TAG;
                        else if (c == '<')
                                l->state = LEX_LT;
                        break;
                case LEX_BANG:
                        if (c == '-')
                                l->state = LEX_BANG_DASH;
                        else if (c == '[' && !l->in_decl) {
                                l->state = LEX_CDATA;
                                l->run = 0;
                        } else {
                                if (!l->in_decl) {
                                        l->in_decl = true;
                                        l->brackets = 0;
                                        l->count = 0;
                                }
                                l->state = LEX_DECL;
                                goto again;
                        }
                        break;
                case LEX_BANG_DASH:
                        if (c == '-') {
                                l->state = LEX_COMMENT;
                                l->run = 0;
                        } else {
                                l->state = l->in_decl ? LEX_DECL : LEX_TEXT;
                                goto again;
                        }
                        break;
                case LEX_COMMENT:
                        if (c == '>' && l->run >= 2)
                                l->state = l->in_decl ? LEX_DECL : LEX_TEXT;
                        l->run = c == '-' ? l->run + 1 : 0;
                        break;
                case LEX_PI:
                        if (c == '>' && l->run > 0)
                                l->state = l->in_decl ? LEX_DECL : LEX_TEXT;
                        l->run = c == '?';
                        break;
                case LEX_CDATA:
                        if (c == '>' && l->run >= 2)
                                l->state = LEX_TEXT;
                        l->run = c == ']' ? l->run + 1 : 0;
                        break;
                case LEX_DECL:
                        if (c == '"' || c == '\'') {
                                if (++l->count > MAX_ATTRIBUTES)
                                        return i;
                                l->state = LEX_DECL_QUOTE;
                                l->quote = c;
                        } else if (c == '[')
                                l->brackets++;
                        else if (c == ']' && l->brackets > 0)
                                l->brackets--;
                        else if (c == '<' && l->brackets > 0)
                                l->state = LEX_LT;
                        else if (c == '>' && l->brackets == 0) {
                                l->state = LEX_TEXT;
                                l->in_decl = false;
                        }
                        break;
                case LEX_DECL_QUOTE:
                        if (c == l->quote)
                                l->state = LEX_DECL;
                        break;
                }
        }
        return n;
}

/* The attributes of one element, copied: SAX2 hands them over as unterminated views into its
 * input buffer, valid only during the callback. */
typedef struct PendingProperty {
        char *id, *data_type, *user_type, *attributes, *value;
        uint64_t line;
} PendingProperty;

typedef struct PendingBinding {
        char *protocol, *binding_information, *ssl_flags;
        uint64_t line;
} PendingBinding;

typedef struct Apphost {
        xmlParserCtxtPtr ctxt;
        const ImportSink *sink;
        Diag *diag;
        int r;                          /* first fatal error (sink, memory); stops the parse */

        uint8_t nodes[EVDIAG_MAX_CONFIG_DEPTH];
        unsigned depth;                 /* open elements tracked in nodes[] */
        unsigned skipped;               /* open elements below the depth cap, ignored */
        bool root_seen, root_ok, apphost_seen;
        bool incomplete;                /* reading stopped at a cap */
        Lexer lexer;

        char *key_path;                 /* NULL also for a key without a path */
        bool in_key;
        uint64_t key_line;
        PendingProperty prop;
        bool in_prop;

        char *site_name;
        int64_t site_id;
        uint64_t site_line;
        unsigned site_rows;
        PendingBinding binding;
        bool in_binding;
} Apphost;

static void pending_property_clear(PendingProperty *p) {
        free(p->id);
        free(p->data_type);
        free(p->user_type);
        free(p->attributes);
        free(p->value);
        *p = (PendingProperty) {};
}

static void pending_binding_clear(PendingBinding *b) {
        free(b->protocol);
        free(b->binding_information);
        free(b->ssl_flags);
        *b = (PendingBinding) {};
}

static void apphost_done(Apphost *p) {
        free(p->key_path);
        free(p->site_name);
        pending_property_clear(&p->prop);
        pending_binding_clear(&p->binding);
}

static uint64_t current_line(const Apphost *p) {
        int l = xmlSAX2GetLineNumber(p->ctxt);

        return l > 0 ? (uint64_t) l : DIAG_NO_LINE;
}

/* Records a fatal error and makes libxml2 stop calling back. */
static void apphost_fail(Apphost *p, int r) {
        if (p->r >= 0)
                p->r = r;
        xmlStopParser(p->ctxt);
}

/* excerpt() of an attribute value: those are NUL-terminated here. */
static const char *excerpt_str(const char *s, char buf[static EXCERPT_SIZE]) {
        return excerpt(s, strlen(s), buf);
}

static void probe_start_element(void *userdata, const xmlChar *localname, const xmlChar *prefix,
                                const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                                int nb_attributes, int nb_defaulted, const xmlChar **attributes) {
        int *escaped = userdata;

        if (nb_attributes == 1)
                *escaped = attributes[4] - attributes[3] == 5 && memcmp(attributes[3], "&#38;", 5) == 0;
}

/* Without entity substitution libxml2 2.9 hands an attribute's '&' (from "&amp;" or "&#38;") to
 * SAX2 as the text "&#38;", for a tree builder to decode later; newer versions may not. Asks
 * the library at hand once, so that values come out as written whichever it is. */
static bool sax_escapes_ampersand(void) {
        static int escaped = -1;
        static const char doc[] = "<a b=\"&amp;\"/>";
        xmlSAXHandler sax = {
                .initialized = XML_SAX2_MAGIC,
                .startElementNs = probe_start_element,
        };
        xmlParserCtxtPtr ctxt;
        int e = 0;

        if (escaped >= 0)
                return escaped;
        xml_util_init();
        ctxt = xmlCreatePushParserCtxt(&sax, &e, NULL, 0, NULL);
        if (!ctxt)
                return true;    /* the behaviour of the version this was written against */
        xmlCtxtUseOptions(ctxt, XML_SAFE_OPTIONS | XML_PARSE_RECOVER);
        xmlParseChunk(ctxt, doc, (int) strlen(doc), 1);
        xmlFreeParserCtxt(ctxt);
        escaped = e;
        return escaped;
}

/* Turns every "&#38;" back into '&' in place (see sax_escapes_ampersand()). */
static void unescape_ampersands(char *s) {
        char *o = s;

        for (const char *i = s; *i;) {
                if (strncmp(i, "&#38;", 5) == 0) {
                        *o++ = '&';
                        i += 5;
                } else
                        *o++ = *i++;
        }
        *o = 0;
}

/* Finds the unprefixed attribute name among SAX2's (localname, prefix, URI, value, end) tuples
 * and copies its value as valid UTF-8. Returns 1 with *ret set, 0 when absent (*ret = NULL),
 * -ENOMEM. */
static int attr_get(const xmlChar **attributes, int nb_attributes, const char *name, char **ret) {
        for (int i = 0; i < nb_attributes; i++) {
                const xmlChar **a = attributes + 5 * i;
                _cleanup_strbuf_ StrBuf b = {};
                char *s;

                if (a[1] || strcmp((const char *) a[0], name) != 0)
                        continue;
                if (a[4] < a[3])
                        break;
                if (utf8_append_sanitized(&b, (const char *) a[3], (size_t) (a[4] - a[3]), NULL) < 0)
                        return -ENOMEM;
                s = strbuf_steal(&b);
                if (!s)
                        return -ENOMEM;
                if (sax_escapes_ampersand())
                        unescape_ampersands(s);
                *ret = s;
                return 1;
        }
        *ret = NULL;
        return 0;
}

/* An unsigned decimal (surrounding spaces allowed) up to UINT32_MAX, as ids are in IIS. */
static bool parse_uint32(const char *s, int64_t *ret) {
        int64_t v = 0;
        size_t digits = 0;

        if (!s)
                return false;
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
                s++;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (*s - '0');
                if (++digits > 10 || v > UINT32_MAX)
                        return false;
        }
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
                s++;
        if (digits == 0 || *s)
                return false;
        *ret = v;
        return true;
}

/* sslFlags as a number or as the IIS 10 schema's flag names ("Sni, CentralCertStore"). */
static bool parse_ssl_flags(const char *s, int64_t *ret) {
        static const struct {
                const char *name;
                int64_t value;
        } flags[] = {
                { "None",             0 },
                { "Sni",              1 },
                { "CentralCertStore", 2 },
                { "DisableHTTP2",     4 },
                { "DisableOCSPStp",   8 },
                { "DisableQUIC",      16 },
                { "DisableTLS13",     32 },
                { "DisableLegacyTLS", 64 },
        };
        int64_t v = 0;
        size_t tokens = 0;

        if (parse_uint32(s, ret))
                return true;
        for (const char *p = s; *p;) {
                size_t n;
                bool found = false;

                if (*p == ',' || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
                        p++;
                        continue;
                }
                n = strcspn(p, ", \t\r\n");
                for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                        if (ascii_strcaseeq_n(p, n, flags[i].name, strlen(flags[i].name))) {
                                v |= flags[i].value;
                                found = true;
                                break;
                        }
                if (!found)
                        return false;
                tokens++;
                p += n;
        }
        if (tokens == 0)
                return false;
        *ret = v;
        return true;
}

static int base64_digit(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/* Decodes standard, padded base64 (whitespace ignored) to lowercase hex. Returns 0 with a new
 * string and the number of bytes, -EBADMSG for a bad character or bad padding, -ENOMEM. */
static int base64_to_hex(const char *s, char **ret_hex, size_t *ret_bytes) {
        static const char hexdigits[] = "0123456789abcdef";
        _cleanup_free_ char *hex = NULL;
        size_t len = strlen(s), out = 0, bytes = 0, hex_size;
        uint32_t acc = 0;
        unsigned quad = 0, pad = 0;

        /* At most 3 bytes per 4 characters, each byte two hex digits. */
        if (!size_mul(len / 4 + 1, 6, &hex_size))
                return -ENOMEM;
        hex = malloc(hex_size + 1);
        if (!hex)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                int d;

                if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                        continue;
                if (c == '=') {
                        /* Padding closes the last quad: "xx==" or "xxx=". */
                        if (quad < 2 || ++pad > 2)
                                return -EBADMSG;
                        acc <<= 6;
                        quad++;
                } else {
                        if (pad > 0)
                                return -EBADMSG;
                        d = base64_digit(c);
                        if (d < 0)
                                return -EBADMSG;
                        acc = acc << 6 | (uint32_t) d;
                        quad++;
                }
                if (quad == 4) {
                        uint8_t b[3] = { (uint8_t) (acc >> 16), (uint8_t) (acc >> 8), (uint8_t) acc };

                        for (unsigned k = 0; k < 3 - pad; k++) {
                                hex[out++] = hexdigits[b[k] >> 4];
                                hex[out++] = hexdigits[b[k] & 0xf];
                                bytes++;
                        }
                        acc = 0;
                        quad = 0;
                        if (pad > 0)
                                pad = 3;        /* nothing but whitespace may follow */
                }
        }
        if (quad != 0)
                return -EBADMSG;
        hex[out] = 0;
        *ret_hex = TAKE_PTR(hex);
        *ret_bytes = bytes;
        return 0;
}

static Node node_of(Node parent, const xmlChar *localname, const xmlChar *prefix) {
        if (prefix)
                return NODE_OTHER;
        for (size_t i = 0; i < ELEMENTSOF(transitions); i++)
                if (transitions[i].parent == parent && strcmp((const char *) localname, transitions[i].name) == 0)
                        return transitions[i].node;
        return NODE_OTHER;
}

static void key_start(Apphost *p, const xmlChar **attributes, int nb_attributes) {
        int k;

        free(p->key_path);
        p->key_path = NULL;
        p->in_key = true;
        p->key_line = current_line(p);
        k = attr_get(attributes, nb_attributes, "path", &p->key_path);
        if (k < 0) {
                apphost_fail(p, k);
                return;
        }
        if (k == 0)
                diag_warn_line(p->diag, p->key_line, "customMetadata key without a path: its properties are skipped");
}

static void property_start(Apphost *p, const xmlChar **attributes, int nb_attributes) {
        static const char *const names[] = { "id", "dataType", "userType", "attributes", "value" };
        char **fields[] = { &p->prop.id, &p->prop.data_type, &p->prop.user_type, &p->prop.attributes,
                            &p->prop.value };

        pending_property_clear(&p->prop);
        p->in_prop = true;
        p->prop.line = current_line(p);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                int k = attr_get(attributes, nb_attributes, names[i], fields[i]);

                if (k < 0) {
                        apphost_fail(p, k);
                        return;
                }
        }
}

/* Emits the property once its element is complete, so a start tag cut short by the end of a
 * damaged file (libxml2 reports its attributes before it finds the '>') is not a row. */
static void property_end(Apphost *p) {
        PendingProperty *q = &p->prop;
        _cleanup_free_ char *decoded = NULL;
        ConfigProperty row;
        char buf[EXCERPT_SIZE];
        int64_t id;
        bool valid = true;
        int k;

        if (!p->in_prop)
                return;
        p->in_prop = false;
        if (!p->in_key || !p->key_path)
                return;         /* warned about at the key */
        if (!parse_uint32(q->id, &id)) {
                if (q->id)
                        diag_warn_line(p->diag, q->line, "customMetadata property skipped: invalid id \"%s\"",
                                       excerpt_str(q->id, buf));
                else
                        diag_warn_line(p->diag, q->line, "customMetadata property skipped: no id");
                return;
        }
        if (id == MD_SSL_CERT_HASH) {
                /* The IIS 6 SSL certificate hash: a SHA-1 thumbprint whatever its dataType says. A
                 * value that is not one is what the diagnosis looks for, not a parse error. */
                size_t bytes = 0;

                k = q->value ? base64_to_hex(q->value, &decoded, &bytes) : -EBADMSG;
                if (k == -ENOMEM) {
                        apphost_fail(p, k);
                        return;
                }
                valid = k >= 0 && bytes == SHA1_SIZE;
        } else if (q->data_type && ascii_strcaseeq_n(q->data_type, strlen(q->data_type), "Binary", 6)) {
                size_t bytes;

                k = q->value ? base64_to_hex(q->value, &decoded, &bytes) : -EBADMSG;
                if (k == -ENOMEM) {
                        apphost_fail(p, k);
                        return;
                }
                if (k < 0) {
                        valid = false;
                        diag_warn_line(p->diag, q->line, "customMetadata property %lld: Binary value is not base64",
                                       (long long) id);
                }
        }
        row = (ConfigProperty) {
                .key_path = p->key_path,
                .key_line = p->key_line,
                .id = id,
                .data_type = q->data_type,
                .user_type = q->user_type,
                .attributes = q->attributes,
                .value = q->value,
                .decoded = decoded,
                .valid = valid,
                .line = q->line,
        };
        k = p->sink->config_property(p->sink->userdata, &row);
        if (k < 0)
                apphost_fail(p, k);
}

static void site_start(Apphost *p, const xmlChar **attributes, int nb_attributes) {
        _cleanup_free_ char *id = NULL;
        char buf[EXCERPT_SIZE];
        int k;

        free(p->site_name);
        p->site_name = NULL;
        p->site_rows = 0;
        p->site_line = current_line(p);
        k = attr_get(attributes, nb_attributes, "name", &p->site_name);
        if (k < 0) {
                apphost_fail(p, k);
                return;
        }
        if (k == 0)
                diag_warn_line(p->diag, p->site_line, "site without a name");
        k = attr_get(attributes, nb_attributes, "id", &id);
        if (k < 0) {
                apphost_fail(p, k);
                return;
        }
        if (!parse_uint32(id, &p->site_id)) {
                p->site_id = EVENT_NO_VALUE;
                if (id)
                        diag_warn_line(p->diag, p->site_line, "site has an invalid id \"%s\"", excerpt_str(id, buf));
                else
                        diag_warn_line(p->diag, p->site_line, "site without an id");
        }
}

static int emit_binding(Apphost *p, const SiteBinding *b) {
        int k = p->sink->site_binding(p->sink->userdata, b);

        if (k < 0)
                return k;
        p->site_rows++;
        return 0;
}

/* A site that no binding row named is still a site: one row without protocol. */
static void site_end(Apphost *p) {
        SiteBinding row;
        int k;

        if (p->site_rows > 0)
                return;
        row = (SiteBinding) {
                .site_name = p->site_name,
                .site_id = p->site_id,
                .port = EVENT_NO_VALUE,
                .site_line = p->site_line,
                .line = p->site_line,
        };
        k = emit_binding(p, &row);
        if (k < 0)
                apphost_fail(p, k);
}

static void binding_start(Apphost *p, const xmlChar **attributes, int nb_attributes) {
        static const char *const names[] = { "protocol", "bindingInformation", "sslFlags" };
        char **fields[] = { &p->binding.protocol, &p->binding.binding_information, &p->binding.ssl_flags };

        pending_binding_clear(&p->binding);
        p->in_binding = true;
        p->binding.line = current_line(p);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                int k = attr_get(attributes, nb_attributes, names[i], fields[i]);

                if (k < 0) {
                        apphost_fail(p, k);
                        return;
                }
        }
}

static bool is_protocol(const char *s, const char *name) {
        return ascii_strcaseeq_n(s, strlen(s), name, strlen(name));
}

/* Emitted when complete, for the same reason as properties: a cut-off tag could have lost its
 * sslFlags and so map to the wrong HTTP.sys endpoint. */
static void binding_end(Apphost *p) {
        PendingBinding *q = &p->binding;
        _cleanup_free_ char *ip = NULL, *host = NULL, *endpoint = NULL;
        int64_t port = EVENT_NO_VALUE, ssl_flags = 0;
        char buf[EXCERPT_SIZE];
        int k;

        if (!p->in_binding)
                return;
        p->in_binding = false;
        if (!q->protocol) {
                diag_warn_line(p->diag, q->line, "binding of site \"%s\" without a protocol: skipped",
                               p->site_name ? excerpt_str(p->site_name, buf) : "");
                return;
        }
        if (q->ssl_flags && !parse_ssl_flags(q->ssl_flags, &ssl_flags)) {
                diag_warn_line(p->diag, q->line, "binding has invalid sslFlags \"%s\": taken as 0",
                               excerpt_str(q->ssl_flags, buf));
                ssl_flags = 0;
        }
        if (is_protocol(q->protocol, "http") || is_protocol(q->protocol, "https")) {
                k = q->binding_information ? binding_information_split(q->binding_information, &ip, &port, &host)
                                           : -EBADMSG;
                if (k == -ENOMEM) {
                        apphost_fail(p, k);
                        return;
                }
                if (k < 0) {
                        port = EVENT_NO_VALUE;
                        diag_warn_line(p->diag, q->line, "%s binding has an invalid bindingInformation \"%s\"",
                                       q->protocol,
                                       q->binding_information ? excerpt_str(q->binding_information, buf) : "");
                } else {
                        k = binding_endpoint(ip, port, host, ssl_flags, &endpoint);
                        if (k == -ENOMEM) {
                                apphost_fail(p, k);
                                return;
                        }
                        if (k < 0) {
                                /* Split, but not an address or host name HTTP.sys could use. */
                                free(ip);
                                free(host);
                                ip = host = NULL;
                                port = EVENT_NO_VALUE;
                                diag_warn_line(p->diag, q->line,
                                               "%s binding \"%s\" does not map to an HTTP.sys endpoint",
                                               q->protocol, excerpt_str(q->binding_information, buf));
                        }
                }
        }
        k = emit_binding(p, &(SiteBinding) {
                .site_name = p->site_name,
                .site_id = p->site_id,
                .protocol = q->protocol,
                .binding_information = q->binding_information,
                .ip = ip,
                .port = port,
                .hostname = host,
                .ssl_flags = ssl_flags,
                .endpoint = endpoint,
                .site_line = p->site_line,
                .line = q->line,
        });
        if (k < 0)
                apphost_fail(p, k);
}

static void on_start_element(void *userdata, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                             int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                             const xmlChar **attributes) {
        Apphost *p = userdata;
        Node parent, node;

        if (p->r < 0)
                return;
        if (p->skipped > 0 || p->depth >= EVDIAG_MAX_CONFIG_DEPTH) {
                if (p->skipped++ == 0)
                        diag_warn_line(p->diag, current_line(p),
                                       "elements nested deeper than %d levels: this subtree is ignored",
                                       EVDIAG_MAX_CONFIG_DEPTH);
                if (p->depth + p->skipped > STOP_DEPTH) {
                        diag_warn_line(p->diag, current_line(p),
                                       "elements nested deeper than %d levels: the rest was not read",
                                       STOP_DEPTH);
                        p->incomplete = true;
                        xmlStopParser(p->ctxt);
                }
                return;
        }
        parent = p->depth > 0 ? (Node) p->nodes[p->depth - 1] : NODE_DOCUMENT;
        node = node_of(parent, localname, prefix);
        p->nodes[p->depth++] = (uint8_t) node;

        if (parent == NODE_DOCUMENT && !p->root_seen) {
                p->root_seen = true;
                p->root_ok = node == NODE_CONFIGURATION;
                if (!p->root_ok)
                        /* Not an applicationHost.config: no need to read the rest. */
                        xmlStopParser(p->ctxt);
                return;
        }
        switch (node) {
        case NODE_APPHOST:
                p->apphost_seen = true;
                break;
        case NODE_KEY:
                key_start(p, attributes, nb_attributes);
                break;
        case NODE_PROPERTY:
                property_start(p, attributes, nb_attributes);
                break;
        case NODE_SITE:
                site_start(p, attributes, nb_attributes);
                break;
        case NODE_BINDING:
                binding_start(p, attributes, nb_attributes);
                break;
        default:
                break;
        }
}

static void on_end_element(void *userdata, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
        Apphost *p = userdata;

        if (p->r < 0)
                return;
        if (p->skipped > 0) {
                p->skipped--;
                return;
        }
        if (p->depth == 0)
                return;
        switch ((Node) p->nodes[--p->depth]) {
        case NODE_KEY:
                p->in_key = false;
                break;
        case NODE_PROPERTY:
                property_end(p);
                break;
        case NODE_SITE:
                site_end(p);
                break;
        case NODE_BINDING:
                binding_end(p);
                break;
        default:
                break;
        }
}

/* Reads until buf holds n bytes or the input ends. Returns the count or -errno. */
static ssize_t read_full(InStream *in, uint8_t *buf, size_t n) {
        size_t got = 0;

        while (got < n) {
                ssize_t k = instream_read(in, buf + got, n - got);

                if (k < 0)
                        return k;
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        return (ssize_t) got;
}

/* Hands n bytes to libxml2 unless the lexer finds a tag with too many attributes in them: then
 * only what comes before it, and the parse stops. Returns false when it stopped. */
static bool apphost_push(Apphost *p, const uint8_t *buf, size_t n, uint64_t offset) {
        size_t ok = lexer_scan(&p->lexer, buf, n);

        if (ok > 0)
                xmlParseChunk(p->ctxt, (const char *) buf, (int) ok, 0);
        if (ok == n)
                return true;
        if (p->lexer.state == LEX_TAG)
                diag_warn_offset(p->diag, offset + ok,
                                 "an element with more than %d attributes: the rest was not read", MAX_ATTRIBUTES);
        else
                diag_warn_offset(p->diag, offset + ok,
                                 "a DOCTYPE with more than %d literals: the rest was not read", MAX_ATTRIBUTES);
        p->incomplete = true;
        return false;
}

/* Feeds the input to the push parser, CHUNK_SIZE bytes at a time and never more than
 * EVDIAG_MAX_CONFIG_FILE in all. Returns 0 or -errno from reading. */
static int apphost_feed(Apphost *p, InStream *in, uint8_t *buf, size_t first) {
        uint64_t total = first;

        for (;;) {
                ssize_t k = read_full(in, buf, CHUNK_SIZE);
                bool too_big = false;
                size_t n;

                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                n = (size_t) k;
                if (n > EVDIAG_MAX_CONFIG_FILE - total) {
                        n = (size_t) (EVDIAG_MAX_CONFIG_FILE - total);
                        too_big = true;
                }
                if (!apphost_push(p, buf, n, total))
                        break;
                total += n;
                if (too_big) {
                        diag_warn_offset(p->diag, EVDIAG_MAX_CONFIG_FILE,
                                         "file larger than %d bytes: the rest was not read",
                                         EVDIAG_MAX_CONFIG_FILE);
                        p->incomplete = true;
                        break;
                }
                if (p->r < 0 || p->ctxt->instate == XML_PARSER_EOF)
                        return 0;
        }
        xmlParseChunk(p->ctxt, NULL, 0, 1);
        return 0;
}

int apphost_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_(apphost_done) Apphost p = {
                .sink = sink,
                .diag = diag,
                .site_id = EVENT_NO_VALUE,
        };
        xmlSAXHandler sax = {
                .initialized = XML_SAX2_MAGIC,
                .startElementNs = on_start_element,
                .endElementNs = on_end_element,
        };
        XmlErrorCapture capture;
        ssize_t first;
        int r;

        buf = malloc(CHUNK_SIZE);
        if (!buf)
                return -ENOMEM;
        /* Four bytes let libxml2 recognise a BOM or the encoding of the declaration. */
        first = read_full(in, buf, 4);
        if (first < 0)
                return (int) first;
        if (first == 0) {
                diag_error_line(diag, DIAG_NO_LINE, "empty file: no <configuration> root element");
                return -EBADMSG;
        }
        (void) sax_escapes_ampersand();         /* before the capture: its own parse is silent */

        xml_errors_begin(&capture, diag, 1, "malformed XML, read on in recovery mode");
        /* No entity handlers: with neither getEntity nor XML_PARSE_NOENT nor a DTD loaded,
         * nothing but the predefined entities and character references is ever expanded. */
        (void) lexer_scan(&p.lexer, buf, (size_t) first);      /* four bytes cannot pass a cap */
        p.ctxt = xmlCreatePushParserCtxt(&sax, &p, (const char *) buf, (int) first, NULL);
        if (!p.ctxt) {
                xml_errors_end(&capture);
                return -ENOMEM;
        }
        xmlCtxtUseOptions(p.ctxt, XML_SAFE_OPTIONS | XML_PARSE_RECOVER);
        r = apphost_feed(&p, in, buf, (size_t) first);
        xml_errors_end(&capture);
        /* libxml2 keeps the entities a DTD declares in a document of its own, even in SAX mode. */
        if (p.ctxt->myDoc)
                xmlFreeDoc(p.ctxt->myDoc);
        xmlFreeParserCtxt(p.ctxt);
        p.ctxt = NULL;

        if (r < 0)
                return r;
        if (p.r < 0)
                return p.r;
        if (capture.errors > 1)
                diag_warn_line(diag, DIAG_NO_LINE, "%u more XML errors after the first were not listed",
                               capture.errors - 1);
        if (!p.root_ok) {
                diag_error_line(diag, DIAG_NO_LINE, "not an applicationHost.config: no <configuration> root element");
                return -EBADMSG;
        }
        if (!p.apphost_seen && !p.incomplete)
                diag_warn_line(diag, DIAG_NO_LINE, "no <system.applicationHost> section");
        return 0;
}
