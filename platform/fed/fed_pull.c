/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The pull scheduler (docs/federation.md, "Pulling"). It lives on the
 * outbound thread: its timers are events on that thread's base, its
 * requests go through outbound.c, and their answers are applied there,
 * with a database connection of its own. Other threads only wake it:
 * fed_pull_notified() (a peer asked for an early pull) and
 * fed_pull_announce() (our feed changed: tell the peers).
 *
 * Per peer: /.well-known/meent, then pages of its changes feed until
 * `more` is false; the next pull is due after the peer's interval, or,
 * after a failure, after interval * 2^failures (at most an hour), with
 * jitter so that a federation does not pull in lockstep.
 *
 * Pages are applied by a thread of their own (the applier, with its own
 * connection), so that fetching the next page overlaps applying this one:
 * as soon as the applier knows a page is well-formed it says where the
 * next one starts (fed_apply_page_ahead), and the outbound thread fetches
 * it. That page waits (one per peer) until the applier is free, and is
 * applied only if the page before it committed: a failed page drops what
 * was fetched after it (gen), so the cursor never passes an entry that
 * was not applied. At most one page per peer is in flight or waiting; a
 * waiting page's helper (fed_apply_ahead_page) already checks its entries'
 * signatures and parses their bodies, while the applier ends the page
 * before it (its search rows, its commit).
 */
#include "fed/fed.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#define FED_PULL_PEERS		64
#define FED_PULL_NOTIFIED	64
#define FED_PULL_BACKOFF_MAX	3600.0		/* seconds */
#define FED_PULL_WELLKNOWN_MAX	(64 << 10)
#define FED_PULL_TICK_MS	250		/* the scheduler looks this often */
#define FED_PULL_EARLY_MS	250.0		/* early pulls at most this often */

struct fed_pull_peer {
	struct fed_peer	 p;
	bool		 busy;		/* a pull is under way */
	unsigned	 gen;		/* a failure bumps it: late pages */
	bool		 fetching;	/* a page request is under way */
	long long	 fetch_after;	/* its cursor */
	bool		 applying;	/* the applier has a page of it */
	json_t		*pending;	/* fetched while the applier was busy */
	struct fed_apply_ahead *pending_ahead;	/* preparing its entries */
	long long	 pending_after;
	char		 fetch_failed[128];	/* while applying: after */
	bool		 again;		/* notified meanwhile: pull once more */
	double		 due;		/* clock_ms() of the next pull */
	double		 notified;	/* of the last early pull */
	struct fed_counts cycle;	/* this pull so far */
	int		 pages;
};

static struct {
	bool			 running, stopping;
	const struct config	*cfg;
	struct instance		 self;		/* a copy: uuid, epoch, keys */
	struct db		*db;		/* the outbound thread's */
	struct event		*tick, *wake, *stop;
	pthread_mutex_t		 mu;		/* the fields below */
	pthread_cond_t		 stopped_cv;
	bool			 stopped;
	char			 notified[FED_PULL_NOTIFIED][37];
	int			 nnotified;
	bool			 announce;
	/* Only on the outbound thread: */
	struct fed_pull_peer	 peers[FED_PULL_PEERS];
	size_t			 npeers;
	bool			 loaded;	/* the table was read once */
} fp = { .mu = PTHREAD_MUTEX_INITIALIZER,
    .stopped_cv = PTHREAD_COND_INITIALIZER };

static void	fed_pull_wellknown(struct fed_pull_peer *);
static void	fed_pull_page(struct fed_pull_peer *, long long);

/*
 * The applier. The outbound thread gives it one page at a time (job) and
 * reads its answers after done_ev; ahead_ev says where the next page
 * starts. Only the fields under mu are shared.
 */
