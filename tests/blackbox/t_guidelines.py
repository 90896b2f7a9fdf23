# SPDX-License-Identifier: EUPL-1.2
"""Guidelines through the API: creation, append-only revisions on a named
base (merged by Markdown block, or 409 with both sides and nothing
written), diffs, proposals accepted or rejected by maintainers, adoptions,
tables of contents; and the seed's guidelines with their history."""
import time

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
goes = m.token("GM0664", "editor")          # creates: first maintainer
rheden = m.token("GM0275", "editor")        # a member, not a maintainer
viewer = m.token("GM0664", "viewer")

seed = m.get("/api/v1/richtlijnen").json()
t.eq(seed["totaal"], 4, "four seed guidelines")
t.ok(all(g["versie"] >= 2 for g in seed["richtlijnen"]),
     "each with a history of 2+ revisions")
r = m.get("/api/v1/richtlijnen/stakeholders-betrekken/versies").json()
t.ok(len(r["versies"]) >= 2 and r["versies"][-1]["versie"] == 1,
     "the seed history is there")

TEXT = ("# Datagedreven werken in kleine gemeenten\n\n"
        "## Begin bij de vraag\n\nEerst de vraag, dan de data.\n\n"
        "## Betrek iedereen\n\n- het college\n- de raad\n- de CISO\n\n"
        "## Deel wat u leert\n\nZie ook [pilots](/richtlijnen/"
        "pilots-uitvoeren-en-verspreiden).\n\n| wie | wat |\n|---|---|\n"
        "| raad | kaders |\n| college | besluit |\n")
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "kleine-gemeenten", "titel": "Datagedreven werken in kleine "
    "gemeenten", "tekst": TEXT, "bericht": "Eerste versie"})
t.eq(r.status, 201, "an editor creates a guideline")
g = r.json()
t.eq((g["versie"], [b["code"] for b in g["beheerders"]]), (1, ["GM0664"]),
     "revision 1; its municipality is the first maintainer")
t.eq([h["anker"] for h in g["inhoudsopgave"]],
     ["datagedreven-werken-in-kleine-gemeenten", "begin-bij-de-vraag",
      "betrek-iedereen", "deel-wat-u-leert"], "a table of contents with "
     "stable anchors")
t.ok('<h2 id="begin-bij-de-vraag">' in g["html"], "headings carry anchors")
t.ok('href="/richtlijnen/pilots-uitvoeren-en-verspreiden"' in g["html"],
     "links between guidelines resolve to their pages")
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "kleine-gemeenten", "titel": "Dubbel", "tekst": "x"})
t.eq(r.status, 400, "a taken slug: 400")
r = m.request("POST", "/api/v1/richtlijnen", token=viewer, body={
    "slug": "nog-een", "titel": "Nog een", "tekst": "x"})
t.eq(r.status, 403, "a viewer cannot create one")
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "Hoofd Letters", "titel": "", "tekst": "a\x01b"})
t.eq(sorted(p["name"] for p in r.json()["invalidParams"]),
     ["slug", "tekst", "titel"], "invalid fields, all listed")
base = "/api/v1/richtlijnen/kleine-gemeenten"

# Revisions: maintainers only, on a base that exists.
v2 = TEXT.replace("Eerst de vraag, dan de data.",
                  "Eerst de vraag, dan pas de data.")
r = m.request("POST", base + "/versies", token=rheden,
              body={"basis": 1, "tekst": v2, "bericht": "Scherper"})
t.eq(r.status, 403, "a non-maintainer writing a revision: 403")
r = m.request("POST", base + "/versies", token=goes,
              body={"basis": 7, "tekst": v2, "bericht": "Scherper"})
t.eq(r.status, 400, "a base that does not exist: 400")
r = m.request("POST", base + "/versies", token=goes,
              body={"basis": 1, "tekst": v2, "bericht": "Scherper"})
t.eq((r.status, r.json()["versie"], r.json()["samengevoegd"]),
     (201, 2, False), "revision 2 on the head")
