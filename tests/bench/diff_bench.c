/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * diff_bench OLD NEW N: time the pages' HTML diff of two guideline texts
 * (blockdiff_html: blocks lined up, changed words marked) and the API's
 * unified diff (merge_diff) over N runs each; prints microseconds per
 * diff and the HTML's size. Built and run by tests/bench/diff.sh.
 */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

static char *
slurp(const char *path)
{
	char *text, *err = NULL;
	size_t len;

	if (file_read_all(path, 8 << 20, &text, &len, &err) == -1)
		fatal("%s", err);
	return text;
}

int
main(int argc, char **argv)
{
	char *old, *new, *html = NULL, *diff;
	size_t size = 0;
	double t0;
	int n;

	if (argc != 4)
		return 2;
	old = slurp(argv[1]);
	new = slurp(argv[2]);
	n = atoi(argv[3]);
	t0 = clock_ms();
	for (int i = 0; i < n; i++) {
		free(html);
		html = blockdiff_html(old, new);
	}
	if (html != NULL)
		size = strlen(html);
	printf("meent HTML diff:    %.0f us/diff (%zu bytes of HTML%s)\n",
	    (clock_ms() - t0) * 1000.0 / n, size, html != NULL &&
	    strstr(html, "diff-vervangen") != NULL ?
	    ", blocks replaced whole past the bound" : "");
	t0 = clock_ms();
	for (int i = 0; i < n; i++) {
		diff = merge_diff(old, new, "a", "b");
		free(diff);
	}
	printf("meent unified diff: %.0f us/diff\n",
	    (clock_ms() - t0) * 1000.0 / n);
	free(html);
	free(old);
	free(new);
	return 0;
}
