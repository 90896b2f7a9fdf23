/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Questions and reactions under a pilot's page, and its follow-ups
 * (navolging): the thread with its forms, the facts "Navolging van" and
 * "Nagevolgd door", and the forms' handlers (model_reactions.c has the
 * rules). Every form posts with the session's CSRF token.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define WEB_REACTIONS_DEPTH	6	/* answers nested deeper stay at this */

/* Can the viewer hide reactions on p: an editor of its municipality? */
static bool
web_reactions_moderator(struct req *r, const struct pilot *p)
{
	return r->who.kind == PRINCIPAL_SESSION && r->who.role >= ROLE_EDITOR &&
	    req_own(r, p->gemeente) &&
	    strcmp(p->origin, r->ctx->instance->uuid) == 0;
}

/* One reaction's forms: answer it, and (for the municipality) hide it. */
static void
web_reactions_forms(struct req *r, struct evbuffer *b, const struct pilot *p,
    json_t *re)
{
	long id = (long)json_integer_value(json_object_get(re,
	    "id"));

	if (r->who.kind != PRINCIPAL_SESSION || !model_reactions_open(p))
		return;
	html_out(b, "<details><summary>Beantwoorden</summary>\n<form "
	    "method=\"post\" action=\"/pilots/%s/reacties\">\n<input "
	    "type=\"hidden\" name=\"csrf\" value=\"%s\">\n<input "
	    "type=\"hidden\" name=\"ouder\" value=\"%ld\">\n<p><label for=\"antwoord-%ld\">Uw "
	    "antwoord (Markdown)</label>\n<textarea id=\"antwoord-%ld\" "
	    "name=\"tekst\" rows=\"4\" maxlength=\"%d\" required></textarea>"
	    "</p>\n<p><button type=\"submit\">Antwoord plaatsen</button></p>\n"
	    "</form></details>\n", p->id, r->who.csrf, id, id, id,
	    REACTION_TEXT_MAX);
	if (!web_reactions_moderator(r, p) ||
	    !json_is_null(json_object_get(re, "verborgen")))
		return;
	html_out(b, "<details><summary>Verbergen</summary>\n<form "
	    "method=\"post\" action=\"/pilots/%s/reacties/%ld/verbergen\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n<p><label "
	    "for=\"reden-%ld\">Waarom verbergt de gemeente deze reactie?"
	    "</label>\n<input id=\"reden-%ld\" name=\"reden\" maxlength=\"%d\" "
	    "required></p>\n<p><button type=\"submit\">Verbergen</button></p>\n"
	    "</form></details>\n", p->id, id, r->who.csrf, id, id,
	    REACTION_REASON_MAX);
}

/* Reaction re and, under it, its answers (depth: how deep it is). */
static void
web_reactions_one(struct req *r, struct evbuffer *b, const struct pilot *p,
    json_t *all, json_t *re, int depth)
{
	long id = (long)json_integer_value(json_object_get(re,
	    "id"));
	const char *soort = json_string_value(json_object_get(re, "soort"));
	json_t *auteur = json_object_get(re, "auteur");
	json_t *verborgen = json_object_get(re, "verborgen");
	time_t at = (time_t)json_integer_value(json_object_get(re,
	    "aangemaakt"));
	char when[NL_DATE_MAX], stamp[32];
	size_t i;
	json_t *c;

	html_out(b, "<article class=\"reactie\" id=\"reactie-%ld\">\n<h%d>%s "
	    "van ", id, depth == 0 ? 3 : 4, strcmp(soort, "antwoord") == 0 ?
	    "Antwoord" : strcmp(soort, "vraag") == 0 ? "Vraag" :
	    strcmp(soort, "ookhier") == 0 ? "\"Wij doen dit ook\"" : "Reactie");
	if (json_is_string(auteur))
		html_out(b, "%s, ", json_string_value(auteur));
	clock_format(at, stamp, sizeof stamp);
	html_out(b, "%s</h%d>\n<p class=\"meta\"><time datetime=\"%s\">%s"
	    "</time>%s</p>\n", json_string_value(json_object_get(re,
	    "gemeenteNaam")), depth == 0 ? 3 : 4, stamp, nl_datetime(when,
	    sizeof when, at),
	    strcmp(json_string_value(json_object_get(re, "zichtbaarheid")),
	    "leden") == 0 ? " · alleen voor ingelogde gebruikers" : "");
	if (json_is_object(verborgen))
		html_out(b, "<p class=\"verborgen\">Verborgen door de "
		    "gemeente: %s</p>\n", json_string_value(json_object_get(
		    verborgen, "reden")));
	else
		/* Rendered when written (markdown_render: safe). */
		html_raw(b, json_string_value(json_object_get(re, "html")));
	web_reactions_forms(r, b, p, re);
	json_array_foreach(all, i, c) {
		if (json_integer_value(json_object_get(c, "ouder")) == id)
			web_reactions_one(r, b, p, all, c, depth <
			    WEB_REACTIONS_DEPTH ? depth + 1 : depth);
	}
	html_out(b, "</article>\n");
}

