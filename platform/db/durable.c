/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Group commit: many commits, one fsync.
 *
 * The HTTP workers' connections commit with synchronous=NORMAL (db_open
 * with DB_GROUP): COMMIT writes the transaction's frames to the WAL and
 * returns without syncing it. Each such commit takes a ticket
 * (durable_noted(), in db_commit). The syncer thread here syncs the WAL
 * whenever there are tickets newer than its last sync, and a ticket is
 * durable once a sync that began after its commit has returned: then the
 * frames are on disk exactly as synchronous=FULL would have left them
 * (FULL is NORMAL plus a sync of the WAL after each commit; SQLite's docs,
 * "PRAGMA synchronous"). The request that committed is answered only then
 * (http/park.c), so a 2xx still means "on disk"; while one sync runs, the
 * commits of every other writer queue up behind it and share the next.
 *
 * A failed sync fails every ticket it covered: on Linux a second fsync
 * after a failed one may report success for pages that never reached the
 * disk, so a failure is never retried into a success. The failed ranges
 * are kept (the last DURABLE_FAILS) for the waiters to find.
 *
 * The syncer also checkpoints (PASSIVE) once DURABLE_CHECKPOINT_FRAMES
 * were added to the WAL, for every connection of meentd opened while it
 * runs: theirs have SQLite's automatic checkpoint off (db.c), so that no
 * request, and not the federation's applier, waits while pages are
 * copied back.
 *
 * The syncer's own connection opens the same file; fsync(2) on the WAL
 * reaches the dirty pages of every connection of the process (they are
 * the one file's), and SQLITE_FCNTL_JOURNAL_POINTER hands out that
 * connection's WAL file, through whatever VFS it was opened with (the
 * fault-injecting one in tests).
 */
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define DURABLE_FAILS		16
#define DURABLE_WAKERS		64
#define DURABLE_CHECKPOINT_FRAMES 1000	/* SQLite's default */
#define DURABLE_CHECKPOINT_WAIT_MS 20	/* for the writer lock: db_checkpoint */

struct durable_fail {
	uint64_t	 from, to;	/* tickets, inclusive */
};

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;
	pthread_cond_t	 decided;	/* a sync ended (durable_wait) */
	pthread_t	 thread;
	bool		 running, stop;
	struct db	*db;		/* the syncer's connection */
	sqlite3_file	*wal;		/* its WAL file (durable_wal) */
	uint64_t	 committed;	/* the last ticket handed out */
	uint64_t	 synced;	/* every ticket up to this is decided */
	struct durable_fail fails[DURABLE_FAILS];
	unsigned	 nfails;	/* ever; the ring holds the last ones */
	struct {
		void	(*fn)(void *);
		void	*arg;
	} wakers[DURABLE_WAKERS];
	int		 nwakers;
	/* For /metrics. */
	_Atomic unsigned long syncs, sync_failures, checkpoints;
	_Atomic unsigned long long commits;
	_Atomic int	 wal_frames;	/* in the WAL after the last commit */
	_Atomic int	 ckpt_frames;	/* in it after the last checkpoint */
	bool		 ckpt_wanted;	/* a connection asked for one */
} dur = { .mu = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER, .decided = PTHREAD_COND_INITIALIZER };

/*
 * The syncer's WAL file, opened by a read on its connection and kept: it
 * stays open as long as the connection does, and no read (which a failing
 * disk could refuse) stands between a commit and its sync.
 */
