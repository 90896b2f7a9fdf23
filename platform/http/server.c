/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The HTTP server: one listening socket, N worker threads.
 *
 * Each worker owns an event_base, a listener, its connections (conn.c) and
 * a SQLite connection, and nothing else touches them. Each worker accepts
 * on its own dup(2) of the listening socket: its listener closes the
 * descriptor it was given when it is freed, once per worker.
 *
 * Threads talk only through event_active() (meentd's main sets libevent up
 * for pthreads before any base exists). Stopping (SIGTERM) is a drain: each worker stops
 * accepting, closes idle keep-alive connections, answers what is in flight
 * with "Connection: close", and leaves its loop when nothing is in flight
 * or after ten seconds, whichever comes first.
 *
 * A reload (SIGHUP, server_reload) gives the server a new configuration;
 * each worker switches its requests over to it on its own thread
 * (event_active), between callbacks. The configurations it replaces are
 * kept until the server stops: a request in progress, or a job, may still
 * hold one (a few KiB each, once per SIGHUP).
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>

#define SERVER_DRAIN_SECONDS 10

struct worker {
	struct http_ctx		 ctx;		/* what its requests carry */
	struct server		*srv;
	int			 index;
	pthread_t		 thread;
	struct evconnlistener	*listener;
	struct event		*accept_pause;
	struct event		*stop_ev;
	struct event		*reload_ev;
	struct event		*drain_tick;
	double			 drain_until;
};

struct server {
	struct config		*cfg;	/* at start (borrowed) */
	_Atomic(struct config *) live;		/* the newest */
	struct config		**older;	/* replaced by reloads */
	size_t			 nolder;
	struct instance		 instance;
	char			*db_path;
	int			 listen_fd;
	int			 port;
	int			 nworkers;
	struct worker		*workers;
	struct login_guard	*login_guard;
	_Atomic bool		 access_log;
	bool			 secure;
	char			*origin;	/* of the base URL */
};

/* On the worker's thread: the main thread has a new configuration. */
static void
worker_reload_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	w->ctx.cfg = atomic_load(&w->srv->live);
}

/*
 * Run with fresh (taken; from config_load, with the same overrides) from
 * now on: what can change while running changes (caps, timeouts, limits,
 * proxies, metrics_allow, the access log, ...; config.c marks them live),
 * and the keys read only at start keep their values, named in the log.
 * Called on the main thread.
 */
void
server_reload(struct server *srv, struct config *fresh)
{
	struct config *running = atomic_load(&srv->live);
	char *restart = config_restart_keys(fresh, running);

	atomic_store(&srv->access_log, fresh->access_log);
	if (fresh->login_per_minute != running->login_per_minute)
		login_guard_set_rate(srv->login_guard,
		    fresh->login_per_minute);
	if (running != srv->cfg) {
		srv->older = xreallocarray(srv->older, srv->nolder + 1,
		    sizeof *srv->older);
		srv->older[srv->nolder++] = running;
	}
	atomic_store(&srv->live, fresh);
	for (int i = 0; i < srv->nworkers; i++)
		event_active(srv->workers[i].reload_ev, EV_READ, 0);
	if (restart != NULL)
		log_emit(LOG_WARN, "config.reload", "reloaded; these keys "
		    "changed but take effect only at the next start: %s",
		    restart);
	else
		log_emit(LOG_INFO, "config.reload", "reloaded");
	free(restart);
}

int
server_port(struct server *srv)
{
	return srv->port;
}

/* As many open files as the hard limit allows: each connection is one. */
static void
server_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* "ADDR:PORT" or "[ADDR6]:PORT" into a bound, listening socket. */
static int
server_listen(const char *spec, int *port_out, char **err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char host[128];
	const char *colon = strrchr(spec, ':');
	long port;
	int fd, one = 1;

	memset(&ss, 0, sizeof ss);
	if (colon == NULL || (size_t)(colon - spec) >= sizeof host) {
		*err = xasprintf("listen: '%s' is not ADDR:PORT", spec);
		return -1;
	}
	port = strtol(colon + 1, NULL, 10);
	if (port < 0 || port > 65535) {
		*err = xasprintf("listen: bad port in '%s'", spec);
		return -1;
	}
	if (spec[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		snprintf(host, sizeof host, "%.*s", (int)(colon - spec - 2),
		    spec + 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
			*err = xasprintf("listen: bad address '%s'", host);
			return -1;
		}
		sslen = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
			*err = xasprintf("listen: bad address '%s'", host);
			return -1;
		}
		sslen = sizeof *s4;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*err = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    listen(fd, 1024) == -1) {
		*err = xasprintf("listen on %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
		*port_out = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void
worker_drain_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	if (w->ctx.inflight <= 0 || clock_ms() >= w->drain_until)
		event_base_loopexit(w->ctx.base, NULL);
}

/* On the worker's thread: the main thread asked it to drain. */
static void
worker_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct timeval tick = { 0, 50 * 1000 };

	(void)fd;
	(void)what;
	w->ctx.draining = true;
	w->drain_until = clock_ms() + SERVER_DRAIN_SECONDS * 1000.0;
	if (w->listener != NULL) {
		evconnlistener_free(w->listener);
		w->listener = NULL;
	}
	for (struct conn *c = w->ctx.conns; c != NULL; c = conn_next(c))
		conn_close_if_idle(c);
	w->drain_tick = event_new(w->ctx.base, -1, EV_PERSIST,
	    worker_drain_tick_cb, w);
	event_add(w->drain_tick, &tick);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	plugin_worker_init(w->index);
	/*
	 * One round of the loop at a time: the writes of a round are one
	 * transaction, committed when the round's callbacks have all run.
	 */
	while (event_base_loop(w->ctx.base, EVLOOP_ONCE) == 0 &&
	    !event_base_got_exit(w->ctx.base))
		park_batch_end(&w->ctx);
	park_batch_end(&w->ctx);
	plugin_worker_fini(w->index);
	/* Uploads still being protected answer before their connections go. */
	jobs_drain(w->ctx.base);
	park_batch_end(&w->ctx);
	park_drain(&w->ctx);	/* answers waiting for the disk */
	conn_free_all(&w->ctx);
	cache_thread_free();
	return NULL;
}

/* A connection was accepted on w's listener. */
static void
worker_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)l;
	(void)salen;
	conn_accept(&((struct worker *)arg)->ctx, fd, sa);
}

