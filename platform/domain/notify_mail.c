/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Notification mail: the direct mails of new events (notify_dispatch) and
 * the weekly digest (notify_digest). Both only write rows -- the message
 * into the outbox (mail.c), the event into notify_sent, the digest's time
 * into notify_digests -- in one transaction per event or per user, so a
 * crash neither loses nor repeats one. Nothing here talks SMTP.
 *
 * Who gets an event is one SQL condition per kind (NOTIFY_WHO_*), the same
 * for the direct mail and the digest: a pilot a saved filter matches (and
 * that members may see), a revision of a guideline the user's municipality
 * follows, a proposal for one it maintains, a reaction on its pilots, an
 * access event for its admins. Disabled users get nothing.
 *
 * Every message: plain text and HTML in plain Dutch, links to the pages,
 * a one-click unsubscribe (a fresh token per message, notify.c). Titles
 * come from content and peers: control characters become spaces, so
 * nothing in a title can start a header line. Logs name event and user
 * ids, never an address.
 */
#include "domain/domain.h"

#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#define NOTIFY_DIGEST_ITEMS	20	/* per kind; then "en nog N" */
#define NOTIFY_TITLE_MAX	150	/* bytes of a title in a subject */
#define NOTIFY_DIGEST_BATCH	200	/* users per transaction */

#define NOTIFY_MODE(kind, def, mode) \
	"COALESCE((SELECT mode FROM notify_prefs WHERE user_id = u.id" \
	" AND kind = '" kind "'), '" def "') = '" mode "'"
#define NOTIFY_NOT_SENT \
	" AND NOT EXISTS (SELECT 1 FROM notify_sent s WHERE" \
	" s.user_id = u.id AND s.event = e.id)"
#define NOTIFY_GUIDELINE \
	"CAST(substr(e.ref, 1, instr(e.ref, ':') - 1) AS INTEGER)"
#define NOTIFY_WHO_PILOTS \
	" AND EXISTS (SELECT 1 FROM notify_filters f JOIN pilots p" \
	" ON p.id = e.ref WHERE f.user_id = u.id" \
	" AND p.zichtbaarheid <> 'concept' AND p.verwijderd IS NULL" \
	" AND (f.grootteklasse IS NULL OR f.grootteklasse = p.grootteklasse)" \
	" AND (f.domein IS NULL OR f.domein = p.domein)" \
	" AND (f.provincie IS NULL OR f.provincie = p.provincie))"
#define NOTIFY_WHO_REVISIONS \
	" AND EXISTS (SELECT 1 FROM richtlijn_adopties a WHERE" \
	" a.gemeente = u.gemeente AND a.richtlijn = " NOTIFY_GUIDELINE ")"
#define NOTIFY_WHO_PROPOSALS \
	" AND EXISTS (SELECT 1 FROM richtlijn_beheerders b WHERE" \
	" b.gemeente = u.gemeente AND b.richtlijn = " NOTIFY_GUIDELINE ")"
#define NOTIFY_WHO_REACTIONS	" AND u.gemeente = e.gemeente"
#define NOTIFY_WHO_ACCESS \
	" AND u.gemeente = e.gemeente AND u.role = 'admin'"

/*
 * A kind whose default is "niet" reaches only users with a row saying
 * "direct" (notify_prefs_mode finds them); one whose default is "direct"
 * looks at every user (its WHO condition narrows to a municipality).
 */
#define NOTIFY_DIRECT_CHOSEN(kind, who) \
	"SELECT u.id, u.email FROM notify_events e, notify_prefs np, users u" \
	" WHERE e.id = ?1 AND np.kind = '" kind "' AND np.mode = 'direct'" \
	" AND u.id = np.user_id AND u.disabled = 0" NOTIFY_NOT_SENT who \
	" ORDER BY u.id"
#define NOTIFY_DIRECT_DEFAULT(kind, who) \
	"SELECT u.id, u.email FROM notify_events e, users u" \
	" WHERE e.id = ?1 AND u.disabled = 0 AND " \
	NOTIFY_MODE(kind, "direct", "direct") NOTIFY_NOT_SENT who \
	" ORDER BY u.id"
/* "+e.kind": the range on created is the index to use, not (kind, ref). */
#define NOTIFY_WEEKLY(kind, who) \
	"SELECT e.titel, e.pad FROM notify_events e, users u" \
	" WHERE u.id = ?1 AND +e.kind = '" kind "' AND e.created > ?2" \
	" AND e.created <= ?3" NOTIFY_NOT_SENT who " ORDER BY e.id"

