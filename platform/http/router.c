/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The router: from a parsed request to a handler of the route table the
 * program gives it (router_init; meentd's is routes.c).
 *
 * Two steps, because a body is read only when the request may have one.
 * router_admit(), as soon as the head has arrived (conn.c), checks in this
 * order, each answered as problem+json or a Dutch page: the path (trailing
 * slash and unknown paths 404, known paths with another method 405 +
 * Allow), the query string (400), the body's announced size against the
 * route's cap (413; a route with cap 0 takes no body), credentials (401),
 * the route's access level and, for web forms, same origin (403). Then
 * conn.c reads the body, and router_run() calls the handler; it must reply
 * exactly once (a handler that does not gets a 500).
 */
#include "http/http.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

static const struct route *router_routes;	/* router_init() */
static size_t router_nroutes;

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
	for (size_t i = 0; i < router_nroutes; i++) {
		const struct route *rt = &router_routes[i];
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

/* A plugin route's request services (plugin.h): its query, its reply. */
static const char *
router_plugin_query(struct meent_request *req, const char *name)
{
	return req_query((struct req *)req, name);
}

static void
router_plugin_reply(struct meent_request *req, int status, const char *ctype,
    const char *body, size_t len)
{
	struct req *r = (struct req *)req;

	if (status >= 400 && (ctype == NULL || strstr(ctype, "json") == NULL))
		reply_problem(r, status, http_reason(status), "%.*s",
		    (int)(len > 500 ? 500 : len), body);
	else
		reply_text(r, status, ctype, body, len);
}

/*
 * The table of routes (kept; the program's, const and static), and the
 * request services plugins' routes use.
 */
void
router_init(const struct route *table, size_t n)
{
	router_routes = table;
	router_nroutes = n;
	metrics_routes(table, n);
	plugin_set_request_services(router_plugin_query, router_plugin_reply);
}

const char *
router_access_name(enum access a)
{
	switch (a) {
	case ACCESS_PUBLIC:
		return "public";
	case ACCESS_VIEWER:
		return "viewer";
	case ACCESS_EDITOR:
		return "editor";
	case ACCESS_ADMIN:
		return "admin";
	}
	return "?";
}

static struct evkeyvalq *
router_fields_new(void)
{
	struct evkeyvalq *q = xcalloc(1, sizeof *q);

	TAILQ_INIT(q);
	return q;
}

/*
 * Every field called name joined with ", " (RFC 9110 5.3: a list may come
 * as several fields, and a proxy that adds a field instead of extending one
 * must not hide behind the client's), or NULL when there is none. The
 * caller frees it.
 */
static char *
router_header_joined(struct evkeyvalq *fields, const char *name)
{
	struct evkeyval *kv;
	char *out = NULL, *prev;

	TAILQ_FOREACH(kv, fields, next) {
		if (strcasecmp(kv->key, name) != 0)
			continue;
		prev = out;
		out = prev == NULL ? xstrdup(kv->value) :
		    xasprintf("%s, %s", prev, kv->value);
		free(prev);
	}
	return out;
}

/*
 * Who sent r, past the trusted proxies (proxy.c), and whether it came over
 * https to the outermost one: r->client, r->https.
 */
static void
router_req_client(struct req *r)
{
	const struct config *cfg = r->ctx->cfg;
	char *chain, *xfp;
	bool https;

	chain = router_header_joined(r->in_headers, cfg->proxy_header ==
	    PROXY_HEADER_FORWARDED ? "Forwarded" : "X-Forwarded-For");
	proxy_client(&cfg->trusted_proxy, cfg->proxy_header, r->peer, chain,
	    r->client, &https);
	if (cfg->proxy_header == PROXY_HEADER_XFF) {
		xfp = router_header_joined(r->in_headers,
		    "X-Forwarded-Proto");
		https = proxy_https(&cfg->trusted_proxy, r->peer, xfp);
		free(xfp);
	}
	r->https = https;
	free(chain);
}

/*
 * A request whose head c has just read from peer: h's method and target,
 * and the fields (taken). Freed with router_req_free().
 */
struct req *
router_req_new(struct http_ctx *ctx, struct conn *c, const char *peer,
    const struct http_head *h, struct evkeyvalq *fields)
{
	struct req *r = xcalloc(1, sizeof *r);
	unsigned char id[8];
	char *q;

	r->conn = c;
	r->ctx = ctx;
	r->db = ctx->db;
	r->route_index = -1;
	r->plugin_route = -1;
	r->method = h->method;
	r->minor = h->minor;
	r->target = xstrdup(h->target);
	r->path = xstrdup(h->target);
	if ((q = strchr(r->path, '?')) != NULL) {
		*q = '\0';
		r->query_string = r->target + (q - r->path) + 1;
	}
	r->in_headers = fields;
	r->out_headers = router_fields_new();
	r->body = evbuffer_new();
	snprintf(r->peer, sizeof r->peer, "%s", peer);
	router_req_client(r);
	r->start_ms = clock_ms();
	park_mark(r);
	randombytes_buf(id, sizeof id);
	sodium_bin2hex(r->rid, sizeof r->rid, id, sizeof id);
	r->query = router_fields_new();
	return r;
}

/*
 * Free a request's state; an async handler's job calls it after replying.
 * An answer still waiting for the disk (park.c) frees it once it is out.
 */
void
router_req_free(struct req *r)
{
	if (r->parked) {
		r->park.free = true;
		return;
	}
	req_free(r);
}

static bool
router_method_safe(int method)
{
	return method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD ||
	    method == EVHTTP_REQ_OPTIONS;
}

/*
 * A person who must sign in first: to the login form, which sends her back
 * here afterwards ("terug", checked again there). A target too long to go
 * back to is left out.
 */
static void
router_to_login(struct req *r)
{
	char *enc, *location;

	if (!http_local_path(r->target)) {
		reply_redirect(r, "/inloggen");
		return;
	}
	enc = evhttp_uriencode(r->target, -1, 0);
	if (enc == NULL)
		fatal("evhttp_uriencode");
	location = xasprintf("/inloggen?terug=%s", enc);
	reply_redirect(r, location);
	free(location);
	free(enc);
}

/*
 * Who sends a request that has no route, for the page that answers it (a
 * person who is signed in sees so in its header): a session cookie only,
 * and anonymous when that does not work out. A token is not looked up: an
 * API client gets problem+json, whoever it is.
 */
static void
router_identify_quietly(struct req *r)
{
	const char *prev;

	if (req_header(r, "Authorization") != NULL ||
	    req_header(r, "Cookie") == NULL)
		return;
	db_failure_clear(r->db);
	prev = log_set_rid(r->rid);
	if (auth_identify(r) != AUTH_OK)
		memset(&r->who, 0, sizeof r->who);
	log_set_rid(prev);
	db_failure_clear(r->db);
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
			router_to_login(r);
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
		    "nodig; u hebt de rol %s.", router_access_name(rt->access),
		    role_name(r->who.role));
		return -1;
	}
	return 0;
}

