/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The municipality pages: /gemeenten (find one by name, filter by province
 * and size class, in pages) and /gemeenten/{code} (its facts, its pilots,
 * the guidelines it maintains and follows, its published datasets, and
 * where it stands on key indicators against municipalities of its size).
 * They read through the same filters and the same answer as the API
 * (model_municipalities_*), and work without JavaScript: lists, not wide
 * tables, so that they fit a 320 px screen.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/* A field's error next to it, and the attributes that point to it. */
static void
web_municipalities_field_error(struct req *r, struct evbuffer *b,
    const char *name)
{
	const char *why = req_invalid_reason(r->invalid, name);

	if (why != NULL)
		html_out(b, "<span class=\"error\" id=\"%s-fout\">%s</span>"
		    "<br>", name, why);
}

static void
web_municipalities_invalid_attr(struct req *r, struct evbuffer *b,
    const char *name)
{
	if (req_invalid_reason(r->invalid, name) != NULL)
		html_out(b, " aria-invalid=\"true\" "
		    "aria-describedby=\"%s-fout\"", name);
}

/*
 * The filter form (GET), keeping what was asked: q as typed, province and
 * size class as selected (the checked values, f).
 */
static void
web_municipalities_form(struct req *r, struct evbuffer *b,
    const struct municipality_filter *f, json_t *provinces)
{
	const char *q = req_query(r, "q");
	json_t *p;
	size_t i;

	html_out(b, "<form class=\"filters\" method=\"get\" "
	    "action=\"/gemeenten\" role=\"search\">\n<p><label for=\"q\">Naam "
	    "van de gemeente</label><br>");
	web_municipalities_field_error(r, b, "q");
	html_out(b, "<input id=\"q\" name=\"q\" type=\"search\" "
	    "maxlength=\"%d\" value=\"%s\"", MODEL_MUNICIPALITIES_Q_MAX, q);
	web_municipalities_invalid_attr(r, b, "q");
	html_out(b, "></p>\n<p><label for=\"provincie\">Provincie</label><br>");
	web_municipalities_field_error(r, b, "provincie");
	html_out(b, "<select id=\"provincie\" name=\"provincie\"");
	web_municipalities_invalid_attr(r, b, "provincie");
	html_out(b, ">\n<option value=\"\">alle</option>\n");
	json_array_foreach(provinces, i, p) {
		const char *v = json_string_value(p);

		html_out(b, "<option value=\"%s\"", v);
		html_attr_if(b, f->provincie != NULL &&
		    strcmp(f->provincie, v) == 0, " selected");
		html_out(b, ">%s</option>\n", v);
	}
	html_out(b, "</select></p>\n<p><label for=\"grootteklasse\">Aantal "
	    "inwoners</label><br>");
	web_municipalities_field_error(r, b, "grootteklasse");
	html_out(b, "<select id=\"grootteklasse\" name=\"grootteklasse\"");
	web_municipalities_invalid_attr(r, b, "grootteklasse");
	html_out(b, ">\n<option value=\"\">alle</option>\n");
	for (i = 0; municipality_classes[i].value != NULL; i++) {
		html_out(b, "<option value=\"%s\"",
		    municipality_classes[i].value);
		html_attr_if(b, f->grootteklasse == (int)i + 1, " selected");
		html_out(b, ">%s inwoners</option>\n",
		    municipality_classes[i].label);
	}
	html_out(b, "</select></p>\n<p><button type=\"submit\">Zoeken</button>"
	    "</p>\n</form>\n");
}

/* What the 400 page says above the form: each problem, linked to its field. */
static void
web_municipalities_problems(struct req *r, struct evbuffer *b)
{
	static const char *const labels[][2] = {
		{ "q", "Naam van de gemeente" }, { "provincie", "Provincie" },
		{ "grootteklasse", "Aantal inwoners" }, { "lid", "Lid" },
		{ "page", "Pagina" }, { "pageSize", "Aantal per pagina" },
	};
	json_t *p;
	size_t i, j;

	html_out(b, "<div class=\"error-summary\" role=\"alert\" "
	    "tabindex=\"-1\"><h2>Pas uw zoekvraag aan</h2>\n<ul>\n");
	json_array_foreach(r->invalid, i, p) {
		const char *name, *why;

		name = json_string_value(json_object_get(p, "name"));
		why = json_string_value(json_object_get(p, "reason"));

		for (j = 0; j < nitems(labels); j++)
			if (strcmp(labels[j][0], name) == 0)
				break;
		if (j < 3)
			html_out(b, "<li><a href=\"#%s\">%s: %s</a></li>\n",
			    name, labels[j][1], why);
		else
			html_out(b, "<li>%s: %s</li>\n", j < nitems(labels) ?
			    labels[j][1] : name, why);
	}
	html_out(b, "</ul></div>\n");
}

