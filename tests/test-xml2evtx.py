#!/usr/bin/env python3
"""The test-only .evtx writer (tests/tools/xml2evtx.py) against both reference parsers.

Usage: test-xml2evtx.py SOURCE_ROOT

Every event XML file of the sample cases is encoded (as Windows lays a log out, and with
--flat), then read back with libevtx (`evtxexport -f xml`, `evtxinfo`) and python-evtx
(`evtx_dump.py`): both must read every event, with no error, and give the values of the input
event by event (record ids, times, event ids, qualifiers, levels, providers, channels,
computers, every attribute, every Data name and value, binary data, UserData). The file layout
is checked on its own too: header and chunk checksums, record sizes and their copies, first and
last numbers and ids, the string and template tables, templates shared across events. Also:
a file of several chunks, a single-event file with awkward values, UserData, and the
committed sample-logs/iisadmin-evtx/WEB05/System.evtx.

Known differences of the references, allowed here and nowhere else:
- python-evtx turns FILETIME into a float before a datetime: its times are microseconds, off by
  up to a few; they are compared within 3 us (libevtx's to the 100 ns).
- python-evtx writes binary data in base64, libevtx in hex; GUIDs differ in case; Keywords in
  padding.
- libevtx 20181227 does not escape '&' in attribute values, and decodes a UTF-16 surrogate
  pair wrongly: its output is repaired for the first, and a value outside the BMP is compared
  with python-evtx only.

Exits 77 (skipped) when evtxexport, evtxinfo or evtx_dump.py is missing.
"""
import base64
import copy
import datetime as dt
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
WRITER = os.path.join(ROOT, "tests", "tools", "xml2evtx.py")
NS = "http://schemas.microsoft.com/win/2004/08/events/event"
failures = []

for tool in ("evtxexport", "evtxinfo", "evtx_dump.py"):
    if not shutil.which(tool):
        print(f"SKIP: {tool} is not installed (packages libevtx-utils and python3-evtx; scripts/setup installs them)")
        sys.exit(77)


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)
    return cond


# ---- canonical events ------------------------------------------------------------------------

NUMERIC = {"EventID", "EventID@Qualifiers", "Version", "Level", "Task", "Opcode", "EventRecordID",
           "Execution@ProcessID", "Execution@ThreadID"}
GUIDS = {"Provider@Guid", "Correlation@ActivityID", "Correlation@RelatedActivityID"}
EPOCH = dt.datetime(1601, 1, 1)


def ticks_of(text):
    """100 ns ticks of an ISO time (7 or 9 fraction digits, 'Z'), or of python-evtx's
    'YYYY-MM-DD HH:MM:SS[.ffffff]'."""
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$", text)
    if not m:
        return text
    when = dt.datetime(*(int(m.group(i)) for i in range(1, 7)))
    d = when - EPOCH
    return (d.days * 86400 + d.seconds) * 10_000_000 + int((m.group(7) or "")[:7].ljust(7, "0"))


