/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The start page: what meent is, a search box, and "Mijn gemeente". With a
 * municipality chosen (or a signed-in user's own, model_home_choice) it
 * shows pilots of municipalities like it, the newest guidelines and its
 * figures next to its size class (model_home_load); without one, the
 * newest pilots and the form to choose.
 *
 * The choice is a POST to /mijn-gemeente, not a GET that sets the cookie:
 * a GET could be sent from any site (a link, an image) and change what a
 * visitor's start page shows without their asking. As a ROUTE_WEB form the
 * router lets the POST in only from this site's own pages (Origin or
 * Sec-Fetch-Site), and a signed-in person's form carries the session's
 * CSRF token as every form does. Nothing on the server changes: the
 * answer is a cookie and a 303 to the start page.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

/* A signed-in person's form carries the session's CSRF token. */
static void
web_home_csrf(struct req *r, struct evbuffer *b)
{
	if (r->who.kind == PRINCIPAL_SESSION)
		html_out(b, "<input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\">", r->who.csrf);
}

/*
 * The form that chooses a municipality (names: municipality_names()),
 * current selected; with the reason when the last choice was refused.
 */
static void
web_home_picker(struct req *r, struct evbuffer *b, json_t *names,
    const char *current, const char *button)
{
	const char *why = req_has_invalid(r) ? "Kies een gemeente uit de "
	    "lijst." : NULL;
	json_t *g;
	size_t i;

	html_out(b, "<form method=\"post\" action=\"/mijn-gemeente\">\n");
	web_home_csrf(r, b);
	html_out(b, "<p><label for=\"gemeente\">Uw gemeente</label><br>");
	if (why != NULL)
		html_out(b, "<span class=\"error\" id=\"gemeente-fout\">%s"
		    "</span><br>", why);
	html_out(b, "<select id=\"gemeente\" name=\"gemeente\"");
	html_attr_if(b, why != NULL,
	    " aria-invalid=\"true\" aria-describedby=\"gemeente-fout\"");
	html_out(b, ">\n<option value=\"\">Kies een gemeente</option>\n");
	json_array_foreach(names, i, g) {
		const char *code = json_string_value(json_array_get(g, 0));

		html_out(b, "<option value=\"%s\"", code);
		html_attr_if(b, strcmp(current, code) == 0, " selected");
		html_out(b, ">%s</option>\n",
		    json_string_value(json_array_get(g, 1)));
	}
	html_out(b, "</select> <button type=\"submit\">%s</button></p>\n"
	    "</form>\n", button);
}

/* The form that forgets a chosen municipality. */
static void
web_home_forget(struct req *r, struct evbuffer *b)
{
	html_out(b, "<form method=\"post\" action=\"/mijn-gemeente\">");
	web_home_csrf(r, b);
	html_out(b, "<input type=\"hidden\" name=\"actie\" value=\"wissen\">"
	    "<p><button type=\"submit\">Keuze wissen</button>%s</p></form>\n",
	    r->who.kind == PRINCIPAL_SESSION ? " (dan ziet u weer uw eigen "
	    "gemeente)" : "");
}

/* "Mijn gemeente: Renswoude", its size, and the way to choose another. */
static void
web_home_mine(struct req *r, struct evbuffer *b, const struct model_home *h,
    json_t *names, int source)
{
	const char *naam = json_string_value(json_object_get(h->gemeente,
	    "naam"));
	const char *code = json_string_value(json_object_get(h->gemeente,
	    "code"));
	char count[NL_NUMBER_MAX];

	nl_count(count, sizeof count, (long)json_integer_value(
	    json_object_get(h->gemeente, "inwoners")));
	html_out(b, "<section aria-labelledby=\"mijn-gemeente\">\n"
	    "<h2 id=\"mijn-gemeente\">Mijn gemeente: %s</h2>\n"
	    "<p>%s (%s) heeft %s inwoners: een gemeente met %s.%s "
	    "<a href=\"/gemeenten/%s\">Meer over %s</a></p>\n", naam, naam,
	    json_string_value(json_object_get(h->gemeente, "provincie")),
	    count, json_string_value(json_object_get(h->gemeente,
	    "grootteklasseTekst")), source == MODEL_HOME_OWN ?
	    " U bent ingelogd voor deze gemeente." : "", code, naam);
	html_out(b, "<details%s><summary>Andere gemeente kiezen</summary>\n",
	    req_has_invalid(r) ? " open" : "");
	web_home_picker(r, b, names, code, "Kiezen");
	if (source == MODEL_HOME_CHOSEN)
		web_home_forget(r, b);
	html_out(b, "</details>\n</section>\n");
}

