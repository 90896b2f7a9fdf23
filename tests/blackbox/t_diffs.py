# SPDX-License-Identifier: EUPL-1.2
"""Readable guideline diffs (issue 15, item 4): every guideline text,
message and reason stored with LF line ends (a proposal made in the browser
with CRLF changes only what it changes), old CRLF rows migrated, and the
diff pages (/richtlijnen/{slug}/verschillen and a proposal's page) per
Markdown block with the changed words marked <ins>/<del>, escaped, folded
around the changes, and bounded for hostile input."""
import random
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

FORM = "application/x-www-form-urlencoded"

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
goes = m.token("GM0664", "editor")
origin = "http://127.0.0.1:%d" % m.port

PARAS = ["# Open data in de gemeente",
         "## Waarom",
         "Open data maakt beleid controleerbaar voor inwoners.",
         "Publiceer eerst wat al openbaar is: begrotingen, vergunningen.",
         "## Hoe",
         "- kies een vaste plek\n- noem de bron\n- houd het bij",
         "Vraag de privacy officer om mee te kijken.",
         "## Wie",
         "De informatiebeheerder, samen met de vakafdeling.",
         "Zo blijft het werk van iedereen.",
         "## Tot slot",
         "Begin klein en leer van elke stap."]
TEXT = "\n\n".join(PARAS) + "\n"
slug = "open-data-gemeente"
api = "/api/v1/richtlijnen/" + slug
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": slug, "titel": "Open data in de gemeente", "tekst": TEXT,
    "bericht": "Eerste versie"})
t.eq(r.status, 201, "a guideline to diff")


def login(email, gemeente):
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", "editor",
          input="een lang wachtwoord\n", check=True)
    r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
                  "Origin": origin}, body=urllib.parse.urlencode(
                      {"email": email, "wachtwoord": "een lang wachtwoord"}))
    return (r.header("Set-Cookie") or "").split(";")[0]


def post(path, fields, cookie):
    # urlencode of a str keeps "\r\n" as %0D%0A, as a browser sends a
    # textarea.
    return m.request("POST", path, headers={"Content-Type": FORM,
                     "Origin": origin, "Cookie": cookie},
                     body=urllib.parse.urlencode(fields))


def crlf(s):
    return s.replace("\n", "\r\n")


# A proposal through the web form, as a browser sends it: CRLF throughout.
kerkrade = login("beleid@kerkrade.example.nl", "GM0928")
form = m.get("/richtlijnen/%s/voorstellen/nieuw" % slug,
             headers={"Cookie": kerkrade}).body.decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
changed = TEXT.replace("De informatiebeheerder, samen met de vakafdeling.",
                       "De informatiebeheerder, samen met de hele "
                       "vakafdeling.")
r = post("/richtlijnen/%s/voorstellen/nieuw" % slug, {
    "csrf": csrf, "basis": "1", "bericht": "Iedereen\r\nerbij",
    "tekst": crlf(changed)}, kerkrade)
t.eq(r.status, 303, "a proposal with CRLF through the form")
ppath = r.header("Location")
pid = ppath.rsplit("/", 1)[1]
p = m.get(api + "/voorstellen/" + pid).json()
t.ok("\r" not in p["tekst"] and p["tekst"] == changed,
     "the proposal's text is stored with LF line ends")
t.eq(p["bericht"], "Iedereen\nerbij", "its message too")
page = m.get(ppath, headers={"Cookie": kerkrade}).body.decode()
t.eq(page.count('class="diff-blok diff-gewijzigd"'), 1,
     "the proposal's page: one changed block, not every line")
t.eq(re.findall(r"<ins>(.*?)</ins>", page)[1:],
     ['<span class="vh">toegevoegd: </span>hele '],
     "only the added word is marked <ins> (after the legend's example)")
t.eq(len(re.findall(r"<del>", page)), 1,
     "nothing marked <del> but the legend's example")
t.ok(re.search(r'class="diff-overgeslagen">\d+ ongewijzigde '
               r'alinea&#39;s<', page),
     "the unchanged paragraphs far from the change are folded")
t.ok("Zo blijft het werk van iedereen." in page and
     "## Wie" in page, "one block of context on either side of the change")
t.ok("Open data maakt beleid" not in page,
     "blocks further away are not shown")

# The API and a maintainer's decision: text, message and reason as LF.
r = m.request("POST", api + "/versies", token=goes, body={
    "basis": 1, "tekst": crlf(TEXT.replace("Begin klein", "Begin\rklein")),
    "bericht": "Regel\r\neinden"})
