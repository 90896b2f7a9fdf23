/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /api/v1/richtlijnen: shared guidelines. Any editor creates one (its
 * municipality becomes the first maintainer); maintainers write revisions,
 * naming the revision they started from (a stale base is merged, or 409);
 * any member municipality proposes a change, which maintainers accept (a
 * revision crediting the proposer) or reject with a reason; any
 * municipality declares that it follows a guideline.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

/* A string field of body: required or not, 1..max characters. */
static const char *
api_guidelines_field(struct req *r, json_t *body, const char *name,
    bool required, size_t max)
{
	json_t *v = json_object_get(body, name);
	const char *s;
	size_t chars = 0;

	if (v == NULL || json_is_null(v)) {
		if (required)
			req_invalid(r, name, "verplicht");
		return NULL;
	}
	if (!json_is_string(v)) {
		req_invalid(r, name, "moet tekst zijn");
		return NULL;
	}
	s = json_string_value(v);
	for (const char *c = s; *c != '\0'; c++)
		chars += ((unsigned char)*c & 0xc0) != 0x80;
	if (chars == 0 || chars > max || strlen(s) != json_string_length(v)) {
		req_invalid(r, name, "moet 1 tot %zu tekens zijn", max);
		return NULL;
	}
	return s;
}

/* The Markdown of a revision or proposal: required, bounded, clean. */
static const char *
api_guidelines_text(struct req *r, json_t *body)
{
	json_t *v = json_object_get(body, "tekst");
	char why[200];

	if (!json_is_string(v)) {
		req_invalid(r, "tekst", "verplicht: de Markdown van de richtlijn");
		return NULL;
	}
	if (!guideline_text_valid(json_string_value(v), json_string_length(v),
	    why, sizeof why)) {
		req_invalid(r, "tekst", "%s", why);
		return NULL;
	}
	return json_string_value(v);
}

static long
api_guidelines_basis(struct req *r, json_t *body)
{
	json_t *v = json_object_get(body, "basis");

	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		req_invalid(r, "basis", "verplicht: het nummer van de versie "
		    "waarop u voortbouwt");
		return 0;
	}
	return (long)json_integer_value(v);
}

static int
api_guidelines_load_local(struct req *r, struct guideline *g)
{
	if (model_guidelines_load(r, g) == -1)
		return -1;
	return model_guidelines_refuse_foreign(r, g);
}

/* Only maintainers: replies 403 otherwise (or the database's failure). */
static int
api_guidelines_maintainer(struct req *r, const struct guideline *g)
{
	switch (guideline_store_is_maintainer(r->db, g->pk, r->who.gemeente)) {
	case 1:
		return 0;
	case 0:
		reply_problem(r, 403, "Verboden", "Alleen de beheerders van "
		    "deze richtlijn kunnen dit; doe een voorstel.");
		return -1;
	default:
		reply_db_failed(r, "De beheerders konden niet gelezen worden.");
		return -1;
	}
}

/*
 * Answer status with the head of g (written: read back after a write), or
 * the database's failure when it cannot be read.
 */
static void
api_guidelines_reply_head(struct req *r, int status, struct guideline *g,
    bool written)
{
	json_t *head = model_guidelines_head(r, g);

	if (head == NULL) {
		reply_db_failed(r, written ? "De richtlijn is opgeslagen, maar "
		    "kon niet opnieuw gelezen worden." : "De richtlijn kon niet "
		    "gelezen worden.");
		return;
	}
	reply_json(r, status, head);
}

void
api_guidelines_list(struct req *r)
{
	int page, page_size;
	long total;
	json_t *items;

	if (req_page(r, &page, &page_size) == -1) {
		reply_invalid(r);
		return;
	}
	items = guideline_store_list(r->db, page, page_size, &total);
	if (items == NULL) {
		reply_db_failed(r, "De richtlijnen konden niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:o, s:I, s:i, s:i, s:o}", "_links",
	    req_links(r, page, page_size, total), "totaal", (json_int_t)total,
	    "page", page, "pageSize", page_size, "richtlijnen", items));
}

void
api_guidelines_get(struct req *r)
{
	struct guideline g;

	if (model_guidelines_load(r, &g) == 0)
		api_guidelines_reply_head(r, 200, &g, false);
}

