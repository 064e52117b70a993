/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "collect-sink.h"
#include "fix/apphost-fix.h"
#include "importer/apphost.h"
#include "test-util.h"

#define KB_HASH_B64 "oXiHOzFAMOF0YxIuI7soWvDFEzg="

/* Lines 1 to 3, and the three lines that close them. */
#define HEAD "<configuration>\n<system.applicationHost>\n<customMetadata>\n"
#define TAIL "</customMetadata>\n</system.applicationHost>\n</configuration>\n"

/* ---- Helpers ---- */

/* Plans the size bytes at data (copied to an allocation of exactly that size, so that reading
 * past the end trips the sanitizer) into *ret_plan and a new *ret_diag. Returns what
 * apphost_fix_plan() returns; the caller frees both. */
static int plan_bytes(const void *data, size_t size, ApphostFixPlan **ret_plan, Diag **ret_diag) {
        _cleanup_free_ void *copy = memdup_exact(data, size);
        Diag *d = diag_new("applicationHost.config");

        assert_non_null(d);
        *ret_diag = d;
        *ret_plan = NULL;
        return apphost_fix_plan(copy, size, ret_plan, d);
}

/* The offset of needle in s, which must be there. */
static size_t offset_of(const char *s, const char *needle) {
        const char *p = strstr(s, needle);

        assert_non_null(p);
        return (size_t) (p - s);
}

/* The ranges must be sorted, disjoint, apart (touching cuts are merged) and inside the input. */
static void check_ranges_sane(const ApphostFixPlan *plan, size_t size) {
        const ApphostFixRange *r;
        size_t n;

        r = apphost_fix_plan_ranges(plan, &n);
        for (size_t i = 0; i < n; i++) {
                assert_true(r[i].start < r[i].end);
                assert_true(r[i].end <= size);
                assert_true(r[i].first_line >= 1);
                assert_true(r[i].first_line <= r[i].last_line);
                if (i > 0) {
                        assert_true(r[i].start > r[i - 1].end);
                        assert_true(r[i].first_line >= r[i - 1].last_line);
                }
        }
}

/* Plans in (n bytes), which must succeed without a message; the output must be exactly out
 * (out_n bytes), verify, and be left alone when planned again. The plan is handed back for
 * more checks when ret_plan is set. */
static void check_fix_bytes(const void *in, size_t n, const void *out, size_t out_n, ApphostFixPlan **ret_plan) {
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL, *again = NULL;
        _cleanup_(diag_freep) Diag *d = NULL, *dv = NULL, *da = NULL;
        _cleanup_free_ uint8_t *result = NULL;
        size_t result_n, ranges;

        assert_int_equal(plan_bytes(in, n, &plan, &d), 0);
        dump_diag(d);
        assert_int_equal(diag_count(d), 0);
        check_ranges_sane(plan, n);
        assert_int_equal(apphost_fix_apply(in, n, plan, &result, &result_n), 0);
        if (result_n != out_n || memcmp(result, out, out_n) != 0)
                fail_msg("output differs; got %zu bytes:\n%.*s", result_n, (int) result_n, (const char *) result);
        assert_int_equal(result[result_n], 0);

        dv = diag_new("applicationHost.config");
        assert_non_null(dv);
        assert_int_equal(apphost_fix_verify(in, n, plan, result, result_n, dv), 0);
        assert_int_equal(diag_count(dv), 0);

        /* What the fix leaves, it accepts, with nothing more to do. */
        assert_int_equal(plan_bytes(result, result_n, &again, &da), 0);
        (void) apphost_fix_plan_ranges(again, &ranges);
        assert_int_equal(ranges, 0);

        if (ret_plan)
                *ret_plan = TAKE_PTR(plan);
}

static void check_fix(const char *in, const char *out, ApphostFixPlan **ret_plan) {
        check_fix_bytes(in, strlen(in), out, strlen(out), ret_plan);
}

/* The diff of the n bytes at in as "x.config". */
static char *diff_of(const void *in, size_t n) {
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = NULL;
        StrBuf b = {};
        char *s;

        assert_int_equal(plan_bytes(in, n, &plan, &d), 0);
        assert_int_equal(apphost_fix_diff(in, n, plan, "x.config", &b), 0);
        s = strbuf_steal(&b);
        assert_non_null(s);
        return s;
}

/* ---- What goes, what stays ---- */

typedef struct FixCase {
        const char *name;
        const char *in, *out;
        size_t properties, keys_removed, ranges;
} FixCase;

