/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Seed guidelines: content/richtlijnen/<slug>/v1.md, v2.md, ... Each file
 * is the whole text of one revision with front matter (titel, gemeente,
 * bericht, datum, beheerders); v2 is written on v1, and so on, through the
 * same store functions as the API.
 */
#include "domain/domain.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static time_t
seed_guidelines_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return time(NULL);
	return timegm(&tm);
}

/* One revision file into g (created by v1). Returns 0 or -1 with *err. */
static int
seed_guidelines_revision(struct db *db, struct guideline *g, const char *path,
    int n, char **err)
{
	struct revision rev = { 0 };
	json_t *fm, *conflicts = NULL, *list;
	const char *body, *titel, *gemeente, *bericht;
	char *text;
	size_t len;
	int rc = -1;

	if (file_read_all(path, GUIDELINE_TEXT_MAX, &text, &len, err) == -1)
		return -1;
	if ((fm = frontmatter_parse(text, &body, err)) == NULL) {
		free(text);
		return -1;
	}
	titel = json_string_value(json_object_get(fm, "titel"));
	gemeente = json_string_value(json_object_get(fm, "gemeente"));
	bericht = json_string_value(json_object_get(fm, "bericht"));
	if (titel == NULL || gemeente == NULL || bericht == NULL ||
	    municipality_exists(db, gemeente) != 1 ||
	    !guideline_text_valid(body, strlen(body), NULL, 0)) {
		*err = xasprintf("needs titel, a known gemeente, bericht "
		    "and Markdown within the limits");
		goto out;
	}
	rev.tekst = body;
	rev.bericht = bericht;
	rev.gemeente = gemeente;
	rev.aangemaakt = seed_guidelines_time(json_string_value(
	    json_object_get(fm, "datum")));
	if (n == 1) {
		snprintf(g->titel, sizeof g->titel, "%s", titel);
		snprintf(g->gemeente, sizeof g->gemeente, "%s", gemeente);
		g->aangemaakt = rev.aangemaakt;
		if (guideline_store_create(db, g, &rev) != 0) {
			*err = xasprintf("cannot store");
			goto out;
		}
		list = frontmatter_list_of(json_object_get(fm, "beheerders"));
		if (json_array_size(list) > 0 &&
		    guideline_store_set_maintainers(db, g->pk, list) != 0) {
			json_decref(list);
			*err = xasprintf("cannot store the maintainers");
			goto out;
		}
		json_decref(list);
	} else {
		rev.basis = g->head;
		if (guideline_store_revise(db, g, &rev, &conflicts) != 0) {
			*err = xasprintf("cannot store revision %d", n);
			goto out;
		}
		if (strcmp(titel, g->titel) != 0)
			guideline_store_set_title(db, g->pk, titel);
		snprintf(g->titel, sizeof g->titel, "%s", titel);
	}
	rc = 0;
out:
	revision_free(&rev);
	json_decref(conflicts);
	json_decref(fm);
	free(text);
	return rc;
}

static int
seed_guidelines_dir_filter(const struct dirent *d)
{
	return d->d_name[0] != '.' && guideline_slug_valid(d->d_name);
}

/* Load every guideline folder of dir. *n counts them. 0, or -1 and *err. */
int
seed_guidelines_load(struct db *db, const char *dir, const struct config *cfg,
    long *n, char **err)
{
	struct dirent **names;
	char origin[37];
	int count, rc = 0;

	(void)cfg;
	if (instance_uuid_read(db, origin, err) == -1)
		return -1;
	count = scandir(dir, &names, seed_guidelines_dir_filter, alphasort);
	if (count < 0) {
		*err = xasprintf("%s: cannot read", dir);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		struct guideline g;
		struct stat sb;

		memset(&g, 0, sizeof g);
		snprintf(g.slug, sizeof g.slug, "%.80s", names[i]->d_name);
		snprintf(g.origin, sizeof g.origin, "%s", origin);
		for (int v = 1; rc == 0; v++) {
			char *path = xasprintf("%s/%s/v%d.md", dir,
			    names[i]->d_name, v);
			char *why = NULL;

			if (stat(path, &sb) != 0) {
				free(path);
				break;
			}
			if (seed_guidelines_revision(db, &g, path, v, &why) != 0) {
				*err = xasprintf("%s: %s", path, why);
				rc = -1;
			}
			free(why);
			free(path);
		}
		if (rc == 0 && g.head > 0)
			(*n)++;
		free(names[i]);
	}
	free(names);
	return rc;
}
