/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The plugin host: loading plugins (plugin.h is their manual), the
 * services table they get, and calling their hooks.
 *
 * Loading checks everything before trusting anything: the file opens
 * (RTLD_NOW | RTLD_LOCAL, so unresolved symbols fail now and nothing leaks
 * into other plugins), the one symbol exists, the ABI version and the
 * struct's size are ours, the spare slots are NULL, the name is sound and
 * unique, and load() succeeds. Any failure is one log line and meentd does
 * not start, unless plugin_optional is set.
 *
 * on_publish() runs on a thread of its own, fed by a bounded queue: a slow
 * or stuck plugin never slows a request, and a full queue drops events
 * (counted, logged) rather than growing without bound.
 */
#include "plugin/plugins.h"
#include "plugin.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#define PLUGIN_MAX		16
#define PLUGIN_ROUTES_MAX	64
#define PLUGIN_QUEUE_MAX	1024

struct plugin_loaded {
	void			*dl;
	const struct meent_plugin *p;
	void			*ctx;
	char			*path;
	struct strlist		 keys, values;
};

struct plugin_route {
	const struct plugin_loaded *owner;
	int			 method;
	char			*path;		/* "/plugins/<name>/<path>" */
	meent_route_fn		 fn;
	void			*ctx;
};

struct plugin_event {
	struct meent_item	 item;		/* strings owned */
};

struct meent_validation {
	const char		*plugin;
	json_t			*warnings;
	json_t			*invalid;
};

static struct plugin_loaded plugin_list[PLUGIN_MAX];
static size_t plugin_count;
static struct plugin_route plugin_routes[PLUGIN_ROUTES_MAX];
static size_t plugin_nroutes;
static const struct plugin_loaded *plugin_loading;

static pthread_mutex_t plugin_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t plugin_cv = PTHREAD_COND_INITIALIZER;
static struct plugin_event plugin_queue[PLUGIN_QUEUE_MAX];
static size_t plugin_qhead, plugin_qlen;
static bool plugin_stopping;
static pthread_t plugin_thread;
static bool plugin_thread_running;
static _Atomic unsigned long plugin_dropped;

static bool plugin_name_valid(const char *);

/* A counter's name: 1 to 40 of [a-z0-9_]. */
static bool
plugin_counter_name_ok(const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0;

	if (len == 0 || len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' &&
		    name[i] <= '9') || name[i] == '_'))
			return false;
	return true;
}

/* ----- services ----- */

static void
plugin_svc_log(const char *plugin, int level, const char *fmt, ...)
{
	char event[64];
	va_list ap;

	snprintf(event, sizeof event, "plugin.%s", plugin);
	va_start(ap, fmt);
	log_vemit(level == MEENT_PLUGIN_LOG_ERROR ? LOG_ERROR :
	    level == MEENT_PLUGIN_LOG_WARN ? LOG_WARN : LOG_INFO, event, fmt,
	    ap);
	va_end(ap);
}

static const char *
plugin_svc_arg(const char *plugin, const char *key, int n)
{
	for (size_t i = 0; i < plugin_count; i++) {
		const struct plugin_loaded *l = &plugin_list[i];

		if (strcmp(l->p->name, plugin) != 0)
			continue;
		for (size_t k = 0; k < l->keys.n; k++)
			if (strcmp(l->keys.v[k], key) == 0 && n-- == 0)
				return l->values.v[k];
	}
	return NULL;
}

static void *
plugin_svc_alloc(size_t n)
{
	return xmalloc(n);
}

static void
plugin_svc_free(void *p)
{
	free(p);
}

static void
plugin_svc_warn(struct meent_validation *v, const char *field,
    const char *message)
{
	json_array_append_new(v->warnings, json_pack("{s:s, s:s, s:s}",
	    "plugin", v->plugin, "name", field, "message", message));
}

static void
plugin_svc_reject(struct meent_validation *v, const char *field,
    const char *reason)
{
	json_array_append_new(v->invalid, json_pack("{s:s, s:s}", "name",
	    field, "reason", reason));
}

