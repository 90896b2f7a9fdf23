# SPDX-License-Identifier: EUPL-1.2
"""Notifications (issue 16, items 5 and 6) against a real SMTP server on
loopback (aiosmtpd): preferences through the real form (CSRF); a filter
saved from the /pilots list; a published pilot matching it gives one direct
mail (text and HTML, List-Unsubscribe and List-Unsubscribe-Post), and a
second write of it none; a proposal reaches the maintainers by default; the
weekly digest gathers a week's events, once; one-click unsubscribe by POST
without cookies, a GET changes nothing, forged, malformed and expired
tokens get a Dutch 404; CR/LF in a title injects no header; deleting an
account removes the address from the database file."""
import email
import email.policy
import logging
import os
import re
import sqlite3
import sys
import time
import urllib.parse

try:
    import aiosmtpd  # noqa: F401
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
from aiosmtpd.controller import Controller

from harness import CONTENT, Instance, Tap, finish, free_port

logging.getLogger("mail.log").setLevel(logging.CRITICAL)
import warnings  # noqa: E402
warnings.simplefilter("ignore")

t = Tap()
FORM = "application/x-www-form-urlencoded"
PASSWORD = "een lang wachtwoord"
RHEDEN, GOES = "GM0275", "GM0664"
LEZER = "lezer@rheden.example.nl"
ANALIST = "analist@rheden.example.nl"
BEHEER = "beheer@goes.example.nl"


class Handler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 OK"


handler = Handler()
smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
smtp.start()
m = Instance(settings={
    "smtp_url": "smtp://127.0.0.1:%d" % smtp.port,
    "smtp_from": "noreply@meent.test", "login_per_minute": 1000,
}).start(extra=["--seed", CONTENT])
ORIGIN = "http://127.0.0.1:%d" % m.port


def wait(cond, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    return cond()


def to(addr):
    return [email.message_from_bytes(raw, policy=email.policy.default)
            for rcpts, raw in handler.messages if addr in rcpts]


def login(addr, gemeente, role):
    m.ctl("user", "add", addr, "--gemeente", gemeente, "--role", role,
          input=PASSWORD + "\n", check=True)
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": ORIGIN}, body=urllib.parse.urlencode(
            {"email": addr, "wachtwoord": PASSWORD}))
    cookie = (r.header("Set-Cookie") or "").split(";")[0]
    page = m.get("/", headers={"Cookie": cookie}).body.decode()
    return cookie, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def post(path, fields, cookie=None, origin=ORIGIN):
    h = {"Content-Type": FORM, "Accept": "text/html"}
    if cookie:
        h["Cookie"] = cookie
    if origin:
        h["Origin"] = origin
    return m.request("POST", path, headers=h,
                     body=urllib.parse.urlencode(fields))


def page(path, cookie=None):
    h = {"Accept": "text/html"}
    if cookie:
        h["Cookie"] = cookie
    return m.get(path, headers=h)


def prefs(addr):
    return dict(m.sql("SELECT p.kind, p.mode FROM notify_prefs p JOIN users u"
                      " ON u.id = p.user_id WHERE u.email = ?", (addr,)))


def dispatched():
    return m.sql("SELECT count(*) FROM notify_events WHERE dispatched = 0"
                 )[0][0] == 0


def settled():
    """Every event dispatched and every message out of the outbox."""
    return dispatched() and m.sql(
        "SELECT count(*) FROM mail_outbox WHERE state IN ('queued',"
        " 'sending')")[0][0] == 0


def parts(msg):
    return {p.get_content_type(): p.get_content() for p in msg.walk()
            if not p.is_multipart()}


goes = m.token(GOES, "editor")
lezer, lezer_csrf = login(LEZER, RHEDEN, "viewer")

# -- The preferences page and its form.
r = page("/mijn/meldingen")
t.ok(r.status in (302, 303) and "/inloggen" in (r.header("Location") or ""),
     "signed out: to the login page", r.status)
r = page("/mijn/meldingen", lezer)
html = r.body.decode()
t.ok(r.status == 200 and "<h1>Mijn meldingen</h1>" in html and
     'name="csrf" value="%s"' % lezer_csrf in html, "the page, with the "
     "CSRF field", r.status)
t.ok('id="pilots-niet" name="pilots" value="niet" checked' in html and
     'id="voorstellen-direct" name="voorstellen" value="direct" checked'
     in html, "defaults: pilots niet, proposals direct")
