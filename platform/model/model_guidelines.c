/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Guidelines as a request sees them, for the API (api_guidelines.c) and
 * the web pages (web_guidelines.c, web_guideline_form.c) alike: a
 * guideline's head with what the caller may see of it, and the refusal to
 * change one that another instance owns.
 */
#include "model/model.h"

#include <stdio.h>
#include <string.h>

/*
 * A guideline from another instance is read-only here: 409 and -1. Its
 * origin alone can change it (docs/federation.md).
 */
int
model_guidelines_refuse_foreign(struct req *r, const struct guideline *g)
{
	if (strcmp(g->origin, r->ctx->instance->uuid) == 0)
		return 0;
	reply_problem(r, 409, "Alleen-lezen", "Deze richtlijn komt van een "
	    "andere instantie en kan alleen daar gewijzigd worden.");
	return -1;
}

/*
 * The head of a guideline as JSON (caller owns), or NULL when the database
 * failed reading any part of it (the caller answers reply_db_failed).
 */
json_t *
model_guidelines_head(struct req *r, const struct guideline *g)
{
	json_t *rev = NULL, *adopties, *beheerders = NULL, *pilots = NULL;
	json_t *head;
	char href[128];
	int rc;

	rc = guideline_store_revision(r->db, g->pk, g->head, &rev);
	if (rc == -1)
		return NULL;
	if (rc == MEENT_NOTFOUND)
		rev = json_object();	/* a federated head, revisions to come */
	if ((adopties = guideline_store_adoptions(r->db, g->pk)) == NULL ||
	    (beheerders = guideline_store_maintainers(r->db, g->pk)) == NULL ||
	    (pilots = pilot_store_linking(r->db, PILOT_LINK_GUIDELINE, g->slug,
	    r->who.kind != PRINCIPAL_ANONYMOUS, r->who.kind !=
	    PRINCIPAL_ANONYMOUS ? r->who.gemeente : NULL)) == NULL) {
		json_decref(rev);
		json_decref(adopties);
		json_decref(beheerders);
		return NULL;
	}
	snprintf(href, sizeof href, "/api/v1/richtlijnen/%s", g->slug);
	head = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, "
	    "s:I, s:o, s:{s:{s:s}, s:{s:s}}}", "slug", g->slug, "titel",
	    g->titel, "origin", g->origin, "aangemaaktDoor", g->gemeente,
	    "beheerders", beheerders,
	    "gewijzigd", clock_json(g->gewijzigd), "adopties",
	    (json_int_t)json_array_size(adopties), "adoptieLijst", adopties,
	    "_links", "self", "href", href, "html", "href", href + 7);
	/* json_object_update() copies head's members; it does not take it. */
	json_object_update(rev, head);
	json_decref(head);
	json_object_set_new(rev, "pilots", pilots);
	return rev;
}
