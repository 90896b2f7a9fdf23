/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /api/v1/pilots: publish, read, change and delete case studies.
 *
 * A pilot belongs to the municipality of the token that made it; only that
 * municipality changes it. Another municipality's pilot answers 404 when
 * the caller may not see it, 403 when it may see but not change it.
 * Changes need If-Match with the pilot's ETag (428 without, 412 when
 * stale), so two editors never overwrite each other unseen. A deleted
 * pilot leaves a tombstone: 410 for whoever could see it.
 */
#include "api/api.h"
#include "plugin.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

/*
 * p as JSON with its municipality, or NULL when that could not be read (a
 * municipality that is not there is left out, as pilot_json() does).
 */
static json_t *
api_pilots_with_gemeente(struct req *r, const struct pilot *p)
{
	json_t *g, *o;

	if (municipality_get(r->db, p->gemeente, &g) == MEENT_ERR)
		return NULL;
	o = pilot_json(p, g);
	json_decref(g);
	return o;
}

/*
 * Answer a write of p: its JSON with the ETag, the plugins' warnings as
 * "waarschuwingen", and (after a write) the plugins told.
 */
static void
api_pilots_reply(struct req *r, int status, const struct pilot *p)
{
	struct evkeyvalq *h = r->out_headers;
	char etag[64], location[96];
	json_t *out;

	pilot_etag(p, etag);
	evhttp_add_header(h, "ETag", etag);
	if (status == 201 || status == 200)
		model_pilots_plugins_publish(p);
	if (status == 201) {
		snprintf(location, sizeof location, "/api/v1/pilots/%s", p->id);
		evhttp_add_header(h, "Location", location);
	}
	if ((out = api_pilots_with_gemeente(r, p)) == NULL) {
		reply_db_failed(r, "De pilot is opgeslagen, maar kon niet "
		    "opnieuw gelezen worden.");
		return;
	}
	if (json_array_size(r->warnings) > 0)
		json_object_set(out, "waarschuwingen", r->warnings);
	reply_json(r, status, out);
}

/*
 * GET one pilot. Its JSON is cached per worker (cache.c) with what
 * visibility needs, which is checked on every hit, as on a miss.
 */
void
api_pilots_get(struct req *r)
{
	unsigned long gen = cache_generation_now();
	struct cache_meta meta;
	struct pilot p;
	const char *body;
	char key[64];
	size_t len;
	json_t *j;
	char *s;

	snprintf(key, sizeof key, "D|%.36s", r->params[0]);
	body = cache_get(r->db, key, &len, &meta);
	if (body != NULL) {
		if (!pilot_store_visible(meta.gemeente, meta.zichtbaarheid,
		    model_pilots_member(r), model_pilots_own(r)))
			reply_problem(r, 404, "Niet gevonden", "Er is geen pilot "
			    "met dit id.");
		else {
			reply_header(r, "ETag", meta.etag);
			reply_text(r, 200, "application/json", body, len);
		}
		return;
	}
	if (model_pilots_load(r, &p, false) == -1)
		return;
	pilot_etag(&p, meta.etag);
	snprintf(meta.gemeente, sizeof meta.gemeente, "%s", p.gemeente);
	snprintf(meta.zichtbaarheid, sizeof meta.zichtbaarheid, "%s",
	    p.zichtbaarheid);
	meta.deleted = false;
	if ((j = api_pilots_with_gemeente(r, &p)) == NULL) {
		pilot_free(&p);
		reply_db_failed(r, "De pilot kon niet gelezen worden.");
		return;
	}
	s = json_dumps(j, JSON_COMPACT);
	cache_put(key, s, strlen(s), &meta, gen);
	reply_header(r, "ETag",
	    meta.etag);
	reply_text(r, 200, "application/json", s, strlen(s));
	free(s);
	json_decref(j);
	pilot_free(&p);
}

