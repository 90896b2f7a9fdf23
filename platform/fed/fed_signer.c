/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The signer thread: signs into the feed what the outbox holds that no
 * write signed itself (fed_feed_attach does that for the workers' writes):
 * the backlog a migration or meentctl left, with meentd already listening
 * (a first start after an upgrade once signed 100,000 entries before it
 * answered anything). It works in batches, each its own transaction on its
 * own connection: once at start, and again when woken (fed_signer_wake: a
 * peer read the feed while the outbox held something, which is when it
 * matters), and after a failure again after FED_SIGNER_RETRY_MS. It never
 * polls: reads of its own would land among those a test's faults aim at.
 * What it signed, it announces to the peers.
 */
#include "fed/fed.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define FED_SIGNER_RETRY_MS	1000

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 thread;
	bool		 running, stop, woken;
	struct db	*db;
	const struct instance *in;
} sg = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* Wait up to ms (0: no limit), or until woken or stopped; sg.mu held. */
static void
fed_signer_wait(long ms)
{
	struct timespec until;

	if (ms == 0) {
		while (!sg.stop && !sg.woken)
			pthread_cond_wait(&sg.cv, &sg.mu);
		sg.woken = false;
		return;
	}
	clock_deadline(&until, ms);
	while (!sg.stop && !sg.woken)
		if (pthread_cond_timedwait(&sg.cv, &sg.mu, &until) ==
		    ETIMEDOUT)
			break;
	sg.woken = false;
}

static void *
fed_signer_main(void *arg)
{
	long total = 0;

	(void)arg;
	pthread_mutex_lock(&sg.mu);
	while (!sg.stop) {
		long n = 0;
		int rc;

		pthread_mutex_unlock(&sg.mu);
		rc = fed_feed_flush(sg.db, sg.in, &n);
		total += n;
		if (rc != 1 && total > 0) {
			log_emit(LOG_INFO, "fed.flush", "%ld change(s) signed "
			    "into the feed", total);
			fed_pull_announce();
			total = 0;
		}
		db_recover(sg.db);	/* after a failure: a fresh connection */
		pthread_mutex_lock(&sg.mu);
		if (rc != 1)	/* more to do: on at once, unless stopping */
			fed_signer_wait(rc == -1 ? FED_SIGNER_RETRY_MS : 0);
	}
	pthread_mutex_unlock(&sg.mu);
	return NULL;
}

/* Start signing the outbox of the database at path. 0, or -1 and *err. */
int
fed_signer_start(const char *path, const struct instance *in, char **err)
{
	if ((sg.db = db_open(path, 0, err)) == NULL)
		return -1;
	sg.in = in;
	sg.stop = sg.woken = false;
	if (pthread_create(&sg.thread, NULL, fed_signer_main, NULL) != 0) {
		db_close(sg.db);
		sg.db = NULL;
		*err = xasprintf("cannot start the signer thread");
		return -1;
	}
	sg.running = true;
	return 0;
}

/* Look at the outbox now (any thread). */
void
fed_signer_wake(void)
{
	pthread_mutex_lock(&sg.mu);
	sg.woken = true;
	pthread_cond_signal(&sg.cv);
	pthread_mutex_unlock(&sg.mu);
}

/* Stop it (between batches) and close its connection. */
void
fed_signer_stop(void)
{
	if (!sg.running)
		return;
	pthread_mutex_lock(&sg.mu);
	sg.stop = true;
	pthread_cond_signal(&sg.cv);
	pthread_mutex_unlock(&sg.mu);
	pthread_join(sg.thread, NULL);
	db_close(sg.db);
	sg.db = NULL;
	sg.running = false;
}
