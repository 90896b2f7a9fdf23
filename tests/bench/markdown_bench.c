/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * markdown_bench [-g] [-m SECONDS] [-p NAME] [SIZE ...]: time meent's
 * Markdown rendering (markdown_render(), or with -g guideline_render(),
 * which parses twice) on cmark's and cmark-gfm's known pathological inputs
 * (test/pathological_tests.py of both, and the inputs of cmark-gfm's
 * security advisories) and on a legitimate document, each built up to SIZE
 * bytes (default 100k 250k 1M). Prints a table: pattern, then per size the
 * CPU milliseconds of one render, and whether markdown_check() (the limits
 * meent applies before rendering) refuses the input.
 *
 * A pattern that takes more than -m seconds (default 20) at one size is not
 * run at larger ones ("skip"). -p runs only the patterns whose name holds
 * NAME. Built and run by tests/bench/markdown.sh (a release build).
 */
#include "meent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

typedef void (*bench_gen)(struct evbuffer *, size_t);

/* unit repeated until the text has size bytes. */
static void
rep(struct evbuffer *b, const char *unit, size_t size)
{
	size_t n = strlen(unit);

	while (evbuffer_get_length(b) + n <= size)
		evbuffer_add(b, unit, n);
}

static void
g_nested_strong(struct evbuffer *b, size_t size)
{
	size_t k = (size - 1) / 14;

	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "*a **a ", 7);
	evbuffer_add(b, "b", 1);
	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, " a** a*", 7);
}


static void
g_open3(struct evbuffer *b, size_t size)
{
	evbuffer_add(b, "a**b", 4);
	rep(b, "c* ", size);
}

static void
g_nested_brackets(struct evbuffer *b, size_t size)
{
	size_t k = (size - 1) / 2;

	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "[", 1);
	evbuffer_add(b, "a", 1);
	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "]", 1);
}

static void
g_nested_inlines(struct evbuffer *b, size_t size)
{
	size_t k = (size - 1) / 2;

	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "*", 1);
	evbuffer_add(b, "a", 1);
	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "*", 1);
}

static void
g_quotes(struct evbuffer *b, size_t size)
{
	while (evbuffer_get_length(b) + 3 <= size)
		evbuffer_add(b, "> ", 2);
	evbuffer_add(b, "a", 1);
}

/* Block quotes, one level deeper each line. */
static void
g_quote_lines(struct evbuffer *b, size_t size)
{
	for (size_t x = 1; evbuffer_get_length(b) + x + 3 <= size; x++) {
		for (size_t i = 0; i < x; i++)
			evbuffer_add(b, ">", 1);
		evbuffer_add(b, " a\n", 3);
	}
}

static void
g_lists(struct evbuffer *b, size_t size)
{
	for (size_t x = 0; evbuffer_get_length(b) + 2 * x + 4 <= size; x++) {
		for (size_t i = 0; i < x; i++)
			evbuffer_add(b, "  ", 2);
		evbuffer_add(b, "* a\n", 4);
	}
}

static void
g_backticks(struct evbuffer *b, size_t size)
{
	for (size_t x = 1; evbuffer_get_length(b) + x + 1 <= size; x++) {
		evbuffer_add(b, "e", 1);
		for (size_t i = 0; i < x; i++)
			evbuffer_add(b, "`", 1);
	}
}

static void
g_comment(struct evbuffer *b, size_t size)
{
	evbuffer_add(b, "</", 2);
	rep(b, "<!--", size);
}

/* A table of k columns with as many rows of k cells as fit. */
static void
table(struct evbuffer *b, size_t size, size_t k)
{
	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "|a", 2);
	evbuffer_add(b, "|\n", 2);
	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "|-", 2);
	evbuffer_add(b, "|\n", 2);
	while (evbuffer_get_length(b) + 2 * k + 2 <= size) {
		for (size_t i = 0; i < k; i++)
			evbuffer_add(b, "|a", 2);
		evbuffer_add(b, "|\n", 2);
	}
}

static void
g_table_rows(struct evbuffer *b, size_t size)
{
	table(b, size, 2);
}

static void
g_table_100(struct evbuffer *b, size_t size)
{
	table(b, size, 100);
}

static void
g_table_wide(struct evbuffer *b, size_t size)
{
	table(b, size, size / 6);
}

/* A one-column table whose rows each have many cells. */
static void
g_table_extra_cells(struct evbuffer *b, size_t size)
{
	evbuffer_add(b, "|a|\n|-|\n", 8);
	while (evbuffer_get_length(b) + 202 <= size) {
		for (size_t i = 0; i < 100; i++)
			evbuffer_add(b, "|a", 2);
		evbuffer_add(b, "|\n", 2);
	}
}

/* A table followed by many empty rows. */
static void
g_table_empty_rows(struct evbuffer *b, size_t size)
{
	evbuffer_add(b, "| a |\n| - |\n", 12);
	rep(b, "|\n", size);
}