/* One pilot of a municipality like naam: title, municipality, size. */
static void
web_home_card(struct evbuffer *b, json_t *p, const char *naam)
{
	html_out(b, "<li class=\"pilot\">\n<h3><a href=\"/pilots/%s\">%s</a>"
	    "</h3>\n<p class=\"meta\">%s · %s inwoners",
	    json_string_value(json_object_get(p, "id")),
	    json_string_value(json_object_get(p, "titel")),
	    json_string_value(json_object_get(p, "gemeenteNaam")),
	    web_pilots_klasse((int)json_integer_value(json_object_get(p,
	    "grootteklasse"))));
	if (strcmp(json_string_value(json_object_get(p, "reden")),
	    "vergelijkbaar") == 0)
		html_out(b, " · lijkt op %s", naam);
	if (strcmp(json_string_value(json_object_get(p, "zichtbaarheid")),
	    "openbaar") != 0)
		html_out(b, " · <strong>%s</strong>", json_string_value(
		    json_object_get(p, "zichtbaarheid")));
	html_out(b, "</p>\n<p>%s</p>\n</li>\n", json_string_value(
	    json_object_get(p, "samenvatting")));
}

static void
web_home_pilots(struct evbuffer *b, const struct model_home *h)
{
	const char *naam = json_string_value(json_object_get(h->gemeente,
	    "naam"));
	json_t *p;
	size_t i;

	html_out(b, "<h2>Pilots van gemeenten zoals %s</h2>\n", naam);
	if (json_array_size(h->pilots) == 0) {
		html_out(b, "<p>Andere gemeenten hebben nog geen pilots "
		    "gedeeld. <a href=\"/pilots\">Bekijk alle pilots</a>."
		    "</p>\n");
		return;
	}
	if (h->meer_klasse != h->klasse)
		html_out(b, "<p>Gemeenten met %s inwoners hebben nog geen "
		    "pilots gedeeld. Hier zijn pilots van gemeenten die er het "
		    "dichtst bij komen.</p>\n", web_pilots_klasse(h->klasse));
	html_out(b, "<ul class=\"pilots\">\n");
	json_array_foreach(h->pilots, i, p)
		web_home_card(b, p, naam);
	html_out(b, "</ul>\n<p><a href=\"/pilots?grootteklasse=%d\">Alle "
	    "pilots van gemeenten met %s inwoners</a></p>\n", h->meer_klasse,
	    web_pilots_klasse(h->meer_klasse));
}

static void
web_home_guidelines(struct evbuffer *b, const struct model_home *h)
{
	json_t *g;
	size_t i;

	html_out(b, "<h2>Nieuwe richtlijnen</h2>\n");
	if (json_array_size(h->richtlijnen) == 0)
		html_out(b, "<p>Er zijn nog geen richtlijnen.</p>\n");
	else {
		html_out(b, "<ul>\n");
		json_array_foreach(h->richtlijnen, i, g)
			html_out(b, "<li><a href=\"/richtlijnen/%s\">%s</a> "
			    "(van %s)</li>\n", json_string_value(
			    json_object_get(g, "slug")), json_string_value(
			    json_object_get(g, "titel")), json_string_value(
			    json_object_get(g, "gemeenteNaam")));
		html_out(b, "</ul>\n");
	}
	html_out(b, "<p><a href=\"/richtlijnen\">Alle richtlijnen</a></p>\n");
}

/*
 * Its key figures with a value, each next to the median of its size class
 * (model_municipalities_positions()), and where they come from.
 */
