#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Cold latency of the pages about one municipality, for tests/bench/peers.sh.

    peers_cold.py PORT TOKEN SESSION [SAMPLES]

Against a running meentd on 127.0.0.1:PORT: for SAMPLES municipalities
(chosen with a fixed seed), a write first (a new public pilot through the
API, with TOKEN, in turn of each size class, which makes every cached
answer stale), then the first request of each page, timed on one
keep-alive connection:

  gemeente     GET /gemeenten/{code}
  home         GET / with the "mijn gemeente" cookie set to code
  home-login   the same, signed in (SESSION, a session cookie)

and then the same request again (warm: from a cache where there is one).
Prints p50, p95 and the worst per page, in milliseconds.
"""
import http.client
import json
import random
import sys
import time

port, token, session = int(sys.argv[1]), sys.argv[2], sys.argv[3]
samples = int(sys.argv[4]) if len(sys.argv) > 4 else 40
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)


def request(method, path, headers=None, body=None):
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data


def timed(path, headers):
    t0 = time.perf_counter()
    status, _ = request("GET", path, headers)
    ms = (time.perf_counter() - t0) * 1000
    if status != 200:
        sys.exit("GET %s: %d" % (path, status))
    return ms


def write(i):
    body = json.dumps({"titel": "Koude meting %d" % i,
                       "samenvatting": "Een pilot voor de meting.",
                       "domein": "jeugd", "status": "lopend",
                       "start": "2025-01-06", "vraag": "Hoe snel?",
                       "zichtbaarheid": "openbaar"})
    status, data = request("POST", "/api/v1/pilots", {
        "Authorization": "Bearer " + token,
        "Content-Type": "application/json"}, body)
    if status != 201:
        sys.exit("POST /api/v1/pilots: %d %s" % (status, data[:200]))


codes = []
page = 1
while True:
    status, data = request("GET", "/api/v1/gemeenten?pageSize=100&page=%d"
                           % page)
    got = json.loads(data)["gemeenten"]
    codes += [g["code"] for g in got]
    if not got or len(codes) >= json.loads(data)["totaal"]:
        break
    page += 1
random.seed(14)
chosen = random.sample(codes, min(samples, len(codes)))

pages = {
    "gemeente": lambda c: ("/gemeenten/" + c, {}),
    "home": lambda c: ("/", {"Cookie": "meent_gemeente=" + c}),
    "home-login": lambda c: ("/", {"Cookie": "%s; meent_gemeente=%s" %
                                   (session, c)}),
}
cold = {k: [] for k in pages}
warm = {k: [] for k in pages}
for i, code in enumerate(chosen):
    for name, make in pages.items():
        path, headers = make(code)
        write(i)
        cold[name].append(timed(path, headers))
        warm[name].append(timed(path, headers))


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


for name in pages:
    for what, v in (("cold", cold[name]), ("again", warm[name])):
        print("%-5s %-11s n=%d  p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms" %
              (what, name, len(v), pct(v, 0.5), pct(v, 0.95), max(v)))
