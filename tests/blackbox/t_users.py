# SPDX-License-Identifier: EUPL-1.2
"""Accounts on the web, through the real forms, with the mail read from a
real SMTP server on loopback (aiosmtpd): an admin invites a colleague (a
one-time link that expires, stored as a digest) who sets a name and a
password and is signed in; the users page lists, changes roles, disables
(sessions end at once) and enables, cancels invitations, and keeps the last
admin; the own account page changes the name and the password (the current
one required, other sessions ended); a public form asks for access (the
same answer for every address, rate-limited, capped per municipality),
which the municipality's admins accept (an invitation) or refuse (a polite
mail); `meentctl user list|disable|enable|role`. Bad input gets a Dutch
message and changes nothing: expired, used, cancelled and forged links,
CR/LF and invisible characters in names, bad addresses, another
municipality, roles outside the set. An admin of another municipality gets
404 for every user, invitation and request that is not hers."""
import email
import email.policy
import logging
import re
import sys
import time
import urllib.parse

try:
    import aiosmtpd  # noqa: F401
except ImportError:
    # A Python of its own (pyenv) does not see Debian's python3-aiosmtpd.
    sys.path.append("/usr/lib/python3/dist-packages")
from aiosmtpd.controller import Controller

from harness import Instance, Tap, finish, free_port

logging.getLogger("mail.log").setLevel(logging.CRITICAL)

t = Tap()
FORM = "application/x-www-form-urlencoded"
PASSWORD = "een lang wachtwoord"
A, B = "GM0275", "GM0664"          # Rheden, Goes
ADMIN_A, ADMIN_B = "beheer@rheden.example.nl", "beheer@goes.example.nl"


class Handler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(
                                  envelope.original_content,
                                  policy=email.policy.default)))
        return "250 OK"


handler = Handler()
smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
smtp.start()
m = Instance(settings={
    "smtp_url": "smtp://127.0.0.1:%d" % smtp.port,
    "smtp_from": "noreply@meent.test", "smtp_retry_min": "1",
    "smtp_retry_max": "2", "login_per_minute": "1000"}).start()
ORIGIN = "http://127.0.0.1:%d" % m.port


