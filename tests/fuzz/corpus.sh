#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Every fuzz target, built as a plain program (tests/fuzz/standalone.c),
# fed each file of its seed corpus once: the ThreadSanitizer build's way of
# running the fuzzers (libFuzzer does not go with TSan). Prints TAP: one
# line per target; a sanitizer report, a crash or an unreadable corpus is
# "not ok". Needs MEENT_BUILD and MEENT_SRC (tests/Makefile.inc sets them).
set -u
build=${MEENT_BUILD:-.}
src=${MEENT_SRC:-$(dirname "$0")/../..}
n=0
for t in "$src"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	n=$((n + 1))
	log=$build/tests/fuzz/$name.corpus.log
	"$build/tests/fuzz/$name" "$src/tests/fuzz/corpus/${name#fuzz_}" \
	    >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q "WARNING: ThreadSanitizer\|ERROR: [A-Za-z]*Sanitizer\|runtime error:" "$log"; then
		echo "ok $n - $name over its corpus: $(tail -1 "$log")"
	else
		echo "not ok $n - $name over its corpus (exit $rc)"
		sed -n '1,40s/^/# /p' "$log"
	fi
done
echo "1..$n"
