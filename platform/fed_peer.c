/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The peers this instance pulls from (table peers): added, listed and
 * removed by meentctl, read by the pull scheduler, and their state
 * (cursor, epoch, counters, last success and error) kept up to date by it.
 */
#include "meent.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FED_PEER_URL_MAX	500

/*
 * Is this a peer's base URL? https://host[:port][/path], or http:// (used
 * only where the test setting allows it, and only to loopback). Nothing
 * else: no file://, no credentials, no query or fragment.
 */
bool
fed_peer_url_valid(const char *url, const char **why)
{
	const char *host;
	size_t len = strlen(url);

	*why = NULL;
	if (len == 0 || len > FED_PEER_URL_MAX) {
		*why = "the URL must be 1 to 500 characters";
		return false;
	}
	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else {
		*why = "only https:// URLs (http:// only to loopback, for tests)";
		return false;
	}
	if (*host == '\0' || *host == '/' || strpbrk(url, "@?# \t\r\n\\") !=
	    NULL) {
		*why = "a base URL: scheme, host, optional port and path";
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p < 0x21 || *p > 0x7e) {
			*why = "printable ASCII only";
			return false;
		}
	return true;
}

/* Add a peer; the URL loses a trailing slash. 0, or -1 with *err. */
int
fed_peer_add(struct db *db, const char *url, const unsigned char key[32],
    bool relay, int interval, char **err)
{
	const char *why;
	char *u;
	sqlite3_stmt *st;
	int rc;

	if (!fed_peer_url_valid(url, &why)) {
		*err = xasprintf("%s: %s", url, why);
		return -1;
	}
	u = xstrdup(url);
	while (strlen(u) > 8 && u[strlen(u) - 1] == '/')
		u[strlen(u) - 1] = '\0';
	st = db_stmt(db, "INSERT INTO peers (url, public_key, relay, interval,"
	    " added) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL) {
		free(u);
		*err = xasprintf("cannot prepare");
		return -1;
	}
	db_bind_text(st, 1, u);
	sqlite3_bind_blob(st, 2, key, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, relay);
	sqlite3_bind_int(st, 4, interval);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		*err = xasprintf("%s: %s", u, rc == SQLITE_CONSTRAINT ?
		    "is a peer already" : "cannot store");
		free(u);
		return -1;
	}
	free(u);
	return 0;
}

/* Remove a peer and its quarantine; its applied items stay. */
int
fed_peer_remove(struct db *db, const char *url)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM peers WHERE url = ?1 OR"
	    " url = rtrim(?1, '/')");

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, url);
	if (db_step_done(db, st, "peer remove") == -1)
		return -1;
	return sqlite3_changes(db_handle(db)) > 0 ? 0 : MEENT_NOTFOUND;
}

static json_t *
fed_peer_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
	    clock_json((time_t)sqlite3_column_int64(st, i));
}

static json_t *
fed_peer_quarantine(struct db *db, long id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT origin, kind, item, version,"
	    " reason, at FROM fed_quarantine WHERE peer = ?1 ORDER BY id DESC"
	    " LIMIT 20");
	json_t *list = json_array();

	if (st == NULL)
		return list;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:I,"
		    " s:o, s:o}", "origin", db_column_json(st, 0),
		    "kind", db_column_json(st, 1), "id", db_column_json(st, 2),
		    "version", (json_int_t)sqlite3_column_int64(st, 3),
		    "reason", db_column_json(st, 4), "at", fed_peer_time(st, 5)));
	sqlite3_reset(st);
	return list;
}

/* Every peer with its state, for meentctl peer status/list. */
json_t *
fed_peer_status(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, url, relay, interval,"
	    " instance, epoch, cursor, last_success, last_error, last_error_at,"
	    " applied, ignored, quarantined, failures, public_key FROM peers"
	    " ORDER BY id");
	json_t *list = json_array();
	struct {
		long id;
		json_t *o;
	} rows[256];
	size_t n = 0;

	if (st == NULL)
		return list;
	while (n < nitems(rows) && sqlite3_step(st) == SQLITE_ROW) {
		char *key = fed_sign_base64(sqlite3_column_blob(st, 14), 32);

		rows[n].id = (long)sqlite3_column_int64(st, 0);
		rows[n].o = json_pack("{s:o, s:b, s:I, s:o, s:o, s:I, s:o,"
		    " s:o, s:o, s:I, s:I, s:I, s:I, s:s}",
		    "url", db_column_json(st, 1), "relay",
		    sqlite3_column_int(st, 2) != 0,
		    "interval", (json_int_t)sqlite3_column_int64(st, 3),
		    "instance", db_column_json(st, 4),
		    "epoch", db_column_json(st, 5),
		    "cursor", (json_int_t)sqlite3_column_int64(st, 6),
		    "lastSuccess", fed_peer_time(st, 7),
		    "lastError", db_column_json(st, 8),
		    "lastErrorAt", fed_peer_time(st, 9),
		    "applied", (json_int_t)sqlite3_column_int64(st, 10),
		    "ignored", (json_int_t)sqlite3_column_int64(st, 11),
		    "quarantined", (json_int_t)sqlite3_column_int64(st, 12),
		    "failures", (json_int_t)sqlite3_column_int64(st, 13),
		    "publicKey", key);
		free(key);
		n++;
	}
	sqlite3_reset(st);
	/* The quarantine query reuses no statement of the loop above. */
	for (size_t i = 0; i < n; i++) {
		json_object_set_new(rows[i].o, "quarantine",
		    fed_peer_quarantine(db, rows[i].id));
		json_array_append_new(list, rows[i].o);
	}
	return list;
}