void
api_guidelines_create(struct req *r)
{
	struct guideline g;
	struct revision rev = { 0 };
	const char *slug, *titel, *tekst, *bericht;
	json_t *body;
	char location[128];
	int rc;

	if (api_body_json(r, &body) == -1)
		return;
	slug = api_guidelines_field(r, body, "slug", true,
	    GUIDELINE_SLUG_MAX);
	if (slug != NULL && !guideline_slug_valid(slug))
		req_invalid(r, "slug", "3 tot 80 kleine letters, cijfers en "
		    "streepjes");
	titel = api_guidelines_field(r, body, "titel", true,
	    GUIDELINE_TITLE_MAX);
	tekst = api_guidelines_text(r, body);
	bericht = api_guidelines_field(r, body, "bericht", false,
	    GUIDELINE_MESSAGE_MAX);
	if (req_has_invalid(r)) {
		json_decref(body);
		reply_invalid(r);
		return;
	}
	memset(&g, 0, sizeof g);
	snprintf(g.slug, sizeof g.slug, "%s", slug);
	snprintf(g.titel, sizeof g.titel, "%s", titel);
	snprintf(g.origin, sizeof g.origin, "%s",
	    r->ctx->instance->uuid);
	snprintf(g.gemeente, sizeof g.gemeente, "%s", r->who.gemeente);
	g.aangemaakt = time(NULL);
	rev.tekst = tekst;
	rev.bericht = bericht != NULL ? bericht : "Eerste versie";
	rev.gemeente = r->who.gemeente;
	rev.aangemaakt = g.aangemaakt;
	rc = guideline_store_create(r->db, &g, &rev);
	json_decref(body);
	if (rc == MEENT_CONFLICT) {
		req_invalid(r, "slug", "bestaat al");
		reply_invalid(r);
		return;
	}
	if (rc != 0) {
		reply_db_failed(r, "De richtlijn kon niet opgeslagen worden.");
		return;
	}
	snprintf(location, sizeof location, "/api/v1/richtlijnen/%s", g.slug);
	reply_header(r, "Location",
	    location);
	api_guidelines_reply_head(r, 201, &g, true);
}

/* PUT: a maintainer renames it or changes the maintainers. */
void
api_guidelines_put(struct req *r)
{
	struct guideline g;
	json_t *body, *list, *v;
	const char *titel;
	size_t i;

	if (api_guidelines_load_local(r, &g) == -1 ||
	    api_guidelines_maintainer(r, &g) == -1 ||
	    api_body_json(r, &body) == -1)
		return;
	titel = api_guidelines_field(r, body, "titel", false,
	    GUIDELINE_TITLE_MAX);
	list = json_object_get(body, "beheerders");
	if (list != NULL && (!json_is_array(list) || json_array_size(list) ==
	    0 || json_array_size(list) > 50))
		req_invalid(r, "beheerders", "een lijst van 1 tot 50 "
		    "gemeentecodes");
	else if (list != NULL)
		json_array_foreach(list, i, v) {
			int known = json_is_string(v) &&
			    municipality_code_valid(json_string_value(v)) ?
			    municipality_exists(r->db, json_string_value(v)) : 0;

			if (known == -1) {
				json_decref(body);
				reply_db_failed(r, "De gemeenten konden niet "
				    "gelezen worden.");
				return;
			}
			if (known == 0)
				req_invalid(r, "beheerders", "element %zu is geen "
				    "bekende gemeentecode", i + 1);
		}
	if (req_has_invalid(r)) {
		json_decref(body);
		reply_invalid(r);
		return;
	}
	if (guideline_store_change(r->db, g.pk, titel, list) == -1) {
		json_decref(body);
		reply_db_failed(r, "De richtlijn kon niet opgeslagen worden.");
		return;
	}
	json_decref(body);
	if (guideline_store_get(r->db, g.slug, &g) != 0) {
		reply_db_failed(r, "De richtlijn is opgeslagen, maar kon niet "
		    "opnieuw gelezen worden.");
		return;
	}
	api_guidelines_reply_head(r, 200, &g, true);
}

void
api_guidelines_versies(struct req *r)
{
	struct guideline g;
	json_t *list;

	if (model_guidelines_load(r, &g) == -1)
		return;
	if ((list = guideline_store_revisions(r->db, g.pk)) == NULL) {
		reply_db_failed(r, "De versies konden niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:s, s:I, s:o}", "slug", g.slug,
	    "head", (json_int_t)g.head, "versies", list));
}

void
api_guidelines_versie(struct req *r)
{
	struct guideline g;
	json_t *rev = NULL;

	if (model_guidelines_load(r, &g) == -1 ||
	    model_guidelines_revision(r, &g, &rev) == -1)
		return;
	reply_json(r, 200, rev);
}

