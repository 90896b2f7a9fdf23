/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The SQLite connection: one per worker thread and one per meentctl run.
 *
 * Every connection runs in WAL mode with synchronous=FULL (a write answered
 * with 2xx survives a crash or a power loss), foreign keys on, and a busy
 * timeout long enough that no client sees SQLITE_BUSY: writers queue on
 * BEGIN IMMEDIATE instead of failing half-way through a transaction. The
 * HTTP workers' connections (DB_GROUP) commit with synchronous=NORMAL
 * instead and take a ticket that the syncer makes durable (durable.c,
 * group commit): their requests are answered once it is.
 *
 * A transaction may carry hooks (db_set_hooks): one after BEGIN, one just
 * before COMMIT, in the transaction. Federation signs what a write changed
 * into its feed there, so the item, its index rows and its feed entry are
 * one commit.
 *
 * Statements are prepared once per connection and kept in a cache keyed by
 * the SQL text's address: SQL in meent is a literal, so the address
 * identifies the statement and no hashing is needed. The few statements
 * assembled at run time (list filters) have a small LRU cache by text.
 *
 * A read that a client can make expensive (a search) runs under a deadline
 * (db_deadline_set): SQLite's progress handler, called every few hundred
 * VM steps, stops the statement with SQLITE_INTERRUPT once the time (or,
 * for tests, a number of VM steps) is spent.
 *
 * A failure of the storage is remembered (db_failure()) until
 * db_failure_clear(), so that the reply can say what kind it was (busy,
 * disk full, an I/O error) and federation can tell it from a bad entry:
 * SQLite's error log (db_init) notes it for the thread whose statement
 * failed, and errors seen here are noted for the connection.
 * SQLite may roll a transaction back by itself after an I/O error or a
 * full disk; a statement of a transaction that is gone is then refused
 * rather than run on its own, and its COMMIT fails.
 *
 * Reads go through db_step_row() (db.h: how a read answers "not found",
 * "nothing" and "failed", three different things).
 */
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Statements from literals, never evicted: an open-addressed table keyed
 * by the literal's address, at most three quarters full (every query the
 * program has, with room to grow).
 */
#define DB_FIXED	2048
#define DB_DYNAMIC	64	/* statements built at run time: LRU */
#define DB_BATCHES_KEPT	8	/* outcomes of the last batches */
#define DB_BEFORE_MAX	4	/* db_before_commit()s of a transaction */
#define DB_WAL_OWN_FRAMES 16384	/* db_wal_hook_other: 64 MiB of 4 KiB pages */
/*
 * What a WAL file keeps when it starts over (journal_size_limit): SQLite
 * truncates it to this at the first commit after a restart. Below the
 * length the applier lets it reach (DB_WAL_OWN_FRAMES frames of 4 KiB
 * pages and their 24-byte headers, plus the page of entries it commits
 * then: up to 95 MB seen, 28 MB past the mark), every restart cut the
 * file back and the next round extended it again: blocks allocated anew
 * and their pages zeroed by the kernel, a tenth of the applier's time in
 * the initial sync.
 */
#define DB_WAL_KEEP	134217728	/* 128 MiB */
_Static_assert(DB_WAL_KEEP >= DB_WAL_OWN_FRAMES * (4096 + 24) + (32 << 20),
    "DB_WAL_KEEP below what the applier lets the WAL reach");

struct db_cached {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3		*h;
	struct db_cached fixed[DB_FIXED];
	size_t		 nfixed;
	struct db_cached dynamic[DB_DYNAMIC];	/* oldest first; sql owned */
	size_t		 ndynamic;
	int		 data_version;	/* last seen; 0 before the first */
	int		 depth;		/* nested db_begin()s: savepoints */
	bool		 flat;		/* db_flat(): no savepoints */
	bool		 doomed;	/* a flat nested one rolled back */
	/* The deadline armed by db_deadline_set(). */
	double		 deadline;	/* clock_ms() */
	long		 steps_left;	/* VM steps; unlimited when not > 0 */
	int		 every;		/* VM steps between checks */
	bool		 expired;
	int		 failure;	/* the first storage error, or 0 */
	bool		 stale;		/* to be reopened (db_recover) */
	char		*path;
	int		 flags;		/* db_open()'s DB_*, but DB_CREATE */
	uint64_t	 ticket;	/* of the last grouped commit */
	bool		 writing;	/* holds db_writer */
	double		 writing_since;	/* clock_ms() when it took it */
	bool		 batch;		/* a batch's transaction is open */
	bool		 batch_paused;	/* db_batch_leave: no batch until resumed */
	double		 batch_since;	/* clock_ms() when it opened */
	struct {
		uint64_t	 id, ticket;
		bool		 ok;
	}		 batch_done[DB_BATCHES_KEPT];	/* the last outcomes */
	uint64_t	 batch_id;	/* of the last batch opened */
	const struct db_hooks *hooks;
	void		*hooks_arg;
	bool		 in_hook;
	/* db_before_commit(): this transaction's, run once before COMMIT. */
	int		(*before[DB_BEFORE_MAX])(struct db *);
	int		 nbefore;
};

