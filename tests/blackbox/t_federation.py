# SPDX-License-Identifier: EUPL-1.2
"""Federation between real meentd processes on loopback: two instances
pinning each other sync both ways (pilots, a guideline with its revisions
and an adoption, a published table; never a concept), changes and deletions
propagate, federated items are read-only; a relay passes an origin's
entries on unchanged and signed by the origin; a publisher killed mid-sync
and a subscriber killed between pages both resume without duplicates or
gaps; a publisher restored from a backup (a new epoch) is resynced."""
import base64
import concurrent.futures
import hashlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)

from harness import Instance, Tap, finish, free_port

t = Tap()
T0 = time.time()
ALL = []


class Node(Instance):
    """An Instance on a port fixed before its first start, so that a
    restart (after SIGKILL, after a restore) keeps the URL its
    subscribers pinned."""

    def __init__(self, name, relay=False, threads=2):
        settings = {"federation_allow_http_loopback": "true"}
        if relay:
            settings["federation_relay"] = "true"
        super().__init__(threads=threads, settings=settings, name=name)
        self.name = name
        self.port = free_port()
        ALL.append(self)

    @property
    def url(self):
        """The URL its subscribers pin (the port may change if another
        process took it before the first start)."""
        return "http://127.0.0.1:%d" % self.port

    def sigkill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def well_known(self):
        return self.get("/.well-known/meent").json()


def wait_for(fn, timeout=60, step=0.1):
    """Poll fn until it returns something true, at most timeout seconds;
    returns its last value. Connection errors count as not yet."""
    deadline = time.time() + timeout
    while True:
        try:
            v = fn()
        except (OSError, ValueError, KeyError):
            v = None
        if v or time.time() > deadline:
            return v
        time.sleep(step)


def getj(inst, path, token=None):
    r = inst.get(path, token=token)
    try:
        return r.status, r.json()
    except ValueError:
        return r.status, None


def status_of(inst, path, token=None):
    try:
        return inst.get(path, token=token).status
    except OSError:
        return None


def peer_add(sub, pub, relay=False, interval=1):
    key = pub.well_known()["publicKey"]
    args = ["peer", "add", pub.url, "--key", key, "--interval", str(interval)]
    if relay:
        args.append("--relay")
    return sub.ctl(*args)


def peer_status(sub, pub):
    p = sub.ctl("peer", "status")
    if p.returncode != 0:
        return None
    for s in json.loads(p.stdout):
        if s.get("url", "").rstrip("/") == pub.url:
            return s
    return None


def feed_all(inst):
    """Every entry of inst's changes feed, page by page."""
    after, entries, head = 0, [], None
    for _ in range(100):
        r = inst.get("/federation/v1/changes?after=%d&limit=500" % after)
        if r.status != 200:
            return None, entries
        d = r.json()
        head = d["head"]
        entries += d["entries"]
        if not d["more"]:
            break
        after = d["next"]
    return head, entries


def signed_bytes(e):
    return ("meent-fed-v1\n%s\n%d\n%s\n%s\n%d\n%d\n%s" % (
        e["origin"], e["originSeq"], e["kind"], e["id"], e["version"],
        1 if e["deleted"] else 0,
        hashlib.sha256(e["body"].encode("utf-8")).hexdigest())).encode()


def verifies(e, key_b64):
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key_b64)).verify(
            base64.b64decode(e["sig"]), signed_bytes(e))
        return True
    except (InvalidSignature, ValueError):
        return False


def notify(sender, receiver):
    """POST /federation/v1/notify to receiver, signed as sender (the key
    file holds libsodium's 64-byte secret key: the seed, then the public
    key). Returns the status."""
    with open(os.path.join(sender.data, "instance.key"), "rb") as f:
        sk = f.read()
    key = Ed25519PrivateKey.from_private_bytes(sk[:32])
    uuid = sender.well_known()["instance"]
    now = int(time.time())
    sig = key.sign(("meent-notify-v1\n%s\n%d" % (uuid, now)).encode())
    return receiver.request("POST", "/federation/v1/notify", body={
        "instance": uuid, "time": now,
        "sig": base64.b64encode(sig).decode()}).status


