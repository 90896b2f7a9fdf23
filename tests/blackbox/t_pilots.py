# SPDX-License-Identifier: EUPL-1.2
"""Pilots through the API: publish, read, change with If-Match, delete to a
tombstone; validation listing every field; visibility on every read path;
Markdown in safe mode; search with Dutch stemming; filters and facets."""
import json
import time

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
rheden = m.token("GM0275", "editor")
rheden_viewer = m.token("GM0275", "viewer")
groningen = m.token("GM0014", "editor")

seeded = m.get("/api/v1/pilots?pageSize=100").json()
t.ok(seeded["totaal"] >= 8, "the seed pilots are there (%d)" %
     seeded["totaal"])
t.ok(sum(1 for n in seeded["facetten"]["domein"].values() if n) >= 5,
     "seed covers 5+ domains")
t.ok(all(p["samenvatting"].startswith(("Voorbeeld: ", "Praktijkvoorbeeld "
                                        "uit Rheden, met bron."))
         for p in seeded["pilots"]),
     "seed pilots are marked as examples, or as sourced practice examples")

base = {
    "titel": "Wachttijden bij de balie meten",
    "samenvatting": "We meten hoe lang inwoners wachten.",
    "domein": "dienstverlening-en-burgerzaken",
    "status": "lopend",
    "start": "2025-01-06",
    "vraag": "Hoe lang wachten inwoners echt?",
    "aanvrager": "college",
    "stakeholders": ["college", "analisten"],
    "tags": ["wachttijden", "balie"],
    "contact": "Team Data, data@example.nl",
    "zichtbaarheid": "openbaar",
    "aanpak": "## Stappen\n\n1. Meten\n2. *Praten*\n\n| a | b |\n|---|---|\n"
              "| 1 | 2 |\n\n~~oud~~ https://www.cbs.nl",
    "data": "Afspraken en <script>alert(1)</script> bezoeken.",
    "resultaten": "[klik](javascript:alert(1)) [x](JaVaScRiPt:alert(2)) "
                  "![img](data:image/png;base64,AAAA) [f](file:///etc/passwd)"
                  " [v](vbscript:msgbox) [ok](https://example.nl)",
    "lessen": "Meten is weten.",
    "privacy": "Geen persoonsgegevens.",
}

# Publishing.
r = m.request("POST", "/api/v1/pilots", body=base, token=rheden)
t.eq(r.status, 201, "an editor publishes a pilot")
p = r.json()
pid = p["id"]
t.eq(r.header("Location"), "/api/v1/pilots/" + pid, "Location")
etag = r.header("ETag")
t.ok(etag is not None, "201 carries the ETag")
t.eq((p["gemeente"], p["versie"], p["provincie"], p["grootteklasse"]),
     ("GM0275", 1, "Gelderland", 4), "it belongs to the token's municipality")
t.ok("<table>" in p["aanpakHtml"] and "<del>oud</del>" in p["aanpakHtml"]
     and '<a href="https://www.cbs.nl">' in p["aanpakHtml"],
     "tables, strikethrough and autolinks render", p["aanpakHtml"])
t.ok("<script" not in p["dataHtml"], "raw HTML is omitted", p["dataHtml"])
html = p["resultatenHtml"].lower()
t.ok("javascript:" not in html and "vbscript:" not in html and
     "file:" not in html and "data:" not in html and
     'href="https://example.nl"' in html,
     "javascript:, vbscript:, file: and data: links are emptied", html)
t.eq(p["aanpak"], base["aanpak"], "the Markdown is kept beside the HTML")

r = m.request("POST", "/api/v1/pilots", body=base, token=rheden_viewer)
t.eq(r.status, 403, "a viewer cannot publish")
r = m.request("POST", "/api/v1/pilots", body=base)
t.eq(r.status, 401, "nobody cannot publish")

# Validation: every invalid field in one 400; nothing stored.
count = m.get("/api/v1/pilots?pageSize=1", token=rheden).json()["totaal"]
bad = dict(base, titel="x" * 10000, domein="ruimtevaart", status="klaar",
           start="2025-02-30", einde="2024-01-01", tags=["Hoofdletters"] * 2,
           stakeholders=["a"] * 21, zichtbaarheid="geheim", onbekend=1,
           aanvrager="koning", voorbeeld="ja")
