# SPDX-License-Identifier: EUPL-1.2
"""The CBS figures of the social domain (content/referentie/sociaal) on a
fresh instance: every new indicator with its unit, direction and "Bron:
CBS"; every stored value equal to the CSV (the ratio meent computes too),
missing values absent (not 0); values under codes that no longer exist kept
apart, never a successor's and never in a comparison, with the page saying
so; provisional periods marked. A broken catalogue or table stops the seed
with the file, row and column, and nothing of that kind is stored. And the
seed pilots: at least two in every size class, the Rheden examples with
their source, the invented ones marked and never federated."""
import csv
import json
import math
import os
import shutil
import subprocess

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
REF = os.path.join(CONTENT, "referentie")
SOC = os.path.join(REF, "sociaal")

with open(os.path.join(REF, "gemeenten.csv"), newline="") as f:
    GEM = {r["gemeentecode"]: r for r in csv.DictReader(f)}


def rows(name):
    with open(os.path.join(SOC, name), newline="") as f:
        return list(csv.DictReader(f))


BIJSTAND = ["cbs-84590NED-maatstaven-gemeentefonds-bijstand.csv",
            "cbs-84860NED-maatstaven-gemeentefonds-bijstand.csv",
            "cbs-85052NED-maatstaven-gemeentefonds-bijstand.csv",
            "cbs-85309NED-maatstaven-gemeentefonds-bijstand.csv"]
JEUGD = ["cbs-84134NED-jeugdzorg-2015-2020.csv",
         "cbs-85099NED-jeugdzorg-2021-2023.csv"]
WMO = ["cbs-86050NED-wmo-clienten.csv"]
MIS = ["cbs-83648NED-geregistreerde-misdrijven.csv"]
INK = ["cbs-86004NED-inkomen-huishoudens.csv",
       "cbs-inkomen-huishoudens-2024-voorlopig.csv"]


def per1000(r):
    n, d = r["personen_met_bijstand_3112"], \
        r["inwoners_15_tot_65_jaar_0101_indeling"]
    if n in ("", ".") or d in ("", "."):
        return ""
    # One decimal, halves away from zero (C's round(), not Python's).
    return str(math.floor(float(n) * 10000.0 / float(d) + 0.5) / 10.0)


# id: (files, column or function, unit, kind, direction, table ids,
#      years, provisional years)
SPEC = {
    "bijstand-personen": (BIJSTAND, "personen_met_bijstand_3112", "personen",
                          "aantal", "neutraal",
                          ["84590NED", "84860NED", "85052NED", "85309NED"],
                          range(2018, 2022), []),
    "bijstand-per-1000-15-64": (BIJSTAND, per1000,
                                "per 1.000 inwoners van 15 tot 65 jaar",
                                "ratio", "lager_beter",
                                ["84590NED", "85309NED"],
                                range(2018, 2022), []),
    "jeugdzorg-jongeren": (JEUGD, "jongeren_met_jeugdzorg", "jongeren",
                           "aantal", "neutraal", ["84134NED", "85099NED"],
                           range(2015, 2024), []),
    "jeugdzorg-percentage": (JEUGD, "pct_jongeren_met_jeugdzorg",
                             "% van 0 tot en met 22 jaar", "ratio",
                             "neutraal", ["84134NED", "85099NED"],
                             range(2015, 2024), []),
    "wmo-clienten": (WMO, "wmo_clienten", "cliënten", "aantal", "neutraal",
                     ["86050NED"], range(2017, 2024), []),
    "wmo-clienten-per-1000": (WMO, "wmo_clienten_per_1000_inwoners",
                              "per 1.000 inwoners", "ratio", "neutraal",
                              ["86050NED"], range(2017, 2024), []),
    "misdrijven": (MIS, "geregistreerde_misdrijven", "misdrijven", "aantal",
                   "neutraal", ["83648NED"], range(2015, 2025), [2024]),
    "misdrijven-per-1000": (MIS, "geregistreerde_misdrijven_per_1000_inwoners",
                            "per 1.000 inwoners", "ratio", "lager_beter",
                            ["83648NED"], range(2015, 2025), [2024]),
    "inkomen-mediaan-gestandaardiseerd": (
        INK, "mediaan_gestandaardiseerd_inkomen_x1000_euro", "duizend euro",
        "bedrag", "hoger_beter", ["86004NED"], range(2011, 2025), [2024]),
    "inkomen-gemiddeld-gestandaardiseerd": (
        INK, "gem_gestandaardiseerd_inkomen_x1000_euro", "duizend euro",
        "bedrag", "hoger_beter", ["86004NED"], range(2011, 2025), [2024]),
    "inkomen-mediaan-besteedbaar": (
        INK, "mediaan_besteedbaar_inkomen_x1000_euro", "duizend euro",
        "bedrag", "hoger_beter", ["86004NED"], range(2011, 2025), [2024]),
    "inkomen-gemiddeld-besteedbaar": (
        INK, "gem_besteedbaar_inkomen_x1000_euro", "duizend euro",
        "bedrag", "hoger_beter", ["86004NED"], range(2011, 2025), [2024]),
}