static const FixCase fix_cases[] = {
        {
                "1018 stays, 5511 and 5506 go, whole lines",
                HEAD
                "<key path=\"LM/W3SVC/1\">\n"
                "    <property id=\"1018\" dataType=\"DWord\" value=\"1\" />\n"
                "    <property id=\"5511\" dataType=\"String\" value=\"MY\" />\n"
                "    <property id=\"5506\" dataType=\"Binary\" value=\"" KB_HASH_B64 "\" />\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"LM/W3SVC/1\">\n"
                "    <property id=\"1018\" dataType=\"DWord\" value=\"1\" />\n"
                "</key>\n"
                TAIL,
                2, 0, 1,
        },
        {
                "a key of nothing but 5506 and 5511 goes whole",
                HEAD
                "<key path=\"LM/W3SVC/1\">\n"
                "    <property id=\"5511\" value=\"MY\" />\n"
                "    <property id=\"5506\" value=\"" KB_HASH_B64 "\" />\n"
                "</key>\n"
                TAIL,
                HEAD TAIL,
                2, 1, 1,
        },
        {
                "several keys",
                HEAD
                "<key path=\"A\">\n<property id=\"5506\" />\n<property id=\"1018\" />\n</key>\n"
                "<key path=\"B\">\n<property id=\"5511\" />\n</key>\n"
                "<key path=\"C\">\n<property id=\"4012\" />\n</key>\n"
                "<key path=\"D\">\n<property id=\"5506\" />\n</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n<property id=\"1018\" />\n</key>\n"
                "<key path=\"C\">\n<property id=\"4012\" />\n</key>\n"
                TAIL,
                3, 2, 3,
        },
        {
                "adjacent emptied keys become one cut",
                HEAD
                "<key path=\"A\">\n<property id=\"5506\" />\n</key>\n"
                "<key path=\"B\">\n<property id=\"5511\" />\n</key>\n"
                "<key path=\"C\">\n<property id=\"1\" />\n</key>\n"
                TAIL,
                HEAD
                "<key path=\"C\">\n<property id=\"1\" />\n</key>\n"
                TAIL,
                2, 2, 1,
        },
        {
                "properties apart in one key: one cut each",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"5506\" />\n"
                "<property id=\"1018\" />\n"
                "<property id=\"5511\" />\n"
                "<property id=\"2120\" />\n"
                "<property id=\"5506\" />\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\" />\n"
                "<property id=\"2120\" />\n"
                "</key>\n"
                TAIL,
                3, 0, 3,
        },
        {
                "a property not alone on its line: only the element",
                HEAD
                "<key path=\"A\"><property id=\"1018\"/><property id=\"5506\"/></key>\n"
                TAIL,
                HEAD
                "<key path=\"A\"><property id=\"1018\"/></key>\n"
                TAIL,
                1, 0, 1,
        },
        {
                "an emptied key not alone on its line: only the element",
                HEAD
                "<key path=\"A\"><property id=\"5506\"/></key><key path=\"B\"><property id=\"1\"/></key>\n"
                TAIL,
                HEAD
                "<key path=\"B\"><property id=\"1\"/></key>\n"
                TAIL,
                1, 1, 1,
        },
        {
                "a key on the line of <customMetadata>",
                "<configuration>\n<system.applicationHost>\n<customMetadata><key path=\"A\">\n"
                "<property id=\"5506\"/>\n"
                "</key></customMetadata>\n</system.applicationHost>\n</configuration>\n",
                "<configuration>\n<system.applicationHost>\n<customMetadata></customMetadata>\n"
                "</system.applicationHost>\n</configuration>\n",
                1, 1, 1,
        },
        {
                "two on one line with blanks between: one cut, the line goes",
                HEAD
                "<key path=\"A\">\n"
                "  <property id=\"1018\"/>\n"
                "  <property id=\"5506\"/> \t <property id=\"5511\"/>  \n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "  <property id=\"1018\"/>\n"
                "</key>\n"
                TAIL,
                2, 0, 1,
        },
        {
                "two after another property on one line: the blank before them stays",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/> <property id=\"5506\"/>\t<property id=\"5511\"/>\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/> \n"
                "</key>\n"
                TAIL,
                2, 0, 1,
        },
        {
                "a comment after the property on its line stays",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/>\n"
                "  <property id=\"5506\"/> <!-- hash -->\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/>\n"
                "   <!-- hash -->\n"
                "</key>\n"
                TAIL,
                1, 0, 1,
        },
        {
                "self-closing keys stay",
                HEAD
                "<key path=\"E\" />\n"
                "<key path=\"A\">\n<property id=\"5506\"/>\n</key>\n"
                "<key path=\"F\"/>\n"
                TAIL,
                HEAD
                "<key path=\"E\" />\n"
                "<key path=\"F\"/>\n"
                TAIL,
                1, 1, 1,
        },
        {
                "<property></property> with an explicit end tag, on one line and on two",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"></property>\n"
                "<property id=\"5506\" value=\"x\"></property>\n"
                "<property id=\"5511\">\n"
                "</property>\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"></property>\n"
                "</key>\n"
                TAIL,
                2, 0, 1,
        },
        {
                "a property with content goes with its content",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1\"/>\n"
                "<property id=\"5506\">text<x a=\"5511\"/><!-- c --></property>\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1\"/>\n"
                "</key>\n"
                TAIL,
                1, 0, 1,
        },
        {
                "attributes in another order, single quotes, spaces around '=', a tag over three lines",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/>\n"
                "<property value='x' id = '5506' />\n"
                "<property\n"
                "    id\t=\n\"5511\"\n"
                "    value=\"MY\" />\n"
                "<property value=\"1\" id=\"4012\"/>\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/>\n"
                "<property value=\"1\" id=\"4012\"/>\n"
                "</key>\n"
                TAIL,
                2, 0, 1,
        },
        {
                "ids as character references, with spaces, with a leading zero",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/>\n"
                "<property id=\"&#53;506\"/>\n"
                "<property id=\"&#x35;&#x35;11\"/>\n"
                "<property id=\" 5506 \"/>\n"
                "<property id=\"5511&#10;\"/>\n"
                "<property id=\"05506\"/>\n"
                "</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"1018\"/>\n"
                "</key>\n"
                TAIL,
                5, 0, 1,
        },
        {
                "tabs",
                "<configuration>\n\t<system.applicationHost>\n\t\t<customMetadata>\n"
                "\t\t\t<key path=\"A\">\n"
                "\t\t\t\t<property id=\"1018\"/>\n"
                "\t\t\t\t<property id=\"5506\"/>\t\n"
                "\t\t\t</key>\n"
                "\t\t\t<key path=\"B\">\n"
                "\t\t\t\t<property id=\"5511\"/>\n"
                "\t\t\t</key>\n"
                "\t\t</customMetadata>\n\t</system.applicationHost>\n</configuration>\n",
                "<configuration>\n\t<system.applicationHost>\n\t\t<customMetadata>\n"
                "\t\t\t<key path=\"A\">\n"
                "\t\t\t\t<property id=\"1018\"/>\n"
                "\t\t\t</key>\n"
                "\t\t</customMetadata>\n\t</system.applicationHost>\n</configuration>\n",
                2, 1, 2,
        },
        {
                "no newline at the end",
                HEAD
                "<key path=\"A\">\n<property id=\"1\"/>\n<property id=\"5506\"/>\n</key>\n"
                "</customMetadata>\n</system.applicationHost>\n</configuration>",
                HEAD
                "<key path=\"A\">\n<property id=\"1\"/>\n</key>\n"
                "</customMetadata>\n</system.applicationHost>\n</configuration>",
                1, 0, 1,
        },
        {
                "a comment, text or a CDATA section, even blank, keeps its key",
                HEAD
                "<key path=\"A\">\n<!-- the certificate -->\n<property id=\"5506\"/>\n</key>\n"
                "<key path=\"B\">note<property id=\"5511\"/></key>\n"
                "<key path=\"C\"><![CDATA[ ]]>\n<property id=\"5506\"/>\n</key>\n"
                "<key path=\"D\"><?keep?>\n<property id=\"5506\"/>\n</key>\n"
                "<key path=\"E\">\n<x/>\n<property id=\"5511\"/>\n</key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">\n<!-- the certificate -->\n</key>\n"
                "<key path=\"B\">note</key>\n"
                "<key path=\"C\"><![CDATA[ ]]>\n</key>\n"
                "<key path=\"D\"><?keep?>\n</key>\n"
                "<key path=\"E\">\n<x/>\n</key>\n"
                TAIL,
                5, 0, 5,
        },
        {
                "two system.applicationHost sections, two customMetadata",
                "<configuration>\n"
                "<system.applicationHost>\n"
                "<customMetadata>\n<key path=\"A\">\n<property id=\"5506\"/>\n</key>\n</customMetadata>\n"
                "<customMetadata>\n<key path=\"B\">\n<property id=\"1\"/>\n<property id=\"5511\"/>\n</key>\n"
                "</customMetadata>\n"
                "</system.applicationHost>\n"
                "<system.applicationHost>\n"
                "<customMetadata>\n<key path=\"C\">\n<property id=\"5506\"/>\n<property id=\"2\"/>\n</key>\n"
                "</customMetadata>\n"
                "</system.applicationHost>\n"
                "</configuration>\n",
                "<configuration>\n"
                "<system.applicationHost>\n"
                "<customMetadata>\n</customMetadata>\n"
                "<customMetadata>\n<key path=\"B\">\n<property id=\"1\"/>\n</key>\n"
                "</customMetadata>\n"
                "</system.applicationHost>\n"
                "<system.applicationHost>\n"
                "<customMetadata>\n<key path=\"C\">\n<property id=\"2\"/>\n</key>\n"
                "</customMetadata>\n"
                "</system.applicationHost>\n"
                "</configuration>\n",
                3, 1, 3,
        },
        {
                "look-alike ids stay",
                HEAD
                "<key path=\"A\">\n"
                "<property id=\"55060\"/>\n"
                "<property id=\"506\"/>\n"
                "<property id=\"551\"/>\n"
                "<property id=\"55110\"/>\n"
                "<property id=\"5506x\"/>\n"
                "<property id=\"5506 5511\"/>\n"
                "<property id=\"-5506\"/>\n"
                "<property id=\"+5506\"/>\n"
                "<property id=\"\"/>\n"
                "<property id=\"&amp;5506\"/>\n"
                "<property id=\"5506.0\"/>\n"
                "<property id=\"00000005506\"/>\n"
                "<property id=\"4294972802\"/>\n"
                "<property ID=\"5506\"/>\n"
                "<property name=\"5506\" value=\"5511\"/>\n"
                "<property/>\n"
                "</key>\n"
                TAIL,
                NULL,
                0, 0, 0,
        },
        {
                "5506 and 5511 outside customMetadata/key stay",
                "<configuration>\n"
                "<!-- <system.applicationHost><customMetadata><key path=\"X\"><property id=\"5506\"/></key>"
                "</customMetadata></system.applicationHost> -->\n"
                "<location path=\"S\"><system.applicationHost><customMetadata><key path=\"L\"><property id=\"5506\"/>"
                "</key></customMetadata></system.applicationHost></location>\n"
                "<system.webServer><customMetadata><key path=\"W\"><property id=\"5511\"/></key></customMetadata>"
                "</system.webServer>\n"
                "<system.applicationHost>\n"
                "<sites><key path=\"S\"><property id=\"5506\"/></key></sites>\n"
                "<customMetadata>\n"
                "<property id=\"5506\"/>\n"
                "<key path=\"A\"><![CDATA[<property id=\"5506\"/>]]></key>\n"
                "<key path=\"B\"><x><property id=\"5506\"/></x><x:property xmlns:x=\"urn:x\" id=\"5506\"/></key>\n"
                "<key path=\"C\"><?pi <property id=\"5506\"/> ?><property id=\"1\" value=\"5506\"/></key>\n"
                "<key path=\"D\"><!-- <property id=\"5511\"/> --><key path=\"N\"><property id=\"5511\"/></key></key>\n"
                "<x:key xmlns:x=\"urn:x\"><property id=\"5506\"/></x:key>\n"
                "<Key path=\"K\"><Property id=\"5506\"/></Key>\n"
                "</customMetadata>\n"
                "</system.applicationHost>\n"
                "</configuration>\n",
                NULL,
                0, 0, 0,
        },
        {
                "']' and ']>' around cuts that do not make \"]]>\" of them",
                HEAD
                "<key path=\"A\">]<property id=\"5506\"/>]<property id=\"1\"/>></key>\n"
                "<key path=\"B\"><![CDATA[x]]]]><property id=\"5511\"/>>]<property id=\"1\"/></key>\n"
                TAIL,
                HEAD
                "<key path=\"A\">]]<property id=\"1\"/>></key>\n"
                "<key path=\"B\"><![CDATA[x]]]]>>]<property id=\"1\"/></key>\n"
                TAIL,
                2, 0, 2,
        },
        {
                "an XML declaration and a comment with '>' and quotes",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                "<!-- a \"quoted\" '>' here -->\n"
                HEAD
                "<key path=\"A&amp;B\" note='a > b'>\n<property value=\"/>\" id=\"5506\"/>\n<property id=\"1\"/>\n</key>\n"
                TAIL,
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                "<!-- a \"quoted\" '>' here -->\n"
                HEAD
                "<key path=\"A&amp;B\" note='a > b'>\n<property id=\"1\"/>\n</key>\n"
                TAIL,
                1, 0, 1,
        },
};

static void test_fix_cases(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(fix_cases); i++) {
                const FixCase *t = &fix_cases[i];
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                size_t n;

                print_message("case: %s\n", t->name);
                check_fix(t->in, t->out ? t->out : t->in, &plan);
                (void) apphost_fix_plan_properties(plan, &n);
                assert_int_equal(n, t->properties);
                assert_int_equal(apphost_fix_plan_keys_removed(plan), t->keys_removed);
                (void) apphost_fix_plan_ranges(plan, &n);
                assert_int_equal(n, t->ranges);
                assert_string_equal(apphost_fix_plan_encoding(plan), "UTF-8");
        }
}

