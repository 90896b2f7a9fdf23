/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Stored datasets as pages: the list /datasets (filters shared with the
 * API through model_datasets_query), a table's page /datasets/{id} with
 * its report in plain Dutch, the table as CSV (/datasets/{id}.csv or
 * ?formaat=csv, with its source in every row), and the owner's buttons:
 * publish, and discard or withdraw behind a confirmation page (GET shows
 * what will happen; only its POST form, with the CSRF token, does it).
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include <event2/keyvalq_struct.h>

static const char *
web_datasets_str(json_t *d, const char *key)
{
	const char *s = json_string_value(json_object_get(d, key));

	return s != NULL ? s : "";
}

/* The municipality's name, or its code when this instance has no name. */
static const char *
web_datasets_municipality(json_t *d)
{
	const char *n = json_string_value(json_object_get(d, "gemeenteNaam"));

	return n != NULL ? n : web_datasets_str(d, "gemeente");
}

static const char *
web_datasets_indicator(json_t *d)
{
	const char *n = json_string_value(json_object_get(d, "indicatorNaam"));

	return n != NULL ? n : web_datasets_str(d, "indicator");
}

/* A figure as text, or "×" for a secret cell. */
static void
web_datasets_figure(struct evbuffer *b, json_t *v)
{
	char num[64];

	if (!json_is_number(v)) {
		html_out(b, "<td><abbr title=\"geheim gehouden\">×</abbr></td>");
		return;
	}
	chart_number(num, sizeof num, json_number_value(v));
	html_out(b, "<td class=\"num\">%s</td>", num);
}

static void
web_datasets_table(struct evbuffer *b, json_t *tabel)
{
	json_t *dims = json_object_get(tabel, "dimensies"), *d, *cell;
	size_t i, k;

	html_out(b, WEB_TABLE_OPEN "\n<caption>De beschermde tabel (× is "
	    "geheim gehouden)</caption>\n<thead><tr>");
	json_array_foreach(dims, i, d)
		html_out(b, "<th scope=\"col\">%s</th>", json_string_value(
		    json_object_get(d, "naam")));
	html_out(b, "<th scope=\"col\">Waarde</th><th scope=\"col\">Aantal"
	    "</th></tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(tabel, "cellen"), i, cell) {
		json_t *c;

		html_out(b, "<tr>");
		json_array_foreach(json_object_get(cell, "categorieen"), k, c)
			html_out(b, "<td>%s</td>", json_is_null(c) ? "Totaal" :
			    json_string_value(c));
		web_datasets_figure(b, json_object_get(cell, "waarde"));
		web_datasets_figure(b, json_object_get(cell, "aantal"));
		html_out(b, "</tr>\n");
	}
	html_out(b, "</tbody>" WEB_TABLE_CLOSE "\n");
}

/* How a table was protected, in words (the parameters are public). */
static void
web_datasets_protection(struct evbuffer *b, json_t *rapport)
{
	json_t *bes = json_object_get(rapport, "bescherming");
	const char *unit = json_string_value(json_object_get(rapport,
	    "eenheid"));
	bool persons = unit != NULL && strcmp(unit, "persoon") == 0;

	if (!json_is_object(bes)) {
		html_out(b, "<p>Deze tabel is beschermd met een oudere methode, "
		    "zonder ruis.</p>\n");
		return;
	}
	html_out(b, "<p>Elke cel telt %s. <strong>Geheim gehouden</strong> "
	    "(×) betekent: het getal van die cel staat niet in de tabel. Dat "
	    "gebeurt bij een cel met minder dan %ld %s, bij een cel waarin "
	    "één of twee bijdragen bijna alles zijn, of waarin iedereen "
	    "hetzelfde bedrag heeft. Cellen waarmee je een geheime cel zou "
	    "kunnen terugrekenen zijn ook geheim.</p>\n"
	    "<p><strong>Ruis</strong>: alle getallen hebben een kleine, vaste "
	    "afwijking: aantallen tot %ld meer of minder, bedragen tot %ld%% "
	    "van de grootste bijdrage. Dezelfde mensen krijgen altijd dezelfde "
	    "ruis. Zo kan niemand door tabellen te vergelijken iets over één "
	    "persoon terugrekenen. Daardoor tellen cellen niet altijd precies "
	    "op tot het totaal.</p>\n", persons ? "personen" : "rijen (er was "
	    "geen kolom die personen aanwijst: iemand met meer rijen telt "
	    "vaker mee)", (long)json_integer_value(json_object_get(bes,
	    "minimumEenheden")), persons ? "personen" : "rijen",
	    (long)json_integer_value(json_object_get(bes, "ruisAantal")),
	    (long)json_integer_value(json_object_get(bes,
	    "ruisBedragProcent")));
}

