/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * GET /api/v1/ik: who the credentials belong to (municipality and role);
 * GET /api/v1/ik/overzicht: what that municipality has on meent and what
 * needs doing first, the page /mijn as JSON (model_dashboard.c).
 */
#include "api/api.h"

void
api_me_get(struct req *r)
{
	json_t *g;

	if (municipality_get(r->db, r->who.gemeente, &g) != MEENT_OK) {
		reply_db_failed(r, "De gemeente van deze "
		    "inlog kon niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:o, s:s, s:s}", "gemeente", g, "rol",
	    role_name(r->who.role), "via", r->who.kind == PRINCIPAL_TOKEN ?
	    "token" : "sessie"));
}

void
api_me_overzicht(struct req *r)
{
	json_t *d;

	if (model_dashboard_get(r, &d) == -1)
		return;
	reply_json(r, 200, d);
}
