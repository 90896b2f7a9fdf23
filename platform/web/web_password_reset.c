/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * "Wachtwoord vergeten?": /wachtwoord-vergeten asks for an address and
 * always answers the same, whether or not it has an account (the mail goes
 * only to a known one; password_reset.c). The mail's link,
 * /wachtwoord-herstellen/{token}, shows a form for a new password; its
 * POST hashes it on the password pool (Argon2id, as logins) and then sets
 * it, spends the link and ends all the user's sessions.
 *
 * Requests are limited per client address and per account
 * (login_guard_reset_allow). An expired, used or unknown link gets a Dutch
 * page that says which, and how to get a new one. The pages with a token
 * send no Referer anywhere.
 */
#include "web/web.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

static const char web_reset_same[] = "Als dit adres bij ons bekend is, "
    "ontvangt u een e-mail met een link om een nieuw wachtwoord te kiezen. "
    "De link werkt 30 minuten, en maar één keer. Geen e-mail gekregen? "
    "Kijk ook in uw map met ongewenste e-mail.";

static void
web_reset_request_page(struct req *r, int status, const char *email,
    const char *error)
{
	struct evbuffer *b = evbuffer_new();

	/* 400: about the address; 429 (too many requests): about none. */
	bool bad = error != NULL && status == 400;

	web_page_start(r, b, "Wachtwoord vergeten");
	html_out(b, "<h1>Wachtwoord vergeten</h1>\n");
	if (error != NULL)
		web_page_error_summary(b, bad ? "email" : NULL, error);
	html_out(b, "<p>Vul het e-mailadres van uw account in. U krijgt een "
	    "e-mail met een link om een nieuw wachtwoord te kiezen.</p>\n"
	    "<form method=\"post\" action=\"/wachtwoord-vergeten\">\n"
	    "<p><label for=\"email\">E-mailadres</label><br>");
	web_page_field_error(b, "email", bad ? error : NULL);
	html_out(b, "<input id=\"email\" name=\"email\" type=\"email\" "
	    "autocomplete=\"username\" required maxlength=\"254\" "
	    "value=\"%s\"", email);
	web_page_field_aria(b, "email", NULL, bad);
	html_out(b, "></p>\n"
	    "<p><button type=\"submit\">Stuur mij een link</button></p>\n"
	    "</form>\n<p><a href=\"/inloggen\">Terug naar inloggen</a></p>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* GET /wachtwoord-vergeten */
void
web_password_reset_form(struct req *r)
{
	web_reset_request_page(r, 200, "", NULL);
}

/* POST /wachtwoord-vergeten: the same answer for every address. */
void
web_password_reset_request(struct req *r)
{
	struct evkeyvalq form;
	const char *email;
	struct evbuffer *b;
	char retry[16];
	int wait;

	if (web_form(r, &form) == -1)
		return;
	email = evhttp_find_header(&form, "email");
	if (email == NULL || *email == '\0' || strlen(email) > 254) {
		web_reset_request_page(r, 400, "", "Vul uw e-mailadres in.");
		goto out;
	}
	if (!mail_address_valid(email)) {
		web_reset_request_page(r, 400, "", "Dit is geen geldig "
		    "e-mailadres. Een e-mailadres ziet eruit als "
		    "naam@gemeente.nl.");
		goto out;
	}
	wait = login_guard_reset_allow(r->ctx->login_guard, r->client, email);
	if (wait > 0) {
		snprintf(retry, sizeof retry, "%d", wait);
		reply_header(r, "Retry-After", retry);
		web_reset_request_page(r, 429, email, wait < 90 ?
		    "Te veel aanvragen. Probeer het over een minuut opnieuw." :
		    "Te veel aanvragen voor dit adres. Probeer het later "
		    "opnieuw; een link die u al kreeg, werkt nog 30 minuten.");
		goto out;
	}
	if (password_reset_request(r->db, email, r->ctx->origin,
	    r->ctx->instance->name) == MEENT_ERR) {
		reply_db_failed(r, "Het aanvragen lukt nu niet.");
		goto out;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Kijk in uw e-mail");
	html_out(b, "<h1>Kijk in uw e-mail</h1>\n<p role=\"status\">%s</p>\n"
	    "<p><a href=\"/inloggen\">Terug naar inloggen</a></p>\n",
	    web_reset_same);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
out:
	evhttp_clear_headers(&form);
}

/* A link that cannot be used: says why, and how to get a new one. */
static void
web_reset_bad_link(struct req *r, int rc)
{
	struct evbuffer *b = evbuffer_new();
	const char *why;
	int status = 410;

	if (rc == PASSWORD_RESET_EXPIRED)
		why = "Deze link is verlopen. Een link werkt 30 minuten.";
	else if (rc == PASSWORD_RESET_USED)
		why = "Deze link is al gebruikt. Een link werkt maar één keer.";
	else {
		why = "Deze link klopt niet. Misschien is hij niet helemaal "
		    "overgenomen uit de e-mail.";
		status = 404;
	}
	web_page_start(r, b, "Link werkt niet");
	html_out(b, "<h1>Deze link werkt niet</h1>\n<p>%s</p>\n"
	    "<p><a href=\"/wachtwoord-vergeten\">Vraag een nieuwe link "
	    "aan</a></p>\n", why);
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* The form; error (or NULL) is about field (NULL: about neither). */
static void
web_reset_set_page(struct req *r, int status, const char *error,
    const char *field)
{
	struct evbuffer *b = evbuffer_new();
	bool bad_pw = error != NULL && field != NULL &&
	    strcmp(field, "wachtwoord") == 0;
	bool bad_again = error != NULL && field != NULL &&
	    strcmp(field, "herhaling") == 0;

	web_page_start(r, b, "Nieuw wachtwoord kiezen");
	html_out(b, "<h1>Nieuw wachtwoord kiezen</h1>\n");
	if (error != NULL)
		web_page_error_summary(b, field, error);
	/* The token is base64url, checked: safe in the path as it is. */
	html_out(b, "<form method=\"post\" action=\"/wachtwoord-herstellen/"
	    "%s\">\n<p><label for=\"wachtwoord\">Nieuw wachtwoord</label> "
	    "<span id=\"wachtwoord-uitleg\">(%d tot %d tekens)</span><br>",
	    r->params[0], PASSWORD_MIN, PASSWORD_MAX);
	web_page_field_error(b, "wachtwoord", bad_pw ? error : NULL);
	html_out(b, "<input id=\"wachtwoord\" name=\"wachtwoord\" "
	    "type=\"password\" autocomplete=\"new-password\" required "
	    "minlength=\"%d\" maxlength=\"%d\"", PASSWORD_MIN, PASSWORD_MAX);
	web_page_field_aria(b, "wachtwoord", "wachtwoord-uitleg", bad_pw);
	html_out(b, "></p>\n<p><label for=\"herhaling\">Nieuw wachtwoord nog "
	    "een keer</label><br>");
	web_page_field_error(b, "herhaling", bad_again ? error : NULL);
	html_out(b, "<input id=\"herhaling\" name=\"herhaling\" "
	    "type=\"password\" autocomplete=\"new-password\" required "
	    "minlength=\"%d\" maxlength=\"%d\"", PASSWORD_MIN, PASSWORD_MAX);
	web_page_field_aria(b, "herhaling", NULL, bad_again);
	html_out(b, "></p>\n<p><button type=\"submit\">Wachtwoord opslaan"
	    "</button></p>\n</form>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* The link is usable: 0; otherwise -1 after replying. */
static int
web_reset_link_ok(struct req *r)
{
	int rc;

	reply_header(r, "Referrer-Policy", "no-referrer");
	reply_header(r, "Cache-Control", "no-store");
	rc = password_reset_check(r->db, r->params[0]);
	if (rc == MEENT_OK)
		return 0;
	if (rc == MEENT_ERR)
		reply_db_failed(r, "De link kan nu niet worden gecontroleerd.");
	else
		web_reset_bad_link(r, rc);
	return -1;
}

/* GET /wachtwoord-herstellen/{token} */
void
web_password_reset_link(struct req *r)
{
	if (web_reset_link_ok(r) == 0)
		web_reset_set_page(r, 200, NULL, NULL);
}

/* A new password on its way through the password pool. */
struct web_reset_job {
	struct req	*r;
	char		*pw;		/* sodium_malloc'ed, wiped */
	size_t		 pwlen;
	char		 hash[PASSWORD_HASH_LEN];
	int		 rc;
};

static void
web_reset_run(void *arg)
{
	struct web_reset_job *job = arg;

	job->rc = password_hash(job->pw, job->pwlen, job->hash);
}

static void
web_reset_job_free(struct web_reset_job *job)
{
	sodium_free(job->pw);
	sodium_memzero(job->hash, sizeof job->hash);
	free(job);
}

static void
web_reset_done(void *arg, bool ran)
{
	struct web_reset_job *job = arg;
	struct req *r = job->r;
	const char *prev = log_set_rid(r->rid);
	struct evbuffer *b;
	int rc;

	router_resume(r);	/* what fails or commits now is r's */
	if (!ran || job->rc != 0) {
		reply_problem(r, 503, "Tijdelijk niet beschikbaar", "Het "
		    "opslaan lukt nu niet; probeer het zo opnieuw.");
		goto out;
	}
	rc = password_reset_apply(r->db, r->params[0], job->hash);
	if (rc == MEENT_ERR)
		reply_db_failed(r, "Het opslaan lukt nu niet.");
	else if (rc != MEENT_OK)
		web_reset_bad_link(r, rc);
	else {
		b = evbuffer_new();
		web_page_start(r, b, "Wachtwoord gewijzigd");
		html_out(b, "<h1>Wachtwoord gewijzigd</h1>\n<p role=\"status\">"
		    "Uw nieuwe wachtwoord is opgeslagen. Voor de zekerheid "
		    "bent u overal uitgelogd.</p>\n<p><a href=\"/inloggen\">"
		    "Inloggen met uw nieuwe wachtwoord</a></p>\n");
		web_page_end(b);
		web_page_reply(r, 200, b);
		evbuffer_free(b);
	}
out:
	db_recover(r->db);
	log_set_rid(prev);
	web_reset_job_free(job);
	router_req_free(r);
}

/* POST /wachtwoord-herstellen/{token}: check, hash (pool), set. */
void
web_password_reset_set(struct req *r)
{
	struct evkeyvalq form;
	const char *pw, *again;
	struct web_reset_job *job;

	if (web_form(r, &form) == -1)
		return;
	pw = evhttp_find_header(&form, "wachtwoord");
	again = evhttp_find_header(&form, "herhaling");
	if (web_reset_link_ok(r) == -1)
		goto out;
	if (pw == NULL || again == NULL ||
	    !password_acceptable(pw, strlen(pw))) {
		web_reset_set_page(r, 400, "Een wachtwoord heeft 10 tot 1024 "
		    "tekens.", "wachtwoord");
		goto out;
	}
	if (strcmp(pw, again) != 0) {
		web_reset_set_page(r, 400, "De twee wachtwoorden zijn niet "
		    "hetzelfde.", "herhaling");
		goto out;
	}
	job = xcalloc(1, sizeof *job);
	job->r = r;
	job->pwlen = strlen(pw);
	job->pw = sodium_malloc(job->pwlen + 1);
	if (job->pw == NULL)
		fatal("sodium_malloc");
	memcpy(job->pw, pw, job->pwlen + 1);
	if (jobs_submit(JOBS_PASSWORD, r->ctx->base, web_reset_run,
	    web_reset_done, job) == -1) {
		web_reset_job_free(job);
		reply_header(r, "Retry-After", "5");
		web_reset_set_page(r, 503, "Het is nu erg druk. Probeer het "
		    "over een paar seconden opnieuw.", NULL);
		goto out;
	}
	r->async = true;
out:
	if (pw != NULL)
		sodium_memzero((char *)pw, strlen(pw));
	if (again != NULL)
		sodium_memzero((char *)again, strlen(again));
	evhttp_clear_headers(&form);
}