/* Advice when much is secret or the audit failed. */
static void
web_datasets_advice(struct evbuffer *b, json_t *rapport)
{
	json_int_t cells = json_integer_value(json_object_get(rapport,
	    "cellen"));
	json_int_t secret = json_integer_value(json_object_get(rapport,
	    "geheim"));
	bool ok = json_is_true(json_object_get(rapport, "publiceerbaar"));

	if (cells > 0 && secret * 2 > cells)
		html_out(b, "<p class=\"remarks\">Meer dan de helft van de "
		    "cellen is geheim gehouden. <strong>Tip: gebruik minder "
		    "uitsplitsingen</strong> of grovere groepen (bijvoorbeeld "
		    "wijk in plaats van buurt, of minder leeftijdsgroepen). "
		    "Dan zitten er meer personen in elke cel en blijft er "
		    "meer zichtbaar.</p>\n");
	if (!ok)
		html_out(b, "<p class=\"remarks\">De controle is niet "
		    "geslaagd: meent kon niet uitsluiten dat een geheime cel "
		    "uit de totalen terug te rekenen is. Deze tabel kan niet "
		    "gepubliceerd worden. Probeer het met minder "
		    "uitsplitsingen of grovere groepen.</p>\n");
}

/*
 * The report in plain words: what everyone may read, and, for the
 * uploading municipality, its own figures (rows, persons, why each cell is
 * secret).
 */
static void
web_datasets_report(struct evbuffer *b, json_t *rapport, json_t *eigen)
{
	json_t *ctl = json_object_get(rapport, "controle"), *c;
	const char *verdict = json_string_value(json_object_get(ctl,
	    "oordeel"));
	size_t i;
	char cells[NL_NUMBER_MAX], shown[NL_NUMBER_MAX], secret[NL_NUMBER_MAX];

	html_out(b, "<h2>Verslag</h2>\n");
	web_datasets_advice(b, rapport);
	web_datasets_protection(b, rapport);
	html_out(b, "<dl>\n<dt>Cellen</dt><dd>%s, waarvan %s zichtbaar en "
	    "%s geheim gehouden</dd>\n<dt>Controle</dt><dd>%s</dd>\n",
	    nl_count(cells, sizeof cells, (long)json_integer_value(
	    json_object_get(rapport, "cellen"))),
	    nl_count(shown, sizeof shown, (long)json_integer_value(
	    json_object_get(rapport, "gepubliceerd"))),
	    nl_count(secret, sizeof secret, (long)json_integer_value(
	    json_object_get(rapport, "geheim"))),
	    verdict != NULL && strcmp(verdict, "geslaagd") == 0 ? "geslaagd: "
	    "meent heeft nagerekend dat geen geheime cel uit de andere "
	    "getallen terug te rekenen is" : "afgekeurd: een geheime cel kon "
	    "misschien worden teruggerekend");
	if (json_is_true(json_object_get(rapport, "samengevoegd")))
		html_out(b, "<dt>Kleine groepen</dt><dd>categorieën met te "
		    "weinig personen zijn samengevoegd tot \"overig\"</dd>\n");
	html_out(b, "</dl>\n");
	if (json_is_object(eigen)) {
		json_t *sup = json_object_get(eigen, "onderdrukt");
		json_t *pri = json_object_get(sup, "primair");
		json_t *det = json_object_get(eigen, "controleDetails");

		const struct {
			const char *term;
			json_t *n;
		} own[] = {
			{ "Rijen gelezen", json_object_get(eigen, "rijen") },
			{ json_string_value(json_object_get(eigen,
			    "persoonskolom")) != NULL ? "Personen" : "Eenheden "
			    "(rijen)", json_object_get(eigen, "eenheden") },
			{ "Geheim door te weinig eenheden", json_object_get(pri,
			    "frequentie") },
			{ "Geheim door een of twee grote bijdragen",
			    json_object_get(pri, "dominantie") },
			{ "Geheim omdat de grootste bijdrage te schatten is",
			    json_object_get(pri, "p-procent") },
			{ "Geheim omdat iedereen hetzelfde heeft",
			    json_object_get(pri, "identiek") },
			{ "Geheim om terugrekenen te voorkomen",
			    json_object_get(sup, "secundair") },
			{ "Gecontroleerde cellen", json_object_get(det,
			    "cellen") },
		};

		html_out(b, "<h3>Alleen voor uw gemeente</h3>\n<dl>\n");
		for (i = 0; i < nitems(own); i++)
			html_out(b, "<dt>%s</dt><dd>%s</dd>\n", own[i].term,
			    nl_count(cells, sizeof cells, (long)
			    json_integer_value(own[i].n)));
		if (json_is_true(json_object_get(det, "verruimd")))
			html_out(b, "<dt>Let op</dt><dd>Alles behalve het totaal "
			    "is geheim gemaakt.</dd>\n");
		html_out(b, "</dl>\n");
	}
	html_out(b, "<h3>Kolommen</h3>\n<ul>\n");
	json_array_foreach(json_object_get(rapport, "kolommen"), i, c)
		html_out(b, "<li>%s: %s</li>\n", json_string_value(
		    json_object_get(c, "naam")), json_string_value(
		    json_object_get(c, "behandeling")));
	html_out(b, "</ul>\n");
}

