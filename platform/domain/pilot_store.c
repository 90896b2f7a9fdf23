/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Pilots in the database: read, write (with the search index and the tag
 * table in the same transaction), lists with filters, facets and search.
 *
 * Visibility is part of every read query, never checked afterwards:
 * openbaar for everyone, leden for signed-in users of this instance,
 * concept for the pilot's own municipality only.
 *
 * The search index (pilots_fts) is an FTS5 table over the view
 * pilots_fts_src, so the text is stored once; writes keep it in step by
 * removing a row's old terms before the row changes and adding the new ones
 * after, inside the writing transaction.
 */
#include "domain/domain.h"

#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include <event2/buffer.h>

#define PILOT_COLUMNS \
	"p.pk, p.id, p.origin, p.gemeente, p.provincie, p.grootteklasse, " \
	"p.versie, p.zichtbaarheid, p.verwijderd, p.titel, t.samenvatting, " \
	"p.domein, p.status, p.start, p.einde, t.vraag, p.aanvrager, " \
	"t.stakeholders, p.tags, t.contact, t.aanpak, t.aanpak_html, " \
	"t.data, t.data_html, t.resultaten, t.resultaten_html, t.lessen, " \
	"t.lessen_html, t.privacy, t.privacy_html, p.voorbeeld, " \
	"p.aangemaakt, p.gewijzigd, p.richtlijnen, p.indicatoren"
#define PILOT_FROM " FROM pilots p JOIN pilot_texts t ON t.pk = p.pk"

static char *
pilot_store_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

static json_t *
pilot_store_json_list(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *v = s != NULL ? json_loads(s, 0, NULL) : NULL;

	return json_is_array(v) ? v : (json_decref(v), json_array());
}

/* Fill p from a row of PILOT_COLUMNS. */
static void
pilot_store_row(sqlite3_stmt *st, struct pilot *p)
{
	memset(p, 0, sizeof *p);
	p->pk = (long)sqlite3_column_int64(st, 0);
	snprintf(p->id, sizeof p->id, "%s", sqlite3_column_text(st, 1));
	snprintf(p->origin, sizeof p->origin, "%s", sqlite3_column_text(st, 2));
	snprintf(p->gemeente, sizeof p->gemeente, "%s",
	    sqlite3_column_text(st, 3));
	snprintf(p->provincie, sizeof p->provincie, "%s",
	    sqlite3_column_text(st, 4));
	p->grootteklasse = sqlite3_column_int(st, 5);
	p->versie = (long)sqlite3_column_int64(st, 6);
	p->zichtbaarheid = pilot_store_text(st, 7);
	p->deleted = sqlite3_column_type(st, 8) != SQLITE_NULL;
	p->titel = pilot_store_text(st, 9);
	p->samenvatting = pilot_store_text(st, 10);
	p->domein = pilot_store_text(st, 11);
	p->status = pilot_store_text(st, 12);
	p->start = pilot_store_text(st, 13);
	p->einde = pilot_store_text(st, 14);
	p->vraag = pilot_store_text(st, 15);
	p->aanvrager = pilot_store_text(st, 16);
	p->stakeholders = pilot_store_json_list(st, 17);
	p->tags = pilot_store_json_list(st, 18);
	p->contact = pilot_store_text(st, 19);
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		p->md[i] = pilot_store_text(st, 20 + 2 * i);
		p->html[i] = pilot_store_text(st, 21 + 2 * i);
	}
	p->voorbeeld = sqlite3_column_int(st, 30) != 0;
	p->aangemaakt = (time_t)sqlite3_column_int64(st, 31);
	p->gewijzigd = (time_t)sqlite3_column_int64(st, 32);
	p->richtlijnen = pilot_store_json_list(st, 33);
	p->indicatoren = pilot_store_json_list(st, 34);
}

/*
 * The pilot with this id, tombstones included (p->deleted). Returns 0,
 * MEENT_NOTFOUND or -1. The caller decides visibility.
 */
int
pilot_store_get(struct db *db, const char *id, struct pilot *p)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PILOT_COLUMNS PILOT_FROM
	    " WHERE p.id = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "pilot_store_get");
	if (rc == 1)
		pilot_store_row(st, p);
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? MEENT_NOTFOUND : -1;
}

/*
 * May a caller (member: signed in here; own: its municipality) see a pilot
 * of gemeente with this visibility?
 */
bool
pilot_store_visible(const char *gemeente, const char *zichtbaarheid,
    bool member, const char *own)
{
	if (own != NULL && strcmp(gemeente, own) == 0)
		return true;
	if (strcmp(zichtbaarheid, "openbaar") == 0)
		return true;
	return member && strcmp(zichtbaarheid, "leden") == 0;
}

/*
 * Deferred index rows. Federation applies a page of pilots in one
 * transaction, each entry in a savepoint, and FTS5 writes out its pending
 * index data at every savepoint: a quarter of a sync's time. While a page
 * is applied, new index rows wait here and are added once at its end.
 * Per thread: only the thread applying the page defers.
 */
static int	pilot_store_fts(struct db *, long, bool);

static _Thread_local struct {
	bool	 on;
	long	*pk;
	size_t	 n, cap;
	/* Tokens made ahead for the page (borrowed until the flush). */
	const struct fts_ahead **ahead;
	size_t	 nahead, capahead;
} pilot_fts_later;

/* Start deferring this thread's index rows. */
void
pilot_store_fts_defer(void)
{
	pilot_fts_later.on = true;
	pilot_fts_later.n = 0;
	pilot_fts_later.nahead = 0;
}

/* Before an entry: a copy of the waiting rows (its savepoint may go). */
void
pilot_store_fts_save(struct pilot_fts_mark *m)
{
	m->n = pilot_fts_later.n;
	m->pk = m->n > 0 ? xreallocarray(NULL, m->n, sizeof (long)) : NULL;
	if (m->n > 0)
		memcpy(m->pk, pilot_fts_later.pk, m->n * sizeof (long));
}

/* The entry's savepoint was rolled back: the rows as they were before. */
void
pilot_store_fts_restore(struct pilot_fts_mark *m)
{
	if (m->n > 0)
		memcpy(pilot_fts_later.pk, m->pk, m->n * sizeof (long));
	pilot_fts_later.n = m->n;
	pilot_store_fts_forget(m);
}

void
pilot_store_fts_forget(struct pilot_fts_mark *m)
{
	free(m->pk);
	m->pk = NULL;
	m->n = 0;
}

