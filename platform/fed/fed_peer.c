/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The peers this instance pulls from (table peers): added, listed and
 * removed by meentctl, read by the pull scheduler, and their state
 * (cursor, epoch, counters, last success and error) kept up to date by it.
 * A peer's URL is stored in one spelling (fed_peer_url_normalise), so that
 * the UNIQUE constraint on it keeps a peer from being added twice.
 */
#include "fed/fed.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define FED_PEER_URL_MAX	500

/*
 * Is this host, as curl's URL API gives it (IPv6 in brackets, IPv4 in
 * dotted quads however it was written), a loopback address?
 */
static bool
fed_peer_host_loopback(const char *host)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	size_t len = strlen(host);

	if (inet_pton(AF_INET, host, &a4) == 1)
		return ntohl(a4.s_addr) >> 24 == 127;
	if (len < 3 || host[0] != '[' || host[len - 1] != ']' ||
	    len - 2 >= sizeof buf)
		return false;
	memcpy(buf, host + 1, len - 2);
	buf[len - 2] = '\0';
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return false;
	return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) &&
	    a6.s6_addr[12] == 127);
}

/*
 * *host (curl's, decoded) as curl reads it when it is written out: an
 * IPv4 address in any of its forms becomes a dotted quad. 0, or -1 when
 * curl refuses it.
 */
static int
fed_peer_host_reread(const char *scheme, char **host)
{
	CURLU *u = curl_url();
	char *url, *again = NULL;
	int rc = -1;

	if (u == NULL)
		fatal("curl_url");
	url = xasprintf("%s://%s", scheme, *host);
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &again, 0) == CURLUE_OK) {
		curl_free(*host);
		*host = again;
		rc = 0;
	}
	free(url);
	curl_url_cleanup(u);
	return rc;
}

/* Why curl_url_set() refused a URL, in words for the operator. */
static const char *
fed_peer_url_error(CURLUcode rc)
{
	switch (rc) {
	case CURLUE_BAD_SCHEME:
	case CURLUE_UNSUPPORTED_SCHEME:
		return "only https:// URLs (http:// only to a loopback "
		    "address, for tests)";
	case CURLUE_BAD_SLASHES:
		return "scheme://host[:port][/path]: two slashes after the "
		    "scheme";
	case CURLUE_BAD_IPV6:
		return "a malformed IPv6 address (written as [2001:db8::1])";
	case CURLUE_BAD_PORT_NUMBER:
		return "the port must be a number from 1 to 65535";
	case CURLUE_NO_HOST:
		return "no host";
	case CURLUE_BAD_HOSTNAME:
		return "a malformed host name";
	case CURLUE_BAD_LOGIN:
	case CURLUE_BAD_USER:
	case CURLUE_BAD_PASSWORD:
		return "no user name or password in the URL";
	default:
		return "not a URL: scheme://host[:port][/path]";
	}
}

/*
 * A peer's base URL, checked and in the one spelling it is stored under,
 * so that one peer cannot be added twice: parsed by libcurl's URL API
 * (schemes it does not support refused), https:// or http:// to a
 * loopback address (the pull refuses http:// unless the test setting
 * federation_allow_http_loopback is on), a host, no user info, query,
 * fragment or IPv6 zone, a port from 1 to 65535, printable ASCII only.
 * The scheme and host come out in lower case, without the scheme's
 * default port and without trailing slashes:
 * "HTTPS://Meent.Example.NL:443/a/" is "https://meent.example.nl/a".
 *
 * Returns the URL (the caller frees it), or NULL with *why set to a static
 * sentence saying what is wrong. url is borrowed.
 */
