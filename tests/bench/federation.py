#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""The federation benchmark (run it through tests/bench/federation.sh).

    federation.py --build DIR --content DIR --work DIR --results FILE

Real meentd processes on 127.0.0.1, each under /usr/bin/time -v (its
"Maximum resident set size" after SIGTERM is the peak RSS), with
federation_allow_http_loopback = true:

1. Initial sync: N public pilots written straight into A's database
   (pilots, pilot_texts, pilot_tags, as pilot_store.c does; the triggers
   of migration 7 put them in fed_outbox; `meentctl reindex` rebuilds the
   search index), A started once to sign the outbox into the feed (timed:
   start to listening, and to its signer's "fed.flush" line: meentd
   listens at once and signs the backlog on its own thread), then A again
   and a fresh
   B: from `meentctl peer add` on B until B's cursor is A's head and B holds
   all N. For N = 20,000 and 100,000, so that the peaks show whether RSS
   grows with the feed.
2. Latency: A and B pin each other (interval 3600 s, so only the notify can
   explain a fast arrival); a public pilot POSTed on A, then GET
   /api/v1/pilots/{id} on B until 200. 50 samples, 1.1 s apart (the notify
   is honoured at most once a second per peer); then a burst of 5 publishes
   0.2 s apart, to show what happens inside that second.
3. A mesh of 10 instances, each pinning the 9 others (interval 5 s); 1,000
   publishes on random instances by 4 concurrent clients; the time until
   every instance holds all 1,000 pilots.
4. (--only cgsync) The initial sync of --cg-pilots (2,000) with B under
   valgrind --tool=callgrind: the instructions B's whole process runs from
   `peer add` until its cursor is A's head, per entry. A count, not a time:
   the same on a slow day as on a fast one, so that the sync's cost shows
   as a number where its rate is noise.

