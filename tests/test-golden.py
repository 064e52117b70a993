#!/usr/bin/env python3
"""Every report format of every sample case against its golden file in tests/data/golden/,
byte for byte. evdiag runs in SOURCE_ROOT with the case path given relative, so the paths in
the reports read "sample-logs/CASE/..." on every machine.
With EVDIAG_UPDATE_GOLDEN=1 the goldens are (re)written instead of compared; review the diff
before committing it. Usage: test-golden.py EVDIAG SOURCE_ROOT"""
import json
import os
import subprocess
import sys

EVDIAG, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
GOLDEN = os.path.join(ROOT, "tests", "data", "golden")
UPDATE = os.environ.get("EVDIAG_UPDATE_GOLDEN") == "1"

# case -> the zone its README says to run it with (None: the default, UTC)
CASES = {
    "iisadmin-confirmed": None,
    "iisadmin-evtx": None,
    "adsutil-confirmed": "America/Los_Angeles",
    "netsh-admin-deletion": "Europe/Berlin",
    "at-risk": None,
}
# case -> the verdicts its README expects, so that a golden rewritten with a wrong verdict fails
VERDICTS = {
    "iisadmin-confirmed": [("KB2025598", "WEB01.contoso.local", "confirmed")],
    "iisadmin-evtx": [("KB2025598", "WEB05.contoso.local", "confirmed")],
    "adsutil-confirmed": [("KB2025598", "WEB02.contoso.local", "confirmed")],
    "netsh-admin-deletion": [("KB2025598", "APP03.fabrikam.net", "ruled_out"),
                             ("SSL-BINDING-REMOVED-BY-ADMIN", "APP03.fabrikam.net", "confirmed")],
    "at-risk": [("KB2025598", "WEB04.contoso.local", "at_risk")],
}
FORMATS = {"text": "txt", "markdown": "md", "json": "json", "html": "html"}
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def diagnose(case, fmt):
    args = [EVDIAG, "diagnose"]
    if CASES[case]:
        args += ["--tz", CASES[case]]
    args += ["--format", fmt, "sample-logs/" + case]
    # Only what the reports may depend on is passed down: no colour, no terminal, and a
    # fixed locale and zone, so the goldens do not depend on who runs the test.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "TZDIR")}
    env.update(NO_COLOR="1", LC_ALL="C.UTF-8", TZ="UTC")
    p = subprocess.run(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def first_difference(want, got):
    """The first line where two outputs part, as text for the failure message."""
    a, b = want.split(b"\n"), got.split(b"\n")
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x != y:
            def show(line):
                return "(no such line)" if line is None else repr(line.decode("utf-8", "replace"))
            return f"line {i + 1}:\n    golden: {show(x)}\n    output: {show(y)}"
    return "same lines (should not happen)"


if UPDATE:
    os.makedirs(GOLDEN, exist_ok=True)
for case in CASES:
    # How many findings the case has, from its JSON report: the markdown budget is for one.
    rc, out, _ = diagnose(case, "json")
    try:
        doc = json.loads(out)
        got = sorted((f["rule"], f["host"], f["verdict"]) for f in doc["findings"])
    except (ValueError, KeyError, TypeError) as e:
        doc, got = None, f"no JSON report: {e}"
    check(f"{case}: the verdicts its README expects", got == VERDICTS[case], str(got))
    findings = len(doc["findings"]) if doc else None
    for fmt, ext in FORMATS.items():
        name = f"{case}.{ext}"
        path = os.path.join(GOLDEN, name)
        rc, out, err = diagnose(case, fmt)
        check(f"{name}: exit 0", rc == 0, f"rc={rc} {err.decode(errors='replace')[:500]}")
        check(f"{name}: nothing of this machine in the report",
              ROOT.encode() not in out and EVDIAG.encode() not in out,
              f"the report holds {ROOT!r} or {EVDIAG!r}")
        if fmt == "markdown":
            lines = out.decode("utf-8", "replace").split("\n")
            if findings == 1:
                check(f"{name}: one finding in under 60 lines", len(lines) < 60, f"{len(lines)} lines")
            check(f"{name}: a one-line summary first", lines[0].startswith("# ") and len(lines) > 1 and
                  not lines[1].startswith(("=", "-")), repr(lines[:2]))
        if UPDATE:
            with open(path, "wb") as f:
                f.write(out)
            print(f"updated {os.path.relpath(path, ROOT)}")
            continue
        try:
            with open(path, "rb") as f:
                want = f.read()
        except FileNotFoundError:
            check(f"{name}: matches its golden", False,
                  f"{path} is missing; run with EVDIAG_UPDATE_GOLDEN=1 to write it")
            continue
        check(f"{name}: matches its golden", out == want, first_difference(want, out))

if UPDATE:
    print("goldens written; read them and the diff before committing")
sys.exit(1 if failures else 0)
