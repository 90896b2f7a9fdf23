# SPDX-License-Identifier: EUPL-1.2
"""Pilots on the web pages: publishing and editing through forms (CSRF,
same origin, errors shown, concurrent edits caught), every text escaped,
visibility on pages and in the Atom feed; the form's two saving buttons and
what the page says after each, guidelines and indicators chosen by title,
date fields, the Markdown preview (hostile Markdown too), deleting with a
confirmation step, CRLF from browsers stored as LF, and the plugins'
remarks (B1 readability) shown in the form and after saving."""
import html
import os
import re
import urllib.parse
import xml.etree.ElementTree as ET

from harness import CONTENT, TOP_BUILD, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port


def login(email, gemeente):
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", "editor",
          input="een lang wachtwoord\n", check=True)
    r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
                  "Origin": origin}, body=urllib.parse.urlencode(
                      {"email": email, "wachtwoord": "een lang wachtwoord"}))
    return (r.header("Set-Cookie") or "").split(";")[0]


goes = login("redactie@goes.example.nl", "GM0664")
rheden = login("redactie@rheden.example.nl", "GM0275")


def csrf_of(cookie, path="/pilots/nieuw"):
    page = m.get(path, headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return found.group(1) if found else None


def browser_body(fields):
    """As a browser encodes a form: textareas' line ends as CRLF, a field
    that repeats (checkboxes) once per value."""
    items = fields.items() if isinstance(fields, dict) else fields
    pairs = []
    for k, v in items:
        for one in (v if isinstance(v, list) else [v]):
            pairs.append((k, str(one).replace("\r\n", "\n").replace("\n", "\r\n")))
    return urllib.parse.urlencode(pairs)


def post(path, fields, cookie, extra=None, inst=None):
    inst = inst or m
    h = {"Content-Type": FORM, "Origin": "http://127.0.0.1:%d" % inst.port,
         "Cookie": cookie}
    h.update(extra or {})
    return inst.request("POST", path, headers=h, body=browser_body(fields))


XSS = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>'
fields = {"titel": "Formulierpilot " + XSS, "samenvatting": "Samen " + XSS,
          "domein": "jeugd", "status": "lopend", "zichtbaarheid": "openbaar",
          "aanvrager": "", "start": "2025-02-01", "einde": "",
          "vraag": "Vraag " + XSS, "stakeholders": "college, " + XSS[:40],
          "tags": "formulier, test", "contact": "Team " + XSS,
          "aanpak": "Aanpak " + XSS, "data": "", "resultaten": "",
          "lessen": "", "privacy": ""}

# Anonymous: the form sends you to log in.
r = m.get("/pilots/nieuw")
t.eq((r.status, r.header("Location")), (303,
     "/inloggen?terug=%2Fpilots%2Fnieuw"),
     "the form without a session: to /inloggen, and back afterwards")

token = csrf_of(goes)
t.ok(token is not None, "the form has a CSRF token")
r = post("/pilots/nieuw", dict(fields, csrf="fout"), goes)
t.eq(r.status, 403, "a wrong CSRF token: 403")
r = post("/pilots/nieuw", dict(fields, csrf=token), goes,
         {"Origin": "http://evil.example"})
t.eq(r.status, 403, "another origin: 403")
r = post("/pilots/nieuw", dict(fields, csrf=token, titel="", domein="x",
                               start="2025-13-01"), goes)
t.eq(r.status, 400, "an invalid form: 400")
page = r.body.decode()
t.ok('role="alert"' in page and 'href="#titel"' in page and
     'href="#domein"' in page and 'href="#start"' in page,
     "the errors are summarised with links to the fields")
t.ok(XSS not in page and "&lt;script&gt;" in page,
     "the refilled form escapes what was typed")
r = m.request("POST", "/pilots/nieuw", headers={
    "Content-Type": FORM, "Origin": "http://127.0.0.1:%d" % m.port,
    "Cookie": goes}, body=b"csrf=x&titel=a\x00b")
t.ok(r.status == 400 and "Het formulier kon niet gelezen worden" in
     r.body.decode() and "invalidParams" not in r.body.decode() and
     "body:" not in r.body.decode(), "a form that cannot be read: a page "
     "in words, not the API's terms", r.body.decode()[:200])
t.ok("Domein: kies een van de mogelijkheden uit de lijst" in page and
     "werk-en-inkomen," not in page and "Titel: vul dit in" in page,
     "errors in words: no list of codes, no 'verplicht'",
     re.findall(r'<li><a href="#[a-z]+">[^<]*', page))
r = post("/pilots/nieuw", dict(fields, csrf=token), goes)
t.eq(r.status, 303, "publish through the form")
path, _, flag = r.header("Location").partition("?")
pid = path.rsplit("/", 1)[1]
t.ok(re.fullmatch(r"/pilots/[0-9a-f-]{36}", path) is not None and
     flag == "opgeslagen=1", "to the pilot's page, saying it was saved: " +
     r.header("Location"))

for name, url in [("detail", path), ("list", "/pilots"),
                  ("search", "/zoeken?q=formulierpilot"), ("start", "/")]:
    page = m.get(url).body.decode()
    t.ok("<script>alert" not in page and "<img src=x" not in page and
         "onerror=alert" not in page.replace("onerror=alert(2)&gt;", ""),
         "no script or event handler reaches the %s page" % name)
api = m.get("/api/v1/pilots/" + pid).json()
t.ok("<script" not in api["aanpakHtml"], "nor the API's HTML")

# Editing: only the own municipality; a concurrent edit is caught.
r = m.get(path + "/bewerken", headers={"Cookie": rheden})
t.eq(r.status, 403, "another municipality's edit form: 403")
edit = m.get(path + "/bewerken", headers={"Cookie": goes}).body.decode()
ver = re.search(r'name="versie" value="(\d+)"', edit).group(1)
tok = re.search(r'name="csrf" value="([^"]+)"', edit).group(1)
t.eq(ver, "1", "the edit form carries the version")
r = post(path + "/bewerken", dict(fields, csrf=tok, versie=ver,
                                  titel="Formulierpilot, bijgewerkt"), goes)
t.eq(r.status, 303, "edit through the form")
t.eq(m.get("/api/v1/pilots/" + pid).json()["versie"], 2, "versie 2")
r = post(path + "/bewerken", dict(fields, csrf=tok, versie=ver,
                                  titel="Verouderde bewerking"), goes)
t.eq(r.status, 409, "an edit of an old version: 409")
t.ok("Verouderde bewerking" in r.body.decode(),
     "and the form keeps what was typed")
t.eq(m.get("/api/v1/pilots/" + pid).json()["titel"],
     "Formulierpilot, bijgewerkt", "the newer edit stands")

# Concept pilots: not on another municipality's pages or in the feed.
r = post("/pilots/nieuw", dict(fields, csrf=token, titel="Conceptpilot "
                               "zwembadtarieven", zichtbaarheid="concept"),
         goes)
cpath = r.header("Location").split("?")[0]
t.eq(m.get(cpath, headers={"Cookie": goes}).status, 200,
     "the own municipality sees its concept")
t.eq(m.get(cpath, headers={"Cookie": rheden}).status, 404,
     "another municipality gets 404 on the concept's page")
t.eq(m.get(cpath).status, 404, "anonymous: 404")
for url in ("/pilots", "/zoeken?q=zwembadtarieven", "/"):
    t.ok("Conceptpilot" not in m.get(url, headers={"Cookie": rheden})
         .body.decode(), "the concept is not on %s for others" % url)
page = m.get("/pilots?gemeente=GM0664", headers={"Cookie": goes}).body.decode()
t.ok("Concept: alleen uw gemeente" in page and "<strong>concept</strong>"
     not in page, "the own list says who reads a concept, in words")
active = page[page.index('id="meent-filters"'):page.index("</section>",
                                                           page.index('id="meent-filters"'))]
t.ok("Gemeente: Goes" in active and "GM0664" not in active.split('href="')[0]
     and ">Gemeente: GM0664" not in active,
     "the municipality filter by its name, not its code", active[:300])
found = re.search(r"<h2>([\d.]+) (pilots?) gevonden</h2>", page)
t.ok(found and (found.group(2) == "pilot") == (found.group(1) == "1"),
     "singular and plural agree", found and found.group(0))
page = m.get("/pilots?q=conceptpilot+zwembadtarieven",
             headers={"Cookie": goes}).body.decode()
t.ok("<h2>1 pilot gevonden</h2>" in page, "one: '1 pilot gevonden'",
     re.findall(r"<h2>[^<]*gevonden</h2>", page))

# The Atom feed: valid, public pilots only, newest first.
r = m.get("/pilots/feed")
t.eq(r.status, 200, "the feed")
t.ok(r.header("Content-Type").startswith("application/atom+xml"),
     "as application/atom+xml")
ns = {"a": "http://www.w3.org/2005/Atom"}
feed = ET.fromstring(r.body)
t.ok(feed.find("a:id", ns) is not None and feed.find("a:title", ns)
     is not None and feed.find("a:updated", ns) is not None and
     feed.find("a:author/a:name", ns) is not None and
     feed.find("a:link[@rel='self']", ns) is not None,
     "the feed has id, title, updated, author and a self link (RFC 4287)")
entries = feed.findall("a:entry", ns)
t.ok(len(entries) >= 9, "entries for the public pilots (%d)" % len(entries))
t.ok(all(e.find("a:id", ns).text.startswith("urn:uuid:") and
         e.find("a:updated", ns) is not None and
         e.find("a:link[@rel='alternate']", ns) is not None
         for e in entries), "each entry has an id, updated and a link")
t.ok(entries[0].find("a:title", ns).text == "Formulierpilot, bijgewerkt",
     "the newest change comes first")
t.ok(all("zwembadtarieven" not in (e.find("a:title", ns).text or "")
         for e in entries), "no concept in the feed")
t.ok(b"<script>" not in r.body, "the feed escapes its text")
t.ok('href="/pilots/feed"' in m.get("/").body.decode(),
     "pages link the feed")

# The header names the municipality and the role, in Dutch.
page = m.get("/pilots", headers={"Cookie": goes}).body.decode()
header = page[page.index("<header"):page.index("</header>")]
t.ok("Ingelogd voor Goes (redacteur)" in header and "GM0664" not in header,
     "the header names the municipality by name and the role in Dutch")

# The form: buttons, date fields, domains by name, guidelines and
# indicators by title, Markdown help.
form = m.get("/pilots/nieuw", headers={"Cookie": goes}).body.decode()
t.ok('name="actie" value="concept">Opslaan als concept</button>' in form and
     'name="actie" value="publiceren">Publiceren</button>' in form and
     'name="actie" value="voorbeeld">Voorbeeld bekijken</button>' in form,
     "two named saving buttons and a preview button")
t.ok(re.search(r'<input id="start" name="start" type="date"', form) and
     re.search(r'<input id="einde" name="einde" type="date"', form),
     "start and einde are date fields")
t.ok('<option value="werk-en-inkomen">Werk en inkomen</option>' in form and
     '<option value="financien">Financiën</option>' in form and
     '<option value="zorg-en-welzijn">Zorg en welzijn</option>' in form,
     "domains by their Dutch names, with diacritics")
guides = re.findall(r'name="richtlijnen" value="([^"]+)"> <label '
                    r'for="richtlijnen-\d+">([^<]+)</label>', form)
inds = re.findall(r'name="indicatoren" value="([^"]+)"> <label '
                  r'for="indicatoren-\d+">([^<]+)</label>', form)
t.ok(len(guides) >= 3 and len(inds) >= 3,
     "guidelines and indicators as checkboxes (%d, %d)" % (len(guides),
                                                          len(inds)))
api_guides = {g["slug"]: g["titel"] for g in
              m.get("/api/v1/richtlijnen?pageSize=100").json()["richtlijnen"]}
t.ok(all(html.unescape(label) == api_guides.get(slug)
         for slug, label in guides),
     "each guideline shown by its title, its slug as the value")
api_inds = {i["id"]: i["naam"] for i in
            m.get("/api/v1/indicatoren").json()["indicatoren"]}
t.ok(all(html.unescape(label) == api_inds.get(i) for i, label in inds),
     "each indicator shown by its name, its id as the value")
t.ok('name="richtlijnen" type="text"' not in form and
     'id="richtlijnen" name="richtlijnen"' not in form,
     "no slugs to type")
help_text = form[form.index('id="markdown-uitleg"'):]
t.ok(all(w in help_text[:3000] for w in ("kopje", "lijst", "link", "tabel")),
     "Markdown help: headings, lists, links, tables")
t.ok(all(re.search(r'<textarea id="%s"[^>]*aria-describedby="%s-uitleg '
                   r'markdown-uitleg"' % (f, f), form)
         for f in ("aanpak", "data", "resultaten", "lessen", "privacy")),
     "every Markdown field points at the help")
t.ok(all("Opmaak met Markdown" in re.search(
    r'id="%s-uitleg">([^<]*)<' % f, form).group(1)
    for f in ("aanpak", "data", "resultaten", "lessen", "privacy")),
     "and has a short explanation beside it")

base = {"titel": "Knoppenpilot", "samenvatting": "Een pilot om de knoppen "
        "te proberen.", "domein": "financien", "status": "lopend",
        "zichtbaarheid": "openbaar", "aanvrager": "", "start": "2025-02-01",
        "einde": "2025-06-30", "vraag": "Doen de knoppen wat ze zeggen?",
        "stakeholders": "", "tags": "", "contact": "", "aanpak": "",
        "data": "", "resultaten": "", "lessen": "", "privacy": ""}
token = csrf_of(goes)


def owner_view(pid):
    return m.get("/api/v1/pilots/" + pid, token=goes_api).json()


goes_api = m.token("GM0664", "editor")
count_before = m.get("/api/v1/pilots?pageSize=1",
                     token=goes_api).json()["totaal"]

# "Opslaan als concept": a concept, and the page says so.
r = post("/pilots/nieuw", dict(base, csrf=token, actie="concept"), goes)
t.eq(r.status, 303, "Opslaan als concept: 303")
loc = r.header("Location")
kpath = loc.split("?")[0]
kid = kpath.rsplit("/", 1)[1]
t.eq(owner_view(kid)["zichtbaarheid"], "concept",
     "saved as a concept (zichtbaarheid concept), although the form said "
     "openbaar")
page = m.get(loc, headers={"Cookie": goes}).body.decode()
t.ok(re.search(r'role="status"><p>Opgeslagen als concept\. Alleen uw '
               r'gemeente ziet het\.', page) is not None,
     "the page confirms: Opgeslagen als concept. Alleen uw gemeente ziet het.")
t.eq(m.get(kpath).status, 404, "anonymous: 404 on the concept")
t.ok("Opgeslagen als" not in m.get(kpath, headers={"Cookie": goes})
     .body.decode(), "without the flag, no confirmation")
t.ok("Opgeslagen als" not in m.get(loc, headers={"Cookie": rheden})
     .body.decode() or m.get(loc, headers={"Cookie": rheden}).status == 404,
     "nor for another municipality")
t.eq(m.get(kpath).status, 404, "the concept is not public")
form = m.get(kpath + "/bewerken", headers={"Cookie": goes}).body.decode()
t.ok(form.index('value="concept">Opslaan als concept') <
     form.index('value="publiceren">Publiceren'),
     "a concept's form: Opslaan als concept first (Enter keeps it a concept)")
t.ok('<option value="concept"' not in form and
     '<option value="openbaar" selected>' in form,
     "who reads it once published is a choice; concept is a button")

# "Publiceren" from the edit form: public, and the page says so.
ver = re.search(r'name="versie" value="(\d+)"', form).group(1)
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                   actie="publiceren"), goes)
t.eq(r.status, 303, "Publiceren: 303")
t.eq(owner_view(kid)["zichtbaarheid"], "openbaar", "now openbaar")
page = m.get(r.header("Location"), headers={"Cookie": goes}).body.decode()
t.ok(re.search(r'role="status"><p>Gepubliceerd\. Iedereen kan het nu '
               r'lezen\.', page) is not None,
     "the page confirms: Gepubliceerd. Iedereen kan het nu lezen.")
