/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests: the bounds on CPU a client can ask for. fts_query()'s caps
 * on a search (terms, prefixes, prefix length, de-duplication) and
 * markdown_check()'s limits on Markdown before cmark-gfm renders it.
 */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* The FTS5 query for in, or the reason in *why (then NULL). */
static char *
query(const char *in, const char **why)
{
	*why = NULL;
	return fts_query(in, why);
}

static void
test_query_caps(void **state)
{
	const char *why;
	char *q, in[256];

	(void)state;
	q = query("bijstand* zorg", &why);
	assert_string_equal(q, "\"bijstand\"* \"zorg\" ");
	free(q);
	/* Repeats without operators: one term. */
	q = query("zorg* Zorg* ZORG* zorg* zorg* data data", &why);
	assert_string_equal(q, "\"zorg\"* \"data\" ");
	free(q);
	/* With operators nothing is merged, so the caps see them all. */
	assert_null(query("zorg* zorg* zorg* zorg* zorg* OR data", &why));
	assert_non_null(strstr(why, "4 woorden met een *"));
	assert_null(query("e* e* e*", &why));
	assert_non_null(strstr(why, "3 of meer"));
	assert_null(query("\"de\"*", &why));
	assert_null(query("a b c d e f g h i j k l m", &why));
	assert_non_null(strstr(why, "12 zoekwoorden"));
	assert_null(query("\"a b c d e f g h i j k l m\"", &why));
	assert_null(query("e-mail-adres-van-de-gemeente-in-het-land-"
	    "nl-en-zo-voort", &why));
	q = query("a b c d e f g h i j k l", &why);
	assert_non_null(q);
	free(q);
	q = query("fi\xc3\xa9*", &why);	/* 3 characters, 4 bytes */
	assert_non_null(q);
	free(q);
	memset(in, 'a', 201);
	in[201] = '\0';
	assert_null(query(in, &why));
	assert_non_null(strstr(why, "200"));
	assert_null(query("\"!!\"", &why));
	assert_null(query("\"open", &why));
	q = query("(zorg OR jeugd) NOT afval", &why);
	assert_string_equal(q, "( \"zorg\" OR \"jeugd\" ) NOT \"afval\" ");
	free(q);
}

/* Operators out of place are explained, not left to FTS5. */
static void
test_query_operators(void **state)
{
	static const char *const bad[] = { "AND", "OR", "NOT zorg", "zorg AND",
	    "zorg OR OR jeugd", "(zorg", "zorg)", "()", "(AND zorg)",
	    "(zorg OR) jeugd", "NEAR(a" };
	const char *why;
	char *q;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		assert_null(query(bad[i], &why));
		assert_non_null(why);
	}
	assert_null(query("AND", &why));
	assert_non_null(strstr(why, "tussen twee zoekwoorden"));
	assert_null(query("(zorg", &why));
	assert_non_null(strstr(why, "niet gesloten"));
	/* A word next to a group: FTS5 wants the AND written. */
	q = query("zorg (jeugd OR wmo)", &why);
	assert_string_equal(q, "\"zorg\" AND ( \"jeugd\" OR \"wmo\" ) ");
	free(q);
	q = query("(jeugd OR wmo) zorg", &why);
	assert_string_equal(q, "( \"jeugd\" OR \"wmo\" ) AND \"zorg\" ");
	free(q);
	q = query("zorg NOT jeugd", &why);
	assert_string_equal(q, "\"zorg\" NOT \"jeugd\" ");
	free(q);
	/* Lower-case words are words. */
	q = query("and or not", &why);
	assert_non_null(q);
	free(q);
}

static int
check(const char *md, size_t max)
{
	char why[200];

	return markdown_check(md, strlen(md), max, why, sizeof why);
}

/* unit n times, then tail; caller frees. */
static char *
repeat(const char *unit, size_t n, const char *tail)
{
	size_t u = strlen(unit), t = strlen(tail);
	char *s = xmalloc(u * n + t + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	memcpy(s + u * n, tail, t + 1);
	return s;
}

static void
test_markdown_limits(void **state)
{
	char why[200], *s;

	(void)state;
	assert_int_equal(check("# Kop\n\nTekst met ![beeld](a.png).\n", 100),
	    0);
	assert_int_equal(markdown_check("abcdef", 6, 5, why, sizeof why), -1);
	assert_non_null(strstr(why, "te lang"));
	/* Image openers per paragraph, whatever the line ends. */
	s = repeat("![[]()", 500, "");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
	s = repeat("![[]()", 501, "");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	s = repeat("![[]()\r\n", 501, "");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	s = repeat("![[]()\r", 501, "");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	s = repeat("![[]()\n\n", 2000, "");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
	s = repeat("![[]()\r\n \t\r\n", 2000, "");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
	/* Table columns: | on one line. */
	s = repeat("|a", 256, "\n");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
	s = repeat("|a", 256, "|\n");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	/* Containers opened on one line. */
	s = repeat("> ", 32, "a\n");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
	s = repeat(">", 33, "a\n");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	s = repeat(" - ", 33, "a\n");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	s = repeat("12. ", 33, "a\n");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	s = repeat("1) > * ", 11, "a\n");
	assert_int_equal(check(s, 1 << 20), -1);
	free(s);
	/* Not containers: emphasis, a thematic break, numbers in text. */
	s = repeat("*a ", 100, "\n");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
	s = repeat("1.5 ", 100, "\n");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
	/* Deep indentation is cheap for cmark: not refused. */
	s = repeat("  ", 500, "* a\n");
	assert_int_equal(check(s, 1 << 20), 0);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_caps),
		cmocka_unit_test(test_query_operators),
		cmocka_unit_test(test_markdown_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