t.ok('name="toegang"' not in html, "access requests: only for admins")
r = post("/mijn/meldingen", {"pilots": "direct"}, lezer)
t.eq(r.status, 403, "without the CSRF token: 403")
r = post("/mijn/meldingen", {"csrf": lezer_csrf, "pilots": "direct"}, lezer,
         origin="http://elders.example")
t.eq(r.status, 403, "from another origin: 403")
r = post("/mijn/meldingen", {"csrf": lezer_csrf, "pilots": "vaak"}, lezer)
t.ok(r.status == 400 and "niet, direct of wekelijks" in r.body.decode(),
     "an unknown mode: 400 in Dutch", r.status)
r = post("/mijn/meldingen", {"csrf": lezer_csrf, "toegang": "direct"}, lezer)
t.eq(r.status, 400, "a kind the user does not get: 400")
t.eq(prefs(LEZER), {}, "nothing stored by refused forms")
r = post("/mijn/meldingen", {"csrf": lezer_csrf, "pilots": "direct",
                             "reacties": "direct"}, lezer)
t.ok(r.status == 200 and "Uw keuzes zijn opgeslagen." in r.body.decode(),
     "saved", r.status)
t.eq(prefs(LEZER), {"pilots": "direct", "reacties": "direct"},
     "stored per kind")

# -- A filter saved from the /pilots list.
r = page("/pilots?domein=werk-en-inkomen&provincie=zeeland", lezer)
html = r.body.decode()
f = re.search(r'<form method="post" action="/mijn/meldingen/filters" '
              r'class="notify-save">(.*?)</form>', html, re.S)
t.ok(f is not None and "Stuur mij nieuwe pilots zoals deze" in f.group(1),
     "the list has the button", html[-2000:])
fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', f.group(1))) \
    if f else {}
t.eq(fields, {"csrf": lezer_csrf, "domein": "werk-en-inkomen",
              "provincie": "Zeeland"}, "with the list's filters")
t.ok("Stuur mij nieuwe pilots" not in page("/pilots?domein=werk-en-inkomen"
                                            ).body.decode(),
     "not for someone signed out")
r = post("/mijn/meldingen/filters", fields, lezer)
t.ok(r.status == 200 and "Het filter is bewaard" in r.body.decode() and
     "domein Werk en inkomen, provincie Zeeland" in r.body.decode(),
     "saved, and shown in words", r.status)
post("/mijn/meldingen/filters", fields, lezer)
t.eq(m.sql("SELECT domein, provincie, grootteklasse FROM notify_filters"),
     [("werk-en-inkomen", "Zeeland", None)], "once, however often saved")
for bad, why in (({"domein": "toverij"}, "Dit domein bestaat niet"),
                 ({"provincie": "Atlantis"}, "Deze provincie bestaat niet"),
                 ({"grootteklasse": "9"}, "aantal inwoners"),
                 ({"grootteklasse": "1x"}, "aantal inwoners")):
    r = post("/mijn/meldingen/filters", dict(bad, csrf=lezer_csrf), lezer)
    t.ok(r.status == 400 and why in r.body.decode(), "a bad filter %r: 400"
         % bad, r.status)
r = post("/mijn/meldingen/filters", {"domein": "werk-en-inkomen"}, lezer)
t.eq(r.status, 403, "a filter without the CSRF token: 403")
t.eq(m.sql("SELECT count(*) FROM notify_filters")[0][0], 1,
     "no bad filter stored")
r = post("/mijn/meldingen/filters/99999/verwijderen", {"csrf": lezer_csrf},
         lezer)
t.eq(r.status, 404, "removing a filter that does not exist: 404")

# -- A matching pilot: one direct mail.
PILOT = {"titel": "Armoede in beeld", "samenvatting": "Wie mist toeslagen?",
         "domein": "werk-en-inkomen", "status": "lopend",
         "start": "2025-01-06", "vraag": "Wie mist wat?",
         "aanvrager": "college", "stakeholders": ["college"], "tags": [],
         "contact": "Team Data", "zichtbaarheid": "openbaar",
         "aanpak": "a", "data": "b", "resultaten": "c", "lessen": "d",
         "privacy": "e"}
r = m.request("POST", "/api/v1/pilots", body=PILOT, token=goes)
t.eq(r.status, 201, "Goes (Zeeland) publishes a werk-en-inkomen pilot")
pid = r.json()["id"]
etag = r.header("ETag")
other = m.request("POST", "/api/v1/pilots", token=goes,
                  body=dict(PILOT, titel="Sport", domein="mobiliteit"))
concept = m.request("POST", "/api/v1/pilots", token=goes,
                    body=dict(PILOT, titel="Nog geheim",
                              zichtbaarheid="concept"))
