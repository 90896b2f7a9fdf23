# SPDX-License-Identifier: EUPL-1.2
"""/mijn, "Mijn overzicht": a municipality's pilots (concepts and
published), datasets (with their status in words), the guideline proposals
waiting for its decision and its own open proposals, with "Eerst doen" on
top; edit links for editors and admins only; nothing of another
municipality; anonymous visitors to the login form and back."""
import json
import os
import re
import urllib.parse

from harness import Instance, Tap, finish

t = Tap()
m = Instance().start()
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port
PW = "een lang wachtwoord"

with open(os.path.join(m.dir, "cnt.json"), "w") as f:
    json.dump({"id": "bijstand-ontvangers", "naam": "Ontvangers van bijstand",
               "omschrijving": "Personen met een uitkering", "eenheid":
               "personen", "soort": "aantal", "richting": "neutraal",
               "bron": "eigen registratie"}, f)
m.ctl("indicator", "add", os.path.join(m.dir, "cnt.json"), check=True)

rheden = m.token("GM0275", "editor")
goes = m.token("GM0664", "editor")


def login(email, gemeente, role, terug=None):
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", role,
          input=PW + "\n", check=True)
    fields = {"email": email, "wachtwoord": PW}
    if terug is not None:
        fields["terug"] = terug
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": origin},
        body=urllib.parse.urlencode(fields))
    return r, (r.header("Set-Cookie") or "").split(";")[0]


def pilot(token, titel, zichtbaarheid):
    r = m.request("POST", "/api/v1/pilots", token=token, body={
        "titel": titel, "samenvatting": "Kort.", "domein": "jeugd",
        "status": "lopend", "vraag": "Werkt het?",
        "zichtbaarheid": zichtbaarheid})
    assert r.status == 201, r
    return r.json()["id"]


def dataset(token, periode, body="wijk,waarde\nNoord,30\nZuid,40\n"):
    q = urllib.parse.urlencode({"vorm": "tabel", "indicator":
                                "bijstand-ontvangers", "periode": periode})
    r = m.request("POST", "/api/v1/datasets?" + q, body=body, token=token,
                  headers={"Content-Type": "text/csv"})
    assert r.status == 201, r
    return r.json()["id"]


def guideline(token, slug, titel):
    r = m.request("POST", "/api/v1/richtlijnen", token=token, body={
        "slug": slug, "titel": titel, "tekst": "# %s\n\nTekst.\n" % titel,
        "bericht": "Eerste versie"})
    assert r.status == 201, r


def propose(token, slug, bericht):
    r = m.request("POST", "/api/v1/richtlijnen/%s/voorstellen" % slug,
                  token=token, body={"basis": 1, "tekst": "# Anders\n\n"
                                     "Nieuwe tekst.\n", "bericht": bericht})
    assert r.status == 201, r
    return r.json()["id"]


# Rheden's pilots: a concept, a public one, a members-only one, a deleted
# one; Goes's concept and public pilot.
r_concept = pilot(rheden, "Rheden concept zwembad", "concept")
r_public = pilot(rheden, "Rheden openbaar armoede", "openbaar")
r_members = pilot(rheden, "Rheden leden jeugdzorg", "leden")
r_gone = pilot(rheden, "Rheden verwijderd afval", "openbaar")
t.eq(m.request("DELETE", "/api/v1/pilots/" + r_gone, token=rheden).status,
     204, "fixture: a deleted pilot")
g_concept = pilot(goes, "Goes geheim concept", "concept")
g_public = pilot(goes, "Goes openbaar haven", "openbaar")

# Rheden's datasets: a publishable concept, a published one, one that did
# not pass the check (as the check would have left it); Goes's concept.
d_ready = dataset(rheden, "2023")
d_pub = dataset(rheden, "2024")
t.eq(m.request("POST", "/api/v1/datasets/%s/publicatie" % d_pub,
               token=rheden).status, 200, "fixture: a published dataset")
d_bad = dataset(rheden, "2022")
m.sql("UPDATE datasets SET publiceerbaar = 0 WHERE id = ?", (d_bad,))
d_goes = dataset(goes, "2021")

