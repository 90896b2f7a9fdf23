/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One search over everything a visitor can look for: municipalities (by
 * name or code), pilots (title, summary, text, tags), guidelines (title
 * and the newest revision's text) and indicators (name and description).
 *
 * Every kind has an FTS5 index with the same tokenizer (meent_nl: case and
 * diacritics folded, Dutch stems; migrations 2 and 11), so the one query
 * fts_query() made, with its caps (200 bytes, 12 terms, 4 prefixes of at
 * least 3 characters), means the same in each, and the caller's deadline
 * (db_deadline_set) covers the whole search. Results come grouped by kind
 * in a fixed order (search_kinds), by relevance (bm25) within a kind; a
 * page is a window over that sequence, so each kind's statement reads only
 * the rows of the page. First one statement counts every kind (the
 * facets, whatever kind was asked for).
 *
 * Fragments are the text around the matches as plain text (snippet_plain:
 * no Markdown) and as HTML with <mark> (html_fragment). Pilots are
 * filtered by the same visibility as their lists (pilot_store.c).
 */
#include "domain/domain.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

const struct choice search_kinds[] = {
	{ "gemeente", "Gemeente", NULL },
	{ "pilot", "Pilot", NULL },
	{ "richtlijn", "Richtlijn", NULL },
	{ "indicator", "Benchmark", NULL },
	{ NULL, NULL, NULL }
};

const char *const search_groups[SEARCH_NKINDS] = {
	"gemeenten", "pilots", "richtlijnen", "indicatoren"
};

/* As in pilot_store_where(): ?2 member, ?3 the caller's municipality. */
#define SEARCH_PILOT_VISIBLE \
	" p.verwijderd IS NULL AND (p.zichtbaarheid = 'openbaar' OR" \
	" (p.zichtbaarheid = 'leden' AND ?2) OR p.gemeente = ?3)"

#define SEARCH_SNIPPET(table, col) \
	" snippet(" table ", " col ", char(2), char(3), '…', 24)"

/* Each kind's page: ?1 the query, ?4 limit, ?5 offset. */
static const char *const search_sql[SEARCH_NKINDS] = {
	[SEARCH_GEMEENTE] = "SELECT g.code, g.naam, g.provincie, g.inwoners,"
	    " g.grootteklasse FROM gemeenten_fts"
	    " JOIN gemeenten g ON g.code = gemeenten_fts.code"
	    " WHERE gemeenten_fts MATCH ?1"
	    " ORDER BY bm25(gemeenten_fts, 1.0, 10.0), g.naam"
	    " LIMIT ?4 OFFSET ?5",
	/*
	 * The page's rows are chosen by rank first (x); the snippet, which
	 * reads and tokenizes a pilot's whole text, is then made for those
	 * rows only (MATCH with rowid =), not for every pilot that matches.
	 */
	[SEARCH_PILOT] = "SELECT p.id, p.titel,"
	    SEARCH_SNIPPET("pilots_fts", "-1") ", p.gemeente, g.naam,"
	    " p.provincie, p.grootteklasse"
	    " FROM (SELECT p.pk AS pk,"
	    " bm25(pilots_fts, 10.0, 4.0, 1.0, 3.0) AS score"
	    " FROM pilots_fts JOIN pilots p ON p.pk = pilots_fts.rowid"
	    " WHERE pilots_fts MATCH ?1 AND" SEARCH_PILOT_VISIBLE
	    " ORDER BY score, p.pk LIMIT ?4 OFFSET ?5) x"
	    " JOIN pilots_fts ON pilots_fts.rowid = x.pk"
	    " JOIN pilots p ON p.pk = x.pk"
	    " LEFT JOIN gemeenten g ON g.code = p.gemeente"
	    " WHERE pilots_fts MATCH ?1"
	    " ORDER BY x.score, x.pk",
	[SEARCH_RICHTLIJN] = "SELECT r.slug, r.titel,"
	    SEARCH_SNIPPET("richtlijnen_fts", "1")
	    " FROM richtlijnen_fts JOIN richtlijnen r"
	    " ON r.pk = richtlijnen_fts.rowid"
	    " WHERE richtlijnen_fts MATCH ?1 AND r.head > 0"
	    " ORDER BY bm25(richtlijnen_fts, 10.0, 1.0), r.pk"
	    " LIMIT ?4 OFFSET ?5",
	[SEARCH_INDICATOR] = "SELECT i.id, i.naam,"
	    SEARCH_SNIPPET("indicatoren_fts", "2")
	    " FROM indicatoren_fts JOIN indicatoren i"
	    " ON i.id = indicatoren_fts.id"
	    " WHERE indicatoren_fts MATCH ?1"
	    " ORDER BY bm25(indicatoren_fts, 0.0, 10.0, 1.0), i.id"
	    " LIMIT ?4 OFFSET ?5",
};

/* Where each kind's items are, in the API and on the pages. */
static const char *const search_paths[SEARCH_NKINDS][2] = {
	[SEARCH_GEMEENTE] = { "/api/v1/gemeenten/", "/gemeenten/" },
	[SEARCH_PILOT] = { "/api/v1/pilots/", "/pilots/" },
	[SEARCH_RICHTLIJN] = { "/api/v1/richtlijnen/", "/richtlijnen/" },
	[SEARCH_INDICATOR] = { "/api/v1/indicatoren/", "/benchmarks/" },
};

/* The kind named by a soort value, or -1. */
int
search_kind_parse(const char *value)
{
	for (int k = 0; k < SEARCH_NKINDS; k++)
		if (value != NULL && strcmp(search_kinds[k].value, value) == 0)
			return k;
	return -1;
}

/*
 * Why a statement stopped before SQLITE_DONE: MEENT_INTERRUPTED when the
 * deadline stopped it, MEENT_CONFLICT for a query FTS5 refused (the
 * asker's mistake, no database error), otherwise -1 (logged). Steps are
 * sqlite3_step(), not db_step_row(), for that reason (as pilot_store_list).
 */
static int
search_error(struct db *db, int rc, const char *what)
{
	if ((rc & 0xff) == SQLITE_INTERRUPT && db_deadline_expired(db))
		return MEENT_INTERRUPTED;
	if ((rc & 0xff) == SQLITE_ERROR)
		return MEENT_CONFLICT;
	db_error(db, what);
	return -1;
}

/* A statement of this file, or NULL with why in *rc. */
static sqlite3_stmt *
search_stmt(struct db *db, const char *sql, const struct search_query *q,
    int *rc)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL) {
		/* Preparing reads FTS5 structures: the deadline counts. */
		*rc = db_deadline_expired(db) ? MEENT_INTERRUPTED : -1;
		return NULL;
	}
	sqlite3_bind_text(st, 1, q->fts, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, q->member);
	if (q->own != NULL)
		sqlite3_bind_text(st, 3, q->own, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	return st;
}

