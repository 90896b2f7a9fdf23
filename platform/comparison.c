/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Peer comparison: where a municipality stands on an indicator among a group
 * of municipalities (same CBS size class, same province, the most similar
 * ones, or all), in one period and over time.
 *
 * Values per 1,000 inhabitants are normalised with the inhabitants of the
 * period's year (the reference data), or the latest figure when that year
 * is missing. Quartiles interpolate linearly between order statistics
 * (Hyndman & Fan type 7, as R and spreadsheets do). A percentile rank is
 * only given for groups of at least COMPARISON_MIN_PERCENTILE values: below
 * that, one municipality is a large share of the group.
 */
#include "meent.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define COMPARISON_MIN_PERCENTILE	5
#define COMPARISON_SIMILAR		15
/* Rates on fewer inhabitants than this swing with a handful of cases. */
#define COMPARISON_SMALL_BASE		10000

struct peer {
	char	 code[7];
	char	*naam;
	char	*provincie;
	int	 klasse;
	long	 inwoners;	/* of the period's year */
	double	 dichtheid;	/* today's inhabitants per km2 */
	double	 waarde;	/* normalised */
	bool	 has_value;
	bool	 in_group;
	double	 distance;
};

struct peers {
	struct peer	*p;
	size_t		 n;
};

static void
peers_free(struct peers *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->p[i].naam);
		free(ps->p[i].provincie);
	}
	free(ps->p);
}

/*
 * Every municipality, with its normalised value for the period where it has
 * one. per1000 normalises by the period year's inhabitants.
 */
static int
peers_load(struct db *db, const char *indicator, const char *period,
    bool per1000, struct peers *ps)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT g.code, g.naam, g.provincie,"
	    " g.grootteklasse, coalesce(gi.inwoners, g.inwoners),"
	    " g.inwoners / g.oppervlakte_km2, w.waarde FROM gemeenten g"
	    " LEFT JOIN gemeente_inwoners gi ON gi.code = g.code AND"
	    "  gi.jaar = CAST(substr(?2, 1, 4) AS INTEGER)"
	    " LEFT JOIN indicator_waarden w ON w.gemeente = g.code AND"
	    "  w.indicator = ?1 AND w.periode = ?2"
	    " ORDER BY g.code");
	size_t cap = 0;

	memset(ps, 0, sizeof *ps);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, indicator);
	db_bind_text(st, 2, period);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct peer *p;

		if (ps->n == cap) {
			cap = cap == 0 ? 400 : cap * 2;
			ps->p = xreallocarray(ps->p, cap, sizeof *ps->p);
		}
		p = &ps->p[ps->n++];
		memset(p, 0, sizeof *p);
		snprintf(p->code, sizeof p->code, "%s",
		    sqlite3_column_text(st, 0));
		p->naam = xstrdup((const char *)sqlite3_column_text(st, 1));
		p->provincie = xstrdup((const char *)sqlite3_column_text(st, 2));
		p->klasse = sqlite3_column_int(st, 3);
		p->inwoners = (long)sqlite3_column_int64(st, 4);
		p->dichtheid = sqlite3_column_double(st, 5);
		p->has_value = sqlite3_column_type(st, 6) != SQLITE_NULL;
		p->waarde = sqlite3_column_double(st, 6);
		if (p->has_value && per1000)
			p->has_value = p->inwoners > 0;
		if (p->has_value && per1000)
			p->waarde = p->waarde * 1000.0 / (double)p->inwoners;
	}
	sqlite3_reset(st);
	return 0;
}

static struct peer *
peers_find(struct peers *ps, const char *code)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].code, code) == 0)
			return &ps->p[i];
	return NULL;
}

static int
peer_by_distance(const void *a, const void *b)
{
	const struct peer *x = *(struct peer *const *)a;
	const struct peer *y = *(struct peer *const *)b;

	if (x->distance != y->distance)
		return x->distance < y->distance ? -1 : 1;
	return strcmp(x->code, y->code);
}

/*
 * The municipality and the COMPARISON_SIMILAR nearest to it in
 * log(inhabitants) and log(density), each standardised over all
 * municipalities so neither dominates the distance.
 */
