# SPDX-License-Identifier: EUPL-1.2
"""A forgotten password, reset by e-mail: the login page links to it; the
same answer whether an address is known or not (mail only to a known one);
a one-time link that expires, stored hashed; the length rules; all the
user's sessions ended; expired, reused, forged and malformed links get a
Dutch page saying so; limits per account and per client address."""
import re
import time
import urllib.parse

from harness import Instance, Tap, finish

t = Tap()
FORM = "application/x-www-form-urlencoded"
EMAIL = "analist@rheden.example.nl"
PASSWORD = "correct paard batterij"
NEW = "een heel nieuw wachtwoord"


def post(m, path, fields):
    h = {"Content-Type": FORM, "Origin": "http://127.0.0.1:%d" % m.port}
    return m.request("POST", path, body=urllib.parse.urlencode(fields),
                     headers=h)


def login(m, pw, email=EMAIL):
    return post(m, "/inloggen", {"email": email, "wachtwoord": pw})


def outbox(m):
    return m.sql("SELECT id, recipient, subject, text_body, html_body "
                  "FROM mail_outbox ORDER BY id")


def link_of(text):
    g = re.search(r"http://127\.0\.0\.1:\d+(/wachtwoord-herstellen/"
                  r"[A-Za-z0-9_-]{43})\n", text)
    return g.group(1) if g else None


m = Instance(settings={"login_per_minute": 1000}).start()
m.ctl("user", "add", EMAIL, "--gemeente", "GM0275", "--role", "editor",
      input=PASSWORD + "\n", check=True)
uid = m.sql("SELECT id FROM users WHERE email = ?", (EMAIL,))[0][0]

r = m.get("/inloggen")
t.ok('<a href="/wachtwoord-vergeten">Wachtwoord vergeten?</a>' in
     r.body.decode(), "the login page links to the reset form")
r = m.get("/wachtwoord-vergeten")
t.ok(r.status == 200 and 'name="email"' in r.body.decode() and
     '<label for="email">' in r.body.decode(), "the form asks the address")

# Two sessions that the reset must end.
t.eq(login(m, PASSWORD).status, 303, "signed in (1)")
t.eq(login(m, PASSWORD).status, 303, "signed in (2)")
t.eq(m.sql("SELECT count(*) FROM sessions WHERE user_id = ?", (uid,))[0][0],
     2, "two sessions")

# -- The same answer for a known and an unknown address.
known = post(m, "/wachtwoord-vergeten", {"email": EMAIL.upper()})
unknown = post(m, "/wachtwoord-vergeten", {"email": "niemand@rheden.nl"})
t.eq((known.status, unknown.status), (200, 200), "both 200")
t.ok("Als dit adres bij ons bekend is, ontvangt u een e-mail" in
     known.body.decode(), "the answer in Dutch", known.body[:400])
t.eq(known.body, unknown.body, "the same page for a known and an unknown "
     "address")
mails = outbox(m)
t.eq(len(mails), 1, "one e-mail: to the known address only")
_, to, subject, text, html = mails[0]
t.eq(to, EMAIL, "to the address as stored")
t.eq(subject, "Nieuw wachtwoord voor meent test", "a Dutch subject")
link = link_of(text)
t.ok(link is not None and "30 minuten" in text, "the text has the link and "
     "says how long it works", text)
t.ok(link is not None and ('href="http://127.0.0.1:%d%s"' % (m.port, link))
     in html and 'lang="nl"' in html, "the HTML has the link", html)
token = link.rsplit("/", 1)[1]
stored = m.sql("SELECT hex(digest) FROM password_resets")
t.ok(len(stored) == 1 and token not in str(stored) and
     token.encode().hex().upper() not in stored[0][0],
     "only a digest of the token is stored")

r = post(m, "/wachtwoord-vergeten", {"email": "geen adres"})
t.ok(r.status == 400 and "geen geldig e-mailadres" in r.body.decode(),
     "a malformed address: 400 in Dutch")
r = post(m, "/wachtwoord-vergeten", {"email": "a@b.nl\r\nBcc: c@d.nl"})
t.eq(r.status, 400, "CR/LF in the address: 400")
r = post(m, "/wachtwoord-vergeten", {})
t.eq(r.status, 400, "no address: 400")

