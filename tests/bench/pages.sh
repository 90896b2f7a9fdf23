#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# The everyday reads, against nginx serving the same bytes in the same run:
# a pilot's JSON and page, a guideline's page and an
# indicator's page (its comparison), on the seed content. For a before/after of a
# change, run it with MEENT_BENCH_BUILD=DIR (a release tree of the other
# commit, e.g. one made with `git worktree add`): the binaries come from
# there, everything else (content, nginx, wrk) from this tree, so the two
# runs differ only in meentd. Prints each rate, p99 and the ratio to nginx.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
bench_need
if [ -n "${MEENT_BENCH_BUILD:-}" ]; then
	meentd=$MEENT_BENCH_BUILD/platform/meentd
	meentctl=$MEENT_BENCH_BUILD/platform/meentctl
else
	bench_build
fi
"$meentctl" --data "$work/data" --content "$top/content" init >/dev/null
bench_meentd "$work/data" 2 --seed "$top/content"
base=http://127.0.0.1:$meent_port
pilot=$(curl -sf "$base/api/v1/pilots?pageSize=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["pilots"][0]["id"])')
set -- "api/v1/pilots/$pilot" "pilots/$pilot" \
    "richtlijnen/stakeholders-betrekken" \
    "benchmarks/inwoners"
for what; do
	mkdir -p "$(dirname "$work/www/$what")"
	curl -sf "$base/$what" >"$work/www/$what"
done
bench_nginx "$work/www"
for what; do
	bench_wrk "nginx /$what" "http://127.0.0.1:$nginx_port/$what"
	n_rps=$last_rps
	bench_wrk "meentd /$what" "$base/$what"
	echo "  ratio meentd/nginx: $(ratio "$last_rps" "$n_rps")"
done
echo "meentd RSS after the run: $(rss_kb "$meent_pid") kB"
