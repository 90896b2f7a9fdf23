# SPDX-License-Identifier: EUPL-1.2
"""Benchmarks: the indicator catalogue seeded from the CBS table, the peer
comparison checked against figures computed here from the same CSV files,
CSV and SVG output, and `meentctl import` with its refusals (nothing
stored changes when an import fails)."""
import csv
import math
import os
import re
import statistics
import xml.etree.ElementTree as ET

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
REF = os.path.join(CONTENT, "referentie")

with open(os.path.join(REF, "gemeenten.csv"), newline="") as f:
    GEM = {r["gemeentecode"]: r for r in csv.DictReader(f)}
with open(os.path.join(REF, "cbs-85458NED-herkomst-per-gemeente.csv"),
          newline="") as f:
    CBS = list(csv.DictReader(f))


def size_class(n):
    for i, upper in enumerate([5000, 10000, 20000, 50000, 100000, 150000,
                               250000]):
        if n < upper:
            return i + 1
    return 8


def values(column, year, per1000=False):
    out = {}
    for r in CBS:
        if r["jaar"] != year or r[column] in ("", "."):
            continue
        v = float(r[column])
        if per1000:
            v = v * 1000.0 / int(GEM[r["gemeentecode"]]["inwoners_" + year])
        out[r["gemeentecode"]] = v
    return out


def expected(vals, members, own, direction="neutraal"):
    v = sorted(vals[c] for c in members if c in vals)
    q = statistics.quantiles(v, n=4, method="inclusive")
    below = sum(1 for x in v if x < vals[own])
    equal = sum(1 for x in v if x == vals[own])
    rank = below + 1 if direction == "lager_beter" else len(v) - below - equal + 1
    return {"n": len(v), "min": v[0], "p25": q[0], "mediaan": q[1],
            "p75": q[2], "max": v[-1], "gemiddelde": sum(v) / len(v),
            "rang": rank,
            "percentiel": round((below + equal / 2) * 1000 / len(v)) / 10}


def close(a, b):
    return a is not None and abs(a - b) < 1e-3


# The catalogue.
r = m.get("/api/v1/indicatoren")
t.eq(r.status, 200, "catalogue")
cat = {i["id"]: i for i in r.json()["indicatoren"]}
t.ok({"inwoners", "herkomst-nederland", "geboren-buiten-nederland",
      "herkomst-buiten-europa", "herkomst-europa"} <= set(cat),
     "the seeded CBS indicators", sorted(cat))
i = cat["herkomst-buiten-europa"]
t.eq((i["soort"], i["richting"], i["noemer"], i["eenheid"]),
     ("aantal", "neutraal", "per_1000_inwoners", "per 1.000 inwoners"),
     "kind, direction, denominator, unit")
t.ok("CBS" in i["bron"] and "85458NED" in i["bron"], "attribution kept")
t.eq([p["periode"] for p in i["perioden"]], ["2022", "2023", "2024", "2025"],
     "four periods")
t.ok(all(p["status"] == "definitief" for p in i["perioden"]), "final")
t.eq(m.get("/api/v1/indicatoren/herkomst-nederland").json()["naam"],
     "Inwoners met herkomst Nederland", "one indicator")
t.eq(m.get("/api/v1/indicatoren/onbekend").status, 404, "unknown: 404")
t.eq(m.get("/api/v1/indicatoren/..%2fx").status, 404, "a bad id: 404")

# Size class, a ratio indicator: every figure against our own computation.
own = "GM0275"
vals = values("herkomst-nederland_pct", "2024")
klasse = size_class(int(GEM[own]["inwoners_2025"]))
members = [c for c, g in GEM.items()
           if size_class(int(g["inwoners_2025"])) == klasse]
want = expected(vals, members, own)
r = m.get("/api/v1/indicatoren/herkomst-nederland/vergelijking?gemeente=%s"
          "&periode=2024&groep=grootteklasse" % own)
t.eq(r.status, 200, "comparison")
d = r.json()
s = d["statistiek"]
t.eq(s["n"], want["n"], "n of the size class (%d)" % want["n"])
for k in ("min", "p25", "mediaan", "p75", "max", "gemiddelde"):
    t.ok(close(s[k], want[k]), "%s as computed here" % k, (s[k], want[k]))
t.ok(close(d["positie"]["waarde"], vals[own]), "Rheden's own value")
t.eq(d["positie"]["rang"], want["rang"], "rank")
t.ok(close(d["positie"]["percentiel"], want["percentiel"]), "percentile",
     (d["positie"]["percentiel"], want["percentiel"]))
