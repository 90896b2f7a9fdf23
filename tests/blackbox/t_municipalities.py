# SPDX-License-Identifier: EUPL-1.2
"""The municipalities: reference data of all 342, size classes, filters,
pagination with _links, membership once an account exists; the pages
/gemeenten (find, filter, page) and /gemeenten/{code} (facts, pilots,
guidelines, datasets, key indicators) and the API's same answer."""
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start()

r = m.get("/api/v1/gemeenten?pageSize=100")
t.eq(r.status, 200, "list")
d = r.json()
t.eq(d["totaal"], 342, "342 municipalities")
t.eq(len(d["gemeenten"]), 100, "a page of 100")
t.eq(d["_links"]["next"]["href"], "/api/v1/gemeenten?page=2&pageSize=100",
     "next link")
t.ok("prev" not in d["_links"], "no prev on the first page")
t.eq(d["_links"]["last"]["href"], "/api/v1/gemeenten?page=4&pageSize=100",
     "last link")
seen = set()
for page in range(1, 5):
    for g in m.get("/api/v1/gemeenten?pageSize=100&page=%d" % page).json()[
            "gemeenten"]:
        seen.add(g["code"])
t.eq(len(seen), 342, "paging visits every municipality once")
total = 0
for page in range(1, 5):
    total += sum(g["inwoners"] for g in m.get(
        "/api/v1/gemeenten?pageSize=100&page=%d" % page).json()["gemeenten"])
t.eq(total, 18044027, "inhabitants add up to the CBS total for 2025")

g = m.get("/api/v1/gemeenten/GM0275").json()
t.eq((g["naam"], g["provincie"], g["inwoners"], g["grootteklasse"]),
     ("Rheden", "Gelderland", 43782, 4), "Rheden: Gelderland, 43,782, class 4")
t.eq(g["lid"], False, "not a member before any account")
t.eq(m.get("/api/v1/gemeenten/GM0363").json()["grootteklasse"], 8,
     "Amsterdam is class 8")
t.eq(m.get("/api/v1/gemeenten/GM0088").json()["grootteklasse"], 1,
     "Schiermonnikoog is class 1")

r = m.get("/api/v1/gemeenten?provincie=Zeeland&pageSize=100").json()
t.eq(r["totaal"], 13, "13 municipalities in Zeeland")
t.ok(all(x["provincie"] == "Zeeland" for x in r["gemeenten"]),
     "only Zeeland")
r = m.get("/api/v1/gemeenten?grootteklasse=8&pageSize=100").json()
t.ok(all(x["inwoners"] >= 250000 for x in r["gemeenten"]) and r["totaal"] > 0,
     "class 8 has 250,000 or more")
r = m.get("/api/v1/gemeenten?provincie=Gelderland&grootteklasse=4&page=2"
          "&pageSize=5").json()
t.ok("provincie=Gelderland" in r["_links"]["self"]["href"] and
     "grootteklasse=4" in r["_links"]["prev"]["href"],
     "links keep the filters", r["_links"])
r = m.get("/api/v1/gemeenten?provincie=Noord-Holland&pageSize=1").json()
t.ok(r["totaal"] > 40, "a province with a hyphen")

r = m.get("/api/v1/gemeenten/GM9999")
t.eq(r.status, 404, "an unknown code: 404")
r = m.get("/api/v1/gemeenten/rheden")
t.eq(r.status, 400, "not a code: 400")
t.eq(r.json()["invalidParams"][0]["name"], "code", "names the code")
r = m.get("/api/v1/gemeenten/GM0275%00")
t.ok(r.status in (400, 404), "a NUL in the path is not a 500")
r = m.get("/api/v1/gemeenten?page=99")
t.eq((r.status, r.json()["gemeenten"]), (200, []), "past the end: empty")

# Membership: the first account makes a municipality a member.
m.token("GM0275", "viewer")
g = m.get("/api/v1/gemeenten/GM0275").json()
t.ok(g["lid"] is True and g["lidSinds"].endswith("Z"),
     "a member after its first token, with an RFC 3339 UTC date", g)
r = m.get("/api/v1/gemeenten?lid=true").json()
t.eq([x["code"] for x in r["gemeenten"]], ["GM0275"], "filter lid=true")
t.eq(m.get("/api/v1/gemeenten?lid=false").json()["totaal"], 341,
     "filter lid=false")

# The list's filters, the same for the API and the page.
r = m.get("/api/v1/gemeenten?q=RHEDEN").json()
t.eq([x["code"] for x in r["gemeenten"]], ["GM0275"],
     "q is case-insensitive (RHEDEN)")
