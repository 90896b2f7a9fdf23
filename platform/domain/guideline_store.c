/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Guidelines in the database: the head, maintainers, append-only
 * revisions, proposals and adoptions.
 *
 * A new revision names its base. If the head moved on since, the base, the
 * head and the new text are merged by Markdown block (merge.c) inside the
 * writing transaction, so the head read is the head written on; a conflict
 * writes nothing and returns both sides. Guidelines are shared knowledge:
 * all of them are public.
 */
#include "domain/domain.h"

#include <stdlib.h>
#include <string.h>

#define GUIDELINE_HEAD_COLUMNS \
	"r.pk, r.slug, r.origin, r.gemeente, r.titel, r.head, r.aangemaakt, " \
	"r.gewijzigd"

static void
guideline_store_row(sqlite3_stmt *st, struct guideline *g)
{
	memset(g, 0, sizeof *g);
	g->pk = (long)sqlite3_column_int64(st, 0);
	snprintf(g->slug, sizeof g->slug, "%s", sqlite3_column_text(st, 1));
	snprintf(g->origin, sizeof g->origin, "%s", sqlite3_column_text(st, 2));
	snprintf(g->gemeente, sizeof g->gemeente, "%s",
	    sqlite3_column_text(st, 3));
	snprintf(g->titel, sizeof g->titel, "%s", sqlite3_column_text(st, 4));
	g->head = (long)sqlite3_column_int64(st, 5);
	g->aangemaakt = (time_t)sqlite3_column_int64(st, 6);
	g->gewijzigd = (time_t)sqlite3_column_int64(st, 7);
}

/* The guideline with this slug. Returns 0, MEENT_NOTFOUND or -1. */
int
guideline_store_get(struct db *db, const char *slug, struct guideline *g)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " GUIDELINE_HEAD_COLUMNS
	    " FROM richtlijnen r WHERE r.slug = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "guideline_store_get");
	if (rc == 1)
		guideline_store_row(st, g);
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? MEENT_NOTFOUND : -1;
}

/* Does gemeente (NULL: nobody) maintain pk? 1, 0 or -1. */
int
guideline_store_is_maintainer(struct db *db, long pk, const char *gemeente)
{
	sqlite3_stmt *st;
	int rc;

	if (gemeente == NULL)
		return 0;
	st = db_stmt(db, "SELECT 1 FROM richtlijn_beheerders"
	    " WHERE richtlijn = ?1 AND gemeente = ?2");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "guideline maintainer");
	sqlite3_reset(st);
	return rc;
}

/* The maintainers as a JSON array of {code, naam}; NULL on an error. */
json_t *
guideline_store_maintainers(struct db *db, long pk)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT b.gemeente, g.naam FROM"
	    " richtlijn_beheerders b JOIN gemeenten g ON g.code = b.gemeente"
	    " WHERE b.richtlijn = ?1 ORDER BY g.naam");
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pk);
	list = json_array();
	while ((rc = db_step_row(db, st, "guideline maintainers")) == 1)
		json_array_append_new(list, json_pack("{s:o, s:o}", "code",
		    db_column_json(st, 0), "naam", db_column_json(st, 1)));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * The text of revision versie (caller frees), or NULL: on an error, and
 * for a revision that is not there (the head's and a valid base's are).
 */
static char *
guideline_store_text(struct db *db, long pk, long versie)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT tekst FROM richtlijn_versies"
	    " WHERE richtlijn = ?1 AND versie = ?2");
	char *text = NULL;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int64(st, 2, versie);
	if ((rc = db_step_row(db, st, "guideline text")) == 1)
		text = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == 0)
		log_emit(LOG_ERROR, "guideline.text", "revision %ld of "
		    "guideline %ld is missing", versie, pk);
	return text;
}

