/* SPDX-License-Identifier: MIT */
#include "remedy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/endpoint.h"
#include "base/limits.h"
#include "base/stream.h"
#include "base/text-reader.h"
#include "base/utf.h"
#include "fix/apphost-fix.h"
#include "report/report.h"
#include "store/store.h"

#define APPID_IIS "{4dc3e181-e14b-4a21-b022-59fc669b0914}"
#define APPCMD "%windir%\\system32\\inetsrv\\appcmd.exe"

int remedy_shell_quote(StrBuf *out, const char *s) {
        bool plain = *s != 0;
        int r;

        for (const char *p = s; *p && plain; p++)
                plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+:,@%=", *p) != NULL;
        if (plain)
                return strbuf_puts(out, s);
        r = strbuf_putc(out, '\'');
        for (const char *p = s; *p && r == 0; p++)
                r = *p == '\'' ? strbuf_puts(out, "'\\''") : strbuf_putc(out, *p);
        return r < 0 ? r : strbuf_putc(out, '\'');
}

/* Text that goes into a command unquoted: what a key path or endpoint is made of, nothing a
 * shell or cmd.exe would read as syntax. */
static bool command_safe(const char *s, const char *extra) {
        if (!s || !*s)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr(extra, *p)))
                        return false;
        return true;
}

/* A SHA-1 thumbprint as the importers store them (netsh output and decoded 5506 alike): 40
 * lowercase hex digits. Checked again because it goes into a command line, and a case database
 * is a file anyone can hand over. */
static bool is_thumbprint(const char *s) {
        size_t n = 0;

        if (!s)
                return false;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == 40;
}

/* The properties of one key, gathered from the store. */
typedef struct KeyScan {
        ReportConfigKey *key;
        size_t others;                  /* properties that stay */
        int r;
} KeyScan;

static int key_property(void *userdata, const StoreKeyProperty *p) {
        KeyScan *ks = userdata;
        ReportConfigKey *k = ks->key;
        ReportConfigProperty *a;

        if (p->key_line > 0 && k->line == 0)
                k->line = p->key_line;
        if (p->prop_id != APPHOST_FIX_SSL_CERT_HASH && p->prop_id != APPHOST_FIX_SSL_CERT_STORE_NAME) {
                ks->others++;
                return 0;
        }
        a = realloc(k->properties, (k->n_properties + 1) * sizeof(*a));
        if (!a) {
                ks->r = -ENOMEM;
                return 1;
        }
        k->properties = a;
        a[k->n_properties] = (ReportConfigProperty) { .id = p->prop_id, .line = p->line };
        if (p->prop_id == APPHOST_FIX_SSL_CERT_HASH && p->valid && is_thumbprint(p->decoded)) {
                a[k->n_properties].decoded = strdup(p->decoded);
                if (!a[k->n_properties].decoded) {
                        ks->r = -ENOMEM;
                        return 1;
                }
        }
        k->n_properties++;
        return 0;
}

static int add_line(ReportConfigKey *k, uint64_t line) {
        uint64_t *p;

        if (line == 0)
                return 0;
        for (size_t i = 0; i < k->n_delete_lines; i++)
                if (k->delete_lines[i] == line)
                        return 0;
        p = realloc(k->delete_lines, (k->n_delete_lines + 1) * sizeof(*p));
        if (!p)
                return -ENOMEM;
        k->delete_lines = p;
        /* Insertion keeps them ascending. */
        size_t i = k->n_delete_lines++;
        for (; i > 0 && p[i - 1] > line; i--)
                p[i] = p[i - 1];
        p[i] = line;
        return 0;
}

/* A line as the excerpt keeps it: cut at EVDIAG_MAX_EXCERPT_LINE bytes (on a UTF-8 boundary,
 * with "…"). The text reader hands out valid UTF-8 only. */
static char *excerpt_text(const char *line, size_t len) {
        _cleanup_strbuf_ StrBuf b = {};
        size_t keep = utf8_prefix(line, len, EVDIAG_MAX_EXCERPT_LINE);

        if (strbuf_append(&b, line, keep) < 0 || (keep < len && strbuf_puts(&b, "…") < 0))
                return NULL;
        return strbuf_steal(&b);
}

