# SPDX-License-Identifier: EUPL-1.2
"""Outgoing e-mail against a real SMTP server on loopback (aiosmtpd): a test
message arrives with its text and HTML parts in Dutch; a non-ASCII subject
is RFC 2047-encoded; CR/LF in an address is refused; a server that is down,
answers 4xx, or 5xx: retried with backoff, or failed, visible in `meentctl
mail status` and /metrics; SIGKILL with messages queued (and one left
"sending" by a crash) loses none and sends none twice; the credentials file
must be private; no address or subject in the log."""
import email
import email.policy
import logging
import os
import re
import signal
import sys
import time

try:
    import aiosmtpd  # noqa: F401
except ImportError:
    # A Python of its own (pyenv) does not see Debian's python3-aiosmtpd.
    sys.path.append("/usr/lib/python3/dist-packages")
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from harness import Instance, Tap, finish, free_port

# aiosmtpd warns about AUTH without TLS: on loopback in a test, on purpose.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)
import warnings  # noqa: E402
warnings.simplefilter("ignore")

t = Tap()


class Handler:
    """Records what arrives; answers 4xx `tempfail` times, or always 5xx."""

    def __init__(self):
        self.messages = []
        self.tempfail = 0
        self.permfail = False
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        if self.permfail:
            return "554 5.7.1 refused"
        if self.tempfail > 0:
            self.tempfail -= 1
            return "451 4.3.0 try again later"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 OK"


def authenticator(handler):
    def check(server, session, envelope, mechanism, auth_data):
        handler.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"meent" and
                          auth_data.password == b"geheim:123")
    return check


class Server:
    """An SMTP server on a fixed loopback port that can go down and up."""

    def __init__(self, port, auth=False):
        self.port = port
        self.handler = Handler()
        self.auth = auth
        self.ctl = None

    def up(self):
        kw = {}
        if self.auth:
            kw = dict(authenticator=authenticator(self.handler),
                      auth_require_tls=False, auth_required=True)
        self.ctl = Controller(self.handler, hostname="127.0.0.1",
                              port=self.port, **kw)
        self.ctl.start()

    def down(self):
        if self.ctl is not None:
            self.ctl.stop()
            self.ctl = None