/* Insert revision r of pk (already decided upon) and move the head. */
int
guideline_store_put_revision(struct db *db, long pk, const struct revision *r)
{
	sqlite3_stmt *st;
	char *html, *toc_text, *tekst, *bericht;
	json_t *toc;
	int rc;

	/* Line ends as LF whoever wrote it: here, a form, or a peer. */
	tekst = guideline_text_lf(r->tekst);
	bericht = guideline_text_lf(r->bericht);
	guideline_render(tekst, &html, &toc);
	toc_text = json_dumps(toc, JSON_COMPACT);
	/*
	 * A revision that is here already stays as it is: revisions never
	 * change, and federation may bring one again.
	 */
	st = db_stmt(db, "INSERT INTO richtlijn_versies (richtlijn, versie,"
	    " basis, titel, tekst, html, inhoud, gemeente, bericht, voorstel,"
	    " samengevoegd, aangemaakt) SELECT ?1, ?2, ?3, coalesce(?12, titel),"
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 FROM richtlijnen WHERE pk = ?1"
	    " ON CONFLICT DO NOTHING");
	rc = st == NULL ? -1 : 0;
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, pk);
		sqlite3_bind_int64(st, 2, r->versie);
		if (r->basis > 0)
			sqlite3_bind_int64(st, 3, r->basis);
		sqlite3_bind_text(st, 4, tekst, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, html, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, toc_text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->gemeente, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, bericht, -1, SQLITE_STATIC);
		if (r->voorstel > 0)
			sqlite3_bind_int64(st, 9, r->voorstel);
		sqlite3_bind_int(st, 10, r->samengevoegd);
		sqlite3_bind_int64(st, 11, (sqlite3_int64)r->aangemaakt);
		db_bind_text(st, 12, r->titel);
		rc = db_step_done(db, st, "guideline revision");
	}
	free(html);
	free(toc_text);
	free(tekst);
	free(bericht);
	json_decref(toc);
	if (rc == -1)
		return -1;
	/* The head is the newest revision here (federated ones may come late). */
	st = db_stmt(db, "UPDATE richtlijnen SET head = max(head, ?2),"
	    " gewijzigd = max(gewijzigd, ?3) WHERE pk = ?1");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int64(st, 2, r->versie);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->aangemaakt);
	return db_step_done(db, st, "guideline head");
}

/*
 * A new guideline with its first revision; its municipality becomes the
 * first maintainer. Returns 0, MEENT_CONFLICT (the slug is taken) or -1.
 */
