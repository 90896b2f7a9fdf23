/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Invitations on the web: an admin invites a colleague from the users page
 * (POST /mijn/gebruikers/uitnodigen, always for the admin's own
 * municipality) or cancels an open invitation; the colleague opens the
 * mail's link, /uitnodiging/{token}, chooses a name and a password there
 * and is signed in at once (invitation.c makes the account; the password
 * is hashed on the pool, web_account_job.c).
 *
 * An expired, used, cancelled or unknown link gets a Dutch page that says
 * which and what to do; an address that has an account meanwhile is told
 * to sign in. The pages with a token send no Referer anywhere.
 */
#include "web/web.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

/* POST /mijn/gebruikers/uitnodigen */
void
web_users_invite(struct req *r)
{
	const char *email, *rol, *gemeente;
	struct evkeyvalq form;
	enum role role;
	int rc;

	if (web_form_checked(r, &form) == -1)
		return;
	email = evhttp_find_header(&form, "email");
	rol = evhttp_find_header(&form, "rol");
	gemeente = evhttp_find_header(&form, "gemeente");
	role = role_parse(rol);
	if (email == NULL || strlen(email) > MAIL_ADDRESS_MAX)
		email = "";
	if (role == ROLE_NONE)
		rol = "viewer";
	if (gemeente != NULL && strcmp(gemeente, r->who.gemeente) != 0) {
		web_users_page(r, 400, "U kunt alleen collega's van uw eigen "
		    "gemeente uitnodigen.", email, rol);
		goto out;
	}
	if (!mail_address_valid(email)) {
		web_users_page(r, 400, "Dit is geen geldig e-mailadres. Een "
		    "e-mailadres ziet eruit als naam@gemeente.nl, zonder "
		    "spaties of regeleinden.", email, rol);
		goto out;
	}
	if (role == ROLE_NONE) {
		web_users_page(r, 400, "Kies een rol: lezer, redacteur of "
		    "beheerder.", email, rol);
		goto out;
	}
	rc = invitation_create(r->db, email, r->who.gemeente, role,
	    r->who.user_id, r->ctx->origin, r->ctx->instance->name);
	switch (rc) {
	case MEENT_OK:
		reply_redirect(r, "/mijn/gebruikers?melding=uitgenodigd");
		break;
	case INVITATION_ACCOUNT:
		web_users_page(r, 409, "Dit e-mailadres heeft al een account "
		    "bij meent, misschien bij een andere gemeente. Een tweede "
		    "account kan niet. Staat het hieronder, dan kunt u de rol "
		    "wijzigen of het deblokkeren.", email, rol);
		break;
	case INVITATION_FULL:
		web_users_page(r, 409, "Er staan al 100 uitnodigingen open. "
		    "Trek er eerst een paar in, of wacht tot ze verlopen.",
		    email, rol);
		break;
	default:
		reply_db_failed(r, "De uitnodiging kan nu niet worden "
		    "verstuurd.");
	}
out:
	evhttp_clear_headers(&form);
}

/* POST /mijn/uitnodigingen/{id}/intrekken */
void
web_users_invitation_cancel(struct req *r)
{
	struct evkeyvalq form;
	long id;
	int rc;

	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if ((id = web_users_target(r)) < 0)
		return;
	rc = invitation_cancel(r->db, id, r->who.gemeente);
	if (rc == MEENT_OK)
		reply_redirect(r, "/mijn/gebruikers?melding=ingetrokken");
	else if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Deze uitnodiging staat "
		    "niet open, of hoort niet bij uw gemeente.");
	else
		reply_db_failed(r, "De uitnodiging kan nu niet worden "
		    "ingetrokken.");
}

