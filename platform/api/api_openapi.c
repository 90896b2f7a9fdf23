/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * GET /api/v1/openapi.json: the API's own description (OpenAPI 3.0), public
 * and readable from any origin. The document is platform/openapi.json,
 * compiled in; a test checks it against the route table.
 */
#include "api/api.h"

extern const unsigned char openapi_json[];
extern const size_t openapi_json_len;

void
api_openapi_get(struct req *r)
{
	reply_text(r, 200, "application/json", (const char *)openapi_json,
	    openapi_json_len);
}
