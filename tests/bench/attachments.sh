#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 15's attachment benchmark: upload and download throughput of a
# 25 MB attachment, against nginx storing (WebDAV PUT) and serving the same
# file; and meentd's peak RSS (VmHWM) before and after one 25 MB upload and
# after a 5 MB one in a fresh process, and after a 25 MB one through the
# web form, to show that it does not grow with the file (the API's body,
# and the form's file part, are written to disk as they arrive).
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
bench_need
bench_build
N=${UPLOADS:-8}
SIZE=${SIZE_MB:-25}

# Files: a PNG header and a text chunk of random bytes (libmagic: image/png).
python3 - "$work" "$N" "$SIZE" <<'PY'
import os, struct, sys, zlib
work, n, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def png(size):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
        ">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(
            b"\x00\xff\x00\x00"))
    tail = chunk(b"IEND", b"")
    pad = size - len(head) - len(tail) - 12 - 2
    return head + chunk(b"tEXt", b"c\x00" + os.urandom(pad)) + tail
for i in range(n):
    open(os.path.join(work, "f%d.png" % i), "wb").write(png(mb * 1000 * 1000))
open(os.path.join(work, "small.png"), "wb").write(png(5 * 1000 * 1000))
PY
bytes=$(wc -c <"$work/f0.png")
echo "files: $N x $bytes bytes"