static void
web_home_figures(struct evbuffer *b, const struct model_home *h)
{
	const char *naam = json_string_value(json_object_get(h->gemeente,
	    "naam"));
	char own[32], med[32], period[64];
	size_t i, shown = 0;
	json_t *f;

	html_out(b, "<h2>Uw cijfers</h2>\n");
	json_array_foreach(h->cijfers, i, f) {
		const char *bron = json_string_value(json_object_get(f,
		    "bron"));

		if (!json_is_number(json_object_get(f, "waarde")))
			continue;
		if (shown++ == 0)
			html_out(b, WEB_TABLE_OPEN "\n<caption>%s naast de "
			    "mediaan van gemeenten met %s</caption>\n<thead><tr>"
			    "<th scope=\"col\">Cijfer</th><th scope=\"col\">%s"
			    "</th><th scope=\"col\">Mediaan</th></tr></thead>\n"
			    "<tbody>\n", naam, json_string_value(
			    json_object_get(h->gemeente, "grootteklasseTekst")),
			    naam);
		chart_number(own, sizeof own, json_number_value(
		    json_object_get(f, "waarde")));
		if (json_is_number(json_object_get(f, "groepMediaan")))
			chart_number(med, sizeof med, json_number_value(
			    json_object_get(f, "groepMediaan")));
		else
			snprintf(med, sizeof med, "–");
		/* Three columns: the table fits a screen 320 pixels wide. */
		html_out(b, "<tr><th scope=\"row\"><a href=\"%s\">%s</a><br>"
		    "<span class=\"meta\">%s · %s · Bron: %s</span></th>"
		    "<td class=\"getal\">%s</td><td class=\"getal\">%s</td>"
		    "</tr>\n", json_string_value(json_object_get(
		    json_object_get(json_object_get(f, "_links"), "html"),
		    "href")), json_string_value(json_object_get(f, "naam")),
		    json_string_value(json_object_get(f, "eenheid")),
		    nl_period(period, sizeof period, json_string_value(
		    json_object_get(f, "periode"))),
		    bron != NULL && strstr(bron, "CBS") != NULL ? "CBS" : bron,
		    own, med);
	}
	if (shown == 0)
		html_out(b, "<p>Van %s zijn hier nog geen cijfers.</p>\n",
		    naam);
	else
		html_out(b, "</tbody>" WEB_TABLE_CLOSE "\n");
	html_out(b, "<p><a href=\"/benchmarks\">Alle benchmarks</a></p>\n");
}

/* The heading, the introduction and the search box. */
static void
web_home_intro(struct req *r, struct evbuffer *b)
{
	html_out(b, "<h1>%s</h1>\n<p class=\"lead\">Op meent delen gemeenten "
	    "wat zij leren van datagedreven werken: pilots, richtlijnen en "
	    "benchmarks. Zo hoeft een kleine gemeente niet bij nul te "
	    "beginnen.</p>\n"
	    "<form method=\"get\" action=\"/zoeken\" role=\"search\">"
	    "<p><label for=\"q\">Zoek in pilots</label><br>"
	    "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"200\"> "
	    "<button type=\"submit\">Zoeken</button></p></form>\n",
	    r->ctx->instance->name);
}

/*
 * The cache key of the start page about code (chosen as source says) for
 * r's visitor, into key: anonymous visitors who chose the same
 * municipality (or none) all see the same page, so they share one (343
 * at most); a signed-in person's page has their session's CSRF token,
 * role and municipality and may list members-only pilots, so it is keyed
 * by all of that and never serves another session.
 */
static void
web_home_key(struct req *r, const char *code, int source, char *key,
    size_t size)
{
	if (r->who.kind == PRINCIPAL_ANONYMOUS)
		snprintf(key, size, "S|%s", code);
	else
		snprintf(key, size, "SS|%ld|%s|%s|%d|%s|%d|%s", r->who.user_id,
		    r->who.csrf, r->who.gemeente, (int)r->who.role,
		    r->who.gemeente_naam, source, code);
}

/*
 * The start page with status (400 when a choice was refused: the reason
 * is at the form). Replies in every case. Cached (cache.c: every pilot or
 * guideline write makes it stale) under web_home_key().
 */