t.eq(m.get(kpath).status, 200, "anonymous can read it")
form = m.get(kpath + "/bewerken", headers={"Cookie": goes}).body.decode()
t.ok(form.index('value="publiceren">Publiceren') <
     form.index('value="concept">Opslaan als concept'),
     "a published pilot's form: Publiceren first (Enter keeps it published)")

# Publishing for members only; back to a concept; bad buttons.
ver = str(owner_view(kid)["versie"])
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                   actie="publiceren", zichtbaarheid="leden"),
         goes)
t.eq((r.status, owner_view(kid)["zichtbaarheid"]), (303, "leden"),
     "Publiceren for signed-in readers: leden")
page = m.get(r.header("Location"), headers={"Cookie": goes}).body.decode()
t.ok("Gepubliceerd. Iedereen die is ingelogd, kan het nu lezen." in page,
     "and the page says who can read it")
ver = str(owner_view(kid)["versie"])
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                   actie="publiceren",
                                   zichtbaarheid="concept"), goes)
t.eq(r.status, 400, "Publiceren as a concept: 400")
t.ok('href="#zichtbaarheid"' in r.body.decode(), "with the field named")
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                   actie="wissen"), goes)
t.eq(r.status, 400, "a button the form does not have: 400")
t.eq(owner_view(kid)["versie"], int(ver), "neither saved anything")
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                   actie="concept"), goes)
t.eq((r.status, owner_view(kid)["zichtbaarheid"]), (303, "concept"),
     "Opslaan als concept on a published pilot makes it a concept again")
