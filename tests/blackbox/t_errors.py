# SPDX-License-Identifier: EUPL-1.2
"""Errors for people: a browser (Accept preferring text/html, or any web
route) gets a Dutch HTML page with the site's navigation for 404 (unknown
URLs too), 405, 409, 410, 413 and 5xx; the API, federation and the
well-known document keep problem+json. A members-only pilot asks an
anonymous visitor to log in, with a link back; the login form's "terug"
follows local paths only (no open redirect, no header splitting)."""
import json
import os
import re
import shutil
import tempfile
import time
import urllib.parse

from harness import Instance, Tap, finish

t = Tap()
FORM = "application/x-www-form-urlencoded"
PW = "een lang wachtwoord"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;"
           "q=0.9,image/avif,image/webp,*/*;q=0.8"}
CTL_DIR = tempfile.mkdtemp(prefix="meent-errors-")
CTL = os.path.join(CTL_DIR, "faults")
# One worker: a connection that met a fault is renewed before the next.
m = Instance(env={"MEENT_FAULTS": CTL}, threads=1,
             settings={"login_per_minute": "1000"}).start()
origin = "http://127.0.0.1:%d" % m.port
editor = m.token("GM0275", "editor")


def page_ok(r, status, title, desc):
    """A Dutch page with the site's frame and navigation."""
    body = r.body.decode("utf-8", "replace")
    t.eq(r.status, status, "%s: %d" % (desc, status))
    t.ok((r.header("Content-Type") or "").startswith("text/html") and
         '<html lang="nl">' in body and
         '<nav aria-label="Hoofdmenu">' in body and
         re.search(r'<a href="/pilots"( aria-current="[a-z]+")?>Pilots</a>',
                   body) is not None and
         "<h1>%s</h1>" % title in body,
         "%s: an HTML page in Dutch with the navigation ('%s')" % (
             desc, title), body[:400])
    t.ok(r.header("Content-Security-Policy") is not None,
         "%s: with the pages' CSP" % desc)
    return body


def problem_ok(r, status, desc):
    t.eq(r.status, status, "%s: %d" % (desc, status))
    try:
        p = r.json()
    except ValueError:
        p = {}
    t.ok(r.header("Content-Type") == "application/problem+json" and
         p.get("status") == status and p.get("detail"),
         "%s: problem+json" % desc, r.body[:200])


def browser(method, path, body=None, headers=None, **kw):
    h = dict(BROWSER)
    h.update(headers or {})
    return m.request(method, path, body=body, headers=h, **kw)


def login(email, pw=PW, terug=None):
    fields = {"email": email, "wachtwoord": pw}
    if terug is not None:
        fields["terug"] = terug
    return m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": origin},
        body=urllib.parse.urlencode(fields))


