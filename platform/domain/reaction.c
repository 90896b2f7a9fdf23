/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Questions and reactions on pilots: a signed-in user asks a question,
 * reacts, says "wij doen dit ook", or answers one of these (an answer names
 * its parent, on the same pilot). The text is Markdown of at most
 * REACTION_TEXT_MAX characters, stored with LF line ends and rendered once,
 * when written, by the same safe renderer as pilots (markdown_render).
 *
 * Visibility: a reaction is seen by whoever may see its pilot, and never
 * more widely than the pilot was when it was written (zichtbaarheid: a
 * reaction on a members-only pilot stays members-only). The author's name
 * is read from users at every read, and only signed-in members see it, so
 * that it goes with the account; the municipality stays.
 *
 * Writing one queues an e-mail (mail.c's outbox, in the same transaction)
 * to the pilot's contact persons (contact_store_recipients) and, for an
 * answer, to the author of the reaction answered.
 *
 * Editors of the pilot's municipality may hide a reaction: it is kept,
 * with when, by whom and why, and shown as hidden with the reason.
 */
#include "domain/domain.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>

/* The kinds a person chooses; an answer is "antwoord", set by its parent. */
const struct choice reaction_kinds[] = {
	{ "vraag", "Vraag", "u wilt iets weten" },
	{ "reactie", "Reactie", "een ervaring of opmerking" },
	{ "ookhier", "Wij doen dit ook", "uw gemeente werkt hier ook aan" },
	{ NULL, NULL, NULL }
};

static void
reaction_invalid(json_t *invalid, const char *name, const char *reason)
{
	json_array_append_new(invalid, json_pack("{s:s, s:s}", "name", name,
	    "reason", reason));
}

/*
 * Check a reaction to write: its kind (unless it answers another) and its
 * text, whose line ends are made LF first (re->tekst is the caller's and
 * only gets shorter). Every invalid field goes to invalid. Returns 0 or
 * MEENT_INVALID.
 */
int
reaction_check(struct reaction *re, json_t *invalid)
{
	size_t before = json_array_size(invalid);
	char reason[160];

	if (re->ouder == 0 && (re->soort == NULL ||
	    !choice_valid(reaction_kinds, re->soort)))
		reaction_invalid(invalid, "soort", "kies vraag, reactie of "
		    "wij doen dit ook");
	if (re->tekst != NULL)
		markdown_lf(re->tekst);
	if (contact_text_reason(re->tekst, 2, REACTION_TEXT_MAX, false, reason,
	    sizeof reason) != NULL)
		reaction_invalid(invalid, "tekst", reason);
	else if (markdown_check(re->tekst, strlen(re->tekst), REACTION_TEXT_MAX
	    * 4, reason, sizeof reason) == -1)
		reaction_invalid(invalid, "tekst", reason);
	return json_array_size(invalid) > before ? MEENT_INVALID : 0;
}

/* A pilot's title as one line of a subject: no controls, cut at 120 bytes. */
static void
reaction_subject_title(const char *titel, char *out, size_t size)
{
	size_t n = 0, cut = size < 121 ? size - 1 : 120;

	for (const char *c = titel; *c != '\0' && n < cut; c++, n++)
		out[n] = (unsigned char)*c < 0x20 || *c == 0x7f ? ' ' : *c;
	/* Not in the middle of a UTF-8 sequence. */
	while (n > 0 && titel[n] != '\0' && ((unsigned char)titel[n] & 0xc0) ==
	    0x80)
		n--;
	out[n] = '\0';
}

/* The author's name now (users.naam, one line), or "" into name. */
static int
reaction_author(struct db *db, long user, char *name, size_t size)
{
	sqlite3_stmt *st;
	int rc;

	*name = '\0';
	if (user == 0)
		return 0;
	if ((st = db_stmt(db, "SELECT naam FROM users WHERE id = ?1")) == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, user);
	if ((rc = db_step_row(db, st, "reaction_author")) == -1)
		return MEENT_ERR;
	if (rc == 1) {
		snprintf(name, size, "%s", sqlite3_column_text(st, 0));
		for (char *c = name; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = ' ';
		sqlite3_reset(st);
	}
	return 0;
}

/*
 * The e-mail about reaction id to each address of to: who wrote what, on
 * which pilot, and the link. Addresses that mail.c refuses are skipped.
 * Returns 0 or MEENT_ERR.
 */
static int
reaction_mail(struct db *db, const struct reaction *re, long id,
    const char *base_url, json_t *to)
{
	struct evbuffer *b;
	char title[128], name[CONTACT_NAME_MAX * 4 + 1], *subject, *text,
	    *html, *link;
	const char *who;
	const char *what = strcmp(re->soort, "vraag") == 0 ? "een vraag "
	    "gesteld" : strcmp(re->soort, "antwoord") == 0 ? "geantwoord" :
	    strcmp(re->soort, "ookhier") == 0 ? "laten weten dat zijn of haar "
	    "gemeente dit ook doet" : "gereageerd";
	size_t i;
	json_t *v;
	int rc = 0;

	if (json_array_size(to) == 0)
		return 0;
	if (reaction_author(db, re->user_id, name, sizeof name) == MEENT_ERR)
		return MEENT_ERR;
	who = *name != '\0' ? name : "Iemand";
	reaction_subject_title(re->pilot_titel, title, sizeof title);
	subject = xasprintf("%s bij de pilot %s", strcmp(re->soort, "vraag") ==
	    0 ? "Nieuwe vraag" : "Nieuwe reactie", title);
	link = xasprintf("%s/pilots/%s#reactie-%ld", base_url, re->pilot_id,
	    id);
	text = xasprintf("Goedendag,\n\n%s (%s) heeft %s bij de pilot "
	    "\"%s\":\n\n%s\n\nLezen en antwoorden: %s\n\nU krijgt dit bericht "
	    "omdat u contactpersoon bent voor deze pilot of uw gemeente, of "
	    "omdat iemand op uw bericht antwoordde. Wilt u geen contactpersoon "
	    "meer zijn? Trek uw aanmelding in op %s/contactpersonen/aanmelden"
	    "\n", who, re->gemeente_naam, what, title, re->tekst, link,
	    base_url);
	b = evbuffer_new();
	if (b == NULL)
		fatal("evbuffer_new");
	html_out(b, "<!DOCTYPE html>\n<html lang=\"nl\"><body><p>Goedendag,"
	    "</p><p>%s (%s) heeft %s bij de pilot <a href=\"%s\">%s</a>:</p>"
	    "<blockquote>", who, re->gemeente_naam, what, link, title);
	html_raw(b, re->html);	/* markdown_render: safe */
	html_out(b, "</blockquote><p><a href=\"%s\">Lezen en antwoorden</a>"
	    "</p><p>U krijgt dit bericht omdat u contactpersoon bent voor "
	    "deze pilot of uw gemeente, of omdat iemand op uw bericht "
	    "antwoordde. Wilt u geen contactpersoon meer zijn? <a href=\"%s/"
	    "contactpersonen/aanmelden\">Trek uw aanmelding in</a>.</p>"
	    "</body></html>\n", link, base_url);
	html = buffer_take_string(b);	/* frees b */
	json_array_foreach(to, i, v) {
		long m = mail_enqueue(db, json_string_value(v), subject, text,
		    html, NULL);

		if (m == MEENT_ERR) {
			rc = MEENT_ERR;
			break;
		}
		if (m == MEENT_INVALID)
			log_emit(LOG_WARN, "reaction.mail", "reaction %ld: an "
			    "address was refused by the outbox", id);
	}
	free(subject);
	free(link);
	free(text);
	free(html);
	return rc;
}

/* The author's address of reaction ouder, if another enabled user's. */
static int
reaction_parent_author(struct db *db, long ouder, long except, json_t *to)
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(db, "SELECT u.email FROM pilot_reacties r JOIN users u"
	    " ON u.id = r.user_id WHERE r.id = ?1 AND u.disabled = 0 AND"
	    " u.id <> ?2");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, ouder);
	sqlite3_bind_int64(st, 2, except);
	if ((rc = db_step_row(db, st, "reaction_parent_author")) == -1)
		return MEENT_ERR;
	if (rc == 1) {
		const char *e = (const char *)sqlite3_column_text(st, 0);
		size_t i;
		json_t *v;
		bool have = false;

		json_array_foreach(to, i, v)
			if (strcasecmp(json_string_value(v), e) == 0)
				have = true;
		if (!have)
			json_array_append_new(to, json_string(e));
		sqlite3_reset(st);
	}
	return 0;
}

