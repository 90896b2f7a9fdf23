/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: the strict HTTP/1.1 head and chunk-size parsers. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

static int
parse(const char *text, struct http_head *h)
{
	struct evkeyvalq f;
	const char *why;
	int rc;

	TAILQ_INIT(&f);
	rc = http_parse_head(text, strlen(text), 8192, h, &f, &why);
	if (rc != 0 && rc != HTTP_PARSE_MORE)
		assert_non_null(why);
	evhttp_clear_headers(&f);
	return rc;
}

static const struct {
	const char	*text;
	int		 want;
} heads[] = {
	/* Good. */
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
	{ "GET /a?b=c HTTP/1.1\r\nHost: meent.example.nl:443\r\n\r\n", 0 },
	{ "GET / HTTP/1.0\r\n\r\n", 0 },
	{ "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
	{ "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", 0 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 0 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX-A:\r\n\r\n", 0 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: \xc3\xa9\t b \r\n\r\n", 0 },
	/* Not complete yet. */
	{ "GET / HTTP/1.1\r\nHost: x\r\n", HTTP_PARSE_MORE },
	{ "GET / HTTP/1.1\r", HTTP_PARSE_MORE },
	{ "", HTTP_PARSE_MORE },
	/* Line endings: bare LF or CR are refused at once. */
	{ "GET / HTTP/1.1\nHost: x\n\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\n\r\n", 400 },
	{ "GET / HTTP/1.1\rHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\n", 400 },
	/* The request line. */
	{ "GARBAGE\r\n\r\n", 400 },
	{ "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400 },
	{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
	{ "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505 },
	{ "GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "FROBNICATE / HTTP/1.1\r\nHost: x\r\n\r\n", 501 },
	{ "get / HTTP/1.1\r\nHost: x\r\n\r\n", 501 },
	{ "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	{ "GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
	/* Fields. */
	{ "GET / HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\x01\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\x7f\r\n\r\n", 400 },
	/* Host. */
	{ "GET / HTTP/1.1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400 },
	/* Framing: one, and only of a known kind. */
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
	  "Content-Length: 6\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
	  "Content-Length: 5\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999\r\n"
	  "\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n"
	  "\r\n", 501 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400 },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417 },
};

static void
test_heads(void **state)
{
	struct http_head h;

	(void)state;
	for (size_t i = 0; i < nitems(heads); i++) {
		int rc = parse(heads[i].text, &h);

		if (rc != heads[i].want)
			fail_msg("head %zu (%.40s...): got %d, want %d", i,
			    heads[i].text, rc, heads[i].want);
	}
}

static void
test_fields(void **state)
{
	struct http_head h;

	(void)state;
	assert_int_equal(parse("POST /p?q=1 HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 12\r\nExpect: 100-continue\r\n\r\nBODY", &h), 0);
	assert_int_equal(h.method, EVHTTP_REQ_POST);
	assert_string_equal(h.target, "/p?q=1");
	assert_int_equal(h.minor, 1);
	assert_int_equal(h.content_length, 12);
	assert_false(h.chunked);
	assert_false(h.close);
	assert_true(h.expect_continue);
	assert_int_equal(h.length, strlen("POST /p?q=1 HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 12\r\nExpect: 100-continue\r\n\r\n"));

	/* HTTP/1.0 closes unless it asks to keep alive; 1.1 the other way. */
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &h), 0);
	assert_true(h.close);
	assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n"
	    "\r\n", &h), 0);
	assert_false(h.close);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: "
	    "foo, close\r\n\r\n", &h), 0);
	assert_true(h.close);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: Chunked\r\n\r\n", &h), 0);
	assert_true(h.chunked);
	assert_int_equal(h.content_length, -1);
}

static void
test_limits(void **state)
{
	struct evkeyvalq f;
	struct http_head h;
	const char *why;
	char big[12000];
	size_t n;

	(void)state;
	/* A head over the cap, with or without its end: 431. */
	n = (size_t)snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\n"
	    "X-A: ");
	memset(big + n, 'a', 9000);
	memcpy(big + n + 9000, "\r\n\r\n", 5);
	TAILQ_INIT(&f);
	assert_int_equal(http_parse_head(big, strlen(big), 8192, &h, &f, &why),
	    431);
	evhttp_clear_headers(&f);
	assert_int_equal(http_parse_head(big, 8500, 8192, &h, &f, &why), 431);
	evhttp_clear_headers(&f);
	/* A target of 1024 bytes is fine, 1025 is 414. */
	n = (size_t)snprintf(big, sizeof big, "GET /");
	memset(big + n, 'a', 1023);
	snprintf(big + n + 1023, sizeof big - n - 1023, " HTTP/1.1\r\n"
	    "Host: x\r\n\r\n");
	assert_int_equal(parse(big, &h), 0);
	n = (size_t)snprintf(big, sizeof big, "GET /");
	memset(big + n, 'a', 1024);
	snprintf(big + n + 1024, sizeof big - n - 1024, " HTTP/1.1\r\n"
	    "Host: x\r\n\r\n");
	assert_int_equal(parse(big, &h), 414);
	/* 101 fields: 431. */
	n = (size_t)snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "X-%d: a\r\n", i);
	snprintf(big + n, sizeof big - n, "\r\n");
	assert_int_equal(parse(big, &h), 431);
}

static void
test_chunk_sizes(void **state)
{
	static const struct {
		const char	*line;
		int		 rc;
		uint64_t	 size;
	} cases[] = {
		{ "5", 0, 5 }, { "0", 0, 0 }, { "1a", 0, 26 }, { "FF", 0, 255 },
		{ "5;ext=1", 0, 5 }, { "5 ;ext", 0, 5 }, { "5\t;x", 0, 5 },
		{ "0x5", -1, 0 }, { "+5", -1, 0 }, { " 5", -1, 0 },
		{ "5 zz", -1, 0 }, { "-0", -1, 0 }, { "", -1, 0 },
		{ "5 ", -1, 0 }, { "g", -1, 0 }, { "5;\x01", -1, 0 },
		{ "1000000000000000", -1, 0 },		/* 16 digits */
		{ "fffffffffffffff", 0, 0xfffffffffffffffULL },
	};
	uint64_t size;

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		int rc = http_parse_chunk_size(cases[i].line,
		    strlen(cases[i].line), &size);

		if (rc != cases[i].rc)
			fail_msg("chunk size '%s': got %d, want %d",
			    cases[i].line, rc, cases[i].rc);
		if (rc == 0 && size != cases[i].size)
			fail_msg("chunk size '%s': got %llu", cases[i].line,
			    (unsigned long long)size);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_chunk_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
