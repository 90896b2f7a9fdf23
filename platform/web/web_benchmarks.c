/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The benchmark pages: /benchmarks (the indicators) and /benchmarks/{id}
 * (choose a municipality, a group and a period; see the chart, the group's
 * spread, every member's value and the time series). The page asks the
 * same questions as the API (model_indicators_query, comparison_make) and
 * links to the same answer as CSV, SVG and JSON.
 */
#include "web/web.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>


/*
 * Where an indicator's figures come from: its public source when a public
 * table gave figures (or none came yet), and the municipalities that
 * published their own; never the public source's name for uploads alone.
 */
static void
web_benchmarks_sources(struct evbuffer *b, json_t *ind, json_t *sources)
{
	json_t *s = json_object_get(sources, json_string_value(
	    json_object_get(ind, "id")));
	long own = (long)json_integer_value(json_object_get(s, "gemeenten"));
	bool pub = json_is_true(json_object_get(s, "publiek"));

	html_out(b, "Bron: ");
	if (pub || own == 0)
		html_out(b, "%s", json_string_value(json_object_get(ind,
		    "bron")));
	if (own > 0) {
		char n[NL_COUNTED_MAX];

		html_out(b, "%seigen cijfers van %s (datasets)", pub ? "; " : "",
		    nl_counted(n, sizeof n, own, "gemeente", "gemeenten"));
	}
}

void
web_benchmarks_list(struct req *r)
{
	struct evbuffer *b;
	json_t *items = indicator_list(r->db), *i, *sources;
	size_t k;

	if (items == NULL || (sources = indicator_sources(r->db)) == NULL) {
		json_decref(items);
		reply_db_failed(r, "De indicatoren konden niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Benchmarks");
	html_out(b, "<h1>Benchmarks</h1>\n<p class=\"lead\">Hoe staat uw "
	    "gemeente ervoor? Vergelijk uw cijfers met gemeenten van dezelfde "
	    "grootte, in dezelfde provincie of die het meest op u lijken."
	    "</p>\n<ul class=\"pilots\">\n");
	json_array_foreach(items, k, i) {
		json_t *periods = json_object_get(i, "perioden");
		size_t n = json_array_size(periods);

		html_out(b, "<li class=\"pilot\"><h2><a href=\"/benchmarks/%s\">"
		    "%s</a></h2><p>%s</p><p class=\"meta\">%s · ",
		    json_string_value(json_object_get(i, "id")),
		    json_string_value(json_object_get(i, "naam")),
		    json_string_value(json_object_get(i, "omschrijving")),
		    json_string_value(json_object_get(i, "eenheid")));
		if (n > 0) {
			char from[64], to[64];

			html_out(b, "%s tot en met %s", nl_period(from,
			    sizeof from, json_string_value(json_object_get(
			    json_array_get(periods, 0), "periode"))),
			    nl_period(to, sizeof to, json_string_value(
			    json_object_get(json_array_get(periods, n - 1),
			    "periode"))));
		}
		else
			html_out(b, "nog geen cijfers");
		html_out(b, " · ");
		web_benchmarks_sources(b, i, sources);
		html_out(b, "</p></li>\n");
	}
	html_out(b, "</ul>\n");
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(sources);
	json_decref(items);
}

/*
 * The form: municipality (names: municipality_names()), group, period;
 * keeps what was asked.
 */
static void
web_benchmarks_form(struct evbuffer *b, json_t *ind, json_t *names,
    const struct comparison_query *q, json_t *invalid)
{
	json_t *g, *p;
	size_t i;

	html_out(b, "<form method=\"get\" action=\"/benchmarks/%s\" "
	    "class=\"filters\">\n<p><label for=\"gemeente\">Gemeente</label>"
	    "<br>", json_string_value(json_object_get(ind, "id")));
	web_page_select(b, invalid, "gemeente");
	html_out(b, "<option value=\"\">Kies een gemeente</option>\n");
	json_array_foreach(names, i, g) {
		const char *code = json_string_value(json_array_get(g, 0));

		html_out(b, "<option value=\"%s\"", code);
		html_attr_if(b, q->gemeente != NULL &&
		    strcmp(q->gemeente, code) == 0, " selected");
		html_out(b, ">%s</option>\n",
		    json_string_value(json_array_get(g, 1)));
	}
	html_out(b, "</select></p>\n<p><label for=\"groep\">Vergelijk met"
	    "</label><br>");
	web_page_select(b, invalid, "groep");
	for (i = 0; comparison_groups[i].value != NULL; i++) {
		html_out(b, "<option value=\"%s\"",
		    comparison_groups[i].value);
		html_attr_if(b, q->groep != NULL &&
		    strcmp(q->groep, comparison_groups[i].value) == 0,
		    " selected");
		html_out(b, ">%s</option>\n", comparison_groups[i].label);
	}
	html_out(b, "</select></p>\n<p><label for=\"periode\">Periode</label>"
	    "<br>");
	web_page_select(b, invalid, "periode");
	json_array_foreach(json_object_get(ind, "perioden"), i, p) {
		const char *v = json_string_value(json_object_get(p, "periode"));
		bool provisional = strcmp(json_string_value(json_object_get(p,
		    "status")), "voorlopig") == 0;
		char label[64];

		html_out(b, "<option value=\"%s\"", v);
		html_attr_if(b, q->periode != NULL &&
		    strcmp(q->periode, v) == 0, " selected");
		html_out(b, ">%s%s</option>\n", nl_period(label, sizeof label, v),
		    provisional ? " (voorlopig)" : "");
	}
	html_out(b, "</select></p>\n<p><button type=\"submit\">Vergelijk"
	    "</button></p>\n</form>\n");
}

static void
web_benchmarks_cell(struct evbuffer *b, json_t *v)
{
	char num[32];

	if (!json_is_number(v)) {
		html_out(b, "<td>–</td>");
		return;
	}
	chart_number(num, sizeof num, json_number_value(v));
	html_out(b, "<td class=\"getal\">%s</td>", num);
}

/* A value's source, linked to the dataset when it is a municipality's. */
static void
web_benchmarks_source(struct evbuffer *b, json_t *bron)
{
	const char *ds = json_string_value(json_object_get(bron, "dataset"));

	if (!json_is_object(bron))
		html_out(b, "–");
	else if (ds != NULL)
		html_out(b, "<a href=\"/datasets/%s\">%s</a>", ds,
		    json_string_value(json_object_get(bron, "naam")));
	else
		html_out(b, "%s", json_string_value(json_object_get(bron,
		    "naam")));
}

/* Which figure the comparison uses and why, with the own one beside it. */
static void
web_benchmarks_choice(struct evbuffer *b, json_t *pos)
{
	json_t *own = json_object_get(pos, "eigenCijfer");
	char num[32];

	html_out(b, "<p>Bron van dit cijfer: ");
	web_benchmarks_source(b, json_object_get(pos, "bron"));
	html_out(b, ". %s</p>\n", json_string_value(json_object_get(pos,
	    "keuze")));
	if (!json_is_object(own))
		return;
	chart_number(num, sizeof num, json_number_value(json_object_get(own,
	    "waarde")));
	html_out(b, "<p>Eigen cijfer: <strong>%s</strong> (bron: ", num);
	web_benchmarks_source(b, json_object_get(own, "bron"));
	html_out(b, "; telt niet mee in de groep).</p>\n");
}

/* Where the municipality stands, in a sentence, and the warnings. */
static void
web_benchmarks_position(struct evbuffer *b, json_t *ind, json_t *cmp)
{
	json_t *pos = json_object_get(cmp, "positie"), *w;
	json_t *stats = json_object_get(cmp, "statistiek");
	const char *naam = json_string_value(json_object_get(json_object_get(
	    cmp, "gemeente"), "naam"));
	char own[32], med[32];
	size_t i;

	html_out(b, "<h2>Hoe staat %s ervoor?</h2>\n", naam);
	if (!json_is_number(json_object_get(pos, "waarde"))) {
		html_out(b, "<p>Van %s is voor deze periode geen waarde bekend."
		    "</p>\n", naam);
	} else {
		chart_number(own, sizeof own, json_number_value(json_object_get(
		    pos, "waarde")));
		chart_number(med, sizeof med, json_number_value(json_object_get(
		    stats, "mediaan")));
		html_out(b, "<p class=\"lead\">%s: <strong>%s</strong> %s. De "
		    "mediaan van de groep is %s. Plaats %ld van %ld", naam, own,
		    json_string_value(json_object_get(ind, "eenheid")), med,
		    (long)json_integer_value(json_object_get(pos, "rang")),
		    (long)json_integer_value(json_object_get(stats, "n")));
		if (json_is_number(json_object_get(pos, "percentiel"))) {
			chart_number(own, sizeof own, json_number_value(
			    json_object_get(pos, "percentiel")));
			html_out(b, "; percentiel %s", own);
		}
		html_out(b, " (%s).</p>\n", strcmp(json_string_value(
		    json_object_get(ind, "richting")), "neutraal") == 0 ?
		    "plaats 1 is de hoogste waarde; hoger is niet beter of "
		    "slechter" : "plaats 1 is de beste waarde");
		web_benchmarks_choice(b, pos);
	}
	json_array_foreach(json_object_get(cmp, "waarschuwingen"), i, w)
		html_out(b, "<p class=\"remarks\">%s</p>\n", json_string_value(
		    json_object_get(w, "tekst")));
}

static double
web_benchmarks_value(json_t *const *m)
{
	json_t *v = json_object_get(*m, "waarde");

	/* Members without a value go last, whichever the order. */
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int
web_benchmarks_high_first(const void *a, const void *b)
{
	double x = web_benchmarks_value(a), y = web_benchmarks_value(b);

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return x > y ? -1 : x < y;
}

static int
web_benchmarks_low_first(const void *a, const void *b)
{
	double x = web_benchmarks_value(a), y = web_benchmarks_value(b);

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return x < y ? -1 : x > y;
}

/*
 * The group's members as the chart orders them (best first), the
 * municipality's own row in bold and named "uw gemeente".
 */
static void
web_benchmarks_members(struct evbuffer *b, json_t *ind, json_t *cmp)
{
	json_t *leden = json_object_get(cmp, "leden"), *v;
	const char *self = json_string_value(json_object_get(json_object_get(
	    cmp, "gemeente"), "code"));
	size_t n = json_array_size(leden), i;
	json_t **rows = xreallocarray(NULL, n + 1, sizeof *rows);
	char count[NL_NUMBER_MAX];

	json_array_foreach(leden, i, v)
		rows[i] = v;
	qsort(rows, n, sizeof *rows, strcmp(json_string_value(json_object_get(
	    ind, "richting")), "lager_beter") == 0 ? web_benchmarks_low_first :
	    web_benchmarks_high_first);
	html_out(b, "<details><summary>Alle gemeenten in de groep (tabel bij "
	    "de grafiek)</summary>\n" WEB_TABLE_OPEN "\n<caption>In de "
	    "volgorde van de "
	    "grafiek</caption>\n<thead><tr><th scope=\"col\">Gemeente</th>"
	    "<th scope=\"col\">Inwoners</th><th scope=\"col\">Waarde</th>"
	    "<th scope=\"col\">Bron</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n; i++) {
		bool mine = self != NULL && strcmp(json_string_value(
		    json_object_get(rows[i], "gemeente")), self) == 0;

		html_out(b, "<tr><th scope=\"row\">");
		if (mine)
			html_out(b, "<strong>");
		html_out(b, "<a href=\"/gemeenten/%s\">%s</a>", json_string_value(
		    json_object_get(rows[i], "gemeente")), json_string_value(
		    json_object_get(rows[i], "naam")));
		if (mine)
			html_out(b, " (uw gemeente)</strong>");
		html_out(b, "</th><td class=\"getal\">%s</td>", nl_count(count,
		    sizeof count, (long)json_integer_value(json_object_get(
		    rows[i], "inwoners"))));
		web_benchmarks_cell(b, json_object_get(rows[i], "waarde"));
		html_out(b, "<td>");
		web_benchmarks_source(b, json_object_get(rows[i], "bron"));
		html_out(b, "</td></tr>\n");
	}
	html_out(b, "</tbody>" WEB_TABLE_CLOSE "</details>\n");
	free(rows);
}

static void
web_benchmarks_tables(struct evbuffer *b, json_t *ind, json_t *cmp)
{
	static const char *const keys[] = { "min", "p25", "mediaan", "p75",
	    "max", "gemiddelde" };
	static const char *const labels[] = { "Laagste", "Eerste kwartiel",
	    "Mediaan", "Derde kwartiel", "Hoogste", "Gemiddelde" };
	json_t *stats = json_object_get(cmp, "statistiek"), *v;
	size_t i;

	long n = (long)json_integer_value(json_object_get(stats, "n"));
	char count[NL_NUMBER_MAX];

	html_out(b, WEB_TABLE_OPEN "\n<caption>Spreiding in de groep (%s %s)"
	    "</caption>\n<tbody>\n", nl_count(count, sizeof count, n),
	    nl_plural(n, "waarde", "waarden"));
	for (i = 0; i < nitems(keys); i++) {
		html_out(b, "<tr><th scope=\"row\">%s</th>", labels[i]);
		web_benchmarks_cell(b, json_object_get(stats, keys[i]));
		html_out(b, "</tr>\n");
	}
	html_out(b, "</tbody>" WEB_TABLE_CLOSE "\n" WEB_TABLE_OPEN
	    "\n<caption>Door de tijd"
	    "</caption>\n<thead><tr><th scope=\"col\">Periode</th>"
	    "<th scope=\"col\">Deze gemeente</th><th scope=\"col\">Bron</th>"
	    "<th scope=\"col\">Eigen cijfer (telt niet mee)</th>"
	    "<th scope=\"col\">Mediaan van de groep</th></tr></thead>\n"
	    "<tbody>\n");
	json_array_foreach(json_object_get(cmp, "reeks"), i, v) {
		json_t *own = json_object_get(v, "eigenCijfer");

		char period[64];

		html_out(b, "<tr><th scope=\"row\">%s</th>", nl_period(period,
		    sizeof period, json_string_value(json_object_get(v,
		    "periode"))));
		web_benchmarks_cell(b, json_object_get(v, "waarde"));
		html_out(b, "<td>");
		web_benchmarks_source(b, json_object_get(v, "bron"));
		html_out(b, "</td>");
		web_benchmarks_cell(b, json_object_get(own, "waarde"));
		web_benchmarks_cell(b, json_object_get(v, "groepMediaan"));
		html_out(b, "</tr>\n");
	}
	html_out(b, "</tbody>" WEB_TABLE_CLOSE "\n");
	web_benchmarks_members(b, ind, cmp);
}

/* The start of a link to the comparison in the API, up to its query. */
static void
web_benchmarks_link(struct evbuffer *b, const struct comparison_query *q)
{
	html_out(b, "<a href=\"/api/v1/indicatoren/%s/vergelijking?gemeente=",
	    q->indicator);
	html_url_value(b, q->gemeente);
	html_out(b, "&amp;groep=");
	html_url_value(b, q->groep);
	html_out(b, "&amp;periode=");
	html_url_value(b, q->periode);
}

static void
web_benchmarks_result(struct evbuffer *b, json_t *ind, json_t *cmp,
    const struct comparison_query *q)
{
	struct evbuffer *svg = chart_svg(ind, cmp);

	web_benchmarks_position(b, ind, cmp);
	html_out(b, "<figure class=\"grafiek\">\n");
	evbuffer_add_buffer(b, svg);
	evbuffer_free(svg);
	html_out(b, "<figcaption>Elke staaf is een gemeente uit de groep, %s. "
	    "%s is omlijnd en vet gedrukt. De cijfers staan ook in de tabel "
	    "\"Alle gemeenten in de groep\" hieronder.</figcaption>\n"
	    "</figure>\n", strcmp(json_string_value(json_object_get(ind,
	    "richting")), "lager_beter") == 0 ? "van laag naar hoog (lager is "
	    "beter)" : "van hoog naar laag", json_string_value(json_object_get(
	    json_object_get(cmp, "gemeente"), "naam")));
	web_benchmarks_tables(b, ind, cmp);
	html_out(b, "<p>");
	web_benchmarks_link(b, q);
	html_out(b, "&amp;formaat=xlsx\">Download voor Excel (.xlsx)</a>. "
	    "Andere bestanden: ");
	web_benchmarks_link(b, q);
	html_out(b, "&amp;formaat=csv-nl\">CSV voor Nederlandse Excel</a> · ");
	web_benchmarks_link(b, q);
	html_out(b, "&amp;formaat=csv\">CSV</a> · ");
	web_benchmarks_link(b, q);
	html_out(b, "&amp;formaat=svg\">grafiek (SVG)</a> · ");
	web_benchmarks_link(b, q);
	html_out(b, "\">JSON</a></p>\n");
}

/*
 * The pilots that worked on this indicator, as far as the viewer may see
 * (list: pilot_store_linking()).
 */
static void
web_benchmarks_pilots(struct evbuffer *b, json_t *list)
{
	json_t *p;
	size_t i;

	if (json_array_size(list) > 0) {
		html_out(b, "<h2>Pilots over deze indicator</h2>\n<ul>\n");
		json_array_foreach(list, i, p)
			html_out(b, "<li><a href=\"/pilots/%s\">%s</a> (%s)</li>\n",
			    json_string_value(json_object_get(p, "id")),
			    json_string_value(json_object_get(p, "titel")),
			    json_string_value(json_object_get(p,
			    "gemeenteNaam")));
		html_out(b, "</ul>\n");
	}
}

/*
 * What to change in the form (400), each field by its label; the reasons
 * of the shared query check (which lists codes such as "grootteklasse")
 * as the form's select lists ask for them.
 */
static void
web_benchmarks_problem(struct req *r, struct evbuffer *b)
{
	static const char *const labels[][2] = {
		{ "gemeente", "Gemeente" }, { "groep", "Vergelijk met" },
		{ "periode", "Periode" }, { "formaat", "Bestandsvorm" },
	};
	static const char *const plain[][2] = {
		{ "gemeente", "kies een gemeente uit de lijst" },
		{ "groep", "kies uit de lijst met wie u wilt vergelijken" },
		{ "periode", "kies een periode uit de lijst" },
	};
	json_t *p;
	size_t i;

	json_array_foreach(r->invalid, i, p)
		for (size_t k = 0; k < nitems(plain); k++)
			if (strcmp(json_string_value(json_object_get(p, "name")),
			    plain[k][0]) == 0)
				json_object_set_new(p, "reason",
				    json_string(plain[k][1]));

	web_page_query_problem(r, b, 400, labels, nitems(labels), 3);
}

/*
 * An indicator's page: the comparison asked for, and the pilots about it.
 * Anonymous visitors' pages (200) are cached, as the API's comparison is:
 * it reads every municipality and period of the indicator.
 */
void
web_benchmarks_show(struct req *r)
{
	unsigned long gen = cache_generation_now();
	bool anonymous = r->who.kind == PRINCIPAL_ANONYMOUS;
	struct comparison_query q = { 0 };
	struct evbuffer *b;
	json_t *ind = NULL, *cmp = NULL, *names = NULL, *pilots = NULL;
	char *key;
	bool asked;
	int rc, status = 200;

	key = web_page_shared_key(r, "HB");
	if (web_page_reuse(r, key)) {
		free(key);
		return;
	}
	rc = indicator_id_valid(r->params[0]) ? indicator_get(r->db,
	    r->params[0], &ind) : MEENT_NOTFOUND;
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Er is geen indicator "
		    "met deze naam.");
		free(key);
		return;
	}
	if (rc != MEENT_OK)
		goto failed;
	/* A first visit without a municipality is a question, not an error. */
	asked = req_query(r, "gemeente") != NULL || !anonymous;
	rc = model_indicators_query(r, ind, &q);
	if (rc == 0)
		rc = comparison_make(r->db, ind, &q, &cmp);
	else if (rc == MEENT_INVALID && asked)
		status = 400;
	if (rc == MEENT_ERR ||
	    (names = municipality_names(r->db)) == NULL ||
	    (pilots = pilot_store_linking(r->db, PILOT_LINK_INDICATOR,
	    r->params[0], !anonymous, anonymous ? NULL : r->who.gemeente)) ==
	    NULL)
		goto failed;
	b = evbuffer_new();
	web_page_start(r, b, json_string_value(json_object_get(ind, "naam")));
	html_out(b, "<h1>%s</h1>\n<p>%s</p>\n<p class=\"meta\">Eenheid: %s · "
	    "Bron: %s</p>\n", json_string_value(json_object_get(ind, "naam")),
	    json_string_value(json_object_get(ind, "omschrijving")),
	    json_string_value(json_object_get(ind, "eenheid")),
	    json_string_value(json_object_get(ind, "bron")));
	if (status == 400)
		web_benchmarks_problem(r, b);
	web_benchmarks_form(b, ind, names, &q, status == 400 ? r->invalid :
	    NULL);
	if (cmp != NULL)
		web_benchmarks_result(b, ind, cmp, &q);
	else if (status == 200)
		html_out(b, "<p>Kies een gemeente om te vergelijken.</p>\n");
	web_benchmarks_pilots(b, pilots);
	web_page_end(b);
	if (status == 200 && key != NULL)
		web_page_keep(r, key, b, gen);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	free(key);
	json_decref(pilots);
	json_decref(names);
	json_decref(cmp);
	json_decref(ind);
	return;
failed:
	reply_db_failed(r, "De vergelijking kon niet gemaakt worden.");
	free(key);
	json_decref(pilots);
	json_decref(names);
	json_decref(cmp);
	json_decref(ind);
}
