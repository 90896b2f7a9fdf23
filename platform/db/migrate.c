/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Schema migrations: a const table, applied in order at start, each in its
 * own transaction together with the PRAGMA user_version that records it.
 *
 * Rules: a migration is never edited once released; a change is a new row.
 * A database whose user_version is above the last row was written by a newer
 * meent: it is refused, never "downgraded".
 *
 * Times are Unix seconds (INTEGER); they become RFC 3339 text in the API.
 */
#include "db/db.h"

#include <stdlib.h>

struct migration {
	int version;
	const char *sql;
};

static const struct migration migrations[] = {
	{ 1,
	    /* The instance: exactly one row, made by meentctl init. */
	    "CREATE TABLE instance ("
	    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
	    "  uuid TEXT NOT NULL,"
	    "  name TEXT NOT NULL,"
	    "  base_url TEXT NOT NULL,"
	    "  public_key BLOB NOT NULL CHECK (length(public_key) = 32),"
	    "  epoch TEXT NOT NULL,"
	    "  created INTEGER NOT NULL);"
	    /* Reference data: all municipalities; lid_sinds = member since. */
	    "CREATE TABLE gemeenten ("
	    "  code TEXT PRIMARY KEY CHECK (code GLOB 'GM[0-9][0-9][0-9][0-9]'),"
	    "  cbs_code TEXT NOT NULL,"
	    "  naam TEXT NOT NULL,"
	    "  naam_kort TEXT NOT NULL,"
	    "  provincie TEXT NOT NULL,"
	    "  inwoners INTEGER NOT NULL,"
	    "  inwoners_jaar INTEGER NOT NULL,"
	    "  grootteklasse INTEGER NOT NULL CHECK (grootteklasse BETWEEN 1 AND 8),"
	    "  oppervlakte_km2 REAL NOT NULL,"
	    "  lid_sinds INTEGER) WITHOUT ROWID;"
	    "CREATE INDEX gemeenten_provincie ON gemeenten(provincie);"
	    "CREATE TABLE gemeente_inwoners ("
	    "  code TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  jaar INTEGER NOT NULL,"
	    "  inwoners INTEGER NOT NULL,"
	    "  PRIMARY KEY (code, jaar)) WITHOUT ROWID;"
	    "CREATE TABLE users ("
	    "  id INTEGER PRIMARY KEY,"
	    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	    "  naam TEXT NOT NULL DEFAULT '',"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  role TEXT NOT NULL CHECK (role IN ('viewer','editor','admin')),"
	    "  password_hash TEXT NOT NULL,"
	    "  created INTEGER NOT NULL,"
	    "  disabled INTEGER NOT NULL DEFAULT 0);"
	    /* API tokens: only the SHA-256 digest is kept. */
	    "CREATE TABLE tokens ("
	    "  id INTEGER PRIMARY KEY,"
	    "  digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  role TEXT NOT NULL CHECK (role IN ('viewer','editor','admin')),"
	    "  name TEXT NOT NULL DEFAULT '',"
	    "  created INTEGER NOT NULL,"
	    "  expires INTEGER,"
	    "  revoked INTEGER);"
	    /* Web sessions: the cookie's SHA-256 digest. */
	    "CREATE TABLE sessions ("
	    "  digest BLOB PRIMARY KEY CHECK (length(digest) = 32),"
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    "  csrf TEXT NOT NULL,"
	    "  created INTEGER NOT NULL,"
	    "  expires INTEGER NOT NULL) WITHOUT ROWID;"
	    "CREATE INDEX sessions_expires ON sessions(expires);" },
	{ 2,
	    /*
	     * Pilots. The row in pilots is small (what lists, facets and
	     * visibility need) and the text lives in pilot_texts, so that
	     * scanning thousands of pilots reads kilobytes, not megabytes.
	     * A deleted pilot keeps its rows as a tombstone (verwijderd set,
	     * text emptied). Lists are JSON text.
	     */
	    "CREATE TABLE pilots ("
	    "  pk INTEGER PRIMARY KEY,"
	    "  id TEXT NOT NULL UNIQUE,"
	    "  origin TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    /* Copied from gemeenten for filters without a join. */
	    "  provincie TEXT NOT NULL,"
	    "  grootteklasse INTEGER NOT NULL,"
	    "  versie INTEGER NOT NULL,"
	    "  zichtbaarheid TEXT NOT NULL"
	    "    CHECK (zichtbaarheid IN ('openbaar','leden','concept')),"
	    "  verwijderd INTEGER,"
	    "  titel TEXT NOT NULL,"
	    "  domein TEXT NOT NULL,"
	    "  status TEXT NOT NULL,"
	    "  start TEXT,"
	    "  einde TEXT,"
	    "  aanvrager TEXT,"
	    "  tags TEXT NOT NULL DEFAULT '[]',"
	    "  voorbeeld INTEGER NOT NULL DEFAULT 0,"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  gewijzigd INTEGER NOT NULL);"
	    "CREATE TABLE pilot_texts ("
	    "  pk INTEGER PRIMARY KEY REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  samenvatting TEXT NOT NULL DEFAULT '',"
	    "  vraag TEXT NOT NULL DEFAULT '',"
	    "  stakeholders TEXT NOT NULL DEFAULT '[]',"
	    "  contact TEXT NOT NULL DEFAULT '',"
	    "  aanpak TEXT NOT NULL DEFAULT '', aanpak_html TEXT NOT NULL DEFAULT '',"
	    "  data TEXT NOT NULL DEFAULT '', data_html TEXT NOT NULL DEFAULT '',"
	    "  resultaten TEXT NOT NULL DEFAULT '',"
	    "  resultaten_html TEXT NOT NULL DEFAULT '',"
	    "  lessen TEXT NOT NULL DEFAULT '', lessen_html TEXT NOT NULL DEFAULT '',"
	    "  privacy TEXT NOT NULL DEFAULT '',"
	    "  privacy_html TEXT NOT NULL DEFAULT '');"
	    "CREATE INDEX pilots_new ON pilots(aangemaakt DESC);"
	    "CREATE INDEX pilots_changed ON pilots(gewijzigd DESC);"
	    "CREATE INDEX pilots_gemeente ON pilots(gemeente);"
	    "CREATE INDEX pilots_domein ON pilots(domein, aangemaakt DESC);"
	    "CREATE INDEX pilots_status ON pilots(status, aangemaakt DESC);"
	    "CREATE INDEX pilots_klasse ON pilots(grootteklasse, aangemaakt DESC);"
	    "CREATE INDEX pilots_provincie ON pilots(provincie, aangemaakt DESC);"
	    "CREATE TABLE pilot_tags ("
	    "  tag TEXT NOT NULL,"
	    "  pilot INTEGER NOT NULL REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  PRIMARY KEY (tag, pilot)) WITHOUT ROWID;"
	    /* The search index reads its text from this view (no copy). */
	    "CREATE VIEW pilots_fts_src AS SELECT p.pk AS pk, p.titel AS titel,"
	    "  t.samenvatting AS samenvatting,"
	    "  t.vraag || char(10) || t.aanpak || char(10) || t.data || char(10)"
	    "  || t.resultaten || char(10) || t.lessen || char(10) || t.privacy"
	    "  AS tekst, p.tags AS tags"
	    "  FROM pilots p JOIN pilot_texts t ON t.pk = p.pk;"
	    "CREATE VIRTUAL TABLE pilots_fts USING fts5(titel, samenvatting,"
	    "  tekst, tags, content='pilots_fts_src', content_rowid='pk',"
	    "  tokenize='meent_nl');" },
	{ 3,
	    /*
	     * Guidelines: a head, its maintainers, an append-only list of
	     * revisions, proposals from any member, and adoptions.
	     */
	    "CREATE TABLE richtlijnen ("
	    "  pk INTEGER PRIMARY KEY,"
	    "  slug TEXT NOT NULL UNIQUE,"
	    "  origin TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  titel TEXT NOT NULL,"
	    "  head INTEGER NOT NULL,"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  gewijzigd INTEGER NOT NULL);"
	    "CREATE TABLE richtlijn_beheerders ("
	    "  richtlijn INTEGER NOT NULL REFERENCES richtlijnen(pk),"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  PRIMARY KEY (richtlijn, gemeente)) WITHOUT ROWID;"
	    "CREATE TABLE richtlijn_versies ("
	    "  richtlijn INTEGER NOT NULL REFERENCES richtlijnen(pk),"
	    "  versie INTEGER NOT NULL,"
	    "  basis INTEGER,"
	    "  titel TEXT NOT NULL,"
	    "  tekst TEXT NOT NULL,"
	    "  html TEXT NOT NULL,"
	    "  inhoud TEXT NOT NULL,"	/* table of contents, JSON */
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  bericht TEXT NOT NULL,"
	    "  voorstel INTEGER,"
	    "  samengevoegd INTEGER NOT NULL DEFAULT 0,"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  PRIMARY KEY (richtlijn, versie)) WITHOUT ROWID;"
	    "CREATE TABLE richtlijn_voorstellen ("
	    "  pk INTEGER PRIMARY KEY,"
	    "  richtlijn INTEGER NOT NULL REFERENCES richtlijnen(pk),"
	    "  basis INTEGER NOT NULL,"
	    "  tekst TEXT NOT NULL,"
	    "  bericht TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  status TEXT NOT NULL"
	    "    CHECK (status IN ('open','aanvaard','afgewezen')),"
	    "  reden TEXT,"
	    "  versie INTEGER,"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  besloten INTEGER);"
	    "CREATE INDEX richtlijn_voorstellen_r ON"
	    "  richtlijn_voorstellen(richtlijn, status);"
	    "CREATE TABLE richtlijn_adopties ("
	    "  richtlijn INTEGER NOT NULL REFERENCES richtlijnen(pk),"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  versie INTEGER,"
	    "  sinds INTEGER NOT NULL,"
	    "  PRIMARY KEY (richtlijn, gemeente)) WITHOUT ROWID;"
	    /* Pilots link to guideline revisions (versie NULL: the newest). */
	    "ALTER TABLE pilots ADD COLUMN richtlijnen TEXT NOT NULL"
	    "  DEFAULT '[]';"
	    "CREATE TABLE pilot_richtlijnen ("
	    "  slug TEXT NOT NULL,"
	    "  pilot INTEGER NOT NULL REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  versie INTEGER,"
	    "  PRIMARY KEY (slug, pilot)) WITHOUT ROWID;" },
	{ 4,
	    /* Benchmarks: the indicator catalogue and published values, one
	     * per municipality and period (public statistics and protected
	     * tables alike; raw uploads never reach the database). */
	    "CREATE TABLE indicatoren ("
	    "  id TEXT PRIMARY KEY CHECK (id GLOB '[a-z0-9]*' AND"
	    "    length(id) <= 64),"
	    "  naam TEXT NOT NULL,"
	    "  omschrijving TEXT NOT NULL,"
	    "  eenheid TEXT NOT NULL,"
	    "  soort TEXT NOT NULL CHECK (soort IN ('aantal','bedrag','ratio')),"
	    "  richting TEXT NOT NULL"
	    "    CHECK (richting IN ('hoger_beter','lager_beter','neutraal')),"
	    "  noemer TEXT CHECK (noemer IN ('per_1000_inwoners')),"
	    "  bron TEXT NOT NULL) WITHOUT ROWID;"
	    "CREATE TABLE indicator_perioden ("
	    "  indicator TEXT NOT NULL REFERENCES indicatoren(id),"
	    "  periode TEXT NOT NULL,"
	    "  status TEXT NOT NULL CHECK (status IN ('voorlopig','definitief')),"
	    "  PRIMARY KEY (indicator, periode)) WITHOUT ROWID;"
	    "CREATE TABLE indicator_waarden ("
	    "  indicator TEXT NOT NULL,"
	    "  periode TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  waarde REAL NOT NULL,"
	    "  bron TEXT NOT NULL,"
	    "  PRIMARY KEY (indicator, periode, gemeente),"
	    "  FOREIGN KEY (indicator, periode)"
	    "    REFERENCES indicator_perioden(indicator, periode))"
	    "  WITHOUT ROWID;" },
	{ 5,
	    /* Pilots name the indicators they worked on. */
	    "ALTER TABLE pilots ADD COLUMN indicatoren TEXT NOT NULL"
	    "  DEFAULT '[]';"
	    "CREATE TABLE pilot_indicatoren ("
	    "  indicator TEXT NOT NULL,"
	    "  pilot INTEGER NOT NULL REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  PRIMARY KEY (indicator, pilot)) WITHOUT ROWID;" },
	{ 6,
	    /*
	     * Protected tables from uploads: never the upload itself. A
	     * withdrawn table keeps its row (without its cells) as a
	     * tombstone for federation.
	     */
	    "CREATE TABLE datasets ("
	    "  pk INTEGER PRIMARY KEY,"
	    "  id TEXT NOT NULL UNIQUE,"
	    "  origin TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  indicator TEXT NOT NULL REFERENCES indicatoren(id),"
	    "  periode TEXT NOT NULL,"
	    "  vorm TEXT NOT NULL CHECK (vorm IN ('tabel','microdata')),"
	    "  status TEXT NOT NULL"
	    "    CHECK (status IN ('concept','gepubliceerd','ingetrokken')),"
	    "  publiceerbaar INTEGER NOT NULL,"
	    "  rapport TEXT NOT NULL,"
	    "  tabel TEXT NOT NULL,"
	    "  versie INTEGER NOT NULL DEFAULT 1,"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  gewijzigd INTEGER NOT NULL);"
	    "CREATE INDEX datasets_indicator ON datasets(indicator, status);"
	    "CREATE INDEX datasets_gemeente ON datasets(gemeente, status);" },
	{ 7,
	    /*
	     * Federation (docs/federation.md). fed_entries is the feed: the
	     * latest signed entry per item, of this instance and of the
	     * origins it applied; seq only grows (AUTOINCREMENT never reuses).
	     * Triggers put this instance's changed public items in fed_outbox;
	     * fed_feed_flush() signs them into the feed.
	     */
	    "CREATE TABLE fed_entries ("
	    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	    "  origin TEXT NOT NULL,"
	    "  origin_seq INTEGER NOT NULL,"
	    "  kind TEXT NOT NULL,"
	    "  item TEXT NOT NULL,"
	    "  version INTEGER NOT NULL,"
	    "  deleted INTEGER NOT NULL,"
	    "  body TEXT NOT NULL,"
	    "  sig BLOB NOT NULL CHECK (length(sig) = 64),"
	    "  UNIQUE (origin, kind, item));"
	    /*
	     * No UNIQUE here: a trigger's OR IGNORE gives way to the
	     * conflict clause of the statement that fired it (an upsert's
	     * would fail). The flush takes each item once.
	     */
	    "CREATE TABLE fed_outbox ("
	    "  n INTEGER PRIMARY KEY,"
	    "  kind TEXT NOT NULL,"
	    "  item TEXT NOT NULL);"
	    "CREATE INDEX fed_outbox_item ON fed_outbox(kind, item);"
	    /* Other instances whose entries are trusted, with their keys. */
	    "CREATE TABLE fed_origins ("
	    "  uuid TEXT PRIMARY KEY,"
	    "  public_key BLOB NOT NULL CHECK (length(public_key) = 32),"
	    "  name TEXT NOT NULL DEFAULT '',"
	    "  base_url TEXT NOT NULL DEFAULT '',"
	    "  peer INTEGER) WITHOUT ROWID;"	/* pinned by; NULL: introduced */
	    "CREATE TABLE peers ("
	    "  id INTEGER PRIMARY KEY,"
	    "  url TEXT NOT NULL UNIQUE,"
	    "  public_key BLOB NOT NULL CHECK (length(public_key) = 32),"
	    "  relay INTEGER NOT NULL DEFAULT 0,"
	    "  interval INTEGER NOT NULL DEFAULT 60,"
	    "  instance TEXT,"
	    "  epoch TEXT,"
	    "  cursor INTEGER NOT NULL DEFAULT 0,"
	    "  last_success INTEGER,"
	    "  last_error TEXT,"
	    "  last_error_at INTEGER,"
	    "  applied INTEGER NOT NULL DEFAULT 0,"
	    "  ignored INTEGER NOT NULL DEFAULT 0,"
	    "  quarantined INTEGER NOT NULL DEFAULT 0,"
	    "  failures INTEGER NOT NULL DEFAULT 0,"
	    "  added INTEGER NOT NULL);"
	    "CREATE TABLE fed_quarantine ("
	    "  id INTEGER PRIMARY KEY,"
	    "  peer INTEGER NOT NULL REFERENCES peers(id) ON DELETE CASCADE,"
	    "  origin TEXT NOT NULL,"
	    "  kind TEXT NOT NULL,"
	    "  item TEXT NOT NULL,"
	    "  version INTEGER NOT NULL,"
	    "  reason TEXT NOT NULL,"
	    "  at INTEGER NOT NULL);"
	    "CREATE INDEX fed_quarantine_peer ON fed_quarantine(peer, id);"
	    /*
	     * A pilot's link rows are replaced by its pk on every write;
	     * without these, each write scanned every pilot's rows (a
	     * federated sync of 100,000 pilots slowed to 85 a second).
	     */
	    "CREATE INDEX pilot_tags_pilot ON pilot_tags(pilot);"
	    "CREATE INDEX pilot_richtlijnen_pilot ON pilot_richtlijnen(pilot);"
	    "CREATE INDEX pilot_indicatoren_pilot ON pilot_indicatoren(pilot);"
	    /*
	     * Tombstones are not in the search index, so the index's source
	     * leaves them out too: FTS5's integrity-check (meentctl check)
	     * compares the two, and a deleted pilot made it fail.
	     * pilot_store_fts_ahead() builds the same four texts in C (a
	     * text that differs is only tokenized again, not wrongly).
	     */
	    "DROP VIEW pilots_fts_src;"
	    "CREATE VIEW pilots_fts_src AS SELECT p.pk AS pk, p.titel AS titel,"
	    "  t.samenvatting AS samenvatting,"
	    "  t.vraag || char(10) || t.aanpak || char(10) || t.data || char(10)"
	    "  || t.resultaten || char(10) || t.lessen || char(10) || t.privacy"
	    "  AS tekst, p.tags AS tags"
	    "  FROM pilots p JOIN pilot_texts t ON t.pk = p.pk"
	    "  WHERE p.verwijderd IS NULL;"
	    /* Items applied from elsewhere carry their origin; NULL: here. */
	    "ALTER TABLE indicatoren ADD COLUMN origin TEXT;"
	    "ALTER TABLE richtlijn_adopties ADD COLUMN origin TEXT;"
	    /* The outbox: this instance's items only (origin = its uuid). */
	    "CREATE TRIGGER fed_pilot_ins AFTER INSERT ON pilots"
	    "  WHEN NEW.origin = (SELECT uuid FROM instance) BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('pilot', NEW.id); END;"
	    "CREATE TRIGGER fed_pilot_upd AFTER UPDATE ON pilots"
	    "  WHEN NEW.origin = (SELECT uuid FROM instance) BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('pilot', NEW.id); END;"
	    "CREATE TRIGGER fed_richtlijn_ins AFTER INSERT ON richtlijnen"
	    "  WHEN NEW.origin = (SELECT uuid FROM instance) BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('richtlijn', NEW.slug); END;"
	    "CREATE TRIGGER fed_richtlijn_upd AFTER UPDATE ON richtlijnen"
	    "  WHEN NEW.origin = (SELECT uuid FROM instance) BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('richtlijn', NEW.slug); END;"
	    "CREATE TRIGGER fed_versie_ins AFTER INSERT ON richtlijn_versies"
	    "  WHEN (SELECT origin FROM richtlijnen WHERE pk = NEW.richtlijn)"
	    "  = (SELECT uuid FROM instance) BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'richtlijnversie', slug || '/' || NEW.versie"
	    "  FROM richtlijnen WHERE pk = NEW.richtlijn; END;"
	    "CREATE TRIGGER fed_adoptie_ins AFTER INSERT ON richtlijn_adopties"
	    "  WHEN NEW.origin IS NULL BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'adoptie', slug || '/' || NEW.gemeente"
	    "  FROM richtlijnen WHERE pk = NEW.richtlijn; END;"
	    "CREATE TRIGGER fed_adoptie_upd AFTER UPDATE ON richtlijn_adopties"
	    "  WHEN NEW.origin IS NULL BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'adoptie', slug || '/' || NEW.gemeente"
	    "  FROM richtlijnen WHERE pk = NEW.richtlijn; END;"
	    "CREATE TRIGGER fed_adoptie_del AFTER DELETE ON richtlijn_adopties"
	    "  WHEN OLD.origin IS NULL BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'adoptie', slug || '/' || OLD.gemeente"
	    "  FROM richtlijnen WHERE pk = OLD.richtlijn; END;"
	    "CREATE TRIGGER fed_indicator_ins AFTER INSERT ON indicatoren"
	    "  WHEN NEW.origin IS NULL BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('indicator', NEW.id); END;"
	    "CREATE TRIGGER fed_indicator_upd AFTER UPDATE ON indicatoren"
	    "  WHEN NEW.origin IS NULL BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('indicator', NEW.id); END;"
	    "CREATE TRIGGER fed_periode_ins AFTER INSERT ON indicator_perioden"
	    "  WHEN (SELECT origin FROM indicatoren WHERE id = NEW.indicator)"
	    "  IS NULL BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('indicator', NEW.indicator); END;"
	    "CREATE TRIGGER fed_periode_upd AFTER UPDATE ON indicator_perioden"
	    "  WHEN (SELECT origin FROM indicatoren WHERE id = NEW.indicator)"
	    "  IS NULL BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('indicator', NEW.indicator); END;"
	    "CREATE TRIGGER fed_dataset_upd AFTER UPDATE OF status ON datasets"
	    "  WHEN NEW.origin = (SELECT uuid FROM instance) BEGIN"
	    "  INSERT INTO fed_outbox (kind, item)"
	    "  VALUES ('dataset', NEW.id); END;"
	    /* What existed before federation enters the feed too. */
	    "INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'indicator', id FROM indicatoren;"
	    "INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'richtlijnversie', r.slug || '/' || v.versie"
	    "  FROM richtlijn_versies v JOIN richtlijnen r ON r.pk = v.richtlijn"
	    "  ORDER BY r.pk, v.versie;"
	    "INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'richtlijn', slug FROM richtlijnen;"
	    "INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'adoptie', r.slug || '/' || a.gemeente"
	    "  FROM richtlijn_adopties a JOIN richtlijnen r ON r.pk = a.richtlijn;"
	    "INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'pilot', id FROM pilots ORDER BY pk;"
	    "INSERT INTO fed_outbox (kind, item)"
	    "  SELECT 'dataset', id FROM datasets WHERE status <> 'concept';" },
	{ 8,
	    /*
	     * The uploader's own report (rows, persons, counts per rule) is
	     * kept apart from the one everyone reads; reports stored before
	     * are moved there, and their public copy loses what narrowed a
	     * secret cell (docs/privacy.md).
	     */
	    "ALTER TABLE datasets ADD COLUMN rapport_eigen TEXT;"
	    "UPDATE datasets SET rapport_eigen = rapport,"
	    "  rapport = json_remove(rapport, '$.rijen', '$.onderdrukt',"
	    "  '$.controle.cellen', '$.controle.verruimd', '$.afronding')"
	    "  WHERE json_valid(rapport);" },
	{ 9,
	    /*
	     * For auditing a table together with the tables published before
	     * for the same population (dataset_linked.c): each cell's rule
	     * (private), and what was published, kept after a withdrawal
	     * (it was public; it stays known).
	     */
	    "ALTER TABLE datasets ADD COLUMN cel_regels TEXT;"
	    "ALTER TABLE datasets ADD COLUMN tabel_was TEXT;"
	    "UPDATE datasets SET tabel_was = tabel"
	    "  WHERE status = 'gepubliceerd';" },
	{ 10,
	    /*
	     * Public figures under a code that is no municipality today:
	     * CBS publishes each year in that year's boundaries, so a table
	     * holds the municipalities that merged since. Kept as imported,
	     * apart from indicator_waarden (whose codes are today's), so
	     * that no such value is shown as a successor's or counted in a
	     * comparison; comparison.c counts them per period.
	     */
	    "CREATE TABLE indicator_waarden_opgeheven ("
	    "  indicator TEXT NOT NULL,"
	    "  periode TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL,"
	    "  waarde REAL NOT NULL,"
	    "  bron TEXT NOT NULL,"
	    "  PRIMARY KEY (indicator, periode, gemeente),"
	    "  FOREIGN KEY (indicator, periode)"
	    "    REFERENCES indicator_perioden(indicator, periode))"
	    "  WITHOUT ROWID;" },
	{ 11,
	    /*
	     * One search over every kind (domain/search.c): search indexes
	     * for guidelines (the title and the newest revision's text),
	     * indicators (name and description) and municipality names, with
	     * the pilots' tokenizer, so that one query means the same in
	     * each. They are small and keep their own copy of the text.
	     * Triggers keep them in step with every write, whichever code
	     * makes it (the stores, federation, reference data); a guideline
	     * is indexed once its head revision is here.
	     */
	    "CREATE VIRTUAL TABLE richtlijnen_fts USING fts5(titel, tekst,"
	    "  tokenize='meent_nl');"
	    "CREATE VIRTUAL TABLE indicatoren_fts USING fts5(id UNINDEXED,"
	    "  naam, omschrijving, tokenize='meent_nl');"
	    "CREATE VIRTUAL TABLE gemeenten_fts USING fts5(code, naam,"
	    "  tokenize='meent_nl');"
	    "INSERT INTO richtlijnen_fts (rowid, titel, tekst)"
	    "  SELECT r.pk, r.titel, v.tekst FROM richtlijnen r"
	    "  JOIN richtlijn_versies v ON v.richtlijn = r.pk"
	    "  AND v.versie = r.head;"
	    "CREATE TRIGGER search_richtlijn_ins AFTER INSERT ON richtlijnen"
	    "  BEGIN"
	    "  INSERT INTO richtlijnen_fts (rowid, titel, tekst)"
	    "  SELECT NEW.pk, NEW.titel, v.tekst FROM richtlijn_versies v"
	    "  WHERE v.richtlijn = NEW.pk AND v.versie = NEW.head; END;"
	    "CREATE TRIGGER search_richtlijn_upd"
	    "  AFTER UPDATE OF titel, head ON richtlijnen BEGIN"
	    "  DELETE FROM richtlijnen_fts WHERE rowid = OLD.pk;"
	    "  INSERT INTO richtlijnen_fts (rowid, titel, tekst)"
	    "  SELECT NEW.pk, NEW.titel, v.tekst FROM richtlijn_versies v"
	    "  WHERE v.richtlijn = NEW.pk AND v.versie = NEW.head; END;"
	    "CREATE TRIGGER search_versie_ins AFTER INSERT ON richtlijn_versies"
	    "  WHEN NEW.versie = (SELECT head FROM richtlijnen"
	    "  WHERE pk = NEW.richtlijn) BEGIN"
	    "  DELETE FROM richtlijnen_fts WHERE rowid = NEW.richtlijn;"
	    "  INSERT INTO richtlijnen_fts (rowid, titel, tekst)"
	    "  SELECT pk, titel, NEW.tekst FROM richtlijnen"
	    "  WHERE pk = NEW.richtlijn; END;"
	    "INSERT INTO indicatoren_fts (id, naam, omschrijving)"
	    "  SELECT id, naam, omschrijving FROM indicatoren;"
	    "CREATE TRIGGER search_indicator_ins AFTER INSERT ON indicatoren"
	    "  BEGIN"
	    "  INSERT INTO indicatoren_fts (id, naam, omschrijving)"
	    "  VALUES (NEW.id, NEW.naam, NEW.omschrijving); END;"
	    "CREATE TRIGGER search_indicator_upd"
	    "  AFTER UPDATE OF id, naam, omschrijving ON indicatoren BEGIN"
	    "  DELETE FROM indicatoren_fts WHERE id = OLD.id;"
	    "  INSERT INTO indicatoren_fts (id, naam, omschrijving)"
	    "  VALUES (NEW.id, NEW.naam, NEW.omschrijving); END;"
	    "CREATE TRIGGER search_indicator_del AFTER DELETE ON indicatoren"
	    "  BEGIN DELETE FROM indicatoren_fts WHERE id = OLD.id; END;"
	    "INSERT INTO gemeenten_fts (code, naam)"
	    "  SELECT code, naam FROM gemeenten;"
	    "CREATE TRIGGER search_gemeente_ins AFTER INSERT ON gemeenten"
	    "  BEGIN INSERT INTO gemeenten_fts (code, naam)"
	    "  VALUES (NEW.code, NEW.naam); END;"
	    "CREATE TRIGGER search_gemeente_upd"
	    "  AFTER UPDATE OF code, naam ON gemeenten BEGIN"
	    "  DELETE FROM gemeenten_fts WHERE code = OLD.code;"
	    "  INSERT INTO gemeenten_fts (code, naam)"
	    "  VALUES (NEW.code, NEW.naam); END;"
	    "CREATE TRIGGER search_gemeente_del AFTER DELETE ON gemeenten"
	    "  BEGIN DELETE FROM gemeenten_fts WHERE code = OLD.code; END;" },
	{ 12,
	    /*
	     * Attachments of pilots (domain/attachment_store.c): one row per
	     * pilot and file; the file itself is <data>/bijlagen/<h[0:2]>/<h>,
	     * h its SHA-256. gemeente: who uploaded it (a federated row: the
	     * pilot's municipality).
	     */
	    "CREATE TABLE pilot_bijlagen ("
	    "  pilot TEXT NOT NULL REFERENCES pilots(id),"
	    "  hash TEXT NOT NULL CHECK (length(hash) = 64),"
	    "  grootte INTEGER NOT NULL CHECK (grootte > 0),"
	    "  type TEXT NOT NULL,"
	    "  naam TEXT NOT NULL CHECK (length(CAST(naam AS BLOB))"
	    "    BETWEEN 1 AND 200),"
	    "  gemeente TEXT NOT NULL,"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  PRIMARY KEY (pilot, hash)) WITHOUT ROWID;"
	    "CREATE INDEX pilot_bijlagen_hash ON pilot_bijlagen(hash);" },
	{ 13,
	    /*
	     * The outbox (domain/mail.c): every e-mail meent sends, kept
	     * until sent or given up. state is queued, sending (claimed by
	     * the sender; back to queued at start, so a crash loses none),
	     * sent or failed. headers are extra header lines ("Name: value",
	     * one a line), checked when queued. last_error never holds an
	     * address or a subject.
	     */
	    "CREATE TABLE mail_outbox ("
	    "  id INTEGER PRIMARY KEY,"
	    "  recipient TEXT NOT NULL,"
	    "  subject TEXT NOT NULL,"
	    "  text_body TEXT NOT NULL,"
	    "  html_body TEXT NOT NULL,"
	    "  headers TEXT NOT NULL DEFAULT '',"
	    "  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN"
	    "    ('queued', 'sending', 'sent', 'failed')),"
	    "  attempts INTEGER NOT NULL DEFAULT 0,"
	    "  next_attempt INTEGER NOT NULL,"
	    "  last_error TEXT,"
	    "  created INTEGER NOT NULL,"
	    "  sent INTEGER);"
	    "CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt);"
	    /*
	     * Password reset links (domain/password_reset.c): only the
	     * SHA-256 digest of the token is kept; used once, then marked.
	     */
	    "CREATE TABLE password_resets ("
	    "  digest BLOB PRIMARY KEY CHECK (length(digest) = 32),"
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    "  created INTEGER NOT NULL,"
	    "  expires INTEGER NOT NULL,"
	    "  used INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	    "CREATE INDEX password_resets_user ON password_resets(user_id);" },
	{ 14,
	    /*
	     * Guideline texts, messages and reasons with LF line ends, as
	     * they are written from now on (guideline_text_lf): texts from
	     * browsers came with CRLF, and a diff showed every line changed.
	     * CRLF first, then a lone CR. Revisions are append-only, yet
	     * rewriting their line ends here is safe: federation signs the
	     * entry's body (fed_sign.c, the SHA-256 of the JSON in
	     * fed_entries), not this row, and those bodies stay as they were
	     * signed, for relaying; richtlijn_versies is this instance's
	     * copy, which a peer's entry is applied to (made LF on the way
	     * in by guideline_store_put_revision) and our own entries are
	     * exported from only when a revision is inserted (the trigger is
	     * on INSERT: this UPDATE enqueues nothing; the search index's
	     * trigger is on INSERT as well, so its copy is updated here).
	     * The stored HTML and table of contents stay: cmark reads CRLF,
	     * CR and LF alike, so they are what the LF text renders to.
	     */
	    "UPDATE richtlijn_versies SET"
	    "  tekst = replace(replace(tekst, char(13, 10), char(10)),"
	    "    char(13), char(10)),"
	    "  bericht = replace(replace(bericht, char(13, 10), char(10)),"
	    "    char(13), char(10))"
	    "  WHERE instr(tekst, char(13)) > 0 OR instr(bericht, char(13)) > 0;"
	    "UPDATE richtlijn_voorstellen SET"
	    "  tekst = replace(replace(tekst, char(13, 10), char(10)),"
	    "    char(13), char(10)),"
	    "  bericht = replace(replace(bericht, char(13, 10), char(10)),"
	    "    char(13), char(10)),"
	    "  reden = replace(replace(reden, char(13, 10), char(10)),"
	    "    char(13), char(10))"
	    "  WHERE instr(tekst, char(13)) > 0 OR instr(bericht, char(13)) > 0"
	    "  OR instr(reden, char(13)) > 0;"
	    /* The search index's copy of the newest text (migration 11). */
	    "UPDATE richtlijnen_fts SET"
	    "  tekst = replace(replace(tekst, char(13, 10), char(10)),"
	    "    char(13), char(10))"
	    "  WHERE instr(tekst, char(13)) > 0;" },
	{ 15,
	    /*
	     * Files no row names any more, to be removed from the disk
	     * (attachment_store_gc): every removed row of pilot_bijlagen
	     * puts its hash here, whichever way it went (a removal, a
	     * deleted pilot, a federated list that changed), and the removal
	     * of the file checks, under the lock that adding one takes too,
	     * that still nothing names it. A deleted pilot keeps no
	     * attachments (pilot_store_delete): those of pilots deleted
	     * before go now.
	     */
	    "CREATE TABLE IF NOT EXISTS bijlagen_weg (hash TEXT PRIMARY KEY)"
	    " WITHOUT ROWID;"
	    "CREATE TRIGGER IF NOT EXISTS pilot_bijlagen_weg AFTER DELETE ON"
	    " pilot_bijlagen"
	    " BEGIN INSERT OR IGNORE INTO bijlagen_weg (hash)"
	    "  VALUES (old.hash); END;"
	    "DELETE FROM pilot_bijlagen WHERE pilot IN"
	    " (SELECT id FROM pilots WHERE verwijderd IS NOT NULL);" },
	{ 16,
	    /*
	     * Accounts on the web (invitation.c, invitation_request.c,
	     * user_store.c). A user's last login is noted by a trigger on
	     * sessions, so every way of signing in (the login form, an
	     * accepted invitation) counts; in a table of its own, so that
	     * this migration can run again over itself (IF NOT EXISTS
	     * throughout; t_diffs.py sets the version back). An invitation
	     * is a one-time link like a password reset: only its SHA-256
	     * digest is kept, with the address, municipality and role it
	     * makes an account for. An access request lives only while it is
	     * open: deciding deletes it, and it expires after 30 days.
	     */
	    "CREATE TABLE IF NOT EXISTS user_logins ("
	    "  user_id INTEGER PRIMARY KEY REFERENCES users(id)"
	    "    ON DELETE CASCADE,"
	    "  last INTEGER NOT NULL);"
	    "CREATE TRIGGER IF NOT EXISTS users_last_login AFTER INSERT"
	    "  ON sessions BEGIN INSERT OR REPLACE INTO user_logins"
	    "  (user_id, last) VALUES (NEW.user_id, NEW.created); END;"
	    "CREATE INDEX IF NOT EXISTS users_gemeente ON users(gemeente);"
	    "CREATE TABLE IF NOT EXISTS invitations ("
	    "  id INTEGER PRIMARY KEY,"
	    "  digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),"
	    "  email TEXT NOT NULL COLLATE NOCASE,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  role TEXT NOT NULL CHECK (role IN ('viewer','editor','admin')),"
	    "  invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	    "  created INTEGER NOT NULL,"
	    "  expires INTEGER NOT NULL,"
	    "  state TEXT NOT NULL DEFAULT 'open'"
	    "    CHECK (state IN ('open','used','cancelled')));"
	    "CREATE INDEX IF NOT EXISTS invitations_gemeente ON"
	    "  invitations(gemeente, state);"
	    "CREATE TABLE IF NOT EXISTS access_requests ("
	    "  id INTEGER PRIMARY KEY,"
	    "  email TEXT NOT NULL COLLATE NOCASE,"
	    "  naam TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  reden TEXT NOT NULL,"
	    "  created INTEGER NOT NULL,"
	    "  expires INTEGER NOT NULL);"
	    "CREATE INDEX IF NOT EXISTS access_requests_gemeente ON"
	    "  access_requests(gemeente, expires);" },
	{ 17,
	    /*
	     * People around pilots (issue 16): contact persons
	     * (domain/contact.c), reactions on pilots and follow-ups
	     * (domain/reaction.c, reaction_followup.c).
	     *
	     * A contact person is a user's offer to be asked: for the
	     * municipality (soort 'gemeente'), a domain, or one of its
	     * pilots. Shown to signed-in members unless openbaar is 1.
	     * Removed with the account (ON DELETE CASCADE) and when the
	     * account is disabled (the trigger, whichever code disables).
	     * IF NOT EXISTS throughout: a test sets the version back to run
	     * an earlier migration again.
	     */
	    "CREATE TABLE IF NOT EXISTS contactpersonen ("
	    "  id INTEGER PRIMARY KEY,"
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    "  gemeente TEXT NOT NULL REFERENCES gemeenten(code),"
	    "  soort TEXT NOT NULL CHECK (soort IN ('gemeente','domein','pilot')),"
	    "  domein TEXT NOT NULL DEFAULT '',"
	    "  pilot INTEGER REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  naam TEXT NOT NULL,"
	    "  functie TEXT NOT NULL,"
	    "  email TEXT NOT NULL,"
	    "  hulp TEXT NOT NULL,"
	    "  openbaar INTEGER NOT NULL DEFAULT 0 CHECK (openbaar IN (0, 1)),"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  CHECK ((soort = 'pilot') = (pilot IS NOT NULL)),"
	    "  CHECK ((soort = 'domein') = (domein <> '')));"
	    "CREATE UNIQUE INDEX IF NOT EXISTS contactpersonen_een"
	    "  ON contactpersonen"
	    "  (user_id, soort, domein, coalesce(pilot, 0));"
	    "CREATE INDEX IF NOT EXISTS contactpersonen_gemeente"
	    "  ON contactpersonen(gemeente);"
	    "CREATE INDEX IF NOT EXISTS contactpersonen_pilot"
	    "  ON contactpersonen(pilot);"
	    "CREATE INDEX IF NOT EXISTS contactpersonen_domein"
	    "  ON contactpersonen(domein);"
	    "CREATE TRIGGER IF NOT EXISTS contactpersonen_disabled"
	    "  AFTER UPDATE OF disabled"
	    "  ON users WHEN NEW.disabled <> 0 BEGIN"
	    "  DELETE FROM contactpersonen WHERE user_id = NEW.id; END;"
	    /*
	     * Reactions on pilots: a question, a reaction, "wij doen dit
	     * ook", or an answer to one of these (ouder). zichtbaarheid is
	     * the pilot's when it was written (a reaction on a members-only
	     * pilot stays members-only). The author is user_id (the name is
	     * read from users, so it goes with the account) and gemeente.
	     * A hidden reaction is kept: verborgen (when), verborgen_door
	     * (the editor), verborgen_reden. uuid names it between
	     * instances; origin is the instance it came from (NULL: here).
	     * Public reactions made here enter the federation outbox
	     * (kind reactie, docs/federation.md); hiding one makes its
	     * entry a tombstone.
	     */
	    "CREATE TABLE IF NOT EXISTS pilot_reacties ("
	    "  id INTEGER PRIMARY KEY,"
	    "  uuid TEXT NOT NULL UNIQUE,"
	    "  origin TEXT,"
	    "  pilot INTEGER NOT NULL REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  ouder INTEGER REFERENCES pilot_reacties(id) ON DELETE CASCADE,"
	    "  soort TEXT NOT NULL"
	    "    CHECK (soort IN ('vraag','reactie','ookhier','antwoord')),"
	    "  tekst TEXT NOT NULL,"
	    "  html TEXT NOT NULL,"
	    "  gemeente TEXT NOT NULL,"
	    "  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	    "  zichtbaarheid TEXT NOT NULL"
	    "    CHECK (zichtbaarheid IN ('openbaar','leden')),"
	    "  verborgen INTEGER,"
	    "  verborgen_door INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	    "  verborgen_reden TEXT,"
	    "  aangemaakt INTEGER NOT NULL);"
	    "CREATE INDEX IF NOT EXISTS pilot_reacties_pilot"
	    "  ON pilot_reacties(pilot, id);"
	    "CREATE TRIGGER IF NOT EXISTS fed_reactie_ins"
	    "  AFTER INSERT ON pilot_reacties"
	    "  WHEN NEW.origin IS NULL AND NEW.zichtbaarheid = 'openbaar' BEGIN"
	    "  INSERT INTO fed_outbox (kind, item) VALUES ('reactie', NEW.uuid);"
	    "  END;"
	    "CREATE TRIGGER IF NOT EXISTS fed_reactie_upd"
	    "  AFTER UPDATE OF verborgen"
	    "  ON pilot_reacties WHEN NEW.origin IS NULL AND"
	    "  NEW.zichtbaarheid = 'openbaar' BEGIN"
	    "  INSERT INTO fed_outbox (kind, item) VALUES ('reactie', NEW.uuid);"
	    "  END;"
	    /* A municipality's own pilot that follows another (navolging). */
	    "CREATE TABLE IF NOT EXISTS pilot_navolgingen ("
	    "  pilot INTEGER NOT NULL REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  bron INTEGER NOT NULL REFERENCES pilots(pk) ON DELETE CASCADE,"
	    "  aangemaakt INTEGER NOT NULL,"
	    "  PRIMARY KEY (pilot, bron), CHECK (pilot <> bron)) WITHOUT ROWID;"
	    "CREATE INDEX IF NOT EXISTS pilot_navolgingen_bron"
	    "  ON pilot_navolgingen(bron);" },
	{ 18,
	    /*
	     * A municipality's pilots, newest first, without reading the
	     * table: its page lists them, and the start page takes the
	     * newest of its 15 most similar municipalities (pilot_store_peers,
	     * gemeente IN (...)), which through pilots_gemeente read one
	     * table row per pilot of all 15 (about 4,400 at 100,000 pilots,
	     * 10 ms or more). Covering what those queries filter on, it
	     * replaces pilots_gemeente (its first column is the same). IF
	     * (NOT) EXISTS: a test sets the version back to run it again.
	     */
	    "CREATE INDEX IF NOT EXISTS pilots_gemeente_nieuw ON pilots(gemeente,"
	    "  aangemaakt DESC, zichtbaarheid, verwijderd);"
	    "DROP INDEX IF EXISTS pilots_gemeente;" },
	{ 19,
	    /*
	     * Notifications (domain/notify*.c). notify_prefs: per user and
	     * kind how (niet, direct, wekelijks) and since when; a missing
	     * row is the kind's default. notify_filters: a user's saved
	     * pilot filters (NULL: any). notify_events: what happened, once
	     * per (kind, ref) -- the triggers below record published pilots,
	     * revisions and proposals inside the write's own transaction, so
	     * a second write of the same pilot is not a second event;
	     * dispatched is set when the direct mails are queued.
	     * notify_sent: who got an event by direct mail (never twice).
	     * notify_tokens: unsubscribe links, SHA-256 digest only.
	     * notify_digests: when a user's last weekly digest went out.
	     */
	    "CREATE TABLE IF NOT EXISTS notify_prefs ("
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    "  kind TEXT NOT NULL,"
	    "  mode TEXT NOT NULL CHECK (mode IN ('niet','direct','wekelijks')),"
	    "  since INTEGER NOT NULL,"
	    "  PRIMARY KEY (user_id, kind)) WITHOUT ROWID;"
	    "CREATE INDEX IF NOT EXISTS notify_prefs_mode ON"
	    "  notify_prefs(kind, mode);"
	    "CREATE TABLE IF NOT EXISTS notify_filters ("
	    "  id INTEGER PRIMARY KEY,"
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    "  grootteklasse INTEGER CHECK (grootteklasse BETWEEN 1 AND 8),"
	    "  domein TEXT,"
	    "  provincie TEXT,"
	    "  created INTEGER NOT NULL,"
	    "  UNIQUE (user_id, grootteklasse, domein, provincie));"
	    "CREATE TABLE IF NOT EXISTS notify_events ("
	    "  id INTEGER PRIMARY KEY,"
	    "  kind TEXT NOT NULL,"
	    "  ref TEXT NOT NULL,"
	    "  gemeente TEXT,"
	    "  titel TEXT NOT NULL DEFAULT '',"
	    "  pad TEXT NOT NULL DEFAULT '',"
	    "  created INTEGER NOT NULL,"
	    "  dispatched INTEGER NOT NULL DEFAULT 0,"
	    "  UNIQUE (kind, ref));"
	    "CREATE INDEX IF NOT EXISTS notify_events_due ON"
	    "  notify_events(dispatched) WHERE dispatched = 0;"
	    "CREATE INDEX IF NOT EXISTS notify_events_created ON"
	    "  notify_events(created);"
	    "CREATE TABLE IF NOT EXISTS notify_sent ("
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    "  event INTEGER NOT NULL REFERENCES notify_events(id)"
	    "    ON DELETE CASCADE,"
	    "  PRIMARY KEY (user_id, event)) WITHOUT ROWID;"
	    "CREATE TABLE IF NOT EXISTS notify_tokens ("
	    "  digest BLOB PRIMARY KEY CHECK (length(digest) = 32),"
	    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	    "  kind TEXT NOT NULL,"
	    "  expires INTEGER NOT NULL) WITHOUT ROWID;"
	    "CREATE INDEX IF NOT EXISTS notify_tokens_user ON"
	    "  notify_tokens(user_id);"
	    "CREATE TABLE IF NOT EXISTS notify_digests ("
	    "  user_id INTEGER PRIMARY KEY REFERENCES users(id)"
	    "    ON DELETE CASCADE,"
	    "  last INTEGER NOT NULL);"
	    /* A pilot others may see, for the first time. */
	    "CREATE TRIGGER IF NOT EXISTS notify_pilot_insert AFTER INSERT ON"
	    " pilots WHEN new.zichtbaarheid <> 'concept'"
	    " AND new.verwijderd IS NULL"
	    " BEGIN INSERT OR IGNORE INTO notify_events (kind, ref, gemeente,"
	    "  titel, pad, created) VALUES ('pilots', new.id, new.gemeente,"
	    "  new.titel, '/pilots/' || new.id, unixepoch()); END;"
	    "CREATE TRIGGER IF NOT EXISTS notify_pilot_update AFTER UPDATE OF"
	    " zichtbaarheid ON pilots WHEN new.zichtbaarheid <> 'concept'"
	    " AND new.verwijderd IS NULL"
	    " BEGIN INSERT OR IGNORE INTO notify_events (kind, ref, gemeente,"
	    "  titel, pad, created) VALUES ('pilots', new.id, new.gemeente,"
	    "  new.titel, '/pilots/' || new.id, unixepoch()); END;"
	    /* A guideline's new revision (not its first: that is no news). */
	    "CREATE TRIGGER IF NOT EXISTS notify_revision AFTER INSERT ON"
	    " richtlijn_versies WHEN new.versie > 1"
	    " BEGIN INSERT OR IGNORE INTO notify_events (kind, ref, gemeente,"
	    "  titel, pad, created) SELECT 'revisies',"
	    "  g.pk || ':' || new.versie, new.gemeente, new.titel,"
	    "  '/richtlijnen/' || g.slug || '/versies/' || new.versie,"
	    "  unixepoch() FROM richtlijnen g WHERE g.pk = new.richtlijn; END;"
	    "CREATE TRIGGER IF NOT EXISTS notify_proposal AFTER INSERT ON"
	    " richtlijn_voorstellen"
	    " BEGIN INSERT OR IGNORE INTO notify_events (kind, ref, gemeente,"
	    "  titel, pad, created) SELECT 'voorstellen',"
	    "  g.pk || ':' || new.pk, new.gemeente, g.titel,"
	    "  '/richtlijnen/' || g.slug || '/voorstellen/' || new.pk,"
	    "  unixepoch() FROM richtlijnen g WHERE g.pk = new.richtlijn; END;" },
	{ 20,
	    /*
	     * A list's facet counts (pilot_store_counts: GROUP BY domain,
	     * status, size class, over everything a visitor may see that
	     * matches the filters) from the index alone. Through pilots_domein
	     * they read one table row per pilot and sorted them for the
	     * GROUP BY: 160 ms for the counts without a domain at 100,000
	     * pilots, which /pilots?domein=... makes (each facet counts with
	     * the other filters only); covering, in the GROUP BY's order,
	     * 20 ms. Its columns: every one that WHERE filters on but the
	     * search (pk, the rowid, is in every index); the counts read it
	     * for a status, size class or province too (pilot_store_where).
	     */
	    "CREATE INDEX IF NOT EXISTS pilots_facets ON pilots(domein, status,"
	    "  grootteklasse, provincie, zichtbaarheid, gemeente, verwijderd);" },
};