/*
 * A link to the list with the filters of f but the one named without
 * (page and pageSize are dropped: the list starts again).
 */
static void
web_municipalities_without(struct evbuffer *b,
    const struct municipality_filter *f, const char *without,
    const char *label)
{
	const char *sep = "?";

	html_out(b, "<a href=\"/gemeenten");
	if (f->q != NULL && strcmp(without, "q") != 0) {
		html_out(b, "%sq=", sep);
		html_url_value(b, f->q);
		sep = "&";	/* %s escapes it */
	}
	if (f->provincie != NULL && strcmp(without, "provincie") != 0) {
		html_out(b, "%sprovincie=", sep);
		html_url_value(b, f->provincie);
		sep = "&";	/* %s escapes it */
	}
	if (f->grootteklasse > 0 && strcmp(without, "grootteklasse") != 0)
		html_out(b, "%sgrootteklasse=%d", sep, f->grootteklasse);
	html_out(b, "\" aria-label=\"Filter %s weghalen\">weghalen</a>", label);
}

/* The filters in use, each with a link that removes it. */
static void
web_municipalities_active(struct evbuffer *b,
    const struct municipality_filter *f)
{
	if (f->q == NULL && f->provincie == NULL && f->grootteklasse == 0)
		return;
	html_out(b, "<h2 id=\"meent-filters\">Gekozen filters</h2>\n"
	    "<ul class=\"inline\" aria-labelledby=\"meent-filters\">\n");
	if (f->q != NULL) {
		html_out(b, "<li>Naam bevat ‘%s’ (", f->q);
		web_municipalities_without(b, f, "q", "naam");
		html_out(b, ")</li>\n");
	}
	if (f->provincie != NULL) {
		html_out(b, "<li>Provincie %s (", f->provincie);
		web_municipalities_without(b, f, "provincie", "provincie");
		html_out(b, ")</li>\n");
	}
	if (f->grootteklasse > 0) {
		html_out(b, "<li>%s inwoners (", municipality_class_label(
		    f->grootteklasse));
		web_municipalities_without(b, f, "grootteklasse",
		    "aantal inwoners");
		html_out(b, ")</li>\n");
	}
	html_out(b, "<li><a href=\"/gemeenten\">Alle filters weghalen</a>"
	    "</li>\n</ul>\n");
}

/* One municipality in the list: its name (linked), province, size. */
static void
web_municipalities_card(struct evbuffer *b, json_t *g)
{
	char n[32];

	nl_count(n, sizeof n, (long)json_integer_value(
	    json_object_get(g, "inwoners")));
	html_out(b, "<li class=\"pilot\"><h3><a href=\"/gemeenten/%s\">%s</a>"
	    "</h3>\n<p class=\"meta\">%s · %s inwoners · grootteklasse %s"
	    "</p></li>\n", json_string_value(json_object_get(g, "code")),
	    json_string_value(json_object_get(g, "naam")),
	    json_string_value(json_object_get(g, "provincie")), n,
	    json_string_value(json_object_get(g, "grootteklasseTekst")));
}

