/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Connections: meent's own small HTTP/1.1 server side, on libevent's
 * socket bufferevents. One struct conn per accepted socket, owned by the
 * worker that accepted it and only ever touched on that worker's loop.
 *
 * Why not evhttp: libevent 2.1's evhttp reads a whole request before the
 * application sees it, parses leniently, answers its own errors with HTML,
 * and a filter under it (the earlier design) left freed memory in the timer
 * heap whenever it closed a connection. Here every request on a connection
 * passes the strict parser (http_parse.c), and the router decides whether
 * its body may be read at all (route, cap, credentials, role) before a byte
 * of it is read.
 *
 * A connection goes IDLE (waiting; keepalive_timeout) -> HEAD (bytes came;
 * header_timeout from the first) -> BODY (the router admitted it;
 * request_timeout) -> HANDLING (a handler owns the request; nothing is
 * read) -> back to IDLE once the answer is written, or CLOSING (the last
 * answer is being written), then LINGER (our side shut; what the client
 * still sends is read and dropped for a moment, so that closing does not
 * reset the answer away).
 *
 * Lifetime: a connection whose socket went (error, end, deadline) is
 * "dead": its bufferevent is freed at once, the struct when nothing refers
 * to it any more: from the loop (the resume event), never inside a deeper
 * call, and only after the handler of a request in progress has replied.
 * A request's struct req is the router's; this file frees one only when it
 * was still being read.
 *
 * Output: an answer is queued whole; the next pipelined request is read
 * only when the output has drained below CONN_OUTPUT_HIGH, so a client that
 * does not read holds at most one answer, and is dropped when nothing could
 * be written for request_timeout seconds.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

#define CONN_OUTPUT_HIGH	(256 * 1024)	/* read on below this */
#define CONN_INPUT_HIGH		(256 * 1024)	/* stop reading above this */
#define CONN_LINGER_SECONDS	2
#define CONN_LINGER_BYTES	(1024 * 1024)
#define CONN_CHUNK_LINE_MAX	1024

enum conn_state { CONN_IDLE, CONN_HEAD, CONN_BODY, CONN_HANDLING,
    CONN_CLOSING, CONN_LINGER };

enum conn_body { BODY_LENGTH, BODY_CHUNK_SIZE, BODY_CHUNK_DATA,
    BODY_CHUNK_END, BODY_TRAILER };

struct conn {
	struct http_ctx		*ctx;		/* its worker's */
	struct bufferevent	*bev;		/* NULL once dead */
	struct event		*deadline;
	struct event		*resume;	/* go on from the loop */
	enum conn_state		 state;
	struct req		*req;		/* being read or handled */
	/* The body being read. */
	enum conn_body		 body_mode;
	size_t			 body_cap;
	uint64_t		 body_left;	/* of the length, or the chunk */
	size_t			 trailer_bytes;
	bool			 body_pending;	/* announced, not all read */
	bool			 keep_alive;	/* the request allows it */
	bool			 eof;		/* the client's side ended */
	bool			 dead;
	bool			 inflight;	/* counted in the worker */
	size_t			 lingered;
	char			 peer[INET6_ADDRSTRLEN];
	struct conn		*prev, *next;	/* the worker's list */
};

static _Atomic int conn_count;
static _Atomic unsigned long conn_refusals[CONN_REFUSE_MAX];

static void conn_process(struct conn *);
static void conn_spool_sink(void *, const void *, size_t);

const char *
conn_refusal_name(enum conn_refusal why)
{
	static const char *const names[] = {
		[CONN_REFUSE_HEADERS] = "conn.headers",
		[CONN_REFUSE_BODY] = "conn.body",
		[CONN_REFUSE_CONNECTIONS] = "conn.connections",
		[CONN_REFUSE_DEADLINE] = "conn.deadline",
		[CONN_REFUSE_REQUEST] = "conn.request",
		[CONN_REFUSE_SLOW_READER] = "conn.slow_reader",
	};

	return names[why];
}

