/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The feed this instance serves (docs/federation.md, "The feed"):
 * fed_entries holds the latest signed entry per item. Triggers (migration 7)
 * put each changed item of this instance in fed_outbox; the write's own
 * transaction exports, signs and stores them before it commits
 * (fed_feed_attach), and the signer thread (fed_signer.c) signs whatever
 * else the outbox holds (meentctl's writes, a migration's backlog).
 * Entries applied from other origins are stored as they came, signature
 * and all, so that relaying serves them unchanged.
 */
#include "fed/fed.h"

#include <stdlib.h>
#include <string.h>

#define FED_FLUSH_BATCH		256
/* A page stops growing past this, so the answer stays under 8 MiB. */
#define FED_PAGE_BYTES		(6 << 20)

struct fed_pending {
	long long	 n;
	char		 kind[16];
	char		 item[FED_ID_MAX + 1];
};

/*
 * The stored entry of an item: its seq (0: none), version, deleted; -1 on
 * a database error.
 */
static long long
fed_feed_previous(struct db *db, const char *origin, const char *kind,
    const char *item, long long *version, bool *deleted)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT seq, version, deleted FROM"
	    " fed_entries WHERE origin = ?1 AND kind = ?2 AND item = ?3");
	long long seq = 0;
	int rc;

	*version = 0;
	*deleted = false;
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, origin);
	db_bind_text(st, 2, kind);
	db_bind_text(st, 3, item);
	if ((rc = db_step_row(db, st, "fed entry previous")) == 1) {
		seq = sqlite3_column_int64(st, 0);
		*version = sqlite3_column_int64(st, 1);
		*deleted = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : seq;
}

/*
 * The version of the entry stored for an item (0: none). On a database
 * error 0 too: the caller asks db_failure().
 */
long long
fed_feed_version(struct db *db, const char *origin, const char *kind,
    const char *item)
{
	long long version;
	bool deleted;

	fed_feed_previous(db, origin, kind, item, &version, &deleted);
	return version;
}

/* Put an entry in the feed in place of the item's earlier one. */
int
fed_feed_store(struct db *db, const struct fed_entry *e)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM fed_entries WHERE"
	    " origin = ?1 AND kind = ?2 AND item = ?3");

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, e->origin);
	db_bind_text(st, 2, e->kind);
	db_bind_text(st, 3, e->id);
	if (db_step_done(db, st, "fed entry replace") == -1)
		return -1;
	/* seq 0: the next one (applied entries); else this one (our own). */
	st = db_stmt(db, "INSERT INTO fed_entries (seq, origin, origin_seq,"
	    " kind, item, version, deleted, body, sig) VALUES (nullif(?9, 0),"
	    " ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, e->origin);
	sqlite3_bind_int64(st, 2, e->origin_seq);
	db_bind_text(st, 3, e->kind);
	db_bind_text(st, 4, e->id);
	sqlite3_bind_int64(st, 5, e->version);
	sqlite3_bind_int(st, 6, e->deleted);
	sqlite3_bind_text(st, 7, e->body, (int)e->body_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, e->sig, 64, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, e->seq);
	return db_step_done(db, st, "fed entry");
}

/*
 * The seq the next entry gets: AUTOINCREMENT's counter, and no higher seq
 * is in the table. Exact inside the write transaction. 0 on an error.
 */
