/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The router: from an evhttp request to a handler of routes_table[].
 *
 * Order of checks, each answered as problem+json: the path (trailing slash
 * and unknown paths 404, known paths with another method 405 + Allow), the
 * query string (400), the body size (413; the connection guard usually
 * refused it already from Content-Length), credentials (401), the route's
 * access level and, for web forms, same origin (403). Only then the handler
 * runs; it must reply exactly once (a handler that does not gets a 500).
 */
#include "meent.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

/*
 * Does path match pattern? Each "{name}" matches one non-empty segment,
 * which is percent-decoded into a new string in params (caller frees).
 */
static bool
router_match_one(const char *pattern, const char *path, char **params,
    int *nparams)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p != '\0' && *s != '\0') {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			size_t len = se != NULL ? (size_t)(se - s) : strlen(s);
			char *raw, *dec;
			size_t declen;

			if (pe == NULL || len == 0 || n == ROUTE_MAX_PARAMS)
				goto nomatch;
			raw = xstrndup(s, len);
			dec = evhttp_uridecode(raw, 0, &declen);
			free(raw);
			if (dec == NULL)
				goto nomatch;
			if (strlen(dec) != declen || strchr(dec, '/') != NULL) {
				free(dec);
				goto nomatch;
			}
			params[n++] = dec;
			p = pe + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			goto nomatch;
		p++;
		s++;
	}
	if (*p != '\0' || *s != '\0')
		goto nomatch;
	*nparams = n;
	return true;
nomatch:
	while (n > 0)
		free(params[--n]);
	return false;
}

/*
 * Find the route for method and path. Returns its index and fills params;
 * or -1 when no route has this path; or -2 when routes have this path but
 * not this method, with *allow the methods they have (EVHTTP_REQ_* bits).
 * HEAD is served by the GET route.
 */
int
router_match(int method, const char *path, char **params, int *nparams,
    unsigned *allow)
{
	char *scratch[ROUTE_MAX_PARAMS];
	int ns;

	*allow = 0;
	*nparams = 0;
	/* No trailing slashes (API Design Rules): "/x/" is not "/x". */
	if (path[0] != '/' || (path[1] != '\0' && path[strlen(path) - 1] ==
	    '/'))
		return -1;
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *rt = &routes_table[i];
		int want = method == EVHTTP_REQ_HEAD ? EVHTTP_REQ_GET : method;

		if (rt->method != want) {
			if (router_match_one(rt->pattern, path, scratch, &ns)) {
				*allow |= (unsigned)rt->method;
				while (ns > 0)
					free(scratch[--ns]);
			}
			continue;
		}
		if (router_match_one(rt->pattern, path, params, nparams))
			return (int)i;
	}
	if (*allow == 0)
		return -1;
	if (*allow & EVHTTP_REQ_GET)
		*allow |= EVHTTP_REQ_HEAD;
	*allow |= EVHTTP_REQ_OPTIONS;
	return -2;
}

/* The body cap of the route a raw request target goes to (for the guard). */
size_t
router_body_cap(const char *method, const char *target,
    const struct config *cfg)
{
	char *path, *q, *params[ROUTE_MAX_PARAMS];
	int np, idx;
	unsigned allow;

	path = xstrdup(target);
	if ((q = strpbrk(path, "?#")) != NULL)
		*q = '\0';
	idx = router_match(http_method_type(method), path, params, &np, &allow);
	while (np > 0)
		free(params[--np]);
	free(path);
	if (idx >= 0 && routes_table[idx].max_body != 0)
		return routes_table[idx].max_body;
	return cfg->max_body_bytes;
}

/* The largest body any route takes: evhttp's own (backstop) cap. */
size_t
router_max_body(const struct config *cfg)
{
	size_t max = cfg->max_body_bytes;

	for (size_t i = 0; i < routes_count; i++)
		if (routes_table[i].max_body > max)
			max = routes_table[i].max_body;
	return max;
}

static void
router_complete_cb(struct evhttp_request *ev, void *arg)
{
	(void)ev;
	conn_request_done(arg);
}

static struct req *
router_req_new(struct worker *w, struct evhttp_request *ev)
{
	struct req *r = xcalloc(1, sizeof *r);
	unsigned char id[8];

	r->ev = ev;
	r->w = w;
	r->srv = worker_server(w);
	r->db = worker_db(w);
	r->route_index = -1;
	r->method = (int)evhttp_request_get_command(ev);
	r->start_ms = clock_ms();
	randombytes_buf(id, sizeof id);
	sodium_bin2hex(r->rid, sizeof r->rid, id, sizeof id);
	r->query = xcalloc(1, sizeof *r->query);
	TAILQ_INIT(r->query);
	return r;
}

/* Free a request's state; an async handler's job calls it after replying. */
void
router_req_free(struct req *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	evhttp_clear_headers(r->query);
	free(r->query);
	json_decref(r->invalid);
	json_decref(r->warnings);
	free(r);
}

static bool
router_method_safe(int method)
{
	return method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD ||
	    method == EVHTTP_REQ_OPTIONS;
}

