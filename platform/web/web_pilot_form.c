/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Writing and editing a pilot in the browser: /pilots/nieuw and
 * /pilots/{id}/bewerken. The form becomes the same input JSON as the API's
 * and goes through the same validation; errors come back as a summary at
 * the top (with links to the fields) and beside each field. Posts need the
 * session's CSRF token (and the router checks the origin). The edit form
 * carries the version it was made from, so an edit never silently
 * overwrites someone else's.
 *
 * Three buttons, each doing what it says (the field "actie"):
 *   concept     saves with zichtbaarheid "concept": only the own
 *               municipality sees it;
 *   publiceren  saves with the zichtbaarheid chosen in the form (leden or
 *               openbaar; openbaar when none is given);
 *   voorbeeld   saves nothing: the form comes back with the Markdown
 *               rendered above it (the same safe renderer as the pilot's
 *               page), the errors and the plugins' remarks.
 * Without "actie" (an older form, a script) the zichtbaarheid field is
 * taken as it is, as the API does. After saving, the pilot's page says
 * what happened (web_pilot_form_saved) and lists the plugins' remarks,
 * such as readability: hints, not errors.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>

enum web_pilot_kind { FIELD_TEXT, FIELD_AREA, FIELD_MARKDOWN, FIELD_DATE,
    FIELD_GUIDELINES, FIELD_INDICATORS };

/* A short explanation of Markdown, beside each Markdown field. */
#define WEB_PILOT_MARKDOWN_HINT " Opmaak met Markdown: ## voor een kopje, " \
	"- voor een lijst, [tekst](https://adres) voor een link, " \
	"| kolom | kolom | voor een tabel."

static const struct {
	const char *name, *label, *hint;
	enum web_pilot_kind kind;
	bool required;
} web_pilot_fields[] = {
	{ "titel", "Titel", "3 tot 150 tekens.", FIELD_TEXT, true },
	{ "samenvatting", "Samenvatting", "Platte tekst, hoogstens 1000 "
	    "tekens.", FIELD_AREA, true },
	{ "vraag", "Onderzoeksvraag", "Welke vraag wilde u beantwoorden? "
	    "Hoogstens 500 tekens.", FIELD_AREA, true },
	{ "start", "Startdatum", "De eerste dag, bijvoorbeeld 1-3-2025.",
	    FIELD_DATE, false },
	{ "einde", "Einddatum", "Leeg als de pilot nog loopt.", FIELD_DATE,
	    false },
	{ "stakeholders", "Betrokkenen", "Gescheiden door komma's, bijvoorbeeld "
	    "college, raad, privacy-officer.", FIELD_TEXT, false },
	{ "tags", "Tags", "Kleine letters en streepjes, gescheiden door "
	    "komma's.", FIELD_TEXT, false },
	{ "contact", "Contact", "Een team en een algemeen adres; geen "
	    "persoonsgegevens.", FIELD_TEXT, false },
	{ "richtlijnen", "Richtlijnen", "Kies de richtlijnen die u volgde.",
	    FIELD_GUIDELINES, false },
	{ "indicatoren", "Indicatoren", "Kies de benchmark-indicatoren waaraan "
	    "de pilot werkte.", FIELD_INDICATORS, false },
	{ "aanpak", "Aanpak", "Hoe pakte u het aan?" WEB_PILOT_MARKDOWN_HINT,
	    FIELD_MARKDOWN, false },
	{ "data", "Data", "Welke gegevens, en waar kwamen ze vandaan?"
	    WEB_PILOT_MARKDOWN_HINT, FIELD_MARKDOWN, false },
	{ "resultaten", "Resultaten", "Wat kwam eruit?" WEB_PILOT_MARKDOWN_HINT,
	    FIELD_MARKDOWN, false },
	{ "lessen", "Lessen", "Wat zou u een andere gemeente aanraden?"
	    WEB_PILOT_MARKDOWN_HINT, FIELD_MARKDOWN, false },
	{ "privacy", "Privacy", "DPIA, grondslag, anonimisering."
	    WEB_PILOT_MARKDOWN_HINT, FIELD_MARKDOWN, false },
};

/* What the person asked for with the button they pressed. */
enum web_pilot_action { ACTION_KEEP, ACTION_CONCEPT, ACTION_PUBLISH,
    ACTION_PREVIEW };

/* What a form page shows besides its values. */
struct web_pilot_page {
	const char	*title;		/* <title> and <h1> */
	const char	*action;	/* where it posts */
	const char	*id;		/* the pilot edited; NULL for a new one */
	long		 versie;	/* the version edited; 0 for a new one */
	bool		 published;	/* stored as leden or openbaar */
	bool		 preview;	/* the Markdown rendered above the form */
};

