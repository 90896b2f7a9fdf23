/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The exit guarantee: everything a municipality made on this instance, as
 * files it can take elsewhere (meentctl export, and the download on
 * /mijn/export for its admin):
 *
 *   pilots/<title>-<id>.md       its pilots, every status and visibility
 *                                (not deleted), in the seed format of
 *                                content/pilots: front matter and the five
 *                                sections; meentd --seed loads them again
 *   richtlijnen/<slug>/vN.md     the guidelines it started, every revision,
 *                                in the seed format of content/richtlijnen
 *   tabellen/<id>.json, .csv     its published tables, as published
 *                                (protected): the API's JSON, and a CSV for
 *                                Dutch Excel
 *   manifest.json                what is where: sizes, SHA-256, counts
 *
 * The same content gives the same bytes (no time of making in them), so a
 * download can be compared with an earlier one.
 *
 * Pilots and guidelines from other instances are not its own and stay out;
 * so do attachments' bytes (the manifest names them with their hash).
 * Each file goes to put(), which writes it to a folder or into a zip.
 */
#include "domain/domain.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <sodium.h>

struct export_run {
	export_put_fn	 put;
	void		*arg;
	json_t		*files;		/* the manifest's list */
};

/* One file to put(), noted in the manifest. -1 when put() failed. */
static int
export_file(struct export_run *x, const char *path, struct evbuffer *b)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[sizeof h * 2 + 1];
	size_t len = evbuffer_get_length(b);
	const unsigned char *bytes = evbuffer_pullup(b, -1);

	crypto_hash_sha256(h, bytes != NULL ? bytes : (const unsigned char *)"",
	    len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	json_array_append_new(x->files, json_pack("{s:s, s:I, s:s}", "pad",
	    path, "grootte", (json_int_t)len, "sha256", hex));
	return x->put(x->arg, path, bytes != NULL ? (const char *)bytes : "",
	    len);
}

/* Can s stand as a plain front-matter value (seed format)? */
static bool
export_plain(const char *s, bool list_item)
{
	size_t n = strlen(s);

	if (n == 0)
		return !list_item;
	if (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '"' || s[0] == '[' ||
	    (list_item && strchr(s, ',') != NULL))
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return false;
	return true;
}

/* "key: value" for a string, a list, a boolean or null. */
static void
export_field(struct evbuffer *b, const char *key, json_t *v)
{
	json_t *item;
	size_t i;
	bool plain = true;
	char *j;

	if (json_is_null(v)) {
		evbuffer_add_printf(b, "%s:\n", key);
		return;
	}
	if (json_is_boolean(v)) {
		evbuffer_add_printf(b, "%s: %s\n", key, json_is_true(v) ?
		    "true" : "false");
		return;
	}
	if (json_is_string(v) && export_plain(json_string_value(v), false)) {
		evbuffer_add_printf(b, "%s: %s\n", key, json_string_value(v));
		return;
	}
	json_array_foreach(v, i, item)
		plain &= json_is_string(item) &&
		    export_plain(json_string_value(item), true);
	if (json_is_array(v) && plain) {
		evbuffer_add_printf(b, "%s: ", key);
		json_array_foreach(v, i, item)
			evbuffer_add_printf(b, "%s%s", i > 0 ? ", " : "",
			    json_string_value(item));
		evbuffer_add(b, "\n", 1);
		return;
	}
	j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	evbuffer_add_printf(b, "%s: %s\n", key, j);
	free(j);
}

/*
 * Can a section's text stand in the body under its "## " heading and come
 * back the same? Not when a line of it starts with "## " (a heading for
 * the loader) or it ends with a line break (the loader drops those).
 */
static bool
export_section_in_body(const char *md)
{
	size_t n = strlen(md);

	if (n > 0 && md[n - 1] == '\n')
		return false;
	for (const char *p = md; p != NULL; p = strchr(p, '\n'), p = p ?
	    p + 1 : NULL)
		if (strncmp(p, "## ", 3) == 0)
			return false;
	return true;
}

/* A file name from a title: lower-case ASCII words joined by '-'. */
static void
export_name(const char *title, const char *id, char *out, size_t len)
{
	size_t k = 0;
	bool dash = false;

	for (const char *p = title; *p != '\0' && k + 12 < len && k < 60; p++) {
		if (isalnum((unsigned char)*p) && (unsigned char)*p < 0x80) {
			if (dash && k > 0)
				out[k++] = '-';
			out[k++] = (char)tolower((unsigned char)*p);
			dash = false;
		} else
			dash = true;
	}
	snprintf(out + k, len - k, "%s%.8s", k > 0 ? "-" : "", id);
}

