/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * meent's one internal header: shared types, then the prototypes of each
 * file under its name (STYLE 3). Every non-static symbol starts with the
 * name of the file that defines it.
 *
 * Conventions: 0 is success and negative values are errors (MEENT_*);
 * functions that allocate say who frees; xmalloc never returns NULL.
 */
#ifndef MEENT_H
#define MEENT_H

#include "config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

struct bufferevent;
struct sockaddr;
struct evbuffer;
struct evhttp_request;
struct evkeyvalq;
struct meent_request;
struct event_base;
struct conn;
struct server;
struct worker;

#define MEENT_API_VERSION	"1.0.0"

#define MEENT_OK		0
#define MEENT_ERR		(-1)
#define MEENT_NOTFOUND		(-2)
#define MEENT_CONFLICT		(-3)
#define MEENT_INTERRUPTED	(-4)	/* a database deadline passed */
#define MEENT_INVALID		(-5)	/* the result would break a limit */

#define nitems(a)		(sizeof (a) / sizeof (a)[0])

#ifndef MEENT_CONTENT_DIR
#define MEENT_CONTENT_DIR	"/usr/local/share/meent/content"
#endif

/* Log levels. */
enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_FATAL };

struct strlist {
	char	**v;
	size_t	  n, cap;
};

/* The configuration (config.c has every key with its bounds). */
struct config {
	char		*data_dir;
	char		*listen;
	int		 threads;
	char		*seed_dir;
	char		*content_dir;
	char		*base_url;
	char		*log_file;
	int		 log_level;
	bool		 access_log;
	int		 max_connections;
	size_t		 max_header_bytes;
	size_t		 max_body_bytes;
	int		 header_timeout;
	int		 request_timeout;
	int		 keepalive_timeout;
	int		 login_per_minute;
	int		 session_hours;
	struct strlist	 domeinen;	/* empty: the default list */
	struct strlist	 plugins;	/* "PATH key=value ..." */
	bool		 plugin_optional;
	struct strlist	 trusted_proxy;	/* addresses, ADDR/PREFIX */
	/* Dataset uploads: the job pool and disclosure control. */
	int		 upload_threads;
	int		 upload_queue;
	int		 login_threads;
	int		 login_queue;
	int		 sdc_min_frequency;
	int		 sdc_dominance_n;
	int		 sdc_dominance_k;
	int		 sdc_p_percent;
	int		 sdc_coalition;
	int		 sdc_noise_count;
	int		 sdc_noise_magnitude;
	int		 sdc_protection_percent;
	int		 sdc_round_base;
	/* The time budget of a search (db_deadline_set). */
	int		 search_budget_ms;
	int		 search_budget_steps;
	/* Federation. */
	bool		 federation_relay;
	bool		 federation_allow_http_loopback;
};

struct db;

#define DB_CREATE	0x1
#define DB_READONLY	0x2

struct instance {
	char		 uuid[37];
	char		*name;
	char		*base_url;
	unsigned char	 public_key[32];
	unsigned char	 secret_key[64];
	char		 epoch[37];
};

enum role { ROLE_NONE, ROLE_VIEWER, ROLE_EDITOR, ROLE_ADMIN };

/* Who is calling. */
enum principal_kind { PRINCIPAL_ANONYMOUS, PRINCIPAL_TOKEN, PRINCIPAL_SESSION };

#define SESSION_LEN	43		/* base64url of 32 bytes */
#define TOKEN_LEN	49		/* "meent_" + base64url of 32 bytes */

struct principal {
	enum principal_kind kind;
	char		 gemeente[8];
	enum role	 role;
	long		 user_id;
	long		 token_id;
	char		 csrf[SESSION_LEN + 1];
};

/* Results of authentication look-ups. */
#define AUTH_OK		0
#define AUTH_INVALID	(-1)
#define AUTH_FAILED	(-2)

#define PASSWORD_MIN		10
#define PASSWORD_MAX		1024
#define PASSWORD_HASH_LEN	128	/* crypto_pwhash_STRBYTES */

struct municipality_filter {
	const char	*provincie;	/* NULL: any */
	int		 grootteklasse;	/* 0: any */
	int		 lid;		/* -1: any, 0 no, 1 yes */
};

/* Who may call a route (the lowest role), checked before the handler. */
enum access { ACCESS_PUBLIC, ACCESS_VIEWER, ACCESS_EDITOR, ACCESS_ADMIN };

#define ROUTE_OWN	0x01	/* the item must be the caller's municipality's */
#define ROUTE_WEB	0x02	/* a web page or form: cookies, same-origin */
#define ROUTE_CORS	0x04	/* readable from any origin */
#define ROUTE_NO_ETAG	0x08	/* changes every time (metrics) */

struct req;
typedef void (*route_handler)(struct req *);

/* One method on one path pattern ("/api/v1/gemeenten/{code}"). */
struct route {
	int		 method;	/* EVHTTP_REQ_* */
	const char	*pattern;
	route_handler	 handler;
	enum access	 access;
	unsigned	 flags;
	size_t		 max_body;	/* most body bytes; 0: none */
	const char	*name;		/* label in logs and metrics */
};

#define ROUTE_MAX_PARAMS 4

/*
 * What a worker's requests need, filled by server.c for each worker and
 * carried by every connection and request (r->ctx): the configuration, the
 * instance, the worker's database and loop, the server-wide settings; and
 * the worker's connections (conn.c keeps them). Nothing looks these up
 * through the server.
 */
struct http_ctx {
	const struct config	*cfg;
	const struct instance	*instance;
	struct db		*db;		/* the worker's connection */
	struct event_base	*base;		/* the worker's loop */
	struct login_guard	*login_guard;
	const char		*origin;	/* of the base URL */
	bool			 secure;	/* the base URL is https */
	const _Atomic bool	*access_log;	/* SIGHUP may change it */
	struct conn		*conns;		/* open, on this worker */
	bool			 draining;	/* stopping: close when done */
	int			 inflight;	/* requests not yet answered */
};

