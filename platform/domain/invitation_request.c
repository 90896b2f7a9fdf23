/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Access requests: a civil servant without an account asks for one (name,
 * work address, municipality, why). The enabled admins of that
 * municipality get a mail and see the request on their users page; they
 * accept it (an invitation goes out: invitation.c) or refuse it (a polite
 * mail). A request lives only while it is open: deciding deletes it, and
 * it expires after INVITATION_REQUEST_DAYS.
 *
 * The web form answers the same whatever happens here, so that it tells
 * nobody whether an address has an account: an address that has one gets
 * a mail saying so (with the way to a new password) and nothing is stored;
 * a second open request for the same address and municipality changes
 * nothing. Callers rate-limit first (login_guard_reset_allow: per client,
 * and mails per address); INVITATION_REQUEST_OPEN_MAX open requests per
 * municipality bound what a flood can leave in the admins' list.
 */
#include "domain/domain.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

/*
 * Why someone asks: valid UTF-8 of 1 to INVITATION_REQUEST_REASON_MAX
 * bytes, with line ends (LF; CR of a browser's CRLF) and tabs as the only
 * control characters.
 */
bool
invitation_request_reason_valid(const char *s)
{
	size_t len;

	if (s == NULL)
		return false;
	len = strlen(s);
	if (len == 0 || len > INVITATION_REQUEST_REASON_MAX ||
	    !csvstream_utf8_valid((const unsigned char *)s, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') ||
		    c == 0x7f)
			return false;
	}
	return true;
}

/* Multi-line text (LF) as HTML lines, escaped, into b (mails, pages). */
void
invitation_request_lines(struct evbuffer *b, const char *text)
{
	const char *p = text, *nl;

	while ((nl = strchr(p, '\n')) != NULL) {
		char *line = xstrndup(p, (size_t)(nl - p));

		html_out(b, "%s<br>", line);
		free(line);
		p = nl + 1;
	}
	html_out(b, "%s", p);
}

/* One mail, text and HTML already made; frees them. */
static long
invitation_request_send(struct db *db, const char *to, char *subject,
    char *text, struct evbuffer *b)
{
	char *html = buffer_take_string(b);	/* frees b */
	long id = mail_enqueue(db, to, subject, text, html, NULL);

	free(subject);
	free(text);
	free(html);
	return id;
}

static struct evbuffer *
invitation_request_html(void)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatal("evbuffer_new");
	html_out(b, "<!DOCTYPE html>\n<html lang=\"nl\"><body><p>Goedendag,"
	    "</p>");
	return b;
}

/* To an address that has an account already: how to get in. */
static long
invitation_request_mail_known(struct db *db, const char *to,
    const char *origin, const char *instance_name)
{
	struct evbuffer *b = invitation_request_html();
	char *text;

	text = xasprintf("Goedendag,\n\nU vroeg toegang tot %s. U heeft daar "
	    "al een account met dit e-mailadres. Inloggen kan hier:\n\n"
	    "%s/inloggen\n\nWachtwoord vergeten? Vraag een nieuw aan:\n\n"
	    "%s/wachtwoord-vergeten\n\nHeeft u niets gevraagd? Dan hoeft u "
	    "niets te doen.\n", instance_name, origin, origin);
	html_out(b, "<p>U vroeg toegang tot %s. U heeft daar al een account "
	    "met dit e-mailadres.</p><p><a href=\"%s/inloggen\">Inloggen</a>"
	    "</p><p>Wachtwoord vergeten? <a href=\"%s/wachtwoord-vergeten\">"
	    "Vraag een nieuw aan</a>.</p><p>Heeft u niets gevraagd? Dan hoeft "
	    "u niets te doen.</p></body></html>\n", instance_name, origin,
	    origin);
	return invitation_request_send(db, to, xasprintf("Uw account bij %s",
	    instance_name), text, b);
}

/* To one admin: who asks, why, and where to decide. */
static long
invitation_request_mail_admin(struct db *db, const char *to,
    const char *naam, const char *email, const char *gnaam,
    const char *reden, const char *origin, const char *instance_name)
{
	struct evbuffer *b = invitation_request_html();
	char *text;

	text = xasprintf("Goedendag,\n\n%s (%s) vraagt toegang tot %s voor "
	    "gemeente %s, en schrijft:\n\n%s\n\nU bent beheerder van deze "
	    "gemeente. Neem de aanvraag aan of wijs hem af op:\n\n"
	    "%s/mijn/gebruikers\n\nZonder besluit verloopt de aanvraag na %d "
	    "dagen.\n", naam, email, instance_name, gnaam, reden, origin,
	    INVITATION_REQUEST_DAYS);
	html_out(b, "<p>%s (%s) vraagt toegang tot %s voor gemeente %s, en "
	    "schrijft:</p><blockquote><p>", naam, email, instance_name, gnaam);
	invitation_request_lines(b, reden);
	html_out(b, "</p></blockquote><p>U bent beheerder van deze gemeente. "
	    "<a href=\"%s/mijn/gebruikers\">Neem de aanvraag aan of wijs hem "
	    "af</a>.</p><p>Zonder besluit verloopt de aanvraag na %d dagen."
	    "</p></body></html>\n", origin, INVITATION_REQUEST_DAYS);
	return invitation_request_send(db, to, xasprintf("Aanvraag voor "
	    "toegang tot %s", instance_name), text, b);
}