del bad["vraag"]
r = m.request("POST", "/api/v1/pilots", body=bad, token=rheden)
t.eq(r.status, 400, "invalid pilot: 400")
names = sorted(x["name"] for x in r.json().get("invalidParams", []))
t.eq(names, sorted(["titel", "domein", "status", "start", "tags",
                    "stakeholders", "zichtbaarheid", "onbekend", "aanvrager",
                    "voorbeeld", "vraag"]), "every invalid field is listed")
r = m.request("POST", "/api/v1/pilots", body=dict(base, titel="x" * 10000),
              token=rheden)
t.eq(r.status, 400, "a title of 10,000 characters: 400")
r = m.request("POST", "/api/v1/pilots", body=dict(base, tags=["t%d" % i for i
              in range(21)]), token=rheden)
t.eq(r.status, 400, "21 tags: 400")
r = m.request("POST", "/api/v1/pilots", body=dict(base, einde="2024-12-31"),
              token=rheden)
t.eq(r.status, 400, "an end before the start: 400")
t.eq(m.get("/api/v1/pilots?pageSize=1", token=rheden).json()["totaal"],
     count, "nothing was stored by the refused requests")

# Reading; ETag; If-None-Match.
r = m.get("/api/v1/pilots/" + pid)
t.eq((r.status, r.header("ETag")), (200, etag), "anyone reads a public pilot")
t.eq(m.get("/api/v1/pilots/" + pid, headers={"If-None-Match": etag}).status,
     304, "If-None-Match: 304")
t.eq(m.get("/api/v1/pilots/00000000-0000-4000-8000-000000000000").status,
     404, "an unknown id: 404")
t.eq(m.get("/api/v1/pilots/not-a-uuid").status, 404, "a malformed id: 404")

# Changing: own municipality, If-Match, versie.
r = m.request("PATCH", "/api/v1/pilots/" + pid, body={"status": "afgerond"},
              token=rheden)
t.eq(r.status, 428, "PATCH without If-Match: 428")
r = m.request("PATCH", "/api/v1/pilots/" + pid, body={"status": "afgerond"},
              token=groningen, headers={"If-Match": etag})
t.eq(r.status, 403, "another municipality's PATCH: 403")
r = m.request("PUT", "/api/v1/pilots/" + pid, body=base, token=groningen,
              headers={"If-Match": etag})
t.eq(r.status, 403, "another municipality's PUT: 403")
r = m.request("DELETE", "/api/v1/pilots/" + pid, token=groningen)
t.eq(r.status, 403, "another municipality's DELETE: 403")
r = m.request("PATCH", "/api/v1/pilots/" + pid, token=rheden,
              body={"status": "afgerond", "einde": "2025-06-30"},
              headers={"If-Match": etag,
                       "Content-Type": "application/merge-patch+json"})
t.eq(r.status, 200, "PATCH with If-Match")
p2 = r.json()
t.eq((p2["versie"], p2["status"], p2["titel"]), (2, "afgerond", base["titel"]),
     "versie goes up; other fields stay")
etag2 = r.header("ETag")
t.ok(etag2 != etag, "the ETag changes with the version")
r = m.request("PUT", "/api/v1/pilots/" + pid, body=dict(base, titel="Oud"),
              token=rheden, headers={"If-Match": etag})
t.eq(r.status, 412, "a stale If-Match: 412")
t.eq(m.get("/api/v1/pilots/" + pid).json()["titel"], base["titel"],
     "and nothing changed")
r = m.request("PATCH", "/api/v1/pilots/" + pid, body={"titel": None},
              token=rheden, headers={"If-Match": etag2})
t.eq(r.status, 400, "PATCH removing a required field: 400")
got = m.get("/api/v1/pilots/" + pid).json()
r = m.request("PUT", "/api/v1/pilots/" + pid, token=rheden,
              body=dict(got, titel="Wachttijden bij de balie, gemeten"),
              headers={"If-Match": etag2})
t.eq(r.status, 200, "PUT back what GET gave, changed (read-only fields "
     "ignored)")
t.eq(r.json()["versie"], 3, "versie 3")

# Visibility on every read path.
concept = dict(base, titel="Geheim concept over zwembaden",
               samenvatting="Nog niet klaar: zwembadbezoek.",
               zichtbaarheid="concept", tags=["zwembad"])
r = m.request("POST", "/api/v1/pilots", body=concept, token=rheden)
cid = r.json()["id"]
leden = dict(base, titel="Alleen voor leden: sportparken",
             samenvatting="Sportparkgebruik.", zichtbaarheid="leden",
             tags=["sportpark"])