/* One request, from its head to its reply (router.c makes and frees it). */
struct req {
	struct conn		*conn;		/* the connection it came on */
	struct http_ctx		*ctx;		/* its worker's */
	struct db		*db;		/* ctx->db */
	const struct route	*route;
	int			 route_index;
	int			 plugin_route;	/* or -1 */
	int			 method;	/* EVHTTP_REQ_* */
	int			 minor;		/* HTTP/1.minor */
	char			*target;	/* as sent: path?query */
	char			*path;		/* not decoded */
	const char		*query_string;	/* in target, or NULL */
	struct evkeyvalq	*in_headers;
	struct evkeyvalq	*out_headers;
	struct evbuffer		*body;
	char			 peer[46];	/* the socket's peer address */
	char			 client[46];	/* the client's, past proxies */
	char			 rid[17];
	double			 start_ms;
	char			*params[ROUTE_MAX_PARAMS];
	int			 nparams;
	struct evkeyvalq	*query;
	struct principal	 who;
	json_t			*invalid;	/* invalidParams of a 400 */
	json_t			*warnings;	/* from plugins' on_validate */
	bool			 replied;
	bool			 async;		/* a job replies later */
	bool			 handling;	/* its handler (or job) runs */
	int			 status;
};

enum conn_refusal { CONN_REFUSE_HEADERS, CONN_REFUSE_BODY,
    CONN_REFUSE_CONNECTIONS, CONN_REFUSE_DEADLINE, CONN_REFUSE_REQUEST,
    CONN_REFUSE_SLOW_READER, CONN_REFUSE_MAX };

/* A request's head as http_parse.c reads it. */
#define HTTP_TARGET_MAX	1024
#define HTTP_PARSE_MORE	(-1)
struct http_head {
	int		 method;		/* EVHTTP_REQ_* */
	char		 target[HTTP_TARGET_MAX + 1];
	int		 minor;			/* HTTP/1.minor */
	long long	 content_length;	/* -1: none */
	bool		 chunked;
	bool		 close;			/* no keep-alive after it */
	bool		 expect_continue;
	size_t		 length;		/* bytes, blank line included */
};

#define PILOT_NSECTIONS	5

/* A pilot (case study); see pilot.c. Strings are owned. */
struct pilot {
	long		 pk;
	char		 id[37];
	char		 origin[37];
	char		 gemeente[8];
	char		 provincie[32];
	int		 grootteklasse;
	long		 versie;
	bool		 deleted;
	char		*titel, *samenvatting, *domein, *status, *start, *einde;
	char		*vraag, *aanvrager, *contact, *zichtbaarheid;
	json_t		*stakeholders, *tags;
	json_t		*richtlijnen;	/* [{slug, versie}] */
	json_t		*indicatoren;	/* [id] */
	char		*md[PILOT_NSECTIONS], *html[PILOT_NSECTIONS];
	bool		 voorbeeld;
	time_t		 aangemaakt, gewijzigd;
};

/* What a list or search of pilots asks for. NULL/0: no filter. */
struct pilot_query {
	const char	*q;		/* as typed */
	char		*fts;		/* as FTS5 query (fts_query); owned */
	const char	*domein, *gemeente, *provincie, *status, *tag;
	int		 grootteklasse;
	bool		 sort_title;
	int		 page, page_size;
	/* Who is asking: visibility. */
	bool		 member;
	const char	*own;
};

/* What a cached answer needs besides its bytes (cache.c). */
struct cache_meta {
	char		 etag[64];
	char		 gemeente[8];
	char		 zichtbaarheid[10];
	bool		 deleted;
};

/* A guideline's head (guideline_store.c). */
struct guideline {
	long		 pk;
	char		 slug[81];
	char		 origin[37];
	char		 gemeente[8];
	char		 titel[600];
	long		 head;
	time_t		 aangemaakt, gewijzigd;
};

/* A revision or proposal to write. tekst is borrowed unless owned. */
struct revision {
	long		 versie;
	long		 basis;
	const char	*titel;		/* NULL: the guideline's title now */
	const char	*tekst;
	const char	*bericht;
	const char	*gemeente;
	long		 voorstel;
	bool		 samengevoegd;
	time_t		 aangemaakt;
	char		*owned, *owned_bericht, *owned_gemeente;
};

/* One federation entry (docs/federation.md); body is borrowed. */
#define FED_ID_MAX	200
#define FED_ENTRY_MAX	(1 << 20)	/* bytes of one body */
#define FED_PAGE_MAX	500		/* entries per page */
#define FED_RESPONSE_MAX (8 << 20)	/* bytes of one answer */
struct fed_entry {
	long long	 seq;
	char		 origin[37];
	long long	 origin_seq;
	char		 kind[16];
	char		 id[FED_ID_MAX + 1];
	long long	 version;
	bool		 deleted;
	const char	*body;
	size_t		 body_len;
	unsigned char	 sig[64];
};

/* A peer as the scheduler sees it (fed_peer.c). */
struct fed_peer {
	long		 id;
	char		 url[501];
	unsigned char	 key[32];
	bool		 relay;
	int		 interval;
	char		 instance[37];	/* "" before the first contact */
	char		 epoch[37];
	long long	 cursor;
	int		 failures;
};

/* What applying a page did. */
struct fed_counts {
	long		 applied, ignored, quarantined;
};

/* A kind of item that federates (fed_items.c). */
struct fed_kind {
	const char	*name;
	bool		 versioned;	/* its own version; else originSeq */
	/* The public body, or NULL/json_null(): not public (a tombstone). */
	json_t		*(*export)(struct db *, const char *, long long *);
	int		 (*apply)(struct db *, const struct fed_entry *,
			     json_t *, const struct config *, const char **);
};

/* xmalloc.c */
void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2),
	     noreturn));
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* log.c */
int	 log_init(const char *, int);
int	 log_reopen(void);
void	 log_set_level(int);
const char *log_set_rid(const char *);
void	 log_vemit(int, const char *, const char *, va_list)
	     __attribute__((format(printf, 3, 0)));
void	 log_emit(int, const char *, const char *, ...)
	     __attribute__((format(printf, 3, 4)));
void	 log_access(const char *, const char *, int, double, size_t);

/* clock.c */
double	 clock_ms(void);
void	 clock_format(time_t, char *, size_t);
json_t	*clock_json(time_t);

