/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Notifications: what a user wants to hear about, and what happened.
 *
 * Kinds (notify_kinds): new pilots matching a saved filter, new revisions
 * of guidelines the user's municipality follows, proposals waiting for the
 * municipality as a maintainer, reactions on the municipality's pilots,
 * invitations and access requests (admins). Each is "niet", "direct" or
 * "wekelijks" per user (notify_prefs; a missing row is the kind's
 * default: proposals and access requests direct, because someone waits
 * for an answer and they only reach maintainers and admins; everything
 * else nothing until the person chooses, so nobody gets mail they did not
 * ask for).
 *
 * Events are rows of notify_events, one per (kind, ref). Pilots,
 * revisions and proposals are recorded by triggers (migration 16) inside
 * the write's own transaction, whichever way the write came (API, page,
 * federation); other modules call notify_event() for theirs (its use:
 * notify_event.c); a second call with the same kind and ref is ignored. Reactions reach the users of gemeente, access events its
 * admins. Nothing waits for mail: notify_mail.c's dispatcher (a thread,
 * notify_thread.c) queues the direct mails within a second, and the weekly
 * digest gathers the rest.
 *
 * Unsubscribe tokens: 32 random bytes (base64url) per message, for one
 * user and one kind (or "overzicht", the weekly digest); only the SHA-256
 * digest is stored, with an expiry.
 */
#include "domain/domain.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

const struct choice notify_kinds[] = {
	{ "pilots", "Nieuwe pilots die passen bij uw filters", NULL },
	{ "revisies", "Nieuwe versies van richtlijnen die uw gemeente volgt",
	    NULL },
	{ "voorstellen", "Voorstellen die op uw gemeente wachten, als "
	    "beheerder van een richtlijn", NULL },
	{ "reacties", "Reacties op pilots van uw gemeente", NULL },
	{ "toegang", "Uitnodigingen en aanvragen voor toegang (voor "
	    "beheerders)", NULL },
	{ NULL, NULL, NULL },
};

const struct choice notify_modes[] = {
	{ "niet", "Niet", NULL },
	{ "direct", "Direct, per e-mail", NULL },
	{ "wekelijks", "In een wekelijks overzicht", NULL },
	{ NULL, NULL, NULL },
};

/* The default mode of each kind (see the top of the file). */
const char *
notify_kind_default(enum notify_kind kind)
{
	return kind == NOTIFY_PROPOSALS || kind == NOTIFY_ACCESS ? "direct" :
	    "niet";
}

/* The kind of a value, or -1. */
int
notify_kind_parse(const char *v)
{
	for (int i = 0; i < NOTIFY_KINDS; i++)
		if (v != NULL && strcmp(v, notify_kinds[i].value) == 0)
			return i;
	return -1;
}

/*
 * A user's modes, one per kind, in notify_kinds' order: modes[i] points at
 * a notify_modes value. Returns 0 or MEENT_ERR.
 */
int
notify_prefs_get(struct db *db, long user_id, const char *modes[NOTIFY_KINDS])
{
	sqlite3_stmt *st;
	int rc, k;

	for (k = 0; k < NOTIFY_KINDS; k++)
		modes[k] = notify_kind_default((enum notify_kind)k);
	st = db_stmt(db, "SELECT kind, mode FROM notify_prefs"
	    " WHERE user_id = ?1");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = db_step_row(db, st, "notify_prefs_get")) == 1) {
		const struct choice *m = choice_find(notify_modes,
		    (const char *)sqlite3_column_text(st, 1));

		k = notify_kind_parse((const char *)sqlite3_column_text(st, 0));
		if (k >= 0 && m != NULL)
			modes[k] = m->value;
	}
	return rc == -1 ? MEENT_ERR : 0;
}

/*
 * Set one kind's mode (a notify_modes value). A changed mode starts
 * anew (since = now: a weekly digest covers what happens from then on).
 * Returns 0, MEENT_INVALID or MEENT_ERR.
 */
int
notify_prefs_set(struct db *db, long user_id, enum notify_kind kind,
    const char *mode)
{
	sqlite3_stmt *st;

	if ((int)kind < 0 || kind >= NOTIFY_KINDS ||
	    !choice_valid(notify_modes, mode))
		return MEENT_INVALID;
	st = db_stmt(db, "INSERT INTO notify_prefs (user_id, kind, mode,"
	    " since) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id, kind)"
	    " DO UPDATE SET mode = excluded.mode, since = excluded.since"
	    " WHERE mode <> excluded.mode");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, notify_kinds[kind].value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, mode, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	return db_step_done(db, st, "notify_prefs_set") == -1 ? MEENT_ERR : 0;
}

/*
 * A user's saved pilot filters: [{id, grootteklasse, domein, provincie}]
 * (null: any). Caller decrefs; NULL on error.
 */
json_t *
notify_filters_list(struct db *db, long user_id)
{
	json_t *out = json_array();
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(db, "SELECT id, grootteklasse, domein, provincie"
	    " FROM notify_filters WHERE user_id = ?1 ORDER BY id");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, user_id);
	while ((rc = db_step_row(db, st, "notify_filters_list")) == 1)
		json_array_append_new(out, json_pack("{s:I,s:o,s:o,s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "grootteklasse", sqlite3_column_type(st, 1) == SQLITE_NULL ?
		    json_null() : json_integer(sqlite3_column_int(st, 1)),
		    "domein", sqlite3_column_type(st, 2) == SQLITE_NULL ?
		    json_null() : json_string((const char *)
		    sqlite3_column_text(st, 2)),
		    "provincie", sqlite3_column_type(st, 3) == SQLITE_NULL ?
		    json_null() : json_string((const char *)
		    sqlite3_column_text(st, 3))));
	if (rc == -1)
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