/* Open connections and the guard's refusals, for /metrics (ops.c). */
void
conn_metrics(struct evbuffer *b)
{
	evbuffer_add_printf(b, "# HELP meent_http_connections Open client "
	    "connections.\n# TYPE meent_http_connections gauge\n"
	    "meent_http_connections %d\n", atomic_load(&conn_count));
	evbuffer_add_printf(b, "# HELP meent_http_refused_total Requests "
	    "refused by the connection guard, by reason.\n"
	    "# TYPE meent_http_refused_total counter\n");
	for (int i = 0; i < CONN_REFUSE_MAX; i++)
		evbuffer_add_printf(b, "meent_http_refused_total{reason=\"%s\"} "
		    "%lu\n", conn_refusal_name((enum conn_refusal)i),
		    atomic_load(&conn_refusals[i]));
}

struct conn *
conn_next(struct conn *c)
{
	return c->next;
}

static void
conn_arm(struct conn *c, int seconds)
{
	struct timeval tv = { seconds, 0 };

	evtimer_add(c->deadline, &tv);
}

/*
 * A request is in flight from its head until its answer is written (or the
 * connection died): draining waits for these.
 */
static void
conn_inflight_begin(struct conn *c)
{
	if (!c->inflight) {
		c->inflight = true;
		c->ctx->inflight++;
	}
}

static void
conn_inflight_end(struct conn *c)
{
	if (c->inflight) {
		c->inflight = false;
		/* Draining: the loop ends with the last answer written. */
		if (--c->ctx->inflight <= 0 && c->ctx->draining)
			event_base_loopexit(c->ctx->base, NULL);
	}
}

/* Free what is left of c. Only from the loop (conn_resume_cb, or at exit). */
static void
conn_free(struct conn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	conn_inflight_end(c);
	if (c->req != NULL)
		router_req_free(c->req);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->ctx->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	event_free(c->deadline);
	event_free(c->resume);
	atomic_fetch_sub(&conn_count, 1);
	free(c);
}

/*
 * The socket is done with: close it now; free the rest from the loop once
 * no handler holds the request.
 */
static void
conn_die(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	bufferevent_free(c->bev);
	c->bev = NULL;
	evtimer_del(c->deadline);
	if (c->state != CONN_HANDLING || c->req == NULL) {
		conn_inflight_end(c);
		event_active(c->resume, EV_TIMEOUT, 0);
	}
}

static void
conn_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->dead) {
		if (c->state != CONN_HANDLING || c->req == NULL)
			conn_free(c);
		return;
	}
	conn_process(c);
}

/* Write "Date: ..." for now into buf (30 bytes), cached per second. */
static void
conn_date(char out[40])
{
	static _Thread_local time_t last;
	static _Thread_local char cached[40];
	time_t now = time(NULL);
	struct tm tm;

	if (now != last) {
		gmtime_r(&now, &tm);
		strftime(cached, sizeof cached, "%a, %d %b %Y %H:%M:%S GMT",
		    &tm);
		last = now;
	}
	memcpy(out, cached, sizeof cached);
}

/* After the last answer: write it out, then linger and close. */
static void
conn_start_closing(struct conn *c)
{
	c->state = CONN_CLOSING;
	evtimer_del(c->deadline);
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		event_active(c->resume, EV_TIMEOUT, 0);
}

/*
 * An answer from this file itself (the request could not be parsed, or a
 * deadline passed): problem+json, and the connection closes. It stays
 * problem+json even for a browser: there is no request yet (no route, no
 * trustworthy Accept, no session to show in a page's header), these are
 * 400/408/413/414/431/503 that a person's browser does not provoke, and
 * the web layer's page cannot be reached from here without a request.
 * Everything after the head is in goes through reply_problem(), which
 * answers browsers with a Dutch page.
 */