static bool
web_datasets_owner(struct req *r, json_t *d)
{
	return req_own(r, json_string_value(json_object_get(d, "gemeente"))) &&
	    r->who.kind == PRINCIPAL_SESSION && r->who.role >= ROLE_EDITOR;
}

/* Publish, and a link to discard or withdraw (confirmed on its page). */
static void
web_datasets_actions(struct req *r, struct evbuffer *b, json_t *d)
{
	const char *id = web_datasets_str(d, "id");
	const char *status = web_datasets_str(d, "status");
	bool concept = strcmp(status, "concept") == 0;

	if (!web_datasets_owner(r, d) || strcmp(status, "ingetrokken") == 0)
		return;
	if (concept && json_is_true(json_object_get(d, "publiceerbaar")))
		html_out(b, "<form method=\"post\" action=\"/datasets/%s/"
		    "publiceren\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\"><button type=\"submit\">Publiceren</button>"
		    "</form>\n", id, r->who.csrf);
	html_out(b, "<p><a href=\"/datasets/%s/verwijderen\">%s</a></p>\n", id,
	    concept ? "Weggooien" : "Intrekken");
}

void
web_datasets_page(struct req *r, int status, json_t *d)
{
	struct evbuffer *b = evbuffer_new();
	const char *st = web_datasets_str(d, "status");
	const char *id = web_datasets_str(d, "id");
	char period[64], when[NL_DATE_MAX];
	char *title = xasprintf("%s, %s: %s", web_datasets_indicator(d),
	    nl_period(period, sizeof period, web_datasets_str(d, "periode")),
	    web_datasets_municipality(d));

	web_page_start(r, b, title);
	html_out(b, "<h1>%s</h1>\n", title);
	free(title);
	html_out(b, "<p>%s</p>\n<p class=\"meta\">Bron: gemeente %s · %s · "
	    "eenheid: %s · ", web_datasets_str(d, "indicatorOmschrijving"),
	    web_datasets_municipality(d), choice_label(dataset_statuses, st),
	    web_datasets_str(d, "eenheid"));
	if (json_is_string(json_object_get(d, "gewijzigd")))
		html_out(b, "gewijzigd <time datetime=\"%s\">%s</time> · ",
		    web_datasets_str(d, "gewijzigd"), nl_datetime_text(when,
		    sizeof when, web_datasets_str(d, "gewijzigd")));
	html_out(b, "<a href=\"/benchmarks/%s\">naar de benchmark</a></p>\n",
	    web_datasets_str(d, "indicator"));
	if (strcmp(st, "concept") == 0 &&
	    !json_is_true(json_object_get(d, "publiceerbaar")))
		html_out(b, "<p role=\"status\">De controle is niet geslaagd: "
		    "deze tabel kan niet gepubliceerd worden.</p>\n");
	else if (strcmp(st, "concept") == 0)
		html_out(b, "<p role=\"status\">Dit is een concept: alleen uw "
		    "gemeente ziet het, tot u het publiceert.</p>\n");
	web_datasets_actions(r, b, d);
	if (json_is_object(json_object_get(d, "tabel"))) {
		web_datasets_table(b, json_object_get(d, "tabel"));
		html_out(b, "<p>Download: <a href=\"/datasets/%s.csv\">de "
		    "tabel als CSV</a> · <a href=\"/api/v1/datasets/%s?formaat="
		    "xlsx\">voor Excel (.xlsx)</a> · <a href=\"/api/v1/datasets/"
		    "%s?formaat=csv-nl\">CSV voor Nederlandse Excel</a></p>\n",
		    id, id, id);
	}
	web_datasets_report(b, json_object_get(d, "rapport"),
	    json_object_get(d, "rapportEigen"));
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* /datasets/{id}.csv, or /datasets/{id}?formaat=csv. */
static void
web_datasets_csv(struct req *r, json_t *d)
{
	struct evbuffer *csv = dataset_csv(d);
	char *disp = xasprintf("attachment; filename=\"dataset-%s.csv\"",
	    web_datasets_str(d, "id"));

	reply_header(r, "Content-Disposition", disp);
	free(disp);
	reply_text(r, 200, "text/csv; charset=utf-8",
	    (const char *)evbuffer_pullup(csv, -1), evbuffer_get_length(csv));
	evbuffer_free(csv);
}

/*
 * The path's dataset as the caller may see it: MEENT_OK with *d, or -1
 * after replying (404, 410 unless tombstones is set, 5xx). *csv: the path
 * asked for CSV.
 */
static int
web_datasets_load(struct req *r, json_t **d, bool *csv, bool tombstones)
{
	char id[48];
	size_t n = strlen(r->params[0]);
	const char *fmt = req_query(r, "formaat");
	int rc;

	*csv = fmt != NULL && strcmp(fmt, "csv") == 0;
	snprintf(id, sizeof id, "%s", r->params[0]);
	if (n > 4 && n < sizeof id && strcmp(id + n - 4, ".csv") == 0) {
		id[n - 4] = '\0';
		*csv = true;
	}
	rc = dataset_store_get(r->db, id, r->who.kind == PRINCIPAL_ANONYMOUS ?
	    NULL : r->who.gemeente, d);
	if (rc == MEENT_OK || (rc == MEENT_CONFLICT && tombstones))
		return rc;
	json_decref(*d);
	*d = NULL;
	if (rc == MEENT_CONFLICT)
		reply_problem(r, 410, "Ingetrokken", "Deze tabel is "
		    "ingetrokken.");
	else if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Deze dataset bestaat "
		    "niet of is niet zichtbaar.");
	else
		reply_db_failed(r, "De dataset kon niet gelezen worden.");
	return -1;
}

