/* SPDX-License-Identifier: MIT */
/* The rule loader, its templates and the compiler, read by someone who wants them to fail.
 *
 * Loader errors are table-driven: each case puts a piece of XML into a small valid rule (or
 * gives a whole file) and marks the line the error must name with a comment: "<!--HERE-->" on
 * that line, or "<!--NEXT-->" on the line before it (for tags spread over several lines, where
 * no comment fits). The error must read "case.xml:LINE: ..." and hold the expected words. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/diag.h"
#include "base/limits.h"
#include "base/strbuf.h"
#include "rules/rule-compile.h"
#include "rules/rule.h"
#include "rules/template.h"
#include "store/store.h"

#define CASE_PATH "case.xml"

/* A valid rule with slots: each "@NAME@" is replaced by a case's piece (or nothing). */
static const char skeleton[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<rule id=\"T\" version=\"1\">\n"
        "  <title>Test rule</title>\n"
        "  <symptom>\n"
        "    <event id=\"15300\"><provider>HTTP</provider></event>\n"
        "    <capture name=\"endpoint\" extract=\"endpoint\"><field>Endpoint</field><message/></capture>\n"
        "@SYMPTOM@"
        "  </symptom>\n"
        "  <fact name=\"launch\" kind=\"event\"><event id=\"7036\"/></fact>\n"
        "  <fact name=\"config\" kind=\"config-file\"/>\n"
        "  <fact name=\"key\" kind=\"config-property\">\n"
        "    <where op=\"regex\" capture=\"site\"><column>key_path</column><value>^LM/W3SVC/([0-9]+)$</value></where>\n"
        "  </fact>\n"
        "@FACTS@"
        "  <verdict name=\"yes\" strength=\"2\" remedy=\"yes\">Why ${symptom.endpoint|none}</verdict>\n"
        "@VERDICTS@"
        "  <decide>\n"
        "    <when launch=\"yes\" verdict=\"yes\"/>\n"
        "@DECIDE@"
        "  </decide>\n"
        "@TAIL@"
        "</rule>\n";

typedef struct LoadCase {
        const char *name;
        const char *symptom, *facts, *verdicts, *decide, *tail;
        const char *whole;      /* a whole file instead of the skeleton */
        const char *message;    /* words the error must hold */
} LoadCase;

static char *build(const LoadCase *c) {
        StrBuf b = {};
        const char *p = skeleton;

        if (c->whole)
                return strdup(c->whole);
        while (*p) {
                const char *at = strchr(p, '@');
                const char *slot = NULL;
                size_t skip = 0;

                if (!at) {
                        assert_int_equal(strbuf_puts(&b, p), 0);
                        break;
                }
                assert_int_equal(strbuf_append(&b, p, (size_t) (at - p)), 0);
#define SLOT(tag, field) \
                if (strncmp(at, tag, strlen(tag)) == 0) { slot = c->field; skip = strlen(tag); }
                SLOT("@SYMPTOM@", symptom)
                else SLOT("@FACTS@", facts)
                else SLOT("@VERDICTS@", verdicts)
                else SLOT("@DECIDE@", decide)
                else SLOT("@TAIL@", tail)
                else {
                        assert_int_equal(strbuf_putc(&b, '@'), 0);
                        p = at + 1;
                        continue;
                }
#undef SLOT
                if (slot)
                        assert_int_equal(strbuf_puts(&b, slot), 0);
                p = at + skip;
        }
        return strbuf_steal(&b);
}

/* The line a case's marker names; 0 when it has none. */
static unsigned marker_line(const char *text) {
        const char *here = strstr(text, "<!--HERE-->"), *next = strstr(text, "<!--NEXT-->");
        const char *m = here ? here : next;
        unsigned line = 1;

        if (!m)
                return 0;
        for (const char *p = text; p < m; p++)
                if (*p == '\n')
                        line++;
        return here ? line : line + 1;
}

static void print_diag(const Diag *d) {
        size_t n;
        const DiagEntry *e = diag_entries(d, &n);

        for (size_t i = 0; i < n; i++) {
                char *s = diag_entry_format(d, &e[i]);

                fprintf(stderr, "    diag: %s\n", s ? s : e[i].message);
                free(s);
        }
}

/* text must be refused with "case.xml:LINE: ...message..." (LINE from its marker). */
static void expect_error(const char *name, const char *text, const char *message) {
        _cleanup_(diag_freep) Diag *d = diag_new(CASE_PATH);
        Rule *rule = NULL;
        unsigned line = marker_line(text);
        char prefix[64];
        size_t n;
        const DiagEntry *e;
        bool found = false;
        int r;

        assert_non_null(d);
        assert_true(line > 0);
        r = rule_parse(text, strlen(text), CASE_PATH, &rule, d);
        if (r != -EBADMSG) {
                fprintf(stderr, "case \"%s\": rule_parse() returned %d, wanted -EBADMSG\n", name, r);
                print_diag(d);
                rule_free(rule);
                fail();
        }
        assert_null(rule);
        snprintf(prefix, sizeof(prefix), CASE_PATH ":%u: ", line);
        e = diag_entries(d, &n);
        for (size_t i = 0; i < n && !found; i++) {
                char *s = diag_entry_format(d, &e[i]);

                assert_non_null(s);
                found = strncmp(s, prefix, strlen(prefix)) == 0 && strstr(s, message);
                free(s);
        }
        if (!found) {
                fprintf(stderr, "case \"%s\": wanted \"%s...%s...\"\n", name, prefix, message);
                print_diag(d);
                fail();
        }
}

/* text must load; returns the rule. */
static Rule *expect_load(const char *name, const char *text) {
        _cleanup_(diag_freep) Diag *d = diag_new(CASE_PATH);
        Rule *rule = NULL;
        int r;

        assert_non_null(d);
        r = rule_parse(text, strlen(text), CASE_PATH, &rule, d);
        if (r != 0) {
                fprintf(stderr, "case \"%s\": rule_parse() returned %d, wanted 0\n", name, r);
                print_diag(d);
                fail();
        }
        assert_non_null(rule);
        return rule;
}

static const LoadCase load_errors[] = {
        /* Unknown elements. */
        { "element in <rule>", .facts = "  <bogus/><!--HERE-->\n", .message = "<rule> cannot hold <bogus>" },
        { "element in <symptom>", .symptom = "    <bogus/><!--HERE-->\n", .message = "<symptom> cannot hold <bogus>" },
        { "element in <where>",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"equals\">\n"
                   "      <column>port</column><value>443</value>\n"
                   "      <bogus/><!--HERE-->\n"
                   "    </where>\n"
                   "  </fact>\n",
          .message = "<where> cannot hold <bogus>" },
        { "element among conditions",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <maybe/><!--HERE-->\n"
                   "  </event></fact>\n",
          .message = "<maybe> is not a condition" },
        { "element in an event fact",
          .facts = "  <fact name=\"e\" kind=\"event\">\n"
                   "    <where op=\"equals\"><field>x</field><value>1</value></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "an event fact holds <event> elements, not <where>" },
        { "element in <decide>", .decide = "    <otherwise verdict=\"yes\"/><!--HERE-->\n",
          .message = "<decide> holds <when> rows, not <otherwise>" },
        { "element in <capture>",
          .symptom = "    <capture name=\"other\">\n"
                     "      <field>X</field>\n"
                     "      <bogus/><!--HERE-->\n"
                     "    </capture>\n",
          .message = "<capture> cannot hold <bogus>" },
        { "element in a <value>",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>port</column>\n"
                   "    <value>4<b/>43</value><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "<value> cannot hold <b>" },

        /* Unknown attributes. */
        { "attribute on <fact>", .facts = "  <fact name=\"f\" kind=\"config-file\" colour=\"red\"/><!--HERE-->\n",
          .message = "unknown attribute \"colour\" on <fact>" },
        { "attribute on a tag over several lines",
          .facts = "  <!--NEXT-->\n"
                   "  <fact name=\"f\"\n"
                   "        kind=\"config-file\"\n"
                   "        colour=\"red\"/>\n",
          .message = "unknown attribute \"colour\" on <fact>" },
        { "attribute on <where>",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"equals\" negate=\"yes\"><column>port</column><value>443</value></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "unknown attribute \"negate\" on <where>" },
        { "attribute on <message> of a condition",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\"><where op=\"equals\">\n"
                   "    <message lable=\"Image\"/><!--HERE-->\n"
                   "    <value>x</value></where></event></fact>\n",
          .message = "unknown attribute \"lable\" on <message>" },
        { "attribute on <message> of a capture",
          .symptom = "    <capture name=\"other\">\n"
                     "      <message lable=\"Image\"/><!--HERE-->\n"
                     "    </capture>\n",
          .message = "unknown attribute \"lable\" on <message>" },
        { "attribute on <all>",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <all mode=\"strict\"><!--HERE-->\n"
                   "      <where op=\"equals\"><field>x</field><value>1</value></where>\n"
                   "    </all>\n"
                   "  </event></fact>\n",
          .message = "unknown attribute \"mode\" on <all>" },
        { "attribute on <event>",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\" level=\"2\"/></fact><!--HERE-->\n",
          .message = "unknown attribute \"level\" on <event>" },
        { "attribute on <verdict>", .verdicts = "  <verdict name=\"v\" strength=\"1\" colour=\"red\">R</verdict><!--HERE-->\n",
          .message = "unknown attribute \"colour\" on <verdict>" },
        { "attribute on <decide>",
          .tail = "  <decide-without-symptom order=\"first\"><!--HERE-->\n"
                  "    <when config=\"yes\" verdict=\"yes\"/>\n"
                  "  </decide-without-symptom>\n",
          .message = "unknown attribute \"order\" on <decide-without-symptom>" },

        /* Operators and patterns. */
        { "unknown op",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"like\"><column>port</column><value>443</value></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "unknown op \"like\"" },
        { "missing op",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where><column>port</column><value>443</value></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "<where> needs op=" },
        { "regex that does not compile",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"regex\"><column>hostname</column>\n"
                   "    <value>^www</value>\n"
                   "    <value>([a-</value><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "bad regular expression \"([a-\"" },
        { "regex with stacked repetitions",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\"><where op=\"regex\"><message/>\n"
                   "    <value>(a+)+*</value><!--HERE-->\n"
                   "  </where></event></fact>\n",
          .message = "a repetition operator follows another" },
        { "capture without regex",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"equals\" capture=\"x\"><column>port</column><value>443</value></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "capture=\"…\" needs op=\"regex\"" },
        { "capture in an event condition",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <where op=\"regex\" capture=\"x\"><message/><value>(a)</value></where><!--HERE-->\n"
                   "  </event></fact>\n",
          .message = "captures are for artifact facts, not events" },
        { "capture named like a column",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"regex\" capture=\"port\"><column>hostname</column><value>(a)</value></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "capture name \"port\" is not a free name" },
        { "capture under <any>",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><any>\n"
                   "    <where op=\"regex\" capture=\"x\"><column>hostname</column><value>(a)</value></where><!--HERE-->\n"
                   "  </any></fact>\n",
          .message = "captures must be in a top-level <where>" },
        { "capture under <all><any>",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><all><any>\n"
                   "    <where op=\"regex\" capture=\"x\"><column>hostname</column><value>(a)</value></where><!--HERE-->\n"
                   "  </any></all></fact>\n",
          .message = "captures must be in a top-level <where>" },

        /* Sources in the wrong context. */
        { "<field> in an artifact fact",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\">\n"
                   "    <field>port</field><!--HERE-->\n"
                   "    <value>443</value></where></fact>\n",
          .message = "<field> is for event conditions; use <column>" },
        { "<message> in an artifact fact",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\">\n"
                   "    <message/><!--HERE-->\n"
                   "    <value>443</value></where></fact>\n",
          .message = "<message> is for event conditions" },
        { "<binary> in an artifact fact",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\">\n"
                   "    <binary encoding=\"utf-16le\"/><!--HERE-->\n"
                   "    <value>443</value></where></fact>\n",
          .message = "<binary> is for event conditions" },
        { "<column> in an event fact",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\"><where op=\"equals\">\n"
                   "    <column>message</column><!--HERE-->\n"
                   "    <value>x</value></where></event></fact>\n",
          .message = "<column> is for artifact facts" },
        { "unknown column",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\">\n"
                   "    <column>colour</column><!--HERE-->\n"
                   "    <value>red</value></where></fact>\n",
          .message = "a site-binding fact has no column \"colour\"" },
        { "column of another kind",
          .facts = "  <fact name=\"n\" kind=\"netsh-binding\"><where op=\"equals\">\n"
                   "    <column>site_id</column><!--HERE-->\n"
                   "    <value>1</value></where></fact>\n",
          .message = "a netsh-binding fact has no column \"site_id\"" },
        { "<binary> without encoding",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\"><where op=\"equals\">\n"
                   "    <binary/><!--HERE-->\n"
                   "    <value>x</value></where></event></fact>\n",
          .message = "<binary> needs encoding=\"utf-16le\"" },
        { "<binary> of a capture without encoding",
          .symptom = "    <capture name=\"other\">\n"
                     "      <binary encoding=\"utf-8\"/><!--HERE-->\n"
                     "    </capture>\n",
          .message = "<binary> needs encoding=\"utf-16le\"" },
        { "empty <field>",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\"><where op=\"equals\">\n"
                   "    <field> </field><!--HERE-->\n"
                   "    <value>x</value></where></event></fact>\n",
          .message = "<field> needs a name" },
        { "empty <field> of a capture",
          .symptom = "    <capture name=\"other\">\n"
                     "      <field></field><!--HERE-->\n"
                     "    </capture>\n",
          .message = "<field> needs a name" },
        { "<where> without a source",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"equals\"><value>443</value></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "<where> needs at least one source" },
        { "<where> without a value",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"equals\"><column>port</column></where><!--HERE-->\n"
                   "  </fact>\n",
          .message = "<where> needs at least one <value> or <ref>" },

        /* References. */
        { "reference to an undeclared fact",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>site_id</column>\n"
                   "    <ref>nosuch.site</ref><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "\"nosuch\" is not a fact declared before this one" },
        { "reference to a later fact",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>site_id</column>\n"
                   "    <ref>later.port</ref><!--HERE-->\n"
                   "  </where></fact>\n"
                   "  <fact name=\"later\" kind=\"site-binding\"/>\n",
          .message = "\"later\" is not a fact declared before this one" },
        { "reference to itself",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>site_id</column>\n"
                   "    <ref>b.site_id</ref><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "\"b\" is not a fact declared before this one" },
        { "reference to an event fact",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>site_name</column>\n"
                   "    <ref>launch.time</ref><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "conditions cannot refer to the event fact \"launch\"" },
        { "events referring to an artifact fact",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"4688\"><where op=\"contains\"><field>CommandLine</field>\n"
                   "    <ref>key.site</ref><!--HERE-->\n"
                   "  </where></event></fact>\n",
          .message = "can refer to the symptom only, not to \"key\"" },
        { "reference to an unknown symptom capture",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"endpoint\"><column>endpoint</column>\n"
                   "    <ref>symptom.port</ref><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "the symptom has no capture \"port\"" },
        { "reference to an unknown column of a fact",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>site_id</column>\n"
                   "    <ref>key.colour</ref><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "fact \"key\" has no column or capture \"colour\"" },
        { "reference without a dot",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>site_id</column>\n"
                   "    <ref>site</ref><!--HERE-->\n"
                   "  </where></fact>\n",
          .message = "a reference is \"symptom.NAME\" or \"FACT.COLUMN\"" },
        { "regex from a reference",
          .facts = "  <fact name=\"b\" kind=\"site-binding\">\n"
                   "    <where op=\"regex\"><!--HERE-->\n"
                   "      <column>site_id</column><ref>key.site</ref>\n"
                   "    </where>\n"
                   "  </fact>\n",
          .message = "a regex cannot come from a <ref>" },
        { "symptom referring to itself",
          .symptom = "    <event id=\"15301\"><where op=\"endpoint\"><field>Endpoint</field>\n"
                     "      <ref>symptom.endpoint</ref><!--HERE-->\n"
                     "    </where></event>\n",
          .message = "the symptom cannot refer to itself" },

        /* Declarations. */
        { "duplicate fact", .facts = "  <fact name=\"config\" kind=\"config-file\"/><!--HERE-->\n",
          .message = "fact \"config\" is declared twice" },
        { "duplicate verdict", .verdicts = "  <verdict name=\"yes\" strength=\"1\">Again</verdict><!--HERE-->\n",
          .message = "verdict \"yes\" is declared twice" },
        { "duplicate capture", .symptom = "    <capture name=\"endpoint\"><message/></capture><!--HERE-->\n",
          .message = "capture \"endpoint\" is defined twice" },
        { "capture with a built-in name", .symptom = "    <capture name=\"time\"><message/></capture><!--HERE-->\n",
          .message = "\"time\" is a built-in symptom value" },
        { "capture extracting something else",
          .symptom = "    <capture name=\"ip\" extract=\"address\"><message/></capture><!--HERE-->\n",
          .message = "extract=\"address\": only \"endpoint\" is known" },
        { "capture without a source", .symptom = "    <capture name=\"other\"/><!--HERE-->\n",
          .message = "<capture> needs at least one source" },
        { "fact named symptom", .facts = "  <fact name=\"symptom\" kind=\"config-file\"/><!--HERE-->\n",
          .message = "<fact> needs a name" },
        { "fact with a bad name", .facts = "  <fact name=\"a.b\" kind=\"config-file\"/><!--HERE-->\n",
          .message = "<fact> needs a name" },
        { "fact of an unknown kind", .facts = "  <fact name=\"f\" kind=\"registry\"/><!--HERE-->\n",
          .message = "<fact> needs kind=" },
        { "event fact without events", .facts = "  <fact name=\"f\" kind=\"event\"/><!--HERE-->\n",
          .message = "an event fact needs at least one <event>" },
        { "symptom event with a summary", .symptom = "    <event id=\"15301\" summary=\"x\"/><!--HERE-->\n",
          .message = "summary=\"…\" is for the events of facts" },
        { "event id out of range", .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"7036 65536\"/></fact><!--HERE-->\n",
          .message = "\"65536\" is not an event id" },
        { "event id not a number", .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"7036x\"/></fact><!--HERE-->\n",
          .message = "\"7036x\" is not an event id" },
        { "event id list empty", .facts = "  <fact name=\"e\" kind=\"event\"><event id=\" , \"/></fact><!--HERE-->\n",
          .message = "<event> needs at least one id" },
        { "event id with a sign", .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"+7036\"/></fact><!--HERE-->\n",
          .message = "\"+7036\" is not an event id" },
        { "event without id", .facts = "  <fact name=\"e\" kind=\"event\"><event/></fact><!--HERE-->\n",
          .message = "<event> needs id=" },
        { "empty provider",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <provider> </provider><!--HERE-->\n"
                   "  </event></fact>\n",
          .message = "<provider> is empty" },
        { "empty <all>",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <all/><!--HERE-->\n"
                   "  </event></fact>\n",
          .message = "<all> needs at least one condition" },
        { "<not> of two conditions",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <not><!--HERE-->\n"
                   "      <where op=\"equals\"><field>a</field><value>1</value></where>\n"
                   "      <where op=\"equals\"><field>b</field><value>1</value></where>\n"
                   "    </not>\n"
                   "  </event></fact>\n",
          .message = "<not> holds exactly one condition" },
        { "text in <where>",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>port</column>\n"
                   "\n"
                   "      oops<!--HERE-->\n"
                   "    <value>443</value></where></fact>\n",
          .message = "unexpected text in <where>" },
        { "text in <rule>", .facts = "\n\n  stray words<!--HERE-->\n", .message = "unexpected text in <rule>" },
        { "text over several lines", .facts = "  <!--NEXT-->\n  stray\n  words\n\n", .message = "unexpected text in <rule>" },
        { "text among conditions",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <where op=\"equals\"><field>a</field><value>1</value></where>\n"
                   "    and<!--HERE-->\n"
                   "    <where op=\"equals\"><field>b</field><value>1</value></where>\n"
                   "  </event></fact>\n",
          .message = "unexpected text in <event>" },

        { "text in <symptom>", .symptom = "    capture<!--HERE-->\n", .message = "unexpected text in <symptom>" },
        { "text in <capture>", .symptom = "    <capture name=\"x\"><message/>\n      endpoint<!--HERE-->\n    </capture>\n",
          .message = "unexpected text in <capture>" },
        { "text in an event fact", .facts = "  <fact name=\"e\" kind=\"event\">\n    7036<!--HERE-->\n  </fact>\n",
          .message = "unexpected text in <fact>" },
        { "text in <decide>", .decide = "    otherwise<!--HERE-->\n", .message = "unexpected text in <decide>" },
        { "attribute on <provider>",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\">\n"
                   "    <provider guid=\"{x}\">P</provider><!--HERE-->\n"
                   "  </event></fact>\n",
          .message = "unknown attribute \"guid\" on <provider>" },

        /* Windows, sides, strengths. */
        { "negative window", .facts = "  <fact name=\"w\" kind=\"event\" window=\"-5\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "window=\"-5\": seconds" },
        { "window with a unit", .facts = "  <fact name=\"w\" kind=\"event\" window=\"10m\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "window=\"10m\": seconds" },
        { "window too long", .facts = "  <fact name=\"w\" kind=\"event\" window=\"2592001\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "window=\"2592001\": seconds" },
        { "empty window", .facts = "  <fact name=\"w\" kind=\"event\" window=\"\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "window=\"\": seconds" },
        { "window with a sign", .facts = "  <fact name=\"w\" kind=\"event\" window=\"+5\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "window=\"+5\": seconds" },
        { "window past the range of long",
          .facts = "  <fact name=\"w\" kind=\"event\" window=\"99999999999999999999999\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "window=\"99999999999999999999999\": seconds" },
        { "window on an artifact fact", .facts = "  <fact name=\"w\" kind=\"config-file\" window=\"10\"/><!--HERE-->\n",
          .message = "window and side are for event facts" },
        { "side on an artifact fact", .facts = "  <fact name=\"w\" kind=\"config-file\" side=\"after\"/><!--HERE-->\n",
          .message = "window and side are for event facts" },
        { "bad side", .facts = "  <fact name=\"w\" kind=\"event\" side=\"sideways\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "side=\"sideways\": before, after or around" },
        { "strength above 100", .verdicts = "  <verdict name=\"v\" strength=\"101\">R</verdict><!--HERE-->\n",
          .message = "strength=\"101\": 0..100" },
        { "negative strength", .verdicts = "  <verdict name=\"v\" strength=\"-1\">R</verdict><!--HERE-->\n",
          .message = "strength=\"-1\": 0..100" },
        { "strength in words", .verdicts = "  <verdict name=\"v\" strength=\"strong\">R</verdict><!--HERE-->\n",
          .message = "strength=\"strong\": 0..100" },
        { "empty strength", .verdicts = "  <verdict name=\"v\" strength=\"\">R</verdict><!--HERE-->\n",
          .message = "strength=\"\": 0..100" },
        { "missing strength", .verdicts = "  <verdict name=\"v\">R</verdict><!--HERE-->\n",
          .message = "<verdict> needs strength=" },
        { "bad remedy", .verdicts = "  <verdict name=\"v\" strength=\"1\" remedy=\"maybe\">R</verdict><!--HERE-->\n",
          .message = "remedy=\"maybe\": yes or no" },
        { "verdict named none", .verdicts = "  <verdict name=\"none\" strength=\"1\">R</verdict><!--HERE-->\n",
          .message = "<verdict> needs a name (not \"none\")" },

        /* Decision tables. */
        { "row naming an unknown fact", .decide = "    <when nosuch=\"yes\" verdict=\"yes\"/><!--HERE-->\n",
          .message = "\"nosuch\" is not a fact of this rule" },
        { "row naming an unknown verdict", .decide = "    <when launch=\"no\" verdict=\"maybe\"/><!--HERE-->\n",
          .message = "verdict \"maybe\" is not declared" },
        { "row over several lines",
          .decide = "    <!--NEXT-->\n"
                    "    <when launch=\"no\"\n"
                    "          verdict=\"maybe\"/>\n",
          .message = "verdict \"maybe\" is not declared" },
        { "row with neither yes nor no", .decide = "    <when launch=\"perhaps\" verdict=\"yes\"/><!--HERE-->\n",
          .message = "launch=\"perhaps\": yes or no" },
        { "row without verdict", .decide = "    <when launch=\"no\"/><!--HERE-->\n",
          .message = "<when> needs verdict=" },
        { "host decision on an event fact",
          .tail = "  <decide-without-symptom>\n"
                  "    <when launch=\"yes\" verdict=\"yes\"/><!--HERE-->\n"
                  "  </decide-without-symptom>\n",
          .message = "fact \"launch\" depends on the symptom" },
        { "host decision on a fact that refers to the symptom",
          .facts = "  <fact name=\"link\" kind=\"site-binding\"><where op=\"endpoint\"><column>endpoint</column>"
                   "<ref>symptom.endpoint</ref></where></fact>\n",
          .tail = "  <decide-without-symptom>\n"
                  "    <when config=\"yes\" link=\"yes\" verdict=\"yes\"/><!--HERE-->\n"
                  "  </decide-without-symptom>\n",
          .message = "fact \"link\" depends on the symptom" },
        { "host decision on a fact that refers to such a fact",
          .facts = "  <fact name=\"link\" kind=\"site-binding\"><where op=\"endpoint\"><column>endpoint</column>"
                   "<ref>symptom.endpoint</ref></where></fact>\n"
                   "  <fact name=\"peer\" kind=\"netsh-binding\"><where op=\"endpoint\"><column>endpoint</column>"
                   "<ref>link.endpoint</ref></where></fact>\n",
          .tail = "  <decide-without-symptom>\n"
                  "    <when peer=\"yes\" verdict=\"yes\"/><!--HERE-->\n"
                  "  </decide-without-symptom>\n",
          .message = "fact \"peer\" depends on the symptom" },
        { "second <decide>", .tail = "  <decide><when config=\"yes\" verdict=\"yes\"/></decide><!--HERE-->\n",
          .message = "only one <decide> per rule" },
        { "second <title>", .tail = "  <title>Another</title><!--HERE-->\n", .message = "only one <title> per rule" },
        { "second <description> that does not load",
          .tail = "  <description>A</description>\n  <description>B <b/></description><!--HERE-->\n",
          .message = "only one <description> per rule" },
        { "second <remediation>",
          .tail = "  <remediation>A</remediation>\n  <remediation>B</remediation><!--HERE-->\n",
          .message = "only one <remediation> per rule" },
        { "a <description> that does not load",
          .tail = "  <description>\n    B <b/><!--HERE-->\n  </description>\n",
          .message = "<description> cannot hold <b>" },
        { "second <symptom>", .tail = "  <symptom><event id=\"1\"/></symptom><!--HERE-->\n",
          .message = "only one <symptom> per rule" },

        /* Templates. */
        { "unknown variable in a verdict", .verdicts = "  <verdict name=\"v\" strength=\"1\">Bad ${nosuch}</verdict><!--HERE-->\n",
          .message = "unknown template variable \"${nosuch}\"" },
        { "unknown variable in a verdict over several lines",
          .verdicts = "  <!--NEXT-->\n"
                      "  <verdict name=\"v\"\n"
                      "           strength=\"1\">\n"
                      "    Text\n"
                      "    ${symptom.nope}\n"
                      "  </verdict>\n",
          .message = "unknown template variable \"${symptom.nope}\"" },
        { "unknown variable in a fallback", .verdicts = "  <verdict name=\"v\" strength=\"1\">${host|${bad}}</verdict><!--HERE-->\n",
          .message = "unknown template variable \"${bad}\"" },
        { "empty variable", .verdicts = "  <verdict name=\"v\" strength=\"1\">${}</verdict><!--HERE-->\n",
          .message = "unknown template variable \"${}\"" },
        { "unclosed variable", .verdicts = "  <verdict name=\"v\" strength=\"1\">cost ${symptom.time</verdict><!--HERE-->\n",
          .message = "\"${\" without a closing \"}\"" },
        { "unclosed nested variable", .verdicts = "  <verdict name=\"v\" strength=\"1\">${host|${window}</verdict><!--HERE-->\n",
          .message = "\"${\" without a closing \"}\"" },
        { "fact summary naming another kind's column",
          .facts = "  <fact name=\"f\" kind=\"config-file\" summary=\"${key_path}\"/><!--HERE-->\n",
          .message = "unknown template variable \"${key_path}\"" },
        { "event summary with an empty field name",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"1\" summary=\"${field:}\"/></fact><!--HERE-->\n",
          .message = "unknown template variable \"${field:}\"" },
        { "fact summary made of itself",
          .facts = "  <fact name=\"e\" kind=\"event\" summary=\"${summary}\"><event id=\"1\"/></fact><!--HERE-->\n",
          .message = "unknown template variable \"${summary}\"" },
        { "event summary made of itself",
          .facts = "  <fact name=\"e\" kind=\"event\">\n"
                   "    <event id=\"1\" summary=\"${field:x|${summary}}\"/><!--HERE-->\n"
                   "  </fact>\n",
          .message = "unknown template variable \"${summary}\"" },
        { "row reason naming an unknown fact value",
          .decide = "    <when launch=\"no\" verdict=\"yes\" reason=\"${key.colour}\"/><!--HERE-->\n",
          .message = "unknown template variable \"${key.colour}\"" },
        { "remediation naming an unknown value", .tail = "  <remediation>Run ${command}</remediation><!--HERE-->\n",
          .message = "unknown template variable \"${command}\"" },

        /* Whole files. */
        { "missing title",
          .whole = "<rule id=\"T\"><!--HERE-->\n"
                   "  <symptom><event id=\"1\"/></symptom>\n"
                   "  <verdict name=\"v\" strength=\"1\">R</verdict>\n"
                   "  <decide><when verdict=\"v\"/></decide>\n"
                   "</rule>\n",
          .message = "<rule> needs a <title>" },
        { "empty title",
          .whole = "<rule id=\"T\"><!--HERE-->\n"
                   "  <title>  </title>\n"
                   "  <symptom><event id=\"1\"/></symptom>\n"
                   "  <verdict name=\"v\" strength=\"1\">R</verdict>\n"
                   "  <decide><when verdict=\"v\"/></decide>\n"
                   "</rule>\n",
          .message = "<rule> needs a <title>" },
        { "missing symptom",
          .whole = "<?xml version=\"1.0\"?>\n"
                   "<!--NEXT-->\n"
                   "<rule id=\"T\"\n"
                   "      version=\"1\">\n"
                   "  <title>T</title>\n"
                   "  <verdict name=\"v\" strength=\"1\">R</verdict>\n"
                   "  <decide><when verdict=\"v\"/></decide>\n"
                   "</rule>\n",
          .message = "<rule> needs a <symptom>" },
        { "symptom without event",
          .whole = "<rule id=\"T\"><title>T</title>\n"
                   "  <symptom><capture name=\"c\"><message/></capture></symptom><!--HERE-->\n"
                   "  <verdict name=\"v\" strength=\"1\">R</verdict>\n"
                   "  <decide><when verdict=\"v\"/></decide>\n"
                   "</rule>\n",
          .message = "<symptom> needs at least one <event>" },
        { "fact before the symptom",
          .whole = "<rule id=\"T\"><title>T</title>\n"
                   "  <fact name=\"c\" kind=\"config-file\"/><!--HERE-->\n"
                   "  <symptom><event id=\"1\"/></symptom>\n"
                   "  <verdict name=\"v\" strength=\"1\">R</verdict>\n"
                   "  <decide><when verdict=\"v\"/></decide>\n"
                   "</rule>\n",
          .message = "<fact> must come after <symptom>" },
        { "missing verdict",
          .whole = "<rule id=\"T\"><!--HERE-->\n"
                   "  <title>T</title>\n"
                   "  <symptom><event id=\"1\"/></symptom>\n"
                   "  <decide><when verdict=\"none\"/></decide>\n"
                   "</rule>\n",
          .message = "<rule> needs at least one <verdict>" },
        { "missing decide",
          .whole = "<rule id=\"T\"><!--HERE-->\n"
                   "  <title>T</title>\n"
                   "  <symptom><event id=\"1\"/></symptom>\n"
                   "  <verdict name=\"v\" strength=\"1\">R</verdict>\n"
                   "</rule>\n",
          .message = "<rule> needs a <decide> table" },
        { "decide without rows",
          .whole = "<rule id=\"T\"><!--HERE-->\n"
                   "  <title>T</title>\n"
                   "  <symptom><event id=\"1\"/></symptom>\n"
                   "  <verdict name=\"v\" strength=\"1\">R</verdict>\n"
                   "  <decide>\n  </decide>\n"
                   "</rule>\n",
          .message = "<rule> needs a <decide> table with at least one <when>" },
        { "rule without id",
          .whole = "\n<rule version=\"1\"><!--HERE-->\n<title>T</title></rule>\n",
          .message = "<rule> needs id=" },
        { "rule with a bad id",
          .whole = "<rule id=\"two words\"><!--HERE-->\n<title>T</title></rule>\n",
          .message = "<rule> needs id=" },
        { "another root", .whole = "<?xml version=\"1.0\"?>\n<rules><!--HERE-->\n</rules>\n",
          .message = "the root element is <rules>" },
        { "DOCTYPE",
          .whole = "<?xml version=\"1.0\"?>\n"
                   "<!DOCTYPE rule [ <!ENTITY x \"y\"> ]><!--HERE-->\n"
                   "<rule id=\"T\"><title>T &x;</title></rule>\n",
          .message = "a DOCTYPE is not allowed in rules" },
        { "DOCTYPE over several lines",
          .whole = "<?xml version=\"1.0\"?>\n"
                   "<!-- a comment first -->\n"
                   "<!--NEXT-->\n"
                   "<!DOCTYPE rule [\n"
                   "  <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
                   "  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
                   "]>\n"
                   "<rule id=\"T\"><title>T</title></rule>\n",
          .message = "a DOCTYPE is not allowed in rules" },
        { "external DOCTYPE",
          .whole = "<!DOCTYPE rule SYSTEM \"file:///etc/passwd\"><!--HERE-->\n<rule id=\"T\"><title>T</title></rule>\n",
          .message = "a DOCTYPE is not allowed in rules" },
        { "entity reference", .tail = "  <description>A &nbsp; B</description><!--HERE-->\n",
          .message = "Entity 'nbsp' not defined" },
        { "not well-formed", .tail = "  <description>A</descriptio><!--HERE-->\n",
          .message = "mismatch" },
};

static void test_load_errors(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(load_errors); i++) {
                char *text = build(&load_errors[i]);

                assert_non_null(text);
                expect_error(load_errors[i].name, text, load_errors[i].message);
                free(text);
        }
}

/* The skeleton itself loads, and what the loader derives from it is right. */
static void test_load_skeleton(void **state) {
        LoadCase c = {};
        char *text = build(&c);
        Rule *r = expect_load("skeleton", text);

        assert_string_equal(r->id, "T");
        assert_string_equal(r->path, CASE_PATH);
        assert_int_equal(r->n_symptoms, 1);
        assert_int_equal(r->n_captures, 1);
        assert_true(r->captures[0].extract_endpoint);
        assert_int_equal(r->n_facts, 3);
        assert_true(r->facts[0].per_symptom);
        assert_false(r->facts[1].per_symptom);
        assert_false(r->facts[2].per_symptom);
        assert_int_equal(r->facts[0].window, -1);
        assert_int_equal(r->facts[0].side, WINDOW_BEFORE);
        assert_int_equal(rule_fact_index(r, "key"), 2);
        assert_int_equal(rule_fact_index(r, "nosuch"), -1);
        assert_non_null(rule_verdict(r, "yes"));
        assert_null(rule_verdict(r, "no"));
        assert_int_equal(r->n_decisions, 1);
        assert_int_equal(r->decisions[0].line, 15);
        rule_free(r);
        free(text);
}

/* Cases at the edge of what is allowed, and features that must keep working. */
static const LoadCase load_ok[] = {
        { "window default and numbers, every side",
          .facts = "  <fact name=\"w1\" kind=\"event\" window=\"default\" side=\"after\"><event id=\"1\"/></fact>\n"
                   "  <fact name=\"w2\" kind=\"event\" window=\"0\" side=\"around\"><event id=\"1,2 3\"/></fact>\n"
                   "  <fact name=\"w3\" kind=\"event\" window=\"2592000\" side=\"before\"><event id=\"65535\"/></fact>\n" },
        { "fact referring to a capture and a column of earlier facts",
          .facts = "  <fact name=\"link\" kind=\"site-binding\">\n"
                   "    <where op=\"equals\"><column>site_id</column><ref>key.site</ref></where>\n"
                   "    <where op=\"endpoint\"><column>endpoint</column><ref>symptom.endpoint</ref></where>\n"
                   "  </fact>\n"
                   "  <fact name=\"bound\" kind=\"netsh-binding\">\n"
                   "    <where op=\"equals\"><column>path</column><ref>key.path</ref></where>\n"
                   "  </fact>\n",
          .tail = "  <decide-without-symptom><when key=\"yes\" bound=\"no\" verdict=\"yes\"/></decide-without-symptom>\n" },
        { "events referring to the symptom",
          .facts = "  <fact name=\"e\" kind=\"event\"><event id=\"15301\">\n"
                   "    <where op=\"endpoint\"><field>Endpoint</field><ref>symptom.endpoint</ref></where>\n"
                   "  </event></fact>\n" },
        { "templates of every scope",
          .facts = "  <fact name=\"e\" kind=\"event\" summary=\"${time} ${field:x} ${label:New Process Name} ${record_id}\">"
                   "<event id=\"1\" summary=\"${message|${provider|$$}}\"/></fact>\n"
                   "  <fact name=\"b\" kind=\"site-binding\" summary=\"${site_name} on ${endpoint} ${path}:${line}\"/>\n",
          .verdicts = "  <verdict name=\"v\" strength=\"0\">${host} ${window} ${verdict} ${symptom.time} ${symptom.record_id} "
                      "${key.count} ${key.site} ${e.field:Image} ${e.summary} ${launch.count} $$5 $x ${b.site_name|none}</verdict>\n",
          .tail = "  <remediation>${key.path|%windir%\\system32\\inetsrv\\config\\applicationHost.config}</remediation>\n" },
        { "comments and CDATA where text is read",
          .facts = "  <fact name=\"b\" kind=\"site-binding\"><!-- c --><where op=\"equals\"><!-- c -->"
                   "<column><!-- c -->port</column><value>4<!-- c -->43</value><value><![CDATA[<&>]]></value></where></fact>\n" },
        { "character references", .tail = "  <description>&lt;key&gt; &amp; &#x41;&#66;</description>\n" },
};

static void test_load_ok(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(load_ok); i++) {
                char *text = build(&load_ok[i]);

                rule_free(expect_load(load_ok[i].name, text));
                free(text);
        }
}

static void test_load_values_read(void **state) {
        LoadCase c = {
                .facts = "  <fact name=\"b\" kind=\"site-binding\"><where op=\"equals\"><column>port</column>"
                         "<value>4<!-- c -->43</value><value><![CDATA[<&>]]></value></where></fact>\n",
                .tail = "  <description>&lt;key&gt; &amp; &#x41;&#66;</description>\n"
                        "  <remediation>\n"
                        "    1. Delete it:\n"
                        "         appcmd clear config\n"
                        "    2. Restore\n"
                        "  </remediation>\n",
        };
        char *text = build(&c);
        Rule *r = expect_load("values", text);
        const RuleWhere *w = &r->facts[3].cond.children[0].where;

        assert_int_equal(w->n_values, 2);
        assert_string_equal(w->values[0], "443");
        assert_string_equal(w->values[1], "<&>");
        assert_null(w->values[2]);
        assert_string_equal(r->description, "<key> & AB");
        /* The indentation of the lines relative to each other stays. */
        assert_string_equal(r->remediation, "1. Delete it:\n     appcmd clear config\n2. Restore");
        rule_free(r);
        free(text);
}

/* The command in the remediation of SSL-BINDING-REMOVED-BY-ADMIN is indented under its
 * sentence: the first line counts when the indentation common to all lines is taken off. */
static void test_load_indentation(void **state) {
        LoadCase c = {
                .tail = "  <remediation>\n"
                        "    Find out who ran it, then restore the binding:\n"
                        "      netsh http add sslcert\n"
                        "  </remediation>\n",
        };
        char *text = build(&c);
        Rule *r = expect_load("indentation", text);

        assert_string_equal(r->remediation, "Find out who ran it, then restore the binding:\n  netsh http add sslcert");
        rule_free(r);
        free(text);
}

/* An <event> with depth groups nested, innermost holding a <where>; marked where the last
 * group starts. */
static char *nested_groups(unsigned depth, bool event) {
        StrBuf b = {}, facts = {};
        LoadCase c = {};
        char *text;

        for (unsigned i = 0; i < depth; i++)
                assert_int_equal(strbuf_printf(&facts, "    <%s>%s\n", i % 3 == 0 ? "all" : i % 3 == 1 ? "any" : "not",
                                               i + 1 == depth ? "<!--HERE-->" : ""), 0);
        if (event)
                assert_int_equal(strbuf_puts(&facts, "      <where op=\"equals\"><field>a</field><value>1</value></where>\n"), 0);
        else
                assert_int_equal(strbuf_puts(&facts, "      <where op=\"equals\"><column>port</column><value>1</value></where>\n"), 0);
        for (unsigned i = depth; i > 0; i--)
                assert_int_equal(strbuf_printf(&facts, "    </%s>\n",
                                               (i - 1) % 3 == 0 ? "all" : (i - 1) % 3 == 1 ? "any" : "not"), 0);
        assert_int_equal(strbuf_printf(&b, event ? "  <fact name=\"deep\" kind=\"event\"><event id=\"1\">\n%s  </event></fact>\n"
                                                 : "  <fact name=\"deep\" kind=\"site-binding\">\n%s  </fact>\n",
                                       strbuf_str(&facts)), 0);
        c.facts = strbuf_str(&b);
        text = build(&c);
        strbuf_done(&b);
        strbuf_done(&facts);
        return text;
}

static void test_load_depth(void **state) {
        for (int event = 0; event <= 1; event++) {
                char *ok = nested_groups(EVDIAG_MAX_RULE_DEPTH, event);
                char *deep = nested_groups(EVDIAG_MAX_RULE_DEPTH + 1, event);

                rule_free(expect_load("deepest nesting allowed", ok));
                expect_error("nesting one deeper", deep, "nested deeper than 16");
                free(ok);
                free(deep);
        }
}

static char *many_values(unsigned n) {
        StrBuf b = {};
        LoadCase c = {};
        char *text;

        assert_int_equal(strbuf_puts(&b, "  <fact name=\"many\" kind=\"event\"><event id=\"1\"><where op=\"equals\"><field>a</field>\n"), 0);
        for (unsigned i = 0; i < n; i++)
                assert_int_equal(strbuf_printf(&b, "    <value>v%u</value>%s\n", i, i + 1 == n ? "<!--HERE-->" : ""), 0);
        assert_int_equal(strbuf_puts(&b, "  </where></event></fact>\n"), 0);
        c.facts = strbuf_str(&b);
        text = build(&c);
        strbuf_done(&b);
        return text;
}

static void test_load_values(void **state) {
        char *ok = many_values(EVDIAG_MAX_RULE_VALUES);
        char *over = many_values(EVDIAG_MAX_RULE_VALUES + 1);
        char *refs;
        StrBuf b = {};
        LoadCase c = {};

        rule_free(expect_load("most values allowed", ok));
        expect_error("one value too many", over, "more than 256 values in one <where>");

        /* <ref> counts among the values. */
        assert_int_equal(strbuf_puts(&b, "  <fact name=\"many\" kind=\"site-binding\"><where op=\"equals\"><column>site_id</column>\n"), 0);
        for (unsigned i = 0; i < EVDIAG_MAX_RULE_VALUES; i++)
                assert_int_equal(strbuf_printf(&b, "    <value>%u</value>\n", i), 0);
        assert_int_equal(strbuf_puts(&b, "    <ref>key.site</ref><!--HERE-->\n  </where></fact>\n"), 0);
        c.facts = strbuf_str(&b);
        refs = build(&c);
        expect_error("a ref past the values", refs, "more than 256 values in one <where>");
        strbuf_done(&b);
        free(ok);
        free(over);
        free(refs);
}

static char *fallbacks(unsigned depth) {
        StrBuf t = {}, b = {};
        LoadCase c = {};
        char *text;

        assert_int_equal(strbuf_puts(&t, "${host"), 0);
        for (unsigned i = 0; i < depth; i++)
                assert_int_equal(strbuf_puts(&t, "|${window"), 0);
        for (unsigned i = 0; i <= depth; i++)
                assert_int_equal(strbuf_putc(&t, '}'), 0);
        assert_int_equal(strbuf_printf(&b, "  <verdict name=\"deep\" strength=\"1\">%s</verdict><!--HERE-->\n", strbuf_str(&t)), 0);
        c.verdicts = strbuf_str(&b);
        text = build(&c);
        strbuf_done(&t);
        strbuf_done(&b);
        return text;
}

static void test_load_template_depth(void **state) {
        char *ok = fallbacks(EVDIAG_MAX_RULE_DEPTH);
        char *deep = fallbacks(EVDIAG_MAX_RULE_DEPTH + 1);

        rule_free(expect_load("deepest fallbacks allowed", ok));
        expect_error("fallbacks one deeper", deep, "template fallbacks nested deeper than 16");
        free(ok);
        free(deep);
}

static char *regex_of(size_t len) {
        StrBuf b = {};
        LoadCase c = {};
        char *text;

        assert_int_equal(strbuf_puts(&b, "  <fact name=\"r\" kind=\"event\"><event id=\"1\"><where op=\"regex\"><message/>\n    <value>"), 0);
        for (size_t i = 0; i < len; i++)
                assert_int_equal(strbuf_putc(&b, 'a'), 0);
        assert_int_equal(strbuf_puts(&b, "</value><!--HERE-->\n  </where></event></fact>\n"), 0);
        c.facts = strbuf_str(&b);
        text = build(&c);
        strbuf_done(&b);
        return text;
}

static void test_load_regex_length(void **state) {
        char *ok = regex_of(EVDIAG_MAX_REGEX), *over = regex_of(EVDIAG_MAX_REGEX + 1);

        rule_free(expect_load("longest regex allowed", ok));
        expect_error("regex one byte too long", over, "regular expression longer than 1024 bytes");
        free(ok);
        free(over);
}

/* Files the loader must refuse without any line: empty, too large, not XML at all. */
static void test_load_whole_file_errors(void **state) {
        static const char *const texts[] = { "", "   \n", "not xml", "\xff\xfe<\0r\0", "<rule" };
        Rule *rule = NULL;

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                _cleanup_(diag_freep) Diag *d = diag_new(CASE_PATH);
                size_t len = i == 3 ? 6 : strlen(texts[i]);

                assert_int_equal(rule_parse(texts[i], len, CASE_PATH, &rule, d), -EBADMSG);
                assert_null(rule);
                assert_true(diag_count(d) > 0);
        }

        /* One byte over the cap, refused before libxml2 reads it. */
        {
                _cleanup_(diag_freep) Diag *d = diag_new(CASE_PATH);
                char *big = malloc(EVDIAG_MAX_RULE_FILE + 1);

                assert_non_null(big);
                memset(big, ' ', EVDIAG_MAX_RULE_FILE + 1);
                assert_int_equal(rule_parse(big, EVDIAG_MAX_RULE_FILE + 1, CASE_PATH, &rule, d), -EBADMSG);
                assert_null(rule);
                free(big);
        }
}

/* The shipped pack: both rules load, and the KB2025598 rule reads as its comments say. */
static void test_shipped_pack(void **state) {
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_(diag_freep) Diag *d = diag_new(RULES_DIR);
        const Rule *kb = NULL, *admin = NULL;
        int n;

        n = rule_set_load(RULES_DIR, &set, d);
        if (n < 0)
                print_diag(d);
        assert_int_equal(n, 2);
        assert_int_equal(diag_count(d), 0);
        for (size_t i = 0; i < set->n_rules; i++) {
                if (strcmp(set->rules[i]->id, "KB2025598") == 0)
                        kb = set->rules[i];
                if (strcmp(set->rules[i]->id, "SSL-BINDING-REMOVED-BY-ADMIN") == 0)
                        admin = set->rules[i];
        }
        assert_non_null(kb);
        assert_non_null(admin);

        assert_int_equal(kb->n_facts, 6);
        assert_true(kb->facts[rule_fact_index(kb, "aftermath")].per_symptom);
        assert_string_equal(kb->facts[rule_fact_index(kb, "aftermath")].evidence, "aftermath");
        assert_true(kb->facts[rule_fact_index(kb, "launch")].per_symptom);
        assert_false(kb->facts[rule_fact_index(kb, "config")].per_symptom);
        assert_false(kb->facts[rule_fact_index(kb, "key")].per_symptom);
        assert_true(kb->facts[rule_fact_index(kb, "link")].per_symptom);
        assert_true(kb->facts[rule_fact_index(kb, "bound")].per_symptom);
        assert_int_equal(kb->facts[rule_fact_index(kb, "launch")].n_events, 2);
        /* A tag spread over two lines is reported where it starts. */
        assert_int_equal(kb->facts[rule_fact_index(kb, "launch")].events[1].line, 80);
        assert_int_equal(kb->facts[rule_fact_index(kb, "config")].line, 117);
        assert_int_equal(kb->n_decisions, 6);
        assert_int_equal(kb->decisions[1].line, 202);
        assert_int_equal(kb->n_host_decisions, 1);
        assert_string_equal(kb->host_decisions[0].verdict, "at_risk");
        assert_true(rule_verdict(kb, "confirmed")->remedy);
        assert_false(rule_verdict(kb, "ruled_out")->remedy);
        assert_non_null(strstr(kb->remediation, "${key.path|applicationHost.config}"));

        assert_int_equal(admin->n_facts, 1);
        assert_int_equal(admin->n_decisions, 2);
        assert_string_equal(admin->decisions[1].verdict, "none");
        assert_non_null(strstr(admin->remediation, "restore the binding of ${symptom.endpoint|the site}"));
}

static char *make_dir(void) {
        char tmpl[] = "/tmp/evdiag-test-rules-XXXXXX";
        char *d = mkdtemp(tmpl);

        assert_non_null(d);
        return strdup(d);
}

static void write_file(const char *dir, const char *name, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static void remove_dir(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *e;

        assert_non_null(d);
        while ((e = readdir(d))) {
                char path[512];

                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                if (rmdir(path) < 0)
                        assert_int_equal(unlink(path), 0);
        }
        closedir(d);
        assert_int_equal(rmdir(dir), 0);
}

/* Whether some message of d holds all of the words. */
static bool diag_has(const Diag *d, const char *a, const char *b) {
        size_t n;
        const DiagEntry *e = diag_entries(d, &n);

        for (size_t i = 0; i < n; i++)
                if (strstr(e[i].message, a) && (!b || strstr(e[i].message, b)))
                        return true;
        return false;
}

static void test_set_duplicate_ids(void **state) {
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_(diag_freep) Diag *d = diag_new("rules");

        assert_int_equal(rule_set_load(TEST_DATA_DIR "/rules/dup-id", &set, d), -EBADMSG);
        assert_null(set);
        /* The second file in name order is the one refused, naming the first. */
        assert_true(diag_has(d, TEST_DATA_DIR "/rules/dup-id/b.xml: rule id \"SAME\" is already used by",
                             TEST_DATA_DIR "/rules/dup-id/a.xml"));
}

static void test_set_empty_and_missing(void **state) {
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        char *dir = make_dir();

        {
                _cleanup_(diag_freep) Diag *d = diag_new("rules");

                assert_int_equal(rule_set_load(dir, &set, d), -ENOENT);
                assert_null(set);
                assert_true(diag_has(d, "no rule files (*.xml) in", dir));
        }
        {
                /* Files that are not *.xml, or hidden, are not rules. */
                _cleanup_(diag_freep) Diag *d = diag_new("rules");

                write_file(dir, "README.md", "# notes\n");
                write_file(dir, ".hidden.xml", "<rule");
                write_file(dir, "x.xml.bak", "<rule");
                assert_int_equal(rule_set_load(dir, &set, d), -ENOENT);
                assert_null(set);
        }
        {
                _cleanup_(diag_freep) Diag *d = diag_new("rules");
                char missing[600];

                snprintf(missing, sizeof(missing), "%s/nosuch", dir);
                assert_int_equal(rule_set_load(missing, &set, d), -ENOENT);
                assert_null(set);
                assert_true(diag_has(d, "cannot read the rule folder", NULL));
        }
        remove_dir(dir);
        free(dir);
}

/* Every error of a folder's files comes back as "path:line: message", and one bad file fails
 * the whole set. */
static void test_set_errors_name_file_and_line(void **state) {
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_(diag_freep) Diag *d = diag_new("rules");
        LoadCase c = { .facts = "  <fact name=\"f\" kind=\"registry\"/>\n" };
        char *dir = make_dir(), *bad = build(&c), *good = build(&(LoadCase) {});
        char want[600], sub[600];

        bad[strstr(bad, "id=\"T\"") - bad + 4] = 'B';   /* another id than the good one's */
        write_file(dir, "a-good.xml", good);
        write_file(dir, "b-bad.xml", bad);
        snprintf(sub, sizeof(sub), "%s/c-folder.xml", dir);
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(rule_set_load(dir, &set, d), -EBADMSG);
        assert_null(set);
        snprintf(want, sizeof(want), "%s/b-bad.xml:13: <fact> needs kind=", dir);
        if (!diag_has(d, want, NULL))
                print_diag(d);
        assert_true(diag_has(d, want, NULL));
        snprintf(want, sizeof(want), "%s/c-folder.xml: cannot read", dir);
        assert_true(diag_has(d, want, NULL));
        assert_int_equal(diag_errors(d), 2);
        free(bad);
        free(good);
        remove_dir(dir);
        free(dir);
}

/* Templates. */
typedef struct Vars {
        const char *const *names;       /* name, value, name, value, …, NULL */
} Vars;

static const char *vars_lookup(void *userdata, const char *name) {
        const Vars *v = userdata;

        for (const char *const *p = v->names; *p; p += 2)
                if (strcmp(p[0], name) == 0)
                        return p[1];
        return NULL;
}

static bool vars_knows(void *userdata, const char *name) {
        const Vars *v = userdata;

        for (const char *const *p = v->names; *p; p += 2)
                if (strcmp(p[0], name) == 0)
                        return true;
        return false;
}

static void expect_expand(const char *t, const char *const *vars, const char *want) {
        Vars v = { vars };
        _cleanup_strbuf_ StrBuf b = {};
        char *err = NULL;

        assert_int_equal(template_check(t, vars_knows, &v, &err), 0);
        assert_null(err);
        assert_int_equal(template_expand(t, vars_lookup, &v, &b), 0);
        if (strcmp(strbuf_str(&b), want) != 0)
                fail_msg("\"%s\" expanded to \"%s\", wanted \"%s\"", t, strbuf_str(&b), want);
}

static void test_templates(void **state) {
        static const char *const none[] = { "a", NULL, "b", NULL, NULL };
        static const char *const a[] = { "a", "A", "b", "B", NULL };
        static const char *const b_only[] = { "a", "", "b", "B", NULL };

        expect_expand("${a|${b|c}}", none, "c");
        expect_expand("${a|${b|c}}", a, "A");
        expect_expand("${a|${b|c}}", b_only, "B");     /* an empty value counts as missing */
        expect_expand("x${a|}y", none, "xy");
        expect_expand("${a|x|y}", none, "x|y");        /* the name ends at the first bar */
        expect_expand("${a|{braces}}", none, "{braces}");     /* a lone "{" opens nothing */
        expect_expand("$$", none, "$");
        expect_expand("$${a}", a, "${a}");
        expect_expand("5$ and $x and $", none, "5$ and $x and $");
        expect_expand("$$$$", none, "$$");
        expect_expand("", none, "");
        expect_expand("${a}${b}", a, "AB");
        expect_expand("${a|$${b}}", none, "${b}");
}

static void expect_template_error(const char *t, const char *want) {
        static const char *const vars[] = { "a", "A", NULL };
        Vars v = { vars };
        char *err = NULL;

        assert_int_equal(template_check(t, vars_knows, &v, &err), -EBADMSG);
        assert_non_null(err);
        if (!strstr(err, want))
                fail_msg("\"%s\": \"%s\", wanted \"%s\"", t, err, want);
        free(err);
}

static void test_template_errors(void **state) {
        _cleanup_strbuf_ StrBuf deep = {};

        expect_template_error("${", "without a closing");
        expect_template_error("abc ${a", "without a closing");
        expect_template_error("${a|${a}", "without a closing");
        expect_template_error("${a|${a|${", "without a closing");
        expect_template_error("${b}", "unknown template variable \"${b}\"");
        expect_template_error("${a|${b}}", "unknown template variable \"${b}\"");
        expect_template_error("${}", "unknown template variable \"${}\"");
        expect_template_error("${|a}", "unknown template variable \"${}\"");

        /* 17 fallbacks inside one another: past the cap, refused, not recursed into. */
        for (unsigned i = 0; i <= EVDIAG_MAX_RULE_DEPTH; i++)
                assert_int_equal(strbuf_puts(&deep, "${a|"), 0);
        assert_int_equal(strbuf_puts(&deep, "x"), 0);
        for (unsigned i = 0; i <= EVDIAG_MAX_RULE_DEPTH; i++)
                assert_int_equal(strbuf_putc(&deep, '}'), 0);
        expect_template_error(strbuf_str(&deep), "nested deeper than 16");

        /* Without a place for the message, only the code. */
        assert_int_equal(template_check("${", vars_knows, &(Vars) { (const char *const[]) { NULL } }, NULL), -EBADMSG);
}

/* Compiler: SQL text is evdiag's own; every literal of the rule travels as a parameter. */

/* The literals below all land in SQL parameters; none may appear in the text. */
static const char hostile_rule[] =
        "<rule id=\"HOSTILE\">\n"
        "  <title>x</title>\n"
        "  <symptom>\n"
        "    <event id=\"15300\">\n"
        "      <provider>p'); DROP TABLE events; --</provider>\n"
        "      <channel>c\" OR 1=1 --</channel>\n"
        "      <where op=\"contains\"><field>f' || (SELECT 1) || '</field><message label=\"l?1 ?2\"/>"
        "<value>v1 ' OR ''='</value></where>\n"
        "    </event>\n"
        "    <capture name=\"cap\"><field>cf]] ; ATTACH 'x'</field><message label=\"cl:NULL--\"/></capture>\n"
        "  </symptom>\n"
        "  <fact name=\"ev\" kind=\"event\"><event id=\"1 2\">\n"
        "    <provider>ep/* comment */</provider>\n"
        "    <any><where op=\"regex\"><field>ef$1</field><value>^(re|gex)'$</value></where>\n"
        "    <not><where op=\"endpoint\"><message/><ref>symptom.cap</ref></where></not></any>\n"
        "  </event></fact>\n"
        "  <fact name=\"art\" kind=\"config-property\">\n"
        "    <where op=\"regex\" capture=\"grp\"><column>key_path</column><value>^LM/(x')$</value></where>\n"
        "    <where op=\"equals\"><column>value</column><value>av\\' ; --</value><ref>symptom.cap</ref></where>\n"
        "  </fact>\n"
        "  <fact name=\"art2\" kind=\"site-binding\">\n"
        "    <where op=\"suffix\"><column>hostname</column><column>site_name</column><ref>art.grp</ref>"
        "<value>sv\"\"</value></where>\n"
        "  </fact>\n"
        "  <verdict name=\"v\" strength=\"1\">r</verdict>\n"
        "  <decide><when ev=\"yes\" verdict=\"v\"/></decide>\n"
        "</rule>\n";

static void check_query(Store *store, const Query *q, const char *what) {
        _cleanup_(store_query_freep) StoreQuery *st = NULL;
        size_t placeholders = 0;
        char *stripped;

        assert_non_null(q->sql);
        /* Every ?N appears once, in order, one per parameter. */
        for (const char *p = q->sql; (p = strchr(p, '?')); p++) {
                char want[24];

                placeholders++;
                snprintf(want, sizeof(want), "?%zu", placeholders);
                if (strncmp(p, want, strlen(want)) != 0)
                        fail_msg("%s: placeholder %zu is not %s in %s", what, placeholders, want, q->sql);
        }
        assert_int_equal(placeholders, q->n_params);
        for (size_t i = 0; i < q->n_params; i++) {
                const Param *p = &q->params[i];

                MatchOp op;

                /* Operator names are evdiag's own words, bound like the rest. */
                if (p->kind == PARAM_TEXT && match_op_from_string(p->text, &op) == 0)
                        continue;
                if ((p->kind == PARAM_TEXT || p->kind == PARAM_REF) && strlen(p->text) >= 3 && strstr(q->sql, p->text))
                        fail_msg("%s: the literal \"%s\" is in the SQL: %s", what, p->text, q->sql);
        }
        /* Quotes come only from evdiag's own fragments. */
        stripped = strdup(q->sql);
        assert_non_null(stripped);
        for (char *p; (p = strstr(stripped, "''")); )
                memset(p, ' ', 2);
        for (char *p; (p = strstr(stripped, "'apphost'")); )
                memset(p, ' ', strlen("'apphost'"));
        if (strpbrk(stripped, "'\";") || strstr(stripped, "--") || strstr(stripped, "/*"))
                fail_msg("%s: quote, comment or statement separator in the SQL: %s", what, q->sql);
        free(stripped);
        if (store_query_new(store, q->sql, &st) < 0)
                fail_msg("%s: %s: %s", what, store_error(store), q->sql);
}

/* Compiles every part of r, checks each query, and that no string of the rule's text that
 * looks like a literal shows up in them. */
static void check_rule_sql(Store *store, const Rule *r, const char *const *literals) {
        for (size_t i = 0; i < r->n_symptoms; i++) {
                Query q = {};

                assert_int_equal(compile_symptom(r, i, &q), 0);
                assert_int_equal(q.n_columns, _EVCOL_MAX + r->n_captures);
                check_query(store, &q, r->id);
                for (const char *const *l = literals; l && *l; l++)
                        if (strstr(q.sql, *l))
                                fail_msg("literal \"%s\" in %s", *l, q.sql);
                query_done(&q);
        }
        for (size_t i = 0; i < r->n_facts; i++) {
                const RuleFact *f = &r->facts[i];

                for (size_t j = 0; j < f->n_events; j++) {
                        Query q = {};

                        assert_int_equal(compile_event_fact(f, j, &q), 0);
                        check_query(store, &q, f->name);
                        for (const char *const *l = literals; l && *l; l++)
                                if (strstr(q.sql, *l))
                                        fail_msg("literal \"%s\" in %s", *l, q.sql);
                        query_done(&q);
                }
                if (f->kind != FACT_EVENT) {
                        Query q = {};
                        size_t n_cols, n_caps = 0;

                        assert_int_equal(compile_artifact_fact(f, &q), 0);
                        check_query(store, &q, f->name);
                        for (const char *const *l = literals; l && *l; l++)
                                if (strstr(q.sql, *l))
                                        fail_msg("literal \"%s\" in %s", *l, q.sql);
                        fact_kind_columns(f->kind, &n_cols);
                        for (size_t c = 0; c < f->cond.n_children; c++)
                                if (f->cond.children[c].kind == COND_WHERE && f->cond.children[c].where.capture)
                                        n_caps++;
                        assert_int_equal(q.n_columns, n_cols + n_caps);
                        for (size_t c = 0; c < q.n_columns; c++)
                                assert_non_null(q.names[c]);
                        assert_null(q.names[q.n_columns]);
                        query_done(&q);
                }
        }
}

static void test_compile_shipped(void **state) {
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_(diag_freep) Diag *d = diag_new(RULES_DIR);
        _cleanup_(store_freep) Store *store = NULL;

        assert_int_equal(store_open(NULL, &store, NULL), 0);
        assert_int_equal(rule_set_load(RULES_DIR, &set, d), 2);
        for (size_t i = 0; i < set->n_rules; i++)
                check_rule_sql(store, set->rules[i], (const char *const[]) {
                        "IISADMIN", "running", "adsutil", "inetmgr6", "HttpEvent", "Service Control", "5506",
                        "W3SVC", "https", "sslcert", "Endpoint", "CommandLine", "Process Command Line", NULL });
}

static void test_compile_hostile(void **state) {
        _cleanup_(diag_freep) Diag *d = diag_new("hostile.xml");
        _cleanup_(store_freep) Store *store = NULL;
        _cleanup_(rule_freep) Rule *r = NULL;
        static const char *const literals[] = {
                "DROP TABLE", "OR 1=1", "SELECT 1", "l?1", "v1 ", "ATTACH", "cl:NULL", "comment", "ef$1", "(re|gex)",
                "x')", "av\\", "sv", "cf]]", NULL,
        };
        Query q = {};

        assert_int_equal(store_open(NULL, &store, NULL), 0);
        if (rule_parse(hostile_rule, strlen(hostile_rule), "hostile.xml", &r, d) < 0) {
                print_diag(d);
                fail();
        }
        check_rule_sql(store, r, literals);

        /* The parameters carry the literals, and the kinds say how to bind them. */
        assert_int_equal(compile_symptom(r, 0, &q), 0);
        {
                bool provider = false, value = false, field = false, label = false, limit = false;
                size_t ints = 0;

                for (size_t i = 0; i < q.n_params; i++) {
                        const Param *p = &q.params[i];

                        if (p->kind == PARAM_TEXT && strcmp(p->text, "p'); DROP TABLE events; --") == 0)
                                provider = true;
                        if (p->kind == PARAM_TEXT && strcmp(p->text, "v1 ' OR ''='") == 0)
                                value = true;
                        if (p->kind == PARAM_TEXT && strcmp(p->text, "f' || (SELECT 1) || '") == 0)
                                field = true;
                        if (p->kind == PARAM_TEXT && strcmp(p->text, "l?1 ?2") == 0)
                                label = true;
                        if (p->kind == PARAM_INT && p->number == 15300)
                                ints++;
                        if (p->kind == PARAM_LIMIT)
                                limit = true;
                }
                assert_true(provider && value && field && label && limit);
                assert_int_equal(ints, 1);
        }
        query_done(&q);
        assert_null(q.sql);
}

/* One source only, with and without extract="endpoint": SQLite wants no COALESCE() of one. */
static void test_compile_single_sources(void **state) {
        static const char text[] =
                "<rule id=\"ONE\"><title>t</title>\n"
                "  <symptom><event id=\"15300\"/>\n"
                "    <capture name=\"endpoint\" extract=\"endpoint\"><field>Endpoint</field></capture>\n"
                "    <capture name=\"msg\" extract=\"endpoint\"><message/></capture>\n"
                "    <capture name=\"bin\"><binary encoding=\"utf-16le\"/></capture>\n"
                "  </symptom>\n"
                "  <fact name=\"b\" kind=\"site-binding\">\n"
                "    <where op=\"regex\" capture=\"x\"><column>hostname</column><value>(a)</value></where>\n"
                "    <where op=\"endpoint\"><column>endpoint</column><ref>symptom.endpoint</ref></where>\n"
                "  </fact>\n"
                "  <verdict name=\"v\" strength=\"1\">r</verdict><decide><when b=\"yes\" verdict=\"v\"/></decide>\n"
                "</rule>\n";
        _cleanup_(store_freep) Store *store = NULL;
        Rule *r = expect_load("single sources", text);

        assert_int_equal(store_open(NULL, &store, NULL), 0);
        check_rule_sql(store, r, NULL);
        rule_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_load_errors),
                cmocka_unit_test(test_load_skeleton),
                cmocka_unit_test(test_load_ok),
                cmocka_unit_test(test_load_values_read),
                cmocka_unit_test(test_load_indentation),
                cmocka_unit_test(test_load_depth),
                cmocka_unit_test(test_load_values),
                cmocka_unit_test(test_load_template_depth),
                cmocka_unit_test(test_load_regex_length),
                cmocka_unit_test(test_load_whole_file_errors),
                cmocka_unit_test(test_shipped_pack),
                cmocka_unit_test(test_set_duplicate_ids),
                cmocka_unit_test(test_set_empty_and_missing),
                cmocka_unit_test(test_set_errors_name_file_and_line),
                cmocka_unit_test(test_templates),
                cmocka_unit_test(test_template_errors),
                cmocka_unit_test(test_compile_shipped),
                cmocka_unit_test(test_compile_hostile),
                cmocka_unit_test(test_compile_single_sources),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
