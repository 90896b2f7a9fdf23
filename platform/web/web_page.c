/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The frame of every page: the document head, the site header with the
 * navigation and the login state, <main>, the footer; the summary of a
 * form's errors; and error pages for browsers (installed into reply.c by
 * web_page_init(), so that the HTTP layer below never calls up into here).
 */
#include "web/web.h"

#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

/*
 * The summary of a form's invalid fields ([{name, reason}]), each linking
 * to its field; nothing when there are none.
 */
void
web_page_errors(struct evbuffer *b, json_t *invalid)
{
	json_t *p;
	size_t i;

	if (json_array_size(invalid) == 0)
		return;
	html_out(b, "<div class=\"error-summary\" role=\"alert\" "
	    "tabindex=\"-1\"><h2>Dit moet anders</h2><ul>\n");
	json_array_foreach(invalid, i, p)
		html_out(b, "<li><a href=\"#%s\">%s: %s</a></li>\n",
		    json_string_value(json_object_get(p, "name")),
		    json_string_value(json_object_get(p, "name")),
		    json_string_value(json_object_get(p, "reason")));
	html_out(b, "</ul></div>\n");
}

/*
 * Links to the page before and after this one of a list of total items, as
 * req_links() makes them for the API: the page's own path and query, page
 * replaced. Nothing when everything fits on one page.
 */
void
web_page_pager(struct req *r, struct evbuffer *b, int page, int page_size,
    long total)
{
	json_t *links = req_links(r, page, page_size, total);
	json_t *prev = json_object_get(links, "prev");
	json_t *next = json_object_get(links, "next");

	if (prev != NULL || next != NULL) {
		html_out(b, "<nav class=\"pager\" aria-label=\"Pagina's\">"
		    "<ul>\n");
		if (prev != NULL)
			html_out(b, "<li><a rel=\"prev\" href=\"%s\">Vorige "
			    "pagina</a></li>\n", json_string_value(
			    json_object_get(prev, "href")));
		if (next != NULL)
			html_out(b, "<li><a rel=\"next\" href=\"%s\">Volgende "
			    "pagina</a></li>\n", json_string_value(
			    json_object_get(next, "href")));
		html_out(b, "</ul></nav>\n");
	}
	json_decref(links);
}

/*
 * A link to the login form that brings the person back to this page
 * afterwards (web_login.c checks "terug" again): only for a page read with
 * GET, not the login form itself, and a path fit to go back to. The site
 * header passes query false: pages cached for every anonymous visitor
 * (web_pilots_show and others, keyed by their path) carry the header, so
 * it must not hold a query one visitor chose.
 */
void
web_page_login_link(struct req *r, struct evbuffer *b, const char *text,
    bool query)
{
	const char *back = query ? r->target : r->path;

	if (!(r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_HEAD) ||
	    !http_local_path(back) || strcmp(r->path, "/") == 0 ||
	    strcmp(r->path, "/inloggen") == 0)
		back = NULL;
	html_out(b, "<a href=\"/inloggen");
	if (back != NULL) {
		html_out(b, "?terug=");
		html_url_value(b, back);
	}
	html_out(b, "\">%s</a>", text);
}

/*
 * Why a list or search page has no results, above its form: the invalid
 * query parameters (400), each by its label (labels: {name, label}
 * pairs, nlabels of them) and linked to its field when it is one of the
 * first nfields (the fields the page's form has), or the search that ran
 * out of time (503).
 */