/* How many of each kind match. Returns 0 or what search_error() says. */
static int
search_count(struct db *db, const struct search_query *q, long *count)
{
	sqlite3_stmt *st = NULL;
	int rc;

	st = search_stmt(db, "SELECT"
	    " (SELECT count(*) FROM gemeenten_fts WHERE gemeenten_fts MATCH ?1),"
	    " (SELECT count(*) FROM pilots_fts JOIN pilots p"
	    "  ON p.pk = pilots_fts.rowid WHERE pilots_fts MATCH ?1 AND"
	    SEARCH_PILOT_VISIBLE "),"
	    " (SELECT count(*) FROM richtlijnen_fts JOIN richtlijnen r"
	    "  ON r.pk = richtlijnen_fts.rowid WHERE richtlijnen_fts MATCH ?1"
	    "  AND r.head > 0),"
	    " (SELECT count(*) FROM indicatoren_fts"
	    "  WHERE indicatoren_fts MATCH ?1)", q, &rc);
	if (st == NULL)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		for (int k = 0; k < SEARCH_NKINDS; k++)
			count[k] = (long)sqlite3_column_int64(st, k);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : search_error(db, rc, "search_count");
}

/*
 * One result: what every kind has. marked is the fragment with its match
 * markers (\2, \3), Markdown or not; NULL for none.
 */
