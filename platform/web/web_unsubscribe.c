/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Afmelden: the link in every notification (List-Unsubscribe, RFC 8058).
 * GET /afmelden/{token} only shows a page with a button: mail scanners
 * follow links, and a GET must not unsubscribe anyone. POST
 * /afmelden/{token} unsubscribes, without a login or a CSRF token and
 * whatever its body (RFC 8058's "List-Unsubscribe=One-Click" comes from
 * the mail provider, not from this site): the token is the authority --
 * 32 random bytes for one user and one kind, stored hashed, expiring
 * (domain/notify.c). An unknown, forged or expired token is a Dutch 404.
 * The pages send no Referer, so the token leaks nowhere.
 */
#include "web/web.h"

#include <string.h>

#include <event2/buffer.h>

static void
web_unsubscribe_headers(struct req *r)
{
	reply_header(r, "Referrer-Policy", "no-referrer");
	reply_header(r, "Cache-Control", "no-store");
}

/* What the token is about, in words. */
static const char *
web_unsubscribe_what(const char *what)
{
	int k = notify_kind_parse(what);

	return k >= 0 ? notify_kinds[k].label :
	    "Het wekelijkse overzicht";
}

/* Answers after a failed look-up: 404 or the database's 5xx. */
static void
web_unsubscribe_bad(struct req *r, int rc)
{
	struct evbuffer *b;

	if (rc == MEENT_ERR) {
		reply_db_failed(r, "Afmelden lukt nu niet. Probeer het later "
		    "opnieuw.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Link werkt niet");
	html_out(b, "<h1>Deze link werkt niet</h1>\n<p>Deze link om u af te "
	    "melden klopt niet of is verlopen. Een link werkt %d dagen.</p>\n"
	    "<p>U kunt uw meldingen ook zelf aanpassen: log in en ga naar "
	    "<a href=\"/mijn/meldingen\">Mijn meldingen</a>.</p>\n",
	    NOTIFY_TOKEN_DAYS);
	web_page_end(b);
	web_page_reply(r, 404, b);
	evbuffer_free(b);
}

/* GET /afmelden/{token}: a page with a button; changes nothing. */
void
web_unsubscribe_form(struct req *r)
{
	struct evbuffer *b;
	char what[16];
	long user_id;
	int rc;

	web_unsubscribe_headers(r);
	rc = notify_token_lookup(r->db, r->params[0], what, &user_id);
	if (rc != 0) {
		web_unsubscribe_bad(r, rc);
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Afmelden");
	/* The token is base64url, checked: safe in the path as it is. */
	html_out(b, "<h1>Afmelden</h1>\n<p>Wilt u geen e-mail meer krijgen "
	    "over: <strong>%s</strong>?</p>\n<form method=\"post\" "
	    "action=\"/afmelden/%s\">\n<input type=\"hidden\" "
	    "name=\"List-Unsubscribe\" value=\"One-Click\">\n"
	    "<p><button type=\"submit\">Ja, meld mij af</button></p>\n"
	    "</form>\n<p>Wilt u iets anders kiezen? Log in en ga naar "
	    "<a href=\"/mijn/meldingen\">Mijn meldingen</a>.</p>\n",
	    web_unsubscribe_what(what), r->params[0]);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
}

/* POST /afmelden/{token}: one click, from a mail program or the page. */
void
web_unsubscribe_post(struct req *r)
{
	struct evbuffer *b;
	char what[16];
	int rc;

	web_unsubscribe_headers(r);
	rc = notify_unsubscribe(r->db, r->params[0], what);
	if (rc != 0) {
		web_unsubscribe_bad(r, rc);
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Afgemeld");
	html_out(b, "<h1>U bent afgemeld</h1>\n<p role=\"status\">U krijgt "
	    "hierover geen e-mail meer: <strong>%s</strong>.</p>\n"
	    "<p>Toch weer iets willen krijgen? Log in en ga naar "
	    "<a href=\"/mijn/meldingen\">Mijn meldingen</a>.</p>\n",
	    web_unsubscribe_what(what));
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
}
