/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The floor a durable write is measured against (tests/bench/run): SQLite in
 * WAL mode with synchronous=FULL, as meentd opens its database, committing
 * one single-row INSERT per transaction in a loop for SECONDS. Run it on the
 * filesystem meentd's data is on, in the same minutes: the disk is noisy,
 * the ratio of the two is what counts.
 *
 *	commit_loop DB SECONDS   prints "COMMITS_PER_S P50_MS P99_MS COUNT"
 *
 * Built by tests/bench/run with `cc -O2 commit_loop.c -lsqlite3`.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "commit_loop: %s: %s\n", sql, err);
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *ins;
	double seconds, t0, t, *lat;
	size_t n = 0, cap = 1 << 16;

	if (argc != 3 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: commit_loop DB SECONDS\n");
		return 2;
	}
	if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
	    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, "
	    "at REAL NOT NULL, body TEXT NOT NULL)") == -1 ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (at, body) VALUES (?, "
	    "'a row about as long as a small feed entry, a few hundred bytes "
	    "of text so that a page is written, not just a header')",
	    -1, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "commit_loop: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	if ((lat = malloc(cap * sizeof *lat)) == NULL)
		return 1;
	t0 = now();
	while ((t = now()) - t0 < seconds) {
		/* One transaction per row: BEGIN, INSERT, COMMIT (the fsync). */
		if (exec(db, "BEGIN IMMEDIATE") == -1)
			return 1;
		sqlite3_bind_double(ins, 1, t);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "commit_loop: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(ins);
		if (exec(db, "COMMIT") == -1)
			return 1;
		if (n == cap) {
			double *p = realloc(lat, 2 * cap * sizeof *lat);

			if (p == NULL)
				return 1;
			lat = p;
			cap *= 2;
		}
		lat[n++] = now() - t;
	}
	t = now() - t0;
	qsort(lat, n, sizeof *lat, cmp_double);
	printf("%.1f %.2f %.2f %zu\n", n / t, n ? lat[n / 2] * 1e3 : 0.0,
	    n ? lat[(size_t)(n * 0.99)] * 1e3 : 0.0, n);
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(lat);
	return 0;
}
