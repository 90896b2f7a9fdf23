/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The guideline pages: /richtlijnen, /richtlijnen/{slug} (the text with
 * its table of contents, maintainers, followers with the button to follow
 * it, history and proposals), /richtlijnen/{slug}/volgers (the followers,
 * filtered by size class and province), /richtlijnen/{slug}/versies/{n}
 * and /richtlijnen/{slug}/verschillen. They read through the same store
 * and model as the API; following is posted to web_guideline_form.c.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/* The guideline of a page's path; replies 404 and returns -1 if none. */
int
web_guidelines_load(struct req *r, struct guideline *g)
{
	return model_guidelines_load(r, g);
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
	web_page_start_feed(r, b, "Richtlijnen", "Nieuwe richtlijnen",
	    "/richtlijnen/feed");
	html_out(b, "<h1>Richtlijnen</h1>\n<p class=\"lead\">Afspraken die "
	    "gemeenten samen bijhouden: elke gemeente kan een wijziging "
	    "voorstellen, de beheerders besluiten.</p>\n<ul class=\"pilots\">\n");
	json_array_foreach(items, i, g) {
		long n = (long)json_integer_value(json_object_get(g,
		    "adopties"));
		char follow[NL_COUNTED_MAX], open[NL_COUNTED_MAX];

		html_out(b, "<li class=\"pilot\"><h2><a href=\"/richtlijnen/%s\">"
		    "%s</a></h2><p class=\"meta\">Versie %ld · %s %s deze "
		    "richtlijn · %s",
		    json_string_value(json_object_get(g, "slug")),
		    json_string_value(json_object_get(g, "titel")),
		    (long)json_integer_value(json_object_get(g, "versie")),
		    nl_counted(follow, sizeof follow, n, "gemeente", "gemeenten"),
		    nl_plural(n, "volgt", "volgen"), nl_counted(open,
		    sizeof open, (long)json_integer_value(json_object_get(g,
		    "openVoorstellen")), "open voorstel", "open voorstellen"));
		if (json_is_string(json_object_get(g, "herkomst")))
			html_out(b, " · via %s", json_string_value(
			    json_object_get(g, "herkomst")));
		html_out(b, "</p></li>\n");
	}
	html_out(b, "</ul>\n");
	web_page_pager(r, b, page, page_size, total);
	html_out(b, "<p class=\"feed\"><a href=\"/richtlijnen/feed\">Volg via "
	    "RSS/Atom</a> (nieuwe richtlijnen)</p>\n");
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
	const char *html = json_string_value(json_object_get(rev, "html"));
	const char *end = NULL;
	char *title;
	size_t i;

	/*
	 * A text that opens with its title (# ...): the title first, then the
	 * contents, so that no h2 comes before the page's h1.
	 */
	if (html != NULL && strncmp(html, "<h1", 3) == 0 &&
	    (end = strstr(html, "</h1>")) != NULL) {
		end += strlen("</h1>");
		title = xstrndup(html, (size_t)(end - html));
		html_raw(b, title);	/* the safe renderer's heading */
		free(title);
		html = end;
	}
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
	web_page_markdown(b, html, 0);
	html_out(b, "</div>\n");
}

/* One follower: name, size class in words, province, a pinned version. */
static void
web_guidelines_follower(struct evbuffer *b, json_t *v)
{
	json_t *pin = json_object_get(v, "versie");

	html_out(b, "<li><a href=\"/gemeenten/%s\">%s</a> <span class=\"meta\">"
	    "(%s, %s", json_string_value(json_object_get(v, "gemeente")),
	    json_string_value(json_object_get(v, "naam")), json_string_value(
	    json_object_get(v, "grootteklasseTekst")), json_string_value(
	    json_object_get(v, "provincie")));
	if (json_is_integer(pin))
		html_out(b, "; volgt versie %ld", (long)json_integer_value(pin));
	html_out(b, ")</span></li>\n");
}

/*
 * What the caller can do about following: an editor gets the button (a
 * POST form with the session's CSRF token), anyone else the way to it.
 * follows: GUIDELINE_FOLLOWS_* of the caller's municipality.
 */