int
migrate_latest(void)
{
	return migrations[nitems(migrations) - 1].version;
}

static int
migrate_user_version(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA user_version");
	int v = -1;

	if (st != NULL && db_step_row(db, st, "user_version") == 1)
		v = sqlite3_column_int(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	return v;
}

/*
 * Bring the schema up to date. Returns 0, or -1 with *err (caller frees).
 */
int
migrate_apply(struct db *db, char **err)
{
	int have = migrate_user_version(db);

	if (have < 0) {
		*err = xasprintf("cannot read the schema version");
		return -1;
	}
	if (have > migrate_latest()) {
		*err = xasprintf("the database has schema version %d, newer "
		    "than this meent (%d): install the newer meent, or restore "
		    "a backup made by this version", have, migrate_latest());
		return -1;
	}
	for (size_t i = 0; i < nitems(migrations); i++) {
		const struct migration *m = &migrations[i];
		char *set;

		if (m->version <= have)
			continue;
		if (db_begin(db) == -1) {
			*err = xasprintf("migration %d: cannot begin", m->version);
			return -1;
		}
		set = xasprintf("PRAGMA user_version = %d", m->version);
		if (db_exec(db, m->sql) == -1 || db_exec(db, set) == -1 ||
		    db_commit(db) == -1) {
			free(set);
			db_rollback(db);
			*err = xasprintf("migration %d failed", m->version);
			return -1;
		}
		free(set);
		log_emit(LOG_INFO, "db.migrate", "schema now at version %d",
		    m->version);
	}
	return 0;
}
