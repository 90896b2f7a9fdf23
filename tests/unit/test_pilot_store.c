/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests: the search rows of pilots written in a worker's batch
 * (pilot_store.c: they wait in a temp table and are added just before the
 * batch commits). Against a real database file with the real tokenizer;
 * after every case FTS5's integrity check compares the index with the
 * pilots, and the index's row count with the pilots that are not deleted.
 *
 * A worker's client cannot create and rename one pilot within one batch
 * (the create's answer waits for the batch's commit), so these paths are
 * driven here: a pilot added and renamed, added and deleted, added in a
 * request whose savepoint is rolled back (and its pk then reused), and
 * renamed when it was indexed in an earlier batch. And a federation
 * page's flat transaction (db_flat), whose failed part dooms it, and its
 * search tokens made ahead on another thread.
 */
#include "meent.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tmpdb.h"

static char dir[] = "/tmp/meent-test-pilot-store-XXXXXX";
static char *path;

static void
pilot_fill(struct pilot *p, int n, const char *titel)
{
	memset(p, 0, sizeof *p);
	snprintf(p->id, sizeof p->id, "00000000-0000-4000-8000-%012d", n);
	snprintf(p->gemeente, sizeof p->gemeente, "GM0001");
	p->versie = 1;
	p->titel = xstrdup(titel);
	p->samenvatting = xstrdup("Samenvatting");
	p->domein = xstrdup("werk-en-inkomen");
	p->status = xstrdup("lopend");
	p->vraag = xstrdup("Vraag");
	p->contact = xstrdup("");
	p->zichtbaarheid = xstrdup("openbaar");
	p->stakeholders = json_array();
	p->tags = json_array();
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		p->md[i] = xstrdup("");
		p->html[i] = xstrdup("");
	}
	p->aangemaakt = p->gewijzigd = 1700000000;
}

static void
pilot_clear(struct pilot *p)
{
	free(p->titel);
	free(p->samenvatting);
	free(p->domein);
	free(p->status);
	free(p->vraag);
	free(p->contact);
	free(p->zichtbaarheid);
	json_decref(p->stakeholders);
	json_decref(p->tags);
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		free(p->md[i]);
		free(p->html[i]);
	}
}

/* The one number sql answers (its ?1 bound to word, if given). */
static long
count(struct db *db, const char *sql, const char *word)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	long n;

	assert_non_null(st);
	if (word != NULL)
		db_bind_text(st, 1, word);
	assert_int_equal(db_step_row(db, st, "test"), 1);
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Pilots whose index row matches word (the tokenizer stems it alike). */
static long
found(struct db *db, const char *word)
{
	return count(db, "SELECT count(*) FROM pilots_fts WHERE pilots_fts"
	    " MATCH ?1", word);
}

/* The index is whole, and holds one row per pilot that is not deleted. */
static void
index_exact(struct db *db)
{
	assert_int_equal(db_exec(db, "INSERT INTO pilots_fts(pilots_fts)"
	    " VALUES ('integrity-check')"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM pilots_fts_docsize",
	    NULL), count(db, "SELECT count(*) FROM pilots WHERE verwijderd IS"
	    " NULL", NULL));
}

