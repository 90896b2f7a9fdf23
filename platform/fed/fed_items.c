/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * How each kind of item crosses between instances (docs/federation.md,
 * "Kinds"): export builds an item's public body from the database; apply
 * checks a body that came from elsewhere as strictly as the item's own API
 * input, and stores it with its origin. Apply runs inside the caller's
 * transaction; it returns 0, or -1 with *why (a static Dutch reason, for
 * the quarantine).
 *
 * HTML never crosses: Markdown is rendered here by the same safe renderer
 * as for local content.
 */
#include "fed/fed.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FED_Q_CONFLICT	"bestaat hier al met een andere herkomst"
#define FED_Q_INVALID	"inhoud ongeldig"

/* RFC 3339 UTC ("2026-01-02T03:04:05Z") as clock_json() writes it. */
static bool
fed_items_time(json_t *v, time_t *out)
{
	const char *s = json_string_value(v);
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) ==
	    NULL || *end != '\0')
		return false;
	*out = timegm(&tm);
	return true;
}

/* A string member of at most max bytes, without NUL bytes. */
bool
fed_items_string(json_t *o, const char *key, size_t max, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = json_string_value(v);
	return *out != NULL && json_string_length(v) <= max &&
	    strlen(*out) == json_string_length(v);
}

/*
 * Is a row with this key there from another origin? True on a database
 * error too (logged; the caller's db_failure() tells it from a conflict).
 */
static bool
fed_items_foreign(struct db *db, const char *sql, const char *key,
    const char *origin)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	bool other = false;
	int rc;

	if (st == NULL)
		return true;
	db_bind_text(st, 1, key);
	if ((rc = db_step_row(db, st, "fed foreign")) == 1)
		other = sqlite3_column_type(st, 0) == SQLITE_NULL ||
		    strcmp((const char *)sqlite3_column_text(st, 0), origin) != 0;
	sqlite3_reset(st);
	return other || rc == -1;
}

/* ---- pilots ---- */

/*
 * A pilot's attachments, by hash and size (docs/federation.md): what a
 * receiving instance needs to fetch each file from the origin and verify
 * it. Left out when there are none, so such pilots read as before. 0/-1.
 */
static int
fed_items_pilot_attachments(struct db *db, json_t *o, const char *id)
{
	json_t *list, *a, *out;
	size_t i;

	if (attachment_store_list(db, id, &list) == -1)
		return -1;
	if (json_array_size(list) > 0) {
		out = json_array();
		json_array_foreach(list, i, a)
			json_array_append_new(out, json_pack("{s:O, s:O, s:O, "
			    "s:O}", "hash", json_object_get(a, "hash"),
			    "grootte", json_object_get(a, "grootte"), "type",
			    json_object_get(a, "type"), "naam",
			    json_object_get(a, "naam")));
		json_object_set_new(o, "bijlagen", out);
	}
	json_decref(list);
	return 0;
}

static int
fed_items_pilot_export(struct db *db, const char *id, long long *version,
    json_t **out)
{
	struct pilot p;
	json_t *o = NULL;
	int rc;

	*out = NULL;
	if ((rc = pilot_store_get(db, id, &p)) != 0)
		return rc;
	*version = p.versie;
	/* Only public, and not the example content every instance has. */
	if (!p.deleted && strcmp(p.zichtbaarheid, "openbaar") == 0 &&
	    !p.voorbeeld) {
		o = pilot_input_json(&p);
		json_object_set_new(o, "id", json_string(p.id));
		json_object_set_new(o, "gemeente", json_string(p.gemeente));
		json_object_set_new(o, "versie", json_integer(p.versie));
		json_object_set_new(o, "aangemaakt", clock_json(p.aangemaakt));
		json_object_set_new(o, "gewijzigd", clock_json(p.gewijzigd));
		if (fed_items_pilot_attachments(db, o, p.id) == -1) {
			json_decref(o);
			pilot_free(&p);
			return MEENT_ERR;
		}
	}
	pilot_free(&p);
	*out = o;
	return o != NULL ? MEENT_OK : MEENT_NOTFOUND;
}

/* A pilot from elsewhere into the store, over old (rc: its lookup). */
static int
fed_items_pilot_store(struct db *db, struct pilot *p, struct pilot *old,
    int rc)
{
	if (rc == MEENT_NOTFOUND)
		return pilot_store_insert(db, p);
	/* Back from a tombstone: a newer version made it public. */
	if (old->deleted && pilot_store_revive(db, old->pk) == -1)
		return -1;
	return pilot_store_update(db, p, old->versie);
}

