# SPDX-License-Identifier: EUPL-1.2
"""Every way a connection ends, then a wait past every timeout: the process
must still serve, and SIGTERM must still stop it with exit 0. Run against
the sanitizer build and the release build.

A response after which meentd closes the connection (Connection: close,
HTTP/1.0, a request refused while it is read) used to leave freed memory in
libevent's timer heap; the worker crashed about a minute later, or spun at
100 % CPU and ignored SIGTERM. This waits past the longest timeout (with
short timeouts configured) so a regression shows here, not in production."""
import re
import socket
import time

from harness import Instance, Tap, finish

t = Tap()
TIMEOUTS = {"header_timeout": 2, "request_timeout": 3, "keepalive_timeout": 3}


def exchange(m, data, shut=False, timeout=5):
    """Send raw bytes on a new connection; read until the server closes."""
    s = socket.create_connection(("127.0.0.1", m.port), timeout=timeout)
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def statuses(raw):
    """The status of each response in raw (bodies here never hold one)."""
    return [int(x) for x in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


REFUSED = (
    (b"GARBAGE\r\n\r\n", 400, "a request line without spaces"),
    (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505, "an unknown version"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400,
     "a header line without a colon"),
    (b"GET /healthz HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host"),
    (b"POST /inloggen HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
     b"Content-Length: 6\r\n\r\nabcdef", 400, "two Content-Lengths"),
    (b"\x00\x01\x02\r\n\r\n", 400, "binary garbage"),
    (b"GET /healthz HTTP/1.1\nHost: x\n\n", 400, "bare LF line endings"),
)


def scenario(m, label):
    # 1. Connection: close, twenty times.
    ok = sum(statuses(exchange(m, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                  b"Connection: close\r\n\r\n")) == [200]
             for _ in range(20))
    t.eq(ok, 20, "%s: 20 requests with Connection: close, answered and "
         "closed" % label)

    # 2. HTTP/1.0, what nginx sends upstream by default.
    ok = sum(statuses(exchange(m, b"GET /healthz HTTP/1.0\r\n\r\n")) == [200]
             for _ in range(20))
    t.eq(ok, 20, "%s: 20 HTTP/1.0 requests, answered and closed" % label)
    raw = exchange(m, b"GET /pilots HTTP/1.0\r\nHost: x\r\n\r\n")
    t.eq(statuses(raw), [200], "%s: an HTTP/1.0 page request" % label)

    # 3. Requests refused while they are read: each answered, then closed.
    for data, want, desc in REFUSED:
        raw = exchange(m, data)
        t.eq(statuses(raw), [want], "%s: %s: %d, then closed" %
             (label, desc, want))
        t.ok(b"application/problem+json" in raw,
             "%s: %s: problem+json" % (label, desc))

    # 4. Pipelining: three requests in one packet, the last closes.
    raw = exchange(m, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                   b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
                   b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close"
                   b"\r\n\r\n")
    t.eq(statuses(raw), [200, 200, 200],
         "%s: three pipelined requests, three answers" % label)

    # 5. Clients that go away at every moment.
    for data in (b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
                 b"POST /inloggen HTTP/1.1\r\nHost: x\r\nContent-Length: "
                 b"100\r\n\r\nabc",
                 b"GET /pilots HTTP/1.1\r\nHost: x\r\n\r\n"):
        s = socket.create_connection(("127.0.0.1", m.port), timeout=5)
        s.sendall(data)
        s.close()
    s = socket.create_connection(("127.0.0.1", m.port), timeout=5)
    s.sendall(b"GET /pilots HTTP/1.1\r\nHost: x\r\n\r\n")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()                                   # a reset mid-answer
    raw = exchange(m, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", shut=True)
    t.eq(statuses(raw), [200], "%s: a half-closed client still gets its "
         "answer" % label)

    # 6. Connections left open past each timeout.
    held = [socket.create_connection(("127.0.0.1", m.port))
            for _ in range(5)]
    half = socket.create_connection(("127.0.0.1", m.port))
    half.sendall(b"GET /healthz HTTP/1.1\r\n")
    kept = socket.create_connection(("127.0.0.1", m.port))
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    held += [half, kept]

    # Past the longest timeout, with a margin for a sanitizer build.
    wait = max(TIMEOUTS.values()) * 2 + 8
    time.sleep(wait)
    t.ok(m.proc.poll() is None, "%s: meentd is alive %d s later" %
         (label, wait))
    t.eq(m.get("/healthz").status, 200, "%s: and still answers" % label)
    for s in held:
        s.close()
    time.sleep(2)
    t.eq(m.get("/healthz").status, 200, "%s: still answering after the "
         "clients closed" % label)


for label, release in (("asan", False), ("release", True)):
    inst = Instance(settings=TIMEOUTS, release=release).start()
    scenario(inst, label)
    finish(t, inst, done=False)
t.done()
