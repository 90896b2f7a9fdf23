# SPDX-License-Identifier: EUPL-1.2
"""Limits on what a client may send, each answered as problem+json and each
leaving the server serving others: headers (431), bodies (413, decided from
Content-Length before the body is read), deadlines for slow clients, the
connection cap (503), unknown methods (501)."""
import json
import socket
import time

from harness import Instance, Tap, finish

t = Tap()
m = Instance(settings={"header_timeout": 2, "request_timeout": 3,
                       "keepalive_timeout": 3, "max_connections": 8}).start()
token = m.token("GM0275", "admin")


def status_of(raw):
    line = raw.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def body_of(raw):
    return json.loads(raw.split(b"\r\n\r\n", 1)[1].decode())


for size in (9000, 64 * 1024, 200 * 1024):
    raw = m.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                b"a" * size + b"\r\n\r\n")
    t.eq(status_of(raw), 431, "%d bytes of headers: 431" % size)
    t.ok(b"application/problem+json" in raw, "431 is problem+json")
raw = m.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Ok: " + b"a" * 7000 +
            b"\r\n\r\n")
t.eq(status_of(raw), 200, "7000 bytes of headers are fine")

# 413 from Content-Length, before any of the body is sent.
s = m.connect()
s.sendall(b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n"
          b"Authorization: Bearer " + token.encode() + b"\r\n"
          b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
t0 = time.time()
raw = s.recv(65536)
s.close()
t.eq(status_of(raw), 413, "Content-Length over the route's cap: 413")
t.ok(time.time() - t0 < 2, "413 comes without waiting for the body")
t.ok("16384" in body_of(raw)["detail"], "413 says the cap")
# A body over the default cap on a route with the default cap.
raw = m.raw(b"POST /inloggen HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000"
            b"\r\n\r\n")
t.eq(status_of(raw), 413, "2 MB to a form: 413")
# Chunked: no Content-Length, so the size is checked when it is read.
chunk = b"a" * 20000
raw = m.raw(b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked"
            b"\r\n\r\n" + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n")
t.eq(status_of(raw), 413, "a chunked body over the cap: 413")
before = m.sql("SELECT count(*) FROM tokens")[0][0]
t.eq(before, 1, "no token was made by the refused requests")

# Unknown and overlong request lines.
raw = m.raw(b"FROBNICATE / HTTP/1.1\r\nHost: x\r\n\r\n")
t.eq(status_of(raw), 501, "unknown method: 501")
raw = m.raw(b"GET /" + b"a" * 2000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
t.eq(status_of(raw), 414, "a 2000-byte path: 414")

# Slowloris: headers that never finish are cut at header_timeout (2 s),
# however slowly they trickle.
s = m.connect(timeout=10)
s.sendall(b"GET /healthz HTTP/1.1\r\n")
t0 = time.time()
closed = False
try:
    for _ in range(20):
        s.sendall(b"X-A: b\r\n")
        time.sleep(0.5)
except (BrokenPipeError, ConnectionResetError):
    closed = True
if not closed:
    try:
        closed = s.recv(100) == b""
    except (ConnectionResetError, socket.timeout):
        closed = True
elapsed = time.time() - t0
s.close()
t.ok(closed and elapsed < 6, "a trickle of headers is cut off (%.1f s)" %
     elapsed)
# A body that trickles is cut at request_timeout (3 s).
s = m.connect(timeout=10)
s.sendall(b"POST /inloggen HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
          b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
t0 = time.time()
try:
    for _ in range(20):
        s.sendall(b"a")
        time.sleep(0.4)
    got = s.recv(100)
except (BrokenPipeError, ConnectionResetError):
    got = b""
elapsed = time.time() - t0
s.close()
t.ok(elapsed < 7, "a trickling body is cut off (%.1f s)" % elapsed)
# A connection that says nothing at all goes too.
s = m.connect(timeout=10)
t0 = time.time()
try:
    got = s.recv(100)
except (ConnectionResetError, socket.timeout):
    got = None
t.ok(got == b"" and time.time() - t0 < 5, "a silent connection is closed")
s.close()

# The connection cap: 8 open; the 9th is answered 503 and closed.
held = [m.connect(timeout=5) for _ in range(8)]
time.sleep(0.2)
raw = m.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
t.eq(status_of(raw), 503, "past max_connections: 503")
t.ok(b"Retry-After" in raw, "503 says when to retry")
for s in held:
    s.close()
time.sleep(0.3)
t.eq(m.get("/healthz").status, 200, "after they close, requests are served")

# Nothing above disturbed normal service.
r = m.get("/api/v1/gemeenten/GM0275")
t.eq(r.status, 200, "still serving")
metrics = m.get("/metrics").body.decode()
for reason in ("conn.headers", "conn.body", "conn.connections",
               "conn.deadline"):
    line = [l for l in metrics.splitlines()
            if l.startswith('meent_http_refused_total{reason="%s"}' % reason)]
    t.ok(line and int(line[0].split()[-1]) > 0,
         "metrics count refusals: %s" % reason, line)

finish(t, m)
