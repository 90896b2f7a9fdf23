/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The pilot pages: /pilots (filters as a form of select lists, the active
 * ones each removable, facets with every value, the nearest size classes
 * with pilots when one has none, pages, a link to the same list's feed),
 * /pilots/{id} (every section), and the recent pilots on the start page
 * (/zoeken is web_search.c). Every card says the size of its
 * municipality. They read through the same query and
 * visibility rules as the API (model_pilots_query, pilot_store_*), and work
 * without JavaScript. Every text goes through html_out's %s (escaped);
 * only HTML rendered by cmark-gfm in safe mode and search fragments made by
 * html_fragment() go in raw (html_raw).
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

static const char *const web_pilots_section_titles[PILOT_NSECTIONS] = {
	"Aanpak", "Data", "Resultaten", "Lessen", "Privacy" };

/* A domain by its Dutch name: "financien" as "Financiën". */
static void
web_pilots_domain(struct evbuffer *b, const char *slug)
{
	char label[128];

	html_out(b, "%s", pilot_domain_label(slug != NULL ? slug : "", label,
	    sizeof label));
}

/* A CBS size class (1..8) in words. */
const char *
web_pilots_klasse(int k)
{
	char v[12];

	snprintf(v, sizeof v, "%d", k);
	return choice_valid(municipality_classes, v) ?
	    choice_label(municipality_classes, v) : "";
}

/* Who may read a pilot that is not public, in a card's few words. */
static const char *
web_pilots_audience(const char *zichtbaarheid)
{
	if (strcmp(zichtbaarheid, "concept") == 0)
		return "Concept: alleen uw gemeente";
	if (strcmp(zichtbaarheid, "leden") == 0)
		return "Alleen voor ingelogde gebruikers";
	return choice_label(pilot_visibilities, zichtbaarheid);
}

/* One pilot in a list: title link, municipality, domain, status. */
static void
web_pilots_card(struct evbuffer *b, json_t *p)
{
	const char *frag = json_string_value(json_object_get(p, "fragmentHtml"));

	html_out(b, "<li class=\"pilot\">\n<h3><a href=\"/pilots/%s\">%s</a>"
	    "</h3>\n<p class=\"meta\">%s, %s · ",
	    json_string_value(json_object_get(p, "id")),
	    json_string_value(json_object_get(p, "titel")),
	    json_string_value(json_object_get(p, "gemeenteNaam")),
	    json_string_value(json_object_get(p, "provincie")));
	if (*web_pilots_klasse((int)json_integer_value(json_object_get(p,
	    "grootteklasse"))) != '\0')
		html_out(b, "%s inwoners · ", web_pilots_klasse((int)
		    json_integer_value(json_object_get(p, "grootteklasse"))));
	web_pilots_domain(b, json_string_value(json_object_get(p, "domein")));
	html_out(b, " · %s", choice_label(pilot_statuses, json_string_value(
	    json_object_get(p, "status"))));
	if (json_is_string(json_object_get(p, "herkomst")))
		html_out(b, " · via %s", json_string_value(json_object_get(p,
		    "herkomst")));
	if (strcmp(json_string_value(json_object_get(p, "zichtbaarheid")),
	    "openbaar") != 0)
		html_out(b, " · <strong>%s</strong>", web_pilots_audience(
		    json_string_value(json_object_get(p, "zichtbaarheid"))));
	html_out(b, "</p>\n");
	if (frag != NULL) {
		/* Escaped but for the <mark>s: html_fragment(). */
		html_out(b, "<p>");
		html_raw(b, frag);
		html_out(b, "</p>\n");
	} else
		html_out(b, "<p>%s</p>\n", json_string_value(json_object_get(p,
		    "samenvatting")));
	html_out(b, "</li>\n");
}

/*
 * "alle", then a closed set's labels (or, with set NULL, the n values),
 * each label followed by suffix.
 */
static void
web_pilots_options(struct evbuffer *b, const char *selected,
    const struct choice *set, const char *const *values, size_t n,
    const char *suffix)
{
	html_out(b, "<option value=\"\">alle</option>\n");
	if (set != NULL)
		n = choice_count(set);
	for (size_t i = 0; i < n; i++) {
		const char *v = set != NULL ? set[i].value : values[i];

		html_out(b, "<option value=\"%s\"", v);
		html_attr_if(b, selected != NULL && strcmp(selected, v) == 0,
		    " selected");
		html_out(b, ">%s%s</option>\n", set != NULL ? set[i].label : v,
		    suffix);
	}
}

/* "alle", then the n domains by their Dutch names. */
static void
web_pilots_domain_options(struct evbuffer *b, const char *selected,
    const char *const *values, size_t n)
{
	char label[128];

	html_out(b, "<option value=\"\">alle</option>\n");
	for (size_t i = 0; i < n; i++) {
		html_out(b, "<option value=\"%s\"", values[i]);
		html_attr_if(b, selected != NULL &&
		    strcmp(selected, values[i]) == 0, " selected");
		html_out(b, ">%s</option>\n", pilot_domain_label(values[i],
		    label, sizeof label));
	}
}

/*
 * The address of path with q's filters (and, for the list, its order),
 * but without the filter named drop and with set=value instead of set's
 * own (each may be NULL). The values are URL-encoded, not HTML-escaped:
 * print it with html_out's %s. Caller frees.
 */
char *
web_pilots_href(const char *path, const struct pilot_query *q, bool list,
    const char *drop, const char *set, const char *value)
{
	struct evbuffer *b = evbuffer_new();
	char klasse[12];
	const char *params[][2] = {
		{ "q", q->q }, { "domein", q->domein }, { "status", q->status },
		{ "grootteklasse", q->grootteklasse > 0 ? klasse : NULL },
		{ "provincie", q->provincie }, { "gemeente", q->gemeente },
		{ "tag", q->tag },
		{ "sort", list && q->sort_title ? "titel" : NULL },
	};
	char sep = '?';

	snprintf(klasse, sizeof klasse, "%d", q->grootteklasse);
	evbuffer_add_printf(b, "%s", path);
	for (size_t i = 0; i < nitems(params); i++) {
		const char *v = params[i][1];
		char *enc;

		if (set != NULL && strcmp(set, params[i][0]) == 0)
			v = value;
		if (v == NULL || (drop != NULL && strcmp(drop,
		    params[i][0]) == 0))
			continue;
		enc = evhttp_uriencode(v, -1, 1);
		if (enc == NULL)
			fatal("web_pilots_href: out of memory");
		evbuffer_add_printf(b, "%c%s=%s", sep, params[i][0], enc);
		free(enc);
		sep = '&';
	}
	return buffer_take_string(b);
}

/* The search box's label, its reason if any, and the box itself. */
static void
web_pilots_q(struct req *r, struct evbuffer *b, const char *label,
    const char *value)
{
	const char *why = req_invalid_reason(r->invalid, "q");

	html_out(b, "<label for=\"q\">%s</label><br>", label);
	if (why != NULL)
		html_out(b, "<span class=\"error\" id=\"q-fout\">%s</span><br>",
		    why);
	html_out(b, "<input id=\"q\" name=\"q\" type=\"search\" "
	    "maxlength=\"200\" value=\"%s\"", value);
	html_attr_if(b, why != NULL,
	    " aria-invalid=\"true\" aria-describedby=\"q-fout\"");
	html_out(b, ">");
}

/*
 * Why the page has no results, above the form: the invalid parameters
 * (400), each linking to its field when the page has one, or the search
 * that ran out of time (503).
 */
static void
web_pilots_problem(struct req *r, struct evbuffer *b, int status)
{
	static const char *const labels[][2] = {
		{ "q", "Zoekwoorden" }, { "domein", "Domein" },
		{ "status", "Status" }, { "grootteklasse", "Inwoners" },
		{ "provincie", "Provincie" }, { "gemeente", "Gemeente" },
		{ "tag", "Tag" }, { "sort", "Volgorde" }, { "page", "Pagina" },
		{ "pageSize", "Aantal per pagina" },
	};
	/* The filters' reasons as their select lists ask, without codes. */
	static const char *const plain[][2] = {
		{ "domein", "kies een domein uit de lijst" },
		{ "status", "kies een status uit de lijst" },
		{ "grootteklasse", "kies een aantal inwoners uit de lijst" },
		{ "provincie", "kies een provincie uit de lijst" },
		{ "gemeente", "deze gemeente is niet bekend; zoek haar op de "
		    "pagina Gemeenten" },
		{ "sort", "sorteer op nieuwste of op titel" },
	};
	json_t *p;
	size_t i;

	json_array_foreach(r->invalid, i, p)
		for (size_t k = 0; k < nitems(plain); k++)
			if (strcmp(json_string_value(json_object_get(p, "name")),
			    plain[k][0]) == 0)
				json_object_set_new(p, "reason",
				    json_string(plain[k][1]));
	/* The page's fields, the first five: the search box and the filters. */
	web_page_query_problem(r, b, status, labels, nitems(labels), 5);
}

/*
 * The filter form (GET), keeping what was asked; provinces: the select
 * box's names (borrowed).
 */
static void
web_pilots_filters(struct req *r, struct evbuffer *b,
    const struct pilot_query *q, json_t *provinces)
{
	const struct config *cfg = r->ctx->cfg;
	const char *names[32];
	char klasse[12];
	size_t ndom, nprov = 0, i;
	const char *const *doms = pilot_domains(&cfg->domeinen, &ndom);
	json_t *v;

	json_array_foreach(provinces, i, v)
		if (nprov < nitems(names))
			names[nprov++] = json_string_value(v);
	snprintf(klasse, sizeof klasse, "%d", q->grootteklasse);
	html_out(b, "<form class=\"filters\" method=\"get\" action=\"/pilots\" "
	    "role=\"search\">\n<p>");
	web_pilots_q(r, b, "Zoekwoorden", q->q);
	html_out(b, "</p>\n<p><label for=\"domein\">Domein</label><br>");
	web_page_select(b, r->invalid, "domein");
	web_pilots_domain_options(b, q->domein, doms, ndom);
	html_out(b, "</select></p>\n<p><label for=\"status\">Status</label>"
	    "<br>");
	web_page_select(b, r->invalid, "status");
	web_pilots_options(b, q->status, pilot_statuses, NULL, 0, "");
	html_out(b, "</select></p>\n<p><label for=\"grootteklasse\">Inwoners"
	    "</label><br>");
	web_page_select(b, r->invalid, "grootteklasse");
	web_pilots_options(b, klasse, municipality_classes, NULL, 0,
	    " inwoners");
	html_out(b, "</select></p>\n<p><label for=\"provincie\">Provincie"
	    "</label><br>");
	web_page_select(b, r->invalid, "provincie");
	web_pilots_options(b, q->provincie, NULL, names, nprov, "");
	html_out(b, "</select></p>\n");
	if (q->gemeente != NULL)
		html_out(b, "<input type=\"hidden\" name=\"gemeente\" "
		    "value=\"%s\">\n", q->gemeente);
	if (q->tag != NULL)
		html_out(b, "<input type=\"hidden\" name=\"tag\" value=\"%s\">\n",
		    q->tag);
	if (q->sort_title)
		html_out(b, "<input type=\"hidden\" name=\"sort\" "
		    "value=\"titel\">\n");
	html_out(b, "<p><button type=\"submit\">Filteren</button></p>\n"
	    "</form>\n");
}

/* A filter's value as pages and feeds show it: in words, escaped. */
void
web_pilots_filter_value(struct evbuffer *b, const char *param, const char *v)
{
	if (strcmp(param, "domein") == 0)
		web_pilots_domain(b, v);
	else if (strcmp(param, "grootteklasse") == 0)
		html_out(b, "%s inwoners", web_pilots_klasse(atoi(v)));
	else if (strcmp(param, "status") == 0)
		html_out(b, "%s", choice_label(pilot_statuses, v));
	else
		html_out(b, "%s", v);
}

/*
 * The filters in use, above the results, each with a link to the same
 * list without it; nothing when none is.
 */
static void
web_pilots_active(struct evbuffer *b, const struct pilot_query *q,
    const char *gemeente_naam)
{
	static const char *const labels[][2] = {
		{ "q", "Zoekwoorden" }, { "domein", "Domein" },
		{ "status", "Status" }, { "grootteklasse", "Inwoners" },
		{ "provincie", "Provincie" }, { "gemeente", "Gemeente" },
		{ "tag", "Tag" },
	};
	char klasse[12];
	const char *values[nitems(labels)] = { q->q, q->domein, q->status,
	    q->grootteklasse > 0 ? klasse : NULL, q->provincie, q->gemeente,
	    q->tag };
	bool any = false;

	snprintf(klasse, sizeof klasse, "%d", q->grootteklasse);
	for (size_t i = 0; i < nitems(labels); i++) {
		char *href;

		if (values[i] == NULL)
			continue;
		if (!any)
			html_out(b, "<section class=\"active-filters\" "
			    "aria-labelledby=\"meent-filters\">\n<h2 "
			    "id=\"meent-filters\">Gekozen filters</h2>\n<ul>\n");
		any = true;
		href = web_pilots_href("/pilots", q, true, labels[i][0], NULL,
		    NULL);
		html_out(b, "<li><a href=\"%s\">%s: ", href, labels[i][1]);
		/* A municipality by its name, not its code. */
		if (strcmp(labels[i][0], "gemeente") == 0 &&
		    gemeente_naam != NULL)
			html_out(b, "%s", gemeente_naam);
		else
			web_pilots_filter_value(b, labels[i][0], values[i]);
		html_out(b, " (weghalen)</a></li>\n");
		free(href);
	}
	if (any)
		html_out(b, "</ul>\n<p><a href=\"/pilots\">Alle filters "
		    "weghalen</a></p>\n</section>\n");
}

/*
 * Facet counts (each counted with the other filters, not its own): every
 * value of the facet, each with a link to the list with that value for
 * param, the other filters kept; a value without pilots, or the one
 * chosen, without a link.
 */
static void
web_pilots_facet(struct req *r, struct evbuffer *b, const char *title,
    const char *param, const struct pilot_query *q, json_t *counts)
{
	const char *key;
	json_t *n;

	html_out(b, "<h3>%s</h3>\n<ul class=\"facet\">\n", title);
	json_object_foreach(counts, key, n) {
		char *href = web_pilots_href("/pilots", q, true, NULL, param,
		    key);
		char *current = web_pilots_href("/pilots", q, true, NULL,
		    NULL, NULL);
		bool chosen = strcmp(href, current) == 0;
		bool link = json_integer_value(n) > 0 && !chosen &&
		    (strcmp(param, "domein") != 0 ||
		    pilot_domain_valid(&r->ctx->cfg->domeinen, key));

		html_out(b, "<li>");
		if (link)
			html_out(b, "<a href=\"%s\">", href);
		else if (chosen)
			html_out(b, "<strong aria-current=\"true\">");
		web_pilots_filter_value(b, param, key);
		if (link)
			html_out(b, "</a>");
		else if (chosen)
			html_out(b, "</strong>");
		{
			char count[NL_NUMBER_MAX];

			html_out(b, " (%s)</li>\n", nl_count(count, sizeof count,
			    (long)json_integer_value(n)));
		}
		free(href);
		free(current);
	}
	html_out(b, "</ul>\n");
}

/* The facets beside the results. */
static void
web_pilots_refine(struct req *r, struct evbuffer *b,
    const struct pilot_query *q, json_t *facets)
{
	html_out(b, "<aside aria-labelledby=\"meent-verfijnen\">\n"
	    "<h2 id=\"meent-verfijnen\">Verfijnen</h2>\n");
	web_pilots_facet(r, b, "Per domein", "domein", q,
	    json_object_get(facets, "domein"));
	web_pilots_facet(r, b, "Per status", "status", q,
	    json_object_get(facets, "status"));
	web_pilots_facet(r, b, "Per aantal inwoners", "grootteklasse", q,
	    json_object_get(facets, "grootteklasse"));
	html_out(b, "</aside>\n");
}

/*
 * Nothing found: with a size class, the nearest classes that do have
 * pilots (near: model_pilots_nearest()), as links to them.
 */
static void
web_pilots_none(struct evbuffer *b, const struct pilot_query *q,
    json_t *near)
{
	json_t *c;
	size_t i;

	if (q->grootteklasse == 0) {
		html_out(b, "<p class=\"none\">Geen pilots gevonden. Haal een "
		    "filter weg of zoek met andere woorden.</p>\n");
		return;
	}
	if (json_array_size(near) == 0) {
		html_out(b, "<p class=\"none\">Geen pilots in deze klasse, en "
		    "ook niet in andere klassen met deze filters.</p>\n");
		return;
	}
	html_out(b, "<p class=\"none\">Geen pilots in deze klasse. Wel: ");
	json_array_foreach(near, i, c) {
		int k = (int)json_integer_value(json_object_get(c,
		    "grootteklasse"));
		char klasse[12], *href, count[NL_COUNTED_MAX];

		snprintf(klasse, sizeof klasse, "%d", k);
		href = web_pilots_href("/pilots", q, true, NULL,
		    "grootteklasse", klasse);
		html_out(b, "%s<a href=\"%s\">%s inwoners</a> (%s)",
		    i > 0 ? ", " : "", href, web_pilots_klasse(k),
		    nl_counted(count, sizeof count, (long)json_integer_value(
		    json_object_get(c, "aantal")), "pilot", "pilots"));
		free(href);
	}
	html_out(b, "</p>\n");
}

/*
 * The provinces for the list's select box into *provinces (caller owns):
 * 0, or -1 after replying (a database error).
 */
static int
web_pilots_provinces(struct req *r, json_t **provinces)
{
	if ((*provinces = municipality_provinces(r->db)) == NULL) {
		reply_db_failed(r, "De pilots konden niet gelezen worden.");
		return -1;
	}
	return 0;
}

/*
 * The municipality of the list's filter (code, may be NULL) into *out, for
 * its name (caller owns; NULL when there is none or it is unknown): 0, or
 * -1 after replying (a database error).
 */
static int
web_pilots_municipality(struct req *r, const char *code, json_t **out)
{
	*out = NULL;
	if (code == NULL)
		return 0;
	if (municipality_get(r->db, code, out) == MEENT_ERR) {
		reply_db_failed(r, "De pilots konden niet gelezen worden.");
		return -1;
	}
	return 0;
}

/* The list's link to its feed, with the same filters. */
static void
web_pilots_follow(struct evbuffer *b, const char *feed)
{
	html_out(b, "<p class=\"feed\"><a href=\"%s\">Volg via RSS/Atom</a> "
	    "(nieuwe en gewijzigde pilots%s)</p>\n", feed,
	    strchr(feed, '?') != NULL ? " met deze filters" : "");
}

/*
 * /pilots: run the list's query, show the form, the active filters, the
 * facets, the results and the pager. A query the caps refuse (400) or one
 * that ran out of time (503) gets the same page with the reason above the
 * form, and no results. Anonymous visitors' pages (200) are cached, as
 * the API's list is: the facets count every pilot that matches.
 */
void
web_pilots_list(struct req *r)
{
	unsigned long gen = cache_generation_now();
	struct pilot_query q;
	struct evbuffer *b;
	json_t *items = NULL, *facets = NULL, *p;
	json_t *provinces = NULL, *near = NULL, *gemeente = NULL;
	char *feed, *key, found[NL_COUNTED_MAX];
	long total = 0;
	size_t i;
	int rc, status = 200;

	key = web_page_shared_key(r, "HL");
	if (web_page_reuse(r, key)) {
		free(key);
		return;
	}
	if (model_pilots_query(r, &q) == MEENT_ERR) {
		free(q.fts);
		free(key);
		reply_db_failed(r, "De pilots konden niet gelezen worden.");
		return;
	}
	if (!req_has_invalid(r)) {
		rc = model_pilots_run(r, &q, &items, &total, &facets);
		if (rc == MEENT_CONFLICT)
			req_invalid(r, "q", "geen geldige zoekvraag (let op AND, "
			    "OR, NOT en haakjes)");
		else if (rc == MEENT_INTERRUPTED)
			status = 503;
		else if (rc != 0) {
			free(q.fts);
			free(key);
			reply_db_failed(r, "De pilots konden "
			    "niet gelezen worden.");
			return;
		}
	}
	if (web_pilots_provinces(r, &provinces) == -1 ||
	    web_pilots_municipality(r, q.gemeente, &gemeente) == -1) {
		json_decref(provinces);
		json_decref(items);
		json_decref(facets);
		free(q.fts);
		free(key);
		return;
	}
	if (req_has_invalid(r))
		status = 400;
	b = evbuffer_new();
	feed = web_pilots_href("/pilots/feed", &q, false, NULL, NULL, NULL);
	web_page_start_feed(r, b, status != 200 ? "Fout: pilots" : "Pilots",
	    strchr(feed, '?') != NULL ? "Pilots met deze filters" :
	    "Nieuwe pilots", feed);
	html_out(b, "<h1>Pilots</h1>\n");
	if (status != 200)
		web_pilots_problem(r, b, status);
	web_pilots_filters(r, b, &q, provinces);
	if (items != NULL) {
		web_pilots_active(b, &q, json_string_value(json_object_get(
		    gemeente, "naam")));
		web_pilots_refine(r, b, &q, facets);
		html_out(b, "<h2>%s gevonden</h2>\n", nl_counted(found,
		    sizeof found, total, "pilot", "pilots"));
		if (total == 0) {
			near = model_pilots_nearest(facets, q.grootteklasse);
			web_pilots_none(b, &q, near);
		}
		if (json_array_size(items) > 0) {
			html_out(b, "<ul class=\"pilots\">\n");
			json_array_foreach(items, i, p)
				web_pilots_card(b, p);
			html_out(b, "</ul>\n");
		}
		web_page_pager(r, b, q.page, q.page_size, total);
		web_pilots_follow(b, feed);
		web_notify_filter_button(r, b, q.domein, q.grootteklasse,
		    q.provincie);
	}
	if (r->who.kind == PRINCIPAL_SESSION && r->who.role >= ROLE_EDITOR)
		html_out(b, "<p><a href=\"/pilots/nieuw\">Een pilot "
		    "publiceren</a></p>\n");
	web_page_end(b);
	if (status == 200 && key != NULL)
		web_page_keep(r, key, b, gen);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	free(key);
	json_decref(items);
	json_decref(facets);
	json_decref(provinces);
	json_decref(near);
	json_decref(gemeente);
	free(feed);
	free(q.fts);
}

/* A definition list row, skipped when empty. */
static void
web_pilots_fact(struct evbuffer *b, const char *term, const char *value)
{
	if (value != NULL && *value != '\0')
		html_out(b, "<dt>%s</dt><dd>%s</dd>\n", term, value);
}

/*
 * The guidelines a pilot followed, by their titles, and the indicators it
 * worked on, by their names (a slug or id that is not, or no longer, in
 * this instance is shown as it is). Returns 0, or -1 on a database error.
 */
static int
web_pilots_links(struct req *r, struct evbuffer *b, const struct pilot *p)
{
	struct guideline gl;
	json_t *v, *ind;
	size_t i;
	int rc;

	if (json_array_size(p->richtlijnen) > 0)
		html_out(b, "<dt>Richtlijnen</dt><dd><ul class=\"inline\">");
	json_array_foreach(p->richtlijnen, i, v) {
		const char *slug = json_string_value(json_object_get(v, "slug"));
		json_t *n = json_object_get(v, "versie");

		if ((rc = guideline_store_get(r->db, slug, &gl)) == -1)
			return -1;
		if (json_is_integer(n))
			html_out(b, "<li><a href=\"/richtlijnen/%s/versies/%ld\">"
			    "%s (versie %ld)</a></li>", slug, (long)
			    json_integer_value(n), rc == 0 ? gl.titel : slug,
			    (long)json_integer_value(n));
		else
			html_out(b, "<li><a href=\"/richtlijnen/%s\">%s</a></li>",
			    slug, rc == 0 ? gl.titel : slug);
	}
	if (json_array_size(p->richtlijnen) > 0)
		html_out(b, "</ul></dd>\n");
	if (json_array_size(p->indicatoren) > 0)
		html_out(b, "<dt>Indicatoren</dt><dd><ul class=\"inline\">");
	json_array_foreach(p->indicatoren, i, v) {
		const char *id = json_string_value(v);

		if ((rc = indicator_get(r->db, id, &ind)) == MEENT_ERR)
			return -1;
		html_out(b, "<li><a href=\"/benchmarks/%s?gemeente=%s\">%s"
		    "</a></li>", id, p->gemeente, ind != NULL ?
		    json_string_value(json_object_get(ind, "naam")) : id);
		json_decref(ind);
	}
	if (json_array_size(p->indicatoren) > 0)
		html_out(b, "</ul></dd>\n");
	return 0;
}

/*
 * A pilot's page. For anonymous visitors the page is the same for all, so a
 * public pilot's page is cached (cache.c); signed-in visitors see their
 * session in the header and get a fresh page.
 */
void
web_pilots_show(struct req *r)
{
	unsigned long gen = cache_generation_now();
	bool anonymous = r->who.kind == PRINCIPAL_ANONYMOUS;
	struct evbuffer *b;
	struct pilot p;
	char key[64], origin[210];
	json_t *g, *v, *people;
	size_t i;
	int from;
	char day[NL_DATE_MAX];

	snprintf(key, sizeof key, "H|%.36s", r->params[0]);
	if (anonymous && web_page_reuse(r, key))
		return;
	if (model_pilots_load(r, &p, false) == -1)
		return;
	if (municipality_get(r->db, p.gemeente, &g) == MEENT_ERR ||
	    (from = fed_peer_origin_name(r->db, r->ctx->instance, p.origin,
	    origin, sizeof origin)) == -1) {
		json_decref(g);
		pilot_free(&p);
		reply_db_failed(r, "De pilot kon niet gelezen worden.");
		return;
	}
	if (model_reactions_pilot(r, &p, &people) != 0) {
		json_decref(g);
		pilot_free(&p);
		reply_db_failed(r, "De reacties konden niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, p.titel);
	html_out(b, "<article class=\"pilot\">\n<h1>%s</h1>\n", p.titel);
	web_pilot_form_saved(r, b, &p);
	if (p.voorbeeld)
		html_out(b, "<p class=\"voorbeeld\"><strong>Voorbeeld:</strong> "
		    "deze pilot is verzonnen om te laten zien hoe meent werkt."
		    "</p>\n");
	html_out(b, "<p class=\"samenvatting\">%s</p>\n<dl class=\"facts\">\n",
	    p.samenvatting);
	if (g != NULL) {
		char line[256];

		snprintf(line, sizeof line, "%s (%s, %s inwoners)",
		    json_string_value(json_object_get(g, "naam")),
		    json_string_value(json_object_get(g, "provincie")),
		    web_pilots_klasse((int)json_integer_value(json_object_get(g,
		    "grootteklasse"))));
		web_pilots_fact(b, "Gemeente", line);
	}
	html_out(b, "<dt>Domein</dt><dd><a href=\"/pilots?domein=");
	html_url_value(b, p.domein);
	html_out(b, "\">");
	web_pilots_domain(b, p.domein);
	html_out(b, "</a></dd>\n");
	web_pilots_fact(b, "Status", choice_label(pilot_statuses, p.status));
	if (p.start != NULL)
		web_pilots_fact(b, "Startdatum", nl_date_text(day, sizeof day,
		    p.start));
	if (p.einde != NULL)
		web_pilots_fact(b, "Einddatum", nl_date_text(day, sizeof day,
		    p.einde));
	web_pilots_fact(b, "Onderzoeksvraag", p.vraag);
	if (p.aanvrager != NULL)
		web_pilots_fact(b, "Gevraagd door", choice_label(
		    pilot_requesters, p.aanvrager));
	if (json_array_size(p.stakeholders) > 0) {
		html_out(b, "<dt>Betrokken</dt><dd><ul class=\"inline\">");
		json_array_foreach(p.stakeholders, i, v)
			html_out(b, "<li>%s</li>", json_string_value(v));
		html_out(b, "</ul></dd>\n");
	}
	if (json_array_size(p.tags) > 0) {
		html_out(b, "<dt>Tags</dt><dd><ul class=\"inline\">");
		json_array_foreach(p.tags, i, v) {
			html_out(b, "<li><a href=\"/pilots?tag=");
			html_url_value(b, json_string_value(v));
			html_out(b, "\">%s</a></li>", json_string_value(v));
		}
		html_out(b, "</ul></dd>\n");
	}
	if (web_pilots_links(r, b, &p) == -1) {
		evbuffer_free(b);
		json_decref(g);
		pilot_free(&p);
		reply_db_failed(r, "De pilot kon niet gelezen worden.");
		return;
	}
	web_contacts_pilot_fact(r, b, p.contact, json_object_get(people,
	    "contactpersonen"));
	web_reactions_followups(r, b, &p, people);
	if (from == 1) {
		char line[300];

		snprintf(line, sizeof line, "%s (alleen-lezen: wijzigen kan "
		    "alleen daar)", origin);
		web_pilots_fact(b, "Gedeeld via", line);
	}
	web_pilots_fact(b, "Zichtbaar voor", choice_label(pilot_visibilities,
	    p.zichtbaarheid));
	html_out(b, "</dl>\n");
	for (int s = 0; s < PILOT_NSECTIONS; s++) {
		if (p.html[s] == NULL || *p.html[s] == '\0')
			continue;
		html_out(b, "<section aria-labelledby=\"s-%s\">\n<h2 id=\"s-%s\">"
		    "%s</h2>\n", pilot_sections[s], pilot_sections[s],
		    web_pilots_section_titles[s]);
		/* Rendered when the pilot was saved (markdown_render: safe). */
		web_page_markdown(b, p.html[s], 3);
		html_out(b, "</section>\n");
	}
	html_out(b, "<p><a href=\"/pilots/%s/bijlagen\">Bijlagen</a></p>\n", p.id);
	html_out(b, "<p class=\"meta\">Versie %ld, gewijzigd ", p.versie);
	{
		char when[32], shown[NL_DATE_MAX];

		clock_format(p.gewijzigd, when, sizeof when);
		html_out(b, "<time datetime=\"%s\">%s</time>.</p>\n", when,
		    nl_datetime(shown, sizeof shown, p.gewijzigd));
	}
	if (r->who.kind == PRINCIPAL_SESSION && r->who.role >= ROLE_EDITOR &&
	    req_own(r, p.gemeente) &&
	    strcmp(p.origin, r->ctx->instance->uuid) == 0)
		html_out(b, "<p><a href=\"/pilots/%s/bewerken\">Deze pilot "
		    "bewerken</a> · <a href=\"/pilots/%s/verwijderen\">Deze "
		    "pilot verwijderen</a></p>\n", p.id, p.id);
	web_reactions_followup_form(r, b, &p);
	web_reactions_section(r, b, &p, people);
	html_out(b, "</article>\n");
	web_page_end(b);
	if (anonymous && strcmp(p.zichtbaarheid, "openbaar") == 0)
		web_page_keep(r, key, b, gen);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(g);
	json_decref(people);
	pilot_free(&p);
}

/*
 * The newest pilots this visitor may see, for the start page: 0, or the
 * MEENT_* of model_pilots_run() with nothing added to b (MEENT_INTERRUPTED
 * when the list ran out of its time budget).
 */
int
web_pilots_recent(struct req *r, struct evbuffer *b, int n)
{
	struct pilot_query q = { .page = 1, .page_size = n };
	json_t *items, *facets, *p;
	long total;
	size_t i;
	int rc;

	q.member = r->who.kind != PRINCIPAL_ANONYMOUS;
	q.own = q.member ? r->who.gemeente : NULL;
	if ((rc = model_pilots_run(r, &q, &items, &total, &facets)) != 0)
		return rc;
	html_out(b, "<h2>Nieuwe pilots</h2>\n<ul class=\"pilots\">\n");
	json_array_foreach(items, i, p)
		web_pilots_card(b, p);
	{
		char count[NL_NUMBER_MAX];

		html_out(b, "</ul>\n<p><a href=\"/pilots\">Alle pilots (%s)</a> · "
		    "<a href=\"/pilots/feed\">Volg nieuwe pilots (Atom)</a></p>\n",
		    nl_count(count, sizeof count, total));
	}
	json_decref(items);
	json_decref(facets);
	return 0;
}