t.eq(m.get(kpath).status, 404, "and anonymous no longer sees it")

# Guidelines and indicators chosen by title round-trip.
pick_g = [guides[0][0], guides[2][0]]
pick_i = [inds[0][0], inds[1][0]]
ver = str(owner_view(kid)["versie"])
r = post(kpath + "/bewerken", list(dict(base, csrf=token, versie=ver,
                                        actie="publiceren").items()) +
         [("richtlijnen", g) for g in pick_g] +
         [("indicatoren", i) for i in pick_i], goes)
t.eq(r.status, 303, "saved with two guidelines and two indicators ticked")
v = owner_view(kid)
t.eq(([x["slug"] for x in v["richtlijnen"]], v["indicatoren"]),
     (pick_g, pick_i), "the API has the guidelines and indicators ticked")
form = m.get(kpath + "/bewerken", headers={"Cookie": goes}).body.decode()
checked = re.findall(r'name="(richtlijnen|indicatoren)" value="([^"]+)" '
                     r'checked>', form)
t.eq(sorted(checked), sorted([("richtlijnen", g) for g in pick_g] +
                             [("indicatoren", i) for i in pick_i]),
     "the edit form has exactly those ticked")
page = m.get(kpath).body.decode()
t.ok('<dd><a href="/pilots?domein=financien">Financiën</a></dd>' in page,
     "the pilot's page names its domain in Dutch")