int
guideline_store_create(struct db *db, struct guideline *g,
    struct revision *r)
{
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO richtlijnen (slug, origin, gemeente,"
	    " titel, head, aangemaakt, gewijzigd) VALUES (?1, ?2, ?3, ?4, 0,"
	    " ?5, ?5)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, g->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, g->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, g->gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, g->titel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)g->aangemaakt);
	if (sqlite3_step(st) != SQLITE_DONE) {
		bool taken = sqlite3_extended_errcode(db_handle(db)) ==
		    SQLITE_CONSTRAINT_UNIQUE;

		if (!taken)
			db_error(db, "guideline create");
		sqlite3_reset(st);
		db_rollback(db);
		return taken ? MEENT_CONFLICT : -1;
	}
	sqlite3_reset(st);
	g->pk = (long)sqlite3_last_insert_rowid(db_handle(db));
	st = db_stmt(db, "INSERT INTO richtlijn_beheerders (richtlijn,"
	    " gemeente) VALUES (?1, ?2)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, g->pk);
	sqlite3_bind_text(st, 2, g->gemeente, -1, SQLITE_STATIC);
	r->versie = 1;
	r->basis = 0;
	if (db_step_done(db, st, "guideline maintainer") == -1 ||
	    guideline_store_put_revision(db, g->pk, r) == -1 ||
	    db_commit(db) == -1)
		goto fail;
	g->head = 1;
	cache_bump();
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/*
 * Add a revision on top of r->basis. Same base as the head: it becomes
 * the head. An older base: merged with what came since; *conflicts (caller
 * owns) and MEENT_CONFLICT when the same blocks changed, MEENT_INVALID when
 * the merged text breaks guideline_text_valid(). A base that does not
 * exist: MEENT_NOTFOUND. On success r->versie and r->samengevoegd tell
 * what was written. r->tekst is replaced by its copy with LF line ends,
 * or by the merge (free with revision_free in any case).
 */
int
guideline_store_revise(struct db *db, struct guideline *g, struct revision *r,
    json_t **conflicts)
{
	char *base = NULL, *head = NULL, *merged = NULL, *lf;
	int rc;

	*conflicts = NULL;
	/* LF before merging: stored texts are LF (migration 14). */
	lf = guideline_text_lf(r->tekst);
	free(r->owned);
	r->owned = lf;
	r->tekst = lf;
	if (db_begin(db) == -1)
		return -1;
	/* Read the head again inside the transaction: it is the one we see. */
	if ((rc = guideline_store_get(db, g->slug, g)) != 0)
		goto out;
	if (r->basis < 1 || r->basis > g->head) {
		rc = MEENT_NOTFOUND;
		goto out;
	}
	r->samengevoegd = false;
	if (r->basis != g->head) {
		base = guideline_store_text(db, g->pk, r->basis);
		head = guideline_store_text(db, g->pk, g->head);
		if (base == NULL || head == NULL) {
			rc = -1;
			goto out;
		}
		rc = merge_three_way(base, head, r->tekst, &merged, conflicts);
		if (rc != 0)
			goto out;
		/* Both sides were within the limits; together they may not. */
		if (!guideline_text_valid(merged, strlen(merged), NULL, 0)) {
			free(merged);
			rc = MEENT_INVALID;
			goto out;
		}
		free(r->owned);
		r->owned = merged;
		r->tekst = merged;
		r->samengevoegd = true;
	}
	r->versie = g->head + 1;
	if (guideline_store_put_revision(db, g->pk, r) == -1 ||
	    db_commit(db) == -1) {
		rc = -1;
		goto out;
	}
	g->head = r->versie;
	cache_bump();
	rc = 0;
out:
	if (rc != 0)
		db_rollback(db);
	free(base);
	free(head);
	return rc;
}

void
revision_free(struct revision *r)
{
	free(r->owned);
	free(r->owned_bericht);
	free(r->owned_gemeente);
	r->owned = r->owned_bericht = r->owned_gemeente = NULL;
}

static json_t *
guideline_store_revision_row(sqlite3_stmt *st, bool with_text)
{
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:b, s:o}",
	    "versie", (json_int_t)sqlite3_column_int64(st, 0),
	    "basis", db_column_json(st, 1),
	    "gemeente", db_column_json(st, 2),
	    "bericht", db_column_json(st, 3),
	    "voorstel", db_column_json(st, 4),
	    "samengevoegd", sqlite3_column_int(st, 5),
	    "aangemaakt", clock_json((time_t)sqlite3_column_int64(st, 6)));

	json_object_set_new(o, "titel", db_column_json(st, 7));
	json_object_set_new(o, "gemeenteNaam", db_column_json(st, 8));
	if (with_text) {
		const char *toc = (const char *)sqlite3_column_text(st, 11);

		json_object_set_new(o, "tekst", db_column_json(st, 9));
		json_object_set_new(o, "html", db_column_json(st, 10));
		json_object_set_new(o, "inhoudsopgave", toc != NULL ?
		    json_loads(toc, 0, NULL) : json_array());
	}
	return o;
}

#define REVISION_COLUMNS \
	"v.versie, v.basis, v.gemeente, v.bericht, v.voorstel, " \
	"v.samengevoegd, v.aangemaakt, v.titel, " \
	"(SELECT naam FROM gemeenten WHERE code = v.gemeente), v.tekst, " \
	"v.html, v.inhoud"

/*
 * Revision versie of pk with its text into *out (caller owns). Returns 0,
 * MEENT_NOTFOUND or -1.
 */
int
guideline_store_revision(struct db *db, long pk, long versie, json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " REVISION_COLUMNS
	    " FROM richtlijn_versies v WHERE v.richtlijn = ?1 AND v.versie = ?2");
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int64(st, 2, versie);
	if ((rc = db_step_row(db, st, "guideline revision")) == 1)
		*out = guideline_store_revision_row(st, true);
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? MEENT_NOTFOUND : -1;
}

