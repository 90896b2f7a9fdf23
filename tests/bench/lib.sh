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
# items into the feed needs more.
bench_meentd() {
	data=$1
	threads=$2
	shift 2
	[ -f "$data/meent.db" ] || "$meentctl" --data "$data" --content "$top/content" init >/dev/null
	"$meentd" --data "$data" --listen 127.0.0.1:0 --threads "$threads" \
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
# last_p99; HEADER ("Cookie: a=b") goes with every request
bench_wrk() {
	name=$1
	url=$2
	out=$(wrk -c "${WRK_CONNECTIONS:-64}" -t 2 -d "${WRK_SECONDS:-10}s" \
	    --latency ${3:+-H "$3"} "$url")
	last_rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	last_p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
	last_p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
	printf '%-28s %10s req/s  p50 %8s  p99 %8s  %s\n' "$name" "$last_rps" "$last_p50" "$last_p99" "$errors"
}

# cpu_ticks PID...: CPU time (user + system, clock ticks) the processes and
# their children have used so far
cpu_ticks() {
	for p in "$@" $(pgrep -P "$(echo "$@" | tr ' ' ,)" 2>/dev/null); do
		awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{s += $1} END {print s + 0}'
}

rss_kb() {
	awk '/VmRSS/ {print $2}' "/proc/$1/status"
}

ratio() {
	python3 -c "print('%.2f' % ($1 / $2))"
}
