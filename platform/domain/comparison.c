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
 *
 * Municipalities that merged since: public tables give each year in that
 * year's boundaries, and values under codes that no longer exist are kept
 * apart by the import (indicator_waarden_opgeheven). A period's comparison
 * is over the municipalities of today that have a value for it; the
 * values kept apart are only counted, per period, and said in a warning,
 * so that none is taken for its successor's.
 *
 * Every value carries its source ("bron"): a public table (CBS), or the
 * published dataset of the municipality itself. A municipality's figure in
 * indicator_waarden is the public one when a public source gave one, else
 * its own published table's grand total (dataset_store.c): a comparison
 * across municipalities is fairest when all figures come from one source
 * with one definition. When the public figure is used and the municipality
 * also published its own, the comparison shows that figure beside it
 * ("eigenCijfer"), and says which one it uses and why ("keuze").
 *
 * What a comparison reads (every municipality, the indicator's values
 * for all its periods) is the same whoever is compared, and a
 * municipality's page and start page make five comparisons: it is read
 * once per write and thread (peers_get, kept by cache.c until the next
 * write anywhere or a minute), and each comparison works on a copy.
 */
#include "domain/domain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#define COMPARISON_MIN_PERCENTILE	5
#define COMPARISON_SIMILAR		15
/* Rates on fewer inhabitants than this swing with a handful of cases. */
#define COMPARISON_SMALL_BASE		10000

#define PEER_YEARS	16

struct peer {
	char	 code[7];
	char	*naam;
	char	*provincie;
	int	 klasse;
	long	 inwoners_nu;	/* today's, from the reference data */
	double	 dichtheid;	/* today's inhabitants per km2 */
	int	 years[PEER_YEARS];	/* inhabitants by year, for per-1000 */
	long	 year_inwoners[PEER_YEARS];
	int	 nyears;
	long	 inwoners;	/* of the current period's year */
	double	 waarde;	/* of the current period, normalised */
	int	 src;		/* its source: peers.sources[] */
	bool	 has_value;
	bool	 in_group;
	double	 distance;
};

/*
 * Every municipality (sorted by code) and the indicator's raw values for
 * all its periods, read once with three range scans: a comparison and its
 * series are then computed in memory, period by period.
 */
struct peers {
	struct peer	*p;
	size_t		 n;
	const char	**periods;	/* borrowed from the indicator's JSON */
	size_t		 nperiods;
	const char	**statuses;	/* each period's, borrowed too */
	long		*opgeheven;	/* values kept apart, per period */
	double		*raw;		/* [period * n + peer] */
	unsigned char	*present;
	int		*src;		/* [period * n + peer]: sources[] */
	struct comparison_source {
		char	*bron;		/* as stored, or "upload GM0000" */
		char	*dataset;	/* the upload's dataset id, or NULL */
	}		*sources;
	size_t		 nsources;
	/* The municipality's own published figure per period, when its
	 * figure in the comparison is a public one. */
	double		*own;
	char		(*own_id)[37];
	bool		 per1000;
	bool		 owns_periods;	/* kept: periods are copies */
	bool		 borrowed;	/* a copy: only p and own are its own */
};

static void
peers_free(struct peers *ps)
{
	free(ps->own);
	free(ps->own_id);
	if (ps->borrowed) {
		free(ps->p);
		return;
	}
	for (size_t i = 0; ps->owns_periods && i < ps->nperiods; i++) {
		free((char *)ps->periods[i]);
		free((char *)ps->statuses[i]);
	}
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->p[i].naam);
		free(ps->p[i].provincie);
	}
	free(ps->p);
	free(ps->periods);
	free(ps->statuses);
	free(ps->opgeheven);
	free(ps->raw);
	free(ps->present);
	free(ps->src);
	for (size_t i = 0; i < ps->nsources; i++) {
		free(ps->sources[i].bron);
		free(ps->sources[i].dataset);
	}
	free(ps->sources);
}

