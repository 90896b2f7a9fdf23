/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * plugin.h: the one header a meent plugin includes. It is the plugin ABI's
 * manual.
 *
 * A PLUGIN is a shared object that exports one function:
 *
 *	const struct meent_plugin *meent_plugin_v1(void);
 *
 * returning a pointer to a static, const description: the ABI version it
 * was built for, the size of the struct as it knows it, its name and
 * version, and its hooks. meentd loads the plugins named in its
 * configuration, in order, when it starts:
 *
 *	plugin = /usr/lib/meent/plugins/leesbaarheid.so drempel=60
 *
 * and refuses to start (one log line says why) when the file or the symbol
 * is missing, the ABI version or the size is not its own, a spare slot is
 * not NULL, or load() fails. With "plugin_optional = true" it starts
 * without such a plugin instead. Plugins are never unloaded while a worker
 * runs; unload() is called once, after the workers have stopped.
 *
 * ABI POLICY. MEENT_PLUGIN_ABI changes only when something in this file
 * changes incompatibly. Within one ABI version, structs only grow at their
 * end (taking from the spare slots), and the host checks "size" so that an
 * older plugin still loads. A plugin built for another ABI version is
 * refused, never guessed at.
 *
 * THREADS. load() and unload() run on the main thread, alone.
 * worker_init() and worker_fini() run on each worker thread. on_validate()
 * and route handlers run on a worker thread, inside a request: they must
 * not block (no network, no sleeping; a few milliseconds at most), and may
 * run on several workers at once. on_publish() runs on meentd's event
 * thread, one call at a time, after the write has committed, never on a
 * request's path; it may take its time but should hand slow work off.
 *
 * MEMORY. Strings passed to a hook are borrowed for the duration of the
 * call. What the host returns from alloc() or markdown() is freed with the
 * host's free().
 *
 * RETURN CODES. 0 is success; MEENT_PLUGIN_ERROR fails the operation (a
 * load() failing stops meentd; an on_validate() failing answers the request
 * with a 500 and changes nothing).
 */
#ifndef MEENT_PLUGIN_H
#define MEENT_PLUGIN_H

#include <stddef.h>

#define MEENT_PLUGIN_ABI	1

#define MEENT_PLUGIN_OK		0
#define MEENT_PLUGIN_ERROR	(-1)

/* Log levels for services->log(). */
#define MEENT_PLUGIN_LOG_INFO	1
#define MEENT_PLUGIN_LOG_WARN	2
#define MEENT_PLUGIN_LOG_ERROR	3

/* An item being validated or just published. All fields borrowed. */
struct meent_item {
	const char	*kind;		/* "pilot", "richtlijn" */
	const char	*id;		/* id or slug */
	const char	*origin;	/* instance that made it */
	const char	*gemeente;	/* GM0xxx */
	long		 versie;
	const char	*zichtbaarheid;	/* openbaar, leden, concept */
	int		 deleted;
	const char	*json;		/* its public JSON */
	const char	*url;		/* its page, relative to the base URL */
};

/* What on_validate() reports through services->warn() and ->reject(). */
struct meent_validation;

/* A request to a plugin's own route (under /plugins/<name>/). */
struct meent_request;

typedef void (*meent_route_fn)(void *ctx, struct meent_request *req);

/* An outbound HTTP request (services->fetch). Copied when submitted. */
struct meent_fetch {
	const char	*method;	/* "GET" or "POST" */
	const char	*url;		/* https://; http only with allow_private */
	const char	*content_type;
	const char	*body;
	size_t		 body_len;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	long		 timeout_ms;	/* 0: 30 seconds */
	size_t		 max_response;	/* 0: 1 MiB */
	long		 delay_ms;	/* start this much later (backoff) */
	int		 allow_private;	/* allow private, loopback and
					 * link-local addresses, and http */
};

/* Results of a fetch. */
#define MEENT_FETCH_OK		0	/* a response came: see status */
#define MEENT_FETCH_REFUSED	1	/* the target's address is not allowed */
#define MEENT_FETCH_FAILED	2	/* network, timeout, TLS, shutdown */
#define MEENT_FETCH_TOO_LARGE	3	/* the response passed max_response */

