/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The upload form: /datasets/nieuw (multipart), what POST /datasets does
 * with it, and the example files /datasets/voorbeeld/{vorm}.csv. The work
 * is the API's (model_datasets_request, model_datasets_submit); the
 * report and the table that follow are web_dataset_form_view.c's.
 *
 * Column roles without a syntax. A select list per column would need the
 * file's header before the form is filled in: a first step reading it and
 * a second step where the person chooses the file again. meent keeps
 * nothing of a file between requests (docs/privacy.md §1), so that second
 * step would always ask for the file twice. Instead the form asks, per
 * role, for the column names as they stand in the file's first row; the
 * server reads the header once, in the same request as the data, and a
 * name that is not there is an error naming the role. Nothing of the file
 * is read before the upload, nor kept after it.
 *
 * After an error the form comes back with every choice (indicator,
 * period, shape, roles), rebuilt from what was asked, never from the file;
 * the file itself must be chosen again, and the page says so.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

/* Form fields other than the file, at most this long. */
#define FORM_FIELD_MAX	4096

/* Per role, the form field that names its columns, and what to ask. */
static const struct {
	const char	*field;
	const char	*role;
	const char	*label;
	const char	*hint;
} role_fields[] = {
	{ "rol-identificerend", "identificerend", "Kolom die personen "
	    "aanwijst (identificerend)", "Bijvoorbeeld bsn of klantnummer. "
	    "meent gebruikt hem alleen om rijen van dezelfde persoon samen te "
	    "tellen, en bewaart hem nooit." },
	{ "rol-quasi", "quasi", "Kolommen die grover gemaakt worden",
	    "Leeftijd (in groepen van 5 jaar), postcode (alleen de 4 "
	    "cijfers) of datum (alleen de maand)." },
	{ "rol-dimensie", "dimensie", "Uitsplitsingen", "Kolommen waarnaar "
	    "de tabel wordt uitgesplitst, zoals wijk. Hoogstens 3 kolommen "
	    "samen met de vorige vraag." },
	{ "rol-meetwaarde", "meetwaarde", "Kolom met het bedrag of aantal "
	    "(meetwaarde)", "Leeg: de tabel telt personen." },
};

/* The aggregation of the measure. */
static const struct choice aggregations[] = {
	{ "som", "opgeteld (som)", NULL },
	{ "gemiddelde", "gemiddeld per persoon", NULL },
	{ NULL, NULL, NULL }
};

static const char *const form_fields[] = { "csrf", "vorm",
    "indicator", "periode", "rollen", "rol-identificerend", "rol-quasi",
    "rol-dimensie", "rol-meetwaarde", "aggregatie" };

/* The example files, one per shape: Dutch spreadsheet CSV (';', 1,5). */
static const struct {
	const char	*vorm;
	const char	*csv;
} examples[] = {
	{ "tabel", "wijk;leeftijdsgroep;waarde\r\n"
	    "Noord;18 tot 45 jaar;124\r\n"
	    "Noord;45 jaar of ouder;87\r\n"
	    "Zuid;18 tot 45 jaar;98\r\n"
	    "Zuid;45 jaar of ouder;110\r\n" },
	{ "microdata", "klantnummer;leeftijd;wijk;uitkering\r\n"
	    "K-0001;34;Noord;1.012,50\r\n"
	    "K-0002;61;Zuid;845,00\r\n"
	    "K-0002;61;Zuid;845,00\r\n"
	    "K-0003;27;Noord;930,25\r\n" },
};

/* A field of the form kept from before, or "". */
static const char *
web_dataset_form_kept(struct evkeyvalq *in, const char *key)
{
	const char *v = in != NULL ? evhttp_find_header(in, key) : NULL;

	return v != NULL ? v : "";
}

/*
 * What a person calls the field a problem is about: a form field by its
 * label, the file as "het bestand", a column of the file by its own name.
 */
static const char *
web_dataset_form_label(const char *name)
{
	static const char *const labels[][2] = {
		{ "indicator", "Indicator" }, { "periode", "Periode" },
		{ "vorm", "Vorm van het bestand" }, { "rollen", "Kolommen" },
		{ "aggregatie", "De meetwaarde wordt" },
		{ "csrf", "Formulier" }, { "body", "het bestand" },
		{ "bestand", "CSV-bestand" },
	};

	for (size_t k = 0; k < nitems(labels); k++)
		if (strcmp(labels[k][0], name) == 0)
			return labels[k][1];
	for (size_t k = 0; k < nitems(role_fields); k++)
		if (strcmp(role_fields[k].field, name) == 0)
			return role_fields[k].label;
	return name;
}