/* The label of a form field, or NULL when the form has none by that name. */
static const char *
web_pilot_label(const char *name)
{
	static const struct {
		const char *name, *label;
	} selects[] = {
		{ "domein", "Domein" }, { "status", "Status" },
		{ "aanvrager", "Gevraagd door" },
		{ "zichtbaarheid", "Wie mag de pilot lezen na publiceren" },
	};

	for (size_t i = 0; i < nitems(web_pilot_fields); i++)
		if (strcmp(web_pilot_fields[i].name, name) == 0)
			return web_pilot_fields[i].label;
	for (size_t i = 0; i < nitems(selects); i++)
		if (strcmp(selects[i].name, name) == 0)
			return selects[i].label;
	return NULL;
}

/*
 * The reasons of the validation (shared with the API, which speaks of
 * 2024-03-01 and of lengths) as a person filling in this form reads them:
 * a date as a Dutch browser shows one, a field left empty (in: the input
 * JSON) as a request. Changes invalid ([{name, reason}]) in place.
 */
static void
web_pilot_plain_reasons(json_t *in, json_t *invalid)
{
	size_t i;
	json_t *p;

	json_array_foreach(invalid, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *why = json_string_value(json_object_get(p,
		    "reason"));
		const char *plain = NULL;

		if (name == NULL || why == NULL)
			continue;
		if (strcmp(why, "verplicht") == 0 || (json_is_string(
		    json_object_get(in, name)) && json_string_length(
		    json_object_get(in, name)) == 0))
			plain = "vul dit in";
		else if (strcmp(name, "einde") == 0 &&
		    strcmp(why, "ligt voor de start") == 0)
			plain = "de einddatum ligt voor de startdatum";
		else if (strcmp(name, "start") == 0 ||
		    strcmp(name, "einde") == 0)
			plain = "vul een datum in zoals 30-11-2026";
		else if ((strcmp(name, "domein") == 0 ||
		    strcmp(name, "status") == 0 ||
		    strcmp(name, "aanvrager") == 0) &&
		    strncmp(why, "moet ", 5) == 0)
			/* Not the list of codes ("werk-en-inkomen, ..."). */
			plain = "kies een van de mogelijkheden uit de lijst";
		if (plain != NULL)
			json_object_set_new(p, "reason", json_string(plain));
	}
}

/*
 * A date typed the Dutch way ("30-11-2026", "1/3/2025") as the API's
 * "2026-11-30"; anything else as it is (the validation judges it). Caller
 * frees.
 */
static char *
web_pilot_date(const char *v)
{
	int d, m, y, n = 0;
	char sep1, sep2;

	if (sscanf(v, "%2d%c%2d%c%4d%n", &d, &sep1, &m, &sep2, &y, &n) == 5 &&
	    v[n] == '\0' && sep1 == sep2 && (sep1 == '-' || sep1 == '/') &&
	    strlen(v) >= 8 && v[strlen(v) - 5] == sep1 && d >= 1 && m >= 1 &&
	    y >= 1000)
		return xasprintf("%04d-%02d-%02d", y, m, d);
	return xstrdup(v);
}

/*
 * The summary of the form's errors ([{name, reason}]) by the fields' Dutch
 * labels, each linking to its field (as web_page_errors() does with the
 * names); nothing when there are none.
 */
static void
web_pilot_errors(struct evbuffer *b, json_t *invalid)
{
	size_t i;
	json_t *p;

	if (json_array_size(invalid) == 0)
		return;
	html_out(b, "<div class=\"error-summary\" role=\"alert\" "
	    "tabindex=\"-1\"><h2>Dit moet anders</h2><ul>\n");
	json_array_foreach(invalid, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *why = json_string_value(json_object_get(p,
		    "reason"));
		const char *label;

		if (name == NULL || why == NULL)
			continue;
		label = strcmp(name, "actie") == 0 ? "Knop" :
		    web_pilot_label(name);
		if (label != NULL)
			html_out(b, "<li><a href=\"#%s\">%s: %s</a></li>\n",
			    name, label, why);
		else
			html_out(b, "<li>%s: %s</li>\n", name, why);
	}
	html_out(b, "</ul></div>\n");
}

/*
 * The plugins' remarks ([{plugin, name, message}]) as hints, each linking
 * to its field in the form at base ("" for this page). Nothing when there
 * are none.
 */
static void
web_pilot_remarks(struct evbuffer *b, json_t *warnings, const char *base)
{
	size_t i;
	json_t *w;

	if (json_array_size(warnings) == 0)
		return;
	html_out(b, "<div class=\"remarks\" role=\"status\">\n<h2>Tips voor "
	    "de tekst</h2>\n<p>Dit zijn adviezen, geen fouten: opslaan en "
	    "publiceren kan ook zonder ze op te volgen.</p>\n<ul>\n");
	json_array_foreach(warnings, i, w) {
		const char *name = json_string_value(json_object_get(w, "name"));
		const char *label = name != NULL ? web_pilot_label(name) : NULL;
		const char *msg = json_string_value(json_object_get(w,
		    "message"));

		if (label != NULL)
			html_out(b, "<li><a href=\"%s#%s\">%s</a>: %s</li>\n",
			    base, name, label, msg);
		else
			html_out(b, "<li>%s: %s</li>\n", name != NULL ? name : "",
			    msg != NULL ? msg : "");
	}
	html_out(b, "</ul>\n</div>\n");
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
	json_array_foreach(v, i, item)
		if (json_is_string(item))
			evbuffer_add_printf(b, "%s%s", i > 0 ? ", " : "",
			    json_string_value(item));
	return buffer_take_string(b);
}

