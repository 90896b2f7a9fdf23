/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * An uploaded dataset, from raw CSV to a protected table and its report
 * (DESIGN §8). This runs on a job thread (jobs.c) and touches no database:
 * the caller stores what comes out, and only that.
 *
 * Two shapes:
 *  - tabel: one row per cell: waarde, aantal (the units behind it), and up
 *    to three breakdown columns; indicator and periode columns, when
 *    present, must match the upload's.
 *  - microdata: one row per person, case or visit, with declared roles:
 *    identificerend, quasi (generalised: age to 5-year bands, postcode to
 *    its 4 digits, a date to its month), dimensie, and at most one
 *    meetwaarde (summed, or averaged with :gemiddelde). Columns without a
 *    role are dropped, and said so in the report.
 *
 * Units are persons. With an identifying column, each row's value there is
 * turned into a keyed pseudonym (cellkey.c) and forgotten; rows are then
 * grouped per person, so that a person with twelve monthly rows is one
 * unit holding their total (or mean), counted once, in the cell that
 * holds most of their rows (or amount). Without one, each row is a unit,
 * and the report says so. Each unit carries a record key for the cell-key
 * noise.
 *
 * Every column except the declared identifying ones is scanned for direct
 * identifiers (identifier.c); one found fails the upload with row, column
 * and reason, before any table is made. Column names and category labels
 * are published, so each is checked on its own (identifier_label()), and a
 * category with fewer persons than the minimum frequency is merged into
 * "overig" before its label could be released. Raw values never leave
 * this file: not in errors, reports or logs.
 */
#include "domain/domain.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#define DATASET_LABEL_MAX	100
#define DATASET_MAX_CATEGORIES	1000
#define DATASET_OTHER		"overig"

enum dataset_gen { GEN_UNDECIDED, GEN_NONE, GEN_AGE, GEN_YEAR, GEN_POSTCODE,
    GEN_DATE };

/* One breakdown dimension: a column and its categories. */
struct dataset_dim {
	int		 column;
	enum dataset_gen gen;
	char		**labels;
	int		 nlabels, caplabels;
	int		*slots;		/* open addressing: label index + 1 */
	size_t		 nslots;
};

/* A microdata row, reduced to what the table needs; later a person. */
struct dataset_unit {
	uint64_t	 who;		/* keyed pseudonym (cellkey.c) */
	uint16_t	 c[SDC_MAX_DIMS];
	double		 v;
};

/* A row of a table upload. */
struct dataset_cell {
	uint16_t	 c[SDC_MAX_DIMS];
	double		 value;
	long		 units;
	long		 row;
};

struct dataset_parse {
	const struct dataset_request	*rq;
	struct dataset_result		*res;
	int				 ncols;
	char				**names;
	enum dataset_role		*role;
	struct identifier_column	*idcol;
	struct dataset_dim		 dims[SDC_MAX_DIMS];
	int				 ndims;
	int				 measure;	/* column, or -1 */
	bool				 mean;
	int				 units_col, ind_col, per_col;
	int				 person_col;	/* or -1: rows */
	struct dataset_unit		*units;
	struct dataset_cell		*cells;
	size_t				 n, cap;
	long				 rows;
	long				 persons;
	int				 merged;	/* rare categories */
	struct evbuffer			*canon;		/* scratch */
	unsigned char			 delim;		/* ',' or ';' */
	char				 decimal;	/* ',', '.' or 0 */
};

/* The forms of an upload. */
const struct choice dataset_forms[] = {
	{ "tabel", "Tabel: een rij per cel, met de kolommen waarde, aantal en "
	    "uw uitsplitsingen", NULL },
	{ "microdata", "Microdata: een rij per persoon, zaak of bezoek", NULL },
	{ NULL, NULL, NULL }
};

/* The roles of a microdata column, in the order of enum dataset_role. */
const struct choice dataset_roles[] = {
	{ "identificerend", "identificerend", "wordt niet gelezen" },
	{ "quasi", "quasi", "wordt gegeneraliseerd: leeftijd, postcode, "
	    "datum" },
	{ "dimensie", "dimensie", "een uitsplitsing" },
	{ "meetwaarde", "meetwaarde", "som, of meetwaarde:gemiddelde" },
	{ NULL, NULL, NULL }
};

/* A dataset's life: a concept, published, withdrawn. */
const struct choice dataset_statuses[] = {
	{ "concept", "concept (nog niet gepubliceerd)", NULL },
	{ "gepubliceerd", "gepubliceerd", NULL },
	{ "ingetrokken", "ingetrokken", NULL },
	{ NULL, NULL, NULL }
};

const char *
dataset_role_name(enum dataset_role r)
{
	return r == DATASET_ROLE_NONE ? NULL :
	    dataset_roles[r - DATASET_ROLE_IDENTIFYING].value;
}

/*
 * Parse "kolom:rol[:som|gemiddelde],..." into rq. Returns 0, or -1 with
 * *reason (static, Dutch).
 */