r = m.get("/api/v1/gemeenten?q=rhe&pageSize=100").json()
t.ok(r["totaal"] >= 1 and all("rhe" in x["naam"].lower()
                              for x in r["gemeenten"]),
     "q matches a part of the name", [x["naam"] for x in r["gemeenten"]])
t.ok("q=rhe" in r["_links"]["self"]["href"], "links keep q")
r = m.get("/api/v1/gemeenten?q=zzzq").json()
t.eq((r["totaal"], r["gemeenten"]), (0, []), "q without a match: empty")
r = m.get("/api/v1/gemeenten?provincie=zeeland&pageSize=100").json()
t.ok(r["totaal"] == 13 and all(x["provincie"] == "Zeeland"
                               for x in r["gemeenten"]),
     "provincie is case-insensitive (zeeland)")
r = m.get("/api/v1/gemeenten?q=&provincie=&grootteklasse=").json()
t.eq(r["totaal"], 342, "empty filters (a form's 'alle') filter nothing")
t.eq(m.get("/api/v1/gemeenten/GM0275").json()["grootteklasseTekst"],
     "20.000 tot 50.000 inwoners", "the size class in words")
r = m.get("/api/v1/gemeenten?grootteklasse=2&provincie=Utrecht&pageSize=100")
t.ok("GM0339" in [x["code"] for x in r.json()["gemeenten"]],
     "Renswoude: class 2 in Utrecht")
for bad, name in (("provincie=Atlantis", "provincie"),
                  ("grootteklasse=9", "grootteklasse"),
                  ("grootteklasse=twee", "grootteklasse"),
                  ("q=" + "x" * 101, "q")):
    r = m.get("/api/v1/gemeenten?" + bad)
    t.ok(r.status == 400 and r.header("Content-Type") ==
         "application/problem+json" and
         r.json()["invalidParams"][0]["name"] == name,
         "API %s: 400 problem+json naming %s" % (bad[:20], name), r)
t.eq(m.get("/api/v1/gemeenten?q=" + "x" * 100).status, 200,
     "q of 100 characters is allowed")

# The list page.
r = m.get("/gemeenten")
page = r.body.decode()
t.ok(r.status == 200 and r.header("Content-Type").startswith("text/html"),
     "/gemeenten is a page")
t.ok('<a href="/gemeenten" aria-current="page">Gemeenten</a>' in page,
     "the navigation links to it, marked as the page the visitor is on")
t.eq(re.findall(r'<select id="provincie"[^>]*>(.*?)</select>', page,
                re.S)[0].count("<option"), 13,
     "a select of 12 provinces and 'alle'")
t.ok('<option value="2">5.000 tot 10.000 inwoners</option>' in page,
     "the size classes in words")
t.ok("342 gemeenten gevonden" in page, "all 342 without filters")
names = re.findall(r'<h3><a href="/gemeenten/GM\d{4}">([^<]*)</a>', page)
t.eq(len(names), 20, "20 per page by default")
t.ok(names == sorted(names, key=str.lower), "ordered by name", names)
t.ok('rel="next" href="/gemeenten?page=2&amp;pageSize=20"' in page,
     "a link to the next page")
page2 = m.get("/gemeenten?page=2&pageSize=20").body.decode()
names2 = re.findall(r'<h3><a href="/gemeenten/GM\d{4}">([^<]*)</a>', page2)
t.ok(names2 and not set(names) & set(names2) and 'rel="prev"' in page2,
     "the second page: other municipalities, a link back")
page = m.get("/gemeenten?q=rHeDeN").body.decode()
t.ok("1 gemeente gevonden" in page and
     '<a href="/gemeenten/GM0275">Rheden</a>' in page and
     "Gelderland · 43.782 inwoners · grootteklasse 20.000 tot 50.000 "
     "inwoners" in page, "find by name, any case: one row with its facts")
page = m.get("/gemeenten?q=rhe&provincie=gelderland&grootteklasse=4").body \
    .decode()
t.ok('<option value="Gelderland" selected>' in page and
     '<option value="4" selected>' in page and 'value="rhe"' in page,
     "the form keeps the filters")
t.ok("Gekozen filters" in page and
     'href="/gemeenten?provincie=Gelderland&amp;grootteklasse=4" '
     'aria-label="Filter naam weghalen"' in page and
     'href="/gemeenten?q=rhe&amp;grootteklasse=4" '
     'aria-label="Filter provincie weghalen"' in page and
     'href="/gemeenten?q=rhe&amp;provincie=Gelderland" '
     'aria-label="Filter aantal inwoners weghalen"' in page,
     "each active filter has a link without it")
t.ok("Gekozen filters" not in m.get("/gemeenten").body.decode(),
     "no active filters without filters")
