# SPDX-License-Identifier: EUPL-1.2
"""The municipality page and the personalised start page are cached (the
pages per code, a signed-in person's start page per session, and what their
comparisons read per indicator), and never stale nor shared: after each
write that changes what they show, every request (on both workers) shows it
at once:

  - a new public pilot of a municipality of Zevenaar's size class (Duiven):
    on Zevenaar's start page, anonymous and signed in, and on Duiven's page;
    deleted, gone from all of them;
  - a members-only pilot: on a signed-in start page, never the anonymous one;
  - new CBS figures (imported by meentctl): on the municipality's page and
    in "Uw cijfers" on its start page;
  - a dataset it publishes: on its page, and its figure in the indicator's
    comparison; deleted and published anew, the new figure;
  - and a signed-in start page is never served to another session, nor to
    the same browser once signed out.
"""
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port
ZEVENAAR = "meent_gemeente=GM0299"
ROUNDS = 4	# enough for both workers to answer


def section(page, heading):
    """From the <h2> that starts with heading up to the next <h2>."""
    found = re.search(r"<h2[^>]*>%s(.*?)(?=<h2|</main>)" % re.escape(heading),
                      page, re.S)
    return found.group(0) if found else ""


def pages(path, cookie=None):
    """The page, ROUNDS times (each worker has a cache of its own)."""
    out = []
    for _ in range(ROUNDS):
        r = m.get(path, headers={"Cookie": cookie} if cookie else {})
        if r.status != 200:
            t.ok(False, "GET %s: 200" % path, r.status)
        out.append(r.body.decode())
    return out


def sign_in(email, gemeente, role):
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", role,
          input="een lang wachtwoord\n", check=True)
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": origin}, body=urllib.parse.urlencode(
            {"email": email, "wachtwoord": "een lang wachtwoord"}))
    return (r.header("Set-Cookie") or "").split(";")[0]


rheden = sign_in("redactie@rheden.example.nl", "GM0275", "editor")
oss = sign_in("lezer@sudwest.example.nl", "GM1900", "viewer")
t.ok(rheden.startswith("meent_sessie=") and oss.startswith("meent_sessie="),
     "two people signed in")

# Every page cached first, on both workers.
pages("/", ZEVENAAR)
pages("/", rheden + "; " + ZEVENAAR)
pages("/gemeenten/GM0226")
pages("/gemeenten/GM0299")

# A signed-in start page is the session's own: its CSRF token, its header.
csrf = {}
for name, session in (("rheden", rheden), ("oss", oss)):
    got = set()
    for page in pages("/", session + "; " + ZEVENAAR):
        got |= set(re.findall(r'name="csrf" value="([^"]+)"', page))
    csrf[name] = got
t.ok(len(csrf["rheden"]) == 1 and len(csrf["oss"]) == 1 and
     csrf["rheden"] != csrf["oss"],
     "each session's start page has its own CSRF token, always the same",
     csrf)
t.ok(all("Ingelogd voor Rheden" in p for p in
         pages("/", rheden + "; " + ZEVENAAR)) and
     all("Ingelogd voor Súdwest-Fryslân" in p for p in pages("/", oss + "; " + ZEVENAAR)),
     "each session's start page says who is signed in")
anon = pages("/", ZEVENAAR)
t.ok(all('name="csrf"' not in p and "Uitloggen" not in p for p in anon),
     "the anonymous start page has no session's token or header")
t.ok(all("U bent ingelogd voor deze gemeente" in p
         for p in pages("/", rheden)), "signed in without a choice: own")

# A kept page keeps its ETag: the same on every answer (made or from the
# cache, on either worker), and a 304 for a browser that has it.
for path, cookie in (("/", ZEVENAAR), ("/", rheden + "; " + ZEVENAAR),
                     ("/gemeenten/GM0299", None)):
    h = {"Cookie": cookie} if cookie else {}
    tags = set(m.get(path, headers=h).header("ETag") for _ in range(ROUNDS))
    etag = tags.pop() if len(tags) == 1 else None
    t.ok(etag is not None and etag.startswith('"'), "%s%s: one ETag" % (
        path, " signed in" if cookie and "sessie" in cookie else ""), tags)
    r = m.get(path, headers=dict(h, **{"If-None-Match": etag or "x"}))
    t.ok(r.status == 304 and r.body == b"", "%s: 304 with it" % path,
         r.status)
before = m.get("/", headers={"Cookie": ZEVENAAR}).header("ETag")

# A new public pilot of Duiven (GM0226, Zevenaar's size class).
tok = m.token("GM0226", "editor")
PILOT = {"titel": "Nieuwe pilot van Duiven", "samenvatting": "Kort.",
         "domein": "jeugd", "status": "lopend", "start": "2025-01-06",
         "vraag": "Werkt het?", "zichtbaarheid": "openbaar"}
r = m.request("POST", "/api/v1/pilots", token=tok, body=PILOT)
t.eq(r.status, 201, "a new public pilot of Duiven")
pid = r.json()["id"]
for who, cookie in (("anonymous", ZEVENAAR),
                    ("signed in", rheden + "; " + ZEVENAAR)):
    t.ok(all(pid in section(p, "Pilots van gemeenten zoals Zevenaar")
             for p in pages("/", cookie)),
         "%s: on Zevenaar's start page at once" % who)
t.ok(all(pid in p for p in pages("/gemeenten/GM0226")),
     "on Duiven's page at once")
t.ok(m.get("/", headers={"Cookie": ZEVENAAR}).header("ETag") != before,
     "the start page's ETag changed with it")
