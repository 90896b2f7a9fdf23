/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Every route, with who may call it: the access rules of meent in one place.
 *
 * access is the lowest role that may call (ACCESS_PUBLIC: anyone). ROUTE_OWN
 * marks routes whose item must belong to the caller's municipality; the
 * handler checks it with req_own() and answers 404 for items the caller
 * may not see, 403 for items it may see but not change. ROUTE_WEB marks web
 * pages and forms: a cookie session may post to them, from the same origin
 * only. `meentd --routes` prints this table; the tests build their access
 * matrix from that output.
 */
#include "meent.h"

#include <event2/http.h>

#define GET	EVHTTP_REQ_GET
#define POST	EVHTTP_REQ_POST
#define DELETE	EVHTTP_REQ_DELETE
#define PUT	EVHTTP_REQ_PUT
#define PATCH	EVHTTP_REQ_PATCH

/* Pilot bodies: 250 kB of Markdown (pilot.c), form-escaped, and the rest. */
#define PILOT_BODY_MAX	(1100 * 1024)
/* A dataset upload: the CSV, and a form's other fields around it. */
#define DATASET_FORM_MAX	(DATASET_MAX_BYTES + 64 * 1024)
/* An attachment: the file itself (API), or in a form (web). */
#define ATTACHMENT_BODY_MAX	ATTACHMENT_MAX_BYTES
#define ATTACHMENT_FORM_MAX	(ATTACHMENT_MAX_BYTES + 64 * 1024)
/* A guideline revision: GUIDELINE_TEXT_MAX of Markdown, and its escaping. */
#define GUIDELINE_BODY_MAX	(1200 * 1024)

