/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Statistical disclosure control of one table, after the ideas of τ-Argus.
 *
 * A table has up to SDC_MAX_DIMS dimensions and carries every marginal
 * total: coord[d] == ncat[d] is the total over dimension d, so a cell is
 * addressed the same way whether it is inner or a total. The lines of the
 * table are its relations: along dimension d, the inner cells sum to the
 * cell whose coord[d] is the total.
 *
 * Protection runs in four steps:
 *
 * 1. primary: a cell with too few units (minimum frequency), or whose
 *    largest contributions make up too much of it ((n,k)-dominance, the
 *    p%-rule), is suppressed.
 * 2. secondary: a relation with exactly one suppressed cell would give it
 *    away by subtraction, so a second cell (the smallest published one)
 *    is suppressed, until no relation has exactly one.
 * 3. audit: zero-or-two per relation is not enough (suppressions in
 *    different relations can still pin a cell down). An LP over the
 *    suppressed cells, with the published ones as constants, gives the
 *    interval an attacker can derive for each primary cell; the interval
 *    must reach the cell's protection level on both sides.
 * 4. repair: for a cell that fails, one more suppression per round in a
 *    relation whose constraint binds its bound (the LP's dual values say
 *    which), else next to it; after SDC_ROUNDS rounds everything but the
 *    grand total is suppressed. A table that cannot be audited (the LP
 *    fails, or takes longer than SDC_BUDGET) is never reported as safe.
 *
 * Only primary cells get an interval (lower, upper); every other cell
 * keeps its own value there.
 *
 * Values are non-negative in the ordinary case (counts, amounts); the LP
 * then bounds its variables below by 0, which is what an attacker knows.
 */
#include "meent.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lpsolve/lp_lib.h>

#define SDC_ROUNDS	20	/* repair rounds before escalating */
#define SDC_LP_TIMEOUT	5	/* seconds per LP solve */
#define SDC_BUDGET	120	/* seconds for all audits of one table */
#define SDC_NONE	SIZE_MAX

/* Relative slack for a bound that misses only through rounding noise. */
#define SDC_EPSILON	1e-7

static const char *sdc_status_names[] = {
	[SDC_SAFE] = "veilig",
	[SDC_FREQUENCY] = "frequentie",
	[SDC_DOMINANCE] = "dominantie",
	[SDC_PPERCENT] = "p-procent",
	[SDC_SECONDARY] = "secundair",
};

const char *
sdc_status_name(enum sdc_status s)
{
	if ((size_t)s >= nitems(sdc_status_names))
		return "onbekend";
	return sdc_status_names[s];
}

void
sdc_rules_defaults(struct sdc_rules *r)
{
	memset(r, 0, sizeof *r);
	r->min_frequency = 10;
	r->dominance_n = 1;
	r->dominance_k = 75;
	r->p_percent = 10;
	r->protection_percent = 30;
	r->round_base = 0;
}

/* Distance between neighbours along dimension d (row-major). */
static size_t
sdc_stride(const struct sdc_table *t, int d)
{
	size_t s = 1;

	for (int e = d + 1; e < t->ndims; e++)
		s *= (size_t)t->ncat[e] + 1;
	return s;
}

/*
 * Sets up t for ndims dimensions of ncat[d] categories, every cell zero.
 * The caller frees with sdc_table_free(). Returns -1, with t zeroed and
 * nothing allocated, for a shape out of range or over SDC_MAX_CELLS.
 */
int
sdc_table_init(struct sdc_table *t, int ndims, const int *ncat)
{
	size_t n = 1;

	memset(t, 0, sizeof *t);
	if (ndims < 0 || ndims > SDC_MAX_DIMS)
		return -1;
	for (int d = 0; d < ndims; d++) {
		if (ncat[d] < 1 || ncat[d] >= SDC_MAX_CELLS)
			return -1;
		n *= (size_t)ncat[d] + 1;
		if (n > SDC_MAX_CELLS)
			return -1;
	}
	t->ndims = ndims;
	for (int d = 0; d < ndims; d++)
		t->ncat[d] = ncat[d];
	t->ncells = n;
	t->cells = xcalloc(n, sizeof *t->cells);
	for (size_t i = 0; i < n; i++) {
		size_t rest = i;

		for (int d = ndims - 1; d >= 0; d--) {
			t->cells[i].coord[d] = rest % ((size_t)ncat[d] + 1);
			rest /= (size_t)ncat[d] + 1;
		}
	}
	return 0;
}