/* Every field of the ranges and of the properties, on one document. */
static void test_plan_details(void **state) {
        static const char doc[] =
                HEAD
                "<key path=\"LM/W3SVC/1\">\n"                                     /* 4 */
                "  <property id=\"1018\" value=\"1\" />\n"
                "  <property id=\"5511\" value=\"MY\" />\n"                        /* 6 */
                "</key>\n"
                "<key path=\"A&amp;B\">\n"                                         /* 8 */
                "  <property id=\"5506\" value=\"x\" />\n"
                "</key>\n"                                                         /* 10 */
                "<key path=\"C\"><property id=\"1\"/> <property id=\"5506\"/></key>\n" /* 11 */
                "<key>\n"                                                          /* 12 */
                "<property id=\"5511\"/>\n"
                "</key>\n"                                                         /* 14 */
                TAIL;
        static const char expected[] =
                HEAD
                "<key path=\"LM/W3SVC/1\">\n"
                "  <property id=\"1018\" value=\"1\" />\n"
                "</key>\n"
                "<key path=\"C\"><property id=\"1\"/> </key>\n"
                TAIL;
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        const ApphostFixProperty *p;
        const ApphostFixRange *r;
        size_t n, c_prop = offset_of(doc, "<property id=\"5506\"/></key>");

        check_fix(doc, expected, &plan);

        r = apphost_fix_plan_ranges(plan, &n);
        assert_int_equal(n, 4);
        assert_int_equal(r[0].start, offset_of(doc, "  <property id=\"5511\""));
        assert_int_equal(r[0].end, offset_of(doc, "</key>\n<key path=\"A"));
        assert_int_equal(r[0].first_line, 6);
        assert_int_equal(r[0].last_line, 6);
        assert_int_equal(r[0].kind, APPHOST_FIX_PROPERTY);
        assert_true(r[0].whole_lines);

        assert_int_equal(r[1].start, offset_of(doc, "<key path=\"A&amp;B\">"));
        assert_int_equal(r[1].end, offset_of(doc, "<key path=\"C\">"));
        assert_int_equal(r[1].first_line, 8);
        assert_int_equal(r[1].last_line, 10);
        assert_int_equal(r[1].kind, APPHOST_FIX_KEY);
        assert_true(r[1].whole_lines);

        assert_int_equal(r[2].start, c_prop);
        assert_int_equal(r[2].end, c_prop + strlen("<property id=\"5506\"/>"));
        assert_int_equal(r[2].first_line, 11);
        assert_int_equal(r[2].last_line, 11);
        assert_int_equal(r[2].kind, APPHOST_FIX_PROPERTY);
        assert_false(r[2].whole_lines);

        assert_int_equal(r[3].start, offset_of(doc, "<key>\n"));
        assert_int_equal(r[3].end, offset_of(doc, TAIL));
        assert_int_equal(r[3].first_line, 12);
        assert_int_equal(r[3].last_line, 14);
        assert_int_equal(r[3].kind, APPHOST_FIX_KEY);
        assert_true(r[3].whole_lines);

        p = apphost_fix_plan_properties(plan, &n);
        assert_int_equal(n, 4);
        assert_int_equal(p[0].id, APPHOST_FIX_SSL_CERT_STORE_NAME);
        assert_int_equal(p[0].line, 6);
        assert_string_equal(p[0].key_path, "LM/W3SVC/1");
        assert_int_equal(p[0].key_line, 4);
        assert_false(p[0].key_removed);
        assert_int_equal(p[1].id, APPHOST_FIX_SSL_CERT_HASH);
        assert_int_equal(p[1].line, 9);
        assert_string_equal(p[1].key_path, "A&B");     /* decoded */
        assert_int_equal(p[1].key_line, 8);
        assert_true(p[1].key_removed);
        assert_int_equal(p[2].id, APPHOST_FIX_SSL_CERT_HASH);
        assert_int_equal(p[2].line, 11);
        assert_string_equal(p[2].key_path, "C");
        assert_int_equal(p[2].key_line, 11);
        assert_false(p[2].key_removed);
        assert_int_equal(p[3].id, APPHOST_FIX_SSL_CERT_STORE_NAME);
        assert_int_equal(p[3].line, 13);
        assert_null(p[3].key_path);                     /* a key without a path */
        assert_int_equal(p[3].key_line, 12);
        assert_true(p[3].key_removed);
        assert_int_equal(apphost_fix_plan_keys_removed(plan), 2);
}

/* ---- Line ends and encodings ---- */

/* One file in every encoding and with either line end: a key that keeps its 1018 and loses
 * lines 7 and 8, and a key of nothing but a 5506 (lines 10 to 12). The é in the first key's
 * path is two bytes of UTF-8, one code unit of UTF-16, and U+00E9 in the plan's key path. */
#define TEMPLATE_IN(encoding) \
        "<?xml version=\"1.0\" encoding=\"" encoding "\"?>\n" \
        HEAD \
        "    <key path=\"LM/W3SVC/Caf\xc3\xa9\">\n" \
        "        <property id=\"1018\" value=\"1\" />\n" \
        "        <property id=\"5511\" value=\"MY\" />\n"                  /* 7 */ \
        "        <property id=\"5506\" value=\"" KB_HASH_B64 "\" />\n"      /* 8 */ \
        "    </key>\n" \
        "    <key path=\"LM/W3SVC/2\">\n"                                   /* 10 */ \
        "        <property id=\"5506\" value=\"" KB_HASH_B64 "\" />\n" \
        "    </key>\n"                                                      /* 12 */ \
        TAIL
#define TEMPLATE_OUT(encoding) \
        "<?xml version=\"1.0\" encoding=\"" encoding "\"?>\n" \
        HEAD \
        "    <key path=\"LM/W3SVC/Caf\xc3\xa9\">\n" \
        "        <property id=\"1018\" value=\"1\" />\n" \
        "    </key>\n" \
        TAIL

static void check_template_plan(const ApphostFixPlan *plan, const char *encoding) {
        const ApphostFixRange *r;
        const ApphostFixProperty *p;
        size_t n;

        assert_string_equal(apphost_fix_plan_encoding(plan), encoding);
        r = apphost_fix_plan_ranges(plan, &n);
        assert_int_equal(n, 2);
        assert_int_equal(r[0].first_line, 7);
        assert_int_equal(r[0].last_line, 8);
        assert_int_equal(r[0].kind, APPHOST_FIX_PROPERTY);
        assert_true(r[0].whole_lines);
        assert_int_equal(r[1].first_line, 10);
        assert_int_equal(r[1].last_line, 12);
        assert_int_equal(r[1].kind, APPHOST_FIX_KEY);
        assert_true(r[1].whole_lines);
        p = apphost_fix_plan_properties(plan, &n);
        assert_int_equal(n, 3);
        assert_string_equal(p[0].key_path, "LM/W3SVC/Caf\xc3\xa9");
        assert_int_equal(p[2].line, 11);
        assert_int_equal(apphost_fix_plan_keys_removed(plan), 1);
}

/* LF and CRLF: a cut takes the line end of its last line, whatever it is, and starts after the
 * one before. */
static void test_line_ends(void **state) {
        const char *in = TEMPLATE_IN("UTF-8"), *out = TEMPLATE_OUT("UTF-8");

        for (int crlf = 0; crlf <= 1; crlf++) {
                _cleanup_free_ char *in_conv = NULL, *out_conv = NULL;
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                const char *eol = crlf ? "\r\n" : "\n";
                size_t in_n, out_n, n, k = strlen(eol);
                const ApphostFixRange *r;

                if (crlf) {
                        in_conv = to_crlf(in, strlen(in), &in_n);
                        out_conv = to_crlf(out, strlen(out), &out_n);
                } else {
                        in_conv = strdup(in);
                        out_conv = strdup(out);
                        assert_non_null(in_conv);
                        assert_non_null(out_conv);
                        in_n = strlen(in);
                        out_n = strlen(out);
                }
                check_fix_bytes(in_conv, in_n, out_conv, out_n, &plan);
                check_template_plan(plan, "UTF-8");
                r = apphost_fix_plan_ranges(plan, &n);
                assert_memory_equal(in_conv + r[0].start - k, eol, k);
                assert_memory_equal(in_conv + r[0].end - k, eol, k);
                assert_memory_equal(in_conv + r[1].end - k, eol, k);
                assert_int_equal(r[0].start, offset_of(in_conv, "        <property id=\"5511\""));
                assert_int_equal(r[0].end, offset_of(in_conv, "    </key>"));
                assert_int_equal(r[1].start, offset_of(in_conv, "    <key path=\"LM/W3SVC/2\">"));
                assert_int_equal(r[1].end, offset_of(in_conv, "</customMetadata>"));
        }
}

/* A UTF-8 BOM stays, and only the cut lines go. */
static void test_utf8_bom(void **state) {
        const char *in = TEMPLATE_IN("utf-8"), *out = TEMPLATE_OUT("utf-8");
        _cleanup_free_ char *in_bom = NULL, *out_bom = NULL;
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        const ApphostFixRange *r;
        size_t n;

        assert_true(asprintf(&in_bom, "\xef\xbb\xbf%s", in) > 0);
        assert_true(asprintf(&out_bom, "\xef\xbb\xbf%s", out) > 0);
        check_fix(in_bom, out_bom, &plan);
        check_template_plan(plan, "UTF-8 with BOM");
        r = apphost_fix_plan_ranges(plan, &n);
        assert_int_equal(r[0].start, offset_of(in_bom, "        <property id=\"5511\""));
}

/* UTF-16 of either byte order, with and without a BOM: the same cuts, in bytes. */
static void test_utf16(void **state) {
        static const struct {
                bool big_endian, bom;
                const char *encoding;
        } cases[] = {
                { false, true,  "UTF-16LE with BOM" },
                { true,  true,  "UTF-16BE with BOM" },
                { false, false, "UTF-16LE" },
                { true,  false, "UTF-16BE" },
        };
        const char *in = TEMPLATE_IN("UTF-16"), *out = TEMPLATE_OUT("UTF-16");

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ uint8_t *in16 = NULL, *out16 = NULL;
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                const ApphostFixRange *r;
                size_t in_n, out_n, skip = cases[i].bom ? 0 : 2, n;

                in16 = to_utf16(in, strlen(in), cases[i].big_endian, &in_n);
                out16 = to_utf16(out, strlen(out), cases[i].big_endian, &out_n);
                check_fix_bytes(in16 + skip, in_n - skip, out16 + skip, out_n - skip, &plan);
                check_template_plan(plan, cases[i].encoding);
                /* Byte offsets: two per character before (é is two bytes of UTF-8 but one
                 * unit of UTF-16), plus the BOM. */
                r = apphost_fix_plan_ranges(plan, &n);
                assert_int_equal(r[0].start, 2 * (offset_of(in, "        <property id=\"5511\"") - 1) + 2 - skip);
                assert_int_equal(r[1].end, 2 * (offset_of(in, "</customMetadata>") - 1) + 2 - skip);
        }
}

