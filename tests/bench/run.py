#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""The Python half of tests/bench/run (run that; this is its helper).

    run.py body                        a valid public pilot (JSON), for POSTs
    run.py guidelines SEED N           SEED/richtlijnen: the shipped
                                       guidelines and copies, N in all
    run.py mix PORT TOKEN DB           the fixed request mix (callgrind):
                                       200 GETs and 20 POSTs, one at a time
    run.py table ROWS                  the table, from the rows run wrote

Only the standard library.
"""
import http.client
import json
import os
import re
import shutil
import sqlite3
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def body(i=0):
    """A public pilot, valid for POST /api/v1/pilots (t_pilots.py's shape)."""
    return {
        "titel": "Wachttijden bij de balie meten %d" % i,
        "samenvatting": "We meten hoe lang inwoners wachten.",
        "domein": "dienstverlening-en-burgerzaken",
        "status": "lopend",
        "start": "2025-01-06",
        "vraag": "Hoe lang wachten inwoners echt?",
        "aanvrager": "college",
        "stakeholders": ["college", "analisten"],
        "tags": ["wachttijden", "balie"],
        "contact": "Team Data, data@example.nl",
        "zichtbaarheid": "openbaar",
        "aanpak": "## Stappen\n\n1. Meten\n2. *Praten*\n\n| a | b |\n"
                  "|---|---|\n| 1 | 2 |\n",
        "data": "Afspraken en bezoeken.",
        "resultaten": "Wachttijd gehalveerd.",
        "lessen": "Meten is weten.",
        "privacy": "Geen persoonsgegevens.",
    }


def guidelines(seed, n):
    """The shipped guidelines and copies of them under new slugs (another
    title), n in all: the seed loader takes every folder."""
    src = os.path.join(TOP, "content", "richtlijnen")
    dst = os.path.join(seed, "richtlijnen")
    names = sorted(d for d in os.listdir(src)
                   if os.path.isdir(os.path.join(src, d)))
    os.makedirs(dst, exist_ok=True)
    for d in names:
        shutil.copytree(os.path.join(src, d), os.path.join(dst, d))
    for i in range(n - len(names)):
        orig = names[i % len(names)]
        out = os.path.join(dst, "bench-richtlijn-%02d" % i)
        os.makedirs(out)
        for f in sorted(os.listdir(os.path.join(src, orig))):
            text = open(os.path.join(src, orig, f), encoding="utf-8").read()
            text = re.sub(r"^titel: (.*)$", r"titel: \1 (%02d)" % i, text,
                          count=1, flags=re.M)
            open(os.path.join(out, f), "w", encoding="utf-8").write(text)


def mix_paths(db):
    """200 GETs over the read endpoints, the same every run (ten rounds of
    twenty; the ids come from the generated database in pk order)."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    ids = [r[0] for r in c.execute(
        "SELECT id FROM pilots WHERE zichtbaarheid = 'openbaar' ORDER BY pk"
        " LIMIT 20")]
    slugs = [r[0] for r in c.execute(
        "SELECT slug FROM richtlijnen ORDER BY slug LIMIT 10")]
    codes = [r[0] for r in c.execute(
        "SELECT code FROM gemeenten ORDER BY code LIMIT 10")]
    c.close()
    words = ["bijstand", "gemeente", "jeugdhulp", "sensoren", "wijk",
             "dashboard", "privacy", "raad", "kosten", "inwoners"]
    domains = ["jeugd", "werk-en-inkomen", "zorg-en-welzijn", "financien",
               "veiligheid", "mobiliteit", "onderwijs", "economie",
               "ruimte-en-wonen", "bedrijfsvoering"]
    out = []
    for r in range(10):
        out.append([
            "/api/v1/pilots/" + ids[r], "/pilots/" + ids[r],
            "/api/v1/pilots/" + ids[r + 10], "/pilots/" + ids[r + 10],
            "/api/v1/pilots?domein=jeugd&pageSize=20", "/pilots?domein=jeugd",
            "/api/v1/pilots?domein=%s&page=2" % domains[r],
            "/api/v1/_zoek?q=bijstand", "/zoeken?q=bijstand",
            "/api/v1/_zoek?q=" + words[r],
            "/richtlijnen/stakeholders-betrekken", "/richtlijnen/" + slugs[r],
            "/gemeenten/GM0339", "/gemeenten/" + codes[r],
            "/benchmarks/bench-07?gemeente=GM0275&groep=grootteklasse",
            "/api/v1/indicatoren/bench-%02d/vergelijking?gemeente=GM0275"
            "&groep=grootteklasse" % r,
            "/healthz", "/api/v1/gemeenten/GM0275", "/", "/pilots"])
    return out


def mix(port, token, db):
    """The mix, one request at a time on one connection; fails on any
    answer that is not 2xx. Prints the number of requests."""
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
    n = 0

    def req(method, path, data=None, headers=None):
        nonlocal n
        c.request(method, path, body=data, headers=headers or {})
        r = c.getresponse()
        r.read()
        n += 1
        if not 200 <= r.status < 300:
            raise SystemExit("mix: %s %s: %d" % (method, path, r.status))
    for r, paths in enumerate(mix_paths(db)):
        for p in paths:
            req("GET", p)
        for k in range(2):
            req("POST", "/api/v1/pilots", json.dumps(body(r * 2 + k)),
                {"Authorization": "Bearer " + token,
                 "Content-Type": "application/json"})
    print(n)


# --- the table ---------------------------------------------------------------

def ms(v):
    """wrk's latency (850.00us, 1.20ms, 1.02s) in ms; None if absent."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v or "")
    if not m:
        return None
    return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3,
                                "m": 6e4}[m.group(2)]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else (xs[k - 1] + xs[k]) / 2


