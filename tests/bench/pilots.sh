#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 3's benchmark: 100,000 pilots (tests/bench/pilots_gen.py), then wrk
# against the real server next to nginx serving the same bytes in the same
# run: a pilot's JSON, its HTML page, a filtered list page (20 per page) and
# a search for a common Dutch word. Prints rates, p99 and the database size.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
N=${PILOTS:-100000}
bench_need
bench_build
"$meentctl" --data "$work/data" --content "$top/content" init >/dev/null
bench_pilots "$work/data" "$N"
id=$pilot_id
echo "database: $(du -sh "$work/data/meent.db" | cut -f1) for $N pilots"
bench_meentd "$work/data" 2
base=http://127.0.0.1:$meent_port
mkdir -p "$work/www/api/v1/pilots" "$work/www/pilots"
curl -sf "$base/api/v1/pilots/$id" >"$work/www/api/v1/pilots/$id.json"
curl -sf "$base/pilots/$id" >"$work/www/pilots/$id.html"
bench_nginx "$work/www"
# Cold: the first request of each, before any cache holds it.
for u in "/api/v1/pilots?domein=jeugd&pageSize=20" "/api/v1/pilots" \
    "/api/v1/_zoek?q=gemeente" "/api/v1/_zoek?q=bijstand" \
    "/api/v1/_zoek?q=avondopenstelling"; do
	echo "cold $(curl -s -o /dev/null -w '%{time_total}' "$base$u") s  $u"
done
for what in "api/v1/pilots/$id" "pilots/$id"; do
	bench_wrk "nginx /$what" "http://127.0.0.1:$nginx_port/$what"
	n_rps=$last_rps
	bench_wrk "meentd /$what" "$base/$what"
	echo "  ratio meentd/nginx: $(ratio "$last_rps" "$n_rps")"
done
bench_wrk "meentd list domein (20)" "$base/api/v1/pilots?domein=jeugd&pageSize=20"
bench_wrk "meentd list page 50" "$base/api/v1/pilots?domein=jeugd&page=50"
bench_wrk "meentd search 'gemeente'" "$base/api/v1/_zoek?q=gemeente"
bench_wrk "meentd search 'bijstand'" "$base/api/v1/_zoek?q=bijstand"
echo "meentd RSS after the run: $(rss_kb "$meent_pid") kB"
