#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Generate N pilots into a meent database, for benchmarks only.

    pilots_gen.py DATA_DIR N      (PILOTS_SENTENCES=4: a section's length)

Writes rows straight into the pilots tables (one transaction) from the
sentences of the seed pilots, shuffled, with random municipalities, domains,
statuses and visibilities; then run `meentctl reindex` to build the search
index. The HTML columns get plain paragraphs: benchmarks measure serving,
not rendering.
"""
import glob
import html
import json
import os
import random
import re
import sqlite3
import sys
import time
import uuid

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
data, n = sys.argv[1], int(sys.argv[2])
random.seed(42)
sentences = []
for path in glob.glob(os.path.join(top, "content", "pilots", "*.md")):
    text = open(path, encoding="utf-8").read().split("---", 2)[2]
    for s in re.split(r"(?<=[.!?])\s+", re.sub(r"[#*|>`\[\]()-]", " ", text)):
        s = " ".join(s.split())
        if 30 < len(s) < 300:
            sentences.append(s)
domains = ["werk-en-inkomen", "zorg-en-welzijn", "jeugd",
           "dienstverlening-en-burgerzaken", "financien", "ruimte-en-wonen",
           "veiligheid", "mobiliteit", "klimaat-en-energie", "openbare-ruimte",
           "onderwijs", "economie", "bedrijfsvoering"]
statuses = ["idee", "lopend", "afgerond", "gestopt"]
tags = ["data", "dashboard", "privacy", "dpia", "sensoren", "benchmark",
        "inwoners", "raad", "wijken", "planning", "kosten", "monitoring"]
db = sqlite3.connect(os.path.join(data, "meent.db"))
origin = db.execute("SELECT uuid FROM instance").fetchone()[0]
gemeenten = db.execute("SELECT code, provincie, grootteklasse FROM gemeenten"
                       ).fetchall()


def para(k):
    return " ".join(random.choice(sentences) for _ in range(k))


t0 = time.time()
now = int(time.time())
rows, texts, tag_rows = [], [], []
for i in range(n):
    g = random.choice(gemeenten)
    secs = [para(int(os.environ.get("PILOTS_SENTENCES", "4")))
            for _ in range(5)]
    tg = sorted(set(random.sample(tags, 3)))
    rows.append((i + 1, str(uuid.UUID(int=random.getrandbits(128), version=4)),
                 origin, g[0], g[1], g[2], 1,
                 random.choices(["openbaar", "leden", "concept"],
                                [8, 1, 1])[0],
                 ("Pilot %d: " % (i + 1)) + random.choice(sentences)[:120],
                 random.choice(domains), random.choice(statuses),
                 "2024-01-01", None, "college", json.dumps(tg), 0,
                 now - n + i, now - n + i))
    texts.append((i + 1, para(2)[:900], para(1)[:480],
                  json.dumps(["college", "analisten"]),
                  "Team Data, data@voorbeeld.example.nl",
                  *[x for s in secs for x in (s, "<p>%s</p>" % html.escape(s))]))
    tag_rows.extend((t, i + 1) for t in tg)
db.execute("BEGIN")
db.executemany("INSERT INTO pilots (pk, id, origin, gemeente, provincie, "
               "grootteklasse, versie, zichtbaarheid, titel, domein, status, "
               "start, einde, aanvrager, tags, voorbeeld, aangemaakt, "
               "gewijzigd) VALUES (%s)" % ",".join("?" * 18), rows)
db.executemany("INSERT INTO pilot_texts (pk, samenvatting, vraag, "
               "stakeholders, contact, aanpak, aanpak_html, data, data_html, "
               "resultaten, resultaten_html, lessen, lessen_html, privacy, "
               "privacy_html) VALUES (%s)" % ",".join("?" * 15), texts)
db.executemany("INSERT INTO pilot_tags (tag, pilot) VALUES (?, ?)", tag_rows)
db.commit()
print("generated %d pilots in %.1f s" % (n, time.time() - t0))
# A public pilot from the middle (anyone may read it: the benchmarks GET it)
print(next(r[1] for r in rows[n // 2:] + rows if r[7] == "openbaar"))