/* A tombstone: the pilot here, if any, becomes one too. */
static int
fed_items_pilot_delete(struct db *db, const struct fed_entry *e,
    struct pilot *old)
{
	if (old->deleted)
		return 0;
	old->versie = e->version;
	old->gewijzigd = time(NULL);
	return pilot_store_delete(db, old);
}

/*
 * What a pilot's body gives without the database: its content checked
 * and rendered (pilot_from_json), or why not. Made ahead of the applying
 * thread (fed_items_pilot_prepare), or by apply itself.
 */
struct fed_items_pilot_ready {
	int		 rc;		/* 0, or -1 with why */
	const char	*why;
	const char	*gemeente;	/* borrowed from the body */
	struct pilot	 p;
	struct fts_ahead *fts;		/* its search tokens, made ahead */
};

static void
fed_items_pilot_ready_make(const struct fed_entry *e, json_t *body,
    const struct config *cfg, struct fed_items_pilot_ready *r)
{
	static const char *const identity[] = { "id", "gemeente", "versie",
	    "aangemaakt", "gewijzigd", "bijlagen" };
	struct pilot *p = &r->p;
	json_t *in, *invalid;

	memset(r, 0, sizeof *r);
	r->rc = -1;
	r->why = FED_Q_INVALID;
	r->gemeente = json_string_value(json_object_get(body, "gemeente"));
	if (json_string_value(json_object_get(body, "id")) == NULL ||
	    strcmp(json_string_value(json_object_get(body, "id")), e->id) != 0 ||
	    r->gemeente == NULL || !municipality_code_valid(r->gemeente) ||
	    !fed_items_time(json_object_get(body, "aangemaakt"), &p->aangemaakt) ||
	    !fed_items_time(json_object_get(body, "gewijzigd"), &p->gewijzigd) ||
	    !json_is_integer(json_object_get(body, "versie")) ||
	    strlen(e->id) != 36)
		return;
	/*
	 * A shallow copy without the identity: pilot_from_json() only reads
	 * its input, so the values can be shared with body, which apply
	 * still reads ("bijlagen").
	 */
	in = json_copy(body);
	for (size_t i = 0; i < nitems(identity); i++)
		json_object_del(in, identity[i]);
	invalid = json_array();
	r->rc = pilot_from_json(p, in, &cfg->domeinen, invalid);
	json_decref(in);
	json_decref(invalid);
	if (r->rc == -1) {
		r->why = "pilot ongeldig (bijvoorbeeld een domein dat hier niet"
		    " bestaat, of te grote of te zware Markdown)";
		return;
	}
	if (strcmp(p->zichtbaarheid, "openbaar") != 0) {
		pilot_free(p);
		r->why = "niet openbaar";
		r->rc = -1;
		return;
	}
	snprintf(p->id, sizeof p->id, "%.36s", e->id);
	snprintf(p->origin, sizeof p->origin, "%s", e->origin);
	snprintf(p->gemeente, sizeof p->gemeente, "%s", r->gemeente);
	p->versie = (long)json_integer_value(json_object_get(body, "versie"));
	r->why = NULL;
}

static void *
fed_items_pilot_prepare(const struct fed_entry *e, json_t *body,
    const struct config *cfg)
{
	struct fed_items_pilot_ready *r;

	if (e->deleted)
		return NULL;
	r = xcalloc(1, sizeof *r);
	fed_items_pilot_ready_make(e, body, cfg, r);
	if (r->rc == 0)
		r->fts = pilot_store_fts_ahead(&r->p);
	return r;
}

static void
fed_items_pilot_ready_free(void *arg)
{
	struct fed_items_pilot_ready *r = arg;

	if (r == NULL)
		return;
	if (r->rc == 0)
		pilot_free(&r->p);
	fts_ahead_free(r->fts);
	free(r);
}