def wait(cond, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    return cond()


def row(m, mid):
    r = m.sql("SELECT state, attempts, last_error FROM mail_outbox "
              "WHERE id = ?", (mid,))
    return r[0] if r else None


def queue_test(m, addr):
    p = m.ctl("mail", "test", addr)
    g = re.match(r"message (\d+) queued", p.stdout)
    return (p, int(g.group(1)) if g else None)


def metric(m, name):
    text = m.get("/metrics").body.decode()
    g = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(g.group(1)) if g else None


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


smtp = Server(free_port())
smtp.up()
settings = {"smtp_url": "smtp://127.0.0.1:%d" % smtp.port,
            "smtp_from": "noreply@meent.test", "smtp_retry_min": "1",
            "smtp_retry_max": "2", "smtp_max_attempts": "4",
            "smtp_timeout": "10"}
m = Instance(name="Súdwest-Fryslân & co", settings=settings)
m.start()

# -- A test message arrives, whole and in Dutch.
p, mid = queue_test(m, "ontvanger@gemeente.nl")
t.eq(p.returncode, 0, "meentctl mail test queues a message")
t.ok(wait(lambda: smtp.handler.messages), "the message arrives")
t.eq(row(m, mid)[0], "sent", "the outbox says sent")
frm, rcpts, raw = smtp.handler.messages[0]
t.eq((frm, rcpts), ("noreply@meent.test", ["ontvanger@gemeente.nl"]),
     "envelope sender and recipient")
msg = parse(raw)
t.eq(msg["From"], "noreply@meent.test", "From header")
t.eq(msg["To"], "ontvanger@gemeente.nl", "To header")
t.eq(str(msg["Subject"]), "Testbericht van Súdwest-Fryslân & co",
     "the non-ASCII subject decodes to what was meant")
subject_raw = re.search(rb"^Subject: (.*)$", raw, re.M).group(1)
t.ok(subject_raw.startswith(b"=?UTF-8?B?") and
     all(b < 0x80 for b in subject_raw),
     "the subject goes as RFC 2047 encoded-words (ASCII only)", subject_raw)
t.ok(msg["Message-ID"] and msg["Date"], "Message-ID and Date")
t.eq(msg["Content-Language"], "nl", "Content-Language: nl")
t.ok(msg["List-Unsubscribe"] is None,
     "a test message is no notification: no List-Unsubscribe")
alt = [part for part in msg.walk()
       if part.get_content_type() == "multipart/alternative"]
t.eq(len(alt), 1, "one multipart/alternative")
plain = msg.get_body(preferencelist=("plain",))
html = msg.get_body(preferencelist=("html",))
t.ok(plain is not None and "Dit is een testbericht van Súdwest-Fryslân & co"
     in plain.get_content(), "a Dutch plain-text part",
     plain and plain.get_content())
t.ok(html is not None and '<html lang="nl">' in html.get_content() and
     "Súdwest-Fryslân &amp; co" in html.get_content(),
     "a Dutch HTML part, the name escaped", html and html.get_content())
t.eq(plain.get_content_charset(), "utf-8", "utf-8 text")

# -- A notification carries RFC 8058's one-click unsubscribe.
p = m.ctl("mail", "test", "lid@gemeente.nl", "--unsubscribe",
          "https://meent.example/afmelden/t0ken")
t.ok(wait(lambda: len(smtp.handler.messages) >= 2), "a notification arrives",
     p.stderr)
msg = parse(smtp.handler.messages[1][2])
t.eq(msg["List-Unsubscribe"], "<https://meent.example/afmelden/t0ken>",
     "List-Unsubscribe")
t.eq(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click",
     "List-Unsubscribe-Post")
p = m.ctl("mail", "test", "lid@gemeente.nl", "--unsubscribe",
          "https://x.nl/a>\r\nBcc: x@y.nl")
t.ok(p.returncode != 0 and "not an http(s) URL" in p.stderr,
     "an unsubscribe URL with CR/LF is refused", p.stderr)

# -- Header injection and bad addresses are refused, nothing queued.
before = m.sql("SELECT count(*) FROM mail_outbox")[0][0]
for bad in ("ontvanger@gemeente.nl\r\nBcc: x@y.nl",
            "ontvanger@gemeente.nl\nBcc: x@y.nl", "geen adres@x.nl",
            "geen-adres", "a" * 250 + "@x.nl", "Naam <a@x.nl>"):
    p, _ = queue_test(m, bad)
    t.ok(p.returncode != 0 and "not an e-mail address" in p.stderr,
         "refused: %r" % bad[:40], p.stderr)
t.eq(m.sql("SELECT count(*) FROM mail_outbox")[0][0], before,
     "nothing queued for a bad address")

# -- The server down at first: queued, retried, delivered when it comes up.
smtp.down()
p, mid = queue_test(m, "later@gemeente.nl")
t.ok(wait(lambda: (row(m, mid)[1] or 0) >= 2), "retried while down",
     row(m, mid))
r = row(m, mid)
t.ok(r[0] in ("queued", "sending") and r[2] and "smtp" in r[2],
     "still queued, with the last error", r)
st = m.ctl("mail", "status").stdout
t.ok(re.search(r"^queued 1$", st, re.M) and
     re.search(r"^last error message %d: " % mid, st, re.M) and
     "later@" not in st, "mail status: one queued, its error, no address",
     st)
t.ok(not re.search(r"^oldest queued -$", st, re.M),
     "mail status: when the oldest was queued", st)
smtp.up()
t.ok(wait(lambda: row(m, mid)[0] == "sent"), "delivered once it is up",
     row(m, mid))
t.eq([x[1] for x in smtp.handler.messages].count(["later@gemeente.nl"]), 1,
     "delivered once")
t.ok((metric(m, "meent_mail_retries_total") or 0) >= 1,
     "retries counted in /metrics")

# -- 4xx twice, then OK.
smtp.handler.tempfail = 2
p, mid = queue_test(m, "tijdelijk@gemeente.nl")
t.ok(wait(lambda: row(m, mid)[0] == "sent"), "sent after two 4xx answers",
     row(m, mid))
t.eq(row(m, mid)[1], 3, "on the third attempt")

# -- 5xx: failed at once, visible in status and /metrics.
smtp.handler.permfail = True
p, mid = queue_test(m, "geweigerd@gemeente.nl")
t.ok(wait(lambda: row(m, mid)[0] == "failed"), "5xx: failed", row(m, mid))
t.eq(row(m, mid)[1], 1, "a 5xx is final: one attempt")
t.ok("smtp 554" in (row(m, mid)[2] or ""), "its error names the code",
     row(m, mid))
smtp.handler.permfail = False
st = m.ctl("mail", "status").stdout
t.ok(re.search(r"^failed 1$", st, re.M) and
     re.search(r"^last error message %d: .*smtp 554" % mid, st, re.M),
     "mail status shows the failure", st)
t.eq(metric(m, 'meent_mail_total{outcome="failed"}'), 1,
     "failed counted in /metrics")
t.eq(metric(m, 'meent_mail_total{outcome="sent"}'), 4,
     "sent counted in /metrics")
t.eq(metric(m, "meent_mail_outbox"), 0, "the outbox gauge is back to 0")

# -- Down for good: given up after smtp_max_attempts (4).
smtp.down()
p, mid = queue_test(m, "nooit@gemeente.nl")
t.ok(wait(lambda: row(m, mid)[0] == "failed", timeout=60),
     "given up while the server stays down", row(m, mid))
t.eq(row(m, mid)[1], 4, "after smtp_max_attempts attempts")

# -- SIGKILL with messages queued: none lost, none twice.
ids = [queue_test(m, "crash%d@gemeente.nl" % i)[1] for i in range(5)]
t.ok(wait(lambda: all((row(m, i)[1] or 0) >= 1 for i in ids)),
     "five messages tried while the server is down")
m.kill(signal.SIGKILL)
m.proc.wait()
# A crash between the claim and the send leaves a row "sending".
m.sql("UPDATE mail_outbox SET state = 'sending' WHERE id = ?", (ids[0],))
got_before = len(smtp.handler.messages)
smtp.up()
m.start()
t.ok(wait(lambda: all(row(m, i)[0] == "sent" for i in ids)),
     "after the restart all five are sent", [row(m, i) for i in ids])
got = [x[1][0] for x in smtp.handler.messages[got_before:]]
t.eq(sorted(got), sorted("crash%d@gemeente.nl" % i for i in range(5)),
     "each exactly once")
t.ok(any(e.get("event") == "mail.recover" for e in m.log_lines()),
     "the message left sending was queued again (and logged)")

# -- No personal data in the log.
log = m.log()
t.ok("@gemeente.nl" not in log and "Testbericht" not in log,
     "no address or subject in the log",
     [l for l in log.splitlines() if "@gemeente.nl" in l][:3])
t.ok(any(e.get("event") == "mail.sent" for e in m.log_lines()),
     "sends are logged by id")
finish(t, m, done=False)
smtp.down()

# -- Credentials: a file others can read is refused; a private one is used.
auth = Server(free_port(), auth=True)
auth.up()
a = Instance(settings=dict(settings, smtp_url="smtp://127.0.0.1:%d" %
                           auth.port))
cred = os.path.join(a.dir, "smtp.cred")
with open(cred, "w") as f:
    f.write("meent:geheim:123\n")
os.chmod(cred, 0o644)
a.settings["smtp_credentials_file"] = cred
try:
    a.start()
    started = True
except RuntimeError:
    started = False
t.ok(not started and "can be read by others" in a.log(),
     "a credentials file others can read: meentd does not start",
     a.log()[-300:])
os.chmod(cred, 0o600)
a.start()
p, mid = queue_test(a, "met-login@gemeente.nl")
t.ok(wait(lambda: auth.handler.messages), "sent with authentication",
     row(a, mid))
t.eq(auth.handler.logins[-1:], [(b"meent", b"geheim:123")],
     "user and password from the file (the password may hold a colon)")
t.ok("geheim" not in a.log(), "the password is not logged")

# -- A bad smtp_url is refused at start.
b = Instance(settings={"smtp_url": "http://127.0.0.1:25",
                       "smtp_from": "noreply@meent.test"})
try:
    b.start()
    started = True
except RuntimeError:
    started = False
t.ok(not started and "smtp://" in b.log(), "an http:// smtp_url is refused",
     b.log()[-300:])
b.close()
c = Instance(settings={"smtp_url": "smtp://127.0.0.1:%d" % auth.port})
try:
    c.start()
    started = True
except RuntimeError:
    started = False
t.ok(not started and "smtp_from" in c.log(),
     "smtp_url without smtp_from is refused", c.log()[-300:])
c.close()
finish(t, a)
auth.down()
