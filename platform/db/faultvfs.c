/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A fault-injecting SQLite VFS, for tests: compiled in only with
 * ./configure --enable-fault-injection, never in a release build
 * (docs/testing.md, "Fault injection").
 *
 * faultvfs_register() wraps the default VFS and becomes the default itself
 * when the environment names a control file, MEENT_FAULTS=/path. Every
 * file operation passes to the real VFS unless a line of that file says
 * it fails:
 *
 *	KIND [RESULT] [COUNT] [after N] [db|wal|both]
 *
 *	read	xRead fails (SQLITE_IOERR_READ; "read busy": SQLITE_BUSY,
 *		as if a lock a reader needs were held elsewhere); while
 *		the rule is on, xFetch maps no pages, so that reads go
 *		through xRead
 *	write	xWrite fails (SQLITE_IOERR_WRITE; "write full": SQLITE_FULL)
 *	full	the same as "write full": the disk is full
 *	sync	xSync fails (SQLITE_IOERR_FSYNC)
 *	hold	xSync waits while the rule is in force, then goes on (a
 *		slow disk, for as long as a test likes: group commit)
 *	lock	another writer holds the lock: SQLITE_BUSY from the WAL
 *		write lock (xShmLock, target wal) and from xLock at RESERVED
 *		or above (target db; taken only outside WAL mode)
 *
 * COUNT fails that many calls and then lets them pass (no COUNT: every
 * call, until the file changes); "after N" lets the first N matching calls
 * pass first. The target is the main database file, its WAL, or both (the
 * default). Other files (temporary ones) never fail.
 *
 * Cost per call: the file is stat(2)ed at most every FAULTVFS_POLL_NS and
 * read again only when its inode, size or mtime changed (its counts start
 * afresh then); without rules a call costs a clock read and an atomic
 * load. No file: no faults. While a lock (or "read busy") rule is on,
 * the VFS's sleep returns at once, so the busy handler gives up in a moment
 * rather than after the 15 s busy timeout, as if that time had passed.
 *
 * The first failure of each rule is logged ("fault.injected"), so a test
 * can tell that its fault was reached. When the rules change or go, what
 * each one saw is logged ("fault.calls": the matching calls it let pass and
 * those it failed), so a test can count the reads a request makes (a rule
 * like "read 1 after 1000000000" fails none) and aim a fault at any of them.
 */
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FAULTVFS_POLL_NS	2000000LL	/* 2 ms */
#define FAULTVFS_RULES		16
#define FAULTVFS_FILE_MAX	4096

enum faultvfs_op { FAULT_READ, FAULT_WRITE, FAULT_SYNC, FAULT_LOCK,
    FAULT_HOLD };

#define FAULT_DB	0x1
#define FAULT_WAL	0x2

static const char *const faultvfs_op_names[] = {
	[FAULT_READ] = "read",
	[FAULT_WRITE] = "write",
	[FAULT_SYNC] = "sync",
	[FAULT_LOCK] = "lock",
	[FAULT_HOLD] = "hold",
};

struct faultvfs_rule {
	enum faultvfs_op op;
	int		 rc;		/* what the call returns */
	int		 targets;	/* FAULT_DB | FAULT_WAL */
	long		 count;		/* failures left; -1: no end */
	long		 skip;		/* calls to let pass first */
	bool		 logged;
	long		 passed, failed;	/* matching calls so far */
};

/* One open file: ours, then the real VFS's (szOsFile bytes) after it. */
struct faultvfs_file {
	sqlite3_file	 base;
	int		 target;	/* FAULT_DB, FAULT_WAL or 0 */
	sqlite3_file	*real;
};

static struct {
	sqlite3_vfs		 vfs;
	sqlite3_vfs		*real;
	char			*path;		/* the control file; owned */
	pthread_mutex_t		 mu;		/* the fields below it */
	_Atomic long long	 checked;	/* CLOCK_MONOTONIC ns of stat */
	_Atomic bool		 active;	/* a rule may still fail */
	bool			 present;
	struct stat		 seen;
	struct faultvfs_rule	 rules[FAULTVFS_RULES];
	int			 nrules;
} fv = { .mu = PTHREAD_MUTEX_INITIALIZER };