t.eq(len(d["leden"]), len(members), "every member listed")
t.eq(d["gemeente"]["grootteklasse"], klasse, "the municipality's class")
t.eq([p["periode"] for p in d["reeks"]], ["2022", "2023", "2024", "2025"],
     "a time series over all periods")
y22 = values("herkomst-nederland_pct", "2022")
t.ok(close(d["reeks"][0]["waarde"], y22[own]), "the series has 2022's value")
t.ok(close(d["reeks"][0]["groepMediaan"],
           expected(y22, members, own)["mediaan"]), "and 2022's median")

# Per 1,000 inhabitants from the reference data; province group.
own = "GM0014"
vals = values("herkomst-buiten-europa_aantal", "2025", per1000=True)
members = [c for c, g in GEM.items() if g["provincie"] == "Groningen"]
want = expected(vals, members, own)
d = m.get("/api/v1/indicatoren/herkomst-buiten-europa/vergelijking?"
          "gemeente=GM0014&groep=provincie").json()
t.eq(d["periode"], "2025", "without periode: the newest")
t.ok(close(d["positie"]["waarde"], vals[own]),
     "normalised per 1,000 inhabitants", (d["positie"]["waarde"], vals[own]))
t.ok(abs(d["positie"]["waarde"] / 10 - 18.201) < 0.01,
     "agrees with CBS's own percentage")
t.eq(d["statistiek"]["n"], len(members), "every Groningen municipality")
t.ok(close(d["statistiek"]["mediaan"], want["mediaan"]), "province median")
t.ok(all(x["gemeente"] in members for x in d["leden"]), "only the province")
t.eq(d["waarschuwingen"], [], "no warnings for a large city")

# The most similar municipalities, and a small base.
d = m.get("/api/v1/indicatoren/herkomst-buiten-europa/vergelijking?"
          "gemeente=GM0088&groep=vergelijkbaar").json()
codes = [x["gemeente"] for x in d["leden"]]
t.eq(len(codes), 16, "vergelijkbaar: the municipality and its 15 nearest")
t.ok("GM0088" in codes, "includes itself")
t.ok(all(int(GEM[c]["inwoners_2025"]) < 20000 for c in codes),
     "Schiermonnikoog's peers are small too",
     [(c, GEM[c]["inwoners_2025"]) for c in codes])
t.ok(any(w["code"] == "kleine_basis" for w in d["waarschuwingen"]),
     "small-base warning under 10,000 inhabitants")
d = m.get("/api/v1/indicatoren/herkomst-nederland/vergelijking?"
          "gemeente=GM0363&groep=alle").json()
t.eq(d["statistiek"]["n"], 342, "alle: 342 values")
t.ok(not any(w["code"] == "kleine_basis" for w in d["waarschuwingen"]),
     "no small-base warning for a ratio")

# CSV and SVG.
r = m.get("/api/v1/indicatoren/herkomst-nederland/vergelijking?"
          "gemeente=GM0275&groep=provincie", headers={"Accept": "text/csv"})
t.eq(r.status, 200, "CSV by Accept")
t.ok(r.header("Content-Type").startswith("text/csv"), "text/csv")
rows = list(csv.reader(r.body.decode().splitlines()))
t.eq(rows[0], ["gemeente", "naam", "inwoners", "periode", "waarde",
               "deze_gemeente", "bron", "dataset", "in_vergelijking"],
     "CSV header")
t.ok(all(x[6].startswith("CBS") for x in rows[1:] if x[4]),
     "every value names its source", rows[1][6:])
t.eq(len(rows) - 1, sum(1 for g in GEM.values()
                        if g["provincie"] == "Gelderland"), "a row a member")
t.eq([x[0] for x in rows[1:] if x[5] == "ja"], ["GM0275"], "marks Rheden")
r = m.get("/api/v1/indicatoren/herkomst-nederland/vergelijking?"
          "gemeente=GM0275&groep=provincie&formaat=svg")
t.ok(r.header("Content-Type").startswith("image/svg+xml"), "SVG")
svg = ET.fromstring(r.body)
ns = "{http://www.w3.org/2000/svg}"
t.eq(svg.get("role"), "img", "role img")
t.eq(svg.get("aria-labelledby"), "grafiek-titel grafiek-beschrijving",
     "labelled by title and description")
t.ok("Rheden" in svg.find(ns + "title").text, "the title names Rheden")
desc = svg.find(ns + "desc").text
t.ok("mediaan" in desc and "Rheden heeft" in desc and "rang" in desc,
     "the description says it in words", desc)
