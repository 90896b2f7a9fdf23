/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Seed indicators: content/indicatoren/catalogus.json, an array of indicator
 * definitions, each with an "import": one object, or an array of them for a
 * series spread over several tables, naming a public table (relative to
 * the folder) and its columns. The tables go through the same import as
 * `meentctl import`, so comparisons work on a fresh install. The tables of
 * one indicator must not overlap: each period comes from one file.
 *
 * An import object: bestand, kolom (required); periodeKolom, codeKolom,
 * status (default definitief), bron (default the indicator's),
 * statusPerPeriode ({"2024": "voorlopig"}), per1000Kolom (meent computes
 * kolom * 1000 / that column of the same row; the definition must say so).
 */
#include "domain/domain.h"

#include <stdlib.h>
#include <string.h>

#define SEED_CATALOGUE_MAX	(1024 * 1024)

/* Are there indicators already? 1, 0 or -1. */
int
seed_indicators_present(struct db *db)
{
	return db_exists(db, "SELECT 1 FROM indicatoren LIMIT 1", NULL);
}

static void
seed_indicators_bad(void *arg, const char *field, const char *why)
{
	char **err = arg;

	if (*err == NULL)
		*err = xasprintf("field %s: %s", field, why);
}

/* Override *slot with spec's string member key, if there is one. */
static void
seed_indicators_opt(json_t *spec, const char *key, const char **slot)
{
	const char *v = json_string_value(json_object_get(spec, key));

	if (v != NULL)
		*slot = v;
}

/* Every status of a statusPerPeriode object is a status, every key a
 * period. */
static bool
seed_indicators_period_status(json_t *o)
{
	const char *period;
	json_t *v;

	if (o == NULL)
		return true;
	if (!json_is_object(o))
		return false;
	json_object_foreach(o, period, v)
		if (!indicator_period_valid(period) ||
		    !indicator_status_valid(json_string_value(v)))
			return false;
	return true;
}

/* The import object spec of indicator ind into *imp (borrowed strings). */
static int
seed_indicators_spec(json_t *spec, const struct indicator *ind,
    struct indicator_import *imp)
{
	indicator_import_defaults(imp);
	imp->indicator = ind->id;
	imp->source = ind->bron;
	imp->new_periods = true;
	seed_indicators_opt(spec, "bron", &imp->source);
	seed_indicators_opt(spec, "periodeKolom", &imp->period_column);
	seed_indicators_opt(spec, "codeKolom", &imp->code_column);
	seed_indicators_opt(spec, "status", &imp->status);
	seed_indicators_opt(spec, "per1000Kolom", &imp->per1000_column);
	imp->period_status = json_object_get(spec, "statusPerPeriode");
	/* The value column is always named: a catalogue reads wide tables. */
	if (json_string_value(json_object_get(spec, "kolom")) == NULL ||
	    json_string_value(json_object_get(spec, "bestand")) == NULL)
		return -1;
	seed_indicators_opt(spec, "kolom", &imp->value_column);
	return indicator_status_valid(imp->status) &&
	    seed_indicators_period_status(imp->period_status) ? 0 : -1;
}

/* One import object of ind's entry. 0, or -1 with *err. */
static int
seed_indicators_import(struct db *db, const char *dir,
    const struct indicator *ind, json_t *spec, char **err)
{
	struct indicator_import imp;
	struct indicator_import_report rep;
	char *path, *sub = NULL;
	int rc;

	if (!json_is_object(spec) ||
	    seed_indicators_spec(spec, ind, &imp) == -1) {
		*err = xasprintf("%s: an import needs bestand and kolom; "
		    "status voorlopig or definitief, also in statusPerPeriode",
		    ind->id);
		return -1;
	}
	path = xasprintf("%s/%s", dir, json_string_value(json_object_get(spec,
	    "bestand")));
	rc = indicator_import_file(db, &imp, path, &rep, &sub);
	if (rc == -1)
		*err = xasprintf("%s: %s: %s", ind->id, path, sub != NULL ?
		    sub : "failed");
	free(sub);
	free(path);
	return rc;
}

static int
seed_indicators_entry(struct db *db, const char *dir, json_t *e, char **err)
{
	struct indicator ind;
	json_t *spec = json_object_get(e, "import"), *one;
	size_t i;

	if (indicator_from_json(e, &ind, seed_indicators_bad, err) == -1)
		return -1;
	if (indicator_put(db, &ind) == -1) {
		*err = xasprintf("%s: cannot store", ind.id);
		return -1;
	}
	if (spec == NULL)
		return 0;
	if (!json_is_array(spec))
		return seed_indicators_import(db, dir, &ind, spec, err);
	json_array_foreach(spec, i, one)
		if (seed_indicators_import(db, dir, &ind, one, err) == -1)
			return -1;
	return 0;
}

int
seed_indicators_load(struct db *db, const char *dir, const struct config *cfg,
    long *count, char **err)
{
	char *path = xasprintf("%s/catalogus.json", dir), *text, *sub = NULL;
	json_error_t jerr;
	json_t *list, *e;
	size_t len, i;
	int rc = 0;

	(void)cfg;
	if (file_read_all(path, SEED_CATALOGUE_MAX, &text, &len, err) == -1) {
		free(path);
		return -1;
	}
	list = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!json_is_array(list)) {
		*err = xasprintf("%s: line %d: %s", path, jerr.line,
		    list == NULL ? jerr.text : "not an array");
		json_decref(list);
		free(path);
		return -1;
	}
	json_array_foreach(list, i, e) {
		if (seed_indicators_entry(db, dir, e, &sub) == -1) {
			*err = xasprintf("%s: entry %zu: %s", path, i + 1,
			    sub != NULL ? sub : "failed");
			free(sub);
			rc = -1;
			break;
		}
		(*count)++;
	}
	json_decref(list);
	free(path);
	return rc;
}