int
dataset_roles_parse(const char *spec, struct dataset_request *rq,
    const char **reason)
{
	char *copy = xstrdup(spec), *save = NULL, *item;
	int rc = -1, measures = 0;

	rq->nroles = 0;
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		struct dataset_column_role *cr;
		char *rol = strchr(item, ':'), *agg;
		const struct choice *c;
		enum dataset_role r;

		if (rq->nroles == DATASET_MAX_ROLES) {
			*reason = "te veel kolommen met een rol";
			goto out;
		}
		if (rol == NULL || rol == item || (size_t)(rol - item) >=
		    sizeof cr->name) {
			*reason = "verwacht kolom:rol, gescheiden door komma's";
			goto out;
		}
		*rol++ = '\0';
		if ((agg = strchr(rol, ':')) != NULL)
			*agg++ = '\0';
		if ((c = choice_find(dataset_roles, rol)) == NULL) {
			*reason = "een rol is identificerend, quasi, dimensie "
			    "of meetwaarde";
			goto out;
		}
		r = (enum dataset_role)(DATASET_ROLE_IDENTIFYING +
		    (c - dataset_roles));
		for (size_t i = 0; i < rq->nroles; i++)
			if (strcmp(rq->roles[i].name, item) == 0) {
				*reason = "een kolom heeft twee rollen";
				goto out;
			}
		cr = &rq->roles[rq->nroles++];
		memset(cr, 0, sizeof *cr);
		snprintf(cr->name, sizeof cr->name, "%s", item);
		cr->role = r;
		if (agg != NULL) {
			if (cr->role != DATASET_ROLE_MEASURE ||
			    (strcmp(agg, "som") != 0 &&
			    strcmp(agg, "gemiddelde") != 0)) {
				*reason = "alleen een meetwaarde heeft een "
				    "aggregatie: som of gemiddelde";
				goto out;
			}
			cr->mean = strcmp(agg, "gemiddelde") == 0;
		}
		if (cr->role == DATASET_ROLE_MEASURE && ++measures > 1) {
			*reason = "hoogstens één meetwaarde";
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static void
dataset_problem(struct dataset_parse *ps, const char *name, long row,
    int column, const char *reason)
{
	json_t *p = json_pack("{s:s, s:s}", "name", name, "reason", reason);

	if (row > 0)
		json_object_set_new(p, "rij", json_integer(row));
	if (column > 0)
		json_object_set_new(p, "kolom", json_integer(column));
	if (ps->res->problems == NULL)
		ps->res->problems = json_array();
	json_array_append_new(ps->res->problems, p);
}

static const char *
dataset_column_name(struct dataset_parse *ps, int column)
{
	return column >= 1 && column <= ps->ncols ? ps->names[column - 1] :
	    "body";
}

/* Stop the parse with a problem at (row, column). */
static int
dataset_fail(struct csvstream_error *err, long row, int column,
    const char *reason)
{
	err->row = row;
	err->column = column;
	err->reason = reason;
	return -1;
}

/* --- Categories ---------------------------------------------------------- */

static uint64_t
dataset_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The index of label in d, adding it. -1 past DATASET_MAX_CATEGORIES. */
static int
dataset_dim_index(struct dataset_dim *d, const char *label)
{
	size_t i;

	if (d->nslots == 0) {
		d->nslots = 2 * DATASET_MAX_CATEGORIES + 1;
		d->slots = xcalloc(d->nslots, sizeof *d->slots);
	}
	for (i = dataset_hash(label) % d->nslots; d->slots[i] != 0;
	    i = (i + 1) % d->nslots)
		if (strcmp(d->labels[d->slots[i] - 1], label) == 0)
			return d->slots[i] - 1;
	if (d->nlabels == DATASET_MAX_CATEGORIES)
		return -1;
	if (d->nlabels == d->caplabels) {
		d->caplabels = d->caplabels == 0 ? 16 : d->caplabels * 2;
		d->labels = xreallocarray(d->labels, (size_t)d->caplabels,
		    sizeof *d->labels);
	}
	d->labels[d->nlabels] = xstrdup(label);
	d->slots[i] = ++d->nlabels;
	return d->nlabels - 1;
}

static void
dataset_dim_free(struct dataset_dim *d)
{
	for (int i = 0; i < d->nlabels; i++)
		free(d->labels[i]);
	free(d->labels);
	free(d->slots);
}

/* Natural order: "5-9" before "10-14", then bytewise. */
static int
dataset_label_cmp(const char *a, const char *b)
{
	if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
		long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return strcmp(a, b);
}

/*
 * A label and where it was, for sorting: the comparison needs nothing but
 * its two arguments. (A file-level pointer to the dimension being sorted was
 * shared by the two job threads, which sort different uploads at once.)
 */
struct dataset_sort_item {
	const char	*label;
	int		 index;
};

static int
dataset_sort_cb(const void *a, const void *b)
{
	const struct dataset_sort_item *x = a, *y = b;

	return dataset_label_cmp(x->label, y->label);
}

/* Sort d's labels; *remap (caller frees) maps old index to new. */
static int *
dataset_dim_sort(struct dataset_dim *d)
{
	struct dataset_sort_item *items = xcalloc((size_t)d->nlabels + 1,
	    sizeof *items);
	int *remap = xcalloc((size_t)d->nlabels + 1, sizeof *remap);
	char **sorted = xcalloc((size_t)d->nlabels + 1, sizeof *sorted);

	for (int i = 0; i < d->nlabels; i++) {
		items[i].label = d->labels[i];
		items[i].index = i;
	}
	/* Labels are distinct (dataset_dim_index): no order is left open. */
	qsort(items, (size_t)d->nlabels, sizeof *items, dataset_sort_cb);
	for (int i = 0; i < d->nlabels; i++) {
		remap[items[i].index] = i;
		sorted[i] = d->labels[items[i].index];
	}
	free(d->labels);
	d->labels = sorted;
	d->caplabels = d->nlabels + 1;
	free(items);
	return remap;
}

/* --- Generalisation of quasi-identifiers --------------------------------- */

static bool
dataset_all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool
dataset_postcode(const char *s, size_t len)
{
	if (len < 4 || !dataset_all_digits(s, 4) || s[0] == '0')
		return false;
	if (len == 4)
		return true;
	s += 4;
	len -= 4;
	if (*s == ' ') {
		s++;
		len--;
	}
	return len == 2 && isalpha((unsigned char)s[0]) &&
	    isalpha((unsigned char)s[1]);
}

/* YYYY-MM[-DD], DD-MM-YYYY or DD/MM/YYYY: the "YYYY-MM" it falls in. */
static bool
dataset_month(const char *s, size_t len, char out[8])
{
	const char *y, *m;

	if ((len == 7 || len == 10) && dataset_all_digits(s, 4) &&
	    s[4] == '-' && dataset_all_digits(s + 5, 2) &&
	    (len == 7 || (s[7] == '-' && dataset_all_digits(s + 8, 2)))) {
		y = s;
		m = s + 5;
	} else if (len == 10 && dataset_all_digits(s, 2) &&
	    (s[2] == '-' || s[2] == '/') && s[5] == s[2] &&
	    dataset_all_digits(s + 3, 2) && dataset_all_digits(s + 6, 4)) {
		y = s + 6;
		m = s + 3;
	} else
		return false;
	if (m[0] > '1' || (m[0] == '1' && m[1] > '2') ||
	    (m[0] == '0' && m[1] == '0'))
		return false;
	memcpy(out, y, 4);
	out[4] = '-';
	memcpy(out + 5, m, 2);
	out[7] = '\0';
	return true;
}

static enum dataset_gen
dataset_gen_detect(const char *column, const char *s, size_t len)
{
	char month[8];

	if (strcasestr(column, "postcode") != NULL && dataset_postcode(s, len))
		return GEN_POSTCODE;
	if (dataset_all_digits(s, len) && len <= 3 && atoi(s) <= 130)
		return GEN_AGE;
	if (dataset_all_digits(s, len) && len == 4 &&
	    strcasestr(column, "jaar") != NULL)
		return GEN_YEAR;
	if (dataset_postcode(s, len))
		return GEN_POSTCODE;
	if (dataset_month(s, len, month))
		return GEN_DATE;
	return GEN_UNDECIDED;
}

static const char *
dataset_gen_text(enum dataset_gen g)
{
	switch (g) {
	case GEN_AGE:
		return "gegeneraliseerd: leeftijd in klassen van 5 jaar";
	case GEN_YEAR:
		return "gegeneraliseerd: jaar in klassen van 5 jaar";
	case GEN_POSTCODE:
		return "gegeneraliseerd: postcode tot de 4 cijfers";
	case GEN_DATE:
		return "gegeneraliseerd: datum tot de maand";
	default:
		return "gegeneraliseerd";
	}
}

/* The generalised label of one value, or false if it does not fit g. */
static bool
dataset_generalise(enum dataset_gen g, const char *s, size_t len,
    char out[DATASET_LABEL_MAX + 1])
{
	long n;

	switch (g) {
	case GEN_AGE:
		if (!dataset_all_digits(s, len) || len > 3 ||
		    (n = atol(s)) > 130)
			return false;
		snprintf(out, DATASET_LABEL_MAX + 1, "%ld-%ld", n / 5 * 5,
		    n / 5 * 5 + 4);
		return true;
	case GEN_YEAR:
		if (!dataset_all_digits(s, len) || len != 4)
			return false;
		n = atol(s);
		snprintf(out, DATASET_LABEL_MAX + 1, "%ld-%ld", n / 5 * 5,
		    n / 5 * 5 + 4);
		return true;
	case GEN_POSTCODE:
		if (!dataset_postcode(s, len))
			return false;
		memcpy(out, s, 4);
		out[4] = '\0';
		return true;
	case GEN_DATE:
		return dataset_month(s, len, out);
	default:
		return false;
	}
}

/* --- Rows ------------------------------------------------------------------ */

static bool
dataset_is_total(const char *s)
{
	return strcasecmp(s, "totaal") == 0 || strcasecmp(s, "total") == 0;
}

/* The category of field s (length len) in dimension k; -1 after *err. */
static int
dataset_category(struct dataset_parse *ps, int k, const char *s, size_t len,
    long row, struct csvstream_error *err)
{
	struct dataset_dim *d = &ps->dims[k];
	char label[DATASET_LABEL_MAX + 1];
	int idx;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		snprintf(label, sizeof label, "onbekend");
	else if (d->gen == GEN_NONE) {
		if (len > DATASET_LABEL_MAX)
			return dataset_fail(err, row, d->column + 1,
			    "categorie is langer dan 100 tekens");
		memcpy(label, s, len);
		label[len] = '\0';
		if (dataset_is_total(label))
			return dataset_fail(err, row, d->column + 1,
			    "totalen rekent meent zelf uit: laat de "
			    "totaalrijen weg");
	} else {
		if (d->gen == GEN_UNDECIDED) {
			d->gen = dataset_gen_detect(ps->names[d->column], s,
			    len);
			if (d->gen == GEN_UNDECIDED)
				return dataset_fail(err, row,
				    d->column + 1, "quasi-identificerende "
				    "kolom is geen leeftijd, jaar, postcode of "
				    "datum: meent kan hem niet generaliseren");
		}
		if (!dataset_generalise(d->gen, s, len, label))
			return dataset_fail(err, row, d->column + 1,
			    "waarde past niet bij de generalisatie van deze "
			    "kolom");
	}
	if ((idx = dataset_dim_index(d, label)) == -1)
		return dataset_fail(err, row, d->column + 1,
		    "meer dan 1000 verschillende categorieën");
	return idx;
}

static void
dataset_grow(struct dataset_parse *ps)
{
	if (ps->n < ps->cap)
		return;
	ps->cap = ps->cap == 0 ? 1024 : ps->cap * 2;
	if (ps->rq->microdata)
		ps->units = xreallocarray(ps->units, ps->cap,
		    sizeof *ps->units);
	else
		ps->cells = xreallocarray(ps->cells, ps->cap,
		    sizeof *ps->cells);
}

static enum dataset_role
dataset_declared(const struct dataset_request *rq, const char *name,
    bool *mean)
{
	for (size_t i = 0; i < rq->nroles; i++)
		if (strcmp(rq->roles[i].name, name) == 0) {
			*mean = rq->roles[i].mean;
			return rq->roles[i].role;
		}
	return DATASET_ROLE_NONE;
}

/* A dimension for column i; -1 after *err when there are too many. */
static int
dataset_add_dim(struct dataset_parse *ps, int i, enum dataset_gen gen,
    struct csvstream_error *err)
{
	if (ps->ndims == SDC_MAX_DIMS)
		return dataset_fail(err, 1, i + 1, "hoogstens drie "
		    "uitsplitsingen (dimensies en quasi-identificerende "
		    "kolommen samen)");
	ps->dims[ps->ndims].column = i;
	ps->dims[ps->ndims].gen = gen;
	ps->ndims++;
	return 0;
}

/* The header row: roles, dimensions, the measure. */
static int
dataset_header(struct dataset_parse *ps, const char *const *f, size_t n,
    struct csvstream_error *err)
{
	const struct dataset_request *rq = ps->rq;

	ps->ncols = (int)n;
	ps->names = xcalloc(n, sizeof *ps->names);
	ps->role = xcalloc(n, sizeof *ps->role);
	ps->idcol = xcalloc(n, sizeof *ps->idcol);
	ps->measure = ps->units_col = ps->ind_col = ps->per_col = -1;
	ps->person_col = -1;
	for (size_t i = 0; i < n; i++) {
		ps->names[i] = xstrdup(f[i]);
		if (f[i][0] == '\0')
			return dataset_fail(err, 1, (int)i + 1, "kolom "
			    "zonder naam");
		/*
		 * Column names are published: none may be an identifier. The
		 * refusal names the column by its place, not by the name.
		 */
		if (identifier_label(f[i], strlen(f[i])) != IDENTIFIER_NONE) {
			free(ps->names[i]);
			ps->names[i] = xasprintf("kolom %zu", i + 1);
			return dataset_fail(err, 1, (int)i + 1, "de kolomnaam "
			    "lijkt op een direct identificerend gegeven; geef "
			    "de kolom een gewone naam");
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(ps->names[k], f[i]) == 0)
				return dataset_fail(err, 1, (int)i + 1,
				    "twee kolommen met dezelfde naam");
		identifier_column_header(&ps->idcol[i], f[i]);
	}
	for (size_t r = 0; r < rq->nroles; r++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(ps->names[i], rq->roles[r].name) == 0;
		if (!found)
			return dataset_fail(err, 1, 0, "een kolom uit "
			    "rollen staat niet in de kopregel");
	}
	for (int i = 0; i < (int)n; i++) {
		const char *name = ps->names[i];

		if (rq->microdata) {
			bool mean = false;

			ps->role[i] = dataset_declared(rq, name, &mean);
			/* The first identifying column tells persons apart. */
			if (ps->role[i] == DATASET_ROLE_IDENTIFYING &&
			    ps->person_col == -1)
				ps->person_col = i;
			if (ps->role[i] == DATASET_ROLE_MEASURE) {
				ps->measure = i;
				ps->mean = mean;
			} else if ((ps->role[i] == DATASET_ROLE_QUASI ||
			    ps->role[i] == DATASET_ROLE_DIMENSION) &&
			    dataset_add_dim(ps, i, ps->role[i] ==
			    DATASET_ROLE_QUASI ? GEN_UNDECIDED : GEN_NONE,
			    err) == -1)
				return -1;
			continue;
		}
		if (strcmp(name, "waarde") == 0) {
			ps->measure = i;
			ps->role[i] = DATASET_ROLE_MEASURE;
		} else if (strcmp(name, "aantal") == 0)
			ps->units_col = i;
		else if (strcmp(name, "indicator") == 0)
			ps->ind_col = i;
		else if (strcmp(name, "periode") == 0)
			ps->per_col = i;
		else {
			ps->role[i] = DATASET_ROLE_DIMENSION;
			if (dataset_add_dim(ps, i, GEN_NONE, err) == -1)
				return -1;
		}
	}
	/*
	 * A table of amounts or ratios (amounts per person) cannot be
	 * checked: whether one or two persons hold nearly all of a cell is
	 * not in it. Counts only.
	 */
	if (!rq->microdata && strcmp(rq->soort, "aantal") != 0)
		return dataset_fail(err, 1, 0, "bedragen en verhoudingen in een "
		    "tabel kan meent niet controleren: of één of twee personen "
		    "bijna het hele bedrag van een cel hebben, staat niet in een "
		    "tabel. Stuur microdata: een rij per persoon, met de rol "
		    "meetwaarde (met :gemiddelde voor een gemiddelde)");
	if (!rq->microdata && ps->measure == -1)
		return dataset_fail(err, 1, 0, "een tabel heeft een kolom "
		    "waarde");
	return 0;
}

static int dataset_number_text(struct dataset_parse *, const char *, char *,
    size_t, const char **);

/*
 * The keyed pseudonym (cellkey.c) of a row's fields (but indicator and
 * periode), joined by a separator no CSV field holds: what tells a unit
 * apart when there is no identifying column. The measure counts as the
 * number it is, written as a ',' file writes it: a Dutch spreadsheet's
 * "1.234,5" is "1234.5", so the same rows give the same noise whichever
 * way they were saved (and a ',' file's text is kept as it was, so the
 * keys of what was published before stay).
 */
static uint64_t
dataset_pseudonym(struct dataset_parse *ps, const char *kind,
    const char *const *f, size_t n)
{
	char number[64];
	const char *why, *v;
	size_t len;
	uint64_t who;

	if (ps->canon == NULL)
		ps->canon = evbuffer_new();
	for (size_t i = 0; i < n; i++) {
		if ((int)i == ps->ind_col || (int)i == ps->per_col)
			continue;
		v = f[i];
		if ((int)i == ps->measure && ps->delim == ';' &&
		    dataset_number_text(ps, f[i], number, sizeof number,
		    &why) == 0)
			v = number;
		evbuffer_add(ps->canon, v, strlen(v));
		evbuffer_add(ps->canon, "\x1f", 1);
	}
	len = evbuffer_get_length(ps->canon);
	who = cellkey_pseudonym(ps->rq->cellkey, kind,
	    evbuffer_pullup(ps->canon, (ev_ssize_t)len), len);
	csvstream_wipe(ps->canon);
	return who;
}

/*
 * Who a microdata row belongs to: the pseudonym of its identifying value
 * (spaces, dots and dashes dropped, letters in upper case, so that one
 * person written two ways is one person), or of the whole row.
 */
static int
dataset_unit_who(struct dataset_parse *ps, const char *const *f,
    const size_t *len, size_t n, long row, struct dataset_unit *u,
    struct csvstream_error *err)
{
	char norm[CSVSTREAM_MAX_FIELD + 1];
	const char *v;
	size_t k = 0;

	if (ps->person_col < 0) {
		u->who = dataset_pseudonym(ps, "rij", f, n);
		return 0;
	}
	v = f[ps->person_col];
	for (size_t i = 0; i < len[ps->person_col]; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch == ' ' || ch == '.' || ch == '-' || ch == '\t')
			continue;
		norm[k++] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
	}
	if (k == 0)
		return dataset_fail(err, row, ps->person_col + 1, "de "
		    "identificerende kolom is leeg: elke rij hoort bij een "
		    "persoon");
	u->who = cellkey_pseudonym(ps->rq->cellkey, "persoon", norm, k);
	sodium_memzero(norm, k);
	return 0;
}

/*
 * The decimal mark of a number in a ';' file (a Dutch spreadsheet): ','
 * when it has one, or when its '.'s group thousands (1.234.567); '.' for
 * any other '.'; 0 when it shows none.
 */
static char
dataset_decimal_seen(const char *s)
{
	const char *dot = strchr(s, '.');
	size_t run = 0;

	if (strchr(s, ',') != NULL)
		return ',';
	if (dot == NULL)
		return 0;
	/* Thousands: 1-3 digits, then groups of exactly 3 after each '.'. */
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (run == 0 || (p > dot && run != 3) || (p == dot &&
			    run > 3))
				return '.';
			run = 0;
		} else if (*p >= '0' && *p <= '9')
			run++;
		else if (p != s || (*p != '-' && *p != '+'))
			return '.';
	}
	return run == 3 ? ',' : '.';
}