bars = [e for e in svg.iter(ns + "rect") if e.find(ns + "title") is not None]
t.eq(len(bars), len(rows) - 1, "a bar a member")
mine = [b for b in bars if b.get("class") == "uw-gemeente"]
t.ok(len(mine) == 1 and mine[0].get("stroke") == "#000000",
     "one highlighted bar, outlined (more than colour)", mine)
svg_texts = [e.text or "" for e in svg.iter(ns + "text")]
t.ok("Rheden (uw gemeente)" in svg_texts, "its label says \"uw gemeente\"",
     svg_texts[:8])
for e in svg.iter(ns + "text"):
    if e.text == "Rheden (uw gemeente)":
        t.eq(e.get("font-weight"), "bold", "… in bold")
bar_names = [b.find(ns + "title").text.split(":")[0] for b in bars]
t.ok(all(x in svg_texts or x + " (uw gemeente)" in svg_texts
         for x in bar_names), "every bar is labelled with its "
     "municipality's name", [x for x in bar_names if x not in svg_texts][:3])
shown = [float(b.find(ns + "title").text.split(": ")[1].split(" ")[0]
               .replace(".", "").replace(",", ".")) for b in bars]
t.ok(shown == sorted(shown, reverse=True), "bars sorted by value, highest "
     "first", shown[:5])
t.ok(svg.get("viewBox") is None and svg.get("width") == "100%",
     "no viewBox: the text is not scaled down on a phone")
t.ok(all(int(e.get("font-size", "0")) >= 12 for e in svg.iter(ns + "text")),
     "every text at least 12 px", [e.get("font-size")
                                   for e in svg.iter(ns + "text")][:5])
t.ok(not any("GM0" in x for x in svg_texts), "no municipality codes in the "
     "chart's text")

# Bad questions.
r = m.get("/api/v1/indicatoren/herkomst-nederland/vergelijking?"
          "gemeente=GM9999&periode=1999&groep=stad&formaat=pdf")
t.eq(r.status, 400, "bad query: 400")
t.eq(sorted(p["name"] for p in r.json()["invalidParams"]),
     ["formaat", "gemeente", "groep", "periode"], "names every field")
r = m.get("/api/v1/indicatoren/herkomst-nederland/vergelijking")
t.eq([p["name"] for p in r.json()["invalidParams"]], ["gemeente"],
     "gemeente is required")
r = m.get("/api/v1/indicatoren/herkomst-nederland/vergelijking?"
          "gemeente=GM0275&periode=2024-K1")
t.eq(r.status, 400, "a period the indicator does not have")

# The pages.
r = m.get("/benchmarks")
t.ok(r.status == 200 and b"/benchmarks/herkomst-nederland" in r.body,
     "the benchmarks page lists the indicators")
r = m.get("/benchmarks/herkomst-nederland?gemeente=GM0275&groep=provincie")
page = r.body.decode()
t.ok(r.status == 200 and "Hoe staat Rheden ervoor?" in page and
     '<svg xmlns="http://www.w3.org/2000/svg"' in page and
     "formaat=csv" in page, "a comparison page with chart and downloads")
t.ok('<option value="provincie" selected>' in page and
     '<option value="GM0275" selected>' in page, "the form keeps the choice")
t.ok("<figcaption>Elke staaf is een gemeente uit de groep, van hoog naar "
     "laag. Rheden is omlijnd en vet gedrukt." in page,
     "the chart's caption says how to read it")
members = page[page.index("In de volgorde van de grafiek"):]
members = members[:members.index("</table>")]
got = [float(x.replace(".", "").replace(",", ".")) for x in re.findall(
    r'</td><td class="getal">([\d.,]+)</td><td>', members)]
t.ok(len(got) > 10 and got == sorted(got, reverse=True),
     "the table beside the chart in the chart's order", got[:5])
t.ok('<strong><a href="/gemeenten/GM0275">Rheden</a> (uw gemeente)'
     '</strong>' in members, "Rheden's row marked in words, not by colour")
r = m.get("/benchmarks/herkomst-nederland?gemeente=GM9999&groep=stad")
summary = r.body.decode()
summary = summary[summary.index('class="error-summary"'):]
summary = summary[:summary.index("</div>")]
t.ok(">Gemeente: kies een gemeente uit de lijst" in summary and
     ">Vergelijk met:" in summary and ">gemeente:" not in summary and
     ">groep:" not in summary and "grootteklasse" not in summary,
     "a wrong question: each field named in words, no codes", summary[:300])
r = m.get("/benchmarks/herkomst-nederland")
t.ok(r.status == 200 and "Kies een gemeente" in r.body.decode() and
     "error-summary" not in r.body.decode(), "a first visit asks, no error")