static struct {
	bool			 started;
	pthread_t		 thread;
	struct db		*db;		/* the applier's own */
	struct event		*ahead_ev, *done_ev;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	bool			 quit, job, done;
	long			 peer;
	unsigned		 gen;
	struct fed_peer		 p;		/* a copy; its cursor moves */
	json_t			*page;		/* parsed on outbound */
	struct fed_apply_ahead	*page_ahead;	/* its helper, or NULL */
	bool			 ahead, ahead_more;
	long long		 ahead_next;
	int			 rc;
	bool			 more;
	struct fed_counts	 c;
	const char		*why;		/* static */
	bool			 busy;		/* outbound thread only */
} fa = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static struct fed_pull_peer *
fed_pull_find(long id)
{
	for (size_t i = 0; i < fp.npeers; i++)
		if (fp.peers[i].p.id == id)
			return &fp.peers[i];
	return NULL;
}

/* A random factor in [0.8, 1.2]: jitter. */
static double
fed_pull_jitter(void)
{
	return 0.8 + 0.4 * (double)randombytes_uniform(1000001) / 1e6;
}

static bool
fed_pull_allow_loopback(void)
{
	return fp.cfg->federation_allow_http_loopback;
}

/* A request's arg: the peer and its gen (pages of a failed pull are late). */
static void *
fed_pull_arg(const struct fed_pull_peer *pp)
{
	return (void *)(intptr_t)(((int64_t)pp->p.id << 16) |
	    (pp->gen & 0xffff));
}

static struct fed_pull_peer *
fed_pull_find_arg(void *arg)
{
	int64_t v = (int64_t)(intptr_t)arg;
	struct fed_pull_peer *pp = fed_pull_find((long)(v >> 16));

	return pp != NULL && (pp->gen & 0xffff) == (unsigned)(v & 0xffff) ?
	    pp : NULL;
}

static void
fed_pull_get(struct fed_pull_peer *pp, const char *url, size_t max,
    void (*done)(void *, int, long, const char *, size_t))
{
	struct outbound_request req = {
		.url = url,
		.timeout_ms = 30000,
		.max_response = max,
		.allow_loopback = fed_pull_allow_loopback(),
		.done = done,
		.arg = fed_pull_arg(pp),
	};
	static const char *const headers[] = { "Accept: application/json",
	    NULL };

	req.headers = headers;
	if (outbound_submit(&req) == -1) {
		pp->fetching = false;
		if (pp->applying) {
			/* The page before is still applying: after it. */
			snprintf(pp->fetch_failed, sizeof pp->fetch_failed,
			    "verzoek kon niet worden gestart");
			return;
		}
		pp->busy = false;
		pp->due = clock_ms() + 1000.0 * pp->p.interval;
	}
}

/* The page that waited for the applier will not be applied. */
static void
fed_pull_pending_free(struct fed_pull_peer *pp)
{
	fed_apply_ahead_drop(pp->pending_ahead, pp->pending);
	pp->pending_ahead = NULL;
	pp->pending = NULL;
}

/* Forget the pages fetched after the one that failed. */
static void
fed_pull_drop(struct fed_pull_peer *pp)
{
	pp->gen++;
	pp->fetching = false;
	fed_pull_pending_free(pp);
	pp->fetch_failed[0] = '\0';
}

/* A pull failed: record why, and back off. */
static void
fed_pull_failed(struct fed_pull_peer *pp, const char *reason)
{
	double delay = pp->p.interval;
	char why[256];

	/* reason may be pp->fetch_failed, which fed_pull_drop() clears */
	snprintf(why, sizeof why, "%s", reason);
	fed_pull_drop(pp);
	log_emit(LOG_WARN, "fed.pull.failed", "peer %s: %s", pp->p.url, why);
	fed_peer_failed(fp.db, pp->p.id, why);
	db_recover(fp.db);	/* after a failure of the storage: afresh */
	pp->p.failures++;
	for (int i = 0; i < pp->p.failures && delay < FED_PULL_BACKOFF_MAX; i++)
		delay *= 2;
	if (delay > FED_PULL_BACKOFF_MAX)
		delay = FED_PULL_BACKOFF_MAX;
	pp->busy = false;
	pp->due = clock_ms() + 1000.0 * delay * fed_pull_jitter();
}

