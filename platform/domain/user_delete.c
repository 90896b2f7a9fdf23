/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Deleting an account removes the person, not their work: the name, the
 * address and the password go, and with them the sessions, reset links,
 * notification choices, filters and unsubscribe links, contact offers,
 * invitations to and access requests from the address, and every message
 * in the outbox to that address (sent ones too: they hold it); reactions
 * stay, their author's name gone with the row's. The row in
 * users stays, anonymised and disabled, so whatever refers to it keeps a
 * valid reference; content was always the municipality's (pilots,
 * guidelines and datasets carry a gemeente, not a person).
 *
 * SQLite keeps deleted bytes in free space and in the WAL until they are
 * overwritten: the deletion runs with PRAGMA secure_delete, which zeroes
 * them, and ends with a checkpoint, so the address is gone from the file
 * (tests/blackbox/t_notify.py reads the file's bytes to check).
 */
#include "domain/domain.h"

#include <string.h>

/* The id of the account with email (any case): 0, MEENT_NOTFOUND, -1. */
int
user_find(struct db *db, const char *email, long *id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM users"
	    " WHERE email = ?1");
	int rc;

	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = db_step_row(db, st, "user_find");
	if (rc != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	*id = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static const char *const user_delete_sql[] = {
	"DELETE FROM mail_outbox WHERE recipient = (SELECT email FROM users"
	" WHERE id = ?1) COLLATE NOCASE",
	"DELETE FROM sessions WHERE user_id = ?1",
	"DELETE FROM password_resets WHERE user_id = ?1",
	"DELETE FROM notify_prefs WHERE user_id = ?1",
	"DELETE FROM notify_filters WHERE user_id = ?1",
	"DELETE FROM notify_tokens WHERE user_id = ?1",
	"DELETE FROM notify_digests WHERE user_id = ?1",
	"DELETE FROM notify_sent WHERE user_id = ?1",
	/* Contact offers (name, function, work address), invitations to
	 * and access requests from the address, the last login. */
	"DELETE FROM contactpersonen WHERE user_id = ?1",
	"DELETE FROM invitations WHERE email = (SELECT email FROM users"
	" WHERE id = ?1) COLLATE NOCASE",
	"DELETE FROM access_requests WHERE email = (SELECT email FROM users"
	" WHERE id = ?1) COLLATE NOCASE",
	"DELETE FROM user_logins WHERE user_id = ?1",
	/* Not an address (no @): nothing can be sent to it again. */
	"UPDATE users SET email = 'verwijderd-' || id, naam = '',"
	" password_hash = '', disabled = 1 WHERE id = ?1",
};

/*
 * Delete the account id as described above. Returns 0, MEENT_NOTFOUND or
 * MEENT_ERR.
 */
int
user_delete(struct db *db, long id)
{
	sqlite3_stmt *st;
	int rc = MEENT_ERR;

	if (db_exec(db, "PRAGMA secure_delete = ON") == -1)
		return MEENT_ERR;
	if (db_begin(db) == -1)
		goto out;
	st = db_stmt(db, "SELECT 1 FROM users WHERE id = ?1");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_step_row(db, st, "user_delete")) != 1) {
		rc = rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
		goto fail;
	}
	sqlite3_reset(st);
	rc = MEENT_ERR;
	for (size_t i = 0; i < nitems(user_delete_sql); i++) {
		if ((st = db_stmt(db, user_delete_sql[i])) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		if (db_step_done(db, st, "user_delete") == -1)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	/* Best effort: a reader elsewhere may hold the WAL for a while. */
	(void)db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	log_emit(LOG_INFO, "user.delete", "user %ld deleted", id);
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	(void)db_exec(db, "PRAGMA secure_delete = OFF");
	return rc;
}