/*
 * A select of a closed set (its labels shown), or, with set NULL, of the n
 * configured domains (their Dutch names shown). skip: a value of set left
 * out (NULL for none); fallback: the value selected when the current one
 * is not offered.
 */
static void
web_pilot_select(struct evbuffer *b, json_t *in, json_t *invalid,
    const char *name, const struct choice *set, const char *const *values,
    size_t n, bool blank, const char *skip, const char *fallback)
{
	const char *cur = json_string_value(json_object_get(in, name));
	const char *why = req_invalid_reason(invalid, name);
	char label[128];

	if (cur == NULL || (skip != NULL && strcmp(cur, skip) == 0))
		cur = fallback;
	html_out(b, "<p><label for=\"%s\">%s</label><br>", name,
	    web_pilot_label(name));
	if (why != NULL)
		html_out(b, "<span class=\"error\" id=\"%s-fout\">%s</span><br>",
		    name, why);
	html_out(b, "<select id=\"%s\" name=\"%s\"", name, name);
	if (why != NULL)
		html_out(b, " aria-invalid=\"true\" aria-describedby=\"%s-fout\"",
		    name);
	html_out(b, ">\n");
	if (blank)
		html_out(b, "<option value=\"\">(niet opgegeven)</option>\n");
	if (set != NULL)
		n = choice_count(set);
	for (size_t i = 0; i < n; i++) {
		const char *v = set != NULL ? set[i].value : values[i];

		if (skip != NULL && strcmp(v, skip) == 0)
			continue;
		html_out(b, "<option value=\"%s\"", v);
		html_attr_if(b, cur != NULL && strcmp(cur, v) == 0,
		    " selected");
		html_out(b, ">%s</option>\n", set != NULL ? set[i].label :
		    pilot_domain_label(v, label, sizeof label));
	}
	html_out(b, "</select></p>\n");
}

/* One checkbox of a list of choices. */
static void
web_pilot_checkbox(struct evbuffer *b, const char *name, int n,
    const char *value, const char *label, const char *version, bool checked)
{
	html_out(b, "<li><input type=\"checkbox\" id=\"%s-%d\" name=\"%s\" "
	    "value=\"%s\"", name, n, name, value);
	html_attr_if(b, checked, " checked");
	html_out(b, "> <label for=\"%s-%d\">%s", name, n, label);
	if (version != NULL)
		html_out(b, " (versie %s)", version);
	html_out(b, "</label></li>\n");
}

/*
 * The slug of a guideline link and its version as text ("" for the
 * newest); NULL when the link is malformed.
 */
