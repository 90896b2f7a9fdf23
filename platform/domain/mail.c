/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The outbox: every e-mail meent sends is a row of mail_outbox first, and
 * mail_send.c's thread sends it from there. Whoever wants to send calls
 * mail_enqueue(), which checks everything that will end up in a header
 * (the address, the subject, the unsubscribe URL: no CR, LF or other
 * control characters, so no header injection) and returns at once.
 *
 * States: queued -> sending (claimed) -> sent, or back to queued with a
 * later next_attempt, or failed. A row left "sending" by a crash goes back
 * to queued at the sender's start (mail_outbox_recover): at least once,
 * never lost; a duplicate needs a crash between the server's 250 and the
 * update to sent.
 *
 * Addresses and subjects are personal data: they are never logged, and
 * last_error holds only curl's and the SMTP server's codes.
 */
#include "domain/domain.h"

#include <string.h>
#include <time.h>

#include <event2/buffer.h>

/* a-z A-Z 0-9 and RFC 5322 atext's specials, for the local part. */
static bool
mail_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
mail_local_valid(const char *s, size_t len)
{
	if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!mail_atext((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Dot-separated LDH labels of 1..63, at least two of them. */
static bool
mail_domain_valid(const char *s, size_t len)
{
	size_t label = 0, labels = 1;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			if (i < len)
				labels++;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c == '-' && label > 0))
			label++;
		else
			return false;
	}
	return labels >= 2;
}

/*
 * Is addr a plain address (local@domain) that meent sends to: ASCII only,
 * no control characters or spaces, at most MAIL_ADDRESS_MAX bytes?
 */
bool
mail_address_valid(const char *addr)
{
	const char *at;
	size_t len;

	if (addr == NULL)
		return false;
	len = strlen(addr);
	if (len == 0 || len > MAIL_ADDRESS_MAX)
		return false;
	at = strrchr(addr, '@');
	if (at == NULL)
		return false;
	return mail_local_valid(addr, (size_t)(at - addr)) &&
	    mail_domain_valid(at + 1, len - (size_t)(at - addr) - 1);
}

