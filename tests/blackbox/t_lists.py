# SPDX-License-Identifier: EUPL-1.2
"""Lists that help, and following them (issue 14, items 3 and 5).

/pilots: the size class on every card; facets with every domain, status
and size class, zeros shown without a link, each facet counted without its
own filter; an empty size class offers the nearest classes that have
pilots; active filters shown, each removable; province and size class as
select lists; filter values in any case (pages, API, feed); bad values a
400 page with the form. Feeds: /pilots/feed honours every filter of the
list (and refuses bad ones with 400 problem+json), /richtlijnen/feed and
/richtlijnen/{slug}/feed are valid Atom, and every list page links its
feed in the head and in the page."""
import html
import re
import urllib.parse
import xml.etree.ElementTree as ET

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
NS = {"a": "http://www.w3.org/2005/Atom"}
KLASSEN = {1: "minder dan 5.000", 2: "5.000 tot 10.000",
           3: "10.000 tot 20.000", 4: "20.000 tot 50.000",
           5: "50.000 tot 100.000", 6: "100.000 tot 150.000",
           7: "150.000 tot 250.000", 8: "250.000 of meer"}
STATUSES = ["idee", "lopend", "afgerond", "gestopt"]


def page(path):
    r = m.get(path)
    return r.status, r.body.decode()


def api(path):
    return m.get("/api/v1" + path).json()


def section(text, start, end):
    """The part of text from start up to end (both markers)."""
    i = text.find(start)
    if i < 0:
        return ""
    j = text.find(end, i)
    return text[i:j if j >= 0 else len(text)]


def facet(text, title):
    """The facet headed title: [(label, count, href or None)]."""
    part = section(text, "<h3>%s</h3>" % title, "</ul>")
    out = []
    for li in re.findall(r"<li>(.*?)</li>", part):
        a = re.match(r'<a href="([^"]*)">(.*?)</a> \((\d+)\)$', li)
        if a:
            out.append((html.unescape(a.group(2)), int(a.group(3)),
                        html.unescape(a.group(1))))
            continue
        s = re.match(r'(?:<strong aria-current="true">)?(.*?)(?:</strong>)?'
                     r' \((\d+)\)$', li)
        out.append((html.unescape(s.group(1)), int(s.group(2)), None))
    return out


def ids_on(text):
    return re.findall(r'<h3><a href="/pilots/([0-9a-f-]{36})">', text)


# Pilots of our own, in municipalities of known size classes, under one
# tag: an empty class with neighbours that are not, whatever the seed has.
codes = {}
for k in (1, 4, 8):
    g = api("/gemeenten?grootteklasse=%d&pageSize=1" % k)["gemeenten"][0]
    codes[k] = g["code"]
made = {}
for k, code in codes.items():
    for n in range(1 if k != 4 else 2):
        r = m.request("POST", "/api/v1/pilots", token=m.token(code),
                      body={"titel": "Lijsttest klasse %d nummer %d" % (k, n),
                            "samenvatting": "Een pilot voor de lijsttest.",
                            "vraag": "Vindt de lijst haar klasse?",
                            "domein": "jeugd", "status": "lopend",
                            "zichtbaarheid": "openbaar",
                            "tags": ["lijsttest"]})
        t.ok(r.status == 201, "a test pilot in size class %d" % k, r.body)
        made[r.json()["id"]] = k
t.eq(sorted(api("/pilots/" + i)["grootteklasse"] for i in made),
     [1, 4, 4, 8], "the test pilots have the classes of their municipality")

# --- The size class on every card.
everything = api("/pilots?pageSize=100")
klasse_of = {p["id"]: p["grootteklasse"] for p in everything["pilots"]}
status, text = page("/pilots?pageSize=100")
cards = re.findall(r'<li class="pilot">\n<h3><a href="/pilots/([0-9a-f-]+)">'
                   r'.*?</h3>\n<p class="meta">(.*?)</p>', text, re.S)
