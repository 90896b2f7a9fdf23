/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * GET /api/v1/indicatoren, /indicatoren/{id} and
 * /indicatoren/{id}/vergelijking: the catalogue and the peer comparison,
 * as JSON or (the comparison) CSV, SVG, CSV for Dutch Excel (csv-nl) or
 * .xlsx, by Accept header or ?formaat=.
 */
#include "api/api.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

void
api_indicators_list(struct req *r)
{
	json_t *items = indicator_list(r->db);

	if (items == NULL) {
		reply_db_failed(r, "De indicatoren konden niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:I, s:o}", "totaal",
	    (json_int_t)json_array_size(items), "indicatoren", items));
}

/* The indicator of the path, or NULL after a 404 (or a 5xx). */
static json_t *
api_indicators_load(struct req *r)
{
	const char *id = r->params[0];
	json_t *ind = NULL;
	int rc = indicator_id_valid(id) ? indicator_get(r->db, id, &ind) :
	    MEENT_NOTFOUND;

	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Er is geen indicator "
		    "met deze naam.");
	else if (rc != MEENT_OK)
		reply_db_failed(r, "De indicator kon niet gelezen worden.");
	return ind;
}

/* One indicator, with the pilots about it that the caller may see. */
void
api_indicators_get(struct req *r)
{
	bool anonymous = r->who.kind == PRINCIPAL_ANONYMOUS;
	json_t *ind = api_indicators_load(r), *pilots;

	if (ind == NULL)
		return;
	pilots = pilot_store_linking(r->db, PILOT_LINK_INDICATOR, r->params[0],
	    !anonymous, anonymous ? NULL : r->who.gemeente);
	if (pilots == NULL) {
		json_decref(ind);
		reply_db_failed(r, "De pilots bij deze indicator konden niet "
		    "gelezen worden.");
		return;
	}
	json_object_set_new(ind, "pilots", pilots);
	reply_json(r, 200, ind);
}

/*
 * "json", "csv", "csv-nl" (for Dutch Excel), "xlsx" or "svg" from
 * ?formaat= or the Accept header.
 */
static const char *
api_indicators_format(struct req *r)
{
	static const char *const formats[] = { "json", "csv", "csv-nl",
	    "xlsx", "svg" };
	const char *f = req_query(r, "formaat");
	const char *accept = req_header(r, "Accept");

	if (f != NULL) {
		for (size_t i = 0; i < nitems(formats); i++)
			if (strcmp(f, formats[i]) == 0)
				return formats[i];
		req_invalid(r, "formaat", "moet json, csv, csv-nl, xlsx of svg "
		    "zijn");
		return "json";
	}
	if (accept != NULL && strstr(accept, SHEET_XLSX_TYPE) != NULL)
		return "xlsx";
	if (accept != NULL && strstr(accept, "text/csv") != NULL)
		return "csv";
	if (accept != NULL && strstr(accept, "image/svg+xml") != NULL)
		return "svg";
	return "json";
}

static const char *
api_indicators_ctype(const char *format)
{
	if (strcmp(format, "csv") == 0)
		return "text/csv; charset=utf-8";
	if (strcmp(format, "svg") == 0)
		return "image/svg+xml; charset=utf-8";
	return "application/json";
}

/*
 * A comparison for a spreadsheet (csv-nl, xlsx): made afresh, not cached
 * (a rare download), sent as a file named for what it compares.
 */
static void
api_indicators_export(struct req *r, const char *format, json_t *ind,
    json_t *cmp, const struct comparison_query *q)
{
	json_t *sheet = export_comparison(ind, cmp);
	struct evbuffer *b = evbuffer_new();
	char *name;

	if (model_export_render(r, sheet, format, b) == 0) {
		name = xasprintf("vergelijking-%s-%s-%s", q->indicator,
		    q->gemeente, q->periode);
		model_export_send(r, format, name, b);
		free(name);
	}
	evbuffer_free(b);
	json_decref(sheet);
}

/* The bytes of a comparison in format (caller frees). */
static struct evbuffer *
api_indicators_render(const char *format, json_t *ind, json_t *out)
{
	struct evbuffer *b;
	char *s;

	if (strcmp(format, "csv") == 0)
		return comparison_csv(out);
	if (strcmp(format, "svg") == 0)
		return chart_svg(ind, out);
	json_object_set(out, "eenheid", json_object_get(ind, "eenheid"));
	json_object_set(out, "noemer", json_object_get(ind, "noemer"));
	b = evbuffer_new();
	s = json_dumps(out, JSON_COMPACT);
	evbuffer_add(b, s, strlen(s));
	free(s);
	return b;
}

/* Whether answers in format are cached: not the spreadsheet downloads. */
static bool
api_indicators_cached(const char *format)
{
	return strcmp(format, "csv-nl") != 0 && strcmp(format, "xlsx") != 0;
}

/*
 * A comparison reads every municipality and every period of the indicator,
 * and the same questions come again and again: answers are cached (they
 * depend on the target, the format and, when gemeente is left out, the
 * caller's municipality; any commit anywhere makes them stale).
 */
void
api_indicators_vergelijking(struct req *r)
{
	unsigned long gen = cache_generation_now();
	struct comparison_query q;
	const char *format;
	struct evbuffer *b;
	json_t *ind, *out = NULL;
	char *key;
	size_t len;
	int rc;

	format = api_indicators_format(r);
	key = xasprintf("V|%s|%s|%s", format, r->who.gemeente,
	    r->target);
	if (!req_has_invalid(r) && api_indicators_cached(format) &&
	    model_cache_reply(r, key, api_indicators_ctype(format))) {
		free(key);
		return;
	}
	if ((ind = api_indicators_load(r)) == NULL ||
	    (rc = model_indicators_query(r, ind, &q)) != 0) {
		if (ind != NULL && rc == MEENT_ERR)
			reply_db_failed(r, "De vergelijking kon niet gemaakt "
			    "worden.");
		else if (ind != NULL)
			reply_invalid(r);
		json_decref(ind);
		free(key);
		return;
	}
	rc = comparison_make(r->db, ind, &q, &out);
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Voor deze vraag zijn er "
		    "geen gegevens.");
	} else if (rc != MEENT_OK) {
		reply_db_failed(r, "De vergelijking kon niet gemaakt worden.");
	} else if (!api_indicators_cached(format)) {
		api_indicators_export(r, format, ind, out, &q);
	} else {
		b = api_indicators_render(format, ind, out);
		len = evbuffer_get_length(b);
		model_cache_keep(r, key, (const char *)evbuffer_pullup(b, -1),
		    len, gen);
		reply_send(r, 200, api_indicators_ctype(format), b);
		evbuffer_free(b);
	}
	json_decref(out);
	json_decref(ind);
	free(key);
}
