# SPDX-License-Identifier: EUPL-1.2
"""HTTP conventions every route shares (API Design Rules): API-Version,
problem+json, no trailing slashes, 405 with Allow, ETag and 304, HEAD."""
import json

from harness import Instance, Tap, finish

t = Tap()
m = Instance().start()


def problem(r, status, desc):
    t.eq(r.status, status, desc + ": status %d" % status)
    t.eq(r.header("Content-Type"), "application/problem+json",
         desc + ": problem+json")
    try:
        p = r.json()
    except ValueError:
        t.ok(False, desc + ": body is JSON", r.body)
        return {}
    t.ok(p.get("status") == status and isinstance(p.get("title"), str)
         and isinstance(p.get("detail"), str) and p["detail"] != "",
         desc + ": status, title and detail", p)
    return p


# API-Version on every kind of response.
for path, method in [("/api/v1/gemeenten/GM0275", "GET"),
                     ("/api/v1/gemeenten", "GET"),
                     ("/api/v1/nergens", "GET"),
                     ("/api/v1/gemeenten", "DELETE"),
                     ("/api/v1/ik", "GET"),
                     ("/healthz", "GET")]:
    r = m.request(method, path)
    t.eq(r.header("API-Version"), "1.0.0", "API-Version on %s %s (%d)" %
         (method, path, r.status))
    t.ok(r.header("X-Request-Id") is not None and
         len(r.header("X-Request-Id")) == 16, "request id on %s %s" %
         (method, path))
    t.eq(r.header("X-Content-Type-Options"), "nosniff",
         "nosniff on %s %s" % (method, path))

problem(m.get("/api/v1/nergens"), 404, "unknown path")
problem(m.get("/api/v1/gemeenten/"), 404, "trailing slash")
problem(m.get("/api/v1/gemeenten/GM0275/"), 404, "trailing slash on an item")
problem(m.get("/api/v1//gemeenten"), 404, "double slash")

r = m.request("DELETE", "/api/v1/gemeenten/GM0275")
problem(r, 405, "wrong method")
t.eq(r.header("Allow"), "GET, HEAD, OPTIONS", "405 names the allowed methods")
r = m.request("PUT", "/healthz", body="x")
problem(r, 405, "PUT on /healthz")

r = m.request("OPTIONS", "/api/v1/gemeenten")
t.eq(r.status, 204, "OPTIONS answers 204")
t.eq(r.header("Allow"), "GET, HEAD, OPTIONS", "OPTIONS names the methods")

# ETag and If-None-Match.
r = m.get("/api/v1/gemeenten/GM0275")
etag = r.header("ETag")
t.ok(etag is not None and etag.startswith('"') and etag.endswith('"'),
     "GET sends a strong ETag", etag)
r2 = m.get("/api/v1/gemeenten/GM0275", headers={"If-None-Match": etag})
t.eq(r2.status, 304, "If-None-Match with the ETag gives 304")
t.eq(r2.body, b"", "304 has no body")
t.eq(r2.header("API-Version"), "1.0.0", "304 has API-Version")
r3 = m.get("/api/v1/gemeenten/GM0275",
           headers={"If-None-Match": '"other", W/' + etag})
t.eq(r3.status, 304, "a list with a weak form of the ETag matches")
r4 = m.get("/api/v1/gemeenten/GM0275", headers={"If-None-Match": '"nope"'})
t.eq(r4.status, 200, "another ETag gives 200")
r5 = m.get("/api/v1/gemeenten/GM0014")
t.ok(r5.header("ETag") != etag, "another resource has another ETag")

# HEAD is GET without the body.
r = m.request("HEAD", "/api/v1/gemeenten/GM0275")
t.eq(r.status, 200, "HEAD answers 200")
t.eq(r.body, b"", "HEAD has no body")
t.eq(r.header("ETag"), etag, "HEAD has the same ETag")

# OpenAPI: public, CORS, valid JSON, the rules' basics.
r = m.get("/api/v1/openapi.json")
t.eq(r.status, 200, "openapi.json is public")
t.eq(r.header("Access-Control-Allow-Origin"), "*", "openapi.json has CORS *")
doc = r.json()
t.ok(doc["openapi"].startswith("3.0."), "OpenAPI 3.0")
t.ok("/openapi.json" in doc["paths"], "openapi.json describes itself")

# Malformed query strings and oversized parameters are 400, not 500.
r = m.get("/api/v1/gemeenten?page=0&pageSize=1000&grootteklasse=9"
          "&provincie=Atlantis&lid=misschien")
p = problem(r, 400, "five invalid parameters")
names = sorted(x["name"] for x in p.get("invalidParams", []))
t.eq(names, ["grootteklasse", "lid", "page", "pageSize", "provincie"],
     "all five are listed in one 400")
r = m.get("/api/v1/gemeenten?page=%zz")
t.ok(r.status in (200, 400), "a bad percent escape is not a 500", r)

# Web pages are HTML with a strict CSP.
r = m.get("/")
t.eq(r.status, 200, "start page")
t.ok(r.header("Content-Type").startswith("text/html"), "start page is HTML")
t.ok("frame-ancestors 'none'" in (r.header("Content-Security-Policy") or ""),
     "HTML has a CSP")
r = m.get("/static/meent.css")
t.eq(r.status, 200, "stylesheet served")

# Keep-alive under concurrency: 48 connections, 30 requests each, none
# dropped (a stray write event once made evhttp finish an unread request).
import http.client
import threading

drops = []


def keepalive_client():
    c = http.client.HTTPConnection("127.0.0.1", m.port, timeout=10)
    for i in range(30):
        try:
            c.request("GET", "/api/v1/gemeenten/GM0275")
            resp = c.getresponse()
            resp.read()
            if resp.status != 200:
                drops.append("status %d" % resp.status)
        except Exception as e:  # noqa: BLE001 - any failure is a drop
            drops.append("%s after %d" % (type(e).__name__, i))
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", m.port, timeout=10)
    c.close()


workers = [threading.Thread(target=keepalive_client) for _ in range(48)]
for w in workers:
    w.start()
for w in workers:
    w.join()
t.eq(drops, [], "48 keep-alive connections x 30 requests: nothing dropped")

# The log: one JSON line per request with a request id, no addresses.
lines = [l for l in m.log_lines() if l.get("event") == "http.request"]
t.ok(len(lines) > 10, "access log lines are JSON")
t.ok(all(len(l.get("rid", "")) == 16 for l in lines),
     "every access line has the request id")
t.ok(all("127.0.0.1" not in json.dumps(l) for l in lines),
     "no client address in the access log")
t.ok(not any("Atlantis" in json.dumps(l) for l in m.log_lines()),
     "no query string in the log")

finish(t, m)
