/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: trusted proxies, networks and the client behind them. */
#include "meent.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void
nets(struct strlist *l, const char *const *v)
{
	for (; *v != NULL; v++)
		strlist_add(l, *v);
}

static void
test_networks(void **state)
{
	static const char *const v[] = { "10.0.0.0/8", "2001:db8::/33",
	    "192.0.2.7", NULL };
	struct strlist l = { 0 };

	(void)state;
	assert_true(proxy_net_valid("::1"));
	assert_true(proxy_net_valid("0.0.0.0/0"));
	assert_false(proxy_net_valid("10.0.0.0/33"));
	assert_false(proxy_net_valid("::/129"));
	assert_false(proxy_net_valid("10.0.0.0/"));
	assert_false(proxy_net_valid("10.0.0.0/8x"));
	assert_false(proxy_net_valid("proxy.example.nl"));
	nets(&l, v);
	assert_true(proxy_trusted(&l, "10.255.1.1"));
	assert_false(proxy_trusted(&l, "11.0.0.1"));
	assert_true(proxy_trusted(&l, "2001:db8:7fff::1"));
	assert_false(proxy_trusted(&l, "2001:db8:8000::1"));
	assert_true(proxy_trusted(&l, "192.0.2.7"));
	assert_false(proxy_trusted(&l, "192.0.2.8"));
	assert_true(proxy_trusted(&l, "::ffff:10.1.2.3"));
	assert_false(proxy_trusted(&l, "garbage"));
	strlist_free(&l);
}

static void
test_client(void **state)
{
	static const char *const v[] = { "127.0.0.1", "192.0.2.0/24", NULL };
	struct strlist l = { 0 };
	char out[INET6_ADDRSTRLEN], chain[2048];
	bool https;
	size_t n = 0;

	(void)state;
	nets(&l, v);
	proxy_client(&l, PROXY_HEADER_XFF, "127.0.0.1", "198.51.100.1, "
	    "203.0.113.5, 192.0.2.9", out, &https);
	assert_string_equal(out, "203.0.113.5");
	assert_false(https);
	proxy_client(&l, PROXY_HEADER_XFF, "198.51.100.9", "203.0.113.5",
	    out, &https);
	assert_string_equal(out, "198.51.100.9");
	proxy_client(&l, PROXY_HEADER_XFF, "127.0.0.1", NULL, out, &https);
	assert_string_equal(out, "127.0.0.1");
	/* More hops than are kept: the nearest count. */
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(chain + n, sizeof chain - n,
		    "198.51.100.%d, ", i);
	snprintf(chain + n, sizeof chain - n, "203.0.113.1, 192.0.2.1");
	proxy_client(&l, PROXY_HEADER_XFF, "127.0.0.1", chain, out, &https);
	assert_string_equal(out, "203.0.113.1");
	/* Forwarded: proto= of the element whose for= is the client. */
	proxy_client(&l, PROXY_HEADER_FORWARDED, "127.0.0.1",
	    "for=203.0.113.5;proto=https, for=192.0.2.3;proto=http", out,
	    &https);
	assert_string_equal(out, "203.0.113.5");
	assert_true(https);
	proxy_client(&l, PROXY_HEADER_FORWARDED, "127.0.0.1",
	    "for=\"[2001:db8::1]\";proto=\"https\"", out, &https);
	assert_string_equal(out, "2001:db8::1");
	assert_true(https);
	proxy_client(&l, PROXY_HEADER_FORWARDED, "127.0.0.1",
	    "for=\"[2001:db8::1\"", out, &https);
	assert_string_equal(out, "127.0.0.1");
	assert_false(https);
	proxy_client(&l, PROXY_HEADER_FORWARDED, "127.0.0.1",
	    "for=unknown, for=192.0.2.4", out, &https);
	assert_string_equal(out, "192.0.2.4");
	/* X-Forwarded-Proto: the nearest proxy's, from a trusted peer. */
	assert_true(proxy_https(&l, "127.0.0.1", "http, https"));
	assert_false(proxy_https(&l, "127.0.0.1", "https, http"));
	assert_true(proxy_https(&l, "127.0.0.1", " HTTPS "));
	assert_false(proxy_https(&l, "198.51.100.9", "https"));
	assert_false(proxy_https(&l, "127.0.0.1", "httpsx"));
	strlist_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