static const char *
web_pilot_link(json_t *link, char *version, size_t size)
{
	json_t *v = json_object_get(link, "versie");

	version[0] = '\0';
	if (json_is_integer(v))
		snprintf(version, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(version, size, "%s", json_string_value(v));
	return json_string_value(json_object_get(link, "slug"));
}

/*
 * The guidelines as checkboxes by title (the slug as the value; a link
 * pinned to a version as slug@N). links: the pilot's; list: every
 * guideline ([{slug, titel}]). A link to one not in the list (gone since)
 * stays, checked, by its slug, so that saving keeps what it does not show.
 */
static void
web_pilot_guidelines(struct evbuffer *b, json_t *links, json_t *list)
{
	char version[32], value[160];
	size_t i, j;
	json_t *g, *l;
	int n = 0;

	json_array_foreach(list, i, g) {
		const char *slug = json_string_value(json_object_get(g, "slug"));
		bool checked = false;

		version[0] = '\0';
		json_array_foreach(links, j, l) {
			const char *s = web_pilot_link(l, version,
			    sizeof version);

			if (s != NULL && strcmp(s, slug) == 0) {
				checked = true;
				break;
			}
		}
		if (!checked)
			version[0] = '\0';
		snprintf(value, sizeof value, "%s%s%s", slug, *version != '\0' ?
		    "@" : "", version);
		web_pilot_checkbox(b, "richtlijnen", ++n, value,
		    json_string_value(json_object_get(g, "titel")),
		    *version != '\0' ? version : NULL, checked);
	}
	json_array_foreach(links, j, l) {
		const char *s = web_pilot_link(l, version, sizeof version);
		bool listed = false;

		if (s == NULL)
			continue;
		json_array_foreach(list, i, g)
			listed |= strcmp(s, json_string_value(json_object_get(g,
			    "slug"))) == 0;
		if (listed)
			continue;
		snprintf(value, sizeof value, "%s%s%s", s, *version != '\0' ?
		    "@" : "", version);
		web_pilot_checkbox(b, "richtlijnen", ++n, value, s,
		    *version != '\0' ? version : NULL, true);
	}
}

/*
 * The indicators as checkboxes by name (the id as the value); chosen ones
 * not in the list stay, checked, by their id.
 */
static void
web_pilot_indicators(struct evbuffer *b, json_t *chosen, json_t *list)
{
	size_t i, j;
	json_t *d, *c;
	int n = 0;

	json_array_foreach(list, i, d) {
		const char *id = json_string_value(json_object_get(d, "id"));
		bool checked = false;

		json_array_foreach(chosen, j, c)
			checked |= json_is_string(c) &&
			    strcmp(json_string_value(c), id) == 0;
		web_pilot_checkbox(b, "indicatoren", ++n, id,
		    json_string_value(json_object_get(d, "naam")), NULL, checked);
	}
	json_array_foreach(chosen, j, c) {
		bool listed = false;

		if (!json_is_string(c))
			continue;
		json_array_foreach(list, i, d)
			listed |= strcmp(json_string_value(c), json_string_value(
			    json_object_get(d, "id"))) == 0;
		if (!listed)
			web_pilot_checkbox(b, "indicatoren", ++n,
			    json_string_value(c), json_string_value(c), NULL, true);
	}
}

/*
 * A fieldset of checkboxes (field i of the table): the guidelines or the
 * indicators. Its id is the field's name, for the error summary's link.
 */
static void
web_pilot_choices(struct evbuffer *b, size_t i, json_t *in, json_t *invalid,
    json_t *guidelines, json_t *indicators)
{
	const char *name = web_pilot_fields[i].name;
	const char *why = req_invalid_reason(invalid, name);
	json_t *cur = json_object_get(in, name);

	html_out(b, "<fieldset class=\"choices\" id=\"%s\" "
	    "aria-describedby=\"%s-uitleg", name, name);
	if (why != NULL)
		html_out(b, " %s-fout", name);
	html_out(b, "\">\n<legend>%s</legend>\n<p class=\"hint\" "
	    "id=\"%s-uitleg\">%s</p>\n", web_pilot_fields[i].label, name,
	    web_pilot_fields[i].hint);
	if (why != NULL)
		html_out(b, "<p class=\"error\" id=\"%s-fout\">%s</p>\n", name,
		    why);
	html_out(b, "<ul>\n");
	if (!json_is_array(cur))
		cur = NULL;
	if (web_pilot_fields[i].kind == FIELD_GUIDELINES)
		web_pilot_guidelines(b, cur, guidelines);
	else
		web_pilot_indicators(b, cur, indicators);
	html_out(b, "</ul>\n</fieldset>\n");
}

/* One field of the table: a text input, a date or a textarea. */
static void
web_pilot_field(struct evbuffer *b, size_t i, json_t *in, json_t *invalid)
{
	const char *name = web_pilot_fields[i].name;
	const char *why = req_invalid_reason(invalid, name);
	enum web_pilot_kind kind = web_pilot_fields[i].kind;
	char *value = web_pilot_value(in, name);

	html_out(b, "<p><label for=\"%s\">%s%s</label><br>"
	    "<span class=\"hint\" id=\"%s-uitleg\">%s</span><br>", name,
	    web_pilot_fields[i].label, web_pilot_fields[i].required ?
	    " (verplicht)" : "", name, web_pilot_fields[i].hint);
	if (why != NULL)
		html_out(b, "<span class=\"error\" id=\"%s-fout\">%s</span><br>",
		    name, why);
	if (kind == FIELD_AREA || kind == FIELD_MARKDOWN)
		html_out(b, "<textarea id=\"%s\" name=\"%s\" rows=\"%d\" "
		    "cols=\"60\"", name, name, kind == FIELD_MARKDOWN ? 10 : 4);
	else
		html_out(b, "<input id=\"%s\" name=\"%s\" type=\"%s\" "
		    "value=\"%s\"", name, name, kind == FIELD_DATE ? "date" :
		    "text", value);
	html_out(b, " aria-describedby=\"%s-uitleg", name);
	if (kind == FIELD_MARKDOWN)
		html_out(b, " markdown-uitleg");
	if (why != NULL)
		html_out(b, " %s-fout\" aria-invalid=\"true", name);
	html_out(b, "\"");
	if (kind == FIELD_AREA || kind == FIELD_MARKDOWN)
		html_out(b, ">%s</textarea></p>\n", value);
	else
		html_out(b, "></p>\n");
	free(value);
}

/* What Markdown is, once, before the first Markdown field. */
static void
web_pilot_markdown_help(struct evbuffer *b)
{
	html_out(b, "<div class=\"hint markdown-help\" id=\"markdown-uitleg\">\n"
	    "<h2>Tekst opmaken</h2>\n<p>De teksten hieronder mogen opmaak "
	    "hebben in Markdown. Een lege regel begint een nieuwe alinea.</p>\n"
	    "<ul>\n<li>Een kopje: een regel die begint met <code>## </code>, "
	    "zoals <code>## Wat we deden</code>.</li>\n<li>Een lijst: regels "
	    "die beginnen met <code>- </code> (of <code>1. </code> voor een "
	    "genummerde lijst).</li>\n<li>Een link: <code>[de tekst](https://"
	    "www.example.nl)</code>.</li>\n<li>Vet: <code>**belangrijk**"
	    "</code>.</li>\n<li>Een tabel: een regel per rij, kolommen "
	    "tussen <code>|</code>, en onder de kopregel <code>|---|---|</code>"
	    ", zoals<br><code>| Jaar | Aantal |</code><br><code>|---|---|"
	    "</code><br><code>| 2024 | 12 |</code></li>\n</ul>\n<p>Met "
	    "<strong>Voorbeeld bekijken</strong> onderaan ziet u hoe het "
	    "eruitziet, zonder iets op te slaan.</p>\n</div>\n");
}

/*
 * The Markdown of in rendered as the pilot's page shows it, above the
 * form: nothing is saved. The text of each section goes through the same
 * safe renderer (markdown_render, never CMARK_OPT_UNSAFE) and caps as a
 * saved one; a section past its caps says so instead.
 */
static void
web_pilot_preview(struct evbuffer *b, json_t *in)
{
	static const char *const titles[PILOT_NSECTIONS] = {
		"Aanpak", "Data", "Resultaten", "Lessen", "Privacy" };
	const char *titel = json_string_value(json_object_get(in, "titel"));
	const char *samenvatting = json_string_value(json_object_get(in,
	    "samenvatting"));
	size_t total = 0;
	bool any = false;

	html_out(b, "<section class=\"preview\" aria-labelledby=\"voorbeeld\">\n"
	    "<h2 id=\"voorbeeld\">Voorbeeld</h2>\n<p class=\"hint\">Zo komt de "
	    "pilot eruit te zien. <strong>Er is nog niets opgeslagen</strong>: "
	    "kies onder het formulier <em>Opslaan als concept</em> of "
	    "<em>Publiceren</em>.</p>\n<div class=\"preview-body\">\n");
	if (titel != NULL && *titel != '\0')
		html_out(b, "<p class=\"preview-title\"><strong>%s</strong></p>\n",
		    titel);
	if (samenvatting != NULL && *samenvatting != '\0')
		html_out(b, "<p>%s</p>\n", samenvatting);
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		const char *md = json_string_value(json_object_get(in,
		    pilot_sections[i]));
		char *html;

		if (md == NULL || *md == '\0')
			continue;
		any = true;
		html_out(b, "<h3>%s</h3>\n", titles[i]);
		if ((html = pilot_section_preview(md, &total)) == NULL) {
			html_out(b, "<p class=\"error\">Deze tekst is te lang of "
			    "te ingewikkeld om te tonen; zie de fout bij het "
			    "veld.</p>\n");
			continue;
		}
		/* Rendered by markdown_render(): safe mode. */
		web_page_markdown(b, html, 4);
		free(html);
	}
	if (!any)
		html_out(b, "<p>Er is nog geen tekst met opmaak (aanpak, data, "
		    "resultaten, lessen, privacy).</p>\n");
	html_out(b, "</div>\n</section>\n");
}

