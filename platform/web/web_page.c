/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The frame of every page: the document head, the site header with the
 * navigation and the login state, <main>, the footer; the summary of a
 * form's errors; and error pages for browsers (installed into reply.c by
 * web_page_init(), so that the HTTP layer below never calls up into here).
 */
#include "web/web.h"

#include <stdlib.h>
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
 * The summary of a form that has one message (msg, escaped here) rather
 * than a list: at the top, linked to the field it is about (its id), or
 * about no single field (field NULL: too many attempts, too busy).
 */
void
web_page_error_summary(struct evbuffer *b, const char *field,
    const char *msg)
{
	html_out(b, "<div class=\"error-summary\" role=\"alert\" "
	    "tabindex=\"-1\"><h2>Dit moet anders</h2><ul>\n");
	if (field != NULL)
		html_out(b, "<li><a href=\"#%s\">%s</a></li>\n", field, msg);
	else
		html_out(b, "<li>%s</li>\n", msg);
	html_out(b, "</ul></div>\n");
}

/*
 * Beside field name, above its input: its error message msg (NULL:
 * nothing), with the id "NAME-fout" that web_page_field_aria() points to.
 */
void
web_page_field_error(struct evbuffer *b, const char *name, const char *msg)
{
	if (msg != NULL)
		html_out(b, "<span class=\"error\" id=\"%s-fout\">%s</span>"
		    "<br>", name, msg);
}

/*
 * The attributes of input name that tie it to its hint (the id hint, or
 * NULL) and, when invalid, to its error message (web_page_field_error()
 * with the same name): aria-describedby, and aria-invalid="true".
 */
void
web_page_field_aria(struct evbuffer *b, const char *name, const char *hint,
    bool invalid)
{
	if (hint == NULL && !invalid)
		return;
	html_out(b, " aria-describedby=\"");
	if (hint != NULL)
		html_out(b, "%s%s", hint, invalid ? " " : "");
	if (invalid)
		html_out(b, "%s-fout\" aria-invalid=\"true", name);
	html_out(b, "\"");
}

/*
 * The start of select list name ("<select id=name name=name ...>") in a
 * form whose invalid fields are invalid ([{name, reason}], or NULL): after
 * its error message when it has one, and tied to it.
 */
void
web_page_select(struct evbuffer *b, json_t *invalid, const char *name)
{
	const char *why = invalid != NULL ? req_invalid_reason(invalid, name) :
	    NULL;

	web_page_field_error(b, name, why);
	html_out(b, "<select id=\"%s\" name=\"%s\"", name, name);
	web_page_field_aria(b, name, NULL, why != NULL);
	html_out(b, ">\n");
}

/*
 * Markdown rendered at write time (trusted, safe HTML) into b:
 * - each table in a box of its own that scrolls sideways, so that a wide
 *   table does not push the page wider than a phone's screen (WCAG
 *   1.4.10); the box takes the keyboard's focus, to scroll without a mouse;
 * - headings moved so that the text's highest one is an h<top> and the
 *   others keep their distance to it (at most h6): a "# Kop" or "### Kop"
 *   in a pilot's section under its h2 becomes an h3 (top 0: as they are).
 * The safe renderer escapes raw HTML, so every "<table>" and "<hN" in html
 * is its own markup.
 */