# A stale base, other blocks: merged.
v1_other = TEXT.replace("- de CISO\n", "- de CISO\n- de privacy officer\n")
r = m.request("POST", base + "/versies", token=goes,
              body={"basis": 1, "tekst": v1_other, "bericht": "FG erbij"})
t.eq((r.status, r.json().get("versie"), r.json().get("samengevoegd")),
     (201, 3, True), "a stale base with other blocks edited: merged as 3")
head = m.get(base).json()
t.ok("dan pas de data" in head["tekst"] and "privacy officer" in
     head["tekst"], "the merge keeps both edits")
# A stale base, the same block: 409, nothing written.
v1_same = TEXT.replace("Eerst de vraag, dan de data.",
                       "Begin altijd met de vraag.")
r = m.request("POST", base + "/versies", token=goes,
              body={"basis": 1, "tekst": v1_same, "bericht": "Anders"})
t.eq(r.status, 409, "a stale base with the same block edited: 409")
c = r.json()
t.ok(c["head"] == 3 and "dan pas de data" in c["headTekst"] and
     "Begin altijd" in c["voorgesteldeTekst"] and len(c["conflicten"]) >= 1,
     "409 gives the head, the proposed text and the conflicts", c)
t.ok(any("dan pas de data" in x["head"] and "Begin altijd" in x["voorstel"]
         for x in c["conflicten"]), "the conflicting blocks, both sides")
t.eq(m.get(base).json()["versie"], 3, "the head is unchanged")
t.eq(r.header("Content-Type"), "application/problem+json", "as problem+json")

# Diffs.
r = m.get(base + "/verschillen?van=1&tot=2")
d = r.json()
t.ok(r.status == 200 and "-Eerst de vraag, dan de data." in d["diff"] and
     "+Eerst de vraag, dan pas de data." in d["diff"],
     "a unified diff between revisions")
t.ok("<del>" in d["html"] and "<ins>" in d["html"], "and as HTML")
t.eq(m.get(base + "/verschillen?van=1&tot=99").status, 404,
     "a revision that does not exist: 404")
t.eq(m.get("/api/v1/richtlijnen/stakeholders-betrekken/verschillen?van=1"
           "&tot=3").status, 200, "a diff of a seed guideline")
t.eq(m.get(base + "/verschillen?van=x").status, 400, "a bad number: 400")
t.eq(m.get(base + "/versies/2").json()["tekst"], v2, "revision 2 as it was")
t.eq(m.get(base + "/versies/9").status, 404, "revision 9: 404")

# Proposals: any member proposes; maintainers decide.
prop = head["tekst"].replace("| college | besluit |",
                             "| college | besluit |\n| inwoners | vragen |")
r = m.request("POST", base + "/voorstellen", token=rheden,
              body={"basis": 3, "tekst": prop, "bericht": "Inwoners erbij"})
t.eq(r.status, 201, "a non-maintainer proposes")
pid = r.json()["id"]
t.eq(r.json()["status"], "open", "the proposal is open")
r = m.request("PATCH", base + "/voorstellen/%d" % pid, token=rheden,
              body={"status": "aanvaard"})
t.eq(r.status, 403, "the proposer cannot accept it")
r = m.request("PATCH", base + "/voorstellen/%d" % pid, token=goes,
              body={"status": "aanvaard"})
t.eq((r.status, r.json().get("versie"), r.json().get("gemeente"),
      r.json().get("voorstel")), (201, 4, "GM0275", pid),
     "a maintainer accepts: revision 4, credited to the proposer")
t.eq(m.get(base + "/voorstellen/%d" % pid).json()["status"], "aanvaard",
     "the proposer sees it accepted")
r = m.request("PATCH", base + "/voorstellen/%d" % pid, token=goes,
              body={"status": "afgewezen", "reden": "x"})
t.eq(r.status, 409, "deciding twice: 409")
r = m.request("POST", base + "/voorstellen", token=rheden,
              body={"basis": 4, "tekst": "# Alles anders\n", "bericht": "Weg"})
pid2 = r.json()["id"]
r = m.request("PATCH", base + "/voorstellen/%d" % pid2, token=goes,
              body={"status": "afgewezen"})
