#!/usr/bin/env python3
"""Writes a C file holding the schema scripts, in order, as string constants."""
import os
import sys

out, inputs = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)
with open(out, "w", encoding="utf-8") as f:
    f.write("/* Generated from the schema scripts by schema/embed.py. */\n#include <stddef.h>\n")
    f.write("const char *const store_schema_scripts[] = {\n")
    for path in inputs:
        data = open(path, encoding="utf-8").read()
        f.write("        /* %s */\n        \"" % os.path.basename(path))
        for ch in data:
            if ch == "\n":
                f.write("\\n\"\n        \"")
            elif ch in "\\\"":
                f.write("\\" + ch)
            elif 32 <= ord(ch) < 127:
                f.write(ch)
            else:
                for b in ch.encode("utf-8"):
                    f.write("\\%03o" % b)
        f.write("\",\n")
    f.write("        NULL,\n};\n")
    f.write("const size_t store_schema_count = %d;\n" % len(inputs))
