# SPDX-License-Identifier: EUPL-1.2
"""Forms usable without a mouse (issue 17; WCAG 2.1.1 Keyboard, 2.4.1
Bypass blocks, 2.4.7 Focus visible): a keyboard-only walk in Debian's
chromium (tests/node/keyboard.mjs) signs in, publishes a pilot from the
start page through the menu and proposes a change to a guideline, pressing
only Tab, typing, Space, Enter and arrow keys; once in a window 1280 px
wide and once 320 px wide. Every element that gets the focus on the way
must show a focus indicator and be on screen; on each page the skip link
is the first Tab stop and moves the focus into <main>; the empty pilot
form's error summary links, by Enter, to the field, which is tied to its
message.
What the walk typed is then read back through the API: the pilot with
every field, its visibility, its dates and its Markdown with the line
breaks as LF (a browser sends CRLF); the proposal with its text and
reason."""
import json
import os
import re
import shutil
import subprocess

from a11y import SHOT_DIR
from harness import CONTENT, TOP_SRC, Instance, Tap, finish

NODE_DIR = os.path.join(TOP_SRC, "tests", "node")
SCRIPT = os.path.join(NODE_DIR, "keyboard.mjs")
MODULES = os.path.join(NODE_DIR, "node_modules")
CHROMIUM = os.environ.get("MEENT_CHROMIUM", "/usr/bin/chromium")
EMAIL = "toetsenbord@rheden.example.nl"
PASSWORD = "alleen met de toetsen"
SLUG = "stakeholders-betrekken"

# The pilot as typed, in the order of the form (id, value); checkboxes
# True when ticked. Textareas get several lines and a blank line.
PILOT = [
    ("titel", "Toetsenbordpilot: zonder muis publiceren"),
    ("domein", "jeugd"),
    ("status", "afgerond"),
    ("aanvrager", "college"),
    ("samenvatting", "Eerste regel van de samenvatting.\nTweede regel."),
    ("vraag", "Kan een redacteur alles met het toetsenbord doen?"),
    ("start", "2025-03-01"),
    ("einde", "2025-11-30"),
    ("stakeholders", "college, raad"),
    ("tags", "toegankelijkheid, toetsenbord"),
    ("contact", "Team Data, data@rheden.example.nl"),
    ("richtlijnen-4", True),
    ("indicatoren-7", True),
    ("aanpak", "## Wat we deden\n\n- alleen Tab\n- en Enter"),
    ("data", "Geen persoonsgegevens."),
    ("resultaten", "Het werkt.\n\nEen tweede alinea."),
    ("lessen", "Test met het toetsenbord."),
    ("privacy", "Geen DPIA nodig."),
    ("zichtbaarheid", "leden"),
]
PROPOSAL = {"slug": SLUG,
            "add": "\n\n## Met het toetsenbord\n\nDeze alinea is getypt "
                   "zonder muis.\nOp twee regels.",
            "bericht": "Een alinea over werken zonder muis"}

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
m.ctl("user", "add", EMAIL, "--gemeente", "GM0275", "--role", "editor",
      input=PASSWORD + "\n", check=True)
token = m.token("GM0275", "editor")


