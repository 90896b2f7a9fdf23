/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Tables of the same population: one municipality's tables for the same
 * indicator and period, in different breakdowns (district x age, and
 * district x age x household). Each was audited on its own (sdc.c); an
 * attacker lays them side by side: a margin secret in one may be published
 * in the other, and together they can pin a small cell that each alone
 * hid. Before a table is published, this audits it together with every
 * table published before for the same population, withdrawn ones too (what
 * was public once stays known).
 *
 * One integer program over the units (persons) of every cell of every table,
 * a cell with the same categories in several tables being one variable (its
 * identity: dimension name = label for each dimension it is not a total of).
 * What an attacker knows of each: a published count to within its table's
 * noise; a secret cell's range by the rules, which are public (a frequency
 * cell 1 .. t - 1, any other secret cell at least t); whole numbers; every
 * table's sums. Every cell secret for its frequency must keep at least
 * ceil(t / 2) whole numbers, as in a table's own audit. Only published
 * figures are used (the data itself is long gone), which is all an
 * attacker has too.
 *
 * A cell of the category "overig" (rare categories merged) may stand for a
 * different set in each table: it is never the same variable as another
 * table's. If the programme has no solution at all, the tables are not of
 * one population (the data was corrected in between), and the cell key's
 * noise is what protects against comparing them (cellkey.c).
 */
#include "domain/domain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <lpsolve/lp_lib.h>

#define LINKED_BUDGET		20	/* seconds for the whole audit */
#define LINKED_SOLVE		5	/* seconds for one extreme */
#define LINKED_OTHER		"overig"

struct linked {
	json_t		*ids;		/* identity -> variable (1..) */
	int		 nvars;
	double		*lo, *hi;	/* bounds per variable (from 1) */
	bool		*freq;		/* frequency-secret somewhere */
	long		 t;		/* the minimum frequency checked */
	lprec		*lp;
	bool		 failed;
};

static double
linked_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The identity of cell (its categories, by dimension) in table ti: sorted
 * "name=label" for each dimension it is not the total of; a cell of
 * "overig" only in its own table.
 */
static char *
linked_identity(json_t *dims, json_t *cell, size_t ti)
{
	json_t *cats = json_object_get(cell, "categorieen");
	struct evbuffer *b = evbuffer_new();
	const char *names[SDC_MAX_DIMS], *labels[SDC_MAX_DIMS];
	size_t n = 0;
	bool other = false;

	for (size_t k = 0; k < json_array_size(cats) && n < SDC_MAX_DIMS;
	    k++) {
		json_t *c = json_array_get(cats, k);

		if (!json_is_string(c))
			continue;
		names[n] = json_string_value(json_object_get(json_array_get(
		    dims, k), "naam"));
		labels[n] = json_string_value(c);
		if (names[n] == NULL)
			names[n] = "";
		other |= strcmp(labels[n], LINKED_OTHER) == 0;
		n++;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		    j--) {
			const char *x = names[j], *y = labels[j];

			names[j] = names[j - 1];
			labels[j] = labels[j - 1];
			names[j - 1] = x;
			labels[j - 1] = y;
		}
	if (other)
		evbuffer_add_printf(b, "#%zu\x1f", ti);
	for (size_t i = 0; i < n; i++)
		evbuffer_add_printf(b, "%s=%s\x1f", names[i], labels[i]);
	return buffer_take_string(b);
}

static int
linked_var(struct linked *l, json_t *dims, json_t *cell, size_t ti)
{
	char *id = linked_identity(dims, cell, ti);
	json_t *v = json_object_get(l->ids, id);
	int idx;

	if (v != NULL)
		idx = (int)json_integer_value(v);
	else {
		idx = ++l->nvars;
		json_object_set_new(l->ids, id, json_integer(idx));
		l->lo = xreallocarray(l->lo, (size_t)idx + 1, sizeof *l->lo);
		l->hi = xreallocarray(l->hi, (size_t)idx + 1, sizeof *l->hi);
		l->freq = xreallocarray(l->freq, (size_t)idx + 1,
		    sizeof *l->freq);
		l->lo[idx] = 0;
		l->hi[idx] = INFINITY;
		l->freq[idx] = false;
	}
	free(id);
	return idx;
}

static void
linked_bound(struct linked *l, int v, double lo, double hi)
{
	if (lo > l->lo[v])
		l->lo[v] = lo;
	if (hi < l->hi[v])
		l->hi[v] = hi;
}

