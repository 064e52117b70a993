#!/usr/bin/env python3
"""evdiag timeline end to end: the text listing and its marks, JSON lines and CSV with their fixed
columns, the window of --around and --span, local times of --tz, a case database against the
same files named, several hosts, bad command lines and hostile log text. Then the import progress
bar, drawn on a terminal only. Usage: test-timeline-cli.py EVDIAG SOURCE_ROOT"""
import csv
import datetime
import fcntl
import hashlib
import io
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import zoneinfo

EVDIAG, ROOT = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(ROOT, "sample-logs")
CONFIRMED = os.path.join(SAMPLES, "iisadmin-confirmed")
NETSH = os.path.join(SAMPLES, "netsh-admin-deletion")
HOST = "WEB01.contoso.local"
SYMPTOM_TIME = "2024-03-12T02:14:13.4200003Z"
COLUMNS = ["kind", "time", "local", "host", "event_id", "provider", "summary", "record_id", "source", "recovered",
           "mark", "findings"]
TICKS = 10_000_000
failures = []


def run(*args):
    e = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([EVDIAG, *args], capture_output=True, env=e)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def run_bytes(*args):
    e = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([EVDIAG, *args], capture_output=True, env=e)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def digest_tree(path):
    h = {}
    for d, _, files in os.walk(path):
        for f in files:
            p = os.path.join(d, f)
            h[p] = (hashlib.sha256(open(p, "rb").read()).hexdigest(), os.stat(p).st_mtime_ns)
    return h


ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?Z$")