/* The peers to pull from, for the scheduler (at most max). */
size_t
fed_peer_load(struct db *db, struct fed_peer *out, size_t max)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, url, public_key, relay,"
	    " interval, instance, epoch, cursor, failures FROM peers"
	    " ORDER BY id");
	size_t n = 0;

	if (st == NULL)
		return 0;
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		struct fed_peer *p = &out[n++];

		memset(p, 0, sizeof *p);
		p->id = (long)sqlite3_column_int64(st, 0);
		snprintf(p->url, sizeof p->url, "%s", sqlite3_column_text(st, 1));
		memcpy(p->key, sqlite3_column_blob(st, 2), 32);
		p->relay = sqlite3_column_int(st, 3) != 0;
		p->interval = sqlite3_column_int(st, 4);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			snprintf(p->instance, sizeof p->instance, "%s",
			    sqlite3_column_text(st, 5));
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			snprintf(p->epoch, sizeof p->epoch, "%s",
			    sqlite3_column_text(st, 6));
		p->cursor = sqlite3_column_int64(st, 7);
		p->failures = sqlite3_column_int(st, 8);
	}
	sqlite3_reset(st);
	return n;
}

/* A failed pull: its reason, for peer status. */
void
fed_peer_failed(struct db *db, long id, const char *reason)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE peers SET last_error = ?2,"
	    " last_error_at = ?3, failures = failures + 1 WHERE id = ?1");

	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, reason);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	db_step_done(db, st, "peer failed");
}

/* Record the peer's identity and epoch; a new epoch resets the cursor. */
int
fed_peer_identity(struct db *db, struct fed_peer *p, const char *instance,
    const char *epoch)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE peers SET instance = ?2,"
	    " epoch = ?3, cursor = CASE WHEN epoch IS ?3 THEN cursor ELSE 0"
	    " END WHERE id = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	db_bind_text(st, 2, instance);
	db_bind_text(st, 3, epoch);
	if (db_step_done(db, st, "peer identity") == -1)
		return -1;
	if (strcmp(p->epoch, epoch) != 0) {
		if (p->epoch[0] != '\0')
			log_emit(LOG_WARN, "fed.epoch", "peer %s has a new epoch:"
			    " its history was reset; reading it again from 0",
			    p->url);
		p->cursor = 0;
	}
	snprintf(p->instance, sizeof p->instance, "%s", instance);
	snprintf(p->epoch, sizeof p->epoch, "%s", epoch);
	return 0;
}

/* Move the cursor and add a page's counts (inside its transaction). */
int
fed_peer_progress(struct db *db, const struct fed_peer *p, long long cursor,
    const struct fed_counts *c)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE peers SET cursor = ?2,"
	    " applied = applied + ?3, ignored = ignored + ?4,"
	    " quarantined = quarantined + ?5, last_success = ?6,"
	    " last_error = NULL, last_error_at = NULL, failures = 0"
	    " WHERE id = ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, cursor);
	sqlite3_bind_int64(st, 3, c->applied);
	sqlite3_bind_int64(st, 4, c->ignored);
	sqlite3_bind_int64(st, 5, c->quarantined);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	return db_step_done(db, st, "peer progress");
}

/*
 * The name of the instance an item came from, for pages: false when the
 * item is this instance's own. Unknown names fall back to the id.
 */
bool
fed_peer_origin_name(struct db *db, const struct instance *self,
    const char *origin, char *out, size_t len)
{
	sqlite3_stmt *st;

	if (strcmp(origin, self->uuid) == 0)
		return false;
	snprintf(out, len, "%s", origin);
	st = db_stmt(db, "SELECT name FROM fed_origins WHERE uuid = ?1 AND"
	    " name <> ''");
	if (st == NULL)
		return true;
	db_bind_text(st, 1, origin);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return true;
}