/*
 * What a published count p tells of a cell's units u, noise being -d..d
 * (cellkey.c) and a cell with 1 .. t - 1 units never published: an empty
 * cell is published as 0, and a cell of u >= t as max(0, u + noise).
 */
static void
linked_published(struct linked *l, int v, long p, long d, long t)
{
	if (p <= 0)
		linked_bound(l, v, 0, d < t ? 0 : (double)d);
	else
		linked_bound(l, v, (double)(p - d > t ? p - d : t),
		    (double)(p + d));
}

/*
 * One table's part: what each of its cells tells (the published count
 * within noise, or the rules' range of a secret cell whose rule is known:
 * statuses, aligned with the cells, or NULL for a table from elsewhere).
 * Returns the variable of each cell (caller frees), or NULL for a table
 * that cannot be read.
 */
static int *
linked_cells(struct linked *l, json_t *tabel, json_t *statuses, size_t ti)
{
	json_t *dims = json_object_get(tabel, "dimensies");
	json_t *cells = json_object_get(tabel, "cellen"), *c;
	json_t *bes = json_object_get(tabel, "bescherming");
	long d = json_integer_value(json_object_get(bes, "ruisAantal"));
	long t = json_integer_value(json_object_get(bes, "minimumEenheden"));
	size_t i, n = json_array_size(cells);
	int *var;

	if (!json_is_array(dims) || n == 0)
		return NULL;
	if (t <= 0)
		t = l->t;
	var = xcalloc(n, sizeof *var);
	json_array_foreach(cells, i, c) {
		const char *st = json_string_value(json_array_get(statuses,
		    i));
		json_t *a = json_object_get(c, "aantal");

		var[i] = linked_var(l, dims, c, ti);
		if (!json_is_true(json_object_get(c, "geheim")) &&
		    json_is_integer(a)) {
			linked_published(l, var[i], json_integer_value(a), d,
			    t);
		} else if (st != NULL && strcmp(st, "frequentie") == 0) {
			linked_bound(l, var[i], 1, (double)t - 1);
			l->freq[var[i]] = true;
		} else if (st != NULL && strcmp(st, "veilig") != 0)
			linked_bound(l, var[i], (double)t, INFINITY);
	}
	return var;
}

/*
 * The sums of one table: along each dimension, the inner cells add up to
 * the cell that is that dimension's total. Cells are found by their
 * categories: a total is null.
 */
static int
linked_relations(struct linked *l, json_t *tabel, const int *var)
{
	json_t *dims = json_object_get(tabel, "dimensies");
	json_t *cells = json_object_get(tabel, "cellen");
	json_t *index = json_object(), *c;
	size_t nd = json_array_size(dims), i;
	REAL *row;
	int *colno, rc = 0;

	/* Each cell under its categories, joined (a total as "\x1e"). */
	json_array_foreach(cells, i, c) {
		struct evbuffer *b = evbuffer_new();
		json_t *cats = json_object_get(c, "categorieen");
		char *key;

		for (size_t k = 0; k < nd; k++) {
			json_t *x = json_array_get(cats, k);

			evbuffer_add_printf(b, "%s\x1f", json_is_string(x) ?
			    json_string_value(x) : "\x1e");
		}
		key = buffer_take_string(b);
		json_object_set_new(index, key, json_integer((json_int_t)i));
		free(key);
	}
	row = xcalloc(json_array_size(cells) + 1, sizeof *row);
	colno = xcalloc(json_array_size(cells) + 1, sizeof *colno);
	json_array_foreach(cells, i, c) {
		json_t *cats = json_object_get(c, "categorieen");

		for (size_t d = 0; d < nd && rc == 0; d++) {
			json_t *labels = json_object_get(json_array_get(dims, d),
			    "categorieen"), *lab;
			size_t j;
			int k = 0;

			if (!json_is_null(json_array_get(cats, d)))
				continue;
			row[k] = -1;
			colno[k++] = var[i];
			json_array_foreach(labels, j, lab) {
				struct evbuffer *b = evbuffer_new();
				json_t *hit;
				char *key;

				for (size_t e = 0; e < nd; e++) {
					json_t *x = e == d ? lab :
					    json_array_get(cats, e);

					evbuffer_add_printf(b, "%s\x1f",
					    json_is_string(x) ?
					    json_string_value(x) : "\x1e");
				}
				key = buffer_take_string(b);
				hit = json_object_get(index, key);
				free(key);
				if (hit == NULL)
					continue;	/* not listed: empty */
				row[k] = 1;
				colno[k++] = var[json_integer_value(hit)];
			}
			if (!add_constraintex(l->lp, k, row, colno, EQ, 0))
				rc = -1;
		}
	}
	free(row);
	free(colno);
	json_decref(index);
	return rc;
}