/* The index of (bron, dataset) in ps->sources, added when new. */
static int
peers_source(struct peers *ps, const char *bron, const char *dataset)
{
	for (size_t i = 0; i < ps->nsources; i++)
		if (strcmp(ps->sources[i].bron, bron) == 0 &&
		    (dataset == NULL ? ps->sources[i].dataset == NULL :
		    ps->sources[i].dataset != NULL &&
		    strcmp(ps->sources[i].dataset, dataset) == 0))
			return (int)i;
	ps->sources = xreallocarray(ps->sources, ps->nsources + 1,
	    sizeof *ps->sources);
	ps->sources[ps->nsources].bron = xstrdup(bron);
	ps->sources[ps->nsources].dataset = dataset != NULL ?
	    xstrdup(dataset) : NULL;
	return (int)ps->nsources++;
}

static struct peer *
peers_find(struct peers *ps, const char *code)
{
	size_t lo = 0, hi = ps->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(ps->p[mid].code, code);

		if (c == 0)
			return &ps->p[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
peers_load_gemeenten(struct db *db, struct peers *ps)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT code, naam, provincie,"
	    " grootteklasse, inwoners, inwoners / oppervlakte_km2"
	    " FROM gemeenten ORDER BY code");
	size_t cap = 0;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = db_step_row(db, st, "comparison gemeenten")) == 1) {
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
		p->inwoners_nu = (long)sqlite3_column_int64(st, 4);
		p->dichtheid = sqlite3_column_double(st, 5);
		p->inwoners = p->inwoners_nu;
	}
	return rc;
}

static int
peers_load_inhabitants(struct db *db, struct peers *ps)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT code, jaar, inwoners FROM"
	    " gemeente_inwoners");
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = db_step_row(db, st, "comparison inwoners")) == 1) {
		struct peer *p = peers_find(ps, (const char *)
		    sqlite3_column_text(st, 0));

		if (p == NULL || p->nyears == PEER_YEARS)
			continue;
		p->years[p->nyears] = sqlite3_column_int(st, 1);
		p->year_inwoners[p->nyears++] = (long)sqlite3_column_int64(st, 2);
	}
	return rc;
}

static long
peers_period_index(const struct peers *ps, const char *period)
{
	for (size_t k = 0; k < ps->nperiods; k++)
		if (strcmp(ps->periods[k], period) == 0)
			return (long)k;
	return -1;
}

static int
peers_load_values(struct db *db, const char *indicator, struct peers *ps)
{
	/* An upload's value names its dataset: the latest published one. */
	sqlite3_stmt *st = db_stmt(db, "SELECT w.periode, w.gemeente,"
	    " w.waarde, w.bron, CASE WHEN w.bron LIKE 'upload %' THEN"
	    " (SELECT d.id FROM datasets d WHERE d.gemeente = w.gemeente AND"
	    " d.indicator = w.indicator AND d.periode = w.periode AND"
	    " d.status = 'gepubliceerd' ORDER BY d.gewijzigd DESC, d.pk DESC"
	    " LIMIT 1) END FROM indicator_waarden w WHERE w.indicator = ?1"
	    " ORDER BY w.periode");
	const char *last = NULL;
	long k = -1;
	int rc;

	if (st == NULL)
		return -1;
	ps->raw = xcalloc(ps->n * ps->nperiods + 1, sizeof *ps->raw);
	ps->present = xcalloc(ps->n * ps->nperiods + 1, 1);
	ps->src = xcalloc(ps->n * ps->nperiods + 1, sizeof *ps->src);
	db_bind_text(st, 1, indicator);
	while ((rc = db_step_row(db, st, "comparison waarden")) == 1) {
		const char *period = (const char *)sqlite3_column_text(st, 0);
		struct peer *p = peers_find(ps, (const char *)
		    sqlite3_column_text(st, 1));
		size_t at;

		if (last == NULL || strcmp(last, period) != 0) {
			k = peers_period_index(ps, period);
			last = k >= 0 ? ps->periods[k] : NULL;
		}
		if (k < 0 || p == NULL)
			continue;
		at = (size_t)k * ps->n + (size_t)(p - ps->p);
		ps->raw[at] = sqlite3_column_double(st, 2);
		ps->present[at] = 1;
		ps->src[at] = peers_source(ps, (const char *)
		    sqlite3_column_text(st, 3), (const char *)
		    sqlite3_column_text(st, 4));
	}
	return rc;
}