void
web_municipalities_list(struct req *r)
{
	struct municipality_filter f;
	struct evbuffer *b;
	json_t *provinces, *items = NULL, *g;
	char prov[64];
	long total = 0;
	int page, page_size, rc, status = 200;
	size_t i;

	req_page(r, &page, &page_size);
	rc = model_municipalities_filter(r, &f, prov, sizeof prov);
	if (rc == MEENT_ERR || (provinces = municipality_provinces(r->db)) ==
	    NULL) {
		reply_db_failed(r, "De gemeenten konden niet gelezen worden.");
		return;
	}
	f.by_name = true;
	if (req_has_invalid(r))
		status = 400;
	else if (model_municipalities_list(r, &f, page, page_size, &total,
	    &items) != 0) {
		json_decref(provinces);
		reply_db_failed(r, "De gemeenten konden niet gelezen worden.");
		return;
	}
	b = evbuffer_new();
	web_page_start(r, b, status == 200 ? "Gemeenten" : "Fout: gemeenten");
	html_out(b, "<h1>Gemeenten</h1>\n<p class=\"lead\">Zoek een gemeente "
	    "en zie wat zij hier deelt: pilots, richtlijnen en datasets, en "
	    "hoe zij ervoor staat naast gemeenten van dezelfde grootte.</p>\n");
	if (status != 200)
		web_municipalities_problems(r, b);
	web_municipalities_form(r, b, &f, provinces);
	if (items != NULL) {
		web_municipalities_active(b, &f);
		char found[NL_COUNTED_MAX];

		html_out(b, "<h2>%s gevonden</h2>\n", nl_counted(found,
		    sizeof found, total, "gemeente", "gemeenten"));
		if (total > 0) {
			html_out(b, "<ul class=\"pilots\">\n");
			json_array_foreach(items, i, g)
				web_municipalities_card(b, g);
			html_out(b, "</ul>\n");
		} else
			html_out(b, "<p>Geen gemeente past bij deze filters. "
			    "Haal een filter weg of zoek op een deel van de "
			    "naam.</p>\n");
		web_page_pager(r, b, page, page_size, total);
	}
	web_page_end(b);
	web_page_reply(r, status, b);
	evbuffer_free(b);
	json_decref(items);
	json_decref(provinces);
}

/* The facts: province, inhabitants (with their year), size class. */
static void
web_municipalities_facts(struct evbuffer *b, json_t *g)
{
	char n[32];

	nl_count(n, sizeof n, (long)json_integer_value(
	    json_object_get(g, "inwoners")));
	html_out(b, "<dl class=\"facts\">\n<dt>Provincie</dt><dd>%s</dd>\n"
	    "<dt>Inwoners</dt><dd>%s (1 januari %ld)</dd>\n"
	    "<dt>Grootteklasse</dt><dd>%s (klasse %ld van 8)</dd>\n"
	    "<dt>Gemeentecode</dt><dd>%s</dd>\n</dl>\n",
	    json_string_value(json_object_get(g, "provincie")), n,
	    (long)json_integer_value(json_object_get(g, "inwonersJaar")),
	    json_string_value(json_object_get(g, "grootteklasseTekst")),
	    (long)json_integer_value(json_object_get(g, "grootteklasse")),
	    json_string_value(json_object_get(g, "code")));
}

/* Its pilots (those the viewer may see), and where to find more. */
static void
web_municipalities_pilots(struct evbuffer *b, json_t *g, const char *naam)
{
	json_t *pilots = json_object_get(g, "pilots"), *p;
	json_t *items = json_object_get(pilots, "items");
	long total = (long)json_integer_value(json_object_get(pilots,
	    "totaal"));
	const char *code = json_string_value(json_object_get(g, "code"));
	size_t i;
	char count[NL_NUMBER_MAX];

	html_out(b, "<h2>Pilots</h2>\n");
	if (total == 0)
		html_out(b, "<p>%s heeft hier nog geen pilots gedeeld.</p>\n",
		    naam);
	else {
		html_out(b, "<ul>\n");
		json_array_foreach(items, i, p) {
			html_out(b, "<li><a href=\"/pilots/%s\">%s</a>",
			    json_string_value(json_object_get(p, "id")),
			    json_string_value(json_object_get(p, "titel")));
			if (strcmp(json_string_value(json_object_get(p,
			    "zichtbaarheid")), "openbaar") != 0)
				html_out(b, " (%s)", strcmp(json_string_value(
				    json_object_get(p, "zichtbaarheid")),
				    "concept") == 0 ? "concept" : "alleen voor "
				    "ingelogde gebruikers");
			html_out(b, "</li>\n");
		}
		html_out(b, "</ul>\n");
		if ((size_t)total > json_array_size(items))
			html_out(b, "<p><a href=\"/pilots?gemeente=%s\">"
			    "Alle pilots van %s (%s)</a></p>\n", code, naam,
			    nl_count(count, sizeof count, total));
	}
	html_out(b, "<p><a href=\"/pilots?grootteklasse=%ld\">Pilots van "
	    "gemeenten met %s</a></p>\n", (long)json_integer_value(
	    json_object_get(g, "grootteklasse")), json_string_value(
	    json_object_get(g, "grootteklasseTekst")));
}