/* Problems with row and column, linked to the field they are about. */
static void
web_dataset_form_problems(struct evbuffer *b, json_t *invalid)
{
	json_t *p;
	size_t i;
	bool file = false;

	if (json_array_size(invalid) == 0)
		return;
	html_out(b, "<div class=\"error-summary\" role=\"alert\" "
	    "tabindex=\"-1\"><h2>Dit moet anders</h2><ul id=\"fouten\">\n");
	json_array_foreach(invalid, i, p) {
		const char *name = json_string_value(json_object_get(p,
		    "name"));
		json_t *row = json_object_get(p, "rij");
		json_t *col = json_object_get(p, "kolom");
		bool field = false;

		for (size_t k = 0; k < nitems(form_fields); k++)
			field = field || strcmp(name, form_fields[k]) ==
			    0;
		file = file || !field;
		html_out(b, "<li><a href=\"#%s\">%s", field ? name : "bestand",
		    web_dataset_form_label(name));
		if (row != NULL)
			html_out(b, ", rij %ld", (long)json_integer_value(row));
		if (col != NULL && json_integer_value(col) > 0)
			html_out(b, ", kolom %ld",
			    (long)json_integer_value(col));
		html_out(b, ": %s</a></li>\n", json_string_value(
		    json_object_get(p, "reason")));
	}
	html_out(b, "</ul><p>Van het bestand is niets bewaard. Uw keuzes staan "
	    "nog in het formulier. <strong>Kies het bestand opnieuw</strong>"
	    "%s.</p></div>\n", file ? ", nadat u het hebt verbeterd" : "");
}

/*
 * Whether an error in invalid is about the file rather than a field of the
 * form: the file's input then points to the summary's list (#fouten).
 */
static bool
web_dataset_form_file_error(json_t *invalid)
{
	json_t *p;
	size_t i;

	json_array_foreach(invalid, i, p) {
		const char *name = json_string_value(json_object_get(p,
		    "name"));
		bool field = false;

		for (size_t k = 0; k < nitems(form_fields); k++)
			field = field || (name != NULL &&
			    strcmp(name, form_fields[k]) == 0);
		if (!field)
			return true;
	}
	return false;
}

static void
web_dataset_form_indicators(struct evbuffer *b, json_t *items, const char *ind,
    json_t *invalid)
{
	const char *why = req_invalid_reason(invalid, "indicator");
	json_t *i;
	size_t k;

	html_out(b, "<p><label for=\"indicator\">Indicator</label><br>");
	web_page_field_error(b, "indicator", why);
	html_out(b, "<select id=\"indicator\" name=\"indicator\"");
	web_page_field_aria(b, "indicator", "indicator-uitleg", why != NULL);
	html_out(b, ">\n");
	json_array_foreach(items, k, i) {
		const char *id = json_string_value(json_object_get(i, "id"));

		html_out(b, "<option value=\"%s\"", id);
		html_attr_if(b, strcmp(ind, id) == 0, " selected");
		html_out(b, ">%s (%s)</option>\n",
		    json_string_value(json_object_get(i, "naam")),
		    json_string_value(json_object_get(i, "eenheid")));
	}
	html_out(b, "</select><br><span class=\"hint\" id=\"indicator-uitleg\">"
	    "Telt de indicator (zoals personen), dan zijn de getallen hele "
	    "getallen; is het een bedrag, dan hoogstens twee decimalen."
	    "</span></p>\n");
}