static long long
fed_feed_next_seq(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT max(coalesce((SELECT seq FROM"
	    " sqlite_sequence WHERE name = 'fed_entries'), 0),"
	    " coalesce((SELECT max(seq) FROM fed_entries), 0)) + 1");
	long long seq = 0;

	if (st == NULL)
		return 0;
	if (db_step_row(db, st, "fed next seq") == 1)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return seq;
}

/*
 * One of this instance's items into the feed: exported, compared with its
 * entry, and if it changed, signed and stored at a new seq (its originSeq).
 */
static int
fed_feed_export_one(struct db *db, const struct instance *in,
    const struct fed_pending *p)
{
	const struct fed_kind *k = fed_items_kind(p->kind);
	struct fed_entry e;
	long long version = 0, prev_version;
	bool prev_deleted;
	long long prev;
	json_t *body;
	char *text;
	bool tomb = false;
	int rc;

	if (k == NULL)
		return 0;
	rc = k->export(db, p->item, &version, &body);
	prev = fed_feed_previous(db, in->uuid, p->kind, p->item, &prev_version,
	    &prev_deleted);
	/* A read that failed is not an item gone: no tombstone for it. */
	if (rc == MEENT_ERR || prev < 0 || db_failure(db) != 0) {
		json_decref(body);
		return -1;
	}
	if (rc == MEENT_NOTFOUND || !json_is_object(body)) {
		json_decref(body);
		/* Not public (any more): a tombstone, if it was ever out. */
		if (prev == 0 || prev_deleted)
			return 0;
		text = xstrdup("{}");
		tomb = true;
		if (version <= prev_version)
			version = prev_version + 1;
	} else {
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (k->versioned && prev > 0 && !prev_deleted &&
		    version == prev_version) {
			free(text);
			return 0;	/* unchanged */
		}
	}
	memset(&e, 0, sizeof e);
	snprintf(e.origin, sizeof e.origin, "%s", in->uuid);
	snprintf(e.kind, sizeof e.kind, "%s", p->kind);
	snprintf(e.id, sizeof e.id, "%s", p->item);
	e.deleted = tomb;
	e.body = text;
	e.body_len = strlen(text);
	/* Our own entry's seq is its originSeq, signed before it is stored. */
	if ((e.seq = fed_feed_next_seq(db)) <= 0) {
		free(text);
		return -1;
	}
	e.origin_seq = e.seq;
	e.version = k->versioned ? version : e.origin_seq;
	fed_sign_entry(&e, in->secret_key, e.sig);
	rc = fed_feed_store(db, &e);
	free(text);
	return rc;
}

/* Up to max of the outbox after n = after into out: how many, or -1. */
static int
fed_feed_pending(struct db *db, long long after, struct fed_pending *out,
    size_t max)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT n, kind, item FROM fed_outbox"
	    " WHERE n > ?1 ORDER BY n LIMIT ?2");
	int n = 0, rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, (int)max);
	while ((rc = db_step_row(db, st, "fed outbox")) == 1) {
		out[n].n = sqlite3_column_int64(st, 0);
		snprintf(out[n].kind, sizeof out[n].kind, "%s",
		    sqlite3_column_text(st, 1));
		snprintf(out[n].item, sizeof out[n].item, "%s",
		    sqlite3_column_text(st, 2));
		n++;
	}
	return rc == -1 ? -1 : n;
}

static bool
fed_feed_seen(const struct fed_pending *batch, int i)
{
	for (int j = 0; j < i; j++)
		if (strcmp(batch[j].kind, batch[i].kind) == 0 &&
		    strcmp(batch[j].item, batch[i].item) == 0)
			return true;
	return false;
}

/*
 * Inside a transaction: sign up to FED_FLUSH_BATCH outbox rows after n =
 * after into the feed and take them (and any older rows of the same
 * items) out of the outbox. Returns the rows taken, or -1.
 */
static int
fed_feed_sign_batch(struct db *db, const struct instance *in,
    long long after, struct fed_pending *batch)
{
	int got = fed_feed_pending(db, after, batch, FED_FLUSH_BATCH);

	if (got < 0 || db_failure(db) != 0)
		return -1;
	for (int i = 0; i < got; i++) {
		sqlite3_stmt *del;

		/* Noted twice: the first one's export covers both. */
		if (fed_feed_seen(batch, i))
			continue;
		if (fed_feed_export_one(db, in, &batch[i]) == -1)
			return -1;
		del = db_stmt(db, "DELETE FROM fed_outbox WHERE kind = ?1 AND"
		    " item = ?2");
		if (del == NULL)
			return -1;
		db_bind_text(del, 1, batch[i].kind);
		db_bind_text(del, 2, batch[i].item);
		if (db_step_done(db, del, "fed outbox") == -1)
			return -1;
	}
	return got;
}