static void
web_guidelines_follow_block(struct req *r, struct evbuffer *b,
    const struct guideline *g, int follows)
{
	if (r->who.kind != PRINCIPAL_SESSION || r->who.role < ROLE_EDITOR) {
		html_out(b, "<p>Een redacteur van uw gemeente kan deze richtlijn "
		    "hier volgen na <a href=\"/inloggen\">inloggen</a>.</p>\n");
		return;
	}
	if (follows == GUIDELINE_FOLLOWS_ELSEWHERE) {
		html_out(b, "<p>Uw gemeente volgt deze richtlijn via een andere "
		    "meent-omgeving. Stoppen met volgen kan alleen daar.</p>\n");
		return;
	}
	html_out(b, "<form method=\"post\" action=\"/richtlijnen/%s/%s\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<p><button type=\"submit\">%s</button></p>\n</form>\n", g->slug,
	    follows == GUIDELINE_FOLLOWS_HERE ? "ontvolgen" : "volgen",
	    r->who.csrf, follows == GUIDELINE_FOLLOWS_HERE ? "Niet meer volgen" :
	    "Deze richtlijn volgen");
}

/*
 * The confirmation a follow or unfollow form redirects to (?gevolgd=1),
 * when it is still true: follows is GUIDELINE_FOLLOWS_* now.
 */
