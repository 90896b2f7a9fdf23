# SPDX-License-Identifier: EUPL-1.2
"""Exports for Dutch Excel: a comparison and a published dataset's table as
.xlsx (opened here with zipfile and the sheet's XML: a header block with the
indicator, unit, period and source, numbers stored as numbers with a
thousands format) and as CSV for Dutch Excel (?formaat=csv-nl: a byte order
mark, ";", a decimal comma); their Content-Type and Content-Disposition; a
table without figures (every value missing, every cell secret) is still a
valid file that says so; a bad format is a 400; no temporary file stays."""
import io
import json
import math
import os
import re
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
NS = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(body):
    """The first sheet as {(row, col): (kind, value)}, rows from 0, and the
    number formats by style index."""
    z = zipfile.ZipFile(io.BytesIO(body))
    t.eq(z.testzip(), None, "the .xlsx is a sound zip file")
    strings = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(
                "s:si", NS):
            strings.append("".join(x.text or "" for x in si.iter(
                "{%s}t" % NS["s"])))
    styles = ET.fromstring(z.read("xl/styles.xml"))
    fmts = {int(f.get("numFmtId")): f.get("formatCode")
            for f in styles.iter("{%s}numFmt" % NS["s"])}
    xfs = [int(x.get("numFmtId", "0")) for x in
           styles.find("s:cellXfs", NS).findall("s:xf", NS)]
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for row in sheet.iter("{%s}row" % NS["s"]):
        r = int(row.get("r")) - 1
        for c in row.findall("s:c", NS):
            v = c.find("s:v", NS)
            kind = c.get("t", "n")
            if kind == "s":
                val = strings[int(v.text)]
            elif kind == "n":
                val = float(v.text)
            else:
                val = v.text if v is not None else None
            fmt = fmts.get(xfs[int(c.get("s", "0"))])
            cells[(r, col_index(c.get("r")))] = (kind, val, fmt)
    return cells


def texts(cells):
    return [v for (k, v, f) in cells.values() if k == "s"]


def header_row(cells, first):
    """The row whose first cell is `first` (the column names)."""
    for (r, c), (k, v, f) in cells.items():
        if c == 0 and v == first:
            return r
    return None


# --- A comparison -----------------------------------------------------------
BASE = ("/api/v1/indicatoren/herkomst-nederland/vergelijking?gemeente=GM0275"
        "&groep=provincie&periode=2023")
j = m.get(BASE).json()
ind = m.get("/api/v1/indicatoren/herkomst-nederland").json()
r = m.get(BASE + "&formaat=xlsx")
t.eq(r.status, 200, "comparison as .xlsx: 200")
t.eq(r.header("Content-Type"), XLSX, "Content-Type of a workbook")
t.eq(r.header("Content-Disposition"),
     'attachment; filename="vergelijking-herkomst-nederland-GM0275-2023.xlsx"',
     "saved as a file named for what it compares")
t.ok(r.body[:2] == b"PK", "the body is a zip (an Office Open XML file)")
cells = read_xlsx(r.body)
all_text = texts(cells)
t.ok(cells[(0, 0)][1].startswith(ind["naam"]), "the title names the "
     "indicator", cells.get((0, 0)))
t.ok("Eenheid: %s" % ind["eenheid"] in all_text, "the header block gives "
     "the unit", all_text[:8])
t.ok("Periode: 2023" in all_text, "… the period")
t.ok("Bron: %s" % ind["bron"] in all_text, "… the source (%s)" % ind["bron"])
t.ok("Gemeente: Rheden" in all_text, "… the municipality")
h = header_row(cells, "Gemeente")
t.ok(h is not None and h > 3, "the table starts below the header block")
t.eq([cells[(h, c)][1] for c in range(5)],
     ["Gemeente", "CBS-code", "Inwoners", "Waarde", "Deze gemeente"],
     "column names")
rows = {}
r_ = h + 1
while (r_, 0) in cells:
    rows[cells[(r_, 1)][1]] = [cells.get((r_, c)) for c in range(5)]
    r_ += 1