/* The roles, one field per role (see the top of this file for why). */
static void
web_dataset_form_role_inputs(struct evbuffer *b, struct evkeyvalq *in,
    json_t *invalid)
{
	const char *agg = web_dataset_form_kept(in, "aggregatie");
	const char *why = req_invalid_reason(invalid, "aggregatie");

	html_out(b, "<fieldset id=\"rollen\"><legend>Kolommen (alleen bij "
	    "microdata)</legend>\n<p class=\"hint\">Schrijf de namen zoals ze "
	    "in de eerste rij van uw bestand staan; meer namen scheidt u met "
	    "een komma. Kolommen die u hier niet noemt, laat meent weg.</p>\n");
	for (size_t k = 0; k < nitems(role_fields); k++) {
		const char *f = role_fields[k].field;

		const char *bad = req_invalid_reason(invalid, f);
		char hint[64];

		html_out(b, "<p><label for=\"%s\">%s</label><br><span "
		    "class=\"hint\" id=\"%s-uitleg\">%s</span><br>", f,
		    role_fields[k].label, f, role_fields[k].hint);
		web_page_field_error(b, f, bad);
		html_out(b, "<input id=\"%s\" name=\"%s\" value=\"%s\"", f, f,
		    web_dataset_form_kept(in, f));
		snprintf(hint, sizeof hint, "%s-uitleg", f);
		web_page_field_aria(b, f, hint, bad != NULL);
		html_out(b, "></p>\n");
	}
	html_out(b, "<p><label for=\"aggregatie\">De meetwaarde wordt"
	    "</label><br>");
	web_page_field_error(b, "aggregatie", why);
	html_out(b, "<select id=\"aggregatie\" name=\"aggregatie\"");
	web_page_field_aria(b, "aggregatie", NULL, why != NULL);
	html_out(b, ">\n");
	for (size_t k = 0; aggregations[k].value != NULL; k++) {
		const char *v = aggregations[k].value;

		html_out(b, "<option value=\"%s\"", v);
		html_attr_if(b, strcmp(agg, v) == 0, " selected");
		html_out(b, ">%s</option>\n", aggregations[k].label);
	}
	html_out(b, "</select></p>\n</fieldset>\n");
}