/*
 * A number as the file writes it into C's form in out: in a ';' file the
 * first number that shows a decimal mark decides it for the whole file
 * (',' with '.' grouping thousands, as Dutch Excel writes; or '.'), and a
 * number with the other mark is refused as mixed; a ',' file has '.' only.
 * -1 with *reason.
 */
static int
dataset_number_text(struct dataset_parse *ps, const char *s, char *out,
    size_t outlen, const char **reason)
{
	char mark = 0;
	size_t k = 0;

	if (ps->delim != ';') {
		if (strchr(s, ',') != NULL) {
			*reason = "gemengde decimaaltekens: in een bestand met "
			    "komma's tussen de kolommen is de punt het "
			    "decimaalteken";
			return -1;
		}
		mark = '.';
	} else if ((mark = dataset_decimal_seen(s)) != 0) {
		/* 1.234 in a file of decimal points is 1.234. */
		if (mark == ',' && ps->decimal == '.' &&
		    strchr(s, ',') == NULL)
			mark = '.';
		if (ps->decimal == 0)
			ps->decimal = mark;
		else if (ps->decimal != mark) {
			*reason = ps->decimal == ',' ? "gemengde "
			    "decimaaltekens: eerder in het bestand is de komma "
			    "het decimaalteken, hier de punt" : "gemengde "
			    "decimaaltekens: eerder in het bestand is de punt "
			    "het decimaalteken, hier de komma";
			return -1;
		}
	}
	for (; *s != '\0'; s++) {
		if (k + 1 >= outlen) {
			*reason = "geen getal";
			return -1;
		}
		if (mark == ',' && *s == '.')
			continue;	/* thousands */
		out[k++] = mark == ',' && *s == ',' ? '.' : *s;
	}
	out[k] = '\0';
	return 0;
}