/* 409 with the head, the proposed text and the conflicting blocks. */
static void
api_guidelines_conflict(struct req *r, const struct guideline *g,
    const char *proposed, json_t *conflicts)
{
	json_t *head, *p;
	char *s;

	if (guideline_store_revision(r->db, g->pk, g->head, &head) != 0) {
		json_decref(conflicts);
		reply_db_failed(r, "De richtlijn kon niet gelezen worden.");
		return;
	}
	p = json_pack("{s:i, s:s, s:s, s:I, s:O, s:s, s:o}",
	    "status", 409, "title", "Conflict",
	    "detail", "De richtlijn is gewijzigd sinds uw basisversie, en op "
	    "dezelfde plaatsen. Er is niets opgeslagen; zie conflicten.",
	    "head", (json_int_t)g->head,
	    "headTekst", json_object_get(head, "tekst"),
	    "voorgesteldeTekst", proposed,
	    "conflicten", conflicts);
	s = json_dumps(p, JSON_COMPACT);
	reply_text(r, 409, "application/problem+json", s, strlen(s));
	free(s);
	json_decref(p);
	json_decref(head);
}

/* Reply to the outcome rc of writing rev on g (201, 400, 409, 500). */
static void
api_guidelines_written(struct req *r, struct guideline *g,
    struct revision *rev, int rc, json_t *conflicts)
{
	json_t *out;
	char location[160];

	if (rc == MEENT_NOTFOUND) {
		req_invalid(r, "basis", "versie %ld bestaat niet (de nieuwste is "
		    "%ld)", rev->basis, g->head);
		reply_invalid(r);
	} else if (rc == MEENT_INVALID) {
		req_invalid(r, "tekst", "samen met de wijzigingen sinds versie "
		    "%ld wordt de tekst te groot (hoogstens %d kB); maak hem "
		    "korter", rev->basis, GUIDELINE_TEXT_MAX / 1000);
		reply_invalid(r);
	} else if (rc == MEENT_CONFLICT) {
		api_guidelines_conflict(r, g, rev->tekst, conflicts);
	} else if (rc != 0) {
		reply_db_failed(r, "De versie kon niet opgeslagen worden.");
	} else {
		snprintf(location, sizeof location,
		    "/api/v1/richtlijnen/%s/versies/%ld", g->slug, rev->versie);
		reply_header(r, "Location", location);
		log_emit(LOG_INFO, "guideline.revise", "%s now version %ld%s",
		    g->slug, rev->versie, rev->samengevoegd ? " (merged)" : "");
		if (guideline_store_revision(r->db, g->pk, rev->versie, &out) !=
		    0)
			reply_db_failed(r, "De versie is opgeslagen, maar kon "
			    "niet opnieuw gelezen worden.");
		else
			reply_json(r, 201, out);
	}
	revision_free(rev);
}

/* POST /versies: a maintainer writes a revision on a named base. */
void
api_guidelines_revise(struct req *r)
{
	struct guideline g;
	struct revision rev = { 0 };
	json_t *body;

	if (api_guidelines_load_local(r, &g) == -1 ||
	    api_guidelines_maintainer(r, &g) == -1 ||
	    api_body_json(r, &body) == -1)
		return;
	rev.basis = api_guidelines_basis(r, body);
	rev.tekst = api_guidelines_text(r, body);
	rev.bericht = api_guidelines_field(r, body, "bericht", true,
	    GUIDELINE_MESSAGE_MAX);
	rev.gemeente = r->who.gemeente;
	if (req_has_invalid(r))
		reply_invalid(r);
	else {
		json_t *conflicts;
		int rc;

		rev.aangemaakt = time(NULL);
		rc = guideline_store_revise(r->db, &g, &rev, &conflicts);
		api_guidelines_written(r, &g, &rev, rc, conflicts);
	}
	json_decref(body);
}

