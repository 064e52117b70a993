#!/usr/bin/env python3
"""The HTML report of sample-logs/iisadmin-confirmed in a real browser, headless Chromium: the
page loads without a console message or a Content Security Policy violation, its DOM holds the
verdict, the timeline picture and the remedy, and its screenshot is not blank. Negative
controls prove that each check can fail. Exit 77 (skipped) when chromium is not installed.
With EVDIAG_SCREENSHOT=FILE the screenshot is kept there for a human to look at.
Usage: test-html.py EVDIAG SOURCE_ROOT"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

EVDIAG, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
import png  # noqa: E402  (tests/tools/png.py)

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    print("skip: chromium is not on PATH (scripts/setup installs it)")
    sys.exit(77)

TIMEOUT = 60            # seconds for one chromium run; a hung browser fails the test
WIDTH, HEIGHT = 1100, 1600
BADGE_RED = (0xB3, 0x26, 0x1E)
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def chromium(tmp, page, *mode):
    """Loads file page in a fresh profile with console logging on stderr. Returns (exit code
    or None when it timed out, stdout, stderr)."""
    home = tempfile.mkdtemp(prefix="home-", dir=tmp)
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--user-data-dir=" + os.path.join(home, "profile"),
            f"--window-size={WIDTH},{HEIGHT}", "--enable-logging=stderr", "--v=0", *mode, "file://" + page]
    # Its own HOME: the Debian launcher reads and cleans files under $HOME/.config/chromium.
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"))
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)    # the launcher script and every browser process
        out, err = p.communicate()
        rc = None
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def ran(name, rc, err):
    check(name + ": chromium exits 0", rc == 0,
          f"timed out after {TIMEOUT} s" if rc is None else f"rc={rc}\n{err[-2000:]}")


# What chromium logs on stderr here, besides the page: the launcher's own shell noise, dbus
# failures (no system bus in a container), vaapi and sandbox warnings, "N bytes written to
# file". The page's console reaches stderr as "[pid:tid:date:INFO:CONSOLE:line] "message",
# source: URL (line)" (older versions: "CONSOLE(line)"), at INFO whatever the console level; a
# CSP violation is such a line, "... violates the following Content Security Policy directive
# ..." (older versions: "Refused to ..."). The report runs no script, so every console line is
# a problem, and so is any mention of the CSP or an uncaught exception anywhere.
CONSOLE = re.compile(r":CONSOLE[(:]\d+")
PROBLEM = re.compile(r"Refused to|Uncaught|Content Security Policy|Content-Security-Policy")


def console_problems(err):
    return [line for line in err.splitlines() if CONSOLE.search(line) or PROBLEM.search(line)]


class Dom(HTMLParser):
    """The parts of a dumped DOM the checks look at: badge texts, headings in order, the <svg>
    elements, and the code blocks with the heading they come under."""
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.badges, self.headings, self.code, self.svgs = [], [], [], 0
        self._open = []     # (tag, kind, text parts) of the elements whose text is collected

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        if tag == "svg":
            self.svgs += 1
        kind = ("badge" if "badge" in cls else "heading" if tag in self.HEADINGS
                else "code" if tag == "code" else None)
        if kind:
            self._open.append((tag, kind, []))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            _, kind, parts = self._open.pop()
            text = "".join(parts).strip()
            if kind == "badge":
                self.badges.append(text)
            elif kind == "heading":
                self.headings.append(text)
            else:
                self.code.append((self.headings[-1] if self.headings else None, text))

    def handle_data(self, data):
        for _, _, parts in self._open:
            parts.append(data)


def red_run(rows, ch, top=400):
    """The longest horizontal run of badge-red pixels in the top rows of a decoded PNG: the
    verdict badge is a block of it about 100 px wide; the finding's red left border is 6 px."""
    best = 0
    for r in rows[:top]:
        run = 0
        for x in range(0, len(r) - ch + 1, ch):
            if ch >= 3 and all(abs(r[x + i] - BADGE_RED[i]) <= 24 for i in range(3)):
                run += 1
                best = max(best, run)
            else:
                run = 0
    return best