/* strlist.c */
void	 strlist_add(struct strlist *, const char *);
void	 strlist_free(struct strlist *);

/* config.c */
void	 config_init(struct config *);
void	 config_free(struct config *);
int	 config_set(struct config *, const char *, const char *, char **);
int	 config_parse(struct config *, const char *, const char *, size_t,
	     char **);
int	 config_load(struct config *, const char *, char **);

/* file.c */
int	 file_read_all(const char *, size_t, char **, size_t *, char **);
void	 config_print_keys(FILE *);

/* db.c */
void	 db_init(void);
struct db *db_open(const char *, int, char **);
void	 db_close(struct db *);
int	 db_recover(struct db *);
sqlite3	*db_handle(struct db *);
void	 db_error(struct db *, const char *);
unsigned long db_errors(void);
int	 db_failure(struct db *);
void	 db_failure_clear(struct db *);
sqlite3_stmt *db_stmt(struct db *, const char *);
sqlite3_stmt *db_stmt_text(struct db *, const char *);
int	 db_exec(struct db *, const char *);
bool	 db_changed_elsewhere(struct db *);
int	 db_begin(struct db *);
int	 db_commit(struct db *);
void	 db_rollback(struct db *);
int	 db_step_done(struct db *, sqlite3_stmt *, const char *);
void	 db_deadline_set(struct db *, long, long);
void	 db_deadline_clear(struct db *);
bool	 db_deadline_expired(struct db *);
bool	 db_exists(struct db *, const char *, const char *);
int	 db_bind_text(sqlite3_stmt *, int, const char *);
json_t	*db_column_json(sqlite3_stmt *, int);

/* faultvfs.c (built with --enable-fault-injection only) */
int	 faultvfs_register(void);

/* buffer.c */
char	*buffer_take_string(struct evbuffer *);

/* cache.c */
void	 cache_bump(void);
unsigned long cache_generation_now(void);
const char *cache_get(struct db *, const char *, size_t *,
	     struct cache_meta *);
void	 cache_put(const char *, const char *, size_t,
	     const struct cache_meta *, unsigned long);
void	 cache_thread_free(void);

/* fts.c */
int	 fts_register(sqlite3 *);
char	*fts_query(const char *, const char **);

/* markdown.c */
char	*markdown_render(const char *, size_t);
int	 markdown_check(const char *, size_t, size_t, char *, size_t);

/* pilot.c */
extern const char *const pilot_sections[PILOT_NSECTIONS];
bool	 pilot_domain_valid(const struct strlist *, const char *);
const char *const *pilot_domains(const struct strlist *, size_t *);
bool	 pilot_status_valid(const char *);
bool	 pilot_visibility_valid(const char *);
bool	 pilot_date_valid(const char *);
int	 pilot_from_json(struct pilot *, json_t *, const struct strlist *,
	     json_t *);
json_t	*pilot_input_json(const struct pilot *);
json_t	*pilot_json(const struct pilot *, json_t *);
void	 pilot_etag(const struct pilot *, char[64]);
void	 pilot_identity(struct pilot *, const struct pilot *);
void	 pilot_free(struct pilot *);

/* plugin.c (the ABI is plugin.h) */
struct meent_item;
int	 plugin_load_all(const struct config *, char **);
void	 plugin_unload_all(void);
size_t	 plugin_loaded_count(void);
void	 plugin_worker_init(int);
void	 plugin_worker_fini(int);
int	 plugin_validate(struct db *, const struct meent_item *, json_t *,
	     json_t *);
void	 plugin_publish(const struct meent_item *);
unsigned long plugin_events_dropped(void);
int	 plugin_route_find(int, const char *);
void	 plugin_route_run(struct db *, struct meent_request *, int);
void	 plugin_set_request_services(const char *(*)(struct meent_request *,
	     const char *), void (*)(struct meent_request *, int, const char *,
	     const char *, size_t));
void	 plugin_metrics(struct evbuffer *);

/* jobs.c */
enum jobs_pool_id { JOBS_UPLOAD, JOBS_PASSWORD, JOBS_POOLS };
void	 jobs_start(enum jobs_pool_id, int, int);
int	 jobs_submit(enum jobs_pool_id, struct event_base *, void (*)(void *),
	     void (*)(void *, bool), void *);
void	 jobs_drain(struct event_base *);
void	 jobs_stop(void);
void	 jobs_metrics(struct evbuffer *);

/* outbound.c */
#define OUTBOUND_OK		0	/* a response came (see status) */
#define OUTBOUND_REFUSED	1	/* the SSRF guard refused the address */
#define OUTBOUND_FAILED		2	/* network, timeout, TLS, shutdown */
#define OUTBOUND_TOO_LARGE	3	/* the response passed its cap */

/* One outbound request; submitted copies of everything it points to. */
struct outbound_request {
	const char		*method;	/* GET (default) or POST */
	const char		*url;
	const char		*body;
	size_t			 body_len;
	const char		*content_type;
	const char *const	*headers;	/* "Name: value", NULL-ended */
	long			 timeout_ms;	/* 0: 30 s */
	size_t			 max_response;	/* 0: 1 MiB */
	long			 delay_ms;	/* wait before starting */
	bool			 allow_private;	/* tests and explicit config */
	bool			 allow_http;
	bool			 allow_loopback; /* only loopback, http too */
	void			(*done)(void *, int, long, const char *,
				    size_t);
	void			*arg;
};
bool	 outbound_address_private(const struct sockaddr *);
int	 outbound_start(char **);
struct event_base *outbound_base(void);
int	 outbound_submit(const struct outbound_request *);
void	 outbound_stop(void);

/* pilot_store.c */
struct pilot_fts_mark {
	long		*pk;
	size_t		 n;
};
void	 pilot_store_fts_defer(void);
void	 pilot_store_fts_save(struct pilot_fts_mark *);
void	 pilot_store_fts_restore(struct pilot_fts_mark *);
void	 pilot_store_fts_forget(struct pilot_fts_mark *);
int	 pilot_store_fts_flush(struct db *);
void	 pilot_store_fts_cancel(void);
int	 pilot_store_get(struct db *, const char *, struct pilot *);
int	 pilot_store_insert(struct db *, struct pilot *);
int	 pilot_store_update(struct db *, struct pilot *, long);
int	 pilot_store_delete(struct db *, struct pilot *);
int	 pilot_store_revive(struct db *, long);
bool	 pilot_store_visible(const char *, const char *, bool, const char *);
int	 pilot_store_list(struct db *, const struct pilot_query *, json_t **,
	     long *, json_t **);
