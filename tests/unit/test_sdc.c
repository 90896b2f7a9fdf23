/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests: disclosure control of one table (primary rules, secondary
 * suppression, the LP audit, repair and escalation, rounding).
 */
#include "meent.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

static struct sdc_cell *
cell_at(struct sdc_table *t, int a, int b, int c)
{
	int coord[SDC_MAX_DIMS] = { a, b, c };

	return &t->cells[sdc_index(t, coord)];
}

static bool
suppressed(const struct sdc_cell *c)
{
	return c->status != SDC_SAFE;
}

/*
 * Every line of the table, worked out here rather than with sdc.c's own
 * helpers: along d, for each cell that is the line's total, count the
 * suppressed cells. None or at least two, never one.
 */
static void
check_relations(struct sdc_table *t)
{
	for (int d = 0; d < t->ndims; d++) {
		for (size_t i = 0; i < t->ncells; i++) {
			int coord[SDC_MAX_DIMS];
			int n = 0;

			if (t->cells[i].coord[d] != t->ncat[d])
				continue;
			memcpy(coord, t->cells[i].coord, sizeof coord);
			for (int k = 0; k <= t->ncat[d]; k++) {
				coord[d] = k;
				n += suppressed(&t->cells[sdc_index(t, coord)]);
			}
			assert_true(n == 0 || n >= 2);
		}
	}
}

/* A count table: value == units. */
static void
set_count(struct sdc_table *t, int a, int b, int c, long n)
{
	int coord[SDC_MAX_DIMS] = { a, b, c };

	sdc_set_cell(t, coord, (double)n, n, 0);
}

static void
test_init(void **state)
{
	struct sdc_table t;
	int shape[3] = { 10, 8, 5 };
	int big[3] = { 50, 50, 1 };	/* 51 * 51 * 2 = 5202 */
	int edge[2] = { 99, 49 };	/* 100 * 50 = 5000 */
	int zero[2] = { 3, 0 };
	int coord[3] = { 2, 8, 1 };

	(void)state;
	/* (10+1)(8+1)(5+1) = 594 cells, row-major: (2,8,1) = 2*54+8*6+1. */
	assert_int_equal(sdc_table_init(&t, 3, shape), 0);
	assert_int_equal(t.ncells, 594);
	assert_int_equal(sdc_index(&t, coord), 157);
	assert_int_equal(t.cells[157].coord[0], 2);
	assert_int_equal(t.cells[157].coord[1], 8);
	assert_int_equal(t.cells[157].coord[2], 1);
	assert_int_equal(t.cells[593].coord[0], 10);
	assert_int_equal(t.cells[593].coord[2], 5);
	assert_false(t.magnitude);
	assert_true(t.cells[5].value == 0 && t.cells[5].units == 0);
	sdc_table_free(&t);

	assert_int_equal(sdc_table_init(&t, 2, edge), 0);
	assert_int_equal(t.ncells, SDC_MAX_CELLS);
	sdc_table_free(&t);

	assert_int_equal(sdc_table_init(&t, 3, big), -1);
	assert_null(t.cells);
	assert_int_equal(sdc_table_init(&t, 2, zero), -1);
	assert_int_equal(sdc_table_init(&t, 4, shape), -1);
	assert_int_equal(sdc_table_init(&t, -1, shape), -1);

	/* No dimensions: the grand total alone. */
	assert_int_equal(sdc_table_init(&t, 0, NULL), 0);
	assert_int_equal(t.ncells, 1);
	assert_int_equal(sdc_index(&t, NULL), 0);
	sdc_table_free(&t);
	sdc_table_free(NULL);
}