/*
 * The buttons, the one that keeps the pilot as it is first (a person who
 * presses Enter in a field gets that one): saving a concept, or, for a
 * published pilot, publishing the change.
 */
static void
web_pilot_buttons(struct evbuffer *b, const struct web_pilot_page *pg)
{
	static const char concept[] = "<button type=\"submit\" name=\"actie\" "
	    "value=\"concept\">Opslaan als concept</button>\n";
	static const char publish[] = "<button type=\"submit\" name=\"actie\" "
	    "value=\"publiceren\">Publiceren</button>\n";

	html_out(b, "<div class=\"actions\" id=\"actie\">\n"
	    "<p class=\"hint\" id=\"actie-uitleg\"><strong>Opslaan als "
	    "concept</strong>: alleen uw gemeente ziet de pilot. "
	    "<strong>Publiceren</strong>: de pilot is te lezen voor wie u "
	    "hierboven koos.%s</p>\n<p>\n", pg->published ? " Deze pilot is "
	    "nu gepubliceerd." : "");
	html_raw(b, pg->published ? publish : concept);
	html_raw(b, pg->published ? concept : publish);
	html_out(b, "<button type=\"submit\" name=\"actie\" value=\"voorbeeld\">"
	    "Voorbeeld bekijken</button>\n</p>\n</div>\n");
}

