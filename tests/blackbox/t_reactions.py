# SPDX-License-Identifier: EUPL-1.2
"""Questions and reactions on pilots, through the real forms (CRLF
textareas stored as LF) and the API: Markdown rendered safely; visible as
the pilot is (a reaction on a members-only pilot stays members-only; the
author's name only for members); the pilot's contact persons get an e-mail
through the outbox, read from a real SMTP server (aiosmtpd), and the
author of a question gets the answer; the pilot's municipality hides a
reaction (kept, with who and why), another's editor cannot; a pilot linked
as a follow-up (navolging) shows on both pages. Bad input: over the size
cap, a concept or an invisible pilot (404), a parent on another pilot,
CR/LF in a name (no header injection), each with nothing stored changed."""
import email
import email.policy
import json
import logging
import re
import sys
import time
import urllib.parse
import warnings

try:
    import aiosmtpd  # noqa: F401
except ImportError:
    # A Python of its own (pyenv) does not see Debian's python3-aiosmtpd.
    sys.path.append("/usr/lib/python3/dist-packages")
from aiosmtpd.controller import Controller

from harness import Instance, Tap, finish, free_port

logging.getLogger("mail.log").setLevel(logging.CRITICAL)
warnings.simplefilter("ignore")

t = Tap()


class Handler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 OK"


handler = Handler()
smtp_port = free_port()
smtp = Controller(handler, hostname="127.0.0.1", port=smtp_port)
smtp.start()

m = Instance(settings={"smtp_url": "smtp://127.0.0.1:%d" % smtp_port,
                       "smtp_from": "noreply@meent.test",
                       "smtp_retry_min": "1", "smtp_timeout": "10"}).start()
FORM = "application/x-www-form-urlencoded"
ORIGIN = "http://127.0.0.1:%d" % m.port
PASSWORD = "een lang wachtwoord"


def wait(cond, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    return cond()


def login(email_, gemeente, role="editor", naam="Ann de Vries"):
    m.ctl("user", "add", email_, "--gemeente", gemeente, "--role", role,
          "--naam", naam, input=PASSWORD + "\n", check=True)
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": ORIGIN}, body=urllib.parse.urlencode(
            {"email": email_, "wachtwoord": PASSWORD}))
    cookie = (r.header("Set-Cookie") or "").split(";")[0]
    page = m.get("/contactpersonen/aanmelden",
                 headers={"Cookie": cookie}).body.decode()
    return cookie, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def browser_body(fields):
    """As a browser sends a form: textarea line ends as CRLF."""
    return urllib.parse.urlencode([
        (k, str(v).replace("\r\n", "\n").replace("\n", "\r\n"))
        for k, v in fields.items()])


def post(path, fields, who):
    cookie, csrf = who
    return m.request("POST", path, headers={
        "Content-Type": FORM, "Origin": ORIGIN, "Cookie": cookie},
        body=browser_body(dict({"csrf": csrf}, **fields)))


def pilot(token, titel, zichtbaarheid="openbaar"):
    r = m.request("POST", "/api/v1/pilots", token=token, body={
        "titel": titel, "samenvatting": "Een test.", "domein": "jeugd",
        "status": "lopend", "vraag": "Werkt het?", "contact": "Team Data",
        "zichtbaarheid": zichtbaarheid, "aanpak": "Proberen."})
    if r.status != 201:
        raise RuntimeError(r.body)
    return r.json()["id"]


def reactions():
    return m.sql("SELECT id, soort, tekst, gemeente, zichtbaarheid, ouder, "
                 "verborgen, verborgen_door, verborgen_reden "
                 "FROM pilot_reacties ORDER BY id")


def stored():
    return (reactions(), m.sql("SELECT id FROM mail_outbox"),
            m.sql("SELECT * FROM pilot_navolgingen"))


ed_rheden = m.token("GM0275", "editor")
ed_goes = m.token("GM0664", "editor")
p_pub = pilot(ed_rheden, "Wijkteams met data")
p_leden = pilot(ed_rheden, "Alleen voor leden", "leden")
p_concept = pilot(ed_rheden, "Nog een concept", "concept")
p_goes = pilot(ed_goes, "Goes doet het ook")

