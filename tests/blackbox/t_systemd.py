# SPDX-License-Identifier: EUPL-1.2
"""systemd: meentd's sd_notify protocol, black-box, without systemd: the
test listens on a datagram socket named by NOTIFY_SOCKET and reads READY=1
once meentd listens, RELOADING=1 (with MONOTONIC_USEC) and READY=1 around
a SIGHUP (also one that refuses a bad file), and STOPPING=1 on SIGTERM.
A NOTIFY_SOCKET nobody listens on does not stop meentd. Then the unit
etc/meentd.service: `systemd-analyze verify` says nothing and
`systemd-analyze security --offline=true` rates its exposure at most 2.0
(skipped, with the reason, where systemd-analyze is missing or too old)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from harness import TOP_BUILD, TOP_SRC, Instance, Tap, finish

t = Tap()
UNIT = os.path.join(TOP_SRC, "etc", "meentd.service")


def built_with_systemd():
    try:
        with open(os.path.join(TOP_BUILD, "config.h")) as f:
            return "#define HAVE_SYSTEMD 1" in f.read()
    except FileNotFoundError:
        return False


def receive(sock, timeout=30):
    """The next notification, as a dict of its KEY=VALUE lines."""
    sock.settimeout(timeout)
    try:
        data = sock.recv(4096).decode()
    except socket.timeout:
        return {}
    return dict(l.split("=", 1) for l in data.splitlines() if "=" in l)


def monotonic_usec():
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1000000)


def notify_protocol():
    d = tempfile.mkdtemp(prefix="meent-notify-")
    path = os.path.join(d, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    m = Instance(config_text="log_level = info\n",
                 env={"NOTIFY_SOCKET": path})
    m.start(wait=False)
    got = receive(sock)
    t.eq(got.get("READY"), "1", "READY=1 once meentd starts")
    # Listening by then: the port is in the log and /healthz answers.
    m.port = m.wait_port(timeout=1)
    t.eq(m.get("/healthz").status, 200, "it listens when it says READY=1")

    before = monotonic_usec()
    m.kill(signal.SIGHUP)
    got = receive(sock)
    after = monotonic_usec()
    t.eq(got.get("RELOADING"), "1", "RELOADING=1 on SIGHUP")
    usec = int(got.get("MONOTONIC_USEC", "0"))
    t.ok(before <= usec <= after,
         "MONOTONIC_USEC is CLOCK_MONOTONIC at the reload", got)
    t.eq(receive(sock).get("READY"), "1", "READY=1 after the reload")

    # A file that is refused: the old configuration stays, and meentd
    # says it is ready again (it is: it serves with the old one).
    with open(m.config_path, "w") as f:
        f.write("log_level = info\nno_such_key = 1\n")
    m.kill(signal.SIGHUP)
    t.eq(receive(sock).get("RELOADING"), "1", "RELOADING=1, bad file")
    t.eq(receive(sock).get("READY"), "1", "READY=1 after a refused reload")
    t.eq(m.get("/healthz").status, 200, "still serving after it")

    m.kill(signal.SIGTERM)
    t.eq(receive(sock).get("STOPPING"), "1", "STOPPING=1 on SIGTERM")
    t.eq(m.proc.wait(timeout=30), 0, "then drains and exits 0")
    sock.close()
    finish(t, m, done=False)

    # Nobody listening on NOTIFY_SOCKET: meentd starts and stops as usual.
    m = Instance(env={"NOTIFY_SOCKET": os.path.join(d, "nobody")})
    m.start()
    t.eq(m.get("/healthz").status, 200, "a dead NOTIFY_SOCKET is harmless")
    m.kill(signal.SIGHUP)
    t.eq(m.get("/healthz").status, 200, "also on SIGHUP")
    finish(t, m, done=False)
    shutil.rmtree(d, ignore_errors=True)


def analyze_version():
    try:
        p = subprocess.run(["systemd-analyze", "--version"],
                           capture_output=True, text=True)
    except FileNotFoundError:
        return None
    m = re.match(r"systemd (\d+)", p.stdout)
    return int(m.group(1)) if m else None


def unit_checks():
    with open(UNIT) as f:
        unit = f.read()
    for line in ("Type=notify", "User=meent", "StateDirectory=meent",
                 "ProtectSystem=strict", "PrivateTmp=yes",
                 "NoNewPrivileges=yes", "CapabilityBoundingSet=\n",
                 "SystemCallFilter=@system-service",
                 "ConditionPathExists=/var/lib/meent/meent.db"):
        t.ok(line in unit, "meentd.service has %s" % line.strip())
    v = analyze_version()
    if v is None or v < 250:
        why = ("systemd-analyze is not installed (scripts/deps --test)"
               if v is None else "systemd-analyze %d has no --offline" % v)
        t.n += 1
        print("ok %d # SKIP %s" % (t.n, why))
        return
    # verify checks that ExecStart= exists: point it at a program that
    # does, in a copy; man pages are not looked up (--man=no).
    d = tempfile.mkdtemp(prefix="meent-unit-")
    copy = os.path.join(d, "meentd.service")
    with open(copy, "w") as f:
        f.write(unit.replace("/usr/bin/meentd", shutil.which("true")))
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", copy],
                       capture_output=True, text=True)
    t.ok(p.returncode == 0 and p.stdout + p.stderr == "",
         "systemd-analyze verify meentd.service is clean",
         p.stdout + p.stderr)
    p = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        "--no-pager", UNIT], capture_output=True, text=True)
    m = re.search(r"Overall exposure level for meentd.service: ([0-9.]+)",
                  p.stdout)
    t.ok(m is not None and float(m.group(1)) <= 2.0,
         "systemd-analyze security: exposure %s <= 2.0"
         % (m.group(1) if m else "?"), p.stdout[-2000:] + p.stderr)
    shutil.rmtree(d, ignore_errors=True)


if built_with_systemd():
    notify_protocol()
else:
    t.n += 1
    print("ok %d # SKIP meentd built without libsystemd (configure "
          "--without-systemd or no libsystemd-dev): it sends no "
          "notifications" % t.n)
unit_checks()
t.done()
