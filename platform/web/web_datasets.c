/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The dataset pages: /datasets/nieuw (the upload form, multipart), the
 * report that follows it, /datasets/{id} (a protected table), and the
 * publish and discard buttons of a concept. The work is the API's
 * (model_datasets_request, model_datasets_submit); this file only draws.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

/* Form fields other than the file, at most this long. */
#define WEB_DATASETS_FIELD_MAX	4096

static const char *const web_datasets_fields[] = { "csrf", "vorm",
    "indicator", "periode", "rollen" };

/* Problems with row and column, linked to the file field. */
static void
web_datasets_problems(struct evbuffer *b, json_t *invalid)
{
	json_t *p;
	size_t i;

	if (json_array_size(invalid) == 0)
		return;
	html_out(b, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\">"
	    "<h2>Dit moet anders</h2><ul>\n");
	json_array_foreach(invalid, i, p) {
		json_t *row = json_object_get(p, "rij");
		json_t *col = json_object_get(p, "kolom");

		html_out(b, "<li><a href=\"#bestand\">%s", json_string_value(
		    json_object_get(p, "name")));
		if (row != NULL)
			html_out(b, ", rij %ld", (long)json_integer_value(row));
		if (col != NULL)
			html_out(b, ", kolom %ld", (long)json_integer_value(col));
		html_out(b, ": %s</a></li>\n", json_string_value(
		    json_object_get(p, "reason")));
	}
	html_out(b, "</ul><p>Van het bestand is niets bewaard.</p></div>\n");
}