/*
 * The parent of an answer: on the same pilot; the answer is never more
 * visible than it. Sets re->soort and re->zichtbaarheid. Returns 0,
 * MEENT_NOTFOUND or MEENT_ERR.
 */
static int
reaction_parent(struct db *db, struct reaction *re)
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(db, "SELECT zichtbaarheid FROM pilot_reacties WHERE"
	    " id = ?1 AND pilot = ?2");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, re->ouder);
	sqlite3_bind_int64(st, 2, re->pilot_pk);
	if ((rc = db_step_row(db, st, "reaction_parent")) != 1)
		return rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	if (strcmp((const char *)sqlite3_column_text(st, 0), "leden") == 0)
		re->zichtbaarheid = "leden";
	sqlite3_reset(st);
	re->soort = "antwoord";
	return 0;
}

/*
 * The event for those of the pilot's municipality who chose to hear of
 * reactions on its pilots (notify.c), in the reaction's transaction.
 */
static int
reaction_notify(struct db *db, const struct reaction *re, long id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, titel, gemeente FROM pilots"
	    " WHERE pk = ?1");
	char ref[64], *path = NULL;
	int rc;

	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, re->pilot_pk);
	if ((rc = db_step_row(db, st, "reaction_notify")) == 1) {
		snprintf(ref, sizeof ref, "reactie-%ld", id);
		path = xasprintf("/pilots/%s#reactie-%ld",
		    (const char *)sqlite3_column_text(st, 0), id);
		rc = notify_event(db, NOTIFY_REACTIONS, (const char *)
		    sqlite3_column_text(st, 2), ref, (const char *)
		    sqlite3_column_text(st, 1), path) == MEENT_ERR ? -1 : 0;
	}
	sqlite3_reset(st);
	free(path);
	return rc == -1 ? MEENT_ERR : 0;
}

