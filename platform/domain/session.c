/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Web sessions: a random cookie value whose SHA-256 digest is stored with
 * the user and an expiry, and a CSRF token for the forms of that session.
 *
 * The cookie is HttpOnly and SameSite=Lax; served over https it is named
 * with the __Host- prefix and marked Secure. Cookies only ever authenticate
 * the web pages and the API's reads, never the API's writes.
 */
#include "domain/domain.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void
session_random(char *out, size_t outlen)
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, outlen, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

static bool
session_well_formed(const char *s)
{
	size_t len = strlen(s);

	if (len != SESSION_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/*
 * Start a session for user_id lasting hours. The cookie value goes into
 * cookie[SESSION_LEN + 1]. Returns 0 or -1.
 */
int
session_create(struct db *db, long user_id, int hours,
    char cookie[SESSION_LEN + 1])
{
	unsigned char digest[32];
	char csrf[SESSION_LEN + 1];
	time_t now = time(NULL);
	sqlite3_stmt *st;

	session_random(cookie, SESSION_LEN + 1);
	session_random(csrf, sizeof csrf);
	crypto_hash_sha256(digest, (const unsigned char *)cookie, SESSION_LEN);
	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO sessions (digest, user_id, csrf,"
	    " created, expires) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now + (sqlite3_int64)hours *
	    3600);
	if (db_step_done(db, st, "session_create") == -1)
		goto fail;
	/* Expired sessions go when new ones come. */
	st = db_stmt(db, "DELETE FROM sessions WHERE expires <= ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	if (db_step_done(db, st, "session_expire") == -1 ||
	    db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	sodium_memzero(cookie, SESSION_LEN + 1);
	return -1;
}

/*
 * The user of a session cookie. Fills *p (with the CSRF token and the
 * municipality's name) and returns AUTH_OK, AUTH_INVALID or AUTH_FAILED.
 */
int
session_lookup(struct db *db, const char *cookie, struct principal *p)
{
	unsigned char digest[32];
	sqlite3_stmt *st;
	int rc;

	if (!session_well_formed(cookie))
		return AUTH_INVALID;
	crypto_hash_sha256(digest, (const unsigned char *)cookie, SESSION_LEN);
	st = db_stmt(db, "SELECT u.id, u.gemeente, u.role, s.csrf,"
	    " (SELECT naam FROM gemeenten WHERE code = u.gemeente)"
	    " FROM sessions s JOIN users u ON u.id = s.user_id"
	    " WHERE s.digest = ?1 AND s.expires > ?2 AND u.disabled = 0");
	if (st == NULL)
		return AUTH_FAILED;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = db_step_row(db, st, "session_lookup");
	if (rc == 1) {
		p->kind = PRINCIPAL_SESSION;
		p->user_id = sqlite3_column_int64(st, 0);
		snprintf(p->gemeente, sizeof p->gemeente, "%s",
		    sqlite3_column_text(st, 1));
		p->role = role_parse((const char *)sqlite3_column_text(st, 2));
		snprintf(p->csrf, sizeof p->csrf, "%s",
		    sqlite3_column_text(st, 3));
		/* For the page header; in the same read as the rest. */
		snprintf(p->gemeente_naam, sizeof p->gemeente_naam, "%s",
		    sqlite3_column_type(st, 4) == SQLITE_NULL ? "" :
		    (const char *)sqlite3_column_text(st, 4));
		sqlite3_reset(st);
		return AUTH_OK;
	}
	return rc == 0 ? AUTH_INVALID : AUTH_FAILED;
}

/* End the session of this cookie (logout). */
int
session_delete(struct db *db, const char *cookie)
{
	unsigned char digest[32];
	sqlite3_stmt *st;

	if (!session_well_formed(cookie))
		return 0;
	crypto_hash_sha256(digest, (const unsigned char *)cookie, SESSION_LEN);
	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "DELETE FROM sessions WHERE digest = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	if (db_step_done(db, st, "session_delete") == -1 ||
	    db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