t.eq(r.status, 400, "a rejection needs a reason")
r = m.request("PATCH", base + "/voorstellen/%d" % pid2, token=goes,
              body={"status": "afgewezen", "reden": "Te ingrijpend"})
t.eq((r.status, r.json()["status"], r.json()["reden"]),
     (200, "afgewezen", "Te ingrijpend"), "rejected with a reason")
t.eq(m.get(base).json()["versie"], 4, "a rejection writes no revision")
lst = m.get(base + "/voorstellen").json()["voorstellen"]
t.eq(sorted(p["status"] for p in lst), ["aanvaard", "afgewezen"],
     "the list shows both decisions")

# Maintainers add another municipality.
r = m.request("PUT", base, token=goes,
              body={"beheerders": ["GM0664", "GM0275"]})
t.eq(sorted(b["code"] for b in r.json()["beheerders"]), ["GM0275", "GM0664"],
     "a maintainer adds a maintainer")
r = m.request("POST", base + "/versies", token=rheden, body={
    "basis": 4, "tekst": m.get(base).json()["tekst"] + "\nSlot.\n",
    "bericht": "Slot"})
t.eq(r.status, 201, "the new maintainer writes a revision")
r = m.request("PUT", base, token=goes, body={"beheerders": ["GM9999"]})
t.eq(r.status, 400, "an unknown maintainer: 400")

# Adoptions.
r = m.request("POST", base + "/adopties", token=rheden, body={"versie": 2})
t.eq(r.status, 201, "a municipality follows it, pinned to version 2")
r = m.request("POST", base + "/adopties", token=m.token("GM0014", "editor"))
t.eq(r.status, 201, "another follows the newest")
r = m.get(base + "/adopties").json()
t.eq((r["totaal"], sorted((a["gemeente"], a["versie"]) for a in
                          r["adopties"])),
     (2, [("GM0014", None), ("GM0275", 2)]), "the list and the count")
t.eq(m.get("/api/v1/richtlijnen").json()["richtlijnen"][1]["adopties"]
     if False else m.get(base).json()["adopties"], 2, "counted on the head")
r = m.request("POST", base + "/adopties", token=rheden, body={"versie": 99})
t.eq(r.status, 400, "pinned to a version that does not exist: 400")
t.eq(m.request("DELETE", base + "/adopties", token=rheden).status, 204,
     "withdraw")
t.eq(m.request("DELETE", base + "/adopties", token=rheden).status, 404,
     "withdraw again: 404")
t.eq(m.get(base).json()["adopties"], 1, "the count follows")

