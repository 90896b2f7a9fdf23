/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /zoeken: the one search (model_search.c) as a page. The box, a choice of
 * kind, the counts per kind as links (every kind, 0 included), then the
 * results in the order the search gives (by kind, by relevance within
 * one), each saying what it is and linking to its page, and the pager.
 * A query that cannot run (the caps, operators out of place, an unknown
 * kind) gets the same page, 400, with the reason in an error summary and
 * next to the box, which keeps what was typed; a search out of time gets
 * it with 503. Fragments are plain text with the matches marked
 * (html_fragment: escaped, <mark> only).
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/* Each kind in the plural, as the page names its results. */
static const char *const web_search_plural[SEARCH_NKINDS] = {
	[SEARCH_GEMEENTE] = "Gemeenten", [SEARCH_PILOT] = "Pilots",
	[SEARCH_RICHTLIJN] = "Richtlijnen", [SEARCH_INDICATOR] = "Benchmarks",
};

/* Above the form: why there are no results (400, 503). */
static void
web_search_problem(struct req *r, struct evbuffer *b, int status)
{
	static const char *const labels[][2] = {
		{ "q", "Zoekwoorden" }, { "soort", "Zoek in" },
		{ "page", "Pagina" }, { "pageSize", "Aantal per pagina" },
	};
	json_t *p;
	size_t i;

	/* Not the codes of the kinds the shared check lists. */
	json_array_foreach(r->invalid, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")),
		    "soort") == 0)
			json_object_set_new(p, "reason", json_string("kies "
			    "uit de lijst waarin u wilt zoeken"));
	/* The first two are fields of the form: link to them. */
	web_page_query_problem(r, b, status, labels, nitems(labels), 2);
}

/* The form: the box (with its reason) and the kind to search in. */
static void
web_search_form(struct req *r, struct evbuffer *b,
    const struct search_query *q)
{
	const char *why = req_invalid_reason(r->invalid, "q");
	const char *kind = req_query(r, "soort");

	html_out(b, "<form method=\"get\" action=\"/zoeken\" role=\"search\">\n"
	    "<p><label for=\"q\">Zoek in pilots, richtlijnen, benchmarks en "
	    "gemeenten</label><br>");
	if (why != NULL)
		html_out(b, "<span class=\"error\" id=\"q-fout\">%s</span><br>",
		    why);
	html_out(b, "<input id=\"q\" name=\"q\" type=\"search\" "
	    "maxlength=\"200\" value=\"%s\"", q->q);
	html_attr_if(b, why != NULL,
	    " aria-invalid=\"true\" aria-describedby=\"q-fout\"");
	html_out(b, "></p>\n<p><label for=\"soort\">Zoek in</label><br>");
	web_page_select(b, r->invalid, "soort");
	html_out(b, "<option value=\"\">alles</option>\n");
	for (int k = 0; k < SEARCH_NKINDS; k++) {
		html_out(b, "<option value=\"%s\"", search_kinds[k].value);
		html_attr_if(b, kind != NULL &&
		    strcmp(kind, search_kinds[k].value) == 0, " selected");
		html_out(b, ">%s</option>\n", web_search_plural[k]);
	}
	html_out(b, "</select></p>\n<p><button type=\"submit\">Zoeken</button>"
	    "</p>\n</form>\n<p class=\"hint\">Hoofdletters en accenten maken "
	    "niet uit, en woordvormen worden samen gevonden: "
	    "<em>bijstandsuitkeringen</em> vindt ook <em>bijstandsuitkering"
	    "</em>. Gebruik \"aanhalingstekens\" voor een zin, een * voor het "
	    "begin van een woord (na minstens 3 letters), en AND, OR of NOT "
	    "tussen twee woorden. Hoogstens 12 zoekwoorden.</p>\n");
}

/* A link to this search in one kind (k -1: all), with its count. */
static void
web_search_facet(struct evbuffer *b, const struct search_query *q, int k,
    long n)
{
	const char *label = k == -1 ? "Alles" : web_search_plural[k];

	html_out(b, "<li><a href=\"/zoeken?q=");
	html_url_value(b, q->q);
	if (k != -1)
		html_out(b, "&amp;soort=%s", search_kinds[k].value);
	html_out(b, "\"");
	html_attr_if(b, q->kind == k, " aria-current=\"page\"");
	{
		char count[NL_NUMBER_MAX];

		html_out(b, ">%s</a> (%s)</li>\n", label, nl_count(count,
		    sizeof count, n));
	}
}

