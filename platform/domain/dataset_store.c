/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Stored datasets: the protected table and its report, never the upload.
 * A concept is seen by its own municipality only; a published table by
 * everyone; a withdrawn one is a tombstone (410) without its cells.
 */
#include "domain/domain.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A dataset with the names of its municipality and indicator (as d). */
#define DATASET_COLUMNS \
	"d.id, d.gemeente, d.indicator, d.periode, d.vorm, d.status, " \
	"d.publiceerbaar, d.rapport, d.versie, d.aangemaakt, d.gewijzigd, " \
	"d.tabel, d.rapport_eigen, g.naam, i.naam, i.omschrijving, i.eenheid"
#define DATASET_FROM \
	" FROM datasets d LEFT JOIN gemeenten g ON g.code = d.gemeente" \
	" LEFT JOIN indicatoren i ON i.id = d.indicator"

/* Store a new concept. Returns 0 or -1. */
int
dataset_store_insert(struct db *db, const struct dataset_row *d)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO datasets (id, origin,"
	    " gemeente, indicator, periode, vorm, status, publiceerbaar,"
	    " rapport, tabel, aangemaakt, gewijzigd, rapport_eigen,"
	    " cel_regels) VALUES (?, ?, ?, ?, ?, ?, 'concept', ?, ?, ?, ?, ?,"
	    " ?, ?)");
	time_t now = time(NULL);

	if (st == NULL || db_begin(db) == -1)
		return -1;
	db_bind_text(st, 1, d->id);
	db_bind_text(st, 2, d->origin);
	db_bind_text(st, 3, d->gemeente);
	db_bind_text(st, 4, d->indicator);
	db_bind_text(st, 5, d->periode);
	db_bind_text(st, 6, d->vorm);
	sqlite3_bind_int(st, 7, d->publishable);
	db_bind_text(st, 8, d->rapport);
	db_bind_text(st, 9, d->tabel);
	sqlite3_bind_int64(st, 10, now);
	sqlite3_bind_int64(st, 11, now);
	db_bind_text(st, 12, d->rapport_eigen);
	db_bind_text(st, 13, d->cel_regels);
	if (db_step_done(db, st, "dataset insert") == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* A JSON text column, parsed (we wrote it; null if it is not JSON). */
static json_t *
dataset_store_json(sqlite3_stmt *st, int i)
{
	json_t *j = json_loadb((const char *)sqlite3_column_text(st, i),
	    (size_t)sqlite3_column_bytes(st, i), 0, NULL);

	return j != NULL ? j : json_null();
}

/*
 * A row as JSON; with_table adds the cells, own (the viewer is the
 * uploading municipality) the uploader's own report.
 */
static json_t *
dataset_store_row_json(sqlite3_stmt *st, bool with_table, bool own)
{
	const char *status = (const char *)sqlite3_column_text(st, 5);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:I,"
	    " s:o, s:o}",
	    "id", sqlite3_column_text(st, 0),
	    "gemeente", sqlite3_column_text(st, 1),
	    "indicator", sqlite3_column_text(st, 2),
	    "periode", sqlite3_column_text(st, 3),
	    "vorm", sqlite3_column_text(st, 4),
	    "status", status,
	    "publiceerbaar", sqlite3_column_int(st, 6),
	    "rapport", dataset_store_json(st, 7),
	    "versie", (json_int_t)sqlite3_column_int64(st, 8),
	    "aangemaakt", clock_json((time_t)sqlite3_column_int64(st, 9)),
	    "gewijzigd", clock_json((time_t)sqlite3_column_int64(st, 10)));

	/* Names, for pages and people (a federated code may be unknown). */
	json_object_set_new(o, "gemeenteNaam", db_column_json(st, 13));
	json_object_set_new(o, "indicatorNaam", db_column_json(st, 14));
	json_object_set_new(o, "indicatorOmschrijving", db_column_json(st,
	    15));
	json_object_set_new(o, "eenheid", db_column_json(st, 16));
	if (with_table && strcmp(status, "ingetrokken") != 0)
		json_object_set_new(o, "tabel", dataset_store_json(st, 11));
	if (own && sqlite3_column_type(st, 12) != SQLITE_NULL)
		json_object_set_new(o, "rapportEigen", dataset_store_json(st,
		    12));
	return o;
}

