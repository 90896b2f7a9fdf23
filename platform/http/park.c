/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Answers that wait for the disk (group commit, db/durable.c).
 *
 * A request whose handler committed on the worker's connection (a grouped
 * one: synchronous=NORMAL) is answered only once that commit is durable.
 * reply_send() hands its answer here instead of to the connection; the
 * answer waits on the worker's list, the worker goes on with other
 * requests (whose commits then share the next sync), and when the syncer
 * says a sync is done (park_wake_cb, through event_active) the answers it
 * covered go out as they were. An answer whose sync failed goes out as a
 * 500 instead: the change may or may not be on disk, and no 2xx may claim
 * it is.
 *
 * The writes of one round of the worker's loop share one transaction
 * (db_batch_*): a request that wrote into it waits for its commit at the
 * round's end (park_batch_end), then for the sync.
 *
 * A request may also ask to wait for everything committed so far
 * (park_until_durable): the federation feed does, so that no peer is
 * handed an entry that a power loss could take back.
 *
 * While an answer waits, the request is "parked": the router does not free
 * it (router_req_free marks it instead, and req_free runs here once the
 * answer is out) and its connection stays in HANDLING, reading nothing,
 * as for a job.
 */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#define PARK_BATCH_MS	5.0	/* the longest a batch holds the writer */

/* The ticket r's answer waits for: 0 when it waits for nothing. */
static uint64_t
park_ticket(struct req *r)
{
	uint64_t t = db_ticket(r->db);

	if (t <= r->durable_mark)
		t = 0;	/* nothing committed by this request */
	return t > r->durable_need ? t : r->durable_need;
}

/* Note where r starts: commits, changes and batches before now are not its. */
void
park_mark(struct req *r)
{
	r->durable_mark = db_ticket(r->db);
	r->changes_mark = db_changes(r->db);
	r->batch_first = db_batch_id(r->db) + (db_batch_open(r->db) ? 0 : 1);
}

/*
 * Did r write into a batch that has since failed to commit? A handler
 * that left its batch (db_batch_leave) and goes on answers in the same
 * callback, with no batch open: the last batch is the one it wrote into.
 * Then its write is gone, whatever its handler answers.
 */
static bool
park_batch_lost(struct req *r)
{
	uint64_t last = db_batch_id(r->db), ticket;

	return db_changes(r->db) != r->changes_mark && !db_batch_open(r->db) &&
	    last >= r->batch_first &&
	    db_batch_outcome(r->db, last, &ticket) == -1;
}

/* r's answer waits until everything committed so far is on disk. */
void
park_until_durable(struct req *r)
{
	r->durable_need = durable_head();
}

/* The answer of a request whose commit could not be made durable. */
static void
park_failed(struct req *r, int status, bool committed)
{
	r->durable_need = 0;
	r->unparked = true;	/* no second wait */
	r->replied = false;
	evhttp_clear_headers(r->out_headers);
	if (!committed) {
		/* The batch's COMMIT failed: nothing of it is kept. */
		log_emit(LOG_ERROR, "db.commit", "an answer of %d became a "
		    "failure: its batch could not be committed", status);
		reply_db_failed(r, "De wijziging kon niet worden bewaard.");
		return;
	}
	log_emit(LOG_ERROR, "db.sync", "an answer of %d became a 500: its "
	    "commit could not be made durable", status);
	reply_problem(r, 500, "Interne fout", "De wijziging is misschien niet"
	    " bewaard: de schijf meldde een fout. Kijk of ze er is, en "
	    "probeer het anders later opnieuw.");
}

/*
 * From reply_send: keep the answer (the body is moved) while its commit is
 * not yet durable; answer 500 instead when its sync failed. Returns false
 * when the answer may go as it is, at once.
 */
bool
park_reply(struct req *r, int status, const char *ctype,
    struct evbuffer *body)
{
	struct http_ctx *ctx = r->ctx;
	bool in_batch;
	uint64_t t;
	int decided;

	if (r->unparked)
		return false;	/* its wait is over */
	if (park_batch_lost(r)) {
		evbuffer_drain(body, evbuffer_get_length(body));
		park_failed(r, status, false);
		return true;
	}
	in_batch = db_batch_open(r->db) && db_changes(r->db) != r->changes_mark;
	t = in_batch ? 0 : park_ticket(r);
	decided = in_batch ? 0 : t == 0 ? 1 : durable_status(t);
	if (decided == 1)
		return false;
	if (decided == -1) {
		evbuffer_drain(body, evbuffer_get_length(body));
		park_failed(r, status, true);
		return true;
	}
	/* In the open batch: its ticket comes with its commit. */
	r->park.batch = in_batch ? db_batch_id(r->db) : 0;
	r->park.ticket = t;
	r->park.status = status;
	r->park.ctype = ctype != NULL ? xstrdup(ctype) : NULL;
	r->park.body = evbuffer_new();
	evbuffer_add_buffer(r->park.body, body);
	r->park.next = NULL;
	r->parked = true;
	r->replied = true;	/* for the router: it has answered */
	if (ctx->parked_tail != NULL)
		ctx->parked_tail->park.next = r;
	else
		ctx->parked = r;
	ctx->parked_tail = r;
	return true;
}