/*
 * The search texts of p as the view pilots_fts_src gives them (migrate.c:
 * titel, samenvatting, tekst: vraag and the sections joined by newlines,
 * tags as stored), tokenized now (fts_ahead.c): a thread that prepares a
 * pilot for the writer does this part of its indexing. Caller frees.
 * A text that differs from the view's is only tokenized again.
 */
struct fts_ahead *
pilot_store_fts_ahead(const struct pilot *p)
{
	struct fts_ahead *a = fts_ahead_new();
	struct evbuffer *tekst = evbuffer_new();
	char *tags = p->tags != NULL ? json_dumps(p->tags, JSON_COMPACT) : NULL;
	bool joined = p->vraag != NULL;

	if (p->titel != NULL)
		fts_ahead_add(a, p->titel, strlen(p->titel));
	if (p->samenvatting != NULL)
		fts_ahead_add(a, p->samenvatting, strlen(p->samenvatting));
	if (joined)
		evbuffer_add(tekst, p->vraag, strlen(p->vraag));
	for (int i = 0; i < PILOT_NSECTIONS && joined; i++)
		if ((joined = p->md[i] != NULL)) {
			evbuffer_add(tekst, "\n", 1);
			evbuffer_add(tekst, p->md[i], strlen(p->md[i]));
		}
	if (joined)	/* || of a NULL is NULL: no text */
		fts_ahead_add(a, (const char *)evbuffer_pullup(tekst, -1),
		    evbuffer_get_length(tekst));
	if (tags != NULL)
		fts_ahead_add(a, tags, strlen(tags));
	free(tags);
	evbuffer_free(tekst);
	return a;
}

/* While deferring: a's texts are replayed at the flush (a borrowed). */
void
pilot_store_fts_ahead_use(const struct fts_ahead *a)
{
	if (!pilot_fts_later.on || a == NULL)
		return;
	if (pilot_fts_later.nahead == pilot_fts_later.capahead) {
		pilot_fts_later.capahead = pilot_fts_later.capahead * 2 + 64;
		pilot_fts_later.ahead = xreallocarray(pilot_fts_later.ahead,
		    pilot_fts_later.capahead, sizeof *pilot_fts_later.ahead);
	}
	pilot_fts_later.ahead[pilot_fts_later.nahead++] = a;
}

/*
 * Stop deferring; add the waiting rows (inside the page's transaction) in
 * one statement: FTS5 also writes out its pending data at the end of each
 * statement that writes it, so a statement per row made a segment per row
 * (and the merging of them): a third of a sync's time.
 */
int
pilot_store_fts_flush(struct db *db)
{
	struct evbuffer *list = evbuffer_new();
	sqlite3_stmt *st;
	int rc = 0;

	pilot_fts_later.on = false;
	if (pilot_fts_later.n > 0) {
		evbuffer_add(list, "[", 1);
		for (size_t i = 0; i < pilot_fts_later.n; i++)
			evbuffer_add_printf(list, "%s%ld", i > 0 ? "," : "",
			    pilot_fts_later.pk[i]);
		evbuffer_add(list, "]", 1);
		st = db_stmt(db, "INSERT INTO pilots_fts(rowid, titel,"
		    " samenvatting, tekst, tags) SELECT pk, titel, samenvatting,"
		    " tekst, tags FROM pilots_fts_src WHERE pk IN (SELECT value"
		    " FROM json_each(?1))");
		if (st == NULL)
			rc = -1;
		else {
			sqlite3_bind_text(st, 1, (const char *)evbuffer_pullup(
			    list, -1), (int)evbuffer_get_length(list),
			    SQLITE_STATIC);
			fts_ahead_use(pilot_fts_later.ahead,
			    pilot_fts_later.nahead);
			rc = db_step_done(db, st, "pilot_store_fts_flush");
			fts_ahead_use(NULL, 0);
		}
	}
	evbuffer_free(list);
	pilot_store_fts_cancel();	/* nothing stays in thread storage */
	return rc;
}

/* Stop deferring and forget (the page was rolled back). */
void
pilot_store_fts_cancel(void)
{
	pilot_fts_later.on = false;
	pilot_fts_later.n = 0;
	free(pilot_fts_later.pk);
	pilot_fts_later.pk = NULL;
	pilot_fts_later.cap = 0;
	free(pilot_fts_later.ahead);
	pilot_fts_later.ahead = NULL;
	pilot_fts_later.nahead = pilot_fts_later.capahead = 0;
}

/*
 * While deferring: an add waits (once per pilot); a remove of a row that
 * waits drops it, since it is not in the index yet. True when handled.
 */
static bool
pilot_store_fts_later(long pk, bool remove)
{
	size_t i;

	if (!pilot_fts_later.on)
		return false;
	for (i = 0; i < pilot_fts_later.n && pilot_fts_later.pk[i] != pk; i++)
		;
	if (remove) {
		if (i == pilot_fts_later.n)
			return false;	/* indexed before this page: delete */
		memmove(&pilot_fts_later.pk[i], &pilot_fts_later.pk[i + 1],
		    (pilot_fts_later.n - i - 1) * sizeof (long));
		pilot_fts_later.n--;
		return true;
	}
	if (i == pilot_fts_later.n) {
		if (pilot_fts_later.n == pilot_fts_later.cap) {
			pilot_fts_later.cap = pilot_fts_later.cap * 2 + 64;
			pilot_fts_later.pk = xreallocarray(pilot_fts_later.pk,
			    pilot_fts_later.cap, sizeof (long));
		}
		pilot_fts_later.pk[pilot_fts_later.n++] = pk;
	}
	return true;
}

/*
 * In a worker's batch (db_batch_open) the index rows wait in a table of
 * the connection's own (temp, in memory) and are added in one statement
 * just before the batch commits (db_before_commit): FTS5 writes out its
 * pending data at the start of every statement that writes it, so one
 * statement per pilot made one segment per pilot (and the merging of
 * them) in every batch.
 * The table is part of the transaction: a request's savepoint rolled back
 * takes its waiting rows with it, and a remove of a row that waits drops
 * it, as above. (The thread storage above serves federation, whose pages
 * are not batches.)
 */
static int
pilot_store_fts_batch_flush(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO pilots_fts(rowid, titel,"
	    " samenvatting, tekst, tags) SELECT pk, titel, samenvatting, tekst,"
	    " tags FROM pilots_fts_src WHERE pk IN (SELECT pk FROM"
	    " temp.pilots_fts_waiting)");

	if (st == NULL || db_step_done(db, st, "pilot_store_fts_batch") == -1)
		return -1;
	st = db_stmt(db, "DELETE FROM temp.pilots_fts_waiting");
	return st == NULL ? -1 : db_step_done(db, st, "pilot_store_fts_batch");
}