t.eq(len(rows), len(j["leden"]), "one row per member (%d)" % len(rows))
own = rows["GM0275"]
t.eq(own[2][0], "n", "inhabitants are a number cell, not text")
t.eq(own[2][1], float([x for x in j["leden"]
                       if x["gemeente"] == "GM0275"][0]["inwoners"]),
     "… with the right value")
t.eq(own[2][2], "#,##0", "… shown with thousands separators, no decimals")
want = [x for x in j["leden"] if x["gemeente"] == "GM0275"][0]["waarde"]
t.eq(own[3][0], "n", "the value is a number cell")
t.ok(abs(own[3][1] - want) < 1e-9, "… not rounded in the file",
     (own[3][1], want))
t.ok(own[3][2] in ("#,##0", "#,##0.00"), "… with a Dutch-friendly format",
     own[3][2])
t.eq(own[4][1], "ja", "the municipality's own row is marked")

r = m.get(BASE + "&formaat=csv-nl")
t.eq(r.status, 200, "comparison as csv-nl: 200")
t.eq(r.header("Content-Type"), "text/csv; charset=utf-8", "CSV type")
t.eq(r.header("Content-Disposition"),
     'attachment; filename="vergelijking-herkomst-nederland-GM0275-2023.csv"',
     "a .csv attachment")
t.ok(r.body.startswith(b"\xef\xbb\xbf"), "starts with a byte order mark")
lines = r.body[3:].decode("utf-8").split("\r\n")
t.ok(lines[0].startswith(ind["naam"]), "first line: the title", lines[0])
t.ok("Bron: %s" % ind["bron"] in lines, "the source in the header block")
hdr = lines.index("Gemeente;CBS-code;Inwoners;Waarde;Deze gemeente")
t.ok(hdr > 3, "the column names, with ';'")
rheden = [x for x in lines if ";GM0275;" in x][0].split(";")
t.eq(rheden[0], "Rheden", "a row with ';' between fields")
t.ok("." not in rheden[2] and rheden[2].isdigit(), "a count without "
     "separators", rheden[2])
if want != int(want):
    t.ok("," in rheden[3] and "." not in rheden[3], "a decimal comma",
         rheden[3])
else:
    t.ok(rheden[3].isdigit(), "a whole value", rheden[3])
t.ok(abs(float(rheden[3].replace(",", ".")) - want) < 1e-4,
     "the value, to four decimals")

# The plain CSV stays as it was.
r = m.get(BASE + "&formaat=csv")
t.ok(r.body.startswith(b"gemeente,naam,inwoners,periode,waarde"),
     "the plain CSV keeps its machine format")
t.ok(not r.body.startswith(b"\xef\xbb\xbf"), "… without a byte order mark")
r = m.get(BASE, headers={"Accept": XLSX})
t.eq(r.header("Content-Type"), XLSX, "Accept: the workbook type gives one")
r = m.get(BASE + "&formaat=xls")
t.eq(r.status, 400, "an unknown format: 400")
t.ok("xlsx" in r.body.decode(), "… naming the formats")

# A comparison in which no member has a value: a file that says so.
with open(os.path.join(m.dir, "leeg.json"), "w") as f:
    json.dump({"id": "leeg-indicator", "naam": "Lege indicator",
               "omschrijving": "Zonder waarden", "eenheid": "aantal",
               "soort": "aantal", "richting": "neutraal",
               "bron": "Testbron"}, f)
m.ctl("indicator", "add", os.path.join(m.dir, "leeg.json"), check=True)
src = os.path.join(m.dir, "leeg.csv")
with open(src, "w") as f:
    f.write("code,jaar,aantal\nGM0275,2024,1234567\nGM0088,2024,.\n")
p = m.ctl("import", "--indicator", "leeg-indicator", "--source", "Testbron",
          "--column", "aantal", "--period-column", "jaar", "--code-column",
          "code", src)
t.ok(p.returncode == 0, "import for the empty comparison", p.stderr)
EMPTY = ("/api/v1/indicatoren/leeg-indicator/vergelijking?gemeente=GM0088"
         "&groep=provincie&periode=2024")