/* Validate body into p; on invalid fields replies 400 and returns -1. */
static int
api_pilots_parse(struct req *r, struct pilot *p, json_t *body)
{
	const struct config *cfg = r->ctx->cfg;

	if (r->invalid == NULL)
		r->invalid = json_array();
	if (pilot_from_json(p, body, &cfg->domeinen, r->invalid) == -1) {
		pilot_free(p);
		reply_invalid(r);
		return -1;
	}
	switch (model_pilots_links_exist(r, p)) {
	case 0:
		break;
	case MEENT_INVALID:
		pilot_free(p);
		reply_invalid(r);
		return -1;
	default:
		pilot_free(p);
		reply_db_failed(r, "De richtlijnen en indicatoren van de pilot "
		    "konden niet gelezen worden.");
		return -1;
	}
	if (model_pilots_plugins_validate(r, p) == -1) {
		pilot_free(p);
		return -1;
	}
	if (req_has_invalid(r)) {
		pilot_free(p);
		reply_invalid(r);
		return -1;
	}
	return 0;
}

void
api_pilots_create(struct req *r)
{
	struct pilot p;
	json_t *body;

	if (api_body_json(r, &body) == -1)
		return;
	model_pilots_new_identity(r, &p);
	if (api_pilots_parse(r, &p, body) == -1) {
		json_decref(body);
		return;
	}
	json_decref(body);
	if (model_pilots_publish(r, &p) == 0)
		api_pilots_reply(r, 201, &p);
	pilot_free(&p);
}

/*
 * If-Match: required for PUT and PATCH, optional for DELETE. Returns 0 to
 * go on, or -1 after replying 428 or 412.
 */
static int
api_pilots_precondition(struct req *r, const struct pilot *p, bool required)
{
	const char *im = req_header(r, "If-Match");
	char etag[64];

	if (im == NULL) {
		if (!required)
			return 0;
		reply_problem(r, 428, "If-Match nodig", "Stuur de ETag van de "
		    "versie die u wijzigt mee in If-Match.");
		return -1;
	}
	pilot_etag(p, etag);
	if (strcmp(im, "*") != 0 && !reply_etag_matches(im, etag)) {
		reply_problem(r, 412, "Versie verouderd", "De pilot is intussen "
		    "gewijzigd (nu versie %ld); haal hem opnieuw op.", p->versie);
		return -1;
	}
	return 0;
}

/* RFC 7396 on our flat object: null removes, anything else replaces. */
static void
api_pilots_merge(json_t *base, json_t *patch)
{
	const char *key;
	json_t *v;

	json_object_foreach(patch, key, v) {
		if (json_is_null(v))
			json_object_del(base, key);
		else
			json_object_set(base, key, v);
	}
}

static void
api_pilots_change(struct req *r, bool merge)
{
	struct pilot old, p;
	json_t *body;
	int rc;

	if (model_pilots_load(r, &old, true) == -1)
		return;
	if (api_pilots_precondition(r, &old, true) == -1 ||
	    api_body_json(r, &body) == -1) {
		pilot_free(&old);
		return;
	}
	if (merge) {
		json_t *full = pilot_input_json(&old);

		api_pilots_merge(full, body);
		json_decref(body);
		body = full;
	}
	pilot_identity(&p, &old);
	if (api_pilots_parse(r, &p, body) == -1) {
		json_decref(body);
		pilot_free(&old);
		return;
	}
	json_decref(body);
	p.versie = old.versie + 1;
	p.gewijzigd = time(NULL);
	rc = pilot_store_update(r->db, &p, old.versie);
	pilot_free(&old);
	if (rc == MEENT_CONFLICT)
		reply_problem(r, 412, "Versie verouderd", "De pilot werd net "
		    "door iemand anders gewijzigd; haal hem opnieuw op.");
	else if (rc == MEENT_NOTFOUND)
		reply_problem(r, 410, "Verwijderd", "Deze pilot is verwijderd.");
	else if (rc != 0)
		reply_db_failed(r, "De pilot kon niet opgeslagen worden.");
	else {
		log_emit(LOG_INFO, "pilot.update", "pilot %s now version %ld",
		    p.id, p.versie);
		api_pilots_reply(r, 200, &p);
	}
	pilot_free(&p);
}

void
api_pilots_put(struct req *r)
{
	api_pilots_change(r, false);
}

void
api_pilots_patch(struct req *r)
{
	api_pilots_change(r, true);
}

