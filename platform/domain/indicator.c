/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The indicator catalogue: what a benchmark figure means (name, unit, kind,
 * which direction is better, the denominator it is normalised by, the
 * source) and, per period, whether its figures are provisional or final.
 *
 * Indicators are defined by the operator (seed content or meentctl
 * indicator add), from JSON checked here field by field.
 */
#include "domain/domain.h"

#include <ctype.h>
#include <string.h>

static const char *const indicator_kinds[] = { "aantal", "bedrag", "ratio",
    NULL };
static const char *const indicator_directions[] = { "hoger_beter",
    "lager_beter", "neutraal", NULL };
static const char *const indicator_denominators[] = { "per_1000_inwoners",
    NULL };

static bool
indicator_in(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

/* Lower-case letters, digits and '-', 1-64, starting with a letter/digit. */
bool
indicator_id_valid(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	if (n == 0 || n > 64 || id[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)id[i]) &&
		    !isdigit((unsigned char)id[i]) && id[i] != '-')
			return false;
	return true;
}

/* The status of a period's figures. */
bool
indicator_status_valid(const char *s)
{
	return s != NULL && (strcmp(s, "voorlopig") == 0 ||
	    strcmp(s, "definitief") == 0);
}

/* A period: a year, a quarter (2024-K1) or a month (2024-03). */
bool
indicator_period_valid(const char *p)
{
	size_t n = p != NULL ? strlen(p) : 0;

	for (size_t i = 0; i < 4 && i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	if (n == 4)
		return true;
	if (n == 7 && p[4] == '-' && p[5] == 'K')
		return p[6] >= '1' && p[6] <= '4';
	if (n == 7 && p[4] == '-' && isdigit((unsigned char)p[5]) &&
	    isdigit((unsigned char)p[6]))
		return (p[5] == '0' && p[6] >= '1') ||
		    (p[5] == '1' && p[6] <= '2');
	return false;
}

/* A required string member of o, 1..max bytes; NULL with *why otherwise. */
static const char *
indicator_string(json_t *o, const char *key, size_t max, const char **why)
{
	json_t *v = json_object_get(o, key);
	size_t n;

	if (!json_is_string(v)) {
		*why = "ontbreekt of is geen tekst";
		return NULL;
	}
	n = json_string_length(v);
	if (n == 0 || n > max) {
		*why = "moet 1 tot en met de toegestane lengte tekens hebben";
		return NULL;
	}
	return json_string_value(v);
}

/*
 * Check a definition {id, naam, omschrijving, eenheid, soort, richting,
 * noemer?, bron} into *out (borrowing o's strings). Every problem becomes
 * one call of bad(field, reason, arg). Returns 0 or -1.
 */
int
indicator_from_json(json_t *o, struct indicator *out,
    void (*bad)(void *, const char *, const char *), void *arg)
{
	static const struct { const char *key; size_t max; } text[] = {
		{ "id", 64 }, { "naam", 200 }, { "omschrijving", 2000 },
		{ "eenheid", 64 }, { "soort", 16 }, { "richting", 16 },
		{ "bron", 500 },
	};
	const char *v[nitems(text)];
	const char *why = NULL;
	json_t *noemer;
	int bad_count = 0;

	memset(out, 0, sizeof *out);
	if (!json_is_object(o)) {
		bad(arg, "", "een indicator is een JSON-object");
		return -1;
	}
	for (size_t i = 0; i < nitems(text); i++)
		if ((v[i] = indicator_string(o, text[i].key, text[i].max,
		    &why)) == NULL) {
			bad(arg, text[i].key, why);
			bad_count++;
		}
	if (v[0] != NULL && !indicator_id_valid(v[0])) {
		bad(arg, "id", "kleine letters, cijfers en '-', hoogstens 64");
		bad_count++;
	}
	if (v[4] != NULL && !indicator_in(v[4], indicator_kinds)) {
		bad(arg, "soort", "moet aantal, bedrag of ratio zijn");
		bad_count++;
	}
	if (v[5] != NULL && !indicator_in(v[5], indicator_directions)) {
		bad(arg, "richting", "moet hoger_beter, lager_beter of "
		    "neutraal zijn");
		bad_count++;
	}
	noemer = json_object_get(o, "noemer");
	if (noemer != NULL && !json_is_null(noemer) &&
	    (!json_is_string(noemer) || !indicator_in(json_string_value(noemer),
	    indicator_denominators))) {
		bad(arg, "noemer", "moet per_1000_inwoners zijn of ontbreken");
		bad_count++;
	}
	if (bad_count > 0)
		return -1;
	out->id = v[0];
	out->naam = v[1];
	out->omschrijving = v[2];
	out->eenheid = v[3];
	out->soort = v[4];
	out->richting = v[5];
	out->bron = v[6];
	out->noemer = json_is_string(noemer) ? json_string_value(noemer) : NULL;
	return 0;
}

/* Insert or update a definition. 0, or -1 on a database error. */
int
indicator_put(struct db *db, const struct indicator *in)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO indicatoren (id, naam,"
	    " omschrijving, eenheid, soort, richting, noemer, bron, origin)"
	    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT(id) DO UPDATE SET"
	    " naam=?2, omschrijving=?3, eenheid=?4, soort=?5, richting=?6,"
	    " noemer=?7, bron=?8");

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, in->id);
	db_bind_text(st, 2, in->naam);
	db_bind_text(st, 3, in->omschrijving);
	db_bind_text(st, 4, in->eenheid);
	db_bind_text(st, 5, in->soort);
	db_bind_text(st, 6, in->richting);
	db_bind_text(st, 7, in->noemer);
	db_bind_text(st, 8, in->bron);
	db_bind_text(st, 9, in->origin);
	return db_step_done(db, st, "indicator.put");
}