const struct route routes_table[] = {
	/* Operations. */
	{ GET, "/healthz", ops_healthz, ACCESS_PUBLIC, ROUTE_NO_ETAG, 0,
	    "healthz" },
	{ GET, "/readyz", ops_readyz, ACCESS_PUBLIC, ROUTE_NO_ETAG, 0,
	    "readyz" },
	{ GET, "/metrics", ops_metrics, ACCESS_PUBLIC, ROUTE_NO_ETAG, 0,
	    "metrics" },

	/* Federation (docs/federation.md). */
	{ GET, "/.well-known/meent", api_federation_wellknown, ACCESS_PUBLIC,
	    ROUTE_CORS | ROUTE_NO_ETAG, 0, "federation.wellknown" },
	{ GET, "/federation/v1/changes", api_federation_changes, ACCESS_PUBLIC,
	    ROUTE_NO_ETAG, 0, "federation.changes" },
	{ POST, "/federation/v1/notify", api_federation_notify, ACCESS_PUBLIC,
	    0, 4096, "federation.notify" },

	/* API v1. */
	{ GET, "/api/v1/openapi.json", api_openapi_get, ACCESS_PUBLIC,
	    ROUTE_CORS, 0, "openapi" },
	{ GET, "/api/v1/gemeenten", api_municipalities_list, ACCESS_PUBLIC, 0, 0,
	    "gemeenten.list" },
	{ GET, "/api/v1/gemeenten/{code}", api_municipalities_get, ACCESS_PUBLIC,
	    0, 0, "gemeenten.get" },
	{ GET, "/api/v1/indicatoren", api_indicators_list, ACCESS_PUBLIC, 0,
	    0, "indicatoren.list" },
	{ GET, "/api/v1/indicatoren/{id}", api_indicators_get, ACCESS_PUBLIC,
	    0, 0, "indicatoren.get" },
	{ GET, "/api/v1/indicatoren/{id}/vergelijking",
	    api_indicators_vergelijking, ACCESS_PUBLIC, 0, 0,
	    "indicatoren.vergelijking" },
	{ GET, "/api/v1/datasets", api_datasets_list, ACCESS_PUBLIC, 0, 0,
	    "datasets.list" },
	{ POST, "/api/v1/datasets", api_datasets_create, ACCESS_EDITOR, 0,
	    DATASET_MAX_BYTES, "datasets.create" },
	{ GET, "/api/v1/datasets/{id}", api_datasets_get, ACCESS_PUBLIC, 0, 0,
	    "datasets.get" },
	{ DELETE, "/api/v1/datasets/{id}", api_datasets_delete, ACCESS_EDITOR,
	    ROUTE_OWN, 0, "datasets.delete" },
	{ POST, "/api/v1/datasets/{id}/publicatie", api_datasets_publish,
	    ACCESS_EDITOR, ROUTE_OWN, 16384, "datasets.publish" },
	{ GET, "/api/v1/ik", api_me_get, ACCESS_VIEWER, 0, 0, "ik" },
	{ GET, "/api/v1/pilots", api_pilots_list, ACCESS_PUBLIC, 0, 0,
	    "pilots.list" },
	{ POST, "/api/v1/pilots", api_pilots_create, ACCESS_EDITOR, 0,
	    PILOT_BODY_MAX, "pilots.create" },
	{ GET, "/api/v1/pilots/{id}", api_pilots_get, ACCESS_PUBLIC, 0, 0,
	    "pilots.get" },
	{ PUT, "/api/v1/pilots/{id}", api_pilots_put, ACCESS_EDITOR, ROUTE_OWN,
	    PILOT_BODY_MAX, "pilots.put" },
	{ PATCH, "/api/v1/pilots/{id}", api_pilots_patch, ACCESS_EDITOR,
	    ROUTE_OWN, PILOT_BODY_MAX, "pilots.patch" },
	{ DELETE, "/api/v1/pilots/{id}", api_pilots_delete, ACCESS_EDITOR,
	    ROUTE_OWN, 0, "pilots.delete" },
	{ GET, "/api/v1/pilots/{id}/bijlagen", api_attachments_list,
	    ACCESS_PUBLIC, 0, 0, "bijlagen.list" },
	{ POST, "/api/v1/pilots/{id}/bijlagen", api_attachments_create,
	    ACCESS_EDITOR, ROUTE_OWN | ROUTE_SPOOL, ATTACHMENT_BODY_MAX,
	    "bijlagen.create" },
	{ GET, "/api/v1/pilots/{id}/bijlagen/{hash}", api_attachments_get,
	    ACCESS_PUBLIC, ROUTE_NO_ETAG, 0, "bijlagen.get" },
	{ DELETE, "/api/v1/pilots/{id}/bijlagen/{hash}", api_attachments_delete,
	    ACCESS_EDITOR, ROUTE_OWN, 0, "bijlagen.delete" },
	{ GET, "/api/v1/_zoek", api_zoek, ACCESS_PUBLIC, 0, 0, "zoek" },
	{ GET, "/api/v1/richtlijnen", api_guidelines_list, ACCESS_PUBLIC, 0, 0,
	    "richtlijnen.list" },
	{ POST, "/api/v1/richtlijnen", api_guidelines_create, ACCESS_EDITOR, 0,
	    GUIDELINE_BODY_MAX, "richtlijnen.create" },
	{ GET, "/api/v1/richtlijnen/{slug}", api_guidelines_get, ACCESS_PUBLIC,
	    0, 0, "richtlijnen.get" },
	{ PUT, "/api/v1/richtlijnen/{slug}", api_guidelines_put, ACCESS_EDITOR,
	    ROUTE_OWN, 64 * 1024, "richtlijnen.put" },
	{ GET, "/api/v1/richtlijnen/{slug}/versies", api_guidelines_versies,
	    ACCESS_PUBLIC, 0, 0, "richtlijnen.versies" },
	{ POST, "/api/v1/richtlijnen/{slug}/versies", api_guidelines_revise,
	    ACCESS_EDITOR, ROUTE_OWN, GUIDELINE_BODY_MAX, "richtlijnen.revise" },
	{ GET, "/api/v1/richtlijnen/{slug}/versies/{n}", api_guidelines_versie,
	    ACCESS_PUBLIC, 0, 0, "richtlijnen.versie" },
	{ GET, "/api/v1/richtlijnen/{slug}/verschillen", api_guidelines_diff,
	    ACCESS_PUBLIC, 0, 0, "richtlijnen.diff" },
	{ GET, "/api/v1/richtlijnen/{slug}/voorstellen",
	    api_guidelines_voorstellen, ACCESS_PUBLIC, 0, 0,
	    "richtlijnen.voorstellen" },
	{ POST, "/api/v1/richtlijnen/{slug}/voorstellen",
	    api_guidelines_propose, ACCESS_EDITOR, 0, GUIDELINE_BODY_MAX,
	    "richtlijnen.propose" },
	{ GET, "/api/v1/richtlijnen/{slug}/voorstellen/{id}",
	    api_guidelines_voorstel, ACCESS_PUBLIC, 0, 0,
	    "richtlijnen.voorstel" },
	{ PATCH, "/api/v1/richtlijnen/{slug}/voorstellen/{id}",
	    api_guidelines_decide, ACCESS_EDITOR, ROUTE_OWN, 16384,
	    "richtlijnen.decide" },
	{ GET, "/api/v1/richtlijnen/{slug}/adopties", api_guidelines_adopties,
	    ACCESS_PUBLIC, 0, 0, "richtlijnen.adopties" },
	{ POST, "/api/v1/richtlijnen/{slug}/adopties", api_guidelines_adopt,
	    ACCESS_EDITOR, 0, 16384, "richtlijnen.adopt" },
	{ DELETE, "/api/v1/richtlijnen/{slug}/adopties",
	    api_guidelines_unadopt, ACCESS_EDITOR, 0, 0, "richtlijnen.unadopt" },
	{ GET, "/api/v1/tokens", api_tokens_list, ACCESS_ADMIN, ROUTE_OWN, 0,
	    "tokens.list" },
	{ POST, "/api/v1/tokens", api_tokens_create, ACCESS_ADMIN, ROUTE_OWN,
	    16384, "tokens.create" },
	{ DELETE, "/api/v1/tokens/{id}", api_tokens_revoke, ACCESS_ADMIN,
	    ROUTE_OWN, 0, "tokens.revoke" },

	/* Web pages. */
	{ GET, "/static/meent.css", static_css, ACCESS_PUBLIC, 0, 0,
	    "static.css" },
	{ GET, "/static/nlds/{file}", static_nlds, ACCESS_PUBLIC, 0, 0,
	    "static.nlds" },
	{ GET, "/", web_home, ACCESS_PUBLIC, ROUTE_WEB, 0, "web.home" },
	{ GET, "/inloggen", web_login_form, ACCESS_PUBLIC, ROUTE_WEB, 0,
	    "web.login.form" },
	{ POST, "/inloggen", web_login_post, ACCESS_PUBLIC, ROUTE_WEB, 16384,
	    "web.login" },
	{ POST, "/uitloggen", web_logout_post, ACCESS_VIEWER, ROUTE_WEB, 16384,
	    "web.logout" },
	{ GET, "/zoeken", web_zoeken, ACCESS_PUBLIC, ROUTE_WEB, 0, "web.zoeken" },
	{ GET, "/pilots", web_pilots_list, ACCESS_PUBLIC, ROUTE_WEB, 0,
	    "web.pilots" },
	{ GET, "/pilots/feed", feed_pilots, ACCESS_PUBLIC, 0, 0, "feed.pilots" },
	{ GET, "/pilots/nieuw", web_pilot_form_new, ACCESS_EDITOR, ROUTE_WEB, 0,
	    "web.pilot.new" },
	{ POST, "/pilots/nieuw", web_pilot_form_create, ACCESS_EDITOR,
	    ROUTE_WEB, PILOT_BODY_MAX, "web.pilot.create" },
	{ GET, "/pilots/{id}", web_pilots_show, ACCESS_PUBLIC, ROUTE_WEB, 0,
	    "web.pilot" },
	{ GET, "/benchmarks", web_benchmarks_list, ACCESS_PUBLIC, ROUTE_WEB, 0,
	    "web.benchmarks" },
	{ GET, "/gemeenten", web_municipalities_list, ACCESS_PUBLIC, ROUTE_WEB,
	    0, "web.gemeenten" },
	{ GET, "/gemeenten/{code}", web_municipalities_show, ACCESS_PUBLIC,
	    ROUTE_WEB, 0, "web.gemeente" },
	{ GET, "/datasets/nieuw", web_datasets_new, ACCESS_EDITOR, ROUTE_WEB, 0,
	    "web.datasets.new" },
	{ POST, "/datasets", web_datasets_create, ACCESS_EDITOR, ROUTE_WEB,
	    DATASET_FORM_MAX, "web.datasets.create" },
	{ GET, "/datasets/{id}", web_datasets_show, ACCESS_PUBLIC, ROUTE_WEB, 0,
	    "web.datasets.show" },
	{ POST, "/datasets/{id}/publiceren", web_datasets_publish,
	    ACCESS_EDITOR, ROUTE_WEB | ROUTE_OWN, 16384,
	    "web.datasets.publish" },
	{ POST, "/datasets/{id}/verwijderen", web_datasets_remove,
	    ACCESS_EDITOR, ROUTE_WEB | ROUTE_OWN, 16384,
	    "web.datasets.remove" },
	{ GET, "/benchmarks/{id}", web_benchmarks_show, ACCESS_PUBLIC,
	    ROUTE_WEB, 0, "web.benchmark" },
	{ GET, "/richtlijnen", web_guidelines_list, ACCESS_PUBLIC, ROUTE_WEB, 0,
	    "web.richtlijnen" },
	{ GET, "/richtlijnen/{slug}", web_guidelines_show, ACCESS_PUBLIC,
	    ROUTE_WEB, 0, "web.richtlijn" },
	{ GET, "/richtlijnen/{slug}/versies/{n}", web_guidelines_versie,
	    ACCESS_PUBLIC, ROUTE_WEB, 0, "web.richtlijn.versie" },
	{ GET, "/richtlijnen/{slug}/verschillen", web_guidelines_diff,
	    ACCESS_PUBLIC, ROUTE_WEB, 0, "web.richtlijn.diff" },
	{ GET, "/richtlijnen/{slug}/voorstellen/nieuw",
	    web_guideline_form_propose_new, ACCESS_EDITOR, ROUTE_WEB, 0,
	    "web.voorstel.new" },
	{ POST, "/richtlijnen/{slug}/voorstellen/nieuw",
	    web_guideline_form_propose_post, ACCESS_EDITOR, ROUTE_WEB,
	    GUIDELINE_BODY_MAX, "web.voorstel.create" },
	{ GET, "/richtlijnen/{slug}/voorstellen/{id}", web_guideline_form_proposal,
	    ACCESS_PUBLIC, ROUTE_WEB, 0, "web.voorstel" },
	{ POST, "/richtlijnen/{slug}/voorstellen/{id}/besluit",
	    web_guideline_form_decide, ACCESS_EDITOR, ROUTE_WEB | ROUTE_OWN, 16384,
	    "web.voorstel.decide" },
	{ GET, "/pilots/{id}/bijlagen", web_attachments_page, ACCESS_PUBLIC,
	    ROUTE_WEB, 0, "web.bijlagen" },
	{ POST, "/pilots/{id}/bijlagen", web_attachments_upload, ACCESS_EDITOR,
	    ROUTE_WEB | ROUTE_OWN, ATTACHMENT_FORM_MAX, "web.bijlagen.upload" },
	{ POST, "/pilots/{id}/bijlagen/{hash}/verwijderen",
	    web_attachments_remove, ACCESS_EDITOR, ROUTE_WEB | ROUTE_OWN, 16384,
	    "web.bijlagen.remove" },
	{ GET, "/pilots/{id}/bewerken", web_pilot_form_edit, ACCESS_EDITOR,
	    ROUTE_WEB | ROUTE_OWN, 0, "web.pilot.edit" },
	{ POST, "/pilots/{id}/bewerken", web_pilot_form_update, ACCESS_EDITOR,
	    ROUTE_WEB | ROUTE_OWN, PILOT_BODY_MAX, "web.pilot.update" },
};

const size_t routes_count = nitems(routes_table);
