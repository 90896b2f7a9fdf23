# SPDX-License-Identifier: EUPL-1.2
"""The web pages in a real browser: zero axe-core violations of WCAG 2.0/2.1
A and AA (at 390 px), no scrolling sideways at 1280, 390 and 320 px (WCAG
1.4.10), and valid HTML (Nu HTML checker). Anonymous pages and the pages of
a logged-in editor (forms, with and without errors) and of a maintainer.

Besides the hand-picked pages below, every GET page of the route table
(`meentd --routes`, routes marked web) is walked as each role, with the seed
content and fixtures made here; a web route this test does not know fails
it, so a new page gets checked. Among the fixtures is the bad input of
issue 17: a pilot with the longest unbroken words its fields allow (title,
tag), a 300-character word and URL, a wide table and right-to-left text in
its Markdown, and a guideline whose heading is 5,000 characters long: every
page that shows them must still reflow at 320 px. Screenshots of failing
pages (and a few key pages) are kept in build/check/tests/a11y-shots/."""
import http.server
import hashlib
import re
import shutil
import subprocess
import threading
import urllib.parse

from a11y import SHOT_DIR, check_html, check_pages
from harness import CONTENT, MEENTD, Instance, Tap, finish

SEED_PILOT = "/pilots/0138940d-15b4-4051-9d8e-b201b881fd5b"

# Every HTML page meentd serves; add new pages here.
PAGES = [
    "/",
    "/inloggen",
    "/wachtwoord-vergeten",
    "/wachtwoord-herstellen/" + "A" * 43,
    "/afmelden/" + "A" * 43,
    "/pilots",
    "/pilots?domein=werk-en-inkomen&status=afgerond",
    "/pilots?grootteklasse=4&provincie=gelderland&domein=Jeugd",
    "/pilots?grootteklasse=2&domein=veiligheid&status=idee",
    "/zoeken",
    "/zoeken?q=bijstandsuitkeringen",
    "/zoeken?q=e*+e*",
    "/zoeken?q=data+OR+herkomst+OR+rheden",
    "/zoeken?q=data&soort=richtlijn&pageSize=2",
    "/zoeken?q=AND&soort=boek",
    "/pilots?q=a+b+c+d+e+f+g+h+i+j+k+l+m&domein=x",
    SEED_PILOT,
    SEED_PILOT + "/bijlagen",
    "/pilots/00000000-0000-4000-8000-000000000000",
    "/richtlijnen",
    "/richtlijnen/stakeholders-betrekken",
    "/richtlijnen/stakeholders-betrekken/versies/1",
    "/richtlijnen/stakeholders-betrekken/verschillen?van=1&tot=3",
    "/richtlijnen/stakeholders-betrekken/volgers",
    "/richtlijnen/stakeholders-betrekken/volgers?grootteklasse=4",
    "/richtlijnen/stakeholders-betrekken/volgers?grootteklasse=9",
    "/benchmarks",
    "/benchmarks/herkomst-nederland",
    "/benchmarks/herkomst-nederland?gemeente=GM0275&groep=provincie",
    "/benchmarks/herkomst-buiten-europa?gemeente=GM0088&groep=vergelijkbaar",
    "/benchmarks/herkomst-nederland?gemeente=GM9999&groep=stad",
    "/gemeenten",
    "/gemeenten?q=rhe&provincie=Gelderland&grootteklasse=4",
    "/gemeenten?q=zzzq",
    "/gemeenten?provincie=Atlantis&grootteklasse=9",
    "/gemeenten/GM0275",
    "/gemeenten/GM9999",
    "/datasets",
    "/datasets?periode=gisteren",
    "/contactpersonen",
    "/contactpersonen?domein=jeugd",
    "/contactpersonen?domein=x&gemeente=GM1",
    "/nergens-te-vinden",
]

# Pages whose screenshot is kept on every run, as the run's artifacts.
SHOTS = ("/", "/pilots", SEED_PILOT, "/richtlijnen/stakeholders-betrekken",
         "/benchmarks/herkomst-nederland?gemeente=GM0275&groep=provincie",
         "/toegankelijkheid")

t = Tap()
shutil.rmtree(SHOT_DIR, ignore_errors=True)   # this run's artifacts only
m = Instance().start(extra=["--seed", CONTENT])
# What each role has had checked (label -> paths), for the route walk.
seen = {}