page = m.get("/gemeenten?q=zzzq").body.decode()
t.ok("0 gemeenten gevonden" in page and "Haal een filter weg" in page,
     "an empty result says what to do")
for bad in ("provincie=Atlantis", "grootteklasse=9",
            "q=" + "x" * 101 + "&grootteklasse=3"):
    r = m.get("/gemeenten?" + bad)
    page = r.body.decode()
    t.ok(r.status == 400 and r.header("Content-Type").startswith(
        "text/html") and 'action="/gemeenten"' in page and
        "Pas uw zoekvraag aan" in page and "gevonden" not in page,
        "page %s: 400 with the form and the reason" % bad[:20], r.status)
page = m.get("/gemeenten?q=" + "x" * 101 + "&grootteklasse=3").body.decode()
t.ok('<option value="3" selected>' in page and 'value="' + "x" * 101 in page
     and 'aria-invalid="true"' in page,
     "the 400 page keeps what was typed and marks the field")

finish(t, m, done=False)

# A seeded instance: Rheden has two pilots; the page shows its sections.
s = Instance().start(extra=["--seed", CONTENT])
g = s.get("/api/v1/gemeenten/GM0275").json()
t.eq(g["_links"]["html"]["href"], "/gemeenten/GM0275", "link to the page")
t.eq(g["_links"]["pilots"]["href"], "/api/v1/pilots?gemeente=GM0275",
     "link to all its pilots")
t.eq(s.get(g["_links"]["pilots"]["href"]).json()["totaal"],
     g["pilots"]["totaal"], "the pilots link has the same pilots")
t.eq(g["pilots"]["totaal"], 2, "Rheden: two seed pilots")
titles = sorted(p["titel"] for p in g["pilots"]["items"])
t.ok(all("Rheden" in x for x in titles), "its pilots", titles)
t.eq((g["richtlijnenBeheerd"], g["richtlijnenGevolgd"], g["datasets"]),
     ([], [], []), "no guidelines or datasets yet")
ind = {x["indicator"]: x for x in g["indicatoren"]}
t.ok(len(ind) >= 3, "key indicators", list(ind))
for x in ind.values():
    if x["waarde"] is None:
        continue
    cmp = s.get(x["_links"]["vergelijking"]["href"]).json()
    t.eq((x["waarde"], x["groepMediaan"], x["groepN"]),
         (cmp["positie"]["waarde"], cmp["statistiek"]["mediaan"],
          cmp["statistiek"]["n"]),
         "%s: the value and the median of the size class, as the "
         "comparison gives them" % x["indicator"])
t.ok(all(x["_links"]["html"]["href"].startswith("/benchmarks/")
         for x in ind.values() if x["waarde"] is not None),
     "each indicator links to its benchmark page")

r = s.get("/gemeenten/GM0275")
page = r.body.decode()
t.eq(r.status, 200, "/gemeenten/GM0275")
t.ok("<h1>Rheden</h1>" in page and "<dd>Gelderland</dd>" in page and
     "43.782 (1 januari 2025)" in page and
     "20.000 tot 50.000 inwoners" in page,
     "the page: name, province, inhabitants with year, size class")
for p in g["pilots"]["items"]:
    t.ok('<a href="/pilots/%s">' % p["id"] in page, "links pilot " +
         p["titel"][:30])
t.ok("Richtlijnen die deze gemeente beheert" in page and
     "Richtlijnen die deze gemeente volgt" in page and
     "Gepubliceerde datasets" in page and "Hoe staat Rheden ervoor?" in page,
     "the sections")
t.ok("Bron: CBS" in page and "De mediaan van gemeenten van dezelfde grootte"
     in page, "the indicators: median of its size class, Bron: CBS")
t.ok('<h2 id="contactpersonen">Contactpersonen</h2>' in page and
     "nog geen openbare contactpersonen" in page,
     "the contacts section, none yet (t_contacts.py has the rest)")
t.ok('<a href="/pilots?grootteklasse=4">' in page,
     "a link to pilots of municipalities of its size")

# A guideline it maintains (seed: Apeldoorn maintains one), one it follows and a
# published dataset (not a concept).
page = s.get("/gemeenten/GM0200").body.decode()
t.ok('<a href="/richtlijnen/stakeholders-betrekken">' in page.split(
    "Richtlijnen die deze gemeente volgt")[0],
     "Apeldoorn maintains stakeholders-betrekken")
t.eq([x["slug"] for x in s.get("/api/v1/gemeenten/GM0200").json()[
    "richtlijnenBeheerd"]], ["stakeholders-betrekken"],
     "the API: richtlijnenBeheerd")
