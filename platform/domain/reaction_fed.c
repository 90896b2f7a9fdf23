/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Public reactions between instances: the body of a `reactie` entry in the
 * signed feed (docs/federation.md, "reactie"), and a peer's entry checked
 * and applied here. fed_items.c carries these like any other kind.
 *
 * Only a public reaction made here, not hidden, on a public pilot that
 * federates (not a seed example) has a body; anything else is a tombstone.
 * A body names no person: the author's municipality only (the name stays
 * on the instance where it was written). A reaction applied on the pilot's
 * own instance is e-mailed to the pilot's contact persons there, and to the
 * author of the reaction it answers when that one was written there.
 */
#include "domain/domain.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REACTION_FED_UNKNOWN_PILOT	"reactie: pilot is hier onbekend"
#define REACTION_FED_UNKNOWN_PARENT	"reactie: ouder is hier onbekend of " \
	"hoort bij een andere pilot"

/*
 * The public body of the reaction with this uuid: MEENT_OK with *out,
 * MEENT_NOTFOUND when it is not public (a tombstone), MEENT_ERR.
 */
int
reaction_fed_export(struct db *db, const char *uuid, json_t **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	st = db_stmt(db, "SELECT p.id, o.uuid, r.soort, r.tekst, r.gemeente,"
	    " r.aangemaakt FROM pilot_reacties r"
	    " JOIN pilots p ON p.pk = r.pilot"
	    " LEFT JOIN pilot_reacties o ON o.id = r.ouder"
	    " WHERE r.uuid = ?1 AND r.origin IS NULL AND r.verborgen IS NULL"
	    " AND r.zichtbaarheid = 'openbaar' AND p.zichtbaarheid = 'openbaar'"
	    " AND p.verwijderd IS NULL AND p.voorbeeld = 0");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if ((rc = db_step_row(db, st, "reaction_fed_export")) == 1) {
		*out = json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}",
		    "pilot", (const char *)sqlite3_column_text(st, 0),
		    "ouder", sqlite3_column_type(st, 1) == SQLITE_NULL ?
		    json_null() : json_string((const char *)
		    sqlite3_column_text(st, 1)),
		    "soort", (const char *)sqlite3_column_text(st, 2),
		    "tekst", (const char *)sqlite3_column_text(st, 3),
		    "gemeente", (const char *)sqlite3_column_text(st, 4),
		    "aangemaakt", clock_json((time_t)sqlite3_column_int64(st,
		    5)));
		sqlite3_reset(st);
	}
	return rc == 1 ? MEENT_OK : rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
}

/* RFC 3339 UTC ("2026-01-02T03:04:05Z"), as clock_json() writes it. */
static bool
reaction_fed_time(json_t *v, time_t *out)
{
	const char *s = json_string_value(v);
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) ==
	    NULL || *end != '\0')
		return false;
	*out = timegm(&tm);
	return *out > 0;
}

/* A string member without NUL bytes, or NULL. */
static const char *
reaction_fed_string(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	const char *s = json_string_value(v);

	return s != NULL && strlen(s) == json_string_length(v) ? s : NULL;
}

/*
 * Check a body field by field, as docs/federation.md gives the schema;
 * the first rule broken goes to *why (a static text naming the field).
 */
static bool
reaction_fed_valid(json_t *body, struct reaction *re, const char **pilot,
    const char **ouder, const char **why)
{
	static const char *const keys[] = { "pilot", "ouder", "soort",
	    "tekst", "gemeente", "aangemaakt" };
	json_t *v;
	const char *key;
	char reason[160];

	json_object_foreach(body, key, v) {
		size_t i;

		for (i = 0; i < nitems(keys) && strcmp(keys[i], key) != 0; i++)
			;
		if (i == nitems(keys)) {
			*why = "reactie: onbekend veld";
			return false;
		}
	}
	if ((*pilot = reaction_fed_string(body, "pilot")) == NULL ||
	    strlen(*pilot) != 36) {
		*why = "reactie: pilot moet een UUID (tekst) zijn";
		return false;
	}
	v = json_object_get(body, "ouder");
	*ouder = reaction_fed_string(body, "ouder");
	if (!json_is_null(v) && (*ouder == NULL || strlen(*ouder) != 36)) {
		*why = "reactie: ouder moet null of een UUID zijn";
		return false;
	}
	re->soort = reaction_fed_string(body, "soort");
	if (re->soort == NULL || (!choice_valid(reaction_kinds, re->soort) &&
	    strcmp(re->soort, "antwoord") != 0) ||
	    (strcmp(re->soort, "antwoord") == 0) != (*ouder != NULL)) {
		*why = "reactie: soort moet vraag, reactie of ookhier zijn, of "
		    "antwoord met een ouder";
		return false;
	}
	re->gemeente = reaction_fed_string(body, "gemeente");
	if (re->gemeente == NULL || !municipality_code_valid(re->gemeente)) {
		*why = "reactie: gemeente moet een gemeentecode zijn";
		return false;
	}
	if (!reaction_fed_time(json_object_get(body, "aangemaakt"),
	    &re->aangemaakt)) {
		*why = "reactie: aangemaakt moet een RFC 3339-tijd in UTC zijn";
		return false;
	}
	if (reaction_fed_string(body, "tekst") == NULL ||
	    contact_text_reason(reaction_fed_string(body, "tekst"), 2,
	    REACTION_TEXT_MAX, false, reason, sizeof reason) != NULL ||
	    markdown_check(reaction_fed_string(body, "tekst"),
	    strlen(reaction_fed_string(body, "tekst")), REACTION_TEXT_MAX * 4,
	    NULL, 0) == -1) {
		*why = "reactie: tekst moet Markdown van 2 tot 4000 tekens "
		    "zijn, met LF-regeleinden en zonder stuurtekens";
		return false;
	}
	return true;
}

