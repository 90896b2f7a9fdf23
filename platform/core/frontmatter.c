/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Front matter of seed files: a block of "key: value" lines between two
 * lines of "---" at the top of a Markdown file. Values are plain strings
 * (one line each); what a key means is its loader's business. A value
 * that a plain line cannot hold (line breaks, a list item with a comma,
 * a leading quote or bracket) is written as JSON: a "string" or a [list]
 * (meentctl export does so); such a value is decoded here, and one that
 * does not parse as JSON stays the plain text it is.
 */
#include "core/core.h"

#include <string.h>

/* A value: JSON when it is a "string" or a [list] of strings, else as is. */
static json_t *
frontmatter_value(const char *v, size_t len)
{
	json_t *j, *item;
	size_t i;

	if (len >= 2 && ((v[0] == '"' && v[len - 1] == '"') ||
	    (v[0] == '[' && v[len - 1] == ']')) &&
	    (j = json_loadb(v, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	    NULL)) != NULL) {
		bool ok = json_is_string(j) || json_is_array(j);

		json_array_foreach(j, i, item)
			ok &= json_is_string(item) || json_is_object(item);
		if (ok)
			return j;
		json_decref(j);
	}
	return json_stringn(v, len);
}

/*
 * Split text into its front matter (a JSON object of strings and, for JSON
 * values, lists; caller owns)
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
		if (json_object_set_new(fields, key, frontmatter_value(v,
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

/* A list value: a JSON [list] as it is, or a comma-separated one split. */
json_t *
frontmatter_list_of(json_t *v)
{
	if (json_is_array(v))
		return json_incref(v);
	return frontmatter_list(json_string_value(v));
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
