/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Every response goes out through reply_send(): the headers every response
 * carries (API-Version, the request id, caching, security headers), the
 * ETag and If-None-Match (304), "Connection: close" while draining, the log
 * line and the metrics. Errors are problem+json (RFC 9457) built by
 * reply_problem(), the one error function (STYLE 8).
 *
 * A 4xx that a handler decided while the database failed under it (a
 * lookup that failed reads as "not there") is not the client's fault: it
 * goes out as the storage failure it was (reply_db_failed).
 */
#include "http/http.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>

/*
 * A strong ETag over the body: 128 bits of BLAKE2b, quoted. Exported for
 * pages kept in the cache with theirs (web_page_keep), so that a hit does
 * not hash its bytes again.
 */
void
reply_etag(struct evbuffer *body, char out[36])
{
	crypto_generichash_state st;
	unsigned char h[16];
	struct evbuffer_iovec v[16];
	struct evbuffer_ptr pos;
	int n;

	crypto_generichash_init(&st, NULL, 0, sizeof h);
	evbuffer_ptr_set(body, &pos, 0, EVBUFFER_PTR_SET);
	for (;;) {
		n = evbuffer_peek(body, -1, &pos, v, (int)nitems(v));
		if (n <= 0)
			break;
		for (int i = 0; i < n && i < (int)nitems(v); i++)
			crypto_generichash_update(&st, v[i].iov_base,
			    v[i].iov_len);
		if (n <= (int)nitems(v))
			break;
		/* More chains than we peeked: flatten (rare, big bodies). */
		crypto_generichash_init(&st, NULL, 0, sizeof h);
		crypto_generichash_update(&st, evbuffer_pullup(body, -1),
		    evbuffer_get_length(body));
		break;
	}
	crypto_generichash_final(&st, h, sizeof h);
	out[0] = '"';
	sodium_bin2hex(out + 1, 33, h, sizeof h);
	out[33] = '"';
	out[34] = '\0';
}

/* Does If-None-Match (a list, perhaps weak, perhaps "*") name etag? */
bool
reply_etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = inm;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, elen) == 0 && (p[elen] == '\0' ||
		    p[elen] == ',' || p[elen] == ' '))
			return true;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

static void
reply_common_headers(struct req *r, struct evkeyvalq *h, const char *ctype)
{
	unsigned flags = r->route != NULL ? r->route->flags : 0;

	evhttp_add_header(h, "API-Version", MEENT_API_VERSION);
	evhttp_add_header(h, "X-Request-Id", r->rid);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "same-origin");
	if (ctype != NULL)
		evhttp_add_header(h, "Content-Type", ctype);
	if (ctype != NULL && strncmp(ctype, "text/html", 9) == 0) {
		evhttp_add_header(h, "Content-Security-Policy",
		    "default-src 'self'; img-src 'self' data:; "
		    "object-src 'none'; base-uri 'none'; "
		    "form-action 'self'; frame-ancestors 'none'");
		evhttp_add_header(h, "X-Frame-Options", "DENY");
	}
	if (flags & ROUTE_CORS)
		evhttp_add_header(h, "Access-Control-Allow-Origin", "*");
	evhttp_add_header(h, "Cache-Control", r->who.kind ==
	    PRINCIPAL_ANONYMOUS ? "no-cache" : "private, no-cache");
	evhttp_add_header(h, "Vary", "Authorization, Cookie");
}

/* Add a header to r's response (before reply_send). */
void
reply_header(struct req *r, const char *name, const char *value)
{
	evhttp_add_header(r->out_headers, name, value);
}

/*
 * Send status with body (borrowed; drained by the send) of type ctype.
 * A second reply to the same request is a bug: logged and dropped.
 */