# Pathological Markdown: up to the 250 kB cap rendered (cmark is linear
# on these) or refused before rendering when it is not; over the cap,
# refused (t_markdown_limits.py; the times in tests/bench/markdown.sh).
for name, md, size, want in [
        ("nested brackets", "[" * 400000 + "]" * 400000, 250000, 201),
        ("nested emphasis", "*a **b " * 100000, 250000, 201),
        ("nested lists", "- " * 200000 + "x", 250000, 400),
        ("nested brackets", "[" * 400000 + "]" * 400000, 1000000, 400)]:
    body = {"basis": m.get(base).json()["versie"], "tekst": md[:size],
            "bericht": "Test"}
    t0 = time.time()
    r = m.request("POST", base + "/versies", token=goes, body=body)
    t.eq(r.status, want, "%d kB of %s: %d (%.2f s)" % (
        size // 1000, name, want, time.time() - t0))
r = m.request("POST", base + "/versies", token=goes, body={
    "basis": 1, "tekst": "x" * 1300000, "bericht": "Te groot"})
t.eq(r.status, 413, "over the body cap: 413")
r = m.request("POST", base + "/versies", token=goes, body={
    "basis": m.get(base).json()["versie"],
    "tekst": "<script>alert(1)</script>\n\n[x](javascript:alert(1))",
    "bericht": "XSS"})
h = m.get(base).json()["html"]
t.ok("<script" not in h and "javascript:" not in h, "rendered safely")

# The pages.
for path in ("/richtlijnen", "/richtlijnen/kleine-gemeenten",
             "/richtlijnen/kleine-gemeenten/versies/2",
             "/richtlijnen/kleine-gemeenten/verschillen?van=1&tot=2"):
    r = m.get(path)
    t.ok(r.status == 200 and b"<script>alert" not in r.body, "page %s" % path)
# Pilots link to guideline revisions; a guideline lists them.
pilot = {"titel": "Een pilot met een richtlijn", "samenvatting": "Kort.",
         "domein": "jeugd", "status": "lopend", "vraag": "Werkt het?",
         "zichtbaarheid": "openbaar",
         "richtlijnen": [{"slug": "kleine-gemeenten", "versie": 2},
                         {"slug": "stakeholders-betrekken"}]}
r = m.request("POST", "/api/v1/pilots", token=rheden, body=pilot)
t.eq(r.status, 201, "a pilot linking two guidelines")
t.eq(r.json()["richtlijnen"], pilot["richtlijnen"][:1] + [
    {"slug": "stakeholders-betrekken", "versie": None}], "the links, as given")
for bad, why in [([{"slug": "bestaat-niet"}], "an unknown guideline"),
                 ([{"slug": "kleine-gemeenten", "versie": 99}],
                  "a revision that does not exist"),
                 ([{"slug": "Kleine Gemeenten"}], "a malformed slug"),
                 ("kleine-gemeenten", "not a list")]:
    r = m.request("POST", "/api/v1/pilots", token=rheden,
                  body=dict(pilot, richtlijnen=bad))
    t.ok(r.status == 400 and any(x["name"] == "richtlijnen" for x in
                                 r.json()["invalidParams"]),
         "a link to %s: 400" % why, r.body[:200])
r = m.request("POST", "/api/v1/pilots", token=rheden, body=dict(
    pilot, titel="Conceptpilot met een richtlijn", zichtbaarheid="concept"))
linked = [x["titel"] for x in m.get(base).json()["pilots"]]
t.eq(linked, ["Een pilot met een richtlijn"],
     "the guideline lists the visible pilot, not another's concept")
linked = [x["titel"] for x in m.get(base, token=rheden).json()["pilots"]]
t.eq(sorted(linked), ["Conceptpilot met een richtlijn",
                      "Een pilot met een richtlijn"],
     "the own municipality sees its concept listed too")
page = m.get("/richtlijnen/kleine-gemeenten").body.decode()
t.ok("Een pilot met een richtlijn" in page and "Conceptpilot" not in page,
     "the guideline page lists the pilots that link to it")

# Proposing and deciding in the browser.
import re
import urllib.parse

FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port


def login(email, gemeente):
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", "editor",
          input="een lang wachtwoord\n", check=True)
    r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
                  "Origin": origin}, body=urllib.parse.urlencode(
                      {"email": email, "wachtwoord": "een lang wachtwoord"}))
    return (r.header("Set-Cookie") or "").split(";")[0]


def post(path, fields, cookie):
    return m.request("POST", path, headers={"Content-Type": FORM,
                     "Origin": origin, "Cookie": cookie},
                     body=urllib.parse.urlencode(fields))


kerkrade = login("beleid@kerkrade.example.nl", "GM0928")
maint = login("beheer@goes.example.nl", "GM0664")
form = m.get(base.replace("/api/v1", "") + "/voorstellen/nieuw",
             headers={"Cookie": kerkrade}).body.decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
basis = re.search(r'name="basis" value="(\d+)"', form).group(1)
t.ok("Datagedreven werken in kleine gemeenten" in form or "textarea" in form,
     "the proposal form holds the head's text")
head_text = m.get(base).json()["tekst"]
r = post(base.replace("/api/v1", "") + "/voorstellen/nieuw", {
    "csrf": csrf, "basis": basis, "bericht": "",
    "tekst": head_text}, kerkrade)
