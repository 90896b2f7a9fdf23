#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Federation benchmark (docs/federation.md), real meentd processes on
# 127.0.0.1 (federation_allow_http_loopback = true), each under
# /usr/bin/time -v for its peak RSS:
#  1. initial sync of 20,000 and of 100,000 public pilots from A to a fresh
#     B: from `peer add` on B to B at A's head, entries/s (aim >= 5,000/s),
#     peak RSS of both (aim: bounded, the same for both feed lengths); and
#     the time A takes at start to sign the bulk-inserted outbox;
#  2. publish on A -> visible on B with A and B pinning each other and an
#     interval of an hour (only the notify explains speed): 50 samples,
#     median, p90, max (aim <= 1 s);
#  3. a mesh of 10, each pinning the 9 others (interval 5 s), 1,000
#     publishes on random instances: time until all hold all.
# The work is in tests/bench/federation.py. Results: printed, and written to
# tests/bench/results/federation.txt. Environment: BENCH_BUILD (the build
# directory, default build/release), FED_ARGS (passed on to federation.py,
# e.g. "--pilots 2000 --samples 10 --mesh 4 --publishes 100"), FED_RESULTS
# (where the table goes instead), MEENT_KEEP (keep the temporary directory).
# About 15 minutes on 2 cores, most of it the 100,000-pilot sync.
. "$(dirname "$0")/lib.sh"
build=${BENCH_BUILD:-$top/build/release}
py=""

# shellcheck disable=SC2317  # called by the trap
fed_cleanup() {
	if [ -n "$py" ]; then
		kill "$py" 2>/dev/null || true
		wait "$py" 2>/dev/null || true
	fi
	# Whatever meentd federation.py could not stop itself (by pid).
	if [ -f "$work/meentd.pids" ]; then
		while read -r p; do
			kill "$p" 2>/dev/null || true
		done <"$work/meentd.pids"
	fi
	bench_cleanup
}
trap fed_cleanup EXIT
trap 'exit 1' INT TERM
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null
"$top/scripts/deps"
"$top/scripts/build" "$build" CFLAGS="-O2 -g"
# shellcheck disable=SC2086
python3 "$top/tests/bench/federation.py" --build "$build" \
    --content "$top/content" --work "$work" \
    --results "${FED_RESULTS:-$top/tests/bench/results/federation.txt}" \
    ${FED_ARGS:-} &
py=$!
rc=0
wait "$py" || rc=$?
py=""
exit "$rc"