/* The guidelines it maintains or follows, under heading title. */
static void
web_municipalities_guidelines(struct evbuffer *b, json_t *list,
    const char *title, const char *none)
{
	json_t *l;
	size_t i;

	html_out(b, "<h2>%s</h2>\n", title);
	if (json_array_size(list) == 0) {
		html_out(b, "<p>%s</p>\n", none);
		return;
	}
	html_out(b, "<ul>\n");
	json_array_foreach(list, i, l) {
		json_t *v = json_object_get(l, "gevolgdeVersie");

		html_out(b, "<li><a href=\"/richtlijnen/%s\">%s</a>",
		    json_string_value(json_object_get(l, "slug")),
		    json_string_value(json_object_get(l, "titel")));
		if (json_is_integer(v))
			html_out(b, " (volgt versie %ld)",
			    (long)json_integer_value(v));
		html_out(b, "</li>\n");
	}
	html_out(b, "</ul>\n");
}

/*
 * Its published datasets, each by its indicator's name (indicators:
 * indicator_list(), or NULL for the ids) and its period in words.
 */
static void
web_municipalities_datasets(struct evbuffer *b, json_t *list,
    const char *naam, json_t *indicators)
{
	json_t *d, *ind;
	size_t i, k;
	char period[64];

	html_out(b, "<h2>Gepubliceerde datasets</h2>\n");
	if (json_array_size(list) == 0) {
		html_out(b, "<p>%s heeft hier nog geen datasets gepubliceerd."
		    "</p>\n", naam);
		return;
	}
	html_out(b, "<ul>\n");
	json_array_foreach(list, i, d) {
		const char *id = json_string_value(json_object_get(d,
		    "indicator")), *name = id;

		json_array_foreach(indicators, k, ind)
			if (id != NULL && strcmp(json_string_value(
			    json_object_get(ind, "id")), id) == 0)
				name = json_string_value(json_object_get(ind,
				    "naam"));
		html_out(b, "<li><a href=\"/datasets/%s\">%s, %s</a></li>\n",
		    json_string_value(json_object_get(d, "id")), name,
		    nl_period(period, sizeof period, json_string_value(
		    json_object_get(d, "periode"))));
	}
	html_out(b, "</ul>\n");
}

/* One key indicator: its value next to the size class's median. */
static void
web_municipalities_position(struct evbuffer *b, json_t *e, const char *naam)
{
	json_t *v = json_object_get(e, "waarde");
	json_t *med = json_object_get(e, "groepMediaan");
	const char *bron = json_string_value(json_object_get(e, "bron"));
	char own[32], mid[32], period[64];

	html_out(b, "<li><h3>%s</h3>\n<p>", json_string_value(json_object_get(e,
	    "naam")));
	if (!json_is_number(v)) {
		html_out(b, "Van %s is geen waarde bekend.", naam);
	} else {
		double x = json_number_value(v);

		chart_number(own, sizeof own, x);
		html_out(b, "%s (%s): <strong>%s</strong> %s.", naam,
		    nl_period(period, sizeof period, json_string_value(
		    json_object_get(e, "periode"))), own,
		    json_string_value(json_object_get(e, "eenheid")));
		if (json_is_number(med)) {
			double m = json_number_value(med);

			chart_number(mid, sizeof mid, m);
			html_out(b, " De mediaan van gemeenten van dezelfde "
			    "grootte is %s: %s is %s.", mid, naam, x > m ?
			    "hoger" : x < m ? "lager" : "gelijk");
		}
		html_out(b, " <a href=\"%s\" aria-label=\"Vergelijk %s\">"
		    "Vergelijk</a>", json_string_value(json_object_get(
		    json_object_get(json_object_get(e, "_links"), "html"),
		    "href")), json_string_value(json_object_get(e, "naam")));
	}
	html_out(b, "</p>\n");
	if (bron != NULL && strstr(bron, "CBS") != NULL)
		html_out(b, "<p class=\"meta\">Bron: CBS</p>\n");
	html_out(b, "</li>\n");
}