r = m.request("DELETE", "/api/v1/pilots/" + pid, token=tok)
t.eq(r.status, 204, "deleted")
t.ok(all(pid not in p for p in pages("/", ZEVENAAR) +
         pages("/", rheden + "; " + ZEVENAAR) + pages("/gemeenten/GM0226")),
     "gone from the start pages and Duiven's page at once")

# A members-only pilot: signed-in start pages list it, anonymous ones never.
r = m.request("POST", "/api/v1/pilots", token=tok,
              body=dict(PILOT, titel="Alleen voor leden", zichtbaarheid="leden"))
t.eq(r.status, 201, "a members-only pilot of Duiven")
leden = r.json()["id"]
t.ok(all(leden in p for p in pages("/", rheden + "; " + ZEVENAAR)),
     "on a signed-in start page")
t.ok(all(leden not in p for p in pages("/", ZEVENAAR)),
     "never on the anonymous one")
t.ok(all(leden not in p for p in pages("/gemeenten/GM0226")),
     "nor on the anonymous municipality page")

# New CBS figures (meentctl, another process: seen through SQLite's
# data_version): Zevenaar's wmo figure for a year there was none of, on
# its page and in "Uw cijfers" on its start page at once.
ind = "wmo-clienten-per-1000"
years = [p["periode"] for p in m.get("/api/v1/indicatoren/" + ind).json()[
    "perioden"]]
year = str(max(int(y[:4]) for y in years) + 1)
with open(m.dir + "/wmo.csv", "w") as f:
    f.write("gemeentecode,periode,waarde\nGM0299,%s,61.5\nGM0226,%s,40\n"
            % (year, year))
shown = "Zevenaar (%s): <strong>61,50</strong>" % year
row = '/benchmarks/%s?gemeente=GM0299&amp;groep=grootteklasse&amp;periode=%s' \
    % (ind, year)
t.ok(all(shown not in p for p in pages("/gemeenten/GM0299")) and
     all(row not in p for p in pages("/", ZEVENAAR)),
     "no %s figure of %s yet" % (ind, year))
m.ctl("import", "--indicator", ind, "--source", "CBS (test)",
      m.dir + "/wmo.csv", check=True)
t.ok(all(shown in p for p in pages("/gemeenten/GM0299")),
     "Zevenaar's page: the new figure at once")
for who, cookie in (("anonymous", ZEVENAAR),
                    ("signed in", rheden + "; " + ZEVENAAR)):
    t.ok(all(row in section(p, "Uw cijfers") for p in pages("/", cookie)),
         "%s: the new figure in Zevenaar's start page at once" % who)

# A dataset Zevenaar publishes: on its page at once, and its figure in the
# indicator's comparison (computed from what was kept per indicator) at
# once; deleted and published again with other numbers, the new figure.
with open(m.dir + "/ind.json", "w") as f:
    f.write('{"id": "gm-test", "naam": "Test", "omschrijving": "Een test",'
            ' "eenheid": "aantal", "soort": "aantal", "richting":'
            ' "neutraal", "bron": "test"}')
m.ctl("indicator", "add", m.dir + "/ind.json", check=True)
ztok = m.token("GM0299", "editor")
CMP = "/api/v1/indicatoren/gm-test/vergelijking?gemeente=GM0299&periode=2024"


def publish(body):
    r = m.request("POST", "/api/v1/datasets?vorm=tabel&indicator=gm-test&"
                  "periode=2024", token=ztok,
                  headers={"Content-Type": "text/csv"}, body=body)
    t.eq(r.status, 201, "a table uploaded")
    ds = r.json()["id"]
    r = m.request("POST", "/api/v1/datasets/%s/publicatie" % ds, token=ztok)
    t.ok(r.status in (200, 201), "published", r.status)
    return ds


def figures():
    out = []
    for _ in range(ROUNDS):
        r = m.get(CMP)
        out.append(r.json()["positie"]["waarde"] if r.status == 200
                   else r.status)
    return out


ds = publish("wijk,waarde\nNoord,120\nZuid,40\n")
t.ok(all('<a href="/datasets/%s">' % ds in p
         for p in pages("/gemeenten/GM0299")),
     "Zevenaar's page: the published dataset at once")
first = figures()
t.ok(first[0] is not None and 100 < first[0] < 200 and
     first == first[:1] * ROUNDS, "its figure in the comparison (about "
     "160: the total, protected)", first)
r = m.request("DELETE", "/api/v1/datasets/" + ds, token=ztok)
t.ok(r.status in (200, 204), "the dataset deleted", r.status)
t.ok(all(ds not in p for p in pages("/gemeenten/GM0299")),
     "gone from Zevenaar's page at once")
t.ok(first[0] not in figures(), "its figure gone from the comparison")
ds = publish("wijk,waarde\nNoord,200\nZuid,100\n")
again = figures()
t.ok(250 < again[0] < 350 and again == again[:1] * ROUNDS,
     "published again: the new figure (about 300) at once", again)

# Signed out: the same browser gets the anonymous page, not the cached one.
page = pages("/", rheden + "; " + ZEVENAAR)[0]
token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
r = m.request("POST", "/uitloggen", headers={
    "Content-Type": FORM, "Origin": origin, "Cookie": rheden},
    body="csrf=" + token)
t.ok(r.status in (200, 303), "signed out", r.status)
t.ok(all("Uitloggen" not in p and token not in p and leden not in p
         for p in pages("/", rheden + "; " + ZEVENAAR)),
     "the old session's cookie: the anonymous start page")

finish(t, m)