/* Why a transfer did not give a usable answer, or NULL. */
static const char *
fed_pull_transfer_error(int result, long status, char *buf, size_t len)
{
	switch (result) {
	case OUTBOUND_OK:
		break;
	case OUTBOUND_REFUSED:
		return "adres geweigerd: alleen https, geen privé- of"
		    " loopback-adressen";
	case OUTBOUND_TOO_LARGE:
		return "antwoord te groot (meer dan 8 MiB)";
	default:
		return "verbinding mislukt, time-out of te traag";
	}
	if (status >= 300 && status < 400) {
		snprintf(buf, len, "HTTP %ld: doorverwijzing niet gevolgd",
		    status);
		return buf;
	}
	if (status != 200) {
		snprintf(buf, len, "HTTP %ld", status);
		return buf;
	}
	return NULL;
}

/* The cycle's pages are in: the next pull after the interval. */
static void
fed_pull_done(struct fed_pull_peer *pp)
{
	log_emit(pp->cycle.applied + pp->cycle.ignored + pp->cycle.quarantined
	    > 0 ? LOG_INFO : LOG_DEBUG, "fed.pull", "peer %s: %d page(s), %ld applied, %ld"
	    " ignored, %ld quarantined; cursor %lld", pp->p.url, pp->pages,
	    pp->cycle.applied, pp->cycle.ignored, pp->cycle.quarantined,
	    pp->p.cursor);
	pp->busy = false;
	pp->p.failures = 0;
	pp->due = clock_ms() + 1000.0 * pp->p.interval * fed_pull_jitter();
	if (pp->again) {
		/* A notification came while this pull ran: it may be newer. */
		pp->again = false;
		pp->due = clock_ms();
		event_active(fp.wake, EV_READ, 0);
	}
	/* Attachments of pilots from elsewhere whose files are not here. */
	fed_files_fetch(fp.db, fp.cfg);
	/* What we applied is in our feed now: subscribers of ours may want it. */
	if (pp->cycle.applied > 0 && fp.cfg->federation_relay)
		fed_pull_announce();
}

/* On the applier: the page is well-formed; the next one may be fetched. */
static void
fed_pull_apply_ahead(void *arg, long long next, bool more)
{
	(void)arg;
	pthread_mutex_lock(&fa.mu);
	fa.ahead = true;
	fa.ahead_next = next;
	fa.ahead_more = more;
	pthread_mutex_unlock(&fa.mu);
	event_active(fa.ahead_ev, EV_READ, 0);
}

static void *
fed_pull_apply_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&fa.mu);
	for (;;) {
		struct fed_counts c;
		const char *why = NULL;
		bool more = false;
		int rc;

		while (!fa.job && !fa.quit)
			pthread_cond_wait(&fa.cv, &fa.mu);
		if (fa.quit)
			break;
		pthread_mutex_unlock(&fa.mu);
		/* fa.p and page are the applier's until done; page is freed. */
		rc = fed_apply_page_ahead(fa.db, fp.cfg, &fp.self, &fa.p,
		    fa.page, fa.page_ahead, &more, &c, &why,
		    fed_pull_apply_ahead, NULL);
		fa.page = NULL;
		fa.page_ahead = NULL;
		if (rc == -1)
			db_recover(fa.db);	/* after a failure: afresh */
		pthread_mutex_lock(&fa.mu);
		fa.job = false;
		fa.done = true;
		fa.rc = rc;
		fa.more = more;
		fa.c = c;
		fa.why = why;
		pthread_mutex_unlock(&fa.mu);
		event_active(fa.done_ev, EV_READ, 0);
		pthread_mutex_lock(&fa.mu);
	}
	pthread_mutex_unlock(&fa.mu);
	return NULL;
}

