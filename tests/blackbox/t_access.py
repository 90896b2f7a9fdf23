# SPDX-License-Identifier: EUPL-1.2
"""The access matrix, generated from the route table (`meentd --routes`).

1. Every route is called as nobody, viewer, editor and admin, and must
   answer 401 or 403 exactly where its access level says so.
2. Every write route (every API route that is not a GET, every web form's
   POST) is called on what it may not touch: the item in its path belonging
   to another municipality, or a child item under another parent (guideline
   B's proposal under guideline A's slug), by a caller whose role the route
   admits. The answer is what DESIGN §4 says (404 where the item is not
   visible to the caller, 403 where it is visible but not editable), and no
   row of the database changes. Routes without an item of their own in the
   path (creates, adoptions, logout) must not act for another municipality.
   A write route this file knows nothing about fails as "route X has no
   access case": add its kind to TARGET_KINDS or a case to OPEN, or say in
   EXEMPT why it has none.
"""
import json
import os
import re
import subprocess
import urllib.parse
import uuid

from harness import MEENTD, Instance, Tap, finish

t = Tap()
m = Instance().start()
tokens = {"anonymous": None}
for role in ("viewer", "editor", "admin"):
    tokens[role] = m.token("GM0275", role)
rank = {"anonymous": 0, "public": 0, "viewer": 1, "editor": 2, "admin": 3}

