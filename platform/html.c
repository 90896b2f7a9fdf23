/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Building HTML pages. html_out() is a small formatter whose %s escapes its
 * argument for text and attribute values, so a page escapes by construction;
 * trusted HTML (Markdown rendered at write time by cmark-gfm in safe mode)
 * goes in only through %H. The page frame (layout, navigation, login state)
 * is html_page_start() and html_page_end().
 */
#include "meent.h"

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
 * The summary of a form's invalid fields ([{name, reason}]), each linking
 * to its field; nothing when there are none.
 */
void
html_error_summary(struct evbuffer *b, json_t *invalid)
{
	json_t *p;
	size_t i;

	if (json_array_size(invalid) == 0)
		return;
	html_out(b, "<div class=\"error-summary\" role=\"alert\" "
	    "tabindex=\"-1\"><h2>Dit moet anders</h2><ul>\n");
	json_array_foreach(invalid, i, p)
		html_out(b, "<li><a href=\"#%s\">%s: %s</a></li>\n",
		    json_string_value(json_object_get(p, "name")),
		    json_string_value(json_object_get(p, "name")),
		    json_string_value(json_object_get(p, "reason")));
	html_out(b, "</ul></div>\n");
}

/* The document head, the site header with navigation, and <main>. */
void
html_page_start(struct req *r, struct evbuffer *b, const char *title)
{
	html_out(b, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<title>%s – meent</title>\n"
	    "<link rel=\"icon\" href=\"data:,\">\n"
	    "%H<link rel=\"stylesheet\" href=\"/static/meent.css\">\n"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "title=\"Nieuwe pilots\" href=\"/pilots/feed\">\n"
	    "</head>\n<body class=\"utrecht-theme utrecht-html\">\n"
	    "<a class=\"skip-link\" href=\"#meent-inhoud\">Naar de inhoud</a>\n"
	    "<header class=\"site-header\">\n"
	    "<a class=\"site-name\" href=\"/\">meent</a>\n"
	    "<nav aria-label=\"Hoofdmenu\"><ul>\n"
	    "<li><a href=\"/\">Start</a></li>\n"
	    "<li><a href=\"/pilots\">Pilots</a></li>\n"
	    "<li><a href=\"/richtlijnen\">Richtlijnen</a></li>\n"
	    "<li><a href=\"/benchmarks\">Benchmarks</a></li>\n"
	    "<li><a href=\"/zoeken\">Zoeken</a></li>\n"
	    "</ul></nav>\n", title, static_nlds_available() ?
	    "<link rel=\"stylesheet\" href=\"/static/nlds/tokens.css\">\n"
	    "<link rel=\"stylesheet\" href=\"/static/nlds/html.css\">\n" : "");
	if (r->who.kind == PRINCIPAL_SESSION)
		html_out(b, "<form class=\"session\" method=\"post\" "
		    "action=\"/uitloggen\">"
		    "<span>Ingelogd voor %s (%s)</span> "
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<button type=\"submit\">Uitloggen</button></form>\n",
		    r->who.gemeente, role_name(r->who.role), r->who.csrf);
	else
		html_out(b, "<p class=\"session\"><a href=\"/inloggen\">"
		    "Inloggen</a></p>\n");
	html_out(b, "</header>\n<main id=\"meent-inhoud\">\n");
}

void
html_page_end(struct evbuffer *b)
{
	html_out(b, "</main>\n<footer class=\"site-footer\"><p>meent: "
	    "gemeenten delen wat ze leren van datagedreven werken. "
	    "Broncode onder EUPL-1.2.</p></footer>\n</body>\n</html>\n");
}

void
html_reply(struct req *r, int status, struct evbuffer *b)
{
	reply_send(r, status, "text/html; charset=utf-8", b);
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
