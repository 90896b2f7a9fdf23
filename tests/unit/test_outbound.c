/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests: which addresses the SSRF guard refuses. Every range is
 * tried at its first and last address and just outside both ends, where
 * the outside is not refused for a reason of its own.
 */
#include "meent.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

struct addr_case {
	const char	*ip;
	bool		 refused;
};

static const struct addr_case v4_cases[] = {
	/* 0/8 "this network" */
	{ "0.0.0.0", true },
	{ "0.255.255.255", true },
	{ "1.0.0.0", false },
	/* 10/8 */
	{ "9.255.255.255", false },
	{ "10.0.0.0", true },
	{ "10.255.255.255", true },
	{ "11.0.0.0", false },
	/* 100.64/10 */
	{ "100.63.255.255", false },
	{ "100.64.0.0", true },
	{ "100.127.255.255", true },
	{ "100.128.0.0", false },
	/* 127/8 */
	{ "126.255.255.255", false },
	{ "127.0.0.0", true },
	{ "127.0.0.1", true },
	{ "127.255.255.255", true },
	{ "128.0.0.0", false },
	/* 169.254/16, with the cloud metadata address */
	{ "169.253.255.255", false },
	{ "169.254.0.0", true },
	{ "169.254.169.254", true },
	{ "169.254.255.255", true },
	{ "169.255.0.0", false },
	/* 172.16/12 */
	{ "172.15.255.255", false },
	{ "172.16.0.0", true },
	{ "172.31.255.255", true },
	{ "172.32.0.0", false },
	/* 192.0.0/24 */
	{ "191.255.255.255", false },
	{ "192.0.0.0", true },
	{ "192.0.0.255", true },
	{ "192.0.1.0", false },
	/* 192.0.2/24 */
	{ "192.0.1.255", false },
	{ "192.0.2.0", true },
	{ "192.0.2.255", true },
	{ "192.0.3.0", false },
	/* 192.168/16 */
	{ "192.167.255.255", false },
	{ "192.168.0.0", true },
	{ "192.168.255.255", true },
	{ "192.169.0.0", false },
	/* 198.18/15 */
	{ "198.17.255.255", false },
	{ "198.18.0.0", true },
	{ "198.19.255.255", true },
	{ "198.20.0.0", false },
	/* 198.51.100/24 */
	{ "198.51.99.255", false },
	{ "198.51.100.0", true },
	{ "198.51.100.255", true },
	{ "198.51.101.0", false },
	/* 203.0.113/24 */
	{ "203.0.112.255", false },
	{ "203.0.113.0", true },
	{ "203.0.113.255", true },
	{ "203.0.114.0", false },
	/* 224/4 and 240/4: everything from 224.0.0.0 up */
	{ "223.255.255.255", false },
	{ "224.0.0.0", true },
	{ "239.255.255.255", true },
	{ "240.0.0.0", true },
	{ "255.255.255.254", true },
	{ "255.255.255.255", true },
	/* public */
	{ "8.8.8.8", false },
	{ "145.97.39.155", false },
};