json_t	*pilot_store_feed(struct db *, int);
long	 pilot_store_count(struct db *);
enum pilot_link { PILOT_LINK_GUIDELINE, PILOT_LINK_INDICATOR };
json_t	*pilot_store_linking(struct db *, enum pilot_link, const char *, bool,
	     const char *);

/* merge.c */
char	*merge_encode(const char *, size_t);
char	*merge_decode(const char *, size_t);
int	 merge_three_way(const char *, const char *, const char *, char **,
	     json_t **);
char	*merge_diff(const char *, const char *, const char *, const char *);
char	*merge_diff_html(const char *);

/* guideline.c */
#define GUIDELINE_SLUG_MAX	80
#define GUIDELINE_TITLE_MAX	150
#define GUIDELINE_TEXT_MAX	(250 * 1000)	/* bytes; see markdown.c */
#define GUIDELINE_MESSAGE_MAX	200
bool	 guideline_slug_valid(const char *);
bool	 guideline_text_valid(const char *, size_t, char *, size_t);
void	 guideline_render(const char *, char **, json_t **);

/* guideline_store.c */
int	 guideline_store_get(struct db *, const char *, struct guideline *);
bool	 guideline_store_is_maintainer(struct db *, long, const char *);
json_t	*guideline_store_maintainers(struct db *, long);
int	 guideline_store_create(struct db *, struct guideline *,
	     struct revision *);
int	 guideline_store_put_revision(struct db *, long,
	     const struct revision *);
int	 guideline_store_revise(struct db *, struct guideline *,
	     struct revision *, json_t **);
void	 revision_free(struct revision *);
json_t	*guideline_store_revision(struct db *, long, long);
json_t	*guideline_store_revisions(struct db *, long);
json_t	*guideline_store_list(struct db *, int, int, long *);
int	 guideline_store_set_maintainers(struct db *, long, json_t *);
int	 guideline_store_set_title(struct db *, long, const char *);
int	 guideline_store_change(struct db *, long, const char *, json_t *);
int	 guideline_store_propose(struct db *, const struct guideline *,
	     const struct revision *, long *);
json_t	*guideline_store_proposal(struct db *, long, long);
json_t	*guideline_store_proposals(struct db *, long);
int	 guideline_store_decide(struct db *, long, long, const char *,
	     const char *, long);
int	 guideline_store_accept(struct db *, struct guideline *, long,
	     struct revision *, json_t **);
int	 guideline_store_adopt(struct db *, long, const char *, long);
int	 guideline_store_unadopt(struct db *, long, const char *);
json_t	*guideline_store_adoptions(struct db *, long);
bool	 guideline_store_present(struct db *);

/* fed_sign.c */
char	*fed_sign_entry_text(const struct fed_entry *);
void	 fed_sign_entry(const struct fed_entry *, const unsigned char *,
	     unsigned char[64]);
bool	 fed_sign_entry_valid(const struct fed_entry *, const unsigned char *);
void	 fed_sign_notify(const char *, long long, const unsigned char *,
	     char[89]);
bool	 fed_sign_notify_valid(const char *, long long, const unsigned char[64],
	     const unsigned char *);
bool	 fed_sign_base64_decode(const char *, unsigned char *, size_t);
char	*fed_sign_base64(const unsigned char *, size_t);
bool	 fed_sign_uuid_valid(const char *);

/* fed_items.c */
const struct fed_kind *fed_items_kind(const char *);
bool	 fed_items_string(json_t *, const char *, size_t, const char **);

/* fed_feed.c */
int	 fed_feed_flush(struct db *, const struct instance *, long *);
json_t	*fed_feed_page(struct db *, const struct instance *, bool, long long,
	     int);
json_t	*fed_feed_wellknown(struct db *, const struct instance *, bool);
int	 fed_feed_store(struct db *, const struct fed_entry *);
long long fed_feed_version(struct db *, const char *, const char *,
	     const char *);

/* fed_peer.c */
char	*fed_peer_url_normalise(const char *, const char **);
int	 fed_peer_add(struct db *, const char *, const unsigned char[32], bool,
	     int, char **);
int	 fed_peer_remove(struct db *, const char *);
json_t	*fed_peer_status(struct db *);
int	 fed_peer_load(struct db *, struct fed_peer *, size_t);
void	 fed_peer_failed(struct db *, long, const char *);
int	 fed_peer_identity(struct db *, struct fed_peer *, const char *,
	     const char *);
int	 fed_peer_progress(struct db *, const struct fed_peer *, long long,
	     const struct fed_counts *);
bool	 fed_peer_origin_name(struct db *, const struct instance *,
	     const char *, char *, size_t);

/* fed_apply.c */
int	 fed_apply_wellknown(struct db *, const struct instance *,
	     struct fed_peer *, const char *, size_t, const char **);
int	 fed_apply_page(struct db *, const struct config *,
	     const struct instance *, struct fed_peer *, const char *, size_t,
	     bool *, struct fed_counts *, const char **);

/* fed_pull.c */
int	 fed_pull_start(const struct config *, const struct instance *,
	     char **);
void	 fed_pull_stop(void);
int	 fed_pull_notified(const char *);
void	 fed_pull_announce(void);

/* migrate.c */
int	 migrate_latest(void);
int	 migrate_apply(struct db *, char **);

/* csvfile.c */
typedef int (*csvfile_row_cb)(const char *const *, size_t, long, void *,
	    char **);
int	 csvfile_parse(const char *, const char *, size_t, csvfile_row_cb,
	     void *, char **);
int	 csvfile_read(const char *, size_t, csvfile_row_cb, void *, char **);
int	 csvfile_column(const char *const *, size_t, const char *);

