/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The connection guard: a bufferevent filter under every evhttp connection.
 *
 * Why: libevent 2.1's evhttp reads a whole request before the application
 * sees it, answers its own limits with fixed HTML pages, and only has
 * inactivity timeouts. A server facing the internet needs more: an absolute
 * deadline for a request's headers and for the whole request (slowloris),
 * a cap on open connections, and limits on headers (431) and on the body
 * (413, decided from Content-Length before any of the body is read), all
 * answered as problem+json. evhttp_set_bevcb() lets us put a filter between
 * the socket and evhttp; the filter sees every byte first.
 *
 * The filter holds a request's header bytes back from evhttp until the
 * blank line that ends them has arrived. Then it checks the size, reads the
 * request line and Content-Length, asks the router for that route's body
 * cap, and only then passes the bytes on. A refusal is written straight to
 * the socket, the write side is shut, and further input is discarded; the
 * deadline timer closes the connection if the client does not.
 *
 * States: IDLE (keep-alive, waiting for a request; keepalive_timeout),
 * HEADERS (bytes of a request arrived; header_timeout from the first),
 * BODY (headers passed on; request_timeout from the first byte), HANDLING
 * (evhttp handed the request to us; no deadline: our handler owns it).
 * Bytes after the first request's headers (a body, pipelined requests) pass
 * through unexamined; evhttp's own limits remain as a backstop for those.
 */
#include "meent.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

enum conn_state { CONN_IDLE, CONN_HEADERS, CONN_BODY, CONN_HANDLING };

struct conn {
	struct worker		*w;
	struct event_base	*base;
	struct bufferevent	*bev;		/* the filter evhttp reads */
	struct event		*deadline;
	struct event		*writable;	/* output waits for the socket */
	enum conn_state		 state;
	int			 fd;
	bool			 refused;	/* answered here; discard input */
	bool			 over_cap;
	bool			 inflight;	/* counted in worker inflight */
	struct conn		*prev, *next;	/* the worker's list */
};

static _Atomic int conn_count;
static _Atomic unsigned long conn_refusals[CONN_REFUSE_MAX];
static struct conn **conn_by_fd;
static size_t conn_by_fd_len;

/* Size the fd table once, before any worker starts. */
void
conn_init(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > 1 << 20)
		rl.rlim_cur = 1 << 20;
	conn_by_fd_len = (size_t)rl.rlim_cur;
	conn_by_fd = xcalloc(conn_by_fd_len, sizeof *conn_by_fd);
}

int
conn_open_count(void)
{
	return atomic_load(&conn_count);
}

unsigned long
conn_refused(enum conn_refusal why)
{
	return atomic_load(&conn_refusals[why]);
}

static void conn_want_write(struct conn *);

static void
conn_arm(struct conn *c, int seconds)
{
	struct timeval tv = { seconds, 0 };

	evtimer_add(c->deadline, &tv);
}

static void
conn_learn_fd(struct conn *c)
{
	evutil_socket_t fd;

	if (c->fd >= 0)
		return;
	fd = bufferevent_getfd(c->bev);
	if (fd >= 0 && (size_t)fd < conn_by_fd_len) {
		c->fd = fd;
		conn_by_fd[fd] = c;
	}
}

/*
 * Answer with a problem+json written straight to the socket, then stop
 * reading. The response is small and the socket's send buffer is empty in
 * the states where this is called, so one send() suffices; if it does not,
 * the client sees a closed connection, which is the refusal too.
 */
static void
conn_refuse(struct conn *c, enum conn_refusal why, int status,
    const char *title, const char *detail)
{
	char body[512], head[512];
	int blen, hlen;

	atomic_fetch_add(&conn_refusals[why], 1);
	c->refused = true;
	conn_learn_fd(c);
	blen = snprintf(body, sizeof body, "{\"status\":%d,\"title\":\"%s\","
	    "\"detail\":\"%s\"}", status, title, detail);
	hlen = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/problem+json\r\n"
	    "Content-Length: %d\r\n"
	    "API-Version: " MEENT_API_VERSION "\r\n"
	    "Connection: close\r\n%s\r\n", status, http_reason(status), blen,
	    status == 503 ? "Retry-After: 5\r\n" : "");
	if (c->fd >= 0) {
		(void)send(c->fd, head, (size_t)hlen, MSG_NOSIGNAL | MSG_MORE);
		(void)send(c->fd, body, (size_t)blen, MSG_NOSIGNAL);
		shutdown(c->fd, SHUT_WR);
	}
	metrics_count_status(-1, status);
	if (server_access_log(worker_server(c->w)))
		log_access("-", conn_refusal_name(why), status, 0.0,
		    (size_t)blen);
	/* Give the client a moment to read the answer, then close. */
	conn_arm(c, 2);
}

