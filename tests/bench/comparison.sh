#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 5's comparison benchmark: 342 municipalities x 50 indicators x 10
# periods imported with meentctl (time and peak memory of one import), then
# the comparison endpoint under wrk (size class, all, most similar; each
# with its 10-period series) next to nginx serving the same JSON bytes.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
bench_need
bench_build
NIND=${INDICATORS:-50}
"$meentctl" --data "$work/data" --content "$top/content" init >/dev/null
bench_indicator_files "$work" "$NIND"
i=0
while [ "$i" -lt "$NIND" ]; do
	n=$(printf %02d "$i")
	"$meentctl" --data "$work/data" indicator add "$work/def-$n.json" >/dev/null
	if [ "$i" -eq 0 ]; then
		/usr/bin/time -v "$meentctl" --data "$work/data" import \
		    --indicator "bench-$n" --source bench "$work/val-$n.csv" \
		    2>"$work/time.txt"
		echo "one import (3,420 values): $(awk -F': ' '/Elapsed/ {print $2}' "$work/time.txt") elapsed, peak RSS $(awk '/Maximum resident/ {print $6}' "$work/time.txt") kB"
	else
		"$meentctl" --data "$work/data" import --indicator "bench-$n" \
		    --source bench "$work/val-$n.csv" >/dev/null
	fi
	i=$((i + 1))
done
echo "loaded: $NIND indicators x 342 municipalities x 10 periods; database $(du -k "$work/data/meent.db" | cut -f1) kB"

bench_meentd "$work/data" 2
base_url=http://127.0.0.1:$meent_port
mkdir -p "$work/www"
for groep in grootteklasse alle vergelijkbaar; do
	path="/api/v1/indicatoren/bench-07/vergelijking?gemeente=GM0275&groep=$groep"
	curl -sf "$base_url$path" >"$work/www/$groep.json"
done
bench_nginx "$work/www"
for groep in grootteklasse alle vergelijkbaar; do
	bytes=$(wc -c <"$work/www/$groep.json")
	bench_wrk "nginx $groep ($bytes B)" "http://127.0.0.1:$nginx_port/$groep.json"
	n_rps=$last_rps
	bench_wrk "meentd $groep" "$base_url/api/v1/indicatoren/bench-07/vergelijking?gemeente=GM0275&groep=$groep"
	echo "  ratio meentd/nginx: $(ratio "$last_rps" "$n_rps")"
done
WRK_CONNECTIONS=2 bench_wrk "meentd 2 connections" "$base_url/api/v1/indicatoren/bench-07/vergelijking?gemeente=GM0275&groep=grootteklasse"
echo "meentd RSS after: $(rss_kb "$meent_pid") kB"
