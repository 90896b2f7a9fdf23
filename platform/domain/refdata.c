/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Loading the reference data of all municipalities (content/referentie/
 * gemeenten.csv, derived from CBS figures; see its SOURCES.md) into the
 * database. Loading again updates names and figures and keeps membership.
 *
 * The CSV has one inwoners_YYYY column per year; the latest year with a
 * figure decides the size class.
 */
#include "domain/domain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REFDATA_MAX_YEARS 16

struct refdata_load {
	struct db *db;
	int col_code, col_cbs, col_naam, col_kort, col_prov, col_area;
	int year_col[REFDATA_MAX_YEARS];
	int year[REFDATA_MAX_YEARS];
	int nyears;
	long count;
};

static int
refdata_header(struct refdata_load *l, const char *const *f, size_t n,
    char **err)
{
	l->col_code = csvfile_column(f, n, "gemeentecode");
	l->col_cbs = csvfile_column(f, n, "cbs_code");
	l->col_naam = csvfile_column(f, n, "naam");
	l->col_kort = csvfile_column(f, n, "naam_kort");
	l->col_prov = csvfile_column(f, n, "provincie");
	l->col_area = csvfile_column(f, n, "oppervlakte_km2");
	if (l->col_code < 0 || l->col_cbs < 0 || l->col_naam < 0 ||
	    l->col_kort < 0 || l->col_prov < 0 || l->col_area < 0) {
		*err = xasprintf("header: expected gemeentecode, cbs_code, "
		    "naam, naam_kort, provincie, oppervlakte_km2");
		return -1;
	}
	for (size_t i = 0; i < n && l->nyears < REFDATA_MAX_YEARS; i++) {
		int y;
		char end;

		if (sscanf(f[i], "inwoners_%4d%c", &y, &end) == 1) {
			l->year_col[l->nyears] = (int)i;
			l->year[l->nyears++] = y;
		}
	}
	if (l->nyears == 0) {
		*err = xasprintf("header: no inwoners_YYYY column");
		return -1;
	}
	return 0;
}

static int
refdata_number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno != 0 || end == s || *end != '\0' ? -1 : 0;
}

static int
refdata_row(const char *const *f, size_t n, long row, void *arg, char **err)
{
	static const char *const upsert_sql = "INSERT INTO gemeenten (code,"
	    " cbs_code, naam, naam_kort, provincie, inwoners, inwoners_jaar,"
	    " grootteklasse, oppervlakte_km2) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"
	    " ON CONFLICT(code) DO UPDATE SET cbs_code=?2, naam=?3,"
	    " naam_kort=?4, provincie=?5, inwoners=?6, inwoners_jaar=?7,"
	    " grootteklasse=?8, oppervlakte_km2=?9";
	static const char *const year_sql = "INSERT INTO gemeente_inwoners"
	    " (code, jaar, inwoners) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT(code, jaar) DO UPDATE SET inwoners = ?3";
	struct refdata_load *l = arg;
	const char *code;
	double area, v;
	long latest = -1;
	int latest_year = 0;
	sqlite3_stmt *st;

	if (row == 1)
		return refdata_header(l, f, n, err);
	if ((size_t)l->col_area >= n || (size_t)l->col_code >= n) {
		*err = xasprintf("row %ld: too few fields", row);
		return -1;
	}
	code = f[l->col_code];
	if (!municipality_code_valid(code)) {
		*err = xasprintf("row %ld: '%s' is not a GM code", row, code);
		return -1;
	}
	if (refdata_number(f[l->col_area], &area) == -1 || area <= 0) {
		*err = xasprintf("row %ld: bad area", row);
		return -1;
	}
	for (int i = 0; i < l->nyears; i++) {
		if ((size_t)l->year_col[i] >= n || *f[l->year_col[i]] == '\0')
			continue;
		if (refdata_number(f[l->year_col[i]], &v) == -1 || v < 0) {
			*err = xasprintf("row %ld: bad inwoners_%d", row,
			    l->year[i]);
			return -1;
		}
		if (l->year[i] > latest_year) {
			latest_year = l->year[i];
			latest = (long)v;
		}
	}
	if (latest < 0) {
		*err = xasprintf("row %ld: no inhabitants figure", row);
		return -1;
	}

	st = db_stmt(l->db, upsert_sql);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f[l->col_cbs], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, f[l->col_naam], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, f[l->col_kort], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, f[l->col_prov], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, latest);
	sqlite3_bind_int(st, 7, latest_year);
	sqlite3_bind_int(st, 8, municipality_size_class(latest));
	sqlite3_bind_double(st, 9, area);
	if (db_step_done(l->db, st, "refdata gemeente") == -1) {
		*err = xasprintf("row %ld: cannot store", row);
		return -1;
	}
	for (int i = 0; i < l->nyears; i++) {
		if ((size_t)l->year_col[i] >= n || *f[l->year_col[i]] == '\0')
			continue;
		refdata_number(f[l->year_col[i]], &v);
		st = db_stmt(l->db, year_sql);
		if (st == NULL)
			return -1;
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, l->year[i]);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)v);
		if (db_step_done(l->db, st, "refdata inwoners") == -1) {
			*err = xasprintf("row %ld: cannot store", row);
			return -1;
		}
	}
	l->count++;
	return 0;
}

/*
 * Load content_dir/referentie/gemeenten.csv in one transaction. Returns the
 * number of municipalities, or -1 with *err (caller frees).
 */
long
refdata_load_gemeenten(struct db *db, const char *content_dir, char **err)
{
	struct refdata_load l = { .db = db };
	char *path = xasprintf("%s/referentie/gemeenten.csv", content_dir);
	int rc;

	if (db_begin(db) == -1) {
		*err = xasprintf("cannot begin a transaction");
		free(path);
		return -1;
	}
	rc = csvfile_read(path, 4 << 20, refdata_row, &l, err);
	if (rc == 0 && l.count == 0) {
		*err = xasprintf("%s: no municipalities", path);
		rc = -1;
	}
	free(path);
	if (rc == -1 || db_commit(db) == -1) {
		db_rollback(db);
		if (rc == 0)
			*err = xasprintf("cannot commit the reference data");
		return -1;
	}
	return l.count;
}