static void
conn_fail(struct conn *c, enum conn_refusal why, int status,
    const char *detail)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char date[40];
	json_t *j;
	char *body;

	atomic_fetch_add(&conn_refusals[why], 1);
	j = json_pack("{s:i, s:s, s:s}", "status", status, "title",
	    http_reason(status), "detail", detail);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	conn_date(date);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/problem+json\r\n"
	    "Content-Length: %zu\r\n"
	    "API-Version: " MEENT_API_VERSION "\r\n"
	    "Date: %s\r\n"
	    "%s"
	    "Connection: close\r\n\r\n%s", status, http_reason(status),
	    strlen(body), date, status == 503 ? "Retry-After: 5\r\n" : "",
	    body);
	free(body);
	metrics_count_status(-1, status);
	if (atomic_load(c->ctx->access_log))
		log_access("-", conn_refusal_name(why), status, 0.0,
		    (size_t)0, !c->ctx->cfg->access_log_client ? NULL :
		    c->req != NULL ? c->req->client : c->peer);
	if (c->req != NULL) {
		router_req_free(c->req);
		c->req = NULL;
	}
	conn_start_closing(c);
}

/*
 * The handler of c's request answers (reply.c). status, the fields and the
 * body (drained) go out as one HTTP/1.1 response; without the body for HEAD
 * and for 204/304. From here on c no longer refers to r.
 */
static void
conn_respond(struct conn *c, struct req *r, int status,
    struct evkeyvalq *fields, struct evbuffer *body)
{
	struct evbuffer *out, *direct, *to;
	struct evkeyval *kv;
	bool close, no_body = status == 204 || status == 304;
	char date[40];

	if (c->req == r)
		c->req = NULL;
	if (c->dead) {
		evbuffer_drain(body, evbuffer_get_length(body));
		conn_inflight_end(c);
		event_active(c->resume, EV_TIMEOUT, 0);
		return;
	}
	close = !c->keep_alive || c->eof || c->body_pending ||
	    c->ctx->draining;
	out = bufferevent_get_output(c->bev);
	/*
	 * With nothing queued before it, the answer is made apart and tried
	 * on the socket at once: one that fits needs no write event (two
	 * epoll_ctl calls fewer per request); what does not fit goes through
	 * the bufferevent as any answer does, and its write callback ends
	 * the request as before. A write error leaves it all queued, for the
	 * bufferevent to meet and report.
	 */
	direct = evbuffer_get_length(out) == 0 ? evbuffer_new() : NULL;
	to = direct != NULL ? direct : out;
	conn_date(date);
	evbuffer_add_printf(to, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status,
	    http_reason(status), date);
	TAILQ_FOREACH(kv, fields, next)
		evbuffer_add_printf(to, "%s: %s\r\n", kv->key, kv->value);
	if (!no_body)
		evbuffer_add_printf(to, "Content-Length: %zu\r\n",
		    evbuffer_get_length(body));
	if (close)
		evbuffer_add(to, "Connection: close\r\n", 19);
	else if (r->minor == 0)
		evbuffer_add(to, "Connection: keep-alive\r\n", 24);
	evbuffer_add(to, "\r\n", 2);
	if (no_body || r->method == EVHTTP_REQ_HEAD)
		evbuffer_drain(body, evbuffer_get_length(body));
	else
		evbuffer_add_buffer(to, body);
	if (direct != NULL) {
		while (evbuffer_get_length(direct) > 0 &&
		    evbuffer_write(direct, bufferevent_getfd(c->bev)) > 0)
			;
		evbuffer_add_buffer(out, direct);
		evbuffer_free(direct);
	}
	/* All of it written here: no write callback will end the request. */
	if (evbuffer_get_length(out) == 0)
		conn_inflight_end(c);
	if (close) {
		conn_start_closing(c);
		return;
	}
	c->state = CONN_IDLE;
	bufferevent_enable(c->bev, EV_READ);
	/* The next request, if one is waiting, from the loop. */
	if (evbuffer_get_length(out) < CONN_OUTPUT_HIGH)
		event_active(c->resume, EV_TIMEOUT, 0);
}