Only the standard library. Every wait has a timeout; every meentd started
here is stopped (SIGTERM by pid) when this exits, also on SIGTERM.
"""
import argparse
import glob
import html
import http.client
import json
import os
import queue
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid

TIME = "/usr/bin/time"


class Fail(Exception):
    pass


def now():
    return time.monotonic()


def wait_for(cond, timeout, what, step=0.05):
    """Call cond() until it returns something true; that value, or Fail."""
    deadline = now() + timeout
    while True:
        v = cond()
        if v:
            return v
        if now() > deadline:
            raise Fail("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(step)


# --- processes -------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.build = os.path.abspath(args.build)
        self.meentd = os.path.join(self.build, "platform", "meentd")
        self.meentctl = os.path.join(self.build, "platform", "meentctl")
        self.content = os.path.abspath(args.content)
        self.work = args.work
        self.sync_timeout = args.sync_timeout
        self.pidfile = os.path.join(self.work, "meentd.pids")
        self.running = []          # Nodes with a process
        self.lock = threading.Lock()
        self.sampler = threading.Thread(target=self.sample, daemon=True)
        self.sampler.start()

    def write_pids(self):
        with open(self.pidfile, "w") as f:
            for n in self.running:
                for p in (n.pid, n.proc.pid if n.proc else None):
                    if p:
                        f.write("%d\n" % p)

    def sample(self):
        """Every 0.1 s: the RSS of every running meentd, split anon/file."""
        while True:
            with self.lock:
                nodes = list(self.running)
            for n in nodes:
                n.sample()
            time.sleep(0.1)

    def stop_all(self):
        with self.lock:
            nodes = list(self.running)
        for n in nodes:
            try:
                n.stop(timeout=20)
            except Exception as e:  # keep stopping the others
                print("# stopping %s: %s" % (n.name, e), file=sys.stderr)


class Node:
    """A data directory and, while running, a meentd under /usr/bin/time."""

    def __init__(self, bench, name, threads=2):
        self.b = bench
        self.name = name
        self.threads = threads
        self.dir = os.path.join(bench.work, re.sub(r"\W+", "-", name))
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.dir)
        self.runs = 0
        self.proc = None
        self.pid = None
        self.port = None
        self.ctl("init", "--name", name)
        self.uuid = self.sql("SELECT uuid FROM instance")[0][0]

    def ctl(self, *args, timeout=600):
        p = subprocess.run([self.b.meentctl, "--data", self.data, "--content",
                            self.b.content] + list(args), capture_output=True,
                           text=True, timeout=timeout)
        if p.returncode != 0:
            raise Fail("meentctl %s: %s" % (" ".join(args), p.stderr.strip()))
        return p.stdout

    def sql(self, q, params=()):
        db = sqlite3.connect("file:%s/meent.db?mode=ro" % self.data, uri=True,
                             timeout=10)
        try:
            return db.execute(q, params).fetchall()
        finally:
            db.close()

    def start(self, settings=None, timeout=60, wrap=()):
        """wrap: a tool meentd runs under (valgrind ARGS), in its process."""
        self.runs += 1
        self.log_path = os.path.join(self.dir, "meentd-%d.log" % self.runs)
        self.time_path = os.path.join(self.dir, "time-%d.txt" % self.runs)
        argv = [TIME, "-v", "-o", self.time_path] + list(wrap) + [
            self.b.meentd, "--data", self.data, "--listen", "127.0.0.1:0",
            "--threads", str(self.threads), "--content", self.b.content,
            "--set", "access_log=off",
            "--set", "federation_allow_http_loopback=true"]
        for k, v in (settings or {}).items():
            argv += ["--set", "%s=%s" % (k, v)]
        self.peak = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0}
        logf = open(self.log_path, "wb")
        t0 = now()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=logf)
        logf.close()
        with self.b.lock:
            self.b.running.append(self)
        self.pid = wait_for(self.child, 10, "meentd under time to exist",
                            step=0.01)
        self.b.write_pids()

        def ready():
            if self.proc.poll() is not None:
                raise Fail("%s: meentd exited %s: %s" % (
                    self.name, self.proc.returncode, self.log()[-2000:]))
            m = re.search(r'"event":"server.start".*?\(port (\d+)\)',
                          self.log())
            return int(m.group(1)) if m else None
        self.port = wait_for(ready, timeout, "%s to listen" % self.name,
                             step=0.01)
        self.start_s = now() - t0
        self.cpu0 = self.cpu()
        return self

    def child(self):
        """meentd's pid: the child of /usr/bin/time."""
        try:
            with open("/proc/%d/task/%d/children" % (self.proc.pid,
                                                    self.proc.pid)) as f:
                kids = f.read().split()
        except OSError:
            kids = []
        return int(kids[0]) if kids else None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_events(self, event):
        out = []
        for line in self.log().splitlines():
            try:
                j = json.loads(line)
            except ValueError:
                continue
            if j.get("event") == event:
                out.append(j)
        return out

    def sample(self):
        pid = self.pid
        if pid is None:
            return
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in self.peak:
                        self.peak[k] = max(self.peak[k], int(v.split()[0]))
        except (OSError, ValueError):
            pass

    def cpu(self):
        """User + system CPU seconds of meentd so far."""
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf(
                "SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def stop(self, timeout=60):
        """SIGTERM meentd; returns /usr/bin/time's figures for the run."""
        if self.proc is None:
            return None
        self.sample()
        self.cpu_total = self.cpu()
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        with self.b.lock:
            self.b.running.remove(self)
        self.proc = None
        self.pid = None
        self.b.write_pids()
        out = {"maxrss_kb": None, "peak": dict(self.peak)}
        try:
            with open(self.time_path) as f:
                for line in f:
                    line = line.strip()
                    if line.startswith("Maximum resident set size"):
                        out["maxrss_kb"] = int(line.rsplit(":", 1)[1])
                    elif line.startswith("User time"):
                        out["user"] = float(line.rsplit(":", 1)[1])
                    elif line.startswith("System time"):
                        out["sys"] = float(line.rsplit(":", 1)[1])
        except OSError:
            pass
        return out

    # HTTP ---------------------------------------------------------------

    def request(self, method, path, body=None, token=None, timeout=30):
        h = {}
        if token:
            h["Authorization"] = "Bearer " + token
        if body is not None:
            body = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, data
        finally:
            c.close()

    def get_json(self, path):
        st, data = self.request("GET", path)
        if st != 200:
            raise Fail("%s GET %s: %d %s" % (self.name, path, st, data[:300]))
        return json.loads(data)

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def key(self):
        return self.get_json("/.well-known/meent")["publicKey"]

    def head(self):
        return self.get_json("/federation/v1/changes?after=0&limit=1")["head"]

    def pin(self, other, interval):
        self.ctl("peer", "add", other.url(), "--key", other.key(),
                 "--interval", str(interval))

    def peer_row(self, other_url):
        r = self.sql("SELECT cursor, applied, ignored, quarantined, "
                     "last_success, last_error FROM peers WHERE url = ?",
                     (other_url,))
        return r[0] if r else None

    def pilots_of(self, origin):
        return self.sql("SELECT count(*) FROM pilots WHERE origin = ? AND "
                        "verwijderd IS NULL", (origin,))[0][0]

    def pilots_public(self):
        return self.sql("SELECT count(*) FROM pilots WHERE verwijderd IS NULL"
                        " AND voorbeeld = 0 AND zichtbaarheid = 'openbaar'"
                        )[0][0]


# --- data ------------------------------------------------------------------

def sentences(content):
    out = []
    for path in sorted(glob.glob(os.path.join(content, "pilots", "*.md"))):
        parts = open(path, encoding="utf-8").read().split("---", 2)
        if len(parts) < 3:
            continue
        for s in re.split(r"(?<=[.!?])\s+",
                          re.sub(r"[#*|>`\[\]()-]", " ", parts[2])):
            s = " ".join(s.split())
            if 30 < len(s) < 300:
                out.append(s)
    return out


DOMAINS = ["werk-en-inkomen", "zorg-en-welzijn", "jeugd",
           "dienstverlening-en-burgerzaken", "financien", "ruimte-en-wonen",
           "veiligheid", "mobiliteit", "klimaat-en-energie", "openbare-ruimte",
           "onderwijs", "economie", "bedrijfsvoering"]
STATUSES = ["idee", "lopend", "afgerond", "gestopt"]
TAGS = ["data", "dashboard", "privacy", "dpia", "sensoren", "benchmark",
        "inwoners", "raad", "wijken", "planning", "kosten", "monitoring"]


def generate(node, n, sents, seed=42):
    """n public pilots straight into node's database (meentd stopped), as
    tests/bench/pilots_gen.py does (same text sizes), all openbaar."""
    rnd = random.Random(seed)
    db = sqlite3.connect(os.path.join(node.data, "meent.db"))
    origin = db.execute("SELECT uuid FROM instance").fetchone()[0]
    gemeenten = db.execute("SELECT code, provincie, grootteklasse FROM "
                           "gemeenten ORDER BY code").fetchall()
    base = db.execute("SELECT coalesce(max(pk), 0) FROM pilots").fetchone()[0]

    def para(k):
        return " ".join(rnd.choice(sents) for _ in range(k))

    t = int(time.time())
    rows, texts, tag_rows = [], [], []
    for i in range(n):
        pk = base + i + 1
        g = rnd.choice(gemeenten)
        secs = [para(4) for _ in range(5)]
        tg = sorted(set(rnd.sample(TAGS, 3)))
        rows.append((pk, str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                     origin, g[0], g[1], g[2], 1, "openbaar",
                     ("Pilot %d: " % (i + 1)) + rnd.choice(sents)[:120],
                     rnd.choice(DOMAINS), rnd.choice(STATUSES), "2024-01-01",
                     None, "college", json.dumps(tg), 0, t - n + i, t - n + i))
        texts.append((pk, para(2)[:900], para(1)[:480],
                      json.dumps(["college", "analisten"]),
                      "Team Data, data@voorbeeld.example.nl",
                      *[x for s in secs
                        for x in (s, "<p>%s</p>\n" % html.escape(s))]))
        tag_rows.extend((tg_, pk) for tg_ in tg)
    db.execute("BEGIN")
    db.executemany("INSERT INTO pilots (pk, id, origin, gemeente, provincie, "
                   "grootteklasse, versie, zichtbaarheid, titel, domein, "
                   "status, start, einde, aanvrager, tags, voorbeeld, "
                   "aangemaakt, gewijzigd) VALUES (%s)" % ",".join("?" * 18),
                   rows)
    db.executemany("INSERT INTO pilot_texts (pk, samenvatting, vraag, "
                   "stakeholders, contact, aanpak, aanpak_html, data, "
                   "data_html, resultaten, resultaten_html, lessen, "
                   "lessen_html, privacy, privacy_html) VALUES (%s)"
                   % ",".join("?" * 15), texts)
    db.executemany("INSERT INTO pilot_tags (tag, pilot) VALUES (?, ?)",
                   tag_rows)
    db.commit()
    outbox = db.execute("SELECT count(*) FROM fed_outbox WHERE kind = "
                        "'pilot'").fetchone()[0]
    db.close()
    if outbox < n:
        raise Fail("the triggers put %d of %d pilots in fed_outbox" %
                   (outbox, n))
    return rows[n // 2][8]  # a title, to search for


def publish_body(rnd, sents, i):
    return {
        "titel": ("Bench %d: " % i) + rnd.choice(sents)[:100],
        "samenvatting": " ".join(rnd.choice(sents) for _ in range(2))[:900],
        "domein": rnd.choice(DOMAINS),
        "status": rnd.choice(STATUSES),
        "vraag": rnd.choice(sents)[:480],
        "zichtbaarheid": "openbaar",
        "tags": sorted(set(rnd.sample(TAGS, 3))),
        "stakeholders": ["college"],
        "aanpak": "## Aanpak\n\n" + " ".join(rnd.choice(sents)
                                             for _ in range(4)),
        "lessen": " ".join(rnd.choice(sents) for _ in range(3)),
    }


# --- the three measurements -------------------------------------------------

def kb(v):
    return "-" if v is None else "%.1f MB" % (v / 1024.0)


def search_total(node, q):
    from urllib.parse import quote
    j = node.get_json("/api/v1/_zoek?q=" + quote(q))
    return j.get("totaal")


def source(b, n, sents, res, tag):
    """A with n pilots signed into its feed, running: (A, a title)."""
    A = Node(b, "meent bron %s" % tag)
    t0 = now()
    title = generate(A, n, sents)
    res["gen_s"] = now() - t0
    t0 = now()
    A.ctl("reindex")
    res["reindex_s"] = now() - t0
    print("  generated in %.1f s, reindexed in %.1f s" % (
        res["gen_s"], res["reindex_s"]), flush=True)
    # First start: A listens at once; its signer thread signs the outbox
    # into the feed meanwhile ("fed.flush" when done), which is waited for.
    t0 = now()
    A.start(timeout=max(120, n / 100))
    res["flush_start_s"] = A.start_s
    wait_for(lambda: A.log_events("fed.flush"), max(300, n / 50),
             "A's signer to sign the outbox")
    res["flush_s"] = now() - t0
    flush = A.log_events("fed.flush")
    res["flush_msg"] = flush[0]["msg"]
    st = A.stop()
    res["flush_rss_kb"] = st["maxrss_kb"]
    res["flush_anon_kb"] = st["peak"]["RssAnon"]
    res["db_mb"] = os.path.getsize(os.path.join(A.data, "meent.db")) / 2**20
    print("  A signed the outbox: start to listening %.2f s, to signed %.2f s"
          " (%s); peak RSS %s" % (A.start_s, res["flush_s"], res["flush_msg"],
                                  kb(st["maxrss_kb"])), flush=True)

    A.start(timeout=120)
    res["a_restart_s"] = A.start_s
    return A, title


def bench_sync(b, n, sents, res, tag):
    print("== initial sync of %d pilots" % n, flush=True)
    A, title = source(b, n, sents, res, tag)
    head = A.head()
    res["head"] = head
    B = Node(b, "meent doel %s" % tag)
    B.start()
    res["b_start_s"] = B.start_s
    a_cpu0, b_cpu0 = A.cpu(), B.cpu()
    first = [None]
    marks = []   # (time, applied): the first page, then each quarter
    t0 = now()
    B.pin(A, 3600)
    url = A.url()

    def synced():
        row = B.peer_row(url)
        if row is None:
            return False
        if row[5] and not row[4]:
            pass  # a failure is retried; the timeout decides
        if first[0] is None and row[1] > 0:
            first[0] = now()
            marks.append((first[0], row[1]))
        if marks and row[1] >= n * len(marks) / 4 and row[1] > marks[-1][1]:
            marks.append((now(), row[1]))
        return row[0] >= head
    try:
        wait_for(synced, b.sync_timeout, "B to reach A's head %d" % head,
                 step=0.1)
    except Fail as e:
        res["error"] = str(e)
    t1 = now()
    res["a_cpu_s"] = A.cpu() - a_cpu0
    res["b_cpu_s"] = B.cpu() - b_cpu0
    res["sync_s"] = t1 - t0
    res["first_s"] = (first[0] or t1) - t0
    row = B.peer_row(url)
    res["applied"], res["ignored"], res["quarantined"] = row[1], row[2], row[3]
    res["rate"] = row[1] / res["sync_s"]
    res["rate_steady"] = row[1] / max(t1 - (first[0] or t0), 1e-9)
    # Entries/s through the feed (after the first page, by quarters):
    # flat, or slowing down as B fills?
    res["quarters"] = [(b_[1] - a_[1]) / max(b_[0] - a_[0], 1e-9)
                       for a_, b_ in zip(marks, marks[1:])]
    res["b_has"] = B.pilots_of(A.uuid)
    res["b_pulls"] = [e["msg"] for e in B.log_events("fed.pull")]
    res["b_failed"] = [e["msg"] for e in B.log_events("fed.pull.failed")]
    # The search index on both sides: the same title finds the same pilot.
    word = title.split(": ", 1)[0]  # "Pilot NNN"
    res["search_a"] = search_total(A, '"%s"' % word)
    res["search_b"] = search_total(B, '"%s"' % word)
    sa, sb = A.stop(), B.stop()
    res["a_rss_kb"], res["b_rss_kb"] = sa["maxrss_kb"], sb["maxrss_kb"]
    res["a_anon_kb"], res["b_anon_kb"] = (sa["peak"]["RssAnon"],
                                          sb["peak"]["RssAnon"])
    res["a_file_kb"], res["b_file_kb"] = (sa["peak"]["RssFile"],
                                          sb["peak"]["RssFile"])
    print("  B synced %d of %d entries in %.2f s (%.0f/s; first entry after %.2f s,"
          " %.0f/s from there); applied %d, quarantined %d; B has %d;"
          " peak RSS A %s, B %s; CPU A %.1f s, B %.1f s" % (
              res["applied"], n, res["sync_s"], res["rate"], res["first_s"],
              res["rate_steady"], res["applied"], res["quarantined"],
              res["b_has"], kb(sa["maxrss_kb"]), kb(sb["maxrss_kb"]),
              res["a_cpu_s"], res["b_cpu_s"]), flush=True)
    if res["b_has"] != n or res["quarantined"]:
        res["error"] = "%sB holds %d of %d, %d quarantined" % (
            res["error"] + "; " if "error" in res else "", res["b_has"], n,
            res["quarantined"])
    return res


def bench_cgsync(b, n, sents, res):
    """The initial sync of n pilots with B under callgrind: B's instructions
    from `peer add` to A's head (counters zeroed once B listens)."""
    print("== initial sync of %d pilots, B under callgrind" % n, flush=True)
    A, _ = source(b, n, sents, res, "cg %d" % n)
    head = A.head()
    out = os.path.join(b.work, "callgrind.out")
    B = Node(b, "meent doel cg %d" % n)
    B.start(timeout=600, wrap=["valgrind", "--tool=callgrind",
                               "--callgrind-out-file=" + out])
    ctl = ["callgrind_control"]
    subprocess.run(ctl + ["-z", str(B.pid)], capture_output=True, check=True)
    B.pin(A, 3600)
    url = A.url()
    wait_for(lambda: (B.peer_row(url) or [0])[0] >= head, b.sync_timeout,
             "B under callgrind to reach A's head %d" % head, step=0.2)
    subprocess.run(ctl + ["-d", str(B.pid)], capture_output=True, check=True)
    res["b_has"] = B.pilots_of(A.uuid)
    A.stop()
    B.stop(timeout=300)
    ir = 0
    for path in glob.glob(out + ".*"):   # the dump asked for (.1)
        with open(path) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    ir += int(line.split()[1])
                    break
    res["ir"] = ir
    print("  B ran %s instructions for %d entries (%s each); B has %d" % (
        "{:,}".format(ir), n, "{:,}".format(ir // n), res["b_has"]),
        flush=True)
    if res["b_has"] != n:
        res["error"] = "B holds %d of %d" % (res["b_has"], n)
    return res


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5))
                                   - 1))]


