/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * merge_bench BASE OURS THEIRS N: time meent's block-wise three-way merge
 * and its diff over N runs each; prints microseconds per operation.
 * Built and run by tests/bench/guidelines.sh.
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
	char *base, *ours, *theirs, *merged, *diff;
	json_t *conflicts;
	double t0;
	int n, rc = 0;

	if (argc != 5)
		return 2;
	base = slurp(argv[1]);
	ours = slurp(argv[2]);
	theirs = slurp(argv[3]);
	n = atoi(argv[4]);
	t0 = clock_ms();
	for (int i = 0; i < n; i++) {
		rc = merge_three_way(base, ours, theirs, &merged, &conflicts);
		free(merged);
		json_decref(conflicts);
	}
	printf("meent merge: %.0f us/op (%s)\n", (clock_ms() - t0) * 1000.0 / n,
	    rc == 0 ? "merged" : "conflict");
	t0 = clock_ms();
	for (int i = 0; i < n; i++) {
		diff = merge_diff(base, ours, "a", "b");
		free(diff);
	}
	printf("meent diff:  %.0f us/op\n", (clock_ms() - t0) * 1000.0 / n);
	free(base);
	free(ours);
	free(theirs);
	return 0;
}