/* 1 when handled here (the row waits, or waited and is dropped), 0, -1. */
static int
pilot_store_fts_batch(struct db *db, long pk, bool remove)
{
	sqlite3_stmt *st;

	if (!db_batch_open(db))
		return 0;
	/* Once per connection (a fresh one after db_recover: again). */
	if (db_exists(db, "SELECT 1 FROM temp.sqlite_schema WHERE name ="
	    " 'pilots_fts_waiting'", NULL) == 0 && db_exec(db, "CREATE TEMP"
	    " TABLE pilots_fts_waiting (pk INTEGER PRIMARY KEY)") == -1)
		return -1;
	st = db_stmt(db, remove ? "DELETE FROM temp.pilots_fts_waiting WHERE"
	    " pk = ?1" : "INSERT OR IGNORE INTO temp.pilots_fts_waiting (pk)"
	    " VALUES (?1)");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	if (db_step_done(db, st, "pilot_store_fts_batch") == -1)
		return -1;
	if (remove)	/* indexed before this batch: delete it now */
		return sqlite3_changes(db_handle(db)) > 0 ? 1 : 0;
	return db_before_commit(db, pilot_store_fts_batch_flush) == -1 ? -1 : 1;
}

static int
pilot_store_fts(struct db *db, long pk, bool remove)
{
	static const char *const add = "INSERT INTO pilots_fts(rowid, titel,"
	    " samenvatting, tekst, tags) SELECT pk, titel, samenvatting, tekst,"
	    " tags FROM pilots_fts_src WHERE pk = ?1";
	static const char *const del = "INSERT INTO pilots_fts(pilots_fts,"
	    " rowid, titel, samenvatting, tekst, tags) SELECT 'delete', pk,"
	    " titel, samenvatting, tekst, tags FROM pilots_fts_src WHERE pk = ?1";
	sqlite3_stmt *st;
	int rc;

	if (pilot_store_fts_later(pk, remove))
		return 0;
	if ((rc = pilot_store_fts_batch(db, pk, remove)) != 0)
		return rc == 1 ? 0 : -1;
	if ((st = db_stmt(db, remove ? del : add)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	return db_step_done(db, st, "pilot_store_fts");
}

static int
pilot_store_tags(struct db *db, const struct pilot *p)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM pilot_tags WHERE pilot = ?1");
	json_t *t;
	size_t i;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->pk);
	if (db_step_done(db, st, "pilot_store_tags") == -1)
		return -1;
	json_array_foreach(p->tags, i, t) {
		st = db_stmt(db, "INSERT OR IGNORE INTO pilot_tags (tag, pilot)"
		    " VALUES (?1, ?2)");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, json_string_value(t), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, p->pk);
		if (db_step_done(db, st, "pilot_store_tags") == -1)
			return -1;
	}
	return 0;
}

/*
 * The :named parameters of a pilot's statements, sorted by name (bsearch),
 * and where each one's value is in struct pilot. A statement's parameters
 * are looked up here one by one: asking SQLite for the index of each of
 * the 31 names (a linear search of the statement's names) was 3 % of a
 * federation sync's applier.
 */
enum pilot_param_type {
	PILOT_CHARS,		/* char[] */
	PILOT_STRING,		/* char *, NULL: NULL */
	PILOT_JSON,		/* json_t *, dumped; NULL: NULL */
	PILOT_JSON_LIST,	/* json_t *, dumped; NULL: [] */
	PILOT_BOOL,
	PILOT_LONG,
	PILOT_TIME
};

struct pilot_param {
	const char		*name;
	enum pilot_param_type	 type;
	size_t			 off;
};

#define PP(name, type, member)	{ name, type, offsetof(struct pilot, member) }
static const struct pilot_param pilot_params[] = {
	PP(":aangemaakt", PILOT_TIME, aangemaakt),
	PP(":aanpak", PILOT_STRING, md[0]),
	PP(":aanpak_html", PILOT_STRING, html[0]),
	PP(":aanvrager", PILOT_STRING, aanvrager),
	PP(":contact", PILOT_STRING, contact),
	PP(":data", PILOT_STRING, md[1]),
	PP(":data_html", PILOT_STRING, html[1]),
	PP(":domein", PILOT_STRING, domein),
	PP(":einde", PILOT_STRING, einde),
	PP(":gemeente", PILOT_CHARS, gemeente),
	PP(":gewijzigd", PILOT_TIME, gewijzigd),
	PP(":id", PILOT_CHARS, id),
	PP(":indicatoren", PILOT_JSON_LIST, indicatoren),
	PP(":lessen", PILOT_STRING, md[3]),
	PP(":lessen_html", PILOT_STRING, html[3]),
	PP(":origin", PILOT_CHARS, origin),
	PP(":privacy", PILOT_STRING, md[4]),
	PP(":privacy_html", PILOT_STRING, html[4]),
	PP(":resultaten", PILOT_STRING, md[2]),
	PP(":resultaten_html", PILOT_STRING, html[2]),
	PP(":richtlijnen", PILOT_JSON_LIST, richtlijnen),
	PP(":samenvatting", PILOT_STRING, samenvatting),
	PP(":stakeholders", PILOT_JSON, stakeholders),
	PP(":start", PILOT_STRING, start),
	PP(":status", PILOT_STRING, status),
	PP(":tags", PILOT_JSON, tags),
	PP(":titel", PILOT_STRING, titel),
	PP(":versie", PILOT_LONG, versie),
	PP(":voorbeeld", PILOT_BOOL, voorbeeld),
	PP(":vraag", PILOT_STRING, vraag),
	PP(":zichtbaarheid", PILOT_STRING, zichtbaarheid),
};
#undef PP

static int
pilot_param_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pilot_param *)elem)->name);
}

