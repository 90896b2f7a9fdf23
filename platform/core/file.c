/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Reading a whole local file, with a cap.
 */
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Read path into *out (NUL-terminated; caller frees) and *len. A file over
 * max bytes is an error. Returns 0, or -1 and *err (caller frees).
 */
int
file_read_all(const char *path, size_t max, char **out, size_t *len,
    char **err)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (f == NULL) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(max + 1);
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		*err = ferror(f) ? xasprintf("%s: %s", path, strerror(errno)) :
		    xasprintf("%s: larger than %zu bytes", path, max);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	*out = xreallocarray(buf, n + 1, 1);
	*len = n;
	return 0;
}
