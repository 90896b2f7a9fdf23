/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The outbound thread: every HTTP request meent makes (plugins' fetches;
 * federation pulls) goes through one thread with its own event_base and a
 * libcurl multi handle driven by libevent (curl's hiperfifo pattern).
 * Other threads hand it requests through a queue and event_active().
 *
 * Every transfer is guarded:
 * - https only (http only where the caller allows it, for tests);
 * - no redirects; connect, total and low-speed timeouts; a cap on the
 *   response's size, enforced while it arrives;
 * - the SSRF guard runs in curl's open-socket callback, on the address
 *   curl is about to connect to, after DNS: private, loopback, link-local,
 *   multicast and unspecified addresses are refused unless allowed. The
 *   address checked is the address used, so DNS rebinding cannot slip by.
 *
 * Shutdown: the multi handle is cleaned up before the event base is freed,
 * and a transfer's failure is reported to its caller, never exit()ed on.
 */
#include "meent.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>

#define OUTBOUND_QUEUE_MAX	4096

struct outbound_transfer {
	struct outbound_request	 req;		/* strings below, owned */
	char			*method, *url, *body_copy, *ctype;
	struct strlist		 hdrs;
	struct curl_slist	*headers;
	struct evbuffer		*body;
	size_t			 max;
	bool			 too_large;
	bool			 refused;
	struct event		*delay;
	CURL			*easy;
	struct outbound_transfer *next;		/* the submit queue */
	struct outbound_transfer *lprev, *lnext;	/* live, on the thread */
};

struct outbound_sock {
	struct event	*ev;
};

static struct {
	pthread_t		 thread;
	bool			 running;
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	struct event		*wakeup;
	pthread_mutex_t		 mu;
	struct outbound_transfer *live;		/* running or delayed */
	struct outbound_transfer *queue, *queue_tail;
	size_t			 queued;
	bool			 stopping;
	int			 active;
} ob = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Is this address one meent must not reach unless told it may? */
bool
outbound_address_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);

		return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
		    (a >> 16) == 0xa9fe ||		/* 169.254/16 */
		    (a >> 20) == 0xac1 ||		/* 172.16/12 */
		    (a >> 16) == 0xc0a8 ||		/* 192.168/16 */
		    (a >> 22) == (0x64400000 >> 22) ||	/* 100.64/10 */
		    (a >> 28) == 0xe ||			/* multicast */
		    (a >> 28) == 0xf;			/* reserved */
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;
		const uint8_t *b = a->s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			struct sockaddr_in v4 = { .sin_family = AF_INET };

			memcpy(&v4.sin_addr, b + 12, 4);
			return outbound_address_private((struct sockaddr *)&v4);
		}
		return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
		    IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a) ||
		    (b[0] & 0xfe) == 0xfc;		/* fc00::/7 */
	}
	return true;
}

static bool
outbound_address_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
		    >> 24 == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) &&
		    a->s6_addr[12] == 127);
	}
	return false;
}

static curl_socket_t
outbound_opensocket_cb(void *arg, curlsocktype purpose,
    struct curl_sockaddr *addr)
{
	struct outbound_transfer *t = arg;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (t->req.allow_loopback) {
		/* Loopback is let through; http only to loopback. */
		if (outbound_address_loopback(&addr->addr))
			return socket(addr->family, addr->socktype,
			    addr->protocol);
		if (strncasecmp(t->url, "https://", 8) != 0) {
			t->refused = true;
			return CURL_SOCKET_BAD;
		}
	}
	if (!t->req.allow_private &&
	    outbound_address_private(&addr->addr)) {
		t->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t
outbound_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct outbound_transfer *t = arg;

	if (evbuffer_get_length(t->body) + size * n > t->max) {
		t->too_large = true;
		return 0;	/* curl stops the transfer */
	}
	evbuffer_add(t->body, data, size * n);
	return size * n;
}

static void
outbound_transfer_free(struct outbound_transfer *t)
{
	free(t->method);
	free(t->url);
	free(t->body_copy);
	free(t->ctype);
	strlist_free(&t->hdrs);
	curl_slist_free_all(t->headers);
	if (t->body != NULL)
		evbuffer_free(t->body);
	if (t->delay != NULL)
		event_free(t->delay);
	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	free(t);
}

static void
outbound_live_add(struct outbound_transfer *t)
{
	t->lnext = ob.live;
	if (ob.live != NULL)
		ob.live->lprev = t;
	ob.live = t;
}

/* Tell the caller, then forget the transfer. */
static void
outbound_finish(struct outbound_transfer *t, int result, long status)
{
	size_t len = t->body != NULL ? evbuffer_get_length(t->body) : 0;
	const char *body = len > 0 ? (const char *)evbuffer_pullup(t->body, -1) :
	    "";

	if (t->lprev != NULL)
		t->lprev->lnext = t->lnext;
	else if (ob.live == t)
		ob.live = t->lnext;
	if (t->lnext != NULL)
		t->lnext->lprev = t->lprev;
	if (t->req.done != NULL)
		t->req.done(t->req.arg, result, status, body, len);
	outbound_transfer_free(t);
}

static void
outbound_check_done(void)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(ob.multi, &left)) != NULL) {
		struct outbound_transfer *t;
		long status = 0;
		int result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&t);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &status);
		curl_multi_remove_handle(ob.multi, msg->easy_handle);
		ob.active--;
		if (t->refused)
			result = OUTBOUND_REFUSED;
		else if (t->too_large ||
		    msg->data.result == CURLE_FILESIZE_EXCEEDED)
			result = OUTBOUND_TOO_LARGE;	/* while, or announced */
		else if (msg->data.result != CURLE_OK)
			result = OUTBOUND_FAILED;
		else
			result = OUTBOUND_OK;
		outbound_finish(t, result, status);
	}
}

