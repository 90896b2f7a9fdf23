# SPDX-License-Identifier: EUPL-1.2
"""The OpenAPI document: in step with the route table, and clean under both
Spectral rulesets of the API Design Rules (zero errors)."""
import json
import os
import subprocess

from harness import MEENTD, TOP_SRC, Instance, Tap, finish

t = Tap()
m = Instance().start()
doc = m.get("/api/v1/openapi.json").json()

documented = set()
for path, ops in doc["paths"].items():
    for method in ops:
        if method in ("get", "post", "put", "patch", "delete"):
            documented.add((method.upper(), "/api/v1" + path))
served = set()
for line in subprocess.run([MEENTD, "--routes"], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    method, pattern = line.split("\t")[:2]
    if pattern.startswith("/api/v1/"):
        served.add((method, pattern))
t.eq(sorted(served - documented), [], "every API route is documented")
t.eq(sorted(documented - served), [], "every documented operation is served")

# Every documented GET answers with what it documents (no 404/405).
for method, pattern in sorted(documented):
    if method != "GET" or "{" in pattern:
        continue
    r = m.get(pattern + ("?q=test" if pattern.endswith("_zoek") else ""))
    t.ok(r.status in (200, 401), "documented %s answers (%d)" % (pattern,
         r.status))

spectral = os.path.join(TOP_SRC, "tests", "node", "node_modules", ".bin",
                        "spectral")
adr = os.path.join(TOP_SRC, "tests", "adr")
url = "http://127.0.0.1:%d/api/v1/openapi.json" % m.port
for ruleset in ("linter-adr-develop.yaml", "spectral-adr-2.1.0.yml"):
    if not t.ok(os.path.exists(spectral), "spectral is installed "
                "(tests/node: npm install)"):
        continue
    p = subprocess.run([spectral, "lint", "-q", "-f", "json", "-r",
                        os.path.join(adr, ruleset), url],
                       capture_output=True, text=True, timeout=300)
    try:
        findings = json.loads(p.stdout or "[]")
    except ValueError:
        findings = None
    t.ok(findings is not None, "spectral ran with %s" % ruleset,
         p.stdout[:500] + p.stderr[:500])
    errors = [f for f in findings or [] if f.get("severity") == 0]
    t.eq(["%s at %s: %s" % (f["code"], ".".join(map(str, f["path"])),
          f["message"]) for f in errors], [],
         "zero errors from %s" % ruleset)
    warnings = [f for f in findings or [] if f.get("severity") == 1]
    print("# %s: %d warnings" % (ruleset, len(warnings)))
    for f in warnings[:10]:
        print("#   %s at %s" % (f["code"], ".".join(map(str, f["path"]))))

finish(t, m)
