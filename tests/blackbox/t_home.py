# SPDX-License-Identifier: EUPL-1.2
"""The start page and "Mijn gemeente": the picker (no JavaScript), the
cookie set, changed and cleared through a same-origin POST, forged or
oversized cookies ignored, a signed-in user's own municipality by default,
the sections (pilots of municipalities like it, new guidelines, its figures
next to the median of its size class), and the two-click promise checked
for all 342 municipalities: from the start page, a pilot of a municipality
of the nearest size class that has pilots is linked, or a list page linking
one is."""
import html
import http.client
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port
PILOT_LINK = re.compile(r'href="/pilots/([0-9a-f-]{36})"')
LIST_LINK = re.compile(r'href="(/pilots\?[^"]*)"')
COOKIE = "meent_gemeente"


def main_of(page):
    """The page's <main>: the site's navigation links every list."""
    found = re.search(r"<main[^>]*>(.*)</main>", page, re.S)
    return found.group(1) if found else ""


def section(page, heading):
    """From the <h2> that starts with heading up to the next <h2>."""
    found = re.search(r"<h2[^>]*>%s(.*?)(?=<h2|</main>)" % re.escape(heading),
                      page, re.S)
    return found.group(0) if found else ""


def choose(fields, cookie=None, extra=None):
    h = {"Content-Type": FORM, "Origin": origin}
    if cookie:
        h["Cookie"] = cookie
    h.update(extra or {})
    return m.request("POST", "/mijn-gemeente", headers=h,
                     body=urllib.parse.urlencode(fields))


def home(cookie=None):
    r = m.get("/", headers={"Cookie": cookie} if cookie else {})
    return r, r.body.decode()


def api_all(path, key):
    """Every item of an API list, page by page (100 a page)."""
    out, page = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        body = m.get("%s%spage=%d&pageSize=100" % (path, sep, page)).json()
        out += body[key]
        if len(out) >= body["totaal"] or not body[key]:
            return out
        page += 1


gemeenten = api_all("/api/v1/gemeenten", "gemeenten")
t.eq(len(gemeenten), 342, "the API lists 342 municipalities")
by_code = {g["code"]: g for g in gemeenten}
pilots = api_all("/api/v1/pilots", "pilots")
t.ok(len({p["grootteklasse"] for p in pilots}) >= 2,
     "the seed has pilots of several size classes")

# Without a choice: the page as before, and the picker.
r, page = home()
t.eq(r.status, 200, "the start page without a choice: 200")
t.ok('action="/mijn-gemeente"' in page and 'method="post"' in page,
     "it has the picker form (a POST, no JavaScript)")
options = re.findall(r'<option value="(GM\d{4})"', page)
t.eq(len(set(options)), 342, "the picker offers all 342 municipalities")
t.ok('<label for="gemeente">' in page and 'id="gemeente"' in page,
     "the picker is labelled")
t.ok("Nieuwe pilots" in page and "Pilots van gemeenten zoals" not in page,
     "without a choice: the newest pilots, no personal sections")
t.ok('name="csrf"' not in main_of(page), "anonymous: no CSRF field")

# Choosing: a same-origin POST sets the cookie and goes to the start page.
r = choose({"gemeente": "GM0299"})
t.eq((r.status, r.header("Location")), (303, "/"), "choosing: 303 to /")
sc = r.header("Set-Cookie") or ""
t.ok(sc.startswith(COOKIE + "=GM0299;"), "the cookie holds the code", sc)
attrs = [a.strip() for a in sc.split(";")[1:]]
t.ok("Path=/" in attrs and "SameSite=Lax" in attrs and
     "Max-Age=31536000" in attrs and "Secure" not in attrs,
     "Path=/, SameSite=Lax, a year, not Secure over http", sc)
r = choose({"gemeente": "GM0299"}, extra={"Origin": "http://evil.example"})
t.eq((r.status, r.header("Set-Cookie")), (403, None),
     "from another site: 403, no cookie")
h = {"Content-Type": FORM}
r = m.request("POST", "/mijn-gemeente", headers=h, body="gemeente=GM0299")
t.eq(r.status, 403, "without Origin or Sec-Fetch-Site: 403")
r = m.request("POST", "/mijn-gemeente", headers=dict(
    h, **{"Sec-Fetch-Site": "same-origin"}), body="gemeente=GM0299")
