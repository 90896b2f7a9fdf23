/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Seed indicators: content/indicatoren/catalogus.json, an array of indicator
 * definitions, each with an "import" object naming a public table (relative
 * to the folder) and its columns. The tables go through the same import as
 * `meentctl import`, so comparisons work on a fresh install.
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

/* The import object of one entry into *imp (borrowed strings). */
static int
seed_indicators_spec(json_t *spec, const char *id,
    struct indicator_import *imp)
{
	indicator_import_defaults(imp);
	imp->indicator = id;
	imp->source = json_string_value(json_object_get(spec, "bron"));
	seed_indicators_opt(spec, "periodeKolom", &imp->period_column);
	seed_indicators_opt(spec, "codeKolom", &imp->code_column);
	seed_indicators_opt(spec, "status", &imp->status);
	/* The value column is always named: a catalogue reads wide tables. */
	if (json_string_value(json_object_get(spec, "kolom")) == NULL)
		return -1;
	seed_indicators_opt(spec, "kolom", &imp->value_column);
	return indicator_status_valid(imp->status) ? 0 : -1;
}

static int
seed_indicators_entry(struct db *db, const char *dir, json_t *e, char **err)
{
	struct indicator ind;
	struct indicator_import imp;
	struct indicator_import_report rep;
	json_t *spec = json_object_get(e, "import");
	const char *file = json_string_value(json_object_get(spec, "bestand"));
	char *path;
	int rc;

	if (indicator_from_json(e, &ind, seed_indicators_bad, err) == -1)
		return -1;
	if (indicator_put(db, &ind) == -1) {
		*err = xasprintf("%s: cannot store", ind.id);
		return -1;
	}
	if (spec == NULL)
		return 0;
	if (file == NULL || seed_indicators_spec(spec, ind.id, &imp) == -1) {
		*err = xasprintf("%s: import needs bestand and kolom, status "
		    "voorlopig or definitief", ind.id);
		return -1;
	}
	if (imp.source == NULL)
		imp.source = ind.bron;
	path = xasprintf("%s/%s", dir, file);
	rc = indicator_import_file(db, &imp, path, &rep, err);
	free(path);
	return rc;
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
