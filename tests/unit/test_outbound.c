/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: which addresses the SSRF guard refuses. */
#include "meent.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

static bool
private4(const char *ip)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	return outbound_address_private((struct sockaddr *)&sa);
}

static bool
private6(const char *ip)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET6, ip, &sa.sin6_addr), 1);
	return outbound_address_private((struct sockaddr *)&sa);
}

static void
test_v4(void **state)
{
	(void)state;
	assert_true(private4("127.0.0.1"));
	assert_true(private4("127.255.0.9"));
	assert_true(private4("10.1.2.3"));
	assert_true(private4("172.16.0.1"));
	assert_true(private4("172.31.255.255"));
	assert_false(private4("172.32.0.1"));
	assert_true(private4("192.168.1.1"));
	assert_true(private4("169.254.169.254"));	/* cloud metadata */
	assert_true(private4("100.64.0.1"));
	assert_true(private4("0.0.0.0"));
	assert_true(private4("224.0.0.1"));
	assert_true(private4("255.255.255.255"));
	assert_false(private4("8.8.8.8"));
	assert_false(private4("145.97.39.155"));
}

static void
test_v6(void **state)
{
	(void)state;
	assert_true(private6("::1"));
	assert_true(private6("::"));
	assert_true(private6("fe80::1"));
	assert_true(private6("fc00::1"));
	assert_true(private6("fd12:3456::1"));
	assert_true(private6("ff02::1"));
	assert_true(private6("::ffff:127.0.0.1"));
	assert_true(private6("::ffff:10.0.0.1"));
	assert_false(private6("::ffff:8.8.8.8"));
	assert_false(private6("2a00:1450::1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
