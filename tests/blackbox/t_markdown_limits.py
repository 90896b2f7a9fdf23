# SPDX-License-Identifier: EUPL-1.2
"""Markdown that would make cmark-gfm slow is refused before it is rendered:
400 naming the field, on the API (pilot sections, guideline texts, revisions,
proposals, a merge that grows too large) and on the web forms; large
legitimate documents still go through. The times are in
tests/bench/markdown.sh, not here."""
import glob
import os
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
rheden = m.token("GM0275", "editor")
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port

# A legitimate text: the seed guidelines, repeated up to a size.
seed = "\n\n".join(
    open(p, encoding="utf-8").read().split("---", 2)[2]
    for p in sorted(glob.glob(os.path.join(CONTENT, "richtlijnen", "*",
                                           "v*.md"))))


def legit(size):
    """Blocks of the seed guidelines, in order and again, up to size bytes."""
    blocks = [b for b in seed.split("\n\n") if b.strip()]
    out, n, i = [], 0, 0
    while n + len(blocks[i % len(blocks)].encode()) + 2 <= size:
        out.append(blocks[i % len(blocks)])
        n += len(out[-1].encode()) + 2
        i += 1
    return "\n\n".join(out) + "\n"


TABLE = "| " + " | ".join("k%d" % i for i in range(40)) + " |\n" + \
    "|" + "---|" * 40 + "\n" + \
    ("| " + " | ".join(str(i) for i in range(40)) + " |\n") * 50

PILOT = {
    "titel": "Grenzen aan Markdown",
    "samenvatting": "Een pilot om de grenzen te toetsen.",
    "domein": "jeugd", "status": "lopend", "vraag": "Past het?",
    "zichtbaarheid": "concept",
}

# cmark's and cmark-gfm's pathological inputs, each just over a limit;
# what the reason must say (a regular expression).
PATHOLOGICAL = [
    ("![[]() repeated", "![[]()" * 600, r"!\[ in één alinea"),
    ("![[]() on CRLF lines", "![[]()\r\n" * 600, r"!\[ in één alinea"),
    ("![[]() at its historic size (960 kB)", "![[]()" * 160000,
     r"100000 tekens|250 kB"),
    ("a table of 300 columns",
     "|a" * 300 + "|\n" + "|-" * 300 + "|\n", "hoogstens 255 kolommen"),
    ("nested block quotes", "> " * 40 + "a", "citaten of lijsten"),
    (">>> without spaces", ">" * 5000 + "a", "citaten of lijsten"),
    ("nested lists on one line", "1. " * 40 + "a", "citaten of lijsten"),
    ("> - repeated", "> - " * 40 + "a", "citaten of lijsten"),
    ("120 kB in 80,000 characters", "\u00e9 " * 40000, "hoogstens 100 kB"),
]


def invalid(r, name):
    """The reason for name in a 400, or None."""
    if r.status != 400:
        return None
    for p in r.json().get("invalidParams", []):
        if p["name"] == name:
            return p["reason"]
    return None


# Pilots through the API: every section is checked.
for i, (desc, md, says) in enumerate(PATHOLOGICAL):
    field = ["aanpak", "data", "resultaten", "lessen", "privacy"][i % 5]
    r = m.request("POST", "/api/v1/pilots", token=rheden,
                  body=dict(PILOT, **{field: md}))
    why = invalid(r, field)
    t.ok(why is not None and re.search(says, why),
         "pilot %s: %s refused, 400 naming it" % (field, desc),
         (r.status, why))
r = m.request("POST", "/api/v1/pilots", token=rheden, body=dict(
    PILOT, aanpak="a " * 45000, data="b " * 45000, resultaten="c " * 45000))
why = invalid(r, "resultaten")
t.ok(why is not None and "samen" in why and "250 kB" in why,
     "five sections together over 250 kB: 400 naming the one past it",
     (r.status, why))
big = {"aanpak": legit(99000), "data": legit(40000) + TABLE,
       "resultaten": legit(40000), "lessen": legit(30000),
       "privacy": "- een\n- twee\n  - drie\n    > citaat\n\n" +
       "![beeld](https://example.org/a.png) " * 400}
r = m.request("POST", "/api/v1/pilots", token=rheden, body=dict(PILOT,
                                                                 **big))
