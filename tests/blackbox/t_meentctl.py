# SPDX-License-Identifier: EUPL-1.2
"""meentctl: init refuses to overwrite, usage errors exit 2, backup while
meentd runs, check, a database newer than the binary is refused, and peer
add refuses malformed URLs and stores each peer in one spelling."""
import base64
import os
import sqlite3
import stat
import subprocess

from harness import MEENTCTL, MEENTD, Instance, Tap, ctl, finish

t = Tap()
m = Instance().start()

p = m.ctl("init")
t.eq(p.returncode, 1, "init on an existing instance fails")
t.ok("refuses to overwrite" in p.stderr, "and says why", p.stderr)
st = os.stat(os.path.join(m.data, "instance.key"))
t.eq(stat.S_IMODE(st.st_mode), 0o600, "the key file is private")
t.eq(st.st_size, 64, "the key file holds an Ed25519 secret key")
t.eq(stat.S_IMODE(os.stat(m.data).st_mode), 0o700, "the data dir is private")

for args, desc in [([], "no command"), (["frobnicate"], "unknown command"),
                   (["user", "add"], "user add without arguments"),
                   (["user", "add", "a@b.nl", "--gemeente", "GM0275"],
                    "user add without role"),
                   (["token", "create", "--gemeente", "GM0275", "--role",
                     "baas"], "an unknown role"),
                   (["token", "create", "--gemeente", "GM0275", "--role",
                     "viewer", "--expires", "nooit"], "bad expiry"),
                   (["token", "revoke"], "revoke without id"),
                   (["gemeente", "show"], "show without code"),
                   (["backup"], "backup without file")]:
    p = m.ctl(*args)
    t.eq(p.returncode, 2, "usage error exits 2: %s" % desc)
    t.ok("usage" in p.stderr, "and prints usage: %s" % desc)
p = subprocess.run([MEENTCTL, "init"], capture_output=True, text=True)
t.eq(p.returncode, 2, "no --data: usage, exit 2")

p = m.ctl("gemeente", "show", "GM0275")
t.ok(p.returncode == 0 and '"naam": "Rheden"' in p.stdout, "gemeente show")
p = m.ctl("gemeente", "show", "GM9999")
t.eq(p.returncode, 1, "gemeente show of an unknown code exits 1")
p = m.ctl("gemeente", "list", "--provincie", "Zeeland")
t.eq(len(p.stdout.splitlines()), 13, "gemeente list --provincie")
tok = m.token("GM0664", "editor")
p = m.ctl("gemeente", "list", "--lid")
t.ok(p.stdout.startswith("GM0664"), "gemeente list --lid", p.stdout)
p = m.ctl("token", "list")
t.ok("GM0664" in p.stdout and tok not in p.stdout, "token list, no secrets")
p = m.ctl("token", "create", "--gemeente", "GM9999", "--role", "viewer")
t.eq(p.returncode, 1, "a token for an unknown municipality is refused")

# Backup while meentd serves (and writes).
for i in range(20):
    m.request("POST", "/api/v1/tokens", token=m.token("GM0275", "admin"),
              body={"naam": "t%d" % i})
out = os.path.join(m.dir, "backup.db")
p = m.ctl("backup", out)
t.ok(p.returncode == 0, "backup while meentd runs", p.stderr)
db = sqlite3.connect(out)
t.eq(db.execute("PRAGMA integrity_check").fetchone()[0], "ok",
     "the backup passes integrity_check")
t.eq(db.execute("SELECT count(*) FROM gemeenten").fetchone()[0], 342,
     "the backup has the municipalities")
t.ok(db.execute("SELECT count(*) FROM tokens").fetchone()[0] >= 21,
     "the backup has the tokens")
db.close()
p = m.ctl("backup", out)
t.eq(p.returncode, 1, "backup refuses to overwrite")
p = m.ctl("check")
t.ok(p.returncode == 0 and p.stdout.strip() == "ok", "check: ok", p.stderr)
t.eq(m.get("/readyz").status, 200, "meentd still ready")
finish(t, m, done=False)

