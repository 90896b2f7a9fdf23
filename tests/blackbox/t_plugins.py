# SPDX-License-Identifier: EUPL-1.2
"""Plugins: the loader refuses broken ones with one clear line (or goes on
without them when plugin_optional is set); on_validate refuses and warns;
on_publish is told after commits, off the request path; plugin routes;
the leesbaarheid plugin's scores."""
import json
import os
import subprocess
import time

from harness import TOP_BUILD, Instance, Tap, finish

t = Tap()
LIBS = os.path.join(TOP_BUILD, "tests", "plugins", ".libs")
LEES = os.path.join(TOP_BUILD, "plugins", ".libs", "leesbaarheid.so")

for name, want in [("broken_abi", "built for plugin ABI 2"),
                   ("broken_size", "bytes in the plugin"),
                   ("broken_spare", "spare slot 2 is not NULL"),
                   ("broken_load", "its load() failed"),
                   ("broken_name", "its name is not"),
                   ("no_symbol", "no symbol meent_plugin_v1"),
                   ("missing", "cannot open shared object file")]:
    m = Instance(settings={"plugin": os.path.join(LIBS, name + ".so")})
    p = subprocess.run(m.argv(), capture_output=True, text=True, timeout=30)
    t.ok(p.returncode == 1 and want in p.stderr and
         p.stderr.count('"level":"error"') == 1,
         "%s is refused with one log line: %s" % (name, want), p.stderr)
    m.close()
m = Instance(settings={"plugin": os.path.join(LIBS, "broken_abi.so"),
                       "plugin_optional": "true"}).start()
t.eq(m.get("/healthz").status, 200, "plugin_optional: starts without it")
t.ok("going on without it" in m.log(), "and says so")
finish(t, m, done=False)

# A plugin whose hook fails: a clean 500, nothing stored.
m = Instance(settings={"plugin": os.path.join(LIBS, "validate_fails.so")})
m.start()
tok = m.token("GM0275", "editor")
pilot = {"titel": "Een pilot", "samenvatting": "Kort.", "domein": "jeugd",
         "status": "idee", "vraag": "Werkt het?", "zichtbaarheid": "openbaar"}
r = m.request("POST", "/api/v1/pilots", token=tok, body=pilot)
t.eq(r.status, 500, "a failing on_validate: 500")
t.eq(r.header("Content-Type"), "application/problem+json", "as problem+json")
t.eq(m.get("/api/v1/pilots").json()["totaal"], 0, "and nothing is stored")
finish(t, m, done=False)

# The recorder: refusals, publish events, a slow plugin.
events = os.path.join("/tmp", "meent-recorder-%d.log" % os.getpid())
if os.path.exists(events):
    os.unlink(events)
m = Instance(settings={"plugin": "%s file=%s delay=1" % (
    os.path.join(LIBS, "recorder.so"), events)}).start()
tok = m.token("GM0275", "editor")
r = m.request("POST", "/api/v1/pilots", token=tok,
              body=dict(pilot, titel="Graag WEIGEREN"))
t.eq(r.status, 400, "a plugin refuses through on_validate: 400")
t.eq(r.json()["invalidParams"], [{"name": "titel", "reason":
                                  "de recorder weigert dit"}],
     "with the plugin's field and reason")
times = []
for i in range(3):
    t0 = time.time()
    r = m.request("POST", "/api/v1/pilots", token=tok,
                  body=dict(pilot, titel="Pilot nummer %d" % i))
    times.append(time.time() - t0)
t.ok(r.status == 201 and max(times) < 0.9,
     "a plugin that takes 1 s per event does not slow requests (%.2f s)"
     % max(times))
t.eq(r.json().get("waarschuwingen"), [{"plugin": "recorder", "name":
     "gemeente", "message": '[{"naam":"Rheden"}]'}],
     "a plugin's read-only query works; a write through it is refused")
t.eq(m.get("/api/v1/gemeenten?pageSize=1").json()["totaal"], 342,
     "and nothing was deleted")
pid = r.json()["id"]
etag = r.header("ETag")
r = m.request("PATCH", "/api/v1/pilots/" + pid, token=tok,
              body={"status": "lopend"}, headers={"If-Match": etag})
r = m.request("DELETE", "/api/v1/pilots/" + pid, token=tok)
deadline = time.time() + 15
lines = []
while time.time() < deadline:
    lines = open(events).read().splitlines() if os.path.exists(events) else []
    if len(lines) >= 5:
        break
    time.sleep(0.2)
t.eq(len(lines), 5, "five events: three publishes, an update, a delete")
t.ok(lines[3].split()[:3] == ["pilot", pid, "2"] and
     lines[4].split()[:3] == ["pilot", pid, "3"] and
     lines[4].split()[4] == "1" and lines[0].split()[5].startswith("/pilots/"),
     "with kind, id, version, deletion and page", lines)
code = m.stop()
t.eq(code, 0, "meentd stops cleanly with a plugin loaded")
t.ok(m.sanitizer_report() == "", "no sanitizer report", m.sanitizer_report())
m.close()
os.unlink(events)

# leesbaarheid: scores as remarks, a route, the edit page.
m = Instance(settings={"plugin": LEES + " drempel=60"}).start()
tok = m.token("GM0275", "editor")
r = m.get("/plugins/leesbaarheid/score?tekst=De+kat+zit+op+de+mat.")
t.eq((r.status, r.json()["score"], r.json()["b1"]), (200, 124.3, True),
     "a plugin's own route: the score of a text")
t.eq(m.get("/plugins/leesbaarheid/score").status, 400, "no text: 400")
t.eq(m.get("/plugins/leesbaarheid/nergens").status, 404, "no such route")
hard = ("De implementatie van datagedreven beleidsvorming vereist een "
        "multidisciplinaire benadering waarbij organisatorische "
        "randvoorwaarden, informatiebeveiligingsaspecten en privacywaarborgen "
        "integraal worden geadresseerd door alle betrokken stakeholders.")
easy = ("We keken naar de balie. Op veel avonden kwam niemand. Dat wisten we "
        "niet. Nu is er een avond per week open. Wie echt niet overdag kan, "
        "maakt een afspraak. Dat werkt goed voor de mensen en voor ons.")
r = m.request("POST", "/api/v1/pilots", token=tok, body=dict(
    pilot, samenvatting=hard, aanpak=easy))
w = {x["name"]: x["message"] for x in r.json().get("waarschuwingen", [])}
t.ok(r.status == 201 and "moeilijker dan taalniveau B1" in
     w.get("samenvatting", ""), "a hard summary gets a B1 warning", w)
t.ok("goed" in w.get("aanpak", ""), "an easy section scores well", w)
pid = r.json()["id"]
m.ctl("user", "add", "r@rheden.example.nl", "--gemeente", "GM0275", "--role",
      "editor", input="een lang wachtwoord\n", check=True)
r = m.request("POST", "/inloggen", headers={
    "Content-Type": "application/x-www-form-urlencoded",
    "Origin": "http://127.0.0.1:%d" % m.port},
    body="email=r%40rheden.example.nl&wachtwoord=een+lang+wachtwoord")
cookie = (r.header("Set-Cookie") or "").split(";")[0]
page = m.get("/pilots/%s/bewerken" % pid, headers={"Cookie": cookie})
t.ok(page.status == 200 and "leesbaarheid" in page.body.decode() and
     "Tips voor de tekst" in page.body.decode(),
     "the score shows on the pilot's edit page")
finish(t, m)
