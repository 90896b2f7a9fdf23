# SPDX-License-Identifier: EUPL-1.2
"""One search (/zoeken and /api/v1/_zoek) over municipalities, pilots,
guidelines and indicators: each kind found by a word of its own text,
fragments as plain text (no Markdown), counts per kind for every kind (0
included), the soort filter, case and accents folded, paging across kinds,
the indexes kept in step with writes, and a query that cannot run explained
on the search page with the box (400) and as problem+json in the API."""
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
rheden = m.token("GM0275", "editor")
goes = m.token("GM0664", "editor")

KINDS = ["gemeente", "pilot", "richtlijn", "indicator"]
GROUPS = {"gemeente": "gemeenten", "pilot": "pilots",
          "richtlijn": "richtlijnen", "indicator": "indicatoren"}
LABELS = {"gemeente": "Gemeente", "pilot": "Pilot", "richtlijn": "Richtlijn",
          "indicator": "Benchmark"}
HTML = {"gemeente": "/gemeenten/", "pilot": "/pilots/",
        "richtlijn": "/richtlijnen/", "indicator": "/benchmarks/"}
MARKDOWN = re.compile(r"\*\*|__|^#|\s#+\s|\]\(|\[|\]|`|~~|\|")


def q(text):
    return urllib.parse.quote(text, safe="")


def api(text, extra="", token=None):
    return m.get("/api/v1/_zoek?q=" + q(text) + extra, token=token)


def page(text, extra=""):
    return m.get("/zoeken?q=" + q(text) + extra)


def items(r):
    """Every result of an answer, in order, kinds in their order."""
    res = r.json()["resultaten"]
    return [x for k in KINDS for x in res[GROUPS[k]]]


def ids(r, kind):
    return [x["id"] for x in r.json()["resultaten"][GROUPS[kind]]]


# Content with Markdown around rare words: a pilot and a guideline.
PILOT = {
    "titel": "Snoeiroutes plannen met data",
    "samenvatting": "Hoe de buitendienst zijn routes plant.",
    "domein": "openbare-ruimte", "status": "lopend",
    "start": "2025-01-06", "vraag": "Kan het korter?",
    "aanvrager": "college", "stakeholders": ["buitendienst"],
    "tags": ["groen", "snoeitag"], "contact": "Team Data, data@example.nl",
    "zichtbaarheid": "openbaar",
    "aanpak": "## Wat we deden\n\nWe keken **vooral** naar de "
              "[kwartelroute](https://example.org/kwartelroute/kaart) "
              "en _de_ `wachtrij`.\n\n| week | km |\n|---|---|\n| 1 | 4 |",
}
r = m.request("POST", "/api/v1/pilots", body=PILOT, token=rheden)
t.eq(r.status, 201, "a pilot with Markdown is published")
pid = r.json()["id"]

GUIDE = ("# Groenbeheer met data\n\n## Begin klein\n\nDe **heggenmus**-"
         "methode: zie [het handboek](https://example.org/handboek) en "
         "tel *eerst* wat er staat.\n\n- stap een\n- stap twee\n")
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "groenbeheer-met-data", "titel": "Groenbeheer met data",
    "tekst": GUIDE, "bericht": "Eerste versie"})
t.eq(r.status, 201, "a guideline with Markdown is created")

# Each kind found by a word of its own text.
r = api("kwartelroute")
t.ok(r.status == 200 and pid in ids(r, "pilot"),
     "a pilot is found by a word of its text (inside a link)", r)
frag = r.json()["resultaten"]["pilots"][0] if r.status == 200 else {}
t.ok("kwartelroute" in frag.get("fragment", "") and
     "<mark>kwartelroute</mark>" in frag.get("fragmentHtml", ""),
     "its fragment holds the word, marked in fragmentHtml", frag)
t.ok(frag and not MARKDOWN.search(frag["fragment"]) and
     "example.org" not in frag["fragment"],
     "the pilot's fragment has no Markdown and no link address", frag)