r = m.get(EMPTY + "&formaat=xlsx")
t.ok(r.status == 200, "a comparison without values: 200", r)
if r.status == 200:
    cells = read_xlsx(r.body)
    t.ok(any("geen enkele" in x for x in texts(cells)), "the file says no "
         "value is known", texts(cells)[-3:])
r = m.get(EMPTY + "&formaat=csv-nl")
t.ok("geen enkele" in r.body.decode("utf-8", "replace"), "so does csv-nl")
# A big count in a whole-number column.
r = m.get("/api/v1/indicatoren/leeg-indicator/vergelijking?gemeente=GM0275"
          "&groep=alle&periode=2024&formaat=xlsx")
cells = read_xlsx(r.body)
big = [v for v in cells.values() if v[0] == "n" and v[1] == 1234567.0]
t.ok(big and big[0][2] == "#,##0", "a count is a whole number with "
     "thousands separators", big)

# --- The chart's axis: round ticks in Dutch notation, with the unit ----------
SVG = "{http://www.w3.org/2000/svg}"


def ticks(path):
    svg = ET.fromstring(m.get(path + "&formaat=svg").body)
    labels = [e.text for e in svg.iter(SVG + "text")
              if e.get("class") == "tick"]
    other = [e.text for e in svg.iter(SVG + "text")]
    return labels, other


def dutch(label):
    return float(label.replace("\u2212", "-").replace(".", "")
                 .replace(",", "."))


labels, other = ticks("/api/v1/indicatoren/leeg-indicator/vergelijking?"
                      "gemeente=GM0275&groep=alle&periode=2024")
t.ok(all(re.fullmatch(r"\d{1,3}(\.\d{3})*", x) for x in labels),
     "a count's ticks: whole numbers with thousands dots", labels)
t.ok("Eenheid: aantal" in other, "the axis says its unit", other[:4])
vals = [dutch(x) for x in labels]
steps = set(round(b - a, 6) for a, b in zip(vals, vals[1:]))
t.ok(len(steps) == 1 and vals[0] == 0, "evenly spaced from 0", vals)
step = steps.pop() if steps else 0
mant = step / 10 ** math.floor(math.log10(step)) if step > 0 else 0
t.ok(round(mant, 6) in (1, 2, 2.5, 5), "a round step (%s)" % step)
t.ok(vals[-1] >= 1234567, "the top tick is above the highest bar", vals)
labels, other = ticks(BASE)
vals = [dutch(x) for x in labels]
t.ok(len(set(round(b - a, 6) for a, b in zip(vals, vals[1:]))) == 1 and
     3 <= len(vals) <= 7, "a fraction's ticks are evenly spaced too", labels)
t.ok(all("." not in x or re.fullmatch(r"[\d.]+(,\d+)?", x) for x in labels),
     "with a decimal comma where they need one", labels)

# --- The page links to the exports -------------------------------------------
page = m.get("/benchmarks/herkomst-nederland?gemeente=GM0275&groep=provincie"
             "&periode=2023").body.decode()
t.ok("formaat=xlsx" in page and "Download voor Excel (.xlsx)" in page,
     "the comparison page links the .xlsx")
t.ok("formaat=csv-nl" in page, "… and the CSV for Dutch Excel")

# --- A dataset ---------------------------------------------------------------
with open(os.path.join(m.dir, "ind.json"), "w") as f:
    json.dump({"id": "bijstand-uitkeringen", "naam": "Bijstandsuitkeringen",
               "omschrijving": "Lopende uitkeringen", "eenheid": "euro",
               "soort": "bedrag", "richting": "neutraal",
               "bron": "eigen registratie"}, f)
m.ctl("indicator", "add", os.path.join(m.dir, "ind.json"), check=True)
editor = m.token("GM0275", "editor")


def bsn(i):
    """A number passing the 11-test, distinct per i."""
    base = 100000000 + i * 7
    while True:
        dg = [int(c) for c in "%09d" % base]
        if (sum(dg[k] * (9 - k) for k in range(8)) - dg[8]) % 11 == 0:
            return "%09d" % base
        base += 1


