/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Markdown to HTML with cmark-gfm (the CommonMark reference implementation's
 * GitHub-flavoured branch): tables, strikethrough, autolinks and the tag
 * filter, in safe mode. Raw HTML is omitted, never passed through
 * (no CMARK_OPT_UNSAFE); invalid UTF-8 is replaced; and every link or image
 * whose URL uses javascript:, vbscript:, file: or data: is emptied (cmark's
 * safe mode alone still lets data:image through).
 *
 * Markdown is rendered once, when it is written, and the HTML stored beside
 * it. cmark-gfm's parser is linear in its input, so the caps on section
 * sizes bound the time too.
 */
#include "meent.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

static pthread_once_t markdown_once = PTHREAD_ONCE_INIT;

static void
markdown_init(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static bool
markdown_url_dangerous(const char *url)
{
	static const char *const schemes[] = { "javascript:", "vbscript:",
	    "file:", "data:" };
	char folded[16];
	size_t n = 0;

	while (*url != '\0' && isspace((unsigned char)*url))
		url++;
	/* Fold case and drop the control characters browsers ignore. */
	for (; *url != '\0' && n < sizeof folded - 1; url++) {
		if ((unsigned char)*url < 0x20)
			continue;
		folded[n++] = (char)tolower((unsigned char)*url);
	}
	folded[n] = '\0';
	for (size_t i = 0; i < nitems(schemes); i++)
		if (strncmp(folded, schemes[i], strlen(schemes[i])) == 0)
			return true;
	return false;
}

static void
markdown_empty_dangerous_links(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type type = cmark_node_get_type(n);
		const char *url;

		if (ev != CMARK_EVENT_ENTER || (type != CMARK_NODE_LINK &&
		    type != CMARK_NODE_IMAGE))
			continue;
		url = cmark_node_get_url(n);
		if (url != NULL && markdown_url_dangerous(url))
			cmark_node_set_url(n, "");
	}
	cmark_iter_free(it);
}

/*
 * Render Markdown (len bytes) as safe HTML. Caller frees. Returns "" for
 * empty input; never NULL.
 */
char *
markdown_render(const char *md, size_t len)
{
	static const char *const exts[] = { "table", "strikethrough",
	    "autolink", "tagfilter" };
	int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
	cmark_parser *p;
	cmark_node *doc;
	char *html, *out;

	pthread_once(&markdown_once, markdown_init);
	p = cmark_parser_new(opts);
	for (size_t i = 0; i < nitems(exts); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);

		if (e == NULL)
			fatal("cmark-gfm has no %s extension", exts[i]);
		cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	markdown_empty_dangerous_links(doc);
	html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p));
	out = xstrdup(html);
	free(html);
	cmark_node_free(doc);
	cmark_parser_free(p);
	return out;
}