static void
test_add_unit(void **state)
{
	struct sdc_table t;
	int shape[2] = { 2, 3 };
	int a[2] = { 0, 1 }, b[2] = { 1, 2 };
	const double many[] = { 3, 7, 1, 6, 2, 5, 4 };

	(void)state;
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	t.magnitude = true;
	sdc_add_unit(&t, a, 5, 0, 0);
	sdc_add_unit(&t, a, 7, 0, 0);
	sdc_add_unit(&t, b, 3, 0, 0);

	/* (0,1): 5 + 7, top 7, 5. */
	assert_true(cell_at(&t, 0, 1, 0)->value == 12);
	assert_int_equal(cell_at(&t, 0, 1, 0)->units, 2);
	assert_true(cell_at(&t, 0, 1, 0)->top[0] == 7);
	assert_true(cell_at(&t, 0, 1, 0)->top[1] == 5);
	/* Row 0 total (0,3) and column 1 total (2,1): the same two units. */
	assert_true(cell_at(&t, 0, 3, 0)->value == 12);
	assert_true(cell_at(&t, 2, 1, 0)->value == 12);
	/* Row 1 total (1,3) and column 2 total (2,2): the 3 alone. */
	assert_true(cell_at(&t, 1, 3, 0)->value == 3);
	assert_int_equal(cell_at(&t, 2, 2, 0)->units, 1);
	/* Grand total (2,3): 15 from 3 units, top 7, 5, 3. */
	assert_true(cell_at(&t, 2, 3, 0)->value == 15);
	assert_int_equal(cell_at(&t, 2, 3, 0)->units, 3);
	assert_true(cell_at(&t, 2, 3, 0)->top[0] == 7);
	assert_true(cell_at(&t, 2, 3, 0)->top[1] == 5);
	assert_true(cell_at(&t, 2, 3, 0)->top[2] == 3);
	/* Untouched cells stay empty. */
	assert_int_equal(cell_at(&t, 1, 0, 0)->units, 0);
	assert_int_equal(cell_at(&t, 2, 0, 0)->units, 0);

	/* Seven units 1..7 in (1,0): top keeps 7, 6, 5, 4, 3. */
	b[1] = 0;
	for (size_t i = 0; i < nitems(many); i++)
		sdc_add_unit(&t, b, many[i], 0, 0);
	for (int i = 0; i < SDC_TOPN; i++)
		assert_true(cell_at(&t, 1, 0, 0)->top[i] == 7 - i);
	assert_true(cell_at(&t, 1, 0, 0)->value == 28);
	/* The grand total: 7, 7, 6, 5, 5 of 43 over 10 units. */
	assert_true(cell_at(&t, 2, 3, 0)->top[0] == 7);
	assert_true(cell_at(&t, 2, 3, 0)->top[1] == 7);
	assert_true(cell_at(&t, 2, 3, 0)->top[2] == 6);
	assert_true(cell_at(&t, 2, 3, 0)->top[3] == 5);
	assert_true(cell_at(&t, 2, 3, 0)->top[4] == 5);
	assert_true(cell_at(&t, 2, 3, 0)->value == 43);
	assert_int_equal(cell_at(&t, 2, 3, 0)->units, 10);
	sdc_table_free(&t);
}

