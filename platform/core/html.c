/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Writing HTML safely. html_out() is a small formatter whose %s escapes its
 * argument for text and attribute values, so a page escapes by construction;
 * it is declared printf-like, so the compiler checks every format and its
 * arguments. Trusted HTML (Markdown rendered at write time by cmark-gfm in
 * safe mode, search fragments from html_fragment()) goes in only through
 * html_raw(), by name, and a URL query value through html_url_value(). A
 * core utility: the domain writes fragments with it (a chart, a diff); the
 * page frame is the web layer's (web_page.c).
 */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

/* Escape s for HTML text and quoted attribute values. */
void
html_escape(struct evbuffer *b, const char *s)
{
	const char *run = s;

	for (; *s != '\0'; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		evbuffer_add(b, run, (size_t)(s - run));
		evbuffer_add(b, rep, strlen(rep));
		run = s + 1;
	}
	evbuffer_add(b, run, (size_t)(s - run));
}

/*
 * Append fmt to b. Conversions, a subset of printf's (the compiler checks
 * the arguments): %s text (escaped; NULL is empty), %d int, %ld long, %zu
 * size_t, %% a percent sign. Any other is a programming error.
 */
void
html_out(struct evbuffer *b, const char *fmt, ...)
{
	va_list ap;
	const char *run = fmt, *p;

	va_start(ap, fmt);
	for (p = fmt; *p != '\0'; p++) {
		const char *s;

		if (*p != '%')
			continue;
		evbuffer_add(b, run, (size_t)(p - run));
		switch (*++p) {
		case 's':
			s = va_arg(ap, const char *);
			html_escape(b, s != NULL ? s : "");
			break;
		case 'd':
			evbuffer_add_printf(b, "%d", va_arg(ap, int));
			break;
		case 'l':
			if (*++p != 'd')
				goto bad;
			evbuffer_add_printf(b, "%ld", va_arg(ap, long));
			break;
		case 'z':
			if (*++p != 'u')
				goto bad;
			evbuffer_add_printf(b, "%zu", va_arg(ap, size_t));
			break;
		case '%':
			evbuffer_add(b, "%", 1);
			break;
		default:
		bad:
			fatal("html_out: bad conversion in \"%s\"", fmt);
		}
		run = p + 1;
	}
	evbuffer_add(b, run, (size_t)(p - run));
	va_end(ap);
}

/*
 * Append trusted HTML as it is (NULL is nothing). Only for HTML made safe
 * elsewhere, which each caller names: the safe Markdown renderer's output,
 * html_fragment(), a diff from merge_diff_html(), or a constant.
 */
void
html_raw(struct evbuffer *b, const char *trusted_html)
{
	if (trusted_html != NULL)
		evbuffer_add(b, trusted_html, strlen(trusted_html));
}

/*
 * Append s as a value in a URL's query string: encoded (a space as "+"),
 * then escaped for the attribute it stands in. NULL is empty.
 */
void
html_url_value(struct evbuffer *b, const char *s)
{
	char *enc = evhttp_uriencode(s != NULL ? s : "", -1, 1);

	if (enc == NULL)
		fatal("html_url_value: out of memory");
	html_escape(b, enc);
	free(enc);
}

/*
 * A search fragment as HTML: the text escaped, and the match markers that
 * the search put in (\2 and \3) turned into <mark> and </mark>. Caller
 * frees.
 */
char *
html_fragment(const char *s)
{
	struct evbuffer *b = evbuffer_new();

	for (const char *run = s; ; s++) {
		if (*s == '\0' || *s == '\2' || *s == '\3') {
			char *part = xstrndup(run, (size_t)(s - run));

			html_escape(b, part);
			free(part);
			if (*s == '\0')
				break;
			evbuffer_add_printf(b, *s == '\2' ? "<mark>" : "</mark>");
			run = s + 1;
		}
	}
	return buffer_take_string(b);
}