def not_blank(data):
    """(ok, why, (width, height)): a screenshot of the report has many colours and the red
    verdict badge."""
    w, h, ch, rows = png.decode(data)
    n = len(png.colours(data))
    run = red_run(rows, ch)
    return (n > 50 and run >= 40,
            f"{n} distinct colours sampled (want > 50), red run of {run} px (want >= 40)", (w, h))


tmp = tempfile.mkdtemp(prefix="evdiag-html-")
try:
    p = subprocess.run([EVDIAG, "diagnose", "--format", "html", "sample-logs/iisadmin-confirmed"], cwd=ROOT,
                       env=dict(os.environ, NO_COLOR="1"), stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120)
    check("evdiag diagnose --format html exit 0", p.returncode == 0, f"rc={p.returncode} {p.stderr[:500]!r}")
    report = p.stdout.decode("utf-8")
    page = os.path.join(tmp, "report.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(report)

    # (a) No console message, no CSP violation, no uncaught exception.
    shot = os.path.join(tmp, "report.png")
    rc, _, err = chromium(tmp, page, "--screenshot=" + shot)
    ran("report", rc, err)
    if rc is not None:
        bad = console_problems(err)
        check("report: no console message or CSP violation", not bad, "\n".join(bad))

    # The same check must catch what the page's CSP forbids: a remote image, an inline script.
    anchor = "<main>" if "<main>" in report else "<body>"
    for what, inject in (("remote image", '<img src="http://example.invalid/x.png" alt="">'),
                         ("inline script", "<script>document.title = 'injected';</script>")):
        name = what.replace(" ", "-")
        bad_page = os.path.join(tmp, name + ".html")
        with open(bad_page, "w", encoding="utf-8") as f:
            f.write(report.replace(anchor, anchor + inject, 1))
        rc, _, err = chromium(tmp, bad_page, "--dump-dom")
        ran("negative control, " + what, rc, err)
        if rc is not None:
            check(f"negative control: an injected {what} is flagged", console_problems(err) != [],
                  "chromium logged nothing about it; stderr:\n" + err[-2000:])

    # (b) The DOM as the browser built it.
    rc, dom, err = chromium(tmp, page, "--dump-dom")
    ran("report --dump-dom", rc, err)
    d = Dom()
    d.feed(dom)
    d.close()
    check("DOM: verdict badge CONFIRMED", "CONFIRMED" in d.badges, f"badges {d.badges}")
    check("DOM: Timeline heading", "Timeline" in d.headings, f"headings {d.headings}")
    check("DOM: the timeline picture is an <svg>", d.svgs >= 1, f"{d.svgs} svg elements")
    remedy = [text for heading, text in d.code if heading == "Remedy"]
    check("DOM: Remedy heading", "Remedy" in d.headings, f"headings {d.headings}")
    check("DOM: the netsh command under Remedy",
          any(t.startswith("netsh http add sslcert ipport=0.0.0.0:443 certhash=") for t in remedy),
          f"code under Remedy: {remedy}")

    # (c) The screenshot is not blank, and a blank one fails the same check.
    data = open(shot, "rb").read() if os.path.exists(shot) else b""
    if os.environ.get("EVDIAG_SCREENSHOT") and data:
        shutil.copyfile(shot, os.environ["EVDIAG_SCREENSHOT"])
        print("screenshot saved to " + os.environ["EVDIAG_SCREENSHOT"])
    try:
        ok, why, (w, h) = not_blank(data)
        check("screenshot: the window's size", (w, h) == (WIDTH, HEIGHT), f"{w}x{h}")
        check("screenshot: not blank, the red verdict badge shows", ok, why)
    except (ValueError, IndexError) as e:
        check("screenshot: a PNG", False, f"{shot}: {e}")

    empty = os.path.join(tmp, "empty.html")
    with open(empty, "w") as f:
        f.write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>empty</title></head>"
                "<body></body></html>\n")
    empty_shot = os.path.join(tmp, "empty.png")
    rc, _, err = chromium(tmp, empty, "--screenshot=" + empty_shot)
    ran("negative control, empty page", rc, err)
    try:
        ok, why, _ = not_blank(open(empty_shot, "rb").read())
        check("negative control: an empty page fails the blank check", not ok, why)
    except (OSError, ValueError, IndexError) as e:
        check("negative control: an empty page's screenshot", False, str(e))
finally:
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(1 if failures else 0)
