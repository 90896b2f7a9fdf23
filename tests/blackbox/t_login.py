# SPDX-License-Identifier: EUPL-1.2
"""Logins under attack: limits per address (the real one, from a trusted
proxy only), delays per account that grow instead of a lock, device
cookies that let the real user in during a flood, and Argon2id on its own
small pool so that logins never hold up reads."""
import threading
import time
import urllib.parse

from harness import Instance, Tap, finish

t = Tap()
FORM = "application/x-www-form-urlencoded"
EMAIL = "analist@rheden.example.nl"
PASSWORD = "correct paard batterij"


def body(email, pw):
    return urllib.parse.urlencode({"email": email, "wachtwoord": pw})


def login(m, pw, email=EMAIL, xff=None, cookie=None):
    h = {"Content-Type": FORM, "Origin": "http://127.0.0.1:%d" % m.port}
    if xff:
        h["X-Forwarded-For"] = xff
    if cookie:
        h["Cookie"] = cookie
    return m.request("POST", "/inloggen", body=body(email, pw), headers=h)


def cookies(r):
    """name=value of each Set-Cookie."""
    return dict(c.split(";", 1)[0].split("=", 1)
                for c in r.headers_all("Set-Cookie"))


# --- Behind a trusted proxy: each client its own address bucket. ---------
m = Instance(settings={"login_per_minute": 3, "trusted_proxy": "127.0.0.1"}
             ).start()
m.ctl("user", "add", EMAIL, "--gemeente", "GM0275", "--role", "editor",
      input=PASSWORD + "\n", check=True)
m.ctl("user", "add", "b@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input=PASSWORD + "\n", check=True)

codes = [login(m, "fout" * 3, email="x%d@x.nl" % i, xff="192.0.2.1").status
         for i in range(4)]
t.eq(codes, [401, 401, 401, 429], "one client: 3 attempts a minute, then "
     "429")
r = login(m, "fout" * 3, email="y@x.nl", xff="192.0.2.2")
t.eq(r.status, 401, "another client behind the same proxy has its own bucket")
r = login(m, "fout" * 3, email="y@x.nl", xff="10.9.9.9, 192.0.2.1")
t.eq(r.status, 429, "the rightmost untrusted hop counts, not what the "
     "client wrote to its left")
r = login(m, "fout" * 3, email="y@x.nl", xff="garbage")
t.eq(r.status, 401, "an unreadable hop: the proxy's own address")

# --- Growing delays per account, not a lock. ------------------------------
codes = [login(m, "fout" * 3, email="b@rheden.example.nl",
               xff="198.51.100.%d" % i).status for i in range(6)]
t.eq(codes, [401] * 5 + [429], "5 wrong passwords from anywhere, then the "
     "account asks to wait")
r = login(m, PASSWORD, email="b@rheden.example.nl", xff="198.51.100.99")
t.eq(r.status, 429, "... even with the right password, from a new browser")
wait = int(r.header("Retry-After") or 0)
t.ok(1 <= wait <= 3, "the first delay is about 2 s", wait)
t.ok("seconden" in r.body.decode(), "the page says how long, in words")
time.sleep(wait + 0.2)
r = login(m, "fout" * 3, email="b@rheden.example.nl", xff="198.51.100.98")
t.eq(r.status, 401, "after the delay, an attempt is heard")
r = login(m, "fout" * 3, email="b@rheden.example.nl", xff="198.51.100.97")
wait2 = int(r.header("Retry-After") or 0)
t.ok(r.status == 429 and wait2 > wait, "the next delay is longer (%d s)" %
     wait2, r)
time.sleep(wait2 + 0.2)
r = login(m, PASSWORD, email="b@rheden.example.nl", xff="198.51.100.96")
t.eq(r.status, 303, "after waiting, the right password gets in")
r = login(m, "fout" * 3, email="b@rheden.example.nl", xff="198.51.100.95")
t.eq(r.status, 401, "a success starts the account afresh")

# --- A flood does not keep the real user out of her own browser. ----------
r = login(m, PASSWORD, xff="203.0.113.7")
t.eq(r.status, 303, "the real user signs in once (her usual browser)")
jar = cookies(r)
t.ok("meent_apparaat" in jar, "and gets a device cookie")
t.ok(any("SameSite=Strict" in c and "HttpOnly" in c
         for c in r.headers_all("Set-Cookie") if "apparaat" in c),
     "the device cookie is HttpOnly and SameSite=Strict")
device = "meent_apparaat=" + jar["meent_apparaat"]

flood = []


def attacker(base):
    for i in range(10):
        flood.append(login(m, "geraden%d" % i + "x" * 8,
                           xff="100.64.%d.%d" % (base, i)).status)


threads = [threading.Thread(target=attacker, args=(k,)) for k in range(10)]
for th in threads:
    th.start()
for th in threads:
    th.join()
t.ok(flood.count(429) > 80, "100 wrong passwords from 100 addresses: most "
     "are turned away before hashing (%d)" % flood.count(429))
r = login(m, PASSWORD, xff="203.0.113.7", cookie=device)
t.eq(r.status, 303, "the real user, in her own browser, gets straight in")
r = login(m, PASSWORD, xff="203.0.113.8")
t.eq(r.status, 429, "from a browser the account does not know she waits")
t.ok(int(r.header("Retry-After") or 0) <= 301, "... at most five minutes")
forged = "meent_apparaat=" + jar["meent_apparaat"][:-2] + "AA"
r = login(m, PASSWORD, xff="203.0.113.9", cookie=forged)
t.eq(r.status, 429, "a forged device cookie counts for nothing")
r = login(m, PASSWORD, email="b@rheden.example.nl", xff="203.0.113.10",
          cookie=device)
t.eq(r.status, 303, "a device cookie is not another account's: b's "
     "delay is its own (b is not flooded)")
finish(t, m, done=False)

# --- Without trusted_proxy a forged X-Forwarded-For changes nothing. -------
m = Instance(settings={"login_per_minute": 3}).start()
codes = [login(m, "fout" * 3, email="z%d@x.nl" % i,
               xff="192.0.2.%d" % i).status for i in range(4)]
t.eq(codes, [401, 401, 401, 429], "a forged X-Forwarded-For is ignored: "
     "one bucket, the real peer's")
finish(t, m, done=False)

# --- Argon2id on its own pool: a full pool answers 503, reads go on. -------
m = Instance(settings={"login_per_minute": 1000, "login_threads": 1,
                       "login_queue": 1}).start()
results = []


def one(i):
    results.append(login(m, "fout" * 3, email="p%d@x.nl" % i).status)


threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
for th in threads:
    th.start()
reads = [m.get("/healthz").status for _ in range(5)]
for th in threads:
    th.join()
t.ok(set(results) <= {401, 503} and 503 in results,
     "12 logins at once on a pool of 1 + 1: the rest get 503", results)
t.eq(reads, [200] * 5, "reads are served while passwords are hashed")
r = login(m, "fout" * 3, email="q@x.nl")
t.eq(r.status, 401, "after the burst, logins are heard again")
metrics = m.get("/metrics").body.decode()
t.ok('meent_jobs_total{pool="password",outcome="refused"}' in metrics,
     "the password pool's refusals are in /metrics")
finish(t, m)