t.ok(wait(lambda: to(LEZER)), "a mail arrives")
t.ok(wait(settled), "everything dispatched and sent")
mails = to(LEZER)
t.eq(len(mails), 1, "one mail: the other domain and the concept match not")
msg = mails[0]
t.eq(msg["Subject"], "Nieuwe pilot: Armoede in beeld", "a Dutch subject")
unsub = msg["List-Unsubscribe"] or ""
g = re.fullmatch(r"<%s/afmelden/([A-Za-z0-9_-]{43})>" % re.escape(ORIGIN),
                 unsub)
t.ok(g is not None, "List-Unsubscribe: <…/afmelden/{token}>", unsub)
t.eq(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click",
     "List-Unsubscribe-Post (RFC 8058)")
body = parts(msg)
t.ok("text/plain" in body and "text/html" in body, "text and HTML parts",
     list(body))
t.ok("%s/pilots/%s" % (ORIGIN, pid) in body.get("text/plain", "") and
     'href="%s/pilots/%s"' % (ORIGIN, pid) in body.get("text/html", ""),
     "both link to the pilot")
t.ok("/mijn/meldingen" in body.get("text/plain", "") and "Afmelden" in
     body.get("text/html", ""), "and say how to change or stop")
token = g.group(1) if g else "x"
t.ok(token not in str(m.sql("SELECT hex(digest), kind FROM notify_tokens")),
     "the token is stored hashed")

# A second write of the same pilot is no second event.
r = m.request("PATCH", "/api/v1/pilots/" + pid, token=goes,
              body={"status": "afgerond", "einde": "2025-06-30"},
              headers={"If-Match": etag,
                       "Content-Type": "application/merge-patch+json"})
t.eq(r.status, 200, "the pilot changes")
# The concept, published now: a new event, but another domain... same one.
cid = concept.json()["id"]
r = m.request("PATCH", "/api/v1/pilots/" + cid, token=goes,
              body={"zichtbaarheid": "openbaar"},
              headers={"If-Match": concept.header("ETag"),
                       "Content-Type": "application/merge-patch+json"})
t.eq(r.status, 200, "the concept is published")
t.ok(wait(lambda: len(to(LEZER)) >= 2), "the concept, once public, arrives")
t.ok(wait(settled), "settled")
subjects = sorted(x["Subject"] for x in to(LEZER))
t.eq(subjects, ["Nieuwe pilot: Armoede in beeld", "Nieuwe pilot: Nog geheim"],
     "no duplicate for the changed pilot")

# -- Header injection: CR/LF in a title (as a peer or a module might send).
m.sql("INSERT INTO notify_events (kind, ref, gemeente, titel, pad, created)"
      " VALUES ('reacties', 'r-1', ?, ?, '/pilots/x', unixepoch())",
      (RHEDEN, "Hallo\r\nBcc: boef@elders.example\r\nX-Nep: ja"))
t.ok(wait(lambda: len(to(LEZER)) >= 3), "the reaction's mail arrives")
t.ok(wait(settled), "settled")
msg = [x for x in to(LEZER) if "Hallo" in x["Subject"]]
t.ok(len(msg) == 1 and msg[0]["Bcc"] is None and msg[0]["X-Nep"] is None
     and "\n" not in msg[0]["Subject"], "no header injected", msg and
     str(msg[0])[:600])
t.ok(all(rc == [LEZER] for rc, raw in handler.messages if b"Hallo" in raw),
     "and to no one else")

# -- Proposals reach the maintainers by default.
beheer, beheer_csrf = login(BEHEER, GOES, "viewer")
fid = m.sql("SELECT id FROM notify_filters")[0][0]
r = post("/mijn/meldingen/filters/%d/verwijderen" % fid,
         {"csrf": beheer_csrf}, beheer)
t.eq(r.status, 404, "another user's filter: 404")
t.eq(m.sql("SELECT count(*) FROM notify_filters")[0][0], 1, "and it stays")
r = m.request("POST", "/api/v1/richtlijnen", token=goes, body={
    "slug": "meldingen-test", "titel": "Meldingen testen",
    "tekst": "# Meldingen\n\nTekst.\n", "bericht": "Eerste versie"})
t.eq(r.status, 201, "Goes makes a guideline (and maintains it)")
rheden = m.token(RHEDEN, "editor")
r = m.request("POST", "/api/v1/richtlijnen/meldingen-test/voorstellen",
              token=rheden, body={"basis": 1, "tekst": "# Meldingen\n\nBeter."
                                  "\n", "bericht": "Beter"})
