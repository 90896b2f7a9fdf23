# SPDX-License-Identifier: EUPL-1.2
# Shared by the benchmarks: a release build, a meentd, an nginx serving the
# same bytes, and wrk. Source it; call bench_cleanup on exit.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/meent-bench-XXXXXX)
chmod 755 "$work"
pids=""

bench_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${MEENT_KEEP:-}" ] || rm -rf "$work"
}

bench_need() {
	for c in wrk nginx; do
		command -v "$c" >/dev/null 2>&1 || {
			apt-get install -y -q wrk nginx-light time >/dev/null
			break
		}
	done
}

bench_build() {
	"$top/scripts/deps"
	"$top/scripts/build" "$top/build/release" CFLAGS="-O2 -g"
	meentd=$top/build/release/platform/meentd
	meentctl=$top/build/release/platform/meentctl
}

# bench_meentd DATA_DIR THREADS [extra args]: start it; sets meent_port, meent_pid.
# It has START_SECONDS (10) to listen: a start that signs many generated
# items into the feed needs more. BENCH_WRAP runs it under a tool (valgrind
# ARGS: the tool runs in meentd's process, meent_pid stays right).
bench_meentd() {
	data=$1
	threads=$2
	shift 2
	[ -f "$data/meent.db" ] || "$meentctl" --data "$data" --content "$top/content" init >/dev/null
	# shellcheck disable=SC2086  # BENCH_WRAP: words, e.g. valgrind ARGS
	${BENCH_WRAP:-} "$meentd" --data "$data" --listen 127.0.0.1:0 --threads "$threads" \
	    --content "$top/content" --set access_log=off "$@" 2>"$work/meentd.log" &
	meent_pid=$!
	pids="$pids $meent_pid"
	for _ in $(seq $((${START_SECONDS:-10} * 10))); do
		meent_port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/meentd.log" | head -1)
		[ -n "$meent_port" ] && return 0
		sleep 0.1
	done
	echo "meentd did not start" >&2
	cat "$work/meentd.log" >&2
	exit 1
}

# bench_nginx ROOT: serve ROOT's files as nginx would; sets nginx_port
bench_nginx() {
	root=$1
	nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$work/nginx"
	cat >"$work/nginx/nginx.conf" <<CONF
user root;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	types { application/json json; text/html html; }
	default_type application/json;
	etag on;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$nginx_port;
		root $root;
		location / { try_files \$uri \$uri.json \$uri.html =404; }
	}
}
CONF
	nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
	nginx_pid=$!
	pids="$pids $!"
	sleep 0.5
}

# bench_wrk NAME URL [HEADER]: prints "NAME rps p50 p99" and sets last_rps,
# last_p50, last_p99 (as wrk writes them: 850.00us, 1.20ms), last_requests
# and errors; HEADER ("Cookie: a=b") goes with every request. WRK_SCRIPT: a
# Lua script for wrk (a POST); WRK_THREADS (2, at most the connections).
bench_wrk() {
	name=$1
	url=$2
	out=$(wrk -c "${WRK_CONNECTIONS:-64}" -t "${WRK_THREADS:-2}" \
	    -d "${WRK_SECONDS:-10}s" --latency ${WRK_SCRIPT:+-s "$WRK_SCRIPT"} \
	    ${3:+-H "$3"} "$url")
	last_rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	last_p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
	last_p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	last_requests=$(echo "$out" | awk '/requests in/ {print $1}')
	errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
	printf '%-28s %10s req/s  p50 %8s  p99 %8s  %s\n' "$name" "$last_rps" "$last_p50" "$last_p99" "$errors"
}

# bench_stop PID: SIGTERM a process started here, and wait for it
bench_stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# bench_pilots DATA N: N generated pilots (pilots_gen.py, always the same:
# seed 42) straight into DATA's database, then the search index; prints
# the generator's and the index's times, sets pilot_id (one of them)
bench_pilots() {
	python3 "$top/tests/bench/pilots_gen.py" "$1" "$2" >"$work/pilots_gen.out"
	head -1 "$work/pilots_gen.out"
	pilot_id=$(tail -1 "$work/pilots_gen.out")
	t0=$(date +%s.%N)
	"$meentctl" --data "$1" reindex >/dev/null
	echo "search index of $2 pilots built in $(python3 -c "print('%.1f' % ($(date +%s.%N) - $t0))") s"
}

