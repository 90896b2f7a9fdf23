# SPDX-License-Identifier: EUPL-1.2
"""kill -9 at random moments, on the release build. Each round starts
meentd, runs mixed concurrent writes for a random 0.2 to 1.5 s (pilots
made and changed through the API and the web form, guideline revisions,
dataset uploads, and pilots of a second meentd applied by federation),
SIGKILLs meentd, and checks the database as the kill left it: PRAGMA
integrity_check and meentctl check pass, and after a restart every write
that was answered with a 2xx before the kill is there, and the search
index finds it. At the end the subscriber has every pilot of the
publisher, none twice.

MEENT_CRASH_ROUNDS sets the number of rounds (25 by default; a few minutes
at most); MEENT_CRASH_SEED repeats a run. Needs MEENT_RELEASE (scripts/test
sets it)."""
import os
import random
import re
import signal
import threading
import time
import urllib.parse
import uuid

import harness
from harness import Instance, Tap, finish, free_port

t = Tap()
ROUNDS = int(os.environ.get("MEENT_CRASH_ROUNDS", "25"))
SEED = int(os.environ.get("MEENT_CRASH_SEED", random.randrange(1 << 30)))
RND = random.Random(SEED)
FORM = "application/x-www-form-urlencoded"
PASSWORD = "een lang wachtwoord"
STATS = {"acknowledged": 0, "checked": 0, "failures": 0}


def word(prefix, n):
    """A word of its own for the search index: letters only."""
    return prefix + "".join("abcdefghij"[int(c)] for c in str(n))


def pilot_body(titel):
    return {"titel": titel, "samenvatting": "Een pilot tussen twee kills.",
            "domein": "dienstverlening-en-burgerzaken", "status": "lopend",
            "vraag": "Overleeft het?", "zichtbaarheid": "openbaar",
            "tags": ["crash"], "aanpak": "## Stappen\n\n1. Schrijven\n"}


def microdata(seed):
    rnd = random.Random(seed)
    lines = ["leeftijd,wijk,uitkering"]
    for _ in range(300):
        lines.append("%d,%s,%d" % (rnd.randint(18, 90), rnd.choice(
            ["Noord", "Zuid", "Oost"]), rnd.randint(500, 1500)))
    return "\n".join(lines) + "\n"


class Node(Instance):
    """A release meentd on a port fixed before its first start."""

    def __init__(self, name):
        super().__init__(release=True, name=name, settings={
            "federation_allow_http_loopback": "true",
            "login_per_minute": "10000"})
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port


class Writers:
    """Threads that write until told to stop, noting what was answered
    with a 2xx (acknowledged) for the checks after the kill."""

    def __init__(self, s, p, ctx, rnd):
        self.s, self.p, self.ctx, self.rnd = s, p, ctx, rnd
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = []          # (kind, details)
        self.n = 0
        self.threads = [threading.Thread(target=self.loop, args=(f,),
                                         daemon=True)
                        for f in (self.api_create, self.api_create,
                                  self.api_patch, self.web_create,
                                  self.revise, self.upload,
                                  self.publish_elsewhere)]

    def next(self):
        with self.lock:
            self.n += 1
            return self.n

    def ack(self, kind, **d):
        with self.lock:
            self.acked.append((kind, d))

    def loop(self, f):
        while not self.stop.is_set():
            try:
                f()
            except Exception:
                # The kill (a connection refused or cut), or an answer
                # not checked here: nothing acknowledged.
                if self.stop.is_set():
                    return
                time.sleep(0.01)

    def start(self):
        for th in self.threads:
            th.start()

    def join(self):
        self.stop.set()
        for th in self.threads:
            th.join(timeout=60)

    def api_create(self):
        w = word("api", self.ctx["round"] * 100000 + self.next())
        r = self.s.request("POST", "/api/v1/pilots", token=self.ctx["ed"],
                           body=pilot_body("Pilot %s" % w), timeout=10)
        if r.status == 201:
            self.ack("pilot", id=r.json()["id"], word=w, versie=1)

    def api_patch(self):
        pid = self.rnd.choice(self.ctx["pool"])
        w = word("wijz", self.ctx["round"] * 100000 + self.next())
        r = self.s.request("PATCH", "/api/v1/pilots/" + pid,
                           token=self.ctx["ed"], body={"titel": "Gewijzigd "
                                                       + w},
                           headers={"If-Match": "*"}, timeout=10)
        if r.status == 200:
            self.ack("update", id=pid, word=w, versie=r.json()["versie"])

    def web_create(self):
        w = word("web", self.ctx["round"] * 100000 + self.next())
        r = self.s.request("POST", "/pilots/nieuw", headers={
            "Content-Type": FORM, "Origin": self.s.url,
            "Cookie": self.ctx["cookie"]}, body=urllib.parse.urlencode({
                "csrf": self.ctx["csrf"], "titel": "Formulier " + w,
                "samenvatting": "Via de site.", "domein": "jeugd",
                "status": "lopend", "zichtbaarheid": "openbaar",
                "vraag": "Overleeft het?", "aanpak": "Zo.", "tags": "",
                "stakeholders": ""}), timeout=10)
        if r.status == 303:
            path = r.header("Location").split("?")[0]
            self.ack("pilot", id=path.rsplit("/", 1)[1], word=w, versie=1)

    def revise(self):
        slug = self.ctx["slug"]
        n = self.next()
        r = self.s.request("POST", "/api/v1/richtlijnen/%s/versies" % slug,
                           token=self.ctx["ed"], body={
                               "basis": self.ctx["head"],
                               "bericht": "Ronde %d" % self.ctx["round"],
                               "tekst": "# Richtlijn\n\nVersie %d.\n" % n},
                           timeout=10)
        if r.status == 201:
            v = r.json()["versie"]
            self.ctx["head"] = v
            self.ack("revision", slug=slug, versie=v)

    def upload(self):
        q = urllib.parse.urlencode({
            "vorm": "microdata", "indicator": "bijstand-uitkeringen",
            "periode": "2025", "rollen":
            "leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"})
        r = self.s.request("POST", "/api/v1/datasets?" + q,
                           body=microdata(self.next()), token=self.ctx["ed"],
                           headers={"Content-Type": "text/csv"}, timeout=20)
        if r.status == 201:
            self.ack("dataset", id=r.json()["id"])

    def publish_elsewhere(self):
        """The publisher is never killed: its pilots must all arrive."""
        w = word("fed", self.ctx["round"] * 100000 + self.next())
        r = self.p.request("POST", "/api/v1/pilots", token=self.ctx["ped"],
                           body=pilot_body("Elders %s" % w), timeout=10)
        if r.status == 201:
            self.ctx["published"].append((r.json()["id"], w))
        time.sleep(0.05)


