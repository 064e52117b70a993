#!/usr/bin/env python3
"""xml2evtx: encode exported Windows event XML into an .evtx file laid out as Windows writes it.

Usage: xml2evtx.py [--flat] [--minor 1|2] [--quiet] IN.xml... -o OUT.evtx

A test-only tool: the .evtx reader needs files holding events that no public log has (a 15300
from HTTP.sys), and those files must be what Windows writes, not what a reader happens to accept.

Input: Event Viewer "Save All Events As" XML (an <Events> root) or `wevtutil qe /f:xml` output
(one <Event> a line, no root element), in UTF-8 or UTF-16 with a BOM. Every <Event> is read;
<RenderingInfo> is dropped (a log file holds no messages). Events are written in EventRecordID
order (Save-As files are newest first); an event without one gets the next free id.

Output, following libyal's "Windows XML Event Log (EVTX) format" and [MS-EVEN6]:
- a 4096-byte file header (version 3.1, or 3.2 with --minor 2; chunk count, next record id,
  clean flags, CRC32 of its first 120 bytes) and 64 KiB chunks, no trailing space;
- chunks with first/last record numbers and ids, the last record's offset, the free-space
  offset, the records CRC32 (bytes 512 up to the free space), the header CRC32 (bytes 0-119 and
  128-511), the flag word Windows sets (1), the 64-bucket string table (name hash % 64, chained
  newest first through each name's "next" field) and the 32-bucket template table (hash of the
  template GUID % 32, chained the same way);
- records (magic, size, id, written time = TimeCreated, BinXML, zero padding to 8 bytes, size
  copy) whose BinXML is a fragment holding one template instance (token 0x0C);
- templates as Windows builds them: the System element with optional substitutions (0x0E) at
  the indices Windows uses (0 Level, 1 Opcode, 2 Task, 3 EventID, 4 Qualifiers, 5 Keywords,
  6 SystemTime, 7 ActivityID, 8 ProcessID, 9 ThreadID, 10 EventRecordID, 11 Version, 12 UserID,
  13 RelatedActivityID, 14 Provider Name, 15 Provider Guid, 16 Channel) and their Windows types
  (UInt8/UInt16/UInt32/UInt64, HexInt64, FILETIME, GUID, SID, UTF-16 string); Computer, the
  EventSourceName and the namespace are literal text of the template, as in Windows' own files;
  every element whose content is an optional substitution names it as its dependency;
- the event's EventData (or UserData, or any other child of <Event>) as Windows writes it by
  default: a substitution of type BinXml (0x21) at the index after the System values, whose
  value is a fragment with its own template instance: <Data Name='...'> names are literal,
  each Data value is a normal substitution (0x0D) of a UTF-16 string, <Binary> an optional
  substitution of binary type (the XML's hex turned back into bytes). With --flat, the
  EventData structure is part of the one event template instead (no nested BinXML).

A template definition is written once per chunk, where first used (inline, after the instance
header), and referenced by offset afterwards; templates are keyed by structure (names, literal
text, substitution indices and types), so every event of a given shape shares one. Names go
through the chunk's string table: written inline the first time, then shared by offset.

Limits: namespace prefixes other than the default one are not kept (UserData elements get an
xmlns="..." of their resolved namespace); Data values are always strings (Windows writes the
manifest's types); an array of values is written as repeated elements; a time finer than 100 ns
or a value that does not fit its Windows type is written as a string, with a warning; a record
must fit in one chunk. Standard library only.
"""
import argparse
import datetime as dt
import hashlib
import os
import re
import struct
import sys
import uuid
import xml.etree.ElementTree as ET
import zlib

EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"

FILE_HEADER_SIZE = 4096
CHUNK_SIZE = 65536
CHUNK_HEADER_SIZE = 512
RECORD_ALIGN = 8

# BinXML tokens.
TOK_EOF = 0x00
TOK_OPEN_START = 0x01
TOK_CLOSE_START = 0x02
TOK_CLOSE_EMPTY = 0x03
TOK_END_ELEMENT = 0x04
TOK_VALUE = 0x05
TOK_ATTRIBUTE = 0x06
TOK_TEMPLATE_INSTANCE = 0x0C
TOK_NORMAL_SUBST = 0x0D
TOK_OPTIONAL_SUBST = 0x0E
TOK_FRAGMENT_HEADER = 0x0F
TOK_MORE = 0x40
FRAGMENT_HEADER = bytes([TOK_FRAGMENT_HEADER, 1, 1, 0])

