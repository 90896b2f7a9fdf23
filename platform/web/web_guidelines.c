/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The guideline pages: /richtlijnen, /richtlijnen/{slug} (the text with
 * its table of contents, maintainers, adoptions, history and proposals),
 * /richtlijnen/{slug}/versies/{n} and /richtlijnen/{slug}/verschillen.
 * They read through the same store as the API.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/* The guideline of a page's path; replies 404 and returns -1 if none. */
int
web_guidelines_load(struct req *r, struct guideline *g)
{
	int rc = guideline_slug_valid(r->params[0]) ?
	    guideline_store_get(r->db, r->params[0], g) : MEENT_NOTFOUND;

	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Er is geen richtlijn met "
		    "deze naam.");
	else if (rc != 0)
		reply_db_failed(r, "De richtlijn kon niet gelezen worden.");
	return rc == 0 ? 0 : -1;
}

void
web_guidelines_list(struct req *r)
{
	struct evbuffer *b;
	json_t *items, *g;
	long total;
	size_t i;
	int page, page_size;

	if (req_page(r, &page, &page_size) == -1) {
		reply_problem(r, 400, "Ongeldige invoer", "Dit deel van de "
		    "lijst bestaat niet.");
		return;
	}
	items = guideline_store_list(r->db, page, page_size, &total);
	if (items == NULL) {
		reply_db_failed(r, "De richtlijnen konden niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, "Richtlijnen");
	html_out(b, "<h1>Richtlijnen</h1>\n<p class=\"lead\">Afspraken die "
	    "gemeenten samen bijhouden: elke gemeente kan een wijziging "
	    "voorstellen, de beheerders besluiten.</p>\n<ul class=\"pilots\">\n");
	json_array_foreach(items, i, g) {
		html_out(b, "<li class=\"pilot\"><h2><a href=\"/richtlijnen/%s\">"
		    "%s</a></h2><p class=\"meta\">Versie %ld · %ld gemeente(n) "
		    "volgen deze richtlijn · %ld open voorstel(len)",
		    json_string_value(json_object_get(g, "slug")),
		    json_string_value(json_object_get(g, "titel")),
		    (long)json_integer_value(json_object_get(g, "versie")),
		    (long)json_integer_value(json_object_get(g, "adopties")),
		    (long)json_integer_value(json_object_get(g,
		    "openVoorstellen")));
		if (json_is_string(json_object_get(g, "herkomst")))
			html_out(b, " · via %s", json_string_value(
			    json_object_get(g, "herkomst")));
		html_out(b, "</p></li>\n");
	}
	html_out(b, "</ul>\n");
	web_page_pager(r, b, page, page_size, total);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(items);
}

/* The text of a revision with its table of contents. */
static void
web_guidelines_text(struct evbuffer *b, json_t *rev)
{
	json_t *toc = json_object_get(rev, "inhoudsopgave"), *h;
	size_t i;

	if (json_array_size(toc) > 1) {
		html_out(b, "<nav class=\"toc\" aria-labelledby=\"meent-toc\">"
		    "<h2 id=\"meent-toc\">Inhoud</h2><ol>\n");
		json_array_foreach(toc, i, h)
			if (json_integer_value(json_object_get(h, "niveau")) <= 3)
				html_out(b, "<li><a href=\"#%s\">%s</a></li>\n",
				    json_string_value(json_object_get(h, "anker")),
				    json_string_value(json_object_get(h, "tekst")));
		html_out(b, "</ol></nav>\n");
	}
	/* Rendered when the revision was stored (guideline_render(): safe). */
	html_out(b, "<div class=\"richtlijn\">");
	html_raw(b, json_string_value(json_object_get(rev, "html")));
	html_out(b, "</div>\n");
}

/*
 * A guideline's page. Anonymous visitors all see the same page, so it is
 * cached (cache.c; every guideline or pilot write makes it stale).
 */
void
web_guidelines_show(struct req *r)
{
	unsigned long gen = cache_generation_now();
	bool anonymous = r->who.kind == PRINCIPAL_ANONYMOUS;
	struct guideline g;
	struct evbuffer *b;
	json_t *head, *v, *list, *revisions = NULL, *proposals = NULL;
	const char *cached;
	char key[128], origin[210];
	size_t i, len;
	int from;

	snprintf(key, sizeof key, "R|%.100s", r->params[0]);
	if (anonymous &&
	    (cached = cache_get(r->db, key, &len, NULL)) != NULL) {
		reply_text(r, 200, "text/html; charset=utf-8", cached, len);
		return;
	}
	if (web_guidelines_load(r, &g) == -1)
		return;
	/* Everything the page shows, read before any of it is drawn. */
	if ((head = model_guidelines_head(r, &g)) == NULL ||
	    (from = fed_peer_origin_name(r->db, r->ctx->instance, g.origin,
	    origin, sizeof origin)) == -1 ||
	    (revisions = guideline_store_revisions(r->db, g.pk)) == NULL ||
	    (proposals = guideline_store_proposals(r->db, g.pk)) == NULL) {
		json_decref(revisions);
		json_decref(head);
		reply_db_failed(r, "De richtlijn kon niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, g.titel);
	html_out(b, "<article>\n<p class=\"meta\">Richtlijn, versie %ld",
	    g.head);
	if (from == 1)
		html_out(b, " · gedeeld via %s (alleen-lezen: wijzigen kan alleen"
		    " daar)", origin);
	html_out(b, "</p>\n");
	web_guidelines_text(b, head);
	html_out(b, "</article>\n<aside aria-labelledby=\"meent-over\">\n"
	    "<h2 id=\"meent-over\">Over deze richtlijn</h2>\n<h3>Beheerders</h3>\n"
	    "<ul>\n");
	json_array_foreach(json_object_get(head, "beheerders"), i, v)
		html_out(b, "<li>%s</li>\n", json_string_value(json_object_get(v,
		    "naam")));
	html_out(b, "</ul>\n<h3>Gevolgd door %ld gemeente(n)</h3>\n<ul>\n",
	    (long)json_integer_value(json_object_get(head, "adopties")));
	json_array_foreach(json_object_get(head, "adoptieLijst"), i, v) {
		json_t *pin = json_object_get(v, "versie");

		html_out(b, "<li>%s", json_string_value(json_object_get(v,
		    "naam")));
		if (json_is_integer(pin))
			html_out(b, " (versie %ld)", (long)json_integer_value(pin));
		html_out(b, "</li>\n");
	}
	html_out(b, "</ul>\n<h3>Pilots die hiernaar verwijzen</h3>\n");
	if (json_array_size(json_object_get(head, "pilots")) == 0)
		html_out(b, "<p>Nog geen.</p>\n");
	else {
		html_out(b, "<ul>\n");
		json_array_foreach(json_object_get(head, "pilots"), i, v)
			html_out(b, "<li><a href=\"/pilots/%s\">%s</a> (%s)</li>\n",
			    json_string_value(json_object_get(v, "id")),
			    json_string_value(json_object_get(v, "titel")),
			    json_string_value(json_object_get(v,
			    "gemeenteNaam")));
		html_out(b, "</ul>\n");
	}
	html_out(b, "<h3>Geschiedenis</h3>\n<ol reversed>\n");
	list = revisions;
	json_array_foreach(list, i, v) {
		long n = (long)json_integer_value(json_object_get(v, "versie"));

		html_out(b, "<li><a href=\"/richtlijnen/%s/versies/%ld\">Versie "
		    "%ld</a>: %s (%s, %s)", g.slug, n, n,
		    json_string_value(json_object_get(v, "bericht")),
		    json_string_value(json_object_get(v, "gemeenteNaam")),
		    json_string_value(json_object_get(v, "aangemaakt")));
		if (n > 1)
			html_out(b, " · <a href=\"/richtlijnen/%s/verschillen?"
			    "van=%ld&amp;tot=%ld\">wat veranderde</a>", g.slug,
			    n - 1, n);
		html_out(b, "</li>\n");
	}
	json_decref(list);
	html_out(b, "</ol>\n<h3>Voorstellen</h3>\n");
	list = proposals;
	if (json_array_size(list) == 0)
		html_out(b, "<p>Geen voorstellen.</p>\n");
	else
		html_out(b, "<ul>\n");
	json_array_foreach(list, i, v)
		html_out(b, "<li><a href=\"/richtlijnen/%s/voorstellen/%ld\">%s: "
		    "%s</a> (%s, op versie %ld)%s%s</li>\n", g.slug,
		    (long)json_integer_value(json_object_get(v, "id")),
		    json_string_value(json_object_get(v, "status")),
		    json_string_value(json_object_get(v, "bericht")),
		    json_string_value(json_object_get(v, "gemeenteNaam")),
		    (long)json_integer_value(json_object_get(v, "basis")),
		    json_is_string(json_object_get(v, "reden")) ? " — reden: " :
		    "", json_string_value(json_object_get(v, "reden")));
	if (json_array_size(list) > 0)
		html_out(b, "</ul>\n");
	json_decref(list);
	if (r->who.kind == PRINCIPAL_SESSION && r->who.role >= ROLE_EDITOR)
		html_out(b, "<p><a href=\"/richtlijnen/%s/voorstellen/nieuw\">"
		    "Een wijziging voorstellen</a></p>\n", g.slug);
	html_out(b, "</aside>\n");
	web_page_end(b);
	if (anonymous)
		cache_put(key, (const char *)evbuffer_pullup(b, -1),
		    evbuffer_get_length(b), NULL, gen);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(head);
}

void
web_guidelines_versie(struct req *r)
{
	struct guideline g;
	struct evbuffer *b;
	json_t *rev = NULL;
	long n;
	int rc;

	if (web_guidelines_load(r, &g) == -1)
		return;
	n = req_number(r->params[1]);
	rc = n > 0 ? guideline_store_revision(r->db, g.pk, n, &rev) :
	    MEENT_NOTFOUND;
	if (rc == -1) {
		reply_db_failed(r, "De versie kon niet gelezen worden.");
		return;
	}
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Deze versie bestaat niet.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, g.titel);
	html_out(b, "<p class=\"meta\">Versie %ld van <a href=\"/richtlijnen/%s\">"
	    "%s</a>: %s (%s)%s</p>\n", n, g.slug, g.titel,
	    json_string_value(json_object_get(rev, "bericht")),
	    json_string_value(json_object_get(rev, "gemeenteNaam")),
	    n < g.head ? ". Dit is niet de nieuwste versie." : "");
	web_guidelines_text(b, rev);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(rev);
}

void
web_guidelines_diff(struct req *r)
{
	struct guideline g;
	struct evbuffer *b;
	json_t *a = NULL, *c = NULL;
	long van, tot;
	char *diff, *html, na[32], nb[32];
	int ra, rc;

	if (web_guidelines_load(r, &g) == -1)
		return;
	van = req_number(req_query(r, "van"));
	tot = req_number(req_query(r, "tot"));
	ra = van > 0 ? guideline_store_revision(r->db, g.pk, van, &a) :
	    MEENT_NOTFOUND;
	rc = ra == -1 ? -1 : tot > 0 ? guideline_store_revision(r->db, g.pk,
	    tot, &c) : MEENT_NOTFOUND;
	if (ra != 0 || rc != 0) {
		json_decref(a);
		json_decref(c);
		if (ra == -1 || rc == -1)
			reply_db_failed(r, "De versies konden niet gelezen "
			    "worden.");
		else
			reply_problem(r, 404, "Niet gevonden", "Kies twee "
			    "bestaande versies (van en tot).");
		return;
	}
	snprintf(na, sizeof na, "versie %ld", van);
	snprintf(nb, sizeof nb, "versie %ld", tot);
	diff = merge_diff(json_string_value(json_object_get(a, "tekst")),
	    json_string_value(json_object_get(c, "tekst")), na, nb);
	html = merge_diff_html(diff != NULL ? diff : "");
	b = evbuffer_new();
	web_page_start(r, b, "Wat veranderde");
	html_out(b, "<h1>Wat veranderde in <a href=\"/richtlijnen/%s\">%s</a>"
	    "</h1>\n<p>Van versie %ld naar versie %ld. Regels met een + kwamen "
	    "erbij, regels met een − gingen eruit.</p>\n", g.slug, g.titel,
	    van, tot);
	html_raw(b, html);	/* merge_diff_html() escaped each line */
	html_out(b, "\n");
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	free(diff);
	free(html);
	json_decref(a);
	json_decref(c);
}