char *
fed_peer_url_normalise(const char *url, const char **why)
{
	CURLU *u;
	CURLUcode rc;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *part = NULL, *out = NULL, *end;
	size_t len = strlen(url), slen;
	long pn = 0;
	bool http;

	*why = NULL;
	if (len == 0 || len > FED_PEER_URL_MAX) {
		*why = "the URL must be 1 to 500 characters";
		return NULL;
	}
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p < 0x21 || *p > 0x7e || *p == '\\') {
			*why = "printable ASCII only: no spaces, control "
			    "characters, backslashes or other alphabets";
			return NULL;
		}
	if ((u = curl_url()) == NULL)
		fatal("curl_url");
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		*why = fed_peer_url_error(rc);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)) {
		*why = fed_peer_url_error(CURLUE_UNSUPPORTED_SCHEME);
		goto out;
	}
	http = strcmp(scheme, "http") == 0;
	/* curl reads "https:/h" and "https:///h" as https://h: we do not. */
	slen = strlen(scheme);
	if (strncmp(url + slen, "://", 3) != 0) {
		*why = fed_peer_url_error(CURLUE_BAD_SLASHES);
		goto out;
	}
	if (url[slen + 3] == '/') {
		*why = "no host";
		goto out;
	}
	/* curl drops an empty fragment ("...#") without a word. */
	if (strchr(url, '#') != NULL) {
		*why = "no fragment (#...) in a peer's base URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_OPTIONS, &part, 0) == CURLUE_OK) {
		*why = fed_peer_url_error(CURLUE_BAD_LOGIN);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK) {
		*why = "no query (?...) in a peer's base URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		*why = "no fragment (#...) in a peer's base URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_ZONEID, &part, 0) == CURLUE_OK) {
		*why = "no IPv6 zone (%25...) in a peer's base URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		*why = "no host";
		goto out;
	}
	/* curl decodes %XX in a host name: what comes out is checked here. */
	for (char *h = host; *h != '\0'; h++) {
		if (*h >= 'A' && *h <= 'Z')
			*h = (char)(*h - 'A' + 'a');
		if (strchr(host[0] == '[' ? "0123456789abcdef:.[]" :
		    "abcdefghijklmnopqrstuvwxyz0123456789.-_", *h) == NULL) {
			*why = fed_peer_url_error(CURLUE_BAD_HOSTNAME);
			goto out;
		}
	}
	/*
	 * curl decoded the host after it read its form, so "0%30" came out
	 * as "00", which curl reads as an IPv4 number the next time: read
	 * the decoded host once more, for the one spelling it keeps.
	 */
	if (memchr(url + slen + 3, '%', strcspn(url + slen + 3, "/")) != NULL &&
	    fed_peer_host_reread(scheme, &host) == -1) {
		*why = fed_peer_url_error(CURLUE_BAD_HOSTNAME);
		goto out;
	}
	/* An empty label; a final dot is the DNS root, and left alone. */
	if (host[0] == '\0' || host[0] == '.' || strstr(host, "..") != NULL) {
		*why = fed_peer_url_error(CURLUE_BAD_HOSTNAME);
		goto out;
	}
	if (http && !fed_peer_host_loopback(host)) {
		*why = "http:// only to a loopback address (127.0.0.1, [::1]), "
		    "for tests with federation_allow_http_loopback; use "
		    "https://";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK) {
		pn = strtol(port, &end, 10);
		if (*port == '\0' || *end != '\0' || pn < 1 || pn > 65535) {
			*why = fed_peer_url_error(CURLUE_BAD_PORT_NUMBER);
			goto out;
		}
		if (pn == (http ? 80 : 443))
			pn = 0;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		*why = fed_peer_url_error(CURLUE_MALFORMED_INPUT);
		goto out;
	}
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		path[--len] = '\0';
	out = pn != 0 ? xasprintf("%s://%s:%ld%s", scheme, host, pn, path) :
	    xasprintf("%s://%s%s", scheme, host, path);
	if (strlen(out) > FED_PEER_URL_MAX) {
		free(out);
		out = NULL;
		*why = "the URL must be 1 to 500 characters";
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(part);
	curl_url_cleanup(u);
	return out;
}

/*
 * Add a peer under its normalised URL (fed_peer_url_normalise). 0, or -1
 * with *err (the caller frees it); url is borrowed.
 */
int
fed_peer_add(struct db *db, const char *url, const unsigned char key[32],
    bool relay, int interval, char **err)
{
	const char *why;
	char *u;
	sqlite3_stmt *st;
	int rc;

	if ((u = fed_peer_url_normalise(url, &why)) == NULL) {
		*err = xasprintf("%s: %s", url, why);
		return -1;
	}
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
	if (rc != SQLITE_DONE && rc != SQLITE_CONSTRAINT_UNIQUE)
		db_error(db, "peer add");
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		/* Extended result codes are on (db.c). */
		if (rc != SQLITE_CONSTRAINT_UNIQUE)
			*err = xasprintf("%s: cannot store", u);
		else if (strcmp(u, url) == 0)
			*err = xasprintf("%s is a peer already", u);
		else
			*err = xasprintf("%s is a peer already, as %s", url, u);
		free(u);
		return -1;
	}
	free(u);
	return 0;
}