/* All revisions of pk, newest first, without their text; NULL on an error. */
json_t *
guideline_store_revisions(struct db *db, long pk)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " REVISION_COLUMNS
	    " FROM richtlijn_versies v WHERE v.richtlijn = ?1"
	    " ORDER BY v.versie DESC");
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pk);
	list = json_array();
	while ((rc = db_step_row(db, st, "guideline revisions")) == 1)
		json_array_append_new(list, guideline_store_revision_row(st,
		    false));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * A page of guidelines: slug, title, head, maintainers' count, adoptions;
 * *total of them all. NULL on a database error.
 */
json_t *
guideline_store_list(struct db *db, int page, int page_size, long *total)
{
	/* head 0: a federated head whose revisions are not here yet. */
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM richtlijnen"
	    " WHERE head > 0");
	json_t *list;
	int rc;

	*total = 0;
	if (st == NULL)
		return NULL;
	rc = db_step_row(db, st, "guideline count");
	if (rc == 1)
		*total = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != 1)
		return NULL;	/* count(*) has a row: no row is an error */
	st = db_stmt(db, "SELECT r.slug, r.titel, r.head, r.gewijzigd,"
	    " (SELECT count(*) FROM richtlijn_adopties a WHERE a.richtlijn ="
	    " r.pk), (SELECT count(*) FROM richtlijn_voorstellen p WHERE"
	    " p.richtlijn = r.pk AND p.status = 'open'),"
	    " (SELECT name FROM fed_origins WHERE uuid = r.origin)"
	    " FROM richtlijnen r WHERE r.head > 0"
	    " ORDER BY r.titel COLLATE NOCASE LIMIT ?1 OFFSET ?2");
	if (st == NULL)
		return NULL;
	sqlite3_bind_int(st, 1, page_size);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(page - 1) * page_size);
	list = json_array();
	while ((rc = db_step_row(db, st, "guideline list")) == 1) {
		char href[128];
		json_t *item;

		snprintf(href, sizeof href, "/api/v1/richtlijnen/%s",
		    sqlite3_column_text(st, 0));
		item = json_pack("{s:o, s:o, s:I, s:o, "
		    "s:I, s:I, s:{s:{s:s}, s:{s:s}}}", "slug",
		    db_column_json(st, 0), "titel", db_column_json(st, 1),
		    "versie", (json_int_t)sqlite3_column_int64(st, 2),
		    "gewijzigd", clock_json((time_t)sqlite3_column_int64(st, 3)),
		    "adopties", (json_int_t)sqlite3_column_int64(st, 4),
		    "openVoorstellen", (json_int_t)sqlite3_column_int64(st, 5),
		    "_links", "self", "href", href, "html", "href", href + 7);
		/* From another instance (federation): which one. */
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			json_object_set_new(item, "herkomst",
			    db_column_json(st, 6));
		json_array_append_new(list, item);
	}
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * The newest guidelines, for the feed of new ones: [{slug, titel, versie,
 * aangemaakt, gewijzigd (seconds), gemeenteNaam}], newest first. Caller
 * owns; NULL on a database error.
 */
