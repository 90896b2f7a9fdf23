# SPDX-License-Identifier: EUPL-1.2
"""The configuration file (core/config.c, meentd.conf(5)): a bad line stops
meentd with FILE:LINE (unknown key, bad number, bad boolean, a value out of
range, a bad choice, an unreadable or too open secrets file); where '#'
starts a comment; SIGHUP applies the live keys at once, names those that
need a restart, and keeps the running configuration when the file is bad;
every key of the table is in the man page and in the example file."""
import os
import re
import signal
import subprocess
import time

from harness import MEENTD, TOP_SRC, Instance, Tap, finish

t = Tap()


def refused(text, want, desc, line):
    """meentd with this file does not start and names FILE:LINE."""
    m = Instance(config_text=text)
    m.start(wait=False)
    code = m.proc.wait(timeout=60)
    log = m.log()
    where = "%s:%d:" % (m.config_path, line)
    t.ok(code == 2 and where in log and want in log, desc,
         "exit %s: %s" % (code, log[-400:]))
    m.close()


secret_dir = Instance(init=False)
open_secret = os.path.join(secret_dir.dir, "open")
with open(open_secret, "w") as f:
    f.write("user:pw\n")
os.chmod(open_secret, 0o644)
missing = os.path.join(secret_dir.dir, "missing")

refused("access_log = on\nnope = 1\n", "unknown key 'nope'",
        "an unknown key: FILE:LINE", 2)
refused("# x\nthreads = many\n", "threads: 'many' is not a number",
        "a bad number: FILE:LINE", 2)
refused("access_log = maybe\n", "is not true or false",
        "a bad boolean: FILE:LINE", 1)
refused("\n\n\nmax_connections = 0\n", "from 1 to 65536",
        "a number out of range: FILE:LINE", 4)
refused("log_format = xml\n", "'xml' is not json or text",
        "a bad choice: FILE:LINE", 1)
refused("smtp_credentials_file = %s\n" % missing, "cannot read",
        "a secrets file that is not there: FILE:LINE", 1)
refused("smtp_credentials_file = %s\n" % secret_dir.dir, "is not a file",
        "a secrets 'file' that is a directory: FILE:LINE", 1)
refused("smtp_credentials_file = %s\n" % open_secret, "chmod 600",
        "a secrets file others may read: FILE:LINE", 1)
refused("threads = 2#3\n", "'2#3' is not a number",
        "'#' right after a value's character is part of it", 1)

# '#' after a blank is a comment, after anything else part of the value.
hash_log = os.path.join(secret_dir.dir, "a#b.log")
m = Instance(config_text="  # indented comment\nlog_file = %s # where\n"
             % hash_log)
m.start(wait=False)
deadline = time.time() + 30
while time.time() < deadline and not (
        os.path.exists(hash_log) and "server.start" in open(hash_log).read()):
    time.sleep(0.05)
t.ok(os.path.exists(hash_log) and "server.start" in open(hash_log).read(),
     "log_file = .../a#b.log # where: the file is a#b.log")
m.stop()
m.close()
secret_dir.close()

# --- SIGHUP -----------------------------------------------------------------
m = Instance(config_text="max_body_bytes = 64k\n")
m.start()


def reloads():
    """The reload lines so far, JSON or text."""
    return [l for l in m.log().splitlines() if "config.reload" in l]


def hup(text):
    """Write the file, SIGHUP, wait for the reload's line; returns it."""
    n = len(reloads())
    with open(m.config_path, "w") as f:
        f.write(text)
    m.kill(signal.SIGHUP)
    deadline = time.time() + 30
    while time.time() < deadline and len(reloads()) == n:
        time.sleep(0.05)
    got = reloads()
    if os.environ.get("DEBUG"):
        print("# " + m.log()[-1500:].replace("\n", "\n# "))
    # The workers switch on their own loops: one request each makes sure.
    for _ in range(4):
        m.get("/healthz")
    return got[-1] if len(got) > n else None


def post(n):
    return m.raw(b"POST /api/v1/pilots HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Length: %d\r\nContent-Type: application/json\r\n"
                 b"\r\n" % n)


