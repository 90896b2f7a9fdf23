/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Pilots (case studies): the model, its validation and its JSON. Pure: no
 * database, no HTTP. Validation collects every invalid field into one list
 * (the invalidParams of a 400) instead of stopping at the first.
 *
 * Input JSON has the Markdown sections as strings ("aanpak": "..."); output
 * JSON carries both the Markdown and the HTML rendered at write time
 * ("aanpak" and "aanpakHtml"). Read-only fields in input (id, versie, the
 * *Html fields, ...) are ignored, so a client can PUT back what it got;
 * unknown fields are errors.
 */
#include "domain/domain.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const pilot_sections[PILOT_NSECTIONS] = {
	"aanpak", "data", "resultaten", "lessen", "privacy",
};

/*
 * The default domains (DESIGN.md §6) with their Dutch names, which pages
 * show: one list, so that the values and their labels cannot drift apart.
 * An instance may configure its own slugs ("domein" in the config); those
 * not in this list are shown as their words (pilot_domain_label).
 */
#define PILOT_DOMAINS(X) \
	X("werk-en-inkomen", "Werk en inkomen") \
	X("zorg-en-welzijn", "Zorg en welzijn") \
	X("jeugd", "Jeugd") \
	X("dienstverlening-en-burgerzaken", "Dienstverlening en burgerzaken") \
	X("financien", "Financiën") \
	X("ruimte-en-wonen", "Ruimte en wonen") \
	X("veiligheid", "Veiligheid") \
	X("mobiliteit", "Mobiliteit") \
	X("klimaat-en-energie", "Klimaat en energie") \
	X("openbare-ruimte", "Openbare ruimte") \
	X("onderwijs", "Onderwijs") \
	X("economie", "Economie") \
	X("bedrijfsvoering", "Bedrijfsvoering")
#define PILOT_DOMAIN_VALUE(v, l)	v,
#define PILOT_DOMAIN_CHOICE(v, l)	{ v, l, NULL },

static const char *const pilot_default_domains[] = {
	PILOT_DOMAINS(PILOT_DOMAIN_VALUE)
};
const struct choice pilot_domain_choices[] = {
	PILOT_DOMAINS(PILOT_DOMAIN_CHOICE)
	{ NULL, NULL, NULL }
};
/* The closed sets of a pilot's fields (choice.c), in the order forms show. */
const struct choice pilot_statuses[] = {
	{ "idee", "Idee", "nog niet begonnen" },
	{ "lopend", "Lopend", "de pilot loopt" },
	{ "afgerond", "Afgerond", "klaar, met resultaten" },
	{ "gestopt", "Gestopt", "voortijdig beëindigd" },
	{ NULL, NULL, NULL }
};
const struct choice pilot_requesters[] = {
	{ "raad", "De gemeenteraad", NULL },
	{ "college", "Het college", NULL },
	{ "directie", "De directie", NULL },
	{ "ambtenaren", "Ambtenaren", NULL },
	{ "inwoners", "Inwoners", NULL },
	{ NULL, NULL, NULL }
};
/* Who sees it; a new pilot is a concept until its municipality says so. */
const struct choice pilot_visibilities[] = {
	{ "concept", "Alleen de eigen gemeente (concept)", NULL },
	{ "leden", "Ingelogde gebruikers", NULL },
	{ "openbaar", "Iedereen", NULL },
	{ NULL, NULL, NULL }
};

/* Fields a client may send back but not set. */
static const char *const pilot_readonly[] = { "id", "origin", "gemeente",
    "gemeenteNaam", "provincie", "grootteklasse", "versie", "aangemaakt",
    "gewijzigd", "verwijderd", "aanpakHtml", "dataHtml", "resultatenHtml",
    "lessenHtml", "privacyHtml", "_links" };