/* The counts per kind, every kind, as links. */
static void
web_search_facets(struct evbuffer *b, const struct search_query *q,
    const struct search_result *res)
{
	long all = 0;

	for (int k = 0; k < SEARCH_NKINDS; k++)
		all += res->count[k];
	html_out(b, "<nav aria-labelledby=\"zoek-soort\">\n<h2 id=\"zoek-soort\">"
	    "Per soort</h2>\n<ul class=\"facet\">\n");
	web_search_facet(b, q, -1, all);
	for (int k = 0; k < SEARCH_NKINDS; k++)
		web_search_facet(b, q, k, res->count[k]);
	html_out(b, "</ul>\n</nav>\n");
}

/* One result: its title linking to its page, its kind, its fragment. */
static void
web_search_item(struct evbuffer *b, json_t *it)
{
	const char *soort = json_string_value(json_object_get(it, "soort"));
	const char *frag = json_string_value(json_object_get(it,
	    "fragmentHtml"));

	html_out(b, "<li class=\"pilot\">\n<h3><a href=\"%s\">%s</a></h3>\n"
	    "<p class=\"meta\">%s", json_string_value(json_object_get(
	    json_object_get(json_object_get(it, "_links"), "html"), "href")),
	    json_string_value(json_object_get(it, "titel")),
	    choice_label(search_kinds, soort));
	if (json_is_string(json_object_get(it, "gemeenteNaam")))
		html_out(b, " · %s, %s", json_string_value(json_object_get(it,
		    "gemeenteNaam")), json_string_value(json_object_get(it,
		    "provincie")));
	html_out(b, "</p>\n");
	if (frag != NULL && *frag != '\0') {
		/* Escaped but for the <mark>s: html_fragment(). */
		html_out(b, "<p>");
		html_raw(b, frag);
		html_out(b, "</p>\n");
	}
	html_out(b, "</li>\n");
}

static void
web_search_results(struct req *r, struct evbuffer *b,
    const struct search_query *q, const struct search_result *res)
{
	size_t i;
	json_t *it;

	web_search_facets(b, q, res);
	{
		char count[NL_COUNTED_MAX];

		html_out(b, "<h2>%s</h2>\n", nl_counted(count, sizeof count,
		    res->total, "resultaat", "resultaten"));
	}
	if (res->total == 0) {
		html_out(b, "<p>Niets gevonden%s. Probeer minder woorden, een "
		    "ander woord, of het begin van een woord met een *.</p>\n",
		    q->kind != -1 ? " in deze soort" : "");
		return;
	}
	html_out(b, "<ul class=\"pilots\">\n");
	json_array_foreach(res->items, i, it)
		web_search_item(b, it);
	html_out(b, "</ul>\n");
	web_page_pager(r, b, q->page, q->page_size, res->total);
}

/*
 * /zoeken. Anonymous visitors' pages (200) are cached, as the API's
 * search is: a search counts every match of every kind.
 */
void
web_zoeken(struct req *r)
{
	unsigned long gen = cache_generation_now();
	struct search_query q;
	struct search_result res = { 0 };
	struct evbuffer *b;
	char *key;
	int rc = -1, status = 200;

	key = web_page_shared_key(r, "HZ");
	if (web_page_reuse(r, key)) {
		free(key);
		return;
	}
	model_search_query(r, &q);
	if (!req_has_invalid(r) && q.q != NULL) {
		rc = model_search_run(r, &q, &res);
		if (rc == MEENT_INTERRUPTED)
			status = 503;
		else if (rc != 0 && rc != MEENT_CONFLICT) {
			search_result_free(&res);
			free(q.fts);
			free(key);
			reply_db_failed(r, "Er kon niet gezocht worden.");
			return;
		}
	}
	if (req_has_invalid(r))
		status = 400;
	b = evbuffer_new();
	web_page_start(r, b, status != 200 ? "Fout: zoeken" : "Zoeken");
	html_out(b, "<h1>Zoeken</h1>\n");
	if (status != 200)
		web_search_problem(r, b, status);
	web_search_form(r, b, &q);
	if (rc == 0)
		web_search_results(r, b, &q, &res);
	web_page_end(b);
	if (status == 200 && key != NULL)
		web_page_keep(r, key, b, gen);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	search_result_free(&res);
	free(q.fts);
	free(key);
}