const char *
conn_refusal_name(enum conn_refusal why)
{
	static const char *const names[] = {
		[CONN_REFUSE_HEADERS] = "conn.headers",
		[CONN_REFUSE_BODY] = "conn.body",
		[CONN_REFUSE_CONNECTIONS] = "conn.connections",
		[CONN_REFUSE_DEADLINE] = "conn.deadline",
		[CONN_REFUSE_REQUEST] = "conn.request",
	};

	return names[why];
}

/*
 * Find the method, the target and Content-Length in a complete header block
 * (request line and headers, up to the blank line). evhttp parses the block
 * again, properly; this only finds what the guard needs. Returns CONN_HEAD_OK
 * (content_length -1 when there is none), or why the head is refused.
 */
int
conn_parse_head(const char *h, size_t len, struct conn_head *out)
{
	const char *sp1, *sp2, *line_end, *p;
	size_t mlen, tlen;

	out->method[0] = out->target[0] = '\0';
	out->content_length = -1;
	line_end = memmem(h, len, "\r\n", 2);
	if (line_end == NULL)
		return CONN_HEAD_OK;	/* evhttp answers the malformed line */
	sp1 = memchr(h, ' ', (size_t)(line_end - h));
	if (sp1 == NULL)
		return CONN_HEAD_OK;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
	if (sp2 == NULL)
		return CONN_HEAD_OK;
	mlen = (size_t)(sp1 - h);
	tlen = (size_t)(sp2 - sp1 - 1);
	if (tlen >= sizeof out->target)
		return CONN_HEAD_URI_TOO_LONG;
	if (mlen >= sizeof out->method)
		return CONN_HEAD_BAD_METHOD;
	memcpy(out->method, h, mlen);
	out->method[mlen] = '\0';
	if (!http_method_known(out->method))
		return CONN_HEAD_BAD_METHOD;
	memcpy(out->target, sp1 + 1, tlen);
	out->target[tlen] = '\0';

	for (p = line_end; p + 2 < h + len; ) {
		const char *next = memmem(p + 2, (size_t)(h + len - p - 2),
		    "\r\n", 2);
		size_t n;

		if (next == NULL)
			break;
		n = (size_t)(next - (p + 2));
		if (n > 15 && strncasecmp(p + 2, "content-length:", 15) == 0) {
			char num[32];

			n -= 15;
			if (n < sizeof num) {
				memcpy(num, p + 17, n);
				num[n] = '\0';
				out->content_length = strtoll(num, NULL, 10);
			}
		}
		p = next;
	}
	return CONN_HEAD_OK;
}

/*
 * Check a complete header block against the route's body cap. Returns 0
 * to pass it on, or -1 once refused.
 */
static int
conn_check_head(struct conn *c, const char *h, size_t len)
{
	struct conn_head head;
	size_t cap;

	switch (conn_parse_head(h, len, &head)) {
	case CONN_HEAD_URI_TOO_LONG:
		conn_refuse(c, CONN_REFUSE_REQUEST, 414, "URI te lang",
		    "Het adres van het verzoek is langer dan 1023 tekens.");
		return -1;
	case CONN_HEAD_BAD_METHOD:
		conn_refuse(c, CONN_REFUSE_REQUEST, 501, "Methode onbekend",
		    "Deze server kent de methode van het verzoek niet.");
		return -1;
	}
	if (head.content_length <= 0)
		return 0;
	cap = router_body_cap(head.method, head.target, worker_config(c->w));
	if ((unsigned long long)head.content_length > cap) {
		char detail[160];

		snprintf(detail, sizeof detail, "De inhoud van het verzoek "
		    "mag hier hoogstens %zu bytes zijn.", cap);
		conn_refuse(c, CONN_REFUSE_BODY, 413, "Inhoud te groot",
		    detail);
		return -1;
	}
	return 0;
}

