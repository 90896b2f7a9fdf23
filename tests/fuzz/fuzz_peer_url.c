/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: a peer's URL as meentctl peer add gets it
 * (fed_peer_url_normalise). What comes out is stored and later requested:
 * at most 500 characters, https:// or http:// to a loopback address, no
 * user info, query or fragment, no trailing slash, and normalising it
 * again changes nothing. A refusal always says why.
 */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url, *out, *again;
	const char *why, *host, *p;
	size_t len;

	if (size > 1024)
		return 0;
	url = xmalloc(size + 1);
	memcpy(url, data, size);
	url[size] = '\0';
	out = fed_peer_url_normalise(url, &why);
	if (out == NULL) {
		if (why == NULL || *why == '\0')
			abort();
		free(url);
		return 0;
	}
	len = strlen(out);
	if (len > 500 || out[len - 1] == '/')
		abort();
	if (strncmp(out, "https://", 8) == 0)
		host = out + 8;
	else if (strncmp(out, "http://127.", 11) == 0 ||
	    strncmp(out, "http://[::1]", 12) == 0 ||
	    strncmp(out, "http://[::ffff:127.", 19) == 0)
		host = out + 7;
	else
		abort();
	if (*host == '\0' || *host == '/' || *host == ':' ||
	    strpbrk(out, "?#\\ \t\r\n") != NULL)
		abort();
	/* No '@' before the path: no user info. */
	p = strchr(host, '/');
	if (memchr(host, '@', p != NULL ? (size_t)(p - host) : strlen(host)))
		abort();
	for (p = host; *p != '\0' && *p != '/'; p++)
		if (*p >= 'A' && *p <= 'Z')
			abort();
	again = fed_peer_url_normalise(out, &why);
	if (again == NULL || strcmp(again, out) != 0)
		abort();
	free(again);
	free(out);
	free(url);
	return 0;
}
