/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The core: memory, logging, clock, strings and buffers, the
 * configuration, escaping and the parsers (HTTP heads, CSV, Markdown, front
 * matter, multipart). Nothing here knows of the database or of requests.
 */
#ifndef MEENT_CORE_H
#define MEENT_CORE_H

#include "config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

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
/* A number macro as a string literal: "PRAGMA x=" stringify(N) */
#define stringify_(x)		#x
#define stringify(x)		stringify_(x)

#ifndef MEENT_CONTENT_DIR
#define MEENT_CONTENT_DIR	"/usr/local/share/meent/content"
#endif

/* Log levels. */
enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_FATAL };

struct strlist {
	char	**v;
	size_t	  n, cap;
};

/*
 * One value of a closed set (choice.c), with its Dutch label and, for
 * forms, an explanation (or NULL). A set ends with { NULL }.
 */
struct choice {
	const char	*value;		/* as the API and the database have it */
	const char	*label;		/* for pages and form options */
	const char	*hint;		/* for forms; may be NULL */
};

/* Limits the configuration's defaults and bounds come from. */
#define DATASET_MAX_BYTES	(32 << 20)	/* one upload (dataset.c) */
/* One attachment (domain/attachment.c): the route's cap, the key's bound. */
#define ATTACHMENT_MAX_BYTES	(25 << 20)
#define SDC_TOPN		5	/* largest contributions kept per cell */

/* What trusted proxies say the client is in (proxy_header). */
enum { PROXY_HEADER_XFF, PROXY_HEADER_FORWARDED };
/* How log lines look (log_format). */
enum { LOG_FORMAT_JSON, LOG_FORMAT_TEXT };

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
	bool		 access_log_client;
	int		 max_connections;
	size_t		 max_header_bytes;
	size_t		 max_body_bytes;
	size_t		 attachment_max_bytes;
	size_t		 attachment_pilot_max_bytes;
	int		 header_timeout;
	int		 request_timeout;
	int		 keepalive_timeout;
	int		 login_per_minute;
	int		 session_hours;
	struct strlist	 domeinen;	/* empty: the default list */
	struct strlist	 plugins;	/* "PATH key=value ..." */
	bool		 plugin_optional;
	struct strlist	 trusted_proxy;	/* addresses, ADDR/PREFIX */
	int		 proxy_header;	/* PROXY_HEADER_* */
	struct strlist	 metrics_allow;	/* addresses, ADDR/PREFIX */
	int		 log_format;	/* LOG_FORMAT_* */
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
	/* Outgoing e-mail (domain/mail_send.c); read at start. */
	char		*smtp_url;
	char		*smtp_from;
	char		*smtp_credentials_file;
	int		 smtp_timeout;
	int		 smtp_retry_min;
	int		 smtp_retry_max;
	int		 smtp_max_attempts;
	int		 smtp_max_age_hours;
};

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
void	 log_set_format(int);
void	 log_access(const char *, const char *, int, double, size_t,
	     const char *);

/* choice.c */
const struct choice *choice_find(const struct choice *, const char *);
bool	 choice_valid(const struct choice *, const char *);
const char *choice_label(const struct choice *, const char *);
size_t	 choice_count(const struct choice *);
char	*choice_values_text(const struct choice *);

/* clock.c */
double	 clock_ms(void);
void	 clock_deadline(struct timespec *, long);
void	 clock_format(time_t, char *, size_t);
json_t	*clock_json(time_t);

/* nl.c: Dutch numbers, dates and plurals for people */
#define NL_NUMBER_MAX	48	/* nl_number's and nl_count's longest text */
#define NL_DATE_MAX	48	/* nl_date's and nl_datetime's */
char	*nl_number(char *, size_t, double, int);
char	*nl_count(char *, size_t, long);
const char *nl_plural(long, const char *, const char *);
long	 nl_amsterdam_offset(time_t);
char	*nl_date(char *, size_t, time_t);
char	*nl_datetime(char *, size_t, time_t);
#define NL_COUNTED_MAX	(NL_NUMBER_MAX + 64)	/* nl_counted's */
char	*nl_counted(char *, size_t, long, const char *, const char *);
char	*nl_date_text(char *, size_t, const char *);
char	*nl_datetime_text(char *, size_t, const char *);
char	*nl_period(char *, size_t, const char *);

/* sheet.c, sheet_xlsx.c: a table for people, as CSV for Dutch Excel or .xlsx */
#define SHEET_XLSX_TYPE \
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
struct evbuffer *sheet_csv_nl(json_t *);
const char *sheet_content_type(const char *);
int	 sheet_render(json_t *, const char *, const char *, struct evbuffer *);
int	 sheet_xlsx(json_t *, const char *, struct evbuffer *);

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
char	*config_restart_keys(struct config *, const struct config *);