# Guidelines: Rheden maintains one on which Goes proposes; Rheden proposes
# on Goes's; a decided proposal and Goes's own on its own are not Rheden's.
guideline(rheden, "rheden-richtlijn", "Richtlijn van Rheden")
guideline(goes, "goes-richtlijn", "Richtlijn van Goes")
p_waiting = propose(goes, "rheden-richtlijn", "Voorstel van Goes")
p_decided = propose(goes, "rheden-richtlijn", "Al besloten voorstel")
t.eq(m.request("PATCH", "/api/v1/richtlijnen/rheden-richtlijn/voorstellen/"
               "%d" % p_decided, token=rheden, body={
                   "status": "afgewezen", "reden": "Niet nodig"}).status,
     200, "fixture: a decided proposal")
p_own = propose(rheden, "goes-richtlijn", "Voorstel van Rheden")
p_goes_own = propose(goes, "goes-richtlijn", "Goes aan zichzelf")

# Anonymous: to the login form, with the way back.
r = m.get("/mijn")
t.eq((r.status, r.header("Location")), (303, "/inloggen?terug=%2Fmijn"),
     "anonymous: to the login form, which brings the visitor back")
page = m.get(r.header("Location")).body.decode()
t.ok('name="terug" value="/mijn"' in page,
     "the login form carries the way back")
r, editor = login("redactie@rheden.example.nl", "GM0275", "editor",
                  terug="/mijn")
t.eq((r.status, r.header("Location")), (303, "/mijn"),
     "after signing in: back to /mijn")
_, viewer = login("lezer@rheden.example.nl", "GM0275", "viewer")
_, admin = login("beheer@rheden.example.nl", "GM0275", "admin")
_, goes_web = login("redactie@goes.example.nl", "GM0664", "editor")


def dashboard(cookie):
    r = m.get("/mijn", headers={"Cookie": cookie})
    return r, r.body.decode()


def section(page, ident):
    """The HTML of the section headed by id ident."""
    found = re.search(r'<section aria-labelledby="%s">(.*?)</section>' %
                      ident, page, re.S)
    return found.group(1) if found else ""


for who, cookie, edits in [("editor", editor, True), ("viewer", viewer,
                                                       False),
                           ("admin", admin, True)]:
    r, page = dashboard(cookie)
    t.eq(r.status, 200, "%s: /mijn answers 200" % who)
    t.ok(r.header("Content-Type").startswith("text/html") and
         "<h1>Mijn overzicht</h1>" in page and "Rheden" in page,
         "%s: the overview of Rheden" % who)
    t.ok('<a href="/mijn" aria-current="page">Mijn overzicht</a>' in page,
         "%s: 'Mijn overzicht' in the site's navigation, marked as the "
         "page the visitor is on" % who)
    pilots = section(page, "pilots")
    concepts, published = (pilots.split("<h3>Gepubliceerd</h3>") + [""])[:2]
    t.ok("Rheden concept zwembad" in concepts and "Rheden openbaar armoede"
         not in concepts, "%s: the concept under Concepten" % who)
    t.ok("Rheden openbaar armoede" in published and "Rheden leden jeugdzorg"
         in published and "zichtbaar voor ingelogde gebruikers" in published,
         "%s: public and members-only pilots under Gepubliceerd, with who "
         "sees them" % who)
    t.ok("Rheden verwijderd afval" not in page,
         "%s: a deleted pilot is not shown" % who)
    for other in ("Goes geheim concept", "Goes openbaar haven", d_goes,
                  "Goes aan zichzelf", g_concept, g_public):
        t.ok(other not in page, "%s: nothing of Goes (%s)" % (who, other))
    ds = section(page, "datasets")
    t.ok('href="/datasets/%s"' % d_ready in ds and
         "concept, kan gepubliceerd worden" in ds,
         "%s: the publishable concept, with its status in words" % who)
    t.ok('href="/datasets/%s"' % d_pub in ds and "gepubliceerd" in ds,
         "%s: the published dataset" % who)
    t.ok('href="/datasets/%s"' % d_bad in ds and
         "concept, kan niet gepubliceerd worden" in ds,
         "%s: the dataset that cannot be published" % who)
    t.ok("Ontvangers van bijstand, 2023" in ds,
         "%s: datasets named by their indicator and period" % who)
    stamps = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    t.ok(stamps and all(re.fullmatch(r"\d{1,2} [a-z]+ 20\d\d om "
                                     r"\d\d:\d\d", x) and a.endswith("Z")
                        for a, x in stamps),
         "%s: every date in Dutch, in Amsterdam time" % who, stamps[:3])
    waiting = section(page, "te-beslissen")
    t.ok('href="/richtlijnen/rheden-richtlijn/voorstellen/%d"' % p_waiting
         in waiting and "Voorstel van Goes" in waiting and "Goes" in
         waiting, "%s: the proposal waiting for Rheden's decision" % who)
    t.ok("Al besloten voorstel" not in page,
         "%s: a decided proposal is not waiting" % who)
    own = section(page, "eigen-voorstellen")
    t.ok('href="/richtlijnen/goes-richtlijn/voorstellen/%d"' % p_own in own
         and "Voorstel van Rheden" in own, "%s: Rheden's own open "
         "proposal" % who)
    first = section(page, "eerst-doen")
    t.ok('href="/richtlijnen/rheden-richtlijn/voorstellen/%d"' % p_waiting
         in first, "%s: Eerst doen: the proposal waiting" % who)
    t.ok('href="/datasets/%s"' % d_ready in first,
         "%s: Eerst doen: the dataset that can be published" % who)
    t.ok(("/pilots/%s" % r_concept) in first and "zwembad" in first,
         "%s: Eerst doen: the concept pilot" % who)
    t.ok(page.index('id="eerst-doen"') < page.index('id="pilots"'),
         "%s: Eerst doen comes first" % who)
    t.ok('href="/datasets/%s"' % d_pub not in first,
         "%s: a published dataset is nothing to do" % who)
    has_edit = ('href="/pilots/%s/bewerken"' % r_concept in page and
                'href="/pilots/%s/bewerken"' % r_public in page)
    t.eq(has_edit, edits, "%s: edit links %s" % (
        who, "for its pilots" if edits else "none"))
    t.eq("/bewerken" in page, edits, "%s: %s" % (
        who, "edit links" if edits else "no edit link anywhere"))
    t.eq('href="/pilots/nieuw"' in page and 'href="/datasets/nieuw"' in page,
         edits, "%s: links to write a pilot and upload a dataset: %s" % (
             who, edits))