/* Mail every enabled admin of gemeente about the request; -1 on error. */
static int
invitation_request_notify(struct db *db, const char *naam, const char *email,
    const char *gemeente, const char *reden, const char *origin,
    const char *instance_name)
{
	sqlite3_stmt *st;
	json_t *to = json_array(), *v;
	char gnaam[80] = "";
	size_t i;
	int rc;

	st = db_stmt(db, "SELECT u.email, g.naam FROM users u"
	    " JOIN gemeenten g ON g.code = u.gemeente"
	    " WHERE u.gemeente = ?1 AND u.role = 'admin' AND u.disabled = 0"
	    " ORDER BY u.id LIMIT 50");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	while ((rc = db_step_row(db, st, "invitation_request_admins")) == 1) {
		json_array_append_new(to, db_column_json(st, 0));
		snprintf(gnaam, sizeof gnaam, "%s", sqlite3_column_text(st, 1));
	}
	if (rc == -1)
		goto fail;
	json_array_foreach(to, i, v)
		if (invitation_request_mail_admin(db, json_string_value(v),
		    naam, email, gnaam, reden, origin, instance_name) <= 0)
			goto fail;
	json_decref(to);
	return 0;
fail:
	json_decref(to);
	return -1;
}

/* 1 when email has an open request for gemeente (or the cap is hit: 2). */
static int
invitation_request_open(struct db *db, const char *email,
    const char *gemeente, time_t now)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*), coalesce(sum(email"
	    " = ?2), 0) FROM access_requests WHERE gemeente = ?1"
	    " AND expires > ?3");
	int out;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	if (db_step_row(db, st, "invitation_request_open") != 1)
		return -1;
	out = sqlite3_column_int64(st, 1) > 0 ? 1 :
	    sqlite3_column_int64(st, 0) >= INVITATION_REQUEST_OPEN_MAX ? 2 : 0;
	sqlite3_reset(st);
	return out;
}

static int
invitation_request_insert(struct db *db, const char *email, const char *naam,
    const char *gemeente, const char *reden, time_t now)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO access_requests (email,"
	    " naam, gemeente, reden, created, expires)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, naam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reden, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now +
	    INVITATION_REQUEST_DAYS * 24 * 3600);
	return db_step_done(db, st, "invitation_request_insert");
}

/*
 * Someone asks for an account: email (mail_address_valid), naam
 * (user_name_valid), gemeente (an existing code) and reden
 * (invitation_request_reason_valid), all checked by the caller. Returns
 * MEENT_OK whatever was done (see above), INVITATION_REQUEST_FULL, or
 * MEENT_ERR.
 */
int
invitation_request_create(struct db *db, const char *email, const char *naam,
    const char *gemeente, const char *reden, const char *origin,
    const char *instance_name)
{
	time_t now = time(NULL);
	sqlite3_stmt *st;
	char *lf = xstrdup(reden);
	int rc;

	markdown_lf(lf);
	if (db_begin(db) == -1)
		goto fail;
	st = db_stmt(db, "DELETE FROM access_requests WHERE expires <= ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	if (db_step_done(db, st, "invitation_request_expire") == -1)
		goto fail;
	if ((rc = user_store_email_exists(db, email)) == MEENT_ERR)
		goto fail;
	if (rc == 1) {
		if (invitation_request_mail_known(db, email, origin,
		    instance_name) <= 0)
			goto fail;
	} else if ((rc = invitation_request_open(db, email, gemeente,
	    now)) == -1)
		goto fail;
	else if (rc == 2) {
		db_rollback(db);
		free(lf);
		return INVITATION_REQUEST_FULL;
	} else if (rc == 0 && (invitation_request_insert(db, email, naam,
	    gemeente, lf, now) == -1 || invitation_request_notify(db, naam,
	    email, gemeente, lf, origin, instance_name) == -1))
		goto fail;
	if (db_commit(db) == -1)
		goto fail;
	free(lf);
	log_emit(LOG_INFO, "user.request", "access request for %s handled",
	    gemeente);
	return MEENT_OK;
fail:
	db_rollback(db);
	free(lf);
	return MEENT_ERR;
}

/*
 * gemeente's open requests, oldest first: [{id, email, naam, reden,
 * aangemaakt, verloopt}]. Caller decrefs; NULL on error.
 */
json_t *
invitation_request_list(struct db *db, const char *gemeente)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, email, naam, reden,"
	    " created, expires FROM access_requests WHERE gemeente = ?1"
	    " AND expires > ?2 ORDER BY created, id LIMIT ?3");
	json_t *a;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int(st, 3, INVITATION_REQUEST_OPEN_MAX);
	a = json_array();
	while ((rc = db_step_row(db, st, "invitation_request_list")) == 1)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:o, s:I,"
		    " s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "email", db_column_json(st, 1),
		    "naam", db_column_json(st, 2),
		    "reden", db_column_json(st, 3),
		    "aangemaakt", (json_int_t)sqlite3_column_int64(st, 4),
		    "verloopt", (json_int_t)sqlite3_column_int64(st, 5)));
	if (rc == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/*
 * Take gemeente's open request id out (within a transaction): its address
 * into email. MEENT_OK, MEENT_NOTFOUND or MEENT_ERR.
 */
static int
invitation_request_take(struct db *db, long id, const char *gemeente,
    char email[MAIL_ADDRESS_MAX + 1])
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM access_requests"
	    " WHERE id = ?1 AND gemeente = ?2 AND expires > ?3"
	    " RETURNING email");
	int rc;

	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, gemeente, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	rc = db_step_row(db, st, "invitation_request_take");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	snprintf(email, MAIL_ADDRESS_MAX + 1, "%s",
	    sqlite3_column_text(st, 0));
	/* RETURNING: the row is deleted only when stepped to the end. */
	if (db_step_row(db, st, "invitation_request_take") != 0)
		return MEENT_ERR;
	return MEENT_OK;
}

