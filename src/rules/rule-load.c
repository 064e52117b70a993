/* SPDX-License-Identifier: MIT */
/* Rule files -> Rule. Every mistake in a rule file is reported as "file:line: message". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "importer/xml-util.h"
#include "rule.h"
#include "template.h"

static const char *const fact_kind_names[_FACT_KIND_MAX] = {
        [FACT_EVENT] = "event",
        [FACT_CONFIG_FILE] = "config-file",
        [FACT_CONFIG_PROPERTY] = "config-property",
        [FACT_SITE_BINDING] = "site-binding",
        [FACT_NETSH_BINDING] = "netsh-binding",
};

const char *fact_kind_name(FactKind kind) {
        return kind < _FACT_KIND_MAX ? fact_kind_names[kind] : "?";
}

/* The SQL of each column is a constant of evdiag's own; rule text never reaches SQL. */
static const FactColumn config_file_columns[] = {
        { "path", "f.path" },
};
static const FactColumn config_property_columns[] = {
        { "key_path", "a.key_path" },
        { "key_line", "a.key_line" },
        { "prop_id", "a.prop_id" },
        { "data_type", "a.data_type" },
        { "user_type", "a.user_type" },
        { "attributes", "a.attributes" },
        { "value", "a.value" },
        { "decoded", "a.decoded" },
        { "valid", "a.valid" },
        { "line", "a.line" },
        { "path", "f.path" },
};
static const FactColumn site_binding_columns[] = {
        { "site_name", "a.site_name" },
        { "site_id", "a.site_id" },
        { "protocol", "a.protocol" },
        { "binding_information", "a.binding_information" },
        { "ip", "a.ip" },
        { "port", "a.port" },
        { "hostname", "a.hostname" },
        { "ssl_flags", "a.ssl_flags" },
        { "endpoint", "a.endpoint" },
        { "site_line", "a.site_line" },
        { "line", "a.line" },
        { "path", "f.path" },
};
static const FactColumn netsh_binding_columns[] = {
        { "kind", "a.kind" },
        { "endpoint", "a.endpoint" },
        { "cert_hash", "a.cert_hash" },
        { "app_id", "a.app_id" },
        { "store_name", "a.store_name" },
        { "line", "a.line" },
        { "path", "f.path" },
};
/* Event rows: what evidence templates may name besides field:NAME. */
static const FactColumn event_columns[] = {
        { "time", NULL },
        { "event_id", NULL },
        { "provider", NULL },
        { "channel", NULL },
        { "record_id", NULL },
        { "message", NULL },
        { "path", NULL },
        { "line", NULL },
        { "summary", NULL },
};

const FactColumn *fact_kind_columns(FactKind kind, size_t *ret_n) {
        switch (kind) {
        case FACT_CONFIG_FILE:
                *ret_n = ELEMENTSOF(config_file_columns);
                return config_file_columns;
        case FACT_CONFIG_PROPERTY:
                *ret_n = ELEMENTSOF(config_property_columns);
                return config_property_columns;
        case FACT_SITE_BINDING:
                *ret_n = ELEMENTSOF(site_binding_columns);
                return site_binding_columns;
        case FACT_NETSH_BINDING:
                *ret_n = ELEMENTSOF(netsh_binding_columns);
                return netsh_binding_columns;
        case FACT_EVENT:
                *ret_n = ELEMENTSOF(event_columns);
                return event_columns;
        default:
                *ret_n = 0;
                return NULL;
        }
}

static int column_index(FactKind kind, const char *name) {
        size_t n;
        const FactColumn *c = fact_kind_columns(kind, &n);

        for (size_t i = 0; i < n; i++)
                if (strcmp(c[i].name, name) == 0)
                        return (int) i;
        return -1;
}

/* Symptom values besides its captures. */
static const char *const symptom_vars[] = {
        "time", "event_id", "record_id", "provider", "channel", "message", "path", "line",
};

static void source_done(RuleSource *s) {
        free(s->name);
}

static void sources_free(RuleSource *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                source_done(&s[i]);
        free(s);
}

static void cond_done(RuleCond *c) {
        if (!c)
                return;
        sources_free(c->where.sources, c->where.n_sources);
        strv_free(c->where.values);
        sources_free(c->where.refs, c->where.n_refs);
        free(c->where.capture);
        for (size_t i = 0; i < c->n_children; i++)
                cond_done(&c->children[i]);
        free(c->children);
        *c = (RuleCond) {};
}

static void event_sel_done(RuleEventSel *e) {
        free(e->ids);
        free(e->summary);
        for (size_t i = 0; i < e->n_providers; i++)
                free(e->providers[i]);
        free(e->providers);
        for (size_t i = 0; i < e->n_channels; i++)
                free(e->channels[i]);
        free(e->channels);
        cond_done(&e->cond);
}

static void decisions_free(RuleDecision *d, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(d[i].facts);
                free(d[i].want);
                free(d[i].verdict);
                free(d[i].reason);
        }
        free(d);
}

Rule *rule_free(Rule *r) {
        if (!r)
                return NULL;
        free(r->path);
        free(r->id);
        free(r->title);
        free(r->description);
        for (size_t i = 0; i < r->n_symptoms; i++)
                event_sel_done(&r->symptoms[i]);
        free(r->symptoms);
        for (size_t i = 0; i < r->n_captures; i++) {
                free(r->captures[i].name);
                sources_free(r->captures[i].sources, r->captures[i].n_sources);
        }
        free(r->captures);
        for (size_t i = 0; i < r->n_facts; i++) {
                RuleFact *f = &r->facts[i];

                free(f->name);
                free(f->evidence);
                free(f->summary);
                for (size_t j = 0; j < f->n_events; j++)
                        event_sel_done(&f->events[j]);
                free(f->events);
                cond_done(&f->cond);
        }
        free(r->facts);
        for (size_t i = 0; i < r->n_verdicts; i++) {
                free(r->verdicts[i].name);
                free(r->verdicts[i].reason);
        }
        free(r->verdicts);
        decisions_free(r->decisions, r->n_decisions);
        decisions_free(r->host_decisions, r->n_host_decisions);
        free(r->remediation);
        free(r);
        return NULL;
}

RuleSet *rule_set_free(RuleSet *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_rules; i++)
                rule_free(s->rules[i]);
        free(s->rules);
        free(s);
        return NULL;
}

const RuleVerdict *rule_verdict(const Rule *r, const char *name) {
        for (size_t i = 0; i < r->n_verdicts; i++)
                if (strcmp(r->verdicts[i].name, name) == 0)
                        return &r->verdicts[i];
        return NULL;
}

int rule_fact_index(const Rule *r, const char *name) {
        for (size_t i = 0; i < r->n_facts; i++)
                if (strcmp(r->facts[i].name, name) == 0)
                        return (int) i;
        return -1;
}