t.eq(r.status, 201, "a revision with CRLF and a lone CR through the API")
v2 = m.get(api + "/versies/2").json()
t.ok("\r" not in v2["tekst"] and "Begin\nklein" in v2["tekst"],
     "stored with LF, a lone CR as LF")
t.eq(v2["bericht"], "Regel\neinden", "the revision's message as LF")
maint = login("beheer@goes.example.nl", "GM0664")
page = m.get(ppath, headers={"Cookie": maint}).body.decode()
mcsrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
r = post(ppath + "/besluit", {"csrf": mcsrf, "status": "afgewezen",
                              "reden": "Nog\r\nniet"}, maint)
t.eq(r.status, 303, "rejected with a two-line reason")
t.eq(m.get(api + "/voorstellen/" + pid).json()["reden"], "Nog\nniet",
     "the reason as LF")

# The diff page between revisions: words marked, escaped, folded.
v3 = TEXT.replace("Vraag de privacy officer om mee te kijken.",
                  "Vraag de <script>alert(1)</script> officer om mee te "
                  "kijken.").replace("Begin klein en leer van elke stap.\n",
                                     "Begin klein en leer van elke stap.\n\n"
                                     "Een nieuwe alinea.\n")
v3 = v3.replace("Publiceer eerst wat al openbaar is: begrotingen, "
                "vergunningen.\n\n", "")
r = m.request("POST", api + "/versies", token=goes, body={
    "basis": 2, "tekst": v3, "bericht": "Drie wijzigingen"})
t.eq(r.status, 201, "revision 3")
r = m.get("/richtlijnen/%s/verschillen?van=1&tot=3" % slug)
page = r.body.decode()
t.eq(r.status, 200, "the diff page")
t.ok("<script>alert" not in page and
     "&lt;script&gt;alert(1)&lt;/script&gt;" in page,
     "HTML in a text is shown as text")
t.ok(re.search(r'<del><span class="vh">verwijderd: </span>privacy</del>'
               r'<ins><span class="vh">toegevoegd: </span>&lt;script&gt;'
               r'alert\(1\)&lt;/script&gt;</ins>', page),
     "the changed word: <del> the old, <ins> the new",
     re.findall(r'diff-gewijzigd">.*', page))
t.ok('class="diff-blok diff-weg"><del><span class="vh">verwijderd: </span>'
     "Publiceer eerst" in page, "a removed paragraph, whole, as <del>")
t.ok('class="diff-blok diff-nieuw"><ins><span class="vh">toegevoegd: '
     "</span>Een nieuwe alinea.</ins>" in page,
     "an added paragraph, whole, as <ins>")
t.ok("Begin klein" in page and "Begin\nklein" not in page,
     "revision 1's text has no lone CR to show")
t.ok('<pre class="diff">' not in page and "<table" not in page,
     "no unified diff and no side-by-side table on the page")
r = m.get("/richtlijnen/%s/verschillen?van=3&tot=3" % slug)
t.ok("De tekst is niet veranderd." in r.body.decode(),
     "a revision against itself: nothing changed")
r = m.get(api + "/verschillen?van=1&tot=3").json()
t.ok(r["diff"].startswith("--- ") and "\n@@ " in r["diff"] and
     "-Vraag de privacy officer" in r["diff"],
     "the API keeps its unified diff")

# Hostile input: 200 KB of random words against a shuffled copy. The word
# diff would be ~10^9 cells: refused, the block shown as replaced whole.
rnd = random.Random(15)
words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz")
                 for _ in range(rnd.randint(2, 9))) for _ in range(31000)]


def lines(ws):
    return "\n".join(" ".join(ws[i:i + 12]) for i in range(0, len(ws), 12))


big = lines(words) + "\n"
shuffled = words[:]
rnd.shuffle(shuffled)
big2 = lines(shuffled) + "\n"
t.ok(190000 < len(big) < 240000, "about 200 KB of words (%d)" % len(big))
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "vijandig", "titel": "Vijandig", "tekst": big,
    "bericht": "Groot"})
t.eq(r.status, 201, "a 200 KB guideline")
r = m.request("POST", "/api/v1/richtlijnen/vijandig/versies", token=goes,
              body={"basis": 1, "tekst": big2, "bericht": "Geschud"})
