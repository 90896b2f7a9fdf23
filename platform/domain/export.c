/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What people download for a spreadsheet: a comparison and a dataset's
 * protected table as a sheet (core/sheet.c writes it as .xlsx or as CSV
 * for Dutch Excel). Above the table a header block says what it is: the
 * indicator, its unit, the period and the source. A table without a
 * figure to show (no values, or every cell secret) is still a sheet, and
 * says so.
 */
#include "domain/domain.h"

#include <math.h>
#include <string.h>

static json_t *
export_line(const char *label, const char *value)
{
	return json_sprintf("%s: %s", label, value != NULL ? value : "–");
}

static json_t *
export_column(const char *name, int decimals)
{
	if (decimals < 0)
		return json_pack("{s:s}", "naam", name);
	return json_pack("{s:s, s:i}", "naam", name, "decimalen", decimals);
}

/* 0 decimals when every value is whole (counts), else 2. */
static int
export_decimals(json_t *rows, size_t col)
{
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_t *v = json_array_get(row, col);

		if (json_is_number(v) && json_number_value(v) !=
		    floor(json_number_value(v)))
			return 2;
	}
	return 0;
}

/*
 * The sheet of a comparison from comparison_make() for indicator ind
 * (indicator_get()). Caller owns it.
 */
json_t *
export_comparison(json_t *ind, json_t *cmp)
{
	const char *self = json_string_value(json_object_get(json_object_get(
	    cmp, "gemeente"), "code"));
	const char *group = json_string_value(json_object_get(cmp, "groep"));
	json_t *rows = json_array(), *m, *sheet;
	size_t i, values = 0;

	json_array_foreach(json_object_get(cmp, "leden"), i, m) {
		json_t *v = json_object_get(m, "waarde");

		values += json_is_number(v);
		json_array_append_new(rows, json_pack("[O, O, O, O, s]",
		    json_object_get(m, "naam"), json_object_get(m, "gemeente"),
		    json_object_get(m, "inwoners"), v,
		    strcmp(json_string_value(json_object_get(m, "gemeente")),
		    self) == 0 ? "ja" : "nee"));
	}
	sheet = json_pack("{s:s, s:s+, s:[o, o, o, o, o, o], s:[o, o, o, o, o],"
	    " s:s, s:[]}",
	    "blad", "Vergelijking",
	    "titel", json_string_value(json_object_get(ind, "naam")),
	    ": vergelijking",
	    "kop",
	    export_line("Omschrijving", json_string_value(json_object_get(ind,
	    "omschrijving"))),
	    export_line("Eenheid", json_string_value(json_object_get(ind,
	    "eenheid"))),
	    export_line("Periode", json_string_value(json_object_get(cmp,
	    "periode"))),
	    export_line("Vergeleken met", group != NULL ? choice_label(
	    comparison_groups, group) : NULL),
	    export_line("Gemeente", json_string_value(json_object_get(
	    json_object_get(cmp, "gemeente"), "naam"))),
	    export_line("Bron", json_string_value(json_object_get(ind,
	    "bron"))),
	    "kolommen",
	    export_column("Gemeente", -1), export_column("CBS-code", -1),
	    export_column("Inwoners", 0),
	    export_column("Waarde", export_decimals(rows, 3)),
	    export_column("Deze gemeente", -1),
	    "leeg", "Er zijn geen gemeenten in deze groep.",
	    "noten");
	json_object_set_new(sheet, "rijen", rows);
	if (json_array_size(rows) > 0 && values == 0)
		json_array_append_new(json_object_get(sheet, "noten"),
		    json_string("Er is voor deze periode van geen enkele "
		    "gemeente in de groep een waarde bekend."));
	return sheet;
}

/*
 * The sheet of a dataset's protected table (dataset_store_get()), of
 * indicator ind, uploaded by the municipality named source. Secret cells
 * say "geheim"; a total says "Totaal". Caller owns it.
 */
json_t *
export_dataset(json_t *d, json_t *ind, const char *source)
{
	json_t *tabel = json_object_get(d, "tabel"), *cols, *rows, *x, *cell;
	json_t *sheet;
	size_t i, k, figures = 0;

	cols = json_array();
	json_array_foreach(json_object_get(tabel, "dimensies"), i, x)
		json_array_append_new(cols, export_column(json_string_value(
		    json_object_get(x, "naam")), -1));
	rows = json_array();
	json_array_foreach(json_object_get(tabel, "cellen"), i, cell) {
		json_t *row = json_array(), *c;

		json_array_foreach(json_object_get(cell, "categorieen"), k, c)
			json_array_append_new(row, json_is_string(c) ?
			    json_incref(c) : json_string("Totaal"));
		for (k = 0; k < 2; k++) {
			c = json_object_get(cell, k == 0 ? "waarde" : "aantal");
			figures += json_is_number(c);
			json_array_append_new(row, json_is_number(c) ?
			    json_incref(c) : json_string("geheim"));
		}
		json_array_append_new(rows, row);
	}
	k = json_array_size(cols);
	json_array_append_new(cols, export_column("Waarde",
	    export_decimals(rows, k)));
	json_array_append_new(cols, export_column("Aantal", 0));
	sheet = json_pack("{s:s, s:s+, s:[o, o, o, o], s:o, s:o, s:s,"
	    " s:[s]}",
	    "blad", "Dataset",
	    "titel", json_string_value(json_object_get(ind, "naam")),
	    ": beschermde tabel",
	    "kop",
	    export_line("Eenheid", json_string_value(json_object_get(ind,
	    "eenheid"))),
	    export_line("Periode", json_string_value(json_object_get(d,
	    "periode"))),
	    export_line("Bron", source),
	    export_line("Status", choice_label(dataset_statuses,
	    json_string_value(json_object_get(d, "status")))),
	    "kolommen", cols, "rijen", rows,
	    "leeg", "Deze tabel heeft geen cellen.",
	    "noten", "Geheim: te weinig personen of één te grote bijdrage. "
	    "Alle getallen hebben een kleine, vaste afwijking (ruis).");
	if (json_array_size(rows) > 0 && figures == 0)
		json_array_insert_new(json_object_get(sheet, "noten"), 0,
		    json_string("Alle cellen van deze tabel zijn geheim: er is "
		    "geen getal dat gepubliceerd mag worden."));
	return sheet;
}