static void
web_municipalities_positions(struct evbuffer *b, json_t *g, const char *naam)
{
	json_t *list = json_object_get(g, "indicatoren"), *e;
	size_t i;

	if (json_array_size(list) == 0)
		return;
	html_out(b, "<h2>Hoe staat %s ervoor?</h2>\n<p>Vergeleken met "
	    "gemeenten met %s, in het laatste jaar waarvan %s een "
	    "cijfer heeft. Hoger is niet altijd beter of slechter.</p>\n"
	    "<ul class=\"pilots\">\n", naam, json_string_value(
	    json_object_get(g, "grootteklasseTekst")), naam);
	json_array_foreach(list, i, e)
		web_municipalities_position(b, e, naam);
	html_out(b, "</ul>\n");
}

/*
 * The page of one municipality. Anonymous visitors share one cached copy
 * (as a pilot's page): a signed-in page has the session's form and may
 * list members-only pilots.
 */
void
web_municipalities_show(struct req *r)
{
	unsigned long gen = cache_generation_now();
	bool anonymous = r->who.kind == PRINCIPAL_ANONYMOUS;
	const char *code = r->params[0], *naam, *cached;
	struct contact_query cq = { .gemeente = code, .page = 1,
	    .page_size = 50 };
	struct cache_meta meta;
	struct evbuffer *b;
	char key[48];
	size_t len;
	json_t *g, *indicators, *contacts;
	long ncontacts;

	snprintf(key, sizeof key, "GH|%.8s", code);
	if (anonymous && strlen(code) == 6 &&
	    (cached = cache_get(r->db, key, &len, &meta)) != NULL) {
		web_page_cached(r, cached, len, &meta);
		return;
	}
	switch (model_municipalities_get(r, code, &g)) {
	case MEENT_OK:
		break;
	case MEENT_INVALID:
	case MEENT_NOTFOUND:
		/* A malformed code names no municipality either. */
		json_decref(r->invalid);
		r->invalid = NULL;
		reply_problem(r, 404, "Niet gevonden", "Er is geen gemeente "
		    "met deze code. Zoek de gemeente op naam.");
		return;
	case MEENT_INTERRUPTED:
		reply_problem(r, 503, "Tijdelijk niet beschikbaar",
		    MODEL_PILOTS_TOO_LONG);
		return;
	default:
		reply_db_failed(r, "De gemeente kon niet gelezen worden.");
		return;
	}
	if ((indicators = indicator_list(r->db)) == NULL) {
		json_decref(g);
		reply_db_failed(r, "De gemeente kon niet gelezen worden.");
		return;
	}
	cq.member = model_pilots_member(r);
	cq.own = model_pilots_own(r);
	if (model_contacts_list(r, &cq, &contacts, &ncontacts) != 0) {
		json_decref(indicators);
		json_decref(g);
		reply_db_failed(r, "De contactpersonen konden niet gelezen "
		    "worden.");
		return;
	}
	naam = json_string_value(json_object_get(g, "naam"));
	b = evbuffer_new();
	web_page_start(r, b, naam);
	html_out(b, "<h1>%s</h1>\n", naam);
	web_municipalities_facts(b, g);
	web_municipalities_pilots(b, g, naam);
	web_municipalities_guidelines(b, json_object_get(g,
	    "richtlijnenBeheerd"), "Richtlijnen die deze gemeente beheert",
	    "Deze gemeente beheert geen richtlijnen.");
	web_municipalities_guidelines(b, json_object_get(g,
	    "richtlijnenGevolgd"), "Richtlijnen die deze gemeente volgt",
	    "Deze gemeente volgt nog geen richtlijnen.");
	web_municipalities_datasets(b, json_object_get(g, "datasets"), naam,
	    indicators);
	web_municipalities_positions(b, g, naam);
	web_contacts_municipality(r, b, code, contacts, ncontacts);
	html_out(b, "<p><a href=\"/gemeenten\">Alle gemeenten</a> · "
	    "<a href=\"/api/v1/gemeenten/%s\">Deze gegevens als JSON</a></p>\n",
	    code);
	web_page_end(b);
	if (anonymous)
		web_page_keep(r, key, b, gen);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(indicators);
	json_decref(g);
	json_decref(contacts);
}
