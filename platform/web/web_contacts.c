/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Contact persons on the web: the list (/contactpersonen, by domain and
 * municipality), the form where a signed-in person offers to be one and
 * sees and withdraws their offers, and the pieces the municipality's page
 * and a pilot's page show (model_contacts.c has the rules).
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

/* What an entry is for, in words. */
static void
web_contacts_subject(struct evbuffer *b, json_t *c)
{
	const char *soort = json_string_value(json_object_get(c, "soort"));
	json_t *pilot = json_object_get(c, "pilot");
	char label[128];

	if (strcmp(soort, "pilot") == 0 && json_is_object(pilot))
		html_out(b, "de pilot <a href=\"/pilots/%s\">%s</a>",
		    json_string_value(json_object_get(pilot, "id")),
		    json_string_value(json_object_get(pilot, "titel")));
	else if (strcmp(soort, "domein") == 0)
		html_out(b, "het domein %s", pilot_domain_label(
		    json_string_value(json_object_get(c, "domein")), label,
		    sizeof label));
	else
		html_out(b, "de gemeente %s", json_string_value(
		    json_object_get(c, "gemeenteNaam")));
}

/* A withdraw button for the person's own entry. */
static void
web_contacts_withdraw_button(struct req *r, struct evbuffer *b, json_t *c)
{
	if (r->who.kind != PRINCIPAL_SESSION ||
	    !json_is_true(json_object_get(c, "eigen")))
		return;
	html_out(b, "<form method=\"post\" action=\"/contactpersonen/%ld/"
	    "intrekken\" class=\"inline\">\n<input type=\"hidden\" "
	    "name=\"csrf\" value=\"%s\">\n<button type=\"submit\">Aanmelding "
	    "intrekken</button>\n</form>\n", (long)json_integer_value(
	    json_object_get(c, "id")), r->who.csrf);
}

/*
 * The entries of items as a list; with_gemeente names each one's
 * municipality. Nothing for an empty list.
 */
void
web_contacts_items(struct req *r, struct evbuffer *b, json_t *items,
    bool with_gemeente)
{
	size_t i;
	json_t *c;

	if (json_array_size(items) == 0)
		return;
	html_out(b, "<ul class=\"contacts\">\n");
	json_array_foreach(items, i, c) {
		const char *email = json_string_value(json_object_get(c,
		    "email"));

		html_out(b, "<li id=\"contact-%ld\"><strong>%s</strong>, %s",
		    (long)json_integer_value(json_object_get(c, "id")),
		    json_string_value(json_object_get(c, "naam")),
		    json_string_value(json_object_get(c, "functie")));
		if (with_gemeente)
			html_out(b, " (<a href=\"/gemeenten/%s\">%s</a>)",
			    json_string_value(json_object_get(c, "gemeente")),
			    json_string_value(json_object_get(c,
			    "gemeenteNaam")));
		html_out(b, "<br>\nContact voor ");
		web_contacts_subject(b, c);
		html_out(b, "<br>\n<a href=\"mailto:%s\">%s</a>\n"
		    "<p class=\"hulp\">Kan helpen met: %s</p>\n", email, email,
		    json_string_value(json_object_get(c, "hulp")));
		if (!json_is_true(json_object_get(c, "openbaar")))
			html_out(b, "<p class=\"meta\">Alleen zichtbaar voor "
			    "ingelogde gebruikers.</p>\n");
		web_contacts_withdraw_button(r, b, c);
		html_out(b, "</li>\n");
	}
	html_out(b, "</ul>\n");
}

/*
 * A pilot's "Contact" line: its contact persons when it has any, else the
 * team text the pilot gives (contact), as before.
 */
void
web_contacts_pilot_fact(struct req *r, struct evbuffer *b,
    const char *contact, json_t *items)
{
	if (json_array_size(items) == 0) {
		if (contact != NULL && *contact != '\0')
			html_out(b, "<dt>Contact</dt><dd>%s</dd>\n", contact);
		return;
	}
	html_out(b, "<dt>Contact</dt><dd id=\"contactpersonen\">");
	web_contacts_items(r, b, items, true);
	html_out(b, "</dd>\n");
}

