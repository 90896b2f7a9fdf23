#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 16's digest benchmark: the weekly digest (meentctl notify digest)
# for 10,000 users (USERS=) against 100,000 pilots (PILOTS=), written
# straight into SQLite (pilots_gen.py; the notify triggers record an event
# for each, spread here over the past year, so that a week holds ~1/52 of
# them). Every user gets pilots and revisions weekly, with one or two
# saved filters (a domain, half of them also a province); their week ended
# a day ago. Reported: the run's wall time and peak RSS (/usr/bin/time -v),
# the digests queued; then the direct mails of 1,000 new events (DIRECT=)
# with a tenth of the users on "direct" (meentctl notify dispatch); and the
# mail throughput of those digests from the outbox to a local SMTP server
# (aiosmtpd on loopback, which only counts; MESSAGES= caps how many).
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
dpkg-query -W -f='${Status}' python3-aiosmtpd 2>/dev/null | grep -q "ok installed" ||
	apt-get install -y -q python3-aiosmtpd >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null
bench_build
USERS=${USERS:-10000}
PILOTS=${PILOTS:-100000}
DIRECT=${DIRECT:-1000}
MESSAGES=${MESSAGES:-3000}
data=$work/data
"$meentctl" --data "$data" --content "$top/content" init >/dev/null
t0=$(date +%s)
python3 "$top/tests/bench/pilots_gen.py" "$data" "$PILOTS" >/dev/null
python3 - "$data" "$USERS" <<'PY'
import os, random, sqlite3, sys, time
data, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
db = sqlite3.connect(os.path.join(data, "meent.db"))
now = int(time.time())
year = 365 * 86400
# The events of the generated pilots: over the past year, all dispatched.
db.execute("UPDATE notify_events SET created = ? - (abs(random()) %% %d),"
           " dispatched = 1" % year, (now,))
gemeenten = [r[0] for r in db.execute("SELECT code FROM gemeenten")]
provinces = [r[0] for r in db.execute("SELECT DISTINCT provincie FROM gemeenten")]
domains = [r[0] for r in db.execute("SELECT DISTINCT domein FROM pilots")]
users, prefs, filters = [], [], []
for i in range(1, n + 1):
    users.append((i, "lid%d@gemeente%d.example.nl" % (i, i % 300),
                  random.choice(gemeenten), now - year))
    for kind in ("pilots", "revisies"):
        prefs.append((i, kind, "wekelijks", now - 8 * 86400))
    for _ in range(random.choice((1, 2))):
        filters.append((i, random.choice(domains),
                        random.choice(provinces) if random.random() < 0.5
                        else None, now - year))
db.executemany("INSERT INTO users (id, email, gemeente, role, password_hash,"
               " created) VALUES (?, ?, ?, 'viewer', 'x', ?)", users)
db.executemany("INSERT INTO notify_prefs (user_id, kind, mode, since)"
               " VALUES (?, ?, ?, ?)", prefs)
db.executemany("INSERT OR IGNORE INTO notify_filters (user_id, domein,"
               " provincie, created) VALUES (?, ?, ?, ?)", filters)
db.commit()
print("events in the last week:", db.execute(
    "SELECT count(*) FROM notify_events WHERE created > ?",
    (now - 7 * 86400,)).fetchone()[0])
db.close()
PY
t1=$(date +%s)
echo "generated $PILOTS pilots and $USERS users in $((t1 - t0)) s"

/usr/bin/time -v "$meentctl" --data "$data" notify digest \
    --base-url https://meent.example.nl >"$work/digest.out" 2>"$work/digest.time"
cat "$work/digest.out"
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/digest.time")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/digest.time")
echo "digest: $USERS users against $PILOTS pilots: wall $wall, peak RSS $rss kB"
sqlite3 "$data/meent.db" "SELECT 'outbox: ' || count(*) || ' messages, ' ||
    avg(length(text_body) + length(html_body)) || ' bytes of body on average'
    FROM mail_outbox"

# --- Direct mails: DIRECT new pilots' events, a tenth of users direct ---
python3 - "$data" "$DIRECT" "$USERS" <<'PY'
import os, sqlite3, sys, time
data, n, users = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(os.path.join(data, "meent.db"))
db.execute("UPDATE notify_prefs SET mode = 'direct' WHERE kind = 'pilots'"
           " AND user_id % 10 = 0")
ids = [r[0] for r in db.execute("SELECT id FROM pilots ORDER BY pk DESC"
                                " LIMIT ?", (n,))]
db.execute("DELETE FROM notify_events WHERE ref IN (%s)" %
           ",".join("?" * len(ids)), ids)
now = int(time.time())
db.executemany("INSERT INTO notify_events (kind, ref, titel, pad, created)"
               " SELECT 'pilots', id, titel, '/pilots/' || id, ? FROM pilots"
               " WHERE id = ?", [(now, i) for i in ids])
db.commit()
PY
before=$(sqlite3 "$data/meent.db" "SELECT count(*) FROM mail_outbox")
/usr/bin/time -v "$meentctl" --data "$data" notify dispatch \
    --base-url https://meent.example.nl >"$work/dispatch.out" 2>"$work/dispatch.time"
after=$(sqlite3 "$data/meent.db" "SELECT count(*) FROM mail_outbox")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/dispatch.time")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/dispatch.time")
echo "dispatch: $(cat "$work/dispatch.out"), $((after - before)) direct mails queued: wall $wall, peak RSS $rss kB"

# --- Throughput: the digests from the outbox to a local SMTP server ------
sqlite3 "$data/meent.db" "DELETE FROM mail_outbox WHERE id NOT IN
    (SELECT id FROM mail_outbox ORDER BY id LIMIT $MESSAGES)"
/usr/bin/python3 - "$work" "$meentd" "$top" <<'PY'
import os, socket, sqlite3, subprocess, sys, time
from aiosmtpd.controller import Controller

work, meentd, top = sys.argv[1], sys.argv[2], sys.argv[3]
got = []

class Count:
    async def handle_DATA(self, server, session, envelope):
        got.append(len(envelope.original_content))
        return "250 OK"

db = sqlite3.connect(os.path.join(work, "data", "meent.db"))
n = db.execute("SELECT count(*) FROM mail_outbox").fetchone()[0]
db.close()
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
smtp = Controller(Count(), hostname="127.0.0.1", port=port)
smtp.start()
log = open(os.path.join(work, "meentd.log"), "w")
t0 = time.monotonic()
p = subprocess.Popen([meentd, "--data", os.path.join(work, "data"),
                      "--listen", "127.0.0.1:0", "--content",
                      os.path.join(top, "content"), "--set", "access_log=off",
                      "--set", "log_level=warn",
                      "--set", "smtp_url=smtp://127.0.0.1:%d" % port,
                      "--set", "smtp_from=noreply@meent.test"], stderr=log)
try:
    deadline = time.monotonic() + 900
    while len(got) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    t1 = time.monotonic()
finally:
    p.terminate()
    p.wait()
    smtp.stop()
print("mail: %d digests (%d bytes on average) from the outbox to a local "
      "SMTP server in %.2f s (meentd's start included): %.0f messages/s"
      % (len(got), sum(got) / max(len(got), 1), t1 - t0,
         len(got) / (t1 - t0)))
PY