static void
peers_mark_similar(struct peers *ps, const struct peer *self)
{
	double sum[2] = { 0, 0 }, sq[2] = { 0, 0 }, sd[2];
	struct peer **order;
	size_t n = ps->n;

	for (size_t i = 0; i < n; i++) {
		double v[2] = { log((double)ps->p[i].inwoners + 1),
		    log(ps->p[i].dichtheid + 1) };

		for (int k = 0; k < 2; k++) {
			sum[k] += v[k];
			sq[k] += v[k] * v[k];
		}
	}
	for (int k = 0; k < 2; k++) {
		double mean = sum[k] / (double)n;

		sd[k] = sqrt(fmax(sq[k] / (double)n - mean * mean, 1e-12));
	}
	order = xreallocarray(NULL, n, sizeof *order);
	for (size_t i = 0; i < n; i++) {
		struct peer *p = &ps->p[i];
		double d0 = (log((double)p->inwoners + 1) -
		    log((double)self->inwoners + 1)) / sd[0];
		double d1 = (log(p->dichtheid + 1) - log(self->dichtheid + 1)) /
		    sd[1];

		p->distance = d0 * d0 + d1 * d1;
		order[i] = p;
	}
	qsort(order, n, sizeof *order, peer_by_distance);
	for (size_t i = 0, taken = 0; i < n && taken < COMPARISON_SIMILAR;
	    i++) {
		if (order[i] == self)
			continue;
		order[i]->in_group = true;
		taken++;
	}
	free(order);
}

/* Mark the group's members. Returns -1 for an unknown group name. */
static int
peers_mark_group(struct peers *ps, struct peer *self, const char *group)
{
	bool all = strcmp(group, "alle") == 0;
	bool klasse = strcmp(group, "grootteklasse") == 0;
	bool provincie = strcmp(group, "provincie") == 0;

	if (strcmp(group, "vergelijkbaar") == 0) {
		peers_mark_similar(ps, self);
		self->in_group = true;
		return 0;
	}
	if (!all && !klasse && !provincie)
		return -1;
	for (size_t i = 0; i < ps->n; i++) {
		struct peer *p = &ps->p[i];

		p->in_group = all || (klasse && p->klasse == self->klasse) ||
		    (provincie && strcmp(p->provincie, self->provincie) == 0);
	}
	return 0;
}

static int
double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Type-7 quantile of sorted v[0..n-1], n > 0. */
double
comparison_quantile(const double *v, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* The group's values with a value, sorted; *n their number. */
static double *
peers_group_values(const struct peers *ps, size_t *n)
{
	double *v = xreallocarray(NULL, ps->n + 1, sizeof *v);

	*n = 0;
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].in_group && ps->p[i].has_value)
			v[(*n)++] = ps->p[i].waarde;
	qsort(v, *n, sizeof *v, double_cmp);
	return v;
}

/* Round for display: figures keep 4 significant decimals at most. */
static json_t *
comparison_number(double v)
{
	return json_real(round(v * 10000.0) / 10000.0);
}

static json_t *
comparison_stats(const double *v, size_t n)
{
	double sum = 0;

	if (n == 0)
		return json_pack("{s:i}", "n", 0);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "n", (json_int_t)n,
	    "min", comparison_number(v[0]),
	    "p25", comparison_number(comparison_quantile(v, n, 0.25)),
	    "mediaan", comparison_number(comparison_quantile(v, n, 0.5)),
	    "p75", comparison_number(comparison_quantile(v, n, 0.75)),
	    "max", comparison_number(v[n - 1]),
	    "gemiddelde", comparison_number(sum / (double)n));
}

/*
 * The municipality's place: its value, its rank (1 = best by the
 * indicator's direction; for neutral ones, 1 = highest) and, in groups of
 * at least COMPARISON_MIN_PERCENTILE, its percentile rank (the share of the
 * group below it, ties counted half: 50 is the middle).
 */
static json_t *
comparison_position(const struct peer *self, const double *v, size_t n,
    const char *direction)
{
	size_t below = 0, equal = 0, rank;
	json_t *o;

	if (!self->has_value)
		return json_pack("{s:n, s:n, s:n}", "waarde", "rang",
		    "percentiel");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < self->waarde)
			below++;
		else if (v[i] == self->waarde)
			equal++;
	}
	rank = strcmp(direction, "lager_beter") == 0 ? below + 1 :
	    n - below - equal + 1;
	o = json_pack("{s:o, s:I}", "waarde", comparison_number(self->waarde),
	    "rang", (json_int_t)rank);
	if (n >= COMPARISON_MIN_PERCENTILE)
		json_object_set_new(o, "percentiel", json_real(round(
		    ((double)below + (double)equal / 2.0) * 1000.0 /
		    (double)n) / 10.0));
	else
		json_object_set_new(o, "percentiel", json_null());
	return o;
}