/* One parameter's value from p (the pilot_params entry pp). */
static void
pilot_param_bind(sqlite3_stmt *st, int i, const struct pilot *p,
    const struct pilot_param *pp)
{
	const char *at = (const char *)p + pp->off;
	const json_t *v;
	char *text;

	switch (pp->type) {
	case PILOT_CHARS:
		db_bind_text(st, i, at);
		break;
	case PILOT_STRING:
		db_bind_text(st, i, *(char *const *)(const void *)at);
		break;
	case PILOT_JSON:
	case PILOT_JSON_LIST:
		v = *(json_t *const *)(const void *)at;
		text = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
		db_bind_text(st, i, text != NULL ? text :
		    pp->type == PILOT_JSON_LIST ? "[]" : NULL);
		free(text);
		break;
	case PILOT_BOOL:
		sqlite3_bind_int(st, i, *(const bool *)(const void *)at);
		break;
	case PILOT_LONG:
		sqlite3_bind_int64(st, i, *(const long *)(const void *)at);
		break;
	case PILOT_TIME:
		sqlite3_bind_int64(st, i,
		    (sqlite3_int64)*(const time_t *)(const void *)at);
		break;
	}
}

/*
 * Bind p's content to the :named parameters of an insert or update; the
 * statement's other parameters (:pk) are the caller's.
 */
static void
pilot_store_bind(sqlite3_stmt *st, const struct pilot *p)
{
	int n = sqlite3_bind_parameter_count(st);

	for (int i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		const struct pilot_param *pp = name == NULL ? NULL :
		    bsearch(name, pilot_params, nitems(pilot_params),
		    sizeof pilot_params[0], pilot_param_cmp);

		if (pp != NULL)
			pilot_param_bind(st, i, p, pp);
	}
}

/*
 * Write p's text to its pilot_texts row, made here for a new pilot (one
 * statement: an empty row and then an update wrote the row twice).
 */
static int
pilot_store_texts(struct db *db, const struct pilot *p)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO pilot_texts (pk,"
	    " samenvatting, vraag, stakeholders, contact, aanpak, aanpak_html,"
	    " data, data_html, resultaten, resultaten_html, lessen, lessen_html,"
	    " privacy, privacy_html) VALUES (:pk, :samenvatting, :vraag,"
	    " :stakeholders, :contact, :aanpak, :aanpak_html, :data, :data_html,"
	    " :resultaten, :resultaten_html, :lessen, :lessen_html, :privacy,"
	    " :privacy_html) ON CONFLICT (pk) DO UPDATE SET"
	    " samenvatting = excluded.samenvatting, vraag = excluded.vraag,"
	    " stakeholders = excluded.stakeholders, contact = excluded.contact,"
	    " aanpak = excluded.aanpak, aanpak_html = excluded.aanpak_html,"
	    " data = excluded.data, data_html = excluded.data_html,"
	    " resultaten = excluded.resultaten,"
	    " resultaten_html = excluded.resultaten_html,"
	    " lessen = excluded.lessen, lessen_html = excluded.lessen_html,"
	    " privacy = excluded.privacy, privacy_html = excluded.privacy_html");

	if (st == NULL)
		return -1;
	pilot_store_bind(st, p);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":pk"), p->pk);
	return db_step_done(db, st, "pilot_store_texts");
}

/*
 * The end of a write of p, after its pilots row: its text, its tags, its
 * search terms, the commit, and the cached answers gone stale.
 */
/* The pilot_richtlijnen rows of p, for "which pilots link here". */
static int
pilot_store_links(struct db *db, const struct pilot *p)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM pilot_richtlijnen WHERE"
	    " pilot = ?1");
	json_t *l;
	size_t i;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->pk);
	if (db_step_done(db, st, "pilot_store_links") == -1)
		return -1;
	json_array_foreach(p->richtlijnen, i, l) {
		json_t *v = json_object_get(l, "versie");

		st = db_stmt(db, "INSERT OR REPLACE INTO pilot_richtlijnen"
		    " (slug, pilot, versie) VALUES (?1, ?2, ?3)");
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, json_string_value(json_object_get(l,
		    "slug")), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, p->pk);
		if (json_is_integer(v))
			sqlite3_bind_int64(st, 3, json_integer_value(v));
		if (db_step_done(db, st, "pilot_store_links") == -1)
			return -1;
	}
	return 0;
}

/* The pilot_indicatoren rows of p, for an indicator's page. */
static int
pilot_store_indicator_links(struct db *db, const struct pilot *p)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM pilot_indicatoren WHERE"
	    " pilot = ?1");
	json_t *l;
	size_t i;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->pk);
	if (db_step_done(db, st, "pilot_store_indicator_links") == -1)
		return -1;
	json_array_foreach(p->indicatoren, i, l) {
		st = db_stmt(db, "INSERT OR REPLACE INTO pilot_indicatoren"
		    " (indicator, pilot) VALUES (?1, ?2)");
		if (st == NULL)
			return -1;
		db_bind_text(st, 1, json_string_value(l));
		sqlite3_bind_int64(st, 2, p->pk);
		if (db_step_done(db, st, "pilot_store_indicator_links") == -1)
			return -1;
	}
	return 0;
}

static int
pilot_store_finish(struct db *db, const struct pilot *p)
{
	if (pilot_store_texts(db, p) == -1 || pilot_store_tags(db, p) == -1 ||
	    pilot_store_links(db, p) == -1 ||
	    pilot_store_indicator_links(db, p) == -1 ||
	    pilot_store_fts(db, p->pk, false) == -1 || db_commit(db) == -1)
		return -1;
	cache_bump();
	return 0;
}

/*
 * Store a new pilot (id, origin, gemeente, versie and times set by the
 * caller). Returns 0 or -1; p->pk is set.
 */