def csv_values(ind):
    """{(code, year): text} of every row of the indicator's files."""
    files, col = SPEC[ind][0], SPEC[ind][1]
    out = {}
    for name in files:
        for r in rows(name):
            out[(r["gemeentecode"], r["jaar"])] = col(r) if callable(col) \
                else r[col]
    return out


def close(a, b):
    return a is not None and b is not None and abs(a - b) < 1e-6


# The catalogue.
cat = {i["id"]: i for i in m.get("/api/v1/indicatoren").json()["indicatoren"]}
for ind, (files, col, unit, kind, direction, tables, years, prov) in \
        SPEC.items():
    i = cat.get(ind)
    if not t.ok(i is not None, "%s is in the catalogue" % ind):
        continue
    t.eq((i["eenheid"], i["soort"], i["richting"], i["noemer"]),
         (unit, kind, direction, None),
         "%s: unit, kind, direction; no denominator applied by meent" % ind)
    t.ok("Bron: CBS" in i["bron"] and all(x in i["bron"] for x in tables),
         "%s: 'Bron: CBS' and the table ids" % ind, i["bron"])
    t.eq([(p["periode"], p["status"]) for p in i["perioden"]],
         [(str(y), "voorlopig" if y in prov else "definitief")
          for y in years], "%s: its years, provisional ones marked" % ind)
i = cat["bijstand-per-1000-15-64"]
t.ok(i["bron"].startswith("Berekend door meent") and
     "Berekend door meent, niet door CBS" in i["omschrijving"],
     "the ratio meent computes says so")
t.ok(all("Kerncijfers wijken en buurten" in cat[x]["omschrijving"]
         for x in ("bijstand-personen", "bijstand-per-1000-15-64")),
     "the bijstand indicators warn against the kwb definition")
t.ok(not any("kwb" in x or "85984" in cat[x]["bron"] for x in cat),
     "the kwb 2024 file of 100 municipalities is not imported")
with open(os.path.join(SOC, "cbs-inkomen-huishoudens-2024-voorlopig.csv"),
          newline="") as f:
    t.eq({r["status"] for r in csv.DictReader(f)}, {"voorlopig"},
         "the 2024 income file is provisional throughout, as marked")

# Every stored value against the CSV: today's codes in indicator_waarden,
# the others kept apart; missing ones nowhere.
for ind in SPEC:
    want = csv_values(ind)
    today = {(c, p): v for c, p, v in m.sql(
        "SELECT gemeente, periode, waarde FROM indicator_waarden WHERE"
        " indicator = ?", (ind,))}
    gone = {(c, p): v for c, p, v in m.sql(
        "SELECT gemeente, periode, waarde FROM indicator_waarden_opgeheven"
        " WHERE indicator = ?", (ind,))}
    w_today = {k: float(v) for k, v in want.items()
               if v not in ("", ".") and k[0] in GEM}
    w_gone = {k: float(v) for k, v in want.items()
              if v not in ("", ".") and k[0] not in GEM}
    t.ok(set(today) == set(w_today) and
         all(close(today[k], w_today[k]) for k in today),
         "%s: every value of today's municipalities as in the CSV (%d)" %
         (ind, len(w_today)),
         sorted(set(today) ^ set(w_today))[:5] or
         [(k, today[k], w_today[k]) for k in today
          if not close(today[k], w_today[k])][:5])
    t.ok(set(gone) == set(w_gone) and
         all(close(gone[k], w_gone[k]) for k in gone),
         "%s: values of %d codes that no longer exist kept apart" %
         (ind, len(w_gone)))
    empty = [k for k, v in want.items() if v in ("", ".")]
    t.ok(not any(k in today or k in gone for k in empty),
         "%s: %d missing values stored as nothing, not 0" % (ind, len(empty)))

