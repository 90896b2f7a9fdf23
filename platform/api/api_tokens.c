/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /api/v1/tokens: an admin of a municipality manages its API tokens. A
 * token's secret is shown once, in the answer to POST; lists show names,
 * roles and dates only. Another municipality's tokens do not exist here
 * (404), whatever their id.
 */
#include "api/api.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

void
api_tokens_list(struct req *r)
{
	int page, page_size;
	long total;
	json_t *items;

	if (req_page(r, &page, &page_size) == -1) {
		reply_invalid(r);
		return;
	}
	items = token_list_json(r->db, r->who.gemeente, page, page_size,
	    &total);
	if (items == NULL) {
		reply_db_failed(r, "De tokens konden niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:o, s:I, s:i, s:i, s:o}", "_links",
	    req_links(r, page, page_size, total), "totaal", (json_int_t)total,
	    "page", page, "pageSize", page_size, "tokens", items));
}

/* Fields we do not know are an error, not silently dropped. */
static void
api_tokens_unknown_fields(struct req *r, json_t *body)
{
	static const char *const known[] = { "naam", "rol", "verlooptNaDagen" };
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		bool ok = false;

		for (size_t i = 0; i < nitems(known); i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok)
			req_invalid(r, key, "onbekend veld");
	}
}

static void
api_tokens_role_invalid(struct req *r)
{
	char *allowed = choice_values_text(role_choices);

	req_invalid(r, "rol", "%s", allowed);
	free(allowed);
}

void
api_tokens_create(struct req *r)
{
	json_t *body, *v;
	const char *naam = "", *rol = "viewer";
	enum role role;
	json_int_t days = 0;
	char token[TOKEN_LEN + 1], location[64];
	long id;

	if (api_body_json(r, &body) == -1)
		return;
	if ((v = json_object_get(body, "naam")) != NULL) {
		if (!json_is_string(v) || json_string_length(v) > 100)
			req_invalid(r, "naam", "tekst van hoogstens 100 tekens");
		else
			naam = json_string_value(v);
	}
	if ((v = json_object_get(body, "rol")) != NULL) {
		if (!json_is_string(v))
			api_tokens_role_invalid(r);
		else
			rol = json_string_value(v);
	}
	role = role_parse(rol);
	if (role == ROLE_NONE)
		api_tokens_role_invalid(r);
	else if (role > r->who.role)
		req_invalid(r, "rol", "hoger dan uw eigen rol");
	if ((v = json_object_get(body, "verlooptNaDagen")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 3650)
			req_invalid(r, "verlooptNaDagen", "een geheel getal van "
			    "1 tot en met 3650");
		else
			days = json_integer_value(v);
	}
	api_tokens_unknown_fields(r, body);
	if (req_has_invalid(r)) {
		json_decref(body);
		reply_invalid(r);
		return;
	}
	if (token_create(r->db, r->who.gemeente, role, naam, (int)days, token,
	    &id) == -1) {
		json_decref(body);
		reply_db_failed(r, "Het token kon niet gemaakt worden.");
		return;
	}
	snprintf(location, sizeof location, "/api/v1/tokens/%ld", id);
	reply_header(r, "Location",
	    location);
	reply_json(r, 201, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
	    (json_int_t)id, "token", token, "naam", naam, "rol",
	    role_name(role), "gemeente", r->who.gemeente));
	sodium_memzero(token, sizeof token);
	json_decref(body);	/* naam was borrowed from it */
}

void
api_tokens_revoke(struct req *r)
{
	char gemeente[8];
	long id;
	int rc;

	id = req_number(r->params[0]);
	if (id < 1) {
		req_invalid(r, "id", "een positief geheel getal");
		reply_invalid(r);
		return;
	}
	rc = token_gemeente(r->db, id, gemeente);
	if (rc == -1) {
		reply_db_failed(r, "Het token kon niet gelezen worden.");
		return;
	}
	/* Another municipality's token is not there for this caller. */
	if (rc == MEENT_NOTFOUND || !req_own(r, gemeente)) {
		reply_problem(r, 404, "Niet gevonden", "Er is geen token %ld.",
		    id);
		return;
	}
	rc = token_revoke(r->db, id);
	if (rc == -1) {
		reply_db_failed(r, "Het token kon niet ingetrokken worden.");
		return;
	}
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 410, "Al ingetrokken", "Token %ld was al "
		    "ingetrokken.", id);
		return;
	}
	reply_text(r, 204, NULL, "", 0);
}
