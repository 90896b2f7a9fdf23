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
 * it, on the worker that handles the write. cmark-gfm 0.29.0.gfm.6 (Debian
 * 12) is not linear on every input: markdown_check() refuses, before
 * rendering, what makes it slow (see there and tests/bench/markdown.sh).
 */
#include "core/core.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
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

/*
 * Limits on the shape of Markdown, from tests/bench/markdown.sh (a release
 * build of cmark-gfm 0.29.0.gfm.6, CPU time of markdown_render()):
 *
 * - "![" openers: the bracket stack keeps every image opener, and each link
 *   closed after them walks the whole stack. "![[]()" repeated took 0.8 s
 *   for 100 kB and 16 s for 250 kB in one paragraph (worse than
 *   quadratic). Inline parsing is per paragraph, so they are counted per
 *   run of lines without a blank line: 500 of them cost about 1 ms.
 * - table columns: a header and delimiter row of k columns is about cubic
 *   in k (0.9 s for 16,000 columns in 100 kB, 19 s for 41,000). The
 *   columns are counted as | on one line; 256 cost under 1 ms a row.
 * - nesting: block quotes and list items opened on one line ("> > > "
 *   or "- - - " or "1. 1. ") cost up to 0.9 s per MB, one container each
 *   two bytes; 32 levels is more than any text needs.
 *
 * What remains is linear, at worst about 1 µs a byte (the autolink
 * extension on "a@" repeated, and the GFM table's rows): the byte caps of
 * the fields bound it (pilot sections, guideline texts).
 */
#define MARKDOWN_IMAGES_MAX	500	/* "![" in one paragraph */
#define MARKDOWN_COLUMNS_MAX	256	/* "|" on one line */
#define MARKDOWN_NESTING_MAX	32	/* containers opened on one line */

/* The containers (block quotes, list items) a line opens at its start. */
static size_t
markdown_nesting(const char *s, const char *end)
{
	size_t n = 0;

	for (;;) {
		const char *c = s;

		while (c < end && (*c == ' ' || *c == '\t'))
			c++;
		if (c < end && *c == '>') {
			s = c + 1;
			n++;
			continue;
		}
		if (c + 1 < end && (*c == '-' || *c == '*' || *c == '+') &&
		    (c[1] == ' ' || c[1] == '\t')) {
			s = c + 2;
			n++;
			continue;
		}
		if (c < end && isdigit((unsigned char)*c)) {
			const char *d = c;

			while (d < end && d - c < 9 &&
			    isdigit((unsigned char)*d))
				d++;
			if (d + 1 < end && (*d == '.' || *d == ')') &&
			    (d[1] == ' ' || d[1] == '\t')) {
				s = d + 2;
				n++;
				continue;
			}
		}
		return n;
	}
}

/*
 * Check Markdown (len bytes) before rendering it: at most max bytes, and
 * none of the shapes that make cmark-gfm slow (the limits above). Returns
 * 0, or -1 with a reason in Dutch for the person who wrote it in why
 * (size bytes; NULL for none).
 */
int
markdown_check(const char *md, size_t len, size_t max, char *why,
    size_t size)
{
	const char *end = md + len, *line, *eol, *next;
	size_t images = 0;
	char buf[200];

	if (why == NULL) {
		why = buf;
		size = sizeof buf;
	}
	if (len > max) {
		snprintf(why, size, "is te lang: hoogstens %zu kB (nu %zu kB)",
		    max / 1000, (len + 999) / 1000);
		return -1;
	}
	for (line = md; line < end; line = next) {
		size_t columns = 0;
		bool blank = true;

		for (eol = line; eol < end && *eol != '\n' && *eol != '\r';
		    eol++) {
			if (*eol != ' ' && *eol != '\t')
				blank = false;
			if (*eol == '|')
				columns++;
			else if (*eol == '!' && eol + 1 < end && eol[1] == '[')
				images++;
		}
		/* A line ends at \n, \r or \r\n (as in cmark). */
		next = eol;
		if (next < end && *next++ == '\r' && next < end &&
		    *next == '\n')
			next++;
		if (blank)
			images = 0;
		if (columns > MARKDOWN_COLUMNS_MAX) {
			snprintf(why, size, "heeft een regel met meer dan %d "
			    "tekens |: een tabel mag hoogstens %d kolommen "
			    "hebben", MARKDOWN_COLUMNS_MAX,
			    MARKDOWN_COLUMNS_MAX - 1);
			return -1;
		}
		if (images > MARKDOWN_IMAGES_MAX) {
			snprintf(why, size, "heeft meer dan %d keer ![ in één "
			    "alinea: zet er lege regels tussen",
			    MARKDOWN_IMAGES_MAX);
			return -1;
		}
		if (markdown_nesting(line, eol) > MARKDOWN_NESTING_MAX) {
			snprintf(why, size, "heeft meer dan %d citaten of "
			    "lijsten in elkaar op één regel",
			    MARKDOWN_NESTING_MAX);
			return -1;
		}
	}
	return 0;
}

/*
 * Line ends as LF, in place (s only gets shorter): CRLF and a lone CR each
 * become one LF. Browsers send a textarea's lines with CRLF (HTML's form
 * encoding), some clients a bare CR; stored Markdown has one spelling, so
 * that a diff or a search sees no change where there is none. Every pilot
 * section and every guideline text, message and reason is written through
 * it (pilot.c, guideline.c).
 */
void
markdown_lf(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		if (*s == '\r') {
			*out++ = '\n';
			if (s[1] == '\n')
				s++;
		} else
			*out++ = *s;
	}
	*out = '\0';
}