m.ctl("user", "add", "redactie@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input=PW + "\n", check=True)
cookie = (login("redactie@rheden.example.nl").header("Set-Cookie") or
          "").split(";")[0]


def pilot(titel, zichtbaarheid):
    r = m.request("POST", "/api/v1/pilots", token=editor, body={
        "titel": titel, "samenvatting": "Kort.", "domein": "jeugd",
        "status": "lopend", "vraag": "Werkt het?",
        "zichtbaarheid": zichtbaarheid})
    assert r.status == 201, r
    return r.json()["id"]


# --- 404 -----------------------------------------------------------------------
page_ok(browser("GET", "/nergens-te-vinden"), 404, "Niet gevonden",
        "a browser on an unknown URL")
body = page_ok(browser("GET", "/pilots/geen-pilot"), 404, "Niet gevonden",
               "a browser on an unknown pilot")
t.ok('href="/zoeken"' in body, "404: the page offers search")
page_ok(browser("GET", "/pilots/"), 404, "Niet gevonden",
        "a browser on a trailing slash")
page_ok(m.get("/pilots/geen-pilot"), 404, "Niet gevonden",
        "a web route without Accept")
body = page_ok(browser("GET", "/nergens", headers={"Cookie": cookie}), 404,
               "Niet gevonden", "a signed-in browser on an unknown URL")
t.ok('href="/mijn"' in body and "Uitloggen" in body,
     "the 404 page knows who is signed in")
for path in ("/api/v1/nergens", "/api/v1/pilots/geen-pilot",
             "/federation/v1/nergens", "/.well-known/nergens"):
    problem_ok(browser("GET", path), 404, "a browser on %s" % path)
problem_ok(m.get("/nergens"), 404, "an unknown URL without Accept")
problem_ok(m.get("/nergens", headers={"Accept": "application/json, "
                                      "text/html;q=0.5"}), 404,
           "an unknown URL for a client preferring JSON")
problem_ok(m.get("/nergens", headers={"Accept": "*/*"}), 404,
           "an unknown URL for a client taking anything")

# --- 405 -----------------------------------------------------------------------
r = browser("DELETE", "/pilots")
page_ok(r, 405, "Methode niet toegestaan", "a browser deleting /pilots")
t.eq(r.header("Allow"), "GET, HEAD, OPTIONS", "405 page: with Allow")
page_ok(browser("POST", "/zoeken", body="q=x", headers={
    "Content-Type": FORM, "Origin": origin}), 405,
    "Methode niet toegestaan", "a browser posting to /zoeken")
problem_ok(browser("DELETE", "/api/v1/gemeenten/GM0275"), 405,
           "a browser's DELETE on the API")
problem_ok(browser("POST", "/.well-known/meent", body="x"), 405,
           "a browser's POST on the well-known document")

# --- 409 -----------------------------------------------------------------------
with open(os.path.join(m.dir, "cnt.json"), "w") as f:
    json.dump({"id": "bijstand-ontvangers", "naam": "Ontvangers van bijstand",
               "omschrijving": "Personen met een uitkering", "eenheid":
               "personen", "soort": "aantal", "richting": "neutraal",
               "bron": "eigen registratie"}, f)
m.ctl("indicator", "add", os.path.join(m.dir, "cnt.json"), check=True)
r = m.request("POST", "/api/v1/datasets?vorm=tabel&indicator=bijstand-"
              "ontvangers&periode=2024", body="wijk,waarde\nNoord,30\n"
              "Zuid,40\n", token=editor, headers={"Content-Type": "text/csv"})
ds = r.json()["id"]
t.eq(m.request("POST", "/api/v1/datasets/%s/publicatie" % ds,
               token=editor).status, 200, "fixture: a published dataset")
csrf = re.search(r'name="csrf" value="([^"]+)"', m.get(
    "/mijn", headers={"Cookie": cookie}).body.decode()).group(1)
page_ok(browser("POST", "/datasets/%s/publiceren" % ds, body="csrf=" + csrf,
                headers={"Content-Type": FORM, "Origin": origin,
                         "Cookie": cookie}), 409, "Kan niet publiceren",
        "a browser publishing a published dataset")
problem_ok(browser("POST", "/api/v1/datasets/%s/publicatie" % ds,
                   token=editor), 409, "the API publishing it again")

# --- 410 -----------------------------------------------------------------------
gone = pilot("Weg ermee", "openbaar")
m.request("DELETE", "/api/v1/pilots/" + gone, token=editor)
page_ok(browser("GET", "/pilots/" + gone), 410, "Verwijderd",
        "a browser on a deleted pilot")
problem_ok(browser("GET", "/api/v1/pilots/" + gone), 410,
           "the API on a deleted pilot")

# --- 413 -----------------------------------------------------------------------
big = "email=" + "a" * 20000
page_ok(browser("POST", "/inloggen", body=big, headers={
    "Content-Type": FORM, "Origin": origin}), 413, "Inhoud te groot",
    "a browser posting too much to a form")
problem_ok(browser("POST", "/api/v1/tokens", body="{" + " " * 20000 + "}",
                   headers={"Content-Type": "application/json"}), 413,
           "too much for the API")

# --- 5xx -----------------------------------------------------------------------
def faults(text):
    tmp = CTL + ".new"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, CTL)
    time.sleep(0.01)


def no_faults():
    try:
        os.unlink(CTL)
    except FileNotFoundError:
        pass
    time.sleep(0.01)


N = [0]


def touch():
    """Stale every page cache: the next read goes through the VFS."""
    N[0] += 1
    m.sql("PRAGMA application_id = %d" % N[0])