def bench_latency(b, sents, samples, res):
    print("== publish-to-visible latency, %d samples" % samples, flush=True)
    rnd = random.Random(7)
    A = Node(b, "meent latentie A").start()
    B = Node(b, "meent latentie B").start()
    A.pin(B, 3600)
    B.pin(A, 3600)
    tok = A.ctl("token", "create", "--gemeente", "GM0344", "--role",
                "editor").strip()
    # Both first contacts done (each pulls the other once, then not for 1 h).
    wait_for(lambda: (B.peer_row(A.url()) or [0] * 6)[4] and
             (A.peer_row(B.url()) or [0] * 6)[4], 30, "first contacts",
             step=0.1)
    time.sleep(1.2)

    def publish(i):
        t0 = now()
        st, data = A.request("POST", "/api/v1/pilots",
                             publish_body(rnd, sents, i), token=tok)
        if st != 201:
            raise Fail("POST on A: %d %s" % (st, data[:300]))
        return t0, now(), json.loads(data)["id"]

    def visible(pid):
        return B.request("GET", "/api/v1/pilots/" + pid)[0] == 200

    lat, post = [], []
    for i in range(samples):
        t0, t1, pid = publish(i)
        wait_for(lambda: visible(pid), 30, "pilot %s on B" % pid, step=0.005)
        lat.append(now() - t0)
        post.append(t1 - t0)
        time.sleep(1.1)
    res["n"] = samples
    res["median"] = statistics.median(lat)
    res["p90"] = pct(lat, 90)
    res["max"] = max(lat)
    res["min"] = min(lat)
    res["post_median"] = statistics.median(post)
    print("  median %.3f s, p90 %.3f s, max %.3f s (POST itself: median "
          "%.3f s)" % (res["median"], res["p90"], res["max"],
                       res["post_median"]), flush=True)
    # A burst inside the once-a-second window, published by a thread while
    # this one watches B.
    burst = []

    def publisher():
        for i in range(5):
            burst.append(publish(1000 + i)[::2])
            time.sleep(0.2)
    pt = threading.Thread(target=publisher)
    pt.start()
    seen = {}
    deadline = now() + 12
    while now() < deadline and (pt.is_alive() or len(seen) < len(burst)):
        for t0, pid in list(burst):
            if pid not in seen and visible(pid):
                seen[pid] = now() - t0
        time.sleep(0.005)
    pt.join(30)
    res["burst"] = [seen.get(pid) for _, pid in burst]
    print("  burst of 5, 0.2 s apart: %s" % ", ".join(
        "%.2f s" % x if x is not None else "not in 10 s"
        for x in res["burst"]), flush=True)
    A.stop()
    B.stop()
    return res


