/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Publishing and editing a pilot in the browser: /pilots/nieuw and
 * /pilots/{id}/bewerken. The form becomes the same input JSON as the API's
 * and goes through the same validation; errors come back as a summary at
 * the top (with links to the fields) and beside each field. Posts need the
 * session's CSRF token (and the router checks the origin). The edit form
 * carries the version it was made from, so an edit never silently
 * overwrites someone else's.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

static const struct {
	const char *name, *label, *hint;
	bool area, required;
} web_pilot_fields[] = {
	{ "titel", "Titel", "3 tot 150 tekens.", false, true },
	{ "samenvatting", "Samenvatting", "Platte tekst, hoogstens 1000 tekens.",
	    true, true },
	{ "vraag", "Onderzoeksvraag", "Welke vraag wilde u beantwoorden?",
	    true, true },
	{ "start", "Start", "Een datum als 2025-03-01.", false, false },
	{ "einde", "Einde", "Leeg als de pilot nog loopt.", false, false },
	{ "stakeholders", "Betrokkenen", "Gescheiden door komma's, bijvoorbeeld "
	    "college, raad, privacy-officer.", false, false },
	{ "tags", "Tags", "Kleine letters en streepjes, gescheiden door "
	    "komma's.", false, false },
	{ "contact", "Contact", "Een team en een algemeen adres; geen "
	    "persoonsgegevens.", false, false },
	{ "richtlijnen", "Richtlijnen", "Namen van richtlijnen, eventueel met "
	    "@versie, gescheiden door komma's: stakeholders-betrekken@2.",
	    false, false },
	{ "indicatoren", "Indicatoren", "Namen van benchmark-indicatoren "
	    "waaraan de pilot werkte, gescheiden door komma's: "
	    "herkomst-nederland.", false, false },
	{ "aanpak", "Aanpak", "Markdown.", true, false },
	{ "data", "Data", "Welke gegevens, en waar kwamen ze vandaan? Markdown.",
	    true, false },
	{ "resultaten", "Resultaten", "Markdown.", true, false },
	{ "lessen", "Lessen", "Wat zou u een andere gemeente aanraden? "
	    "Markdown.", true, false },
	{ "privacy", "Privacy", "DPIA, grondslag, anonimisering. Markdown.",
	    true, false },
};

static const char *
web_pilot_reason(json_t *invalid, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(invalid, i, p)
		if (strcmp(json_string_value(json_object_get(p, "name")),
		    name) == 0)
			return json_string_value(json_object_get(p, "reason"));
	return NULL;
}

/* A form value as text: strings as they are, lists joined by commas. */
static char *
web_pilot_value(json_t *in, const char *name)
{
	json_t *v = json_object_get(in, name), *item;
	struct evbuffer *b;
	size_t i;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (!json_is_array(v))
		return xstrdup("");
	b = evbuffer_new();
	json_array_foreach(v, i, item) {
		json_t *n = json_object_get(item, "versie");

		if (json_is_object(item) && json_is_integer(n))
			evbuffer_add_printf(b, "%s%s@%lld", i > 0 ? ", " : "",
			    json_string_value(json_object_get(item, "slug")),
			    (long long)json_integer_value(n));
		else if (json_is_object(item))
			evbuffer_add_printf(b, "%s%s", i > 0 ? ", " : "",
			    json_string_value(json_object_get(item, "slug")));
		else
			evbuffer_add_printf(b, "%s%s", i > 0 ? ", " : "",
			    json_string_value(item));
	}
	return buffer_take_string(b);
}

/*
 * A select of a closed set (its labels shown), or, with set NULL, of the n
 * values (the configured domains, shown as they are).
 */