static void
notify_bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Save a pilot filter (values checked by the caller; 0/NULL: any). At most
 * NOTIFY_FILTERS_MAX per user; the same filter twice is one. Returns 0,
 * MEENT_CONFLICT (too many) or MEENT_ERR.
 */
int
notify_filter_add(struct db *db, long user_id, int grootteklasse,
    const char *domein, const char *provincie)
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(db, "SELECT count(*) FROM notify_filters"
	    " WHERE user_id = ?1");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, user_id);
	if ((rc = db_step_row(db, st, "notify_filter_count")) != 1)
		return MEENT_ERR;
	rc = sqlite3_column_int(st, 0) >= NOTIFY_FILTERS_MAX;
	sqlite3_reset(st);
	if (rc)
		return MEENT_CONFLICT;
	/* UNIQUE does not see NULLs as equal: look first. */
	st = db_stmt(db, "INSERT INTO notify_filters (user_id, grootteklasse,"
	    " domein, provincie, created) SELECT ?1, ?2, ?3, ?4, ?5"
	    " WHERE NOT EXISTS (SELECT 1 FROM notify_filters WHERE"
	    " user_id = ?1 AND grootteklasse IS ?2 AND domein IS ?3"
	    " AND provincie IS ?4)");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, user_id);
	if (grootteklasse > 0)
		sqlite3_bind_int(st, 2, grootteklasse);
	else
		sqlite3_bind_null(st, 2);
	notify_bind_text_or_null(st, 3, domein);
	notify_bind_text_or_null(st, 4, provincie);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	return db_step_done(db, st, "notify_filter_add") == -1 ? MEENT_ERR : 0;
}

/* Remove one of user_id's filters: 0, MEENT_NOTFOUND or MEENT_ERR. */
int
notify_filter_remove(struct db *db, long user_id, long id)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM notify_filters"
	    " WHERE id = ?1 AND user_id = ?2");

	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	if (db_step_done(db, st, "notify_filter_remove") == -1)
		return MEENT_ERR;
	return sqlite3_changes(db_handle(db)) > 0 ? 0 : MEENT_NOTFOUND;
}

/*
 * A new unsubscribe token for user_id and what (a kind's value or
 * "overzicht"), written to out; only its digest is stored. 0 or MEENT_ERR.
 */
int
notify_token_new(struct db *db, long user_id, const char *what,
    char out[NOTIFY_TOKEN_LEN + 1])
{
	unsigned char raw[32], digest[32];
	sqlite3_stmt *st;

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, NOTIFY_TOKEN_LEN + 1, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	crypto_hash_sha256(digest, (const unsigned char *)out,
	    NOTIFY_TOKEN_LEN);
	st = db_stmt(db, "INSERT INTO notify_tokens (digest, user_id, kind,"
	    " expires) VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, what, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL) +
	    NOTIFY_TOKEN_DAYS * 86400);
	return db_step_done(db, st, "notify_token_new") == -1 ? MEENT_ERR : 0;
}

static bool
notify_token_well_formed(const char *token)
{
	size_t len = strlen(token);

	if (len != NOTIFY_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((token[i] >= 'A' && token[i] <= 'Z') ||
		    (token[i] >= 'a' && token[i] <= 'z') ||
		    (token[i] >= '0' && token[i] <= '9') || token[i] == '-' ||
		    token[i] == '_'))
			return false;
	return true;
}

/*
 * What token unsubscribes from: its kind's value or "overzicht" in
 * what[16], and the user. 0, MEENT_NOTFOUND (unknown, forged, malformed,
 * expired) or MEENT_ERR.
 */
int
notify_token_lookup(struct db *db, const char *token, char what[16],
    long *user_id)
{
	unsigned char digest[32];
	sqlite3_stmt *st;
	int rc;

	if (!notify_token_well_formed(token))
		return MEENT_NOTFOUND;
	crypto_hash_sha256(digest, (const unsigned char *)token,
	    NOTIFY_TOKEN_LEN);
	st = db_stmt(db, "SELECT t.kind, t.user_id FROM notify_tokens t"
	    " JOIN users u ON u.id = t.user_id"
	    " WHERE t.digest = ?1 AND t.expires > ?2");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = db_step_row(db, st, "notify_token_lookup");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	snprintf(what, 16, "%s", (const char *)sqlite3_column_text(st, 0));
	*user_id = (long)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 0;
}

/*
 * One click: the token's kind becomes "niet", or for "overzicht" every
 * kind that came weekly. what[16] says which. 0, MEENT_NOTFOUND or
 * MEENT_ERR. Doing it twice is the same as once.
 */
int
notify_unsubscribe(struct db *db, const char *token, char what[16])
{
	const char *modes[NOTIFY_KINDS];
	long user_id;
	int rc, k;

	if ((rc = notify_token_lookup(db, token, what, &user_id)) != 0)
		return rc;
	if (db_begin(db) == -1)
		return MEENT_ERR;
	if (notify_prefs_get(db, user_id, modes) != 0)
		goto fail;
	for (k = 0; k < NOTIFY_KINDS; k++) {
		bool hit = strcmp(what, "overzicht") == 0 ?
		    strcmp(modes[k], "wekelijks") == 0 :
		    strcmp(what, notify_kinds[k].value) == 0;

		if (hit && notify_prefs_set(db, user_id, (enum notify_kind)k,
		    "niet") != 0)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	log_emit(LOG_INFO, "notify.unsubscribe", "user %ld unsubscribed "
	    "from %s", user_id, what);
	return 0;
fail:
	db_rollback(db);
	return MEENT_ERR;
}
