# SPDX-License-Identifier: EUPL-1.2
"""meentd behind Debian's nginx with the shipped site configuration
(docs/nginx/meent.conf, only ports, names and paths substituted): TLS with
a self-signed certificate made here, HSTS, the redirect from http, the
body cap, and what meentd believes of the proxy (trusted_proxy): clients
from different addresses get their own login buckets, the access log names
the client, and a forged X-Forwarded-For is ignored, both through nginx
and sent to meentd directly. Clients come from 127.0.0.2 and 127.0.0.3
(all of 127/8 is loopback on Linux), nginx from 127.0.0.1."""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import time
import urllib.parse

from harness import TOP_SRC, Instance, Tap, finish, free_port

t = Tap()
NAME = "meent.example.nl"
SITE = os.path.join(TOP_SRC, "docs", "nginx", "meent.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
EMAIL = "analist@rheden.example.nl"

if not os.path.exists(NGINX):
    t.ok(False, "nginx is installed (scripts/deps --test)")
    t.done()
    raise SystemExit(0)

m = Instance(settings={"base_url": "https://" + NAME,
                       "trusted_proxy": "127.0.0.1",
                       "access_log_client": "on",
                       "login_per_minute": 2}).start()
m.ctl("user", "add", EMAIL, "--gemeente", "GM0275", "--role", "editor",
      input="correct paard batterij\n", check=True)

work = os.path.join(m.dir, "nginx")
os.makedirs(work)
key, crt = os.path.join(work, "key.pem"), os.path.join(work, "crt.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key, "-out", crt, "-days", "1",
                "-subj", "/CN=" + NAME], check=True, capture_output=True)
http_port, tls_port = free_port(), free_port()
site = open(SITE).read()
subst = [("listen 80;", "listen 127.0.0.1:%d;" % http_port),
         ("listen [::]:80;", ""),
         ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % tls_port),
         ("listen [::]:443 ssl http2;", ""),
         ("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % m.port),
         ("/etc/letsencrypt/live/%s/fullchain.pem" % NAME, crt),
         ("/etc/letsencrypt/live/%s/privkey.pem" % NAME, key)]
for a, b in subst:
    t.ok(a in site, "the shipped site has %r" % a)
    site = site.replace(a, b)
with open(os.path.join(work, "site.conf"), "w") as f:
    f.write(site)
with open(os.path.join(work, "nginx.conf"), "w") as f:
    f.write("""%s
worker_processes 1;
pid %s/nginx.pid;
error_log %s/error.log;
events { worker_connections 64; }
http {
	access_log %s/access.log;
	client_body_temp_path %s/body;
	proxy_temp_path %s/proxy;
	fastcgi_temp_path %s/fastcgi;
	uwsgi_temp_path %s/uwsgi;
	scgi_temp_path %s/scgi;
	include %s/site.conf;
}
""" % ((("user root;" if os.geteuid() == 0 else ""),) + (work,) * 9))
p = subprocess.run([NGINX, "-t", "-p", work, "-c", work + "/nginx.conf"],
                   capture_output=True, text=True)
t.eq(p.returncode, 0, "nginx -t accepts the shipped site")
if p.returncode != 0:
    print("# " + p.stderr.replace("\n", "\n# "))
nginx = subprocess.Popen([NGINX, "-p", work, "-c", work + "/nginx.conf",
                          "-g", "daemon off;"], stderr=subprocess.PIPE)

CTX = ssl.create_default_context()
CTX.load_verify_locations(crt)
CTX.check_hostname = False


def via(method, path, source, body=None, headers=None, tls=True):
    """A request through nginx from source (an address of 127/8)."""
    h = {"Host": NAME}
    h.update(headers or {})
    for _ in range(100):
        if tls:
            c = http.client.HTTPSConnection("127.0.0.1", tls_port, timeout=30,
                                            context=CTX,
                                            source_address=(source, 0))
        else:
            c = http.client.HTTPConnection("127.0.0.1", http_port,
                                           timeout=30,
                                           source_address=(source, 0))
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), \
                r.read()
        except ConnectionRefusedError:
            time.sleep(0.05)    # nginx is still starting
        finally:
            c.close()
    raise RuntimeError("nginx does not answer")


def login(source, xff=None):
    h = {"Content-Type": "application/x-www-form-urlencoded",
         "Origin": "https://" + NAME}
    if xff:
        h["X-Forwarded-For"] = xff
    b = urllib.parse.urlencode({"email": "x@x.nl", "wachtwoord": "fout" * 3})
    return via("POST", "/inloggen", source, body=b, headers=h)[0]


def access_clients(route):
    out = []
    for line in m.log().splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("event") == "http.request" and j.get("route") == route:
            out.append(j.get("client"))
    return out


try:
    status, h, body = via("GET", "/healthz", "127.0.0.2")
    t.eq(status, 200, "meentd answers through nginx over TLS")
    t.ok(h.get("strict-transport-security", "").startswith("max-age="),
         "HSTS on answers", h)
    status, h, _ = via("GET", "/pilots?x=1", "127.0.0.2", tls=False)
    t.eq((status, h.get("location")), (301, "https://%s/pilots?x=1" % NAME),
         "plain http redirects to https")
    status, _, _ = via("GET", "/metrics", "127.0.0.2")
    t.eq(status, 404, "/metrics is not served through nginx")

    # Two clients, two addresses: each its own bucket (2 a minute).
    a = [login("127.0.0.2") for _ in range(3)]
    t.eq(a, [401, 401, 429], "client A: 2 attempts, then 429")
    t.eq(login("127.0.0.3"), 401, "client B behind the same nginx is not "
         "limited by A's attempts")
    # A forges its address: nginx appends the real one, meentd takes it.
    t.eq(login("127.0.0.2", xff="192.0.2.77"), 429,
         "a forged X-Forwarded-For through nginx does not escape A's bucket")
    clients = access_clients("web.login")
    t.eq(clients, ["127.0.0.2"] * 3 + ["127.0.0.3", "127.0.0.2"],
         "the access log names each client, not nginx")
    t.ok("192.0.2.77" not in m.log(), "the forged address is nowhere")

    # Sent to meentd directly (not from the trusted proxy): ignored.
    c = http.client.HTTPConnection("127.0.0.1", m.port, timeout=30,
                                   source_address=("127.0.0.3", 0))
    c.request("GET", "/healthz", headers={"X-Forwarded-For": "192.0.2.88",
                                          "X-Forwarded-Proto": "https"})
    t.eq(c.getresponse().status, 200, "a direct request with forged headers")
    c.close()
    t.eq(access_clients("healthz")[-1], "127.0.0.3",
         "a direct forged X-Forwarded-For is ignored (the peer is logged)")

    # The body cap: nginx stops what no route of meentd would take.
    big = b"x" * (33619968 + 1)
    status, _, _ = via("POST", "/api/v1/datasets", "127.0.0.2", body=big,
                       headers={"Content-Type": "text/csv"})
    t.eq(status, 413, "past meentd's largest cap nginx answers 413")
finally:
    nginx.terminate()
    try:
        nginx.wait(timeout=10)
    except subprocess.TimeoutExpired:
        nginx.kill()
        nginx.wait()
finish(t, m)
