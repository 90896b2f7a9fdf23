/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Contact persons ("ambassadors"): a signed-in user offers to be asked
 * about their municipality, a domain, or one of the municipality's pilots,
 * with a name, a function, a work address and what they can help with.
 *
 * Who sees an entry: signed-in members of this instance; everyone only
 * when the person chose openbaar. An entry for a pilot is seen only by
 * whoever may see that pilot (the pilot's visibility is part of every
 * query, as in pilot_store.c). Entries are never federated.
 *
 * An entry goes at once when its person withdraws it (only their own:
 * another's id is "not found"), when the account is deleted (ON DELETE
 * CASCADE) and when it is disabled (a trigger, migration 16), whichever
 * code does that.
 */
#include "domain/domain.h"

#include <string.h>
#include <time.h>

const struct choice contact_kinds[] = {
	{ "gemeente", "De gemeente", "vragen over wat de gemeente doet" },
	{ "domein", "Een domein", "vragen over één domein" },
	{ "pilot", "Een pilot", "vragen over één pilot van de gemeente" },
	{ NULL, NULL, NULL }
};

/* Code points of valid UTF-8. */
static size_t
contact_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Why the text s is not acceptable, or NULL: valid UTF-8 of min..max
 * characters; single_line: no control characters at all (a name or a
 * function may end up in a message; CR/LF never do), else only LF and TAB.
 * reason (size bytes) holds the Dutch reason.
 */
const char *
contact_text_reason(const char *s, size_t min, size_t max, bool single_line,
    char *reason, size_t size)
{
	size_t n;

	if (s == NULL)
		s = "";
	if (!csvstream_utf8_valid((const unsigned char *)s, strlen(s))) {
		snprintf(reason, size, "is geen geldige UTF-8-tekst");
		return reason;
	}
	n = contact_chars(s);
	if (n < min || n > max) {
		if (n == 0)
			snprintf(reason, size, "verplicht");
		else
			snprintf(reason, size, "moet %zu tot %zu tekens zijn "
			    "(nu %zu)", min, max, n);
		return reason;
	}
	for (const char *c = s; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if ((u < 0x20 || u == 0x7f) && (single_line ||
		    (*c != '\n' && *c != '\t'))) {
			snprintf(reason, size, single_line ? "mag geen "
			    "regeleinden of stuurtekens bevatten" : "mag geen "
			    "stuurtekens bevatten");
			return reason;
		}
	}
	return NULL;
}

static void
contact_invalid(json_t *invalid, const char *name, const char *reason)
{
	json_array_append_new(invalid, json_pack("{s:s, s:s}", "name", name,
	    "reason", reason));
}

/*
 * Check an offer; every invalid field is added to invalid ([{name,
 * reason}]). c->hulp has its line ends made LF first (it is owned by the
 * caller and only gets shorter). Returns 0 or MEENT_INVALID.
 */
int
contact_check(struct contact *c, const struct strlist *domains,
    json_t *invalid)
{
	size_t before = json_array_size(invalid);
	char reason[128];

	if (c->soort == NULL || !choice_valid(contact_kinds, c->soort))
		contact_invalid(invalid, "soort", "kies gemeente, domein of "
		    "pilot");
	else if (strcmp(c->soort, "domein") == 0 && (c->domein == NULL ||
	    !pilot_domain_valid(domains, c->domein)))
		contact_invalid(invalid, "domein", "kies een domein uit de "
		    "lijst");
	else if (strcmp(c->soort, "pilot") == 0 && (c->pilot == NULL ||
	    strlen(c->pilot) != 36))
		contact_invalid(invalid, "pilot", "kies een pilot van uw "
		    "gemeente");
	if (contact_text_reason(c->naam, 2, CONTACT_NAME_MAX, true, reason,
	    sizeof reason) != NULL)
		contact_invalid(invalid, "naam", reason);
	if (contact_text_reason(c->functie, 2, CONTACT_FUNCTION_MAX, true,
	    reason, sizeof reason) != NULL)
		contact_invalid(invalid, "functie", reason);
	if (c->email == NULL || !mail_address_valid(c->email))
		contact_invalid(invalid, "email", "is geen geldig e-mailadres "
		    "(zoals naam@gemeente.nl, zonder spaties of regeleinden)");
	if (c->hulp != NULL)
		markdown_lf(c->hulp);
	if (contact_text_reason(c->hulp, 5, CONTACT_HELP_MAX, false, reason,
	    sizeof reason) != NULL)
		contact_invalid(invalid, "hulp", reason);
	return json_array_size(invalid) > before ? MEENT_INVALID : 0;
}

/*
 * Store an offer of user c->user_id for c->gemeente (checked). A pilot
 * must be one of that municipality's, not deleted. Returns 0 with *id,
 * MEENT_NOTFOUND (no such pilot of the municipality), MEENT_CONFLICT (the
 * person is a contact for this already) or MEENT_ERR.
 */