# Spot checks through the API: three municipalities, two years each.
for ind, years in [("bijstand-personen", ("2019", "2021")),
                   ("bijstand-per-1000-15-64", ("2018", "2020")),
                   ("jeugdzorg-jongeren", ("2016", "2023")),
                   ("jeugdzorg-percentage", ("2019", "2023")),
                   ("wmo-clienten", ("2019", "2023")),
                   ("wmo-clienten-per-1000", ("2019", "2023")),
                   ("misdrijven", ("2015", "2024")),
                   ("misdrijven-per-1000", ("2023", "2024")),
                   ("inkomen-mediaan-gestandaardiseerd", ("2011", "2024")),
                   ("inkomen-gemiddeld-gestandaardiseerd", ("2023", "2024")),
                   ("inkomen-mediaan-besteedbaar", ("2023", "2024")),
                   ("inkomen-gemiddeld-besteedbaar", ("2020", "2024"))]:
    want = csv_values(ind)
    for code in ("GM0275", "GM0363", "GM0339"):
        d = m.get("/api/v1/indicatoren/%s/vergelijking?gemeente=%s"
                  "&groep=alle" % (ind, code)).json()
        series = {p["periode"]: p["waarde"] for p in d["reeks"]}
        for y in years:
            v = want.get((code, y), "")
            exp = float(v) if v not in ("", ".") else None
            t.ok(close(series.get(y), exp) or (exp is None and
                 series.get(y) is None), "%s %s %s: %s" % (ind, code, y, v),
                 series.get(y))
d = m.get("/api/v1/indicatoren/bijstand-per-1000-15-64/vergelijking?"
          "gemeente=GM0275&periode=2021&groep=alle").json()
r = [x for x in rows(BIJSTAND[3]) if x["gemeentecode"] == "GM0275"][0]
t.ok(close(d["positie"]["waarde"], float(per1000(r))),
    "Rheden 2021: bijstand * 1000 / inhabitants 15-64 of the same row",
    d["positie"]["waarde"])
t.eq(r["personen_met_bijstand_3112"], "1100", "Rheden 2021 as SOURCES.md")

# Missing stays missing: in the series, the comparison and the members.
d = m.get("/api/v1/indicatoren/misdrijven-per-1000/vergelijking?"
          "gemeente=GM0088&periode=2019&groep=grootteklasse").json()
t.eq(d["positie"]["waarde"], None, "Schiermonnikoog: CBS gives no crime "
     "rate, and neither does meent")
t.eq(d["positie"]["rang"], None, "and no rank")
t.ok(all(x["waarde"] is None for x in d["leden"]
         if x["gemeente"] in ("GM0088", "GM0096", "GM0277")),
     "the small islands and Rozendaal have no value in the group")
d = m.get("/api/v1/indicatoren/wmo-clienten/vergelijking?gemeente=GM0252"
          "&periode=2023&groep=alle").json()
t.eq((d["gemeente"]["naam"], d["positie"]["waarde"]), ("Heumen", None),
     "Heumen left no Wmo figure for 2023 with CBS: none here")
t.eq(d["statistiek"]["n"], 336, "the 2023 Wmo comparison counts the 336 "
     "municipalities with a figure")
d = m.get("/api/v1/indicatoren/inkomen-mediaan-besteedbaar/vergelijking?"
          "gemeente=GM0277&periode=2023&groep=alle").json()
t.eq(d["positie"]["waarde"], None, "Rozendaal: no income figure in 2023")

