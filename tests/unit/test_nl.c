/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: Dutch numbers, dates in Europe/Amsterdam and plurals (nl.c). */
#include "meent.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#define MINUS	"\xe2\x88\x92"

static const char *
num(double v, int decimals)
{
	static char buf[NL_NUMBER_MAX];

	return nl_number(buf, sizeof buf, v, decimals);
}

static void
test_thousands(void **state)
{
	(void)state;
	assert_string_equal(num(1234.5, 1), "1.234,5");
	assert_string_equal(num(1234.5, 2), "1.234,50");
	assert_string_equal(num(999, 0), "999");
	assert_string_equal(num(1000, 0), "1.000");
	assert_string_equal(num(123456, 0), "123.456");
	assert_string_equal(num(1234567.891, 2), "1.234.567,89");
	assert_string_equal(num(0.5, 2), "0,50");
}

static void
test_rounding(void **state)
{
	(void)state;
	assert_string_equal(num(4.256, 2), "4,26");
	assert_string_equal(num(999.96, 1), "1.000,0");
	assert_string_equal(num(999999.5, 0), "1.000.000");
	assert_string_equal(num(2.5, 0), "2");	/* to even, as printf */
	assert_string_equal(num(1.25, 7), "1,250000");	/* capped at 6 */
	assert_string_equal(num(12.7, -1), "13");	/* at least 0 */
}

static void
test_negative_and_zero(void **state)
{
	(void)state;
	assert_string_equal(num(0, 0), "0");
	assert_string_equal(num(0, 2), "0,00");
	assert_string_equal(num(-0.0, 1), "0,0");
	assert_string_equal(num(-0.004, 2), "0,00");	/* rounds to zero */
	assert_string_equal(num(-1234.5, 1), MINUS "1.234,5");
	assert_string_equal(num(-999, 0), MINUS "999");
	assert_string_equal(num(NAN, 2), "–");
	assert_string_equal(num(INFINITY, 0), "–");
	assert_string_equal(num(-INFINITY, 0), "–");
}

static void
test_big(void **state)
{
	char buf[NL_NUMBER_MAX], small[6];

	(void)state;
	assert_string_equal(num(123456789012345.0, 0), "123.456.789.012.345");
	assert_string_equal(num(-987654321098765.0, 2),
	    MINUS "987.654.321.098.765,00");
	assert_string_equal(num(1e18, 0), "–");
	assert_string_equal(nl_count(buf, sizeof buf, 12345), "12.345");
	assert_string_equal(nl_count(buf, sizeof buf, 0), "0");
	assert_string_equal(nl_count(buf, sizeof buf, -2147483647L),
	    MINUS "2.147.483.647");
	assert_string_equal(nl_count(buf, sizeof buf, 1000000000000L),
	    "1.000.000.000.000");
	/* A short buffer is cut, and stays a string. */
	nl_count(small, sizeof small, 1234567);
	assert_int_equal(strlen(small), 5);
	assert_string_equal(small, "1.234");
}

static const char *
date(time_t t)
{
	static char buf[NL_DATE_MAX];

	return nl_date(buf, sizeof buf, t);
}

static const char *
datetime(time_t t)
{
	static char buf[NL_DATE_MAX];

	return nl_datetime(buf, sizeof buf, t);
}

static void
test_dates(void **state)
{
	(void)state;
	assert_string_equal(date(0), "1 januari 1970");
	/* 2026-11-30 13:05 UTC is 14:05 in winter. */
	assert_string_equal(datetime(1796043900), "30 november 2026 om 14:05");
	assert_string_equal(date(1796043900), "30 november 2026");
	/* 2026-07-01 12:00 UTC is 14:00 in summer. */
	assert_string_equal(datetime(1782907200), "1 juli 2026 om 14:00");
	/* 23:30 UTC on 31 December is already the new year here. */
	assert_string_equal(datetime(1798759800), "1 januari 2027 om 00:30");
	assert_string_equal(date(1798759800 - 3600), "31 december 2026");
	/* Before 1970 too. */
	assert_string_equal(datetime(-1), "1 januari 1970 om 00:59");
}

static void
test_dst_boundaries(void **state)
{
	(void)state;
	/* 2026: summer time from Sunday 29 March 01:00 UTC. */
	assert_int_equal(nl_amsterdam_offset(1774745940), 3600); /* 00:59 */
	assert_string_equal(datetime(1774745940), "29 maart 2026 om 01:59");
	assert_int_equal(nl_amsterdam_offset(1774746000), 7200); /* 01:00 */
	assert_string_equal(datetime(1774746000), "29 maart 2026 om 03:00");
	/* Winter time from Sunday 25 October 01:00 UTC. */
	assert_int_equal(nl_amsterdam_offset(1792889940), 7200); /* 00:59 */
	assert_string_equal(datetime(1792889940), "25 oktober 2026 om 02:59");
	assert_int_equal(nl_amsterdam_offset(1792890000), 3600); /* 01:00 */
	assert_string_equal(datetime(1792890000), "25 oktober 2026 om 02:00");
	/* 2027: 28 March and 31 October (the 31st itself a Sunday). */
	assert_int_equal(nl_amsterdam_offset(1806195540), 3600);
	assert_int_equal(nl_amsterdam_offset(1806195600), 7200);
	assert_int_equal(nl_amsterdam_offset(1824944340), 7200);
	assert_int_equal(nl_amsterdam_offset(1824944400), 3600);
	assert_string_equal(date(1824944400), "31 oktober 2027");
}

