/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * GET /api/v1/pilots/{id}/reacties: the questions and reactions on a
 * pilot as the caller may see them (model_reactions.c), with the pilots it
 * follows and that follow it (navolging). Writing is on the pilot's page,
 * by a signed-in person (web_reactions.c).
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

/* Times as the API gives them: RFC 3339 UTC (the domain's are seconds). */
static void
api_reactions_times(json_t *reactions)
{
	size_t i;
	json_t *re, *hidden;

	json_array_foreach(reactions, i, re) {
		json_object_set_new(re, "aangemaakt", clock_json((time_t)
		    json_integer_value(json_object_get(re, "aangemaakt"))));
		if (json_is_object(hidden = json_object_get(re, "verborgen")))
			json_object_set_new(hidden, "op", clock_json((time_t)
			    json_integer_value(json_object_get(hidden, "op"))));
	}
}

void
api_reactions_list(struct req *r)
{
	struct pilot p;
	json_t *data;

	if (model_pilots_load(r, &p, false) == -1)
		return;
	if (model_reactions_pilot(r, &p, &data) != 0) {
		pilot_free(&p);
		reply_db_failed(r, "De reacties konden niet gelezen worden.");
		return;
	}
	json_object_del(data, "contactpersonen");
	api_reactions_times(json_object_get(data, "reacties"));
	json_object_set_new(data, "pilot", json_string(p.id));
	json_object_set_new(data, "reactiesMogelijk",
	    json_boolean(model_reactions_open(&p)));
	reply_json(r, 200, data);
	pilot_free(&p);
}