/*
 * 413 when the announced body (content_length; -1 for chunked, 0 for none)
 * cannot be taken. Returns 0, or -1 after replying.
 */
static int
router_check_body(struct req *r, long long content_length, size_t cap)
{
	if (content_length == 0)
		return 0;
	if (cap == 0) {
		reply_problem(r, 413, "Inhoud te groot", "Dit adres neemt geen "
		    "inhoud aan.");
		return -1;
	}
	if (content_length > 0 && (unsigned long long)content_length > cap) {
		reply_problem(r, 413, "Inhoud te groot", "De inhoud van het "
		    "verzoek mag hier hoogstens %zu bytes zijn.", cap);
		return -1;
	}
	return 0;
}

/*
 * Decide on r as soon as its head is in: route, query, the body's size
 * (content_length: as announced, -1 for chunked, 0 for none), credentials,
 * access. Returns 0 with *cap, the most body bytes the route takes; or -1
 * after replying (the body is then never read).
 */
int
router_admit(struct req *r, long long content_length, size_t *cap)
{
	const char *prev;
	unsigned allow;
	int rc;

	*cap = 0;
	r->route_index = router_match(r->method, r->path, r->params,
	    &r->nparams, &allow);
	if (r->route_index == -2) {
		/* 405 with Allow; for OPTIONS, 204 with Allow. */
		router_identify_quietly(r);
		reply_not_allowed(r, allow);
		return -1;
	}
	if (r->query_string != NULL &&
	    evhttp_parse_query_str(r->query_string, r->query) == -1) {
		req_invalid(r, "query", "de querystring is niet geldig");
		reply_invalid(r);
		return -1;
	}
	if (r->route_index < 0) {
		/* Plugins' own routes are public and read no body. */
		if (strncmp(r->path, "/plugins/", 9) == 0 &&
		    (r->plugin_route = plugin_route_find(r->method,
		    r->path)) >= 0)
			return router_check_body(r, content_length, 0);
		router_identify_quietly(r);
		reply_problem(r, 404, "Niet gevonden", "Dit adres bestaat niet.");
		return -1;
	}
	r->route = &router_routes[r->route_index];
	*cap = r->route->max_body;
	if (*cap > r->ctx->cfg->max_body_bytes)
		*cap = r->ctx->cfg->max_body_bytes;
	if (router_check_body(r, content_length, *cap) == -1)
		return -1;
	db_failure_clear(r->db);
	/* What the look-up logs (a failed read) names this request. */
	prev = log_set_rid(r->rid);
	rc = auth_identify(r);
	log_set_rid(prev);
	switch (rc) {
	case AUTH_OK:
		break;
	case AUTH_INVALID:
		reply_unauthorized(r, "Het token is onbekend, verlopen of "
		    "ingetrokken.");
		return -1;
	default:
		reply_db_failed(r, "Wie u bent kon niet worden nagegaan.");
		db_recover(r->db);
		return -1;
	}
	return router_check_access(r);
}