# B1: titles and names where a person reads, slugs and ids only in links.
facts = page[page.index('<dl class="facts">'):page.index("</dl>")]
for g in pick_g:
    t.ok('<a href="/richtlijnen/%s">%s</a>' % (g, html.escape(
        api_guides[g], quote=False)) in facts,
         "the guideline %s linked by its title" % g)
    t.ok(">%s<" % g not in facts, "… not by its slug %s" % g)
for i in pick_i:
    t.ok('%s</a>' % html.escape(api_inds[i], quote=False) in facts and
         ">%s<" % i not in facts, "the indicator %s by its name" % i)
t.ok("<dt>Startdatum</dt><dd>1 februari 2025</dd>" in facts and
     "<dt>Einddatum</dt><dd>30 juni 2025</dd>" in facts,
     "dates as people write them", re.findall(r"<dd>[^<]*20\d\d[^<]*</dd>",
                                            facts))
changed = re.search(r'gewijzigd <time datetime="([^"]+)">([^<]+)</time>',
                    page)
t.ok(changed and changed.group(1).endswith("Z") and
     re.fullmatch(r"\d{1,2} [a-z]+ 20\d\d om \d\d:\d\d", changed.group(2)),
     "'gewijzigd' in Dutch, the machine's time in the attribute",
     changed and changed.groups())
