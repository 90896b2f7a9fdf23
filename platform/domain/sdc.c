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
 * Units are persons (dataset.c groups rows per person before they come
 * here) or, without an identifying column, rows. Protection runs in five
 * steps:
 *
 * 1. primary: a cell with too few units (minimum frequency), whose largest
 *    contributions make up too much of it ((n,k)-dominance), whose largest
 *    contributor a coalition of the next ones could estimate too closely
 *    (the p%-rule against a coalition), or whose contributions are all the
 *    same (each then equals the mean: all zero, or one amount for all) is
 *    suppressed.
 * 2. secondary: a relation with exactly one suppressed cell would give it
 *    away by subtraction, so a second cell (the smallest published one)
 *    is suppressed, until no relation has exactly one.
 * 3. audit, with what an attacker knows (the rules are public): zero-or-two
 *    per relation is not enough. Two audits, each an LP over the suppressed
 *    cells with the published ones as constants:
 *    - of the units (every table): counts are whole numbers; a cell secret
 *      for its frequency holds 1 .. min_frequency - 1 units; any other
 *      secret cell at least min_frequency (an empty cell is never made
 *      secret: it would protect nothing, and its "none or many" would be
 *      an either-or an attacker could use). An integer program then gives
 *      each secret cell the interval an attacker can derive; a frequency
 *      cell's must hold at least ceil(min_frequency / 2) whole numbers;
 *    - of the values (tables of amounts): the interval of every primary
 *      cell must reach its protection level on both sides.
 * 4. repair: for a cell that fails, one more suppression per round in a
 *    relation whose constraint binds its bound (the LP's dual values say
 *    which), else next to it; after SDC_ROUNDS rounds everything but the
 *    grand total is suppressed. A table that cannot be audited (the LP
 *    fails, or takes longer than SDC_BUDGET) is never reported as safe.
 * 5. publication: published cells get cell-key noise (cellkey.c), the same
 *    for the same units in every table, so that tables compared across
 *    releases show a person's value only to within the noise. The audit saw
 *    exact values: noise only widens what anyone can derive.
 *
 * Values are non-negative in the ordinary case (counts, amounts); the LP
 * then bounds its variables below by 0, which is what an attacker knows.
 */
#include "domain/domain.h"

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

/* What an audit looks at: the values, or the units (whole numbers). */
enum sdc_view { SDC_VIEW_VALUE, SDC_VIEW_UNITS };

static const char *sdc_status_names[] = {
	[SDC_SAFE] = "veilig",
	[SDC_FREQUENCY] = "frequentie",
	[SDC_DOMINANCE] = "dominantie",
	[SDC_PPERCENT] = "p-procent",
	[SDC_IDENTICAL] = "identiek",
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
	r->dominance_n = 2;
	r->dominance_k = 85;
	r->p_percent = 10;
	r->coalition = 2;
	r->protection_percent = 30;
	r->round_base = 0;
	r->noise_count = 2;
	r->noise_magnitude = 30;
}

/* The instance's rules, from its configuration (the sdc_* keys). */
void
sdc_rules_config(const struct config *cfg, struct sdc_rules *r)
{
	sdc_rules_defaults(r);
	r->min_frequency = cfg->sdc_min_frequency;
	r->dominance_n = cfg->sdc_dominance_n;
	r->dominance_k = cfg->sdc_dominance_k;
	r->p_percent = cfg->sdc_p_percent;
	r->coalition = cfg->sdc_coalition;
	r->protection_percent = cfg->sdc_protection_percent;
	r->round_base = cfg->sdc_round_base;
	r->noise_count = cfg->sdc_noise_count;
	r->noise_magnitude = cfg->sdc_noise_magnitude;
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
 * One unit (a person, or a row) adds to its inner cell and to the
 * 2^ndims - 1 totals it lies in: bit d of mask moves coordinate d to the
 * total. rkey is its record key (cellkey.c), summed into each cell's key;
 * vkey its value key, summed into the key of the cell's amount noise.
 * Called once per unit, so no allocation and no search.
 */
void
sdc_add_unit(struct sdc_table *t, const int *coord, double contribution,
    uint32_t rkey, uint32_t vkey)
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
		if (c->units == 0 || contribution < c->low)
			c->low = contribution;
		c->value += contribution;
		c->units++;
		c->ckey += rkey;	/* modulo 2^32 */
		c->vkey += vkey;
	}
}

