/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The one search as a request sees it, for /api/v1/_zoek (api_pilots.c)
 * and /zoeken (web_search.c) alike: q, soort and the page read with the
 * same checks and defaults, and the search run under the search budget.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

/*
 * Read q (NULL when absent or empty: the caller decides whether that is
 * an error), soort and page/pageSize into q, noting what is invalid: a
 * query the caps refuse or whose operators do not stand right (with the
 * reason fts_query gives), an unknown soort. The caller frees q->fts.
 */
void
model_search_query(struct req *r, struct search_query *q)
{
	const char *soort = req_query(r, "soort");

	memset(q, 0, sizeof *q);
	q->kind = -1;
	req_page(r, &q->page, &q->page_size);
	q->member = model_pilots_member(r);
	q->own = model_pilots_own(r);
	q->q = req_query(r, "q");
	if (q->q != NULL && *q->q == '\0')
		q->q = NULL;
	if (q->q != NULL) {
		const char *why;

		if ((q->fts = fts_query(q->q, &why)) == NULL)
			req_invalid(r, "q", "%s", why);
	}
	if (soort != NULL && *soort != '\0' &&
	    (q->kind = search_kind_parse(soort)) == -1) {
		char *allowed = choice_values_text(search_kinds);

		req_invalid(r, "soort", "%s", allowed);
		free(allowed);
	}
}

/*
 * Run q under the search budget (the configured wall-clock time and, for
 * tests, VM steps) for all its statements together. Returns what
 * search_run() does; a query FTS5 refused is noted as invalid q (the
 * caller answers 400). *res is freed by the caller.
 */
int
model_search_run(struct req *r, const struct search_query *q,
    struct search_result *res)
{
	const struct config *cfg = r->ctx->cfg;
	double t0 = clock_ms();
	int rc;

	db_deadline_set(r->db, cfg->search_budget_ms, cfg->search_budget_steps);
	rc = search_run(r->db, q, res);
	db_deadline_clear(r->db);
	if (rc == MEENT_INTERRUPTED)
		log_emit(LOG_WARN, "search.interrupted", "a search stopped after "
		    "%.0f ms", clock_ms() - t0);
	else if (rc == MEENT_CONFLICT)
		req_invalid(r, "q", "geen geldige zoekvraag (let op AND, OR, "
		    "NOT en haakjes)");
	return rc;
}

/*
 * The answer of /api/v1/_zoek, for the API: q, soort, the counts per
 * kind (facetten.soort, every kind, 0 included), the total of the kind
 * asked for, and the page's results grouped by kind. Caller owns.
 */
json_t *
model_search_json(struct req *r, const struct search_query *q,
    const struct search_result *res)
{
	json_t *counts = json_object(), *groups = json_object(), *it, *out;
	size_t i;

	for (int k = 0; k < SEARCH_NKINDS; k++) {
		json_object_set_new(counts, search_kinds[k].value,
		    json_integer(res->count[k]));
		json_object_set_new(groups, search_groups[k], json_array());
	}
	json_array_foreach(res->items, i, it) {
		int k = search_kind_parse(json_string_value(json_object_get(it,
		    "soort")));

		json_array_append(json_object_get(groups, search_groups[k]), it);
	}
	out = json_pack("{s:o, s:s, s:I, s:i, s:i, s:{s:o}, s:o}",
	    "_links", req_links(r, q->page, q->page_size, res->total),
	    "q", q->q, "totaal", (json_int_t)res->total, "page", q->page,
	    "pageSize", q->page_size, "facetten", "soort", counts,
	    "resultaten", groups);
	if (q->kind != -1)
		json_object_set_new(out, "soort",
		    json_string(search_kinds[q->kind].value));
	return out;
}
