/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The database: the SQLite connection with its deadline and
 * failure state, migrations and full-text search. Calls only the core.
 */
#ifndef MEENT_DB_H
#define MEENT_DB_H

#include "core/core.h"

#include <sqlite3.h>

struct db;

#define DB_CREATE	0x1
#define DB_READONLY	0x2

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
int	 db_begin(struct db *);
int	 db_commit(struct db *);
void	 db_rollback(struct db *);
int	 db_step_done(struct db *, sqlite3_stmt *, const char *);
void	 db_deadline_set(struct db *, long, long);
void	 db_deadline_clear(struct db *);
bool	 db_deadline_expired(struct db *);
bool	 db_exists(struct db *, const char *, const char *);
int	 db_bind_text(sqlite3_stmt *, int, const char *);
json_t	*db_column_json(sqlite3_stmt *, int);

/* faultvfs.c (built with --enable-fault-injection only) */
int	 faultvfs_register(void);

/* fts.c */
int	 fts_register(sqlite3 *);
char	*fts_query(const char *, const char **);

/* migrate.c */
int	 migrate_latest(void);
int	 migrate_apply(struct db *, char **);


#endif /* MEENT_DB_H */