t.eq(r.status, 400, "a proposal without a reason: 400, the form again")
r = post(base.replace("/api/v1", "") + "/voorstellen/nieuw", {
    "csrf": csrf, "basis": basis, "bericht": "Kerkrade doet mee",
    "tekst": head_text + "\nKerkrade volgt dit ook.\n"}, kerkrade)
t.eq(r.status, 303, "a proposal through the form")
ppath = r.header("Location")
page = m.get(ppath, headers={"Cookie": kerkrade}).body.decode()
t.ok("Kerkrade volgt dit ook" in page and "Besluiten" not in page,
     "the proposal's page shows its change; no decision for a non-maintainer")
page = m.get(ppath, headers={"Cookie": maint}).body.decode()
t.ok("Besluiten" in page, "a maintainer sees the decision form")
mcsrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
r = post(ppath + "/besluit", {"csrf": mcsrf, "status": "afgewezen"}, maint)
t.eq(r.status, 400, "rejecting without a reason: 400")
r = post(ppath + "/besluit", {"csrf": csrf, "status": "aanvaard"}, kerkrade)
t.eq(r.status, 403, "a non-maintainer deciding: 403")
before = m.get(base).json()["versie"]
r = post(ppath + "/besluit", {"csrf": mcsrf, "status": "aanvaard"}, maint)
t.eq(r.status, 303, "a maintainer accepts through the form")
after = m.get(base).json()
t.ok(after["versie"] == before + 1 and "Kerkrade volgt dit ook" in
     after["tekst"] and after["gemeente"] == "GM0928",
     "a new revision, credited to the proposer")
DUTCH = r"\d{1,2} [a-z]+ 20\d\d om \d\d:\d\d"
page = m.get(ppath).body.decode()
t.ok(re.search(r'ingediend <time datetime="[^"]+Z">%s</time>' % DUTCH, page)
     and re.search(r'besloten <time datetime="[^"]+Z">%s</time>' % DUTCH,
                   page), "the proposal's dates in Dutch, in Amsterdam time",
     re.findall(r"<time[^>]*>[^<]*</time>", page))
page = m.get(base.replace("/api/v1", "") + "/versies/%d" %
             after["versie"]).body.decode()
t.ok(re.search(r"\(Kerkrade, %s\)" % DUTCH, page),
     "a version's page says who and when, in Dutch",
     re.findall(r'<p class="meta">.*', page)[:1])
page = m.get(base.replace("/api/v1", "")).body.decode()
t.ok(re.search(r'<time datetime="[^"]+Z">%s</time>' % DUTCH, page) and
     not re.search(r">20\d\d-\d\d-\d\dT", page),
     "the history: no ISO times where people read")

page = m.get("/richtlijnen/stakeholders-betrekken").body.decode()
t.ok("Geschiedenis" in page and "Beheerders" in page and 'href="#' in page,
     "the page shows history, maintainers and a table of contents")
t.eq(m.get("/richtlijnen/bestaat-niet").status, 404, "unknown: 404")

# The list page pages like the API: its own path in the links, not the API's.
total = m.get("/api/v1/richtlijnen").json()["totaal"]
page = m.get("/richtlijnen?pageSize=2").body.decode()
t.ok(page.count('<li class="pilot">') == 2 and
     'rel="next" href="/richtlijnen?page=2&amp;pageSize=2"' in page and
     'rel="prev"' not in page, "/richtlijnen?pageSize=2: two, and a next link")
last = (total + 1) // 2
page = m.get("/richtlijnen?page=%d&pageSize=2" % last).body.decode()
t.ok('rel="prev" href="/richtlijnen?page=%d&amp;pageSize=2"' % (last - 1)
     in page and 'rel="next"' not in page, "the last page: a prev link only")
page = m.get("/richtlijnen").body.decode()
t.ok(page.count('<li class="pilot">') == total and 'class="pager"' not in page,
     "all %d on one page by default, no pager" % total)
r = m.get("/richtlijnen?page=nul", headers={"Accept": "text/html"})
t.ok(r.status == 400 and "text/html" in (r.header("Content-Type") or "") and
     "lijst bestaat niet" in r.body.decode(), "?page=nul: a Dutch 400 page")

finish(t, m)
