/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The database: the SQLite connection with its deadline and
 * failure state, migrations and full-text search. Calls only the core.
 *
 * Reading, in every layer above (db.c has the details):
 *
 *  - A statement is stepped with db_step_row() (1: a row, 0: the end,
 *    -1: an error) or, when it returns no rows, db_step_done(); never with
 *    a bare sqlite3_step() whose result is only compared with SQLITE_ROW,
 *    which reads an error as "no more rows". Both log the error and count
 *    it (db_error(): "db.error", meent_db_errors_total) and note a failure
 *    of the storage for the reply (db_failure()).
 *  - A function that reads one thing returns MEENT_OK (0), MEENT_NOTFOUND
 *    or MEENT_ERR (-1), the thing through a pointer; a question ("is there
 *    ...?", db_exists()) returns 1, 0 or -1; a count is >= 0, or -1.
 *  - A function that returns a list (json_t *) returns NULL for an error
 *    and only for an error: nothing found is an empty array. A list is
 *    whole or not at all: rows read before an error are dropped.
 *  - MEENT_ERR has been logged where it happened; the caller passes it up
 *    and the handler answers reply_db_failed() (5xx, never cached, no ETag).
 *    Not found, an empty list, and an error are three different answers.
 */
#ifndef MEENT_DB_H
#define MEENT_DB_H

#include "core/core.h"

#include <sqlite3.h>

struct db;

#define DB_CREATE	0x1
#define DB_READONLY	0x2
#define DB_GROUP	0x4	/* commits made durable by durable.c */
#define DB_BATCH	0x8	/* writes of a round in one transaction */
#define DB_MAPPED	0x10	/* reads by mmap: a process of one connection */

/* Run inside every transaction of a connection (db_set_hooks). */
struct db_hooks {
	int	(*begin)(struct db *, void *);
	int	(*precommit)(struct db *, void *);
};

/* db.c */
void	 db_init(void);
struct db *db_open(const char *, int, char **);
void	 db_close(struct db *);
int	 db_recover(struct db *);
sqlite3	*db_handle(struct db *);
void	 db_error(struct db *, const char *);
unsigned long db_errors(void);
int	 db_failure(struct db *);
void	 db_failure_clear(struct db *);
sqlite3_stmt *db_stmt(struct db *, const char *);
sqlite3_stmt *db_stmt_text(struct db *, const char *);
int	 db_exec(struct db *, const char *);
bool	 db_changed_elsewhere(struct db *);
void	 db_set_hooks(struct db *, const struct db_hooks *, void *);
uint64_t db_ticket(struct db *);
int	 db_begin(struct db *);
void	 db_flat(struct db *, bool);
bool	 db_doomed(struct db *);
bool	 db_batch_open(struct db *);
int	 db_batch_join(struct db *);
int	 db_batch_leave(struct db *);
void	 db_batch_resume(struct db *);
int	 db_batch_outcome(struct db *, uint64_t, uint64_t *);
uint64_t db_batch_id(struct db *);
double	 db_batch_age(struct db *);
int	 db_batch_commit(struct db *);
long long db_changes(struct db *);
int	 db_commit(struct db *);
int	 db_before_commit(struct db *, int (*)(struct db *));
int	 db_checkpoint(struct db *, long, int *);
void	 db_rollback(struct db *);
int	 db_step_done(struct db *, sqlite3_stmt *, const char *);
int	 db_step_row(struct db *, sqlite3_stmt *, const char *);
void	 db_deadline_set(struct db *, long, long);
void	 db_deadline_clear(struct db *);
bool	 db_deadline_expired(struct db *);
int	 db_exists(struct db *, const char *, const char *);
int	 db_bind_text(sqlite3_stmt *, int, const char *);
json_t	*db_column_json(sqlite3_stmt *, int);

/* durable.c */
int	 durable_start(const char *, char **);
void	 durable_stop(void);
void	 durable_on_sync(void (*)(void *), void *);
void	 durable_off_sync(void (*)(void *), void *);
int	 durable_wait(uint64_t);
uint64_t durable_noted(void);
void	 durable_wal_frames(int);
bool	 durable_running(void);
uint64_t durable_head(void);
int	 durable_status(uint64_t);
struct durable_counts {
	unsigned long long commits;	/* grouped, made durable by the syncer */
	unsigned long	 syncs, sync_failures, checkpoints;
	int		 wal_frames;	/* in the WAL after the last commit */
};
void	 durable_counts(struct durable_counts *);

/* faultvfs.c (built with --enable-fault-injection only) */
int	 faultvfs_register(void);

/* fts.c */
int	 fts_register(sqlite3 *);
fts5_api *fts_api(sqlite3 *);
char	*fts_query(const char *, const char **);

/* fts_ahead.c */
struct fts_ahead;
struct fts_ahead *fts_ahead_new(void);
void	 fts_ahead_free(struct fts_ahead *);
int	 fts_ahead_add(struct fts_ahead *, const char *, size_t);
void	 fts_ahead_use(const struct fts_ahead *const *, size_t);
int	 fts_ahead_replay(const char *, int, void *,
	    int (*)(void *, int, const char *, int, int, int));
unsigned long fts_ahead_replayed(void);

/* migrate.c */
int	 migrate_latest(void);
int	 migrate_apply(struct db *, char **);


#endif /* MEENT_DB_H */
