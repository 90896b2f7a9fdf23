# SPDX-License-Identifier: EUPL-1.2
"""The municipalities: reference data of all 342, size classes, filters,
pagination with _links, membership once an account exists."""
from harness import Instance, Tap, finish

t = Tap()
m = Instance().start()

r = m.get("/api/v1/gemeenten?pageSize=100")
t.eq(r.status, 200, "list")
d = r.json()
t.eq(d["totaal"], 342, "342 municipalities")
t.eq(len(d["gemeenten"]), 100, "a page of 100")
t.eq(d["_links"]["next"]["href"], "/api/v1/gemeenten?page=2&pageSize=100",
     "next link")
t.ok("prev" not in d["_links"], "no prev on the first page")
t.eq(d["_links"]["last"]["href"], "/api/v1/gemeenten?page=4&pageSize=100",
     "last link")
seen = set()
for page in range(1, 5):
    for g in m.get("/api/v1/gemeenten?pageSize=100&page=%d" % page).json()[
            "gemeenten"]:
        seen.add(g["code"])
t.eq(len(seen), 342, "paging visits every municipality once")
total = 0
for page in range(1, 5):
    total += sum(g["inwoners"] for g in m.get(
        "/api/v1/gemeenten?pageSize=100&page=%d" % page).json()["gemeenten"])
t.eq(total, 18044027, "inhabitants add up to the CBS total for 2025")

g = m.get("/api/v1/gemeenten/GM0275").json()
t.eq((g["naam"], g["provincie"], g["inwoners"], g["grootteklasse"]),
     ("Rheden", "Gelderland", 43782, 4), "Rheden: Gelderland, 43,782, class 4")
t.eq(g["lid"], False, "not a member before any account")
t.eq(m.get("/api/v1/gemeenten/GM0363").json()["grootteklasse"], 8,
     "Amsterdam is class 8")
t.eq(m.get("/api/v1/gemeenten/GM0088").json()["grootteklasse"], 1,
     "Schiermonnikoog is class 1")

r = m.get("/api/v1/gemeenten?provincie=Zeeland&pageSize=100").json()
t.eq(r["totaal"], 13, "13 municipalities in Zeeland")
t.ok(all(x["provincie"] == "Zeeland" for x in r["gemeenten"]),
     "only Zeeland")
r = m.get("/api/v1/gemeenten?grootteklasse=8&pageSize=100").json()
t.ok(all(x["inwoners"] >= 250000 for x in r["gemeenten"]) and r["totaal"] > 0,
     "class 8 has 250,000 or more")
r = m.get("/api/v1/gemeenten?provincie=Gelderland&grootteklasse=4&page=2"
          "&pageSize=5").json()
t.ok("provincie=Gelderland" in r["_links"]["self"]["href"] and
     "grootteklasse=4" in r["_links"]["prev"]["href"],
     "links keep the filters", r["_links"])
r = m.get("/api/v1/gemeenten?provincie=Noord-Holland&pageSize=1").json()
t.ok(r["totaal"] > 40, "a province with a hyphen")

r = m.get("/api/v1/gemeenten/GM9999")
t.eq(r.status, 404, "an unknown code: 404")
r = m.get("/api/v1/gemeenten/rheden")
t.eq(r.status, 400, "not a code: 400")
t.eq(r.json()["invalidParams"][0]["name"], "code", "names the code")
r = m.get("/api/v1/gemeenten/GM0275%00")
t.ok(r.status in (400, 404), "a NUL in the path is not a 500")
r = m.get("/api/v1/gemeenten?page=99")
t.eq((r.status, r.json()["gemeenten"]), (200, []), "past the end: empty")

# Membership: the first account makes a municipality a member.
m.token("GM0275", "viewer")
g = m.get("/api/v1/gemeenten/GM0275").json()
t.ok(g["lid"] is True and g["lidSinds"].endswith("Z"),
     "a member after its first token, with an RFC 3339 UTC date", g)
r = m.get("/api/v1/gemeenten?lid=true").json()
t.eq([x["code"] for x in r["gemeenten"]], ["GM0275"], "filter lid=true")
t.eq(m.get("/api/v1/gemeenten?lid=false").json()["totaal"], 341,
     "filter lid=false")

finish(t, m)