/* The municipality page's section: its contact persons as the viewer sees. */
void
web_contacts_municipality(struct req *r, struct evbuffer *b,
    const char *code, json_t *items, long total)
{
	html_out(b, "<section aria-labelledby=\"contactpersonen\">\n"
	    "<h2 id=\"contactpersonen\">Contactpersonen</h2>\n");
	if (total == 0)
		html_out(b, "<p>Deze gemeente heeft %scontactpersonen.</p>\n",
		    r->who.kind == PRINCIPAL_ANONYMOUS ? "nog geen openbare " :
		    "nog geen ");
	web_contacts_items(r, b, items, false);
	if (total > (long)json_array_size(items))
		html_out(b, "<p><a href=\"/contactpersonen?gemeente=%s\">Alle "
		    "%ld contactpersonen</a></p>\n", code, total);
	if (r->who.kind == PRINCIPAL_ANONYMOUS)
		html_out(b, "<p>Na <a href=\"/inloggen\">inloggen</a> ziet u "
		    "ook de contactpersonen die alleen voor leden zichtbaar "
		    "zijn.</p>\n");
	else if (r->who.kind == PRINCIPAL_SESSION &&
	    strcmp(r->who.gemeente, code) == 0)
		html_out(b, "<p><a href=\"/contactpersonen/aanmelden\">Meld u "
		    "aan als contactpersoon</a></p>\n");
	html_out(b, "</section>\n");
}

/* The filter form of the list. */
static void
web_contacts_filters(struct req *r, struct evbuffer *b,
    const struct contact_query *q)
{
	size_t ndom;
	const char *const *doms = pilot_domains(&r->ctx->cfg->domeinen,
	    &ndom);
	char label[128];

	html_out(b, "<form method=\"get\" action=\"/contactpersonen\" "
	    "class=\"filters\">\n<p><label for=\"domein\">Domein</label>\n"
	    "<select id=\"domein\" name=\"domein\">\n<option value=\"\">Alle "
	    "domeinen</option>\n");
	for (size_t i = 0; i < ndom; i++) {
		html_out(b, "<option value=\"%s\"", doms[i]);
		html_attr_if(b, q->domein != NULL && strcmp(q->domein,
		    doms[i]) == 0, " selected");
		html_out(b, ">%s</option>\n", pilot_domain_label(doms[i], label,
		    sizeof label));
	}
	html_out(b, "</select></p>\n<p><label for=\"gemeente\">Gemeentecode "
	    "(zoals GM0275)</label>\n<input id=\"gemeente\" name=\"gemeente\" "
	    "maxlength=\"6\" size=\"8\" value=\"%s\"></p>\n<p><button "
	    "type=\"submit\">Tonen</button></p>\n</form>\n",
	    q->gemeente != NULL ? q->gemeente : "");
}