ann = login("ann@rheden.example.nl", "GM0275")           # contact person
rheden_viewer = login("kijker@rheden.example.nl", "GM0275", "viewer",
                      "Kijker")
cas = login("cas@goes.example.nl", "GM0664", "viewer",
            "Cas\r\nBcc: evil@example.com")
goes_ed = login("redactie@goes.example.nl", "GM0664", "editor", "Redactie")

r = post("/contactpersonen/aanmelden", {
    "soort": "pilot", "pilot": p_pub, "naam": "Ann de Vries",
    "functie": "Data-analist", "email": "ann@rheden.example.nl",
    "hulp": "Alles over wijkteams."}, ann)
t.eq(r.status, 303, "Ann is the public pilot's contact person")

# -- A question, through the form.
TEXT = ("Hoe **deden** jullie dit?\n\n<script>alert(1)</script>\n"
        "[klik](javascript:alert(2))\n")
page = m.get("/pilots/" + p_pub, headers={"Cookie": cas[0]}).body.decode()
t.ok('action="/pilots/%s/reacties"' % p_pub in page and
     '<label for="tekst">' in page and 'value="ookhier"' in page,
     "the pilot page has the form, with its kinds")
anon_page = m.get("/pilots/" + p_pub).body.decode()
t.ok("Log in</a> om een vraag te stellen" in anon_page and
     'name="tekst"' not in anon_page, "anonymous: a login link, no form")
r = post("/pilots/%s/reacties" % p_pub, {"soort": "vraag", "tekst": TEXT},
         cas)
t.ok(r.status == 303 and re.match(r"/pilots/%s#reactie-\d+$" % p_pub,
     r.header("Location") or ""), "a question: 303 to it", r.body[:300])
rows = reactions()
t.eq(len(rows), 1, "stored")
qid = rows[0][0]
t.eq(rows[0][1:6], ("vraag", TEXT, "GM0664", "openbaar", None),
     "with LF line ends, the author's municipality, the pilot's visibility")
html = m.sql("SELECT html FROM pilot_reacties")[0][0]
t.ok("<strong>deden</strong>" in html and "<script>" not in html and
     "javascript:" not in html, "rendered safely", html)

anon_page = m.get("/pilots/" + p_pub).body.decode()
t.ok('id="reactie-%d"' % qid in anon_page and "<strong>deden</strong>" in
     anon_page and "Cas" not in anon_page and "Goes" in anon_page,
     "anonymous: the question with its municipality, not the author's name "
     "(and the cached page was refreshed)")
member_page = m.get("/pilots/" + p_pub, headers={"Cookie": ann[0]}
                    ).body.decode()
t.ok("Vraag van Cas" in member_page and "Beantwoorden" in member_page,
     "a member sees the author's name and can answer")

# -- The contact person's e-mail, from the real SMTP server.
t.ok(wait(lambda: handler.messages), "an e-mail arrives")
frm, rcpts, raw = handler.messages[0]
msg = email.message_from_bytes(raw, policy=email.policy.default)
t.eq(rcpts, ["ann@rheden.example.nl"], "to the contact person only")
t.eq(str(msg["Subject"]), "Nieuwe vraag bij de pilot Wijkteams met data",
     "a Dutch subject with the pilot's title")
t.ok(msg["Bcc"] is None and "evil@example.com" not in rcpts and
     "\nBcc:" not in raw.decode("utf-8", "replace").split("\r\n\r\n")[0],
     "CR/LF in the author's name injects no header")
text = msg.get_body(("plain",)).get_content()
t.ok("Hoe **deden** jullie dit?" in text and
     ("http://127.0.0.1:%d/pilots/%s#reactie-%d" % (m.port, p_pub, qid))
     in text, "the text has the question and the link", text)
hpart = msg.get_body(("html",)).get_content()
t.ok("<strong>deden</strong>" in hpart and "<script>" not in hpart,
     "the HTML part has the safe rendering")

