/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * "Mijn meldingen" (/mijn/meldingen): per kind of notification how a
 * signed-in person wants it -- niet, direct or in a weekly overview -- and
 * the saved pilot filters (size class, domain, province). The /pilots list
 * has a button that saves its current filters here ("Stuur mij nieuwe
 * pilots zoals deze"). Every change is a POST with the session's CSRF
 * token. What the choices mean and how mail goes out: domain/notify*.c.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

/*
 * Which kinds a person chooses for. Not access requests: each one is
 * mailed to the municipality's admins as it comes (invitation_request.c),
 * whatever they chose, since it waits for their decision; a choice here
 * would only add a second mail.
 */
static bool
web_notify_kind_shown(struct req *r, int k)
{
	(void)r;
	return k != NOTIFY_ACCESS;
}

/* One saved filter in words. */
static void
web_notify_filter_words(struct evbuffer *b, json_t *f)
{
	json_t *klasse = json_object_get(f, "grootteklasse");
	const char *dom = json_string_value(json_object_get(f, "domein"));
	const char *prov = json_string_value(json_object_get(f, "provincie"));
	char label[128], v[12];
	bool any = false;

	if (dom != NULL) {
		html_out(b, "domein %s", pilot_domain_label(dom, label,
		    sizeof label));
		any = true;
	}
	if (json_is_integer(klasse)) {
		snprintf(v, sizeof v, "%d", (int)json_integer_value(klasse));
		html_out(b, "%s%s inwoners", any ? ", " : "",
		    choice_label(municipality_classes, v));
		any = true;
	}
	if (prov != NULL) {
		html_out(b, "%sprovincie %s", any ? ", " : "", prov);
		any = true;
	}
	if (!any)
		html_out(b, "alle nieuwe pilots");
}

/* The saved filters, each with a button to remove it, and the add form. */
static void
web_notify_filters(struct req *r, struct evbuffer *b, json_t *filters,
    json_t *provinces)
{
	const struct config *cfg = r->ctx->cfg;
	const char *const *doms;
	char label[128];
	size_t i, ndom;
	json_t *f, *v;

	html_out(b, "<h2 id=\"filters\">Uw filters voor nieuwe pilots</h2>\n");
	if (json_array_size(filters) == 0)
		html_out(b, "<p>U heeft nog geen filters. Maak er hieronder "
		    "een, of kies op de <a href=\"/pilots\">lijst met pilots"
		    "</a> filters en klik op \"Stuur mij nieuwe pilots zoals "
		    "deze\".</p>\n");
	else {
		html_out(b, "<ul class=\"notify-filters\">\n");
		json_array_foreach(filters, i, f) {
			html_out(b, "<li>");
			web_notify_filter_words(b, f);
			html_out(b, " <form method=\"post\" class=\"inline\" "
			    "action=\"/mijn/meldingen/filters/%ld/"
			    "verwijderen\"><input type=\"hidden\" name=\"csrf\" "
			    "value=\"%s\"><button type=\"submit\">Verwijderen"
			    "</button></form></li>\n", (long)
			    json_integer_value(json_object_get(f, "id")),
			    r->who.csrf);
		}
		html_out(b, "</ul>\n");
	}
	doms = pilot_domains(&cfg->domeinen, &ndom);
	html_out(b, "<form method=\"post\" action=\"/mijn/meldingen/filters\">"
	    "\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<fieldset><legend>Nieuw filter</legend>\n"
	    "<p><label for=\"f-domein\">Domein</label><br><select "
	    "id=\"f-domein\" name=\"domein\">\n<option value=\"\">alle"
	    "</option>\n", r->who.csrf);
	for (i = 0; i < ndom; i++)
		html_out(b, "<option value=\"%s\">%s</option>\n", doms[i],
		    pilot_domain_label(doms[i], label, sizeof label));
	html_out(b, "</select></p>\n<p><label for=\"f-grootteklasse\">"
	    "Inwoners</label><br><select id=\"f-grootteklasse\" "
	    "name=\"grootteklasse\">\n<option value=\"\">alle</option>\n");
	for (const struct choice *c = municipality_classes; c->value != NULL;
	    c++)
		html_out(b, "<option value=\"%s\">%s inwoners</option>\n",
		    c->value, c->label);
	html_out(b, "</select></p>\n<p><label for=\"f-provincie\">Provincie"
	    "</label><br><select id=\"f-provincie\" name=\"provincie\">\n"
	    "<option value=\"\">alle</option>\n");
	json_array_foreach(provinces, i, v)
		html_out(b, "<option value=\"%s\">%s</option>\n",
		    json_string_value(v), json_string_value(v));
	html_out(b, "</select></p>\n<p><button type=\"submit\">Filter bewaren"
	    "</button></p>\n</fieldset>\n</form>\n");
}

/* The page, with a message (role status) or an error (role alert). */
static void
web_notify_page(struct req *r, int status, const char *message,
    const char *error)
{
	const char *modes[NOTIFY_KINDS];
	json_t *filters = NULL, *provinces = NULL;
	struct evbuffer *b;

	if (notify_prefs_get(r->db, r->who.user_id, modes) != 0 ||
	    (filters = notify_filters_list(r->db, r->who.user_id)) == NULL ||
	    (provinces = municipality_provinces(r->db)) == NULL) {
		json_decref(filters);
		reply_db_failed(r, "Uw meldingen konden niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, status >= 400 ? "Fout: meldingen" :
	    "Mijn meldingen");
	html_out(b, "<h1>Mijn meldingen</h1>\n");
	if (error != NULL)
		html_out(b, "<p class=\"error\" role=\"alert\">%s</p>\n", error);
	if (message != NULL)
		html_out(b, "<p role=\"status\">%s</p>\n", message);
	html_out(b, "<p>Kies waarover u een e-mail wilt krijgen, en hoe: "
	    "direct als het gebeurt, of één keer per week in een overzicht. "
	    "In elke e-mail staat een link om u af te melden.</p>\n"
	    "<form method=\"post\" action=\"/mijn/meldingen\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
	    r->who.csrf);
	for (int k = 0; k < NOTIFY_KINDS; k++) {
		if (!web_notify_kind_shown(r, k))
			continue;
		html_out(b, "<fieldset><legend>%s</legend>\n",
		    notify_kinds[k].label);
		for (const struct choice *m = notify_modes; m->value != NULL;
		    m++) {
			html_out(b, "<p><input type=\"radio\" id=\"%s-%s\" "
			    "name=\"%s\" value=\"%s\"", notify_kinds[k].value,
			    m->value, notify_kinds[k].value, m->value);
			html_attr_if(b, strcmp(modes[k], m->value) == 0,
			    " checked");
			html_out(b, "> <label for=\"%s-%s\">%s</label></p>\n",
			    notify_kinds[k].value, m->value, m->label);
		}
		if (k == NOTIFY_PILOTS)
			html_out(b, "<p>Welke pilots: zie <a href=\"#filters\">"
			    "uw filters</a>.</p>\n");
		html_out(b, "</fieldset>\n");
	}
	html_out(b, "<p><button type=\"submit\">Keuzes opslaan</button></p>\n"
	    "</form>\n");
	web_notify_filters(r, b, filters, provinces);
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(filters);
	json_decref(provinces);
}

/* GET /mijn/meldingen */
void
web_notify_show(struct req *r)
{
	struct evbuffer *b;

	if (r->who.kind == PRINCIPAL_SESSION) {
		web_notify_page(r, 200, NULL, NULL);
		return;
	}
	/* An API token is a municipality's, not a person's. */
	b = evbuffer_new();
	web_page_start(r, b, "Mijn meldingen");
	html_out(b, "<h1>Mijn meldingen</h1>\n<p>Meldingen horen bij een "
	    "persoon met een account. Log in op de website om te kiezen "
	    "waarover u e-mail krijgt.</p>\n");
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
}

/* POST /mijn/meldingen: one mode per kind shown; absent ones stay. */
void
web_notify_save(struct req *r)
{
	struct evkeyvalq form;
	const char *v;
	int k, rc = 0;

	if (web_form_checked(r, &form) == -1)
		return;
	for (k = 0; k < NOTIFY_KINDS; k++) {
		v = evhttp_find_header(&form, notify_kinds[k].value);
		if (v != NULL && (!choice_valid(notify_modes, v) ||
		    !web_notify_kind_shown(r, k))) {
			evhttp_clear_headers(&form);
			web_notify_page(r, 400, NULL, "Kies bij elke soort "
			    "melding: niet, direct of wekelijks.");
			return;
		}
	}
	if (db_begin(r->db) == -1)
		rc = MEENT_ERR;
	for (k = 0; rc == 0 && k < NOTIFY_KINDS; k++)
		if ((v = evhttp_find_header(&form, notify_kinds[k].value)) !=
		    NULL)
			rc = notify_prefs_set(r->db, r->who.user_id,
			    (enum notify_kind)k, v);
	evhttp_clear_headers(&form);
	if (rc != 0 || db_commit(r->db) == -1) {
		db_rollback(r->db);
		reply_db_failed(r, "Uw keuzes konden niet opgeslagen worden.");
		return;
	}
	web_notify_page(r, 200, "Uw keuzes zijn opgeslagen.", NULL);
}

/*
 * A filter's fields, checked: domein one of the domains, grootteklasse
 * 1..8, provincie one of the provinces (its usual spelling into prov);
 * empty or absent is "any". 0, 1 (invalid: *why set), or -1 (database).
 */
static int
web_notify_filter_read(struct req *r, struct evkeyvalq *form,
    const char **dom, int *klasse, char *prov, size_t provsize,
    const char **why)
{
	const struct config *cfg = r->ctx->cfg;
	const char *d = evhttp_find_header(form, "domein");
	const char *k = evhttp_find_header(form, "grootteklasse");
	const char *p = evhttp_find_header(form, "provincie");
	const char *const *doms;
	size_t ndom;
	char *end;
	long n;
	int rc;

	*dom = NULL;
	*klasse = 0;
	*prov = '\0';
	if (d != NULL && *d != '\0') {
		doms = pilot_domains(&cfg->domeinen, &ndom);
		for (size_t i = 0; i < ndom && *dom == NULL; i++)
			if (strcmp(d, doms[i]) == 0)
				*dom = doms[i];
		if (*dom == NULL) {
			*why = "Dit domein bestaat niet.";
			return 1;
		}
	}
	if (k != NULL && *k != '\0') {
		n = strtol(k, &end, 10);
		if (*end != '\0' || n < 1 || n > 8) {
			*why = "Kies een aantal inwoners uit de lijst.";
			return 1;
		}
		*klasse = (int)n;
	}
	if (p != NULL && *p != '\0') {
		rc = strlen(p) <= 64 ? municipality_province_find(r->db, p,
		    prov, provsize) : 0;
		if (rc == -1)
			return -1;
		if (rc == 0) {
			*why = "Deze provincie bestaat niet.";
			return 1;
		}
	}
	return 0;
}

/* POST /mijn/meldingen/filters: save a filter (the form or /pilots). */
void
web_notify_filter_add(struct req *r)
{
	struct evkeyvalq form;
	const char *dom, *why = NULL, *modes[NOTIFY_KINDS];
	char prov[65];
	int klasse, rc;

	if (web_form_checked(r, &form) == -1)
		return;
	rc = web_notify_filter_read(r, &form, &dom, &klasse, prov,
	    sizeof prov, &why);
	if (rc == 0)
		rc = notify_filter_add(r->db, r->who.user_id, klasse, dom,
		    *prov != '\0' ? prov : NULL);
	/*
	 * Asking for pilots "like these" while getting none: weekly, the
	 * quieter of the two, which the page says and the person can change.
	 */
	if (rc == 0 && (rc = notify_prefs_get(r->db, r->who.user_id,
	    modes)) == 0 && strcmp(modes[NOTIFY_PILOTS], "niet") == 0)
		rc = notify_prefs_set(r->db, r->who.user_id, NOTIFY_PILOTS,
		    "wekelijks");
	evhttp_clear_headers(&form);
	if (rc == 1)
		web_notify_page(r, 400, NULL, why);
	else if (rc == MEENT_CONFLICT)
		web_notify_page(r, 400, NULL, "U heeft al 20 filters. "
		    "Verwijder er eerst een.");
	else if (rc != 0)
		reply_db_failed(r, "Het filter kon niet bewaard worden.");
	else
		web_notify_page(r, 200, "Het filter is bewaard. Nieuwe pilots "
		    "die erbij passen krijgt u zoals hieronder gekozen bij "
		    "\"Nieuwe pilots\".", NULL);
}

/* POST /mijn/meldingen/filters/{id}/verwijderen */
void
web_notify_filter_remove(struct req *r)
{
	struct evkeyvalq form;
	char *end;
	long id;
	int rc;

	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	id = strtol(r->params[0], &end, 10);
	if (*end != '\0' || id <= 0 || strlen(r->params[0]) > 18) {
		reply_problem(r, 404, "Niet gevonden", "Dit filter bestaat "
		    "niet.");
		return;
	}
	rc = notify_filter_remove(r->db, r->who.user_id, id);
	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Dit filter bestaat "
		    "niet (meer).");
	else if (rc != 0)
		reply_db_failed(r, "Het filter kon niet verwijderd worden.");
	else
		web_notify_page(r, 200, "Het filter is verwijderd.", NULL);
}

/*
 * On /pilots, for a signed-in person: a button that saves the list's
 * current filters (each NULL/0 for any).
 */
void
web_notify_filter_button(struct req *r, struct evbuffer *b, const char *dom,
    int klasse, const char *prov)
{
	if (r->who.kind != PRINCIPAL_SESSION)
		return;
	html_out(b, "<form method=\"post\" action=\"/mijn/meldingen/filters\" "
	    "class=\"notify-save\">\n<input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\">\n", r->who.csrf);
	if (dom != NULL)
		html_out(b, "<input type=\"hidden\" name=\"domein\" "
		    "value=\"%s\">\n", dom);
	if (klasse > 0)
		html_out(b, "<input type=\"hidden\" name=\"grootteklasse\" "
		    "value=\"%d\">\n", klasse);
	if (prov != NULL)
		html_out(b, "<input type=\"hidden\" name=\"provincie\" "
		    "value=\"%s\">\n", prov);
	html_out(b, "<p><button type=\"submit\">Stuur mij nieuwe pilots zoals "
	    "deze</button></p>\n</form>\n");
}
