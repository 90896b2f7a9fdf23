/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: the strict HTTP/1.1 head parser (http_parse.c), and the
 * chunk-size line parser. Invariants: a parsed head fits its buffer, says
 * how many bytes it took (within the input and the cap), and its target
 * starts with '/' (or is "*").
 */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evkeyvalq fields;
	struct http_head h;
	const char *why;
	char *copy = malloc(size + 1);	/* exact size: overreads are caught */
	uint64_t chunk;
	int rc;

	memcpy(copy, data, size);
	TAILQ_INIT(&fields);
	rc = http_parse_head(copy, size, 4096, &h, &fields, &why);
	if (rc == 0) {
		if (h.length == 0 || h.length > size || h.length > 4096)
			abort();
		if (strlen(h.target) > HTTP_TARGET_MAX ||
		    (h.target[0] != '/' && strcmp(h.target, "*") != 0))
			abort();
		if (h.chunked && h.content_length != -1)
			abort();
	} else if (rc != HTTP_PARSE_MORE && (rc < 400 || why == NULL))
		abort();
	evhttp_clear_headers(&fields);
	if (http_parse_chunk_size(copy, size, &chunk) == 0 &&
	    chunk >= (uint64_t)1 << 60)
		abort();
	free(copy);
	return 0;
}
