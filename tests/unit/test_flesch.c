/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: Flesch-Douma against worked examples. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "../../plugins/leesbaarheid/flesch.h"

static double
score(const char *text, struct flesch *f)
{
	memset(f, 0, sizeof *f);
	flesch_count(text, f);
	return flesch_douma(f);
}

static void
test_syllables(void **state)
{
	(void)state;
	assert_int_equal(flesch_syllables("kat", 3), 1);
	assert_int_equal(flesch_syllables("gemeenten", 9), 3);
	assert_int_equal(flesch_syllables("datagedreven", 12), 5);
	assert_int_equal(flesch_syllables("bijstand", 8), 2);
	/* fi-nan-ci-ën: the diaeresis starts a new syllable. */
	assert_int_equal(flesch_syllables("financi\xc3\xabn", 10), 4);
	assert_int_equal(flesch_syllables("ruimte", 6), 2);
	assert_int_equal(flesch_syllables("x", 1), 1);
}

static void
test_worked_examples(void **state)
{
	struct flesch f;

	(void)state;
	/* 6 words, 6 syllables, 1 sentence:
	 * 206.835 - 0.93 * 6 - 77 * 1 = 124.255 */
	assert_true(fabs(score("De kat zit op de mat.", &f) - 124.255) < 0.01);
	assert_int_equal(f.words, 6);
	assert_int_equal(f.sentences, 1);
	/* 6 words, 16 syllables (3+2+2+2+5+2), 1 sentence:
	 * 206.835 - 5.58 - 77 * 16 / 6 = -4.078 */
	assert_true(fabs(score("Gemeenten delen kennis over datagedreven "
	    "werken.", &f) + 4.078) < 0.01);
	assert_int_equal(f.syllables, 16);
	/* Two sentences of three one-syllable words:
	 * 206.835 - 0.93 * 3 - 77 = 127.045 */
	assert_true(fabs(score("Ik zie jou. Jij ziet mij!", &f) - 127.045) <
	    0.01);
	assert_int_equal(f.sentences, 2);
	/* A Markdown heading and list items end sentences too. */
	score("# Titel\n\n- een punt\n- nog een punt\n", &f);
	assert_int_equal(f.sentences, 3);
	assert_true(score("", &f) == 0.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syllables),
		cmocka_unit_test(test_worked_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
