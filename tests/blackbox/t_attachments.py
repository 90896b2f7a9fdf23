# SPDX-License-Identifier: EUPL-1.2
"""Attachments on pilots (bijlagen): real files made here (PDF, PNG, JPEG,
CSV, docx, xlsx, odt) are accepted with the type their content has; an ELF
named rapport.pdf, a zip bomb inside an .xlsx, a plain zip, files over the
per-file, per-pilot and route caps, bad names are refused and nothing
stored changes; names with ../ and control characters are cleaned;
downloads are attachments only (nosniff, a sandboxing CSP); attachments
are visible exactly as their pilot is; the web page uploads and removes
with CSRF; meentctl backup/restore carries the files; a second meentd
fetches a federated pilot's files from the origin and verifies them."""
import base64
import hashlib
import io
import json
import os
import re
import shutil
import struct
import threading
import time
import urllib.parse
import zipfile
import zlib

from harness import Instance, Tap, finish, free_port

t = Tap()

PILOT = {
    "titel": "Bijlagen bij een pilot over wachttijden",
    "samenvatting": "Met een rapport en een DPIA.",
    "domein": "dienstverlening-en-burgerzaken",
    "status": "lopend",
    "start": "2025-01-06",
    "vraag": "Hoe lang wachten inwoners?",
    "aanvrager": "college",
    "stakeholders": ["college"],
    "tags": ["bijlagen"],
    "contact": "Team Data",
    "zichtbaarheid": "openbaar",
    "aanpak": "Meten.",
    "data": "", "resultaten": "", "lessen": "", "privacy": "",
}


# --- Files made here ------------------------------------------------------

def pdf(js=False):
    extra = (b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"
             if js else b"")
    body = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra +
            b" >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> "
            b"endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return body


def png(payload=b""):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"\x00\xff\x00\x00" * 1
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
        ">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(
            raw)) + (chunk(b"tEXt", b"c\x00" + payload) if payload else b"")
        + chunk(b"IEND", b""))


def jpeg():
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01"
            b"\x00\x00" + b"\xff\xdb\x00\x43\x00" + bytes(range(64)) +
            b"\xff\xd9")


def office(kind):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        if kind == "odt":
            z.writestr(zipfile.ZipInfo("mimetype"),
                       "application/vnd.oasis.opendocument.text")
            z.writestr("content.xml", "<office:document-content/>")
            z.writestr("META-INF/manifest.xml", "<manifest/>")
        else:
            z.writestr("[Content_Types].xml",
                       '<?xml version="1.0"?><Types/>')
            z.writestr("_rels/.rels", "<Relationships/>")
            part = {"docx": "word/document.xml",
                    "xlsx": "xl/workbook.xml"}[kind]
            z.writestr(part, "<x>" + "tekst " * 200 + "</x>")
    return b.getvalue()