t.eq(len(cards), everything["totaal"], "a card for every pilot")
t.ok(all("%s inwoners" % KLASSEN[klasse_of[i]] in meta for i, meta in cards),
     "every card says the size class of its municipality in words")
status, home = page("/")
t.ok(re.search(r'<p class="meta">[^<]*(minder dan 5\.000|tot [0-9.]+|'
               r'of meer) inwoners', home) is not None,
     "the start page's cards show it too")

# --- Facets: every value, zeros without a link, own filter left out.
status, text = page("/pilots?tag=lijsttest")
kl = facet(text, "Per aantal inwoners")
t.eq([label for label, _, _ in kl],
     ["%s inwoners" % KLASSEN[k] for k in range(1, 9)],
     "the size class facet lists classes 1 to 8, in order")
t.eq([n for _, n, _ in kl], [1, 0, 0, 2, 0, 0, 0, 1],
     "with their counts, zeros included")
t.ok(all((href is None) == (n == 0) for _, n, href in kl),
     "a class without pilots is no link, one with pilots is")
t.ok(all(href == "/pilots?grootteklasse=%d&tag=lijsttest" % k
         for k, (_, n, href) in zip(range(1, 9), kl) if n),
     "a facet link keeps the other filters", kl)
t.ok("<li>10.000 tot 20.000 inwoners (0)</li>" in text,
     "shown as '(0)'")
dom = facet(text, "Per domein")
t.ok(len(dom) == len(api("/pilots")["facetten"]["domein"]) and
     len(dom) >= 13 and sum(1 for _, n, _ in dom if n == 0) >= 12,
     "every domain is listed, those without pilots as well")
sta = facet(text, "Per status")
t.eq([(label, n) for label, n, _ in sta],
     [("Idee", 0), ("Lopend", 4), ("Afgerond", 0), ("Gestopt", 0)],
     "every status is listed")
j = api("/pilots?tag=lijsttest")["facetten"]
t.eq(list(j["grootteklasse"].items()),
     [(str(k), n) for k, n in zip(range(1, 9), [1, 0, 0, 2, 0, 0, 0, 1])],
     "the API's facets list every class, zeros included, in order")
t.eq(list(j["status"]), STATUSES, "and every status")
t.ok(len(j["domein"]) >= 13 and j["domein"]["jeugd"] == 4,
     "and every domain")
# A facet counts with the other filters, not its own.
j = api("/pilots?tag=lijsttest&grootteklasse=4")
t.eq((j["totaal"], j["facetten"]["grootteklasse"]["1"],
      j["facetten"]["grootteklasse"]["8"]), (2, 1, 1),
     "with a class chosen, the class facet still counts the others")
t.eq(sum(j["facetten"]["status"].values()), j["totaal"],
     "the other facets count within the chosen class")
status, text = page("/pilots?tag=lijsttest&grootteklasse=4")
kl = facet(text, "Per aantal inwoners")
t.eq(kl[3], ("20.000 tot 50.000 inwoners", 2, None),
     "the chosen class is marked, not a link")
t.eq(kl[0][2], "/pilots?grootteklasse=1&tag=lijsttest",
     "another class is one click away")

# --- An empty class offers the nearest classes that have pilots.
status, text = page("/pilots?tag=lijsttest&grootteklasse=2")
t.eq(status, 200, "an empty class: 200")
none = section(text, '<p class="none">', "</p>")
t.ok(none.startswith('<p class="none">Geen pilots in deze klasse. Wel: '),
     "it says there are none in this class", none)
t.eq([(html.unescape(h), w, int(n)) for h, w, n in re.findall(
    r'<a href="([^"]+)">([^<]+)</a> \((\d+) pilots?\)', none)],
     [("/pilots?grootteklasse=1&tag=lijsttest", "minder dan 5.000 inwoners",
       1), ("/pilots?grootteklasse=4&tag=lijsttest",
            "20.000 tot 50.000 inwoners", 2)],
     "and offers the nearest smaller and larger class, with counts")
