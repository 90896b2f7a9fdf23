/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A comparison as CSV (RFC 4180): one row per member of the group, for
 * spreadsheets. Text cells are always quoted, and a text cell that starts
 * with = + - @ (or a tab or carriage return) gets a leading apostrophe so a
 * spreadsheet shows it instead of evaluating it (formula injection; OWASP
 * "CSV Injection"). Numbers are written by us and are plain numbers.
 */
#include "domain/domain.h"

#include <event2/buffer.h>
#include <string.h>

static void
comparison_csv_text(struct evbuffer *b, const char *s)
{
	evbuffer_add(b, "\"", 1);
	if (s != NULL && *s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		evbuffer_add(b, "'", 1);
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"')
			evbuffer_add(b, "\"", 1);
		evbuffer_add(b, s, 1);
	}
	evbuffer_add(b, "\"", 1);
}

/* The CSV of a comparison made by comparison_make(). Caller frees. */
struct evbuffer *
comparison_csv(json_t *cmp)
{
	struct evbuffer *b = evbuffer_new();
	const char *self = json_string_value(json_object_get(json_object_get(
	    cmp, "gemeente"), "code"));
	json_t *m;
	size_t i;

	evbuffer_add_printf(b, "gemeente,naam,inwoners,periode,waarde,"
	    "deze_gemeente\r\n");
	json_array_foreach(json_object_get(cmp, "leden"), i, m) {
		const char *code = json_string_value(json_object_get(m,
		    "gemeente"));
		json_t *v = json_object_get(m, "waarde");

		comparison_csv_text(b, code);
		evbuffer_add(b, ",", 1);
		comparison_csv_text(b, json_string_value(json_object_get(m,
		    "naam")));
		evbuffer_add_printf(b, ",%lld,", (long long)json_integer_value(
		    json_object_get(m, "inwoners")));
		comparison_csv_text(b, json_string_value(json_object_get(cmp,
		    "periode")));
		if (json_is_number(v))
			evbuffer_add_printf(b, ",%.4f", json_number_value(v));
		else
			evbuffer_add(b, ",", 1);
		evbuffer_add_printf(b, ",%s\r\n", strcmp(code, self) == 0 ?
		    "ja" : "nee");
	}
	return b;
}