static void
web_pilot_select(struct evbuffer *b, json_t *in, json_t *invalid,
    const char *name, const char *label, const struct choice *set,
    const char *const *values, size_t n, bool blank)
{
	const char *cur = json_string_value(json_object_get(in, name));
	const char *why = web_pilot_reason(invalid, name);

	html_out(b, "<p><label for=\"%s\">%s</label><br>", name, label);
	if (why != NULL)
		html_out(b, "<span class=\"error\" id=\"%s-fout\">%s</span><br>",
		    name, why);
	html_out(b, "<select id=\"%s\" name=\"%s\"", name, name);
	html_attr_if(b, why != NULL, " aria-invalid=\"true\"");
	html_out(b, ">\n");
	if (blank)
		html_out(b, "<option value=\"\">(niet opgegeven)</option>\n");
	if (set != NULL)
		n = choice_count(set);
	for (size_t i = 0; i < n; i++) {
		const char *v = set != NULL ? set[i].value : values[i];

		html_out(b, "<option value=\"%s\"", v);
		html_attr_if(b, cur != NULL && strcmp(cur, v) == 0,
		    " selected");
		html_out(b, ">%s</option>\n", set != NULL ? set[i].label : v);
	}
	html_out(b, "</select></p>\n");
}

/*
 * The form: in holds the values (input JSON), invalid the errors (or an
 * empty array), action where it posts, versie the version it edits (0 new).
 */
static void
web_pilot_form(struct req *r, int status, const char *title, json_t *in,
    json_t *invalid, const char *action, long versie)
{
	const struct config *cfg = r->ctx->cfg;
	struct evbuffer *b = evbuffer_new();
	size_t ndom, i;
	const char *const *doms = pilot_domains(&cfg->domeinen, &ndom);
	json_t *p;

	web_page_start(r, b, title);
	html_out(b, "<h1>%s</h1>\n", title);
	web_page_errors(b, invalid);
	if (json_array_size(r->warnings) > 0) {
		html_out(b, "<div class=\"remarks\" role=\"status\"><h2>"
		    "Opmerkingen</h2><ul>\n");
		json_array_foreach(r->warnings, i, p)
			html_out(b, "<li>%s: %s</li>\n",
			    json_string_value(json_object_get(p, "name")),
			    json_string_value(json_object_get(p, "message")));
		html_out(b, "</ul></div>\n");
	}
	html_out(b, "<form method=\"post\" action=\"%s\" novalidate>\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<input type=\"hidden\" name=\"versie\" value=\"%ld\">\n", action,
	    r->who.csrf, versie);
	for (i = 0; i < nitems(web_pilot_fields); i++) {
		const char *name = web_pilot_fields[i].name;
		const char *why = web_pilot_reason(invalid, name);
		char *value = web_pilot_value(in, name);

		html_out(b, "<p><label for=\"%s\">%s%s</label><br>"
		    "<span class=\"hint\" id=\"%s-uitleg\">%s</span><br>", name,
		    web_pilot_fields[i].label, web_pilot_fields[i].required ?
		    " (verplicht)" : "", name, web_pilot_fields[i].hint);
		if (why != NULL)
			html_out(b, "<span class=\"error\" id=\"%s-fout\">%s"
			    "</span><br>", name, why);
		if (web_pilot_fields[i].area) {
			html_out(b, "<textarea id=\"%s\" name=\"%s\" rows=\"6\" "
			    "cols=\"60\" aria-describedby=\"%s-uitleg%s\"", name,
			    name, name, why != NULL ?
			    (strcmp(name, "samenvatting") == 0 ?
			    " samenvatting-fout" : strcmp(name, "vraag") == 0 ?
			    " vraag-fout" : "") : "");
			html_attr_if(b, why != NULL, " aria-invalid=\"true\"");
			html_out(b, ">%s</textarea></p>\n", value);
		} else {
			html_out(b, "<input id=\"%s\" name=\"%s\" value=\"%s\" "
			    "aria-describedby=\"%s-uitleg\"", name, name, value,
			    name);
			html_attr_if(b, why != NULL, " aria-invalid=\"true\"");
			html_out(b, "></p>\n");
		}
		free(value);
		if (strcmp(name, "titel") == 0) {
			web_pilot_select(b, in, invalid, "domein", "Domein",
			    NULL, doms, ndom, false);
			web_pilot_select(b, in, invalid, "status", "Status",
			    pilot_statuses, NULL, 0, false);
			web_pilot_select(b, in, invalid, "aanvrager",
			    "Gevraagd door", pilot_requesters, NULL, 0, true);
			web_pilot_select(b, in, invalid, "zichtbaarheid",
			    "Zichtbaar voor", pilot_visibilities, NULL, 0,
			    false);
		}
	}
	html_out(b, "<p><button type=\"submit\">Opslaan</button></p>\n</form>\n");
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
}