def searched(s, w):
    r = s.get("/api/v1/_zoek?q=" + w + "&pageSize=100")
    if r.status != 200:
        return None
    return [p["id"] for p in r.json()["resultaten"]["pilots"]]


def verify(s, acked):
    """Every acknowledged write there, and found by the search index."""
    missing = []
    latest = {}
    for kind, d in acked:
        if kind == "update":
            if d["versie"] > latest.get(d["id"], (0, None))[0]:
                latest[d["id"]] = (d["versie"], d["word"])
    for kind, d in acked:
        STATS["checked"] += 1
        ok = True
        if kind == "pilot":
            row = s.sql("SELECT titel, versie FROM pilots WHERE id = ?",
                        (d["id"],))
            ok = bool(row) and d["word"] in row[0][0] and d["id"] in (
                searched(s, d["word"]) or [])
        elif kind == "update":
            row = s.sql("SELECT titel, versie FROM pilots WHERE id = ?",
                        (d["id"],))
            ok = bool(row) and row[0][1] >= d["versie"]
            top, w = latest[d["id"]]
            if ok and row[0][1] == top and d["versie"] == top:
                ok = w in row[0][0] and d["id"] in (searched(s, w) or [])
        elif kind == "revision":
            ok = bool(s.sql(
                "SELECT 1 FROM richtlijn_versies v JOIN richtlijnen r ON"
                " r.pk = v.richtlijn WHERE r.slug = ? AND v.versie = ? AND"
                " r.head >= v.versie", (d["slug"], d["versie"])))
        elif kind == "dataset":
            ok = bool(s.sql("SELECT 1 FROM datasets WHERE id = ?",
                            (d["id"],)))
        if not ok:
            missing.append((kind, d))
    return missing


