/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Users: an e-mail address, a name, a municipality and a role. Made by the
 * operator (meentctl user add) or through an admin's invitation
 * (invitation.c); changed by that admin or the operator (user_store.c).
 */
#include "domain/domain.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A plausible address: one '@', something on both sides, no spaces. */
bool
user_email_valid(const char *email)
{
	const char *at = strchr(email, '@');
	size_t len = strlen(email);

	if (len < 3 || len > 254 || at == NULL || at == email ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strchr(at + 1, '.') == NULL)
		return false;
	for (const char *c = email; *c != '\0'; c++)
		if ((unsigned char)*c <= ' ' || *c == '<' || *c == '>' ||
		    *c == '"')
			return false;
	return true;
}

/* The code point at s (valid UTF-8, checked before), its length in *n. */
static unsigned long
user_codepoint(const unsigned char *s, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if (s[0] < 0xe0) {
		*n = 2;
		return ((unsigned long)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0) {
		*n = 3;
		return ((unsigned long)(s[0] & 0x0f) << 12) |
		    ((unsigned long)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	}
	*n = 4;
	return ((unsigned long)(s[0] & 0x07) << 18) |
	    ((unsigned long)(s[1] & 0x3f) << 12) |
	    ((unsigned long)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

/*
 * Characters a name may not have: controls (C0, DEL, C1: CR and LF would
 * split a mail header), and the invisible ones that make a name read as
 * another (bidirectional overrides and isolates, zero-width characters,
 * line and paragraph separators, the byte order mark).
 */
static bool
user_name_char_bad(unsigned long c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x2069) || c == 0xfeff;
}

/*
 * A person's name as people type it (accents welcome): valid UTF-8 of 1 to
 * USER_NAME_MAX bytes, no character user_name_char_bad() refuses, no space
 * at either end.
 */
bool
user_name_valid(const char *naam)
{
	const unsigned char *s = (const unsigned char *)naam;
	size_t len, n;

	if (naam == NULL)
		return false;
	len = strlen(naam);
	if (len == 0 || len > USER_NAME_MAX || !csvstream_utf8_valid(s, len) ||
	    s[0] == ' ' || s[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len; i += n)
		if (user_name_char_bad(user_codepoint(s + i, &n)))
			return false;
	return true;
}

/*
 * Add a user. The password is hashed here. Returns the new id, or -1 with
 * *err (caller frees). Makes the municipality a member.
 */
long
user_add(struct db *db, const char *email, const char *naam,
    const char *gemeente, enum role role, const char *pw, size_t pwlen,
    char **err)
{
	char hash[PASSWORD_HASH_LEN];
	sqlite3_stmt *st;
	long id;

	if (!user_email_valid(email)) {
		*err = xasprintf("not a valid e-mail address");
		return -1;
	}
	if (!password_acceptable(pw, pwlen)) {
		*err = xasprintf("a password has %d to %d characters",
		    PASSWORD_MIN, PASSWORD_MAX);
		return -1;
	}
	switch (municipality_exists(db, gemeente)) {
	case 1:
		break;
	case 0:
		*err = xasprintf("unknown municipality %s", gemeente);
		return -1;
	default:
		*err = xasprintf("cannot read the municipalities");
		return -1;
	}
	if (password_hash(pw, pwlen, hash) == -1) {
		*err = xasprintf("cannot hash the password (out of memory)");
		return -1;
	}
	if (db_begin(db) == -1) {
		*err = xasprintf("cannot begin a transaction");
		return -1;
	}
	st = db_stmt(db, "INSERT INTO users (email, naam, gemeente, role,"
	    " password_hash, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, naam != NULL ? naam : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE) {
		bool dup = sqlite3_extended_errcode(db_handle(db)) ==
		    SQLITE_CONSTRAINT_UNIQUE;

		if (!dup)
			db_error(db, "user_add");
		sqlite3_reset(st);
		db_rollback(db);
		*err = xasprintf(dup ? "a user with this e-mail address "
		    "exists already" : "cannot store the user");
		return -1;
	}
	sqlite3_reset(st);
	id = (long)sqlite3_last_insert_rowid(db_handle(db));
	if (municipality_mark_member(db, gemeente) == -1 || db_commit(db) == -1)
		goto fail;
	return id;
fail:
	db_rollback(db);
	*err = xasprintf("cannot store the user");
	return -1;
}

static char user_dummy[PASSWORD_HASH_LEN];
static pthread_once_t user_dummy_once = PTHREAD_ONCE_INIT;

static void
user_dummy_hash(void)
{
	static const char pw[] = "no user has this password";

	if (password_hash(pw, sizeof pw - 1, user_dummy) == -1)
		fatal("cannot hash the dummy password");
}

/*
 * The first half of a login, on a worker: the account of email into *p and
 * its password hash into hash. The second half, password_verify(), runs on
 * the password pool. An unknown or disabled address gets a dummy hash that
 * no password matches, so that it costs the same hashing as a wrong
 * password and timing does not tell which addresses exist: AUTH_INVALID
 * with hash filled. AUTH_FAILED: the database failed.
 */
int
user_login_lookup(struct db *db, const char *email, struct principal *p,
    char *hash)
{
	sqlite3_stmt *st;
	int rc;

	memset(p, 0, sizeof *p);
	pthread_once(&user_dummy_once, user_dummy_hash);
	memcpy(hash, user_dummy, PASSWORD_HASH_LEN);
	if (!user_email_valid(email))
		return AUTH_INVALID;
	st = db_stmt(db, "SELECT id, gemeente, role, password_hash"
	    " FROM users WHERE email = ?1 AND disabled = 0");
	if (st == NULL)
		return AUTH_FAILED;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "user_login_lookup");
	if (rc != 1)
		return rc == 0 ? AUTH_INVALID : AUTH_FAILED;
	p->user_id = sqlite3_column_int64(st, 0);
	snprintf(p->gemeente, sizeof p->gemeente, "%s",
	    sqlite3_column_text(st, 1));
	p->role = role_parse((const char *)sqlite3_column_text(st, 2));
	p->kind = PRINCIPAL_SESSION;
	snprintf(hash, PASSWORD_HASH_LEN, "%s", sqlite3_column_text(st, 3));
	sqlite3_reset(st);
	return AUTH_OK;
}