/* "slug@2, slug" as [{slug, versie}]; the validation judges the parts. */
static json_t *
web_pilot_links(const char *text)
{
	json_t *words = frontmatter_list(text), *out = json_array(), *w;
	size_t i;

	json_array_foreach(words, i, w) {
		const char *s = json_string_value(w);
		const char *at = strchr(s, '@');

		if (at == NULL)
			json_array_append_new(out, json_pack("{s:s, s:n}", "slug",
			    s, "versie"));
		else {
			char *slug = xstrndup(s, (size_t)(at - s));
			char *end;
			long n = strtol(at + 1, &end, 10);

			json_array_append_new(out, json_pack("{s:s, s:o}", "slug",
			    slug, "versie", *end == '\0' && n > 0 ?
			    json_integer(n) : json_string(at + 1)));
			free(slug);
		}
	}
	json_decref(words);
	return out;
}

/* The posted form as input JSON (caller owns). */
static json_t *
web_pilot_input(struct evkeyvalq *form)
{
	static const char *const optional[] = { "start", "einde", "aanvrager" };
	json_t *in = json_object();
	struct evkeyval *kv;

	TAILQ_FOREACH(kv, form, next) {
		bool opt = false;

		if (strcmp(kv->key, "csrf") == 0 || strcmp(kv->key, "versie") == 0)
			continue;
		for (size_t i = 0; i < nitems(optional); i++)
			opt |= strcmp(kv->key, optional[i]) == 0;
		if (strcmp(kv->key, "richtlijnen") == 0)
			json_object_set_new(in, kv->key,
			    web_pilot_links(kv->value));
		else if (strcmp(kv->key, "stakeholders") == 0 ||
		    strcmp(kv->key, "tags") == 0 ||
		    strcmp(kv->key, "indicatoren") == 0)
			json_object_set_new(in, kv->key,
			    frontmatter_list(kv->value));
		else if (opt && *kv->value == '\0')
			json_object_set_new(in, kv->key, json_null());
		else if (json_object_set_new(in, kv->key,
		    json_string(kv->value)) == -1)
			json_object_set_new(in, kv->key, json_string(""));
	}
	return in;
}

/*
 * The guideline links must exist; reasons go into invalid (-1). -1 with a
 * reply already sent when the database failed.
 */
static int
web_pilot_links_exist(struct req *r, const struct pilot *p, json_t *invalid)
{
	switch (model_pilots_links_exist(r, p)) {
	case 0:
		return 0;
	case MEENT_INVALID:
		json_array_extend(invalid, r->invalid);
		return -1;
	default:
		reply_db_failed(r, "De richtlijnen en indicatoren van de pilot "
		    "konden niet gelezen worden.");
		return -1;
	}
}

/*
 * The plugins' say: refusals into invalid (-1), warnings kept for the page;
 * -1 with a reply already sent when a plugin failed.
 */
static int
web_pilot_plugins(struct req *r, const struct pilot *p, json_t *invalid)
{
	if (model_pilots_plugins_validate(r, p) == -1)
		return -1;
	if (!req_has_invalid(r))
		return 0;
	json_array_extend(invalid, r->invalid);
	return -1;
}

/* Parse the form and check its CSRF token; -1 after replying. */
static int
web_pilot_post(struct req *r, struct evkeyvalq *form, json_t **in,
    long *versie)
{
	const char *v;

	if (web_form_checked(r, form) == -1)
		return -1;
	v = evhttp_find_header(form, "versie");
	*versie = v != NULL ? strtol(v, NULL, 10) : 0;
	*in = web_pilot_input(form);
	evhttp_clear_headers(form);
	return 0;
}

void
web_pilot_form_new(struct req *r)
{
	/* The API's default visibility; "lopend" as the likeliest status. */
	json_t *in = json_pack("{s:s, s:s}", "status", "lopend",
	    "zichtbaarheid", PILOT_VISIBILITY_DEFAULT);
	json_t *invalid = json_array();

	web_pilot_form(r, 200, "Een pilot publiceren", in, invalid,
	    "/pilots/nieuw", 0);
	json_decref(in);
	json_decref(invalid);
}