/* Let a handler run: no deadline, nothing read, until it answers. */
static void
conn_handle(struct conn *c)
{
	struct req *r = c->req;

	c->state = CONN_HANDLING;
	c->body_pending = false;
	evtimer_del(c->deadline);
	router_run(r);
	/*
	 * A job answers later: read nothing more until it has. (A handler
	 * that answered at once leaves reading on, as conn_respond() set it:
	 * nothing else runs on this thread in between, and turning it off and
	 * on again would cost two system calls per request.)
	 */
	if (c->state == CONN_HANDLING && !c->dead)
		bufferevent_disable(c->bev, EV_READ);
}

/*
 * Read a head from the input. Returns 1 when the connection moved on (to
 * BODY or HANDLING, or an answer was queued), 0 when more bytes are needed.
 */
static int
conn_read_head(struct conn *c)
{
	const struct config *cfg = c->ctx->cfg;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len = evbuffer_get_length(in), max = cfg->max_header_bytes;
	struct evkeyvalq *fields;
	struct http_head h;
	struct req *r;
	const char *why;
	int rc;

	if (len == 0)
		return 0;
	if (c->state == CONN_IDLE) {
		c->state = CONN_HEAD;
		conn_arm(c, cfg->header_timeout);
	}
	fields = xcalloc(1, sizeof *fields);
	TAILQ_INIT(fields);
	rc = http_parse_head((const char *)evbuffer_pullup(in, (ev_ssize_t)
	    (len < max ? len : max)), len < max ? len : max, max, &h, fields,
	    &why);
	if (rc == HTTP_PARSE_MORE) {
		evhttp_clear_headers(fields);
		free(fields);
		return 0;
	}
	if (rc != 0) {
		evhttp_clear_headers(fields);
		free(fields);
		conn_fail(c, rc == 431 ? CONN_REFUSE_HEADERS :
		    CONN_REFUSE_REQUEST, rc, why);
		return 1;
	}
	evbuffer_drain(in, h.length);
	c->keep_alive = !h.close;
	c->body_pending = h.chunked || h.content_length > 0;
	r = router_req_new(c->ctx, c, c->peer, &h, fields);
	r->respond = conn_respond;
	c->req = r;
	conn_inflight_begin(c);
	/* The route, the cap, the caller: decided before the body is read. */
	if (router_admit(r, h.chunked ? -1 : h.content_length > 0 ?
	    h.content_length : 0, &c->body_cap) == -1) {
		router_req_free(r);	/* answered */
		return 1;
	}
	if (!c->body_pending) {
		conn_handle(c);
		return 1;
	}
	if (h.expect_continue)
		evbuffer_add(bufferevent_get_output(c->bev),
		    "HTTP/1.1 100 Continue\r\n\r\n", 25);
	if (r->route != NULL && (r->route->flags & ROUTE_SPOOL)) {
		r->spool = xcalloc(1, sizeof *r->spool);
		if (attachment_upload_begin(cfg->data_dir, r->spool) == -1) {
			log_emit(LOG_ERROR, "conn.spool", "cannot spool a body: "
			    "%s", strerror(errno));
			c->body_pending = true;	/* not read: close after */
			reply_problem(r, 507, "Geen ruimte", "Het bestand kon "
			    "niet tijdelijk bewaard worden.");
			router_req_free(r);
			return 1;
		}
		if (r->route->flags & ROUTE_FORM)
			r->form = multipart_stream_new(req_header(r,
			    "Content-Type"), conn_spool_sink, r->spool);
	}
	c->state = CONN_BODY;
	c->body_mode = h.chunked ? BODY_CHUNK_SIZE : BODY_LENGTH;
	c->body_left = h.chunked ? 0 : (uint64_t)h.content_length;
	c->trailer_bytes = 0;
	conn_arm(c, cfg->request_timeout);
	return 1;
}