x = api("snoeitag").json()["resultaten"]["pilots"]
t.ok(len(x) == 1 and x[0]["fragment"] == "Tags: groen, snoeitag" and
     "<mark>snoeitag</mark>" in x[0]["fragmentHtml"],
     "a match in the tags: the tags as words, not JSON", x)
r = api("heggenmus")
t.ok(r.status == 200 and ids(r, "richtlijn") == ["groenbeheer-met-data"],
     "a guideline is found by a word of its text", r)
g = r.json()["resultaten"]["richtlijnen"][0] if r.status == 200 else {}
t.ok(g and not MARKDOWN.search(g["fragment"]) and "**" not in
     g["fragmentHtml"] and "heggenmus" in g["fragment"],
     "the guideline's fragment is plain text", g)
r = api("groenbeheer")
t.ok("groenbeheer-met-data" in ids(r, "richtlijn"),
     "a guideline is found by its title")
r = api("geboren")
t.ok(r.status == 200 and "herkomst-buiten-europa" in ids(r, "indicator"),
     "an indicator is found by a word of its description", r)
r = api("herkomst")
t.ok(len(ids(r, "indicator")) >= 2, "indicators are found by their name")
r = api("Renswoude")
t.eq(ids(r, "gemeente"), ["GM0339"], "a municipality is found by its name")
gm = r.json()["resultaten"]["gemeenten"][0]
t.ok("Utrecht" in gm["fragment"] and "5.000 tot 10.000" in gm["fragment"],
     "its fragment says where it is and how large", gm)
r = api("GM0275")
t.eq(ids(r, "gemeente"), ["GM0275"], "and by its code")

# Case and accents.
for text in ("sudwest", "SÚDWEST", "Súdwest-Fryslân", "súdwest fryslan"):
    t.eq(ids(api(text), "gemeente"), ["GM1900"],
         "%r finds Súdwest-Fryslân" % text)
t.eq([x["id"] for x in items(api("RHEDEN"))],
     [x["id"] for x in items(api("rheden"))], "case does not matter")
t.eq(ids(api("KWARTELROUTE"), "pilot"), [pid], "nor in a pilot's text")

# Every result: its kind, a link to its page, plain text.
r = api("data")
every = items(r)
t.ok(len({x["soort"] for x in every}) >= 2, "one search, several kinds",
     {x["soort"] for x in every})
t.ok(all(x["_links"]["html"]["href"].startswith(HTML[x["soort"]]) and
         x["_links"]["html"]["href"].endswith(x["id"]) for x in every),
     "each result links to its page")
t.ok(all(x["_links"]["self"]["href"].startswith("/api/v1/") for x in every),
     "and to its API resource")
for text in ("data", "stakeholders", "privacy", "college", "heggenmus"):
    bad = [x["fragment"] for x in items(api(text, "&pageSize=100"))
           if MARKDOWN.search(x.get("fragment", ""))]
    t.eq(bad, [], "no Markdown in any fragment for %r" % text)
for x in every:
    if x["soort"] in ("pilot", "richtlijn", "indicator"):
        st = m.get(x["_links"]["html"]["href"]).status
        t.eq(st, 200, "the %s's page is there" % x["soort"])
        break

# Counts per kind: every kind, 0 included.
r = api("Renswoude")
f = r.json()["facetten"]["soort"]
t.eq(sorted(f), sorted(KINDS), "a count for every kind")
t.eq((f["gemeente"], f["richtlijn"]), (1, 0), "0 is a count too")
r = api("data")
f = r.json()["facetten"]["soort"]
t.eq(r.json()["totaal"], sum(f.values()), "the total is the sum")
t.eq({k: len(ids(api("data", "&pageSize=100"), k)) for k in KINDS},
     {k: min(f[k], 100) for k in KINDS}, "the counts match the results")

