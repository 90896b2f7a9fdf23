/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * libevent buffers as strings.
 */
#include "core/core.h"

#include <stdlib.h>

#include <event2/buffer.h>

/* The contents of b as a NUL-terminated string (caller frees); b is freed. */
char *
buffer_take_string(struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b);
	char *s = xmalloc(len + 1);

	evbuffer_remove(b, s, len);
	s[len] = '\0';
	evbuffer_free(b);
	return s;
}
