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

/* A quoted, neutralised text cell (NULL: empty). */
void
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

/* One row: a member's value (or self's own figure) with its source. */
static void
comparison_csv_row(struct evbuffer *b, json_t *cmp, json_t *m, json_t *v,
    json_t *bron, bool self, bool used)
{
	comparison_csv_text(b, json_string_value(json_object_get(m,
	    "gemeente")));
	evbuffer_add(b, ",", 1);
	comparison_csv_text(b, json_string_value(json_object_get(m, "naam")));
	evbuffer_add_printf(b, ",%lld,", (long long)json_integer_value(
	    json_object_get(m, "inwoners")));
	comparison_csv_text(b, json_string_value(json_object_get(cmp,
	    "periode")));
	if (json_is_number(v))
		evbuffer_add_printf(b, ",%.4f", json_number_value(v));
	else
		evbuffer_add(b, ",", 1);
	evbuffer_add_printf(b, ",%s,", self ? "ja" : "nee");
	comparison_csv_text(b, json_string_value(json_object_get(bron,
	    "naam")));
	evbuffer_add(b, ",", 1);
	comparison_csv_text(b, json_string_value(json_object_get(bron,
	    "dataset")));
	evbuffer_add_printf(b, ",%s\r\n", used ? "ja" : "nee");
}

/*
 * The CSV of a comparison made by comparison_make(). Caller frees. Every
 * value names its source (bron, and dataset for a municipality's own);
 * the municipality's own figure beside a public one is a row of its own,
 * in_vergelijking "nee".
 */
struct evbuffer *
comparison_csv(json_t *cmp)
{
	struct evbuffer *b = evbuffer_new();
	const char *self = json_string_value(json_object_get(json_object_get(
	    cmp, "gemeente"), "code"));
	json_t *m, *own = json_object_get(json_object_get(cmp, "positie"),
	    "eigenCijfer");
	size_t i;

	evbuffer_add_printf(b, "gemeente,naam,inwoners,periode,waarde,"
	    "deze_gemeente,bron,dataset,in_vergelijking\r\n");
	json_array_foreach(json_object_get(cmp, "leden"), i, m) {
		bool is_self = strcmp(json_string_value(json_object_get(m,
		    "gemeente")), self) == 0;

		comparison_csv_row(b, cmp, m, json_object_get(m, "waarde"),
		    json_object_get(m, "bron"), is_self, true);
		if (is_self && json_is_object(own))
			comparison_csv_row(b, cmp, m, json_object_get(own,
			    "waarde"), json_object_get(own, "bron"), true,
			    false);
	}
	return b;
}