#define PILOT_TITLE_MIN		3
#define PILOT_TITLE_MAX		150
#define PILOT_SUMMARY_MAX	1000
#define PILOT_QUESTION_MAX	500
#define PILOT_CONTACT_MAX	200
#define PILOT_SECTION_MAX	100000	/* characters of Markdown */
/*
 * Bytes of Markdown in one section and in all five together, checked with
 * markdown_check() before any is rendered: at cmark-gfm's worst linear rate
 * (about 1 µs a byte) a pilot renders in a quarter of a second
 * (tests/bench/markdown.sh).
 */
#define PILOT_SECTION_BYTES	(100 * 1000)
#define PILOT_MARKDOWN_BYTES	(250 * 1000)
#define PILOT_LIST_MAX		20
#define PILOT_TAG_MAX		40
#define PILOT_STAKEHOLDER_MAX	60

static bool
pilot_in(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

/* Is v one of the configured domains (or the default ones)? */
bool
pilot_domain_valid(const struct strlist *domains, const char *v)
{
	if (domains != NULL && domains->n > 0)
		return pilot_in(v, (const char *const *)domains->v, domains->n);
	return pilot_in(v, pilot_default_domains,
	    nitems(pilot_default_domains));
}

/* The domains in order, for forms and facets: a NULL-terminated list. */
const char *const *
pilot_domains(const struct strlist *domains, size_t *n)
{
	if (domains != NULL && domains->n > 0) {
		*n = domains->n;
		return (const char *const *)domains->v;
	}
	*n = nitems(pilot_default_domains);
	return pilot_default_domains;
}

/*
 * The Dutch name of a domain: its label when it is one of the default
 * domains, else (a configured one) its words with a capital, as
 * "sport-en-cultuur" gives "Sport en cultuur". Written into buf (size
 * bytes), which is returned.
 */
const char *
pilot_domain_label(const char *slug, char *buf, size_t size)
{
	if (choice_valid(pilot_domain_choices, slug)) {
		snprintf(buf, size, "%s", choice_label(pilot_domain_choices,
		    slug));
		return buf;
	}
	snprintf(buf, size, "%s", slug);
	for (char *c = buf; *c != '\0'; c++)
		if (*c == '-')
			*c = ' ';
	if (*buf >= 'a' && *buf <= 'z')
		*buf = (char)(*buf - 'a' + 'A');
	return buf;
}

/* Number of characters (code points) of valid UTF-8. */
static size_t
pilot_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* A real calendar date, YYYY-MM-DD, from 1900 to 2199. */
bool
pilot_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d;
	char end;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return false;
	return true;
}

static bool
pilot_tag_valid(const char *t)
{
	size_t len = strlen(t);

	if (len == 0 || len > PILOT_TAG_MAX || t[0] == '-' || t[len - 1] == '-')
		return false;
	for (; *t != '\0'; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ||
		    *t == '-'))
			return false;
	return true;
}

static void
pilot_invalid(json_t *invalid, const char *name, const char *reason)
{
	json_array_append_new(invalid, json_pack("{s:s, s:s}", "name", name,
	    "reason", reason));
}

/*
 * A text field: required or not, at most max characters, and (single_line)
 * without line breaks or control characters; a text of several lines has
 * its line ends made LF (markdown_lf), the API's as much as a form's.
 * Returns a copy (caller frees) or NULL.
 */
static char *
pilot_text(json_t *in, const char *name, bool required, size_t min,
    size_t max, bool single_line, json_t *invalid)
{
	json_t *v = json_object_get(in, name);
	char *s, reason[128];
	size_t chars;

	if (v == NULL || json_is_null(v)) {
		if (required)
			pilot_invalid(invalid, name, "verplicht");
		return NULL;
	}
	if (!json_is_string(v)) {
		pilot_invalid(invalid, name, "moet tekst zijn");
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		pilot_invalid(invalid, name, "bevat een NUL-teken");
		return NULL;
	}
	s = xstrdup(json_string_value(v));
	if (!single_line)
		markdown_lf(s);
	chars = pilot_chars(s);
	if (chars < min || chars > max) {
		snprintf(reason, sizeof reason, "moet %zu tot %zu tekens zijn",
		    min, max);
		pilot_invalid(invalid, name, reason);
		free(s);
		return NULL;
	}
	for (const char *c = s; single_line && *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 && *c != '\t') {
			pilot_invalid(invalid, name, "mag geen regeleinden of "
			    "stuurtekens bevatten");
			free(s);
			return NULL;
		}
	}
	return s;
}

