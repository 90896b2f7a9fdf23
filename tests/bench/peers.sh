#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 14's benchmark ("Peers like us", Measured): a municipality's page
# /gemeenten/{code} and the personalised start page (/ with the "mijn
# gemeente" cookie, anonymous and signed in), on PILOTS (100,000) generated
# pilots (pilots_gen.py) and the seed's guidelines and CBS indicators.
#
#   cold  the first request of a page after a write (a new pilot through
#         the API, which makes every cached answer stale), for 40
#         municipalities: p50, p95 and the worst (peers_cold.py). Aim
#         <= 50 ms.
#   warm  wrk (64 connections, 2 threads, 10 s) against meentd and against
#         nginx serving the same bytes, in the same run, REPEAT (3) times;
#         the median of the ratios meentd/nginx. Aim >= 0.5.
#
# MEENT_BENCH_BUILD=DIR takes meentd and meentctl from the release tree DIR
# (another commit, for a before/after); everything else comes from here.
#
# Measured on the shared 2-core machine (others' jobs running; medians of
# 3 runs; commit "Peers like us, measured"), before -> after:
#   cold /gemeenten/GM0339        p50 ?? ms, p95 ?? ms -> p50 ?? ms, p95 ?? ms
#   cold / (cookie)               p50 ?? ms, p95 ?? ms -> p50 ?? ms, p95 ?? ms
#   cold / (cookie, signed in)    p50 ?? ms, p95 ?? ms -> p50 ?? ms, p95 ?? ms
#   warm /gemeenten/GM0339        ?? x nginx -> ?? x nginx
#   warm / (cookie)               ?? x nginx -> ?? x nginx
#   warm / (cookie, signed in)    ?? x nginx -> ?? x nginx
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
N=${PILOTS:-100000}
CODE=${CODE:-GM0339}	# Renswoude, 5,800 inhabitants: size class 2
bench_need
if [ -n "${MEENT_BENCH_BUILD:-}" ]; then
	meentd=$MEENT_BENCH_BUILD/platform/meentd
	meentctl=$MEENT_BENCH_BUILD/platform/meentctl
else
	bench_build
fi
"$meentctl" --data "$work/data" --content "$top/content" init >/dev/null
python3 "$top/tests/bench/pilots_gen.py" "$work/data" "$N" | head -1
"$meentctl" --data "$work/data" reindex >/dev/null
# The seed adds the guidelines and indicators (its pilots: not on top of
# generated ones).
START_SECONDS=${START_SECONDS:-180} bench_meentd "$work/data" 2 \
    --seed "$top/content"
base=http://127.0.0.1:$meent_port
token=$("$meentctl" --data "$work/data" token create --gemeente GM0226 \
    --role editor | tail -1)
echo "een lang wachtwoord" | "$meentctl" --data "$work/data" user add \
    bench@rheden.example.nl --gemeente GM0275 --role editor >/dev/null
session=$(curl -si -X POST -H "Sec-Fetch-Site: same-origin" \
    -H "Content-Type: application/x-www-form-urlencoded" \
    --data "email=bench%40rheden.example.nl&wachtwoord=een+lang+wachtwoord" \
    "$base/inloggen" | sed -n 's/^Set-Cookie: \(meent_sessie=[^;]*\).*/\1/p')
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }
echo "$N pilots; database $(du -sh "$work/data/meent.db" | cut -f1)"

python3 "$top/tests/bench/peers_cold.py" "$meent_port" "$token" "$session" \
    "${SAMPLES:-40}"

mkdir -p "$work/www/gemeenten"
curl -sf "$base/gemeenten/$CODE" >"$work/www/gemeenten/$CODE.html"
curl -sf -H "Cookie: meent_gemeente=$CODE" "$base/" >"$work/www/home.html"
curl -sf -H "Cookie: $session; meent_gemeente=$CODE" "$base/" \
    >"$work/www/home-login.html"
bench_nginx "$work/www"
# name, meentd path, nginx path, header
set -- "gemeente" "/gemeenten/$CODE" "/gemeenten/$CODE" "" \
    "home" "/" "/home" "Cookie: meent_gemeente=$CODE" \
    "home-login" "/" "/home-login" "Cookie: $session; meent_gemeente=$CODE"
while [ $# -ge 4 ]; do
	ratios=""
	for _ in $(seq "${REPEAT:-3}"); do
		bench_wrk "nginx $1" "http://127.0.0.1:$nginx_port$3" "$4"
		n_rps=$last_rps
		bench_wrk "meentd $1" "$base$2" "$4"
		ratios="$ratios $(ratio "$last_rps" "$n_rps")"
	done
	echo "  $1 ratios meentd/nginx:$ratios; median $(python3 -c "import statistics, sys; print('%.2f' % statistics.median(map(float, sys.argv[1:])))" $ratios)"
	shift 4
done
echo "meentd RSS after the run: $(rss_kb "$meent_pid") kB"
