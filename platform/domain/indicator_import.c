/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Importing a public statistics table (e.g. CBS StatLine CSV) for all
 * municipalities at once: one value column, a municipality code column and
 * a period column, long or wide. The whole file goes in one transaction: a
 * bad row stops the import with its row and column, and what was stored
 * before stays as it was.
 *
 * Rows for codes that are not municipalities today (merged away: CBS
 * publishes each year in that year's boundaries) are counted and kept
 * apart, in indicator_waarden_opgeheven: never a successor's value, never
 * in a comparison. Empty cells and CBS's "." (no figure) are counted as
 * missing and stored as nothing, never as 0.
 *
 * A catalogue may ask for a ratio meent computes from two columns of the
 * same table (per1000_column: value * 1000 / that column, one decimal),
 * for a status per period (period_status), and that every period be new
 * to the indicator (new_periods: files of one series must not overlap).
 */
#include "domain/domain.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The file is read whole; CBS tables for all municipalities are small. */
#define IMPORT_MAX_BYTES	(64 * 1024 * 1024)

struct import_state {
	struct db			*db;
	const struct indicator_import	*imp;
	struct indicator_import_report	*rep;
	int				 col_code, col_period, col_value;
	int				 col_per1000;
	json_t				*seen;	/* "period\tcode" of this file */
	json_t				*periods;
};

/*
 * A figure: an optional sign, digits, one '.', an exponent; at most
 * INDICATOR_VALUE_MAX in size. No "nan", "inf", hex, spaces or thousands
 * separators: strtod() alone would take the first three. Returns 0, or
 * -1 when s is not a number.
 */
int
indicator_parse_value(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || strspn(s, "0123456789.-+eE") != strlen(s))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (errno == ERANGE && fabs(*out) > 1.0)
		return -1;
	/* Municipal figures stay far below 10^15; the bound keeps sums and
	 * interpolations in the comparison finite. */
	return *end != '\0' || !isfinite(*out) ||
	    fabs(*out) > INDICATOR_VALUE_MAX ? -1 : 0;
}

/* The defaults of an import: CBS-style column names, final figures. */
void
indicator_import_defaults(struct indicator_import *imp)
{
	memset(imp, 0, sizeof *imp);
	imp->value_column = "waarde";
	imp->period_column = "periode";
	imp->code_column = "gemeentecode";
	imp->status = "definitief";
}

static int
import_header(struct import_state *s, const char *const *f, size_t n,
    char **err)
{
	const struct indicator_import *imp = s->imp;

	s->col_code = csvfile_column(f, n, imp->code_column);
	s->col_period = csvfile_column(f, n, imp->period_column);
	s->col_value = csvfile_column(f, n, imp->value_column);
	s->col_per1000 = imp->per1000_column == NULL ? -1 :
	    csvfile_column(f, n, imp->per1000_column);
	if (s->col_code < 0 || s->col_period < 0 || s->col_value < 0 ||
	    (imp->per1000_column != NULL && s->col_per1000 < 0)) {
		*err = xasprintf("row 1: no column '%s'", s->col_code < 0 ?
		    imp->code_column : s->col_period < 0 ? imp->period_column :
		    s->col_value < 0 ? imp->value_column :
		    imp->per1000_column);
		return -1;
	}
	return 0;
}

/* The status of period's figures: the catalogue's for that period, or the
 * import's. */
static const char *
import_status(const struct indicator_import *imp, const char *period)
{
	const char *s = json_string_value(json_object_get(imp->period_status,
	    period));

	return s != NULL ? s : imp->status;
}

/*
 * Does the indicator have period already (from before this file)? 1 yes,
 * 0 no, -1 on a database error (logged).
 */
static int
import_period_known(struct db *db, const char *indicator, const char *period)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM indicator_perioden"
	    " WHERE indicator = ?1 AND periode = ?2");
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, indicator);
	db_bind_text(st, 2, period);
	rc = db_step_row(db, st, "indicator period");
	sqlite3_reset(st);
	return rc;
}

static int
import_store(struct import_state *s, const char *code, const char *period,
    double value, bool today)
{
	sqlite3_stmt *st;

	if (json_object_get(s->periods, period) == NULL) {
		st = db_stmt(s->db, "INSERT INTO indicator_perioden (indicator,"
		    " periode, status) VALUES (?1, ?2, ?3) ON CONFLICT"
		    " (indicator, periode) DO UPDATE SET status = ?3");
		if (st == NULL)
			return -1;
		db_bind_text(st, 1, s->imp->indicator);
		db_bind_text(st, 2, period);
		db_bind_text(st, 3, import_status(s->imp, period));
		if (db_step_done(s->db, st, "import.period") == -1)
			return -1;
		json_object_set_new(s->periods, period, json_true());
	}
	/* Two literals: the statement cache is keyed by the SQL's address. */
	st = db_stmt(s->db, today ? "INSERT INTO indicator_waarden (indicator,"
	    " periode, gemeente, waarde, bron) VALUES (?1, ?2, ?3, ?4, ?5) ON"
	    " CONFLICT (indicator, periode, gemeente) DO UPDATE SET"
	    " waarde = ?4, bron = ?5" : "INSERT INTO indicator_waarden_opgeheven"
	    " (indicator, periode, gemeente, waarde, bron) VALUES (?1, ?2, ?3,"
	    " ?4, ?5) ON CONFLICT (indicator, periode, gemeente) DO UPDATE SET"
	    " waarde = ?4, bron = ?5");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, s->imp->indicator);
	db_bind_text(st, 2, period);
	db_bind_text(st, 3, code);
	sqlite3_bind_double(st, 4, value);
	db_bind_text(st, 5, s->imp->source);
	return db_step_done(s->db, st, "import.value");
}