int
contact_store_insert(struct db *db, const struct contact *c, long *id)
{
	sqlite3_stmt *st;
	sqlite3_int64 pk = 0;
	int rc;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	if (strcmp(c->soort, "pilot") == 0) {
		st = db_stmt(db, "SELECT pk FROM pilots WHERE id = ?1 AND"
		    " gemeente = ?2 AND verwijderd IS NULL");
		if (st == NULL)
			goto fail;
		sqlite3_bind_text(st, 1, c->pilot, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->gemeente, -1, SQLITE_STATIC);
		if ((rc = db_step_row(db, st, "contact_store_insert")) == -1)
			goto fail;
		if (rc == 0) {
			db_rollback(db);
			return MEENT_NOTFOUND;
		}
		pk = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	st = db_stmt(db, "SELECT 1 FROM contactpersonen WHERE user_id = ?1"
	    " AND soort = ?2 AND domein = ?3 AND coalesce(pilot, 0) = ?4");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, c->user_id);
	sqlite3_bind_text(st, 2, c->soort, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, strcmp(c->soort, "domein") == 0 ? c->domein :
	    "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, pk);
	if ((rc = db_step_row(db, st, "contact_store_insert")) == -1)
		goto fail;
	if (rc == 1) {
		sqlite3_reset(st);
		db_rollback(db);
		return MEENT_CONFLICT;
	}
	st = db_stmt(db, "INSERT INTO contactpersonen (user_id, gemeente,"
	    " soort, domein, pilot, naam, functie, email, hulp, openbaar,"
	    " aangemaakt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?11)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, c->user_id);
	sqlite3_bind_text(st, 2, c->gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->soort, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, strcmp(c->soort, "domein") == 0 ? c->domein :
	    "", -1, SQLITE_STATIC);
	if (pk != 0)
		sqlite3_bind_int64(st, 5, pk);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, c->naam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->functie, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, c->hulp, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, c->openbaar ? 1 : 0);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "contact_store_insert") == -1)
		goto fail;
	*id = (long)sqlite3_last_insert_rowid(db_handle(db));
	if (db_commit(db) == -1)
		goto fail;
	cache_bump();	/* pages that anonymous visitors see show it */
	return 0;
fail:
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * Withdraw entry id of user_id: 0, MEENT_NOTFOUND (no such entry of this
 * person: another's is never touched) or MEENT_ERR.
 */
int
contact_store_withdraw(struct db *db, long id, long user_id)
{
	sqlite3_stmt *st;

	st = db_stmt(db, "DELETE FROM contactpersonen WHERE id = ?1 AND"
	    " user_id = ?2");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	if (db_step_done(db, st, "contact_store_withdraw") == -1)
		return MEENT_ERR;
	if (sqlite3_changes(db_handle(db)) == 0)
		return MEENT_NOTFOUND;
	cache_bump();
	return 0;
}

/*
 * The WHERE of every read: the filters of q, the entry's own visibility
 * and that of its pilot. Parameters: ?1 gemeente, ?2 domein, ?3 pilot id,
 * ?4 user_id, ?5 member, ?6 own municipality.
 */
#define CONTACT_FROM \
	" FROM contactpersonen c JOIN gemeenten g ON g.code = c.gemeente" \
	" LEFT JOIN pilots p ON p.pk = c.pilot" \
	" WHERE (?1 IS NULL OR c.gemeente = ?1)" \
	" AND (?2 IS NULL OR c.domein = ?2 OR p.domein = ?2)" \
	" AND (?3 IS NULL OR p.id = ?3)" \
	" AND (?4 = 0 OR c.user_id = ?4)" \
	" AND (c.openbaar = 1 OR ?5)" \
	" AND (c.pilot IS NULL OR (p.verwijderd IS NULL AND" \
	"  (p.zichtbaarheid = 'openbaar' OR (p.zichtbaarheid = 'leden' AND ?5)" \
	"  OR p.gemeente = ?6)))"

static void
contact_bind(sqlite3_stmt *st, const struct contact_query *q)
{
	db_bind_text(st, 1, q->gemeente);
	db_bind_text(st, 2, q->domein);
	db_bind_text(st, 3, q->pilot);
	sqlite3_bind_int64(st, 4, q->user_id);
	sqlite3_bind_int(st, 5, q->member ? 1 : 0);
	db_bind_text(st, 6, q->own);
}

static json_t *
contact_row(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b,"
	    " s:I}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "gemeente", (const char *)sqlite3_column_text(st, 1),
	    "gemeenteNaam", (const char *)sqlite3_column_text(st, 2),
	    "soort", (const char *)sqlite3_column_text(st, 3),
	    "naam", (const char *)sqlite3_column_text(st, 5),
	    "functie", (const char *)sqlite3_column_text(st, 6),
	    "email", (const char *)sqlite3_column_text(st, 7),
	    "hulp", (const char *)sqlite3_column_text(st, 8),
	    "openbaar", sqlite3_column_int(st, 9) != 0,
	    "userId", (json_int_t)sqlite3_column_int64(st, 12));
	const char *domein = (const char *)sqlite3_column_text(st, 4);

	json_object_set_new(o, "domein", *domein != '\0' ?
	    json_string(domein) : sqlite3_column_type(st, 13) != SQLITE_NULL ?
	    json_string((const char *)sqlite3_column_text(st, 13)) :
	    json_null());
	if (sqlite3_column_type(st, 10) != SQLITE_NULL)
		json_object_set_new(o, "pilot", json_pack("{s:s, s:s}", "id",
		    (const char *)sqlite3_column_text(st, 10), "titel",
		    (const char *)sqlite3_column_text(st, 11)));
	else
		json_object_set_new(o, "pilot", json_null());
	return o;
}