static json_t *
search_item(enum search_kind k, sqlite3_stmt *st, const char *marked)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	char *self = xasprintf("%s%s", search_paths[k][0], id);
	char *html = xasprintf("%s%s", search_paths[k][1], id);
	json_t *o;

	o = json_pack("{s:s, s:o, s:o, s:{s:{s:s}, s:{s:s}}}",
	    "soort", search_kinds[k].value, "id", db_column_json(st, 0),
	    "titel", db_column_json(st, 1), "_links", "self", "href", self,
	    "html", "href", html);
	if (marked != NULL) {
		char *plain = snippet_plain(marked);
		char *text = snippet_unmarked(plain);
		char *frag = html_fragment(plain);

		json_object_set_new(o, "fragment", json_string(text));
		json_object_set_new(o, "fragmentHtml", json_string(frag));
		free(plain);
		free(text);
		free(frag);
	}
	free(self);
	free(html);
	return o;
}

/* A municipality: where it is and how large, as its fragment. */
static json_t *
search_gemeente(sqlite3_stmt *st)
{
	char klasse[12], *line;
	json_t *o;

	snprintf(klasse, sizeof klasse, "%d", sqlite3_column_int(st, 4));
	line = xasprintf("Gemeente in %s, %s inwoners",
	    sqlite3_column_text(st, 2), choice_valid(municipality_classes,
	    klasse) ? choice_label(municipality_classes, klasse) : "?");
	o = search_item(SEARCH_GEMEENTE, st, line);
	json_object_set_new(o, "provincie", db_column_json(st, 2));
	json_object_set_new(o, "inwoners", json_integer(
	    sqlite3_column_int64(st, 3)));
	json_object_set_new(o, "grootteklasse", json_integer(
	    sqlite3_column_int(st, 4)));
	free(line);
	return o;
}

/*
 * A pilot's fragment: the snippet, but its tags as words when the match is
 * in the tags (a JSON list). Caller frees.
 */
static char *
search_pilot_fragment(sqlite3_stmt *st)
{
	const char *snip = (const char *)sqlite3_column_text(st, 2);
	struct evbuffer *b;
	size_t len;

	len = snip != NULL ? strlen(snip) : 0;
	if (len < 4 || strncmp(snip, "[\"", 2) != 0 ||
	    strcmp(snip + len - 2, "\"]") != 0)
		return xstrdup(snip != NULL ? snip : "");
	b = evbuffer_new();
	evbuffer_add_printf(b, "Tags: ");
	for (size_t i = 2; i < len - 2; i++) {
		if (strncmp(snip + i, "\",\"", 3) == 0) {
			evbuffer_add(b, ", ", 2);
			i += 2;
		} else if (snip[i] != '"')
			evbuffer_add(b, snip + i, 1);
	}
	return buffer_take_string(b);
}

static json_t *
search_row(enum search_kind k, sqlite3_stmt *st)
{
	json_t *o;

	if (k == SEARCH_GEMEENTE)
		return search_gemeente(st);
	if (k == SEARCH_PILOT) {
		char *frag = search_pilot_fragment(st);

		o = search_item(k, st, frag);
		free(frag);
	} else
		o = search_item(k, st, (const char *)sqlite3_column_text(st, 2));
	if (k == SEARCH_PILOT) {
		json_object_set_new(o, "gemeente", db_column_json(st, 3));
		json_object_set_new(o, "gemeenteNaam", db_column_json(st, 4));
		json_object_set_new(o, "provincie", db_column_json(st, 5));
		json_object_set_new(o, "grootteklasse", json_integer(
		    sqlite3_column_int(st, 6)));
	}
	return o;
}

/* Append kind k's results limit from offset to items. */
static int
search_kind(struct db *db, const struct search_query *q, enum search_kind k,
    long limit, long offset, json_t *items)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = search_stmt(db, search_sql[k], q, &rc)) == NULL)
		return rc;
	sqlite3_bind_int64(st, 4, limit);
	sqlite3_bind_int64(st, 5, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(items, search_row(k, st));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : search_error(db, rc, "search_kind");
}

