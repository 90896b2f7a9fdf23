# SPDX-License-Identifier: EUPL-1.2
"""Operations: /healthz, /readyz, /metrics; the config file (with bad lines
refused), SIGHUP reloading it and reopening the log, SIGTERM draining."""
import http.client
import os
import signal
import subprocess
import threading
import time

from harness import Instance, Tap, finish

t = Tap()
log_file = "/dev/null"
m = Instance(config_text="# test configuration\n"
             "access_log = on\nlog_level = info\n"
             "max_body_bytes = 64k   # a comment after a value\n")
m.config_path_log = os.path.join(m.dir, "file.log")
m.start()

t.eq(m.get("/healthz").json(), {"status": "ok"}, "/healthz")
t.eq(m.get("/readyz").json(), {"status": "ready"}, "/readyz")
m.get("/api/v1/gemeenten/GM0275")
m.get("/api/v1/gemeenten/GM0275")
m.get("/api/v1/nergens")
r = m.get("/metrics")
t.ok(r.header("Content-Type").startswith("text/plain; version=0.0.4"),
     "metrics in the Prometheus text format")
text = r.body.decode()
t.ok('meent_http_requests_total{route="gemeenten.get",status="200"} 2' in
     text, "requests by route and status", text[:500])
t.ok('meent_http_requests_total{route="none",status="404"} 1' in text,
     "unrouted 404s counted")
t.ok('meent_http_request_duration_seconds_bucket{route="gemeenten.get",'
     'le="+Inf"} 2' in text, "latency histogram")
import re
gauge = re.search(r"^meent_http_connections (\d+)$", text, re.M)
# This request's connection at least; one just closed may not be gone yet.
t.ok(gauge is not None and int(gauge.group(1)) >= 1,
     "open connections gauge", gauge)
t.ok("meent_db_errors_total 0" in text, "database errors counter")
t.ok("# TYPE meent_http_request_duration_seconds histogram" in text,
     "histogram TYPE line")

# The config file's max_body_bytes (64k) applies: it lowers the 1.1 MB cap
# of a pilot, and is decided before credentials (otherwise this were 401).
raw = m.raw(b"POST /api/v1/pilots HTTP/1.1\r\nHost: x\r\nContent-Length: 70000"
            b"\r\nContent-Type: application/json\r\n\r\n")
t.ok(raw.startswith(b"HTTP/1.1 413"), "a config file value applies (64k)",
     raw[:200])
t.ok(b"65536" in raw, "the 413 names the lowered cap", raw[:400])

# SIGHUP: reload with the log moved to a file; a bad file is refused.
with open(m.config_path, "a") as f:
    f.write("log_file = %s\n" % m.config_path_log)
m.kill(signal.SIGHUP)
time.sleep(0.5)
m.get("/healthz")
time.sleep(0.2)
t.ok(os.path.exists(m.config_path_log) and
     "healthz" in open(m.config_path_log).read(),
     "after SIGHUP the log goes to the new file")
os.rename(m.config_path_log, m.config_path_log + ".1")
m.kill(signal.SIGHUP)
time.sleep(0.5)
m.get("/readyz")
time.sleep(0.2)
t.ok(os.path.exists(m.config_path_log) and
     "readyz" in open(m.config_path_log).read(),
     "SIGHUP reopens the log (logrotate)")
with open(m.config_path, "a") as f:
    f.write("threads = many\n")
m.kill(signal.SIGHUP)
time.sleep(0.5)
t.eq(m.get("/healthz").status, 200, "a bad reload keeps serving")
t.ok("kept the running configuration" in open(m.config_path_log).read(),
     "and logs that it kept the old configuration")

# SIGTERM drains: an idle keep-alive connection does not hold it up, a
# request in flight is answered, and the exit code is 0.
idle = m.connect()
idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
idle.recv(4096)
t0 = time.time()
code = m.stop()
t.eq(code, 0, "SIGTERM: exit 0")
t.ok(time.time() - t0 < 5, "an idle connection does not delay the stop")
t.ok("server.drain" in open(m.config_path_log).read(), "the drain is logged")
try:
    t.eq(idle.recv(100), b"", "the idle connection was closed")
except ConnectionResetError:
    t.ok(True, "the idle connection was closed")
idle.close()
t.ok(m.sanitizer_report() == "" and "Sanitizer" not in
     open(m.config_path_log).read(), "no sanitizer report")
m.close()

# Bad config files stop the start with file, line and reason.
for text, want in [("threads = 999\n", "meentd.conf:2: threads"),
                   ("frobnicate = 1\n", "unknown key 'frobnicate'"),
                   ("listen\n", "expected 'key = value'"),
                   ("access_log = misschien\n", "not true or false")]:
    b = Instance(config_text="# ok\n" + text)
    p = subprocess.run(b.argv(), capture_output=True, text=True, timeout=30)
    t.ok(p.returncode == 2 and (want in p.stderr), "bad config: %s" %
         text.strip(), p.stderr)
    b.close()

# Draining under load: requests in flight when SIGTERM comes are answered.
d = Instance(threads=2).start()
results = []


def hammer():
    for _ in range(200):
        try:
            results.append(d.get("/api/v1/gemeenten?pageSize=100").status)
        except http.client.IncompleteRead:
            results.append("truncated")     # an answer cut short: a bug
            return
        except OSError:
            results.append("refused")
            return


threads = [threading.Thread(target=hammer) for _ in range(4)]
for th in threads:
    th.start()
time.sleep(0.5)
code = d.stop()
for th in threads:
    th.join()
t.eq(code, 0, "SIGTERM under load: exit 0")
t.ok(all(x in (200, "refused") for x in results) and results.count(200) > 0,
     "every answer before the stop is complete; then connections are "
     "refused (%d answered)" % results.count(200),
     [x for x in results if x not in (200, "refused")][:5])
t.ok(d.sanitizer_report() == "", "no sanitizer report under load")
d.close()
t.done()