static sqlite3_file *
durable_wal(void)
{
	sqlite3_file *f = NULL;

	if (dur.wal != NULL)
		return dur.wal;
	if (db_exists(dur.db, "SELECT 1 FROM sqlite_schema LIMIT 1",
	    NULL) == -1)
		return NULL;
	if (sqlite3_file_control(db_handle(dur.db), "main",
	    SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK || f == NULL ||
	    f->pMethods == NULL)
		return NULL;
	return dur.wal = f;
}

/* Sync the WAL; 0, or -1 (logged). */
static int
durable_sync(void)
{
	sqlite3_file *f = durable_wal();
	int rc;

	if (f == NULL) {
		log_emit(LOG_ERROR, "db.sync", "the write-ahead log could not "
		    "be reached");
		return -1;
	}
	if ((rc = f->pMethods->xSync(f, SQLITE_SYNC_NORMAL)) != SQLITE_OK) {
		log_emit(LOG_ERROR, "db.sync", "syncing the write-ahead log "
		    "failed (%d)", rc);
		return -1;
	}
	return 0;
}

/*
 * Frames appended to the WAL since the last checkpoint, from what the
 * connections' commits say it holds (durable_wal_frames): less than after
 * the last checkpoint means the WAL started over. Neither the WAL's file
 * size (a WAL is reused from its start but never shrinks) nor its frame
 * count alone (which stays above the mark while the WAL cannot start
 * over: every sync checkpointed) will do.
 */
static int
durable_frames_added(void)
{
	int frames = atomic_load(&dur.wal_frames);
	int at = atomic_load(&dur.ckpt_frames);

	return frames >= at ? frames - at : frames;
}

/*
 * A checkpoint once DURABLE_CHECKPOINT_FRAMES were appended since the last
 * one, as SQLite's automatic checkpoint would, but on this thread
 * (db_checkpoint). After the workers' commits it waits a little for the
 * writer lock, to start the WAL over; for the other connections it does
 * not wait (the applier holds the lock for a page: it starts the WAL over
 * itself, db.c).
 */
static void
durable_checkpoint(bool grouped)
{
	int frames;

	if (durable_frames_added() < DURABLE_CHECKPOINT_FRAMES)
		return;
	if (db_checkpoint(dur.db, grouped ? DURABLE_CHECKPOINT_WAIT_MS : 0,
	    &frames) == 0)
		atomic_store(&dur.ckpt_frames, frames);
	atomic_fetch_add(&dur.checkpoints, 1);
}

/*
 * After a commit on a connection of this process while the syncer runs
 * (its WAL hook, db.c): the frames the WAL now holds. A connection that is
 * not grouped has no ticket to wake the syncer with: it is woken here
 * when a checkpoint is due.
 */
void
durable_wal_frames(int frames)
{
	atomic_store(&dur.wal_frames, frames);
	if (durable_frames_added() < DURABLE_CHECKPOINT_FRAMES)
		return;
	pthread_mutex_lock(&dur.mu);
	if (!dur.ckpt_wanted) {
		dur.ckpt_wanted = true;
		pthread_cond_signal(&dur.work);
	}
	pthread_mutex_unlock(&dur.mu);
}

/* Does the syncer run (it then checkpoints for every connection)? */
bool
durable_running(void)
{
	bool running;

	pthread_mutex_lock(&dur.mu);
	running = dur.running;
	pthread_mutex_unlock(&dur.mu);
	return running;
}

/* With dur.mu held: wake whoever waits (a waker only wakes its owner). */
static void
durable_wake_all(void)
{
	for (int i = 0; i < dur.nwakers; i++)
		dur.wakers[i].fn(dur.wakers[i].arg);
	pthread_cond_broadcast(&dur.decided);
}

/* With dur.mu held: sync what was committed since the last sync. */
static void
durable_sync_committed(void)
{
	uint64_t from = dur.synced + 1, to = dur.committed;
	int rc;

	pthread_mutex_unlock(&dur.mu);
	rc = durable_sync();
	atomic_fetch_add(&dur.syncs, 1);
	pthread_mutex_lock(&dur.mu);
	if (rc == -1) {
		dur.fails[dur.nfails % DURABLE_FAILS] =
		    (struct durable_fail){ from, to };
		dur.nfails++;
		atomic_fetch_add(&dur.sync_failures, 1);
	}
	dur.synced = to;
	durable_wake_all();
}

static void *
durable_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&dur.mu);
	for (;;) {
		bool grouped = dur.synced != dur.committed;

		while (!dur.stop && !grouped && !dur.ckpt_wanted) {
			pthread_cond_wait(&dur.work, &dur.mu);
			grouped = dur.synced != dur.committed;
		}
		if (grouped)
			durable_sync_committed();
		else if (dur.stop)
			break;	/* stopping, and nothing is left */
		dur.ckpt_wanted = false;
		pthread_mutex_unlock(&dur.mu);
		durable_checkpoint(grouped);
		pthread_mutex_lock(&dur.mu);
	}
	pthread_mutex_unlock(&dur.mu);
	return NULL;
}

/*
 * Start the syncer on the database at path (before the workers open
 * theirs with DB_GROUP). 0, or -1 with *err (caller frees).
 */
int
durable_start(const char *path, char **err)
{
	if ((dur.db = db_open(path, 0, err)) == NULL)
		return -1;
	if (durable_wal() == NULL) {
		db_close(dur.db);
		dur.db = NULL;
		*err = xasprintf("%s: its write-ahead log cannot be reached",
		    path);
		return -1;
	}
	dur.stop = false;
	if (pthread_create(&dur.thread, NULL, durable_main, NULL) != 0) {
		db_close(dur.db);
		dur.db = NULL;
		*err = xasprintf("cannot start the syncer thread");
		return -1;
	}
	pthread_mutex_lock(&dur.mu);
	dur.running = true;
	pthread_mutex_unlock(&dur.mu);
	return 0;
}

