/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Log lines: one JSON object per line on standard error, written with a
 * single write(2) so that lines from several worker threads never interleave.
 * With log_format text (for people at a terminal) the same fields make one
 * line: "TS LEVEL EVENT key=value ... msg".
 *
 * Every line has "ts", "level", "event" and, when the thread is serving a
 * request, "rid" (the request id). Numbers are integers or have at most 3
 * decimals ("ms":0.074, never 0.073999999999999996). Nothing personal goes
 * in: no addresses (unless access_log_client asks for the client's on
 * access lines), no e-mail, no query strings, no bodies; callers pass route
 * names and ids.
 *
 * With log_file set, the file is opened with O_APPEND and dup2(2)'d onto
 * standard error, so that log_reopen() (SIGHUP, after logrotate) swaps it
 * atomically for every thread at once.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int log_min_level = LOG_INFO;
static _Atomic int log_format = LOG_FORMAT_JSON;
static char *log_path;
static _Thread_local const char *log_rid;

static const char *const log_level_names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
	[LOG_FATAL] = "fatal",
};

/* Open (or reopen) the log file onto standard error. */
int
log_reopen(void)
{
	int fd;

	if (log_path == NULL)
		return 0;
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1) {
		log_emit(LOG_ERROR, "log.reopen", "cannot open %s: %s", log_path,
		    strerror(errno));
		return -1;
	}
	if (dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Borrowed path, copied. NULL logs to standard error as it is. */
int
log_init(const char *path, int min_level)
{
	free(log_path);
	log_path = path != NULL && *path != '\0' ? xstrdup(path) : NULL;
	atomic_store(&log_min_level, min_level);
	return log_reopen();
}

void
log_set_level(int min_level)
{
	atomic_store(&log_min_level, min_level);
}

/*
 * The request id of what this thread logs from now on; returns the one it
 * replaces. Borrowed: it must live until it is replaced.
 */
const char *
log_set_rid(const char *rid)
{
	const char *prev = log_rid;

	log_rid = rid;
	return prev;
}

/* LOG_FORMAT_JSON or LOG_FORMAT_TEXT, from now on, for every thread. */
void
log_set_format(int format)
{
	atomic_store(&log_format, format);
}

/* A number for a log line: milliseconds and such, to 3 decimals. */
static json_t *
log_number(double v)
{
	return json_real(round(v * 1000.0) / 1000.0);
}

/* One value as text: strings bare when they are one word, else quoted. */
static size_t
log_text_value(char *buf, size_t size, json_t *v)
{
	const char *s;
	bool plain = true;
	size_t n;

	if (!json_is_string(v)) {
		n = json_dumpb(v, buf, size, JSON_COMPACT | JSON_ENCODE_ANY |
		    JSON_REAL_PRECISION(15));
		return n <= size ? n : size;
	}
	s = json_string_value(v);
	for (const char *p = s; *p != '\0'; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' ||
		    (unsigned char)*p < 0x20)
			plain = false;
	if (plain && *s != '\0') {
		n = strlen(s) < size ? strlen(s) : size;
		memcpy(buf, s, n);
		return n;
	}
	n = json_dumpb(v, buf, size, JSON_ENCODE_ANY);
	return n <= size ? n : size;
}

/*
 * "TS LEVEL EVENT key=value ... msg" into buf (size bytes, at least 2
 * left for the newline); returns the length.
 */
static size_t
log_text(json_t *line, char *buf, size_t size)
{
	const char *key;
	json_t *v, *msg = json_object_get(line, "msg");
	size_t n;

	n = (size_t)snprintf(buf, size, "%s %-5s %s",
	    json_string_value(json_object_get(line, "ts")),
	    json_string_value(json_object_get(line, "level")),
	    json_string_value(json_object_get(line, "event")));
	if (n >= size)
		return size - 1;
	json_object_foreach(line, key, v) {
		if (strcmp(key, "ts") == 0 || strcmp(key, "level") == 0 ||
		    strcmp(key, "event") == 0 || strcmp(key, "msg") == 0)
			continue;
		if (n + strlen(key) + 3 >= size)
			break;
		n += (size_t)snprintf(buf + n, size - n, " %s=", key);
		n += log_text_value(buf + n, size - n - 1, v);
		if (n >= size)
			return size - 1;
	}
	if (msg != NULL && n + 2 < size) {
		const char *p = json_string_value(msg);

		buf[n++] = ' ';
		/* One line, whatever the message holds. */
		for (; *p != '\0' && n + 1 < size; p++)
			buf[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	}
	return n;
}

static void
log_write(json_t *line)
{
	char buf[4096];
	size_t n;

	if (atomic_load(&log_format) == LOG_FORMAT_TEXT) {
		n = log_text(line, buf, sizeof buf - 1);
		buf[n++] = '\n';
		while (write(STDERR_FILENO, buf, n) == -1 && errno == EINTR)
			;
		return;
	}
	n = json_dumpb(line, buf, sizeof buf - 1, JSON_COMPACT |
	    JSON_REAL_PRECISION(15));
	if (n == 0 || n > sizeof buf - 1) {
		/* Too long for one line: keep the line, drop the message. */
		json_object_set_new(line, "msg", json_string("(truncated)"));
		n = json_dumpb(line, buf, sizeof buf - 1, JSON_COMPACT |
		    JSON_REAL_PRECISION(15));
		if (n == 0 || n > sizeof buf - 1)
			return;
	}
	buf[n++] = '\n';
	while (write(STDERR_FILENO, buf, n) == -1 && errno == EINTR)
		;
}

static json_t *
log_start(int level, const char *event)
{
	char ts[32];

	clock_format(time(NULL), ts, sizeof ts);
	json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level",
	    log_level_names[level], "event", event);
	if (log_rid != NULL)
		json_object_set_new(line, "rid", json_string(log_rid));
	return line;
}

void
log_vemit(int level, const char *event, const char *fmt, va_list ap)
{
	char msg[2048];
	json_t *line;

	if (level < atomic_load(&log_min_level))
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	line = log_start(level, event);
	/* json_string refuses invalid UTF-8: fall back to a safe copy. */
	if (json_object_set_new(line, "msg", json_string(msg)) == -1)
		json_object_set_new(line, "msg", json_string("(invalid UTF-8)"));
	log_write(line);
	json_decref(line);
}

void
log_emit(int level, const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(level, event, fmt, ap);
	va_end(ap);
}

/*
 * One line per request. The route is the route table's name (never the raw
 * path, which may hold search terms); client is the address the request
 * came from, past trusted proxies (proxy.c), or NULL to leave it out.
 */
void
log_access(const char *method, const char *route, int status, double ms,
    size_t bytes, const char *client)
{
	json_t *line;

	if (LOG_INFO < atomic_load(&log_min_level))
		return;
	line = log_start(LOG_INFO, "http.request");
	json_object_set_new(line, "method", json_string(method));
	json_object_set_new(line, "route", json_string(route));
	json_object_set_new(line, "status", json_integer(status));
	json_object_set_new(line, "ms", log_number(ms));
	json_object_set_new(line, "bytes", json_integer((json_int_t)bytes));
	if (client != NULL && *client != '\0')
		json_object_set_new(line, "client", json_string(client));
	log_write(line);
	json_decref(line);
}