void
api_pilots_delete(struct req *r)
{
	struct pilot p;

	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (api_pilots_precondition(r, &p, false) == -1) {
		pilot_free(&p);
		return;
	}
	if (model_pilots_delete(r, &p) == 0)
		reply_text(r, 204, NULL, "", 0);
	pilot_free(&p);
}

/*
 * Run q (parsed by model_pilots_query) and reply with the page, or with the
 * error.
 */
static void
api_pilots_answer(struct req *r, struct pilot_query *q)
{
	unsigned long gen = cache_generation_now();
	json_t *items, *facets, *out;
	char *key, *s;
	long total;
	int rc;

	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	/* The answer depends on the viewer and on the whole target. */
	key = xasprintf("L|%d|%s|%s", q->member,
	    q->own != NULL ? q->own : "", r->target);
	if (model_cache_reply(r, key, "application/json")) {
		free(key);
		return;
	}
	rc = model_pilots_run(r, q, &items, &total, &facets);
	if (rc == MEENT_CONFLICT) {
		req_invalid(r, "q", "geen geldige zoekvraag (let op AND, OR, "
		    "NOT en haakjes)");
		reply_invalid(r);
	} else if (rc == MEENT_INTERRUPTED)
		reply_problem(r, 503, "Zoekopdracht te zwaar",
		    MODEL_PILOTS_TOO_LONG);
	else if (rc != 0)
		reply_db_failed(r, "De pilots konden niet gelezen worden.");
	else {
		out = json_pack("{s:o, s:I, s:i, s:i, s:o, s:o}", "_links",
		    req_links(r, q->page, q->page_size, total), "totaal",
		    (json_int_t)total, "page", q->page, "pageSize",
		    q->page_size, "facetten", facets, "pilots", items);
		/* A size class without pilots: which nearby ones have. */
		if (total == 0 && q->grootteklasse > 0)
			json_object_set_new(out, "nabijeKlassen",
			    model_pilots_nearest(facets, q->grootteklasse));
		s = json_dumps(out, JSON_COMPACT);
		model_cache_keep(r, key, s, strlen(s), gen);
		reply_text(r, 200, "application/json", s, strlen(s));
		free(s);
		json_decref(out);
	}
	free(key);
}

void
api_pilots_list(struct req *r)
{
	struct pilot_query q;

	if (model_pilots_query(r, &q) == MEENT_ERR)
		reply_db_failed(r, "De pilots konden niet gelezen worden.");
	else
		api_pilots_answer(r, &q);
	free(q.fts);
}

/*
 * GET /api/v1/_zoek?q=[&soort=]: one search over municipalities, pilots,
 * guidelines and indicators (model_search.c), with plain-text and marked
 * fragments and the counts per kind. Answers are cached per viewer.
 */
void
api_zoek(struct req *r)
{
	unsigned long gen = cache_generation_now();
	struct search_query q;
	struct search_result res;
	char *key, *s;
	json_t *out;
	int rc;

	model_search_query(r, &q);
	if (q.q == NULL && !req_has_invalid(r))
		req_invalid(r, "q", "verplicht: waar zoekt u naar?");
	if (req_has_invalid(r)) {
		free(q.fts);
		reply_invalid(r);
		return;
	}
	/* The answer depends on the viewer and on the whole target. */
	key = xasprintf("Z|%d|%s|%s", q.member, q.own != NULL ? q.own : "",
	    r->target);
	if (model_cache_reply(r, key, "application/json"))
		goto done;
	rc = model_search_run(r, &q, &res);
	if (rc == MEENT_CONFLICT)
		reply_invalid(r);
	else if (rc == MEENT_INTERRUPTED)
		reply_problem(r, 503, "Zoekopdracht te zwaar",
		    MODEL_PILOTS_TOO_LONG);
	else if (rc != 0)
		reply_db_failed(r, "Er kon niet gezocht worden.");
	else {
		out = model_search_json(r, &q, &res);
		s = json_dumps(out, JSON_COMPACT);
		model_cache_keep(r, key, s, strlen(s), gen);
		reply_text(r, 200, "application/json", s, strlen(s));
		free(s);
		json_decref(out);
	}
	search_result_free(&res);
done:
	free(key);
	free(q.fts);
}
