/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A search snippet as plain text. Pilots and guidelines are indexed as the
 * Markdown their authors wrote, so the fragment FTS5's snippet() cuts from
 * a text (a window of words, the matches between \2 and \3, an ellipsis
 * where it was cut) carries Markdown syntax: "**", "# ", "[text](url)",
 * list markers, table pipes, backticks. This takes it out, so that what a
 * reader sees is the words: links keep their text and lose their address
 * (also an address cut in half at either end of the window), emphasis,
 * code and heading marks go, a table row becomes words, lines become
 * spaces, and inline HTML tags are dropped.
 *
 * It works on the fragment alone, without parsing the document (the window
 * may start inside any construct); it is linear in the fragment's length.
 * The match markers always come out balanced: a \2 whose \3 fell inside a
 * dropped address is closed.
 */
#include "core/core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

struct snippet_out {
	struct evbuffer	*b;
	bool		 open;		/* inside \2 ... \3 */
	bool		 space;		/* a space is owed before the next */
	bool		 any;		/* something written */
};

static void
snippet_put(struct snippet_out *o, const char *s, size_t len)
{
	if (len == 0)
		return;
	if (o->space && o->any)
		evbuffer_add(o->b, " ", 1);
	o->space = false;
	o->any = true;
	evbuffer_add(o->b, s, len);
}

static void
snippet_mark(struct snippet_out *o, char m)
{
	if (m == '\2' && !o->open) {
		if (o->space && o->any)
			evbuffer_add(o->b, " ", 1);
		o->space = false;
		evbuffer_add(o->b, "\2", 1);
		o->open = true;
	} else if (m == '\3' && o->open) {
		evbuffer_add(o->b, "\3", 1);
		o->open = false;
	}
}

static bool
snippet_url_byte(unsigned char c)
{
	return c > ' ' && c != ')' && c != '(' && c != '"' && c != '<' &&
	    c != '>' && c != '\2' && c != '\3';
}

/*
 * Does the fragment start with the tail of a link's address ("org/x) en
 * ..."), its "](" cut off by the window? Returns the bytes to skip.
 */
static size_t
snippet_url_tail(const char *s)
{
	size_t i = 0;

	/* After the ellipsis (UTF-8 E2 80 A6) snippet() puts in front. */
	if (strncmp(s, "\xe2\x80\xa6", 3) == 0)
		i = 3;
	for (; s[i] != '\0' && (snippet_url_byte((unsigned char)s[i]) ||
	    s[i] == '\2' || s[i] == '\3'); i++)
		;
	if (s[i] != ')' || i == 0 || memchr(s, '/', i) == NULL)
		return 0;
	return i + 1;
}

/* The length of a link's "(address)" at s, up to its ) or the end. */
static size_t
snippet_address(const char *s)
{
	size_t i = 1;
	int depth = 1;

	for (; s[i] != '\0'; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
		else if (s[i] == '\n')
			break;
	}
	return i;
}

/* Skip a line's block marks at s: indentation, #, >, list markers. */
static const char *
snippet_line_start(const char *s, bool *drop)
{
	const char *p = s;

	*drop = false;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '>') {
			p++;
			continue;
		}
		break;
	}
	if (*p == '#') {
		const char *h = p;

		while (*h == '#')
			h++;
		if (*h == ' ' || *h == '\0' || *h == '\n')
			p = h;
	} else if ((*p == '-' || *p == '*' || *p == '+') && p[1] == ' ')
		p += 2;
	else if (isdigit((unsigned char)*p)) {
		const char *d = p;

		while (isdigit((unsigned char)*d))
			d++;
		if ((*d == '.' || *d == ')') && d[1] == ' ')
			p = d + 2;
	}
	/* A rule, a setext underline, a fence or a table's delimiter row. */
	{
		const char *e = p;
		bool only = *e != '\0' && *e != '\n';

		for (; *e != '\0' && *e != '\n'; e++)
			if (strchr("-=|:`~ \t*_", *e) == NULL)
				only = false;
		if (only)
			*drop = true;
	}
	return p;
}

/*
 * The plain text of a Markdown snippet s (with \2/\3 match markers, which
 * are kept). Caller frees.
 */
char *
snippet_plain(const char *s)
{
	struct snippet_out o = { evbuffer_new(), false, false, false };
	size_t tail = snippet_url_tail(s);
	const char *p = s + tail;
	bool line_start = p == s;

	/* The ellipsis before a dropped address tail stays. */
	if (tail > 0 && strncmp(s, "\xe2\x80\xa6", 3) == 0)
		snippet_put(&o, s, 3);

	while (*p != '\0') {
		const char *run;

		if (line_start) {
			bool drop;

			p = snippet_line_start(p, &drop);
			line_start = false;
			if (drop) {
				while (*p != '\0' && *p != '\n') {
					if (*p == '\2' || *p == '\3')
						snippet_mark(&o, *p);
					p++;
				}
				continue;
			}
		}
		switch (*p) {
		case '\n':
		case '\r':
		case '\t':
		case ' ':
		case '|':
			o.space = true;
			line_start = *p == '\n';
			p++;
			continue;
		case '\2':
		case '\3':
			snippet_mark(&o, *p++);
			continue;
		case '*':
		case '`':
		case '~':
		case '[':
			p++;
			continue;
		case '!':
			if (p[1] == '[') {
				p++;
				continue;
			}
			break;
		case '_':
			/* Emphasis, not a word's own underscore. */
			if (p == s || !isalnum((unsigned char)p[-1]) ||
			    !isalnum((unsigned char)p[1])) {
				p++;
				continue;
			}
			break;
		case ']':
			p++;
			if (*p == '(')
				p += snippet_address(p);
			else if (*p == '[') {
				while (*p != '\0' && *p != ']' && *p != '\n')
					p++;
				if (*p == ']')
					p++;
			}
			continue;
		case '\\':
			if (ispunct((unsigned char)p[1])) {
				snippet_put(&o, p + 1, 1);
				p += 2;
				continue;
			}
			break;
		case '<':
			/* A tag or an autolink's brackets. */
			if (isalpha((unsigned char)p[1]) || p[1] == '/') {
				const char *e = strchr(p, '>');

				if (e != NULL && memchr(p, '\n',
				    (size_t)(e - p)) == NULL) {
					if (strncmp(p + 1, "http", 4) == 0 ||
					    strncmp(p + 1, "mailto:", 7) == 0)
						snippet_put(&o, p + 1,
						    (size_t)(e - p - 1));
					else
						o.space = true;
					p = e + 1;
					continue;
				}
			}
			break;
		default:
			break;
		}
		/* A run of ordinary text. */
		run = p++;
		while (*p != '\0' && strchr("\n\r\t |\2\3*`~[]!_\\<", *p) ==
		    NULL)
			p++;
		snippet_put(&o, run, (size_t)(p - run));
	}
	if (o.open)
		evbuffer_add(o.b, "\3", 1);
	return buffer_take_string(o.b);
}

/* s without its match markers (\2, \3). Caller frees. */
char *
snippet_unmarked(const char *s)
{
	char *out = xstrdup(s), *w = out;

	for (const char *r = s; *r != '\0'; r++)
		if (*r != '\2' && *r != '\3')
			*w++ = *r;
	*w = '\0';
	return out;
}
