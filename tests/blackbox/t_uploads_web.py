# SPDX-License-Identifier: EUPL-1.2
"""Uploads that explain themselves (issue 15, items 5 and 6): the form keeps
every choice after an error (never the file), Dutch Excel CSV (';' with
decimal commas) gives the same table as ',' with decimal points, mixed
separators and mixed decimal marks are refused with row and column, example
files, measures checked against the indicator's kind, the report in plain
words, the list /datasets with its filters, the public table page and its
CSV with its source, deleting behind a confirmation; and a municipality's
own figure beside the public (CBS) one in the comparison, with the source of
every value in the API, the CSV, the page and the chart."""
import csv
import json
import os
import random
import re
import urllib.parse
import uuid

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance()
m.start(extra=["--seed", CONTENT])
for spec in ({"id": "bijstand-uitkeringen", "naam": "Bijstandsuitkeringen",
              "omschrijving": "Lopende uitkeringen per maand",
              "eenheid": "euro", "soort": "bedrag", "richting": "neutraal",
              "bron": "eigen registratie"},
             {"id": "bijstand-ontvangers", "naam": "Ontvangers van bijstand",
              "omschrijving": "Personen met een uitkering",
              "eenheid": "personen", "soort": "aantal",
              "richting": "neutraal", "bron": "eigen registratie"}):
    path = os.path.join(m.dir, spec["id"] + ".json")
    with open(path, "w") as f:
        json.dump(spec, f)
    m.ctl("indicator", "add", path, check=True)
editor = m.token("GM0275", "editor")
other = m.token("GM0664", "editor")
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port


def bsn(i):
    base = 100000000 + i * 7
    while True:
        d = [int(c) for c in "%09d" % base]
        if (sum(d[k] * (9 - k) for k in range(8)) - d[8]) % 11 == 0:
            return "%09d" % base
        base += 1


def people(n=600, seed=1):
    rnd = random.Random(seed)
    return [(bsn(i), rnd.randint(18, 90), rnd.choice(
        ["Noord", "Zuid", "Oost", "West"]), rnd.randint(50000, 150000))
        for i in range(n)]


