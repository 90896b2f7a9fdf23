/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * /pilots/{id}/bijlagen: a pilot's attachments as a page, with (for its
 * own municipality's editors) an upload form (multipart, CSRF inside) and
 * a delete button per file. The pilot page links here. Everything is the
 * model's (model_attachments.c): the same checks as the API, the same
 * visibility. Downloads go to the API's address, which a signed-in
 * browser's cookie may read; they are only ever downloads.
 *
 * The form's body is read into memory (capped by the route), unlike the
 * API's, which is written to disk as it comes: a multipart body has the
 * file in the middle of other fields.
 */
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

/* A size for people: "840 bytes", "12,3 kB", "4,1 MB". */
static void
web_attachments_size(struct evbuffer *b, long long n)
{
	char s[48];

	if (n < 1000)
		snprintf(s, sizeof s, "%lld bytes", n);
	else if (n < 1000 * 1000)
		snprintf(s, sizeof s, "%lld,%lld kB", n / 1000, n % 1000 / 100);
	else
		snprintf(s, sizeof s, "%lld,%lld MB", n / 1000000,
		    n % 1000000 / 100000);
	html_out(b, "%s", s);
}

/* May the viewer change p's attachments (the pilot form's rule)? */
static bool
web_attachments_editor(struct req *r, const struct pilot *p)
{
	return r->who.kind == PRINCIPAL_SESSION && r->who.role >= ROLE_EDITOR &&
	    req_own(r, p->gemeente) &&
	    strcmp(p->origin, r->ctx->instance->uuid) == 0;
}

/* One file: its download link, kind, size, date; a delete button. */
static void
web_attachments_item(struct req *r, struct evbuffer *b, const struct pilot *p,
    json_t *a, bool editor)
{
	const char *hash = json_string_value(json_object_get(a, "hash"));
	const char *type = json_string_value(json_object_get(a, "type"));
	const char *naam = json_string_value(json_object_get(a, "naam"));

	html_out(b, "<li><a href=\"/api/v1/pilots/%s/bijlagen/%s\" download>"
	    "%s</a><br>\n<span class=\"meta\">%s, ", p->id, hash, naam,
	    choice_valid(attachment_types, type) ?
	    choice_label(attachment_types, type) : type);
	web_attachments_size(b, json_integer_value(json_object_get(a,
	    "grootte")));
	html_out(b, ", toegevoegd <time datetime=\"%s\">%s</time></span>",
	    json_string_value(json_object_get(a, "aangemaakt")),
	    json_string_value(json_object_get(a, "aangemaakt")));
	if (editor)
		html_out(b, "\n<form method=\"post\" action=\"/pilots/%s/"
		    "bijlagen/%s/verwijderen\"><input type=\"hidden\" "
		    "name=\"csrf\" value=\"%s\"><button type=\"submit\" "
		    "aria-label=\"Verwijderen: %s\">Verwijderen</button>"
		    "</form>", p->id, hash, r->who.csrf, naam);
	html_out(b, "</li>\n");
}

static void
web_attachments_form(struct req *r, struct evbuffer *b, const struct pilot *p)
{
	html_out(b, "<h2>Bijlage toevoegen</h2>\n"
	    "<form method=\"post\" action=\"/pilots/%s/bijlagen\" "
	    "enctype=\"multipart/form-data\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n"
	    "<p><label for=\"bestand\">Bestand</label><br>\n"
	    "<span class=\"hint\" id=\"bestand-hint\">PDF, ODF (odt, ods, odp), "
	    "Word, Excel, PowerPoint, CSV, PNG of JPEG; hoogstens %zu MB per "
	    "bestand en %zu MB voor alle bijlagen van de pilot samen. "
	    "Iedereen die de pilot mag zien, kan de bijlagen downloaden."
	    "</span><br>\n<input type=\"file\" id=\"bestand\" name=\"bestand\" "
	    "aria-describedby=\"bestand-hint\" required></p>\n"
	    "<p><button type=\"submit\">Toevoegen</button></p>\n</form>\n",
	    p->id, r->who.csrf, r->ctx->cfg->attachment_max_bytes >> 20,
	    r->ctx->cfg->attachment_pilot_max_bytes >> 20);
}