for rule, status, title in [("read", 500, "Interne fout"),
                            ("read busy", 503, "Tijdelijk niet "
                             "beschikbaar")]:
    for path, web in [("/pilots?q=zwembad", True),
                      ("/api/v1/pilots?q=zwembad", False)]:
        touch()
        faults(rule)
        r = browser("GET", path)
        no_faults()
        if web:
            page_ok(r, status, title, "a browser on %s under '%s'" % (
                path, rule))
        else:
            problem_ok(r, status, "%s under '%s'" % (path, rule))
    t.ok(browser("GET", "/pilots?q=zwembad").status == 200,
         "after '%s': the page is back" % rule)

# --- members only: log in to see it ------------------------------------------
members = pilot("Alleen voor leden", "leden")
r = browser("GET", "/pilots/" + members)
body = page_ok(r, 401, "Log in om dit te zien",
               "an anonymous visitor on a members-only pilot")
back = "/inloggen?terug=" + urllib.parse.quote("/pilots/" + members, safe="")
t.ok('<li><a href="%s">Log in om dit te zien</a></li>' % back in body,
     "with a link to log in and come back", body[-800:])
body = browser("GET", "/pilots/%s?van=lijst" % members).body.decode()
t.ok('href="%s%%3Fvan%%3Dlijst">Log in' % back in body,
     "the link back keeps the query")
t.ok("Alleen voor leden" not in body, "and nothing of the pilot")
problem_ok(m.get("/api/v1/pilots/" + members), 404,
           "the API keeps 404 for an anonymous caller")
r = login("redactie@rheden.example.nl", terug="/pilots/" + members)
t.eq((r.status, r.header("Location")), (303, "/pilots/" + members),
     "signing in from there: back to the pilot")
cookie2 = (r.header("Set-Cookie") or "").split(";")[0]
r = browser("GET", "/pilots/" + members, headers={"Cookie": cookie2})
t.ok(r.status == 200 and "Alleen voor leden" in r.body.decode(),
     "signed in: the pilot")
body = m.get("/pilots?domein=jeugd").body.decode()
t.ok('<p class="session"><a href="/inloggen?terug=%2Fpilots">' in body,
     "the header's login link brings the visitor back to the page (its "
     "path: pages cached for everyone carry no visitor's query)")
body = m.get("/nergens?x=1", headers=BROWSER).body.decode()
t.ok('<p class="session"><a href="/inloggen?terug=%2Fnergens">' in body,
     "on an error page too")
body = m.get("/").body.decode()
t.ok('<p class="session"><a href="/inloggen">' in body,
     "the start page's login link needs no way back")
r = m.get("/pilots/nieuw?x=1")
t.eq((r.status, r.header("Location")),
     (303, "/inloggen?terug=%2Fpilots%2Fnieuw%3Fx%3D1"),
     "a page that needs a login: to the form, with the way back")

# --- terug: local paths only ---------------------------------------------------
GOOD = ["/mijn", "/pilots?domein=jeugd&page=2", "/" + "a" * 499]
BAD = ["//evil.example", "https://evil.example", "/\r\nSet-Cookie: x=1",
       "/\\evil.example", "javascript:alert(1)", "/pilots//evil.example",
       "/" + "a" * 500, "", "evil.example", "/pilots\tx", "/p\x7f"]
for terug in GOOD + BAD:
    good = terug in GOOD
    label = repr(terug[:30]) + ("... (%d bytes)" % len(terug)
                                if len(terug) > 30 else "")
    form = m.get("/inloggen?" + urllib.parse.urlencode({"terug": terug}))
    has = re.search(r'name="terug" value="([^"]*)"', form.body.decode())
    t.eq(has.group(1) if has else None,
         terug.replace("&", "&amp;") if good else None,
         "the form %s %s" % ("carries" if good else "drops", label))
    r = login("redactie@rheden.example.nl", terug=terug)
    t.eq((r.status, r.header("Location")), (303, terug if good else "/"),
         "signing in with terug=%s: %s" % (label, "back there" if good
                                          else "to the start page"))
    t.ok(r.header("Location") is None or "\n" not in r.header("Location"),
         "no header split by %s" % label)
r = login("redactie@rheden.example.nl", pw="fout wachtwoord!", terug="/mijn")
t.ok(r.status == 401 and 'name="terug" value="/mijn"' in r.body.decode(),
     "a wrong password keeps the way back")

shutil.rmtree(CTL_DIR, ignore_errors=True)
finish(t, m)