total = sum(len(v.encode()) for v in big.values())
t.ok(r.status == 201 and "<table>" in r.json()["dataHtml"] and
     r.json()["privacyHtml"].count("<img") == 400,
     "a legitimate pilot of %d kB (tables, lists, 400 images): 201" %
     (total // 1000), (r.status, r.body[:300]))
pid = r.json().get("id") if r.status == 201 else None
r = m.request("PATCH", "/api/v1/pilots/%s" % pid, token=rheden,
              headers={"If-Match": "*"}, body={"lessen": "|a" * 300 + "|"})
t.eq(invalid(r, "lessen") is not None, True, "PATCH is checked too")

# Guidelines: the text of a new guideline, a revision, a proposal.
g = {"slug": "grenzen-aan-markdown", "titel": "Grenzen aan Markdown",
     "tekst": legit(240000), "bericht": "Groot maar gewoon"}
r = m.request("POST", "/api/v1/richtlijnen", token=rheden, body=g)
t.ok(r.status == 201, "a legitimate guideline of 240 kB: 201", r)
base = "/api/v1/richtlijnen/grenzen-aan-markdown"
for desc, md, says in PATHOLOGICAL[:-1]:
    r = m.request("POST", base + "/versies", token=rheden, body={
        "basis": 1, "tekst": md, "bericht": "Test"})
    why = invalid(r, "tekst")
    t.ok(why is not None and re.search(says, why),
         "revision: %s refused" % desc,
         (r.status, why))
r = m.request("POST", base + "/versies", token=rheden, body={
    "basis": 1, "tekst": "a " * 130000, "bericht": "Te lang"})
why = invalid(r, "tekst")
t.ok(why is not None and "hoogstens 250 kB" in why,
     "a revision over 250 kB: 400", why)
r = m.request("POST", "/api/v1/richtlijnen", token=rheden, body=dict(
    g, slug="grenzen-twee", tekst="> " * 40 + "a"))
t.ok(invalid(r, "tekst") is not None, "a new guideline is checked too")
r = m.request("POST", base + "/voorstellen", token=rheden, body={
    "basis": 1, "tekst": "![[]()" * 600, "bericht": "Voorstel"})
t.ok(invalid(r, "tekst") is not None, "a proposal is checked too")

# A merge may make a text too large although each side was not.
r = m.request("POST", "/api/v1/richtlijnen", token=rheden, body=dict(
    g, slug="grenzen-samenvoegen", tekst="# Kop\n\nBegin.\n\nMidden.\n\n"
    "Eind.\n"))
merge = "/api/v1/richtlijnen/grenzen-samenvoegen"
r = m.request("POST", merge + "/versies", token=rheden, body={
    "basis": 1, "tekst": "# Kop\n\nBegin.\n\nMidden.\n\nEind.\n\n" +
    legit(140000), "bericht": "Achteraan"})
t.eq(r.status, 201, "140 kB added at the end")
r = m.request("POST", merge + "/versies", token=rheden, body={
    "basis": 1, "tekst": "# Kop\n\n" + legit(140000) + "\n\nBegin.\n\n"
    "Midden.\n\nEind.\n", "bericht": "Vooraan"})
why = invalid(r, "tekst")
t.ok(why is not None and "samen met de wijzigingen sinds versie 1" in why,
     "the same on version 1 at the start: merged over 250 kB, 400",
     (r.status, why))

# The web forms: the reason on the form, with what was typed.
m.ctl("user", "add", "redactie@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
              "Origin": origin}, body=urllib.parse.urlencode(
                  {"email": "redactie@rheden.example.nl",
                   "wachtwoord": "een lang wachtwoord"}))
cookie = (r.header("Set-Cookie") or "").split(";")[0]


def form_post(path, fields, form_path):
    page = m.get(form_path, headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    fields = dict(fields, csrf=found.group(1) if found else "")
    return m.request("POST", path, headers={
        "Content-Type": FORM, "Origin": origin, "Cookie": cookie},
        body=urllib.parse.urlencode(fields))


fields = dict(PILOT, aanvrager="", start="", einde="", stakeholders="",
              tags="", contact="", aanpak="> " * 40 + "a", data="",
              resultaten="", lessen="", privacy="")
r = form_post("/pilots/nieuw", fields, "/pilots/nieuw")
page = r.body.decode()
t.ok(r.status == 400 and 'href="#aanpak"' in page and
     "citaten of lijsten" in page and "&gt; &gt; &gt;" in page,
     "the pilot form: 400, the reason linked to aanpak, the text kept",
     (r.status, page[-600:]))
r = form_post("/richtlijnen/grenzen-aan-markdown/voorstellen/nieuw",
              {"basis": "1", "tekst": "|a" * 300 + "|\n", "bericht": "Breed"},
              "/richtlijnen/grenzen-aan-markdown/voorstellen/nieuw")
page = r.body.decode()
t.ok(r.status == 400 and "hoogstens 255 kolommen" in page and
     'role="alert"' in page, "the proposal form: 400 with the reason",
     (r.status, page[-600:]))

# The seed content still loads (meentctl init seeded it; this is a check).
t.ok(m.get("/api/v1/pilots").json()["totaal"] >= 8 and
     m.get("/api/v1/richtlijnen").json()["totaal"] >= 3,
     "the seed pilots and guidelines are there")
finish(t, m)