def check(paths, label="", cookie=None, status=None, role="anonymous"):
    """check_pages() on m, remembering which paths role has had checked."""
    seen.setdefault(role, set()).update(paths)
    check_pages(t, m, paths, label=label, cookie=cookie, status=status,
                shots=[p for p in paths if p in SHOTS], html_later=True)


# The page frame: the footer's links to the pages a Dutch government site
# must have, on every page; the menu says where the visitor is.
FOOTER = ("/over", "/help", "/toegankelijkheid", "/privacy")
for path, current in (("/", '<a href="/" aria-current="page">Start</a>'),
                      ("/pilots", '<a href="/pilots" aria-current="page">'),
                      (SEED_PILOT, '<a href="/pilots" aria-current="true">'),
                      ("/nergens-te-vinden", None), ("/privacy", None)):
    r = m.get(path, headers={"Accept": "text/html"})
    page = r.body.decode()
    foot = page[page.find('<footer'):]
    t.ok(all('<a href="%s">' % f in foot for f in FOOTER) and
         (current is None or current in page) and
         page.count("aria-current") == (current is not None) and
         '<a class="skip-link" href="#meent-inhoud">' in page and
         '<main id="meent-inhoud">' in page,
         "%s: skip link, menu with aria-current, footer with the four "
         "required pages" % path, page[:600])
# The accessibility statement has the sections of the government's model.
page = m.get("/toegankelijkheid").body.decode()
t.ok(all(x in page for x in (
    "<h1>Toegankelijkheidsverklaring</h1>", "voldoet gedeeltelijk",
    "eigen beoordeling", "axe-core", "Nu HTML Checker", "toetsenbord",
    "<h2>Bekende problemen</h2>", "<h2>Een probleem melden</h2>",
    "Nationale ombudsman", "<h2>Datum</h2>", "2026")),
     "/toegankelijkheid: status, how it was checked, known problems, "
     "contact, the ombudsman, the date")
page = m.get("/privacy").body.decode()
t.ok(all(x in page for x in ("Argon2id", "meent_sessie", "meent_gemeente",
                             "meent_apparaat", "7 dagen", "inzage",
                             "correctie", "verwijdering",
                             "Autoriteit Persoonsgegevens")),
     "/privacy: what is kept, how long, and the rights")

# Followers, for the guideline's page and its list of followers; Rheden's
# editor (below) sees "Niet meer volgen" and the confirmation.
for code in ("GM0339", "GM0664", "GM0275"):
    m.request("POST", "/api/v1/richtlijnen/stakeholders-betrekken/adopties",
              token=m.token(code, "editor"))
check(PAGES, status={
    "/richtlijnen/stakeholders-betrekken/volgers?grootteklasse=9": 400,
    "/pilots/00000000-0000-4000-8000-000000000000": 404,
    "/zoeken?q=e*+e*": 400,
    "/zoeken?q=AND&soort=boek": 400,
    "/pilots?q=a+b+c+d+e+f+g+h+i+j+k+l+m&domein=x": 400,
    "/benchmarks/herkomst-nederland?gemeente=GM9999&groep=stad": 400,
    "/gemeenten?provincie=Atlantis&grootteklasse=9": 400,
    "/gemeenten/GM9999": 404,
    "/datasets?periode=gisteren": 400,
    "/contactpersonen?domein=x&gemeente=GM1": 400,
    "/nergens-te-vinden": 404,
    "/wachtwoord-herstellen/" + "A" * 43: 404,
    "/afmelden/" + "A" * 43: 404})

# The start page about a chosen municipality ("Mijn gemeente": a cookie).
check_pages(t, m, ["/"], label="mijn-gemeente",
            cookie="meent_gemeente=GM0339", html_later=True)

# A logged-in editor of the seed pilot's municipality (Rheden): the forms.
# The browser gets the session cookie.
m.ctl("user", "add", "redactie@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={
    "Content-Type": "application/x-www-form-urlencoded",
    "Origin": "http://127.0.0.1:%d" % m.port},
    body="email=redactie%40rheden.example.nl&wachtwoord=een+lang+wachtwoord")
cookie = (r.header("Set-Cookie") or "").split(";")[0]
t.ok(cookie.startswith("meent_sessie="), "logged in for the form pages")
# A dataset: its concept page (with the buttons), then published.
tok = m.token("GM0275", "editor")
r = m.request("POST", "/api/v1/datasets?vorm=tabel&indicator=inwoners&"
              "periode=2025", token=tok, headers={"Content-Type": "text/csv"},
              body="wijk,waarde\nNoord,120\nZuid,4\nOost,230\n")
