/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The Atom feeds (RFC 4287), for following meent in a feed reader:
 * /pilots/feed (new and changed public pilots, with every filter of the
 * list, read and checked by the same model_pilots_query), /richtlijnen/feed
 * (new guidelines) and /richtlijnen/{slug}/feed (a guideline's revisions).
 * Newest first. Only openbaar pilots are in a feed, whoever asks: a feed is
 * read by programs that pass it on. Bad parameters are a 400 problem+json
 * (a feed reader is no browser). Text is escaped by html_out, which is
 * XML's escaping too; summaries are plain text, never Markdown or HTML.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#define FEED_ENTRIES 50

/*
 * The feed's own elements after its <title> (written by the caller): id,
 * updated, links to itself and to its page (paths on this instance), the
 * author (the instance).
 */
static void
feed_head(struct evbuffer *b, const struct instance *in, const char *id,
    const char *updated, const char *self, const char *page)
{
	html_out(b, "<id>%s</id>\n<updated>%s</updated>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" href=\"%s%s\"/>\n"
	    "<link rel=\"alternate\" type=\"text/html\" href=\"%s%s\"/>\n"
	    "<author><name>%s</name></author>\n<generator>meent</generator>\n",
	    id, updated, in->base_url, self, in->base_url, page, in->name);
}

static void
feed_start(struct evbuffer *b)
{
	html_out(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"nl\">\n");
}

static void
feed_send(struct req *r, struct evbuffer *b)
{
	html_out(b, "</feed>\n");
	reply_send(r, 200, "application/atom+xml; charset=utf-8", b);
}

/*
 * The filters of a pilot feed in words, after its title: ": jeugd, ...";
 * the municipality by its name (gemeente: municipality_get()'s, or NULL
 * for its code).
 */
static void
feed_pilots_filters(struct evbuffer *b, const struct pilot_query *q,
    json_t *gemeente)
{
	char klasse[12];
	const char *filters[][2] = {
		{ "domein", q->domein }, { "status", q->status },
		{ "grootteklasse", q->grootteklasse > 0 ? klasse : NULL },
		{ "provincie", q->provincie }, { "gemeente", q->gemeente },
		{ "tag", q->tag },
	};
	const char *sep = ": ";

	snprintf(klasse, sizeof klasse, "%d", q->grootteklasse);
	if (q->q != NULL) {
		html_out(b, "%szoekwoorden “%s”", sep, q->q);
		sep = ", ";
	}
	for (size_t i = 0; i < nitems(filters); i++) {
		if (filters[i][1] == NULL)
			continue;
		html_out(b, "%s", sep);
		sep = ", ";
		if (strcmp(filters[i][0], "gemeente") == 0 &&
		    gemeente != NULL) {
			html_out(b, "%s", json_string_value(json_object_get(
			    gemeente, "naam")));
			continue;
		}
		web_pilots_filter_value(b, filters[i][0], filters[i][1]);
	}
}

/*
 * The pilots matching the query's filters into *items: 0, or -1 after
 * replying (400 for a bad parameter, 503, 500).
 */
static int
feed_pilots_read(struct req *r, const struct pilot_query *q, json_t **items)
{
	int rc;

	*items = NULL;
	if (!req_has_invalid(r)) {
		rc = model_pilots_feed(r, q, FEED_ENTRIES, items);
		if (rc == MEENT_CONFLICT)
			req_invalid(r, "q", "geen geldige zoekvraag (let op AND, "
			    "OR, NOT en haakjes)");
		else if (rc == MEENT_INTERRUPTED) {
			reply_problem(r, 503, "Zoekopdracht te zwaar",
			    MODEL_PILOTS_TOO_LONG);
			return -1;
		} else if (rc != 0) {
			reply_db_failed(r, "De feed kon niet gemaakt worden.");
			return -1;
		}
	}
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return -1;
	}
	return 0;
}

void
feed_pilots(struct req *r)
{
	const struct instance *in = r->ctx->instance;
	struct pilot_query q;
	struct evbuffer *b;
	json_t *items, *p, *gemeente = NULL;
	char when[32], published[32], *self, *page, *id;
	size_t i;

	if (model_pilots_query(r, &q) == MEENT_ERR) {
		free(q.fts);
		reply_db_failed(r, "De feed kon niet gemaakt worden.");
		return;
	}
	if (feed_pilots_read(r, &q, &items) == -1) {
		free(q.fts);
		return;
	}
	if (q.gemeente != NULL && municipality_get(r->db, q.gemeente,
	    &gemeente) == MEENT_ERR) {
		json_decref(items);
		free(q.fts);
		reply_db_failed(r, "De feed kon niet gemaakt worden.");
		return;
	}
	self = web_pilots_href("/pilots/feed", &q, false, NULL, NULL, NULL);
	page = web_pilots_href("/pilots", &q, false, NULL, NULL, NULL);
	/* The whole list keeps the id it always had. */
	id = strcmp(self, "/pilots/feed") == 0 ? xasprintf("urn:uuid:%s",
	    in->uuid) : xasprintf("%s%s", in->base_url, self);
	clock_format(json_array_size(items) > 0 ? (time_t)json_integer_value(
	    json_object_get(json_array_get(items, 0), "gewijzigd")) : time(NULL),
	    when, sizeof when);
	b = evbuffer_new();
	feed_start(b);
	html_out(b, "<title>Nieuwe pilots op %s", in->name);
	feed_pilots_filters(b, &q, gemeente);
	html_out(b, "</title>\n<subtitle>Wat gemeenten leren van datagedreven "
	    "werken</subtitle>\n");
	feed_head(b, in, id, when, self, page);
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
		    in->base_url, json_string_value(json_object_get(p, "id")),
		    json_string_value(json_object_get(p, "gemeenteNaam")),
		    json_string_value(json_object_get(p, "samenvatting")));
	}
	feed_send(r, b);
	evbuffer_free(b);
	json_decref(items);
	json_decref(gemeente);
	free(self);
	free(page);
	free(id);
	free(q.fts);
}