static void
test_primary(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	int shape[1] = { 4 };
	int c[1];

	(void)state;
	sdc_rules_defaults(&r);
	assert_int_equal(r.min_frequency, 10);
	assert_int_equal(sdc_table_init(&t, 1, shape), 0);
	t.magnitude = true;

	/* 0: three units of 50: 3 < 10, frequency. */
	c[0] = 0;
	for (int i = 0; i < 3; i++)
		sdc_add_unit(&t, c, 50, 0, 0);
	assert_int_equal(r.dominance_n, 2);
	assert_int_equal(r.coalition, 2);
	/*
	 * 1: 1000 and eleven of 10 = 1110; the two largest, 1010, are over
	 * 85% of it (943.5): (2,85)-dominance.
	 */
	c[0] = 1;
	sdc_add_unit(&t, c, 1000, 0, 0);
	for (int i = 0; i < 11; i++)
		sdc_add_unit(&t, c, 10, 0, 0);
	/*
	 * 2: 100, 50, 40 and ten of 0.5 = 195. Not dominant (150 <= 165.75),
	 * and the second largest alone would not know the largest to within
	 * 10% (195 - 100 - 50 = 45 > 10). But the second and third together
	 * know it to within 195 - 190 = 5 < 10: the p%-rule against a
	 * coalition of two.
	 */
	c[0] = 2;
	sdc_add_unit(&t, c, 100, 0, 0);
	sdc_add_unit(&t, c, 50, 0, 0);
	sdc_add_unit(&t, c, 40, 0, 0);
	for (int i = 0; i < 10; i++)
		sdc_add_unit(&t, c, 0.5, 0, 0);
	/* 3: twelve units of 5 .. 16 = 126: safe. */
	c[0] = 3;
	for (int i = 0; i < 12; i++)
		sdc_add_unit(&t, c, 5 + i, 0, 0);

	/*
	 * Total: 150 + 1110 + 195 + 126 = 1581 over 40 units, top 1000, 100,
	 * 50: 1100 < 1343.85 and 1581 - 1150 = 431 > 100: safe.
	 */
	sdc_primary(&t, &r);
	assert_int_equal(t.cells[0].status, SDC_FREQUENCY);
	assert_int_equal(t.cells[1].status, SDC_DOMINANCE);
	assert_int_equal(t.cells[2].status, SDC_PPERCENT);
	assert_int_equal(t.cells[3].status, SDC_SAFE);
	assert_true(fabs(t.cells[4].value - 1581) < 1e-9);
	assert_int_equal(t.cells[4].status, SDC_SAFE);
	/* With a coalition of one, cell 2 would have been published. */
	r.coalition = 1;
	sdc_primary(&t, &r);
	assert_int_equal(t.cells[2].status, SDC_SAFE);
	r.coalition = 2;

	/* A count table has no magnitude rules: only frequency. */
	t.magnitude = false;
	sdc_primary(&t, &r);
	assert_int_equal(t.cells[0].status, SDC_FREQUENCY);
	assert_int_equal(t.cells[1].status, SDC_SAFE);
	assert_int_equal(t.cells[2].status, SDC_SAFE);

	assert_string_equal(sdc_status_name(SDC_SAFE), "veilig");
	assert_string_equal(sdc_status_name(SDC_FREQUENCY), "frequentie");
	assert_string_equal(sdc_status_name(SDC_DOMINANCE), "dominantie");
	assert_string_equal(sdc_status_name(SDC_PPERCENT), "p-procent");
	assert_string_equal(sdc_status_name(SDC_IDENTICAL), "identiek");
	assert_string_equal(sdc_status_name(SDC_SECONDARY), "secundair");
	sdc_table_free(&t);
}

/*
 * Cells whose contributions are all the same tell each person's value:
 * all zero, or one amount for all (the mean). Counting tables have no
 * contributions to speak of.
 */
static void
test_identical(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	int shape[1] = { 3 };
	int c[1];

	(void)state;
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 1, shape), 0);
	t.magnitude = true;
	c[0] = 0;
	for (int i = 0; i < 12; i++)
		sdc_add_unit(&t, c, 0, 0, 0);
	c[0] = 1;
	for (int i = 0; i < 12; i++)
		sdc_add_unit(&t, c, 250, 0, 0);
	c[0] = 2;
	for (int i = 0; i < 12; i++)
		sdc_add_unit(&t, c, 250 + i, 0, 0);
	sdc_primary(&t, &r);
	assert_int_equal(t.cells[0].status, SDC_IDENTICAL);
	assert_int_equal(t.cells[1].status, SDC_IDENTICAL);
	assert_int_equal(t.cells[2].status, SDC_SAFE);
	t.magnitude = false;
	sdc_primary(&t, &r);
	assert_int_equal(t.cells[0].status, SDC_SAFE);
	assert_int_equal(t.cells[1].status, SDC_SAFE);
	sdc_table_free(&t);
}

static void
test_secondary(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	int shape[2] = { 3, 3 };
	size_t n = 0;

	(void)state;
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	t.count = true;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			set_count(&t, i, j, 0, i == 1 && j == 1 ? 3 : 20);
	sdc_fill_totals(&t);
	assert_int_equal(cell_at(&t, 3, 3, 0)->units, 163);
	sdc_primary(&t, &r);
	sdc_secondary(&t);

	/*
	 * Column 1 (first relation with the 3) takes (0,1), the lowest index
	 * of the equal 20s; row 1 takes (1,0); then row 0 has (0,1) alone and
	 * takes (0,0), closing the rectangle (0,0) (0,1) (1,0) (1,1).
	 */
	for (size_t i = 0; i < t.ncells; i++)
		n += suppressed(&t.cells[i]);
	assert_true(n >= 4);
	assert_int_equal(cell_at(&t, 1, 1, 0)->status, SDC_FREQUENCY);
	assert_int_equal(cell_at(&t, 0, 1, 0)->status, SDC_SECONDARY);
	assert_int_equal(cell_at(&t, 1, 0, 0)->status, SDC_SECONDARY);
	assert_int_equal(cell_at(&t, 0, 0, 0)->status, SDC_SECONDARY);
	assert_int_equal(n, 4);
	check_relations(&t);
	sdc_table_free(&t);
}

