# SPDX-License-Identifier: EUPL-1.2
"""Every write route under storage faults, through the fault-injecting
SQLite VFS of a --enable-fault-injection build (docs/testing.md): the test
reads `meentd --routes`, and each route with POST, PUT, PATCH or DELETE has
a case below that makes a valid request doing a real write (a route
without one fails: "route X has no fault case").

Each case runs under each kind of fault (read, write and sync errors, a
lock held elsewhere, a full disk; on the database file and its WAL). The
answer must be the storage's 5xx (503 with Retry-After when busy, 507 when
full, 500 for an I/O error), problem+json on the API and a Dutch page on
the web routes, never a 2xx; after the fault is gone the database must hold
the whole write (item, search index rows, federation outbox and feed
entry, revisions) or none of it, PRAGMA integrity_check must be ok, and the
same request then succeeds. Faults that fail a single read after N good
ones sweep through the longer writes and a federation pull, so that a
step that ignores a failed read shows as a partial write or a lost entry.
MEENT_FAULTS_ONLY=route,route (or "flush") runs only those cases.
"""
import base64
import hashlib
import http.server
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from harness import MEENTD, FaultRules, Instance, Tap, finish

t = Tap()
FORM = "application/x-www-form-urlencoded"
PASSWORD = "een lang wachtwoord"
DUTCH_TITLES = ("Interne fout", "Tijdelijk niet beschikbaar", "Opslag vol")
# Every kind of fault: the rule (docs/testing.md) and the status it gives.
KINDS = [("read", "read", 500), ("write", "write", 500),
         ("sync", "sync", 500), ("lock", "lock", 503),
         ("full", "full", 507)]
# A failed pull notes its reason in peers; that is not a partial write.
UNCOMPARED = {"peers"}

FAULTS = FaultRules(settle=0.03)
CTL_DIR, CTL = FAULTS.dir, FAULTS.path
faults, no_faults = FAULTS.set, FAULTS.clear


# --- the fake federation peer ------------------------------------------------

def b64(b):
    return base64.b64encode(b).decode()


class Origin:
    def __init__(self):
        self.uuid = str(uuid.uuid4())
        self.key = Ed25519PrivateKey.generate()
        self.pub = b64(self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        self.seq = 0

    def sign(self, msg):
        return b64(self.key.sign(msg))

    def pilot_entry(self, pid, titel):
        body = json.dumps({
            "id": pid, "gemeente": "GM0344", "versie": 1,
            "aangemaakt": "2025-06-01T10:00:00Z",
            "gewijzigd": "2025-06-01T10:00:00Z", "titel": titel,
            "samenvatting": "Een pilot van de peer.", "domein": "jeugd",
            "status": "lopend", "vraag": "Komt dit aan?",
            "zichtbaarheid": "openbaar", "stakeholders": [], "tags": [],
            "contact": "", "voorbeeld": False, "start": None, "einde": None,
            "aanvrager": None, "richtlijnen": [], "indicatoren": [],
            "aanpak": "Zo.", "data": "", "resultaten": "", "lessen": "",
            "privacy": ""}, separators=(",", ":"), ensure_ascii=False)
        self.seq += 1
        msg = ("meent-fed-v1\n%s\n%d\npilot\n%s\n1\n0\n%s" % (
            self.uuid, self.seq, pid,
            hashlib.sha256(body.encode()).hexdigest())).encode()
        return {"origin": self.uuid, "originSeq": self.seq, "kind": "pilot",
                "id": pid, "version": 1, "deleted": False, "body": body,
                "sig": self.sign(msg)}

    def notify_body(self):
        now = int(time.time())
        msg = ("meent-notify-v1\n%s\n%d" % (self.uuid, now)).encode()
        return {"instance": self.uuid, "time": now, "sig": self.sign(msg)}


class Peer(http.server.ThreadingHTTPServer):
    """Serves its entries (seq = place in the list) after any cursor."""
    daemon_threads = True

    def __init__(self, ident):
        self.ident = ident
        self.epoch = str(uuid.uuid4())
        self.entries = []
        self.lock = threading.Lock()
        self.changes = 0
        super().__init__(("127.0.0.1", 0), PeerHandler)
        self.url = "http://127.0.0.1:%d" % self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def add(self, e):
        with self.lock:
            self.entries.append(e)


class PeerHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server
        path, _, query = self.path.partition("?")
        if path == "/.well-known/meent":
            out = {"instance": srv.ident.uuid, "name": "peer",
                   "baseUrl": srv.url, "publicKey": srv.ident.pub,
                   "protocol": 1, "epoch": srv.epoch, "relay": False,
                   "origins": []}
        elif path == "/federation/v1/changes":
            after = int(urllib.parse.parse_qs(query).get("after", ["0"])[0])
            with srv.lock:
                srv.changes += 1
                page = []
                for i, e in enumerate(srv.entries):
                    if i + 1 > after:
                        d = {"seq": i + 1}
                        d.update(e)
                        page.append(d)
                head = len(srv.entries)
            out = {"instance": srv.ident.uuid, "epoch": srv.epoch,
                   "head": head, "entries": page, "next": head,
                   "more": False}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- the instance and its fixtures -------------------------------------------

def routes():
    out = subprocess.run([MEENTD, "--routes"], capture_output=True,
                         text=True, timeout=30).stdout
    rows = []
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) == 6:
            rows.append({"method": f[0], "pattern": f[1], "flags": f[3],
                         "name": f[5]})
    return rows


PEER = Origin()
peer = Peer(PEER)
m = Instance(env={"MEENT_FAULTS": CTL}, settings={
    "login_per_minute": "10000", "federation_allow_http_loopback": "true"})
IND = os.path.join(m.dir, "ind.json")
with open(IND, "w") as f:
    json.dump({"id": "bijstand-uitkeringen", "naam": "Bijstandsuitkeringen",
               "omschrijving": "Lopende uitkeringen", "eenheid": "euro",
               "soort": "bedrag", "richting": "neutraal",
               "bron": "eigen registratie"}, f)
m.ctl("indicator", "add", IND, check=True)
m.ctl("peer", "add", peer.url, "--key", PEER.pub, "--interval", "3600",
      check=True)
for email, gm in (("web@rheden.example.nl", "GM0275"),
                  ("web@goes.example.nl", "GM0664")):
    m.ctl("user", "add", email, "--gemeente", gm, "--role", "editor",
          input=PASSWORD + "\n", check=True)
m.start()
ORIGIN = "http://127.0.0.1:%d" % m.port
DB = os.path.join(m.data, "meent.db")
ED = m.token("GM0275", "editor")
ED2 = m.token("GM0664", "editor")
ADMIN = m.token("GM0275", "admin")
N = [0]


def uniq():
    N[0] += 1
    return N[0]


def word(n):
    """A word of its own for the search index: letters only."""
    return "zoekwoord" + "".join("abcdefghij"[int(c)] for c in str(n))


def sql(q, args=()):
    return m.sql(q, args)


def one(q, args=()):
    rows = m.sql(q, args)
    return rows[0][0] if rows else None


def touch():
    """Change the database from outside (its header's application_id, which
    meentd never reads; an UPDATE to the same value would write nothing):
    meentd's page cache is stale, so its next transaction reads the files,
    the WAL too, and meets a read fault there."""
    m.sql("PRAGMA application_id = %d" % uniq())


def snapshot():
    """Every ordinary table (FTS5's shadow tables too), as row hashes."""
    db = sqlite3.connect(DB, timeout=15)
    try:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND "
            "sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
        out = {}
        for name in names:
            if name in UNCOMPARED or name.startswith("sqlite_stat"):
                continue
            rows = db.execute('SELECT * FROM "%s"' % name).fetchall()
            out[name] = hashlib.sha256(repr(sorted(repr(r) for r in rows))
                                       .encode()).hexdigest()
        return out
    finally:
        db.close()


def diff(a, b):
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def integrity():
    return sql("PRAGMA integrity_check")


def settle():
    """The outbox signed into the feed (a changes read wakes the signer),
    and the notifier's events dispatched (its thread, within a second)."""
    deadline = time.time() + 15
    while time.time() < deadline:
        m.get("/federation/v1/changes?after=0&limit=1")
        if one("SELECT count(*) FROM fed_outbox") == 0 and one(
                "SELECT count(*) FROM notify_events WHERE dispatched = 0"
        ) == 0:
            return True
        time.sleep(0.05)
    return False


def log_mark():
    return len(m.log_lines())


