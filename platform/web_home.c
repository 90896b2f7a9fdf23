/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The start page.
 */
#include "meent.h"

#include <event2/buffer.h>

void
web_home(struct req *r)
{
	struct evbuffer *b = evbuffer_new();
	const struct instance *in = server_instance(r->srv);

	html_page_start(r, b, "Start");
	html_out(b, "<h1>%s</h1>\n<p>Op meent delen gemeenten wat zij leren "
	    "van datagedreven werken: pilots, richtlijnen en benchmarks.</p>\n",
	    in->name);
	html_page_end(b);
	html_reply(r, 200, b);
	evbuffer_free(b);
}
