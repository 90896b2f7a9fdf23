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
 * Let the plugins check p before it is written: refusals are noted as
 * invalid fields, warnings kept in r->warnings. Returns 0, or -1 after
 * replying 500 when a plugin failed.
 */
int
model_pilots_plugins_validate(struct req *r, const struct pilot *p)
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
	if (rc == -1) {
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
	instance_uuid(p->id);
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

/*
 * Read the list's query parameters into q, noting invalid ones. Shared by
 * the API and the web pages. 0, or MEENT_ERR when the database failed
 * checking one (the caller answers reply_db_failed and frees q->fts).
 */
int
model_pilots_query(struct req *r, struct pilot_query *q)
{
	const struct config *cfg = r->ctx->cfg;
	const char *sort = req_query(r, "sort");
	long klasse;
	int rc = 0;

	memset(q, 0, sizeof *q);
	req_page(r, &q->page, &q->page_size);
	q->member = model_pilots_member(r);
	q->own = model_pilots_own(r);
	q->q = req_query(r, "q");
	if (q->q != NULL && *q->q == '\0')
		q->q = NULL;
	if (q->q != NULL) {
		const char *why;

		q->fts = fts_query(q->q, &why);
		if (q->fts == NULL)
			req_invalid(r, "q", "%s", why);
	}
	q->domein = req_query(r, "domein");
	if (q->domein != NULL && !pilot_domain_valid(&cfg->domeinen, q->domein))
		req_invalid(r, "domein", "onbekend domein");
	q->status = req_query(r, "status");
	if (q->status != NULL && !choice_valid(pilot_statuses, q->status)) {
		char *allowed = choice_values_text(pilot_statuses);

		req_invalid(r, "status", "%s", allowed);
		free(allowed);
	}
	q->gemeente = req_query(r, "gemeente");
	if (q->gemeente != NULL && !municipality_code_valid(q->gemeente))
		req_invalid(r, "gemeente", "een code als GM0275");
	q->provincie = req_query(r, "provincie");
	if (q->provincie != NULL && (strlen(q->provincie) > 64 ||
	    (rc = municipality_province_exists(r->db, q->provincie)) == 0))
		req_invalid(r, "provincie", "geen provincie van Nederland");
	q->tag = req_query(r, "tag");
	if (q->tag != NULL && (strlen(q->tag) == 0 || strlen(q->tag) > 40))
		req_invalid(r, "tag", "1 tot 40 tekens");
	if (req_query_int(r, "grootteklasse", 0, 1, 8, &klasse) == 0)
		q->grootteklasse = (int)klasse;
	if (sort != NULL && strcmp(sort, "titel") != 0 &&
	    strcmp(sort, "nieuw") != 0)
		req_invalid(r, "sort", "nieuw of titel");
	q->sort_title = sort != NULL && strcmp(sort, "titel") == 0;
	return rc == -1 ? MEENT_ERR : 0;
}

/*
 * Run q (parsed by model_pilots_query) under the search budget: the
 * configured wall-clock time (and, for tests, VM steps) for both of its
 * statements together. Returns what pilot_store_list() does;
 * MEENT_INTERRUPTED when the budget ran out. Shared with the web pages.
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
	return rc;
}