/*
 * Sign what the outbox holds into the feed: one batch, in a transaction of
 * its own (so a large backlog never holds the write lock for long). *n:
 * rows taken. Returns 1 when more may be left, 0 when the outbox is done
 * with, -1 on an error (the outbox keeps the rest).
 */
int
fed_feed_flush(struct db *db, const struct instance *in, long *n)
{
	struct fed_pending *batch;
	int got;

	*n = 0;
	db_failure_clear(db);	/* fed_feed_export_one asks for the flush's */
	switch (db_exists(db, "SELECT 1 FROM fed_outbox LIMIT 1", NULL)) {
	case 0:
		return 0;
	case -1:
		return -1;
	}
	batch = xcalloc(FED_FLUSH_BATCH, sizeof *batch);
	if (db_begin(db) == -1)
		goto fail_committed;
	if ((got = fed_feed_sign_batch(db, in, 0, batch)) == -1)
		goto fail;
	if (db_commit(db) == -1)
		goto fail_committed;
	free(batch);
	*n = got;
	return got == FED_FLUSH_BATCH ? 1 : 0;
fail:
	db_rollback(db);
fail_committed:
	free(batch);
	log_emit(LOG_ERROR, "fed.flush", "the feed could not be brought up to"
	    " date; the outbox keeps the changes");
	return -1;
}

/*
 * The feed inside every write (db_set_hooks): at BEGIN the outbox's last
 * row is noted; before COMMIT what the transaction added to the outbox is
 * signed into the feed, in the same transaction. An older backlog (rows
 * from meentctl, a migration) is left to the signer thread (fed_signer.c),
 * so that no request signs more than its own changes.
 */
struct fed_feed_tx {
	const struct instance	*in;
	long long		 mark;		/* the outbox's last n at BEGIN */
	long			 signed_n;	/* rows signed, until taken */
	struct fed_pending	 batch[FED_FLUSH_BATCH];
};

static int
fed_feed_tx_begin(struct db *db, void *arg)
{
	struct fed_feed_tx *tx = arg;
	sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(max(n), 0) FROM"
	    " fed_outbox");

	if (st == NULL || db_step_row(db, st, "fed outbox mark") != 1)
		return -1;	/* max() has a row: none is an error */
	tx->mark = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static int
fed_feed_tx_precommit(struct db *db, void *arg)
{
	struct fed_feed_tx *tx = arg;
	int got;

	do {
		if ((got = fed_feed_sign_batch(db, tx->in, tx->mark,
		    tx->batch)) == -1) {
			log_emit(LOG_ERROR, "fed.flush", "a change could not "
			    "be signed into the feed; the write is undone");
			return -1;
		}
		tx->signed_n += got;
	} while (got == FED_FLUSH_BATCH);
	return 0;
}

static const struct db_hooks fed_feed_hooks = {
	.begin = fed_feed_tx_begin,
	.precommit = fed_feed_tx_precommit,
};

/* Sign every write on db into the feed as it commits; free with _detach. */
struct fed_feed_tx *
fed_feed_attach(struct db *db, const struct instance *in)
{
	struct fed_feed_tx *tx = xcalloc(1, sizeof *tx);

	tx->in = in;
	db_set_hooks(db, &fed_feed_hooks, tx);
	return tx;
}

void
fed_feed_detach(struct db *db, struct fed_feed_tx *tx)
{
	if (db != NULL)
		db_set_hooks(db, NULL, NULL);
	free(tx);
}

/* The entries signed since the last call (to tell the peers). */
long
fed_feed_signed(struct fed_feed_tx *tx)
{
	long n = tx->signed_n;

	tx->signed_n = 0;
	return n;
}

