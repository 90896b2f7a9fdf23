/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A protected table as CSV (RFC 4180), for spreadsheets: one row per cell,
 * its categories ("Totaal" for a margin), waarde, aantal, geheim (ja/nee,
 * a secret cell's figures empty) and bron, the municipality that made it,
 * in every row so that a copied part still says where it came from. Text
 * cells are quoted and neutralised as comparison_csv_text() does: column
 * names and categories are the uploader's words.
 */
#include "domain/domain.h"

#include <event2/buffer.h>

static void
dataset_csv_number(struct evbuffer *b, json_t *v)
{
	if (json_is_integer(v))
		evbuffer_add_printf(b, "%lld",
		    (long long)json_integer_value(v));
	else if (json_is_number(v))
		evbuffer_add_printf(b, "%.2f", json_number_value(v));
}

/* The CSV of dataset d (dataset_store_get()'s JSON). Caller frees. */
struct evbuffer *
dataset_csv(json_t *d)
{
	struct evbuffer *b = evbuffer_new();
	json_t *tabel = json_object_get(d, "tabel"), *dim, *cell, *c;
	const char *naam = json_string_value(json_object_get(d,
	    "gemeenteNaam"));
	char *bron = xasprintf("Bron: gemeente %s (meent, dataset %s)",
	    naam != NULL ? naam : json_string_value(json_object_get(d,
	    "gemeente")), json_string_value(json_object_get(d, "id")));
	size_t i, k;

	json_array_foreach(json_object_get(tabel, "dimensies"), i, dim) {
		comparison_csv_text(b, json_string_value(json_object_get(dim,
		    "naam")));
		evbuffer_add(b, ",", 1);
	}
	evbuffer_add_printf(b, "waarde,aantal,geheim,bron\r\n");
	json_array_foreach(json_object_get(tabel, "cellen"), i, cell) {
		json_array_foreach(json_object_get(cell, "categorieen"), k, c) {
			comparison_csv_text(b, json_is_string(c) ?
			    json_string_value(c) : "Totaal");
			evbuffer_add(b, ",", 1);
		}
		dataset_csv_number(b, json_object_get(cell, "waarde"));
		evbuffer_add(b, ",", 1);
		dataset_csv_number(b, json_object_get(cell, "aantal"));
		evbuffer_add_printf(b, ",%s,", json_is_true(json_object_get(
		    cell, "geheim")) ? "ja" : "nee");
		comparison_csv_text(b, bron);
		evbuffer_add(b, "\r\n", 2);
	}
	free(bron);
	return b;
}
