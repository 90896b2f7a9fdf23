/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Front matter of seed files: a block of "key: value" lines between two
 * lines of "---" at the top of a Markdown file. Values are plain strings
 * (one line each); what a key means is its loader's business.
 */
#include "core/core.h"

#include <string.h>

/*
 * Split text into its front matter (a JSON object of strings, caller owns)
 * and *body (borrowed, into text). Returns NULL with *err (caller frees)
 * when the block is missing or a line is not "key: value".
 */
json_t *
frontmatter_parse(const char *text, const char **body, char **err)
{
	const char *p = text, *nl;
	json_t *fields;
	int line = 1;

	if (strncmp(p, "---\n", 4) != 0) {
		*err = xasprintf("line 1: expected '---' to open the front "
		    "matter");
		return NULL;
	}
	p += 4;
	fields = json_object();
	for (;;) {
		const char *colon, *v, *end;
		char *key;

		line++;
		nl = strchr(p, '\n');
		if (nl == NULL) {
			*err = xasprintf("line %d: the front matter is not "
			    "closed with '---'", line);
			json_decref(fields);
			return NULL;
		}
		if (nl - p == 3 && strncmp(p, "---", 3) == 0) {
			*body = nl + 1;
			return fields;
		}
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon == NULL || colon == p) {
			*err = xasprintf("line %d: expected 'key: value'", line);
			json_decref(fields);
			return NULL;
		}
		v = colon + 1;
		while (v < nl && *v == ' ')
			v++;
		end = nl;
		while (end > v && (end[-1] == ' ' || end[-1] == '\r'))
			end--;
		key = xstrndup(p, (size_t)(colon - p));
		if (json_object_set_new(fields, key, json_stringn(v,
		    (size_t)(end - v))) == -1) {
			*err = xasprintf("line %d: not valid UTF-8", line);
			free(key);
			json_decref(fields);
			return NULL;
		}
		free(key);
		p = nl + 1;
	}
}

/* A comma-separated value as a JSON array of trimmed strings. */
json_t *
frontmatter_list(const char *v)
{
	json_t *a = json_array();

	while (v != NULL && *v != '\0') {
		const char *comma = strchr(v, ',');
		const char *end = comma != NULL ? comma : v + strlen(v);
		const char *s = v;

		while (s < end && *s == ' ')
			s++;
		while (end > s && end[-1] == ' ')
			end--;
		if (end > s)
			json_array_append_new(a, json_stringn(s,
			    (size_t)(end - s)));
		v = comma != NULL ? comma + 1 : NULL;
	}
	return a;
}
