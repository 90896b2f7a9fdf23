/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Asking for access (/toegang-aanvragen): a civil servant without an
 * account gives a name, a work address, the municipality and why. The
 * answer is the same whatever happens next (invitation_request.c: a new
 * request mailed to the municipality's admins, an address that has an
 * account told so by mail, a duplicate ignored), so the form tells nobody
 * whether an address has an account.
 *
 * The form is public: the router takes its POST from this site only (same
 * origin, like the login form), and login_guard_reset_allow limits it per
 * client address and per address mailed (the password reset's budget:
 * both send mail to that address). INVITATION_REQUEST_OPEN_MAX open
 * requests per municipality bound a flood.
 *
 * The admins decide on the users page (web_users.c shows the section
 * made here): accept (an invitation with the role they choose) or refuse
 * (a polite mail). Both for their own municipality's requests only.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

/* The form's fields, in order, with their labels. */
enum { WAR_NAAM, WAR_EMAIL, WAR_GEMEENTE, WAR_REDEN, WAR_NFIELDS };
static const char *const web_access_fields[WAR_NFIELDS][2] = {
	{ "naam", "Uw naam" },
	{ "email", "Uw e-mailadres op het werk" },
	{ "gemeente", "Uw gemeente" },
	{ "reden", "Waarvoor wilt u meent gebruiken?" },
};

/* What the form holds, and why a field was refused (or NULL). */
struct web_access_form {
	const char	*value[WAR_NFIELDS];
	const char	*error[WAR_NFIELDS];
};

static void
web_access_field_error(struct evbuffer *b, const struct web_access_form *f,
    int i)
{
	if (f->error[i] != NULL)
		html_out(b, "<span class=\"error\" id=\"%s-fout\">%s</span>"
		    "<br>", web_access_fields[i][0], f->error[i]);
}

static void
web_access_field_invalid(struct evbuffer *b, const struct web_access_form *f,
    int i)
{
	if (f->error[i] != NULL)
		html_out(b, " aria-invalid=\"true\" "
		    "aria-describedby=\"%s-fout\"", web_access_fields[i][0]);
}

/* The municipality select: names from municipality_names(). */
static void
web_access_municipalities(struct evbuffer *b, const struct web_access_form *f,
    json_t *names)
{
	json_t *g;
	size_t i;

	html_out(b, "<p><label for=\"gemeente\">%s</label><br>",
	    web_access_fields[WAR_GEMEENTE][1]);
	web_access_field_error(b, f, WAR_GEMEENTE);
	html_out(b, "<select id=\"gemeente\" name=\"gemeente\" required");
	web_access_field_invalid(b, f, WAR_GEMEENTE);
	html_out(b, ">\n<option value=\"\">Kies een gemeente</option>\n");
	json_array_foreach(names, i, g) {
		const char *code = json_string_value(json_array_get(g, 0));

		html_out(b, "<option value=\"%s\"", code);
		html_attr_if(b, strcmp(f->value[WAR_GEMEENTE], code) == 0,
		    " selected");
		html_out(b, ">%s</option>\n",
		    json_string_value(json_array_get(g, 1)));
	}
	html_out(b, "</select></p>\n");
}

