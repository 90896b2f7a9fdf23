/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: turning typed search text into an FTS5 query. */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	const char *err = NULL;
	char *q;
	size_t quotes = 0;

	memcpy(in, data, size);
	in[size] = '\0';
	q = fts_query(in, &err);
	if (q == NULL) {
		if (err == NULL)
			abort();
	} else {
		/*
		 * Quotes always pair up: no way to break out of a phrase. The
		 * query grows at most linearly: a one-letter term becomes
		 * "x" and a group after a term gets the AND FTS5 needs, so
		 * "a(" (2 bytes) is "\"a\" AND ( " (10): 5 times, never more.
		 */
		for (const char *c = q; *c != '\0'; c++)
			quotes += *c == '"';
		if (quotes % 2 != 0 || strlen(q) > strlen(in) * 5 + 16)
			abort();
		free(q);
	}
	free(in);
	return 0;
}
