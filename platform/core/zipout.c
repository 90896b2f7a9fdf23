/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A zip archive made in memory (libzip), for a download of several files:
 * the export of a municipality's content (web_export.c). Files are added
 * as they come (each copied once) and the archive is written out at the
 * end. Deflate, names in UTF-8.
 */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <zip.h>

struct zipout {
	zip_source_t	*src;	/* the archive's bytes */
	zip_t		*zip;
	time_t		 day;	/* every file's time: today, 00:00 UTC */
};

struct zipout *
zipout_new(void)
{
	struct zipout *z = xcalloc(1, sizeof *z);
	zip_error_t err;

	zip_error_init(&err);
	if ((z->src = zip_source_buffer_create(NULL, 0, 0, &err)) == NULL ||
	    (z->zip = zip_open_from_source(z->src, ZIP_TRUNCATE, &err)) ==
	    NULL) {
		if (z->src != NULL)
			zip_source_free(z->src);
		zip_error_fini(&err);
		free(z);
		return NULL;
	}
	zip_source_keep(z->src);	/* to read it after zip_close() */
	z->day = time(NULL) / 86400 * 86400;
	zip_error_fini(&err);
	return z;
}

/* Add a file (path inside the archive); usable as an export_put_fn. */
int
zipout_add(void *arg, const char *path, const char *bytes, size_t len)
{
	struct zipout *z = arg;
	zip_source_t *s;
	zip_int64_t i;
	void *copy = xmalloc(len > 0 ? len : 1);

	memcpy(copy, bytes, len);
	if ((s = zip_source_buffer(z->zip, copy, len, 1)) == NULL) {
		free(copy);
		return -1;
	}
	if ((i = zip_file_add(z->zip, path, s, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(s);
		return -1;
	}
	/* The day, not the second: the same files make the same archive. */
	return zip_file_set_mtime(z->zip, (zip_uint64_t)i, z->day, 0) == 0 ?
	    0 : -1;
}

/* Write the archive into out and free z. 0, or -1 (out unchanged). */
int
zipout_finish(struct zipout *z, struct evbuffer *out)
{
	zip_stat_t st;
	char buf[65536];
	zip_int64_t n;
	int rc = -1;

	if (zip_close(z->zip) == -1) {
		zip_discard(z->zip);
		goto out;
	}
	if (zip_source_stat(z->src, &st) == -1 || zip_source_open(z->src) ==
	    -1)
		goto out;
	while ((n = zip_source_read(z->src, buf, sizeof buf)) > 0)
		evbuffer_add(out, buf, (size_t)n);
	zip_source_close(z->src);
	rc = n == 0 ? 0 : -1;
out:
	zip_source_free(z->src);
	free(z);
	return rc;
}

/* Drop z unwritten. */
void
zipout_free(struct zipout *z)
{
	if (z == NULL)
		return;
	zip_discard(z->zip);
	zip_source_free(z->src);
	free(z);
}