def english(rows):
    return "bsn,leeftijd,wijk,uitkering\n" + "".join(
        "%s,%d,%s,%d.%02d\n" % (b, a, w, c // 100, c % 100)
        for b, a, w, c in rows)


def dutch(rows):
    """As Dutch Excel writes it: BOM, ';', CRLF, 1.234,56."""
    def amount(c):
        e, cents = divmod(c, 100)
        s = "%d" % e
        if e >= 1000:
            s = "%d.%03d" % (e // 1000, e % 1000)
        return "%s,%02d" % (s, cents)
    return "\ufeffbsn;leeftijd;wijk;uitkering\r\n" + "".join(
        "%s;%d;%s;%s\r\n" % (b, a, w, amount(c)) for b, a, w, c in rows)


ROLES = "bsn:identificerend,leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"


def upload(body, vorm="microdata", rollen=ROLES, token=editor,
           indicator="bijstand-uitkeringen", periode="2025"):
    q = {"vorm": vorm, "indicator": indicator, "periode": periode}
    if rollen:
        q["rollen"] = rollen
    return m.request("POST", "/api/v1/datasets?" + urllib.parse.urlencode(q),
                     body=body.encode() if isinstance(body, str) else body,
                     token=token, headers={"Content-Type": "text/csv"})


def problems(r):
    return r.json().get("invalidParams", []) if r.status == 400 else []


# --- Dutch Excel CSV: the same table as the ',' / '.' file -------------------
rows = people()
a = upload(english(rows))
b = upload(dutch(rows))
t.eq((a.status, b.status), (201, 201), "',' with '.' and ';' with "
     "decimal commas (and a BOM, CRLF): both accepted")
t.ok(a.status == 201 and b.status == 201 and
     a.json()["tabel"]["cellen"] == b.json()["tabel"]["cellen"],
     "and they give the same protected table, cell by cell")
t.eq(b.json()["rapportEigen"]["rijen"] if b.status == 201 else None, 600,
     "every row of the Dutch file was read")

# Without an identifying column each row is a unit, keyed by what it holds:
# the amount as the number it is, so the Dutch file is the same units.
NOID = "leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"


def without_bsn(text, sep):
    """The file without its first column (the BSN)."""
    return "".join(line.split(sep, 1)[1] for line in
                   text.splitlines(keepends=True))


a = upload(without_bsn(english(rows), ","), rollen=NOID)
b = upload("\ufeff" + without_bsn(dutch(rows)[1:], ";"), rollen=NOID)
t.eq((a.status, b.status), (201, 201), "without an identifying column: "
     "both files accepted")
t.ok(a.status == 201 and b.status == 201 and
     a.json()["tabel"]["cellen"] == b.json()["tabel"]["cellen"],
     "and still the same protected table, cell by cell (rows as units, "
     "their amounts read as numbers)")

# --- Mixed separators and decimal marks: row and column ----------------------
mixed = [
    ("a header with ';' and ','", "leeftijd;wijk,uitkering\n30;Noord;700\n",
     1, 2, "scheidingstekens"),
    ("a row with ',' in a ';' file",
     "leeftijd;wijk;uitkering\n30;Noord;700\n31,Zuid,800\n", 3, 1,
     "scheidingstekens"),
    ("a row with ';' in a ',' file",
     "leeftijd,wijk,uitkering\n30,Noord,700\n31;Zuid;800\n", 3, 1,
     "scheidingstekens"),
    ("a decimal point after decimal commas",
     "leeftijd;wijk;uitkering\n30;Noord;700,50\n31;Zuid;812.5\n", 3, 3,
     "decimaaltekens"),
    ("a decimal comma after decimal points",
     "leeftijd;wijk;uitkering\n30;Noord;700.5\n31;Zuid;812,50\n", 3, 3,
     "decimaaltekens"),
    ("an unquoted decimal comma in a ',' file",
     'leeftijd,wijk,uitkering\n30,Noord,700.5\n31,Zuid,812,50\n', 3, 4,
     "decimaalteken"),
    ("a decimal comma in a ',' file",
     'leeftijd,wijk,uitkering\n30,Noord,700.5\n31,Zuid,"812,50"\n', 3, 3,
     "decimaaltekens"),
]
R = "leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"
for name, body, row, col, word in mixed:
    n0 = m.sql("SELECT count(*) FROM datasets")[0][0]
    r = upload(body, rollen=R)
    inv = problems(r)
    t.ok(any(p.get("rij") == row and p.get("kolom") == col and
             word in p["reason"] for p in inv),
         "%s: 400 at row %d, column %d, saying 'gemengde %s'" %
         (name, row, col, word), (r.status, inv))
    t.eq(m.sql("SELECT count(*) FROM datasets")[0][0], n0,
         "%s: nothing stored" % name)
r = upload("leeftijd;wijk;uitkering\n" + "".join(
    "%d;Noord;1.234\n" % (20 + i) for i in range(30)), rollen=R)
t.eq(r.status, 201, "'1.234' in a ';' file is a thousands separator")

# --- Measures against the indicator's kind -----------------------------------
cnt = "leeftijd,wijk,kinderen\n" + "".join(
    "%d,Noord,%s\n" % (20 + i, "2.5" if i == 7 else "2") for i in range(30))
r = upload(cnt, rollen="leeftijd:quasi,wijk:dimensie,kinderen:meetwaarde",
           indicator="bijstand-ontvangers")
inv = problems(r)
t.ok(any(p.get("rij") == 9 and p.get("kolom") == 3 and "heel getal" in
         p["reason"] for p in inv), "a count (soort aantal) of 2.5: 400 at "
     "its row and column", (r.status, inv))
amt = "leeftijd,wijk,uitkering\n" + "".join(
    "%d,Noord,%s\n" % (20 + i, "700.125" if i == 3 else "700.10")
    for i in range(30))
r = upload(amt, rollen=R)
inv = problems(r)
t.ok(any(p.get("rij") == 5 and "twee decimalen" in p["reason"]
         for p in inv), "an amount (soort bedrag) with a tenth of a cent: "
     "400", (r.status, inv))

# --- Example files -------------------------------------------------------------
for vorm, roles, ind in (("tabel", None, "bijstand-ontvangers"),
                         ("microdata", "klantnummer:identificerend,leeftijd:"
                          "quasi,wijk:dimensie,uitkering:meetwaarde",
                          "bijstand-uitkeringen")):
    r = m.get("/datasets/voorbeeld/%s.csv" % vorm)
    t.ok(r.status == 200 and r.header("Content-Type").startswith("text/csv")
         and "attachment" in (r.header("Content-Disposition") or ""),
         "the example %s.csv: a CSV download" % vorm)
    text = r.body.decode()
    t.ok(";" in text.splitlines()[0], "in the Dutch spreadsheet dialect")
    r = upload(text, vorm=vorm, rollen=roles, indicator=ind, periode="2019")
    t.eq(r.status, 201, "the example %s.csv is an upload meent accepts" % vorm)
t.eq(m.get("/datasets/voorbeeld/kubus.csv").status, 404, "no example for "
     "a shape that does not exist")

# --- The web form ---------------------------------------------------------------
m.ctl("user", "add", "data@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
              "Origin": origin}, body=urllib.parse.urlencode(
                  {"email": "data@rheden.example.nl",
                   "wachtwoord": "een lang wachtwoord"}))
cookie = (r.header("Set-Cookie") or "").split(";")[0]
page = m.get("/datasets/nieuw", headers={"Cookie": cookie}).body.decode()
csrf = page.split('name="csrf" value="')[1].split('"')[0]
t.ok('href="/datasets/voorbeeld/tabel.csv"' in page and
     'href="/datasets/voorbeeld/microdata.csv"' in page,
     "the form links to an example per shape")
t.ok('name="rol-identificerend"' in page and 'name="rol-dimensie"' in page
     and 'name="rollen"' not in page, "roles: a field per role, no syntax")


def multipart(fields, data=b""):
    bd = "----meent%s" % uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                "%s\r\n" % (bd, k, v)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"bestand\"; "
            "filename=\"g.csv\"\r\nContent-Type: text/csv\r\n\r\n" %
            bd).encode() + data + ("\r\n--%s--\r\n" % bd).encode()
    return out, "multipart/form-data; boundary=" + bd


