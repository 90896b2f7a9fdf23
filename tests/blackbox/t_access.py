# SPDX-License-Identifier: EUPL-1.2
"""The access matrix, generated from the route table (`meentd --routes`):
every route is called as nobody, viewer, editor and admin, and must answer
401 or 403 exactly where its access level says so."""
import re
import subprocess

from harness import MEENTD, Instance, Tap, finish

t = Tap()
m = Instance().start()
tokens = {"anonymous": None}
for role in ("viewer", "editor", "admin"):
    tokens[role] = m.token("GM0275", role)
rank = {"anonymous": 0, "public": 0, "viewer": 1, "editor": 2, "admin": 3}

routes = []
for line in subprocess.run([MEENTD, "--routes"], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    method, pattern, access, flags, max_body, name = line.split("\t")
    routes.append((method, pattern, access, flags.split(","), name))
t.ok(len(routes) >= 10, "the route table is printed (%d routes)" % len(routes))
t.ok(all(a in rank for _, _, a, _, _ in routes), "every route has a level")


def concrete(pattern):
    return re.sub(r"\{[^}]+\}", lambda x: {"{code}": "GM0275"}.get(
        x.group(0), "999999"), pattern)


for method, pattern, access, flags, name in routes:
    path = concrete(pattern)
    for who, token in tokens.items():
        headers = {"Origin": "http://127.0.0.1:%d" % m.port}
        body = None
        if method in ("POST", "PUT", "PATCH"):
            if "web" in flags:
                body = "x=1"
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = "{}"
                headers["Content-Type"] = "application/json"
        r = m.request(method, path, body=body, headers=headers, token=token)
        need = rank[access]
        have = rank[who]
        if need == 0:
            ok = r.status not in (401, 403)
            want = "not 401/403"
        elif who == "anonymous":
            # A person on a web page is sent to the login form instead.
            ok = r.status == 401 or ("web" in flags and method == "GET" and
                                     r.status == 303 and
                                     r.header("Location") == "/inloggen")
            want = "401 (or, for a web page, 303 to /inloggen)"
        elif "web" in flags and method != "GET":
            # Web forms take cookie sessions only; a token is no session:
            # never a success (404 where the item does not exist).
            ok = r.status in (401, 403, 404)
            want = "401/403/404"
        elif have < need:
            ok = r.status == 403
            want = "403"
        else:
            ok = r.status not in (401, 403)
            want = "not 401/403"
        t.ok(ok, "%s %s as %s (%s): %s" % (method, pattern, who, access, want),
             "got %d: %s" % (r.status, r.body[:200]))
        t.ok(r.status < 500, "%s %s as %s: no 5xx" % (method, pattern, who),
             r.body[:200])

finish(t, m)