/*
 * self's own figures: per period, the grand total of its latest published
 * table, where its figure in the comparison came from elsewhere (a public
 * source). Raw, like ps->raw.
 */
static int
peers_load_own(struct db *db, const char *indicator, struct peers *ps,
    const struct peer *self)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, periode, tabel FROM datasets"
	    " WHERE gemeente = ?1 AND indicator = ?2 AND status ="
	    " 'gepubliceerd' ORDER BY periode, gewijzigd DESC, pk DESC");
	int rc;

	ps->own = xcalloc(ps->nperiods + 1, sizeof *ps->own);
	ps->own_id = xcalloc(ps->nperiods + 1, sizeof *ps->own_id);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, self->code);
	db_bind_text(st, 2, indicator);
	while ((rc = db_step_row(db, st, "comparison own")) == 1) {
		long k = peers_period_index(ps, (const char *)
		    sqlite3_column_text(st, 1));
		size_t at;
		json_t *tabel;
		double total;

		if (k < 0 || ps->own_id[k][0] != '\0')
			continue;	/* a newer table came first */
		at = (size_t)k * ps->n + (size_t)(self - ps->p);
		if (ps->present[at] &&
		    ps->sources[ps->src[at]].dataset != NULL)
			continue;	/* the comparison uses it already */
		tabel = json_loadb((const char *)sqlite3_column_text(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2), 0, NULL);
		if (dataset_store_total(tabel, &total)) {
			ps->own[k] = total;
			snprintf(ps->own_id[k], sizeof ps->own_id[k], "%s",
			    sqlite3_column_text(st, 0));
		}
		json_decref(tabel);
	}
	return rc;
}

/* How many values of each period are under codes that no longer exist. */
static int
peers_load_opgeheven(struct db *db, const char *indicator, struct peers *ps)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT periode, count(*) FROM"
	    " indicator_waarden_opgeheven WHERE indicator = ?1"
	    " GROUP BY periode");
	int rc;

	ps->opgeheven = xcalloc(ps->nperiods + 1, sizeof *ps->opgeheven);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, indicator);
	while ((rc = db_step_row(db, st, "comparison merged codes")) == 1) {
		long k = peers_period_index(ps, (const char *)
		    sqlite3_column_text(st, 0));

		if (k >= 0)
			ps->opgeheven[k] = (long)sqlite3_column_int64(st, 1);
	}
	return rc;
}

/*
 * Everything a comparison of ind needs; with ind NULL, the municipalities
 * only. 0, or -1 on a database error (peers_free() it in either case).
 */
static int
peers_load(struct db *db, json_t *ind, struct peers *ps)
{
	json_t *periods = json_object_get(ind, "perioden"), *p;
	const char *id = json_string_value(json_object_get(ind, "id"));
	size_t i;

	memset(ps, 0, sizeof *ps);
	if (ind == NULL)
		return peers_load_gemeenten(db, ps) == -1 ? -1 : 0;
	ps->per1000 = json_is_string(json_object_get(ind, "noemer"));
	ps->periods = xreallocarray(NULL, json_array_size(periods) + 1,
	    sizeof *ps->periods);
	ps->statuses = xreallocarray(NULL, json_array_size(periods) + 1,
	    sizeof *ps->statuses);
	json_array_foreach(periods, i, p) {
		ps->statuses[ps->nperiods] = json_string_value(
		    json_object_get(p, "status"));
		ps->periods[ps->nperiods++] = json_string_value(
		    json_object_get(p, "periode"));
	}
	if (peers_load_gemeenten(db, ps) == -1 ||
	    peers_load_inhabitants(db, ps) == -1 ||
	    peers_load_values(db, id, ps) == -1 ||
	    peers_load_opgeheven(db, id, ps) == -1)
		return -1;
	return 0;
}

