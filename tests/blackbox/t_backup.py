# SPDX-License-Identifier: EUPL-1.2
"""Backups you can trust (issue 20, item 5): `meentctl backup` taken while
meentd writes pilots and attachments passes integrity_check and is one
moment's state; restored into another data directory (with the instance's
key) it gives a meentd that starts and serves the same pilots, versions
and attachment files (SHA-256 checked). `meentctl restore` refuses, before
anything is overwritten: while a meentd runs on the directory, a damaged
file, a file that is not a database, another program's database, another
instance's backup and one from a newer meent -- each with a message, and
the database unchanged. A second meentd on a directory in use does not
start."""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import threading
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance()
m.start(extra=["--seed", CONTENT])
ed = m.token("GM0275", "editor")

PILOT = {
    "titel": "Een pilot tijdens de back-up",
    "samenvatting": "Geschreven terwijl er een back-up liep.",
    "domein": "dienstverlening-en-burgerzaken", "status": "lopend",
    "vraag": "Blijft alles heel?", "zichtbaarheid": "openbaar",
    "aanpak": "Schrijven.", "data": "", "resultaten": "", "lessen": "",
    "privacy": "",
}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
       b"\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f"
       b"\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def sha(b):
    return hashlib.sha256(b).hexdigest()


# --- Backups while meentd writes ---------------------------------------------
stop = threading.Event()
written = []


def writer():
    i = 0
    while not stop.is_set() and i < 400:
        r = m.request("POST", "/api/v1/pilots", token=ed,
                      body=dict(PILOT, titel="Pilot %d tijdens de back-up"
                                % i))
        if r.status == 201:
            pid = r.json()["id"]
            written.append(pid)
            if i % 5 == 0:
                m.request("POST", "/api/v1/pilots/%s/bijlagen?naam=f%d.png"
                          % (pid, i), body=PNG + b"%d" % i, token=ed,
                          headers={"Content-Type": "image/png"})
        i += 1


th = threading.Thread(target=writer)
th.start()
backups = []
while len(backups) < 3 and th.is_alive():
    if len(written) < 10 * (len(backups) + 1):
        th.join(0.05)
        continue
    out = os.path.join(m.dir, "backup%d.db" % len(backups))
    p = m.ctl("backup", out)
    t.ok(p.returncode == 0, "backup %d while meentd writes" % len(backups),
         p.stderr)
    backups.append(out)
stop.set()
th.join()
t.ok(len(backups) == 3 and len(written) > 30,
     "three backups under a writer (%d pilots written)" % len(written))
for b in backups:
    db = sqlite3.connect(b)
    t.eq(db.execute("PRAGMA integrity_check").fetchone()[0], "ok",
         "%s passes integrity_check" % os.path.basename(b))
    db.close()


def snapshot(path):
    """What a database holds that a restore must keep."""
    db = sqlite3.connect(path)
    try:
        return (db.execute("SELECT id, versie, titel FROM pilots"
                           " ORDER BY id").fetchall(),
                db.execute("SELECT pilot, hash FROM pilot_bijlagen"
                           " ORDER BY pilot, hash").fetchall())
    finally:
        db.close()


# --- Restored elsewhere -------------------------------------------------------
last = backups[-1]
want_pilots, want_files = snapshot(last)
t.ok(len(want_files) > 0, "the backup has attachments (%d)" % len(want_files))
r = Instance(name="meent Hersteld")
shutil.copy(os.path.join(m.data, "instance.key"),
            os.path.join(r.data, "instance.key"))
os.chmod(os.path.join(r.data, "instance.key"), 0o600)
p = r.ctl("restore", last)
t.ok(p.returncode == 0 and "restored" in p.stdout,
     "restore into another data directory with the instance's key",
     p.stderr)
got_pilots, got_files = snapshot(os.path.join(r.data, "meent.db"))
t.eq((got_pilots, got_files), (want_pilots, want_files),
     "the same pilots (id, version, title) and attachment rows")
bad = []
for pid, h in got_files:
    f = os.path.join(r.data, "bijlagen", h[:2], h)
    if not os.path.exists(f) or sha(open(f, "rb").read()) != h:
        bad.append(h)
t.eq(bad, [], "and every attachment's file, its SHA-256 checked")
r.start()
t.eq(r.get("/readyz").status, 200, "the restored meentd starts and is ready")
sample = [x[0] for x in want_pilots if x[0] in written][-5:]
t.ok(sample and all(r.get("/api/v1/pilots/" + pid).json()["titel"] ==
                    m.get("/api/v1/pilots/" + pid).json()["titel"]
                    for pid in sample),
     "and serves the pilots written during the backup")
pid, h = got_files[0]
t.eq(r.get("/api/v1/pilots/%s/bijlagen/%s" % (pid, h)).status, 200,
     "and their attachments")

# --- Refusals: nothing is overwritten ---------------------------------------
before = snapshot(os.path.join(r.data, "meent.db"))
p = r.ctl("restore", backups[0])
t.ok(p.returncode == 1 and "running meentd" in p.stderr,
     "restore while meentd runs on the directory: refused", p.stderr)
t.eq(snapshot(os.path.join(r.data, "meent.db")), before,
     "and the database is unchanged")
t.eq(r.get("/readyz").status, 200, "meentd still serves")
q = subprocess.run(r.argv(), capture_output=True, text=True, timeout=30)
t.ok(q.returncode != 0 and "in use" in q.stderr,
     "a second meentd on the same directory does not start", q.stderr)
r.stop()

damaged = os.path.join(r.dir, "damaged.db")
shutil.copy(last, damaged)
size = os.path.getsize(damaged)
with open(damaged, "r+b") as f:
    for off in range(4096 * 3, size - 4096, 4096 * 7):
        f.seek(off + 100)
        f.write(os.urandom(200))
text = os.path.join(r.dir, "notes.txt")
with open(text, "w") as f:
    f.write("dit is geen database\n" * 100)
foreign = os.path.join(r.dir, "foreign.db")
db = sqlite3.connect(foreign)
db.execute("CREATE TABLE boodschappen (wat TEXT)")
db.execute("INSERT INTO boodschappen VALUES ('brood')")
db.commit()
db.close()
other = Instance(name="meent Ander")
other_backup = os.path.join(r.dir, "other.db")
other.ctl("backup", other_backup, check=True)
other.close()
newer = os.path.join(r.dir, "newer.db")
shutil.copy(last, newer)
db = sqlite3.connect(newer)
db.execute("PRAGMA user_version = 999")
db.commit()
db.close()
for path, why, what in [
        (damaged, "damaged", "a damaged backup"),
        (text, "not a database", "a text file"),
        (foreign, "not a meent backup", "another program's database"),
        (other_backup, "another instance", "another instance's backup"),
        (newer, "newer meent", "a backup from a newer meent"),
        (os.path.join(r.dir, "missing.db"), "No such file", "no file")]:
    p = r.ctl("restore", path)
    t.ok(p.returncode == 1 and why in p.stderr and
         len(p.stderr.strip().splitlines()) == 1,
         "%s: refused with one line saying so" % what, p.stderr)
    t.eq(snapshot(os.path.join(r.data, "meent.db")), before,
         "%s: the database is unchanged" % what)
r.start()
t.eq(r.get("/readyz").status, 200, "meentd starts again on it")
finish(t, m, r)
