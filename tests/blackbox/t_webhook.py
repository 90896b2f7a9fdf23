# SPDX-License-Identifier: EUPL-1.2
"""The webhook plugin against a receiver started by this test: signed events
for public content only, verified with HMAC-SHA256 (Python's hmac, for
secrets of 16, 26, 32, 40 and 100 bytes); retries after failures
with backoff; giving up after the limit; a hanging receiver never slows a
request; the SSRF guard refuses loopback targets unless allowed; outcomes
counted in /metrics."""
import hashlib
import hmac
import http.server
import json
import os
import re
import threading
import time

from harness import TOP_BUILD, Instance, Tap, finish

t = Tap()
WEBHOOK = os.path.join(TOP_BUILD, "plugins", ".libs", "webhook.so")
SECRET = "een-geheim-van-minstens-16"


class Receiver(http.server.ThreadingHTTPServer):
    """Records POSTs; fails the first `fail` with 500, or hangs `hang` s."""

    def __init__(self):
        self.events = []
        self.fail = 0
        self.hang = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        srv = self.server
        with srv.lock:
            srv.events.append((dict(self.headers), body))
            failing = srv.fail > 0
            if failing:
                srv.fail -= 1
        if srv.hang:
            time.sleep(srv.hang)
        self.send_response(500 if failing else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


rx = Receiver()
threading.Thread(target=rx.serve_forever, daemon=True).start()
hook = "http://127.0.0.1:%d/hook" % rx.server_address[1]


def wait_events(n, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with rx.lock:
            if len(rx.events) >= n:
                return list(rx.events)
        time.sleep(0.1)
    return list(rx.events)


def metric(m, event):
    text = m.get("/metrics").body.decode()
    found = re.search(r'meent_plugin_events_total\{plugin="webhook",'
                      r'event="%s"\} (\d+)' % event, text)
    return int(found.group(1)) if found else 0


m = Instance(settings={"plugin": "%s url=%s secret=%s allow_private=true "
                       "attempts=3" % (WEBHOOK, hook, SECRET)}).start()
tok = m.token("GM0275", "editor")
pilot = {"titel": "Een pilot voor de webhook", "samenvatting": "Kort.",
         "domein": "jeugd", "status": "idee", "vraag": "Werkt het?",
         "zichtbaarheid": "openbaar"}

r = m.request("POST", "/api/v1/pilots", token=tok, body=pilot)
pid = r.json()["id"]
events = wait_events(1)
t.eq(len(events), 1, "publishing a public pilot sends one event")
headers, body = events[0]
sig = headers.get("X-Meent-Signature", "")
want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
t.ok(hmac.compare_digest(sig, want), "the signature verifies with the secret")
ev = json.loads(body)
t.eq((ev["type"], ev["kind"], ev["id"], ev["gemeente"], ev["versie"],
      ev["url"]), ("gepubliceerd", "pilot", pid, "GM0275", 1,
                   "/pilots/" + pid), "the event says what happened")
t.eq(headers.get("X-Meent-Event"), "gepubliceerd", "X-Meent-Event")
t.ok(len(headers.get("X-Meent-Delivery", "")) == 32, "a delivery id")
tampered = body.replace(b"GM0275", b"GM0014")
t.ok(not hmac.compare_digest(sig, "sha256=" + hmac.new(
    SECRET.encode(), tampered, hashlib.sha256).hexdigest()),
     "a changed body would not verify")

m.request("POST", "/api/v1/pilots", token=tok,
          body=dict(pilot, zichtbaarheid="concept", titel="Geheim"))
time.sleep(1.5)
t.eq(len(rx.events), 1, "a concept pilot sends nothing")

# A receiver that fails twice: retried, then delivered.
with rx.lock:
    rx.fail = 2
etag = m.get("/api/v1/pilots/" + pid).header("ETag")
m.request("PATCH", "/api/v1/pilots/" + pid, token=tok,
          body={"status": "lopend"}, headers={"If-Match": etag})
events = wait_events(4)
t.eq(len(events), 4, "two failures, then the third attempt succeeds")
t.ok(all(json.loads(b)["type"] == "gewijzigd" for _, b in events[1:]),
     "each attempt is the same update")
t.ok(len({h["X-Meent-Delivery"] for h, _ in events[1:]}) == 1,
     "with the same delivery id")
t.ok(metric(m, "retried") >= 2 and metric(m, "delivered") >= 2,
     "retries and deliveries are counted")

# Always failing: given up after three attempts.
with rx.lock:
    rx.fail = 100
m.request("DELETE", "/api/v1/pilots/" + pid, token=tok)
events = wait_events(7, timeout=30)
time.sleep(4)
t.eq(len(rx.events), 7, "a delete: three attempts, then no more")
t.eq(json.loads(events[-1][1])["type"], "verwijderd", "the delete event")
t.ok(metric(m, "gave_up") == 1, "giving up is counted")
t.ok("gave up after 3 attempts" in m.log(), "and logged")
with rx.lock:
    rx.fail = 0

# A receiver that hangs: requests do not wait for it.
with rx.lock:
    rx.hang = 5
slow = []
for i in range(3):
    t0 = time.time()
    r = m.request("POST", "/api/v1/pilots", token=tok,
                  body=dict(pilot, titel="Snel %d" % i))
    slow.append(time.time() - t0)
t.ok(r.status == 201 and max(slow) < 1.0,
     "a hanging receiver never slows a request (%.2f s)" % max(slow))
with rx.lock:
    rx.hang = 0
finish(t, m, done=False)

# The SSRF guard: a loopback target without allow_private is refused.
n_before = len(rx.events)
m = Instance(settings={"plugin": "%s url=%s secret=%s" % (
    WEBHOOK, hook, SECRET)}).start()
tok = m.token("GM0275", "editor")
m.request("POST", "/api/v1/pilots", token=tok, body=pilot)
deadline = time.time() + 10
while time.time() < deadline and metric(m, "refused") == 0:
    time.sleep(0.2)
t.eq(metric(m, "refused"), 1,
     "an http loopback target without allow_private: refused, not retried")
t.ok("not allowed" in m.log(), "and logged with the reason")
t.eq(len(rx.events), n_before, "and nothing reached it")
finish(t, m, done=False)

# The whole secret is the key, whatever its length: a standard HMAC
# receiver verifies secrets shorter than, as long as, and longer than
# SHA-256's 32-byte output, and longer than its 64-byte block (which HMAC
# hashes first). No spaces or '#', as on a plugin line in meentd.conf.
ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            "-_.~!$%&()*+,;:<>?@[]^{|}/=")


def secret_of(n):
    return "".join(ALPHABET[(7 * i + n) % len(ALPHABET)] for i in range(n))


def wait_event_for(pid, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with rx.lock:
            for h, b in rx.events:
                if json.loads(b).get("id") == pid:
                    return h, b
        time.sleep(0.1)
    return None, None


for n in (16, 32, 40, 100):
    secret = secret_of(n)
    assert len(secret.encode()) == n and " " not in secret and "#" not in secret
    m = Instance(settings={"plugin": "%s url=%s secret=%s allow_private=true"
                           % (WEBHOOK, hook, secret)}).start()
    tok = m.token("GM0275", "editor")
    r = m.request("POST", "/api/v1/pilots", token=tok,
                  body=dict(pilot, titel="Geheim van %d bytes" % n))
    headers, body = wait_event_for(r.json()["id"] if r.status == 201 else "")
    sig = (headers or {}).get("X-Meent-Signature", "")
    want = "sha256=" + hmac.new(secret.encode(), body or b"",
                                hashlib.sha256).hexdigest()
    t.ok(body is not None and hmac.compare_digest(sig, want),
         "a %d-byte secret: the signature is hmac.new(secret, body, sha256)"
         % n, "got %r, want %r" % (sig, want))
    truncated = "sha256=" + hmac.new(secret[:n - 1].encode(), body or b"",
                                     hashlib.sha256).hexdigest()
    t.ok(not hmac.compare_digest(sig, truncated),
         "a %d-byte secret: its last byte counts" % n)
    finish(t, m, done=False)

# Bad configuration: no secret, no url.
import subprocess

for args, why in [("url=%s" % hook, "needs secret"),
                  ("secret=%s" % SECRET, "needs at least one url")]:
    b = Instance(settings={"plugin": "%s %s" % (WEBHOOK, args)})
    p = subprocess.run(b.argv(), capture_output=True, text=True, timeout=30)
    t.ok(p.returncode == 1 and why in p.stderr, "refused: %s" % why,
         p.stderr)
    b.close()
rx.shutdown()
t.done()
