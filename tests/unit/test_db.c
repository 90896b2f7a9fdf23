/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * db/db.c: which connections read the database file through a memory
 * mapping. meentd's may not (SQLite drops a connection's whole mapping
 * at its first transaction after another connection's commit: with the
 * workers taking turns that was every batch, db.c's db_pragmas());
 * meentctl's one connection may (DB_MAPPED). Seen from /proc/self/maps,
 * after reads through one connection, before and after another one's
 * commit.
 */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tmpdb.h"

static char dir[] = "/tmp/meent-test-db-XXXXXX";
static char *path;

/* Bytes of path mapped into this process now (/proc/self/maps). */
static long
mapped_bytes(const char *file)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	long total = 0;

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		unsigned long from, to;
		char *name = strchr(line, '/');

		if (name == NULL || sscanf(line, "%lx-%lx", &from, &to) != 2)
			continue;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, file) == 0)
			total += (long)(to - from);
	}
	fclose(f);
	return total;
}

/*
 * 200 rows more in t, some pages (the file's own pages are read through
 * a mapping, if any; those in the WAL never are).
 */
static void
fill(struct db *db)
{
	assert_int_equal(db_exec(db, "CREATE TABLE IF NOT EXISTS t (x TEXT)"),
	    0);
	assert_int_equal(db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION"
	    " ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO t SELECT"
	    " printf('%.*c', 1000, 'x') FROM n"), 0);
}

/* Read every row of t through db (every page of it); the rows seen. */
static int
read_all(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT x FROM t");
	int n = 0, rc;

	assert_non_null(st);
	while ((rc = db_step_row(db, st, "test_db")) == 1) {
		assert_int_equal(sqlite3_column_bytes(st, 0), 1000);
		n++;
	}
	assert_int_equal(rc, 0);
	return n;
}

static void
reads_and_a_commit(int flags, long *after_read, long *after_commit)
{
	char *err = NULL;
	struct db *a = db_open(path, flags, &err);
	struct db *b = db_open(path, flags, &err);

	assert_non_null(a);
	assert_non_null(b);
	assert_true(read_all(b) >= 200);
	*after_read = mapped_bytes(path);
	fill(a);		/* another connection's commit */
	assert_true(read_all(b) >= 400);
	*after_commit = mapped_bytes(path);
	db_close(b);
	db_close(a);
	assert_int_equal(mapped_bytes(path), 0);
}

static void
test_meentd_maps_nothing(void **state)
{
	long read, commit;

	(void)state;
	reads_and_a_commit(0, &read, &commit);
	assert_int_equal(read, 0);
	assert_int_equal(commit, 0);
}

static void
test_meentctl_maps(void **state)
{
	long read, commit;

	(void)state;
	reads_and_a_commit(DB_MAPPED, &read, &commit);
	assert_true(read > 0);
	assert_true(commit > 0);
}

static int
setup(void **state)
{
	char *err = NULL;
	struct db *db;

	(void)state;
	db_init();
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/meent.db", dir);
	db = db_open(path, DB_CREATE, &err);
	assert_non_null(db);
	fill(db);
	db_close(db);	/* the last one: checkpointed into the file */
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tmpdb_remove(path, dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meentd_maps_nothing),
		cmocka_unit_test(test_meentctl_maps),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
