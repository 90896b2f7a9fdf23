/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The start page: what meent is, a search box, the newest pilots.
 */
#include "web/web.h"

#include <event2/buffer.h>

void
web_home(struct req *r)
{
	struct evbuffer *b = evbuffer_new();
	const struct instance *in = r->ctx->instance;
	int rc;

	web_page_start(r, b, "Start");
	html_out(b, "<h1>%s</h1>\n<p class=\"lead\">Op meent delen gemeenten wat "
	    "zij leren van datagedreven werken: pilots, richtlijnen en "
	    "benchmarks. Zo hoeft een kleine gemeente niet bij nul te "
	    "beginnen.</p>\n"
	    "<form method=\"get\" action=\"/zoeken\" role=\"search\">"
	    "<p><label for=\"q\">Zoek in pilots</label><br>"
	    "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"200\"> "
	    "<button type=\"submit\">Zoeken</button></p></form>\n", in->name);
	/* Out of the time budget: the page without the list. */
	rc = web_pilots_recent(r, b, 6);
	if (rc != 0 && rc != MEENT_INTERRUPTED) {
		evbuffer_free(b);
		reply_db_failed(r, "De nieuwe pilots konden niet gelezen "
		    "worden.");
		return;
	}
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
}
