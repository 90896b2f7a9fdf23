/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: attachment names and hashes (domain/attachment*.c). */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static void
check_name(const char *in, const char *want)
{
	char out[ATTACHMENT_NAME_MAX + 1];

	if (want == NULL) {
		assert_int_equal(attachment_name_clean(in, out), -1);
		return;
	}
	assert_int_equal(attachment_name_clean(in, out), 0);
	assert_string_equal(out, want);
}

static void
test_name_clean(void **state)
{
	char big[400], want[ATTACHMENT_NAME_MAX + 1];

	(void)state;
	check_name("rapport.pdf", "rapport.pdf");
	check_name("../../etc/passwd", "passwd");
	check_name("C:\\Users\\x\\DPIA rapport.docx", "DPIA rapport.docx");
	check_name("a/b\\c", "c");
	check_name("nota\x01\x1f\x7f.pdf", "nota___.pdf");
	check_name("line\r\nbreak.csv", "line__break.csv");
	check_name(".verborgen", "verborgen");
	check_name("  ..x", "x");
	check_name("Één überzicht.ods", "Één überzicht.ods");
	check_name("", NULL);
	check_name("...", NULL);
	check_name("dir/", NULL);
	check_name("bad\xff.pdf", NULL);		/* not UTF-8 */
	check_name("\xc0\xaf.pdf", NULL);		/* overlong '/' */
	check_name("\xed\xa0\x80.pdf", NULL);		/* a surrogate */
	/* 200 bytes at most, cut at a character's end. */
	memset(big, 0, sizeof big);
	for (int i = 0; i < 150; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);	/* é */
	memset(want, 0, sizeof want);
	memcpy(want, big, 200);
	check_name(big, want);
	big[299] = '\0';		/* 149 é and half of one */
	check_name(big, NULL);
	memset(big, 'a', 399);
	big[399] = '\0';
	big[0] = 'x';
	assert_int_equal(attachment_name_clean(big, want), 0);
	assert_int_equal(strlen(want), ATTACHMENT_NAME_MAX);
}

static void
test_hash_valid(void **state)
{
	char h[66];

	(void)state;
	memset(h, 'a', 64);
	h[64] = '\0';
	assert_true(attachment_hash_valid(h));
	h[3] = 'A';
	assert_false(attachment_hash_valid(h));
	h[3] = '0';
	h[64] = '0';
	h[65] = '\0';
	assert_false(attachment_hash_valid(h));
	assert_false(attachment_hash_valid(""));
	assert_false(attachment_hash_valid("../../etc/passwd"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_clean),
		cmocka_unit_test(test_hash_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