/*
 * The body is in: run the handler. Frees r, unless the handler handed it to
 * a job (r->async), which frees it after replying.
 */
void
router_run(struct req *r)
{
	struct http_ctx *ctx = r->ctx;
	const char *name;

	log_set_rid(r->rid);
	db_failure_clear(r->db);	/* what fails now is this request's */
	park_mark(r);	/* commits from here on are this request's */
	r->handling = true;
	/*
	 * A write joins the round's batch before it runs (db_batch_join). If
	 * that fails, the handler meets the failure itself when it writes (a
	 * handler that writes nothing here, a notify, still answers). A read
	 * first ends the batch: it may show only what is committed, or one
	 * client could see a change on this worker and not yet on the other.
	 */
	if (router_method_safe(r->method))
		park_batch_end(ctx);
	else if (db_batch_join(r->db) == -1)
		db_failure_clear(r->db);
	if (r->plugin_route >= 0) {
		plugin_route_run(r->db, (struct meent_request *)r,
		    r->plugin_route);
		name = "plugin";
	} else {
		r->route->handler(r);
		name = r->route->name;
	}
	if (!r->replied && !r->async) {
		log_emit(LOG_ERROR, "router.noreply", "%s did not reply", name);
		reply_problem(r, 500, "Interne fout", "Er ging iets mis.");
	}
	/* What a commit outside the batch signed (a handler that left it). */
	park_announce(ctx, true);
	/* After a failure of the storage: a fresh connection (db.c). */
	db_recover(r->db);
	log_set_rid(NULL);
	if (!r->async)
		router_req_free(r);
	db_batch_resume(ctx->db);	/* if the handler left the batch */
	park_batch_check(ctx);
}

/*
 * A job hands r back to its worker (an upload, a password check): what
 * fails, commits or changes from here on is r's again (db_failure, the
 * marks group commit goes by), and its handler runs.
 */
void
router_resume(struct req *r)
{
	db_failure_clear(r->db);
	park_mark(r);
	r->handling = true;
}

/* The route table as lines "METHOD PATTERN ACCESS FLAGS MAXBODY NAME". */
void
router_print(FILE *out)
{
	for (size_t i = 0; i < router_nroutes; i++) {
		const struct route *rt = &router_routes[i];

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
		    router_access_name(rt->access), flags,
		    rt->max_body, rt->name);
	}
}
