# SPDX-License-Identifier: EUPL-1.2
"""Federation against a hostile peer played by this test: a fake instance
(its own Ed25519 key, UUID and epoch) serving /.well-known/meent and
/federation/v1/changes pages the test controls, pinned by one real meentd
subscriber and pulled on signed notifies.

Refused or quarantined, with the reason logged and in `peer status`, and
nothing changed locally, after which the next good page still applies:
tampered bodies and fields, a re-serialised body, another key claiming the
peer's origin, an origin the peer may not speak for, replayed older
versions (ignored), an entry body over 1 MiB (the rest of the page
applies), Markdown that markdown_check() refuses (a pilot, a guideline
revision), answers of 100 MB (with and without Content-Length), a trickle
below the low-speed limit, truncated JSON and a connection cut short, HTTP
500 and 404, a redirect to another host (not followed), a /.well-known key
that is not the pinned one. A page mixing good and bad entries applies the
good ones and moves the cursor to its `next`. `peer add` refuses other
schemes; a subscriber without the loopback test setting refuses http:// to
127.0.0.1 and https:// to a private address when pulling."""
import base64
import hashlib
import http.client
import http.server
import json
import select
import socket
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from harness import Instance, Tap, finish

t = Tap()
MiB = 1024 * 1024

SIG_RE = ("handtekening", "signature", "sig")
TRUST_RE = ("niet vertrouwd", "not trusted")
SIZE_RE = ("mib", "groot", "large", "size", "1048576")
KEY_RE = ("sleutel komt niet overeen", "key mismatch")
REFUSED_RE = ("refused", "address", "adres", "not allowed", "private",
              "loopback", "geweigerd", "https", "scheme")


def says(text, words):
    """Whether text names one of words (case-insensitive)."""
    return text is not None and any(w in text.lower() for w in words)


def b64(b):
    return base64.b64encode(b).decode()


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Origin:
    """An instance identity: UUID, Ed25519 key, its own originSeq."""

    def __init__(self):
        self.uuid = str(uuid.uuid4())
        self.key = Ed25519PrivateKey.generate()
        self.pub = b64(self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))
        self.seq = 0

    def sign(self, msg):
        return b64(self.key.sign(msg))


def fed_message(origin, origin_seq, kind, eid, version, deleted, body):
    return ("meent-fed-v1\n%s\n%d\n%s\n%s\n%d\n%d\n%s" % (
        origin, origin_seq, kind, eid, version, 1 if deleted else 0,
        hashlib.sha256(body.encode("utf-8")).hexdigest())).encode("utf-8")


def entry(signer, eid, version, body, origin=None, deleted=False,
          kind="pilot"):
    """An entry signed by signer over exactly these fields (no seq yet)."""
    origin = origin or signer.uuid
    signer.seq += 1
    return {"origin": origin, "originSeq": signer.seq, "kind": kind,
            "id": eid, "version": version, "deleted": deleted, "body": body,
            "sig": signer.sign(fed_message(origin, signer.seq, kind, eid,
                                           version, deleted, body))}


def pilot_obj(pid, versie, titel, aanpak="We proberen het uit."):
    stamp = "2025-06-%02dT10:00:00Z" % min(versie, 28)
    return {"id": pid, "gemeente": "GM0344", "versie": versie,
            "aangemaakt": "2025-06-01T10:00:00Z", "gewijzigd": stamp,
            "titel": titel, "samenvatting": "Een pilot van de nep-peer.",
            "domein": "jeugd", "status": "lopend",
            "vraag": "Komt dit aan?", "zichtbaarheid": "openbaar",
            "stakeholders": [], "tags": [], "contact": "",
            "voorbeeld": False, "start": None, "einde": None,
            "aanvrager": None, "richtlijnen": [], "indicatoren": [],
            "aanpak": aanpak, "data": "", "resultaten": "", "lessen": "",
            "privacy": ""}


def pilot_entry(signer, pid, versie, titel, origin=None, **kw):
    return entry(signer, pid, versie, compact(pilot_obj(pid, versie, titel,
                                                         **kw)),
                 origin=origin)