/* The form for a new question or reaction on p. */
static void
web_reactions_new(struct req *r, struct evbuffer *b, const struct pilot *p)
{
	if (!model_reactions_open(p))
		return;
	if (r->who.kind != PRINCIPAL_SESSION) {
		html_out(b, "<p><a href=\"/inloggen?terug=/pilots/%s\">Log "
		    "in</a> om een vraag te stellen of te reageren.</p>\n",
		    p->id);
		return;
	}
	html_out(b, "<form method=\"post\" action=\"/pilots/%s/reacties\" "
	    "id=\"reageren\">\n<input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\">\n<fieldset><legend>Wat wilt u plaatsen?</legend>\n",
	    p->id, r->who.csrf);
	for (size_t i = 0; reaction_kinds[i].value != NULL; i++) {
		html_out(b, "<p><input type=\"radio\" name=\"soort\" "
		    "id=\"soort-%s\" value=\"%s\"", reaction_kinds[i].value,
		    reaction_kinds[i].value);
		html_attr_if(b, i == 0, " checked");
		html_out(b, "> <label for=\"soort-%s\">%s (%s)</label></p>\n",
		    reaction_kinds[i].value, reaction_kinds[i].label,
		    reaction_kinds[i].hint);
	}
	html_out(b, "</fieldset>\n<p><label for=\"tekst\">Uw tekst (Markdown, "
	    "hoogstens %d tekens)</label>\n<textarea id=\"tekst\" "
	    "name=\"tekst\" rows=\"6\" maxlength=\"%d\" required></textarea>"
	    "</p>\n<p>%s</p>\n<p><button type=\"submit\">Plaatsen</button></p>"
	    "\n</form>\n", REACTION_TEXT_MAX, REACTION_TEXT_MAX,
	    strcmp(p->zichtbaarheid, "leden") == 0 ? "Alleen ingelogde "
	    "gebruikers zien uw bericht, zoals deze pilot." : "Iedereen ziet "
	    "uw bericht, zoals deze pilot; uw naam zien alleen ingelogde "
	    "gebruikers.");
}

/*
 * The section "Vragen en reacties" of p's page, from
 * model_reactions_pilot()'s data.
 */
void
web_reactions_section(struct req *r, struct evbuffer *b,
    const struct pilot *p, json_t *data)
{
	json_t *all = json_object_get(data, "reacties"), *re;
	long total = (long)json_integer_value(json_object_get(data,
	    "reactiesTotaal"));
	size_t i;

	if (!model_reactions_open(p) && json_array_size(all) == 0)
		return;
	html_out(b, "<section aria-labelledby=\"reacties\">\n<h2 "
	    "id=\"reacties\">Vragen en reacties</h2>\n");
	if (json_array_size(all) == 0)
		html_out(b, "<p>Nog geen vragen of reacties.</p>\n");
	else if (total > (long)json_array_size(all))
		html_out(b, "<p>De eerste %zu van %ld.</p>\n",
		    json_array_size(all), total);
	json_array_foreach(all, i, re)
		if (json_is_null(json_object_get(re, "ouder")))
			web_reactions_one(r, b, p, all, re, 0);
	web_reactions_new(r, b, p);
	html_out(b, "</section>\n");
}

/* One list of follow-up links, as a fact. */
static void
web_reactions_links(struct req *r, struct evbuffer *b, const struct pilot *p,
    const char *term, json_t *list, bool removable)
{
	size_t i;
	json_t *v;

	if (json_array_size(list) == 0)
		return;
	html_out(b, "<dt>%s</dt><dd><ul>", term);
	json_array_foreach(list, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		html_out(b, "<li><a href=\"/pilots/%s\">%s</a> (%s)", id,
		    json_string_value(json_object_get(v, "titel")),
		    json_string_value(json_object_get(v, "gemeenteNaam")));
		if (removable)
			html_out(b, " <form method=\"post\" action=\"/pilots/"
			    "%s/navolging\" class=\"inline\"><input "
			    "type=\"hidden\" name=\"csrf\" value=\"%s\"><input "
			    "type=\"hidden\" name=\"bron\" value=\"%s\"><input "
			    "type=\"hidden\" name=\"actie\" value=\"verwijderen\">"
			    "<button type=\"submit\">Koppeling weghalen</button>"
			    "</form>", p->id, r->who.csrf, id);
		html_out(b, "</li>");
	}
	html_out(b, "</ul></dd>\n");
}

/* The facts "Navolging van" and "Nagevolgd door" of p's page. */
void
web_reactions_followups(struct req *r, struct evbuffer *b,
    const struct pilot *p, json_t *data)
{
	web_reactions_links(r, b, p, "Navolging van", json_object_get(data,
	    "navolgingVan"), web_reactions_moderator(r, p));
	web_reactions_links(r, b, p, "Nagevolgd door", json_object_get(data,
	    "nagevolgdDoor"), false);
}