r = m.get("/benchmarks/herkomst-nederland?gemeente=GM9999")
t.ok(r.status == 400 and "error-summary" in r.body.decode(),
     "an unknown municipality: 400 with the error summary")
t.eq(m.get("/benchmarks/bestaat-niet").status, 404, "unknown indicator page")

# Pilots name the indicators they worked on; the indicator lists the
# pilots its viewer may see.
pilot = {
    "titel": "Herkomst en bereik van het jongerenwerk",
    "samenvatting": "Bereikt ons jongerenwerk alle groepen?",
    "domein": "jeugd", "status": "lopend",
    "vraag": "Wie bereiken we niet?", "zichtbaarheid": "openbaar",
    "indicatoren": ["herkomst-nederland", "herkomst-buiten-europa"],
}
rheden = m.token("GM0275", "editor")
goes = m.token("GM0664", "editor")
r = m.request("POST", "/api/v1/pilots", body=pilot, token=rheden)
t.ok(r.status == 201, "a pilot with indicators", r.body[:300])
pub = r.json()["id"]
t.eq(r.json()["indicatoren"], ["herkomst-nederland", "herkomst-buiten-europa"],
     "the pilot names its indicators")
r = m.request("POST", "/api/v1/pilots", body=dict(
    pilot, titel="Concept over herkomst", zichtbaarheid="concept"),
    token=rheden)
concept = r.json()["id"]
r = m.request("POST", "/api/v1/pilots", body=dict(
    pilot, indicatoren=["bestaat-niet", "Fout!"]), token=rheden)
t.eq(r.status, 400, "unknown or malformed indicator: 400")
t.eq([p["name"] for p in r.json()["invalidParams"]], ["indicatoren"],
     "names the field")
r = m.request("POST", "/api/v1/pilots", body=dict(
    pilot, indicatoren=["bestaat-niet"]), token=rheden)
t.ok(r.status == 400 and "bestaat-niet" in r.json()["invalidParams"][0][
    "reason"], "says which indicator does not exist")
ids = [p["id"] for p in m.get("/api/v1/indicatoren/herkomst-nederland").json()
       ["pilots"]]
t.eq(ids, [pub], "anonymous: the public pilot only")
ids = {p["id"] for p in m.get("/api/v1/indicatoren/herkomst-nederland",
                              token=rheden).json()["pilots"]}
t.eq(ids, {pub, concept}, "its own municipality also sees the concept")
ids = {p["id"] for p in m.get("/api/v1/indicatoren/herkomst-nederland",
                              token=goes).json()["pilots"]}
t.eq(ids, {pub}, "another municipality does not")
page = m.get("/benchmarks/herkomst-nederland").body.decode()
t.ok("/pilots/" + pub in page and "/pilots/" + concept not in page,
     "the indicator page lists the public pilot")
page = m.get("/pilots/" + pub).body.decode()
t.ok("/benchmarks/herkomst-buiten-europa?gemeente=GM0275" in page,
     "the pilot page links to the comparison for its municipality")
r = m.get("/api/v1/pilots/" + pub)
m.request("DELETE", "/api/v1/pilots/" + pub, token=rheden,
          headers={"If-Match": r.header("ETag")})
t.eq(m.get("/api/v1/indicatoren/herkomst-nederland").json()["pilots"], [],
     "a deleted pilot is no longer listed")

# meentctl import: a wide file, a small group, provisional figures.
tmp = m.dir
defn = os.path.join(tmp, "def.json")
with open(defn, "w") as f:
    f.write('{"id": "wachttijd", "naam": "Wachttijd Wmo", "omschrijving": '
            '"Dagen tot een besluit.", "eenheid": "dagen", "soort": "ratio",'
            ' "richting": "lager_beter", "bron": "test"}')
p = m.ctl("indicator", "add", defn)
t.ok(p.returncode == 0, "indicator add", p.stderr)
with open(defn, "w") as f:
    f.write('{"id": "Wacht tijd", "naam": "", "soort": "x", '
            '"richting": "omhoog", "bron": "t", "noemer": "per_auto"}')
p = m.ctl("indicator", "add", defn)
t.ok(p.returncode == 1, "a bad definition is refused", p.stderr)
t.ok(all(w in p.stderr for w in ("id", "naam", "soort", "richting",
                                  "noemer", "omschrijving")),
     "naming every field", p.stderr)


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


good = write("w.csv", "code,jaar,dagen,andere\n"
             "GM0275,2024-K1,40,x\nGM0014,2024-K1,55,x\n"
             "GM0363,2024-K1,70,x\nGM0001,2024-K1,12,x\n"
             "GM0088,2024-K1,.,x\n")
