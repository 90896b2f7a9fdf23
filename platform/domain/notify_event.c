/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Events, and waking the notifier. notify_event() is the small API other
 * modules call when something happens that people may want to hear about
 * (see the top of notify.c for who gets what):
 *
 *	notify_event(db, NOTIFY_REACTIONS, pilot_gemeente,
 *	    "reactie-<id>", pilot_titel, "/pilots/<id>#reactie-<n>");
 *
 * (reaction.c does so. Access requests are mailed to the admins directly,
 * invitation_request.c: NOTIFY_ACCESS is not offered as a choice.)
 *
 * Call it inside the write's transaction (then the event is there exactly
 * when the write is) or right after it; the same kind and ref twice is one
 * event. It only inserts a row and wakes the notifier thread
 * (notify_thread.c), which queues the mail: a request never waits.
 */
#include "domain/domain.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t notify_event_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notify_event_cond = PTHREAD_COND_INITIALIZER;
static bool notify_event_woken;

/* Wake the notifier. Safe from any thread, with or without one running. */
void
notify_event_wake(void)
{
	pthread_mutex_lock(&notify_event_mu);
	notify_event_woken = true;
	pthread_cond_signal(&notify_event_cond);
	pthread_mutex_unlock(&notify_event_mu);
}

/* The notifier's sleep: until woken, or seconds have passed. */
void
notify_event_wait(int seconds)
{
	struct timespec until;

	pthread_mutex_lock(&notify_event_mu);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	while (!notify_event_woken)
		if (pthread_cond_timedwait(&notify_event_cond,
		    &notify_event_mu, &until) != 0)
			break;
	notify_event_woken = false;
	pthread_mutex_unlock(&notify_event_mu);
}

/*
 * Record that something happened (see the top of the file). gemeente may
 * be NULL for pilots, revisions and proposals; titel is one line (control
 * characters are made spaces when mailed); pad a local path. All borrowed.
 * Returns 0 (also when the event was known), MEENT_INVALID or MEENT_ERR.
 */
int
notify_event(struct db *db, enum notify_kind kind, const char *gemeente,
    const char *ref, const char *titel, const char *pad)
{
	sqlite3_stmt *st;

	if ((int)kind < 0 || kind >= NOTIFY_KINDS || ref == NULL ||
	    *ref == '\0' || strlen(ref) > 200 || titel == NULL ||
	    strlen(titel) > 1000 || pad == NULL || pad[0] != '/' ||
	    strlen(pad) > 500)
		return MEENT_INVALID;
	st = db_stmt(db, "INSERT OR IGNORE INTO notify_events (kind, ref,"
	    " gemeente, titel, pad, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_text(st, 1, notify_kinds[kind].value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	if (gemeente != NULL)
		sqlite3_bind_text(st, 3, gemeente, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, titel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, pad, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (db_step_done(db, st, "notify_event") == -1)
		return MEENT_ERR;
	notify_event_wake();
	return 0;
}