/* A link that cannot be used (rc of invitation_check): why, what now. */
static void
web_invite_bad_link(struct req *r, int rc)
{
	struct evbuffer *b = evbuffer_new();
	const char *why, *what;
	int status = 410;

	what = "Vraag de beheerder van uw gemeente om een nieuwe uitnodiging.";
	switch (rc) {
	case INVITATION_EXPIRED:
		why = "Deze uitnodiging is verlopen. Een uitnodiging werkt 7 "
		    "dagen.";
		break;
	case INVITATION_USED:
		why = "Deze uitnodiging is al gebruikt. Een uitnodiging werkt "
		    "maar één keer.";
		what = "Heeft u zelf uw account gemaakt? Log dan in.";
		break;
	case INVITATION_CANCELLED:
		why = "Deze uitnodiging is ingetrokken.";
		break;
	case INVITATION_ACCOUNT:
		why = "Dit e-mailadres heeft al een account.";
		what = "Log in met dat account. Wachtwoord vergeten? Vraag "
		    "op de inlogpagina een nieuw aan.";
		status = 409;
		break;
	default:
		why = "Deze link klopt niet. Misschien is hij niet helemaal "
		    "overgenomen uit de e-mail.";
		status = 404;
	}
	web_page_start(r, b, "Uitnodiging werkt niet");
	html_out(b, "<h1>Deze uitnodiging werkt niet</h1>\n<p>%s</p>\n"
	    "<p>%s</p>\n<p><a href=\"/inloggen\">Naar inloggen</a></p>\n", why,
	    what);
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* The link is usable: 0 with *inv; otherwise -1 after replying. */
static int
web_invite_link_ok(struct req *r, struct invitation *inv)
{
	int rc;

	reply_header(r, "Referrer-Policy", "no-referrer");
	reply_header(r, "Cache-Control", "no-store");
	rc = invitation_check(r->db, r->params[0], inv);
	if (rc == MEENT_OK)
		return 0;
	if (rc == MEENT_ERR)
		reply_db_failed(r, "De uitnodiging kan nu niet worden "
		    "gecontroleerd.");
	else
		web_invite_bad_link(r, rc);
	return -1;
}

/* The form for a name and a password; field is what error is about. */
static void
web_invite_form(struct req *r, int status, const struct invitation *inv,
    const char *field, const char *error, const char *naam)
{
	struct evbuffer *b = evbuffer_new();
	bool name_error = field != NULL && strcmp(field, "naam") == 0;

	web_page_start(r, b, "Uitnodiging aannemen");
	html_out(b, "<h1>Welkom bij %s</h1>\n", r->ctx->instance->name);
	if (error != NULL)
		html_out(b, "<div class=\"error-summary\" role=\"alert\" "
		    "tabindex=\"-1\"><h2>Dit moet anders</h2><ul><li>"
		    "<a href=\"#%s\">%s</a></li></ul></div>\n", field, error);
	html_out(b, "<p>U bent uitgenodigd voor gemeente %s, als %s. Kies uw "
	    "naam en een wachtwoord; daarna bent u meteen ingelogd.</p>\n"
	    "<dl class=\"facts\"><dt>Uw e-mailadres</dt><dd>%s</dd></dl>\n",
	    inv->gemeente_naam, role_label(inv->role), inv->email);
	/* The token is base64url, checked: safe in the path as it is. */
	html_out(b, "<form method=\"post\" action=\"/uitnodiging/%s\">\n"
	    "<input type=\"hidden\" name=\"email\" autocomplete=\"username\" "
	    "value=\"%s\">\n<p><label for=\"naam\">Uw naam</label><br>",
	    r->params[0], inv->email);
	if (name_error)
		html_out(b, "<span class=\"error\" id=\"naam-fout\">%s</span>"
		    "<br>", error);
	html_out(b, "<input id=\"naam\" name=\"naam\" type=\"text\" "
	    "autocomplete=\"name\" required maxlength=\"%d\" value=\"%s\"",
	    USER_NAME_MAX, naam);
	html_attr_if(b, name_error, " aria-invalid=\"true\" "
	    "aria-describedby=\"naam-fout\"");
	html_out(b, "></p>\n<p><label for=\"wachtwoord\">Wachtwoord</label> "
	    "<span id=\"wachtwoord-uitleg\">(%d tot %d tekens)</span><br>",
	    PASSWORD_MIN, PASSWORD_MAX);
	if (!name_error && error != NULL)
		html_out(b, "<span class=\"error\" id=\"wachtwoord-fout\">%s"
		    "</span><br>", error);
	html_out(b, "<input id=\"wachtwoord\" name=\"wachtwoord\" "
	    "type=\"password\" autocomplete=\"new-password\" required "
	    "minlength=\"%d\" maxlength=\"%d\" aria-describedby=\""
	    "wachtwoord-uitleg%s\"", PASSWORD_MIN, PASSWORD_MAX,
	    !name_error && error != NULL ? " wachtwoord-fout" : "");
	html_attr_if(b, !name_error && error != NULL,
	    " aria-invalid=\"true\"");
	html_out(b, "></p>\n<p><label for=\"herhaling\">Wachtwoord nog een "
	    "keer</label><br><input id=\"herhaling\" name=\"herhaling\" "
	    "type=\"password\" autocomplete=\"new-password\" required "
	    "minlength=\"%d\" maxlength=\"%d\"></p>\n"
	    "<p><button type=\"submit\">Account maken</button></p>\n"
	    "</form>\n", PASSWORD_MIN, PASSWORD_MAX);
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* GET /uitnodiging/{token} */
void
web_users_invitation_link(struct req *r)
{
	struct invitation inv;

	if (web_invite_link_ok(r, &inv) == 0)
		web_invite_form(r, 200, &inv, NULL, NULL, "");
}

/* What the password job needs back on the worker. */
struct web_invite_accept {
	char	naam[USER_NAME_MAX + 1];
	char	email[MAIL_ADDRESS_MAX + 1];
};

static void
web_invite_accept_done(struct req *r, int rc, const char *hash, void *arg)
{
	struct web_invite_accept *a = arg;
	long user_id;

	/* The account and its first session: both, or neither. */
	if (rc != WEB_ACCOUNT_JOB_OK)
		web_account_job_busy(r);
	else if (db_begin(r->db) == -1)
		reply_db_failed(r, "Uw account kan nu niet worden gemaakt.");
	else if ((rc = invitation_accept(r->db, r->params[0], a->naam, hash,
	    &user_id)) != MEENT_OK) {
		db_rollback(r->db);
		if (rc == MEENT_ERR)
			reply_db_failed(r, "Uw account kan nu niet worden "
			    "gemaakt.");
		else
			web_invite_bad_link(r, rc);
	} else if (web_login_session(r, user_id, a->email) == -1)
		db_rollback(r->db);
	else if (db_commit(r->db) == -1) {
		db_rollback(r->db);
		reply_db_failed(r, "Uw account kan nu niet worden gemaakt.");
	} else
		reply_redirect(r, "/mijn");
	free(a);
}

/* POST /uitnodiging/{token}: check, hash (pool), make the account. */
void
web_users_invitation_accept(struct req *r)
{
	const char *naam, *pw, *again;
	struct web_invite_accept *a;
	struct invitation inv;
	struct evkeyvalq form;

	if (web_form(r, &form) == -1)
		return;
	naam = evhttp_find_header(&form, "naam");
	pw = evhttp_find_header(&form, "wachtwoord");
	again = evhttp_find_header(&form, "herhaling");
	if (web_invite_link_ok(r, &inv) == -1)
		goto out;
	if (!user_name_valid(naam)) {
		web_invite_form(r, 400, &inv, "naam", "Vul uw naam in: 1 tot "
		    "100 tekens, zonder regeleinden, onzichtbare tekens of "
		    "spaties aan het begin of eind.", "");
		goto out;
	}
	if (pw == NULL || !password_acceptable(pw, strlen(pw))) {
		web_invite_form(r, 400, &inv, "wachtwoord", "Een wachtwoord "
		    "heeft 10 tot 1024 tekens.", naam);
		goto out;
	}
	if (again == NULL || strcmp(pw, again) != 0) {
		web_invite_form(r, 400, &inv, "wachtwoord", "De twee "
		    "wachtwoorden zijn niet hetzelfde.", naam);
		goto out;
	}
	a = xcalloc(1, sizeof *a);
	snprintf(a->naam, sizeof a->naam, "%s", naam);
	snprintf(a->email, sizeof a->email, "%s", inv.email);
	if (web_account_job_submit(r, pw, NULL, NULL, web_invite_accept_done,
	    a) == -1) {
		free(a);
		web_account_job_busy(r);
	}
out:
	if (pw != NULL)
		sodium_memzero((char *)pw, strlen(pw));
	if (again != NULL)
		sodium_memzero((char *)again, strlen(again));
	evhttp_clear_headers(&form);
}