void
sdc_table_free(struct sdc_table *t)
{
	if (t == NULL)
		return;
	free(t->cells);
	t->cells = NULL;
	t->ncells = 0;
}

/* The cell at coord (totals allowed); coord is not read for ndims 0. */
size_t
sdc_index(const struct sdc_table *t, const int *coord)
{
	size_t i = 0;

	for (int d = 0; d < t->ndims; d++)
		i = i * ((size_t)t->ncat[d] + 1) + (size_t)coord[d];
	return i;
}

/* A coordinate out of range is a caller's bug, not bad input. */
static void
sdc_check_inner(const struct sdc_table *t, const int *coord)
{
	for (int d = 0; d < t->ndims; d++) {
		if (coord[d] < 0 || coord[d] >= t->ncat[d])
			fatal("sdc: coordinate %d out of range", coord[d]);
	}
}

/* Keeps the SDC_TOPN largest contributions, descending. */
static void
sdc_top_insert(struct sdc_cell *c, double x)
{
	int j;

	if (c->units < SDC_TOPN)
		j = (int)c->units;
	else if (x > c->top[SDC_TOPN - 1])
		j = SDC_TOPN - 1;
	else
		return;
	for (; j > 0 && c->top[j - 1] < x; j--)
		c->top[j] = c->top[j - 1];
	c->top[j] = x;
}

/*
 * One unit adds to its inner cell and to the 2^ndims - 1 totals it lies
 * in: bit d of mask moves coordinate d to the total. Called once per row
 * of microdata, so no allocation and no search.
 */
void
sdc_add_unit(struct sdc_table *t, const int *coord, double contribution)
{
	size_t base, off[SDC_MAX_DIMS];

	sdc_check_inner(t, coord);
	base = sdc_index(t, coord);
	for (int d = 0; d < t->ndims; d++)
		off[d] = (size_t)(t->ncat[d] - coord[d]) * sdc_stride(t, d);
	for (unsigned mask = 0; mask < (1u << t->ndims); mask++) {
		struct sdc_cell *c;
		size_t i = base;

		for (int d = 0; d < t->ndims; d++) {
			if (mask & (1u << d))
				i += off[d];
		}
		c = &t->cells[i];
		sdc_top_insert(c, contribution);
		c->value += contribution;
		c->units++;
	}
}

/* An aggregated table's inner cell; totals come from sdc_fill_totals(). */
void
sdc_set_cell(struct sdc_table *t, const int *coord, double value, long units)
{
	struct sdc_cell *c;

	sdc_check_inner(t, coord);
	c = &t->cells[sdc_index(t, coord)];
	c->value = value;
	c->units = units;
}

static int
sdc_ntotals(const struct sdc_table *t, const struct sdc_cell *c)
{
	int n = 0;

	for (int d = 0; d < t->ndims; d++)
		n += c->coord[d] == t->ncat[d];
	return n;
}

/* Every total as the sum of its inner cells; no top[] (not microdata). */
void
sdc_fill_totals(struct sdc_table *t)
{
	size_t off[SDC_MAX_DIMS];

	for (size_t i = 0; i < t->ncells; i++) {
		if (sdc_ntotals(t, &t->cells[i]) > 0) {
			t->cells[i].value = 0;
			t->cells[i].units = 0;
		}
		memset(t->cells[i].top, 0, sizeof t->cells[i].top);
	}
	for (size_t i = 0; i < t->ncells; i++) {
		const struct sdc_cell *c = &t->cells[i];

		if (sdc_ntotals(t, c) > 0)
			continue;
		for (int d = 0; d < t->ndims; d++)
			off[d] = (size_t)(t->ncat[d] - c->coord[d]) *
			    sdc_stride(t, d);
		for (unsigned mask = 1; mask < (1u << t->ndims); mask++) {
			size_t j = i;

			for (int d = 0; d < t->ndims; d++) {
				if (mask & (1u << d))
					j += off[d];
			}
			t->cells[j].value += c->value;
			t->cells[j].units += c->units;
		}
	}
}

