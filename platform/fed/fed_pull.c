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
} fp = { .mu = PTHREAD_MUTEX_INITIALIZER,
    .stopped_cv = PTHREAD_COND_INITIALIZER };

static void	fed_pull_wellknown(struct fed_pull_peer *);
static void	fed_pull_page(struct fed_pull_peer *);

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
		.arg = (void *)(intptr_t)pp->p.id,
	};
	static const char *const headers[] = { "Accept: application/json",
	    NULL };

	req.headers = headers;
	if (outbound_submit(&req) == -1) {
		pp->busy = false;
		pp->due = clock_ms() + 1000.0 * pp->p.interval;
	}
}

/* A pull failed: record why, and back off. */
static void
fed_pull_failed(struct fed_pull_peer *pp, const char *reason)
{
	double delay = pp->p.interval;

	log_emit(LOG_WARN, "fed.pull.failed", "peer %s: %s", pp->p.url, reason);
	fed_peer_failed(fp.db, pp->p.id, reason);
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

static void
fed_pull_page_cb(void *arg, int result, long status, const char *body,
    size_t len)
{
	struct fed_pull_peer *pp;
	struct fed_counts c;
	const char *why;
	char buf[64];
	bool more;

	if (fp.stopping || (pp = fed_pull_find((long)(intptr_t)arg)) == NULL)
		return;
	if ((why = fed_pull_transfer_error(result, status, buf, sizeof buf))
	    != NULL) {
		fed_pull_failed(pp, why);
		return;
	}
	if (fed_apply_page(fp.db, fp.cfg, &fp.self, &pp->p, body, len, &more,
	    &c, &why) == -1) {
		fed_pull_failed(pp, why);
		return;
	}
	pp->pages++;
	pp->cycle.applied += c.applied;
	pp->cycle.ignored += c.ignored;
	pp->cycle.quarantined += c.quarantined;
	if (more)
		fed_pull_page(pp);
	else
		fed_pull_done(pp);
}

static void
fed_pull_page(struct fed_pull_peer *pp)
{
	char *url = xasprintf("%s/federation/v1/changes?after=%lld&limit=%d",
	    pp->p.url, pp->p.cursor, FED_PAGE_MAX);

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

	if (fp.stopping || (pp = fed_pull_find((long)(intptr_t)arg)) == NULL)
		return;
	if ((why = fed_pull_transfer_error(result, status, buf, sizeof buf))
	    != NULL || fed_apply_wellknown(fp.db, &fp.self, &pp->p, body, len,
	    &why) == -1) {
		fed_pull_failed(pp, why);
		return;
	}
	fed_pull_page(pp);
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
			/* A new peer (or a restart): soon, not all at once. */
			next[i].due = now + 1000.0 * (double)randombytes_uniform(
			    1000) / 1000.0;
		}
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
	fp.nnotified = 0;
	fp.stopping = fp.stopped = false;
	fp.tick = event_new(base, -1, EV_PERSIST, fed_pull_tick_cb, NULL);
	fp.wake = event_new(base, -1, 0, fed_pull_tick_cb, NULL);
	fp.stop = event_new(base, -1, 0, fed_pull_stop_cb, NULL);
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
