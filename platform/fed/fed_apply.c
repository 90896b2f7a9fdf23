/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Applying what a peer served (docs/federation.md, "Pulling"): its
 * /.well-known/meent, then pages of its changes feed. The order of checks
 * on an entry is the point of this file: fields, then the origin's key,
 * then the signature over the exact bytes, and only then is the body
 * parsed. A bad entry is quarantined inside its own savepoint; the page,
 * its counters and the new cursor commit in one transaction. A failure of
 * the storage (busy, disk full, I/O) is never blamed on an entry: the
 * whole page is rolled back and read again at the next pull.
 *
 * What needs no database (an entry's fields, its signature when the peer
 * itself is the origin, and parsing its body) is done by a second thread
 * running ahead of the one that applies (fed_apply_ahead_*): on a first
 * sync that is a third of the work, and the two overlap on two cores. The
 * applying thread takes entry i only after the helper has finished it,
 * and still decides in the same order as before (an entry is applied only
 * when its signature verified); the helper's results live as long as the
 * page (at most FED_PAGE_MAX entries).
 */
#include "fed/fed.h"

#include <pthread.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#define FED_ORIGINS_MAX		1000
#define FED_APPLY_AGAIN		1	/* fed_apply_entry(): redo, unflat */

static json_t *
fed_apply_parse(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A relay's introduced origins: new ones are added, no key is replaced. */
static int
fed_apply_origins(struct db *db, const struct instance *self, json_t *list)
{
	sqlite3_stmt *st;
	json_t *o;
	size_t i;

	if (!json_is_array(list) || json_array_size(list) > FED_ORIGINS_MAX)
		return 0;
	json_array_foreach(list, i, o) {
		const char *uuid, *name, *url, *b64;
		unsigned char key[32];

		if (!fed_items_string(o, "instance", 36, &uuid) ||
		    !fed_sign_uuid_valid(uuid) || strcmp(uuid, self->uuid) == 0 ||
		    !fed_items_string(o, "name", 200, &name) ||
		    !fed_items_string(o, "baseUrl", 500, &url) ||
		    !fed_items_string(o, "publicKey", 44, &b64) ||
		    !fed_sign_base64_decode(b64, key, sizeof key))
			continue;
		st = db_stmt(db, "INSERT INTO fed_origins (uuid, public_key,"
		    " name, base_url) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (uuid)"
		    " DO NOTHING");
		if (st == NULL)
			return -1;
		db_bind_text(st, 1, uuid);
		sqlite3_bind_blob(st, 2, key, 32, SQLITE_STATIC);
		db_bind_text(st, 3, name);
		db_bind_text(st, 4, url);
		if (db_step_done(db, st, "fed origin") == -1)
			return -1;
	}
	return 0;
}

/*
 * Is what the peer says of itself what is stored already? Then a pull
 * writes nothing before its pages. -1 when it could not be read.
 */
static int
fed_apply_wellknown_known(struct db *db, const struct fed_peer *p,
    const char *uuid, const unsigned char key[32], const char *name,
    const char *url, const char *epoch)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM fed_origins o, peers p"
	    " WHERE o.uuid = ?1 AND o.public_key = ?2 AND o.name = ?3 AND"
	    " o.base_url = ?4 AND o.peer = ?5 AND p.id = ?5 AND p.instance = ?1"
	    " AND p.epoch = ?6");
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, uuid);
	sqlite3_bind_blob(st, 2, key, 32, SQLITE_STATIC);
	db_bind_text(st, 3, name);
	db_bind_text(st, 4, url);
	sqlite3_bind_int64(st, 5, p->id);
	db_bind_text(st, 6, epoch);
	rc = db_step_row(db, st, "fed wellknown known");
	sqlite3_reset(st);
	return rc;
}

/*
 * A peer's /.well-known/meent: its key must be the pinned one, its
 * instance must not change, a new epoch resets the cursor. 0, or -1 with
 * *why (static).
 */
int
fed_apply_wellknown(struct db *db, const struct instance *self,
    struct fed_peer *p, const char *text, size_t len, const char **why)
{
	json_t *o = fed_apply_parse(text, len);
	const char *uuid, *epoch, *b64, *name, *url;
	unsigned char key[32];
	sqlite3_stmt *st;
	int rc = -1;