# bench_indicator_files DIR N: N indicator definitions (DIR/def-NN.json,
# bench-00 ...) and their values for the 342 municipalities x 10 periods
# (DIR/val-NN.csv), always the same (seed 5)
bench_indicator_files() {
	python3 - "$1" "$top" "$2" <<'PY'
import csv, json, os, random, sys
work, top, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
codes = [r["gemeentecode"] for r in csv.DictReader(open(
    os.path.join(top, "content/referentie/gemeenten.csv")))]
rnd = random.Random(5)
for i in range(n):
    d = {"id": "bench-%02d" % i, "naam": "Indicator %d" % i,
         "omschrijving": "Gegenereerd voor de benchmark.", "eenheid": "%",
         "soort": "ratio", "richting": ["hoger_beter", "lager_beter",
                                        "neutraal"][i % 3], "bron": "bench"}
    json.dump(d, open(os.path.join(work, "def-%02d.json" % i), "w"))
    with open(os.path.join(work, "val-%02d.csv" % i), "w") as f:
        f.write("gemeentecode,periode,waarde\n")
        for year in range(2016, 2026):
            for c in codes:
                f.write("%s,%d,%.3f\n" % (c, year, rnd.uniform(0, 100)))
PY
}

# bench_indicators DATA N: bench_indicator_files, each added and imported
# into DATA with meentctl
bench_indicators() {
	mkdir -p "$work/indicators"
	bench_indicator_files "$work/indicators" "$2"
	i=0
	while [ "$i" -lt "$2" ]; do
		n=$(printf %02d "$i")
		"$meentctl" --data "$1" indicator add "$work/indicators/def-$n.json" >/dev/null
		"$meentctl" --data "$1" import --indicator "bench-$n" \
		    --source bench "$work/indicators/val-$n.csv" >/dev/null
		i=$((i + 1))
	done
}

# bench_microdata FILE: a microdata CSV of 32 MiB (about 500,000 rows: an
# identifying column, age, district, amount), always the same (seed 7)
bench_microdata() {
	python3 - "$1" <<'PY'
import random, sys
rnd = random.Random(7)
wijken = ["Centrum", "Noord", "Oost", "Zuid", "West", "Dorp", "Haven",
          "Bos", "Veld", "Kern"]
target = 32 * 1024 * 1024 - 200
with open(sys.argv[1], "w") as f:
    f.write("klantnummer,leeftijd,wijk,uitkering,opmerking,dossier\n")
    size, i = 0, 0
    while True:
        line = "K%09d,%d,%s,%d.%02d,%s,D-%08d\n" % (
            i, rnd.randint(18, 95), rnd.choice(wijken),
            rnd.randint(200, 2500), rnd.randint(0, 99),
            rnd.choice(["geen", "herbeoordeling", "nieuw", "verhuisd"]),
            rnd.randint(0, 99999999))
        if size + len(line) > target:
            break
        f.write(line)
        size += len(line)
        i += 1
print("rows", i)
PY
}

# cpu_ticks PID...: CPU time (user + system, clock ticks) the processes and
# their children have used so far
cpu_ticks() {
	for p in "$@" $(pgrep -P "$(echo "$@" | tr ' ' ,)" 2>/dev/null); do
		awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{s += $1} END {print s + 0}'
}

# bench_idle PID...: wait (at most 30 s) until the processes use no more
# CPU: a server still working off the requests of the last wrk (which does
# not wait for them) would slow the next measurement down
bench_idle() {
	for _ in $(seq 150); do
		c0=$(cpu_ticks "$@")
		sleep 0.2
		[ "$(cpu_ticks "$@")" -le $((c0 + 2)) ] && return 0
	done
}

rss_kb() {
	awk '/VmRSS/ {print $2}' "/proc/$1/status"
}

# hwm_kb PID: its peak RSS so far (VmHWM)
hwm_kb() {
	awk '/VmHWM/ {print $2}' "/proc/$1/status"
}

ratio() {
	python3 -c "print('%.2f' % ($1 / $2))"
}