/* In notify_kinds' order. */
static const char *const notify_direct_sql[NOTIFY_KINDS] = {
	NOTIFY_DIRECT_CHOSEN("pilots", NOTIFY_WHO_PILOTS),
	NOTIFY_DIRECT_CHOSEN("revisies", NOTIFY_WHO_REVISIONS),
	NOTIFY_DIRECT_DEFAULT("voorstellen", NOTIFY_WHO_PROPOSALS),
	NOTIFY_DIRECT_CHOSEN("reacties", NOTIFY_WHO_REACTIONS),
	NOTIFY_DIRECT_DEFAULT("toegang", NOTIFY_WHO_ACCESS),
};
static const char *const notify_weekly_sql[NOTIFY_KINDS] = {
	NOTIFY_WEEKLY("pilots", NOTIFY_WHO_PILOTS),
	NOTIFY_WEEKLY("revisies", NOTIFY_WHO_REVISIONS),
	NOTIFY_WEEKLY("voorstellen", NOTIFY_WHO_PROPOSALS),
	NOTIFY_WEEKLY("reacties", NOTIFY_WHO_REACTIONS),
	NOTIFY_WEEKLY("toegang", NOTIFY_WHO_ACCESS),
};

static const struct {
	const char	*subject;	/* before ": title" */
	const char	*intro;
} notify_words[NOTIFY_KINDS] = {
	{ "Nieuwe pilot", "Er is een nieuwe pilot die past bij een filter "
	    "dat u heeft bewaard:" },
	{ "Nieuwe versie van een richtlijn", "Er is een nieuwe versie van "
	    "een richtlijn die uw gemeente volgt:" },
	{ "Voorstel voor uw richtlijn", "Er is een voorstel voor een "
	    "richtlijn die uw gemeente beheert. Het wacht op een besluit:" },
	{ "Nieuwe reactie", "Er is een nieuwe reactie op een pilot van uw "
	    "gemeente:" },
	{ "Toegang", "Er wacht iets op u als beheerder van uw gemeente:" },
};

/*
 * A title fit for a subject line and a page: control characters made
 * spaces, at most NOTIFY_TITLE_MAX bytes, cut on a character boundary.
 * Caller frees.
 */
char *
notify_title(const char *in)
{
	size_t len = in != NULL ? strlen(in) : 0;
	char *out;

	if (len == 0 || !csvstream_utf8_valid((const unsigned char *)in, len))
		return xstrdup("(zonder titel)");
	if (len > NOTIFY_TITLE_MAX) {
		len = NOTIFY_TITLE_MAX;
		while (len > 0 && ((unsigned char)in[len] & 0xc0) == 0x80)
			len--;
	}
	out = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? ' ' :
		    in[i];
	out[len] = '\0';
	return out;
}

/* The text and HTML footers: why, and the one-click way out. */
static void
notify_footer(struct evbuffer *text, struct evbuffer *html,
    const struct notify_site *site, const char *unsub)
{
	evbuffer_add_printf(text, "\n--\nU krijgt dit bericht omdat u dit "
	    "heeft gekozen. Uw keuzes aanpassen: %s/mijn/meldingen\n"
	    "Geen berichten meer hierover? Afmelden: %s\n", site->origin,
	    unsub);
	html_out(html, "<hr><p>U krijgt dit bericht omdat u dit heeft "
	    "gekozen. <a href=\"%s/mijn/meldingen\">Uw keuzes aanpassen</a>."
	    "</p><p>Geen berichten meer hierover? <a href=\"%s\">Afmelden"
	    "</a></p></body></html>\n", site->origin, unsub);
}

/* Queue one message to to; the bodies are consumed. >0, or <0. */
static long
notify_send(struct db *db, const char *to, const char *subject,
    struct evbuffer *text, struct evbuffer *html, const char *unsub)
{
	char *t = buffer_take_string(text), *h = buffer_take_string(html);
	long id = mail_enqueue(db, to, subject, t, h, unsub);

	free(t);
	free(h);
	return id;
}