/* ASCII-compatible single-byte encodings: the bytes are cut as they are, high ones included. */
static void test_single_byte(void **state) {
        static const struct {
                const char *declared, *encoding;
        } cases[] = {
                { "ISO-8859-1",   "ISO-8859-1" },
                { "iso-8859-1",   "ISO-8859-1" },
                { "latin1",       "ISO-8859-1" },
                { "ISO-8859-15",  "ISO-8859-15" },
                { "windows-1252", "windows-1252" },
                { "CP1252",       "windows-1252" },
                { "US-ASCII",     "US-ASCII" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *in = NULL, *out = NULL;
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                const ApphostFixProperty *p;
                bool ascii = strcmp(cases[i].encoding, "US-ASCII") == 0;
                size_t n;

                assert_true(asprintf(&in,
                                     "<?xml version=\"1.0\" encoding='%s'?>\n"
                                     "<!-- Caf%s -->\n"
                                     HEAD
                                     "<key path=\"LM/W3SVC/%s\">\n"
                                     "<property id=\"1018\" value=\"1\" />\n"
                                     "<property id=\"5506\" value=\"" KB_HASH_B64 "\" />\n"
                                     "</key>\n"
                                     TAIL,
                                     cases[i].declared, ascii ? "e" : "\xe9", ascii ? "e" : "\xe9") > 0);
                assert_true(asprintf(&out,
                                     "<?xml version=\"1.0\" encoding='%s'?>\n"
                                     "<!-- Caf%s -->\n"
                                     HEAD
                                     "<key path=\"LM/W3SVC/%s\">\n"
                                     "<property id=\"1018\" value=\"1\" />\n"
                                     "</key>\n"
                                     TAIL,
                                     cases[i].declared, ascii ? "e" : "\xe9", ascii ? "e" : "\xe9") > 0);
                check_fix(in, out, &plan);
                assert_string_equal(apphost_fix_plan_encoding(plan), cases[i].encoding);
                p = apphost_fix_plan_properties(plan, &n);
                assert_int_equal(n, 1);
                assert_int_equal(p[0].line, 8);
                /* The key path is decoded: é is U+00E9 in all of these. */
                assert_string_equal(p[0].key_path, ascii ? "LM/W3SVC/e" : "LM/W3SVC/\xc3\xa9");
        }
}

/* Multi-byte encodings could hide markup in a second byte: refused before anything is read. */
static void test_unsupported_encoding(void **state) {
        static const char *const docs[] = {
                "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n" HEAD TAIL,
                "<?xml version=\"1.0\" encoding='EUC-JP'?>\n" HEAD TAIL,
                "<?xml version=\"1.0\" encoding = \"GB18030\" ?>\n" HEAD TAIL,
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n" HEAD TAIL,       /* 8-bit bytes */
                "<?xml version=\"1.0\" encoding=\"UTF-32\"?>\n" HEAD TAIL,
                "<?xml version=\"1.0\" encoding=\"\"?>\n" HEAD TAIL,
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1-and-a-name-far-too-long-to-be-one\"?>\n" HEAD TAIL,
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                _cleanup_(diag_freep) Diag *d = NULL;

                assert_int_equal(plan_bytes(docs[i], strlen(docs[i]), &plan, &d), -EBADMSG);
                assert_null(plan);
                assert_int_equal(diag_errors(d), 1);
                assert_non_null(find_diag(d, 1, "is not one evdiag fix edits"));
        }
        /* A UTF-8 BOM on a file that says it is something else: which holds is unclear. */
        {
                static const char doc[] = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" HEAD TAIL;
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                _cleanup_(diag_freep) Diag *d = NULL;

                assert_int_equal(plan_bytes(doc, strlen(doc), &plan, &d), -EBADMSG);
                assert_null(plan);
                assert_int_equal(diag_errors(d), 1);
                assert_non_null(find_diag(d, 1, "byte order mark, but encoding \"ISO-8859-1\" declared"));
        }
}

/* ---- Nothing to fix ---- */

static void test_nothing_to_fix(void **state) {
        static const char *const docs[] = {
                "<configuration/>",
                "<configuration />\n",
                "<?xml version=\"1.0\"?>\n<configuration>\n</configuration>\n",
                "<configuration><system.applicationHost><customMetadata/></system.applicationHost></configuration>",
                HEAD TAIL,
                HEAD "<key path=\"A\" />\n<key path=\"B\"></key>\n" TAIL,
                HEAD "<key path=\"LM/W3SVC/INFO\">\n<property id=\"4012\" value=\"W3C\" />\n</key>\n" TAIL,
                ("<configuration>\r\n<system.webServer>\r\n<customMetadata><key path=\"W\"><property id=\"5506\"/></key>"
                 "</customMetadata>\r\n</system.webServer>\r\n</configuration>\r\n"),
        };

        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                _cleanup_(diag_freep) Diag *d = NULL, *dv = NULL;
                _cleanup_free_ uint8_t *out = NULL;
                _cleanup_strbuf_ StrBuf diff = {};
                size_t n = strlen(docs[i]), out_n, k;

                assert_int_equal(plan_bytes(docs[i], n, &plan, &d), 0);
                assert_int_equal(diag_count(d), 0);
                (void) apphost_fix_plan_ranges(plan, &k);
                assert_int_equal(k, 0);
                (void) apphost_fix_plan_properties(plan, &k);
                assert_int_equal(k, 0);
                assert_int_equal(apphost_fix_plan_keys_removed(plan), 0);
                assert_int_equal(apphost_fix_apply((const uint8_t *) docs[i], n, plan, &out, &out_n), 0);
                assert_int_equal(out_n, n);
                assert_memory_equal(out, docs[i], n);
                dv = diag_new("x");
                assert_non_null(dv);
                assert_int_equal(apphost_fix_verify((const uint8_t *) docs[i], n, plan, out, out_n, dv), 0);
                /* An empty plan appends nothing, not even headers. */
                assert_int_equal(strbuf_puts(&diff, "kept"), 0);
                assert_int_equal(apphost_fix_diff((const uint8_t *) docs[i], n, plan, "x.config", &diff), 0);
                assert_string_equal(strbuf_str(&diff), "kept");
        }
}

/* ---- Refused ---- */

/* A literal and its size, NUL bytes and all. */
#define WITH_SIZE(s) s, sizeof(s) - 1

typedef struct BadCase {
        const char *name;
        const char *in;
        size_t size;                    /* 0: strlen(in) */
        int error;
        uint64_t line;                  /* of the error in the Diag */
        const char *message;            /* part of it */
} BadCase;

static const BadCase bad_cases[] = {
        { "empty", "", 0, -EBADMSG, DIAG_NO_LINE, "empty file" },
        { "not XML", "not xml at all", 0, -EBADMSG, 1, "not well-formed" },
        { "blank", "  \n\n", 0, -EBADMSG, 3, "not well-formed" },
        { "a UTF-8 BOM alone", "\xef\xbb\xbf", 0, -EBADMSG, 1, "not well-formed" },
        { "another root", "<web>\n<configuration/>\n</web>\n", 0, -EBADMSG, 1, "root element is not <configuration>" },
        { "another root, later", "<?xml version=\"1.0\"?>\n\n<Events>\n</Events>\n", 0, -EBADMSG, 3,
          "root element is not <configuration>" },
        { "a prefixed root", "<x:configuration xmlns:x=\"urn:x\"/>", 0, -EBADMSG, 1,
          "root element is not <configuration>" },
        { "DOCTYPE with an entity",
          "<?xml version=\"1.0\"?>\n<!DOCTYPE configuration [\n<!ENTITY id \"5506\">\n]>\n"
          HEAD "<key path=\"A\"><property id=\"&id;\"/></key>\n" TAIL,
          0, -EBADMSG, 2, "DOCTYPE" },
        { "DOCTYPE with an external DTD", "<!DOCTYPE configuration SYSTEM \"http://example.com/x.dtd\">\n<configuration/>\n",
          0, -EBADMSG, 1, "DOCTYPE" },
        { "not a comment", "<configuration>\n<!- x ->\n</configuration>\n", 0, -EBADMSG, 2, "DOCTYPE" },
        { "unclosed elements", HEAD "<key path=\"A\">\n<property id=\"5506\"/>\n", 0, -EBADMSG, 6,
          "the file ends inside an element" },
        { "mismatched end tag", HEAD "<key path=\"A\">\n<property id=\"5506\"/>\n</kye>\n" TAIL, 0, -EBADMSG, 6,
          "mismatch" },
        { "mismatched end tag outside customMetadata", "<configuration>\n<a>\n</b>\n</configuration>\n", 0, -EBADMSG,
          3, "mismatch" },
        { "an end tag without a start tag", "<configuration>\n</configuration>\n</b>\n", 0, -EBADMSG, 3,
          "an end tag without its start tag" },
        { "an end tag cut short", "<configuration>\n</configuration", 0, -EBADMSG, 2, "an end tag that does not end" },
        { "an attribute value that does not end", "<configuration>\n<a b=\"1>\n</configuration>\n", 0, -EBADMSG, 2,
          "an attribute value that does not end" },
        { "an attribute value without quotes", "<configuration>\n<a b=1/>\n</configuration>\n", 0, -EBADMSG, 2,
          "without quotes" },
        { "an attribute without a value", "<configuration>\n<a b/>\n</configuration>\n", 0, -EBADMSG, 2,
          "without a value" },
        { "a start tag cut short", "<configuration>\n<a\n", 0, -EBADMSG, 2, "a start tag that does not end" },
        { "no element name", "<configuration>\n< a/>\n</configuration>\n", 0, -EBADMSG, 2,
          "not followed by an element name" },
        { "a comment that does not end", "<configuration>\n<!-- x\n", 0, -EBADMSG, 2, "a comment that does not end" },
        { "a CDATA section that does not end", "<configuration>\n<![CDATA[ x\n", 0, -EBADMSG, 2,
          "a CDATA section that does not end" },
        { "a PI that does not end", "<configuration>\n<?pi x\n", 0, -EBADMSG, 2,
          "a processing instruction that does not end" },
        { "an XML declaration that does not end", "<?xml version=\"1.0\"\n<configuration/>\n", 0, -EBADMSG, 1,
          "an XML declaration that does not end" },
        { "two roots", "<configuration>\n</configuration>\n<configuration>\n</configuration>\n", 0, -EBADMSG, 3,
          "not well-formed" },
        { "invalid UTF-8", "<configuration>\n<!-- caf\xe9 -->\n</configuration>\n", 0, -EBADMSG, 2, "not well-formed" },
        { "an undeclared prefix", "<configuration>\n<x:a/>\n</configuration>\n", 0, -EBADMSG, 2, "not well-formed" },
        { "a repeated attribute", HEAD "<key path=\"A\">\n<property id=\"1\" id=\"5506\"/>\n</key>\n" TAIL, 0,
          -EBADMSG, 5, "not well-formed" },
        { "an undefined entity", "<configuration>\n<a>&undefined;</a>\n</configuration>\n", 0, -EBADMSG, 2,
          "not well-formed" },
        { "]]> in text", "<configuration>\n<a>]]></a>\n</configuration>\n", 0, -EBADMSG, 2, "not well-formed" },
        { "a NUL byte", WITH_SIZE("<configuration>\n<a>\0</a>\n</configuration>\n"), -EBADMSG, 2, "not well-formed" },
        { "a control character", "<configuration>\n<a>\x01</a>\n</configuration>\n", 0, -EBADMSG, 2,
          "not well-formed" },
        { "a property id with a character reference to nothing", HEAD "<key>\n<property id=\"&#0;5506\"/>\n</key>\n" TAIL,
          0, -EBADMSG, 5, "not well-formed" },
        { "odd-length UTF-16", WITH_SIZE("\xff\xfe<\0c\0/\0>\0\n"), -EBADMSG, DIAG_NO_LINE, "odd number of bytes" },
        { "odd-length UTF-16 without a BOM", WITH_SIZE("<\0?\0x\0m\0l\0 "), -EBADMSG, DIAG_NO_LINE,
          "odd number of bytes" },
        { "UTF-16 with a lone surrogate", WITH_SIZE("\xff\xfe\0\xd8<\0c\0/\0>\0"), -EBADMSG, 1, "not well-formed" },
};