def zip_bomb(mb):
    """An .xlsx whose sheet unpacks to mb MB of zeros."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            zero = bytes(1 << 20)
            for _ in range(mb):
                f.write(zero)
    return b.getvalue()


def plain_zip():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("leesmij.txt", "gewoon een archief")
    return b.getvalue()


with open("/bin/true", "rb") as f:
    ELF = f.read()
CSV = "gemeente;jaar;aantal\nRheden;2024;12\nGoes;2024;7\n".encode()

TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml."
            "sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}


def sha(b):
    return hashlib.sha256(b).hexdigest()


def path_of(pid, h=""):
    return "/api/v1/pilots/%s/bijlagen%s" % (pid, "/" + h if h else "")


def upload(inst, pid, name, data, token):
    return inst.request("POST", path_of(pid) + "?naam=" +
                        urllib.parse.quote(name, safe=""), body=data,
                        token=token, headers={
                            "Content-Type": "application/octet-stream"})


def listing(inst, pid, token=None):
    r = inst.get(path_of(pid), token=token)
    return r.json()["bijlagen"] if r.status == 200 else r.status


def stored_files(inst, check=True):
    """The files under <data>/bijlagen; checks that no temporary file is
    left (not while waiting: an upload may be under way)."""
    root = os.path.join(inst.data, "bijlagen")
    out = set()
    for d, _, files in os.walk(root):
        if os.path.basename(d) == "tmp":
            if check:
                t.ok(files == [], "no temporary file is left", files)
            continue
        out |= set(files)
    return out


def new_pilot(inst, token, **kw):
    r = inst.request("POST", "/api/v1/pilots", body=dict(PILOT, **kw),
                     token=token)
    assert r.status == 201, r
    return r.json()["id"], r.header("ETag")


# --- One instance: types, refusals, downloads, visibility ---------------

A = Instance(settings={"attachment_max_bytes": str(1 << 20),
                       "attachment_pilot_max_bytes": str(3 << 20)})
A.start()
ed = A.token("GM0275", "editor")
ed_goes = A.token("GM0664", "editor")
view_goes = A.token("GM0664", "viewer")
view_own = A.token("GM0275", "viewer")

pid, _ = new_pilot(A, ed)
t.eq(listing(A, pid), [], "a new pilot has no attachments")

good = {"pdf": pdf(), "png": png(), "jpg": jpeg(), "csv": CSV,
        "docx": office("docx"), "xlsx": office("xlsx"), "odt": office("odt")}
hashes = {}
for ext, data in good.items():
    r = upload(A, pid, "rapport." + ext, data, ed)
    ok = r.status == 201
    t.ok(ok and r.json()["type"] == TYPES[ext] and r.json()["hash"] ==
         sha(data) and r.json()["grootte"] == len(data) and
         r.header("Location") == path_of(pid, sha(data)),
         "a %s is accepted with the type of its content" % ext,
         (r.status, r.body[:300]))
    hashes[ext] = sha(data)

# The type is the content's, not the name's.
r = upload(A, pid, "foto.pdf", png(b"andere inhoud"), ed)
t.ok(r.status == 201 and r.json()["type"] == "image/png",
     "a PNG named .pdf is stored as image/png", r)
png2 = sha(png(b"andere inhoud"))

before = listing(A, pid)
files_before = stored_files(A)
t.eq(len(before), 8, "eight attachments listed")
t.eq(files_before, set(hashes.values()) | {png2},
     "every file stored once under its hash")

# Refusals: nothing stored changes.
refusals = [
    ("an ELF named rapport.pdf", "rapport.pdf", ELF, 415),
    ("a zip bomb inside an .xlsx (150 MB of zeros)", "begroting.xlsx",
     zip_bomb(150), 415),
    ("a ratio bomb inside an .xlsx (20 MB of zeros)", "klein.xlsx",
     zip_bomb(20), 415),
    ("a plain zip named .docx", "verslag.docx", plain_zip(), 415),
    ("plain text that is not named .csv", "notities.pdf",
     b"gewoon tekst\n", 415),
    ("an empty file", "leeg.pdf", b"", 400),
    ("a file over attachment_max_bytes (1 MB)", "groot.png",
     png(os.urandom(1100 * 1024)), 413),
    ("a name that is not UTF-8", "rapport\xff.pdf".encode("latin-1"),
     pdf(js=True), 400),
    ("a name of only dots", "...", pdf(js=True), 400),
]
for desc, name, data, status in refusals:
    if isinstance(name, bytes):
        r = A.request("POST", path_of(pid) + "?naam=" +
                      urllib.parse.quote_from_bytes(name), body=data,
                      token=ed)
    else:
        r = upload(A, pid, name, data, ed)
    t.ok(r.status == status and r.header("Content-Type") ==
         "application/problem+json", "%s: %d" % (desc, status),
         (r.status, r.body[:300]))
t.eq(listing(A, pid), before, "after every refusal the list is unchanged")
t.eq(stored_files(A), files_before, "and no file was added")
r = upload(A, pid, "ander.pdf", pdf(), ed)
t.eq(r.status, 409, "the same file twice on one pilot: 409")
r = A.request("POST", path_of(pid), body=pdf(js=True), token=ed)
t.eq(r.status, 400, "no naam: 400")

# The route's cap: refused from Content-Length, before the body is sent.
s = A.connect()
s.sendall(("POST %s?naam=x.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: "
           "Bearer %s\r\nContent-Length: %d\r\n\r\n" % (
               path_of(pid), ed, 26 << 20)).encode())
head = s.recv(4096).decode("latin-1")
s.close()
t.ok(head.startswith("HTTP/1.1 413"), "a body over the route's 25 MiB cap: "
     "413 before it is sent", head[:200])

# A chunked body goes to disk the same way; a chunk past the cap is 413.
chunked_png = png(b"in stukken")
s = A.connect()
req = ("POST %s?naam=stukken.png HTTP/1.1\r\nHost: x\r\nAuthorization: "
       "Bearer %s\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
       "\r\n" % (path_of(pid), ed)).encode()
for i in range(0, len(chunked_png), 20):
    part = chunked_png[i:i + 20]
    req += b"%x\r\n" % len(part) + part + b"\r\n"
s.sendall(req + b"0\r\n\r\n")
answer = b""
while True:
    got = s.recv(65536)
    if not got:
        break
    answer += got
s.close()
t.ok(answer.startswith(b"HTTP/1.1 201") and sha(chunked_png).encode() in
     answer, "a chunked upload is stored whole", answer[:300])
t.eq(A.get(path_of(pid, sha(chunked_png))).body, chunked_png,
     "and downloads byte for byte")
s = A.connect()
s.sendall(("POST %s?naam=x.png HTTP/1.1\r\nHost: x\r\nAuthorization: "
           "Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n" % (
               path_of(pid), ed, 26 << 20)).encode())
head = s.recv(4096).decode("latin-1")
s.close()
t.ok(head.startswith("HTTP/1.1 413"), "a chunk past the 25 MiB cap: 413",
     head[:200])
r = A.request("DELETE", path_of(pid, sha(chunked_png)), token=ed)
t.eq(r.status, 204, "(removed again)")

# The per-pilot cap (3 MiB here).
caps = []
for i in range(4):
    caps.append(upload(A, pid, "foto%d.png" % i, png(os.urandom(900 * 1024)),
                       ed).status)
t.eq(caps, [201, 201, 201, 413], "the pilot's total cap: the fourth is 413")

# Names: path separators and control characters cleaned, cut at 200 bytes.
jsdata = pdf(js=True)
r = upload(A, pid, "../../etc/pass\x01wd\x7f.pdf", jsdata, ed)
t.ok(r.status == 201 and r.json()["naam"] == "pass_wd_.pdf",
     "../ and control characters: the last component, controls as _",
     r.body[:200])
long_name = "é" * 150 + ".pdf"
r = upload(A, pid, "C:\\map\\" + long_name, pdf() + b"%lang\n", ed)
n = r.json()["naam"] if r.status == 201 else ""
t.ok(r.status == 201 and len(n.encode()) <= 200 and n == "é" * 100,
     "a long name is cut at 200 bytes, at a character's end; \\ too", n)

# Downloads: always attachments.
r = A.get(path_of(pid, sha(jsdata)))
t.eq(r.status, 200, "the PDF with JavaScript downloads")
t.ok(r.body == jsdata, "byte for byte")
t.eq(r.header("Content-Type"), "application/pdf", "with its stored type")
t.eq(r.header("Content-Disposition"),
     "attachment; filename*=UTF-8''pass_wd_.pdf",
     "Content-Disposition: attachment (never inline)")
t.eq(r.header("X-Content-Type-Options"), "nosniff", "nosniff")
t.eq(r.header("Content-Security-Policy"), "sandbox; default-src 'none'",
     "a sandboxing CSP")
t.eq(r.header("ETag"), '"%s"' % sha(jsdata), "the ETag is the hash")
r = A.get(path_of(pid, sha(jsdata)), headers={
    "If-None-Match": '"%s"' % sha(jsdata)})
t.eq((r.status, r.body), (304, b""), "If-None-Match: 304")
r = A.get(path_of(pid, hashes["csv"]))
t.eq(r.header("Content-Disposition"),
     "attachment; filename*=UTF-8''rapport.csv", "the CSV too")
t.eq(A.get(path_of(pid, "0" * 64)).status, 404, "an unknown hash: 404")
t.eq(A.get(path_of(pid, "../../etc")).status, 404, "a bad hash: 404")
t.eq(A.get(path_of("00000000-0000-0000-0000-000000000000")).status, 404,
     "an unknown pilot: 404")

# Who may add and remove.
t.eq(upload(A, pid, "x.csv", CSV + b"1;2;3\n", ed_goes).status, 403,
     "another municipality's editor may not add: 403")
t.eq(upload(A, pid, "x.csv", CSV + b"1;2;3\n", view_own).status, 403,
     "a viewer may not add: 403")
t.eq(upload(A, pid, "x.csv", CSV + b"1;2;3\n", None).status, 401,
     "anonymous: 401")
t.eq(A.request("DELETE", path_of(pid, hashes["csv"]), token=ed_goes).status,
     403, "another municipality's editor may not remove: 403")
r = A.request("DELETE", path_of(pid, hashes["csv"]), token=ed)
t.eq(r.status, 204, "its own editor removes one: 204")
t.eq(A.get(path_of(pid, hashes["csv"])).status, 404, "then it is gone: 404")
t.ok(hashes["csv"] not in stored_files(A), "and its file too")

# One content on two pilots, added to one while removed from the other, at
# the same moment: the file stays for the row that names it.
race_a, _ = new_pilot(A, ed, titel="Wedloop A")
race_b, _ = new_pilot(A, ed, titel="Wedloop B")
bad = []
for i in range(25):
    data = CSV + b"%d;%d;%d\n" % (i, i, i)
    h = sha(data)
    if upload(A, race_a, "a.csv", data, ed).status != 201:
        bad.append((i, "first upload"))
        continue
    got = {}
    go = threading.Barrier(2)

    def remove():
        go.wait()
        got["del"] = A.request("DELETE", path_of(race_a, h), token=ed).status

    def add():
        go.wait()
        got["add"] = upload(A, race_b, "b.csv", data, ed).status

    ts = [threading.Thread(target=f) for f in (remove, add)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    r = A.get(path_of(race_b, h))
    if (got.get("del"), got.get("add"), r.status) != (204, 201, 200) or \
            r.body != data:
        bad.append((i, got, r.status))
    A.request("DELETE", path_of(race_b, h), token=ed)
t.eq(bad, [], "an upload and a removal of the same content on two pilots "
     "at once, 25 times: the new row's file is always there")
t.ok(not any(sha(CSV + b"%d;%d;%d\n" % (i, i, i)) in stored_files(A)
             for i in range(25)), "and once both rows are gone, no file is "
     "left")

# Visibility follows the pilot.
lid, _ = new_pilot(A, ed, zichtbaarheid="leden", titel="Alleen voor leden")
cid, _ = new_pilot(A, ed, zichtbaarheid="concept", titel="Een concept")
did, detag = new_pilot(A, ed, titel="Straks weg")
for p in (lid, cid, did):
    t.eq(upload(A, p, "dpia.pdf", pdf(), ed).status, 201,
         "an attachment on %s" % p)
h = sha(pdf())
t.eq(A.get(path_of(lid)).status, 404, "leden: anonymous sees no list")
t.eq(A.get(path_of(lid, h)).status, 404, "leden: anonymous downloads 404")
t.eq(A.get(path_of(lid, h), token=view_goes).status, 200,
     "leden: any member downloads")
t.eq(A.get(path_of(cid, h), token=view_goes).status, 404,
     "concept: another municipality 404")
t.eq(A.get(path_of(cid), token=view_goes).status, 404,
     "concept: nor its list")
t.eq(A.get(path_of(cid, h), token=view_own).status, 200,
     "concept: its own municipality downloads")
r = A.request("DELETE", "/api/v1/pilots/" + did, token=ed,
              headers={"If-Match": A.get("/api/v1/pilots/" + did)
                       .header("ETag")})
t.eq(r.status, 204, "the pilot is deleted")
t.eq(A.get(path_of(did, h)).status, 410, "a deleted pilot's attachment: 410")
t.eq(A.get(path_of(did)).status, 410, "and its list: 410")
t.ok(h in stored_files(A), "a file other pilots name stays")
gone = pdf() + b"%only on the deleted pilot\n"
did, _ = new_pilot(A, ed, titel="Straks weg, met een eigen bijlage")
t.eq(upload(A, did, "eigen.pdf", gone, ed).status, 201,
     "an attachment only one pilot has")
r = A.request("DELETE", "/api/v1/pilots/" + did, token=ed,
              headers={"If-Match": A.get("/api/v1/pilots/" + did)
                       .header("ETag")})
t.eq(r.status, 204, "its pilot is deleted")
t.ok(sha(gone) not in stored_files(A), "and the file is gone from the disk "
     "(a deleted pilot keeps no attachments)")

# --- The web page --------------------------------------------------------
FORM = "application/x-www-form-urlencoded"
origin = "http://127.0.0.1:%d" % A.port
A.ctl("user", "add", "redactie@rheden.example.nl", "--gemeente", "GM0275",
      "--role", "editor", input="een lang wachtwoord\n", check=True)
r = A.request("POST", "/inloggen", headers={"Content-Type": FORM,
              "Origin": origin}, body=urllib.parse.urlencode(
                  {"email": "redactie@rheden.example.nl",
                   "wachtwoord": "een lang wachtwoord"}))
cookie = (r.header("Set-Cookie") or "").split(";")[0]
page = A.get("/pilots/" + pid, headers={"Cookie": cookie}).body.decode()
t.ok('href="/pilots/%s/bijlagen"' % pid in page,
     "the pilot page links to its attachments")
page = A.get("/pilots/%s/bijlagen" % pid, headers={"Cookie": cookie})
text = page.body.decode()
t.ok(page.status == 200 and "rapport.docx" in text and
     'enctype="multipart/form-data"' in text and "pass_wd_.pdf" in text,
     "the page lists them, with the upload form for its editor")
csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
anon = A.get("/pilots/%s/bijlagen" % pid).body.decode()
t.ok("rapport.docx" in anon and "multipart" not in anon,
     "anonymous: the list, no form")


def multipart(fields, filename, data):
    bnd = "----meentgrens7"
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                "%s\r\n" % (bnd, k, v)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"bestand\"; "
            "filename=\"%s\"\r\nContent-Type: application/pdf\r\n\r\n" % (
                bnd, filename)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % bnd).encode()
    return out, "multipart/form-data; boundary=" + bnd


webpdf = pdf() + b"%web\n"
body, ctype = multipart({"csrf": csrf}, "Presentatie ré.pdf", webpdf)
h = {"Cookie": cookie, "Origin": origin, "Content-Type": ctype}
r = A.request("POST", "/pilots/%s/bijlagen" % pid, headers=h, body=body)
t.eq((r.status, r.header("Location")), (303, "/pilots/%s/bijlagen?klaar="
     "toegevoegd" % pid), "the web form uploads: 303 back to the page")
t.ok(any(a["naam"] == "Presentatie ré.pdf" for a in listing(A, pid)),
     "it is listed with its name")
# The form is read as it arrives, its file written to disk on the way: a
# file whose bytes look like the boundary's start, the CSRF field after the
# file, arrive whole.
tricky = pdf() + b"\r\n------meentgrens\r\n--\r\n------meentgrens-7\r\n-"
body, ctype = multipart({}, "lastig.pdf", tricky)
body = body.replace(b"------meentgrens7--\r\n", (
    "------meentgrens7\r\nContent-Disposition: form-data; name=\"csrf\""
    "\r\n\r\n%s\r\n------meentgrens7--\r\n" % csrf).encode())
r = A.request("POST", "/pilots/%s/bijlagen" % pid, headers=dict(
    h, **{"Content-Type": ctype}), body=body)
t.eq(r.status, 303, "a file with boundary-like bytes, the CSRF field after "
     "it: stored")
r = A.get(path_of(pid, sha(tricky)))
t.ok(r.status == 200 and r.body == tricky, "byte for byte")
A.request("DELETE", path_of(pid, sha(tricky)), token=ed)
before = (listing(A, pid), stored_files(A))
good, _ = multipart({"csrf": csrf}, "goed.pdf", pdf() + b"%goed\n")
for what, data, ct, want in (
        ("a form cut off before its end", good[:-40], ctype, 400),
        ("two files in one form", good.replace(
            b"------meentgrens7--\r\n", b"------meentgrens7\r\n"
            b"Content-Disposition: form-data; name=\"bestand\"; "
            b"filename=\"b.pdf\"\r\n\r\n%PDF-1.4\r\n"
            b"------meentgrens7--\r\n"), ctype, 400),
        # No CSRF token can be read from these: 403, as for any form.
        ("a form without the boundary it announces", good,
         "multipart/form-data; boundary=anders", 403),
        ("no form at all", b"bestand=x&csrf=" + csrf.encode(), FORM, 403),
        ("an empty body", b"", ctype, 403)):
    r = A.request("POST", "/pilots/%s/bijlagen" % pid, headers=dict(
        h, **{"Content-Type": ct, "Accept": "text/html"}), body=data)
    t.ok(r.status == want and "text/html" in (r.header("Content-Type") or "")
         and "formulier" in r.body.decode("utf-8", "replace"),
         "%s: %d, a Dutch page" % (what, want), (r.status, r.body[:300]))
t.eq((listing(A, pid), stored_files(A)), before,
     "and nothing stored changed")
body2, ctype2 = multipart({"csrf": "fout"}, "x.pdf", pdf() + b"%x\n")
r = A.request("POST", "/pilots/%s/bijlagen" % pid, headers=dict(
    h, **{"Content-Type": ctype2}), body=body2)
t.eq(r.status, 403, "a wrong CSRF token: 403")
body3, ctype3 = multipart({"csrf": csrf}, "rapport.pdf", ELF)
r = A.request("POST", "/pilots/%s/bijlagen" % pid, headers=dict(
    h, **{"Content-Type": ctype3, "Accept": "text/html"}), body=body3)
t.ok(r.status == 415 and "text/html" in (r.header("Content-Type") or ""),
     "an ELF through the form: 415, a page", (r.status, r.body[:200]))
r = A.request("POST", "/pilots/%s/bijlagen/%s/verwijderen" % (
    pid, sha(webpdf)), headers={"Cookie": cookie, "Origin": origin,
                                "Content-Type": FORM},
    body=urllib.parse.urlencode({"csrf": csrf}))
t.eq(r.status, 303, "the delete button: 303")
t.ok(all(a["hash"] != sha(webpdf) for a in listing(A, pid)),
     "and it is gone")

# --- Backup and restore --------------------------------------------------
listed = listing(A, pid)
backup = os.path.join(A.dir, "backup.db")
p = A.ctl("backup", backup)
t.ok(p.returncode == 0 and os.path.isdir(backup + ".bijlagen"),
     "meentctl backup writes the files beside the database", p.stderr)
A.stop()
shutil.rmtree(os.path.join(A.data, "bijlagen"))
p = A.ctl("restore", backup)
t.eq(p.returncode, 0, "meentctl restore")
A.start()
t.eq(listing(A, pid), listed, "after a restore the list is the same")
r = A.get(path_of(pid, hashes["docx"]))
t.ok(r.status == 200 and sha(r.body) == hashes["docx"],
     "and a file downloads byte for byte")
finish(t, A, done=False)

# --- Federation: B fetches A's files and verifies them -------------------


class Node(Instance):
    def __init__(self, name):
        super().__init__(settings={"federation_allow_http_loopback": "true"},
                         name=name)
        self.port = free_port()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port


def wait_for(fn, timeout=60):
    deadline = time.time() + timeout
    while True:
        try:
            v = fn()
        except (OSError, ValueError, KeyError, TypeError):
            v = None
        if v or time.time() > deadline:
            return v
        time.sleep(0.1)


FA, FB = Node("meent Bron").start(), Node("meent Volger").start()
key = FA.get("/.well-known/meent").json()["publicKey"]
p = FB.ctl("peer", "add", FA.url, "--key", key, "--interval", "1")
t.eq(p.returncode, 0, "B pins A", )
fed = FA.token("GM0275", "editor")
fpid, _ = new_pilot(FA, fed)
big = png(os.urandom(3 << 20))
for name, data in (("rapport.pdf", pdf()), ("foto.png", big)):
    t.eq(upload(FA, fpid, name, data, fed).status, 201, "on A: " + name)
want = listing(FA, fpid)
got = wait_for(lambda: len(listing(FB, fpid)) == 2 and listing(FB, fpid))
t.ok(got and sorted((a["hash"], a["grootte"], a["type"], a["naam"])
                   for a in got) ==
     sorted((a["hash"], a["grootte"], a["type"], a["naam"]) for a in want),
     "B lists the federated pilot's attachments (hash, size, type, name)",
     got)
r = wait_for(lambda: (lambda r: r if r.status == 200 else None)(
    FB.get(path_of(fpid, sha(big)))))
t.ok(r is not None and sha(r.body) == sha(big),
     "B fetched the file from A and serves it, verified")
t.ok(r is not None and r.header("Content-Disposition", ) ==
     "attachment; filename*=UTF-8''foto.png", "as a download")
t.eq(upload(FB, fpid, "x.pdf", pdf() + b"%b\n", FB.token("GM0275",
     "editor")).status, 409, "a federated pilot is read-only on B: 409")
# A removes one: B follows.
t.eq(FA.request("DELETE", path_of(fpid, sha(big)), token=fed).status, 204,
     "A removes the PNG")
got = wait_for(lambda: len(listing(FB, fpid)) == 1)
t.ok(got, "B's list follows")
t.eq(FB.get(path_of(fpid, sha(big))).status, 404, "and B answers 404 for it")
t.ok(wait_for(lambda: sha(big) not in stored_files(FB, check=False)),
     "and B's copy of the file is gone from its disk")

# The origin sends other bytes than it announced (here: its stored file
# changed on its disk, same size): B keeps nothing and says why.
odd = png(os.urandom(1 << 16))
t.eq(upload(FA, fpid, "ander.png", odd, fed).status, 201, "on A: ander.png")
theirs = os.path.join(FA.data, "bijlagen", sha(odd)[:2], sha(odd))
with open(theirs, "r+b") as f:
    f.seek(len(odd) - 16)
    f.write(b"\0" * 16)
got = wait_for(lambda: len(listing(FB, fpid)) == 2)
t.ok(got, "B lists the new attachment")
t.ok(wait_for(lambda: "the origin sent other content" in FB.log()),
     "B logs that the origin sent other content than announced")
r = FB.get(path_of(fpid, sha(odd)))
t.eq(r.status, 503, "B does not serve it: 503 (not there yet)")
t.ok(sha(odd) not in stored_files(FB), "and has no file for it")
finish(t, FA, FB)
