/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The accounts of a municipality as its admin and the operator see them:
 * the list, a role, disabled or not, a name, a password.
 *
 * Every function that takes a gemeente reads and changes only that
 * municipality's users (an admin's own; another's user is MEENT_NOTFOUND,
 * as if it did not exist). gemeente NULL is the operator (meentctl): any
 * user, and no last-admin rule, since the operator is who repairs a
 * municipality that locked itself out.
 *
 * A municipality keeps at least one enabled admin: a role change or a
 * disable that would leave none is USER_LAST_ADMIN and changes nothing.
 * Disabling ends the account's sessions and spends its reset links at
 * once (a disabled account cannot sign in: user_login_lookup and
 * session_lookup read disabled too).
 */
#include "domain/domain.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USER_STORE_COLUMNS \
	"id, email, naam, gemeente, role, disabled," \
	" (SELECT last FROM user_logins l WHERE l.user_id = users.id)"

static void
user_store_row(sqlite3_stmt *st, struct user_row *u)
{
	memset(u, 0, sizeof *u);
	u->id = (long)sqlite3_column_int64(st, 0);
	snprintf(u->email, sizeof u->email, "%s", sqlite3_column_text(st, 1));
	snprintf(u->naam, sizeof u->naam, "%s", sqlite3_column_text(st, 2));
	snprintf(u->gemeente, sizeof u->gemeente, "%s",
	    sqlite3_column_text(st, 3));
	u->role = role_parse((const char *)sqlite3_column_text(st, 4));
	u->disabled = sqlite3_column_int(st, 5) != 0;
	u->last_login = (time_t)sqlite3_column_int64(st, 6);
}

/*
 * A page of gemeente's users, by name then address: [{id, email, naam,
 * rol, geblokkeerd, laatstIngelogd (Unix seconds or null)}], with the
 * count in *total. Caller decrefs; NULL on error.
 */
json_t *
user_store_list(struct db *db, const char *gemeente, int page, int size,
    long *total)
{
	sqlite3_stmt *st;
	json_t *a;
	int rc;

	st = db_stmt(db, "SELECT count(*) FROM users WHERE gemeente = ?1");
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	if (db_step_row(db, st, "user_store_count") != 1)
		return NULL;
	*total = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = db_stmt(db, "SELECT " USER_STORE_COLUMNS " FROM users"
	    " WHERE gemeente = ?1 ORDER BY naam = '', naam COLLATE NOCASE,"
	    " email LIMIT ?2 OFFSET ?3");
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, size);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)(page - 1) * size);
	a = json_array();
	while ((rc = db_step_row(db, st, "user_store_list")) == 1) {
		struct user_row u;

		user_store_row(st, &u);
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:b,"
		    " s:o}", "id", (json_int_t)u.id, "email", u.email, "naam",
		    u.naam, "rol", role_name(u.role), "geblokkeerd", u.disabled,
		    "laatstIngelogd", u.last_login != 0 ?
		    json_integer((json_int_t)u.last_login) : json_null()));
	}
	if (rc == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/*
 * User id into *u, when it is gemeente's (or any, gemeente NULL):
 * MEENT_OK, MEENT_NOTFOUND or MEENT_ERR.
 */
int
user_store_get(struct db *db, long id, const char *gemeente,
    struct user_row *u)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " USER_STORE_COLUMNS
	    " FROM users WHERE id = ?1 AND (?2 IS NULL OR gemeente = ?2)");
	int rc;

	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, id);
	if (gemeente != NULL)
		sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "user_store_get");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	user_store_row(st, u);
	sqlite3_reset(st);
	return MEENT_OK;
}

/*
 * The user an operator names: a number is an id, anything else an
 * address. Returns as user_store_get.
 */
