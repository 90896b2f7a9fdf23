# SPDX-License-Identifier: EUPL-1.2
"""Authentication: API tokens (hashed, scoped, expiring, revocable at once),
passwords (Argon2id, rate-limited), web sessions (cookie flags, same-origin
writes, never the API's writes), and the JSON API's bad-input answers."""
import hashlib
import re
import time

from harness import Instance, Tap, finish

t = Tap()
m = Instance(settings={"login_per_minute": 5}).start()
origin = lambda: "http://127.0.0.1:%d" % m.port

admin = m.token("GM0275", "admin")
viewer = m.token("GM0275", "viewer")
other_admin = m.token("GM0014", "admin")

t.ok(re.fullmatch(r"meent_[A-Za-z0-9_-]{43}", admin) is not None,
     "meentctl token create prints only the token")
digests = [bytes(r[0]) for r in m.sql("SELECT digest FROM tokens")]
t.ok(hashlib.sha256(admin.encode()).digest() in digests,
     "the database holds the token's SHA-256")
t.ok(all(admin.encode() not in d for d in digests) and
     admin not in open(m.data + "/meent.db", "rb").read().decode("latin-1"),
     "the database never holds the token itself")

r = m.get("/api/v1/ik", token=admin)
t.eq(r.status, 200, "/ik with a token")
ik = r.json()
t.eq((ik["gemeente"]["code"], ik["rol"], ik["via"]), ("GM0275", "admin",
     "token"), "/ik names municipality, role and kind")
t.eq(r.header("Cache-Control"), "private, no-cache",
     "authenticated answers are private")

for bad, desc in [("Bearer", "empty bearer"), ("Bearer meent_x", "short token"),
                  ("Bearer " + admin[:-1] + ("A" if admin[-1] != "A" else "B"),
                   "a token off by one character"),
                  ("Basic YWRtaW46YWRtaW4=", "basic auth"),
                  ("Bearer " + admin + "x", "a token with a character more")]:
    r = m.get("/api/v1/ik", headers={"Authorization": bad})
    t.eq(r.status, 401, "401 for %s" % desc)
    t.ok('error="invalid_token"' in (r.header("WWW-Authenticate") or ""),
         "WWW-Authenticate says invalid_token for %s" % desc)
r = m.get("/api/v1/gemeenten/GM0275", headers={"Authorization":
                                              "Bearer meent_nope"})
t.eq(r.status, 401, "a bad token is 401 even on a public route")

# Roles: a viewer may not manage tokens.
r = m.request("POST", "/api/v1/tokens", body={"naam": "x"}, token=viewer)
t.eq(r.status, 403, "viewer creating a token: 403")
t.eq(r.header("Content-Type"), "application/problem+json", "403 is problem")

# Admin makes a token through the API; it works at once.
r = m.request("POST", "/api/v1/tokens", token=admin,
              body={"naam": "koppeling", "rol": "editor",
                    "verlooptNaDagen": 30})
t.eq(r.status, 201, "admin creates a token")
made = r.json()
t.ok(made["token"].startswith("meent_") and made["rol"] == "editor",
     "the answer holds the secret once")
t.eq(r.header("Location"), "/api/v1/tokens/%d" % made["id"], "Location")
t.eq(m.get("/api/v1/ik", token=made["token"]).json()["rol"], "editor",
     "the new token works with its role")
lst = m.get("/api/v1/tokens", token=admin).json()
t.ok(all("token" not in x for x in lst["tokens"]) and
     made["token"] not in str(lst), "lists never show secrets")
t.ok(all(x["id"] != 3 for x in lst["tokens"]),
     "another municipality's token is not listed")

# Bad input to the JSON API: all fields listed; nothing stored.
count = lambda: m.sql("SELECT count(*) FROM tokens")[0][0]
n0 = count()
r = m.request("POST", "/api/v1/tokens", token=admin,
              body={"naam": "x" * 101, "rol": "baas", "verlooptNaDagen": 0,
                    "extra": 1})
t.eq(r.status, 400, "invalid fields: 400")
t.eq(sorted(p["name"] for p in r.json()["invalidParams"]),
     ["extra", "naam", "rol", "verlooptNaDagen"], "all four are listed")
r = m.request("POST", "/api/v1/tokens", token=admin, body='{"naam": "x",',
              headers={"Content-Type": "application/json"})
t.eq(r.status, 400, "malformed JSON: 400")
reason = r.json()["invalidParams"][0]["reason"]
t.ok("regel 1" in reason and "kolom" in reason, "it says where", reason)
r = m.request("POST", "/api/v1/tokens", token=admin, body='[1]',
              headers={"Content-Type": "application/json"})
t.eq(r.status, 400, "a JSON array instead of an object: 400")
r = m.request("POST", "/api/v1/tokens", token=admin, body='{"a":1,"a":2}',
              headers={"Content-Type": "application/json"})
t.eq(r.status, 400, "duplicate keys: 400")
r = m.request("POST", "/api/v1/tokens", token=admin, body="naam=x",
              headers={"Content-Type": "application/x-www-form-urlencoded"})
t.eq(r.status, 415, "a form to the JSON API: 415")
r = m.request("POST", "/api/v1/tokens", token=viewer, body={"rol": "admin"})
t.eq(r.status, 403, "a viewer cannot make an admin token")
editor = m.token("GM0275", "editor")
t.eq(count(), n0 + 1, "only the meentctl token was added")
r = m.request("POST", "/api/v1/tokens", token=admin, body={"rol": "admin"})
t.eq(r.status, 201, "an admin may make an admin token")

