/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * API tokens: "meent_" and 43 characters of base64url (256 random bits).
 *
 * Only the SHA-256 digest of a token is stored; the token itself is shown
 * once, when it is made. A lookup hashes what the client sent and finds the
 * row by digest, then compares the digests again in constant time. Expiry
 * and revocation are in the lookup's WHERE clause, so they act at once.
 */
#include "domain/domain.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_PREFIX "meent_"
#define TOKEN_RANDOM 32

void
token_digest(const char *token, unsigned char out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

/* A new random secret, "meent_..." into out[TOKEN_LEN + 1]. */
void
token_generate(char out[TOKEN_LEN + 1])
{
	unsigned char raw[TOKEN_RANDOM];

	randombytes_buf(raw, sizeof raw);
	memcpy(out, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
	sodium_bin2base64(out + sizeof TOKEN_PREFIX - 1,
	    TOKEN_LEN + 1 - (sizeof TOKEN_PREFIX - 1), raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

/* Does s have the shape of a token? Checked before any hashing. */
bool
token_well_formed(const char *s, size_t len)
{
	if (len != TOKEN_LEN || strncmp(s, TOKEN_PREFIX,
	    sizeof TOKEN_PREFIX - 1) != 0)
		return false;
	for (size_t i = sizeof TOKEN_PREFIX - 1; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/*
 * Make a token for a member of gemeente with role. expires_days 0 means no
 * expiry. The token goes into out (shown once); the row id into *id.
 * Makes the municipality a member. Returns 0 or -1.
 */
int
token_create(struct db *db, const char *gemeente, enum role role,
    const char *name, int expires_days, char out[TOKEN_LEN + 1], long *id)
{
	unsigned char digest[32];
	time_t now = time(NULL);
	sqlite3_stmt *st;

	token_generate(out);
	token_digest(out, digest);
	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO tokens (digest, gemeente, role, name,"
	    " created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name != NULL ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	if (expires_days > 0)
		sqlite3_bind_int64(st, 6, (sqlite3_int64)now +
		    (sqlite3_int64)expires_days * 86400);
	if (db_step_done(db, st, "token_create") == -1)
		goto fail;
	*id = (long)sqlite3_last_insert_rowid(db_handle(db));
	if (municipality_mark_member(db, gemeente) == -1 || db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	sodium_memzero(out, TOKEN_LEN + 1);
	return -1;
}

/*
 * Who does this token belong to? Fills *p and returns AUTH_OK, or
 * AUTH_INVALID (unknown, expired or revoked), or AUTH_FAILED (database).
 */
int
token_lookup(struct db *db, const char *token, size_t len,
    struct principal *p)
{
	unsigned char digest[32];
	char copy[TOKEN_LEN + 1];
	sqlite3_stmt *st;
	int rc;

	if (!token_well_formed(token, len))
		return AUTH_INVALID;
	memcpy(copy, token, len);
	copy[len] = '\0';
	token_digest(copy, digest);
	sodium_memzero(copy, sizeof copy);
	st = db_stmt(db, "SELECT id, digest, gemeente, role FROM tokens"
	    " WHERE digest = ?1 AND revoked IS NULL"
	    " AND (expires IS NULL OR expires > ?2)");
	if (st == NULL)
		return AUTH_FAILED;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = db_step_row(db, st, "token_lookup");
	if (rc == 1 && sqlite3_column_bytes(st, 1) == 32 &&
	    sodium_memcmp(sqlite3_column_blob(st, 1), digest, 32) == 0) {
		p->kind = PRINCIPAL_TOKEN;
		p->token_id = sqlite3_column_int64(st, 0);
		snprintf(p->gemeente, sizeof p->gemeente, "%s",
		    sqlite3_column_text(st, 2));
		p->role = role_parse((const char *)sqlite3_column_text(st, 3));
		sqlite3_reset(st);
		return AUTH_OK;
	}
	sqlite3_reset(st);
	return rc == -1 ? AUTH_FAILED : AUTH_INVALID;
}

/* Revoke by id. Returns 0, MEENT_NOTFOUND, or -1. */
int
token_revoke(struct db *db, long id)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db) == -1)
		return -1;
	st = db_stmt(db, "UPDATE tokens SET revoked = ?2"
	    " WHERE id = ?1 AND revoked IS NULL");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "token_revoke") == -1)
		goto fail;
	rc = sqlite3_changes(db_handle(db)) == 1 ? 0 : MEENT_NOTFOUND;
	if (db_commit(db) == -1)
		goto fail;
	return rc;
fail:
	db_rollback(db);
	return -1;
}

/* Print the tokens (never their secrets) as a table on out. */
int
token_print_list(struct db *db, FILE *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, gemeente, role, name,"
	    " created, expires, revoked FROM tokens ORDER BY id");
	char created[32], until[32];
	int rc;

	if (st == NULL)
		return -1;
	fprintf(out, "%-6s %-7s %-7s %-21s %-21s %-8s %s\n", "ID", "GEMEENTE",
	    "ROLE", "CREATED", "EXPIRES", "STATE", "NAME");
	while ((rc = db_step_row(db, st, "token_print_list")) == 1) {
		time_t exp = (time_t)sqlite3_column_int64(st, 5);
		const char *state = "active";

		clock_format((time_t)sqlite3_column_int64(st, 4), created,
		    sizeof created);
		if (sqlite3_column_type(st, 5) == SQLITE_NULL)
			snprintf(until, sizeof until, "-");
		else
			clock_format(exp, until, sizeof until);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			state = "revoked";
		else if (sqlite3_column_type(st, 5) != SQLITE_NULL &&
		    exp <= time(NULL))
			state = "expired";
		fprintf(out, "%-6lld %-8s %-7s %-21s %-21s %-8s %s\n",
		    sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), created, until, state,
		    sqlite3_column_text(st, 3));
	}
	return rc;
}

static json_t *
token_row_json(sqlite3_stmt *st)
{
	json_t *o = json_pack("{s:I, s:o, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "naam", db_column_json(st, 1),
	    "rol", db_column_json(st, 2),
	    "aangemaakt", clock_json((time_t)sqlite3_column_int64(st, 3)));

	json_object_set_new(o, "verloopt", sqlite3_column_type(st, 4) ==
	    SQLITE_NULL ? json_null() :
	    clock_json((time_t)sqlite3_column_int64(st, 4)));
	json_object_set_new(o, "ingetrokken", sqlite3_column_type(st, 5) ==
	    SQLITE_NULL ? json_null() :
	    clock_json((time_t)sqlite3_column_int64(st, 5)));
	return o;
}

/*
 * A page of one municipality's tokens (never their secrets), newest first.
 * Returns a JSON array (caller owns) and *total, or NULL on error.
 */
json_t *
token_list_json(struct db *db, const char *gemeente, int page, int page_size,
    long *total)
{
	sqlite3_stmt *st;
	json_t *items;
	int rc;

	st = db_stmt(db, "SELECT count(*) FROM tokens WHERE gemeente = ?1");
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "token_list_json count");
	*total = rc == 1 ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != 1)
		return NULL;	/* count(*) has a row: no row is an error */
	st = db_stmt(db, "SELECT id, name, role, created, expires, revoked"
	    " FROM tokens WHERE gemeente = ?1 ORDER BY id DESC"
	    " LIMIT ?2 OFFSET ?3");
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, page_size);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)(page - 1) * page_size);
	items = json_array();
	while ((rc = db_step_row(db, st, "token_list_json")) == 1)
		json_array_append_new(items, token_row_json(st));
	if (rc == -1) {
		json_decref(items);
		return NULL;
	}
	return items;
}

/* The municipality a token belongs to, into out[8]; MEENT_NOTFOUND if none. */
int
token_gemeente(struct db *db, long id, char out[8])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT gemeente FROM tokens"
	    " WHERE id = ?1");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_row(db, st, "token_gemeente");
	if (rc == 1)
		snprintf(out, 8, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? MEENT_NOTFOUND : -1;
}
