/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The notifier: a thread of meentd with its own database connection that
 * turns events into mail (notify_mail.c). It wakes when notify_event()
 * records one (notify_event.c), and polls every second anyway (events
 * recorded by triggers, by meentctl or by a peer's feed); once an hour it runs the weekly digest for the users whose week
 * is over and prunes expired unsubscribe tokens. Requests never wait for
 * it: they only insert rows.
 */
#include "domain/domain.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define NOTIFY_POLL_SECONDS	1
#define NOTIFY_DIGEST_EVERY	3600

static struct {
	pthread_t	 thread;
	bool		 running;
	atomic_bool	 stopping;
	struct db	*db;
	char		*origin, *name;
} nt;

static void *
notify_thread_main(void *arg)
{
	struct notify_site site = { nt.origin, nt.name };
	time_t digested = 0;
	long sent;

	(void)arg;
	while (!atomic_load(&nt.stopping)) {
		/* A connection that met a failure starts afresh. */
		if (notify_dispatch(nt.db, &site) == -1)
			(void)db_recover(nt.db);
		db_failure_clear(nt.db);
		if (time(NULL) - digested >= NOTIFY_DIGEST_EVERY) {
			if (notify_digest(nt.db, &site, time(NULL), false,
			    &sent) == -1 || notify_prune(nt.db) == -1)
				(void)db_recover(nt.db);
			db_failure_clear(nt.db);
			digested = time(NULL);
		}
		if (!atomic_load(&nt.stopping))
			notify_event_wait(NOTIFY_POLL_SECONDS);
	}
	return NULL;
}

/*
 * Start the notifier on the database at db_path; links start with origin
 * (the base URL, no slash at the end), messages name the instance name.
 * Both copied. 0, or -1 with *err (caller frees).
 */
int
notify_thread_start(const char *db_path, const char *origin,
    const char *name, char **err)
{
	nt.db = db_open(db_path, 0, err);
	if (nt.db == NULL)
		return -1;
	nt.origin = xstrdup(origin);
	nt.name = xstrdup(name);
	atomic_store(&nt.stopping, false);
	if (pthread_create(&nt.thread, NULL, notify_thread_main, NULL) != 0)
		fatal("pthread_create");
	nt.running = true;
	return 0;
}

/* Stop the notifier and free it all. */
void
notify_thread_stop(void)
{
	if (nt.running) {
		atomic_store(&nt.stopping, true);
		notify_event_wake();
		pthread_join(nt.thread, NULL);
		nt.running = false;
	}
	db_close(nt.db);
	nt.db = NULL;
	free(nt.origin);
	free(nt.name);
	nt.origin = nt.name = NULL;
}