t.eq(r.status, 303, "Sec-Fetch-Site: same-origin is enough")
r = m.get("/mijn-gemeente?gemeente=GM0299")
t.eq(r.status, 405, "a GET does not choose")

# A refused choice: 400, the start page with the reason at the field.
for bad, why in [("GM9999", "an unknown code"), ("gm0299", "lower case"),
                 ("<script>x</script>", "markup"), ("", "nothing chosen"),
                 ("GM0299" * 20, "an oversized value")]:
    r = choose({"gemeente": bad})
    body = r.body.decode()
    t.ok(r.status == 400 and r.header("Set-Cookie") is None and
         'aria-invalid="true"' in body and "Kies een gemeente" in body and
         "<script>x" not in body, "%s: 400, the reason, no cookie" % why,
         (r.status, r.header("Set-Cookie")))
r = choose({})
t.eq(r.status, 400, "no field at all: 400")
r = m.request("POST", "/mijn-gemeente", headers={"Origin": origin,
              "Content-Type": "text/plain"}, body="gemeente=GM0299")
t.eq(r.status, 415, "not a form: 415")

# With the cookie: the sections about Zevenaar.
r, page = home(COOKIE + "=GM0299")
t.eq(r.status, 200, "the start page with a choice: 200")
t.ok("Mijn gemeente: Zevenaar" in page, "it is about the chosen one")
t.ok("20.000 tot 50.000 inwoners" in page and "45.215" in page,
     "its inhabitants and size class in words")
t.ok("<summary>Andere gemeente kiezen</summary>" in page and
     'value="GM0299" selected' in page and 'value="wissen"' in page,
     "another can be chosen, and the choice cleared")
pilot_by_id = {p["id"]: p for p in pilots}


def check_like(code):
    """The pilots of municipalities like code: at most 6, its own left out,
    the first ones by distance of size class, those marked 'lijkt op' of
    its 15 most similar (the comparison's group). Returns how many are
    marked 'lijkt op'."""
    g = by_code[code]
    page = home(COOKIE + "=" + code)[1]
    mine = section(page, "Pilots van gemeenten zoals " + html.escape(
        g["naam"], quote=False))
    items = re.findall(r'<li class="pilot">(.*?)</li>', mine, re.S)
    cards = [pilot_by_id.get(PILOT_LINK.search(i).group(1)) for i in items]
    t.ok(0 < len(cards) <= 6 and None not in cards, "%s: 1 to 6 pilots "
         "the API lists" % code, len(cards))
    cards = [c for c in cards if c is not None]
    t.ok(all(c["gemeente"] != code for c in cards), "%s: not its own "
         "pilots" % code)
    t.ok(all(re.search(r"\d inwoners|minder dan 5.000 inwoners", i)
             for i in items), "%s: each card says a size class" % code)
    k = g["grootteklasse"]
    dist = [abs(c["grootteklasse"] - k) for c, i in zip(cards, items)
            if "lijkt op" not in i][:4]
    t.ok(dist and dist == sorted(dist), "%s: the first pilots by distance "
         "of size class" % code, dist)
    similar = {x["gemeente"] for x in m.get(
        "/api/v1/indicatoren/inwoners/vergelijking?gemeente=%s&"
        "groep=vergelijkbaar" % code).json()["leden"]} - {code}
    like = [c for c, i in zip(cards, items) if "lijkt op" in i]
    t.ok(len(similar) == 15 and all(c["gemeente"] in similar
                                    for c in like),
         "%s: 'lijkt op' pilots are of its 15 most similar" % code,
         [c["gemeente"] for c in like])
    t.ok('href="/pilots?grootteklasse=%d"' % cards[0]["grootteklasse"]
         in mine, "%s: a link to all pilots of the nearest class" % code)
    return len(like)


check_like("GM0299")
t.ok(check_like("GM0093") > 0, "Terschelling: pilots of similar "
     "municipalities among them")
guides = section(page, "Nieuwe richtlijnen")
t.ok(len(re.findall(r'href="/richtlijnen/[a-z0-9-]+"', guides)) >= 1,
     "the new guidelines")
figures = section(page, "Uw cijfers")
t.ok("<table>" in figures and "Bron: CBS" in figures and
     "Mediaan" in figures, "its figures, with 'Bron: CBS'")
# A figure next to the median of its size class, as /benchmarks compares.
cmp = m.get("/api/v1/indicatoren/misdrijven-per-1000/vergelijking?"
            "gemeente=GM0299&groep=grootteklasse").json()
