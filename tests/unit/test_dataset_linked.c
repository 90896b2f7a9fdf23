/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests: the audit of a table beside the tables published before for
 * the same population (dataset_linked.c), on tables as they are published.
 */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Published by district alone: Zuid 12, Noord 30 (noise +-2, t = 10). */
static const char *by_district =
    "{\"dimensies\": [{\"naam\": \"wijk\", \"categorieen\": [\"Zuid\","
    " \"Noord\"]}], \"cellen\": ["
    "{\"categorieen\": [\"Zuid\"], \"aantal\": 12, \"geheim\": false},"
    "{\"categorieen\": [\"Noord\"], \"aantal\": 30, \"geheim\": false},"
    "{\"categorieen\": [null], \"aantal\": 42, \"geheim\": false}],"
    " \"bescherming\": {\"ruisAantal\": 2, \"minimumEenheden\": 10}}";
static const char *by_district_rules =
    "[\"veilig\", \"veilig\", \"veilig\"]";

/*
 * District x household, the same 42 persons: in Zuid one family
 * (frequency) beside 11 living alone, in Noord 10 alone and 20 families;
 * only the households' totals are published (21 and 21). Alone, this
 * leaves the family 1 .. 9. Beside the table above (Zuid 10 .. 14, alone
 * at least 10 by the rules) it is 1 .. 4: too few.
 */
static const char *by_household =
    "{\"dimensies\": [{\"naam\": \"wijk\", \"categorieen\": [\"Zuid\","
    " \"Noord\"]}, {\"naam\": \"huishouden\", \"categorieen\": [\"alleen\","
    " \"gezin\"]}], \"cellen\": ["
    "{\"categorieen\": [\"Zuid\", \"alleen\"], \"geheim\": true},"
    "{\"categorieen\": [\"Zuid\", \"gezin\"], \"geheim\": true},"
    "{\"categorieen\": [\"Zuid\", null], \"geheim\": true},"
    "{\"categorieen\": [\"Noord\", \"alleen\"], \"geheim\": true},"
    "{\"categorieen\": [\"Noord\", \"gezin\"], \"geheim\": true},"
    "{\"categorieen\": [\"Noord\", null], \"geheim\": true},"
    "{\"categorieen\": [null, \"alleen\"], \"aantal\": 21,"
    " \"geheim\": false},"
    "{\"categorieen\": [null, \"gezin\"], \"aantal\": 21,"
    " \"geheim\": false},"
    "{\"categorieen\": [null, null], \"aantal\": 42, \"geheim\": false}],"
    " \"bescherming\": {\"ruisAantal\": 2, \"minimumEenheden\": 10}}";
static const char *by_household_rules =
    "[\"secundair\", \"frequentie\", \"secundair\", \"secundair\","
    " \"secundair\", \"secundair\", \"veilig\", \"veilig\", \"veilig\"]";

static json_t *
parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	assert_non_null(j);
	return j;
}

static json_t *
linked_one(const char *table, const char *rules)
{
	json_t *a = json_array();

	json_array_append_new(a, json_pack("{s:o, s:o}", "tabel", parse(table),
	    "regels", rules != NULL ? parse(rules) : json_null()));
	return a;
}

static const char *
check(const char *table, const char *rules, json_t *linked)
{
	json_t *t = parse(table), *r = parse(rules);
	const char *why = dataset_linked_check(t, r, linked, 10);

	json_decref(t);
	json_decref(r);
	json_decref(linked);
	return why;
}

/* Nothing published before: nothing to combine. */
static void
test_alone(void **state)
{
	(void)state;
	assert_null(check(by_household, by_household_rules, json_array()));
}

/* The attack of the top: refused, and the reason names the cause. */
static void
test_combined_refused(void **state)
{
	const char *why;

	(void)state;
	why = check(by_household, by_household_rules, linked_one(by_district,
	    by_district_rules));
	assert_non_null(why);
	assert_non_null(strstr(why, "kleine groep"));
	/* The other order too: the finer table was public first. */
	assert_non_null(check(by_district, by_district_rules,
	    linked_one(by_household, by_household_rules)));
	/* A table from elsewhere (no rules known): its secrets tell less,
	 * the published figures as much. */
	assert_non_null(check(by_household, by_household_rules,
	    linked_one(by_district, NULL)));
}

/* The same table twice: it tells nothing new. */
static void
test_same_table(void **state)
{
	(void)state;
	assert_null(check(by_household, by_household_rules,
	    linked_one(by_household, by_household_rules)));
}

/* Another breakdown of other persons (figures that cannot both hold). */
static void
test_not_one_population(void **state)
{
	char *other;
	const char *why;

	(void)state;
	other = xstrdup(by_district);
	/* Zuid 40 beside Noord 30 and a total of 42 cannot be true. */
	memcpy(strstr(other, "12,"), "40,", 3);
	why = check(by_household, by_household_rules, linked_one(other,
	    by_district_rules));
	assert_null(why);
	free(other);
}

/* A published Zuid large enough leaves the family its range. */
static void
test_wide_enough(void **state)
{
	char *wide;
	const char *why;

	(void)state;
	wide = xstrdup(by_district);
	/* Zuid 14 .. 18, alone 10 .. 13: the family 1 .. 8. */
	memcpy(strstr(wide, "12,"), "16,", 3);
	memcpy(strstr(wide, "30,"), "26,", 3);
	why = check(by_household, by_household_rules, linked_one(wide,
	    by_district_rules));
	assert_null(why);
	free(wide);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alone),
		cmocka_unit_test(test_combined_refused),
		cmocka_unit_test(test_same_table),
		cmocka_unit_test(test_not_one_population),
		cmocka_unit_test(test_wide_enough),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