status, text = page("/pilots?tag=lijsttest&grootteklasse=6")
none = section(text, '<p class="none">', "</p>")
t.ok("grootteklasse=4&amp;tag=lijsttest" in none and
     "grootteklasse=8&amp;tag=lijsttest" in none and "(1 pilot)" in none and
     "(2 pilots)" in none, "class 6: classes 4 and 8 (5 and 7 are empty too)", none)
t.eq(ids_on(section(text, "<h2>0 pilots", "</main>")), [],
     "and no cards")
j = api("/pilots?tag=lijsttest&grootteklasse=6")
t.eq(j["nabijeKlassen"], [{"grootteklasse": 4, "aantal": 2},
                          {"grootteklasse": 8, "aantal": 1}],
     "the API gives the nearest classes too")
t.ok("nabijeKlassen" not in api("/pilots?tag=lijsttest&grootteklasse=4"),
     "only when the class found nothing")
status, text = page("/pilots?tag=lijsttest&grootteklasse=2&status=gestopt")
t.ok("Geen pilots in deze klasse, en ook niet in andere klassen" in text,
     "no class has any: said so")
status, text = page("/pilots?tag=lijsttest&status=gestopt")
t.ok('<p class="none">Geen pilots gevonden.' in text,
     "nothing found without a class: said so")

# --- Active filters, each removable.
status, text = page("/pilots?domein=jeugd&grootteklasse=4&provincie="
                    "Gelderland&tag=lijsttest&sort=titel")
active = section(text, '<section class="active-filters"', "</section>")
links = [(html.unescape(h), html.unescape(w)) for h, w in re.findall(
    r'<li><a href="([^"]+)">(.*?)</a></li>', active)]
t.eq(links, [
    ("/pilots?grootteklasse=4&provincie=Gelderland&tag=lijsttest&sort=titel",
     "Domein: Jeugd (weghalen)"),
    ("/pilots?domein=jeugd&provincie=Gelderland&tag=lijsttest&sort=titel",
     "Inwoners: 20.000 tot 50.000 inwoners (weghalen)"),
    ("/pilots?domein=jeugd&grootteklasse=4&tag=lijsttest&sort=titel",
     "Provincie: Gelderland (weghalen)"),
    ("/pilots?domein=jeugd&grootteklasse=4&provincie=Gelderland&sort=titel",
     "Tag: lijsttest (weghalen)")],
     "every active filter is shown with a link to the list without it")
t.ok(text.index("Gekozen filters") < text.index("gevonden</h2>"),
     "above the results")
t.ok('<a href="/pilots">Alle filters weghalen</a>' in active,
     "and all of them at once")
for href, what in links:
    st, after = page(href)
    gone = what.split(":")[0]
    t.ok(st == 200 and "%s: " % gone not in section(
        after, '<section class="active-filters"', "</section>"),
        "following '%s' drops that filter only" % what)
status, text = page("/pilots")
t.ok("Gekozen filters" not in text, "no filters: no such section")
status, text = page("/pilots?q=wachttijden&gemeente=GM0275")
active = section(text, '<section class="active-filters"', "</section>")
t.ok("Zoekwoorden: wachttijden (weghalen)" in active and
     'href="/pilots?gemeente=GM0275"' in active and
     "Gemeente: Rheden" in active and ">Gemeente: GM0275" not in active,
     "search words and municipality (by its name) too",
     active)

# --- Select lists with labels; values in any case.
status, text = page("/pilots?provincie=gelderland&grootteklasse=4")
prov = section(text, '<select id="provincie"', "</select>")
t.ok('<label for="provincie">Provincie</label>' in text and
     'name="provincie"' in prov, "province is a select list with a label")
opts = re.findall(r'<option value="([^"]*)"', prov)
provinces = set()
for n in range(1, 5):
    provinces |= {g["provincie"] for g in api(
        "/gemeenten?pageSize=100&page=%d" % n)["gemeenten"]}
