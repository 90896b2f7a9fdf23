/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Municipalities (gemeenten): the reference data of all 342, their CBS size
 * class, and membership of this instance.
 *
 * A municipality becomes a member when its first account (a user or an API
 * token) is made here; lid_sinds records when.
 */
#include "domain/domain.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The CBS size classes (gemeentegrootteklasse) by inhabitants. */
const struct choice municipality_classes[] = {
	{ "1", "minder dan 5.000", NULL },
	{ "2", "5.000 tot 10.000", NULL },
	{ "3", "10.000 tot 20.000", NULL },
	{ "4", "20.000 tot 50.000", NULL },
	{ "5", "50.000 tot 100.000", NULL },
	{ "6", "100.000 tot 150.000", NULL },
	{ "7", "150.000 tot 250.000", NULL },
	{ "8", "250.000 of meer", NULL },
	{ NULL, NULL, NULL }
};

/* CBS gemeentegrootteklasse 1-8 from the number of inhabitants. */
int
municipality_size_class(long inhabitants)
{
	static const long upper[] = { 5000, 10000, 20000, 50000, 100000,
	    150000, 250000 };

	for (size_t i = 0; i < nitems(upper); i++)
		if (inhabitants < upper[i])
			return (int)i + 1;
	return 8;
}

/* A size class in words ("5.000 tot 10.000"), or "" for none. */
const char *
municipality_class_label(int klasse)
{
	return klasse >= 1 && klasse <= 8 ?
	    municipality_classes[klasse - 1].label : "";
}

/* "GM" and four digits. */
bool
municipality_code_valid(const char *code)
{
	if (code == NULL || strlen(code) != 6 || code[0] != 'G' ||
	    code[1] != 'M')
		return false;
	for (int i = 2; i < 6; i++)
		if (!isdigit((unsigned char)code[i]))
			return false;
	return true;
}

#define GEMEENTE_COLUMNS \
	"code, cbs_code, naam, naam_kort, provincie, inwoners, " \
	"inwoners_jaar, grootteklasse, oppervlakte_km2, lid_sinds"

/* The public JSON of the row that st stands on (columns as above). */
static json_t *
gemeente_row_json(sqlite3_stmt *st)
{
	double area = sqlite3_column_double(st, 8);
	long inhabitants = (long)sqlite3_column_int64(st, 5);
	json_t *o;

	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:i, s:i, s:f, s:f}",
	    "code", db_column_json(st, 0),
	    "cbsCode", db_column_json(st, 1),
	    "naam", db_column_json(st, 2),
	    "naamKort", db_column_json(st, 3),
	    "provincie", db_column_json(st, 4),
	    "inwoners", (json_int_t)inhabitants,
	    "inwonersJaar", sqlite3_column_int(st, 6),
	    "grootteklasse", sqlite3_column_int(st, 7),
	    "oppervlakteKm2", area,
	    "dichtheid", area > 0 ? (double)(long)(inhabitants / area * 10) /
	    10.0 : 0.0);
	json_object_set_new(o, "grootteklasseTekst", json_sprintf("%s inwoners",
	    municipality_class_label(sqlite3_column_int(st, 7))));
	if (sqlite3_column_type(st, 9) == SQLITE_NULL) {
		json_object_set_new(o, "lid", json_false());
	} else {
		json_object_set_new(o, "lid", json_true());
		json_object_set_new(o, "lidSinds",
		    clock_json((time_t)sqlite3_column_int64(st, 9)));
	}
	return o;
}

/*
 * One municipality as JSON into *out (caller owns). Returns MEENT_OK,
 * MEENT_NOTFOUND for an unknown code, or MEENT_ERR (logged).
 */
int
municipality_get(struct db *db, const char *code, json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " GEMEENTE_COLUMNS
	    " FROM gemeenten WHERE code = ?1");
	int rc;

	*out = NULL;
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "municipality_get");
	if (rc == 1)
		*out = gemeente_row_json(st);
	sqlite3_reset(st);
	return rc == 1 ? MEENT_OK : rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
}

/*
 * The condition of the list statements on ?1..?4 (municipality_filter_bind).
 * The name matches case-insensitively as SQLite's lower() does: ASCII only,
 * which is enough for the names of Dutch municipalities (their accented
 * letters are lower case, as in Súdwest-Fryslân).
 */
#define GEMEENTE_WHERE \
	" WHERE (?1 IS NULL OR provincie = ?1)" \
	" AND (?2 IS NULL OR grootteklasse = ?2)" \
	" AND (?3 IS NULL OR (lid_sinds IS NOT NULL) = ?3)" \
	" AND (?4 IS NULL OR instr(lower(naam), lower(?4)) > 0" \
	" OR instr(lower(naam_kort), lower(?4)) > 0)"

/*
 * A page of municipalities matching f, ordered by code (or by name with
 * f->by_name). *total is the number matching. Returns a JSON array (caller
 * owns) or NULL on error.
 */
