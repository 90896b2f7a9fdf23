#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# The Hardening issue's search benchmark: the slowest search requests we
# can send anonymously (tests/bench/search.py), one at a time, against a
# release build on 200 and 1000 generated pilots, and on 200 pilots with
# sections 20 times longer. Prints seconds per request and the worst.
# SEARCH_ONLY=regex runs only the queries whose name matches.
#
#   tests/bench/search.sh               this tree's release build
#   MEENT_BIN=DIR tests/bench/search.sh meentd and meentctl from DIR
#                                       (an older build, for a before/after)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${MEENT_BIN:-}" ]; then
	"$top/scripts/build" "$top/build/release" CFLAGS="-O2 -g"
	MEENT_BIN=$top/build/release/platform
fi
for n in ${PILOTS:-200 1000}; do
	python3 "$top/tests/bench/search.py" "$MEENT_BIN/meentd" \
	    "$MEENT_BIN/meentctl" "$n"
done
# Longer texts. Before the caps, each x66 query took minutes here: measure
# an old build with SEARCH_ONLY=x66.
python3 "$top/tests/bench/search.py" "$MEENT_BIN/meentd" \
    "$MEENT_BIN/meentctl" 200 80
