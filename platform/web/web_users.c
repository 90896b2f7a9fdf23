/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * "Gebruikers" (/mijn/gebruikers), for a municipality's admin: invite a
 * colleague (web_users_invite.c), the open access requests
 * (web_access_request.c), the open invitations, and the accounts with
 * their role, state and last login, where a role is changed and an
 * account disabled or enabled again.
 *
 * Everything is the admin's own municipality's (r->who.gemeente): another
 * municipality's user, invitation or request is 404, as if it did not
 * exist (user_store.c, invitation.c). The last enabled admin of a
 * municipality can be neither demoted nor disabled (409). A change
 * answers with a redirect to the page and a notice (?melding=, a closed
 * set); a refusal shows the page again with the reason, nothing changed.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

/* What a change left to say (?melding=). */
static const struct choice web_users_notices[] = {
	{ "uitgenodigd", "De uitnodiging is verstuurd. De link werkt 7 dagen.",
	    NULL },
	{ "ingetrokken", "De uitnodiging is ingetrokken. De link werkt niet "
	    "meer.", NULL },
	{ "rol", "De rol is gewijzigd.", NULL },
	{ "geblokkeerd", "Het account is geblokkeerd. Wie ermee ingelogd was, "
	    "is uitgelogd.", NULL },
	{ "gedeblokkeerd", "Het account kan weer inloggen.", NULL },
	{ "aangenomen", "De aanvraag is aangenomen: er is een uitnodiging "
	    "verstuurd.", NULL },
	{ "afgewezen", "De aanvraag is afgewezen. De aanvrager krijgt daarover "
	    "een e-mail.", NULL },
	{ "heeft-account", "Dit adres heeft al een account. De aanvraag is "
	    "gesloten; er is geen uitnodiging verstuurd.", NULL },
	{ NULL, NULL, NULL }
};

/* The role choices as <option>s, selected selected (or none: ""). */
static void
web_users_role_options(struct evbuffer *b, const char *selected)
{
	for (const struct choice *c = role_choices; c->value != NULL; c++) {
		html_out(b, "<option value=\"%s\"", c->value);
		html_attr_if(b, strcmp(c->value, selected) == 0, " selected");
		html_out(b, ">%s</option>\n", c->label);
	}
}

/* The invitation form: email and role as typed (error: about email). */
static void
web_users_invite_form(struct req *r, struct evbuffer *b, const char *email,
    const char *rol, const char *error)
{
	html_out(b, "<section aria-labelledby=\"uitnodigen\">\n"
	    "<h2 id=\"uitnodigen\">Een collega uitnodigen</h2>\n"
	    "<p>Uw collega krijgt een e-mail met een link. Daarmee kiest hij "
	    "of zij een naam en een wachtwoord. De link werkt %d dagen, en "
	    "maar één keer.</p>\n<form method=\"post\" "
	    "action=\"/mijn/gebruikers/uitnodigen\">\n<input type=\"hidden\" "
	    "name=\"csrf\" value=\"%s\">\n<p><label for=\"email\">E-mailadres"
	    "</label><br>", INVITATION_DAYS, r->who.csrf);
	if (error != NULL)
		html_out(b, "<span class=\"error\" id=\"email-fout\">%s</span>"
		    "<br>", error);
	html_out(b, "<input id=\"email\" name=\"email\" type=\"email\" "
	    "autocomplete=\"off\" required maxlength=\"%d\" value=\"%s\"",
	    MAIL_ADDRESS_MAX, email);
	html_attr_if(b, error != NULL, " aria-invalid=\"true\" "
	    "aria-describedby=\"email-fout\"");
	html_out(b, "></p>\n<p><label for=\"rol\">Rol</label><br>"
	    "<select id=\"rol\" name=\"rol\" aria-describedby=\"rol-uitleg\">"
	    "\n");
	web_users_role_options(b, rol);
	html_out(b, "</select></p>\n<ul id=\"rol-uitleg\">\n");
	for (const struct choice *c = role_choices; c->value != NULL; c++)
		html_out(b, "<li><strong>%s</strong>: %s</li>\n", c->label,
		    c->hint);
	html_out(b, "</ul>\n<p><button type=\"submit\">Uitnodiging versturen"
	    "</button></p>\n</form>\n</section>\n");
}