/*
 * Run q (its fts made by fts_query) under the deadline the caller set.
 * Fills *res (free it with search_result_free, also after an error).
 * Returns 0; MEENT_CONFLICT for a query FTS5 refused; MEENT_INTERRUPTED
 * when the deadline passed; -1 on a database error. Never a partial page.
 */
int
search_run(struct db *db, const struct search_query *q,
    struct search_result *res)
{
	long offset = (long)(q->page - 1) * q->page_size;
	long limit = q->page_size;
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = search_count(db, q, res->count)) != 0)
		return rc;
	res->items = json_array();
	for (int k = 0; k < SEARCH_NKINDS; k++) {
		long n = res->count[k];

		if (q->kind != -1 && q->kind != k)
			continue;
		res->total += n;
		if (limit == 0 || n == 0)
			continue;
		if (offset >= n) {
			offset -= n;
			continue;
		}
		rc = search_kind(db, q, (enum search_kind)k,
		    n - offset < limit ? n - offset : limit, offset,
		    res->items);
		if (rc != 0) {
			json_decref(res->items);
			res->items = NULL;
			return rc;
		}
		limit -= n - offset < limit ? n - offset : limit;
		offset = 0;
	}
	return 0;
}

void
search_result_free(struct search_result *res)
{
	json_decref(res->items);
	res->items = NULL;
}

/*
 * Fill the indexes of migration 11 again from what they index (meentctl
 * reindex: after a restore, an import, a change of the tokenizer). Inside
 * the caller's transaction. 0 or -1.
 */
int
search_reindex(struct db *db)
{
	return db_exec(db, "DELETE FROM richtlijnen_fts;"
	    "INSERT INTO richtlijnen_fts (rowid, titel, tekst)"
	    " SELECT r.pk, r.titel, v.tekst FROM richtlijnen r"
	    " JOIN richtlijn_versies v ON v.richtlijn = r.pk"
	    " AND v.versie = r.head;"
	    "DELETE FROM indicatoren_fts;"
	    "INSERT INTO indicatoren_fts (id, naam, omschrijving)"
	    " SELECT id, naam, omschrijving FROM indicatoren;"
	    "DELETE FROM gemeenten_fts;"
	    "INSERT INTO gemeenten_fts (code, naam)"
	    " SELECT code, naam FROM gemeenten;");
}

/*
 * Do those indexes hold what they index: their own integrity, and one row
 * per guideline (with a head revision), indicator and municipality?
 * Returns how many do not (meentctl check), or -1 when it cannot tell.
 */
int
search_check(struct db *db)
{
	static const char *const own[] = { "richtlijnen_fts", "indicatoren_fts",
	    "gemeenten_fts" };
	sqlite3_stmt *st;
	int bad = 0, rc;

	for (size_t i = 0; i < nitems(own); i++) {
		char *sql = xasprintf("INSERT INTO %s(%s) VALUES"
		    " ('integrity-check')", own[i], own[i]);

		bad += db_exec(db, sql) == -1;
		free(sql);
	}
	st = db_stmt(db, "SELECT"
	    " (SELECT count(*) FROM richtlijnen_fts) <> (SELECT count(*)"
	    "  FROM richtlijnen r JOIN richtlijn_versies v"
	    "  ON v.richtlijn = r.pk AND v.versie = r.head),"
	    " (SELECT count(*) FROM indicatoren_fts) <>"
	    "  (SELECT count(*) FROM indicatoren),"
	    " (SELECT count(*) FROM gemeenten_fts) <>"
	    "  (SELECT count(*) FROM gemeenten)");
	if (st == NULL)
		return -1;
	rc = db_step_row(db, st, "search_check");
	if (rc == 1)
		for (int i = 0; i < 3; i++)
			bad += sqlite3_column_int(st, i);
	sqlite3_reset(st);
	return rc == 1 ? bad : -1;
}
