/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Indicators as a request sees them, for the API (api_indicators.c) and the
 * web pages (web_benchmarks.c) alike: a comparison's query read from the
 * request, with the same defaults (the caller's own municipality, the
 * latest period, the size class) for both.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

/* The newest period of ind, or NULL when it has none. */
static const char *
model_indicators_latest(json_t *ind)
{
	json_t *periods = json_object_get(ind, "perioden");
	size_t n = json_array_size(periods);

	if (n == 0)
		return NULL;
	return json_string_value(json_object_get(json_array_get(periods,
	    n - 1), "periode"));
}

static bool
model_indicators_has_period(json_t *ind, const char *period)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(ind, "perioden"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "periode")),
		    period) == 0)
			return true;
	return false;
}

/*
 * Parse and check the query of a comparison into *q (the web page's too):
 * problems go to req_invalid(). 0, MEENT_INVALID (problems noted), or
 * MEENT_ERR when the database failed (the caller answers reply_db_failed).
 */
int
model_indicators_query(struct req *r, json_t *ind, struct comparison_query *q)
{
	q->indicator = json_string_value(json_object_get(ind, "id"));
	q->gemeente = req_query(r, "gemeente");
	/* Signed in: your own municipality unless you ask for another. */
	if (q->gemeente == NULL && r->who.kind != PRINCIPAL_ANONYMOUS)
		q->gemeente = r->who.gemeente;
	q->periode = req_query(r, "periode");
	q->groep = req_query(r, "groep");
	if (q->groep == NULL)
		q->groep = COMPARISON_GROUP_DEFAULT;
	else if (!choice_valid(comparison_groups, q->groep)) {
		char *allowed = choice_values_text(comparison_groups);

		req_invalid(r, "groep", "moet %s zijn", allowed);
		free(allowed);
	}
	if (!municipality_code_valid(q->gemeente))
		req_invalid(r, "gemeente", "verplicht: een gemeentecode, zoals "
		    "GM0275");
	else
		switch (municipality_exists(r->db, q->gemeente)) {
		case 0:
			req_invalid(r, "gemeente", "onbekende gemeente");
			break;
		case -1:
			return MEENT_ERR;
		}
	if (q->periode == NULL)
		q->periode = model_indicators_latest(ind);
	else if (!indicator_period_valid(q->periode) ||
	    !model_indicators_has_period(ind, q->periode))
		req_invalid(r, "periode", "geen periode van deze indicator");
	if (q->periode == NULL)
		req_invalid(r, "periode", "deze indicator heeft nog geen "
		    "waarden");
	return req_has_invalid(r) ? MEENT_INVALID : 0;
}