static int
setup(void **state)
{
	struct db *db;
	char *err = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/meent.db", dir);
	db = db_open(path, DB_CREATE, &err);
	assert_non_null(db);
	assert_int_equal(migrate_apply(db, &err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO gemeenten (code, cbs_code,"
	    " naam, naam_kort, provincie, inwoners, inwoners_jaar,"
	    " grootteklasse, oppervlakte_km2) VALUES ('GM0001', '0001',"
	    " 'Proefdorp', 'Proefdorp', 'Utrecht', 5000, 2024, 1, 10.0)"), 0);
	db_close(db);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tmpdb_remove(path, dir);
	return 0;
}

static struct db *
batch_open(void)
{
	char *err = NULL;
	struct db *db = db_open(path, DB_BATCH, &err);

	assert_non_null(db);
	assert_int_equal(db_batch_join(db), 0);
	assert_true(db_batch_open(db));
	return db;
}

static void
test_added_and_renamed(void **state)
{
	struct db *db = batch_open();
	struct pilot p;

	(void)state;
	pilot_fill(&p, 1, "Eerste naam appelboom");
	assert_int_equal(pilot_store_insert(db, &p), 0);
	/* Waiting, not in the index yet: a search in the batch misses it. */
	assert_int_equal(found(db, "appelboom"), 0);
	free(p.titel);
	p.titel = xstrdup("Tweede naam perenboom");
	p.versie = 2;
	assert_int_equal(pilot_store_update(db, &p, 1), 0);
	assert_int_equal(db_batch_commit(db), 0);
	assert_int_equal(found(db, "appelboom"), 0);
	assert_int_equal(found(db, "perenboom"), 1);
	index_exact(db);
	pilot_clear(&p);
	db_close(db);
}

static void
test_added_and_deleted(void **state)
{
	struct db *db = batch_open();
	struct pilot p;

	(void)state;
	pilot_fill(&p, 2, "Kort bestaan kersenboom");
	assert_int_equal(pilot_store_insert(db, &p), 0);
	p.versie = 2;
	assert_int_equal(pilot_store_delete(db, &p), 0);
	assert_int_equal(db_batch_commit(db), 0);
	assert_int_equal(found(db, "kersenboom"), 0);
	index_exact(db);
	pilot_clear(&p);
	db_close(db);
}

/* A request's savepoint rolled back: its row is not indexed; the next
 * pilot may get the same pk and is indexed once. */
static void
test_rolled_back(void **state)
{
	struct db *db = batch_open();
	struct pilot p, q;
	long pk;

	(void)state;
	assert_int_equal(db_begin(db), 0);	/* a request's savepoint */
	pilot_fill(&p, 3, "Teruggedraaid pruimenboom");
	assert_int_equal(pilot_store_insert(db, &p), 0);
	pk = p.pk;
	db_rollback(db);
	assert_true(db_batch_open(db));
	pilot_fill(&q, 4, "Daarna walnotenboom");
	assert_int_equal(pilot_store_insert(db, &q), 0);
	assert_int_equal(q.pk, pk);	/* the pk came back */
	assert_int_equal(db_batch_commit(db), 0);
	assert_int_equal(found(db, "pruimenboom"), 0);
	assert_int_equal(found(db, "walnotenboom"), 1);
	index_exact(db);
	pilot_clear(&p);
	pilot_clear(&q);
	db_close(db);
}

/* Indexed in an earlier batch, renamed in this one: the old terms go at
 * once, the new ones at the commit; a rename rolled back keeps the old. */
static void
test_renamed_later(void **state)
{
	struct db *db = batch_open();
	struct pilot p;

	(void)state;
	pilot_fill(&p, 5, "Vroeger lindeboom");
	assert_int_equal(pilot_store_insert(db, &p), 0);
	assert_int_equal(db_batch_commit(db), 0);
	assert_int_equal(found(db, "lindeboom"), 1);

	assert_int_equal(db_batch_join(db), 0);
	assert_int_equal(db_begin(db), 0);
	free(p.titel);
	p.titel = xstrdup("Even eikenboom");
	p.versie = 2;
	assert_int_equal(pilot_store_update(db, &p, 1), 0);
	db_rollback(db);	/* the request failed after its update */
	assert_int_equal(db_batch_commit(db), 0);
	assert_int_equal(found(db, "lindeboom"), 1);
	assert_int_equal(found(db, "eikenboom"), 0);
	index_exact(db);

	assert_int_equal(db_batch_join(db), 0);
	free(p.titel);
	p.titel = xstrdup("Nu beukenboom");
	assert_int_equal(pilot_store_update(db, &p, 1), 0);
	assert_int_equal(db_batch_commit(db), 0);
	assert_int_equal(found(db, "lindeboom"), 0);
	assert_int_equal(found(db, "beukenboom"), 1);
	index_exact(db);
	pilot_clear(&p);
	db_close(db);
}

/* The whole batch rolled back: nothing waits into the next one. */
static void
test_batch_lost(void **state)
{
	struct db *db = batch_open();
	struct pilot p, q;

	(void)state;
	pilot_fill(&p, 6, "Verloren esdoorn");
	assert_int_equal(pilot_store_insert(db, &p), 0);
	db_rollback(db);	/* the batch itself */
	assert_int_equal(db_batch_join(db), 0);
	pilot_fill(&q, 7, "Gebleven berkenboom");
	assert_int_equal(pilot_store_insert(db, &q), 0);
	assert_int_equal(db_batch_commit(db), 0);
	assert_int_equal(found(db, "esdoorn"), 0);
	assert_int_equal(found(db, "berkenboom"), 1);
	index_exact(db);
	pilot_clear(&p);
	pilot_clear(&q);
	db_close(db);
}

/*
 * A federation page's transaction is flat (db_flat): no savepoint per
 * entry. Entries that succeed commit with the page; a part rolled back
 * dooms the page (its commit fails, nothing of it stays, nothing waits
 * for the index), and the connection is as before afterwards.
 */
static void
test_flat_page(void **state)
{
	char *err = NULL;
	struct db *db = db_open(path, 0, &err);
	struct pilot p, q;

	(void)state;
	assert_non_null(db);
	assert_int_equal(db_begin(db), 0);	/* the page */
	pilot_store_fts_defer();
	db_flat(db, true);
	assert_int_equal(db_begin(db), 0);	/* an entry */
	pilot_fill(&p, 8, "Vlak appelbes");
	assert_int_equal(pilot_store_insert(db, &p), 0);
	assert_int_equal(db_commit(db), 0);
	assert_false(db_doomed(db));
	assert_int_equal(db_begin(db), 0);	/* one that fails part-way */
	pilot_fill(&q, 9, "Mislukt kruisbes");
	assert_int_equal(pilot_store_insert(db, &q), 0);
	db_rollback(db);
	assert_true(db_doomed(db));
	assert_int_equal(db_begin(db), 0);	/* a later one cannot commit */
	assert_int_equal(db_commit(db), -1);
	db_rollback(db);
	assert_int_equal(db_commit(db), -1);	/* nor the page */
	pilot_store_fts_cancel();
	assert_false(db_doomed(db));
	assert_int_equal(count(db, "SELECT count(*) FROM pilots WHERE titel"
	    " IN ('Vlak appelbes', 'Mislukt kruisbes')", NULL), 0);

	/* Again, not flat: the entry alone is undone. */
	assert_int_equal(db_begin(db), 0);
	pilot_store_fts_defer();
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(pilot_store_insert(db, &p), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(pilot_store_insert(db, &q), 0);
	db_rollback(db);
	assert_false(db_doomed(db));
	assert_int_equal(pilot_store_fts_flush(db), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(found(db, "appelbes"), 1);
	assert_int_equal(found(db, "kruisbes"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM pilots WHERE titel"
	    " = 'Mislukt kruisbes'", NULL), 0);
	index_exact(db);
	pilot_clear(&p);
	pilot_clear(&q);
	db_close(db);
}

/* A pilot's search tokens, made on another thread (as fed_apply's helper). */
static void *
tokens_ahead(void *arg)
{
	return pilot_store_fts_ahead(arg);
}

static struct fts_ahead *
tokens_ahead_thread(struct pilot *p)
{
	pthread_t t;
	void *a;

	assert_int_equal(pthread_create(&t, NULL, tokens_ahead, p), 0);
	assert_int_equal(pthread_join(t, &a), 0);
	assert_non_null(a);
	return a;
}

/*
 * Tokens made ahead (fts_ahead.c) are what indexing the pilot emits: all
 * four texts of the view are replayed, not tokenized again, and FTS5's
 * integrity check (which tokenizes the pilots afresh) finds the index
 * exact. A set made before the title changed replays the rest only.
 */
static void
test_tokens_ahead(void **state)
{
	char *err = NULL;
	struct db *db = db_open(path, 0, &err);
	struct fts_ahead *a, *b;
	struct pilot p, q;
	unsigned long before;

	(void)state;
	assert_non_null(db);
	pilot_fill(&p, 20, "Bijstandsuitkeringen in Proefdorp");
	free(p.samenvatting);
	p.samenvatting = xstrdup("Financi\xc3\xabn, schulden\r\nen w\xc3\xa9rk");
	free(p.md[2]);
	p.md[2] = xstrdup("## Resultaten\r\n\r\n* minder *wachttijd*");
	json_array_append_new(p.tags, json_string("armoede"));
	json_array_append_new(p.tags, json_string("jeugdzorg"));
	pilot_fill(&q, 21, "Oude titel vlierbes");
	a = tokens_ahead_thread(&p);
	b = tokens_ahead_thread(&q);
	free(q.titel);
	q.titel = xstrdup("Nieuwe titel braambes");

	assert_int_equal(db_begin(db), 0);
	pilot_store_fts_defer();
	assert_int_equal(pilot_store_insert(db, &p), 0);
	pilot_store_fts_ahead_use(a);
	assert_int_equal(pilot_store_insert(db, &q), 0);
	pilot_store_fts_ahead_use(b);
	before = fts_ahead_replayed();
	assert_int_equal(pilot_store_fts_flush(db), 0);
	assert_int_equal(fts_ahead_replayed() - before, 4 + 3);
	assert_int_equal(db_commit(db), 0);
	fts_ahead_free(a);
	fts_ahead_free(b);

	before = fts_ahead_replayed();
	assert_int_equal(found(db, "bijstandsuitkering"), 1);
	assert_int_equal(found(db, "financien"), 1);
	assert_int_equal(found(db, "werk"), 1);
	assert_int_equal(found(db, "wachttijden"), 1);
	assert_int_equal(found(db, "jeugdzorg"), 1);
	assert_int_equal(found(db, "braambes"), 1);
	assert_int_equal(found(db, "vlierbes"), 0);
	index_exact(db);
	/* Nothing in use after the flush: searches tokenized as ever. */
	assert_int_equal(fts_ahead_replayed(), before);
	pilot_clear(&p);
	pilot_clear(&q);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_added_and_renamed),
		cmocka_unit_test(test_added_and_deleted),
		cmocka_unit_test(test_rolled_back),
		cmocka_unit_test(test_renamed_later),
		cmocka_unit_test(test_batch_lost),
		cmocka_unit_test(test_flat_page),
		cmocka_unit_test(test_tokens_ahead),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