static void
peers_kept_free(void *arg)
{
	peers_free(arg);
	free(arg);
}

/*
 * Everything a comparison of ind (NULL: the municipalities only) needs,
 * into *ps: a copy of what this thread keeps for it, read first when it
 * is not kept or stale. Inside a transaction nothing is kept or taken
 * from the cache: it may see what is not committed. 0, or -1 on a
 * database error; peers_free() *ps in either case.
 */
static int
peers_get(struct db *db, json_t *ind, struct peers *ps)
{
	struct peers *kept;
	unsigned long gen;
	char *key;

	if (!sqlite3_get_autocommit(db_handle(db)))
		return peers_load(db, ind, ps);
	key = xasprintf("comparison|%s", ind != NULL ? json_string_value(
	    json_object_get(ind, "id")) : "");
	if ((kept = cache_object_get(db, key)) == NULL) {
		gen = cache_generation_now();
		kept = xmalloc(sizeof *kept);
		if (peers_load(db, ind, kept) == -1) {
			peers_kept_free(kept);
			free(key);
			memset(ps, 0, sizeof *ps);
			return -1;
		}
		/* Its own copies of what the indicator's JSON lent it. */
		for (size_t k = 0; k < kept->nperiods; k++) {
			kept->periods[k] = xstrdup(kept->periods[k]);
			kept->statuses[k] = kept->statuses[k] != NULL ?
			    xstrdup(kept->statuses[k]) : NULL;
		}
		kept->owns_periods = true;
		cache_object_put(key, kept, peers_kept_free, gen);
	}
	free(key);
	*ps = *kept;
	ps->p = xreallocarray(NULL, kept->n + 1, sizeof *ps->p);
	memcpy(ps->p, kept->p, kept->n * sizeof *ps->p);
	ps->own = NULL;
	ps->own_id = NULL;
	ps->owns_periods = false;
	ps->borrowed = true;
	return 0;
}

/* The inhabitants of p in the year a period starts with (else today's). */
static long
peer_inhabitants(const struct peer *p, const char *period)
{
	int year = atoi(period);

	for (int i = 0; i < p->nyears; i++)
		if (p->years[i] == year)
			return p->year_inwoners[i];
	return p->inwoners_nu;
}