page = m.get("/pilots?domein=financien").body.decode()
t.ok('<option value="financien" selected>Financiën</option>' in page and
     '<option value="werk-en-inkomen">Werk en inkomen</option>' in page,
     "so does the list's filter")
# A pinned guideline version (from the API) stays pinned through the form.
etag = m.get("/api/v1/pilots/" + kid, token=goes_api).header("ETag")
r = m.request("PATCH", "/api/v1/pilots/" + kid, token=goes_api,
              headers={"If-Match": etag},
              body={"richtlijnen": [{"slug": pick_g[0], "versie": 1}]})
t.eq(r.status, 200, "a guideline pinned to version 1 through the API")
form = m.get(kpath + "/bewerken", headers={"Cookie": goes}).body.decode()
t.ok(re.search(r'name="richtlijnen" value="%s@1" checked> <label '
               r'for="richtlijnen-\d+">[^<]+ \(versie 1\)</label>' %
               re.escape(pick_g[0]), form) is not None,
     "the form shows it ticked with its version")
ver = re.search(r'name="versie" value="(\d+)"', form).group(1)
r = post(kpath + "/bewerken", [(k, v) for k, v in dict(
    base, csrf=token, versie=ver, actie="publiceren").items()] +
    [("richtlijnen", pick_g[0] + "@1")], goes)