static int
fed_items_pilot_apply(struct db *db, const struct fed_entry *e, json_t *body,
    const struct config *cfg, const char **why)
{
	struct fed_items_pilot_ready own, *r = e->ready;
	struct pilot old;
	int have, rc;

	memset(&old, 0, sizeof old);
	if ((have = pilot_store_get(db, e->id, &old)) == -1)
		return -1;
	if (have == 0 && strcmp(old.origin, e->origin) != 0) {
		pilot_free(&old);
		*why = FED_Q_CONFLICT;
		return -1;
	}
	if (e->deleted) {
		/* Never had it: the entry alone remembers the deletion. */
		rc = have == 0 ? fed_items_pilot_delete(db, e, &old) : 0;
		pilot_free(&old);
		return rc;
	}
	if (r == NULL) {	/* not prepared ahead: here */
		fed_items_pilot_ready_make(e, body, cfg, &own);
		r = &own;
	}
	/* The municipality must be known here (a check of the database). */
	if (r->gemeente != NULL && municipality_code_valid(r->gemeente) &&
	    municipality_exists(db, r->gemeente) != 1) {
		*why = FED_Q_INVALID;
		rc = -1;
		goto out;
	}
	if ((rc = r->rc) == -1) {
		*why = r->why;
		goto out;
	}
	rc = fed_items_pilot_store(db, &r->p, &old, have);
	if (rc == 0)	/* indexed at the page's end, from these tokens */
		pilot_store_fts_ahead_use(r->fts);
	*why = NULL;
	/* Its attachments' rows; the files come later (fed_files.c). */
	if (rc == 0 && (rc = attachment_store_replace(db, r->p.id,
	    r->p.gemeente, json_object_get(body, "bijlagen"),
	    (long long)cfg->attachment_pilot_max_bytes, have == 0)) != 0) {
		*why = rc == MEENT_INVALID ? "bijlagen ongeldig" : NULL;
		rc = -1;
	}
out:
	if (r == &own && own.rc == 0)
		pilot_free(&own.p);
	pilot_free(&old);
	return rc;
}

/* ---- guidelines: the head, and each revision ---- */

static int
fed_items_richtlijn_export(struct db *db, const char *slug, long long *version,
    json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT slug, titel, gemeente, head,"
	    " aangemaakt, gewijzigd FROM richtlijnen WHERE slug = ?1 AND"
	    " origin = (SELECT uuid FROM instance)");
	int rc;

	(void)version;
	*out = NULL;
	if (st == NULL)
		return MEENT_ERR;
	db_bind_text(st, 1, slug);
	if ((rc = db_step_row(db, st, "fed richtlijn export")) == 1)
		*out = json_pack("{s:o, s:o, s:o, s:I, s:o, s:o}",
		    "slug", db_column_json(st, 0), "titel", db_column_json(st, 1),
		    "gemeente", db_column_json(st, 2),
		    "head", (json_int_t)sqlite3_column_int64(st, 3),
		    "aangemaakt", clock_json((time_t)sqlite3_column_int64(st, 4)),
		    "gewijzigd", clock_json((time_t)sqlite3_column_int64(st, 5)));
	sqlite3_reset(st);
	return rc == 1 ? MEENT_OK : rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
}

/* The head row of a federated guideline, made when first needed. */
static long
fed_items_richtlijn_row(struct db *db, const struct fed_entry *e,
    const char *slug, const char *titel, const char *gemeente, time_t made,
    const char **why)
{
	sqlite3_stmt *st;
	long pk = 0;

	if (!guideline_slug_valid(slug) || municipality_exists(db, gemeente) !=
	    1 || *titel == '\0' || strlen(titel) > GUIDELINE_TITLE_MAX * 4) {
		*why = FED_Q_INVALID;
		return -1;
	}
	if (fed_items_foreign(db, "SELECT origin FROM richtlijnen WHERE"
	    " slug = ?1", slug, e->origin)) {
		*why = FED_Q_CONFLICT;
		return -1;
	}
	st = db_stmt(db, "INSERT INTO richtlijnen (slug, origin, gemeente,"
	    " titel, head, aangemaakt, gewijzigd) VALUES (?1, ?2, ?3, ?4, 0,"
	    " ?5, ?5) ON CONFLICT (slug) DO NOTHING");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, slug);
	db_bind_text(st, 2, e->origin);
	db_bind_text(st, 3, gemeente);
	db_bind_text(st, 4, titel);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)made);
	if (db_step_done(db, st, "fed richtlijn") == -1)
		return -1;
	st = db_stmt(db, "SELECT pk FROM richtlijnen WHERE slug = ?1");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, slug);
	if (db_step_row(db, st, "fed richtlijn pk") == 1)
		pk = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return pk > 0 ? pk : -1;
}