static void
test_leap_days(void **state)
{
	(void)state;
	/* 2024-02-29 12:00 UTC, 2024-03-01 00:00 UTC. */
	assert_string_equal(datetime(1709208000), "29 februari 2024 om 13:00");
	assert_string_equal(date(1709251200), "1 maart 2024");
	/* 2000 was a leap year (divisible by 400); 2100 will not be. */
	assert_string_equal(date(951825600), "29 februari 2000");
	assert_string_equal(date(4107585600), "1 maart 2100");
	/* 2028-12-31 (day 366 of a leap year). */
	assert_string_equal(date(1861876800), "31 december 2028");
}

static void
test_plural(void **state)
{
	(void)state;
	assert_string_equal(nl_plural(0, "pilot", "pilots"), "pilots");
	assert_string_equal(nl_plural(1, "pilot", "pilots"), "pilot");
	assert_string_equal(nl_plural(2, "pilot", "pilots"), "pilots");
	assert_string_equal(nl_plural(1, "gemeente", "gemeenten"), "gemeente");
	assert_string_equal(nl_plural(12345, "gemeente", "gemeenten"),
	    "gemeenten");
}

static void
test_counted(void **state)
{
	char buf[NL_COUNTED_MAX];

	(void)state;
	assert_string_equal(nl_counted(buf, sizeof buf, 1, "pilot", "pilots"),
	    "1 pilot");
	assert_string_equal(nl_counted(buf, sizeof buf, 0, "gemeente",
	    "gemeenten"), "0 gemeenten");
	assert_string_equal(nl_counted(buf, sizeof buf, 1234, "open voorstel",
	    "open voorstellen"), "1.234 open voorstellen");
}

static const char *
dtext(const char *iso)
{
	static char buf[NL_DATE_MAX];

	return nl_date_text(buf, sizeof buf, iso);
}

static const char *
dttext(const char *iso)
{
	static char buf[NL_DATE_MAX];

	return nl_datetime_text(buf, sizeof buf, iso);
}

static void
test_date_text(void **state)
{
	(void)state;
	assert_string_equal(dtext("2026-11-30"), "30 november 2026");
	assert_string_equal(dtext("2025-03-01"), "1 maart 2025");
	assert_string_equal(dtext("2024-02-29"), "29 februari 2024");
	/* The date part of a time: the calendar date as written. */
	assert_string_equal(dtext("2026-11-30T23:30:00Z"), "30 november 2026");
	/* What is not a date is kept, never turned into another date. */
	assert_string_equal(dtext("2023-02-29"), "2023-02-29");
	assert_string_equal(dtext("2026-13-01"), "2026-13-01");
	assert_string_equal(dtext("2024-K1"), "2024-K1");
	assert_string_equal(dtext("30-11-2026"), "30-11-2026");
	assert_string_equal(dtext(""), "");
	assert_string_equal(dtext(NULL), "");
}

static void
test_datetime_text(void **state)
{
	(void)state;
	/* UTC in, Amsterdam out: winter, summer, and the new year. */
	assert_string_equal(dttext("2026-11-30T13:05:00Z"),
	    "30 november 2026 om 14:05");
	assert_string_equal(dttext("2026-07-01T12:00:00Z"),
	    "1 juli 2026 om 14:00");
	assert_string_equal(dttext("2026-12-31T23:30:00Z"),
	    "1 januari 2027 om 00:30");
	/* A date alone is a date; anything else is kept. */
	assert_string_equal(dttext("2026-11-30"), "30 november 2026");
	assert_string_equal(dttext("2026-11-30T25:00:00Z"),
	    "30 november 2026");
	assert_string_equal(dttext("gisteren"), "gisteren");
}

static void
test_period(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(nl_period(buf, sizeof buf, "2024"), "2024");
	assert_string_equal(nl_period(buf, sizeof buf, "2024-K1"),
	    "1e kwartaal 2024");
	assert_string_equal(nl_period(buf, sizeof buf, "2024-03"),
	    "maart 2024");
	assert_string_equal(nl_period(buf, sizeof buf, "2024-13"), "2024-13");
	assert_string_equal(nl_period(buf, sizeof buf, "2024-K5"), "2024-K5");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thousands),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_negative_and_zero),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_dst_boundaries),
		cmocka_unit_test(test_leap_days),
		cmocka_unit_test(test_plural),
		cmocka_unit_test(test_counted),
		cmocka_unit_test(test_date_text),
		cmocka_unit_test(test_datetime_text),
		cmocka_unit_test(test_period),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
