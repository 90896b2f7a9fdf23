/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: an uploaded dataset end to end, without a server: the
 * streaming CSV reader (csvstream), roles, generalisation, the identifier
 * scan and disclosure control, for both shapes. The first input byte picks
 * the shape and the roles. Invariants: a result is either problems or a
 * report with a table, and no published cell stands for fewer units than
 * the minimum frequency.
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

static void
fuzz_check(const struct dataset_result *res, long min)
{
	json_t *cell;
	size_t i;

	if ((res->problems == NULL) == (res->report == NULL))
		abort();
	json_array_foreach(json_object_get(res->table, "cellen"), i, cell) {
		json_t *n = json_object_get(cell, "aantal");

		if (json_is_integer(n) && json_integer_value(n) > 0 &&
		    json_integer_value(n) < min)
			abort();
	}
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
	fuzz_check(&res, rq.rules.min_frequency);
	dataset_result_free(&res);
	evbuffer_free(body);
	return 0;
}
