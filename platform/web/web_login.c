/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Logging in and out of the web pages: /inloggen (a form, and its POST) and
 * /uitloggen. Attempts pass the login guard (login_guard.c: per address,
 * per account, per known browser) before any password is hashed; the hash
 * is checked on the password pool (jobs.c). Failures say only that the
 * pair did not match. The form carries "terug", the page to go back to
 * after signing in; only a local path is followed (http_local_path),
 * anything else goes to the start page, so the form is no open redirect.
 */
#include "web/web.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

/*
 * Where to go after signing in: "terug" when it is a local path
 * (http_local_path: no other site, no header splitting), else the start
 * page. Borrowed from the form or query it came from.
 */
static const char *
web_login_back(const char *terug)
{
	return http_local_path(terug) ? terug : "/";
}

static void
web_login_page(struct req *r, int status, const char *email,
    const char *terug, const char *error)
{
	struct evbuffer *b = evbuffer_new();
	/* A missing or wrong address or password: about both fields. */
	bool bad = error != NULL && (status == 400 || status == 401);

	web_page_start(r, b, "Inloggen");
	html_out(b, "<h1>Inloggen</h1>\n");
	if (error != NULL)
		web_page_error_summary(b, bad ? "email" : NULL, error);
	html_out(b, "<form method=\"post\" action=\"/inloggen\">\n");
	if (strcmp(terug, "/") != 0)
		html_out(b, "<input type=\"hidden\" name=\"terug\" "
		    "value=\"%s\">\n", terug);
	html_out(b, "<p><label for=\"email\">E-mailadres</label><br>");
	web_page_field_error(b, "email", bad ? error : NULL);
	html_out(b, "<input id=\"email\" name=\"email\" type=\"email\" "
	    "autocomplete=\"username\" required maxlength=\"254\" "
	    "value=\"%s\"", email);
	web_page_field_aria(b, "email", NULL, bad);
	html_out(b, "></p>\n<p><label for=\"wachtwoord\">Wachtwoord</label><br>"
	    "<input id=\"wachtwoord\" name=\"wachtwoord\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"1024\"");
	html_attr_if(b, bad, " aria-describedby=\"email-fout\" "
	    "aria-invalid=\"true\"");
	html_out(b, "></p>\n<p><button type=\"submit\">Inloggen</button></p>\n"
	    "</form>\n<p><a href=\"/wachtwoord-vergeten\">Wachtwoord vergeten?"
	    "</a></p>\n<p><a href=\"/toegang-aanvragen\">Nog geen account? "
	    "Vraag toegang aan</a></p>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* GET /inloggen[?terug=/path]: the form, carrying where to go back to. */
void
web_login_form(struct req *r)
{
	web_login_page(r, 200, "", web_login_back(req_query(r, "terug")),
	    NULL);
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
		/* A page for a person: no field names or "invalidParams". */
		reply_problem(r, 400, "Ongeldige invoer", "Het formulier kon "
		    "niet gelezen worden. Laad de pagina opnieuw en probeer "
		    "het nog eens.");
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

/* A login on its way through the password pool. */
struct web_login_job {
	struct req		*r;
	struct principal	 who;
	char			 hash[PASSWORD_HASH_LEN];
	char			*email;
	char			*pw;		/* sodium_malloc'ed, wiped */
	size_t			 pwlen;
	char			 device[LOGIN_DEVICE_LEN + 1]; /* or "" */
	char			*terug;		/* a local path (checked) */
	bool			 match;
};

/* The device cookie's name: __Host- needs Secure, which needs https. */
static const char *
web_login_device_name(struct req *r)
{
	return r->ctx->secure ? "__Host-meent_apparaat" :
	    "meent_apparaat";
}

/* This browser's device cookie for email, if it has a valid one. */
static void
web_login_device(struct req *r, const char *email,
    char out[LOGIN_DEVICE_LEN + 1])
{
	const char *cookie = req_header(r, "Cookie");

	out[0] = '\0';
	if (cookie == NULL || !auth_cookie_value(cookie,
	    web_login_device_name(r), out, LOGIN_DEVICE_LEN + 1) ||
	    !login_guard_device_valid(r->ctx->login_guard, email, out))
		out[0] = '\0';
}

/*
 * Sign user_id (whose address is email) in on this answer: a session and
 * its cookie, and a device cookie. Also for an accepted invitation
 * (web_users_invite.c). Returns 0, or -1 after replying.
 */
int
web_login_session(struct req *r, long user_id, const char *email)
{
	const struct config *cfg = r->ctx->cfg;
	char cookie[SESSION_LEN + 1], device[LOGIN_DEVICE_LEN + 1];
	char header[256];
	const char *secure = req_secure(r) ? "; Secure" : "";

	if (session_create(r->db, user_id, cfg->session_hours, cookie) != 0) {
		reply_db_failed(r, "Inloggen lukt nu niet.");
		return -1;
	}
	snprintf(header, sizeof header, "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Lax; Max-Age=%d%s", auth_cookie_name(r->ctx), cookie,
	    cfg->session_hours * 3600, secure);
	sodium_memzero(cookie, sizeof cookie);
	reply_header(r, "Set-Cookie", header);
	/* This browser is known to this account from now on (a year). */
	login_guard_device_new(r->ctx->login_guard, email, device);
	snprintf(header, sizeof header, "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=31536000%s", web_login_device_name(r),
	    device, secure);
	reply_header(r, "Set-Cookie", header);
	log_emit(LOG_INFO, "auth.login", "user %ld logged in", user_id);
	return 0;
}

/*
 * Signed in: the session cookie, a device cookie, and back to where the
 * person came from (or the start page).
 */
static void
web_login_success(struct req *r, struct web_login_job *job)
{
	if (web_login_session(r, job->who.user_id, job->email) == 0)
		reply_redirect(r, job->terug);
}

/* On the password pool: the one expensive step. */
static void
web_login_run(void *arg)
{
	struct web_login_job *job = arg;

	job->match = password_verify(job->hash, job->pw, job->pwlen);
}

static void
web_login_job_free(struct web_login_job *job)
{
	sodium_free(job->pw);
	sodium_memzero(job->hash, sizeof job->hash);
	free(job->email);
	free(job->terug);
	free(job);
}

/* Back on the worker: the outcome, to the guard and to the person. */
static void
web_login_done(void *arg, bool ran)
{
	struct web_login_job *job = arg;
	struct req *r = job->r;
	const char *prev = log_set_rid(r->rid);
	bool ok = ran && job->match && job->who.kind == PRINCIPAL_SESSION;

	router_resume(r);	/* what fails or commits now is r's */
	if (!ran)
		reply_problem(r, 503, "Tijdelijk niet beschikbaar", "De server "
		    "stopt; probeer het zo opnieuw.");
	else {
		login_guard_result(r->ctx->login_guard, job->email,
		    job->device[0] != '\0' ? job->device : NULL, ok);
		if (ok)
			web_login_success(r, job);
		else
			web_login_page(r, 401, job->email, job->terug,
			    "Het e-mailadres of het wachtwoord klopt niet.");
	}
	db_recover(r->db);
	log_set_rid(prev);
	web_login_job_free(job);
	router_req_free(r);
}

/*
 * 429: wait this many seconds. The page says how long, in words a person
 * can act on.
 */
static void
web_login_wait(struct req *r, const char *email, const char *terug,
    int seconds)
{
	char retry[16], *msg;

	snprintf(retry, sizeof retry, "%d", seconds);
	reply_header(r, "Retry-After", retry);
	msg = seconds < 90 ? xasprintf("Te veel pogingen. Probeer het over "
	    "%d seconden opnieuw.", seconds) : xasprintf("Te veel pogingen. "
	    "Probeer het over %d minuten opnieuw.", (seconds + 59) / 60);
	web_login_page(r, 429, email, terug, msg);
	free(msg);
}

/*
 * POST /inloggen. The limits first (login_guard.c), then the account, then
 * the password on the password pool, so that logins can never keep the
 * workers from serving reads.
 */
void
web_login_post(struct req *r)
{
	struct evkeyvalq form;
	const char *email, *pw, *terug;
	struct web_login_job *job;
	int wait, rc;

	if (web_form(r, &form) == -1)
		return;
	email = evhttp_find_header(&form, "email");
	pw = evhttp_find_header(&form, "wachtwoord");
	terug = web_login_back(evhttp_find_header(&form, "terug"));
	if (email == NULL || pw == NULL || *email == '\0' || *pw == '\0' ||
	    strlen(email) > 254) {
		web_login_page(r, 400, "", terug, "Vul uw e-mailadres en "
		    "wachtwoord in.");
		goto out;
	}
	if (!password_acceptable(pw, strlen(pw))) {
		/* No account has a password of this length: nothing to hash. */
		web_login_page(r, 401, email, terug, "Het e-mailadres of het "
		    "wachtwoord klopt niet.");
		goto out;
	}
	job = xcalloc(1, sizeof *job);
	job->r = r;
	job->email = xstrdup(email);
	job->terug = xstrdup(terug);
	web_login_device(r, email, job->device);
	wait = login_guard_check(r->ctx->login_guard, r->client, email,
	    job->device[0] != '\0' ? job->device : NULL);
	if (wait > 0) {
		web_login_job_free(job);
		web_login_wait(r, email, terug, wait);
		goto out;
	}
	rc = user_login_lookup(r->db, email, &job->who, job->hash);
	if (rc == AUTH_FAILED) {
		web_login_job_free(job);
		reply_db_failed(r, "Inloggen lukt nu niet.");
		goto out;
	}
	job->pwlen = strlen(pw);
	job->pw = sodium_malloc(job->pwlen + 1);
	if (job->pw == NULL)
		fatal("sodium_malloc");
	memcpy(job->pw, pw, job->pwlen + 1);
	if (jobs_submit(JOBS_PASSWORD, r->ctx->base, web_login_run,
	    web_login_done, job) == -1) {
		web_login_job_free(job);
		reply_header(r, "Retry-After", "5");
		web_login_page(r, 503, email, terug, "Er wordt nu erg veel "
		    "ingelogd. Probeer het over een paar seconden opnieuw.");
		goto out;
	}
	r->async = true;
out:
	/* The form holds the password: wipe it before it is freed. */
	if (pw != NULL)
		sodium_memzero((char *)pw, strlen(pw));
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
	/* A session that could not be ended is not: the cookie stays. */
	if (auth_session_cookie(r, value, sizeof value) &&
	    session_delete(r->db, value) == -1) {
		reply_db_failed(r, "Uitloggen lukt nu niet; u bent nog "
		    "ingelogd.");
		return;
	}
	snprintf(header, sizeof header, "%s=; Path=/; HttpOnly; SameSite=Lax; "
	    "Max-Age=0%s", auth_cookie_name(r->ctx), req_secure(r) ?
	    "; Secure" : "");
	reply_header(r, "Set-Cookie", header);
	reply_redirect(r, "/");
}