def ready(pred, tries=40):
    """A worker may pick the new configuration up a moment later."""
    for _ in range(tries):
        if pred():
            return True
        time.sleep(0.05)
    return False


def login():
    return m.request("POST", "/inloggen", body="email=x%40x.nl&wachtwoord="
                     "foutfoutfout", headers={
                         "Content-Type": "application/x-www-form-urlencoded",
                         "Origin": "http://127.0.0.1:%d" % m.port}).status


t.ok(post(40000).startswith(b"HTTP/1.1 401"), "40000 bytes under the 64k cap")
t.eq([login(), login()], [401, 401], "logins under login_per_minute (10)")
t.eq(m.get("/metrics").status, 200, "/metrics for anyone at first")
line = hup("max_body_bytes = 32k\nmetrics_allow = 192.0.2.1\n"
           "log_format = text\nlogin_per_minute = 1\n")
t.ok(line is not None and " info " in line and "reloaded" in line,
     "a reload is logged (in the new format)", line)
t.ok(ready(lambda: post(40000).startswith(b"HTTP/1.1 413")),
     "SIGHUP lowers max_body_bytes at once (413)")
t.ok(ready(lambda: m.get("/metrics").status == 404),
     "SIGHUP applies metrics_allow at once (404 for others)")
t.eq([login(), login()], [401, 429],
     "SIGHUP lowers login_per_minute at once (a bucket of 1)")
m.get("/healthz")
t.ok(ready(lambda: re.search(r"^\S+ info  http.request .*route=healthz",
                             m.log(), re.M) is not None),
     "SIGHUP switches the log to text", m.log()[-300:])
# (listen and threads come from the harness's command line, which
# overrides the file on every reload too.)
hup("upload_threads = 3\nfederation_relay = on\nmax_body_bytes = 32k\n")
warn = [l for l in m.log().splitlines() if "config.reload" in l and
        "next start" in l]
t.ok(warn and "upload_threads federation_relay" in warn[-1] and
     "max_body_bytes" not in warn[-1] and '"level":"warn"' in warn[-1],
     "keys that need a restart are named", warn)
t.eq(m.get("/.well-known/meent").status, 200, "meentd goes on serving")
t.ok(ready(lambda: m.get("/metrics").status == 200),
     "a key left out returns to its default (metrics_allow: none)")
line = hup("max_body_bytes = 1M\nbogus = 1\n")
errs = [l for l in m.log().splitlines() if "config.reload" in l and
        "kept the running configuration" in l]
t.ok(errs and ("%s:2:" % m.config_path) in errs[-1],
     "a bad file on SIGHUP: FILE:LINE logged", errs)
t.ok(post(40000).startswith(b"HTTP/1.1 413"),
     "and the running configuration stays (32k, not 1M)")
finish(t, m, done=False)

# --- Every key in the man page and the example file. -----------------------
help_text = subprocess.run([MEENTD, "--help"], capture_output=True,
                           text=True).stdout
keys = re.findall(r"^  ([a-z_]+) ", help_text.split("configuration keys", 1)[1],
                  re.M)
t.ok(len(keys) > 40, "meentd --help lists the keys", len(keys))
man = open(os.path.join(TOP_SRC, "man", "meentd.conf.5")).read().splitlines()
documented = set()
for prev, line in zip(man, man[1:]):
    if prev == ".TP" and line.startswith(".B"):
        documented.update(re.findall(r"[a-z_]+", line.split(" ", 1)[1]))
t.eq([k for k in keys if k not in documented], [],
     "every key has an entry in meentd.conf(5)")
example_path = os.path.join(TOP_SRC, "docs", "meentd.conf.example")
example = open(example_path).read()
t.eq([k for k in keys if not re.search(r"^# %s = " % k, example, re.M)], [],
     "every key is in docs/meentd.conf.example, commented")
m = Instance(config_text=example)
m.start()
t.eq(m.get("/healthz").status, 200, "meentd starts with the example as it is")
finish(t, m)