static int excerpt_add(ReportConfigKey *k, uint64_t line, const char *text, size_t len) {
        ReportExcerptLine *p = realloc(k->excerpt, (k->n_excerpt + 1) * sizeof(*p));

        if (!p)
                return -ENOMEM;
        k->excerpt = p;
        p[k->n_excerpt].line = line;
        p[k->n_excerpt].text = excerpt_text(text, len);
        if (!p[k->n_excerpt].text)
                return -ENOMEM;
        k->n_excerpt++;
        return 0;
}

/* Reads the lines k->line to k->end_line of path into k's excerpt, at most
 * EVDIAG_MAX_EXCERPT_LINES of them. Returns 0, or -ENOMEM; a file that cannot be read leaves
 * the excerpt empty. */
static int read_excerpt(const char *path, ReportConfigKey *k) {
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_(text_reader_freep) TextReader *tr = NULL;
        const char *line;
        size_t len;
        int r;

        if (instream_open(path, &in) < 0 || text_reader_new(in, &tr) < 0)
                return 0;
        for (;;) {
                uint64_t n;

                r = text_reader_getline(tr, &line, &len);
                if (r == -E2BIG)
                        continue;
                if (r == -ENOMEM)
                        return r;
                if (r <= 0)
                        return 0;
                n = text_reader_line(tr);
                if (n < k->line)
                        continue;
                if (n > k->end_line)
                        return 0;
                if (k->n_excerpt >= EVDIAG_MAX_EXCERPT_LINES) {
                        k->excerpt_truncated = true;
                        return 0;
                }
                r = excerpt_add(k, n, line, len);
                if (r < 0)
                        return r;
        }
}

/* The whole file at path, at most EVDIAG_MAX_CONFIG_FILE bytes. Returns 0, -ENOMEM, or another
 * negative errno when it cannot be read. */
