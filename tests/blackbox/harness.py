# SPDX-License-Identifier: EUPL-1.2
"""Black-box test harness: real meentd processes on loopback, real HTTP.

Each test file is a script that prints TAP (automake's tap-driver counts
it). An Instance is a fresh data directory made by `meentctl init` and a
meentd listening on 127.0.0.1:0; the port is read from its log, so tests
never race for ports. Only the Python standard library is used.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP_BUILD = os.environ.get("MEENT_BUILD", os.getcwd())
TOP_SRC = os.environ.get("MEENT_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
MEENTD = os.path.join(TOP_BUILD, "platform", "meentd")
MEENTCTL = os.path.join(TOP_BUILD, "platform", "meentctl")
# The release build (-O2, no sanitizers), where scripts/test made one: for
# what must hold there too, and for memory figures ASan would distort.
RELEASE_BUILD = os.environ.get("MEENT_RELEASE")


def release_meentd():
    """meentd of the release build; a test that needs it fails without."""
    if not RELEASE_BUILD:
        raise RuntimeError("MEENT_RELEASE is not set: scripts/test builds "
                           "build/release and sets it")
    return os.path.join(RELEASE_BUILD, "platform", "meentd")
CONTENT = os.path.join(TOP_SRC, "content")
# Sanitizer builds start slower; leaks are reported at exit. A TSan build
# (--enable-tsan) reads its suppressions, each with its reason.
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:"
                      "strict_string_checks=1")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
os.environ.setdefault("TSAN_OPTIONS", "suppressions=%s:second_deadlock_stack=1"
                      % os.path.join(TOP_SRC, "tests", "tsan.supp"))


class Tap:
    """Counts checks and prints them as TAP lines."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc))
            if detail is not None:
                for line in str(detail).splitlines()[:20]:
                    print("# " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, "got %r, want %r" % (got, want))

    def done(self):
        print("1..%d" % self.n)
        sys.stdout.flush()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