int
user_store_find(struct db *db, const char *which, struct user_row *u)
{
	sqlite3_stmt *st;
	char *end;
	long id;
	int rc;

	id = strtol(which, &end, 10);
	if (*which != '\0' && *end == '\0' && id > 0)
		return user_store_get(db, id, NULL, u);
	st = db_stmt(db, "SELECT " USER_STORE_COLUMNS " FROM users"
	    " WHERE email = ?1");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, which, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "user_store_find");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	user_store_row(st, u);
	sqlite3_reset(st);
	return MEENT_OK;
}

/* Is there an account (enabled or not) for email? 1, 0 or MEENT_ERR. */
int
user_store_email_exists(struct db *db, const char *email)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM users WHERE email = ?1");
	int rc;

	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "user_store_email_exists");
	if (rc == 1)
		sqlite3_reset(st);
	return rc == -1 ? MEENT_ERR : rc;
}

/* Enabled admins of gemeente other than user id: a count, or -1. */
static long
user_store_other_admins(struct db *db, const char *gemeente, long id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM users"
	    " WHERE gemeente = ?1 AND role = 'admin' AND disabled = 0"
	    " AND id != ?2");
	long n;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if (db_step_row(db, st, "user_store_other_admins") != 1)
		return -1;
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/*
 * Within a transaction: may user u lose what makes it an admin, with the
 * rule applied (gemeente not NULL)? MEENT_OK, USER_LAST_ADMIN or MEENT_ERR.
 */
static int
user_store_admin_rule(struct db *db, const char *gemeente,
    const struct user_row *u)
{
	long others;

	if (gemeente == NULL || u->role != ROLE_ADMIN || u->disabled)
		return MEENT_OK;
	if ((others = user_store_other_admins(db, u->gemeente, u->id)) < 0)
		return MEENT_ERR;
	return others == 0 ? USER_LAST_ADMIN : MEENT_OK;
}

/* Run one statement on user id: UPDATE/DELETE with ?1 the id. */
static int
user_store_exec(struct db *db, const char *sql, long id, const char *what)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(db, st, what);
}

/*
 * Give user id (gemeente's, or any: NULL) role. MEENT_OK, MEENT_NOTFOUND,
 * MEENT_INVALID (no role), USER_LAST_ADMIN or MEENT_ERR.
 */
int
user_store_set_role(struct db *db, long id, const char *gemeente,
    enum role role)
{
	struct user_row u;
	sqlite3_stmt *st;
	int rc;

