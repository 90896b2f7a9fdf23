/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: token buckets. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

static void
test_burst_then_refuse(void **state)
{
	struct ratelimit *rl = ratelimit_new(6, 3);

	(void)state;
	assert_true(ratelimit_allow(rl, "a", 1));
	assert_true(ratelimit_allow(rl, "a", 1));
	assert_true(ratelimit_allow(rl, "a", 1));
	assert_false(ratelimit_allow(rl, "a", 1));
	/* Another key has its own bucket. */
	assert_true(ratelimit_allow(rl, "b", 1));
	ratelimit_free(rl);
}

static void
test_many_keys(void **state)
{
	struct ratelimit *rl = ratelimit_new(60, 2);
	char key[32];
	int refused = 0;

	(void)state;
	/* 10,000 distinct keys, once each: almost all must pass. */
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		if (!ratelimit_allow(rl, key, strlen(key)))
			refused++;
	}
	assert_true(refused < 20);
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refuse),
		cmocka_unit_test(test_many_keys),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