# -- An answer: in the thread, referencing its parent; the asker is told.
r = post("/pilots/%s/reacties" % p_pub, {"ouder": str(qid),
         "tekst": "Met een\r\ndashboard."}, ann)
t.eq(r.status, 303, "Ann answers")
rows = reactions()
t.eq((rows[1][1], rows[1][2], rows[1][5]), ("antwoord", "Met een\n"
     "dashboard.", qid), "the answer is stored with its parent")
t.ok(wait(lambda: len(handler.messages) >= 2), "a second e-mail arrives")
t.eq(handler.messages[1][1], ["cas@goes.example.nl"],
     "the asker is told of the answer (not Ann, who wrote it)")
j = m.get("/api/v1/pilots/%s/reacties" % p_pub).json()
t.eq([(x["id"], x["soort"], x["ouder"], x["auteur"]) for x in j["reacties"]],
     [(qid, "vraag", None, None), (rows[1][0], "antwoord", qid, None)],
     "API, anonymous: the thread, no names")
j = m.get("/api/v1/pilots/%s/reacties" % p_pub, token=ed_goes).json()
t.eq(j["reacties"][1]["auteur"], "Ann de Vries", "API, a member: names")
t.ok(j["reacties"][0]["tekst"] == TEXT and "<strong>" in
     j["reacties"][0]["html"], "API: the Markdown and its HTML")

# -- Wij doen dit ook, on a members-only pilot: it stays members-only.
r = post("/pilots/%s/reacties" % p_leden, {"soort": "ookhier",
         "tekst": "Goes ook!"}, cas)
t.eq(r.status, 303, "a reaction on a members-only pilot")
t.eq(reactions()[-1][4], "leden", "stored members-only")
t.eq(m.get("/api/v1/pilots/%s/reacties" % p_leden).status, 404,
     "API, anonymous: the members-only pilot's reactions are 404")
j = m.get("/api/v1/pilots/%s/reacties" % p_leden, token=ed_goes).json()
t.eq([x["tekst"] for x in j["reacties"]], ["Goes ook!"], "a member sees it")
m.request("PATCH", "/api/v1/pilots/" + p_leden, token=ed_rheden,
          headers={"If-Match": m.get("/api/v1/pilots/" + p_leden,
                   token=ed_rheden).header("ETag")},
          body={"zichtbaarheid": "openbaar"})
t.eq(m.get("/api/v1/pilots/%s/reacties" % p_leden).json()["reacties"], [],
     "the pilot made public: the members-only reaction stays members-only")

# -- Bad input: a Dutch message, nothing stored changed.
before = stored()
r = post("/pilots/%s/reacties" % p_pub, {"soort": "vraag",
         "tekst": "x" * 4001}, cas)
t.ok(r.status == 400 and "4000" in r.body.decode(),
     "over 4000 characters: 400 saying the limit", r.body[:300])
r = post("/pilots/%s/reacties" % p_pub, {"soort": "vraag", "tekst": ""},
         cas)
t.eq(r.status, 400, "an empty text: 400")
r = post("/pilots/%s/reacties" % p_pub, {"soort": "alles", "tekst": "Hoi"},
         cas)
t.ok(r.status == 400 and "soort" in r.body.decode(), "an unknown kind: 400")
r = post("/pilots/%s/reacties" % p_goes, {"ouder": str(qid),
         "tekst": "Verkeerde draad"}, cas)
t.eq(r.status, 400, "a parent on another pilot: 400")
r = post("/pilots/%s/reacties" % p_pub, {"ouder": "abc", "tekst": "Hoi"},
         cas)
t.eq(r.status, 400, "a malformed parent: 400")
r = post("/pilots/%s/reacties" % p_concept, {"soort": "vraag",
         "tekst": "Mag dit?"}, cas)
t.eq(r.status, 404, "on another municipality's concept: 404")
r = post("/pilots/%s/reacties" % p_concept, {"soort": "vraag",
         "tekst": "Mag dit?"}, rheden_viewer)
