/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /mijn, "Mijn overzicht": what the signed-in person's municipality has on
 * meent and what needs doing first, each item a link to where it is done.
 * What is gathered, and who may change it, is model_dashboard.c's; this
 * file only draws it. A viewer sees the same lists without the links that
 * change something (edit, new, upload).
 */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

static const char *
web_dashboard_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* A time as its date: "2026-11-30T21:47:36Z" as "2026-11-30". */
static void
web_dashboard_date(struct evbuffer *b, json_t *o, const char *key)
{
	const char *when = web_dashboard_str(o, key);
	char day[11];

	snprintf(day, sizeof day, "%s", when);
	html_out(b, "<time datetime=\"%s\">%s</time>", when, day);
}

static void
web_dashboard_first(struct evbuffer *b, json_t *todo)
{
	json_t *v;
	size_t i;

	html_out(b, "<section aria-labelledby=\"eerst-doen\">\n"
	    "<h2 id=\"eerst-doen\">Eerst doen</h2>\n");
	if (json_array_size(todo) == 0) {
		html_out(b, "<p>Er wacht nu niets op u.</p>\n</section>\n");
		return;
	}
	html_out(b, "<ul class=\"todo\">\n");
	json_array_foreach(todo, i, v)
		html_out(b, "<li><a href=\"%s\">%s</a></li>\n",
		    web_dashboard_str(v, "href"),
		    web_dashboard_str(v, "tekst"));
	html_out(b, "</ul>\n</section>\n");
}

/* The pilots of one kind: concepts (concept true) or the others. */
static void
web_dashboard_pilot_list(struct evbuffer *b, json_t *pilots, bool concept,
    bool editor)
{
	json_t *p;
	size_t i, n = 0;

	html_out(b, "<h3>%s</h3>\n", concept ? "Concepten" : "Gepubliceerd");
	json_array_foreach(pilots, i, p) {
		bool is_concept = strcmp(web_dashboard_str(p, "zichtbaarheid"),
		    "concept") == 0;
		const char *id = web_dashboard_str(p, "id");

		if (is_concept != concept)
			continue;
		if (n++ == 0)
			html_out(b, "<ul class=\"items\">\n");
		html_out(b, "<li><a href=\"/pilots/%s\">%s</a> <span "
		    "class=\"meta\">%s", id, web_dashboard_str(p, "titel"),
		    choice_label(pilot_statuses, web_dashboard_str(p,
		    "status")));
		if (!concept) {
			/* "Iedereen" as "zichtbaar voor iedereen". */
			char who[64];

			snprintf(who, sizeof who, "%s", choice_label(
			    pilot_visibilities, web_dashboard_str(p,
			    "zichtbaarheid")));
			if (who[0] >= 'A' && who[0] <= 'Z')
				who[0] = (char)(who[0] - 'A' + 'a');
			html_out(b, " · zichtbaar voor %s", who);
		}
		html_out(b, " · gewijzigd ");
		web_dashboard_date(b, p, "gewijzigd");
		html_out(b, "</span>");
		if (editor && json_is_true(json_object_get(p, "lokaal")))
			html_out(b, " <a href=\"/pilots/%s/bewerken\">Bewerk "
			    "‘%s’</a>", id, web_dashboard_str(p, "titel"));
		html_out(b, "</li>\n");
	}
	if (n == 0)
		html_out(b, "<p>%s</p>\n", concept ? "Geen concepten." :
		    "Nog geen gepubliceerde pilots.");
	else
		html_out(b, "</ul>\n");
}

static void
web_dashboard_pilots(struct evbuffer *b, json_t *d, bool editor)
{
	json_t *pilots = json_object_get(d, "pilots");

	html_out(b, "<section aria-labelledby=\"pilots\">\n"
	    "<h2 id=\"pilots\">Pilots</h2>\n");
	if (editor)
		html_out(b, "<p><a href=\"/pilots/nieuw\">Nieuwe pilot "
		    "beschrijven</a></p>\n");
	web_dashboard_pilot_list(b, pilots, true, editor);
	web_dashboard_pilot_list(b, pilots, false, editor);
	html_out(b, "</section>\n");
}

/* A dataset's status in words. */
static const char *
web_dashboard_dataset_status(json_t *v)
{
	if (strcmp(web_dashboard_str(v, "status"), "concept") != 0)
		return choice_label(dataset_statuses, web_dashboard_str(v,
		    "status"));
	return json_is_true(json_object_get(v, "publiceerbaar")) ?
	    "concept, kan gepubliceerd worden" :
	    "concept, kan niet gepubliceerd worden";
}

