/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Follow-ups (navolging): a municipality says that one of its own pilots
 * follows another pilot, of any municipality. Both pages show the link,
 * each side only as far as the viewer may see the pilot on the other end
 * (the visibility of pilot_store.c, in the query). Not federated.
 */
#include "domain/domain.h"

#include <string.h>
#include <time.h>

/*
 * Pilot pk (the caller's own, checked) follows the pilot with id bron,
 * which the municipality own must be able to see (not deleted). Returns 0,
 * MEENT_NOTFOUND (no such pilot for own), MEENT_CONFLICT (itself, or
 * linked already) or MEENT_ERR.
 */
int
reaction_followup_add(struct db *db, long pk, const char *bron,
    const char *own)
{
	sqlite3_stmt *st;
	sqlite3_int64 bpk;
	int rc;

	st = db_stmt(db, "SELECT pk FROM pilots WHERE id = ?1 AND"
	    " verwijderd IS NULL AND (zichtbaarheid IN ('openbaar', 'leden')"
	    " OR gemeente = ?2)");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, bron, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, own, -1, SQLITE_STATIC);
	if ((rc = db_step_row(db, st, "reaction_followup_add")) != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	bpk = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (bpk == pk)
		return MEENT_CONFLICT;
	st = db_stmt(db, "INSERT OR IGNORE INTO pilot_navolgingen (pilot,"
	    " bron, aangemaakt) VALUES (?1, ?2, ?3)");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int64(st, 2, bpk);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "reaction_followup_add") == -1)
		return MEENT_ERR;
	if (sqlite3_changes(db_handle(db)) == 0)
		return MEENT_CONFLICT;
	cache_bump();
	return 0;
}

/* Pilot pk no longer follows bron: 0, MEENT_NOTFOUND or MEENT_ERR. */
int
reaction_followup_remove(struct db *db, long pk, const char *bron)
{
	sqlite3_stmt *st;

	st = db_stmt(db, "DELETE FROM pilot_navolgingen WHERE pilot = ?1 AND"
	    " bron = (SELECT pk FROM pilots WHERE id = ?2)");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_text(st, 2, bron, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "reaction_followup_remove") == -1)
		return MEENT_ERR;
	if (sqlite3_changes(db_handle(db)) == 0)
		return MEENT_NOTFOUND;
	cache_bump();
	return 0;
}

/* One direction: the pilots on the other end that the viewer sees. */
static json_t *
reaction_followup_side(struct db *db, const char *sql, long pk, bool member,
    const char *own)
{
	sqlite3_stmt *st;
	json_t *out;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pk);
	sqlite3_bind_int(st, 2, member ? 1 : 0);
	db_bind_text(st, 3, own);
	out = json_array();
	while ((rc = db_step_row(db, st, "reaction_followup_list")) == 1)
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}",
		    "id", (const char *)sqlite3_column_text(st, 0),
		    "titel", (const char *)sqlite3_column_text(st, 1),
		    "gemeente", (const char *)sqlite3_column_text(st, 2),
		    "gemeenteNaam", (const char *)sqlite3_column_text(st, 3)));
	if (rc == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}

#define REACTION_FOLLOWUP_SEEN \
	" p.verwijderd IS NULL AND (p.zichtbaarheid = 'openbaar' OR" \
	" (p.zichtbaarheid = 'leden' AND ?2) OR p.gemeente = ?3)"

/*
 * The follow-up links of the pilot with primary key pk, as a viewer sees
 * them: {navolgingVan: [{id, titel, gemeente, gemeenteNaam}],
 * nagevolgdDoor: [...]}. Caller decrefs; NULL on error.
 */
json_t *
reaction_followup_list(struct db *db, long pk, bool member, const char *own)
{
	json_t *of, *by;

	of = reaction_followup_side(db, "SELECT p.id, p.titel, p.gemeente,"
	    " coalesce(g.naam, p.gemeente) FROM pilot_navolgingen n"
	    " JOIN pilots p ON p.pk = n.bron LEFT JOIN gemeenten g"
	    " ON g.code = p.gemeente WHERE n.pilot = ?1 AND"
	    REACTION_FOLLOWUP_SEEN " ORDER BY p.titel LIMIT 100", pk, member,
	    own);
	if (of == NULL)
		return NULL;
	by = reaction_followup_side(db, "SELECT p.id, p.titel, p.gemeente,"
	    " coalesce(g.naam, p.gemeente) FROM pilot_navolgingen n"
	    " JOIN pilots p ON p.pk = n.pilot LEFT JOIN gemeenten g"
	    " ON g.code = p.gemeente WHERE n.bron = ?1 AND"
	    REACTION_FOLLOWUP_SEEN " ORDER BY p.titel LIMIT 100", pk, member,
	    own);
	if (by == NULL) {
		json_decref(of);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "navolgingVan", of, "nagevolgdDoor",
	    by);
}