static void
test_audit_exact(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	int shape[2] = { 2, 2 };
	int coord[2];
	const double v[2][2] = { { 20, 30 }, { 40, 50 } };
	size_t checked, failed;

	(void)state;
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	/* Five units each: every inner cell primary, every total >= 10. */
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 2; j++) {
			coord[0] = i;
			coord[1] = j;
			sdc_set_cell(&t, coord, v[i][j], 5, 0);
		}
	}
	sdc_fill_totals(&t);
	sdc_primary(&t, &r);
	sdc_secondary(&t);
	for (size_t i = 0; i < t.ncells; i++) {
		bool inner = t.cells[i].coord[0] < 2 && t.cells[i].coord[1] < 2;

		assert_int_equal(t.cells[i].status,
		    inner ? SDC_FREQUENCY : SDC_SAFE);
	}

	/*
	 * Rows 50, 90, columns 60, 80 published: a = 20 + s, b = 30 - s,
	 * c = 40 - s, d = 50 + s with every cell >= 0, so -20 <= s <= 30:
	 * a in [0, 50], b in [0, 50], c in [10, 60], d in [30, 80].
	 * Protection (30%, at least 1): a 6, b 9, c 12, d 15; all pass
	 * (e.g. d: 80 >= 65 and 30 <= 35).
	 */
	assert_int_equal(sdc_audit(&t, &r, &checked, &failed), 0);
	assert_int_equal(checked, 8);		/* units and values */
	assert_int_equal(failed, 0);
	/* Units: 5 each, totals 10: each is 1 .. 9, whole numbers. */
	assert_true(fabs(cell_at(&t, 0, 0, 0)->ulower - 1) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->uupper - 9) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->lower - 0) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->upper - 50) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 1, 0)->lower - 0) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 1, 0)->upper - 50) < 1e-6);
	assert_true(fabs(cell_at(&t, 1, 0, 0)->lower - 10) < 1e-6);
	assert_true(fabs(cell_at(&t, 1, 0, 0)->upper - 60) < 1e-6);
	assert_true(fabs(cell_at(&t, 1, 1, 0)->lower - 30) < 1e-6);
	assert_true(fabs(cell_at(&t, 1, 1, 0)->upper - 80) < 1e-6);
	sdc_table_free(&t);
}

static void
test_audit_repair(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	struct sdc_report rep;
	int shape[2] = { 2, 2 };
	int coord[2];
	const double v[2][2] = { { 30, 1000 }, { 2, 5000 } };
	const long u[2][2] = { { 3, 50 }, { 20, 100 } };
	size_t checked, failed;

	(void)state;
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 2; j++) {
			coord[0] = i;
			coord[1] = j;
			sdc_set_cell(&t, coord, v[i][j], u[i][j], 0);
		}
	}
	sdc_fill_totals(&t);
	sdc_primary(&t, &r);
	sdc_secondary(&t);
	/*
	 * Only a = 30 (3 units) is primary. Secondary: column 0 takes c = 2,
	 * row 0 takes b = 1000, row 1 then takes d = 5000. With the totals
	 * published (row 0 1030, column 0 32), a = 30 + s, c = 2 - s, so
	 * a <= 32: the upper bound misses 30 + 30% = 39.
	 */
	assert_int_equal(sdc_audit(&t, &r, &checked, &failed), 0);
	assert_int_equal(checked, 8);		/* four secret, two views */
	assert_int_equal(failed, 1);
	/* Units: a + c = 23 with c none or >= 10: a may still be 1 .. 9. */
	assert_true(fabs(cell_at(&t, 0, 0, 0)->ulower - 1) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->uupper - 9) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->upper - 32) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->lower - 0) < 1e-6);

	/*
	 * Repair: the best published cell next to a is a total; column 0's
	 * 32 is smaller than row 0's 1030. Hiding it (and column 1's total
	 * with it) frees c: a then ranges over [0, 1030].
	 */
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	assert_false(rep.escalated);
	assert_int_equal(rep.audited, rep.cells - rep.published);
	assert_true(suppressed(cell_at(&t, 2, 0, 0)));
	assert_true(cell_at(&t, 0, 0, 0)->upper >= 39);
	assert_true(cell_at(&t, 0, 0, 0)->lower <= 21);
	/* Grand total 6032 and row totals stay published. */
	assert_false(suppressed(cell_at(&t, 2, 2, 0)));
	assert_false(suppressed(cell_at(&t, 0, 2, 0)));
	assert_int_equal(rep.cells, 9);
	assert_int_equal(rep.by_status[SDC_FREQUENCY], 1);
	assert_int_equal(rep.published + rep.by_status[SDC_FREQUENCY] +
	    rep.by_status[SDC_SECONDARY], 9);
	check_relations(&t);
	sdc_table_free(&t);
}