static int
fed_items_richtlijn_apply(struct db *db, const struct fed_entry *e,
    json_t *body, const struct config *cfg, const char **why)
{
	const char *titel, *gemeente;
	time_t made, changed;
	sqlite3_stmt *st;
	long pk;

	(void)cfg;
	if (e->deleted)
		return 0;	/* guidelines are never deleted */
	if (!fed_items_string(body, "titel", GUIDELINE_TITLE_MAX * 4, &titel) ||
	    !fed_items_string(body, "gemeente", 6, &gemeente) ||
	    !fed_items_time(json_object_get(body, "aangemaakt"), &made) ||
	    !fed_items_time(json_object_get(body, "gewijzigd"), &changed) ||
	    json_string_value(json_object_get(body, "slug")) == NULL ||
	    strcmp(json_string_value(json_object_get(body, "slug")), e->id)) {
		*why = FED_Q_INVALID;
		return -1;
	}
	if ((pk = fed_items_richtlijn_row(db, e, e->id, titel, gemeente, made,
	    why)) == -1)
		return -1;
	st = db_stmt(db, "UPDATE richtlijnen SET titel = ?2, gewijzigd = ?3"
	    " WHERE pk = ?1");
	sqlite3_bind_int64(st, 1, pk);
	db_bind_text(st, 2, titel);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)changed);
	if (db_step_done(db, st, "fed richtlijn head") == -1)
		return -1;
	cache_bump();
	return 0;
}

static int
fed_items_versie_export(struct db *db, const char *id, long long *version,
    json_t **out)
{
	const char *slash = strrchr(id, '/');
	sqlite3_stmt *st;
	json_t *o = NULL;
	char *slug;
	int rc = -1;

	(void)version;
	*out = NULL;
	if (slash == NULL)
		return MEENT_NOTFOUND;
	slug = xstrndup(id, (size_t)(slash - id));
	st = db_stmt(db, "SELECT r.slug, r.titel, r.gemeente, v.versie,"
	    " v.basis, v.titel, v.tekst, v.gemeente, v.bericht, v.samengevoegd,"
	    " v.aangemaakt FROM richtlijn_versies v JOIN richtlijnen r ON"
	    " r.pk = v.richtlijn WHERE r.slug = ?1 AND v.versie = ?2 AND"
	    " r.origin = (SELECT uuid FROM instance)");
	if (st != NULL) {
		db_bind_text(st, 1, slug);
		sqlite3_bind_int64(st, 2, strtoll(slash + 1, NULL, 10));
		if ((rc = db_step_row(db, st, "fed versie export")) == 1)
			o = json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o,"
			    " s:o, s:b, s:o}", "richtlijn", db_column_json(st, 0),
			    "richtlijnTitel", db_column_json(st, 1),
			    "richtlijnGemeente", db_column_json(st, 2),
			    "versie", (json_int_t)sqlite3_column_int64(st, 3),
			    "basis", db_column_json(st, 4),
			    "titel", db_column_json(st, 5),
			    "tekst", db_column_json(st, 6),
			    "gemeente", db_column_json(st, 7),
			    "bericht", db_column_json(st, 8),
			    "samengevoegd", sqlite3_column_int(st, 9) != 0,
			    "aangemaakt",
			    clock_json((time_t)sqlite3_column_int64(st, 10)));
		sqlite3_reset(st);
	}
	free(slug);
	*out = o;
	return rc == 1 ? MEENT_OK : rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
}

static int
fed_items_versie_apply(struct db *db, const struct fed_entry *e, json_t *body,
    const struct config *cfg, const char **why)
{
	const char *slug, *rtitel, *rgemeente, *titel, *tekst, *gemeente,
	    *bericht;
	json_t *versie = json_object_get(body, "versie");
	json_t *basis = json_object_get(body, "basis");
	char expect[GUIDELINE_SLUG_MAX + 24];
	struct revision rev = { 0 };
	time_t made;
	long pk;

	(void)cfg;
	if (e->deleted)
		return 0;	/* revisions are never deleted */
	if (!fed_items_string(body, "richtlijn", GUIDELINE_SLUG_MAX, &slug) ||
	    !fed_items_string(body, "richtlijnTitel", GUIDELINE_TITLE_MAX * 4,
	    &rtitel) ||
	    !fed_items_string(body, "richtlijnGemeente", 6, &rgemeente) ||
	    !fed_items_string(body, "titel", GUIDELINE_TITLE_MAX * 4, &titel) ||
	    !fed_items_string(body, "tekst", GUIDELINE_TEXT_MAX, &tekst) ||
	    !fed_items_string(body, "gemeente", 6, &gemeente) ||
	    !fed_items_string(body, "bericht", GUIDELINE_MESSAGE_MAX * 4,
	    &bericht) ||
	    !json_is_integer(versie) || json_integer_value(versie) < 1 ||
	    !(json_is_null(basis) || json_is_integer(basis)) ||
	    !fed_items_time(json_object_get(body, "aangemaakt"), &made) ||
	    municipality_exists(db, gemeente) != 1 ||
	    !guideline_text_valid(tekst, strlen(tekst), NULL, 0)) {
		*why = FED_Q_INVALID;
		return -1;
	}
	snprintf(expect, sizeof expect, "%s/%lld", slug,
	    (long long)json_integer_value(versie));
	if (strcmp(expect, e->id) != 0) {
		*why = FED_Q_INVALID;
		return -1;
	}
	if ((pk = fed_items_richtlijn_row(db, e, slug, rtitel, rgemeente, made,
	    why)) == -1)
		return -1;
	rev.versie = (long)json_integer_value(versie);
	rev.basis = json_is_integer(basis) ? (long)json_integer_value(basis) :
	    0;
	rev.titel = titel;
	rev.tekst = tekst;
	rev.bericht = bericht;
	rev.gemeente = gemeente;
	rev.samengevoegd = json_is_true(json_object_get(body, "samengevoegd"));
	rev.aangemaakt = made;
	if (guideline_store_put_revision(db, pk, &rev) == -1)
		return -1;
	cache_bump();
	return 0;
}