t.eq(opts, [""] + sorted(provinces), "'alle' and every province once")
t.eq(len(opts), 13, "12 provinces")
t.ok('<option value="Gelderland" selected>' in prov,
     "provincie=gelderland selects Gelderland")
kla = section(text, '<select id="grootteklasse"', "</select>")
t.ok('<label for="grootteklasse">Inwoners</label>' in text and
     re.findall(r'<option value="(\d)"', kla) == [str(k) for k in
                                                   range(1, 9)] and
     '<option value="4" selected>20.000 tot 50.000 inwoners</option>' in kla,
     "size class is a select list of the 8 classes in words")
t.ok('<input id="provincie"' not in text, "no free text box for province")


def same(path_a, path_b, what):
    a, b = api(path_a), api(path_b)
    t.ok(a.get("totaal") == b.get("totaal") and a.get("totaal", 0) > 0 and
         [p["id"] for p in a["pilots"]] == [p["id"] for p in b["pilots"]],
         what, (a.get("totaal"), b.get("totaal"), a.get("invalidParams")))


same("/pilots?domein=Jeugd", "/pilots?domein=jeugd", "API: domein=Jeugd")
same("/pilots?status=AFGEROND", "/pilots?status=afgerond",
     "API: status=AFGEROND")
same("/pilots?provincie=gelderland", "/pilots?provincie=Gelderland",
     "API: provincie=gelderland")
same("/pilots?provincie=NOORD-BRABANT", "/pilots?provincie=Noord-Brabant",
     "API: provincie=NOORD-BRABANT")
same("/pilots?gemeente=gm0275", "/pilots?gemeente=GM0275",
     "API: gemeente=gm0275")
same("/pilots?sort=Titel", "/pilots?sort=titel", "API: sort=Titel")
prov4 = api("/gemeenten/" + codes[4])["provincie"]
for upper, lower in (("domein=Jeugd&status=LOPEND&provincie=" +
                      urllib.parse.quote(prov4.lower()),
                      "domein=jeugd&status=lopend&provincie=" +
                      urllib.parse.quote(prov4)),):
    a = page("/pilots?" + upper)[1]
    b = page("/pilots?" + lower)[1]
    t.ok(ids_on(a) == ids_on(b) and ids_on(a) and
         '<option value="jeugd" selected>' in a and
         '<option value="lopend" selected>' in a,
         "the page too: %s as %s" % (upper, lower))
status, text = page("/pilots?q=&domein=&status=&grootteklasse=&provincie=")
t.eq((status, len(ids_on(text))), (200, 20),
     "the form's 'alle' (empty values) is no filter")

# --- Bad values: the 400 page, with the form.
for q, name in (("grootteklasse=9", "grootteklasse"),
                ("grootteklasse=twee", "grootteklasse"),
                ("provincie=Atlantis", "provincie"),
                ("provincie=" + "x" * 100, "provincie"),
                ("domein=hobby", "domein"), ("status=klaar", "status"),
                ("gemeente=Rheden", "gemeente"), ("sort=oud", "sort")):
    status, text = page("/pilots?" + q)
    t.ok(status == 400 and '<form class="filters"' in text and
         'role="alert"' in text and "Volg via RSS/Atom" not in text,
         "%s: 400 with the form and the reason" % q)
    alert = text[text.index('role="alert"'):]
    alert = alert[:alert.index("</div>")]
    t.ok(">%s:" % name not in alert and "%s: " % name not in alert and
         "GM0275" not in alert and "lopend, " not in alert,
         "%s: the field in words, no codes" % q, alert[:300])
    r = m.get("/api/v1/pilots?" + q)
    t.ok(r.status == 400 and r.header("Content-Type").startswith(
        "application/problem+json") and name in [
            p["name"] for p in r.json()["invalidParams"]],
         "API %s: 400 problem+json" % q)

# --- The pilot feed honours every filter.


def feed(path):
    r = m.get(path)
    if r.status != 200:
        return r, None, []
    root = ET.fromstring(r.body)
    return r, root, root.findall("a:entry", NS)