p = m.ctl("import", "--indicator", "wachttijd", "--source", "Test 1",
          "--column", "dagen", "--period-column", "jaar", "--code-column",
          "code", "--status", "voorlopig", good)
t.ok(p.returncode == 0, "import", p.stderr)
t.ok("3 values" in p.stdout and "1 missing" in p.stdout and
     "1 for codes" in p.stdout, "reports what it did", p.stdout)
i = m.get("/api/v1/indicatoren/wachttijd").json()
t.eq(i["perioden"], [{"periode": "2024-K1", "status": "voorlopig"}],
     "a provisional quarter")
d = m.get("/api/v1/indicatoren/wachttijd/vergelijking?gemeente=GM0275"
          "&groep=alle").json()
t.eq((d["statistiek"]["n"], d["positie"]["rang"]), (3, 1),
     "lower is better: the shortest wait ranks first")
t.eq(d["positie"]["percentiel"], None, "no percentile under 5 values")
t.ok(any(w["code"] == "kleine_groep" for w in d["waarschuwingen"]),
     "says why")
d = m.get("/api/v1/indicatoren/wachttijd/vergelijking?gemeente=GM0088"
          "&groep=alle").json()
t.eq((d["positie"]["waarde"], d["positie"]["rang"]), (None, None),
     "no value: no rank")

# The answer was cached; an import by meentctl (another process) is seen
# at once all the same.
url = "/api/v1/indicatoren/wachttijd/vergelijking?gemeente=GM0275&groep=alle"
t.eq(m.get(url).json()["positie"]["rang"], 1, "asked again: still first")
p = m.ctl("import", "--indicator", "wachttijd", "--source", "Test 1",
          "--column", "dagen", "--period-column", "jaar", "--code-column",
          "code", "--status", "voorlopig", write("w2.csv",
          "code,jaar,dagen\nGM0275,2024-K1,90\n"))
t.ok(p.returncode == 0, "a correction", p.stderr)
answers = [m.get(url).json()["positie"] for _ in range(8)]
t.ok(all((a["waarde"], a["rang"]) == (90.0, 3) for a in answers),
     "every worker answers with the corrected figure at once", answers)

before = m.sql("SELECT gemeente, waarde FROM indicator_waarden WHERE"
               " indicator = 'wachttijd' ORDER BY 1")
bad = {
    "ragged": ("code,jaar,dagen\nGM0275,2024-K1,41\nGM0014,2024-K1\n",
               "row 3"),
    "NaN": ("code,jaar,dagen\nGM0275,2024-K1,NaN\n", "row 2, column dagen"),
    "overflow": ("code,jaar,dagen\nGM0275,2024-K1,1e309\n", "not a number"),
    "code": ("code,jaar,dagen\nGM0275,2024-K1,41\nRheden,2024-K1,4\n",
             "row 3, column code"),
    "period": ("code,jaar,dagen\nGM0275,2024Q1,41\n", "not a period"),
    "twice": ("code,jaar,dagen\nGM0275,2024-K1,41\nGM0275,2024-K1,42\n",
              "a second value"),
    "quote": ('code,jaar,dagen\nGM0275,2024-K1,"41\n', "row"),
    "nul": ("code,jaar,dagen\nGM0275,2024-K1,4\x001\n", "row 2: a NUL byte"),
    "column": ("gemeente,jaar,dagen\nGM0275,2024-K1,41\n", "no column 'code'"),
    "empty": ("code,jaar,dagen\n", "no rows"),
}
for name, (text, why) in bad.items():
    p = m.ctl("import", "--indicator", "wachttijd", "--source", "Test 2",
              "--column", "dagen", "--period-column", "jaar",
              "--code-column", "code", write(name + ".csv", text))
    t.ok(p.returncode == 1 and why in p.stderr and
         "nothing was imported" in p.stderr, "refused: %s" % name, p.stderr)
t.eq(m.sql("SELECT gemeente, waarde FROM indicator_waarden WHERE"
           " indicator = 'wachttijd' ORDER BY 1"), before,
     "failed imports changed nothing")
p = m.ctl("import", "--indicator", "bestaat-niet", "--source", "x", good)
t.ok(p.returncode == 1 and "no indicator" in p.stderr, "unknown indicator")
for args in (["--source", "x", good], ["--indicator", "wachttijd", good],
             ["--indicator", "wachttijd", "--source", "x"],
             ["--indicator", "wachttijd", "--source", "x", "--status", "oud",
              good], ["--indicator", "wachttijd", "--source", "x", good, good]):
    t.eq(m.ctl("import", *args).returncode, 2, "usage: %s" % " ".join(
        a if a != good else "FILE" for a in args))

finish(t, m)
