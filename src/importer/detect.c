/* SPDX-License-Identifier: MIT */
#include "detect.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/utf.h"

static const char *const format_names[_FORMAT_MAX] = {
        [FORMAT_UNKNOWN] = "unknown",
        [FORMAT_XML] = "xml",
        [FORMAT_TEXT] = "text",
        [FORMAT_CSV] = "csv",
        [FORMAT_APPHOST] = "apphost",
        [FORMAT_NETSH] = "netsh",
        [FORMAT_EVTX] = "evtx",
        [FORMAT_EVT] = "evt",
        [FORMAT_EMPTY] = "empty",
};

const char *import_format_name(ImportFormat f) {
        return f < _FORMAT_MAX ? format_names[f] : "unknown";
}

int import_format_hostless(ImportFormat f) {
        return f == FORMAT_CSV || f == FORMAT_APPHOST || f == FORMAT_NETSH;
}

static bool starts_ci(const char *s, size_t n, const char *prefix) {
        size_t l = strlen(prefix);

        return n >= l && ascii_strcaseeq_n(s, l, prefix, l);
}

static const char *skip_space(const char *p, const char *end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
                p++;
        return p;
}

/* Skips an XML declaration, comments and processing instructions before the root element. */
static const char *skip_prolog(const char *p, const char *end) {
        for (;;) {
                p = skip_space(p, end);
                if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
                        const char *c = memmem(p + 4, (size_t) (end - p - 4), "-->", 3);

                        if (!c)
                                return end;
                        p = c + 3;
                } else if (end - p >= 2 && (memcmp(p, "<?", 2) == 0 || memcmp(p, "<!", 2) == 0)) {
                        const char *c = memchr(p, '>', (size_t) (end - p));

                        if (!c)
                                return end;
                        p = c + 1;
                } else
                        return p;
        }
}

static bool is_name_end(const char *p, const char *end) {
        return p >= end || *p == ' ' || *p == '>' || *p == '/' || *p == '\t' || *p == '\r' || *p == '\n';
}

static ImportFormat detect_xml(const char *p, const char *end) {
        p = skip_prolog(p, end);
        if (end - p >= 7 && memcmp(p, "<Events", 7) == 0 && is_name_end(p + 7, end))
                return FORMAT_XML;
        if (end - p >= 6 && memcmp(p, "<Event", 6) == 0 && is_name_end(p + 6, end))
                return FORMAT_XML;
        if (end - p >= 14 && memcmp(p, "<configuration", 14) == 0 && is_name_end(p + 14, end) &&
            memmem(p, (size_t) (end - p), "system.applicationHost", 22))
                return FORMAT_APPHOST;
        return FORMAT_UNKNOWN;
}

static bool is_text_export_line(const char *l, size_t n) {
        static const char *const labels[] = {
                "Log Name:", "Protokollname:", "Nom du journal", "Nombre de registro:",
        };

        while (n > 0 && (*l == ' ' || *l == '\t'))
                l++, n--;
        for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
                if (starts_ci(l, n, labels[i]))
                        return true;
        /* wevtutil: "Event[0]:" */
        if (n >= 8 && memcmp(l, "Event[", 6) == 0) {
                size_t i = 6;

                while (i < n && l[i] >= '0' && l[i] <= '9')
                        i++;
                return i > 6 && i + 1 < n && l[i] == ']' && l[i + 1] == ':';
        }
        return false;
}

static bool is_csv_header(const char *l, size_t n) {
        static const char *const headers[] = {
                "Level,Date and Time,Source,Event ID,Task Category",
                "Level\tDate and Time\tSource\tEvent ID\tTask Category",
                "Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie",
                "Ebene\tDatum und Uhrzeit\tQuelle\tEreignis-ID\tAufgabenkategorie",
        };

        for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
                if (starts_ci(l, n, headers[i]))
                        return true;
        return false;
}

static bool is_netsh_line(const char *l, size_t n) {
        static const char *const labels[] = {
                "IP:port", "Hostname:port", "Central Certificate Store",
        };

        while (n > 0 && (*l == ' ' || *l == '\t'))
                l++, n--;
        if (starts_ci(l, n, "SSL Certificate bindings:"))
                return true;
        for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
                size_t k = strlen(labels[i]);

                if (!starts_ci(l, n, labels[i]))
                        continue;
                while (k < n && (l[k] == ' ' || l[k] == '\t'))
                        k++;
                if (k < n && l[k] == ':')
                        return true;
        }
        return false;
}

static ImportFormat detect_text(const char *s, size_t n) {
        const char *p = s, *end = s + n;
        ImportFormat f;
        unsigned lines = 0;

        f = detect_xml(p, end);
        if (f != FORMAT_UNKNOWN)
                return f;
        if (skip_space(p, end) == end)
                return FORMAT_EMPTY;

        while (p < end && lines < 40) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);

                if (len > 0 && p[len - 1] == '\r')
                        len--;
                if (lines == 0 && is_csv_header(p, len))
                        return FORMAT_CSV;
                if (is_text_export_line(p, len))
                        return FORMAT_TEXT;
                if (is_netsh_line(p, len))
                        return FORMAT_NETSH;
                if (len > 0)
                        lines++;
                if (!nl)
                        break;
                p = nl + 1;
        }
        return FORMAT_UNKNOWN;
}

ImportFormat detect_format(const uint8_t *head, size_t n) {
        StrBuf b = {};
        ImportFormat f;

        if (n >= 8 && memcmp(head, "ElfFile\0", 8) == 0)
                return FORMAT_EVTX;
        if (n >= 8 && memcmp(head + 4, "LfLe", 4) == 0)
                return FORMAT_EVT;
        if (n == 0)
                return FORMAT_EMPTY;

        /* Text: bring UTF-16 to UTF-8 first, as the parsers' text reader will, with the same
         * tests for the byte order. */
        bool le = (n >= 2 && head[0] == 0xFF && head[1] == 0xFE) ||
                  (n >= 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0);
        bool be = !le && ((n >= 2 && head[0] == 0xFE && head[1] == 0xFF) ||
                          (n >= 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0));
        if (le || be) {
                size_t skip = (head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF) ? 2 : 0;
                size_t m = (n - skip) & ~(size_t) 1;
                _cleanup_free_ uint8_t *swapped = NULL;
                const uint8_t *p = head + skip;

                if (be) {
                        swapped = malloc(m ? m : 1);
                        if (!swapped)
                                return FORMAT_UNKNOWN;
                        for (size_t i = 0; i < m; i += 2) {
                                swapped[i] = p[i + 1];
                                swapped[i + 1] = p[i];
                        }
                        p = swapped;
                }
                if (utf16le_append(&b, p, m, false, NULL) < 0) {
                        strbuf_done(&b);
                        return FORMAT_UNKNOWN;
                }
                f = detect_text(strbuf_str(&b), b.len);
                strbuf_done(&b);
                return f;
        }
        if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
                head += 3, n -= 3;
        /* Binary junk is not text: a NUL byte in UTF-8 text does not happen. */
        if (memchr(head, 0, n))
                return FORMAT_UNKNOWN;
        return detect_text((const char *) head, n);
}
