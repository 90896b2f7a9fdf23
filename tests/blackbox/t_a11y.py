# SPDX-License-Identifier: EUPL-1.2
"""The web pages in a real browser: zero axe-core violations of WCAG 2.0/2.1
A and AA, a rendered page, and valid HTML (Nu HTML checker). Anonymous pages
and the pages of a logged-in editor (forms, with and without errors)."""
import http.server
import hashlib
import re
import threading
import urllib.parse

from a11y import check_pages
from harness import CONTENT, Instance, Tap, finish

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
    "/nergens-te-vinden",
]

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
# Followers, for the guideline's page and its list of followers; Rheden's
# editor (below) sees "Niet meer volgen" and the confirmation.
for code in ("GM0339", "GM0664", "GM0275"):
    m.request("POST", "/api/v1/richtlijnen/stakeholders-betrekken/adopties",
              token=m.token(code, "editor"))
check_pages(t, m, PAGES, status={
    "/richtlijnen/stakeholders-betrekken/volgers?grootteklasse=9": 400,
    "/pilots/00000000-0000-4000-8000-000000000000": 404,
    "/zoeken?q=e*+e*": 400,
    "/zoeken?q=AND&soort=boek": 400,
    "/pilots?q=a+b+c+d+e+f+g+h+i+j+k+l+m&domein=x": 400,
    "/benchmarks/herkomst-nederland?gemeente=GM9999&groep=stad": 400,
    "/gemeenten?provincie=Atlantis&grootteklasse=9": 400,
    "/gemeenten/GM9999": 404,
    "/datasets?periode=gisteren": 400,
    "/nergens-te-vinden": 404,
    "/wachtwoord-herstellen/" + "A" * 43: 404,
    "/afmelden/" + "A" * 43: 404},
    reflow=["/richtlijnen/stakeholders-betrekken/verschillen?van=1&tot=3"])

# The start page about a chosen municipality ("Mijn gemeente": a cookie).
check_pages(t, m, ["/"], label="mijn-gemeente",
            cookie="meent_gemeente=GM0339")

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
check_pages(t, m, ["/mijn", "/mijn/meldingen", "/pilots?domein=jeugd",
                   "/pilots/nieuw", SEED_PILOT + "/bewerken",
                   SEED_PILOT, SEED_PILOT + "?opgeslagen=1",
                   SEED_PILOT + "/verwijderen", SEED_PILOT + "/bijlagen",
                   "/benchmarks/inwoners", "/datasets/nieuw", ds,
                   ds + "/verwijderen", "/datasets?eigen=ja&status=concept",
                   "/richtlijnen/stakeholders-betrekken/voorstellen/nieuw",
                   "/richtlijnen/stakeholders-betrekken?gevolgd=1",
                   "/richtlijnen/stakeholders-betrekken/volgers?provincie="
                   "Zeeland"],
            label="ingelogd", cookie=cookie)


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
replay = Replay(m, posted)
check_pages(t, replay, ["/voorbeeld", "/fouten"], label="formulier")
replay.close()
m.request("POST", "/api/v1/datasets/%s/publicatie" % ds.split("/")[-1],
          token=tok)
check_pages(t, m, [ds, "/gemeenten/GM0275", "/datasets",
                   "/benchmarks/inwoners?gemeente=GM0275&periode=2025&"
                   "groep=provincie"], label="gepubliceerd")
# A members-only pilot to a visitor who is not signed in: log in to see it.
r = m.request("POST", "/api/v1/pilots", token=tok, body={
    "titel": "Alleen voor leden", "samenvatting": "Kort.", "domein": "jeugd",
    "status": "lopend", "vraag": "Werkt het?", "zichtbaarheid": "leden"})
leden = "/pilots/" + r.json()["id"]
check_pages(t, m, [leden], label="leden", status={leden: 401})
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
check_pages(t, m, [prop], label="beheerder",
            cookie=(r.header("Set-Cookie") or "").split(";")[0],
            reflow=[prop])
# A password reset link (the form for a new password) and its answers.
m.request("POST", "/wachtwoord-vergeten", headers={
    "Content-Type": "application/x-www-form-urlencoded",
    "Origin": "http://127.0.0.1:%d" % m.port},
    body="email=beheer%40tilburg.example.nl")
text = m.sql("SELECT text_body FROM mail_outbox ORDER BY id DESC")[0][0]
link = re.search(r"(/wachtwoord-herstellen/[A-Za-z0-9_-]{43})", text).group(1)
check_pages(t, m, [link], label="herstellen")
# An unsubscribe link's page (stored hashed, as notify.c makes them).
UNSUB = "u" * 43
m.sql("INSERT INTO notify_tokens (digest, user_id, kind, expires) SELECT ?,"
      " id, 'overzicht', 4102444800 FROM users WHERE email = ?",
      (hashlib.sha256(UNSUB.encode()).digest(), "beheer@tilburg.example.nl"))
check_pages(t, m, ["/afmelden/" + UNSUB], label="afmelden")
finish(t, m)