/* The row of uuid: 1 with its origin in origin (or ""), 0, or -1. */
static int
reaction_fed_existing(struct db *db, const char *uuid, char origin[37])
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(db, "SELECT coalesce(origin, '') FROM pilot_reacties"
	    " WHERE uuid = ?1");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	if ((rc = db_step_row(db, st, "reaction_fed_existing")) == 1) {
		snprintf(origin, 37, "%s", sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	return rc;
}

/* A tombstone: the origin hid it, or it stopped being public. */
static int
reaction_fed_hide(struct db *db, const char *uuid, const char *origin)
{
	sqlite3_stmt *st;

	st = db_stmt(db, "UPDATE pilot_reacties SET verborgen = ?1,"
	    " verborgen_reden = 'verborgen bij de omgeving waar de reactie"
	    " geschreven is' WHERE uuid = ?2 AND origin = ?3 AND"
	    " verborgen IS NULL");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "reaction_fed_hide") == -1)
		return -1;
	cache_bump();
	return 0;
}

/*
 * Apply a peer's entry for the reaction uuid of origin (verified by the
 * caller), inside the caller's transaction. here is this instance's uuid;
 * base_url makes the e-mail's link. Returns 0, or -1 with *why (a reason
 * for the quarantine) or without (the storage: db_failure() tells).
 */
int
reaction_fed_apply(struct db *db, const char *origin, const char *uuid,
    bool deleted, json_t *body, const char *base_url, const char **why)
{
	struct reaction re = { 0 };
	const char *pilot_id, *ouder;
	char have[37], here[37], *err;
	struct pilot p;
	sqlite3_stmt *st;
	long id;
	int rc;

	if ((rc = reaction_fed_existing(db, uuid, have)) == -1)
		return -1;
	if (rc == 1 && strcmp(have, origin) != 0) {
		*why = "reactie: bestaat hier al met een andere herkomst";
		return -1;
	}
	if (deleted)
		return rc == 1 ? reaction_fed_hide(db, uuid, origin) : 0;
	if (rc == 1)
		return 0;	/* a reaction does not change at its origin */
	if (!reaction_fed_valid(body, &re, &pilot_id, &ouder, why))
		return -1;
	switch (pilot_store_get(db, pilot_id, &p)) {
	case 0:
		break;
	case MEENT_NOTFOUND:
		*why = REACTION_FED_UNKNOWN_PILOT;
		return -1;
	default:
		return -1;
	}
	if (p.deleted || strcmp(p.zichtbaarheid, "openbaar") != 0) {
		pilot_free(&p);
		*why = REACTION_FED_UNKNOWN_PILOT;
		return -1;
	}
	if (ouder != NULL) {
		st = db_stmt(db, "SELECT id FROM pilot_reacties"
		    " WHERE uuid = ?1");
		if (st != NULL)
			sqlite3_bind_text(st, 1, ouder, -1, SQLITE_STATIC);
		if (st == NULL || (rc = db_step_row(db, st,
		    "reaction_fed_apply")) == -1) {
			pilot_free(&p);
			return -1;
		}
		if (rc == 0) {
			pilot_free(&p);
			*why = REACTION_FED_UNKNOWN_PARENT;
			return -1;
		}
		re.ouder = (long)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (instance_uuid_read(db, here, &err) == -1) {
		free(err);
		pilot_free(&p);
		return -1;
	}
	re.pilot_pk = p.pk;
	re.pilot_id = p.id;
	re.pilot_titel = p.titel;
	re.gemeente_naam = re.gemeente;
	re.zichtbaarheid = "openbaar";
	re.uuid = uuid;
	re.origin = origin;
	re.tekst = xstrdup(reaction_fed_string(body, "tekst"));
	re.quiet = strcmp(p.origin, here) != 0;	/* not the pilot's home */
	rc = reaction_store_insert(db, &re, base_url, &id);
	free(re.tekst);
	free(re.html);
	pilot_free(&p);
	if (rc == MEENT_NOTFOUND) {
		*why = REACTION_FED_UNKNOWN_PARENT;
		return -1;
	}
	return rc == 0 ? 0 : -1;
}