	*why = "/.well-known/meent is geen geldig JSON-object";
	if (o == NULL)
		return -1;
	if (!fed_items_string(o, "instance", 36, &uuid) ||
	    !fed_sign_uuid_valid(uuid) ||
	    !fed_items_string(o, "epoch", 36, &epoch) ||
	    !fed_sign_uuid_valid(epoch) ||
	    !fed_items_string(o, "publicKey", 44, &b64) ||
	    !fed_items_string(o, "name", 200, &name) ||
	    !fed_items_string(o, "baseUrl", 500, &url) ||
	    json_integer_value(json_object_get(o, "protocol")) != 1)
		goto out;
	if (!fed_sign_base64_decode(b64, key, sizeof key) ||
	    sodium_memcmp(key, p->key, sizeof key) != 0) {
		*why = "sleutel komt niet overeen met de vastgepinde sleutel";
		goto out;
	}
	if (strcmp(uuid, self->uuid) == 0) {
		*why = "dat is deze instantie zelf";
		goto out;
	}
	if (p->instance[0] != '\0' && strcmp(p->instance, uuid) != 0) {
		*why = "de peer meldt een andere instantie dan eerder";
		goto out;
	}
	*why = "databasefout";
	/* Nothing new (a relay's origins may be): nothing to write. */
	if (!p->relay && strcmp(p->epoch, epoch) == 0) {
		switch (fed_apply_wellknown_known(db, p, uuid, key, name, url,
		    epoch)) {
		case 1:
			rc = 0;
			*why = NULL;
			goto out;
		case -1:
			goto out;
		}
	}
	if (db_begin(db) == -1)
		goto out;
	/* The pinned key always wins over one a relay introduced. */
	st = db_stmt(db, "INSERT INTO fed_origins (uuid, public_key, name,"
	    " base_url, peer) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (uuid) DO"
	    " UPDATE SET public_key = ?2, name = ?3, base_url = ?4, peer = ?5");
	if (st == NULL)
		goto rollback;
	db_bind_text(st, 1, uuid);
	sqlite3_bind_blob(st, 2, key, 32, SQLITE_STATIC);
	db_bind_text(st, 3, name);
	db_bind_text(st, 4, url);
	sqlite3_bind_int64(st, 5, p->id);
	if (db_step_done(db, st, "fed pinned origin") == -1 ||
	    fed_peer_identity(db, p, uuid, epoch) == -1 ||
	    (p->relay && fed_apply_origins(db, self,
	    json_object_get(o, "origins")) == -1) || db_commit(db) == -1)
		goto rollback;
	rc = 0;
	*why = NULL;
	goto out;
rollback:
	db_rollback(db);
out:
	json_decref(o);
	return rc;
}

/*
 * The key an origin's entries must be signed with, or a reason why none (or
 * a database error: logged, and db_failure() tells it).
 */
static bool
fed_apply_key(struct db *db, const struct fed_peer *p, const char *origin,
    unsigned char key[32], const char **why)
{
	sqlite3_stmt *st;
	bool found = false;

	if (strcmp(origin, p->instance) == 0) {
		memcpy(key, p->key, 32);
		return true;
	}
	if (!p->relay) {
		*why = "herkomst niet vertrouwd: deze peer is geen relay";
		return false;
	}
	st = db_stmt(db, "SELECT public_key FROM fed_origins WHERE uuid = ?1");
	if (st != NULL) {
		db_bind_text(st, 1, origin);
		if (db_step_row(db, st, "fed origin key") == 1 &&
		    sqlite3_column_bytes(st, 0) == 32) {
			memcpy(key, sqlite3_column_blob(st, 0), 32);
			found = true;
		}
		sqlite3_reset(st);
	}
	if (!found)
		*why = "herkomst onbekend: de relay heeft haar sleutel niet"
		    " geïntroduceerd";
	return found;
}