void
reply_send(struct req *r, int status, const char *ctype, struct evbuffer *body)
{
	struct evkeyvalq *h = r->out_headers;
	const char *name = r->route != NULL ? r->route->name : "-";
	char etag[64];
	size_t bytes;
	double ms;

	if (r->replied) {
		log_emit(LOG_ERROR, "reply.twice", "%s replied twice", name);
		return;
	}
	if (status >= 400 && status < 500 && r->handling &&
	    db_failure(r->db) != 0) {
		log_emit(LOG_WARN, "reply.storage", "%d on %s was decided "
		    "while the database failed", status, name);
		r->handling = false;
		reply_db_failed(r, "Het verzoek kon niet worden afgehandeld.");
		return;
	}
	/* A commit of this request not yet on disk: the answer waits. */
	if (park_reply(r, status, ctype, body))
		return;
	r->replied = true;
	reply_common_headers(r, h, ctype);
	if (status == 200 && (r->method == EVHTTP_REQ_GET ||
	    r->method == EVHTTP_REQ_HEAD) && r->route != NULL &&
	    !(r->route->flags & ROUTE_NO_ETAG)) {
		const char *inm = req_header(r, "If-None-Match");
		const char *own = evhttp_find_header(h, "ETag");

		/* A handler may have set a version ETag of its own. */
		if (own != NULL)
			snprintf(etag, sizeof etag, "%s", own);
		else {
			reply_etag(body, etag);
			evhttp_add_header(h, "ETag", etag);
		}
		if (inm != NULL && reply_etag_matches(inm, etag)) {
			status = 304;
			evbuffer_drain(body, evbuffer_get_length(body));
			evhttp_remove_header(h, "Content-Type");
		}
	}
	r->status = status;
	bytes = evbuffer_get_length(body);
	/*
	 * Counted and logged before the bytes go: the connection may write
	 * them at once (conn_respond), and whoever reads /metrics or the log
	 * (or the disk) after the answer must find it done.
	 */
	ms = clock_ms() - r->start_ms;
	metrics_observe(r->route_index, status, ms);
	if (atomic_load(r->ctx->access_log)) {
		/* A refusal before the handler, or a job's reply: r's id too. */
		const char *prev = log_set_rid(r->rid);

		log_access(http_method_name(r->method), name, status, ms,
		    bytes, r->ctx->cfg->access_log_client ? r->client : NULL);
		log_set_rid(prev);
	}
	/* A spooled body no handler kept is gone before the answer is out. */
	if (r->spool != NULL)
		attachment_upload_abort(r->spool);
	r->respond(r->conn, r, status, h, body);
}

static void
reply_free_cb(const void *data, size_t len, void *extra)
{
	(void)len;
	(void)extra;
	free((void *)data);
}

/* Send a JSON value (stolen) compactly. */
void
reply_json(struct req *r, int status, json_t *j)
{
	struct evbuffer *b = evbuffer_new();
	char *s;

	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		fatal("json_dumps");
	evbuffer_add_reference(b, s, strlen(s), reply_free_cb, NULL);
	json_decref(j);
	reply_send(r, status, "application/json", b);
	evbuffer_free(b);
}

/* Send bytes (copied) of a given type. */
void
reply_text(struct req *r, int status, const char *ctype, const char *data,
    size_t len)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, data, len);
	reply_send(r, status, ctype, b);
	evbuffer_free(b);
}

static void
reply_problem_json(struct req *r, int status, const char *title,
    const char *detail)
{
	struct evbuffer *b = evbuffer_new();
	json_t *p;
	char *s;

	p = json_pack("{s:i, s:s, s:s}", "status", status, "title", title,
	    "detail", detail);
	if (p == NULL)
		p = json_pack("{s:i, s:s, s:s}", "status", status, "title",
		    title, "detail", "(ongeldige tekst)");
	if (r->invalid != NULL && status == 400)
		json_object_set(p, "invalidParams", r->invalid);
	s = json_dumps(p, JSON_COMPACT);
	evbuffer_add(b, s, strlen(s));
	free(s);
	json_decref(p);
	reply_send(r, status, "application/problem+json", b);
	evbuffer_free(b);
}

/*
 * The q-value Accept gives media type (e.g. "text/html"): the most
 * specific range that matches it decides (the type itself, then its major
 * type with any subtype, then any type); 0 when none matches or there is
 * no Accept (RFC 9110, 12.5.1). Parameters other than q are ignored.
 */