/*
 * The dataset id as viewer (a municipality code, or NULL) may see it:
 * MEENT_OK with *out, MEENT_NOTFOUND, MEENT_CONFLICT for a tombstone
 * (*out holds it, without cells), or MEENT_ERR (logged).
 */
int
dataset_store_get(struct db *db, const char *id, const char *viewer,
    json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " DATASET_COLUMNS DATASET_FROM
	    " WHERE d.id = ? AND (d.status <> 'concept' OR d.gemeente = ?)");
	int rc;

	*out = NULL;
	if (st == NULL)
		return MEENT_ERR;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, viewer != NULL ? viewer : "");
	rc = db_step_row(db, st, "dataset_store_get");
	if (rc == 1) {
		*out = dataset_store_row_json(st, true, viewer != NULL &&
		    strcmp(viewer, (const char *)sqlite3_column_text(st, 1)) ==
		    0);
		rc = strcmp(json_string_value(json_object_get(*out, "status")),
		    "ingetrokken") == 0 ? MEENT_CONFLICT : MEENT_OK;
	} else
		rc = rc == 0 ? MEENT_NOTFOUND : MEENT_ERR;
	sqlite3_reset(st);
	return rc;
}

/*
 * Datasets q->viewer may see, newest first, without their cells: published
 * ones, and the viewer's own concepts (and, with q->status, only those of
 * that status). NULL filters match all; q->limit (0: 500) from q->offset.
 * *total (if not NULL): how many match in all, when the page has any.
 * NULL on a database error.
 */
json_t *
dataset_store_list(struct db *db, const struct dataset_query *q, long *total)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " DATASET_COLUMNS ","
	    " count(*) OVER ()" DATASET_FROM
	    " WHERE (d.status = 'gepubliceerd' OR (d.status = 'concept' AND"
	    " d.gemeente = ?1)) AND (?2 IS NULL OR d.indicator = ?2)"
	    " AND (?3 IS NULL OR d.gemeente = ?3)"
	    " AND (?4 IS NULL OR d.periode = ?4)"
	    " AND (?5 IS NULL OR d.status = ?5)"
	    " ORDER BY d.gewijzigd DESC, d.pk DESC LIMIT ?6 OFFSET ?7");
	json_t *list;
	int rc;

	if (total != NULL)
		*total = 0;
	if (st == NULL)
		return NULL;
	sqlite3_bind_int(st, 6, q->limit > 0 ? q->limit : 500);
	sqlite3_bind_int64(st, 7, q->offset);
	db_bind_text(st, 1, q->viewer != NULL ? q->viewer : "");
	db_bind_text(st, 2, q->indicator);
	db_bind_text(st, 3, q->gemeente);
	db_bind_text(st, 4, q->periode);
	db_bind_text(st, 5, q->status);
	list = json_array();
	while ((rc = db_step_row(db, st, "dataset_store_list")) == 1) {
		json_array_append_new(list, dataset_store_row_json(st, false,
		    false));
		if (total != NULL)
			*total = (long)sqlite3_column_int64(st, 17);
	}
	if (rc == -1) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* The grand total's published value, if the table publishes it. */
bool
dataset_store_total(json_t *tabel, double *out)
{
	json_t *cell;
	size_t i;

	json_array_foreach(json_object_get(tabel, "cellen"), i, cell) {
		json_t *coord = json_object_get(cell, "categorieen"), *c;
		size_t k;
		bool total = true;

		json_array_foreach(coord, k, c)
			total = total && json_is_null(c);
		if (total) {
			*out = json_number_value(json_object_get(cell,
			    "waarde"));
			return json_is_number(json_object_get(cell, "waarde"));
		}
	}
	return false;
}

/*
 * The municipality's own figure for the comparison: the table's grand
 * total, unless a public source (an import) already gave one.
 */
