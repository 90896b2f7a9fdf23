# SPDX-License-Identifier: EUPL-1.2
"""Every way a connection ends, then a wait past every timeout: the process
must still serve, and SIGTERM must still stop it with exit 0.

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
m = Instance(settings=TIMEOUTS).start()


def exchange(data, shut=False, timeout=5):
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


# 1. Connection: close, twenty times.
ok = 0
for _ in range(20):
    raw = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close"
                   b"\r\n\r\n")
    ok += statuses(raw) == [200]
t.eq(ok, 20, "20 requests with Connection: close are answered 200 and closed")

# 2. HTTP/1.0, what nginx sends upstream by default.
ok = 0
for _ in range(20):
    raw = exchange(b"GET /healthz HTTP/1.0\r\n\r\n")
    ok += statuses(raw) == [200] and raw.startswith(b"HTTP/1.1 200")
t.eq(ok, 20, "20 HTTP/1.0 requests are answered and closed")
raw = exchange(b"GET /pilots HTTP/1.0\r\nHost: x\r\n\r\n")
t.eq(statuses(raw), [200], "an HTTP/1.0 page request is answered")

# 3. Requests refused while they are read: each answered, then closed.
for data, want, desc in (
        (b"GARBAGE\r\n\r\n", 400, "a request line without spaces"),
        (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505, "an unknown version"),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400,
         "a header line without a colon"),
        (b"GET /healthz HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host"),
        (b"POST /inloggen HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
         b"Content-Length: 6\r\n\r\nabcdef", 400, "two Content-Lengths"),
        (b"\x00\x01\x02\r\n\r\n", 400, "binary garbage"),
):
    raw = exchange(data)
    t.eq(statuses(raw), [want], "%s: %d, then closed" % (desc, want))
    t.ok(b"application/problem+json" in raw, "%s: problem+json" % desc)

# 4. Pipelining: three requests in one packet, the last closes.
raw = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
t.eq(statuses(raw), [200, 200, 200], "three pipelined requests, three answers")

# 5. Clients that go away at every moment.
for data in (b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
             b"POST /inloggen HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
             b"\r\nabc",
             b"GET /pilots HTTP/1.1\r\nHost: x\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", m.port), timeout=5)
    s.sendall(data)
    s.close()
s = socket.create_connection(("127.0.0.1", m.port), timeout=5)
s.sendall(b"GET /pilots HTTP/1.1\r\nHost: x\r\n\r\n")
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00"
             b"\x00\x00")
s.close()					# a reset mid-response
raw = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", shut=True)
t.eq(statuses(raw), [200], "a half-closed client still gets its answer")

# 6. Connections left open past each timeout.
idle = [socket.create_connection(("127.0.0.1", m.port)) for _ in range(5)]
half = socket.create_connection(("127.0.0.1", m.port))
half.sendall(b"GET /healthz HTTP/1.1\r\n")
kept = socket.create_connection(("127.0.0.1", m.port))
kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")

# Wait past the longest timeout, with a margin for a sanitizer build.
longest = max(TIMEOUTS.values())
time.sleep(longest * 2 + 8)
t.ok(m.proc.poll() is None, "meentd is alive %d s later" % (longest * 2 + 8))
t.eq(m.get("/healthz").status, 200, "and still answers")
for s in idle + [half, kept]:
    s.close()

# Once more, after the connections above were closed by the client.
time.sleep(2)
t.eq(m.get("/healthz").status, 200, "still answering after the closes")
t0 = time.time()
finish(t, m)
