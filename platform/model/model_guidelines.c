/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Guidelines as a request sees them, for the API (api_guidelines.c) and
 * the web pages (web_guidelines.c, web_guideline_form.c) alike: the
 * guideline of a path, its head with what the caller may see of it, the
 * refusal to change one that another instance owns, and following one: the
 * button on the page and POST/DELETE .../adopties write through the same
 * functions. (The list of followers takes the municipalities' filters,
 * model_municipalities_filter(), on both.)
 *
 * Following is open to every municipality, also for a guideline from
 * another instance: the adoption is this instance's own item, federated
 * back (fed_items.c), not a change to the guideline.
 */
#include "model/model.h"

#include <stdio.h>
#include <string.h>

/*
 * The guideline of the path (r->params[0]) into g. Returns 0, or -1 after
 * replying 404 (no such guideline) or the database's failure.
 */
int
model_guidelines_load(struct req *r, struct guideline *g)
{
	int rc = guideline_slug_valid(r->params[0]) ?
	    guideline_store_get(r->db, r->params[0], g) : MEENT_NOTFOUND;

	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Er is geen richtlijn "
		    "'%s'.", r->params[0]);
	else if (rc != 0)
		reply_db_failed(r, "De richtlijn kon niet gelezen worden.");
	return rc == 0 ? 0 : -1;
}

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
	if ((adopties = guideline_store_adoptions(r->db, g->pk, NULL)) ==
	    NULL ||
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

/*
 * The caller's municipality follows g (loaded): pinned to versie (1 to
 * g->head, checked by the caller), the newest (0), or as it is and else
 * the newest (GUIDELINE_ADOPT_AS_IS: a second click changes nothing).
 * Returns 0, or -1 after replying the database's failure.
 */
int
model_guidelines_follow(struct req *r, const struct guideline *g, long versie)
{
	if (guideline_store_adopt(r->db, g->pk, r->who.gemeente, versie) == 0)
		return 0;
	reply_db_failed(r, "Het volgen kon niet opgeslagen worden.");
	return -1;
}

/*
 * The caller's municipality stops following g. Returns 0, MEENT_NOTFOUND
 * when it did not follow g here (nothing replied: the API answers 404, the
 * page a notice), or -1 after replying the database's failure.
 */
int
model_guidelines_unfollow(struct req *r, const struct guideline *g)
{
	int rc = guideline_store_unadopt(r->db, g->pk, r->who.gemeente);

	if (rc == -1)
		reply_db_failed(r, "Het stoppen met volgen lukte niet.");
	return rc;
}

/*
 * Does the caller's municipality follow g? GUIDELINE_FOLLOWS_* (NOT for an
 * anonymous caller), or -1 on a database error (nothing replied).
 */
int
model_guidelines_follows(struct req *r, const struct guideline *g)
{
	if (r->who.kind == PRINCIPAL_ANONYMOUS)
		return GUIDELINE_FOLLOWS_NOT;
	return guideline_store_follows(r->db, g->pk, r->who.gemeente);
}

/*
 * The revision of g the path names (its second parameter) into *rev
 * (caller owns). Returns 0; or -1 after answering 404 (no such number, or
 * not one) or the storage's failure.
 */
int
model_guidelines_revision(struct req *r, const struct guideline *g,
    json_t **rev)
{
	long n = req_number(r->params[1]);
	int rc = n > 0 ? guideline_store_revision(r->db, g->pk, n, rev) :
	    MEENT_NOTFOUND;

	if (rc == 0)
		return 0;
	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Richtlijn %s heeft geen "
		    "versie %s.", g->slug, r->params[1]);
	else
		reply_db_failed(r, "De versie kon niet gelezen worden.");
	return -1;
}

/*
 * The proposal the path names (its second parameter), if it is one of g's
 * (404 otherwise, whatever guideline it belongs to), into *p (caller
 * owns). Returns 0, or -1 after answering.
 */
int
model_guidelines_proposal(struct req *r, const struct guideline *g,
    json_t **p)
{
	long id = req_number(r->params[1]);
	int rc = id > 0 ? guideline_store_proposal(r->db, g->pk, id, p) :
	    MEENT_NOTFOUND;

	if (rc == 0)
		return 0;
	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Er is geen voorstel %s.",
		    r->params[1]);
	else
		reply_db_failed(r, "Het voorstel kon niet gelezen worden.");
	return -1;
}