/* A field of a closed set; the allowed values are named in the reason. */
static char *
pilot_enum(json_t *in, const char *name, bool required,
    const struct choice *set, json_t *invalid)
{
	char *s = pilot_text(in, name, required, 1, 64, true, invalid);
	char *allowed, *reason;

	if (s != NULL && !choice_valid(set, s)) {
		allowed = choice_values_text(set);
		reason = xasprintf("moet %s zijn", allowed);
		pilot_invalid(invalid, name, reason);
		free(reason);
		free(allowed);
		free(s);
		return NULL;
	}
	return s;
}

/* A list of short strings; each checked by item_valid (or length only). */
static json_t *
pilot_list(json_t *in, const char *name, size_t item_max,
    bool (*item_valid)(const char *), const char *item_rule, json_t *invalid)
{
	json_t *v = json_object_get(in, name), *out, *item;
	size_t i;
	char reason[160];

	if (v == NULL || json_is_null(v))
		return json_array();
	if (!json_is_array(v) || json_array_size(v) > PILOT_LIST_MAX) {
		snprintf(reason, sizeof reason, "moet een lijst van hoogstens "
		    "%d zijn", PILOT_LIST_MAX);
		pilot_invalid(invalid, name, reason);
		return NULL;
	}
	out = json_array();
	json_array_foreach(v, i, item) {
		const char *s = json_string_value(item);
		bool dup = false;

		if (s == NULL || *s == '\0' || pilot_chars(s) > item_max ||
		    strlen(s) != json_string_length(item) ||
		    (item_valid != NULL && !item_valid(s))) {
			snprintf(reason, sizeof reason, "element %zu: %s", i + 1,
			    item_rule);
			pilot_invalid(invalid, name, reason);
			json_decref(out);
			return NULL;
		}
		for (size_t j = 0; j < json_array_size(out); j++)
			dup |= strcmp(json_string_value(json_array_get(out, j)),
			    s) == 0;
		if (!dup)
			json_array_append_new(out, json_string(s));
	}
	return out;
}

static bool
pilot_plain_valid(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return false;
	return true;
}

/*
 * Links to guideline revisions: [{slug, versie}], versie absent or null
 * for "the newest". Their existence is the caller's to check (a database
 * question). Returns a new array, or NULL after noting it invalid.
 */
static json_t *
pilot_guideline_links(json_t *in, json_t *invalid)
{
	json_t *v = json_object_get(in, "richtlijnen"), *out, *item;
	size_t i;

	if (v == NULL || json_is_null(v))
		return json_array();
	if (!json_is_array(v) || json_array_size(v) > PILOT_LIST_MAX) {
		pilot_invalid(invalid, "richtlijnen", "een lijst van hoogstens 20 "
		    "{slug, versie}");
		return NULL;
	}
	out = json_array();
	json_array_foreach(v, i, item) {
		const char *slug = json_string_value(json_object_get(item,
		    "slug"));
		json_t *versie = json_object_get(item, "versie");

		if (!json_is_object(item) || slug == NULL ||
		    !guideline_slug_valid(slug) || (versie != NULL &&
		    !json_is_null(versie) && (!json_is_integer(versie) ||
		    json_integer_value(versie) < 1))) {
			pilot_invalid(invalid, "richtlijnen", "elk element is "
			    "{\"slug\": ..., \"versie\": een nummer of null}");
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, json_pack("{s:s, s:O}", "slug", slug,
		    "versie", versie != NULL ? versie : json_null()));
	}
	return out;
}