void
web_page_markdown(struct evbuffer *b, const char *html, int top)
{
	const char *p = html != NULL ? html : "", *t;
	int shift = 0, high = 7;
	char *part;

	for (t = strstr(p, "<h"); top > 0 && t != NULL; t = strstr(t + 2,
	    "<h"))
		if (t[2] >= '1' && t[2] <= '6' && t[2] - '0' < high &&
		    (t[3] == '>' || t[3] == ' '))
			high = t[2] - '0';
	if (top > 0 && high < 7)
		shift = top - high;

	while (*(t = p + strcspn(p, "<")) != '\0') {
		size_t close = t[1] == '/';
		const char *h = t + 1 + close;

		part = xstrndup(p, (size_t)(t - p));
		html_raw(b, part);	/* the safe renderer's text */
		free(part);
		if (strncmp(t, "<table>", 7) == 0)
			html_out(b, WEB_TABLE_OPEN);
		else if (strncmp(t, "</table>", 8) == 0)
			html_out(b, WEB_TABLE_CLOSE);
		else if (h[0] == 'h' && h[1] >= '1' && h[1] <= '6' &&
		    (h[2] == '>' || h[2] == ' '))
			html_out(b, "<%sh%d", close ? "/" : "",
			    h[1] - '0' + shift > 6 ? 6 : h[1] - '0' + shift);
		else {
			html_out(b, "<");
			p = t + 1;
			continue;
		}
		p = t[1 + close] == 'h' ? h + 2 : t + 7 + close;
	}
	html_raw(b, p);
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

/* The site's menu, in order; "Mijn overzicht" follows for who is signed in. */
static const struct {
	const char	*href;
	const char	*text;
} web_page_menu[] = {
	{ "/", "Start" },
	{ "/pilots", "Pilots" },
	{ "/richtlijnen", "Richtlijnen" },
	{ "/benchmarks", "Benchmarks" },
	{ "/gemeenten", "Gemeenten" },
	{ "/zoeken", "Zoeken" },
};

/*
 * The footer's links to the pages every Dutch government site has
 * (web_info.c).
 */
static const struct {
	const char	*href;
	const char	*text;
} web_page_footer[] = {
	{ "/over", "Over meent" },
	{ "/help", "Hulp" },
	{ "/toegankelijkheid", "Toegankelijkheid" },
	{ "/privacy", "Privacy" },
};

/*
 * Whether the page at path is the menu item href (1), lies in its part of
 * the site (2: /pilots/{id} under /pilots), or neither (0).
 */
static int
web_page_menu_here(const char *path, const char *href)
{
	size_t n = strlen(href);

	if (strcmp(path, href) == 0)
		return 1;
	if (n > 1 && strncmp(path, href, n) == 0 && path[n] == '/')
		return 2;
	return 0;
}

/*
 * One link of a menu: aria-current="page" on the page itself, "true" on a
 * page within its part of the site, so that a screen reader says where the
 * visitor is and the style sheet can show it.
 */
static void
web_page_menu_item(struct req *r, struct evbuffer *b, const char *href,
    const char *text)
{
	int here = web_page_menu_here(r->path, href);

	html_out(b, "<li><a href=\"%s\"", href);
	if (here != 0)
		html_out(b, " aria-current=\"%s\"", here == 1 ? "page" :
		    "true");
	html_out(b, ">%s</a></li>\n", text);
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
	    "<nav aria-label=\"Hoofdmenu\"><ul>\n", feed_title, feed);
	for (size_t i = 0; i < nitems(web_page_menu); i++)
		web_page_menu_item(r, b, web_page_menu[i].href,
		    web_page_menu[i].text);
	if (r->who.kind == PRINCIPAL_SESSION)
		web_page_menu_item(r, b, "/mijn", "Mijn overzicht");
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
	    "Broncode onder EUPL-1.2.</p>\n<nav aria-label=\"Over deze "
	    "site\"><ul>\n");
	for (size_t i = 0; i < nitems(web_page_footer); i++)
		html_out(b, "<li><a href=\"%s\">%s</a></li>\n",
		    web_page_footer[i].href, web_page_footer[i].text);
	html_out(b, "</ul></nav></footer>\n</body>\n</html>\n");
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

/*
 * The cache key of a page that, for an anonymous visitor, depends on
 * nothing but the request's target (its header has no session, and what
 * it lists is what everyone may see): "kind|target". Caller frees; NULL
 * for any other visitor, whose page is made afresh (their session's form,
 * what only members see). The list, search and comparison pages read the
 * same as their JSON and are cached as it is (cache.c).
 */
char *
web_page_shared_key(struct req *r, const char *kind)
{
	if (r->who.kind != PRINCIPAL_ANONYMOUS)
		return NULL;
	return xasprintf("%s|%s", kind, r->target);
}

/*
 * With key (web_page_shared_key(); may be NULL): reply with the copy kept
 * under it and return true, or return false having sent nothing.
 */
bool
web_page_reuse(struct req *r, const char *key)
{
	return model_cache_reply(r, key, "text/html; charset=utf-8");
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