json_t *
guideline_store_newest(struct db *db, int limit)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT r.slug, r.titel, r.head,"
	    " r.aangemaakt, r.gewijzigd,"
	    " (SELECT naam FROM gemeenten WHERE code = r.gemeente)"
	    " FROM richtlijnen r WHERE r.head > 0"
	    " ORDER BY r.aangemaakt DESC, r.pk DESC LIMIT ?1");
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int(st, 1, limit);
	list = json_array();
	while ((rc = db_step_row(db, st, "guideline newest")) == 1)
		json_array_append_new(list, json_pack("{s:o, s:o, s:I, s:I, "
		    "s:I, s:o}", "slug", db_column_json(st, 0), "titel",
		    db_column_json(st, 1), "versie",
		    (json_int_t)sqlite3_column_int64(st, 2), "aangemaakt",
		    (json_int_t)sqlite3_column_int64(st, 3), "gewijzigd",
		    (json_int_t)sqlite3_column_int64(st, 4), "gemeenteNaam",
		    db_column_json(st, 5)));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* Replace the maintainers of pk with the codes in list (validated). */
int
guideline_store_set_maintainers(struct db *db, long pk, json_t *list)
{
	sqlite3_stmt *st;
	json_t *v;
	size_t i;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "DELETE FROM richtlijn_beheerders WHERE richtlijn ="
	    " ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, pk);
	if (db_step_done(db, st, "maintainers") == -1)
		goto fail;
	json_array_foreach(list, i, v) {
		st = db_stmt(db, "INSERT OR IGNORE INTO richtlijn_beheerders"
		    " (richtlijn, gemeente) VALUES (?1, ?2)");
		if (st == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, pk);
		sqlite3_bind_text(st, 2, json_string_value(v), -1,
		    SQLITE_STATIC);
		if (db_step_done(db, st, "maintainers") == -1)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	cache_bump();
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* Rename: a new title for the guideline (its revisions keep theirs). */
int
guideline_store_set_title(struct db *db, long pk, const char *titel)
{
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "UPDATE richtlijnen SET titel = ?2 WHERE pk = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_text(st, 2, titel, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "guideline title") == -1 ||
	    db_commit(db) == -1)
		goto fail;
	cache_bump();
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/*
 * A maintainer's PUT: a new title (NULL: kept) and maintainers (NULL:
 * kept), both or neither. Returns 0 or -1.
 */
int
guideline_store_change(struct db *db, long pk, const char *titel,
    json_t *maintainers)
{
	if (db_begin(db) == -1)
		return -1;
	if ((titel != NULL && guideline_store_set_title(db, pk, titel) == -1) ||
	    (maintainers != NULL && guideline_store_set_maintainers(db, pk,
	    maintainers) == -1) || db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* ----- proposals ----- */

#define PROPOSAL_COLUMNS \
	"p.pk, p.basis, p.bericht, p.gemeente, p.status, p.reden, p.versie, " \
	"p.aangemaakt, p.besloten, (SELECT naam FROM gemeenten WHERE code =" \
	" p.gemeente), p.tekst"

static json_t *
guideline_store_proposal_row(sqlite3_stmt *st, bool with_text)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "basis", (json_int_t)sqlite3_column_int64(st, 1),
	    "bericht", db_column_json(st, 2),
	    "gemeente", db_column_json(st, 3),
	    "status", db_column_json(st, 4),
	    "reden", db_column_json(st, 5),
	    "versie", db_column_json(st, 6),
	    "aangemaakt", clock_json((time_t)sqlite3_column_int64(st, 7)),
	    "gemeenteNaam", db_column_json(st, 9));

	json_object_set_new(o, "besloten", sqlite3_column_type(st, 8) ==
	    SQLITE_NULL ? json_null() :
	    clock_json((time_t)sqlite3_column_int64(st, 8)));
	if (with_text)
		json_object_set_new(o, "tekst", db_column_json(st, 10));
	return o;
}

static int guideline_store_propose_lf(struct db *, const struct guideline *,
    const struct revision *, const char *, const char *, long *);

/*
 * A new open proposal; its id into *id. Its text and message are stored
 * with LF line ends. Returns 0, MEENT_NOTFOUND (no such base) or -1.
 */
int
guideline_store_propose(struct db *db, const struct guideline *g,
    const struct revision *r, long *id)
{
	char *tekst, *bericht;
	int rc;

	if (r->basis < 1 || r->basis > g->head)
		return MEENT_NOTFOUND;
	tekst = guideline_text_lf(r->tekst);
	bericht = guideline_text_lf(r->bericht);
	rc = guideline_store_propose_lf(db, g, r, tekst, bericht, id);
	free(tekst);
	free(bericht);
	return rc;
}

/* guideline_store_propose() with its texts made LF. */
static int
guideline_store_propose_lf(struct db *db, const struct guideline *g,
    const struct revision *r, const char *tekst, const char *bericht,
    long *id)
{
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO richtlijn_voorstellen (richtlijn, basis,"
	    " tekst, bericht, gemeente, status, aangemaakt) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, 'open', ?6)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, g->pk);
	sqlite3_bind_int64(st, 2, r->basis);
	sqlite3_bind_text(st, 3, tekst, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, bericht, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)r->aangemaakt);
	if (db_step_done(db, st, "propose") == -1)
		goto fail;
	*id = (long)sqlite3_last_insert_rowid(db_handle(db));
	if (db_commit(db) == -1)
		goto fail;
	cache_bump();
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/*
 * One proposal of pk (with its text) into *out (caller owns). Returns 0,
 * MEENT_NOTFOUND or -1.
 */
int
guideline_store_proposal(struct db *db, long pk, long id, json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PROPOSAL_COLUMNS
	    " FROM richtlijn_voorstellen p WHERE p.richtlijn = ?1 AND p.pk = ?2");
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = db_step_row(db, st, "guideline proposal")) == 1)
		*out = guideline_store_proposal_row(st, true);
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? MEENT_NOTFOUND : -1;
}

