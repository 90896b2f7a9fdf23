/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What lies on one municipality's desk, for its overview page (/mijn): its
 * own pilots (concepts and published, not the deleted ones), its datasets
 * (not the withdrawn ones), the open proposals on guidelines it maintains,
 * and its own open proposals. Every query is scoped to that municipality;
 * nothing of another's concepts ever comes out. Small rows only (no texts,
 * no tables), newest first, at most DASHBOARD_STORE_MAX of each.
 */
#include "domain/domain.h"

#include <string.h>

/* A row as JSON; one function per query (below). */
typedef json_t *(*dashboard_store_row_fn)(sqlite3_stmt *);

/*
 * Run st with gemeente as ?1 and, when origin is not NULL, origin as ?2:
 * its rows as a JSON array (caller owns), or NULL on a database error.
 */
static json_t *
dashboard_store_rows(struct db *db, sqlite3_stmt *st, const char *gemeente,
    const char *origin, dashboard_store_row_fn row, const char *what)
{
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	db_bind_text(st, 1, gemeente);
	if (origin != NULL)
		db_bind_text(st, 2, origin);
	sqlite3_bind_int(st, origin != NULL ? 3 : 2, DASHBOARD_STORE_MAX);
	list = json_array();
	while ((rc = db_step_row(db, st, what)) == 1)
		json_array_append_new(list, row(st));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

static json_t *
dashboard_store_pilot_row(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}",
	    "id", db_column_json(st, 0),
	    "titel", db_column_json(st, 1),
	    "zichtbaarheid", db_column_json(st, 2),
	    "status", db_column_json(st, 3),
	    "gewijzigd", clock_json((time_t)sqlite3_column_int64(st, 4)),
	    "lokaal", sqlite3_column_int(st, 5));
}

/*
 * gemeente's pilots that are not deleted, newest change first: id, titel,
 * zichtbaarheid, status, gewijzigd, and lokaal (written on this instance,
 * origin; only those can be edited here). NULL on a database error.
 */
json_t *
dashboard_store_pilots(struct db *db, const char *gemeente,
    const char *origin)
{
	return dashboard_store_rows(db, db_stmt(db, "SELECT id, titel,"
	    " zichtbaarheid, status, gewijzigd, origin = ?2 FROM pilots"
	    " WHERE gemeente = ?1 AND verwijderd IS NULL"
	    " ORDER BY gewijzigd DESC, pk DESC LIMIT ?3"), gemeente, origin,
	    dashboard_store_pilot_row, "dashboard pilots");
}

static json_t *
dashboard_store_dataset_row(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:o}",
	    "id", db_column_json(st, 0),
	    "indicator", db_column_json(st, 1),
	    "indicatorNaam", db_column_json(st, 2),
	    "periode", db_column_json(st, 3),
	    "status", db_column_json(st, 4),
	    "publiceerbaar", sqlite3_column_int(st, 5),
	    "gewijzigd", clock_json((time_t)sqlite3_column_int64(st, 6)));
}

/*
 * gemeente's datasets, concepts and published (a withdrawn one is gone):
 * id, indicator and its name, periode, status, publiceerbaar, gewijzigd.
 * NULL on a database error.
 */
json_t *
dashboard_store_datasets(struct db *db, const char *gemeente)
{
	return dashboard_store_rows(db, db_stmt(db, "SELECT d.id, d.indicator,"
	    " coalesce(i.naam, d.indicator), d.periode, d.status,"
	    " d.publiceerbaar, d.gewijzigd FROM datasets d"
	    " LEFT JOIN indicatoren i ON i.id = d.indicator"
	    " WHERE d.gemeente = ?1 AND d.status <> 'ingetrokken'"
	    " ORDER BY d.gewijzigd DESC, d.pk DESC LIMIT ?2"), gemeente, NULL,
	    dashboard_store_dataset_row, "dashboard datasets");
}

static json_t *
dashboard_store_proposal_row(sqlite3_stmt *st)
{
	return json_pack("{s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
	    "richtlijn", db_column_json(st, 0),
	    "richtlijnTitel", db_column_json(st, 1),
	    "id", (json_int_t)sqlite3_column_int64(st, 2),
	    "bericht", db_column_json(st, 3),
	    "gemeente", db_column_json(st, 4),
	    "gemeenteNaam", db_column_json(st, 5),
	    "aangemaakt", clock_json((time_t)sqlite3_column_int64(st, 6)));
}

#define DASHBOARD_STORE_PROPOSAL_COLUMNS \
	"r.slug, r.titel, p.pk, p.bericht, p.gemeente," \
	" coalesce(g.naam, p.gemeente), p.aangemaakt"

/*
 * The open proposals waiting for gemeente's decision: on guidelines it
 * maintains that were written on this instance (origin; a guideline from
 * elsewhere is decided there). Oldest first: they have waited longest.
 * richtlijn (slug), richtlijnTitel, id, bericht, gemeente, gemeenteNaam,
 * aangemaakt. NULL on a database error.
 */
json_t *
dashboard_store_proposals_waiting(struct db *db, const char *gemeente,
    const char *origin)
{
	return dashboard_store_rows(db, db_stmt(db, "SELECT "
	    DASHBOARD_STORE_PROPOSAL_COLUMNS " FROM richtlijn_voorstellen p"
	    " JOIN richtlijnen r ON r.pk = p.richtlijn"
	    " JOIN richtlijn_beheerders b ON b.richtlijn = r.pk AND"
	    " b.gemeente = ?1"
	    " LEFT JOIN gemeenten g ON g.code = p.gemeente"
	    " WHERE p.status = 'open' AND r.origin = ?2"
	    " ORDER BY p.aangemaakt, p.pk LIMIT ?3"), gemeente, origin,
	    dashboard_store_proposal_row, "dashboard proposals waiting");
}

/*
 * gemeente's own open proposals, on any guideline, newest first; the same
 * fields. NULL on a database error.
 */
json_t *
dashboard_store_proposals_own(struct db *db, const char *gemeente)
{
	return dashboard_store_rows(db, db_stmt(db, "SELECT "
	    DASHBOARD_STORE_PROPOSAL_COLUMNS " FROM richtlijn_voorstellen p"
	    " JOIN richtlijnen r ON r.pk = p.richtlijn"
	    " LEFT JOIN gemeenten g ON g.code = p.gemeente"
	    " WHERE p.gemeente = ?1 AND p.status = 'open'"
	    " ORDER BY p.aangemaakt DESC, p.pk DESC LIMIT ?2"), gemeente, NULL,
	    dashboard_store_proposal_row, "dashboard proposals own");
}