/* Make period k current: every peer's inhabitants and normalised value. */
static void
peers_set_period(struct peers *ps, size_t k)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct peer *p = &ps->p[i];
		size_t at = k * ps->n + i;

		p->inwoners = peer_inhabitants(p, ps->periods[k]);
		p->has_value = ps->present[at] != 0;
		p->waarde = ps->raw[at];
		p->src = ps->src[at];
		if (p->has_value && ps->per1000) {
			p->has_value = p->inwoners > 0;
			p->waarde = p->waarde * 1000.0 / (double)p->inwoners;
		}
	}
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
		double v[2] = { log((double)ps->p[i].inwoners_nu + 1),
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
		double d0 = (log((double)p->inwoners_nu + 1) -
		    log((double)self->inwoners_nu + 1)) / sd[0];
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

/* The peer groups a municipality is compared with. */
const struct choice comparison_groups[] = {
	{ "grootteklasse", "Gemeenten van dezelfde grootte "
	    "(CBS-grootteklasse)", NULL },
	{ "provincie", "Gemeenten in dezelfde provincie", NULL },
	{ "vergelijkbaar", "De 15 gemeenten die het meest lijken (inwoners en "
	    "dichtheid)", NULL },
	{ "alle", "Alle gemeenten", NULL },
	{ NULL, NULL, NULL }
};

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

/* Round for display to four decimals (large figures need none). */
static json_t *
comparison_number(double v)
{
	if (fabs(v) > 1e12)
		return json_real(v);
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

/* A value's source: {soort: publiek|gemeente, naam, dataset?}. */
static json_t *
comparison_source(const struct peers *ps, const struct peer *p, int si)
{
	const struct comparison_source *cs = &ps->sources[si];
	json_t *o;
	char *naam;

	if (cs->dataset == NULL && strncmp(cs->bron, "upload ", 7) != 0)
		return json_pack("{s:s, s:s}", "soort", "publiek", "naam",
		    cs->bron);
	naam = xasprintf("Dataset van %s", p->naam);
	o = json_pack("{s:s, s:s}", "soort", "gemeente", "naam", naam);
	free(naam);
	if (cs->dataset != NULL)
		json_object_set_new(o, "dataset", json_string(cs->dataset));
	return o;
}

/* self's own figure of period k beside a public one, or NULL. */
static json_t *
comparison_own(const struct peers *ps, size_t k, const struct peer *self)
{
	double v;
	char *naam;
	json_t *o;

	if (ps->own == NULL || ps->own_id[k][0] == '\0')
		return NULL;
	v = ps->own[k];
	if (ps->per1000) {
		if (self->inwoners <= 0)
			return NULL;
		v = v * 1000.0 / (double)self->inwoners;
	}
	naam = xasprintf("Dataset van %s", self->naam);
	o = json_pack("{s:o, s:{s:s, s:s, s:s}}", "waarde",
	    comparison_number(v), "bron", "soort", "gemeente", "naam", naam,
	    "dataset", ps->own_id[k]);
	free(naam);
	return o;
}

/* Which of self's figures the comparison uses in period k, and why. */
static json_t *
comparison_choice(const struct peers *ps, size_t k, const struct peer *self,
    bool own)
{
	const struct comparison_source *cs;
	char *text;
	json_t *o;

	if (!self->has_value)
		return json_null();
	cs = &ps->sources[self->src];
	if (cs->dataset != NULL || strncmp(cs->bron, "upload ", 7) == 0)
		text = xasprintf("De vergelijking gebruikt het eigen cijfer "
		    "van %s uit haar gepubliceerde dataset: voor %s is er geen "
		    "publiek cijfer (zoals van het CBS).", self->naam,
		    ps->periods[k]);
	else if (own)
		text = xasprintf("De vergelijking gebruikt het publieke cijfer "
		    "(%s): dan komen alle gemeenten in de groep uit dezelfde "
		    "bron, met dezelfde definitie. %s heeft voor %s ook een "
		    "eigen cijfer gepubliceerd; dat staat ernaast, maar telt "
		    "niet mee in de groep.", cs->bron, self->naam,
		    ps->periods[k]);
	else
		text = xasprintf("Het cijfer komt uit %s.", cs->bron);
	o = json_string(text);
	free(text);
	return o;
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
	/* bron, keuze and eigenCijfer: added by comparison_make(). */
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
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:o, s:o}",
		    "gemeente", p->code, "naam", p->naam,
		    "inwoners", (json_int_t)p->inwoners,
		    "waarde", p->has_value ? comparison_number(p->waarde) :
		    json_null(), "bron", p->has_value ? comparison_source(ps, p,
		    p->src) : json_null()));
	}
	return a;
}

/* The position's source, own figure and the choice between them. */
static void
comparison_position_source(const struct peers *ps, size_t k,
    const struct peer *self, json_t *pos)
{
	json_t *own = comparison_own(ps, k, self);

	json_object_set_new(pos, "bron", self->has_value ? comparison_source(
	    ps, self, self->src) : json_null());
	json_object_set_new(pos, "keuze", comparison_choice(ps, k, self,
	    own != NULL));
	json_object_set_new(pos, "eigenCijfer", own != NULL ? own :
	    json_null());
}

/*
 * Per period: the municipality's value, the group's median and n, the
 * status of the figures and how many values of municipalities that merged
 * since were left out.
 */
