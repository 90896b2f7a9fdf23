# SPDX-License-Identifier: EUPL-1.2
"""Bounded searches: the caps on a query (length, terms, prefixes, prefix
length) answer 400 naming q and the limit, on the API and on the search
pages (with the box); repeated terms count once; legitimate searches work;
a search that runs out of its budget is 503 with a reason, never a partial
or empty page (search_budget_steps makes that happen without timing)."""
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])


def q(text):
    return urllib.parse.quote(text, safe="")


def search(text, path="/api/v1/_zoek"):
    return m.get(path + "?q=" + q(text))


def reason(r):
    """The reason given for q in a 400, or None."""
    if r.status != 400:
        return None
    for p in r.json().get("invalidParams", []):
        if p["name"] == "q":
            return p["reason"]
    return None


def titles(r):
    return sorted(x["titel"] for x in r.json()["resultaten"]["pilots"])


def metric(inst, name):
    text = inst.get("/metrics").body.decode()
    found = re.search(r"^%s (\d+)$" % name, text, re.M)
    return int(found.group(1)) if found else None


# Legitimate searches.
r = search("bijstand*")
t.ok(r.status == 200 and r.json()["totaal"] >= 1, "a prefix search works",
     r)
base = titles(r)
r = search("bijstandsuitkeringen")
t.ok(r.status == 200 and r.json()["totaal"] >= 1, "a word search works")
r = search('"balie voor paspoort"')
t.ok(r.status == 200 and r.json()["totaal"] >= 1, "a phrase search works")
r = search("zorg* werk* data* bijstand*")
t.eq(r.status, 200, "4 prefixes of 3+ characters: allowed")
twelve = "inwoners gemeente data pilot college raad wijk zorg werk " \
    "jeugd balie afval"
t.eq(search(twelve).status, 200, "12 words: allowed")
t.eq(search("(bijstand* OR jeugd) NOT afval").status, 200,
     "operators and parentheses still work")
t.eq(search("bij*").status, 200, "a 3-character prefix: allowed")
t.eq(search("fi\u00e9*").status, 200, "3 characters, not bytes")

# De-duplication: a repeated term is one term.
r = search(" ".join(["bijstand*"] * 20))
t.ok(r.status == 200 and titles(r) == base,
     "20 times bijstand* is bijstand* (one term, one prefix)", r)
r = search("data " * 40)
t.eq(r.status, 200, "40 times the same word: one term")
r = search("Bijstand* bijstand* BIJSTAND*")
t.ok(r.status == 200 and titles(r) == base, "case does not make a new term")
r = search(" ".join(["bijstand*"] * 5) + " OR data")
t.ok(reason(r) is not None and "4" in reason(r),
     "with operators nothing is merged: 5 prefixes are refused",
     reason(r))

# The caps: 400, naming q and the limit in Dutch.
cases = [
    ("e* " * 66, "3", "e* times 66: the prefix is too short"),
    ("e* e* e*", "3", "e* e* e*: one term, but too short a prefix"),
    ("de*", "3", "a 2-character prefix"),
    ('"de"*', "3", "a phrase ending in a 2-character prefix"),
    (twelve + " lessen", "12", "13 different words"),
    ('"' + twelve + ' lessen"', "12", "a phrase of 13 words"),
    ("zorg* werk* data* bijstand* jeugd*", "4", "5 different prefixes"),
    ("a" * 201, "200", "201 bytes"),
]
for text, limit, desc in cases:
    r = search(text)
    why = reason(r)
    t.ok(r.status == 400 and
         r.header("Content-Type") == "application/problem+json" and
         why is not None and limit in why, "API 400: " + desc, (r, why))
r = m.get("/api/v1/pilots?q=" + q(twelve + " lessen"))
t.ok(reason(r) is not None and "12" in reason(r),
     "the list's q has the same caps")

# The pages: the reason on the page itself, with the search box.
for path in ("/zoeken", "/pilots"):
    r = search(twelve + " lessen", path)
    page = r.body.decode()
    t.eq((r.status, r.header("Content-Type")),
         (400, "text/html; charset=utf-8"), "%s: 400 as a page" % path)
    t.ok("hoogstens 12 zoekwoorden" in page and 'role="alert"' in page,
         "%s: the reason, in an error summary" % path)
    box = re.search(r'<input id="q"[^>]*>', page)
    t.ok(box is not None and 'aria-invalid="true"' in box.group(0) and
         "lessen" in box.group(0), "%s: the box, with what was typed" % path,
         box.group(0) if box else page[-800:])
    t.ok('id="q-fout"' in page, "%s: the reason next to the box" % path)
r = search("e* e* e*", "/zoeken")
t.ok(r.status == 400 and "3 of meer letters" in r.body.decode(),
     "/zoeken: a short prefix is explained")
r = search("bijstand*", "/zoeken")
t.ok(r.status == 200 and "Zoek in pilots" in r.body.decode(),
     "/zoeken: a good search shows results")
t.eq(metric(m, "meent_db_errors_total"), 0, "no database errors")

# The budget: a search still running when it runs out is 503.
b = Instance(settings={"search_budget_steps": "1"}).start(
    extra=["--seed", CONTENT])
for path in ("/api/v1/_zoek?q=bijstand", "/api/v1/pilots?q=bijstand*",
             "/api/v1/pilots", "/api/v1/pilots?domein=jeugd"):
    r = b.get(path)
    body = r.json() if r.status in (200, 503) else {}
    t.ok(r.status == 503 and r.header("Content-Type") ==
         "application/problem+json" and body.get("detail") ==
         "De zoekopdracht duurde te lang; maak hem specifieker." and
         "resultaten" not in body and "pilots" not in body,
         "out of budget: 503 with the reason, no results: " + path, r)
r = b.get("/zoeken?q=bijstand")
page = r.body.decode()
box = re.search(r'<input id="q"[^>]*value="bijstand"', page)
t.ok(r.status == 503 and "De zoekopdracht duurde te lang; maak hem "
     "specifieker." in page and box is not None and
     'class="pilots"' not in page,
     "/zoeken out of budget: 503, the reason and the box, no results",
     page[-1200:])
r = b.get("/pilots")
t.ok(r.status == 503 and "duurde te lang" in r.body.decode(),
     "/pilots out of budget: 503 page")
t.eq(reason(b.get("/api/v1/_zoek?q=" + q(twelve + " lessen"))) is not None,
     True, "the caps come first: still 400")
r = b.get("/api/v1/gemeenten/GM0275")
t.ok(r.status == 503 and "duurde te lang" in r.json().get("detail", ""),
     "a municipality's page lists its pilots under the budget too: 503 "
     "with the reason, not a database error", r)
t.eq(b.get("/api/v1/richtlijnen/stakeholders-betrekken").status, 200,
     "the worker's connection still serves other reads")
t.eq(b.get("/").status, 200, "the start page leaves the list out")
t.eq(metric(b, "meent_db_errors_total"), 0,
     "an interruption is not a database error")
t.ok(any(line.get("event") == "search.interrupted" for line in
         b.log_lines()), "interruptions are logged")
finish(t, m, b)