# Merged municipalities: per year's boundaries, kept apart.
want = csv_values("misdrijven")
gone18 = sorted(c for (c, y), v in want.items()
                if y == "2018" and c not in GEM and v != "")
t.ok("GM0017" in gone18 and "GM0009" in gone18,
     "Haren and Ten Boer have 2018 crime figures in the table")
d = m.get("/api/v1/indicatoren/misdrijven/vergelijking?gemeente=GM0014"
          "&periode=2018&groep=alle").json()
t.ok(close(d["positie"]["waarde"], float(want[("GM0014", "2018")])),
     "Groningen 2018 is Groningen's own figure, without Haren and Ten Boer",
     (d["positie"]["waarde"], want[("GM0014", "2018")],
      want[("GM0017", "2018")]))
t.eq(d["statistiek"]["n"], sum(1 for (c, y), v in want.items()
                               if y == "2018" and c in GEM and v != ""),
     "the 2018 comparison counts only today's municipalities with a value")
t.ok(not any(x["gemeente"] in gone18 for x in d["leden"]),
     "no code that no longer exists among the members")
w = {x["code"]: x["tekst"] for x in d["waarschuwingen"]}
t.ok("opgeheven_gemeenten" in w and "%d gemeenten" % len(gone18) in
     w["opgeheven_gemeenten"], "the comparison says how many merged "
     "municipalities were left out of 2018", w)
t.eq({p["periode"]: p["opgeheven"] for p in d["reeks"]},
     {str(y): sum(1 for (c, yy), v in want.items() if yy == str(y) and
                  c not in GEM and v != "") for y in range(2015, 2025)},
     "the series counts them per year")
d = m.get("/api/v1/indicatoren/misdrijven/vergelijking?gemeente=GM1982"
          "&groep=alle").json()
series = {p["periode"]: p["waarde"] for p in d["reeks"]}
t.ok(all(series[y] is None for y in ("2015", "2018", "2021")) and
     close(series["2022"], float(want[("GM1982", "2022")])),
     "Land van Cuijk (2022) has no figure before 2022: its predecessors' "
     "are not shown as its own", series)
t.ok(any(x["code"] == "opgeheven_in_reeks" for x in d["waarschuwingen"]),
     "and the series says that merged municipalities are left out")
d = m.get("/api/v1/indicatoren/misdrijven/vergelijking?gemeente=GM0014"
          "&periode=2023&groep=alle").json()
t.ok(not any(x["code"] == "opgeheven_gemeenten"
             for x in d["waarschuwingen"]),
     "2023, in today's boundaries: nothing left out, no such warning")
t.eq(m.get("/api/v1/indicatoren/misdrijven/vergelijking?gemeente=GM0017"
           "&periode=2018").status, 400,
     "a municipality that no longer exists cannot be chosen")
page = m.get("/benchmarks/jeugdzorg-percentage?gemeente=GM0014&periode="
             "2018&groep=provincie").body.decode()
t.ok("opgegaan in een andere gemeente" in page and
     "52 gemeenten" in page, "the benchmark page says so")
t.ok(">Haren<" not in page and ">Ten Boer<" not in page,
     "and lists no merged municipality")

# Provisional figures.
d = m.get("/api/v1/indicatoren/inkomen-mediaan-gestandaardiseerd/"
          "vergelijking?gemeente=GM0275").json()
t.eq(d["periode"], "2024", "income: the newest period is 2024")
t.ok(any(x["code"] == "voorlopig" for x in d["waarschuwingen"]),
     "a comparison of a provisional period says so")
t.eq([p["status"] for p in d["reeks"]][-2:], ["definitief", "voorlopig"],
     "the series marks the status of each period")
page = m.get("/benchmarks/inkomen-mediaan-gestandaardiseerd?gemeente=GM0275"
             ).body.decode()
t.ok("2024 (voorlopig)" in page and "zijn voorlopig" in page,
     "the page marks 2024 as provisional")
r = m.get("/benchmarks")
t.ok(r.status == 200 and all("/benchmarks/" + x in r.body.decode()
                             for x in SPEC), "/benchmarks lists them all")