/*
 * Give the applier a page of pp that follows its cursor (page and its
 * helper are kept).
 */
static void
fed_pull_apply_give(struct fed_pull_peer *pp, json_t *page,
    struct fed_apply_ahead *ahead)
{
	fa.busy = true;
	pp->applying = true;
	pthread_mutex_lock(&fa.mu);
	fa.peer = pp->p.id;
	fa.gen = pp->gen;
	fa.p = pp->p;
	fa.page = page;
	fa.page_ahead = ahead;
	fa.ahead = fa.done = false;
	fa.job = true;
	pthread_cond_signal(&fa.cv);
	pthread_mutex_unlock(&fa.mu);
}

/* The applier is free: a page that waits for it, round the peers. */
static void
fed_pull_apply_next(void)
{
	static size_t from;

	for (size_t k = 0; k < fp.npeers && !fa.busy; k++) {
		struct fed_pull_peer *pp = &fp.peers[(from + k) % fp.npeers];
		json_t *page = pp->pending;
		struct fed_apply_ahead *ahead = pp->pending_ahead;

		if (page == NULL)
			continue;
		pp->pending = NULL;
		pp->pending_ahead = NULL;
		from = (from + k + 1) % fp.npeers;
		if (pp->pending_after != pp->p.cursor) {
			/* Not the page after the cursor: fetch that. */
			fed_apply_ahead_drop(ahead, page);
			fed_pull_page(pp, pp->p.cursor);
			continue;
		}
		fed_pull_apply_give(pp, page, ahead);
	}
}

static void
fed_pull_ahead_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fed_pull_peer *pp;
	long long next;
	bool ahead, more;

	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&fa.mu);
	ahead = fa.ahead;
	fa.ahead = false;
	next = fa.ahead_next;
	more = fa.ahead_more;
	pp = fed_pull_find(fa.peer);
	if (pp != NULL && pp->gen != fa.gen)
		pp = NULL;
	pthread_mutex_unlock(&fa.mu);
	if (fp.stopping || !ahead || !more || pp == NULL || pp->fetching ||
	    pp->pending != NULL)
		return;
	fed_pull_page(pp, next);
}

static void
fed_pull_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fed_pull_peer *pp;
	struct fed_counts c;
	const char *why;
	long long cursor;
	bool done, more;
	int rc;

	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&fa.mu);
	done = fa.done;
	fa.done = false;
	rc = fa.rc;
	more = fa.more;
	c = fa.c;
	why = fa.why;
	cursor = fa.p.cursor;
	pp = fed_pull_find(fa.peer);
	pthread_mutex_unlock(&fa.mu);
	if (fp.stopping || !done)
		return;
	fa.busy = false;
	if (pp != NULL)
		pp->applying = false;
	if (pp != NULL && pp->gen == fa.gen) {
		if (rc == -1)
			fed_pull_failed(pp, why);
		else {
			pp->p.cursor = cursor;
			pp->pages++;
			pp->cycle.applied += c.applied;
			pp->cycle.ignored += c.ignored;
			pp->cycle.quarantined += c.quarantined;
			if (pp->fetch_failed[0] != '\0')
				fed_pull_failed(pp, pp->fetch_failed);
			else if (!more) {
				fed_pull_drop(pp);
				fed_pull_done(pp);
			} else if (!pp->fetching && pp->pending == NULL)
				fed_pull_page(pp, pp->p.cursor);
		}
	}
	fed_pull_apply_next();
}