def post_form(fields, data):
    body, ctype = multipart(fields, data)
    return m.request("POST", "/datasets", body=body, headers={
        "Cookie": cookie, "Origin": origin, "Content-Type": ctype})


choices = {"csrf": csrf, "vorm": "microdata",
           "indicator": "bijstand-uitkeringen", "periode": "2023-K2",
           "rol-identificerend": "bsn", "rol-quasi": "leeftijd",
           "rol-dimensie": "wijk", "rol-meetwaarde": "uitkering",
           "aggregatie": "gemiddelde"}


def kept(page):
    return ('value="2023-K2"' in page and 'value="bsn"' in page and
            'value="leeftijd"' in page and 'value="wijk"' in page and
            'value="uitkering"' in page and
            '<option value="bijstand-uitkeringen" selected>' in page and
            'value="microdata" checked' in page and
            '<option value="gemiddelde" selected>' in page)


bad = "bsn;leeftijd;wijk;uitkering\n%s;30;Noord;700,50\n%s,31,Zuid,800\n" % (
    bsn(1), bsn(2))
r = post_form(choices, bad.encode())
page = r.body.decode()
t.eq(r.status, 400, "a file with mixed separators from the form: 400")
t.ok("rij 3, kolom 1" in page and "gemengde scheidingstekens" in page,
     "the page names row, column and the reason", page[-1500:])
t.ok(kept(page), "every choice is kept after an error found in the file",
     page[-3000:])
t.ok("Kies het bestand opnieuw" in page and 'aria-describedby="bestand-'
     'uitleg fouten" aria-invalid="true"' in page and '<ul id="fouten">' in
     page, "and it says to choose the file again, at the file field too "
     "(the file is never kept), which is tied to the list of its errors")
t.ok("700,50" not in page and bsn(1) not in page, "nothing of the file is "
     "on the page")
r = post_form(dict(choices, periode="gisteren"), english(rows).encode())
page = r.body.decode()
t.ok(r.status == 400 and 'value="gisteren"' in page and 'value="bsn"' in
     page and '<option value="gemiddelde" selected>' in page,
     "a bad period: 400, with every other choice kept")
r = post_form(dict(choices, **{"rol-dimensie": "wijk, buurt"}),
              english(rows).encode())
t.ok(r.status == 400 and "rollen" in r.body.decode() and
     kept(r.body.decode().replace('value="wijk, buurt"', 'value="wijk"')),
     "a role naming a column that is not in the file: 400, choices kept")

# A Dutch Excel file through the form, and the report in plain words.
r = post_form(dict(choices, periode="2024", aggregatie="som"),
              dutch(rows).encode())
page = r.body.decode()
t.ok(r.status == 201 and "Verslag" in page, "a Dutch Excel file through the "
     "form: the report", page[:300])
