#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 4's benchmark: a three-way merge and a diff of two 200 KB guidelines
# (time per operation, peak memory) next to diff3 and diff from Debian's
# diffutils on the same texts; and a guideline page under wrk next to nginx
# serving the same bytes, in the same run.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
bench_need
bench_build
N=${MERGES:-50}
TOP=$top python3 - "$work" <<'PY'
import glob, os, sys
work = sys.argv[1]
top = os.path.join(os.path.dirname(work), "..")
src = sorted(glob.glob(os.path.join(os.environ["TOP"], "content/richtlijnen/*/v*.md")))
paras = []
for p in src:
    body = open(p, encoding="utf-8").read().split("---", 2)[2]
    paras += [b.strip() for b in body.split("\n\n") if len(b.strip()) > 40]
base, ours, theirs, i = [], [], [], 0
while sum(len(x) for x in base) < 200000:
    para = paras[i % len(paras)]
    block = "## Deel %d\n\n%s\n" % (i, para)
    base.append(block)
    ours.append(block.replace("\n", " (aangepast door ons)\n", 1) if i % 7 == 3 else block)
    theirs.append(block.replace("\n", " (aangepast door hen)\n", 1) if i % 7 == 5 else block)
    i += 1
for name, blocks in (("base", base), ("ours", ours), ("theirs", theirs)):
    open(os.path.join(work, name + ".md"), "w").write("\n".join(blocks))
PY
echo "texts: $(wc -c <"$work/base.md") bytes each, edits in different blocks"
make -C "$top/build/release" tests/bench/merge_bench >/dev/null
/usr/bin/time -v "$top/build/release/tests/bench/merge_bench" "$work/base.md" \
    "$work/ours.md" "$work/theirs.md" "$N" 2>"$work/time.txt"
echo "meent peak RSS: $(awk '/Maximum resident/ {print $6}' "$work/time.txt") kB (for $N of each)"
t0=$(date +%s.%N)
for i in $(seq "$N"); do diff3 -m "$work/ours.md" "$work/base.md" "$work/theirs.md" >/dev/null || true; done
echo "diff3 -m:    $(python3 -c "print('%.0f' % (($(date +%s.%N) - $t0) * 1e6 / $N))") us/op (process start included)"
t0=$(date +%s.%N)
for i in $(seq "$N"); do diff -u "$work/base.md" "$work/ours.md" >/dev/null || true; done
echo "diff -u:     $(python3 -c "print('%.0f' % (($(date +%s.%N) - $t0) * 1e6 / $N))") us/op (process start included)"
/usr/bin/time -v diff3 -m "$work/ours.md" "$work/base.md" "$work/theirs.md" >/dev/null 2>"$work/time3.txt" || true
echo "diff3 peak RSS: $(awk '/Maximum resident/ {print $6}' "$work/time3.txt") kB"

# The page of a guideline (the seed's, about 10 KB) against nginx.
bench_meentd "$work/data" 2 --seed "$top/content"
base_url=http://127.0.0.1:$meent_port
path=/richtlijnen/stakeholders-betrekken
mkdir -p "$work/www/richtlijnen"
curl -sf "$base_url$path" >"$work/www$path.html"
bench_nginx "$work/www"
bench_wrk "nginx $path" "http://127.0.0.1:$nginx_port$path"
n_rps=$last_rps
bench_wrk "meentd $path" "$base_url$path"
echo "  ratio meentd/nginx: $(ratio "$last_rps" "$n_rps")"
