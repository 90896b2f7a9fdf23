# SPDX-License-Identifier: EUPL-1.2
"""The exit guarantee (issue 20, item 6): `meentctl export --gemeente GM0xxx
DIR` writes everything a municipality made here -- its pilots (every
status and visibility, with text a plain front-matter line cannot hold:
line breaks, commas in list items, a leading quote, a "## " line inside a
section, a trailing line break), the guidelines it started with every
revision and their maintainers, its published tables as JSON and CSV, and
a manifest with SHA-256 of each file. A fresh meentd loads the folder with
--seed, and every pilot and revision compares equal, field by field.
Another municipality's content, deleted pilots and concept tables stay out;
an unknown municipality is exit 2 with a message, an existing folder is
refused. The municipality's admin downloads the same as a zip on
/mijn/export; others may not."""
import hashlib
import io
import json
import os
import random
import re
import urllib.parse
import zipfile

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance()
m.start(extra=["--seed", CONTENT])
ed = m.token("GM0275", "editor")
other = m.token("GM0200", "editor")

BASE = {
    "titel": "Wachttijden aan de balie meten",
    "samenvatting": "Wij telden een maand lang wie er kwam.",
    "domein": "dienstverlening-en-burgerzaken",
    "status": "lopend",
    "start": "2025-01-06",
    "vraag": "Hoe lang wachten inwoners?",
    "aanvrager": "college",
    "stakeholders": ["college"],
    "tags": ["balie", "wachttijd"],
    "contact": "Team Data, data@rheden.example.nl",
    "zichtbaarheid": "openbaar",
    "aanpak": "Tellen.", "data": "", "resultaten": "", "lessen": "",
    "privacy": "",
}
TRICKY = dict(
    BASE,
    titel='"Slim meten": wat wij leerden, met komma\'s',
    samenvatting="Eerste regel.\nTweede regel, met een komma.\r\nDerde.",
    vraag="Waarom?\nEn hoe?",
    stakeholders=["juristen, privacy-officer", "college", " inwoners"],
    tags=["meten", "balie"],
    zichtbaarheid="leden",
    aanpak="Wij deden dit.\n\n## Een kop in de tekst\n\nEn verder.",
    data="Eindigt met een regeleinde.\n",
    resultaten="- een\n- twee\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    lessen="\nBegint met een lege regel.",
    privacy="Geen persoonsgegevens.",
    indicatoren=["bijstand-personen"],
)


def create(body, token=ed):
    r = m.request("POST", "/api/v1/pilots", body=body, token=token)
    assert r.status == 201, (r.status, r.body[:300])
    return r.json()["id"]


ids = {
    "plain": create(BASE),
    "tricky": create(TRICKY),
    "concept": create(dict(BASE, titel="Nog niet klaar",
                           zichtbaarheid="concept")),
}
gone = create(dict(BASE, titel="Straks verwijderd"))
r = m.request("DELETE", "/api/v1/pilots/" + gone, token=ed, headers={
    "If-Match": m.get("/api/v1/pilots/" + gone).header("ETag")})
t.eq(r.status, 204, "a pilot deleted before the export")
theirs = create(dict(BASE, titel="Van een andere gemeente"), token=other)

# A guideline of Rheden's with two revisions and a maintainer more.
slug = "balie-meten-rheden"
r = m.request("POST", "/api/v1/richtlijnen", token=ed, body={
    "slug": slug, "titel": "Balie meten", "tekst": "# Balie meten\n\nTel.\n",
    "bericht": "Eerste versie\nmet twee regels"})
t.eq(r.status, 201, "a guideline of Rheden")
r = m.request("POST", "/api/v1/richtlijnen/%s/versies" % slug, token=ed,
              body={"basis": 1, "tekst": "# Balie meten\n\nTel elke dag.\n",
                    "bericht": "Scherper"})
t.eq(r.status, 201, "its second revision")


# A published table and a concept one, of an indicator of the instance's.
ind = os.path.join(m.dir, "ind.json")
with open(ind, "w") as f:
    json.dump({"id": "bijstand-uitkeringen", "naam": "Bijstandsuitkeringen",
               "omschrijving": "Lopende uitkeringen", "eenheid": "euro",
               "soort": "bedrag", "richting": "neutraal",
               "bron": "eigen registratie"}, f)