t.eq([(x["slug"], x["versie"]) for x in owner_view(kid)["richtlijnen"]],
     [(pick_g[0], 1)], "and saving the form keeps the pin")
ver = str(owner_view(kid)["versie"])
r = post(kpath + "/bewerken", list(dict(base, csrf=token, versie=ver,
                                        actie="publiceren").items()) +
         [("richtlijnen", "bestaat-niet"), ("indicatoren", "ook-niet")], goes)
t.eq(r.status, 400, "a guideline or indicator that does not exist: 400")
t.ok('href="#richtlijnen"' in r.body.decode() and
     'href="#indicatoren"' in r.body.decode() and
     '<fieldset class="choices" id="richtlijnen"' in r.body.decode(),
     "named in the summary, linking to the fieldsets")

# Dates: the form's YYYY-MM-DD, stored as such; wrong ones refused.
v = owner_view(kid)
t.eq((v["start"], v["einde"]), ("2025-02-01", "2025-06-30"),
     "date fields stored as dates")
t.ok('type="date" value="2025-02-01"' in form and
     'type="date" value="2025-06-30"' in form,
     "and shown in the date fields")
ver = str(v["versie"])
for bad in ("2025-02-30", "31-02-2025", "1 februari", "2025-1-1x"):
    r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                       actie="publiceren", start=bad), goes)
    body = r.body.decode()
    t.ok(r.status == 400 and 'id="start-fout"' in body,
         "start %s: 400 with the reason at the field" % bad)
    t.ok("Startdatum: vul een datum in zoals 30-11-2026" in body and
         "start:" not in body and "tekens zijn" not in body,
         "… named in words, with an example a person can follow (%s)" % bad,
         re.findall(r'<li><a href="#start">[^<]*', body))
# A date typed the Dutch way (a browser without a date picker) is taken.
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                   actie="publiceren", start="1-2-2025"),
         goes)
t.eq((r.status, owner_view(kid)["start"]), (303, "2025-02-01"),
     "1-2-2025 is 1 February 2025")
ver = str(owner_view(kid)["versie"])
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=ver,
                                   actie="publiceren", start="2025-07-01"),
         goes)
t.ok(r.status == 400 and "Einddatum: de einddatum ligt voor de startdatum"
     in r.body.decode(), "an end before the start: 400, in words")
r = post("/pilots/nieuw", dict(fields, csrf=token, titel=""), goes)
t.ok(r.status == 400 and "Titel: vul dit in" in r.body.decode() and
     "Titel: verplicht" not in r.body.decode(), "an empty title: 'vul dit in'")

# The preview: rendered with the safe renderer, nothing saved.
HOSTILE = ("## Kopje\n\n- een\n- twee\n\n| Jaar | Aantal |\n|---|---|\n"
           "| 2024 | 12 |\n\n<script>alert('md')</script>\n\n"
           "[klik](javascript:alert(1)) en [ook](JAVASCRIPT:alert(2))\n\n"
           "<img src=x onerror=alert(3)>\n\n"
           "<a href=\"javascript:alert(4)\">a</a>\n")
before = owner_view(kid)
r = post(kpath + "/bewerken", dict(base, csrf=token, versie=before["versie"],
                                   actie="voorbeeld", aanpak=HOSTILE), goes)
page = r.body.decode()
t.eq(r.status, 200, "Voorbeeld bekijken: 200")
prev = page[page.index('<section class="preview"'):page.index("</section>")]
# The text's "## Kopje" under the preview's h2 and the section's h3: an h4.
t.ok("<h4>Kopje</h4>" in prev and "<li>een</li>" in prev and
     "<table>" in prev and "<td>2024</td>" in prev,
     "the preview renders headings (under its own), lists and tables")
t.ok("alert('md')" not in prev and "javascript:" not in prev.lower() and
     "onerror" not in prev,
     "no script, javascript: link or event handler comes through")
t.ok("<script" not in page, "no <script> anywhere on the page")
t.ok(page.index('class="preview"') < page.index("<form method=\"post\""),
     "the preview is above the form")
