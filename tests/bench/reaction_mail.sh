#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 16: the time from a reaction to its e-mail. A pilot with a contact
# person; another municipality's user asks N questions (30; REACTIONS=)
# through the web form, one after another; a local SMTP server (Python's
# aiosmtpd on loopback) notes when each message arrives. The time is from
# the form's answer (the reaction and its mail committed together) to the
# message at the server: the outbox thread waking, SMTP, the server.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
dpkg-query -W -f='${Status}' python3-aiosmtpd 2>/dev/null | grep -q "ok installed" ||
	apt-get install -y -q python3-aiosmtpd >/dev/null
if [ -n "${MEENT_BENCH_BUILD:-}" ]; then
	meentd=$MEENT_BENCH_BUILD/platform/meentd
	meentctl=$MEENT_BENCH_BUILD/platform/meentctl
else
	bench_build
fi
N=${REACTIONS:-30}
"$meentctl" --data "$work/data" --content "$top/content" init >/dev/null
for who in analist@rheden.example.nl:GM0275:editor vrager@goes.example.nl:GM0664:viewer; do
	echo "een lang wachtwoord" | "$meentctl" --data "$work/data" user add \
	    "${who%%:*}" --gemeente "$(echo "$who" | cut -d: -f2)" \
	    --role "${who##*:}" >/dev/null
done
tok=$("$meentctl" --data "$work/data" token create --gemeente GM0275 --role editor)
/usr/bin/python3 - "$work" "$meentd" "$top" "$N" "$tok" <<'PY'
import json, os, re, socket, subprocess, sys, time
import urllib.parse, urllib.request
from aiosmtpd.controller import Controller

work, meentd, top, n, tok = sys.argv[1:6]
n = int(n)
arrived = {}


class Note:
    async def handle_DATA(self, server, session, envelope):
        m = re.search(rb"Vraag nummer (\d+)", envelope.original_content)
        if m:
            arrived.setdefault(int(m.group(1)), time.monotonic())
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


sport, port = free_port(), free_port()
smtp = Controller(Note(), hostname="127.0.0.1", port=sport)
smtp.start()
base = "http://127.0.0.1:%d" % port
p = subprocess.Popen([meentd, "--data", os.path.join(work, "data"),
                      "--listen", "127.0.0.1:%d" % port, "--content",
                      os.path.join(top, "content"), "--set", "access_log=off",
                      "--set", "base_url=" + base,
                      "--set", "smtp_url=smtp://127.0.0.1:%d" % sport,
                      "--set", "smtp_from=noreply@meent.test"],
                     stderr=open(os.path.join(work, "meentd.log"), "w"))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a):
        return None


opener = urllib.request.build_opener(NoRedirect)


def call(method, path, body=None, headers=None):
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers=headers or {})
    try:
        r = opener.open(req, timeout=30)
    except urllib.error.HTTPError as e:
        r = e
    return r.status, dict(r.headers), r.read()


try:
    for _ in range(200):
        try:
            call("GET", "/readyz")
            break
        except OSError:
            time.sleep(0.05)
    _, _, body = call("POST", "/api/v1/pilots", json.dumps({
        "titel": "Een pilot met een contactpersoon",
        "samenvatting": "Vragen zijn welkom.", "domein": "werk-en-inkomen",
        "status": "lopend", "vraag": "Hoe snel komt de mail?",
        "zichtbaarheid": "openbaar", "aanpak": "Meten.", "data": "",
        "resultaten": "", "lessen": "", "privacy": ""}).encode(),
        {"Authorization": "Bearer " + tok,
         "Content-Type": "application/json"})
    pid = json.loads(body)["id"]

    def login(email):
        _, h, _ = call("POST", "/inloggen", urllib.parse.urlencode({
            "email": email, "wachtwoord": "een lang wachtwoord"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Origin": base})
        cookie = h.get("Set-Cookie", "").split(";")[0]
        _, _, page = call("GET", "/contactpersonen/aanmelden",
                          headers={"Cookie": cookie})
        csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1)
        return cookie, csrf.decode()

    def form(path, fields, who):
        cookie, csrf = who
        return call("POST", path, urllib.parse.urlencode(dict(
            fields, csrf=csrf)).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": base, "Cookie": cookie})[0]

    analist = login("analist@rheden.example.nl")
    assert form("/contactpersonen/aanmelden", {
        "soort": "pilot", "pilot": pid, "naam": "Ann Analist",
        "functie": "Analist", "email": "ann@rheden.example.nl",
        "hulp": "Vragen over de pilot."}, analist) == 303
    vrager = login("vrager@goes.example.nl")
    sent = {}
    for i in range(n):
        status = form("/pilots/%s/reacties" % pid, {
            "soort": "vraag", "tekst": "Vraag nummer %d: hoe ging het?" % i},
            vrager)
        sent[i] = time.monotonic()
        assert status == 303, status
        deadline = time.monotonic() + 30
        while i not in arrived and time.monotonic() < deadline:
            time.sleep(0.001)
finally:
    p.terminate()
    p.wait()
    smtp.stop()
ms = sorted((arrived[i] - sent[i]) * 1000 for i in sent if i in arrived)
print("reaction to e-mail: %d of %d arrived; p50 %.1f ms, p95 %.1f ms, max "
      "%.1f ms (from the form's 303 to the message at a local SMTP server)"
      % (len(ms), n, ms[len(ms) // 2], ms[int(len(ms) * 0.95) - 1], ms[-1])
      if ms else "reaction to e-mail: nothing arrived")
PY