static void
test_widen_total(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	struct sdc_report rep;
	int shape[1] = { 2 };
	int c[1];

	(void)state;
	/*
	 * One dimension: a = 30 (3 units) and b = 1 (50 units), total 31.
	 * Secondary hides b, leaving a in [0, 31], short of 39. The only
	 * published cell next to a is the grand total: repair hides it, and
	 * a becomes unbounded above.
	 */
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 1, shape), 0);
	c[0] = 0;
	sdc_set_cell(&t, c, 30, 3, 0);
	c[0] = 1;
	sdc_set_cell(&t, c, 1, 50, 0);
	sdc_fill_totals(&t);
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	assert_false(rep.escalated);
	assert_int_equal(rep.published, 0);
	assert_true(isinf(t.cells[0].upper));
	assert_true(t.cells[0].lower == 0);
	sdc_table_free(&t);
}

static void
test_negative(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	struct sdc_report rep;
	int shape[2] = { 2, 2 };
	int coord[2];
	const double v[2][2] = { { -5, 10 }, { 20, 30 } };
	const long u[2][2] = { { 3, 40 }, { 40, 40 } };

	(void)state;
	/*
	 * A balance can be negative: the LP then has no lower bound of 0.
	 * The 3-unit cell hides with the rectangle around it, and with
	 * a = -5 + s, d = 30 + s, b = 10 - s, c = 20 - s and s free, its
	 * interval is the whole line.
	 */
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	for (int i = 0; i < 2; i++) {
		for (int j = 0; j < 2; j++) {
			coord[0] = i;
			coord[1] = j;
			sdc_set_cell(&t, coord, v[i][j], u[i][j], 0);
		}
	}
	sdc_fill_totals(&t);
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	assert_int_equal(rep.audited, 4);
	assert_true(isinf(cell_at(&t, 0, 0, 0)->lower) &&
	    cell_at(&t, 0, 0, 0)->lower < 0);
	assert_true(isinf(cell_at(&t, 0, 0, 0)->upper) &&
	    cell_at(&t, 0, 0, 0)->upper > 0);
	assert_int_equal(rep.by_status[SDC_SECONDARY], 3);
	check_relations(&t);
	sdc_table_free(&t);
}