# -- The link: a form; the rules; then set.
r = m.get(link)
t.ok(r.status == 200 and 'autocomplete="new-password"' in r.body.decode(),
     "the link shows the form for a new password")
t.eq(r.header("Referrer-Policy"), "no-referrer", "no Referer from the page")
r = post(m, link, {"wachtwoord": "kort", "herhaling": "kort"})
t.ok(r.status == 400 and "10 tot 1024 tekens" in r.body.decode(),
     "too short: 400 with the rule")
r = post(m, link, {"wachtwoord": NEW, "herhaling": NEW + "x"})
t.ok(r.status == 400 and "niet hetzelfde" in r.body.decode(),
     "not the same twice: 400")
t.eq(login(m, PASSWORD).status, 303, "the old password still works until "
     "the reset")
r = post(m, link, {"wachtwoord": NEW, "herhaling": NEW})
t.ok(r.status == 200 and "Wachtwoord gewijzigd" in r.body.decode(),
     "the new password is set", r.body[:300])
t.eq(m.sql("SELECT count(*) FROM sessions WHERE user_id = ?", (uid,))[0][0],
     0, "all the user's sessions ended")
t.eq(login(m, PASSWORD).status, 401, "the old password no longer works")
t.eq(login(m, NEW).status, 303, "the new one does")

# -- Used, forged, malformed, expired.
r = m.get(link)
t.ok(r.status == 410 and "al gebruikt" in r.body.decode(),
     "a used link: 410, says so", r.body[:300])
r = post(m, link, {"wachtwoord": "nog een wachtwoord",
                   "herhaling": "nog een wachtwoord"})
t.eq(r.status, 410, "a used link cannot set a password again")
t.eq(login(m, NEW).status, 303, "and the password stayed")
forged = "/wachtwoord-herstellen/" + ("A" * 43)
r = m.get(forged)
t.ok(r.status == 404 and "klopt niet" in r.body.decode(),
     "a forged link: 404, says so")
r = post(m, forged, {"wachtwoord": NEW, "herhaling": NEW})
t.eq(r.status, 404, "a forged link cannot set a password")
for bad in ("abc", "%3Cscript%3E", "A" * 44, token[:-1] + "!"):
    t.eq(m.get("/wachtwoord-herstellen/" + bad).status, 404,
         "a malformed link: 404 (%s)" % bad[:12])
post(m, "/wachtwoord-vergeten", {"email": EMAIL})
link2 = link_of(outbox(m)[-1][3])
m.sql("UPDATE password_resets SET expires = ? WHERE used = 0",
      (int(time.time()) - 1,))
r = m.get(link2)
t.ok(r.status == 410 and "verlopen" in r.body.decode() and
     'href="/wachtwoord-vergeten"' in r.body.decode(),
     "an expired link: 410, says so, links to a new one")
r = post(m, link2, {"wachtwoord": NEW + "2", "herhaling": NEW + "2"})
t.eq(r.status, 410, "an expired link cannot set a password")

# -- Per account: 3 an hour (known or not: the same limit, no tell).
codes = [post(m, "/wachtwoord-vergeten", {"email": "vloed@rheden.nl"}).status
         for _ in range(4)]
t.eq(codes, [200, 200, 200, 429], "a flood for one address: 429 after 3")
codes = [post(m, "/wachtwoord-vergeten", {"email": EMAIL}).status
         for _ in range(2)]
t.eq(codes, [200, 429], "the known address has its budget too (2 used)")
t.eq(len(outbox(m)), 3, "no mail past the limit")

log = m.log()
t.ok(token not in log and link2 not in log and EMAIL not in log,
     "no token or address in the log")
finish(t, m, done=False)

# -- Per client address: login_per_minute, shared with logins.
a = Instance(settings={"login_per_minute": 2}).start()
codes = [post(a, "/wachtwoord-vergeten",
              {"email": "x%d@rheden.nl" % i}).status for i in range(3)]
t.eq(codes, [200, 200, 429], "one client: login_per_minute requests")
finish(t, a)
