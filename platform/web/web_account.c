/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * "Mijn account" (/mijn/account): the signed-in person's own name and
 * password. A new password needs the current one: both go through the
 * password pool in one job (web_account_job.c), after the login guard's
 * limits (a wrong current password counts as a failed login), and a
 * change ends every other session of the account and its reset links.
 *
 * The page belongs to an account: an API token (no person) gets 404.
 */
#include "web/web.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

/* The notices after a change (?melding=), a closed set. */
static const struct choice web_account_notices[] = {
	{ "naam", "Uw naam is opgeslagen.", NULL },
	{ "wachtwoord", "Uw nieuwe wachtwoord is opgeslagen. Op andere "
	    "apparaten en in andere browsers bent u uitgelogd.", NULL },
	{ NULL, NULL, NULL }
};

/* The signed-in person's account into *u; -1 after replying. */
static int
web_account_load(struct req *r, struct user_row *u)
{
	int rc;

	if (r->who.kind != PRINCIPAL_SESSION || r->who.user_id <= 0) {
		reply_problem(r, 404, "Geen account", "Deze pagina hoort bij "
		    "een account. Met een token hebt u er geen.");
		return -1;
	}
	rc = user_store_get(r->db, r->who.user_id, r->who.gemeente, u);
	if (rc == MEENT_ERR) {
		reply_db_failed(r, "Uw account kan nu niet worden gelezen.");
		return -1;
	}
	if (rc != MEENT_OK) {
		reply_problem(r, 404, "Geen account", "Dit account bestaat "
		    "niet meer.");
		return -1;
	}
	return 0;
}

/* A password field with its label; error (or NULL) above it. */
static void
web_account_password_field(struct evbuffer *b, const char *id,
    const char *label, const char *autocomplete, const char *error)
{
	html_out(b, "<p><label for=\"%s\">%s</label><br>", id, label);
	if (error != NULL)
		html_out(b, "<span class=\"error\" id=\"%s-fout\">%s</span>"
		    "<br>", id, error);
	html_out(b, "<input id=\"%s\" name=\"%s\" type=\"password\" "
	    "autocomplete=\"%s\" required maxlength=\"%d\"", id, id,
	    autocomplete, PASSWORD_MAX);
	if (error != NULL)
		html_out(b, " aria-invalid=\"true\" "
		    "aria-describedby=\"%s-fout\"", id);
	html_out(b, "></p>\n");
}

/*
 * The page, with status; field names the form field error is about (or
 * NULL), naam what the name field holds.
 */