static void
test_small(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	struct sdc_report rep;
	int shape[2] = { 2, 2 }, one[1] = { 1 }, wide[2] = { 1, 3 };

	(void)state;
	sdc_rules_defaults(&r);

	/* Inner cells all under 10: all four hidden, the grand total 10 not. */
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	t.count = true;
	set_count(&t, 0, 0, 0, 2);
	set_count(&t, 0, 1, 0, 3);
	set_count(&t, 1, 0, 0, 4);
	set_count(&t, 1, 1, 0, 1);
	sdc_fill_totals(&t);
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			assert_true(suppressed(cell_at(&t, i, j, 0)));
	check_relations(&t);
	sdc_table_free(&t);

	/* One category: the inner cell and its total are the same number. */
	assert_int_equal(sdc_table_init(&t, 1, one), 0);
	t.cells[0].value = t.cells[1].value = 50;
	t.cells[0].units = t.cells[1].units = 50;
	t.cells[0].status = SDC_FREQUENCY;
	sdc_secondary(&t);
	assert_int_equal(t.cells[1].status, SDC_SECONDARY);
	sdc_table_free(&t);

	/* 1 x 3: (0,1) small; whatever hides (0,j) hides (1,j) too. */
	assert_int_equal(sdc_table_init(&t, 2, wide), 0);
	t.count = true;
	set_count(&t, 0, 0, 0, 40);
	set_count(&t, 0, 1, 0, 4);
	set_count(&t, 0, 2, 0, 30);
	sdc_fill_totals(&t);
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	for (int j = 0; j <= 3; j++)
		assert_int_equal(suppressed(cell_at(&t, 0, j, 0)),
		    suppressed(cell_at(&t, 1, j, 0)));
	assert_true(suppressed(cell_at(&t, 0, 1, 0)));
	assert_true(suppressed(cell_at(&t, 0, 2, 0)));
	check_relations(&t);
	sdc_table_free(&t);

	/* No dimensions: one cell, primary rule only, no LP. */
	assert_int_equal(sdc_table_init(&t, 0, NULL), 0);
	sdc_set_cell(&t, NULL, 4, 4, 0);
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	assert_int_equal(rep.published, 0);
	assert_int_equal(rep.by_status[SDC_FREQUENCY], 1);
	assert_true(isinf(t.cells[0].upper));
	sdc_set_cell(&t, NULL, 40, 40, 0x12345678);
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	assert_int_equal(rep.published, 1);
	/* Published with its noise: at most 2 units, 30% of one's share. */
	assert_true(labs(t.cells[0].pub_units - 40) <= 2);
	assert_true(fabs(t.cells[0].pub_value - 40) <= 0.3 + 1e-9);
	sdc_table_free(&t);
}

static void
test_rounding(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	struct sdc_report rep;
	int shape[2] = { 3, 3 };
	const long n[3][3] = { { 12, 23, 31 }, { 44, 3, 17 }, { 28, 19, 52 } };

	(void)state;
	sdc_rules_defaults(&r);
	r.round_base = 5;
	r.noise_count = 0;	/* rounding alone here; noise: test_noise */
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	t.count = true;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			set_count(&t, i, j, 0, n[i][j]);
	sdc_fill_totals(&t);
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	assert_true(rep.rounded);
	for (size_t i = 0; i < t.ncells; i++) {
		const struct sdc_cell *c = &t.cells[i];

		if (suppressed(c)) {
			assert_int_equal(c->pub_units, 0);
			assert_true(c->pub_value == 0);
			continue;
		}
		assert_int_equal(c->pub_units % 5, 0);
		assert_true(fmod(c->pub_value, 5) == 0);
		assert_true(labs(c->pub_units - c->units) <= 2);
	}
	/*
	 * The 3 is hidden, and with it (secondary) 19, 17, 28, 31 and 12.
	 * Published: 23 -> 25, 44 -> 45, 52 -> 50, row totals 66 -> 65,
	 * 64 -> 65, 99 -> 100.
	 */
	assert_true(suppressed(cell_at(&t, 1, 1, 0)));
	assert_int_equal(rep.by_status[SDC_SECONDARY], 5);
	assert_int_equal(cell_at(&t, 0, 1, 0)->pub_units, 25);
	assert_int_equal(cell_at(&t, 1, 0, 0)->pub_units, 45);
	assert_true(cell_at(&t, 2, 2, 0)->pub_value == 50);
	assert_int_equal(cell_at(&t, 0, 3, 0)->pub_units, 65);
	assert_int_equal(cell_at(&t, 1, 3, 0)->pub_units, 65);
	assert_int_equal(cell_at(&t, 2, 3, 0)->pub_units, 100);
	/* Grand total 229 -> 230. */
	assert_int_equal(cell_at(&t, 3, 3, 0)->pub_units, 230);
	check_relations(&t);
	sdc_table_free(&t);
}

/*
 * The attack the continuous audit missed: two secret cells of a row that
 * sum to 2 are each 1, because a cell secret for its frequency holds at
 * least one unit, and units are whole. The LP relaxation gave [0, 2] and
 * passed; the integer program gives exactly 1 and repairs.
 */