# The soort filter.
for k in KINDS:
    r = api("data", "&soort=" + k + "&pageSize=100")
    got = {x["soort"] for x in items(r)}
    t.ok(r.status == 200 and got <= {k} and r.json()["totaal"] == f[k] and
         r.json()["soort"] == k and r.json()["facetten"]["soort"] == f,
         "soort=%s: only that kind, its count, all counts kept" % k)
r = api("data", "&soort=boek")
t.ok(r.status == 400 and r.header("Content-Type") ==
     "application/problem+json" and [p["name"] for p in
                                     r.json()["invalidParams"]] == ["soort"],
     "an unknown soort: 400 naming soort", r)

# Paging across kinds.
whole = [(x["soort"], x["id"]) for x in items(api("data", "&pageSize=100"))]
pages, n = [], 1
while n < 50:
    r = api("data", "&pageSize=3&page=%d" % n)
    got = [(x["soort"], x["id"]) for x in items(r)]
    if not got:
        break
    t.ok(len(got) <= 3 and r.json()["totaal"] == len(whole),
         "page %d: at most 3, the same total" % n)
    pages += got
    n += 1
t.eq(pages, whole, "pages of 3 add up to the whole list, in order")
t.ok(len(whole) > 3, "(more than one page: %d)" % len(whole))
r = api("data", "&pageSize=3")
t.ok("next" in r.json()["_links"], "the first page links the next")
t.ok([x["soort"] for x in items(api("data", "&pageSize=100"))] ==
     sorted([x["soort"] for x in items(api("data", "&pageSize=100"))],
            key=KINDS.index), "results come grouped by kind")
r = api("data", "&page=99")
t.ok(r.status == 200 and items(r) == [], "past the end: an empty page")

# Visibility: a concept pilot only for its own municipality.
r = m.request("POST", "/api/v1/pilots", token=rheden, body=dict(
    PILOT, titel="Concept over de boomfeeroute", zichtbaarheid="concept",
    aanpak="Nog niets."))
cid = r.json()["id"]
t.eq(ids(api("boomfeeroute"), "pilot"), [], "a concept: not anonymously")
t.eq(ids(api("boomfeeroute", token=goes), "pilot"), [],
     "nor for another municipality")
t.eq(ids(api("boomfeeroute", token=rheden), "pilot"), [cid],
     "but for its own")

# The indexes follow writes.
r = m.request("POST", "/api/v1/richtlijnen/groenbeheer-met-data/versies",
              token=goes, body={"basis": 1, "bericht": "Andere vogel",
                                "tekst": GUIDE.replace("heggenmus",
                                                       "winterkoning")})
t.eq(r.status, 201, "a new revision of the guideline")
t.eq(ids(api("winterkoning"), "richtlijn"), ["groenbeheer-met-data"],
     "the new revision's words are found")
t.eq(ids(api("heggenmus"), "richtlijn"), [],
     "the old revision's words no longer")
r = m.request("DELETE", "/api/v1/pilots/" + pid, token=rheden,
              headers={"If-Match": "*"})
t.eq(ids(api("kwartelroute"), "pilot"), [], "a deleted pilot is gone")

# Bad queries: 400 problem+json in the API, the page with the box.
BAD = [('"open einde', "aanhalingsteken"),
       ("AND", "tussen twee zoekwoorden"),
       ("bijstand OR", "tussen twee zoekwoorden"),
       ("(jeugd OR zorg", "niet gesloten"),
       (" ".join("woord%s" % c for c in "abcdefghijklm"), "12"),
       ("ab*", "3 of meer letters")]
for text, why in BAD:
    r = api(text)
    reasons = [p["reason"] for p in r.json().get("invalidParams", [])
               if p["name"] == "q"]
    t.ok(r.status == 400 and r.header("Content-Type") ==
         "application/problem+json" and reasons and why in reasons[0],
         "API %r: 400 problem+json, the reason for q" % text, r)
    r = page(text)
    body = r.body.decode()
    box = re.search(r'<input id="q"[^>]*>', body)
    t.ok(r.status == 400 and r.header("Content-Type").startswith(
        "text/html") and why in body and 'role="alert"' in body and
        'id="q-fout"' in body, "page %r: 400, the reason explained" % text,
        (r.status, body[-1500:]))
    t.ok(box is not None and 'aria-invalid="true"' in box.group(0) and
         'value="%s"' % text.replace('"', "&quot;") in box.group(0),
         "page %r: the box, with what was typed" % text,
         box.group(0) if box else None)
