# SPDX-License-Identifier: EUPL-1.2
"""Dataset uploads: microdata and tables protected before anything is
stored (frequency, dominance, secondary suppression checked here relation by
relation), direct identifiers refused with row and column and no trace of
them anywhere (database, WAL, log, temporary files), every kind of bad CSV,
the job pool's 503, publish/withdraw feeding the comparison, and the web
form (multipart, CSRF)."""
import json
import os
import random
import tempfile
import threading
import urllib.parse
import uuid

from harness import CONTENT, Instance, Tap, finish

t = Tap()
# meentd's temporary files, if it made any, would land here.
TMP = tempfile.mkdtemp(prefix="meent-tmp-")
os.environ["TMPDIR"] = TMP
m = Instance(settings={"sdc_p_percent": "37", "sdc_dominance_k": "83"})
m.start(extra=["--seed", CONTENT])
ind = os.path.join(m.dir, "ind.json")
with open(ind, "w") as f:
    json.dump({"id": "bijstand-uitkeringen", "naam": "Bijstandsuitkeringen",
               "omschrijving": "Lopende uitkeringen", "eenheid": "euro",
               "soort": "bedrag", "richting": "neutraal",
               "bron": "eigen registratie"}, f)
m.ctl("indicator", "add", ind, check=True)
editor = m.token("GM0275", "editor")
viewer = m.token("GM0275", "viewer")
other = m.token("GM0664", "editor")

BSNS = []


def bsn(i):
    """A number passing the 11-test, distinct per i."""
    base = 100000000 + i * 7
    while True:
        d = [int(c) for c in "%09d" % base]
        if (sum(d[k] * (9 - k) for k in range(8)) - d[8]) % 11 == 0:
            return "%09d" % base
        base += 1


def microdata(rows=1500, seed=1, extra=None):
    rnd = random.Random(seed)
    lines = ["bsn,leeftijd,wijk,uitkering,opmerking"]
    for i in range(rows):
        b = bsn(i)
        BSNS.append(b)
        lines.append("%s,%d,%s,%d,%s" % (
            b, rnd.randint(18, 90), rnd.choice(
                ["Noord", "Zuid", "Oost", "West", "Centrum"]),
            rnd.randint(500, 1500), extra(i) if extra else "geen"))
    return "\n".join(lines) + "\n"


ROLES = "bsn:identificerend,leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"


def upload(body, vorm="microdata", rollen=ROLES, token=editor,
           indicator="bijstand-uitkeringen", periode="2025",
           ctype="text/csv"):
    q = {"vorm": vorm, "indicator": indicator, "periode": periode}
    if rollen:
        q["rollen"] = rollen
    return m.request("POST", "/api/v1/datasets?" + urllib.parse.urlencode(q),
                     body=body, token=token, headers={"Content-Type": ctype})


def relations_ok(tabel):
    """Every line of the table has 0 or at least 2 secret cells."""
    dims = tabel["dimensies"]
    cells = {tuple(c["categorieen"]): c for c in tabel["cellen"]}
    nd = len(dims)
    for d in range(nd):
        others = set(k[:d] + k[d + 1:] for k in cells)
        for o in others:
            line = [cells[o[:d] + (c,) + o[d:]] for c in
                    dims[d]["categorieen"] + [None]]
            secret = sum(1 for c in line if c["geheim"])
            if secret == 1:
                return False
    return True


# --- A microdata upload, protected -------------------------------------------
text = microdata()
r = upload(text)
t.eq(r.status, 201, "microdata with roles: 201")
d = r.json()
rep, tab, own = d["rapport"], d["tabel"], d["rapportEigen"]
t.eq(d["status"], "concept", "stored as a concept")
t.eq(own["rijen"], 1500, "the uploader's own report counts the rows")
t.eq((own["eenheden"], rep["eenheid"]), (len(set(BSNS)), "persoon"),
     "units are persons: rows of one BSN count once (%d of 1500)" %
     len(set(BSNS)))
cols = {c["naam"]: c for c in rep["kolommen"]}
t.ok("weggelaten" in cols["bsn"]["behandeling"], "the identifying column is "
     "dropped")
t.ok("5 jaar" in cols["leeftijd"]["behandeling"], "age generalised to bands")
t.ok("geen rol" in cols["opmerking"]["behandeling"], "an undeclared column is "
     "dropped and said so")