last = [x for x in cmp["reeks"] if x["waarde"] is not None][-1]


def dutch(v):
    s = "%.2f" % v
    return s[:-3] if s.endswith(".00") else s.replace(".", ",")


row = re.search(r'<a href="/benchmarks/misdrijven-per-1000\?gemeente=GM0299'
                r'&amp;groep=grootteklasse&amp;periode=%s">.*?</tr>' %
                last["periode"], figures, re.S)
t.ok(row is not None and '<td class="getal">%s</td><td class="getal">%s'
     "</td></tr>" % (dutch(last["waarde"]), dutch(last["groepMediaan"]))
     in row.group(0) and " · %s · Bron: CBS" % last["periode"] in
     row.group(0),
     "registered crime: its value and its size class's median, as the "
     "comparison gives them", row.group(0) if row else figures[:400])
t.ok('href="/gemeenten/GM0299"' in page, "a link to its municipality page")

# Changing and clearing.
r = choose({"gemeente": "GM0339"}, cookie=COOKIE + "=GM0299")
t.ok((r.header("Set-Cookie") or "").startswith(COOKIE + "=GM0339;"),
     "another choice replaces the cookie")
r, page = home(COOKIE + "=GM0339")
t.ok("Mijn gemeente: Renswoude" in page and
     "5.000 tot 10.000 inwoners" in page, "now about Renswoude")
r = choose({"actie": "wissen"}, cookie=COOKIE + "=GM0339")
sc = r.header("Set-Cookie") or ""
t.ok(r.status == 303 and sc.startswith(COOKIE + "=;") and
     "Max-Age=0" in sc, "clearing: the cookie expires", sc)

# Forged, oversized and malformed cookies are ignored: no choice, 200.
for forged, why in [("GM9999", "an unknown code"),
                    ("gm0299", "lower case"), ("GM029", "too short"),
                    ("GM02999", "too long"), ("GM0299" * 11, "oversized"),
                    ("%3Cscript%3E", "encoded markup"),
                    ('"GM0299"', "quoted"), ("", "empty")]:
    r, page = home(COOKIE + "=" + forged)
    t.ok(r.status == 200 and "Mijn gemeente:" not in page and
         "Pilots van gemeenten zoals" not in page,
         "cookie %s: ignored, 200" % why, r.status)
r, page = home("a=1; " + COOKIE + "=GM0299; b=" + "x" * 3000)
t.ok(r.status == 200 and "Mijn gemeente: Zevenaar" in page,
     "the cookie among others")
r, page = home("x" + COOKIE + "=GM0299")
t.ok("Mijn gemeente:" not in page, "another cookie's name is not ours")

# Signed in: one's own municipality, unless another was chosen.
m.ctl("user", "add", "redactie@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
              "Origin": origin}, body=urllib.parse.urlencode(
                  {"email": "redactie@rheden.example.nl",
                   "wachtwoord": "een lang wachtwoord"}))
session = (r.header("Set-Cookie") or "").split(";")[0]
r, page = home(session)
t.ok("Mijn gemeente: Rheden" in page and "U bent ingelogd" in page,
     "signed in: one's own municipality by default")
cards = PILOT_LINK.findall(section(page, "Pilots van gemeenten zoals"))
t.ok(cards and all(pilot_by_id.get(c, {}).get("gemeente") != "GM0275"
                   for c in cards), "not Rheden's own pilots")
t.ok('value="wissen"' not in page, "nothing chosen: nothing to clear")
r, page = home(session + "; " + COOKIE + "=GM0339")
t.ok("Mijn gemeente: Renswoude" in page and "U bent ingelogd" not in page,
     "signed in with a choice: the choice")
r, page = home(session + "; " + COOKIE + "=GM9999")
t.ok("Mijn gemeente: Rheden" in page, "signed in, a forged cookie: own")
csrf = re.search(r'action="/mijn-gemeente">\s*<input type="hidden" '
                 r'name="csrf" value="([^"]+)"', page)
t.ok(csrf is not None, "a signed-in person's picker carries the CSRF token")
r = choose({"gemeente": "GM0339"}, cookie=session)
t.eq(r.status, 403, "signed in without the CSRF token: 403")
r = choose({"gemeente": "GM0339", "csrf": csrf.group(1) if csrf else ""},
           cookie=session)
t.ok(r.status == 303 and (r.header("Set-Cookie") or "").startswith(
    COOKIE + "=GM0339;"), "signed in with the token: chosen")