t.eq(api("zorg (jeugd OR wmo)").status, 200,
     "a word next to a group works (AND added)")
t.eq(m.get("/api/v1/_zoek").status, 400, "API without q: 400")
r = page("data", "&page=0")
t.ok(r.status == 400 and "Pagina:" in r.body.decode() and
     'id="q"' in r.body.decode(), "page 0 on the page: 400, in Dutch")
r = page("data", "&soort=boek")
t.ok(r.status == 400 and 'id="q"' in r.body.decode() and
     "soort" in r.body.decode(), "page with an unknown soort: 400, the box")
t.ok("Zoek in: kies uit de lijst waarin u wilt zoeken" in r.body.decode()
     and "soort:" not in r.body.decode(), "… the field named in words, not "
     "by its key or the kinds' codes")

# The page.
r = m.get("/zoeken")
body = r.body.decode()
t.ok(r.status == 200 and 'id="q"' in body and "resultaten" not in body,
     "/zoeken without a query: the box, no results")
r = page("Renswoude")
body = r.body.decode()
t.eq(m.get("/gemeenten/GM0339").status, 200,
     "the municipality's page is there")
t.ok(r.status == 200 and 'href="/gemeenten/GM0339"' in body and
     ">Gemeente<" in body.replace('<p class="meta">', ">"),
     "a municipality on the page: its kind and its link")
for k in KINDS:
    t.ok(re.search(r'<a href="/zoeken\?q=Renswoude&amp;soort=%s"[^>]*>'
                   r'[^<]+</a> \((\d+)\)' % k, body) is not None,
         "the page links kind %s with its count" % k)
t.ok(re.search(r'soort=richtlijn"[^>]*>[^<]+</a> \(0\)', body) is not None,
     "a kind with 0 results is listed too")
r = page("data OR herkomst", "&pageSize=100")
body = r.body.decode()
for k in ("pilot", "richtlijn", "indicator"):
    t.ok('<p class="meta">%s' % LABELS[k] in body,
         "the page says which results are a %s" % LABELS[k])
frags = re.findall(r"</p>\n<p>(.*?)</p>\n</li>", body)
t.ok(frags and not any(MARKDOWN.search(re.sub(r"</?mark>", "", x))
                       for x in frags),
     "no Markdown in the page's fragments", [x for x in frags
                                              if MARKDOWN.search(x)][:3])
r = page("data", "&soort=indicator")
body = r.body.decode()
t.ok(r.status == 200 and 'soort=indicator" aria-current="page"' in body and
     '<option value="indicator" selected>' in body and
     '<p class="meta">Pilot' not in body,
     "soort on the page: that kind only, marked and selected")
r = page("data", "&pageSize=3")
t.ok('rel="next"' in r.body.decode() or "Volgende" in r.body.decode(),
     "the page has a pager")

# meentctl: check compares the indexes with what they index; reindex.
p = m.ctl("check")
t.ok(p.returncode == 0 and p.stdout.strip() == "ok", "check: ok",
     (p.stdout, p.stderr))
p = m.ctl("reindex")
t.eq(p.returncode, 0, "reindex")
t.eq(ids(api("winterkoning"), "richtlijn"), ["groenbeheer-met-data"],
     "after reindex, guidelines are found")
t.eq(ids(api("Renswoude"), "gemeente"), ["GM0339"],
     "and municipalities")
t.ok(m.ctl("check").returncode == 0, "check: still ok")
t.eq(m.get("/metrics").status, 200, "still up")
finish(t, m)
