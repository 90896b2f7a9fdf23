/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: route matching and path-parameter decoding. */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int methods[] = { EVHTTP_REQ_GET, EVHTTP_REQ_POST,
	    EVHTTP_REQ_DELETE, EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT };
	char *params[ROUTE_MAX_PARAMS];
	char *path;
	unsigned allow;
	int n, idx;

	if (size == 0)
		return 0;
	router_init(routes_table, routes_count);
	path = malloc(size);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	idx = router_match(methods[data[0] % 5], path, params, &n, &allow);
	if (idx >= (int)routes_count || n < 0 || n > ROUTE_MAX_PARAMS ||
	    (idx < 0 && n != 0))
		abort();
	for (int i = 0; i < n; i++) {
		if (strchr(params[i], '/') != NULL)
			abort();	/* a parameter is one segment */
		free(params[i]);
	}
	free(path);
	return 0;
}