/* Who may call: 0 to go on, or -1 after replying 401/403. */
static int
router_check_access(struct req *r)
{
	const struct route *rt = r->route;
	bool unsafe = !router_method_safe(r->method);

	if ((rt->flags & ROUTE_WEB) && unsafe && !auth_same_origin(r)) {
		reply_problem(r, 403, "Verboden", "Een formulier moet van deze "
		    "site zelf komen (Origin of Sec-Fetch-Site ontbreekt of "
		    "klopt niet).");
		return -1;
	}
	if (rt->access == ACCESS_PUBLIC)
		return 0;
	if (r->who.kind == PRINCIPAL_ANONYMOUS) {
		/* A person on the web pages is sent to the login form. */
		if ((rt->flags & ROUTE_WEB) && !unsafe) {
			reply_redirect(r, "/inloggen");
			return -1;
		}
		reply_unauthorized(r, "Inloggen of een API-token is nodig.");
		return -1;
	}
	/* Cookies never authenticate the JSON API's writes. */
	if (r->who.kind == PRINCIPAL_SESSION && unsafe &&
	    !(rt->flags & ROUTE_WEB)) {
		reply_unauthorized(r, "Schrijven via de API kan alleen met een "
		    "API-token (Authorization: Bearer).");
		return -1;
	}
	if ((int)r->who.role < (int)rt->access) {
		reply_problem(r, 403, "Verboden", "Hiervoor is de rol %s "
		    "nodig; u hebt de rol %s.", routes_access_name(rt->access),
		    role_name(r->who.role));
		return -1;
	}
	return 0;
}

/*
 * A write may have changed public content: the triggers put it in the
 * federation outbox; sign it into the feed now and tell the peers, so that
 * it shows on other instances within a second.
 */
static void
router_federate(struct req *r)
{
	long n = 0;

	if (fed_feed_flush(r->db, server_instance(r->srv), &n) == 0 && n > 0)
		fed_pull_announce();
}

static void
router_dispatch(struct req *r)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->ev);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	unsigned allow;
	size_t body_len, cap;

	if (path == NULL || *path == '\0')
		path = "/";
	r->route_index = router_match(r->method, path, r->params, &r->nparams,
	    &allow);
	if (r->route_index == -2) {
		/* 405 with Allow; for OPTIONS, 204 with Allow. */
		reply_not_allowed(r, allow);
		return;
	}
	if (r->route_index < 0) {
		if (strncmp(path, "/plugins/", 9) == 0 &&
		    evhttp_parse_query_str(query != NULL ? query : "",
		    r->query) == 0 && plugin_dispatch(r, path) == 0)
			return;
		reply_problem(r, 404, "Niet gevonden", "Dit adres bestaat niet.");
		return;
	}
	r->route = &routes_table[r->route_index];
	if (query != NULL && evhttp_parse_query_str(query, r->query) == -1) {
		req_invalid(r, "query", "de querystring is niet geldig");
		reply_invalid(r);
		return;
	}
	body_len = evbuffer_get_length(evhttp_request_get_input_buffer(r->ev));
	cap = r->route->max_body != 0 ? r->route->max_body :
	    worker_config(r->w)->max_body_bytes;
	if (body_len > cap) {
		reply_problem(r, 413, "Inhoud te groot", "De inhoud van het "
		    "verzoek mag hier hoogstens %zu bytes zijn.", cap);
		return;
	}
	switch (auth_identify(r)) {
	case AUTH_OK:
		break;
	case AUTH_INVALID:
		reply_unauthorized(r, "Het token is onbekend, verlopen of "
		    "ingetrokken.");
		return;
	default:
		reply_problem(r, 503, "Tijdelijk niet beschikbaar", "De "
		    "gegevens zijn nu niet bereikbaar; probeer het zo opnieuw.");
		return;
	}
	if (router_check_access(r) == -1)
		return;
	r->route->handler(r);
	if (!r->replied && !r->async) {
		log_emit(LOG_ERROR, "router.noreply", "%s did not reply",
		    r->route->name);
		reply_problem(r, 500, "Interne fout", "Er ging iets mis.");
	}
	if (r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_HEAD &&
	    r->status < 400)
		router_federate(r);
}

/* evhttp's callback for every request on a worker. */
void
router_dispatch_cb(struct evhttp_request *ev, void *arg)
{
	struct worker *w = arg;
	struct conn *c = conn_of_request(ev);
	struct req *r;

	conn_request_started(c);
	evhttp_request_set_on_complete_cb(ev, router_complete_cb, c);
	r = router_req_new(w, ev);
	log_set_rid(r->rid);
	router_dispatch(r);
	log_set_rid(NULL);
	if (!r->async)
		router_req_free(r);
}

/* The route table as lines "METHOD PATTERN ACCESS FLAGS MAXBODY NAME". */
void
router_print(FILE *out)
{
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *rt = &routes_table[i];

		char flags[64] = "";

		if (rt->flags & ROUTE_OWN)
			strcat(flags, "own,");
		if (rt->flags & ROUTE_WEB)
			strcat(flags, "web,");
		if (rt->flags & ROUTE_CORS)
			strcat(flags, "cors,");
		if (flags[0] == '\0')
			strcat(flags, "-");
		else
			flags[strlen(flags) - 1] = '\0';
		fprintf(out, "%s\t%s\t%s\t%s\t%zu\t%s\n",
		    http_method_name(rt->method), rt->pattern,
		    routes_access_name(rt->access), flags,
		    rt->max_body, rt->name);
	}
}
