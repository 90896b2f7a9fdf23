# SPDX-License-Identifier: EUPL-1.2
"""Following a guideline from the web (issue 14, item 6): an editor follows
and stops following with a button (a POST form with the session's CSRF
token), the API sees the same adoptions; the followers are listed with
their size class in words and province, filtered by either on
/richtlijnen/{slug}/volgers and on GET /api/v1/richtlijnen/{slug}/adopties;
and every bad input gets its answer (404, 403, 400) with nothing changed."""
import re
import urllib.parse

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
FORM = "application/x-www-form-urlencoded"
HTML = {"Accept": "text/html"}
ORIGIN = "http://127.0.0.1:%d" % m.port
PASSWORD = "een lang wachtwoord"
SLUG = "stakeholders-betrekken"
PAGE = "/richtlijnen/" + SLUG
API = "/api/v1/richtlijnen/%s/adopties" % SLUG
RENSWOUDE, RHEDEN, GOES = "GM0339", "GM0275", "GM0664"


def login(email, gemeente, role):
    """A cookie session; returns (cookie, csrf) (the CSRF token from the
    log-out form every signed-in page has)."""
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", role,
          input=PASSWORD + "\n", check=True)
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": ORIGIN}, body=urllib.parse.urlencode(
            {"email": email, "wachtwoord": PASSWORD}))
    cookie = (r.header("Set-Cookie") or "").split(";")[0]
    page = m.get("/", headers={"Cookie": cookie}).body.decode()
    return cookie, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def page(path, cookie=None):
    h = dict(HTML)
    if cookie:
        h["Cookie"] = cookie
    return m.get(path, headers=h)


def post(path, fields, cookie, origin=ORIGIN):
    body = urllib.parse.urlencode(fields)
    assert "\r" not in body and "\n" not in body
    h = {"Content-Type": FORM, "Accept": "text/html", "Cookie": cookie}
    if origin:
        h["Origin"] = origin
    return m.request("POST", path, headers=h, body=body)


def form_csrf(html, action):
    """The CSRF value of the form posting to action, or None."""
    f = re.search(r'<form method="post" action="%s">\s*<input type="hidden" '
                  r'name="csrf" value="([^"]+)">' % re.escape(action), html)
    return f.group(1) if f else None


def followers():
    return {a["gemeente"]: a for a in m.get(API).json()["adopties"]}


def adoption_rows():
    return m.sql("SELECT a.gemeente, a.versie, a.origin FROM "
                 "richtlijn_adopties a JOIN richtlijnen r ON r.pk = "
                 "a.richtlijn WHERE r.slug = ? "
                 "ORDER BY a.gemeente", (SLUG,))


gm = {c: m.get("/api/v1/gemeenten/" + c).json()
      for c in (RENSWOUDE, RHEDEN, GOES)}
t.eq((gm[RENSWOUDE]["naam"], gm[RENSWOUDE]["provincie"],
      gm[RENSWOUDE]["grootteklasse"]), ("Renswoude", "Utrecht", 2),
     "the reference data: Renswoude, Utrecht, size class 2")
t.eq(followers(), {}, "nobody follows the seed guideline yet")

editor, csrf = login("redactie@renswoude.example.nl", RENSWOUDE, "editor")
viewer, viewer_csrf = login("lezer@renswoude.example.nl", RENSWOUDE,
                            "viewer")

# --- Who sees what -----------------------------------------------------------
LOGIN_LINE = ('Een redacteur van uw gemeente kan deze richtlijn hier volgen '
              'na <a href="/inloggen">inloggen</a>.')
for who, cookie in (("an anonymous visitor", None), ("a viewer", viewer)):
    html = page(PAGE, cookie).body.decode()
    t.ok(LOGIN_LINE in html and "/volgen\"" not in html and
         "/ontvolgen\"" not in html, "%s sees how to follow it after "
         "signing in, no button" % who)
html = page(PAGE, editor).body.decode()
follow_csrf = form_csrf(html, PAGE + "/volgen")
t.ok(follow_csrf == csrf and "Deze richtlijn volgen</button>" in html and
     LOGIN_LINE not in html, "an editor sees the button, a form with the "
     "session's CSRF token")

# --- Bad input: nothing changes ----------------------------------------------
before = adoption_rows()
r = post(PAGE + "/volgen", {}, editor)
t.eq(r.status, 403, "no CSRF field: 403")
r = post(PAGE + "/volgen", {"csrf": "x" * len(csrf)}, editor)
t.ok(r.status == 403 and "text/html" in (r.header("Content-Type") or "") and
     "verlopen" in r.body.decode(), "a wrong CSRF token: 403, a Dutch page")