json_t *
municipality_list(struct db *db, const struct municipality_filter *f, int page,
    int page_size, long *total)
{
	static const char *const count_sql = "SELECT count(*) FROM gemeenten"
	    GEMEENTE_WHERE;
	static const char *const page_sql = "SELECT " GEMEENTE_COLUMNS
	    " FROM gemeenten" GEMEENTE_WHERE
	    " ORDER BY CASE WHEN ?7 THEN naam_kort ELSE code END"
	    " COLLATE NOCASE, code LIMIT ?5 OFFSET ?6";
	sqlite3_stmt *st;
	json_t *items;
	int rc;

	st = db_stmt(db, count_sql);
	if (st == NULL)
		return NULL;
	municipality_filter_bind(st, f);
	if (db_step_row(db, st, "municipality_list count") != 1) {
		sqlite3_reset(st);
		return NULL;	/* count(*) has a row: no row is an error */
	}
	*total = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	st = db_stmt(db, page_sql);
	if (st == NULL)
		return NULL;
	municipality_filter_bind(st, f);
	sqlite3_bind_int(st, 5, page_size);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)(page - 1) * page_size);
	sqlite3_bind_int(st, 7, f->by_name);
	items = json_array();
	while ((rc = db_step_row(db, st, "municipality_list")) == 1)
		json_array_append_new(items, gemeente_row_json(st));
	if (rc == -1) {
		json_decref(items);
		return NULL;
	}
	return items;
}

/* Bind a filter to ?1..?4 of the list statements. */
void
municipality_filter_bind(sqlite3_stmt *st, const struct municipality_filter *f)
{
	db_bind_text(st, 1, f->provincie);
	if (f->grootteklasse > 0)
		sqlite3_bind_int(st, 2, f->grootteklasse);
	if (f->lid >= 0)
		sqlite3_bind_int(st, 3, f->lid);
	db_bind_text(st, 4, f->q);
}

/*
 * The province whose name is name but for case ("noord-holland"), copied
 * as the reference data spells it into out. 1, 0 (none) or -1.
 */
int
municipality_province_find(struct db *db, const char *name, char *out,
    size_t outsize)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT provincie FROM gemeenten"
	    " WHERE lower(provincie) = lower(?1) LIMIT 1");
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, name);
	rc = db_step_row(db, st, "municipality_province_find");
	if (rc == 1)
		snprintf(out, outsize, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc;
}

/* The provinces (twelve), by name: a JSON array of strings, or NULL. */
json_t *
municipality_provinces(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT DISTINCT provincie FROM"
	    " gemeenten ORDER BY provincie");
	json_t *a;
	int rc;

	if (st == NULL)
		return NULL;
	a = json_array();
	while ((rc = db_step_row(db, st, "municipality_provinces")) == 1)
		json_array_append_new(a, db_column_json(st, 0));
	if (rc == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/*
 * The guidelines code maintains (adopted false) or follows (true), by
 * title: [{slug, titel, versie (the newest), and for those it follows
 * gevolgdeVersie (null: always the newest) and sinds}]. Guidelines are
 * public. NULL on a database error.
 */
json_t *
municipality_guidelines(struct db *db, const char *code, bool adopted)
{
	sqlite3_stmt *st = db_stmt(db, adopted ?
	    "SELECT r.slug, r.titel, r.head, a.versie, a.sinds"
	    " FROM richtlijn_adopties a JOIN richtlijnen r"
	    " ON r.pk = a.richtlijn"
	    " WHERE a.gemeente = ?1 ORDER BY r.titel COLLATE NOCASE, r.pk"
	    " LIMIT 500" :
	    "SELECT r.slug, r.titel, r.head"
	    " FROM richtlijn_beheerders b JOIN richtlijnen r"
	    " ON r.pk = b.richtlijn"
	    " WHERE b.gemeente = ?1 ORDER BY r.titel COLLATE NOCASE, r.pk"
	    " LIMIT 500");
	json_t *a, *o;
	int rc;

	if (st == NULL)
		return NULL;
	db_bind_text(st, 1, code);
	a = json_array();
	while ((rc = db_step_row(db, st, "municipality_guidelines")) == 1) {
		o = json_pack("{s:o, s:o, s:I}", "slug", db_column_json(st, 0),
		    "titel", db_column_json(st, 1),
		    "versie", (json_int_t)sqlite3_column_int64(st, 2));
		if (adopted) {
			json_object_set_new(o, "gevolgdeVersie",
			    db_column_json(st, 3));
			json_object_set_new(o, "sinds", clock_json((time_t)
			    sqlite3_column_int64(st, 4)));
		}
		json_array_append_new(a, o);
	}
	if (rc == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Is the province one of those in the reference data? 1, 0 or -1. */
int
municipality_province_exists(struct db *db, const char *provincie)
{
	return db_exists(db, "SELECT 1 FROM gemeenten WHERE provincie = ?1"
	    " LIMIT 1", provincie);
}

/* Record membership (idempotent): the first account made here. */
int
municipality_mark_member(struct db *db, const char *code)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE gemeenten SET lid_sinds = ?2"
	    " WHERE code = ?1 AND lid_sinds IS NULL");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "municipality_mark_member") == -1)
		return -1;
	cache_bump();	/* its answers say whether it is a member */
	return 0;
}

/* Is there a municipality with this code? 1, 0 or -1. */
int
municipality_exists(struct db *db, const char *code)
{
	return db_exists(db, "SELECT 1 FROM gemeenten WHERE code = ?1", code);
}

/*
 * Every municipality as [code, name], by name: for choosing one. NULL on a
 * database error.
 */
json_t *
municipality_names(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT code, naam FROM gemeenten"
	    " ORDER BY naam_kort, code");
	json_t *a;
	int rc;

	if (st == NULL)
		return NULL;
	a = json_array();
	while ((rc = db_step_row(db, st, "municipality_names")) == 1)
		json_array_append_new(a, json_pack("[o, o]",
		    db_column_json(st, 0), db_column_json(st, 1)));
	if (rc == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}
