/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: block-wise three-way merges and diffs of Markdown. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_merge_separate_blocks),
		cmocka_unit_test(test_merge_conflict),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