int
pilot_store_insert(struct db *db, struct pilot *p)
{
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO pilots (id, origin, gemeente, provincie,"
	    " grootteklasse, versie, zichtbaarheid, titel, domein, status,"
	    " start, einde, aanvrager, tags, voorbeeld, aangemaakt, gewijzigd,"
	    " richtlijnen, indicatoren)"
	    " SELECT :id, :origin, :gemeente, g.provincie, g.grootteklasse,"
	    " :versie, :zichtbaarheid, :titel, :domein, :status, :start, :einde,"
	    " :aanvrager, :tags, :voorbeeld, :aangemaakt, :gewijzigd,"
	    " :richtlijnen, :indicatoren"
	    " FROM gemeenten g WHERE g.code = :gemeente");
	if (st == NULL)
		goto fail;
	pilot_store_bind(st, p);
	if (db_step_done(db, st, "pilot_store_insert") == -1 ||
	    sqlite3_changes(db_handle(db)) != 1)
		goto fail;
	p->pk = (long)sqlite3_last_insert_rowid(db_handle(db));
	if (pilot_store_finish(db, p) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/*
 * Replace the content of p (by id) if the stored version is still
 * expected; p->versie must already be the new version. Returns 0,
 * MEENT_CONFLICT (someone changed it first), MEENT_NOTFOUND or -1.
 */
int
pilot_store_update(struct db *db, struct pilot *p, long expected)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "SELECT pk, versie FROM pilots WHERE id = ?1"
	    " AND verwijderd IS NULL");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "pilot_store_update");
	if (rc == 1) {
		p->pk = (long)sqlite3_column_int64(st, 0);
		rc = sqlite3_column_int64(st, 1) == expected ? 0 :
		    MEENT_CONFLICT;
	} else
		rc = rc == 0 ? MEENT_NOTFOUND : -1;
	sqlite3_reset(st);
	if (rc != 0) {
		db_rollback(db);
		return rc;
	}
	if (pilot_store_fts(db, p->pk, true) == -1)
		goto fail;
	st = db_stmt(db, "UPDATE pilots SET versie = :versie,"
	    " zichtbaarheid = :zichtbaarheid, titel = :titel, domein = :domein,"
	    " status = :status, start = :start, einde = :einde,"
	    " aanvrager = :aanvrager, tags = :tags, voorbeeld = :voorbeeld,"
	    " gewijzigd = :gewijzigd, richtlijnen = :richtlijnen,"
	    " indicatoren = :indicatoren WHERE id = :id");
	if (st == NULL)
		goto fail;
	pilot_store_bind(st, p);
	if (db_step_done(db, st, "pilot_store_update") == -1 ||
	    pilot_store_finish(db, p) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/*
 * A tombstone becomes a pilot again (federation: a newer version made it
 * public). Its blank row enters the search index, so that the update that
 * follows takes it out again as for any pilot.
 */
int
pilot_store_revive(struct db *db, long pk)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE pilots SET verwijderd = NULL"
	    " WHERE pk = ?1 AND verwijderd IS NOT NULL");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	if (db_step_done(db, st, "pilot_store_revive") == -1)
		return -1;
	return pilot_store_fts(db, pk, false);
}

/*
 * Make p a tombstone: its content goes, its identity, municipality and
 * visibility stay (so that a later GET can say 410 to whoever could see
 * it). p->versie must be the new version. Returns 0 or -1.
 */
