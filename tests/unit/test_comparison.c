/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: quantiles, figures and periods of imports, CSV neutralising. */
#include "meent.h"

#include <event2/buffer.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void
test_quantiles(void **state)
{
	/* R: quantile(c(1,2,3,4,10), type = 7) -> 1 2 3 4 10 */
	const double v[] = { 1, 2, 3, 4, 10 };
	/* R: quantile(c(1,2,3,4), c(.25,.5,.75)) -> 1.75 2.5 3.25 */
	const double w[] = { 1, 2, 3, 4 };
	const double one[] = { 7 };

	(void)state;
	assert_true(comparison_quantile(v, 5, 0.25) == 2.0);
	assert_true(comparison_quantile(v, 5, 0.5) == 3.0);
	assert_true(comparison_quantile(v, 5, 1.0) == 10.0);
	assert_true(fabs(comparison_quantile(w, 4, 0.25) - 1.75) < 1e-12);
	assert_true(fabs(comparison_quantile(w, 4, 0.5) - 2.5) < 1e-12);
	assert_true(fabs(comparison_quantile(w, 4, 0.75) - 3.25) < 1e-12);
	assert_true(comparison_quantile(one, 1, 0.25) == 7.0);
}

static void
test_values(void **state)
{
	const char *bad[] = { "", "NaN", "nan", "inf", "-Infinity", "1e309",
	    "0x10", "1e16", "-2e15", " 1", "1 ", "1,5", "1.000,5", "12abc", "--1", "." };
	double d;

	(void)state;
	assert_int_equal(indicator_parse_value("12.5", &d), 0);
	assert_true(d == 12.5);
	assert_int_equal(indicator_parse_value("-3", &d), 0);
	assert_true(d == -3.0);
	assert_int_equal(indicator_parse_value("1e3", &d), 0);
	assert_true(d == 1000.0);
	assert_int_equal(indicator_parse_value("1e-320", &d), 0);
	assert_int_equal(indicator_parse_value("-1e15", &d), 0);
	for (size_t i = 0; i < nitems(bad); i++)
		assert_int_equal(indicator_parse_value(bad[i], &d), -1);
}

static void
test_periods(void **state)
{
	const char *good[] = { "2024", "2024-K1", "2024-K4", "2024-01",
	    "2024-12" };
	const char *bad[] = { "", "24", "20245", "2024-K0", "2024-K5",
	    "2024-00", "2024-13", "2024-1", "abcd", "2024-Q1", "2024 " };

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_true(indicator_period_valid(good[i]));
	for (size_t i = 0; i < nitems(bad); i++)
		assert_false(indicator_period_valid(bad[i]));
	assert_true(indicator_id_valid("herkomst-nederland"));
	assert_false(indicator_id_valid("-x"));
	assert_false(indicator_id_valid("Hoofd"));
	assert_false(indicator_id_valid("a/b"));
}

static void
test_csv_neutralised(void **state)
{
	json_t *cmp = json_pack("{s:s, s:{s:s}, s:[{s:s, s:s, s:i, s:f},"
	    " {s:s, s:s, s:i, s:n}]}", "periode", "2024",
	    "gemeente", "code", "GM0001",
	    "leden", "gemeente", "GM0001", "naam", "=HYPERLINK(\"x\")",
	    "inwoners", 10, "waarde", 1.5,
	    "gemeente", "GM0002", "naam", "@SUM(A1)", "inwoners", 20,
	    "waarde");
	struct evbuffer *b;
	char *text;
	size_t len;

	(void)state;
	assert_non_null(cmp);
	b = comparison_csv(cmp);
	len = evbuffer_get_length(b);
	text = calloc(1, len + 1);
	evbuffer_remove(b, text, len);
	assert_string_equal(text,
	    "gemeente,naam,inwoners,periode,waarde,deze_gemeente,bron,"
	    "dataset,in_vergelijking\r\n"
	    "\"GM0001\",\"'=HYPERLINK(\"\"x\"\")\",10,\"2024\",1.5000,ja,"
	    "\"\",\"\",ja\r\n"
	    "\"GM0002\",\"'@SUM(A1)\",20,\"2024\",,nee,\"\",\"\",ja\r\n");
	free(text);
	evbuffer_free(b);
	json_decref(cmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_csv_neutralised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