def feed_ids(entries):
    return [e.find("a:id", NS).text.replace("urn:uuid:", "")
            for e in entries]


def valid_atom(root, entries, what):
    head = (root.tag == "{%s}feed" % NS["a"] and
            root.find("a:id", NS) is not None and
            root.find("a:id", NS).text and
            re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                         root.find("a:updated", NS).text or "") and
            (root.find("a:title", NS).text or "") != "" and
            root.find("a:link[@rel='alternate']", NS) is not None and
            root.find("a:link[@rel='self']", NS) is not None and
            (root.find("a:author/a:name", NS).text or "") != "")
    each = all(e.find("a:id", NS) is not None and
               e.find("a:updated", NS) is not None and
               re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                            e.find("a:updated", NS).text) and
               (e.find("a:title", NS).text or "") != "" and
               e.find("a:link[@rel='alternate']", NS) is not None and
               e.find("a:summary", NS) is not None and
               len(list(e.find("a:summary", NS))) == 0 and
               e.find("a:summary", NS).get("type") in (None, "text") and
               (e.find("a:summary", NS).text or "") != ""
               for e in entries)
    ids = [e.find("a:id", NS).text for e in entries]
    t.ok(head and each and len(set(ids)) == len(ids),
         "%s: valid Atom (feed id, updated, title, links, author; entries "
         "with id, updated, title, link and a plain-text summary)" % what)


r, root, entries = feed("/pilots/feed?grootteklasse=4")
t.eq(r.status, 200, "/pilots/feed?grootteklasse=4")
valid_atom(root, entries, "the filtered pilot feed")
t.ok(len(entries) >= 2 and all(api("/pilots/" + i)["grootteklasse"] == 4
                               for i in feed_ids(entries)),
     "it holds class-4 pilots only (%d)" % len(entries))
t.eq(sorted(feed_ids(entries)), sorted(p["id"] for p in api(
    "/pilots?grootteklasse=4&pageSize=100")["pilots"]),
     "the same pilots as the list with that filter")
for q in ("grootteklasse=1&domein=jeugd", "domein=jeugd&tag=lijsttest",
          "provincie=gelderland&status=lopend", "status=AFGEROND",
          "q=wachttijden", "gemeente=GM0275", "tag=lijsttest&grootteklasse=8",
          "domein=Jeugd&grootteklasse=4&provincie=Gelderland&status=lopend"
          "&tag=lijsttest&q=lijsttest"):
    r, root, entries = feed("/pilots/feed?" + q)
    want = sorted(p["id"] for p in api("/pilots?pageSize=100&" + q)
                  ["pilots"])
    t.ok(r.status == 200 and sorted(feed_ids(entries)) == want,
         "feed ?%s: the list's pilots (%d)" % (q, len(want)))
r, root, entries = feed("/pilots/feed?tag=lijsttest&grootteklasse=4"
                        "&provincie=GELDERLAND&domein=JEUGD")
self_href = root.find("a:link[@rel='self']", NS).get("href")
t.ok(self_href.endswith("/pilots/feed?domein=jeugd&grootteklasse=4&"
                        "provincie=Gelderland&tag=lijsttest"),
     "the feed's self link names its filters, as usually spelt", self_href)
t.ok(root.find("a:link[@rel='alternate']", NS).get("href").endswith(
    "/pilots?domein=jeugd&grootteklasse=4&provincie=Gelderland"
    "&tag=lijsttest"), "its page is the list with the same filters")
t.ok("20.000 tot 50.000 inwoners" in root.find("a:title", NS).text and
     "Gelderland" in root.find("a:title", NS).text,
     "its title says the filters", root.find("a:title", NS).text)
r, root, entries = feed("/pilots/feed?gemeente=GM0275")
t.ok(root.find("a:title", NS).text.endswith(": Rheden"),
     "a municipality in the title by its name, not its code",
     root.find("a:title", NS).text)
r0, root0, _ = feed("/pilots/feed")
t.ok(root0.find("a:id", NS).text.startswith("urn:uuid:") and
     root0.find("a:id", NS).text != root.find("a:id", NS).text,
     "a filtered feed has an id of its own")