/* identifier.c: direct identifiers in uploaded data */
enum identifier_kind { IDENTIFIER_NONE, IDENTIFIER_BSN, IDENTIFIER_EMAIL,
    IDENTIFIER_PHONE, IDENTIFIER_IBAN, IDENTIFIER_POSTCODE_HOUSE,
    IDENTIFIER_NAME, IDENTIFIER_DATE };	/* DATE: labels only */
/* What one column has seen so far; zero it before the first value. */
struct identifier_column {
	bool		 header_bsn, header_name;	/* from its name */
	long		 values;			/* non-empty seen */
	long		 hits[IDENTIFIER_NAME + 1];	/* per kind */
	long		 first_row[IDENTIFIER_NAME + 1];	/* 0: none yet */
};
bool	 identifier_bsn_valid(const char *, size_t);
bool	 identifier_iban_valid(const char *, size_t);
enum identifier_kind identifier_value(const char *, size_t);
enum identifier_kind identifier_label(const char *, size_t);
void	 identifier_column_header(struct identifier_column *, const char *);
void	 identifier_column_add(struct identifier_column *, const char *,
	     size_t, long);
enum identifier_kind identifier_column_verdict(
	     const struct identifier_column *, long *);
const char *identifier_reason(enum identifier_kind);

/* sdc.c: statistical disclosure control of one table */
#define SDC_MAX_DIMS	3
#define SDC_TOPN	5	/* the largest contributions kept per cell */
#define SDC_MAX_CELLS	5000	/* totals included; bounds the audit's time */

enum sdc_status { SDC_SAFE, SDC_FREQUENCY, SDC_DOMINANCE, SDC_PPERCENT,
    SDC_IDENTICAL, SDC_SECONDARY };

/*
 * An instance's rules (config keys sdc_*). They are public (docs/privacy.md):
 * protection must hold when an attacker knows them.
 */
struct sdc_rules {
	long		 min_frequency;		/* units per cell (10) */
	int		 dominance_n;		/* (n,k)-dominance: the n ... */
	double		 dominance_k;		/* ... largest over k% (2, 85) */
	double		 p_percent;		/* p%-rule (10) ... */
	int		 coalition;		/* ... against this many (2) */
	double		 protection_percent;	/* audit: interval (30) */
	int		 round_base;		/* 0: none, or e.g. 5 */
	int		 noise_count;		/* cell-key: counts -d..d (2) */
	double		 noise_magnitude;	/* ... amounts, % of top (30) */
};

/* One cell; coord[d] == ncat[d] is dimension d's total. */
struct sdc_cell {
	int		 coord[SDC_MAX_DIMS];
	double		 value;		/* sum of contributions, or a count */
	long		 units;		/* contributors (rows, persons) */
	double		 top[SDC_TOPN];	/* largest contributions, descending */
	double		 low;		/* smallest contribution */
	uint32_t	 ckey;		/* cell key: sum of record keys */
	uint32_t	 vkey;		/* ... of value keys (amounts) */
	enum sdc_status	 status;
	double		 lower, upper;	/* the audit's interval of the value */
	double		 ulower, uupper; /* ... of the units */
	double		 pub_value;	/* published (rounded) value */
	long		 pub_units;	/* published (rounded) units */
};

/* A table with every marginal total: prod(ncat[d] + 1) cells. */
struct sdc_table {
	int		 ndims;			/* 0..SDC_MAX_DIMS */
	int		 ncat[SDC_MAX_DIMS];	/* categories, total excluded */
	bool		 magnitude;		/* top[] is filled: dominance, p% */
	bool		 count;			/* value is a count: rounded too */
	size_t		 ncells;
	struct sdc_cell	*cells;
};

/* What protection did, for the report. */
struct sdc_report {
	size_t		 cells;			/* all, totals included */
	size_t		 published;
	size_t		 by_status[SDC_SECONDARY + 1];
	size_t		 audited;		/* secret cells checked by LP */
	bool		 audit_ok;
	bool		 escalated;		/* fell back to full suppression */
	bool		 rounded;
};

void	 sdc_rules_defaults(struct sdc_rules *);
void	 sdc_rules_config(const struct config *, struct sdc_rules *);
int	 sdc_table_init(struct sdc_table *, int, const int *);
void	 sdc_table_free(struct sdc_table *);
size_t	 sdc_index(const struct sdc_table *, const int *);
void	 sdc_add_unit(struct sdc_table *, const int *, double, uint32_t,
	     uint32_t);
void	 sdc_set_cell(struct sdc_table *, const int *, double, long,
	     uint32_t);
void	 sdc_fill_totals(struct sdc_table *);
void	 sdc_primary(struct sdc_table *, const struct sdc_rules *);
void	 sdc_secondary(struct sdc_table *);
int	 sdc_audit(struct sdc_table *, const struct sdc_rules *, size_t *,
	     size_t *);
int	 sdc_protect(struct sdc_table *, const struct sdc_rules *,
	     struct sdc_report *);
const char *sdc_status_name(enum sdc_status);

/* cellkey.c */
#define CELLKEY_KEYBYTES	32
void	 cellkey_derive(const unsigned char *, const char *, unsigned char *);
uint64_t cellkey_pseudonym(const unsigned char *, const char *, const void *,
	     size_t);
uint32_t cellkey_record(uint64_t);
int	 cellkey_count_noise(uint32_t, int);
double	 cellkey_eta(uint32_t);

/* csvstream.c */
#define CSVSTREAM_MAX_FIELDS	64
#define CSVSTREAM_MAX_FIELD	4096
struct csvstream_error {
	long		 row;		/* 1-based; the header is 1 */
	int		 column;	/* 1-based; 0: the whole row */
	const char	*reason;	/* Dutch, static */
};
typedef int (*csvstream_row_cb)(const char *const *, const size_t *, size_t,
	    long, void *, struct csvstream_error *);
bool	 csvstream_utf8_valid(const unsigned char *, size_t);
int	 csvstream_parse(struct evbuffer *, csvstream_row_cb, void *,
	     struct csvstream_error *);
void	 csvstream_wipe(struct evbuffer *);

