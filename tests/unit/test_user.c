/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: names, reasons and one-time links of accounts on the web. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

static void
test_name(void **state)
{
	char longest[USER_NAME_MAX + 2];

	(void)state;
	assert_true(user_name_valid("Anne de Vries"));
	assert_true(user_name_valid("Aïsha Öztürk-Brûlé"));
	assert_true(user_name_valid("Ø"));
	assert_false(user_name_valid(NULL));
	assert_false(user_name_valid(""));
	assert_false(user_name_valid(" Anne"));
	assert_false(user_name_valid("Anne "));
	assert_false(user_name_valid("Anne\r\nBcc: x@y.nl"));
	assert_false(user_name_valid("Anne\nBcc"));
	assert_false(user_name_valid("Anne\tde"));
	assert_false(user_name_valid("Anne\x7f"));
	assert_false(user_name_valid("Anne\xc2\x85"));		/* NEL (C1) */
	assert_false(user_name_valid("Anne\xe2\x80\xae" "exe"));	/* RLO */
	assert_false(user_name_valid("An\xe2\x80\x8bne"));	/* zero width */
	assert_false(user_name_valid("Anne\xe2\x80\xa8"));	/* LS */
	assert_false(user_name_valid("Anne\xe2\x81\xa6"));	/* LRI */
	assert_false(user_name_valid("\xef\xbb\xbf" "Anne"));	/* BOM */
	assert_false(user_name_valid("Anne\xc3"));		/* cut UTF-8 */
	assert_false(user_name_valid("\xc0\xaf"));		/* overlong */
	memset(longest, 'a', USER_NAME_MAX);
	longest[USER_NAME_MAX] = '\0';
	assert_true(user_name_valid(longest));
	longest[USER_NAME_MAX] = 'a';
	longest[USER_NAME_MAX + 1] = '\0';
	assert_false(user_name_valid(longest));
}

static void
test_reason(void **state)
{
	char big[INVITATION_REQUEST_REASON_MAX + 2];

	(void)state;
	assert_true(invitation_request_reason_valid("Lezen.\r\nEn delen.\t!"));
	assert_false(invitation_request_reason_valid(NULL));
	assert_false(invitation_request_reason_valid(""));
	assert_false(invitation_request_reason_valid("a\x1b[31m"));
	assert_false(invitation_request_reason_valid("a\xff"));
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_false(invitation_request_reason_valid(big));
	big[INVITATION_REQUEST_REASON_MAX] = '\0';
	assert_true(invitation_request_reason_valid(big));
}

static void
test_link(void **state)
{
	char a[USER_LINK_LEN + 1], b[USER_LINK_LEN + 1];
	unsigned char da[32], db[32], again[32];

	(void)state;
	user_link_new(a, da);
	user_link_new(b, db);
	assert_int_equal(strlen(a), USER_LINK_LEN);
	assert_string_not_equal(a, b);
	assert_true(user_link_digest(a, again));
	assert_memory_equal(da, again, 32);
	assert_memory_not_equal(da, db, 32);
	a[5] = '!';
	assert_false(user_link_digest(a, again));
	assert_false(user_link_digest("abc", again));
	assert_false(user_link_digest("", again));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_link),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