/* ---- adoptions ---- */

/* "slug/GMxxxx" into its parts; false when it is not that. */
static bool
fed_items_adoptie_id(const char *id, char slug[GUIDELINE_SLUG_MAX + 1],
    char gemeente[8])
{
	const char *slash = strrchr(id, '/');

	if (slash == NULL || (size_t)(slash - id) > GUIDELINE_SLUG_MAX ||
	    !municipality_code_valid(slash + 1))
		return false;
	snprintf(slug, GUIDELINE_SLUG_MAX + 1, "%.*s", (int)(slash - id), id);
	snprintf(gemeente, 8, "%s", slash + 1);
	return guideline_slug_valid(slug);
}

static int
fed_items_adoptie_export(struct db *db, const char *id, long long *version,
    json_t **out)
{
	char slug[GUIDELINE_SLUG_MAX + 1], gemeente[8];
	sqlite3_stmt *st;
	int rc;

	(void)version;
	*out = NULL;
	if (!fed_items_adoptie_id(id, slug, gemeente))
		return MEENT_NOTFOUND;
	st = db_stmt(db, "SELECT a.versie, a.sinds FROM richtlijn_adopties a"
	    " JOIN richtlijnen r ON r.pk = a.richtlijn WHERE r.slug = ?1 AND"
	    " a.gemeente = ?2 AND a.origin IS NULL");
	if (st == NULL)
		return MEENT_ERR;
	db_bind_text(st, 1, slug);
	db_bind_text(st, 2, gemeente);
	if ((rc = db_step_row(db, st, "fed adoptie export")) == 1)
		*out = json_pack("{s:s, s:s, s:o, s:o}", "richtlijn", slug,
		    "gemeente", gemeente, "versie", db_column_json(st, 0),
		    "sinds", clock_json((time_t)sqlite3_column_int64(st, 1)));
	sqlite3_reset(st);
	return rc == 1 ? MEENT_OK : rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
}

static int
fed_items_adoptie_apply(struct db *db, const struct fed_entry *e, json_t *body,
    const struct config *cfg, const char **why)
{
	char slug[GUIDELINE_SLUG_MAX + 1], gemeente[8];
	json_t *versie = json_object_get(body, "versie");
	struct guideline g;
	sqlite3_stmt *st;
	time_t since = 0;

	(void)cfg;
	if (!fed_items_adoptie_id(e->id, slug, gemeente)) {
		*why = FED_Q_INVALID;
		return -1;
	}
	switch (guideline_store_get(db, slug, &g)) {
	case 0:
		break;
	case MEENT_NOTFOUND:
		if (e->deleted)
			return 0;
		*why = "richtlijn onbekend";
		return -1;
	default:
		return -1;	/* the storage: db_failure() tells */
	}
	if (e->deleted) {
		st = db_stmt(db, "DELETE FROM richtlijn_adopties WHERE"
		    " richtlijn = ?1 AND gemeente = ?2 AND origin = ?3");
		sqlite3_bind_int64(st, 1, g.pk);
		db_bind_text(st, 2, gemeente);
		db_bind_text(st, 3, e->origin);
		return db_step_done(db, st, "fed unadopt");
	}
	if (!(json_is_null(versie) || (json_is_integer(versie) &&
	    json_integer_value(versie) >= 1)) ||
	    !fed_items_time(json_object_get(body, "sinds"), &since) ||
	    municipality_exists(db, gemeente) != 1) {
		*why = FED_Q_INVALID;
		return -1;
	}
	st = db_stmt(db, "INSERT INTO richtlijn_adopties (richtlijn, gemeente,"
	    " versie, sinds, origin) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (richtlijn, gemeente) DO UPDATE SET versie = ?3,"
	    " sinds = ?4 WHERE origin = ?5");
	sqlite3_bind_int64(st, 1, g.pk);
	db_bind_text(st, 2, gemeente);
	if (json_is_integer(versie))
		sqlite3_bind_int64(st, 3, json_integer_value(versie));
	sqlite3_bind_int64(st, 4, (sqlite3_int64)since);
	db_bind_text(st, 5, e->origin);
	if (db_step_done(db, st, "fed adopt") == -1)
		return -1;
	if (sqlite3_changes(db_handle(db)) == 0) {
		*why = FED_Q_CONFLICT;	/* adopted here, by this instance */
		return -1;
	}
	cache_bump();
	return 0;
}

