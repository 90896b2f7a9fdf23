#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 5's upload benchmark: a generated microdata file of 32 MiB (about
# 500,000 rows: an identifying column, age, district, amount) uploaded to a
# release meentd: time from the first byte sent to the report, and meentd's
# peak RSS (VmHWM) against the file's size (aim: <= 5 s, <= 4x the file).
# For scale, in the same run: Python's csv module aggregating the same file
# by the same two columns (no protection), and `wc -l` reading it.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
bench_need
bench_build
bench_microdata "$work/micro.csv"
size=$(stat -c %s "$work/micro.csv")
bench_meentd "$work/data" 2 --set upload_threads=1
cat >"$work/ind.json" <<'J'
{"id": "bench-uitkering", "naam": "Uitkeringen", "omschrijving": "Benchmark",
 "eenheid": "euro", "soort": "bedrag", "richting": "neutraal", "bron": "bench"}
J
"$meentctl" --data "$work/data" indicator add "$work/ind.json" >/dev/null
tok=$("$meentctl" --data "$work/data" token create --gemeente GM0275 --role editor)
base=$(awk '/VmHWM/ {print $2}' "/proc/$meent_pid/status")
url="http://127.0.0.1:$meent_port/api/v1/datasets?vorm=microdata&indicator=bench-uitkering&periode=2025&rollen=klantnummer:identificerend,leeftijd:quasi,wijk:dimensie,uitkering:meetwaarde"
for run in 1 2 3; do
	t=$(curl -s -o "$work/report.json" -w '%{time_total}' -X POST \
	    -H "Authorization: Bearer $tok" -H "Content-Type: text/csv" \
	    --data-binary @"$work/micro.csv" "$url")
	[ "$run" -eq 1 ] && first=$(awk '/VmHWM/ {print $2}' "/proc/$meent_pid/status")
	echo "upload $run: $t s to the report (HTTP $(python3 -c "import json,sys; d=json.load(open('$work/report.json')); print(d.get('status'), 'rows', d['rapport']['rijen'], 'cells', d['rapport']['cellen'], 'suppressed', d['rapport']['onderdrukt'])" 2>/dev/null || head -c 300 "$work/report.json"))"
done
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$meent_pid/status")
echo "file: $((size / 1024)) kB; meentd peak RSS after the first upload $first kB (idle $base kB): $(python3 -c "print('%.2f' % ($first * 1024 / $size))") x the file; after three: $hwm kB"
ref=$( { /usr/bin/time -f '%e s, %M kB' python3 - "$work/micro.csv" <<'PY'
import csv, sys
cells = {}
with open(sys.argv[1], newline="") as f:
    r = csv.reader(f)
    next(r)
    for row in r:
        k = (int(row[1]) // 5, row[2])
        s = cells.setdefault(k, [0, 0.0])
        s[0] += 1
        s[1] += float(row[3])
PY
} 2>&1 )
echo "reference: Python csv aggregation of the same file: $ref"
echo "reference: wc -l: $( { /usr/bin/time -f '%e s' wc -l "$work/micro.csv" >/dev/null; } 2>&1 )"
