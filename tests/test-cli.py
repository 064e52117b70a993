#!/usr/bin/env python3
"""The command line as a user meets it: verbs, options, exit codes, the three formats, a case
database built in two runs, and inputs left untouched. Usage: test-cli.py EVDIAG SOURCE_ROOT"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

EVDIAG, ROOT = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(ROOT, "sample-logs")
failures = []


def run(*args, env=None):
    e = dict(os.environ, NO_COLOR="1")
    e.update(env or {})
    p = subprocess.run([EVDIAG, *args], capture_output=True, text=True, env=e)
    return p.returncode, p.stdout, p.stderr


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def verdicts(doc):
    return sorted((f["rule"], f["host"], f["verdict"]) for f in doc["findings"])


def digest_tree(path):
    h = {}
    for d, _, files in os.walk(path):
        for f in files:
            p = os.path.join(d, f)
            h[p] = (hashlib.sha256(open(p, "rb").read()).hexdigest(), os.stat(p).st_mtime_ns)
    return h


before = digest_tree(SAMPLES)
tmp = tempfile.mkdtemp(prefix="evdiag-cli-")
try:
    # Help and version.
    for args in (["--help"], ["diagnose", "--help"], ["import", "--help"], ["analyze", "--help"]):
        rc, out, _ = run(*args)
        check("help " + " ".join(args), rc == 0 and "Usage:" in out, f"rc={rc}")
    rc, out, _ = run("--version")
    check("--version", rc == 0 and out.startswith("evdiag "), out)

    # Usage errors: exit 2 with a message, and no report.
    for args in ([], ["frobnicate"], ["diagnose"], ["diagnose", "--format", "yaml", SAMPLES],
                 ["diagnose", "--tz", "Mars/Olympus", SAMPLES], ["diagnose", "--tz", "+25:00", SAMPLES],
                 ["diagnose", "--window", "-5", SAMPLES], ["diagnose", "--window", "ten", SAMPLES],
                 ["diagnose", "--bogus", SAMPLES], ["import", SAMPLES], ["analyze"],
                 ["analyze", "--db", "x.db", "extra"], ["import", "--db", "x.db", "--format", "json", SAMPLES]):
        rc, out, err = run(*args)
        check("usage error: " + " ".join(args), rc == 2 and err.strip() != "" and out == "", f"rc={rc} err={err!r}")

    # The first case, in every format.
    case = os.path.join(SAMPLES, "iisadmin-confirmed")
    rc, out, err = run("diagnose", "--format", "json", case)
    doc = json.loads(out)
    check("diagnose json exit 0", rc == 0, f"rc={rc} {err}")
    check("json contract", doc["tool"] == "evdiag" and doc["assumed_tz"] == "UTC" and
          all(k in doc["inputs"][0] for k in ("path", "format", "host", "events", "warnings")) and
          all(k in doc["findings"][0] for k in ("rule", "title", "host", "verdict", "symptoms", "evidence",
                                                 "remediation")), str(doc)[:300])
    check("json verdict", verdicts(doc) == [("KB2025598", "WEB01.contoso.local", "confirmed")], str(verdicts(doc)))
    s = doc["findings"][0]["symptoms"][0]
    check("json symptom", s["event_id"] == 15300 and s["endpoint"] == "0.0.0.0:443" and
          s["time"].startswith("2024-03-12T02:14:13.") and s["time"].endswith("Z") and
          isinstance(s["record_id"], int), str(s))
    kinds = {e["kind"] for e in doc["findings"][0]["evidence"]}
    check("json evidence kinds", {"launch", "config", "binding"} <= kinds, str(kinds))
    readme = [i for i in doc["inputs"] if i["path"].endswith("README.md")]
    check("README ignored with a warning", readme and readme[0]["status"] == "ignored" and readme[0]["warnings"],
          str(readme))
    rc, out, _ = run("diagnose", case)
    check("text report", rc == 0 and "CONFIRMED" in out and "\x1b" not in out, out[:200])
    rc, out, _ = run("diagnose", "--format", "markdown", case)
    check("markdown report, its summary first", rc == 0 and out.startswith("# KB2025598 confirmed on WEB01")
          and "| Time (UTC) |" in out, out[:200])

    # Time zones: the adsutil case needs its server's zone.
    rc, out, _ = run("diagnose", "--format", "json", "--tz", "America/Los_Angeles",
                     os.path.join(SAMPLES, "adsutil-confirmed"))
    doc = json.loads(out)
    check("--tz zone name", verdicts(doc) == [("KB2025598", "WEB02.contoso.local", "confirmed")] and
          doc["assumed_tz"] == "America/Los_Angeles", str(verdicts(doc)))
    rc, out, _ = run("diagnose", "--format", "json", "--tz", "-07:00", os.path.join(SAMPLES, "adsutil-confirmed"))
    check("--tz offset", verdicts(json.loads(out)) == [("KB2025598", "WEB02.contoso.local", "confirmed")], out[:200])

    # A notes file named explicitly, and an unreadable path: the report still comes, exit 1.
    notes = os.path.join(tmp, "notes.txt")
    open(notes, "w").write("Customer says HTTPS died after patch night.\n")
    rc, out, err = run("diagnose", "--format", "json", os.path.join(case, "WEB01"), notes,
                       os.path.join(tmp, "missing.xml"))
    doc = json.loads(out)
    check("partial run exit 1", rc == 1, f"rc={rc}")
    check("partial run still reports", verdicts(doc) == [("KB2025598", "WEB01.contoso.local", "confirmed")],
          str(verdicts(doc)))
    check("partial run names the files", "notes.txt" in err and "missing.xml" in err, err)

    # A case database in two runs; the second adds nothing.
    db = os.path.join(tmp, "case.db")
    rc, out, err = run("import", "--db", db, "--tz", "Europe/Berlin", os.path.join(SAMPLES, "netsh-admin-deletion"))
    check("import exit 0", rc == 0, f"rc={rc} {err}")
    rc, out, err = run("import", "--db", db, "--tz", "Europe/Berlin", os.path.join(SAMPLES, "netsh-admin-deletion"))
    check("import again adds nothing", rc == 0 and "events added" not in out and out.count("duplicate") == 3, out)
    n = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    check("events stored once", n == 27, str(n))
    rc, out, err = run("analyze", "--db", db, "--format", "json")
    doc = json.loads(out)
    check("analyze verdicts", verdicts(doc) == [("KB2025598", "APP03.fabrikam.net", "ruled_out"),
                                              ("SSL-BINDING-REMOVED-BY-ADMIN", "APP03.fabrikam.net", "confirmed")],
          str(verdicts(doc)))
    check("analyze states the zone used at import", doc["assumed_tz"] == "Europe/Berlin", doc["assumed_tz"])
    rc, _, err = run("analyze", "--db", os.path.join(tmp, "nope.db"))
    check("analyze of a missing database", rc == 4 and "nope.db" in err, f"rc={rc} {err}")
    other = os.path.join(tmp, "other.db")
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    rc, _, err = run("analyze", "--db", other)
    check("analyze of a foreign database", rc == 4 and "not an evdiag database" in err, f"rc={rc} {err}")

    # A broken rule pack: exit 3, file:line.
    rules = os.path.join(tmp, "rules")
    shutil.copytree(os.path.join(ROOT, "rules"), rules)
    with open(os.path.join(rules, "kb2025598.xml"), "r+") as f:
        text = f.read().replace('<where op="path-suffix">', '<where op="ends-with">', 1)
        f.seek(0)
        f.write(text)
        f.truncate()
    rc, out, err = run("diagnose", "--rules", rules, case)
    check("broken rule exit 3", rc == 3 and "kb2025598.xml:" in err and "ends-with" in err and out == "",
          f"rc={rc} {err}")

    # Hostile file names and contents end up escaped in every format.
    hostile = os.path.join(tmp, "WEB09\x1b[31m")
    os.makedirs(hostile)
    shutil.copy(os.path.join(case, "WEB01", "System.xml"), os.path.join(hostile, 'Sys"tem|<b>.xml'))
    for fmt in ("json", "text", "markdown"):
        rc, out, _ = run("diagnose", "--format", fmt, hostile)
        ok = rc == 0 and "\x1b" not in out
        if fmt == "json":
            ok = ok and json.loads(out)["inputs"][0]["path"].endswith('Sys"tem|<b>.xml')
        if fmt == "markdown":
            ok = ok and "<b>" not in out
        check("hostile names, " + fmt, ok, out[:300])
finally:
    shutil.rmtree(tmp)

check("sample-logs untouched", digest_tree(SAMPLES) == before)
sys.exit(1 if failures else 0)