/* The open invitations, each with a button that cancels it. */
static void
web_users_invitations(struct req *r, struct evbuffer *b, json_t *list)
{
	char date[NL_DATE_MAX];
	json_t *v;
	size_t i;

	html_out(b, "<section aria-labelledby=\"uitnodigingen\">\n"
	    "<h2 id=\"uitnodigingen\">Open uitnodigingen</h2>\n");
	if (json_array_size(list) == 0) {
		html_out(b, "<p>Er staan geen uitnodigingen open.</p>\n"
		    "</section>\n");
		return;
	}
	html_out(b, "<ul class=\"accounts\">\n");
	json_array_foreach(list, i, v) {
		long id = (long)json_integer_value(json_object_get(v, "id"));

		nl_datetime(date, sizeof date, (time_t)json_integer_value(
		    json_object_get(v, "verloopt")));
		html_out(b, "<li>%s, als %s, werkt tot %s\n"
		    "<form method=\"post\" action=\"/mijn/uitnodigingen/%ld/"
		    "intrekken\">\n<input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\">\n<button type=\"submit\" "
		    "aria-label=\"Intrekken: %s\">Intrekken</button></form>"
		    "</li>\n", json_string_value(json_object_get(v, "email")),
		    choice_label(role_choices, json_string_value(
		    json_object_get(v, "rol"))), date, id, r->who.csrf,
		    json_string_value(json_object_get(v, "email")));
	}
	html_out(b, "</ul>\n</section>\n");
}

/* One account: what it is, and the forms that change it. */
static void
web_users_one(struct req *r, struct evbuffer *b, json_t *v)
{
	long id = (long)json_integer_value(json_object_get(v, "id"));
	const char *naam = json_string_value(json_object_get(v, "naam"));
	const char *email = json_string_value(json_object_get(v, "email"));
	const char *rol = json_string_value(json_object_get(v, "rol"));
	json_t *last = json_object_get(v, "laatstIngelogd");
	bool blocked = json_is_true(json_object_get(v, "geblokkeerd"));
	char date[NL_DATE_MAX];

	html_out(b, "<li><h3>%s</h3>\n<dl class=\"facts\">\n"
	    "<dt>E-mailadres</dt><dd>%s</dd>\n<dt>Rol</dt><dd>%s</dd>\n"
	    "<dt>Status</dt><dd>%s</dd>\n<dt>Laatst ingelogd</dt><dd>%s</dd>\n"
	    "</dl>\n", naam[0] != '\0' ? naam : email, email,
	    choice_label(role_choices, rol), blocked ? "geblokkeerd" :
	    "actief", json_is_integer(last) ? nl_datetime(date, sizeof date,
	    (time_t)json_integer_value(last)) : "nog nooit");
	html_out(b, "<form method=\"post\" action=\"/mijn/gebruikers/%ld/rol\">"
	    "\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<p><label for=\"rol-%ld\">Nieuwe rol voor %s</label><br>"
	    "<select id=\"rol-%ld\" name=\"rol\">\n", id, r->who.csrf, id,
	    email, id);
	web_users_role_options(b, rol);
	html_out(b, "</select> <button type=\"submit\">Rol wijzigen</button>"
	    "</p>\n</form>\n<form method=\"post\" action=\"/mijn/gebruikers/"
	    "%ld/%s\">\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<p><button type=\"submit\" aria-label=\"%s: %s\">%s</button>"
	    "</p>\n</form></li>\n", id, blocked ? "deblokkeren" :
	    "blokkeren", r->who.csrf, blocked ? "Deblokkeren" : "Blokkeren",
	    email, blocked ? "Deblokkeren" : "Blokkeren");
}

/*
 * The page with status: error (or NULL) is why the last form was refused;
 * email and rol are what the invitation form holds.
 */
void
web_users_page(struct req *r, int status, const char *error,
    const char *email, const char *rol)
{
	json_t *users = NULL, *invitations = NULL, *requests = NULL, *v;
	const struct choice *notice = NULL;
	struct evbuffer *b;
	int page = 1, size = 50;
	long total = 0;
	size_t i;

	if (r->method == EVHTTP_REQ_GET && req_page(r, &page, &size) == -1) {
		reply_invalid(r);
		return;
	}
	if ((users = user_store_list(r->db, r->who.gemeente, page, size,
	    &total)) == NULL ||
	    (invitations = invitation_list_open(r->db, r->who.gemeente)) ==
	    NULL ||
	    (requests = invitation_request_list(r->db, r->who.gemeente)) ==
	    NULL) {
		json_decref(users);
		json_decref(invitations);
		reply_db_failed(r, "De gebruikers kunnen nu niet worden "
		    "gelezen.");
		return;
	}
	if (status == 200)
		notice = choice_find(web_users_notices, req_query(r,
		    "melding"));
	b = evbuffer_new();
	web_page_start(r, b, "Gebruikers");
	html_out(b, "<h1>Gebruikers van %s</h1>\n", r->who.gemeente_naam[0] !=
	    '\0' ? r->who.gemeente_naam : r->who.gemeente);
	if (notice != NULL)
		html_out(b, "<div class=\"notice\" role=\"status\"><p>%s</p>"
		    "</div>\n", notice->label);
	if (error != NULL)
		html_out(b, "<div class=\"error-summary\" role=\"alert\" "
		    "tabindex=\"-1\"><h2>Dit kan zo niet</h2><p>%s</p></div>\n",
		    error);
	web_users_invite_form(r, b, email, rol, status == 400 &&
	    email[0] != '\0' ? error : NULL);
	web_access_request_section(r, b, requests);
	web_users_invitations(r, b, invitations);
	html_out(b, "<section aria-labelledby=\"accounts\">\n"
	    "<h2 id=\"accounts\">Accounts (%ld)</h2>\n"
	    "<ul class=\"accounts\">\n", total);
	json_array_foreach(users, i, v)
		web_users_one(r, b, v);
	html_out(b, "</ul>\n");
	web_page_pager(r, b, page, size, total);
	html_out(b, "</section>\n");
	web_page_end(b);
	reply_header(r, "Cache-Control", "no-store");
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(users);
	json_decref(invitations);
	json_decref(requests);
}