static void
web_datasets_form_page(struct req *r, int status, struct evkeyvalq *in)
{
	struct evbuffer *b;
	json_t *items = indicator_list(r->db), *i;
	const char *vorm = in != NULL ? evhttp_find_header(in, "vorm") : NULL;
	const char *ind = in != NULL ? evhttp_find_header(in, "indicator") :
	    NULL;
	size_t k;

	if (items == NULL) {
		reply_db_failed(r, "De indicatoren konden niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Dataset uploaden");
	html_out(b, "<h1>Dataset uploaden</h1>\n");
	web_datasets_problems(b, r->invalid);
	html_out(b, "<p>meent bewaart uw bestand nooit. Het wordt gelezen, "
	    "samengevat tot een tabel en beschermd: cellen met te weinig "
	    "personen of met één dominante bijdrage worden geheim gehouden, "
	    "en een controle rekent na dat ze ook niet uit de totalen terug te "
	    "rekenen zijn. U ziet eerst het verslag; daarna publiceert u de "
	    "tabel of gooit u hem weg.</p>\n"
	    "<form method=\"post\" action=\"/datasets\" "
	    "enctype=\"multipart/form-data\" novalidate>\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<p><label for=\"indicator\">Indicator</label><br>"
	    "<select id=\"indicator\" name=\"indicator\">\n", r->who.csrf);
	json_array_foreach(items, k, i) {
		const char *id = json_string_value(json_object_get(i, "id"));

		html_out(b, "<option value=\"%s\"", id);
		html_attr_if(b, ind != NULL && strcmp(ind, id) == 0,
		    " selected");
		html_out(b, ">%s</option>\n",
		    json_string_value(json_object_get(i, "naam")));
	}
	html_out(b, "</select></p>\n"
	    "<p><label for=\"periode\">Periode</label><br>"
	    "<span class=\"hint\" id=\"periode-uitleg\">Een jaar (2025), "
	    "kwartaal (2025-K2) of maand (2025-06).</span><br>"
	    "<input id=\"periode\" name=\"periode\" value=\"%s\" "
	    "aria-describedby=\"periode-uitleg\"></p>\n"
	    "<fieldset><legend>Vorm van het bestand</legend>\n",
	    in != NULL ? evhttp_find_header(in, "periode") : NULL);
	for (k = 0; dataset_forms[k].value != NULL; k++) {
		const char *v = dataset_forms[k].value;

		html_out(b, "<p><input type=\"radio\" id=\"vorm-%s\" "
		    "name=\"vorm\" value=\"%s\"", v, v);
		html_attr_if(b, (vorm == NULL && k == 0) ||
		    (vorm != NULL && strcmp(vorm, v) == 0), " checked");
		html_out(b, "> <label for=\"vorm-%s\">%s</label></p>\n", v,
		    dataset_forms[k].label);
	}
	html_out(b, "</fieldset>\n<p><label for=\"rollen\">Rollen van de "
	    "kolommen (microdata)</label><br><span class=\"hint\" "
	    "id=\"rollen-uitleg\">Per kolom naam:rol, gescheiden door komma's. "
	    "Rollen: ");
	for (k = 0; dataset_roles[k].value != NULL; k++)
		html_out(b, "%s%s (%s)", k == 0 ? "" : ", ",
		    dataset_roles[k].value, dataset_roles[k].hint);
	html_out(b, ". Bijvoorbeeld: bsn:identificerend,leeftijd:quasi,"
	    "wijk:dimensie,uitkering:meetwaarde</span><br>"
	    "<input id=\"rollen\" name=\"rollen\" size=\"60\" value=\"%s\" "
	    "aria-describedby=\"rollen-uitleg\"></p>\n"
	    "<p><label for=\"bestand\">CSV-bestand (hoogstens 32 MB)</label>"
	    "<br><input type=\"file\" id=\"bestand\" name=\"bestand\" "
	    "accept=\".csv,text/csv\"></p>\n"
	    "<p><button type=\"submit\">Uploaden en beschermen</button></p>\n"
	    "</form>\n", in != NULL ? evhttp_find_header(in, "rollen") : NULL);
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(items);
}

void
web_datasets_new(struct req *r)
{
	web_datasets_form_page(r, 200, NULL);
}

/* A figure as text, or "×" for a secret cell. */
static void
web_datasets_figure(struct evbuffer *b, json_t *v)
{
	char num[64];

	if (!json_is_number(v)) {
		html_out(b, "<td><abbr title=\"geheim\">×</abbr></td>");
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

	html_out(b, "<table>\n<caption>De beschermde tabel (× is geheim)"
	    "</caption>\n<thead><tr>");
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
	html_out(b, "</tbody></table>\n");
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
	html_out(b, "<p>Elke cel telt %s. Een cel met minder dan %ld %s is "
	    "geheim, net als cellen waarin één of twee bijdragen bijna alles "
	    "zijn, of waarin iedereen hetzelfde bedrag heeft. Cellen waarmee "
	    "je een geheime cel zou kunnen terugrekenen zijn ook geheim.</p>\n"
	    "<p>Alle getallen hebben een kleine, vaste afwijking (ruis): "
	    "aantallen tot %ld meer of minder, bedragen tot %ld%% van de "
	    "grootste bijdrage. Dezelfde mensen krijgen altijd dezelfde ruis. "
	    "Zo kan niemand door tabellen te vergelijken iets over één persoon "
	    "terugrekenen. Daardoor tellen cellen niet altijd precies op tot "
	    "het totaal.</p>\n", persons ? "personen" : "rijen (er was geen "
	    "kolom die personen aanwijst: iemand met meer rijen telt vaker "
	    "mee)", (long)json_integer_value(json_object_get(bes,
	    "minimumEenheden")), persons ? "personen" : "rijen",
	    (long)json_integer_value(json_object_get(bes, "ruisAantal")),
	    (long)json_integer_value(json_object_get(bes,
	    "ruisBedragProcent")));
}

/*
 * The report: what everyone may read, and, for the uploading municipality,
 * its own figures (rows, persons, why each cell is secret).
 */
static void
web_datasets_report(struct evbuffer *b, json_t *rapport, json_t *eigen)
{
	json_t *ctl = json_object_get(rapport, "controle"), *c;
	size_t i;

	html_out(b, "<h2>Verslag</h2>\n");
	web_datasets_protection(b, rapport);
	html_out(b, "<dl>\n<dt>Cellen</dt><dd>%ld, waarvan %ld gepubliceerd en %ld "
	    "geheim</dd>\n<dt>Controle</dt><dd>%s</dd>\n",
	    (long)json_integer_value(json_object_get(rapport, "cellen")),
	    (long)json_integer_value(json_object_get(rapport, "gepubliceerd")),
	    (long)json_integer_value(json_object_get(rapport, "geheim")),
	    json_string_value(json_object_get(ctl, "oordeel")));
	if (json_is_true(json_object_get(rapport, "samengevoegd")))
		html_out(b, "<dt>Kleine groepen</dt><dd>categorieën met te "
		    "weinig personen zijn samengevoegd tot \"overig\"</dd>\n");
	html_out(b, "</dl>\n");
	if (json_is_object(eigen)) {
		json_t *sup = json_object_get(eigen, "onderdrukt");
		json_t *pri = json_object_get(sup, "primair");
		json_t *det = json_object_get(eigen, "controleDetails");

		html_out(b, "<h3>Alleen voor uw gemeente</h3>\n<dl>\n"
		    "<dt>Rijen gelezen</dt><dd>%ld</dd>\n"
		    "<dt>Eenheden (%s)</dt><dd>%ld</dd>\n"
		    "<dt>Geheim door te weinig eenheden</dt><dd>%ld</dd>\n"
		    "<dt>Geheim door een of twee grote bijdragen</dt>"
		    "<dd>%ld</dd>\n<dt>Geheim omdat de grootste bijdrage te "
		    "schatten is</dt><dd>%ld</dd>\n<dt>Geheim omdat iedereen "
		    "hetzelfde heeft</dt><dd>%ld</dd>\n<dt>Geheim om terugrekenen "
		    "te voorkomen</dt><dd>%ld</dd>\n<dt>Gecontroleerde "
		    "cellen</dt><dd>%ld%s</dd>\n</dl>\n",
		    (long)json_integer_value(json_object_get(eigen, "rijen")),
		    json_string_value(json_object_get(eigen,
		    "persoonskolom")) != NULL ? "personen" : "rijen",
		    (long)json_integer_value(json_object_get(eigen,
		    "eenheden")),
		    (long)json_integer_value(json_object_get(pri, "frequentie")),
		    (long)json_integer_value(json_object_get(pri, "dominantie")),
		    (long)json_integer_value(json_object_get(pri, "p-procent")),
		    (long)json_integer_value(json_object_get(pri, "identiek")),
		    (long)json_integer_value(json_object_get(sup, "secundair")),
		    (long)json_integer_value(json_object_get(det, "cellen")),
		    json_is_true(json_object_get(det, "verruimd")) ? " (alles "
		    "behalve het totaal is geheim gemaakt)" : "");
	}
	html_out(b, "<h3>Kolommen</h3>\n<ul>\n");
	json_array_foreach(json_object_get(rapport, "kolommen"), i, c)
		html_out(b, "<li>%s: %s</li>\n", json_string_value(
		    json_object_get(c, "naam")), json_string_value(
		    json_object_get(c, "behandeling")));
	html_out(b, "</ul>\n");
}

/* Publish and discard, for the owner of a concept (or withdraw). */
static void
web_datasets_actions(struct req *r, struct evbuffer *b, json_t *d)
{
	const char *id = json_string_value(json_object_get(d, "id"));
	const char *status = json_string_value(json_object_get(d, "status"));
	bool concept = strcmp(status, "concept") == 0;

	if (!req_own(r, json_string_value(json_object_get(d, "gemeente"))) ||
	    r->who.kind != PRINCIPAL_SESSION || r->who.role < ROLE_EDITOR)
		return;
	if (concept && json_is_true(json_object_get(d, "publiceerbaar")))
		html_out(b, "<form method=\"post\" action=\"/datasets/%s/"
		    "publiceren\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\"><button type=\"submit\">Publiceren</button>"
		    "</form>\n", id, r->who.csrf);
	html_out(b, "<form method=\"post\" action=\"/datasets/%s/verwijderen\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><button "
	    "type=\"submit\">%s</button></form>\n", id, r->who.csrf, concept ?
	    "Weggooien" : "Intrekken");
}

static void
web_datasets_page(struct req *r, int status, json_t *d)
{
	struct evbuffer *b = evbuffer_new();
	const char *st = json_string_value(json_object_get(d, "status"));

	web_page_start(r, b, "Dataset");
	html_out(b, "<h1>Dataset %s, %s</h1>\n<p class=\"meta\">%s · %s · "
	    "<a href=\"/benchmarks/%s\">naar de benchmark</a></p>\n",
	    json_string_value(json_object_get(d, "indicator")),
	    json_string_value(json_object_get(d, "periode")),
	    json_string_value(json_object_get(d, "gemeente")),
	    choice_label(dataset_statuses, st),
	    json_string_value(json_object_get(d, "indicator")));
	if (strcmp(st, "concept") == 0 &&
	    !json_is_true(json_object_get(d, "publiceerbaar")))
		html_out(b, "<p role=\"status\">De controle is niet geslaagd: "
		    "deze tabel kan niet gepubliceerd worden.</p>\n");
	web_datasets_actions(r, b, d);
	web_datasets_report(b, json_object_get(d, "rapport"),
	    json_object_get(d, "rapportEigen"));
	if (json_is_object(json_object_get(d, "tabel")))
		web_datasets_table(b, json_object_get(d, "tabel"));
	if (json_is_object(json_object_get(d, "tabel")))
		html_out(b, "<p><a href=\"/api/v1/datasets/%s?formaat=xlsx\">"
		    "Download voor Excel (.xlsx)</a> · <a href=\"/api/v1/"
		    "datasets/%s?formaat=csv-nl\">CSV voor Nederlandse Excel</a>"
		    "</p>\n", json_string_value(json_object_get(d, "id")),
		    json_string_value(json_object_get(d, "id")));
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* After the job: the report, or the form again with the problems. */
static void
web_datasets_answer(struct req *r, const struct dataset_result *res,
    const char *id)
{
	json_t *d;

	if (res->problems != NULL) {
		model_datasets_problems(r, res->problems);
		web_datasets_form_page(r, 400, NULL);
		return;
	}
	if (dataset_store_get(r->db, id, r->who.gemeente, &d) != MEENT_OK) {
		json_decref(d);
		reply_db_failed(r, "Er ging iets mis.");
		return;
	}
	web_datasets_page(r, 201, d);
	json_decref(d);
}

/* The small fields of the form into out; the file's part into *file. */
static int
web_datasets_fields_read(struct req *r, struct evbuffer *body,
    struct evkeyvalq *out, const struct multipart_part **file,
    struct multipart_part *parts, size_t n)
{
	*file = NULL;
	for (size_t i = 0; i < n; i++) {
		char *v;

		if (strcmp(parts[i].name, "bestand") == 0 && parts[i].file) {
			*file = &parts[i];
			continue;
		}
		for (size_t k = 0; k < nitems(web_datasets_fields); k++) {
			if (strcmp(parts[i].name, web_datasets_fields[k]) != 0)
				continue;
			v = multipart_text(body, &parts[i],
			    WEB_DATASETS_FIELD_MAX);
			if (v == NULL) {
				req_invalid(r, parts[i].name, "te lang");
				break;
			}
			evhttp_add_header(out, parts[i].name, v);
			free(v);
		}
	}
	if (*file == NULL || (*file)->len == 0)
		req_invalid(r, "bestand", "kies een CSV-bestand");
	return req_has_invalid(r) ? -1 : 0;
}

void
web_datasets_create(struct req *r)
{
	struct evbuffer *body = req_body(r), *csv;
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	const struct multipart_part *file;
	struct dataset_request rq;
	struct evkeyvalq form;
	const char *why;
	size_t n;

	TAILQ_INIT(&form);
	/* The CSRF token is inside the form: no form, no token, 403. */
	if (multipart_parse(req_header(r, "Content-Type"), body, parts,
	    nitems(parts), &n, &why) == -1 || web_datasets_fields_read(r,
	    body, &form, &file, parts, n) == -1 ||
	    !web_csrf_valid(r, evhttp_find_header(&form, "csrf"))) {
		bool token = web_csrf_valid(r, evhttp_find_header(&form,
		    "csrf"));

		csvstream_wipe(body);
		if (token && req_has_invalid(r))
			web_datasets_form_page(r, 400, &form);
		evhttp_clear_headers(&form);
		if (token && req_has_invalid(r))
			return;
		reply_problem(r, 403, "Verboden", "Het formulier is verlopen; "
		    "laad de pagina opnieuw.");
		return;
	}
	if (model_datasets_request(r, evhttp_find_header(&form, "vorm"),
	    evhttp_find_header(&form, "indicator"),
	    evhttp_find_header(&form, "periode"),
	    evhttp_find_header(&form, "rollen"), &rq) == MEENT_ERR) {
		csvstream_wipe(body);
		evhttp_clear_headers(&form);
		reply_db_failed(r, "De indicator kon niet gelezen worden.");
		return;
	}
	if (req_has_invalid(r)) {
		csvstream_wipe(body);
		web_datasets_form_page(r, 400, &form);
		evhttp_clear_headers(&form);
		return;
	}
	evhttp_clear_headers(&form);
	csv = multipart_take(body, file);
	csvstream_wipe(body);
	model_datasets_submit(r, &rq, csv, web_datasets_answer);
	evbuffer_free(csv);
}

void
web_datasets_show(struct req *r)
{
	json_t *d;
	int rc = dataset_store_get(r->db, r->params[0], r->who.kind ==
	    PRINCIPAL_ANONYMOUS ? NULL : r->who.gemeente, &d);

	if (rc == MEENT_OK || rc == MEENT_CONFLICT) {
		web_datasets_page(r, rc == MEENT_OK ? 200 : 410, d);
		json_decref(d);
		return;
	}
	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Deze dataset bestaat "
		    "niet of is niet zichtbaar.");
	else
		reply_db_failed(r, "De dataset kon niet gelezen worden.");
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

void
web_datasets_remove(struct req *r)
{
	if (web_datasets_button(r) == -1 || model_datasets_store_reply(r,
	    dataset_store_remove(r->db, r->params[0], r->who.gemeente),
	    NULL) == -1)
		return;
	reply_redirect(r, "/benchmarks");
}