/* The form page, with status and what f holds. */
static void
web_access_page(struct req *r, int status, const struct web_access_form *f,
    const char *problem)
{
	struct evbuffer *b;
	json_t *names;
	int i, nerrors = 0;

	if ((names = municipality_names(r->db)) == NULL) {
		reply_db_failed(r, "De gemeenten kunnen nu niet worden "
		    "gelezen.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Toegang aanvragen");
	html_out(b, "<h1>Toegang aanvragen</h1>\n");
	for (i = 0; i < WAR_NFIELDS; i++)
		nerrors += f->error[i] != NULL;
	if (nerrors > 0 || problem != NULL) {
		html_out(b, "<div class=\"error-summary\" role=\"alert\" "
		    "tabindex=\"-1\"><h2>Dit moet anders</h2>\n");
		if (problem != NULL)
			html_out(b, "<p>%s</p>\n", problem);
		html_out(b, "<ul>\n");
		for (i = 0; i < WAR_NFIELDS; i++)
			if (f->error[i] != NULL)
				html_out(b, "<li><a href=\"#%s\">%s: %s</a>"
				    "</li>\n", web_access_fields[i][0],
				    web_access_fields[i][1], f->error[i]);
		html_out(b, "</ul></div>\n");
	}
	html_out(b, "<p>Werkt u bij een gemeente en wilt u pilots, richtlijnen "
	    "of cijfers delen of lezen wat alleen voor leden is? Vraag dan "
	    "hier een account aan. De beheerder van uw gemeente krijgt uw "
	    "aanvraag en beslist. Als het goed is, krijgt u een uitnodiging "
	    "per e-mail. Een aanvraag verloopt na %d dagen.</p>\n"
	    "<form method=\"post\" action=\"/toegang-aanvragen\">\n",
	    INVITATION_REQUEST_DAYS);
	html_out(b, "<p><label for=\"naam\">%s</label><br>",
	    web_access_fields[WAR_NAAM][1]);
	web_access_field_error(b, f, WAR_NAAM);
	html_out(b, "<input id=\"naam\" name=\"naam\" type=\"text\" "
	    "autocomplete=\"name\" required maxlength=\"%d\" value=\"%s\"",
	    USER_NAME_MAX, f->value[WAR_NAAM]);
	web_access_field_invalid(b, f, WAR_NAAM);
	html_out(b, "></p>\n<p><label for=\"email\">%s</label><br>",
	    web_access_fields[WAR_EMAIL][1]);
	web_access_field_error(b, f, WAR_EMAIL);
	html_out(b, "<input id=\"email\" name=\"email\" type=\"email\" "
	    "autocomplete=\"email\" required maxlength=\"%d\" value=\"%s\"",
	    MAIL_ADDRESS_MAX, f->value[WAR_EMAIL]);
	web_access_field_invalid(b, f, WAR_EMAIL);
	html_out(b, "></p>\n");
	web_access_municipalities(b, f, names);
	html_out(b, "<p><label for=\"reden\">%s</label> <span "
	    "id=\"reden-uitleg\">(hoogstens %d tekens)</span><br>",
	    web_access_fields[WAR_REDEN][1], INVITATION_REQUEST_REASON_MAX);
	web_access_field_error(b, f, WAR_REDEN);
	html_out(b, "<textarea id=\"reden\" name=\"reden\" rows=\"5\" "
	    "cols=\"60\" required maxlength=\"%d\"",
	    INVITATION_REQUEST_REASON_MAX);
	if (f->error[WAR_REDEN] != NULL)
		html_out(b, " aria-invalid=\"true\" aria-describedby=\""
		    "reden-uitleg reden-fout\"");
	else
		html_out(b, " aria-describedby=\"reden-uitleg\"");
	html_out(b, ">%s</textarea></p>\n<p><button type=\"submit\">Aanvraag "
	    "versturen</button></p>\n</form>\n<p>Heeft u al een account? "
	    "<a href=\"/inloggen\">Log in</a>.</p>\n", f->value[WAR_REDEN]);
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(names);
}

/* GET /toegang-aanvragen */
void
web_access_request_form(struct req *r)
{
	struct web_access_form f = { { "", "", "", "" }, { NULL } };

	web_access_page(r, 200, &f, NULL);
}

/* Check the fields; 0 when all are fine, else -1 with f->error set. */
static int
web_access_check(struct req *r, struct web_access_form *f)
{
	const char *g = f->value[WAR_GEMEENTE];
	int rc = 0, exists;

	if (!user_name_valid(f->value[WAR_NAAM]))
		f->error[WAR_NAAM] = "vul uw naam in: 1 tot 100 tekens, zonder "
		    "regeleinden, onzichtbare tekens of spaties aan het begin "
		    "of eind";
	if (!mail_address_valid(f->value[WAR_EMAIL]))
		f->error[WAR_EMAIL] = "dit is geen geldig e-mailadres; het "
		    "ziet eruit als naam@gemeente.nl";
	if (!invitation_request_reason_valid(f->value[WAR_REDEN]))
		f->error[WAR_REDEN] = "schrijf in 1 tot 1000 tekens waarvoor u "
		    "meent wilt gebruiken";
	if (!municipality_code_valid(g))
		f->error[WAR_GEMEENTE] = "kies uw gemeente uit de lijst";
	else if ((exists = municipality_exists(r->db, g)) == -1)
		rc = MEENT_ERR;
	else if (exists == 0)
		f->error[WAR_GEMEENTE] = "kies uw gemeente uit de lijst";
	if (rc == MEENT_ERR)
		return MEENT_ERR;
	for (int i = 0; i < WAR_NFIELDS; i++)
		if (f->error[i] != NULL)
			return -2;
	return 0;
}

/* POST /toegang-aanvragen: the same answer for every address. */
void
web_access_request_post(struct req *r)
{
	struct web_access_form f = { { NULL }, { NULL } };
	struct evkeyvalq form;
	struct evbuffer *b;
	char retry[16];
	int rc, wait;

	if (web_form(r, &form) == -1)
		return;
	for (int i = 0; i < WAR_NFIELDS; i++) {
		f.value[i] = evhttp_find_header(&form, web_access_fields[i][0]);
		if (f.value[i] == NULL || strlen(f.value[i]) > 4 *
		    INVITATION_REQUEST_REASON_MAX)
			f.value[i] = "";
	}
	rc = web_access_check(r, &f);
	if (rc == MEENT_ERR) {
		reply_db_failed(r, "Het aanvragen lukt nu niet.");
		goto out;
	}
	if (rc != 0) {
		/* A refused value is not shown again (CR/LF, bad UTF-8). */
		for (int i = 0; i < WAR_NFIELDS; i++)
			if (f.error[i] != NULL && i != WAR_GEMEENTE)
				f.value[i] = "";
		web_access_page(r, 400, &f, NULL);
		goto out;
	}
	wait = login_guard_reset_allow(r->ctx->login_guard, r->client,
	    f.value[WAR_EMAIL]);
	if (wait > 0) {
		snprintf(retry, sizeof retry, "%d", wait);
		reply_header(r, "Retry-After", retry);
		web_access_page(r, 429, &f, "Te veel aanvragen. Probeer het "
		    "later opnieuw.");
		goto out;
	}
	rc = invitation_request_create(r->db, f.value[WAR_EMAIL],
	    f.value[WAR_NAAM], f.value[WAR_GEMEENTE], f.value[WAR_REDEN],
	    r->ctx->origin, r->ctx->instance->name);
	if (rc == INVITATION_REQUEST_FULL) {
		reply_header(r, "Retry-After", "86400");
		web_access_page(r, 429, &f, "Er staan al veel aanvragen open "
		    "voor deze gemeente. Probeer het over een paar dagen "
		    "opnieuw.");
		goto out;
	}
	if (rc != MEENT_OK) {
		reply_db_failed(r, "Het aanvragen lukt nu niet.");
		goto out;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Aanvraag ontvangen");
	html_out(b, "<h1>Aanvraag ontvangen</h1>\n<p role=\"status\">Dank u. "
	    "De beheerder van uw gemeente krijgt uw aanvraag en beslist. U "
	    "hoort het per e-mail. Heeft u al een account met dit adres? Dan "
	    "krijgt u een e-mail met de weg naar binnen.</p>\n"
	    "<p><a href=\"/\">Naar de startpagina</a></p>\n");
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
out:
	evhttp_clear_headers(&form);
}

/* The open access requests on the users page, with their two forms. */
void
web_access_request_section(struct req *r, struct evbuffer *b, json_t *list)
{
	char date[NL_DATE_MAX];
	json_t *v;
	size_t i;

	html_out(b, "<section aria-labelledby=\"aanvragen\">\n"
	    "<h2 id=\"aanvragen\">Aanvragen voor toegang</h2>\n");
	if (json_array_size(list) == 0) {
		html_out(b, "<p>Er wachten geen aanvragen.</p>\n</section>\n");
		return;
	}
	html_out(b, "<ul class=\"accounts\">\n");
	json_array_foreach(list, i, v) {
		long id = (long)json_integer_value(json_object_get(v, "id"));
		const char *email = json_string_value(json_object_get(v,
		    "email"));

		nl_datetime(date, sizeof date, (time_t)json_integer_value(
		    json_object_get(v, "aangemaakt")));
		html_out(b, "<li><h3>%s</h3>\n<dl class=\"facts\">\n"
		    "<dt>E-mailadres</dt><dd>%s</dd>\n<dt>Gevraagd op</dt>"
		    "<dd>%s</dd>\n<dt>Waarom</dt><dd class=\"reden\">",
		    json_string_value(json_object_get(v, "naam")), email, date);
		invitation_request_lines(b, json_string_value(json_object_get(
		    v, "reden")));
		html_out(b, "</dd>\n</dl>\n<form method=\"post\" "
		    "action=\"/mijn/aanvragen/%ld/aannemen\">\n<input "
		    "type=\"hidden\" name=\"csrf\" value=\"%s\">\n<p><label "
		    "for=\"aanvraag-rol-%ld\">Rol voor %s</label><br><select "
		    "id=\"aanvraag-rol-%ld\" name=\"rol\">\n", id, r->who.csrf,
		    id, email, id);
		for (const struct choice *c = role_choices; c->value != NULL;
		    c++)
			html_out(b, "<option value=\"%s\">%s</option>\n",
			    c->value, c->label);
		html_out(b, "</select> <button type=\"submit\" aria-label="
		    "\"Aannemen en uitnodigen: %s\">Aannemen en uitnodigen"
		    "</button></p>\n</form>\n<form method=\"post\" "
		    "action=\"/mijn/aanvragen/%ld/afwijzen\">\n<input "
		    "type=\"hidden\" name=\"csrf\" value=\"%s\">\n<p><button "
		    "type=\"submit\" aria-label=\"Afwijzen: %s\">Afwijzen"
		    "</button></p>\n</form></li>\n", email, id, r->who.csrf,
		    email);
	}
	html_out(b, "</ul>\n</section>\n");
}

/* POST /mijn/aanvragen/{id}/aannemen */
void
web_access_request_accept(struct req *r)
{
	struct evkeyvalq form;
	enum role role;
	long id;
	int rc;

	if (web_form_checked(r, &form) == -1)
		return;
	role = role_parse(evhttp_find_header(&form, "rol"));
	evhttp_clear_headers(&form);
	if ((id = web_users_target(r)) < 0)
		return;
	if (role == ROLE_NONE) {
		web_users_page(r, 400, "Kies een rol: lezer, redacteur of "
		    "beheerder.", "", "viewer");
		return;
	}
	rc = invitation_request_accept(r->db, id, r->who.gemeente, role,
	    r->who.user_id, r->ctx->origin, r->ctx->instance->name);
	switch (rc) {
	case MEENT_OK:
		reply_redirect(r, "/mijn/gebruikers?melding=aangenomen");
		break;
	case INVITATION_ACCOUNT:
		reply_redirect(r, "/mijn/gebruikers?melding=heeft-account");
		break;
	case MEENT_NOTFOUND:
		reply_problem(r, 404, "Niet gevonden", "Deze aanvraag staat "
		    "niet open, of hoort niet bij uw gemeente.");
		break;
	case INVITATION_FULL:
		web_users_page(r, 409, "Er staan al 100 uitnodigingen open. "
		    "Trek er eerst een paar in, of wacht tot ze verlopen.", "",
		    "viewer");
		break;
	default:
		reply_db_failed(r, "De aanvraag kan nu niet worden "
		    "aangenomen.");
	}
}

/* POST /mijn/aanvragen/{id}/afwijzen */
void
web_access_request_refuse(struct req *r)
{
	struct evkeyvalq form;
	long id;
	int rc;

	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if ((id = web_users_target(r)) < 0)
		return;
	rc = invitation_request_refuse(r->db, id, r->who.gemeente,
	    r->ctx->instance->name);
	if (rc == MEENT_OK)
		reply_redirect(r, "/mijn/gebruikers?melding=afgewezen");
	else if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Deze aanvraag staat "
		    "niet open, of hoort niet bij uw gemeente.");
	else
		reply_db_failed(r, "De aanvraag kan nu niet worden afgewezen.");
}