# Value types.
T_NULL = 0x00
T_STRING = 0x01
T_UINT8 = 0x04
T_UINT16 = 0x06
T_UINT32 = 0x08
T_UINT64 = 0x0A
T_BINARY = 0x0E
T_GUID = 0x0F
T_FILETIME = 0x11
T_SID = 0x13
T_HEXINT64 = 0x15
T_BINXML = 0x21

# System values: (element, attribute or None for the text) -> (substitution index, type), the
# indices and types of the System template Windows compiles for every event.
SYSTEM_SLOTS = {
    ("Level", None): (0, T_UINT8),
    ("Opcode", None): (1, T_UINT8),
    ("Task", None): (2, T_UINT16),
    ("EventID", None): (3, T_UINT16),
    ("EventID", "Qualifiers"): (4, T_UINT16),
    ("Keywords", None): (5, T_HEXINT64),
    ("TimeCreated", "SystemTime"): (6, T_FILETIME),
    ("Correlation", "ActivityID"): (7, T_GUID),
    ("Execution", "ProcessID"): (8, T_UINT32),
    ("Execution", "ThreadID"): (9, T_UINT32),
    ("EventRecordID", None): (10, T_UINT64),
    ("Version", None): (11, T_UINT8),
    ("Security", "UserID"): (12, T_SID),
    ("Correlation", "RelatedActivityID"): (13, T_GUID),
    ("Provider", "Name"): (14, T_STRING),
    ("Provider", "Guid"): (15, T_GUID),
    ("Channel", None): (16, T_STRING),
}
SYSTEM_SLOT_COUNT = 17
# Parts of System that Windows writes as literal text of the template.
SYSTEM_LITERALS = {("Computer", None), ("Provider", "EventSourceName")}
# Other values Windows writes typed (Execution of kernel events and newer systems).
SYSTEM_EXTRA_TYPES = {
    ("Execution", "ProcessorID"): T_UINT8,
    ("Execution", "SessionID"): T_UINT32,
    ("Execution", "KernelTime"): T_UINT32,
    ("Execution", "UserTime"): T_UINT32,
    ("Execution", "ProcessorTime"): T_UINT64,
}

FILETIME_EPOCH = dt.datetime(1601, 1, 1)
TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


class EncodeError(Exception):
    pass


def warn(msg):
    print("xml2evtx: warning: " + msg, file=sys.stderr)


def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def utf16(s):
    return s.encode("utf-16-le", "surrogatepass")


def name_hash(name):
    """The 16-bit hash of a BinXML name: h = h * 65599 + code unit, over its UTF-16 units."""
    h = 0
    data = utf16(name)
    for i in range(0, len(data), 2):
        h = (h * 65599 + data[i] + (data[i + 1] << 8)) & 0xFFFFFFFF
    return h & 0xFFFF


def guid_bucket(guid):
    """Template table bucket: the same hash over the GUID's eight 16-bit words, mod 32."""
    h = 0
    for (w,) in struct.iter_unpack("<H", guid):
        h = (h * 65599 + w) & 0xFFFFFFFF
    return h % 32


# ---- values ----------------------------------------------------------------------------------

def parse_filetime(text):
    m = TIME_RE.match(text.strip())
    if not m:
        raise ValueError("not a time")
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7) or ""
    if frac[7:].strip("0"):
        raise ValueError("finer than 100 ns")
    ticks = int(frac[:7].ljust(7, "0"))
    when = dt.datetime(y, mo, d, h, mi, s)
    zone = m.group(8)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        zh, zm = int(zone[1:3]), int(zone[-2:])
        when -= sign * dt.timedelta(hours=zh, minutes=zm)
    delta = when - FILETIME_EPOCH
    return ((delta.days * 86400 + delta.seconds) * 10_000_000) + ticks


def encode_sid(text):
    parts = text.strip().split("-")
    if len(parts) < 3 or parts[0].upper() != "S":
        raise ValueError("not a SID")
    rev = int(parts[1])
    auth = int(parts[2], 0)
    subs = [int(p) for p in parts[3:]]
    if not (0 <= rev < 256 and 0 <= auth < (1 << 48) and len(subs) <= 15
            and all(0 <= x < (1 << 32) for x in subs)):
        raise ValueError("SID out of range")
    return bytes([rev, len(subs)]) + auth.to_bytes(6, "big") + b"".join(u32(x) for x in subs)