/* The extreme of variable v; -1 when lp_solve gives no answer in time. */
static int
linked_extreme(struct linked *l, int v, bool maximise, double deadline,
    double *out)
{
	double left = deadline - linked_now();
	int ret;

	if (left < 1)
		return -1;
	set_timeout(l->lp, left < LINKED_SOLVE ? (long)left : LINKED_SOLVE);
	if (maximise)
		set_maxim(l->lp);
	else
		set_minim(l->lp);
	set_obj(l->lp, v, 1.0);
	ret = solve(l->lp);
	set_obj(l->lp, v, 0.0);
	if (ret == UNBOUNDED) {
		*out = maximise ? INFINITY : -INFINITY;
		return 0;
	}
	if (ret != OPTIMAL && ret != PRESOLVED)
		return -1;
	*out = get_objective(l->lp);
	return 0;
}

static void
linked_free(struct linked *l)
{
	if (l->lp != NULL)
		delete_lp(l->lp);
	json_decref(l->ids);
	free(l->lo);
	free(l->hi);
	free(l->freq);
}

/*
 * May table (with its cells' rules, statuses) be published beside the
 * linked ones ([{"tabel", "regels"}], published before for the same
 * population; regels may be null for a table from elsewhere)? t is this
 * instance's minimum frequency. Returns NULL, or why not (Dutch, static).
 */
const char *
dataset_linked_check(json_t *table, json_t *statuses, json_t *linked,
    long t)
{
	struct linked l = { .ids = json_object(), .t = t };
	double deadline = linked_now() + LINKED_BUDGET, lo, hi;
	size_t n = json_array_size(linked) + 1;
	int **vars = xcalloc(n, sizeof *vars);
	const char *why = NULL;
	json_t *e;
	size_t i;

	if (json_array_size(linked) == 0)
		goto out;
	vars[0] = linked_cells(&l, table, statuses, 0);
	json_array_foreach(linked, i, e)
		vars[i + 1] = linked_cells(&l, json_object_get(e, "tabel"),
		    json_object_get(e, "regels"), i + 1);
	if (vars[0] == NULL)
		goto out;
	if ((l.lp = make_lp(0, l.nvars)) == NULL) {
		why = "de controle met eerder gepubliceerde tabellen lukte niet";
		goto out;
	}
	set_verbose(l.lp, NEUTRAL);
	set_add_rowmode(l.lp, TRUE);
	for (i = 0; i < n; i++) {
		json_t *tab = i == 0 ? table : json_object_get(json_array_get(
		    linked, i - 1), "tabel");

		if (vars[i] != NULL && linked_relations(&l, tab,
		    vars[i]) == -1) {
			why = "de controle met eerder gepubliceerde tabellen "
			    "lukte niet";
			goto out;
		}
	}
	set_add_rowmode(l.lp, FALSE);
	for (int v = 1; v <= l.nvars; v++) {
		set_int(l.lp, v, TRUE);
		set_bounds(l.lp, v, l.lo[v], isinf(l.hi[v]) ?
		    get_infinite(l.lp) : l.hi[v]);
	}
	/* No solution: not one population after all (see the top). */
	set_timeout(l.lp, LINKED_SOLVE);
	if (l.nvars == 0 || solve(l.lp) == INFEASIBLE)
		goto out;
	for (int v = 1; v <= l.nvars; v++) {
		if (!l.freq[v])
			continue;
		if (linked_extreme(&l, v, false, deadline, &lo) == -1 ||
		    linked_extreme(&l, v, true, deadline, &hi) == -1) {
			why = "de controle met eerder gepubliceerde tabellen van "
			    "deze indicator en periode duurde te lang";
			goto out;
		}
		if (hi - lo < ceil((double)t / 2) - 1 - 1e-9) {
			why = "samen met een eerder gepubliceerde tabel van deze "
			    "indicator en periode zou deze tabel een kleine groep "
			    "prijsgeven; kies dezelfde of een grovere "
			    "uitsplitsing";
			goto out;
		}
	}
out:
	for (i = 0; i < n; i++)
		free(vars[i]);
	free(vars);
	linked_free(&l);
	return why;
}
