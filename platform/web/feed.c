/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /pilots/feed: an Atom feed (RFC 4287) of new and changed public pilots,
 * newest first. Only openbaar pilots are in it, whoever asks: a feed is
 * read by programs that pass it on.
 */
#include "web/web.h"

#include <string.h>

#include <event2/buffer.h>

#define FEED_ENTRIES 50

void
feed_pilots(struct req *r)
{
	const struct instance *in = r->ctx->instance;
	const char *base = in->base_url;
	struct evbuffer *b;
	json_t *items, *p;
	char when[32], published[32];
	size_t i;

	items = pilot_store_feed(r->db, FEED_ENTRIES);
	if (items == NULL) {
		reply_db_failed(r, "De feed kon niet gemaakt worden.");
		return;
	}
	clock_format(json_array_size(items) > 0 ? (time_t)json_integer_value(
	    json_object_get(json_array_get(items, 0), "gewijzigd")) : time(NULL),
	    when, sizeof when);
	b = evbuffer_new();
	html_out(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\n"
	    "<title>Nieuwe pilots op %s</title>\n"
	    "<subtitle>Wat gemeenten leren van datagedreven werken</subtitle>\n"
	    "<id>urn:uuid:%s</id>\n<updated>%s</updated>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"%s/pilots/feed\"/>\n"
	    "<link rel=\"alternate\" type=\"text/html\" href=\"%s/pilots\"/>\n"
	    "<author><name>%s</name></author>\n"
	    "<generator>meent</generator>\n", in->name, in->uuid, when, base,
	    base, in->name);
	json_array_foreach(items, i, p) {
		clock_format((time_t)json_integer_value(json_object_get(p,
		    "gewijzigd")), when, sizeof when);
		clock_format((time_t)json_integer_value(json_object_get(p,
		    "aangemaakt")), published, sizeof published);
		html_out(b, "<entry>\n<title>%s</title>\n<id>urn:uuid:%s</id>\n"
		    "<updated>%s</updated>\n<published>%s</published>\n"
		    "<link rel=\"alternate\" type=\"text/html\" "
		    "href=\"%s/pilots/%s\"/>\n<author><name>%s</name></author>\n"
		    "<summary>%s</summary>\n</entry>\n",
		    json_string_value(json_object_get(p, "titel")),
		    json_string_value(json_object_get(p, "id")), when, published,
		    base, json_string_value(json_object_get(p, "id")),
		    json_string_value(json_object_get(p, "gemeenteNaam")),
		    json_string_value(json_object_get(p, "samenvatting")));
	}
	html_out(b, "</feed>\n");
	reply_send(r, 200, "application/atom+xml; charset=utf-8", b);
	evbuffer_free(b);
	json_decref(items);
}