typedef struct Loader {
        const char *path;
        Diag *diag;
        Rule *rule;
        size_t n_facts_declared;        /* facts before the one being parsed, for refs */
        FactKind fact_kind;             /* kind of the fact being parsed */
        bool in_symptom;
        bool refs_symptom;              /* the fact being parsed refers to the symptom */
        bool refs_per_symptom_fact;
} Loader;

__attribute__((format(printf, 3, 0)))
static int bad_at(Loader *l, unsigned line, const char *fmt, va_list ap) {
        diag_addv(l->diag, DIAG_ERROR, line ? line : DIAG_NO_LINE, DIAG_NO_OFFSET, fmt, ap);
        return -EBADMSG;
}

/* The line node n starts on (see the SAX hooks below); for text, the line of its first
 * character that is not blank. 0 when unknown. */
static unsigned line_of(const xmlNode *n) {
        long l = n ? xmlGetLineNo(n) : -1;

        if (l <= 0)
                return 0;
        if (n->type == XML_TEXT_NODE && n->content && l < 65535)
                for (const xmlChar *p = n->content; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
                        if (*p == '\n')
                                l++;
        return (unsigned) l;
}

/* Records an error about node n (NULL: the file) and returns -EBADMSG. */
__attribute__((format(printf, 3, 4)))
static int bad(Loader *l, const xmlNode *n, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = bad_at(l, line_of(n), fmt, ap);
        va_end(ap);
        return r;
}

__attribute__((format(printf, 3, 4)))
static int bad_line(Loader *l, unsigned line, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = bad_at(l, line, fmt, ap);
        va_end(ap);
        return r;
}

static bool is(const xmlNode *n, const char *name) {
        return n->type == XML_ELEMENT_NODE && strcmp((const char *) n->name, name) == 0;
}

/* Whether c, a child of an element that holds only elements, is text that is not blank. */
static bool stray_text(const xmlNode *c) {
        return c->type == XML_TEXT_NODE && xmlIsBlankNode(c) == 0;
}

/* An attribute's value as a new string; NULL when absent (or out of memory: callers that
 * need it treat both as absent, and allocation failure in a tiny rule file is moot). */
static char *attr(const xmlNode *n, const char *name) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
        char *s;

        if (!v)
                return NULL;
        s = strdup((const char *) v);
        xmlFree(v);
        return s;
}

/* Only the attributes listed are allowed on n. */
static int check_attrs(Loader *l, const xmlNode *n, const char *const *allowed) {
        for (const xmlAttr *a = n->properties; a; a = a->next) {
                bool ok = false;

                for (const char *const *p = allowed; p && *p; p++)
                        if (strcmp((const char *) a->name, *p) == 0)
                                ok = true;
                if (!ok)
                        return bad(l, n, "unknown attribute \"%s\" on <%s>", a->name, n->name);
        }
        return 0;
}

/* The element's text: its text and CDATA children joined, surrounding blanks trimmed, and
 * the common indentation of its later lines removed (so templates can be indented in the
 * file). Entity references are refused: rules have no DTD. */
static int text_of(Loader *l, const xmlNode *n, char **ret) {
        _cleanup_strbuf_ StrBuf raw = {}, out = {};
        size_t indent = SIZE_MAX;
        const char *s, *e;

        for (const xmlNode *c = n->children; c; c = c->next) {
                if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
                        if (strbuf_puts(&raw, (const char *) c->content) < 0)
                                return -ENOMEM;
                } else if (c->type == XML_ENTITY_REF_NODE)
                        return bad(l, c, "entity references are not allowed in rules");
                else if (c->type == XML_ELEMENT_NODE)
                        return bad(l, c, "<%s> cannot hold <%s>", n->name, c->name);
        }
        s = strbuf_str(&raw);
        e = s + raw.len;
        /* The indentation common to every line that starts after a newline and holds more than
         * blanks, the first line of the text included when it starts on a line of its own. */
        for (const char *p = memchr(s, '\n', raw.len); p; p = memchr(p + 1, '\n', (size_t) (e - p - 1))) {
                size_t k = 0;

                while (p + 1 + k < e && (p[1 + k] == ' ' || p[1 + k] == '\t'))
                        k++;
                if (p + 1 + k < e && p[1 + k] != '\n' && p[1 + k] != '\r' && k < indent)
                        indent = k;
        }
        while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
                s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
                e--;
        for (const char *p = s; p < e; ) {
                const char *nl = memchr(p, '\n', (size_t) (e - p));
                const char *end = nl ? nl : e;

                if (strbuf_append(&out, p, (size_t) (end - p)) < 0)
                        return -ENOMEM;
                if (!nl)
                        break;
                if (strbuf_putc(&out, '\n') < 0)
                        return -ENOMEM;
                p = nl + 1;
                for (size_t k = 0; k < indent && p < e && (*p == ' ' || *p == '\t'); k++)
                        p++;
        }
        *ret = strbuf_steal(&out);
        return *ret ? 0 : -ENOMEM;
}

/* A number of decimal digits only (no sign, blank or empty string), at most max. */
static bool parse_number(const char *s, long max, long *ret) {
        long v = 0;

        if (!s || !*s)
                return false;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9' || v > (max - (*p - '0')) / 10)
                        return false;
                v = v * 10 + (*p - '0');
        }
        *ret = v;
        return true;
}

static bool valid_name(const char *s) {
        if (!s || !*s || strlen(s) > 64)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_' || *p == '-'))
                        return false;
        return true;
}

/* "symptom.endpoint" or "key.site_id": checks that the thing referred to exists and records
 * what the fact being parsed depends on. */
static int check_ref(Loader *l, const xmlNode *n, const char *ref) {
        const char *dot = strchr(ref, '.');
        _cleanup_free_ char *head = NULL;
        Rule *r = l->rule;
        int fi;

        if (!dot || dot == ref || !dot[1])
                return bad(l, n, "a reference is \"symptom.NAME\" or \"FACT.COLUMN\", not \"%s\"", ref);
        head = strndup_view(ref, (size_t) (dot - ref));
        if (!head)
                return -ENOMEM;
        if (strcmp(head, "symptom") == 0) {
                if (l->in_symptom)
                        return bad(l, n, "the symptom cannot refer to itself");
                for (size_t i = 0; i < r->n_captures; i++)
                        if (strcmp(r->captures[i].name, dot + 1) == 0) {
                                l->refs_symptom = true;
                                return 0;
                        }
                return bad(l, n, "the symptom has no capture \"%s\"", dot + 1);
        }
        fi = -1;
        for (size_t i = 0; i < l->n_facts_declared; i++)
                if (strcmp(r->facts[i].name, head) == 0)
                        fi = (int) i;
        if (fi < 0)
                return bad(l, n, "\"%s\" is not a fact declared before this one", head);
        if (r->facts[fi].kind == FACT_EVENT)
                return bad(l, n, "conditions cannot refer to the event fact \"%s\"", head);
        /* Events are looked up once per symptom, not per row of another fact. */
        if (l->fact_kind == FACT_EVENT)
                return bad(l, n, "the events of a fact can refer to the symptom only, not to \"%s\"", head);
        if (column_index(r->facts[fi].kind, dot + 1) < 0) {
                bool capture = false;

                /* A capture of that fact? */
                for (const RuleCond *c = &r->facts[fi].cond; c; c = NULL)
                        for (size_t i = 0; i < c->n_children; i++)
                                if (c->children[i].kind == COND_WHERE && c->children[i].where.capture &&
                                    strcmp(c->children[i].where.capture, dot + 1) == 0)
                                        capture = true;
                if (!capture)
                        return bad(l, n, "fact \"%s\" has no column or capture \"%s\"", head, dot + 1);
        }
        if (r->facts[fi].per_symptom)
                l->refs_per_symptom_fact = true;
        return 0;
}