int
pilot_store_delete(struct db *db, struct pilot *p)
{
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return -1;
	if (pilot_store_fts(db, p->pk, true) == -1)
		goto fail;
	st = db_stmt(db, "UPDATE pilots SET verwijderd = ?2, versie = ?3,"
	    " gewijzigd = ?2, titel = '', tags = '[]', richtlijnen = '[]',"
	    " indicatoren = '[]',"
	    " start = NULL,"
	    " einde = NULL, aanvrager = NULL WHERE pk = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, p->pk);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)p->gewijzigd);
	sqlite3_bind_int64(st, 3, p->versie);
	if (db_step_done(db, st, "pilot_store_delete") == -1)
		goto fail;
	st = db_stmt(db, "UPDATE pilot_texts SET samenvatting = '', vraag = '',"
	    " stakeholders = '[]', contact = '', aanpak = '', aanpak_html = '',"
	    " data = '', data_html = '', resultaten = '', resultaten_html = '',"
	    " lessen = '', lessen_html = '', privacy = '', privacy_html = ''"
	    " WHERE pk = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, p->pk);
	if (db_step_done(db, st, "pilot_store_delete texts") == -1)
		goto fail;
	st = db_stmt(db, "DELETE FROM pilot_richtlijnen WHERE pilot = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, p->pk);
	if (db_step_done(db, st, "pilot_store_delete links") == -1)
		goto fail;
	st = db_stmt(db, "DELETE FROM pilot_indicatoren WHERE pilot = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, p->pk);
	if (db_step_done(db, st, "pilot_store_delete indicators") == -1)
		goto fail;
	st = db_stmt(db, "DELETE FROM pilot_tags WHERE pilot = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, p->pk);
	/* Its attachments too (their files: attachment_store_gc()). */
	if (db_step_done(db, st, "pilot_store_delete tags") == -1 ||
	    attachment_store_drop(db, p->id, NULL) == -1 ||
	    db_commit(db) == -1)
		goto fail;
	cache_bump();
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/*
 * The FROM and WHERE of a list or search, for the active filters only.
 * counting: for the facet counts, which read every match: status, size
 * class and province are then no index's terms (the unary +), so that
 * the count reads the covering pilots_facets (migration 20), 100,000
 * index entries in its order, rather than a table row for each match
 * through pilots_status, pilots_klasse or pilots_provincie and a sort
 * (at 100,000 pilots, 12,500 rows for one size class).
 */
static void
pilot_store_where(struct evbuffer *b, const struct pilot_query *q,
    bool counting)
{
	const char *plus = counting ? "+" : "";

	evbuffer_add_printf(b, q->fts != NULL ? " FROM pilots_fts JOIN pilots p"
	    " ON p.pk = pilots_fts.rowid" : " FROM pilots p");
	evbuffer_add_printf(b, " WHERE p.verwijderd IS NULL AND"
	    " (p.zichtbaarheid = 'openbaar' OR (p.zichtbaarheid = 'leden'"
	    " AND :member) OR p.gemeente = :own)");
	if (q->fts != NULL)
		evbuffer_add_printf(b, " AND pilots_fts MATCH :q");
	if (q->domein != NULL)
		evbuffer_add_printf(b, " AND p.domein = :domein");
	if (q->gemeente != NULL)
		evbuffer_add_printf(b, " AND p.gemeente = :gemeente");
	if (q->provincie != NULL)
		evbuffer_add_printf(b, " AND %sp.provincie = :provincie", plus);
	if (q->status != NULL)
		evbuffer_add_printf(b, " AND %sp.status = :status", plus);
	if (q->grootteklasse > 0)
		evbuffer_add_printf(b, " AND %sp.grootteklasse = :grootteklasse",
		    plus);
	if (q->tag != NULL)
		evbuffer_add_printf(b, " AND p.pk IN (SELECT pilot FROM"
		    " pilot_tags WHERE tag = :tag)");
}

static void
pilot_store_bind_query(sqlite3_stmt *st, const struct pilot_query *q)
{
#define BIND(name, v) if ((v) != NULL) db_bind_text(st, \
	    sqlite3_bind_parameter_index(st, name), (v))
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":member"),
	    q->member);
	BIND(":own", q->own);
	BIND(":q", q->fts);
	BIND(":domein", q->domein);
	BIND(":gemeente", q->gemeente);
	BIND(":provincie", q->provincie);
	BIND(":status", q->status);
	BIND(":tag", q->tag);
#undef BIND
	if (q->grootteklasse > 0)
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st,
		    ":grootteklasse"), q->grootteklasse);
}

/* The statement for the SQL in b; b is freed. */
static sqlite3_stmt *
pilot_store_prepare(struct db *db, struct evbuffer *b)
{
	char *sql = buffer_take_string(b);
	sqlite3_stmt *st = db_stmt_text(db, sql);

	free(sql);
	return st;
}

static void
pilot_store_facet_add(json_t *facet, const char *key, long add)
{
	json_t *n = json_object_get(facet, key);

	if (n != NULL)
		json_integer_set(n, json_integer_value(n) + add);
	else
		json_object_set_new(facet, key, json_integer(add));
}

/*
 * Why a list's statement stopped before SQLITE_DONE: MEENT_INTERRUPTED when
 * the connection's deadline stopped it, MEENT_CONFLICT for a malformed
 * search query (the client's mistake), otherwise -1 (logged). The list's
 * two statements step with sqlite3_step() and end here, not through
 * db_step_row(): a malformed search is no database error to log and count.
 */
static int
pilot_store_list_error(struct db *db, const struct pilot_query *q, int rc,
    const char *what)
{
	if ((rc & 0xff) == SQLITE_INTERRUPT && db_deadline_expired(db))
		return MEENT_INTERRUPTED;
	if (q->fts != NULL && (rc & 0xff) == SQLITE_ERROR)
		return MEENT_CONFLICT;
	db_error(db, what);
	return -1;
}

/*
 * Add the counts per domain, status and size class of everything matching
 * q to dom, sta and kla (each may be NULL: not counted), and their sum to
 * *total. Returns 0, or what pilot_store_list_error() says.
 */
static int
pilot_store_counts(struct db *db, const struct pilot_query *q, long *total,
    json_t *dom, json_t *sta, json_t *kla)
{
	struct evbuffer *b = evbuffer_new();
	sqlite3_stmt *st;
	int rc;

	evbuffer_add_printf(b, "SELECT p.domein, p.status, p.grootteklasse,"
	    " count(*)");
	pilot_store_where(b, q, true);
	evbuffer_add_printf(b, " GROUP BY 1, 2, 3");
	st = pilot_store_prepare(db, b);
	/* Preparing reads the FTS5 table's structure: the deadline counts. */
	if (st == NULL)
		return db_deadline_expired(db) ? MEENT_INTERRUPTED : -1;
	pilot_store_bind_query(st, q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long n = (long)sqlite3_column_int64(st, 3);
		char klasse[12];

		*total += n;
		if (dom != NULL)
			pilot_store_facet_add(dom, (const char *)
			    sqlite3_column_text(st, 0), n);
		if (sta != NULL)
			pilot_store_facet_add(sta, (const char *)
			    sqlite3_column_text(st, 1), n);
		snprintf(klasse, sizeof klasse, "%d", sqlite3_column_int(st, 2));
		if (kla != NULL)
			pilot_store_facet_add(kla, klasse, n);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pilot_store_list_error(db, q, rc, "pilot_store_facets");
	return 0;
}

/*
 * Counts per domain, status and size class, and the total of everything
 * matching q. Each facet counts with the other filters only, not its own:
 * with a size class chosen, the size class facet still says how many
 * pilots every other class has (so choosing another is one click, and a
 * 0 means that choice would find nothing). One statement, and one more
 * for each of the three filters in use. Returns 0, or what
 * pilot_store_list_error() says.
 */
static int
pilot_store_facets_count(struct db *db, const struct pilot_query *q,
    long *total, json_t **facets)
{
	json_t *dom = json_object(), *sta = json_object(), *kla = json_object();
	struct pilot_query other;
	long ignored = 0;
	int rc;

	*total = 0;
	rc = pilot_store_counts(db, q, total, q->domein == NULL ? dom : NULL,
	    q->status == NULL ? sta : NULL, q->grootteklasse == 0 ? kla : NULL);
	if (rc == 0 && q->domein != NULL) {
		other = *q;
		other.domein = NULL;
		rc = pilot_store_counts(db, &other, &ignored, dom, NULL, NULL);
	}
	if (rc == 0 && q->status != NULL) {
		other = *q;
		other.status = NULL;
		rc = pilot_store_counts(db, &other, &ignored, NULL, sta, NULL);
	}
	if (rc == 0 && q->grootteklasse != 0) {
		other = *q;
		other.grootteklasse = 0;
		rc = pilot_store_counts(db, &other, &ignored, NULL, NULL, kla);
	}
	if (rc != 0) {
		json_decref(dom);
		json_decref(sta);
		json_decref(kla);
		return rc;
	}
	*facets = json_pack("{s:o, s:o, s:o}", "domein", dom, "status", sta,
	    "grootteklasse", kla);
	return 0;
}

/* A string of a cache key: its length first, so no value can end early. */
static void
pilot_store_key_part(struct evbuffer *b, const char *v)
{
	if (v == NULL)
		evbuffer_add_printf(b, "|-");
	else
		evbuffer_add_printf(b, "|%zu:%s", strlen(v), v);
}

static void
pilot_store_facets_free(void *obj)
{
	json_decref(obj);
}

/*
 * The facets and total of q (pilot_store_facets_count), kept per worker
 * for the generation (cache_object_get): the pages of a list and its
 * orders, and the API and the page of the same list, count once per
 * write. The key is everything the counts depend on: the viewer's
 * visibility and every filter. *facets is the caller's own copy.
 */
static int
pilot_store_facets(struct db *db, const struct pilot_query *q, long *total,
    json_t **facets)
{
	unsigned long gen = cache_generation_now();
	struct evbuffer *b = evbuffer_new();
	json_t *kept;
	char *key;
	int rc;

	evbuffer_add_printf(b, "F|%d|%d", q->member, q->grootteklasse);
	pilot_store_key_part(b, q->own);
	pilot_store_key_part(b, q->fts);
	pilot_store_key_part(b, q->domein);
	pilot_store_key_part(b, q->gemeente);
	pilot_store_key_part(b, q->provincie);
	pilot_store_key_part(b, q->status);
	pilot_store_key_part(b, q->tag);
	key = buffer_take_string(b);
	if ((kept = cache_object_get(db, key)) != NULL) {
		*total = (long)json_integer_value(json_object_get(kept,
		    "total"));
		*facets = json_deep_copy(json_object_get(kept, "facets"));
		free(key);
		return 0;
	}
	rc = pilot_store_facets_count(db, q, total, facets);
	if (rc == 0)
		cache_object_put(key, json_pack("{s:I, s:o}", "total",
		    (json_int_t)*total, "facets", json_deep_copy(*facets)),
		    pilot_store_facets_free, gen);
	free(key);
	return rc;
}

/* A list item: the summary of a pilot and its municipality's name. */
static json_t *
pilot_store_item(sqlite3_stmt *st, bool search)
{
	char href[96];
	json_t *o;

	snprintf(href, sizeof href, "/api/v1/pilots/%s",
	    sqlite3_column_text(st, 0));
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o, "
	    "s:I, s:o, s:o, s:{s:{s:s}, s:{s:s}}}",
	    "id", db_column_json(st, 0),
	    "titel", db_column_json(st, 1),
	    "samenvatting", db_column_json(st, 2),
	    "gemeente", db_column_json(st, 3),
	    "provincie", db_column_json(st, 4),
	    "grootteklasse", sqlite3_column_int(st, 5),
	    "domein", db_column_json(st, 6),
	    "status", db_column_json(st, 7),
	    "zichtbaarheid", db_column_json(st, 8),
	    "tags", json_loads((const char *)sqlite3_column_text(st, 9), 0,
	    NULL),
	    "versie", (json_int_t)sqlite3_column_int64(st, 10),
	    "gewijzigd", clock_json((time_t)sqlite3_column_int64(st, 11)),
	    "gemeenteNaam", db_column_json(st, 12),
	    "_links", "self", "href", href, "html", "href", href + 7);
	/* From another instance (federation): which one. */
	if (sqlite3_column_type(st, 13) != SQLITE_NULL)
		json_object_set_new(o, "herkomst", db_column_json(st, 13));
	if (search) {
		char *frag = html_fragment((const char *)sqlite3_column_text(st,
		    14));

		json_object_set_new(o, "fragmentHtml", json_string(frag));
		free(frag);
	}
	return o;
}

/*
 * A page of pilots matching q, visible to its asker: *items (a JSON array),
 * *total and *facets; the caller owns both JSON values. Returns 0; or,
 * with *items and *facets NULL, MEENT_CONFLICT for a malformed search
 * query, MEENT_INTERRUPTED when the connection's deadline (armed by the
 * caller with db_deadline_set) passed, or -1 on a database error. Never a
 * partial page: a search stopped half-way is an error, not fewer results.
 */
int
pilot_store_list(struct db *db, const struct pilot_query *q, json_t **items,
    long *total, json_t **facets)
{
	struct evbuffer *b;
	sqlite3_stmt *st;
	const char *key, *order;
	int rc;

	*items = NULL;
	*facets = NULL;
	rc = pilot_store_facets(db, q, total, facets);
	if (rc != 0)
		return rc;
	/*
	 * The page's pilots first (only what the order needs), then what the
	 * page shows of those alone: a sort that is not an index's order
	 * (relevance, title) takes every match, and SQLite computes a row's
	 * columns before it sorts -- the summary, names and snippet of all
	 * 5,000 matches of a word at 100,000 pilots, for 20 of them.
	 */
	if (q->sort_title) {
		key = "p.titel COLLATE NOCASE";
		order = "";
	} else if (q->fts != NULL) {
		key = "bm25(pilots_fts, 10.0, 4.0, 1.0, 3.0)";
		order = "";
	} else {
		key = "p.aangemaakt";
		order = " DESC";
	}
	b = evbuffer_new();
	evbuffer_add_printf(b, "SELECT p.id, p.titel, (SELECT samenvatting"
	    " FROM pilot_texts WHERE pk = p.pk), p.gemeente, p.provincie,"
	    " p.grootteklasse, p.domein, p.status,"
	    " p.zichtbaarheid, p.tags, p.versie, p.gewijzigd,"
	    " (SELECT naam FROM gemeenten WHERE code = p.gemeente),"
	    " (SELECT name FROM fed_origins WHERE uuid = p.origin)");
	if (q->fts != NULL)
		evbuffer_add_printf(b, ", snippet(pilots_fts, -1, char(2),"
		    " char(3), '…', 24)");
	evbuffer_add_printf(b, " FROM (SELECT p.pk AS pk, %s AS k", key);
	pilot_store_where(b, q, false);
	evbuffer_add_printf(b, " ORDER BY %s%s, p.pk%s"
	    " LIMIT :limit OFFSET :offset) AS page"
	    " JOIN pilots p ON p.pk = page.pk", key, order, order);
	if (q->fts != NULL)
		evbuffer_add_printf(b, " JOIN pilots_fts ON pilots_fts.rowid ="
		    " page.pk AND pilots_fts MATCH :q");
	evbuffer_add_printf(b, " ORDER BY page.k%s%s, page.pk%s",
	    q->sort_title ? " COLLATE NOCASE" : "", order, order);
	st = pilot_store_prepare(db, b);
	rc = db_deadline_expired(db) ? MEENT_INTERRUPTED : -1;
	if (st == NULL)
		goto fail;
	pilot_store_bind_query(st, q);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"),
	    q->page_size);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":offset"),
	    (sqlite3_int64)(q->page - 1) * q->page_size);
	*items = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(*items, pilot_store_item(st,
		    q->fts != NULL));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	/* Interrupted or failed: what was read so far is not the answer. */
	rc = pilot_store_list_error(db, q, rc, "pilot_store_list");
	json_decref(*items);
	*items = NULL;