static json_t *
comparison_members(const struct peers *ps)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ps->n; i++) {
		const struct peer *p = &ps->p[i];

		if (!p->in_group)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:o}",
		    "gemeente", p->code, "naam", p->naam,
		    "inwoners", (json_int_t)p->inwoners,
		    "waarde", p->has_value ? comparison_number(p->waarde) :
		    json_null()));
	}
	return a;
}

/* The group's median in one period, or JSON null. */
static json_t *
comparison_period_point(struct db *db, const struct comparison_query *q,
    const char *period, bool per1000)
{
	struct peers ps;
	struct peer *self;
	double *v;
	size_t n;
	json_t *o;

	if (peers_load(db, q->indicator, period, per1000, &ps) == -1)
		return NULL;
	self = peers_find(&ps, q->gemeente);
	if (self == NULL) {
		peers_free(&ps);
		return NULL;
	}
	peers_mark_group(&ps, self, q->groep);
	v = peers_group_values(&ps, &n);
	o = json_pack("{s:s, s:o, s:o, s:I}", "periode", period,
	    "waarde", self->has_value ? comparison_number(self->waarde) :
	    json_null(),
	    "groepMediaan", n > 0 ? comparison_number(comparison_quantile(v, n,
	    0.5)) : json_null(), "n", (json_int_t)n);
	free(v);
	peers_free(&ps);
	return o;
}

static json_t *
comparison_series(struct db *db, const struct comparison_query *q,
    json_t *periods, bool per1000)
{
	json_t *a = json_array(), *p;
	size_t i;

	json_array_foreach(periods, i, p) {
		json_t *point = comparison_period_point(db, q,
		    json_string_value(json_object_get(p, "periode")), per1000);

		if (point != NULL)
			json_array_append_new(a, point);
	}
	return a;
}

/*
 * The comparison of q for indicator ind (its JSON from indicator_get()).
 * Returns the answer (caller owns), or NULL with *why: 400 reasons name
 * the field in *field.
 */
json_t *
comparison_make(struct db *db, json_t *ind, const struct comparison_query *q,
    const char **field, const char **why)
{
	const char *direction = json_string_value(json_object_get(ind,
	    "richting"));
	bool per1000 = json_is_string(json_object_get(ind, "noemer"));
	json_t *periods = json_object_get(ind, "perioden"), *out, *warnings;
	struct peers ps;
	struct peer *self;
	double *v;
	size_t n;

	if (peers_load(db, q->indicator, q->periode, per1000, &ps) == -1) {
		*field = "";
		*why = "database";
		return NULL;
	}
	if ((self = peers_find(&ps, q->gemeente)) == NULL) {
		peers_free(&ps);
		*field = "gemeente";
		*why = "onbekende gemeente";
		return NULL;
	}
	if (peers_mark_group(&ps, self, q->groep) == -1) {
		peers_free(&ps);
		*field = "groep";
		*why = "moet grootteklasse, provincie, vergelijkbaar of alle zijn";
		return NULL;
	}
	v = peers_group_values(&ps, &n);
	warnings = json_array();
	if (per1000 && self->inwoners < COMPARISON_SMALL_BASE)
		json_array_append_new(warnings, json_pack("{s:s, s:s}",
		    "code", "kleine_basis", "tekst", "Deze gemeente heeft minder "
		    "dan 10.000 inwoners: een paar gevallen meer of minder "
		    "verandert de waarde per 1.000 inwoners sterk."));
	if (n < COMPARISON_MIN_PERCENTILE)
		json_array_append_new(warnings, json_pack("{s:s, s:s}",
		    "code", "kleine_groep", "tekst", "De groep heeft minder dan "
		    "5 waarden: er is geen percentiel berekend."));
	out = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:i, s:I}, s:o,"
	    " s:o, s:o, s:o, s:o}",
	    "indicator", q->indicator, "periode", q->periode, "groep", q->groep,
	    "gemeente", "code", self->code, "naam", self->naam,
	    "provincie", self->provincie, "grootteklasse", self->klasse,
	    "inwoners", (json_int_t)self->inwoners,
	    "positie", comparison_position(self, v, n, direction),
	    "statistiek", comparison_stats(v, n),
	    "leden", comparison_members(&ps),
	    "waarschuwingen", warnings,
	    "reeks", json_null());
	free(v);
	peers_free(&ps);
	json_object_set_new(out, "reeks", comparison_series(db, q, periods,
	    per1000));
	return out;
}