class Peer(http.server.ThreadingHTTPServer):
    """The fake federation peer. `mode` says how /changes answers:
    ("page", [entries]) a page after the subscriber's cursor (seq assigned
    here); ("status", code, [entries]) a valid page with another status;
    ("redirect", url); ("truncated", [entries]); ("cut", [entries]);
    ("big", total_bytes, with_length, [entries]); ("trickle", [entries])."""

    daemon_threads = True

    def __init__(self, ident, host="127.0.0.1"):
        self.ident = ident
        self.epoch = str(uuid.uuid4())
        self.lock = threading.Lock()
        self.requests = []
        self.pages = []           # (after, next) of every page served
        self.mode = ("page", [])
        self.wellknown_key = None  # another publicKey to announce
        self.stop = threading.Event()
        self.stream_done = threading.Event()
        self.sent = 0
        super().__init__((host, 0), PeerHandler)
        self.url = "http://%s:%d" % (host, self.server_address[1])
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def set(self, *mode):
        with self.lock:
            self.mode = mode

    def paths(self, since=0):
        with self.lock:
            return [p.split("?")[0] for p in self.requests[since:]]

    def page(self, after, entries):
        out = []
        for i, e in enumerate(entries):
            d = {"seq": after + 1 + i}
            d.update(e)
            out.append(d)
        nxt = after + len(entries)
        with self.lock:
            self.pages.append((after, nxt))
        return {"instance": self.ident.uuid, "epoch": self.epoch,
                "head": nxt, "entries": out, "next": nxt, "more": False}