void
api_guidelines_diff(struct req *r)
{
	struct guideline g;
	long van, tot;
	json_t *a = NULL, *b = NULL;
	char *diff, *html, na[32], nb[32];
	int ra, rb;

	if (model_guidelines_load(r, &g) == -1)
		return;
	van = req_query(r, "van") != NULL ? req_number(
	    req_query(r, "van")) : g.head > 1 ? g.head - 1 : 1;
	tot = req_query(r, "tot") != NULL ? req_number(
	    req_query(r, "tot")) : g.head;
	if (van < 1)
		req_invalid(r, "van", "een versienummer");
	if (tot < 1)
		req_invalid(r, "tot", "een versienummer");
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	ra = guideline_store_revision(r->db, g.pk, van, &a);
	rb = ra == -1 ? -1 : guideline_store_revision(r->db, g.pk, tot, &b);
	if (ra != 0 || rb != 0) {
		json_decref(a);
		json_decref(b);
		if (ra == -1 || rb == -1)
			reply_db_failed(r, "De versies konden niet gelezen "
			    "worden.");
		else
			reply_problem(r, 404, "Niet gevonden", "Richtlijn %s "
			    "heeft geen versie %ld.", g.slug, ra != 0 ? van :
			    tot);
		return;
	}
	snprintf(na, sizeof na, "versie %ld", van);
	snprintf(nb, sizeof nb, "versie %ld", tot);
	diff = merge_diff(json_string_value(json_object_get(a, "tekst")),
	    json_string_value(json_object_get(b, "tekst")), na, nb);
	html = merge_diff_html(diff != NULL ? diff : "");
	reply_json(r, 200, json_pack("{s:s, s:I, s:I, s:s, s:s}", "slug",
	    g.slug, "van", (json_int_t)van, "tot", (json_int_t)tot, "diff",
	    diff != NULL ? diff : "", "html", html));
	free(diff);
	free(html);
	json_decref(a);
	json_decref(b);
}

void
api_guidelines_voorstellen(struct req *r)
{
	struct guideline g;
	json_t *list;

	if (model_guidelines_load(r, &g) == -1)
		return;
	if ((list = guideline_store_proposals(r->db, g.pk)) == NULL) {
		reply_db_failed(r, "De voorstellen konden niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:s, s:o}", "slug", g.slug,
	    "voorstellen", list));
}

/* Any member municipality proposes a change. */
void
api_guidelines_propose(struct req *r)
{
	struct guideline g;
	struct revision rev = { 0 };
	json_t *body, *p;
	char location[160];
	long id;
	int rc;

	if (api_guidelines_load_local(r, &g) == -1 || api_body_json(r, &body) == -1)
		return;
	rev.basis = api_guidelines_basis(r, body);
	rev.tekst = api_guidelines_text(r, body);
	rev.bericht = api_guidelines_field(r, body, "bericht", true,
	    GUIDELINE_MESSAGE_MAX);
	rev.gemeente = r->who.gemeente;
	rev.aangemaakt = time(NULL);
	if (req_has_invalid(r)) {
		json_decref(body);
		reply_invalid(r);
		return;
	}
	rc = guideline_store_propose(r->db, &g, &rev, &id);
	json_decref(body);
	if (rc == MEENT_NOTFOUND) {
		req_invalid(r, "basis", "versie %ld bestaat niet", rev.basis);
		reply_invalid(r);
		return;
	}
	if (rc != 0) {
		reply_db_failed(r, "Het voorstel kon niet opgeslagen worden.");
		return;
	}
	snprintf(location, sizeof location,
	    "/api/v1/richtlijnen/%s/voorstellen/%ld", g.slug, id);
	reply_header(r, "Location",
	    location);
	if (guideline_store_proposal(r->db, g.pk, id, &p) != 0) {
		reply_db_failed(r, "Het voorstel is opgeslagen, maar kon niet "
		    "opnieuw gelezen worden.");
		return;
	}
	reply_json(r, 201, p);
}

void
api_guidelines_voorstel(struct req *r)
{
	struct guideline g;
	json_t *p = NULL;

	if (model_guidelines_load(r, &g) == -1 ||
	    model_guidelines_proposal(r, &g, &p) == -1)
		return;
	reply_json(r, 200, p);
}

/* A decision that was not taken: rc from the store (404, 409, 500). */
static void
api_guidelines_undecided(struct req *r, int rc)
{
	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Er is geen voorstel "
		    "%s.", r->params[1]);
	else if (rc == MEENT_CONFLICT)
		reply_problem(r, 409, "Al besloten", "Over dit voorstel is al "
		    "besloten.");
	else
		reply_db_failed(r, "Het besluit kon niet opgeslagen worden.");
}

