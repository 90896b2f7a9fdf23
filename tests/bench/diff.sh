#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 15's benchmark: the pages' HTML diff of two 200 KB guidelines (time
# per diff) next to `diff -u` from Debian's diffutils on the same files.
# Three pairs: an edited text (one block in seven with a word changed, a
# block inserted, one removed); a hostile one (200 KB of random words
# against a shuffled copy, one paragraph: past the word diff's bound); and
# 10000 list items against the same items shuffled (the block alignment).
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
[ -x "$top/build/release/platform/meentd" ] || bench_build
N=${DIFFS:-20}
TOP=$top python3 - "$work" <<'PY'
import glob, os, random, sys
work = sys.argv[1]
src = sorted(glob.glob(os.path.join(os.environ["TOP"], "content/richtlijnen/*/v*.md")))
paras = []
for p in src:
    body = open(p, encoding="utf-8").read().split("---", 2)[2]
    paras += [b.strip() for b in body.split("\n\n") if len(b.strip()) > 40]
old, new, i = [], [], 0
while sum(len(x) for x in old) < 200000:
    block = "## Deel %d\n\n%s\n" % (i, paras[i % len(paras)])
    old.append(block)
    if i % 7 == 3:
        words = block.split(" ")
        words[len(words) // 2] = "gewijzigd"
        new.append(" ".join(words))
    elif i % 50 == 10:
        pass                                    # removed
    else:
        new.append(block)
    if i % 50 == 20:
        new.append("Een nieuwe alinea %d.\n" % i)  # inserted
    i += 1
open(os.path.join(work, "old.md"), "w").write("\n".join(old))
open(os.path.join(work, "new.md"), "w").write("\n".join(new))
rnd = random.Random(15)
words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz")
                 for _ in range(rnd.randint(2, 9))) for _ in range(31000)]
def lines(ws):
    return "\n".join(" ".join(ws[i:i + 12]) for i in range(0, len(ws), 12)) + "\n"
open(os.path.join(work, "hostile-old.md"), "w").write(lines(words))
items = ["- " + " ".join(words[i:i + 3]) for i in range(0, 30000, 3)]
rnd.shuffle(words)
open(os.path.join(work, "hostile-new.md"), "w").write(lines(words))
open(os.path.join(work, "blocks-old.md"), "w").write("\n".join(items) + "\n")
rnd.shuffle(items)
open(os.path.join(work, "blocks-new.md"), "w").write("\n".join(items) + "\n")
PY
make -C "$top/build/release" tests/bench/diff_bench >/dev/null
for pair in edited hostile blocks; do
	case $pair in
	edited) a=$work/old.md; b=$work/new.md ;;
	*) a=$work/$pair-old.md; b=$work/$pair-new.md ;;
	esac
	echo "$pair: $(wc -c <"$a") and $(wc -c <"$b") bytes, $N diffs"
	/usr/bin/time -v "$top/build/release/tests/bench/diff_bench" "$a" "$b" \
	    "$N" 2>"$work/time.txt"
	echo "meent peak RSS:     $(awk '/Maximum resident/ {print $6}' "$work/time.txt") kB"
	t0=$(date +%s.%N)
	for i in $(seq "$N"); do diff -u "$a" "$b" >/dev/null || true; done
	echo "diff -u:            $(python3 -c "print('%.0f' % (($(date +%s.%N) - $t0) * 1e6 / $N))") us/diff (process start included)"
done