/* ---- indicators ---- */

/*
 * An indicator as it federates: the keys indicator_from_json() reads, and
 * with periods its periods too (as indicator_get() gives them). Returns
 * what indicator_get() does.
 */
static int
fed_items_indicator_json(struct db *db, const char *id, bool periods,
    json_t **out)
{
	static const char *const keys[] = { "id", "naam", "omschrijving",
	    "eenheid", "soort", "richting", "noemer", "bron", "perioden" };
	json_t *full, *o;
	int rc;

	*out = NULL;
	if ((rc = indicator_get(db, id, &full)) != MEENT_OK)
		return rc;
	o = json_object();
	for (size_t i = 0; i < nitems(keys) - (periods ? 0 : 1); i++) {
		json_t *v = json_object_get(full, keys[i]);

		json_object_set(o, keys[i], v != NULL ? v : json_null());
	}
	json_decref(full);
	*out = o;
	return MEENT_OK;
}

static int
fed_items_indicator_export(struct db *db, const char *id, long long *version,
    json_t **out)
{
	(void)version;
	*out = NULL;
	switch (db_exists(db, "SELECT 1 FROM indicatoren WHERE id = ?1 AND"
	    " origin IS NULL", id)) {
	case 1:
		return fed_items_indicator_json(db, id, true, out);
	case 0:
		return MEENT_NOTFOUND;
	default:
		return MEENT_ERR;
	}
}

static void
fed_items_ignore(void *arg, const char *field, const char *why)
{
	(void)arg;
	(void)field;
	(void)why;
}

/* An indicator from elsewhere; one that exists here is kept as it is. */
static int
fed_items_indicator_define(struct db *db, const char *origin, json_t *def,
    const char **why)
{
	struct indicator in;

	switch (indicator_exists(db, json_string_value(json_object_get(def,
	    "id")))) {
	case 1:
		return 0;
	case -1:
		return -1;	/* the storage: db_failure() tells */
	}
	if (indicator_from_json(def, &in, fed_items_ignore, NULL) == -1) {
		*why = "indicator ongeldig";
		return -1;
	}
in.origin = origin;
	return indicator_put(db, &in);
}

static int
fed_items_period(struct db *db, const char *indicator, const char *periode,
    const char *status)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT OR IGNORE INTO"
	    " indicator_perioden (indicator, periode, status) VALUES (?1,?2,?3)");

	db_bind_text(st, 1, indicator);
	db_bind_text(st, 2, periode);
	db_bind_text(st, 3, status);
	return db_step_done(db, st, "fed period");
}

static int
fed_items_indicator_apply(struct db *db, const struct fed_entry *e,
    json_t *body, const struct config *cfg, const char **why)
{
	json_t *def, *periods, *p;
	size_t i;
	int rc;

	(void)cfg;
	if (e->deleted)
		return 0;	/* indicators are never deleted */
	periods = json_object_get(body, "perioden");
	if (json_string_value(json_object_get(body, "id")) == NULL ||
	    strcmp(json_string_value(json_object_get(body, "id")), e->id) ||
	    !json_is_array(periods) || json_array_size(periods) > 1000) {
		*why = FED_Q_INVALID;
		return -1;
	}
	json_array_foreach(periods, i, p) {
		const char *per = json_string_value(json_object_get(p, "periode"));
		const char *st = json_string_value(json_object_get(p, "status"));

		if (per == NULL || st == NULL || !indicator_period_valid(per) ||
		    !indicator_status_valid(st)) {
			*why = FED_Q_INVALID;
			return -1;
		}
	}
	def = json_deep_copy(body);
	json_object_del(def, "perioden");
	rc = fed_items_indicator_define(db, e->origin, def, why);
	json_decref(def);
	if (rc == -1)
		return -1;
	json_array_foreach(periods, i, p)
		if (fed_items_period(db, e->id, json_string_value(json_object_get(
		    p, "periode")), json_string_value(json_object_get(p,
		    "status"))) == -1)
			return -1;
	cache_bump();
	return 0;
}

