/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The overview of the signed-in person's municipality (/mijn): its pilots,
 * its datasets, the guideline proposals waiting for its decision and its
 * own open proposals (dashboard_store.c), and, first, what needs doing
 * ("eerstDoen"), each with the page where it is done. Who may change what
 * is decided here once: "magBewerken" (an editor or an admin) and, per
 * pilot, "lokaal" (written on this instance). A page draws it; the API
 * could serve it as it is.
 */
#include "model/model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The to-do list is a start, not an inventory: the lists below are. */
#define MODEL_DASHBOARD_TODO_MAX	20

/* Add one thing to do (text and link) to todo, within its cap. */
static void
model_dashboard_todo(json_t *todo, const char *soort, const char *href,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
model_dashboard_todo(json_t *todo, const char *soort, const char *href,
    const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (json_array_size(todo) >= MODEL_DASHBOARD_TODO_MAX)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	json_array_append_new(todo, json_pack("{s:s, s:s, s:s}", "soort",
	    soort, "tekst", text, "href", href));
	free(text);
}

static const char *
model_dashboard_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/*
 * What needs doing first, most urgent first: proposals waiting for a
 * decision (another municipality waits), concept datasets that passed the
 * check, concept pilots, and concept datasets that did not pass (to be
 * uploaded again or thrown away).
 */
static json_t *
model_dashboard_first(json_t *d, bool editor)
{
	json_t *todo = json_array(), *v;
	char href[160];
	size_t i;

	json_array_foreach(json_object_get(d, "voorstellenTeBeslissen"), i,
	    v) {
		snprintf(href, sizeof href, "/richtlijnen/%s/voorstellen/%lld",
		    model_dashboard_str(v, "richtlijn"), (long long)
		    json_integer_value(json_object_get(v, "id")));
		model_dashboard_todo(todo, "voorstel", href, editor ?
		    "Besluit over het voorstel van %s voor de richtlijn ‘%s’" :
		    "Het voorstel van %s voor de richtlijn ‘%s’ wacht op een "
		    "besluit",
		    model_dashboard_str(v, "gemeenteNaam"),
		    model_dashboard_str(v, "richtlijnTitel"));
	}
	json_array_foreach(json_object_get(d, "datasets"), i, v)
		if (strcmp(model_dashboard_str(v, "status"), "concept") == 0 &&
		    json_is_true(json_object_get(v, "publiceerbaar"))) {
			snprintf(href, sizeof href, "/datasets/%s",
			    model_dashboard_str(v, "id"));
			model_dashboard_todo(todo, "dataset", href, editor ?
			    "Publiceer de dataset %s, %s: hij is gecontroleerd "
			    "en kan gepubliceerd worden" : "De dataset %s, %s "
			    "is gecontroleerd en kan gepubliceerd worden",
			    model_dashboard_str(v, "indicatorNaam"),
			    model_dashboard_str(v, "periode"));
		}
	json_array_foreach(json_object_get(d, "pilots"), i, v)
		if (strcmp(model_dashboard_str(v, "zichtbaarheid"),
		    "concept") == 0 &&
		    json_is_true(json_object_get(v, "lokaal"))) {
			snprintf(href, sizeof href, editor ? "/pilots/%s/"
			    "bewerken" : "/pilots/%s", model_dashboard_str(v,
			    "id"));
			model_dashboard_todo(todo, "pilot", href, editor ?
			    "Maak de pilot ‘%s’ af: hij is nog een concept" :
			    "De pilot ‘%s’ is nog een concept",
			    model_dashboard_str(v, "titel"));
		}
	json_array_foreach(json_object_get(d, "datasets"), i, v)
		if (strcmp(model_dashboard_str(v, "status"), "concept") == 0 &&
		    !json_is_true(json_object_get(v, "publiceerbaar"))) {
			snprintf(href, sizeof href, "/datasets/%s",
			    model_dashboard_str(v, "id"));
			model_dashboard_todo(todo, "dataset", href, editor ?
			    "Bekijk de dataset %s, %s: hij kan niet "
			    "gepubliceerd worden; gooi hem weg of upload een "
			    "aangepast bestand" : "De dataset %s, %s kan niet "
			    "gepubliceerd worden",
			    model_dashboard_str(v, "indicatorNaam"),
			    model_dashboard_str(v, "periode"));
		}
	return todo;
}

/*
 * The overview of the caller's municipality into *out (caller owns):
 * {gemeente, gemeenteNaam, rol, magBewerken, eerstDoen, pilots, datasets,
 * voorstellenTeBeslissen, eigenVoorstellen}. Returns 0, or -1 after
 * replying (the database failed).
 */
int
model_dashboard_get(struct req *r, json_t **out)
{
	const char *code = r->who.gemeente, *origin = r->ctx->instance->uuid;
	bool editor = r->who.role >= ROLE_EDITOR;
	json_t *g = NULL, *d;
	json_t *pilots, *datasets, *waiting, *own;

	*out = NULL;
	pilots = dashboard_store_pilots(r->db, code, origin);
	datasets = dashboard_store_datasets(r->db, code);
	waiting = dashboard_store_proposals_waiting(r->db, code, origin);
	own = dashboard_store_proposals_own(r->db, code);
	if (pilots == NULL || datasets == NULL || waiting == NULL ||
	    own == NULL || municipality_get(r->db, code, &g) == MEENT_ERR) {
		json_decref(pilots);
		json_decref(datasets);
		json_decref(waiting);
		json_decref(own);
		json_decref(g);
		reply_db_failed(r, "Het overzicht kon niet gelezen worden.");
		return -1;
	}
	d = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o}",
	    "gemeente", code,
	    "gemeenteNaam", g != NULL ? model_dashboard_str(g, "naam") : code,
	    "rol", role_name(r->who.role),
	    "magBewerken", editor,
	    "pilots", pilots,
	    "datasets", datasets,
	    "voorstellenTeBeslissen", waiting,
	    "eigenVoorstellen", own);
	json_decref(g);
	json_object_set_new(d, "eerstDoen", model_dashboard_first(d, editor));
	*out = d;
	return 0;
}