int
dataset_store_feed_comparison(struct db *db, const char *id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT indicator, periode, gemeente,"
	    " tabel FROM datasets WHERE id = ?");
	char indicator[65], periode[8], gemeente[8], *bron;
	json_t *tabel;
	double total;
	bool has;
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	if (db_step_row(db, st, "dataset comparison") != 1) {
		sqlite3_reset(st);
		return -1;	/* the dataset was just written: not gone */
	}
	snprintf(indicator, sizeof indicator, "%s", sqlite3_column_text(st, 0));
	snprintf(periode, sizeof periode, "%s", sqlite3_column_text(st, 1));
	snprintf(gemeente, sizeof gemeente, "%s", sqlite3_column_text(st, 2));
	tabel = dataset_store_json(st, 3);
	sqlite3_reset(st);
	has = dataset_store_total(tabel, &total);
	json_decref(tabel);
	if (!has)
		return 0;
	st = db_stmt(db, "INSERT OR IGNORE INTO indicator_perioden (indicator,"
	    " periode, status) VALUES (?, ?, 'voorlopig')");
	db_bind_text(st, 1, indicator);
	db_bind_text(st, 2, periode);
	if (db_step_done(db, st, "dataset period") == -1)
		return -1;
	bron = xasprintf("upload %s", gemeente);
	st = db_stmt(db, "INSERT INTO indicator_waarden (indicator, periode,"
	    " gemeente, waarde, bron) VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (indicator, periode, gemeente) DO UPDATE SET"
	    " waarde = excluded.waarde, bron = excluded.bron"
	    " WHERE bron = excluded.bron");
	db_bind_text(st, 1, indicator);
	db_bind_text(st, 2, periode);
	db_bind_text(st, 3, gemeente);
	sqlite3_bind_double(st, 4, total);
	db_bind_text(st, 5, bron);
	rc = db_step_done(db, st, "dataset value");
	free(bron);
	return rc;
}

/* Is id gemeente's dataset? 1, 0 or -1. */
static int
dataset_store_owned(struct db *db, const char *id, const char *gemeente)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM datasets WHERE id = ?"
	    " AND gemeente = ?");
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, gemeente);
	rc = db_step_row(db, st, "dataset owned");
	sqlite3_reset(st);
	return rc;
}

/*
 * The tables published before for the same population as concept id (the
 * same municipality, indicator and period; withdrawn ones too), as
 * [{"tabel", "regels"}] for dataset_linked_check(); and, when id is
 * gemeente's publishable concept, its table and rules into *table and
 * *rules. Returns 0 or -1.
 */
static int
dataset_store_linked(struct db *db, const char *id, const char *gemeente,
    json_t **table, json_t **rules, json_t **linked)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT o.tabel_was, o.cel_regels"
	    " FROM datasets o, datasets d WHERE d.id = ?1 AND d.gemeente = ?2"
	    " AND o.id <> d.id"
	    " AND o.gemeente = d.gemeente AND o.indicator = d.indicator"
	    " AND o.periode = d.periode AND o.tabel_was IS NOT NULL");
	int rc;

	*table = *rules = NULL;
	*linked = json_array();
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, gemeente);
	while ((rc = db_step_row(db, st, "dataset linked")) == 1)
		json_array_append_new(*linked, json_pack("{s:o, s:o}", "tabel",
		    dataset_store_json(st, 0), "regels",
		    dataset_store_json(st, 1)));
	if (rc == -1)
		return -1;
	st = db_stmt(db, "SELECT tabel, cel_regels FROM datasets WHERE id = ?"
	    " AND gemeente = ? AND status = 'concept' AND publiceerbaar = 1");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, gemeente);
	rc = db_step_row(db, st, "dataset concept");
	if (rc == 1) {
		*table = dataset_store_json(st, 0);
		*rules = dataset_store_json(st, 1);
	}
	sqlite3_reset(st);
	return rc == -1 ? -1 : 0;
}

/*
 * Publish gemeente's concept id: MEENT_OK, MEENT_NOTFOUND, MEENT_CONFLICT
 * when it is not a concept or its audit did not pass, or MEENT_INVALID
 * with *why when, beside the tables published before for the same
 * population, it would give a small group away (dataset_linked.c; t is the
 * minimum frequency). What is published is kept for such later audits.
 */