static const struct addr_case v6_cases[] = {
	/* unspecified, loopback */
	{ "::", true },
	{ "::1", true },
	/* IPv4-compatible ::/96: the IPv4 rules */
	{ "::2", true },			/* 0.0.0.2 */
	{ "::127.0.0.1", true },
	{ "::10.0.0.1", true },
	{ "::169.254.169.254", true },
	{ "::0.255.255.255", true },
	{ "::1.0.0.0", false },
	{ "::8.8.8.8", false },
	{ "::1:0:0", true },			/* ::/96 ends; not 2000::/3 */
	/* IPv4-mapped ::ffff:0:0/96 */
	{ "::ffff:127.0.0.1", true },
	{ "::ffff:10.0.0.1", true },
	{ "::ffff:9.255.255.255", false },
	{ "::ffff:10.0.0.0", true },
	{ "::ffff:8.8.8.8", false },
	{ "::ffff:255.255.255.255", true },
	{ "::fffe:808:808", true },		/* not mapped, not 2000::/3 */
	/* NAT64 64:ff9b::/96: the IPv4 rules */
	{ "64:ff9b::8.8.8.8", false },
	{ "64:ff9b::127.0.0.1", true },
	{ "64:ff9b::10.0.0.1", true },
	{ "64:ff9b::192.168.1.1", true },
	{ "64:ff9b::169.254.169.254", true },
	{ "64:ff9b::1.0.0.0", false },
	{ "64:ff9b::0.255.255.255", true },
	{ "64:ff9b::1:808:808", true },		/* past the /96: not 2000::/3 */
	{ "64:ff9a:ffff:ffff:ffff:ffff:808:808", true },
	/* NAT64 local use 64:ff9b:1::/48: refused whatever it embeds */
	{ "64:ff9b:1::808:808", true },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", true },
	{ "64:ff9b:1:8:808:8::", true },
	/* 100::/64 discard */
	{ "100::", true },
	{ "100::ffff:ffff:ffff:ffff", true },
	/* Teredo 2001::/32 */
	{ "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "2001::", true },
	{ "2001:0:4136:e378:8000:63bf:3fff:fdd2", true },
	{ "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "2001:1::", false },
	/* 2001:2::/48 benchmarking */
	{ "2001:1:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "2001:2::", true },
	{ "2001:2:0:ffff:ffff:ffff:ffff:ffff", true },
	{ "2001:2:1::", false },
	/* 2001:db8::/32 documentation */
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "2001:db8::", true },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "2001:db9::", false },
	/* 6to4 2002::/16: the IPv4 address in bits 16 to 47 */
	{ "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "2002:808:808::1", false },
	{ "2002:7f00:1::1", true },		/* 127.0.0.1 */
	{ "2002:a00:1::", true },		/* 10.0.0.1 */
	{ "2002:c0a8:101::1", true },		/* 192.168.1.1 */
	{ "2002:a9fe:a9fe::", true },		/* 169.254.169.254 */
	{ "2002::", true },			/* 0.0.0.0 */
	{ "2002:100::", false },		/* 1.0.0.0 */
	{ "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "2003::", false },
	/* 3fff::/20 documentation */
	{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "3fff::", true },
	{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "3fff:1000::", false },
	/* 2000::/3 is all the global unicast there is */
	{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "2000::", false },
	{ "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "4000::", true },
	/* unique local fc00::/7 */
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "fc00::", true },
	{ "fd12:3456::1", true },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	/* link-local fe80::/10, site-local fec0::/10 */
	{ "fe80::", true },
	{ "fe80::1", true },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	{ "fec0::", true },
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	/* multicast ff00::/8 */
	{ "ff00::", true },
	{ "ff02::1", true },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
	/* public */
	{ "2a00:1450:4001:80b::200e", false },
	{ "2606:4700:4700::1111", false },
};

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

/* Every case, each failure printed; fails if any case does. */
static void
run_cases(const struct addr_case *cases, size_t n, bool (*check)(const
    char *))
{
	int failed = 0;

	for (size_t i = 0; i < n; i++)
		if (check(cases[i].ip) != cases[i].refused) {
			print_error("%s: %s, want %s\n", cases[i].ip,
			    cases[i].refused ? "allowed" : "refused",
			    cases[i].refused ? "refused" : "allowed");
			failed++;
		}
	assert_int_equal(failed, 0);
}

static void
test_v4(void **state)
{
	(void)state;
	run_cases(v4_cases, nitems(v4_cases), private4);
}

static void
test_v6(void **state)
{
	(void)state;
	run_cases(v6_cases, nitems(v6_cases), private6);
}

/* The IPv4 rules hold the same through every prefix that embeds one. */
static void
test_v6_embedded(void **state)
{
	static const char *const prefixes[] = { "::", "::ffff:",
	    "64:ff9b::" };
	char ip[INET6_ADDRSTRLEN + 16];
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < nitems(v4_cases); i++) {
		const struct addr_case *c = &v4_cases[i];
		struct in_addr a;
		const uint8_t *b = (const uint8_t *)&a;

		for (size_t p = 0; p <= nitems(prefixes); p++) {
			if (p < nitems(prefixes))
				snprintf(ip, sizeof ip, "%s%s", prefixes[p],
				    c->ip);
			else {
				/* 6to4: 2002:AABB:CCDD::/48 */
				assert_int_equal(inet_pton(AF_INET, c->ip, &a),
				    1);
				snprintf(ip, sizeof ip, "2002:%02x%02x:%02x%02x"
				    "::1", b[0], b[1], b[2], b[3]);
			}
			if (private6(ip) != c->refused) {
				print_error("%s (%s): want %s\n", ip, c->ip,
				    c->refused ? "refused" : "allowed");
				failed++;
			}
		}
	}
	assert_int_equal(failed, 0);
}

static void
test_other_family(void **state)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	(void)state;
	assert_true(outbound_address_private((struct sockaddr *)&un));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_v6_embedded),
		cmocka_unit_test(test_other_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