/* The rule a cell breaks, or SDC_SAFE. */
static enum sdc_status
sdc_rule(const struct sdc_table *t, const struct sdc_rules *r,
    const struct sdc_cell *c)
{
	double x1, x2, sum;
	int n;

	if (c->units <= 0)
		return SDC_SAFE;	/* empty: nobody to disclose */
	if (c->units < r->min_frequency)
		return SDC_FREQUENCY;
	if (!t->magnitude || c->value <= 0)
		return SDC_SAFE;

	/* Only SDC_TOPN contributions are kept: n is capped there. */
	n = r->dominance_n;
	if (n > SDC_TOPN)
		n = SDC_TOPN;
	if (n > c->units)
		n = (int)c->units;
	if (n > 0 && r->dominance_k > 0) {
		sum = 0;
		for (int i = 0; i < n; i++)
			sum += c->top[i];
		if (sum > r->dominance_k / 100 * c->value)
			return SDC_DOMINANCE;
	}

	/* The second largest contributor learns x1 to within p%. */
	if (r->p_percent > 0) {
		x1 = c->top[0];
		x2 = c->units >= 2 ? c->top[1] : 0;
		if (c->value - x1 - x2 < r->p_percent / 100 * x1)
			return SDC_PPERCENT;
	}
	return SDC_SAFE;
}

/* Marks every cell, totals included, anew; earlier suppression is reset. */
void
sdc_primary(struct sdc_table *t, const struct sdc_rules *r)
{
	for (size_t i = 0; i < t->ncells; i++) {
		struct sdc_cell *c = &t->cells[i];

		c->status = sdc_rule(t, r, c);
		c->lower = c->upper = c->value;
	}
}

static bool
sdc_is_primary(enum sdc_status s)
{
	return s == SDC_FREQUENCY || s == SDC_DOMINANCE || s == SDC_PPERCENT;
}

/*
 * The cells of the relation along d whose total is cell total: the inner
 * ones first, the total last. out has room for ncat[d] + 1.
 */
static size_t
sdc_relation(const struct sdc_table *t, int d, size_t total, size_t *out)
{
	size_t stride = sdc_stride(t, d);
	int n = t->ncat[d];

	for (int i = 0; i < n; i++)
		out[i] = total - (size_t)(n - i) * stride;
	out[n] = total;
	return (size_t)n + 1;
}

/* The total of the relation along d that cell i lies in. */
static size_t
sdc_relation_total(const struct sdc_table *t, int d, size_t i)
{
	return i + (size_t)(t->ncat[d] - t->cells[i].coord[d]) *
	    sdc_stride(t, d);
}

/*
 * Whether a is a better extra suppression than b: inner cells before
 * totals (a total hides a whole line's information), cells with units
 * before empty ones (an empty cell is often known to be empty, so hiding
 * it protects nothing), then the smallest value (the least information
 * lost), then the lowest index so the outcome is deterministic.
 */
static bool
sdc_better(const struct sdc_table *t, size_t a, size_t b)
{
	const struct sdc_cell *ca = &t->cells[a], *cb = &t->cells[b];
	int ta = sdc_ntotals(t, ca), tb = sdc_ntotals(t, cb);
	bool ea = ca->units <= 0, eb = cb->units <= 0;

	if (ta != tb)
		return ta < tb;
	if (ea != eb)
		return !ea;
	if (ca->value != cb->value)
		return ca->value < cb->value;
	return a < b;
}

