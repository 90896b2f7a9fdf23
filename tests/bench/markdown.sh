#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# The Hardening issue's Markdown benchmark: CPU time of rendering cmark's and
# cmark-gfm's known pathological inputs (and a legitimate guideline text)
# with meent's renderer, per pattern and size, in a release build; and
# which of them markdown_check() refuses before rendering (R). Prints two
# tables: markdown_render() (a pilot section, a proposal) and
# guideline_render() (a guideline revision: two parses).
#
#   tests/bench/markdown.sh [SIZE ...]      default: 100k 250k 1M
#   MD_MAX_S=20: a pattern slower than this at one size skips larger ones
#   MD_PATTERN=text: only the patterns whose name holds it
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/meent-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
"$top/scripts/build" "$top/build/release" CFLAGS="-O2 -g"
rel=$top/build/release
make -C "$rel" tests/bench/markdown_bench >/dev/null
cat "$top"/content/richtlijnen/*/v*.md >"$work/legit.md"
[ $# -gt 0 ] || set -- 100k 250k 1M
echo "cmark-gfm $(pkg-config --modversion libcmark-gfm); $(nproc) cores;" \
    "CPU milliseconds of one render"
for mode in "" -g; do
	# shellcheck disable=SC2086
	MD_BENCH_LEGIT="$work/legit.md" "$rel/tests/bench/markdown_bench" $mode \
	    -m "${MD_MAX_S:-20}" ${MD_PATTERN:+-p "$MD_PATTERN"} "$@"
	echo
done