/* buffer.c */
char	*buffer_take_string(struct evbuffer *);

/* markdown.c */
char	*markdown_render(const char *, size_t);
void	 markdown_lf(char *);
int	 markdown_check(const char *, size_t, size_t, char *, size_t);

/* snippet.c */
char	*snippet_plain(const char *);
char	*snippet_unmarked(const char *);

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

/* csvfile.c */
typedef int (*csvfile_row_cb)(const char *const *, size_t, long, void *,
	    char **);
int	 csvfile_parse(const char *, const char *, size_t, csvfile_row_cb,
	     void *, char **);
int	 csvfile_read(const char *, size_t, csvfile_row_cb, void *, char **);
int	 csvfile_column(const char *const *, size_t, const char *);

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
int	 csvstream_delimiter(struct evbuffer *, unsigned char *,
	     struct csvstream_error *);
int	 csvstream_parse(struct evbuffer *, csvstream_row_cb, void *,
	     struct csvstream_error *);
void	 csvstream_wipe(struct evbuffer *);

/* multipart.c */
#define MULTIPART_MAX_PARTS	16
struct multipart_part {
	char		 name[64];
	bool		 file;
	char		 filename[256];	/* as sent (quoted-string), cut */
	size_t		 start, len;	/* the bytes, in the body */
};
int	 multipart_parse(const char *, struct evbuffer *,
	     struct multipart_part *, size_t, size_t *, const char **);
char	*multipart_text(struct evbuffer *, const struct multipart_part *,
	     size_t);
struct evbuffer *multipart_take(struct evbuffer *,
	     const struct multipart_part *);
/* The same, read as it arrives: the file part to a sink, the rest kept. */
#define MULTIPART_STREAM_FIELDS	(64 * 1024)	/* the small parts' bytes */
typedef void (*multipart_sink_fn)(void *, const void *, size_t);
struct multipart_stream;
struct multipart_stream *multipart_stream_new(const char *,
	     multipart_sink_fn, void *);
void	 multipart_stream_feed(struct multipart_stream *, const void *,
	     size_t);
int	 multipart_stream_end(struct multipart_stream *,
	     const struct multipart_part **, size_t *,
	     const struct multipart_part **, struct evbuffer **, const char **);
void	 multipart_stream_free(struct multipart_stream *);

/* datadir_lock.c: one user of a data directory at a time */
int	 datadir_lock(const char *, char **);

/* zipout.c: a zip archive in memory */
struct zipout;
struct zipout *zipout_new(void);
int	 zipout_add(void *, const char *, const char *, size_t);
int	 zipout_finish(struct zipout *, struct evbuffer *);
void	 zipout_free(struct zipout *);

/* frontmatter.c */
json_t	*frontmatter_parse(const char *, const char **, char **);
json_t	*frontmatter_list(const char *);
json_t	*frontmatter_list_of(json_t *);

/* ratelimit.c */
struct ratelimit;
struct ratelimit *ratelimit_new(double, double);
void	 ratelimit_free(struct ratelimit *);
void	 ratelimit_set_rate(struct ratelimit *, double, double);
bool	 ratelimit_allow(struct ratelimit *, const char *, size_t);

/* http.c */
const char *http_reason(int);
const char *http_method_name(int);
int	 http_method_type(const char *);
bool	 http_method_known(const char *);
char	*http_origin(const char *);
#define HTTP_LOCAL_PATH_MAX	500	/* bytes of a path to go back to */
bool	 http_local_path(const char *);

/* proxy.c */
bool	 proxy_net_valid(const char *);
bool	 proxy_trusted(const struct strlist *, const char *);
void	 proxy_client(const struct strlist *, int, const char *, const char *,
	     char *, bool *);
bool	 proxy_https(const struct strlist *, const char *, const char *);

/* http_parse.c */
int	 http_parse_head(const char *, size_t, size_t, struct http_head *,
	     struct evkeyvalq *, const char **);
int	 http_parse_field(const char *, size_t, size_t *, const char **,
	     size_t *, const char **);
int	 http_parse_chunk_size(const char *, size_t, uint64_t *);

/*
 * html.c: html_out's %s escapes; raw HTML goes in only by name, through
 * html_raw() (HTML made safe elsewhere; say where) or html_attr_if() (a
 * literal attribute such as " selected", when cond holds).
 */
void	 html_escape(struct evbuffer *, const char *);
void	 html_out(struct evbuffer *, const char *, ...)
	     __attribute__((format(printf, 2, 3)));
void	 html_raw(struct evbuffer *, const char *);
void	 html_url_value(struct evbuffer *, const char *);
char	*html_fragment(const char *);
/* "" attr: only a string literal compiles. */
#define html_attr_if(b, cond, attr) do {				\
	if (cond)							\
		html_raw((b), "" attr);					\
} while (0)


#endif /* MEENT_CORE_H */