/* The best published cell among n, or SDC_NONE. */
static size_t
sdc_pick(const struct sdc_table *t, const size_t *cells, size_t n,
    size_t best)
{
	for (size_t i = 0; i < n; i++) {
		if (t->cells[cells[i]].status != SDC_SAFE)
			continue;
		if (best == SDC_NONE || sdc_better(t, cells[i], best))
			best = cells[i];
	}
	return best;
}

static size_t
sdc_max_ncat(const struct sdc_table *t)
{
	int m = 0;

	for (int d = 0; d < t->ndims; d++)
		if (t->ncat[d] > m)
			m = t->ncat[d];
	return (size_t)m;
}

/*
 * One pass over every relation, in a fixed order: a relation with exactly
 * one suppressed cell gets a second at once, so later relations in the
 * same pass see it. Returns whether anything changed.
 */
static bool
sdc_secondary_pass(struct sdc_table *t, size_t *rel)
{
	bool changed = false;

	for (int d = 0; d < t->ndims; d++) {
		for (size_t i = 0; i < t->ncells; i++) {
			size_t n, nsupp = 0, pick;

			if (t->cells[i].coord[d] != t->ncat[d])
				continue;
			n = sdc_relation(t, d, i, rel);
			for (size_t k = 0; k < n; k++)
				nsupp += t->cells[rel[k]].status != SDC_SAFE;
			if (nsupp != 1)
				continue;
			/*
			 * With ncat[d] == 1 the only other cell is the total,
			 * the same number: picking it is forced.
			 */
			pick = sdc_pick(t, rel, n, SDC_NONE);
			if (pick != SDC_NONE) {
				t->cells[pick].status = SDC_SECONDARY;
				changed = true;
			}
		}
	}
	return changed;
}

/* Until no relation has exactly one suppressed cell. */
void
sdc_secondary(struct sdc_table *t)
{
	size_t *rel;

	if (t->ndims == 0)
		return;
	rel = xreallocarray(NULL, sdc_max_ncat(t) + 1, sizeof *rel);
	while (sdc_secondary_pass(t, rel))
		;
	free(rel);
}

/* The smallest value any cell can take: what the attacker assumes. */
static double
sdc_lowest(const struct sdc_table *t)
{
	for (size_t i = 0; i < t->ncells; i++) {
		if (t->cells[i].value < 0)
			return -INFINITY;
	}
	return 0;
}

/*
 * How far the interval must reach either side of the cell's value. For a
 * small count, a share of the value but at least one unit. For a magnitude
 * cell, also enough that the second largest contributor, subtracting its
 * own share from the upper bound, cannot get within p% of the largest:
 * the p%-rule's shortfall, p/100 * x1 - (v - x1 - x2).
 */
static double
sdc_protection(const struct sdc_rules *r, const struct sdc_cell *c)
{
	double p, x1, x2, need;

	if (c->status == SDC_FREQUENCY) {
		p = r->protection_percent / 100 * fabs(c->value);
		return p > 1 ? p : 1;
	}
	x1 = c->top[0];
	x2 = c->units >= 2 ? c->top[1] : 0;
	p = r->protection_percent / 100 * c->value;
	need = r->p_percent / 100 * x1 - (c->value - x1 - x2);
	return p > need ? p : need;
}

/* Whether a primary cell's audited interval is wide enough. */
static bool
sdc_passes(const struct sdc_rules *r, const struct sdc_cell *c,
    double lowest)
{
	double v = c->value, p = sdc_protection(r, c), low;
	double eps = SDC_EPSILON * (fabs(v) > 1 ? fabs(v) : 1);

	low = v - p > lowest ? v - p : lowest;
	return c->upper >= v + p - eps && c->lower <= low + eps;
}

/*
 * The LP: one column per suppressed cell (col[i], from 1), one equality
 * per relation that holds one: sum of the suppressed inner cells minus the
 * suppressed total equals what the published cells leave over. rows, if
 * not NULL, gets each row's relation as total * SDC_MAX_DIMS + d; it has
 * room for ndims per cell. Returns NULL if lp_solve cannot make it; the
 * caller deletes it.
 */