static void
fed_pull_page_cb(void *arg, int result, long status, const char *body,
    size_t len)
{
	struct fed_pull_peer *pp;
	const char *why;
	json_t *page = NULL;
	char buf[64];

	if (fp.stopping || (pp = fed_pull_find_arg(arg)) == NULL ||
	    !pp->fetching)
		return;
	pp->fetching = false;
	/* Parsed here, while the applier applies the page before. */
	if ((why = fed_pull_transfer_error(result, status, buf, sizeof buf))
	    == NULL && (page = fed_apply_page_parse(body, len)) == NULL)
		why = "het antwoord is geen geldig JSON-object";
	if (why != NULL) {
		if (pp->applying)	/* the page before first */
			snprintf(pp->fetch_failed, sizeof pp->fetch_failed,
			    "%s", why);
		else
			fed_pull_failed(pp, why);
		return;
	}
	pp->pending = page;
	/* Its entries' signatures and bodies, while it waits. */
	pp->pending_ahead = fed_apply_ahead_page(fp.cfg, &fp.self, &pp->p,
	    page);
	pp->pending_after = pp->fetch_after;
	fed_pull_apply_next();
}

/* Fetch the page of pp's feed after cursor. */
static void
fed_pull_page(struct fed_pull_peer *pp, long long after)
{
	char *url = xasprintf("%s/federation/v1/changes?after=%lld&limit=%d",
	    pp->p.url, after, FED_PAGE_MAX);

	pp->fetching = true;
	pp->fetch_after = after;
	fed_pull_get(pp, url, FED_RESPONSE_MAX, fed_pull_page_cb);
	free(url);
}

static void
fed_pull_wellknown_cb(void *arg, int result, long status, const char *body,
    size_t len)
{
	struct fed_pull_peer *pp;
	const char *why;
	char buf[64];

	if (fp.stopping || (pp = fed_pull_find_arg(arg)) == NULL)
		return;
	if ((why = fed_pull_transfer_error(result, status, buf, sizeof buf))
	    != NULL || fed_apply_wellknown(fp.db, &fp.self, &pp->p, body, len,
	    &why) == -1) {
		fed_pull_failed(pp, why);
		return;
	}
	fed_pull_page(pp, pp->p.cursor);
}

static void
fed_pull_wellknown(struct fed_pull_peer *pp)
{
	char *url = xasprintf("%s/.well-known/meent", pp->p.url);

	pp->busy = true;
	pp->pages = 0;
	memset(&pp->cycle, 0, sizeof pp->cycle);
	fed_pull_get(pp, url, FED_PULL_WELLKNOWN_MAX, fed_pull_wellknown_cb);
	free(url);
}

/*
 * The peers table may have changed (meentctl peer add/remove): take it
 * again, keeping each known peer's schedule. A busy peer keeps its own
 * cursor and epoch: the pull under way is writing them. When the table
 * cannot be read, the schedule stays as it was.
 */
static void
fed_pull_reload(void)
{
	static struct fed_peer rows[FED_PULL_PEERS];
	struct fed_pull_peer next[FED_PULL_PEERS];
	int got = fed_peer_load(fp.db, rows, FED_PULL_PEERS);
	size_t n = got > 0 ? (size_t)got : 0;
	double now = clock_ms();

	/* Not readable now: the schedule stays as it is until it is. */
	if (got == -1) {
		db_recover(fp.db);	/* after a failure of the storage */
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct fed_pull_peer *old = fed_pull_find(rows[i].id);

		memset(&next[i], 0, sizeof next[i]);
		if (old != NULL) {
			next[i] = *old;
			if (!old->busy) {
				next[i].p = rows[i];
				next[i].p.failures = old->p.failures;
			}
		} else {
			next[i].p = rows[i];
			/*
			 * At start: soon, not all at once. A peer added while
			 * meentd runs (meentctl peer add): now, its operator
			 * waits to see it.
			 */
			next[i].due = fp.loaded ? now : now + 1000.0 *
			    (double)randombytes_uniform(1000) / 1000.0;
		}
	}
	fp.loaded = true;
	/* A removed peer's page that waited goes with it. */
	for (size_t i = 0; i < fp.npeers; i++) {
		size_t j;

		for (j = 0; j < n && rows[j].id != fp.peers[i].p.id; j++)
			;
		if (j == n)
			fed_pull_pending_free(&fp.peers[i]);
	}
	memcpy(fp.peers, next, n * sizeof next[0]);
	fp.npeers = n;
}