r = post(PAGE + "/volgen", {"csrf": viewer_csrf}, editor)
t.eq(r.status, 403, "another session's CSRF token: 403")
r = post(PAGE + "/volgen", {"csrf": viewer_csrf}, viewer)
t.eq(r.status, 403, "a viewer posting the form: 403")
r = post(PAGE + "/ontvolgen", {"csrf": viewer_csrf}, viewer)
t.eq(r.status, 403, "a viewer posting 'niet meer volgen': 403")
r = post(PAGE + "/volgen", {"csrf": csrf}, "")
t.eq(r.status, 401, "nobody signed in: 401")
r = post(PAGE + "/volgen", {"csrf": csrf}, editor, origin="http://elders.nl")
t.eq(r.status, 403, "from another origin: 403")
r = post("/richtlijnen/bestaat-niet/volgen", {"csrf": csrf}, editor)
t.ok(r.status == 404 and "text/html" in (r.header("Content-Type") or "") and
     "Niet gevonden" in r.body.decode(), "an unknown guideline: 404, a Dutch "
     "page")
r = post("/richtlijnen/bestaat-niet/ontvolgen", {"csrf": csrf}, editor)
t.eq(r.status, 404, "stop following an unknown guideline: 404")
t.eq(adoption_rows(), before, "none of these changed anything")

# --- Follow ------------------------------------------------------------------
r = post(PAGE + "/volgen", {"csrf": follow_csrf}, editor)
t.eq((r.status, r.header("Location")), (303, PAGE + "?gevolgd=1"),
     "following: 303 back to the guideline")
html = page(r.header("Location"), editor).body.decode()
t.ok("Uw gemeente volgt deze richtlijn nu." in html, "with a confirmation")
t.ok(form_csrf(html, PAGE + "/ontvolgen") == csrf and
     "Niet meer volgen</button>" in html and
     form_csrf(html, PAGE + "/volgen") is None,
     "the button is 'Niet meer volgen' now")
f = followers()
t.eq(sorted(f), [RENSWOUDE], "the API sees Renswoude follow it")
t.eq((f[RENSWOUDE]["naam"], f[RENSWOUDE]["provincie"],
      f[RENSWOUDE]["grootteklasse"], f[RENSWOUDE]["grootteklasseTekst"],
      f[RENSWOUDE]["versie"]),
     ("Renswoude", "Utrecht", 2, "5.000 tot 10.000 inwoners", None),
     "with its province and size class, in words too; the newest version")
t.eq(m.get("/api/v1/richtlijnen/" + SLUG).json()["adopties"], 1,
     "counted on the guideline")
r = post(PAGE + "/volgen", {"csrf": csrf}, editor)
t.eq((r.status, len(adoption_rows())), (303, 1),
     "following twice: 303, and still one adoption")
html = page(PAGE).body.decode()
t.ok('<a href="/gemeenten/GM0339">Renswoude</a> <span class="meta">(5.000 '
     'tot 10.000 inwoners, Utrecht)' in html, "the (cached) anonymous page lists the new follower with size "
     "class and province")
t.ok("gevolgd" not in page(PAGE + "?gevolgd=1").body.decode().split(
    "<article>")[0], "no confirmation for an anonymous visitor")

# A version pinned through the API stays when the button is pressed.
rheden, rheden_csrf = login("redactie@rheden.example.nl", RHEDEN, "editor")
r = m.request("POST", API, token=m.token(RHEDEN, "editor"), body={"versie": 1})
t.eq(r.status, 201, "Rheden follows version 1 through the API")
r = post(PAGE + "/volgen", {"csrf": rheden_csrf}, rheden)
t.eq((r.status, followers()[RHEDEN]["versie"]), (303, 1),
     "the button keeps the pin")
html = page(PAGE, rheden).body.decode()
t.ok("Rheden</a> <span class=\"meta\">(%s inwoners, Gelderland; volgt "
     "versie 1)" % {4: "20.000 tot 50.000"}[gm[RHEDEN]["grootteklasse"]] in html,
     "the page shows the pinned version")
r = m.request("POST", API, token=m.token(GOES, "editor"))
t.eq(r.status, 201, "Goes follows through the API")
html = page(PAGE, viewer).body.decode()
t.ok(html.count("<span class=\"meta\">(") >= 3 and
     "Gevolgd door 3 gemeenten" in html, "three followers on the page")