static json_t *
comparison_series(struct peers *ps, const struct peer *self)
{
	json_t *a = json_array();

	for (size_t k = 0; k < ps->nperiods; k++) {
		size_t n;
		double *v;

		peers_set_period(ps, k);
		v = peers_group_values(ps, &n);
		json_t *own = comparison_own(ps, k, self);

		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:I,"
		    " s:s?, s:I}",
		    "periode", ps->periods[k],
		    "waarde", self->has_value ? comparison_number(self->waarde) :
		    json_null(),
		    "bron", self->has_value ? comparison_source(ps, self,
		    self->src) : json_null(),
		    "groepMediaan", n > 0 ? comparison_number(
		    comparison_quantile(v, n, 0.5)) : json_null(),
		    "n", (json_int_t)n, "status", ps->statuses[k],
		    "opgeheven", (json_int_t)ps->opgeheven[k]));
		if (own != NULL)
			json_object_set_new(json_array_get(a, k), "eigenCijfer",
			    own);
		free(v);
	}
	return a;
}

/*
 * The other periods of the series with values of municipalities that merged
 * since, left out: "2015, 2016 en 2017".
 */
static void
comparison_series_warning(const struct peers *ps, size_t k, json_t *warnings)
{
	struct evbuffer *list = evbuffer_new();
	size_t n = 0, seen = 0;
	char *text;

	for (size_t i = 0; i < ps->nperiods; i++)
		if (i != k && ps->opgeheven[i] > 0)
			n++;
	for (size_t i = 0; i < ps->nperiods && n > 0; i++) {
		if (i == k || ps->opgeheven[i] == 0)
			continue;
		seen++;
		evbuffer_add_printf(list, "%s%s", seen == 1 ? "" : seen == n ?
		    " en " : ", ", ps->periods[i]);
	}
	if (n > 0) {
		evbuffer_add(list, "", 1);
		text = xasprintf("In de reeks door de tijd tellen voor %s "
		    "ook gemeenten niet mee die daarna zijn opgegaan in een "
		    "andere gemeente. Hun cijfers staan niet bij de gemeente "
		    "waarin ze opgingen.", (const char *)evbuffer_pullup(list,
		    -1));
		json_array_append_new(warnings, json_pack("{s:s, s:s}", "code",
		    "opgeheven_in_reeks", "tekst", text));
		free(text);
	}
	evbuffer_free(list);
}

/* What period k's figures are: provisional, and with merged ones left out. */
static void
comparison_period_warnings(const struct peers *ps, size_t k, json_t *warnings)
{
	const char *period = ps->periods[k];
	char *text;

	if (ps->statuses[k] != NULL &&
	    strcmp(ps->statuses[k], "voorlopig") == 0) {
		text = xasprintf("De cijfers over %s zijn voorlopig: de bron "
		    "kan ze nog aanpassen.", period);
		json_array_append_new(warnings, json_pack("{s:s, s:s}", "code",
		    "voorlopig", "tekst", text));
		free(text);
	}
	if (ps->opgeheven[k] > 0) {
		text = xasprintf("De bron geeft voor %s ook cijfers van %ld "
		    "%s die daarna %s opgegaan in een andere gemeente. Die "
		    "tellen hier niet mee en staan niet bij de gemeente waarin "
		    "ze opgingen: de bron geeft elk jaar de gemeenten van dat "
		    "jaar. Nam een gemeente van nu later een andere op, dan "
		    "geldt haar cijfer over %s voor haar gebied van toen.",
		    period, ps->opgeheven[k], ps->opgeheven[k] == 1 ?
		    "gemeente" : "gemeenten", ps->opgeheven[k] == 1 ? "is" :
		    "zijn", period);
		json_array_append_new(warnings, json_pack("{s:s, s:s}", "code",
		    "opgeheven_gemeenten", "tekst", text));
		free(text);
	}
	comparison_series_warning(ps, k, warnings);
}