/*
 * Remove a peer and its quarantine; its applied items stay. The URL may
 * be spelled as it was added or as it is stored. 0, MEENT_NOTFOUND, or -1.
 */
int
fed_peer_remove(struct db *db, const char *url)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM peers WHERE url = ?1 OR"
	    " url = rtrim(?1, '/') OR url = ?2");
	const char *why;
	char *u;
	int rc;

	if (st == NULL)
		return -1;
	u = fed_peer_url_normalise(url, &why);
	db_bind_text(st, 1, url);
	db_bind_text(st, 2, u != NULL ? u : url);
	rc = db_step_done(db, st, "peer remove");
	free(u);
	if (rc == -1)
		return -1;
	return sqlite3_changes(db_handle(db)) > 0 ? 0 : MEENT_NOTFOUND;
}

static json_t *
fed_peer_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
	    clock_json((time_t)sqlite3_column_int64(st, i));
}

/* A peer's newest quarantined entries; NULL on a database error. */
static json_t *
fed_peer_quarantine(struct db *db, long id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT origin, kind, item, version,"
	    " reason, at FROM fed_quarantine WHERE peer = ?1 ORDER BY id DESC"
	    " LIMIT 20");
	json_t *list;
	int rc;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	list = json_array();
	while ((rc = db_step_row(db, st, "peer quarantine")) == 1)
		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:I,"
		    " s:o, s:o}", "origin", db_column_json(st, 0),
		    "kind", db_column_json(st, 1), "id", db_column_json(st, 2),
		    "version", (json_int_t)sqlite3_column_int64(st, 3),
		    "reason", db_column_json(st, 4), "at", fed_peer_time(st, 5)));
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * Every peer with its state, for meentctl peer status/list; NULL on a
 * database error.
 */
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
	int rc = 0;

	if (st == NULL) {
		json_decref(list);
		return NULL;
	}
	while (n < nitems(rows) && (rc = db_step_row(db, st, "peer status")) ==
	    1) {
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
		json_t *q = rc == -1 ? NULL : fed_peer_quarantine(db,
		    rows[i].id);

		if (q == NULL)
			rc = -1;
		json_object_set_new(rows[i].o, "quarantine", q != NULL ? q :
		    json_null());
		json_array_append_new(list, rows[i].o);
	}
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/*
 * The peers to pull from, for the scheduler (at most max): how many, or -1
 * when they could not be read.
 */
int
fed_peer_load(struct db *db, struct fed_peer *out, size_t max)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, url, public_key, relay,"
	    " interval, instance, epoch, cursor, failures FROM peers"
	    " ORDER BY id");
	size_t n = 0;
	int rc = 0;

	if (st == NULL)
		return -1;
	while (n < max && (rc = db_step_row(db, st, "peers")) == 1) {
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
	return rc == -1 ? -1 : (int)n;
}

/* A failed pull: its reason, for peer status. */
void
fed_peer_failed(struct db *db, long id, const char *reason)
{
	sqlite3_stmt *st;

	if (db_begin(db) == -1)
		return;
	st = db_stmt(db, "UPDATE peers SET last_error = ?2,"
	    " last_error_at = ?3, failures = failures + 1 WHERE id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, reason);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "peer failed") == 0 && db_commit(db) == 0)
		return;
fail:
	db_rollback(db);
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
 * The name of the instance an item came from, for pages: 1 with the name
 * in out (unknown names fall back to the id), 0 when the item is this
 * instance's own, -1 on a database error.
 */
int
fed_peer_origin_name(struct db *db, const struct instance *self,
    const char *origin, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	if (strcmp(origin, self->uuid) == 0)
		return 0;
	snprintf(out, len, "%s", origin);
	st = db_stmt(db, "SELECT name FROM fed_origins WHERE uuid = ?1 AND"
	    " name <> ''");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, origin);
	if ((rc = db_step_row(db, st, "origin name")) == 1)
		snprintf(out, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == -1 ? -1 : 1;
}
