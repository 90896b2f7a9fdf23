/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Seed content (meentd --seed DIR): example pilots, guidelines and the like
 * from content/, loaded into a database that has none of that kind yet.
 * Each kind is one row of seed_loaders[]: its folder under DIR, a check for
 * "already has content", and the loader. Loading is one transaction per
 * kind; a broken seed file stops the start with the file and the reason.
 */
#include "domain/domain.h"

#include <stdlib.h>
#include <sys/stat.h>

struct seed_loader {
	const char	*kind;
	const char	*folder;
	int		(*has_content)(struct db *);	/* 1, 0, -1 */
	int		(*load)(struct db *, const char *, const struct config *,
			    long *, char **);
};

static const struct seed_loader seed_loaders[] = {
	{ "pilots", "pilots", seed_pilots_present, seed_pilots_load },
	{ "richtlijnen", "richtlijnen", guideline_store_present,
	    seed_guidelines_load },
	{ "indicatoren", "indicatoren", seed_indicators_present,
	    seed_indicators_load },
};

/* Load what cfg->seed_dir has into an empty database. 0, or -1 and *err. */
int
seed_load_dir(const struct config *cfg, char **err)
{
	char *path = xasprintf("%s/meent.db", cfg->data_dir);
	struct db *db = db_open(path, 0, err);
	int rc = 0;

	free(path);
	if (db == NULL)
		return -1;
	if (migrate_apply(db, err) == -1) {
		db_close(db);
		return -1;
	}
	for (size_t i = 0; i < nitems(seed_loaders) && rc == 0; i++) {
		const struct seed_loader *l = &seed_loaders[i];
		char *dir;
		struct stat sb;
		long n = 0;
		int has = l->has_content(db);

		if (has == -1) {
			*err = xasprintf("cannot read the %s already there",
			    l->kind);
			rc = -1;
			break;
		}
		if (has == 1)
			continue;
		dir = xasprintf("%s/%s", cfg->seed_dir, l->folder);
		if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			/* A kind loads whole or not at all, so that a fixed
			 * seed loads on the next start. */
			if (db_begin(db) == -1) {
				*err = xasprintf("%s: cannot begin a "
				    "transaction", l->kind);
				rc = -1;
			} else if ((rc = l->load(db, dir, cfg, &n, err)) == 0 &&
			    (rc = db_commit(db)) == -1)
				*err = xasprintf("%s: cannot commit", l->kind);
			if (rc == 0)
				log_emit(LOG_INFO, "seed", "loaded %ld %s from "
				    "%s", n, l->kind, dir);
			else
				db_rollback(db);
		}
		free(dir);
	}
	db_close(db);
	return rc;
}