static void
pilot_unknown_fields(json_t *in, json_t *invalid)
{
	static const char *const fields[] = { "titel", "samenvatting",
	    "domein", "status", "start", "einde", "vraag", "aanvrager",
	    "stakeholders", "tags", "contact", "zichtbaarheid", "voorbeeld",
	    "aanpak", "data", "resultaten", "lessen", "privacy", "richtlijnen",
	    "indicatoren" };
	const char *key;
	json_t *v;

	json_object_foreach(in, key, v) {
		if (!pilot_in(key, fields, nitems(fields)) &&
		    !pilot_in(key, pilot_readonly, nitems(pilot_readonly)))
			pilot_invalid(invalid, key, "onbekend veld");
	}
}

/*
 * The sections' Markdown against markdown_check(), one by one and all
 * together, before any of it is rendered; reasons go into invalid.
 */
static void
pilot_markdown_check(const struct pilot *p, json_t *invalid)
{
	size_t total = 0, len;
	char why[200], reason[256];

	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		len = strlen(p->md[i]);
		total += len;
		if (markdown_check(p->md[i], len, PILOT_SECTION_BYTES, why,
		    sizeof why) == -1)
			pilot_invalid(invalid, pilot_sections[i], why);
		else if (total > PILOT_MARKDOWN_BYTES && len > 0) {
			snprintf(reason, sizeof reason, "de vijf teksten "
			    "(aanpak, data, resultaten, lessen en privacy) "
			    "mogen samen hoogstens %d kB zijn (nu %zu kB)",
			    PILOT_MARKDOWN_BYTES / 1000, (total + 999) / 1000);
			pilot_invalid(invalid, pilot_sections[i], reason);
			return;
		}
	}
}

/*
 * Fill p's content from input JSON, validating every field; invalid ones
 * are appended to invalid. Renders the Markdown sections. Returns 0, or -1
 * when anything was invalid (p is then freed). Identity fields (id, origin,
 * gemeente, versie, times) are left as they are in p.
 */
