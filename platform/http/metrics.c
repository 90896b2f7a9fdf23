/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Metrics in the Prometheus text format: requests by route and status,
 * a latency histogram per route, and what the layers below count (plugins,
 * jobs, database errors). Connections count their own (conn_metrics);
 * ops.c puts the exposition together.
 *
 * Counters are relaxed atomics in fixed arrays indexed by route and by a
 * small set of status codes: no locks and no allocation on the request path.
 */
#include "http/http.h"

#include <stdatomic.h>

#include <event2/buffer.h>

#define METRICS_ROUTES	256		/* routes at most; checked */

static const int metrics_statuses[] = { 200, 201, 204, 303, 304, 400, 401,
    403, 404, 405, 409, 410, 412, 413, 414, 415, 429, 431, 500, 501, 503 };
#define METRICS_NSTATUS	(nitems(metrics_statuses) + 1)	/* + other */

/* Upper bounds in seconds. */
static const double metrics_buckets[] = { 0.0005, 0.001, 0.0025, 0.005,
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define METRICS_NBUCKET	(nitems(metrics_buckets) + 1)	/* + +Inf */

/* The program's routes (router_init gives them): their names label rows. */
static const struct route *metrics_table;
static size_t metrics_nroutes;

/* Row 0 is "no route" (404s, refusals); route i is row i + 1. */
static _Atomic unsigned long metrics_requests[METRICS_ROUTES + 1][METRICS_NSTATUS];
static _Atomic unsigned long metrics_hist[METRICS_ROUTES + 1][METRICS_NBUCKET];
static _Atomic unsigned long metrics_sum_us[METRICS_ROUTES + 1];

static size_t
metrics_row(int route_index)
{
	if (route_index < 0 || route_index >= METRICS_ROUTES)
		return 0;
	return (size_t)route_index + 1;
}

static size_t
metrics_status_index(int status)
{
	for (size_t i = 0; i < nitems(metrics_statuses); i++)
		if (metrics_statuses[i] == status)
			return i;
	return nitems(metrics_statuses);
}

void
metrics_count_status(int route_index, int status)
{
	atomic_fetch_add_explicit(&metrics_requests[metrics_row(route_index)]
	    [metrics_status_index(status)], 1, memory_order_relaxed);
}

/* One finished request. */
void
metrics_observe(int route_index, int status, double ms)
{
	size_t row = metrics_row(route_index), b;
	double s = ms / 1000.0;

	metrics_count_status(route_index, status);
	for (b = 0; b < nitems(metrics_buckets); b++)
		if (s <= metrics_buckets[b])
			break;
	atomic_fetch_add_explicit(&metrics_hist[row][b], 1,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&metrics_sum_us[row],
	    (unsigned long)(ms * 1000.0), memory_order_relaxed);
}

/* The routes whose requests are counted (the router's table). */
void
metrics_routes(const struct route *table, size_t n)
{
	if (n > METRICS_ROUTES)
		fatal("more routes than METRICS_ROUTES");
	metrics_table = table;
	metrics_nroutes = n;
}

static const char *
metrics_route_name(size_t row)
{
	return row == 0 ? "none" : metrics_table[row - 1].name;
}

static void
metrics_write_requests(struct evbuffer *b)
{
	evbuffer_add_printf(b, "# HELP meent_http_requests_total HTTP "
	    "requests answered, by route and status.\n"
	    "# TYPE meent_http_requests_total counter\n");
	for (size_t row = 0; row <= metrics_nroutes;
	    row++) {
		for (size_t s = 0; s < METRICS_NSTATUS; s++) {
			unsigned long n = atomic_load_explicit(
			    &metrics_requests[row][s], memory_order_relaxed);

			if (n == 0)
				continue;
			if (s < nitems(metrics_statuses))
				evbuffer_add_printf(b, "meent_http_requests_total"
				    "{route=\"%s\",status=\"%d\"} %lu\n",
				    metrics_route_name(row),
				    metrics_statuses[s], n);
			else
				evbuffer_add_printf(b, "meent_http_requests_total"
				    "{route=\"%s\",status=\"other\"} %lu\n",
				    metrics_route_name(row), n);
		}
	}
}

static void
metrics_write_histogram(struct evbuffer *b)
{
	evbuffer_add_printf(b, "# HELP meent_http_request_duration_seconds "
	    "Time from dispatch to reply, by route.\n"
	    "# TYPE meent_http_request_duration_seconds histogram\n");
	for (size_t row = 0; row <= metrics_nroutes;
	    row++) {
		unsigned long cum = 0;
		const char *name = metrics_route_name(row);

		for (size_t i = 0; i < METRICS_NBUCKET; i++)
			cum += atomic_load_explicit(&metrics_hist[row][i],
			    memory_order_relaxed);
		if (cum == 0)
			continue;
		cum = 0;
		for (size_t i = 0; i < METRICS_NBUCKET; i++) {
			cum += atomic_load_explicit(&metrics_hist[row][i],
			    memory_order_relaxed);
			if (i < nitems(metrics_buckets))
				evbuffer_add_printf(b, "meent_http_request_"
				    "duration_seconds_bucket{route=\"%s\","
				    "le=\"%g\"} %lu\n", name,
				    metrics_buckets[i], cum);
			else
				evbuffer_add_printf(b, "meent_http_request_"
				    "duration_seconds_bucket{route=\"%s\","
				    "le=\"+Inf\"} %lu\n", name, cum);
		}
		evbuffer_add_printf(b, "meent_http_request_duration_seconds_sum"
		    "{route=\"%s\"} %.6f\n", name, (double)atomic_load_explicit(
		    &metrics_sum_us[row], memory_order_relaxed) / 1e6);
		evbuffer_add_printf(b, "meent_http_request_duration_seconds_"
		    "count{route=\"%s\"} %lu\n", name, cum);
	}
}

/*
 * May r read /metrics? Anyone when metrics_allow is empty; otherwise only a
 * client (past trusted proxies, so that a public request relayed by a proxy
 * on an allowed address is still the public's) in one of its networks.
 */
bool
metrics_allowed(const struct req *r)
{
	const struct config *cfg = r->ctx->cfg;

	return cfg->metrics_allow.n == 0 ||
	    proxy_trusted(&cfg->metrics_allow, r->client);
}

/* Group commit (db/durable.c): how many commits each sync carried. */
static void
metrics_durable(struct evbuffer *b)
{
	struct durable_counts c;

	durable_counts(&c);
	evbuffer_add_printf(b, "# HELP meent_db_group_commits_total Commits "
	    "of the workers, made durable by the syncer.\n"
	    "# TYPE meent_db_group_commits_total counter\n"
	    "meent_db_group_commits_total %llu\n"
	    "# HELP meent_db_syncs_total Syncs of the write-ahead log by the "
	    "syncer (each covers the commits before it).\n"
	    "# TYPE meent_db_syncs_total counter\n"
	    "meent_db_syncs_total %lu\n"
	    "# HELP meent_db_sync_failures_total Syncs that failed (their "
	    "requests were answered 500).\n"
	    "# TYPE meent_db_sync_failures_total counter\n"
	    "meent_db_sync_failures_total %lu\n"
	    "# HELP meent_db_checkpoints_total Checkpoints by the syncer.\n"
	    "# TYPE meent_db_checkpoints_total counter\n"
	    "meent_db_checkpoints_total %lu\n"
	    "# HELP meent_db_wal_frames Pages in the write-ahead log after the "
	    "last commit (it starts over after a checkpoint).\n"
	    "# TYPE meent_db_wal_frames gauge\n"
	    "meent_db_wal_frames %d\n", c.commits, c.syncs, c.sync_failures,
	    c.checkpoints, c.wal_frames);
}

/* The whole exposition into b. */
void
metrics_write(struct evbuffer *b)
{
	metrics_write_requests(b);
	metrics_write_histogram(b);
	evbuffer_add_printf(b, "# HELP meent_plugin_events_dropped_total "
	    "Publish events dropped because the plugins' queue was full.\n"
	    "# TYPE meent_plugin_events_dropped_total counter\n"
	    "meent_plugin_events_dropped_total %lu\n", plugin_events_dropped());
	plugin_metrics(b);
	jobs_metrics(b);
	mail_metrics(b);
	evbuffer_add_printf(b, "# HELP meent_db_errors_total Database errors."
	    "\n# TYPE meent_db_errors_total counter\n"
	    "meent_db_errors_total %lu\n", db_errors());
	evbuffer_add_printf(b, "# HELP meent_search_texts_ahead_total Texts "
	    "indexed from search tokens made ahead by federation's helper "
	    "thread (db/fts_ahead.c).\n"
	    "# TYPE meent_search_texts_ahead_total counter\n"
	    "meent_search_texts_ahead_total %lu\n", fts_ahead_replayed());
	metrics_durable(b);
}
