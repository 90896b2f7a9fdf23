# SPDX-License-Identifier: EUPL-1.2
"""Concurrent load on one meentd, for the sanitizers to watch: for a bounded
time (MEENT_CONCURRENCY_SECONDS, 20 by default) several client threads at
once upload datasets (two job threads sort and protect them side by side),
publish and edit pilots (a plugin validates them), propose and decide on
guideline changes, read lists, searches and pages, log in and out, and
reload the configuration (SIGHUP); a peer instance pulls from it and is
pulled from, so its outbound thread applies entries meanwhile.

Under the ThreadSanitizer build (--enable-tsan) the log must hold no
"WARNING: ThreadSanitizer"; under the ASan build no AddressSanitizer or
UndefinedBehaviorSanitizer report. Whatever the build: no 5xx but the job
pool's 503, each upload's table has its own categories (and no other
upload's), and meentd stops cleanly. Nothing here depends on timing: the
time bound only decides how much work is done, every kind at least once.
"""
import os
import random
import re
import signal
import threading
import time
import traceback
import urllib.parse

from harness import CONTENT, TOP_BUILD, Instance, Tap, finish

SECONDS = float(os.environ.get("MEENT_CONCURRENCY_SECONDS", "20"))
FORM = "application/x-www-form-urlencoded"
PASSWORD = "een lang wachtwoord"

t = Tap()
lees = os.path.join(TOP_BUILD, "plugins", ".libs", "leesbaarheid.so")
settings = {"login_per_minute": "10000", "upload_threads": "2",
            "upload_queue": "4", "federation_allow_http_loopback": "true"}
if os.path.exists(lees):
    settings["plugin"] = lees
m = Instance(threads=3, settings=settings).start(extra=["--seed", CONTENT])
origin = "http://127.0.0.1:%d" % m.port
# A peer, pulling from m and pulled from: m's outbound thread applies its
# entries while m's workers write, and each notifies the other.
peer = Instance(settings={"federation_allow_http_loopback": "true"},
                name="meent peer").start()
for sub, pub in ((m, peer), (peer, m)):
    sub.ctl("peer", "add", "http://127.0.0.1:%d" % pub.port, "--key",
            pub.get("/.well-known/meent").json()["publicKey"], "--interval",
            "1", check=True)
peer_editor = peer.token("GM0363", "editor")
with open(os.path.join(m.dir, "ind.json"), "w") as f:
    f.write('{"id": "gelijktijdig", "naam": "Gelijktijdig", "omschrijving": '
            '"Uploads tegelijk", "eenheid": "euro", "soort": "bedrag", '
            '"richting": "neutraal", "bron": "test"}')
m.ctl("indicator", "add", os.path.join(m.dir, "ind.json"), check=True)
editors = {g: m.token(g, "editor") for g in ("GM0275", "GM0664", "GM0014")}
for i, g in enumerate(("GM0275", "GM0664")):
    m.ctl("user", "add", "gelijk%d@example.nl" % i, "--gemeente", g, "--role",
          "editor", input=PASSWORD + "\n", check=True)

deadline = time.monotonic() + SECONDS
lock = threading.Lock()
counts = {}
problems = []


def note(kind, ok=True, detail=None):
    with lock:
        counts[kind] = counts.get(kind, 0) + 1
        if not ok:
            problems.append("%s: %s" % (kind, detail))


def checked(kind, r, allowed=(200, 201, 204, 303)):
    """Count r under kind; a status outside allowed is a problem."""
    note(kind, r.status in allowed, "%d %s" % (r.status, r.body[:200]))
    return r


def loop(kind, body):
    """Run body() until the deadline, at least once; note exceptions."""
    def run():
        rnd = random.Random(kind)
        first = True
        while first or time.monotonic() < deadline:
            first = False
            try:
                body(rnd)
            except Exception:
                note(kind, False, traceback.format_exc(limit=3))
    th = threading.Thread(target=run, name=kind)
    th.start()
    return th


# Uploads: two uploaders with label sets of their own, so that a table
# sorted with another upload's labels shows.
WIJKEN = {"a": ["Noord", "Zuid", "Oost", "West", "Centrum"],
          "b": ["Akker", "Beemd", "Dijk", "Polder", "Veld", "Weide"]}


def microdata(rnd, wijken, rows=300):
    lines = ["leeftijd,wijk,uitkering"]
    for _ in range(rows):
        lines.append("%d,%s,%d" % (rnd.randint(20, 64), rnd.choice(wijken),
                                   rnd.randint(500, 1500)))
    return "\n".join(lines) + "\n"


