/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A request's body as the API reads it: a JSON object, or a problem+json
 * answer saying what is wrong with it.
 */
#include "api/api.h"

#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

/*
 * The body as a JSON object into *out (caller owns). On a wrong media type
 * (415) or malformed JSON (400, saying where) replies and returns -1.
 */
int
api_body_json(struct req *r, json_t **out)
{
	struct evbuffer *in = r->body;
	const char *ctype = req_header(r, "Content-Type");
	size_t len = evbuffer_get_length(in);
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (ctype == NULL || (strncasecmp(ctype, "application/json", 16) != 0 &&
	    strstr(ctype, "+json") == NULL)) {
		reply_problem(r, 415, "Verkeerd mediatype", "Stuur de inhoud "
		    "als application/json.");
		return -1;
	}
	j = json_loadb((const char *)evbuffer_pullup(in, (ev_ssize_t)len), len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		req_invalid(r, "body", "geen geldige JSON: regel %d, kolom %d: "
		    "%s", jerr.line, jerr.column, jerr.text);
		reply_invalid(r);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		req_invalid(r, "body", "moet een JSON-object zijn");
		reply_invalid(r);
		return -1;
	}
	*out = j;
	return 0;
}