def encode_uint(text, bits):
    t = text.strip()
    v = int(t, 16) if t.lower().startswith("0x") else int(t, 10)
    if not 0 <= v < (1 << bits):
        raise ValueError("out of range")
    return v.to_bytes(bits // 8, "little")


def encode_typed(text, vtype, where):
    """(type, bytes) of a value of the given Windows type; a string when it does not parse."""
    try:
        if vtype == T_STRING:
            return T_STRING, utf16(text)
        if vtype == T_UINT8:
            return vtype, encode_uint(text, 8)
        if vtype == T_UINT16:
            return vtype, encode_uint(text, 16)
        if vtype == T_UINT32:
            return vtype, encode_uint(text, 32)
        if vtype in (T_UINT64, T_HEXINT64):
            return vtype, encode_uint(text, 64)
        if vtype == T_FILETIME:
            return vtype, u64(parse_filetime(text))
        if vtype == T_GUID:
            return vtype, uuid.UUID(text.strip()).bytes_le
        if vtype == T_SID:
            return vtype, encode_sid(text)
        if vtype == T_BINARY:
            return vtype, bytes.fromhex(text.strip())
    except ValueError as e:
        warn(f"{where}: {text!r} written as a string ({e})")
        return T_STRING, utf16(text)
    raise AssertionError(vtype)


# ---- the event as a template and its values --------------------------------------------------

class Elem:
    """An element of a template: name, attributes [(name, content)], content [item]; an item
    is ("text", literal), ("subst", index, type, optional) or an Elem."""
    __slots__ = ("name", "attrs", "content")

    def __init__(self, name):
        self.name, self.attrs, self.content = name, [], []

    def key(self):
        return (self.name, tuple((n, c) for n, c in self.attrs),
                tuple(c.key() if isinstance(c, Elem) else c for c in self.content))

    def dependency(self):
        """Windows names, as an element's dependency, the optional substitution it holds."""
        for c in self.content:
            if not isinstance(c, Elem) and c[0] == "subst" and c[3]:
                return c[1]
        return 0xFFFF


class Nested:
    """A BinXml substitution value: a fragment with its own template instance."""
    __slots__ = ("tree", "values")

    def __init__(self, tree, values):
        self.tree, self.values = tree, values


def split_tag(tag):
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return ns, local
    return "", tag


def has_children(e):
    return len(e) > 0


class EventBuilder:
    """Turns one <Event> element into (template tree, substitution values)."""

    def __init__(self, flat, where):
        self.flat = flat
        self.where = where
        self.values = [None] * SYSTEM_SLOT_COUNT

    def add(self, values, vtype, data):
        values.append((vtype, data))
        return len(values) - 1

    def build(self, ev):
        ns, local = split_tag(ev.tag)
        root = Elem(local)
        if ns:
            root.attrs.append(("xmlns", ("text", ns)))
        for child in ev:
            cns, clocal = split_tag(child.tag)
            if clocal == "RenderingInfo":
                continue
            if clocal == "System" and cns == ns:
                root.content.append(self.system(child, ns))
            elif self.flat:
                root.content.append(self.generic(child, ns, self.values))
            else:
                inner_values = []
                tree = self.generic(child, ns, inner_values)
                idx = self.add(self.values, T_BINXML, Nested(tree, inner_values))
                root.content.append(("subst", idx, T_BINXML, True))
        self.check_text(ev, "Event")
        values = [v if v is not None else (T_NULL, b"") for v in self.values]
        return root, values

    def check_text(self, e, what):
        for t in [e.text] + [c.tail for c in e]:
            if t and t.strip():
                warn(f"{self.where}: text {t.strip()[:30]!r} between the elements of <{what}> dropped")

    def system(self, sysel, ns):
        out = Elem("System")
        for child in sysel:
            cns, name = split_tag(child.tag)
            el = Elem(name)
            if cns != ns:
                el.attrs.append(("xmlns", ("text", cns)))
            for aname, aval in child.attrib.items():
                el.attrs.append((split_tag(aname)[1], self.system_value(name, split_tag(aname)[1], aval)))
            if has_children(child):
                warn(f"{self.where}: the child elements of System/{name} dropped")
            if child.text:
                el.content.append(self.system_value(name, None, child.text))
            out.content.append(el)
        self.check_text(sysel, "System")
        return out

    def system_value(self, elem, attr, text):
        where = f"{self.where}: System/{elem}" + (f"@{attr}" if attr else "")
        if (elem, attr) in SYSTEM_LITERALS:
            return ("text", text)
        if (elem, attr) in SYSTEM_SLOTS:
            idx, vtype = SYSTEM_SLOTS[(elem, attr)]
            self.values[idx] = encode_typed(text, vtype, where)
            return ("subst", idx, self.values[idx][0], True)
        vtype, data = encode_typed(text, SYSTEM_EXTRA_TYPES.get((elem, attr), T_STRING), where)
        idx = self.add(self.values, vtype, data)
        return ("subst", idx, vtype, True)

    def generic(self, e, parent_ns, values):
        """EventData, UserData and the like: names, Data/@Name and xmlns are literal; every
        other attribute and every text is a substitution (Binary: binary, else string)."""
        ns, name = split_tag(e.tag)
        el = Elem(name)
        if ns != parent_ns:
            el.attrs.append(("xmlns", ("text", ns)))
        for aname, aval in e.attrib.items():
            _, alocal = split_tag(aname)
            if name == "Data" and alocal == "Name":
                el.attrs.append((alocal, ("text", aval)))
            else:
                idx = self.add(values, T_STRING, utf16(aval))
                el.attrs.append((alocal, ("subst", idx, T_STRING, False)))
        if has_children(e):
            if e.text and e.text.strip():
                el.content.append(("subst", self.add(values, T_STRING, utf16(e.text)), T_STRING, False))
            for c in e:
                el.content.append(self.generic(c, ns, values))
                if c.tail and c.tail.strip():
                    el.content.append(("subst", self.add(values, T_STRING, utf16(c.tail)), T_STRING, False))
        elif name == "Binary":
            vtype, data = encode_typed(e.text or "", T_BINARY, f"{self.where}: {name}")
            el.content.append(("subst", self.add(values, vtype, data), vtype, True))
        elif name == "Data" or e.text:
            # A Data element always carries its value, empty or not, as Windows writes it.
            el.content.append(("subst", self.add(values, T_STRING, utf16(e.text or "")), T_STRING, False))
        return el


# ---- chunks ----------------------------------------------------------------------------------

class ChunkFull(Exception):
    pass


class Chunk:
    def __init__(self):
        self.buf = bytearray(CHUNK_SIZE)
        self.pos = CHUNK_HEADER_SIZE
        self.names = {}
        self.name_heads = [0] * 64
        self.templates = {}
        self.template_heads = [0] * 32
        self.records = []          # (offset, record id)
        self.template_count = 0

    def snapshot(self):
        return (dict(self.names), list(self.name_heads), dict(self.templates),
                list(self.template_heads), self.template_count)

    def restore(self, snap):
        (self.names, self.name_heads, self.templates, self.template_heads,
         self.template_count) = snap


class Encoder:
    """Writes BinXML into a bytearray that will sit at chunk offset `base`."""

    def __init__(self, chunk, base):
        self.chunk = chunk
        self.base = base
        self.out = bytearray()

    def here(self):
        return self.base + len(self.out)

    def name(self, name):
        c = self.chunk
        off = c.names.get(name)
        if off is not None:
            self.out += u32(off)
            return
        off = self.here() + 4
        h = name_hash(name)
        data = utf16(name)
        if len(data) // 2 > 0xFFFF:
            raise EncodeError(f"name too long: {name[:40]!r}")
        self.out += u32(off)
        self.out += u32(c.name_heads[h % 64]) + u16(h) + u16(len(data) // 2) + data + b"\0\0"
        c.names[name] = off
        c.name_heads[h % 64] = off

    def item(self, it, more=False):
        if it[0] == "text":
            data = utf16(it[1])
            if len(data) // 2 > 0xFFFF:
                raise EncodeError("literal text too long")
            self.out += bytes([TOK_VALUE | (TOK_MORE if more else 0), T_STRING]) + u16(len(data) // 2) + data
        else:
            _, idx, vtype, optional = it
            self.out += bytes([TOK_OPTIONAL_SUBST if optional else TOK_NORMAL_SUBST]) + u16(idx) + u8(vtype)

    def element(self, el):
        o = self.out
        o += bytes([TOK_OPEN_START | (TOK_MORE if el.attrs else 0)]) + u16(el.dependency())
        size_at = len(o)
        o += u32(0)
        self.name(el.name)
        if el.attrs:
            list_at = len(o)
            o += u32(0)
            for i, (aname, content) in enumerate(el.attrs):
                o += bytes([TOK_ATTRIBUTE | (TOK_MORE if i + 1 < len(el.attrs) else 0)])
                self.name(aname)
                self.item(content)
            struct.pack_into("<I", o, list_at, len(o) - list_at - 4)
        if el.content:
            o += bytes([TOK_CLOSE_START])
            for i, c in enumerate(el.content):
                if isinstance(c, Elem):
                    self.element(c)
                else:
                    nxt = el.content[i + 1] if i + 1 < len(el.content) else None
                    self.item(c, more=c[0] == "text" and isinstance(nxt, tuple) and nxt[0] == "text")
            o += bytes([TOK_END_ELEMENT])
        else:
            o += bytes([TOK_CLOSE_EMPTY])
        struct.pack_into("<I", o, size_at, len(o) - size_at - 4)

    def template_instance(self, tree, values):
        c = self.chunk
        key = tree.key()
        o = self.out
        o += bytes([TOK_TEMPLATE_INSTANCE, 0x01])
        known = c.templates.get(key)
        if known:
            def_off, tid = known
            o += u32(tid) + u32(def_off)
        else:
            guid = hashlib.sha256(repr(key).encode("utf-8")).digest()[:16]
            tid = struct.unpack_from("<I", guid)[0]
            def_off = self.here() + 8
            bucket = guid_bucket(guid)
            o += u32(tid) + u32(def_off)
            o += u32(c.template_heads[bucket]) + guid
            size_at = len(o)
            o += u32(0)
            o += FRAGMENT_HEADER
            self.element(tree)
            o += bytes([TOK_EOF])
            struct.pack_into("<I", o, size_at, len(o) - size_at - 4)
            c.templates[key] = (def_off, tid)
            c.template_heads[bucket] = def_off
            c.template_count += 1
        o += u32(len(values))
        desc_at = len(o)
        o += bytes(4 * len(values))
        for i, (vtype, data) in enumerate(values):
            start = len(o)
            if isinstance(data, Nested):
                o += FRAGMENT_HEADER
                self.template_instance(data.tree, data.values)
                o += bytes([TOK_EOF])
            else:
                o += data
            size = len(o) - start
            if size > 0xFFFF:
                raise EncodeError("a value larger than 65535 bytes")
            struct.pack_into("<HBB", o, desc_at + 4 * i, size, vtype, 0)


def encode_record(chunk, rid, written, tree, values):
    """Appends one record to the chunk; ChunkFull (and the chunk unchanged) when it does not fit."""
    snap = chunk.snapshot()
    enc = Encoder(chunk, chunk.pos)
    o = enc.out
    o += b"\x2a\x2a\x00\x00" + u32(0) + u64(rid) + u64(written)
    o += FRAGMENT_HEADER
    enc.template_instance(tree, values)
    o += bytes([TOK_EOF])
    o += bytes(-(len(o) + 4) % RECORD_ALIGN)
    size = len(o) + 4
    o += u32(size)
    struct.pack_into("<I", o, 4, size)
    if chunk.pos + size > CHUNK_SIZE:
        chunk.restore(snap)
        raise ChunkFull()
    chunk.buf[chunk.pos:chunk.pos + size] = o
    chunk.records.append((chunk.pos, rid))
    chunk.pos += size


def finish_chunk(chunk, first_number):
    """The chunk's bytes. Record numbers count the records of the file from 1; they equal the
    ids in a log Windows wrote, and libevtx counts a chunk's records from them."""
    b = chunk.buf
    first_id, last_id = chunk.records[0][1], chunk.records[-1][1]
    b[0:8] = b"ElfChnk\0"
    struct.pack_into("<QQQQIII", b, 8, first_number, first_number + len(chunk.records) - 1, first_id, last_id,
                     128, chunk.records[-1][0], chunk.pos)
    struct.pack_into("<I", b, 52, zlib.crc32(bytes(b[CHUNK_HEADER_SIZE:chunk.pos])))
    struct.pack_into("<I", b, 120, 1)
    struct.pack_into("<64I", b, 128, *chunk.name_heads)
    struct.pack_into("<32I", b, 384, *chunk.template_heads)
    struct.pack_into("<I", b, 124, zlib.crc32(bytes(b[0:120] + b[128:CHUNK_HEADER_SIZE])))
    return bytes(b)


def file_header(n_chunks, next_id, minor):
    h = bytearray(FILE_HEADER_SIZE)
    h[0:8] = b"ElfFile\0"
    struct.pack_into("<QQQIHHHH", h, 8, 0, n_chunks - 1, next_id, 128, minor, 3, FILE_HEADER_SIZE, n_chunks)
    struct.pack_into("<I", h, 120, 0)
    struct.pack_into("<I", h, 124, zlib.crc32(bytes(h[0:120])))
    return bytes(h)


# ---- input -----------------------------------------------------------------------------------

def read_events(path):
    raw = open(path, "rb").read()
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        text = raw.decode("utf-16")
    else:
        text = raw.decode("utf-8-sig")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = ET.fromstring("<xml2evtx-root>" + text + "</xml2evtx-root>")
    except ET.ParseError as e:
        raise EncodeError(f"{path}: not well-formed XML: {e}")
    found = [e for e in root.iter() if split_tag(e.tag)[1] == "Event" and split_tag(e.tag)[0] == EVENT_NS]
    if not found:
        raise EncodeError(f"{path}: no <Event> element in the namespace {EVENT_NS}")
    return found


def system_text(ev, name):
    for s in ev:
        if split_tag(s.tag)[1] == "System":
            for c in s:
                if split_tag(c.tag)[1] == name:
                    return c
    return None


def convert(inputs, output, flat=False, minor=1, quiet=False):
    events = []
    for path in inputs:
        for n, ev in enumerate(read_events(path), 1):
            events.append((path, n, ev))
    # Record ids: from the XML; the events without one follow the highest.
    ided, free = [], []
    for path, n, ev in events:
        e = system_text(ev, "EventRecordID")
        try:
            rid = int(e.text.strip()) if e is not None and e.text else None
        except ValueError:
            rid = None
        (ided if rid is not None else free).append((rid, path, n, ev))
    ided.sort(key=lambda t: t[0])
    nxt = (ided[-1][0] + 1) if ided else 1
    for i, (_, path, n, ev) in enumerate(free):
        free[i] = (nxt, path, n, ev)
        nxt += 1
    ordered = ided + free
    seen = set()
    for rid, path, n, _ in ordered:
        if rid in seen:
            warn(f"{path}: event {n}: record id {rid} is used twice")
        seen.add(rid)

    chunks = []
    chunk = Chunk()
    templates = 0
    number = 1
    for rid, path, n, ev in ordered:
        where = f"{os.path.basename(path)}: event {n} (record {rid})"
        tree, values = EventBuilder(flat, where).build(ev)
        tc = system_text(ev, "TimeCreated")
        try:
            written = parse_filetime(tc.get("SystemTime")) if tc is not None else 0
        except (ValueError, TypeError):
            written = 0
        try:
            encode_record(chunk, rid, written, tree, values)
        except ChunkFull:
            if not chunk.records:
                raise EncodeError(f"{where}: the record does not fit in a chunk")
            templates += chunk.template_count
            chunks.append(finish_chunk(chunk, number))
            number += len(chunk.records)
            chunk = Chunk()
            try:
                encode_record(chunk, rid, written, tree, values)
            except ChunkFull:
                raise EncodeError(f"{where}: the record does not fit in a chunk")
    if not chunk.records:
        raise EncodeError("no event to write")
    templates += chunk.template_count
    chunks.append(finish_chunk(chunk, number))
    if len(chunks) > 0xFFFF:
        raise EncodeError("more than 65535 chunks")

    tmp = output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(file_header(len(chunks), ordered[-1][0] + 1, minor))
        for c in chunks:
            f.write(c)
    os.replace(tmp, output)
    if not quiet:
        print(f"{output}: {len(ordered)} events, {len(chunks)} chunks, {templates} template definitions")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="xml2evtx.py", description="Encode exported event XML into .evtx.")
    ap.add_argument("inputs", nargs="+", metavar="IN.xml")
    ap.add_argument("-o", "--output", required=True, metavar="OUT.evtx")
    ap.add_argument("--flat", action="store_true",
                    help="EventData in the event's template (default: a nested BinXml value, as Windows)")
    ap.add_argument("--minor", type=int, choices=(1, 2), default=1, help="format version 3.MINOR (default 3.1)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    try:
        convert(args.inputs, args.output, flat=args.flat, minor=args.minor, quiet=args.quiet)
    except (EncodeError, OSError) as e:
        print(f"xml2evtx: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