t.ok("&lt;script&gt;alert(&#39;md&#39;)" in page or
     "&lt;script&gt;alert('md')" in page,
     "and the form keeps the text as typed (escaped)")
t.eq(owner_view(kid), before, "the preview saved nothing")
r = post("/pilots/nieuw", dict(base, csrf=token, actie="voorbeeld",
                               titel="", aanpak="**vet**"), goes)
t.ok(r.status == 200 and "<strong>vet</strong>" in r.body.decode() and
     'href="#titel"' in r.body.decode(),
     "a preview of an incomplete new pilot shows the text and what is "
     "still missing")
t.eq(m.get("/api/v1/pilots?pageSize=1", token=goes_api).json()["totaal"],
     count_before + 1, "previews of a new pilot store nothing")
big = "woord " * 20000
r = post("/pilots/nieuw", dict(base, csrf=token, actie="voorbeeld",
                               aanpak="Eerst **dit**.", data=big,
                               resultaten=big[:90000], lessen=big[:90000],
                               privacy=big[:90000]), goes)
page = r.body.decode()
prev = page[page.index('<section class="preview"'):page.index("</section>")]
t.ok(r.status == 200 and "<strong>dit</strong>" in prev and
     prev.count("te lang of te ingewikkeld") == 3 and
     'id="data-fout"' in page,
     "a preview past the caps renders what fits and says what does not")
r = post("/pilots/nieuw", dict(base, csrf="fout", actie="voorbeeld"), goes)
t.eq(r.status, 403, "a preview needs the CSRF token too")

# CRLF from the browser is stored as LF; the API's too.
r = post(kpath + "/bewerken", dict(
    base, csrf=token, versie=owner_view(kid)["versie"], actie="publiceren",
    samenvatting="Regel een.\nRegel twee.", aanpak="# Kop\n\nTekst\n\n- a\n- b\n",
    vraag="Een\rtwee?"), goes)
t.eq(r.status, 303, "saved with CRLF in the textareas")
v = owner_view(kid)
t.eq((v["aanpak"], v["samenvatting"], v["vraag"]),
     ("# Kop\n\nTekst\n\n- a\n- b\n", "Regel een.\nRegel twee.", "Een\ntwee?"),
     "stored with LF line ends (CRLF and a bare CR)")
t.ok(all("\r" not in v[k] for k in ("aanpak", "samenvatting", "vraag")),
     "no CR left")
r = m.request("POST", "/api/v1/pilots", token=goes_api, body={
    "titel": "API-pilot", "samenvatting": "Kort.\r\nEn nog wat.",
    "domein": "jeugd", "status": "idee", "vraag": "Werkt het?",
    "zichtbaarheid": "concept", "aanpak": "a\r\nb\r\n", "lessen": "x\ry"})
t.eq(r.status, 201, "the API takes CRLF too")
t.eq((r.json()["aanpak"], r.json()["lessen"], r.json()["samenvatting"]),
     ("a\nb\n", "x\ny", "Kort.\nEn nog wat."), "and stores LF")

# Deleting: a confirmation page, then a POST with the CSRF token.
page = m.get(kpath, headers={"Cookie": goes}).body.decode()
t.ok('href="%s/verwijderen"' % kpath in page,
     "the pilot's page links to deleting it")
r = m.get(kpath + "/verwijderen", headers={"Cookie": goes})
page = r.body.decode()
t.eq(r.status, 200, "the confirmation page")
t.ok("Knoppenpilot" in page and "niet ongedaan" in page and
     "De hele tekst" in page and "verwijderd is" in page,
     "it names the pilot and says what will be gone")
t.ok(re.search(r'<form method="post" action="%s/verwijderen">\n'
               r'<input type="hidden" name="csrf" value="[^"]+">' % kpath,
               page) is not None, "with a POST form carrying the CSRF token")
t.eq(m.get(kpath + "/verwijderen", headers={"Cookie": rheden}).status, 403,
     "another municipality's confirmation page: 403")
t.eq(m.get(kpath + "/verwijderen").status, 303,
     "anonymous: to the login form")
r = post(kpath + "/verwijderen", {}, goes)
t.eq(r.status, 403, "deleting without the CSRF token: 403")
r = post(kpath + "/verwijderen", {"csrf": "fout"}, goes)
t.eq(r.status, 403, "with a wrong one: 403")
r = post(kpath + "/verwijderen", {"csrf": token}, goes,
         {"Origin": "http://evil.example"})
