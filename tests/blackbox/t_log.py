# SPDX-License-Identifier: EUPL-1.2
"""Log lines (core/log.c): one JSON object a line, numbers with at most 3
decimals ("ms":0.074, never 0.073999999999999996), no address unless
access_log_client asks for the client's on access lines; --log-format text
and log_format = text: one readable line per event,
"TIME LEVEL EVENT key=value ... message"."""
import json
import re

from harness import Instance, Tap, finish

t = Tap()
LONG_DECIMALS = re.compile(r'[:=]-?\d+\.\d{4,}\b')
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ "
                       r"(debug|info |warn |error|fatal) [a-z_.]+( |$)")

m = Instance().start()
for _ in range(30):
    m.get("/healthz")
m.get("/api/v1/gemeenten/GM0275")
m.get("/nergens")
lines = m.log().splitlines()
parsed = []
for line in lines:
    try:
        parsed.append(json.loads(line))
    except ValueError:
        parsed.append(None)
t.ok(lines and all(isinstance(p, dict) for p in parsed),
     "every line is one JSON object",
     [l for l, p in zip(lines, parsed) if not isinstance(p, dict)][:3])
access = [p for p in parsed if p and p.get("event") == "http.request"]
t.eq(len(access), 32, "one access line per request")
t.ok(all(isinstance(p.get("ms"), (int, float)) for p in access),
     "ms is a number")
t.eq([l for l in lines if LONG_DECIMALS.search(l)], [],
     "no number has more than 3 decimals")
t.ok(any(re.search(r'"ms":\d+\.\d{1,3}[,}]', l) for l in lines),
     "ms keeps its fraction (to the microsecond)")
t.ok(not any("client" in p or "127.0.0.1" in json.dumps(p) for p in access),
     "no address in access lines by default")
t.ok(all(set(p) >= {"ts", "level", "event"} for p in parsed),
     "every line has ts, level and event")
finish(t, m, done=False)


def text_log(inst):
    for _ in range(5):
        inst.get("/healthz")
    inst.get("/nergens")
    return inst.log().splitlines()


for how, inst in [
        ("--log-format text", Instance(settings={"access_log_client": "on"})),
        ("log_format = text", Instance(config_text="log_format = text\n"
                                       "access_log_client = on\n"))]:
    if how.startswith("--"):
        inst.start(extra=["--log-format", "text"])
    else:
        inst.start()
    lines = text_log(inst)
    t.ok(lines and all(TEXT_LINE.match(l) for l in lines),
         "%s: every line is TIME LEVEL EVENT ..." % how,
         [l for l in lines if not TEXT_LINE.match(l)][:3])
    t.ok(not any(l.startswith("{") for l in lines), "%s: no JSON" % how)
    acc = [l for l in lines if " http.request " in l]
    t.eq(len(acc), 6, "%s: one line per request" % how)
    t.ok(re.search(r" route=healthz status=200 ms=\d+(\.\d{1,3})? bytes=15 "
                   r"client=127\.0\.0\.1$", acc[0] if acc else "") is not None,
         "%s: an access line reads as key=value" % how, acc[:1])
    start = [l for l in lines if " server.start " in l]
    t.ok(start and re.search(r"server\.start listening on 127\.0\.0\.1:\d+ ",
                             start[0]), "%s: a message follows the event" % how,
         start)
    t.eq([l for l in lines if LONG_DECIMALS.search(l)], [],
         "%s: no number has more than 3 decimals" % how)
    finish(t, inst, done=False)

bad = Instance()
bad.start(extra=["--log-format", "xml"], wait=False)
t.ok(bad.proc.wait(timeout=60) == 2 and "log_format" in bad.log(),
     "--log-format xml is refused", bad.log())
bad.close()
t.done()
