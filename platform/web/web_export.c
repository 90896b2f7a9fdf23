/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /mijn/export: everything the admin's municipality made here, as one zip
 * (the same files as `meentctl export`, domain/export_gemeente.c): its
 * pilots and guidelines in the seed format another meent loads with
 * --seed, its published tables, and a manifest. For its admins only: the
 * zip holds concepts and members-only pilots.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

void
web_export_download(struct req *r)
{
	struct zipout *z = zipout_new();
	struct evbuffer *b;
	char name[96], day[16];
	time_t now = time(NULL);
	struct tm tm;

	if (z == NULL) {
		reply_problem(r, 500, "Niet gelukt", "Het bestand kon niet "
		    "gemaakt worden. Probeer het later opnieuw.");
		return;
	}
	if (export_gemeente(r->db, r->who.gemeente, zipout_add, z) != 0) {
		zipout_free(z);
		reply_db_failed(r, "De inhoud van uw gemeente kon niet gelezen "
		    "worden.");
		return;
	}
	b = evbuffer_new();
	if (zipout_finish(z, b) == -1) {
		evbuffer_free(b);
		reply_problem(r, 500, "Niet gelukt", "Het bestand kon niet "
		    "gemaakt worden. Probeer het later opnieuw.");
		return;
	}
	gmtime_r(&now, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(name, sizeof name, "attachment; filename=\"meent-%s-%s.zip\"",
	    r->who.gemeente, day);
	reply_header(r, "Content-Disposition", name);
	reply_header(r, "Cache-Control", "no-store");
	reply_send(r, 200, "application/zip", b);
	evbuffer_free(b);
}