def wait(cond, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    return cond()


def mails_to(addr):
    return [msg for rcpts, msg in handler.messages if addr in rcpts]


def wait_mail(addr, n=1):
    """The n-th message to addr, once it has arrived."""
    got = wait(lambda: len(mails_to(addr)) >= n and mails_to(addr))
    return got[n - 1] if got else None


def text_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def html_of(msg):
    return msg.get_body(preferencelist=("html",)).get_content()


def link_in(msg, path):
    g = re.search(r"http://127\.0\.0\.1:\d+(/%s/[A-Za-z0-9_-]{43})\n" %
                  path, text_of(msg))
    return g.group(1) if g else None


def post(path, fields, cookie=None):
    h = {"Content-Type": FORM, "Origin": ORIGIN}
    if cookie:
        h["Cookie"] = cookie
    return m.request("POST", path, body=urllib.parse.urlencode(fields),
                     headers=h)


def get(path, cookie=None):
    return m.get(path, headers={"Cookie": cookie} if cookie else {})


def login(addr, pw=PASSWORD):
    """A session cookie and its CSRF token, or (None, status)."""
    r = post("/inloggen", {"email": addr, "wachtwoord": pw})
    if r.status != 303:
        return None, r.status
    cookie = r.header("Set-Cookie").split(";")[0]
    page = get("/mijn/account", cookie).body.decode()
    return cookie, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def one(sql, params=()):
    rows = m.sql(sql, params)
    return rows[0][0] if rows else None


def snapshot():
    """The rows this feature keeps, to show that a refusal changed none."""
    return [m.sql("SELECT * FROM %s ORDER BY 1" % table) for table in
            ("users", "invitations", "access_requests", "sessions",
             "password_resets")] + [
        # The sender changes a message's state on its own: what was queued.
        m.sql("SELECT id, recipient, subject FROM mail_outbox ORDER BY id")]


def unchanged(desc, request):
    before = snapshot()
    r = request()
    t.ok(snapshot() == before, desc + ": nothing stored changed")
    return r


for addr, g in ((ADMIN_A, A), (ADMIN_B, B)):
    m.ctl("user", "add", addr, "--gemeente", g, "--role", "admin",
          "--naam", "Beheerder " + g, input=PASSWORD + "\n", check=True)
admin_a, csrf_a = login(ADMIN_A)
admin_b, csrf_b = login(ADMIN_B)
t.ok(admin_a and admin_b, "both admins signed in")

# --- The users page and an invitation ---------------------------------------
r = get("/mijn/gebruikers", admin_a)
page = r.body.decode()
t.ok(r.status == 200 and "Gebruikers van Rheden" in page and
     "beheer@rheden.example.nl" in page and "beheer@goes" not in page,
     "the users page lists the admin's own municipality only", page[:400])
t.ok(all('<option value="%s"' % v in page and ">%s</option>" % lab in page
         for v, lab in (("viewer", "lezer"), ("editor", "redacteur"),
                        ("admin", "beheerder"))),
     "roles offered by their Dutch names")
t.ok("nog nooit" not in page.split("beheer@rheden")[1][:400],
     "the admin's last login is shown")
t.ok('href="/mijn/gebruikers"' in get("/mijn", admin_a).body.decode(),
     "the overview links to the users page for an admin")

COLLEGA = "collega@rheden.example.nl"
r = post("/mijn/gebruikers/uitnodigen", {"csrf": csrf_a, "email": COLLEGA,
                                         "rol": "editor"}, admin_a)
t.eq((r.status, r.header("Location")),
     (303, "/mijn/gebruikers?melding=uitgenodigd"), "invited: back to the page")
page = get(r.header("Location"), admin_a).body.decode()
t.ok("De uitnodiging is verstuurd" in page and COLLEGA in page,
     "the page says so and lists the open invitation")
msg = wait_mail(COLLEGA)
t.ok(msg is not None, "the invitation arrives by SMTP")
t.eq(str(msg["Subject"]), "Uitnodiging voor meent test", "a Dutch subject")
link = link_in(msg, "uitnodiging")
t.ok(link and "7 dagen" in text_of(msg) and "Rheden" in text_of(msg) and
     "redacteur" in text_of(msg), "the text: link, municipality, role and "
     "how long it works", text_of(msg))
t.ok(('href="%s%s"' % (ORIGIN, link)) in html_of(msg) and
     'lang="nl"' in html_of(msg), "the HTML part has the link")
token = link.rsplit("/", 1)[1]
stored = m.sql("SELECT hex(digest), email, role, gemeente FROM invitations")
t.ok(len(stored) == 1 and token not in str(stored) and
     stored[0][1:] == (COLLEGA, "editor", A),
     "only the token's digest is stored, with address, role, municipality")

r = get(link)
page = r.body.decode()
t.ok(r.status == 200 and "Rheden" in page and "redacteur" in page and
     COLLEGA in page and 'autocomplete="new-password"' in page,
     "the link opens the form for a name and a password", page[:300])
t.eq(r.header("Referrer-Policy"), "no-referrer", "no Referer from the page")

for desc, fields, want in [
        ("a name with CR/LF", {"naam": "Anne\r\nBcc: x@y.nl",
                               "wachtwoord": PASSWORD,
                               "herhaling": PASSWORD}, "Vul uw naam in"),
        ("a name with a right-to-left override",
         {"naam": "Anne\u202egnp.exe", "wachtwoord": PASSWORD,
          "herhaling": PASSWORD}, "Vul uw naam in"),
        ("an empty name", {"naam": "", "wachtwoord": PASSWORD,
                           "herhaling": PASSWORD}, "Vul uw naam in"),
        ("a short password", {"naam": "Anne", "wachtwoord": "kort",
                              "herhaling": "kort"}, "10 tot 1024 tekens"),
        ("two different passwords", {"naam": "Anne", "wachtwoord": PASSWORD,
                                     "herhaling": PASSWORD + "x"},
         "niet hetzelfde")]:
    r = unchanged("invitation: " + desc, lambda: post(link, fields))
    t.ok(r.status == 400 and want in r.body.decode(),
         "invitation: %s: 400, in Dutch" % desc, r.body[:300])

r = post(link, {"naam": "Anne de Vries-Öztürk", "wachtwoord": PASSWORD,
                "herhaling": PASSWORD})
t.eq((r.status, r.header("Location")), (303, "/mijn"),
     "the account is made, on to the overview")
collega = r.header("Set-Cookie").split(";")[0]
t.eq(get("/mijn", collega).status, 200, "and signed in at once")
row = m.sql("SELECT id, naam, gemeente, role, disabled, (SELECT count(*) "
            "FROM user_logins l WHERE l.user_id = u.id) FROM users u "
            "WHERE email = ?", (COLLEGA,))
t.ok(len(row) == 1 and row[0][1:] == ("Anne de Vries-Öztürk", A, "editor",
                                      0, 1),
     "one account: name, municipality, role, enabled, last login", row)
collega_id = row[0][0]
t.eq(one("SELECT state FROM invitations"), "used", "the invitation is used")
t.ok(one("SELECT password_hash FROM users WHERE id = ?",
         (collega_id,)).startswith("$argon2id$"), "an Argon2id hash")

r = get(link)
t.ok(r.status == 410 and "al gebruikt" in r.body.decode(),
     "a used link: 410, says so")
r = unchanged("a used link posted again", lambda: post(link, {
    "naam": "Tweede", "wachtwoord": PASSWORD, "herhaling": PASSWORD}))
t.eq(r.status, 410, "a used link makes no second account")
forged = "/uitnodiging/" + "A" * 43
r = unchanged("a forged link", lambda: post(forged, {
    "naam": "X", "wachtwoord": PASSWORD, "herhaling": PASSWORD}))
t.ok(r.status == 404 and "klopt niet" in get(forged).body.decode(),
     "a forged link: 404, says so")
for bad in ("abc", "A" * 44, token[:-1] + "!", "%0d%0aX"):
    t.eq(get("/uitnodiging/" + bad).status, 404,
         "a malformed link: 404 (%s)" % bad[:10])

# Expired.
post("/mijn/gebruikers/uitnodigen", {"csrf": csrf_a, "email":
                                     "laat@rheden.example.nl",
                                     "rol": "viewer"}, admin_a)
late = link_in(wait_mail("laat@rheden.example.nl"), "uitnodiging")
m.sql("UPDATE invitations SET expires = ? WHERE email = ?",
      (int(time.time()) - 1, "laat@rheden.example.nl"))
r = get(late)
t.ok(r.status == 410 and "verlopen" in r.body.decode(),
     "an expired link: 410, says so")
r = unchanged("an expired link", lambda: post(late, {
    "naam": "Laat", "wachtwoord": PASSWORD, "herhaling": PASSWORD}))
t.eq(r.status, 410, "an expired link makes no account")

# Re-inviting replaces the open link; cancelling stops it.
post("/mijn/gebruikers/uitnodigen", {"csrf": csrf_a, "email":
                                     "weg@rheden.example.nl",
                                     "rol": "viewer"}, admin_a)
first = link_in(wait_mail("weg@rheden.example.nl"), "uitnodiging")
post("/mijn/gebruikers/uitnodigen", {"csrf": csrf_a, "email":
                                     "weg@rheden.example.nl",
                                     "rol": "editor"}, admin_a)
second = link_in(wait_mail("weg@rheden.example.nl", 2), "uitnodiging")
r = get(first)
t.ok(r.status == 410 and "ingetrokken" in r.body.decode(),
     "inviting again: the first link no longer works")
t.eq(get(second).status, 200, "the second does")
inv_id = one("SELECT id FROM invitations WHERE email = ? AND state = "
             "'open'", ("weg@rheden.example.nl",))
path = "/mijn/uitnodigingen/%d/intrekken" % inv_id
r = unchanged("B cancels A's invitation",
              lambda: post(path, {"csrf": csrf_b}, admin_b))
t.eq(r.status, 404, "an admin of another municipality: 404")
r = post(path, {"csrf": csrf_a}, admin_a)
t.eq((r.status, r.header("Location")),
     (303, "/mijn/gebruikers?melding=ingetrokken"), "cancelled")
t.ok(get(second).status == 410, "a cancelled link: 410")
t.eq(post(path, {"csrf": csrf_a}, admin_a).status, 404,
     "cancelling twice: 404")

# Bad invitations: nothing stored, a Dutch message each.
for desc, fields, status, want in [
        ("an address with an account", {"email": COLLEGA.upper(),
                                        "rol": "viewer"}, 409,
         "al een account"),
        ("an address with an account elsewhere", {"email": ADMIN_B,
                                                  "rol": "viewer"}, 409,
         "al een account"),
        ("another municipality", {"email": "x@goes.example.nl",
                                  "rol": "viewer", "gemeente": B}, 400,
         "eigen gemeente"),
        ("a role outside the set", {"email": "x@rheden.example.nl",
                                    "rol": "superuser"}, 400,
         "Kies een rol"),
        ("CR/LF in the address", {"email": "x@rheden.example.nl\r\nBcc: "
                                  "y@z.nl", "rol": "viewer"}, 400,
         "geen geldig e-mailadres"),
        ("a non-ASCII address", {"email": "jöran@rheden.example.nl",
                                 "rol": "viewer"}, 400,
         "geen geldig e-mailadres"),
        ("no address", {"rol": "viewer"}, 400, "geen geldig e-mailadres")]:
    fields["csrf"] = csrf_a
    r = unchanged("invite " + desc, lambda: post(
        "/mijn/gebruikers/uitnodigen", fields, admin_a))
    t.ok(r.status == status and want in r.body.decode(),
         "invite %s: %d, in Dutch" % (desc, status), r.body[:300])
r = post("/mijn/gebruikers/uitnodigen", {"csrf": csrf_b, "email":
                                         "x@rheden.example.nl",
                                         "rol": "viewer"}, admin_a)
t.eq(r.status, 403, "another session's CSRF token: 403")

# --- The users page: roles, disabling, the last admin ----------------------
page = get("/mijn/gebruikers", admin_a).body.decode()
t.ok("Anne de Vries-Öztürk" in page and "redacteur" in page and
     "actief" in page, "the list: name, address, role in Dutch, state")
role_path = "/mijn/gebruikers/%d/rol" % collega_id
for desc, who, fields, status in [
        ("B changes A's user's role", admin_b, {"csrf": csrf_b,
                                                "rol": "admin"}, 404),
        ("a role outside the set", admin_a, {"csrf": csrf_a,
                                             "rol": "root"}, 400),
        ("no role", admin_a, {"csrf": csrf_a}, 400)]:
    r = unchanged(desc, lambda: post(role_path, fields, who))
    t.eq(r.status, status, "%s: %d" % (desc, status))
for action in ("blokkeren", "deblokkeren"):
    r = unchanged("B %s A's user" % action, lambda: post(
        "/mijn/gebruikers/%d/%s" % (collega_id, action), {"csrf": csrf_b},
        admin_b))
    t.eq(r.status, 404, "B %s A's user: 404" % action)
t.eq(post("/mijn/gebruikers/999999/rol", {"csrf": csrf_a, "rol": "viewer"},
          admin_a).status, 404, "an unknown user: 404")
r = post(role_path, {"csrf": csrf_a, "rol": "viewer"}, admin_a)
t.eq((r.status, r.header("Location")), (303, "/mijn/gebruikers?melding=rol"),
     "role changed")
t.eq(one("SELECT role FROM users WHERE id = ?", (collega_id,)), "viewer",
     "stored as viewer")
t.ok(">lezer<" in get("/mijn/gebruikers", admin_a).body.decode() or
     "<dd>lezer</dd>" in get("/mijn/gebruikers", admin_a).body.decode(),
     "shown as lezer")

# Disabling ends sessions and reset links at once.
post("/wachtwoord-vergeten", {"email": COLLEGA})
t.eq(one("SELECT count(*) FROM password_resets WHERE user_id = ? AND "
         "used = 0", (collega_id,)), 1, "the colleague has a reset link")
r = post("/mijn/gebruikers/%d/blokkeren" % collega_id, {"csrf": csrf_a},
         admin_a)
t.eq(r.status, 303, "disabled")
t.eq(one("SELECT disabled FROM users WHERE id = ?", (collega_id,)), 1,
     "stored as disabled")
t.eq(one("SELECT count(*) FROM sessions WHERE user_id = ?", (collega_id,)),
     0, "its sessions ended")
t.eq(one("SELECT count(*) FROM password_resets WHERE user_id = ? AND "
         "used = 0", (collega_id,)), 0, "its reset links spent")
t.ok(get("/mijn", collega).status in (303, 401),
     "its cookie no longer works")
t.eq(login(COLLEGA)[1], 401, "it cannot sign in")
t.ok("geblokkeerd" in get("/mijn/gebruikers", admin_a).body.decode(),
     "the list says geblokkeerd")
r = post("/mijn/gebruikers/%d/deblokkeren" % collega_id, {"csrf": csrf_a},
         admin_a)
t.eq(r.status, 303, "enabled again")
collega, csrf_c = login(COLLEGA)
t.ok(collega is not None, "and it signs in again")

# The last admin of a municipality stays one.
admin_id = one("SELECT id FROM users WHERE email = ?", (ADMIN_A,))
for desc, path, fields in [
        ("demotes herself", "/mijn/gebruikers/%d/rol" % admin_id,
         {"csrf": csrf_a, "rol": "editor"}),
        ("disables herself", "/mijn/gebruikers/%d/blokkeren" % admin_id,
         {"csrf": csrf_a})]:
    r = unchanged("the last admin " + desc,
                  lambda: post(path, fields, admin_a))
    t.ok(r.status == 409 and "minstens één beheerder" in r.body.decode(),
         "the last admin %s: 409, in Dutch" % desc, r.body[:200])

# --- The own account ----------------------------------------------------------
r = get("/mijn/account", collega)
page = r.body.decode()
t.ok(r.status == 200 and COLLEGA in page and "Rheden" in page and
     'name="huidig"' in page, "the own account page", page[:300])
for bad in ("Anne\r\nBcc: x@y.nl", "Anne\u200b", " Anne", "x" * 101, ""):
    r = unchanged("own name %r" % bad[:12], lambda: post(
        "/mijn/account/naam", {"csrf": csrf_c, "naam": bad}, collega))
    t.ok(r.status == 400 and "Vul een naam in" in r.body.decode(),
         "own name %r: 400, in Dutch" % bad[:12])
r = post("/mijn/account/naam", {"csrf": csrf_c, "naam": "Anne Brûlé"},
         collega)
t.eq((r.status, r.header("Location")),
     (303, "/mijn/account?melding=naam"), "name saved")
t.eq(one("SELECT naam FROM users WHERE id = ?", (collega_id,)),
     "Anne Brûlé", "stored")

other, _ = login(COLLEGA)          # a second session, ended by the change
NEW = "een heel nieuw wachtwoord"
for desc, fields, want in [
        ("a wrong current password", {"huidig": "niet het wachtwoord",
                                      "wachtwoord": NEW, "herhaling": NEW},
         "klopt niet"),
        ("no current password", {"wachtwoord": NEW, "herhaling": NEW},
         "huidige wachtwoord in"),
        ("a short new one", {"huidig": PASSWORD, "wachtwoord": "kort",
                             "herhaling": "kort"}, "10 tot 1024"),
        ("two different new ones", {"huidig": PASSWORD, "wachtwoord": NEW,
                                    "herhaling": NEW + "!"},
         "niet hetzelfde")]:
    fields["csrf"] = csrf_c
    r = unchanged("password change: " + desc, lambda: post(
        "/mijn/account/wachtwoord", fields, collega))
    t.ok(r.status == 400 and want in r.body.decode(),
         "password change: %s: 400, in Dutch" % desc, r.body[:300])
r = post("/mijn/account/wachtwoord", {"csrf": csrf_c, "huidig": PASSWORD,
                                      "wachtwoord": NEW, "herhaling": NEW},
         collega)
t.eq((r.status, r.header("Location")),
     (303, "/mijn/account?melding=wachtwoord"), "password changed")
t.eq(get("/mijn", collega).status, 200, "this session goes on")
t.ok(get("/mijn", other).status in (303, 401), "the other session ended")
t.eq(login(COLLEGA)[1], 401, "the old password no longer works")
t.ok(login(COLLEGA, NEW)[0] is not None, "the new one does")
r = get("/mijn/account")
t.ok(r.status in (303, 401), "anonymous: to the login form")

# --- Access requests -------------------------------------------------------
r = get("/toegang-aanvragen")
page = r.body.decode()
t.ok(r.status == 200 and '<option value="GM0275">Rheden</option>' in page
     and '<textarea id="reden"' in page and '<label for="naam">' in page,
     "the public form: name, address, municipality, why")
t.ok('href="/toegang-aanvragen"' in get("/inloggen").body.decode(),
     "the login page links to it")

NIEUW = "nieuw@rheden.example.nl"
REQ = {"naam": "Jan Jansen", "email": NIEUW, "gemeente": A,
       "reden": "Ik wil pilots lezen.\r\nEn delen."}
new = post("/toegang-aanvragen", REQ)
known = post("/toegang-aanvragen", dict(REQ, email=COLLEGA))
t.eq((new.status, known.status), (200, 200), "both 200")
t.ok("Aanvraag ontvangen" in new.body.decode(), "the answer in Dutch")
t.eq(new.body, known.body, "the same page for a new and a known address")
rows = m.sql("SELECT email, naam, gemeente, reden FROM access_requests")
t.eq(rows, [(NIEUW, "Jan Jansen", A, "Ik wil pilots lezen.\nEn delen.")],
     "one request stored, for the new address, with LF line ends")
msg = wait_mail(ADMIN_A, 1)
t.ok(msg is not None and "Jan Jansen" in text_of(msg) and NIEUW in
     text_of(msg) and "Ik wil pilots lezen.\nEn delen." in text_of(msg) and
     "/mijn/gebruikers" in text_of(msg),
     "the admin is mailed: who, why, where to decide",
     msg and text_of(msg))
t.ok(msg is not None and "Ik wil pilots lezen.<br>En delen." in
     html_of(msg), "the reason's lines in the HTML part")
t.eq(mails_to(ADMIN_B), [], "another municipality's admin is not")
msg = wait(lambda: next((x for x in mails_to(COLLEGA) if
                         str(x["Subject"]) == "Uw account bij meent test"),
                        None))
t.ok(msg is not None and "al een account" in text_of(msg) and
     "/wachtwoord-vergeten" in text_of(msg),
     "the known address is told by mail, and how to get in")
t.eq(post("/toegang-aanvragen", REQ).status, 200, "asking again: 200")
t.eq(one("SELECT count(*) FROM access_requests"), 1, "no second request")

for desc, fields, want in [
        ("CR/LF in the name", dict(REQ, naam="Jan\r\nBcc: x@y.nl"),
         "vul uw naam in"),
        ("a bad address", dict(REQ, email="jan@"), "geen geldig e-mailadres"),
        ("CR/LF in the address", dict(REQ, email=NIEUW + "\r\nBcc: x@y.nl"),
         "geen geldig e-mailadres"),
        ("a municipality that does not exist", dict(REQ, gemeente="GM9999"),
         "kies uw gemeente"),
        ("no municipality", dict(REQ, gemeente=""), "kies uw gemeente"),
        ("no reason", dict(REQ, reden=""), "1 tot 1000 tekens"),
        ("a reason too long", dict(REQ, reden="x" * 1001),
         "1 tot 1000 tekens"),
        ("a control character in the reason", dict(REQ, reden="a\x1b[31mb"),
         "1 tot 1000 tekens")]:
    r = unchanged("access request: " + desc,
                  lambda: post("/toegang-aanvragen", fields))
    t.ok(r.status == 400 and want in r.body.decode(),
         "access request: %s: 400, in Dutch" % desc, r.body[:400])

page = get("/mijn/gebruikers", admin_a).body.decode()
t.ok("Jan Jansen" in page and "Ik wil pilots lezen.<br>En delen." in page,
     "the admin sees the request on the users page")
t.ok("Jan Jansen" not in get("/mijn/gebruikers", admin_b).body.decode(),
     "another municipality's admin does not")
req_id = one("SELECT id FROM access_requests")
for action in ("aannemen", "afwijzen"):
    r = unchanged("B %s A's request" % action, lambda: post(
        "/mijn/aanvragen/%d/%s" % (req_id, action), {"csrf": csrf_b,
                                                     "rol": "viewer"},
        admin_b))
    t.eq(r.status, 404, "B %s A's request: 404" % action)
r = unchanged("accepting with a role outside the set", lambda: post(
    "/mijn/aanvragen/%d/aannemen" % req_id, {"csrf": csrf_a, "rol": "x"},
    admin_a))
t.eq(r.status, 400, "accepting with a role outside the set: 400")
r = post("/mijn/aanvragen/%d/aannemen" % req_id, {"csrf": csrf_a,
                                                  "rol": "editor"}, admin_a)
t.eq((r.status, r.header("Location")),
     (303, "/mijn/gebruikers?melding=aangenomen"), "accepted")
t.eq(one("SELECT count(*) FROM access_requests"), 0, "the request is gone")
t.eq(m.sql("SELECT role, state FROM invitations WHERE email = ?", (NIEUW,)),
     [("editor", "open")], "an invitation with the chosen role")
t.ok(link_in(wait_mail(NIEUW), "uitnodiging"), "its mail has the link")

post("/toegang-aanvragen", dict(REQ, email="nee@rheden.example.nl",
                                naam="Piet"))
req_id = one("SELECT id FROM access_requests")
r = post("/mijn/aanvragen/%d/afwijzen" % req_id, {"csrf": csrf_a}, admin_a)
t.eq((r.status, r.header("Location")),
     (303, "/mijn/gebruikers?melding=afgewezen"), "refused")
t.eq(one("SELECT count(*) FROM access_requests"), 0, "the request is gone")
msg = wait_mail("nee@rheden.example.nl")
t.ok(msg is not None and "geen account" in text_of(msg) and
     "Dank voor uw belangstelling" in text_of(msg),
     "a polite mail says so", msg and text_of(msg))
t.eq(post("/mijn/aanvragen/%d/afwijzen" % req_id, {"csrf": csrf_a},
          admin_a).status, 404, "refusing twice: 404")

# Expired requests are neither shown nor decided.
post("/toegang-aanvragen", dict(REQ, email="oud@rheden.example.nl",
                                naam="Oud"))
m.sql("UPDATE access_requests SET expires = ?", (int(time.time()) - 1,))
req_id = one("SELECT id FROM access_requests")
t.ok("oud@rheden" not in get("/mijn/gebruikers", admin_a).body.decode(),
     "an expired request is not listed")
t.eq(post("/mijn/aanvragen/%d/aannemen" % req_id, {"csrf": csrf_a,
                                                   "rol": "viewer"},
          admin_a).status, 404, "an expired request cannot be accepted")

# A flood: 3 an hour per address (the reset budget), 20 open per
# municipality.
codes = [post("/toegang-aanvragen", dict(REQ, email="vloed@goes.example.nl",
                                         gemeente=B)).status
         for _ in range(4)]
t.eq(codes, [200, 200, 200, 429], "one address: 429 after 3")
for i in range(19):
    post("/toegang-aanvragen", dict(REQ, email="v%d@goes.example.nl" % i,
                                    gemeente=B))
t.eq(one("SELECT count(*) FROM access_requests WHERE gemeente = ?", (B,)),
     20, "20 open requests for one municipality")
r = unchanged("the 21st open request", lambda: post(
    "/toegang-aanvragen", dict(REQ, email="v99@goes.example.nl",
                               gemeente=B)))
t.ok(r.status == 429 and "veel aanvragen open" in r.body.decode(),
     "the 21st open request for a municipality: 429, in Dutch")

# --- The last admin may go once there is another -------------------------
r = post(role_path, {"csrf": csrf_a, "rol": "admin"}, admin_a)
t.eq(r.status, 303, "the colleague made admin")
r = post("/mijn/gebruikers/%d/rol" % admin_id, {"csrf": csrf_a,
                                                "rol": "editor"}, admin_a)
t.eq(r.status, 303, "now the first admin may step down")
t.eq(get("/mijn/gebruikers", admin_a).status, 403,
     "and no longer sees the users page")

# --- meentctl ---------------------------------------------------------------
p = m.ctl("user", "list")
t.ok(p.returncode == 0 and re.search(
    r"^%d\s+GM0275\s+admin\s+active\s+\S+\s+%s$" % (collega_id,
                                                    re.escape(COLLEGA)),
    p.stdout, re.M) and "$argon2" not in p.stdout,
     "user list: id, municipality, role, state, last login, address; no "
     "hash", p.stdout)
session_rows = one("SELECT count(*) FROM sessions WHERE user_id = ?",
                   (collega_id,))
t.ok(session_rows > 0, "the colleague has sessions")
p = m.ctl("user", "disable", COLLEGA)
t.ok(p.returncode == 0 and one("SELECT disabled FROM users WHERE id = ?",
                               (collega_id,)) == 1 and
     one("SELECT count(*) FROM sessions WHERE user_id = ?",
         (collega_id,)) == 0, "user disable EMAIL: disabled, sessions ended",
     p.stderr)
t.ok(re.search(r"^%d\s.*\sdisabled\s" % collega_id, m.ctl(
    "user", "list").stdout, re.M), "user list says disabled")
p = m.ctl("user", "enable", str(collega_id))
t.ok(p.returncode == 0 and one("SELECT disabled FROM users WHERE id = ?",
                               (collega_id,)) == 0, "user enable ID")
p = m.ctl("user", "role", str(collega_id), "viewer")
t.ok(p.returncode == 0 and one("SELECT role FROM users WHERE id = ?",
                               (collega_id,)) == "viewer",
     "user role ID viewer (the operator may demote the last admin)")
t.eq(m.ctl("user", "role", COLLEGA, "baas").returncode, 2,
     "user role with a role outside the set: usage, exit 2")
p = m.ctl("user", "disable", "niemand@x.nl")
t.ok(p.returncode == 1 and "no user" in p.stderr, "an unknown user: exit 1")

log = m.log()
t.ok(token not in log and COLLEGA not in log and NIEUW not in log,
     "no token or address in the log")
smtp.stop()
finish(t, m)