tok = s.token("GM0275", "editor")
r = s.request("POST", "/api/v1/richtlijnen/stakeholders-betrekken/adopties",
              token=tok)
t.eq(r.status, 201, "Rheden adopts a guideline")
with open(s.dir + "/ind.json", "w") as f:
    f.write('{"id": "gm-test", "naam": "Test", "omschrijving": "Een test",'
            ' "eenheid": "aantal", "soort": "aantal", "richting":'
            ' "neutraal", "bron": "test"}')
s.ctl("indicator", "add", s.dir + "/ind.json", check=True)
ids = []
for periode in ("2024", "2025"):
    r = s.request("POST", "/api/v1/datasets?vorm=tabel&indicator=gm-test&"
                  "periode=" + periode, token=tok,
                  headers={"Content-Type": "text/csv"},
                  body="wijk,waarde\nNoord,120\nZuid,40\nOost,230\n")
    ids.append(r.json()["id"])
r = s.request("POST", "/api/v1/datasets/%s/publicatie" % ids[0], token=tok)
t.ok(r.status in (200, 201), "one dataset published", r)
g = s.get("/api/v1/gemeenten/GM0275").json()
t.eq([x["slug"] for x in g["richtlijnenGevolgd"]],
     ["stakeholders-betrekken"], "the API: richtlijnenGevolgd")
t.eq([x["id"] for x in g["datasets"]], [ids[0]],
     "the API: the published dataset, not the concept")
page = s.get("/gemeenten/GM0275").body.decode()
t.ok('<a href="/richtlijnen/stakeholders-betrekken">' in page.split(
    "Richtlijnen die deze gemeente volgt")[1],
     "the page: the guideline it follows")
t.ok('<a href="/datasets/%s">' % ids[0] in page and ids[1] not in page,
     "the page: the published dataset only")
t.ok('<a href="/datasets/%s">Test, 2024</a>' % ids[0] in page and
     ">gm-test, " not in page, "… by its indicator's name, not its id")

# A members-only pilot: listed for members, not for anonymous visitors (the
# cached answers are kept apart by who asks).
r = s.request("POST", "/api/v1/pilots", token=tok, body={
    "titel": "Alleen voor leden: wachttijden", "samenvatting": "Een test.",
    "domein": "dienstverlening-en-burgerzaken", "status": "lopend",
    "start": "2025-01-06", "vraag": "Hoe lang?", "aanvrager": "college",
    "stakeholders": ["college"], "tags": [], "contact": "Team Data",
    "zichtbaarheid": "leden", "aanpak": "a", "data": "b",
    "resultaten": "c", "lessen": "d", "privacy": "e"})
t.eq(r.status, 201, "a members-only pilot of Rheden")
leden = r.json()["id"]
for round in (1, 2):
    anon = s.get("/api/v1/gemeenten/GM0275").json()["pilots"]
    member = s.get("/api/v1/gemeenten/GM0275", token=tok).json()["pilots"]
    other = s.get("/api/v1/gemeenten/GM0275",
                  token=s.token("GM0344", "viewer")).json()["pilots"]
    t.ok(anon["totaal"] == 2 and leden not in [p["id"] for p in
                                               anon["items"]],
         "anonymous: not the members-only pilot (%d)" % round)
    t.ok(member["totaal"] == 3 and other["totaal"] == 3 and
         leden in [p["id"] for p in member["items"]],
         "members: the members-only pilot too (%d)" % round)
    t.ok(leden not in s.get("/gemeenten/GM0275").body.decode(),
         "the anonymous page: not the members-only pilot (%d)" % round)
page = s.get("/gemeenten/GM0275", token=tok).body.decode()
t.ok("Alleen voor leden: wachttijden</a> (alleen voor ingelogde "
     "gebruikers)" in page and "(leden)" not in page,
     "who may read a members-only pilot, in words")

# Unknown and malformed codes: a Dutch 404 page, problem+json for the API.
for code in ("GM9999", "xx", "gm0275x"):
    r = s.get("/gemeenten/" + code)
    t.ok(r.status == 404 and r.header("Content-Type").startswith(
        "text/html") and "Niet gevonden" in r.body.decode(),
        "/gemeenten/%s: 404 page in Dutch" % code, r.status)
r = s.get("/api/v1/gemeenten/GM9999")
t.ok(r.status == 404 and r.header("Content-Type") ==
     "application/problem+json", "API GM9999: 404 problem+json")
r = s.get("/api/v1/gemeenten/xx")
t.ok(r.status == 400 and r.header("Content-Type") ==
     "application/problem+json", "API xx: 400 problem+json (not a code)")

finish(t, s)