static void
web_dashboard_datasets(struct evbuffer *b, json_t *d, bool editor)
{
	json_t *list = json_object_get(d, "datasets"), *v;
	size_t i;

	html_out(b, "<section aria-labelledby=\"datasets\">\n"
	    "<h2 id=\"datasets\">Datasets</h2>\n");
	if (editor)
		html_out(b, "<p><a href=\"/datasets/nieuw\">Dataset "
		    "uploaden</a></p>\n");
	if (json_array_size(list) == 0) {
		html_out(b, "<p>Nog geen datasets.</p>\n</section>\n");
		return;
	}
	html_out(b, "<ul class=\"items\">\n");
	json_array_foreach(list, i, v) {
		html_out(b, "<li><a href=\"/datasets/%s\">%s, %s</a> <span "
		    "class=\"meta\">%s · gewijzigd ", web_dashboard_str(v, "id"),
		    web_dashboard_str(v, "indicatorNaam"),
		    web_dashboard_str(v, "periode"),
		    web_dashboard_dataset_status(v));
		web_dashboard_date(b, v, "gewijzigd");
		html_out(b, "</span></li>\n");
	}
	html_out(b, "</ul>\n</section>\n");
}

/* A list of proposals under heading (with its id), or what is empty. */
static void
web_dashboard_proposals(struct evbuffer *b, json_t *list, const char *id,
    const char *heading, const char *empty, bool from)
{
	json_t *v;
	size_t i;

	html_out(b, "<section aria-labelledby=\"%s\">\n<h2 id=\"%s\">%s</h2>\n",
	    id, id, heading);
	if (json_array_size(list) == 0) {
		html_out(b, "<p>%s</p>\n</section>\n", empty);
		return;
	}
	html_out(b, "<ul class=\"items\">\n");
	json_array_foreach(list, i, v) {
		html_out(b, "<li><a href=\"/richtlijnen/%s/voorstellen/%ld\">"
		    "%s: %s</a> <span class=\"meta\">",
		    web_dashboard_str(v, "richtlijn"), (long)
		    json_integer_value(json_object_get(v, "id")),
		    web_dashboard_str(v, "richtlijnTitel"),
		    web_dashboard_str(v, "bericht"));
		if (from)
			html_out(b, "van %s · ", web_dashboard_str(v,
			    "gemeenteNaam"));
		html_out(b, "ingediend ");
		web_dashboard_date(b, v, "aangemaakt");
		html_out(b, "</span></li>\n");
	}
	html_out(b, "</ul>\n</section>\n");
}

/* GET /mijn: the overview of the signed-in person's municipality. */
void
web_dashboard(struct req *r)
{
	struct evbuffer *b;
	json_t *d;
	bool editor;

	if (model_dashboard_get(r, &d) == -1)
		return;
	editor = json_is_true(json_object_get(d, "magBewerken"));
	b = evbuffer_new();
	web_page_start(r, b, "Mijn overzicht");
	html_out(b, "<h1>Mijn overzicht</h1>\n<p class=\"lead\">Gemeente "
	    "<a href=\"/gemeenten/%s\">%s</a> · u bent %s.</p>\n",
	    web_dashboard_str(d, "gemeente"),
	    web_dashboard_str(d, "gemeenteNaam"), role_label(r->who.role));
	web_dashboard_first(b, json_object_get(d, "eerstDoen"));
	web_dashboard_pilots(b, d, editor);
	web_dashboard_datasets(b, d, editor);
	web_dashboard_proposals(b, json_object_get(d,
	    "voorstellenTeBeslissen"), "te-beslissen", "Voorstellen die op uw "
	    "besluit wachten", "Er wachten geen voorstellen op uw besluit.",
	    true);
	web_dashboard_proposals(b, json_object_get(d, "eigenVoorstellen"),
	    "eigen-voorstellen", "Uw eigen voorstellen", "U hebt geen open "
	    "voorstellen.", false);
	if (r->who.role == ROLE_ADMIN)
		html_out(b, "<section aria-labelledby=\"meenemen\">\n"
		    "<h2 id=\"meenemen\">Alles van uw gemeente meenemen</h2>\n"
		    "<p>Een zip met al uw pilots en richtlijnen (ook concepten),"
		    " uw gepubliceerde tabellen en een overzicht. Een andere "
		    "meent kan de pilots en richtlijnen inlezen.</p>\n"
		    "<p><a href=\"/mijn/export\" download>Download alles "
		    "(zip)</a></p>\n</section>\n");
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(d);
}