static lprec *
sdc_audit_lp(const struct sdc_table *t, const int *col, int ncols,
    double lowest, size_t *rows)
{
	size_t m = sdc_max_ncat(t) + 1, *rel, n;
	REAL *row, rhs;
	int *colno, k;
	lprec *lp;

	if ((lp = make_lp(0, ncols)) == NULL)
		return NULL;
	set_verbose(lp, NEUTRAL);
	set_timeout(lp, SDC_LP_TIMEOUT);
	rel = xreallocarray(NULL, m, sizeof *rel);
	row = xreallocarray(NULL, m, sizeof *row);
	colno = xreallocarray(NULL, m, sizeof *colno);
	set_add_rowmode(lp, TRUE);
	for (int d = 0; d < t->ndims; d++) {
		for (size_t i = 0; i < t->ncells; i++) {
			if (t->cells[i].coord[d] != t->ncat[d])
				continue;
			n = sdc_relation(t, d, i, rel);
			k = 0;
			rhs = 0;
			for (size_t j = 0; j < n; j++) {
				const struct sdc_cell *c = &t->cells[rel[j]];
				double sign = j == n - 1 ? -1 : 1;

				if (c->status == SDC_SAFE)
					rhs -= sign * c->value;
				else {
					row[k] = sign;
					colno[k++] = col[rel[j]];
				}
			}
			if (k == 0)
				continue;
			if (!add_constraintex(lp, k, row, colno, EQ, rhs))
				goto fail;
			if (rows != NULL)
				*rows++ = i * SDC_MAX_DIMS + (size_t)d;
		}
	}
	set_add_rowmode(lp, FALSE);
	if (lowest < 0) {
		for (int j = 1; j <= ncols; j++)
			set_unbounded(lp, j);
	}
	free(rel);
	free(row);
	free(colno);
	return lp;

fail:
	free(rel);
	free(row);
	free(colno);
	delete_lp(lp);
	return NULL;
}

static double
sdc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool
sdc_solved(int ret)
{
	return ret == OPTIMAL || ret == SUBOPTIMAL || ret == PRESOLVED ||
	    ret == UNBOUNDED;
}

/*
 * The extreme of column j, maximised or minimised, into *out (±INFINITY if
 * unbounded). SUBOPTIMAL is kept: for a maximum it is below the true one,
 * for a minimum above, so the check only gets stricter. lp_solve now and
 * then loses its way from the previous basis (a spurious INFEASIBLE, where
 * the true values are always a solution): one retry from the slack basis.
 * Returns -1 when there is still no answer, or the time is up: the audit
 * then fails, it never passes.
 */
static int
sdc_audit_extreme(lprec *lp, int j, bool maximise, double deadline,
    double *out)
{
	double inf = get_infinite(lp), left;
	int ret = NOTRUN;

	if (maximise)
		set_maxim(lp);
	else
		set_minim(lp);
	set_obj(lp, j, 1.0);
	for (int try = 0; try < 2 && !sdc_solved(ret); try++) {
		if ((left = deadline - sdc_now()) < 1)
			break;
		set_timeout(lp, left < SDC_LP_TIMEOUT ? (long)left :
		    SDC_LP_TIMEOUT);
		if (try > 0)
			default_basis(lp);
		ret = solve(lp);
	}
	set_obj(lp, j, 0.0);
	if (!sdc_solved(ret))
		return -1;
	if (ret == UNBOUNDED) {
		*out = maximise ? INFINITY : -INFINITY;
		return 0;
	}
	*out = get_objective(lp);
	if (*out >= inf)
		*out = INFINITY;
	else if (*out <= -inf)
		*out = -INFINITY;
	return 0;
}

/*
 * Audits the primary cells; all: every one afresh, else only those whose
 * stored interval falls short. That is enough in the repair rounds, since
 * suppressing more only turns constants into variables: an interval
 * can only widen, so a cell that passed keeps passing, with its older,
 * narrower interval as a conservative record. *checked counts the primary
 * cells, *failed those too narrow. Returns -1 if the LP could not be
 * built or solved, or ran past the deadline (the counts are then partial
 * and the table must not be published).
 */