static void
outbound_socket_event_cb(evutil_socket_t fd, short what, void *arg)
{
	int running = 0;
	int action = ((what & EV_READ) ? CURL_CSELECT_IN : 0) |
	    ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);

	(void)arg;
	curl_multi_socket_action(ob.multi, fd, action, &running);
	outbound_check_done();
	if (running <= 0)
		evtimer_del(ob.timer);
}

static void
outbound_timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	int running = 0;

	(void)fd;
	(void)what;
	(void)arg;
	curl_multi_socket_action(ob.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	outbound_check_done();
}

/* curl says which sockets to watch; no transfer data is read here. */
static int
outbound_socket_cb(CURL *e, curl_socket_t s, int what, void *arg, void *sp)
{
	struct outbound_sock *sock = sp;
	short kind;

	(void)e;
	(void)arg;
	if (what == CURL_POLL_REMOVE) {
		if (sock != NULL) {
			event_free(sock->ev);
			free(sock);
		}
		return 0;
	}
	if (sock == NULL) {
		sock = xcalloc(1, sizeof *sock);
		curl_multi_assign(ob.multi, s, sock);
	} else
		event_free(sock->ev);
	kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
	sock->ev = event_new(ob.base, s, kind, outbound_socket_event_cb, NULL);
	event_add(sock->ev, NULL);
	return 0;
}

static int
outbound_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct timeval tv;

	(void)multi;
	(void)arg;
	if (timeout_ms < 0) {
		evtimer_del(ob.timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(ob.timer, &tv);
	return 0;
}

static void
outbound_start_transfer(struct outbound_transfer *t)
{
	CURL *e;

	/* https only, unless allowed: refused before any connection. */
	if (strncasecmp(t->url, "https://", 8) != 0 && !((t->req.allow_http ||
	    t->req.allow_loopback) && strncasecmp(t->url, "http://", 7) == 0)) {
		outbound_finish(t, OUTBOUND_REFUSED, 0);
		return;
	}
	e = curl_easy_init();
	if (e == NULL) {
		outbound_finish(t, OUTBOUND_FAILED, 0);
		return;
	}
	t->easy = e;
	t->body = evbuffer_new();
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, t->req.allow_http ||
	    t->req.allow_loopback ? "http,https" : "https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t->req.timeout_ms > 0 ?
	    t->req.timeout_ms : 30000L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 10L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, outbound_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, outbound_opensocket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "meent/" PACKAGE_VERSION);
	for (size_t i = 0; i < t->hdrs.n; i++)
		t->headers = curl_slist_append(t->headers, t->hdrs.v[i]);
	if (t->ctype != NULL) {
		char *h = xasprintf("Content-Type: %s", t->ctype);

		t->headers = curl_slist_append(t->headers, h);
		free(h);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	if (strcmp(t->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body_copy != NULL ?
		    t->body_copy : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)t->req.body_len);
	}
	if (curl_multi_add_handle(ob.multi, e) != CURLM_OK) {
		outbound_finish(t, OUTBOUND_FAILED, 0);
		return;
	}
	ob.active++;
}

static void
outbound_delay_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	outbound_start_transfer(arg);
}