/* GET /mijn/gebruikers */
void
web_users_list(struct req *r)
{
	web_users_page(r, 200, NULL, "", "viewer");
}

/* The id in the path ({id}), or -1 after replying 404. */
long
web_users_target(struct req *r)
{
	long id = req_number(r->params[0]);

	if (id < 0)
		reply_problem(r, 404, "Niet gevonden", "Dit bestaat niet, of "
		    "hoort niet bij uw gemeente.");
	return id;
}

/* The admin's own user id of the path into *u; -1 after replying. */
static int
web_users_load(struct req *r, struct user_row *u)
{
	long id = web_users_target(r);
	int rc;

	if (id < 0)
		return -1;
	rc = user_store_get(r->db, id, r->who.gemeente, u);
	if (rc == MEENT_ERR)
		reply_db_failed(r, "De gebruiker kan nu niet worden gelezen.");
	else if (rc != MEENT_OK)
		reply_problem(r, 404, "Niet gevonden", "Deze gebruiker bestaat "
		    "niet, of hoort niet bij uw gemeente.");
	return rc == MEENT_OK ? 0 : -1;
}

/* The answer to a change of user_store: rc, and the notice on success. */
static void
web_users_changed(struct req *r, int rc, const char *melding)
{
	char *to;

	switch (rc) {
	case MEENT_OK:
		to = xasprintf("/mijn/gebruikers?melding=%s", melding);
		reply_redirect(r, to);
		free(to);
		break;
	case MEENT_NOTFOUND:
		reply_problem(r, 404, "Niet gevonden", "Deze gebruiker bestaat "
		    "niet, of hoort niet bij uw gemeente.");
		break;
	case USER_LAST_ADMIN:
		web_users_page(r, 409, "Uw gemeente houdt minstens één "
		    "beheerder. Maak eerst een collega beheerder; daarna kan "
		    "dit wel.", "", "viewer");
		break;
	default:
		reply_db_failed(r, "De wijziging kan nu niet worden "
		    "opgeslagen.");
	}
}

/* POST /mijn/gebruikers/{id}/rol */
void
web_users_role(struct req *r)
{
	struct evkeyvalq form;
	struct user_row u;
	enum role role;

	if (web_form_checked(r, &form) == -1)
		return;
	if (web_users_load(r, &u) == -1)
		goto out;
	role = role_parse(evhttp_find_header(&form, "rol"));
	if (role == ROLE_NONE) {
		web_users_page(r, 400, "Kies een rol: lezer, redacteur of "
		    "beheerder.", "", "viewer");
		goto out;
	}
	web_users_changed(r, user_store_set_role(r->db, u.id, r->who.gemeente,
	    role), "rol");
out:
	evhttp_clear_headers(&form);
}

/* Disable (or enable) the user of the path. */
static void
web_users_set_disabled(struct req *r, bool disabled)
{
	struct evkeyvalq form;
	struct user_row u;

	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if (web_users_load(r, &u) == -1)
		return;
	web_users_changed(r, user_store_set_disabled(r->db, u.id,
	    r->who.gemeente, disabled), disabled ? "geblokkeerd" :
	    "gedeblokkeerd");
}

/* POST /mijn/gebruikers/{id}/blokkeren */
void
web_users_disable(struct req *r)
{
	web_users_set_disabled(r, true);
}

/* POST /mijn/gebruikers/{id}/deblokkeren */
void
web_users_enable(struct req *r)
{
	web_users_set_disabled(r, false);
}
