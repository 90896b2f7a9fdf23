/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A sheet (sheet.c) as an Excel workbook, with libxlsxwriter: the title in
 * bold, the header block (what, unit, period, source) under it, an empty
 * row, the column names in bold (frozen, so they stay in view), then the
 * rows. Numbers are numbers, not text, shown with a number format such as
 * "#,##0.00": the file stores it in Excel's own notation, and Dutch Excel
 * shows 1.234,50. Strings are written as strings, never as formulas.
 *
 * Debian 12's libxlsxwriter (1.1.4) writes only to a named file (the
 * in-memory output came in 1.1.5), so the workbook goes to a temporary
 * file in the data directory (mkstemp: a fresh name, mode 0600), is read
 * back and removed at once; libxlsxwriter's own scratch files go there
 * too.
 *
 * One workbook at a time, process-wide: libxlsxwriter 1.1.4 calls
 * gmtime() (for the file's creation date) and srand()/rand() (for its
 * scratch files' names), which are not meant for threads. Exports are
 * rare downloads of small tables, so the lock costs nothing.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <xlsxwriter.h>

#define SHEET_XLSX_MAX_STRING	32767	/* Excel's longest cell text */
#define SHEET_XLSX_MAX_BYTES	(64 * 1024 * 1024)

static pthread_mutex_t sheet_xlsx_lock = PTHREAD_MUTEX_INITIALIZER;

struct sheet_xlsx {
	lxw_workbook	*wb;
	lxw_worksheet	*ws;
	lxw_format	*bold, *title;
	lxw_format	*num[7];	/* by number of decimals */
	lxw_error	 err;
};

/*
 * Excel takes no control characters and at most 32,767 characters in a
 * cell: a copy without the first and cut at a character's start.
 */
static char *
sheet_xlsx_clean(const char *s)
{
	size_t n = strlen(s);
	char *c;

	if (n > SHEET_XLSX_MAX_STRING) {
		n = SHEET_XLSX_MAX_STRING;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	c = xstrndup(s, n);
	for (char *p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
			*p = ' ';
	return c;
}

static void
sheet_xlsx_string(struct sheet_xlsx *x, lxw_row_t row, lxw_col_t col,
    const char *s, lxw_format *f)
{
	char *c = sheet_xlsx_clean(s);
	lxw_error err = worksheet_write_string(x->ws, row, col, c, f);

	if (err != LXW_NO_ERROR && x->err == LXW_NO_ERROR)
		x->err = err;
	free(c);
}

static void
sheet_xlsx_cell(struct sheet_xlsx *x, lxw_row_t row, lxw_col_t col,
    json_t *v, int decimals)
{
	lxw_error err = LXW_NO_ERROR;

	if (json_is_string(v))
		sheet_xlsx_string(x, row, col, json_string_value(v), NULL);
	else if (json_is_number(v))
		err = worksheet_write_number(x->ws, row, col,
		    json_number_value(v), x->num[decimals]);
	if (err != LXW_NO_ERROR && x->err == LXW_NO_ERROR)
		x->err = err;
}

static void
sheet_xlsx_formats(struct sheet_xlsx *x)
{
	static const char *const codes[] = { "#,##0", "#,##0.0", "#,##0.00",
	    "#,##0.000", "#,##0.0000", "#,##0.00000", "#,##0.000000" };

	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	x->title = workbook_add_format(x->wb);
	format_set_bold(x->title);
	format_set_font_size(x->title, 14);
	for (size_t i = 0; i < nitems(codes); i++) {
		x->num[i] = workbook_add_format(x->wb);
		format_set_num_format(x->num[i], codes[i]);
	}
}

static int
sheet_xlsx_decimals(json_t *col)
{
	json_int_t d = json_integer_value(json_object_get(col, "decimalen"));

	return d < 0 ? 0 : d > 6 ? 6 : (int)d;
}

/* Everything of the sheet into x's worksheet. */
static void
sheet_xlsx_fill(struct sheet_xlsx *x, json_t *sheet)
{
	json_t *cols = json_object_get(sheet, "kolommen"), *v, *row, *cell;
	lxw_row_t r = 0;
	size_t i, k;

	sheet_xlsx_string(x, r++, 0, json_string_value(json_object_get(sheet,
	    "titel")), x->title);
	json_array_foreach(json_object_get(sheet, "kop"), i, v)
		sheet_xlsx_cell(x, r++, 0, v, 0);
	r++;
	json_array_foreach(cols, i, v) {
		sheet_xlsx_string(x, r, (lxw_col_t)i, json_string_value(
		    json_object_get(v, "naam")), x->bold);
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i,
		    i == 0 ? 28 : 16, NULL);
	}
	worksheet_freeze_panes(x->ws, r + 1, 0);
	r++;
	json_array_foreach(json_object_get(sheet, "rijen"), i, row) {
		json_array_foreach(row, k, cell)
			sheet_xlsx_cell(x, r, (lxw_col_t)k, cell,
			    sheet_xlsx_decimals(json_array_get(cols, k)));
		r++;
	}
	if (json_array_size(json_object_get(sheet, "rijen")) == 0)
		sheet_xlsx_cell(x, r++, 0, json_object_get(sheet, "leeg"), 0);
	r++;
	json_array_foreach(json_object_get(sheet, "noten"), i, v)
		sheet_xlsx_cell(x, r++, 0, v, 0);
}

/* Read the finished file into out, within a cap. */
static int
sheet_xlsx_read(int fd, struct evbuffer *out)
{
	char buf[16384];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || (total += (size_t)n) > SHEET_XLSX_MAX_BYTES)
			return -1;
		evbuffer_add(out, buf, (size_t)n);
	}
	return 0;
}