m.ctl("indicator", "add", ind, check=True)


def bsn(i):
    base = 100000000 + i * 7
    while True:
        d = [int(c) for c in "%09d" % base]
        if (sum(d[k] * (9 - k) for k in range(8)) - d[8]) % 11 == 0:
            return "%09d" % base
        base += 1


rnd = random.Random(5)
csv = "bsn,leeftijd,wijk,uitkering\n" + "".join(
    "%s,%d,%s,%d\n" % (bsn(i), rnd.randint(18, 90), rnd.choice(
        ["Noord", "Zuid", "Oost", "West"]), rnd.randint(500, 1500))
    for i in range(600))
tables = []
for periode in ("2024", "2025"):
    q = urllib.parse.urlencode({
        "vorm": "microdata", "indicator": "bijstand-uitkeringen",
        "periode": periode, "rollen": "bsn:identificerend,leeftijd:quasi,"
        "wijk:dimensie,uitkering:meetwaarde"})
    r = m.request("POST", "/api/v1/datasets?" + q, body=csv.encode(),
                  token=ed, headers={"Content-Type": "text/csv"})
    t.eq(r.status, 201, "a table for %s" % periode)
    tables.append(r.json()["id"])
r = m.request("POST", "/api/v1/datasets/%s/publicatie" % tables[0],
              token=ed)
t.eq(r.status, 200, "the 2024 table published (2025 stays a concept)")

# --- meentctl export ---------------------------------------------------------
out = os.path.join(m.dir, "uitvoer")
p = m.ctl("export", "--gemeente", "GM0275", out)
t.eq(p.returncode, 0, "meentctl export --gemeente GM0275 DIR: exit 0")
manifest = json.load(open(os.path.join(out, "manifest.json")))
paths = [f["pad"] for f in manifest["bestanden"]]
t.ok(all(hashlib.sha256(open(os.path.join(out, f["pad"]), "rb").read())
         .hexdigest() == f["sha256"] and os.path.getsize(
             os.path.join(out, f["pad"])) == f["grootte"]
         for f in manifest["bestanden"]),
     "the manifest lists every file with its size and SHA-256")
on_disk = sorted(os.path.relpath(os.path.join(d, f), out)
                 for d, _, fs in os.walk(out) for f in fs)
t.eq(on_disk, sorted(paths + ["manifest.json"]),
     "and nothing else is in the folder")
pilot_files = [x for x in paths if x.startswith("pilots/")]
own = m.sql("SELECT count(*) FROM pilots WHERE gemeente = 'GM0275' AND"
            " verwijderd IS NULL AND origin = (SELECT uuid FROM instance)"
            )[0][0]
t.eq((manifest["aantallen"]["pilots"], len(pilot_files)), (own, own),
     "every own pilot of Rheden (%d, the seed's included), once" % own)
text = "".join(open(os.path.join(out, x), encoding="utf-8").read()
               for x in pilot_files)
t.ok(ids["concept"] in text and ids["tricky"] in text,
     "concepts and members-only pilots too")
t.ok(gone not in text and theirs not in text,
     "not a deleted pilot, nor another municipality's")
t.ok("richtlijnen/%s/v1.md" % slug in paths and
     "richtlijnen/%s/v2.md" % slug in paths,
     "the guideline, each revision a file")
t.eq(sorted(x for x in paths if x.startswith("tabellen/")),
     ["tabellen/%s.csv" % tables[0], "tabellen/%s.json" % tables[0]],
     "the published table as JSON and CSV, not the concept")
published = m.get("/api/v1/datasets/" + tables[0]).json()
t.eq(json.load(open(os.path.join(out, "tabellen", tables[0] + ".json"))),
     published, "the table's JSON is what was published")
t.ok("Bron: gemeente Rheden" in open(os.path.join(
    out, "tabellen", tables[0] + ".csv"), encoding="utf-8-sig").read(),
     "its CSV names the source")

