/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: token shape and digests. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

static void
test_generate(void **state)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

	(void)state;
	token_generate(a);
	token_generate(b);
	assert_int_equal(strlen(a), TOKEN_LEN);
	assert_true(token_well_formed(a, strlen(a)));
	assert_string_not_equal(a, b);
	assert_memory_equal(a, "meent_", 6);
}

static void
test_well_formed(void **state)
{
	char t[TOKEN_LEN + 1];

	(void)state;
	token_generate(t);
	assert_false(token_well_formed(t, TOKEN_LEN - 1));
	t[10] = '!';
	assert_false(token_well_formed(t, TOKEN_LEN));
	assert_false(token_well_formed("", 0));
	memcpy(t, "MEENT_", 6);
	assert_false(token_well_formed(t, TOKEN_LEN));
}

static void
test_digest(void **state)
{
	unsigned char d1[32], d2[32];
	/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
	static const unsigned char abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41,
		0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3,
		0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00,
		0x15, 0xad };

	(void)state;
	token_digest("abc", d1);
	assert_memory_equal(d1, abc, 32);
	token_digest("abd", d2);
	assert_memory_not_equal(d1, d2, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_digest),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
