/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: CSV reading (libcsv through csvfile), the reference-data
 * row checks and the import's figure and period parsers on every field. */
#include "meent.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
row_cb(const char *const *f, size_t n, long row, void *arg, char **err)
{
	size_t *fields = arg;

	for (size_t i = 0; i < n; i++) {
		double v;

		*fields += strlen(f[i]) > 0;
		if (indicator_parse_value(f[i], &v) == 0 && !isfinite(v))
			abort();
		(void)indicator_period_valid(f[i]);
	}
	if (row > 1 && n > 0 && !municipality_code_valid(f[0]) && n > 200) {
		*err = xasprintf("row %ld: no", row);
		return -1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t fields = 0;
	char *err = NULL;
	char *copy = malloc(size);

	memcpy(copy, data, size);
	if (csvfile_parse("fuzz", copy, size, row_cb, &fields, &err) == -1) {
		if (err == NULL)
			abort();
		free(err);
	}
	free(copy);
	return 0;
}
