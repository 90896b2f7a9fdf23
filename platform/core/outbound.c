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
 *   multicast, unspecified, reserved and documentation addresses are
 *   refused unless allowed, and an IPv4 address inside an IPv6 one
 *   (IPv4-mapped and -compatible, NAT64, 6to4) by the IPv4 rules. The
 *   address checked is the address used, so DNS rebinding cannot slip by.
 *
 * Shutdown: the multi handle is cleaned up before the event base is freed,
 * and a transfer's failure is reported to its caller, never exit()ed on.
 */
#include "core/core.h"

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

/*
 * The SSRF guard's address rules. IPv4: every special-purpose range of
 * RFC 6890 and its successors that is not a public unicast destination.
 * 240/4 holds 255.255.255.255 (limited broadcast).
 */
static const struct outbound_v4_range {
	uint32_t	 net;
	int		 bits;
} outbound_v4_refused[] = {
	{ 0x00000000, 8 },	/* 0/8 "this network" */
	{ 0x0a000000, 8 },	/* 10/8 private */
	{ 0x64400000, 10 },	/* 100.64/10 shared address space (CGN) */
	{ 0x7f000000, 8 },	/* 127/8 loopback */
	{ 0xa9fe0000, 16 },	/* 169.254/16 link-local, cloud metadata */
	{ 0xac100000, 12 },	/* 172.16/12 private */
	{ 0xc0000000, 24 },	/* 192.0.0/24 IETF protocol assignments */
	{ 0xc0000200, 24 },	/* 192.0.2/24 documentation (TEST-NET-1) */
	{ 0xc0a80000, 16 },	/* 192.168/16 private */
	{ 0xc6120000, 15 },	/* 198.18/15 benchmarking */
	{ 0xc6336400, 24 },	/* 198.51.100/24 documentation (TEST-NET-2) */
	{ 0xcb007100, 24 },	/* 203.0.113/24 documentation (TEST-NET-3) */
	{ 0xe0000000, 4 },	/* 224/4 multicast */
	{ 0xf0000000, 4 },	/* 240/4 reserved, and the broadcast address */
};

/*
 * IPv6, by prefix, first match wins. Where a prefix embeds an IPv4
 * address that the network may connect to (the kernel for IPv4-mapped, a
 * translator or relay for the others), v4 is the byte offset of that
 * address and the IPv4 rules decide; OUTBOUND_V6_REFUSE refuses the prefix
 * outright. An address matching no row is refused unless it is in
 * 2000::/3, the only global unicast space IANA allocates.
 */
#define OUTBOUND_V6_REFUSE	(-1)

static const struct outbound_v6_prefix {
	uint8_t		 net[16];
	int		 bits;
	int		 v4;
} outbound_v6_prefixes[] = {
	/* ::/128 unspecified and ::1/128 loopback, before ::/96 */
	{ { 0 }, 128, OUTBOUND_V6_REFUSE },
	{ { [15] = 1 }, 128, OUTBOUND_V6_REFUSE },
	/* ::a.b.c.d IPv4-compatible (deprecated, RFC 4291) */
	{ { 0 }, 96, 12 },
	/* ::ffff:a.b.c.d IPv4-mapped: the kernel connects over IPv4 */
	{ { [10] = 0xff, [11] = 0xff }, 96, 12 },
	/* 64:ff9b::a.b.c.d NAT64 well-known prefix (RFC 6052) */
	{ { 0x00, 0x64, 0xff, 0x9b }, 96, 12 },
	/*
	 * 64:ff9b:1::/48 NAT64 local use (RFC 8215): the operator picks the
	 * prefix length, so where the IPv4 address sits is unknown.
	 */
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, OUTBOUND_V6_REFUSE },
	/* 100::/64 discard only (RFC 6666) */
	{ { 0x01, 0x00 }, 64, OUTBOUND_V6_REFUSE },
	/* 2001::/32 Teredo: its IPv4 address is obfuscated, so refused */
	{ { 0x20, 0x01, 0x00, 0x00 }, 32, OUTBOUND_V6_REFUSE },
	/* 2001:2::/48 benchmarking (RFC 5180) */
	{ { 0x20, 0x01, 0x00, 0x02, 0x00, 0x00 }, 48, OUTBOUND_V6_REFUSE },
	/* 2001:db8::/32 and 3fff::/20 documentation (RFC 3849, RFC 9637) */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, OUTBOUND_V6_REFUSE },
	{ { 0x3f, 0xff, 0x00 }, 20, OUTBOUND_V6_REFUSE },
	/* 2002:a.b.c.d::/48 6to4 (RFC 3056) */
	{ { 0x20, 0x02 }, 16, 2 },
	/*
	 * Outside 2000::/3 anyway; kept as rows so that the rules read whole:
	 * fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local
	 * (deprecated), ff00::/8 multicast.
	 */
	{ { 0xfc }, 7, OUTBOUND_V6_REFUSE },
	{ { 0xfe, 0x80 }, 10, OUTBOUND_V6_REFUSE },
	{ { 0xfe, 0xc0 }, 10, OUTBOUND_V6_REFUSE },
	{ { 0xff }, 8, OUTBOUND_V6_REFUSE },
};

static bool
outbound_v4_refused_addr(uint32_t a)
{
	for (size_t i = 0; i < nitems(outbound_v4_refused); i++)
		if ((a ^ outbound_v4_refused[i].net) >>
		    (32 - outbound_v4_refused[i].bits) == 0)
			return true;
	return false;
}

/* Do the first bits of a match net? */
static bool
outbound_v6_match(const uint8_t *a, const uint8_t *net, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, net, (size_t)whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ net[whole]) & (0xff << (8 - rest)) &
	    0xff) == 0;
}

/*
 * Is this address one meent must not reach unless told it may? An address
 * of another family than IPv4 and IPv6 is refused. sa is borrowed.
 */
bool
outbound_address_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return outbound_v4_refused_addr(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const uint8_t *b =
		    ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		for (size_t i = 0; i < nitems(outbound_v6_prefixes); i++) {
			const struct outbound_v6_prefix *p =
			    &outbound_v6_prefixes[i];

			if (!outbound_v6_match(b, p->net, p->bits))
				continue;
			if (p->v4 == OUTBOUND_V6_REFUSE)
				return true;
			return outbound_v4_refused_addr((uint32_t)b[p->v4] <<
			    24 | (uint32_t)b[p->v4 + 1] << 16 |
			    (uint32_t)b[p->v4 + 2] << 8 | b[p->v4 + 3]);
		}
		return (b[0] & 0xe0) != 0x20;	/* outside 2000::/3 */
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