# Over https (the base URL says so) the cookie is Secure.
s = Instance(settings={"base_url": "https://meent.example.nl"}).start()
r = s.request("POST", "/mijn-gemeente", headers={
    "Content-Type": FORM, "Origin": "https://meent.example.nl"},
    body="gemeente=GM0299")
t.ok(r.status == 303 and "; Secure" in (r.header("Set-Cookie") or ""),
     "https: the cookie is Secure", r.header("Set-Cookie"))

# The page is cached for anonymous visitors; a new pilot of a municipality
# like it shows at once (Duiven, GM0226, is of Zevenaar's size class).
for _ in range(4):
    home(COOKIE + "=GM0299")
r = m.request("POST", "/api/v1/pilots", token=m.token("GM0226", "editor"),
              body={"titel": "Nieuwe pilot van een buurgemeente",
                    "samenvatting": "Een korte samenvatting.",
                    "domein": "jeugd", "status": "lopend",
                    "start": "2025-01-06", "vraag": "Werkt het?",
                    "zichtbaarheid": "openbaar"})
t.eq(r.status, 201, "a new public pilot of Duiven")
pages = [home(COOKIE + "=GM0299")[1] for _ in range(4)]
t.ok(all("Nieuwe pilot van een buurgemeente" in section(
    pg, "Pilots van gemeenten zoals Zevenaar") for pg in pages),
     "it is on Zevenaar's start page at once, first of its class")
r = m.request("DELETE", "/api/v1/pilots/" + r.json()["id"],
              token=m.token("GM0226", "editor"))
t.eq(r.status, 204, "and deleted again")
pages = [home(COOKIE + "=GM0299")[1] for _ in range(4)]
t.ok(all("Nieuwe pilot van een buurgemeente" not in pg for pg in pages),
     "then gone from it")

# Two clicks, for every municipality: the start page links a pilot of a
# municipality of the nearest size class that has pilots (its own left
# out), or a list page that links one. Computed here from the API's list.
def two_clicks(label):
    pilots = api_all("/api/v1/pilots", "pilots")
    conn = http.client.HTTPConnection("127.0.0.1", m.port, timeout=30)

    def fetch(path, cookie=None):
        conn.request("GET", path, headers={"Cookie": cookie} if cookie
                     else {})
        resp = conn.getresponse()
        return resp.status, resp.read().decode()

    lists = {}
    direct = via_list = 0
    problems = []
    for g in gemeenten:
        code, k = g["code"], g["grootteklasse"]
        others = [p for p in pilots if p["gemeente"] != code]
        dmin = min(abs(p["grootteklasse"] - k) for p in others)
        good = {p["id"] for p in others
                if abs(p["grootteklasse"] - k) == dmin}
        status, page = fetch("/", COOKIE + "=" + code)
        body = main_of(page)
        if status != 200 or "Mijn gemeente: %s" % g["naam"] not in \
                html.unescape(body):
            problems.append("%s: status %d or not chosen" % (code, status))
            continue
        if good & set(PILOT_LINK.findall(body)):
            direct += 1
            continue
        for href in LIST_LINK.findall(body):
            href = html.unescape(href)
            if href not in lists:
                lists[href] = set(PILOT_LINK.findall(main_of(
                    fetch(href)[1])))
            if good & lists[href]:
                via_list += 1
                break
        else:
            problems.append("%s (class %d): no pilot of distance %d" %
                            (code, k, dmin))
    conn.close()
    t.eq(len(problems), 0, "%s: all 342 have a pilot of the nearest size "
         "class within two clicks (%d linked directly, %d through a list)"
         % (label, direct, via_list))
    for p in problems[:20]:
        print("# " + p)


two_clicks("seed")
# Without pilots of size classes 2 and 3, their municipalities' nearest
# class is another one, on either side.
gone = [p for p in pilots if p["grootteklasse"] in (2, 3)]
for p in gone:
    r = m.request("DELETE", "/api/v1/pilots/" + p["id"],
                  token=m.token(p["gemeente"], "editor"))
    t.eq(r.status, 204, "deleted a pilot of class %d" % p["grootteklasse"])
r, page = home(COOKIE + "=GM0339")
t.ok("Gemeenten met 5.000 tot 10.000 inwoners hebben nog geen pilots"
     in page, "Renswoude: says its class has none, shows the nearest")
two_clicks("classes 2 and 3 without pilots")

finish(t, m, s)