/* dataset.c */
#define DATASET_MAX_BYTES	(32 << 20)
#define DATASET_MAX_ROLES	64
enum dataset_role { DATASET_ROLE_NONE, DATASET_ROLE_IDENTIFYING,
    DATASET_ROLE_QUASI, DATASET_ROLE_DIMENSION, DATASET_ROLE_MEASURE };
struct dataset_column_role {
	char		 name[65];
	enum dataset_role role;
	bool		 mean;		/* a measure averaged, not summed */
};
/* What an upload asked for; copied, so a job may outlive the request. */
struct dataset_request {
	bool		 microdata;
	char		 indicator[65];
	char		 periode[8];
	char		 gemeente[8];
	char		 soort[8];	/* the indicator's kind */
	struct dataset_column_role roles[DATASET_MAX_ROLES];
	size_t		 nroles;
	struct sdc_rules rules;
	unsigned char	 cellkey[CELLKEY_KEYBYTES];	/* record keys' key */
};
/* What came out: problems (refused), or a report and a protected table. */
struct dataset_result {
	json_t		*problems;
	json_t		*report;	/* for everyone */
	json_t		*report_own;	/* for the uploader's municipality */
	json_t		*table;
	json_t		*statuses;	/* each cell's rule, as the table's */
	bool		 publishable;
};
#define DATASET_PROTECTION_METHOD	"celsleutel"
const char *dataset_role_name(enum dataset_role);
int	 dataset_roles_parse(const char *, struct dataset_request *,
	     const char **);
void	 dataset_process(const struct dataset_request *, struct evbuffer *,
	     struct dataset_result *);
void	 dataset_result_free(struct dataset_result *);
const char *dataset_table_acceptable(json_t *, json_t *,
	     const struct sdc_rules *);

/* dataset_linked.c */
const char *dataset_linked_check(json_t *, json_t *, json_t *, long);

/* dataset_store.c */
struct dataset_row {
	const char	*id, *origin, *gemeente, *indicator, *periode, *vorm;
	bool		 publishable;
	const char	*rapport, *tabel;	/* JSON text */
	const char	*rapport_eigen;		/* the uploader's, JSON text */
	const char	*cel_regels;		/* each cell's rule, JSON text */
};
int	 dataset_store_insert(struct db *, const struct dataset_row *);
int	 dataset_store_get(struct db *, const char *, const char *, json_t **);
json_t	*dataset_store_list(struct db *, const char *, const char *,
	     const char *);
int	 dataset_store_publish(struct db *, const char *, const char *, long,
	     const char **);
int	 dataset_store_remove(struct db *, const char *, const char *);
int	 dataset_store_feed_comparison(struct db *, const char *);
int	 dataset_store_figure_remove(struct db *, const char *, const char *);

/* multipart.c */
#define MULTIPART_MAX_PARTS	16
struct multipart_part {
	char		 name[64];
	bool		 file;
	size_t		 start, len;	/* the bytes, in the body */
};
int	 multipart_parse(const char *, struct evbuffer *,
	     struct multipart_part *, size_t, size_t *, const char **);
char	*multipart_text(struct evbuffer *, const struct multipart_part *,
	     size_t);
struct evbuffer *multipart_take(struct evbuffer *,
	     const struct multipart_part *);

/* indicator.c */
/* An indicator definition; strings borrowed from the JSON it came from. */
struct indicator {
	const char	*id, *naam, *omschrijving, *eenheid, *soort, *richting,
			*noemer, *bron;
	const char	*origin;	/* NULL: this instance's (federation) */
};
bool	 indicator_id_valid(const char *);
bool	 indicator_period_valid(const char *);
bool	 indicator_status_valid(const char *);
int	 indicator_from_json(json_t *, struct indicator *,
	     void (*)(void *, const char *, const char *), void *);
int	 indicator_put(struct db *, const struct indicator *);
bool	 indicator_exists(struct db *, const char *);
json_t	*indicator_get(struct db *, const char *);
json_t	*indicator_list(struct db *);

/* indicator_import.c */
struct indicator_import {
	const char	*indicator, *source, *status;
	const char	*code_column, *period_column, *value_column;
};
struct indicator_import_report {
	long	 rows, imported, missing, unknown, periods;
};
#define INDICATOR_VALUE_MAX	1e15
void	 indicator_import_defaults(struct indicator_import *);
int	 indicator_parse_value(const char *, double *);
int	 indicator_import_file(struct db *, const struct indicator_import *,
	     const char *, struct indicator_import_report *, char **);

/* comparison.c */
struct comparison_query {
	const char	*indicator, *gemeente, *periode, *groep;
};
bool	 comparison_group_valid(const char *);
double	 comparison_quantile(const double *, size_t, double);
json_t	*comparison_make(struct db *, json_t *,
	     const struct comparison_query *);

/* comparison_csv.c */
struct evbuffer *comparison_csv(json_t *);

/* chart.c */
struct evbuffer *chart_svg(json_t *, json_t *);
void	 chart_number(char *, size_t, double);

/* seed_indicators.c */
bool	 seed_indicators_present(struct db *);
int	 seed_indicators_load(struct db *, const char *, const struct config *,
	     long *, char **);

/* refdata.c */
long	 refdata_load_gemeenten(struct db *, const char *, char **);

/* municipality.c */
int	 municipality_size_class(long);
bool	 municipality_code_valid(const char *);
json_t	*municipality_get(struct db *, const char *, int *);
json_t	*municipality_list(struct db *, const struct municipality_filter *, int, int,
	     long *);
void	 municipality_filter_bind(sqlite3_stmt *, const struct municipality_filter *);
bool	 municipality_province_exists(struct db *, const char *);
int	 municipality_mark_member(struct db *, const char *);
bool	 municipality_exists(struct db *, const char *);
json_t	*municipality_names(struct db *);

/* instance.c */
void	 instance_uuid(char[37]);
int	 instance_create(struct db *, const char *, const char *,
	     const char *, char **);
int	 instance_load(struct db *, const char *, struct instance *, char **);
void	 instance_free(struct instance *);
int	 instance_uuid_read(struct db *, char[37], char **);

/* role.c */
const char *role_name(enum role);
enum role role_parse(const char *);