lid = m.request("POST", "/api/v1/pilots", body=leden, token=rheden).json()["id"]
for who, token, see_concept, see_leden in [
        ("anonymous", None, False, False),
        ("another municipality", groningen, False, True),
        ("the own municipality", rheden_viewer, True, True)]:
    st = m.get("/api/v1/pilots/" + cid, token=token).status
    t.eq(st, 200 if see_concept else 404, "concept by id as %s" % who)
    st = m.get("/api/v1/pilots/" + lid, token=token).status
    t.eq(st, 200 if see_leden else 404, "leden by id as %s" % who)
    ids = [x["id"] for x in m.get("/api/v1/pilots?pageSize=100",
                                  token=token).json()["pilots"]]
    t.eq((cid in ids, lid in ids), (see_concept, see_leden),
         "list as %s" % who)
    res = m.get("/api/v1/_zoek?q=zwembadbezoek", token=token).json()
    t.eq(res["totaal"], 1 if see_concept else 0, "search as %s" % who)
    res = m.get("/api/v1/pilots?q=sportparkgebruik", token=token).json()
    t.eq(res["totaal"], 1 if see_leden else 0, "list q as %s" % who)
    res = m.get("/api/v1/pilots?tag=zwembad", token=token).json()
    t.eq(res["totaal"], 1 if see_concept else 0, "tag filter as %s" % who)
r = m.request("PATCH", "/api/v1/pilots/" + cid, body={"status": "idee"},
              token=groningen, headers={"If-Match": "*"})
t.eq(r.status, 404, "another municipality's concept: 404 on PATCH, not 403")

# Search: stemming, diacritics, phrases, prefixes, bad syntax.
def hits(q, token=None):
    r = m.get("/api/v1/_zoek?q=" + q, token=token)
    return r.status, [x["titel"] for x in r.json().get("resultaten", {})
                      .get("pilots", [])] if r.status == 200 else r.json()


st, titles = hits("bijstandsuitkeringen")
t.ok(st == 200 and any("bijstand" in x.lower() for x in titles),
     "bijstandsuitkeringen finds bijstandsuitkering", titles)
st, titles = hits("avondopenstelling")
t.ok(any("Avondopenstelling" in x for x in titles),
     "avondopenstelling finds the evening opening", titles)
st, titles = hits("avondopenstellingen")
t.ok(any("Avondopenstelling" in x for x in titles),
     "avondopenstellingen finds it too", titles)
st, titles = hits("%22balie%20voor%20paspoort%22")
t.ok(any("Avondopenstelling" in x for x in titles), "a phrase query")
st, titles = hits("bijstand*")
t.ok(any("bijstand" in x.lower() for x in titles), "a prefix query", titles)
st, titles = hits("financi%C3%ABn")
st2, titles2 = hits("financien")
t.eq(titles, titles2, "diacritics are folded (financiën = financien)")
r = m.get("/api/v1/_zoek?q=wachttijden")
t.ok(r.status == 200 and r.json()["resultaten"]["pilots"][0]["titel"]
     .startswith("Wachttijden"), "the title weighs most")
frag = r.json()["resultaten"]["pilots"][0]["fragmentHtml"]
t.ok("<mark>" in frag, "fragments mark the match", frag)
for q in ("%22open", "AND", "(a", "a%20OR", "NEAR(a"):
    r = m.get("/api/v1/_zoek?q=" + q)
    t.eq(r.status, 400, "FTS syntax error %r: 400, not 500" % q)
t.eq(m.get("/api/v1/_zoek").status, 400, "no q: 400")
t.eq(m.get("/api/v1/_zoek?q=" + "a" * 300).status, 400, "q over 200: 400")
r = m.get("/api/v1/_zoek?q=%3Cscript%3E")
t.eq(r.status, 200, "markup in a query is just text")

# Filters, sort, facets.
r = m.get("/api/v1/pilots?domein=werk-en-inkomen&pageSize=100").json()
t.ok(r["totaal"] >= 1 and all(x["domein"] == "werk-en-inkomen"
                              for x in r["pilots"]), "domein filter")
r = m.get("/api/v1/pilots?provincie=Gelderland&grootteklasse=4").json()
t.ok(all(x["provincie"] == "Gelderland" and x["grootteklasse"] == 4
         for x in r["pilots"]) and r["totaal"] >= 1, "province and class")