valid_atom(root0, _, "the whole pilot feed")
# Members-only and concept pilots stay out of a filtered feed, whoever asks.
member = m.token(codes[4])
hidden = []
for vis in ("leden", "concept"):
    r = m.request("POST", "/api/v1/pilots", token=member, body={
        "titel": "Lijsttest niet openbaar " + vis, "samenvatting": "Verborgen.",
        "vraag": "Blijft dit binnen?", "domein": "jeugd", "status": "lopend",
        "zichtbaarheid": vis, "tags": ["lijsttest"]})
    hidden.append(r.json()["id"])
seen = [p["id"] for p in m.get("/api/v1/pilots?tag=lijsttest&pageSize=100",
                                 token=member).json()["pilots"]]
t.ok(all(i in seen for i in hidden), "the own municipality lists them")
for q in ("tag=lijsttest", "tag=lijsttest&grootteklasse=4",
          "q=lijsttest&domein=jeugd"):
    r = m.get("/pilots/feed?" + q, token=member)
    ids = feed_ids(ET.fromstring(r.body).findall("a:entry", NS))
    t.ok(len(ids) >= 2 and not set(hidden) & set(ids),
         "feed ?%s: public pilots only, even asked with a token" % q)
for q in ("grootteklasse=9", "grootteklasse=0", "grootteklasse=x",
          "domein=hobby", "status=klaar", "provincie=Atlantis",
          "gemeente=Rheden", "tag=" + "x" * 41, "q=%22open", "q=NEAR(a",
          "q=" + "a" * 300, "sort=oud", "pageSize=0"):
    r = m.get("/pilots/feed?" + q)
    t.ok(r.status == 400 and r.header("Content-Type").startswith(
        "application/problem+json") and r.json().get("invalidParams"),
        "feed ?%s: 400 problem+json" % q)
r = m.get("/pilots/feed?grootteklasse=9&domein=hobby")
t.eq(sorted(p["name"] for p in r.json()["invalidParams"]),
     ["domein", "grootteklasse"], "every bad parameter is listed")
# A browser that opens the link gets the same reasons as a Dutch page.
r = m.get("/pilots/feed?grootteklasse=9&domein=hobby",
          headers={"Accept": "text/html"})
body = r.body.decode()
t.ok(r.status == 400 and r.header("Content-Type").startswith("text/html")
     and 'lang="nl"' in body and "domein:" in body and
     "grootteklasse:" in body, "a browser: a Dutch page with both reasons")

# --- Guideline feeds.
r, root, entries = feed("/richtlijnen/feed")
t.eq(r.status, 200, "/richtlijnen/feed")
t.ok(r.header("Content-Type").startswith("application/atom+xml"),
     "as application/atom+xml")
valid_atom(root, entries, "the feed of new guidelines")
t.eq(len(entries), api("/richtlijnen")["totaal"], "one entry a guideline")
goes = m.token("GM0664")
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "volgen-via-feeds", "titel": "Volgen via feeds <en> zo",
    "tekst": "# Volgen\n\nMet *een* feed.\n", "bericht": "Eerste versie"})
t.eq(r.status, 201, "a new guideline")
r, root, entries = feed("/richtlijnen/feed")
t.ok(entries[0].find("a:title", NS).text == "Volgen via feeds <en> zo" and
     entries[0].find("a:link[@rel='alternate']", NS).get("href").endswith(
         "/richtlijnen/volgen-via-feeds"),
     "comes first in the feed of new guidelines, its title as text")
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "feed", "titel": "Feed", "tekst": "x", "bericht": "x"})
t.ok(r.status == 400 and "slug" in [p["name"] for p in
                                    r.json()["invalidParams"]],
     "'feed' is no guideline's name (/richtlijnen/feed is the feed)")