/*
 * The entries q asks for, as the viewer of q may see them: a page (by
 * municipality, then kind, then name), *total all that match. Each has
 * userId, which the caller removes before showing it to anyone but its
 * person. Caller decrefs; NULL on error.
 */
json_t *
contact_store_list(struct db *db, const struct contact_query *q, long *total)
{
	sqlite3_stmt *st;
	json_t *out;
	int rc;

	st = db_stmt(db, "SELECT count(*)" CONTACT_FROM);
	if (st == NULL)
		return NULL;
	contact_bind(st, q);
	if ((rc = db_step_row(db, st, "contact_store_list")) != 1)
		return NULL;
	*total = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = db_stmt(db, "SELECT c.id, c.gemeente, g.naam, c.soort, c.domein,"
	    " c.naam, c.functie, c.email, c.hulp, c.openbaar, p.id, p.titel,"
	    " c.user_id, p.domein" CONTACT_FROM
	    " ORDER BY g.naam, CASE c.soort WHEN 'gemeente' THEN 0"
	    " WHEN 'domein' THEN 1 ELSE 2 END, c.domein, p.titel, c.naam, c.id"
	    " LIMIT ?7 OFFSET ?8");
	if (st == NULL)
		return NULL;
	contact_bind(st, q);
	sqlite3_bind_int(st, 7, q->page_size);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)(q->page - 1) * q->page_size);
	out = json_array();
	while ((rc = db_step_row(db, st, "contact_store_list")) == 1)
		json_array_append_new(out, contact_row(st));
	if (rc == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/*
 * The pilots of gemeente a person may offer to be a contact for (not
 * deleted), newest first, at most CONTACT_PILOTS_MAX: [{id, titel}].
 * Caller decrefs; NULL on error.
 */
json_t *
contact_store_pilots(struct db *db, const char *gemeente)
{
	sqlite3_stmt *st;
	json_t *out;
	int rc;

	st = db_stmt(db, "SELECT id, titel FROM pilots WHERE gemeente = ?1"
	    " AND verwijderd IS NULL ORDER BY aangemaakt DESC, pk DESC"
	    " LIMIT ?2");
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, CONTACT_PILOTS_MAX);
	out = json_array();
	while ((rc = db_step_row(db, st, "contact_store_pilots")) == 1)
		json_array_append_new(out, json_pack("{s:s, s:s}", "id",
		    (const char *)sqlite3_column_text(st, 0), "titel",
		    (const char *)sqlite3_column_text(st, 1)));
	if (rc == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/*
 * Who hears of a reaction on the pilot with primary key pilot: its own
 * contact persons; if it has none, its municipality's contact persons for
 * the municipality and for the pilot's domain. Only enabled accounts, each
 * address once, never except_user's. [address]; caller decrefs; NULL on
 * error.
 */
json_t *
contact_store_recipients(struct db *db, long pilot, long except_user)
{
	sqlite3_stmt *st;
	json_t *out;
	int rc;

	st = db_stmt(db, "WITH eigen AS (SELECT c.email, c.user_id FROM"
	    "  contactpersonen c WHERE c.pilot = ?1),"
	    " gemeente AS (SELECT c.email, c.user_id FROM contactpersonen c"
	    "  JOIN pilots p ON p.pk = ?1 WHERE c.gemeente = p.gemeente AND"
	    "  (c.soort = 'gemeente' OR (c.soort = 'domein' AND"
	    "  c.domein = p.domein)))"
	    " SELECT DISTINCT x.email FROM (SELECT * FROM eigen UNION ALL"
	    "  SELECT * FROM gemeente WHERE NOT EXISTS (SELECT 1 FROM eigen))"
	    "  x JOIN users u ON u.id = x.user_id"
	    " WHERE u.disabled = 0 AND x.user_id <> ?2 ORDER BY x.email"
	    " LIMIT 50");
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pilot);
	sqlite3_bind_int64(st, 2, except_user);
	out = json_array();
	while ((rc = db_step_row(db, st, "contact_store_recipients")) == 1)
		json_array_append_new(out, json_string((const char *)
		    sqlite3_column_text(st, 0)));
	if (rc == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}
