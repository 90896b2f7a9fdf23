/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Invitations: a municipality's admin invites a colleague by e-mail with a
 * role. The mail's link (user_link.c: only the token's digest is stored)
 * works INVITATION_DAYS and once; it opens a form where the person sets a
 * name and a password, which makes the account in the invitation's
 * municipality with its role (invitation_accept).
 *
 * An address that has an account gets no invitation (INVITATION_ACCOUNT):
 * one address, one account. Inviting an address again replaces its open
 * invitation of that municipality (the old link stops working). Rows stay
 * INVITATION_KEEP past their expiry, so that a late click hears "expired"
 * rather than "unknown", and are deleted when the next invitation is made.
 *
 * States: open -> used (an account was made) or cancelled (by an admin, or
 * replaced). Whether an open one has expired is a matter of time.
 */
#include "domain/domain.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#define INVITATION_KEEP	(7 * 24 * 3600)

/* The invitation mail, in Dutch, text and HTML. Returns mail_enqueue's. */
static long
invitation_mail(struct db *db, const char *to, const char *inviter,
    const char *gemeente_naam, enum role role, const char *link,
    const char *instance_name)
{
	struct evbuffer *b = evbuffer_new();
	char *subject, *text, *html;
	const char *who = inviter[0] != '\0' ? inviter : "Een beheerder";
	long id;

	if (b == NULL)
		fatal("evbuffer_new");
	subject = xasprintf("Uitnodiging voor %s", instance_name);
	text = xasprintf("Goedendag,\n\n%s van gemeente %s nodigt u uit voor "
	    "%s, waar gemeenten delen wat ze leren van datagedreven werken. "
	    "U wordt er %s.\n\nOpen deze link, kies uw naam en een "
	    "wachtwoord, en u bent meteen ingelogd:\n\n%s\n\nDe link werkt "
	    "%d dagen, en maar één keer.\n\nKent u deze uitnodiging niet? "
	    "Dan hoeft u niets te doen.\n", who, gemeente_naam, instance_name,
	    role_label(role), link, INVITATION_DAYS);
	html_out(b, "<!DOCTYPE html>\n<html lang=\"nl\"><body>"
	    "<p>Goedendag,</p><p>%s van gemeente %s nodigt u uit voor %s, "
	    "waar gemeenten delen wat ze leren van datagedreven werken. U "
	    "wordt er %s.</p><p>Open deze link, kies uw naam en een "
	    "wachtwoord, en u bent meteen ingelogd:</p><p><a href=\"%s\">"
	    "Uitnodiging aannemen</a></p><p>De link werkt %d dagen, en maar "
	    "één keer.</p><p>Kent u deze uitnodiging niet? Dan hoeft u niets "
	    "te doen.</p></body></html>\n", who, gemeente_naam, instance_name,
	    role_label(role), link, INVITATION_DAYS);
	html = buffer_take_string(b);	/* frees b */
	id = mail_enqueue(db, to, subject, text, html, NULL);
	free(subject);
	free(text);
	free(html);
	return id;
}

/* The name of user id into out ("" for none), within a transaction. */
static int
invitation_inviter(struct db *db, long id, char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	if (id <= 0)
		return 0;
	st = db_stmt(db, "SELECT naam FROM users WHERE id = ?1");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_row(db, st, "invitation_inviter");
	if (rc == 1) {
		snprintf(out, outlen, "%s", sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	return rc == -1 ? -1 : 0;
}

/* Open invitations of gemeente now, or -1. */
static long
invitation_open_count(struct db *db, const char *gemeente, time_t now)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM invitations"
	    " WHERE gemeente = ?1 AND state = 'open' AND expires > ?2");
	long n;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (db_step_row(db, st, "invitation_open_count") != 1)
		return -1;
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* The municipality's name into out, or its code; within a transaction. */
static int
invitation_gemeente_naam(struct db *db, const char *gemeente, char *out,
    size_t outlen)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT naam FROM gemeenten"
	    " WHERE code = ?1");
	int rc;

	snprintf(out, outlen, "%s", gemeente);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "invitation_gemeente_naam");
	if (rc == 1) {
		snprintf(out, outlen, "%s", sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	return rc == -1 ? -1 : 0;
}

/* Store a new invitation with digest and queue its mail; in a transaction. */
static int
invitation_insert(struct db *db, const unsigned char digest[32],
    const char *email, const char *gemeente, enum role role, long invited_by,
    time_t now)
{
	sqlite3_stmt *st;

	/* The same address invited again: the new link replaces the old. */
	st = db_stmt(db, "UPDATE invitations SET state = 'cancelled'"
	    " WHERE email = ?1 AND gemeente = ?2 AND state = 'open'");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "invitation_replace") == -1)
		return -1;
	st = db_stmt(db, "INSERT INTO invitations (digest, email, gemeente,"
	    " role, invited_by, created, expires)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role_name(role), -1, SQLITE_STATIC);
	if (invited_by > 0)
		sqlite3_bind_int64(st, 5, invited_by);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)now +
	    INVITATION_DAYS * 24 * 3600);
	return db_step_done(db, st, "invitation_insert");
}