/* A body that broke the rules: answered through the router's request. */
static void
conn_body_refuse(struct conn *c, int status, const char *detail)
{
	struct req *r = c->req;

	atomic_fetch_add(&conn_refusals[status == 413 ? CONN_REFUSE_BODY :
	    status == 408 ? CONN_REFUSE_DEADLINE : CONN_REFUSE_REQUEST], 1);
	reply_problem(r, status, status == 413 ? "Inhoud te groot" :
	    status == 408 ? "Te langzaam" : "Ongeldig verzoek", "%s", detail);
	router_req_free(r);
}

/* 413: the body is over the route's cap. */
static void
conn_body_too_large(struct conn *c)
{
	char detail[160];

	snprintf(detail, sizeof detail, "De inhoud van het verzoek mag hier "
	    "hoogstens %zu bytes zijn.", c->body_cap);
	conn_body_refuse(c, 413, detail);
}

/* Bytes for the spool file; after a failed write, the rest is dropped. */
static void
conn_spool_sink(void *arg, const void *p, size_t n)
{
	struct attachment_upload *u = arg;

	if (u->fd != -1 && attachment_upload_write(u, p, n) == -1)
		attachment_upload_abort(u);
}

/*
 * ROUTE_SPOOL: what came of the body goes on to its file, so a large
 * upload holds one read's worth of memory, not its size. A failed write
 * ends the spool (fd -1; the handler answers 507); later bytes are dropped.
 */
static void
conn_spool(struct req *r)
{
	struct evbuffer *b = req_body(r);
	struct evbuffer_iovec v;

	while (evbuffer_get_length(b) > 0) {
		if (evbuffer_peek(b, -1, NULL, &v, 1) < 1)
			break;
		if (r->form != NULL)
			multipart_stream_feed(r->form, v.iov_base, v.iov_len);
		else
			conn_spool_sink(r->spool, v.iov_base, v.iov_len);
		evbuffer_drain(b, v.iov_len);
	}
}

/*
 * Move what the input has of the body_left bytes still to come into the
 * request. The cap was checked against the announced length (router_admit,
 * or the chunk's size line).
 */
static void
conn_take(struct conn *c, struct evbuffer *in)
{
	size_t have = evbuffer_get_length(in);
	size_t take = c->body_left < have ? (size_t)c->body_left : have;

	evbuffer_remove_buffer(in, req_body(c->req), take);
	c->body_left -= take;
	if (c->req->spool != NULL)
		conn_spool(c->req);
}

/* Bytes of the body read so far (spooled ones too). */
static size_t
conn_body_length(struct conn *c)
{
	return evbuffer_get_length(req_body(c->req)) + (c->req->spool !=
	    NULL ? (size_t)c->req->spool->size : 0);
}

/* One CRLF-ended line of a chunked body, or NULL (more bytes needed). */
static char *
conn_chunk_line(struct evbuffer *in, size_t *len, bool *too_long)
{
	struct evbuffer_ptr eol = evbuffer_search(in, "\r\n", 2, NULL);
	char *line;

	*too_long = false;
	if (eol.pos < 0) {
		*too_long = evbuffer_get_length(in) > CONN_CHUNK_LINE_MAX;
		return NULL;
	}
	if ((size_t)eol.pos > CONN_CHUNK_LINE_MAX) {
		*too_long = true;
		return NULL;
	}
	line = xmalloc((size_t)eol.pos + 1);
	evbuffer_remove(in, line, (size_t)eol.pos);
	evbuffer_drain(in, 2);
	line[eol.pos] = '\0';
	*len = (size_t)eol.pos;
	return line;
}

/*
 * Read a chunked body: size lines, data, CRLF after each chunk, the last
 * chunk "0", trailer fields (checked, then dropped), the empty line.
 * Returns 1 when done, 0 for more bytes, -1 after a refusal.
 */
