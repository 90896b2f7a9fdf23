/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Reading a trusted, local CSV file (reference data, public statistics)
 * row by row with libcsv (RFC 4180). The file, each field and the number of
 * fields per row are capped; a row callback gets the fields of one row as
 * NUL-terminated strings, borrowed until it returns.
 *
 * Uploads from the network do not come through here: they have their own
 * streaming parser with a report of row and column (datasets).
 */
#include "core/core.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSVFILE_MAX_FIELDS 256
#define CSVFILE_MAX_FIELD 4096

struct csvfile_state {
	char *fields[CSVFILE_MAX_FIELDS];
	size_t nfields;
	long row;
	bool overflow;
	bool nul;
	csvfile_row_cb cb;
	void *arg;
	int stop;
	char *err;
};

static void
csvfile_field_cb(void *s, size_t len, void *data)
{
	struct csvfile_state *st = data;

	if (st->nfields == CSVFILE_MAX_FIELDS || len > CSVFILE_MAX_FIELD) {
		st->overflow = true;
		return;
	}
	/* A NUL would silently cut the field short: refuse it. */
	if (memchr(s, '\0', len) != NULL)
		st->nul = true;
	st->fields[st->nfields++] = xstrndup(s, len);
}

static void
csvfile_row_end_cb(int c, void *data)
{
	struct csvfile_state *st = data;

	(void)c;
	st->row++;
	if (st->stop == 0) {
		if (st->overflow) {
			st->err = xasprintf("row %ld: more than %d fields or a "
			    "field over %d bytes", st->row, CSVFILE_MAX_FIELDS,
			    CSVFILE_MAX_FIELD);
			st->stop = -1;
		} else if (st->nul) {
			st->err = xasprintf("row %ld: a NUL byte", st->row);
			st->stop = -1;
		} else
			st->stop = st->cb((const char *const *)st->fields,
			    st->nfields, st->row, st->arg, &st->err);
	}
	for (size_t i = 0; i < st->nfields; i++)
		free(st->fields[i]);
	st->nfields = 0;
	st->overflow = false;
	st->nul = false;
}

/*
 * Call cb for every row of the CSV text buf (the header row is row 1). cb
 * returns 0 to go on, or -1 with *err set to stop. Returns 0, or -1 with
 * *err (caller frees). name is the text's name in messages.
 */
int
csvfile_parse(const char *name, const char *buf, size_t len,
    csvfile_row_cb cb, void *arg, char **err)
{
	struct csv_parser p;
	struct csvfile_state st = { .cb = cb, .arg = arg };
	int rc = 0;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		fatal("csv_init");
	if (csv_parse(&p, buf, len, csvfile_field_cb, csvfile_row_end_cb,
	    &st) != len || (st.stop == 0 && csv_fini(&p, csvfile_field_cb,
	    csvfile_row_end_cb, &st) != 0)) {
		if (st.stop == 0) {
			*err = xasprintf("%s: row %ld: %s", name, st.row + 1,
			    csv_strerror(csv_error(&p)));
			rc = -1;
		}
	}
	if (st.stop != 0) {
		*err = st.err != NULL ? st.err : xasprintf("%s: stopped", name);
		st.err = NULL;
		rc = -1;
	}
	for (size_t i = 0; i < st.nfields; i++)
		free(st.fields[i]);
	free(st.err);
	csv_free(&p);
	return rc;
}

/* csvfile_parse() over the file at path, which may hold max_bytes. */
int
csvfile_read(const char *path, size_t max_bytes, csvfile_row_cb cb, void *arg,
    char **err)
{
	char *text;
	size_t len;
	int rc;

	if (file_read_all(path, max_bytes, &text, &len, err) == -1)
		return -1;
	rc = csvfile_parse(path, text, len, cb, arg, err);
	free(text);
	return rc;
}

/* The index of name in a header row, or -1. */
int
csvfile_column(const char *const *fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return (int)i;
	return -1;
}