void
web_pilot_form_create(struct req *r)
{
	const struct config *cfg = r->ctx->cfg;
	struct evkeyvalq form;
	struct pilot p;
	json_t *in, *invalid;
	long versie;
	char location[64];

	if (web_pilot_post(r, &form, &in, &versie) == -1)
		return;
	model_pilots_new_identity(r, &p);
	invalid = json_array();
	if (pilot_from_json(&p, in, &cfg->domeinen, invalid) == -1 ||
	    web_pilot_links_exist(r, &p, invalid) == -1 ||
	    web_pilot_plugins(r, &p, invalid) == -1) {
		if (!r->replied)
			web_pilot_form(r, 400, "Een pilot publiceren", in,
			    invalid, "/pilots/nieuw", 0);
		goto out;
	}
	if (model_pilots_publish(r, &p) == -1)
		goto out;
	model_pilots_plugins_publish(&p);
	snprintf(location, sizeof location, "/pilots/%s", p.id);
	reply_redirect(r, location);
out:
	pilot_free(&p);
	json_decref(in);
	json_decref(invalid);
}

void
web_pilot_form_edit(struct req *r)
{
	struct pilot p;
	json_t *in, *invalid;
	char action[96];

	if (model_pilots_load(r, &p, true) == -1)
		return;
	/* The plugins' remarks on the pilot as it is (say, readability). */
	if (model_pilots_plugins_validate(r, &p) == -1) {
		pilot_free(&p);
		return;
	}
	json_decref(r->invalid);
	r->invalid = NULL;
	in = pilot_input_json(&p);
	invalid = json_array();
	snprintf(action, sizeof action, "/pilots/%s/bewerken", p.id);
	web_pilot_form(r, 200, "Pilot bewerken", in, invalid, action, p.versie);
	json_decref(in);
	json_decref(invalid);
	pilot_free(&p);
}

void
web_pilot_form_update(struct req *r)
{
	const struct config *cfg = r->ctx->cfg;
	struct evkeyvalq form;
	struct pilot old, p;
	json_t *in, *invalid;
	long versie;
	char action[96];
	int rc;

	if (model_pilots_load(r, &old, true) == -1)
		return;
	if (web_pilot_post(r, &form, &in, &versie) == -1) {
		pilot_free(&old);
		return;
	}
	snprintf(action, sizeof action, "/pilots/%s/bewerken", old.id);
	invalid = json_array();
	pilot_identity(&p, &old);
	if (pilot_from_json(&p, in, &cfg->domeinen, invalid) == -1 ||
	    web_pilot_links_exist(r, &p, invalid) == -1 ||
	    web_pilot_plugins(r, &p, invalid) == -1) {
		if (!r->replied)
			web_pilot_form(r, 400, "Pilot bewerken", in, invalid,
			    action, versie);
		goto out;
	}
	p.versie = versie + 1;
	p.gewijzigd = time(NULL);
	rc = versie == old.versie ? pilot_store_update(r->db, &p, versie) :
	    MEENT_CONFLICT;
	if (rc == MEENT_CONFLICT) {
		/* Keep the person's text; show the form on the new version. */
		json_array_append_new(invalid, json_pack("{s:s, s:s}", "name",
		    "titel", "reason", "iemand anders heeft deze pilot gewijzigd "
		    "nadat u het formulier opende; uw tekst staat hieronder. "
		    "Bekijk de pilot in een ander venster en sla dan opnieuw op"));
		web_pilot_form(r, 409, "Pilot bewerken", in, invalid, action,
		    old.versie);
	} else if (rc != 0)
		reply_db_failed(r, "De pilot kon niet opgeslagen worden.");
	else {
		model_pilots_plugins_publish(&p);
		snprintf(action, sizeof action, "/pilots/%s", p.id);
		reply_redirect(r, action);
	}
out:
	pilot_free(&p);
	pilot_free(&old);
	json_decref(in);
	json_decref(invalid);
}