/* token.c */
void	 token_digest(const char *, unsigned char[32]);
void	 token_generate(char[TOKEN_LEN + 1]);
bool	 token_well_formed(const char *, size_t);
int	 token_create(struct db *, const char *, enum role, const char *, int,
	     char[TOKEN_LEN + 1], long *);
int	 token_lookup(struct db *, const char *, size_t, struct principal *);
int	 token_revoke(struct db *, long);
int	 token_print_list(struct db *, FILE *);
json_t	*token_list_json(struct db *, const char *, int, int, long *);
int	 token_gemeente(struct db *, long, char[8]);

/* password.c */
bool	 password_acceptable(const char *, size_t);
int	 password_hash(const char *, size_t, char[PASSWORD_HASH_LEN]);
bool	 password_verify(const char *, const char *, size_t);

/* user.c */
bool	 user_email_valid(const char *);
long	 user_add(struct db *, const char *, const char *, const char *,
	     enum role, const char *, size_t, char **);
int	 user_login_lookup(struct db *, const char *, struct principal *,
	     char *);

/* session.c */
int	 session_create(struct db *, long, int, char[SESSION_LEN + 1]);
int	 session_lookup(struct db *, const char *, struct principal *);
int	 session_delete(struct db *, const char *);

/* frontmatter.c */
json_t	*frontmatter_parse(const char *, const char **, char **);
json_t	*frontmatter_list(const char *);

/* seed_pilots.c */
bool	 seed_pilots_present(struct db *);
int	 seed_pilots_load(struct db *, const char *, const struct config *,
	     long *, char **);

/* seed_guidelines.c */
int	 seed_guidelines_load(struct db *, const char *, const struct config *,
	     long *, char **);

/* seed.c */
int	 seed_load_dir(const struct config *, char **);

/* ratelimit.c */
struct ratelimit;
struct ratelimit *ratelimit_new(double, double);
void	 ratelimit_free(struct ratelimit *);
bool	 ratelimit_allow(struct ratelimit *, const char *, size_t);

/* http.c */
const char *http_reason(int);
const char *http_method_name(int);
int	 http_method_type(const char *);
bool	 http_method_known(const char *);
char	*http_origin(const char *);

/* login_guard.c */
#define LOGIN_DEVICE_LEN	43	/* base64url of 32 bytes */
struct login_guard;
struct login_guard *login_guard_new(const unsigned char *, int);
void	 login_guard_free(struct login_guard *);
int	 login_guard_check(struct login_guard *, const char *, const char *,
	     const char *);
void	 login_guard_result(struct login_guard *, const char *, const char *,
	     bool);
void	 login_guard_device_new(struct login_guard *, const char *, char *);
bool	 login_guard_device_valid(struct login_guard *, const char *,
	     const char *);

/* proxy.c */
bool	 proxy_net_valid(const char *);
bool	 proxy_trusted(const struct strlist *, const char *);
void	 proxy_client_addr(const struct strlist *, const char *, const char *,
	     const char *, char *);
bool	 proxy_https(const struct strlist *, const char *, const char *,
	     const char *);

/* http_parse.c */
int	 http_parse_head(const char *, size_t, size_t, struct http_head *,
	     struct evkeyvalq *, const char **);
int	 http_parse_field(const char *, size_t, size_t *, const char **,
	     size_t *, const char **);
int	 http_parse_chunk_size(const char *, size_t, uint64_t *);

/* conn.c */
int	 conn_open_count(void);
unsigned long conn_refused(enum conn_refusal);
const char *conn_refusal_name(enum conn_refusal);
void	 conn_accept(struct http_ctx *, int, const struct sockaddr *);
void	 conn_respond(struct conn *, struct req *, int, struct evkeyvalq *,
	     struct evbuffer *);
void	 conn_close_if_idle(struct conn *);
void	 conn_free_all(struct http_ctx *);
struct conn *conn_next(struct conn *);

/* server.c */
void	 server_set_access_log(struct server *, bool);
int	 server_port(struct server *);
struct server *server_start(struct config *, char **);
void	 server_stop(struct server *);

/* routes.c */
extern const struct route routes_table[];
extern const size_t routes_count;

/* router.c */
void	 router_init(const struct route *, size_t);
size_t	 router_route_count(void);
const char *router_route_name(size_t);
const char *router_access_name(enum access);
int	 router_match(int, const char *, char **, int *, unsigned *);
struct req *router_req_new(struct http_ctx *, struct conn *, const char *,
	     const struct http_head *, struct evkeyvalq *);
int	 router_admit(struct req *, long long, size_t *);
void	 router_run(struct req *);
void	 router_req_free(struct req *);
void	 router_print(FILE *);

/* auth.c */
int	 auth_identify(struct req *);
bool	 auth_same_origin(struct req *);
const char *auth_cookie_name(const struct http_ctx *);
bool	 auth_session_cookie(struct req *, char *, size_t);
bool	 auth_cookie_value(const char *, const char *, char *, size_t);

/* html.c */
void	 html_escape(struct evbuffer *, const char *);
void	 html_out(struct evbuffer *, const char *, ...);
char	*html_fragment(const char *);

/* web_page.c */
void	 web_page_init(void);
void	 web_page_start(struct req *, struct evbuffer *, const char *);
void	 web_page_end(struct evbuffer *);
void	 web_page_reply(struct req *, int, struct evbuffer *);
void	 web_page_errors(struct evbuffer *, json_t *);

/* Handlers, each in the file its prefix names. */
typedef void (*dataset_answer_fn)(struct req *, const struct dataset_result *,
	    const char *);
void	 api_datasets_request(struct req *, const char *, const char *,
	     const char *, const char *, struct dataset_request *);
void	 api_datasets_submit(struct req *, const struct dataset_request *,
	     struct evbuffer *, dataset_answer_fn);