static int
plugin_svc_route(const char *plugin, const char *method, const char *path,
    meent_route_fn fn, void *ctx)
{
	struct plugin_route *rt;

	/* Routes are registered in load() only: the table is then fixed. */
	if (plugin_loading == NULL || strcmp(plugin_loading->p->name, plugin) !=
	    0 || plugin_nroutes == PLUGIN_ROUTES_MAX || http_method_type(method) ==
	    0 || path == NULL || strstr(path, "..") != NULL || fn == NULL)
		return MEENT_PLUGIN_ERROR;
	rt = &plugin_routes[plugin_nroutes++];
	rt->owner = plugin_loading;
	rt->method = http_method_type(method);
	rt->path = xasprintf("/plugins/%s/%s", plugin, path[0] == '/' ?
	    path + 1 : path);
	rt->fn = fn;
	rt->ctx = ctx;
	return MEENT_PLUGIN_OK;
}

static int
plugin_svc_fetch(const char *plugin, const struct meent_fetch *f,
    meent_fetch_done done, void *arg)
{
	struct outbound_request o = {
		.method = f->method, .url = f->url, .body = f->body,
		.body_len = f->body_len, .content_type = f->content_type,
		.headers = f->headers, .timeout_ms = f->timeout_ms,
		.max_response = f->max_response, .delay_ms = f->delay_ms,
		.allow_private = f->allow_private != 0,
		.allow_http = f->allow_private != 0,
		.done = done, .arg = arg,
	};

	(void)plugin;
	if (f->url == NULL || done == NULL)
		return MEENT_PLUGIN_ERROR;
	return outbound_submit(&o) == 0 ? MEENT_PLUGIN_OK : MEENT_PLUGIN_ERROR;
}

/* The connection of the worker running a plugin's hook, for select(). */
static _Thread_local struct db *plugin_db;

static char *
plugin_svc_select(const char *plugin, const char *sql,
    const char *const *params)
{
	sqlite3_stmt *st = NULL;
	json_t *rows;
	char *out = NULL;
	int rc, n = 0;

	if (plugin_db == NULL || sql == NULL ||
	    sqlite3_prepare_v2(db_handle(plugin_db), sql, -1, &st, NULL) !=
	    SQLITE_OK || st == NULL || !sqlite3_stmt_readonly(st)) {
		log_emit(LOG_WARN, "plugin.select", "%s: refused a query (not "
		    "read-only, invalid, or outside a request)", plugin);
		sqlite3_finalize(st);
		return NULL;
	}
	for (int i = 0; params != NULL && params[i] != NULL; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
	rows = json_array();
	while ((rc = db_step_row(plugin_db, st, "plugin select")) == 1 &&
	    n++ < 1000) {
		json_t *row = json_object();

		for (int c = 0; c < sqlite3_column_count(st); c++)
			json_object_set_new(row, sqlite3_column_name(st, c),
			    db_column_json(st, c));
		json_array_append_new(rows, row);
	}
	/* 1: stopped at 1000 rows. -1: failed (logged); NULL, not fewer rows. */
	if (rc != -1)
		out = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	sqlite3_finalize(st);
	return out;
}

#define PLUGIN_COUNTERS_MAX 64

static struct {
	char			 plugin[41], name[41];
	_Atomic unsigned long	 n;
} plugin_counters[PLUGIN_COUNTERS_MAX];
static _Atomic size_t plugin_ncounters;

static void
plugin_svc_count(const char *plugin, const char *name, unsigned long add)
{
	size_t i, n;

	pthread_mutex_lock(&plugin_mu);
	n = atomic_load(&plugin_ncounters);
	for (i = 0; i < n; i++)
		if (strcmp(plugin_counters[i].plugin, plugin) == 0 &&
		    strcmp(plugin_counters[i].name, name) == 0)
			break;
	if (i == n && n < PLUGIN_COUNTERS_MAX && plugin_counter_name_ok(name)) {
		snprintf(plugin_counters[i].plugin, sizeof plugin_counters[i].plugin,
		    "%s", plugin);
		snprintf(plugin_counters[i].name, sizeof plugin_counters[i].name,
		    "%s", name);
		atomic_store(&plugin_ncounters, n + 1);
	}
	n = atomic_load(&plugin_ncounters);
	pthread_mutex_unlock(&plugin_mu);
	/* An unusable name (or a full table) counts nothing. */
	if (i < n)
		atomic_fetch_add(&plugin_counters[i].n, add);
}

/* The plugins' counters, in the Prometheus text format. */
void
plugin_metrics(struct evbuffer *b)
{
	size_t n = atomic_load(&plugin_ncounters);

	evbuffer_add_printf(b, "# HELP meent_plugin_events_total What plugins "
	    "counted.\n# TYPE meent_plugin_events_total counter\n");
	for (size_t i = 0; i < n; i++)
		evbuffer_add_printf(b, "meent_plugin_events_total{plugin=\"%s\","
		    "event=\"%s\"} %lu\n", plugin_counters[i].plugin,
		    plugin_counters[i].name, atomic_load(&plugin_counters[i].n));
}

/*
 * What plugins may do. query and reply work on a request, which is the HTTP
 * layer's: it fills them in (plugin_set_request_services) before plugins
 * load, so that nothing here calls up into it.
 */
static struct meent_services plugin_services = {
	.abi = MEENT_PLUGIN_ABI,
	.size = sizeof (struct meent_services),
	.log = plugin_svc_log,
	.arg = plugin_svc_arg,
	.alloc = plugin_svc_alloc,
	.free = plugin_svc_free,
	.markdown = markdown_render,
	.warn = plugin_svc_warn,
	.reject = plugin_svc_reject,
	.route = plugin_svc_route,
	.fetch = plugin_svc_fetch,
	.select = plugin_svc_select,
	.count = plugin_svc_count,
};

/* The HTTP layer's request services for plugins' routes (before loading). */
void
plugin_set_request_services(const char *(*query)(struct meent_request *,
    const char *), void (*reply)(struct meent_request *, int, const char *,
    const char *, size_t))
{
	plugin_services.query = query;
	plugin_services.reply = reply;
}

/* ----- loading ----- */

static bool
plugin_name_valid(const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0;

	if (len == 0 || len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' &&
		    name[i] <= '9') || name[i] == '-'))
			return false;
	return true;
}