static long long
faultvfs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One line into *rule; -1 when it is not one (logged, ignored). */
static int
faultvfs_parse_line(char *line, struct faultvfs_rule *rule)
{
	char *word, *save = NULL;
	int n = 0;
	bool after = false;

	memset(rule, 0, sizeof *rule);
	rule->count = -1;
	rule->targets = FAULT_DB | FAULT_WAL;
	for (word = strtok_r(line, " \t\r", &save); word != NULL;
	    word = strtok_r(NULL, " \t\r", &save), n++) {
		char *end;
		long v;

		if (n == 0) {
			if (strcmp(word, "read") == 0) {
				rule->op = FAULT_READ;
				rule->rc = SQLITE_IOERR_READ;
			} else if (strcmp(word, "write") == 0) {
				rule->op = FAULT_WRITE;
				rule->rc = SQLITE_IOERR_WRITE;
			} else if (strcmp(word, "full") == 0) {
				rule->op = FAULT_WRITE;
				rule->rc = SQLITE_FULL;
			} else if (strcmp(word, "sync") == 0) {
				rule->op = FAULT_SYNC;
				rule->rc = SQLITE_IOERR_FSYNC;
			} else if (strcmp(word, "lock") == 0) {
				rule->op = FAULT_LOCK;
				rule->rc = SQLITE_BUSY;
			} else if (strcmp(word, "hold") == 0) {
				rule->op = FAULT_HOLD;
				rule->rc = SQLITE_OK;
			} else
				return -1;
			continue;
		}
		if (strcmp(word, "ioerr") == 0 && rule->op != FAULT_LOCK)
			continue;	/* the default */
		if (strcmp(word, "full") == 0 && rule->op == FAULT_WRITE)
			rule->rc = SQLITE_FULL;
		else if (strcmp(word, "busy") == 0 && rule->op == FAULT_READ)
			rule->rc = SQLITE_BUSY;
		else if (strcmp(word, "busy") == 0 && rule->op == FAULT_LOCK)
			continue;
		else if (strcmp(word, "after") == 0)
			after = true;
		else if (strcmp(word, "db") == 0)
			rule->targets = FAULT_DB;
		else if (strcmp(word, "wal") == 0)
			rule->targets = FAULT_WAL;
		else if (strcmp(word, "both") == 0)
			rule->targets = FAULT_DB | FAULT_WAL;
		else {
			errno = 0;
			v = strtol(word, &end, 10);
			if (errno != 0 || *end != '\0' || v < 0)
				return -1;
			if (after) {
				rule->skip = v;
				after = false;
			} else
				rule->count = v;
		}
	}
	return n > 0 && !after ? 0 : -1;
}

/* What the rules in force saw, before they go (fv.mu held). */
static void
faultvfs_log_calls(void)
{
	for (int i = 0; i < fv.nrules; i++) {
		const struct faultvfs_rule *rule = &fv.rules[i];

		log_emit(LOG_INFO, "fault.calls", "rule %d (%s %s): %ld "
		    "passed, %ld failed", i + 1, faultvfs_op_names[rule->op],
		    sqlite3_errstr(rule->rc), rule->passed, rule->failed);
	}
}