def origin_ids(inst, origin):
    return [r[0] for r in inst.sql("SELECT id FROM pilots WHERE origin = ?"
                                   " AND verwijderd IS NULL", (origin,))]


def origin_count(inst, origin):
    return inst.sql("SELECT count(*) FROM pilots WHERE origin = ? AND "
                    "verwijderd IS NULL", (origin,))[0][0]


PILOT = {
    "titel": "Zonnepanelen op scholen tellen",
    "samenvatting": "We tellen zonnepanelen op de daken van scholen.",
    "domein": "werk-en-inkomen",
    "status": "lopend",
    "vraag": "Hoeveel daken liggen er vol?",
    "zichtbaarheid": "openbaar",
    "tags": ["energie", "scholen"],
    "stakeholders": ["college"],
    "aanpak": "## Stappen\n\n1. Luchtfoto's\n2. *Tellen*\n",
    "lessen": "Tellen is lastiger dan gedacht.",
}

try:
    # --- 1. Two instances that pin each other ------------------------------
    A = Node("meent Gelderland").start()
    B = Node("meent Zeeland").start()
    wa, wb = A.well_known(), B.well_known()
    ua, ub = wa["instance"], wb["instance"]
    t.ok(wa["protocol"] == 1 and len(base64.b64decode(wa["publicKey"])) == 32
         and wa["relay"] is False and wa["name"] == "meent Gelderland",
         "/.well-known/meent: protocol 1, a 32-byte key, no relay", wa)
    t.ok(ua != ub and wa["epoch"] != wb["epoch"] and wa["publicKey"] !=
         wb["publicKey"], "two instances: two UUIDs, epochs and keys")
    p = B.ctl("peer", "add", "file:///etc/passwd", "--key", wa["publicKey"])
    t.ok(p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1,
         "a file:// peer is refused with one line", (p.returncode, p.stderr))
    p1, p2 = peer_add(B, A), peer_add(A, B)
    t.ok(p1.returncode == 0 and p2.returncode == 0,
         "peer add both ways", p1.stderr + p2.stderr)

    ed_a = A.token("GM0275", "editor")
    ed_a2 = A.token("GM0014", "editor")
    ed_b = B.token("GM0664", "editor")
    ed_b_gm0275 = B.token("GM0275", "editor")
    view_b = B.token("GM0275", "viewer")

    # What must never leave A: a concept and a members-only pilot.
    r = A.request("POST", "/api/v1/pilots", token=ed_a, body=dict(
        PILOT, titel="Geheim concept over dijkversterking",
        zichtbaarheid="concept"))
    concept_id = r.json()["id"]
    r = A.request("POST", "/api/v1/pilots", token=ed_a, body=dict(
        PILOT, titel="Alleen voor leden: dijkversterking",
        zichtbaarheid="leden"))
    leden_id = r.json()["id"]

    r = A.request("POST", "/api/v1/pilots", token=ed_a, body=PILOT)
    t.eq(r.status, 201, "a public pilot on A")
    pa = r.json()
    PA = pa["id"]

    TEXT1 = ("# Zonnepanelen tellen\n\n## Begin klein\n\nEen wijk eerst.\n\n"
             "## Deel\n\nDeel wat u leert.\n")
    TEXT2 = TEXT1.replace("Een wijk eerst.", "Een wijk eerst, dan de stad.")
    SLUG = "zonnepanelen-tellen"
    r = A.request("POST", "/api/v1/richtlijnen", token=ed_a, body={
        "slug": SLUG, "titel": "Zonnepanelen tellen", "tekst": TEXT1,
        "bericht": "Eerste versie"})
    t.eq(r.status, 201, "a guideline on A")
    r = A.request("POST", "/api/v1/richtlijnen/%s/versies" % SLUG,
                  token=ed_a, body={"basis": 1, "tekst": TEXT2,
                                    "bericht": "Scherper"})
    t.ok(r.status == 201, "its second revision", r)
    r = A.request("POST", "/api/v1/richtlijnen/%s/adopties" % SLUG,
                  token=ed_a2, body={"versie": 2})
    t.ok(r.status == 201, "an adoption on A (GM0014, pinned to 2)", r)

    ind = os.path.join(A.dir, "ind.json")
    with open(ind, "w") as f:
        json.dump({"id": "bijstand-uitkeringen", "naam":
                   "Bijstandsuitkeringen", "omschrijving":
                   "Lopende uitkeringen", "eenheid": "uitkeringen",
                   "soort": "aantal", "richting": "neutraal",
                   "bron": "eigen registratie"}, f)
    A.ctl("indicator", "add", ind, check=True)

    def upload(inst, token, periode):
        q = urllib.parse.urlencode({"vorm": "tabel", "indicator":
                                    "bijstand-uitkeringen",
                                    "periode": periode})
        return inst.request("POST", "/api/v1/datasets?" + q, token=token,
                            headers={"Content-Type": "text/csv"},
                            body="wijk,waarde\nNoord,30\nZuid,40\n"
                            "Oost,60\n")

    r = upload(A, ed_a, "2025")
    DS = r.json()["id"] if r.status == 201 else "none"
    r = A.request("POST", "/api/v1/datasets/%s/publicatie" % DS, token=ed_a)
    t.eq(r.status, 200, "a published table on A")
    ds_a = A.get("/api/v1/datasets/" + DS).json()
    r = upload(A, ed_a, "2024")
    DS_CONCEPT = r.json()["id"] if r.status == 201 else "none"
    # A last public pilot: once B has it, B has read past all of the above.
    r = A.request("POST", "/api/v1/pilots", token=ed_a, body=dict(
        PILOT, titel="Laatste pilot van Gelderland"))
    LAST_A = r.json()["id"]

    r = B.request("POST", "/api/v1/pilots", token=ed_b, body=dict(
        PILOT, titel="Dijkbewaking met sensoren in Zeeland",
        samenvatting="Sensoren in de dijk meten het water.", domein="jeugd"))
    t.eq(r.status, 201, "a public pilot on B")
    PB = r.json()["id"]

    got = wait_for(lambda: status_of(B, "/api/v1/pilots/" + PA) == 200 and
                   status_of(B, "/api/v1/pilots/" + LAST_A) == 200 and
                   status_of(B, "/api/v1/datasets/" + DS) == 200)
    t.ok(got, "A's pilots and table reach B (within 60 s, %.1f s in)" %
         (time.time() - T0))
    st, pb_a = getj(B, "/api/v1/pilots/" + PA)
    t.eq((st, (pb_a or {}).get("origin")), (200, ua),
         "on B, A's pilot has origin = A's UUID")
    keys = ("titel", "samenvatting", "domein", "status", "vraag", "tags",
            "stakeholders", "aanpak", "lessen", "gemeente", "versie",
            "zichtbaarheid")
    t.eq({k: (pb_a or {}).get(k) for k in keys}, {k: pa.get(k) for k in keys},
         "B's copy has A's content")
    t.ok(pb_a is not None and "<ol>" in pb_a.get("aanpakHtml", "") and
         "<em>Tellen</em>" in pb_a.get("aanpakHtml", ""),
         "B renders the Markdown itself", (pb_a or {}).get("aanpakHtml"))
    listed = B.get("/api/v1/pilots?pageSize=100").json()["pilots"]
    ids = [x["id"] for x in listed]
    t.ok(PA in ids and PB in ids, "B's list has A's pilot and its own")
    herkomst = {x["id"]: x.get("herkomst") for x in listed}
    t.eq((herkomst.get(PA), herkomst.get(PB)), ("meent Gelderland", None),
         "B's list names the instance of A's pilot, not of its own")
    t.ok("via meent Gelderland" in B.get("/pilots").body.decode(),
         "B's pilot list page says where A's pilot comes from")
    res = B.get("/api/v1/pilots?q=zonnepanelen").json()
    t.ok(PA in [x["id"] for x in res.get("pilots", [])],
         "B's list search (?q=) finds A's pilot", res.get("totaal"))
    res = B.get("/api/v1/_zoek?q=zonnepanelen").json()
    t.ok(PILOT["titel"] in [x["titel"] for x in res.get("resultaten", {})
                            .get("pilots", [])],
         "B's full-text search finds A's pilot", res.get("totaal"))
    page = B.get("/pilots/" + PA)
    t.ok(page.status == 200 and "meent Gelderland" in page.body.decode(),
         "B's page names the instance it comes from", page.status)

    t.eq((status_of(B, "/api/v1/pilots/" + concept_id, token=view_b),
          status_of(B, "/api/v1/pilots/" + leden_id, token=view_b)),
         (404, 404), "A's concept and members-only pilots are not on B, "
         "not even for the municipality")
    t.eq(B.sql("SELECT count(*) FROM pilots WHERE id IN (?, ?)",
               (concept_id, leden_id))[0][0], 0,
         "nor in B's database")
    head_a, feed_a = feed_all(A)
    t.ok(head_a is not None and PA in [e["id"] for e in feed_a] and not
         {concept_id, leden_id, DS_CONCEPT} & {e["id"] for e in feed_a},
         "A's feed holds the public pilot, never the concept, the "
         "members-only pilot or the unpublished table")
    t.eq(B.sql("SELECT count(*) FROM datasets WHERE id = ?",
               (DS_CONCEPT,))[0][0], 0, "A's unpublished table is not on B")

    st, g = getj(B, "/api/v1/richtlijnen/" + SLUG)
    t.ok(st == 200 and g["versie"] == 2 and g["tekst"] == TEXT2,
         "A's guideline is on B at revision 2", (st, g and g.get("versie")))
    st, gl = getj(B, "/api/v1/richtlijnen?pageSize=100")
    t.eq([x.get("herkomst") for x in (gl or {}).get("richtlijnen", [])
          if x["slug"] == SLUG], ["meent Gelderland"],
         "B's guideline list names the instance it comes from")
    r = B.request("POST", "/api/v1/richtlijnen/%s/versies" % SLUG,
                  token=ed_b_gm0275, body={"basis": 2, "tekst": TEXT2 + "\nx",
                                           "bericht": "hier gewijzigd"})
    t.eq(r.status, 409, "a revision on B of A's guideline: 409, even for "
         "its maintainer's municipality")
    st, vs = getj(B, "/api/v1/richtlijnen/%s/versies" % SLUG)
    t.eq(sorted(v["versie"] for v in (vs or {}).get("versies", [])), [1, 2],
         "with both revisions")
    st, v1 = getj(B, "/api/v1/richtlijnen/%s/versies/1" % SLUG)
    t.eq((v1 or {}).get("tekst"), TEXT1, "revision 1 as it was written")
    st, ad = getj(B, "/api/v1/richtlijnen/%s/adopties" % SLUG)
    t.eq([(a["gemeente"], a["versie"]) for a in (ad or {}).get("adopties",
                                                                 [])],
         [("GM0014", 2)], "and the adoption")
    t.eq(status_of(B, "/api/v1/indicatoren/bijstand-uitkeringen"), 200,
         "the table's indicator came along")
    st, ds_b = getj(B, "/api/v1/datasets/" + DS)
    t.ok(st == 200 and ds_b["tabel"] == ds_a["tabel"] and
         ds_b["status"] == "gepubliceerd" and ds_b["gemeente"] == "GM0275",
         "A's published table is on B, cell for cell", (st, ds_b))

    got = wait_for(lambda: status_of(A, "/api/v1/pilots/" + PB) == 200)
    st, pa_b = getj(A, "/api/v1/pilots/" + PB)
    t.eq((st, (pa_b or {}).get("origin"), (pa_b or {}).get("titel")),
         (200, ub, "Dijkbewaking met sensoren in Zeeland"),
         "B's pilot reaches A with B's UUID as its origin")

    # Read-only on B, even for an editor of the pilot's municipality.
    etag = B.get("/api/v1/pilots/" + PA).header("ETag")
    st_put = B.request("PUT", "/api/v1/pilots/" + PA, token=ed_b_gm0275,
                       body=dict(PILOT, titel="Overschreven op B"),
                       headers={"If-Match": etag}).status
    st_patch = B.request("PATCH", "/api/v1/pilots/" + PA, token=ed_b_gm0275,
                         body={"titel": "Overschreven op B"},
                         headers={"If-Match": etag}).status
    st_del = B.request("DELETE", "/api/v1/pilots/" + PA, token=ed_b_gm0275,
                       headers={"If-Match": etag}).status
    t.ok(st_put in (409, 403, 404) and st_patch in (409, 403, 404) and
         st_del in (409, 403, 404),
         "a federated pilot cannot be changed on B (PUT %s, PATCH %s, "
         "DELETE %s)" % (st_put, st_patch, st_del))
    st, now = getj(B, "/api/v1/pilots/" + PA)
    t.eq((st, (now or {}).get("titel"), (now or {}).get("versie")),
         (200, PILOT["titel"], 1), "and it is unchanged")

    # --- 2. Updates and deletions propagate -------------------------------
    etag = A.get("/api/v1/pilots/" + PA).header("ETag")
    r = A.request("PATCH", "/api/v1/pilots/" + PA, token=ed_a,
                  body={"titel": "Zonnepanelen op scholen geteld"},
                  headers={"If-Match": etag})
    t.eq((r.status, r.json().get("versie")), (200, 2), "A changes its pilot")
    got = wait_for(lambda: getj(B, "/api/v1/pilots/" + PA)[1]["titel"] ==
                   "Zonnepanelen op scholen geteld")
    st, now = getj(B, "/api/v1/pilots/" + PA)
    t.eq(((now or {}).get("titel"), (now or {}).get("versie")),
         ("Zonnepanelen op scholen geteld", 2), "B shows the new version")
    etag = A.get("/api/v1/pilots/" + PA).header("ETag")
    r = A.request("DELETE", "/api/v1/pilots/" + PA, token=ed_a,
                  headers={"If-Match": etag})
    t.eq(r.status, 204, "A deletes its pilot")
    got = wait_for(lambda: status_of(B, "/api/v1/pilots/" + PA) in (404, 410))
    t.ok(status_of(B, "/api/v1/pilots/" + PA) in (404, 410),
         "B answers 404 or 410 for it afterwards (%s)" %
         status_of(B, "/api/v1/pilots/" + PA))
    ids = [x["id"] for x in B.get("/api/v1/pilots?pageSize=100").json()
           ["pilots"]]
    t.ok(PA not in ids and B.get("/api/v1/_zoek?q=geteld").json()
         .get("totaal") == 0, "and it left B's list and search")
    tomb = [e for e in feed_all(A)[1] if e["id"] == PA]
    t.ok(len(tomb) == 1 and tomb[0]["deleted"] and tomb[0]["version"] > 2
         and tomb[0]["body"] == "{}",
         "A's feed keeps one tombstone for it, with a newer version", tomb)

    st_a = peer_status(B, A)
    t.ok(st_a is not None and st_a["instance"] == ua and
         st_a["quarantined"] == 0 and st_a["applied"] >= 6 and
         st_a["lastSuccess"] is not None,
         "B's peer status for A: its instance, entries applied, nothing "
         "quarantined", st_a)
    chk = B.ctl("check")
    t.ok(chk.returncode == 0, "B: meentctl check (database, search index "
         "against the pilots) finds nothing after updates and deletes",
         chk.stdout + chk.stderr)
    ahead = [l for l in B.get("/metrics").body.decode().splitlines()
             if l.startswith("meent_search_texts_ahead_total ")]
    t.ok(len(ahead) == 1 and int(ahead[0].split()[1]) >= 4,
         "B indexed the pilots' texts from tokens its helper thread made "
         "(meent_search_texts_ahead_total; the check above re-tokenizes)",
         ahead)
    finish(t, B, A, done=False)

    # --- 3. A chain A3 <- B3 <- C3: B3 relays C3's entries ------------------
    C3 = Node("meent Utrecht").start()
    B3 = Node("meent Doorgeefluik", relay=True).start()
    A3 = Node("meent Eindpunt").start()
    wc, wb3 = C3.well_known(), B3.well_known()
    uc = wc["instance"]
    p1, p2 = peer_add(B3, C3), peer_add(A3, B3, relay=True)
    t.ok(p1.returncode == 0 and p2.returncode == 0,
         "B3 pins C3; A3 pins B3 as a relay (A3 does not pin C3)",
         p1.stderr + p2.stderr)
    r = C3.request("POST", "/api/v1/pilots", token=C3.token("GM0344",
                   "editor"), body=dict(PILOT, titel="Fietstellingen in "
                                         "Utrecht via een relay"))
    t.eq(r.status, 201, "a public pilot on C3")
    pc = r.json()
    PC = pc["id"]
    got = wait_for(lambda: status_of(A3, "/api/v1/pilots/" + PC) == 200)
    st, pc_a = getj(A3, "/api/v1/pilots/" + PC)
    t.eq((st, (pc_a or {}).get("origin"), (pc_a or {}).get("titel"),
          (pc_a or {}).get("gemeente")),
         (200, uc, "Fietstellingen in Utrecht via een relay", "GM0344"),
         "C3's pilot reaches A3 through B3, with origin = C3's UUID")
    wb3 = B3.well_known()
    t.ok(wb3["relay"] is True and any(
        o.get("instance") == uc and o.get("publicKey") == wc["publicKey"]
        for o in wb3.get("origins", [])),
        "B3's /.well-known introduces C3 with C3's key", wb3)
    s = peer_status(A3, B3)
    t.ok(s is not None and s["quarantined"] == 0 and s["quarantine"] == []
         and s["applied"] >= 1,
         "A3's peer status for B3: applied, nothing quarantined", s)
    own = [e for e in feed_all(C3)[1] if e["id"] == PC]
    relayed = [e for e in feed_all(B3)[1] if e["id"] == PC]
    t.ok(len(own) == 1 and len(relayed) == 1, "one entry for it in C3's "
         "feed and one in B3's", (own, relayed))
    if own and relayed:
        o, rl = own[0], relayed[0]
        t.eq((rl["origin"], rl["originSeq"], rl["kind"], rl["version"],
              rl["deleted"], rl["body"], rl["sig"]),
             (o["origin"], o["originSeq"], o["kind"], o["version"],
              o["deleted"], o["body"], o["sig"]),
             "B3 serves C3's entry with C3's origin, originSeq, body and "
             "signature, byte for byte")
        t.ok(verifies(rl, wc["publicKey"]) and not verifies(
            rl, wb3["publicKey"]), "the relayed entry verifies with C3's "
            "key, not with B3's")
        forged = dict(rl, body=rl["body"].replace("Fietstellingen",
                                                  "Autotellingen"))
        t.ok(not verifies(forged, wc["publicKey"]),
             "(and a changed body would not verify)")
    else:
        t.ok(False, "B3 serves C3's entry unchanged")
        t.ok(False, "the relayed entry verifies with C3's key")
        t.ok(False, "(and a changed body would not verify)")
    t.ok(not [e for e in feed_all(A3)[1] if e["origin"] == uc],
         "A3 does not relay: its feed has no entry of C3's")
    finish(t, A3, B3, C3, done=False)

    # --- 4. The publisher killed mid-sync ----------------------------------
    A4 = Node("meent Bron", threads=4).start()
    B4 = Node("meent Volger", relay=True).start()
    ua4 = A4.well_known()["instance"]
    ed4 = A4.token("GM0275", "editor")
    LONG = "## Aanpak\n\n" + ("Wij meten, leren en delen wat werkt in de "
                              "wijk, en *waarom*. " * 25)
    NPUB, NCONCEPT = 3000, 30

    def post(i):
        body = dict(PILOT, titel="Bulkpilot nummer %04d" % i, aanpak=LONG,
                    zichtbaarheid="concept" if i < NCONCEPT else "openbaar")
        r = A4.request("POST", "/api/v1/pilots", token=ed4, body=body,
                       timeout=60)
        return i, r.status, r.json().get("id") if r.status == 201 else None

    t1 = time.time()
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        made = list(ex.map(post, range(NPUB + NCONCEPT)))
    PUBLIC = {pid for i, s, pid in made if s == 201 and i >= NCONCEPT}
    t.ok(all(s == 201 for _, s, _ in made) and len(PUBLIC) == NPUB,
         "%d public and %d concept pilots on A4 (%.1f s)" %
         (NPUB, NCONCEPT, time.time() - t1))
    head4, feed4 = feed_all(A4)
    t.eq(({e["id"] for e in feed4} == PUBLIC, len(feed4)), (True, NPUB),
         "A4's feed: one entry per public pilot")
    epoch4 = A4.well_known()["epoch"]

    p = peer_add(B4, A4)
    t.eq(p.returncode, 0, "B4 pins A4", )
    c_kill = wait_for(lambda: origin_count(B4, ua4), timeout=60, step=0.005)
    killed = bool(c_kill and c_kill <= NPUB // 2)
    if killed:
        A4.sigkill()
    time.sleep(0.5)
    s = peer_status(B4, A4)
    mid = origin_count(B4, ua4)
    t.ok(c_kill and 0 < c_kill <= NPUB // 2 and s is not None and
         0 < s["cursor"] < head4 and 0 < mid < NPUB,
         "A4 killed (SIGKILL) with B4 mid-way: %s of %d, cursor %s of %s" %
         (mid, NPUB, s and s["cursor"], head4), s)
    if killed:
        A4.start()
    t.eq(A4.well_known()["epoch"], epoch4,
         "A4 restarted on the same data: the same epoch (a crash is no "
         "restore)")
    t.eq(notify(A4, B4), 202, "a notify signed with A4's key: 202")
    wait_for(lambda: origin_count(B4, ua4) >= NPUB, timeout=60)
    ids = origin_ids(B4, ua4)
    t.eq((len(ids), len(set(ids)), set(ids) == PUBLIC), (NPUB, NPUB, True),
         "B4 ends with exactly A4's public pilots, each once (%.1f s in)" %
         (time.time() - T0))
    t.eq(B4.sql("SELECT count(*) FROM pilots WHERE origin = ? AND "
                "zichtbaarheid <> 'openbaar'", (ua4,))[0][0], 0,
         "and none of A4's concepts")
    rel = [e for e in feed_all(B4)[1] if e["origin"] == ua4]
    t.eq(sorted((e["id"], e["originSeq"], e["version"], e["sig"])
                for e in rel),
         sorted((e["id"], e["originSeq"], e["version"], e["sig"])
                for e in feed4),
         "B4's feed holds A4's %d entries, no more, no fewer, unchanged" %
         len(feed4))
    s = peer_status(B4, A4)
    t.ok(s is not None and s["applied"] == NPUB and s["quarantined"] == 0
         and s["cursor"] == head4,
         "B4's peer status: %d applied, none quarantined, cursor at the "
         "head" % NPUB, s)

    # --- 5. The subscriber killed between pages ----------------------------
    B5 = Node("meent Herstart").start()
    p = peer_add(B5, A4)
    t.eq(p.returncode, 0, "B5 pins A4")
    c_kill = wait_for(lambda: origin_count(B5, ua4), timeout=60, step=0.005)
    killed = bool(c_kill and c_kill <= NPUB // 2)
    if killed:
        B5.sigkill()
    t.ok(c_kill and 0 < c_kill <= NPUB // 2 and B5.proc.poll() is not None,
         "B5 killed (SIGKILL) mid-way, at %s of %d" % (c_kill, NPUB))
    s = peer_status(B5, A4)
    stored = origin_count(B5, ua4)
    upto = [e for e in feed4 if s and e["seq"] <= s["cursor"]]
    t.ok(s is not None and 0 < s["cursor"] < head4 and
         stored == len(upto) and s["applied"] == len(upto) and
         set(origin_ids(B5, ua4)) == {e["id"] for e in upto},
         "B5's checkpoint and its stored pilots agree: cursor %s, %d "
         "stored, %s applied" % (s and s["cursor"], stored,
                                 s and s["applied"]), s)
    if killed:
        B5.start()
    wait_for(lambda: origin_count(B5, ua4) >= NPUB, timeout=60)
    ids = origin_ids(B5, ua4)
    t.eq((len(ids), len(set(ids)), set(ids) == PUBLIC), (NPUB, NPUB, True),
         "restarted, B5 ends with every pilot exactly once")
    s = peer_status(B5, A4)
    t.ok(s is not None and s["applied"] == NPUB and s["ignored"] == 0 and
         s["quarantined"] == 0 and s["cursor"] == head4,
         "B5's peer status: applied = %d distinct items, none ignored or "
         "quarantined (nothing applied twice)" % NPUB, s)
    for name, inst in (("B4", B4), ("B5", B5)):
        chk = inst.ctl("check")
        t.ok(chk.returncode == 0, "%s: meentctl check (database, search "
             "index against the pilots) finds nothing" % name,
             chk.stdout + chk.stderr)
    finish(t, B5, B4, A4, done=False)

    # --- 6. A publisher restored from a backup: a new epoch -----------------
    A6 = Node("meent Herstel").start()
    B6 = Node("meent Kijker").start()
    ua6 = A6.well_known()["instance"]
    ed6 = A6.token("GM0275", "editor")

    def publish(n, what):
        out = []
        for i in range(n):
            r = A6.request("POST", "/api/v1/pilots", token=ed6, body=dict(
                PILOT, titel="%s nummer %d" % (what, i)))
            out.append(r.json()["id"] if r.status == 201 else None)
        return out

    P1 = publish(5, "Voor de back-up")
    t.eq(peer_add(B6, A6).returncode, 0, "B6 pins A6")
    t.ok(wait_for(lambda: set(P1) <= set(origin_ids(B6, ua6))),
         "B6 has A6's first pilots")
    backup = os.path.join(A6.dir, "backup.db")
    p = A6.ctl("backup", backup)
    t.ok(p.returncode == 0 and os.path.exists(backup), "meentctl backup",
         p.stderr)
    P2 = publish(5, "Na de back-up")
    t.ok(wait_for(lambda: set(P2) <= set(origin_ids(B6, ua6))),
         "B6 has the pilots made after the backup")
    e1 = A6.well_known()["epoch"]
    s1 = peer_status(B6, A6)
    t.eq(A6.stop(), 0, "A6 stops")
    p = A6.ctl("restore", backup)
    t.eq(p.returncode, 0, "meentctl restore")
    t.eq(set(origin_ids(A6, ua6)), set(P1), "A6 is back at the backup")
    A6.start()
    w6 = A6.well_known()
    t.ok(w6["instance"] == ua6 and w6["epoch"] != e1,
         "restored: the same instance, a new epoch", (e1, w6))
    P3 = publish(8, "Na het herstel")
    t.ok(None not in P3, "8 new pilots on the restored A6")
    low = [e for e in feed_all(A6)[1] if e["id"] in P3 and s1 is not None
           and e["seq"] <= s1["cursor"]]
    t.ok(low, "some of them lie at or below B6's old cursor (%s): only a "
         "resync from 0 finds them" % (s1 and s1["cursor"]))
    notify(A6, B6)
    got = wait_for(lambda: set(P3) <= set(origin_ids(B6, ua6)), timeout=60)
    t.ok(got, "B6 gets all 8 new pilots (their feed positions lie partly "
         "below its old cursor)", sorted(set(P3) - set(origin_ids(B6, ua6))))
    s2 = peer_status(B6, A6)
    t.ok(s1 is not None and s2 is not None and s1["epoch"] == e1 and
         s2["epoch"] == w6["epoch"],
         "B6's peer status follows the new epoch", (s1, s2))
    t.ok(s2 is not None and s2["ignored"] >= len(P1) and
         s2["quarantined"] == 0,
         "resynced from 0: the restored old pilots are ignored, not "
         "applied again", s2)
    t.ok(all(status_of(B6, "/api/v1/pilots/" + x) == 200 for x in P3 + P1),
         "B6 shows the old and the new pilots")
    finish(t, B6, A6, done=False)
except BaseException:
    for n in ALL:
        try:
            n.stop(signal.SIGKILL)
        except Exception:
            pass
    raise

print("# the whole test took %.1f s" % (time.time() - T0))
t.done()