static void
test_integer_attack(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	struct sdc_report rep;
	int shape[2] = { 3, 3 };
	const long n[3][3] = { { 1, 1, 30 }, { 1, 1, 40 }, { 20, 25, 35 } };
	size_t checked, failed;

	(void)state;
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 2, shape), 0);
	t.count = true;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			set_count(&t, i, j, 0, n[i][j]);
	sdc_fill_totals(&t);
	sdc_primary(&t, &r);
	sdc_secondary(&t);
	assert_int_equal(sdc_audit(&t, &r, &checked, &failed), 0);
	assert_int_equal(failed, 4);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->ulower - 1) < 1e-6);
	assert_true(fabs(cell_at(&t, 0, 0, 0)->uupper - 1) < 1e-6);

	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			const struct sdc_cell *c = cell_at(&t, i, j, 0);

			assert_true(suppressed(c));
			/* ceil(10 / 2) whole numbers at least: width >= 4. */
			assert_true(c->uupper - c->ulower >= 4 - 1e-9);
		}
	check_relations(&t);
	sdc_table_free(&t);
}

/*
 * Cell-key noise: a function of the key alone (the same units, the same
 * noise), within -d .. d, spread evenly; eta within [-1, 1) and not the
 * count noise in disguise.
 */
static void
test_noise(void **state)
{
	long seen[5] = { 0 };
	uint32_t k = 1;
	double lo = 1, hi = -1;
	int same = 0;

	(void)state;
	for (int i = 0; i < 50000; i++) {
		int e;
		double eta;

		k = k * 1664525u + 1013904223u;
		e = cellkey_count_noise(k, 2);
		assert_true(e >= -2 && e <= 2);
		assert_int_equal(e, cellkey_count_noise(k, 2));
		seen[e + 2]++;
		eta = cellkey_eta(k);
		assert_true(eta >= -1 && eta < 1);
		assert_true(eta == cellkey_eta(k));
		lo = eta < lo ? eta : lo;
		hi = eta > hi ? eta : hi;
		same += (eta > 0) == (e > 0);
	}
	for (int i = 0; i < 5; i++)
		assert_true(seen[i] > 9000 && seen[i] < 11000);
	assert_true(lo < -0.99 && hi > 0.99);
	assert_true(same > 20000 && same < 30000);
	assert_int_equal(cellkey_count_noise(12345, 0), 0);
}

static uint32_t
lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static void
test_large(void **state)
{
	struct sdc_table t;
	struct sdc_rules r;
	struct sdc_report rep;
	int shape[3] = { 10, 8, 5 }, coord[3];
	uint32_t seed = 42;
	clock_t start = clock();
	size_t primary;

	(void)state;
	sdc_rules_defaults(&r);
	assert_int_equal(sdc_table_init(&t, 3, shape), 0);
	t.magnitude = true;
	/*
	 * Magnitude microdata: 0..39 units per inner cell, contributions
	 * 1..100, and now and then one large contributor to set off the
	 * dominance and p% rules.
	 */
	for (coord[0] = 0; coord[0] < 10; coord[0]++)
		for (coord[1] = 0; coord[1] < 8; coord[1]++)
			for (coord[2] = 0; coord[2] < 5; coord[2]++) {
				int units = (int)(lcg(&seed) % 40);

				for (int k = 0; k < units; k++)
					sdc_add_unit(&t, coord,
					    1 + lcg(&seed) % 100, 0, 0);
				if (lcg(&seed) % 10 == 0)
					sdc_add_unit(&t, coord, 5000, 0, 0);
			}
	assert_int_equal(sdc_protect(&t, &r, &rep), 0);
	assert_true(rep.audit_ok);
	assert_false(rep.escalated);
	assert_int_equal(rep.cells, 594);
	primary = rep.by_status[SDC_FREQUENCY] + rep.by_status[SDC_DOMINANCE] +
	    rep.by_status[SDC_PPERCENT] + rep.by_status[SDC_IDENTICAL];
	assert_true(primary > 0);
	assert_int_equal(rep.audited, rep.cells - rep.published);
	assert_true(rep.published > 0);
	check_relations(&t);
	/* Generous for sanitizers; it takes well under a second normally. */
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 20);
	sdc_table_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add_unit),
		cmocka_unit_test(test_primary),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_integer_attack),
		cmocka_unit_test(test_noise),
		cmocka_unit_test(test_secondary),
		cmocka_unit_test(test_audit_exact),
		cmocka_unit_test(test_audit_repair),
		cmocka_unit_test(test_widen_total),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