	if (role == ROLE_NONE)
		return MEENT_INVALID;
	if (db_begin(db) == -1)
		return MEENT_ERR;
	rc = user_store_get(db, id, gemeente, &u);
	if (rc == MEENT_OK && role != ROLE_ADMIN)
		rc = user_store_admin_rule(db, gemeente, &u);
	if (rc != MEENT_OK) {
		db_rollback(db);
		return rc;
	}
	st = db_stmt(db, "UPDATE users SET role = ?2 WHERE id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, role_name(role), -1, SQLITE_STATIC);
	if (db_step_done(db, st, "user_store_set_role") == -1 ||
	    db_commit(db) == -1)
		goto fail;
	log_emit(LOG_INFO, "user.role", "user %ld is now %s", id,
	    role_name(role));
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * Disable (or enable again) user id, gemeente's or any (NULL). Disabling
 * ends its sessions and spends its reset links in the same transaction.
 * Returns as user_store_set_role.
 */
int
user_store_set_disabled(struct db *db, long id, const char *gemeente,
    bool disabled)
{
	struct user_row u;
	int rc;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	rc = user_store_get(db, id, gemeente, &u);
	if (rc == MEENT_OK && disabled)
		rc = user_store_admin_rule(db, gemeente, &u);
	if (rc != MEENT_OK) {
		db_rollback(db);
		return rc;
	}
	if (user_store_exec(db, disabled ? "UPDATE users SET disabled = 1"
	    " WHERE id = ?1" : "UPDATE users SET disabled = 0 WHERE id = ?1",
	    id, "user_store_set_disabled") == -1)
		goto fail;
	if (disabled && (user_store_exec(db, "DELETE FROM sessions"
	    " WHERE user_id = ?1", id, "user_store_sessions") == -1 ||
	    user_store_exec(db, "UPDATE password_resets SET used = 1"
	    " WHERE user_id = ?1", id, "user_store_resets") == -1))
		goto fail;
	if (db_commit(db) == -1)
		goto fail;
	/* Its contact entries went (a trigger): cached pages showed them. */
	cache_bump();
	log_emit(LOG_INFO, "user.disabled", "user %ld %s", id, disabled ?
	    "disabled; sessions ended" : "enabled");
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}

/* The user's own new name (checked by user_name_valid). 0 or MEENT_ERR. */
int
user_store_set_name(struct db *db, long id, const char *naam)
{
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	st = db_stmt(db, "UPDATE users SET naam = ?2 WHERE id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, naam, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "user_store_set_name") == -1 ||
	    db_commit(db) == -1)
		goto fail;
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * The password hash of enabled user id into hash, to check a current
 * password. MEENT_OK, MEENT_NOTFOUND or MEENT_ERR.
 */
int
user_store_password(struct db *db, long id, char hash[PASSWORD_HASH_LEN])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT password_hash FROM users"
	    " WHERE id = ?1 AND disabled = 0");
	int rc;

	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_row(db, st, "user_store_password");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	snprintf(hash, PASSWORD_HASH_LEN, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return MEENT_OK;
}

/*
 * Set user id's password to hash (password_hash's) and end every other
 * session: all but the one whose cookie is keep (NULL: all), and every
 * reset link. MEENT_OK or MEENT_ERR.
 */
int
user_store_set_password(struct db *db, long id, const char *hash,
    const char *keep)
{
	unsigned char digest[32] = { 0 };
	sqlite3_stmt *st;

	if (keep != NULL && strlen(keep) == SESSION_LEN)
		crypto_hash_sha256(digest, (const unsigned char *)keep,
		    SESSION_LEN);
	if (db_begin(db) == -1)
		return MEENT_ERR;
	st = db_stmt(db, "UPDATE users SET password_hash = ?2 WHERE id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "user_store_set_password") == -1)
		goto fail;
	st = db_stmt(db, "DELETE FROM sessions WHERE user_id = ?1"
	    " AND digest != ?2");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, digest, sizeof digest, SQLITE_STATIC);
	if (db_step_done(db, st, "user_store_other_sessions") == -1 ||
	    user_store_exec(db, "UPDATE password_resets SET used = 1"
	    " WHERE user_id = ?1", id, "user_store_resets") == -1 ||
	    db_commit(db) == -1)
		goto fail;
	log_emit(LOG_INFO, "user.password", "user %ld changed the password; "
	    "other sessions ended", id);
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * Every user for the operator (meentctl user list): id, address,
 * municipality, role, state and last login. Never a password hash.
 * Returns 0 or -1.
 */
int
user_store_print_list(struct db *db, FILE *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " USER_STORE_COLUMNS
	    " FROM users ORDER BY id");
	char last[32];
	int rc;

	if (st == NULL)
		return -1;
	fprintf(out, "%-6s %-8s %-7s %-9s %-21s %s\n", "ID", "GEMEENTE",
	    "ROLE", "STATE", "LAST LOGIN", "EMAIL");
	while ((rc = db_step_row(db, st, "user_store_print_list")) == 1) {
		struct user_row u;

		user_store_row(st, &u);
		if (u.last_login != 0)
			clock_format(u.last_login, last, sizeof last);
		else
			snprintf(last, sizeof last, "-");
		fprintf(out, "%-6ld %-8s %-7s %-9s %-21s %s\n", u.id,
		    u.gemeente, role_name(u.role), u.disabled ? "disabled" :
		    "active", last, u.email);
	}
	return rc;
}