/*
 * Invite email to gemeente with role, on behalf of user invited_by (0: an
 * admin token), and queue the mail with origin's link. Returns MEENT_OK,
 * MEENT_INVALID (the address or role), INVITATION_ACCOUNT (the address
 * has an account), INVITATION_FULL (INVITATION_OPEN_MAX open ones) or
 * MEENT_ERR; only MEENT_OK changed anything. The caller checked that
 * gemeente is the admin's own.
 */
int
invitation_create(struct db *db, const char *email, const char *gemeente,
    enum role role, long invited_by, const char *origin,
    const char *instance_name)
{
	char token[USER_LINK_LEN + 1], inviter[USER_NAME_MAX + 1];
	char gnaam[80], *link = NULL;
	unsigned char digest[32];
	time_t now = time(NULL);
	sqlite3_stmt *st;
	long open;
	int rc;

	if (!mail_address_valid(email) || role == ROLE_NONE)
		return MEENT_INVALID;
	if (db_begin(db) == -1)
		return MEENT_ERR;
	st = db_stmt(db, "DELETE FROM invitations WHERE expires < ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(now - INVITATION_KEEP));
	if (db_step_done(db, st, "invitation_expire") == -1)
		goto fail;
	if ((rc = user_store_email_exists(db, email)) != 0) {
		db_rollback(db);
		return rc == 1 ? INVITATION_ACCOUNT : MEENT_ERR;
	}
	if ((open = invitation_open_count(db, gemeente, now)) < 0)
		goto fail;
	if (open >= INVITATION_OPEN_MAX) {
		db_rollback(db);
		return INVITATION_FULL;
	}
	user_link_new(token, digest);
	if (invitation_inviter(db, invited_by, inviter, sizeof inviter) == -1 ||
	    invitation_gemeente_naam(db, gemeente, gnaam, sizeof gnaam) == -1 ||
	    invitation_insert(db, digest, email, gemeente, role, invited_by,
	    now) == -1)
		goto fail;
	link = xasprintf("%s/uitnodiging/%s", origin, token);
	if (invitation_mail(db, email, inviter, gnaam, role, link,
	    instance_name) <= 0 || db_commit(db) == -1)
		goto fail;
	sodium_memzero(link, strlen(link));
	free(link);
	sodium_memzero(token, sizeof token);
	log_emit(LOG_INFO, "user.invite", "invitation for %s as %s queued",
	    gemeente, role_name(role));
	return MEENT_OK;
fail:
	db_rollback(db);
	if (link != NULL)
		sodium_memzero(link, strlen(link));
	free(link);
	sodium_memzero(token, sizeof token);
	return MEENT_ERR;
}

/* The state of token's invitation, with *inv filled when it is known. */
static int
invitation_lookup(struct db *db, const char *token, struct invitation *inv)
{
	unsigned char digest[32];
	sqlite3_stmt *st;
	const char *state;
	int rc, out;

	memset(inv, 0, sizeof *inv);
	if (!user_link_digest(token, digest))
		return MEENT_NOTFOUND;
	st = db_stmt(db, "SELECT i.id, i.email, i.gemeente, g.naam, i.role,"
	    " i.expires, i.state FROM invitations i"
	    " JOIN gemeenten g ON g.code = i.gemeente WHERE i.digest = ?1");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_STATIC);
	rc = db_step_row(db, st, "invitation_lookup");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	inv->id = (long)sqlite3_column_int64(st, 0);
	snprintf(inv->email, sizeof inv->email, "%s",
	    sqlite3_column_text(st, 1));
	snprintf(inv->gemeente, sizeof inv->gemeente, "%s",
	    sqlite3_column_text(st, 2));
	snprintf(inv->gemeente_naam, sizeof inv->gemeente_naam, "%s",
	    sqlite3_column_text(st, 3));
	inv->role = role_parse((const char *)sqlite3_column_text(st, 4));
	inv->expires = (time_t)sqlite3_column_int64(st, 5);
	state = (const char *)sqlite3_column_text(st, 6);
	if (strcmp(state, "used") == 0)
		out = INVITATION_USED;
	else if (strcmp(state, "cancelled") == 0)
		out = INVITATION_CANCELLED;
	else if (inv->expires <= time(NULL))
		out = INVITATION_EXPIRED;
	else
		out = MEENT_OK;
	sqlite3_reset(st);
	if (out == MEENT_OK) {
		rc = user_store_email_exists(db, inv->email);
		if (rc != 0)
			out = rc == 1 ? INVITATION_ACCOUNT : MEENT_ERR;
	}
	return out;
}

