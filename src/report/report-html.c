/* SPDX-License-Identifier: MIT */
/* The report as one self-contained HTML page, for a ticket or a browser: per finding the verdict
 * and why, a timeline picture (inline SVG) of the window around each symptom with the table of
 * its events, the evidence, the configuration excerpt and the remedy. No script, no font, no
 * request: a Content-Security-Policy forbids the page to load anything, so it looks the same
 * offline, and prints. Every string from a log or a file goes through escape_html(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/datetime.h"
#include "base/limits.h"
#include "report-internal.h"
#include "report.h"

/* The timeline picture, in SVG user units (CSS pixels at full width). */
#define SVG_WIDTH        960
#define SVG_MARGIN       24
#define SVG_LANE         22     /* height of one row of labels */
#define SVG_MAX_LANES    9      /* rows of labels; a label that fits in none is left out */
#define SVG_CHAR_WIDTH   6.4    /* of the 11 px labels, an estimate: SVG cannot measure text
                                 * without a script */
#define SVG_LABEL_CHARS  52     /* a label is cut after this many characters */
#define SVG_MAX_TICKS    10
#define MAX_PICTURES     10     /* timeline pictures per finding; the rest are counted */

static const char css[] =
        ":root{--ink:#1d2330;--muted:#5b6475;--line:#d5dae3;--bg:#f6f7f9;--red:#b3261e;--orange:#c25e00;"
        "--amber:#8a6d00;--green:#2e7d32;--blue:#1f5fae;--violet:#6a3d9a}\n"
        "*{box-sizing:border-box}\n"
        "body{margin:0;font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",\"DejaVu Sans\",sans-serif;color:var(--ink);"
        "background:#fff}\n"
        "main,header.page,footer{max-width:1040px;margin:0 auto;padding:0 24px}\n"
        "header.page{padding-top:20px}\n"
        "h1{font-size:22px;margin:0 0 4px}\n"
        "h2{font-size:18px;margin:0 0 6px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}\n"
        "h3{font-size:15px;margin:22px 0 8px;border-bottom:1px solid var(--line);padding-bottom:3px}\n"
        ".meta{color:var(--muted);margin:0 0 14px}\n"
        "section.finding{border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;"
        "padding:16px 20px;margin:18px 0;background:#fff}\n"
        "section.v-confirmed{border-left-color:var(--red)}section.v-likely{border-left-color:var(--orange)}\n"
        "section.v-possible{border-left-color:var(--amber)}section.v-at_risk{border-left-color:var(--blue)}\n"
        "section.v-ruled_out{border-left-color:var(--green)}\n"
        ".badge{display:inline-block;padding:1px 8px;border-radius:4px;color:#fff;font-size:13px;font-weight:700;"
        "letter-spacing:.04em;background:var(--muted)}\n"
        ".b-confirmed{background:var(--red)}.b-likely{background:var(--orange)}.b-possible{background:var(--amber)}\n"
        ".b-at_risk{background:var(--blue)}.b-ruled_out{background:var(--green)}\n"
        ".rule{color:var(--muted);font-weight:400}\n"
        ".why{font-size:15px;margin:8px 0}\n"
        "table{border-collapse:collapse;width:100%;margin:6px 0;font-size:13px}\n"
        "th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}\n"
        "th{background:var(--bg);font-weight:600}\n"
        "td.num,th.num{text-align:right;white-space:nowrap}\n"
        "td.time{font-variant-numeric:tabular-nums;font-size:12px;overflow-wrap:anywhere}\n"
        "td.src{color:var(--muted);overflow-wrap:anywhere}\n"
        "table.timeline,table.evidence{table-layout:fixed}col.c-time{width:16.5em}col.c-offset{width:6.5em}"
        "col.c-role{width:6.5em}col.c-event{width:4.2em}col.c-src{width:13em}\n"
        "tr.mark td{background:#fff8e1}tr.symptom td{background:#fdecea;font-weight:600}\n"
        ".role{font-weight:600}.r-symptom{color:var(--red)}.r-launch{color:var(--orange)}"
        ".r-aftermath{color:var(--violet)}.r-other{color:var(--muted);font-weight:400}\n"
        "code,pre{font:12.5px/1.4 ui-monospace,\"DejaVu Sans Mono\",Consolas,monospace}\n"
        "code{background:var(--bg);padding:0 3px;border-radius:3px;overflow-wrap:anywhere}\n"
        "pre{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:8px 10px;margin:6px 0;"
        "white-space:pre-wrap;overflow-wrap:anywhere}\n"
        "pre.excerpt>span{display:block}pre.excerpt .del{background:#fdecea;color:var(--red)}\n"
        "pre.excerpt .ln{color:var(--muted);user-select:none}\n"
        ".note{margin:4px 0}.warn{border-left:4px solid var(--red);padding:4px 10px;background:#fdecea}\n"
        "figure{margin:8px 0}figcaption{color:var(--muted);font-size:12.5px}\n"
        "svg{width:100%;height:auto;display:block;background:#fff;border:1px solid var(--line);border-radius:4px}\n"
        "svg text{font:11px system-ui,\"DejaVu Sans\",sans-serif;fill:var(--ink)}\n"
        "svg .axis{stroke:var(--muted);stroke-width:1}svg .tick{stroke:var(--line)}\n"
        "svg .tl{fill:var(--muted)}svg .window{fill:#f3f5f8}\n"
        "svg .stem{stroke-width:1;stroke-dasharray:2 2}\n"
        "ol.remedy li{margin:0 0 12px}\n"
        ".warnings{color:var(--orange);margin:2px 0 0 0;padding-left:18px}\n"
        "footer{color:var(--muted);font-size:12px;padding-bottom:24px}\n"
        "@media print{body{font-size:11.5px}main,header.page,footer{max-width:none;padding:0}"
        "section.finding{break-inside:auto;border-width:1px 1px 1px 4px}h3{break-after:avoid}"
        "figure,pre,tr{break-inside:avoid}a{color:inherit;text-decoration:none}}\n";

