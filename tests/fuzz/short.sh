#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# One fuzz target's short run under libFuzzer (ASan and UBSan), from its seed
# corpus: the test of each target in a tree configured with --enable-fuzzing
# (tests/Makefile.inc runs `short.sh tests/fuzz/fuzz_NAME`). Runs
# MEENT_FUZZ_SECONDS (default 20) seconds. The inputs it finds are kept in
# tests/fuzz/fuzz_NAME.corpus/ of the build tree, for the next run; a crash
# is left beside them as fuzz_NAME-crash-*. Prints TAP: one test.
set -u
prog=$1
name=$(basename "$prog")
corpus=$(dirname "$0")/corpus/${name#fuzz_}
secs=${MEENT_FUZZ_SECONDS:-20}
out=$prog.out
mkdir -p "$prog.corpus"
echo "1..1"
if [ ! -d "$corpus" ]; then
	echo "not ok 1 - $name: no seed corpus $corpus"
	exit 0
fi
ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 "$prog" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$prog-" "$prog.corpus" "$corpus" >"$out" 2>&1
rc=$?
# The whole of libFuzzer's output goes to the test's log.
cat "$out" >&2
runs=$(grep '^Done [0-9]* runs' "$out" | tail -1)
if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
	echo "ok 1 - $name: $runs"
else
	echo "not ok 1 - $name (exit $rc): see $prog.log"
	# The report's beginning, or the end of the output when there is none.
	first=$(grep -n -m1 -E \
	    'ERROR: |runtime error:|deadly signal|ALARM:|out-of-memory|leaks' \
	    "$out" | cut -d: -f1)
	if [ -n "$first" ]; then
		sed -n "$first,$((first + 29))p" "$out"
	else
		tail -30 "$out"
	fi | sed 's/^/# /'
fi
