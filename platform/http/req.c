/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What handlers read from a request: query parameters, headers, a JSON body,
 * pagination; and the list of invalid fields that becomes one 400 with all
 * of them (API Design Rules: return all errors together).
 */
#include "http/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

#define REQ_PAGE_SIZE_DEFAULT	20
#define REQ_PAGE_SIZE_MAX	100
#define REQ_PAGE_MAX		1000000

/* A query parameter (decoded), or NULL. Borrowed from r. */
const char *
req_query(struct req *r, const char *name)
{
	return evhttp_find_header(r->query, name);
}

/* A request header's value, or NULL. Borrowed from r. */
const char *
req_header(struct req *r, const char *name)
{
	return evhttp_find_header(r->in_headers, name);
}

/*
 * Should cookies set in answer to r be Secure? When the instance's base
 * URL is https, or a trusted proxy says the client came over https
 * (X-Forwarded-Proto or Forwarded's proto=; router.c). A cookie's name
 * (__Host-) follows the base URL alone, so that it is the same on every
 * request.
 */
bool
req_secure(const struct req *r)
{
	return r->ctx->secure || r->https;
}

/* The request's body, all of it (conn.c read it before the handler ran). */
struct evbuffer *
req_body(struct req *r)
{
	return r->body;
}

/* Note an invalid field; reply_invalid() sends them all. */
void
req_invalid(struct req *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *reason;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	if (r->invalid == NULL)
		r->invalid = json_array();
	json_array_append_new(r->invalid, json_pack("{s:s, s:s}", "name",
	    name, "reason", reason));
	free(reason);
}

bool
req_has_invalid(struct req *r)
{
	return r->invalid != NULL && json_array_size(r->invalid) > 0;
}

/*
 * The reason given for the field name in a list of invalid fields
 * ([{name, reason}], as r->invalid or a domain's validation has them), or
 * NULL: for a form that shows each error next to its field.
 */
const char *
req_invalid_reason(json_t *invalid, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(invalid, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")),
		    name) == 0)
			return json_string_value(json_object_get(p, "reason"));
	return NULL;
}

/*
 * An integer query parameter in [min, max], or def when absent. Returns 0,
 * or -1 after noting it invalid.
 */
int
req_query_int(struct req *r, const char *name, long def, long min, long max,
    long *out)
{
	const char *v = req_query(r, name);
	char *end;
	long n;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
		req_invalid(r, name, "moet een geheel getal van %ld tot en met "
		    "%ld zijn", min, max);
		return -1;
	}
	*out = n;
	return 0;
}

/* page and pageSize, validated. */
int
req_page(struct req *r, int *page, int *page_size)
{
	long p, s;
	int rc = 0;

	rc |= req_query_int(r, "page", 1, 1, REQ_PAGE_MAX, &p);
	rc |= req_query_int(r, "pageSize", REQ_PAGE_SIZE_DEFAULT, 1,
	    REQ_PAGE_SIZE_MAX, &s);
	*page = (int)p;
	*page_size = (int)s;
	return rc;
}

/* The request's path with its query, page replaced. Caller frees. */
static char *
req_link(struct req *r, int page, int page_size)
{
	struct evbuffer *b = evbuffer_new();
	struct evkeyval *kv;

	evbuffer_add_printf(b, "%s?", r->path);
	TAILQ_FOREACH(kv, r->query, next) {
		char *k, *v;

		if (strcmp(kv->key, "page") == 0 ||
		    strcmp(kv->key, "pageSize") == 0)
			continue;
		k = evhttp_uriencode(kv->key, -1, 1);
		v = evhttp_uriencode(kv->value, -1, 1);
		evbuffer_add_printf(b, "%s=%s&", k, v);
		free(k);
		free(v);
	}
	evbuffer_add_printf(b, "page=%d&pageSize=%d", page, page_size);
	return buffer_take_string(b);
}

static void
req_link_set(json_t *links, const char *rel, char *href)
{
	json_object_set_new(links, rel, json_pack("{s:s}", "href", href));
	free(href);
}

/* HAL-style _links for a page of a list of total items. Caller owns. */
json_t *
req_links(struct req *r, int page, int page_size, long total)
{
	json_t *links = json_object();
	long last = total == 0 ? 1 : (total + page_size - 1) / page_size;

	req_link_set(links, "self", req_link(r, page, page_size));
	req_link_set(links, "first", req_link(r, 1, page_size));
	req_link_set(links, "last", req_link(r, (int)last, page_size));
	if (page > 1)
		req_link_set(links, "prev", req_link(r, page - 1, page_size));
	if (page < last)
		req_link_set(links, "next", req_link(r, page + 1, page_size));
	return links;
}

/* Does the caller belong to this municipality? */
bool
req_own(struct req *r, const char *gemeente)
{
	return r->who.kind != PRINCIPAL_ANONYMOUS && gemeente != NULL &&
	    strcmp(r->who.gemeente, gemeente) == 0;
}

/* A positive whole number (an id or a version in a path), or -1. */
long
req_number(const char *s)
{
	char *end;
	long n;

	if (s == NULL)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return errno != 0 || *end != '\0' || end == s || n < 1 ? -1 : n;
}

/* Free r and all it holds (the router decides when: router_req_free). */
void
req_free(struct req *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	evhttp_clear_headers(r->query);
	free(r->query);
	evhttp_clear_headers(r->in_headers);
	free(r->in_headers);
	evhttp_clear_headers(r->out_headers);
	free(r->out_headers);
	evbuffer_free(r->body);
	if (r->spool != NULL) {
		attachment_upload_abort(r->spool);
		free(r->spool);
	}
	multipart_stream_free(r->form);
	free(r->target);
	free(r->path);
	json_decref(r->invalid);
	json_decref(r->warnings);
	free(r);
}