/* The direct mail of one event to one user. 0 or -1. */
static int
notify_direct_one(struct db *db, const struct notify_site *site,
    enum notify_kind kind, long user_id, const char *to, const char *title,
    const char *pad)
{
	char token[NOTIFY_TOKEN_LEN + 1], *unsub, *subject;
	struct evbuffer *text = evbuffer_new(), *html = evbuffer_new();
	long id;

	if (text == NULL || html == NULL)
		fatal("evbuffer_new");
	if (notify_token_new(db, user_id, notify_kinds[kind].value,
	    token) != 0) {
		evbuffer_free(text);
		evbuffer_free(html);
		return -1;
	}
	unsub = xasprintf("%s/afmelden/%s", site->origin, token);
	subject = xasprintf("%s: %s", notify_words[kind].subject, title);
	evbuffer_add_printf(text, "Goedendag,\n\n%s\n\n%s\n%s%s\n",
	    notify_words[kind].intro, title, site->origin, pad);
	html_out(html, "<!DOCTYPE html>\n<html lang=\"nl\"><body>"
	    "<p>Goedendag,</p><p>%s</p><p><a href=\"%s%s\">%s</a></p>",
	    notify_words[kind].intro, site->origin, pad, title);
	notify_footer(text, html, site, unsub);
	id = notify_send(db, to, subject, text, html, unsub);
	free(unsub);
	free(subject);
	/* A bad address (an old account) is skipped, not retried forever. */
	return id > 0 || id == MEENT_INVALID ? 0 : -1;
}

/* The recipients of event id: their direct mails and notify_sent rows. */
static int
notify_dispatch_event(struct db *db, const struct notify_site *site,
    long id, enum notify_kind kind, const char *title, const char *pad)
{
	sqlite3_stmt *st, *mark;
	struct { long id; char *email; } *who = NULL;
	size_t n = 0, cap = 0;
	int rc, out = -1;

	st = db_stmt(db, notify_direct_sql[kind]);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = db_step_row(db, st, "notify_recipients")) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			who = xreallocarray(who, cap, sizeof *who);
		}
		who[n].id = (long)sqlite3_column_int64(st, 0);
		who[n++].email = xstrdup((const char *)
		    sqlite3_column_text(st, 1));
	}
	if (rc == -1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (notify_direct_one(db, site, kind, who[i].id, who[i].email,
		    title, pad) == -1)
			goto out;
		mark = db_stmt(db, "INSERT OR IGNORE INTO notify_sent"
		    " (user_id, event) VALUES (?1, ?2)");
		if (mark == NULL)
			goto out;
		sqlite3_bind_int64(mark, 1, who[i].id);
		sqlite3_bind_int64(mark, 2, id);
		if (db_step_done(db, mark, "notify_sent") == -1)
			goto out;
	}
	mark = db_stmt(db, "UPDATE notify_events SET dispatched = 1"
	    " WHERE id = ?1");
	if (mark == NULL)
		goto out;
	sqlite3_bind_int64(mark, 1, id);
	if (db_step_done(db, mark, "notify_dispatched") == -1)
		goto out;
	if (n > 0)
		log_emit(LOG_INFO, "notify.direct", "event %ld: %zu direct "
		    "mail(s)", id, n);
	out = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(who[i].email);
	free(who);
	return out;
}

/*
 * Queue the direct mails of every event not yet dispatched, up to
 * NOTIFY_DISPATCH_BATCH events per transaction: a federation sync records
 * an event per pilot it brings (100,000 on a first sync), and a commit
 * (an fsync) per event held the write lock longer than the sync itself.
 * Returns the number of events handled, or -1 (the batch under way is
 * rolled back and dispatched again).
 */
