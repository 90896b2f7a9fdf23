/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: the front matter of seed files. */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char *body = NULL;
	char *err = NULL;
	json_t *fm, *v;
	const char *key;

	memcpy(text, data, size);
	text[size] = '\0';
	fm = frontmatter_parse(text, &body, &err);
	if (fm == NULL) {
		if (err == NULL)
			abort();
		free(err);
	} else {
		if (body < text || body > text + size)
			abort();
		json_object_foreach(fm, key, v)
			json_decref(frontmatter_list(json_string_value(v)));
		json_decref(fm);
	}
	free(text);
	return 0;
}
