/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * "Mijn gemeente": the municipality a visitor chose (a cookie holding its
 * code), or a signed-in user's own, and what the start page shows about
 * it: pilots of municipalities like it, the newest guidelines and its key
 * figures next to the median of its size class (those of its page on
 * /gemeenten, model_municipalities_positions()).
 *
 * Which pilots, in which order: at most MODEL_HOME_PILOTS. First those of
 * its size class, then of the classes one away (the smaller first), two
 * away, and so on, until MODEL_HOME_BY_CLASS are found; then those of its
 * COMPARISON_SIMILAR most similar municipalities (comparison_similar(), the
 * benchmark's group "vergelijkbaar"); what room is left is filled by class
 * again. Its own pilots are never among them: they are not "like it". So
 * the first pilot always comes from the nearest size class that has
 * pilots, which keeps one within two clicks of the start page for every
 * municipality (tests/blackbox/t_home.py checks all 342).
 *
 * The cookie is only a preference: anything in it that is not the code of
 * a known municipality is ignored, never an error.
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#define MODEL_HOME_PILOTS	6
#define MODEL_HOME_BY_CLASS	4
#define MODEL_HOME_GUIDELINES	5
/* A year: the choice is a standing preference. */
#define MODEL_HOME_COOKIE_AGE	31536000

/*
 * The municipality the start page is about, into code (7 bytes and NUL):
 * MODEL_HOME_CHOSEN (the cookie names a known municipality),
 * MODEL_HOME_OWN (a signed-in user's own), MODEL_HOME_NONE (code ""), or
 * MEENT_ERR on a database error. A cookie that is too long, not "GM" and
 * four digits, or an unknown code counts as no cookie.
 */
int
model_home_choice(struct req *r, char code[8])
{
	const char *cookie = req_header(r, "Cookie");
	char v[8];

	code[0] = '\0';
	if (cookie != NULL && auth_cookie_value(cookie, MODEL_HOME_COOKIE, v,
	    sizeof v) && municipality_code_valid(v)) {
		switch (municipality_exists(r->db, v)) {
		case 1:
			memcpy(code, v, sizeof v);
			return MODEL_HOME_CHOSEN;
		case -1:
			return MEENT_ERR;
		}
	}
	if (r->who.kind != PRINCIPAL_ANONYMOUS &&
	    municipality_code_valid(r->who.gemeente)) {
		memcpy(code, r->who.gemeente, 7);
		code[7] = '\0';
		return MODEL_HOME_OWN;
	}
	return MODEL_HOME_NONE;
}

/*
 * Remember code (a known municipality's, checked by the caller) in the
 * cookie, or forget the choice with code NULL. Secure when the instance
 * is served over https, as the session cookie is.
 */
void
model_home_remember(struct req *r, const char *code)
{
	char header[160];

	snprintf(header, sizeof header, "%s=%s; Path=/; HttpOnly; "
	    "SameSite=Lax; Max-Age=%d%s", MODEL_HOME_COOKIE,
	    code != NULL ? code : "", code != NULL ? MODEL_HOME_COOKIE_AGE : 0,
	    req_secure(r) ? "; Secure" : "");
	reply_header(r, "Set-Cookie", header);
}

static bool
model_home_listed(json_t *list, const char *id)
{
	json_t *p;
	size_t i;

	json_array_foreach(list, i, p)
		if (strcmp(json_string_value(json_object_get(p, "id")),
		    id) == 0)
			return true;
	return false;
}

/* Add what found holds and list does not, with why, up to upto in all. */
static void
model_home_take(json_t *list, json_t *found, const char *reden, size_t upto)
{
	json_t *p;
	size_t i;

	json_array_foreach(found, i, p) {
		if (json_array_size(list) >= upto)
			break;
		if (model_home_listed(list, json_string_value(
		    json_object_get(p, "id"))))
			continue;
		json_object_set_new(p, "reden", json_string(reden));
		json_array_append(list, p);
	}
}

/*
 * Pilots of municipalities by the distance of their size class from
 * klasse (0, then 1 with the smaller class first, then 2, ...), into list
 * until it holds upto. 0, or -1 on a database error.
 */
static int
model_home_by_class(struct req *r, int klasse, const char *self,
    json_t *list, size_t upto)
{
	int nclasses = (int)choice_count(municipality_classes);
	json_t *found;

	for (int d = 0; d < nclasses; d++) {
		for (int side = -1; side <= 1; side += 2) {
			int c = klasse + side * d;

			if (json_array_size(list) >= upto)
				return 0;
			if (c < 1 || c > nclasses || (d == 0 && side == 1))
				continue;
			/* upto covers those already listed, and the rest. */
			found = pilot_store_peers(r->db, c, NULL, self,
			    model_pilots_member(r), model_pilots_own(r),
			    (int)upto);
			if (found == NULL)
				return -1;
			model_home_take(list, found, "grootteklasse", upto);
			json_decref(found);
		}
	}
	return 0;
}

/* The pilots the start page shows for self (see the top). 0 or -1. */
static int
model_home_pilots(struct req *r, const char *self, int klasse, json_t *list)
{
	json_t *similar = NULL, *found;
	int rc;

	if (model_home_by_class(r, klasse, self, list, MODEL_HOME_BY_CLASS) ==
	    -1)
		return -1;
	rc = comparison_similar(r->db, self, &similar);
	if (rc == MEENT_ERR)
		return -1;
	if (rc == MEENT_OK && json_array_size(similar) > 0) {
		found = pilot_store_peers(r->db, 0, similar, self,
		    model_pilots_member(r), model_pilots_own(r),
		    MODEL_HOME_PILOTS + MODEL_HOME_BY_CLASS);
		json_decref(similar);
		if (found == NULL)
			return -1;
		model_home_take(list, found, "vergelijkbaar",
		    MODEL_HOME_PILOTS);
		json_decref(found);
	} else
		json_decref(similar);
	return model_home_by_class(r, klasse, self, list, MODEL_HOME_PILOTS);
}

/*
 * What the start page shows about municipality code (known: from
 * model_home_choice) into *h; free it with model_home_free(), also after
 * a failure. 0, or -1 on a database error (the caller answers
 * reply_db_failed).
 */
int
model_home_load(struct req *r, const char *code, struct model_home *h)
{
	memset(h, 0, sizeof *h);
	h->pilots = json_array();
	if (municipality_get(r->db, code, &h->gemeente) != MEENT_OK)
		return -1;	/* known a moment ago: gone is an error too */
	h->klasse = (int)json_integer_value(json_object_get(h->gemeente,
	    "grootteklasse"));
	if (model_home_pilots(r, code, h->klasse, h->pilots) == -1)
		return -1;
	h->meer_klasse = json_array_size(h->pilots) > 0 ?
	    (int)json_integer_value(json_object_get(json_array_get(h->pilots,
	    0), "grootteklasse")) : 0;
	if ((h->richtlijnen = guideline_store_newest(r->db,
	    MODEL_HOME_GUIDELINES)) == NULL)
		return -1;
	/* Its figures as its own page has them: one comparison, not two. */
	if ((h->cijfers = model_municipalities_positions(r, code)) == NULL)
		return -1;
	return 0;
}

void
model_home_free(struct model_home *h)
{
	json_decref(h->gemeente);
	json_decref(h->pilots);
	json_decref(h->richtlijnen);
	json_decref(h->cijfers);
	memset(h, 0, sizeof *h);
}
