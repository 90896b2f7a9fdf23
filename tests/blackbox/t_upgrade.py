# SPDX-License-Identifier: EUPL-1.2
"""Upgrades (issue 20, item 8): every fixture in tests/fixtures/db/vN/ is a
database made by the meent of schema N (tests/fixtures/make-db-fixture.py,
with that version's build) holding each kind of row. This meentd starts on
a copy of it, migrates it to the latest schema, and then answers the API as
the old one did (pilot, attachments, guideline revision, published table,
compared on what a migration must keep), passes integrity_check, and still
takes writes. There must be a fixture of the latest schema: whoever adds a
migration adds the fixture of its schema (made with the new build), so
that the next migration runs on real data of the release before it."""
import gzip
import json
import os
import shutil

from harness import TOP_SRC, Instance, Tap, finish

t = Tap()
ROOT = os.path.join(TOP_SRC, "tests", "fixtures", "db")
fixtures = sorted((int(d[1:]), os.path.join(ROOT, d)) for d in os.listdir(ROOT)
                  if d.startswith("v") and d[1:].isdigit())
latest = Instance().sql("PRAGMA user_version")[0][0]
t.ok(fixtures != [], "fixtures: schemas %s" % [v for v, _ in fixtures])
t.ok(any(v == latest for v, _ in fixtures),
     "a fixture of the latest schema (%d), made when its migration came, "
     "for the next migration to run on" % latest)

# What the answers must keep across a migration (not times of reading).
KEEP = {
    "pilot": ["id", "titel", "samenvatting", "domein", "status", "start",
              "einde", "vraag", "aanvrager", "stakeholders", "tags",
              "contact", "zichtbaarheid", "indicatoren", "aanpak", "data",
              "resultaten", "lessen", "privacy", "versie", "gemeente"],
    "richtlijn": ["slug", "titel", "versie", "tekst", "gemeente"],
    "versie2": ["versie", "basis", "tekst", "bericht", "gemeente"],
    "tabel": ["id", "gemeente", "indicator", "periode", "status", "tabel"],
}

for version, path in fixtures:
    m = Instance(init=False, name="meent v%d" % version)
    os.makedirs(m.data, mode=0o700)
    with gzip.open(os.path.join(path, "meent.db.gz"), "rb") as f, \
            open(os.path.join(m.data, "meent.db"), "wb") as g:
        shutil.copyfileobj(f, g)
    shutil.copy(os.path.join(path, "instance.key"), m.data)
    os.chmod(os.path.join(m.data, "instance.key"), 0o600)
    if os.path.isdir(os.path.join(path, "bijlagen")):
        shutil.copytree(os.path.join(path, "bijlagen"),
                        os.path.join(m.data, "bijlagen"))
    want = json.load(open(os.path.join(path, "expected.json")))
    m.start()
    t.eq(m.sql("PRAGMA user_version")[0][0], latest,
         "v%d: migrated to schema %d" % (version, latest))
    t.eq(m.sql("PRAGMA integrity_check")[0][0], "ok",
         "v%d: integrity_check" % version)
    pid = want["pilot"]["id"]
    slug = want["richtlijn"]["slug"]
    got = {
        "pilot": m.get("/api/v1/pilots/" + pid).json(),
        "richtlijn": m.get("/api/v1/richtlijnen/" + slug).json(),
        "versie2": m.get("/api/v1/richtlijnen/%s/versies/2" % slug).json(),
        "tabel": m.get("/api/v1/datasets/" + want["tabel"]["id"]).json(),
    }
    for kind, keys in KEEP.items():
        diff = [(k, want[kind].get(k), got[kind].get(k)) for k in keys
                if want[kind].get(k) != got[kind].get(k)]
        t.eq(diff, [], "v%d: the %s reads as before" % (version, kind))
    have = m.get("/api/v1/pilots/%s/bijlagen" % pid).json()["bijlagen"]
    t.eq(sorted((a["hash"], a["naam"]) for a in have),
         sorted((a["hash"], a["naam"]) for a in want["bijlagen"]["bijlagen"]),
         "v%d: its attachments" % version)
    for a in have:
        r = m.get("/api/v1/pilots/%s/bijlagen/%s" % (pid, a["hash"]))
        t.eq(r.status, 200, "v%d: attachment %s downloads" % (
            version, a["naam"]))
    tok = m.token("GM0275", "editor")
    r = m.request("PATCH", "/api/v1/pilots/" + pid, token=tok,
                  body={"titel": "Na de upgrade bijgewerkt"},
                  headers={"If-Match": m.get("/api/v1/pilots/" + pid)
                           .header("ETag")})
    t.eq(r.status, 200, "v%d: and takes a write" % version)
    finish(t, m, done=False)
t.done()
