/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Logging in and out of the web pages: /inloggen (a form, and its POST) and
 * /uitloggen. Attempts are rate-limited per address and per account before
 * any password is hashed. Failures say only that the pair did not match.
 */
#include "meent.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

static void
web_login_page(struct req *r, int status, const char *email,
    const char *error)
{
	struct evbuffer *b = evbuffer_new();

	html_page_start(r, b, "Inloggen");
	html_out(b, "<h1>Inloggen</h1>\n");
	if (error != NULL)
		html_out(b, "<p class=\"error\" role=\"alert\">%s</p>\n", error);
	html_out(b, "<form method=\"post\" action=\"/inloggen\">\n"
	    "<p><label for=\"email\">E-mailadres</label><br>"
	    "<input id=\"email\" name=\"email\" type=\"email\" "
	    "autocomplete=\"username\" required maxlength=\"254\" "
	    "value=\"%s\"></p>\n"
	    "<p><label for=\"wachtwoord\">Wachtwoord</label><br>"
	    "<input id=\"wachtwoord\" name=\"wachtwoord\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"1024\">"
	    "</p>\n<p><button type=\"submit\">Inloggen</button></p>\n"
	    "</form>\n", email);
	html_page_end(b);
	html_reply(r, status, b);
	evbuffer_free(b);
}

void
web_login_form(struct req *r)
{
	web_login_page(r, 200, "", NULL);
}

/* The form fields of an urlencoded body into out; -1 after replying. */
int
web_form(struct req *r, struct evkeyvalq *out)
{
	struct evbuffer *in = req_body(r);
	const char *ctype = req_header(r, "Content-Type");
	size_t len = evbuffer_get_length(in);
	char *body;
	int rc;

	TAILQ_INIT(out);
	if (ctype == NULL || strncasecmp(ctype,
	    "application/x-www-form-urlencoded", 33) != 0) {
		reply_problem(r, 415, "Verkeerd mediatype", "Een formulier "
		    "komt als application/x-www-form-urlencoded.");
		return -1;
	}
	body = xmalloc(len + 1);
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	rc = strlen(body) == len ? evhttp_parse_query_str(body, out) : -1;
	free(body);
	if (rc == -1) {
		evhttp_clear_headers(out);
		req_invalid(r, "body", "geen geldig formulier");
		reply_invalid(r);
		return -1;
	}
	return 0;
}

/* Is csrf the signed-in session's CSRF token? */
bool
web_csrf_valid(struct req *r, const char *csrf)
{
	return r->who.kind == PRINCIPAL_SESSION && csrf != NULL &&
	    strlen(csrf) == strlen(r->who.csrf) &&
	    sodium_memcmp(csrf, r->who.csrf, strlen(csrf)) == 0;
}

/*
 * A form of a signed-in person: parsed, and its CSRF token checked against
 * the session's. Returns 0, or -1 after replying (415, 400, 403).
 */
int
web_form_checked(struct req *r, struct evkeyvalq *form)
{
	const char *csrf;

	if (web_form(r, form) == -1)
		return -1;
	csrf = evhttp_find_header(form, "csrf");
	if (!web_csrf_valid(r, csrf)) {
		evhttp_clear_headers(form);
		reply_problem(r, 403, "Verboden", "Het formulier is verlopen; "
		    "laad de pagina opnieuw.");
		return -1;
	}
	return 0;
}

static bool
web_login_allowed(struct req *r, const char *email)
{
	struct ratelimit *rl = server_login_limit(r->srv);
	char key[300];
	bool ok;
	size_t i;

	snprintf(key, sizeof key, "ip:%s", r->peer);
	ok = ratelimit_allow(rl, key, strlen(key));
	snprintf(key, sizeof key, "mail:%s", email);
	for (i = 5; key[i] != '\0'; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	/* Both buckets pay, so neither can be spent through the other. */
	ok = ratelimit_allow(rl, key, strlen(key)) && ok;
	return ok;
}

void
web_login_post(struct req *r)
{
	struct evkeyvalq form;
	const char *email, *pw;
	struct principal who;
	char cookie[SESSION_LEN + 1], header[256];
	const struct config *cfg = server_config(r->srv);
	int rc;

	if (web_form(r, &form) == -1)
		return;
	email = evhttp_find_header(&form, "email");
	pw = evhttp_find_header(&form, "wachtwoord");
	if (email == NULL || pw == NULL || strlen(email) > 254 ||
	    strlen(pw) > PASSWORD_MAX) {
		web_login_page(r, 400, "", "Vul uw e-mailadres en wachtwoord "
		    "in.");
		goto out;
	}
	if (!web_login_allowed(r, email)) {
		reply_header(r, "Retry-After", "60");
		web_login_page(r, 429, email, "Te veel pogingen. Wacht een "
		    "minuut en probeer het opnieuw.");
		goto out;
	}
	rc = user_authenticate(r->db, email, pw, strlen(pw), &who);
	if (rc == AUTH_OK && session_create(r->db, who.user_id,
	    cfg->session_hours, cookie) == 0) {
		snprintf(header, sizeof header, "%s=%s; Path=/; HttpOnly; "
		    "SameSite=Lax; Max-Age=%d%s", auth_cookie_name(r->srv),
		    cookie, cfg->session_hours * 3600, server_secure(r->srv) ?
		    "; Secure" : "");
		sodium_memzero(cookie, sizeof cookie);
		reply_header(r, "Set-Cookie", header);
		log_emit(LOG_INFO, "auth.login", "user %ld logged in",
		    who.user_id);
		reply_redirect(r, "/");
		goto out;
	}
	if (rc == AUTH_FAILED) {
		reply_problem(r, 503, "Tijdelijk niet beschikbaar", "Inloggen "
		    "lukt nu niet; probeer het zo opnieuw.");
		goto out;
	}
	web_login_page(r, 401, email, "Het e-mailadres of het wachtwoord "
	    "klopt niet.");
out:
	evhttp_clear_headers(&form);
}

void
web_logout_post(struct req *r)
{
	struct evkeyvalq form;
	char header[160], value[SESSION_LEN + 2];

	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if (auth_session_cookie(r, value, sizeof value))
		session_delete(r->db, value);
	snprintf(header, sizeof header, "%s=; Path=/; HttpOnly; SameSite=Lax; "
	    "Max-Age=0%s", auth_cookie_name(r->srv), server_secure(r->srv) ?
	    "; Secure" : "");
	reply_header(r, "Set-Cookie", header);
	reply_redirect(r, "/");
}
