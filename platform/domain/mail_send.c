/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The mail sender: one thread that takes due messages from the outbox
 * (mail.c) and hands them to the operator's SMTP server with libcurl.
 *
 * Why a thread of its own with a blocking easy handle, and not a transfer
 * on outbound.c's multi handle: outbound.c is for fetches from the
 * internet, and its SSRF guard refuses exactly the addresses a mail relay
 * usually has (loopback, the private network). Sending is a queue worked
 * through one message at a time, where a blocking call is the simplest
 * correct thing, and one easy handle kept across messages keeps the SMTP
 * connection open between them. Requests never wait for it: they only
 * insert a row (mail_enqueue) and wake this thread. A transfer is bounded
 * by smtp_timeout and aborted by mail_send_stop() through the progress
 * callback.
 *
 * Each message: claimed (state sending, attempts + 1) in one statement;
 * sent -> state sent; refused with a 5xx code -> failed at once; any other
 * failure (no connection, 4xx, timeout) -> queued again after
 * smtp_retry_min * 2^(attempts - 1) seconds, at most smtp_retry_max, until
 * smtp_max_attempts or smtp_max_age_hours -> failed. The thread also polls
 * every second, for messages queued by meentctl and for retries, and
 * deletes sent messages after 7 days and failed ones after 30.
 *
 * Logs name message ids and states only, never addresses or subjects.
 */
#include "domain/domain.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <sodium.h>

#define MAIL_POLL_SECONDS	1
#define MAIL_ERROR_MAX		120
#define MAIL_KEEP_SENT		(7 * 86400)
#define MAIL_KEEP_FAILED	(30 * 86400)
#define MAIL_PRUNE_EVERY	3600

struct mail_msg {
	long	 id;
	char	*to, *subject, *text, *html, *headers;
	int	 attempts;
	time_t	 created;
};

static struct {
	pthread_t	 thread;
	bool		 running;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cond;
	bool		 wake;
	atomic_bool	 stopping;
	/* The configuration, copied at start. */
	char		*db_path, *url, *from, *user, *password, *domain;
	bool		 loopback;
	int		 timeout, retry_min, retry_max, max_attempts, max_age;
	struct db	*db;
	CURL		*curl;
	/* /metrics */
	atomic_long	 queued;
	atomic_ulong	 sent, failed, retries;
} ms = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* Wake the sender: a message was queued. Safe from any thread. */
void
mail_send_wake(void)
{
	pthread_mutex_lock(&ms.mu);
	ms.wake = true;
	pthread_cond_signal(&ms.cond);
	pthread_mutex_unlock(&ms.mu);
}

static bool
mail_host_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	/* curl gives [::1] with its brackets. */
	if (len > 2 && len < sizeof buf && host[0] == '[' &&
	    host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	return inet_pton(AF_INET6, host, &a6) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&a6);
}

/* smtp:// or smtps://, a host, nothing after the port. */
static int
mail_check_url(const char *url, char **err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *path = NULL;
	int rc = -1;

	if (u == NULL)
		fatal("curl_url");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		*err = xasprintf("smtp_url '%s' is not a URL", url);
		goto done;
	}
	if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0) {
		*err = xasprintf("smtp_url must start with smtp:// or "
		    "smtps://");
		goto done;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
	    strcmp(path, "/") != 0 && strcmp(path, "") != 0) {
		*err = xasprintf("smtp_url has a path: give only the host and "
		    "port");
		goto done;
	}
	ms.loopback = mail_host_loopback(host);
	rc = 0;
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

/* USER:PASSWORD from a file only its owner can read. */
static int
mail_read_credentials(const char *path, char **err)
{
	struct stat sb;
	char *data = NULL, *colon, *nl;
	size_t len;

	if (stat(path, &sb) == -1) {
		*err = xasprintf("smtp_credentials_file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*err = xasprintf("smtp_credentials_file %s can be read by "
		    "others: chmod 600 it", path);
		return -1;
	}
	if (file_read_all(path, 4096, &data, &len, err) == -1)
		return -1;
	if ((nl = strchr(data, '\n')) != NULL) {
		*nl = '\0';
		if (nl > data && nl[-1] == '\r')
			nl[-1] = '\0';
	}
	colon = strchr(data, ':');
	if (colon == NULL || colon == data) {
		sodium_memzero(data, len);
		free(data);
		*err = xasprintf("smtp_credentials_file %s: not USER:PASSWORD",
		    path);
		return -1;
	}
	*colon = '\0';
	ms.user = xstrdup(data);
	ms.password = xstrdup(colon + 1);
	sodium_memzero(data, len);
	free(data);
	return 0;
}