class PeerHandler(http.server.BaseHTTPRequestHandler):
    timeout = 40  # a send to a client that stopped reading ends

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def client_gone(self, wait):
        """Wait up to `wait` s; True when the client closed its end."""
        r, _, _ = select.select([self.connection], [], [], wait)
        if not r:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def do_GET(self):
        srv = self.server
        path, _, query = self.path.partition("?")
        with srv.lock:
            srv.requests.append(self.path)
            mode = srv.mode
            key = srv.wellknown_key or srv.ident.pub
        if path == "/.well-known/meent":
            wk = {"instance": srv.ident.uuid, "name": "nep-peer",
                  "baseUrl": srv.url, "publicKey": key, "protocol": 1,
                  "epoch": srv.epoch, "relay": False, "origins": []}
            return self.reply(200, json.dumps(wk).encode())
        if path != "/federation/v1/changes":
            return self.reply(404, b'{"title":"niet gevonden"}')
        q = urllib.parse.parse_qs(query)
        try:
            after = int(q.get("after", ["0"])[0])
        except ValueError:
            return self.reply(400, b'{"title":"after"}')
        kind = mode[0]
        try:
            if kind == "page":
                self.reply(200, json.dumps(srv.page(after, mode[1])).encode())
            elif kind == "shrunk":
                # A history shorter than the subscriber's cursor (head 1),
                # same epoch; from 0 the page as usual.
                if after > 0:
                    self.reply(200, json.dumps({
                        "instance": srv.ident.uuid, "epoch": srv.epoch,
                        "head": 1, "entries": [], "next": 1,
                        "more": False}).encode())
                else:
                    self.reply(200, json.dumps(srv.page(0, mode[1]))
                               .encode())
            elif kind == "status":
                self.reply(mode[1], json.dumps(srv.page(after, mode[2]))
                           .encode())
            elif kind == "redirect":
                self.reply(302, b"", extra=[("Location", mode[1] + "?after="
                                             "%d&limit=500" % after)])
            elif kind == "truncated":
                text = json.dumps(srv.page(after, mode[1])).encode()
                self.reply(200, text[:len(text) * 2 // 3])
            elif kind == "cut":
                text = json.dumps(srv.page(after, mode[1])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text[:len(text) // 2])
                self.close_connection = True
            elif kind == "big":
                self.big(after, *mode[1:])
            elif kind == "trickle":
                self.trickle(after, mode[1])
        except OSError:
            pass

    def big(self, after, total, with_length, entries):
        """A valid page padded with spaces to `total` bytes, in chunks."""
        srv = self.server
        text = json.dumps(srv.page(after, entries)).encode()
        head, tail = text[:-1], text[-1:]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if with_length:
            self.send_header("Content-Length", str(total))
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        chunk = b" " * 65536
        pad = total - len(head) - len(tail)
        try:
            self.wfile.write(head)
            sent = len(head)
            while pad > 0 and not srv.stop.is_set():
                n = min(pad, len(chunk))
                self.wfile.write(chunk[:n])
                pad -= n
                sent += n
                with srv.lock:
                    srv.sent = sent
            if pad == 0:
                self.wfile.write(tail)
                sent += len(tail)
        except OSError:
            pass
        finally:
            with srv.lock:
                srv.sent = sent
            self.close_connection = True
            srv.stream_done.set()

    def trickle(self, after, entries):
        """A valid page, one byte a second, until the client goes away."""
        srv = self.server
        text = json.dumps(srv.page(after, entries)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        sent = 0
        deadline = time.time() + 45
        try:
            for i in range(len(text)):
                if srv.stop.is_set() or time.time() > deadline:
                    break
                self.wfile.write(text[i:i + 1])
                sent += 1
                with srv.lock:
                    srv.sent = sent
                if self.client_gone(1.0):
                    break
        except OSError:
            pass
        finally:
            self.close_connection = True
            srv.stream_done.set()


def notify(inst, ident, signer=None):
    now = int(time.time())
    msg = b"meent-notify-v1\n" + ident.uuid.encode() + b"\n" + \
        str(now).encode()
    return inst.request("POST", "/federation/v1/notify", body={
        "instance": ident.uuid, "time": now,
        "sig": (signer or ident).sign(msg)})


def peer_status(inst, url):
    p = inst.ctl("peer", "status")
    try:
        arr = json.loads(p.stdout)
    except ValueError:
        return None
    for o in arr if isinstance(arr, list) else []:
        if isinstance(o, dict) and (o.get("url") or "").rstrip("/") == url:
            return o
    return None


def field(st, name, default=None):
    return st.get(name, default) if isinstance(st, dict) else default


PULL_EVENTS = ("fed.pull", "fed.pull.failed")


class Pull:
    pass


class Subscriber:
    """A meentd that has pinned one fake peer; pulls on notify."""

    def __init__(self, inst, peer):
        self.inst = inst
        self.peer = peer
        self.last_notify = 0.0

    def status(self):
        return peer_status(self.inst, self.peer.url)

    def events(self, since, *names):
        return [l for l in self.inst.log_lines()[since:]
                if l.get("event") in names]

    def pull(self, timeout=10):
        """Notify, wait for the pull's outcome in the log, then for the
        status to reflect it. Bounded."""
        p = Pull()
        p.before = self.status()
        p.log0 = len(self.inst.log_lines())
        p.req0 = len(self.peer.requests)
        gap = self.last_notify + 1.15 - time.time()
        if gap > 0:
            time.sleep(gap)   # at most one pull a second per peer
        t0 = time.time()
        try:
            p.notify = notify(self.inst, self.peer.ident).status
        except (OSError, http.client.HTTPException) as e:
            p.notify = None      # the checks of this case will say so
            print("# notify to the subscriber failed: %r" % e)
        self.last_notify = time.time()
        p.timed_out = True
        while time.time() < t0 + timeout:
            if self.events(p.log0, *PULL_EVENTS):
                p.timed_out = False
                break
            time.sleep(0.05)
        p.elapsed = time.time() - t0
        p.after = self.status()
        end = time.time() + 3
        while p.after == p.before and time.time() < end:
            time.sleep(0.1)
            p.after = self.status()
        p.lines = self.inst.log_lines()[p.log0:]
        return p

    def delta(self, p, name):
        return field(p.after, name, 0) - field(p.before, name, 0)

    def pilot(self, pid):
        r = self.inst.get("/api/v1/pilots/" + pid)
        return r.status, (r.json() if r.status == 200 else None)


def lines_of(p, event):
    return [l for l in p.lines if l.get("event") == event]


def main(state):
    PEER = Origin()
    OTHER = Origin()         # another instance: its own key and UUID
    peer = Peer(PEER)
    state["servers"].append(peer)
    elsewhere = Peer(PEER, host="127.0.0.2")   # the redirect's target
    state["servers"].append(elsewhere)
    elsewhere.set("page", [pilot_entry(PEER, str(uuid.uuid4()), 1,
                                       "Van de omleiding")])

    # The pilot that stays: A, version 1 in the first page.
    A = str(uuid.uuid4())
    a_state = {"versie": 1, "titel": "Pilot A van de nep-peer"}
    A1 = pilot_entry(PEER, A, 1, a_state["titel"])
    peer.set("page", [A1])

    inst = Instance(settings={"federation_allow_http_loopback": "true"})
    state["instances"].append(inst)
    r = inst.ctl("peer", "add", peer.url, "--key", PEER.pub, "--interval",
                 "3600")
    t.eq(r.returncode, 0, "peer add pins the fake peer")
    if r.returncode != 0:
        print("# " + r.stderr.strip())
    inst.start()
    sub = Subscriber(inst, peer)
    t.ok(peer.url in inst.ctl("peer", "list").stdout, "peer list shows it")

    # The first pull is due at once; a notify only works after the first
    # contact has recorded the peer's instance.
    deadline = time.time() + 15
    st = sub.status()
    while time.time() < deadline and field(st, "lastSuccess") is None:
        time.sleep(0.2)
        st = sub.status()
    if field(st, "lastSuccess") is None:
        sub.pull()
        st = sub.status()
    t.ok(st is not None and field(st, "lastSuccess") is not None,
         "the first pull succeeds", st)
    t.eq((field(st, "instance"), field(st, "epoch"), field(st, "cursor"),
          field(st, "applied"), field(st, "relay"), field(st, "interval")),
         (PEER.uuid, peer.epoch, 1, 1, False, 3600),
         "peer status: instance, epoch, cursor, applied, relay, interval")
    code, a = sub.pilot(A)
    t.ok(code == 200 and a["origin"] == PEER.uuid and a["versie"] == 1
         and a["titel"] == a_state["titel"],
         "the peer's pilot is there, with its origin", (code, a))
    if field(st, "lastSuccess") is None:
        t.ok(False, "no first contact: giving up")
        return

    # Notifies: a wrong signature or an unknown sender changes nothing.
    r = notify(inst, PEER, signer=OTHER)
    t.ok(r.status in (400, 403), "a notify with another key's signature: "
         "refused (%d)" % r.status)
    r = notify(inst, OTHER)
    t.ok(r.status in (400, 403), "a notify from an unknown instance: "
         "refused (%d)" % r.status)
    time.sleep(1.2)

    def a_unchanged():
        code, a = sub.pilot(A)
        ok = code == 200 and a["versie"] == a_state["versie"] and \
            a["titel"] == a_state["titel"]
        return ok, "A: %d %r" % (code, a and (a["versie"], a["titel"]))

    def next_good(name):
        pid = str(uuid.uuid4())
        peer.set("page", [pilot_entry(PEER, pid, 1, "Goed na " + name)])
        p = sub.pull()
        code, body = sub.pilot(pid)
        t.ok(code == 200 and body["origin"] == PEER.uuid,
             "%s: the next good page applies" % name,
             (code, field(p.after, "lastError"), p.lines[-3:]))

    def quarantined(name, entries, bad, words, new_ids=()):
        """entries: the page; bad: [(id, version)] that must be
        quarantined for a reason naming one of words; new_ids: ids that
        must not exist afterwards; A must be unchanged."""
        peer.set("page", entries)
        p = sub.pull()
        n = len(bad)
        t.eq(sub.delta(p, "quarantined"), n,
             "%s: %d entr%s quarantined" % (name, n, "y" if n == 1 else
                                             "ies"))
        q = field(p.after, "quarantine", []) or []
        got = sorted((x.get("id"), x.get("version")) for x in q[:n])
        t.ok(got == sorted(bad) and all(says(x.get("reason"), words)
                                       for x in q[:n]),
             "%s: peer status names each with its reason" % name,
             json.dumps(q[:n]))
        logged = lines_of(p, "fed.quarantine")
        t.ok(len(logged) == n and all(any(
            i in (l.get("msg") or "") and says(l.get("msg"), words)
            for l in logged) for i, _ in bad),
             "%s: fed.quarantine logged with the id and reason" % name,
             [l.get("msg") for l in logged])
        ok_a, why_a = a_unchanged()
        gone = [(i, sub.pilot(i)[0]) for i in new_ids]
        t.ok(sub.delta(p, "applied") == 0 and ok_a and
             all(c == 404 for _, c in gone),
             "%s: nothing changes here (new ids 404, A unchanged)" % name,
             (sub.delta(p, "applied"), why_a, gone))
        t.eq(field(p.after, "cursor"), peer.pages[-1][1],
             "%s: the page is taken, cursor at its next" % name)
        next_good(name)

    def refused(name, mode, words, timeout=10, after=None):
        """A pull that must fail as a whole: logged, lastError naming one
        of words, cursor and content unchanged. The page (if any) holds a
        good new pilot that must not appear."""
        pid = str(uuid.uuid4())
        good = pilot_entry(PEER, pid, 1, "Mag niet aankomen " + name)
        peer.set(*[x if x != "ENTRIES" else [good] for x in mode])
        p = sub.pull(timeout=timeout)
        failed = lines_of(p, "fed.pull.failed")
        t.ok(failed and not lines_of(p, "fed.pull"),
             "%s: fed.pull.failed logged" % name,
             p.lines[-5:] if p.lines else "no log line (timed out)")
        err = field(p.after, "lastError")
        t.ok(says(err, words) and field(p.after, "lastErrorAt") !=
             field(p.before, "lastErrorAt"),
             "%s: lastError gives the reason: %r" % (name, err),
             (err, [l.get("msg") for l in failed]))
        ok_a, why_a = a_unchanged()
        code = sub.pilot(pid)[0]
        t.ok(code == 404 and ok_a and sub.delta(p, "applied") == 0 and
             field(p.after, "cursor") == field(p.before, "cursor"),
             "%s: nothing applied, cursor unchanged" % name,
             (code, why_a, sub.delta(p, "applied"),
              field(p.before, "cursor"), field(p.after, "cursor")))
        if after:
            after(p)
        next_good(name)
        return p

    # --- the peer's /.well-known announces another key ----------------
    peer.wellknown_key = OTHER.pub

    def no_changes_request(p):
        paths = peer.paths(p.req0)
        t.ok("/.well-known/meent" in paths and
             "/federation/v1/changes" not in paths,
             "key mismatch: the feed is not even asked for", paths)
        peer.wellknown_key = None
    refused("/.well-known key mismatch", ("page", "ENTRIES"), KEY_RE,
            after=no_changes_request)

    # --- 1. body bytes changed after signing --------------------------
    n1 = str(uuid.uuid4())
    e_a = pilot_entry(PEER, A, 2, "Pilot A versie 2")
    e_a["body"] = e_a["body"].replace("Pilot A versie 2", "Pilot A vervalst")
    e_n = pilot_entry(PEER, n1, 1, "Een nieuwe pilot")
    e_n["body"] = e_n["body"].replace("GM0344", "GM0014")
    quarantined("tampered body", [e_a, e_n], [(A, 2), (n1, 1)], SIG_RE,
                new_ids=[n1])

    # --- 2. fields changed after signing: version, id, deleted --------
    y1, y2 = str(uuid.uuid4()), str(uuid.uuid4())
    e_v = pilot_entry(PEER, A, 2, "Pilot A versie 2")
    e_v["version"] = 3
    e_i = pilot_entry(PEER, y1, 1, "Een pilot met een ander id")
    e_i["id"] = y2
    e_d = entry(PEER, A, 4, "{}", deleted=False)
    e_d["deleted"] = True
    quarantined("tampered fields", [e_v, e_i, e_d],
                [(A, 3), (y2, 1), (A, 4)], SIG_RE, new_ids=[y1, y2])

    # --- 3. the same JSON value, other bytes --------------------------
    n3 = str(uuid.uuid4())
    e_r = pilot_entry(PEER, A, 2, "Pilot A versie 2")
    obj = json.loads(e_r["body"])
    e_r["body"] = compact(dict(reversed(list(obj.items()))))
    e_s = pilot_entry(PEER, n3, 1, "Een pilot met spaties")
    e_s["body"] = json.dumps(json.loads(e_s["body"]), ensure_ascii=False)
    assert json.loads(e_r["body"]) == obj and e_r["body"] != compact(obj)
    quarantined("re-serialised body", [e_r, e_s], [(A, 2), (n3, 1)], SIG_RE,
                new_ids=[n3])

    # --- 4. a valid signature by another key, claiming the peer ------
    n4 = str(uuid.uuid4())
    e_o = pilot_entry(OTHER, A, 2, "Pilot A versie 2", origin=PEER.uuid)
    e_p = pilot_entry(OTHER, n4, 1, "Een pilot met een vreemde sleutel",
                      origin=PEER.uuid)
    quarantined("another key claiming the peer's origin", [e_o, e_p],
                [(A, 2), (n4, 1)], SIG_RE, new_ids=[n4])

    # --- 5. an origin this non-relay peer may not speak for ----------
    n5 = str(uuid.uuid4())
    e_u = pilot_entry(OTHER, n5, 1, "Een pilot van elders")
    e_ua = pilot_entry(OTHER, A, 2, "Pilot A van elders")
    quarantined("unknown origin", [e_u, e_ua], [(n5, 1), (A, 2)], TRUST_RE,
                new_ids=[n5])
    st = sub.status()
    t.ok(all(x.get("origin") == OTHER.uuid for x in
             (field(st, "quarantine", []) or [])[:2]),
         "unknown origin: the quarantine names that origin")

    # --- 6. a replayed older version after a newer one ----------------
    A2 = pilot_entry(PEER, A, 2, "Pilot A versie 2")
    peer.set("page", [A2])
    p = sub.pull()
    t.eq(p.notify, 202, "a signed notify from the pinned peer: 202")
    code, a = sub.pilot(A)
    t.ok(code == 200 and a["versie"] == 2 and a["titel"] == "Pilot A versie 2"
         and sub.delta(p, "applied") == 1, "version 2 of A applies",
         (code, a and a["versie"], p.lines[-3:]))
    a_state.update(versie=2, titel="Pilot A versie 2")
    peer.set("page", [A2, A1])   # v1 last: applied, it would win
    p = sub.pull()
    t.eq((sub.delta(p, "ignored"), sub.delta(p, "applied"),
          sub.delta(p, "quarantined")), (2, 0, 0),
         "replayed v1 and v2: both ignored (ignored, applied, quarantined)")
    t.ok(len(lines_of(p, "fed.ignored")) == 2 and
         all(A in (l.get("msg") or "") for l in lines_of(p, "fed.ignored")),
         "replay: fed.ignored logged for each",
         [l.get("msg") for l in lines_of(p, "fed.ignored")])
    ok_a, why_a = a_unchanged()
    t.ok(ok_a, "replay: A stays at version 2", why_a)
    t.eq(field(p.after, "cursor"), peer.pages[-1][1],
         "replay: the page is taken, cursor at its next")
    next_good("replayed older version")

    # --- 7. an entry body over 1 MiB; the rest of the page applies ---
    g1, g2, nb = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    e_big = pilot_entry(PEER, nb, 1, "Een veel te grote pilot",
                        aanpak="x" * (MiB + 1000))
    assert len(e_big["body"].encode()) > MiB
    peer.set("page", [pilot_entry(PEER, g1, 1, "Goed voor de grote"), e_big,
                      pilot_entry(PEER, g2, 1, "Goed na de grote")])
    p = sub.pull()
    q = field(p.after, "quarantine", []) or []
    t.ok(sub.delta(p, "quarantined") == 1 and q and q[0].get("id") == nb
         and says(q[0].get("reason"), SIZE_RE),
         "body over 1 MiB: quarantined for its size", json.dumps(q[:1]))
    t.ok(any(nb in (l.get("msg") or "") and says(l.get("msg"), SIZE_RE)
             for l in lines_of(p, "fed.quarantine")),
         "body over 1 MiB: fed.quarantine logged with the id and reason",
         [l.get("msg") for l in lines_of(p, "fed.quarantine")])
    t.ok(sub.pilot(nb)[0] == 404 and sub.pilot(g1)[0] == 200 and
         sub.pilot(g2)[0] == 200 and sub.delta(p, "applied") == 2,
         "body over 1 MiB: not here; the entries around it apply",
         (sub.pilot(nb)[0], sub.pilot(g1)[0], sub.pilot(g2)[0],
          sub.delta(p, "applied")))
    t.eq(field(p.after, "cursor"), peer.pages[-1][1],
         "body over 1 MiB: cursor at the page's next")
    next_good("body over 1 MiB")

    # --- a page mixing good and bad entries ---------------------------
    goods = [str(uuid.uuid4()) for _ in range(3)]
    bads = [str(uuid.uuid4()) for _ in range(2)]
    e_t = pilot_entry(PEER, bads[0], 1, "Vervalst in de mix")
    e_t["body"] = e_t["body"].replace("mix", "MIX")
    page = [pilot_entry(PEER, goods[0], 1, "Goed in de mix"), e_t,
            pilot_entry(PEER, goods[1], 1, "Één loket voor jongeren"),
            pilot_entry(OTHER, bads[1], 1, "Van elders in de mix"),
            pilot_entry(OTHER, A, 3, "A vervalst in de mix",
                        origin=PEER.uuid),
            pilot_entry(PEER, goods[2], 1, "Laatste goede in de mix")]
    peer.set("page", page)
    p = sub.pull()
    t.eq((sub.delta(p, "applied"), sub.delta(p, "quarantined")), (3, 3),
         "mixed page: 3 applied, 3 quarantined")
    codes = [sub.pilot(i)[0] for i in goods + bads]
    ok_a, why_a = a_unchanged()
    t.ok(codes == [200, 200, 200, 404, 404] and ok_a,
         "mixed page: the good ones are here, the bad ones not",
         (codes, why_a))
    code, body = sub.pilot(goods[1])
    t.eq(body and body["titel"], "Één loket voor jongeren",
         "mixed page: a non-ASCII body verifies and reads back")
    t.eq(field(p.after, "cursor"), peer.pages[-1][1],
         "mixed page: the cursor ends at the page's next")

    # --- an entry that fails after part of it is stored ----------------
    # A page is applied first without a savepoint per entry (db_flat); a
    # pilot whose attachment list is not a list is stored before the list
    # is read, so the page must be applied again, entry by entry, and
    # nothing of that pilot may stay (not its row, not its search terms).
    # A forged entry before it is quarantined in both passes, logged once.
    g3, g4, pb = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    pf = str(uuid.uuid4())
    broken = pilot_obj(pb, 1, "Kapotte bijlagen kwartelkoning")
    broken["bijlagen"] = 5
    e_pb = entry(PEER, pb, 1, compact(broken))
    e_pf = pilot_entry(PEER, pf, 1, "Vervalst voor de kapotte")
    e_pf["body"] = e_pf["body"].replace("Vervalst", "VERVALST")
    peer.set("page", [pilot_entry(PEER, g3, 1, "Goed voor de kapotte"), e_pf,
                      e_pb, pilot_entry(PEER, g4, 1, "Goed na de kapotte")])
    p = sub.pull()
    q = field(p.after, "quarantine", []) or []
    t.ok((sub.delta(p, "applied"), sub.delta(p, "quarantined")) == (2, 2)
         and sorted(x.get("id") for x in q[:2]) == sorted([pb, pf]) and
         any(x.get("id") == pb and says(x.get("reason"), ("bijlagen",))
             for x in q[:2]),
         "failed part-way: 2 applied, it (bijlagen) and the forged one "
         "quarantined", (sub.delta(p, "applied"), json.dumps(q[:2])))
    logged = sorted(pb in (l.get("msg") or "") for l in
                    lines_of(p, "fed.quarantine"))
    t.eq(logged, [False, True],
         "failed part-way: fed.quarantine logged once for each")
    t.ok([sub.pilot(i)[0] for i in (g3, pf, pb, g4)] == [200, 404, 404, 200],
         "failed part-way: the good pilots are here, the others not",
         [sub.pilot(i)[0] for i in (g3, pf, pb, g4)])
    found = sub.inst.get("/api/v1/pilots?q=kwartelkoning").json()
    t.eq(found.get("totaal"), 0,
         "failed part-way: its title is not in the search index")
    t.ok(len(lines_of(p, "fed.again")) == 1,
         "failed part-way: fed.again logged once (the page applied again)",
         [l.get("event") for l in p.lines])
    t.eq(field(p.after, "cursor"), peer.pages[-1][1],
         "failed part-way: the cursor ends at the page's next")

    # --- Markdown that would make cmark-gfm slow: quarantined ----------
    mid = str(uuid.uuid4())
    quarantined("pathological Markdown in a pilot",
                [pilot_entry(PEER, mid, 1, "Zware Markdown",
                             aanpak="![[]()" * 600)],
                [(mid, 1)], ("markdown",), new_ids=[mid])

    def revision(slug, versie, tekst):
        return entry(PEER, "%s/%d" % (slug, versie), versie, compact({
            "richtlijn": slug, "richtlijnTitel": "Van de nep-peer",
            "richtlijnGemeente": "GM0344", "versie": versie,
            "basis": versie - 1 if versie > 1 else None,
            "titel": "Van de nep-peer", "tekst": tekst,
            "gemeente": "GM0344", "bericht": "Versie %d" % versie,
            "samengevoegd": False, "aangemaakt": "2025-06-01T10:00:00Z"}),
            kind="richtlijnversie")

    peer.set("page", [revision("nep-richtlijn", 1, "# Kop\n\nGewoon.\n")])
    p = sub.pull()
    r = sub.inst.get("/api/v1/richtlijnen/nep-richtlijn")
    t.ok(sub.delta(p, "applied") == 1 and r.status == 200,
         "a guideline revision from the peer applies", (r.status, p.lines[-3:]))
    peer.set("page", [revision("nep-richtlijn", 2, "|a" * 300 + "|\n" +
                               "|-" * 300 + "|\n")])
    p = sub.pull()
    q = field(p.after, "quarantine", []) or []
    t.ok(sub.delta(p, "quarantined") == 1 and sub.delta(p, "applied") == 0
         and q and q[0].get("id") == "nep-richtlijn/2",
         "a revision with a 300-column table: quarantined", json.dumps(q[:1]))
    t.eq(sub.inst.get("/api/v1/richtlijnen/nep-richtlijn").json().get(
        "versie"), 1, "the guideline stays at version 1")
    next_good("pathological Markdown in a revision")

    # --- a head below the cursor (same epoch): read again from 0 ---------
    before = field(sub.status(), "cursor")
    sid = str(uuid.uuid4())
    peer.set("shrunk", [pilot_entry(PEER, sid, 1, "Na een kortere historie")])
    p = sub.pull()
    t.ok(sub.pilot(sid)[0] == 200 and field(p.after, "cursor") == 1,
         "head below the cursor: read again from 0, the cursor at 1, the "
         "entry applied", (sub.pilot(sid)[0], field(p.after, "cursor"),
                           before))
    t.ok(any("below the cursor" in (l.get("msg") or "")
             for l in lines_of(p, "fed.epoch")),
         "head below the cursor: logged", p.lines[-5:])
    next_good("head below the cursor")

    # --- a tombstone, then a newer version: the pilot comes back -------
    rid = str(uuid.uuid4())
    peer.set("page", [pilot_entry(PEER, rid, 1, "Weg en weer terug"),
                      entry(PEER, rid, 2, "{}", deleted=True)])
    p = sub.pull()
    t.eq(sub.pilot(rid)[0], 410, "a tombstone after its pilot: gone (410)")
    peer.set("page", [pilot_entry(PEER, rid, 3, "Weg en weer terug, v3")])
    p = sub.pull()
    code, body = sub.pilot(rid)
    t.eq((code, body and body.get("titel")), (200, "Weg en weer terug, v3"),
         "a newer version after the tombstone: the pilot is back")
    found = sub.inst.get("/api/v1/pilots?q=weer").json()
    t.ok(rid in [x["id"] for x in found.get("pilots", [])],
         "and search finds it again", found.get("totaal"))
    chk = sub.inst.ctl("check")
    t.ok(chk.returncode == 0, "meentctl check: the search index matches "
         "the pilots", chk.stdout + chk.stderr)

    # --- transport and page failures: the whole pull is refused -------
    refused("HTTP 500", ("status", 500, "ENTRIES"), ("500",))
    refused("HTTP 404", ("status", 404, "ENTRIES"), ("404",))

    def not_followed(p):
        t.eq(elsewhere.paths(), [], "redirect: the other host is never "
             "asked")
    refused("redirect to another host", ("redirect", elsewhere.url +
                                         "/federation/v1/changes"),
            ("302", "redirect", "status"), after=not_followed)

    refused("truncated JSON", ("truncated", "ENTRIES"),
            ("json", "parse", "syntax", "ongeldig"))
    refused("connection cut short", ("cut", "ENTRIES"),
            ("partial", "closed", "transfer", "short", "incomplete",
             "onvolledig", "json", "receiv", "verbinding"))

    for with_length in (False, True):
        name = "100 MB answer (%s Content-Length)" % (
            "with" if with_length else "without")
        peer.stream_done.clear()
        peer.stop.clear()
        peer.sent = 0

        def cut_off(p):
            peer.stream_done.wait(15)
            peer.stop.set()
            t.ok(peer.stream_done.is_set() and peer.sent < 40 * MiB,
                 "%s: the subscriber hung up after %.1f MiB" % (
                     name, peer.sent / MiB))
        refused(name, ("big", 100 * 1000 * 1000, with_length, "ENTRIES"),
                ("large", "groot", "8 mib", "size", "too big", "te veel"),
                timeout=30, after=cut_off)

    peer.stream_done.clear()
    peer.stop.clear()

    def aborted(p):
        t.ok(not p.timed_out and p.elapsed < 22,
             "trickle: aborted by the low-speed limit after %.1f s (not "
             "the 30 s total)" % p.elapsed)
        gone = peer.stream_done.wait(6)
        t.ok(gone, "trickle: the subscriber closed the connection "
             "(%d bytes sent)" % peer.sent)
        peer.stop.set()
    refused("1 byte a second", ("trickle", "ENTRIES"),
            ("slow", "speed", "timeout", "timed out", "traag", "tijd",
             "too slow"), timeout=35, after=aborted)

    # --- schemes refused by peer add ----------------------------------
    for url in ("file:///etc/passwd", "ftp://127.0.0.1:21"):
        r = inst.ctl("peer", "add", url, "--key", PEER.pub)
        t.ok(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1,
             "peer add %s: refused, exit 1 with one line" % url,
             (r.returncode, r.stderr))
    st = inst.ctl("peer", "status").stdout
    t.ok("file:" not in st and "ftp:" not in st and "passwd" not in st,
         "and not stored", st)

    finish(t, inst, done=False)
    state["instances"].remove(inst)

    # --- a subscriber without the loopback test setting ---------------
    peer2 = Peer(PEER)
    state["servers"].append(peer2)
    p2id = str(uuid.uuid4())
    peer2.set("page", [pilot_entry(PEER, p2id, 1, "Mag niet aankomen")])
    inst2 = Instance()
    state["instances"].append(inst2)
    private = "https://10.255.255.1"
    added = {}
    for url in (peer2.url, private):
        r = inst2.ctl("peer", "add", url, "--key", PEER.pub, "--interval",
                      "1")
        added[url] = r
    t.eq(added[private].returncode, 0, "https://10.255.255.1 can be added "
         "(refused when pulling)")
    inst2.start()
    want = [u for u in added if added[u].returncode == 0]
    deadline = time.time() + 20
    while time.time() < deadline:
        sts = {u: peer_status(inst2, u) for u in want}
        if all(field(s, "lastError") for s in sts.values()):
            break
        time.sleep(0.3)
    for url in (peer2.url, private):
        if added[url].returncode != 0:
            t.ok(added[url].returncode == 1 and url == peer2.url,
                 "%s: refused when added" % url, added[url].stderr)
            continue
        s = sts.get(url)
        err = field(s, "lastError")
        t.ok(says(err, REFUSED_RE) and field(s, "lastSuccess") is None and
             field(s, "applied") == 0 and field(s, "instance") is None,
             "no loopback setting: %s refused at pull time: %r" % (url, err),
             s)
    failed = [l.get("msg") or "" for l in inst2.log_lines()
              if l.get("event") == "fed.pull.failed"]
    t.ok(any("10.255.255.1" in m for m in failed) and
         any(peer2.url.split("//")[1] in m or "127.0.0.1" in m
             for m in failed),
         "the refusals are logged, naming the peers", failed[:4])
    t.eq(peer2.paths(), [], "no request reached the loopback peer")
    t.eq(inst2.get("/api/v1/pilots/" + p2id).status, 404,
         "nothing applied without the setting")
    finish(t, inst2, done=False)
    state["instances"].remove(inst2)


state = {"instances": [], "servers": []}
t_start = time.time()
try:
    main(state)
except Exception:
    t.ok(False, "the test ran to its end",
         "\n".join(traceback.format_exc().splitlines()[-20:]))
finally:
    for inst in state["instances"]:
        finish(t, inst, done=False)
    for srv in state["servers"]:
        srv.stop.set()
        srv.shutdown()
        srv.server_close()
    print("# %.1f s" % (time.time() - t_start))
    t.done()
    sys.exit(0)
