/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: the connection guard's look at a request head. */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn_head h;
	struct config c = { 0 };
	char *copy = malloc(size);	/* exact size: overreads are caught */

	memcpy(copy, data, size);
	if (conn_parse_head(copy, size, &h) == CONN_HEAD_OK) {
		if (strlen(h.method) >= sizeof h.method ||
		    strlen(h.target) >= sizeof h.target)
			abort();
		if (h.method[0] != '\0') {
			config_init(&c);
			(void)router_body_cap(h.method, h.target, &c);
			config_free(&c);
		}
	}
	free(copy);
	return 0;
}