static int add_source(RuleSource **arr, size_t *n, size_t *allocated, SourceKind kind, char *name, int column) {
        if (ARRAY_GROW(*arr, *allocated, *n + 1) < 0) {
                free(name);
                return -ENOMEM;
        }
        (*arr)[(*n)++] = (RuleSource) { .kind = kind, .name = name, .column = column };
        return 0;
}

static int parse_where(Loader *l, const xmlNode *n, bool event_context, bool top_level, RuleWhere *w) {
        static const char *const attrs[] = { "op", "capture", NULL };
        _cleanup_free_ char *op = NULL;
        size_t a_sources = 0, a_values = 0, a_refs = 0;
        int r;

        r = check_attrs(l, n, attrs);
        if (r < 0)
                return r;
        w->line = line_of(n);
        op = attr(n, "op");
        if (!op)
                return bad(l, n, "<where> needs op=\"…\"");
        if (match_op_from_string(op, &w->op) < 0)
                return bad(l, n, "unknown op \"%s\" (equals, prefix, suffix, path-suffix, contains, regex, endpoint)", op);
        w->capture = attr(n, "capture");
        if (w->capture) {
                if (w->op != MATCH_REGEX)
                        return bad(l, n, "capture=\"…\" needs op=\"regex\"");
                if (event_context)
                        return bad(l, n, "captures are for artifact facts, not events");
                if (!top_level)
                        return bad(l, n, "captures must be in a top-level <where> of the fact");
                if (!valid_name(w->capture) || column_index(l->fact_kind, w->capture) >= 0)
                        return bad(l, n, "capture name \"%s\" is not a free name", w->capture);
        }

        for (const xmlNode *c = n->children; c; c = c->next) {
                _cleanup_free_ char *text = NULL;

                if (c->type != XML_ELEMENT_NODE) {
                        if (stray_text(c))
                                return bad(l, c, "unexpected text in <where>");
                        continue;
                }
                if (is(c, "field") || is(c, "column") || is(c, "value") || is(c, "ref")) {
                        r = text_of(l, c, &text);
                        if (r < 0)
                                return r;
                }
                if (is(c, "field")) {
                        if (!event_context)
                                return bad(l, c, "<field> is for event conditions; use <column>");
                        if (!*text)
                                return bad(l, c, "<field> needs a name");
                        r = add_source(&w->sources, &w->n_sources, &a_sources, SOURCE_FIELD, TAKE_PTR(text), -1);
                } else if (is(c, "message")) {
                        static const char *const mattrs[] = { "label", NULL };
                        char *label;

                        if (!event_context)
                                return bad(l, c, "<message> is for event conditions");
                        r = check_attrs(l, c, mattrs);
                        if (r < 0)
                                return r;
                        label = attr(c, "label");
                        r = add_source(&w->sources, &w->n_sources, &a_sources,
                                       label ? SOURCE_MESSAGE_LABEL : SOURCE_MESSAGE, label, -1);
                } else if (is(c, "binary")) {
                        static const char *const battrs[] = { "encoding", NULL };
                        _cleanup_free_ char *enc = NULL;

                        if (!event_context)
                                return bad(l, c, "<binary> is for event conditions");
                        r = check_attrs(l, c, battrs);
                        if (r < 0)
                                return r;
                        enc = attr(c, "encoding");
                        if (!enc || strcmp(enc, "utf-16le") != 0)
                                return bad(l, c, "<binary> needs encoding=\"utf-16le\"");
                        r = add_source(&w->sources, &w->n_sources, &a_sources, SOURCE_BINARY_UTF16, NULL, -1);
                } else if (is(c, "column")) {
                        int col;

                        if (event_context)
                                return bad(l, c, "<column> is for artifact facts; use <field> or <message>");
                        col = column_index(l->fact_kind, text);
                        if (col < 0)
                                return bad(l, c, "a %s fact has no column \"%s\"", fact_kind_name(l->fact_kind), text);
                        r = add_source(&w->sources, &w->n_sources, &a_sources, SOURCE_COLUMN, TAKE_PTR(text), col);
                } else if (is(c, "value")) {
                        if (w->n_values + w->n_refs >= EVDIAG_MAX_RULE_VALUES)
                                return bad(l, c, "more than %d values in one <where>", EVDIAG_MAX_RULE_VALUES);
                        if (w->op == MATCH_REGEX) {
                                _cleanup_(matcher_freep) Matcher *m = NULL;
                                _cleanup_free_ char *err = NULL;

                                r = matcher_new(MATCH_REGEX, text, &m, &err);
                                if (r == -ENOMEM)
                                        return r;
                                if (r < 0)
                                        return bad(l, c, "%s", err ? err : "bad regular expression");
                        }
                        if (ARRAY_GROW(w->values, a_values, w->n_values + 2) < 0)
                                return -ENOMEM;
                        w->values[w->n_values++] = TAKE_PTR(text);
                        w->values[w->n_values] = NULL;
                        r = 0;
                } else if (is(c, "ref")) {
                        if (w->n_values + w->n_refs >= EVDIAG_MAX_RULE_VALUES)
                                return bad(l, c, "more than %d values in one <where>", EVDIAG_MAX_RULE_VALUES);
                        r = check_ref(l, c, text);
                        if (r < 0)
                                return r;
                        r = add_source(&w->refs, &w->n_refs, &a_refs, SOURCE_REF, TAKE_PTR(text), -1);
                } else
                        return bad(l, c, "<where> cannot hold <%s>", c->name);
                if (r < 0)
                        return r;
        }
        if (w->n_sources == 0)
                return bad(l, n, "<where> needs at least one source (<field>, <message>, <binary> or <column>)");
        if (w->n_values + w->n_refs == 0)
                return bad(l, n, "<where> needs at least one <value> or <ref>");
        if (w->op == MATCH_REGEX && w->n_refs > 0)
                return bad(l, n, "a regex cannot come from a <ref>");
        return 0;
}