def bench_mesh(b, sents, size, publishes, clients, res):
    print("== mesh of %d, %d publishes" % (size, publishes), flush=True)
    nodes = [Node(b, "meent mesh %d" % i, threads=2) for i in range(size)]
    codes = [r[0] for r in nodes[0].sql("SELECT code FROM gemeenten ORDER BY"
                                        " code LIMIT ?", (size,))]
    toks = [n.ctl("token", "create", "--gemeente", codes[i], "--role",
                  "editor").strip() for i, n in enumerate(nodes)]
    for n in nodes:
        n.start()
    t0 = now()
    for n in nodes:
        for m in nodes:
            if m is not n:
                n.pin(m, 5)
    res["pin_s"] = now() - t0

    def contacts():
        return all(r[0] for n in nodes for r in n.sql(
            "SELECT last_success IS NOT NULL FROM peers"))
    wait_for(contacts, 60, "every first contact in the mesh", step=0.2)
    rnd = random.Random(11)
    work = queue.Queue()
    for i in range(publishes):
        work.put((i, rnd.randrange(size)))
    errors = []

    def client(seed):
        r = random.Random(seed)
        while True:
            try:
                i, k = work.get_nowait()
            except queue.Empty:
                return
            try:
                st, data = nodes[k].request("POST", "/api/v1/pilots",
                                            publish_body(r, sents, i),
                                            token=toks[k])
                if st != 201:
                    errors.append("%d %s" % (st, data[:200]))
            except Exception as e:
                errors.append(str(e))
    threads = [threading.Thread(target=client, args=(s,))
               for s in range(clients)]
    t0 = now()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    t1 = now()
    if errors:
        raise Fail("publishes failed: %d, e.g. %s" % (len(errors), errors[0]))
    done = {}

    def converged():
        for i, n in enumerate(nodes):
            if i not in done and n.pilots_public() >= publishes:
                done[i] = now()
        return len(done) == size
    wait_for(converged, 300, "all %d instances to hold %d pilots" %
             (size, publishes), step=0.1)
    t2 = now()
    res["publish_s"] = t1 - t0
    res["after_last_s"] = t2 - t1
    res["total_s"] = t2 - t0
    res["first_done_s"] = min(done.values()) - t1
    res["quarantined"] = sum(n.sql("SELECT coalesce(sum(quarantined), 0) "
                                   "FROM peers")[0][0] for n in nodes)
    res["failed"] = sum(len(n.log_events("fed.pull.failed")) for n in nodes)
    rss = [n.stop()["maxrss_kb"] for n in nodes]
    res["rss_max_kb"] = max(rss)
    res["rss_min_kb"] = min(rss)
    print("  publishes took %.2f s; all %d converged %.2f s after the last"
          " (first %.2f s); %.2f s in all; quarantined %d, failed pulls %d;"
          " peak RSS %s..%s" % (res["publish_s"], size, res["after_last_s"],
                                res["first_done_s"], res["total_s"],
                                res["quarantined"], res["failed"],
                                kb(res["rss_min_kb"]), kb(res["rss_max_kb"])),
          flush=True)
    return res