void
web_page_query_problem(struct req *r, struct evbuffer *b, int status,
    const char *const (*labels)[2], size_t nlabels, size_t nfields)
{
	size_t i, j;
	json_t *p;

	html_out(b, "<div class=\"error-summary\" role=\"alert\" "
	    "tabindex=\"-1\"><h2>%s</h2>\n", status == 503 ? "Zoeken lukte "
	    "niet" : "Pas uw zoekvraag aan");
	if (status == 503) {
		html_out(b, "<p>%s</p></div>\n", MODEL_PILOTS_TOO_LONG);
		return;
	}
	html_out(b, "<ul>\n");
	json_array_foreach(r->invalid, i, p) {
		const char *name = json_string_value(json_object_get(p,
		    "name"));
		const char *label = name;

		for (j = 0; j < nlabels; j++)
			if (strcmp(labels[j][0], name) == 0)
				label = labels[j][1];
		for (j = 0; j < nfields; j++)
			if (strcmp(labels[j][0], name) == 0)
				break;
		if (j < nfields)
			html_out(b, "<li><a href=\"#%s\">%s: %s</a></li>\n",
			    name, label, json_string_value(json_object_get(p,
			    "reason")));
		else
			html_out(b, "<li>%s: %s</li>\n", label,
			    json_string_value(json_object_get(p, "reason")));
	}
	html_out(b, "</ul></div>\n");
}

/* The document head, the site header with navigation, and <main>. */
void
web_page_start(struct req *r, struct evbuffer *b, const char *title)
{
	web_page_start_feed(r, b, title, "Nieuwe pilots", "/pilots/feed");
}

/*
 * The same, for a page with a feed of its own: feed_title and feed (its
 * address, HTML-escaped here) for the head's link to it.
 */
void
web_page_start_feed(struct req *r, struct evbuffer *b, const char *title,
    const char *feed_title, const char *feed)
{
	html_out(b, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<title>%s – meent</title>\n"
	    "<link rel=\"icon\" href=\"data:,\">\n", title);
	if (static_nlds_available())
		html_out(b, "<link rel=\"stylesheet\" "
		    "href=\"/static/nlds/tokens.css\">\n<link rel=\"stylesheet\" "
		    "href=\"/static/nlds/html.css\">\n");
	html_out(b, "<link rel=\"stylesheet\" href=\"/static/meent.css\">\n"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "title=\"%s\" href=\"%s\">\n"
	    "</head>\n<body class=\"utrecht-theme utrecht-html\">\n"
	    "<a class=\"skip-link\" href=\"#meent-inhoud\">Naar de inhoud</a>\n"
	    "<header class=\"site-header\">\n"
	    "<a class=\"site-name\" href=\"/\">meent</a>\n"
	    "<nav aria-label=\"Hoofdmenu\"><ul>\n"
	    "<li><a href=\"/\">Start</a></li>\n"
	    "<li><a href=\"/pilots\">Pilots</a></li>\n"
	    "<li><a href=\"/richtlijnen\">Richtlijnen</a></li>\n"
	    "<li><a href=\"/benchmarks\">Benchmarks</a></li>\n"
	    "<li><a href=\"/gemeenten\">Gemeenten</a></li>\n"
	    "<li><a href=\"/zoeken\">Zoeken</a></li>\n", feed_title, feed);
	if (r->who.kind == PRINCIPAL_SESSION)
		html_out(b, "<li><a href=\"/mijn\">Mijn overzicht</a></li>\n");
	html_out(b, "</ul></nav>\n");
	if (r->who.kind == PRINCIPAL_SESSION)
		html_out(b, "<form class=\"session\" method=\"post\" "
		    "action=\"/uitloggen\">"
		    "<span>Ingelogd voor %s (%s)</span> "
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<button type=\"submit\">Uitloggen</button></form>\n",
		    r->who.gemeente_naam[0] != '\0' ? r->who.gemeente_naam :
		    r->who.gemeente, role_label(r->who.role), r->who.csrf);
	else {
		html_out(b, "<p class=\"session\">");
		web_page_login_link(r, b, "Inloggen", false);
		html_out(b, "</p>\n");
	}
	html_out(b, "</header>\n<main id=\"meent-inhoud\">\n");
}

void
web_page_end(struct evbuffer *b)
{
	html_out(b, "</main>\n<footer class=\"site-footer\"><p>meent: "
	    "gemeenten delen wat ze leren van datagedreven werken. "
	    "Broncode onder EUPL-1.2.</p></footer>\n</body>\n</html>\n");
}

/* Send page b (drained) as HTML. */
void
web_page_reply(struct req *r, int status, struct evbuffer *b)
{
	reply_send(r, status, "text/html; charset=utf-8", b);
}