/* Read the control file's rules (fv.mu held). */
static void
faultvfs_load(void)
{
	char buf[FAULTVFS_FILE_MAX + 1], *line, *save = NULL;
	ssize_t len;
	int fd;

	faultvfs_log_calls();
	fv.nrules = 0;
	if ((fd = open(fv.path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	len = read(fd, buf, FAULTVFS_FILE_MAX);
	close(fd);
	if (len <= 0)
		return;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL &&
	    fv.nrules < FAULTVFS_RULES; line = strtok_r(NULL, "\n", &save)) {
		char copy[256];

		line += strspn(line, " \t");
		if (*line == '#' || *line == '\0')
			continue;
		snprintf(copy, sizeof copy, "%s", line);
		if (faultvfs_parse_line(line, &fv.rules[fv.nrules]) == -1) {
			log_emit(LOG_WARN, "fault.rules", "not a rule: %s",
			    copy);
			continue;
		}
		fv.nrules++;
	}
	log_emit(LOG_INFO, "fault.rules", "%d fault rule(s) from %s",
	    fv.nrules, fv.path);
}

/* Is any rule still to fail? (fv.mu held) */
static void
faultvfs_update_active(void)
{
	bool on = false;

	for (int i = 0; i < fv.nrules && !on; i++)
		on = fv.rules[i].count != 0;
	atomic_store(&fv.active, on);
}

/* Look at the control file if it is time to. */
static void
faultvfs_poll(void)
{
	long long now = faultvfs_now();
	struct stat sb;

	if (now - atomic_load_explicit(&fv.checked, memory_order_relaxed) <
	    FAULTVFS_POLL_NS)
		return;
	pthread_mutex_lock(&fv.mu);
	if (now - atomic_load(&fv.checked) >= FAULTVFS_POLL_NS) {
		atomic_store(&fv.checked, now);
		if (stat(fv.path, &sb) == -1) {
			if (fv.present) {
				faultvfs_log_calls();
				log_emit(LOG_INFO, "fault.rules", "%s is gone: "
				    "no faults", fv.path);
			}
			fv.present = false;
			fv.nrules = 0;
		} else if (!fv.present || sb.st_ino != fv.seen.st_ino ||
		    sb.st_size != fv.seen.st_size ||
		    sb.st_mtim.tv_sec != fv.seen.st_mtim.tv_sec ||
		    sb.st_mtim.tv_nsec != fv.seen.st_mtim.tv_nsec) {
			fv.present = true;
			fv.seen = sb;
			faultvfs_load();
		}
		faultvfs_update_active();
	}
	pthread_mutex_unlock(&fv.mu);
}

/*
 * Should this call fail? SQLITE_OK to let it pass, or the error to return.
 * Counts the call against the first matching rule.
 */
static int
faultvfs_hit(enum faultvfs_op op, int target)
{
	int rc = SQLITE_OK;

	faultvfs_poll();
	if (target == 0 || !atomic_load(&fv.active))
		return SQLITE_OK;
	pthread_mutex_lock(&fv.mu);
	for (int i = 0; i < fv.nrules; i++) {
		struct faultvfs_rule *rule = &fv.rules[i];

		if (rule->op != op || !(rule->targets & target) ||
		    rule->count == 0)
			continue;
		if (rule->skip > 0) {
			rule->skip--;
			rule->passed++;
			break;
		}
		if (rule->count > 0)
			rule->count--;
		rule->failed++;
		rc = rule->rc;
		if (!rule->logged) {
			rule->logged = true;
			log_emit(LOG_WARN, "fault.injected", "%s on the %s: %s",
			    faultvfs_op_names[op], target == FAULT_WAL ? "WAL" :
			    "database", sqlite3_errstr(rc));
		}
		break;
	}
	faultvfs_update_active();
	pthread_mutex_unlock(&fv.mu);
	return rc;
}

/* Is a rule of this kind on (without counting a call)? */
static bool
faultvfs_on(enum faultvfs_op op, int target)
{
	bool on = false;

	faultvfs_poll();
	if (!atomic_load(&fv.active))
		return false;
	pthread_mutex_lock(&fv.mu);
	for (int i = 0; i < fv.nrules && !on; i++)
		on = fv.rules[i].op == op && (fv.rules[i].targets & target) &&
		    fv.rules[i].count != 0;
	pthread_mutex_unlock(&fv.mu);
	return on;
}

/* Is a rule on that answers SQLITE_BUSY (a lock, "read busy")? */
static bool
faultvfs_busy_on(void)
{
	bool on = false;

	faultvfs_poll();
	if (!atomic_load(&fv.active))
		return false;
	pthread_mutex_lock(&fv.mu);
	for (int i = 0; i < fv.nrules && !on; i++)
		on = fv.rules[i].rc == SQLITE_BUSY && fv.rules[i].count != 0;
	pthread_mutex_unlock(&fv.mu);
	return on;
}

/* ---- the file methods ---- */

#define REAL(f)	(((struct faultvfs_file *)(f))->real)
#define TARGET(f) (((struct faultvfs_file *)(f))->target)

static int
faultvfs_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));

	REAL(f)->pMethods = NULL;
	return rc;
}

