/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Municipalities as a request sees them, for the API (api_municipalities.c)
 * and the web pages (web_municipalities.c) alike: the list's filters read
 * from the request with the same checks, and one municipality with what it
 * shares here (its pilots as far as the caller may see them, the guidelines
 * it maintains and follows, its published datasets) and where it stands on
 * a few key indicators against the municipalities of its size class.
 *
 * A municipality's answer is embedded in one JSON object, not spread over
 * sub-resources: the page needs all of it at once, and each part is small
 * (at most MODEL_MUNICIPALITIES_PILOTS pilots; the full lists are behind
 * the _links).
 */
#include "model/model.h"

#include <stdio.h>
#include <string.h>

/* Pilots embedded in a municipality; the rest are behind _links.pilots. */
#define MODEL_MUNICIPALITIES_PILOTS	20

/*
 * The key indicators a municipality's page compares, in this order: one
 * per theme of the CBS social figures, each a rate (so that sizes compare).
 * Those this instance does not have are left out.
 */
static const char *const model_municipalities_indicators[] = {
	"bijstand-per-1000-15-64",
	"jeugdzorg-percentage",
	"wmo-clienten-per-1000",
	"misdrijven-per-1000",
	"inkomen-mediaan-besteedbaar",
};

/* A query value, or NULL when it is absent or empty (a form's "alle"). */
static const char *
model_municipalities_param(struct req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * Read the list's filters (q, provincie, grootteklasse, lid) into *f,
 * noting invalid ones. The province is matched regardless of case and
 * given back as the reference data spells it, in prov (borrowed by f).
 * Returns 0, MEENT_INVALID (problems noted) or MEENT_ERR (the caller
 * answers reply_db_failed).
 */
int
model_municipalities_filter(struct req *r, struct municipality_filter *f,
    char *prov, size_t provsize)
{
	const char *provincie = model_municipalities_param(r, "provincie");
	const char *klasse = model_municipalities_param(r, "grootteklasse");
	const char *lid = model_municipalities_param(r, "lid");
	long k;

	memset(f, 0, sizeof *f);
	f->lid = -1;
	f->q = model_municipalities_param(r, "q");
	if (f->q != NULL && strlen(f->q) > MODEL_MUNICIPALITIES_Q_MAX)
		req_invalid(r, "q", "hoogstens %d tekens",
		    MODEL_MUNICIPALITIES_Q_MAX);
	if (provincie != NULL && strlen(provincie) <= 64) {
		switch (municipality_province_find(r->db, provincie, prov,
		    provsize)) {
		case 1:
			f->provincie = prov;
			break;
		case -1:
			return MEENT_ERR;
		}
	}
	if (provincie != NULL && f->provincie == NULL)
		req_invalid(r, "provincie", "geen provincie van Nederland "
		    "(zoals Gelderland of Noord-Brabant)");
	if (klasse != NULL && req_query_int(r, "grootteklasse", 0, 1, 8,
	    &k) == 0)
		f->grootteklasse = (int)k;
	if (lid != NULL) {
		if (strcmp(lid, "true") == 0)
			f->lid = 1;
		else if (strcmp(lid, "false") == 0)
			f->lid = 0;
		else
			req_invalid(r, "lid", "moet true of false zijn");
	}
	return req_has_invalid(r) ? MEENT_INVALID : 0;
}

/* Set {rel: {href}} in links, href being path followed by what. */
static void
model_municipalities_link(json_t *links, const char *rel, const char *path,
    const char *what)
{
	char href[160];

	snprintf(href, sizeof href, "%s%s", path, what);
	json_object_set_new(links, rel, json_pack("{s:s}", "href", href));
}

/* Add the links of a municipality's object g (its code: code). */
static void
model_municipalities_links(json_t *g, const char *code, bool full)
{
	json_t *links = json_object();

	model_municipalities_link(links, "self", "/api/v1/gemeenten/", code);
	model_municipalities_link(links, "html", "/gemeenten/", code);
	if (full) {
		model_municipalities_link(links, "pilots",
		    "/api/v1/pilots?gemeente=", code);
		model_municipalities_link(links, "datasets",
		    "/api/v1/datasets?gemeente=", code);
	}
	json_object_set_new(g, "_links", links);
}

/*
 * A page of the municipalities matching f, each with its links, into
 * *items (caller owns). Returns 0 or MEENT_ERR.
 */
int
model_municipalities_list(struct req *r, const struct municipality_filter *f,
    int page, int page_size, long *total, json_t **items)
{
	json_t *g;
	size_t i;

	*items = municipality_list(r->db, f, page, page_size, total);
	if (*items == NULL)
		return MEENT_ERR;
	json_array_foreach(*items, i, g)
		model_municipalities_links(g, json_string_value(
		    json_object_get(g, "code")), false);
	return 0;
}

/*
 * Its pilots as far as the caller may see them, newest first:
 * {totaal, items} (the first MODEL_MUNICIPALITIES_PILOTS) into *out.
 * Returns 0, or what model_pilots_run() returned (MEENT_INTERRUPTED when
 * the list ran out of its time budget).
 */
static int
model_municipalities_pilots(struct req *r, const char *code, json_t **out)
{
	struct pilot_query q = { 0 };
	json_t *items, *facets;
	long total;
	int rc;

	q.gemeente = code;
	q.member = model_pilots_member(r);
	q.own = model_pilots_own(r);
	q.page = 1;
	q.page_size = MODEL_MUNICIPALITIES_PILOTS;
	if ((rc = model_pilots_run(r, &q, &items, &total, &facets)) != 0)
		return rc;
	json_decref(facets);
	*out = json_pack("{s:I, s:o}", "totaal", (json_int_t)total, "items",
	    items);
	return 0;
}

/*
 * The guidelines code maintains or follows (municipality_guidelines), each
 * with its links. NULL on error.
 */
static json_t *
model_municipalities_guidelines(struct req *r, const char *code,
    bool adopted)
{
	json_t *list = municipality_guidelines(r->db, code, adopted), *g;
	json_t *links;
	size_t i;

	json_array_foreach(list, i, g) {
		links = json_object();
		model_municipalities_link(links, "self",
		    "/api/v1/richtlijnen/", json_string_value(
		    json_object_get(g, "slug")));
		model_municipalities_link(links, "html", "/richtlijnen/",
		    json_string_value(json_object_get(g, "slug")));
		json_object_set_new(g, "_links", links);
	}
	return list;
}

/*
 * Its published datasets, without reports or cells: {id, indicator,
 * periode, vorm, gewijzigd, _links}. NULL on error.
 */
static json_t *
model_municipalities_datasets(struct req *r, const char *code)
{
	struct dataset_query q = { .gemeente = code,
	    .status = "gepubliceerd" };
	json_t *all = dataset_store_list(r->db, &q, NULL), *d, *out;
	char self[96];
	size_t i;

	if (all == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(all, i, d) {
		const char *id = json_string_value(json_object_get(d, "id"));

		if (strcmp(json_string_value(json_object_get(d, "status")),
		    "gepubliceerd") != 0)
			continue;
		snprintf(self, sizeof self, "/api/v1/datasets/%s", id);
		json_array_append_new(out, json_pack("{s:s, s:O, s:O, s:O, s:O,"
		    " s:{s:{s:s}, s:{s:s}}}", "id", id,
		    "indicator", json_object_get(d, "indicator"),
		    "periode", json_object_get(d, "periode"),
		    "vorm", json_object_get(d, "vorm"),
		    "gewijzigd", json_object_get(d, "gewijzigd"),
		    "_links", "self", "href", self, "html", "href", self + 7));
	}
	json_decref(all);
	return out;
}

/*
 * Where code stands on indicator ind: its latest value and, for that
 * period, the median of its size class (comparison_make, group
 * "grootteklasse"). Values are null when it has none. Returns the entry
 * (caller owns), or NULL on a database error.
 */
static json_t *
model_municipalities_position(struct req *r, json_t *ind, const char *code)
{
	json_t *periods = json_object_get(ind, "perioden"), *cmp = NULL;
	json_t *e, *latest = NULL, *v;
	struct comparison_query q = { 0 };
	char href[256], html[256];
	size_t n = json_array_size(periods), i;
	int rc;

	q.indicator = json_string_value(json_object_get(ind, "id"));
	q.gemeente = code;
	q.groep = "grootteklasse";
	e = json_pack("{s:s, s:O, s:O, s:O, s:O, s:n, s:n, s:n, s:I}",
	    "indicator", q.indicator, "naam", json_object_get(ind, "naam"),
	    "eenheid", json_object_get(ind, "eenheid"),
	    "richting", json_object_get(ind, "richting"),
	    "bron", json_object_get(ind, "bron"), "periode", "waarde",
	    "groepMediaan", "groepN", (json_int_t)0);
	if (n > 0) {
		q.periode = json_string_value(json_object_get(json_array_get(
		    periods, n - 1), "periode"));
		rc = comparison_make(r->db, ind, &q, &cmp);
		if (rc == MEENT_ERR) {
			json_decref(e);
			return NULL;
		}
	}
	/* The newest period of the series in which it has a value. */
	json_array_foreach(json_object_get(cmp, "reeks"), i, v)
		if (json_is_number(json_object_get(v, "waarde")))
			latest = v;
	if (latest != NULL) {
		json_object_set(e, "periode", json_object_get(latest,
		    "periode"));
		json_object_set(e, "waarde", json_object_get(latest, "waarde"));
		json_object_set(e, "groepMediaan", json_object_get(latest,
		    "groepMediaan"));
		json_object_set(e, "groepN", json_object_get(latest, "n"));
		snprintf(href, sizeof href, "/api/v1/indicatoren/%s/"
		    "vergelijking?gemeente=%s&groep=grootteklasse&periode=%s",
		    q.indicator, code, json_string_value(json_object_get(latest,
		    "periode")));
		snprintf(html, sizeof html, "/benchmarks/%s?gemeente=%s"
		    "&groep=grootteklasse&periode=%s", q.indicator, code,
		    json_string_value(json_object_get(latest, "periode")));
		json_object_set_new(e, "_links", json_pack("{s:{s:s}, s:{s:s}}",
		    "vergelijking", "href", href, "html", "href", html));
	}
	json_decref(cmp);
	return e;
}

/* The key indicators this instance has, each with code's position. */
static json_t *
model_municipalities_positions(struct req *r, const char *code)
{
	json_t *out = json_array(), *ind, *e;
	size_t i;
	int rc;

	for (i = 0; i < nitems(model_municipalities_indicators); i++) {
		rc = indicator_get(r->db, model_municipalities_indicators[i],
		    &ind);
		if (rc == MEENT_NOTFOUND)
			continue;
		if (rc != MEENT_OK)
			goto fail;
		e = model_municipalities_position(r, ind, code);
		json_decref(ind);
		if (e == NULL)
			goto fail;
		json_array_append_new(out, e);
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/*
 * One municipality with everything its page shows, into *out (caller
 * owns): the reference data, _links, pilots {totaal, items},
 * richtlijnenBeheerd, richtlijnenGevolgd, datasets and indicatoren. Returns
 * MEENT_OK; MEENT_INVALID for a code that is not one (noted as invalid
 * "code"); MEENT_NOTFOUND; MEENT_INTERRUPTED when its list of pilots ran
 * out of the search budget (the caller answers 503 with
 * MODEL_PILOTS_TOO_LONG); or MEENT_ERR (the caller answers
 * reply_db_failed).
 */
int
model_municipalities_get(struct req *r, const char *code, json_t **out)
{
	json_t *g, *part;
	int rc;

	*out = NULL;
	if (!municipality_code_valid(code)) {
		req_invalid(r, "code", "een gemeentecode is GM en vier "
		    "cijfers, zoals GM0275");
		return MEENT_INVALID;
	}
	rc = municipality_get(r->db, code, &g);
	if (rc != MEENT_OK)
		return rc;
	model_municipalities_links(g, code, true);
	if ((rc = model_municipalities_pilots(r, code, &part)) != 0) {
		json_decref(g);
		return rc == MEENT_INTERRUPTED ? rc : MEENT_ERR;
	}
	json_object_set_new(g, "pilots", part);
	if ((part = model_municipalities_guidelines(r, code, false)) == NULL)
		goto fail;
	json_object_set_new(g, "richtlijnenBeheerd", part);
	if ((part = model_municipalities_guidelines(r, code, true)) == NULL)
		goto fail;
	json_object_set_new(g, "richtlijnenGevolgd", part);
	if ((part = model_municipalities_datasets(r, code)) == NULL)
		goto fail;
	json_object_set_new(g, "datasets", part);
	if ((part = model_municipalities_positions(r, code)) == NULL)
		goto fail;
	json_object_set_new(g, "indicatoren", part);
	*out = g;
	return MEENT_OK;
fail:
	json_decref(g);
	return MEENT_ERR;
}