static enum bufferevent_filter_result
conn_input_cb(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *ctx)
{
	struct conn *c = ctx;
	const struct config *cfg = worker_config(c->w);
	size_t len = evbuffer_get_length(src);
	struct evbuffer_ptr end;

	(void)limit;
	(void)mode;
	conn_learn_fd(c);
	if (c->refused) {
		evbuffer_drain(src, len);
		return BEV_OK;
	}
	if (c->over_cap) {
		evbuffer_drain(src, len);
		conn_refuse(c, CONN_REFUSE_CONNECTIONS, 503, "Te druk",
		    "De server heeft te veel open verbindingen; probeer het "
		    "zo opnieuw.");
		return BEV_OK;
	}
	if (c->state == CONN_IDLE && len > 0) {
		c->state = CONN_HEADERS;
		conn_arm(c, cfg->header_timeout);
	}
	if (c->state != CONN_HEADERS) {
		evbuffer_add_buffer(dst, src);
		return BEV_OK;
	}
	/* Leading blank lines before a request are allowed (RFC 9112 2.2). */
	end = evbuffer_search(src, "\r\n\r\n", 4, NULL);
	if (end.pos < 0) {
		if (len > cfg->max_header_bytes) {
			evbuffer_drain(src, len);
			conn_refuse(c, CONN_REFUSE_HEADERS, 431,
			    "Headers te groot", "De regel en headers van het "
			    "verzoek zijn samen te groot.");
			return BEV_OK;
		}
		return BEV_NEED_MORE;
	}
	if ((size_t)end.pos + 4 > cfg->max_header_bytes) {
		evbuffer_drain(src, len);
		conn_refuse(c, CONN_REFUSE_HEADERS, 431, "Headers te groot",
		    "De regel en headers van het verzoek zijn samen te groot.");
		return BEV_OK;
	}
	if (conn_check_head(c, (const char *)evbuffer_pullup(src,
	    end.pos + 4), (size_t)end.pos + 4) == -1) {
		evbuffer_drain(src, evbuffer_get_length(src));
		return BEV_OK;
	}
	c->state = CONN_BODY;
	conn_arm(c, cfg->request_timeout);
	evbuffer_add_buffer(dst, src);
	return BEV_OK;
}

/*
 * Output goes straight to the socket, not through the inner bufferevent:
 * the filter tells evhttp "written" as soon as its own buffer is empty, and
 * evhttp may then close the socket; bytes still waiting in an inner buffer
 * would be lost. Writing here means "empty" is "in the kernel". What the
 * socket does not take stays in src (BEV_NEED_MORE) until it is writable.
 */
static enum bufferevent_filter_result
conn_output_cb(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *ctx)
{
	struct conn *c = ctx;

	(void)limit;
	(void)mode;
	/*
	 * Nothing to write is not "written": BEV_OK here would make libevent
	 * call evhttp's write callback, which then finishes the *next*
	 * request before it was even read, and closes the connection.
	 */
	if (evbuffer_get_length(src) == 0)
		return BEV_NEED_MORE;
	conn_learn_fd(c);
	if (c->fd < 0) {
		evbuffer_add_buffer(dst, src);
		return BEV_OK;
	}
	while (evbuffer_get_length(src) > 0) {
		int n = evbuffer_write(src, c->fd);

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			break;
		/* The peer went away: drop the rest; reading sees the end. */
		evbuffer_drain(src, evbuffer_get_length(src));
		shutdown(c->fd, SHUT_RDWR);
		return BEV_OK;
	}
	if (evbuffer_get_length(src) > 0) {
		conn_want_write(c);
		return BEV_NEED_MORE;
	}
	return BEV_OK;
}

/* The socket can take more, or evhttp queued a response: push it. */
static void
conn_writable_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	/* Another path may have written it meanwhile. */
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		return;
	/* May free c (evhttp closes the connection once all is written). */
	bufferevent_flush(c->bev, EV_WRITE, BEV_FLUSH);
}