static bool
fed_apply_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > FED_ID_MAX)
		return false;
	for (const unsigned char *s = (const unsigned char *)id; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

/* The entry's fields into e, or a reason. The body is not parsed here. */
static bool
fed_apply_fields(json_t *j, struct fed_entry *e, const char **why)
{
	const char *origin, *kind, *id, *b64;
	json_t *body = json_object_get(j, "body");
	json_t *oseq = json_object_get(j, "originSeq");
	json_t *version = json_object_get(j, "version");
	json_t *deleted = json_object_get(j, "deleted");

	*why = "velden ontbreken of zijn ongeldig";
	if (!json_is_object(j) ||
	    !fed_items_string(j, "origin", 36, &origin) ||
	    !fed_sign_uuid_valid(origin) ||
	    !fed_items_string(j, "kind", sizeof e->kind - 1, &kind) ||
	    !fed_items_string(j, "id", FED_ID_MAX, &id) ||
	    !fed_apply_id_valid(id) ||
	    !json_is_integer(oseq) || json_integer_value(oseq) < 1 ||
	    !json_is_integer(version) || json_integer_value(version) < 1 ||
	    !json_is_boolean(deleted) || !json_is_string(body) ||
	    !fed_items_string(j, "sig", 88, &b64))
		return false;
	snprintf(e->origin, sizeof e->origin, "%s", origin);
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	snprintf(e->id, sizeof e->id, "%s", id);
	e->origin_seq = json_integer_value(oseq);
	e->version = json_integer_value(version);
	e->deleted = json_is_true(deleted);
	e->body = json_string_value(body);
	e->body_len = json_string_length(body);
	if (e->body_len > FED_ENTRY_MAX) {
		*why = "groter dan 1 MiB";
		return false;
	}
	if (!fed_sign_base64_decode(b64, e->sig, sizeof e->sig)) {
		*why = "handtekening ongeldig gecodeerd";
		return false;
	}
	if (fed_items_kind(kind) == NULL) {
		*why = "onbekende soort";
		return false;
	}
	return true;
}

/* quiet: logged already, by the page's first pass (fed_apply_entries). */
static void
fed_apply_quarantine(struct db *db, const struct fed_peer *p,
    const struct fed_entry *e, const char *why, bool quiet)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO fed_quarantine (peer,"
	    " origin, kind, item, version, reason, at) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7)");

	if (!quiet)
		log_emit(LOG_WARN, "fed.quarantine", "peer %s: %s %s (version"
		    " %lld, origin %s) quarantined: %s", p->url, e->kind[0] ?
		    e->kind : "?", e->id[0] ? e->id : "?", e->version,
		    e->origin[0] ? e->origin : "?", why);
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, p->id);
	db_bind_text(st, 2, e->origin[0] ? e->origin : "?");
	db_bind_text(st, 3, e->kind[0] ? e->kind : "?");
	db_bind_text(st, 4, e->id[0] ? e->id : "?");
	sqlite3_bind_int64(st, 5, e->version);
	db_bind_text(st, 6, why);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
	db_step_done(db, st, "fed quarantine");
}

/* What the helper found out about an entry (no database needed). */
enum fed_apply_state {
	FED_PREP_BAD,		/* fields missing or invalid: why */
	FED_PREP_OWN,		/* our own item, come back around */
	FED_PREP_KEY,		/* another origin: its key is in the database */
	FED_PREP_FORGED,	/* the peer's own entry, signature wrong */
	FED_PREP_VERIFIED	/* the peer's own entry, signature right */
};

struct fed_apply_prep {
	enum fed_apply_state	 state;
	struct fed_entry	 e;	/* body borrowed from the page */
	const char		*why;	/* FED_PREP_BAD: static */
	json_t			*body;	/* VERIFIED: parsed (NULL: not JSON) */
};

/*
 * An entry's checks that need no database, and for a verified entry the
 * parsed body and what its kind makes of it; thread-safe (reads j only).
 */
static void
fed_apply_prepare(const struct config *cfg, const struct instance *self,
    const struct fed_peer *p, json_t *j, struct fed_apply_prep *pr)
{
	const struct fed_kind *k;

	memset(pr, 0, sizeof *pr);
	if (!fed_apply_fields(j, &pr->e, &pr->why))
		pr->state = FED_PREP_BAD;
	else if (strcmp(pr->e.origin, self->uuid) == 0)
		pr->state = FED_PREP_OWN;
	else if (strcmp(pr->e.origin, p->instance) != 0)
		pr->state = FED_PREP_KEY;
	/* The exact bytes, before anything reads the body. */
	else if (!fed_sign_entry_valid(&pr->e, p->key))
		pr->state = FED_PREP_FORGED;
	else {
		pr->state = FED_PREP_VERIFIED;
		pr->body = fed_apply_parse(pr->e.body, pr->e.body_len);
		k = fed_items_kind(pr->e.kind);
		if (pr->body != NULL && k->prepare != NULL)
			pr->e.ready = k->prepare(&pr->e, pr->body, cfg);
	}
}

