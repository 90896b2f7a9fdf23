/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: raw bytes over whole connections, against the real server.
 * LLVMFuzzerInitialize starts meentd's server in this process (a real
 * database with the seed content, one worker thread, listening on a
 * loopback port); each input is written to a new TCP connection, which is
 * then half-closed, and everything the server answers is read until it
 * closes. An input holds as many pipelined requests as it likes; "\n@@\n"
 * splits it over several connections, so that requests on parallel
 * connections interleave.
 *
 * The invariants: the server never crashes or reports a sanitizer error
 * (ASan/UBSan abort the process), every connection ends (the read below
 * would time out and abort otherwise), and every answer starts with a
 * status line.
 */
#include "meent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_CONNS_MAX	4
#define FUZZ_WAIT_MS	10000

static struct config cfg;
static struct server *fuzz_srv;	/* for a debugger */
static int port;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/meent-fuzz-conn-XXXXXX", *path, *err = NULL;
	struct server *srv;
	struct db *db;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() == -1 || evthread_use_pthreads() == -1 ||
	    mkdtemp(dir) == NULL)
		abort();
	log_init(NULL, LOG_FATAL);
	router_init(routes_table, routes_count);
	web_page_init();
	config_init(&cfg);
	path = xasprintf("%s/meent.db", dir);
	if ((db = db_open(path, DB_CREATE, &err)) == NULL ||
	    migrate_apply(db, &err) == -1 ||
	    instance_create(db, dir, "fuzz", "http://127.0.0.1", &err) == -1 ||
	    refdata_load_gemeenten(db, MEENT_CONTENT_DIR, &err) < 0)
		abort();
	db_close(db);
	free(path);
	config_set(&cfg, "data", dir, &err);
	config_set(&cfg, "listen", "127.0.0.1:0", &err);
	config_set(&cfg, "threads", "1", &err);
	config_set(&cfg, "content", MEENT_CONTENT_DIR, &err);
	config_set(&cfg, "seed", MEENT_CONTENT_DIR, &err);
	config_set(&cfg, "access_log", "false", &err);
	/* Short deadlines: an input that stops midway costs little. */
	config_set(&cfg, "header_timeout", "1", &err);
	config_set(&cfg, "request_timeout", "1", &err);
	config_set(&cfg, "keepalive_timeout", "1", &err);
	static_init(&cfg);
	if (seed_load_dir(&cfg, &err) == -1 || outbound_start(&err) == -1 ||
	    (srv = server_start(&cfg, &err)) == NULL) {
		fprintf(stderr, "fuzz_conn: %s\n", err);
		abort();
	}
	port = server_port(srv);
	fuzz_srv = srv;
	return 0;
}

static int
fuzz_connect(void)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1)
		abort();
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		/* Interrupted (see fuzz_wait): the connect goes on; wait. */
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		socklen_t len = sizeof(int);
		int rc, soerr = 0;

		if (errno != EINTR)
			abort();
		while ((rc = poll(&p, 1, FUZZ_WAIT_MS)) == -1 && errno == EINTR)
			;
		if (rc != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
		    &len) == -1 || soerr != 0)
			abort();
	}
	return fd;
}

/*
 * Wait until fd is readable or ms milliseconds have passed: 1 readable, 0
 * not in time. libFuzzer's watchdog (-timeout) is a SIGALRM every few
 * seconds, and poll(2) is never restarted after a signal: an EINTR is no
 * timeout, so wait on for what is left of the time.
 */
static int
fuzz_wait(int fd, int ms)
{
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left;
		int rc;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)(end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, (int)left);
		if (rc == 1)
			return 1;
		if (rc == -1 && errno != EINTR)
			abort();
	}
}

/* Write all of data (the server may close early: that ends it). */
static void
fuzz_send(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= (size_t)n;
	}
}

/*
 * When a connection did not end: is the server still answering others?
 * Tells a stuck connection from a stuck worker in the report.
 */
static void
fuzz_probe(void)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	char buf[65536];
	size_t got = 0;
	int fd = fuzz_connect();

	fuzz_send(fd, (const uint8_t *)req, sizeof req - 1);
	for (;;) {
		ssize_t n;

		if (!fuzz_wait(fd, 3000)) {
			fprintf(stderr, "fuzz_conn: the server does not answer "
			    "a new connection either\n");
			break;
		}
		n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof buf - 1)
			break;
	}
	buf[got] = '\0';
	/* The connection and job gauges of /metrics. */
	for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n"))
		if (strstr(l, "conn") != NULL || strstr(l, "job") != NULL)
			fprintf(stderr, "fuzz_conn: %s\n", l);
	close(fd);
}

/*
 * With FUZZ_CONN_GDB set (a debugging aid, not for CI): every thread's
 * stack, from gdb, before the abort; its value goes to gdb's command line
 * (say "-x conns.gdb", a script that prints fuzz_srv's connections).
 */
static void
fuzz_debug_threads(void)
{
	char cmd[512];

	if (getenv("FUZZ_CONN_GDB") == NULL)
		return;
	/* Where the bytes are: the queues of both ends. */
	snprintf(cmd, sizeof cmd, "ss -tnoi '( sport = :%d or dport = :%d )' "
	    ">&2", port, port);
	if (system(cmd) == -1)
		perror("ss");
	snprintf(cmd, sizeof cmd, "gdb -p %d -batch %s -ex 'thread apply all "
	    "bt' >&2 2>&1", (int)getpid(), getenv("FUZZ_CONN_GDB"));
	if (system(cmd) == -1)
		perror("gdb");
}

/* Read until the server closes; abort if it never does. */
static void
fuzz_drain(int fd)
{
	char buf[65536];
	bool first = true;
	size_t got = 0;

	for (;;) {
		ssize_t n;

		if (!fuzz_wait(fd, FUZZ_WAIT_MS)) {
			fprintf(stderr, "fuzz_conn: a connection never ended "
			    "(%zu bytes of answer read)\n", got);
			fuzz_probe();
			fuzz_debug_threads();
			abort();
		}
		n = recv(fd, buf, sizeof buf, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET)
			return;
		if (n <= 0)
			return;
		got += (size_t)n;
		if (first && n >= 5 && memcmp(buf, "HTTP/", 5) != 0) {
			fprintf(stderr, "fuzz_conn: an answer without a status "
			    "line\n");
			abort();
		}
		first = false;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds[FUZZ_CONNS_MAX];
	int n = 0;

	/* Split on "\n@@\n" into up to FUZZ_CONNS_MAX connections. */
	while (n < FUZZ_CONNS_MAX) {
		const uint8_t *cut = n + 1 < FUZZ_CONNS_MAX ?
		    memmem(data, size, "\n@@\n", 4) : NULL;
		size_t len = cut != NULL ? (size_t)(cut - data) : size;

		fds[n] = fuzz_connect();
		fuzz_send(fds[n], data, len);
		shutdown(fds[n], SHUT_WR);
		n++;
		if (cut == NULL)
			break;
		data = cut + 4;
		size -= len + 4;
	}
	for (int i = 0; i < n; i++) {
		fuzz_drain(fds[i]);
		close(fds[i]);
	}
	return 0;
}