t.ok(r.status == 404 and "niet gepubliceerd" in r.body.decode(),
     "on the own municipality's concept: 404 saying why")
r = post("/pilots/00000000-0000-0000-0000-000000000000/reacties",
         {"soort": "vraag", "tekst": "Hoi"}, cas)
t.eq(r.status, 404, "on a pilot that does not exist: 404")
r = post("/pilots/%s/reacties" % p_pub, {"soort": "vraag", "tekst": "Hoi",
         "csrf": "fout"}, cas)
t.eq(r.status, 403, "a wrong CSRF token: 403")
r = m.request("POST", "/pilots/%s/reacties" % p_pub, headers={
    "Content-Type": FORM, "Origin": ORIGIN}, body="soort=vraag&tekst=Hoi")
t.eq(r.status, 401, "anonymous: 401")
t.eq(stored(), before, "the refused reactions changed nothing")

# -- Hiding: the pilot's municipality only, with a reason.
before = stored()
r = post("/pilots/%s/reacties/%d/verbergen" % (p_pub, qid),
         {"reden": "Niet van u"}, goes_ed)
t.eq(r.status, 403, "an editor of another municipality: 403")
r = post("/pilots/%s/reacties/%d/verbergen" % (p_pub, qid),
         {"reden": "Niet van u"}, rheden_viewer)
t.eq(r.status, 403, "a viewer of the municipality: 403")
r = post("/pilots/%s/reacties/%d/verbergen" % (p_pub, qid), {"reden": ""},
         ann)
t.eq(r.status, 400, "no reason: 400")
r = post("/pilots/%s/reacties/%d/verbergen" % (p_pub, qid),
         {"reden": "a\r\nb"}, ann)
t.eq(r.status, 400, "a reason with CR/LF: 400")
r = post("/pilots/%s/reacties/%d/verbergen" % (p_goes, qid),
         {"reden": "Verkeerde pilot"}, goes_ed)
t.eq(r.status, 404, "a reaction under another pilot's path: 404")
r = post("/pilots/%s/reacties/99999/verbergen" % p_pub, {"reden": "Weg"},
         ann)
t.eq(r.status, 404, "a reaction that does not exist: 404")
t.eq(stored(), before, "nothing hidden")
page = m.get("/pilots/" + p_pub, headers={"Cookie": ann[0]}).body.decode()
t.ok("Verbergen</summary>" in page, "the municipality's editor sees the "
     "hide form")
page = m.get("/pilots/" + p_pub, headers={"Cookie": goes_ed[0]}).body.decode()
t.ok("Verbergen</summary>" not in page, "another municipality's does not")
r = post("/pilots/%s/reacties/%d/verbergen" % (p_pub, qid),
         {"reden": "Bevat een <persoonsnaam>"}, ann)
t.eq(r.status, 303, "the pilot's municipality hides it")
row = [x for x in reactions() if x[0] == qid][0]
ann_id = m.sql("SELECT id FROM users WHERE email = 'ann@rheden.example.nl'"
               )[0][0]
t.ok(row[2] == TEXT and row[6] is not None and row[7] == ann_id and
     row[8] == "Bevat een <persoonsnaam>", "kept, marked hidden, with who "
     "and why")
anon_page = m.get("/pilots/" + p_pub).body.decode()
t.ok("Verborgen door de gemeente: Bevat een &lt;persoonsnaam&gt;" in
     anon_page and "<strong>deden</strong>" not in anon_page and
     "Met een\ndashboard." in anon_page, "the page: hidden with the reason, "
     "the answer stays")
j = m.get("/api/v1/pilots/%s/reacties" % p_pub).json()
t.ok(j["reacties"][0]["verborgen"]["reden"] == "Bevat een <persoonsnaam>"
     and "tekst" not in j["reacties"][0], "API: hidden, without the text")

# -- Navolging: Goes links its pilot as a follow-up of Rheden's.
before = stored()
r = post("/pilots/%s/navolging" % p_goes, {"bron": "/pilots/" + p_concept},
         goes_ed)