/*
 * The form: in holds the values (input JSON), invalid the errors (or an
 * empty array); r->warnings the plugins' remarks. Replies (a database
 * failure reading the choices is a 500 page).
 */
static void
web_pilot_form(struct req *r, int status, const struct web_pilot_page *pg,
    json_t *in, json_t *invalid)
{
	const struct config *cfg = r->ctx->cfg;
	struct evbuffer *b;
	size_t ndom, i;
	const char *const *doms = pilot_domains(&cfg->domeinen, &ndom);
	json_t *guidelines, *indicators;
	long total;

	guidelines = guideline_store_list(r->db, 1, 1000, &total);
	indicators = guidelines != NULL ? indicator_list(r->db) : NULL;
	if (indicators == NULL) {
		json_decref(guidelines);
		reply_db_failed(r, "De richtlijnen en indicatoren konden niet "
		    "gelezen worden.");
		return;
	}
	web_pilot_plain_reasons(in, invalid);
	b = evbuffer_new();
	web_page_start(r, b, pg->title);
	html_out(b, "<h1>%s</h1>\n", pg->title);
	web_pilot_errors(b, invalid);
	web_pilot_remarks(b, r->warnings, "");
	if (pg->preview)
		web_pilot_preview(b, in);
	html_out(b, "<form method=\"post\" action=\"%s\" novalidate>\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<input type=\"hidden\" name=\"versie\" value=\"%ld\">\n",
	    pg->action, r->who.csrf, pg->versie);
	for (i = 0; i < nitems(web_pilot_fields); i++) {
		enum web_pilot_kind kind = web_pilot_fields[i].kind;

		if (kind == FIELD_MARKDOWN && i > 0 &&
		    web_pilot_fields[i - 1].kind != FIELD_MARKDOWN)
			web_pilot_markdown_help(b);
		if (kind == FIELD_GUIDELINES || kind == FIELD_INDICATORS)
			web_pilot_choices(b, i, in, invalid, guidelines,
			    indicators);
		else
			web_pilot_field(b, i, in, invalid);
		if (strcmp(web_pilot_fields[i].name, "titel") == 0) {
			web_pilot_select(b, in, invalid, "domein", NULL, doms,
			    ndom, false, NULL, NULL);
			web_pilot_select(b, in, invalid, "status",
			    pilot_statuses, NULL, 0, false, NULL, NULL);
			web_pilot_select(b, in, invalid, "aanvrager",
			    pilot_requesters, NULL, 0, true, NULL, NULL);
		}
	}
	/* A concept is a button, not a choice here: who reads it once out. */
	web_pilot_select(b, in, invalid, "zichtbaarheid", pilot_visibilities,
	    NULL, 0, false, "concept", "openbaar");
	web_pilot_buttons(b, pg);
	html_out(b, "</form>\n");
	if (pg->id != NULL)
		html_out(b, "<p><a href=\"/pilots/%s\">Terug naar de pilot, "
		    "zonder op te slaan</a> · <a href=\"/pilots/%s/verwijderen\">"
		    "Deze pilot verwijderen</a></p>\n", pg->id, pg->id);
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(guidelines);
	json_decref(indicators);
}

/* "slug@2, slug" as [{slug, versie}]; the validation judges the parts. */
static void
web_pilot_links(json_t *out, const char *text)
{
	json_t *words = frontmatter_list(text), *w;
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
}

/* The list a repeated field collects into (made on first use). */
static json_t *
web_pilot_list(json_t *in, const char *name)
{
	json_t *a = json_object_get(in, name);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(in, name, a);
	}
	return a;
}

/*
 * The posted form as input JSON (caller owns). Checkboxes repeat their
 * name: each guideline or indicator ticked is one more value (a value may
 * also be a list separated by commas, as the older form's text fields
 * sent). An empty optional field is null, as the API takes it.
 */
static json_t *
web_pilot_input(struct evkeyvalq *form)
{
	static const char *const optional[] = { "start", "einde", "aanvrager" };
	json_t *in = json_object();
	struct evkeyval *kv;

	TAILQ_FOREACH(kv, form, next) {
		bool opt = false;

		if (strcmp(kv->key, "csrf") == 0 ||
		    strcmp(kv->key, "versie") == 0 ||
		    strcmp(kv->key, "actie") == 0)
			continue;
		for (size_t i = 0; i < nitems(optional); i++)
			opt |= strcmp(kv->key, optional[i]) == 0;
		if (strcmp(kv->key, "richtlijnen") == 0)
			web_pilot_links(web_pilot_list(in, kv->key), kv->value);
		else if (strcmp(kv->key, "indicatoren") == 0) {
			json_t *ids = frontmatter_list(kv->value);

			json_array_extend(web_pilot_list(in, kv->key), ids);
			json_decref(ids);
		} else if (strcmp(kv->key, "stakeholders") == 0 ||
		    strcmp(kv->key, "tags") == 0)
			json_object_set_new(in, kv->key,
			    frontmatter_list(kv->value));
		else if (opt && *kv->value == '\0')
			json_object_set_new(in, kv->key, json_null());
		else if (strcmp(kv->key, "start") == 0 ||
		    strcmp(kv->key, "einde") == 0) {
			char *iso = web_pilot_date(kv->value);

			if (json_object_set_new(in, kv->key,
			    json_string(iso)) == -1)
				json_object_set_new(in, kv->key,
				    json_string(""));
			free(iso);
		}
		else if (json_object_set_new(in, kv->key,
		    json_string(kv->value)) == -1)
			json_object_set_new(in, kv->key, json_string(""));
	}
	return in;
}

