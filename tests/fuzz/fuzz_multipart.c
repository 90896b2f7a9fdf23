/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: multipart/form-data. The first line of the input is the
 * Content-Type, the rest the body. Every part found must lie inside the
 * body; taking the file part must leave the bytes that follow it.
 */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	const uint8_t *nl = memchr(data, '\n', size);
	struct evbuffer *body, *file;
	char ctype[256];
	const char *why;
	size_t n, hlen, blen;

	if (nl == NULL || (hlen = (size_t)(nl - data)) >= sizeof ctype)
		return 0;
	memcpy(ctype, data, hlen);
	ctype[hlen] = '\0';
	body = evbuffer_new();
	evbuffer_add(body, nl + 1, size - hlen - 1);
	blen = evbuffer_get_length(body);
	if (multipart_parse(ctype, body, parts, nitems(parts), &n, &why) == 0) {
		for (size_t i = 0; i < n; i++) {
			char *s;

			if (parts[i].start + parts[i].len > blen)
				abort();
			s = multipart_text(body, &parts[i], 4096);
			free(s);
		}
		if (n > 0) {
			file = multipart_take(body, &parts[n - 1]);
			if (evbuffer_get_length(file) != parts[n - 1].len ||
			    evbuffer_get_length(body) != blen -
			    parts[n - 1].start - parts[n - 1].len)
				abort();
			evbuffer_free(file);
		}
	}
	evbuffer_free(body);
	return 0;
}