# --- Loaded again into a fresh meentd ---------------------------------------
n = Instance(name="meent Nieuw")
n.start(extra=["--seed", out])
ned = n.token("GM0275", "editor")
FIELDS = list(BASE) + ["indicatoren", "richtlijnen", "voorbeeld"]
diff = []
for f in pilot_files:
    pid = re.search(r"^id: (\S+)$", open(os.path.join(out, f),
                    encoding="utf-8").read(), re.M).group(1)
    a = m.get("/api/v1/pilots/" + pid, token=ed).json()
    b = n.get("/api/v1/pilots/" + pid, token=ned)
    if b.status != 200:
        diff.append((f, b.status))
        continue
    b = b.json()
    diff += [(f, k, a.get(k), b.get(k)) for k in FIELDS if a.get(k) !=
             b.get(k)]
t.eq(diff, [], "a fresh meentd loads the folder with --seed: every pilot "
     "compares equal, field by field (%d pilots)" % len(pilot_files))
t.eq(n.get("/api/v1/pilots/" + ids["tricky"], token=ned).json()
     ["stakeholders"], TRICKY["stakeholders"],
     "a list item with a comma stays one item, one with a space its space")
for v in (1, 2):
    a = m.get("/api/v1/richtlijnen/%s/versies/%d" % (slug, v)).json()
    b = n.get("/api/v1/richtlijnen/%s/versies/%d" % (slug, v)).json()
    t.eq([b.get(k) for k in ("tekst", "bericht", "gemeente", "titel")],
         [a.get(k) for k in ("tekst", "bericht", "gemeente", "titel")],
         "guideline revision %d: the same text, message and author" % v)
t.eq(n.get("/api/v1/richtlijnen/" + slug).json().get("beheerders"),
     m.get("/api/v1/richtlijnen/" + slug).json().get("beheerders"),
     "and the same maintainers")

# --- Refusals -------------------------------------------------------------
p = m.ctl("export", "--gemeente", "GM9999", os.path.join(m.dir, "x"))
t.ok(p.returncode == 2 and "no such municipality" in p.stderr and
     not os.path.exists(os.path.join(m.dir, "x")),
     "an unknown municipality: exit 2, a message, no folder", p.stderr)
p = m.ctl("export", "--gemeente", "rheden", os.path.join(m.dir, "y"))
t.eq(p.returncode, 2, "not a GM code: exit 2")
p = m.ctl("export", "--gemeente", "GM0275", out)
t.ok(p.returncode == 1 and "exists" in p.stderr.lower(),
     "an existing folder is refused", p.stderr)
p = m.ctl("export", out)
t.eq(p.returncode, 2, "without --gemeente: usage, exit 2")

# --- The same as a zip for the municipality's admin --------------------------
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port


def login(email, role):
    m.ctl("user", "add", email, "--gemeente", "GM0275", "--role", role,
          input="een lang wachtwoord\n", check=True)
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": origin}, body=urllib.parse.urlencode(
            {"email": email, "wachtwoord": "een lang wachtwoord"}))
    return (r.header("Set-Cookie") or "").split(";")[0]


admin = login("beheer@rheden.example.nl", "admin")
page = m.get("/mijn", headers={"Cookie": admin}).body.decode()
t.ok('href="/mijn/export"' in page, "the admin's overview links the zip")
r = m.get("/mijn/export", headers={"Cookie": admin})
t.ok(r.status == 200 and r.header("Content-Type") == "application/zip" and
     "attachment" in (r.header("Content-Disposition") or "") and
     r.header("Cache-Control") == "no-store",
     "/mijn/export: a zip, as a download, not cached",
     (r.status, r.headers_all("Content-Type")))
z = zipfile.ZipFile(io.BytesIO(r.body)) if r.status == 200 else None
names = sorted(z.namelist()) if z else []
t.eq(names, sorted(paths + ["manifest.json"]),
     "with the same files as meentctl export")
t.ok(z is not None and all(z.read(x) == open(os.path.join(out, x), "rb")
                           .read() for x in paths + ["manifest.json"]),
     "byte for byte, the manifest too")
editor = login("redactie@rheden.example.nl", "editor")
r = m.get("/mijn/export", headers={"Cookie": editor})
t.eq(r.status, 403, "an editor may not download it: 403")
r = m.get("/mijn/export", headers={"Accept": "text/html"})
t.ok(r.status in (303, 401) and b"application/zip" not in r.body,
     "anonymous: no zip (%d)" % r.status)
finish(t, m, n)
