# SPDX-License-Identifier: EUPL-1.2
"""The layers, checked on the compiled objects (TAP).

Each source file lives in the folder of its layer (platform/<layer>/); a
file may call only into its own layer or the ones below it, never up:

    core < db < domain < fed, plugin < http < model < api, web < programs

api and web are siblings and do not call each other (both render the
model, platform/model/); so are fed and plugin. The check reads which symbols each
object defines and which it needs (nm), maps every need to the object that
defines it, and fails on a call upward or sideways between siblings. It also
fails on a cycle of calls between more than two files.

Usage: python3 layers.py [BUILDDIR] (the objects of platform/libmeent.a and
the programs; default $MEENT_BUILD, as make check sets it). Prints TAP;
exit 0 unless a check failed. Each layer's header (platform/<layer>/*.h)
includes only the layers below, so most upward calls do not even compile;
this also catches a declaration borrowed from elsewhere.
"""
import os
import subprocess
import sys

RANK = {"core": 0, "db": 1, "domain": 2, "fed": 3, "plugin": 3, "http": 4,
        "model": 5, "api": 6, "web": 6, "programs": 7}
SIBLINGS = [{"api", "web"}, {"fed", "plugin"}]


def objects(build):
    out = []
    for root, _, files in os.walk(os.path.join(build, "platform")):
        for f in files:
            if f.endswith(".o"):
                out.append(os.path.join(root, f))
    return sorted(out)


def layer_of(path, build):
    """The folder under platform/; the programs are platform/ itself."""
    rel = os.path.relpath(path, os.path.join(build, "platform"))
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 else "programs"


def source_name(path):
    """libmeent_a-pilot_store.o -> pilot_store.c; meentd-meentd.o -> ..."""
    base = os.path.basename(path)[:-2]
    if "-" in base:
        base = base.split("-", 1)[1]
    return base + ".c"


def nm(path, undefined):
    args = ["nm", "--undefined-only" if undefined else "--defined-only",
            path]
    p = subprocess.run(args, capture_output=True, text=True, check=True)
    syms = set()
    for line in p.stdout.splitlines():
        parts = line.split()
        if not parts:
            continue
        kind, name = parts[-2], parts[-1]
        if undefined or kind in "TDBRC":
            syms.add(name)
    return syms


def cycles(edges, nodes):
    """Strongly connected components with more than two files."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 2:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return comps


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else \
        os.environ.get("MEENT_BUILD", ".")
    objs = objects(build)
    n = 0
    failed = 0

    def ok(cond, desc, detail=()):
        nonlocal n, failed
        n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
        if not cond:
            failed += 1
            for d in list(detail)[:40]:
                print("# " + d)

    layers = {o: layer_of(o, build) for o in objs}
    unknown = [o for o, lay in layers.items() if lay not in RANK]
    ok(not unknown, "every object is in a layer's folder",
       [os.path.relpath(o, build) for o in unknown])
    defined = {}
    for o in objs:
        for s in nm(o, False):
            defined.setdefault(s, o)
    upward, sideways = [], []
    edges = {}
    for o in objs:
        lay = layers[o]
        if lay not in RANK:
            continue
        for s in sorted(nm(o, True)):
            d = defined.get(s)
            if d is None or d == o or layers.get(d) not in RANK:
                continue
            edges.setdefault(source_name(o), set()).add(source_name(d))
            dl = layers[d]
            what = "%s (%s) calls %s in %s (%s)" % (
                source_name(o), lay, s, source_name(d), dl)
            if RANK[dl] > RANK[lay]:
                upward.append(what)
            elif dl != lay and {lay, dl} in SIBLINGS:
                sideways.append(what)
    ok(not upward, "no call into a higher layer (%d found)" % len(upward),
       upward)
    ok(not sideways, "no call between sibling layers (%d found)" %
       len(sideways), sideways)
    comps = cycles(edges, sorted(edges))
    ok(not comps, "no cycle of calls between more than two files",
       [" -> ".join(c) for c in comps])
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