#define NOTIFY_DISPATCH_BATCH	256
int
notify_dispatch(struct db *db, const struct notify_site *site)
{
	sqlite3_stmt *st;
	long id;
	int rc, done = 0, batch = 0, kind;
	char *title = NULL, *pad = NULL;

	for (;;) {
		st = db_stmt(db, "SELECT id, kind, titel, pad FROM"
		    " notify_events WHERE dispatched = 0 ORDER BY id LIMIT 1");
		if (st == NULL)
			goto fail;
		if ((rc = db_step_row(db, st, "notify_due")) != 1) {
			if (rc == -1 || (batch > 0 && db_commit(db) == -1))
				goto fail;
			return done;
		}
		id = (long)sqlite3_column_int64(st, 0);
		kind = notify_kind_parse((const char *)
		    sqlite3_column_text(st, 1));
		title = notify_title((const char *)sqlite3_column_text(st, 2));
		pad = xstrdup((const char *)sqlite3_column_text(st, 3));
		sqlite3_reset(st);
		if (batch == 0 && db_begin(db) == -1)
			goto fail;
		batch++;
		if (kind < 0) {
			/* An unknown kind (a newer meent's): nobody's. */
			st = db_stmt(db, "UPDATE notify_events SET"
			    " dispatched = 1 WHERE id = ?1");
			if (st == NULL)
				goto fail;
			sqlite3_bind_int64(st, 1, id);
			rc = db_step_done(db, st, "notify_skip");
		} else
			rc = notify_dispatch_event(db, site, id,
			    (enum notify_kind)kind, title, pad);
		if (rc == -1)
			goto fail;
		free(title);
		free(pad);
		title = pad = NULL;
		done++;
		if (batch == NOTIFY_DISPATCH_BATCH) {
			if (db_commit(db) == -1)
				goto fail;
			batch = 0;
		}
	}
fail:
	if (batch > 0)
		db_rollback(db);
	free(title);
	free(pad);
	return -1;
}

/* One kind's part of a digest; the number of events in it, or -1. */
static int
notify_digest_kind(struct db *db, const struct notify_site *site,
    enum notify_kind kind, long user_id, time_t from, time_t to,
    struct evbuffer *text, struct evbuffer *html)
{
	sqlite3_stmt *st = db_stmt(db, notify_weekly_sql[kind]);
	int rc, n = 0;
	char *title;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)to);
	while ((rc = db_step_row(db, st, "notify_weekly")) == 1) {
		if (n == 0) {
			evbuffer_add_printf(text, "\n%s\n\n",
			    notify_kinds[kind].label);
			html_out(html, "<h2>%s</h2>\n<ul>\n",
			    notify_kinds[kind].label);
		}
		if (n++ >= NOTIFY_DIGEST_ITEMS)
			continue;
		title = notify_title((const char *)sqlite3_column_text(st, 0));
		evbuffer_add_printf(text, "- %s\n  %s%s\n", title,
		    site->origin, (const char *)sqlite3_column_text(st, 1));
		html_out(html, "<li><a href=\"%s%s\">%s</a></li>\n",
		    site->origin, (const char *)sqlite3_column_text(st, 1),
		    title);
		free(title);
	}
	if (rc == -1)
		return -1;
	if (n > 0)
		html_out(html, "</ul>\n");
	if (n > NOTIFY_DIGEST_ITEMS) {
		evbuffer_add_printf(text, "En nog %d meer.\n",
		    n - NOTIFY_DIGEST_ITEMS);
		html_out(html, "<p>En nog %d meer.</p>\n",
		    n - NOTIFY_DIGEST_ITEMS);
	}
	return n;
}

struct notify_digest_user {
	long	 id;
	char	*email;
	time_t	 last;
};

/*
 * One user's digest, if anything happened: the weekly kinds, each since
 * max(last digest, when the kind was chosen), up to now. Marks the digest
 * done either way. Inside the caller's transaction. 1 (sent), 0 (nothing
 * to tell) or -1.
 */