def local(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def norm(key, value, binary_decode):
    """A value as compared: numbers as numbers, times as ticks, GUIDs lower case, binary as
    bytes."""
    if key in NUMERIC:
        return int(value)
    if key == "Keywords":
        return int(value, 16)
    if key == "TimeCreated@SystemTime":
        return ("time", ticks_of(value))
    if key in GUIDS:
        return value.lower()
    if key == "Binary":
        return binary_decode(value.strip())
    return value


def canon(ev, binary_decode):
    """An <Event> as a list of (path, value): every attribute and the text of every leaf, in
    document order; whitespace between elements ignored, RenderingInfo dropped."""
    out = []

    def walk(e, path):
        tag = e.tag if not e.tag.startswith("{" + NS + "}") else local(e.tag)
        if tag == "RenderingInfo":
            return
        p = path + "/" + tag
        if tag == "Data" and e.get("Name") is not None:
            p += "[" + e.get("Name") + "]"
        for a, v in e.attrib.items():
            out.append((p + "@" + a, norm(tag + "@" + a, v, binary_decode)))
        if len(e):
            if e.text and e.text.strip():
                out.append((p + "#text", e.text))
            for c in e:
                walk(c, p)
                if c.tail and c.tail.strip():
                    out.append((p + "#tail", c.tail))
        else:
            out.append((p, norm(tag, e.text or "", binary_decode)))

    walk(ev, "")
    return out


def record_id(ev):
    for s in ev:
        if local(s.tag) == "System":
            for c in s:
                if local(c.tag) == "EventRecordID":
                    return int(c.text)
    return None


def event_id(ev):
    for e in ev.iter("{%s}EventID" % NS):
        return int(e.text)
    return None


def data(ev):
    return {d.get("Name"): d.text or "" for d in ev.iter("{%s}Data" % NS)}


def input_events(path):
    raw = open(path, "rb").read()
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    root = ET.fromstring("<root>" + text + "</root>")
    evs = [e for e in root.iter("{%s}Event" % NS)]
    return sorted(evs, key=record_id)


def hex_bytes(s):
    return bytes.fromhex(s)


def b64_bytes(s):
    return base64.b64decode(s)


def run(args):
    p = subprocess.run(args, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def libevtx_events(path):
    rc, out, err = run(["evtxexport", "-f", "xml", path])
    body = out.split("\n", 1)[1] if out.startswith("evtxexport") else out
    # libevtx leaves '&' unescaped in attribute values.
    body = re.sub(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)", "&amp;", body)
    try:
        evs = list(ET.fromstring("<root>" + body + "</root>").iter("{%s}Event" % NS))
    except ET.ParseError as e:
        return rc, err + f"\n(output not well-formed: {e})", []
    return rc, err, evs


def pyevtx_events(path):
    rc, out, err = run(["evtx_dump.py", path])
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", out)
    try:
        evs = list(ET.fromstring(body).iter("{%s}Event" % NS))
    except ET.ParseError as e:
        return rc, err + f"\n(output not well-formed: {e})", []
    return rc, err, evs


def non_bmp(v):
    return isinstance(v, str) and any(ord(ch) > 0xFFFF for ch in v)


def compare(name, want_events, got_events, parser):
    """Event by event, value by value; python-evtx times within 3 us."""
    if not check(f"{name}: {parser} reads {len(want_events)} events", len(got_events) == len(want_events),
                 f"read {len(got_events)}"):
        return
    decode = hex_bytes if parser == "libevtx" else b64_bytes
    bad = []
    for i, (w, g) in enumerate(zip(want_events, got_events)):
        cw, cg = canon(w, hex_bytes), canon(g, decode)
        if len(cw) != len(cg) or [p for p, _ in cw] != [p for p, _ in cg]:
            bad.append(f"event {i} (record {record_id(w)}): structure {[p for p, _ in cw]} != {[p for p, _ in cg]}")
            continue
        for (p, vw), (_, vg) in zip(cw, cg):
            if isinstance(vw, tuple) and vw[0] == "time":
                ok = vw == vg if parser == "libevtx" else isinstance(vg[1], int) and abs(vw[1] - vg[1]) <= 30
            elif parser == "libevtx" and non_bmp(vw):
                ok = True
            else:
                ok = vw == vg
            if not ok:
                bad.append(f"event {i} (record {record_id(w)}) {p}: {vw!r} != {vg!r}")
    check(f"{name}: {parser} gives the input's values", not bad, "; ".join(bad[:5]) + (" ..." if len(bad) > 5 else ""))


# ---- the layout, checked byte by byte --------------------------------------------------------

def name_hash(s):
    h = 0
    for (w,) in struct.iter_unpack("<H", s.encode("utf-16-le")):
        h = (h * 65599 + w) & 0xFFFFFFFF
    return h & 0xFFFF


def layout_problems(path, want_ids):
    """What is wrong in the file's structure (empty when nothing); also the number of template
    definitions and of records whose template was defined by an earlier record."""
    d = open(path, "rb").read()
    p = []
    if d[:8] != b"ElfFile\0":
        return ["no file signature"], 0
    first, last, next_id, hsize, minor, major, block, nchunks = struct.unpack_from("<QQQIHHHH", d, 8)
    flags, crc = struct.unpack_from("<II", d, 120)
    if crc != zlib.crc32(d[:120]):
        p.append("file header CRC")
    if (hsize, major, block, flags) != (128, 3, 4096, 0) or minor not in (1, 2):
        p.append(f"file header fields {(hsize, major, minor, block, flags)}")
    if len(d) != 4096 + nchunks * 65536 or (first, last) != (0, nchunks - 1):
        p.append(f"chunk count {nchunks}, chunks {first}..{last}, size {len(d)}")
    if next_id != want_ids[-1] + 1:
        p.append(f"next record id {next_id}")
    ids, number, templates, reused = [], 1, 0, 0
    for ci in range(nchunks):
        c = d[4096 + ci * 65536:4096 + (ci + 1) * 65536]
        where = f"chunk {ci}"
        if c[:8] != b"ElfChnk\0":
            p.append(where + ": signature")
            continue
        fnum, lnum, fid, lid, chsize, last_off, free, rcrc = struct.unpack_from("<QQQQIIII", c, 8)
        cflags, ccrc = struct.unpack_from("<II", c, 120)
        if ccrc != zlib.crc32(c[:120] + c[128:512]):
            p.append(where + ": header CRC")
        if not 512 < free <= 65536 or rcrc != zlib.crc32(c[512:free]):
            p.append(where + ": records CRC")
        if c[free:].strip(b"\0"):
            p.append(where + ": bytes after the free space")
        if (chsize, cflags) != (128, 1):
            p.append(where + f": header size {chsize}, flags {cflags}")
        off, cids, offs = 512, [], []
        while off < free:
            size = struct.unpack_from("<I", c, off + 4)[0]
            if c[off:off + 4] != b"**\0\0" or size < 32 or size % 8 or off + size > free \
                    or struct.unpack_from("<I", c, off + size - 4)[0] != size:
                p.append(where + f": record at {off}")
                break
            cids.append(struct.unpack_from("<Q", c, off + 8)[0])
            offs.append(off)
            # Fragment header, then the template instance: 0x0C 0x01, id, definition offset;
            # a definition elsewhere is one this record shares.
            if c[off + 24:off + 30] != b"\x0f\x01\x01\x00\x0c\x01":
                p.append(where + f": record at {off} does not start with a template instance")
            elif struct.unpack_from("<I", c, off + 34)[0] != off + 38:
                reused += 1
            off += size
        if not cids:
            p.append(where + ": no record")
            continue
        if (fid, lid, last_off) != (cids[0], cids[-1], offs[-1]):
            p.append(where + f": first/last ids {fid}/{lid}, last offset {last_off}")
        if (fnum, lnum) != (number, number + len(cids) - 1):
            p.append(where + f": record numbers {fnum}..{lnum}")
        number += len(cids)
        ids += cids
        # String table: every name in its bucket, hash right, each name once.
        seen = set()
        for b in range(64):
            o = struct.unpack_from("<I", c, 128 + 4 * b)[0]
            while o:
                if not 512 <= o < free or o in seen:
                    p.append(where + f": string table bucket {b}")
                    break
                seen.add(o)
                h, n = struct.unpack_from("<HH", c, o + 4)
                s = c[o + 8:o + 8 + 2 * n].decode("utf-16-le")
                if name_hash(s) != h or h % 64 != b or c[o + 8 + 2 * n:o + 10 + 2 * n] != b"\0\0":
                    p.append(where + f": name {s!r} in bucket {b}")
                o = struct.unpack_from("<I", c, o)[0]
        names = [c[o + 8:o + 8 + 2 * struct.unpack_from("<H", c, o + 6)[0]].decode("utf-16-le") for o in seen]
        if len(names) != len(set(names)):
            p.append(where + ": a name written twice")
        # Template table: each definition once, in the bucket of its GUID.
        tseen = set()
        for b in range(32):
            o = struct.unpack_from("<I", c, 384 + 4 * b)[0]
            while o:
                if not 512 <= o < free or o in tseen:
                    p.append(where + f": template table bucket {b}")
                    break
                tseen.add(o)
                guid = c[o + 4:o + 20]
                h = 0
                for (w,) in struct.iter_unpack("<H", guid):
                    h = (h * 65599 + w) & 0xFFFFFFFF
                size = struct.unpack_from("<I", c, o + 20)[0]
                body = c[o + 24:o + 24 + size]
                if h % 32 != b or body[:4] != b"\x0f\x01\x01\x00" or body[-1:] != b"\0" \
                        or struct.unpack_from("<I", c, o - 4)[0] != o:
                    p.append(where + f": template at {o}")
                o = struct.unpack_from("<I", c, o)[0]
        templates += len(tseen)
        guids = [c[o + 4:o + 20] for o in tseen]
        if len(guids) != len(set(guids)):
            p.append(where + ": a template defined twice")
    if ids != want_ids:
        p.append("record ids differ from the input's")
    return p, templates, reused


def evtxinfo_problems(path):
    rc, out, err = run(["evtxinfo", path])
    bad = []
    if rc != 0 or err.strip():
        bad.append(f"rc={rc} {err.strip()[:200]}")
    if "Is corrupted" in out:
        bad.append("evtxinfo says: Is corrupted")
    return bad, out


# ---- one case --------------------------------------------------------------------------------

def roundtrip(name, xml_paths, tmp, extra=(), want_chunks=None, shared_templates=True):
    out = os.path.join(tmp, re.sub(r"[^A-Za-z0-9]+", "-", name) + ".evtx")
    rc, so, se = run([sys.executable, WRITER, "--quiet", *extra, *xml_paths, "-o", out])
    if not check(f"{name}: written", rc == 0 and not se.strip(), se.strip()[:300]):
        return None
    want = sorted((e for p in xml_paths for e in input_events(p)), key=record_id)
    ids = [record_id(e) for e in want]
    problems, templates, reused = layout_problems(out, ids)
    check(f"{name}: layout (checksums, sizes, ids, tables)", not problems, "; ".join(problems[:6]))
    nchunks = (os.path.getsize(out) - 4096) // 65536
    if want_chunks is not None:
        check(f"{name}: {nchunks} chunks", want_chunks(nchunks), f"{nchunks} chunks")
    if shared_templates and len(want) > 1:
        check(f"{name}: templates shared ({templates} definitions; {reused} of {len(want)} records use an earlier one)",
              reused > 0 and reused + templates >= len(want))
    bad, _ = evtxinfo_problems(out)
    check(f"{name}: evtxinfo finds it sound", not bad, "; ".join(bad))
    for parser, read in (("libevtx", libevtx_events), ("python-evtx", pyevtx_events)):
        rc, err, got = read(out)
        check(f"{name}: {parser} reads without error", rc == 0 and not err.strip(), f"rc={rc} {err.strip()[:300]}")
        compare(name, want, got, parser)
    return out


def write_wevtutil(path, events):
    ET.register_namespace("", NS)
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(ET.tostring(e, encoding="unicode") + "\n")


def main():
    tmp = tempfile.mkdtemp(prefix="evdiag-xml2evtx-")
    try:
        samples = sorted(p for p in glob.glob(os.path.join(ROOT, "sample-logs", "*", "*", "*.xml")))
        check("sample cases hold event XML", len(samples) >= 3, str(samples))
        for p in samples:
            rel = os.path.relpath(p, os.path.join(ROOT, "sample-logs"))
            roundtrip(rel, [p], tmp)
            roundtrip(rel + " --flat", [p], tmp, extra=["--flat"])

        # Several chunks: a sample repeated with increasing record ids (wevtutil layout), and
        # every chunk with its own string and template tables. Format 3.2.
        base = input_events(os.path.join(ROOT, "sample-logs", "iisadmin-confirmed", "WEB01", "System.xml"))
        many = []
        rid = 1
        while len(many) < 3000:
            for e in base:
                c = copy.deepcopy(e)
                for r in c.iter("{%s}EventRecordID" % NS):
                    r.text = str(rid)
                many.append(c)
                rid += 1
        big = os.path.join(tmp, "many.xml")
        write_wevtutil(big, many)
        roundtrip("3000+ events", [big], tmp, extra=["--minor", "2"], want_chunks=lambda n: n >= 10)

        # One event, with values that need care: escaping, non-ASCII and a surrogate pair,
        # whitespace, an empty Data, unnamed Data, maximal integers, a 100 ns time, a SID.
        one = os.path.join(tmp, "one.xml")
        with open(one, "w", encoding="utf-8") as f:
            f.write(
                f"<Event xmlns='{NS}'><System><Provider Name='Test &amp; Co' Guid='{{12345678-1234-5678-9abc-def012345678}}'/>"
                "<EventID Qualifiers='65535'>65535</EventID><Version>255</Version><Level>2</Level><Task>65535</Task>"
                "<Opcode>3</Opcode><Keywords>0xffffffffffffffff</Keywords>"
                "<TimeCreated SystemTime='1999-12-31T23:59:59.9999999Z'/><EventRecordID>18446744073709551614</EventRecordID>"
                "<Correlation ActivityID='{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}'/><Execution ProcessID='4294967295' ThreadID='0'/>"
                "<Channel>Application</Channel><Computer>h\u00f6st-\u00fcnicode</Computer>"
                "<Security UserID='S-1-5-21-3623811015-3361044348-30300820-1013'/></System>"
                "<EventData><Data Name='a'>x &amp; y &lt;z&gt; \"q\" 'r'</Data><Data Name='b'></Data>"
                "<Data Name='c'>\u00e9\u20ac\U0001D11E tab\tend</Data><Data>  spaces  </Data><Data/>"
                "<Binary>00FF10</Binary></EventData></Event>\n")
        roundtrip("single event", [one], tmp, want_chunks=lambda n: n == 1)
        roundtrip("single event --flat", [one], tmp, extra=["--flat"], want_chunks=lambda n: n == 1)

        # UserData (its own namespace), Save-As layout in UTF-16, two events of one shape.
        ud = os.path.join(tmp, "userdata.xml")
        ev = ("<Event xmlns='%s'><System><Provider Name='Microsoft-Windows-Eventlog' Guid='{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}'/>"
              "<EventID>104</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode>"
              "<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2024-01-02T03:04:05.123456700Z'/>"
              "<EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID='1' ThreadID='2'/><Channel>System</Channel>"
              "<Computer>H</Computer><Security UserID='S-1-5-18'/></System><UserData>"
              "<LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>"
              "<SubjectUserName>%s</SubjectUserName><SubjectDomainName>DOM</SubjectDomainName><Channel>System</Channel>"
              "<BackupPath/></LogFileCleared></UserData>"
              "<RenderingInfo Culture='en-US'><Message>The System log file was cleared.</Message></RenderingInfo></Event>")
        with open(ud, "wb") as f:
            f.write(b"\xff\xfe" + ('<?xml version="1.0" encoding="utf-16"?>\n<Events>' + ev % (NS, 8, "alice")
                                   + ev % (NS, 7, "bob") + "</Events>").encode("utf-16-le"))
        roundtrip("UserData", [ud], tmp)

        # The committed .evtx case: both references read it whole, it holds the story.
        case = os.path.join(ROOT, "sample-logs", "iisadmin-evtx", "WEB05", "System.evtx")
        if check("iisadmin-evtx: System.evtx present", os.path.exists(case)):
            check("iisadmin-evtx: under 100 KiB", os.path.getsize(case) < 100 * 1024)
            bad, info = evtxinfo_problems(case)
            check("iisadmin-evtx: evtxinfo finds it sound", not bad, "; ".join(bad))
            counts = []
            for parser, read in (("libevtx", libevtx_events), ("python-evtx", pyevtx_events)):
                rc, err, got = read(case)
                check(f"iisadmin-evtx: {parser} reads without error", rc == 0 and not err.strip(), err.strip()[:300])
                counts.append(len(got))
                ids = [record_id(e) for e in got]
                check(f"iisadmin-evtx: {parser}: ids increase by one",
                      bool(ids) and ids == list(range(ids[0], ids[0] + len(ids))))
                e15300 = [e for e in got if event_id(e) == 15300 and data(e).get("Endpoint") == "0.0.0.0:443"]
                launch = [e for e in got if event_id(e) == 7036 and data(e).get("param1") == "IIS Admin Service"]
                check(f"iisadmin-evtx: {parser}: one 15300 for 0.0.0.0:443 after the IIS Admin Service starts",
                      len(e15300) == 1 and len(launch) == 1 and record_id(launch[0]) < record_id(e15300[0]),
                      f"{len(e15300)} 15300, {len(launch)} launches")
            m = re.search(r"Number of records\s*:\s*(\d+)", info)
            check("iisadmin-evtx: same count everywhere", m is not None and counts == [int(m.group(1))] * 2,
                  f"evtxinfo {m.group(1) if m else '?'}, parsers {counts}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