static int
conn_read_chunked(struct conn *c, struct evbuffer *in)
{
	const struct config *cfg = c->ctx->cfg;

	for (;;) {
		char *line, two[2];
		size_t len, nl, vl;
		bool too_long;
		const char *v, *why;
		uint64_t size;

		switch (c->body_mode) {
		case BODY_CHUNK_DATA:
			conn_take(c, in);
			if (c->body_left > 0)
				return 0;
			c->body_mode = BODY_CHUNK_END;
			break;
		case BODY_CHUNK_END:
			if (evbuffer_get_length(in) < 2)
				return 0;
			evbuffer_remove(in, two, 2);
			if (memcmp(two, "\r\n", 2) != 0) {
				conn_body_refuse(c, 400, "Na een stuk van de "
				    "inhoud (chunk) hoort CRLF.");
				return -1;
			}
			c->body_mode = BODY_CHUNK_SIZE;
			break;
		case BODY_CHUNK_SIZE:
			line = conn_chunk_line(in, &len, &too_long);
			if (line == NULL && !too_long)
				return 0;
			if (line == NULL || http_parse_chunk_size(line, len,
			    &size) == -1) {
				free(line);
				conn_body_refuse(c, 400, "De grootte van een "
				    "stuk van de inhoud (chunk) is geen geldig "
				    "hexadecimaal getal.");
				return -1;
			}
			free(line);
			if (size == 0) {
				c->body_mode = BODY_TRAILER;
				break;
			}
			if (size > c->body_cap - conn_body_length(c)) {
				conn_body_too_large(c);
				return -1;
			}
			c->body_left = size;
			c->body_mode = BODY_CHUNK_DATA;
			break;
		case BODY_TRAILER:
			line = conn_chunk_line(in, &len, &too_long);
			if (line == NULL && !too_long)
				return 0;
			if (line != NULL && len == 0) {
				free(line);
				return 1;
			}
			c->trailer_bytes += len + 2;
			if (line == NULL || c->trailer_bytes >
			    cfg->max_header_bytes || http_parse_field(line, len,
			    &nl, &v, &vl, &why) != 0) {
				free(line);
				conn_body_refuse(c, 400, "De afsluitende "
				    "headers (trailer) van de inhoud zijn niet "
				    "geldig of te groot.");
				return -1;
			}
			free(line);
			break;
		case BODY_LENGTH:
			return -1;
		}
	}
}

/* Read body bytes. Returns 1 when the request moved on, 0 for more. */
static int
conn_read_body(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	int rc;

	if (c->body_mode == BODY_LENGTH) {
		conn_take(c, in);
		rc = c->body_left == 0 ? 1 : 0;
	} else
		rc = conn_read_chunked(c, in);
	if (rc == -1)
		return 1;
	if (rc == 0)
		return 0;
	conn_handle(c);
	return 1;
}

/* Discard what a closing client still sends; close at its end. */
static void
conn_linger(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	c->lingered += evbuffer_get_length(in);
	evbuffer_drain(in, evbuffer_get_length(in));
	if (c->eof || c->lingered > CONN_LINGER_BYTES)
		conn_die(c);
}