def uploader(name, gemeente):
    wijken = WIJKEN[name]

    def body(rnd):
        q = urllib.parse.urlencode({
            "vorm": "microdata", "indicator": "gelijktijdig",
            "periode": "20%02d" % rnd.randint(10, 29),
            "rollen": "leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"})
        r = m.request("POST", "/api/v1/datasets?" + q,
                      body=microdata(rnd, wijken), token=editors[gemeente],
                      headers={"Content-Type": "text/csv"}, timeout=120)
        if r.status == 503:
            note("upload.busy")
            return
        checked("upload", r, (201,))
        if r.status != 201:
            return
        d = r.json()
        dims = {x["naam"]: x["categorieen"] for x in d["tabel"]["dimensies"]}
        note("upload.labels", sorted(dims.get("wijk", [])) == sorted(wijken),
             "upload %s has wijken %s" % (name, dims.get("wijk")))
        bands = dims.get("leeftijd", [])
        note("upload.order", bands == sorted(bands, key=lambda s: int(
            s.split("-")[0])), "age bands out of order: %s" % bands)
        if rnd.random() < 0.5 and d.get("publiceerbaar"):
            checked("upload.publish", m.request(
                "POST", "/api/v1/datasets/%s/publicatie" % d["id"],
                token=editors[gemeente]))
        else:
            checked("upload.discard", m.request(
                "DELETE", "/api/v1/datasets/" + d["id"],
                token=editors[gemeente]))
    return body


PILOT = {"titel": "Gelijktijdige pilot", "samenvatting": "Tegelijk.",
         "domein": "jeugd", "status": "lopend", "start": "2025-01-06",
         "vraag": "Gaat het goed als alles tegelijk gebeurt?",
         "zichtbaarheid": "openbaar", "tags": ["tegelijk"],
         "aanpak": "We doen **alles** tegelijk.\n\n| a | b |\n|---|---|\n"
                   "| 1 | 2 |\n"}


def pilots(rnd):
    tok = editors["GM0664"]
    r = checked("pilot.create", m.request(
        "POST", "/api/v1/pilots", token=tok, body=dict(
            PILOT, titel="Gelijktijdige pilot %d" % rnd.randint(1, 10 ** 6),
            zichtbaarheid=rnd.choice(["openbaar", "leden", "concept"]))),
        (201,))
    if r.status != 201:
        return
    pid, etag = r.json()["id"], r.header("ETag")
    for i in range(2):
        r = checked("pilot.update", m.request(
            "PATCH", "/api/v1/pilots/" + pid, token=tok,
            headers={"If-Match": etag}, body={
                "samenvatting": "Versie %d" % (i + 2),
                "tags": ["tegelijk", "v%d" % (i + 2)]}))
        etag = r.header("ETag")
    r = checked("pilot.put", m.request(
        "PUT", "/api/v1/pilots/" + pid, token=tok,
        headers={"If-Match": etag}, body=dict(PILOT, titel="Vervangen")))
    if rnd.random() < 0.3:
        checked("pilot.delete", m.request("DELETE", "/api/v1/pilots/" + pid,
                                          token=tok, headers={
                                              "If-Match": r.header("ETag")}),
                (204,))


def peer_pilots(rnd):
    r = checked("peer.pilot", peer.request(
        "POST", "/api/v1/pilots", token=peer_editor, body=dict(
            PILOT, titel="Pilot van de peer %d" % rnd.randint(1, 10 ** 6))),
        (201,))
    if r.status == 201 and rnd.random() < 0.5:
        checked("peer.pilot", peer.request(
            "PATCH", "/api/v1/pilots/" + r.json()["id"], token=peer_editor,
            headers={"If-Match": r.header("ETag")},
            body={"status": "afgerond"}))
    time.sleep(0.2)     # a trickle, not a flood: the peer is not under test