void
web_datasets_show(struct req *r)
{
	json_t *d;
	bool csv;
	int rc = web_datasets_load(r, &d, &csv, true);

	if (rc == -1)
		return;
	if (csv && rc == MEENT_OK)
		web_datasets_csv(r, d);
	else if (csv)
		reply_problem(r, 410, "Ingetrokken", "Deze tabel is "
		    "ingetrokken.");
	else
		web_datasets_page(r, rc == MEENT_OK ? 200 : 410, d);
	json_decref(d);
}

/* The filters of the list; the same query as the API's. */
static void
web_datasets_filters(struct req *r, struct evbuffer *b, json_t *items,
    const struct dataset_query *q)
{
	const char *eigen = req_query(r, "eigen");
	json_t *i;
	size_t k;

	const char *why = req_invalid_reason(r->invalid, "periode");

	html_out(b, "<form method=\"get\" action=\"/datasets\" "
	    "class=\"filters\">\n<p><label for=\"indicator\">Indicator</label>"
	    "<br>");
	web_page_select(b, r->invalid, "indicator");
	html_out(b, "<option value=\"\">Alle indicatoren</option>\n");
	json_array_foreach(items, k, i) {
		const char *id = json_string_value(json_object_get(i, "id"));

		html_out(b, "<option value=\"%s\"", id);
		html_attr_if(b, q->indicator != NULL &&
		    strcmp(q->indicator, id) == 0, " selected");
		html_out(b, ">%s</option>\n",
		    json_string_value(json_object_get(i, "naam")));
	}
	html_out(b, "</select></p>\n<p><label for=\"periode\">Periode</label>"
	    "<br>");
	web_page_field_error(b, "periode", why);
	html_out(b, "<input id=\"periode\" name=\"periode\" size=\"8\" "
	    "value=\"%s\"", q->periode);
	web_page_field_aria(b, "periode", NULL, why != NULL);
	html_out(b, "></p>\n<p><label for=\"status\">Status</label><br>");
	web_page_select(b, r->invalid, "status");
	html_out(b, "<option value=\"\">Alle</option>\n");
	for (k = 0; dataset_statuses[k].value != NULL; k++) {
		const char *v = dataset_statuses[k].value;

		html_out(b, "<option value=\"%s\"", v);
		html_attr_if(b, q->status != NULL && strcmp(q->status, v) == 0,
		    " selected");
		html_out(b, ">%s</option>\n", dataset_statuses[k].label);
	}
	html_out(b, "</select></p>\n");
	if (q->viewer != NULL) {
		html_out(b, "<p><input type=\"checkbox\" id=\"eigen\" "
		    "name=\"eigen\" value=\"ja\"");
		html_attr_if(b, eigen != NULL && strcmp(eigen, "ja") == 0,
		    " checked");
		html_out(b, "> <label for=\"eigen\">Alleen van mijn gemeente"
		    "</label></p>\n");
	}
	html_out(b, "<p><button type=\"submit\">Toon</button></p>\n</form>\n");
}