static json_t *
comparison_warnings(const struct peers *ps, size_t k, const struct peer *self,
    size_t n)
{
	json_t *warnings = json_array();

	if (ps->per1000 && self->inwoners < COMPARISON_SMALL_BASE)
		json_array_append_new(warnings, json_pack("{s:s, s:s}",
		    "code", "kleine_basis", "tekst", "Deze gemeente heeft minder "
		    "dan 10.000 inwoners: een paar gevallen meer of minder "
		    "verandert de waarde per 1.000 inwoners sterk."));
	if (n < COMPARISON_MIN_PERCENTILE)
		json_array_append_new(warnings, json_pack("{s:s, s:s}",
		    "code", "kleine_groep", "tekst", "De groep heeft minder dan "
		    "5 waarden: er is geen percentiel berekend."));
	comparison_period_warnings(ps, k, warnings);
	return warnings;
}

/*
 * The comparison of q for indicator ind (its JSON from indicator_get())
 * into *answer (caller owns). The caller has checked q
 * (model_indicators_query). Returns MEENT_OK, MEENT_NOTFOUND for a question
 * the data cannot answer (a municipality, period or group it does not
 * have), or MEENT_ERR on a database error.
 */
int
comparison_make(struct db *db, json_t *ind, const struct comparison_query *q,
    json_t **answer)
{
	const char *direction = json_string_value(json_object_get(ind,
	    "richting"));
	struct peers ps;
	struct peer *self;
	json_t *out;
	double *v;
	long k;
	size_t n;

	*answer = NULL;
	if (peers_get(db, ind, &ps) == -1) {
		peers_free(&ps);
		return MEENT_ERR;
	}
	if ((self = peers_find(&ps, q->gemeente)) == NULL ||
	    (k = peers_period_index(&ps, q->periode)) < 0 ||
	    peers_mark_group(&ps, self, q->groep) == -1) {
		peers_free(&ps);
		return MEENT_NOTFOUND;
	}
	if (peers_load_own(db, q->indicator, &ps, self) == -1) {
		peers_free(&ps);
		return MEENT_ERR;
	}
	peers_set_period(&ps, (size_t)k);
	v = peers_group_values(&ps, &n);
	out = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:i, s:I}, s:o,"
	    " s:o, s:o, s:o}",
	    "indicator", q->indicator, "periode", q->periode, "groep", q->groep,
	    "gemeente", "code", self->code, "naam", self->naam,
	    "provincie", self->provincie, "grootteklasse", self->klasse,
	    "inwoners", (json_int_t)self->inwoners,
	    "positie", comparison_position(self, v, n, direction),
	    "statistiek", comparison_stats(v, n),
	    "leden", comparison_members(&ps),
	    "waarschuwingen", comparison_warnings(&ps, (size_t)k, self, n));
	free(v);
	comparison_position_source(&ps, (size_t)k, self, json_object_get(out,
	    "positie"));
	json_object_set_new(out, "reeks", comparison_series(&ps, self));
	peers_free(&ps);
	*answer = out;
	return MEENT_OK;
}

/*
 * The municipalities of code's group "vergelijkbaar" but code itself: the
 * COMPARISON_SIMILAR nearest in inhabitants and density, chosen as a
 * comparison chooses them (peers_mark_similar), without an indicator.
 * *out is a JSON array of codes (caller owns). Returns MEENT_OK,
 * MEENT_NOTFOUND for an unknown code, or MEENT_ERR on a database error.
 */
int
comparison_similar(struct db *db, const char *code, json_t **out)
{
	struct peers ps;
	struct peer *self;
	int rc = MEENT_NOTFOUND;

	*out = NULL;
	if (peers_get(db, NULL, &ps) == -1)
		rc = MEENT_ERR;
	else if ((self = peers_find(&ps, code)) != NULL) {
		peers_mark_similar(&ps, self);
		*out = json_array();
		for (size_t i = 0; i < ps.n; i++)
			if (ps.p[i].in_group)
				json_array_append_new(*out,
				    json_string(ps.p[i].code));
		rc = MEENT_OK;
	}
	peers_free(&ps);
	return rc;
}
