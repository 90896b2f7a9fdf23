/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * GET /api/v1/gemeenten and /api/v1/gemeenten/{code}: the reference data of
 * all municipalities, their size class and membership of this instance.
 */
#include "api/api.h"

#include <string.h>

void
api_municipalities_list(struct req *r)
{
	struct municipality_filter f = { .lid = -1 };
	const char *lid = req_query(r, "lid");
	long klasse, total = 0;
	int page, page_size, known = 0;
	json_t *items, *body;

	req_page(r, &page, &page_size);
	f.provincie = req_query(r, "provincie");
	if (f.provincie != NULL && strlen(f.provincie) <= 64 &&
	    (known = municipality_province_exists(r->db, f.provincie)) == -1) {
		reply_db_failed(r, "De provincies konden niet gelezen worden.");
		return;
	}
	if (f.provincie != NULL && (strlen(f.provincie) > 64 || known == 0))
		req_invalid(r, "provincie", "geen provincie van Nederland "
		    "(zoals Gelderland of Noord-Brabant)");
	if (req_query_int(r, "grootteklasse", 0, 1, 8, &klasse) == 0)
		f.grootteklasse = (int)klasse;
	if (lid != NULL) {
		if (strcmp(lid, "true") == 0)
			f.lid = 1;
		else if (strcmp(lid, "false") == 0)
			f.lid = 0;
		else
			req_invalid(r, "lid", "moet true of false zijn");
	}
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	items = municipality_list(r->db, &f, page, page_size, &total);
	if (items == NULL) {
		reply_db_failed(r, "De gemeenten konden niet gelezen worden.");
		return;
	}
	body = json_pack("{s:o, s:I, s:i, s:i, s:o}",
	    "_links", req_links(r, page, page_size, total),
	    "totaal", (json_int_t)total, "page", page, "pageSize", page_size,
	    "gemeenten", items);
	reply_json(r, 200, body);
}

void
api_municipalities_get(struct req *r)
{
	const char *code = r->params[0];
	json_t *g;
	int rc;

	if (!municipality_code_valid(code)) {
		req_invalid(r, "code", "een gemeentecode is GM en vier cijfers, "
		    "zoals GM0275");
		reply_invalid(r);
		return;
	}
	rc = municipality_get(r->db, code, &g);
	if (rc == MEENT_ERR) {
		reply_db_failed(r, "De gemeente kon niet gelezen worden.");
		return;
	}
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Er is geen gemeente met "
		    "code %s.", code);
		return;
	}
	reply_json(r, 200, g);
}