# A database from a newer meent is refused, with a message.
n = Instance()
latest = n.sql("PRAGMA user_version")[0][0]
n.sql("PRAGMA user_version = 999")
p = subprocess.run(n.argv(), capture_output=True, text=True, timeout=30)
t.ok(p.returncode != 0, "meentd refuses a newer schema")
t.ok("newer than this meent" in p.stderr + n.log(), "and says so", p.stderr)
p = n.ctl("check")
t.eq(p.returncode, 1, "meentctl refuses it too")
# A damaged key file is noticed.
n.sql("PRAGMA user_version = %d" % latest)
os.chmod(os.path.join(n.data, "instance.key"), 0o644)
p = subprocess.run(n.argv(), capture_output=True, text=True, timeout=30)
t.ok(p.returncode != 0 and "chmod 600" in p.stderr,
     "a key file readable by others is refused", p.stderr)
n.close()
# peer add: one strict URL parser, one spelling stored.
KEY = base64.b64encode(bytes(range(32))).decode()
q = Instance()
for url, why in [
        ("http://example.com", "loopback"),
        ("http://localhost:8080", "loopback"),
        ("http://10.0.0.1", "loopback"),
        ("https://[::1", "IPv6"),
        ("https://meent.example.nl:99999", "65535"),
        ("https://meent.example.nl:0", "65535"),
        ("https://user:geheim@meent.example.nl", "user"),
        ("https://@meent.example.nl", "user"),
        ("https://meent.example.nl/?a=1", "query"),
        ("https://meent.example.nl/#boven", "fragment"),
        ("https://meent.example.nl#", "fragment"),
        ("https://", "host"),
        ("https:///meent.example.nl", "host"),
        ("https:/meent.example.nl", "slashes"),
        ("ftp://meent.example.nl", "https://"),
        ("meent.example.nl", "https://"),
        ("https://meent example.nl", "ASCII"),
        ("https://[fe80::1%25eth0]", "zone")]:
    p = q.ctl("peer", "add", url, "--key", KEY)
    lines = p.stderr.strip().splitlines()
    t.ok(p.returncode == 1 and len(lines) == 1 and
         lines[0].startswith("meentctl: " + url + ": ") and why in lines[0],
         "peer add %s: refused, exit 1, one line naming it (%s)" % (url, why),
         (p.returncode, p.stderr))
t.eq(q.ctl("peer", "list").stdout, "", "nothing refused was stored")
p = q.ctl("peer", "add", "HTTPS://Meent.Example.NL:443/", "--key", KEY)
t.ok(p.returncode == 0 and "peer https://meent.example.nl added" in p.stdout,
     "peer add stores scheme and host in lower case, without the default "
     "port and the trailing slash", (p.stdout, p.stderr))
for url in ("https://meent.example.nl", "https://MEENT.example.nl//",
            "https://meent.example.nl:0443/x/.."):
    p = q.ctl("peer", "add", url, "--key", KEY)
    t.ok(p.returncode == 1 and "is a peer already" in p.stderr and
         len(p.stderr.strip().splitlines()) == 1,
         "%s: the same peer, refused" % url, (p.returncode, p.stderr))
for url, stored in [("https://meent.example.nl:8443/meent/",
                     "https://meent.example.nl:8443/meent"),
                    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
                    ("http://[::1]:8080", "http://[::1]:8080")]:
    p = q.ctl("peer", "add", url, "--key", KEY)
    t.ok(p.returncode == 0 and "peer %s added" % stored in p.stdout,
         "peer add %s: stored as %s" % (url, stored), (p.stdout, p.stderr))
listed = [l.split("\t")[0] for l in q.ctl("peer", "list").stdout.splitlines()]
t.eq(listed, ["https://meent.example.nl",
              "https://meent.example.nl:8443/meent",
              "http://127.0.0.1:8080", "http://[::1]:8080"],
     "peer list: each once, in its stored spelling")
p = q.ctl("peer", "remove", "https://Meent.Example.NL/")
t.ok(p.returncode == 0, "peer remove takes any spelling of it", p.stderr)
p = q.ctl("peer", "remove", "https://meent.example.nl")
t.eq(p.returncode, 1, "and it is gone")
q.close()

# Without init, meentd says what to do.
e = Instance(init=False)
p = subprocess.run(e.argv(), capture_output=True, text=True, timeout=30)
t.ok(p.returncode != 0 and "meentctl --data" in p.stderr and
     "Sanitizer" not in p.stderr, "meentd without init says "
     "to run init", p.stderr)
e.close()
t.done()