static void
g_references(struct evbuffer *b, size_t size)
{
	size_t n = 0;

	while (evbuffer_get_length(b) < size / 2)
		evbuffer_add_printf(b, "[%zu]: u\n", ++n);
	evbuffer_add(b, "\n", 1);
	rep(b, "[0] ", size);
}

/* cmark's refmap hash, for keys that all land in one bucket. */
static bool
badhash(const char *ref)
{
	unsigned int h = 0;

	for (; *ref != '\0'; ref++)
		h = (unsigned char)*ref + (h << 6) + (h << 16) - h;
	return h % 16 == 0;
}

static void
g_ref_collisions(struct evbuffer *b, size_t size)
{
	char key[32], bad[32] = "";
	size_t i = 0;

	while (evbuffer_get_length(b) + 60 <= size) {
		snprintf(key, sizeof key, "x%zu", i++);
		if (!badhash(key))
			continue;
		if (bad[0] == '\0') {
			snprintf(bad, sizeof bad, "%s", key);
			continue;
		}
		evbuffer_add_printf(b, "[%s]: /url\n\n[%s]\n\n", key, bad);
	}
}

/* Paragraphs of as many "![[]()" as markdown_check() lets through. */
static void
g_img_paragraphs(struct evbuffer *b, size_t size)
{
	while (evbuffer_get_length(b) + 500 * 6 + 2 <= size) {
		for (size_t i = 0; i < 500; i++)
			evbuffer_add(b, "![[]()", 6);
		evbuffer_add(b, "\n\n", 2);
	}
}

static void
g_table_255(struct evbuffer *b, size_t size)
{
	table(b, size, 255);
}

/* Many tables of 255 columns, header and delimiter row only. */
static void
g_tables_255(struct evbuffer *b, size_t size)
{
	while (evbuffer_get_length(b) + 4 * 255 + 6 <= size) {
		for (size_t i = 0; i < 255; i++)
			evbuffer_add(b, "|a", 2);
		evbuffer_add(b, "|\n", 2);
		for (size_t i = 0; i < 255; i++)
			evbuffer_add(b, "|-", 2);
		evbuffer_add(b, "|\n\n", 3);
	}
}

static void
g_quotes_32(struct evbuffer *b, size_t size)
{
	rep(b, "> > > > > > > > > > > > > > > > "
	    "> > > > > > > > > > > > > > > > a\n", size);
}

static void
g_lists_32(struct evbuffer *b, size_t size)
{
	rep(b, "- - - - - - - - - - - - - - - - "
	    "- - - - - - - - - - - - - - - - a\n", size);
}

/* A heading of nested emphasis (guideline_render walks headings). */
static void
g_heading_emph(struct evbuffer *b, size_t size)
{
	size_t k = (size - 3) / 2;

	evbuffer_add(b, "# ", 2);
	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "*", 1);
	evbuffer_add(b, "a", 1);
	for (size_t i = 0; i < k; i++)
		evbuffer_add(b, "*", 1);
}

/* A real guideline text (MD_BENCH_LEGIT names it), repeated. */
static void
g_legit(struct evbuffer *b, size_t size)
{
	const char *path = getenv("MD_BENCH_LEGIT");
	char *text, *err = NULL;
	size_t len;

	if (path == NULL || file_read_all(path, 8 << 20, &text, &len, &err) ==
	    -1) {
		free(err);
		rep(b, "## Kop\n\nEen alinea met **vet**, *schuin*, een "
		    "[link](https://example.org) en `code`.\n\n"
		    "- een\n- twee\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n",
		    size);
		return;
	}
	while (evbuffer_get_length(b) + len + 2 <= size) {
		evbuffer_add(b, text, len);
		evbuffer_add(b, "\n\n", 2);
	}
	free(text);
}

