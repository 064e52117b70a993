#!/usr/bin/env python3
"""Binary .evtx logs through the command line: `evdiag dump` in both formats, its errors, and the
KB 2025598 diagnosis from .evtx input giving the same verdict, reason, symptoms and evidence as
from the XML the .evtx was encoded from. Usage: test-evtx-cli.py EVDIAG SOURCE_ROOT"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

EVDIAG, ROOT = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(ROOT, "sample-logs")
CORPUS = os.environ.get("EVDIAG_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))
NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
KEYS = ["record_id", "time", "event_id", "qualifiers", "version", "level", "task", "opcode", "keywords",
        "provider", "provider_guid", "channel", "computer", "user", "process_id", "thread_id", "activity_id",
        "recovered", "binary", "data"]
failures = []


def run(*args):
    p = subprocess.run([EVDIAG, *args], capture_output=True, env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + str(detail)[:400]))
    if not cond:
        failures.append(name)
    return cond


def events_of_xml(text):
    root = ET.fromstring("<r>" + text + "</r>")
    return root.findall(NS + "Event")


evtx = os.path.join(SAMPLES, "iisadmin-evtx", "WEB05", "System.evtx")
tmp = tempfile.mkdtemp(prefix="evdiag-evtx-")
try:
    # dump, JSON lines: one object a line, always the same keys, the 15300 with its endpoint.
    rc, out, err = run("dump", evtx)
    lines = out.splitlines()
    objs = [json.loads(l) for l in lines]
    check("dump jsonl exit 0, no warnings", rc == 0 and err == "", f"rc={rc} {err}")
    check("dump jsonl fixed keys", objs and all(list(o) == KEYS for o in objs), list(objs[0]) if objs else "none")
    ids = [o["record_id"] for o in objs]
    check("dump jsonl in file order", ids == sorted(ids) and len(set(ids)) == len(ids))
    hits = [o for o in objs if o["event_id"] == 15300]
    check("dump jsonl has the 15300", len(hits) == 1 and hits[0]["provider"] == "Microsoft-Windows-HttpEvent"
          and "0.0.0.0:443" in json.dumps(hits[0]["data"]), hits)

    # dump, XML: well-formed, the same records, and threads change nothing.
    rc, xml_out, err = run("dump", "--format", "xml", evtx)
    evs = events_of_xml(xml_out) if rc == 0 else []
    check("dump xml well-formed, same records", rc == 0 and len(evs) == len(objs)
          and [int(e.find(f"{NS}System/{NS}EventRecordID").text) for e in evs] == ids, f"rc={rc}")
    rc1, one, _ = run("dump", "--format", "xml", "--threads", "1", evtx)
    check("dump --threads 1 same output", rc1 == 0 and one == xml_out)

    # Against libevtx, when it is installed: the same number of records.
    if shutil.which("evtxexport"):
        p = subprocess.run(["evtxexport", "-f", "xml", evtx], capture_output=True, text=True)
        check("dump xml: as many records as evtxexport", p.stdout.count("<Event ") + p.stdout.count("<Event>")
              == len(evs), f"{len(evs)} vs evtxexport")

    # Errors: bad options exit 2; a file that is not .evtx, a truncated one and a legacy .evt
    # exit 1 with one clear message each, and the good file after them is still dumped.
    for args in (["dump"], ["dump", "--format", "csv", evtx], ["dump", "--threads", "0", evtx], ["dump", "--bogus", evtx]):
        rc, out, err = run(*args)
        check("usage error " + " ".join(args[1:]), rc == 2 and out == "" and "evdiag dump" in err, f"rc={rc} {err}")
    data = open(evtx, "rb").read()
    notevtx = os.path.join(tmp, "notes.evtx")
    open(notevtx, "w").write("not a log\n")
    trunc = os.path.join(tmp, "cut.evtx")
    open(trunc, "wb").write(data[:3000])
    legacy = os.path.join(tmp, "old.evt")
    open(legacy, "wb").write(b"\x30\x00\x00\x00LfLe" + bytes(40))
    rc, out, err = run("dump", notevtx, trunc, legacy, evtx)
    check("bad files: exit 1, the good one dumped", rc == 1 and len(out.splitlines()) == len(objs), f"rc={rc}")
    for path, what in ((notevtx, "not an .evtx log"), (trunc, "truncated"), (legacy, ".evt")):
        msgs = [l for l in err.splitlines() if l.startswith(path)]
        check(f"one clear error for {os.path.basename(path)}", len(msgs) == 1 and what in msgs[0], err)

    # A record whose size is damaged: read up to the next record, flagged recovered, with the
    # offset in the warning. A record whose BinXML is garbage: skipped, the others kept.
    first = data.index(b"\x2a\x2a\x00\x00", 4096 + 512)
    for what, at, patch in (("size", first + 4, b"\xff\xff\x00\x00"), ("BinXML", first + 24, b"\xee" * 8)):
        damaged = bytearray(data)
        damaged[at:at + len(patch)] = patch
        dpath = os.path.join(tmp, "damaged.evtx")
        open(dpath, "wb").write(damaged)
        rc, out, err = run("dump", dpath)
        got = {json.loads(l)["record_id"]: json.loads(l) for l in out.splitlines()}
        if what == "size":
            ok = ids[0] in got and got[ids[0]]["recovered"] and "damaged size" in err
        else:
            ok = ids[0] not in got
        check(f"damaged {what}: warned with its offset, the rest kept",
              rc == 0 and ok and set(ids[1:]) <= set(got) and f"offset 0x{first:x}" in err, f"rc={rc} {err}")
    check("input files untouched", open(evtx, "rb").read() == data)

    # The same case from .evtx and from XML: same findings. The XML of iisadmin-confirmed is
    # encoded with the test-only writer; the config and netsh output go along unchanged.
    src = os.path.join(SAMPLES, "iisadmin-confirmed", "WEB01")
    case = os.path.join(tmp, "case", "WEB01")
    os.makedirs(case)
    for f in os.listdir(src):
        if not f.endswith(".xml"):
            shutil.copy(os.path.join(src, f), case)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tools", "xml2evtx.py"), "-q",
                        os.path.join(src, "System.xml"), "-o", os.path.join(case, "System.evtx")],
                       capture_output=True, text=True)
    check("xml2evtx encodes the sample", p.returncode == 0, p.stderr)

    def findings(path):
        rc, out, err = run("diagnose", "--format", "json", path)
        doc = json.loads(out) if out else {"findings": []}
        # Where things were read from differs (the folders, .evtx offsets against XML lines);
        # what was read must not. A .evtx holds no rendered messages: the one-line summaries of
        # events that the rule does not word itself fall back to their values.
        for f in doc["findings"]:
            timeline = [ev for s in f.get("symptoms", []) for ev in s.get("timeline", [])]
            for item in f.get("symptoms", []) + f.get("evidence", []) + timeline:
                item.pop("source", None)
                if item in timeline or item.get("kind") == "aftermath":
                    item.pop("summary", None)
            f.pop("remediation", None)
            for c in (f.get("remedy") or {}).get("config", []):
                c.pop("path", None)
                c.pop("fix_command", None)
        return rc, doc["findings"]

    rc_x, from_xml = findings(os.path.dirname(src))
    rc_e, from_evtx = findings(os.path.dirname(case))
    check("diagnosis from .evtx confirmed", rc_e == 0 and from_evtx and from_evtx[0]["verdict"] == "confirmed",
          from_evtx)
    check("diagnosis from .evtx equals the one from XML", from_xml == from_evtx,
          json.dumps(from_xml)[:300] + " <> " + json.dumps(from_evtx)[:300])

    # The real corpus: every file dumps without a crash; the ones libevtx reads whole give the
    # same count (the differential test of test-evtx-corpus compares values).
    cdir = os.path.join(CORPUS, "evtx")
    if os.path.isdir(cdir):
        bad, modes = [], []
        for f in sorted(os.listdir(cdir)):
            path = os.path.join(cdir, f)
            p = subprocess.run([EVDIAG, "dump", "--threads", "2", path], capture_output=True)
            if p.returncode not in (0, 1) or p.returncode < 0:
                bad.append(f"{f}: rc={p.returncode}")
                continue
            try:
                objs = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]
            except (ValueError, UnicodeDecodeError) as e:
                bad.append(f"{f}: {e}")
                continue
            # Which records are taken and what is warned about depend on the file alone: not on
            # the output format, nor on which thread read which chunk (a template compiled by
            # one worker is reused by another from its cache).
            x = subprocess.run([EVDIAG, "dump", "--format", "xml", "--threads", "2", path], capture_output=True)
            one = subprocess.run([EVDIAG, "dump", "--threads", "1", path], capture_output=True)
            xml_ids = [int(e.find(f"{NS}System/{NS}EventRecordID").text or -1)
                       for e in events_of_xml(x.stdout.decode("utf-8"))] if x.returncode in (0, 1) else None
            if xml_ids != [o["record_id"] if o["record_id"] is not None else -1 for o in objs] \
                    or x.stderr != p.stderr or one.stderr != p.stderr or one.stdout != p.stdout:
                warned = "/".join(str(len(r.stderr.splitlines())) for r in (p, x, one))
                modes.append(f"{f}: {len(objs)} records in JSON, {len(xml_ids or [])} in XML; warnings {warned}")
        check(f"corpus: {len(os.listdir(cdir))} files dump to valid JSON lines", not bad, bad)
        check("corpus: the same records and warnings in JSON and XML, on one thread and two", not modes, modes)
    else:
        print(f"skip corpus: {cdir} not found")
finally:
    shutil.rmtree(tmp)

sys.exit(1 if failures else 0)