t.eq(r.status, 201, "Rheden proposes a change")
t.ok(wait(lambda: to(BEHEER)), "the maintainer's user gets a mail")
t.ok(wait(settled), "settled")
t.eq([x["Subject"] for x in to(BEHEER)],
     ["Voorstel voor uw richtlijn: Meldingen testen"], "about the proposal")
t.eq(len(to(LEZER)), 3, "not the Rheden user (not a maintainer)")

# -- The weekly digest.
analist, analist_csrf = login(ANALIST, RHEDEN, "editor")
older = m.sql("SELECT max(id) FROM notify_events")[0][0]
r = post("/mijn/meldingen", {"csrf": analist_csrf, "revisies": "wekelijks",
                             "pilots": "wekelijks"}, analist)
t.eq(r.status, 200, "the analist chooses weekly")
r = post("/mijn/meldingen/filters", {"csrf": analist_csrf}, analist)
t.ok(r.status == 200 and "alle nieuwe pilots" in r.body.decode(),
     "a filter for every pilot")
r = m.request("POST", "/api/v1/richtlijnen/meldingen-test/adopties",
              token=rheden)
t.ok(r.status in (200, 201), "Rheden follows the guideline", r.status)
r = m.request("POST", "/api/v1/richtlijnen/meldingen-test/versies",
              token=goes, body={"basis": 1, "tekst": "# Meldingen\n\nV2.\n",
                                "bericht": "Versie 2"})
t.eq(r.status, 201, "Goes writes revision 2")
r = m.request("POST", "/api/v1/pilots", token=goes,
              body=dict(PILOT, titel="Week-pilot", domein="mobiliteit"))
t.eq(r.status, 201, "and a pilot")
t.ok(wait(settled), "dispatched: nothing direct for the weekly kinds")
t.eq(to(ANALIST), [], "no direct mail for the analist")
p = m.ctl("notify", "digest", "--base-url", ORIGIN)
t.ok(p.returncode == 0 and "0 digest(s) queued" in p.stdout,
     "the week is not over: no digest yet", p.stdout + p.stderr)
m.sql("UPDATE notify_prefs SET since = since - 8 * 86400 WHERE user_id ="
      " (SELECT id FROM users WHERE email = ?)", (ANALIST,))
# What happened before the choice stays before it (a week earlier).
m.sql("UPDATE notify_events SET created = created - 30 * 86400 WHERE id <= ?",
      (older,))
p = m.ctl("notify", "digest", "--base-url", ORIGIN)
t.ok(p.returncode == 0 and "1 digest(s) queued" in p.stdout,
     "a week later: one digest", p.stdout + p.stderr)
t.ok(wait(lambda: to(ANALIST)), "it arrives")
msg = to(ANALIST)[0]
t.ok(msg["Subject"].startswith("Uw overzicht van de week bij"),
     "a Dutch subject", msg["Subject"])
body = parts(msg)
text = body.get("text/plain", "")
t.ok("Week-pilot" in text and "Meldingen testen" in text and
     "Nieuwe versies van richtlijnen" in text,
     "the week's pilot and the revision", text)
t.ok("Armoede in beeld" not in text and "Afval ophalen" not in text,
     "nothing from before the choice", text)
t.ok("/richtlijnen/meldingen-test/versies/2" in body.get("text/html", ""),
     "with links in the HTML")
t.ok(re.fullmatch(r"<%s/afmelden/[A-Za-z0-9_-]{43}>" % re.escape(ORIGIN),
                  msg["List-Unsubscribe"] or "") and
     msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click",
     "one-click unsubscribe on the digest too")
p = m.ctl("notify", "digest", "--force", "--base-url", ORIGIN)
t.ok("0 digest(s) queued" in p.stdout, "run again: nothing new, no mail",
     p.stdout)
digest_token = re.search(r"/afmelden/([A-Za-z0-9_-]{43})",
                         msg["List-Unsubscribe"]).group(1)

# -- Unsubscribing.
before = prefs(LEZER)
r = m.get("/afmelden/" + token)
html = r.body.decode()
t.ok(r.status == 200 and "Ja, meld mij af" in html and
     'action="/afmelden/%s"' % token in html and
     "Nieuwe pilots die passen bij uw filters" in html,
     "GET shows a page with a button", r.status)
t.eq(r.header("Referrer-Policy"), "no-referrer", "no Referer from it")
t.eq(prefs(LEZER), before, "GET changes nothing")
r = m.request("POST", "/afmelden/" + token, body="List-Unsubscribe=One-Click",
              headers={"Content-Type": FORM})