t.ok("Geheim gehouden" in page and "Ruis" in page and ("nagerekend" in page or "afgekeurd" in page),
     "the report explains secret cells, noise and the audit")
WEBID = m.sql("SELECT id FROM datasets WHERE periode = '2024' AND indicator ="
              " 'bijstand-uitkeringen'")[0][0]
# B1: the report's counts with Dutch separators and its own part in words.
cells = re.search(r"<dt>Cellen</dt><dd>([\d.]+), waarvan ([\d.]+) zichtbaar "
                  r"en ([\d.]+) geheim gehouden</dd>", page)
t.ok(cells is not None, "the report counts its cells in words",
     re.findall(r"<dt>Cellen</dt><dd>[^<]*", page))
read = re.search(r"<dt>Rijen gelezen</dt><dd>([^<]+)</dd>", page)
t.ok(read and re.fullmatch(r"\d{1,3}(\.\d{3})*", read.group(1)),
     "its own figures as Dutch whole numbers", read and read.group(1))
t.ok("<dt>Personen</dt>" in page or "<dt>Eenheden (rijen)</dt>" in page,
     "and says what it counted", re.findall(r"<dt>[^<]*</dt>", page)[:12])
few = people(n=45, seed=9)
r = post_form(dict(choices, periode="2022", aggregatie="som"),
              english(few).encode())
t.ok(r.status == 201 and "minder uitsplitsingen" in r.body.decode(),
     "most cells secret: the advice to use fewer breakdowns",
     r.body.decode()[:600])

# --- Publish; the public page and its CSV -------------------------------------
r = m.request("POST", "/datasets/%s/publiceren" % WEBID, headers={
    "Cookie": cookie, "Origin": origin, "Content-Type": FORM},
    body=urllib.parse.urlencode({"csrf": csrf}))
t.eq(r.status, 303, "published from the page")
r = m.get("/datasets/" + WEBID)
page = r.body.decode()
t.ok(r.status == 200 and "Rheden" in page and "Bijstandsuitkeringen" in page
     and "Lopende uitkeringen per maand" in page,
     "the public page names the municipality, the indicator and its "
     "description", page[:800])
t.ok('href="/datasets/%s.csv"' % WEBID in page, "and links to its CSV")
stamp = re.search(r'gewijzigd <time datetime="([^"]+)">([^<]+)</time>', page)
t.ok(stamp and re.fullmatch(r"\d{1,2} [a-z]+ 20\d\d om \d\d:\d\d",
                            stamp.group(2)),
     "when it changed, in Dutch", stamp and stamp.groups())
t.ok("/verwijderen" not in page, "no delete link for a visitor")
for path in ("/datasets/%s.csv" % WEBID, "/datasets/%s?formaat=csv" % WEBID):
    r = m.get(path)
    t.ok(r.status == 200 and r.header("Content-Type").startswith("text/csv"),
         "%s: CSV" % path)
    got = list(csv.reader(r.body.decode().splitlines()))
    t.eq(got[0], ["leeftijd", "wijk", "waarde", "aantal", "geheim", "bron"],
         "its header: the breakdowns, waarde, aantal, geheim, bron")
    t.ok(len(got) > 2 and all(x[-1].startswith("Bron: gemeente Rheden")
                              for x in got[1:]),
         "every row says 'Bron: gemeente Rheden'")
    t.ok(all(x[2] == "" for x in got[1:] if x[4] == "ja"),
         "a secret cell has no figure in the CSV")

# --- The list ----------------------------------------------------------------
r = upload(english(people(n=300, seed=4)), token=other, periode="2024")
OTHER = r.json()["id"]
m.request("POST", "/api/v1/datasets/%s/publicatie" % OTHER, token=other)
other_name = m.sql("SELECT naam FROM gemeenten WHERE code = 'GM0664'")[0][0]
r = m.get("/datasets")
page = r.body.decode()
t.ok(r.status == 200 and WEBID in page and OTHER in page and
     other_name in page, "/datasets lists published tables with the names "
     "of their municipalities", page[:600])
t.ok(re.search(r"<caption>\d+ datasets</caption>", page) and
     "GM0664" not in page and ">bijstand-uitkeringen<" not in page,
     "with a count in words, names not codes or ids",
     re.findall(r"<caption>[^<]*", page))