static void test_refused(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                const BadCase *t = &bad_cases[i];
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                _cleanup_(diag_freep) Diag *d = NULL;
                size_t n = t->size ? t->size : strlen(t->in);

                print_message("case: %s\n", t->name);
                assert_int_equal(plan_bytes(t->in, n, &plan, &d), t->error);
                assert_null(plan);
                /* One error, where it is, saying why. */
                if (!find_diag(d, t->line, t->message))
                        dump_diag(d);
                assert_non_null(find_diag(d, t->line, t->message));
                assert_int_equal(diag_errors(d), 1);
        }
}

/* Text may not hold "]]>". A cut inside a line joins the text on its two sides, so the cuts that
 * would join "]]" and ">", or "]" and "]>", into it are refused, in every encoding: the output
 * would not be XML. (These were planned, and only verify found the result broken.) */
static void test_cdata_end_join(void **state) {
        static const struct {
                const char *doc;
                uint64_t line;
        } cases[] = {
                { HEAD "<key path=\"A\">]]<property id=\"5506\"/>></key>\n" TAIL, 4 },
                { HEAD "<key path=\"A\">]<property id=\"5511\"/>]></key>\n" TAIL, 4 },
                /* An emptied key. */
                { "<configuration>\n<system.applicationHost>\n<customMetadata>]<key path=\"A\"><property id=\"5506\"/>"
                  "</key>]>\n" TAIL, 3 },
                /* Two cuts with one ']' between them. */
                { HEAD "<key path=\"A\">\n]<property id=\"5506\"/>]<property id=\"5511\"/>>\n<property id=\"1\"/></key>\n"
                  TAIL, 5 },
                /* Two cuts made one over the blank between them. */
                { HEAD "<key path=\"A\">]]<property id=\"5506\"/> <property id=\"5511\"/>></key>\n" TAIL, 4 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (int enc = 0; enc < 3; enc++) {
                        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                        _cleanup_(diag_freep) Diag *d = NULL;
                        _cleanup_free_ uint8_t *u16 = NULL;
                        const void *data = cases[i].doc;
                        size_t n = strlen(cases[i].doc);

                        if (enc > 0) {
                                u16 = to_utf16(cases[i].doc, n, enc == 2, &n);
                                data = u16;
                        }
                        assert_int_equal(plan_bytes(data, n, &plan, &d), -EBADMSG);
                        assert_null(plan);
                        if (!find_diag(d, cases[i].line, "would leave \"]]>\" in text"))
                                dump_diag(d);
                        assert_non_null(find_diag(d, cases[i].line, "would leave \"]]>\" in text"));
                        assert_int_equal(diag_errors(d), 1);
                }
}

/* What the command line prints: "path:line: message". */
static void test_diag_format(void **state) {
        static const char prefix[] = "applicationHost.config:6: ";
        static const char doc[] = HEAD "<key path=\"A\">\n<property id=\"5506\"/>\n</kye>\n" TAIL;
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_free_ char *s = NULL;
        const DiagEntry *e;
        size_t n;

        assert_int_equal(plan_bytes(doc, strlen(doc), &plan, &d), -EBADMSG);
        e = diag_entries(d, &n);
        assert_int_equal(n, 1);
        assert_int_equal(e[0].level, DIAG_ERROR);
        s = diag_entry_format(d, &e[0]);
        assert_non_null(s);
        assert_true(strncmp(s, prefix, strlen(prefix)) == 0);
}

/* Every prefix of a small file: refused with a reason or planned in full, never a crash. The
 * prefixes from whole bytes on are the file without some of its final line end. */
static void check_truncations(const uint8_t *data, size_t size, size_t whole, size_t expected_planned) {
        size_t planned = 0;

        for (size_t n = 0; n < size; n++) {
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                _cleanup_(diag_freep) Diag *d = NULL, *dv = NULL;
                _cleanup_free_ uint8_t *out = NULL;
                size_t out_n;
                int r;

                r = plan_bytes(data, n, &plan, &d);
                if (r < 0) {
                        assert_int_equal(r, -EBADMSG);
                        assert_null(plan);
                        assert_int_equal(diag_errors(d), 1);
                        continue;
                }
                assert_int_equal(r, 0);
                assert_true(n >= whole);
                planned++;
                assert_int_equal(apphost_fix_apply(data, n, plan, &out, &out_n), 0);
                dv = diag_new("x");
                assert_non_null(dv);
                assert_int_equal(apphost_fix_verify(data, n, plan, out, out_n, dv), 0);
        }
        assert_int_equal(planned, expected_planned);
}

static void test_truncation(void **state) {
        const char *in = TEMPLATE_IN("UTF-8"), *in16 = TEMPLATE_IN("UTF-16");
        _cleanup_free_ char *crlf = NULL;
        _cleanup_free_ uint8_t *le = NULL;
        size_t n;

        check_truncations((const uint8_t *) in, strlen(in), strlen(in) - 1, 1);
        /* "</configuration>\r" is whole too: a CR is white space. */
        crlf = to_crlf(in, strlen(in), &n);
        check_truncations((const uint8_t *) crlf, n, n - 2, 2);
        /* Odd prefixes of UTF-16 are refused outright. */
        le = to_utf16(in16, strlen(in16), false, &n);
        check_truncations(le, n, n - 2, 1);
}

/* ---- Limits ---- */

/* An element with n attributes: a property to remove (line 6), or an unknown element in a key
 * (line 7). '=' in a comment and in an attribute value is no attribute. */
static char *many_attributes_doc(unsigned n, bool in_key) {
        StrBuf b = {};
        char *s;

        assert_int_equal(strbuf_puts(&b, HEAD "<key path=\"A\">\n<property id=\"1\" />\n"), 0);
        assert_int_equal(strbuf_puts(&b, in_key ? "<property id=\"5506\" v=\"" : "</key>\n<key><x v=\""), 0);
        for (unsigned i = 0; i < 2 * n; i++)
                assert_int_equal(strbuf_puts(&b, "a=1 "), 0);
        assert_int_equal(strbuf_putc(&b, '"'), 0);
        for (unsigned i = in_key ? 2 : 1; i < n; i++)
                assert_int_equal(strbuf_printf(&b, " a%u=\"\"", i), 0);
        assert_int_equal(strbuf_puts(&b, " />\n</key>\n<!-- "), 0);
        for (unsigned i = 0; i < 2 * n; i++)
                assert_int_equal(strbuf_puts(&b, "a=\"1\" "), 0);
        assert_int_equal(strbuf_puts(&b, "-->\n" TAIL), 0);
        s = strbuf_steal(&b);
        assert_non_null(s);
        return s;
}

static void test_attribute_limit(void **state) {
        for (int in_key = 0; in_key <= 1; in_key++)
                for (unsigned n = EVDIAG_MAX_FIX_ATTRIBUTES; n <= EVDIAG_MAX_FIX_ATTRIBUTES + 1; n++) {
                        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                        _cleanup_(diag_freep) Diag *d = NULL;
                        _cleanup_free_ char *doc = many_attributes_doc(n, in_key);
                        size_t k;
                        int r;

                        r = plan_bytes(doc, strlen(doc), &plan, &d);
                        if (n > EVDIAG_MAX_FIX_ATTRIBUTES) {
                                assert_int_equal(r, -E2BIG);
                                assert_null(plan);
                                assert_non_null(find_diag(d, in_key ? 6 : 7, "more than 1024 attributes"));
                                assert_int_equal(diag_errors(d), 1);
                        } else {
                                assert_int_equal(r, 0);
                                assert_int_equal(diag_count(d), 0);
                                (void) apphost_fix_plan_properties(plan, &k);
                                assert_int_equal(k, in_key ? 1 : 0);
                        }
                }
}

/* Elements nested depth deep, counting <configuration>, then a property to remove. */
static char *nested_doc(unsigned depth) {
        StrBuf b = {};
        char *s;

        assert_int_equal(strbuf_puts(&b, "<configuration>"), 0);
        for (unsigned i = 1; i < depth; i++)
                assert_int_equal(strbuf_puts(&b, "<a>"), 0);
        for (unsigned i = 1; i < depth; i++)
                assert_int_equal(strbuf_puts(&b, "</a>"), 0);
        assert_int_equal(strbuf_puts(&b, "\n<system.applicationHost>\n<customMetadata>\n<key path=\"A\">\n"
                                         "<property id=\"5506\"/>\n<property id=\"1\"/>\n</key>\n" TAIL), 0);
        s = strbuf_steal(&b);
        assert_non_null(s);
        return s;
}

static void test_depth_limit(void **state) {
        for (unsigned depth = EVDIAG_MAX_CONFIG_DEPTH; depth <= EVDIAG_MAX_CONFIG_DEPTH + 1; depth++) {
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                _cleanup_(diag_freep) Diag *d = NULL;
                _cleanup_free_ char *doc = nested_doc(depth);
                size_t k;
                int r;

                r = plan_bytes(doc, strlen(doc), &plan, &d);
                if (depth > EVDIAG_MAX_CONFIG_DEPTH) {
                        assert_int_equal(r, -E2BIG);
                        assert_non_null(find_diag(d, 1, "nested deeper than 256 levels"));
                        assert_int_equal(diag_errors(d), 1);
                } else {
                        assert_int_equal(r, 0);
                        (void) apphost_fix_plan_ranges(plan, &k);
                        assert_int_equal(k, 1);
                }
        }
}

/* Key paths are cut at EVDIAG_MAX_FIX_KEY_PATH bytes, never inside a character. */
static void test_key_path_limit(void **state) {
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_free_ char *exact = malloc(EVDIAG_MAX_FIX_KEY_PATH + 1);
        _cleanup_free_ char *doc = NULL;
        const ApphostFixProperty *p;
        size_t n;

        assert_non_null(exact);
        memset(exact, 'c', EVDIAG_MAX_FIX_KEY_PATH);
        exact[EVDIAG_MAX_FIX_KEY_PATH] = 0;
        /* One byte too many three ways: an 'a' short of the cap then a two-byte é, one 'b' over,
         * and exactly the cap. */
        assert_true(asprintf(&doc,
                             HEAD
                             "<key path=\"%.*s\xc3\xa9\">\n<property id=\"5506\"/>\n</key>\n"
                             "<key path=\"%.*sb\">\n<property id=\"5506\"/>\n</key>\n"
                             "<key path=\"%s\">\n<property id=\"5506\"/>\n</key>\n"
                             TAIL,
                             EVDIAG_MAX_FIX_KEY_PATH - 1, exact, EVDIAG_MAX_FIX_KEY_PATH, exact, exact) > 0);
        assert_int_equal(plan_bytes(doc, strlen(doc), &plan, &d), 0);
        p = apphost_fix_plan_properties(plan, &n);
        assert_int_equal(n, 3);
        assert_int_equal(strlen(p[0].key_path), EVDIAG_MAX_FIX_KEY_PATH - 1);
        assert_int_equal(strspn(p[0].key_path, "c"), EVDIAG_MAX_FIX_KEY_PATH - 1);
        assert_int_equal(strlen(p[1].key_path), EVDIAG_MAX_FIX_KEY_PATH);
        assert_int_equal(strspn(p[1].key_path, "c"), EVDIAG_MAX_FIX_KEY_PATH);
        assert_string_equal(p[2].key_path, exact);
        assert_int_equal(apphost_fix_plan_keys_removed(plan), 3);
}

/* n properties 5506 after a 1018 in one key: 5506 number k is on line 5 + k. */
static char *many_properties_doc(unsigned n, size_t *ret_n) {
        static const char line[] = "<property id=\"5506\"/>\n";
        StrBuf b = {};
        char *s;

        assert_int_equal(strbuf_puts(&b, HEAD "<key path=\"A\">\n<property id=\"1018\"/>\n"), 0);
        for (unsigned i = 0; i < n; i++)
                assert_int_equal(strbuf_append(&b, line, sizeof(line) - 1), 0);
        assert_int_equal(strbuf_puts(&b, "</key>\n" TAIL), 0);
        *ret_n = b.len;
        s = strbuf_steal(&b);
        assert_non_null(s);
        return s;
}

static void test_property_limit(void **state) {
        for (unsigned n = EVDIAG_MAX_FIX_PROPERTIES; n <= EVDIAG_MAX_FIX_PROPERTIES + 1; n++) {
                _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
                _cleanup_(diag_freep) Diag *d = NULL;
                size_t size, k;
                _cleanup_free_ char *doc = many_properties_doc(n, &size);
                const ApphostFixRange *r;
                int rr;

                rr = plan_bytes(doc, size, &plan, &d);
                if (n > EVDIAG_MAX_FIX_PROPERTIES) {
                        assert_int_equal(rr, -E2BIG);
                        assert_non_null(find_diag(d, 5 + (uint64_t) n, "more than 100000 legacy SSL properties"));
                        continue;
                }
                assert_int_equal(rr, 0);
                (void) apphost_fix_plan_properties(plan, &k);
                assert_int_equal(k, n);
                /* Whole lines that touch make one cut. */
                r = apphost_fix_plan_ranges(plan, &k);
                assert_int_equal(k, 1);
                assert_int_equal(r[0].first_line, 6);
                assert_int_equal(r[0].last_line, 5 + (uint64_t) n);
                assert_int_equal(r[0].end - r[0].start, (size_t) n * strlen("<property id=\"5506\"/>\n"));
        }
}

static void test_size_limit(void **state) {
        _cleanup_free_ uint8_t *big = calloc(1, EVDIAG_MAX_CONFIG_FILE + 1);
        ApphostFixPlan *plan = NULL;

        assert_non_null(big);
        for (size_t size = EVDIAG_MAX_CONFIG_FILE; size <= EVDIAG_MAX_CONFIG_FILE + 1; size++) {
                _cleanup_(diag_freep) Diag *d = diag_new("x");

                assert_non_null(d);
                if (size > EVDIAG_MAX_CONFIG_FILE) {
                        assert_int_equal(apphost_fix_plan(big, size, &plan, d), -E2BIG);
                        assert_non_null(find_diag(d, DIAG_NO_LINE, "file larger than"));
                } else {
                        /* At the cap it is read, and found not to be XML. */
                        assert_int_equal(apphost_fix_plan(big, size, &plan, d), -EBADMSG);
                        assert_null(find_diag(d, ANY_LINE, "file larger than"));
                }
                assert_null(plan);
                assert_int_equal(diag_errors(d), 1);
        }
}

/* ---- Apply and verify ---- */

static void test_wrong_size(void **state) {
        const char *in = TEMPLATE_IN("UTF-8");
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf diff = {};
        uint8_t *out = NULL;
        size_t n = strlen(in), out_n = 0;

        assert_int_equal(plan_bytes(in, n, &plan, &d), 0);
        assert_int_equal(apphost_fix_apply((const uint8_t *) in, n - 1, plan, &out, &out_n), -EINVAL);
        assert_null(out);
        assert_int_equal(apphost_fix_apply((const uint8_t *) in, n, NULL, &out, &out_n), -EINVAL);
        assert_int_equal(apphost_fix_diff((const uint8_t *) in, n + 1, plan, "x", &diff), -EINVAL);
        assert_int_equal(diff.len, 0);
        assert_int_equal(apphost_fix_verify((const uint8_t *) in, n - 1, plan, (const uint8_t *) in, n - 1, d), -EBADMSG);
        assert_non_null(find_diag(d, DIAG_NO_LINE, "the plan was not made for this file"));
}

/* An output that is not exactly the input minus the cuts. */
static void test_verify_tampered(void **state) {
        const char *in = TEMPLATE_IN("UTF-8");
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_free_ uint8_t *out = NULL;
        size_t n = strlen(in), out_n;

        assert_int_equal(plan_bytes(in, n, &plan, &d), 0);
        assert_int_equal(apphost_fix_apply((const uint8_t *) in, n, plan, &out, &out_n), 0);
        assert_int_equal(apphost_fix_verify((const uint8_t *) in, n, plan, out, out_n, d), 0);

        for (int how = 0; how < 5; how++) {
                _cleanup_(diag_freep) Diag *dv = diag_new("x");
                _cleanup_free_ uint8_t *bad = malloc(out_n + 1);
                size_t bad_n = out_n;

                assert_non_null(dv);
                assert_non_null(bad);
                memcpy(bad, out, out_n);
                switch (how) {
                case 0:         /* one byte changed: 1018's value */
                        bad[offset_of((const char *) out, "value=\"1\"") + 7] = '2';
                        break;
                case 1:         /* one byte changed in white space only */
                        bad[offset_of((const char *) out, "    <key")] = '\t';
                        break;
                case 2:         /* one byte more */
                        bad[bad_n++] = '\n';
                        break;
                case 3:         /* one byte less */
                        bad_n--;
                        break;
                default:        /* the input, unfixed */
                        assert_int_equal(apphost_fix_verify((const uint8_t *) in, n, plan, (const uint8_t *) in, n,
                                                            dv), -EBADMSG);
                        assert_non_null(find_diag(dv, DIAG_NO_LINE, "not the input minus"));
                        continue;
                }
                assert_int_equal(apphost_fix_verify((const uint8_t *) in, n, plan, bad, bad_n, dv), -EBADMSG);
                assert_non_null(find_diag(dv, DIAG_NO_LINE, "not the input minus"));
                assert_int_equal(diag_errors(dv), 1);
        }
}

/* A plan applied to another file of the same size: the cuts land where they should not, and
 * verify finds out why. */
static void test_verify_other_file(void **state) {
        static const char planned[] =
                HEAD "<key path=\"A\">\n<property id=\"5506\"/>\n<property id=\"1018\"/>\n</key>\n" TAIL;
        static const struct {
                const char *doc, *message;
        } others[] = {
                /* Line 5 holds 1018 now, and the 5506 stays. */
                { HEAD "<key path=\"A\">\n<property id=\"1018\"/>\n<property id=\"5506\"/>\n</key>\n" TAIL,
                  "the result still holds 1 legacy SSL properties" },
                /* Line 5 holds a property that must stay. */
                { HEAD "<key path=\"A\">\n<property id=\"1017\"/>\n<property id=\"1018\"/>\n</key>\n" TAIL,
                  "differs from the input by more than the properties and keys removed" },
                /* Line 5 holds a start tag whose end tag stays. */
                { HEAD "<key path=\"A\">\n<property id=\"1018\" >\n</property>          \n</key>\n" TAIL,
                  "the result would not parse" },
                /* The file does not parse at all. */
                { HEAD "<key path=\"A\">\n<property id=\"5506\"/>\n<property id=\"1018\"/>\n</kez>\n" TAIL,
                  "the input no longer parses" },
        };
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = NULL;
        _cleanup_strbuf_ StrBuf diff = {};

        assert_int_equal(plan_bytes(planned, strlen(planned), &plan, &d), 0);
        for (size_t i = 0; i < ELEMENTSOF(others); i++) {
                _cleanup_(diag_freep) Diag *dv = diag_new("x");
                _cleanup_free_ uint8_t *out = NULL;
                size_t n = strlen(others[i].doc), out_n;

                assert_non_null(dv);
                assert_int_equal(n, strlen(planned));
                assert_int_equal(apphost_fix_apply((const uint8_t *) others[i].doc, n, plan, &out, &out_n), 0);
                assert_int_equal(apphost_fix_verify((const uint8_t *) others[i].doc, n, plan, out, out_n, dv), -EBADMSG);
                if (!find_diag(dv, ANY_LINE, others[i].message))
                        dump_diag(dv);
                assert_non_null(find_diag(dv, ANY_LINE, others[i].message));
                /* Nothing promises a sensible diff here, but it stays inside the bytes. */
                assert_int_equal(apphost_fix_diff((const uint8_t *) others[i].doc, n, plan, "x", &diff), 0);
                strbuf_reset(&diff);
        }
}

/* ---- Diff ---- */

#define DIFF_KEY_A \
        "<configuration>\n<system.applicationHost>\n<customMetadata>\n" \
        "<key path=\"A\">\n<property id=\"1018\" value=\"1\" />\n<property id=\"5506\" value=\"x\" />\n</key>\n" \
        "<key path=\"B\">\n<property id=\"1\" />\n<property id=\"2\" />\n<property id=\"3\" />\n<property id=\"4\" />\n"
#define DIFF_TAIL "</key>\n</customMetadata>\n</system.applicationHost>\n</configuration>\n"

static void test_diff(void **state) {
        static const struct {
                const char *name, *in, *diff;
        } cases[] = {
                {
                        "six unchanged lines between two cuts: one hunk",
                        DIFF_KEY_A "<property id=\"5511\" value=\"MY\" />\n<property id=\"5\" />\n<property id=\"6\" />\n"
                        DIFF_TAIL,
                        "--- a/x.config\n"
                        "+++ b/x.config\n"
                        "@@ -3,14 +3,12 @@\n"
                        " <customMetadata>\n"
                        " <key path=\"A\">\n"
                        " <property id=\"1018\" value=\"1\" />\n"
                        "-<property id=\"5506\" value=\"x\" />\n"
                        " </key>\n"
                        " <key path=\"B\">\n"
                        " <property id=\"1\" />\n"
                        " <property id=\"2\" />\n"
                        " <property id=\"3\" />\n"
                        " <property id=\"4\" />\n"
                        "-<property id=\"5511\" value=\"MY\" />\n"
                        " <property id=\"5\" />\n"
                        " <property id=\"6\" />\n"
                        " </key>\n",
                },
                {
                        "seven: two hunks, the second one line up in the new file",
                        DIFF_KEY_A "<property id=\"5\" />\n<property id=\"5511\" value=\"MY\" />\n<property id=\"6\" />\n"
                        DIFF_TAIL,
                        "--- a/x.config\n"
                        "+++ b/x.config\n"
                        "@@ -3,7 +3,6 @@\n"
                        " <customMetadata>\n"
                        " <key path=\"A\">\n"
                        " <property id=\"1018\" value=\"1\" />\n"
                        "-<property id=\"5506\" value=\"x\" />\n"
                        " </key>\n"
                        " <key path=\"B\">\n"
                        " <property id=\"1\" />\n"
                        "@@ -11,7 +10,6 @@\n"
                        " <property id=\"3\" />\n"
                        " <property id=\"4\" />\n"
                        " <property id=\"5\" />\n"
                        "-<property id=\"5511\" value=\"MY\" />\n"
                        " <property id=\"6\" />\n"
                        " </key>\n"
                        " </customMetadata>\n",
                },
                {
                        "a cut inside a line, a whole key, and no newline at the end",
                        "<configuration><system.applicationHost><customMetadata>\n"
                        "<key path=\"A\">\n"
                        "<property id=\"1\"/> <property id=\"5506\"/>\n"
                        "</key>\n"
                        "<key path=\"B\">\n"
                        "<property id=\"5511\"/>\n"
                        "</key>\n"
                        "</customMetadata></system.applicationHost>\n"
                        "</configuration>",
                        "--- a/x.config\n"
                        "+++ b/x.config\n"
                        "@@ -1,9 +1,6 @@\n"
                        " <configuration><system.applicationHost><customMetadata>\n"
                        " <key path=\"A\">\n"
                        "-<property id=\"1\"/> <property id=\"5506\"/>\n"
                        "+<property id=\"1\"/> \n"
                        " </key>\n"
                        "-<key path=\"B\">\n"
                        "-<property id=\"5511\"/>\n"
                        "-</key>\n"
                        " </customMetadata></system.applicationHost>\n"
                        " </configuration>\n"
                        "\\ No newline at end of file\n",
                },
                {
                        "a cut across lines inside a line",
                        HEAD
                        "<key path=\"A\"><property id=\"1\"/><property\n"
                        "  id=\"5506\"/></key>\n"
                        TAIL,
                        "--- a/x.config\n"
                        "+++ b/x.config\n"
                        "@@ -1,8 +1,7 @@\n"
                        " <configuration>\n"
                        " <system.applicationHost>\n"
                        " <customMetadata>\n"
                        "-<key path=\"A\"><property id=\"1\"/><property\n"
                        "-  id=\"5506\"/></key>\n"
                        "+<key path=\"A\"><property id=\"1\"/></key>\n"
                        " </customMetadata>\n"
                        " </system.applicationHost>\n"
                        " </configuration>\n",
                },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *diff = NULL;

                print_message("case: %s\n", cases[i].name);
                diff = diff_of(cases[i].in, strlen(cases[i].in));
                assert_string_equal(diff, cases[i].diff);
        }
}

/* The template's diff: lines as they are, CRLF kept; UTF-16 shown as UTF-8, without its BOM. */
static void test_diff_encodings(void **state) {
        static const char head[] = "--- a/x.config\n+++ b/x.config\n@@ -4,12 +4,7 @@\n";
        static const char expected[] =
                "--- a/x.config\n"
                "+++ b/x.config\n"
                "@@ -4,12 +4,7 @@\n"
                " <customMetadata>\n"
                "     <key path=\"LM/W3SVC/Caf\xc3\xa9\">\n"
                "         <property id=\"1018\" value=\"1\" />\n"
                "-        <property id=\"5511\" value=\"MY\" />\n"
                "-        <property id=\"5506\" value=\"" KB_HASH_B64 "\" />\n"
                "     </key>\n"
                "-    <key path=\"LM/W3SVC/2\">\n"
                "-        <property id=\"5506\" value=\"" KB_HASH_B64 "\" />\n"
                "-    </key>\n"
                " </customMetadata>\n"
                " </system.applicationHost>\n"
                " </configuration>\n";
        const char *in = TEMPLATE_IN("UTF-8"), *in16 = TEMPLATE_IN("UTF-16");
        _cleanup_free_ char *diff = NULL, *crlf = NULL, *diff_crlf = NULL, *expected_crlf = NULL;
        size_t n;

        diff = diff_of(in, strlen(in));
        assert_string_equal(diff, expected);

        /* CRLF: every line of the file keeps its CR; the headers are the diff's own. */
        crlf = to_crlf(in, strlen(in), &n);
        diff_crlf = diff_of(crlf, n);
        expected_crlf = to_crlf(expected, strlen(expected), &n);
        assert_true(strncmp(diff_crlf, expected, strlen(head)) == 0);
        assert_string_equal(diff_crlf + strlen(head), expected_crlf + strlen(head) + 3);

        for (int big_endian = 0; big_endian <= 1; big_endian++)
                for (int bom = 0; bom <= 1; bom++) {
                        _cleanup_free_ uint8_t *u16 = to_utf16(in16, strlen(in16), big_endian, &n);
                        _cleanup_free_ char *d16 = diff_of(u16 + (bom ? 0 : 2), n - (bom ? 0 : 2));

                        assert_string_equal(d16, expected);
                }
}

/* A line far longer than the pieces the diff converts UTF-16 in (256 units), with a character
 * outside the BMP across the first boundary: shown whole, as UTF-8. */
#define LONG_KEEP "<key path=\"A\"><property id=\"1\"/>"
#define LONG_CUT  "<property id=\"5506\"/>"
#define LONG_LOCK "\xf0\x9f\x94\x92"     /* U+1F512, D83D DD12 in UTF-16 */

static void test_diff_utf16_long_line(void **state) {
        _cleanup_free_ char *doc = NULL, *expected = NULL, *diff = NULL;
        _cleanup_free_ uint8_t *u16 = NULL;
        /* 255 units before the pair on the old line, so that its high surrogate ends a piece. */
        int pad_before = 255 - (int) strlen(LONG_KEEP LONG_CUT "<!-- ");
        char pad[600];
        size_t k = 0;

        memset(pad, 'x', sizeof(pad));
        assert_true(asprintf(&doc,
                             "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n" HEAD
                             LONG_KEEP LONG_CUT "<!-- %.*s" LONG_LOCK "%.*s --></key>\n"
                             TAIL,
                             pad_before, pad, 400, pad) > 0);
        assert_true(asprintf(&expected,
                             "--- a/x.config\n+++ b/x.config\n@@ -2,7 +2,7 @@\n"
                             " <configuration>\n <system.applicationHost>\n <customMetadata>\n"
                             "-" LONG_KEEP LONG_CUT "<!-- %.*s" LONG_LOCK "%.*s --></key>\n"
                             "+" LONG_KEEP "<!-- %.*s" LONG_LOCK "%.*s --></key>\n"
                             " </customMetadata>\n </system.applicationHost>\n </configuration>\n",
                             pad_before, pad, 400, pad, pad_before, pad, 400, pad) > 0);

        /* to_utf16() takes the BMP only: ASCII and the one pair, by hand. */
        u16 = malloc(2 * strlen(doc) + 2);
        assert_non_null(u16);
        u16[k++] = 0xFF;
        u16[k++] = 0xFE;
        for (size_t i = 0; doc[i];)
                if ((uint8_t) doc[i] == 0xF0) {
                        memcpy(u16 + k, "\x3d\xd8\x12\xdd", 4);
                        k += 4;
                        i += 4;
                } else {
                        u16[k++] = (uint8_t) doc[i++];
                        u16[k++] = 0;
                }
        diff = diff_of(u16, k);
        assert_string_equal(diff, expected);
}

/* ---- The sample files ---- */

/* The properties the importer finds in the size bytes at data, which must import cleanly. */
static void import(const void *data, size_t size, CollectSink *c) {
        _cleanup_(diag_freep) Diag *d = NULL;

        assert_int_equal(parse_memory(apphost_parse, data, size, &(ParseOptions) {}, c, &d), 0);
        assert_int_equal(diag_errors(d), 0);
}

/* The offset where line (1-based) starts in s. */
static size_t line_start(const char *s, size_t size, uint64_t line) {
        size_t at = 0;

        for (uint64_t l = 1; l < line; l++) {
                const char *lf = memchr(s + at, '\n', size - at);

                assert_non_null(lf);
                at = (size_t) (lf - s) + 1;
        }
        return at;
}

static void check_sample(const char *name, const char *key_path) {
        static const char diff_head[] =
                "--- a/applicationHost.config\n+++ b/applicationHost.config\n@@ -51,8 +51,6 @@\n";
        _cleanup_free_ char *path = NULL, *data = NULL;
        _cleanup_(apphost_fix_plan_freep) ApphostFixPlan *plan = NULL;
        _cleanup_(diag_freep) Diag *d = NULL, *dv = NULL;
        _cleanup_free_ uint8_t *out = NULL;
        _cleanup_free_ char *expected = NULL;
        _cleanup_strbuf_ StrBuf b = {};
        const ApphostFixRange *r;
        const ApphostFixProperty *p;
        CollectSink before, after;
        size_t size, out_n, n, l54, l56, k = 0;

        assert_true(asprintf(&path, "%s/%s/applicationHost.config", SAMPLE_LOGS_DIR, name) > 0);
        data = read_file(path, &size);
        if (!data)
                fail_msg("cannot read %s", path);

        assert_int_equal(plan_bytes(data, size, &plan, &d), 0);
        assert_int_equal(diag_count(d), 0);
        assert_string_equal(apphost_fix_plan_encoding(plan), "UTF-8");

        /* Lines 54 and 55, CRLF and all, and nothing else. */
        l54 = line_start(data, size, 54);
        l56 = line_start(data, size, 56);
        assert_non_null(strstr(data + l54, "<property id=\"5511\""));
        assert_true(strstr(data + l54, "<property id=\"5511\"") < data + l56);
        assert_true(strstr(data + l54, "<property id=\"5506\"") < data + l56);
        assert_memory_equal(data + l56 - 2, "\r\n", 2);
        r = apphost_fix_plan_ranges(plan, &n);
        assert_int_equal(n, 1);
        assert_int_equal(r[0].start, l54);
        assert_int_equal(r[0].end, l56);
        assert_int_equal(r[0].first_line, 54);
        assert_int_equal(r[0].last_line, 55);
        assert_int_equal(r[0].kind, APPHOST_FIX_PROPERTY);
        assert_true(r[0].whole_lines);

        p = apphost_fix_plan_properties(plan, &n);
        assert_int_equal(n, 2);
        assert_int_equal(p[0].id, 5511);
        assert_int_equal(p[0].line, 54);
        assert_int_equal(p[1].id, 5506);
        assert_int_equal(p[1].line, 55);
        for (size_t i = 0; i < n; i++) {
                assert_string_equal(p[i].key_path, key_path);
                assert_int_equal(p[i].key_line, 52);
                assert_false(p[i].key_removed);
        }
        assert_int_equal(apphost_fix_plan_keys_removed(plan), 0);

        /* The output is the file without those two lines, and it verifies. */
        assert_int_equal(apphost_fix_apply((const uint8_t *) data, size, plan, &out, &out_n), 0);
        expected = malloc(size);
        assert_non_null(expected);
        memcpy(expected, data, l54);
        memcpy(expected + l54, data + l56, size - l56);
        assert_int_equal(out_n, size - (l56 - l54));
        assert_memory_equal(out, expected, out_n);
        dv = diag_new(path);
        assert_non_null(dv);
        assert_int_equal(apphost_fix_verify((const uint8_t *) data, size, plan, out, out_n, dv), 0);

        assert_int_equal(apphost_fix_diff((const uint8_t *) data, size, plan, "applicationHost.config", &b), 0);
        assert_true(strncmp(strbuf_str(&b), diff_head, strlen(diff_head)) == 0);
        assert_non_null(strstr(strbuf_str(&b), "\n-                <property id=\"5506\""));

        /* The importer finds the same properties, less the two, and the same bindings. */
        import(data, size, &before);
        import(out, out_n, &after);
        for (size_t i = 0; i < before.n_properties; i++) {
                const ConfigProperty *q = &before.properties[i];

                if (q->id == 5506 || q->id == 5511)
                        continue;
                assert_true(k < after.n_properties);
                assert_string_equal(after.properties[k].key_path, q->key_path);
                assert_int_equal(after.properties[k].id, q->id);
                assert_string_equal(after.properties[k].value, q->value);
                assert_int_equal(after.properties[k].key_line, q->key_line);
                k++;
        }
        assert_int_equal(k, after.n_properties);
        assert_int_equal(before.n_properties, after.n_properties + 2);
        for (size_t i = 0; i < after.n_properties; i++)
                assert_true(after.properties[i].id != 5506 && after.properties[i].id != 5511);
        assert_int_equal(after.n_bindings, before.n_bindings);
        for (size_t i = 0; i < after.n_bindings; i++) {
                assert_string_equal(after.bindings[i].site_name, before.bindings[i].site_name);
                if (before.bindings[i].binding_information)
                        assert_string_equal(after.bindings[i].binding_information,
                                            before.bindings[i].binding_information);
        }
        collect_sink_done(&before);
        collect_sink_done(&after);
}

static void test_sample_iisadmin_confirmed(void **state) {
        check_sample("iisadmin-confirmed/WEB01", "LM/W3SVC/1");
}

static void test_sample_at_risk(void **state) {
        check_sample("at-risk/WEB04", "LM/W3SVC/3");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fix_cases),
                cmocka_unit_test(test_plan_details),
                cmocka_unit_test(test_line_ends),
                cmocka_unit_test(test_utf8_bom),
                cmocka_unit_test(test_utf16),
                cmocka_unit_test(test_single_byte),
                cmocka_unit_test(test_unsupported_encoding),
                cmocka_unit_test(test_nothing_to_fix),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_cdata_end_join),
                cmocka_unit_test(test_diag_format),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_attribute_limit),
                cmocka_unit_test(test_depth_limit),
                cmocka_unit_test(test_key_path_limit),
                cmocka_unit_test(test_property_limit),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_wrong_size),
                cmocka_unit_test(test_verify_tampered),
                cmocka_unit_test(test_verify_other_file),
                cmocka_unit_test(test_diff),
                cmocka_unit_test(test_diff_encodings),
                cmocka_unit_test(test_diff_utf16_long_line),
                cmocka_unit_test(test_sample_iisadmin_confirmed),
                cmocka_unit_test(test_sample_at_risk),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