def walk(width):
    """Runs keyboard.mjs in a window width px wide; its JSON, or None after
    a failed check."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node is missing: apt-get install nodejs npm "
                       "(scripts/deps --test)")
    if not os.path.isdir(os.path.join(MODULES, "playwright-core")):
        missing.append("npm package playwright-core is missing: cd "
                       "tests/node && npm ci --no-audit --no-fund")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append("%s is missing: apt-get install chromium "
                       "(scripts/deps --test)" % CHROMIUM)
    for why in missing:
        t.ok(False, "the keyboard walk can run", why)
    if missing:
        return None
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1",
               MEENT_SHOT_DIR=os.path.join(SHOT_DIR, "toetsenbord-%d" % width),
               MEENT_WIDTH=str(width),
               MEENT_PILOT=json.dumps({"order": PILOT}),
               MEENT_PROPOSAL=json.dumps(PROPOSAL))
    try:
        p = subprocess.run(["node", SCRIPT, "http://127.0.0.1:%d" % m.port,
                            EMAIL, PASSWORD], cwd=NODE_DIR, env=env,
                           capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        t.ok(False, "the keyboard walk finishes at %d px" % width,
             "keyboard.mjs timed out")
        return None
    try:
        out = json.loads(p.stdout)
    except ValueError:
        out = None
    if not t.ok(p.returncode == 0 and out is not None,
                "chromium runs the keyboard walk at %d px" % width,
                "keyboard.mjs exit %d\n%s%s" % (p.returncode,
                                                p.stderr[-1500:],
                                                p.stdout[:500])):
        return None
    return out


def judge(width, out):
    """TAP checks of one walk's JSON (keyboard.mjs), and of what it made as
    the API has it."""
    at = "[%d px] " % width
    for s in out["steps"]:
        t.ok(s["ok"], "%s%s" % (at, s["name"]), s["detail"])
    # Focus visible: one check per page, naming every element without.
    pages = {}
    for f in out["focus"]:
        page = re.sub(r"/pilots/[0-9a-f-]{36}", "/pilots/{id}", f["page"])
        pages.setdefault(page, []).append(f)
    for page, seen in sorted(pages.items()):
        bad = ["%s: %s" % (f["element"], f["why"]) for f in seen
               if not f["ok"]]
        t.ok(bad == [], "%s%s: each of the %d elements that got the focus "
             "shows it (outline or box-shadow, on screen)"
             % (at, page, len(seen)), "\n".join(bad))
    t.ok(len(pages) >= 8, at + "the walk went over the pages it should",
         ", ".join(sorted(pages)))

    # The pilot as the API has it: what was typed, LF line ends.
    want = dict(PILOT)
    pilot = out.get("pilot")
    if t.ok(pilot is not None, at + "the walk published a pilot"):
        pid = pilot.rsplit("/", 1)[1]
        r = m.get("/api/v1/pilots/" + pid, token=token)
        t.eq(r.status, 200, at + "the typed pilot is in the API")
        got = r.json() if r.status == 200 else {}
        for key in ("titel", "samenvatting", "vraag", "contact", "aanpak",
                    "data", "resultaten", "lessen", "privacy"):
            t.eq(got.get(key), want[key], at + "pilot: %s as typed (line "
                 "breaks as LF)" % key)
        for key in ("domein", "status", "aanvrager", "zichtbaarheid"):
            t.eq(got.get(key), want[key], at + "pilot: %s chosen with the "
                 "arrow keys" % key)
        t.eq((got.get("start"), got.get("einde")),
             (want["start"], want["einde"]), at + "pilot: dates typed")
        t.eq((got.get("stakeholders"), got.get("tags")),
             (["college", "raad"], ["toegankelijkheid", "toetsenbord"]),
             at + "pilot: lists typed")
        t.eq(([g.get("slug") for g in got.get("richtlijnen", [])],
              got.get("indicatoren")),
             ([SLUG], ["herkomst-nederland"]),
             at + "pilot: a guideline and an indicator ticked with Space")
        t.eq(m.get("/api/v1/pilots/" + pid).status, 404,
             at + "pilot: 'Ingelogde gebruikers' hides it from the "
             "anonymous")

    proposal = out.get("proposal")
    if t.ok(proposal is not None, at + "the walk filed a proposal"):
        pid = proposal.rsplit("/", 1)[1]
        r = m.get("/api/v1/richtlijnen/%s/voorstellen/%s" % (SLUG, pid),
                  token=token)
        t.eq(r.status, 200, at + "the proposal is in the API")
        got = r.json() if r.status == 200 else {}
        head = m.get("/api/v1/richtlijnen/" + SLUG).json()["tekst"]
        # The textarea held the head's text; the walk typed at its end.
        tekst = got.get("tekst") or ""
        t.ok(tekst == head + PROPOSAL["add"], at + "proposal: the text "
             "with the typed paragraph at its end, line breaks as LF",
             "%d characters, want %d; it ends with %r" % (
                 len(tekst), len(head + PROPOSAL["add"]), tekst[-120:]))
        t.eq(got.get("bericht"), PROPOSAL["bericht"],
             at + "proposal: the reason typed")

for width in (1280, 320):
    out = walk(width)
    if out is not None:
        judge(width, out)
finish(t, m)