/* What fed_apply_prepare() made; pr can be prepared again after. */
static void
fed_apply_prep_free(struct fed_apply_prep *pr)
{
	const struct fed_kind *k = pr->e.ready != NULL ?
	    fed_items_kind(pr->e.kind) : NULL;

	if (k != NULL)
		k->ready_free(pr->e.ready);
	pr->e.ready = NULL;
	json_decref(pr->body);
	pr->body = NULL;
}

/*
 * The helper of one page. The applying thread waits for ready > i before
 * it reads prep[i]. At the page's end (or when it failed: stop) the
 * applier hands over the page itself (garbage): the helper frees it with
 * everything it prepared, and itself, while the applier goes on; a thread
 * that could not be started leaves all of it to the applier, inline.
 * The thread that parsed a page starts its helper (fed_apply_ahead_page),
 * so that it runs while the applier still ends the page before (its
 * search rows, its commit); the helper has its own copy of the peer.
 */
struct fed_apply_ahead {
	const struct config	*cfg;
	const struct instance	*self;
	struct fed_peer		 p;		/* a copy: key, instance */
	json_t			*entries;	/* borrowed: the page's */
	struct fed_apply_prep	*prep;
	size_t			 n;
	bool			 threaded;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	size_t			 ready;		/* under mu (threaded) */
	bool			 stop;		/* under mu */
	json_t			*garbage;	/* under mu: the page, owned */
};

/*
 * Helper threads alive: a stopped helper may still finish the entry it
 * prepares (with the config), so the scheduler waits for them all before
 * it reports stopped (fed_apply_ahead_wait).
 */
static pthread_mutex_t fed_apply_helpers_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fed_apply_helpers_cv = PTHREAD_COND_INITIALIZER;
static int fed_apply_helpers;

static void
fed_apply_helpers_add(int n)
{
	pthread_mutex_lock(&fed_apply_helpers_mu);
	fed_apply_helpers += n;
	pthread_cond_broadcast(&fed_apply_helpers_cv);
	pthread_mutex_unlock(&fed_apply_helpers_mu);
}

/* Until every helper thread has ended (after their pages were dropped). */
void
fed_apply_ahead_wait(void)
{
	pthread_mutex_lock(&fed_apply_helpers_mu);
	while (fed_apply_helpers > 0)
		pthread_cond_wait(&fed_apply_helpers_cv,
		    &fed_apply_helpers_mu);
	pthread_mutex_unlock(&fed_apply_helpers_mu);
}

/* Free a and all it holds (no thread uses it any more). */
static void
fed_apply_ahead_free(struct fed_apply_ahead *a)
{
	for (size_t i = 0; i < a->n; i++)
		fed_apply_prep_free(&a->prep[i]);
	free(a->prep);
	json_decref(a->garbage);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}

static void *
fed_apply_ahead_main(void *arg)
{
	struct fed_apply_ahead *a = arg;

	for (size_t i = 0; i < a->n; i++) {
		bool stop;

		pthread_mutex_lock(&a->mu);
		stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			break;
		fed_apply_prepare(a->cfg, a->self, &a->p, json_array_get(
		    a->entries, i), &a->prep[i]);
		pthread_mutex_lock(&a->mu);
		a->ready = i + 1;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
	}
	/* Wait for the applier to be done with the page, then clean up. */
	pthread_mutex_lock(&a->mu);
	while (!a->stop)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	fed_apply_ahead_free(a);
	fed_apply_helpers_add(-1);
	return NULL;
}

/*
 * Start the helper on a page's entries (borrowed until _end); without a
 * thread, entries are prepared inline.
 */
static struct fed_apply_ahead *
fed_apply_ahead_start(const struct config *cfg, const struct instance *self,
    const struct fed_peer *p, json_t *entries)
{
	struct fed_apply_ahead *a = xcalloc(1, sizeof *a);
	pthread_t thread;

	a->cfg = cfg;
	a->self = self;
	a->p = *p;
	a->entries = entries;
	a->n = json_array_size(entries);
	a->prep = xcalloc(a->n > 0 ? a->n : 1, sizeof *a->prep);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (a->n > 1) {
		fed_apply_helpers_add(1);
		a->threaded = pthread_create(&thread, NULL,
		    fed_apply_ahead_main, a) == 0;
		if (a->threaded)
			pthread_detach(thread);
		else
			fed_apply_helpers_add(-1);
	}
	return a;
}