r = m.get("/datasets?pageSize=1&indicator=bijstand-uitkeringen&periode=2024"
          "&eigen=ja", headers={"Cookie": cookie})
t.ok(re.search(r"<caption>1 dataset</caption>", r.body.decode()),
     "one: '1 dataset'", re.findall(r"<caption>[^<]*", r.body.decode()))
r = m.get("/datasets?periode=gisteren")
summary = r.body.decode()
summary = summary[summary.index('class="error-summary"'):]
t.ok(">Periode:" in summary[:400] and ">periode:" not in summary[:400],
     "a bad filter: the field named in words", summary[:300])
concept = m.sql("SELECT id FROM datasets WHERE status = 'concept' AND"
                " gemeente = 'GM0275' LIMIT 1")[0][0]
t.ok(concept not in page, "no concept for a visitor")
r = m.get("/datasets?eigen=ja", headers={"Cookie": cookie})
page = r.body.decode()
t.ok(r.status == 200 and WEBID in page and concept in page and OTHER not in
     page, "own only: this municipality's tables, concepts too")
r = m.get("/datasets?status=concept", headers={"Cookie": cookie})
t.ok(concept in r.body.decode() and WEBID not in r.body.decode(),
     "status filter")
r = m.get("/datasets?periode=2023")
t.ok(WEBID not in r.body.decode() and OTHER not in r.body.decode(),
     "period filter")
r = m.get("/datasets?indicator=bijstand-ontvangers")
t.ok(WEBID not in r.body.decode(), "indicator filter")
r = m.get("/datasets?pageSize=1")
t.ok(r.body.decode().count('<tr><th scope="row">') == 1 and "page=2" in
     r.body.decode(), "the list pages")
t.eq(m.get("/datasets?eigen=ja").status, 400, "own only, signed out: 400")
t.eq(m.get("/datasets?periode=gisteren").status, 400, "a bad period: 400")
r = m.get("/api/v1/datasets?periode=2024&indicator=bijstand-uitkeringen")
ids = [d["id"] for d in r.json()["datasets"]]
t.ok(WEBID in ids and OTHER in ids and all(
    d["periode"] == "2024" for d in r.json()["datasets"]),
    "the API takes the same filters", ids)
t.ok(all(d.get("gemeenteNaam") for d in r.json()["datasets"]),
     "and names the municipality")
r = m.get("/api/v1/datasets?eigen=ja", token=editor)
t.ok(r.status == 200 and all(d["gemeente"] == "GM0275"
                             for d in r.json()["datasets"]),
     "the API's own only")
t.eq(m.get("/api/v1/datasets?status=weg").status, 400, "a bad status: 400")

# --- Deleting, confirmed --------------------------------------------------------
page = m.get("/datasets/" + concept, headers={"Cookie": cookie}).body.decode()
t.ok('href="/datasets/%s/verwijderen"' % concept in page and
     'action="/datasets/%s/verwijderen"' % concept not in page,
     "the concept page links to a confirmation, no delete button")
r = m.get("/datasets/%s/verwijderen" % concept, headers={"Cookie": cookie})
page = r.body.decode()
t.ok(r.status == 200 and 'method="post"' in page and 'name="csrf"' in page
     and "Weet u zeker" in page, "GET shows a confirmation with a POST form")
t.eq(m.sql("SELECT count(*) FROM datasets WHERE id = ?", (concept,))[0][0], 1,
     "showing it deletes nothing")
r = m.request("POST", "/datasets/%s/verwijderen" % concept, headers={
    "Cookie": cookie, "Origin": origin, "Content-Type": FORM}, body="")
t.eq(r.status, 403, "POST without the CSRF token: 403")
t.eq(m.sql("SELECT count(*) FROM datasets WHERE id = ?", (concept,))[0][0], 1,
     "and nothing deleted")
t.eq(m.get("/datasets/%s/verwijderen" % OTHER, headers={
    "Cookie": cookie}).status, 403, "another municipality's: 403")
t.ok(m.get("/datasets/%s/verwijderen" % concept).status in (401, 302, 303),
     "signed out: not shown")
r = m.request("POST", "/datasets/%s/verwijderen" % concept, headers={
    "Cookie": cookie, "Origin": origin, "Content-Type": FORM},
    body=urllib.parse.urlencode({"csrf": csrf}))
t.eq(r.status, 303, "POST with the token: deleted")
t.eq(m.sql("SELECT count(*) FROM datasets WHERE id = ?", (concept,))[0][0], 0,
     "the concept is gone")

