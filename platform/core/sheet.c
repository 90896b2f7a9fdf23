/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A table for people to download, and its Dutch CSV. A sheet is JSON:
 *
 *   { "blad": "Vergelijking",			the sheet's name (≤ 31)
 *     "titel": "Bijstand per 1.000 inwoners",
 *     "kop": ["Eenheid: per 1.000", "Periode: 2025", "Bron: CBS"],
 *     "kolommen": [{ "naam": "Gemeente" },
 *                  { "naam": "Waarde", "decimalen": 2 }],
 *     "rijen": [["Rheden", 4.26], ["Arnhem", null]],
 *     "leeg": "Er zijn geen gegevens.",	written when there are no rows
 *     "noten": ["…"] }				lines below the table
 *
 * A cell is a string, a number or null (empty); a column with "decimalen"
 * is a column of numbers, shown with that many decimals.
 *
 * The CSV for Dutch Excel (?formaat=csv-nl): a byte order mark (so Excel
 * reads UTF-8), ";" between fields, a decimal comma, no thousands
 * separator (Excel reads "1234,5" as a number, "1.234,5" only sometimes),
 * CRLF. Text is quoted when it must be, and text that starts with
 * = + - @ (or a tab or carriage return) gets a leading apostrophe so Excel
 * shows it instead of evaluating it (formula injection). The .xlsx writer
 * is sheet_xlsx.c.
 */
#include "core/core.h"

#include <event2/buffer.h>
#include <math.h>
#include <string.h>

static void
sheet_csv_text(struct evbuffer *b, const char *s)
{
	bool formula = *s != '\0' && strchr("=+-@\t\r", *s) != NULL;

	if (!formula && strpbrk(s, ";\"\r\n") == NULL) {
		evbuffer_add(b, s, strlen(s));
		return;
	}
	evbuffer_add(b, "\"", 1);
	if (formula)
		evbuffer_add(b, "'", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			evbuffer_add(b, "\"", 1);
		evbuffer_add(b, s, 1);
	}
	evbuffer_add(b, "\"", 1);
}

/* A number with a decimal comma and at most four decimals: "-1234,5". */
static void
sheet_csv_number(struct evbuffer *b, double v)
{
	char num[64], *end;

	if (!isfinite(v))
		return;
	snprintf(num, sizeof num, "%.4f", v);
	end = num + strlen(num);
	while (end > num && end[-1] == '0')
		*--end = '\0';
	if (end > num && end[-1] == '.')
		*--end = '\0';
	if (strcmp(num, "-0") == 0)
		snprintf(num, sizeof num, "0");
	if ((end = strchr(num, '.')) != NULL)
		*end = ',';
	evbuffer_add(b, num, strlen(num));
}

static void
sheet_csv_cell(struct evbuffer *b, json_t *v)
{
	if (json_is_string(v))
		sheet_csv_text(b, json_string_value(v));
	else if (json_is_number(v))
		sheet_csv_number(b, json_number_value(v));
}

static void
sheet_csv_lines(struct evbuffer *b, json_t *lines)
{
	json_t *l;
	size_t i;

	json_array_foreach(lines, i, l) {
		sheet_csv_cell(b, l);
		evbuffer_add(b, "\r\n", 2);
	}
}

/* The sheet as CSV for Dutch Excel (see the top). Caller frees. */
struct evbuffer *
sheet_csv_nl(json_t *sheet)
{
	struct evbuffer *b = evbuffer_new();
	json_t *row, *v;
	size_t i, k;

	evbuffer_add(b, "\xef\xbb\xbf", 3);
	sheet_csv_cell(b, json_object_get(sheet, "titel"));
	evbuffer_add(b, "\r\n", 2);
	sheet_csv_lines(b, json_object_get(sheet, "kop"));
	evbuffer_add(b, "\r\n", 2);
	json_array_foreach(json_object_get(sheet, "kolommen"), i, v) {
		if (i > 0)
			evbuffer_add(b, ";", 1);
		sheet_csv_cell(b, json_object_get(v, "naam"));
	}
	evbuffer_add(b, "\r\n", 2);
	json_array_foreach(json_object_get(sheet, "rijen"), i, row) {
		json_array_foreach(row, k, v) {
			if (k > 0)
				evbuffer_add(b, ";", 1);
			sheet_csv_cell(b, v);
		}
		evbuffer_add(b, "\r\n", 2);
	}
	if (json_array_size(json_object_get(sheet, "rijen")) == 0) {
		sheet_csv_cell(b, json_object_get(sheet, "leeg"));
		evbuffer_add(b, "\r\n", 2);
	}
	sheet_csv_lines(b, json_object_get(sheet, "noten"));
	return b;
}

/* The Content-Type of a sheet in format ("csv-nl", "xlsx"); else NULL. */
const char *
sheet_content_type(const char *format)
{
	if (strcmp(format, "csv-nl") == 0)
		return "text/csv; charset=utf-8";
	if (strcmp(format, "xlsx") == 0)
		return SHEET_XLSX_TYPE;
	return NULL;
}

/*
 * The sheet in format ("csv-nl" or "xlsx"; a temporary file for the
 * latter goes in dir) into out. 0, or -1 when the file could not be
 * written (logged).
 */
int
sheet_render(json_t *sheet, const char *format, const char *dir,
    struct evbuffer *out)
{
	struct evbuffer *b;

	if (strcmp(format, "xlsx") == 0)
		return sheet_xlsx(sheet, dir, out);
	b = sheet_csv_nl(sheet);
	evbuffer_add_buffer(out, b);
	evbuffer_free(b);
	return 0;
}