#define DB_PROGRESS_STEPS	500		/* VM steps between deadline checks */
#define DB_CHUNK_BYTES		(1 << 20)	/* the file grows by this */

static _Atomic unsigned long db_error_count;
/*
 * One writer at a time in this process, queued on a mutex: SQLite's busy
 * handler, which two workers would otherwise meet on BEGIN IMMEDIATE,
 * sleeps 1 to 100 ms between tries and is not fair (16 writers saw a p99
 * of 1.8 s). Other processes (meentctl) still meet the busy handler.
 */
static pthread_mutex_t db_writer = PTHREAD_MUTEX_INITIALIZER;
#define DB_WRITER_WAIT_SECONDS	15	/* as the busy timeout */
#define DB_WRITER_SLOW_MS	1000.0
static _Thread_local int db_thread_failure;

/* Errors of the storage, not of a statement (constraints, SQL, FTS5). */
static bool
db_storage_error(int code)
{
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_NOMEM:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_PROTOCOL:
	case SQLITE_NOTADB:
		return true;
	default:
		return false;
	}
}

/* SQLite's error log: every statement that fails, on its thread. */
static void
db_log_cb(void *arg, int code, const char *msg)
{
	(void)arg;
	(void)msg;
	if (db_thread_failure == 0 && db_storage_error(code))
		db_thread_failure = code;
}

/*
 * Before SQLite's first use (it must come before sqlite3_initialize): note
 * failed statements through its error log.
 */