static int parse_cond(Loader *l, const xmlNode *n, bool event_context, RuleCond *c, unsigned depth);

/* The condition children of n, as c (COND_ALL/ANY/NOT), n being nested depth deep in <all>,
 * <any> and <not> (0 for an <event> or a <fact>). Children that are not conditions are left to
 * the caller: skip lists them. */
static int parse_children(Loader *l, const xmlNode *n, bool event_context, RuleCond *c, unsigned depth,
                          const char *const *skip) {
        size_t allocated = 0;
        int r;

        for (const xmlNode *k = n->children; k; k = k->next) {
                bool skipped = false;

                if (k->type != XML_ELEMENT_NODE) {
                        if (stray_text(k))
                                return bad(l, k, "unexpected text in <%s>", n->name);
                        continue;
                }
                for (const char *const *s = skip; s && *s; s++)
                        if (is(k, *s))
                                skipped = true;
                if (skipped)
                        continue;
                if (ARRAY_GROW(c->children, allocated, c->n_children + 1) < 0)
                        return -ENOMEM;
                c->children[c->n_children] = (RuleCond) {};
                r = parse_cond(l, k, event_context, &c->children[c->n_children], depth);
                c->n_children++;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* depth: how many <all>, <any> and <not> enclose n, n included when it is one of them. */
static int parse_cond(Loader *l, const xmlNode *n, bool event_context, RuleCond *c, unsigned depth) {
        int r;

        c->line = line_of(n);
        if (is(n, "where")) {
                c->kind = COND_WHERE;
                /* A capture names a column of the fact's rows: it cannot depend on an <any>. */
                return parse_where(l, n, event_context, depth == 0, &c->where);
        }
        if (depth + 1 > EVDIAG_MAX_RULE_DEPTH)
                return bad(l, n, "<all>, <any> and <not> nested deeper than %d", EVDIAG_MAX_RULE_DEPTH);
        if (is(n, "all"))
                c->kind = COND_ALL;
        else if (is(n, "any"))
                c->kind = COND_ANY;
        else if (is(n, "not"))
                c->kind = COND_NOT;
        else
                return bad(l, n, "<%s> is not a condition (where, all, any, not)", n->name);
        r = check_attrs(l, n, NULL);
        if (r < 0)
                return r;
        r = parse_children(l, n, event_context, c, depth + 1, NULL);
        if (r < 0)
                return r;
        if (c->n_children == 0)
                return bad(l, n, "<%s> needs at least one condition", n->name);
        if (c->kind == COND_NOT && c->n_children != 1)
                return bad(l, n, "<not> holds exactly one condition");
        return 0;
}

static int push_string(Loader *l, char ***arr, size_t *n, size_t *allocated, const xmlNode *c) {
        _cleanup_free_ char *text = NULL;
        int r = check_attrs(l, c, NULL);

        if (r < 0)
                return r;
        r = text_of(l, c, &text);
        if (r < 0)
                return r;
        if (!*text)
                return bad(l, c, "<%s> is empty", c->name);
        if (ARRAY_GROW(*arr, *allocated, *n + 1) < 0)
                return -ENOMEM;
        (*arr)[(*n)++] = TAKE_PTR(text);
        return 0;
}

static int parse_event_sel(Loader *l, const xmlNode *n, RuleEventSel *e) {
        static const char *const attrs[] = { "id", "summary", NULL };
        static const char *const skip[] = { "provider", "channel", NULL };
        size_t a_ids = 0, a_prov = 0, a_chan = 0;
        _cleanup_free_ char *ids = NULL;
        int r;

        e->line = line_of(n);
        e->cond.kind = COND_ALL;
        e->cond.line = e->line;
        r = check_attrs(l, n, attrs);
        if (r < 0)
                return r;
        ids = attr(n, "id");
        if (!ids)
                return bad(l, n, "<event> needs id=\"…\" (one or more event ids)");
        e->summary = attr(n, "summary");
        if (e->summary && l->in_symptom)
                return bad(l, n, "summary=\"…\" is for the events of facts");
        for (char *p = ids, *tok; (tok = strtok_r(p, " ,", &p)); ) {
                long v;

                if (!parse_number(tok, 65535, &v))
                        return bad(l, n, "\"%s\" is not an event id (0..65535)", tok);
                if (ARRAY_GROW(e->ids, a_ids, e->n_ids + 1) < 0)
                        return -ENOMEM;
                e->ids[e->n_ids++] = v;
        }
        if (e->n_ids == 0)
                return bad(l, n, "<event> needs at least one id");
        for (const xmlNode *c = n->children; c; c = c->next) {
                if (is(c, "provider"))
                        r = push_string(l, &e->providers, &e->n_providers, &a_prov, c);
                else if (is(c, "channel"))
                        r = push_string(l, &e->channels, &e->n_channels, &a_chan, c);
                else
                        continue;
                if (r < 0)
                        return r;
        }
        return parse_children(l, n, true, &e->cond, 0, skip);
}

static int parse_capture(Loader *l, const xmlNode *n, RuleCapture *cap) {
        static const char *const attrs[] = { "name", "extract", NULL };
        _cleanup_free_ char *extract = NULL;
        size_t allocated = 0;
        int r;

        cap->line = line_of(n);
        r = check_attrs(l, n, attrs);
        if (r < 0)
                return r;
        cap->name = attr(n, "name");
        if (!valid_name(cap->name))
                return bad(l, n, "<capture> needs a name of letters, digits, '_' or '-'");
        for (size_t i = 0; i < ELEMENTSOF(symptom_vars); i++)
                if (strcmp(cap->name, symptom_vars[i]) == 0)
                        return bad(l, n, "\"%s\" is a built-in symptom value; pick another name", cap->name);
        extract = attr(n, "extract");
        if (extract) {
                if (strcmp(extract, "endpoint") != 0)
                        return bad(l, n, "extract=\"%s\": only \"endpoint\" is known", extract);
                cap->extract_endpoint = true;
        }
        for (const xmlNode *c = n->children; c; c = c->next) {
                _cleanup_free_ char *text = NULL;

                if (stray_text(c))
                        return bad(l, c, "unexpected text in <capture>");
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (is(c, "field")) {
                        r = text_of(l, c, &text);
                        if (r < 0)
                                return r;
                        if (!*text)
                                return bad(l, c, "<field> needs a name");
                        r = add_source(&cap->sources, &cap->n_sources, &allocated, SOURCE_FIELD, TAKE_PTR(text), -1);
                } else if (is(c, "message")) {
                        static const char *const mattrs[] = { "label", NULL };
                        char *label;

                        r = check_attrs(l, c, mattrs);
                        if (r < 0)
                                return r;
                        label = attr(c, "label");
                        r = add_source(&cap->sources, &cap->n_sources, &allocated,
                                       label ? SOURCE_MESSAGE_LABEL : SOURCE_MESSAGE, label, -1);
                } else if (is(c, "binary")) {
                        static const char *const battrs[] = { "encoding", NULL };
                        _cleanup_free_ char *enc = NULL;

                        r = check_attrs(l, c, battrs);
                        if (r < 0)
                                return r;
                        enc = attr(c, "encoding");
                        if (!enc || strcmp(enc, "utf-16le") != 0)
                                return bad(l, c, "<binary> needs encoding=\"utf-16le\"");
                        r = add_source(&cap->sources, &cap->n_sources, &allocated, SOURCE_BINARY_UTF16, NULL, -1);
                } else
                        return bad(l, c, "<capture> cannot hold <%s>", c->name);
                if (r < 0)
                        return r;
        }
        if (cap->n_sources == 0)
                return bad(l, n, "<capture> needs at least one source");
        return 0;
}

static int parse_symptom(Loader *l, const xmlNode *n) {
        Rule *r = l->rule;
        size_t a_sym = 0, a_cap = 0;
        int k;

        k = check_attrs(l, n, NULL);
        if (k < 0)
                return k;
        l->in_symptom = true;
        for (const xmlNode *c = n->children; c; c = c->next) {
                if (stray_text(c))
                        return bad(l, c, "unexpected text in <symptom>");
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (is(c, "event")) {
                        if (ARRAY_GROW(r->symptoms, a_sym, r->n_symptoms + 1) < 0)
                                return -ENOMEM;
                        r->symptoms[r->n_symptoms] = (RuleEventSel) {};
                        k = parse_event_sel(l, c, &r->symptoms[r->n_symptoms++]);
                } else if (is(c, "capture")) {
                        if (ARRAY_GROW(r->captures, a_cap, r->n_captures + 1) < 0)
                                return -ENOMEM;
                        r->captures[r->n_captures] = (RuleCapture) {};
                        k = parse_capture(l, c, &r->captures[r->n_captures++]);
                        for (size_t i = 0; k == 0 && i + 1 < r->n_captures; i++)
                                if (strcmp(r->captures[i].name, r->captures[r->n_captures - 1].name) == 0)
                                        k = bad(l, c, "capture \"%s\" is defined twice", r->captures[i].name);
                } else
                        k = bad(l, c, "<symptom> cannot hold <%s>", c->name);
                if (k < 0)
                        return k;
        }
        l->in_symptom = false;
        if (r->n_symptoms == 0)
                return bad(l, n, "<symptom> needs at least one <event>");
        return 0;
}

static int parse_fact(Loader *l, const xmlNode *n, RuleFact *f) {
        static const char *const attrs[] = { "name", "kind", "evidence", "window", "side", "summary", NULL };
        _cleanup_free_ char *kind = NULL, *window = NULL, *side = NULL;
        size_t a_events = 0;
        int r;

        f->line = line_of(n);
        f->window = -1;
        r = check_attrs(l, n, attrs);
        if (r < 0)
                return r;
        f->name = attr(n, "name");
        if (!valid_name(f->name) || strcmp(f->name, "symptom") == 0 || strcmp(f->name, "host") == 0 ||
            strcmp(f->name, "window") == 0)
                return bad(l, n, "<fact> needs a name of letters, digits, '_' or '-' (not symptom, host or window)");
        if (rule_fact_index(l->rule, f->name) >= 0 && rule_fact_index(l->rule, f->name) < (int) l->n_facts_declared)
                return bad(l, n, "fact \"%s\" is declared twice", f->name);
        kind = attr(n, "kind");
        f->kind = _FACT_KIND_MAX;
        for (FactKind k = 0; kind && k < _FACT_KIND_MAX; k++)
                if (strcmp(kind, fact_kind_names[k]) == 0)
                        f->kind = k;
        if (f->kind == _FACT_KIND_MAX)
                return bad(l, n, "<fact> needs kind=\"event|config-file|config-property|site-binding|netsh-binding\"");
        f->evidence = attr(n, "evidence");
        if (!f->evidence)
                f->evidence = strdup(f->name);
        if (!f->evidence)
                return -ENOMEM;
        f->summary = attr(n, "summary");
        window = attr(n, "window");
        side = attr(n, "side");
        if (f->kind != FACT_EVENT && (window || side))
                return bad(l, n, "window and side are for event facts");
        if (window && strcmp(window, "default") != 0) {
                long v;

                if (!parse_number(window, 30L * 86400, &v))
                        return bad(l, n, "window=\"%s\": seconds (0..2592000) or \"default\"", window);
                f->window = v;
        }
        f->side = WINDOW_BEFORE;
        if (side) {
                if (strcmp(side, "before") == 0)
                        f->side = WINDOW_BEFORE;
                else if (strcmp(side, "after") == 0)
                        f->side = WINDOW_AFTER;
                else if (strcmp(side, "around") == 0)
                        f->side = WINDOW_AROUND;
                else
                        return bad(l, n, "side=\"%s\": before, after or around", side);
        }

        l->fact_kind = f->kind;
        l->refs_symptom = l->refs_per_symptom_fact = false;
        f->cond.kind = COND_ALL;
        f->cond.line = f->line;
        if (f->kind == FACT_EVENT) {
                for (const xmlNode *c = n->children; c; c = c->next) {
                        if (stray_text(c))
                                return bad(l, c, "unexpected text in <fact>");
                        if (c->type != XML_ELEMENT_NODE)
                                continue;
                        if (!is(c, "event"))
                                return bad(l, c, "an event fact holds <event> elements, not <%s>", c->name);
                        if (ARRAY_GROW(f->events, a_events, f->n_events + 1) < 0)
                                return -ENOMEM;
                        f->events[f->n_events] = (RuleEventSel) {};
                        r = parse_event_sel(l, c, &f->events[f->n_events++]);
                        if (r < 0)
                                return r;
                }
                if (f->n_events == 0)
                        return bad(l, n, "an event fact needs at least one <event>");
        } else {
                r = parse_children(l, n, false, &f->cond, 0, NULL);
                if (r < 0)
                        return r;
        }
        f->per_symptom = f->kind == FACT_EVENT || l->refs_symptom || l->refs_per_symptom_fact;
        return 0;
}

static int parse_verdict(Loader *l, const xmlNode *n, RuleVerdict *v) {
        static const char *const attrs[] = { "name", "strength", "remedy", NULL };
        _cleanup_free_ char *strength = NULL, *remedy = NULL;
        long s;
        int r;

        r = check_attrs(l, n, attrs);
        if (r < 0)
                return r;
        v->name = attr(n, "name");
        if (!valid_name(v->name) || strcmp(v->name, "none") == 0)
                return bad(l, n, "<verdict> needs a name (not \"none\")");
        if (rule_verdict(l->rule, v->name) != v && rule_verdict(l->rule, v->name))
                return bad(l, n, "verdict \"%s\" is declared twice", v->name);
        strength = attr(n, "strength");
        if (!strength)
                return bad(l, n, "<verdict> needs strength=\"N\"");
        if (!parse_number(strength, 100, &s))
                return bad(l, n, "strength=\"%s\": 0..100", strength);
        v->strength = (int) s;
        remedy = attr(n, "remedy");
        if (remedy && strcmp(remedy, "yes") != 0 && strcmp(remedy, "no") != 0)
                return bad(l, n, "remedy=\"%s\": yes or no", remedy);
        v->remedy = remedy && strcmp(remedy, "yes") == 0;
        return text_of(l, n, &v->reason);
}

static int parse_decide(Loader *l, const xmlNode *n, RuleDecision **ret, size_t *ret_n, bool host_level) {
        Rule *rule = l->rule;
        size_t allocated = 0, a_facts, a_want;
        int r;

        r = check_attrs(l, n, NULL);
        if (r < 0)
                return r;
        for (const xmlNode *c = n->children; c; c = c->next) {
                RuleDecision *d;

                if (stray_text(c))
                        return bad(l, c, "unexpected text in <%s>", n->name);
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (!is(c, "when"))
                        return bad(l, c, "<%s> holds <when> rows, not <%s>", n->name, c->name);
                if (ARRAY_GROW(*ret, allocated, *ret_n + 1) < 0)
                        return -ENOMEM;
                d = &(*ret)[(*ret_n)++];
                *d = (RuleDecision) { .line = line_of(c) };
                a_facts = a_want = 0;
                for (const xmlAttr *a = c->properties; a; a = a->next) {
                        _cleanup_free_ char *value = attr(c, (const char *) a->name);
                        int fi;

                        if (!value)
                                return -ENOMEM;
                        if (strcmp((const char *) a->name, "verdict") == 0) {
                                if (strcmp(value, "none") != 0 && !rule_verdict(rule, value))
                                        return bad(l, c, "verdict \"%s\" is not declared", value);
                                d->verdict = TAKE_PTR(value);
                                continue;
                        }
                        if (strcmp((const char *) a->name, "reason") == 0) {
                                d->reason = TAKE_PTR(value);
                                continue;
                        }
                        fi = rule_fact_index(rule, (const char *) a->name);
                        if (fi < 0)
                                return bad(l, c, "\"%s\" is not a fact of this rule", a->name);
                        if (host_level && rule->facts[fi].per_symptom)
                                return bad(l, c, "fact \"%s\" depends on the symptom; it cannot decide for a "
                                           "host without one", a->name);
                        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
                                return bad(l, c, "%s=\"%s\": yes or no", a->name, value);
                        if (ARRAY_GROW(d->facts, a_facts, d->n + 1) < 0 || ARRAY_GROW(d->want, a_want, d->n + 1) < 0)
                                return -ENOMEM;
                        d->facts[d->n] = (size_t) fi;
                        d->want[d->n] = strcmp(value, "yes") == 0;
                        d->n++;
                }
                if (!d->verdict)
                        return bad(l, c, "<when> needs verdict=\"…\"");
        }
        return 0;
}

/* Template variables. */
typedef struct TemplateScope {
        const Rule *rule;
        const RuleFact *fact;   /* set: row scope of this fact (evidence summaries) */
} TemplateScope;

static bool row_knows(const RuleFact *f, const char *name) {
        if (f->kind == FACT_EVENT && (strncmp(name, "field:", 6) == 0 || strncmp(name, "label:", 6) == 0) && name[6])
                return true;
        if (column_index(f->kind, name) >= 0)
                return true;
        for (size_t i = 0; i < f->cond.n_children; i++)
                if (f->cond.children[i].kind == COND_WHERE && f->cond.children[i].where.capture &&
                    strcmp(f->cond.children[i].where.capture, name) == 0)
                        return true;
        return false;
}

static bool scope_knows(void *userdata, const char *name) {
        const TemplateScope *sc = userdata;
        const Rule *r = sc->rule;
        const char *dot;

        /* A row's summary cannot be made of itself: that would never end. */
        if (sc->fact)
                return strcmp(name, "summary") != 0 && row_knows(sc->fact, name);
        if (strcmp(name, "host") == 0 || strcmp(name, "window") == 0 || strcmp(name, "verdict") == 0)
                return true;
        dot = strchr(name, '.');
        if (!dot)
                return false;
        if (strncmp(name, "symptom.", 8) == 0) {
                for (size_t i = 0; i < ELEMENTSOF(symptom_vars); i++)
                        if (strcmp(dot + 1, symptom_vars[i]) == 0)
                                return true;
                for (size_t i = 0; i < r->n_captures; i++)
                        if (strcmp(dot + 1, r->captures[i].name) == 0)
                                return true;
                return false;
        }
        for (size_t i = 0; i < r->n_facts; i++)
                if (strlen(r->facts[i].name) == (size_t) (dot - name) &&
                    strncmp(r->facts[i].name, name, (size_t) (dot - name)) == 0)
                        return strcmp(dot + 1, "count") == 0 || row_knows(&r->facts[i], dot + 1);
        return false;
}

static int check_template(Loader *l, unsigned line, const char *t, const RuleFact *fact) {
        TemplateScope sc = { .rule = l->rule, .fact = fact };
        _cleanup_free_ char *err = NULL;
        int r;

        if (!t)
                return 0;
        r = template_check(t, scope_knows, &sc, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bad_line(l, line, "%s", err ? err : "bad template");
        return 0;
}

static int parse_rule(Loader *l, const xmlNode *root) {
        static const char *const attrs[] = { "id", "version", NULL };
        Rule *r = l->rule;
        size_t a_facts = 0, a_verdicts = 0;
        bool have_decide = false;
        int k;

        if (!is(root, "rule"))
                return bad(l, root, "the root element is <%s>; a rule file holds one <rule>", root->name);
        k = check_attrs(l, root, attrs);
        if (k < 0)
                return k;
        r->id = attr(root, "id");
        if (!valid_name(r->id))
                return bad(l, root, "<rule> needs id=\"…\" of letters, digits, '_' or '-'");

        /* Facts, verdicts and captures first: everything else refers to them. Facts are read in
         * file order, so a fact can only refer to those before it. */
        for (const xmlNode *c = root->children; c; c = c->next) {
                if (is(c, "symptom")) {
                        if (r->n_symptoms > 0)
                                return bad(l, c, "only one <symptom> per rule");
                        k = parse_symptom(l, c);
                } else if (is(c, "fact")) {
                        if (r->n_facts >= EVDIAG_MAX_RULE_FACTS)
                                return bad(l, c, "more than %d facts", EVDIAG_MAX_RULE_FACTS);
                        if (r->n_symptoms == 0)
                                return bad(l, c, "<fact> must come after <symptom>");
                        if (ARRAY_GROW(r->facts, a_facts, r->n_facts + 1) < 0)
                                return -ENOMEM;
                        r->facts[r->n_facts] = (RuleFact) {};
                        l->n_facts_declared = r->n_facts;
                        k = parse_fact(l, c, &r->facts[r->n_facts++]);
                } else if (is(c, "verdict")) {
                        if (ARRAY_GROW(r->verdicts, a_verdicts, r->n_verdicts + 1) < 0)
                                return -ENOMEM;
                        r->verdicts[r->n_verdicts] = (RuleVerdict) {};
                        k = parse_verdict(l, c, &r->verdicts[r->n_verdicts++]);
                } else if (is(c, "title") || is(c, "description") || is(c, "remediation")) {
                        char **text = is(c, "title") ? &r->title : is(c, "description") ? &r->description : &r->remediation;

                        k = *text ? bad(l, c, "only one <%s> per rule", c->name) : text_of(l, c, text);
                } else if (is(c, "decide") || is(c, "decide-without-symptom"))
                        k = 0;          /* below, once every fact is known */
                else if (c->type == XML_ELEMENT_NODE)
                        k = bad(l, c, "<rule> cannot hold <%s>", c->name);
                else if (stray_text(c))
                        k = bad(l, c, "unexpected text in <rule>");
                else
                        k = 0;
                if (k < 0)
                        return k;
        }
        if (!r->title || !*r->title)
                return bad(l, root, "<rule> needs a <title>");
        if (r->n_symptoms == 0)
                return bad(l, root, "<rule> needs a <symptom>");
        if (r->n_verdicts == 0)
                return bad(l, root, "<rule> needs at least one <verdict>");
        for (const xmlNode *c = root->children; c; c = c->next) {
                if (is(c, "decide")) {
                        if (have_decide)
                                return bad(l, c, "only one <decide> per rule");
                        have_decide = true;
                        k = parse_decide(l, c, &r->decisions, &r->n_decisions, false);
                } else if (is(c, "decide-without-symptom")) {
                        if (r->n_host_decisions > 0)
                                return bad(l, c, "only one <decide-without-symptom> per rule");
                        k = parse_decide(l, c, &r->host_decisions, &r->n_host_decisions, true);
                } else
                        continue;
                if (k < 0)
                        return k;
        }
        if (!have_decide || r->n_decisions == 0)
                return bad(l, root, "<rule> needs a <decide> table with at least one <when>");

        /* Templates, now that every name is known. */
        for (size_t i = 0; i < r->n_facts; i++) {
                k = check_template(l, r->facts[i].line, r->facts[i].summary, &r->facts[i]);
                for (size_t j = 0; k == 0 && j < r->facts[i].n_events; j++)
                        k = check_template(l, r->facts[i].events[j].line, r->facts[i].events[j].summary, &r->facts[i]);
                if (k < 0)
                        return k;
        }
        for (size_t i = 0; i < r->n_decisions + r->n_host_decisions; i++) {
                const RuleDecision *d = i < r->n_decisions ? &r->decisions[i] : &r->host_decisions[i - r->n_decisions];

                if (!d->reason)
                        continue;
                k = check_template(l, d->line, d->reason, NULL);
                if (k < 0)
                        return k;
        }
        for (const xmlNode *c = root->children; c; c = c->next) {
                const char *t = NULL;

                if (is(c, "verdict")) {
                        _cleanup_free_ char *name = attr(c, "name");
                        const RuleVerdict *v = name ? rule_verdict(r, name) : NULL;

                        t = v ? v->reason : NULL;
                } else if (is(c, "remediation"))
                        t = r->remediation;
                else
                        continue;
                k = check_template(l, line_of(c), t, NULL);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* libxml2 gives an element the line its start tag ends on, and a DOCTYPE no line at all; the
 * author of a rule looks for the line a tag starts on. These SAX hooks fix both while the tree
 * is built: the markup being parsed began at the last "<" before the parser's position (a "<"
 * cannot appear inside an attribute value), so its first line is the parser's line less the
 * newlines since that "<". */
typedef struct LineHooks {
        startElementNsSAX2Func start_element;
        internalSubsetSAXFunc internal_subset;
        charactersSAXFunc characters, ignorable_whitespace;
        unsigned doctype_line;
} LineHooks;

static unsigned lines_since_open(const xmlParserCtxt *ctxt) {
        const xmlParserInput *in = ctxt->input;
        unsigned n = 0;

        if (!in || !in->cur || !in->base)
                return 0;
        for (const xmlChar *p = in->cur; p > in->base; p--) {
                if (p[-1] == '<')
                        return n;
                if (p[-1] == '\n')
                        n++;
        }
        return 0;
}

static void hook_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                               int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                               int nb_defaulted, const xmlChar **attributes) {
        xmlParserCtxtPtr ctxt = ctx;
        const LineHooks *h = ctxt->_private;
        unsigned back = lines_since_open(ctxt);

        h->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
                         attributes);
        /* 65535 means "this line or later": libxml2 keeps lines in 16 bits. */
        if (ctxt->node && xmlStrEqual(ctxt->node->name, localname) && ctxt->node->line > back &&
            ctxt->node->line < 65535)
                ctxt->node->line = (unsigned short) (ctxt->node->line - back);
}

static void hook_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id) {
        xmlParserCtxtPtr ctxt = ctx;
        LineHooks *h = ctxt->_private;

        if (h->doctype_line == 0 && ctxt->input && ctxt->input->line > 0)
                h->doctype_line = (unsigned) ctxt->input->line - lines_since_open(ctxt);
        if (h->internal_subset)
                h->internal_subset(ctx, name, external_id, system_id);
}

/* A text node gets the line the first piece of its text ends on; make it the line it starts on
 * (line_of() then finds its first non-blank character). */
static void text_hook(xmlParserCtxtPtr ctxt, charactersSAXFunc fn, const xmlChar *ch, int len) {
        xmlNode *parent = ctxt->node, *last = parent ? parent->last : NULL;
        int newlines = 0;

        fn(ctxt, ch, len);
        if (!parent || parent->last == last || parent->last->type != XML_TEXT_NODE || !ctxt->input)
                return;
        for (int i = 0; i < len; i++)
                if (ch[i] == '\n')
                        newlines++;
        if (ctxt->input->line > newlines && ctxt->input->line - newlines < 65535)
                parent->last->line = (unsigned short) (ctxt->input->line - newlines);
}

static void hook_characters(void *ctx, const xmlChar *ch, int len) {
        xmlParserCtxtPtr ctxt = ctx;

        text_hook(ctxt, ((const LineHooks *) ctxt->_private)->characters, ch, len);
}

static void hook_ignorable_whitespace(void *ctx, const xmlChar *ch, int len) {
        xmlParserCtxtPtr ctxt = ctx;

        text_hook(ctxt, ((const LineHooks *) ctxt->_private)->ignorable_whitespace, ch, len);
}

/* Parses data into a tree, or NULL (errors in cap); -ENOMEM. */
static int read_tree(const char *data, size_t size, LineHooks *hooks, xmlDoc **ret) {
        xmlParserCtxtPtr ctxt;
        xmlDoc *doc;

        *ret = NULL;
        if (size == 0)
                return 0;
        ctxt = xmlCreateMemoryParserCtxt(data, (int) size);
        if (!ctxt || !ctxt->sax || !ctxt->sax->startElementNs) {
                xmlFreeParserCtxt(ctxt);
                return -ENOMEM;
        }
        xmlCtxtUseOptions(ctxt, XML_SAFE_OPTIONS);
        hooks->start_element = ctxt->sax->startElementNs;
        hooks->internal_subset = ctxt->sax->internalSubset;
        hooks->characters = ctxt->sax->characters;
        hooks->ignorable_whitespace = ctxt->sax->ignorableWhitespace;
        ctxt->sax->startElementNs = hook_start_element;
        ctxt->sax->internalSubset = hook_internal_subset;
        if (hooks->characters)
                ctxt->sax->characters = hook_characters;
        /* The same function for both keeps libxml2 from sorting out "ignorable" blanks. */
        if (hooks->ignorable_whitespace == hooks->characters)
                ctxt->sax->ignorableWhitespace = ctxt->sax->characters;
        else if (hooks->ignorable_whitespace)
                ctxt->sax->ignorableWhitespace = hook_ignorable_whitespace;
        ctxt->_private = hooks;
        (void) xmlParseDocument(ctxt);
        doc = ctxt->myDoc;
        ctxt->myDoc = NULL;
        if (doc && !ctxt->wellFormed) {
                xmlFreeDoc(doc);
                doc = NULL;
        }
        xmlFreeParserCtxt(ctxt);
        *ret = doc;
        return 0;
}

int rule_parse(const char *data, size_t size, const char *path, Rule **ret, Diag *diag) {
        _cleanup_(rule_freep) Rule *rule = NULL;
        XmlErrorCapture cap;
        LineHooks hooks = {};
        xmlDoc *doc;
        Loader l = { .path = path, .diag = diag };
        int r;

        if (size > EVDIAG_MAX_RULE_FILE) {
                diag_add(diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "larger than %d bytes", EVDIAG_MAX_RULE_FILE);
                return -EBADMSG;
        }
        rule = calloc(1, sizeof(*rule));
        if (!rule)
                return -ENOMEM;
        rule->path = strdup(path);
        if (!rule->path)
                return -ENOMEM;
        l.rule = rule;

        xml_errors_begin(&cap, diag, 1, NULL);
        r = read_tree(data, size, &hooks, &doc);
        xml_errors_end(&cap);
        if (r < 0)
                return r;
        if (!doc) {
                if (cap.errors == 0)
                        diag_add(diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "not a well-formed XML file");
                return -EBADMSG;
        }
        if (cap.errors > 0) {
                xmlFreeDoc(doc);
                return -EBADMSG;
        }
        if (doc->intSubset || doc->extSubset)
                r = bad_line(&l, hooks.doctype_line, "a DOCTYPE is not allowed in rules");
        else if (!xmlDocGetRootElement(doc))
                r = bad(&l, NULL, "no root element");
        else
                r = parse_rule(&l, xmlDocGetRootElement(doc));
        xmlFreeDoc(doc);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rule);
        return 0;
}