routes = []
for line in subprocess.run([MEENTD, "--routes"], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    method, pattern, access, flags, max_body, name = line.split("\t")
    routes.append((method, pattern, access, flags.split(","), name))
t.ok(len(routes) >= 10, "the route table is printed (%d routes)" % len(routes))
t.ok(all(a in rank for _, _, a, _, _ in routes), "every route has a level")


def concrete(pattern):
    return re.sub(r"\{[^}]+\}", lambda x: {"{code}": "GM0275"}.get(
        x.group(0), "999999"), pattern)


for method, pattern, access, flags, name in routes:
    path = concrete(pattern)
    for who, token in tokens.items():
        headers = {"Origin": "http://127.0.0.1:%d" % m.port}
        body = None
        if method in ("POST", "PUT", "PATCH"):
            if "web" in flags:
                body = "x=1"
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = "{}"
                headers["Content-Type"] = "application/json"
        r = m.request(method, path, body=body, headers=headers, token=token)
        need = rank[access]
        have = rank[who]
        if need == 0:
            ok = r.status not in (401, 403)
            want = "not 401/403"
        elif who == "anonymous":
            # A person on a web page is sent to the login form instead.
            ok = r.status == 401 or ("web" in flags and method == "GET" and
                                     r.status == 303 and
                                     (r.header("Location") or "").split(
                                         "?terug=")[0] == "/inloggen")
            want = "401 (or, for a web page, 303 to /inloggen)"
        elif "web" in flags and method != "GET":
            # Web forms take cookie sessions only; a token is no session:
            # never a success (404 where the item does not exist).
            ok = r.status in (401, 403, 404)
            want = "401/403/404"
        elif have < need:
            ok = r.status == 403
            want = "403"
        else:
            ok = r.status not in (401, 403)
            want = "not 401/403"
        t.ok(ok, "%s %s as %s (%s): %s" % (method, pattern, who, access, want),
             "got %d: %s" % (r.status, r.body[:200]))
        t.ok(r.status < 500, "%s %s as %s: no 5xx" % (method, pattern, who),
             r.body[:200])

# --- 2. Other municipalities' items -----------------------------------------
#
# A (Rheden) is the caller; B (Goes) owns the items it must not touch.
A, B = "GM0275", "GM0664"
FORM = "application/x-www-form-urlencoded"
ORIGIN = "http://127.0.0.1:%d" % m.port
PASSWORD = "een lang wachtwoord"
api = {(g, role): m.token(g, role) for g in (A, B)
       for role in ("editor", "admin")}
sessions = {}


def login(gemeente, role, n=0):
    """A cookie session of a new user; returns (cookie, csrf)."""
    email = "%s-%s-%d@example.nl" % (role, gemeente.lower(), n)
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", role,
          input=PASSWORD + "\n", check=True)
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": ORIGIN}, body=urllib.parse.urlencode(
            {"email": email, "wachtwoord": PASSWORD}))
    cookie = (r.header("Set-Cookie") or "").split(";")[0]
    page = m.get("/pilots/nieuw", headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    if not cookie or found is None:
        raise RuntimeError("no session for %s: %d" % (email, r.status))
    return cookie, found.group(1)


def session(gemeente, role):
    if (gemeente, role) not in sessions:
        sessions[(gemeente, role)] = login(gemeente, role)
    return sessions[(gemeente, role)]


def created(r, what):
    if r.status not in (200, 201):
        raise RuntimeError("%s: %d %s" % (what, r.status, r.body[:300]))
    return r.json()


# The items: for each kind, B's and A's own (A's for the web forms' CSRF
# case, which must be refused for a reason other than the item's owner).
PILOT = {"titel": "Pilot van de toegangstest", "samenvatting": "Een test.",
         "domein": "jeugd", "status": "lopend", "start": "2025-01-06",
         "vraag": "Mag een ander dit wijzigen?", "zichtbaarheid": "openbaar",
         "aanpak": "Proberen.", "tags": ["toegang"]}


def pilot(gemeente, zichtbaarheid):
    p = created(m.request("POST", "/api/v1/pilots", token=api[
        (gemeente, "editor")], body=dict(PILOT, zichtbaarheid=zichtbaarheid)),
        "pilot of %s" % gemeente)
    return p["id"]


pilot_b_pub = pilot(B, "openbaar")
pilot_b_concept = pilot(B, "concept")
pilot_a = pilot(A, "openbaar")

TABLE = "wijk,waarde\n" + "".join(
    "%s,%d\n" % (w, 20 + i) for i, w in
    enumerate(["Noord", "Zuid", "Oost", "West", "Centrum"]))


def dataset(gemeente, periode, publish):
    q = urllib.parse.urlencode({"vorm": "tabel", "indicator": INDICATOR,
                                "periode": periode})
    d = created(m.request("POST", "/api/v1/datasets?" + q, body=TABLE,
                          token=api[(gemeente, "editor")],
                          headers={"Content-Type": "text/csv"}),
                "dataset of %s" % gemeente)
    if publish:
        created(m.request("POST", "/api/v1/datasets/%s/publicatie" % d["id"],
                          token=api[(gemeente, "editor")]), "publish")
    return d["id"]


INDICATOR = "toegang-test"
with open(os.path.join(m.dir, "indicator.json"), "w") as f:
    json.dump({"id": INDICATOR, "naam": "Toegangstest", "omschrijving":
               "Een test", "eenheid": "aantal", "soort": "aantal",
               "richting": "neutraal", "bron": "test"}, f)
m.ctl("indicator", "add", os.path.join(m.dir, "indicator.json"), check=True)
dataset_b_pub = dataset(B, "2024", True)
dataset_b_concept = dataset(B, "2025", False)
dataset_a = dataset(A, "2025", False)

TEXT = "# Toegang\n\nEen richtlijn voor de toegangstest.\n"


def guideline(gemeente, slug):
    created(m.request("POST", "/api/v1/richtlijnen", token=api[
        (gemeente, "editor")], body={"slug": slug, "titel": slug,
                                     "tekst": TEXT}), "guideline " + slug)
    return slug


def proposal(gemeente, slug):
    return created(m.request("POST", "/api/v1/richtlijnen/%s/voorstellen" %
                             slug, token=api[(gemeente, "editor")], body={
                                 "basis": 1, "tekst": TEXT + "\nMeer.\n",
                                 "bericht": "Voorstel van " + gemeente}),
                   "proposal on " + slug)["id"]


guide_a = guideline(A, "toegang-van-a")      # A maintains it
guide_b = guideline(B, "toegang-van-b")      # B maintains it, A does not
prop_b = proposal(B, guide_b)                # an open proposal on B's
prop_a = proposal(B, guide_a)                # an open proposal on A's
for slug in (guide_a, guide_b):
    created(m.request("POST", "/api/v1/richtlijnen/%s/adopties" % slug,
                      token=api[(B, "editor")]), "B adopts " + slug)
token_b = created(m.request("POST", "/api/v1/tokens", token=api[
    (B, "admin")], body={"naam": "van B"}), "token of B")["id"]
token_a = created(m.request("POST", "/api/v1/tokens", token=api[
    (A, "admin")], body={"naam": "van A"}), "token of A")["id"]



def account_items(gemeente, n):
    """A user, an open invitation and an open access request of gemeente
    (made as the forms make them: t_users.py); their ids."""
    email = "lid-%s-%d@example.nl" % (gemeente.lower(), n)
    m.ctl("user", "add", email, "--gemeente", gemeente, "--role", "viewer",
          input=PASSWORD + "\n", check=True)
    user = m.sql("SELECT id FROM users WHERE email = ?", (email,))[0][0]
    now = int(__import__("time").time())
    m.sql("INSERT INTO invitations (digest, email, gemeente, role, created,"
          " expires) VALUES (randomblob(32), ?, ?, 'editor', ?, ?)",
          ("uitgenodigd-%d@example.nl" % n, gemeente, now, now + 86400))
    inv = m.sql("SELECT max(id) FROM invitations")[0][0]
    m.sql("INSERT INTO access_requests (email, naam, gemeente, reden,"
          " created, expires) VALUES (?, 'Aanvrager', ?, 'Lezen.', ?, ?)",
          ("aanvrager-%d@example.nl" % n, gemeente, now, now + 86400))
    req = m.sql("SELECT max(id) FROM access_requests")[0][0]
    return user, inv, req


user_b, invitation_b, request_b = account_items(B, 1)
user_a, invitation_a, request_a = account_items(A, 2)


def contact(gemeente):
    """A contact entry of a user of gemeente (a session of its own)."""
    cookie, csrf = login(gemeente, "viewer", 7)
    r = m.request("POST", "/contactpersonen/aanmelden", headers={
        "Content-Type": FORM, "Origin": ORIGIN, "Cookie": cookie},
        body=urllib.parse.urlencode(dict(CONTACT_ITEM, csrf=csrf)))
    if r.status != 303:
        raise RuntimeError("contact of %s: %d" % (gemeente, r.status))
    return m.sql("SELECT max(id) FROM contactpersonen")[0][0]


CONTACT_ITEM = {"soort": "gemeente", "naam": "Eigen Test", "functie": "Test",
                "email": "eigen@example.nl", "hulp": "Testen en zo."}
contact_b = contact(B)
contact_a = contact(A)

# The items are there for their owners (a 404 below is not a typo's).
for path, owner in [("/api/v1/pilots/" + pilot_b_concept, B),
                    ("/api/v1/datasets/" + dataset_b_concept, B),
                    ("/api/v1/richtlijnen/%s/voorstellen/%d" %
                     (guide_b, prop_b), B)]:
    t.eq(m.get(path, token=api[(owner, "editor")]).status, 200,
         "the fixture %s is there for its owner" % path)

# Each kind of item in a path: B's items, and what A must get.
TARGETS = {
    "pilot": [
        ("B's public pilot (visible, not A's)", {"id": pilot_b_pub}, 403),
        ("B's concept pilot (not visible to A)", {"id": pilot_b_concept},
         404)],
    "dataset": [
        ("B's published dataset (visible, not A's)", {"id": dataset_b_pub},
         403),
        ("B's concept dataset (not visible to A)", {"id": dataset_b_concept},
         404)],
    "guideline": [
        ("B's guideline, which A does not maintain", {"slug": guide_b}, 403)],
    "proposal": [
        ("a proposal of B's guideline under A's guideline's slug",
         {"slug": guide_a, "id": prop_b}, 404),
        ("a proposal of B's guideline, which A does not maintain",
         {"slug": guide_b, "id": prop_b}, 403)],
    "token": [("B's token (not visible to A)", {"id": token_b}, 404)],
    "user": [("B's user (not visible to A)", {"id": user_b}, 404)],
    "invitation": [("B's open invitation (not visible to A)",
                    {"id": invitation_b}, 404)],
    "access_request": [("B's open access request (not visible to A)",
                        {"id": request_b}, 404)],
    "contact": [("B's user's contact entry (not A's person's)",
                 {"id": contact_b}, 404)],
}
OWN = {"pilot": {"id": pilot_a}, "dataset": {"id": dataset_a},
       "guideline": {"slug": guide_a},
       "proposal": {"slug": guide_a, "id": prop_a},
       "token": {"id": token_a}, "user": {"id": user_a},
       "invitation": {"id": invitation_a},
       "access_request": {"id": request_a},
       "contact": {"id": contact_a}}

# Which kind of item a route's path names: the first pattern that matches.
TARGET_KINDS = [
    (r"/richtlijnen/\{slug\}/voorstellen/\{id\}", "proposal"),
    (r"/richtlijnen/\{slug\}", "guideline"),
    (r"/pilots/\{id\}", "pilot"),
    (r"/datasets/\{id\}", "dataset"),
    (r"/tokens/\{id\}", "token"),
    (r"/mijn/gebruikers/\{id\}", "user"),
    (r"/mijn/uitnodigingen/\{id\}", "invitation"),
    (r"/mijn/aanvragen/\{id\}", "access_request"),
    (r"/contactpersonen/\{id\}", "contact"),
]


def pilot_of(pid):
    """A pilot as its owner sees it (B's concept too)."""
    for g in (B, A):
        r = m.get("/api/v1/pilots/" + pid, token=api[(g, "editor")])
        if r.status == 200 and r.json()["gemeente"] == g:
            return r
    raise RuntimeError("no pilot " + pid)


def pilot_etag(pid):
    return pilot_of(pid).header("ETag")


def pilot_form(target):
    return {"titel": "Overgenomen", "samenvatting": "x", "domein": "jeugd",
            "status": "lopend", "zichtbaarheid": "openbaar", "start": "",
            "einde": "", "aanvrager": "", "vraag": "Van wie?",
            "stakeholders": "",
            "tags": "", "contact": "", "aanpak": "", "data": "",
            "resultaten": "", "lessen": "", "privacy": "",
            "versie": str(pilot_of(target["id"]).json()["versie"])}


# What each write route sends: a body that would succeed on the caller's
# own item, so that only the item's owner can make it fail. Routes not
# named here send an empty JSON object or a form with only its CSRF token.
BODIES = {
    "pilots.put": lambda tg: ({"If-Match": pilot_etag(tg["id"])},
                              dict(PILOT, titel="Overgenomen")),
    "pilots.patch": lambda tg: ({"If-Match": pilot_etag(tg["id"])},
                                {"titel": "Overgenomen"}),
    "richtlijnen.put": lambda tg: ({}, {"titel": "Overgenomen",
                                        "beheerders": [A]}),
    "richtlijnen.revise": lambda tg: ({}, {"basis": 1, "tekst": TEXT + "x\n",
                                           "bericht": "Overgenomen"}),
    "richtlijnen.decide": lambda tg: ({}, {"status": "afgewezen",
                                           "reden": "Niet van u"}),
    "web.voorstel.decide": lambda tg: ({}, {"status": "afgewezen",
                                            "reden": "Niet van u"}),
    "web.pilot.update": lambda tg: ({}, pilot_form(tg)),
    "web.users.role": lambda tg: ({}, {"rol": "editor"}),
    "web.access.accept": lambda tg: ({}, {"rol": "viewer"}),
}

SKIP_TABLES = (
    # Filled by the feed's flush, which may run on its own; what it copies
    # is in the item tables compared here.
    "fed_entries", "fed_outbox", "sqlite_sequence",
    # Written by the notifier's thread on its own (notify_thread.c): events
    # are recorded by triggers with the item rows compared here.
    "notify_events", "notify_sent", "notify_tokens", "mail_outbox")


def snapshot():
    """Every row of every table but the skipped and the search index's."""
    out = {}
    for (name,) in m.sql("SELECT name FROM sqlite_master WHERE type = "
                         "'table' AND sql NOT LIKE 'CREATE VIRTUAL%' AND "
                         "name NOT LIKE '%fts%'"):
        if name in SKIP_TABLES:
            continue
        out[name] = sorted(repr(row) for row in m.sql(
            'SELECT * FROM "%s"' % name))
    return out


def changes(before, after):
    """What differs, briefly, for the TAP diagnostics."""
    out = []
    for name in sorted(set(before) | set(after)):
        b, a = set(before.get(name, [])), set(after.get(name, []))
        out += ["%s: - %s" % (name, row[:160]) for row in sorted(b - a)]
        out += ["%s: + %s" % (name, row[:160]) for row in sorted(a - b)]
    return "\n".join(out[:12])


def rows_of(gemeente):
    """The rows that belong to gemeente, in every table that says so."""
    out = {}
    for (name,) in m.sql("SELECT name FROM sqlite_master WHERE type = "
                         "'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"):
        cols = [c[1] for c in m.sql('PRAGMA table_info("%s")' % name)]
        # (A notification event for B's pilot is B's to hear of, derived
        # from the row compared here, as the outbox's messages are.)
        if "gemeente" in cols and name not in SKIP_TABLES:
            out[name] = sorted(repr(row) for row in m.sql(
                'SELECT * FROM "%s" WHERE gemeente = ?' % name, (gemeente,)))
    for name, sql in (
            ("sessions", "SELECT s.* FROM sessions s JOIN users u ON "
             "u.id = s.user_id WHERE u.gemeente = ?"),
            ("pilot_texts", "SELECT t.* FROM pilot_texts t JOIN pilots p "
             "ON p.pk = t.pk WHERE p.gemeente = ?")):
        out[name] = sorted(repr(row) for row in m.sql(sql, (gemeente,)))
    return out


def call(method, pattern, flags, access, params, headers=None, body=None,
         csrf=None, cookie=None):
    """Call a route as A (a token for the API, a session for forms)."""
    path = pattern
    for k, v in params.items():
        path = path.replace("{%s}" % k, urllib.parse.quote(str(v), safe=""))
    h = dict(headers or {})
    role = access if access in ("editor", "admin") else "editor"
    if "web" in flags:
        own_cookie, own_csrf = session(A, role)
        fields = dict(body or {})
        fields["csrf"] = csrf if csrf is not None else own_csrf
        h.update({"Content-Type": FORM, "Origin": ORIGIN,
                  "Cookie": cookie or own_cookie})
        return m.request(method, path, headers=h,
                         body=urllib.parse.urlencode(fields))
    return m.request(method, path, headers=h, body=body,
                     token=api[(A, role)])


def refused(desc, want, request):
    """request() must answer want and change nothing in the database."""
    before = snapshot()
    r = request()
    after = snapshot()
    # A 400 here: the route needs a body (BODIES) valid on its own items.
    t.ok(r.status == want, desc, "got %d, want %d: %s" % (
        r.status, want, r.body[:300]))
    t.ok(before == after, desc + ": nothing changed", changes(before, after))


def multipart(fields, data):
    b = "----meent%s" % uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                "%s\r\n" % (b, k, v)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"bestand\"; "
            "filename=\"t.csv\"\r\nContent-Type: text/csv\r\n\r\n" %
            b).encode() + data + ("\r\n--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b


def acts_for_caller_only(desc, want, request):
    """An open write that names B answers want and changes no row of B."""
    before = rows_of(B)
    r = request()
    after = rows_of(B)
    t.eq(r.status, want, "%s: %d" % (desc, want))
    t.ok(before == after, desc + ": no row of %s changed" % B,
         changes(before, after))
    return r


# Routes whose path names no item of another municipality: each checks
# that naming B in the body, the query or the form acts for A only.
def open_pilot_create(rt):
    acts_for_caller_only("POST /api/v1/pilots naming gemeente " + B, 201,
                         lambda: m.request("POST", "/api/v1/pilots", body=dict(
                             PILOT, gemeente=B), token=api[(A, "editor")]))


def open_web_pilot_create(rt):
    cookie, csrf = session(A, "editor")
    f = pilot_form({"id": pilot_a})
    f.update({"csrf": csrf, "gemeente": B})
    acts_for_caller_only("POST /pilots/nieuw naming gemeente " + B, 303,
                         lambda: m.request("POST", "/pilots/nieuw", headers={
                             "Content-Type": FORM, "Origin": ORIGIN,
                             "Cookie": cookie}, body=urllib.parse.urlencode(f)))


def open_dataset_create(rt):
    q = urllib.parse.urlencode({"vorm": "tabel", "indicator": INDICATOR,
                                "periode": "2023", "gemeente": B})
    acts_for_caller_only("POST /api/v1/datasets naming gemeente " + B, 201,
                         lambda: m.request("POST", "/api/v1/datasets?" + q,
                                           body=TABLE, token=api[(A, "editor")],
                                           headers={"Content-Type":
                                                    "text/csv"}))


def open_web_dataset_create(rt):
    cookie, csrf = session(A, "editor")
    body, ctype = multipart({"csrf": csrf, "vorm": "tabel", "indicator":
                             INDICATOR, "periode": "2022", "gemeente": B},
                            TABLE.encode())
    acts_for_caller_only("POST /datasets naming gemeente " + B, 201,
                         lambda: m.request("POST", "/datasets", body=body,
                                           headers={"Content-Type": ctype,
                                                    "Origin": ORIGIN,
                                                    "Cookie": cookie}))


def open_guideline_create(rt):
    r = acts_for_caller_only(
        "POST /api/v1/richtlijnen naming gemeente and maintainer " + B, 201,
        lambda: m.request("POST", "/api/v1/richtlijnen", token=api[
            (A, "editor")], body={"slug": "toegang-nieuw", "titel": "Nieuw",
                                  "tekst": TEXT, "gemeente": B,
                                  "beheerders": [B]}))
    if r.status == 201:
        t.eq((r.json().get("aangemaaktDoor"), [x["code"] for x in
                                            r.json()["beheerders"]]),
             (A, [A]), "the new guideline is A's, maintained by A")


def open_propose(rt):
    acts_for_caller_only(
        "POST .../voorstellen on B's guideline naming gemeente " + B, 201,
        lambda: m.request("POST", "/api/v1/richtlijnen/%s/voorstellen" %
                          guide_b, token=api[(A, "editor")], body={
                              "basis": 1, "tekst": TEXT + "\nVan A.\n",
                              "bericht": "Voorstel", "gemeente": B}))


def open_web_propose(rt):
    cookie, csrf = session(A, "editor")
    acts_for_caller_only(
        "POST /richtlijnen/../voorstellen/nieuw naming gemeente " + B, 303,
        lambda: m.request("POST", "/richtlijnen/%s/voorstellen/nieuw" %
                          guide_b, headers={"Content-Type": FORM,
                                            "Origin": ORIGIN,
                                            "Cookie": cookie},
                          body=urllib.parse.urlencode({
                              "csrf": csrf, "basis": "1", "tekst": TEXT +
                              "\nVan A, web.\n", "bericht": "Voorstel",
                              "gemeente": B})))


def open_adopt(rt):
    acts_for_caller_only(
        "POST .../adopties on a guideline B follows, naming gemeente " + B, 201,
        lambda: m.request("POST", "/api/v1/richtlijnen/%s/adopties" %
                          guide_a, token=api[(A, "editor")],
                          body={"gemeente": B, "versie": 1}))


def open_unadopt(rt):
    refused("DELETE .../adopties of a guideline that B follows and A does "
            "not: 404", 404, lambda: m.request(
                "DELETE", "/api/v1/richtlijnen/%s/adopties" % guide_b,
                token=api[(A, "editor")]))


def web_form_post(path, fields, cookie):
    return m.request("POST", path, headers={
        "Content-Type": FORM, "Origin": ORIGIN, "Cookie": cookie},
        body=urllib.parse.urlencode(fields))


def open_web_follow(rt):
    cookie, csrf = session(A, "editor")
    _, csrf_b = session(B, "editor")
    path = "/richtlijnen/%s/volgen" % guide_b
    refused("POST %s with A's session and B's CSRF token: 403" % path, 403,
            lambda: web_form_post(path, {"csrf": csrf_b}, cookie))
    acts_for_caller_only("POST %s (B's guideline) naming gemeente %s" % (
        path, B), 303, lambda: web_form_post(path, {"csrf": csrf,
                                                   "gemeente": B}, cookie))


def open_web_unfollow(rt):
    cookie, csrf = session(A, "editor")
    _, csrf_b = session(B, "editor")
    slug = guideline(B, "toegang-ontvolgen")
    created(m.request("POST", "/api/v1/richtlijnen/%s/adopties" % slug,
                      token=api[(B, "editor")]), "B adopts " + slug)
    path = "/richtlijnen/%s/ontvolgen" % slug
    refused("POST %s with A's session and B's CSRF token: 403" % path, 403,
            lambda: web_form_post(path, {"csrf": csrf_b}, cookie))
    refused("POST %s of a guideline that B follows and A does not, naming "
            "gemeente %s: 303 (a notice), nothing changed" % (path, B), 303,
            lambda: web_form_post(path, {"csrf": csrf, "gemeente": B},
                                  cookie))


def open_token_create(rt):
    acts_for_caller_only("POST /api/v1/tokens naming gemeente " + B, 400,
                         lambda: m.request("POST", "/api/v1/tokens", token=api[
                             (A, "admin")], body={"naam": "x", "gemeente": B,
                                                  "rol": "admin"}))


def open_logout(rt):
    cookie, _ = session(A, "editor")
    _, csrf_b = session(B, "editor")
    refused("POST /uitloggen with A's session and B's CSRF token: 403", 403,
            lambda: m.request("POST", "/uitloggen", headers={
                "Content-Type": FORM, "Origin": ORIGIN, "Cookie": cookie},
                body=urllib.parse.urlencode({"csrf": csrf_b})))
    spare, spare_csrf = login(A, "editor", 1)
    acts_for_caller_only("POST /uitloggen ends A's session only", 303,
                         lambda: m.request("POST", "/uitloggen", headers={
                             "Content-Type": FORM, "Origin": ORIGIN,
                             "Cookie": spare}, body=urllib.parse.urlencode(
                                 {"csrf": spare_csrf})))


def open_web_invite(rt):
    cookie, csrf = session(A, "admin")
    acts_for_caller_only("POST /mijn/gebruikers/uitnodigen naming gemeente "
                         + B + ": 400", 400, lambda: web_form_post(
                             "/mijn/gebruikers/uitnodigen", {
                                 "csrf": csrf, "email": "x@example.nl",
                                 "rol": "admin", "gemeente": B}, cookie))


def open_web_account(field, fields):
    def check(rt):
        cookie, csrf = login(A, "editor", 3 if field == "naam" else 4)
        path = "/mijn/account/" + field
        f = dict(fields, csrf=csrf, id=str(user_b), gemeente=B,
                 email="lid-%s-1@example.nl" % B.lower())
        acts_for_caller_only("POST %s naming B's user: only the caller's "
                             "own account changes" % path, 303,
                             lambda: web_form_post(path, f, cookie))
    return check


CONTACT = {"soort": "gemeente", "naam": "Toegang Test", "functie": "Analist",
           "email": "toegang@example.nl", "hulp": "Vragen over toegang."}


def open_web_contact_offer(rt):
    cookie, csrf = session(A, "editor")
    acts_for_caller_only("POST /contactpersonen/aanmelden naming gemeente "
                         + B, 303, lambda: web_form_post(
                             "/contactpersonen/aanmelden", dict(
                                 CONTACT, csrf=csrf, gemeente=B), cookie))
    _, csrf_b = session(B, "editor")
    refused("POST /contactpersonen/aanmelden with A's session and B's CSRF "
            "token: 403", 403, lambda: web_form_post(
                "/contactpersonen/aanmelden", dict(CONTACT, csrf=csrf_b,
                                                   soort="domein",
                                                   domein="jeugd"), cookie))


def open_web_reaction(rt):
    """Anyone signed in may react on a pilot they see, B's too: as A."""
    cookie, csrf = session(A, "editor")
    _, csrf_b = session(B, "editor")
    path = "/pilots/%s/reacties" % pilot_b_pub
    acts_for_caller_only("POST %s (B's public pilot) naming gemeente %s" % (
        path, B), 303, lambda: web_form_post(path, {
            "csrf": csrf, "soort": "vraag", "tekst": "Van A", "gemeente": B},
            cookie))
    refused("POST /pilots/{id}/reacties on B's concept pilot: 404", 404,
            lambda: web_form_post("/pilots/%s/reacties" % pilot_b_concept, {
                "csrf": csrf, "soort": "vraag", "tekst": "Van A"}, cookie))
    refused("POST %s with A's session and B's CSRF token: 403" % path, 403,
            lambda: web_form_post(path, {"csrf": csrf_b, "soort": "vraag",
                                         "tekst": "Van A"}, cookie))


OPEN = {
    "web.contactpersonen.offer": open_web_contact_offer,
    "web.reacties.post": open_web_reaction,
    "pilots.create": open_pilot_create,
    "web.pilot.create": open_web_pilot_create,
    "datasets.create": open_dataset_create,
    "web.datasets.create": open_web_dataset_create,
    "richtlijnen.create": open_guideline_create,
    "richtlijnen.propose": open_propose,
    "web.voorstel.create": open_web_propose,
    "richtlijnen.adopt": open_adopt,
    "richtlijnen.unadopt": open_unadopt,
    "web.richtlijn.follow": open_web_follow,
    "web.richtlijn.unfollow": open_web_unfollow,
    "tokens.create": open_token_create,
    "web.logout": open_logout,
    "web.users.invite": open_web_invite,
    "web.account.name": open_web_account("naam", {"naam": "Overgenomen"}),
    "web.account.password": open_web_account("wachtwoord", {
        "huidig": PASSWORD, "wachtwoord": "een ander wachtwoord",
        "herhaling": "een ander wachtwoord"}),
}
# Write routes with nothing of a municipality's to reach, and why.
EXEMPT = {
    "web.login": "public; the account it opens is guarded by its password "
                 "and rate limits (t_auth.py)",
    "web.home.choose": "public; sets only the visitor's own \"mijn gemeente\" "
                       "cookie, changes nothing on the server (t_home.py)",
    "federation.notify": "public; a peer's signed nudge to pull, no item "
                         "of any municipality (t_federation_peer.py)",
    "web.reset.request": "public; the same answer for every address, mail "
                         "only to the account's own, rate limits "
                         "(t_password_reset.py)",
    "web.reset.set": "public; only a one-time link from that mail sets a "
                     "password (t_password_reset.py)",
    "web.access.request": "public; asks the admins of the municipality it "
                          "names, the same answer for every address, rate "
                          "limits (t_users.py)",
    "web.invitation.accept": "public; only a one-time link from an admin's "
                             "invitation makes an account, in that "
                             "invitation's municipality (t_users.py)",
    "web.notify.save": "the caller's own notification choices (the "
                       "session's user), nothing of a municipality "
                       "(t_notify.py)",
    "web.notify.filter.add": "a filter of the caller's own (the session's "
                             "user) (t_notify.py)",
    "web.notify.filter.remove": "only the caller's own filter: another "
                                "user's is 404 (t_notify.py)",
    "web.unsubscribe": "public; the unguessable token from the mail is the "
                       "authority, for one user and kind (t_notify.py)",
}

writes = [rt for rt in routes if rt[0] != "GET"]
known = set(OPEN) | set(EXEMPT)
names = set(rt[4] for rt in routes)
t.ok(known <= names, "every case here names a route that exists",
     sorted(known - names))
for method, pattern, access, flags, name in writes:
    kind = next((k for rx, k in TARGET_KINDS if re.search(rx, pattern)),
                None)
    if name in EXEMPT:
        t.ok(True, "%s %s: no access case needed: %s" % (
            method, pattern, EXEMPT[name]))
        continue
    if name in OPEN:
        OPEN[name]((method, pattern, access, flags, name))
        continue
    if kind is None:
        t.ok(False, "route %s (%s %s) has no access case" % (
            name, method, pattern))
        continue
    make = BODIES.get(name, lambda tg: ({}, {} if "web" in flags else None))
    for desc, params, want in TARGETS[kind]:
        headers, body = make(params)
        if body is None and "web" not in flags and method != "DELETE":
            body = {}
        refused("%s %s as %s of %s on %s: %d" % (
                    method, pattern, access, A, desc, want), want,
                lambda: call(method, pattern, flags, access, params,
                             headers=headers, body=body))
    if "web" in flags:
        # A's own item, but B's CSRF token: refused before anything.
        headers, body = make(OWN[kind])
        _, csrf_b = session(B, "editor")
        refused("%s %s on A's own %s with B's CSRF token: 403" % (
                    method, pattern, kind), 403,
                lambda: call(method, pattern, flags, access, OWN[kind],
                             headers=headers, body=body, csrf=csrf_b))

finish(t, m)
