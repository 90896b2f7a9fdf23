# SPDX-License-Identifier: EUPL-1.2
"""Contact persons (ambassadors): a signed-in user offers to be a contact
for their municipality, a domain or one of its pilots, through the real
form (CRLF textarea stored as LF); shown on the municipality page, the
pilot page (instead of the team text) and /contactpersonen (by domain),
and in the API, public entries only for anonymous callers; withdrawn at
once with a button (only one's own: another's is 404); gone when the
account is disabled or deleted; bad input (CR/LF in a name or address, a
pilot of another municipality, an offer made twice, too long) is a Dutch
400 and changes nothing."""
import os
import re
import sqlite3
import urllib.parse

from harness import Instance, Tap, finish

t = Tap()
m = Instance().start()
FORM = "application/x-www-form-urlencoded"
ORIGIN = "http://127.0.0.1:%d" % m.port
PASSWORD = "een lang wachtwoord"


def login(email, gemeente, role="editor", naam="Ann de Vries"):
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", role,
          "--naam", naam, input=PASSWORD + "\n", check=True)
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": ORIGIN}, body=urllib.parse.urlencode(
            {"email": email, "wachtwoord": PASSWORD}))
    return (r.header("Set-Cookie") or "").split(";")[0]


def csrf_of(cookie):
    page = m.get("/contactpersonen/aanmelden",
                 headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return found.group(1) if found else None


def browser_body(fields):
    """As a browser sends a form: textarea line ends as CRLF."""
    return urllib.parse.urlencode([
        (k, str(v).replace("\r\n", "\n").replace("\n", "\r\n"))
        for k, v in fields.items()])


def post(path, fields, cookie):
    return m.request("POST", path, headers={
        "Content-Type": FORM, "Origin": ORIGIN, "Cookie": cookie},
        body=browser_body(fields))


def rows():
    return m.sql("SELECT * FROM contactpersonen ORDER BY id")


def pilot(token, titel, zichtbaarheid="openbaar", domein="jeugd"):
    r = m.request("POST", "/api/v1/pilots", token=token, body={
        "titel": titel, "samenvatting": "Een test.", "domein": domein,
        "status": "lopend", "vraag": "Werkt het?", "contact":
        "Team Data, data@rheden.example.nl", "zichtbaarheid": zichtbaarheid,
        "aanpak": "Proberen."})
    if r.status != 201:
        raise RuntimeError(r.body)
    return r.json()["id"]


ed_rheden = m.token("GM0275", "editor")
ed_goes = m.token("GM0664", "editor")
viewer = m.token("GM0664", "viewer")
p_rheden = pilot(ed_rheden, "Wijkteams met data")
p_rheden_leden = pilot(ed_rheden, "Alleen voor leden", "leden", "zorg-en-welzijn")
p_goes = pilot(ed_goes, "Pilot van Goes")

ann = login("ann@rheden.example.nl", "GM0275")
bob = login("bob@rheden.example.nl", "GM0275", "viewer", "Bob Jansen")
cas = login("cas@goes.example.nl", "GM0664", "viewer", "Cas Goes")

# -- Anonymous: the form is behind the login.
r = m.get("/contactpersonen/aanmelden")
t.eq((r.status, (r.header("Location") or "").split("?")[0]),
     (303, "/inloggen"), "the form without a session: to the login form")
r = m.request("POST", "/contactpersonen/aanmelden", headers={
    "Content-Type": FORM, "Origin": ORIGIN}, body="soort=gemeente")
t.eq(r.status, 401, "an offer without a session: 401")

tok = csrf_of(ann)
t.ok(tok is not None, "the form has a CSRF token")
page = m.get("/contactpersonen/aanmelden", headers={"Cookie": ann}
             ).body.decode()
t.ok('<label for="naam">' in page and '<label for="hulp">' in page and
     'name="openbaar"' in page and p_rheden in page and p_goes not in page,
     "the form: labelled fields, the own municipality's pilots only")

BASE = {"csrf": tok, "soort": "gemeente", "domein": "", "pilot": "",
        "naam": "Ann de Vries", "functie": "Data-analist",
        "email": "ann@rheden.example.nl",
        "hulp": "Dashboards bouwen.\nWijkdata koppelen.\n"}

# -- Offers: the municipality (members only), a domain (public), a pilot.
r = post("/contactpersonen/aanmelden", dict(BASE, csrf="fout"), ann)
t.eq((r.status, len(rows())), (403, 0), "a wrong CSRF token: 403, nothing")
r = post("/contactpersonen/aanmelden", BASE, ann)
t.eq((r.status, r.header("Location")), (303, "/contactpersonen/aanmelden"
     "?klaar=aangemeld"), "an offer for the municipality: 303")
stored = m.sql("SELECT soort, hulp, openbaar, gemeente FROM contactpersonen")
t.eq(stored, [("gemeente", "Dashboards bouwen.\nWijkdata koppelen.\n", 0,
               "GM0275")], "stored with LF line ends, members only, the "
     "user's own municipality")
r = post("/contactpersonen/aanmelden", dict(BASE, soort="domein",
         domein="jeugd", openbaar="1", naam="Ann de Vries (jeugd)"), ann)
t.eq(r.status, 303, "an offer for a domain, public: 303")
r = post("/contactpersonen/aanmelden", dict(BASE, soort="pilot",
         pilot=p_rheden, naam="Ann (pilot)"), ann)
t.eq(r.status, 303, "an offer for a pilot of the municipality: 303")
r = post("/contactpersonen/aanmelden", dict(BASE, soort="gemeente",
         naam="Bob Jansen", email="bob@rheden.example.nl",
         gemeente="GM0664", csrf=csrf_of(bob)), bob)
t.eq(r.status, 303, "a viewer may offer too")
t.eq(m.sql("SELECT gemeente FROM contactpersonen WHERE naam = 'Bob "
           "Jansen'"), [("GM0275",)], "a form naming another municipality "
     "acts for the user's own")
t.eq(len(rows()), 4, "four entries")

# -- Bad input: a Dutch 400, nothing stored changed.
before = rows()
BAD = [
    ("naam with CR/LF", dict(BASE, soort="domein", domein="zorg-en-welzijn",
                             naam="Ann\r\nBcc: x@evil.nl"), "naam"),
    ("e-mail with CR/LF", dict(BASE, soort="domein", domein="zorg-en-welzijn",
                               email="ann@rheden.nl\r\nBcc: x@evil.nl"),
     "email"),
    ("e-mail malformed", dict(BASE, soort="domein", domein="zorg-en-welzijn",
                              email="geen adres"), "email"),
    ("functie with a control character", dict(
        BASE, soort="domein", domein="zorg-en-welzijn", functie="Ana\x07lyst"),
     "functie"),
    ("hulp over 1000 characters", dict(BASE, soort="domein", domein="zorg-en-welzijn",
                                       hulp="x" * 1001), "hulp"),
    ("an unknown domain", dict(BASE, soort="domein", domein="geen"),
     "domein"),
    ("an unknown kind", dict(BASE, soort="alles"), "soort"),
    ("a pilot of another municipality", dict(BASE, soort="pilot",
                                             pilot=p_goes), "pilot"),
    ("a pilot that does not exist", dict(
        BASE, soort="pilot", pilot="00000000-0000-0000-0000-000000000000"),
     "pilot"),
    ("the same offer twice", BASE, "soort"),
    ("no name", dict(BASE, soort="domein", domein="zorg-en-welzijn", naam=""), "naam"),
]
for desc, fields, field in BAD:
    r = post("/contactpersonen/aanmelden", fields, ann)
    body = r.body.decode()
    t.ok(r.status == 400 and "Dit moet anders" in body and
         ('href="#%s"' % field) in body, "%s: 400 naming %s" % (desc, field),
         "%d %s" % (r.status, body[:300]))
    t.ok('value="Ann' in body or desc == "no name",
         "%s: the form keeps what was typed" % desc)
t.eq(rows(), before, "the refused offers changed nothing")

# -- Where they are shown.
anon = m.get("/gemeenten/GM0275").body.decode()
t.ok("Ann de Vries (jeugd)" in anon and "Data-analist" in anon and
     "Bob Jansen" not in anon and "Ann (pilot)" not in anon,
     "the municipality page, anonymous: the public entry only")
t.ok("Dashboards bouwen." in anon and 'href="mailto:ann@rheden.example.nl"'
     in anon, "with what they help with and their address")
member = m.get("/gemeenten/GM0275", headers={"Cookie": cas}).body.decode()
t.ok("Bob Jansen" in member and "Ann (pilot)" in member and
     "Alleen zichtbaar voor ingelogde gebruikers" in member,
     "signed in (another municipality): every entry, marked members-only")

pp = m.get("/pilots/" + p_rheden).body.decode()
t.ok("Team Data" in pp and "Ann (pilot)" not in pp,
     "the pilot page, anonymous: the team text (its contact is members-only)")
pp = m.get("/pilots/" + p_rheden, headers={"Cookie": cas}).body.decode()
t.ok("Ann (pilot)" in pp and "Team Data" not in pp and
     'id="contactpersonen"' in pp, "signed in: the pilot's contact person "
     "instead of the team text")

lst = m.get("/contactpersonen?domein=jeugd").body.decode()
t.ok("Ann de Vries (jeugd)" in lst and "Bob Jansen" not in lst,
     "/contactpersonen?domein=jeugd: the domain's public entry")
lst = m.get("/contactpersonen?domein=jeugd", headers={"Cookie": cas}
            ).body.decode()
t.ok("Ann de Vries (jeugd)" in lst and "Ann (pilot)" in lst and
     "Bob Jansen" not in lst, "signed in: also the contact of a jeugd pilot, "
     "not the municipality-wide one")
r = m.get("/contactpersonen?domein=%3Cx%3E&gemeente=GM12")
t.ok(r.status == 400 and "is geen domein" in r.body.decode() and
     "is geen gemeentecode" in r.body.decode(),
     "bad filters: 400, each reason in Dutch")

# -- The API: scoped.
r = m.get("/api/v1/gemeenten/GM0275/contactpersonen")
j = r.json()
t.eq((r.status, j["totaal"], [c["naam"] for c in j["contactpersonen"]]),
     (200, 1, ["Ann de Vries (jeugd)"]), "API, anonymous: the public entry")
c = j["contactpersonen"][0]
t.ok(c["soort"] == "domein" and c["domein"] == "jeugd" and
     c["email"] == "ann@rheden.example.nl" and "userId" not in c and
     c["eigen"] is False, "its fields; no account id", c)
j = m.get("/api/v1/gemeenten/GM0275/contactpersonen", token=viewer).json()
t.eq(j["totaal"], 4, "API, a member: all four")
j = m.get("/api/v1/gemeenten/GM0275/contactpersonen?domein=zorg-en-welzijn",
          token=viewer).json()
t.eq(j["totaal"], 0, "?domein=zorg: none")
r = m.get("/api/v1/gemeenten/GM0275/contactpersonen?domein=onzin")
t.ok(r.status == 400 and r.header("Content-Type") ==
     "application/problem+json" and r.json()["invalidParams"][0]["name"] ==
     "domein", "API: a bad domain is 400 problem+json")
t.eq(m.get("/api/v1/gemeenten/GM9999/contactpersonen").status, 404,
     "API: an unknown municipality: 404")
t.eq(m.get("/api/v1/gemeenten/xx/contactpersonen").status, 404,
     "API: a malformed code: 404")
j = m.get("/api/v1/pilots/%s/contactpersonen" % p_rheden).json()
t.eq(j["totaal"], 0, "API, the pilot's, anonymous: none public")
j = m.get("/api/v1/pilots/%s/contactpersonen" % p_rheden, token=viewer
          ).json()
t.eq([c["naam"] for c in j["contactpersonen"]], ["Ann (pilot)"],
     "API, the pilot's, a member: its contact person")
t.eq(m.get("/api/v1/pilots/%s/contactpersonen" % p_rheden_leden).status,
     404, "API: a members-only pilot's, anonymous: 404")

# -- Withdraw: only one's own, at once.
ids = dict(m.sql("SELECT naam, id FROM contactpersonen"))
before = rows()
r = post("/contactpersonen/%d/intrekken" % ids["Bob Jansen"],
         {"csrf": csrf_of(ann)}, ann)
t.eq(r.status, 404, "withdrawing another's entry (same municipality): 404")
r = post("/contactpersonen/%d/intrekken" % ids["Bob Jansen"],
         {"csrf": csrf_of(cas)}, cas)
t.eq(r.status, 404, "withdrawing another municipality's user's: 404")
r = post("/contactpersonen/abc/intrekken", {"csrf": csrf_of(ann)}, ann)
t.eq(r.status, 404, "a malformed id: 404")
t.eq(rows(), before, "nothing withdrawn")
page = m.get("/contactpersonen/aanmelden", headers={"Cookie": ann}
             ).body.decode()
t.ok(page.count("Aanmelding intrekken") == 3, "the form lists the user's "
     "own three, each with a withdraw button")
r = post("/contactpersonen/%d/intrekken" % ids["Ann de Vries (jeugd)"],
         {"csrf": csrf_of(ann)}, ann)
t.eq((r.status, r.header("Location")), (303, "/contactpersonen/aanmelden"
     "?klaar=ingetrokken"), "withdrawing one's own: 303")
t.ok("Ann de Vries (jeugd)" not in m.get("/gemeenten/GM0275").body.decode(),
     "gone from the (cached) anonymous municipality page at once")
t.eq(m.get("/api/v1/gemeenten/GM0275/contactpersonen").json()["totaal"], 0,
     "and from the API")

# -- The account disabled or deleted: its entries go.
bob_id = m.sql("SELECT id FROM users WHERE email = 'bob@rheden.example.nl'")
m.sql("UPDATE users SET disabled = 1 WHERE id = ?", (bob_id[0][0],))
t.eq(m.sql("SELECT count(*) FROM contactpersonen WHERE naam = 'Bob "
           "Jansen'"), [(0,)], "a disabled account's entries are removed")
ann_id = m.sql("SELECT id FROM users WHERE email = 'ann@rheden.example.nl'")
# As meentd's connections do (db.c): with foreign keys enforced.
db = sqlite3.connect(os.path.join(m.data, "meent.db"), timeout=15)
db.execute("PRAGMA foreign_keys = ON")
db.execute("DELETE FROM users WHERE id = ?", (ann_id[0][0],))
db.commit()
db.close()
t.eq(rows(), [], "a deleted account's entries are removed")
t.ok("Ann (pilot)" not in m.get("/pilots/" + p_rheden, headers={
    "Cookie": cas}).body.decode(), "and no longer on the pilot page")

log = m.log()
t.ok("ann@rheden.example.nl" not in log, "no address in the log")
finish(t, m)