static int
faultvfs_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	int rc = faultvfs_hit(FAULT_READ, TARGET(f));

	if (rc != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
faultvfs_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = faultvfs_hit(FAULT_WRITE, TARGET(f));

	if (rc != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
faultvfs_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

/* A "hold" rule: wait (logged once) until it is gone. */
static void
faultvfs_hold(int target)
{
	struct timespec ms = { 0, 1000000L };
	bool logged = false;

	while (target != 0 && faultvfs_on(FAULT_HOLD, target)) {
		if (!logged) {
			log_emit(LOG_WARN, "fault.injected", "sync held on the "
			    "%s", target == FAULT_WAL ? "WAL" : "database");
			logged = true;
		}
		nanosleep(&ms, NULL);
	}
}

static int
faultvfs_sync(sqlite3_file *f, int flags)
{
	int rc = faultvfs_hit(FAULT_SYNC, TARGET(f));

	if (rc != SQLITE_OK)
		return rc;
	faultvfs_hold(TARGET(f));
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
faultvfs_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
faultvfs_lock(sqlite3_file *f, int level)
{
	if (level >= SQLITE_LOCK_RESERVED && (TARGET(f) & FAULT_DB)) {
		int rc = faultvfs_hit(FAULT_LOCK, FAULT_DB);

		if (rc != SQLITE_OK)
			return rc;
	}
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int
faultvfs_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int
faultvfs_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
faultvfs_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
faultvfs_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
faultvfs_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
faultvfs_shm_map(sqlite3_file *f, int region, int size, int extend,
    void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, pp);
}

/* The WAL's write lock is slot 0 of the wal-index locks (wal.c). */
static int
faultvfs_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	if (offset == 0 && (flags & SQLITE_SHM_LOCK) &&
	    (flags & SQLITE_SHM_EXCLUSIVE)) {
		int rc = faultvfs_hit(FAULT_LOCK, FAULT_WAL);

		if (rc != SQLITE_OK)
			return rc;
	}
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void
faultvfs_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
faultvfs_shm_unmap(sqlite3_file *f, int delete)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete);
}

/* No mapped pages while reads fail: SQLite falls back to xRead. */
static int
faultvfs_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	if (faultvfs_on(FAULT_READ, TARGET(f))) {
		*pp = NULL;
		return SQLITE_OK;
	}
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
faultvfs_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods faultvfs_io = {
	.iVersion = 3,
	.xClose = faultvfs_close,
	.xRead = faultvfs_read,
	.xWrite = faultvfs_write,
	.xTruncate = faultvfs_truncate,
	.xSync = faultvfs_sync,
	.xFileSize = faultvfs_file_size,
	.xLock = faultvfs_lock,
	.xUnlock = faultvfs_unlock,
	.xCheckReservedLock = faultvfs_check_reserved,
	.xFileControl = faultvfs_file_control,
	.xSectorSize = faultvfs_sector_size,
	.xDeviceCharacteristics = faultvfs_device,
	.xShmMap = faultvfs_shm_map,
	.xShmLock = faultvfs_shm_lock,
	.xShmBarrier = faultvfs_shm_barrier,
	.xShmUnmap = faultvfs_shm_unmap,
	.xFetch = faultvfs_fetch,
	.xUnfetch = faultvfs_unfetch,
};

/* ---- the VFS methods ---- */

static int
faultvfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out_flags)
{
	struct faultvfs_file *ff = (struct faultvfs_file *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	ff->target = (flags & SQLITE_OPEN_MAIN_DB) ? FAULT_DB :
	    (flags & SQLITE_OPEN_WAL) ? FAULT_WAL : 0;
	rc = fv.real->xOpen(fv.real, name, ff->real, flags, out_flags);
	/* Without real methods SQLite must not call our xClose. */
	ff->base.pMethods = ff->real->pMethods != NULL ? &faultvfs_io : NULL;
	return rc;
}

static int
faultvfs_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	(void)vfs;
	return fv.real->xDelete(fv.real, name, sync);
}