/*
 * Accept gemeente's request id: an invitation with role goes to its
 * address from user invited_by (invitation_create), and the request is
 * gone. Returns MEENT_OK, MEENT_NOTFOUND, INVITATION_ACCOUNT (the address
 * has an account by now: the request is gone, nobody invited),
 * INVITATION_FULL, MEENT_INVALID (role) or MEENT_ERR.
 */
int
invitation_request_accept(struct db *db, long id, const char *gemeente,
    enum role role, long invited_by, const char *origin,
    const char *instance_name)
{
	char email[MAIL_ADDRESS_MAX + 1];
	int rc;

	if (role == ROLE_NONE)
		return MEENT_INVALID;
	if (db_begin(db) == -1)
		return MEENT_ERR;
	if ((rc = invitation_request_take(db, id, gemeente, email)) !=
	    MEENT_OK) {
		db_rollback(db);
		return rc;
	}
	rc = invitation_create(db, email, gemeente, role, invited_by, origin,
	    instance_name);
	if (rc != MEENT_OK && rc != INVITATION_ACCOUNT) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db) == -1) {
		db_rollback(db);
		return MEENT_ERR;
	}
	return rc;
}

/*
 * Refuse gemeente's request id: a polite mail to its address, and the
 * request is gone. MEENT_OK, MEENT_NOTFOUND or MEENT_ERR.
 */
int
invitation_request_refuse(struct db *db, long id, const char *gemeente,
    const char *instance_name)
{
	char email[MAIL_ADDRESS_MAX + 1], gnaam[80];
	struct evbuffer *b;
	sqlite3_stmt *st;
	char *text;
	int rc;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	if ((rc = invitation_request_take(db, id, gemeente, email)) !=
	    MEENT_OK) {
		db_rollback(db);
		return rc;
	}
	snprintf(gnaam, sizeof gnaam, "%s", gemeente);
	st = db_stmt(db, "SELECT naam FROM gemeenten WHERE code = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, gemeente, -1, SQLITE_STATIC);
	if ((rc = db_step_row(db, st, "invitation_request_gemeente")) == -1)
		goto fail;
	if (rc == 1) {
		snprintf(gnaam, sizeof gnaam, "%s", sqlite3_column_text(st, 0));
		sqlite3_reset(st);
	}
	text = xasprintf("Goedendag,\n\nU vroeg toegang tot %s voor gemeente "
	    "%s. De beheerder van de gemeente heeft besloten u nu geen "
	    "account te geven. Dat kan veel redenen hebben.\n\nDenkt u dat "
	    "dit niet klopt? Neem dan contact op met uw collega's van "
	    "informatiebeheer of de afdeling die over data gaat.\n\nDank voor "
	    "uw belangstelling.\n", instance_name, gnaam);
	b = invitation_request_html();
	html_out(b, "<p>U vroeg toegang tot %s voor gemeente %s. De beheerder "
	    "van de gemeente heeft besloten u nu geen account te geven. Dat "
	    "kan veel redenen hebben.</p><p>Denkt u dat dit niet klopt? Neem "
	    "dan contact op met uw collega's van informatiebeheer of de "
	    "afdeling die over data gaat.</p><p>Dank voor uw belangstelling."
	    "</p></body></html>\n", instance_name, gnaam);
	if (invitation_request_send(db, email, xasprintf("Uw aanvraag voor "
	    "toegang tot %s", instance_name), text, b) <= 0 ||
	    db_commit(db) == -1)
		goto fail;
	log_emit(LOG_INFO, "user.request.refused", "access request %ld "
	    "refused", id);
	return MEENT_OK;
fail:
	db_rollback(db);
	return MEENT_ERR;
}
