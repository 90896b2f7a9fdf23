/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The files of attachments of pilots from other instances.
 *
 * A federated pilot carries its attachments by hash and size (fed_items.c
 * stores the rows); the bytes are fetched here, in the background, after
 * each pull cycle of the outbound thread: for every row whose file is not
 * in <data>/bijlagen, a GET of the origin's (its pinned peer URL, else the
 * base URL it announced)
 * /api/v1/pilots/{id}/bijlagen/{hash} through outbound.c (https only, no
 * redirects, the SSRF guard), capped at the announced size; the answer is
 * kept only when its length and SHA-256 are the ones announced. Until then
 * a download answers 503 with Retry-After (model_attachments.c). A failed
 * fetch is tried again after the next pull.
 *
 * Everything here runs on the outbound thread (its database connection,
 * its callbacks), so the set of fetches in flight needs no lock.
 */
#include "fed/fed.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define FED_FILES_INFLIGHT	8	/* fetches at a time */
#define FED_FILES_TIMEOUT_MS	(10 * 60 * 1000)

struct fed_files_fetch {
	char		 hash[65];
	long long	 size;
	const char	*data_dir;	/* the configuration's */
	struct db	*db;		/* the outbound thread's */
};

static char fed_files_inflight[FED_FILES_INFLIGHT][65];

static int
fed_files_slot(const char *hash)
{
	for (int i = 0; i < FED_FILES_INFLIGHT; i++)
		if (strcmp(fed_files_inflight[i], hash) == 0)
			return i;
	return -1;
}

/* Keep body if it is the file announced. */
static void
fed_files_done_cb(void *arg, int result, long status, const char *body,
    size_t len)
{
	struct fed_files_fetch *f = arg;
	struct attachment_upload u;
	int slot = fed_files_slot(f->hash);

	if (slot != -1)
		fed_files_inflight[slot][0] = '\0';
	if (result != OUTBOUND_OK || status != 200 || (long long)len !=
	    f->size) {
		log_emit(LOG_WARN, "fed.files", "attachment %.12s: not fetched "
		    "(result %d, status %ld, %zu of %lld bytes)", f->hash,
		    result, status, len, f->size);
		goto out;
	}
	if (attachment_upload_begin(f->data_dir, &u) == -1 ||
	    attachment_upload_write(&u, body, len) == -1) {
		attachment_upload_abort(&u);
		log_emit(LOG_ERROR, "fed.files", "attachment %.12s: cannot "
		    "write", f->hash);
		goto out;
	}
	attachment_upload_end(&u);
	if (strcmp(u.hash, f->hash) != 0) {
		attachment_upload_abort(&u);
		log_emit(LOG_WARN, "fed.files", "attachment %.12s: the origin "
		    "sent other content (hash %.12s); not kept", f->hash,
		    u.hash);
		goto out;
	}
	if (attachment_store_keep_fetched(f->db, f->data_dir, &u) == -1)
		log_emit(LOG_ERROR, "fed.files", "attachment %.12s: cannot "
		    "store", f->hash);
	else
		log_emit(LOG_INFO, "fed.files", "attachment %.12s: fetched, "
		    "%lld bytes", f->hash, f->size);
out:
	free(f);
}

static void
fed_files_submit(struct db *db, const struct config *cfg,
    const char *base_url, const char *pilot, const char *hash,
    long long size)
{
	struct fed_files_fetch *f;
	struct outbound_request req = { 0 };
	char *url;
	int slot = fed_files_slot("");

	if (slot == -1)
		return;		/* busy: after the next pull */
	f = xcalloc(1, sizeof *f);
	snprintf(f->hash, sizeof f->hash, "%s", hash);
	f->size = size;
	f->data_dir = cfg->data_dir;
	f->db = db;
	url = xasprintf("%s/api/v1/pilots/%s/bijlagen/%s", base_url, pilot,
	    hash);
	req.url = url;
	req.timeout_ms = FED_FILES_TIMEOUT_MS;
	req.max_response = (size_t)size;
	req.allow_loopback = cfg->federation_allow_http_loopback;
	req.done = fed_files_done_cb;
	req.arg = f;
	if (outbound_submit(&req) == -1)
		free(f);
	else
		snprintf(fed_files_inflight[slot], 65, "%s", hash);
	free(url);
}

/*
 * Remove the files no row names any more, then start fetching what is
 * missing, up to FED_FILES_INFLIGHT at a time. On the outbound thread
 * only.
 */
void
fed_files_fetch(struct db *db, const struct config *cfg)
{
	/*
	 * From the origin: the URL pinned for it when it is a peer (what
	 * this instance knows it can reach), else the base URL it announced.
	 */
	sqlite3_stmt *st = db_stmt(db, "SELECT b.pilot, b.hash, b.grootte,"
	    " coalesce((SELECT url FROM peers WHERE instance = p.origin),"
	    "  (SELECT base_url FROM fed_origins WHERE uuid = p.origin), '')"
	    " FROM pilot_bijlagen b JOIN pilots p ON p.id = b.pilot"
	    " WHERE p.verwijderd IS NULL"
	    " AND p.origin != (SELECT uuid FROM instance)"
	    " ORDER BY b.aangemaakt LIMIT 500");
	int rc;

	/* First the files of rows the pull removed (lists that changed). */
	(void)attachment_store_gc(db, cfg->data_dir);
	if (st == NULL)
		return;
	while ((rc = db_step_row(db, st, "fed files")) == 1) {
		const char *pilot = (const char *)sqlite3_column_text(st, 0);
		const char *hash = (const char *)sqlite3_column_text(st, 1);
		const char *base = (const char *)sqlite3_column_text(st, 3);

		if (base == NULL || *base == '\0' ||
		    !attachment_hash_valid(hash) || fed_files_slot(hash) != -1 ||
		    attachment_file_present(cfg->data_dir, hash))
			continue;
		fed_files_submit(db, cfg, base, pilot, hash,
		    sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
}