# B1: no "gemeente(n)" where a person reads; plural agrees with the count.
t.ok("(n)" not in html and "(len)" not in html, "no '(n)' plurals")
history = html[html.index("<h3>Geschiedenis</h3>"):]
stamp = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', history)
t.ok(stamp and stamp.group(1).endswith("Z") and re.fullmatch(
    r"\d{1,2} [a-z]+ 20\d\d om \d\d:\d\d", stamp.group(2)),
     "the history's dates in Dutch, in Amsterdam time",
     stamp and stamp.groups())
lst = m.get("/richtlijnen").body.decode()
t.ok("gemeente(n)" not in lst and "voorstel(len)" not in lst and
     "3 gemeenten volgen deze richtlijn" in lst, "the list: '3 gemeenten "
     "volgen deze richtlijn'", re.findall(r"Versie \d+ · [^<]*", lst)[:3])
t.ok(re.search(r"(0 gemeenten volgen|1 gemeente volgt) deze richtlijn", lst)
     or "0 open voorstellen" in lst or "1 open voorstel" in lst,
     "singular or plural by the number", re.findall(r"Versie \d+ · [^<]*",
                                                  lst)[:3])

# --- The followers, filtered -------------------------------------------------
VOLGERS = PAGE + "/volgers"


def listed(html):
    part = html.split("</form>", 1)[-1]
    return re.findall(r"<li><a href=\"/gemeenten/GM\d{4}\">([^<]+)</a> "
                      r"<span class=\"meta\">", part)


r = page(VOLGERS)
html = r.body.decode()
t.ok(r.status == 200 and listed(html) == ["Goes", "Renswoude", "Rheden"],
     "/volgers lists all three by name", listed(html))
t.ok("<h2>3 gemeenten</h2>" in html, "with the count in words")
t.ok('<select id="grootteklasse" name="grootteklasse">' in html and
     '<option value="2">5.000 tot 10.000 inwoners</option>' in html and
     '<option value="8">250.000 of meer inwoners</option>' in html,
     "size class is a select list with every class in words")
t.ok('<select id="provincie" name="provincie">' in html and
     '<option value="Utrecht">Utrecht (1)</option>' in html and
     '<option value="Gelderland">Gelderland (1)</option>' in html and
     '<option value="Zeeland">Zeeland (1)</option>' in html,
     "province is a select list of the followers' provinces with counts")
t.ok('href="%s/volgers"' % PAGE in page(PAGE).body.decode(),
     "the guideline page links to it")
for query, want, desc in [
        ("grootteklasse=2", ["Renswoude"], "size class 2"),
        ("grootteklasse=4", ["Goes", "Rheden"], "size class 4"),
        ("provincie=Gelderland", ["Rheden"], "Gelderland"),
        ("grootteklasse=4&provincie=Zeeland", ["Goes"], "class 4 in Zeeland"),
        ("grootteklasse=2&provincie=Zeeland", [], "class 2 in Zeeland: none"),
        ("provincie=Groningen", [], "a province without followers"),
        ("grootteklasse=&provincie=", ["Goes", "Renswoude", "Rheden"],
         "'alle' in both (empty values): no filter"),
        ("provincie=gelderland", ["Rheden"], "a province in any case"),
        ("q=RENS", ["Renswoude"], "part of the name, as /gemeenten takes it"),
        ("lid=false", [], "non-members: none (each has an account here)")]:
    r = page(VOLGERS + "?" + query)
    html = r.body.decode()
    t.ok(r.status == 200 and listed(html) == want, "/volgers?%s: %s" % (
        query, desc), "%d %r" % (r.status, listed(html)))
    api = m.get(API + "?" + query)
    t.ok(api.status == 200 and sorted(a["naam"] for a in api.json()[
        "adopties"]) == want and api.json()["totaal"] == len(want),
        "GET .../adopties?%s: the same" % query, api.body[:200])
html = page(VOLGERS + "?grootteklasse=2&provincie=utrecht").body.decode()
t.ok('<option value="2" selected>' in html and
     '<option value="Utrecht" selected>' in html and
     "Filter weghalen" in html, "the chosen filters stay selected and can be "
     "removed")
t.ok("<h2>1 gemeente die past bij het filter</h2>" in page(
    VOLGERS + "?provincie=Gelderland").body.decode(), "one: singular")