def free_port():
    """A port nobody listens on now (the kernel's pick)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ctl(data_dir, *args, input=None, check=False):
    """Run meentctl on data_dir; returns the CompletedProcess."""
    p = subprocess.run([MEENTCTL, "--data", data_dir, "--content", CONTENT] +
                       list(args), input=input, capture_output=True,
                       text=True, timeout=120)
    if check and p.returncode != 0:
        raise RuntimeError("meentctl %s: %s" % (" ".join(args), p.stderr))
    return p


class FaultRules:
    """The control file of the fault-injecting VFS (--enable-fault-injection,
    docs/testing.md), given to meentd as MEENT_FAULTS=path: rules are put in
    place atomically (a new file, renamed), and the VFS sees a change within
    2 ms; settle is how long set() and clear() wait for that."""

    def __init__(self, settle=0.03):
        self.dir = tempfile.mkdtemp(prefix="meent-faults-")
        self.path = os.path.join(self.dir, "faults")
        self.settle = settle

    def set(self, text):
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.rename(tmp, self.path)
        time.sleep(self.settle)

    def clear(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        time.sleep(self.settle)


class Instance:
    """A meentd with its own data directory."""

    def __init__(self, threads=2, settings=None, config_text=None, init=True,
                 name="meent test", release=False, env=None, data=None):
        self.dir = tempfile.mkdtemp(prefix="meent-test-")
        # data: another data directory (a small file system, say).
        self.data = data or os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "meentd.log")
        self.config_path = None
        self.proc = None
        self.port = None
        if init:
            ctl(self.data, "init", "--name", name, check=True)
        if config_text is not None:
            self.config_path = os.path.join(self.dir, "meentd.conf")
            with open(self.config_path, "w") as f:
                f.write(config_text)
        self.threads = threads
        self.settings = settings or {}
        # Extra environment for meentd alone (MEENT_FAULTS), not meentctl.
        self.env = dict(os.environ, **env) if env else None
        self.meentd = release_meentd() if release else MEENTD
        self.port = None

    def argv(self, port=0):
        a = [self.meentd, "--data", self.data, "--listen",
             "127.0.0.1:%d" % port, "--threads", str(self.threads),
             "--content", CONTENT]
        if port and "base_url" not in self.settings:
            # Forms are checked against the base URL's origin.
            a += ["--set", "base_url=http://127.0.0.1:%d" % port]
        if self.config_path:
            a += ["--config", self.config_path]
        for k, v in self.settings.items():
            a += ["--set", "%s=%s" % (k, v)]
        return a

    def start(self, extra=(), wait=True):
        """Start meentd on a free port, chosen here so that the base URL can
        name it (a restart keeps its port); if another process took the
        port first, another is tried."""
        for attempt in range(5):
            if self.port is None:
                self.port = free_port()
            self.logf = open(self.log_path, "ab")
            self.log_mark = len(self.log())
            self.proc = subprocess.Popen(self.argv(self.port) + list(extra),
                                         stdout=subprocess.DEVNULL,
                                         stderr=self.logf, env=self.env)
            if not wait:
                return self
            try:
                self.wait_port()
                return self
            except RuntimeError:
                if "Address already in use" not in self.log()[self.log_mark:] \
                        or attempt == 4:
                    raise
                self.logf.close()
                self.port = None
        return self

    def wait_port(self, timeout=30):
        """Wait until this start of meentd listens; returns its port."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("meentd exited %d: %s" %
                                   (self.proc.returncode, self.log()))
            # JSON lines, or log_format text's "... server.start ...".
            m = re.search(r'(?:"event":"server.start"| server\.start )'
                          r'.*?\(port (\d+)\)', self.log()[self.log_mark:])
            if m:
                return int(m.group(1))
            time.sleep(0.05)
        raise RuntimeError("meentd did not start: " + self.log())

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_lines(self):
        out = []
        for line in self.log().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"raw": line})
        return out

    def ctl(self, *args, input=None, check=False):
        return ctl(self.data, *args, input=input, check=check)

    def token(self, gemeente="GM0275", role="editor", expires=None):
        args = ["token", "create", "--gemeente", gemeente, "--role", role]
        if expires:
            args += ["--expires", str(expires)]
        return self.ctl(*args, check=True).stdout.strip()

    def request(self, method, path, body=None, headers=None, token=None,
                timeout=30):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def raw(self, data, timeout=5, read=True):
        """Send raw bytes on a new connection; return what comes back."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            if not read:
                return s
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
            return out
        finally:
            if read:
                s.close()

    def connect(self, timeout=5):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def sql(self, statement, params=()):
        """Read or change the database directly (as an attacker or a clock)."""
        import sqlite3
        db = sqlite3.connect(os.path.join(self.data, "meent.db"), timeout=15)
        try:
            cur = db.execute(statement, params)
            rows = cur.fetchall()
            db.commit()
            return rows
        finally:
            db.close()

    def kill(self, sig):
        self.proc.send_signal(sig)

    def memory(self):
        """(VmRSS, VmHWM) of meentd in bytes: now, and the peak so far."""
        got = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    got[k] = int(v.split()[0]) * 1024
        return got["VmRSS"], got["VmHWM"]

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stop meentd; returns its exit code (None if it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def close(self):
        self.stop()
        if hasattr(self, "logf"):
            self.logf.close()
        if os.environ.get("MEENT_KEEP") is None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def sanitizer_report(self):
        """What ASan/UBSan/TSan wrote to the log, if anything."""
        text = self.log()
        hits = [l for l in text.splitlines()
                if "ERROR: AddressSanitizer" in l or "runtime error:" in l
                or "ERROR: LeakSanitizer" in l
                or "WARNING: ThreadSanitizer" in l
                or "ERROR: ThreadSanitizer" in l]
        return "\n".join(hits)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def finish(t, *instances, done=True):
    """Stop instances, check they exited cleanly without sanitizer reports."""
    for inst in instances:
        code = inst.stop()
        t.eq(code, 0, "meentd exits 0 on SIGTERM")
        report = inst.sanitizer_report()
        t.ok(report == "", "no sanitizer report", report)
        inst.close()
    if done:
        t.done()