/*
 * Store re (checked by reaction_check; re->zichtbaarheid is the pilot's,
 * openbaar or leden) and queue its e-mails, in one transaction: to the
 * pilot's contact persons (unless re->quiet) and to the author of the
 * reaction it answers. A new uuid unless re->uuid names one (federation, with
 * re->origin). The caller's re->html is set (owned by the caller: free
 * it). base_url makes the link. Returns 0 with *id, MEENT_NOTFOUND (the
 * parent is not a reaction on this pilot) or MEENT_ERR.
 */
int
reaction_store_insert(struct db *db, struct reaction *re,
    const char *base_url, long *id)
{
	sqlite3_stmt *st;
	json_t *to = NULL;
	char uuid[37];
	int rc;

	if (re->uuid == NULL) {
		instance_uuid(uuid);
		re->uuid = uuid;
	}
	if (db_begin(db) == -1)
		return MEENT_ERR;
	if (re->ouder != 0 && (rc = reaction_parent(db, re)) != 0) {
		db_rollback(db);
		if (re->uuid == uuid)
			re->uuid = NULL;
		return rc;
	}
	if (re->html == NULL)
		re->html = markdown_render(re->tekst, strlen(re->tekst));
	st = db_stmt(db, "INSERT INTO pilot_reacties (pilot, ouder, soort,"
	    " tekst, html, gemeente, user_id, zichtbaarheid, aangemaakt, uuid,"
	    " origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, re->pilot_pk);
	if (re->ouder != 0)
		sqlite3_bind_int64(st, 2, re->ouder);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, re->soort, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, re->tekst, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, re->html, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, re->gemeente, -1, SQLITE_STATIC);
	if (re->user_id != 0)
		sqlite3_bind_int64(st, 7, re->user_id);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_text(st, 8, re->zichtbaarheid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)(re->aangemaakt != 0 ?
	    re->aangemaakt : time(NULL)));
	sqlite3_bind_text(st, 10, re->uuid, -1, SQLITE_STATIC);
	db_bind_text(st, 11, re->origin);
	if (db_step_done(db, st, "reaction_store_insert") == -1)
		goto fail;
	*id = (long)sqlite3_last_insert_rowid(db_handle(db));
	if (re->uuid == uuid)
		re->uuid = NULL;	/* the caller's again */
	if ((to = re->quiet ? json_array() : contact_store_recipients(db,
	    re->pilot_pk, re->user_id)) == NULL)
		goto fail;
	if (re->ouder != 0 && reaction_parent_author(db, re->ouder,
	    re->user_id, to) == MEENT_ERR)
		goto fail;
	if (reaction_mail(db, re, *id, base_url, to) == MEENT_ERR ||
	    reaction_notify(db, re, *id) == MEENT_ERR || db_commit(db) == -1)
		goto fail;
	json_decref(to);
	cache_bump();	/* the pilot's page shows it */
	mail_send_wake();	/* again: the rows are committed now */
	return 0;
