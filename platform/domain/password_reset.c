/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Forgotten passwords: a one-time link by e-mail (user_link.c: 32 random
 * bytes, base64url, in the link's path; only its SHA-256 digest is stored),
 * with the user, an expiry (PASSWORD_RESET_MINUTES) and whether it was
 * used. Setting a new password marks every link of the user used and ends
 * all the user's sessions, in one transaction.
 *
 * Whether an address has an account is never told: a request for an
 * unknown or disabled address answers the same and sends nothing. Callers
 * rate-limit first (login_guard_reset_allow).
 */
#include "domain/domain.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

/* Keep rows this long past their expiry, to say "expired" and not "unknown". */
#define PASSWORD_RESET_KEEP	(24 * 3600)

/* The e-mail with the link, in Dutch, text and HTML. */
static long
password_reset_mail(struct db *db, const char *email, const char *link,
    const char *instance_name)
{
	struct evbuffer *b = evbuffer_new();
	char *subject, *text, *html;
	long id;

	if (b == NULL)
		fatal("evbuffer_new");
	subject = xasprintf("Nieuw wachtwoord voor %s", instance_name);
	text = xasprintf("Goedendag,\n\nIemand heeft gevraagd om een nieuw "
	    "wachtwoord voor uw account bij %s. Was u dat? Open dan deze "
	    "link en kies een nieuw wachtwoord:\n\n%s\n\nDe link werkt %d "
	    "minuten, en maar één keer.\n\nHeeft u dit niet gevraagd? Dan "
	    "hoeft u niets te doen: uw wachtwoord blijft hetzelfde.\n",
	    instance_name, link, PASSWORD_RESET_MINUTES);
	html_out(b, "<!DOCTYPE html>\n<html lang=\"nl\"><body>"
	    "<p>Goedendag,</p><p>Iemand heeft gevraagd om een nieuw "
	    "wachtwoord voor uw account bij %s. Was u dat? Open dan deze "
	    "link en kies een nieuw wachtwoord:</p><p><a href=\"%s\">"
	    "Nieuw wachtwoord kiezen</a></p><p>De link werkt %d minuten, en "
	    "maar één keer.</p><p>Heeft u dit niet gevraagd? Dan hoeft u "
	    "niets te doen: uw wachtwoord blijft hetzelfde.</p>"
	    "</body></html>\n", instance_name, link, PASSWORD_RESET_MINUTES);
	html = buffer_take_string(b);	/* frees b */
	id = mail_enqueue(db, email, subject, text, html, NULL);
	free(subject);
	free(text);
	free(html);
	return id;
}

/*
 * Someone asks for a new password for email. If it is an enabled account,
 * store a new token and queue the e-mail with origin's link; otherwise do
 * nothing. Returns 0 either way (the caller's answer must not differ), or
 * MEENT_ERR when the database failed.
 */
int
password_reset_request(struct db *db, const char *email, const char *origin,
    const char *instance_name)
{
	unsigned char digest[32];
	char token[PASSWORD_RESET_LEN + 1], *link = NULL, *to;
	sqlite3_stmt *st;
	time_t now = time(NULL);
	long user_id;
	int rc;

	if (!mail_address_valid(email))
		return 0;
	st = db_stmt(db, "SELECT id, email FROM users WHERE email = ?1"
	    " AND disabled = 0");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "password_reset_user");
	if (rc != 1)
		return rc == 0 ? 0 : MEENT_ERR;
	user_id = (long)sqlite3_column_int64(st, 0);
	/* To the address as stored (the form's may differ in case). */
	to = xstrdup((const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);

	user_link_new(token, digest);
	if (db_begin(db) == -1)
		goto fail;
	st = db_stmt(db, "DELETE FROM password_resets WHERE expires < ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(now - PASSWORD_RESET_KEEP));
	if (db_step_done(db, st, "password_reset_expire") == -1)
		goto fail;
	st = db_stmt(db, "INSERT INTO password_resets (digest, user_id,"
	    " created, expires) VALUES (?1, ?2, ?3, ?4)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now +
	    PASSWORD_RESET_MINUTES * 60);
	if (db_step_done(db, st, "password_reset_insert") == -1)
		goto fail;
	link = xasprintf("%s/wachtwoord-herstellen/%s", origin, token);
	if (password_reset_mail(db, to, link, instance_name) <= 0 ||
	    db_commit(db) == -1)
		goto fail;
	sodium_memzero(link, strlen(link));
	free(link);
	sodium_memzero(token, sizeof token);
	free(to);
	log_emit(LOG_INFO, "auth.reset", "user %ld asked for a reset link",
	    user_id);
	return 0;
fail:
	db_rollback(db);
	if (link != NULL)
		sodium_memzero(link, strlen(link));
	free(link);
	free(to);
	sodium_memzero(token, sizeof token);
	return MEENT_ERR;
}

/* The state of token's row; with *user_id when valid. */
static int
password_reset_lookup(struct db *db, const char *token, long *user_id)
{
	unsigned char digest[32];
	sqlite3_stmt *st;
	int rc, out;

	if (!user_link_digest(token, digest))
		return MEENT_NOTFOUND;
	st = db_stmt(db, "SELECT r.user_id, r.expires, r.used, u.disabled"
	    " FROM password_resets r JOIN users u ON u.id = r.user_id"
	    " WHERE r.digest = ?1");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	rc = db_step_row(db, st, "password_reset_lookup");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	*user_id = (long)sqlite3_column_int64(st, 0);
	if (sqlite3_column_int(st, 2) != 0)
		out = PASSWORD_RESET_USED;
	else if (sqlite3_column_int64(st, 1) <= (sqlite3_int64)time(NULL))
		out = PASSWORD_RESET_EXPIRED;
	else if (sqlite3_column_int(st, 3) != 0)
		out = MEENT_NOTFOUND;
	else
		out = MEENT_OK;
	sqlite3_reset(st);
	return out;
}

/*
 * May token set a password now? MEENT_OK, PASSWORD_RESET_EXPIRED,
 * PASSWORD_RESET_USED, MEENT_NOTFOUND (unknown, forged, a disabled
 * account) or MEENT_ERR.
 */
int
password_reset_check(struct db *db, const char *token)
{
	long user_id;

	return password_reset_lookup(db, token, &user_id);
}

/*
 * Set the password of token's user to hash (made by password_hash), mark
 * every link of the user used and end all the user's sessions. Returns as
 * password_reset_check; only MEENT_OK changed anything.
 */
int
password_reset_apply(struct db *db, const char *token, const char *hash)
{
	sqlite3_stmt *st;
	long user_id;
	int rc;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	rc = password_reset_lookup(db, token, &user_id);
	if (rc != MEENT_OK) {
		db_rollback(db);
		return rc;
	}
	st = db_stmt(db, "UPDATE users SET password_hash = ?2 WHERE id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "password_reset_set") == -1)
		goto fail;
	st = db_stmt(db, "UPDATE password_resets SET used = 1"
	    " WHERE user_id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, user_id);
	if (db_step_done(db, st, "password_reset_used") == -1)
		goto fail;
	st = db_stmt(db, "DELETE FROM sessions WHERE user_id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, user_id);
	if (db_step_done(db, st, "password_reset_sessions") == -1 ||
	    db_commit(db) == -1)
		goto fail;
	log_emit(LOG_INFO, "auth.reset.done", "user %ld set a new password; "
	    "sessions ended", user_id);
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}