/* One pilot as a seed file. */
static int
export_pilot(struct export_run *x, const struct pilot *p)
{
	struct evbuffer *b = evbuffer_new();
	json_t *in = pilot_input_json(p), *v;
	const char *key;
	char name[96], *path;
	int rc;

	evbuffer_add_printf(b, "---\nid: %s\ngemeente: %s\n", p->id,
	    p->gemeente);
	json_object_foreach(in, key, v) {
		bool section = false;

		for (int i = 0; i < PILOT_NSECTIONS; i++)
			section |= strcmp(key, pilot_sections[i]) == 0;
		if (!section || !export_section_in_body(json_string_value(v)))
			export_field(b, key, v);
	}
	evbuffer_add(b, "---\n", 4);
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		const char *md = p->md[i];

		if (*md == '\0' || !export_section_in_body(md))
			continue;
		evbuffer_add_printf(b, "## %c%s\n%s\n\n",
		    toupper((unsigned char)pilot_sections[i][0]),
		    pilot_sections[i] + 1, md);
	}
	export_name(p->titel, p->id, name, sizeof name);
	path = xasprintf("pilots/%s.md", name);
	rc = export_file(x, path, b);
	free(path);
	evbuffer_free(b);
	json_decref(in);
	return rc;
}

/* The municipality's own pilots; *n counts them. */
static int
export_pilots(struct db *db, struct export_run *x, const char *gemeente,
    long *n)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id FROM pilots WHERE"
	    " gemeente = ?1 AND verwijderd IS NULL"
	    " AND origin = (SELECT uuid FROM instance) ORDER BY aangemaakt, id");
	json_t *ids = json_array(), *v;
	size_t i;
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, gemeente);
	while ((rc = db_step_row(db, st, "export pilots")) == 1)
		json_array_append_new(ids, db_column_json(st, 0));
	sqlite3_reset(st);
	json_array_foreach(ids, i, v) {
		struct pilot p;

		if (rc == -1 || pilot_store_get(db, json_string_value(v),
		    &p) != 0) {
			rc = -1;
			break;
		}
		rc = export_pilot(x, &p);
		pilot_free(&p);
		(*n)++;
	}
	json_decref(ids);
	return rc == -1 ? -1 : 0;
}

/* One revision (guideline_store_revision()) as richtlijnen/slug/vN.md. */
static int
export_revision(struct export_run *x, const struct guideline *g,
    json_t *rev, json_t *maintainers)
{
	struct evbuffer *b = evbuffer_new();
	long versie = (long)json_integer_value(json_object_get(rev, "versie"));
	json_t *t = json_object_get(rev, "titel");
	json_t *title = json_is_string(t) ? json_incref(t) :
	    json_string(g->titel);
	char *path;
	int rc;

	evbuffer_add(b, "---\n", 4);
	export_field(b, "titel", title);
	json_decref(title);
	export_field(b, "gemeente", json_object_get(rev, "gemeente"));
	export_field(b, "bericht", json_object_get(rev, "bericht"));
	export_field(b, "datum", json_object_get(rev, "aangemaakt"));
	if (versie == 1 && json_array_size(maintainers) > 0)
		export_field(b, "beheerders", maintainers);
	evbuffer_add_printf(b, "---\n%s", json_string_value(json_object_get(rev,
	    "tekst")));
	path = xasprintf("richtlijnen/%s/v%ld.md", g->slug, versie);
	rc = export_file(x, path, b);
	free(path);
	evbuffer_free(b);
	return rc;
}

/* The guidelines it started here, each revision; *n counts guidelines. */
static int
export_guidelines(struct db *db, struct export_run *x, const char *gemeente,
    long *n)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT slug FROM richtlijnen WHERE"
	    " gemeente = ?1 AND origin = (SELECT uuid FROM instance)"
	    " ORDER BY slug");
	json_t *slugs = json_array(), *v;
	size_t i;
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, gemeente);
	while ((rc = db_step_row(db, st, "export guidelines")) == 1)
		json_array_append_new(slugs, db_column_json(st, 0));
	sqlite3_reset(st);
	json_array_foreach(slugs, i, v) {
		struct guideline g;
		json_t *m, *codes, *rev, *item;
		size_t k;

		if (rc == -1 || guideline_store_get(db, json_string_value(v),
		    &g) != 0 || (m = guideline_store_maintainers(db,
		    g.pk)) == NULL) {
			rc = -1;
			break;
		}
		codes = json_array();
		json_array_foreach(m, k, item)
			json_array_append(codes, json_object_get(item, "code"));
		json_decref(m);
		for (long r = 1; rc != -1 && r <= g.head; r++) {
			if (guideline_store_revision(db, g.pk, r, &rev) != 0)
				rc = -1;
			else {
				rc = export_revision(x, &g, rev, codes);
				json_decref(rev);
			}
		}
		json_decref(codes);
		(*n)++;
	}
	json_decref(slugs);
	return rc == -1 ? -1 : 0;
}