/*
 * An aggregated table's inner cell, with its cell key; totals come from
 * sdc_fill_totals().
 */
void
sdc_set_cell(struct sdc_table *t, const int *coord, double value, long units,
    uint32_t ckey)
{
	struct sdc_cell *c;

	sdc_check_inner(t, coord);
	c = &t->cells[sdc_index(t, coord)];
	c->value = value;
	c->units = units;
	c->ckey = ckey;
}

static int
sdc_ntotals(const struct sdc_table *t, const struct sdc_cell *c)
{
	int n = 0;

	for (int d = 0; d < t->ndims; d++)
		n += c->coord[d] == t->ncat[d];
	return n;
}

/*
 * Every total as the sum of its inner cells, its key the sum of theirs;
 * no top[] (not microdata).
 */
void
sdc_fill_totals(struct sdc_table *t)
{
	size_t off[SDC_MAX_DIMS];

	for (size_t i = 0; i < t->ncells; i++) {
		if (sdc_ntotals(t, &t->cells[i]) > 0) {
			t->cells[i].value = 0;
			t->cells[i].units = 0;
			t->cells[i].ckey = 0;
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
			t->cells[j].ckey += c->ckey;
		}
	}
}

/*
 * What the largest contributor's value is hidden by from a coalition of
 * the next r->coalition contributors: everything else in the cell.
 */
static double
sdc_coalition_rest(const struct sdc_rules *r, const struct sdc_cell *c)
{
	double rest = c->value;
	int n = r->coalition + 1;

	if (n > SDC_TOPN)
		n = SDC_TOPN;
	if (n > c->units)
		n = (int)c->units;
	for (int i = 0; i < n; i++)
		rest -= c->top[i];
	return rest > 0 ? rest : 0;
}

/* The rule a cell breaks, or SDC_SAFE. */
static enum sdc_status
sdc_rule(const struct sdc_table *t, const struct sdc_rules *r,
    const struct sdc_cell *c)
{
	double sum;
	int n;

	if (c->units <= 0)
		return SDC_SAFE;	/* empty: nobody to disclose */
	if (c->units < r->min_frequency)
		return SDC_FREQUENCY;
	if (!t->magnitude)
		return SDC_SAFE;
	/* All the same (all zero, say): each person's value is the mean. */
	if (c->top[0] == c->low)
		return SDC_IDENTICAL;
	if (c->value <= 0)
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

	/* A coalition of the next contributors learns x1 to within p%. */
	if (r->p_percent > 0 &&
	    sdc_coalition_rest(r, c) < r->p_percent / 100 * c->top[0])
		return SDC_PPERCENT;
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
		c->ulower = c->uupper = (double)c->units;
	}
}

static bool
sdc_is_primary(enum sdc_status s)
{
	return s == SDC_FREQUENCY || s == SDC_DOMINANCE ||
	    s == SDC_PPERCENT || s == SDC_IDENTICAL;
}