t.ok(r.body.decode().count("Bron: CBS") >= len(SPEC), "with 'Bron: CBS'")

# A catalogue or table that is wrong stops the seed, with file, row and
# column, and stores nothing of that kind.
tmp = os.path.join(m.dir, "seed")


def seed_with(entries, files):
    """Start a fresh meentd with only this catalogue as its seed: its exit
    code (None: it runs), its log, and the indicators and values stored."""
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "indicatoren"))
    with open(os.path.join(tmp, "indicatoren", "catalogus.json"), "w") as f:
        json.dump(entries, f)
    for name, text in files.items():
        with open(os.path.join(tmp, "indicatoren", name), "w") as f:
            f.write(text)
    n = Instance()
    n.start(extra=["--seed", tmp], wait=False)
    try:
        n.wait_port(timeout=60)
        code = None
    except RuntimeError:
        code = n.proc.wait(timeout=30)
    log = n.log()
    stored = (n.sql("SELECT id FROM indicatoren"),
              n.sql("SELECT gemeente, periode, waarde FROM indicator_waarden"),
              n.sql("SELECT periode, status FROM indicator_perioden"))
    n.close()
    return code, log, stored


def entry(ind, *imports):
    return {"id": ind, "naam": "Test", "omschrijving": "Test.",
            "eenheid": "aantal", "soort": "aantal", "richting": "neutraal",
            "bron": "Test (Bron: CBS)", "import": list(imports)}


def imp(name, **kw):
    return dict({"bestand": name, "kolom": "n", "periodeKolom": "jaar"}, **kw)


GOOD = "gemeentecode,jaar,n,d\nGM0275,2020,10,80\nGM0014,2020,.,50\n" \
    "GM0363,2020,7,\nGM0017,2020,3,30\n"
for what, entries, files, why in [
        ("a ragged row", [entry("a", imp("a.csv"))],
         {"a.csv": "gemeentecode,jaar,n\nGM0275,2020,10\nGM0014,2020\n"},
         "a.csv: row 3: 2 fields"),
        ("not a number", [entry("a", imp("a.csv"))],
         {"a.csv": "gemeentecode,jaar,n\nGM0275,2020,10\nGM0014,2020,1.0.0\n"},
         "a.csv: row 3, column n: '1.0.0' is not a number"),
        ("a thousands separator", [entry("a", imp("a.csv"))],
         {"a.csv": "gemeentecode,jaar,n\nGM0275,2020,\"1,200\"\n"},
         "row 2, column n"),
        ("a zero denominator", [entry("a", imp("a.csv", per1000Kolom="d"))],
         {"a.csv": "gemeentecode,jaar,n,d\nGM0275,2020,10,0\n"},
         "row 2, column d: '0' is not a number above 0"),
        ("overlapping files", [entry("a", imp("a.csv"), imp("b.csv"))],
         {"a.csv": GOOD, "b.csv": "gemeentecode,jaar,n\nGM0363,2020,5\n"},
         "b.csv: row 2: a already has figures for 2020"),
        ("a bad status", [entry("a", imp("a.csv", statusPerPeriode={
            "2020": "ongeveer"}))], {"a.csv": GOOD}, "statusPerPeriode"),
        ("no such column", [entry("a", imp("a.csv", per1000Kolom="x"))],
         {"a.csv": GOOD}, "row 1: no column 'x'"),
        ("a later entry fails", [entry("a", imp("a.csv")),
                                 entry("b", imp("b.csv"))],
         {"a.csv": GOOD, "b.csv": "gemeentecode,jaar,n\nGM0363,2020,x\n"},
         "entry 2: b:")]:
    code, log, stored = seed_with(entries, files)
    t.ok(code == 1 and why in log, "seed refused: %s" % what,
         (code, log[-600:]))
    t.eq(stored[0], [], "%s: no indicator stored" % what)
code, log, stored = seed_with(
    [entry("a", imp("a.csv", per1000Kolom="d",
                    statusPerPeriode={"2020": "voorlopig"}))],
    {"a.csv": GOOD})