static void
web_account_render(struct req *r, int status, const struct user_row *u,
    const char *field, const char *error, const char *naam)
{
	struct evbuffer *b = evbuffer_new();
	const struct choice *notice = status == 200 ? choice_find(
	    web_account_notices, req_query(r, "melding")) : NULL;
	bool name_error = field != NULL && strcmp(field, "naam") == 0;

	web_page_start(r, b, "Mijn account");
	html_out(b, "<h1>Mijn account</h1>\n");
	if (notice != NULL)
		html_out(b, "<div class=\"notice\" role=\"status\"><p>%s</p>"
		    "</div>\n", notice->label);
	if (error != NULL)
		html_out(b, "<div class=\"error-summary\" role=\"alert\" "
		    "tabindex=\"-1\"><h2>Dit moet anders</h2><ul><li>"
		    "<a href=\"#%s\">%s</a></li></ul></div>\n", field, error);
	html_out(b, "<dl class=\"accounts\">\n<dt>E-mailadres</dt><dd>%s</dd>\n"
	    "<dt>Gemeente</dt><dd>%s</dd>\n<dt>Rol</dt><dd>%s</dd>\n</dl>\n",
	    u->email, r->who.gemeente_naam[0] != '\0' ?
	    r->who.gemeente_naam : u->gemeente, role_label(u->role));
	html_out(b, "<h2>Naam</h2>\n<form method=\"post\" "
	    "action=\"/mijn/account/naam\">\n<input type=\"hidden\" "
	    "name=\"csrf\" value=\"%s\">\n<p><label for=\"naam\">Uw naam"
	    "</label><br>", r->who.csrf);
	if (name_error)
		html_out(b, "<span class=\"error\" id=\"naam-fout\">%s</span>"
		    "<br>", error);
	html_out(b, "<input id=\"naam\" name=\"naam\" type=\"text\" "
	    "autocomplete=\"name\" required maxlength=\"%d\" value=\"%s\"",
	    USER_NAME_MAX, naam);
	if (name_error)
		html_out(b, " aria-invalid=\"true\" "
		    "aria-describedby=\"naam-fout\"");
	html_out(b, "></p>\n<p><button type=\"submit\">Naam opslaan</button>"
	    "</p>\n</form>\n");
	html_out(b, "<h2>Wachtwoord</h2>\n<p>Een nieuw wachtwoord heeft %d tot "
	    "%d tekens. Daarna bent u op andere apparaten uitgelogd.</p>\n"
	    "<form method=\"post\" action=\"/mijn/account/wachtwoord\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
	    PASSWORD_MIN, PASSWORD_MAX, r->who.csrf);
	/* The username for password managers, not for the server. */
	html_out(b, "<input type=\"hidden\" name=\"email\" "
	    "autocomplete=\"username\" value=\"%s\">\n", u->email);
	web_account_password_field(b, "huidig", "Huidig wachtwoord",
	    "current-password", field != NULL && strcmp(field, "huidig") == 0 ?
	    error : NULL);
	web_account_password_field(b, "wachtwoord", "Nieuw wachtwoord",
	    "new-password", field != NULL && strcmp(field, "wachtwoord") == 0 ?
	    error : NULL);
	web_account_password_field(b, "herhaling", "Nieuw wachtwoord nog een "
	    "keer", "new-password", NULL);
	html_out(b, "<p><button type=\"submit\">Wachtwoord wijzigen</button>"
	    "</p>\n</form>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* GET /mijn/account */
void
web_account_page(struct req *r)
{
	struct user_row u;

	if (web_account_load(r, &u) == -1)
		return;
	reply_header(r, "Cache-Control", "no-store");
	web_account_render(r, 200, &u, NULL, NULL, u.naam);
}

/* POST /mijn/account/naam */
void
web_account_name(struct req *r)
{
	struct evkeyvalq form;
	struct user_row u;
	const char *naam;

	if (web_form_checked(r, &form) == -1)
		return;
	if (web_account_load(r, &u) == -1)
		goto out;
	naam = evhttp_find_header(&form, "naam");
	if (!user_name_valid(naam)) {
		web_account_render(r, 400, &u, "naam", "Vul een naam in van 1 "
		    "tot 100 tekens, zonder regeleinden, onzichtbare tekens of "
		    "spaties aan het begin of eind.", "");
		goto out;
	}
	if (user_store_set_name(r->db, u.id, naam) != MEENT_OK) {
		reply_db_failed(r, "Uw naam kan nu niet worden opgeslagen.");
		goto out;
	}
	reply_redirect(r, "/mijn/account?melding=naam");
out:
	evhttp_clear_headers(&form);
}

/* What the password job needs back on the worker. */
struct web_account_change {
	char	email[MAIL_ADDRESS_MAX + 1];
};

static void
web_account_password_done(struct req *r, int rc, const char *hash,
    void *arg)
{
	struct web_account_change *c = arg;
	char cookie[SESSION_LEN + 2];
	struct user_row u;

	if (rc == WEB_ACCOUNT_JOB_FAILED)
		web_account_job_busy(r);
	else if (rc == WEB_ACCOUNT_JOB_WRONG) {
		login_guard_result(r->ctx->login_guard, c->email, NULL, false);
		if (web_account_load(r, &u) == 0)
			web_account_render(r, 400, &u, "huidig", "Uw huidige "
			    "wachtwoord klopt niet.", u.naam);
	} else {
		login_guard_result(r->ctx->login_guard, c->email, NULL, true);
		if (!auth_session_cookie(r, cookie, sizeof cookie))
			cookie[0] = '\0';
		if (user_store_set_password(r->db, r->who.user_id, hash,
		    cookie) != MEENT_OK)
			reply_db_failed(r, "Uw wachtwoord kan nu niet worden "
			    "opgeslagen.");
		else
			reply_redirect(r, "/mijn/account?melding=wachtwoord");
		sodium_memzero(cookie, sizeof cookie);
	}
	free(c);
}

/* Wipe the form's passwords before it is freed. */
static void
web_account_wipe(struct evkeyvalq *form)
{
	static const char *const names[] = { "huidig", "wachtwoord",
	    "herhaling" };

	for (size_t i = 0; i < nitems(names); i++) {
		const char *v = evhttp_find_header(form, names[i]);

		if (v != NULL)
			sodium_memzero((char *)v, strlen(v));
	}
	evhttp_clear_headers(form);
}

/* POST /mijn/account/wachtwoord */
void
web_account_password(struct req *r)
{
	char hash[PASSWORD_HASH_LEN], retry[16];
	const char *current, *pw, *again;
	struct web_account_change *c;
	struct evkeyvalq form;
	struct user_row u;
	int wait, rc;

	if (web_form_checked(r, &form) == -1)
		return;
	if (web_account_load(r, &u) == -1)
		goto out;
	current = evhttp_find_header(&form, "huidig");
	pw = evhttp_find_header(&form, "wachtwoord");
	again = evhttp_find_header(&form, "herhaling");
	if (current == NULL || *current == '\0' ||
	    strlen(current) > PASSWORD_MAX) {
		web_account_render(r, 400, &u, "huidig", "Vul uw huidige "
		    "wachtwoord in.", u.naam);
		goto out;
	}
	if (pw == NULL || !password_acceptable(pw, strlen(pw))) {
		web_account_render(r, 400, &u, "wachtwoord", "Een wachtwoord "
		    "heeft 10 tot 1024 tekens.", u.naam);
		goto out;
	}
	if (again == NULL || strcmp(pw, again) != 0) {
		web_account_render(r, 400, &u, "wachtwoord", "De twee nieuwe "
		    "wachtwoorden zijn niet hetzelfde.", u.naam);
		goto out;
	}
	wait = login_guard_check(r->ctx->login_guard, r->client, u.email,
	    NULL);
	if (wait > 0) {
		snprintf(retry, sizeof retry, "%d", wait);
		reply_header(r, "Retry-After", retry);
		web_account_render(r, 429, &u, "huidig", "Te veel pogingen. "
		    "Probeer het later opnieuw.", u.naam);
		goto out;
	}
	if ((rc = user_store_password(r->db, u.id, hash)) == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Geen account", "Dit account kan niet "
		    "meer inloggen.");
		goto out;
	}
	if (rc != MEENT_OK) {
		reply_db_failed(r, "Uw wachtwoord kan nu niet worden "
		    "gecontroleerd.");
		goto out;
	}
	c = xcalloc(1, sizeof *c);
	snprintf(c->email, sizeof c->email, "%s", u.email);
	if (web_account_job_submit(r, pw, hash, current,
	    web_account_password_done, c) == -1) {
		free(c);
		web_account_job_busy(r);
	}
	sodium_memzero(hash, sizeof hash);
out:
	web_account_wipe(&form);
}