static int
sdc_audit_run(struct sdc_table *t, const struct sdc_rules *r, bool all,
    double deadline, size_t *checked, size_t *failed)
{
	double lowest = sdc_lowest(t);
	int *col, ncols = 0, ret = 0;
	lprec *lp = NULL;

	*checked = *failed = 0;
	for (size_t i = 0; all && i < t->ncells; i++)
		t->cells[i].lower = t->cells[i].upper = t->cells[i].value;
	if (t->ndims == 0) {
		/* The lone cell is in no relation: nothing narrows it. */
		if (t->cells[0].status != SDC_SAFE) {
			t->cells[0].lower = lowest;
			t->cells[0].upper = INFINITY;
		}
		return 0;
	}

	col = xcalloc(t->ncells, sizeof *col);
	for (size_t i = 0; i < t->ncells; i++) {
		if (t->cells[i].status != SDC_SAFE)
			col[i] = ++ncols;
	}
	for (size_t i = 0; i < t->ncells; i++) {
		struct sdc_cell *c = &t->cells[i];

		if (!sdc_is_primary(c->status))
			continue;
		(*checked)++;
		if (!all && sdc_passes(r, c, lowest))
			continue;
		if (lp == NULL &&
		    (lp = sdc_audit_lp(t, col, ncols, lowest, NULL)) == NULL) {
			ret = -1;
			goto out;
		}
		if (sdc_audit_extreme(lp, col[i], false, deadline,
		    &c->lower) != 0 ||
		    sdc_audit_extreme(lp, col[i], true, deadline,
		    &c->upper) != 0) {
			ret = -1;
			goto out;
		}
		if (!sdc_passes(r, c, lowest))
			(*failed)++;
	}

out:
	if (lp != NULL)
		delete_lp(lp);
	free(col);
	return ret;
}

/*
 * Audits every primary cell: its interval goes into lower and upper (the
 * other cells get their own value there). *checked counts the cells
 * audited, *failed those too narrow. Returns -1 if the LP could not be
 * built or solved (the counts are then partial and the table must not be
 * published).
 */
int
sdc_audit(struct sdc_table *t, const struct sdc_rules *r, size_t *checked,
    size_t *failed)
{
	return sdc_audit_run(t, r, true, sdc_now() + SDC_BUDGET, checked,
	    failed);
}

/*
 * For repair, whether a beats b next to a cell whose interval falls short
 * by need. The position comes first as in sdc_better(); then a cell that
 * can absorb the shortfall (moving need from the primary cell to it keeps
 * both non-negative), the smallest such; failing that the largest, which
 * gets the furthest. Always taking the smallest, a cell dominated by one
 * large contributor needs many rounds of tiny suppressions.
 */
static bool
sdc_widen_better(const struct sdc_table *t, size_t a, size_t b, double need)
{
	const struct sdc_cell *ca = &t->cells[a], *cb = &t->cells[b];
	int ta = sdc_ntotals(t, ca), tb = sdc_ntotals(t, cb);
	bool ea = ca->units <= 0, eb = cb->units <= 0;
	bool fa = ca->value >= need, fb = cb->value >= need;

	if (ta != tb)
		return ta < tb;
	if (ea != eb)
		return !ea;
	if (fa != fb)
		return fa;
	if (ca->value != cb->value)
		return fa ? ca->value < cb->value : ca->value > cb->value;
	return a < b;
}

/* How far a failing primary cell's interval falls short. */
static double
sdc_shortfall(const struct sdc_rules *r, const struct sdc_cell *c,
    double lowest)
{
	double v = c->value, p = sdc_protection(r, c);
	double low = v - p > lowest ? v - p : lowest;
	double up = v + p - c->upper, down = c->lower - low;

	return up > down ? up : down;
}

/*
 * The relation through cell i that caps its upper bound most: with its
 * total published, the cell can rise by at most the other suppressed
 * inner cells' values (*cap); with its total suppressed, not at all.
 */