/* The proposals of pk, open ones first, newest first; NULL on an error. */
json_t *
guideline_store_proposals(struct db *db, long pk)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PROPOSAL_COLUMNS
	    " FROM richtlijn_voorstellen p WHERE p.richtlijn = ?1"
	    " ORDER BY p.status = 'open' DESC, p.pk DESC");
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pk);
	list = json_array();
	while ((rc = db_step_row(db, st, "guideline proposals")) == 1)
		json_array_append_new(list, guideline_store_proposal_row(st,
		    false));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * Close open proposal id of guideline pk: aanvaard (with the revision it
 * became) or afgewezen. The proposal is named by its guideline and its id
 * together: another guideline's proposal is not there, whatever its id.
 * Returns 0, MEENT_NOTFOUND (pk has no proposal id), MEENT_CONFLICT (it was
 * decided already) or -1. The reason is stored with LF line ends.
 */
static int guideline_store_decide_lf(struct db *, long, long, const char *,
    const char *, long);

int
guideline_store_decide(struct db *db, long pk, long id, const char *status,
    const char *reden, long versie)
{
	char *lf = guideline_text_lf(reden);
	int rc;

	rc = guideline_store_decide_lf(db, pk, id, status, lf, versie);
	free(lf);
	return rc;
}

/* guideline_store_decide() with the reason made LF. */
static int
guideline_store_decide_lf(struct db *db, long pk, long id, const char *status,
    const char *reden, long versie)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "UPDATE richtlijn_voorstellen SET"
	    " status = ?3, reden = ?4, versie = ?5, besloten = ?6"
	    " WHERE richtlijn = ?1 AND pk = ?2 AND status = 'open'");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	db_bind_text(st, 4, reden);
	if (versie > 0)
		sqlite3_bind_int64(st, 5, versie);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "decide") == -1)
		goto fail;
	if (sqlite3_changes(db_handle(db)) == 1) {
		if (db_commit(db) == -1)
			goto fail;
		cache_bump();
		return 0;
	}
	/* Nothing changed: another guideline's, or decided already. */
	st = db_stmt(db, "SELECT 1 FROM richtlijn_voorstellen"
	    " WHERE richtlijn = ?1 AND pk = ?2");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int64(st, 2, id);
	rc = db_step_row(db, st, "decide");
	sqlite3_reset(st);
	if (rc == -1)
		goto fail;
	db_rollback(db);
	return rc == 1 ? MEENT_CONFLICT : MEENT_NOTFOUND;