def main(state):
    try:
        harness.release_meentd()
    except RuntimeError as e:
        t.ok(False, "the release build is there: %s" % e)
        return
    print("# seed %d (MEENT_CRASH_SEED), %d rounds (MEENT_CRASH_ROUNDS)" %
          (SEED, ROUNDS))
    p = Node("meent uitgever")
    state.append(p)
    p.start()
    s = Node("meent abonnee")
    state.append(s)
    ind = os.path.join(s.dir, "ind.json")
    with open(ind, "w") as f:
        f.write('{"id": "bijstand-uitkeringen", "naam": "Bijstand", '
                '"omschrijving": "Uitkeringen", "eenheid": "euro", "soort": '
                '"bedrag", "richting": "neutraal", "bron": "eigen"}')
    s.ctl("indicator", "add", ind, check=True)
    s.ctl("user", "add", "crash@rheden.example.nl", "--gemeente", "GM0275",
          "--role", "editor", input=PASSWORD + "\n", check=True)
    key = p.get("/.well-known/meent").json()["publicKey"]
    s.ctl("peer", "add", p.url, "--key", key, "--interval", "1", check=True)
    s.start()
    ctx = {"ed": s.token("GM0275", "editor"),
           "ped": p.token("GM0664", "editor"), "published": [],
           "round": 0}
    r = s.request("POST", "/inloggen", headers={
        "Content-Type": FORM, "Origin": s.url}, body=urllib.parse.urlencode(
            {"email": "crash@rheden.example.nl", "wachtwoord": PASSWORD}))
    ctx["cookie"] = (r.header("Set-Cookie") or "").split(";")[0]
    page = s.get("/pilots/nieuw", headers={"Cookie": ctx["cookie"]})
    ctx["csrf"] = re.search(r'name="csrf" value="([^"]+)"',
                            page.body.decode()).group(1)
    ctx["pool"] = []
    for i in range(8):
        r = s.request("POST", "/api/v1/pilots", token=ctx["ed"],
                      body=pilot_body("Basis %s" % word("pool", i)))
        ctx["pool"].append(r.json()["id"])
    ctx["slug"] = "crash-%s" % uuid.uuid4().hex[:8]
    r = s.request("POST", "/api/v1/richtlijnen", token=ctx["ed"], body={
        "slug": ctx["slug"], "titel": "Tussen twee kills",
        "tekst": "# Richtlijn\n\nVersie 1.\n"})
    t.ok(r.status == 201 and len(ctx["pool"]) == 8, "the subscriber is set "
         "up: a web session, 8 pilots, a guideline")

    t0 = time.time()
    bad_rounds = []
    for rnd in range(1, ROUNDS + 1):
        ctx["round"] = rnd
        if rnd > 1:
            s.start()
        ctx["head"] = s.get("/api/v1/richtlijnen/" +
                            ctx["slug"]).json()["versie"]
        w = Writers(s, p, ctx, random.Random(RND.random()))
        w.start()
        time.sleep(RND.uniform(0.2, 1.5))
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        s.logf.close()
        w.join()
        STATS["acknowledged"] += len(w.acked)
        problems = []
        ic = s.sql("PRAGMA integrity_check")
        if ic != [("ok",)]:
            problems.append("integrity_check: %r" % ic)
        c = s.ctl("check")
        if c.returncode != 0:
            problems.append("meentctl check: %s" % (c.stdout + c.stderr))
        s.start()
        missing = verify(s, w.acked)
        STATS["failures"] += len(missing)
        if missing:
            problems.append("%d of %d acknowledged writes missing: %r" % (
                len(missing), len(w.acked), missing[:5]))
        if problems:
            bad_rounds.append(rnd)
            t.ok(False, "round %d: %d writes acknowledged, all there" % (
                rnd, len(w.acked)), "\n".join(problems))
        s.stop()
        s.logf.close()
    t.ok(not bad_rounds, "%d rounds of kill -9: every acknowledged write "
         "survived, integrity_check and meentctl check pass (%.0f s)" % (
             ROUNDS, time.time() - t0), bad_rounds)

    # Federation: the publisher's pilots all arrive, each once.
    s.start()
    want = dict(ctx["published"])
    deadline = time.time() + 60
    have = set()
    while time.time() < deadline:
        have = set(x[0] for x in s.sql(
            "SELECT id FROM pilots WHERE origin = (SELECT uuid FROM"
            " fed_origins WHERE peer IS NOT NULL)"))
        if set(want) <= have:
            break
        time.sleep(0.2)
    t.ok(set(want) <= have, "the subscriber has all %d pilots the "
         "publisher made during the kills" % len(want),
         sorted(set(want) - have)[:5])
    dup = s.sql("SELECT id, count(*) FROM pilots GROUP BY id HAVING"
                " count(*) > 1")
    t.eq(dup, [], "none twice")
    lost = [pid for pid, w in want.items() if pid not in (
        searched(s, w) or [])]
    t.ok(not lost, "and the search index finds each", lost[:5])
    t.eq(s.sql("PRAGMA integrity_check"), [("ok",)],
         "integrity_check at the end")
    print("# rounds %d, writes acknowledged %d, writes checked %d, failures "
          "%d, federated pilots %d" % (ROUNDS, STATS["acknowledged"],
                                       STATS["checked"], STATS["failures"],
                                       len(want)))


state = []
try:
    main(state)
finally:
    for inst in state:
        try:
            inst.close()
        except Exception:
            pass
t.done()