void
web_attachments_page(struct req *r)
{
	const char *done = req_query(r, "klaar");
	struct evbuffer *b;
	struct pilot p;
	json_t *list, *a;
	bool editor;
	size_t i;

	if (model_pilots_load(r, &p, false) == -1)
		return;
	if (model_attachments_list(r, &p, &list) == -1) {
		pilot_free(&p);
		return;
	}
	editor = web_attachments_editor(r, &p);
	b = evbuffer_new();
	web_page_start(r, b, "Bijlagen");
	html_out(b, "<p><a href=\"/pilots/%s\">Terug naar de pilot</a></p>\n"
	    "<h1>Bijlagen bij %s</h1>\n", p.id, p.titel);
	if (done != NULL && strcmp(done, "toegevoegd") == 0)
		html_out(b, "<p role=\"status\">De bijlage is toegevoegd.</p>\n");
	else if (done != NULL && strcmp(done, "verwijderd") == 0)
		html_out(b, "<p role=\"status\">De bijlage is verwijderd.</p>\n");
	if (json_array_size(list) == 0)
		html_out(b, "<p>Deze pilot heeft geen bijlagen.</p>\n");
	else {
		html_out(b, "<p>Elke bijlage is een download; niets wordt in "
		    "de browser geopend.</p>\n<ul>\n");
		json_array_foreach(list, i, a)
			web_attachments_item(r, b, &p, a, editor);
		html_out(b, "</ul>\n");
	}
	if (editor)
		web_attachments_form(r, b, &p);
	web_page_end(b);
	web_page_reply(r, 200, b);
	evbuffer_free(b);
	json_decref(list);
	pilot_free(&p);
}

/*
 * The form, read as it came (ROUTE_FORM): its CSRF token checked first
 * (without one, 403 as for every form), then whether it was whole, and
 * its file part, whose bytes are in r->spool. -1 after replying 4xx.
 */
static int
web_attachments_read(struct req *r, const struct multipart_part **file)
{
	const struct multipart_part *parts = NULL;
	struct evbuffer *fields = NULL;
	const char *why = "het formulier is leeg";	/* no body, no stream */
	char *csrf = NULL;
	size_t n = 0;
	int whole = -1;

	*file = NULL;
	if (r->form != NULL)
		whole = multipart_stream_end(r->form, &parts, &n, file,
		    &fields, &why);
	for (size_t i = 0; i < n; i++)
		if (strcmp(parts[i].name, "csrf") == 0 && !parts[i].file &&
		    csrf == NULL)
			csrf = multipart_text(fields, &parts[i], 256);
	if (!web_csrf_valid(r, csrf)) {
		free(csrf);
		reply_problem(r, 403, "Verboden", "Het formulier is verlopen; "
		    "laad de pagina opnieuw.");
		return -1;
	}
	free(csrf);
	if (whole == -1) {
		reply_problem(r, 400, "Ongeldig formulier", "Het formulier kon "
		    "niet gelezen worden: %s.", why);
		return -1;
	}
	if (*file == NULL || strcmp((*file)->name, "bestand") != 0 ||
	    (*file)->len == 0) {
		req_invalid(r, "bestand", "kies een bestand");
		reply_invalid(r);
		return -1;
	}
	return 0;
}

/*
 * POST: the file of the form, streamed to disk as it came (conn.c), then
 * checked and stored like an API upload.
 */
void
web_attachments_upload(struct req *r)
{
	const struct multipart_part *file;
	struct attachment a;
	struct pilot p;
	char *to;

	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (web_attachments_read(r, &file) == -1) {
		pilot_free(&p);
		return;
	}
	if (model_attachments_add(r, &p, r->spool, file->filename, &a) == 0) {
		to = xasprintf("/pilots/%s/bijlagen?klaar=toegevoegd", p.id);
		reply_redirect(r, to);
		free(to);
	}
	pilot_free(&p);
}

void
web_attachments_remove(struct req *r)
{
	struct evkeyvalq form;
	struct pilot p;
	char *to;

	if (web_form_checked(r, &form) == -1)
		return;
	evhttp_clear_headers(&form);
	if (model_pilots_load(r, &p, true) == -1)
		return;
	if (model_attachments_delete(r, &p) == 0) {
		to = xasprintf("/pilots/%s/bijlagen?klaar=verwijderd", p.id);
		reply_redirect(r, to);
		free(to);
	}
	pilot_free(&p);
}
