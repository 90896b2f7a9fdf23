# SPDX-License-Identifier: EUPL-1.2
"""Hostile clients, without logging in: what they send is refused before it
costs memory, on every request of a connection (not only the first), and
100 of them at once neither grow meentd's memory past a stated bound nor
stop it from answering others.

Memory is measured on the release build (ASan's shadow memory and
quarantine would hide what matters); the wire checks run on both."""
import json
import re
import socket
import threading
import time

from harness import Instance, Tap, finish

t = Tap()
SETTINGS = {"header_timeout": 3, "request_timeout": 3, "keepalive_timeout": 5}


def statuses(raw):
    return [int(x) for x in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


def exchange(m, data, timeout=5):
    s = socket.create_connection(("127.0.0.1", m.port), timeout=timeout)
    try:
        s.sendall(data)
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


def problem(raw):
    """The problem+json body of the last response in raw."""
    body = raw.rsplit(b"\r\n\r\n", 1)[-1]
    try:
        return json.loads(body)
    except ValueError:
        return None


FIRST = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
NOTIFY = (b"POST /federation/v1/notify HTTP/1.1\r\nHost: x\r\n"
          b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
          b"\r\n")

# Each bad request sent as the *second* one of a connection, after a good
# one: the first is answered 200, the second refused, and nothing after it
# (a request smuggled behind a bad chunk would be a third answer).
SECOND = (
    (NOTIFY + b"0x5\r\nhello\r\n0\r\n\r\n", 400, "chunk size 0x5"),
    (NOTIFY + b"+5\r\nhello\r\n0\r\n\r\n", 400, "chunk size +5"),
    (NOTIFY + b" 5\r\nhello\r\n0\r\n\r\n", 400, "chunk size ' 5'"),
    (NOTIFY + b"5 zz\r\nhello\r\n0\r\n\r\n", 400, "chunk size '5 zz'"),
    (NOTIFY + b"5\r\nhelloXX0\r\n\r\n", 400, "no CRLF after a chunk"),
    (NOTIFY + b"-0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 400,
     "chunk size -0 with a smuggled request behind it"),
    (NOTIFY + b"0\r\nBad Trailer\r\n\r\n", 400, "a bad trailer field"),
    (b"POST /federation/v1/notify HTTP/1.1\r\nHost: x\r\nContent-Length: 3"
     b"\r\nContent-Length: 4\r\n\r\nabcd", 400, "duplicate Content-Length"),
    (b"POST /federation/v1/notify HTTP/1.1\r\nHost: x\r\nContent-Length: 4"
     b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
     "Content-Length and chunked"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400,
     "an empty header name"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400,
     "NUL in a header value"),
    (b"GET /healthz HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host"),
    (b"GET /healthz HTTP/1.1\nHost: x\n\n", 400, "bare LF"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
     b"0123456789", 413, "a body on a route that takes none"),
    (b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 20000"
     b"\r\n\r\n", 413, "over the route's cap (before credentials)"),
    (b"FROB / HTTP/1.1\r\nHost: x\r\n\r\n", 501, "an unknown method"),
    (b"GET /" + b"a" * 1100 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414,
     "a 1100-byte target"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 +
     b"\r\n\r\n", 431, "9000 bytes of headers"),
)


def wire_checks(m, label):
    for data, want, desc in SECOND:
        raw = exchange(m, FIRST + data)
        t.eq(statuses(raw), [200, want], "%s: second request, %s: %d" %
             (label, desc, want))
        p = problem(raw)
        t.ok(p is not None and p.get("status") == want and p.get("detail"),
             "%s: %s: problem+json with a reason" % (label, desc), raw[-300:])

    # A body is refused before it is read: no credentials, no body.
    s = m.connect()
    s.sendall(b"POST /api/v1/datasets HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: text/csv\r\nContent-Length: 33554432\r\n\r\n")
    raw = s.recv(65536)
    s.close()
    t.eq(statuses(raw), [401], "%s: an anonymous 32 MiB upload is 401 before"
         " a byte of it is sent" % label)
    s = m.connect()
    s.sendall(b"POST /api/v1/datasets HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"2000000\r\n")
    raw = s.recv(65536)
    s.close()
    t.eq(statuses(raw), [401], "%s: ... and chunked: 401 at the first "
         "chunk" % label)
    s = m.connect()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
              b"chunked\r\n\r\n1e00000\r\n" + b"a" * 65536)
    raw = s.recv(65536)
    s.close()
    t.eq(statuses(raw), [413], "%s: GET /healthz with a 30 MiB chunked body:"
         " 413 at once" % label)

    # Expect: 100-continue: the go-ahead only once the caller may send.
    token = m.token("GM0275", "admin")
    body = json.dumps({"naam": "koppeling", "rol": "viewer"}).encode()
    raw = exchange(m, b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n"
                   b"Authorization: Bearer " + token.encode() + b"\r\n"
                   b"Content-Type: application/json\r\nExpect: 100-continue"
                   b"\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" %
                   len(body) + body)
    t.eq(statuses(raw)[:1], [100], "%s: Expect: 100-continue gets 100 first"
         % label)
    raw = exchange(m, b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Type: application/json\r\nExpect: 100-continue"
                   b"\r\nContent-Length: 100\r\n\r\n")
    t.eq(statuses(raw), [401], "%s: ... but not without credentials" % label)


def non_reader(m, n, stop):
    """Pipeline n requests for a large answer and never read."""
    s = m.connect(timeout=30)
    req = b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"
    try:
        for _ in range(n):
            if stop.is_set():
                break
            s.sendall(req * 10)
    except OSError:
        pass
    stop.wait(20)
    s.close()


def slowloris(m, stop):
    s = m.connect(timeout=30)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        while not stop.is_set():
            s.sendall(b"X-A: b\r\n")
            time.sleep(0.5)
    except OSError:
        pass
    s.close()


def slow_body(m, stop):
    s = m.connect(timeout=30)
    try:
        s.sendall(b"POST /federation/v1/notify HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: 4096\r\n\r\n")
        while not stop.is_set():
            s.sendall(b"a")
            time.sleep(0.3)
    except OSError:
        pass
    s.close()


def big_anonymous(m, stop):
    """Announce 32 MiB without credentials and push it anyway."""
    s = m.connect(timeout=30)
    try:
        s.sendall(b"POST /api/v1/datasets HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: text/csv\r\nContent-Length: 33554432\r\n"
                  b"\r\n")
        chunk = b"a" * 65536
        for _ in range(512):
            if stop.is_set():
                break
            s.sendall(chunk)
    except OSError:
        pass
    s.close()


def storm(m, label, bound):
    rss0, _ = m.memory()
    stop = threading.Event()
    threads = []
    for fn in (slowloris, slow_body, big_anonymous):
        threads += [threading.Thread(target=fn, args=(m, stop))
                    for _ in range(25)]
    threads += [threading.Thread(target=non_reader, args=(m, 50, stop))
                for _ in range(25)]
    for th in threads:
        th.start()
    worst, answered, asked = 0.0, 0, 0
    t_end = time.time() + 12
    while time.time() < t_end:
        asked += 1
        t0 = time.time()
        try:
            if m.get("/healthz", timeout=10).status == 200:
                answered += 1
        except OSError:
            pass
        worst = max(worst, time.time() - t0)
        time.sleep(0.05)
    _, peak = m.memory()
    stop.set()
    for th in threads:
        th.join()
    t.eq(answered, asked, "%s: /healthz answered all %d times during 100 "
         "hostile connections" % (label, asked))
    # A figure, not an assertion: the machine is shared and noisy.
    print("# %s: worst /healthz during the storm: %.1f ms; RSS %.1f MB "
          "before, peak %.1f MB" % (label, worst * 1000, rss0 / 2**20,
                                    peak / 2**20))
    t.ok(peak < bound, "%s: peak RSS %.1f MB stays under %d MB" %
         (label, peak / 2**20, bound / 2**20))
    time.sleep(4)
    metrics = m.get("/metrics").body.decode()
    for reason in ("conn.deadline", "conn.slow_reader"):
        line = [l for l in metrics.splitlines() if l.startswith(
            'meent_http_refused_total{reason="%s"}' % reason)]
        t.ok(line and int(line[0].split()[-1]) > 0,
             "%s: counted: %s" % (label, reason), line)
    t.eq(m.get("/healthz").status, 200, "%s: serving after the storm" % label)


asan = Instance(settings=SETTINGS).start()
wire_checks(asan, "asan")
finish(t, asan, done=False)

release = Instance(settings=SETTINGS, release=True).start()
wire_checks(release, "release")
# Idle meentd is about 15 MB; each hostile connection may hold a head
# (8 KiB), a small body (4 KiB) or one answer being written (~0.2 MB here).
storm(release, "release", 96 * 2**20)
finish(t, release)