t.ok(r.status == 200 and "U bent afgemeld" in r.body.decode(),
     "one-click POST, no cookie, no Origin, no CSRF: unsubscribed", r.status)
t.eq(prefs(LEZER).get("pilots"), "niet", "pilots: niet")
t.eq(prefs(LEZER).get("reacties"), "direct", "the other kinds stay")
r = m.request("POST", "/afmelden/" + token, body="x",
              headers={"Content-Type": "multipart/form-data; boundary=x"})
t.eq(r.status, 200, "again, whatever the body: still 200")
r = m.request("POST", "/afmelden/" + digest_token,
              body="List-Unsubscribe=One-Click",
              headers={"Content-Type": FORM})
t.eq(r.status, 200, "the digest's one click")
t.eq(prefs(ANALIST), {"revisies": "niet", "pilots": "niet"},
     "every weekly kind stopped")
forged = "A" * 43
for tok, what in ((forged, "forged"), ("kort", "malformed"),
                  ("%2e%2e", "dots")):
    for method in ("GET", "POST"):
        r = m.request(method, "/afmelden/" + tok, headers={
            "Accept": "text/html", "Content-Type": FORM}, body="")
        t.ok(r.status == 404 and "Deze link werkt niet" in r.body.decode(),
             "%s token, %s: a Dutch 404" % (what, method), r.status)
m.sql("UPDATE notify_tokens SET expires = 1")
r = m.request("POST", "/afmelden/" + token, body="", headers={
    "Content-Type": FORM, "Accept": "text/html"})
t.ok(r.status == 404 and "verlopen" in r.body.decode(),
     "an expired token: 404", r.status)

# -- A reaction on a pilot of Rheden reaches who chose "reacties: direct".
r = m.request("POST", "/api/v1/pilots", token=m.token(RHEDEN, "editor"),
              body=dict(PILOT, titel="Een pilot van Rheden"))
t.eq(r.status, 201, "Rheden publishes a pilot")
rpid = r.json()["id"]
before = len(to(LEZER))
r = post("/pilots/%s/reacties" % rpid, {"csrf": analist_csrf,
                                        "soort": "vraag",
                                        "tekst": "Hoe ging het?"}, analist)
t.eq(r.status, 303, "a question on it")
got = wait(lambda: [x for x in to(LEZER)[before:]
                    if "Een pilot van Rheden" in x.get_body(
                        ("plain",)).get_content()])
t.ok(got and got[0]["List-Unsubscribe"],
     "the reader of Rheden who chose reactions gets a mail, with "
     "List-Unsubscribe", [x["Subject"] for x in to(LEZER)[before:]])

# -- Deleting an account removes the address.
m.sql("INSERT INTO mail_outbox (recipient, subject, text_body, html_body,"
      " next_attempt, created) VALUES (?, 'x', 'x', 'x', ?, ?)",
      (LEZER.upper(), 2 ** 40, 1))
p = m.ctl("user", "delete", LEZER)
t.ok(p.returncode == 0 and "deleted" in p.stdout, "meentctl user delete",
     p.stderr)
p = m.ctl("user", "delete", LEZER)
t.ok(p.returncode == 1 and "no user" in p.stderr, "a second time: no user")
t.eq(page("/mijn/meldingen", lezer).status, 303, "the session ended")
t.eq(m.sql("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id"
           " WHERE u.disabled = 1")[0][0], 0, "no sessions left")
t.eq(m.sql("SELECT count(*) FROM notify_prefs p JOIN users u ON u.id ="
           " p.user_id WHERE u.disabled = 1")[0][0], 0, "no choices left")
t.eq(m.sql("SELECT count(*) FROM mail_outbox WHERE recipient = ? COLLATE"
           " NOCASE", (LEZER,))[0][0], 0, "no messages to them, of any state")
t.eq(m.sql("SELECT count(*) FROM pilots WHERE id = ?", (pid,))[0][0], 1,
     "content stays")
t.eq(m.stop(), 0, "meentd stops")
path = os.path.join(m.data, "meent.db")
db = sqlite3.connect(path)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
raw = b"".join(open(path + s, "rb").read() for s in ("", "-wal")
               if os.path.exists(path + s)).lower()
t.ok(LEZER.encode() not in raw, "after a checkpoint: the address is not in "
     "the database file (secure_delete)")
db = sqlite3.connect(path)
db.execute("VACUUM")
db.close()
raw = open(path, "rb").read().lower()
t.ok(LEZER.encode() not in raw and ANALIST.encode() in raw,
     "after VACUUM neither; another user's address is still there")
smtp.stop()
finish(t, m)
