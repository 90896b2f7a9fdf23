/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: route matching, parameters, 405 sets and body caps. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/http.h>

static int
match(int method, const char *path, char **param, unsigned *allow)
{
	char *params[ROUTE_MAX_PARAMS];
	int n, idx;

	idx = router_match(method, path, params, &n, allow);
	*param = n > 0 ? xstrdup(params[0]) : NULL;
	while (n > 0)
		free(params[--n]);
	return idx;
}

static void
test_match(void **state)
{
	char *p;
	unsigned allow;
	int i;

	(void)state;
	i = match(EVHTTP_REQ_GET, "/api/v1/gemeenten/GM0275", &p, &allow);
	assert_true(i >= 0);
	assert_string_equal(routes_table[i].name, "gemeenten.get");
	assert_string_equal(p, "GM0275");
	free(p);
	/* HEAD goes to GET. */
	i = match(EVHTTP_REQ_HEAD, "/api/v1/gemeenten", &p, &allow);
	assert_string_equal(routes_table[i].name, "gemeenten.list");
	/* Percent-decoding of parameters. */
	i = match(EVHTTP_REQ_GET, "/api/v1/gemeenten/GM%30275", &p, &allow);
	assert_string_equal(p, "GM0275");
	free(p);
	/* An encoded slash or NUL does not make a parameter. */
	assert_int_equal(match(EVHTTP_REQ_GET, "/api/v1/gemeenten/a%2Fb", &p,
	    &allow), -1);
	assert_int_equal(match(EVHTTP_REQ_GET, "/api/v1/gemeenten/a%00b", &p,
	    &allow), -1);
}

static void
test_not_found(void **state)
{
	char *p;
	unsigned allow;

	(void)state;
	assert_int_equal(match(EVHTTP_REQ_GET, "/api/v1/gemeenten/", &p,
	    &allow), -1);
	assert_int_equal(match(EVHTTP_REQ_GET, "/api/v1/gemeenten/x/y", &p,
	    &allow), -1);
	assert_int_equal(match(EVHTTP_REQ_GET, "/api/v1", &p, &allow), -1);
	assert_int_equal(match(EVHTTP_REQ_GET, "", &p, &allow), -1);
	assert_int_equal(match(EVHTTP_REQ_GET, "api/v1/gemeenten", &p, &allow),
	    -1);
}

static void
test_method_not_allowed(void **state)
{
	char *p;
	unsigned allow;

	(void)state;
	assert_int_equal(match(EVHTTP_REQ_DELETE, "/api/v1/gemeenten", &p,
	    &allow), -2);
	assert_true(allow & EVHTTP_REQ_GET);
	assert_true(allow & EVHTTP_REQ_HEAD);
	assert_false(allow & EVHTTP_REQ_DELETE);
	assert_int_equal(match(EVHTTP_REQ_PUT, "/api/v1/tokens", &p, &allow),
	    -2);
	assert_true(allow & EVHTTP_REQ_POST);
}

/*
 * Body caps: a route whose method has no body takes none (cap 0, so any
 * body is refused before it is read); every route that takes one has its
 * own cap, within the default ceiling (max_body_bytes).
 */
static void
test_body_cap(void **state)
{
	struct config c = { 0 };

	(void)state;
	config_init(&c);
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *rt = &routes_table[i];
		bool takes = rt->method == EVHTTP_REQ_POST ||
		    rt->method == EVHTTP_REQ_PUT ||
		    rt->method == EVHTTP_REQ_PATCH;

		if (takes) {
			assert_true(rt->max_body > 0);
			assert_true(rt->max_body <= c.max_body_bytes);
		} else
			assert_int_equal(rt->max_body, 0);
	}
	config_free(&c);
}

/*
 * Where a person may be sent back to after signing in (the login form's
 * "terug"): local paths only; everything that could leave the site or
 * split the Location header is refused.
 */
static void
test_local_path(void **state)
{
	static const char *const good[] = { "/", "/mijn",
	    "/pilots?domein=jeugd&page=2", "/richtlijnen/a/voorstellen/3",
	    "/zoeken?q=%2F%2Fx" };
	static const char *const bad[] = { "", "mijn", "//evil.example",
	    "https://evil.example", "/\\evil.example", "/a//b",
	    "/\r\nSet-Cookie: x=1", "/a\nb", "/a b", "/a\tb", "/a\x7f",
	    "/caf\xc3\xa9", "javascript:alert(1)", "\\\\evil" };
	char longest[HTTP_LOCAL_PATH_MAX + 2];

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_true(http_local_path(good[i]));
	for (size_t i = 0; i < nitems(bad); i++)
		assert_false(http_local_path(bad[i]));
	assert_false(http_local_path(NULL));
	memset(longest, 'a', sizeof longest);
	longest[0] = '/';
	longest[HTTP_LOCAL_PATH_MAX] = '\0';
	assert_true(http_local_path(longest));	/* 500 bytes */
	longest[HTTP_LOCAL_PATH_MAX] = 'a';
	longest[HTTP_LOCAL_PATH_MAX + 1] = '\0';
	assert_false(http_local_path(longest));	/* 501 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_local_path),
	};
	router_init(routes_table, routes_count);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
