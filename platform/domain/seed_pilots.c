/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Seed pilots: the .md files of content/pilots, front matter and five "## " sections
 * (Aanpak, Data, Resultaten, Lessen, Privacy). Each file goes through the
 * same validation as the API, so a seed file can never hold what a
 * municipality could not publish.
 */
#include "domain/domain.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Split the body at "## " headings into the sections of in. */
static int
seed_pilots_sections(json_t *in, const char *body, char **err)
{
	const char *p = body;
	int section = -1;
	const char *start = NULL;

	for (;;) {
		const char *nl = strchr(p, '\n');
		bool heading = strncmp(p, "## ", 3) == 0;
		bool end = *p == '\0';

		if ((heading || end) && section >= 0) {
			/* The blank lines before the next heading are not its. */
			const char *stop = p;
			char *md;

			while (stop > start && stop[-1] == '\n')
				stop--;
			md = xstrndup(start, (size_t)(stop - start));

			json_object_set_new(in, pilot_sections[section],
			    json_string(md));
			free(md);
		}
		if (end)
			return 0;
		if (heading) {
			const char *name = p + 3;
			size_t len = (nl != NULL ? (size_t)(nl - name) :
			    strlen(name));

			section = -1;
			for (int i = 0; i < PILOT_NSECTIONS; i++)
				if (strlen(pilot_sections[i]) == len &&
				    strncasecmp(name, pilot_sections[i], len) == 0)
					section = i;
			if (section < 0) {
				*err = xasprintf("unknown section '%.*s'",
				    (int)len, name);
				return -1;
			}
			start = nl != NULL ? nl + 1 : name + len;
		}
		if (nl == NULL) {
			p += strlen(p);
			continue;
		}
		p = nl + 1;
	}
}

/* One seed file into a stored pilot. Returns 0 or -1 with *err. */
static int
seed_pilots_one(struct db *db, const char *path, const char *origin,
    const struct strlist *domains, char **err)
{
	struct pilot p;
	json_t *fm = NULL, *in = NULL, *invalid = NULL;
	const char *body, *key;
	char *text = NULL;
	json_t *v;
	size_t len;
	int rc = -1;

	memset(&p, 0, sizeof p);
	if (file_read_all(path, 2 << 20, &text, &len, err) == -1)
		return -1;
	if ((fm = frontmatter_parse(text, &body, err)) == NULL)
		goto out;
	in = json_object();
	json_object_foreach(fm, key, v) {
		const char *s = json_string_value(v);

		if (strcmp(key, "stakeholders") == 0 ||
		    strcmp(key, "tags") == 0 || strcmp(key, "indicatoren") == 0)
			json_object_set_new(in, key, frontmatter_list_of(v));
		else if (strcmp(key, "voorbeeld") == 0)
			json_object_set_new(in, key, json_boolean(s != NULL &&
			    strcmp(s, "true") == 0));
		else if (strcmp(key, "id") != 0 && strcmp(key, "gemeente") != 0)
			json_object_set_new(in, key, s != NULL && *s == '\0' ?
			    json_null() : json_incref(v));
	}
	if (seed_pilots_sections(in, body, err) == -1)
		goto out;
	invalid = json_array();
	if (pilot_from_json(&p, in, domains, invalid) == -1) {
		char *list = json_dumps(invalid, JSON_COMPACT);

		*err = xasprintf("invalid: %s", list);
		free(list);
		goto out;
	}
	key = json_string_value(json_object_get(fm, "gemeente"));
	v = json_object_get(fm, "id");
	if (key == NULL || municipality_exists(db, key) != 1 || v == NULL ||
	    json_string_length(v) != 36) {
		*err = xasprintf("needs an id (UUID) and a known gemeente");
		goto out;
	}
	snprintf(p.id, sizeof p.id, "%s", json_string_value(v));
	snprintf(p.gemeente, sizeof p.gemeente, "%s", key);
	snprintf(p.origin, sizeof p.origin, "%s", origin);
	p.versie = 1;
	p.aangemaakt = p.gewijzigd = time(NULL);
	if (pilot_store_insert(db, &p) == -1) {
		*err = xasprintf("cannot store");
		goto out;
	}
	rc = 0;
out:
	pilot_free(&p);
	json_decref(invalid);
	json_decref(in);
	json_decref(fm);
	free(text);
	return rc;
}

static int
seed_pilots_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 3 && strcmp(d->d_name + n - 3, ".md") == 0 &&
	    strcmp(d->d_name, "README.md") != 0;
}

/* Are there pilots already? 1, 0 or -1. */
int
seed_pilots_present(struct db *db)
{
	long n = pilot_store_count(db);

	return n < 0 ? -1 : n > 0;
}

/* Load every pilot file of dir. *n counts them. 0, or -1 with *err. */
int
seed_pilots_load(struct db *db, const char *dir, const struct config *cfg,
    long *n, char **err)
{
	struct dirent **names;
	char origin[37];
	int count, rc = 0;

	if (instance_uuid_read(db, origin, err) == -1)
		return -1;
	count = scandir(dir, &names, seed_pilots_filter, alphasort);
	if (count < 0) {
		*err = xasprintf("%s: cannot read", dir);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		char *why = NULL;

		if (rc == 0 && seed_pilots_one(db, path, origin, &cfg->domeinen,
		    &why) == -1) {
			*err = xasprintf("%s: %s", path, why);
			rc = -1;
		} else if (rc == 0)
			(*n)++;
		free(why);
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}