/* Check what a plugin describes; NULL if sound, else why (static text). */
static char *
plugin_check(const struct meent_plugin *p)
{
	if (p == NULL)
		return xasprintf("meent_plugin_v1() returned NULL");
	if (p->abi != MEENT_PLUGIN_ABI)
		return xasprintf("built for plugin ABI %u; this meentd has ABI "
		    "%u", p->abi, MEENT_PLUGIN_ABI);
	if (p->size != sizeof (struct meent_plugin))
		return xasprintf("struct meent_plugin is %zu bytes in the "
		    "plugin, %zu in this meentd", p->size,
		    sizeof (struct meent_plugin));
	for (size_t i = 0; i < nitems(p->spare); i++)
		if (p->spare[i] != NULL)
			return xasprintf("spare slot %zu is not NULL", i);
	if (!plugin_name_valid(p->name))
		return xasprintf("its name is not 1 to 40 of [a-z0-9-]");
	if (p->load == NULL)
		return xasprintf("it has no load()");
	for (size_t i = 0; i < plugin_count; i++)
		if (strcmp(plugin_list[i].p->name, p->name) == 0)
			return xasprintf("a plugin named %s is loaded already",
			    p->name);
	return NULL;
}

/* "PATH key=value ..." into l. */
static int
plugin_parse_line(const char *line, struct plugin_loaded *l, char **err)
{
	char *copy = xstrdup(line), *save = NULL, *word;
	bool first = true;

	for (word = strtok_r(copy, " \t", &save); word != NULL;
	    word = strtok_r(NULL, " \t", &save)) {
		char *eq;

		if (first) {
			l->path = xstrdup(word);
			first = false;
			continue;
		}
		if ((eq = strchr(word, '=')) == NULL || eq == word) {
			*err = xasprintf("plugin %s: '%s' is not key=value",
			    l->path, word);
			free(copy);
			return -1;
		}
		*eq = '\0';
		strlist_add(&l->keys, word);
		strlist_add(&l->values, eq + 1);
	}
	free(copy);
	if (first) {
		*err = xasprintf("plugin: no path given");
		return -1;
	}
	return 0;
}

static void
plugin_forget(struct plugin_loaded *l)
{
	if (l->dl != NULL)
		dlclose(l->dl);
	free(l->path);
	strlist_free(&l->keys);
	strlist_free(&l->values);
	memset(l, 0, sizeof *l);
}