base = "/richtlijnen/volgen-via-feeds"
r, root, entries = feed(base + "/feed")
t.eq((r.status, len(entries)), (200, 1), "a guideline's feed: one revision")
valid_atom(root, entries, "a guideline's feed")
r = m.request("POST", "/api/v1" + base + "/versies", token=goes, body={
    "basis": 1, "tekst": "# Volgen\n\nMet een feed & een lezer.\n",
    "bericht": "Lezer <erbij>"})
t.eq(r.status, 201, "a revision through the API")
r, root, entries = feed(base + "/feed")
t.eq(len(entries), 2, "the guideline's feed grows by that revision")
first = entries[0]
t.ok(first.find("a:title", NS).text == "Versie 2: Lezer <erbij>" and
     first.find("a:link[@rel='alternate']", NS).get("href").endswith(
         base + "/versies/2") and
     "Lezer <erbij>" in first.find("a:summary", NS).text,
     "newest first, linking the revision, its message as plain text")
t.ok(root.find("a:updated", NS).text == first.find("a:updated", NS).text,
     "the feed is as new as its newest revision")
valid_atom(root, entries, "the grown guideline feed")
seeded = api("/richtlijnen/stakeholders-betrekken/versies")["versies"]
r, root, entries = feed("/richtlijnen/stakeholders-betrekken/feed")
t.eq(len(entries), len(seeded), "a seed guideline's feed: every revision")
for bad in ("/richtlijnen/bestaat-niet/feed", "/richtlijnen/X%20Y/feed"):
    r = m.get(bad)
    t.ok(r.status == 404 and r.header("Content-Type").startswith(
        "application/problem+json"), "%s: 404 problem+json" % bad)

# --- Every page links its feed: in the head and visibly.


def feed_links(text):
    head = section(text, "<head>", "</head>")
    alt = re.findall(r'<link rel="alternate" type="application/atom\+xml" '
                     r'title="[^"]+" href="([^"]+)">', head)
    seen = re.findall(r'<a href="([^"]+)">Volg via RSS/Atom</a>', text)
    return [html.unescape(h) for h in alt], [html.unescape(h) for h in seen]


for path, want in (
        ("/pilots", "/pilots/feed"),
        ("/pilots?grootteklasse=2&domein=jeugd&provincie=gelderland"
         "&status=Lopend&q=jeugd&sort=titel&page=1",
         "/pilots/feed?q=jeugd&domein=jeugd&status=lopend&grootteklasse=2"
         "&provincie=Gelderland"),
        ("/richtlijnen", "/richtlijnen/feed"),
        ("/richtlijnen/stakeholders-betrekken",
         "/richtlijnen/stakeholders-betrekken/feed"),
        (base, base + "/feed")):
    status, text = page(path)
    alt, seen = feed_links(text)
    t.ok(status == 200 and alt == [want] and seen == [want],
         "%s links %s in its head and as 'Volg via RSS/Atom'" % (path, want),
         (alt, seen))
    r = m.get(want)
    t.ok(r.status == 200 and r.header("Content-Type").startswith(
        "application/atom+xml"), "and that feed answers")
status, text = page("/")
t.ok(feed_links(text)[0] == ["/pilots/feed"], "other pages: the pilot feed")

# --- The list, search and comparison pages are cached for anonymous
# visitors (web_page_shared_key): the same page again, never another
# audience's, never stale after a write.
FORM = "application/x-www-form-urlencoded"
m.ctl("user", "add", "lezer@lijst.example.nl", "--gemeente", codes[1],
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={
    "Content-Type": FORM, "Origin": "http://127.0.0.1:%d" % m.port},
    body=urllib.parse.urlencode({"email": "lezer@lijst.example.nl",
                                 "wachtwoord": "een lang wachtwoord"}))
cookie = (r.header("Set-Cookie") or "").split(";")[0]
t.ok(cookie.startswith("meent_sessie") or "=" in cookie, "a signed-in reader",
     cookie)
