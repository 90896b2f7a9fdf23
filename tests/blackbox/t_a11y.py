# SPDX-License-Identifier: EUPL-1.2
"""The web pages in a real browser: zero axe-core violations of WCAG 2.0/2.1
A and AA, a rendered page, and valid HTML (Nu HTML checker). Anonymous pages
and the pages of a logged-in editor (forms, with and without errors)."""
import re

from a11y import check_pages
from harness import CONTENT, Instance, Tap, finish

SEED_PILOT = "/pilots/0138940d-15b4-4051-9d8e-b201b881fd5b"

# Every HTML page meentd serves; add new pages here.
PAGES = [
    "/",
    "/inloggen",
    "/wachtwoord-vergeten",
    "/wachtwoord-herstellen/" + "A" * 43,
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
    "/wachtwoord-herstellen/" + "A" * 43: 404})

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
check_pages(t, m, ["/pilots/nieuw", SEED_PILOT + "/bewerken", SEED_PILOT,
                   "/benchmarks/inwoners", "/datasets/nieuw", ds,
                   "/richtlijnen/stakeholders-betrekken/voorstellen/nieuw",
                   "/richtlijnen/stakeholders-betrekken?gevolgd=1",
                   "/richtlijnen/stakeholders-betrekken/volgers?provincie="
                   "Zeeland"],
            label="ingelogd", cookie=cookie)
m.request("POST", "/api/v1/datasets/%s/publicatie" % ds.split("/")[-1],
          token=tok)
check_pages(t, m, [ds, "/gemeenten/GM0275"], label="gepubliceerd")
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
            cookie=(r.header("Set-Cookie") or "").split(";")[0])
# A password reset link (the form for a new password) and its answers.
m.request("POST", "/wachtwoord-vergeten", headers={
    "Content-Type": "application/x-www-form-urlencoded",
    "Origin": "http://127.0.0.1:%d" % m.port},
    body="email=beheer%40tilburg.example.nl")
text = m.sql("SELECT text_body FROM mail_outbox ORDER BY id DESC")[0][0]
link = re.search(r"(/wachtwoord-herstellen/[A-Za-z0-9_-]{43})", text).group(1)
check_pages(t, m, [link], label="herstellen")
finish(t, m)
