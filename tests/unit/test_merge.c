/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: block-wise three-way merges and diffs of Markdown. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>

static const char *base =
    "# Titel\n\nEen alinea.\n\n- een\n- twee\n- drie\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\nSlot.\n";

static void
test_roundtrip(void **state)
{
	const char *texts[] = { base, "", "a", "a\n", "\n\n\nx\n\n", "# h\nline\n",
	    "para\nmore\n\n```\ncode\n\nstill\n```\n" };

	(void)state;
	for (size_t i = 0; i < nitems(texts); i++) {
		char *e = merge_encode(texts[i], strlen(texts[i]));
		char *d = merge_decode(e, strlen(e));

		assert_string_equal(d, texts[i]);
		free(e);
		free(d);
	}
}

static void
test_blocks(void **state)
{
	char *e = merge_encode(base, strlen(base));
	size_t lines = 0;

	(void)state;
	for (char *c = e; *c != '\0'; c++)
		lines += *c == '\n';
	/* heading, paragraph, 3 list items, table header + 2 rows, slot. */
	assert_true(lines >= 8);
	free(e);
}

static void
test_merge_separate_blocks(void **state)
{
	char *ours, *theirs, *merged;
	json_t *conflicts;

	(void)state;
	/* Head edits the paragraph; the proposal edits the last item. */
	ours = xasprintf("%s", "# Titel\n\nEen betere alinea.\n\n- een\n- twee\n"
	    "- drie\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\nSlot.\n");
	theirs = xasprintf("%s", "# Titel\n\nEen alinea.\n\n- een\n- twee\n"
	    "- drie, vier\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n"
	    "Slot.\n");
	assert_int_equal(merge_three_way(base, ours, theirs, &merged,
	    &conflicts), 0);
	assert_non_null(strstr(merged, "Een betere alinea."));
	assert_non_null(strstr(merged, "- drie, vier"));
	free(merged);
	free(ours);
	free(theirs);
}

static void
test_merge_conflict(void **state)
{
	char *merged;
	json_t *conflicts;
	char *ours = xasprintf("%s", "# Titel\n\nAlinea van het hoofd.\n\n- een\n"
	    "- twee\n- drie\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n"
	    "Slot.\n");
	char *theirs = xasprintf("%s", "# Titel\n\nAlinea van het voorstel.\n\n"
	    "- een\n- twee\n- drie\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
	    "| 3 | 4 |\n\nSlot.\n");

	(void)state;
	assert_int_equal(merge_three_way(base, ours, theirs, &merged,
	    &conflicts), MEENT_CONFLICT);
	assert_null(merged);
	assert_true(json_array_size(conflicts) >= 1);
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_array_get(conflicts, 0), "head")), "hoofd"));
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_array_get(conflicts, 0), "voorstel")), "voorstel"));
	json_decref(conflicts);
	free(ours);
	free(theirs);
}

static void
test_diff(void **state)
{
	char *d = merge_diff("a\nb\nc\n", "a\nB\nc\n", "versie 1", "versie 2");
	char *h;

	(void)state;
	assert_non_null(strstr(d, "-b\n"));
	assert_non_null(strstr(d, "+B\n"));
	h = merge_diff_html("--- a\n+++ b\n@@ -1 +1 @@\n-<x>\n+<y>\n");
	assert_non_null(strstr(h, "<del>-&lt;x&gt;</del>"));
	assert_non_null(strstr(h, "<ins>+&lt;y&gt;</ins>"));
	free(d);
	free(h);
}

/* The words of one block pair: UTF-8 kept whole, spaces joined. */
static void
test_worddiff(void **state)
{
	const char *x = "De café is open — nu.";
	const char *y = "De caféé is dicht — nu.";
	struct evbuffer *b = evbuffer_new();
	size_t budget = 1000;
	char *h;

	(void)state;
	assert_int_equal(worddiff_html(b, x, strlen(x), y, strlen(y),
	    &budget), 0);
	h = buffer_take_string(b);
	/* "café" and "caféé" are words; "—" a mark; "is" stays. */
	assert_string_equal(h, "De <del><span class=\"vh\">verwijderd: "
	    "</span>café</del><ins><span class=\"vh\">toegevoegd: </span>"
	    "caféé</ins> is <del><span class=\"vh\">verwijderd: </span>open"
	    "</del><ins><span class=\"vh\">toegevoegd: </span>dicht</ins> — "
	    "nu.");
	free(h);
	assert_true(budget < 1000);
	/* Two changed words with a space between: one change, escaped. */
	b = evbuffer_new();
	budget = 1000;
	assert_int_equal(worddiff_html(b, "x a b y", 7, "x <c> d y", 9,
	    &budget), 0);
	h = buffer_take_string(b);
	assert_string_equal(h, "x <del><span class=\"vh\">verwijderd: "
	    "</span>a b</del><ins><span class=\"vh\">toegevoegd: </span>"
	    "&lt;c&gt; d</ins> y");
	free(h);
	/* Past the budget: refused, nothing written, nothing spent. */
	b = evbuffer_new();
	budget = 3;
	assert_int_equal(worddiff_html(b, "a b", 3, "c d", 3, &budget),
	    WORDDIFF_TOO_LARGE);
	assert_int_equal(evbuffer_get_length(b), 0);
	assert_int_equal(budget, 3);
	evbuffer_free(b);
}

/* Blocks: CRLF is LF, unchanged blocks fold, context of one block. */
static void
test_blockdiff(void **state)
{
	const char *old = "# T\r\n\r\nA.\r\n\r\nB.\r\n\r\nC.\r\n\r\n"
	    "D een.\r\n";
	const char *new = "# T\n\nA.\n\nB.\n\nC.\n\nD twee.\n\nE.\n";
	char *h = blockdiff_html(old, new);

	(void)state;
	assert_non_null(strstr(h, "<p class=\"diff-overgeslagen\">3 "
	    "ongewijzigde alinea&#39;s</p>\n<div class=\"diff-blok\">C."
	    "</div>\n<div class=\"diff-blok diff-gewijzigd\">D "));
	assert_non_null(strstr(h, "<div class=\"diff-blok diff-nieuw\"><ins>"
	    "<span class=\"vh\">toegevoegd: </span>E.</ins></div>"));
	assert_null(strstr(h, "\r"));
	free(h);
	/* Rewritten for the most part: old, then new, not a mix. */
	h = blockdiff_html("A.\n\nEen heel andere zin over iets.\n",
	    "A.\n\nVolkomen nieuwe woorden staan nu hier.\n");
	assert_non_null(strstr(h, "<div class=\"diff-blok diff-herschreven\">"
	    "<div><del><span class=\"vh\">verwijderd: </span>Een heel andere "
	    "zin over iets.</del></div><div><ins>"));
	free(h);
	h = blockdiff_html("a\r\n\r\nb\r\n", "a\n\nb\n\n\n");
	assert_string_equal(h, "<p class=\"diff-gelijk\">De tekst is niet "
	    "veranderd.</p>\n");
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_merge_separate_blocks),
		cmocka_unit_test(test_merge_conflict),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_worddiff),
		cmocka_unit_test(test_blockdiff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