/* PATCH a proposal: a maintainer accepts (a merged revision) or rejects. */
void
api_guidelines_decide(struct req *r)
{
	struct guideline g;
	struct revision rev = { 0 };
	const char *status, *reden;
	json_t *body, *p = NULL, *done;
	long id;
	int rc;

	/* Accepting credits the proposer: the revision is theirs. */

	if (api_guidelines_load_local(r, &g) == -1 ||
	    api_guidelines_maintainer(r, &g) == -1)
		return;
	if (model_guidelines_proposal(r, &g, &p) == -1)
		return;
	id = req_number(r->params[1]);
	if (strcmp(json_string_value(json_object_get(p, "status")), "open") !=
	    0) {
		json_decref(p);
		reply_problem(r, 409, "Al besloten", "Over dit voorstel is al "
		    "besloten.");
		return;
	}
	if (api_body_json(r, &body) == -1) {
		json_decref(p);
		return;
	}
	status = api_guidelines_field(r, body, "status", true, 16);
	reden = api_guidelines_field(r, body, "reden", false, 500);
	if (status != NULL && strcmp(status, "aanvaard") != 0 &&
	    strcmp(status, "afgewezen") != 0)
		req_invalid(r, "status", "aanvaard of afgewezen");
	if (status != NULL && strcmp(status, "afgewezen") == 0 && reden == NULL)
		req_invalid(r, "reden", "verplicht bij een afwijzing");
	if (req_has_invalid(r)) {
		reply_invalid(r);
	} else if (strcmp(status, "afgewezen") == 0) {
		rc = guideline_store_decide(r->db, g.pk, id, "afgewezen", reden,
		    0);
		if (rc != 0)
			api_guidelines_undecided(r, rc);
		else if (guideline_store_proposal(r->db, g.pk, id, &done) != 0)
			reply_db_failed(r, "Het besluit is opgeslagen, maar het "
			    "voorstel kon niet opnieuw gelezen worden.");
		else
			reply_json(r, 200, done);
	} else {
		json_t *conflicts;

		rc = guideline_store_accept(r->db, &g, id, &rev, &conflicts);
		if (rc == MEENT_NOTFOUND || (rc == MEENT_CONFLICT &&
		    conflicts == NULL)) {
			revision_free(&rev);
			api_guidelines_undecided(r, rc);
		} else
			api_guidelines_written(r, &g, &rev, rc, conflicts);
	}
	json_decref(body);
	json_decref(p);
}

/*
 * The municipalities following the guideline, with their province and size
 * class; filtered as /api/v1/gemeenten is (grootteklasse, provincie, and
 * q and lid too), through the same model_municipalities_filter().
 */
void
api_guidelines_adopties(struct req *r)
{
	struct guideline g;
	struct municipality_filter f;
	char prov[64];
	json_t *list;

	if (model_guidelines_load(r, &g) == -1)
		return;
	if (model_municipalities_filter(r, &f, prov, sizeof prov) == MEENT_ERR) {
		reply_db_failed(r, "De provincies konden niet gelezen worden.");
		return;
	}
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	if ((list = guideline_store_adoptions(r->db, g.pk, &f)) == NULL) {
		reply_db_failed(r, "De adopties konden niet gelezen worden.");
		return;
	}
	reply_json(r, 200, json_pack("{s:s, s:I, s:o}", "slug", g.slug,
	    "totaal", (json_int_t)json_array_size(list), "adopties", list));
}

/* "Wij volgen deze richtlijn", optionally pinned to a revision. */
void
api_guidelines_adopt(struct req *r)
{
	struct guideline g;
	json_t *body = NULL, *v;
	long versie = 0;

	if (model_guidelines_load(r, &g) == -1)
		return;
	if (evbuffer_get_length(req_body(r)) > 0) {
		if (api_body_json(r, &body) == -1)
			return;
		v = json_object_get(body, "versie");
		if (v != NULL && !json_is_null(v)) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > g.head)
				req_invalid(r, "versie", "een bestaande versie "
				    "(1 tot en met %ld)", g.head);
			else
				versie = (long)json_integer_value(v);
		}
		json_decref(body);
	}
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	if (model_guidelines_follow(r, &g, versie) == -1)
		return;
	reply_json(r, 201, json_pack("{s:s, s:s, s:o}", "slug", g.slug,
	    "gemeente", r->who.gemeente, "versie", versie > 0 ?
	    json_integer(versie) : json_null()));
}

void
api_guidelines_unadopt(struct req *r)
{
	struct guideline g;
	int rc;

	if (model_guidelines_load(r, &g) == -1)
		return;
	rc = model_guidelines_unfollow(r, &g);
	if (rc == MEENT_NOTFOUND)
		reply_problem(r, 404, "Niet gevonden", "Uw gemeente volgt deze "
		    "richtlijn niet.");
	else if (rc == 0)
		reply_text(r, 204, NULL, "", 0);
}