# Goes sees its own desk, none of Rheden's concepts.
r, page = dashboard(goes_web)
t.ok(r.status == 200 and "Goes geheim concept" in page and d_goes in page
     and "Goes aan zichzelf" in page, "Goes: its own items")
t.ok("Rheden concept zwembad" not in page and d_ready not in page and
     d_bad not in page and "Voorstel van Goes" not in section(
         page, "te-beslissen"), "Goes: nothing of Rheden's desk "
     "(its proposal to Rheden waits for Rheden, not Goes)")
t.ok("Voorstel van Goes" in section(page, "eigen-voorstellen"),
     "Goes: its proposal to Rheden is among its own")

# The API's twin: the same overview as JSON, for a token of Rheden.
r = m.get("/api/v1/ik/overzicht", token=m.token("GM0275", "viewer"))
t.eq(r.status, 200, "API: /api/v1/ik/overzicht for a viewer's token")
o = r.json()
t.eq((o["gemeente"], o["gemeenteNaam"], o["rol"], o["magBewerken"]),
     ("GM0275", "Rheden", "viewer", False), "API: municipality and role")
t.eq(sorted(p["titel"] for p in o["pilots"]),
     ["Rheden concept zwembad", "Rheden leden jeugdzorg",
      "Rheden openbaar armoede"], "API: Rheden's pilots, no deleted one")
t.eq(sorted(d["id"] for d in o["datasets"]), sorted([d_ready, d_pub, d_bad]),
     "API: Rheden's datasets only")
t.eq([p["id"] for p in o["voorstellenTeBeslissen"]], [p_waiting],
     "API: the proposal waiting")
t.eq([p["id"] for p in o["eigenVoorstellen"]], [p_own],
     "API: the own open proposal")
t.eq([x["href"] for x in o["eerstDoen"]][:3],
     ["/richtlijnen/rheden-richtlijn/voorstellen/%d" % p_waiting,
      "/datasets/" + d_ready, "/pilots/" + r_concept],
     "API: Eerst doen, most urgent first (a viewer links to read)")
r = m.get("/api/v1/ik/overzicht")
t.ok(r.status == 401 and r.header("Content-Type") ==
     "application/problem+json", "API: anonymous: 401 problem+json")

# Once decided, a proposal leaves the lists.
m.request("PATCH", "/api/v1/richtlijnen/rheden-richtlijn/voorstellen/%d" %
          p_waiting, token=rheden, body={"status": "afgewezen",
                                         "reden": "Later"})
_, page = dashboard(editor)
t.ok("Voorstel van Goes" not in page and "Er wachten geen voorstellen" in
     page, "a decided proposal no longer waits")

finish(t, m)