/* Valid UTF-8 without control characters, at most max bytes. */
static bool
mail_line_valid(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len == 0 || len > max ||
	    !csvstream_utf8_valid((const unsigned char *)s, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

bool
mail_subject_valid(const char *subject)
{
	return subject != NULL && mail_line_valid(subject, MAIL_SUBJECT_MAX);
}

/* An http(s) URL that can stand between < and > in a header. */
static bool
mail_url_valid(const char *url)
{
	if (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0)
		return false;
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '<' || *p == '>' || *p == '"')
			return false;
	return strlen(url) <= 1024;
}

/*
 * Queue one e-mail: to, subject (UTF-8, one line), a plain text and an
 * HTML body; unsubscribe_url (or NULL) adds List-Unsubscribe and RFC 8058's
 * List-Unsubscribe-Post (a notification's one-click unsubscribe). All
 * borrowed. Returns the message's id (> 0), MEENT_INVALID for a bad
 * address, subject, body or URL, or MEENT_ERR. Never waits for SMTP.
 */
long
mail_enqueue(struct db *db, const char *to, const char *subject,
    const char *text, const char *html, const char *unsubscribe_url)
{
	sqlite3_stmt *st;
	char *headers = NULL;
	time_t now = time(NULL);
	long id;

	if (!mail_address_valid(to) || !mail_subject_valid(subject) ||
	    text == NULL || html == NULL ||
	    strlen(text) > MAIL_BODY_MAX || strlen(html) > MAIL_BODY_MAX ||
	    !csvstream_utf8_valid((const unsigned char *)text, strlen(text)) ||
	    !csvstream_utf8_valid((const unsigned char *)html, strlen(html)))
		return MEENT_INVALID;
	if (unsubscribe_url != NULL) {
		if (!mail_url_valid(unsubscribe_url))
			return MEENT_INVALID;
		headers = xasprintf("List-Unsubscribe: <%s>\n"
		    "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
		    unsubscribe_url);
	}
	st = db_stmt(db, "INSERT INTO mail_outbox (recipient, subject,"
	    " text_body, html_body, headers, next_attempt, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
	if (st == NULL) {
		free(headers);
		return MEENT_ERR;
	}
	sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, html, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, headers != NULL ? headers : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	if (db_step_done(db, st, "mail_enqueue") == -1) {
		free(headers);
		return MEENT_ERR;
	}
	free(headers);
	id = (long)sqlite3_last_insert_rowid(db_handle(db));
	log_emit(LOG_INFO, "mail.queued", "message %ld queued", id);
	mail_send_wake();
	return id;
}

/*
 * The outbox for operators (meentctl mail status): counts by state, the
 * oldest queued message's creation time and the latest error. Caller
 * decrefs; NULL on error.
 */
json_t *
mail_status(struct db *db)
{
	static const char *const states[] = { "queued", "sending", "sent",
	    "failed" };
	json_t *out = json_object(), *counts = json_object();
	sqlite3_stmt *st;
	int rc;

	json_object_set_new(out, "counts", counts);
	for (size_t i = 0; i < nitems(states); i++)
		json_object_set_new(counts, states[i], json_integer(0));
	st = db_stmt(db, "SELECT state, count(*) FROM mail_outbox"
	    " GROUP BY state");
	if (st == NULL)
		goto fail;
	while ((rc = db_step_row(db, st, "mail_status")) == 1)
		json_object_set_new(counts, (const char *)
		    sqlite3_column_text(st, 0),
		    json_integer(sqlite3_column_int64(st, 1)));
	if (rc == -1)
		goto fail;
	st = db_stmt(db, "SELECT min(created) FROM mail_outbox"
	    " WHERE state IN ('queued', 'sending')");
	if (st == NULL || (rc = db_step_row(db, st, "mail_status")) == -1)
		goto fail;
	json_object_set_new(out, "oldestQueued", rc == 1 &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL ?
	    json_integer(sqlite3_column_int64(st, 0)) : json_null());
	if (rc == 1)
		sqlite3_reset(st);
	st = db_stmt(db, "SELECT id, last_error FROM mail_outbox"
	    " WHERE last_error IS NOT NULL"
	    " ORDER BY max(next_attempt, created) DESC, id DESC LIMIT 1");
	if (st == NULL || (rc = db_step_row(db, st, "mail_status")) == -1)
		goto fail;
	if (rc == 1) {
		json_object_set_new(out, "lastError", json_pack("{s:I,s:s}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0), "error",
		    (const char *)sqlite3_column_text(st, 1)));
		sqlite3_reset(st);
	} else
		json_object_set_new(out, "lastError", json_null());
	return out;
fail:
	json_decref(out);
	return NULL;
}

/*
 * The test message of meentctl mail test, a notification if unsubscribe_url
 * is not NULL. Returns as mail_enqueue.
 */
long
mail_enqueue_test(struct db *db, const char *to, const char *instance_name,
    const char *unsubscribe_url)
{
	char *text, *html, *subject;
	struct evbuffer *b;
	long id;

	subject = xasprintf("Testbericht van %s", instance_name);
	text = xasprintf("Goedendag,\n\nDit is een testbericht van %s. "
	    "U ontvangt het omdat een beheerder wil weten of e-mail "
	    "werkt.\n\nU hoeft niets te doen.\n", instance_name);
	b = evbuffer_new();
	if (b == NULL)
		fatal("evbuffer_new");
	html_out(b, "<!DOCTYPE html>\n<html lang=\"nl\"><body>"
	    "<p>Goedendag,</p><p>Dit is een testbericht van %s. U ontvangt "
	    "het omdat een beheerder wil weten of e-mail werkt.</p>"
	    "<p>U hoeft niets te doen.</p></body></html>\n", instance_name);
	html = buffer_take_string(b);	/* frees b */
	id = mail_enqueue(db, to, subject, text, html, unsubscribe_url);
	free(subject);
	free(text);
	free(html);
	return id;
}