/* What to change in the filters (400), each field by its label. */
static void
web_datasets_problem(struct req *r, struct evbuffer *b)
{
	static const char *const labels[][2] = {
		{ "indicator", "Indicator" }, { "periode", "Periode" },
		{ "status", "Status" }, { "eigen", "Alleen van mijn gemeente" },
		{ "gemeente", "Gemeente" }, { "page", "Pagina" },
		{ "pageSize", "Aantal per pagina" },
	};

	web_page_query_problem(r, b, 400, labels, nitems(labels),
	    r->who.kind == PRINCIPAL_SESSION ? 4 : 3);
}

/* /datasets: the tables the caller may see, filtered. */
void
web_datasets_list(struct req *r)
{
	struct dataset_query q;
	struct evbuffer *b;
	json_t *items = NULL, *list = NULL, *d;
	int status = 200, page, page_size;
	long total = 0;
	size_t k;

	model_datasets_query(r, &q);
	req_page(r, &page, &page_size);
	q.limit = page_size;
	q.offset = (long)(page - 1) * page_size;
	if (req_has_invalid(r))
		status = 400;
	if ((items = indicator_list(r->db)) == NULL || (status == 200 &&
	    (list = dataset_store_list(r->db, &q, &total)) == NULL)) {
		json_decref(items);
		reply_db_failed(r, "De datasets konden niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Datasets");
	html_out(b, "<h1>Datasets</h1>\n<p class=\"lead\">Tabellen die "
	    "gemeenten uit hun eigen gegevens hebben gemaakt, beschermd zodat "
	    "niemand er iets over één persoon uit kan halen.</p>\n");
	if (r->who.kind == PRINCIPAL_SESSION && r->who.role >= ROLE_EDITOR)
		html_out(b, "<p><a href=\"/datasets/nieuw\">Dataset uploaden"
		    "</a></p>\n");
	if (status == 400)
		web_datasets_problem(r, b);
	web_datasets_filters(r, b, items, &q);
	if (json_array_size(list) == 0)
		html_out(b, "<p>Er zijn geen datasets die hierbij passen."
		    "</p>\n");
	else {
		char count[NL_COUNTED_MAX], period[64];

		html_out(b, WEB_TABLE_OPEN "\n<caption>%s</caption>\n<thead>"
		    "<tr><th scope=\"col\">Indicator</th><th scope=\"col\">"
		    "Periode</th><th scope=\"col\">Gemeente</th><th scope="
		    "\"col\">Status</th></tr></thead>\n<tbody>\n",
		    nl_counted(count, sizeof count, total, "dataset",
		    "datasets"));
		json_array_foreach(list, k, d)
			html_out(b, "<tr><th scope=\"row\"><a href=\"/datasets/"
			    "%s\">%s</a></th><td>%s</td><td>%s</td><td>%s</td>"
			    "</tr>\n", web_datasets_str(d, "id"),
			    web_datasets_indicator(d), nl_period(period,
			    sizeof period, web_datasets_str(d, "periode")),
			    web_datasets_municipality(d),
			    choice_label(dataset_statuses, web_datasets_str(d,
			    "status")));
		html_out(b, "</tbody>" WEB_TABLE_CLOSE "\n");
		web_page_pager(r, b, page, page_size, total);
	}
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(list);
	json_decref(items);
}

static int
web_datasets_button(struct req *r)
{
	struct evkeyvalq form;

	if (web_form_checked(r, &form) == -1)
		return -1;
	evhttp_clear_headers(&form);
	return 0;
}

void
web_datasets_publish(struct req *r)
{
	char *to;

	if (web_datasets_button(r) == -1 || model_datasets_publish_path(r) == -1)
		return;
	to = xasprintf("/datasets/%s", r->params[0]);
	reply_redirect(r, to);
	free(to);
}

/* GET /datasets/{id}/verwijderen: what discarding or withdrawing does. */
void
web_datasets_confirm(struct req *r)
{
	struct evbuffer *b;
	json_t *d;
	bool csv, concept;

	if (web_datasets_load(r, &d, &csv, false) == -1)
		return;
	if (!req_own(r, web_datasets_str(d, "gemeente"))) {
		json_decref(d);
		reply_problem(r, 403, "Verboden", "Deze dataset is van een "
		    "andere gemeente.");
		return;
	}
	concept = strcmp(web_datasets_str(d, "status"), "concept") == 0;
	b = evbuffer_new();
	web_page_start(r, b, concept ? "Dataset weggooien" :
	    "Dataset intrekken");
	html_out(b, "<h1>%s</h1>\n<p>%s, %s: %s.</p>\n<p>%s</p>\n"
	    "<form method=\"post\" action=\"/datasets/%s/verwijderen\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<p><button type=\"submit\">%s</button> "
	    "<a href=\"/datasets/%s\">Nee, terug</a></p></form>\n",
	    concept ? "Weet u zeker dat u deze dataset wilt weggooien?" :
	    "Weet u zeker dat u deze tabel wilt intrekken?",
	    web_datasets_indicator(d), web_datasets_str(d, "periode"),
	    web_datasets_municipality(d), concept ? "Het concept en zijn "
	    "verslag zijn daarna weg. Dat kan niet ongedaan worden gemaakt; "
	    "u kunt het bestand wel opnieuw uploaden." : "De tabel is daarna "
	    "niet meer te zien en telt niet meer mee in de vergelijking. Wie "
	    "hem al had, houdt hem: wat gepubliceerd is geweest, blijft "
	    "bekend.", web_datasets_str(d, "id"), r->who.csrf, concept ?
	    "Ja, weggooien" : "Ja, intrekken", web_datasets_str(d, "id"));
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(d);
}

void
web_datasets_remove(struct req *r)
{
	if (web_datasets_button(r) == -1 || model_datasets_store_reply(r,
	    dataset_store_remove(r->db, r->params[0], r->who.gemeente),
	    NULL) == -1)
		return;
	reply_redirect(r, "/datasets?eigen=ja");
}