/* A non-negative figure; -1 after *err. */
static int
dataset_number(struct dataset_parse *ps, const char *s, long row, int col,
    double *out, struct csvstream_error *err)
{
	char text[64];
	const char *why;

	if (dataset_number_text(ps, s, text, sizeof text, &why) == -1)
		return dataset_fail(err, row, col + 1, why);
	if (indicator_parse_value(text, out) == -1)
		return dataset_fail(err, row, col + 1, ps->delim == ';' ?
		    "geen getal (zoals 1234,5 of 1.234,5), of buiten het "
		    "bereik" : "geen getal (zoals 1234.5), of buiten het "
		    "bereik");
	if (*out < 0)
		return dataset_fail(err, row, col + 1, "negatieve waarden "
		    "kan meent niet beschermen");
	return 0;
}

/*
 * A measure checked against the indicator's kind: an indicator that counts
 * (aantal) takes whole numbers, an amount (bedrag) at most cents.
 */
static int
dataset_measure(struct dataset_parse *ps, const char *s, long row, int col,
    double *out, struct csvstream_error *err)
{
	if (dataset_number(ps, s, row, col, out, err) == -1)
		return -1;
	if (strcmp(ps->rq->soort, "aantal") == 0 && *out != floor(*out))
		return dataset_fail(err, row, col + 1, "deze indicator telt "
		    "(soort aantal): de meetwaarde is een heel getal, zonder "
		    "decimalen");
	if (strcmp(ps->rq->soort, "bedrag") == 0 &&
	    fabs(*out * 100 - round(*out * 100)) > 1e-6 * fmax(1, *out * 100))
		return dataset_fail(err, row, col + 1, "deze indicator is een "
		    "bedrag: hoogstens twee decimalen (centen)");
	return 0;
}