static void
mail_msg_free(struct mail_msg *m)
{
	free(m->to);
	free(m->subject);
	free(m->text);
	free(m->html);
	free(m->headers);
	memset(m, 0, sizeof *m);
}

static char *
mail_column(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return xstrdup(s != NULL ? (const char *)s : "");
}

/*
 * Claim the next due message. Returns 1 with *m filled (caller frees with
 * mail_msg_free), 0 when none is due, -1 on error.
 */
static int
mail_claim(struct mail_msg *m)
{
	sqlite3_stmt *st;
	int rc;

	st = db_stmt(ms.db, "UPDATE mail_outbox SET state = 'sending',"
	    " attempts = attempts + 1 WHERE id = (SELECT id FROM mail_outbox"
	    " WHERE state = 'queued' AND next_attempt <= ?1"
	    " ORDER BY next_attempt, id LIMIT 1)"
	    " RETURNING id, recipient, subject, text_body, html_body, headers,"
	    " attempts, created");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	rc = db_step_row(ms.db, st, "mail_claim");
	if (rc != 1)
		return rc;
	m->id = (long)sqlite3_column_int64(st, 0);
	m->to = mail_column(st, 1);
	m->subject = mail_column(st, 2);
	m->text = mail_column(st, 3);
	m->html = mail_column(st, 4);
	m->headers = mail_column(st, 5);
	m->attempts = sqlite3_column_int(st, 6);
	m->created = (time_t)sqlite3_column_int64(st, 7);
	/* One row at most: the next step ends the statement (and commits). */
	if ((rc = db_step_row(ms.db, st, "mail_claim")) != 0) {
		if (rc == 1)
			sqlite3_reset(st);
		mail_msg_free(m);
		return -1;
	}
	return 1;
}

/* state queued again (next_attempt), sent, or failed. */
static void
mail_mark(long id, const char *state, time_t next, const char *error)
{
	sqlite3_stmt *st;

	st = db_stmt(ms.db, "UPDATE mail_outbox SET state = ?2,"
	    " next_attempt = ?3, last_error = ?4,"
	    " sent = CASE WHEN ?2 = 'sent' THEN ?5 END WHERE id = ?1");
	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)next);
	if (error != NULL)
		sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	db_step_done(ms.db, st, "mail_mark");
}

/*
 * RFC 2047 encoded-words for a subject that is not plain ASCII: base64
 * chunks of at most 45 bytes (60 characters encoded), never splitting a
 * UTF-8 sequence, separated by spaces. Caller frees.
 */
char *
mail_subject_encode(const char *subject)
{
	size_t len = strlen(subject), i = 0;
	bool ascii = true;
	char *out, *p;

	for (size_t k = 0; k < len; k++)
		if ((unsigned char)subject[k] >= 0x80)
			ascii = false;
	if (ascii)
		return xstrdup(subject);
	out = xmalloc(len / 45 * 75 + 120 + len * 2);
	p = out;
	while (i < len) {
		size_t n = len - i > 45 ? 45 : len - i;

		/* Back off to the start of a UTF-8 sequence. */
		while (i + n < len && n > 0 &&
		    ((unsigned char)subject[i + n] & 0xc0) == 0x80)
			n--;
		if (p != out)
			*p++ = ' ';
		memcpy(p, "=?UTF-8?B?", 10);
		p += 10;
		sodium_bin2base64(p, sodium_base64_ENCODED_LEN(n,
		    sodium_base64_VARIANT_ORIGINAL),
		    (const unsigned char *)subject + i, n,
		    sodium_base64_VARIANT_ORIGINAL);
		p += strlen(p);
		memcpy(p, "?=", 3);
		p += 2;
		i += n;
	}
	return out;
}