t.eq(r.status, 201, "its shuffled copy as revision 2")
r = m.get("/richtlijnen/vijandig/verschillen?van=1&tot=2", timeout=60)
page = r.body.decode()
t.eq(r.status, 200, "the diff page answers")
t.ok('class="diff-blok diff-vervangen"' in page and
     "te veel veranderd om per woord te vergelijken" in page,
     "past the bound: the block is shown as replaced whole, with a note")
# Many blocks: 200 KB of list items, shuffled (the block alignment).
items = ["- " + " ".join(words[i:i + 3]) for i in range(0, 24000, 3)]
rnd.shuffle(items)
r = m.request("POST", "/api/v1/richtlijnen/vijandig/versies", token=goes,
              body={"basis": 2, "tekst": "\n".join(items) + "\n",
                    "bericht": "Lijst"})
t.eq(r.status, 201, "8000 list items as revision 3")
items2 = items[:]
rnd.shuffle(items2)
r = m.request("POST", "/api/v1/richtlijnen/vijandig/versies", token=goes,
              body={"basis": 3, "tekst": "\n".join(items2) + "\n",
                    "bericht": "Geschud"})
r = m.get("/richtlijnen/vijandig/verschillen?van=3&tot=4", timeout=60)
t.ok(r.status == 200 and 'class="verschillen"' in r.body.decode(),
     "8000 shuffled list items: the diff page answers")

# Migration 14: rows written with CRLF before it are LF after it. The
# database is put back to schema version 13 with CRLF rows, as an older
# meent left it; meentd migrates at start. (Setting the version back runs
# every later migration again: one added after 14 must stand that, or this
# test must undo what it made.)
finish(t, m, done=False)
m2 = Instance()
m2.start(extra=["--seed", CONTENT])
tok = m2.token("GM0664", "editor")
r = m2.request("POST", "/api/v1/richtlijnen", token=tok, body={
    "slug": slug, "titel": "Open data", "tekst": TEXT, "bericht": "Een"})
r = m2.request("POST", api + "/versies", token=tok, body={
    "basis": 1, "tekst": changed, "bericht": "Twee"})
r = m2.request("POST", api + "/voorstellen", token=tok, body={
    "basis": 2, "tekst": changed + "\nNog een zin.\n", "bericht": "Drie"})
t.eq(r.status, 201, "a proposal to migrate")
fed_before = m2.sql("SELECT body FROM fed_entries WHERE kind ="
                    " 'richtlijnversie' ORDER BY item")
m2.stop()
m2.sql("UPDATE richtlijn_versies SET tekst = replace(tekst, char(10),"
       " char(13, 10)), bericht = 'Twee' || char(13, 10) || 'regels'"
       " WHERE richtlijn = (SELECT pk FROM richtlijnen WHERE slug = ?)",
       (slug,))
m2.sql("UPDATE richtlijn_voorstellen SET tekst = replace(tekst, char(10),"
       " char(13))")
m2.sql("PRAGMA user_version = 13")
t.ok(all("\r" in x[0] for x in m2.sql(
    "SELECT tekst FROM richtlijn_versies v JOIN richtlijnen r ON"
    " r.pk = v.richtlijn WHERE r.slug = ?", (slug,))),
    "before: the revisions are stored with CRLF")
m2.start()
t.eq(m2.sql("PRAGMA user_version")[0][0] >= 14, True, "migrated")
t.eq(m2.sql("SELECT count(*) FROM richtlijn_versies WHERE"
            " instr(tekst, char(13)) > 0 OR instr(bericht, char(13)) > 0"
            )[0][0], 0, "after: no CR left in any revision")
t.eq(m2.get(api + "/versies/2").json()["tekst"], changed,
     "the revision's text is LF, byte for byte what was written")
t.eq(m2.get(api + "/versies/2").json()["bericht"], "Twee\nregels",
     "its message too")
t.eq(m2.sql("SELECT tekst FROM richtlijn_voorstellen")[0][0],
     changed + "\nNog een zin.\n", "a lone CR in a proposal: LF")
t.eq(m2.sql("SELECT body FROM fed_entries WHERE kind = 'richtlijnversie'"
            " ORDER BY item"), fed_before,
     "federation's signed entries are left as they were signed")
page = m2.get("/richtlijnen/%s/verschillen?van=1&tot=2" % slug).body.decode()
t.eq(page.count('class="diff-blok diff-gewijzigd"'), 1,
     "the migrated revisions differ in the one changed block")
finish(t, m2)