fail:
	json_decref(*facets);
	*facets = NULL;
	return rc;
}

/*
 * The newest changed public pilots matching q's filters, for the Atom
 * feed: *items [{id, titel, samenvatting, gemeenteNaam, aangemaakt,
 * gewijzigd}] (caller owns). Only openbaar pilots, whoever asks: a feed is
 * read by programs that pass it on. Returns 0; or, with *items NULL, what
 * pilot_store_list() returns for a malformed search, a deadline or an
 * error.
 */
int
pilot_store_feed(struct db *db, const struct pilot_query *q, int limit,
    json_t **items)
{
	struct pilot_query pub = *q;
	struct evbuffer *b = evbuffer_new();
	sqlite3_stmt *st;
	int rc;

	*items = NULL;
	pub.member = false;
	pub.own = NULL;
	evbuffer_add_printf(b, "SELECT p.id, p.titel, (SELECT samenvatting"
	    " FROM pilot_texts WHERE pk = p.pk),"
	    " (SELECT naam FROM gemeenten WHERE code = p.gemeente),"
	    " p.aangemaakt, p.gewijzigd");
	pilot_store_where(b, &pub, false);
	evbuffer_add_printf(b, " ORDER BY p.gewijzigd DESC, p.pk DESC"
	    " LIMIT :limit");
	st = pilot_store_prepare(db, b);
	rc = db_deadline_expired(db) ? MEENT_INTERRUPTED : -1;
	if (st == NULL)
		return rc;
	pilot_store_bind_query(st, &pub);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"),
	    limit);
	*items = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(*items, json_pack("{s:o, s:o, s:o, s:o, "
		    "s:I, s:I}", "id", db_column_json(st, 0), "titel",
		    db_column_json(st, 1), "samenvatting", db_column_json(st, 2),
		    "gemeenteNaam", db_column_json(st, 3), "aangemaakt",
		    (json_int_t)sqlite3_column_int64(st, 4), "gewijzigd",
		    (json_int_t)sqlite3_column_int64(st, 5)));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	json_decref(*items);
	*items = NULL;
	return pilot_store_list_error(db, &pub, rc, "pilot_store_feed");
}