/* Read on as far as the bytes in hand allow. */
static void
conn_process(struct conn *c)
{
	for (;;) {
		int moved;

		if (c->dead)
			return;
		switch (c->state) {
		case CONN_IDLE:
		case CONN_HEAD:
			if (evbuffer_get_length(bufferevent_get_output(c->bev))
			    >= CONN_OUTPUT_HIGH)
				return;		/* conn_write_cb resumes */
			moved = conn_read_head(c);
			break;
		case CONN_BODY:
			moved = conn_read_body(c);
			break;
		case CONN_CLOSING:
			if (evbuffer_get_length(bufferevent_get_output(c->bev))
			    > 0)
				return;
			/* All written: shut our side, read what is left. */
			shutdown(bufferevent_getfd(c->bev), SHUT_WR);
			c->state = CONN_LINGER;
			conn_arm(c, CONN_LINGER_SECONDS);
			bufferevent_enable(c->bev, EV_READ);
			moved = 1;
			break;
		case CONN_LINGER:
			conn_linger(c);
			return;
		default:
			return;
		}
		if (moved)
			continue;
		/*
		 * Waiting for bytes: none will come after the end. Between
		 * requests, the last answer still goes out first.
		 */
		if (c->eof && c->state == CONN_IDLE)
			conn_start_closing(c);
		else if (c->eof)
			conn_die(c);
		else if (c->state == CONN_IDLE)
			conn_arm(c, c->ctx->cfg->keepalive_timeout);
		return;
	}
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* The output drained: the answer is out. */
static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (c->state == CONN_IDLE || c->state == CONN_CLOSING)
		conn_inflight_end(c);
	conn_process(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		c->eof = true;
		/* A half-closed client may still wait for its answer. */
		if (c->state != CONN_HANDLING && c->state != CONN_CLOSING)
			conn_process(c);
		return;
	}
	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_WRITING))
		atomic_fetch_add(&conn_refusals[CONN_REFUSE_SLOW_READER], 1);
	conn_die(c);
}

static void
conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	switch (c->state) {
	case CONN_HEAD:
		conn_fail(c, CONN_REFUSE_DEADLINE, 408, "De headers van het "
		    "verzoek kwamen niet op tijd binnen.");
		break;
	case CONN_BODY:
		conn_body_refuse(c, 408, "De inhoud van het verzoek kwam niet "
		    "op tijd binnen.");
		break;
	default:
		conn_die(c);
		break;
	}
}

/*
 * A socket was accepted on the loop of ctx's worker (server.c). Takes fd. Past
 * max_connections it is answered 503 and closed.
 */
void
conn_accept(struct http_ctx *ctx, evutil_socket_t fd,
    const struct sockaddr *sa)
{
	const struct config *cfg = ctx->cfg;
	struct event_base *base = ctx->base;
	struct conn *c = xcalloc(1, sizeof *c);
	struct timeval wtv = { cfg->request_timeout, 0 };
	int one = 1;

	c->ctx = ctx;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		/* An IPv4 client on a dual-stack socket is an IPv4 client. */
		if (IN6_IS_ADDR_V4MAPPED(a6))
			inet_ntop(AF_INET, &a6->s6_addr[12], c->peer,
			    sizeof c->peer);
		else
			inet_ntop(AF_INET6, a6, c->peer, sizeof c->peer);
	} else if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    c->peer, sizeof c->peer);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatal("bufferevent_socket_new");
	c->deadline = evtimer_new(base, conn_deadline_cb, c);
	c->resume = event_new(base, -1, 0, conn_resume_cb, c);
	c->next = ctx->conns;
	if (c->next != NULL)
		c->next->prev = c;
	ctx->conns = c;
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CONN_INPUT_HIGH);
	/* A client that reads nothing of an answer for this long goes. */
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->state = CONN_IDLE;
	if (atomic_fetch_add(&conn_count, 1) >= cfg->max_connections) {
		conn_fail(c, CONN_REFUSE_CONNECTIONS, 503, "De server heeft te "
		    "veel open verbindingen; probeer het zo opnieuw.");
		return;
	}
	conn_arm(c, cfg->keepalive_timeout);
}

/*
 * Draining: close c if it is between requests, once the answer it may
 * still be writing is out (a request already arriving is answered, with
 * Connection: close).
 */
void
conn_close_if_idle(struct conn *c)
{
	if (!c->dead && c->state == CONN_IDLE &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0)
		conn_start_closing(c);
}

/* The worker's loop has ended: free every connection it still has. */
void
conn_free_all(struct http_ctx *ctx)
{
	while (ctx->conns != NULL) {
		struct conn *c = ctx->conns;

		if (c->state == CONN_HANDLING && c->req != NULL) {
			/* Its handler never answered; nobody will now. */
			c->req = NULL;
		}
		conn_free(c);
	}
}
