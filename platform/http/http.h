/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * HTTP: connections, the router, requests and replies, authentication,
 * metrics, the server. Calls federation, plugins and below; never a handler
 * (the route table comes from the program).
 */
#ifndef MEENT_HTTP_H
#define MEENT_HTTP_H

#include "fed/fed.h"
#include "plugin/plugins.h"

/* Who may call a route (the lowest role), checked before the handler. */
enum access { ACCESS_PUBLIC, ACCESS_VIEWER, ACCESS_EDITOR, ACCESS_ADMIN };

#define ROUTE_OWN	0x01	/* the item must be the caller's municipality's */
#define ROUTE_WEB	0x02	/* a web page or form: cookies, same-origin */
#define ROUTE_CORS	0x04	/* readable from any origin */
#define ROUTE_NO_ETAG	0x08	/* changes every time (metrics) */
#define ROUTE_SPOOL	0x10	/* the body goes to a file as it comes (r->spool) */
/* With ROUTE_SPOOL: a form whose file part goes to r->spool, the rest to r->form. */
#define ROUTE_FORM	0x20

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
	/* Answers waiting for their commit to be durable (park.c). */
	struct req		*parked, *parked_tail;
	struct event		*park_ev;	/* the syncer wakes it */
	struct fed_feed_tx	*feed;		/* signs writes into the feed */
};

/* One request, from its head to its reply (router.c makes and frees it). */
struct req {
	struct conn		*conn;		/* the connection it came on */
	/* Sends the reply on it (conn.c sets it; reply.c calls it). */
	void			(*respond)(struct conn *, struct req *, int,
				    struct evkeyvalq *, struct evbuffer *);
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
	/*
	 * ROUTE_SPOOL: the body, written and hashed as it arrived, in a
	 * temporary file (conn.c); r->body stays empty. fd -1: writing it
	 * failed. Freed (and the file removed unless committed) with r.
	 */
	struct attachment_upload *spool;
	/*
	 * ROUTE_FORM: the multipart form read as it came (core/multipart.c);
	 * its file part's bytes went to spool. multipart_stream_end() says
	 * whether it was whole.
	 */
	struct multipart_stream	*form;
	char			 peer[46];	/* the socket's peer address */
	char			 client[46];	/* the client's, past proxies */
	bool			 https;		/* to them, says a trusted proxy */
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
	/* Group commit (park.c): the tickets before it and that it needs. */
	uint64_t		 durable_mark, durable_need;
	long long		 changes_mark;	/* db_changes() at its start */
	uint64_t		 batch_first;	/* the first batch it could write */
	bool			 parked;	/* its answer waits for a sync */
	bool			 unparked;	/* it waited: it goes now */
	struct {
		uint64_t	 ticket;
		uint64_t	 batch;		/* its batch, not committed yet */
		bool		 uncommitted;	/* its batch failed */
		int		 status;
		char		*ctype;
		struct evbuffer	*body;
		bool		 free;		/* freed by the router meanwhile */
		struct req	*next;
	} park;
};

enum conn_refusal { CONN_REFUSE_HEADERS, CONN_REFUSE_BODY,
    CONN_REFUSE_CONNECTIONS, CONN_REFUSE_DEADLINE, CONN_REFUSE_REQUEST,
    CONN_REFUSE_SLOW_READER, CONN_REFUSE_MAX };

/* conn.c */
void	 conn_metrics(struct evbuffer *);
const char *conn_refusal_name(enum conn_refusal);
void	 conn_accept(struct http_ctx *, int, const struct sockaddr *);
void	 conn_close_if_idle(struct conn *);
void	 conn_free_all(struct http_ctx *);
struct conn *conn_next(struct conn *);

/* server.c */
void	 server_reload(struct server *, struct config *);
int	 server_port(struct server *);
struct server *server_start(struct config *, char **);
void	 server_stop(struct server *);

/* router.c */
void	 router_init(const struct route *, size_t);
const char *router_access_name(enum access);
int	 router_match(int, const char *, char **, int *, unsigned *);
struct req *router_req_new(struct http_ctx *, struct conn *, const char *,
	     const struct http_head *, struct evkeyvalq *);
int	 router_admit(struct req *, long long, size_t *);
void	 router_run(struct req *);
void	 router_resume(struct req *);
void	 router_req_free(struct req *);
void	 router_print(FILE *);

/* auth.c */
int	 auth_identify(struct req *);
bool	 auth_same_origin(struct req *);
const char *auth_cookie_name(const struct http_ctx *);
bool	 auth_session_cookie(struct req *, char *, size_t);
bool	 auth_cookie_value(const char *, const char *, char *, size_t);

/* req.c */
void	 req_free(struct req *);
const char *req_query(struct req *, const char *);
const char *req_header(struct req *, const char *);
bool	 req_secure(const struct req *);
struct evbuffer *req_body(struct req *);
void	 req_invalid(struct req *, const char *, const char *, ...)
	     __attribute__((format(printf, 3, 4)));
bool	 req_has_invalid(struct req *);
const char *req_invalid_reason(json_t *, const char *);
int	 req_query_int(struct req *, const char *, long, long, long, long *);
int	 req_page(struct req *, int *, int *);
json_t	*req_links(struct req *, int, int, long);
bool	 req_own(struct req *, const char *);
long	 req_number(const char *);

/* park.c */
void	 park_mark(struct req *);
void	 park_until_durable(struct req *);
bool	 park_reply(struct req *, int, const char *, struct evbuffer *);
void	 park_batch_end(struct http_ctx *);
void	 park_announce(struct http_ctx *, bool);
void	 park_batch_check(struct http_ctx *);
void	 park_init(struct http_ctx *);
void	 park_drain(struct http_ctx *);

/* reply.c */
void	 reply_send(struct req *, int, const char *, struct evbuffer *);
void	 reply_etag(struct evbuffer *, char[36]);
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
bool	 metrics_allowed(const struct req *);
void	 metrics_count_status(int, int);
void	 metrics_observe(int, int, double);
void	 metrics_routes(const struct route *, size_t);
void	 metrics_write(struct evbuffer *);


#endif /* MEENT_HTTP_H */