/* A pattern: unit repeated up to the size, or what gen makes. */
static const struct {
	const char	*name;
	const char	*unit;
	bench_gen	 gen;
} patterns[] = {
	{ "legitimate guideline text", NULL, g_legit },
	{ "nested strong emph", NULL, g_nested_strong },
	{ "emph closers, no openers", "a_ ", NULL },
	{ "emph openers, no closers", "_a ", NULL },
	{ "link closers, no openers", "a]", NULL },
	{ "link openers, no closers", "[a", NULL },
	{ "mismatched openers/closers", "*a_ ", NULL },
	{ "openers/closers multiple of 3", NULL, g_open3 },
	{ "link openers and emph closers", "[ a_", NULL },
	{ "pattern [ (]( repeated", "[ (](", NULL },
	{ "pattern ![[]() repeated", "![[]()", NULL },
	{ "**a repeated", "**a", NULL },
	{ "nested brackets [*n a ]*n", NULL, g_nested_brackets },
	{ "nested inlines *n a *n", NULL, g_nested_inlines },
	{ "underscores _*n", "_", NULL },
	{ "stars **n", "*", NULL },
	{ "strikethrough ~~a", "~~a ", NULL },
	{ "tildes ~*n", "~", NULL },
	{ "nested block quotes >*n", NULL, g_quotes },
	{ "block quote lines >*x", NULL, g_quote_lines },
	{ "> chars >*n", ">", NULL },
	{ "- chars -*n", "-", NULL },
	{ "> - repeated", "> - ", NULL },
	{ "- repeated (one line)", "- ", NULL },
	{ "1. repeated (one line)", "1. ", NULL },
	{ "deeply nested lists", NULL, g_lists },
	{ "backticks", NULL, g_backticks },
	{ "unclosed links A [a](<b", "[a](<b", NULL },
	{ "unclosed links B [a](b", "[a](b", NULL },
	{ "unclosed <!--", NULL, g_comment },
	{ "unclosed < *n", "<", NULL },
	{ "unclosed <a", "<a ", NULL },
	{ "entities", "&amp;", NULL },
	{ "autolink www.", "www.", NULL },
	{ "autolink a@", "a@", NULL },
	{ "autolink http://", "http://", NULL },
	{ "autolink a:", "a:", NULL },
	{ "bangs !*n", "!", NULL },
	{ "pipes |*n", "|", NULL },
	{ "gfm tables aaa\\rbbb\\n-\\v", "aaa\rbbb\n-\v\n", NULL },
	{ "table rows (2 columns)", NULL, g_table_rows },
	{ "table rows (100 columns)", NULL, g_table_100 },
	{ "table columns (one wide row)", NULL, g_table_wide },
	{ "table rows of 100 extra cells", NULL, g_table_extra_cells },
	{ "table with empty rows", NULL, g_table_empty_rows },
	{ "many references", NULL, g_references },
	{ "reference hash collisions", NULL, g_ref_collisions },
	{ "heading of nested emphasis", NULL, g_heading_emph },
	/* Just under markdown_check()'s limits, or around them. */
	{ "![[]() x500, blank line, ...", NULL, g_img_paragraphs },
	{ "![[]() on CRLF lines", "![[]()\r\n", NULL },
	{ "![[]() on LF lines", "![[]()\n", NULL },
	{ "[[]() repeated (links only)", "[[]()", NULL },
	{ "table rows (255 columns)", NULL, g_table_255 },
	{ "tables of 255 columns, no rows", NULL, g_tables_255 },
	{ "32 block quotes a line", NULL, g_quotes_32 },
	{ "32 list items a line", NULL, g_lists_32 },
};

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t
parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*end == 'k' || *end == 'K')
		v *= 1000;
	else if (*end == 'M' || *end == 'm')
		v *= 1000 * 1000;
	return (size_t)v;
}

int
main(int argc, char **argv)
{
	size_t sizes[8] = { 100000, 250000, 1000000 }, nsizes = 3;
	const char *only = NULL;
	double max_s = 20;
	bool guideline = false;
	int c;

	while ((c = getopt(argc, argv, "gm:p:")) != -1) {
		switch (c) {
		case 'g':
			guideline = true;
			break;
		case 'm':
			max_s = atof(optarg);
			break;
		case 'p':
			only = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		nsizes = 0;
		for (int i = optind; i < argc && nsizes < nitems(sizes); i++)
			sizes[nsizes++] = parse_size(argv[i]);
	}
	printf("%-32s", guideline ? "guideline_render (CPU ms)" :
	    "markdown_render (CPU ms)");
	for (size_t j = 0; j < nsizes; j++)
		printf(" %14zu B", sizes[j]);
	printf("\n");
	for (size_t i = 0; i < nitems(patterns); i++) {
		bool skip = false;

		if (only != NULL && strstr(patterns[i].name, only) == NULL)
			continue;
		printf("%-32s", patterns[i].name);
		fflush(stdout);
		for (size_t j = 0; j < nsizes; j++) {
			struct evbuffer *b = evbuffer_new();
			char reason[200], *md, *html;
			json_t *toc;
			double t0, ms;
			size_t len;
			bool refused;

			if (patterns[i].unit != NULL)
				rep(b, patterns[i].unit, sizes[j]);
			else
				patterns[i].gen(b, sizes[j]);
			len = evbuffer_get_length(b);
			md = buffer_take_string(b);
			refused = markdown_check(md, len, len, reason,
			    sizeof reason) == -1;
			if (skip) {
				printf(" %14s%s", "skip", refused ? " R" :
				    "  ");
				free(md);
				continue;
			}
			t0 = cpu_ms();
			if (guideline) {
				guideline_render(md, &html, &toc);
				json_decref(toc);
			} else
				html = markdown_render(md, len);
			ms = cpu_ms() - t0;
			free(html);
			free(md);
			printf(" %14.1f%s", ms, refused ? " R" : "  ");
			fflush(stdout);
			skip = ms > max_s * 1000;
		}
		printf("\n");
	}
	printf("R: refused for its shape by markdown_check() before rendering "
	    "(400);\n   the byte caps (100 kB a pilot section, 250 kB a pilot "
	    "or a guideline)\n   refuse larger inputs as well\n");
	return 0;
}