static void
conn_want_write(struct conn *c)
{
	conn_learn_fd(c);
	if (c->fd < 0)
		return;
	if (c->writable == NULL)
		c->writable = event_new(c->base, c->fd, EV_WRITE,
		    conn_writable_cb, c);
	if (!event_pending(c->writable, EV_WRITE, NULL))
		event_add(c->writable, NULL);
}

/*
 * evhttp added output. It often does so while the filter's writing is
 * disabled, and enabling it later does not run the filter (libevent 2.1):
 * so the push is scheduled here, for when the socket is writable.
 */
static void
conn_outbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	(void)buf;
	if (info->n_added > 0)
		conn_want_write(arg);
}

/*
 * A deadline passed: shut the socket down. evhttp sees the end of the
 * stream and frees the connection itself, which frees us (conn_free_cb).
 */
static void
conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == CONN_HANDLING && !c->refused)
		return;
	if (c->state == CONN_HEADERS || c->state == CONN_BODY)
		atomic_fetch_add(&conn_refusals[CONN_REFUSE_DEADLINE], 1);
	conn_learn_fd(c);
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

static void
conn_free_cb(void *ctx)
{
	struct conn *c = ctx;

	if (c->fd >= 0 && (size_t)c->fd < conn_by_fd_len &&
	    conn_by_fd[c->fd] == c)
		conn_by_fd[c->fd] = NULL;
	if (c->inflight)
		worker_inflight_done(c->w);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		*worker_conn_list(c->w) = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	event_free(c->deadline);
	if (c->writable != NULL)
		event_free(c->writable);
	atomic_fetch_sub(&conn_count, 1);
	free(c);
}

/*
 * evhttp's bevcb: a new connection was accepted on w. Returns the filter
 * that evhttp will read from and write to.
 */
struct bufferevent *
conn_new_bev(struct event_base *base, void *arg)
{
	struct worker *w = arg;
	struct conn *c = xcalloc(1, sizeof *c);
	struct bufferevent *sock;

	c->w = w;
	c->base = base;
	c->fd = -1;
	c->state = CONN_IDLE;
	if (atomic_fetch_add(&conn_count, 1) >= worker_config(w)->max_connections)
		c->over_cap = true;
	sock = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (sock == NULL)
		fatal("bufferevent_socket_new");
	c->bev = bufferevent_filter_new(sock, conn_input_cb, conn_output_cb,
	    BEV_OPT_CLOSE_ON_FREE, conn_free_cb, c);
	if (c->bev == NULL)
		fatal("bufferevent_filter_new");
	evbuffer_add_cb(bufferevent_get_output(c->bev), conn_outbuf_cb, c);
	c->deadline = evtimer_new(base, conn_deadline_cb, c);
	c->next = *worker_conn_list(w);
	if (c->next != NULL)
		c->next->prev = c;
	*worker_conn_list(w) = c;
	conn_arm(c, worker_config(w)->header_timeout);
	return c->bev;
}

/* The guard of the connection a request came on, or NULL. */
struct conn *
conn_of_request(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	evutil_socket_t fd;

	if (evcon == NULL)
		return NULL;
	fd = bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
	if (fd < 0 || (size_t)fd >= conn_by_fd_len)
		return NULL;
	return conn_by_fd[fd];
}

/* evhttp handed us a request on c: our handler owns the time now. */
void
conn_request_started(struct conn *c)
{
	if (c == NULL)
		return;
	c->state = CONN_HANDLING;
	c->inflight = true;
	worker_inflight_start(c->w);
	evtimer_del(c->deadline);
}

/* The response went out: back to waiting for the next request. */
void
conn_request_done(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->inflight) {
		c->inflight = false;
		worker_inflight_done(c->w);
	}
	if (c->refused)
		return;
	/* Pipelined bytes already went to evhttp: let them pass. */
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		c->state = CONN_BODY;
		conn_arm(c, worker_config(c->w)->request_timeout);
		return;
	}
	c->state = CONN_IDLE;
	conn_arm(c, worker_config(c->w)->keepalive_timeout);
}

/* Draining: close c now if it is between requests. */
void
conn_close_if_idle(struct conn *c)
{
	conn_learn_fd(c);
	if (c->state == CONN_IDLE && c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

struct conn *
conn_next(struct conn *c)
{
	return c->next;
}