# --- report ------------------------------------------------------------------

def table(args, syncs, lat, mesh, wall, cg=None):
    out = []
    rev = subprocess.run(["git", "-C", os.path.dirname(__file__), "describe",
                          "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip()
    out.append("meent federation benchmark, %s, %s, %d CPUs, build %s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), rev or "?",
        os.cpu_count(), os.path.basename(os.path.abspath(args.build))))
    out.append("")
    out.append("%-44s %s" % ("what", "result"))
    for s in syncs:
        n = s["n"]
        out.append("%-44s %.2f s, %.0f entries/s (steady %.0f/s)%s" % (
            "sync %d pilots, peer add -> B at head" % n, s["sync_s"],
            s["rate"], s["rate_steady"],
            "" if "error" not in s else "  ERROR " + s["error"]))
        out.append("%-44s first page after %.2f s; CPU A %.1f s, B %.1f s;"
                   " applied %d, quarantined %d" % (
                       "", s["first_s"], s["a_cpu_s"], s["b_cpu_s"],
                       s["applied"], s["quarantined"]))
        out.append("%-44s %s" % ("  entries/s as B fills (by quarter)",
                                 " / ".join("%.0f" % q
                                            for q in s["quarters"]) or "-"))
        out.append("%-44s A %s (anon %s), B %s (anon %s)" % (
            "  peak RSS during the sync", kb(s["a_rss_kb"]),
            kb(s["a_anon_kb"]), kb(s["b_rss_kb"]), kb(s["b_anon_kb"])))
        out.append("%-44s %.2f s to listening (fresh B: %.2f s), %.2f s to"
                   " signed; %s; peak RSS %s (anon %s)" % (
                       "  A signs its outbox after start", s["flush_start_s"],
                       s["b_start_s"], s["flush_s"], s["flush_msg"],
                       kb(s["flush_rss_kb"]), kb(s["flush_anon_kb"])))
        out.append("%-44s insert %.1f s, reindex %.1f s; meent.db %.0f MB;"
                   " search both sides %s/%s" % (
                       "  setup (SQL into A, A stopped)", s["gen_s"],
                       s["reindex_s"], s["db_mb"], s["search_a"],
                       s["search_b"]))
    if cg:
        out.append("%-44s %s Ir per entry (%s for %d; B's whole process"
                   " under callgrind, peer add -> head)%s" % (
                       "sync %d pilots, B's instructions" % cg["n"],
                       "{:,}".format(cg["ir"] // cg["n"]),
                       "{:,}".format(cg["ir"]), cg["n"],
                       "" if "error" not in cg else "  ERROR " + cg["error"]))
    if lat:
        out.append("%-44s median %.3f s, p90 %.3f s, max %.3f s (min %.3f;"
                   " POST %.3f)" % (
                       "publish on A -> visible on B, %d samples" % lat["n"],
                       lat["median"], lat["p90"], lat["max"], lat["min"],
                       lat["post_median"]))
        out.append("%-44s %s" % (
            "  burst of 5 publishes 0.2 s apart", ", ".join(
                "%.2f s" % x if x is not None else "not in 10 s"
                for x in lat["burst"])))
    if mesh:
        out.append("%-44s %.2f s after the last publish (%.2f s in all;"
                   " publishing took %.2f s)" % (
                       "mesh %d x %d pins, %d publishes -> all hold all"
                       % (mesh["size"], mesh["size"] - 1, mesh["publishes"]),
                       mesh["after_last_s"], mesh["total_s"],
                       mesh["publish_s"]))
        out.append("%-44s quarantined %d, failed pulls %d, peak RSS %s..%s" % (
            "", mesh["quarantined"], mesh["failed"], kb(mesh["rss_min_kb"]),
            kb(mesh["rss_max_kb"])))
    out.append("%-44s %.0f s" % ("benchmark run time", wall))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--content", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--results")
    ap.add_argument("--pilots", default="20000,100000")
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--mesh", type=int, default=10)
    ap.add_argument("--publishes", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--only", default="sync,latency,mesh",
                    help="of sync, latency, mesh, cgsync")
    ap.add_argument("--cg-pilots", type=int, default=2000,
                    help="pilots of the sync under callgrind (cgsync)")
    ap.add_argument("--sync-timeout", type=float, default=1500,
                    help="seconds one initial sync may take; past it the"
                    " entries applied so far give the rate")
    args = ap.parse_args()
    only = set(args.only.split(","))

    def term(sig, frame):
        raise SystemExit("terminated")
    signal.signal(signal.SIGTERM, term)
    signal.signal(signal.SIGINT, term)
    b = Bench(args)
    sents = sentences(b.content)
    t_start = now()
    syncs, lat, mesh, cg = [], None, None, None
    rc = 0
    try:
        if "sync" in only:
            for n in [int(x) for x in args.pilots.split(",") if x]:
                syncs.append(bench_sync(b, n, sents, {"n": n}, str(n)))
        if "cgsync" in only:
            cg = bench_cgsync(b, args.cg_pilots, sents, {"n": args.cg_pilots})
        if "latency" in only:
            lat = bench_latency(b, sents, args.samples, {})
        if "mesh" in only:
            mesh = bench_mesh(b, sents, args.mesh, args.publishes,
                              args.clients, {"size": args.mesh,
                                             "publishes": args.publishes})
    except Fail as e:
        print("FAILED: %s" % e, file=sys.stderr, flush=True)
        rc = 1
    finally:
        b.stop_all()
    text = table(args, syncs, lat, mesh, now() - t_start, cg)
    print()
    print(text, end="")
    if args.results and rc == 0:  # also with a sync's ERROR in the table
        os.makedirs(os.path.dirname(args.results), exist_ok=True)
        with open(args.results, "w") as f:
            f.write(text)
        print("written to %s" % args.results)
    if any("error" in s for s in syncs + ([cg] if cg else [])):
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