static void
web_dataset_form_page(struct req *r, int status, struct evkeyvalq *in)
{
	struct evbuffer *b;
	json_t *items = indicator_list(r->db);
	const char *vorm = web_dataset_form_kept(in, "vorm");
	const char *why;
	size_t k;

	if (items == NULL) {
		reply_db_failed(r, "De indicatoren konden niet gelezen "
		    "worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Dataset uploaden");
	html_out(b, "<h1>Dataset uploaden</h1>\n");
	web_dataset_form_problems(b, r->invalid);
	html_out(b, "<p>meent bewaart uw bestand nooit. Het wordt gelezen, "
	    "samengevat tot een tabel en beschermd: cellen met te weinig "
	    "personen of met één dominante bijdrage worden geheim gehouden, "
	    "en een controle rekent na dat ze ook niet uit de totalen terug te "
	    "rekenen zijn. U ziet eerst het verslag; daarna publiceert u de "
	    "tabel of gooit u hem weg.</p>\n"
	    "<p>Een CSV-bestand uit Excel (met puntkomma's en decimale "
	    "komma's, zoals 1.234,5) kan, net als een bestand met komma's en "
	    "decimale punten (1234.5). Voorbeelden: "
	    "<a href=\"/datasets/voorbeeld/tabel.csv\">tabel</a> · "
	    "<a href=\"/datasets/voorbeeld/microdata.csv\">microdata</a>.</p>\n"
	    "<form method=\"post\" action=\"/datasets\" "
	    "enctype=\"multipart/form-data\" novalidate>\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n",
	    r->who.csrf);
	web_dataset_form_indicators(b, items, web_dataset_form_kept(in,
	    "indicator"), r->invalid);
	why = req_invalid_reason(r->invalid, "periode");
	html_out(b, "<p><label for=\"periode\">Periode</label><br>"
	    "<span class=\"hint\" id=\"periode-uitleg\">Een jaar (2025), "
	    "kwartaal (2025-K2) of maand (2025-06).</span><br>");
	web_page_field_error(b, "periode", why);
	html_out(b, "<input id=\"periode\" name=\"periode\" value=\"%s\"",
	    web_dataset_form_kept(in, "periode"));
	web_page_field_aria(b, "periode", "periode-uitleg", why != NULL);
	why = req_invalid_reason(r->invalid, "vorm");
	html_out(b, "></p>\n<fieldset id=\"vorm\"");
	html_attr_if(b, why != NULL, " aria-describedby=\"vorm-fout\"");
	html_out(b, "><legend>Vorm van het bestand</legend>\n");
	if (why != NULL)
		html_out(b, "<p class=\"error\" id=\"vorm-fout\">%s</p>\n",
		    why);
	for (k = 0; dataset_forms[k].value != NULL; k++) {
		const char *v = dataset_forms[k].value;

		html_out(b, "<p><input type=\"radio\" id=\"vorm-%s\" "
		    "name=\"vorm\" value=\"%s\"", v, v);
		html_attr_if(b, (vorm[0] == '\0' && k == 0) ||
		    strcmp(vorm, v) == 0, " checked");
		html_out(b, "> <label for=\"vorm-%s\">%s</label></p>\n", v,
		    dataset_forms[k].label);
	}
	html_out(b, "</fieldset>\n");
	web_dataset_form_role_inputs(b, in, r->invalid);
	html_out(b, "<p><label for=\"bestand\">CSV-bestand (hoogstens 32 MB)"
	    "</label><br>");
	if (json_array_size(r->invalid) > 0)
		html_out(b, "<span class=\"hint\" id=\"bestand-uitleg\">Kies "
		    "het bestand opnieuw: meent bewaart het niet, ook niet na "
		    "een fout.</span><br>");
	html_out(b, "<input type=\"file\" id=\"bestand\" name=\"bestand\" "
	    "accept=\".csv,text/csv\"");
	if (web_dataset_form_file_error(r->invalid))
		html_out(b, " aria-describedby=\"bestand-uitleg fouten\" "
		    "aria-invalid=\"true\"");
	else
		html_attr_if(b, json_array_size(r->invalid) > 0,
		    " aria-describedby=\"bestand-uitleg\"");
	html_out(b, "></p>\n<p><button type=\"submit\">Uploaden en "
	    "beschermen</button></p>\n</form>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(items);
}

void
web_dataset_form_new(struct req *r)
{
	web_dataset_form_page(r, 200, NULL);
}

/*
 * The form's fields again from what an upload asked (rq), for the form
 * after a refusal found in the file: the choices come back, the file not.
 */
static void
web_dataset_form_from(const struct dataset_request *rq,
    struct evkeyvalq *out)
{
	TAILQ_INIT(out);
	evhttp_add_header(out, "vorm", rq->microdata ? "microdata" : "tabel");
	evhttp_add_header(out, "indicator", rq->indicator);
	evhttp_add_header(out, "periode", rq->periode);
	for (size_t k = 0; k < nitems(role_fields); k++) {
		struct evbuffer *names = evbuffer_new();

		for (size_t i = 0; i < rq->nroles; i++) {
			if (strcmp(dataset_role_name(rq->roles[i].role),
			    role_fields[k].role) != 0)
				continue;
			evbuffer_add_printf(names, "%s%s",
			    evbuffer_get_length(names) > 0 ? ", " : "",
			    rq->roles[i].name);
			if (rq->roles[i].mean)
				evhttp_add_header(out, "aggregatie",
				    "gemiddelde");
		}
		evbuffer_add(names, "", 1);
		evhttp_add_header(out, role_fields[k].field,
		    (const char *)evbuffer_pullup(names, -1));
		evbuffer_free(names);
	}
}

/* After the job: the report, or the form again with the problems. */
static void
web_dataset_form_answer(struct req *r, const struct dataset_request *rq,
    const struct dataset_result *res, const char *id)
{
	struct evkeyvalq form;
	json_t *d;

	if (res->problems != NULL) {
		model_datasets_problems(r, res->problems);
		web_dataset_form_from(rq, &form);
		web_dataset_form_page(r, 400, &form);
		evhttp_clear_headers(&form);
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
web_dataset_form_fields_read(struct req *r, struct evbuffer *body,
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
		for (size_t k = 0; k < nitems(form_fields); k++) {
			if (strcmp(parts[i].name, form_fields[k]) != 0)
				continue;
			v = multipart_text(body, &parts[i],
			    FORM_FIELD_MAX);
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

/*
 * The roles of the per-role fields (and of the older "rollen" field, which
 * scripts may still send) as the API's "kolom:rol,..." into *spec (caller
 * frees). A name holding ',' or ':' cannot be told apart: an error on r
 * naming the role's field.
 */
static void
web_dataset_form_roles(struct req *r, struct evkeyvalq *form, char **spec)
{
	const char *agg = evhttp_find_header(form, "aggregatie");
	const char *old = evhttp_find_header(form, "rollen");
	struct evbuffer *b = evbuffer_new();

	if (agg != NULL && !choice_valid(aggregations, agg))
		req_invalid(r, "aggregatie", "som of gemiddelde");
	for (size_t k = 0; k < nitems(role_fields); k++) {
		const char *v = evhttp_find_header(form,
		    role_fields[k].field);
		char *copy, *save = NULL, *name;

		if (v == NULL)
			continue;
		copy = xstrdup(v);
		for (name = strtok_r(copy, ",", &save); name != NULL;
		    name = strtok_r(NULL, ",", &save)) {
			size_t n;

			name += strspn(name, " \t");
			n = strlen(name);
			while (n > 0 && (name[n - 1] == ' ' ||
			    name[n - 1] == '\t'))
				name[--n] = '\0';
			if (n == 0)
				continue;
			if (strchr(name, ':') != NULL)
				req_invalid(r, role_fields[k].field,
				    "een kolomnaam met een dubbele punt kan "
				    "hier niet");
			evbuffer_add_printf(b, "%s%s:%s%s",
			    evbuffer_get_length(b) > 0 ? "," : "", name,
			    role_fields[k].role, strcmp(
			    role_fields[k].role,
			    "meetwaarde") == 0 && agg != NULL &&
			    strcmp(agg, "gemiddelde") == 0 ? ":gemiddelde" :
			    "");
		}
		free(copy);
	}
	if (old != NULL && old[0] != '\0')
		evbuffer_add_printf(b, "%s%s", evbuffer_get_length(b) > 0 ?
		    "," : "", old);
	evbuffer_add(b, "", 1);
	*spec = xstrdup((const char *)evbuffer_pullup(b, -1));
	evbuffer_free(b);
}

void
web_dataset_form_create(struct req *r)
{
	struct evbuffer *body = req_body(r), *csv;
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	const struct multipart_part *file;
	struct dataset_request rq;
	struct evkeyvalq form;
	const char *why;
	char *spec = NULL;
	size_t n;
	int rc;

	TAILQ_INIT(&form);
	/* The CSRF token is inside the form: no form, no token, 403. */
	if (multipart_parse(req_header(r, "Content-Type"), body, parts,
	    nitems(parts), &n, &why) == -1 || web_dataset_form_fields_read(r,
	    body, &form, &file, parts, n) == -1 ||
	    !web_csrf_valid(r, evhttp_find_header(&form, "csrf"))) {
		bool token = web_csrf_valid(r, evhttp_find_header(&form,
		    "csrf"));

		csvstream_wipe(body);
		if (token && req_has_invalid(r))
			web_dataset_form_page(r, 400, &form);
		evhttp_clear_headers(&form);
		if (token && req_has_invalid(r))
			return;
		reply_problem(r, 403, "Verboden", "Het formulier is verlopen; "
		    "laad de pagina opnieuw.");
		return;
	}
	web_dataset_form_roles(r, &form, &spec);
	rc = model_datasets_request(r, evhttp_find_header(&form, "vorm"),
	    evhttp_find_header(&form, "indicator"),
	    evhttp_find_header(&form, "periode"), spec, &rq);
	free(spec);
	if (rc == MEENT_ERR) {
		csvstream_wipe(body);
		evhttp_clear_headers(&form);
		reply_db_failed(r, "De indicator kon niet gelezen worden.");
		return;
	}
	if (req_has_invalid(r)) {
		csvstream_wipe(body);
		web_dataset_form_page(r, 400, &form);
		evhttp_clear_headers(&form);
		return;
	}
	evhttp_clear_headers(&form);
	csv = multipart_take(body, file);
	csvstream_wipe(body);
	model_datasets_submit(r, &rq, csv, web_dataset_form_answer);
	evbuffer_free(csv);
}

/* /datasets/voorbeeld/{vorm}.csv: an example file, compiled in. */
void
web_dataset_form_example(struct req *r)
{
	const char *p = r->params[0];
	size_t n = strlen(p);

	for (size_t k = 0; k < nitems(examples); k++) {
		const char *v = examples[k].vorm;
		char *disp;

		if (n != strlen(v) + 4 || strncmp(p, v, strlen(v)) != 0 ||
		    strcmp(p + strlen(v), ".csv") != 0)
			continue;
		disp = xasprintf("attachment; filename=\"voorbeeld-%s.csv\"",
		    v);
		reply_header(r, "Content-Disposition", disp);
		free(disp);
		reply_text(r, 200, "text/csv; charset=utf-8",
		    examples[k].csv,
		    strlen(examples[k].csv));
		return;
	}
	reply_problem(r, 404, "Niet gevonden", "Er zijn voorbeelden voor "
	    "tabel.csv en microdata.csv.");
}