void	 api_datasets_problems(struct req *, json_t *);
int	 api_datasets_store_reply(struct req *, int, const char *);
int	 api_datasets_publish_path(struct req *);
void	 api_datasets_create(struct req *);
void	 api_datasets_list(struct req *);
void	 api_datasets_get(struct req *);
void	 api_datasets_publish(struct req *);
void	 api_datasets_delete(struct req *);
void	 api_federation_wellknown(struct req *);
void	 api_federation_changes(struct req *);
void	 api_federation_notify(struct req *);
void	 ops_healthz(struct req *);
void	 ops_readyz(struct req *);
void	 ops_metrics(struct req *);
void	 api_openapi_get(struct req *);
void	 api_indicators_list(struct req *);
void	 api_indicators_get(struct req *);
void	 api_indicators_vergelijking(struct req *);
int	 api_indicators_query(struct req *, json_t *,
	     struct comparison_query *);
void	 api_municipalities_list(struct req *);
void	 web_benchmarks_list(struct req *);
void	 web_benchmarks_show(struct req *);
void	 web_datasets_new(struct req *);
void	 web_datasets_create(struct req *);
void	 web_datasets_show(struct req *);
void	 web_datasets_publish(struct req *);
void	 web_datasets_remove(struct req *);
void	 api_municipalities_get(struct req *);
void	 api_me_get(struct req *);
void	 api_tokens_list(struct req *);
void	 api_tokens_create(struct req *);
void	 api_tokens_revoke(struct req *);
void	 static_css(struct req *);
void	 static_init(const struct config *);
bool	 static_nlds_available(void);
void	 static_nlds(struct req *);
void	 web_home(struct req *);
void	 api_pilots_list(struct req *);
void	 api_pilots_get(struct req *);
void	 api_pilots_create(struct req *);
void	 api_pilots_put(struct req *);
void	 api_pilots_patch(struct req *);
void	 api_pilots_delete(struct req *);
void	 api_pilots_query(struct req *, struct pilot_query *);
int	 api_pilots_run(struct req *, const struct pilot_query *, json_t **,
	     long *, json_t **);
/* Why a search stopped by its budget is answered 503 (API and pages). */
#define API_PILOTS_TOO_LONG	"De zoekopdracht duurde te lang; maak hem " \
	"specifieker."
void	 api_zoek(struct req *);
json_t	*api_guidelines_head(struct req *, const struct guideline *);
int	 api_guidelines_refuse_foreign(struct req *, const struct guideline *);
void	 api_guidelines_list(struct req *);
void	 api_guidelines_get(struct req *);
void	 api_guidelines_create(struct req *);
void	 api_guidelines_put(struct req *);
void	 api_guidelines_versies(struct req *);
void	 api_guidelines_versie(struct req *);
void	 api_guidelines_revise(struct req *);
void	 api_guidelines_diff(struct req *);
void	 api_guidelines_voorstellen(struct req *);
void	 api_guidelines_propose(struct req *);
void	 api_guidelines_voorstel(struct req *);
void	 api_guidelines_decide(struct req *);
void	 api_guidelines_adopties(struct req *);
void	 api_guidelines_adopt(struct req *);
void	 api_guidelines_unadopt(struct req *);
int	 api_pilots_load(struct req *, struct pilot *, bool);
void	 api_pilots_new_identity(struct req *, struct pilot *);
int	 api_pilots_publish(struct req *, struct pilot *);
int	 api_pilots_links_exist(struct req *, const struct pilot *);
int	 api_pilots_plugins_validate(struct req *, const struct pilot *);
void	 api_pilots_plugins_publish(const struct pilot *);
void	 web_pilots_list(struct req *);
void	 web_pilots_show(struct req *);
void	 web_pilots_recent(struct req *, struct evbuffer *, int);
const char *web_pilots_klasse(int);
void	 web_zoeken(struct req *);
void	 web_pilot_form_new(struct req *);
void	 web_pilot_form_create(struct req *);
void	 web_pilot_form_edit(struct req *);
void	 web_pilot_form_update(struct req *);
void	 feed_pilots(struct req *);
int	 web_guidelines_load(struct req *, struct guideline *);
void	 web_guidelines_list(struct req *);
void	 web_guidelines_show(struct req *);
void	 web_guidelines_versie(struct req *);
void	 web_guidelines_diff(struct req *);
void	 web_guideline_form_propose_new(struct req *);
void	 web_guideline_form_propose_post(struct req *);
void	 web_guideline_form_proposal(struct req *);
void	 web_guideline_form_decide(struct req *);
void	 web_login_form(struct req *);
void	 web_login_post(struct req *);
void	 web_logout_post(struct req *);
int	 web_form(struct req *, struct evkeyvalq *);
int	 web_form_checked(struct req *, struct evkeyvalq *);
bool	 web_csrf_valid(struct req *, const char *);

/* req.c */
const char *req_query(struct req *, const char *);
const char *req_header(struct req *, const char *);
struct evbuffer *req_body(struct req *);
void	 req_invalid(struct req *, const char *, const char *, ...)
	     __attribute__((format(printf, 3, 4)));
bool	 req_has_invalid(struct req *);
int	 req_query_int(struct req *, const char *, long, long, long, long *);
int	 req_page(struct req *, int *, int *);
json_t	*req_links(struct req *, int, int, long);
int	 req_body_json(struct req *, json_t **);
bool	 req_own(struct req *, const char *);
long	 req_number(const char *);

/* reply.c */
void	 reply_send(struct req *, int, const char *, struct evbuffer *);
void	 reply_header(struct req *, const char *, const char *);
void	 reply_json(struct req *, int, json_t *);
void	 reply_text(struct req *, int, const char *, const char *, size_t);
void	 reply_problem(struct req *, int, const char *, const char *, ...)
	     __attribute__((format(printf, 4, 5)));
void	 reply_db_failed(struct req *, const char *, ...)
	     __attribute__((format(printf, 2, 3)));
void	 reply_invalid(struct req *);
void	 reply_unauthorized(struct req *, const char *);
void	 reply_not_allowed(struct req *, unsigned);
void	 reply_redirect(struct req *, const char *);
typedef void (*reply_page_fn)(struct req *, int, const char *, const char *);
void	 reply_set_problem_page(reply_page_fn);
bool	 reply_etag_matches(const char *, const char *);

/* metrics.c */
void	 metrics_count_status(int, int);
void	 metrics_observe(int, int, double);
void	 metrics_write(struct evbuffer *);

#endif /* MEENT_H */
