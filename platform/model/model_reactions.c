/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Reactions, contact persons and follow-ups of one pilot as a request sees
 * them, for the API (api_reactions.c, api_contacts.c) and the pages
 * (web_reactions.c, the pilot's page): what a viewer may read, a reaction
 * written by the signed-in person, and hiding one by the pilot's
 * municipality. The pilot comes loaded with the caller's rights
 * (model_pilots_load), so whoever gets here may see it.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

/* Can the pilot take reactions: published (openbaar or leden)? */
bool
model_reactions_open(const struct pilot *p)
{
	return !p->deleted && (strcmp(p->zichtbaarheid, "openbaar") == 0 ||
	    strcmp(p->zichtbaarheid, "leden") == 0);
}

/*
 * What a pilot's page shows besides the pilot: {contactpersonen,
 * reacties, reactiesTotaal, navolgingVan, nagevolgdDoor}, as the caller
 * may see them. *out owned by the caller. Returns 0 or MEENT_ERR.
 */
int
model_reactions_pilot(struct req *r, const struct pilot *p, json_t **out)
{
	struct contact_query q = { .pilot = p->id, .page = 1,
	    .page_size = 100 };
	json_t *contacts, *reactions, *follow;
	long total;

	*out = NULL;
	q.member = model_pilots_member(r);
	q.own = model_pilots_own(r);
	if (model_contacts_list(r, &q, &contacts, &total) != 0)
		return MEENT_ERR;
	if ((reactions = reaction_store_list(r->db, p->pk, q.member,
	    &total)) == NULL) {
		json_decref(contacts);
		return MEENT_ERR;
	}
	if ((follow = reaction_followup_list(r->db, p->pk, q.member,
	    q.own)) == NULL) {
		json_decref(contacts);
		json_decref(reactions);
		return MEENT_ERR;
	}
	json_object_set_new(follow, "contactpersonen", contacts);
	json_object_set_new(follow, "reacties", reactions);
	json_object_set_new(follow, "reactiesTotaal", json_integer(total));
	*out = follow;
	return 0;
}

/*
 * The signed-in person writes re (soort, tekst, ouder from the form) on
 * p. Refusals are answered here: 404 for a pilot that takes no reactions
 * (a concept), 403 without a person (an API token), 400 with every
 * invalid field. Returns 0 with *id, or -1 after replying.
 */
int
model_reactions_post(struct req *r, const struct pilot *p,
    struct reaction *re, long *id)
{
	json_t *invalid;
	int rc;

	if (!model_reactions_open(p)) {
		reply_problem(r, 404, "Niet gevonden", "Op deze pilot kan niet "
		    "gereageerd worden: hij is niet gepubliceerd.");
		return -1;
	}
	if (r->who.kind != PRINCIPAL_SESSION || r->who.user_id == 0) {
		reply_problem(r, 403, "Verboden", "Alleen een ingelogde "
		    "gebruiker kan reageren.");
		return -1;
	}
	re->pilot_pk = p->pk;
	re->pilot_id = p->id;
	re->pilot_titel = p->titel;
	re->gemeente = r->who.gemeente;
	re->gemeente_naam = *r->who.gemeente_naam != '\0' ?
	    r->who.gemeente_naam : r->who.gemeente;
	re->user_id = r->who.user_id;
	re->zichtbaarheid = p->zichtbaarheid;
	invalid = json_array();
	if (reaction_check(re, invalid) != 0) {
		json_decref(r->invalid);
		r->invalid = invalid;
		reply_invalid(r);
		return -1;
	}
	json_decref(invalid);
	rc = reaction_store_insert(r->db, re, r->ctx->origin, id);
	if (rc == MEENT_NOTFOUND) {
		req_invalid(r, "ouder", "is geen reactie op deze pilot");
		reply_invalid(r);
		return -1;
	}
	if (rc != 0) {
		reply_db_failed(r, "De reactie kon niet opgeslagen worden.");
		return -1;
	}
	log_emit(LOG_INFO, "reaction.add", "reaction %ld on pilot %s", *id,
	    p->id);
	return 0;
}

/*
 * An editor of p's municipality (p loaded for changing) hides reaction id
 * for reason. Refusals answered here (400, 404). Returns 0 or -1.
 */
int
model_reactions_hide(struct req *r, const struct pilot *p, long id,
    const char *reason)
{
	char why[160];
	int rc;

	if (contact_text_reason(reason, 3, REACTION_REASON_MAX, true, why,
	    sizeof why) != NULL) {
		req_invalid(r, "reden", "%s", why);
		reply_invalid(r);
		return -1;
	}
	rc = reaction_store_hide(r->db, p->pk, id, r->who.kind ==
	    PRINCIPAL_SESSION ? r->who.user_id : 0, reason);
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Deze reactie is er "
		    "niet bij deze pilot.");
		return -1;
	}
	if (rc != 0) {
		reply_db_failed(r, "De reactie kon niet verborgen worden.");
		return -1;
	}
	log_emit(LOG_INFO, "reaction.hide", "reaction %ld hidden", id);
	return 0;
}