int
dataset_store_publish(struct db *db, const char *id, const char *gemeente,
    long t, const char **why)
{
	json_t *table = NULL, *rules = NULL, *linked = NULL;
	sqlite3_stmt *st;
	int changed;

	*why = NULL;
	if (db_begin(db) == -1)
		return MEENT_ERR;
	if (dataset_store_linked(db, id, gemeente, &table, &rules, &linked)
	    == -1)
		goto fail;
	if (table != NULL && (*why = dataset_linked_check(table, rules, linked,
	    t)) != NULL) {
		json_decref(table);
		json_decref(rules);
		json_decref(linked);
		db_rollback(db);
		return MEENT_INVALID;
	}
	json_decref(table);
	json_decref(rules);
	json_decref(linked);
	table = rules = linked = NULL;
	st = db_stmt(db, "UPDATE datasets SET status = 'gepubliceerd',"
	    " tabel_was = tabel, versie = versie + 1, gewijzigd = ?"
	    " WHERE id = ? AND gemeente = ? AND status = 'concept'"
	    " AND publiceerbaar = 1 AND origin = (SELECT uuid FROM instance)");
	sqlite3_bind_int64(st, 1, time(NULL));
	db_bind_text(st, 2, id);
	db_bind_text(st, 3, gemeente);
	if (db_step_done(db, st, "dataset publish") == -1)
		goto fail;
	changed = sqlite3_changes(db_handle(db));
	if (changed == 0) {
		db_rollback(db);
		switch (dataset_store_owned(db, id, gemeente)) {
		case 1:
			return MEENT_CONFLICT;
		case 0:
			return MEENT_NOTFOUND;
		default:
			return MEENT_ERR;
		}
	}
	if (dataset_store_feed_comparison(db, id) == -1)
		goto fail;
	if (db_commit(db) == -1)
		return MEENT_ERR;
	cache_bump();
	return MEENT_OK;
fail:
	json_decref(table);
	json_decref(rules);
	json_decref(linked);
	db_rollback(db);
	return MEENT_ERR;
}

/*
 * A published table id is about to be withdrawn: its figure leaves the
 * comparison, and the newest other published table of the same
 * municipality, indicator and period (if any) gives the figure instead.
 */
int
dataset_store_figure_remove(struct db *db, const char *id,
    const char *gemeente)
{
	sqlite3_stmt *st = db_stmt(db, "DELETE FROM indicator_waarden WHERE"
	    " bron = 'upload ' || ?2 AND (indicator, periode) = (SELECT"
	    " indicator, periode FROM datasets WHERE id = ?1 AND gemeente = ?2"
	    " AND status = 'gepubliceerd') AND gemeente = ?2");
	char other[37] = "";
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, gemeente);
	if (db_step_done(db, st, "dataset figure") == -1)
		return -1;
	st = db_stmt(db, "SELECT o.id FROM datasets o, datasets d WHERE"
	    " d.id = ?1 AND o.gemeente = d.gemeente AND o.indicator ="
	    " d.indicator AND o.periode = d.periode AND o.id <> d.id AND"
	    " o.status = 'gepubliceerd' ORDER BY o.gewijzigd DESC, o.pk DESC"
	    " LIMIT 1");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	rc = db_step_row(db, st, "dataset figure other");
	if (rc == 1)
		snprintf(other, sizeof other, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == -1)
		return -1;
	return other[0] != '\0' ? dataset_store_feed_comparison(db, other) : 0;
}

/*
 * Discard gemeente's concept (gone), or withdraw its published table (a
 * tombstone without cells; the figure it gave the comparison goes too).
 */
int
dataset_store_remove(struct db *db, const char *id, const char *gemeente)
{
	sqlite3_stmt *st;
	int rc = MEENT_ERR;

	if (db_begin(db) == -1)
		return MEENT_ERR;
	st = db_stmt(db, "DELETE FROM datasets WHERE id = ? AND gemeente = ?"
	    " AND status = 'concept'");
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, gemeente);
	if (db_step_done(db, st, "dataset discard") == -1)
		goto out;
	if (sqlite3_changes(db_handle(db)) > 0) {
		rc = MEENT_OK;
		goto out;
	}
	if (dataset_store_figure_remove(db, id, gemeente) == -1)
		goto out;
	st = db_stmt(db, "UPDATE datasets SET status = 'ingetrokken', tabel ="
	    " '{}', versie = versie + 1, gewijzigd = ? WHERE id = ? AND"
	    " gemeente = ? AND status = 'gepubliceerd'"
	    " AND origin = (SELECT uuid FROM instance)");
	sqlite3_bind_int64(st, 1, time(NULL));
	db_bind_text(st, 2, id);
	db_bind_text(st, 3, gemeente);
	if (db_step_done(db, st, "dataset withdraw") == -1)
		goto out;
	rc = sqlite3_changes(db_handle(db)) > 0 ? MEENT_OK : MEENT_NOTFOUND;
out:
	if (rc == MEENT_ERR) {
		db_rollback(db);
		return rc;
	}
	if (db_commit(db) == -1)
		return MEENT_ERR;
	cache_bump();
	return rc;
}