void
db_init(void)
{
	sqlite3_config(SQLITE_CONFIG_LOG, db_log_cb, NULL);
	/*
	 * No memory statistics: with them every allocation of every
	 * connection takes one process-wide mutex (the applier and both
	 * workers allocate in step); nothing here reads them.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Remember the connection's error: the first one since the last clear. */
static void
db_failed(struct db *db)
{
	int code = sqlite3_extended_errcode(db->h);

	if (db->failure == 0 && db_storage_error(code))
		db->failure = code;
}

/* The transaction SQLite rolled back by itself (I/O error, full disk). */
static bool
db_lost(struct db *db)
{
	return db->depth > 0 && sqlite3_get_autocommit(db->h);
}

static int
db_pragmas(sqlite3 *h, int flags, char **err)
{
	/* Synced by durable.c; checkpointed there too, never in a request. */
	static const char *const group = "PRAGMA synchronous=NORMAL;"
	    "PRAGMA wal_autocheckpoint=0;";
	static const char *const rw =
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA temp_store=MEMORY;"
	    "PRAGMA journal_size_limit=" stringify(DB_WAL_KEEP) ";"
	    "PRAGMA cache_size=-32768;";
	static const char *const ro = "PRAGMA foreign_keys=ON;";
	/*
	 * Reads by mmap only for DB_MAPPED (meentctl, one connection):
	 * SQLite unmaps a connection's whole mapping when it begins a
	 * transaction after another connection's commit (in
	 * pagerBeginReadTransaction). In meentd, with two workers taking
	 * turns at the writer lock, that was every batch: munmap, a TLB
	 * shootdown on both cores and a page fault for each page read
	 * again, a fifth of a write's CPU. Its connections read through
	 * their page cache (reset then too) and pread().
	 */
	static const char *const mapped = "PRAGMA mmap_size=1073741824;";
	char *msg = NULL;

	if (sqlite3_exec(h, (flags & DB_READONLY) ? ro : rw, NULL, NULL,
	    &msg) != SQLITE_OK || ((flags & DB_GROUP) && sqlite3_exec(h, group,
	    NULL, NULL, &msg) != SQLITE_OK) || ((flags & DB_MAPPED) &&
	    sqlite3_exec(h, mapped, NULL, NULL, &msg) != SQLITE_OK)) {
		*err = xasprintf("%s", msg != NULL ? msg : "pragma failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * A grouped connection committed (a transaction, or a statement on its
 * own): its ticket, and the WAL's length for the syncer's checkpoint. The
 * WAL hook comes after every commit that wrote, with the write lock
 * already released (it also replaces the automatic checkpoint).
 */
static int
db_wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	struct db *db = arg;

	(void)h;
	(void)name;
	db->ticket = durable_noted();
	durable_wal_frames(frames);
	return SQLITE_OK;
}

/*
 * Any other connection of meentd (the federation's applier, the signer,
 * the notifier): the WAL's length for the syncer, which copies the pages
 * back on its own thread, so that the writer does not (the applier spent
 * an eighth of its time in checkpoints). Past DB_WAL_OWN_FRAMES the
 * connection checkpoints itself, as SQLite's automatic checkpoint would:
 * most pages are copied by then, and the writer's next transaction starts
 * the WAL over, which the syncer cannot make happen for a writer that
 * holds the lock for long.
 */
static int
db_wal_hook_other(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)arg;
	durable_wal_frames(frames);
	if (frames >= DB_WAL_OWN_FRAMES)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	return SQLITE_OK;
}

/* The hooks a connection of db needs (after each connect). */
static void
db_connected(struct db *db)
{
	if (db->flags & DB_GROUP)
		sqlite3_wal_hook(db->h, db_wal_hook, db);
	else if (!(db->flags & DB_READONLY) && durable_running())
		sqlite3_wal_hook(db->h, db_wal_hook_other, db);
}

/* A connection to path, set up; NULL and *err (caller frees) on failure. */
static sqlite3 *
db_connect(const char *path, int flags, char **err)
{
	sqlite3 *h = NULL;
	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

	if (flags & DB_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE;
	if (flags & DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &h, oflags, NULL) != SQLITE_OK) {
		*err = xasprintf("%s: %s", path, h != NULL ?
		    sqlite3_errmsg(h) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(h, 15000);
	sqlite3_extended_result_codes(h, 1);
	/*
	 * The file grows a MiB at a time, not a page at a time: fewer
	 * extensions, and less fragmented on disk.
	 */
	if (!(flags & DB_READONLY)) {
		int chunk = DB_CHUNK_BYTES;

		sqlite3_file_control(h, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
	}
	if (db_pragmas(h, flags, err) == -1)
		goto fail;
	if (fts_register(h) != SQLITE_OK) {
		*err = xasprintf("%s: cannot register the search tokenizer",
		    path);
		goto fail;
	}
	return h;
fail:
	sqlite3_close_v2(h);
	return NULL;
}

/*
 * Open the database at path. DB_CREATE makes it if missing (only meentctl
 * init does); without it a missing file is an error. Returns NULL and *err
 * (caller frees) on failure.
 */
struct db *
db_open(const char *path, int flags, char **err)
{
	struct db *db = xcalloc(1, sizeof *db);

	db->path = xstrdup(path);
	db->flags = flags & ~DB_CREATE;
	if ((db->h = db_connect(path, flags, err)) == NULL) {
		db_close(db);
		return NULL;
	}
	db_connected(db);
	return db;
}

/* The cached statements go (with their connection). */
static void
db_forget(struct db *db)
{
	for (size_t i = 0; i < DB_FIXED; i++) {
		if (db->fixed[i].sql != NULL)
			sqlite3_finalize(db->fixed[i].stmt);
		db->fixed[i].sql = NULL;
	}
	for (size_t i = 0; i < db->ndynamic; i++) {
		sqlite3_finalize(db->dynamic[i].stmt);
		free((char *)db->dynamic[i].sql);
	}
	db->nfixed = db->ndynamic = 0;
}

/* NULL is fine. */
void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	db_forget(db);
	sqlite3_close_v2(db->h);
	free(db->path);
	free(db);
}

/*
 * After a failure of the storage, a fresh connection. SQLite rolls a
 * transaction back by itself after an I/O error, and when that happens
 * inside a virtual table's update, FTS5 keeps state of the failed
 * transaction (its row totals) and writes it with the next one: the search
 * index no longer matches (SQLite 3.40; t_faults finds it). A new
 * connection starts clean. Call it between requests, when no statement of
 * db is in use and no transaction is open; the statements are prepared
 * again as they are asked for. Returns 0, or -1 (logged) when no new
 * connection could be made: the old one stays, to be replaced next time.
 */
int
db_recover(struct db *db)
{
	sqlite3 *h;
	char *err = NULL;

	if (!db->stale && db_failure(db) == 0)
		return 0;
	if (db->depth > 0 || db->batch || !sqlite3_get_autocommit(db->h))
		return -1;
	db->stale = true;
	if ((h = db_connect(db->path, db->flags, &err)) == NULL) {
		log_emit(LOG_ERROR, "db.recover", "no new connection: %s", err);
		free(err);
		return -1;
	}
	db_forget(db);
	sqlite3_close_v2(db->h);
	db->h = h;
	db_connected(db);
	db->data_version = -1;	/* anything may have changed meanwhile */
	db->failure = db_thread_failure = 0;
	db->stale = false;
	log_emit(LOG_INFO, "db.recover", "a new connection after a failure "
	    "of the storage");
	return 0;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->h;
}

/* Count and log a database error; the message names no user data. */
void
db_error(struct db *db, const char *what)
{
	atomic_fetch_add(&db_error_count, 1);
	db_failed(db);
	log_emit(LOG_ERROR, "db.error", "%s: %s (%d)", what,
	    sqlite3_errmsg(db->h), sqlite3_extended_errcode(db->h));
}

unsigned long
db_errors(void)
{
	return atomic_load(&db_error_count);
}

/*
 * The first failure of the storage since db_failure_clear(), on this
 * connection or in a statement of this thread: an SQLite extended result
 * code (SQLITE_BUSY, SQLITE_FULL, SQLITE_IOERR_READ, ...), or 0.
 */
int
db_failure(struct db *db)
{
	return db->failure != 0 ? db->failure : db_thread_failure;
}

/* Forget the failure; the connection is still renewed (db_recover). */
void
db_failure_clear(struct db *db)
{
	if (db_failure(db) != 0)
		db->stale = true;
	db->failure = 0;
	db_thread_failure = 0;
}

static sqlite3_stmt *
db_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		/* Stopped by a deadline (a virtual table's setup): no bug. */
		if (!db->expired)
			db_error(db, "prepare");
		return NULL;
	}
	return st;
}

/*
 * The prepared statement for sql, reset and with bindings cleared. sql must
 * be a string literal (its address is the cache key). The statement is owned
 * by the connection: do not finalize it. NULL on a prepare error (a bug).
 */
sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	uint64_t h = (uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 40) & (DB_FIXED - 1);
	sqlite3_stmt *st;

	for (; db->fixed[i].sql != NULL; i = (i + 1) & (DB_FIXED - 1)) {
		if (db->fixed[i].sql == sql) {
			st = db->fixed[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (db->nfixed >= DB_FIXED / 4 * 3)
		fatal("more than %d SQL literals: raise DB_FIXED",
		    DB_FIXED / 4 * 3);
	if ((st = db_prepare(db, sql)) == NULL)
		return NULL;
	db->fixed[i].sql = sql;
	db->fixed[i].stmt = st;
	db->nfixed++;
	return st;
}

/*
 * The same for SQL assembled at run time from fixed fragments (a list's
 * active filters; values always go in as bound parameters). Cached by its
 * text, least recently used evicted: step a statement to its end before
 * asking for DB_DYNAMIC other ones.
 */
sqlite3_stmt *
db_stmt_text(struct db *db, const char *sql)
{
	struct db_cached hit;
	size_t i;

	for (i = 0; i < db->ndynamic; i++)
		if (strcmp(db->dynamic[i].sql, sql) == 0)
			break;
	if (i < db->ndynamic) {
		hit = db->dynamic[i];
		sqlite3_reset(hit.stmt);
		sqlite3_clear_bindings(hit.stmt);
	} else {
		hit.stmt = db_prepare(db, sql);
		if (hit.stmt == NULL)
			return NULL;
		hit.sql = xstrdup(sql);
		if (db->ndynamic == DB_DYNAMIC) {
			sqlite3_finalize(db->dynamic[0].stmt);
			free((char *)db->dynamic[0].sql);
			i = 0;
		} else
			i = db->ndynamic++;
	}
	/* Move to the newest end. */
	memmove(&db->dynamic[i], &db->dynamic[i + 1],
	    (db->ndynamic - i - 1) * sizeof db->dynamic[0]);
	db->dynamic[db->ndynamic - 1] = hit;
	return hit.stmt;
}

static int
db_progress_cb(void *arg)
{
	struct db *db = arg;

	if (db->steps_left > 0 && (db->steps_left -= db->every) <= 0)
		db->expired = true;
	if (clock_ms() >= db->deadline)
		db->expired = true;
	return db->expired;
}

/*
 * Arm a deadline on db: from now until db_deadline_clear(), a statement
 * still running ms milliseconds from now, or after about steps VM steps
 * (0: no step budget; tests use it to interrupt without depending on time),
 * stops and returns SQLITE_INTERRUPT from sqlite3_step(), and every later
 * step does the same at once; a prepare (an FTS5 table's setup runs SQL)
 * fails the same way, with db_stmt*() returning NULL unlogged. Meant for
 * reads: an interrupted write rolls back its whole transaction.
 */
void
db_deadline_set(struct db *db, long ms, long steps)
{
	db->deadline = clock_ms() + (double)ms;
	db->steps_left = steps;
	db->every = steps > 0 && steps < DB_PROGRESS_STEPS ? (int)steps :
	    DB_PROGRESS_STEPS;
	db->expired = false;
	sqlite3_progress_handler(db->h, db->every, db_progress_cb, db);
}

void
db_deadline_clear(struct db *db)
{
	sqlite3_progress_handler(db->h, 0, NULL, NULL);
	db->expired = false;
}

/* Has the armed deadline passed (and interrupted a statement)? */
bool
db_deadline_expired(struct db *db)
{
	return db->expired;
}

/* A statement of db_exec or db_control failed: counted, noted, logged. */
static void
db_exec_failed(struct db *db, const char *what, const char *msg)
{
	atomic_fetch_add(&db_error_count, 1);
	db_failed(db);
	log_emit(LOG_ERROR, "db.error", "%s: %s", what, msg != NULL ? msg :
	    "?");
}

/* Run one or more statements without results (schema, pragmas). */
int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		db_exec_failed(db, "exec", msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * A transaction's control statement (BEGIN, SAVEPOINT, RELEASE, COMMIT),
 * prepared once per connection: sqlite3_exec() would parse it again each
 * time, and the federation's applier runs two of them for every entry.
 * sql must be a literal (db_stmt). 0, or -1 (logged, as db_exec).
 */
static int
db_control(struct db *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		db_exec_failed(db, sql, sqlite3_errmsg(db->h));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Take this process's writer lock within ms; 0, or -1 (not logged). */
static int
db_writer_take_within(struct db *db, long ms)
{
	struct timespec until;

	clock_deadline(&until, ms);
	if (pthread_mutex_timedlock(&db_writer, &until) != 0)
		return -1;
	db->writing = true;
	db->writing_since = clock_ms();
	return 0;
}

/* Take this process's writer lock (at most the busy timeout). */
static int
db_writer_take(struct db *db)
{
	if (db_writer_take_within(db, DB_WRITER_WAIT_SECONDS * 1000L) == -1) {
		atomic_fetch_add(&db_error_count, 1);
		if (db->failure == 0)
			db->failure = SQLITE_BUSY;
		log_emit(LOG_ERROR, "db.error", "begin: another writer of this "
		    "process held the database too long");
		return -1;
	}
	return 0;
}

static void
db_writer_give(struct db *db)
{
	double held;

	if (!db->writing)
		return;
	db->writing = false;
	pthread_mutex_unlock(&db_writer);
	/* Every other writer of the process waited meanwhile: say so. */
	if ((held = clock_ms() - db->writing_since) >= DB_WRITER_SLOW_MS)
		log_emit(LOG_WARN, "db.slow", "a transaction held the writer "
		    "lock for %.0f ms%s", held, db->flags & DB_BATCH ?
		    " (a worker's batch)" : "");
}

/*
 * A PASSIVE checkpoint (it never waits for a reader) that also lets the
 * WAL start over. SQLite reuses a WAL from its start only when a writer
 * begins and finds every frame copied back; under steady writes a commit
 * always lands between a checkpoint's end and the next writer's begin, and
 * the WAL then grows without end (136 MB after 40,000 pilot writes). So the
 * bulk is copied without the writer lock (writers go on meanwhile), and
 * what they added since is copied holding it, if it can be had within
 * wait_ms: the next writer of this process then begins on a WAL copied to
 * its end and restarts it. (A writer that holds the lock long, the
 * federation's applier with a page, restarts it itself: db_wal_hook_other.)
 * A reader on an older snapshot can still hold frames back; the next
 * checkpoint tries again. *frames: the frames the WAL holds after. 0 or -1.
 */
int
db_checkpoint(struct db *db, long wait_ms, int *frames)
{
	int log = 0, copied = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(db->h, "main",
	    SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
	if (rc == SQLITE_OK && db_writer_take_within(db, wait_ms) == 0) {
		rc = sqlite3_wal_checkpoint_v2(db->h, "main",
		    SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
		db_writer_give(db);
	}
	*frames = log;
	if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
		log_emit(LOG_WARN, "db.checkpoint", "checkpoint failed (%d)",
		    rc);
		return -1;
	}
	return 0;
}

static int db_open_tx(struct db *);

/* Run a transaction hook, once: not from inside a hook. */
static int
db_hook(struct db *db, int (*fn)(struct db *, void *))
{
	int rc;

	if (fn == NULL || db->in_hook)
		return 0;
	db->in_hook = true;
	rc = fn(db, db->hooks_arg);
	db->in_hook = false;
	return rc;
}

/*
 * BEGIN IMMEDIATE: take the write lock now, waiting up to the busy timeout.
 * Inside a transaction, a begin is a savepoint instead: a store function
 * that owns its transaction can then run inside a larger one (federation
 * applies a page of entries, each in a savepoint, in one transaction), and
 * its rollback undoes only its own part.
 */
int
db_begin(struct db *db)
{
	if (db_lost(db))
		return -1;	/* a SAVEPOINT now would begin anew */
	if (db->depth == 0) {
		if (db_open_tx(db) == -1)
			return -1;
		if (!db->batch)
			return 0;
	}
	/* In a batch, the caller's transaction is a savepoint in it. */
	if (!db->flat && db_control(db, "SAVEPOINT nested") == -1)
		return -1;
	db->depth++;
	return 0;
}

/*
 * Flat (on) or not: whether a db_begin() inside the open transaction makes
 * a savepoint. A savepoint copies each page before its first change in it
 * (a federation page of 500 entries, each in its own, spent a twentieth of
 * the applying thread's instructions so). Flat, a nested db_rollback()
 * cannot undo its part: it dooms the transaction instead, every
 * db_commit() in it fails, and the caller rolls it all back and does it
 * again, not flat, when it wants the parts that succeed. Off again, and
 * the doom gone, when the outermost transaction ends (either way).
 */
void
db_flat(struct db *db, bool on)
{
	db->flat = on;
}

/* Did a nested part of this flat transaction fail (db_flat())? */
bool
db_doomed(struct db *db)
{
	return db->doomed;
}

/* The outermost transaction: the writer lock, BEGIN IMMEDIATE, its hook. */
static int
db_open_tx(struct db *db)
{
	if (db_writer_take(db) == -1)
		return -1;
	if (db_control(db, "BEGIN IMMEDIATE") == -1) {
		db_writer_give(db);
		return -1;
	}
	db->depth = 1;
	if (db_hook(db, db->hooks != NULL ? db->hooks->begin : NULL) == -1) {
		db_rollback(db);
		return -1;
	}
	if ((db->flags & DB_BATCH) && !db->batch_paused) {
		db->batch = true;
		db->batch_id++;
		db->batch_since = clock_ms();
	}
	return 0;
}

/*
 * Join the round's batch, opening it if need be: before a handler that
 * may write, so that even a statement it runs outside db_begin() waits
 * for the writer lock in turn rather than in SQLite's busy handler (which
 * a run of batches on the other worker could starve). 0, or -1.
 */
int
db_batch_join(struct db *db)
{
	if (!(db->flags & DB_BATCH) || db->batch || db->batch_paused)
		return db_lost(db) ? -1 : 0;
	return db_open_tx(db);
}

/*
 * Commit the open batch now, wait until what it wrote is on disk, and open
 * no batch until db_batch_resume(): for a caller that takes a lock of its
 * own around a transaction (attachment files), which must come before the
 * writer lock, never inside it. 0, or -1 when the batch could not be
 * committed or synced (its requests learn it: db_batch_outcome). Blocks
 * the worker for one sync.
 */
int
db_batch_leave(struct db *db)
{
	uint64_t before = db->ticket;

	if (!(db->flags & DB_BATCH))
		return 0;
	db->batch_paused = true;
	if (db_batch_commit(db) == -1)
		return -1;
	/* Nothing written: nothing of the batch to wait for. */
	if (db->ticket == before)
		return 0;
	return durable_wait(db->ticket) == 1 ? 0 : -1;
}

void
db_batch_resume(struct db *db)
{
	db->batch_paused = false;
}

/*
 * What became of batch id: 1 committed (*ticket: its commit's, for
 * durable_status), -1 failed, 0 still open, -2 too old to tell.
 */
int
db_batch_outcome(struct db *db, uint64_t id, uint64_t *ticket)
{
	for (int i = 0; i < DB_BATCHES_KEPT; i++)
		if (db->batch_done[i].id == id) {
			*ticket = db->batch_done[i].ticket;
			return db->batch_done[i].ok ? 1 : -1;
		}
	/* Open still; or forgotten (-2), which no waiter may take for a success. */
	return db->batch && id == db->batch_id ? 0 : -2;
}

/*
 * Batching (DB_BATCH, the workers' connections): the first db_begin() of a
 * round of the worker's loop opens one transaction for every write of the
 * round; each request's own transaction is a savepoint in it, so a request
 * that fails undoes only its own part, and db_batch_commit() at the end of
 * the round commits them all at once: one WAL append of the pages they
 * share, one ticket, one sync (http/park.c holds their answers until then).
 * A statement outside a transaction joins the open batch too.
 */
bool
db_batch_open(struct db *db)
{
	return db->batch;
}

uint64_t
db_batch_id(struct db *db)
{
	return db->batch_id;
}

/* How long the open batch has held the writer lock (ms; 0: none open). */
double
db_batch_age(struct db *db)
{
	return db->batch ? clock_ms() - db->batch_since : 0.0;
}

/*
 * Commit the open batch: 0, or -1 (then none of its writes is kept). Its
 * outcome is kept for db_batch_outcome().
 */
int
db_batch_commit(struct db *db)
{
	int rc, slot = (int)(db->batch_id % DB_BATCHES_KEPT);

	if (!db->batch)
		return 0;
	db->batch = false;
	if (db->depth > 1) {
		log_emit(LOG_ERROR, "db.error", "a transaction was left open; "
		    "it is rolled back");
		while (db->depth > 1)
			db_rollback(db);
	}
	rc = db_commit(db);
	db->batch_done[slot].id = db->batch_id;
	db->batch_done[slot].ticket = db->ticket;
	db->batch_done[slot].ok = rc == 0;
	return rc;
}

/* Rows changed on this connection so far: did a request write? */
long long
db_changes(struct db *db)
{
	return (long long)sqlite3_total_changes64(db->h);
}

/*
 * Hooks of every transaction on db (NULL: none): begin(db, arg) after
 * BEGIN, precommit(db, arg) before COMMIT, both inside the transaction;
 * either returning -1 rolls it back. They may use db_begin/db_commit
 * (savepoints) but are not called again from inside themselves.
 */
void
db_set_hooks(struct db *db, const struct db_hooks *hooks, void *arg)
{
	db->hooks = hooks;
	db->hooks_arg = arg;
}

/*
 * The ticket of this connection's last commit (durable.c): 0 for a
 * connection that is not grouped (its commits are durable when they
 * return).
 */
uint64_t
db_ticket(struct db *db)
{
	return db->ticket;
}

/*
 * Run fn(db) once just before the open transaction commits, inside it
 * (after its savepoints are released, before the hooks' precommit): for
 * work a store function defers to the end of a worker's batch (pilot
 * store's search rows). Asked again, fn is still run once. A savepoint
 * rolled back does not take fn back; fn finds what is left. 0, or -1
 * outside a transaction or when too many are asked for.
 */
int
db_before_commit(struct db *db, int (*fn)(struct db *))
{
	if (db->depth == 0)
		return -1;
	for (int i = 0; i < db->nbefore; i++)
		if (db->before[i] == fn)
			return 0;
	if (db->nbefore == DB_BEFORE_MAX)
		return -1;
	db->before[db->nbefore++] = fn;
	return 0;
}

/* The transaction's db_before_commit()s, in the order asked; 0 or -1. */
static int
db_before_run(struct db *db)
{
	int n = db->nbefore;

	db->nbefore = 0;	/* run once, even if one fails */
	for (int i = 0; i < n; i++)
		if (db->before[i](db) == -1)
			return -1;
	return 0;
}

int
db_commit(struct db *db)
{
	if (db->doomed) {
		if (db->depth == 1)
			db_rollback(db);	/* as a failed COMMIT does */
		return -1;
	}
	if (db_lost(db)) {
		log_emit(LOG_ERROR, "db.error", "commit: the transaction was "
		    "rolled back after an error");
		if (db->depth == 1)
			db_rollback(db);	/* as a failed COMMIT does */
		return -1;
	}
	if (db->depth > 1) {
		if (!db->flat && db_control(db, "RELEASE nested") == -1)
			return -1;	/* the caller rolls back */
		db->depth--;
		return 0;
	}
	if (db_before_run(db) == -1 || db_hook(db, db->hooks != NULL ?
	    db->hooks->precommit : NULL) == -1 || db->doomed ||
	    db_control(db, "COMMIT") == -1) {
		db_rollback(db);
		return -1;
	}
	db->depth = 0;
	db->flat = false;
	db_writer_give(db);
	return 0;
}

void
db_rollback(struct db *db)
{
	if (db->depth > 1) {
		db->depth--;
		if (db->flat)
			db->doomed = true;	/* its part stays: none commits */
		else
			sqlite3_exec(db->h, "ROLLBACK TO nested; RELEASE nested",
			    NULL, NULL, NULL);
		return;
	}
	db->depth = 0;
	db->nbefore = 0;
	db->flat = false;
	db->doomed = false;
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db_writer_give(db);
}

/*
 * Step a statement that returns no rows; 0 or -1 (logged). Inside a
 * transaction SQLite has rolled back, the statement is not run.
 */
int
db_step_done(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc;

	if (db_lost(db)) {
		log_emit(LOG_ERROR, "db.error", "%s: the transaction was "
		    "rolled back after an error", what);
		return -1;
	}
	rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_error(db, what);
		return -1;
	}
	return 0;
}

/*
 * Step a statement that returns rows: 1 with a row (read its columns, then
 * step again), 0 at its end, -1 on an error. At the end and on an error the
 * statement is reset; a caller that stops at a row resets it itself. An
 * error is logged and counted (db_error), except a statement stopped by the
 * armed deadline (db_deadline_expired() tells that apart). Inside a
 * transaction SQLite has rolled back, the statement is not run: what it
 * read would not be what the transaction wrote.
 *
 * The one way to read rows (db.h): a loop
 *
 *	while ((rc = db_step_row(db, st, "what")) == 1)
 *		...;
 *	if (rc == -1)
 *		... drop what was read, return the error ...
 *
 * ends at the end of the rows or at an error, and says which.
 */
int
db_step_row(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc;

	if (db_lost(db)) {
		log_emit(LOG_ERROR, "db.error", "%s: the transaction was "
		    "rolled back after an error", what);
		atomic_fetch_add(&db_error_count, 1);
		sqlite3_reset(st);
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if ((rc & 0xff) != SQLITE_INTERRUPT || !db->expired)
		db_error(db, what);
	sqlite3_reset(st);
	return -1;
}

/*
 * Does the query sql (with key as ?1, if it has parameters) return a row? For
 * "is there such a thing" checks: 1 yes, 0 no, -1 on a database error
 * (logged).
 */
int
db_exists(struct db *db, const char *sql, const char *key)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return -1;
	/* Bind even a NULL key: a cached statement keeps its last binding. */
	if (sqlite3_bind_parameter_count(st) > 0)
		db_bind_text(st, 1, key);
	rc = db_step_row(db, st, "exists");
	sqlite3_reset(st);
	return rc;
}

/* Bind text that may be NULL. */
int
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* A column as a jansson string, or JSON null. */
json_t *
db_column_json(sqlite3_stmt *st, int i)
{
	const unsigned char *s;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	default:
		s = sqlite3_column_text(st, i);
		return json_stringn((const char *)s,
		    (size_t)sqlite3_column_bytes(st, i));
	}
}

/*
 * Has another connection (another worker, meentctl, a second meentd)
 * committed since the last call? SQLite's data_version changes exactly
 * then; this connection's own commits leave it alone. Response caches use
 * it so that an import by meentctl is seen at once.
 */
bool
db_changed_elsewhere(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA data_version");
	int v;
	bool changed;

	if (st == NULL)
		return true;
	/* A failed read: anything may have changed (and it is logged). */
	v = db_step_row(db, st, "data_version") == 1 ?
	    sqlite3_column_int(st, 0) : -1;
	sqlite3_reset(st);
	changed = db->data_version != 0 && v != db->data_version;
	db->data_version = v;
	return changed;
}