static int
dataset_units(double v, long row, int col,
    long *out, struct csvstream_error *err)
{
	if (v != floor(v) || v > 1e12)
		return dataset_fail(err, row, col + 1, "een aantal is een "
		    "geheel getal");
	*out = (long)v;
	return 0;
}

/* One table row: a cell. */
static int
dataset_table_row(struct dataset_parse *ps, const char *const *f, long row,
    struct dataset_cell *c, struct csvstream_error *err)
{
	double v, u;

	if (ps->ind_col >= 0 && strcmp(f[ps->ind_col], ps->rq->indicator) != 0)
		return dataset_fail(err, row, ps->ind_col + 1, "andere "
		    "indicator dan in de upload");
	if (ps->per_col >= 0 && strcmp(f[ps->per_col], ps->rq->periode) != 0)
		return dataset_fail(err, row, ps->per_col + 1, "andere "
		    "periode dan in de upload");
	if (dataset_measure(ps, f[ps->measure], row, ps->measure, &v,
	    err) == -1)
		return -1;
	if (ps->units_col >= 0) {
		if (dataset_number(ps, f[ps->units_col], row, ps->units_col,
		    &u, err) == -1 || dataset_units(u, row,
		    ps->units_col, &c->units, err) == -1)
			return -1;
	} else if (dataset_units(v, row, ps->measure, &c->units,
	    err) == -1)
		return -1;
	if (c->units == 0 && v != 0)
		return dataset_fail(err, row, ps->units_col + 1, "een cel met "
		    "aantal 0 kan geen waarde hebben");
	if (ps->units_col >= 0 && v != (double)c->units)
		return dataset_fail(err, row, ps->units_col + 1, "bij een "
		    "indicator die telt is de waarde het aantal: waarde en "
		    "aantal verschillen");
	c->value = v;
	c->row = row;
	return 0;
}

static int
dataset_row_cb(const char *const *f, const size_t *len, size_t n, long row,
    void *arg, struct csvstream_error *err)
{
	struct dataset_parse *ps = arg;
	int coord[SDC_MAX_DIMS] = { 0 };

	if (row == 1)
		return dataset_header(ps, f, n, err);
	ps->rows = row - 1;
	for (int i = 0; i < ps->ncols; i++)
		if (ps->role[i] != DATASET_ROLE_IDENTIFYING && len[i] > 0)
			identifier_column_add(&ps->idcol[i], f[i], len[i], row);
	for (int k = 0; k < ps->ndims; k++) {
		int col = ps->dims[k].column;

		if ((coord[k] = dataset_category(ps, k, f[col], len[col], row,
		    err)) == -1)
			return -1;
	}
	dataset_grow(ps);
	if (ps->rq->microdata) {
		struct dataset_unit *u = &ps->units[ps->n];

		for (int k = 0; k < ps->ndims; k++)
			u->c[k] = (uint16_t)coord[k];
		u->v = 1;
		if (ps->measure >= 0 && dataset_measure(ps, f[ps->measure],
		    row, ps->measure, &u->v, err) == -1)
			return -1;
		if (dataset_unit_who(ps, f, len, n, row, u, err) == -1)
			return -1;
	} else {
		struct dataset_cell *c = &ps->cells[ps->n];

		for (int k = 0; k < ps->ndims; k++)
			c->c[k] = (uint16_t)coord[k];
		if (dataset_table_row(ps, f, row, c, err) == -1)
			return -1;
	}
	ps->n++;
	return 0;
}

/* --- Identifiers ----------------------------------------------------------- */

/* Every column that holds a direct identifier becomes a problem. */
static bool
dataset_identifiers(struct dataset_parse *ps)
{
	bool found = false;

	for (int i = 0; i < ps->ncols; i++) {
		enum identifier_kind k;
		long row = 0;
		char *why;

		if (ps->role[i] == DATASET_ROLE_IDENTIFYING)
			continue;
		k = identifier_column_verdict(&ps->idcol[i], &row);
		if (k == IDENTIFIER_NONE)
			continue;
		why = xasprintf("bevat een direct identificerend gegeven: %s. "
		    "Laat de kolom weg of geef hem de rol identificerend; er "
		    "is niets bewaard", identifier_reason(k));
		dataset_problem(ps, ps->names[i], row, i + 1, why);
		free(why);
		found = true;
	}
	return found;
}

/* --- The table ------------------------------------------------------------- */

static void
dataset_remap(struct dataset_parse *ps)
{
	for (int k = 0; k < ps->ndims; k++) {
		int *remap = dataset_dim_sort(&ps->dims[k]);

		for (size_t i = 0; i < ps->n; i++) {
			uint16_t *c = ps->rq->microdata ? ps->units[i].c :
			    ps->cells[i].c;

			c[k] = (uint16_t)remap[c[k]];
		}
		free(remap);
	}
}

/* --- Persons --------------------------------------------------------------- */

static int
dataset_unit_cmp(const void *a, const void *b)
{
	const struct dataset_unit *x = a, *y = b;

	if (x->who != y->who)
		return x->who < y->who ? -1 : 1;
	return memcmp(x->c, y->c, sizeof x->c);
}

/*
 * With an identifying column: one unit per person, in the cell that holds
 * most of their amount (or, counting, of their rows; a tie goes to the
 * first cell in order), holding their total (or, for a mean, the mean of
 * their rows; counting, 1). The rows are sorted by pseudonym in place and
 * the array shrinks to the persons.
 */
static void
dataset_persons(struct dataset_parse *ps)
{
	size_t out = 0, a = 0;
	bool count = ps->measure < 0;

	if (ps->person_col < 0) {
		ps->persons = (long)ps->n;
		return;
	}
	qsort(ps->units, ps->n, sizeof *ps->units, dataset_unit_cmp);
	while (a < ps->n) {
		size_t b = a, best = a;
		double total = 0, best_w = -1;

		while (b < ps->n && ps->units[b].who == ps->units[a].who)
			b++;
		for (size_t k = a; k < b; ) {
			size_t e = k;
			double w = 0;

			while (e < b && memcmp(ps->units[e].c, ps->units[k].c,
			    sizeof ps->units[k].c) == 0) {
				w += count || ps->mean ? 1 : ps->units[e].v;
				total += ps->units[e].v;
				e++;
			}
			if (w > best_w) {
				best_w = w;
				best = k;
			}
			k = e;
		}
		ps->units[out].who = ps->units[a].who;
		memcpy(ps->units[out].c, ps->units[best].c,
		    sizeof ps->units[out].c);
		ps->units[out].v = count ? 1 : ps->mean ?
		    total / (double)(b - a) : total;
		out++;
		a = b;
	}
	sodium_memzero(ps->units + out, (ps->n - out) * sizeof *ps->units);
	ps->n = out;
	ps->persons = (long)out;
}

/* --- Labels that are safe to publish ----------------------------------------- */

/* Whether dimension k's labels are free text (not generalised by meent). */
static bool
dataset_dim_free_text(const struct dataset_parse *ps, int k)
{
	return ps->dims[k].gen == GEN_NONE;
}