static int read_file(const char *path, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                r = -EINVAL;
                goto out;
        }
        if (st.st_size > EVDIAG_MAX_RULE_FILE) {
                r = -E2BIG;
                goto out;
        }
        buf = malloc((size_t) st.st_size + 1);
        if (!buf) {
                r = -ENOMEM;
                goto out;
        }
        while (n < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        goto out;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = n;
out:
        close(fd);
        return r;
}

static int xml_name_filter(const struct dirent *d) {
        size_t l = strlen(d->d_name);

        return d->d_name[0] != '.' && l > 4 && strcmp(d->d_name + l - 4, ".xml") == 0;
}

int rule_set_load(const char *dir, RuleSet **ret, Diag *diag) {
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        struct dirent **entries = NULL;
        size_t allocated = 0;
        int n, failed = 0, r = 0;

        n = scandir(dir, &entries, xml_name_filter, alphasort);
        if (n < 0) {
                r = -errno;
                diag_add(diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "cannot read the rule folder: %s", strerror(-r));
                return r;
        }
        set = calloc(1, sizeof(*set));
        if (!set)
                r = -ENOMEM;
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *data = NULL;
                _cleanup_(diag_freep) Diag *fd = NULL;
                Rule *rule = NULL;
                size_t size = 0;
                int k;

                if (r == 0 && asprintf(&path, "%s/%s", dir, entries[i]->d_name) < 0)
                        r = -ENOMEM;
                if (r == 0) {
                        fd = diag_new(path);
                        if (!fd)
                                r = -ENOMEM;
                }
                if (r == 0) {
                        k = read_file(path, &data, &size);
                        if (k == -ENOMEM)
                                r = k;
                        else if (k < 0) {
                                diag_add(fd, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "cannot read: %s", strerror(-k));
                                failed++;
                        } else {
                                k = rule_parse(data, size, path, &rule, fd);
                                if (k == -ENOMEM)
                                        r = k;
                                else if (k < 0)
                                        failed++;
                        }
                }
                if (rule) {
                        for (size_t j = 0; j < set->n_rules; j++)
                                if (strcmp(set->rules[j]->id, rule->id) == 0) {
                                        diag_add(fd, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET,
                                                 "rule id \"%s\" is already used by %s", rule->id, set->rules[j]->path);
                                        failed++;
                                        rule = rule_free(rule);
                                        break;
                                }
                }
                if (rule) {
                        if (ARRAY_GROW(set->rules, allocated, set->n_rules + 1) < 0) {
                                rule_free(rule);
                                r = -ENOMEM;
                        } else
                                set->rules[set->n_rules++] = rule;
                }
                /* Copy this file's messages, formatted with its path, into the caller's diag. */
                if (fd) {
                        size_t ne;
                        const DiagEntry *e = diag_entries(fd, &ne);

                        for (size_t j = 0; j < ne; j++) {
                                _cleanup_free_ char *line = diag_entry_format(fd, &e[j]);

                                diag_add(diag, e[j].level, DIAG_NO_LINE, DIAG_NO_OFFSET, "%s",
                                         line ? line : e[j].message);
                        }
                }
                free(entries[i]);
        }
        free(entries);
        if (r < 0)
                return r;
        if (failed > 0)
                return -EBADMSG;
        if (set->n_rules == 0) {
                diag_add(diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "no rule files (*.xml) in %s", dir);
                return -ENOENT;
        }
        n = (int) set->n_rules;
        *ret = TAKE_PTR(set);
        return n;
}