static int
faultvfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return fv.real->xAccess(fv.real, name, flags, out);
}

static int
faultvfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return fv.real->xFullPathname(fv.real, name, n, out);
}

static void *
faultvfs_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fv.real->xDlOpen(fv.real, name);
}

static void
faultvfs_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	fv.real->xDlError(fv.real, n, out);
}

static void
(*faultvfs_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return fv.real->xDlSym(fv.real, h, sym);
}

static void
faultvfs_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	fv.real->xDlClose(fv.real, h);
}

static int
faultvfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fv.real->xRandomness(fv.real, n, out);
}

/* While the lock is "held elsewhere", waiting for it takes no time. */
static int
faultvfs_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	if (faultvfs_busy_on())
		return us;
	return fv.real->xSleep(fv.real, us);
}

static int
faultvfs_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return fv.real->xCurrentTime(fv.real, out);
}

static int
faultvfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fv.real->xGetLastError(fv.real, n, out);
}

static int
faultvfs_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return fv.real->xCurrentTimeInt64(fv.real, out);
}

static int
faultvfs_set_syscall(sqlite3_vfs *vfs, const char *name,
    sqlite3_syscall_ptr p)
{
	(void)vfs;
	return fv.real->xSetSystemCall(fv.real, name, p);
}

static sqlite3_syscall_ptr
faultvfs_get_syscall(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fv.real->xGetSystemCall(fv.real, name);
}

static const char *
faultvfs_next_syscall(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fv.real->xNextSystemCall(fv.real, name);
}

/*
 * With MEENT_FAULTS set, make the fault VFS the default, before any
 * database is opened. Returns 0 (also when it is not set), or -1 when
 * SQLite's default VFS cannot be wrapped.
 */
int
faultvfs_register(void)
{
	const char *path = getenv("MEENT_FAULTS");

	if (path == NULL || *path == '\0')
		return 0;
	if ((fv.real = sqlite3_vfs_find(NULL)) == NULL ||
	    fv.real->iVersion < 3)
		return -1;
	fv.path = xstrdup(path);
	fv.vfs = (sqlite3_vfs){
		.iVersion = 3,
		.szOsFile = (int)sizeof (struct faultvfs_file) +
		    fv.real->szOsFile,
		.mxPathname = fv.real->mxPathname,
		.zName = "meent-faults",
		.xOpen = faultvfs_open,
		.xDelete = faultvfs_delete,
		.xAccess = faultvfs_access,
		.xFullPathname = faultvfs_full_pathname,
		.xDlOpen = faultvfs_dlopen,
		.xDlError = faultvfs_dlerror,
		.xDlSym = faultvfs_dlsym,
		.xDlClose = faultvfs_dlclose,
		.xRandomness = faultvfs_randomness,
		.xSleep = faultvfs_sleep,
		.xCurrentTime = faultvfs_current_time,
		.xGetLastError = faultvfs_last_error,
		.xCurrentTimeInt64 = faultvfs_current_time64,
		.xSetSystemCall = faultvfs_set_syscall,
		.xGetSystemCall = faultvfs_get_syscall,
		.xNextSystemCall = faultvfs_next_syscall,
	};
	if (sqlite3_vfs_register(&fv.vfs, 1) != SQLITE_OK)
		return -1;
	log_emit(LOG_WARN, "fault.vfs", "fault injection on: rules from %s "
	    "(a test build; never in production)", fv.path);
	return 0;
}