fail:
	db_rollback(db);
	return -1;
}

/*
 * Accept open proposal id of g: its text becomes a revision on its base,
 * merged like any revision and credited to the proposer, and the proposal
 * is closed with that revision, in one transaction (two maintainers
 * accepting at once make one revision). rev gets what was written (free
 * with revision_free). Returns 0, MEENT_CONFLICT (with *conflicts: the
 * proposal collides with later edits and stays open; without: it was
 * decided already), MEENT_INVALID (merged, too large; it stays open too),
 * MEENT_NOTFOUND (g has no proposal id) or -1.
 */
int
guideline_store_accept(struct db *db, struct guideline *g, long id,
    struct revision *rev, json_t **conflicts)
{
	json_t *p = NULL;
	int rc;

	*conflicts = NULL;
	memset(rev, 0, sizeof *rev);
	if (db_begin(db) == -1)
		return -1;
	if ((rc = guideline_store_proposal(db, g->pk, id, &p)) != 0)
		goto out;	/* not there (MEENT_NOTFOUND), or -1 */
	if (strcmp(json_string_value(json_object_get(p, "status")), "open") !=
	    0) {
		rc = MEENT_CONFLICT;
		goto out;
	}
	rev->basis = (long)json_integer_value(json_object_get(p, "basis"));
	rev->owned = xstrdup(json_string_value(json_object_get(p, "tekst")));
	rev->tekst = rev->owned;
	rev->owned_bericht = xstrdup(json_string_value(json_object_get(p,
	    "bericht")));
	rev->bericht = rev->owned_bericht;
	rev->owned_gemeente = xstrdup(json_string_value(json_object_get(p,
	    "gemeente")));
	rev->gemeente = rev->owned_gemeente;
	rev->voorstel = id;
	rev->aangemaakt = time(NULL);
	rc = guideline_store_revise(db, g, rev, conflicts);
	if (rc == 0 && guideline_store_decide(db, g->pk, id, "aanvaard", NULL,
	    rev->versie) != 0)
		rc = -1;
out:
	json_decref(p);
	if (rc != 0) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db) == -1 ? -1 : 0;
}

/* ----- adoptions ----- */

/*
 * gemeente follows pk: pinned to versie when > 0, the newest when 0; again
 * with versie >= 0: the pin is set anew and the adoption becomes this
 * instance's. versie GUIDELINE_ADOPT_AS_IS (the button on the page):
 * followed as it is, or else the newest; a second time changes nothing.
 */
int
guideline_store_adopt(struct db *db, long pk, const char *gemeente,
    long versie)
{
	static const char *const set_sql = "INSERT INTO richtlijn_adopties"
	    " (richtlijn, gemeente, versie, sinds) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (richtlijn, gemeente) DO UPDATE SET versie = ?3,"
	    " origin = NULL";	/* adopted here: this instance's now */
	static const char *const keep_sql = "INSERT INTO richtlijn_adopties"
	    " (richtlijn, gemeente, versie, sinds) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (richtlijn, gemeente) DO NOTHING";
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, versie < 0 ? keep_sql : set_sql);
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	if (versie > 0)
		sqlite3_bind_int64(st, 3, versie);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "adopt") == -1 || db_commit(db) == -1)
		goto fail;
	cache_bump();
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* Withdraw. Returns 0, MEENT_NOTFOUND (did not follow it) or -1. */
int
guideline_store_unadopt(struct db *db, long pk, const char *gemeente)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "DELETE FROM richtlijn_adopties"
	    " WHERE richtlijn = ?1 AND gemeente = ?2 AND origin IS NULL");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "unadopt") == -1)
		goto fail;
	rc = sqlite3_changes(db_handle(db)) == 1 ? 0 : MEENT_NOTFOUND;
	if (db_commit(db) == -1)
		goto fail;
	cache_bump();
	return rc;