t.ok("Geen gemeenten." in page(VOLGERS + "?provincie=Groningen").body.decode()
     and '<option value="Groningen" selected>Groningen (0)</option>' in
     page(VOLGERS + "?provincie=Groningen").body.decode(),
     "an empty result says so and keeps the province chosen")
for query, field in [("grootteklasse=9", "grootteklasse"),
                     ("grootteklasse=0", "grootteklasse"),
                     ("grootteklasse=twee", "grootteklasse"),
                     ("provincie=Atlantis", "provincie"),
                     ("provincie=" + "G" * 65, "provincie")]:
    r = page(VOLGERS + "?" + query)
    html = r.body.decode()
    t.ok(r.status == 400 and "text/html" in (r.header("Content-Type") or "")
         and 'class="error-summary"' in html and 'href="#%s"' % field in html
         and "<select id=\"%s\"" % field in html and listed(html) == [],
         "/volgers?%s: 400, the reason above the form, no list" %
         query[:30], "%d %s" % (r.status, html[:300]))
    summary = html[html.index('class="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    t.ok(">%s:" % field not in summary and (">Inwoners:" in summary or
                                            ">Provincie:" in summary),
         "… each field named in words, not by its key", summary[:200])
    r = m.get(API + "?" + query)
    t.ok(r.status == 400 and r.header("Content-Type") ==
         "application/problem+json" and [p["name"] for p in r.json()[
             "invalidParams"]] == [field], "GET .../adopties?%s: 400 "
         "problem+json naming %s" % (query[:30], field), r.body[:200])
html = page(VOLGERS + "?provincie=Atlantis").body.decode()
t.ok('<option value="" selected>' not in html and "Atlantis (0)" not in html
     and '<option value="">alle</option>' in html,
     "a bad province is not offered back as a choice")
r = page("/richtlijnen/bestaat-niet/volgers")
t.ok(r.status == 404 and "text/html" in (r.header("Content-Type") or ""),
     "/volgers of an unknown guideline: a Dutch 404 page")
t.eq(m.get("/api/v1/richtlijnen/bestaat-niet/adopties").status, 404,
     "the API: 404")

# --- Stop following ----------------------------------------------------------
html = page(PAGE, editor).body.decode()
r = post(PAGE + "/ontvolgen", {"csrf": form_csrf(html, PAGE + "/ontvolgen")},
         editor)
t.eq((r.status, r.header("Location")), (303, PAGE + "?ontvolgd=1"),
     "stop following: 303 back to the guideline")
html = page(r.header("Location"), editor).body.decode()
t.ok("Uw gemeente volgt deze richtlijn niet meer." in html and
     form_csrf(html, PAGE + "/volgen") == csrf, "a confirmation, and the "
     "follow button again")
t.eq(sorted(followers()), sorted([GOES, RHEDEN]), "the API no longer lists Renswoude")
t.ok("Renswoude" not in page(PAGE).body.decode().split("Gevolgd door")[1]
     .split("</ul>")[0], "nor does the anonymous page")
r = post(PAGE + "/ontvolgen", {"csrf": csrf}, editor)
t.eq((r.status, r.header("Location")), (303, PAGE + "?ontvolgd=al"),
     "stop following when not following: 303, no error page")
t.ok("Uw gemeente volgde deze richtlijn al niet" in page(
    r.header("Location"), editor).body.decode(), "with a notice that says so")
t.eq(sorted(followers()), sorted([GOES, RHEDEN]), "nothing else changed")
t.ok("volgt deze richtlijn nu" not in page(PAGE + "?gevolgd=1", editor)
     .body.decode(), "a confirmation that is not true is not shown")

# An adoption that came from another instance: only there can it end.
m.sql("UPDATE richtlijn_adopties SET origin = ? WHERE gemeente = ?",
      ("11111111-2222-4333-8444-555555555555", RHEDEN))
html = page(PAGE, rheden).body.decode()
t.ok("via een andere meent-omgeving" in html and
     form_csrf(html, PAGE + "/ontvolgen") is None and
     form_csrf(html, PAGE + "/volgen") is None,
     "followed through another instance: said so, no button")
r = post(PAGE + "/ontvolgen", {"csrf": rheden_csrf}, rheden)
t.ok(r.status == 303 and r.header("Location").endswith("?ontvolgd=al") and
     RHEDEN in followers(), "posting anyway ends nothing: 303 with the notice")

finish(t, m)
