# SPDX-License-Identifier: EUPL-1.2
"""/metrics passes promtool check metrics (Debian's prometheus package;
scripts/deps --test) with every family present: routes hit, refusals,
plugins loaded and counting. metrics_allow serves it only to the listed
addresses (others 404), judged on the client past trusted proxies."""
import http.client
import os
import re
import shutil
import subprocess

from harness import TOP_BUILD, Instance, Tap, finish

t = Tap()
PROMTOOL = shutil.which("promtool")
LIBS = os.path.join(TOP_BUILD, "tests", "plugins", ".libs")
LEES = os.path.join(TOP_BUILD, "plugins", ".libs", "leesbaarheid.so")


def get(m, path, source="127.0.0.1", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", m.port, timeout=30,
                                   source_address=(source, 0))
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


settings = {}
if os.path.exists(LEES):
    settings["plugin"] = LEES
m = Instance(settings=settings).start()
tok = m.token()
m.get("/api/v1/gemeenten/GM0275")
m.get("/api/v1/nergens")
m.request("POST", "/api/v1/pilots", body={"titel": "x"}, token=tok)
m.raw(b"GET / HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n")
status, body = get(m, "/metrics")
t.eq(status, 200, "/metrics for anyone without metrics_allow")
text = body.decode()

t.ok(PROMTOOL is not None, "promtool is installed (scripts/deps --test)")
if PROMTOOL:
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=body,
                       capture_output=True)
    t.eq(p.returncode, 0, "promtool check metrics passes",)
    if p.returncode != 0:
        print("# " + (p.stdout + p.stderr).decode().replace("\n", "\n# "))

# What promtool's linter wants, checked here as well, so that a family
# added without its HELP fails even where promtool is missing.
families = set()
for line in text.splitlines():
    if line.startswith("#") or not line:
        continue
    name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
    families.add(re.sub(r"_(bucket|sum|count)$", "", name)
                 if name.startswith("meent_http_request_duration") else name)
no_help = sorted(f for f in families if "# HELP %s " % f not in text)
no_type = sorted(f for f in families if "# TYPE %s " % f not in text)
t.eq(no_help, [], "every family has HELP")
t.eq(no_type, [], "every family has TYPE")
bad_counters = sorted(f for f in families
                      if re.search(r"^# TYPE %s counter$" % f, text, re.M)
                      and not f.endswith("_total"))
t.eq(bad_counters, [], "counters end in _total")
finish(t, m, done=False)

# metrics_allow: the listed, and no one else, past trusted proxies.
m = Instance(settings={"metrics_allow": "127.0.0.2, 2001:db8::/32",
                       "trusted_proxy": "127.0.0.3"}).start()
t.eq(get(m, "/metrics", "127.0.0.2")[0], 200, "a listed address reads it")
status, body = get(m, "/metrics", "127.0.0.1")
t.eq(status, 404, "anyone else: 404, as if it were not there")
t.ok(b"meent_" not in body, "and nothing of it")
t.eq(get(m, "/metrics", "127.0.0.1",
         {"X-Forwarded-For": "127.0.0.2"})[0], 404,
     "a forged X-Forwarded-For from an untrusted peer does not help")
t.eq(get(m, "/metrics", "127.0.0.3",
         {"X-Forwarded-For": "198.51.100.4"})[0], 404,
     "a public client through a trusted proxy: 404")
t.eq(get(m, "/metrics", "127.0.0.3",
         {"X-Forwarded-For": "2001:db8::5"})[0], 200,
     "a listed client through a trusted proxy reads it")
t.eq(get(m, "/healthz", "127.0.0.1")[0], 200, "other routes are for anyone")
finish(t, m, done=False)

bad = Instance(settings={"metrics_allow": "everyone"})
bad.start(wait=False)
t.ok(bad.proc.wait(timeout=60) == 2 and "metrics_allow" in bad.log(),
     "a bad metrics_allow does not start", bad.log())
bad.close()
t.done()