t.eq([x["naam"] for x in tab["dimensies"]], ["leeftijd", "wijk"],
     "dimensions: the quasi and the dimension column")
t.ok(tab["dimensies"][0]["categorieen"][0] == "15-19",
     "age bands in natural order", tab["dimensies"][0]["categorieen"][:3])
pub = [c for c in tab["cellen"] if not c["geheim"]]
# At least 10 people each; published with noise of at most 2.
t.ok(all(c["aantal"] >= 8 for c in pub), "no published cell stands for "
     "fewer than 10 people")
t.ok(all(c["waarde"] is None and c["aantal"] is None
         for c in tab["cellen"] if c["geheim"]), "secret cells carry no figure")
t.ok(own["onderdrukt"]["primair"]["frequentie"] > 0, "small cells were "
     "suppressed", own["onderdrukt"])
t.ok(relations_ok(tab), "no row or column has exactly one secret cell")
t.eq(rep["controle"]["oordeel"], "geslaagd", "the LP audit passed")
grand = [c for c in tab["cellen"] if all(x is None for x in c["categorieen"])]
t.ok(abs(grand[0]["aantal"] - len(set(BSNS))) <= 2, "the grand total counts "
     "every person, with its noise (%d)" % grand[0]["aantal"])
t.eq(sorted(rep), sorted(["vorm", "eenheid", "kolommen", "cellen",
                          "gepubliceerd", "geheim", "samengevoegd",
                          "controle", "bescherming", "publiceerbaar"]),
     "the public report: no rows, no counts per rule, no p or k")
t.eq(sorted(rep["controle"]), ["oordeel"], "nor has the audit's verdict")
t.eq(sorted(rep["bescherming"]), ["eenheid", "methode", "minimumEenheden",
                                  "ruisAantal", "ruisBedragProcent",
                                  "versie"],
     "the protection's public parameters")
t.ok(all(k not in r.body.decode() for k in ("p_percent", "dominance_k",
                                            "sdc_")),
     "no rule parameter is named in the answer")
DS = d["id"]
t.eq(r.header("Location"), "/api/v1/datasets/" + DS, "Location of the concept")

t.eq(m.get("/api/v1/datasets/GEEN-uuid").status, 400, "an id that is no UUID: 400")

# A concept is its municipality's only.
t.eq(m.get("/api/v1/datasets/" + DS).status, 404, "a concept: 404 anonymously")
t.eq(m.get("/api/v1/datasets/" + DS, token=other).status, 404,
     "a concept: 404 for another municipality")
t.eq(m.get("/api/v1/datasets/" + DS, token=viewer).status, 200,
     "a concept: visible to its own municipality")
t.eq(m.request("POST", "/api/v1/datasets/%s/publicatie" % DS,
               token=other).status, 404, "another municipality cannot "
     "publish it")
t.eq(m.request("DELETE", "/api/v1/datasets/" + DS, token=other).status, 404,
     "another municipality cannot discard it")

# Publish: visible to all, and the comparison has the municipality's figure.
r = m.request("POST", "/api/v1/datasets/%s/publicatie" % DS, token=editor)
t.eq((r.status, r.json().get("status")), (200, "gepubliceerd"), "published")
t.eq(m.request("POST", "/api/v1/datasets/%s/publicatie" % DS,
               token=editor).status, 409, "publishing twice: 409")
r = m.get("/api/v1/datasets/" + DS)
t.eq(r.status, 200, "a published table: public")
lst = m.get("/api/v1/datasets?indicator=bijstand-uitkeringen").json()
t.ok(any(x["id"] == DS for x in lst["datasets"]), "listed")
t.ok(all("tabel" not in x for x in lst["datasets"]), "lists carry no cells")
r = m.get("/api/v1/indicatoren/bijstand-uitkeringen/vergelijking?gemeente="
          "GM0275&periode=2025&groep=alle")
t.eq(r.status, 200, "the comparison knows the uploaded period")
t.ok(r.status == 200 and abs((r.json().get("positie") or {}).get(
    "waarde", -1) - grand[0]["waarde"]) < 0.005,
     "the comparison shows the table's grand total", (r.body[:300],
                                                       grand[0]))

# Withdraw: a tombstone; the figure leaves the comparison.
t.eq(m.request("DELETE", "/api/v1/datasets/" + DS, token=editor).status, 204,
     "withdrawn")