/* Tell every peer that our feed changed (they pull us if they pin us). */
static void
fed_pull_send_notify(void)
{
	long long now = (long long)time(NULL);
	char sig[89];
	char *body;

	if (fp.npeers == 0)
		return;		/* no one to tell: no signature to make */
	fed_sign_notify(fp.self.uuid, now, fp.self.secret_key, sig);
	body = xasprintf("{\"instance\":\"%s\",\"time\":%lld,\"sig\":\"%s\"}",
	    fp.self.uuid, now, sig);
	for (size_t i = 0; i < fp.npeers; i++) {
		char *url = xasprintf("%s/federation/v1/notify",
		    fp.peers[i].p.url);
		struct outbound_request req = {
			.method = "POST",
			.url = url,
			.body = body,
			.body_len = strlen(body),
			.content_type = "application/json",
			.timeout_ms = 5000,
			.max_response = 4096,
			.allow_loopback = fed_pull_allow_loopback(),
		};

		outbound_submit(&req);
		free(url);
	}
	free(body);
}

static void
fed_pull_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	char notified[FED_PULL_NOTIFIED][37];
	int nnotified;
	bool announce;
	double now = clock_ms();

	(void)fd;
	(void)what;
	(void)arg;
	if (fp.stopping)
		return;
	pthread_mutex_lock(&fp.mu);
	nnotified = fp.nnotified;
	memcpy(notified, fp.notified, sizeof notified);
	fp.nnotified = 0;
	announce = fp.announce;
	fp.announce = false;
	pthread_mutex_unlock(&fp.mu);

	fed_pull_reload();
	for (int i = 0; i < nnotified; i++)
		for (size_t j = 0; j < fp.npeers; j++) {
			struct fed_pull_peer *pp = &fp.peers[j];

			/*
			 * An early pull, at most 4 a second per peer; a
			 * notification during a pull asks for one more after.
			 */
			if (pp->p.instance[0] != '\0' &&
			    strcmp(pp->p.instance, notified[i]) != 0)
				continue;	/* not yet contacted: may be it */
			if (pp->busy)
				pp->again = true;
			else if (now - pp->notified >= FED_PULL_EARLY_MS) {
				pp->notified = now;
				pp->due = now;
				pp->p.failures = 0;
			} else
				pp->due = pp->notified + FED_PULL_EARLY_MS;
		}
	for (size_t i = 0; i < fp.npeers; i++)
		if (!fp.peers[i].busy && now >= fp.peers[i].due)
			fed_pull_wellknown(&fp.peers[i]);
	if (announce)
		fed_pull_send_notify();
}

/* On the outbound thread: let go of everything, then say so. */
static void
fed_pull_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fp.stopping = true;
	event_free(fp.tick);
	event_free(fp.wake);
	/* The applier ends after the page it has (its commit is whole). */
	pthread_mutex_lock(&fa.mu);
	fa.quit = true;
	pthread_cond_signal(&fa.cv);
	pthread_mutex_unlock(&fa.mu);
	pthread_join(fa.thread, NULL);
	fed_apply_ahead_drop(fa.page_ahead, fa.page);
	fa.page = NULL;
	fa.page_ahead = NULL;
	event_free(fa.ahead_ev);
	event_free(fa.done_ev);
	db_close(fa.db);
	fa.db = NULL;
	for (size_t i = 0; i < fp.npeers; i++)
		fed_pull_pending_free(&fp.peers[i]);
	fed_apply_ahead_wait();	/* they may read the config */
	db_close(fp.db);
	fp.db = NULL;
	pthread_mutex_lock(&fp.mu);
	fp.stopped = true;
	pthread_cond_signal(&fp.stopped_cv);
	pthread_mutex_unlock(&fp.mu);
}

/*
 * Start pulling (after outbound_start). The instance is copied; cfg must
 * outlive the scheduler. Returns 0, or -1 with *err.
 */
