/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Contact persons as a request sees them, for the API (api_contacts.c) and
 * the pages (web_contacts.c, and the municipality's and pilot's pages): a
 * list's filters read from the query, the viewer's scope (anonymous:
 * public entries only), and an offer made by the signed-in person.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

/*
 * The filters of a list (domein, gemeente; page) and who asks. Invalid
 * values go to r->invalid (the caller answers 400). Never fails.
 */
void
model_contacts_query(struct req *r, struct contact_query *q)
{
	const char *domein = req_query(r, "domein");
	const char *gemeente = req_query(r, "gemeente");

	memset(q, 0, sizeof *q);
	req_page(r, &q->page, &q->page_size);
	q->member = model_pilots_member(r);
	q->own = model_pilots_own(r);
	if (domein != NULL && *domein != '\0') {
		if (pilot_domain_valid(&r->ctx->cfg->domeinen, domein))
			q->domein = domein;
		else
			req_invalid(r, "domein", "is geen domein van deze "
			    "omgeving");
	}
	if (gemeente != NULL && *gemeente != '\0') {
		if (municipality_code_valid(gemeente))
			q->gemeente = gemeente;
		else
			req_invalid(r, "gemeente", "is geen gemeentecode "
			    "(zoals GM0275)");
	}
}

/*
 * Run q: the page into *items (each with eigen: is it the caller's own;
 * the account's id removed), the count into *total. Returns 0 or
 * MEENT_ERR (the caller answers reply_db_failed).
 */
int
model_contacts_list(struct req *r, const struct contact_query *q,
    json_t **items, long *total)
{
	long me = r->who.kind == PRINCIPAL_SESSION ? r->who.user_id : 0;
	size_t i;
	json_t *c;

	*items = contact_store_list(r->db, q, total);
	if (*items == NULL)
		return MEENT_ERR;
	json_array_foreach(*items, i, c) {
		json_int_t uid = json_integer_value(json_object_get(c,
		    "userId"));

		json_object_set_new(c, "eigen", json_boolean(me != 0 &&
		    uid == me));
		json_object_del(c, "userId");
	}
	return 0;
}

/*
 * The signed-in person offers to be a contact (c's fields from a form or
 * JSON; user and municipality are the caller's, whatever c said). Returns
 * 0 with *id; MEENT_INVALID with r->invalid filled (the fields, a pilot
 * not of the municipality, an offer made before); MEENT_ERR.
 */
int
model_contacts_offer(struct req *r, struct contact *c, long *id)
{
	json_t *invalid = json_array();
	int rc;

	c->user_id = r->who.user_id;
	c->gemeente = r->who.gemeente;
	if (contact_check(c, &r->ctx->cfg->domeinen, invalid) != 0) {
		json_decref(r->invalid);
		r->invalid = invalid;
		return MEENT_INVALID;
	}
	json_decref(invalid);
	switch ((rc = contact_store_insert(r->db, c, id))) {
	case 0:
		log_emit(LOG_INFO, "contact.offer", "contact %ld added", *id);
		return 0;
	case MEENT_NOTFOUND:
		req_invalid(r, "pilot", "is geen pilot van uw gemeente");
		return MEENT_INVALID;
	case MEENT_CONFLICT:
		req_invalid(r, "soort", "u bent hiervoor al contactpersoon");
		return MEENT_INVALID;
	default:
		return MEENT_ERR;
	}
}