/* Entry i, once the helper is past it (a's until _end). */
static struct fed_apply_prep *
fed_apply_ahead_get(struct fed_apply_ahead *a, size_t i)
{
	if (!a->threaded) {	/* in order; a page's second pass has them */
		for (; a->ready <= i; a->ready++)
			fed_apply_prepare(a->cfg, a->self, &a->p,
			    json_array_get(a->entries, a->ready),
			    &a->prep[a->ready]);
		return &a->prep[i];
	}
	pthread_mutex_lock(&a->mu);
	while (a->ready <= i)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	return &a->prep[i];
}

/*
 * The applier is done with the page (page: its JSON, now the helper's to
 * free, with a). Neither is used after this.
 */
static void
fed_apply_ahead_end(struct fed_apply_ahead *a, json_t *page)
{
	if (!a->threaded) {
		a->garbage = page;
		fed_apply_ahead_free(a);
		return;
	}
	pthread_mutex_lock(&a->mu);
	a->garbage = page;
	a->stop = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/*
 * Start the helper on page o (parsed, not yet checked) now, for
 * fed_apply_page_ahead() later; NULL when o has no list of entries to
 * prepare. Whoever holds o then gives both to fed_apply_page_ahead() or
 * drops them (fed_apply_ahead_drop).
 */
struct fed_apply_ahead *
fed_apply_ahead_page(const struct config *cfg, const struct instance *self,
    const struct fed_peer *p, json_t *o)
{
	json_t *entries = json_object_get(o, "entries");

	if (!json_is_array(entries) || json_array_size(entries) == 0 ||
	    json_array_size(entries) > FED_PAGE_MAX)
		return NULL;
	return fed_apply_ahead_start(cfg, self, p, entries);
}

/* A page that will not be applied: its helper (if any) frees it, and o. */
void
fed_apply_ahead_drop(struct fed_apply_ahead *a, json_t *o)
{
	if (a != NULL)
		fed_apply_ahead_end(a, o);
	else
		json_decref(o);
}

/*
 * One entry of a page, inside the page's transaction, from what the
 * helper prepared (borrowed; the caller frees it). 0, -1 (the page
 * stops), or FED_APPLY_AGAIN: it failed part-way in a flat transaction
 * (db_flat), which cannot undo the part; the page must be applied again,
 * not flat. quiet: its outcome was logged by the page's first pass.
 */
static int
fed_apply_entry(struct db *db, const struct config *cfg,
    const struct fed_peer *p, struct fed_apply_prep *pr,
    struct fed_counts *c, bool quiet)
{
	struct fed_entry *e = &pr->e;
	struct pilot_fts_mark fts;
	unsigned char key[32];
	const char *why = pr->why;
	long long version;
	json_t *body;
	int rc;

	switch (pr->state) {
	case FED_PREP_BAD:
		goto quarantine;
	case FED_PREP_OWN:
		c->ignored++;	/* our own item, come back around */
		return 0;
	case FED_PREP_FORGED:
		why = "handtekening klopt niet met de sleutel van de herkomst";
		goto quarantine;
	case FED_PREP_KEY:
		/* An origin a relay introduced: its key is stored here. */
		if (!fed_apply_key(db, p, e->origin, key, &why))
			goto quarantine;
		if (!fed_sign_entry_valid(e, key)) {
			why = "handtekening klopt niet met de sleutel van de"
			    " herkomst";
			goto quarantine;
		}
		if (pr->body == NULL)	/* not on the page's second pass */
			pr->body = fed_apply_parse(e->body, e->body_len);
		break;
	case FED_PREP_VERIFIED:
		break;
	}
	body = pr->body;
	version = fed_feed_version(db, e->origin, e->kind, e->id);
	if (db_failure(db) != 0)
		return -1;	/* not known to be newer: read it again */
	if (e->version <= version) {
		if (!quiet)
			log_emit(LOG_INFO, "fed.ignored", "peer %s: %s %s"
			    " version %lld is not newer than the one here",
			    p->url, e->kind, e->id, e->version);
		c->ignored++;
		return 0;
	}
	if (body == NULL) {
		why = "inhoud is geen JSON-object";
		goto quarantine;
	}
	if (db_begin(db) == -1)
		return -1;
	pilot_store_fts_save(&fts);
	rc = fed_items_kind(e->kind)->apply(db, e, body, cfg, &why);
	if (rc == 0 && fed_feed_store(db, e) == 0 && db_commit(db) == 0) {
		pilot_store_fts_forget(&fts);
		c->applied++;
		return 0;
	}
	db_rollback(db);
	pilot_store_fts_restore(&fts);
	if (db_failure(db) == 0 && db_doomed(db))
		return FED_APPLY_AGAIN;
	if (why == NULL)
		why = "kon niet worden opgeslagen";
quarantine:
	/*
	 * The storage failed, not the entry: the page stops (its cursor
	 * stays), and the entry is read again at the next pull instead of
	 * being quarantined and lost.
	 */
	if (db_failure(db) != 0)
		return -1;
	fed_apply_quarantine(db, p, e, why, quiet);
	if (db_failure(db) != 0)
		return -1;
	c->quarantined++;
	return 0;
}

/*
 * The page's entries, inside its open transaction: first flat (no
 * savepoint per entry: each copied the pages it touched, a twentieth of
 * the applier's instructions), and only when an entry failed part-way,
 * the page again with a savepoint per entry, so that the entry alone is
 * undone and quarantined. 0, or -1 (the transaction is rolled back or to be).
 */
static int
fed_apply_entries(struct db *db, const struct config *cfg,
    const struct fed_peer *p, struct fed_apply_ahead *ahead,
    struct fed_counts *c)
{
	size_t i;
	int rc = 0;

	db_flat(db, true);
	for (i = 0; i < ahead->n; i++)
		if ((rc = fed_apply_entry(db, cfg, p, fed_apply_ahead_get(ahead,
		    i), c, false)) != 0)
			break;
	if (rc != FED_APPLY_AGAIN)
		return rc;
	log_emit(LOG_INFO, "fed.again", "peer %s: entry %zu failed part-way;"
	    " its page is applied again, entry by entry", p->url, i);
	db_rollback(db);
	pilot_store_fts_cancel();
	memset(c, 0, sizeof *c);
	if (db_begin(db) == -1)
		return -1;
	pilot_store_fts_defer();
	/* The entries before the failed one are logged already. */
	for (size_t j = 0; j < ahead->n && rc != -1; j++)
		rc = fed_apply_entry(db, cfg, p, fed_apply_ahead_get(ahead, j),
		    c, j < i);
	return rc == -1 ? -1 : 0;
}

/* Are the page's seqs rising, after the cursor and up to next? */
static bool
fed_apply_order(json_t *entries, long long after, long long next)
{
	json_t *j;
	size_t i;

	json_array_foreach(entries, i, j) {
		json_t *seq = json_object_get(j, "seq");

		if (!json_is_integer(seq) || json_integer_value(seq) <= after ||
		    json_integer_value(seq) > next)
			return false;
		after = json_integer_value(seq);
	}
	return true;
}

/*
 * One page of the peer's changes feed. *more: pull the next page now.
 * Returns 0 (applied, or the cursor reset), or -1 with *why (nothing of
 * the page applied). The page is o, as fed_apply_page_parse() gave it
 * (NULL: not JSON), with the helper fed_apply_ahead_page() started on it
 * or NULL; both are freed here. When next_cb is not NULL, it is
 * called once the page is known to be well-formed, before its entries are
 * applied, with where the next page would start and whether there is one:
 * the caller may fetch it meanwhile, but must drop it if this page then
 * fails.
 */
int
fed_apply_page_ahead(struct db *db, const struct config *cfg,
    const struct instance *self, struct fed_peer *p, json_t *o,
    struct fed_apply_ahead *ahead, bool *more, struct fed_counts *c,
    const char **why, void (*next_cb)(void *, long long, bool), void *arg)
{
	json_t *entries;
	json_t *head, *next;
	long long next_seq;
	bool page_more;
	const char *s;
	int rc = -1;

	memset(c, 0, sizeof *c);
	*more = false;
	*why = "het antwoord is geen geldig JSON-object";
	if (o == NULL)
		return -1;
	entries = json_object_get(o, "entries");
	head = json_object_get(o, "head");
	next = json_object_get(o, "next");
	*why = "het antwoord mist velden of heeft ongeldige";
	if (!json_is_array(entries) || json_array_size(entries) > FED_PAGE_MAX ||
	    !json_is_integer(head) || !json_is_integer(next) ||
	    !json_is_boolean(json_object_get(o, "more")))
		goto out;
	if (!fed_items_string(o, "instance", 36, &s) ||
	    strcmp(s, p->instance) != 0) {
		*why = "het antwoord komt van een andere instantie";
		goto out;
	}
	if (!fed_items_string(o, "epoch", 36, &s) || strcmp(s, p->epoch) != 0) {
		*why = "het epoch veranderde tijdens het lezen";
		goto out;
	}
	if (json_integer_value(head) < p->cursor) {
		/* Its history is shorter than what we read: read it again. */
		log_emit(LOG_WARN, "fed.epoch", "peer %s: head %lld is below the"
		    " cursor %lld; reading it again from 0", p->url,
		    (long long)json_integer_value(head), p->cursor);
		p->cursor = 0;
		rc = fed_peer_progress(db, p, 0, c);
		*more = rc == 0;
		goto out;
	}
	if (json_integer_value(next) < p->cursor ||
	    json_integer_value(next) > json_integer_value(head) ||
	    !fed_apply_order(entries, p->cursor, json_integer_value(next))) {
		*why = "de volgnummers van de pagina kloppen niet";
		goto out;
	}
	if (next_cb != NULL)
		next_cb(arg, json_integer_value(next),
		    json_is_true(json_object_get(o, "more")) &&
		    json_integer_value(next) < json_integer_value(head));
	*why = "databasefout";
	db_failure_clear(db);	/* fed_apply_entry asks for this page's */
	if (db_begin(db) == -1)
		goto out;
	pilot_store_fts_defer();	/* the page's index rows at its end */
	next_seq = json_integer_value(next);
	page_more = json_is_true(json_object_get(o, "more")) &&
	    next_seq < json_integer_value(head);
	/*
	 * Started for this page, for this peer as it is now; else here. The
	 * one dropped may still read an entry: it gets a reference of its own.
	 */
	if (ahead != NULL && (ahead->entries != entries ||
	    memcmp(ahead->p.key, p->key, sizeof p->key) != 0 ||
	    strcmp(ahead->p.instance, p->instance) != 0)) {
		fed_apply_ahead_end(ahead, json_incref(o));
		ahead = NULL;
	}
	if (ahead == NULL)
		ahead = fed_apply_ahead_start(cfg, self, p, entries);
	rc = fed_apply_entries(db, cfg, p, ahead, c);
	/* Its index rows, from tokens the helper made (it still has them). */
	if (rc != -1 && pilot_store_fts_flush(db) == -1)
		rc = -1;
	/* The page and what was prepared are freed by the helper. */
	fed_apply_ahead_end(ahead, o);
	ahead = NULL;
	o = NULL;
	if (rc == -1 || fed_peer_progress(db, p, next_seq, c) == -1 ||
	    db_commit(db) == -1) {
		rc = -1;
		goto rollback;
	}
	p->cursor = next_seq;
	*more = page_more;
	*why = NULL;
	rc = 0;
	goto out;
rollback:
	db_rollback(db);
	pilot_store_fts_cancel();
	memset(c, 0, sizeof *c);
out:
	fed_apply_ahead_drop(ahead, o);
	return rc;
}

/*
 * A page's text as fed_apply_page_ahead() takes it: a JSON object (caller
 * frees), or NULL. Needs no database: any thread may parse the next page.
 */
json_t *
fed_apply_page_parse(const char *text, size_t len)
{
	return fed_apply_parse(text, len);
}

/* One page's text: fed_apply_page_ahead() without a look ahead. */
int
fed_apply_page(struct db *db, const struct config *cfg,
    const struct instance *self, struct fed_peer *p, const char *text,
    size_t len, bool *more, struct fed_counts *c, const char **why)
{
	return fed_apply_page_ahead(db, cfg, self, p,
	    fed_apply_page_parse(text, len), NULL, more, c, why, NULL, NULL);
}