/* Colours of the roles on the picture: the symptom, the facts a rule names, the others. */
static const char *role_color(const char *role) {
        if (strcmp(role, "symptom") == 0)
                return "#b3261e";
        if (strcmp(role, "launch") == 0)
                return "#c25e00";
        if (strcmp(role, "aftermath") == 0)
                return "#6a3d9a";
        if (strcmp(role, "other") == 0)
                return "#9aa3b2";
        return "#1f5fae";
}

/* A class name made of what a rule may call a verdict or role: letters, digits, '_' and '-'
 * only, so that hostile names cannot break out of the attribute. */
static void emit_class(Emit *e, const char *prefix, const char *name) {
        emit(e, prefix);
        for (const char *p = name ? name : ""; *p && e->r == 0; p++)
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                    *p == '-')
                        e->r = strbuf_putc(e->out, *p);
}

static void verdict_badge(Emit *e, const char *verdict) {
        _cleanup_free_ char *u = report_verdict_words(verdict, true);

        if (!u) {
                if (e->r == 0)
                        e->r = -ENOMEM;
                return;
        }
        emit(e, "<span class=\"badge ");
        emit_class(e, "b-", verdict);
        emit(e, "\">");
        emit_html(e, u);
        emit(e, "</span>");
}

static void time_cell(Emit *e, bool has, int64_t t, int digits) {
        char iso[40];

        emit(e, "<td class=\"time\">");
        if (has)
                emit(e, ticks_format_iso(t, digits, iso));
        emit(e, "</td>");
}

/* "−1.843 s", "+2 min 36 s", "0": how long before or after the symptom. When either time has
 * only whole seconds (grain), a difference under it says no order: "same second". */
static void emit_delta(Emit *e, int64_t d, int64_t grain) {
        uint64_t a = d < 0 ? (uint64_t) 0 - (uint64_t) d : (uint64_t) d;
        uint64_t secs = a / TICKS_PER_SECOND, ms = a % TICKS_PER_SECOND / 10000;

        if (a == 0) {
                emit(e, "0");
                return;
        }
        if (grain >= TICKS_PER_SECOND && a < (uint64_t) grain) {
                emit(e, "same second");
                return;
        }
        if (grain >= TICKS_PER_SECOND && secs < 60) {
                emitf(e, "%s%llu s", d < 0 ? "\xE2\x88\x92" : "+", (unsigned long long) secs);
                return;
        }
        emit(e, d < 0 ? "\xE2\x88\x92" : "+");         /* U+2212 minus */
        if (secs < 60)
                emitf(e, "%llu.%03llu s", (unsigned long long) secs, (unsigned long long) ms);
        else if (secs < 3600)
                emitf(e, "%llu min %02llu s", (unsigned long long) (secs / 60), (unsigned long long) (secs % 60));
        else
                emitf(e, "%llu h %02llu min", (unsigned long long) (secs / 3600), (unsigned long long) (secs / 60 % 60));
}

/* ---- The timeline picture ---- */

typedef struct Label {
        size_t event;           /* index in the symptom's timeline */
        double x;               /* of the event */
        double a, b;            /* extent of the label */
        bool right;             /* the text runs leftwards from x (near the right edge) */
        int lane;               /* -1: not drawn */
} Label;

/* The label of a marked event: its role, its time of day and the start of its summary, cut on a
 * UTF-8 boundary. *ret_chars is its length in characters, for the width estimate. */