/*
 * The denominator of a computed ratio in row: 0 with *den, 1 when the cell
 * is empty (the ratio is then missing), -1 with *err when it is no figure
 * above 0.
 */
static int
import_denominator(struct import_state *s, const char *const *f, long row,
    double *den, char **err)
{
	const char *text = f[s->col_per1000];

	if (*text == '\0' || strcmp(text, ".") == 0)
		return 1;
	if (indicator_parse_value(text, den) == -1 || *den <= 0) {
		*err = xasprintf("row %ld, column %s: '%.20s' is not a number "
		    "above 0", row, s->imp->per1000_column, text);
		return -1;
	}
	return 0;
}

/* A period met for the first time in this file: new, when it must be. */
static int
import_period_first(struct import_state *s, const char *period, long row,
    char **err)
{
	if (!s->imp->new_periods || json_object_get(s->periods, period) != NULL)
		return 0;
	switch (import_period_known(s->db, s->imp->indicator, period)) {
	case 0:
		return 0;
	case -1:
		*err = xasprintf("row %ld: cannot read the periods", row);
		return -1;
	default:
		*err = xasprintf("row %ld: %s already has figures for %s (from "
		    "another file)", row, s->imp->indicator, period);
		return -1;
	}
}

static int
import_row(const char *const *f, size_t n, long row, void *arg, char **err)
{
	struct import_state *s = arg;
	const char *code, *period, *text;
	char *key;
	double value, den;
	bool dup, today;
	int rc;

	if (row == 1)
		return import_header(s, f, n, err);
	s->rep->rows++;
	if ((size_t)s->col_code >= n || (size_t)s->col_period >= n ||
	    (size_t)s->col_value >= n || (s->col_per1000 >= 0 &&
	    (size_t)s->col_per1000 >= n)) {
		*err = xasprintf("row %ld: %zu fields, fewer than the header's",
		    row, n);
		return -1;
	}
	code = f[s->col_code];
	period = f[s->col_period];
	text = f[s->col_value];
	if (!municipality_code_valid(code)) {
		*err = xasprintf("row %ld, column %s: '%.20s' is not a "
		    "municipality code (GM and four digits)", row,
		    s->imp->code_column, code);
		return -1;
	}
	if (!indicator_period_valid(period)) {
		*err = xasprintf("row %ld, column %s: '%.20s' is not a period "
		    "(2024, 2024-K1 or 2024-03)", row, s->imp->period_column,
		    period);
		return -1;
	}
	if (*text == '\0' || strcmp(text, ".") == 0) {
		s->rep->missing++;
		return 0;
	}
	if (indicator_parse_value(text, &value) == -1) {
		*err = xasprintf("row %ld, column %s: '%.20s' is not a number "
		    "(digits, '.', an exponent; at most 10^15)", row,
		    s->imp->value_column, text);
		return -1;
	}
	if (s->col_per1000 >= 0) {
		if ((rc = import_denominator(s, f, row, &den, err)) == -1)
			return -1;
		if (rc == 1) {
			s->rep->missing++;
			return 0;
		}
		value = round(value * 10000.0 / den) / 10.0;
	}
	key = xasprintf("%s\t%s", period, code);
	dup = json_object_get(s->seen, key) != NULL;
	json_object_set_new(s->seen, key, json_true());
	free(key);
	if (dup) {
		*err = xasprintf("row %ld: a second value for %s in %s", row,
		    code, period);
		return -1;
	}
	if (import_period_first(s, period, row, err) == -1)
		return -1;
	switch (municipality_exists(s->db, code)) {
	case 1:
		today = true;
		break;
	case 0:
		today = false;
		break;
	default:
		*err = xasprintf("row %ld: cannot read the municipalities",
		    row);
		return -1;
	}
	if (import_store(s, code, period, value, today) == -1) {
		*err = xasprintf("row %ld: cannot store the value", row);
		return -1;
	}
	if (today)
		s->rep->imported++;
	else
		s->rep->unknown++;
	return 0;
}

/*
 * Import the CSV at path as imp describes. Returns 0 with *rep filled, or
 * -1 with *err (caller frees); on -1 nothing is changed.
 */
int
indicator_import_file(struct db *db, const struct indicator_import *imp,
    const char *path, struct indicator_import_report *rep, char **err)
{
	struct import_state s = { .db = db, .imp = imp, .rep = rep };
	int rc;

	memset(rep, 0, sizeof *rep);
	switch (indicator_exists(db, imp->indicator)) {
	case 0:
		*err = xasprintf("no indicator '%s'; add it first",
		    imp->indicator);
		return -1;
	case -1:
		*err = xasprintf("cannot read the indicators");
		return -1;
	}
	if (db_begin(db) == -1) {
		*err = xasprintf("cannot begin a transaction");
		return -1;
	}
	s.seen = json_object();
	s.periods = json_object();
	rc = csvfile_read(path, IMPORT_MAX_BYTES, import_row, &s, err);
	if (rc == 0 && rep->rows == 0) {
		*err = xasprintf("%s: no rows", path);
		rc = -1;
	}
	if (rc == 0 && rep->imported == 0) {
		*err = xasprintf("%s: no value for any municipality of today",
		    path);
		rc = -1;
	}
	rep->periods = (long)json_object_size(s.periods);
	json_decref(s.seen);
	json_decref(s.periods);
	if (rc == 0 && db_commit(db) == -1) {
		*err = xasprintf("cannot commit the import");
		rc = -1;
	}
	if (rc == -1)
		db_rollback(db);
	return rc;
}