static int
plugin_load_one(const char *line, char **err)
{
	struct plugin_loaded *l = &plugin_list[plugin_count];
	const struct meent_plugin *(*entry)(void);
	char *why;

	memset(l, 0, sizeof *l);
	if (plugin_count == PLUGIN_MAX) {
		*err = xasprintf("more than %d plugins", PLUGIN_MAX);
		return -1;
	}
	if (plugin_parse_line(line, l, err) == -1) {
		plugin_forget(l);
		return -1;
	}
	l->dl = dlopen(l->path, RTLD_NOW | RTLD_LOCAL);
	if (l->dl == NULL) {
		*err = xasprintf("plugin %s: %s", l->path, dlerror());
		plugin_forget(l);
		return -1;
	}
	*(void **)&entry = dlsym(l->dl, "meent_plugin_v1");
	if (entry == NULL) {
		*err = xasprintf("plugin %s: no symbol meent_plugin_v1", l->path);
		plugin_forget(l);
		return -1;
	}
	l->p = entry();
	if ((why = plugin_check(l->p)) != NULL) {
		*err = xasprintf("plugin %s: %s", l->path, why);
		free(why);
		plugin_forget(l);
		return -1;
	}
	/* Its arguments are visible to arg() during load(). */
	plugin_count++;
	plugin_loading = l;
	if (l->p->load(&plugin_services, &l->ctx) != MEENT_PLUGIN_OK) {
		plugin_loading = NULL;
		plugin_count--;
		/* Drop routes it registered before failing. */
		while (plugin_nroutes > 0 &&
		    plugin_routes[plugin_nroutes - 1].owner == l)
			free(plugin_routes[--plugin_nroutes].path);
		*err = xasprintf("plugin %s: its load() failed", l->path);
		plugin_forget(l);
		return -1;
	}
	plugin_loading = NULL;
	log_emit(LOG_INFO, "plugin.load", "loaded %s %s from %s", l->p->name,
	    l->p->version != NULL ? l->p->version : "?", l->path);
	return 0;
}

static void *plugin_thread_main(void *);

/*
 * Load every plugin of the configuration, in order. Returns 0, or -1 with
 * *err when one fails and plugin_optional is off.
 */
int
plugin_load_all(const struct config *cfg, char **err)
{
	for (size_t i = 0; i < cfg->plugins.n; i++) {
		char *why = NULL;

		if (plugin_load_one(cfg->plugins.v[i], &why) == 0)
			continue;
		if (!cfg->plugin_optional) {
			*err = why;
			return -1;
		}
		log_emit(LOG_WARN, "plugin.load", "%s (plugin_optional: going "
		    "on without it)", why);
		free(why);
	}
	if (plugin_count > 0) {
		plugin_stopping = false;
		if (pthread_create(&plugin_thread, NULL, plugin_thread_main,
		    NULL) != 0)
			fatal("pthread_create");
		plugin_thread_running = true;
	}
	return 0;
}

/* After the workers stopped: drain the events, unload, close. */
void
plugin_unload_all(void)
{
	if (plugin_thread_running) {
		pthread_mutex_lock(&plugin_mu);
		plugin_stopping = true;
		pthread_cond_signal(&plugin_cv);
		pthread_mutex_unlock(&plugin_mu);
		pthread_join(plugin_thread, NULL);
		plugin_thread_running = false;
	}
	/* Fetches still out call back into plugins: finish them first. */
	outbound_stop();
	for (size_t i = plugin_nroutes; i > 0; i--)
		free(plugin_routes[i - 1].path);
	plugin_nroutes = 0;
	for (size_t i = plugin_count; i > 0; i--) {
		struct plugin_loaded *l = &plugin_list[i - 1];

		if (l->p->unload != NULL)
			l->p->unload(l->ctx);
		plugin_forget(l);
	}
	plugin_count = 0;
}

size_t
plugin_loaded_count(void)
{
	return plugin_count;
}

void
plugin_worker_init(int worker)
{
	for (size_t i = 0; i < plugin_count; i++)
		if (plugin_list[i].p->worker_init != NULL &&
		    plugin_list[i].p->worker_init(plugin_list[i].ctx, worker) !=
		    MEENT_PLUGIN_OK)
			log_emit(LOG_ERROR, "plugin.worker", "%s: worker_init "
			    "failed on worker %d", plugin_list[i].p->name, worker);
}

void
plugin_worker_fini(int worker)
{
	for (size_t i = 0; i < plugin_count; i++)
		if (plugin_list[i].p->worker_fini != NULL)
			plugin_list[i].p->worker_fini(plugin_list[i].ctx, worker);
}

/* ----- hooks ----- */

/*
 * Ask every plugin about item before it is written. Warnings go into
 * *warnings, refusals into invalid (name, reason). Returns 0, or -1 when
 * a plugin failed outright.
 */
