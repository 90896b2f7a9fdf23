/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: direct identifiers in one value, and in a column made of the
 * input split at ',' and newlines, its first field the column's name. */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
fuzz_spaced(const char *s, size_t len)
{
	return len > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' ||
	    s[0] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n');
}

/* Whole input: the checksums and the classification must agree. */
static void
fuzz_value(const char *s, size_t len)
{
	enum identifier_kind k = identifier_value(s, len);
	bool bsn = identifier_bsn_valid(s, len);
	bool iban = identifier_iban_valid(s, len);

	if (k < IDENTIFIER_NONE || k > IDENTIFIER_NAME)
		abort();
	if ((k == IDENTIFIER_NONE) != (identifier_reason(k) == NULL))
		abort();
	if (fuzz_spaced(s, len))
		return;
	if (bsn && k != IDENTIFIER_BSN)
		abort();
	if (iban && k != IDENTIFIER_IBAN)
		abort();
}

static void
fuzz_column(const char *s, size_t len)
{
	struct identifier_column col = { 0 };
	enum identifier_kind k;
	size_t start = 0, hits = 0;
	long row = 0, first = 0;
	char header[128];
	bool named = false;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != ',' && s[i] != '\n')
			continue;
		if (!named) {
			size_t n = i - start < sizeof header - 1 ?
			    i - start : sizeof header - 1;

			memcpy(header, s + start, n);
			header[n] = '\0';
			identifier_column_header(&col, header);
			named = true;
		} else
			identifier_column_add(&col, s + start, i - start,
			    ++row);
		start = i + 1;
	}
	for (int j = IDENTIFIER_BSN; j <= IDENTIFIER_NAME; j++)
		hits += col.hits[j];
	if (col.values > row || hits > 2 * (size_t)col.values)
		abort();
	k = identifier_column_verdict(&col, &first);
	if (k == IDENTIFIER_NONE ? first != 0 : first < 1 || first > row)
		abort();
	if (k != IDENTIFIER_NONE && identifier_reason(k) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so reading past the value is seen. */
	char *copy = malloc(size == 0 ? 1 : size);

	memcpy(copy, data, size);
	fuzz_value(copy, size);
	fuzz_column(copy, size);
	free(copy);
	return 0;
}