ds = "/datasets/" + r.json()["id"]
# An attachment, so that its page has a list and delete buttons.
m.request("POST", "/api/v1/pilots/%s/bijlagen?naam=rapport.pdf" %
          SEED_PILOT.split("/")[-1], token=tok, body=b"%PDF-1.4\n%%EOF\n")
# A contact person and a thread on the seed pilot (question and answer),
# so that its page shows them with their forms.
page = m.get("/contactpersonen/aanmelden", headers={"Cookie": cookie})
csrf = re.search(r'name="csrf" value="([^"]+)"', page.body.decode()).group(1)


def form_post(path, fields):
    return m.request("POST", path, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": "http://127.0.0.1:%d" % m.port, "Cookie": cookie},
        body=urllib.parse.urlencode(dict(fields, csrf=csrf)))


form_post("/contactpersonen/aanmelden", {
    "soort": "pilot", "pilot": SEED_PILOT.split("/")[-1],
    "naam": "Ann de Vries", "functie": "Data-analist",
    "email": "ann@rheden.example.nl", "hulp": "Vragen over de pilot."})
r = form_post(SEED_PILOT + "/reacties", {"soort": "vraag",
                                         "tekst": "Hoe *ging* het?"})
form_post(SEED_PILOT + "/reacties", {"ouder": r.header("Location").split(
    "-")[-1], "tekst": "Goed."})
check(["/mijn", "/mijn/meldingen", "/pilots?domein=jeugd", "/pilots/nieuw", SEED_PILOT + "/bewerken",
       SEED_PILOT, SEED_PILOT + "?opgeslagen=1",
       SEED_PILOT + "/verwijderen", SEED_PILOT + "/bijlagen",
       "/benchmarks/inwoners", "/datasets/nieuw", ds,
       ds + "/verwijderen", "/datasets?eigen=ja&status=concept",
       "/richtlijnen/stakeholders-betrekken/voorstellen/nieuw",
       "/richtlijnen/stakeholders-betrekken?gevolgd=1",
       "/richtlijnen/stakeholders-betrekken/volgers?provincie=Zeeland",
       "/contactpersonen/aanmelden", "/contactpersonen"],
      label="ingelogd", cookie=cookie, role="editor")


class Replay:
    """Answers of POSTs (a form's preview, its errors) for the browser,
    which only GETs: served as meentd sent them from a small server beside
    it, which passes every other request (style sheets) on to meentd."""

    def __init__(self, inst, pages):
        replay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = replay.pages.get(self.path)
                status, ctype = 200, "text/html; charset=utf-8"
                if body is None:
                    r = inst.get(self.path)
                    status, body = r.status, r.body
                    ctype = r.header("Content-Type") or "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.pages = pages
        self.dir = inst.dir
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# The pilot form's preview (hostile Markdown too) and its errors.
edit = m.get(SEED_PILOT + "/bewerken", headers={"Cookie": cookie}).body.decode()
fields = dict(re.findall(r'<input type="hidden" name="(csrf|versie)" '
                         r'value="([^"]*)">', edit))
fields.update({"titel": "Voorbeeldpilot", "samenvatting": "Kort.",
               "domein": "jeugd", "status": "lopend", "vraag": "Werkt het?",
               "zichtbaarheid": "openbaar", "richtlijnen":
               "stakeholders-betrekken", "actie": "voorbeeld",
               "aanpak": "## Kop\r\n\r\n- een\r\n- twee\r\n\r\n"
               "| Jaar | Aantal |\r\n|---|---|\r\n| 2024 | 12 |\r\n\r\n"
               "<script>alert(1)</script> [x](javascript:alert(2))\r\n"})
posted = {}
for name, extra in (("/voorbeeld", {}), ("/fouten", {"titel": "",
                                                     "actie": "publiceren"})):
    r = m.request("POST", SEED_PILOT + "/bewerken", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": "http://127.0.0.1:%d" % m.port, "Cookie": cookie},
        body=urllib.parse.urlencode(dict(fields, **extra)))
    posted[name] = r.body
t.ok(b'<section class="preview"' in posted["/voorbeeld"] and
     b'class="error-summary"' in posted["/fouten"],
     "the form's preview and its errors to check")