/*
 * The button pressed, with its effect on in's zichtbaarheid: a concept is
 * "concept"; publishing takes the form's choice (leden or openbaar,
 * openbaar when there is none). A button the form does not have, or
 * publishing "as a concept", is noted in invalid.
 */
static enum web_pilot_action
web_pilot_action(struct evkeyvalq *form, json_t *in, json_t *invalid)
{
	const char *a = evhttp_find_header(form, "actie");
	const char *z = json_string_value(json_object_get(in, "zichtbaarheid"));

	if (a == NULL)
		return ACTION_KEEP;
	if (strcmp(a, "voorbeeld") == 0)
		return ACTION_PREVIEW;
	if (strcmp(a, "concept") == 0) {
		json_object_set_new(in, "zichtbaarheid", json_string("concept"));
		return ACTION_CONCEPT;
	}
	if (strcmp(a, "publiceren") == 0) {
		if (z == NULL)
			json_object_set_new(in, "zichtbaarheid",
			    json_string("openbaar"));
		else if (strcmp(z, "concept") == 0)
			json_array_append_new(invalid, json_pack("{s:s, s:s}",
			    "name", "zichtbaarheid", "reason", "kies wie de "
			    "gepubliceerde pilot mag lezen: iedereen of "
			    "ingelogde gebruikers"));
		return ACTION_PUBLISH;
	}
	json_array_append_new(invalid, json_pack("{s:s, s:s}", "name", "actie",
	    "reason", "kies Opslaan als concept, Publiceren of Voorbeeld "
	    "bekijken"));
	return ACTION_KEEP;
}

/*
 * Parse the form and check its CSRF token; -1 after replying. *in gets the
 * input JSON, *action the button, invalid what is wrong with them.
 */
static int
web_pilot_post(struct req *r, json_t **in, long *versie,
    enum web_pilot_action *action, json_t *invalid)
{
	struct evkeyvalq form;
	const char *v;

	if (web_form_checked(r, &form) == -1)
		return -1;
	v = evhttp_find_header(&form, "versie");
	*versie = v != NULL ? strtol(v, NULL, 10) : 0;
	*in = web_pilot_input(&form);
	*action = web_pilot_action(&form, *in, invalid);
	evhttp_clear_headers(&form);
	return 0;
}

/*
 * Validate in into p (its identity set) as the API does: the fields, the
 * links, the plugins (their refusals as errors, their remarks kept in
 * r->warnings). 0 when p may be saved; -1 with the reasons in invalid (p
 * freed); -2 after replying (a database or plugin failure).
 */
static int
web_pilot_check(struct req *r, struct pilot *p, json_t *in, json_t *invalid)
{
	const struct config *cfg = r->ctx->cfg;
	size_t before = json_array_size(invalid);

	if (pilot_from_json(p, in, &cfg->domeinen, invalid) == -1)
		return -1;
	switch (model_pilots_links_exist(r, p)) {
	case 0:
		break;
	case MEENT_INVALID:
		json_array_extend(invalid, r->invalid);
		pilot_free(p);
		return -1;
	default:
		pilot_free(p);
		reply_db_failed(r, "De richtlijnen en indicatoren van de pilot "
		    "konden niet gelezen worden.");
		return -2;
	}
	if (model_pilots_plugins_validate(r, p) == -1) {
		pilot_free(p);
		return -2;
	}
	if (req_has_invalid(r))
		json_array_extend(invalid, r->invalid);
	if (json_array_size(invalid) > before) {
		pilot_free(p);
		return -1;
	}
	return 0;
}

/* Where a saved pilot's page says what happened. */
static void
web_pilot_saved_redirect(struct req *r, const struct pilot *p)
{
	char location[96];

	snprintf(location, sizeof location, "/pilots/%s?opgeslagen=1", p->id);
	reply_redirect(r, location);
}

void
web_pilot_form_new(struct req *r)
{
	/* "lopend" as the likeliest status; publishing is for everyone. */
	json_t *in = json_pack("{s:s, s:s}", "status", "lopend",
	    "zichtbaarheid", "openbaar");
	json_t *invalid = json_array();
	struct web_pilot_page pg = { "Nieuwe pilot", "/pilots/nieuw", NULL, 0,
	    false, false };

	web_pilot_form(r, 200, &pg, in, invalid);
	json_decref(in);
	json_decref(invalid);
}