/* ---- published benchmark tables ---- */

static int
fed_items_dataset_export(struct db *db, const char *id, long long *version,
    json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, gemeente, indicator,"
	    " periode, vorm, status, rapport, tabel, versie, aangemaakt,"
	    " gewijzigd FROM datasets WHERE id = ?1 AND"
	    " origin = (SELECT uuid FROM instance) AND status <> 'concept'");
	json_t *o = NULL, *def;
	int rc;

	*out = NULL;
	if (st == NULL)
		return MEENT_ERR;
	db_bind_text(st, 1, id);
	if ((rc = db_step_row(db, st, "fed dataset export")) == 1) {
		*version = sqlite3_column_int64(st, 8);
		if (strcmp((const char *)sqlite3_column_text(st, 5),
		    "gepubliceerd") == 0)
			o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			    " s:o}", "id", db_column_json(st, 0),
			    "gemeente", db_column_json(st, 1),
			    "indicator", db_column_json(st, 2),
			    "periode", db_column_json(st, 3),
			    "vorm", db_column_json(st, 4),
			    "rapport", json_loads((const char *)
			    sqlite3_column_text(st, 6), 0, NULL),
			    "tabel", json_loads((const char *)
			    sqlite3_column_text(st, 7), 0, NULL),
			    "aangemaakt",
			    clock_json((time_t)sqlite3_column_int64(st, 9)),
			    "gewijzigd",
			    clock_json((time_t)sqlite3_column_int64(st, 10)));
	}
	sqlite3_reset(st);
	if (rc == -1)
		return MEENT_ERR;
	if (o == NULL)
		return MEENT_NOTFOUND;	/* not here, or withdrawn */
	switch (fed_items_indicator_json(db, json_string_value(
	    json_object_get(o, "indicator")), false, &def)) {
	case MEENT_OK:
		json_object_set_new(o, "indicatorDefinitie", def);
		break;
	case MEENT_NOTFOUND:
		json_object_set_new(o, "indicatorDefinitie", json_null());
		break;
	default:
		json_decref(o);
		return MEENT_ERR;
	}
	*out = o;
	return MEENT_OK;
}

static int
fed_items_dataset_withdraw(struct db *db, const struct fed_entry *e)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT gemeente FROM datasets WHERE"
	    " id = ?1 AND origin = ?2");
	char gemeente[8] = "";
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->origin);
	if ((rc = db_step_row(db, st, "fed dataset withdraw")) == 1)
		snprintf(gemeente, sizeof gemeente, "%s",
		    sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	if (gemeente[0] == '\0')
		return 0;
	if (dataset_store_figure_remove(db, e->id, gemeente) == -1)
		return -1;
	st = db_stmt(db, "UPDATE datasets SET status = 'ingetrokken', tabel ="
	    " '{}', versie = ?3, gewijzigd = ?4 WHERE id = ?1 AND origin = ?2");
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->origin);
	sqlite3_bind_int64(st, 3, e->version);
	sqlite3_bind_int64(st, 4, time(NULL));
	return db_step_done(db, st, "fed dataset withdraw");
}