/*
 * The sheet as .xlsx into out; the temporary file goes in dir (the data
 * directory). 0, or -1 (logged) when it could not be written.
 */
int
sheet_xlsx(json_t *sheet, const char *dir, struct evbuffer *out)
{
	char *path = xasprintf("%s/export-XXXXXX", dir);
	lxw_workbook_options opts = { .tmpdir = (char *)dir };
	struct sheet_xlsx x = { 0 };
	const char *name = json_string_value(json_object_get(sheet, "blad"));
	char *clean;
	int fd, rc = -1;

	if ((fd = mkstemp(path)) == -1) {
		log_emit(LOG_ERROR, "sheet", "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	pthread_mutex_lock(&sheet_xlsx_lock);
	if ((x.wb = workbook_new_opt(path, &opts)) == NULL) {
		pthread_mutex_unlock(&sheet_xlsx_lock);
		log_emit(LOG_ERROR, "sheet", "%s: cannot start a workbook",
		    path);
		goto done;
	}
	sheet_xlsx_formats(&x);
	clean = sheet_xlsx_clean(name != NULL ? name : "Blad1");
	/* Excel's limit for a sheet's name: 31 characters (bytes here). */
	if (strlen(clean) > 31) {
		size_t n = 31;

		while (n > 0 && ((unsigned char)clean[n] & 0xc0) == 0x80)
			n--;
		clean[n] = '\0';
	}
	x.ws = workbook_add_worksheet(x.wb, clean);
	free(clean);
	if (x.ws == NULL)
		x.ws = workbook_add_worksheet(x.wb, NULL);
	if (x.ws != NULL)
		sheet_xlsx_fill(&x, sheet);
	x.err = workbook_close(x.wb) != LXW_NO_ERROR && x.err ==
	    LXW_NO_ERROR ? LXW_ERROR_CREATING_XLSX_FILE : x.err;
	pthread_mutex_unlock(&sheet_xlsx_lock);
	if (x.ws == NULL || x.err != LXW_NO_ERROR) {
		log_emit(LOG_ERROR, "sheet", "%s: %s", path, x.ws == NULL ?
		    "no worksheet" : lxw_strerror(x.err));
		goto done;
	}
	if (lseek(fd, 0, SEEK_SET) == -1 || sheet_xlsx_read(fd, out) == -1) {
		log_emit(LOG_ERROR, "sheet", "%s: cannot read it back", path);
		goto done;
	}
	rc = 0;
done:
	close(fd);
	unlink(path);
	free(path);
	return rc;
}