/* After the workers: every ticket handed out is decided first. */
void
durable_stop(void)
{
	if (!dur.running)
		return;
	pthread_mutex_lock(&dur.mu);
	dur.stop = true;
	pthread_cond_signal(&dur.work);
	pthread_mutex_unlock(&dur.mu);
	pthread_join(dur.thread, NULL);
	db_close(dur.db);
	dur.db = NULL;
	dur.wal = NULL;
	pthread_mutex_lock(&dur.mu);
	dur.running = false;
	dur.nwakers = 0;
	pthread_cond_broadcast(&dur.decided);
	pthread_mutex_unlock(&dur.mu);
}

/*
 * fn(arg) is called on the syncer thread after every sync (it must only
 * wake its owner, e.g. event_active; it runs with the syncer's lock held).
 */
void
durable_on_sync(void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&dur.mu);
	if (dur.nwakers == DURABLE_WAKERS)
		fatal("durable_on_sync: too many wakers");
	dur.wakers[dur.nwakers].fn = fn;
	dur.wakers[dur.nwakers].arg = arg;
	dur.nwakers++;
	pthread_mutex_unlock(&dur.mu);
}

/* fn(arg) is no longer called (its owner is going). */
void
durable_off_sync(void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&dur.mu);
	for (int i = 0; i < dur.nwakers; i++)
		if (dur.wakers[i].fn == fn && dur.wakers[i].arg == arg) {
			dur.wakers[i] = dur.wakers[--dur.nwakers];
			break;
		}
	pthread_mutex_unlock(&dur.mu);
}

/* A grouped connection committed: its ticket (db_commit). */
uint64_t
durable_noted(void)
{
	uint64_t t;

	pthread_mutex_lock(&dur.mu);
	t = ++dur.committed;
	pthread_cond_signal(&dur.work);
	pthread_mutex_unlock(&dur.mu);
	atomic_fetch_add(&dur.commits, 1);
	return t;
}

/* The last ticket handed out: what a reader may have seen. */
uint64_t
durable_head(void)
{
	uint64_t t;

	pthread_mutex_lock(&dur.mu);
	t = dur.committed;
	pthread_mutex_unlock(&dur.mu);
	return t;
}

/*
 * Is ticket t on disk? 1 yes (0 is always), 0 not yet, -1 its sync failed
 * (or it is too old to tell, after more failures than are remembered).
 */
int
durable_status(uint64_t t)
{
	int rc = 1;

	if (t == 0)
		return 1;
	pthread_mutex_lock(&dur.mu);
	if (t > dur.synced)
		rc = 0;
	else {
		unsigned kept = dur.nfails < DURABLE_FAILS ? dur.nfails :
		    DURABLE_FAILS;

		for (unsigned i = 0; i < kept; i++) {
			const struct durable_fail *f = &dur.fails[i];

			if (t >= f->from && t <= f->to)
				rc = -1;
		}
		/* Older than every failure remembered, after a full ring. */
		if (dur.nfails > DURABLE_FAILS && rc == 1) {
			uint64_t oldest = UINT64_MAX;

			for (unsigned i = 0; i < DURABLE_FAILS; i++)
				if (dur.fails[i].from < oldest)
					oldest = dur.fails[i].from;
			if (t < oldest)
				rc = -1;
		}
	}
	pthread_mutex_unlock(&dur.mu);
	return rc;
}

/* Block until ticket t is decided: durable_status() but never 0. */
int
durable_wait(uint64_t t)
{
	int rc;

	pthread_mutex_lock(&dur.mu);
	while (t > dur.synced && dur.running)
		pthread_cond_wait(&dur.decided, &dur.mu);
	pthread_mutex_unlock(&dur.mu);
	rc = durable_status(t);
	return rc == 0 ? -1 : rc;	/* the syncer is gone: not durable */
}

/* For /metrics. */
void
durable_counts(struct durable_counts *c)
{
	c->commits = atomic_load(&dur.commits);
	c->syncs = atomic_load(&dur.syncs);
	c->sync_failures = atomic_load(&dur.sync_failures);
	c->checkpoints = atomic_load(&dur.checkpoints);
	c->wal_frames = atomic_load(&dur.wal_frames);
}
