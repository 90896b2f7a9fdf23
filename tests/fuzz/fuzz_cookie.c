/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: finding the session cookie in a Cookie header. */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = malloc(size + 1);
	char out[SESSION_LEN + 2];

	memcpy(header, data, size);
	header[size] = '\0';
	if (auth_cookie_value(header, "meent_sessie", out, sizeof out) &&
	    strlen(out) >= sizeof out)
		abort();
	free(header);
	return 0;
}