def fmt_ms(v):
    return "-" if v is None else ("%.2f" % v if v < 10 else "%.1f" % v)


def table(path):
    rows = [line.rstrip("\n").split("\t") for line in open(path)
            if line.strip()]
    meta = {r[1]: r[2] for r in rows if r[0] == "meta"}
    out = ["meent benchmark (tests/bench/run%s), %s, commit %s, %s CPUs,"
           " load %s" % (" --quick" if meta.get("quick") == "1" else "",
                         meta.get("date", "?"), meta.get("commit", "?"),
                         meta.get("cpus", "?"), meta.get("load", "?")),
           "data: %s pilots, %s indicators x 342 municipalities x 10 periods,"
           " %s guidelines; meent.db %s MB; generated in %s s" % (
               meta.get("pilots"), meta.get("indicators"),
               meta.get("guidelines"), meta.get("db_mb"),
               meta.get("gen_s")),
           "reads: wrk -c %s -t 2 -d %ss against nginx (the same bytes from"
           " a file) then meentd (--threads 2), %s pair(s) per endpoint, "
           "medians;" % (meta.get("conns"), meta.get("seconds"),
                         meta.get("repeat", "1")),
           "  ratio: meentd's rate / nginx's; cpu: CPU per request, nginx's"
           " / meentd's (steadier on a shared machine); peak MB: meentd's "
           "VmHWM so far",
           "  target (issue 18): point >= 0.6 x nginx; list, search >= 0.3 x"
           " and p99 <= 20 ms",
           ""]
    if any(r[0] == "read" for r in rows):
        out.append("%-14s %-6s %9s %9s %6s %6s %8s %8s %8s  %s" % (
            "endpoint", "kind", "meentd/s", "nginx/s", "ratio", "cpu",
            "p50 ms", "p99 ms", "peak MB", "target"))
    misses = []
    reads = {}   # name: its pairs, in order
    for r in rows:
        if r[0] == "read":
            reads.setdefault(r[1], []).append((r + [""] * 14)[:14])
    for name, pairs in reads.items():
        path, kind = pairs[0][2], pairs[0][3]
        m_rps = med([num(p[4]) for p in pairs])
        n_rps = med([num(p[5]) for p in pairs])
        ratio = med([num(p[4]) / num(p[5]) for p in pairs
                     if num(p[4]) is not None and num(p[5])])
        p50 = med([ms(p[6]) for p in pairs])
        p99 = med([ms(p[7]) for p in pairs])
        hwm = max((int(p[8]) for p in pairs if p[8]), default=None)
        err = " ".join(sorted(set(p[9].strip() for p in pairs
                                  if p[9].strip())))
        # CPU per request, nginx's over meentd's
        cpu = med([(num(p[13]) / num(p[11])) / (num(p[12]) / num(p[10]))
                   for p in pairs
                   if num(p[10]) and num(p[11]) and num(p[12]) and
                   num(p[13]) is not None])
        if ratio is None:
            verdict = "?"
        elif kind == "point":
            verdict = "ok" if ratio >= 0.6 else "MISS (< 0.6)"
        else:
            why = []
            if ratio < 0.3:
                why.append("< 0.3")
            if p99 is None or p99 > 20:
                why.append("p99 > 20")
            verdict = "ok" if not why else "MISS (%s)" % ", ".join(why)
        if err:
            verdict += " ERRORS: " + re.sub(
                r"Socket errors: connect 0, read 0, write 0, ", "", err)
        if not verdict.startswith("ok"):
            misses.append(name)
        out.append("%-14s %-6s %9s %9s %6s %6s %8s %8s %8s  %s" % (
            name, kind, "%.0f" % m_rps if m_rps is not None else "-",
            "%.0f" % n_rps if n_rps is not None else "-",
            "%.2f" % ratio if ratio is not None else "-",
            "%.2f" % cpu if cpu is not None else "-", fmt_ms(p50),
            fmt_ms(p99), "%.1f" % (hwm / 1024) if hwm else "-",
            verdict))
    paths = [(n, p[0][2]) for n, p in reads.items()]
    for p in paths:
        out.append("  %-14s %s" % p)
    out.append("")
    w = [r for r in rows if r[0] == "write"]
    if w:
        out.append("%-24s %9s %8s %8s %12s %6s %7s" % (
            "writes (POST pilot)", "writes/s", "p50 ms", "p99 ms",
            "bare loop/s", "ratio", "cpu us"))
        tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
        for r in w:
            _, name, rps, p50, p99, loop, err, n, ticks = (r + [""] * 9)[:9]
            rps, loop, n, ticks = num(rps), num(loop), num(n), num(ticks)
            out.append("%-24s %9s %8s %8s %12s %6s %7s%s" % (
                name, "%.0f" % rps if rps is not None else "-",
                fmt_ms(ms(p50)), fmt_ms(ms(p99)),
                "%.0f" % loop if loop is not None else "-",
                "%.2f" % (rps / loop) if rps is not None and loop else "-",
                "%.0f" % (ticks * tick_us / n) if n and ticks is not None
                else "-", "  ERRORS: " + err if err.strip() else ""))
        out.append("  (bare loop: tests/bench/commit_loop.c, SQLite WAL "
                   "synchronous=FULL, one row per commit, same disk, run "
                   "just before each; target: ratio >= 1.0, p99 <= 50 ms "
                   "at 16; cpu us: meentd's CPU time per write, steadier "
                   "than the rates on a shared machine)")
    for r in rows:
        if r[0] == "fsync":
            out.append("%-24s %s" % ("syncs per write", r[1]))
    out.append("")
    for r in rows:
        if r[0] == "fed":
            out.append("%-24s %s entries/s (%s pilots, %s s; target >= 5000)"
                       % ("federation sync", r[2], r[1], r[3]))
        elif r[0] == "upload":
            out.append("%-24s %s s per 32 MiB microdata upload (%s)" % (
                "upload", r[1], r[2]))
        elif r[0] == "callgrind":
            ir, n = int(r[1] or 0), int(r[2] or 0)
            if n == 0:
                out.append("%-24s FAILED (a request of the mix was not"
                           " answered 2xx: see the messages)" %
                           "callgrind mix")
                continue
            out.append("%-24s %s Ir for %d requests, %s Ir per request" % (
                "callgrind mix", "{:,}".format(ir), n,
                "{:,}".format(ir // max(n, 1))))
            out.append("  (%s pilots, meentd --threads 1 under valgrind, "
                       "counted from listening on; run.py mix: 200 GETs, 20 "
                       "POSTs; the dump: tests/bench/results/callgrind.out)"
                       % meta.get("cg_pilots", "?"))
        elif r[0] == "cgfed":
            out.append("%-24s %s Ir per entry, B's whole process (the initial"
                       " sync of %s pilots; federation.py --only cgsync)" % (
                           "callgrind sync", "{:,}".format(int(r[2]))
                           if r[2] else "FAILED", r[1]))
    out.append("")
    if "wall_s" in meta:
        out.append("run took %s s" % meta["wall_s"])
    if misses:
        out.append("reads missing the target: " + ", ".join(misses))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out) + "\n")


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "body":
        print(json.dumps(body()))
    elif cmd == "guidelines":
        guidelines(sys.argv[2], int(sys.argv[3]))
    elif cmd == "mix":
        mix(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "table":
        sys.stdout.write(table(sys.argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