int
plugin_validate(struct db *db, const struct meent_item *item,
    json_t *warnings, json_t *invalid)
{
	int rc = 0;

	plugin_db = db;
	for (size_t i = 0; i < plugin_count; i++) {
		struct meent_validation v = { plugin_list[i].p->name, warnings,
		    invalid };

		if (plugin_list[i].p->on_validate == NULL)
			continue;
		if (plugin_list[i].p->on_validate(plugin_list[i].ctx, item, &v) !=
		    MEENT_PLUGIN_OK) {
			log_emit(LOG_ERROR, "plugin.validate", "%s failed on %s "
			    "%s", plugin_list[i].p->name, item->kind, item->id);
			rc = -1;
			break;
		}
	}
	plugin_db = NULL;
	return rc;
}

static char *
plugin_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
plugin_event_free(struct plugin_event *e)
{
	free((char *)e->item.kind);
	free((char *)e->item.id);
	free((char *)e->item.origin);
	free((char *)e->item.gemeente);
	free((char *)e->item.zichtbaarheid);
	free((char *)e->item.json);
	free((char *)e->item.url);
	memset(e, 0, sizeof *e);
}

/* After a commit: queue item for the plugins' on_publish(). */
void
plugin_publish(const struct meent_item *item)
{
	struct plugin_event *e;

	if (plugin_count == 0)
		return;
	pthread_mutex_lock(&plugin_mu);
	if (plugin_qlen == PLUGIN_QUEUE_MAX) {
		pthread_mutex_unlock(&plugin_mu);
		atomic_fetch_add(&plugin_dropped, 1);
		log_emit(LOG_WARN, "plugin.publish", "queue full: dropped the "
		    "event for %s %s", item->kind, item->id);
		return;
	}
	e = &plugin_queue[(plugin_qhead + plugin_qlen++) % PLUGIN_QUEUE_MAX];
	e->item = *item;
	e->item.kind = plugin_dup(item->kind);
	e->item.id = plugin_dup(item->id);
	e->item.origin = plugin_dup(item->origin);
	e->item.gemeente = plugin_dup(item->gemeente);
	e->item.zichtbaarheid = plugin_dup(item->zichtbaarheid);
	e->item.json = plugin_dup(item->json);
	e->item.url = plugin_dup(item->url);
	pthread_cond_signal(&plugin_cv);
	pthread_mutex_unlock(&plugin_mu);
}

unsigned long
plugin_events_dropped(void)
{
	return atomic_load(&plugin_dropped);
}

static void *
plugin_thread_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&plugin_mu);
	for (;;) {
		struct plugin_event e;

		while (plugin_qlen == 0 && !plugin_stopping)
			pthread_cond_wait(&plugin_cv, &plugin_mu);
		if (plugin_qlen == 0 && plugin_stopping)
			break;
		e = plugin_queue[plugin_qhead];
		memset(&plugin_queue[plugin_qhead], 0, sizeof e);
		plugin_qhead = (plugin_qhead + 1) % PLUGIN_QUEUE_MAX;
		plugin_qlen--;
		pthread_mutex_unlock(&plugin_mu);
		for (size_t i = 0; i < plugin_count; i++)
			if (plugin_list[i].p->on_publish != NULL)
				plugin_list[i].p->on_publish(plugin_list[i].ctx,
				    &e.item);
		plugin_event_free(&e);
		pthread_mutex_lock(&plugin_mu);
	}
	pthread_mutex_unlock(&plugin_mu);
	return NULL;
}

/* The plugin route for method and path (under /plugins/), or -1. */
int
plugin_route_find(int method, const char *path)
{
	if (method == EVHTTP_REQ_HEAD)
		method = EVHTTP_REQ_GET;
	for (size_t i = 0; i < plugin_nroutes; i++)
		if (plugin_routes[i].method == method &&
		    strcmp(plugin_routes[i].path, path) == 0)
			return (int)i;
	return -1;
}

/*
 * Call plugin route i (from plugin_route_find) for req, on the worker whose
 * database is db; it must reply (the router checks that it did).
 */
void
plugin_route_run(struct db *db, struct meent_request *req, int i)
{
	const struct plugin_route *rt = &plugin_routes[i];

	plugin_db = db;
	rt->fn(rt->ctx, req);
	plugin_db = NULL;
}