static double
reply_accept_q(const char *accept, const char *type)
{
	size_t tlen = strlen(type), major = strcspn(type, "/");
	double best = -1;
	int best_rank = -1;

	while (accept != NULL && *accept != '\0') {
		const char *end = accept + strcspn(accept, ",");
		const char *semi = memchr(accept, ';', (size_t)(end - accept));
		const char *rend = semi != NULL ? semi : end, *qp;
		double q = 1;
		int rank = -1;
		size_t rlen;

		while (*accept == ' ' || *accept == '\t')
			accept++;
		while (rend > accept && (rend[-1] == ' ' || rend[-1] == '\t'))
			rend--;
		rlen = (size_t)(rend - accept);
		if (rlen == tlen && strncasecmp(accept, type, tlen) == 0)
			rank = 2;
		else if (rlen == major + 2 && strncasecmp(accept, type,
		    major + 1) == 0 && accept[major + 1] == '*')
			rank = 1;
		else if (rlen == 3 && strncmp(accept, "*/*", 3) == 0)
			rank = 0;
		for (qp = semi; qp != NULL && qp < end; qp = memchr(qp + 1, ';',
		    (size_t)(end - qp - 1))) {
			const char *v = qp + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			if ((v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
				q = strtod(v + 2, NULL);
		}
		if (rank > best_rank) {
			best_rank = rank;
			best = q;
		}
		accept = *end == ',' ? end + 1 : end;
	}
	return best_rank >= 0 ? best : 0;
}

/*
 * Is path one of the machine interfaces, which answer problem+json to
 * everyone (the API, federation, the well-known document)?
 */
static bool
reply_path_api(const char *path)
{
	return path != NULL && (strncmp(path, "/api/", 5) == 0 ||
	    strncmp(path, "/federation/", 12) == 0 ||
	    strncmp(path, "/.well-known/", 13) == 0);
}

/*
 * Does this error go to a person with a browser? Never on the machine
 * interfaces; always on web routes; elsewhere (an unknown URL, a method a
 * path does not have, a feed, a plugin's page) when Accept prefers HTML
 * over JSON, as a browser's does (text/html at q=1, anything else lower).
 */
static bool
reply_wants_html(struct req *r)
{
	const char *accept = req_header(r, "Accept");
	double html;

	if (reply_path_api(r->path))
		return false;
	if (r->route != NULL && (r->route->flags & ROUTE_WEB))
		return true;
	html = reply_accept_q(accept, "text/html");
	return html > 0 && html > reply_accept_q(accept, "application/json") &&
	    html > reply_accept_q(accept, "application/problem+json");
}

static reply_page_fn reply_problem_page;

/*
 * How an error is shown to a browser: the web layer's page (fn), installed
 * at start (web_page_init). Without one, browsers get problem+json too.
 */
void
reply_set_problem_page(reply_page_fn fn)
{
	reply_problem_page = fn;
}

/*
 * The one error reply: problem+json with status, title and detail, or the
 * same as an HTML page for a browser on the web pages.
 */
void
reply_problem(struct req *r, int status, const char *title,
    const char *fmt, ...)
{
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	if (status >= 500)
		log_emit(LOG_ERROR, "reply.error", "%d on %s: %s", status,
		    r->route != NULL ? r->route->name : "-", detail);
	if (reply_problem_page != NULL && reply_wants_html(r))
		reply_problem_page(r, status, title, detail);
	else
		reply_problem_json(r, status, title, detail);
	free(detail);
}

/*
 * The database failed the request: the status says what kind of failure,
 * so that a client knows whether to try again (docs/testing.md, "What a
 * failed write answers"). 503 with Retry-After when it was busy (another
 * writer held the lock past the busy timeout), 507 when the disk is full,
 * 500 for an I/O error and anything else. detail (Dutch) says what could
 * not be done; a sentence on the kind is added.
 */
void
reply_db_failed(struct req *r, const char *fmt, ...)
{
	int code = r->db != NULL ? db_failure(r->db) & 0xff : 0;
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	switch (code) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		reply_header(r, "Retry-After", "1");
		reply_problem(r, 503, "Tijdelijk niet beschikbaar", "%s De "
		    "database is bezet; probeer het zo opnieuw.", detail);
		break;
	case SQLITE_FULL:
		reply_problem(r, 507, "Opslag vol", "%s De opslag van de "
		    "server is vol; probeer het later opnieuw.", detail);
		break;
	case SQLITE_IOERR:
		reply_problem(r, 500, "Interne fout", "%s De opslag van de "
		    "server gaf een fout.", detail);
		break;
	default:
		reply_problem(r, 500, "Interne fout", "%s", detail);
	}
	free(detail);
}

/* 400 with every invalid field noted by req_invalid(). */
void
reply_invalid(struct req *r)
{
	size_t n = r->invalid != NULL ? json_array_size(r->invalid) : 0;

	reply_problem(r, 400, "Ongeldige invoer", n == 1 ? "1 veld is "
	    "ongeldig; zie invalidParams." : "%zu velden zijn ongeldig; zie "
	    "invalidParams.", n);
}

void
reply_unauthorized(struct req *r, const char *detail)
{
	reply_header(r, "WWW-Authenticate", req_header(r,
	    "Authorization") != NULL ? "Bearer realm=\"meent\", "
	    "error=\"invalid_token\"" : "Bearer realm=\"meent\"");
	reply_problem(r, 401, "Niet ingelogd", "%s", detail);
}

/* 405 (or, for OPTIONS, 204) with the Allow header. */
void
reply_not_allowed(struct req *r, unsigned allow)
{
	static const int order[] = { EVHTTP_REQ_GET, EVHTTP_REQ_HEAD,
	    EVHTTP_REQ_POST, EVHTTP_REQ_PUT, EVHTTP_REQ_PATCH,
	    EVHTTP_REQ_DELETE, EVHTTP_REQ_OPTIONS };
	char list[96] = "";

	for (size_t i = 0; i < nitems(order); i++) {
		if (!(allow & (unsigned)order[i]))
			continue;
		if (list[0] != '\0')
			strcat(list, ", ");
		strcat(list, http_method_name(order[i]));
	}
	reply_header(r, "Allow", list);
	if (r->method == EVHTTP_REQ_OPTIONS) {
		struct evbuffer *b = evbuffer_new();

		reply_send(r, 204, NULL, b);
		evbuffer_free(b);
		return;
	}
	reply_problem(r, 405, "Methode niet toegestaan", "Hier kan: %s.",
	    list);
}

/* 303 See Other to a local path. */
void
reply_redirect(struct req *r, const char *location)
{
	struct evbuffer *b = evbuffer_new();

	reply_header(r, "Location", location);
	reply_send(r, 303, NULL, b);
	evbuffer_free(b);
}
