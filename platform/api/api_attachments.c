/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /api/v1/pilots/{id}/bijlagen: attachments of a pilot (reports, DPIAs,
 * presentations, spreadsheets, pictures).
 *
 * An upload is the file itself as the request body (any Content-Type: the
 * type is decided from the content) with its name in the query:
 * POST /api/v1/pilots/{id}/bijlagen?naam=rapport.pdf. The body is written
 * to a temporary file as it arrives (ROUTE_SPOOL), never held whole in
 * memory. Who may see the pilot sees its attachments; only its own
 * municipality's editors add or remove them.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/* GET: the list, {"bijlagen": [...]}. */
void
api_attachments_list(struct req *r)
{
	struct pilot p;
	json_t *list;

	if (model_pilots_load(r, &p, false) == -1)
		return;
	if (model_attachments_list(r, &p, &list) == 0)
		reply_json(r, 200, json_pack("{s:o}", "bijlagen", list));
	pilot_free(&p);
}

/* POST: the body is the file; ?naam= its name. 201 with its JSON. */
void
api_attachments_create(struct req *r)
{
	struct attachment_upload mem, *u = r->spool;
	struct attachment a;
	struct pilot p;
	char location[192];

	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (u == NULL) {
		/* No body (Content-Length: 0): an empty file. */
		u = &mem;
		if (model_attachments_from_buffer(r, req_body(r), u) == -1) {
			pilot_free(&p);
			return;
		}
	}
	if (model_attachments_add(r, &p, u, req_query(r, "naam"), &a) == 0) {
		snprintf(location, sizeof location,
		    "/api/v1/pilots/%s/bijlagen/%s", p.id, a.hash);
		reply_header(r, "Location", location);
		reply_json(r, 201, attachment_json(&a));
	}
	attachment_upload_abort(u);
	pilot_free(&p);
}

/* GET one: the file, as a download. */
void
api_attachments_get(struct req *r)
{
	struct pilot p;

	if (model_pilots_load(r, &p, false) == -1)
		return;
	model_attachments_send(r, &p);
	pilot_free(&p);
}

/* DELETE one: 204. */
void
api_attachments_delete(struct req *r)
{
	struct pilot p;

	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (model_attachments_delete(r, &p) == 0)
		reply_text(r, 204, NULL, "", 0);
	pilot_free(&p);
}