/*
 * Every free-text label is published: any one that looks like a direct
 * identifier refuses the upload (the label itself is never repeated).
 * Returns false after noting problems.
 */
static bool
dataset_labels_safe(struct dataset_parse *ps)
{
	bool ok = true;

	for (int k = 0; k < ps->ndims; k++) {
		struct dataset_dim *d = &ps->dims[k];

		if (!dataset_dim_free_text(ps, k))
			continue;
		for (int i = 0; i < d->nlabels; i++) {
			enum identifier_kind kind = identifier_label(
			    d->labels[i], strlen(d->labels[i]));
			char *why;

			if (kind == IDENTIFIER_NONE)
				continue;
			why = xasprintf("een categorie lijkt op een direct "
			    "identificerend gegeven (%s). Categorieën worden "
			    "gepubliceerd: gebruik codes of bredere groepen; "
			    "er is niets bewaard", identifier_reason(kind));
			dataset_problem(ps, ps->names[d->column], 0,
			    d->column + 1, why);
			free(why);
			ok = false;
			break;
		}
	}
	return ok;
}

/* The coordinates of unit or cell i, whichever shape this is. */
static uint16_t *
dataset_coords(struct dataset_parse *ps, size_t i)
{
	return ps->rq->microdata ? ps->units[i].c : ps->cells[i].c;
}

/*
 * Merge dimension k's rare categories (fewer than min_frequency units in
 * its margin) into "overig", and drop their labels. Postcodes and free
 * text only: ages, years and months are meent's own code lists. Returns
 * whether anything was merged.
 */
static bool
dataset_merge_dim(struct dataset_parse *ps, int k)
{
	struct dataset_dim *d = &ps->dims[k];
	long *units = xcalloc((size_t)d->nlabels + 1, sizeof *units);
	int *remap, other, nkeep = 0, nrare = 0;
	char **kept;

	for (size_t i = 0; i < ps->n; i++)
		units[dataset_coords(ps, i)[k]] += ps->rq->microdata ? 1 :
		    ps->cells[i].units;
	for (int c = 0; c < d->nlabels; c++)
		nrare += units[c] < ps->rq->rules.min_frequency &&
		    strcmp(d->labels[c], DATASET_OTHER) != 0;
	if (nrare == 0) {
		free(units);
		return false;
	}
	other = dataset_dim_index(d, DATASET_OTHER);
	remap = xcalloc((size_t)d->nlabels + 1, sizeof *remap);
	kept = xcalloc((size_t)d->nlabels + 1, sizeof *kept);
	for (int c = 0; c < d->nlabels; c++) {
		if (c != other && units[c] < ps->rq->rules.min_frequency) {
			remap[c] = -1;
			free(d->labels[c]);
			continue;
		}
		remap[c] = nkeep;
		kept[nkeep++] = d->labels[c];
	}
	for (int c = 0; c < d->nlabels; c++)
		if (remap[c] == -1)
			remap[c] = remap[other];
	for (size_t i = 0; i < ps->n; i++) {
		uint16_t *co = dataset_coords(ps, i);

		co[k] = (uint16_t)remap[co[k]];
	}
	free(d->labels);
	d->labels = kept;
	d->nlabels = nkeep;
	d->caplabels = nkeep + 1;
	/* The hash of labels is stale now; nothing looks up after this. */
	free(d->slots);
	d->slots = NULL;
	d->nslots = 0;
	free(units);
	free(remap);
	return true;
}

static int
dataset_cell_cmp(const void *a, const void *b)
{
	const struct dataset_cell *x = a, *y = b;

	return memcmp(x->c, y->c, sizeof x->c);
}

/*
 * A table upload's cells sorted by coordinates; two rows for one cell are
 * a problem (false), unless merge: then they are cells merged into
 * "overig", summed (their keys too).
 */
static bool
dataset_cells_combine(struct dataset_parse *ps, bool merge)
{
	size_t out = 0;

	qsort(ps->cells, ps->n, sizeof *ps->cells, dataset_cell_cmp);
	for (size_t i = 0; i < ps->n; i++) {
		struct dataset_cell *c = &ps->cells[i];

		if (out > 0 && memcmp(ps->cells[out - 1].c, c->c,
		    sizeof c->c) == 0) {
			if (!merge) {
				dataset_problem(ps, "body", c->row, 0, "deze "
				    "combinatie van categorieën staat er twee "
				    "keer in");
				return false;
			}
			ps->cells[out - 1].value += c->value;
			ps->cells[out - 1].units += c->units;
			continue;
		}
		ps->cells[out++] = *c;
	}
	ps->n = out;
	return true;
}

/* Rare categories into "overig", in every dimension that has them. */
static void
dataset_merge_rare(struct dataset_parse *ps)
{
	bool any = false;

	for (int k = 0; k < ps->ndims; k++)
		if (dataset_dim_free_text(ps, k) ||
		    ps->dims[k].gen == GEN_POSTCODE)
			if (dataset_merge_dim(ps, k)) {
				any = true;
				ps->merged++;
			}
	if (any && !ps->rq->microdata)
		(void)dataset_cells_combine(ps, true);
}

/* --- Filling and publishing ------------------------------------------------- */

/*
 * A unit's value key: what makes the noise of amounts follow the amounts as
 * well as the persons, so that one person's changed amount among the same
 * persons draws new noise (the count's noise, keyed by persons alone, stays).
 */
static uint32_t
dataset_value_key(struct dataset_parse *ps, const struct dataset_unit *u)
{
	long long cents = llround(u->v * 100);
	unsigned char buf[16];

	memcpy(buf, &u->who, 8);
	memcpy(buf + 8, &cents, 8);
	return cellkey_record(cellkey_pseudonym(ps->rq->cellkey, "waarde", buf,
	    sizeof buf));
}

/*
 * A table upload's cell key, from what the cell is, not how the row was
 * written: its categories by dimension name (in name order, totals left
 * out) and its count. So the same count for the same categories gets the
 * same noise in any layout and any breakdown, inner cell or margin, and an
 * average over many uploads of one table teaches nothing.
 */
static uint32_t
dataset_cell_key(struct dataset_parse *ps, const struct sdc_table *t,
    const struct sdc_cell *c)
{
	int order[SDC_MAX_DIMS];
	struct evbuffer *b = evbuffer_new();
	uint32_t key;
	size_t len;

	for (int k = 0; k < ps->ndims; k++)
		order[k] = k;
	for (int i = 1; i < ps->ndims; i++)
		for (int j = i; j > 0 && strcmp(ps->names[ps->dims[order[j -
		    1]].column], ps->names[ps->dims[order[j]].column]) > 0; j--) {
			int x = order[j];

			order[j] = order[j - 1];
			order[j - 1] = x;
		}
	for (int i = 0; i < ps->ndims; i++) {
		int k = order[i];

		if (c->coord[k] == t->ncat[k])
			continue;
		evbuffer_add_printf(b, "%s=%s\x1f", ps->names[ps->dims[k].column],
		    ps->dims[k].labels[c->coord[k]]);
	}
	evbuffer_add_printf(b, "%ld", c->units);
	len = evbuffer_get_length(b);
	key = cellkey_record(cellkey_pseudonym(ps->rq->cellkey, "cel",
	    evbuffer_pullup(b, (ev_ssize_t)len), len));
	evbuffer_free(b);
	return key;
}