int
pilot_from_json(struct pilot *p, json_t *in, const struct strlist *domains,
    json_t *invalid)
{
	size_t before = json_array_size(invalid);
	json_t *v;
	char allowed[512];
	size_t ndom;
	const char *const *doms = pilot_domains(domains, &ndom);

	pilot_unknown_fields(in, invalid);
	p->titel = pilot_text(in, "titel", true, PILOT_TITLE_MIN,
	    PILOT_TITLE_MAX, true, invalid);
	p->samenvatting = pilot_text(in, "samenvatting", true, 1,
	    PILOT_SUMMARY_MAX, false, invalid);
	allowed[0] = '\0';
	for (size_t i = 0; i < ndom && strlen(allowed) + 64 < sizeof allowed;
	    i++) {
		strcat(allowed, i == 0 ? "" : ", ");
		strcat(allowed, doms[i]);
	}
	p->domein = pilot_text(in, "domein", true, 1, 64, true, invalid);
	if (p->domein != NULL && !pilot_domain_valid(domains, p->domein)) {
		char reason[600];

		snprintf(reason, sizeof reason, "moet een van deze zijn: %s",
		    allowed);
		pilot_invalid(invalid, "domein", reason);
	}
	p->status = pilot_enum(in, "status", true, pilot_statuses, invalid);
	p->zichtbaarheid = pilot_enum(in, "zichtbaarheid", false,
	    pilot_visibilities, invalid);
	/* Not given, or null (as for every field): the default, never none. */
	v = json_object_get(in, "zichtbaarheid");
	if (p->zichtbaarheid == NULL && (v == NULL || json_is_null(v)))
		p->zichtbaarheid = xstrdup(PILOT_VISIBILITY_DEFAULT);
	p->aanvrager = pilot_enum(in, "aanvrager", false, pilot_requesters,
	    invalid);
	/* One reason for every wrong date, its length included. */
	p->start = pilot_text(in, "start", false, 1, 64, true, invalid);
	if (p->start != NULL && !pilot_date_valid(p->start))
		pilot_invalid(invalid, "start", "een datum als 2024-03-01");
	p->einde = pilot_text(in, "einde", false, 1, 64, true, invalid);
	if (p->einde != NULL && !pilot_date_valid(p->einde))
		pilot_invalid(invalid, "einde", "een datum als 2024-03-01");
	else if (p->einde != NULL && p->start != NULL &&
	    pilot_date_valid(p->start) && strcmp(p->einde, p->start) < 0)
		pilot_invalid(invalid, "einde", "ligt voor de start");
	p->vraag = pilot_text(in, "vraag", true, 1, PILOT_QUESTION_MAX, false,
	    invalid);
	p->contact = pilot_text(in, "contact", false, 0, PILOT_CONTACT_MAX, true,
	    invalid);
	p->stakeholders = pilot_list(in, "stakeholders", PILOT_STAKEHOLDER_MAX,
	    pilot_plain_valid, "tekst van hoogstens 60 tekens", invalid);
	p->tags = pilot_list(in, "tags", PILOT_TAG_MAX, pilot_tag_valid,
	    "kleine letters, cijfers en streepjes, hoogstens 40", invalid);
	p->richtlijnen = pilot_guideline_links(in, invalid);
	p->indicatoren = pilot_list(in, "indicatoren", 64, indicator_id_valid,
	    "namen van indicatoren, zoals herkomst-nederland", invalid);
	v = json_object_get(in, "voorbeeld");
	if (v != NULL && !json_is_boolean(v) && !json_is_null(v))
		pilot_invalid(invalid, "voorbeeld", "true of false");
	p->voorbeeld = json_is_true(v);
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		p->md[i] = pilot_text(in, pilot_sections[i], false, 0,
		    PILOT_SECTION_MAX, false, invalid);
		if (p->md[i] == NULL)
			p->md[i] = xstrdup("");
	}
	pilot_markdown_check(p, invalid);
	if (json_array_size(invalid) > before) {
		pilot_free(p);
		return -1;
	}
	if (p->contact == NULL)
		p->contact = xstrdup("");
	for (int i = 0; i < PILOT_NSECTIONS; i++)
		p->html[i] = markdown_render(p->md[i], strlen(p->md[i]));
	return 0;
}

/*
 * One section's Markdown as a preview shows it: as pilot_from_json() would
 * store it (line ends LF, the same caps, the same safe renderer), whether
 * or not the rest of the pilot is valid yet. *total counts the bytes of
 * the sections so far (start it at 0), so that a preview renders no more
 * than a save would. Returns the HTML (caller frees), or NULL when the
 * text is past its caps (the form says why).
 */
char *
pilot_section_preview(const char *md, size_t *total)
{
	char *s = xstrdup(md), *html = NULL;
	size_t len;

	markdown_lf(s);
	len = strlen(s);
	*total += len;
	if (*total <= PILOT_MARKDOWN_BYTES &&
	    markdown_check(s, len, PILOT_SECTION_BYTES, NULL, 0) == 0)
		html = markdown_render(s, len);
	free(s);
	return html;
}

/* The editable fields as input JSON (for PATCH: merge, then validate). */
json_t *
pilot_input_json(const struct pilot *p)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:s, "
	    "s:b}", "titel", p->titel, "samenvatting", p->samenvatting,
	    "domein", p->domein, "status", p->status, "vraag", p->vraag,
	    "zichtbaarheid", p->zichtbaarheid, "stakeholders", p->stakeholders,
	    "tags", p->tags, "contact", p->contact, "voorbeeld", p->voorbeeld);

	json_object_set_new(o, "start", p->start ? json_string(p->start) :
	    json_null());
	json_object_set_new(o, "einde", p->einde ? json_string(p->einde) :
	    json_null());
	json_object_set_new(o, "aanvrager", p->aanvrager ?
	    json_string(p->aanvrager) : json_null());
	json_object_set(o, "richtlijnen", p->richtlijnen != NULL ?
	    p->richtlijnen : json_array());
	json_object_set(o, "indicatoren", p->indicatoren != NULL ?
	    p->indicatoren : json_array());
	for (int i = 0; i < PILOT_NSECTIONS; i++)
		json_object_set_new(o, pilot_sections[i], json_string(p->md[i]));
	return o;
}

