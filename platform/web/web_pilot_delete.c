/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Deleting a pilot in the browser, in two steps: GET
 * /pilots/{id}/verwijderen says what will be gone and asks; its form
 * (POST, with the session's CSRF token) deletes, as the API's DELETE does
 * (model_pilots_delete: a tombstone, 410 for whoever could see it, peers
 * told). Only the pilot's own municipality gets either step.
 */
#include "web/web.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

void
web_pilot_delete_confirm(struct req *r)
{
	struct evbuffer *b;
	struct pilot p;

	if (model_pilots_load(r, &p, true) == -1)
		return;
	b = evbuffer_new();
	web_page_start(r, b, "Pilot verwijderen");
	html_out(b, "<h1>Pilot verwijderen</h1>\n<p>U staat op het punt de pilot "
	    "<strong>%s</strong> te verwijderen.</p>\n"
	    "<h2>Wat er verdwijnt</h2>\n<ul>\n"
	    "<li>De hele tekst: samenvatting, onderzoeksvraag, aanpak, data, "
	    "resultaten, lessen en privacy.</li>\n"
	    "<li>De koppelingen met richtlijnen en indicatoren, de tags en de "
	    "betrokkenen.</li>\n"
	    "<li>De pilot in de lijst, in de zoekresultaten en in de feed.</li>\n"
	    "</ul>\n<h2>Wat anderen merken</h2>\n<ul>\n"
	    "<li>Wie de pilot via een link opent, leest dat hij verwijderd "
	    "is.</li>\n"
	    "<li>Andere meent-servers die de pilot delen, horen dat hij "
	    "verwijderd is en halen hem ook weg.</li>\n</ul>\n"
	    "<p><strong>Dit kunt u niet ongedaan maken.</strong></p>\n"
	    "<form method=\"post\" action=\"/pilots/%s/verwijderen\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<p><button type=\"submit\">Ja, verwijder deze pilot</button></p>\n"
	    "</form>\n<p><a href=\"/pilots/%s\">Nee, terug naar de pilot</a>"
	    "</p>\n", p.titel, p.id, r->who.csrf, p.id);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	pilot_free(&p);
}

void
web_pilot_delete_post(struct req *r)
{
	struct evkeyvalq form;
	struct evbuffer *b;
	struct pilot p;

	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (model_pilots_delete(r, &p) == -1) {
		pilot_free(&p);
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Pilot verwijderd");
	html_out(b, "<h1>Pilot verwijderd</h1>\n<div class=\"notice\" "
	    "role=\"status\"><p>De pilot <strong>%s</strong> is verwijderd."
	    "</p></div>\n<p><a href=\"/pilots\">Naar de pilots</a> · "
	    "<a href=\"/pilots/nieuw\">Een nieuwe pilot schrijven</a></p>\n",
	    p.titel);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	pilot_free(&p);
}