static void
worker_accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	if (w->listener != NULL)
		evconnlistener_enable(w->listener);
}

/*
 * accept(2) failed (EMFILE, ENFILE, ENOBUFS): the socket stays readable, so
 * retrying at once would spin. Pause accepting for a moment instead.
 */
static void
worker_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct worker *w = arg;
	struct timeval pause = { 0, 100 * 1000 };

	log_emit(LOG_WARN, "server.accept", "accept: %s; pausing 100 ms",
	    strerror(errno));
	evconnlistener_disable(l);
	evtimer_add(w->accept_pause, &pause);
}

static int
worker_init(struct server *srv, struct worker *w, int index, char **err)
{
	int fd;

	w->srv = srv;
	w->index = index;
	w->ctx.cfg = srv->cfg;
	w->ctx.instance = &srv->instance;
	w->ctx.login_guard = srv->login_guard;
	w->ctx.origin = srv->origin;
	w->ctx.secure = srv->secure;
	w->ctx.access_log = &srv->access_log;
	w->ctx.db = db_open(srv->db_path, DB_GROUP | DB_BATCH, err);
	if (w->ctx.db == NULL)
		return -1;
	w->ctx.feed = fed_feed_attach(w->ctx.db, &srv->instance);
	w->ctx.base = event_base_new();
	if (w->ctx.base == NULL) {
		*err = xasprintf("cannot create an event base");
		return -1;
	}
	park_init(&w->ctx);
	fd = dup(srv->listen_fd);
	if (fd == -1) {
		*err = xasprintf("dup: %s", strerror(errno));
		return -1;
	}
	w->listener = evconnlistener_new(w->ctx.base, worker_accept_cb, w,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (w->listener == NULL) {
		close(fd);
		*err = xasprintf("cannot accept on the listening socket");
		return -1;
	}
	evconnlistener_set_error_cb(w->listener, worker_accept_error_cb);
	w->accept_pause = evtimer_new(w->ctx.base, worker_accept_resume_cb, w);
	w->stop_ev = event_new(w->ctx.base, -1, 0, worker_stop_cb, w);
	w->reload_ev = event_new(w->ctx.base, -1, 0, worker_reload_cb, w);
	return 0;
}

static void
worker_free(struct worker *w)
{
	if (w->listener != NULL)
		evconnlistener_free(w->listener);
	if (w->accept_pause != NULL)
		event_free(w->accept_pause);
	if (w->stop_ev != NULL)
		event_free(w->stop_ev);
	if (w->reload_ev != NULL)
		event_free(w->reload_ev);
	if (w->drain_tick != NULL)
		event_free(w->drain_tick);
	park_drain(&w->ctx);	/* a worker that never ran */
	if (w->ctx.base != NULL)
		event_base_free(w->ctx.base);
	fed_feed_detach(w->ctx.db, w->ctx.feed);
	db_close(w->ctx.db);
}

/*
 * Federation: the signer signs what changed while meentd was not running
 * (meentctl, a migration) into the feed, on its own thread, while the
 * workers already answer; then pulling from the peers starts.
 */
static int
server_federation_start(struct server *srv, char **err)
{
	/* The puller first: the signer tells it what it signed. */
	if (fed_pull_start(srv->cfg, &srv->instance, err) == -1)
		return -1;
	return fed_signer_start(srv->db_path, &srv->instance, err);
}

/*
 * Start listening and the workers. cfg is borrowed and must outlive the
 * server. Returns the server, or NULL with *err (caller frees).
 */
struct server *
server_start(struct config *cfg, char **err)
{
	struct server *srv = xcalloc(1, sizeof *srv);
	struct db *db;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	srv->cfg = cfg;
	atomic_store(&srv->live, cfg);
	srv->listen_fd = -1;
	srv->db_path = xasprintf("%s/meent.db", cfg->data_dir);
	atomic_store(&srv->access_log, cfg->access_log);

	if (access(srv->db_path, F_OK) == -1) {
		*err = xasprintf("%s has no database: run 'meentctl --data %s "
		    "init' first", cfg->data_dir, cfg->data_dir);
		goto fail;
	}
	db = db_open(srv->db_path, 0, err);
	if (db == NULL)
		goto fail;
	if (migrate_apply(db, err) == -1 ||
	    instance_load(db, cfg->data_dir, &srv->instance, err) == -1) {
		db_close(db);
		goto fail;
	}
	/* Files whose rows went before a stop (a failure is logged). */
	(void)attachment_store_gc(db, cfg->data_dir);
	db_close(db);
	srv->login_guard = login_guard_new(srv->instance.secret_key,
	    cfg->login_per_minute);
	/* base_url in meentd.conf, or else the one given to meentctl init. */
	srv->origin = http_origin(cfg->base_url != NULL ? cfg->base_url :
	    srv->instance.base_url);
	if (srv->origin == NULL) {
		*err = xasprintf("base_url '%s' is not an http(s) URL",
		    cfg->base_url != NULL ? cfg->base_url :
		    srv->instance.base_url);
		goto fail;
	}
	srv->secure = strncmp(srv->origin, "https://", 8) == 0;

	/*
	 * Group commit: the syncer before the workers' first commit, and
	 * before the other threads open their connections: it checkpoints
	 * for them (db.c, durable.c).
	 */
	if (durable_start(srv->db_path, err) == -1)
		goto fail;
	/* The outbox's sender (its own thread; a bad smtp_* key stops here). */
	if (mail_send_start(srv->db_path, cfg, err) == -1)
		goto fail;
	/* The notifier (notify_thread.c): events into mail. */
	if (notify_thread_start(srv->db_path, srv->origin, srv->instance.name,
	    err) == -1)
		goto fail;
	server_raise_nofile();
	srv->listen_fd = server_listen(cfg->listen, &srv->port, err);
	if (srv->listen_fd == -1)
		goto fail;
	srv->nworkers = cfg->threads > 0 ? cfg->threads :
	    (ncpu > 0 ? (int)ncpu : 1);
	srv->workers = xcalloc((size_t)srv->nworkers, sizeof *srv->workers);
	for (int i = 0; i < srv->nworkers; i++)
		if (worker_init(srv, &srv->workers[i], i, err) == -1)
			goto fail;
	jobs_start(JOBS_UPLOAD, cfg->upload_threads, cfg->upload_queue);
	jobs_start(JOBS_PASSWORD, cfg->login_threads, cfg->login_queue);
	if (server_federation_start(srv, err) == -1)
		goto fail;
	for (int i = 0; i < srv->nworkers; i++)
		if (pthread_create(&srv->workers[i].thread, NULL, worker_main,
		    &srv->workers[i]) != 0)
			fatal("pthread_create");
	log_emit(LOG_INFO, "server.start", "listening on %s (port %d) with %d "
	    "workers", cfg->listen, srv->port, srv->nworkers);
	return srv;
fail:
	fed_signer_stop();
	fed_pull_stop();
	notify_thread_stop();
	mail_send_stop();
	if (srv->workers != NULL)
		for (int i = 0; i < srv->nworkers; i++)
			worker_free(&srv->workers[i]);
	free(srv->workers);
	durable_stop();
	if (srv->listen_fd != -1)
		close(srv->listen_fd);
	login_guard_free(srv->login_guard);
	free(srv->origin);
	instance_free(&srv->instance);
	free(srv->db_path);
	free(srv);
	return NULL;
}

/* Drain every worker, wait for them, free everything. */
void
server_stop(struct server *srv)
{
	for (int i = 0; i < srv->nworkers; i++)
		event_active(srv->workers[i].stop_ev, EV_READ, 0);
	for (int i = 0; i < srv->nworkers; i++)
		pthread_join(srv->workers[i].thread, NULL);
	jobs_stop();
	notify_thread_stop();
	mail_send_stop();
	fed_signer_stop();
	fed_pull_stop();
	for (int i = 0; i < srv->nworkers; i++)
		worker_free(&srv->workers[i]);
	free(srv->workers);
	durable_stop();	/* after the workers: it decided what they waited for */
	close(srv->listen_fd);
	login_guard_free(srv->login_guard);
	/* Those reloads made are the server's; the first is the caller's. */
	for (size_t i = 0; i < srv->nolder; i++) {
		config_free(srv->older[i]);
		free(srv->older[i]);
	}
	free(srv->older);
	if (atomic_load(&srv->live) != srv->cfg) {
		config_free(atomic_load(&srv->live));
		free(atomic_load(&srv->live));
	}
	free(srv->origin);
	instance_free(&srv->instance);
	free(srv->db_path);
	free(srv);
	log_emit(LOG_INFO, "server.stop", "stopped");
}