/*
 * How many pilots (tombstones too) the database has: for the seed. -1 on
 * a database error.
 */
long
pilot_store_count(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM pilots");
	long n = -1;

	if (st == NULL)
		return -1;
	if (db_step_row(db, st, "pilot_store_count") == 1)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/*
 * The pilots linking to a guideline (slug) or an indicator (id) that a
 * viewer may see: [{id, titel, gemeenteNaam[, versie]}]. Caller owns; NULL
 * on a database error.
 */
json_t *
pilot_store_linking(struct db *db, enum pilot_link kind, const char *key,
    bool member, const char *own)
{
	static const char *const sql[] = {
		[PILOT_LINK_GUIDELINE] = "SELECT p.id, p.titel, g.naam,"
		    " pr.versie FROM pilot_richtlijnen pr"
		    " JOIN pilots p ON p.pk = pr.pilot"
		    " JOIN gemeenten g ON g.code = p.gemeente"
		    " WHERE pr.slug = ?1 AND p.verwijderd IS NULL AND"
		    " (p.zichtbaarheid = 'openbaar' OR"
		    " (p.zichtbaarheid = 'leden' AND ?2) OR p.gemeente = ?3)"
		    " ORDER BY p.aangemaakt DESC LIMIT 100",
		[PILOT_LINK_INDICATOR] = "SELECT p.id, p.titel, g.naam"
		    " FROM pilot_indicatoren pi"
		    " JOIN pilots p ON p.pk = pi.pilot"
		    " JOIN gemeenten g ON g.code = p.gemeente"
		    " WHERE pi.indicator = ?1 AND p.verwijderd IS NULL AND"
		    " (p.zichtbaarheid = 'openbaar' OR"
		    " (p.zichtbaarheid = 'leden' AND ?2) OR p.gemeente = ?3)"
		    " ORDER BY p.aangemaakt DESC LIMIT 100",
	};
	sqlite3_stmt *st = db_stmt(db, sql[kind]);
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, member);
	db_bind_text(st, 3, own);
	list = json_array();
	while ((rc = db_step_row(db, st, "pilot_store_linking")) == 1) {
		json_t *o = json_pack("{s:o, s:o, s:o}", "id",
		    db_column_json(st, 0), "titel", db_column_json(st, 1),
		    "gemeenteNaam", db_column_json(st, 2));

		if (kind == PILOT_LINK_GUIDELINE)
			json_object_set_new(o, "versie", db_column_json(st, 3));
		json_array_append_new(list, o);
	}
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * The newest pilots a viewer may see from municipalities of size class
 * klasse (when > 0) or else from those whose codes are in the JSON array
 * codes, leaving out the pilots of municipality skip: at most limit, as
 * [{id, titel, samenvatting, gemeente, gemeenteNaam, grootteklasse,
 * zichtbaarheid}]. For "pilots of municipalities like mine" (model_home.c).
 * Caller owns; NULL on a database error.
 */
json_t *
pilot_store_peers(struct db *db, int klasse, json_t *codes, const char *skip,
    bool member, const char *own, int limit)
{
	/*
	 * The newest first, then their texts: a list of municipalities has
	 * no index in the order of time, and sorting all their pilots'
	 * summaries would cost more than sorting their keys.
	 */
#define PEERS_SQL(where) "SELECT p.id, p.titel, t.samenvatting, p.gemeente," \
	    " g.naam, p.grootteklasse, p.zichtbaarheid FROM (SELECT pk FROM" \
	    " pilots WHERE " where " AND gemeente <> ?2" \
	    " AND verwijderd IS NULL AND (zichtbaarheid = 'openbaar' OR" \
	    " (zichtbaarheid = 'leden' AND ?3) OR gemeente = ?4)" \
	    " ORDER BY aangemaakt DESC LIMIT ?5) n" \
	    " JOIN pilots p ON p.pk = n.pk JOIN pilot_texts t ON t.pk = p.pk" \
	    " JOIN gemeenten g ON g.code = p.gemeente" \
	    " ORDER BY p.aangemaakt DESC"
	sqlite3_stmt *st = db_stmt(db, klasse > 0 ?
	    PEERS_SQL("grootteklasse = ?1") :
	    PEERS_SQL("gemeente IN (SELECT value FROM json_each(?1))"));
#undef PEERS_SQL
	json_t *list;
	char *text;
	int rc;

	if (st == NULL)
		return NULL;
	if (klasse > 0)
		sqlite3_bind_int(st, 1, klasse);
	else {
		text = json_dumps(codes, JSON_COMPACT);
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
		free(text);
	}
	db_bind_text(st, 2, skip);
	sqlite3_bind_int(st, 3, member);
	db_bind_text(st, 4, own);
	sqlite3_bind_int(st, 5, limit);
	list = json_array();
	while ((rc = db_step_row(db, st, "pilot_store_peers")) == 1)
		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o, "
		    "s:o, s:i, s:o}", "id", db_column_json(st, 0),
		    "titel", db_column_json(st, 1),
		    "samenvatting", db_column_json(st, 2),
		    "gemeente", db_column_json(st, 3),
		    "gemeenteNaam", db_column_json(st, 4),
		    "grootteklasse", sqlite3_column_int(st, 5),
		    "zichtbaarheid", db_column_json(st, 6)));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}
