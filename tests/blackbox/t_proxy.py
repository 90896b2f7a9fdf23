# SPDX-License-Identifier: EUPL-1.2
"""Who a request comes from (core/proxy.c): X-Forwarded-For, or Forwarded
(RFC 7239) with proxy_header = forwarded, believed only from a trusted
proxy (addresses and networks, IPv4 and IPv6); the rightmost address that
is not itself trusted; several fields of the header read as one list; the
other header ignored; X-Forwarded-Proto or proto= making cookies Secure.
The client meentd settled on is read from the access log's "client"
(access_log_client)."""
import http.client
import json
import urllib.parse

from harness import Instance, Tap, finish

t = Tap()
TRUSTED = "127.0.0.1, 192.0.2.0/24 2001:db8::/32"
EMAIL = "analist@rheden.example.nl"
PASSWORD = "correct paard batterij"


def last_client(m):
    for line in reversed(m.log().splitlines()):
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("event") == "http.request":
            return j.get("client")
    return None


def client(m, fields, source="127.0.0.1"):
    """GET /healthz with these (name, value) fields from source."""
    c = http.client.HTTPConnection("127.0.0.1", m.port, timeout=30,
                                   source_address=(source, 0))
    c.putrequest("GET", "/healthz")
    for k, v in fields:
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    r.read()
    c.close()
    return last_client(m)


XFF, FWD = "X-Forwarded-For", "Forwarded"
m = Instance(settings={"trusted_proxy": TRUSTED,
                       "access_log_client": "on"}).start()
cases = [
    ([(XFF, "203.0.113.5")], "203.0.113.5", "X-Forwarded-For from a trusted "
     "proxy is believed"),
    ([(XFF, "203.0.113.5, 192.0.2.9")], "203.0.113.5",
     "a hop in a trusted network is skipped"),
    ([(XFF, "198.51.100.1, 203.0.113.5")], "203.0.113.5",
     "the rightmost untrusted address, not what the client wrote left of it"),
    ([(XFF, "198.51.100.1"), (XFF, "203.0.113.6")], "203.0.113.6",
     "two X-Forwarded-For fields are one list (the proxy's is the last)"),
    ([(XFF, "2001:db9::1")], "2001:db9::1", "an IPv6 client"),
    ([(XFF, "203.0.113.5, 2001:db8::7")], "203.0.113.5",
     "a hop in a trusted IPv6 network is skipped"),
    ([(XFF, "::ffff:203.0.113.8")], "203.0.113.8",
     "an IPv4-mapped address is the IPv4 address"),
    ([(XFF, "unknown")], "127.0.0.1", "an unreadable hop: the proxy itself"),
    ([(XFF, "")], "127.0.0.1", "an empty header: the proxy itself"),
    ([(FWD, "for=198.51.100.7")], "127.0.0.1",
     "Forwarded is ignored when proxies set X-Forwarded-For"),
]
for fields, want, desc in cases:
    t.eq(client(m, fields), want, desc)
t.eq(client(m, [(XFF, "203.0.113.5")], source="127.0.0.2"), "127.0.0.2",
     "a forged X-Forwarded-For from an untrusted peer is ignored")
finish(t, m, done=False)

m = Instance(settings={"trusted_proxy": TRUSTED, "access_log_client": "on",
                       "proxy_header": "forwarded"}).start()
cases = [
    ([(FWD, "for=203.0.113.5;proto=https")], "203.0.113.5",
     "Forwarded's for= is believed with proxy_header = forwarded"),
    ([(FWD, 'for="[2001:db9:cafe::17]:4711"')], "2001:db9:cafe::17",
     "a quoted IPv6 node with a port"),
    ([(FWD, 'for=198.51.100.1, for="203.0.113.9:8080";proto=https')],
     "203.0.113.9", "a quoted IPv4 node with a port, the rightmost element"),
    ([(FWD, "for=203.0.113.5, for=192.0.2.3;by=192.0.2.1")], "203.0.113.5",
     "a trusted hop's element is skipped"),
    ([(FWD, "proto=https;For=203.0.113.10;host=x")], "203.0.113.10",
     "for= among other pairs, in any case"),
    ([(FWD, "for=_hidden")], "127.0.0.1",
     "an obfuscated node: the proxy itself"),
    ([(FWD, "for=198.51.100.2"), (FWD, "for=203.0.113.11")], "203.0.113.11",
     "two Forwarded fields are one list"),
    ([(XFF, "198.51.100.8")], "127.0.0.1",
     "X-Forwarded-For is ignored when proxies set Forwarded"),
]
for fields, want, desc in cases:
    t.eq(client(m, fields), want, desc)
t.eq(client(m, [(FWD, "for=203.0.113.5")], source="127.0.0.2"), "127.0.0.2",
     "a forged Forwarded from an untrusted peer is ignored")
finish(t, m, done=False)

# A bad trusted_proxy or proxy_header does not start.
for k, v in [("trusted_proxy", "10.0.0.0/33"), ("trusted_proxy", "proxy"),
             ("proxy_header", "x-real-ip")]:
    bad = Instance(settings={k: v})
    bad.start(wait=False)
    code = bad.proc.wait(timeout=60)
    t.ok(code == 2 and k in bad.log(), "%s = %s is refused" % (k, v),
         bad.log())
    bad.close()


# --- Secure cookies: the base URL is http, the proxy says https. ----------
def login(m, fields, source="127.0.0.1"):
    body = urllib.parse.urlencode({"email": EMAIL, "wachtwoord": PASSWORD})
    c = http.client.HTTPConnection("127.0.0.1", m.port, timeout=60,
                                   source_address=(source, 0))
    c.putrequest("POST", "/inloggen")
    c.putheader("Content-Type", "application/x-www-form-urlencoded")
    c.putheader("Origin", "http://127.0.0.1:%d" % m.port)
    c.putheader("Content-Length", str(len(body)))
    for k, v in fields:
        c.putheader(k, v)
    c.endheaders(body.encode())
    r = c.getresponse()
    r.read()
    c.close()
    return r.status, [v for k, v in r.getheaders()
                      if k.lower() == "set-cookie"]


for header, https, plain in [
        ("x-forwarded-for", ("X-Forwarded-Proto", "https"),
         ("X-Forwarded-Proto", "http")),
        ("forwarded", (FWD, "for=203.0.113.5;proto=https"),
         (FWD, "for=203.0.113.5;proto=http"))]:
    m = Instance(settings={"trusted_proxy": "127.0.0.1",
                           "proxy_header": header}).start()
    m.ctl("user", "add", EMAIL, "--gemeente", "GM0275", "--role", "editor",
          input=PASSWORD + "\n", check=True)
    status, cookies = login(m, [https])
    t.ok(status == 303 and len(cookies) == 2 and
         all("; Secure" in c for c in cookies),
         "%s: the proxy says https, the cookies are Secure" % header,
         (status, cookies))
    status, cookies = login(m, [plain])
    t.ok(status == 303 and cookies and
         not any("Secure" in c for c in cookies),
         "%s: over http they are not" % header, (status, cookies))
    status, cookies = login(m, [https], source="127.0.0.2")
    t.ok(status == 303 and cookies and
         not any("Secure" in c for c in cookies),
         "%s: an untrusted peer's https claim is ignored" % header,
         (status, cookies))
    finish(t, m, done=False)
t.done()