def microdata(rows):
    wijken = ["Noord", "Zuid", "Oost", "West"]
    return "bsn,wijk,uitkering\n" + "".join(
        "%s,%s,%d\n" % (bsn(i), wijken[i % 4], 500 + (i * 37) % 900)
        for i in range(rows))


def upload(text, periode):
    q = {"vorm": "microdata", "indicator": "bijstand-uitkeringen",
         "periode": periode,
         "rollen": "bsn:identificerend,wijk:dimensie,uitkering:meetwaarde"}
    return m.request("POST", "/api/v1/datasets?" + urllib.parse.urlencode(q),
                     body=text, token=editor,
                     headers={"Content-Type": "text/csv"})


r = upload(microdata(400), "2025")
t.ok(r.status == 201, "a microdata upload: 201", r)
d = r.json()
pub = m.request("POST", "/api/v1/datasets/%s/publicatie" % d["id"],
                token=editor)
t.ok(pub.status == 200, "published", pub)
path = "/api/v1/datasets/%s" % d["id"]
r = m.get(path + "?formaat=xlsx")
t.ok(r.status == 200, "a published dataset as .xlsx, anonymously: 200", r)
t.eq(r.header("Content-Type"), XLSX, "workbook type")
t.eq(r.header("Content-Disposition"), 'attachment; filename="dataset-'
     'bijstand-uitkeringen-2025.xlsx"', "named for indicator and period")
cells = read_xlsx(r.body)
tx = texts(cells)
t.ok(cells[(0, 0)][1].startswith("Bijstandsuitkeringen"), "title: the "
     "indicator's name")
t.ok("Eenheid: euro" in tx and "Periode: 2025" in tx, "unit and period")
t.ok("Bron: gemeente Rheden (GM0275)" in tx, "the source is the "
     "municipality", [x for x in tx if x.startswith("Bron")])
h = header_row(cells, "wijk")
t.ok(h is not None, "a column per dimension")
nums = [v for (rc, v) in cells.items() if rc[0] > h and v[0] == "n"]
t.ok(len(nums) >= 2, "published figures are number cells", len(nums))
t.ok(any(v[2] == "#,##0" for v in nums), "… with a thousands format")
t.ok("Totaal" in tx, "the total row says Totaal")
r = m.get(path + "?formaat=csv-nl")
t.ok(r.body.startswith(b"\xef\xbb\xbf") and b"wijk;Waarde;Aantal" in r.body,
     "the dataset as csv-nl", r.body[:200])
r = m.get(path + "?formaat=pdf")
t.eq(r.status, 400, "a dataset in an unknown format: 400")
t.eq(m.get(path).header("Content-Type"), "application/json",
     "without formaat: JSON as before")
page = m.get("/datasets/%s" % d["id"]).body.decode()
t.ok("/api/v1/datasets/%s?formaat=xlsx" % d["id"] in page,
     "the dataset page links the .xlsx")

# A table whose every cell is secret (too few people everywhere).
r = upload(microdata(6), "2026")
t.ok(r.status == 201, "a tiny table: 201", r)
tiny = r.json()
t.ok(all(c["geheim"] for c in tiny["tabel"]["cellen"]),
     "every cell is secret")
r = m.get("/api/v1/datasets/%s?formaat=xlsx" % tiny["id"], token=editor)
t.ok(r.status == 200, "its .xlsx (the owner's concept): 200", r)
cells = read_xlsx(r.body)
tx = texts(cells)
t.ok(any("Alle cellen van deze tabel zijn geheim" in x for x in tx),
     "the file says every cell is secret")
t.ok(not [v for (rc, v) in cells.items() if v[0] == "n"],
     "and holds no number")
r = m.get("/api/v1/datasets/%s?formaat=csv-nl" % tiny["id"], token=editor)
t.ok("Alle cellen van deze tabel zijn geheim" in r.body.decode("utf-8"),
     "so does csv-nl")
t.eq(m.get("/api/v1/datasets/%s?formaat=xlsx" % tiny["id"]).status, 404,
     "a concept's export is the owner's alone")

left = [f for f in os.listdir(m.data) if f.startswith("export-")]
t.eq(left, [], "no temporary export file stays in the data directory")
finish(t, m)