static json_t *
fed_feed_entry_json(sqlite3_stmt *st)
{
	char *sig = fed_sign_base64(sqlite3_column_blob(st, 8), 64);
	json_t *o = json_pack("{s:I, s:o, s:I, s:o, s:o, s:I, s:b, s:s%, s:s}",
	    "seq", (json_int_t)sqlite3_column_int64(st, 0),
	    "origin", db_column_json(st, 1),
	    "originSeq", (json_int_t)sqlite3_column_int64(st, 2),
	    "kind", db_column_json(st, 3),
	    "id", db_column_json(st, 4),
	    "version", (json_int_t)sqlite3_column_int64(st, 5),
	    "deleted", sqlite3_column_int(st, 6) != 0,
	    "body", (const char *)sqlite3_column_text(st, 7),
	    (size_t)sqlite3_column_bytes(st, 7), "sig", sig);

	free(sig);
	return o;
}

/*
 * A page of the changes feed after seq `after`: this instance's entries,
 * and with relaying those of other origins too. NULL on a database error:
 * a page cut short would move a subscriber's cursor past what it missed.
 */
json_t *
fed_feed_page(struct db *db, const struct instance *in, bool relay,
    long long after, int limit)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(max(seq), 0) FROM"
	    " fed_entries");
	long long head = 0, last = after;
	size_t bytes = 0;
	json_t *entries;
	int rows = 0, rc;
	bool more = false;

	if (st == NULL)
		return NULL;
	rc = db_step_row(db, st, "fed head");
	if (rc == 1)
		head = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != 1)
		return NULL;	/* max() has a row: no row is an error */
	st = db_stmt(db, "SELECT seq, origin, origin_seq, kind, item, version,"
	    " deleted, body, sig FROM fed_entries WHERE seq > ?1 AND seq <= ?2"
	    " AND (?3 OR origin = ?4) ORDER BY seq LIMIT ?5");
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, head);
	sqlite3_bind_int(st, 3, relay);
	db_bind_text(st, 4, in->uuid);
	sqlite3_bind_int(st, 5, limit);
	entries = json_array();
	while ((rc = db_step_row(db, st, "fed page")) == 1) {
		json_array_append_new(entries, fed_feed_entry_json(st));
		last = sqlite3_column_int64(st, 0);
		bytes += (size_t)sqlite3_column_bytes(st, 7) + 300;
		if (++rows == limit || bytes > FED_PAGE_BYTES) {
			more = last < head;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc == -1) {
		json_decref(entries);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:I, s:o, s:I, s:b}", "instance", in->uuid,
	    "epoch", in->epoch, "head", (json_int_t)head, "entries", entries,
	    "next", (json_int_t)(more ? last : head),
	    "more", more);
}

/*
 * GET /.well-known/meent: who this instance is, and whom it relays. NULL on
 * a database error.
 */
json_t *
fed_feed_wellknown(struct db *db, const struct instance *in, bool relay)
{
	json_t *origins = json_array();
	sqlite3_stmt *st;
	json_t *o;
	char *pk;
	int rc;

	if (relay) {
		st = db_stmt(db, "SELECT uuid, name, base_url, public_key FROM"
		    " fed_origins o WHERE EXISTS (SELECT 1 FROM fed_entries e"
		    " WHERE e.origin = o.uuid) ORDER BY uuid");
		if (st == NULL) {
			json_decref(origins);
			return NULL;
		}
		while ((rc = db_step_row(db, st, "fed origins")) == 1) {
			char *key = fed_sign_base64(sqlite3_column_blob(st, 3),
			    32);

			json_array_append_new(origins, json_pack("{s:o, s:o,"
			    " s:o, s:s}", "instance", db_column_json(st, 0),
			    "name", db_column_json(st, 1),
			    "baseUrl", db_column_json(st, 2), "publicKey", key));
			free(key);
		}
		if (rc == -1) {
			json_decref(origins);
			return NULL;
		}
	}
	pk = fed_sign_base64(in->public_key, sizeof in->public_key);
	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:o}",
	    "instance", in->uuid, "name", in->name, "baseUrl", in->base_url,
	    "publicKey", pk, "protocol", 1, "epoch", in->epoch, "relay", relay,
	    "origins", origins);
	free(pk);
	return o;
}