void
web_pilot_form_create(struct req *r)
{
	struct web_pilot_page pg = { "Nieuwe pilot", "/pilots/nieuw", NULL, 0,
	    false, false };
	enum web_pilot_action action;
	json_t *in = NULL, *invalid = json_array();
	struct pilot p;
	long versie;
	int rc;

	model_pilots_new_identity(r, &p);
	if (web_pilot_post(r, &in, &versie, &action, invalid) == -1)
		goto out;
	rc = web_pilot_check(r, &p, in, invalid);
	if (rc == -2)
		goto out;
	if (action == ACTION_PREVIEW || json_array_size(invalid) > 0) {
		pg.preview = action == ACTION_PREVIEW;
		web_pilot_form(r, pg.preview ? 200 : 400, &pg, in, invalid);
		goto out;
	}
	if (model_pilots_publish(r, &p) == -1)
		goto out;
	model_pilots_plugins_publish(&p);
	web_pilot_saved_redirect(r, &p);
out:
	json_decref(in);
	pilot_free(&p);
	json_decref(invalid);
}

void
web_pilot_form_edit(struct req *r)
{
	struct web_pilot_page pg = { "Pilot bewerken", NULL, NULL, 0, false,
	    false };
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
	pg.action = action;
	pg.id = p.id;
	pg.versie = p.versie;
	pg.published = strcmp(p.zichtbaarheid, "concept") != 0;
	web_pilot_form(r, 200, &pg, in, invalid);
	json_decref(in);
	json_decref(invalid);
	pilot_free(&p);
}

void
web_pilot_form_update(struct req *r)
{
	struct web_pilot_page pg = { "Pilot bewerken", NULL, NULL, 0, false,
	    false };
	enum web_pilot_action action;
	struct pilot old, p;
	json_t *in = NULL, *invalid;
	long versie;
	char path[96];
	int rc;

	if (model_pilots_load(r, &old, true) == -1)
		return;
	invalid = json_array();
	pilot_identity(&p, &old);
	if (web_pilot_post(r, &in, &versie, &action, invalid) == -1)
		goto out;
	snprintf(path, sizeof path, "/pilots/%s/bewerken", old.id);
	pg.action = path;
	pg.id = old.id;
	pg.versie = versie;
	pg.published = strcmp(old.zichtbaarheid, "concept") != 0;
	rc = web_pilot_check(r, &p, in, invalid);
	if (rc == -2)
		goto out;
	if (action == ACTION_PREVIEW || json_array_size(invalid) > 0) {
		pg.preview = action == ACTION_PREVIEW;
		web_pilot_form(r, pg.preview ? 200 : 400, &pg, in, invalid);
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
		pg.versie = old.versie;
		web_pilot_form(r, 409, &pg, in, invalid);
	} else if (rc != 0)
		reply_db_failed(r, "De pilot kon niet opgeslagen worden.");
	else {
		log_emit(LOG_INFO, "pilot.update", "pilot %s now version %ld",
		    p.id, p.versie);
		model_pilots_plugins_publish(&p);
		web_pilot_saved_redirect(r, &p);
	}
out:
	pilot_free(&p);
	pilot_free(&old);
	json_decref(in);
	json_decref(invalid);
}

/*
 * On a pilot's page, after the form saved it (?opgeslagen=1) and for its
 * own municipality only: what happened, said from what is stored, and the
 * plugins' remarks as hints linking into the edit form. A plugin that
 * fails here costs only the remarks.
 */
void
web_pilot_form_saved(struct req *r, struct evbuffer *b, const struct pilot *p)
{
	char base[96];

	if (req_query(r, "opgeslagen") == NULL ||
	    r->who.kind != PRINCIPAL_SESSION || !req_own(r, p->gemeente))
		return;
	html_out(b, "<div class=\"notice\" role=\"status\"><p>");
	if (strcmp(p->zichtbaarheid, "concept") == 0)
		html_out(b, "Opgeslagen als concept. Alleen uw gemeente ziet het. "
		    "<a href=\"/pilots/%s/bewerken\">Bewerken of publiceren</a>",
		    p->id);
	else if (strcmp(p->zichtbaarheid, "leden") == 0)
		html_out(b, "Gepubliceerd. Iedereen die is ingelogd, kan het nu "
		    "lezen.");
	else
		html_out(b, "Gepubliceerd. Iedereen kan het nu lezen.");
	html_out(b, "</p></div>\n");
	if (model_pilots_plugins_remarks(r, p) == 0) {
		snprintf(base, sizeof base, "/pilots/%s/bewerken", p->id);
		web_pilot_remarks(b, r->warnings, base);
	}
	json_decref(r->invalid);
	r->invalid = NULL;
}