indicator = api("/indicatoren")["indicatoren"][0]["id"]
pages = ("/pilots?tag=cachetoets", "/zoeken?q=cachetoets",
         "/benchmarks/%s?gemeente=%s&groep=grootteklasse" % (indicator,
                                                             codes[4]))


def cache_post(title, vis):
    r = m.request("POST", "/api/v1/pilots", token=member, body={
        "titel": title, "samenvatting": "Over cachetoets.",
        "vraag": "Komt dit op de lijst?", "domein": "jeugd",
        "status": "lopend", "zichtbaarheid": vis, "tags": ["cachetoets"],
        "indicatoren": [indicator]})
    t.eq(r.status, 201, "a %s pilot '%s'" % (vis, title))


first = {}
for path in pages:
    r1, r2 = m.get(path), m.get(path)
    first[path] = r2.body.decode()
    t.ok(r1.status == r2.status == 200 and r1.body == r2.body and
         r1.header("ETag") and r1.header("ETag") == r2.header("ETag"),
         "%s: the same page and ETag twice" % path,
         (r1.status, r2.status, r1.header("ETag"), r2.header("ETag")))
    r = m.get(path, headers={"If-None-Match": r2.header("ETag") or "x"})
    t.eq(r.status, 304, "%s: its ETag again, 304" % path)
# The API's cached answers too: a hit sends the ETag made with the bytes.
apis = ("/api/v1/pilots?tag=cachetoets", "/api/v1/_zoek?q=cachetoets",
        "/api/v1/indicatoren/%s/vergelijking?gemeente=%s" % (indicator,
                                                            codes[4]),
        "/api/v1/gemeenten/" + codes[4])
before = {}
for path in apis:
    r1, r2 = m.get(path), m.get(path)
    before[path] = r1.body
    t.ok(r1.status == r2.status == 200 and r1.body == r2.body and
         r1.header("ETag") and r1.header("ETag") == r2.header("ETag"),
         "%s: the same answer and ETag twice" % path,
         (r1.status, r2.status, r1.header("ETag"), r2.header("ETag")))
    r = m.get(path, headers={"If-None-Match": r2.header("ETag") or "x"})
    t.eq((r.status, r.body), (304, b""), "%s: its ETag again, 304" % path)
# The facet counts are kept per worker for a generation (pilot_store.c),
# keyed by the viewer and the filters: every pageSize below is a target of
# its own (no cached answer), with the same counts.


def counted(size, token=None):
    return m.get("/api/v1/pilots?tag=cachetoets&pageSize=%d" % size,
                 token=token).json()["totaal"]


a0 = counted(1)
cache_post("Cachetoets voor leden", "leden")
t.eq((counted(3), counted(4, member), counted(5)), (a0, a0 + 1, a0),
     "counts after a members' pilot: anonymous without, a member with it")
for path in pages:
    seen = m.get(path, headers={"Cookie": cookie}).body.decode()
    t.ok("Cachetoets voor leden" in seen,
         "%s: a signed-in reader sees the members' pilot" % path)
    anon = m.get(path).body.decode()
    t.ok("Cachetoets voor leden" not in anon and "Uitloggen" not in anon,
         "%s: anonymous visitors still do not, nor the session's form"
         % path)
cache_post("Cachetoets openbaar", "openbaar")
t.eq((counted(6), counted(7, member)), (a0 + 1, a0 + 2),
     "counts after a public pilot: one more for both, not the old counts")
for path in pages:
    anon = m.get(path).body.decode()
    t.ok("Cachetoets openbaar" in anon and anon != first[path],
         "%s: after a write, the new pilot (not the page from before)"
         % path)
for path in apis[:2]:
    r = m.get(path)
    t.ok(b"Cachetoets openbaar" in r.body and b"Cachetoets voor leden" not
         in r.body and r.body != before[path],
         "%s: after the writes, the public pilot only" % path)
for path in ("/pilots?domein=hobby", "/zoeken?q=%22open"):
    r1, r2 = m.get(path), m.get(path)
    t.ok(r1.status == r2.status == 400, "%s: 400 each time" % path)

finish(t, m)