static int
sdc_bottleneck(const struct sdc_table *t, size_t i, size_t *rel, double *cap)
{
	int best = -1;

	*cap = INFINITY;
	for (int d = 0; d < t->ndims; d++) {
		size_t n = sdc_relation(t, d, sdc_relation_total(t, d, i), rel);
		double sum = 0;

		if (t->cells[rel[n - 1]].status != SDC_SAFE)
			continue;
		for (size_t k = 0; k + 1 < n; k++) {
			if (rel[k] != i && t->cells[rel[k]].status != SDC_SAFE)
				sum += t->cells[rel[k]].value;
		}
		if (sum < *cap) {
			*cap = sum;
			best = d;
		}
	}
	return best;
}

/* The best published cell for repair in the relation along d at total. */
static size_t
sdc_widen_pick(const struct sdc_table *t, int d, size_t total, double need,
    size_t *rel, size_t pick)
{
	size_t n = sdc_relation(t, d, total, rel);

	for (size_t k = 0; k < n; k++) {
		if (t->cells[rel[k]].status != SDC_SAFE)
			continue;
		if (pick == SDC_NONE || sdc_widen_better(t, rel[k], pick, need))
			pick = rel[k];
	}
	return pick;
}

/*
 * Where the LP says cell i is held: solve its short side again and take
 * the relations whose rows have a dual value, the constraints that bind.
 * Suppressing a published cell there loosens that row. The binding row is
 * often not through the cell itself (a partner's other relation, a total
 * further out), which a search next to the cell never finds. Returns
 * SDC_NONE if the LP gives no answer.
 */
static size_t
sdc_widen_dual(const struct sdc_table *t, lprec *lp, const size_t *rows,
    int col, bool maximise, double need, double deadline, size_t *rel)
{
	REAL *duals;
	double bound;
	size_t pick = SDC_NONE;
	int nrows = get_Nrows(lp);

	if (sdc_audit_extreme(lp, col, maximise, deadline, &bound) != 0 ||
	    isinf(bound) || !get_ptr_sensitivity_rhs(lp, &duals, NULL, NULL))
		return SDC_NONE;
	for (int k = 0; k < nrows; k++) {
		if (fabs(duals[k]) < 1e-9)
			continue;
		pick = sdc_widen_pick(t, (int)(rows[k] % SDC_MAX_DIMS),
		    rows[k] / SDC_MAX_DIMS, need, rel, pick);
	}
	return pick;
}

/*
 * Next to the cell only: when one relation alone keeps it from rising far
 * enough, the extra cell goes there (its total, if no inner cell is
 * left); otherwise any relation through it will do.
 */
static size_t
sdc_widen_near(const struct sdc_table *t, const struct sdc_rules *r,
    size_t i, double lowest, size_t *rel)
{
	const struct sdc_cell *c = &t->cells[i];
	double p = sdc_protection(r, c), cap, need;
	size_t pick = SDC_NONE;
	int d;

	d = sdc_bottleneck(t, i, rel, &cap);
	if (d >= 0 && c->upper < c->value + p && cap < p)
		return sdc_widen_pick(t, d, sdc_relation_total(t, d, i),
		    p - cap, rel, SDC_NONE);
	need = sdc_shortfall(r, c, lowest);
	for (d = 0; d < t->ndims; d++)
		pick = sdc_widen_pick(t, d, sdc_relation_total(t, d, i),
		    need, rel, pick);
	return pick;
}

/*
 * One more suppression for each failing primary cell: where the LP's
 * binding rows say, else next to the cell. The LP is built once per round
 * from the table as it was; cells suppressed during the round stay
 * constants in it, which only makes later picks in the round cautious.
 * Returns how many were added.
 */
