# SPDX-License-Identifier: EUPL-1.2
"""Browser checks of web pages, as TAP: axe-core (WCAG 2.0/2.1 A and AA) in
Debian's chromium, a full-page screenshot, and the Nu HTML checker (vnu) on
the HTML as the server sent it.

    check_pages(t, instance, ["/", "/inloggen"])

Needs `scripts/deps --test` (chromium, default-jre-headless, nodejs) and
`cd tests/node && npm ci`; a missing piece is a failing check that says
what to install, never a silent skip. Screenshots and saved HTML go under the
instance's directory: run with MEENT_KEEP=1 to keep them.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

from harness import TOP_SRC

NODE_DIR = os.path.join(TOP_SRC, "tests", "node")
SCRIPT = os.path.join(NODE_DIR, "a11y.mjs")
MODULES = os.path.join(NODE_DIR, "node_modules")
VNU_JAR = os.path.join(MODULES, "vnu-jar", "build", "dist", "vnu.jar")
CHROMIUM = os.environ.get("MEENT_CHROMIUM", "/usr/bin/chromium")
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


def _run_browser(t, instance, paths, outdir, label, cookie=None):
    """Runs a11y.mjs; returns its list of pages, or None after a failed
    check."""
    base = "http://127.0.0.1:%d" % instance.port
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    if cookie:
        env["MEENT_COOKIE"] = cookie
    try:
        p = subprocess.run(["node", SCRIPT, base, outdir] + list(paths),
                           cwd=NODE_DIR, env=env, capture_output=True,
                           text=True, timeout=120 + 30 * len(paths))
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


def _run_vnu(t, pages, label):
    """Nu HTML checker over every saved HTML file in one run; one check per
    page."""
    files = [pg["html"] for pg in pages if os.path.isfile(pg.get("html", ""))]
    found = {}
    if files:
        try:
            p = subprocess.run(["java", "-jar", VNU_JAR, "--format", "json",
                                "--errors-only", "--stdout"] + files,
                               capture_output=True, text=True, timeout=300)
            out = json.loads(p.stdout)
        except subprocess.TimeoutExpired:
            t.ok(False, "Nu HTML checker finishes%s" % _name("", label),
                 "vnu.jar timed out")
            return
        except ValueError:
            t.ok(False, "Nu HTML checker runs%s" % _name("", label),
                 "vnu.jar exit %d\n%s%s" % (p.returncode, p.stderr[-1500:],
                                            p.stdout[:500]))
            return
        for msg in out.get("messages", []):
            url = msg.get("url", "")
            found.setdefault(os.path.basename(url), []).append(msg)
    for pg in pages:
        name = _name(pg["path"], label)
        html = pg.get("html", "")
        if not os.path.isfile(html):
            t.ok(False, "%s: no Nu HTML checker errors" % name,
                 "no HTML saved: %s" % (pg.get("error") or "unknown"))
            continue
        msgs = found.get(os.path.basename(html), [])
        t.ok(msgs == [], "%s: no Nu HTML checker errors" % name,
             "\n".join("line %s: %s [%s]" % (m.get("lastLine", "?"),
                                             m.get("message"), m.get("type"))
                       for m in msgs))


def check_pages(t, instance, paths, label="", cookie=None, status=None,
                reflow=()):
    """Checks each path of a running Instance in chromium and with vnu:
    status 200 (or status[path]), zero axe violations, a rendered
    screenshot (> 5 KB), zero Nu HTML checker errors; and for the paths in
    reflow, no scrolling sideways in a window 320 px wide (WCAG 1.4.10).
    label tells apart several calls (e.g. "ingelogd"); cookie
    ("name=value") is sent along."""
    status = status or {}
    browser_missing, vnu_missing = _prerequisites()
    for why in browser_missing:
        t.ok(False, "browser checks can run%s" % _name("", label), why)
    for why in vnu_missing:
        t.ok(False, "Nu HTML checker can run%s" % _name("", label), why)
    if browser_missing:
        return
    outdir = tempfile.mkdtemp(prefix="a11y-%s" % re.sub(r"[^A-Za-z0-9]+",
                                                        "-", label),
                              dir=instance.dir)
    if os.environ.get("MEENT_KEEP") is not None:
        print("# screenshots and HTML in %s" % outdir)
    pages = _run_browser(t, instance, paths, outdir, label, cookie)
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
             % name, err or "\n".join(_violation(x) for x in v))
        shot = pg.get("screenshot", "")
        size = os.path.getsize(shot) if os.path.isfile(shot) else 0
        t.ok(size > MIN_SCREENSHOT, "%s: screenshot is rendered (> 5 KB)"
             % name, "%s: %d bytes" % (shot, size))
        if pg["path"] in reflow:
            t.ok(pg.get("width320") == 320, "%s: no sideways scrolling at "
                 "320 px" % name, "the page is %s px wide" %
                 pg.get("width320"))
        for x in pg.get("incomplete", []):
            print("# %s: axe needs review: %s" % (name, _violation(x)))
        for line in pg.get("console", []):
            print("# %s: browser %s" % (name, line))
    if not vnu_missing:
        _run_vnu(t, pages, label)
