# SPDX-License-Identifier: EUPL-1.2
"""Pilots on the web pages: publishing and editing through forms (CSRF,
same origin, errors shown, concurrent edits caught), every text escaped,
visibility on pages and in the Atom feed."""
import re
import urllib.parse
import xml.etree.ElementTree as ET

from harness import CONTENT, Instance, Tap, finish

t = Tap()
m = Instance().start(extra=["--seed", CONTENT])
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % m.port


def login(email, gemeente):
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", "editor",
          input="een lang wachtwoord\n", check=True)
    r = m.request("POST", "/inloggen", headers={"Content-Type": FORM,
                  "Origin": origin}, body=urllib.parse.urlencode(
                      {"email": email, "wachtwoord": "een lang wachtwoord"}))
    return (r.header("Set-Cookie") or "").split(";")[0]


goes = login("redactie@goes.example.nl", "GM0664")
rheden = login("redactie@rheden.example.nl", "GM0275")


def csrf_of(cookie, path="/pilots/nieuw"):
    page = m.get(path, headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return found.group(1) if found else None


def post(path, fields, cookie, extra=None):
    h = {"Content-Type": FORM, "Origin": origin, "Cookie": cookie}
    h.update(extra or {})
    return m.request("POST", path, headers=h,
                     body=urllib.parse.urlencode(fields))


XSS = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>'
fields = {"titel": "Formulierpilot " + XSS, "samenvatting": "Samen " + XSS,
          "domein": "jeugd", "status": "lopend", "zichtbaarheid": "openbaar",
          "aanvrager": "", "start": "2025-02-01", "einde": "",
          "vraag": "Vraag " + XSS, "stakeholders": "college, " + XSS[:40],
          "tags": "formulier, test", "contact": "Team " + XSS,
          "aanpak": "Aanpak " + XSS, "data": "", "resultaten": "",
          "lessen": "", "privacy": ""}

# Anonymous: the form sends you to log in.
r = m.get("/pilots/nieuw")
t.eq((r.status, r.header("Location")), (303,
     "/inloggen?terug=%2Fpilots%2Fnieuw"),
     "the form without a session: to /inloggen, and back afterwards")

token = csrf_of(goes)
t.ok(token is not None, "the form has a CSRF token")
r = post("/pilots/nieuw", dict(fields, csrf="fout"), goes)
t.eq(r.status, 403, "a wrong CSRF token: 403")
r = post("/pilots/nieuw", dict(fields, csrf=token), goes,
         {"Origin": "http://evil.example"})
t.eq(r.status, 403, "another origin: 403")
r = post("/pilots/nieuw", dict(fields, csrf=token, titel="", domein="x",
                               start="2025-13-01"), goes)
t.eq(r.status, 400, "an invalid form: 400")
page = r.body.decode()
t.ok('role="alert"' in page and 'href="#titel"' in page and
     'href="#domein"' in page and 'href="#start"' in page,
     "the errors are summarised with links to the fields")
t.ok(XSS not in page and "&lt;script&gt;" in page,
     "the refilled form escapes what was typed")
r = post("/pilots/nieuw", dict(fields, csrf=token), goes)
t.eq(r.status, 303, "publish through the form")
path = r.header("Location")
pid = path.rsplit("/", 1)[1]
t.ok(re.fullmatch(r"/pilots/[0-9a-f-]{36}", path) is not None, path)

for name, url in [("detail", path), ("list", "/pilots"),
                  ("search", "/zoeken?q=formulierpilot"), ("start", "/")]:
    page = m.get(url).body.decode()
    t.ok("<script>alert" not in page and "<img src=x" not in page and
         "onerror=alert" not in page.replace("onerror=alert(2)&gt;", ""),
         "no script or event handler reaches the %s page" % name)
api = m.get("/api/v1/pilots/" + pid).json()
t.ok("<script" not in api["aanpakHtml"], "nor the API's HTML")

# Editing: only the own municipality; a concurrent edit is caught.
r = m.get(path + "/bewerken", headers={"Cookie": rheden})
t.eq(r.status, 403, "another municipality's edit form: 403")
edit = m.get(path + "/bewerken", headers={"Cookie": goes}).body.decode()
ver = re.search(r'name="versie" value="(\d+)"', edit).group(1)
tok = re.search(r'name="csrf" value="([^"]+)"', edit).group(1)
t.eq(ver, "1", "the edit form carries the version")
r = post(path + "/bewerken", dict(fields, csrf=tok, versie=ver,
                                  titel="Formulierpilot, bijgewerkt"), goes)
t.eq(r.status, 303, "edit through the form")
t.eq(m.get("/api/v1/pilots/" + pid).json()["versie"], 2, "versie 2")
r = post(path + "/bewerken", dict(fields, csrf=tok, versie=ver,
                                  titel="Verouderde bewerking"), goes)
t.eq(r.status, 409, "an edit of an old version: 409")
t.ok("Verouderde bewerking" in r.body.decode(),
     "and the form keeps what was typed")
t.eq(m.get("/api/v1/pilots/" + pid).json()["titel"],
     "Formulierpilot, bijgewerkt", "the newer edit stands")

# Concept pilots: not on another municipality's pages or in the feed.
r = post("/pilots/nieuw", dict(fields, csrf=token, titel="Conceptpilot "
                               "zwembadtarieven", zichtbaarheid="concept"),
         goes)
cpath = r.header("Location")
t.eq(m.get(cpath, headers={"Cookie": goes}).status, 200,
     "the own municipality sees its concept")
t.eq(m.get(cpath, headers={"Cookie": rheden}).status, 404,
     "another municipality gets 404 on the concept's page")
t.eq(m.get(cpath).status, 404, "anonymous: 404")
for url in ("/pilots", "/zoeken?q=zwembadtarieven", "/"):
    t.ok("Conceptpilot" not in m.get(url, headers={"Cookie": rheden})
         .body.decode(), "the concept is not on %s for others" % url)

# The Atom feed: valid, public pilots only, newest first.
r = m.get("/pilots/feed")
t.eq(r.status, 200, "the feed")
t.ok(r.header("Content-Type").startswith("application/atom+xml"),
     "as application/atom+xml")
ns = {"a": "http://www.w3.org/2005/Atom"}
feed = ET.fromstring(r.body)
t.ok(feed.find("a:id", ns) is not None and feed.find("a:title", ns)
     is not None and feed.find("a:updated", ns) is not None and
     feed.find("a:author/a:name", ns) is not None and
     feed.find("a:link[@rel='self']", ns) is not None,
     "the feed has id, title, updated, author and a self link (RFC 4287)")
entries = feed.findall("a:entry", ns)
t.ok(len(entries) >= 9, "entries for the public pilots (%d)" % len(entries))
t.ok(all(e.find("a:id", ns).text.startswith("urn:uuid:") and
         e.find("a:updated", ns) is not None and
         e.find("a:link[@rel='alternate']", ns) is not None
         for e in entries), "each entry has an id, updated and a link")
t.ok(entries[0].find("a:title", ns).text == "Formulierpilot, bijgewerkt",
     "the newest change comes first")
t.ok(all("zwembadtarieven" not in (e.find("a:title", ns).text or "")
         for e in entries), "no concept in the feed")
t.ok(b"<script>" not in r.body, "the feed escapes its text")
t.ok('href="/pilots/feed"' in m.get("/").body.decode(),
     "pages link the feed")

finish(t, m)