static int
fed_items_dataset_apply(struct db *db, const struct fed_entry *e,
    json_t *body, const struct config *cfg, const char **why)
{
	const char *gemeente, *indicator, *periode, *vorm;
	json_t *rapport = json_object_get(body, "rapport");
	json_t *tabel = json_object_get(body, "tabel");
	json_t *def = json_object_get(body, "indicatorDefinitie");
	struct sdc_rules rules;
	char *rtext, *ttext;
	sqlite3_stmt *st;
	time_t made, changed;
	int rc;

	if (fed_items_foreign(db, "SELECT origin FROM datasets WHERE id = ?1",
	    e->id, e->origin)) {
		*why = FED_Q_CONFLICT;
		return -1;
	}
	if (e->deleted)
		return fed_items_dataset_withdraw(db, e);
	if (!fed_items_string(body, "gemeente", 6, &gemeente) ||
	    !fed_items_string(body, "indicator", 64, &indicator) ||
	    !fed_items_string(body, "periode", 7, &periode) ||
	    !fed_items_string(body, "vorm", 9, &vorm) ||
	    (strcmp(vorm, "tabel") != 0 && strcmp(vorm, "microdata") != 0) ||
	    !json_is_object(rapport) || !json_is_object(tabel) ||
	    !json_is_object(def) || strlen(e->id) != 36 ||
	    municipality_exists(db, gemeente) != 1 ||
	    !indicator_id_valid(indicator) ||
	    !indicator_period_valid(periode) ||
	    json_string_value(json_object_get(def, "id")) == NULL ||
	    strcmp(json_string_value(json_object_get(def, "id")), indicator) ||
	    !fed_items_time(json_object_get(body, "aangemaakt"), &made) ||
	    !fed_items_time(json_object_get(body, "gewijzigd"), &changed)) {
		*why = FED_Q_INVALID;
		return -1;
	}
	/* Shown and compared here only if it meets the rules of here. */
	sdc_rules_config(cfg, &rules);
	if ((*why = dataset_table_acceptable(tabel, rapport, &rules)) != NULL)
		return -1;
	if (fed_items_indicator_define(db, e->origin, def, why) == -1 ||
	    fed_items_period(db, indicator, periode, "voorlopig") == -1)
		return -1;
	rtext = json_dumps(rapport, JSON_COMPACT);
	ttext = json_dumps(tabel, JSON_COMPACT);
	st = db_stmt(db, "INSERT INTO datasets (id, origin, gemeente, indicator,"
	    " periode, vorm, status, publiceerbaar, rapport, tabel, tabel_was,"
	    " versie, aangemaakt, gewijzigd) VALUES (?1,?2,?3,?4,?5,?6,"
	    "'gepubliceerd',1,?7,?8,?8,?9,?10,?11) ON CONFLICT (id) DO UPDATE"
	    " SET status = 'gepubliceerd', rapport = ?7, tabel = ?8,"
	    " tabel_was = ?8, versie = ?9, gewijzigd = ?11");
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->origin);
	db_bind_text(st, 3, gemeente);
	db_bind_text(st, 4, indicator);
	db_bind_text(st, 5, periode);
	db_bind_text(st, 6, vorm);
	db_bind_text(st, 7, rtext);
	db_bind_text(st, 8, ttext);
	sqlite3_bind_int64(st, 9, e->version);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)made);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)changed);
	rc = db_step_done(db, st, "fed dataset");
	free(rtext);
	free(ttext);
	if (rc == -1 || dataset_store_feed_comparison(db, e->id) == -1)
		return -1;
	cache_bump();
	return 0;
}

/* ---- reactions (domain/reaction_fed.c) ---- */

static int
fed_items_reactie_export(struct db *db, const char *id, long long *version,
    json_t **out)
{
	(void)version;
	return reaction_fed_export(db, id, out);
}

static int
fed_items_reactie_apply(struct db *db, const struct fed_entry *e,
    json_t *body, const struct config *cfg, const char **why)
{
	if (!fed_sign_uuid_valid(e->id)) {
		*why = "reactie: id moet een UUID zijn";
		return -1;
	}
	return reaction_fed_apply(db, e->origin, e->id, e->deleted, body,
	    cfg->base_url, why);
}

/* ---- the table of kinds ---- */

static const struct fed_kind fed_kinds[] = {
	{ .name = "pilot", .versioned = true,
	    .export = fed_items_pilot_export, .apply = fed_items_pilot_apply,
	    .prepare = fed_items_pilot_prepare,
	    .ready_free = fed_items_pilot_ready_free },
	{ .name = "richtlijn", .export = fed_items_richtlijn_export,
	    .apply = fed_items_richtlijn_apply },
	{ .name = "richtlijnversie", .export = fed_items_versie_export,
	    .apply = fed_items_versie_apply },
	{ .name = "adoptie", .export = fed_items_adoptie_export,
	    .apply = fed_items_adoptie_apply },
	{ .name = "indicator", .export = fed_items_indicator_export,
	    .apply = fed_items_indicator_apply },
	{ .name = "dataset", .versioned = true,
	    .export = fed_items_dataset_export,
	    .apply = fed_items_dataset_apply },
	{ .name = "reactie", .export = fed_items_reactie_export,
	    .apply = fed_items_reactie_apply },
};

const struct fed_kind *
fed_items_kind(const char *name)
{
	for (size_t i = 0; i < nitems(fed_kinds); i++)
		if (strcmp(fed_kinds[i].name, name) == 0)
			return &fed_kinds[i];
	return NULL;
}
