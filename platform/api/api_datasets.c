/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /api/v1/datasets: uploads of benchmark data (DESIGN §8).
 *
 * POST takes the CSV as a text/csv body (≤ 32 MiB, refused with 413 before
 * a byte of it is read). The body leaves the request's buffer for a job
 * (jobs.c): parsing, the identifier scan and disclosure control run off
 * the event loop, and only the protected table and its report come back
 * to be stored, as a concept. A full job pool answers 503 + Retry-After.
 * The municipality then publishes (POST .../publicatie) or discards
 * (DELETE) it; a published table can be withdrawn the same way.
 *
 * The upload is wiped once read, and never logged: errors name a row, a
 * column and a reason, never a value.
 */
#include "api/api.h"

#include <sodium.h>

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>

struct dataset_job {
	struct req		*r;
	struct dataset_request	 rq;
	struct evbuffer		*body;
	struct dataset_result	 res;
	dataset_answer_fn	 answer;
	char			 id[37];
};

static void
api_datasets_answer(struct req *r, const struct dataset_request *rq,
    const struct dataset_result *res, const char *id)
{
	json_t *body;
	char *self, *publish;

	(void)rq;
	if (res->problems != NULL) {
		model_datasets_problems(r, res->problems);
		reply_invalid(r);
		return;
	}
	self = xasprintf("/api/v1/datasets/%s", id);
	publish = xasprintf("%s/publicatie", self);
	reply_header(r, "Location", self);
	body = json_pack("{s:s, s:s, s:b, s:O, s:O, s:O, s:{s:{s:s}, s:{s:s}}}",
	    "id", id, "status", "concept", "publiceerbaar", res->publishable,
	    "rapport", res->report, "rapportEigen", res->report_own,
	    "tabel", res->table, "_links",
	    "self", "href", self, "publicatie", "href", publish);
	free(self);
	free(publish);
	reply_json(r, 201, body);
}

static bool
api_datasets_is_csv(struct req *r)
{
	const char *ct = req_header(r, "Content-Type");

	return ct != NULL && strncasecmp(ct, "text/csv", 8) == 0 &&
	    (ct[8] == '\0' || ct[8] == ';' || ct[8] == ' ');
}

void
api_datasets_create(struct req *r)
{
	struct dataset_request rq;

	if (!api_datasets_is_csv(r)) {
		reply_problem(r, 415, "Verkeerd formaat", "Stuur de gegevens "
		    "als CSV met Content-Type: text/csv.");
		return;
	}
	if (model_datasets_request(r, req_query(r, "vorm"), req_query(r,
	    "indicator"), req_query(r, "periode"), req_query(r, "rollen"),
	    &rq) == MEENT_ERR) {
		csvstream_wipe(req_body(r));
		reply_db_failed(r, "De indicator kon niet gelezen worden.");
		return;
	}
	if (req_has_invalid(r)) {
		/* The body was read, and is still ours to wipe. */
		csvstream_wipe(req_body(r));
		reply_invalid(r);
		return;
	}
	model_datasets_submit(r, &rq, req_body(r),
	    api_datasets_answer);
}

/* The {id} of the path is a UUID; anything else is a 400, not a lookup. */
static bool
api_datasets_id(struct req *r)
{
	const char *id = r->params[0];
	size_t n = strlen(id);

	if (n == 36 && strspn(id, "0123456789abcdef-") == n)
		return true;
	req_invalid(r, "id", "geen geldige id (UUID)");
	reply_invalid(r);
	return false;
}

static const char *
api_datasets_viewer(struct req *r)
{
	return r->who.kind == PRINCIPAL_ANONYMOUS ? NULL : r->who.gemeente;
}

void
api_datasets_list(struct req *r)
{
	struct dataset_query q;
	json_t *list;

	model_datasets_query(r, &q);
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	list = dataset_store_list(r->db, &q, NULL);
	if (list == NULL) {
		reply_db_failed(r, "De datasets konden niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "datasets", list));
}

/*
 * NULL (JSON), "csv-nl" or "xlsx" (the protected table for a
 * spreadsheet) from ?formaat= or the Accept header; -1 after a 400.
 */
static int
api_datasets_format(struct req *r, const char **format)
{
	const char *f = req_query(r, "formaat");
	const char *accept = req_header(r, "Accept");

	*format = NULL;
	if (f == NULL) {
		if (accept != NULL && strstr(accept, SHEET_XLSX_TYPE) != NULL)
			*format = "xlsx";
		return 0;
	}
	if (strcmp(f, "csv-nl") == 0 || strcmp(f, "xlsx") == 0)
		*format = f;
	else if (strcmp(f, "json") != 0) {
		req_invalid(r, "formaat", "moet json, csv-nl of xlsx zijn");
		reply_invalid(r);
		return -1;
	}
	return 0;
}

void
api_datasets_get(struct req *r)
{
	const char *format;
	json_t *d;

	if (!api_datasets_id(r) || api_datasets_format(r, &format) == -1)
		return;
	switch (dataset_store_get(r->db, r->params[0], api_datasets_viewer(r),
	    &d)) {
	case MEENT_OK:
		if (format != NULL) {
			model_export_dataset(r, d, format);
			json_decref(d);
			return;
		}
		reply_json(r, 200, d);
		return;
	case MEENT_CONFLICT:
		json_decref(d);
		reply_problem(r, 410, "Ingetrokken", "Deze tabel is "
		    "ingetrokken.");
		return;
	case MEENT_NOTFOUND:
		reply_problem(r, 404, "Niet gevonden", "Deze dataset bestaat "
		    "niet of is niet zichtbaar.");
		return;
	default:
		reply_db_failed(r, "De dataset kon niet gelezen worden.");
	}
}

void
api_datasets_publish(struct req *r)
{
	json_t *d;

	if (!api_datasets_id(r) || model_datasets_publish_path(r) == -1)
		return;
	if (dataset_store_get(r->db, r->params[0], r->who.gemeente, &d) !=
	    MEENT_OK) {
		json_decref(d);
		reply_db_failed(r, "Er ging iets mis.");
		return;
	}
	reply_json(r, 200, d);
}

void
api_datasets_delete(struct req *r)
{
	if (!api_datasets_id(r) ||
	    model_datasets_store_reply(r, dataset_store_remove(r->db,
	    r->params[0], r->who.gemeente), NULL) == -1)
		return;
	reply_text(r, 204, NULL, "", 0);
}