static void
web_guidelines_notice(struct req *r, struct evbuffer *b, int follows)
{
	static const struct {
		const char	*name, *value, *text;
		int		 follows;
	} notices[] = {
		{ "gevolgd", "1", "Uw gemeente volgt deze richtlijn nu.",
		    GUIDELINE_FOLLOWS_HERE },
		{ "ontvolgd", "1", "Uw gemeente volgt deze richtlijn niet meer.",
		    GUIDELINE_FOLLOWS_NOT },
		{ "ontvolgd", "al", "Uw gemeente volgde deze richtlijn al niet; "
		    "er is niets veranderd.", GUIDELINE_FOLLOWS_NOT },
	};
	const char *v;

	for (size_t i = 0; i < nitems(notices); i++)
		if ((v = req_query(r, notices[i].name)) != NULL &&
		    strcmp(v, notices[i].value) == 0 &&
		    follows == notices[i].follows) {
			html_out(b, "<p role=\"status\"><strong>%s</strong></p>\n",
			    notices[i].text);
			return;
		}
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
	char key[128], origin[210], feed[128], count[NL_COUNTED_MAX];
	size_t i;
	int from, follows = GUIDELINE_FOLLOWS_NOT;

	snprintf(key, sizeof key, "R|%.100s", r->params[0]);
	if (anonymous && web_page_reuse(r, key))
		return;
	if (web_guidelines_load(r, &g) == -1)
		return;
	/* Everything the page shows, read before any of it is drawn. */
	if ((head = model_guidelines_head(r, &g)) == NULL ||
	    (from = fed_peer_origin_name(r->db, r->ctx->instance, g.origin,
	    origin, sizeof origin)) == -1 ||
	    (revisions = guideline_store_revisions(r->db, g.pk)) == NULL ||
	    (proposals = guideline_store_proposals(r->db, g.pk)) == NULL ||
	    (follows = model_guidelines_follows(r, &g)) == -1) {
		json_decref(proposals);
		json_decref(revisions);
		json_decref(head);
		reply_db_failed(r, "De richtlijn kon niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	snprintf(feed, sizeof feed, "/richtlijnen/%s/feed", g.slug);
	web_page_start_feed(r, b, g.titel, "Nieuwe versies van deze richtlijn",
	    feed);
	if (!anonymous)		/* the anonymous page is cached: no notices */
		web_guidelines_notice(r, b, follows);
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
	html_out(b, "</ul>\n<h3>Gevolgd door %s</h3>\n<ul>\n", nl_counted(
	    count, sizeof count, (long)json_integer_value(json_object_get(head,
	    "adopties")), "gemeente", "gemeenten"));
	json_array_foreach(json_object_get(head, "adoptieLijst"), i, v)
		web_guidelines_follower(b, v);
	html_out(b, "</ul>\n");
	if (json_integer_value(json_object_get(head, "adopties")) > 0)
		html_out(b, "<p><a href=\"/richtlijnen/%s/volgers\">Volgers "
		    "filteren op aantal inwoners en provincie</a></p>\n", g.slug);
	web_guidelines_follow_block(r, b, &g, follows);
	html_out(b, "<h3>Pilots die hiernaar verwijzen</h3>\n");
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
		const char *when = json_string_value(json_object_get(v,
		    "aangemaakt"));
		char shown[NL_DATE_MAX];

		html_out(b, "<li><a href=\"/richtlijnen/%s/versies/%ld\">Versie "
		    "%ld</a>: %s (%s, <time datetime=\"%s\">%s</time>)", g.slug,
		    n, n, json_string_value(json_object_get(v, "bericht")),
		    json_string_value(json_object_get(v, "gemeenteNaam")),
		    when != NULL ? when : "", nl_datetime_text(shown,
		    sizeof shown, when));
		if (n > 1)
			html_out(b, " · <a href=\"/richtlijnen/%s/verschillen?"
			    "van=%ld&amp;tot=%ld\">wat veranderde</a>", g.slug,
			    n - 1, n);
		html_out(b, "</li>\n");
	}
	json_decref(list);
	html_out(b, "</ol>\n<p class=\"feed\"><a href=\"%s\">Volg via RSS/Atom"
	    "</a> (nieuwe versies)</p>\n<h3>Voorstellen</h3>\n", feed);
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
		web_page_keep(r, key, b, gen);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(head);
}

/* The followers' filter form (GET), keeping what was asked. */
static void
web_guidelines_followers_form(struct evbuffer *b, const struct guideline *g,
    const struct municipality_filter *f, json_t *provinces, json_t *invalid)
{
	bool found = false;
	json_t *v;
	size_t i;
	char count[NL_NUMBER_MAX];

	html_out(b, "<form class=\"filters\" method=\"get\" action=\""
	    "/richtlijnen/%s/volgers\">\n<p><label for=\"grootteklasse\">"
	    "Inwoners</label><br>", g->slug);
	web_page_select(b, invalid, "grootteklasse");
	html_out(b, "<option value=\"\">alle</option>\n");
	for (i = 0; municipality_classes[i].value != NULL; i++) {
		html_out(b, "<option value=\"%s\"", municipality_classes[i].value);
		html_attr_if(b, f->grootteklasse == (int)i + 1, " selected");
		html_out(b, ">%s inwoners</option>\n",
		    municipality_classes[i].label);
	}
	html_out(b, "</select></p>\n<p><label for=\"provincie\">Provincie"
	    "</label><br>");
	web_page_select(b, invalid, "provincie");
	html_out(b, "<option value=\"\">alle</option>\n");
	json_array_foreach(provinces, i, v) {
		const char *name = json_string_value(json_object_get(v,
		    "provincie"));
		bool chosen = f->provincie != NULL &&
		    strcmp(f->provincie, name) == 0;

		found |= chosen;
		html_out(b, "<option value=\"%s\"", name);
		html_attr_if(b, chosen, " selected");
		html_out(b, ">%s (%s)</option>\n", name, nl_count(count,
		    sizeof count, (long)json_integer_value(json_object_get(v,
		    "aantal"))));
	}
	/* A province none of them is in: still shown as chosen. */
	if (f->provincie != NULL && !found)
		html_out(b, "<option value=\"%s\" selected>%s (0)</option>\n",
		    f->provincie, f->provincie);
	html_out(b, "</select></p>\n<p><button type=\"submit\">Filteren</button>"
	    "</p>\n</form>\n");
}

/*
 * /richtlijnen/{slug}/volgers: who follows the guideline, with each
 * municipality's size class and province, filtered by either (the
 * municipalities' filters, as GET /api/v1/richtlijnen/{slug}/adopties
 * takes them). A bad filter value gets the page with the reason above the
 * form (400) and no list.
 */
void
web_guidelines_followers(struct req *r)
{
	struct guideline g;
	struct municipality_filter f;
	struct evbuffer *b;
	json_t *provinces = NULL, *list = NULL, *v;
	char prov[64];
	size_t i;
	int status;
	bool filtered;
	/* The form's fields first (grootteklasse, provincie). */
	static const char *const labels[][2] = {
		{ "grootteklasse", "Inwoners" }, { "provincie", "Provincie" },
		{ "q", "Naam" }, { "lid", "Lid" },
	};

	if (web_guidelines_load(r, &g) == -1)
		return;
	if (model_municipalities_filter(r, &f, prov, sizeof prov) == MEENT_ERR ||
	    (provinces = guideline_store_adopter_provinces(r->db, g.pk)) ==
	    NULL || (!req_has_invalid(r) && (list = guideline_store_adoptions(
	    r->db, g.pk, &f)) == NULL)) {
		json_decref(provinces);
		reply_db_failed(r, "De volgers konden niet gelezen worden.");
		return;
	}
	status = req_has_invalid(r) ? 400 : 200;
	filtered = f.grootteklasse > 0 || f.provincie != NULL || f.q != NULL ||
	    f.lid >= 0;
	b = evbuffer_new();
	web_page_start(r, b, "Volgers");
	html_out(b, "<h1>Wie volgt <a href=\"/richtlijnen/%s\">%s</a>?</h1>\n",
	    g.slug, g.titel);
	if (status == 400)
		web_page_query_problem(r, b, 400, labels, nitems(labels), 2);
	web_guidelines_followers_form(b, &g, &f, provinces, r->invalid);
	if (list != NULL) {
		char count[NL_COUNTED_MAX];

		html_out(b, "<h2>%s%s</h2>\n", nl_counted(count, sizeof count,
		    (long)json_array_size(list), "gemeente", "gemeenten"),
		    filtered ? json_array_size(list) == 1 ? " die past bij het "
		    "filter" : " die passen bij het filter" : "");
		if (filtered)
			html_out(b, "<p><a href=\"/richtlijnen/%s/volgers\">Filter "
			    "weghalen</a></p>\n", g.slug);
		if (json_array_size(list) == 0)
			html_out(b, "<p>Geen gemeenten.</p>\n");
		else
			html_out(b, "<ul>\n");
		json_array_foreach(list, i, v)
			web_guidelines_follower(b, v);
		if (json_array_size(list) > 0)
			html_out(b, "</ul>\n");
	}
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(provinces);
	json_decref(list);
}

void
web_guidelines_versie(struct req *r)
{
	struct guideline g;
	struct evbuffer *b;
	json_t *rev = NULL;
	long n;
	char when[NL_DATE_MAX];

	if (web_guidelines_load(r, &g) == -1 ||
	    model_guidelines_revision(r, &g, &rev) == -1)
		return;
	n = (long)json_integer_value(json_object_get(rev, "versie"));
	b = evbuffer_new();
	web_page_start(r, b, g.titel);
	html_out(b, "<p class=\"meta\">Versie %ld van <a href=\"/richtlijnen/%s\">"
	    "%s</a>: %s (%s, %s)%s</p>\n", n, g.slug, g.titel,
	    json_string_value(json_object_get(rev, "bericht")),
	    json_string_value(json_object_get(rev, "gemeenteNaam")),
	    nl_datetime_text(when, sizeof when, json_string_value(
	    json_object_get(rev, "aangemaakt"))),
	    n < g.head ? ". Dit is niet de nieuwste versie." : "");
	web_guidelines_text(b, rev);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(rev);
}

/*
 * What changed from old to new, block by block with the words marked
 * (blockdiff_html), after a line that says how it is marked. Shared with
 * a proposal's page (web_guideline_form.c).
 */
void
web_guidelines_changes(struct evbuffer *b, const char *old, const char *new)
{
	char *html = blockdiff_html(old, new);

	if (html == NULL) {
		html_out(b, "<p class=\"error\">De verschillen konden niet "
		    "berekend worden.</p>\n");
		return;
	}
	html_out(b, "<p class=\"diff-uitleg\">Per alinea: wat erbij kwam is "
	    "<ins>onderstreept</ins>, wat eruit ging is <del>doorgestreept"
	    "</del>. Alinea's die niet veranderden, zijn ingeklapt.</p>\n");
	html_raw(b, html);	/* blockdiff_html() escaped every text */
	free(html);
}

void
web_guidelines_diff(struct req *r)
{
	struct guideline g;
	struct evbuffer *b;
	json_t *a = NULL, *c = NULL;
	long van, tot;
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
	b = evbuffer_new();
	web_page_start(r, b, "Wat veranderde");
	html_out(b, "<h1>Wat veranderde in <a href=\"/richtlijnen/%s\">%s</a>"
	    "</h1>\n<p>Van versie %ld naar versie %ld.</p>\n", g.slug, g.titel,
	    van, tot);
	web_guidelines_changes(b, json_string_value(json_object_get(a,
	    "tekst")), json_string_value(json_object_get(c, "tekst")));
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(a);
	json_decref(c);
}