/*
 * The public JSON of a pilot. g is the municipality's JSON (borrowed) for
 * its name, province and size class; NULL leaves them out.
 */
json_t *
pilot_json(const struct pilot *p, json_t *g)
{
	json_t *o = pilot_input_json(p);
	char href[96];

	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "origin", json_string(p->origin));
	json_object_set_new(o, "gemeente", json_string(p->gemeente));
	if (g != NULL) {
		json_object_set(o, "gemeenteNaam", json_object_get(g, "naam"));
		json_object_set(o, "provincie", json_object_get(g, "provincie"));
		json_object_set(o, "grootteklasse",
		    json_object_get(g, "grootteklasse"));
	}
	json_object_set_new(o, "versie", json_integer(p->versie));
	json_object_set_new(o, "aangemaakt", clock_json(p->aangemaakt));
	json_object_set_new(o, "gewijzigd", clock_json(p->gewijzigd));
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		char key[32];

		snprintf(key, sizeof key, "%sHtml", pilot_sections[i]);
		json_object_set_new(o, key, json_string(p->html[i] != NULL ?
		    p->html[i] : ""));
	}
	snprintf(href, sizeof href, "/api/v1/pilots/%s", p->id);
	json_object_set_new(o, "_links", json_pack("{s:{s:s}, s:{s:s}}",
	    "self", "href", href, "html", "href", href + 7));
	return o;
}

/* The ETag of a pilot's version: strong, from its id and versie. */
void
pilot_etag(const struct pilot *p, char out[64])
{
	snprintf(out, 64, "\"%.8s-%ld\"", p->id, p->versie);
}

/*
 * dst gets src's identity (id, municipality, version, times) and no
 * content: for a new version of src. Nothing is shared with src.
 */
void
pilot_identity(struct pilot *dst, const struct pilot *src)
{
	*dst = *src;
	dst->titel = dst->samenvatting = dst->domein = dst->status = NULL;
	dst->start = dst->einde = dst->vraag = dst->aanvrager = NULL;
	dst->contact = dst->zichtbaarheid = NULL;
	dst->stakeholders = dst->tags = dst->richtlijnen = NULL;
	dst->indicatoren = NULL;
	memset(dst->md, 0, sizeof dst->md);
	memset(dst->html, 0, sizeof dst->html);
}

void
pilot_free(struct pilot *p)
{
	free(p->titel);
	free(p->samenvatting);
	free(p->domein);
	free(p->status);
	free(p->start);
	free(p->einde);
	free(p->vraag);
	free(p->aanvrager);
	free(p->contact);
	free(p->zichtbaarheid);
	json_decref(p->stakeholders);
	json_decref(p->tags);
	json_decref(p->richtlijnen);
	json_decref(p->indicatoren);
	for (int i = 0; i < PILOT_NSECTIONS; i++) {
		free(p->md[i]);
		free(p->html[i]);
	}
	/* Keep identity; clear content pointers. */
	p->titel = p->samenvatting = p->domein = p->status = NULL;
	p->start = p->einde = p->vraag = p->aanvrager = NULL;
	p->contact = p->zichtbaarheid = NULL;
	p->stakeholders = p->tags = p->richtlijnen = p->indicatoren = NULL;
	memset(p->md, 0, sizeof p->md);
	memset(p->html, 0, sizeof p->html);
}