/* Called once per fetch, on meentd's outbound thread: must not block.
 * body is borrowed for the call. */
typedef void (*meent_fetch_done)(void *arg, int result, long status,
    const char *body, size_t len);

/* The host's services, passed to load(). Valid until unload() returns. */
struct meent_services {
	unsigned	 abi;		/* MEENT_PLUGIN_ABI */
	size_t		 size;		/* sizeof (struct meent_services) */

	/* One log line, tagged with the plugin's name. No personal data. */
	void		(*log)(const char *plugin, int level, const char *fmt,
			    ...) __attribute__((format(printf, 3, 4)));
	/* A value "key=value" from the plugin's configuration line, or NULL.
	 * The n-th (from 0) when a key repeats. */
	const char	*(*arg)(const char *plugin, const char *key, int n);
	/* Memory the host frees (or that the plugin frees with free()). */
	void		*(*alloc)(size_t size);
	void		 (*free)(void *p);
	/* Markdown to safe HTML, as meent renders it. Free with free(). */
	char		*(*markdown)(const char *md, size_t len);

	/* In on_validate(): a warning shown with the answer, or a refusal
	 * (the request answers 400 with the field and the reason). */
	void		 (*warn)(struct meent_validation *v, const char *field,
			    const char *message);
	void		 (*reject)(struct meent_validation *v,
			    const char *field, const char *reason);

	/* In load() only: serve METHOD /plugins/<name>/<path>. */
	int		 (*route)(const char *plugin, const char *method,
			    const char *path, meent_route_fn fn, void *ctx);
	/* In a route handler. */
	const char	*(*query)(struct meent_request *req, const char *name);
	void		 (*reply)(struct meent_request *req, int status,
			    const char *content_type, const char *body,
			    size_t len);

	/* Any time after load(): an HTTP request, asynchronously, through
	 * meentd's SSRF guard (no redirects, timeouts, a size cap, no
	 * private addresses unless allowed). 0 if queued (done() will be
	 * called), MEENT_PLUGIN_ERROR if not (done() will not be). */
	int		 (*fetch)(const char *plugin, const struct meent_fetch *f,
			    meent_fetch_done done, void *arg);
	/* In on_validate() and route handlers: a read-only SQL query on
	 * meent's database, with ?1, ?2 ... bound to params (NULL-ended).
	 * Returns the rows as a JSON array of objects (free with free()),
	 * at most 1000 rows; NULL when the statement is not read-only, is
	 * invalid, or is made outside those hooks, and when the database
	 * failed while reading it (never fewer rows for a failure). */
	char		*(*select)(const char *plugin, const char *sql,
			    const char *const *params);
	/* Add to a counter ([a-z0-9_]) shown in /metrics as
	 * meent_plugin_events_total{plugin="...",event="name"}. */
	void		 (*count)(const char *plugin, const char *name,
			    unsigned long add);

	void		*spare[8];	/* NULL; later versions fill them */
};

/* A plugin's description, returned by meent_plugin_v1(). */
struct meent_plugin {
	unsigned	 abi;		/* MEENT_PLUGIN_ABI */
	size_t		 size;		/* sizeof (struct meent_plugin) */
	const char	*name;		/* [a-z0-9-], unique */
	const char	*version;

	/* Once, at start; *ctx is passed to every other hook. */
	int		 (*load)(const struct meent_services *s, void **ctx);
	void		 (*unload)(void *ctx);
	/* On each worker thread, before and after it serves. May be NULL. */
	int		 (*worker_init)(void *ctx, int worker);
	void		 (*worker_fini)(void *ctx, int worker);
	/* Before a write commits. May be NULL. */
	int		 (*on_validate)(void *ctx, const struct meent_item *item,
			    struct meent_validation *v);
	/* After a write has committed. May be NULL. */
	void		 (*on_publish)(void *ctx, const struct meent_item *item);

	void		*spare[8];	/* must be NULL */
};

/* The one symbol a plugin exports. */
const struct meent_plugin *meent_plugin_v1(void);

#endif /* MEENT_PLUGIN_H */