static int read_whole(const char *path, uint8_t **ret, size_t *ret_size) {
        _cleanup_(instream_freep) InStream *in = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0, cap = 0;
        int r;

        r = instream_open(path, &in);
        if (r < 0)
                return r;
        for (;;) {
                ssize_t k;

                if (n == cap) {
                        uint8_t *b;

                        if (cap >= EVDIAG_MAX_CONFIG_FILE)
                                return -E2BIG;
                        cap = cap ? cap * 2 : 65536;
                        b = realloc(buf, cap);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                k = instream_read(in, buf + n, cap - n);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

/* What evdiag fix would cut for k, planned on the file as it is now: which lines to delete (the
 * whole <key> when nothing else is left in it), where the key ends, and its excerpt. The lines
 * are named only when every cut for the key takes whole lines; the file must still hold the
 * key's legacy properties where the import saw them. Returns 0 with *ret_note (static) set when
 * the lines cannot be named, or -ENOMEM. */
static int plan_key(const char *path, ReportConfigKey *k, const char **ret_note) {
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = diag_new(path);
        _cleanup_free_ uint8_t *data = NULL;
        const ApphostFixProperty *props;
        size_t size = 0, n, found = 0;
        bool whole = true;
        int r;

        if (!d)
                return -ENOMEM;
        r = read_whole(path, &data, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *ret_note = "the file could not be read again: use evdiag fix or appcmd, which find the lines";
                return 0;
        }
        r = apphost_fix_plan(data, size, &plan, d);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *ret_note = "evdiag fix cannot edit the file as it is now (run it for why); appcmd can";
                return 0;
        }
        props = apphost_fix_plan_properties(plan, &n);
        for (size_t i = 0; i < n; i++) {
                if (props[i].key_line != k->line || !props[i].key_path || strcmp(props[i].key_path, k->key_path) != 0)
                        continue;
                found++;
                whole = whole && props[i].whole_lines;
                k->end_line = props[i].key_end_line;
                k->remove_key = props[i].key_removed;
        }
        /* The import and the file now must agree on the key's legacy properties. */
        for (size_t i = 0, seen; i < k->n_properties; i++) {
                seen = 0;
                for (size_t j = 0; j < n; j++)
                        seen += props[j].line == k->properties[i].line && props[j].key_line == k->line;
                if (seen == 0)
                        found = 0;
        }
        if (found == 0 || found != k->n_properties) {
                *ret_note = "the file has changed since it was imported: import it again for the lines to delete";
                k->end_line = 0;
                k->remove_key = false;
                return 0;
        }
        r = read_excerpt(path, k);
        if (r < 0)
                return r;
        if (!whole) {
                *ret_note = "the legacy properties share their lines with other markup: let evdiag fix or appcmd "
                            "remove them";
                return 0;
        }
        if (k->remove_key)
                for (uint64_t l = k->line; r >= 0 && l <= k->end_line && l - k->line < EVDIAG_MAX_EXCERPT_LINES; l++)
                        r = add_line(k, l);
        for (size_t i = 0; r >= 0 && !k->remove_key && i < n; i++)
                if (props[i].key_line == k->line && props[i].key_path && strcmp(props[i].key_path, k->key_path) == 0)
                        for (uint64_t l = props[i].line; r >= 0 && l <= props[i].end_line; l++)
                                r = add_line(k, l);
        return r < 0 ? r : 0;
}

static int appcmd_for(ReportConfigKey *k) {
        _cleanup_strbuf_ StrBuf b = {};
        int r;

        /* A key path with quotes or spaces would need quoting rules of cmd.exe and appcmd both:
         * no command rather than a wrong one. */
        if (!command_safe(k->key_path, "/_.-"))
                return 0;
        if (k->remove_key)
                r = strbuf_printf(&b, "%s clear config -section:customMetadata -[path='%s']", APPCMD, k->key_path);
        else {
                r = strbuf_puts(&b, APPCMD " set config -section:customMetadata");
                for (size_t i = 0; r == 0 && i < k->n_properties; i++)
                        r = strbuf_printf(&b, " /-\"[path='%s'].[id='%lld']\"", k->key_path,
                                          (long long) k->properties[i].id);
        }
        if (r < 0)
                return r;
        k->appcmd = strbuf_steal(&b);
        return k->appcmd ? 0 : -ENOMEM;
}

static int build_key(Store *s, const char *host, const char *path, const char *key_path, ReportConfigFix *cfg,
                     const char **ret_note) {
        ReportConfigKey k = {};
        KeyScan ks = { .key = &k };
        ReportConfigKey *p;
        int r;

        k.key_path = strdup(key_path);
        if (!k.key_path)
                return -ENOMEM;
        r = store_key_properties(s, host, path, key_path, key_property, &ks);
        if (r >= 0 && ks.r < 0)
                r = ks.r;       /* key_property stopped the walk with 1 */
        if (r < 0 || k.n_properties == 0)
                goto out;
        if (k.line == 0)
                *ret_note = "the import recorded no line for the key: use evdiag fix or appcmd";
        else
                r = plan_key(path, &k, ret_note);
        /* Without the file's word on it, the key is taken to hold what the import saw. */
        if (r >= 0 && k.end_line == 0)
                k.remove_key = ks.others == 0;
        if (r >= 0)
                r = appcmd_for(&k);
        if (r < 0)
                goto out;
        p = realloc(cfg->keys, (cfg->n_keys + 1) * sizeof(*p));
        if (!p) {
                r = -ENOMEM;
                goto out;
        }
        cfg->keys = p;
        p[cfg->n_keys++] = k;
        return 0;
out:
        report_config_key_done(&k);
        return r;
}

static ReportConfigFix *config_for(ReportRemedy *m, const char *path) {
        _cleanup_strbuf_ StrBuf cmd = {};
        ReportConfigFix *p;

        for (size_t i = 0; i < m->n_configs; i++)
                if (strcmp(m->configs[i].path, path) == 0)
                        return &m->configs[i];
        if (strbuf_puts(&cmd, "evdiag fix ") < 0 || remedy_shell_quote(&cmd, path) < 0 ||
            strbuf_puts(&cmd, " --in-place") < 0)
                return NULL;
        p = realloc(m->configs, (m->n_configs + 1) * sizeof(*p));
        if (!p)
                return NULL;
        m->configs = p;
        p = &p[m->n_configs];
        *p = (ReportConfigFix) { .path = strdup(path), .fix_command = strbuf_steal(&cmd) };
        if (!p->path || !p->fix_command) {
                free(p->path);
                free(p->fix_command);
                return NULL;
        }
        m->n_configs++;
        return p;
}

/* What netsh shows for one endpoint. */
typedef struct NetshLookup {
        const char *endpoint;
        char *hash;
} NetshLookup;

static int netsh_row(void *userdata, const char *endpoint, const char *value) {
        NetshLookup *l = userdata;

        if (!endpoint_equal(endpoint, l->endpoint))
                return 0;
        if (is_thumbprint(value)) {
                l->hash = strdup(value);
                if (!l->hash)
                        return -ENOMEM;
        }
        return 1;
}

/* An IP endpoint ("0.0.0.0:443", "[::]:443") is an ipport binding; a name is an SNI one
 * (hostnameport, which netsh wants a store name with). */
static bool is_ip_endpoint(const char *e) {
        if (e[0] == '[')
                return true;
        for (const char *p = e; *p && *p != ':'; p++)
                if (!((*p >= '0' && *p <= '9') || *p == '.'))
                        return false;
        return true;
}

/* The decoded 5506 of key k, or NULL. */
static const char *key_legacy_hash(const ReportConfigKey *k) {
        for (size_t i = 0; i < k->n_properties; i++)
                if (k->properties[i].decoded)
                        return k->properties[i].decoded;
        return NULL;
}

/* Whether hash is the decoded 5506 of some key of the remedy. */
static bool is_legacy_hash(const ReportRemedy *m, const char *hash) {
        for (size_t i = 0; i < m->n_configs; i++)
                for (size_t j = 0; j < m->configs[i].n_keys; j++)
                        for (size_t k = 0; k < m->configs[i].keys[j].n_properties; k++)
                                if (m->configs[i].keys[j].properties[k].decoded &&
                                    strcmp(m->configs[i].keys[j].properties[k].decoded, hash) == 0)
                                        return true;
        return false;
}

static int64_t site_of(const char *key_path);

/* 1 when endpoint is the one userdata names. */
static int same_endpoint(void *userdata, const char *endpoint, const char *value) {
        (void) value;
        return endpoint_equal(endpoint, userdata) ? 1 : 0;
}

/* The legacy hash that concerns endpoint: the decoded 5506 of the key whose site has an https
 * binding on it, else the first key's that has one. *ret is borrowed from m, NULL when no key
 * has one. Returns 0 or -EIO. */
static int legacy_hash_for(Store *s, const char *host, const ReportRemedy *m, const char *endpoint,
                           const char **ret) {
        const char *first = NULL;

        for (size_t i = 0; i < m->n_configs; i++)
                for (size_t j = 0; j < m->configs[i].n_keys; j++) {
                        const ReportConfigKey *k = &m->configs[i].keys[j];
                        const char *hash = key_legacy_hash(k);
                        int64_t site = site_of(k->key_path);
                        int r;

                        if (!hash)
                                continue;
                        if (!first)
                                first = hash;
                        if (site < 0)
                                continue;
                        r = store_site_https_endpoints(s, host, site, same_endpoint, (void *) endpoint);
                        if (r < 0)
                                return r;
                        if (r > 0) {
                                *ret = hash;
                                return 0;
                        }
                }
        *ret = first;
        return 0;
}

/* One sentence on what netsh shows, what the legacy hash has to do with it and what to put in
 * the command. */
static int binding_note(ReportBindingFix *b) {
        const char *e = b->endpoint;
        int r;

        if (b->legacy_bound)
                r = asprintf(&b->note,
                             "netsh shows %s bound to %s, the legacy hash of property 5506: the IIS 6 metabase "
                             "compatibility layer recreated the binding from it. Delete that binding, then add it "
                             "again with the thumbprint of the site's certificate.",
                             e, b->cert_hash);
        else if (b->hash_differs && b->deleted)
                r = asprintf(&b->note,
                             "The legacy hash %s in property 5506 is not the certificate bound to %s (%s): each "
                             "start of an IIS 6 metabase client replaces that binding with one made from the legacy "
                             "hash, which is why the binding broke.",
                             b->legacy_hash, e, b->cert_hash);
        else if (b->hash_differs)
                r = asprintf(&b->note,
                             "The legacy hash %s in property 5506 is not the certificate bound to %s (%s): the next "
                             "start of an IIS 6 metabase client can replace that binding with one made from the "
                             "legacy hash. Should it be lost before the fix, this command restores it.",
                             b->legacy_hash, e, b->cert_hash);
        else if (b->cert_hash)
                r = asprintf(&b->note, "netsh shows %s bound to %s; run the command only if that binding is lost.", e,
                             b->cert_hash);
        else if (b->netsh_supplied)
                r = asprintf(&b->note,
                             "The netsh output supplied lists no binding for %s: put the thumbprint of the site's "
                             "certificate in the command%s.",
                             e, b->legacy_hash ? ", not the legacy hash" : "");
        else
                r = asprintf(&b->note,
                             "No netsh output was supplied: put the thumbprint of the site's certificate in the "
                             "command%s.",
                             b->legacy_hash ? ", not the legacy hash" : "");
        if (r < 0) {
                b->note = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* The netsh commands for endpoint: "ipport=0.0.0.0:443" for an IP endpoint, "hostnameport=…"
 * (which netsh wants a store name with) for an SNI one. */
static int binding_commands(ReportBindingFix *b) {
        _cleanup_free_ char *e = NULL;
        const char *kind;
        /* The bound hash goes into the command unless it is the legacy one. */
        const char *hash = b->cert_hash && !b->legacy_bound ? b->cert_hash : REMEDY_HASH_PLACEHOLDER;
        bool ip;
        int r;

        /* As netsh wants it: "*:443" is "0.0.0.0:443". What is no endpoint gets no command. */
        r = endpoint_normalize(b->endpoint, strlen(b->endpoint), &e);
        if (r == -EBADMSG || (r == 0 && !command_safe(e, ".:[]_-")))
                return 0;
        if (r < 0)
                return r;
        ip = is_ip_endpoint(e);
        kind = ip ? "ipport" : "hostnameport";
        if (asprintf(&b->command, "netsh http add sslcert %s=%s certhash=%s appid=" APPID_IIS "%s", kind, e, hash,
                     ip ? "" : " certstorename=MY") < 0) {
                b->command = NULL;
                return -ENOMEM;
        }
        if (b->legacy_bound && asprintf(&b->delete_command, "netsh http delete sslcert %s=%s", kind, e) < 0) {
                b->delete_command = NULL;
                return -ENOMEM;
        }
        return 0;
}

static int add_binding(Store *s, const char *host, ReportRemedy *m, const char *endpoint, bool netsh_supplied,
                       bool deleted) {
        NetshLookup l = { .endpoint = endpoint };
        ReportBindingFix b = { .netsh_supplied = netsh_supplied, .deleted = deleted };
        const char *legacy = NULL;
        ReportBindingFix *p;
        int r = 0;

        for (size_t i = 0; i < m->n_bindings; i++)
                if (endpoint_equal(m->bindings[i].endpoint, endpoint))
                        return 0;
        if (m->n_bindings >= EVDIAG_MAX_REMEDY_ITEMS)
                return 0;
        if (netsh_supplied) {
                r = store_netsh_endpoints(s, host, netsh_row, &l);
                if (r < 0) {
                        free(l.hash);
                        return r;
                }
                r = 0;          /* 1: netsh_row found it */
        }
        b.cert_hash = l.hash;
        r = legacy_hash_for(s, host, m, endpoint, &legacy);
        /* Bound to any key's legacy hash (with several keys, not always the site's own), the
         * binding was made from it: that is the hash to name. */
        b.legacy_bound = b.cert_hash && is_legacy_hash(m, b.cert_hash);
        if (b.legacy_bound)
                legacy = b.cert_hash;
        b.endpoint = strdup(endpoint);
        b.legacy_hash = legacy ? strdup(legacy) : NULL;
        if (r == 0 && (!b.endpoint || (legacy && !b.legacy_hash)))
                r = -ENOMEM;
        b.hash_differs = b.cert_hash && b.legacy_hash && !b.legacy_bound;
        /* An endpoint with characters a command line would read as syntax gets no command. */
        if (r == 0)
                r = binding_commands(&b);
        if (r == 0)
                r = binding_note(&b);
        if (r == 0) {
                p = realloc(m->bindings, (m->n_bindings + 1) * sizeof(*p));
                if (p) {
                        m->bindings = p;
                        p[m->n_bindings++] = b;
                        return 0;
                }
                r = -ENOMEM;
        }
        report_binding_fix_done(&b);
        return r;
}

typedef struct EndpointList {
        char **v;
        size_t n;
} EndpointList;

static int collect_endpoint(void *userdata, const char *endpoint, const char *value) {
        EndpointList *l = userdata;
        char **p;

        (void) value;
        for (size_t i = 0; i < l->n; i++)
                if (endpoint_equal(l->v[i], endpoint))
                        return 0;
        if (l->n >= EVDIAG_MAX_REMEDY_ITEMS)
                return 1;
        p = realloc(l->v, (l->n + 2) * sizeof(char *));
        if (!p)
                return -ENOMEM;
        l->v = p;
        p[l->n] = strdup(endpoint);
        if (!p[l->n])
                return -ENOMEM;
        p[++l->n] = NULL;
        return 0;
}

/* The site id of "LM/W3SVC/<id>", or -1. */
static int64_t site_of(const char *key_path) {
        const char *p = key_path + strlen("LM/W3SVC/");
        int64_t id = 0;

        if (strncasecmp(key_path, "LM/W3SVC/", 9) != 0 || !*p)
                return -1;
        for (; *p && *p != '/'; p++) {
                if (*p < '0' || *p > '9' || id > 100000000)
                        return -1;
                id = id * 10 + (*p - '0');
        }
        return *p == 0 || (p[0] == '/' && p[1] == 0) ? id : -1;
}

int remedy_build(Store *s, const char *host, const RemedyKeyRef *keys, size_t n_keys, const char *const *endpoints,
                 size_t n_endpoints, ReportRemedy **ret) {
        _cleanup_(report_remedy_freep) ReportRemedy *m = calloc(1, sizeof(*m));
        EndpointList sites = {};
        bool any_endpoint = false;
        int r = 0, netsh;

        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < n_keys && r >= 0; i++) {
                ReportConfigFix *cfg;
                const char *note = NULL;
                bool seen = false;

                if (!keys[i].path || !keys[i].key_path)
                        continue;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = keys[j].path && keys[j].key_path && strcmp(keys[j].path, keys[i].path) == 0 &&
                               strcmp(keys[j].key_path, keys[i].key_path) == 0;
                if (seen)
                        continue;
                cfg = config_for(m, keys[i].path);
                if (!cfg)
                        return -ENOMEM;
                if (cfg->n_keys >= EVDIAG_MAX_REMEDY_ITEMS)
                        continue;
                r = build_key(s, host, keys[i].path, keys[i].key_path, cfg, &note);
                if (r >= 0 && note && !cfg->note && !(cfg->note = strdup(note)))
                        r = -ENOMEM;
        }
        if (r < 0)
                return r;
        /* A config whose keys hold nothing to delete is no remedy. */
        for (size_t i = 0; i < m->n_configs;)
                if (m->configs[i].n_keys == 0) {
                        free(m->configs[i].path);
                        free(m->configs[i].fix_command);
                        free(m->configs[i].note);
                        free(m->configs[i].keys);
                        memmove(&m->configs[i], &m->configs[i + 1], (m->n_configs - i - 1) * sizeof(m->configs[0]));
                        m->n_configs--;
                } else
                        i++;

        netsh = store_host_has_format(s, host, "netsh");
        if (netsh < 0)
                return netsh;
        for (size_t i = 0; i < n_endpoints && r >= 0; i++)
                if (endpoints[i]) {
                        any_endpoint = true;
                        r = add_binding(s, host, m, endpoints[i], netsh > 0, true);
                }
        if (!any_endpoint) {
                for (size_t i = 0; i < m->n_configs && r >= 0; i++)
                        for (size_t j = 0; j < m->configs[i].n_keys && r >= 0; j++) {
                                int64_t site = site_of(m->configs[i].keys[j].key_path);

                                if (site >= 0)
                                        r = store_site_https_endpoints(s, host, site, collect_endpoint, &sites);
                        }
                for (size_t i = 0; i < sites.n && r >= 0; i++)
                        r = add_binding(s, host, m, sites.v[i], netsh > 0, false);
                strv_free(sites.v);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}
