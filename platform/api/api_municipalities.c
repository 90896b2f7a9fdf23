/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * GET /api/v1/gemeenten and /api/v1/gemeenten/{code}: the reference data of
 * all municipalities, their size class and membership of this instance;
 * one municipality with what it shares here and how it compares. The
 * filters and the answer are the web pages' too (model_municipalities.c).
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

void
api_municipalities_list(struct req *r)
{
	struct municipality_filter f;
	char prov[64];
	long total = 0;
	int page, page_size, rc;
	json_t *items, *body;

	req_page(r, &page, &page_size);
	rc = model_municipalities_filter(r, &f, prov, sizeof prov);
	if (rc == MEENT_ERR) {
		reply_db_failed(r, "De provincies konden niet gelezen worden.");
		return;
	}
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	if (model_municipalities_list(r, &f, page, page_size, &total,
	    &items) != 0) {
		reply_db_failed(r, "De gemeenten konden niet gelezen worden.");
		return;
	}
	body = json_pack("{s:o, s:I, s:i, s:i, s:o}",
	    "_links", req_links(r, page, page_size, total),
	    "totaal", (json_int_t)total, "page", page, "pageSize", page_size,
	    "gemeenten", items);
	reply_json(r, 200, body);
}

/*
 * One municipality with its pilots, guidelines, datasets and key
 * indicators: what its page shows (model_municipalities_get). Making it
 * runs a comparison per key indicator, so the answer is cached; the key
 * carries the caller's municipality, as the pilots it lists depend on who
 * asks (any commit makes it stale: cache.c).
 */
void
api_municipalities_get(struct req *r)
{
	unsigned long gen = cache_generation_now();
	const char *code = r->params[0], *own = model_pilots_own(r);
	char *key, *s;
	json_t *g;

	key = xasprintf("G|%s|%s", own != NULL ? own : "-", code);
	if (model_cache_reply(r, key, "application/json")) {
		free(key);
		return;
	}
	switch (model_municipalities_get(r, code, &g)) {
	case MEENT_OK:
		s = json_dumps(g, JSON_COMPACT);
		model_cache_keep(r, key, s, strlen(s), gen);
		reply_text(r, 200, "application/json", s, strlen(s));
		free(s);
		json_decref(g);
		break;
	case MEENT_INVALID:
		reply_invalid(r);
		break;
	case MEENT_NOTFOUND:
		reply_problem(r, 404, "Niet gevonden", "Er is geen gemeente "
		    "met code %s.", code);
		break;
	case MEENT_INTERRUPTED:
		reply_problem(r, 503, "Zoekopdracht te zwaar",
		    MODEL_PILOTS_TOO_LONG);
		break;
	default:
		reply_db_failed(r, "De gemeente kon niet gelezen worden.");
	}
	free(key);
}