int
fed_pull_start(const struct config *cfg, const struct instance *self,
    char **err)
{
	struct event_base *base = outbound_base();
	struct timeval tick = { 0, FED_PULL_TICK_MS * 1000 };
	char *path;

	if (fp.running)
		return 0;
	if (base == NULL) {
		*err = xasprintf("federation needs the outbound thread");
		return -1;
	}
	path = xasprintf("%s/meent.db", cfg->data_dir);
	fp.db = db_open(path, 0, err);
	if (fp.db != NULL && (fa.db = db_open(path, 0, err)) == NULL) {
		db_close(fp.db);
		fp.db = NULL;
	}
	free(path);
	if (fp.db == NULL)
		return -1;
	fp.cfg = cfg;
	memset(&fp.self, 0, sizeof fp.self);
	memcpy(fp.self.uuid, self->uuid, sizeof fp.self.uuid);
	memcpy(fp.self.epoch, self->epoch, sizeof fp.self.epoch);
	memcpy(fp.self.public_key, self->public_key, sizeof fp.self.public_key);
	memcpy(fp.self.secret_key, self->secret_key, sizeof fp.self.secret_key);
	fp.npeers = 0;
	fp.loaded = false;
	fp.nnotified = 0;
	fp.stopping = fp.stopped = false;
	fp.tick = event_new(base, -1, EV_PERSIST, fed_pull_tick_cb, NULL);
	fp.wake = event_new(base, -1, 0, fed_pull_tick_cb, NULL);
	fp.stop = event_new(base, -1, 0, fed_pull_stop_cb, NULL);
	fa.ahead_ev = event_new(base, -1, 0, fed_pull_ahead_cb, NULL);
	fa.done_ev = event_new(base, -1, 0, fed_pull_done_cb, NULL);
	fa.quit = fa.job = fa.done = fa.busy = false;
	if (pthread_create(&fa.thread, NULL, fed_pull_apply_main, NULL) != 0) {
		*err = xasprintf("federation: no thread to apply pages");
		event_free(fp.tick);
		event_free(fp.wake);
		event_free(fp.stop);
		event_free(fa.ahead_ev);
		event_free(fa.done_ev);
		db_close(fa.db);
		db_close(fp.db);
		fa.db = fp.db = NULL;
		return -1;
	}
	event_add(fp.tick, &tick);
	fp.running = true;
	event_active(fp.wake, EV_READ, 0);
	return 0;
}

/* Stop pulling (the workers have stopped; before outbound_stop). */
void
fed_pull_stop(void)
{
	if (!fp.running)
		return;
	event_active(fp.stop, EV_READ, 0);
	pthread_mutex_lock(&fp.mu);
	while (!fp.stopped)
		pthread_cond_wait(&fp.stopped_cv, &fp.mu);
	pthread_mutex_unlock(&fp.mu);
	event_free(fp.stop);
	sodium_memzero(fp.self.secret_key, sizeof fp.self.secret_key);
	fp.running = false;
}

/* A peer (by instance id) asked for an early pull. 0, or -1 when busy. */
int
fed_pull_notified(const char *instance)
{
	int rc = -1;

	if (!fp.running)
		return -1;
	pthread_mutex_lock(&fp.mu);
	if (fp.nnotified < FED_PULL_NOTIFIED) {
		snprintf(fp.notified[fp.nnotified++], 37, "%s", instance);
		rc = 0;
	}
	pthread_mutex_unlock(&fp.mu);
	if (rc == 0)
		event_active(fp.wake, EV_READ, 0);
	return rc;
}

/* Our feed has new entries: notify the peers (coalesced). */
void
fed_pull_announce(void)
{
	if (!fp.running)
		return;
	pthread_mutex_lock(&fp.mu);
	fp.announce = true;
	pthread_mutex_unlock(&fp.mu);
	event_active(fp.wake, EV_READ, 0);
}