t.eq(r.status, 404, "following a concept of another municipality: 404")
r = post("/pilots/%s/navolging" % p_goes, {"bron": p_goes}, goes_ed)
t.eq(r.status, 409, "following itself: 409")
r = post("/pilots/%s/navolging" % p_goes, {"bron": "geen pilot"}, goes_ed)
t.eq(r.status, 400, "not a pilot's address: 400")
r = post("/pilots/%s/navolging" % p_pub, {"bron": p_goes}, goes_ed)
t.eq(r.status, 403, "linking another municipality's pilot: 403")
t.eq(stored(), before, "nothing linked")
page = m.get("/pilots/" + p_goes, headers={"Cookie": goes_ed[0]}
             ).body.decode()
t.ok('<label for="bron">' in page, "the own pilot's page has the form")
r = post("/pilots/%s/navolging" % p_goes, {
    "bron": "http://127.0.0.1:%d/pilots/%s#reacties" % (m.port, p_pub)},
    goes_ed)
t.eq(r.status, 303, "following Rheden's pilot, by its address: 303")
page = m.get("/pilots/" + p_goes).body.decode()
t.ok("<dt>Navolging van</dt>" in page and
     ('href="/pilots/%s">Wijkteams met data' % p_pub) in page,
     "the follow-up's page names the pilot it follows")
page = m.get("/pilots/" + p_pub).body.decode()
t.ok("<dt>Nagevolgd door</dt>" in page and
     ('href="/pilots/%s">Goes doet het ook' % p_goes) in page,
     "the followed pilot's page names its follow-up")
j = m.get("/api/v1/pilots/%s/reacties" % p_pub).json()
t.eq([x["id"] for x in j["nagevolgdDoor"]], [p_goes], "API: nagevolgdDoor")
r = post("/pilots/%s/navolging" % p_goes, {"bron": p_pub}, goes_ed)
t.eq(r.status, 409, "linking twice: 409")
r = post("/pilots/%s/navolging" % p_goes, {"bron": p_pub,
         "actie": "verwijderen"}, goes_ed)
t.eq(r.status, 303, "the link removed")
t.ok("Nagevolgd door" not in m.get("/pilots/" + p_pub).body.decode(),
     "and gone from the page")

log = m.log()
t.ok("cas@goes.example.nl" not in log and "Hoe **deden**" not in log,
     "no address or text in the log")
finish(t, m, done=False)

# -- Federation: a public reaction made on B reaches the pilot's origin A
# (and its contact person's mailbox); the answer made on A comes back to B;
# hiding at the origin makes a tombstone; members-only ones stay home.
handler.messages.clear()
LOOP = {"federation_allow_http_loopback": "true"}
A = Instance(name="meent A", settings=dict(LOOP, **{
    "smtp_url": "smtp://127.0.0.1:%d" % smtp_port,
    "smtp_from": "noreply@meent.test", "smtp_retry_min": "1",
    "smtp_timeout": "10"}))
B = Instance(name="meent B", settings=LOOP)
for x in (A, B):
    x.port = free_port()
    x.start()
for sub, pub in ((A, B), (B, A)):
    sub.ctl("peer", "add", "http://127.0.0.1:%d" % pub.port, "--key",
            pub.get("/.well-known/meent").json()["publicKey"], "--interval",
            "1", check=True)
m = A
ORIGIN = "http://127.0.0.1:%d" % A.port
p_a = pilot(A.token("GM0275", "editor"), "Gedeelde pilot")
ann_a = login("ann@rheden.example.nl", "GM0275")
r = post("/contactpersonen/aanmelden", {
    "soort": "pilot", "pilot": p_a, "naam": "Ann de Vries",
    "functie": "Data-analist", "email": "ann@rheden.example.nl",
    "hulp": "Alles over de gedeelde pilot."}, ann_a)
t.eq(r.status, 303, "A: Ann is the contact person of A's pilot")
t.ok(wait(lambda: B.get("/api/v1/pilots/" + p_a).status == 200, 60),
     "B has A's pilot")