/* /richtlijnen/feed: the newest guidelines. */
void
feed_guidelines(struct req *r)
{
	const struct instance *in = r->ctx->instance;
	struct evbuffer *b;
	json_t *items, *g;
	char when[32], published[32], *id;
	json_int_t latest = 0;
	size_t i;

	if ((items = guideline_store_newest(r->db, FEED_ENTRIES)) == NULL) {
		reply_db_failed(r, "De feed kon niet gemaakt worden.");
		return;
	}
	/* Updated: the latest change of any entry. */
	json_array_foreach(items, i, g)
		if (json_integer_value(json_object_get(g, "gewijzigd")) > latest)
			latest = json_integer_value(json_object_get(g,
			    "gewijzigd"));
	clock_format(latest > 0 ? (time_t)latest : time(NULL), when,
	    sizeof when);
	id = xasprintf("%s/richtlijnen/feed", in->base_url);
	b = evbuffer_new();
	feed_start(b);
	html_out(b, "<title>Nieuwe richtlijnen op %s</title>\n"
	    "<subtitle>Afspraken die gemeenten samen bijhouden</subtitle>\n",
	    in->name);
	feed_head(b, in, id, when, "/richtlijnen/feed", "/richtlijnen");
	json_array_foreach(items, i, g) {
		const char *slug = json_string_value(json_object_get(g, "slug"));
		const char *who = json_string_value(json_object_get(g,
		    "gemeenteNaam"));

		clock_format((time_t)json_integer_value(json_object_get(g,
		    "gewijzigd")), when, sizeof when);
		clock_format((time_t)json_integer_value(json_object_get(g,
		    "aangemaakt")), published, sizeof published);
		html_out(b, "<entry>\n<title>%s</title>\n"
		    "<id>%s/richtlijnen/%s</id>\n<updated>%s</updated>\n"
		    "<published>%s</published>\n<link rel=\"alternate\" "
		    "type=\"text/html\" href=\"%s/richtlijnen/%s\"/>\n"
		    "<author><name>%s</name></author>\n<summary>Nieuwe richtlijn"
		    " van %s; nu versie %ld.</summary>\n</entry>\n",
		    json_string_value(json_object_get(g, "titel")), in->base_url,
		    slug, when, published, in->base_url, slug,
		    who != NULL ? who : in->name, who != NULL ? who : in->name,
		    (long)json_integer_value(json_object_get(g, "versie")));
	}
	feed_send(r, b);
	evbuffer_free(b);
	json_decref(items);
	free(id);
}

/* /richtlijnen/{slug}/feed: a guideline's revisions. */
void
feed_guideline(struct req *r)
{
	const struct instance *in = r->ctx->instance;
	struct guideline g;
	struct evbuffer *b;
	json_t *revisions, *v;
	char when[32], self[128], page[128], *id;
	size_t i;

	if (model_guidelines_load(r, &g) == -1)
		return;
	if ((revisions = guideline_store_revisions(r->db, g.pk)) == NULL) {
		reply_db_failed(r, "De feed kon niet gemaakt worden.");
		return;
	}
	clock_format(g.gewijzigd, when, sizeof when);
	snprintf(page, sizeof page, "/richtlijnen/%s", g.slug);
	snprintf(self, sizeof self, "/richtlijnen/%s/feed", g.slug);
	id = xasprintf("%s%s", in->base_url, self);
	b = evbuffer_new();
	feed_start(b);
	html_out(b, "<title>%s: nieuwe versies</title>\n", g.titel);
	/* The newest revision's time, when it is later than the head's. */
	if (json_array_size(revisions) > 0 && strcmp(json_string_value(
	    json_object_get(json_array_get(revisions, 0), "aangemaakt")),
	    when) > 0)
		snprintf(when, sizeof when, "%s", json_string_value(
		    json_object_get(json_array_get(revisions, 0),
		    "aangemaakt")));
	feed_head(b, in, id, when, self, page);
	json_array_foreach(revisions, i, v) {
		long n = (long)json_integer_value(json_object_get(v, "versie"));
		const char *who = json_string_value(json_object_get(v,
		    "gemeenteNaam"));

		if (i == FEED_ENTRIES)
			break;
		if (who == NULL)
			who = json_string_value(json_object_get(v, "gemeente"));
		html_out(b, "<entry>\n<title>Versie %ld: %s</title>\n"
		    "<id>%s/richtlijnen/%s/versies/%ld</id>\n"
		    "<updated>%s</updated>\n<link rel=\"alternate\" "
		    "type=\"text/html\" href=\"%s/richtlijnen/%s/versies/%ld\"/>\n"
		    "<author><name>%s</name></author>\n<summary>Versie %ld van "
		    "%s, door %s: %s</summary>\n</entry>\n", n,
		    json_string_value(json_object_get(v, "bericht")),
		    in->base_url, g.slug, n,
		    json_string_value(json_object_get(v, "aangemaakt")),
		    in->base_url, g.slug, n, who, n, g.titel, who,
		    json_string_value(json_object_get(v, "bericht")));
	}
	feed_send(r, b);
	evbuffer_free(b);
	json_decref(revisions);
	free(id);
}
