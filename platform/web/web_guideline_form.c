/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Proposing a change to a guideline in the browser, and deciding on it:
 * /richtlijnen/{slug}/voorstellen/nieuw (any editor), the proposal's page
 * with what it changes, and /richtlijnen/{slug}/voorstellen/{id}/besluit
 * (maintainers: accept, merged like any revision, or reject with a reason).
 * Accepting a proposal whose blocks collide with later edits shows both
 * sides and changes nothing. And following a guideline, or no longer:
 * /richtlijnen/{slug}/volgen and /ontvolgen (any editor, for their own
 * municipality), back to the guideline's page with a confirmation.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

/*
 * The form to propose a change; error (or NULL) is about field ("tekst",
 * "bericht", or NULL for neither): in the summary and beside that field.
 */
static void
web_guideline_form_propose_form(struct req *r, int status,
    const struct guideline *g, long basis, const char *tekst,
    const char *bericht, const char *error, const char *field)
{
	bool bad_tekst = error != NULL && field != NULL &&
	    strcmp(field, "tekst") == 0;
	bool bad_bericht = error != NULL && field != NULL &&
	    strcmp(field, "bericht") == 0;

	struct evbuffer *b = evbuffer_new();

	web_page_start(r, b, "Wijziging voorstellen");
	html_out(b, "<h1>Wijziging voorstellen voor <a href=\"/richtlijnen/%s\">"
	    "%s</a></h1>\n<p>U past versie %ld aan. De beheerders besluiten; "
	    "wijzigingen die intussen op andere plaatsen zijn gedaan, worden "
	    "samengevoegd.</p>\n", g->slug, g->titel, basis);
	if (error != NULL)
		web_page_error_summary(b, field, error);
	html_out(b, "<form method=\"post\" action=\"/richtlijnen/%s/voorstellen/"
	    "nieuw\">\n<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<input type=\"hidden\" name=\"basis\" value=\"%ld\">\n"
	    "<p><label for=\"tekst\">Tekst (Markdown)</label><br>", g->slug,
	    r->who.csrf, basis);
	web_page_field_error(b, "tekst", bad_tekst ? error : NULL);
	html_out(b, "<textarea id=\"tekst\" name=\"tekst\" rows=\"24\" "
	    "cols=\"80\"");
	web_page_field_aria(b, "tekst", NULL, bad_tekst);
	html_out(b, ">%s</textarea></p>\n<p><label for=\"bericht\">Waarom deze "
	    "wijziging? (verplicht)</label><br>", tekst);
	web_page_field_error(b, "bericht", bad_bericht ? error : NULL);
	html_out(b, "<input id=\"bericht\" name=\"bericht\" maxlength=\"200\" "
	    "value=\"%s\"", bericht);
	web_page_field_aria(b, "bericht", NULL, bad_bericht);
	html_out(b, "></p>\n<p><button type=\"submit\">Voorstel indienen"
	    "</button></p>\n</form>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

void
web_guideline_form_propose_new(struct req *r)
{
	struct guideline g;
	json_t *head;

	if (web_guidelines_load(r, &g) == -1 ||
	    model_guidelines_refuse_foreign(r, &g) == -1)
		return;
	if (guideline_store_revision(r->db, g.pk, g.head, &head) != 0) {
		/* The head's revision is there: not finding it is a failure. */
		reply_db_failed(r, "De richtlijn kon niet gelezen worden.");
		return;
	}
	web_guideline_form_propose_form(r, 200, &g, g.head, json_string_value(
	    json_object_get(head, "tekst")), "", NULL, NULL);
	json_decref(head);
}

void
web_guideline_form_propose_post(struct req *r)
{
	struct guideline g;
	struct evkeyvalq form;
	struct revision rev = { 0 };
	const char *tekst, *bericht;
	char location[160], why[200], error[240];
	long id;

	if (web_guidelines_load(r, &g) == -1 ||
	    model_guidelines_refuse_foreign(r, &g) == -1 ||
	    web_form_checked(r, &form) == -1)
		return;
	tekst = evhttp_find_header(&form, "tekst");
	bericht = evhttp_find_header(&form, "bericht");
	rev.basis = req_number(evhttp_find_header(&form, "basis"));
	if (tekst != NULL && !guideline_text_valid(tekst, strlen(tekst), why,
	    sizeof why)) {
		snprintf(error, sizeof error, "De tekst %s.", why);
		web_guideline_form_propose_form(r, 400, &g, rev.basis > 0 ?
		    rev.basis : g.head, tekst, bericht != NULL ? bericht : "",
		    error, "tekst");
		evhttp_clear_headers(&form);
		return;
	}
	if (tekst == NULL || bericht == NULL || *bericht == '\0' ||
	    strlen(bericht) > GUIDELINE_MESSAGE_MAX || rev.basis < 1 ||
	    rev.basis > g.head) {
		web_guideline_form_propose_form(r, 400, &g, rev.basis > 0 ? rev.basis :
		    g.head, tekst != NULL ? tekst : "", bericht != NULL ?
		    bericht : "", "Vul de tekst en een reden in (hoogstens 200 "
		    "tekens).", tekst == NULL ? "tekst" : bericht == NULL ||
		    *bericht == '\0' || strlen(bericht) >
		    GUIDELINE_MESSAGE_MAX ? "bericht" : NULL);
		evhttp_clear_headers(&form);
		return;
	}
	rev.tekst = tekst;
	rev.bericht = bericht;
	rev.gemeente = r->who.gemeente;
	rev.aangemaakt = time(NULL);
	if (guideline_store_propose(r->db, &g, &rev, &id) != 0) {
		evhttp_clear_headers(&form);
		reply_db_failed(r, "Het voorstel kon niet opgeslagen worden.");
		return;
	}
	evhttp_clear_headers(&form);
	snprintf(location, sizeof location, "/richtlijnen/%s/voorstellen/%ld",
	    g.slug, id);
	reply_redirect(r, location);
}

void
web_guideline_form_proposal(struct req *r)
{
	struct guideline g;
	struct evbuffer *b;
	json_t *p = NULL, *base = NULL;
	long id;
	bool open, maintainer;
	char when[NL_DATE_MAX];
	int rc, is_maintainer = 0;

	if (web_guidelines_load(r, &g) == -1)
		return;
	id = req_number(r->params[1]);
	rc = id > 0 ? guideline_store_proposal(r->db, g.pk, id, &p) :
	    MEENT_NOTFOUND;
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Dit voorstel is er niet.");
		return;
	}
	/* Its base and the maintainers are there: not finding is failing. */
	if (rc != 0 || guideline_store_revision(r->db, g.pk,
	    (long)json_integer_value(json_object_get(p, "basis")), &base) !=
	    0 || (r->who.kind == PRINCIPAL_SESSION && (is_maintainer =
	    guideline_store_is_maintainer(r->db, g.pk, r->who.gemeente)) ==
	    -1)) {
		json_decref(base);
		json_decref(p);
		reply_db_failed(r, "Het voorstel kon niet gelezen worden.");
		return;
	}
	open = strcmp(json_string_value(json_object_get(p, "status")), "open") ==
	    0;
	maintainer = is_maintainer == 1;
	b = evbuffer_new();
	web_page_start(r, b, "Voorstel");
	html_out(b, "<h1>Voorstel voor <a href=\"/richtlijnen/%s\">%s</a></h1>\n"
	    "<p>%s, door %s, op versie %ld, ingediend <time datetime=\"%s\">"
	    "%s</time>. Status: <strong>%s</strong>", g.slug, g.titel,
	    json_string_value(json_object_get(p, "bericht")),
	    json_string_value(json_object_get(p, "gemeenteNaam")),
	    (long)json_integer_value(json_object_get(p, "basis")),
	    json_string_value(json_object_get(p, "aangemaakt")),
	    nl_datetime_text(when, sizeof when, json_string_value(
	    json_object_get(p, "aangemaakt"))),
	    json_string_value(json_object_get(p, "status")));
	if (json_is_string(json_object_get(p, "besloten")))
		html_out(b, " (besloten <time datetime=\"%s\">%s</time>)",
		    json_string_value(json_object_get(p, "besloten")),
		    nl_datetime_text(when, sizeof when, json_string_value(
		    json_object_get(p, "besloten"))));
	html_out(b, ".</p>\n");
	if (json_is_string(json_object_get(p, "reden")))
		html_out(b, "<p>Reden: %s</p>\n", json_string_value(
		    json_object_get(p, "reden")));
	html_out(b, "<h2>Wat het voorstel verandert</h2>\n<p>Tegenover versie "
	    "%ld, waarop het voorstel gemaakt is.</p>\n",
	    (long)json_integer_value(json_object_get(p, "basis")));
	web_guidelines_changes(b, json_string_value(json_object_get(base,
	    "tekst")), json_string_value(json_object_get(p, "tekst")));
	if (open && maintainer)
		html_out(b, "<h2>Besluit</h2>\n<form method=\"post\" action=\""
		    "/richtlijnen/%s/voorstellen/%ld/besluit\">\n<input type=\""
		    "hidden\" name=\"csrf\" value=\"%s\">\n<fieldset><legend>Wat "
		    "besluit u?</legend>\n<p><input type=\"radio\" id=\"aanvaard\" "
		    "name=\"status\" value=\"aanvaard\" checked> <label for=\""
		    "aanvaard\">Aanvaarden: dit wordt een nieuwe versie</label>"
		    "</p>\n<p><input type=\"radio\" id=\"afgewezen\" name=\"status\" "
		    "value=\"afgewezen\"> <label for=\"afgewezen\">Afwijzen"
		    "</label></p>\n</fieldset>\n<p><label for=\"reden\">Reden "
		    "(verplicht bij afwijzen)</label><br><textarea id=\"reden\" "
		    "name=\"reden\" rows=\"3\" cols=\"60\"></textarea></p>\n<p>"
		    "<button type=\"submit\">Besluiten</button></p>\n</form>\n",
		    g.slug, id, r->who.csrf);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(base);
	json_decref(p);
}

/* 409: the proposal collides with edits made since; show both sides. */
static void
web_guideline_form_conflict(struct req *r, const struct guideline *g, long id,
    json_t *conflicts)
{
	struct evbuffer *b = evbuffer_new();
	json_t *c;
	size_t i;

	web_page_start(r, b, "Conflict");
	html_out(b, "<h1>Het voorstel botst met latere wijzigingen</h1>\n<p>Er "
	    "is niets opgeslagen; het voorstel staat nog open. Deze blokken "
	    "zijn zowel in de nieuwste versie als in het voorstel veranderd:"
	    "</p>\n");
	json_array_foreach(conflicts, i, c)
		html_out(b, "<h2>Blok %ld</h2>\n<h3>Nieuwste versie</h3>\n<pre>%s"
		    "</pre>\n<h3>Voorstel</h3>\n<pre>%s</pre>\n", (long)i + 1,
		    json_string_value(json_object_get(c, "head")),
		    json_string_value(json_object_get(c, "voorstel")));
	html_out(b, "<p><a href=\"/richtlijnen/%s/voorstellen/%ld\">Terug naar "
	    "het voorstel</a></p>\n", g->slug, id);
	web_page_end(b);
	web_page_reply(r, 409, b);
	evbuffer_free(b);
}

void
web_guideline_form_decide(struct req *r)
{
	struct guideline g;
	struct evkeyvalq form;
	struct revision rev = { 0 };
	json_t *conflicts = NULL, *p = NULL;
	const char *status, *reden;
	char location[160];
	long id;
	int rc;

	if (web_guidelines_load(r, &g) == -1 ||
	    model_guidelines_refuse_foreign(r, &g) == -1)
		return;
	rc = guideline_store_is_maintainer(r->db, g.pk, r->who.gemeente);
	if (rc == -1) {
		reply_db_failed(r, "De beheerders konden niet gelezen worden.");
		return;
	}
	if (rc == 0) {
		reply_problem(r, 403, "Verboden", "Alleen de beheerders besluiten "
		    "over voorstellen.");
		return;
	}
	/* The proposal must be one of this guideline's (404 otherwise). */
	if (model_guidelines_proposal(r, &g, &p) == -1)
		return;
	id = req_number(r->params[1]);
	json_decref(p);
	if (web_form_checked(r, &form) == -1)
		return;
	status = evhttp_find_header(&form, "status");
	reden = evhttp_find_header(&form, "reden");
	if (reden != NULL && (*reden == '\0' || strlen(reden) > 500))
		reden = NULL;
	if (status == NULL || (strcmp(status, "aanvaard") != 0 &&
	    strcmp(status, "afgewezen") != 0) || (strcmp(status,
	    "afgewezen") == 0 && reden == NULL)) {
		evhttp_clear_headers(&form);
		reply_problem(r, 400, "Onvolledig", "Kies aanvaarden of afwijzen; "
		    "bij afwijzen is een reden nodig.");
		return;
	}
	if (strcmp(status, "afgewezen") == 0)
		rc = guideline_store_decide(r->db, g.pk, id, "afgewezen", reden,
		    0);
	else
		rc = guideline_store_accept(r->db, &g, id, &rev, &conflicts);
	evhttp_clear_headers(&form);
	snprintf(location, sizeof location, "/richtlijnen/%s/voorstellen/%ld",
	    g.slug, id);
	if (rc == 0)
		reply_redirect(r, location);
	else if (rc == MEENT_CONFLICT && conflicts != NULL)
		web_guideline_form_conflict(r, &g, id, conflicts);
	else if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Dit voorstel is er "
		    "niet.");
	else if (rc == MEENT_INVALID)
		reply_problem(r, 400, "Te groot", "Samen met de wijzigingen "
		    "sinds de basisversie wordt de tekst te groot. Het "
		    "voorstel blijft open.");
	else if (rc == MEENT_CONFLICT)
		reply_problem(r, 409, "Al besloten", "Over dit voorstel is al "
		    "besloten.");
	else
		reply_db_failed(r, "Het besluit kon niet opgeslagen worden.");
	revision_free(&rev);
	json_decref(conflicts);
}

/*
 * The button "Deze richtlijn volgen": the caller's municipality follows
 * the guideline (the newest version; a pin set through the API stays).
 * Following twice changes nothing.
 */
void
web_guideline_form_follow(struct req *r)
{
	struct guideline g;
	struct evkeyvalq form;
	char location[160];

	if (web_guidelines_load(r, &g) == -1 ||
	    web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if (model_guidelines_follow(r, &g, GUIDELINE_ADOPT_AS_IS) == -1)
		return;
	snprintf(location, sizeof location, "/richtlijnen/%s?gevolgd=1",
	    g.slug);
	reply_redirect(r, location);
}

/*
 * The button "Niet meer volgen". When the municipality did not follow the
 * guideline (a second click, another tab), the page says so: no error.
 */
void
web_guideline_form_unfollow(struct req *r)
{
	struct guideline g;
	struct evkeyvalq form;
	char location[160];
	int rc;

	if (web_guidelines_load(r, &g) == -1 ||
	    web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if ((rc = model_guidelines_unfollow(r, &g)) == -1)
		return;
	snprintf(location, sizeof location, "/richtlijnen/%s?ontvolgd=%s",
	    g.slug, rc == MEENT_NOTFOUND ? "al" : "1");
	reply_redirect(r, location);
}