def injected(mark):
    return [l for l in m.log_lines()[mark:]
            if l.get("event") == "fault.injected"]


def login(email):
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": ORIGIN},
        body=urllib.parse.urlencode({"email": email, "wachtwoord": PASSWORD}))
    return r, (r.header("Set-Cookie") or "").split(";")[0]


def csrf_of(cookie):
    page = m.get("/pilots/nieuw", headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return found.group(1) if found else None


def post_form(path, fields, cookie):
    return m.request("POST", path, headers={
        "Content-Type": FORM, "Origin": ORIGIN, "Cookie": cookie},
        body=urllib.parse.urlencode(fields))


_, RHEDEN = login("web@rheden.example.nl")
_, GOES = login("web@goes.example.nl")
CSRF = {RHEDEN: csrf_of(RHEDEN), GOES: csrf_of(GOES)}


def pilot_body(titel):
    return {"titel": titel, "samenvatting": "Een pilot onder storingen.",
            "domein": "dienstverlening-en-burgerzaken", "status": "lopend",
            "vraag": "Blijft alles heel?", "zichtbaarheid": "openbaar",
            "tags": ["storing", "test"], "stakeholders": ["college"],
            "aanpak": "## Stappen\n\n1. Meten\n", "lessen": "Heel of niets."}


def pilot_form(titel, csrf, versie=None):
    f = {"csrf": csrf, "titel": titel, "samenvatting": "Een formulierpilot.",
         "domein": "jeugd", "status": "lopend", "zichtbaarheid": "openbaar",
         "aanvrager": "", "start": "", "einde": "", "vraag": "Heel?",
         "stakeholders": "college", "tags": "storing", "contact": "",
         "aanpak": "Zo.", "data": "", "resultaten": "", "lessen": "",
         "privacy": ""}
    if versie is not None:
        f["versie"] = str(versie)
    return f


def new_pilot():
    n = uniq()
    r = m.request("POST", "/api/v1/pilots", token=ED,
                  body=pilot_body("Voorbereide pilot %s" % word(n)))
    assert r.status == 201, r
    return r.json()["id"], r.header("ETag")


def new_guideline(token=ED2):
    slug = "storing-%d" % uniq()
    r = m.request("POST", "/api/v1/richtlijnen", token=token, body={
        "slug": slug, "titel": "Richtlijn %s" % slug,
        "tekst": "# Richtlijn\n\n## Eerst\n\nDe vraag.\n\n## Dan\n\n"
                 "De data.\n"})
    assert r.status == 201, r
    return slug


def new_proposal(slug):
    r = m.request("POST", "/api/v1/richtlijnen/%s/voorstellen" % slug,
                  token=ED, body={"basis": 1, "bericht": "Voorstel %d" %
                                  uniq(), "tekst": "# Richtlijn\n\n## Eerst"
                                  "\n\nDe vraag, altijd.\n\n## Dan\n\nDe "
                                  "data.\n"})
    assert r.status == 201, r
    return r.json()["id"]


def csv_text():
    rnd = random.Random(7)
    lines = ["leeftijd,wijk,uitkering"]
    for _ in range(1500):
        lines.append("%d,%s,%d" % (rnd.randint(18, 90), rnd.choice(
            ["Noord", "Zuid", "Oost", "West", "Centrum"]),
            rnd.randint(500, 1500)))
    return "\n".join(lines) + "\n"


CSV = csv_text()
ROLES = "leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"


def upload_query(periode):
    return urllib.parse.urlencode({
        "vorm": "microdata", "indicator": "bijstand-uitkeringen",
        "periode": periode, "rollen": ROLES})


def upload(periode):
    return m.request("POST", "/api/v1/datasets?" + upload_query(periode),
                     body=CSV, token=ED, headers={"Content-Type": "text/csv"})


def new_dataset(publish=False):
    periode = str(2000 + uniq())
    r = upload(periode)
    assert r.status == 201, r
    did = r.json()["id"]
    if publish:
        r = m.request("POST", "/api/v1/datasets/%s/publicatie" % did,
                      token=ED)
        assert r.status == 200, r
    return did, periode


def multipart(fields, data):
    b = "----meent%s" % uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                "%s\r\n" % (b, k, v)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"bestand\"; "
            "filename=\"g.csv\"\r\nContent-Type: text/csv\r\n\r\n" %
            b).encode() + data + ("\r\n--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b


def search_finds(w, pid):
    r = m.get("/api/v1/_zoek?q=" + w, token=ED)
    return r.status == 200 and any(
        p["id"] == pid for p in r.json()["resultaten"]["pilots"])


def feed_entry(kind, item):
    rows = sql("SELECT version, deleted FROM fed_entries WHERE kind = ? AND"
               " item = ? AND origin = (SELECT uuid FROM instance)",
               (kind, item))
    return rows[0] if rows else None


# --- what a whole write is, per kind of item ---------------------------------

def pilot_whole(pid, w, versie, deleted=False):
    """The pilot, its text, tags, search rows and feed entry, or why not."""
    problems = []
    row = sql("SELECT p.pk, p.versie, p.verwijderd IS NOT NULL, p.titel,"
              " t.aanpak FROM pilots p JOIN pilot_texts t ON t.pk = p.pk"
              " WHERE p.id = ?", (pid,))
    if not row:
        return ["no pilots row"]
    pk, v, gone, titel, aanpak = row[0]
    if v != versie or gone != deleted:
        problems.append("versie %r deleted %r" % (v, gone))
    if not deleted and w not in titel:
        problems.append("title %r" % titel)
    tags = one("SELECT count(*) FROM pilot_tags WHERE pilot = ?", (pk,))
    if (tags == 0) != deleted:
        problems.append("%d tag rows" % tags)
    if search_finds(w, pid) == deleted:
        problems.append("search %s it" % ("finds" if deleted else
                                          "does not find"))
    if not settle():
        problems.append("the outbox is not flushed")
    e = feed_entry("pilot", pid)
    if e is None or e[0] != versie or bool(e[1]) != deleted:
        problems.append("feed entry %r" % (e,))
    return problems


def guideline_whole(slug, head, titel=None, maintainers=None):
    problems = []
    row = sql("SELECT pk, head, titel FROM richtlijnen WHERE slug = ?",
              (slug,))
    if not row:
        return ["no richtlijnen row"]
    pk, h, t_ = row[0]
    n = one("SELECT count(*) FROM richtlijn_versies WHERE richtlijn = ?",
            (pk,))
    if h != head or n != head:
        problems.append("head %r with %r revisions" % (h, n))
    if titel is not None and t_ != titel:
        problems.append("title %r" % t_)
    if maintainers is not None:
        got = sorted(r[0] for r in sql(
            "SELECT gemeente FROM richtlijn_beheerders WHERE richtlijn = ?",
            (pk,)))
        if got != sorted(maintainers):
            problems.append("maintainers %r" % got)
    if not settle():
        problems.append("the outbox is not flushed")
    elif feed_entry("richtlijnversie", "%s/%d" % (slug, head)) is None:
        problems.append("no feed entry for revision %d" % head)
    return problems


def proposal_whole(slug, pid):
    """An accepted proposal: closed, and the revision it became."""
    row = sql("SELECT v.status, v.versie, r.head FROM richtlijn_voorstellen v"
              " JOIN richtlijnen r ON r.pk = v.richtlijn WHERE v.pk = ?",
              (pid,))
    if not row:
        return ["no proposal"]
    status, versie, head = row[0]
    problems = []
    if status != "aanvaard" or versie != 2 or head != 2:
        problems.append("status %r versie %r head %r" % (status, versie,
                                                          head))
    if one("SELECT count(*) FROM richtlijn_versies WHERE voorstel = ?",
           (pid,)) != 1:
        problems.append("no revision credits the proposal")
    return problems + guideline_whole(slug, 2)


def dataset_whole(did, periode, status):
    problems = []
    row = sql("SELECT status, tabel FROM datasets WHERE id = ?", (did,))
    if not row:
        return ["no datasets row"]
    st, tabel = row[0]
    if st != status:
        problems.append("status %r" % st)
    figure = one("SELECT count(*) FROM indicator_waarden WHERE indicator ="
                 " 'bijstand-uitkeringen' AND periode = ? AND gemeente ="
                 " 'GM0275' AND bron = 'upload GM0275'", (periode,))
    if figure != (1 if status == "gepubliceerd" else 0):
        problems.append("%d comparison figures" % figure)
    if status == "ingetrokken" and tabel != "{}":
        problems.append("a withdrawn table keeps its cells")
    if status != "concept":
        if not settle():
            problems.append("the outbox is not flushed")
        else:
            e = feed_entry("dataset", did)
            if e is None or bool(e[1]) != (status == "ingetrokken"):
                problems.append("feed entry %r" % (e,))
    return problems


def new_dataset_row(before):
    """The dataset an upload made: the one row that was not there."""
    rows = sql("SELECT id FROM datasets WHERE gemeente = 'GM0275'")
    new = [r[0] for r in rows if r[0] not in before]
    return new


# --- the cases: one per write route ------------------------------------------
#
# setup() makes what the write needs (no faults), returning a state;
# request(st) makes the write; whole(st) lists what is missing of it.

class Case:
    def __init__(self, setup, request, whole, ok=(200, 201, 204, 303),
                 web=False):
        self.setup, self.request, self.whole = setup, request, whole
        self.ok, self.web = ok, web


def c_pilot_create():
    def setup():
        n = uniq()
        return {"w": word(n), "titel": "Pilot %s" % word(n)}

    def request(st):
        r = m.request("POST", "/api/v1/pilots", token=ED,
                      body=pilot_body(st["titel"]))
        if r.status == 201:
            st["id"] = r.json()["id"]
        return r

    def whole(st):
        ids = [r[0] for r in sql("SELECT id FROM pilots WHERE titel = ?",
                                 (st["titel"],))]
        if len(ids) != 1:
            return ["%d pilots with the title" % len(ids)]
        return pilot_whole(ids[0], st["w"], 1)
    return Case(setup, request, whole)


def c_pilot_change(method):
    def setup():
        pid, etag = new_pilot()
        w = word(uniq())
        return {"id": pid, "etag": etag, "w": w}

    def request(st):
        body = {"titel": "Gewijzigd %s" % st["w"]}
        if method == "PUT":
            body = pilot_body(body["titel"])
        return m.request(method, "/api/v1/pilots/" + st["id"], token=ED,
                         body=body, headers={"If-Match": st["etag"]})

    def whole(st):
        return pilot_whole(st["id"], st["w"], 2)
    return Case(setup, request, whole)


def c_pilot_delete():
    def setup():
        pid, etag = new_pilot()
        w = one("SELECT titel FROM pilots WHERE id = ?", (pid,)).split()[-1]
        return {"id": pid, "w": w}

    def request(st):
        return m.request("DELETE", "/api/v1/pilots/" + st["id"], token=ED)

    def whole(st):
        return pilot_whole(st["id"], st["w"], 2, deleted=True)
    return Case(setup, request, whole)


def c_guideline_create():
    def setup():
        return {"slug": "nieuw-%d" % uniq()}

    def request(st):
        return m.request("POST", "/api/v1/richtlijnen", token=ED, body={
            "slug": st["slug"], "titel": "Nieuw",
            "tekst": "# Nieuw\n\nTekst.\n"})

    def whole(st):
        p = guideline_whole(st["slug"], 1)
        if one("SELECT count(*) FROM richtlijn_beheerders b JOIN richtlijnen"
               " r ON r.pk = b.richtlijn WHERE r.slug = ?",
               (st["slug"],)) != 1:
            p.append("no maintainer")
        return p
    return Case(setup, request, whole)


def c_guideline_put():
    def setup():
        return {"slug": new_guideline(ED), "titel": "Hernoemd %d" % uniq()}

    def request(st):
        return m.request("PUT", "/api/v1/richtlijnen/" + st["slug"],
                         token=ED, body={"titel": st["titel"],
                                         "beheerders": ["GM0275", "GM0664"]})

    def whole(st):
        return guideline_whole(st["slug"], 1, titel=st["titel"],
                               maintainers=["GM0275", "GM0664"])
    return Case(setup, request, whole)


def c_guideline_revise():
    def setup():
        return {"slug": new_guideline(ED)}

    def request(st):
        return m.request("POST", "/api/v1/richtlijnen/%s/versies" %
                         st["slug"], token=ED, body={
                             "basis": 1, "bericht": "Tweede",
                             "tekst": "# Richtlijn\n\nVersie twee.\n"})

    def whole(st):
        return guideline_whole(st["slug"], 2)
    return Case(setup, request, whole)


def c_propose(web):
    def setup():
        return {"slug": new_guideline(ED2), "bericht": "Voorstel %d" % uniq()}

    def request(st):
        tekst = "# Richtlijn\n\nAnders.\n"
        if web:
            return post_form("/richtlijnen/%s/voorstellen/nieuw" % st["slug"],
                             {"csrf": CSRF[RHEDEN], "basis": "1",
                              "bericht": st["bericht"], "tekst": tekst},
                             RHEDEN)
        return m.request("POST", "/api/v1/richtlijnen/%s/voorstellen" %
                         st["slug"], token=ED, body={
                             "basis": 1, "bericht": st["bericht"],
                             "tekst": tekst})

    def whole(st):
        n = one("SELECT count(*) FROM richtlijn_voorstellen WHERE bericht = ?"
                " AND status = 'open'", (st["bericht"],))
        return [] if n == 1 else ["%d proposals" % n]
    return Case(setup, request, whole, web=web)


def c_decide(web):
    def setup():
        slug = new_guideline(ED2)
        return {"slug": slug, "id": new_proposal(slug)}

    def request(st):
        if web:
            return post_form("/richtlijnen/%s/voorstellen/%d/besluit" % (
                st["slug"], st["id"]), {"csrf": CSRF[GOES],
                                        "status": "aanvaard"}, GOES)
        return m.request("PATCH", "/api/v1/richtlijnen/%s/voorstellen/%d" % (
            st["slug"], st["id"]), token=ED2, body={"status": "aanvaard"})

    def whole(st):
        return proposal_whole(st["slug"], st["id"])
    return Case(setup, request, whole, web=web)


def c_adopt(web):
    def setup():
        return {"slug": new_guideline(ED2)}

    def request(st):
        if web:     # the button: the newest version
            return post_form("/richtlijnen/%s/volgen" % st["slug"],
                             {"csrf": CSRF[RHEDEN]}, RHEDEN)
        return m.request("POST", "/api/v1/richtlijnen/%s/adopties" %
                         st["slug"], token=ED, body={"versie": 1})

    def whole(st):
        n = one("SELECT count(*) FROM richtlijn_adopties a JOIN richtlijnen r"
                " ON r.pk = a.richtlijn WHERE r.slug = ? AND a.gemeente ="
                " 'GM0275' AND a.versie IS ?", (st["slug"],
                                                None if web else 1))
        p = [] if n == 1 else ["%d adoptions" % n]
        if not settle():
            p.append("the outbox is not flushed")
        elif feed_entry("adoptie", "%s/GM0275" % st["slug"]) is None:
            p.append("no feed entry")
        return p
    return Case(setup, request, whole, web=web)


def c_unadopt(web):
    def setup():
        slug = new_guideline(ED2)
        r = m.request("POST", "/api/v1/richtlijnen/%s/adopties" % slug,
                      token=ED)
        assert r.status == 201, r
        return {"slug": slug}

    def request(st):
        if web:
            return post_form("/richtlijnen/%s/ontvolgen" % st["slug"],
                             {"csrf": CSRF[RHEDEN]}, RHEDEN)
        return m.request("DELETE", "/api/v1/richtlijnen/%s/adopties" %
                         st["slug"], token=ED)

    def whole(st):
        n = one("SELECT count(*) FROM richtlijn_adopties a JOIN richtlijnen r"
                " ON r.pk = a.richtlijn WHERE r.slug = ?", (st["slug"],))
        p = [] if n == 0 else ["%d adoptions" % n]
        if not settle():
            p.append("the outbox is not flushed")
        else:
            e = feed_entry("adoptie", "%s/GM0275" % st["slug"])
            if e is None or not e[1]:
                p.append("feed entry %r" % (e,))
        return p
    return Case(setup, request, whole, web=web)


def c_token_create():
    def setup():
        return {"naam": "token %d" % uniq()}

    def request(st):
        return m.request("POST", "/api/v1/tokens", token=ADMIN,
                         body={"naam": st["naam"], "rol": "viewer"})

    def whole(st):
        n = one("SELECT count(*) FROM tokens WHERE name = ?", (st["naam"],))
        return [] if n == 1 else ["%d tokens" % n]
    return Case(setup, request, whole)


def c_token_revoke():
    def setup():
        r = m.request("POST", "/api/v1/tokens", token=ADMIN,
                      body={"naam": "weg %d" % uniq(), "rol": "viewer"})
        assert r.status == 201, r
        return {"id": r.json()["id"]}

    def request(st):
        return m.request("DELETE", "/api/v1/tokens/%d" % st["id"],
                         token=ADMIN)

    def whole(st):
        return [] if one("SELECT revoked IS NOT NULL FROM tokens WHERE id = ?",
                         (st["id"],)) == 1 else ["not revoked"]
    return Case(setup, request, whole)


def c_dataset_create(web):
    def setup():
        before = set(r[0] for r in sql("SELECT id FROM datasets"))
        return {"before": before, "periode": str(2000 + uniq())}

    def request(st):
        if web:
            body, ctype = multipart({
                "csrf": CSRF[RHEDEN], "vorm": "microdata",
                "indicator": "bijstand-uitkeringen",
                "periode": st["periode"], "rollen": ROLES}, CSV.encode())
            return m.request("POST", "/datasets", body=body, headers={
                "Cookie": RHEDEN, "Origin": ORIGIN, "Content-Type": ctype})
        return upload(st["periode"])

    def whole(st):
        new = new_dataset_row(st["before"])
        if len(new) != 1:
            return ["%d new datasets" % len(new)]
        return dataset_whole(new[0], st["periode"], "concept")
    return Case(setup, request, whole, web=web)


def c_dataset_publish(web):
    def setup():
        did, periode = new_dataset()
        return {"id": did, "periode": periode}

    def request(st):
        if web:
            return post_form("/datasets/%s/publiceren" % st["id"],
                             {"csrf": CSRF[RHEDEN]}, RHEDEN)
        return m.request("POST", "/api/v1/datasets/%s/publicatie" % st["id"],
                         token=ED)

    def whole(st):
        return dataset_whole(st["id"], st["periode"], "gepubliceerd")
    return Case(setup, request, whole, web=web)


def c_dataset_remove(web):
    def setup():
        did, periode = new_dataset(publish=True)
        return {"id": did, "periode": periode}

    def request(st):
        if web:
            return post_form("/datasets/%s/verwijderen" % st["id"],
                             {"csrf": CSRF[RHEDEN]}, RHEDEN)
        return m.request("DELETE", "/api/v1/datasets/" + st["id"], token=ED)

    def whole(st):
        return dataset_whole(st["id"], st["periode"], "ingetrokken")
    return Case(setup, request, whole, web=web)


def c_login():
    def setup():
        return {"n": one("SELECT count(*) FROM sessions s JOIN users u ON"
                         " u.id = s.user_id WHERE u.email = ?",
                         ("web@rheden.example.nl",))}

    def request(st):
        r, st["cookie"] = login("web@rheden.example.nl")
        return r

    def whole(st):
        n = one("SELECT count(*) FROM sessions s JOIN users u ON u.id ="
                " s.user_id WHERE u.email = ?", ("web@rheden.example.nl",))
        return [] if n == st["n"] + 1 else ["%d sessions, %d before" % (
            n, st["n"])]
    return Case(setup, request, whole, web=True)


def c_logout():
    def setup():
        r, cookie = login("web@goes.example.nl")
        assert r.status == 303, r
        return {"cookie": cookie, "csrf": csrf_of(cookie)}

    def request(st):
        return post_form("/uitloggen", {"csrf": st["csrf"]}, st["cookie"])

    def whole(st):
        r = m.get("/api/v1/ik", headers={"Cookie": st["cookie"]})
        return [] if r.status == 401 else ["the session still works (%d)" %
                                           r.status]
    return Case(setup, request, whole, web=True)


def reset_user():
    email = "herstel%d@rheden.example.nl" % uniq()
    m.ctl("user", "add", email, "--gemeente", "GM0275", "--role", "editor",
          input=PASSWORD + "\n", check=True)
    return email


def reset_ask(email):
    return m.request("POST", "/wachtwoord-vergeten", headers={
        "Content-Type": FORM, "Origin": ORIGIN},
        body=urllib.parse.urlencode({"email": email}))


def c_reset_request():
    def setup():
        return {"email": reset_user()}

    def request(st):
        return reset_ask(st["email"])

    def whole(st):
        links = one("SELECT count(*) FROM password_resets r JOIN users u ON"
                    " u.id = r.user_id WHERE u.email = ?", (st["email"],))
        mails = one("SELECT count(*) FROM mail_outbox WHERE recipient = ?",
                    (st["email"],))
        return [] if links == 1 and mails == 1 else [
            "%d links, %d mails" % (links, mails)]
    return Case(setup, request, whole, ok=(200,), web=True)


def c_reset_set():
    def setup():
        email = reset_user()
        r, _ = login(email)
        assert r.status == 303, r
        assert reset_ask(email).status == 200
        text = one("SELECT text_body FROM mail_outbox WHERE recipient = ?",
                   (email,))
        path = re.search(r"(/wachtwoord-herstellen/[A-Za-z0-9_-]{43})",
                         text).group(1)
        return {"email": email, "path": path, "hash": one(
            "SELECT password_hash FROM users WHERE email = ?", (email,))}

    def request(st):
        pw = "nieuw wachtwoord %s" % st["email"]
        return m.request("POST", st["path"], headers={
            "Content-Type": FORM, "Origin": ORIGIN},
            body=urllib.parse.urlencode({"wachtwoord": pw, "herhaling": pw}))

    def whole(st):
        row = m.sql("SELECT u.password_hash, (SELECT count(*) FROM sessions"
                    " s WHERE s.user_id = u.id), (SELECT min(used) FROM"
                    " password_resets r WHERE r.user_id = u.id) FROM users u"
                    " WHERE u.email = ?", (st["email"],))[0]
        return [] if row[0] != st["hash"] and row[1] == 0 and row[2] == 1 \
            else ["hash changed %s, %d sessions, used %s" % (
                row[0] != st["hash"], row[1], row[2])]
    return Case(setup, request, whole, ok=(200,), web=True)


# --- accounts on the web (t_users.py) -----------------------------------------

def users_admin():
    """An admin of Rheden's session and its CSRF token, once."""
    if "admin" not in USERS:
        m.ctl("user", "add", "beheer@rheden.example.nl", "--gemeente",
              "GM0275", "--role", "admin", input=PASSWORD + "\n",
              check=True)
        _, cookie = login("beheer@rheden.example.nl")
        USERS["admin"] = (cookie, account_csrf(cookie))
    return USERS["admin"]


USERS = {}


def account_csrf(cookie):
    page = m.get("/mijn/account", headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return found.group(1) if found else None


def users_new(role="editor", disabled=False):
    """A new user of Rheden; its address and id."""
    email = "account%d@rheden.example.nl" % uniq()
    m.ctl("user", "add", email, "--gemeente", "GM0275", "--role", role,
          "--naam", "Iemand", input=PASSWORD + "\n", check=True)
    if disabled:
        m.ctl("user", "disable", email, check=True)
    return email, one("SELECT id FROM users WHERE email = ?", (email,))


def users_invite(email):
    cookie, csrf = users_admin()
    return post_form("/mijn/gebruikers/uitnodigen", {
        "csrf": csrf, "email": email, "rol": "editor"}, cookie)


def access_ask(email):
    return m.request("POST", "/toegang-aanvragen", headers={
        "Content-Type": FORM, "Origin": ORIGIN}, body=urllib.parse.urlencode(
            {"naam": "Aanvrager", "email": email, "gemeente": "GM0275",
             "reden": "Lezen.\r\nEn delen."}))


def c_users_invite():
    def setup():
        users_admin()
        return {"email": "uitgenodigd%d@rheden.example.nl" % uniq()}

    def request(st):
        return users_invite(st["email"])

    def whole(st):
        rows = sql("SELECT state FROM invitations WHERE email = ?",
                   (st["email"],))
        mails = one("SELECT count(*) FROM mail_outbox WHERE recipient = ?",
                    (st["email"],))
        return [] if "open" in [r[0] for r in rows] and mails >= 1 else [
            "invitations %r, %d mails" % (rows, mails)]
    return Case(setup, request, whole, web=True)


def c_invitation_cancel():
    def setup():
        email = "ingetrokken%d@rheden.example.nl" % uniq()
        assert users_invite(email).status == 303
        return {"id": one("SELECT id FROM invitations WHERE email = ?",
                          (email,))}

    def request(st):
        cookie, csrf = users_admin()
        return post_form("/mijn/uitnodigingen/%d/intrekken" % st["id"],
                         {"csrf": csrf}, cookie)

    def whole(st):
        s = one("SELECT state FROM invitations WHERE id = ?", (st["id"],))
        return [] if s == "cancelled" else ["state %r" % s]
    return Case(setup, request, whole, web=True)


def c_invitation_accept():
    def setup():
        email = "nieuw%d@rheden.example.nl" % uniq()
        assert users_invite(email).status == 303
        text = one("SELECT text_body FROM mail_outbox WHERE recipient = ?",
                   (email,))
        return {"email": email, "path": re.search(
            r"(/uitnodiging/[A-Za-z0-9_-]{43})", text).group(1)}

    def request(st):
        return m.request("POST", st["path"], headers={
            "Content-Type": FORM, "Origin": ORIGIN},
            body=urllib.parse.urlencode({"naam": "Nieuw", "wachtwoord":
                                         PASSWORD, "herhaling": PASSWORD}))

    def whole(st):
        row = sql("SELECT (SELECT count(*) FROM sessions s WHERE s.user_id"
                  " = u.id), (SELECT state FROM invitations i WHERE i.email"
                  " = u.email) FROM users u WHERE u.email = ?",
                  (st["email"],))
        return [] if row == [(1, "used")] else ["account %r" % row]
    return Case(setup, request, whole, web=True)


def c_users_role():
    def setup():
        users_admin()
        return {"id": users_new("viewer")[1]}

    def request(st):
        cookie, csrf = users_admin()
        return post_form("/mijn/gebruikers/%d/rol" % st["id"], {
            "csrf": csrf, "rol": "editor"}, cookie)

    def whole(st):
        r = one("SELECT role FROM users WHERE id = ?", (st["id"],))
        return [] if r == "editor" else ["role %r" % r]
    return Case(setup, request, whole, web=True)


def c_users_disabled(disable):
    def setup():
        users_admin()
        email, uid = users_new(disabled=not disable)
        if disable:
            assert login(email)[0].status == 303
        return {"id": uid}

    def request(st):
        cookie, csrf = users_admin()
        return post_form("/mijn/gebruikers/%d/%s" % (st["id"], "blokkeren"
                         if disable else "deblokkeren"), {"csrf": csrf},
                         cookie)

    def whole(st):
        row = sql("SELECT disabled, (SELECT count(*) FROM sessions s WHERE"
                  " s.user_id = u.id) FROM users u WHERE u.id = ?",
                  (st["id"],))
        return [] if row == [(1 if disable else 0, 0)] else [
            "disabled, sessions %r" % row]
    return Case(setup, request, whole, web=True)


def c_access_request():
    def setup():
        users_admin()
        sql("DELETE FROM access_requests")     # under the cap of 20 open
        return {"email": "vraag%d@rheden.example.nl" % uniq()}

    def request(st):
        return access_ask(st["email"])

    def whole(st):
        n = one("SELECT count(*) FROM access_requests WHERE email = ?",
                (st["email"],))
        mails = one("SELECT count(*) FROM mail_outbox WHERE recipient = ?"
                    " AND instr(text_body, ?) > 0",
                    ("beheer@rheden.example.nl", st["email"]))
        return [] if n == 1 and mails == 1 else [
            "%d requests, %d mails to the admin" % (n, mails)]
    return Case(setup, request, whole, ok=(200,), web=True)


def c_access_decide(accept):
    def setup():
        users_admin()
        sql("DELETE FROM access_requests")
        email = "besluit%d@rheden.example.nl" % uniq()
        assert access_ask(email).status == 200
        return {"email": email, "id": one(
            "SELECT id FROM access_requests WHERE email = ?", (email,))}

    def request(st):
        cookie, csrf = users_admin()
        return post_form("/mijn/aanvragen/%d/%s" % (st["id"], "aannemen" if
                         accept else "afwijzen"), {"csrf": csrf,
                                                   "rol": "viewer"}, cookie)

    def whole(st):
        n = one("SELECT count(*) FROM access_requests WHERE id = ?",
                (st["id"],))
        inv = one("SELECT count(*) FROM invitations WHERE email = ?",
                  (st["email"],))
        mails = one("SELECT count(*) FROM mail_outbox WHERE recipient = ?",
                    (st["email"],))
        return [] if (n, inv, mails) == (0, 1 if accept else 0, 1) else [
            "requests %d, invitations %d, mails %d" % (n, inv, mails)]
    return Case(setup, request, whole, web=True)


def c_account_name():
    def setup():
        email, uid = users_new()
        _, cookie = login(email)
        return {"id": uid, "cookie": cookie, "csrf": account_csrf(cookie),
                "naam": "Naam %d" % uniq()}

    def request(st):
        return post_form("/mijn/account/naam", {"csrf": st["csrf"],
                                                "naam": st["naam"]},
                         st["cookie"])

    def whole(st):
        n = one("SELECT naam FROM users WHERE id = ?", (st["id"],))
        return [] if n == st["naam"] else ["naam %r" % n]
    return Case(setup, request, whole, web=True)


def c_account_password():
    def setup():
        email, uid = users_new()
        _, cookie = login(email)
        login(email)                          # another session, to end
        return {"id": uid, "cookie": cookie, "csrf": account_csrf(cookie),
                "hash": one("SELECT password_hash FROM users WHERE id = ?",
                            (uid,))}

    def request(st):
        pw = "nieuw wachtwoord %d" % st["id"]
        return post_form("/mijn/account/wachtwoord", {
            "csrf": st["csrf"], "huidig": PASSWORD, "wachtwoord": pw,
            "herhaling": pw}, st["cookie"])

    def whole(st):
        row = sql("SELECT password_hash != ?, (SELECT count(*) FROM sessions"
                  " s WHERE s.user_id = u.id) FROM users u WHERE u.id = ?",
                  (st["hash"], st["id"]))
        return [] if row == [(1, 1)] else ["changed, sessions %r" % row]
    return Case(setup, request, whole, web=True)


def c_web_pilot_create():
    def setup():
        n = uniq()
        return {"w": word(n), "titel": "Formulier %s" % word(n)}

    def request(st):
        return post_form("/pilots/nieuw", pilot_form(st["titel"],
                                                     CSRF[RHEDEN]), RHEDEN)

    def whole(st):
        ids = [r[0] for r in sql("SELECT id FROM pilots WHERE titel = ?",
                                 (st["titel"],))]
        if len(ids) != 1:
            return ["%d pilots with the title" % len(ids)]
        return pilot_whole(ids[0], st["w"], 1)
    return Case(setup, request, whole, web=True)


def c_web_pilot_update():
    def setup():
        pid, _ = new_pilot()
        return {"id": pid, "w": word(uniq())}

    def request(st):
        return post_form("/pilots/%s/bewerken" % st["id"], pilot_form(
            "Bewerkt %s" % st["w"], CSRF[RHEDEN], versie=1), RHEDEN)

    def whole(st):
        return pilot_whole(st["id"], st["w"], 2)
    return Case(setup, request, whole, web=True)


def c_web_pilot_delete():
    def setup():
        pid, _ = new_pilot()
        w = one("SELECT titel FROM pilots WHERE id = ?", (pid,)).split()[-1]
        return {"id": pid, "w": w}

    def request(st):
        return post_form("/pilots/%s/verwijderen" % st["id"],
                         {"csrf": CSRF[RHEDEN]}, RHEDEN)

    def whole(st):
        return pilot_whole(st["id"], st["w"], 2, deleted=True)
    return Case(setup, request, whole, web=True)


def attachment_whole(st, present):
    """The attachment's row, its file and the pilot's version, together."""
    h, pid = st["hash"], st["id"]
    rows = one("SELECT count(*) FROM pilot_bijlagen WHERE pilot = ? AND"
               " hash = ?", (pid, h))
    path = os.path.join(m.data, "bijlagen", h[:2], h)
    versie = one("SELECT versie FROM pilots WHERE id = ?", (pid,))
    want = st["versie"] + 1
    problems = []
    if rows != (1 if present else 0):
        problems.append("%d rows" % rows)
    if present and not os.path.exists(path):
        problems.append("the row without its file")
    if versie != want:
        problems.append("pilot version %r, want %d" % (versie, want))
    return problems


def attachment_body():
    return ("wijk;aantal\nNoord;%d\nZuid;3\n" % uniq()).encode()


def c_attach(web):
    def setup():
        pid, _ = new_pilot()
        body = attachment_body()
        return {"id": pid, "body": body, "versie": 1,
                "hash": hashlib.sha256(body).hexdigest()}

    def request(st):
        if web:
            body, ctype = multipart({"csrf": CSRF[RHEDEN]}, st["body"])
            return m.request("POST", "/pilots/%s/bijlagen" % st["id"],
                             body=body, headers={
                                 "Cookie": RHEDEN, "Origin": ORIGIN,
                                 "Content-Type": ctype})
        return m.request("POST", "/api/v1/pilots/%s/bijlagen?naam=g.csv" %
                         st["id"], token=ED, body=st["body"],
                         headers={"Content-Type": "text/csv"})

    def whole(st):
        return attachment_whole(st, True)
    return Case(setup, request, whole, web=web)


def c_detach(web):
    def setup():
        pid, _ = new_pilot()
        body = attachment_body()
        r = m.request("POST", "/api/v1/pilots/%s/bijlagen?naam=g.csv" % pid,
                      token=ED, body=body,
                      headers={"Content-Type": "text/csv"})
        assert r.status == 201, r
        return {"id": pid, "versie": 2,
                "hash": hashlib.sha256(body).hexdigest()}

    def request(st):
        if web:
            return post_form("/pilots/%s/bijlagen/%s/verwijderen" % (
                st["id"], st["hash"]), {"csrf": CSRF[RHEDEN]}, RHEDEN)
        return m.request("DELETE", "/api/v1/pilots/%s/bijlagen/%s" % (
            st["id"], st["hash"]), token=ED)

    def whole(st):
        return attachment_whole(st, False)
    return Case(setup, request, whole, web=web)


def pull_settled(mark, pid, timeout=20):
    """Wait for the pull a notify started: applied, or failed."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if one("SELECT count(*) FROM pilots WHERE id = ?", (pid,)):
            return "applied"
        if any(l.get("event") == "fed.pull.failed"
               for l in m.log_lines()[mark:]):
            return "failed"
        time.sleep(0.05)
    return "timeout"


def c_home_choose():
    """Choosing "mijn gemeente" writes nothing (a cookie): only its read of
    the municipality can fail, and then it must not set the cookie."""
    def request(st):
        return post_form("/mijn-gemeente", {"gemeente": "GM0299"}, "")
    return Case(dict, request, lambda st: [], web=True)


def c_notify():
    """The notify itself only reads (it schedules a pull, 202); the write
    is the pull it starts, which runs under the same fault."""
    def setup():
        pid = str(uuid.uuid4())
        peer.add(PEER.pilot_entry(pid, "Van de peer %s" % word(uniq())))
        return {"id": pid, "mark": log_mark()}

    def request(st):
        st["mark"] = log_mark()
        r = m.request("POST", "/federation/v1/notify",
                      body=PEER.notify_body())
        if r.status == 202:
            st["pull"] = pull_settled(st["mark"], st["id"])
        return r

    def whole(st):
        row = sql("SELECT p.origin, p.versie FROM pilots p WHERE p.id = ?",
                  (st["id"],))
        p = [] if row == [(PEER.uuid, 1)] else ["pilot %r" % row]
        if one("SELECT count(*) FROM fed_entries WHERE item = ? AND origin ="
               " ?", (st["id"], PEER.uuid)) != 1:
            p.append("no feed entry")
        if one("SELECT count(*) FROM fed_quarantine WHERE item = ?",
               (st["id"],)):
            p.append("quarantined")
        if one("SELECT cursor FROM peers") != len(peer.entries):
            p.append("cursor %r" % one("SELECT cursor FROM peers"))
        return p
    return Case(setup, request, whole, ok=(202,))


def offer(pid):
    """Rheden's web user offers to be the contact of pilot pid."""
    return post_form("/contactpersonen/aanmelden", {
        "csrf": CSRF[RHEDEN], "soort": "pilot", "pilot": pid,
        "naam": "Storing Test", "functie": "Analist",
        "email": "web@rheden.example.nl", "hulp": "Vragen over storingen."},
        RHEDEN)


def contact_ids(pid):
    return [r[0] for r in sql("SELECT c.id FROM contactpersonen c JOIN"
                              " pilots p ON p.pk = c.pilot WHERE p.id = ?",
                              (pid,))]


def c_contact_offer():
    def setup():
        return {"id": new_pilot()[0]}

    def request(st):
        return offer(st["id"])

    def whole(st):
        return [] if len(contact_ids(st["id"])) == 1 else [
            "contact rows %r" % contact_ids(st["id"])]
    return Case(setup, request, whole, web=True)


def c_contact_withdraw():
    def setup():
        pid = new_pilot()[0]
        assert offer(pid).status == 303
        return {"id": pid, "contact": contact_ids(pid)[0]}

    def request(st):
        return post_form("/contactpersonen/%d/intrekken" % st["contact"],
                         {"csrf": CSRF[RHEDEN]}, RHEDEN)

    def whole(st):
        return [] if contact_ids(st["id"]) == [] else ["still there"]
    return Case(setup, request, whole, web=True)


def reaction_rows(pid):
    return sql("SELECT r.id, r.verborgen IS NOT NULL FROM pilot_reacties r"
               " JOIN pilots p ON p.pk = r.pilot WHERE p.id = ?", (pid,))


def c_reaction_post():
    """A question by Goes: its row and the e-mail to the contact person,
    in one transaction."""
    def setup():
        pid = new_pilot()[0]
        assert offer(pid).status == 303
        return {"id": pid, "w": word(uniq()),
                "mails": one("SELECT count(*) FROM mail_outbox")}

    def request(st):
        return post_form("/pilots/%s/reacties" % st["id"], {
            "csrf": CSRF[GOES], "soort": "vraag",
            "tekst": "Vraag %s\r\nover storingen" % st["w"]}, GOES)

    def whole(st):
        p = []
        if len(reaction_rows(st["id"])) != 1:
            p.append("reaction rows %r" % reaction_rows(st["id"]))
        if one("SELECT count(*) FROM mail_outbox WHERE text_body LIKE ?",
               ("%%Vraag %s%%" % st["w"],)) != 1:
            p.append("no e-mail to the contact person")
        if not settle():
            p.append("the outbox is not flushed")
        for (u,) in sql("SELECT r.uuid FROM pilot_reacties r JOIN pilots p"
                        " ON p.pk = r.pilot WHERE p.id = ?", (st["id"],)):
            e = feed_entry("reactie", u)
            if e is None or e[1]:
                p.append("feed entry %r" % (e,))
        return p
    return Case(setup, request, whole, web=True)


def c_reaction_hide():
    def setup():
        pid = new_pilot()[0]
        r = post_form("/pilots/%s/reacties" % pid, {
            "csrf": CSRF[GOES], "soort": "reactie", "tekst": "Verberg mij"},
            GOES)
        assert r.status == 303, r
        return {"id": pid, "r": reaction_rows(pid)[0][0]}

    def request(st):
        return post_form("/pilots/%s/reacties/%d/verbergen" % (
            st["id"], st["r"]), {"csrf": CSRF[RHEDEN],
                                 "reden": "Storingstest"}, RHEDEN)

    def whole(st):
        if reaction_rows(st["id"]) != [(st["r"], 1)]:
            return ["rows %r" % reaction_rows(st["id"])]
        if not settle():
            return ["the outbox is not flushed"]
        e = feed_entry("reactie", one("SELECT uuid FROM pilot_reacties"
                                      " WHERE id = ?", (st["r"],)))
        return [] if e is not None and e[1] else ["feed entry %r" % (e,)]
    return Case(setup, request, whole, web=True)


def c_followup():
    def setup():
        return {"id": new_pilot()[0], "bron": new_pilot()[0]}

    def request(st):
        return post_form("/pilots/%s/navolging" % st["id"], {
            "csrf": CSRF[RHEDEN], "bron": "/pilots/" + st["bron"]}, RHEDEN)

    def whole(st):
        n = one("SELECT count(*) FROM pilot_navolgingen n JOIN pilots p"
                " ON p.pk = n.pilot JOIN pilots b ON b.pk = n.bron"
                " WHERE p.id = ? AND b.id = ?", (st["id"], st["bron"]))
        return [] if n == 1 else ["%d links" % n]
    return Case(setup, request, whole, web=True)


def notify_user():
    email = "melding%d@rheden.example.nl" % uniq()
    m.ctl("user", "add", email, "--gemeente", "GM0275", "--role", "viewer",
          input=PASSWORD + "\n", check=True)
    r, cookie = login(email)
    assert r.status == 303, r
    uid = one("SELECT id FROM users WHERE email = ?", (email,))
    return {"cookie": cookie, "csrf": csrf_of_notify(cookie), "uid": uid}


def csrf_of_notify(cookie):
    page = m.get("/mijn/meldingen", headers={"Cookie": cookie}).body.decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    return found.group(1) if found else None


def c_notify_save():
    def request(st):
        return post_form("/mijn/meldingen", {
            "csrf": st["csrf"], "pilots": "direct", "revisies": "wekelijks",
            "reacties": "direct"}, st["cookie"])

    def whole(st):
        rows = sql("SELECT kind, mode FROM notify_prefs WHERE user_id = ?"
                   " ORDER BY kind", (st["uid"],))
        want = [("pilots", "direct"), ("reacties", "direct"),
                ("revisies", "wekelijks")]
        return [] if rows == want else ["prefs %r" % rows]
    return Case(notify_user, request, whole, web=True)


def c_notify_filter_add():
    def request(st):
        return post_form("/mijn/meldingen/filters", {
            "csrf": st["csrf"], "domein": "werk-en-inkomen",
            "provincie": "Gelderland", "grootteklasse": "4"}, st["cookie"])

    def whole(st):
        p = []
        rows = sql("SELECT domein, provincie, grootteklasse FROM"
                   " notify_filters WHERE user_id = ?", (st["uid"],))
        if rows != [("werk-en-inkomen", "Gelderland", 4)]:
            p.append("filters %r" % rows)
        if sql("SELECT mode FROM notify_prefs WHERE user_id = ? AND kind ="
               " 'pilots'", (st["uid"],)) != [("wekelijks",)]:
            p.append("pilots not weekly")
        return p
    return Case(notify_user, request, whole, web=True)


def c_notify_filter_remove():
    def setup():
        st = notify_user()
        r = post_form("/mijn/meldingen/filters", {
            "csrf": st["csrf"], "domein": "jeugd"}, st["cookie"])
        assert r.status == 200, r
        st["id"] = one("SELECT id FROM notify_filters WHERE user_id = ?",
                       (st["uid"],))
        return st

    def request(st):
        return post_form("/mijn/meldingen/filters/%d/verwijderen" % st["id"],
                         {"csrf": st["csrf"]}, st["cookie"])

    def whole(st):
        n = one("SELECT count(*) FROM notify_filters WHERE user_id = ?",
                (st["uid"],))
        return [] if n == 0 else ["%d filters left" % n]
    return Case(setup, request, whole, web=True)


def c_unsubscribe():
    def setup():
        st = notify_user()
        st["token"] = "t%042d" % uniq()
        m.sql("INSERT INTO notify_tokens (digest, user_id, kind, expires)"
              " VALUES (?, ?, 'reacties', 4102444800)",
              (hashlib.sha256(st["token"].encode()).digest(), st["uid"]))
        return st

    def request(st):
        return m.request("POST", "/afmelden/" + st["token"],
                         body="List-Unsubscribe=One-Click",
                         headers={"Content-Type": FORM})

    def whole(st):
        rows = sql("SELECT kind, mode FROM notify_prefs WHERE user_id = ?",
                   (st["uid"],))
        return [] if rows == [("reacties", "niet")] else ["prefs %r" % rows]
    # Not a web form (a mail provider posts it): problem+json unless the
    # client asks for HTML.
    return Case(setup, request, whole)


CASES = {
    "web.contactpersonen.offer": c_contact_offer(),
    "web.contactpersonen.withdraw": c_contact_withdraw(),
    "web.reacties.post": c_reaction_post(),
    "web.reacties.hide": c_reaction_hide(),
    "web.navolging": c_followup(),
    "web.notify.save": c_notify_save(),
    "web.notify.filter.add": c_notify_filter_add(),
    "web.notify.filter.remove": c_notify_filter_remove(),
    "web.unsubscribe": c_unsubscribe(),
    "pilots.create": c_pilot_create(),
    "pilots.put": c_pilot_change("PUT"),
    "pilots.patch": c_pilot_change("PATCH"),
    "pilots.delete": c_pilot_delete(),
    "richtlijnen.create": c_guideline_create(),
    "richtlijnen.put": c_guideline_put(),
    "richtlijnen.revise": c_guideline_revise(),
    "richtlijnen.propose": c_propose(False),
    "richtlijnen.decide": c_decide(False),
    "richtlijnen.adopt": c_adopt(False),
    "richtlijnen.unadopt": c_unadopt(False),
    "tokens.create": c_token_create(),
    "tokens.revoke": c_token_revoke(),
    "datasets.create": c_dataset_create(False),
    "datasets.publish": c_dataset_publish(False),
    "datasets.delete": c_dataset_remove(False),
    "web.login": c_login(),
    "web.reset.request": c_reset_request(),
    "web.reset.set": c_reset_set(),
    "web.logout": c_logout(),
    "web.users.invite": c_users_invite(),
    "web.invitation.cancel": c_invitation_cancel(),
    "web.invitation.accept": c_invitation_accept(),
    "web.users.role": c_users_role(),
    "web.users.disable": c_users_disabled(True),
    "web.users.enable": c_users_disabled(False),
    "web.access.request": c_access_request(),
    "web.access.accept": c_access_decide(True),
    "web.access.refuse": c_access_decide(False),
    "web.account.name": c_account_name(),
    "web.account.password": c_account_password(),
    "web.pilot.create": c_web_pilot_create(),
    "web.pilot.update": c_web_pilot_update(),
    "web.pilot.delete": c_web_pilot_delete(),
    "web.datasets.create": c_dataset_create(True),
    "web.datasets.publish": c_dataset_publish(True),
    "web.datasets.remove": c_dataset_remove(True),
    "web.voorstel.create": c_propose(True),
    "web.voorstel.decide": c_decide(True),
    "web.richtlijn.follow": c_adopt(True),
    "web.richtlijn.unfollow": c_unadopt(True),
    "web.home.choose": c_home_choose(),
    "bijlagen.create": c_attach(False),
    "bijlagen.delete": c_detach(False),
    "web.bijlagen.upload": c_attach(True),
    "web.bijlagen.remove": c_detach(True),
    "federation.notify": c_notify(),
}


def refused_well(case, r, status):
    """The storage's status, with a Dutch reason in the route's format."""
    ctype = r.header("Content-Type") or ""
    text = r.body.decode("utf-8", "replace")
    if r.status != status:
        return "status %d, want %d: %s" % (r.status, status, text[:200])
    if case.web:
        if not ctype.startswith("text/html") or not any(
                d in text for d in DUTCH_TITLES):
            return "not a Dutch page: %s %s" % (ctype, text[:200])
    else:
        if ctype != "application/problem+json":
            return "not problem+json: %s" % ctype
        p = json.loads(text)
        if p.get("status") != status or p.get("title") not in DUTCH_TITLES:
            return "problem %r" % p
    if status == 503 and r.header("Retry-After") is None:
        return "503 without Retry-After"
    return None


def run(name, case, rule, want, label):
    """One write under one fault. Returns whether everything held."""
    try:
        st = case.setup()
        settle()
    except AssertionError as e:
        return t.ok(False, "%s: setup failed" % label, e)
    touch()
    before = snapshot()
    mark = log_mark()
    faults(rule)
    try:
        r = case.request(st)
    finally:
        no_faults()
    fired = injected(mark)
    problems = []
    if not fired:
        problems.append("the fault was never reached")
    if name == "federation.notify" and r.status == 202:
        # A notify does not write: the pull it started met the fault.
        if st.get("pull") != "failed":
            problems.append("the pull under the fault: %s" % st.get("pull"))
    else:
        why = refused_well(case, r, want)
        if why:
            problems.append(why)
    if r.status in case.ok and name != "federation.notify":
        problems.append("a %d under the fault" % r.status)
    ic = integrity()
    if ic != [("ok",)]:
        problems.append("integrity_check: %r" % ic)
    # FTS5's own integrity-check too, which only meentd's tokenizer runs.
    p = m.ctl("check")
    if p.returncode != 0:
        problems.append("meentctl check: " + p.stdout)
    settle()
    after = snapshot()
    changed = diff(before, after)
    if changed:
        missing = case.whole(st)
        if missing:
            problems.append("half-written (%s changed): %s" % (
                ", ".join(changed), "; ".join(missing)))
    else:
        r2 = case.request(st)
        if r2.status not in case.ok:
            problems.append("the same request afterwards: %d %s" % (
                r2.status, r2.body[:200]))
        else:
            missing = case.whole(st)
            if missing:
                problems.append("afterwards incomplete: " +
                                "; ".join(missing))
    return t.ok(not problems, label, "\n".join(problems))


# --- the test ----------------------------------------------------------------

t0 = time.time()
if not any(l.get("event") == "fault.vfs" for l in m.log_lines()):
    t.ok(False, "meentd runs with the fault VFS (MEENT_FAULTS): it was "
         "built without --enable-fault-injection (scripts/test builds "
         "build/check with it)")
    finish(t, m)
    shutil.rmtree(CTL_DIR, ignore_errors=True)
    raise SystemExit(0)
t.ok(True, "meentd runs with the fault VFS")

# The first pull (due at once) meets the peer: notifies count from then on.
deadline = time.time() + 15
while time.time() < deadline and not one("SELECT last_success FROM peers"):
    time.sleep(0.1)
t.ok(one("SELECT last_success FROM peers") is not None,
     "the subscriber has pulled from the fake peer once")

writes = [rt for rt in routes() if rt["method"] in
          ("POST", "PUT", "PATCH", "DELETE")]
t.ok(len(writes) >= 20, "meentd --routes lists the write routes (%d)" %
     len(writes))
for rt in writes:
    if rt["name"] not in CASES:
        t.ok(False, "route %s has no fault case (%s %s)" % (
            rt["name"], rt["method"], rt["pattern"]))
for name in sorted(set(CASES) - set(rt["name"] for rt in writes)):
    t.ok(False, "fault case %s names no write route" % name)

ONLY = os.environ.get("MEENT_FAULTS_ONLY")
for rt in writes:
    case = CASES.get(rt["name"])
    if case is None or (ONLY and rt["name"] not in ONLY.split(",")):
        continue
    for kind, rule, want in KINDS:
        if rt["name"] == "federation.notify" and kind != "read":
            want = 202
        if rt["name"] == "web.home.choose" and kind != "read":
            continue  # it writes nothing: only a read can fail
        run(rt["name"], case, rule, want, "%s %s under '%s': %d, then whole "
            "or nothing" % (rt["method"], rt["name"], rule, want))

# The database file and the WAL apart: a commit writes and syncs the WAL;
# reads go to both.
for rule, want in (("write wal", 500), ("sync wal", 500), ("read db", 500),
                   ("read wal", 500), ("lock wal", 503)):
    run("pilots.create", CASES["pilots.create"], rule, want,
        "POST pilots.create under '%s': %d, then whole or nothing" % (
            rule, want))

# A count: the lock is free again after 3 tries; the busy handler waits.
case = CASES["pilots.create"]
st = case.setup()
mark = log_mark()
faults("lock 3")
r = case.request(st)
no_faults()
t.ok(r.status == 201 and injected(mark) and not case.whole(st),
     "'lock 3': the busy handler outwaits three refusals: 201", r)


# Sweeps take every STRIDE-th N, from a random start (the seed is printed);
# MEENT_FAULTS_FULL=1 takes every N.
FULL = os.environ.get("MEENT_FAULTS_FULL") == "1"
SEED = int(os.environ.get("MEENT_FAULTS_SEED", random.randrange(1 << 30)))
RND = random.Random(SEED)


def sweep(name, rule_fmt, stride=2, limit=160):
    """One failed call after N good ones, N = 0, 1, 2 ... until the write
    gets through without meeting the fault. Every time: a 5xx or a 2xx,
    and the whole write or none of it."""
    case = CASES[name]
    bad = []
    n = 0
    stride = 1 if FULL else stride
    for n in range(RND.randrange(stride), limit, stride):
        st = case.setup()
        settle()
        touch()
        before = snapshot()
        mark = log_mark()
        faults(rule_fmt % n)
        try:
            r = case.request(st)
        finally:
            no_faults()
        fired = bool(injected(mark))
        if name == "federation.notify" and r.status == 202:
            ok_status = st.get("pull") in ("applied", "failed")
        else:
            ok_status = r.status in case.ok or r.status >= 500
        if not ok_status:
            bad.append("N=%d: %d %s" % (n, r.status, r.body[:160]))
        settle()
        if diff(before, snapshot()):
            missing = case.whole(st)
            if missing:
                bad.append("N=%d: half-written: %s" % (n, "; ".join(
                    missing)))
        elif r.status in case.ok and name != "federation.notify":
            bad.append("N=%d: %d but nothing written" % (n, r.status))
        if integrity() != [("ok",)]:
            bad.append("N=%d: integrity_check fails" % n)
        p = m.ctl("check")
        if p.returncode != 0:
            bad.append("N=%d: meentctl check: %s" % (n, p.stdout))
            break
        if not fired:
            break
    t.ok(not bad and n < limit - stride, "%s, '%s' for N up to %d (every "
         "%d): a 5xx or the whole write, never part of it" % (
             name, rule_fmt, n, stride), "\n".join(bad[:10]))


print("# sweeps: seed %d (MEENT_FAULTS_SEED), %s" % (
    SEED, "every N" if FULL else "every other N"))
for name in ("pilots.create", "pilots.put", "pilots.delete",
             "richtlijnen.put", "richtlijnen.decide", "richtlijnen.create",
             "datasets.publish", "datasets.delete", "web.voorstel.decide",
             "web.pilot.update", "federation.notify"):
    if ONLY and name not in ONLY.split(","):
        continue
    sweep(name, "read 1 after %d")
for name, rule, stride in (("pilots.create", "write 1 after %d", 4),
                           ("richtlijnen.decide", "sync 1 after %d", 1),
                           ("richtlijnen.put", "sync 1 after %d", 1),
                           ("web.logout", "sync 1 after %d", 1)):
    if not ONLY or name in ONLY.split(","):
        sweep(name, rule, stride=stride)

def flush_sweep():
    """The signer's flush (a changes read wakes it) under a failed read: an
    item that could not be read is no item gone, so never a tombstone. The
    rule stays until the signer has taken the outbox or met the fault."""
    pid, _ = new_pilot()
    settle()
    bad = []
    n = 0
    for n in range(RND.randrange(1 if FULL else 2), 120, 1 if FULL else 2):
        sql("INSERT INTO fed_outbox (kind, item) VALUES ('pilot', ?)", (pid,))
        touch()
        mark = log_mark()
        faults("read 1 after %d" % n)
        try:
            r = m.get("/federation/v1/changes?after=0&limit=1")
            deadline = time.time() + 10
            while time.time() < deadline and not injected(mark) and one(
                    "SELECT count(*) FROM fed_outbox") > 0:
                time.sleep(0.02)
        finally:
            no_faults()
        fired = bool(injected(mark))
        if r.status != 200 and r.status < 500:
            bad.append("N=%d: %d" % (n, r.status))
        settle()
        e = feed_entry("pilot", pid)
        if e is None or e[1]:
            bad.append("N=%d: feed entry %r" % (n, e))
            break
        if not fired:
            break
    t.ok(not bad, "the feed's flush, 'read 1 after N' for N up to %d: no "
         "tombstone for a pilot that is there" % n, "\n".join(bad))


if not ONLY or "flush" in ONLY.split(","):
    flush_sweep()

# What came from the peer is all there, nothing quarantined for a fault.
st = CASES["federation.notify"].setup()
r = m.request("POST", "/federation/v1/notify", body=PEER.notify_body())
pull_settled(log_mark() - 5 if log_mark() > 5 else 0, st["id"])
missing = [e["id"] for e in peer.entries if not one(
    "SELECT count(*) FROM pilots WHERE id = ?", (e["id"],))]
t.ok(r.status == 202 and not missing and not one(
    "SELECT count(*) FROM fed_quarantine"), "every entry of the peer is "
     "here and none was quarantined for a storage fault (%d entries)" %
     len(peer.entries), (r.status, missing, sql(
         "SELECT item, reason FROM fed_quarantine")))

p = m.ctl("check")
t.ok(p.returncode == 0, "meentctl check passes (integrity, FTS5, foreign "
     "keys)", p.stdout + p.stderr)
t.ok(m.proc.poll() is None, "meentd is still up")
print("# %d fault runs in %.0f s" % (t.n, time.time() - t0))
peer.shutdown()
finish(t, m)
shutil.rmtree(CTL_DIR, ignore_errors=True)