pilot() {
	curl -sf -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	    -d '{"titel":"Bijlagen-benchmark","samenvatting":"Een pilot met grote bijlagen.","domein":"dienstverlening-en-burgerzaken","status":"lopend","start":"2025-01-06","vraag":"Hoe snel?","aanvrager":"college","stakeholders":["college"],"tags":["bench"],"contact":"Team Data","zichtbaarheid":"openbaar","aanpak":"Meten.","data":"","resultaten":"","lessen":"","privacy":""}' \
	    "$base_url/api/v1/pilots" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# A fresh data directory and meentd (the one before stopped), with an
# editor's token ($tok), the editor redactie@rheden.example.nl (for the
# form) and a pilot ($p0).
fresh_meentd() {
	if [ -n "${meent_pid:-}" ]; then
		kill "$meent_pid"; wait "$meent_pid" 2>/dev/null || true
	fi
	rm -rf "$work/data"
	"$meentctl" --data "$work/data" --content "$top/content" init >/dev/null
	tok=$("$meentctl" --data "$work/data" token create --gemeente GM0275 --role editor)
	echo "een lang wachtwoord" | "$meentctl" --data "$work/data" user add \
	    redactie@rheden.example.nl --gemeente GM0275 --role editor >/dev/null
	bench_meentd "$work/data" 2
	base_url=http://127.0.0.1:$meent_port
	p0=$(pilot)
	sleep 0.5
}

# One API upload of FILE (named NAME) into a fresh meentd: its peak RSS.
api_upload_rss() {
	fresh_meentd
	before=$(hwm_kb "$meent_pid")
	curl -sf -o /dev/null -H "Authorization: Bearer $tok" -X POST -T "$1" \
	    "$base_url/api/v1/pilots/$p0/bijlagen?naam=$2"
	after=$(hwm_kb "$meent_pid")
	echo "peak RSS (VmHWM) of meentd: $before kB before, $after kB after one $3 MB upload (+$((after - before)) kB)"
}

# --- Peak RSS: a fresh meentd, one 25 MB upload --------------------------
api_upload_rss "$work/f0.png" groot.png "$SIZE"
api_upload_rss "$work/small.png" klein.png 5

# The same 25 MB through the web form (multipart, read as it arrives).
fresh_meentd
# Forms must come from the instance's own origin (its base URL).
origin=$(curl -s "$base_url/.well-known/meent" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["baseUrl"])')
curl -s -o /dev/null -c "$work/jar" -H "Origin: $origin" \
    --data-urlencode email=redactie@rheden.example.nl \
    --data-urlencode "wachtwoord=een lang wachtwoord" "$base_url/inloggen"
csrf=$(curl -s -b "$work/jar" "$base_url/pilots/$p0/bijlagen" |
    sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
# The login's Argon2id (64 MiB) set the peak: start it again from here.
echo 5 >"/proc/$meent_pid/clear_refs" 2>/dev/null || true
before=$(hwm_kb "$meent_pid")
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$work/jar" \
    -H "Origin: $origin" -F "csrf=$csrf" -F "bestand=@$work/f0.png" \
    "$base_url/pilots/$p0/bijlagen")
after=$(hwm_kb "$meent_pid")
echo "peak RSS (VmHWM) of meentd: $before kB before, $after kB after one ${SIZE} MB upload through the web form (HTTP $code, +$((after - before)) kB)"

# --- Upload throughput: N files, one after another -----------------------
pids_list=""
i=0
while [ "$i" -lt "$N" ]; do
	pids_list="$pids_list $(pilot)"
	i=$((i + 1))
done
start=$(date +%s.%N)
i=0
for p in $pids_list; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	    -X POST -T "$work/f$i.png" "$base_url/api/v1/pilots/$p/bijlagen?naam=f$i.png")
	[ "$code" = 201 ] || echo "upload $i: $code" >&2
	i=$((i + 1))
done
end=$(date +%s.%N)
m_up=$(python3 -c "print('%.1f' % ($N * $bytes / 1e6 / ($end - $start)))")
echo "meentd upload: $m_up MB/s ($N x ${SIZE} MB, sequential; hash, libmagic, fsync, rename)"

mkdir -p "$work/www/up" "$work/nginx/tmp"
cp "$work/f0.png" "$work/www/f0.png"
bench_nginx "$work/www"
# The same server with WebDAV PUT for uploads, on a second port.
up_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx/up.conf" <<CONF
user root;
worker_processes 2;
pid $work/nginx/up.pid;
error_log $work/nginx/up-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_max_body_size 64m;
	client_body_temp_path $work/nginx/tmp;
	server {
		listen 127.0.0.1:$up_port;
		root $work/www;
		location /up/ { dav_methods PUT; create_full_put_path on; }
	}
}
CONF
nginx -c "$work/nginx/up.conf" -g 'daemon off;' &
pids="$pids $!"
sleep 0.5
start=$(date +%s.%N)
i=0
while [ "$i" -lt "$N" ]; do
	curl -s -o /dev/null -T "$work/f$i.png" "http://127.0.0.1:$up_port/up/f$i.png"
	i=$((i + 1))
done
end=$(date +%s.%N)
n_up=$(python3 -c "print('%.1f' % ($N * $bytes / 1e6 / ($end - $start)))")
echo "nginx upload (WebDAV PUT): $n_up MB/s"
echo "  ratio meentd/nginx upload: $(ratio "$m_up" "$n_up")"

# --- Download throughput ---------------------------------------------------
p=$(echo $pids_list | cut -d' ' -f1)
h=$(sha256sum "$work/f0.png" | cut -d' ' -f1)
WRK_CONNECTIONS=4 bench_wrk "nginx ${SIZE} MB file" "http://127.0.0.1:$nginx_port/f0.png"
n_rps=$last_rps
WRK_CONNECTIONS=4 bench_wrk "meentd ${SIZE} MB download" "$base_url/api/v1/pilots/$p/bijlagen/$h"
m_rps=$last_rps
echo "  download: meentd $(python3 -c "print('%.0f' % ($m_rps * $bytes / 1e6))") MB/s, nginx $(python3 -c "print('%.0f' % ($n_rps * $bytes / 1e6))") MB/s; ratio $(ratio "$m_rps" "$n_rps")"
echo "meentd RSS after: $(rss_kb "$meent_pid") kB, peak $(hwm_kb "$meent_pid") kB"