static int
mail_progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	(void)arg; (void)dt; (void)dn; (void)ut; (void)un;
	return atomic_load(&ms.stopping) ? 1 : 0;
}

/*
 * Send m. Returns 0 when the server took it, 1 when it refused it for
 * good (5xx), -1 for a failure worth a retry; error gets the reason (no
 * personal data).
 */
static int
mail_deliver(const struct mail_msg *m, char error[MAIL_ERROR_MAX])
{
	struct curl_slist *rcpt = NULL, *hdrs = NULL;
	curl_mime *mime = NULL, *alt = NULL;
	curl_mimepart *part;
	char *line, *subject, *copy, *save = NULL, *tok;
	char date[64], rnd[17];
	unsigned char raw[8];
	long code = 0;
	CURLcode res;
	time_t now = time(NULL);
	struct tm tm;

	curl_easy_reset(ms.curl);	/* keeps the open connection */
	curl_easy_setopt(ms.curl, CURLOPT_URL, ms.url);
	curl_easy_setopt(ms.curl, CURLOPT_USE_SSL, ms.loopback ?
	    (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(ms.curl, CURLOPT_TIMEOUT, (long)ms.timeout);
	curl_easy_setopt(ms.curl, CURLOPT_CONNECTTIMEOUT, (long)ms.timeout);
	curl_easy_setopt(ms.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ms.curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(ms.curl, CURLOPT_XFERINFOFUNCTION, mail_progress_cb);
	if (ms.user != NULL) {
		curl_easy_setopt(ms.curl, CURLOPT_USERNAME, ms.user);
		curl_easy_setopt(ms.curl, CURLOPT_PASSWORD, ms.password);
	}
	line = xasprintf("<%s>", ms.from);
	curl_easy_setopt(ms.curl, CURLOPT_MAIL_FROM, line);
	free(line);
	line = xasprintf("<%s>", m->to);
	rcpt = curl_slist_append(rcpt, line);
	free(line);
	curl_easy_setopt(ms.curl, CURLOPT_MAIL_RCPT, rcpt);

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
	hdrs = curl_slist_append(hdrs, date);
	line = xasprintf("From: %s", ms.from);
	hdrs = curl_slist_append(hdrs, line);
	free(line);
	line = xasprintf("To: %s", m->to);
	hdrs = curl_slist_append(hdrs, line);
	free(line);
	subject = mail_subject_encode(m->subject);
	line = xasprintf("Subject: %s", subject);
	hdrs = curl_slist_append(hdrs, line);
	free(line);
	free(subject);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(rnd, sizeof rnd, raw, sizeof raw);
	line = xasprintf("Message-ID: <%ld.%s@%s>", m->id, rnd, ms.domain);
	hdrs = curl_slist_append(hdrs, line);
	free(line);
	hdrs = curl_slist_append(hdrs, "Content-Language: nl");
	copy = xstrdup(m->headers);
	for (tok = strtok_r(copy, "\n", &save); tok != NULL;
	    tok = strtok_r(NULL, "\n", &save))
		hdrs = curl_slist_append(hdrs, tok);
	free(copy);
	curl_easy_setopt(ms.curl, CURLOPT_HTTPHEADER, hdrs);

	/* multipart/alternative: the text first, the HTML preferred. */
	mime = curl_mime_init(ms.curl);
	alt = curl_mime_init(ms.curl);
	part = curl_mime_addpart(alt);
	curl_mime_data(part, m->text, CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/plain; charset=utf-8");
	curl_mime_encoder(part, "quoted-printable");
	part = curl_mime_addpart(alt);
	curl_mime_data(part, m->html, CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/html; charset=utf-8");
	curl_mime_encoder(part, "quoted-printable");
	part = curl_mime_addpart(mime);
	curl_mime_subparts(part, alt);
	curl_mime_type(part, "multipart/alternative");
	curl_easy_setopt(ms.curl, CURLOPT_MIMEPOST, mime);

	res = curl_easy_perform(ms.curl);
	curl_easy_getinfo(ms.curl, CURLINFO_RESPONSE_CODE, &code);
	curl_mime_free(mime);
	curl_slist_free_all(rcpt);
	curl_slist_free_all(hdrs);
	if (res == CURLE_OK)
		return 0;
	snprintf(error, MAIL_ERROR_MAX, "%s (smtp %ld)",
	    curl_easy_strerror(res), code);
	return code >= 500 && code < 600 ? 1 : -1;
}

/* Send one claimed message and record the outcome. */
static void
mail_process(struct mail_msg *m)
{
	char error[MAIL_ERROR_MAX] = "";
	time_t now, delay;
	int rc;

	rc = mail_deliver(m, error);
	now = time(NULL);
	if (rc == 0) {
		mail_mark(m->id, "sent", now, NULL);
		atomic_fetch_add(&ms.sent, 1);
		log_emit(LOG_INFO, "mail.sent", "message %ld sent (attempt "
		    "%d)", m->id, m->attempts);
		return;
	}
	if (rc == 1 || m->attempts >= ms.max_attempts ||
	    now - m->created >= (time_t)ms.max_age * 3600) {
		mail_mark(m->id, "failed", now, error);
		atomic_fetch_add(&ms.failed, 1);
		log_emit(LOG_WARN, "mail.failed", "message %ld failed after %d "
		    "attempts: %s", m->id, m->attempts, error);
		return;
	}
	delay = ms.retry_min;
	for (int i = 1; i < m->attempts && delay < ms.retry_max; i++)
		delay *= 2;
	if (delay > ms.retry_max)
		delay = ms.retry_max;
	mail_mark(m->id, "queued", now + delay, error);
	atomic_fetch_add(&ms.retries, 1);
	log_emit(LOG_INFO, "mail.retry", "message %ld: attempt %d failed (%s); "
	    "next in %llds", m->id, m->attempts, error, (long long)delay);
}

static void
mail_count_queued(void)
{
	sqlite3_stmt *st = db_stmt(ms.db, "SELECT count(*) FROM mail_outbox"
	    " WHERE state IN ('queued', 'sending')");

	if (st != NULL && db_step_row(ms.db, st, "mail_count") == 1) {
		atomic_store(&ms.queued, (long)sqlite3_column_int64(st, 0));
		sqlite3_reset(st);
	}
}

/*
 * Addresses and bodies are personal data: a sent message is kept
 * MAIL_KEEP_SENT, a failed one MAIL_KEEP_FAILED (for mail status), then
 * deleted.
 */
static void
mail_outbox_prune(void)
{
	sqlite3_stmt *st = db_stmt(ms.db, "DELETE FROM mail_outbox WHERE"
	    " (state = 'sent' AND sent < ?1) OR"
	    " (state = 'failed' AND next_attempt < ?2)");
	time_t now = time(NULL);

	if (st == NULL)
		return;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(now - MAIL_KEEP_SENT));
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(now - MAIL_KEEP_FAILED));
	db_step_done(ms.db, st, "mail_prune");
}

static void *
mail_send_main(void *arg)
{
	struct mail_msg m = { 0 };

	time_t pruned = 0;

	(void)arg;
	while (!atomic_load(&ms.stopping)) {
		struct timespec until;

		if (time(NULL) - pruned >= MAIL_PRUNE_EVERY) {
			mail_outbox_prune();
			pruned = time(NULL);
		}
		mail_count_queued();
		if (ms.url != NULL) {
			while (!atomic_load(&ms.stopping) &&
			    mail_claim(&m) == 1) {
				mail_process(&m);
				mail_msg_free(&m);
			}
			mail_count_queued();
		}
		pthread_mutex_lock(&ms.mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += MAIL_POLL_SECONDS;
		while (!ms.wake && !atomic_load(&ms.stopping))
			if (pthread_cond_timedwait(&ms.cond, &ms.mu,
			    &until) != 0)
				break;
		ms.wake = false;
		pthread_mutex_unlock(&ms.mu);
	}
	return NULL;
}

/* Messages left "sending" by a crash go back to the queue. */
static int
mail_outbox_recover(void)
{
	sqlite3_stmt *st = db_stmt(ms.db, "UPDATE mail_outbox SET"
	    " state = 'queued' WHERE state = 'sending'");
	int n;

	if (st == NULL || db_step_done(ms.db, st, "mail_recover") == -1)
		return -1;
	n = sqlite3_changes(db_handle(ms.db));
	if (n > 0)
		log_emit(LOG_WARN, "mail.recover", "%d message(s) were being "
		    "sent at the last stop: queued again (one may arrive "
		    "twice)", n);
	return 0;
}

/*
 * Start the sender on the database at db_path, with cfg's smtp_* keys
 * (copied). Without smtp_url messages stay queued (and are counted).
 * Returns 0, or -1 with *err (caller frees). After curl_global_init.
 */
int
mail_send_start(const char *db_path, const struct config *cfg, char **err)
{
	const char *at;

	if (cfg->smtp_url != NULL) {
		if (mail_check_url(cfg->smtp_url, err) == -1)
			return -1;
		if (cfg->smtp_from == NULL ||
		    !mail_address_valid(cfg->smtp_from)) {
			*err = xasprintf("smtp_url needs smtp_from, an e-mail "
			    "address");
			return -1;
		}
		if (cfg->smtp_credentials_file != NULL &&
		    mail_read_credentials(cfg->smtp_credentials_file, err) == -1)
			return -1;
		ms.url = xstrdup(cfg->smtp_url);
		ms.from = xstrdup(cfg->smtp_from);
		at = strrchr(ms.from, '@');
		ms.domain = xstrdup(at + 1);
		ms.curl = curl_easy_init();
		if (ms.curl == NULL)
			fatal("curl_easy_init");
	}
	ms.timeout = cfg->smtp_timeout;
	ms.retry_min = cfg->smtp_retry_min;
	ms.retry_max = cfg->smtp_retry_max;
	ms.max_attempts = cfg->smtp_max_attempts;
	ms.max_age = cfg->smtp_max_age_hours;
	ms.db = db_open(db_path, 0, err);
	if (ms.db == NULL || mail_outbox_recover() == -1) {
		if (ms.db != NULL)
			*err = xasprintf("cannot recover the outbox");
		mail_send_stop();
		return -1;
	}
	atomic_store(&ms.stopping, false);
	if (pthread_create(&ms.thread, NULL, mail_send_main, NULL) != 0)
		fatal("pthread_create");
	ms.running = true;
	if (ms.url == NULL)
		log_emit(LOG_INFO, "mail.off", "no smtp_url: e-mail stays in "
		    "the outbox");
	return 0;
}

/* Stop the sender (a transfer under way is aborted) and free it all. */
void
mail_send_stop(void)
{
	if (ms.running) {
		atomic_store(&ms.stopping, true);
		mail_send_wake();
		pthread_join(ms.thread, NULL);
		ms.running = false;
	}
	if (ms.curl != NULL)
		curl_easy_cleanup(ms.curl);
	ms.curl = NULL;
	db_close(ms.db);
	ms.db = NULL;
	if (ms.password != NULL)
		sodium_memzero(ms.password, strlen(ms.password));
	free(ms.password);
	free(ms.user);
	free(ms.url);
	free(ms.from);
	free(ms.domain);
	ms.password = ms.user = ms.url = ms.from = ms.domain = NULL;
}

/* The outbox's gauge and the sender's counters, for /metrics. */
void
mail_metrics(struct evbuffer *out)
{
	evbuffer_add_printf(out, "# HELP meent_mail_outbox Messages in the "
	    "outbox not yet sent or given up.\n"
	    "# TYPE meent_mail_outbox gauge\n"
	    "meent_mail_outbox %ld\n"
	    "# HELP meent_mail_total Messages by outcome.\n"
	    "# TYPE meent_mail_total counter\n"
	    "meent_mail_total{outcome=\"sent\"} %lu\n"
	    "meent_mail_total{outcome=\"failed\"} %lu\n"
	    "# HELP meent_mail_retries_total Attempts that failed and will "
	    "be tried again.\n"
	    "# TYPE meent_mail_retries_total counter\n"
	    "meent_mail_retries_total %lu\n",
	    atomic_load(&ms.queued), atomic_load(&ms.sent),
	    atomic_load(&ms.failed), atomic_load(&ms.retries));
}