/*
 * Keep page b (a 200, not yet sent) in the cache under key, made under
 * generation gen (cache_generation_now() before it was made), with its
 * ETag; the reply that follows uses the same ETag instead of hashing b.
 */
void
web_page_keep(struct req *r, const char *key, struct evbuffer *b,
    unsigned long gen)
{
	struct cache_meta meta = { 0 };

	reply_etag(b, meta.etag);
	reply_header(r, "ETag", meta.etag);
	cache_put(key, (const char *)evbuffer_pullup(b, -1),
	    evbuffer_get_length(b), &meta, gen);
}

/* Send a page found in the cache (body, len and its meta: cache_get). */
void
web_page_cached(struct req *r, const char *body, size_t len,
    const struct cache_meta *meta)
{
	if (meta->etag[0] != '\0')
		reply_header(r, "ETag", meta->etag);
	reply_text(r, 200, "text/html; charset=utf-8", body, len);
}

/* What a person can do about an error of this status, or NULL. */
static const char *
web_page_problem_hint(int status)
{
	switch (status) {
	case 404:
		return "Misschien is het adres verkeerd getypt, of bestaat de "
		    "pagina niet meer. Kies een onderdeel in het menu, of zoek "
		    "wat u nodig hebt.";
	case 405:
		return "Deze pagina werkt zo niet. Ga terug en gebruik de "
		    "knoppen en formulieren op de pagina.";
	case 409:
		return "Iemand anders heeft dit intussen veranderd, of het kan "
		    "nu niet meer. Laad de pagina opnieuw en kijk wat er nu "
		    "staat.";
	case 410:
		return "Dit is verwijderd. Het komt niet terug.";
	case 413:
		return "Wat u stuurde is te groot. Maak het kleiner en probeer "
		    "het opnieuw.";
	case 429:
		return "Wacht even en probeer het dan opnieuw.";
	}
	if (status >= 500)
		return "Dit ligt niet aan u. Probeer het over een paar minuten "
		    "opnieuw. Gaat het dan nog mis, neem dan contact op met de "
		    "beheerder van deze site.";
	return NULL;
}

/*
 * An error as a Dutch page with the site's frame, for a person with a
 * browser (reply.c calls it through the hook web_page_init() installs).
 * Someone who is not signed in and needs to be (401) gets a link to the
 * login form that brings her back here.
 */
static void
web_page_problem(struct req *r, int status, const char *title,
    const char *detail)
{
	struct evbuffer *b = evbuffer_new();
	bool login = status == 401 && r->who.kind != PRINCIPAL_SESSION;
	const char *hint = web_page_problem_hint(status);

	if (login)
		title = "Log in om dit te zien";
	web_page_start(r, b, title);
	html_out(b, "<h1>%s</h1>\n<p>%s</p>\n", title, detail);
	if (req_has_invalid(r)) {
		size_t i;
		json_t *p;

		html_out(b, "<ul>\n");
		json_array_foreach(r->invalid, i, p)
			html_out(b, "<li>%s: %s</li>\n",
			    json_string_value(json_object_get(p, "name")),
			    json_string_value(json_object_get(p, "reason")));
		html_out(b, "</ul>\n");
	}
	if (hint != NULL)
		html_out(b, "<p>%s</p>\n", hint);
	html_out(b, "<ul class=\"error-links\">\n");
	if (login) {
		html_out(b, "<li>");
		web_page_login_link(r, b, "Log in om dit te zien", true);
		html_out(b, "</li>\n");
	}
	if (status == 404)
		html_out(b, "<li><a href=\"/zoeken\">Zoeken</a></li>\n");
	html_out(b, "<li><a href=\"/\">Naar de startpagina</a></li>\n"
	    "</ul>\n");
	web_page_end(b);
	reply_send(r, status, "text/html; charset=utf-8", b);
	evbuffer_free(b);
}

/* At start: errors for browsers are pages with this frame. */
void
web_page_init(void)
{
	reply_set_problem_page(web_page_problem);
}
