# SPDX-License-Identifier: EUPL-1.2
"""Group commit (db/durable.c, http/park.c), through the fault-injecting
VFS of a --enable-fault-injection build: its "hold" rule keeps the WAL's
sync waiting for as long as the test likes, so what must not happen before
a sync can be watched without a single timed assertion.

- A write is committed (others could read it) but not answered while its
  sync is held; it is answered 201 once the sync returns.
- Reads go on meanwhile: the worker is not blocked by a waiting answer.
- 16 writers at once behind one held sync: all 16 commit, none is
  answered; released, all are answered, and the syncs that carried them
  are far fewer than 16 (that is the grouping).
- A failed sync: the answer is a 500 (problem+json on the API, a Dutch
  page on the web), never a 2xx; the next write goes through.
- The federation feed waits too: it hands out no entry that is not on disk.
- One write is one commit: the item, its search rows and its signed feed
  entry (one sync for one pilot, with nothing in the outbox afterwards).
- Steady writes: the WAL starts over after a checkpoint, it does not grow
  without end; the search index, whose rows a batch adds at its end,
  holds exactly the pilots after 16 writers created, renamed and deleted.
- SIGTERM while an answer waits: it is still answered, and meentd exits 0.
"""
import http.client
import json
import os
import re
import threading
import time
import urllib.parse

from harness import FaultRules, Instance, Tap, finish

t = Tap()
FORM = "application/x-www-form-urlencoded"
PASSWORD = "een lang wachtwoord"
FAULTS = FaultRules(settle=0.03)
CTL_DIR, CTL = FAULTS.dir, FAULTS.path
faults, no_faults = FAULTS.set, FAULTS.clear


