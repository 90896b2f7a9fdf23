# SPDX-License-Identifier: EUPL-1.2
"""Browser checks of web pages, as TAP: axe-core (WCAG 2.0/2.1 A and AA) in
Debian's chromium at 390 CSS pixels wide, no scrolling sideways at 1280, 390
and 320 pixels (WCAG 1.4.10 Reflow), and the Nu HTML checker (vnu) on the
HTML as the server sent it.

    check_pages(t, instance, ["/", "/inloggen"])

Needs `scripts/deps --test` (chromium, default-jre-headless, nodejs) and
`cd tests/node && npm ci`; a missing piece is a failing check that says
what to install, never a silent skip. Saved HTML goes under the instance's
directory (MEENT_KEEP=1 keeps it). Screenshots are the run's artifacts, in
SHOT_DIR (build/check/tests/a11y-shots/LABEL/): of every page that fails a
check, and of the few paths given as shots.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse

from harness import TOP_BUILD, TOP_SRC

NODE_DIR = os.path.join(TOP_SRC, "tests", "node")
SCRIPT = os.path.join(NODE_DIR, "a11y.mjs")
MODULES = os.path.join(NODE_DIR, "node_modules")
VNU_JAR = os.path.join(MODULES, "vnu-jar", "build", "dist", "vnu.jar")
CHROMIUM = os.environ.get("MEENT_CHROMIUM", "/usr/bin/chromium")
SHOT_DIR = os.path.join(TOP_BUILD, "tests", "a11y-shots")
# The widths at which the document must not be wider than the window.
WIDTHS = (1280, 390, 320)
MIN_SCREENSHOT = 5 * 1024
DEPS = "scripts/deps --test"


def _prerequisites():
    """(browser problems, vnu problems): what is missing, as install hints."""
    browser, vnu = [], []
    if shutil.which("node") is None:
        browser.append("node is missing: apt-get install nodejs npm (%s)"
                       % DEPS)
    for pkg in ("playwright-core", "axe-core"):
        if not os.path.isdir(os.path.join(MODULES, pkg)):
            browser.append("npm package %s is missing: cd tests/node && "
                           "npm ci --no-audit --no-fund" % pkg)
    if not os.access(CHROMIUM, os.X_OK):
        browser.append("%s is missing: apt-get install chromium (%s)"
                       % (CHROMIUM, DEPS))
    if not os.path.isfile(VNU_JAR):
        vnu.append("npm package vnu-jar is missing: cd tests/node && "
                   "npm ci --no-audit --no-fund")
    if shutil.which("java") is None:
        vnu.append("java is missing: apt-get install default-jre-headless "
                   "(%s)" % DEPS)
    return browser, vnu


def _name(path, label):
    return "%s%s" % (path, " [%s]" % label if label else "")


def _violation(v):
    return "%s (%s): %s; %d element(s): %s" % (
        v.get("id"), v.get("impact"), v.get("help"), v.get("nodes", 0),
        ", ".join(v.get("targets", [])))


def _label_dir(label):
    return re.sub(r"[^A-Za-z0-9]+", "-", label) or "anoniem"


def _run_browser(t, instance, paths, outdir, label, cookie=None, shots=()):
    """Runs a11y.mjs; returns its list of pages, or None after a failed
    check."""
    base = "http://127.0.0.1:%d" % instance.port
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1",
               MEENT_SHOT_DIR=os.path.join(SHOT_DIR, _label_dir(label)),
               MEENT_SHOTS="\n".join(shots))
    if cookie:
        env["MEENT_COOKIE"] = cookie
    try:
        p = subprocess.run(["node", SCRIPT, base, outdir] + list(paths),
                           cwd=NODE_DIR, env=env, capture_output=True,
                           text=True, timeout=120 + 20 * len(paths))
    except subprocess.TimeoutExpired as e:
        t.ok(False, "browser checks finish%s" % _name("", label),
             "a11y.mjs timed out after %ss" % e.timeout)
        return None
    try:
        pages = json.loads(p.stdout)["pages"]
    except (ValueError, KeyError, TypeError):
        pages = None
    if not t.ok(p.returncode == 0 and pages is not None,
                "chromium runs the browser checks%s" % _name("", label),
                "a11y.mjs exit %d\n%s%s" % (p.returncode, p.stderr[-1500:],
                                            p.stdout[:500])):
        return None
    return pages


def _run_vnu(t, batches):
    """Nu HTML checker over every saved HTML file of batches ([(pages,
    label)]) in one run of java; one check per page."""
    files = [pg["html"] for pages, _ in batches for pg in pages
             if os.path.isfile(pg.get("html", ""))]
    labels = ", ".join(sorted(set(label for _, label in batches if label)))
    found = {}
    if files:
        try:
            p = subprocess.run(["java", "-jar", VNU_JAR, "--format", "json",
                                "--errors-only", "--stdout"] + files,
                               capture_output=True, text=True, timeout=600)
            out = json.loads(p.stdout)
        except subprocess.TimeoutExpired:
            t.ok(False, "Nu HTML checker finishes%s" % _name("", labels),
                 "vnu.jar timed out")
            return
        except ValueError:
            t.ok(False, "Nu HTML checker runs%s" % _name("", labels),
                 "vnu.jar exit %d\n%s%s" % (p.returncode, p.stderr[-1500:],
                                            p.stdout[:500]))
            return
        for msg in out.get("messages", []):
            url = urllib.parse.unquote(msg.get("url", ""))
            path = os.path.realpath(re.sub(r"^file:(//)?", "", url))
            found.setdefault(path, []).append(msg)
    known = set(os.path.realpath(f) for f in files)
    stray = [k for k in found if k not in known]
    t.ok(stray == [], "Nu HTML checker: every message is about a page "
         "checked%s" % _name("", labels), "unmatched: " + ", ".join(stray))
    for pages, label in batches:
        for pg in pages:
            name = _name(pg["path"], label)
            html = pg.get("html", "")
            if not os.path.isfile(html):
                t.ok(False, "%s: no Nu HTML checker errors" % name,
                     "no HTML saved: %s" % (pg.get("error") or "unknown"))
                continue
            msgs = found.get(os.path.realpath(html), [])
            t.ok(msgs == [], "%s: no Nu HTML checker errors" % name,
                 "\n".join("line %s: %s [%s]" % (
                     m.get("lastLine", "?"), m.get("message"),
                     m.get("type")) for m in msgs))


# Pages whose HTML waits for check_html(): one run of the Nu HTML checker
# (a Java start of seconds) for the whole test instead of one per call.
_LATER = []


def check_html(t):
    """The Nu HTML checker over the pages of every check_pages(...,
    html_later=True) so far, in one run."""
    if _LATER:
        _run_vnu(t, list(_LATER))
        del _LATER[:]


def _wide(pg, width):
    """Why the page scrolls sideways at width, or None when it does not."""
    m = (pg.get("widths") or {}).get(str(width))
    if m is None:
        return "not measured: %s" % (pg.get("error") or "unknown")
    if m["scroll"] <= m["client"]:
        return None
    return "the page is %d px wide in a %d px window; sticking out: %s%s" % (
        m["scroll"], m["client"], ", ".join(m.get("wide", [])) or "?",
        "\nscreenshot: %s" % pg["screenshot"] if pg.get("screenshot") else "")


def check_pages(t, instance, paths, label="", cookie=None, status=None,
                reflow=None, shots=(), html_later=False):
    """Checks each path of a running Instance in chromium and with vnu:
    status 200 (or status[path]), zero axe violations, headings in order
    (the first an h1, no level skipped on the way down), no scrolling
    sideways at 1280, 390 and 320 px (WCAG 1.4.10: every page; reflow is
    accepted for older callers and ignored), zero Nu HTML checker errors;
    and for the paths in shots a rendered screenshot (> 5 KB), kept in
    SHOT_DIR like those of every failing page. label tells apart several
    calls (e.g. "ingelogd"); cookie ("name=value") is sent along. With
    html_later the Nu HTML checker runs at check_html(), for all pages at
    once."""
    status = status or {}
    browser_missing, vnu_missing = _prerequisites()
    for why in browser_missing:
        t.ok(False, "browser checks can run%s" % _name("", label), why)
    for why in vnu_missing:
        t.ok(False, "Nu HTML checker can run%s" % _name("", label), why)
    if browser_missing:
        return
    outdir = tempfile.mkdtemp(prefix="a11y-%s" % _label_dir(label),
                              dir=instance.dir)
    if os.environ.get("MEENT_KEEP") is not None:
        print("# HTML in %s" % outdir)
    pages = _run_browser(t, instance, paths, outdir, label, cookie, shots)
    if pages is None:
        return
    for pg in pages:
        name = _name(pg["path"], label)
        err = pg.get("error")
        want = status.get(pg["path"], 200)
        t.ok(pg.get("status") == want, "%s: HTTP status %d" % (name, want),
             err or "got status %s" % pg.get("status"))
        v = pg.get("violations", [])
        t.ok(not err and v == [], "%s: no axe violations (WCAG 2.1 A/AA)"
             % name, err or "\n".join(_violation(x) for x in v) +
             ("\nscreenshot: %s" % pg["screenshot"]
              if pg.get("screenshot") else ""))
        if not err and pg.get("status") == want:
            h = pg.get("headings", [])
            t.ok(h == [], "%s: headings in order, from one h1" % name,
                 "\n".join(h))
        why = [w for w in (_wide(pg, width) for width in WIDTHS) if w]
        t.ok(why == [], "%s: no sideways scrolling at %s px" % (
            name, ", ".join(str(w) for w in WIDTHS)), "\n".join(why))
        if pg["path"] in shots:
            shot = pg.get("screenshot") or ""
            size = os.path.getsize(shot) if os.path.isfile(shot) else 0
            t.ok(size > MIN_SCREENSHOT, "%s: screenshot is rendered "
                 "(> 5 KB)" % name, "%s: %d bytes" % (shot, size))
        for x in pg.get("incomplete", []):
            print("# %s: axe needs review: %s" % (name, _violation(x)))
        for line in pg.get("console", []):
            print("# %s: browser %s" % (name, line))
    if vnu_missing:
        return
    if html_later:
        _LATER.append((pages, label))
    else:
        _run_vnu(t, [(pages, label)])