static size_t
sdc_widen(struct sdc_table *t, const struct sdc_rules *r, double deadline,
    size_t *rel)
{
	double lowest = sdc_lowest(t), p;
	size_t added = 0, pick, *rows;
	int *col, ncols = 0;
	lprec *lp;

	col = xcalloc(t->ncells, sizeof *col);
	rows = xreallocarray(NULL, t->ncells, (size_t)t->ndims * sizeof *rows);
	for (size_t i = 0; i < t->ncells; i++) {
		if (t->cells[i].status != SDC_SAFE)
			col[i] = ++ncols;
	}
	lp = sdc_audit_lp(t, col, ncols, lowest, rows);
	for (size_t i = 0; i < t->ncells; i++) {
		const struct sdc_cell *c = &t->cells[i];

		if (!sdc_is_primary(c->status) || sdc_passes(r, c, lowest))
			continue;
		p = sdc_protection(r, c);
		pick = SDC_NONE;
		if (lp != NULL && col[i] > 0)
			pick = sdc_widen_dual(t, lp, rows, col[i],
			    c->upper < c->value + p, sdc_shortfall(r, c,
			    lowest), deadline, rel);
		if (pick == SDC_NONE)
			pick = sdc_widen_near(t, r, i, lowest, rel);
		if (pick != SDC_NONE) {
			t->cells[pick].status = SDC_SECONDARY;
			added++;
		}
	}
	if (lp != NULL)
		delete_lp(lp);
	free(rows);
	free(col);
	return added;
}

/* The last resort: only the grand total may still be published. */
static void
sdc_escalate(struct sdc_table *t)
{
	size_t grand = t->ncells - 1;	/* every coordinate a total */

	for (size_t i = 0; i < grand; i++) {
		if (t->cells[i].status == SDC_SAFE)
			t->cells[i].status = SDC_SECONDARY;
	}
}

static long
sdc_round_long(long v, long base)
{
	long q = (v >= 0 ? v + base / 2 : v - base / 2) / base;

	return q * base;
}

/*
 * Published figures. Rounding happens after the audit, which saw exact
 * values: rounding published cells only widens what an attacker can
 * derive, so the audited intervals stay a lower bound on protection.
 */
static void
sdc_publish(struct sdc_table *t, const struct sdc_rules *r,
    struct sdc_report *rep)
{
	rep->cells = t->ncells;
	rep->rounded = r->round_base > 0;
	for (size_t i = 0; i < t->ncells; i++) {
		struct sdc_cell *c = &t->cells[i];

		rep->by_status[c->status]++;
		if (c->status != SDC_SAFE) {
			c->pub_value = 0;
			c->pub_units = 0;
			continue;
		}
		rep->published++;
		c->pub_value = c->value;
		c->pub_units = c->units;
		if (r->round_base > 0) {
			c->pub_units = sdc_round_long(c->units, r->round_base);
			if (t->count)
				c->pub_value = round(c->value / r->round_base) *
				    r->round_base;
		}
	}
}

/*
 * The whole pipeline; rep is overwritten, t's statuses and published
 * figures are set. Returns 0, or -1 if the LP failed or the time ran out,
 * and then rep->audit_ok is false: the caller must not publish. A table
 * that still fails after escalation comes back with audit_ok false too.
 */
int
sdc_protect(struct sdc_table *t, const struct sdc_rules *r,
    struct sdc_report *rep)
{
	size_t checked, failed, *rel = NULL;
	double deadline = sdc_now() + SDC_BUDGET;
	int ret;

	memset(rep, 0, sizeof *rep);
	sdc_primary(t, r);
	sdc_secondary(t);
	ret = sdc_audit_run(t, r, true, deadline, &checked, &failed);
	if (t->ndims > 0)
		rel = xreallocarray(NULL, sdc_max_ncat(t) + 1, sizeof *rel);
	for (int pass = 0; ret == 0 && failed > 0 && pass < SDC_ROUNDS;
	    pass++) {
		if (sdc_widen(t, r, deadline, rel) == 0)
			break;
		sdc_secondary(t);
		ret = sdc_audit_run(t, r, false, deadline, &checked, &failed);
	}
	if (ret == 0 && failed > 0) {
		sdc_escalate(t);
		rep->escalated = true;
		sdc_secondary(t);
		ret = sdc_audit_run(t, r, false, deadline, &checked, &failed);
	}
	free(rel);
	sdc_publish(t, r, rep);
	rep->audited = checked;
	rep->audit_ok = ret == 0 && failed == 0;
	return ret;
}