static char *label_text(const ReportTimelineEvent *ev, size_t *ret_chars) {
        _cleanup_strbuf_ StrBuf b = {};
        char iso[40];
        size_t chars = 0;
        const char *s;

        ticks_format_iso(ev->time, ev->digits > 3 ? 3 : ev->digits, iso);
        /* "2024-03-12T02:14:11.577Z" -> "02:14:11.577" */
        iso[strlen(iso) - 1] = 0;
        if (strbuf_printf(&b, "%s %s %lld ", ev->role, iso + 11, (long long) ev->event_id) < 0)
                return NULL;
        chars = b.len;
        /* The summary without its "Provider 15300: ", which the event id stands for. */
        s = ev->summary ? ev->summary : "";
        {
                char prefix[32];
                const char *p;

                snprintf(prefix, sizeof(prefix), " %lld: ", (long long) ev->event_id);
                p = strstr(s, prefix);
                if (p)
                        s = p + strlen(prefix);
        }
        for (; *s; s++) {
                if (((unsigned char) *s & 0xC0) != 0x80) {
                        if (chars >= SVG_LABEL_CHARS) {
                                if (strbuf_puts(&b, "\xE2\x80\xA6") < 0)   /* … */
                                        return NULL;
                                chars++;
                                break;
                        }
                        chars++;
                }
                if (strbuf_putc(&b, *s) < 0)
                        return NULL;
        }
        *ret_chars = chars;
        return strbuf_steal(&b);
}

/* A tick step, in seconds, that cuts span seconds into at most SVG_MAX_TICKS parts. */
static int64_t tick_step(int64_t span) {
        static const int64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                                         21600, 43200, 86400 };

        for (size_t i = 0; i < ELEMENTSOF(steps); i++)
                if (span / steps[i] <= SVG_MAX_TICKS)
                        return steps[i];
        return span / SVG_MAX_TICKS + 1;
}

static void tick_label(Emit *e, int64_t k, int64_t step) {
        int64_t v = k * step;
        uint64_t a = v < 0 ? (uint64_t) -v : (uint64_t) v;

        if (v == 0) {
                emit(e, "0");
                return;
        }
        emit(e, v < 0 ? "\xE2\x88\x92" : "+");
        if (step % 3600 == 0)
                emitf(e, "%llu h", (unsigned long long) (a / 3600));
        else if (step % 60 == 0)
                emitf(e, "%llu min", (unsigned long long) (a / 60));
        else
                emitf(e, "%llu s", (unsigned long long) a);
}

/* The span of time a picture shows. */
typedef struct View {
        int64_t from, to;       /* ticks */
} View;

static double x_of(const View *v, int64_t t) {
        double span = (double) (v->to - v->from);
        double f = span > 0 ? (double) (t - v->from) / span : 0.5;

        if (f < 0)
                f = 0;
        if (f > 1)
                f = 1;
        return SVG_MARGIN + f * (SVG_WIDTH - 2 * SVG_MARGIN);
}

/* Whether an event's time, of whole seconds, is drawn as the second it may lie in: when the
 * picture is close enough for a second to show. */
static bool drawn_as_span(const View *v, const ReportTimelineEvent *ev) {
        int64_t grain = ticks_grain(ev->digits);

        return grain >= TICKS_PER_SECOND && x_of(v, ev->time + grain) - x_of(v, ev->time) >= 6;
}

/* Where an event's mark goes: at its time, or amid the second it may lie in. */
static double mark_x(const View *v, const ReportTimelineEvent *ev) {
        if (drawn_as_span(v, ev))
                return (x_of(v, ev->time) + x_of(v, ev->time + ticks_grain(ev->digits))) / 2;
        return x_of(v, ev->time);
}

