/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Guidelines (richtlijnen): validation of their fields, and rendering a
 * revision: safe HTML with a stable anchor on every heading, and the table
 * of contents made from those headings. Pure: no database, no HTTP.
 */
#include "domain/domain.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <event2/buffer.h>

/*
 * A slug: 3 to 80 of a-z, 0-9 and single hyphens inside; not "feed",
 * which /richtlijnen/feed (the feed of new guidelines) takes.
 */
bool
guideline_slug_valid(const char *s)
{
	size_t len = strlen(s);

	if (len < 3 || len > GUIDELINE_SLUG_MAX || s[0] == '-' ||
	    s[len - 1] == '-' || strcmp(s, "feed") == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || (s[i] == '-' && s[i + 1] != '-')))
			return false;
	return true;
}

/*
 * Markdown a guideline may hold: no NUL or control bytes but \t \n \r,
 * and what markdown_check() lets through with GUIDELINE_TEXT_MAX bytes.
 * false with a Dutch reason in why (size bytes; NULL for none).
 */
bool
guideline_text_valid(const char *s, size_t len, char *why, size_t size)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0' || ((unsigned char)s[i] < 0x20 &&
		    s[i] != '\n' && s[i] != '\t' && s[i] != '\r')) {
			if (why != NULL)
				snprintf(why, size, "bevat een stuurteken "
				    "(zoals NUL): alleen tekst, tabs en "
				    "regeleinden");
			return false;
		}
	}
	return markdown_check(s, len, GUIDELINE_TEXT_MAX, why, size) == 0;
}

/*
 * A copy of s with every line end as LF (markdown_lf; caller frees; NULL
 * stays NULL). Every guideline text, message and reason is written through
 * this (guideline_store.c, and so also what federation brings): stored as
 * it came, a proposal made in the browser showed every line as changed
 * against a revision made through the API.
 */
char *
guideline_text_lf(const char *s)
{
	char *out;

	if (s == NULL)
		return NULL;
	out = xstrdup(s);
	markdown_lf(out);
	return out;
}

/* A heading's text as an anchor: "3. Wie beslist?" as "3-wie-beslist". */
static char *
guideline_anchor(const char *text, json_t *seen)
{
	struct evbuffer *b = evbuffer_new();
	bool dash = false;
	char *a, *unique;
	int n = 1;

	for (const unsigned char *c = (const unsigned char *)text; *c != '\0';
	    c++) {
		if (isalnum(*c)) {
			if (dash && evbuffer_get_length(b) > 0)
				evbuffer_add(b, "-", 1);
			evbuffer_add_printf(b, "%c", tolower(*c));
			dash = false;
		} else if (*c < 0x80)
			dash = true;
		/* Other UTF-8 bytes (é, ë) are left out of anchors. */
	}
	a = buffer_take_string(b);
	/* The page's own ids start with "meent-": never an anchor's. */
	if (*a == '\0' || strncmp(a, "meent-", 6) == 0) {
		char *prefixed = xasprintf("kop%s%s", *a != '\0' ? "-" : "", a);

		free(a);
		a = prefixed;
	}
	unique = xstrdup(a);
	while (json_object_get(seen, unique) != NULL) {
		free(unique);
		unique = xasprintf("%s-%d", a, ++n);
	}
	json_object_set_new(seen, unique, json_true());
	free(a);
	return unique;
}

/*
 * The plain text of a node's inline children, in order. Iterative: emphasis
 * nests as deep as its input asks ("*" * n), too deep for the stack.
 */
static void
guideline_text_of(cmark_node *n, struct evbuffer *b)
{
	cmark_iter *it = cmark_iter_new(n);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *c = cmark_iter_get_node(it);
		const char *lit;

		cmark_node_type type = cmark_node_get_type(c);

		if (ev != CMARK_EVENT_ENTER || (type != CMARK_NODE_TEXT &&
		    type != CMARK_NODE_CODE))
			continue;
		if ((lit = cmark_node_get_literal(c)) != NULL)
			evbuffer_add(b, lit, strlen(lit));
	}
	cmark_iter_free(it);
}

/*
 * Render a revision: *html (caller frees) is markdown_render()'s safe HTML
 * with an id on every heading, *toc (caller owns) the headings in order as
 * [{niveau, tekst, anker}].
 */
void
guideline_render(const char *md, char **html, json_t **toc)
{
	cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
	cmark_node *doc;
	cmark_iter *it;
	cmark_event_type ev;
	json_t *seen = json_object();
	struct evbuffer *out;
	char *plain;
	const char *s;
	size_t i = 0;

	*toc = json_array();
	cmark_parser_feed(p, md, strlen(md));
	doc = cmark_parser_finish(p);
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		struct evbuffer *b;
		char *text, *anchor;

		/* Every heading, nested ones too: each renders as <hN>. */
		if (ev != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(n) != CMARK_NODE_HEADING)
			continue;
		b = evbuffer_new();
		guideline_text_of(n, b);
		text = buffer_take_string(b);
		anchor = guideline_anchor(text, seen);
		json_array_append_new(*toc, json_pack("{s:i, s:s, s:s}",
		    "niveau", cmark_node_get_heading_level(n), "tekst", text,
		    "anker", anchor));
		free(text);
		free(anchor);
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	cmark_parser_free(p);
	json_decref(seen);

	/*
	 * Put the anchors on the rendered headings. Raw HTML never passes
	 * the safe renderer, so every "<hN>" in its output is a heading of
	 * the Markdown, in the same order as the list above.
	 */
	plain = markdown_render(md, strlen(md));
	out = evbuffer_new();
	for (s = plain; *s != '\0'; ) {
		const char *h = strstr(s, "<h");

		if (h == NULL || !(h[2] >= '1' && h[2] <= '6') || h[3] != '>' ||
		    i >= json_array_size(*toc)) {
			const char *next = h != NULL ? h + 2 : s + strlen(s);

			evbuffer_add(out, s, (size_t)(next - s));
			s = next;
			continue;
		}
		evbuffer_add(out, s, (size_t)(h - s));
		html_out(out, "<h%d id=\"%s\">", h[2] - '0',
		    json_string_value(json_object_get(json_array_get(*toc, i++),
		    "anker")));
		s = h + 4;
	}
	free(plain);
	*html = buffer_take_string(out);
}