def ticks(s):
    """A UTC time as evdiag prints it, in 100 ns ticks since the epoch."""
    m = ISO.match(s)
    if not m:
        raise ValueError("not a UTC time: " + repr(s))
    d = datetime.datetime(*map(int, m.groups()[:6]), tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * TICKS + int((m.group(7) or "").ljust(7, "0"))


def local_of(utc, zone):
    """The local time evdiag should print beside utc in zone: the same digits, and the offset."""
    m = ISO.match(utc)
    d = datetime.datetime(*map(int, m.groups()[:6]), tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo(zone))
    off = int(d.utcoffset().total_seconds())
    sign, off = ("-", -off) if off < 0 else ("+", off)
    frac = "." + m.group(7) if m.group(7) else ""
    return d.strftime("%Y-%m-%dT%H:%M:%S") + frac + "%s%02d:%02d" % (sign, off // 3600, off // 60 % 60)


def jsonl(out):
    """The rows of a JSON lines listing; None when a line is not JSON."""
    try:
        return [json.loads(line) for line in out.splitlines()]
    except ValueError:
        return None


def events_of(rows):
    return [r for r in rows if r["kind"] == "event"]


def in_window(rows, lo, hi):
    return [r["record_id"] for r in events_of(rows) if lo <= ticks(r["time"]) <= hi]


before = digest_tree(SAMPLES)
tmp = tempfile.mkdtemp(prefix="evdiag-timeline-")
try:
    rc, out, _ = run("timeline", "--help")
    check("timeline --help", rc == 0 and "Usage: evdiag timeline" in out, f"rc={rc}")

    # ---- Text: header, configuration, events in time order, the marks.
    rc, text, err = run("timeline", CONFIRMED)
    lines = text.splitlines()
    check("text exit 0", rc == 0, f"rc={rc} {err}")
    check("text header", lines[:1] == [f"Timeline of {HOST}, every event"] and
          "Configuration and bindings (no time):" in lines and "Events:" in lines, "\n".join(lines[:6]))
    events_at = lines.index("Events:") if "Events:" in lines else len(lines)
    config = [l for l in lines[lines.index("Configuration and bindings (no time):") + 1:events_at] if l.strip()] \
        if events_at < len(lines) else []
    check("text configuration section", any("property 5506 (IIS 6 SSL certificate hash)" in l and
                                             l.lstrip().startswith("evidence") and
                                             "[evidence of KB2025598 (config)]" in l for l in config) and
          any("https binding *:443:" in l and "[evidence of KB2025598 (binding)]" in l for l in config) and
          any("HTTP.sys SSL binding ipport 0.0.0.0:8172" in l for l in config), "\n".join(config))
    head = lines[events_at + 1] if events_at + 1 < len(lines) else ""
    check("text column heads", re.match(r"^UTC\s+Host\s+Event\s+Record\s+Mark\s+Summary", head) is not None, head)
    rows = [l for l in lines[events_at + 2:] if re.match(r"^\d{4}-\d\d-\d\dT", l)]
    times = [ticks(l.split()[0]) for l in rows]
    check("text events in time order", len(rows) == 133 and times == sorted(times), f"{len(rows)} rows")
    check("text event count", lines[-1] == "(133 events)", lines[-1])
    symptoms = [l for l in rows if "SYMPTOM" in l]
    check("text: the 15300 is the one SYMPTOM", len(symptoms) == 1 and symptoms[0].startswith(SYMPTOM_TIME) and
          " 15300 " in symptoms[0] and "[symptom of KB2025598 (confirmed)]" in symptoms[0], "\n".join(symptoms))
    iisadmin = [l for l in rows if "The IIS Admin Service service entered the running state" in l]
    check("text: the IIS Admin Service start is evidence", len(iisadmin) == 1 and
          re.search(r"\s7036\s+48115\s+evidence\s", iisadmin[0]) is not None and
          "[evidence of KB2025598 (launch)]" in iisadmin[0], "\n".join(iisadmin))
    check("text: no local times without --tz", "+00:00" not in text and "Times in UTC and in" not in text, "")

    # ---- JSON lines: fixed keys on every row, artifacts then events by time, the marks.
    rc, out, err = run("timeline", "--format", "jsonl", CONFIRMED)
    rows = jsonl(out)
    check("jsonl exit 0, every line JSON", rc == 0 and rows is not None and len(rows) > 0, f"rc={rc} {err}")
    rows = rows or []
    check("jsonl: the same keys, in order, on every row", all(list(r) == COLUMNS for r in rows),
          str([list(r) for r in rows if list(r) != COLUMNS][:1]))
    kinds = [r["kind"] for r in rows]
    n_art = len([k for k in kinds if k != "event"])
    check("jsonl: configuration first, then events", kinds == sorted(kinds, key=lambda k: k == "event") and
          set(kinds) == {"config", "binding", "netsh", "event"} and n_art == len(config), f"{kinds[:12]} {n_art}")
    check("jsonl: artifacts have no time", all(r["time"] is None and r["event_id"] is None for r in rows
                                               if r["kind"] != "event"), "")
    ev = events_of(rows)
    times = [ticks(r["time"]) for r in ev]
    check("jsonl: 133 events sorted by time", len(ev) == 133 and times == sorted(times), f"{len(ev)}")
    check("jsonl: one host, no local time", all(r["host"] == HOST and r["local"] is None for r in rows), "")
    check("jsonl: mark and findings agree", all((r["mark"] is None) == (r["findings"] == []) for r in rows) and
          all(r["mark"] in (None, "symptom", "evidence") for r in rows), "")
    sym = [r for r in rows if r["mark"] == "symptom"]
    check("jsonl: the symptom", len(sym) == 1 and sym[0]["event_id"] == 15300 and sym[0]["time"] == SYMPTOM_TIME and
          sym[0]["record_id"] == 48116 and
          sym[0]["findings"] == [{"rule": "KB2025598", "role": "symptom", "detail": "confirmed"}], str(sym))
    launch = [r for r in rows if r["record_id"] == 48115]
    check("jsonl: the IIS Admin Service start is evidence",
          len(launch) == 1 and launch[0]["mark"] == "evidence" and launch[0]["event_id"] == 7036 and
          launch[0]["provider"] == "Service Control Manager" and
          {"rule": "KB2025598", "role": "evidence", "detail": "launch"} in launch[0]["findings"], str(launch))
    conf = [r for r in rows if r["kind"] == "config" and r["mark"] == "evidence"]
    check("jsonl: the 5506 is evidence", len(conf) == 1 and "property 5506" in conf[0]["summary"] and
          conf[0]["source"].endswith("applicationHost.config:55"), str(conf))
    marked_text = sorted(int(re.split(r"\s+", l)[3]) for l in lines if re.match(r"^\d{4}-", l) and
                         re.search(r"\s(SYMPTOM|evidence)\s", l))
    check("jsonl and text mark the same events",
          marked_text == sorted(r["record_id"] for r in ev if r["mark"]), str(marked_text))
    full = rows

    # ---- CSV: the header the code defines, the same rows as JSON lines.
    rc, raw, err = run_bytes("timeline", "--format", "csv", CONFIRMED)
    check("csv exit 0, CRLF rows", rc == 0 and raw.startswith(b",".join(c.encode() for c in COLUMNS) + b"\r\n") and
          raw.count(b"\r\n") == raw.count(b"\n"), f"rc={rc} {raw[:120]!r}")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    check("csv header", table[:1] == [COLUMNS], str(table[:1]))
    body = table[1:]
    check("csv: twelve fields on every row", all(len(r) == len(COLUMNS) for r in body), "")
    check("csv: as many rows and events as jsonl", len(body) == len(full) and
          len([r for r in body if r[0] == "event"]) == len(ev), f"{len(body)} vs {len(full)}")
    # CSV turns control characters into spaces (the 2120 property ends in a line feed).
    same = [(c, j) for c, j in zip(body, full) if not (
            c[0] == j["kind"] and c[1] == (j["time"] or "") and c[3] == j["host"] and
            c[4] == str(j["event_id"] or "") and c[5] == (j["provider"] or "") and c[7] == str(j["record_id"] or "") and
            c[8] == j["source"] and c[9] == str(j["recovered"]).lower() and c[10] == (j["mark"] or "") and
            c[6] == re.sub(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]", " ", j["summary"]))]
    check("csv rows match jsonl rows", same == [], str(same[:1]))
    sym = [r for r in body if r[10] == "symptom"]
    check("csv: the symptom", len(sym) == 1 and sym[0][4] == "15300" and "symptom of KB2025598 (confirmed)" in sym[0][11],
          str(sym))

    # ---- --around and --span: only the events of the window.
    center = ticks("2024-03-12T02:14:13Z")
    for span, secs in (("10s", 10), ("3s", 3), ("90s", 90), ("2h", 7200), ("1d", 86400), (None, 1800)):
        args = ["--around", "2024-03-12T02:14:13Z"] + (["--span", span] if span else [])
        rc, out, err = run("timeline", "--format", "jsonl", *args, CONFIRMED)
        got = jsonl(out) or []
        lo, hi = center - secs * TICKS // 2, center + secs * TICKS // 2
        want = in_window(full, lo, hi)
        check(f"--around, span {span or 'default (30m)'}", rc == 0 and [r["record_id"] for r in events_of(got)] == want
              and want and all(lo <= ticks(r["time"]) <= hi for r in events_of(got)),
              f"rc={rc} {err} got {[r['record_id'] for r in events_of(got)]} want {want}")
        check(f"--around, span {span or 'default'}: configuration still listed",
              len([r for r in got if r["kind"] != "event"]) == n_art, "")
    rc, out, err = run("timeline", "--around", "2024-03-12T02:14:13Z", "--span", "10s", CONFIRMED)
    check("--around: text header states the window",
          out.startswith(f"Timeline of {HOST}, events from 2024-03-12T02:14:08Z to 2024-03-12T02:14:18Z\n") and
          out.rstrip().endswith("(5 events)"), out[:200])
    rc, z, _ = run("timeline", "--format", "jsonl", "--around", "2024-03-12T02:14:13Z", "--span", "10s", CONFIRMED)
    for spelling in ("2024-03-12T03:14:13+01:00", "2024-03-12T03:14:13+0100", "2024-03-12T03:14:13+01",
                     "2024-03-11T19:14:13-07:00", "2024-03-12T02:14:13z"):
        rc, out, err = run("timeline", "--format", "jsonl", "--around", spelling, "--span", "10s", CONFIRMED)
        check("--around " + spelling + " is the same instant", rc == 0 and out == z, f"rc={rc} {err}")
    rc, out, err = run("timeline", "--format", "jsonl", "--around", "2024-03-12T02:14:13", "--span", "10s", CONFIRMED)
    check("--around without a zone, without --tz, is UTC", rc == 0 and out == z, f"rc={rc} {err}")
    rc, zb, _ = run("timeline", "--format", "jsonl", "--tz", "Europe/Berlin", "--around", "2024-03-12T02:14:13Z",
                    "--span", "10s", CONFIRMED)
    rc, out, err = run("timeline", "--format", "jsonl", "--tz", "Europe/Berlin", "--around", "2024-03-12T03:14:13",
                       "--span", "10s", CONFIRMED)
    check("--around without a zone is local in --tz", rc == 0 and out == zb and zb != "", f"rc={rc} {err}")

    # ---- --tz: the local time beside UTC.
    for zone, want in (("Europe/Berlin", "2024-03-12T03:14:13.4200003+01:00"),
                       ("America/Los_Angeles", "2024-03-11T19:14:13.4200003-07:00")):
        rc, out, err = run("timeline", "--format", "jsonl", "--tz", zone, CONFIRMED)
        rows = jsonl(out) or []
        sym = [r for r in rows if r["mark"] == "symptom"]
        check(f"--tz {zone}: the symptom's local time", rc == 0 and sym and sym[0]["local"] == want,
              str(sym[:1]) + err)
        bad = [(r["time"], r["local"]) for r in events_of(rows) if r["local"] != local_of(r["time"], zone)]
        check(f"--tz {zone}: every event's local time", rows and not bad, str(bad[:3]))
        check(f"--tz {zone}: UTC times unchanged", [r["time"] for r in rows] == [r["time"] for r in full], "")
    rc, out, err = run("timeline", "--format", "jsonl", "--tz", "+05:30", CONFIRMED)
    sym = [r for r in (jsonl(out) or []) if r["mark"] == "symptom"]
    check("--tz +05:30: a fixed offset", rc == 0 and sym and sym[0]["local"] == "2024-03-12T07:44:13.4200003+05:30",
          str(sym[:1]) + err)
    rc, out, err = run("timeline", "--tz", "Europe/Berlin", CONFIRMED)
    sym = [l for l in out.splitlines() if "SYMPTOM" in l and l[:1].isdigit()]
    check("--tz Europe/Berlin: text shows both times", rc == 0 and "Times in UTC and in Europe/Berlin." in out and
          sym and sym[0].split()[:2] == [SYMPTOM_TIME, "2024-03-12T03:14:13.4200003+01:00"], str(sym))
    rc, out, err = run("timeline", "--format", "csv", "--tz", "Europe/Berlin", CONFIRMED)
    sym = [r for r in csv.reader(io.StringIO(out, newline="")) if r[10:11] == ["symptom"]]
    check("--tz Europe/Berlin: csv local column", rc == 0 and sym and sym[0][1:3] ==
          [SYMPTOM_TIME, "2024-03-12T03:14:13.4200003+01:00"], str(sym))

    # ---- --db: a case database lists as the files named do.
    db = os.path.join(tmp, "case.db")
    rc, _, err = run("import", "--db", db, CONFIRMED)
    check("import into a case database", rc == 0, f"rc={rc} {err}")
    for fmt in ("text", "jsonl", "csv"):
        rc, a, _ = run("timeline", "--format", fmt, CONFIRMED)
        rc2, b, err = run("timeline", "--format", fmt, "--db", db)
        check(f"--db gives the same {fmt} as the paths", rc == rc2 == 0 and a == b and a != "", f"rc={rc2} {err}")
    rc, a, _ = run("timeline", "--tz", "Europe/Berlin", "--around", "2024-03-12T02:14:13Z", "--span", "2h", CONFIRMED)
    rc2, b, err = run("timeline", "--tz", "Europe/Berlin", "--around", "2024-03-12T02:14:13Z", "--span", "2h", "--db", db)
    check("--db with --tz and --around", rc == rc2 == 0 and a == b, f"rc={rc2} {err}")
    rc, out, err = run("timeline", "--db", db, "--host", "nowhere.example")
    check("--host unknown: exit 2, the hosts listed", rc == 2 and out == "" and "nowhere.example" in err and HOST in err,
          f"rc={rc} {err}")
    rc, out, err = run("timeline", "--db", os.path.join(tmp, "missing.db"))
    check("--db missing: exit 4", rc == 4 and "missing.db" in err and out == "", f"rc={rc} {err}")

    # Several hosts: one must be named.
    rc, _, err = run("import", "--db", db, "--tz", "Europe/Berlin", NETSH)
    check("import a second case", rc == 0, f"rc={rc} {err}")
    for what, args in (("--db", ["--db", db]), ("paths", [CONFIRMED, NETSH])):
        rc, out, err = run("timeline", *args)
        check(f"several hosts without --host ({what}): exit 2, the hosts listed",
              rc == 2 and out == "" and HOST in err and "APP03.fabrikam.net" in err and "--host" in err,
              f"rc={rc} {err}")
    rc, out, err = run("timeline", "--format", "jsonl", "--db", db, "--host", "WEB01")
    rows = jsonl(out) or []
    check("--host WEB01 picks its rows", rc == 0 and rows and all(r["host"] == HOST for r in rows) and
          len(events_of(rows)) == 133, f"rc={rc} {err}")
    rc, out, err = run("timeline", "--format", "jsonl", "--db", db, "--host", "app03.FABRIKAM.net")
    rows = jsonl(out) or []
    check("--host app03.FABRIKAM.net picks its rows (any case)",
          rc == 0 and rows and all(r["host"] == "APP03.fabrikam.net" for r in rows) and
          any(r["mark"] == "symptom" for r in rows), f"rc={rc} {err}")
    rc, out, err = run("timeline", "--db", db, "--host", "WEB99")
    check("--host unknown among several: exit 2", rc == 2 and out == "" and "WEB99" in err and HOST in err,
          f"rc={rc} {err}")

    # ---- Bad command lines: exit 2, a message, nothing on standard output.
    for args in ([], ["--span", "10m", CONFIRMED], ["--around", "yesterday", CONFIRMED],
                 ["--around", "", CONFIRMED], ["--around", "2024-03-12T02:14:13+25:00", CONFIRMED],
                 ["--around", "2024-13-12T02:14:13Z", CONFIRMED], ["--around", "2024-03-12T02:14:13+01:00x", CONFIRMED],
                 ["--around", "2024-03-12T02:14:13Z", "--span", "0", CONFIRMED],
                 ["--around", "2024-03-12T02:14:13Z", "--span", "-5m", CONFIRMED],
                 ["--around", "2024-03-12T02:14:13Z", "--span", "10x", CONFIRMED],
                 ["--around", "2024-03-12T02:14:13Z", "--span", "5mm", CONFIRMED],
                 ["--around", "2024-03-12T02:14:13Z", "--span", "367d", CONFIRMED],
                 ["--around", "2024-03-12T02:14:13Z", "--span", "m", CONFIRMED],
                 ["--format", "xml", CONFIRMED], ["--format", "json", CONFIRMED], ["--format", "markdown", CONFIRMED],
                 ["--tz", "Mars/Olympus", CONFIRMED], ["--bogus", CONFIRMED], ["--around"]):
        rc, out, err = run("timeline", *args)
        check("usage error: timeline " + " ".join(a.replace(SAMPLES, "S") for a in args),
              rc == 2 and out == "" and err.strip() != "", f"rc={rc} {err}")

    # ---- Hostile log text never reaches the terminal raw. XML cannot hold an ESC (not even as
    # &#27;), so the ESC and BEL come in an Event Viewer CSV export; a C1 CSI (U+009B), which XML
    # allows, in an XML export, in the message and in the computer name.
    hostile = os.path.join(tmp, "hostile")
    os.makedirs(os.path.join(hostile, "A"))
    os.makedirs(os.path.join(hostile, "B"))
    with open(os.path.join(hostile, "A", "System.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\ufeffLevel,Date and Time,Source,Event ID,Task Category\r\n"
                "Information,3/12/2024 2:14:11 AM,Service Control Manager,7036,None,"
                "\"The Bad\x1b]0;pwned\x07 \x1b[2J Service service entered the running state.\"\r\n"
                "Warning,3/12/2024 2:14:13 AM,Evil\x1b[31mSource,15300,None,"
                "SSL Certificate Settings deleted for endpoint : 0.0.0.0:443 \u009b31m.\r\n")
    with open(os.path.join(hostile, "B", "System.xml"), "w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='utf-8'?><Events>"
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                "<Provider Name='Service Control Manager'/><EventID Qualifiers='16384'>7036</EventID><Level>4</Level>"
                "<TimeCreated SystemTime='2024-03-12T02:14:11.577000300Z'/><EventRecordID>7</EventRecordID>"
                "<Channel>System</Channel><Computer>web9\u009b31m.example</Computer></System><EventData>"
                "<Data Name='param1'>Bad\u009b2J Service</Data><Data Name='param2'>running</Data></EventData>"
                "<RenderingInfo Culture='en-US'><Message>The Bad\u009b2J Service service entered the running state."
                "</Message></RenderingInfo></Event></Events>")
    controls = re.compile(rb"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")
    for case, host in (("A", None), ("B", "web9\u009b31m.example")):
        path = os.path.join(hostile, case)
        for fmt in ("text", "jsonl", "csv"):
            rc, out, err = run_bytes("timeline", "--format", fmt, path)
            raw = controls.search(out)
            check(f"hostile text ({case}), {fmt}: no raw control character", rc == 0 and raw is None and out != b"",
                  f"rc={rc} {raw.group() if raw else ''!r} {err[-200:]!r}")
            if fmt == "jsonl" and rc == 0:
                rows = jsonl(out.decode("utf-8")) or []
                texts = " ".join(r["summary"] + r["provider"] + r["host"] for r in rows)
                want = ["\x1b]0;pwned\x07", "Evil\x1b[31mSource", "\u009b31m"] if case == "A" else ["Bad\u009b2J", host]
                check(f"hostile text ({case}), jsonl: escaped, not lost", all(w in texts for w in want), texts[:300])

    # A provider that a spreadsheet would run as a formula is not one in the CSV; host names in
    # messages about hosts are escaped.
    formula = os.path.join(tmp, "formula", "C")
    os.makedirs(formula)
    with open(os.path.join(formula, "System.xml"), "w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='utf-8'?><Events>"
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                "<Provider Name='=HYPERLINK(\"http://evil/\",\"x\")'/><EventID>1</EventID>"
                "<TimeCreated SystemTime='2024-03-12T02:14:11Z'/><EventRecordID>7</EventRecordID>"
                "<Channel>System</Channel><Computer>c1</Computer></System></Event>"
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                "<Provider Name='P'/><EventID>1</EventID>"
                "<TimeCreated SystemTime='2024-03-12T02:14:12Z'/><EventRecordID>8</EventRecordID>"
                "<Channel>System</Channel><Computer>evil\u009b2J</Computer></System></Event></Events>")
    rc, out, err = run("timeline", "--format", "csv", "--host", "c1", formula)
    rows = [r for r in csv.reader(io.StringIO(out, newline=""))][1:]
    check("csv: a formula is not one", rc == 0 and rows and rows[-1][5].startswith("'=HYPERLINK"), out[-300:])
    rc, out, err = run_bytes("timeline", formula)
    check("several hosts: named escaped", rc == 2 and b"evil\\x9b2J" in err and b"\xc2\x9b" not in err, err)

    # ---- The import progress bar (src/cli/progress.c): on a terminal only, cleared at the end.
    # Standard error is the slave of a pseudo-terminal; standard output goes to a file, so that
    # nothing can block while the master is read.
    def run_pty(args, cols=None):
        master, slave = pty.openpty()
        if cols:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
        with tempfile.TemporaryFile() as stdout:
            p = subprocess.Popen([EVDIAG, *args], stdin=subprocess.DEVNULL, stdout=stdout, stderr=slave,
                                 env=dict(os.environ, NO_COLOR="1"))
            os.close(slave)
            chunks = []
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:         # EIO: the last holder of the slave has gone
                    break
                if not data:
                    break
                chunks.append(data)
            rc = p.wait()
            os.close(master)
            stdout.seek(0)
            return rc, stdout.read(), b"".join(chunks)

    def last_drawing(err):
        """Where the last bar drawing starts, or -1."""
        found = list(re.finditer(rb"\r\[[#.]{20}\] \d+/\d+ files", err))
        return found[-1].start() if found else -1

    def drawings(err):
        """The bar lines drawn: what follows each "\\r" up to the "\\x1b[K" that ends it."""
        return [m for m in re.findall(rb"\r([^\r\n]*?)\x1b\[K", err) if m]

    lone_cr = re.compile(rb"\r(?!\n)")          # the terminal itself turns "\n" into "\r\n"
    bar_db = os.path.join(tmp, "bar.db")
    rc, out, err = run_pty(["import", "--db", bar_db, CONFIRMED])
    bars = drawings(err)
    check("bar: drawn on a terminal", rc == 0 and bars and b"files" in bars[0] and b"MB" in bars[0] and
          re.match(rb"^\[[#.]{20}\] \d+/\d+ files, \d+\.\d/\d+\.\d MB", bars[0]) is not None, f"rc={rc} {err!r}")
    last_bar = last_drawing(err)
    clear = err.rfind(b"\r\x1b[K")
    warning = err.find(b"README.md: not an event log")
    check("bar: cleared before the warnings", clear > last_bar >= 0 and warning > clear, repr(err))
    check("bar: not on standard output", b"\r" not in out and b"\x1b" not in out and b"events added" in out, repr(out[:200]))

    os.unlink(bar_db)
    rc, out, err = run_pty(["import", "--quiet", "--db", bar_db, CONFIRMED])
    check("bar: --quiet draws nothing", rc == 0 and not lone_cr.search(err) and b"\x1b" not in err and
          last_drawing(err) < 0 and b"README.md" in err, repr(err))

    os.unlink(bar_db)
    p = subprocess.run([EVDIAG, "import", "--db", bar_db, CONFIRMED], capture_output=True,
                       env=dict(os.environ, NO_COLOR="1"))
    check("bar: none when standard error is a pipe", p.returncode == 0 and b"\r" not in p.stderr and
          b"\x1b" not in p.stderr and b"README.md" in p.stderr, repr(p.stderr))

    # A narrow terminal: the line never wraps (it could not be redrawn in place).
    for cols in (40, 60, 100):
        os.unlink(bar_db)
        rc, out, err = run_pty(["import", "--db", bar_db, CONFIRMED], cols)
        wide = [b for b in drawings(err) if len(b.decode("utf-8", "replace")) > cols - 1]
        check(f"bar: fits {cols} columns", rc == 0 and drawings(err) and not wide, repr(wide or err))

    # A hostile file name is shown harmless in the bar.
    evil = os.path.join(tmp, "evil", "WEB01")
    os.makedirs(evil)
    shutil.copy(os.path.join(CONFIRMED, "WEB01", "System.xml"), os.path.join(evil, "S\x1b]0;x\x07\u009b2J.xml"))
    os.unlink(bar_db)
    rc, out, err = run_pty(["import", "--db", bar_db, os.path.dirname(evil)])
    bars = drawings(err)
    check("bar: a hostile file name drawn harmless", rc == 0 and bars and b".xml" in bars[0] and
          controls.search(err.replace(b"\x1b[K", b"").replace(b"\r", b"").replace(b"\n", b"")) is None, repr(err))

    # timeline imports with the same bar; its listing on standard output is unchanged.
    _, piped, _ = run_bytes("timeline", "--format", "jsonl", CONFIRMED)
    rc, out, err = run_pty(["timeline", "--format", "jsonl", CONFIRMED])
    check("bar: timeline draws and clears it on a terminal", rc == 0 and drawings(err) and
          err.rfind(b"\r\x1b[K") > last_drawing(err) >= 0 and out == piped and out != b"", repr(err))
finally:
    shutil.rmtree(tmp, ignore_errors=True)

check("sample-logs untouched", digest_tree(SAMPLES) == before)
sys.exit(1 if failures else 0)