t.eq(r.status, 403, "from another origin: 403")
r = post(kpath + "/verwijderen", {"csrf": csrf_of(rheden)}, rheden)
t.eq(r.status, 403, "by another municipality: 403")
t.eq(m.get("/api/v1/pilots/" + kid).status, 200, "the pilot is still there")
r = post(kpath + "/verwijderen", {"csrf": token}, goes)
t.eq(r.status, 200, "deleting with the CSRF token")
t.ok('role="status"' in r.body.decode() and "is verwijderd" in
     r.body.decode(), "says it is deleted")
t.eq(m.get(kpath).status, 410, "the page is gone: 410")
t.eq(m.get("/api/v1/pilots/" + kid).status, 410, "the API: 410")
t.eq(m.get(kpath + "/verwijderen", headers={"Cookie": goes}).status, 410,
     "the confirmation page of a deleted pilot: 410")
t.ok("Knoppenpilot" not in m.get("/pilots", headers={"Cookie": goes})
     .body.decode(), "not on the list any more")
finish(t, m, done=False)

# The plugins' remarks: B1 readability in the form, after a preview and
# after saving, as hints (saving is not refused).
LEES = os.path.join(TOP_BUILD, "plugins", ".libs", "leesbaarheid.so")
p = Instance(settings={"plugin": LEES}, config_text=(
    "domein = financien\ndomein = sport-en-cultuur\n")).start()
p.ctl("user", "add", "redactie@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = p.request("POST", "/inloggen", headers={
    "Content-Type": FORM, "Origin": "http://127.0.0.1:%d" % p.port},
    body=urllib.parse.urlencode({"email": "redactie@rheden.example.nl",
                                 "wachtwoord": "een lang wachtwoord"}))
pc = (r.header("Set-Cookie") or "").split(";")[0]
page = p.get("/pilots/nieuw", headers={"Cookie": pc}).body.decode()
ptok = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
t.eq(re.findall(r'<option value="([^"]+)">([^<]+)</option>',
                page[page.index('id="domein"'):page.index('id="status"')]),
     [("financien", "Financiën"), ("sport-en-cultuur", "Sport en cultuur")],
     "configured domains: a known one by its label, another by its words")
HARD = ("De gemeentelijke organisatieonderdelen implementeerden "
        "gezamenlijk een informatievoorzieningsarchitectuur waarbij "
        "verantwoordelijkheidsverdelingen, gegevensuitwisselingsprotocollen "
        "en privacyeffectbeoordelingen geïntegreerd werden in de "
        "uitvoeringsprocessen van de sociaaldomeinorganisaties, hetgeen "
        "aanzienlijke coördinatieinspanningen vereiste van alle betrokken "
        "beleidsmedewerkers en informatiemanagers.\n")
form = dict(base, titel="Moeilijke pilot", aanpak=HARD, csrf=ptok)
r = post("/pilots/nieuw", dict(form, actie="voorbeeld"), pc, inst=p)
page = r.body.decode()
t.ok(r.status == 200 and "Tips voor de tekst" in page and
     re.search(r'<li><a href="#aanpak">Aanpak</a>: leesbaarheid -?\d+ '
               r'\(Flesch-Douma\): moeilijker dan taalniveau B1', page),
     "after a preview: the readability remark, linking to its field")
t.ok("geen fouten" in page and 'class="error-summary"' not in page,
     "as a hint, not an error")
r = post("/pilots/nieuw", dict(form, actie="concept"), pc, inst=p)
t.eq(r.status, 303, "saving is not refused for it")
hid = r.header("Location").split("?")[0].rsplit("/", 1)[1]
page = p.get(r.header("Location"), headers={"Cookie": pc}).body.decode()
t.ok("Opgeslagen als concept" in page and re.search(
    r'<a href="/pilots/%s/bewerken#aanpak">Aanpak</a>: leesbaarheid' % hid,
    page), "after saving: the page lists the remark, linking to the form")
page = p.get("/pilots/%s/bewerken" % hid, headers={"Cookie": pc}).body.decode()
t.ok("moeilijker dan taalniveau B1" in page,
     "and the edit form shows it too")
r = p.request("GET", "/api/v1/pilots/" + hid, token=p.token("GM0275"))
t.eq(r.status, 200, "the API reads the pilot")
finish(t, p)