/* Fill t from the units (persons, or rows) or the cells. */
static void
dataset_fill(struct dataset_parse *ps, struct sdc_table *t)
{
	int coord[SDC_MAX_DIMS] = { 0 };

	if (ps->rq->microdata) {
		t->magnitude = ps->measure >= 0;
		t->count = ps->measure < 0;
		for (size_t i = 0; i < ps->n; i++) {
			for (int k = 0; k < ps->ndims; k++)
				coord[k] = ps->units[i].c[k];
			sdc_add_unit(t, coord, ps->units[i].v,
			    cellkey_record(ps->units[i].who),
			    dataset_value_key(ps, &ps->units[i]));
		}
		return;
	}
	t->count = true;
	for (size_t i = 0; i < ps->n; i++) {
		for (int k = 0; k < ps->ndims; k++)
			coord[k] = ps->cells[i].c[k];
		sdc_set_cell(t, coord, ps->cells[i].value, ps->cells[i].units,
		    0);
	}
	sdc_fill_totals(t);
	for (size_t i = 0; i < t->ncells; i++)
		t->cells[i].ckey = dataset_cell_key(ps, t, &t->cells[i]);
}

/* The published figure of a safe cell (a mean from both noisy parts). */
static double
dataset_published_value(struct dataset_parse *ps, const struct sdc_cell *c)
{
	if (ps->mean)
		return c->pub_units > 0 ? c->pub_value /
		    (double)c->pub_units : 0;
	return c->pub_value;
}

/*
 * How the table was protected, with the public parameters (the rules are
 * public, docs/privacy.md): what another instance checks before it shows a
 * federated table (fed_items.c), and what a reader can know.
 */
static json_t *
dataset_protection_json(struct dataset_parse *ps)
{
	const struct sdc_rules *r = &ps->rq->rules;

	return json_pack("{s:s, s:i, s:s, s:I, s:i, s:i}",
	    "methode", DATASET_PROTECTION_METHOD, "versie", 1,
	    "eenheid", ps->person_col >= 0 ? "persoon" : "rij",
	    "minimumEenheden", (json_int_t)r->min_frequency,
	    "ruisAantal", r->noise_count,
	    "ruisBedragProcent", (int)r->noise_magnitude);
}

static json_t *
dataset_table_json(struct dataset_parse *ps, const struct sdc_table *t)
{
	json_t *dims = json_array(), *cells = json_array();

	for (int k = 0; k < ps->ndims; k++) {
		json_t *cats = json_array();

		for (int i = 0; i < ps->dims[k].nlabels; i++)
			json_array_append_new(cats,
			    json_string(ps->dims[k].labels[i]));
		json_array_append_new(dims, json_pack("{s:s, s:o}", "naam",
		    ps->names[ps->dims[k].column], "categorieen", cats));
	}
	for (size_t i = 0; i < t->ncells; i++) {
		const struct sdc_cell *c = &t->cells[i];
		json_t *coord = json_array(), *cell;

		for (int k = 0; k < ps->ndims; k++)
			json_array_append_new(coord, c->coord[k] ==
			    t->ncat[k] ? json_null() :
			    json_string(ps->dims[k].labels[c->coord[k]]));
		if (c->status == SDC_SAFE)
			cell = json_pack("{s:o, s:f, s:I, s:b}", "categorieen",
			    coord, "waarde", dataset_published_value(ps, c),
			    "aantal", (json_int_t)c->pub_units, "geheim", 0);
		else
			cell = json_pack("{s:o, s:n, s:n, s:b}", "categorieen",
			    coord, "waarde", "aantal", "geheim", 1);
		json_array_append_new(cells, cell);
	}
	return json_pack("{s:o, s:o, s:o}", "dimensies", dims, "cellen", cells,
	    "bescherming", dataset_protection_json(ps));
}

static json_t *
dataset_columns_json(struct dataset_parse *ps)
{
	json_t *cols = json_array();

	for (int i = 0; i < ps->ncols; i++) {
		const char *how = "weggelaten: geen rol opgegeven";

		switch (ps->role[i]) {
		case DATASET_ROLE_IDENTIFYING:
			how = "weggelaten: identificerend, niet gelezen";
			break;
		case DATASET_ROLE_QUASI:
			how = "gegeneraliseerd";
			for (int k = 0; k < ps->ndims; k++)
				if (ps->dims[k].column == i)
					how = dataset_gen_text(ps->dims[k].gen);
			break;
		case DATASET_ROLE_DIMENSION:
			how = "uitsplitsing";
			break;
		case DATASET_ROLE_MEASURE:
			how = ps->mean ? "meetwaarde: gemiddelde" :
			    "meetwaarde: som";
			break;
		default:
			if (!ps->rq->microdata)
				how = i == ps->units_col ? "aantal eenheden" :
				    "gecontroleerd";
			break;
		}
		json_array_append_new(cols, json_pack("{s:s, s:o, s:s}",
		    "naam", ps->names[i], "rol", ps->role[i] ==
		    DATASET_ROLE_NONE ? json_null() :
		    json_string(dataset_role_name(ps->role[i])),
		    "behandeling", how));
	}
	return cols;
}

/*
 * The report everyone may read: what was done, and nothing that narrows a
 * secret cell (no numbers of rows or persons, which would give a secret
 * grand total and undo the noise; no counts per rule, which let a prober
 * find the rules' parameters, and which the secret cells' pattern does not
 * need).
 */
static json_t *
dataset_report_json(struct dataset_parse *ps, const struct sdc_report *rep)
{
	return json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:b, s:{s:s}, s:o, "
	    "s:b}",
	    "vorm", ps->rq->microdata ? "microdata" : "tabel",
	    "eenheid", ps->person_col >= 0 ? "persoon" : "rij",
	    "kolommen", dataset_columns_json(ps),
	    "cellen", (json_int_t)rep->cells,
	    "gepubliceerd", (json_int_t)rep->published,
	    "geheim", (json_int_t)(rep->cells - rep->published),
	    "samengevoegd", ps->merged > 0,
	    "controle",
	    "oordeel", rep->audit_ok ? "geslaagd" : "afgekeurd",
	    "bescherming", dataset_protection_json(ps),
	    "publiceerbaar", rep->audit_ok);
}

/*
 * The uploader's own report: the public one, and what only they may see
 * (they have the data anyway): rows, persons, suppressions per rule, the
 * audit's size and whether it had to fall back, rounding.
 */
static json_t *
dataset_report_own_json(struct dataset_parse *ps, const struct sdc_report *rep,
    int round_base)
{
	json_t *own = dataset_report_json(ps, rep);

	json_object_update_new(own, json_pack("{s:I, s:I, s:s*, s:i, "
	    "s:{s:{s:I, s:I, s:I, s:I}, s:I}, s:{s:I, s:b}, s:o}",
	    "rijen", (json_int_t)ps->rows,
	    "eenheden", (json_int_t)ps->persons,
	    "persoonskolom", ps->person_col >= 0 ?
	    ps->names[ps->person_col] : NULL,
	    "samengevoegdeDimensies", ps->merged,
	    "onderdrukt",
	    "primair",
	    "frequentie", (json_int_t)rep->by_status[SDC_FREQUENCY],
	    "dominantie", (json_int_t)rep->by_status[SDC_DOMINANCE],
	    "p-procent", (json_int_t)rep->by_status[SDC_PPERCENT],
	    "identiek", (json_int_t)rep->by_status[SDC_IDENTICAL],
	    "secundair", (json_int_t)rep->by_status[SDC_SECONDARY],
	    "controleDetails",
	    "cellen", (json_int_t)rep->audited,
	    "verruimd", rep->escalated,
	    "afronding", rep->rounded ? json_integer(round_base) : json_null()));
	return own;
}