static int
notify_digest_user(struct db *db, const struct notify_site *site,
    const struct notify_digest_user *u, time_t now)
{
	struct evbuffer *text = evbuffer_new(), *html = evbuffer_new();
	char token[NOTIFY_TOKEN_LEN + 1], *unsub = NULL, *subject = NULL;
	time_t since[NOTIFY_KINDS] = { 0 };
	bool weekly[NOTIFY_KINDS] = { false };
	sqlite3_stmt *st;
	int rc, k, total = 0, n, out = -1;

	if (text == NULL || html == NULL)
		fatal("evbuffer_new");
	st = db_stmt(db, "SELECT kind, since FROM notify_prefs"
	    " WHERE user_id = ?1 AND mode = 'wekelijks'");
	if (st == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, u->id);
	while ((rc = db_step_row(db, st, "notify_digest_prefs")) == 1) {
		k = notify_kind_parse((const char *)sqlite3_column_text(st, 0));
		if (k >= 0) {
			weekly[k] = true;
			since[k] = (time_t)sqlite3_column_int64(st, 1);
		}
	}
	if (rc == -1)
		goto done;
	evbuffer_add_printf(text, "Goedendag,\n\nDit is uw overzicht van de "
	    "afgelopen week bij %s.\n", site->name);
	html_out(html, "<!DOCTYPE html>\n<html lang=\"nl\"><body>"
	    "<p>Goedendag,</p><p>Dit is uw overzicht van de afgelopen week "
	    "bij %s.</p>\n", site->name);
	for (k = 0; k < NOTIFY_KINDS; k++) {
		if (!weekly[k])
			continue;
		n = notify_digest_kind(db, site, (enum notify_kind)k, u->id,
		    since[k] > u->last ? since[k] : u->last, now, text, html);
		if (n == -1)
			goto done;
		total += n;
	}
	if (total > 0) {
		if (notify_token_new(db, u->id, "overzicht", token) != 0)
			goto done;
		unsub = xasprintf("%s/afmelden/%s", site->origin, token);
		subject = xasprintf("Uw overzicht van de week bij %s",
		    site->name);
		notify_footer(text, html, site, unsub);
		rc = (int)notify_send(db, u->email, subject, text, html,
		    unsub);
		text = html = NULL;	/* consumed */
		if (rc == MEENT_ERR)
			goto done;
	}
	st = db_stmt(db, "INSERT INTO notify_digests (user_id, last)"
	    " VALUES (?1, ?2) ON CONFLICT (user_id) DO UPDATE SET"
	    " last = excluded.last");
	if (st == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, u->id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	if (db_step_done(db, st, "notify_digest_done") == -1)
		goto done;
	out = total > 0 ? 1 : 0;
done:
	free(unsub);
	free(subject);
	if (text != NULL)
		evbuffer_free(text);
	if (html != NULL)
		evbuffer_free(html);
	return out;
}

/*
 * The weekly digest: every enabled user with a weekly kind whose last
 * digest (or, the first time, the earliest weekly choice) is at least a
 * week before now -- or every such user, if force (meentctl notify digest
 * --force, the tests). *sent counts the messages queued. 0 or -1.
 *
 * NOTIFY_DIGEST_BATCH users share a transaction: each commit is an fsync
 * (synchronous=FULL), and a batch undone by a crash is undone whole -- its
 * messages with its marks -- so it is done again, not lost or doubled.
 */
int
notify_digest(struct db *db, const struct notify_site *site, time_t now,
    bool force, long *sent)
{
	struct notify_digest_user *users = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, out = -1;

	*sent = 0;
	st = db_stmt(db, "SELECT u.id, u.email, COALESCE(d.last, 0),"
	    " min(p.since) FROM users u"
	    " JOIN notify_prefs p ON p.user_id = u.id AND p.mode = 'wekelijks'"
	    " LEFT JOIN notify_digests d ON d.user_id = u.id"
	    " WHERE u.disabled = 0 GROUP BY u.id ORDER BY u.id");
	if (st == NULL)
		return -1;
	while ((rc = db_step_row(db, st, "notify_digest_users")) == 1) {
		time_t last = (time_t)sqlite3_column_int64(st, 2);
		time_t first = (time_t)sqlite3_column_int64(st, 3);

		if (!force && now - (last > first ? last : first) <
		    NOTIFY_DIGEST_PERIOD)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			users = xreallocarray(users, cap, sizeof *users);
		}
		users[n].id = (long)sqlite3_column_int64(st, 0);
		users[n].email = xstrdup((const char *)
		    sqlite3_column_text(st, 1));
		users[n++].last = last;
	}
	if (rc == -1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (i % NOTIFY_DIGEST_BATCH == 0 && db_begin(db) == -1)
			goto out;
		if ((rc = notify_digest_user(db, site, &users[i], now)) == -1) {
			db_rollback(db);
			goto out;
		}
		*sent += rc;
		if ((i + 1 == n || (i + 1) % NOTIFY_DIGEST_BATCH == 0) &&
		    db_commit(db) == -1) {
			db_rollback(db);
			goto out;
		}
	}
	if (n > 0)
		log_emit(LOG_INFO, "notify.digest", "%zu user(s), %ld "
		    "digest(s) queued", n, *sent);
	out = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(users[i].email);
	free(users);
	return out;
}

/* Expired unsubscribe tokens go. 0 or -1. */
int
notify_prune(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM notify_tokens"
	    " WHERE expires < ?1");

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL) - 86400);
	return db_step_done(db, st, "notify_prune");
}
