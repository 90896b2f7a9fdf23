# SPDX-License-Identifier: EUPL-1.2
"""A full disk, for real: a fresh data directory on a small tmpfs (8 MiB),
filled with a file until nothing fits. Writes are refused with 507 and a
Dutch reason (problem+json on the API, a page on the web forms), never
half-written; reads go on (pages and API answer 200); meentd stays up; and
when the file is gone, writes succeed again. PRAGMA integrity_check and
meentctl check pass; the file system is unmounted at the end, also when
the test fails. Mounting needs root: without it the test fails, saying
why."""
import errno
import os
import re
import subprocess
import tempfile
import urllib.parse

from harness import Instance, Tap, finish

t = Tap()
MNT = tempfile.mkdtemp(prefix="meent-full-")
FORM = "application/x-www-form-urlencoded"
PASSWORD = "een lang wachtwoord"


def mount():
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700",
                        "tmpfs", MNT], capture_output=True, text=True,
                       timeout=30)
    return p.returncode == 0, (p.stderr or p.stdout).strip()


def umount():
    for args in (["umount", MNT], ["umount", "-l", MNT]):
        if subprocess.run(args, capture_output=True,
                          timeout=30).returncode == 0:
            return True
    return False


def fill(path):
    """Write until the file system says it is full; returns bytes."""
    n = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 65536, 4096, 512, 1):
            chunk = b"\0" * size
            while True:
                try:
                    n += os.write(fd, chunk)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return n


def pilot(titel, aanpak="Kort."):
    return {"titel": titel, "samenvatting": "Een pilot op een volle schijf.",
            "domein": "dienstverlening-en-burgerzaken", "status": "lopend",
            "vraag": "Past het nog?", "zichtbaarheid": "openbaar",
            "tags": ["schijf"], "aanpak": aanpak}


def problem(r):
    try:
        return r.json()
    except ValueError:
        return {}