def guidelines(rnd):
    slug = "tegelijk-%d" % rnd.randint(1, 10 ** 9)
    text = "# Tegelijk\n\nEen richtlijn.\n\n## Deel\n\nNog een blok.\n"
    r = checked("guideline.create", m.request(
        "POST", "/api/v1/richtlijnen", token=editors["GM0275"],
        body={"slug": slug, "titel": "Tegelijk", "tekst": text}), (201,))
    if r.status != 201:
        return
    base = "/api/v1/richtlijnen/" + slug
    ids = []
    for g in ("GM0664", "GM0014"):
        r = checked("guideline.propose", m.request(
            "POST", base + "/voorstellen", token=editors[g], body={
                "basis": 1, "tekst": text + "\nVan %s.\n" % g,
                "bericht": "Voorstel"}), (201,))
        if r.status == 201:
            ids.append(r.json()["id"])
    # Both at once: one revision each, or a conflict; never two for one.
    results = []
    ths = [threading.Thread(target=lambda i=i: results.append(m.request(
        "PATCH", "%s/voorstellen/%d" % (base, i), token=editors["GM0275"],
        body={"status": "aanvaard"}))) for i in ids + ids[:1]]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    for r in results:
        checked("guideline.decide", r, (201, 409))
    versies = m.get(base + "/versies").json()["versies"]
    voorstellen = [v["voorstel"] for v in versies if v["voorstel"]]
    note("guideline.once", len(voorstellen) == len(set(voorstellen)),
         "a proposal became more than one revision: %s" % voorstellen)
    checked("guideline.adopt", m.request("POST", base + "/adopties",
                                         token=editors["GM0014"]), (201,))


READS = ["/api/v1/pilots?pageSize=20", "/api/v1/pilots?q=wachttijden",
         "/api/v1/_zoek?q=bijstand", "/api/v1/_zoek?q=jeugd*",
         "/pilots", "/zoeken?q=tegelijk", "/", "/benchmarks",
         "/richtlijnen", "/api/v1/richtlijnen", "/api/v1/datasets",
         "/api/v1/indicatoren", "/api/v1/gemeenten?pageSize=50",
         "/pilots/feed", "/metrics", "/readyz",
         "/federation/v1/changes?limit=50", "/.well-known/meent"]


def reader(rnd):
    path = rnd.choice(READS)
    tok = rnd.choice([None, editors["GM0275"]])
    checked("read", m.get(path, token=tok), (200,))
    lst = checked("read", m.get("/api/v1/pilots?pageSize=5&sort=nieuw"),
                  (200,)).json()
    for p in lst.get("pilots", [])[:2]:
        checked("read", m.get("/pilots/" + p["id"]), (200, 404, 410))
        checked("read", m.get("/api/v1/pilots/" + p["id"]), (200, 404, 410))


def logins(rnd):
    i = rnd.randint(0, 1)
    email = "gelijk%d@example.nl" % i
    wrong = rnd.random() < 0.3
    r = m.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": origin}, body=urllib.parse.urlencode(
            {"email": email, "wachtwoord": "fout" if wrong else PASSWORD}))
    if wrong:
        checked("login.wrong", r, (401, 400, 403, 429))
        return
    checked("login", r, (303,))
    cookie = (r.header("Set-Cookie") or "").split(";")[0]
    page = checked("login.page", m.get("/pilots/nieuw", headers={
        "Cookie": cookie}), (200,)).body.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    if csrf is not None:
        checked("logout", m.request("POST", "/uitloggen", headers={
            "Content-Type": FORM, "Origin": origin, "Cookie": cookie},
            body=urllib.parse.urlencode({"csrf": csrf.group(1)})), (303,))


def reload(rnd):
    # SIGHUP: the log and its level are taken again while workers log.
    m.kill(signal.SIGHUP)
    note("reload")
    time.sleep(1 + rnd.random())


threads = [loop("upload.a", uploader("a", "GM0275")),
           loop("upload.b", uploader("b", "GM0664")),
           loop("pilots", pilots), loop("guidelines", guidelines),
           loop("reader.1", reader), loop("reader.2", reader),
           loop("logins", logins), loop("peer", peer_pilots),
           loop("reload", reload)]
for th in threads:
    th.join()

for kind in ("upload", "upload.labels", "pilot.create", "pilot.update",
             "guideline.decide", "read", "login", "logout"):
    t.ok(counts.get(kind, 0) > 0, "%s ran (%d times)" % (kind, counts.get(
        kind, 0)))
t.ok(not problems, "every answer as expected: no 5xx but the pool's 503, "
     "each upload with its own categories (%d requests)" % sum(
         counts.values()), "\n".join(problems[:10]))
t.ok(m.get("/healthz").status == 200, "meentd still answers")

# The first report in full, for whoever reads the TAP output.
for name, inst in (("meentd", m), ("its peer", peer)):
    log = inst.log()
    at = log.find("WARNING: ThreadSanitizer")
    t.ok(at == -1, "no ThreadSanitizer report from " + name,
         log[max(0, at - 200):at + 4000] if at != -1 else None)
finish(t, m, peer)