/*
 * May token make an account now? MEENT_OK with *inv, INVITATION_EXPIRED,
 * INVITATION_USED, INVITATION_CANCELLED, INVITATION_ACCOUNT (the address
 * has an account by now), MEENT_NOTFOUND (unknown, forged) or MEENT_ERR.
 */
int
invitation_check(struct db *db, const char *token, struct invitation *inv)
{
	return invitation_lookup(db, token, inv);
}

/* Insert the account of inv; its id into *user_id. In a transaction. */
static int
invitation_user_insert(struct db *db, const struct invitation *inv,
    const char *naam, const char *hash, long *user_id)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO users (email, naam,"
	    " gemeente, role, password_hash, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, inv->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, naam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, inv->gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role_name(inv->role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "invitation_user") == -1)
		return -1;
	*user_id = (long)sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

/*
 * Make the account of token's invitation: naam (user_name_valid, checked
 * by the caller) and hash (password_hash's). The invitation is used, and
 * every other open invitation of the address cancelled, in the same
 * transaction. Returns as invitation_check, with the new account's id in
 * *user_id on MEENT_OK; only MEENT_OK changed anything.
 */
int
invitation_accept(struct db *db, const char *token, const char *naam,
    const char *hash, long *user_id)
{
	struct invitation inv;
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	if ((rc = invitation_lookup(db, token, &inv)) != MEENT_OK) {
		db_rollback(db);
		return rc;
	}
	if (invitation_user_insert(db, &inv, naam, hash, user_id) == -1)
		goto fail;
	st = db_stmt(db, "UPDATE invitations SET state = CASE id WHEN ?1"
	    " THEN 'used' ELSE 'cancelled' END"
	    " WHERE email = ?2 AND state = 'open'");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, inv.id);
	sqlite3_bind_text(st, 2, inv.email, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "invitation_used") == -1 ||
	    municipality_mark_member(db, inv.gemeente) == -1 ||
	    db_commit(db) == -1)
		goto fail;
	log_emit(LOG_INFO, "user.invite.accepted", "invitation %ld made "
	    "user %ld", inv.id, *user_id);
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * Cancel gemeente's open invitation id: MEENT_OK, MEENT_NOTFOUND (none
 * such open in gemeente) or MEENT_ERR.
 */
int
invitation_cancel(struct db *db, long id, const char *gemeente)
{
	sqlite3_stmt *st;
	int changed;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	st = db_stmt(db, "UPDATE invitations SET state = 'cancelled'"
	    " WHERE id = ?1 AND gemeente = ?2 AND state = 'open'"
	    " AND expires > ?3");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "invitation_cancel") == -1)
		goto fail;
	changed = sqlite3_changes(db_handle(db));
	if (changed == 0) {
		db_rollback(db);
		return MEENT_NOTFOUND;
	}
	if (db_commit(db) == -1)
		goto fail;
	log_emit(LOG_INFO, "user.invite.cancelled", "invitation %ld "
	    "cancelled", id);
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * gemeente's open invitations, newest first: [{id, email, rol,
 * verloopt}]. Caller decrefs; NULL on error.
 */
json_t *
invitation_list_open(struct db *db, const char *gemeente)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, email, role, expires"
	    " FROM invitations WHERE gemeente = ?1 AND state = 'open'"
	    " AND expires > ?2 ORDER BY created DESC, id DESC LIMIT ?3");
	json_t *a;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(st, 3, INVITATION_OPEN_MAX);
	a = json_array();
	while ((rc = db_step_row(db, st, "invitation_list_open")) == 1)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:I}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "email", db_column_json(st, 1),
		    "rol", db_column_json(st, 2),
		    "verloopt", (json_int_t)sqlite3_column_int64(st, 3)));
	if (rc == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}
