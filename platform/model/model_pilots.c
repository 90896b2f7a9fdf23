/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The pilots as a request sees them, for the API (api_pilots.c) and the web
 * pages (web_pilots.c, web_pilot_form.c) alike: the list's query read from
 * the request with the same defaults and checks, a pilot loaded with the
 * caller's rights, a new one's identity and its publication, and what the
 * plugins are told. Each answers a refusal itself (problem+json or, for a
 * browser, the Dutch page reply.c shows).
 */
#include "model/model.h"
#include "plugin.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Is the caller signed in (a member sees members-only pilots)? */
bool
model_pilots_member(struct req *r)
{
	return r->who.kind != PRINCIPAL_ANONYMOUS;
}

/* The caller's municipality, or NULL anonymously. */
const char *
model_pilots_own(struct req *r)
{
	return r->who.kind != PRINCIPAL_ANONYMOUS ? r->who.gemeente : NULL;
}

static bool
model_pilots_id_valid(const char *id)
{
	if (strlen(id) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? id[i] != '-' : !((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	}
	return true;
}

/*
 * Should a person see p after signing in, rather than "not found"? A
 * members-only pilot, not deleted, asked for on a web page by someone who
 * is not signed in: the page says so and links to the login form (401).
 * The API keeps 404, so that it does not tell which ids exist.
 */
static bool
model_pilots_login_first(struct req *r, const struct pilot *p)
{
	return r->who.kind == PRINCIPAL_ANONYMOUS && !p->deleted &&
	    strcmp(p->zichtbaarheid, "leden") == 0 && r->route != NULL &&
	    (r->route->flags & ROUTE_WEB);
}

/*
 * Load the pilot of the path for reading (own = false) or changing. On any
 * refusal replies (400, 401, 404, 410, 403, 500) and returns -1.
 */
int
model_pilots_load(struct req *r, struct pilot *p, bool change)
{
	const char *id = r->params[0];
	int rc;

	if (!model_pilots_id_valid(id)) {
		reply_problem(r, 404, "Niet gevonden", "Er is geen pilot met dit "
		    "id.");
		return -1;
	}
	rc = pilot_store_get(r->db, id, p);
	if (rc == -1) {
		reply_db_failed(r, "De pilot kon niet gelezen worden.");
		return -1;
	}
	if (rc == 0 && model_pilots_login_first(r, p)) {
		pilot_free(p);
		reply_unauthorized(r, "Deze pilot is alleen te zien voor wie "
		    "is ingelogd.");
		return -1;
	}
	if (rc == MEENT_NOTFOUND || !pilot_store_visible(p->gemeente,
	    p->zichtbaarheid, model_pilots_member(r), model_pilots_own(r))) {
		if (rc == 0)
			pilot_free(p);
		reply_problem(r, 404, "Niet gevonden", "Er is geen pilot met dit "
		    "id.");
		return -1;
	}
	if (p->deleted) {
		pilot_free(p);
		reply_problem(r, 410, "Verwijderd", "Deze pilot is verwijderd.");
		return -1;
	}
	if (change && strcmp(p->origin, r->ctx->instance->uuid) != 0) {
		pilot_free(p);
		reply_problem(r, 409, "Alleen-lezen", "Deze pilot komt van een "
		    "andere instantie en kan alleen daar gewijzigd worden.");
		return -1;
	}
	if (change && !req_own(r, p->gemeente)) {
		pilot_free(p);
		reply_problem(r, 403, "Verboden", "Alleen de eigen gemeente kan "
		    "deze pilot wijzigen.");
		return -1;
	}
	return 0;
}

/*
 * Does every guideline a pilot links to exist, with that revision, and
 * every indicator it names? Notes the ones that do not: MEENT_INVALID if
 * any. 0 when all do; MEENT_ERR when the database failed (nothing noted:
 * the caller answers reply_db_failed).
 */
int
model_pilots_links_exist(struct req *r, const struct pilot *p)
{
	struct guideline g;
	json_t *l;
	size_t i;
	int rc = 0;

	json_array_foreach(p->richtlijnen, i, l) {
		const char *slug = json_string_value(json_object_get(l, "slug"));
		json_t *v = json_object_get(l, "versie");

		switch (guideline_store_get(r->db, slug, &g)) {
		case 0:
			break;
		case MEENT_NOTFOUND:
			req_invalid(r, "richtlijnen", "er is geen richtlijn '%s'",
			    slug);
			rc = MEENT_INVALID;
			continue;
		default:
			return MEENT_ERR;
		}
		if (json_is_integer(v) && json_integer_value(v) > g.head) {
			req_invalid(r, "richtlijnen", "richtlijn '%s' heeft geen "
			    "versie %lld", slug, (long long)json_integer_value(v));
			rc = MEENT_INVALID;
		}
	}
	json_array_foreach(p->indicatoren, i, l)
		switch (indicator_exists(r->db, json_string_value(l))) {
		case 1:
			break;
		case 0:
			req_invalid(r, "indicatoren", "er is geen indicator '%s'",
			    json_string_value(l));
			rc = MEENT_INVALID;
			break;
		default:
			return MEENT_ERR;
		}
	return rc;
}

/* What plugins see of a pilot (json: its public JSON, borrowed). */
static void
model_pilots_item(const struct pilot *p, const char *json, char *url,
    size_t urlsize, struct meent_item *it)
{
	snprintf(url, urlsize, "/pilots/%s", p->id);
	memset(it, 0, sizeof *it);
	it->kind = "pilot";
	it->id = p->id;
	it->origin = p->origin;
	it->gemeente = p->gemeente;
	it->versie = p->versie;
	it->zichtbaarheid = p->zichtbaarheid;
	it->deleted = p->deleted;
	it->json = json;
	it->url = url;
}

/*
 * What the plugins say of p: refusals noted as invalid fields, warnings
 * kept in r->warnings ([{plugin, name, message}]). Returns 0, or -1 when
 * a plugin failed (nothing replied: a page that only shows the remarks
 * goes on without them).
 */
int
model_pilots_plugins_remarks(struct req *r, const struct pilot *p)
{
	struct meent_item it;
	char url[64], *s;
	json_t *j;
	int rc;

	if (plugin_loaded_count() == 0)
		return 0;
	j = pilot_json(p, NULL);
	s = json_dumps(j, JSON_COMPACT);
	model_pilots_item(p, s, url, sizeof url, &it);
	if (r->invalid == NULL)
		r->invalid = json_array();
	if (r->warnings == NULL)
		r->warnings = json_array();
	rc = plugin_validate(r->db, &it, r->warnings, r->invalid);
	free(s);
	json_decref(j);
	return rc == -1 ? -1 : 0;
}

/*
 * Let the plugins check p before it is written: refusals are noted as
 * invalid fields, warnings kept in r->warnings. Returns 0, or -1 after
 * replying 500 when a plugin failed.
 */
int
model_pilots_plugins_validate(struct req *r, const struct pilot *p)
{
	if (model_pilots_plugins_remarks(r, p) == -1) {
		reply_problem(r, 500, "Interne fout", "Een plugin kon de pilot "
		    "niet controleren.");
		return -1;
	}
	return 0;
}

/* After a commit: tell the plugins (off the request path). */
void
model_pilots_plugins_publish(const struct pilot *p)
{
	struct meent_item it;
	char url[64], *s;
	json_t *j;

	if (plugin_loaded_count() == 0)
		return;
	j = pilot_json(p, NULL);
	s = json_dumps(j, JSON_COMPACT);
	model_pilots_item(p, s, url, sizeof url, &it);
	plugin_publish(&it);
	free(s);
	json_decref(j);
}

/*
 * A new pilot's identity, before it is validated (plugins see who makes
 * it): a new id, this instance, the caller's municipality, version 1.
 */
void
model_pilots_new_identity(struct req *r, struct pilot *p)
{
	memset(p, 0, sizeof *p);
	instance_uuid7(p->id);
	snprintf(p->origin, sizeof p->origin, "%s",
	    r->ctx->instance->uuid);
	snprintf(p->gemeente, sizeof p->gemeente, "%s", r->who.gemeente);
	p->versie = 1;
}

/*
 * Store a validated new pilot (its identity from model_pilots_new_identity).
 * Returns 0, or -1 after replying 500.
 */
int
model_pilots_publish(struct req *r, struct pilot *p)
{
	p->aangemaakt = p->gewijzigd = time(NULL);
	if (pilot_store_insert(r->db, p) == -1) {
		reply_db_failed(r, "De pilot kon niet opgeslagen worden.");
		return -1;
	}
	log_emit(LOG_INFO, "pilot.create", "pilot %s by %s", p->id,
	    p->gemeente);
	return 0;
}

/* A query parameter, NULL when absent or empty (a form's "alle"). */
static const char *
model_pilots_param(struct req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The value of values[0..n) that v is in any case, or NULL. */
static const char *
model_pilots_in(const char *v, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v, values[i]) == 0)
			return values[i];
	return NULL;
}

/* The value of a closed set that v is in any case, or NULL. */
static const char *
model_pilots_choice(const char *v, const struct choice *set)
{
	for (; set->value != NULL; set++)
		if (strcasecmp(v, set->value) == 0)
			return set->value;
	return NULL;
}

/*
 * The province filter, in the reference data's spelling (q's buffer),
 * noted invalid when there is none such: 0, or -1 on a database error.
 */
static int
model_pilots_province(struct req *r, struct pilot_query *q, const char *v)
{
	int rc = strlen(v) <= 64 ? municipality_province_find(r->db, v,
	    q->provincie_name, sizeof q->provincie_name) : 0;

	if (rc == 1)
		q->provincie = q->provincie_name;
	else if (rc == 0)
		req_invalid(r, "provincie", "geen provincie van Nederland "
		    "(zoals Gelderland of Noord-Brabant)");
	return rc == -1 ? -1 : 0;
}

/*
 * Delete p (loaded with model_pilots_load(..., true)): it becomes a
 * tombstone (its content and attachments gone; whoever could see it gets
 * 410, peers are told through the federation feed) and the plugins are
 * told. For the
 * API's DELETE and the page's confirmation alike. Returns 0, or -1 after
 * replying. p is left for the caller to free.
 */
int
model_pilots_delete(struct req *r, struct pilot *p)
{
	p->versie++;
	p->gewijzigd = time(NULL);
	if (pilot_store_delete(r->db, p) == -1) {
		reply_db_failed(r, "De pilot kon niet verwijderd worden.");
		return -1;
	}
	log_emit(LOG_INFO, "pilot.delete", "pilot %s deleted", p->id);
	(void)attachment_store_gc(r->db, r->ctx->cfg->data_dir);
	p->deleted = true;
	model_pilots_plugins_publish(p);
	return 0;
}

/*
 * Read the list's query parameters into q, noting invalid ones. Shared by
 * the API, the web pages and the feed. Closed sets, the province and the
 * municipality code are matched in any case ("Jeugd", "AFGEROND",
 * "gelderland") and q holds their usual spelling. 0, or MEENT_ERR when the
 * database failed checking one (the caller answers reply_db_failed and
 * frees q->fts).
 */
int
model_pilots_query(struct req *r, struct pilot_query *q)
{
	const struct config *cfg = r->ctx->cfg;
	const char *sort = model_pilots_param(r, "sort"), *v;
	const char *const *doms;
	size_t ndom;
	long klasse;
	int rc = 0;

	memset(q, 0, sizeof *q);
	req_page(r, &q->page, &q->page_size);
	q->member = model_pilots_member(r);
	q->own = model_pilots_own(r);
	q->q = model_pilots_param(r, "q");
	if (q->q != NULL) {
		const char *why;

		q->fts = fts_query(q->q, &why);
		if (q->fts == NULL)
			req_invalid(r, "q", "%s", why);
	}
	doms = pilot_domains(&cfg->domeinen, &ndom);
	if ((v = model_pilots_param(r, "domein")) != NULL &&
	    (q->domein = model_pilots_in(v, doms, ndom)) == NULL)
		req_invalid(r, "domein", "onbekend domein");
	if ((v = model_pilots_param(r, "status")) != NULL &&
	    (q->status = model_pilots_choice(v, pilot_statuses)) == NULL) {
		char *allowed = choice_values_text(pilot_statuses);

		req_invalid(r, "status", "%s", allowed);
		free(allowed);
	}
	if ((v = model_pilots_param(r, "gemeente")) != NULL) {
		snprintf(q->gemeente_code, sizeof q->gemeente_code, "%s", v);
		if (strncasecmp(q->gemeente_code, "gm", 2) == 0)
			memcpy(q->gemeente_code, "GM", 2);
		q->gemeente = q->gemeente_code;
		if (strlen(v) >= sizeof q->gemeente_code ||
		    !municipality_code_valid(q->gemeente))
			req_invalid(r, "gemeente", "een code als GM0275");
	}
	if ((v = model_pilots_param(r, "provincie")) != NULL)
		rc = model_pilots_province(r, q, v);
	q->tag = req_query(r, "tag");
	if (q->tag != NULL && (strlen(q->tag) == 0 || strlen(q->tag) > 40))
		req_invalid(r, "tag", "1 tot 40 tekens");
	if (model_pilots_param(r, "grootteklasse") != NULL &&
	    req_query_int(r, "grootteklasse", 0, 1, 8, &klasse) == 0)
		q->grootteklasse = (int)klasse;
	if (sort != NULL && strcasecmp(sort, "titel") != 0 &&
	    strcasecmp(sort, "nieuw") != 0)
		req_invalid(r, "sort", "nieuw of titel");
	q->sort_title = sort != NULL && strcasecmp(sort, "titel") == 0;
	return rc == -1 ? MEENT_ERR : 0;
}

/*
 * One facet with every value of its set, in the set's order, those
 * without pilots as 0; values outside the set (a peer's) after them.
 * Returns a new object; counts is borrowed.
 */
static json_t *
model_pilots_facet_all(json_t *counts, const char *const *values, size_t n)
{
	json_t *all = json_object(), *c;
	const char *key;

	for (size_t i = 0; i < n; i++) {
		c = json_object_get(counts, values[i]);
		json_object_set_new(all, values[i], json_integer(c != NULL ?
		    json_integer_value(c) : 0));
	}
	json_object_foreach(counts, key, c)
		if (json_object_get(all, key) == NULL)
			json_object_set(all, key, c);
	return all;
}

/* Every facet of a list with all its values (model_pilots_facet_all). */
static void
model_pilots_facets_all(struct req *r, json_t *facets)
{
	const char *statuses[16], *classes[16];
	const char *const *doms;
	size_t ndom, nsta = 0, nkla = 0;

	doms = pilot_domains(&r->ctx->cfg->domeinen, &ndom);
	for (const struct choice *c = pilot_statuses; c->value != NULL &&
	    nsta < nitems(statuses); c++)
		statuses[nsta++] = c->value;
	for (const struct choice *c = municipality_classes; c->value != NULL &&
	    nkla < nitems(classes); c++)
		classes[nkla++] = c->value;
	json_object_set_new(facets, "domein", model_pilots_facet_all(
	    json_object_get(facets, "domein"), doms, ndom));
	json_object_set_new(facets, "status", model_pilots_facet_all(
	    json_object_get(facets, "status"), statuses, nsta));
	json_object_set_new(facets, "grootteklasse", model_pilots_facet_all(
	    json_object_get(facets, "grootteklasse"), classes, nkla));
}

/*
 * Run q (parsed by model_pilots_query) under the search budget: the
 * configured wall-clock time (and, for tests, VM steps) for both of its
 * statements together. Returns what pilot_store_list() does;
 * MEENT_INTERRUPTED when the budget ran out. The facets list every
 * domain, status and size class, with 0 for those without pilots (each
 * facet counted with the other filters, not its own: pilot_store.c).
 * Shared with the web pages.
 */
int
model_pilots_run(struct req *r, const struct pilot_query *q, json_t **items,
    long *total, json_t **facets)
{
	const struct config *cfg = r->ctx->cfg;
	double t0 = clock_ms();
	int rc;

	db_deadline_set(r->db, cfg->search_budget_ms, cfg->search_budget_steps);
	rc = pilot_store_list(r->db, q, items, total, facets);
	db_deadline_clear(r->db);
	if (rc == MEENT_INTERRUPTED)
		log_emit(LOG_WARN, "search.interrupted", "a %s stopped after "
		    "%.0f ms", q->fts != NULL ? "search" : "list",
		    clock_ms() - t0);
	if (rc == 0)
		model_pilots_facets_all(r, *facets);
	return rc;
}

/*
 * For a list filtered by size class k: the nearest smaller and the nearest
 * larger size class that do have pilots for its other filters, from the
 * list's facets (model_pilots_run(), which count each facet without its
 * own filter), as [{grootteklasse, aantal}]. Caller owns; empty when
 * there are none or k is 0.
 */
json_t *
model_pilots_nearest(json_t *facets, int k)
{
	json_t *counts = json_object_get(facets, "grootteklasse");
	json_t *near = json_array();

	for (int step = -1; k > 0 && step <= 1; step += 2)
		for (int c = k + step; c >= 1 && c <= 8; c += step) {
			char key[12];
			json_int_t n;

			snprintf(key, sizeof key, "%d", c);
			n = json_integer_value(json_object_get(counts, key));
			if (n > 0) {
				json_array_append_new(near, json_pack("{s:i, "
				    "s:I}", "grootteklasse", c, "aantal", n));
				break;
			}
		}
	return near;
}

/*
 * The newest changed public pilots matching q's filters, for the feed,
 * under the search budget as model_pilots_run(): *items as
 * pilot_store_feed() gives them. Returns what that does.
 */
int
model_pilots_feed(struct req *r, const struct pilot_query *q, int limit,
    json_t **items)
{
	const struct config *cfg = r->ctx->cfg;
	int rc;

	db_deadline_set(r->db, cfg->search_budget_ms, cfg->search_budget_steps);
	rc = pilot_store_feed(r->db, q, limit, items);
	db_deadline_clear(r->db);
	if (rc == MEENT_INTERRUPTED)
		log_emit(LOG_WARN, "search.interrupted", "a feed stopped");
	return rc;
}
