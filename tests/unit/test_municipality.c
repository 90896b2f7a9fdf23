/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: CBS size classes and municipality codes. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static void
test_size_class_boundaries(void **state)
{
	(void)state;
	assert_int_equal(municipality_size_class(0), 1);
	assert_int_equal(municipality_size_class(4999), 1);
	assert_int_equal(municipality_size_class(5000), 2);
	assert_int_equal(municipality_size_class(9999), 2);
	assert_int_equal(municipality_size_class(10000), 3);
	assert_int_equal(municipality_size_class(19999), 3);
	assert_int_equal(municipality_size_class(20000), 4);
	assert_int_equal(municipality_size_class(43782), 4);	/* Rheden */
	assert_int_equal(municipality_size_class(50000), 5);
	assert_int_equal(municipality_size_class(100000), 6);
	assert_int_equal(municipality_size_class(149999), 6);
	assert_int_equal(municipality_size_class(150000), 7);
	assert_int_equal(municipality_size_class(249999), 7);
	assert_int_equal(municipality_size_class(250000), 8);
	assert_int_equal(municipality_size_class(931298), 8);
}

static void
test_code_valid(void **state)
{
	(void)state;
	assert_true(municipality_code_valid("GM0275"));
	assert_true(municipality_code_valid("GM1952"));
	assert_false(municipality_code_valid("GM275"));
	assert_false(municipality_code_valid("GM02755"));
	assert_false(municipality_code_valid("gm0275"));
	assert_false(municipality_code_valid("GM02a5"));
	assert_false(municipality_code_valid(""));
	assert_false(municipality_code_valid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_class_boundaries),
		cmocka_unit_test(test_code_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