/* On the outbound thread: take what the other threads queued. */
static void
outbound_wakeup_cb(evutil_socket_t fd, short what, void *arg)
{
	struct outbound_transfer *list, *t;
	bool stopping;

	(void)fd;
	(void)what;
	(void)arg;
	/* stopping is outbound_stop()'s, set under the lock: read it there. */
	pthread_mutex_lock(&ob.mu);
	list = ob.queue;
	ob.queue = ob.queue_tail = NULL;
	ob.queued = 0;
	stopping = ob.stopping;
	pthread_mutex_unlock(&ob.mu);
	while ((t = list) != NULL) {
		list = t->next;
		t->next = NULL;
		outbound_live_add(t);
		if (stopping) {
			outbound_finish(t, OUTBOUND_FAILED, 0);
			continue;
		}
		if (t->req.delay_ms > 0) {
			struct timeval tv = { t->req.delay_ms / 1000,
			    (t->req.delay_ms % 1000) * 1000 };

			t->delay = evtimer_new(ob.base, outbound_delay_cb, t);
			evtimer_add(t->delay, &tv);
		} else
			outbound_start_transfer(t);
	}
	if (stopping)
		event_base_loopbreak(ob.base);
}

static void *
outbound_main(void *arg)
{
	(void)arg;
	/* Idle is normal here: wait for work until told to stop. */
	event_base_loop(ob.base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/* Start the outbound thread (once). 0, or -1 with *err. */
int
outbound_start(char **err)
{
	if (ob.running)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*err = xasprintf("libcurl cannot start");
		return -1;
	}
	ob.base = event_base_new();
	ob.multi = curl_multi_init();
	if (ob.base == NULL || ob.multi == NULL) {
		*err = xasprintf("cannot make the outbound thread's event loop");
		return -1;
	}
	ob.timer = evtimer_new(ob.base, outbound_timer_event_cb, NULL);
	/* Activated by other threads (event_active), never added. */
	ob.wakeup = event_new(ob.base, -1, 0, outbound_wakeup_cb, NULL);
	curl_multi_setopt(ob.multi, CURLMOPT_SOCKETFUNCTION, outbound_socket_cb);
	curl_multi_setopt(ob.multi, CURLMOPT_TIMERFUNCTION, outbound_timer_cb);
	ob.stopping = false;
	if (pthread_create(&ob.thread, NULL, outbound_main, NULL) != 0)
		fatal("pthread_create");
	ob.running = true;
	return 0;
}

/* The outbound thread's event base, for timers that live there. */
struct event_base *
outbound_base(void)
{
	return ob.running ? ob.base : NULL;
}

/*
 * Queue a request (copied) from any thread. Its done() runs on the
 * outbound thread, once, with the result. Returns 0, or -1 when the queue
 * is full or the thread is not running (done() is not called then).
 */
int
outbound_submit(const struct outbound_request *req)
{
	struct outbound_transfer *t;

	if (!ob.running)
		return -1;
	t = xcalloc(1, sizeof *t);
	t->req = *req;
	t->method = xstrdup(req->method != NULL ? req->method : "GET");
	t->url = xstrdup(req->url);
	if (req->body != NULL) {
		t->body_copy = xmalloc(req->body_len + 1);
		memcpy(t->body_copy, req->body, req->body_len);
		t->body_copy[req->body_len] = '\0';
	}
	t->ctype = req->content_type != NULL ? xstrdup(req->content_type) :
	    NULL;
	for (size_t i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		strlist_add(&t->hdrs, req->headers[i]);
	t->max = req->max_response > 0 ? req->max_response : 1 << 20;
	pthread_mutex_lock(&ob.mu);
	if (ob.queued >= OUTBOUND_QUEUE_MAX || ob.stopping) {
		pthread_mutex_unlock(&ob.mu);
		t->req.done = NULL;
		outbound_transfer_free(t);
		return -1;
	}
	if (ob.queue_tail != NULL)
		ob.queue_tail->next = t;
	else
		ob.queue = t;
	ob.queue_tail = t;
	ob.queued++;
	pthread_mutex_unlock(&ob.mu);
	event_active(ob.wakeup, EV_READ, 0);
	return 0;
}

/*
 * Stop: transfers still running are reported as failed; then the multi
 * handle goes before the event base (curl's sockets live in the base).
 */
void
outbound_stop(void)
{
	if (!ob.running)
		return;
	pthread_mutex_lock(&ob.mu);
	ob.stopping = true;
	pthread_mutex_unlock(&ob.mu);
	event_active(ob.wakeup, EV_READ, 0);
	pthread_join(ob.thread, NULL);
	ob.running = false;
	/* Queued ones, then those running or waiting on a delay. */
	outbound_wakeup_cb(-1, 0, NULL);
	while (ob.live != NULL) {
		struct outbound_transfer *t = ob.live;

		/* Started ones are in the multi handle; delayed ones not. */
		if (t->easy != NULL)
			curl_multi_remove_handle(ob.multi, t->easy);
		outbound_finish(t, OUTBOUND_FAILED, 0);
	}
	curl_multi_cleanup(ob.multi);
	ob.multi = NULL;
	event_free(ob.timer);
	event_free(ob.wakeup);
	event_base_free(ob.base);
	ob.base = NULL;
	curl_global_cleanup();
}