t.ok(code is None, "a good one loads", log[-600:])
t.eq(stored, ([("a",)], [("GM0275", "2020", 125.0)],
              [("2020", "voorlopig")]),
     "value * 1000 / denominator; missing numerator or denominator: no "
     "value; a merged code: not today's; the period's status")

# Seed pilots: every size class, the Rheden examples with their source,
# the invented ones marked and not federated.
pilots = [m.get("/api/v1/pilots/" + x["id"]).json() for x in
          m.get("/api/v1/pilots?pageSize=100").json()["pilots"]]
for k in range(1, 9):
    n = m.get("/api/v1/pilots?grootteklasse=%d" % k).json()["totaal"]
    t.ok(n >= 2, "size class %d has %d seed pilots" % (k, n))
real = [p for p in pilots if not p["voorbeeld"]]
fake = [p for p in pilots if p["voorbeeld"]]
t.eq(sorted(p["id"] for p in real),
     ["0138940d-15b4-4051-9d8e-b201b881fd5b",
      "83084672-bb0a-490e-b480-b7f64f8c0bfd"],
     "the two practice examples are the only pilots not marked as examples")
t.ok(all(p["samenvatting"].startswith("Voorbeeld: ") for p in fake),
     "every invented pilot's summary starts with 'Voorbeeld: '")
for pid in ("0138940d-15b4-4051-9d8e-b201b881fd5b",
            "83084672-bb0a-490e-b480-b7f64f8c0bfd"):
    p = m.get("/api/v1/pilots/" + pid).json()
    t.eq(p["gemeente"], "GM0275", "%s is Rheden's" % p["titel"])
    t.ok(p["samenvatting"].startswith("Praktijkvoorbeeld uit Rheden, met "
                                      "bron.") and
         "### Bron" in p["aanpak"] and "Rheden" in p["aanpak"],
         "%s names its source" % p["titel"])
    t.ok(p["contact"] == "" and p["start"] is None and p["einde"] is None,
         "no invented contact or dates")
    page = m.get("/pilots/" + pid).body.decode()
    t.ok("<h3>Bron</h3>" in page and 'class="voorbeeld"' not in page,
         "its page shows the source and does not call it an example")
p = m.get("/api/v1/pilots/83084672-bb0a-490e-b480-b7f64f8c0bfd").json()
t.ok("regiobodeonline.nl/nieuws/12-02-2018" in p["resultaten"] and
     "Nautus" in p["resultaten"], "the bijstand example cites the report")
t.eq(p["indicatoren"], ["bijstand-per-1000-15-64", "bijstand-personen"],
     "and links the CBS bijstand figures")
t.ok(not any(c.isdigit() for c in p["resultaten"].split(
    "### Een ander")[0]), "no figure of Rheden's own in its results")
links = {i for x in pilots for i in x["indicatoren"]}
t.ok(links <= set(cat), "seed pilots link existing indicators only", links)

feed = []
after = 0
for _ in range(20):
    d = m.get("/federation/v1/changes?after=%d&limit=500" % after).json()
    feed += d["entries"]
    if not d["more"]:
        break
    after = d["next"]
fed_pilots = {e["id"] for e in feed if e["kind"] == "pilot"}
t.ok(not fed_pilots & {p["id"] for p in fake},
     "no invented pilot in the federation feed", fed_pilots)
t.ok(not any('"voorbeeld": true' in e["body"] or '"voorbeeld":true' in
             e["body"] for e in feed if e["kind"] == "pilot"),
     "no feed entry carries an example")
ed = m.token("GM0088", "editor")
sch = [p for p in fake if p["gemeente"] == "GM0088"][0]
r = m.request("PATCH", "/api/v1/pilots/" + sch["id"], token=ed,
              body={"status": "lopend"}, headers={
                  "If-Match": "*",
                  "Content-Type": "application/merge-patch+json"})
t.eq(r.status, 200, "an example edited by its municipality")
d = m.get("/federation/v1/changes?after=%d&limit=500" % (after or 0)).json()
t.ok(sch["id"] not in {e["id"] for e in feed + d["entries"]},
     "is still not federated")

finish(t, m)