def wait_for(cond, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def pilot_body(titel):
    return {"titel": titel, "samenvatting": "Een pilot voor group commit.",
            "domein": "dienstverlening-en-burgerzaken", "status": "lopend",
            "vraag": "Wacht het antwoord?", "zichtbaarheid": "openbaar",
            "tags": ["schijf"], "aanpak": "Schrijven.", "lessen": "Wachten."}


m = Instance(env={"MEENT_FAULTS": CTL}, settings={
    "login_per_minute": "10000"})
m.ctl("user", "add", "web@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input=PASSWORD + "\n", check=True)
m.start()
ED = m.token("GM0275", "editor")
ORIGIN = "http://127.0.0.1:%d" % m.port


def metric(name):
    body = m.get("/metrics").body.decode()
    found = re.search(r"^%s (\d+)$" % re.escape(name), body, re.M)
    return int(found.group(1)) if found else None


def held(mark):
    return any(l.get("event") == "fault.injected" and "held" in
               l.get("msg", "") for l in m.log_lines()[mark:])


class Later(threading.Thread):
    """A request on its own thread; .result once it is answered."""

    def __init__(self, method, path, **kw):
        super().__init__(daemon=True)
        self.args = (method, path)
        self.kw = kw
        self.result = None
        self.start()

    def run(self):
        try:
            self.result = m.request(*self.args, timeout=120, **self.kw)
        except Exception as e:  # noqa: BLE001 - reported by the check
            self.result = e


def count(sql, params=()):
    return m.sql(sql, params)[0][0]


def settle():
    """The notifier and the signer done with what came before: their own
    commits sync (synchronous=FULL), and a held sync would hold them, and
    with them the writer lock, rather than the request under test."""
    wait_for(lambda: count("SELECT count(*) FROM notify_events WHERE "
                           "dispatched = 0") == 0 and
             count("SELECT count(*) FROM fed_outbox") == 0, "quiet")
    time.sleep(0.2)


# --- the counters exist, and one pilot is one commit ---------------------------
for name in ("meent_db_group_commits_total", "meent_db_syncs_total",
             "meent_db_sync_failures_total", "meent_db_checkpoints_total",
             "meent_db_wal_frames"):
    t.ok(metric(name) is not None, "/metrics has %s" % name)

c0, s0 = metric("meent_db_group_commits_total"), \
    metric("meent_db_syncs_total")
r = m.request("POST", "/api/v1/pilots", token=ED,
              body=pilot_body("Een pilot, een commit"))
t.eq(r.status, 201, "a pilot without faults: 201")
pid = r.json()["id"] if r.status == 201 else ""
c1, s1 = metric("meent_db_group_commits_total"), \
    metric("meent_db_syncs_total")
t.eq(c1 - c0, 1, "one POST of a pilot is one commit (item, index, feed)")
t.ok(1 <= s1 - s0 <= 1 + (c1 - c0), "and one sync carried it (%d)" % (
    s1 - s0))
entry = m.sql("SELECT count(*) FROM fed_entries WHERE kind = 'pilot' AND"
              " item = ?", (pid,))[0][0]
t.eq(entry, 1, "its signed feed entry came with the same commit")
t.eq(count("SELECT count(*) FROM fed_outbox"), 0,
     "nothing is left in the outbox for later")
t.ok(pid != "" and pid in m.get("/api/v1/_zoek?q=commit").body.decode(),
     "the search index has it")

# --- a held sync: committed, not answered; reads go on ---------------------------
settle()
mark = len(m.log_lines())
c0 = metric("meent_db_group_commits_total")
faults("hold wal")
w = Later("POST", "/api/v1/pilots", token=ED,
          body=pilot_body("Wacht op de schijf"))
try:
    wait_for(lambda: held(mark), "the sync to be held")
    wait_for(lambda: metric("meent_db_group_commits_total") >= c0 + 1,
             "the commit")
    titles = [r[0] for r in m.sql("SELECT titel FROM pilots")]
    t.ok("Wacht op de schijf" in titles,
         "while its sync is held the pilot is committed")
    t.ok(w.result is None, "but its POST is not answered", w.result)
    r = m.get("/api/v1/pilots?pageSize=1")
    t.eq(r.status, 200, "reads are answered meanwhile")
    r = m.get("/healthz")
    t.eq(r.status, 200, "and /healthz too")
    t.ok(w.result is None, "the POST still waits after those reads")
finally:
    no_faults()
w.join(60)
t.ok(getattr(w.result, "status", None) == 201,
     "the sync returned: the POST is answered 201", w.result)

# --- 16 writers behind one sync -----------------------------------------------------
settle()
mark = len(m.log_lines())
faults("hold wal")
c0, s0 = metric("meent_db_group_commits_total"), \
    metric("meent_db_syncs_total")
writers = []
try:
    # One first, so that the sync it starts is the one held.
    writers.append(Later("POST", "/api/v1/pilots", token=ED,
                         body=pilot_body("Schrijver 0")))
    wait_for(lambda: held(mark), "the sync to be held")
    for i in range(1, 16):
        writers.append(Later("POST", "/api/v1/pilots", token=ED,
                             body=pilot_body("Schrijver %d" % i)))
    wait_for(lambda: count("SELECT count(*) FROM pilots WHERE titel LIKE "
                           "'Schrijver %'") == 16, "16 pilots committed")
    t.ok(all(w.result is None for w in writers),
         "16 writers committed behind one held sync; none is answered")
    c1 = metric("meent_db_group_commits_total")
    t.ok(1 <= c1 - c0 <= 16, "in %d commits (a round of the loop commits "
         "its writes together)" % (c1 - c0))
finally:
    no_faults()
for w in writers:
    w.join(60)
statuses = sorted(getattr(w.result, "status", 0) for w in writers)
t.eq(statuses, [201] * 16, "released: all 16 are answered 201")
s1 = metric("meent_db_syncs_total")
t.ok(1 <= s1 - s0 <= 3, "16 commits needed %d syncs, not 16" % (s1 - s0))

# --- a failed sync: 500, never a 2xx ----------------------------------------------
f0 = metric("meent_db_sync_failures_total")
faults("sync wal")
try:
    r = m.request("POST", "/api/v1/pilots", token=ED,
                  body=pilot_body("Schijffout"))
finally:
    no_faults()
t.eq(r.status, 500, "the WAL's sync fails: 500")
t.eq(r.header("Content-Type"), "application/problem+json",
     "as problem+json")
t.ok("misschien niet bewaard" in r.body.decode(),
     "saying the change may not be kept", r.body[:200])
t.ok(metric("meent_db_sync_failures_total") > f0,
     "counted in meent_db_sync_failures_total")
r = m.request("POST", "/api/v1/pilots", token=ED,
              body=pilot_body("Na de schijffout"))
t.eq(r.status, 201, "the next write goes through: 201")

# The same on the web: a Dutch page.
r = m.request("POST", "/inloggen", headers={
    "Content-Type": FORM, "Origin": ORIGIN},
    body=urllib.parse.urlencode({"email": "web@rheden.example.nl",
                                 "wachtwoord": PASSWORD}))
cookie = (r.header("Set-Cookie") or "").split(";")[0]
t.eq(r.status, 303, "signing in on the web: 303")
page = m.get("/pilots/nieuw", headers={"Cookie": cookie}).body.decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
faults("sync wal")
try:
    r = m.request("POST", "/pilots/nieuw", headers={
        "Content-Type": FORM, "Origin": ORIGIN, "Cookie": cookie,
        "Accept": "text/html"},
        body=urllib.parse.urlencode({
            "csrf": csrf, "titel": "Formulier bij een schijffout",
            "samenvatting": "Een formulierpilot.", "domein": "jeugd",
            "status": "lopend", "zichtbaarheid": "openbaar", "vraag": "Heel?",
            "aanpak": "Zo."}))
finally:
    no_faults()
t.eq(r.status, 500, "a web form when the sync fails: 500")
t.ok((r.header("Content-Type") or "").startswith("text/html") and
     "niet bewaard" in r.body.decode(), "as a Dutch page", r.body[:300])

# --- the feed hands out only what is on disk ---------------------------------------
settle()
mark = len(m.log_lines())
faults("hold wal")
try:
    c0 = metric("meent_db_group_commits_total")
    w = Later("POST", "/api/v1/pilots", token=ED,
              body=pilot_body("Voor de feed"))
    wait_for(lambda: held(mark), "the sync to be held")
    wait_for(lambda: metric("meent_db_group_commits_total") >= c0 + 1,
             "its commit")
    feed = Later("GET", "/federation/v1/changes?after=0&limit=500")
    time.sleep(0.5)
    t.ok(feed.result is None, "while a commit waits for its sync, the feed"
         " waits too", feed.result)
finally:
    no_faults()
w.join(60)
feed.join(60)
ok = getattr(feed.result, "status", None) == 200
t.ok(ok, "released: the feed answers", feed.result)
if ok:
    titles = [json.loads(e["body"]).get("titel") for e in
              feed.result.json()["entries"] if e["kind"] == "pilot"]
    t.ok("Voor de feed" in titles, "with the entry that is now on disk")

# --- SIGTERM while an answer waits ------------------------------------------------
settle()
mark = len(m.log_lines())
c0 = metric("meent_db_group_commits_total")
faults("hold wal")
w = Later("POST", "/api/v1/pilots", token=ED, body=pilot_body("Bij het stoppen"))
wait_for(lambda: held(mark), "the sync to be held")
wait_for(lambda: metric("meent_db_group_commits_total") >= c0 + 1,
         "its commit")
m.kill(15)
time.sleep(0.3)
t.ok(m.proc.poll() is None and w.result is None,
     "SIGTERM while an answer waits for its sync: meentd waits too")
no_faults()
w.join(60)
t.ok(getattr(w.result, "status", None) == 201,
     "released: the answer goes out (201) before meentd exits", w.result)
t.eq(m.proc.wait(30), 0, "and meentd exits 0")

# --- a backlog in the outbox (an upgrade, meentctl) is signed after start ------------
ids = [r[0] for r in m.sql("SELECT id FROM pilots")]
m.sql("DELETE FROM fed_entries WHERE kind = 'pilot'")
for i in ids:
    m.sql("INSERT INTO fed_outbox (kind, item) VALUES ('pilot', ?)", (i,))
faults("hold wal")
try:
    m.start()
    t.eq(m.get("/healthz").status, 200,
         "with %d changes to sign and the signer's sync held, meentd "
         "listens and answers" % len(ids))
    t.eq(m.get("/api/v1/pilots?pageSize=1").status, 200,
         "reads are answered before the backlog is signed")
    t.ok(count("SELECT count(*) FROM fed_outbox") > 0,
         "the backlog is still in the outbox meanwhile")
finally:
    no_faults()
wait_for(lambda: count("SELECT count(*) FROM fed_outbox") == 0,
         "the backlog to be signed")
t.eq(count("SELECT count(*) FROM fed_entries WHERE kind = 'pilot'"),
     len(ids), "released: the signer signed all %d into the feed" % len(ids))
feed = m.get("/federation/v1/changes?after=0&limit=500").json()
t.eq(len([e for e in feed["entries"] if e["kind"] == "pilot"]), len(ids),
     "and the feed serves them")
# --- steady writes: the WAL starts over; the search index in batches ----------------
# SQLite reuses the WAL from its start only when a writer begins on a WAL
# copied back to its end; under steady writes a commit always came between
# (the syncer's checkpoint and the next writer), and the WAL grew without
# end (136 MB after 40,000 pilots). Now the checkpoint's last part holds
# the writer lock (db_checkpoint), so the next writer starts it over.
# Each writer also renames its pilot and deletes some: in a batch the
# search rows wait until just before its commit (pilot_store.c), and a
# rename of a pilot whose row still waits, or was added in an earlier
# batch, must leave the index exactly as the pilots are.
settle()
BURST_WRITERS, BURST_EACH = 16, 80
burst_status = {}
burst_words = []   # (old word, new word, deleted)
burst_lock = threading.Lock()


def word(n, tag):
    """A word of letters only, one per pilot: 'zk' + tag + n in base 26."""
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if n == 0:
            return "zk" + tag + out


def burst_writer(n):
    conn = http.client.HTTPConnection("127.0.0.1", m.port, timeout=120)

    def call(method, path, body, headers=None):
        h = {"Authorization": "Bearer " + ED,
             "Content-Type": "application/json"}
        h.update(headers or {})
        conn.request(method, path, headers=h,
                     body=json.dumps(body) if body is not None else None)
        resp = conn.getresponse()
        data = resp.read()
        with burst_lock:
            burst_status[resp.status] = burst_status.get(resp.status, 0) + 1
        return resp, data

    for i in range(BURST_EACH):
        k = n * BURST_EACH + i
        old, new = word(k, "o"), word(k, "n")
        resp, data = call("POST", "/api/v1/pilots",
                          pilot_body("Stroom %s" % old))
        if resp.status != 201:
            continue
        pid = json.loads(data)["id"]
        resp, _ = call("PATCH", "/api/v1/pilots/" + pid,
                       {"titel": "Stroom %s" % new},
                       {"If-Match": resp.getheader("ETag")})
        gone = i % 4 == 3 and resp.status == 200
        if gone:
            call("DELETE", "/api/v1/pilots/" + pid, None,
                 {"If-Match": resp.getheader("ETag")})
        with burst_lock:
            burst_words.append((old, new, gone))
    conn.close()


wal_max = 0
c0 = metric("meent_db_checkpoints_total")
burst = [threading.Thread(target=burst_writer, args=(i,), daemon=True)
         for i in range(BURST_WRITERS)]
for th in burst:
    th.start()
while any(th.is_alive() for th in burst):
    wal_max = max(wal_max, metric("meent_db_wal_frames") or 0)
    time.sleep(0.05)
for th in burst:
    th.join()
wal_bytes = os.path.getsize(os.path.join(m.data, "meent.db-wal"))
n_pilots = BURST_WRITERS * BURST_EACH
n_gone = sum(1 for w in burst_words if w[2])
t.eq(burst_status, {201: n_pilots, 200: n_pilots, 204: n_gone},
     "%d writers, %d pilots each, renamed, a quarter deleted: all answered "
     "2xx" % (BURST_WRITERS, BURST_EACH))
t.ok(metric("meent_db_checkpoints_total") - c0 >= 2,
     "the syncer checkpointed on the way (%d)" % (
         metric("meent_db_checkpoints_total") - c0))
t.ok(0 < wal_max < 10000, "the WAL held at most %d pages during %d writes "
     "(it starts over after a checkpoint; it grew without end)" % (
         wal_max, sum(burst_status.values())))
t.ok(wal_bytes < 64 << 20, "the WAL file is %.1f MB" % (wal_bytes / 1e6))
t.eq(count("SELECT count(*) FROM pilots_fts_docsize"),
     count("SELECT count(*) FROM pilots WHERE verwijderd IS NULL"),
     "the search index holds one row per pilot, no more, no less")
p = m.ctl("check")
t.ok(p.returncode == 0, "FTS5's integrity check (meentctl check)",
     p.stdout)
found = []
for old, new, gone in burst_words[::37]:
    hits = [m.get("/api/v1/_zoek?q=" + w).json().get("totaal")
            for w in (old, new)]
    found.append(hits == [0, 0 if gone else 1])
t.ok(found and all(found), "search: the old name of %d sampled pilots finds "
     "nothing, the new one finds the pilot unless it was deleted" % len(
         found))

finish(t, m)