r = m.get("/api/v1/pilots?gemeente=GM0275&status=afgerond").json()
t.ok(pid in [x["id"] for x in r["pilots"]], "gemeente and status filters")
r = m.get("/api/v1/pilots?sort=titel&pageSize=100").json()
titles = [x["titel"].lower() for x in r["pilots"]]
t.eq(titles, sorted(titles), "sort=titel")
r = m.get("/api/v1/pilots?domein=x&status=y&sort=z&grootteklasse=0"
          "&gemeente=Rheden")
t.eq(sorted(x["name"] for x in r.json()["invalidParams"]),
     ["domein", "gemeente", "grootteklasse", "sort", "status"],
     "invalid filters: all listed")
r = m.get("/api/v1/pilots?pageSize=2").json()
t.ok(sum(r["facetten"]["status"].values()) == r["totaal"],
     "facet counts add up to the total")

# Delete: tombstone, 410, gone from lists and search.
e3 = m.get("/api/v1/pilots/" + pid).header("ETag")
r = m.request("DELETE", "/api/v1/pilots/" + pid, token=rheden,
              headers={"If-Match": etag})
t.eq(r.status, 412, "DELETE with a stale If-Match: 412")
r = m.request("DELETE", "/api/v1/pilots/" + pid, token=rheden,
              headers={"If-Match": e3})
t.eq(r.status, 204, "DELETE")
t.eq(m.get("/api/v1/pilots/" + pid).status, 410, "then GET: 410")
t.eq(m.request("DELETE", "/api/v1/pilots/" + pid, token=rheden).status, 410,
     "DELETE again: 410")
t.eq(m.get("/api/v1/_zoek?q=wachttijden").json()["totaal"], 0,
     "gone from search")
row = m.sql("SELECT p.titel, t.aanpak, p.verwijderd FROM pilots p JOIN "
            "pilot_texts t ON t.pk = p.pk WHERE p.id = ?", (pid,))[0]
t.ok(row[0] == "" and row[1] == "" and row[2] is not None,
     "the tombstone keeps no content")
r = m.request("DELETE", "/api/v1/pilots/" + cid, token=rheden)
t.eq(r.status, 204, "delete the concept")
t.eq(m.get("/api/v1/pilots/" + cid).status, 404,
     "a deleted concept is 404 for others, not 410")

# Pathological Markdown: rendered (cmark is linear on these), or refused
# before rendering when it is not (t_markdown_limits.py, and the times in
# tests/bench/markdown.sh).
for name, md, want in [("nested emphasis", "*a **b " * 12000, 201),
                       ("nested brackets", "[" * 50000 + "]" * 50000, 201),
                       ("nested quotes", "> " * 50000 + "x", 400)]:
    t0 = time.time()
    r = m.request("POST", "/api/v1/pilots", token=rheden,
                  body=dict(base, aanpak=md[:100000], zichtbaarheid="concept"))
    t.eq(r.status, want, "100 KB of %s: %d (%.2f s)" % (
        name, want, time.time() - t0))

# null is "not given", as for every field: the default visibility (a 500
# before; through a peer's feed, a crash of the page's helper thread)
r = m.request("POST", "/api/v1/pilots", body=dict(base, zichtbaarheid=None),
              token=rheden)
t.eq((r.status, r.json().get("zichtbaarheid") if r.status < 300 else
      r.body[:200]), (201, "concept"), "zichtbaarheid null: a concept")
nid, tag = (r.json().get("id"), r.header("ETag")) if r.status == 201 else \
    ("x", "x")
t.eq(m.get("/api/v1/pilots/" + nid).status, 404, "not public")
r = m.request("PATCH", "/api/v1/pilots/" + nid, token=rheden,
              body={"zichtbaarheid": "openbaar"}, headers={"If-Match": tag})
t.eq(r.status, 200, "made public")
r = m.request("PATCH", "/api/v1/pilots/" + nid, token=rheden,
              body={"zichtbaarheid": None},
              headers={"If-Match": r.header("ETag") or "x"})
t.eq((r.status, r.json().get("zichtbaarheid") if r.status < 300 else
      r.body[:200]), (200, "concept"),
     "PATCH zichtbaarheid null: the default again, not left as it was")
t.eq(m.get("/api/v1/pilots/" + nid).status, 404, "no longer public")

finish(t, m)
