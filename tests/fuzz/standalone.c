/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A fuzz target as a plain program, without libFuzzer: every file named
 * (or found in a directory named) on the command line is fed once to
 * LLVMFuzzerTestOneInput, in name order. The ThreadSanitizer build runs the
 * targets this way over their seed corpora (tests/fuzz/corpus.sh); libFuzzer
 * and TSan do not go together. Exits 0 when every input ran, 1 when a file
 * could not be read, and a sanitizer's code when it reported.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
/* Only some targets have one. */
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

/* Feed one file; -1 if it cannot be read. */
static int
standalone_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL, *exact;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return -1;
	do {
		if (len == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((data = realloc(data, cap)) == NULL)
				abort();
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	/* A copy of exactly len bytes, so that reading past it is caught. */
	if ((exact = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int
standalone_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
standalone_skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Feed a file, or every file of a directory; the count into *n. */
static int
standalone_path(const char *path, int *n)
{
	struct dirent **list;
	struct stat st;
	int rc = 0, count;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		(*n)++;
		return standalone_file(path);
	}
	count = scandir(path, &list, standalone_skip_dots,
	    standalone_name_cmp);
	if (count < 0)
		return -1;
	for (int i = 0; i < count; i++) {
		size_t len = strlen(path) + strlen(list[i]->d_name) + 2;
		char *full = malloc(len);

		if (full == NULL)
			abort();
		snprintf(full, len, "%s/%s", path, list[i]->d_name);
		if (standalone_path(full, n) == -1) {
			fprintf(stderr, "%s: cannot read\n", full);
			rc = -1;
		}
		free(full);
		free(list[i]);
	}
	free(list);
	return rc;
}

int
main(int argc, char **argv)
{
	int n = 0, rc = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (standalone_path(argv[i], &n) == -1) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			rc = 1;
		}
	printf("%d input(s)\n", n);
	return rc;
}