/* What view v of a cell is: its value, or its units. */
static double
sdc_quantity(const struct sdc_cell *c, enum sdc_view v)
{
	return v == SDC_VIEW_UNITS ? (double)c->units : c->value;
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

/*
 * The best published cell among n, or SDC_NONE. Never an empty one: hiding
 * it protects nothing, and the rule "a secret cell that is not small holds
 * at least min_frequency units" must hold for the audit (sdc_units_bounds).
 * A relation with a secret cell always has a non-empty total to take.
 */
static size_t
sdc_pick(const struct sdc_table *t, const size_t *cells, size_t n,
    size_t best)
{
	for (size_t i = 0; i < n; i++) {
		if (t->cells[cells[i]].status != SDC_SAFE ||
		    t->cells[cells[i]].units <= 0)
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
sdc_lowest(const struct sdc_table *t, enum sdc_view v)
{
	if (v == SDC_VIEW_UNITS)
		return 0;
	for (size_t i = 0; i < t->ncells; i++) {
		if (t->cells[i].value < 0)
			return -INFINITY;
	}
	return 0;
}

/* The mean contribution in the table: the scale of one person's amount. */
static double
sdc_mean_unit(const struct sdc_table *t)
{
	const struct sdc_cell *g = &t->cells[t->ncells - 1];

	return g->units > 0 ? fabs(g->value) / (double)g->units : 0;
}

/*
 * How far a primary cell's interval must reach either side of its value.
 * Units: a frequency cell's interval must hold ceil(min_frequency / 2)
 * whole numbers; other cells need nothing (their counts are not secret by
 * the rules). Values: for a small count, a share of the value but at least
 * one unit; for identical contributions, a share of the value or of a
 * typical person's amount (a cell of zeros must not be pinned to zero);
 * for a magnitude cell, also enough that the coalition, subtracting its
 * own share from the upper bound, cannot get within p% of the largest:
 * the p%-rule's shortfall, p/100 * x1 - rest.
 */
static double
sdc_protection(const struct sdc_table *t, const struct sdc_rules *r,
    const struct sdc_cell *c, enum sdc_view v)
{
	double p, need, typical;

	if (v == SDC_VIEW_UNITS) {
		if (c->status != SDC_FREQUENCY)
			return 0;
		/* Width hi - lo, as a reach either side of the middle. */
		return (ceil(r->min_frequency / 2.0) - 1) / 2;
	}
	p = r->protection_percent / 100 * fabs(c->value);
	if (c->status == SDC_FREQUENCY)
		return p > 1 ? p : 1;
	if (c->status == SDC_IDENTICAL) {
		typical = r->protection_percent / 100 * sdc_mean_unit(t);
		return p > typical ? p : typical;
	}
	need = r->p_percent / 100 * c->top[0] - sdc_coalition_rest(r, c);
	return p > need ? p : need;
}

/*
 * Whether a primary cell's audited interval is wide enough. For units, the
 * width counts (the range the rules already give, 1 .. t - 1, decides
 * where it lies); for values, each side must reach the level.
 */
static bool
sdc_passes(const struct sdc_table *t, const struct sdc_rules *r,
    const struct sdc_cell *c, enum sdc_view v, double lowest)
{
	double q = sdc_quantity(c, v), p = sdc_protection(t, r, c, v), low;
	double eps = SDC_EPSILON * (fabs(q) > 1 ? fabs(q) : 1);

	if (v == SDC_VIEW_UNITS)
		return c->uupper - c->ulower >= 2 * p - eps;
	low = q - p > lowest ? q - p : lowest;
	return c->upper >= q + p - eps && c->lower <= low + eps;
}

/*
 * What the rules tell an attacker about a secret cell's units: a frequency
 * cell holds 1 .. t - 1; any other secret cell passed the frequency rule
 * and is not empty (sdc_pick, sdc_escalate), so at least t; whole numbers
 * throughout. For a table of two dimensions the relations' matrix is
 * totally unimodular, so the LP's extremes are whole already; for three,
 * lp_solve's branch and bound finds them.
 */
static void
sdc_units_bounds(lprec *lp, const struct sdc_table *t,
    const struct sdc_rules *r, const int *col)
{
	double m = (double)t->cells[t->ncells - 1].units, tt = r->min_frequency;

	for (size_t i = 0; i < t->ncells; i++) {
		int j = col[i];

		if (j == 0)
			continue;
		if (t->ndims > 2)
			set_int(lp, j, TRUE);
		if (t->cells[i].status == SDC_FREQUENCY)
			set_bounds(lp, j, 1, tt - 1);
		else
			set_bounds(lp, j, tt, m > tt ? m : tt);
	}
}

/*
 * The LP: one column per suppressed cell (col[i], from 1), one equality
 * per relation that holds one: sum of the suppressed inner cells minus the
 * suppressed total equals what the published cells leave over. For the
 * units view, also what the rules say of each secret cell's units
 * (sdc_units_bounds). rows, if not NULL, gets each relation row's relation
 * as total * SDC_MAX_DIMS + d; it has room for ndims per cell. Returns
 * NULL if lp_solve cannot make it; the caller deletes it.
 */
static lprec *
sdc_audit_lp(const struct sdc_table *t, const struct sdc_rules *r,
    const int *col, int ncols, enum sdc_view v, double lowest, size_t *rows)
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
					rhs -= sign * sdc_quantity(c, v);
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
	if (v == SDC_VIEW_UNITS)
		sdc_units_bounds(lp, t, r, col);
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

/* Where view v keeps a cell's interval. */
static double *
sdc_lo(struct sdc_cell *c, enum sdc_view v)
{
	return v == SDC_VIEW_UNITS ? &c->ulower : &c->lower;
}

static double *
sdc_hi(struct sdc_cell *c, enum sdc_view v)
{
	return v == SDC_VIEW_UNITS ? &c->uupper : &c->upper;
}

/*
 * Audits the secret cells in view v; all: every one afresh, else only the
 * primary ones whose stored interval falls short. That is enough in the
 * repair rounds, since suppressing more only turns constants into
 * variables: an interval can only widen, so a cell that passed keeps
 * passing, with its older, narrower interval as a conservative record.
 * Secondary cells get their interval too (for the uploader's report).
 * *checked counts the secret cells audited, *failed the primary ones too
 * narrow. Returns -1 if the LP could not be built or solved, or ran past
 * the deadline (the counts are then partial and the table must not be
 * published).
 */
static int
sdc_audit_run(struct sdc_table *t, const struct sdc_rules *r,
    enum sdc_view v, bool all, double deadline, size_t *checked,
    size_t *failed)
{
	double lowest = sdc_lowest(t, v);
	int *col, ncols = 0, ret = 0;
	lprec *lp = NULL;

	*checked = *failed = 0;
	for (size_t i = 0; all && i < t->ncells; i++)
		*sdc_lo(&t->cells[i], v) = *sdc_hi(&t->cells[i], v) =
		    sdc_quantity(&t->cells[i], v);
	if (t->ndims == 0) {
		/* The lone cell is in no relation: nothing narrows it. */
		if (t->cells[0].status != SDC_SAFE) {
			*sdc_lo(&t->cells[0], v) = lowest;
			*sdc_hi(&t->cells[0], v) = INFINITY;
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
		bool primary = sdc_is_primary(c->status);

		if (c->status == SDC_SAFE || (!all && !primary))
			continue;
		(*checked)++;
		if (!all && sdc_passes(t, r, c, v, lowest))
			continue;
		if (lp == NULL && (lp = sdc_audit_lp(t, r, col, ncols, v,
		    lowest, NULL)) == NULL) {
			ret = -1;
			goto out;
		}
		if (sdc_audit_extreme(lp, col[i], false, deadline,
		    sdc_lo(c, v)) != 0 ||
		    sdc_audit_extreme(lp, col[i], true, deadline,
		    sdc_hi(c, v)) != 0) {
			ret = -1;
			goto out;
		}
		if (primary && !sdc_passes(t, r, c, v, lowest))
			(*failed)++;
	}

out:
	if (lp != NULL)
		delete_lp(lp);
	free(col);
	return ret;
}

/*
 * Audits every secret cell of t in both views (units always; values when
 * they are not the units): its intervals go into ulower/uupper and
 * lower/upper (published cells get their own figures there). *checked
 * counts the audits, *failed the primary cells too narrow. Returns -1 if
 * an LP could not be built or solved (the counts are then partial and the
 * table must not be published).
 */
int
sdc_audit(struct sdc_table *t, const struct sdc_rules *r, size_t *checked,
    size_t *failed)
{
	double deadline = sdc_now() + SDC_BUDGET;
	size_t c2 = 0, f2 = 0;
	int ret;

	ret = sdc_audit_run(t, r, SDC_VIEW_UNITS, true, deadline, checked,
	    failed);
	if (ret == 0 && !t->count)
		ret = sdc_audit_run(t, r, SDC_VIEW_VALUE, true, deadline, &c2,
		    &f2);
	*checked += c2;
	*failed += f2;
	return ret;
}

/*
 * For repair, whether a beats b next to a cell whose interval falls short
 * by need (in view v). The position comes first as in sdc_better(); then a
 * cell that can absorb the shortfall (moving need from the primary cell to
 * it keeps both non-negative), the smallest such; failing that the
 * largest, which gets the furthest. Always taking the smallest, a cell
 * dominated by one large contributor needs many rounds of tiny
 * suppressions.
 */
static bool
sdc_widen_better(const struct sdc_table *t, size_t a, size_t b, double need,
    enum sdc_view v)
{
	const struct sdc_cell *ca = &t->cells[a], *cb = &t->cells[b];
	int ta = sdc_ntotals(t, ca), tb = sdc_ntotals(t, cb);
	bool ea = ca->units <= 0, eb = cb->units <= 0;
	double qa = sdc_quantity(ca, v), qb = sdc_quantity(cb, v);
	bool fa = qa >= need, fb = qb >= need;

	if (ta != tb)
		return ta < tb;
	if (ea != eb)
		return !ea;
	if (fa != fb)
		return fa;
	if (qa != qb)
		return fa ? qa < qb : qa > qb;
	return a < b;
}

/* How far a failing primary cell's interval falls short, in view v. */
static double
sdc_shortfall(const struct sdc_table *t, const struct sdc_rules *r,
    struct sdc_cell *c, enum sdc_view v, double lowest)
{
	double q = sdc_quantity(c, v), p = sdc_protection(t, r, c, v);
	double low, up, down;

	if (v == SDC_VIEW_UNITS)
		return 2 * p - (c->uupper - c->ulower);
	low = q - p > lowest ? q - p : lowest;
	up = q + p - c->upper;
	down = c->lower - low;
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
    enum sdc_view v, size_t *rel, size_t pick)
{
	size_t n = sdc_relation(t, d, total, rel);

	for (size_t k = 0; k < n; k++) {
		if (t->cells[rel[k]].status != SDC_SAFE ||
		    t->cells[rel[k]].units <= 0)
			continue;
		if (pick == SDC_NONE ||
		    sdc_widen_better(t, rel[k], pick, need, v))
			pick = rel[k];
	}
	return pick;
}

/*
 * Where the LP says cell i is held: solve its short side again and take
 * the relations whose rows have a dual value, the constraints that bind.
 * Suppressing a published cell there loosens that row. The binding row is
 * often not through the cell itself (a partner's other relation, a total
 * further out), which a search next to the cell never finds. Values only
 * (the units' program has rows of its own past the relations). Returns
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
		    rows[k] / SDC_MAX_DIMS, need, SDC_VIEW_VALUE, rel, pick);
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
    size_t i, enum sdc_view v, double lowest, size_t *rel)
{
	struct sdc_cell *c = &t->cells[i];
	double p = sdc_protection(t, r, c, v), cap, need;
	size_t pick = SDC_NONE;
	int d;

	if (v == SDC_VIEW_VALUE) {
		d = sdc_bottleneck(t, i, rel, &cap);
		if (d >= 0 && c->upper < c->value + p && cap < p)
			return sdc_widen_pick(t, d, sdc_relation_total(t, d,
			    i), p - cap, v, rel, SDC_NONE);
	}
	need = sdc_shortfall(t, r, c, v, lowest);
	for (d = 0; d < t->ndims; d++)
		pick = sdc_widen_pick(t, d, sdc_relation_total(t, d, i),
		    need, v, rel, pick);
	return pick;
}

/*
 * One more suppression for each failing primary cell in view v: where the
 * LP's binding rows say (values), else next to the cell. The LP is built
 * once per round from the table as it was; cells suppressed during the
 * round stay constants in it, which only makes later picks in the round
 * cautious. Returns how many were added.
 */
static size_t
sdc_widen(struct sdc_table *t, const struct sdc_rules *r, enum sdc_view v,
    double deadline, size_t *rel)
{
	double lowest = sdc_lowest(t, v), p;
	size_t added = 0, pick, *rows;
	int *col, ncols = 0;
	lprec *lp = NULL;

	col = xcalloc(t->ncells, sizeof *col);
	rows = xreallocarray(NULL, t->ncells, (size_t)t->ndims * sizeof *rows);
	for (size_t i = 0; i < t->ncells; i++) {
		if (t->cells[i].status != SDC_SAFE)
			col[i] = ++ncols;
	}
	if (v == SDC_VIEW_VALUE)
		lp = sdc_audit_lp(t, r, col, ncols, v, lowest, rows);
	for (size_t i = 0; i < t->ncells; i++) {
		struct sdc_cell *c = &t->cells[i];

		if (!sdc_is_primary(c->status) ||
		    sdc_passes(t, r, c, v, lowest))
			continue;
		p = sdc_protection(t, r, c, v);
		pick = SDC_NONE;
		if (lp != NULL && col[i] > 0)
			pick = sdc_widen_dual(t, lp, rows, col[i],
			    c->upper < c->value + p, sdc_shortfall(t, r, c,
			    v, lowest), deadline, rel);
		if (pick == SDC_NONE)
			pick = sdc_widen_near(t, r, i, v, lowest, rel);
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

/*
 * The last resort: only the grand total and the empty cells may still be
 * published (an empty cell's 0 tells nothing about anyone, and hiding it
 * would break the audit's "a secret cell that is not small holds at least
 * min_frequency units").
 */
static void
sdc_escalate(struct sdc_table *t)
{
	size_t grand = t->ncells - 1;	/* every coordinate a total */

	for (size_t i = 0; i < grand; i++) {
		if (t->cells[i].status == SDC_SAFE && t->cells[i].units > 0)
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
 * Published figures: cell-key noise on every published cell with units
 * (cellkey.c), then rounding if asked. The audit saw exact values: noise
 * and rounding only widen what an attacker can derive, so the audited
 * intervals stay a lower bound on protection. An empty cell stays 0 (its
 * key is 0: nobody is in it).
 */
static void
sdc_publish(struct sdc_table *t, const struct sdc_rules *r,
    struct sdc_report *rep)
{
	rep->cells = t->ncells;
	rep->rounded = r->round_base > 0;
	for (size_t i = 0; i < t->ncells; i++) {
		struct sdc_cell *c = &t->cells[i];
		double eta, scale;

		rep->by_status[c->status]++;
		if (c->status != SDC_SAFE) {
			c->pub_value = 0;
			c->pub_units = 0;
			continue;
		}
		rep->published++;
		c->pub_value = c->value;
		c->pub_units = c->units;
		if (c->units > 0) {
			c->pub_units += cellkey_count_noise(c->ckey,
			    r->noise_count);
			if (c->pub_units < 0)
				c->pub_units = 0;
			/* One person's scale: the largest, or the mean. */
			scale = t->magnitude ? c->top[0] :
			    fabs(c->value) / (double)c->units;
			/* Amounts follow their own key: persons and amounts. */
			eta = cellkey_eta(t->magnitude ? c->vkey : c->ckey);
			/* Amounts to the cent: noise gives no precision. */
			c->pub_value = t->count ? (double)c->pub_units :
			    round((c->value + r->noise_magnitude / 100 *
			    scale * eta) * 100) / 100;
		}
		if (r->round_base > 0) {
			c->pub_units = sdc_round_long(c->pub_units,
			    r->round_base);
			if (t->count)
				c->pub_value = (double)c->pub_units;
		}
	}
}

/* One view's audit and repair rounds; ret and failed as sdc_audit_run. */
static int
sdc_protect_view(struct sdc_table *t, const struct sdc_rules *r,
    enum sdc_view v, double deadline, size_t *rel, size_t *checked,
    size_t *failed)
{
	int ret = sdc_audit_run(t, r, v, true, deadline, checked, failed);

	for (int pass = 0; ret == 0 && *failed > 0 && pass < SDC_ROUNDS;
	    pass++) {
		if (sdc_widen(t, r, v, deadline, rel) == 0)
			break;
		sdc_secondary(t);
		ret = sdc_audit_run(t, r, v, false, deadline, checked, failed);
	}
	return ret;
}

/*
 * The whole pipeline; rep is overwritten, t's statuses and published
 * figures are set. The units are audited first, then the values; what the
 * values' repair suppresses can only widen the units' intervals, so one
 * last audit of the units (from scratch) closes it. Returns 0, or -1 if an
 * LP failed or the time ran out, and then rep->audit_ok is false: the
 * caller must not publish. A table that still fails after escalation comes
 * back with audit_ok false too.
 */
int
sdc_protect(struct sdc_table *t, const struct sdc_rules *r,
    struct sdc_report *rep)
{
	size_t checked = 0, failed = 0, vchecked, vfailed = 0, *rel = NULL;
	double deadline = sdc_now() + SDC_BUDGET;
	int ret;

	memset(rep, 0, sizeof *rep);
	sdc_primary(t, r);
	sdc_secondary(t);
	if (t->ndims > 0)
		rel = xreallocarray(NULL, sdc_max_ncat(t) + 1, sizeof *rel);
	ret = sdc_protect_view(t, r, SDC_VIEW_UNITS, deadline, rel, &checked,
	    &failed);
	if (ret == 0 && failed == 0 && !t->count) {
		ret = sdc_protect_view(t, r, SDC_VIEW_VALUE, deadline, rel,
		    &vchecked, &vfailed);
		if (ret == 0)
			ret = sdc_audit_run(t, r, SDC_VIEW_UNITS, true,
			    deadline, &checked, &failed);
		failed += vfailed;
	}
	if (ret == 0 && failed > 0) {
		sdc_escalate(t);
		rep->escalated = true;
		sdc_secondary(t);
		ret = sdc_audit(t, r, &checked, &failed);
	}
	free(rel);
	sdc_publish(t, r, rep);
	rep->audited = rep->cells - rep->published;	/* every secret cell */
	rep->audit_ok = ret == 0 && failed == 0;
	return ret;
}