static void
dataset_parse_free(struct dataset_parse *ps)
{
	for (int i = 0; i < ps->ncols; i++)
		free(ps->names[i]);
	free(ps->names);
	free(ps->role);
	free(ps->idcol);
	for (int k = 0; k < ps->ndims; k++)
		dataset_dim_free(&ps->dims[k]);
	if (ps->canon != NULL) {
		csvstream_wipe(ps->canon);
		evbuffer_free(ps->canon);
	}
	/* Reduced rows are still derived from raw data: wipe them. */
	if (ps->units != NULL)
		sodium_memzero(ps->units, ps->cap * sizeof *ps->units);
	if (ps->cells != NULL)
		sodium_memzero(ps->cells, ps->cap * sizeof *ps->cells);
	free(ps->units);
	free(ps->cells);
}

/*
 * Build, protect and describe the table: persons first, then the labels
 * checked and the rare ones merged, then disclosure control.
 */
static void
dataset_protect(struct dataset_parse *ps)
{
	struct dataset_result *res = ps->res;
	struct sdc_table t;
	struct sdc_report rep;
	int ncat[SDC_MAX_DIMS];

	if (ps->rq->microdata)
		dataset_persons(ps);
	else if (!dataset_cells_combine(ps, false))
		return;
	else
		ps->persons = 0;
	if (!dataset_labels_safe(ps))
		return;
	dataset_merge_rare(ps);
	dataset_remap(ps);
	for (int k = 0; k < ps->ndims; k++)
		ncat[k] = ps->dims[k].nlabels;
	if (sdc_table_init(&t, ps->ndims, ncat) == -1) {
		dataset_problem(ps, "body", 0, 0, "te veel cellen: gebruik "
		    "minder uitsplitsingen of minder categorieën");
		return;
	}
	dataset_fill(ps, &t);
	if (!ps->rq->microdata)
		ps->persons = (long)t.cells[t.ncells - 1].units;
	memset(&rep, 0, sizeof rep);
	if (sdc_protect(&t, &ps->rq->rules, &rep) == -1)
		rep.audit_ok = false;
	res->publishable = rep.audit_ok;
	res->report = dataset_report_json(ps, &rep);
	res->report_own = dataset_report_own_json(ps, &rep,
	    ps->rq->rules.round_base);
	res->table = dataset_table_json(ps, &t);
	res->statuses = json_array();
	for (size_t i = 0; i < t.ncells; i++)
		json_array_append_new(res->statuses,
		    json_string(sdc_status_name(t.cells[i].status)));
	sdc_table_free(&t);
}

/*
 * Does a published table from elsewhere (federation) meet this instance's
 * rules? A table without this method's protection, with weaker parameters,
 * with a published cell for fewer units than the minimum (less the noise),
 * a report that gives what must stay secret, or a label that looks like an
 * identifier is not shown here. Returns NULL, or why not (Dutch, static,
 * naming the field and the rule).
 */
const char *
dataset_table_acceptable(json_t *tabel, json_t *rapport,
    const struct sdc_rules *r)
{
	json_t *bes = json_object_get(tabel, "bescherming"), *cell, *dim, *lab;
	json_int_t min = json_integer_value(json_object_get(bes,
	    "minimumEenheden"));
	json_int_t noise = json_integer_value(json_object_get(bes,
	    "ruisAantal"));
	size_t i, k;

	if (!json_is_true(json_object_get(rapport, "publiceerbaar")))
		return "rapport.publiceerbaar: de tabel is niet goedgekeurd";
	if (json_object_get(rapport, "rijen") != NULL ||
	    json_object_get(rapport, "onderdrukt") != NULL)
		return "rapport: noemt rijen of geheime cellen per regel, wat "
		    "hier niet openbaar is";
	if (!json_is_object(bes) || json_string_value(json_object_get(bes,
	    "methode")) == NULL || strcmp(json_string_value(json_object_get(
	    bes, "methode")), DATASET_PROTECTION_METHOD) != 0 ||
	    json_integer_value(json_object_get(bes, "versie")) != 1)
		return "tabel.bescherming.methode: niet beschermd met "
		    "cel-sleutelruis (versie 1)";
	if (min < r->min_frequency)
		return "tabel.bescherming.minimumEenheden: lager dan hier";
	if (noise < r->noise_count || json_integer_value(json_object_get(bes,
	    "ruisBedragProcent")) < (json_int_t)r->noise_magnitude)
		return "tabel.bescherming.ruisAantal/ruisBedragProcent: minder "
		    "ruis dan hier";
	json_array_foreach(json_object_get(tabel, "cellen"), i, cell) {
		json_t *n = json_object_get(cell, "aantal");

		if (json_is_integer(n) && json_integer_value(n) > 0 &&
		    json_integer_value(n) < r->min_frequency - noise)
			return "tabel.cellen.aantal: een cel staat voor minder "
			    "eenheden dan het minimum hier";
	}
	json_array_foreach(json_object_get(tabel, "dimensies"), i, dim)
		json_array_foreach(json_object_get(dim, "categorieen"), k, lab)
			if (!json_is_string(lab) || identifier_label(
			    json_string_value(lab), strlen(json_string_value(
			    lab))) != IDENTIFIER_NONE)
				return "tabel.dimensies.categorieen: een "
				    "categorie lijkt op een direct "
				    "identificerend gegeven";
	return NULL;
}

/*
 * Turn the CSV in body into a protected table and its report, or into
 * problems (row, column, reason). body is wiped and emptied.
 */
void
dataset_process(const struct dataset_request *rq, struct evbuffer *body,
    struct dataset_result *res)
{
	struct dataset_parse ps = { .rq = rq, .res = res };
	struct csvstream_error err;
	bool failed;

	memset(res, 0, sizeof *res);
	/* Its decimal mark follows the delimiter (dataset_number_text()). */
	failed = csvstream_delimiter(body, &ps.delim, &err) == -1 ||
	    csvstream_parse(body, dataset_row_cb, &ps, &err) == -1;
	csvstream_wipe(body);
	/* Identifiers first: their report is the one that matters. */
	if (ps.ncols > 0 && dataset_identifiers(&ps))
		;
	else if (failed)
		dataset_problem(&ps, dataset_column_name(&ps, err.column),
		    err.row, err.column, err.reason);
	else
		dataset_protect(&ps);
	dataset_parse_free(&ps);
}

void
dataset_result_free(struct dataset_result *res)
{
	json_decref(res->problems);
	json_decref(res->report);
	json_decref(res->report_own);
	json_decref(res->table);
	json_decref(res->statuses);
	memset(res, 0, sizeof *res);
}