/* Is there an indicator id? 1, 0 or -1. */
int
indicator_exists(struct db *db, const char *id)
{
	return db_exists(db, "SELECT 1 FROM indicatoren WHERE id = ?1", id);
}

/* The periods of an indicator with their status, oldest first; or NULL. */
static json_t *
indicator_periods_json(struct db *db, const char *id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT periode, status FROM"
	    " indicator_perioden WHERE indicator = ? ORDER BY periode");
	json_t *a;
	int rc;

	if (st == NULL)
		return NULL;
	db_bind_text(st, 1, id);
	a = json_array();
	while ((rc = db_step_row(db, st, "indicator periods")) == 1)
		json_array_append_new(a, json_pack("{s:o, s:o}",
		    "periode", db_column_json(st, 0),
		    "status", db_column_json(st, 1)));
	if (rc == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}

#define INDICATOR_COLUMNS \
	"id, naam, omschrijving, eenheid, soort, richting, noemer, bron"

/* The JSON of the row st stands on, with its periods; NULL on an error. */
static json_t *
indicator_row_json(struct db *db, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	json_t *periods = indicator_periods_json(db, id);

	if (periods == NULL)
		return NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "id", db_column_json(st, 0),
	    "naam", db_column_json(st, 1),
	    "omschrijving", db_column_json(st, 2),
	    "eenheid", db_column_json(st, 3),
	    "soort", db_column_json(st, 4),
	    "richting", db_column_json(st, 5),
	    "noemer", db_column_json(st, 6),
	    "bron", db_column_json(st, 7),
	    "perioden", periods);
}

/*
 * One indicator as JSON into *out (caller owns). Returns MEENT_OK,
 * MEENT_NOTFOUND or MEENT_ERR.
 */
int
indicator_get(struct db *db, const char *id, json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " INDICATOR_COLUMNS
	    " FROM indicatoren WHERE id = ?");
	int rc;

	*out = NULL;
	if (st == NULL)
		return MEENT_ERR;
	db_bind_text(st, 1, id);
	rc = db_step_row(db, st, "indicator_get");
	if (rc == 1) {
		/* The periods query reuses no statement of ours: safe. */
		*out = indicator_row_json(db, st);
		if (*out == NULL)
			rc = -1;
	}
	sqlite3_reset(st);
	return rc == 1 ? MEENT_OK : rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
}

/* The whole catalogue, by name; NULL on a database error. */
json_t *
indicator_list(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM indicatoren"
	    " ORDER BY naam, id");
	json_t *ids, *out, *v;
	size_t i;
	int rc;

	if (st == NULL)
		return NULL;
	/* Collect ids first: indicator_get() uses the statement cache. */
	ids = json_array();
	while ((rc = db_step_row(db, st, "indicator_list")) == 1)
		json_array_append_new(ids, db_column_json(st, 0));
	if (rc == -1) {
		json_decref(ids);
		return NULL;
	}
	out = json_array();
	json_array_foreach(ids, i, v) {
		json_t *o;

		rc = indicator_get(db, json_string_value(v), &o);
		if (rc == MEENT_ERR) {
			json_decref(out);
			out = NULL;
			break;
		}
		if (rc == MEENT_OK)	/* else gone meanwhile */
			json_array_append_new(out, o);
	}
	json_decref(ids);
	return out;
}

/*
 * Where each indicator's figures come from, for lists that name it:
 * {id: {"publiek": true when a public table gave figures, "gemeenten":
 * how many municipalities published their own}}. NULL on a database error.
 */
json_t *
indicator_sources(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT indicator, 1, 0 FROM"
	    " (SELECT DISTINCT indicator FROM indicator_waarden WHERE bron NOT"
	    " LIKE 'upload %') UNION ALL SELECT indicator, 0, count(DISTINCT"
	    " gemeente) FROM datasets WHERE status = 'gepubliceerd' GROUP BY"
	    " indicator");
	json_t *out;
	int rc;

	if (st == NULL)
		return NULL;
	out = json_object();
	while ((rc = db_step_row(db, st, "indicator sources")) == 1) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		json_t *o = json_object_get(out, id);

		if (o == NULL) {
			o = json_pack("{s:b, s:i}", "publiek", 0, "gemeenten",
			    0);
			json_object_set_new(out, id, o);
		}
		if (sqlite3_column_int(st, 1))
			json_object_set_new(o, "publiek", json_true());
		else
			json_object_set_new(o, "gemeenten", json_integer(
			    sqlite3_column_int64(st, 2)));
	}
	if (rc == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}