m = B
ORIGIN = "http://127.0.0.1:%d" % B.port
cas_b = login("cas@goes.example.nl", "GM0664", "viewer", "Cas Goes")
p_b_leden = pilot(B.token("GM0664", "editor"), "Alleen op B", "leden")
r = post("/pilots/%s/reacties" % p_a, {"soort": "ookhier",
         "tekst": "Goes doet dit *ook*."}, cas_b)
t.eq(r.status, 303, "B: a reaction on A's pilot")
r = post("/pilots/%s/reacties" % p_b_leden, {"soort": "vraag",
         "tekst": "Een vraag voor leden."}, cas_b)
t.eq(r.status, 303, "B: a reaction on B's members-only pilot")


def feed(inst):
    return [e for e in inst.get("/federation/v1/changes?after=0&limit=500"
                                ).json()["entries"] if e["kind"] == "reactie"]


entries = wait(lambda: feed(B), 20)
t.eq(len(entries or []), 1, "B's feed: one reactie entry (not the "
     "members-only one)")
body = json.loads(entries[0]["body"]) if entries else {}
t.eq(sorted(body), ["aangemaakt", "gemeente", "ouder", "pilot", "soort",
                    "tekst"], "its body: the schema's fields, no person")
t.ok("Cas" not in entries[0]["body"] and "cas@" not in entries[0]["body"],
     "no name or address in the feed")


def a_reactions():
    return A.get("/api/v1/pilots/%s/reacties" % p_a).json()["reacties"]


got = wait(lambda: a_reactions(), 60)
t.ok(got and got[0]["tekst"] == "Goes doet dit *ook*." and
     got[0]["gemeente"] == "GM0664" and got[0]["soort"] == "ookhier",
     "A, the pilot's origin, has the reaction", got)
t.ok(wait(lambda: [x for x in handler.messages
                   if x[1] == ["ann@rheden.example.nl"]], 40),
     "and A's contact person gets the e-mail")
t.eq(B.sql("SELECT count(*) FROM mail_outbox"), [(0,)],
     "B e-mails nobody: the pilot is not B's own")

# Ann answers on A: back on B, in the thread, and Cas is told there.
m = A
ORIGIN = "http://127.0.0.1:%d" % A.port
qid_a = got[0]["id"]
r = post("/pilots/%s/reacties" % p_a, {"ouder": str(qid_a),
         "tekst": "Fijn, bel me!"}, ann_a)
t.eq(r.status, 303, "A: Ann answers the federated reaction")


def b_answer():
    rs = B.get("/api/v1/pilots/%s/reacties" % p_a).json()["reacties"]
    return [x for x in rs if x["soort"] == "antwoord"]


ans = wait(b_answer, 60)
q_b = B.get("/api/v1/pilots/%s/reacties" % p_a).json()["reacties"][0]
t.ok(ans and ans[0]["ouder"] == q_b["id"] and ans[0]["tekst"] ==
     "Fijn, bel me!", "B shows the answer under the reaction it answers",
     (feed(A), B.sql("SELECT kind, item, reason FROM fed_quarantine")))
t.eq([r_[0] for r_ in B.sql("SELECT recipient FROM mail_outbox")],
     ["cas@goes.example.nl"], "B queues the answer's e-mail for Cas")

# Hidden at its origin: a tombstone; B hides its copy.
aid = [x for x in a_reactions() if x["soort"] == "antwoord"][0]["id"]
r = post("/pilots/%s/reacties/%d/verbergen" % (p_a, aid),
         {"reden": "Telefoonnummer"}, ann_a)
t.eq(r.status, 303, "A hides Ann's answer")
t.ok(wait(lambda: b_answer() and b_answer()[0]["verborgen"] is not None, 60),
     "B's copy is hidden after the tombstone")
t.ok(all(e["deleted"] and e["body"] == "{}" for e in feed(A)),
     "A's feed: the hidden answer is a tombstone with the body {}")
smtp.stop()
finish(t, A, B)