/* For the municipality's editors: link p as a follow-up of another. */
void
web_reactions_followup_form(struct req *r, struct evbuffer *b,
    const struct pilot *p)
{
	if (!web_reactions_moderator(r, p))
		return;
	html_out(b, "<form method=\"post\" action=\"/pilots/%s/navolging\" "
	    "id=\"navolging\">\n<input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\">\n<p><label for=\"bron\">Deze pilot volgt een andere "
	    "pilot na. Het adres van die pilot:</label>\n<input id=\"bron\" "
	    "name=\"bron\" maxlength=\"300\" placeholder=\"/pilots/...\"> "
	    "<button type=\"submit\">Koppelen</button></p>\n</form>\n", p->id,
	    r->who.csrf);
}

/* POST /pilots/{id}/reacties: a new question, reaction or answer. */
void
web_reactions_post(struct req *r)
{
	struct reaction re = { 0 };
	struct evkeyvalq form;
	struct pilot p;
	const char *ouder;
	char location[128];
	long id;
	int rc;

	if (model_pilots_load(r, &p, false) == -1)
		return;
	if (web_form_checked(r, &form) == -1) {
		pilot_free(&p);
		return;
	}
	re.soort = evhttp_find_header(&form, "soort");
	re.tekst = xstrdup(evhttp_find_header(&form, "tekst") != NULL ?
	    evhttp_find_header(&form, "tekst") : "");
	if ((ouder = evhttp_find_header(&form, "ouder")) != NULL &&
	    *ouder != '\0' && (re.ouder = req_number(ouder)) < 1) {
		req_invalid(r, "ouder", "is geen reactie op deze pilot");
		reply_invalid(r);
		rc = -1;
	} else
		rc = model_reactions_post(r, &p, &re, &id);
	if (rc == 0) {
		snprintf(location, sizeof location, "/pilots/%s#reactie-%ld",
		    p.id, id);
		reply_redirect(r, location);
	}
	free(re.tekst);
	free(re.html);
	evhttp_clear_headers(&form);
	pilot_free(&p);
}

/* POST /pilots/{id}/reacties/{n}/verbergen: the municipality hides one. */
void
web_reactions_hide(struct req *r)
{
	struct evkeyvalq form;
	struct pilot p;
	char location[128];
	long id;

	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (web_form_checked(r, &form) == -1) {
		pilot_free(&p);
		return;
	}
	if ((id = req_number(r->params[1])) < 1)
		reply_problem(r, 404, "Niet gevonden", "Deze reactie is er "
		    "niet bij deze pilot.");
	else if (model_reactions_hide(r, &p, id, evhttp_find_header(&form,
	    "reden")) == 0) {
		snprintf(location, sizeof location, "/pilots/%s#reactie-%ld",
		    p.id, id);
		reply_redirect(r, location);
	}
	evhttp_clear_headers(&form);
	pilot_free(&p);
}

/*
 * The pilot id in what a person pasted: an id, or an address ending in
 * /pilots/<id> (a query or fragment after it is ignored). false if none.
 */
static bool
web_reactions_pilot_id(const char *s, char id[37])
{
	size_t n = strcspn(s, "?#");

	while (n > 0 && (s[n - 1] == '/' || s[n - 1] == ' '))
		n--;
	if (n < 36)
		return false;
	memcpy(id, s + n - 36, 36);
	id[36] = '\0';
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? id[i] != '-' : !((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	}
	return n == 36 || s[n - 37] == '/';
}

/*
 * POST /pilots/{id}/navolging: the municipality's own pilot follows the
 * pilot named in bron (actie=verwijderen: no longer).
 */
void
web_reactions_followup(struct req *r)
{
	struct evkeyvalq form;
	struct pilot p;
	const char *bron, *actie;
	char id[37], location[128];
	int rc;

	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (web_form_checked(r, &form) == -1) {
		pilot_free(&p);
		return;
	}
	bron = evhttp_find_header(&form, "bron");
	actie = evhttp_find_header(&form, "actie");
	if (bron == NULL || strlen(bron) > 300 ||
	    !web_reactions_pilot_id(bron, id)) {
		req_invalid(r, "bron", "is geen adres of id van een pilot");
		reply_invalid(r);
		goto done;
	}
	if (actie != NULL && strcmp(actie, "verwijderen") == 0)
		rc = reaction_followup_remove(r->db, p.pk, id);
	else
		rc = reaction_followup_add(r->db, p.pk, id, r->who.gemeente);
	if (rc == 0) {
		snprintf(location, sizeof location, "/pilots/%s#navolging",
		    p.id);
		reply_redirect(r, location);
	} else if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Die pilot is er niet, "
		    "of er is geen koppeling met die pilot.");
	else if (rc == MEENT_CONFLICT)
		reply_problem(r, 409, "Al gekoppeld", "Deze pilot is al een "
		    "navolging van die pilot, of het is dezelfde pilot.");
	else
		reply_db_failed(r, "De koppeling kon niet opgeslagen worden.");
done:
	evhttp_clear_headers(&form);
	pilot_free(&p);
}