/* Puts each marked event's label in the lowest row where it overlaps no other label. */
static int labels_place(const ReportSymptom *s, const View *v, Label **ret, char ***ret_texts, size_t *ret_n, int *ret_lanes) {
        _cleanup_free_ Label *labels = calloc(s->n_timeline ? s->n_timeline : 1, sizeof(Label));
        char **texts = calloc(s->n_timeline + 1, sizeof(char *));
        double ends[SVG_MAX_LANES][2 * EVDIAG_MAX_TIMELINE_EVENTS + 2];
        size_t n_ends[SVG_MAX_LANES] = {}, n = 0;
        int lanes = 0;

        if (!labels || !texts) {
                free(texts);
                return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_timeline; i++) {
                const ReportTimelineEvent *ev = &s->timeline[i];
                Label *l = &labels[n];
                size_t chars = 0;
                double w;

                if (strcmp(ev->role, "other") == 0 || ev->time < v->from || ev->time > v->to)
                        continue;
                texts[n] = label_text(ev, &chars);
                if (!texts[n]) {
                        for (size_t k = 0; k < n; k++)
                                free(texts[k]);
                        free(texts);
                        return -ENOMEM;
                }
                w = (double) chars * SVG_CHAR_WIDTH + 6;
                l->event = i;
                l->x = mark_x(v, ev);
                l->right = l->x + w > SVG_WIDTH - 4;
                l->a = l->right ? l->x - w : l->x - 3;
                l->b = l->right ? l->x + 3 : l->x + w;
                l->lane = -1;
                n++;
        }
        /* The symptom first, so that it always gets the row nearest the axis; then in time
         * order. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < n; i++) {
                        Label *l = &labels[i];
                        bool symptom = strcmp(s->timeline[l->event].role, "symptom") == 0;

                        if (symptom != (pass == 0))
                                continue;
                        for (int lane = 0; lane < SVG_MAX_LANES && l->lane < 0; lane++) {
                                bool free_lane = n_ends[lane] + 2 <= ELEMENTSOF(ends[lane]);

                                for (size_t k = 0; free_lane && k + 1 < n_ends[lane]; k += 2)
                                        if (l->a < ends[lane][k + 1] + 8 && l->b + 8 > ends[lane][k])
                                                free_lane = false;
                                if (!free_lane)
                                        continue;
                                ends[lane][n_ends[lane]++] = l->a;
                                ends[lane][n_ends[lane]++] = l->b;
                                l->lane = lane;
                                if (lane + 1 > lanes)
                                        lanes = lane + 1;
                        }
                }
        *ret = TAKE_PTR(labels);
        *ret_texts = texts;
        *ret_n = n;
        *ret_lanes = lanes;
        return 0;
}

static void marker(Emit *e, const ReportTimelineEvent *ev, const View *v, double y) {
        const char *color = role_color(ev->role);
        double x = mark_x(v, ev);
        char iso[40];

        emit(e, "<g><title>");
        emit(e, ticks_format_iso(ev->time, ev->digits, iso));
        emit(e, " ");
        emit_html(e, ev->role);
        emitf(e, ": %lld ", (long long) ev->event_id);
        emit_html(e, ev->summary);
        emit(e, "</title>");
        if (drawn_as_span(v, ev)) {
                double a = x_of(v, ev->time), b = x_of(v, ev->time + ticks_grain(ev->digits));

                emitf(e, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"%s\" fill-opacity=\"0.25\"/>",
                      a, y - 5, b - a, color);
        }
        if (strcmp(ev->role, "symptom") == 0)
                emitf(e, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>", x, y - 8, x + 8, y,
                      x, y + 8, x - 8, y, color);
        else if (strcmp(ev->role, "other") == 0)
                emitf(e, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" fill-opacity=\"0.7\"/>", x, y, color);
        else
                emitf(e, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"1.5\"/>", x, y,
                      color);
        emit(e, "</g>");
}

static void picture(Emit *e, const ReportSymptom *s, const View *v) {
        _cleanup_free_ Label *labels = NULL;
        char **texts = NULL;
        size_t n = 0;
        int lanes = 0, r;
        double axis, height;
        int64_t span, step, k0, k1;
        char a[40], b[40];

        r = labels_place(s, v, &labels, &texts, &n, &lanes);
        if (r < 0) {
                if (e->r == 0)
                        e->r = r;
                return;
        }
        axis = 16 + (double) (lanes > 0 ? lanes : 1) * SVG_LANE + 12;
        height = axis + 44;
        emitf(e, "<svg viewBox=\"0 0 %d %.0f\" role=\"img\" aria-label=\"Timeline of the events around the symptom\" "
              "xmlns=\"http://www.w3.org/2000/svg\">", SVG_WIDTH, height);
        emitf(e, "<rect class=\"window\" x=\"%d\" y=\"4\" width=\"%d\" height=\"%.0f\"/>", SVG_MARGIN,
              SVG_WIDTH - 2 * SVG_MARGIN, axis - 4);

        /* Ticks at whole steps from the symptom, labelled by their distance to it. */
        span = (v->to - v->from) / TICKS_PER_SECOND;
        step = tick_step(span > 0 ? span : 1);
        k0 = -((s->time - v->from) / TICKS_PER_SECOND / step);
        k1 = (v->to - s->time) / TICKS_PER_SECOND / step;
        for (int64_t k = k0; k <= k1 && e->r == 0; k++) {
                double x = x_of(v, s->time + k * step * TICKS_PER_SECOND);

                emitf(e, "<line class=\"tick\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.0f\"/>", x, x, axis + 4);
                emitf(e, "<text class=\"tl\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">", x, axis + 18);
                tick_label(e, k, step);
                emit(e, "</text>");
        }
        emitf(e, "<line class=\"axis\" x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\"/>", SVG_MARGIN, axis,
              SVG_WIDTH - SVG_MARGIN, axis);
        emitf(e, "<text class=\"tl\" x=\"%d\" y=\"%.0f\">%s</text>", SVG_MARGIN, axis + 34,
              ticks_format_iso(v->from, v->to - v->from < 60 * TICKS_PER_SECOND ? 3 : 0, a));
        emitf(e, "<text class=\"tl\" x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%s</text>", SVG_WIDTH - SVG_MARGIN,
              axis + 34, ticks_format_iso(v->to, v->to - v->from < 60 * TICKS_PER_SECOND ? 3 : 0, b));

        /* The other events first, under the marked ones. */
        for (size_t i = 0; i < s->n_timeline; i++)
                if (strcmp(s->timeline[i].role, "other") == 0 && s->timeline[i].time >= v->from &&
                    s->timeline[i].time <= v->to)
                        marker(e, &s->timeline[i], v, axis);
        for (size_t i = 0; i < n; i++) {
                const Label *l = &labels[i];
                const ReportTimelineEvent *ev = &s->timeline[l->event];
                double y;

                if (l->lane >= 0) {
                        y = axis - 14 - (double) l->lane * SVG_LANE;
                        emitf(e, "<line class=\"stem\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\"/>",
                              l->x, y + 3, l->x, axis, role_color(ev->role));
                        emitf(e, "<text x=\"%.1f\" y=\"%.1f\"%s><tspan font-weight=\"700\" fill=\"%s\">",
                              l->right ? l->x - 3 : l->x + 3, y, l->right ? " text-anchor=\"end\"" : "",
                              role_color(ev->role));
                        /* The role is the label's first word: bold, in its colour. */
                        {
                                const char *sp = strchr(texts[i], ' ');
                                _cleanup_free_ char *role = sp ? strndup(texts[i], (size_t) (sp - texts[i])) : NULL;

                                emit_html(e, role ? role : "");
                                emit(e, "</tspan>");
                                emit_html(e, sp ? sp : texts[i]);
                        }
                        emit(e, "</text>");
                }
        }
        for (size_t i = 0; i < n; i++)
                marker(e, &s->timeline[labels[i].event], v, axis);
        emit(e, "</svg>");
        for (size_t i = 0; i < n; i++)
                free(texts[i]);
        free(texts);
}

/* Marked events bunched around the symptom (within a twentieth of the window) sit on top of
 * each other in the whole picture: they get a close up of their own, padded by a quarter of
 * their spread on each side (at least two seconds wide). Returns whether one is needed. */
static bool zoom_view(const ReportSymptom *s, View *ret) {
        int64_t near = (s->window_to - s->window_from) / 20, lo = s->time, hi = s->time, pad;
        size_t n = 0;

        for (size_t i = 0; i < s->n_timeline; i++) {
                const ReportTimelineEvent *ev = &s->timeline[i];
                int64_t d = ev->time - s->time;

                if (strcmp(ev->role, "other") == 0 || strcmp(ev->role, "symptom") == 0 || d > near || d < -near)
                        continue;
                n++;
                if (ev->time < lo)
                        lo = ev->time;
                if (ev->time > hi)
                        hi = ev->time;
        }
        if (n == 0)
                return false;
        pad = (hi - lo) / 4;
        if (hi - lo + 2 * pad < 2 * TICKS_PER_SECOND)
                pad = (2 * TICKS_PER_SECOND - (hi - lo)) / 2;
        *ret = (View) { lo - pad, hi + pad };
        return true;
}

/* A source as a table shows it: the file's name and where in it, the whole path on hover. */
static void source_cell(Emit *e, const char *source, int64_t record_id) {
        const char *base = source ? strrchr(source, '/') : NULL;

        emit(e, "<td class=\"src\" title=\"");
        emit_html(e, source);
        emit(e, "\">");
        emit_html(e, base ? base + 1 : source);
        if (record_id >= 0)
                emitf(e, ", record %lld", (long long) record_id);
        emit(e, "</td>");
}

static void timeline_table(Emit *e, const ReportSymptom *s) {
        emit(e, "<table class=\"timeline\"><colgroup><col class=\"c-time\"><col class=\"c-offset\">"
                "<col class=\"c-role\"><col class=\"c-event\"><col><col class=\"c-src\"></colgroup>"
                "<thead><tr><th>Time (UTC)</th><th class=\"num\" title=\"time from the symptom\">Offset</th>"
                "<th>Role</th><th class=\"num\">Event</th><th>What</th><th>Source</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < s->n_timeline; i++) {
                const ReportTimelineEvent *ev = &s->timeline[i];
                bool other = strcmp(ev->role, "other") == 0, symptom = strcmp(ev->role, "symptom") == 0;

                emit(e, symptom ? "<tr class=\"symptom\">" : other ? "<tr>" : "<tr class=\"mark\">");
                time_cell(e, true, ev->time, ev->digits);
                emit(e, "<td class=\"num\">");
                emit_delta(e, ev->time - s->time,
                           ticks_grain(ev->digits) > ticks_grain(s->digits) ? ticks_grain(ev->digits)
                                                                            : ticks_grain(s->digits));
                emit(e, "</td><td><span class=\"role ");
                emit_class(e, "r-", ev->role);
                emit(e, "\">");
                emit_html(e, ev->role);
                emitf(e, "</span></td><td class=\"num\">%lld</td><td>", (long long) ev->event_id);
                emit_html(e, ev->summary);
                emit(e, "</td>");
                source_cell(e, ev->source, ev->record_id);
                emit(e, "</tr>\n");
        }
        emit(e, "</tbody></table>\n");
}

static bool whole_seconds(const ReportSymptom *s) {
        for (size_t i = 0; i < s->n_timeline; i++)
                if (s->timeline[i].digits == 0)
                        return true;
        return false;
}

static void timelines(Emit *e, const ReportFinding *f) {
        size_t drawn = 0, with = 0;

        for (size_t i = 0; i < f->n_symptoms; i++)
                with += f->symptoms[i].n_timeline > 0;
        if (with == 0)
                return;
        emit(e, "<h3>Timeline</h3>\n");
        /* The decisive symptom first: the verdict, reason and remedy are its. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < f->n_symptoms && drawn < MAX_PICTURES; i++) {
                        const ReportSymptom *s = &f->symptoms[i];
                        char iso[40], a[40], b[40];

                        if (s->n_timeline == 0 || s->decisive != (pass == 0))
                                continue;
                        View whole = { s->window_from, s->window_to }, zoom;

                        emit(e, "<figure>");
                        picture(e, s, &whole);
                        if (zoom_view(s, &zoom)) {
                                emit(e, "<figcaption>Close up:</figcaption>");
                                picture(e, s, &zoom);
                        }
                        emitf(e, "<figcaption>The %lld at %s", (long long) s->event_id,
                              ticks_format_iso(s->time, s->digits, iso));
                        if (s->endpoint) {
                                emit(e, " (");
                                emit_html(e, s->endpoint);
                                emit(e, ")");
                        }
                        emit(e, ", verdict ");
                        emit_html(e, s->verdict);
                        emitf(e, ": the events of the host from %s to %s", ticks_format_iso(s->window_from, 0, a),
                              ticks_format_iso(s->window_to, 0, b));
                        if (s->timeline_total > s->n_timeline)
                                emitf(e, ", the %zu nearest of %llu", s->n_timeline,
                                      (unsigned long long) s->timeline_total);
                        emit(e, ". Hover over a mark for its event.");
                        if (whole_seconds(s))
                                emit(e, " Times of whole seconds (text and CSV exports) may lie anywhere in their "
                                        "second: they are listed after the events of that second, and drawn as a "
                                        "band when the picture is close enough.");
                        emit(e, "</figcaption></figure>\n");
                        timeline_table(e, s);
                        drawn++;
                }
        if (with > drawn)
                emitf(e, "<p class=\"note\">%zu more symptoms have a timeline: see <code>--format json</code>.</p>\n",
                      with - drawn);
}

/* ---- Evidence, configuration, remedy ---- */

static void symptoms_and_evidence(Emit *e, const ReportFinding *f) {
        if (f->n_symptoms + f->n_evidence == 0)
                return;
        emit(e, "<h3>Symptoms and evidence</h3>\n<table class=\"evidence\"><colgroup><col class=\"c-role\">"
                "<col class=\"c-time\"><col><col class=\"c-src\"></colgroup><thead><tr><th>Kind</th><th>Time (UTC)</th><th>What</th>"
                "<th>Source</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < f->n_symptoms; i++) {
                const ReportSymptom *s = &f->symptoms[i];

                emit(e, "<tr class=\"symptom\"><td><span class=\"role r-symptom\">symptom</span></td>");
                time_cell(e, true, s->time, s->digits);
                emitf(e, "<td>%lld ", (long long) s->event_id);
                emit_html(e, s->endpoint ? s->endpoint : "(no endpoint)");
                emit(e, ", verdict ");
                emit_html(e, s->verdict);
                emit(e, "</td>");
                source_cell(e, s->source, s->record_id);
                emit(e, "</tr>\n");
        }
        for (size_t i = 0; i < f->n_evidence; i++) {
                const ReportEvidence *ev = &f->evidence[i];

                emit(e, "<tr><td><span class=\"role ");
                emit_class(e, "r-", ev->kind);
                emit(e, "\">");
                emit_html(e, ev->kind);
                emit(e, "</span></td>");
                time_cell(e, ev->has_time, ev->time, ev->digits);
                emit(e, "<td>");
                emit_html(e, ev->summary);
                emit(e, "</td>");
                source_cell(e, ev->source, ev->record_id);
                emit(e, "</tr>\n");
        }
        emit(e, "</tbody></table>\n");
        if (f->symptoms_total > f->n_symptoms)
                emitf(e, "<p class=\"note\">%llu more symptoms are not listed.</p>\n",
                      (unsigned long long) (f->symptoms_total - f->n_symptoms));
}

/* The keys of one applicationHost.config as the file has them now, the lines to delete
 * marked. */
static void configuration(Emit *e, const ReportConfigFix *c) {
        for (size_t j = 0; j < c->n_keys; j++) {
                const ReportConfigKey *k = &c->keys[j];

                emitf(e, "<p class=\"note\">Line %llu: <code>&lt;key path=&quot;", (unsigned long long) k->line);
                emit_html(e, k->key_path);
                emit(e, "&quot;&gt;</code> holds ");
                for (size_t p = 0; p < k->n_properties; p++) {
                        emitf(e, "%sproperty %lld", p == 0 ? "" : p + 1 == k->n_properties ? " and " : ", ",
                              (long long) k->properties[p].id);
                        if (k->properties[p].decoded) {
                                emit(e, " (hash <code>");
                                emit_html(e, k->properties[p].decoded);
                                emit(e, "</code>)");
                        }
                }
                emit(e, k->remove_key ? "; nothing else: the whole key goes." : "; the key stays: it holds more.");
                emit(e, "</p>\n");
                if (k->n_excerpt == 0)
                        continue;
                emit(e, "<pre class=\"excerpt\">");
                for (size_t l = 0; l < k->n_excerpt; l++) {
                        bool del = report_config_key_deletes(k, k->excerpt[l].line);

                        emitf(e, "<span%s><span class=\"ln\">%c%6llu  </span>", del ? " class=\"del\"" : "",
                              del ? '-' : ' ', (unsigned long long) k->excerpt[l].line);
                        emit_html_pre(e, k->excerpt[l].text);
                        emit(e, "</span>");
                }
                if (k->excerpt_truncated)
                        emit(e, "<span>        \xE2\x80\xA6</span>");
                emit(e, "</pre>\n");
        }
        if (c->note) {
                emit(e, "<p class=\"note\">(");
                emit_html(e, c->note);
                emit(e, ")</p>\n");
        }
}

/* Commands to copy, one a line; NULL ones are left out. */
static void pre_code(Emit *e, const char *first, const char *second) {
        emit(e, "<pre><code>");
        emit_html(e, first);
        if (first && second)
                emit(e, "\n");
        emit_html(e, second);
        emit(e, "</code></pre>\n");
}

static void remedy(Emit *e, const ReportFinding *f) {
        const ReportRemedy *m = f->remedy;

        if (!f->remediation && !m)
                return;
        emit(e, "<h3>Remedy</h3>\n");
        if (f->remediation) {
                emit(e, "<p>");
                emit_html(e, f->remediation);
                emit(e, "</p>\n");
        }
        if (!m || m->n_configs + m->n_bindings == 0)
                return;
        emit(e, "<ol class=\"remedy\">\n");
        for (size_t i = 0; i < m->n_configs; i++) {
                const ReportConfigFix *c = &m->configs[i];
                bool appcmd = false;

                emit(e, "<li>In <code>");
                emit_html(e, c->path);
                emit(e, "</code>, delete ");
                for (size_t j = 0; j < c->n_keys; j++) {
                        const ReportConfigKey *k = &c->keys[j];

                        emit(e, j == 0 ? "" : "; and ");
                        if (k->n_delete_lines == 0)
                                emit(e, "the legacy properties");
                        else
                                emit(e, k->n_delete_lines == 1 ? "line " : "lines ");
                        for (size_t l = 0; l < k->n_delete_lines; l++)
                                emitf(e, "%s%llu", l ? ", " : "", (unsigned long long) k->delete_lines[l]);
                        emit(e, " (<code>&lt;key path=&quot;");
                        emit_html(e, k->key_path);
                        emit(e, k->remove_key ? "&quot;&gt;</code>, the whole key)" : "&quot;&gt;</code>)");
                        appcmd = appcmd || k->appcmd;
                }
                emit(e, ":\n");
                configuration(e, c);
                emit(e, "Let evdiag do it (it keeps a backup and changes nothing else):\n");
                pre_code(e, c->fix_command, NULL);
                if (appcmd) {
                        bool first = true;

                        emit(e, "or with appcmd on the server:\n<pre><code>");
                        for (size_t j = 0; j < c->n_keys; j++)
                                if (c->keys[j].appcmd) {
                                        emit(e, first ? "" : "\n");
                                        emit_html(e, c->keys[j].appcmd);
                                        first = false;
                                }
                        emit(e, "</code></pre>\n");
                }
                emit(e, "</li>\n");
        }
        for (size_t i = 0; i < m->n_bindings; i++) {
                const ReportBindingFix *b = &m->bindings[i];

                emit(e, b->deleted ? "<li>Restore the HTTP.sys binding of <code>" : "<li>Should the binding of <code>");
                emit_html(e, b->endpoint);
                emit(e, b->deleted ? "</code>:\n" : "</code> be lost, restore it:\n");
                if (b->command)
                        pre_code(e, b->delete_command, b->command);
                else
                        emit(e, "<p class=\"note\">(No command: the endpoint holds characters a command line would "
                                "misread.)</p>\n");
                emit(e, b->hash_differs || b->legacy_bound ? "<p class=\"note warn\">" : "<p class=\"note\">");
                emit_html(e, b->note);
                emit(e, "</p></li>\n");
        }
        emit(e, "</ol>\n");
}

static void finding(Emit *e, const ReportFinding *f, size_t index) {
        emitf(e, "<section class=\"finding ");
        emit_class(e, "v-", f->verdict);
        emitf(e, "\" id=\"finding-%zu\">\n<h2>", index + 1);
        verdict_badge(e, f->verdict);
        emit(e, "<span>");
        emit_html(e, f->host);
        emit(e, "</span><span class=\"rule\">");
        emit_html(e, f->rule);
        emit(e, "</span></h2>\n<p class=\"meta\">");
        emit_html(e, f->title);
        emit(e, "</p>\n");
        if (f->reason) {
                emit(e, "<p class=\"why\"><strong>Why:</strong> ");
                emit_html(e, f->reason);
                emit(e, "</p>\n");
        }
        /* What to do first; then what it rests on. */
        remedy(e, f);
        timelines(e, f);
        symptoms_and_evidence(e, f);
        emit(e, "</section>\n");
}

static void summary_line(Emit *e, const Report *r) {
        _cleanup_free_ char *words = NULL;

        if (r->n_findings == 0) {
                emit(e, "evdiag: no finding");
                return;
        }
        words = report_verdict_words(r->findings[0].verdict, false);
        emit_html(e, r->findings[0].rule);
        emit(e, " ");
        emit_html(e, words ? words : r->findings[0].verdict);
        emit(e, " on ");
        emit_html(e, r->findings[0].host);
        if (r->n_findings > 1)
                emitf(e, " (and %zu more finding%s)", r->n_findings - 1, r->n_findings == 2 ? "" : "s");
}

static void inputs(Emit *e, const Report *r) {
        emit(e, "<h3>Inputs</h3>\n<p class=\"note\">Local times of text and CSV exports were read as ");
        emit_html(e, r->assumed_tz);
        emit(e, ". Times elsewhere are UTC.</p>\n<table><thead><tr><th>File</th><th>Format</th><th>Status</th>"
                "<th>Host</th><th class=\"num\">Events</th><th class=\"num\">Rows</th><th class=\"num\">Warnings</th>"
                "</tr></thead><tbody>\n");
        for (size_t i = 0; i < r->n_inputs; i++) {
                const ReportInput *in = &r->inputs[i];

                emit(e, "<tr><td class=\"src\">");
                emit_html(e, in->path);
                if (in->n_warnings > 0) {
                        emit(e, "<ul class=\"warnings\">");
                        for (size_t w = 0; w < in->n_warnings; w++) {
                                emit(e, "<li>");
                                emit_html(e, in->warnings[w]);
                                emit(e, "</li>");
                        }
                        if (in->warnings_total > in->n_warnings)
                                emitf(e, "<li>and %llu more</li>",
                                      (unsigned long long) (in->warnings_total - in->n_warnings));
                        emit(e, "</ul>");
                }
                emit(e, "</td><td>");
                emit_html(e, in->format);
                emit(e, "</td><td>");
                emit_html(e, in->status);
                emit(e, "</td><td>");
                emit_html(e, in->host ? in->host : "");
                emitf(e, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td></tr>\n",
                      (unsigned long long) in->events, (unsigned long long) in->rows,
                      (unsigned long long) in->warnings_total);
        }
        emit(e, "</tbody></table>\n");
}

int report_render_html(const Report *r, StrBuf *out) {
        Emit e = { .out = out };

        emit(&e, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 /* Nothing may be fetched: the page is all there is. */
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                 "img-src data:\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta name=\"generator\" content=\"evdiag ");
        emit_html(&e, r->version);
        emit(&e, "\">\n<title>");
        summary_line(&e, r);
        emit(&e, "</title>\n<style>\n");
        emit(&e, css);
        emit(&e, "</style>\n</head>\n<body>\n<header class=\"page\">\n<h1>");
        summary_line(&e, r);
        emit(&e, "</h1>\n<p class=\"meta\">evdiag ");
        emit_html(&e, r->version);
        emitf(&e, " &middot; %zu input%s &middot; times in UTC</p>\n", r->n_inputs, r->n_inputs == 1 ? "" : "s");
        if (r->n_findings > 1) {
                emit(&e, "<table><thead><tr><th>Verdict</th><th>Host</th><th>Rule</th><th>What</th></tr></thead><tbody>\n");
                for (size_t i = 0; i < r->n_findings; i++) {
                        const ReportFinding *f = &r->findings[i];

                        emit(&e, "<tr><td>");
                        verdict_badge(&e, f->verdict);
                        emitf(&e, "</td><td><a href=\"#finding-%zu\">", i + 1);
                        emit_html(&e, f->host);
                        emit(&e, "</a></td><td>");
                        emit_html(&e, f->rule);
                        emit(&e, "</td><td>");
                        emit_html(&e, f->title);
                        emit(&e, "</td></tr>\n");
                }
                emit(&e, "</tbody></table>\n");
        }
        emit(&e, "</header>\n<main>\n");
        if (r->n_findings == 0)
                emit(&e, "<p>No finding: no rule matched these inputs.</p>\n");
        for (size_t i = 0; i < r->n_findings; i++)
                finding(&e, &r->findings[i], i);
        inputs(&e, r);
        emit(&e, "</main>\n<footer><p>Made by evdiag ");
        emit_html(&e, r->version);
        emit(&e, ". Text from the logs and files is shown as it is, escaped; control characters appear as "
                 "<code>\\xNN</code>.</p></footer>\n</body>\n</html>\n");
        return e.r;
}