# Revocation and expiry act at once; another municipality's token is 404.
r = m.request("DELETE", "/api/v1/tokens/%d" % made["id"], token=other_admin)
t.eq(r.status, 404, "revoking another municipality's token: 404")
r = m.request("DELETE", "/api/v1/tokens/%d" % made["id"], token=admin)
t.eq(r.status, 204, "revoke")
t.eq(m.get("/api/v1/ik", token=made["token"]).status, 401,
     "a revoked token is refused at once")
r = m.request("DELETE", "/api/v1/tokens/%d" % made["id"], token=admin)
t.eq(r.status, 410, "revoking twice: 410")
r = m.request("DELETE", "/api/v1/tokens/abc", token=admin)
t.eq(r.status, 400, "a non-numeric id: 400")
exp = m.token("GM0275", "viewer", expires=1)
t.eq(m.get("/api/v1/ik", token=exp).status, 200, "a token before expiry")
m.sql("UPDATE tokens SET expires = ? WHERE digest = ?",
      (int(time.time()) - 1, hashlib.sha256(exp.encode()).digest()))
t.eq(m.get("/api/v1/ik", token=exp).status, 401, "an expired token: 401")
p = m.ctl("token", "revoke", "1")
t.eq(p.returncode, 0, "meentctl token revoke")
t.eq(m.get("/api/v1/ik", token=admin).status, 401,
     "revoked by meentctl while meentd runs: refused at once")

# Passwords and web sessions.
p = m.ctl("user", "add", "analist@rheden.example.nl", "--gemeente", "GM0275",
          "--role", "editor", input="correct paard batterij\n")
t.ok(p.returncode == 0, "meentctl user add", p.stderr)
ph = m.sql("SELECT password_hash FROM users")[0][0]
t.ok(ph.startswith("$argon2id$") and "m=65536" in ph and "t=2" in ph,
     "passwords are Argon2id, 64 MiB, t=2", ph)
p = m.ctl("user", "add", "kort@x.nl", "--gemeente", "GM0275", "--role",
          "viewer", input="kort\n")
t.ok(p.returncode != 0, "a short password is refused")

form = "application/x-www-form-urlencoded"
good = "email=analist%40rheden.example.nl&wachtwoord=correct+paard+batterij"
r = m.request("POST", "/inloggen", body=good, headers={"Content-Type": form})
t.eq(r.status, 403, "a login form without Origin: 403")
r = m.request("POST", "/inloggen", body=good, headers={
    "Content-Type": form, "Origin": "http://evil.example"})
t.eq(r.status, 403, "a login form from another origin: 403")
# DNS rebinding: a name of the attacker's that resolves to this server
# sends its own Host, and an Origin that matches it. The base URL decides.
rebound = "rebound.example:%d" % m.port
r = m.request("POST", "/inloggen", body=good, headers={
    "Content-Type": form, "Host": rebound, "Origin": "http://" + rebound})
t.eq(r.status, 403, "Origin equal to a rebound Host, not the base URL: 403")
r = m.request("POST", "/inloggen", body="email=", headers={
    "Content-Type": form, "Origin": origin().upper().replace("HTTP", "http")})
t.eq(r.status, 400, "the host's case does not matter (past the origin check "
     "to the form's own 400)")
r = m.request("POST", "/inloggen", body=good, headers={
    "Content-Type": form, "Origin": origin()})
t.eq(r.status, 303, "login: 303")
cookie = r.header("Set-Cookie") or ""
t.ok("HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie,
     "the session cookie is HttpOnly and SameSite=Lax", cookie)
value = cookie.split(";")[0]
t.ok(value.startswith("meent_sessie="), "plain http: no __Host- prefix")
r = m.get("/api/v1/ik", headers={"Cookie": value})
t.eq((r.status, r.json().get("via")), (200, "sessie"),
     "a session reads the API")
r = m.request("POST", "/api/v1/tokens", body={"naam": "x"}, headers={
    "Cookie": value, "Origin": origin()})
t.eq(r.status, 401, "a cookie never authenticates an API write")
page = m.get("/", headers={"Cookie": value}).body.decode()
t.ok("Uitloggen" in page, "the page shows the session")
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
r = m.request("POST", "/uitloggen", body="csrf=wrong", headers={
    "Cookie": value, "Origin": origin(), "Content-Type": form})
t.eq(r.status, 403, "logout with a wrong CSRF token: 403")
r = m.request("POST", "/uitloggen", body="csrf=" + csrf, headers={
    "Cookie": value, "Sec-Fetch-Site": "same-origin", "Content-Type": form})
t.eq(r.status, 303, "logout (Sec-Fetch-Site same-origin)")
t.ok("Max-Age=0" in (r.header("Set-Cookie") or ""), "logout clears the cookie")
r = m.get("/api/v1/ik", headers={"Cookie": value})
t.eq(r.status, 401, "the session is gone after logout")

# Rate limit: 5 attempts a minute per address, before any hashing.
codes = []
t0 = time.time()
for i in range(8):
    r = m.request("POST", "/inloggen", headers={"Content-Type": form,
                  "Origin": origin()},
                  body="email=analist%40rheden.example.nl&wachtwoord=fout" +
                  "x" * 10)
    codes.append(r.status)
# The successful login above spent one of the five.
t.eq(codes[:4], [401] * 4, "wrong passwords: 401")
t.ok(all(c == 429 for c in codes[4:]), "then 429", codes)
r = m.request("POST", "/inloggen", body=good, headers={
    "Content-Type": form, "Origin": origin()})
t.eq(r.status, 429, "even the right password waits out the limit")
r = m.request("POST", "/inloggen", headers={"Content-Type": form,
              "Origin": origin()},
              body="email=onbekend%40x.nl&wachtwoord=" + "y" * 12)
t.eq(r.status, 429, "the address is limited too")
t.ok("analist" not in m.log() and "paard" not in m.log(),
     "no e-mail address or password in the log")

finish(t, m)
