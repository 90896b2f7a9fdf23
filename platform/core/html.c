/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Writing HTML safely. html_out() is a small formatter whose %s escapes its
 * argument for text and attribute values, so a page escapes by construction;
 * trusted HTML (Markdown rendered at write time by cmark-gfm in safe mode)
 * goes in only through %H. A core utility: the domain writes fragments with
 * it (a chart, a diff); the page frame is the web layer's (web_page.c).
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
 * Append fmt to b. Conversions: %s text (escaped; NULL is empty), %d int,
 * %l long, %u a URL query value (encoded, then escaped), %H trusted HTML
 * (not escaped), %% a percent sign.
 */
void
html_out(struct evbuffer *b, const char *fmt, ...)
{
	va_list ap;
	const char *run = fmt, *p;

	va_start(ap, fmt);
	for (p = fmt; *p != '\0'; p++) {
		const char *s;
		char *enc;

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
			evbuffer_add_printf(b, "%ld", va_arg(ap, long));
			break;
		case 'u':
			s = va_arg(ap, const char *);
			enc = evhttp_uriencode(s != NULL ? s : "", -1, 1);
			html_escape(b, enc);
			free(enc);
			break;
		case 'H':
			s = va_arg(ap, const char *);
			if (s != NULL)
				evbuffer_add(b, s, strlen(s));
			break;
		case '%':
			evbuffer_add(b, "%", 1);
			break;
		default:
			fatal("html_out: bad conversion in \"%s\"", fmt);
		}
		run = p + 1;
	}
	evbuffer_add(b, run, (size_t)(p - run));
	va_end(ap);
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