/* One published table: its JSON and a CSV for Dutch Excel. */
static int
export_table(struct db *db, struct export_run *x, json_t *d,
    const char *gemeente, const char *naam)
{
	const char *id = json_string_value(json_object_get(d, "id"));
	json_t *ind = NULL, *sheet;
	struct evbuffer *b = evbuffer_new(), *csv;
	char *text, *path, *source;
	int rc;

	text = json_dumps(d, JSON_INDENT(2) | JSON_SORT_KEYS);
	evbuffer_add(b, text, strlen(text));
	free(text);
	path = xasprintf("tabellen/%s.json", id);
	rc = export_file(x, path, b);
	free(path);
	evbuffer_free(b);
	if (rc == -1 || indicator_get(db, json_string_value(json_object_get(d,
	    "indicator")), &ind) != MEENT_OK) {
		json_decref(ind);
		return -1;
	}
	source = xasprintf("gemeente %s (%s)", naam, gemeente);
	sheet = export_dataset(d, ind, source);
	csv = sheet_csv_nl(sheet);
	path = xasprintf("tabellen/%s.csv", id);
	rc = export_file(x, path, csv);
	free(path);
	evbuffer_free(csv);
	json_decref(sheet);
	json_decref(ind);
	free(source);
	return rc;
}

/* Its published tables; *n counts them. */
static int
export_tables(struct db *db, struct export_run *x, const char *gemeente,
    const char *naam, long *n)
{
	struct dataset_query q = { .gemeente = gemeente, .status =
	    "gepubliceerd", .viewer = gemeente, .limit = 100000 };
	json_t *list = dataset_store_list(db, &q, NULL), *item, *d;
	size_t i;
	int rc = 0;

	if (list == NULL)
		return -1;
	json_array_foreach(list, i, item) {
		/* As the public sees it: not the owner's report with counts. */
		if (dataset_store_get(db, json_string_value(json_object_get(item,
		    "id")), NULL, &d) != MEENT_OK) {
			rc = -1;
			break;
		}
		rc = export_table(db, x, d, gemeente, naam);
		json_decref(d);
		if (rc == -1)
			break;
		(*n)++;
	}
	json_decref(list);
	return rc;
}

/*
 * Everything of municipality gemeente (a code that exists) through put.
 * 0, MEENT_NOTFOUND (no such municipality), or -1 (the database, or put).
 */
int
export_gemeente(struct db *db, const char *gemeente, export_put_fn put,
    void *arg)
{
	struct export_run x = { put, arg, json_array() };
	long pilots = 0, guidelines = 0, tables = 0;
	json_t *g = NULL, *manifest;
	char *text;
	int rc;

	if ((rc = municipality_get(db, gemeente, &g)) != MEENT_OK ||
	    g == NULL) {
		json_decref(x.files);
		return rc == MEENT_ERR ? -1 : MEENT_NOTFOUND;
	}
	rc = export_pilots(db, &x, gemeente, &pilots);
	if (rc == 0)
		rc = export_guidelines(db, &x, gemeente, &guidelines);
	if (rc == 0)
		rc = export_tables(db, &x, gemeente, json_string_value(
		    json_object_get(g, "naam")), &tables);
	if (rc == 0) {
		manifest = json_pack("{s:s, s:O, s:s, s:{s:I, s:I, s:I},"
		    " s:O, s:s}", "gemeente", gemeente, "naam",
		    json_object_get(g, "naam"), "formaat",
		    "meent-export 1", "aantallen", "pilots", (json_int_t)pilots,
		    "richtlijnen", (json_int_t)guidelines, "tabellen",
		    (json_int_t)tables, "bestanden", x.files, "laden",
		    "meentd --seed MAP laadt pilots/ en richtlijnen/ in een "
		    "nieuwe meent; tabellen/ zijn de gepubliceerde "
		    "(beschermde) tabellen.");
		text = json_dumps(manifest, JSON_INDENT(2));
		rc = put(arg, "manifest.json", text, strlen(text));
		free(text);
		json_decref(manifest);
	}
	json_decref(x.files);
	json_decref(g);
	return rc == 0 ? 0 : -1;
}