t.eq(m.get("/api/v1/datasets/" + DS).status, 410, "a withdrawn table: 410")
r = m.get("/api/v1/indicatoren/bijstand-uitkeringen/vergelijking?gemeente="
          "GM0275&periode=2025&groep=alle")
t.ok(r.status != 200 or (r.json().get("positie") or {}).get("waarde") is None,
     "the withdrawn figure is gone from the comparison", r.body[:200])

# --- Direct identifiers: refused, and no trace anywhere ---------------------
secret_bsn = bsn(99999)
lines = ["klant,wijk,uitkering"] + ["%s,Noord,%d" % (bsn(50000 + i), 700 + i)
                                    for i in range(40)]
lines[1] = "%s,Noord,700" % secret_bsn
before = m.sql("SELECT count(*) FROM datasets")[0][0]
r = upload("\n".join(lines) + "\n", rollen="wijk:dimensie,uitkering:meetwaarde")
t.eq(r.status, 400, "an undeclared BSN column: 400")
inv = r.json().get("invalidParams", [])
t.ok(any(p["name"] == "klant" and p.get("kolom") == 1 and p.get("rij") == 2
         and "elfproef" in p["reason"] for p in inv),
     "the report names the column, the row and the reason", inv)
t.ok(secret_bsn not in r.body.decode(), "the answer holds no BSN")
t.eq(m.sql("SELECT count(*) FROM datasets")[0][0], before, "nothing stored")

lines = ["wijk,uitkering,contact"] + ["Noord,%d,geen" % (700 + i)
                                      for i in range(80)]
lines[57] = "Noord,756,iemand@example.nl"
r = upload("\n".join(lines) + "\n", rollen="wijk:dimensie,uitkering:meetwaarde")
inv = r.json().get("invalidParams", []) if r.status == 400 else []
t.ok(r.status == 400 and any(p["name"] == "contact" and p.get("rij") == 58
                             and "e-mail" in p["reason"] for p in inv),
     "one e-mail address in row 58 of an undeclared column: refused", inv)