def main():
    ok, why = mount()
    if not t.ok(ok, "a tmpfs of 8 MiB is mounted for the data directory",
                "mount -t tmpfs failed: %s (the test runs as root in CI; "
                "it cannot pass without a small file system)" % why):
        return
    m = None
    try:
        m = Instance(data=os.path.join(MNT, "data"))
        m.ctl("user", "add", "schijf@rheden.example.nl", "--gemeente",
              "GM0275", "--role", "editor", input=PASSWORD + "\n",
              check=True)
        m.start()
        tok = m.token("GM0275", "editor")
        origin = "http://127.0.0.1:%d" % m.port
        r = m.request("POST", "/inloggen", headers={
            "Content-Type": FORM, "Origin": origin},
            body=urllib.parse.urlencode({"email": "schijf@rheden.example.nl",
                                         "wachtwoord": PASSWORD}))
        cookie = (r.header("Set-Cookie") or "").split(";")[0]
        page = m.get("/pilots/nieuw", headers={"Cookie": cookie})
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.body.decode())
        t.ok(r.status == 303 and csrf is not None, "signed in on the web")
        csrf = csrf.group(1) if csrf else ""

        r = m.request("POST", "/api/v1/pilots", token=tok,
                      body=pilot("Voor de volle schijf"))
        t.eq(r.status, 201, "a write while there is room: 201")
        before_id = r.json().get("id") if r.status == 201 else None

        filler = os.path.join(MNT, "vuller")
        n = fill(filler)
        st = os.statvfs(MNT)
        t.ok(st.f_bavail == 0, "the file system is full (%d bytes of "
             "filler)" % n, st)

        # Writes until one does not fit (the WAL may still have room in
        # the space it had): then 507, with a Dutch reason.
        statuses = []
        refused = None
        acknowledged = []
        big = "Tekst die ruimte kost. " * 4000
        for i in range(60):
            r = m.request("POST", "/api/v1/pilots", token=tok,
                          body=pilot("Vol %d" % i, big))
            statuses.append(r.status)
            if r.status == 201:
                acknowledged.append(r.json()["id"])
                continue
            refused = r
            break
        t.ok(refused is not None and refused.status == 507,
             "a write that does not fit: 507 (after %d that did)" %
             len(acknowledged), statuses)
        p = problem(refused) if refused is not None else {}
        t.ok(refused is not None and refused.header("Content-Type") ==
             "application/problem+json" and p.get("title") == "Opslag vol"
             and "vol" in p.get("detail", ""),
             "as problem+json, with a Dutch reason", p)
        r = m.request("PUT", "/api/v1/richtlijnen/bestaat-niet", token=tok,
                      body={"titel": "x"})
        t.eq(r.status, 404, "a write that writes nothing still gets its "
             "own answer (404)")
        again = [m.request("POST", "/api/v1/pilots", token=tok,
                           body=pilot("Nog een", big)).status
                 for _ in range(3)]
        t.eq(again, [507] * 3, "and the next ones too")
        r = m.request("POST", "/pilots/nieuw", headers={
            "Content-Type": FORM, "Origin": origin, "Cookie": cookie},
            body=urllib.parse.urlencode({
                "csrf": csrf, "titel": "Via het formulier", "samenvatting":
                "Vol.", "domein": "jeugd", "status": "lopend",
                "zichtbaarheid": "openbaar", "vraag": "Past het?",
                "aanpak": big, "tags": "", "stakeholders": ""}))
        text = r.body.decode("utf-8", "replace")
        t.ok(r.status == 507 and (r.header("Content-Type") or "")
             .startswith("text/html") and "Opslag vol" in text,
             "a web form: 507, a Dutch page", (r.status, text[:300]))

        # Reads go on.
        reads = {path: m.get(path, token=tk).status for path, tk in (
            ("/api/v1/pilots", None), ("/api/v1/pilots/%s" % before_id,
                                       None),
            ("/api/v1/pilots?q=schijf", None), ("/api/v1/richtlijnen", None),
            ("/api/v1/gemeenten/GM0275", None), ("/api/v1/ik", tok),
            ("/", None), ("/pilots", None), ("/pilots/%s" % before_id, None),
            ("/richtlijnen", None), ("/zoeken?q=schijf", None),
            ("/healthz", None))}
        t.ok(all(s == 200 for s in reads.values()), "reads answer 200 on a "
             "full disk", reads)
        t.ok(m.proc.poll() is None, "meentd is still up")

        # Room again.
        os.unlink(filler)
        r = m.request("POST", "/api/v1/pilots", token=tok,
                      body=pilot("Na de volle schijf", big))
        t.eq(r.status, 201, "with room again, a write succeeds: 201")
        after_id = r.json().get("id") if r.status == 201 else None
        r = m.request("POST", "/pilots/nieuw", headers={
            "Content-Type": FORM, "Origin": origin, "Cookie": cookie},
            body=urllib.parse.urlencode({
                "csrf": csrf, "titel": "Via het formulier, nu wel",
                "samenvatting": "Ruimte.", "domein": "jeugd",
                "status": "lopend", "zichtbaarheid": "openbaar",
                "vraag": "Past het?", "aanpak": "Ja.", "tags": "",
                "stakeholders": ""}))
        t.eq(r.status, 303, "and the web form too: 303")

        ids = set(x[0] for x in m.sql("SELECT id FROM pilots"))
        want = set([before_id, after_id] + acknowledged)
        t.ok(want <= ids, "every acknowledged write is there (%d)" %
             len(want), sorted(want - ids))
        titles = [x[0] for x in m.sql("SELECT titel FROM pilots")]
        t.ok("Nog een" not in titles and "Via het formulier" not in titles,
             "no refused write is there, not in part either")
        t.eq(m.sql("PRAGMA integrity_check"), [("ok",)],
             "PRAGMA integrity_check: ok")
        p = m.ctl("check")
        t.ok(p.returncode == 0, "meentctl check passes", p.stdout + p.stderr)
        st = m.get("/api/v1/pilots?q=schijf")
        t.ok(st.status == 200 and after_id in [
            x["id"] for x in st.json()["pilots"]],
            "the search index finds the write after the full disk")
    finally:
        if m is not None:
            finish(t, m, done=False)
        t.ok(umount(), "the tmpfs is unmounted")
        try:
            os.rmdir(MNT)
        except OSError:
            pass


main()
t.done()