static void
web_home_page(struct req *r, int status)
{
	unsigned long gen = cache_generation_now();
	bool cacheable = (r->who.kind == PRINCIPAL_ANONYMOUS ||
	    r->who.kind == PRINCIPAL_SESSION) && status == 200;
	struct model_home h = { 0 };
	struct evbuffer *b;
	struct cache_meta meta;
	const char *cached;
	json_t *names;
	char code[8], key[256];
	size_t len;
	int source, rc;

	if ((source = model_home_choice(r, code)) == MEENT_ERR) {
		reply_db_failed(r, "De startpagina kon niet gemaakt worden.");
		return;
	}
	web_home_key(r, code, source, key, sizeof key);
	if (cacheable &&
	    (cached = cache_get(r->db, key, &len, &meta)) != NULL) {
		web_page_cached(r, cached, len, &meta);
		return;
	}
	if ((names = municipality_names(r->db)) == NULL) {
		reply_db_failed(r, "De startpagina kon niet gemaakt worden.");
		return;
	}
	if (source != MODEL_HOME_NONE && model_home_load(r, code, &h) == -1)
		goto failed;
	b = evbuffer_new();
	web_page_start(r, b, "Start");
	web_home_intro(r, b);
	if (status == 400) {
		static const char *const labels[][2] = {
			{ "gemeente", "Uw gemeente" },
		};

		web_page_query_problem(r, b, 400, labels, nitems(labels), 1);
	}
	if (source == MODEL_HOME_NONE) {
		html_out(b, "<section aria-labelledby=\"mijn-gemeente\">\n"
		    "<h2 id=\"mijn-gemeente\">Mijn gemeente</h2>\n<p>Kies uw "
		    "gemeente. Dan ziet u hier pilots van gemeenten zoals de "
		    "uwe, nieuwe richtlijnen en uw cijfers. Uw keuze wordt "
		    "onthouden in een cookie.</p>\n");
		web_home_picker(r, b, names, "", "Kiezen");
		html_out(b, "</section>\n");
		/* Out of its time budget: the page without the list. */
		rc = web_pilots_recent(r, b, 6);
		if (rc == MEENT_INTERRUPTED)
			cacheable = false;
		else if (rc != 0) {
			evbuffer_free(b);
			goto failed;
		}
	} else {
		web_home_mine(r, b, &h, names, source);
		web_home_pilots(b, &h);
		web_home_guidelines(b, &h);
		web_home_figures(b, &h);
	}
	web_page_end(b);
	if (cacheable)
		web_page_keep(r, key, b, gen);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	model_home_free(&h);
	json_decref(names);
	return;
failed:
	reply_db_failed(r, "De startpagina kon niet gemaakt worden.");
	model_home_free(&h);
	json_decref(names);
}

void
web_home(struct req *r)
{
	web_home_page(r, 200);
}

/*
 * POST /mijn-gemeente: gemeente=GM0299 remembers it, actie=wissen forgets
 * it; then to the start page (303). A code that is not a known
 * municipality is 400: the start page again, with the reason at the form.
 */
void
web_home_choose(struct req *r)
{
	struct evkeyvalq form;
	const char *code, *actie;
	int rc;

	if ((r->who.kind == PRINCIPAL_SESSION ? web_form_checked(r, &form) :
	    web_form(r, &form)) == -1)
		return;
	code = evhttp_find_header(&form, "gemeente");
	actie = evhttp_find_header(&form, "actie");
	if (actie != NULL && strcmp(actie, "wissen") == 0) {
		model_home_remember(r, NULL);
		reply_redirect(r, "/");
		goto out;
	}
	rc = municipality_code_valid(code) ? municipality_exists(r->db, code) :
	    0;
	if (rc == -1)
		reply_db_failed(r, "Uw keuze kon niet bewaard worden.");
	else if (rc == 0) {
		req_invalid(r, "gemeente", "kies een gemeente uit de lijst");
		web_home_page(r, 400);
	} else {
		model_home_remember(r, code);
		reply_redirect(r, "/");
	}
out:
	evhttp_clear_headers(&form);
}