fail:
	db_rollback(db);
	return -1;
}

/*
 * Does gemeente follow pk? GUIDELINE_FOLLOWS_NOT, _HERE (it can stop here),
 * _ELSEWHERE (the adoption came from another instance, which alone can
 * withdraw it), or -1 on a database error.
 */
int
guideline_store_follows(struct db *db, long pk, const char *gemeente)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT origin IS NULL FROM"
	    " richtlijn_adopties WHERE richtlijn = ?1 AND gemeente = ?2");
	int rc, here = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "guideline follows");
	if (rc == 1)
		here = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	return rc == 0 ? GUIDELINE_FOLLOWS_NOT : here ? GUIDELINE_FOLLOWS_HERE :
	    GUIDELINE_FOLLOWS_ELSEWHERE;
}

/*
 * The municipalities following pk that match f (NULL: all; its filters as
 * municipality_list() takes them, bound by municipality_filter_bind() to
 * ?1..?4), by name: [{gemeente, naam, provincie, grootteklasse,
 * grootteklasseTekst, versie, sinds}]; NULL on a database error. At most
 * one row per municipality, so at most the 342 of them: no pages.
 */
json_t *
guideline_store_adoptions(struct db *db, long pk,
    const struct municipality_filter *f)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT a.gemeente, g.naam,"
	    " g.provincie, g.grootteklasse, a.versie, a.sinds"
	    " FROM richtlijn_adopties a JOIN gemeenten g ON g.code = a.gemeente"
	    " WHERE a.richtlijn = ?5"
	    " AND (?1 IS NULL OR g.provincie = ?1)"
	    " AND (?2 IS NULL OR g.grootteklasse = ?2)"
	    " AND (?3 IS NULL OR (g.lid_sinds IS NOT NULL) = ?3)"
	    " AND (?4 IS NULL OR instr(lower(g.naam), lower(?4)) > 0"
	    " OR instr(lower(g.naam_kort), lower(?4)) > 0)"
	    " ORDER BY g.naam_kort COLLATE NOCASE, g.code");
	json_t *list;
	int rc, klasse;

	if (st == NULL)
		return NULL;
	if (f != NULL)
		municipality_filter_bind(st, f);
	sqlite3_bind_int64(st, 5, pk);
	list = json_array();
	while ((rc = db_step_row(db, st, "guideline adoptions")) == 1) {
		klasse = sqlite3_column_int(st, 3);
		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:i, s:o,"
		    " s:o, s:o}", "gemeente", db_column_json(st, 0),
		    "naam", db_column_json(st, 1),
		    "provincie", db_column_json(st, 2),
		    "grootteklasse", klasse,
		    "grootteklasseTekst", json_sprintf("%s inwoners",
		    municipality_class_label(klasse)),
		    "versie", db_column_json(st, 4),
		    "sinds", clock_json((time_t)sqlite3_column_int64(st, 5))));
	}
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * The provinces of pk's followers, for a filter's choices: [{provincie,
 * aantal}] by name; NULL on a database error.
 */
json_t *
guideline_store_adopter_provinces(struct db *db, long pk)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT g.provincie, count(*)"
	    " FROM richtlijn_adopties a JOIN gemeenten g ON g.code = a.gemeente"
	    " WHERE a.richtlijn = ?1 GROUP BY g.provincie ORDER BY g.provincie");
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pk);
	list = json_array();
	while ((rc = db_step_row(db, st, "guideline adopter provinces")) == 1)
		json_array_append_new(list, json_pack("{s:o, s:I}",
		    "provincie", db_column_json(st, 0),
		    "aantal", (json_int_t)sqlite3_column_int64(st, 1)));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* Is there any guideline yet (for the seed)? 1, 0 or -1. */
int
guideline_store_present(struct db *db)
{
	return db_exists(db, "SELECT 1 FROM richtlijnen LIMIT 1", NULL);
}