/* GET /contactpersonen: everyone's, filtered by domain and municipality. */
void
web_contacts_list(struct req *r)
{
	struct contact_query q;
	struct evbuffer *b;
	json_t *items = NULL;
	long total = 0;
	int status = 200;

	model_contacts_query(r, &q);
	if (req_has_invalid(r))
		status = 400;
	else if (model_contacts_list(r, &q, &items, &total) != 0) {
		reply_db_failed(r, "De contactpersonen konden niet gelezen "
		    "worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Contactpersonen");
	html_out(b, "<h1>Contactpersonen</h1>\n<p>Mensen bij gemeenten die "
	    "willen vertellen over hun werk: over hun gemeente, een domein of "
	    "een pilot.</p>\n");
	if (status != 200)
		web_page_errors(b, r->invalid);
	web_contacts_filters(r, b, &q);
	if (status == 200) {
		html_out(b, "<p>%ld %s.</p>\n", total, total == 1 ?
		    "contactpersoon" : "contactpersonen");
		web_contacts_items(r, b, items, true);
		web_page_pager(r, b, q.page, q.page_size, total);
	}
	if (r->who.kind == PRINCIPAL_ANONYMOUS)
		html_out(b, "<p>Na <a href=\"/inloggen\">inloggen</a> ziet u "
		    "ook wie alleen voor leden zichtbaar wil zijn.</p>\n");
	else
		html_out(b, "<p><a href=\"/contactpersonen/aanmelden\">Meld u "
		    "aan als contactpersoon</a></p>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(items);
}

/* A field's error, next to it. */
static void
web_contacts_field_error(struct req *r, struct evbuffer *b, const char *name)
{
	const char *why = req_invalid_reason(r->invalid, name);

	if (why != NULL)
		html_out(b, "<p class=\"field-error\" id=\"%s-fout\">%s</p>\n",
		    name, why);
}

static const char *
web_contacts_value(struct evkeyvalq *form, const char *name)
{
	const char *v = form != NULL ? evhttp_find_header(form, name) : NULL;

	return v != NULL ? v : "";
}

/*
 * The offer form (with what was sent, form, after an error) and the
 * person's own entries. status: 200, or 400 with r->invalid.
 */
static void
web_contacts_form_page(struct req *r, int status, struct evkeyvalq *form)
{
	struct contact_query q = { .page = 1, .page_size = 100,
	    .member = true };
	const char *soort = web_contacts_value(form, "soort");
	const char *domein = web_contacts_value(form, "domein");
	const char *pilot = web_contacts_value(form, "pilot");
	const char *notice = req_query(r, "klaar");
	json_t *own = NULL, *pilots, *v;
	struct evbuffer *b;
	size_t i, ndom;
	const char *const *doms = pilot_domains(&r->ctx->cfg->domeinen,
	    &ndom);
	char label[128];
	long total;

	/* An API token is nobody: no entries of its own (it cannot post). */
	q.user_id = r->who.kind == PRINCIPAL_SESSION ? r->who.user_id : -1;
	q.own = r->who.gemeente;
	if (model_contacts_list(r, &q, &own, &total) != 0 ||
	    (pilots = contact_store_pilots(r->db, r->who.gemeente)) == NULL) {
		json_decref(own);
		reply_db_failed(r, "Uw aanmeldingen konden niet gelezen "
		    "worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Contactpersoon worden");
	html_out(b, "<h1>Contactpersoon worden</h1>\n");
	if (notice != NULL && strcmp(notice, "aangemeld") == 0)
		html_out(b, "<p class=\"notice\" role=\"status\">U bent "
		    "aangemeld als contactpersoon.</p>\n");
	else if (notice != NULL && strcmp(notice, "ingetrokken") == 0)
		html_out(b, "<p class=\"notice\" role=\"status\">Uw aanmelding "
		    "is ingetrokken.</p>\n");
	html_out(b, "<h2>Uw aanmeldingen</h2>\n");
	if (json_array_size(own) == 0)
		html_out(b, "<p>U bent nog geen contactpersoon.</p>\n");
	web_contacts_items(r, b, own, false);
	html_out(b, "<h2>Aanmelden</h2>\n<p>Collega's bij andere gemeenten "
	    "kunnen u dan vragen stellen. U krijgt een e-mail bij vragen en "
	    "reacties op pilots waarvoor u contactpersoon bent.</p>\n");
	if (status != 200)
		web_page_errors(b, r->invalid);
	html_out(b, "<form method=\"post\" action=\"/contactpersonen/"
	    "aanmelden\">\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<fieldset id=\"soort\"><legend>Waarvoor?</legend>\n", r->who.csrf);
	web_contacts_field_error(r, b, "soort");
	for (i = 0; contact_kinds[i].value != NULL; i++) {
		html_out(b, "<p><input type=\"radio\" name=\"soort\" "
		    "id=\"soort-%s\" value=\"%s\"", contact_kinds[i].value,
		    contact_kinds[i].value);
		html_attr_if(b, strcmp(soort, contact_kinds[i].value) == 0 ||
		    (*soort == '\0' && i == 0), " checked");
		html_out(b, "> <label for=\"soort-%s\">%s (%s)</label></p>\n",
		    contact_kinds[i].value, contact_kinds[i].label,
		    contact_kinds[i].hint);
	}
	html_out(b, "</fieldset>\n<p><label for=\"domein\">Domein (als u "
	    "contactpersoon wordt voor een domein)</label>\n");
	web_contacts_field_error(r, b, "domein");
	html_out(b, "<select id=\"domein\" name=\"domein\">\n<option "
	    "value=\"\">Kies een domein</option>\n");
	for (i = 0; i < ndom; i++) {
		html_out(b, "<option value=\"%s\"", doms[i]);
		html_attr_if(b, strcmp(domein, doms[i]) == 0, " selected");
		html_out(b, ">%s</option>\n", pilot_domain_label(doms[i], label,
		    sizeof label));
	}
	html_out(b, "</select></p>\n<p><label for=\"pilot\">Pilot (als u "
	    "contactpersoon wordt voor een pilot van uw gemeente)</label>\n");
	web_contacts_field_error(r, b, "pilot");
	html_out(b, "<select id=\"pilot\" name=\"pilot\">\n<option value=\"\">"
	    "Kies een pilot</option>\n");
	json_array_foreach(pilots, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		html_out(b, "<option value=\"%s\"", id);
		html_attr_if(b, strcmp(pilot, id) == 0, " selected");
		html_out(b, ">%s</option>\n", json_string_value(
		    json_object_get(v, "titel")));
	}
	html_out(b, "</select></p>\n");
	html_out(b, "<p><label for=\"naam\">Uw naam</label>\n");
	web_contacts_field_error(r, b, "naam");
	html_out(b, "<input id=\"naam\" name=\"naam\" maxlength=\"%d\" "
	    "autocomplete=\"name\" value=\"%s\"></p>\n", CONTACT_NAME_MAX,
	    web_contacts_value(form, "naam"));
	html_out(b, "<p><label for=\"functie\">Uw functie</label>\n");
	web_contacts_field_error(r, b, "functie");
	html_out(b, "<input id=\"functie\" name=\"functie\" maxlength=\"%d\" "
	    "autocomplete=\"organization-title\" value=\"%s\"></p>\n",
	    CONTACT_FUNCTION_MAX, web_contacts_value(form, "functie"));
	html_out(b, "<p><label for=\"email\">Uw e-mailadres op het werk"
	    "</label>\n");
	web_contacts_field_error(r, b, "email");
	html_out(b, "<input id=\"email\" name=\"email\" type=\"email\" "
	    "maxlength=\"%d\" autocomplete=\"email\" value=\"%s\"></p>\n",
	    MAIL_ADDRESS_MAX, web_contacts_value(form, "email"));
	html_out(b, "<p><label for=\"hulp\">Waarmee kunt u helpen?</label>\n");
	web_contacts_field_error(r, b, "hulp");
	html_out(b, "<textarea id=\"hulp\" name=\"hulp\" rows=\"4\" "
	    "maxlength=\"%d\">%s</textarea></p>\n", CONTACT_HELP_MAX,
	    web_contacts_value(form, "hulp"));
	html_out(b, "<p><input type=\"checkbox\" id=\"openbaar\" "
	    "name=\"openbaar\" value=\"1\"");
	html_attr_if(b, *web_contacts_value(form, "openbaar") != '\0',
	    " checked");
	html_out(b, "> <label for=\"openbaar\">Iedereen mag mij zien, ook wie "
	    "niet is ingelogd. Zonder vinkje zien alleen ingelogde gebruikers "
	    "u.</label></p>\n<p><button type=\"submit\">Aanmelden</button>"
	    "</p>\n</form>\n<p><a href=\"/contactpersonen\">Alle "
	    "contactpersonen</a></p>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(own);
	json_decref(pilots);
}

/* GET /contactpersonen/aanmelden */
void
web_contacts_form(struct req *r)
{
	web_contacts_form_page(r, 200, NULL);
}

/* POST /contactpersonen/aanmelden */
void
web_contacts_offer(struct req *r)
{
	struct evkeyvalq form;
	struct contact c = { 0 };
	long id;
	int rc;

	if (r->who.kind != PRINCIPAL_SESSION) {
		reply_problem(r, 403, "Verboden", "Alleen een ingelogde "
		    "gebruiker kan contactpersoon worden.");
		return;
	}
	if (web_form_checked(r, &form) == -1)
		return;
	c.soort = evhttp_find_header(&form, "soort");
	c.domein = evhttp_find_header(&form, "domein");
	c.pilot = evhttp_find_header(&form, "pilot");
	c.naam = evhttp_find_header(&form, "naam");
	c.functie = evhttp_find_header(&form, "functie");
	c.email = evhttp_find_header(&form, "email");
	c.hulp = xstrdup(web_contacts_value(&form, "hulp"));
	c.openbaar = evhttp_find_header(&form, "openbaar") != NULL;
	rc = model_contacts_offer(r, &c, &id);
	free(c.hulp);
	if (rc == 0)
		reply_redirect(r, "/contactpersonen/aanmelden?klaar=aangemeld");
	else if (rc == MEENT_INVALID)
		web_contacts_form_page(r, 400, &form);
	else
		reply_db_failed(r, "Uw aanmelding kon niet opgeslagen worden.");
	evhttp_clear_headers(&form);
}

/* POST /contactpersonen/{id}/intrekken: only one's own entry. */
void
web_contacts_withdraw(struct req *r)
{
	struct evkeyvalq form;
	long id = req_number(r->params[0]);
	int rc;

	if (r->who.kind != PRINCIPAL_SESSION) {
		reply_problem(r, 403, "Verboden", "Alleen een ingelogde "
		    "gebruiker kan een aanmelding intrekken.");
		return;
	}
	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	rc = id > 0 ? contact_store_withdraw(r->db, id, r->who.user_id) :
	    MEENT_NOTFOUND;
	if (rc == 0) {
		log_emit(LOG_INFO, "contact.withdraw", "contact %ld withdrawn",
		    id);
		reply_redirect(r, "/contactpersonen/aanmelden?klaar="
		    "ingetrokken");
	} else if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "U heeft geen "
		    "aanmelding met dit nummer.");
	else
		reply_db_failed(r, "Uw aanmelding kon niet ingetrokken "
		    "worden.");
}