fail:
	if (re->uuid == uuid)
		re->uuid = NULL;
	json_decref(to);
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * The reactions on the pilot with primary key pilot that a viewer sees
 * (member: signed in here), oldest first, at most REACTION_THREAD_MAX:
 * [{id, ouder, soort, tekst, html, gemeente, gemeenteNaam, auteur,
 * zichtbaarheid, aangemaakt, verborgen}]. The author only for members; a
 * hidden reaction without its text, with verborgen {reden, op}. *total is
 * how many there are for the viewer. Caller decrefs; NULL on error.
 */
json_t *
reaction_store_list(struct db *db, long pilot, bool member, long *total)
{
	sqlite3_stmt *st;
	json_t *out;
	int rc;

	st = db_stmt(db, "SELECT count(*) FROM pilot_reacties WHERE pilot = ?1"
	    " AND (zichtbaarheid = 'openbaar' OR ?2)");
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pilot);
	sqlite3_bind_int(st, 2, member ? 1 : 0);
	if (db_step_row(db, st, "reaction_store_list") != 1)
		return NULL;
	*total = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	st = db_stmt(db, "SELECT r.id, r.ouder, r.soort, r.tekst, r.html,"
	    " r.gemeente, coalesce(g.naam, r.gemeente), u.naam,"
	    " r.zichtbaarheid, r.aangemaakt, r.verborgen, r.verborgen_reden"
	    " FROM pilot_reacties r"
	    " LEFT JOIN gemeenten g ON g.code = r.gemeente"
	    " LEFT JOIN users u ON u.id = r.user_id"
	    " WHERE r.pilot = ?1 AND (r.zichtbaarheid = 'openbaar' OR ?2)"
	    " ORDER BY r.id LIMIT ?3");
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, pilot);
	sqlite3_bind_int(st, 2, member ? 1 : 0);
	sqlite3_bind_int(st, 3, REACTION_THREAD_MAX);
	out = json_array();
	while ((rc = db_step_row(db, st, "reaction_store_list")) == 1) {
		bool hidden = sqlite3_column_type(st, 10) != SQLITE_NULL;
		const char *naam = (const char *)sqlite3_column_text(st, 7);
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "soort", (const char *)sqlite3_column_text(st, 2),
		    "gemeente", (const char *)sqlite3_column_text(st, 5),
		    "gemeenteNaam", (const char *)sqlite3_column_text(st, 6),
		    "zichtbaarheid", (const char *)sqlite3_column_text(st, 8),
		    "aangemaakt", (json_int_t)sqlite3_column_int64(st, 9));

		json_object_set_new(o, "ouder", sqlite3_column_type(st, 1) ==
		    SQLITE_NULL ? json_null() :
		    json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "auteur", member && naam != NULL &&
		    *naam != '\0' ? json_string(naam) : json_null());
		if (hidden)
			json_object_set_new(o, "verborgen", json_pack(
			    "{s:s, s:I}", "reden", (const char *)
			    sqlite3_column_text(st, 11), "op",
			    (json_int_t)sqlite3_column_int64(st, 10)));
		else {
			json_object_set_new(o, "verborgen", json_null());
			json_object_set_new(o, "tekst", json_string(
			    (const char *)sqlite3_column_text(st, 3)));
			json_object_set_new(o, "html", json_string(
			    (const char *)sqlite3_column_text(st, 4)));
		}
		json_array_append_new(out, o);
	}
	if (rc == -1) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/*
 * Hide reaction id on the pilot with primary key pilot: by user by (an
 * editor of the pilot's municipality: the caller checked), for reason
 * (checked). Hiding again replaces the reason. Returns 0, MEENT_NOTFOUND
 * or MEENT_ERR.
 */
int
reaction_store_hide(struct db *db, long pilot, long id, long by,
    const char *reason)
{
	sqlite3_stmt *st;

	st = db_stmt(db, "UPDATE pilot_reacties SET verborgen = ?1,"
	    " verborgen_door = ?2, verborgen_reden = ?3 WHERE id = ?4 AND"
	    " pilot = ?5");
	if (st == NULL)
		return MEENT_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	if (by != 0)
		sqlite3_bind_int64(st, 2, by);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	sqlite3_bind_int64(st, 5, pilot);
	if (db_step_done(db, st, "reaction_store_hide") == -1)
		return MEENT_ERR;
	if (sqlite3_changes(db_handle(db)) == 0)
		return MEENT_NOTFOUND;
	cache_bump();
	return 0;
}
