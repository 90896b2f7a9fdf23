#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 2's benchmark: GET /api/v1/gemeenten/GM0275 from meentd and the same
# bytes from nginx, in the same run, with wrk (64 connections, 2 threads,
# 10 s); the ratio of their rates; idle RSS of meentd.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
bench_need
bench_build
bench_meentd "$work/data" 2
idle_start=$(rss_kb "$meent_pid")
path=/api/v1/gemeenten/GM0275
mkdir -p "$work/www/api/v1/gemeenten"
curl -sf "http://127.0.0.1:$meent_port$path" >"$work/www$path.json"
bench_nginx "$work/www"
curl -sf "http://127.0.0.1:$nginx_port$path" | cmp - "$work/www$path.json"
echo "same bytes: $(wc -c <"$work/www$path.json") bytes"
bench_wrk "nginx $path" "http://127.0.0.1:$nginx_port$path"
nginx_rps=$last_rps
bench_wrk "meentd $path" "http://127.0.0.1:$meent_port$path"
meent_rps=$last_rps
sleep 1
idle_after=$(rss_kb "$meent_pid")
echo "ratio meentd/nginx: $(ratio "$meent_rps" "$nginx_rps")"
echo "meentd RSS: idle at start ${idle_start} kB, idle after the run ${idle_after} kB"
