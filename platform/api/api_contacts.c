/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * GET /api/v1/gemeenten/{code}/contactpersonen and
 * GET /api/v1/pilots/{id}/contactpersonen: contact persons as the caller
 * may see them (anonymous: only those who chose to be public), filtered by
 * domein, a page at a time (model_contacts.c).
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

static void
api_contacts_reply(struct req *r, struct contact_query *q)
{
	json_t *items;
	long total = 0;

	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	if (model_contacts_list(r, q, &items, &total) != 0) {
		reply_db_failed(r, "De contactpersonen konden niet gelezen "
		    "worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:o, s:I, s:i, s:i, s:o}",
	    "_links", req_links(r, q->page, q->page_size, total),
	    "totaal", (json_int_t)total, "page", q->page, "pageSize",
	    q->page_size, "contactpersonen", items));
}

void
api_contacts_municipality(struct req *r)
{
	struct contact_query q;
	const char *code = r->params[0];
	int rc;

	model_contacts_query(r, &q);
	if (!municipality_code_valid(code))
		rc = 0;
	else if ((rc = municipality_exists(r->db, code)) == -1) {
		reply_db_failed(r, "De gemeente kon niet gelezen worden.");
		return;
	}
	if (rc == 0) {
		reply_problem(r, 404, "Niet gevonden", "Er is geen gemeente "
		    "met deze code.");
		return;
	}
	q.gemeente = code;
	api_contacts_reply(r, &q);
}

void
api_contacts_pilot(struct req *r)
{
	struct contact_query q;
	struct pilot p;

	if (model_pilots_load(r, &p, false) == -1)
		return;
	model_contacts_query(r, &q);
	q.gemeente = NULL;
	q.pilot = p.id;
	api_contacts_reply(r, &q);
	pilot_free(&p);
}
