/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: an uploaded dataset end to end, without a server: the
 * streaming CSV reader (csvstream), roles, generalisation, the identifier
 * scan and disclosure control, for both shapes. The first input byte picks
 * the shape and the roles. Invariants: a result is either problems or a
 * report (both the public one and the uploader's) with a table; no
 * published cell stands for fewer units than the minimum frequency (its
 * published count may be up to the noise below it); the public report
 * holds no row count and no counts per rule; no published label looks like
 * a direct identifier.
 */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const fuzz_roles[] = {
	"leeftijd:quasi,wijk:dimensie,bedrag:meetwaarde",
	"bsn:identificerend,postcode:quasi,wijk:dimensie",
	"datum:quasi,bedrag:meetwaarde:gemiddelde",
	"",
};

/* Whether a dimension's labels are meent's own (generalised) ones. */
static bool
fuzz_generalised(const struct dataset_result *res, const char *dim)
{
	json_t *col;
	size_t i;

	json_array_foreach(json_object_get(res->report, "kolommen"), i, col)
		if (strcmp(json_string_value(json_object_get(col, "naam")),
		    dim) == 0)
			return strstr(json_string_value(json_object_get(col,
			    "behandeling")), "gegeneraliseerd") != NULL;
	return false;
}

static void
fuzz_check(const struct dataset_result *res, const struct sdc_rules *r)
{
	json_t *cell, *dim, *label;
	size_t i, k;

	if ((res->problems == NULL) == (res->report == NULL) ||
	    (res->report == NULL) != (res->report_own == NULL))
		abort();
	if (json_object_get(res->report, "rijen") != NULL ||
	    json_object_get(res->report, "onderdrukt") != NULL)
		abort();
	json_array_foreach(json_object_get(res->table, "cellen"), i, cell) {
		json_t *n = json_object_get(cell, "aantal");

		if (json_is_integer(n) && json_integer_value(n) > 0 &&
		    json_integer_value(n) < r->min_frequency - r->noise_count)
			abort();
	}
	json_array_foreach(json_object_get(res->table, "dimensies"), i, dim)
		json_array_foreach(json_object_get(dim, "categorieen"), k,
		    label)
			if (identifier_label(json_string_value(label),
			    strlen(json_string_value(label))) !=
			    IDENTIFIER_NONE && json_object_get(res->report,
			    "kolommen") != NULL &&
			    !fuzz_generalised(res, json_string_value(
			    json_object_get(dim, "naam"))))
				abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dataset_request rq;
	struct dataset_result res;
	struct evbuffer *body;
	const char *why;

	if (size < 1)
		return 0;
	memset(&rq, 0, sizeof rq);
	rq.microdata = (data[0] & 1) != 0;
	snprintf(rq.indicator, sizeof rq.indicator, "fuzz");
	snprintf(rq.periode, sizeof rq.periode, "2025");
	snprintf(rq.soort, sizeof rq.soort, "%s", (data[0] & 6) == 0 ?
	    "aantal" : (data[0] & 6) == 2 ? "bedrag" : "ratio");
	sdc_rules_defaults(&rq.rules);
	if (rq.microdata && dataset_roles_parse(fuzz_roles[(data[0] >> 3) % 4],
	    &rq, &why) == -1)
		abort();
	body = evbuffer_new();
	evbuffer_add(body, data + 1, size - 1);
	dataset_process(&rq, body, &res);
	if (evbuffer_get_length(body) != 0)
		abort();
	fuzz_check(&res, &rq.rules);
	dataset_result_free(&res);
	evbuffer_free(body);
	return 0;
}
