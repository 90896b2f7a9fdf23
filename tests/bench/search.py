#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""The worst search an anonymous client can send, timed.

    search.py MEENTD MEENTCTL N [SENTENCES]    (SEARCH_ONLY=regex: queries)

Makes a database of N generated pilots (pilots_gen.py; SENTENCES a section,
default 4), starts MEENTD on it and sends, one at a time, the heaviest
queries we know (repeated one-letter prefixes, many common words, prefix
ORs) to the API and to the pages, each with a cache-busting parameter.
Prints status and seconds per request and the worst; a request over 300 s
is cut off and shown as such. One keep-alive connection carries them all
(a new connection per request crashed meentd's connection layer after a
few dozen requests at the time of writing). Run by tests/bench/search.sh.
"""
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

meentd, meentctl, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sentences = sys.argv[4] if len(sys.argv) > 4 else "4"
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
content = os.path.join(top, "content")
work = tempfile.mkdtemp(prefix="meent-search-")
data = os.path.join(work, "data")
LIMIT = 300


def fill(unit, sep=" ", size=200):
    parts = []
    while len(sep.join(parts + [unit])) <= size:
        parts.append(unit)
    return sep.join(parts)


COMMON = "de het een van en in is op te dat die voor met zijn"
QUERIES = [
    ("e* x66", fill("e*")),
    ("d* x66", fill("d*")),
    ("e* x16", " ".join(["e*"] * 16)),
    ("e* OR e* ...", fill("e*", " OR ")),
    ("een* x20", fill("een*")),
    ("4 prefixes + 8 words", "een* van* het* die* " +
     " ".join(COMMON.split()[:8])),
    ("12 common words", " ".join(COMMON.split()[:12])),
    ("(een* OR van*) x4", fill("(een* OR van*)")),
    ("phrase of 12 words", '"%s"' % " ".join(COMMON.split()[:12])),
    ("ver*", "ver*"),
]
PATHS = [("api", "/api/v1/_zoek?q=%s&x=%d"),
         ("api p5", "/api/v1/_zoek?q=%s&page=5&x=%d"),
         ("list", "/api/v1/pilots?q=%s&sort=titel&x=%d"),
         ("page", "/zoeken?q=%s&x=%d")]

proc = None
try:
    subprocess.run([meentctl, "--data", data, "--content", content, "init"],
                   check=True, capture_output=True)
    env = dict(os.environ, PILOTS_SENTENCES=sentences)
    subprocess.run([sys.executable, os.path.join(top, "tests", "bench",
                                                 "pilots_gen.py"), data,
                    str(n)], check=True, capture_output=True, env=env)
    subprocess.run([meentctl, "--data", data, "reindex"], check=True,
                   capture_output=True)
    size = os.path.getsize(os.path.join(data, "meent.db"))
    log = open(os.path.join(work, "meentd.log"), "wb")
    proc = subprocess.Popen([meentd, "--data", data, "--listen",
                             "127.0.0.1:0", "--threads", "2", "--content",
                             content, "--set", "access_log=off"],
                            stderr=log, stdout=subprocess.DEVNULL)
    port = None
    for _ in range(100):
        m = re.search(rb"\(port (\d+)\)", open(log.name, "rb").read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.1)
    print("%d pilots (%s sentences a section), database %.1f MB; %s" % (
        n, sentences, size / 1e6, os.path.basename(os.path.dirname(
            os.path.dirname(os.path.dirname(meentd))))))
    worst, k, conn = (0, ""), 0, None
    only = re.compile(os.environ.get("SEARCH_ONLY", ""))
    for name, q in [x for x in QUERIES if only.search(x[0])]:
        for where, path in PATHS:
            k += 1
            target = path % (urllib.parse.quote(q, safe=""), k)
            t0 = time.time()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port,
                                                      timeout=LIMIT)
                conn.request("GET", target)
                r = conn.getresponse()
                r.read()
                status = r.status
            except Exception:
                status = "cut off"
                conn.close()
                conn = None
            dt = time.time() - t0
            print("  %-22s %-7s %7s %8.3f s" % (name, where, status, dt),
                  flush=True)
            if dt > worst[0]:
                worst = (dt, "%s (%s): %s" % (name, where, status))
            if status == "cut off" or proc.poll() is not None:
                # Wait for the worker to finish before the next one.
                if proc.poll() is not None:
                    print("  meentd exited %s" % proc.returncode)
                    raise SystemExit(1)
    print("worst: %.3f s, %s" % worst)
finally:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()     # a worker still in a search that was cut off
            proc.wait()
    shutil.rmtree(work, ignore_errors=True)