/* Send r's kept answer (or the 500 for its failed sync). */
static void
park_release(struct req *r, int decided)
{
	bool free_it = r->park.free;

	r->parked = false;
	if (decided == 1) {
		r->replied = false;
		r->durable_need = 0;
		r->unparked = true;	/* no second wait */
		reply_send(r, r->park.status, r->park.ctype, r->park.body);
	} else
		park_failed(r, r->park.status, !r->park.uncommitted);
	evbuffer_free(r->park.body);
	free(r->park.ctype);
	memset(&r->park, 0, sizeof r->park);
	if (free_it)
		req_free(r);
}

/*
 * Is r's wait over? 1 durable, -1 failed, 0 not yet; with wait, block
 * until its commit's sync is decided. A request in a batch first needs
 * the batch's commit (db_batch_outcome), then that commit's sync.
 */
static int
park_decided(struct http_ctx *ctx, struct req *r, bool wait)
{
	if (r->park.batch != 0) {
		switch (db_batch_outcome(ctx->db, r->park.batch,
		    &r->park.ticket)) {
		case 0:
			return 0;
		case -1:
		case -2:	/* forgotten: never taken for a success */
			r->park.uncommitted = true;
			return -1;
		}
		r->park.batch = 0;
	}
	return wait ? durable_wait(r->park.ticket) :
	    durable_status(r->park.ticket);
}

/*
 * Answer every parked request whose ticket is decided, in order. With
 * wait, block until each is (the loop has ended: park_drain).
 */
static void
park_answer(struct http_ctx *ctx, bool wait)
{
	struct req **pp = &ctx->parked, *r;

	ctx->parked_tail = NULL;
	while ((r = *pp) != NULL) {
		int decided = park_decided(ctx, r, wait);

		if (decided == 0) {
			ctx->parked_tail = r;
			pp = &r->park.next;
			continue;
		}
		*pp = r->park.next;
		park_release(r, decided);
	}
}

static void
park_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	park_answer(arg, false);
	park_batch_check(arg);
}

/* On the syncer thread: tell the worker's loop. */
static void
park_wake(void *arg)
{
	struct http_ctx *ctx = arg;

	event_active(ctx->park_ev, EV_READ, 0);
}

/*
 * At the end of each round of the worker's loop: commit the batch of the
 * round's writes (db_batch_commit), give its answers their ticket (or,
 * when the commit failed, their failure at once), and tell the peers what
 * the batch signed into the feed. Also after a request, once the batch is
 * PARK_BATCH_MS old (park_batch_check): under steady load a round may not
 * end for a long time (libevent's EVLOOP_ONCE goes on while events keep
 * becoming active), and the other workers wait for the writer lock.
 */
void
park_batch_end(struct http_ctx *ctx)
{
	struct db *db = ctx->db;
	int rc;

	if (!db_batch_open(db))
		return;
	db_failure_clear(db);	/* what fails now is the batch's */
	rc = db_batch_commit(db);
	park_answer(ctx, false);
	park_announce(ctx, rc == 0);
	if (rc == -1)	/* answers cached in the round may show what is gone */
		cache_bump();
	db_recover(db);
}

/*
 * Tell the peers what the worker's commits signed into the feed
 * (fed_feed_attach), so that it shows on other instances within a second.
 * The count is taken either way: after a failed commit (kept false)
 * nothing of it is there.
 */
void
park_announce(struct http_ctx *ctx, bool kept)
{
	if (ctx->feed != NULL && fed_feed_signed(ctx->feed) > 0 && kept)
		fed_pull_announce();
}

/* After a request: end a batch that has held the writer lock long enough. */
void
park_batch_check(struct http_ctx *ctx)
{
	if (db_batch_age(ctx->db) >= PARK_BATCH_MS)
		park_batch_end(ctx);
}

/* For each worker, before its loop runs. */
void
park_init(struct http_ctx *ctx)
{
	ctx->park_ev = event_new(ctx->base, -1, 0, park_wake_cb, ctx);
	durable_on_sync(park_wake, ctx);
}

/*
 * On the worker's thread once its loop has ended: answer what still waits
 * (the syncer runs until the workers are gone), then stop being woken.
 */
void
park_drain(struct http_ctx *ctx)
{
	if (ctx->park_ev == NULL)
		return;
	park_answer(ctx, true);
	durable_off_sync(park_wake, ctx);
	event_free(ctx->park_ev);
	ctx->park_ev = NULL;
}