# The other forms' errors: signing in, a reset link asked for an address
# that is none, a proposal without its reason.
ORIGIN = "http://127.0.0.1:%d" % m.port
for name, path, body, hdrs in (
        ("/inloggen-fout", "/inloggen", "email=redactie%40rheden.example.nl"
         "&wachtwoord=fout+wachtwoord", {}),
        ("/vergeten-fout", "/wachtwoord-vergeten", "email=geen-adres", {}),
        ("/voorstel-fout", "/richtlijnen/stakeholders-betrekken/voorstellen/"
         "nieuw", urllib.parse.urlencode({
             "csrf": fields["csrf"], "basis": "1", "tekst": "# Kop\n",
             "bericht": ""}), {"Cookie": cookie})):
    r = m.request("POST", path, headers=dict(hdrs, **{
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": ORIGIN}), body=body)
    posted[name] = r.body
    t.ok(r.status in (400, 401), "%s: the form comes back with its error "
         "(%d)" % (name, r.status))


def ties(html):
    """What is wrong with how a form's errors are tied to their fields: a
    field marked invalid must be described by an element that exists, and
    the summary's links must lead to a field."""
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    wrong = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*"
                          r'aria-invalid="true"[^>]*>', html):
        desc = re.search(r'aria-describedby="([^"]*)"', tag)
        if desc is None or not all(d in ids for d in desc.group(1).split()):
            wrong.append("not described: " + tag[:120])
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    if box is None:
        wrong.append("no error summary")
    else:
        for target in re.findall(r'href="#([^"]+)"', box.group(0)):
            if target not in ids:
                wrong.append("summary links to a missing #" + target)
    if 'aria-invalid="true"' not in html:
        wrong.append("no field marked aria-invalid")
    return wrong


for name in ("/fouten", "/inloggen-fout", "/vergeten-fout",
             "/voorstel-fout"):
    why = ties(posted[name].decode())
    t.ok(why == [], "%s: every error tied to its field and in the summary"
         % name, "\n".join(why))
replay = Replay(m, posted)
check_pages(t, replay, ["/voorbeeld", "/fouten", "/inloggen-fout",
                        "/vergeten-fout", "/voorstel-fout"],
            label="formulier", html_later=True)
replay.close()
m.request("POST", "/api/v1/datasets/%s/publicatie" % ds.split("/")[-1],
          token=tok)
check([ds, "/gemeenten/GM0275", "/datasets",
       "/benchmarks/inwoners?gemeente=GM0275&periode=2025&groep=provincie"],
      label="gepubliceerd")
# A members-only pilot to a visitor who is not signed in: log in to see it.
r = m.request("POST", "/api/v1/pilots", token=tok, body={
    "titel": "Alleen voor leden", "samenvatting": "Kort.", "domein": "jeugd",
    "status": "lopend", "vraag": "Werkt het?", "zichtbaarheid": "leden"})
leden = "/pilots/" + r.json()["id"]
check([leden], label="leden", status={leden: 401})
# A proposal's page, as seen by a maintainer (with the decision form).
head = m.get("/api/v1/richtlijnen/pilots-uitvoeren-en-verspreiden").json()
r = m.request("POST", "/api/v1/richtlijnen/pilots-uitvoeren-en-verspreiden/"
              "voorstellen", token=tok, body={"basis": head["versie"],
              "tekst": head["tekst"] + "\nEen zin erbij.\n",
              "bericht": "Aanvulling"})
prop = "/richtlijnen/pilots-uitvoeren-en-verspreiden/voorstellen/%d" % \
    r.json()["id"]
m.ctl("user", "add", "beheer@tilburg.example.nl", "--gemeente", "GM0855",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={
    "Content-Type": "application/x-www-form-urlencoded",
    "Origin": "http://127.0.0.1:%d" % m.port},
    body="email=beheer%40tilburg.example.nl&wachtwoord=een+lang+wachtwoord")
maintainer = (r.header("Set-Cookie") or "").split(";")[0]
check([prop], label="beheerder", cookie=maintainer, role="maintainer")
# A password reset link (the form for a new password) and its answers.
m.request("POST", "/wachtwoord-vergeten", headers={
    "Content-Type": "application/x-www-form-urlencoded",
    "Origin": "http://127.0.0.1:%d" % m.port},
    body="email=beheer%40tilburg.example.nl")
text = m.sql("SELECT text_body FROM mail_outbox ORDER BY id DESC")[0][0]
link = re.search(r"(/wachtwoord-herstellen/[A-Za-z0-9_-]{43})", text).group(1)
check([link], label="herstellen")
# An unsubscribe link's page (stored hashed, as notify.c makes them).
UNSUB = "u" * 43
m.sql("INSERT INTO notify_tokens (digest, user_id, kind, expires) SELECT ?,"
      " id, 'overzicht', 4102444800 FROM users WHERE email = ?",
      (hashlib.sha256(UNSUB.encode()).digest(), "beheer@tilburg.example.nl"))
check(["/afmelden/" + UNSUB], label="afmelden")


# The bad input of issue 17, which must still reflow at 320 px: the longest
# unbroken words a pilot's title and tags allow, a 300-character word and
# URL, a wide table, code and right-to-left text in its Markdown.
WORD = "gegevensuitwisseling" * 15                  # 300 characters
URL = "https://voorbeeld.example.nl/" + "lange-map/" * 27
WIDE = ("| " + " | ".join("Kolom %d met een lange kop" % i
                          for i in range(1, 16)) + " |\n" + "|---" * 15 +
        "|\n" + "| " + " | ".join(str(i * 123456) for i in range(15)) +
        " |\n")
RTL = ("هذه تجربة بلدية لقياس جودة البيانات في الأحياء. "
       "עברית: ניסוי עירוני במדידת איכות הנתונים.")
r = m.request("POST", "/api/v1/pilots", token=tok, body={
    "titel": ("Datagedrevenwerken" * 9)[:150],
    "samenvatting": RTL + " " + WORD, "domein": "jeugd", "status": "lopend",
    "vraag": WORD + "?", "zichtbaarheid": "openbaar",
    "tags": ["x" * 40, "lange-tag-" + "y" * 30],
    "contact": URL[:200],
    "aanpak": "# Een kop in de tekst\n\n" + WORD + "\n\n<" + URL + ">\n\n" +
              WIDE + "\n" + RTL + "\n\n```\n" + "code" * 80 + "\n```\n",
    "resultaten": RTL + "\n\n" + WIDE})
t.ok(r.status == 201, "a pilot with the bad input of issue 17",
     r.body[:300])
bad = "/pilots/" + r.json().get("id", "onbekend")
# A guideline whose heading is 5,000 characters long.
HEADING = ("Een kop die maar doorgaat en doorgaat " * 110)[:4400] + WORD * 2
r = m.request("POST", "/api/v1/richtlijnen", token=tok, body={
    "slug": "lange-kop", "titel": "Een richtlijn met een lange kop",
    "tekst": "# " + HEADING + "\n\n## Tweede kop\n\nTekst met " + WORD +
             "\n\n" + WIDE + "\n" + RTL + "\n"})
t.ok(r.status == 201, "a guideline with a 5,000-character heading",
     r.body[:300])
BAD = [bad, "/pilots", "/pilots?q=gegevensuitwisseling",
       "/zoeken?q=gegevensuitwisseling", "/richtlijnen",
       "/richtlijnen/lange-kop", "/richtlijnen/lange-kop/versies/1",
       "/gemeenten/GM0275"]
check(BAD, label="lastige-invoer")
check([bad, bad + "/bewerken", "/mijn"], label="lastige-invoer-ingelogd",
      cookie=cookie, role="editor")

# Accounts on the web: the access request form, an admin's users page (an
# open request and invitation on it), the own account page, an invitation.
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded",
             "Origin": "http://127.0.0.1:%d" % m.port}
m.request("POST", "/toegang-aanvragen", headers=FORM_TYPE,
          body="naam=Jan+Jansen&email=jan%40rheden.example.nl&gemeente="
          "GM0275&reden=Lezen.%0D%0AEn+delen.")
m.ctl("user", "add", "beheer@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "admin", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers=FORM_TYPE,
              body="email=beheer%40rheden.example.nl&wachtwoord="
              "een+lang+wachtwoord")
admin = (r.header("Set-Cookie") or "").split(";")[0]
csrf = re.search(r'name="csrf" value="([^"]+)"', m.get(
    "/mijn/account", headers={"Cookie": admin}).body.decode()).group(1)
m.request("POST", "/mijn/gebruikers/uitnodigen", headers=dict(
    FORM_TYPE, Cookie=admin), body="csrf=%s&email=nieuw%%40rheden.example.nl"
    "&rol=editor" % csrf)
text = m.sql("SELECT text_body FROM mail_outbox ORDER BY id DESC")[0][0]
invite = re.search(r"(/uitnodiging/[A-Za-z0-9_-]{43})", text).group(1)
check(["/mijn/gebruikers", "/mijn/gebruikers?melding=rol", "/mijn/account"],
      label="gebruikers", cookie=admin, role="admin")
check(["/toegang-aanvragen", invite], label="toegang")

# Every web page of the route table, as each role, with real parameters.
# A web route missing here fails the test: give it a path.
ROUTE_PATHS = {
    "web.home": "/",
    "web.login.form": "/inloggen",
    "web.reset.form": "/wachtwoord-vergeten",
    "web.reset.link": link,
    "web.zoeken": "/zoeken?q=data",
    "web.mijn": "/mijn",
    "web.pilots": "/pilots",
    "web.pilot.new": "/pilots/nieuw",
    "web.pilot": SEED_PILOT,
    "web.pilot.edit": SEED_PILOT + "/bewerken",
    "web.pilot.delete.confirm": SEED_PILOT + "/verwijderen",
    "web.bijlagen": SEED_PILOT + "/bijlagen",
    "web.benchmarks": "/benchmarks",
    "web.benchmark": "/benchmarks/inwoners",
    "web.gemeenten": "/gemeenten",
    "web.gemeente": "/gemeenten/GM0275",
    "web.datasets.list": "/datasets",
    "web.datasets.new": "/datasets/nieuw",
    "web.datasets.show": ds,
    "web.datasets.confirm": ds + "/verwijderen",
    "web.richtlijnen": "/richtlijnen",
    "web.richtlijn": "/richtlijnen/stakeholders-betrekken",
    "web.richtlijn.versie": "/richtlijnen/stakeholders-betrekken/versies/1",
    "web.richtlijn.diff": "/richtlijnen/stakeholders-betrekken/verschillen"
                          "?van=1&tot=3",
    "web.richtlijn.volgers": "/richtlijnen/stakeholders-betrekken/volgers",
    "web.voorstel.new": "/richtlijnen/stakeholders-betrekken/voorstellen/"
                        "nieuw",
    "web.voorstel": prop,
    "web.access.form": "/toegang-aanvragen",
    "web.invitation.link": invite,
    "web.account": "/mijn/account",
    "web.notify": "/mijn/meldingen",
    "web.unsubscribe.form": "/afmelden/" + UNSUB,
    "web.users": "/mijn/gebruikers",
    "web.contactpersonen": "/contactpersonen",
    "web.contactpersonen.form": "/contactpersonen/aanmelden",
    "web.info.over": "/over",
    "web.info.help": "/help",
    "web.info.toegankelijkheid": "/toegankelijkheid",
    "web.info.privacy": "/privacy",
}
# Web GET routes that are no HTML page, and what they are.
NOT_PAGES = {"web.datasets.example": "an example CSV file",
             "web.export": "a zip of the municipality's content"}
# What a maintainer sees differently: the guidelines and proposals.
MAINTAINER = ("web.richtlijn", "web.richtlijn.versie", "web.richtlijn.diff",
              "web.richtlijn.volgers", "web.voorstel.new", "web.voorstel",
              "web.richtlijnen", "web.mijn")
routes = []
for line in subprocess.run([MEENTD, "--routes"], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    method, pattern, access, flags, _cap, name = line.split("\t")
    if method == "GET" and "web" in flags.split(",") and \
            name not in NOT_PAGES:
        routes.append((name, access))
unknown = [n for n, _ in routes if n not in ROUTE_PATHS]
t.ok(routes and unknown == [], "every web page of the route table is walked "
     "(%d routes)" % len(routes), "no path for: " + ", ".join(unknown))
for role, label, who in (("anonymous", "route-anoniem", None),
                         ("editor", "route-redacteur", cookie),
                         ("maintainer", "route-beheerder", maintainer),
                         ("admin", "route-admin", admin)):
    # (Anonymous visitors of a page for members land on the login form.)
    paths, status = [], {}
    for name, access in routes:
        path = ROUTE_PATHS.get(name)
        if path is None or path in seen.get(role, ()) or \
                (role == "maintainer" and name not in MAINTAINER) or \
                ((access == "admin") != (role == "admin")):
            continue
        paths.append(path)
    if paths:
        check(paths, label=label, cookie=who, status=status, role=role)
check_html(t)

finish(t, m)