# --- Bad CSV: 400 with row and column, nothing stored -----------------------
HEAD = "leeftijd,wijk,uitkering\n"
R = "leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"
bad = [
    ("a ragged row", HEAD + "30,Noord,700\n31,Zuid\n", 3),
    ("an unterminated quote", HEAD + '30,"Noord,700\n', 2),
    ("a NUL byte", HEAD + "30,No\x00ord,700\n", 2),
    ("invalid UTF-8", HEAD.encode() + b"30,No\xffrd,700\n", 2),
    ("1e309", HEAD + "30,Noord,1e309\n", 2),
    ("NaN", HEAD + "30,Noord,NaN\n", 2),
    ("a negative amount", HEAD + "30,Noord,-5\n", 2),
    ("an age that is not one", HEAD + "30,Noord,700\nabc,Zuid,800\n", 3),
    ("10^6 columns", ",".join(["k%d" % i for i in range(10 ** 6 // 8)]) +
     "\n", 1),
    ("a 1 MB field", HEAD + "30,Noord," + "9" * (1 << 20) + "\n", 2),
    ("an empty body", "", 1),
]
for name, body, row in bad:
    n0 = m.sql("SELECT count(*) FROM datasets")[0][0]
    r = upload(body, rollen=R)
    inv = r.json().get("invalidParams", []) if r.status == 400 else []
    t.ok(r.status == 400 and any(p.get("rij") == row for p in inv),
         "%s: 400 at row %d" % (name, row), (r.status, inv[:2]))
    t.eq(m.sql("SELECT count(*) FROM datasets")[0][0], n0,
         "%s: nothing stored" % name)
r = m.request("POST", "/api/v1/datasets?vorm=microdata&indicator=bijstand-"
              "uitkeringen&periode=2025", token=editor,
              headers={"Content-Type": "text/csv",
                       "Content-Length": str(100 * 1024 * 1024)}, body=b"")
t.eq(r.status, 413, "a 100 MB upload: 413 before any of it is read")
t.eq(upload("a\n1\n", ctype="application/json").status, 415,
     "not text/csv: 415")
r = upload(HEAD, vorm="kubus", indicator="bestaat-niet", periode="gisteren",
           rollen="x:geheim")
names = sorted(p["name"] for p in r.json().get("invalidParams", []))
t.eq((r.status, names), (400, ["indicator", "periode", "rollen", "vorm"]),
     "every bad parameter in one 400")
t.eq(upload(HEAD + "30,Noord,700\n", rollen=R, token=viewer).status, 403,
     "a viewer uploading: 403")
t.eq(m.request("POST", "/api/v1/datasets?vorm=tabel", body="a\n1\n",
               headers={"Content-Type": "text/csv"}).status, 401,
     "anonymous: 401")

# --- Tables ------------------------------------------------------------------
with open(os.path.join(m.dir, "cnt.json"), "w") as f:
    json.dump({"id": "bijstand-ontvangers", "naam": "Ontvangers van bijstand",
               "omschrijving": "Personen met een uitkering", "eenheid":
               "personen", "soort": "aantal", "richting": "neutraal",
               "bron": "eigen registratie"}, f)
m.ctl("indicator", "add", os.path.join(m.dir, "cnt.json"), check=True)
small = "wijk,waarde\nNoord,3\nZuid,4\nOost,6\nCentrum,40\nWest,35\n"
r = upload(small, vorm="tabel", rollen=None, indicator="bijstand-ontvangers")
t.eq(r.status, 201, "a table with small cells: accepted")
tab = r.json()["tabel"]
labels = tab["dimensies"][0]["categorieen"]
t.eq(sorted(labels), ["Centrum", "West", "overig"], "categories under 10 "
     "people are merged into 'overig' before any label is released")
t.ok(r.json()["rapport"]["samengevoegd"], "and the report says so")
t.ok(all(c["aantal"] is None or c["aantal"] >= 8 for c in tab["cellen"]),
     "no published cell stands for fewer than 10 people (noise at most 2)")
r = upload("wijk,waarde,aantal\nNoord,12000,30\nZuid,9000,40\n",
           vorm="tabel", rollen=None)
t.ok(r.status == 400 and "microdata" in r.body.decode(), "a table of "
     "amounts: 400, with the way out (dominance cannot be checked in a "
     "table)", r.body[:300])
r = upload("wijk,waarde,aantal\nNoord,30,31\n", vorm="tabel", rollen=None,
           indicator="bijstand-ontvangers")
t.eq(r.status, 400, "a count whose waarde and aantal differ: 400")
r = upload("wijk,waarde,aantal\nNoord,30,30\nTotaal,30,30\n", vorm="tabel",
           rollen=None, indicator="bijstand-ontvangers")
t.eq(r.status, 400, "a total row in a table: 400 (meent computes totals)")
r = upload("wijk,waarde\nNoord,30\nNoord,40\n", vorm="tabel",
           rollen=None, indicator="bijstand-ontvangers")
t.ok(r.status == 400 and r.json()["invalidParams"][0].get("rij") == 3,
     "a repeated cell: 400 at its row")
r = upload("indicator,periode,wijk,waarde\ninwoners,2025,Noord,30\n",
           vorm="tabel", rollen=None, indicator="bijstand-ontvangers")
t.eq(r.status, 400, "a row for another indicator: 400")

# Dominance: one large payment in a cell.
rows = ["wijk,uitkering"] + ["Noord,100"] * 30 + ["Zuid,100"] * 29 + \
    ["Zuid,100000"] + ["Oost,100"] * 30
r = upload("\n".join(rows) + "\n", rollen="wijk:dimensie,uitkering:meetwaarde")
t.ok(r.status == 201 and r.json()["rapportEigen"]["onderdrukt"]["primair"]
     ["dominantie"] >= 1, "a cell dominated by one payment is suppressed",
     r.body[:300])
t.ok(r.status == 201 and relations_ok(r.json()["tabel"]),
     "and a second cell hides it")

# Declared roles must name real columns.
r = upload(HEAD + "30,Noord,700\n", rollen="postcode:quasi")
t.eq(r.status, 400, "a role for a missing column: 400")

# --- The job pool is bounded ---------------------------------------------------
big = microdata(rows=60000, seed=3)
q = Instance(settings={"upload_threads": "1", "upload_queue": "0",
                      "sdc_round_base": "5"})
q.start()
q.ctl("indicator", "add", os.path.join(m.dir, "ind.json"))
qtok = q.token("GM0275", "editor")
statuses = []
rounded = []


def post():
    r = q.request("POST", "/api/v1/datasets?vorm=microdata&indicator="
                  "bijstand-uitkeringen&periode=2025&rollen=" + urllib.parse.quote(ROLES),
                  body=big, token=qtok, headers={"Content-Type": "text/csv"},
                  timeout=120)
    statuses.append((r.status, r.header("Retry-After")))
    if r.status == 201:
        rounded.append(r.json())


threads = [threading.Thread(target=post) for _ in range(4)]
for th in threads:
    th.start()
for th in threads:
    th.join()
t.ok(any(s == 503 and ra for s, ra in statuses), "a full pool: 503 with "
     "Retry-After", statuses)
t.ok(any(s == 201 for s, _ in statuses), "and the one it took: 201", statuses)
t.ok(len(rounded) > 0 and rounded[0]["rapportEigen"]["afronding"] == 5 and
     all(c["aantal"] % 5 == 0 for c in rounded[0]["tabel"]["cellen"]
         if not c["geheim"]), "sdc_round_base=5: published counts are "
     "multiples of 5, and the report says so")
finish(t, q, done=False)

# --- The web form --------------------------------------------------------------
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port
m.ctl("user", "add", "data@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
              "Origin": origin}, body=urllib.parse.urlencode(
                  {"email": "data@rheden.example.nl",
                   "wachtwoord": "een lang wachtwoord"}))
cookie = (r.header("Set-Cookie") or "").split(";")[0]
page = m.get("/datasets/nieuw", headers={"Cookie": cookie}).body.decode()
csrf = page.split('name="csrf" value="')[1].split('"')[0]


def multipart(fields, filename="gegevens.csv", data=b""):
    b = "----meent%s" % uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                "%s\r\n" % (b, k, v)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"bestand\"; "
            "filename=\"%s\"\r\nContent-Type: text/csv\r\n\r\n" %
            (b, filename)).encode() + data + ("\r\n--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b


fields = {"csrf": csrf, "vorm": "microdata", "indicator":
          "bijstand-uitkeringen", "periode": "2024", "rollen": ROLES}
body, ctype = multipart(fields, data=microdata(seed=5).encode())
h = {"Cookie": cookie, "Origin": origin, "Content-Type": ctype}
r = m.request("POST", "/datasets", body=body, headers=h)
page = r.body.decode()
t.ok(r.status == 201 and "Verslag" in page and "Publiceren" in page,
     "the web upload shows the report and a publish button", page[:300])
fields_bad = dict(fields, csrf="fout")
body, ctype = multipart(fields_bad, data=microdata(seed=5).encode())
r = m.request("POST", "/datasets", body=body, headers=dict(h,
              **{"Content-Type": ctype}))
t.eq(r.status, 403, "the web upload without the CSRF token: 403")
body, ctype = multipart(dict(fields, rollen="wijk:dimensie"), data=(
    "klant,wijk\n%s,Noord\n%s,Zuid\n" % (secret_bsn, bsn(7))).encode())
r = m.request("POST", "/datasets", body=body, headers=dict(h,
              **{"Content-Type": ctype}))
t.ok(r.status == 400 and "rij 2, kolom 1" in r.body.decode(),
     "the web form shows an identifier's row and column", r.body[-600:])
wid = m.sql("SELECT id FROM datasets WHERE periode = '2024'")[0][0]
r = m.request("POST", "/datasets/%s/publiceren" % wid, headers={
    "Cookie": cookie, "Origin": origin, "Content-Type": FORM},
    body=urllib.parse.urlencode({"csrf": csrf}))
t.eq(r.status, 303, "publish from the page")
r = m.get("/datasets/" + wid)
t.ok(r.status == 200 and "<table>" in r.body.decode() and
     "geheim" in r.body.decode(), "the public page shows the protected table")

# --- No trace of the raw uploads ----------------------------------------------
code = m.stop()
t.eq(code, 0, "meentd exits 0")
blob = b""
for name in os.listdir(m.data):
    with open(os.path.join(m.data, name), "rb") as f:
        blob += f.read()
blob += m.log().encode()
t.ok(secret_bsn.encode() not in blob, "the refused BSN is in no file: "
     "database, WAL, log")
t.ok(not any(b.encode() in blob for b in BSNS[:200]), "no declared-"
     "identifying value is in any file either")
t.ok(b"iemand@example.nl" not in blob, "nor the refused e-mail address")
t.eq(os.listdir(TMP), [], "no temporary file was left")
finish(t, m)