# --- Own figures next to public ones (item 6) -----------------------------------
per, cbs = m.sql("SELECT periode, waarde FROM indicator_waarden WHERE"
                 " indicator = 'bijstand-personen' AND gemeente = 'GM0275'"
                 " ORDER BY periode DESC LIMIT 1")[0]
table = "wijk,waarde\nNoord,140\nZuid,95\nOost,120\nWest,88\n"
r = upload(table, vorm="tabel", rollen=None, indicator="bijstand-personen",
           periode=per)
OWN = r.json()["id"]
t.eq(m.request("POST", "/api/v1/datasets/%s/publicatie" % OWN,
               token=editor).status, 200, "an own table for a CBS period: "
     "published")
total = [c for c in r.json()["tabel"]["cellen"]
         if all(x is None for x in c["categorieen"])][0]["waarde"]
q = "gemeente=GM0275&periode=%s&groep=provincie" % per
r = m.get("/api/v1/indicatoren/bijstand-personen/vergelijking?" + q)
pos = r.json()["positie"]
t.ok(abs(pos["waarde"] - cbs) < 0.01 and pos["bron"]["soort"] == "publiek"
     and pos["bron"]["naam"].startswith("CBS"), "the comparison uses the "
     "CBS figure, and says so", pos)
t.ok(pos.get("eigenCijfer") and abs(pos["eigenCijfer"]["waarde"] - total)
     < 0.01 and pos["eigenCijfer"]["bron"]["dataset"] == OWN and
     pos["eigenCijfer"]["bron"]["soort"] == "gemeente",
     "and shows the own figure beside it, with its dataset", pos)
t.ok("publieke cijfer" in pos["keuze"] and "telt niet mee" in pos["keuze"],
     "and why it uses the public one", pos.get("keuze"))
t.ok(all(x["bron"]["naam"].startswith("CBS") for x in r.json()["leden"]
         if x["waarde"] is not None), "every member's value has its source")
ser = [x for x in r.json()["reeks"] if x["periode"] == per][0]
t.ok(ser["bron"]["soort"] == "publiek" and ser["eigenCijfer"]["bron"][
    "dataset"] == OWN, "the series too")
r = m.get("/api/v1/indicatoren/bijstand-personen/vergelijking?" + q +
          "&formaat=csv")
got = list(csv.reader(r.body.decode().splitlines()))
mine = [x for x in got[1:] if x[0] == "GM0275"]
t.ok(len(mine) == 2 and {x[8] for x in mine} == {"ja", "nee"} and
     any(x[7] == OWN and x[6] == "Dataset van Rheden" for x in mine) and
     any(x[6].startswith("CBS") for x in mine),
     "the CSV has both figures of Rheden with their sources", mine)
r = m.get("/benchmarks/bijstand-personen?" + q)
page = r.body.decode()
t.ok('href="/datasets/%s"' % OWN in page and "Eigen cijfer" in page and
     "telt niet mee" in page and "publieke cijfer" in page,
     "the page shows both, the source of each and why")
t.ok("bron: CBS" in page, "the chart names each bar's source")
page = m.get("/benchmarks").body.decode()
item = page.split('href="/benchmarks/bijstand-personen"')[1].split("</li>")[0]
t.ok("eigen cijfers van 1 gemeente" in item, "the benchmark list names the "
     "municipality's own figures as such", item)
item = page.split('href="/benchmarks/bijstand-uitkeringen"')[1].split(
    "</li>")[0]
t.ok("eigen cijfers van 2 gemeenten" in item and "eigen registratie" not
     in item, "an indicator of uploads only is not labelled with a public "
     "source", item)

# A period without a CBS figure: the own figure is the one used.
r = upload(table, vorm="tabel", rollen=None, indicator="bijstand-personen",
           periode="2031")
ONLY = r.json()["id"]
m.request("POST", "/api/v1/datasets/%s/publicatie" % ONLY, token=editor)
r = m.get("/api/v1/indicatoren/bijstand-personen/vergelijking?gemeente="
          "GM0275&periode=2031&groep=provincie")
pos = r.json()["positie"]
t.ok(pos["bron"]["soort"] == "gemeente" and pos["bron"]["dataset"] == ONLY
     and pos["eigenCijfer"] is None and "geen publiek cijfer" in
     pos["keuze"], "no CBS figure: the own one is used, and said why", pos)
finish(t, m)
