#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# Issue 16's mail throughput: N messages (2,000; MESSAGES=) put in the
# outbox while meentd is stopped, then meentd started against a local SMTP
# server (Python's aiosmtpd on loopback, which only counts what arrives):
# messages per second from the outbox to the server, the sender's one
# thread reusing one SMTP connection. The Python server is part of what is
# measured: a real relay (Postfix) takes mail faster.
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
dpkg-query -W -f='${Status}' python3-aiosmtpd 2>/dev/null | grep -q "ok installed" ||
	apt-get install -y -q python3-aiosmtpd >/dev/null
bench_build
N=${MESSAGES:-2000}
"$meentctl" --data "$work/data" --content "$top/content" init >/dev/null
# Debian's python3, which has aiosmtpd (a pyenv python3 would not).
/usr/bin/python3 - "$work" "$meentd" "$top" "$N" <<'PY'
import os, socket, sqlite3, subprocess, sys, threading, time
from aiosmtpd.controller import Controller

work, meentd, top, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
got = []

class Count:
    async def handle_DATA(self, server, session, envelope):
        got.append(len(envelope.original_content))
        return "250 OK"

s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
smtp = Controller(Count(), hostname="127.0.0.1", port=port)
smtp.start()
db = sqlite3.connect(os.path.join(work, "data", "meent.db"))
text = "Goedendag,\n\n" + "Er is een nieuwe pilot die bij uw filter past. " * 10
html = "<!DOCTYPE html><html lang=\"nl\"><body><p>" + text + "</p></body></html>"
now = int(time.time())
db.executemany("INSERT INTO mail_outbox (recipient, subject, text_body,"
               " html_body, headers, next_attempt, created)"
               " VALUES (?, ?, ?, ?, '', ?, ?)",
               [("lid%d@gemeente.nl" % i, "Nieuwe pilot %d" % i, text, html,
                 now, now) for i in range(n)])
db.commit()
db.close()
log = open(os.path.join(work, "meentd.log"), "w")
t0 = time.monotonic()
p = subprocess.Popen([meentd, "--data", os.path.join(work, "data"),
                      "--listen", "127.0.0.1:0", "--content",
                      os.path.join(top, "content"), "--set", "access_log=off",
                      "--set", "log_level=warn",
                      "--set", "smtp_url=smtp://127.0.0.1:%d" % port,
                      "--set", "smtp_from=noreply@meent.test"], stderr=log)
try:
    deadline = time.monotonic() + 600
    while len(got) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    t1 = time.monotonic()
finally:
    p.terminate()
    p.wait()
    smtp.stop()
db = sqlite3.connect(os.path.join(work, "data", "meent.db"))
sent = db.execute("SELECT count(*) FROM mail_outbox WHERE state = 'sent'").fetchone()[0]
print("mail: %d messages (%d bytes each) from the outbox to a local SMTP "
      "server in %.2f s (meentd's start included): %.0f messages/s; %d "
      "marked sent" % (len(got), got[0] if got else 0, t1 - t0,
                       len(got) / (t1 - t0), sent))
PY
