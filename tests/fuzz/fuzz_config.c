/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: the meentd.conf parser. */
#include "meent.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c = { 0 };
	char *err = NULL;

	config_init(&c);
	if (config_parse(&c, "fuzz", (const char *)data, size, &err) == -1) {
		if (err == NULL)
			abort();	/* an error must say why */
		free(err);
	}
	config_free(&c);
	return 0;
}
