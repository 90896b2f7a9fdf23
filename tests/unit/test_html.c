/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: HTML escaping by construction. */
#include "meent.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/buffer.h>

static char *
drain(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = xmalloc(n + 1);

	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

static void
test_escape(void **state)
{
	struct evbuffer *b = evbuffer_new();
	char *s;

	(void)state;
	html_escape(b, "<script>alert('x') & \"y\"</script>");
	s = drain(b);
	assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;) &amp; "
	    "&quot;y&quot;&lt;/script&gt;");
	free(s);
	evbuffer_free(b);
}

static void
test_out(void **state)
{
	struct evbuffer *b = evbuffer_new();
	const char *volatile none = NULL;	/* unknown to the compiler */
	char *s;

	(void)state;
	html_out(b, "<a title=\"%s\">%d%% %ld %zu</a>", "\"><img onerror=x>",
	    -7, -12L, (size_t)42);
	s = drain(b);
	assert_string_equal(s, "<a title=\"&quot;&gt;&lt;img onerror=x&gt;\">"
	    "-7% -12 42</a>");
	free(s);
	html_out(b, "%s|%s|%ld", none, "", 2147483648L * 4);
	s = drain(b);
	assert_string_equal(s, "||8589934592");
	free(s);
	html_out(b, "no conversions");
	html_out(b, "%s", "<&>\"'");
	s = drain(b);
	assert_string_equal(s, "no conversions&lt;&amp;&gt;&quot;&#39;");
	free(s);
	evbuffer_free(b);
}

static void
test_raw(void **state)
{
	struct evbuffer *b = evbuffer_new();
	const char *volatile none = NULL;	/* unknown to the compiler */
	char *s;

	(void)state;
	html_raw(b, "<em>ok</em> &amp; %s");
	html_raw(b, none);
	html_raw(b, "");
	s = drain(b);
	assert_string_equal(s, "<em>ok</em> &amp; %s");
	free(s);
	html_out(b, "<option");
	html_attr_if(b, 1 + 1 == 2, " selected");
	html_attr_if(b, 1 + 1 == 3, " checked");
	html_attr_if(b, true, " aria-invalid=\"true\"");
	html_out(b, ">");
	s = drain(b);
	assert_string_equal(s, "<option selected aria-invalid=\"true\">");
	free(s);
	evbuffer_free(b);
}

static void
test_url_value(void **state)
{
	struct evbuffer *b = evbuffer_new();
	const char *volatile none = NULL;	/* unknown to the compiler */
	char *s;

	(void)state;
	html_out(b, "<a href=\"/x?q=");
	html_url_value(b, "a b&c=d/e?\"<'>#%+");
	html_out(b, "&amp;r=");
	html_url_value(b, "werk-en-inkomen_1.2~");
	html_out(b, "&amp;n=");
	html_url_value(b, none);
	html_out(b, "&amp;u=");
	html_url_value(b, "\xc3\xa9\xc3\xa9n");
	html_out(b, "\">");
	s = drain(b);
	assert_string_equal(s, "<a href=\"/x?q=a+b%26c%3Dd%2Fe%3F%22%3C%27%3E"
	    "%23%25%2B&amp;r=werk-en-inkomen_1.2~&amp;n=&amp;u=%C3%A9%C3%A9n\">");
	free(s);
	evbuffer_free(b);
}

static void
test_fragment(void **state)
{
	char *s;

	(void)state;
	s = html_fragment("a <b> \2treffer\3 & \2\"c\"\3");
	assert_string_equal(s, "a &lt;b&gt; <mark>treffer</mark> &amp; "
	    "<mark>&quot;c&quot;</mark>");
	free(s);
}

/*
 * A conversion outside html_out()'s set is a programming error: fatal().
 * In a format the compiler sees, most do not compile and the rest (%x with
 * an int) fail test_formats_in_tree, so this calls through a pointer, which
 * carries no format attribute, in a child process.
 */
static void
test_bad_conversion(void **state)
{
	static const char *const bad[] = { "%u", "%H", "%l", "%lu", "%lld",
	    "%zd", "%z", "%5d", "%-s", "%x", "%c", "%f", "%p", "%", "ok %" };
	void (*out)(struct evbuffer *, const char *, ...) = html_out;

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++) {
		int status;
		pid_t pid = fork();

		assert_true(pid != -1);
		if (pid == 0) {
			struct evbuffer *b = evbuffer_new();
			struct rlimit none = { 0, 0 };
			int null = open("/dev/null", O_WRONLY);

			setrlimit(RLIMIT_CORE, &none);	/* no core file */
			if (null != -1)
				dup2(null, STDERR_FILENO);
			out(b, bad[i], 1L, "x");
			_exit(0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
			fail_msg("html_out(\"%s\") did not stop", bad[i]);
	}
}

/*
 * The conversions of every html_out() format in the sources: only those
 * html_out() knows (%s %d %ld %zu %%). The compiler checks the arguments
 * against the formats and that each format is a literal; not that printf's
 * other conversions stay out. make check exports srcdir.
 */
static int	formats_seen, formats_bad;

/* The end of the string or character literal that starts at p. */
static const char *
skip_literal(const char *p)
{
	char q = *p++;

	while (*p != '\0' && *p != q)
		p += p[0] == '\\' && p[1] != '\0' ? 2 : 1;
	return *p == q ? p + 1 : p;
}

/* Past blanks and comments. */
static const char *
skip_space(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e != NULL ? e + 2 : p + strlen(p);
		} else
			return p;
	}
}

/* Check the call whose arguments start after p ("html_out("). */
static void
check_call(const char *path, const char *text, const char *p)
{
	char fmt[8192];
	size_t n = 0;
	int depth = 0, line = 1;

	for (const char *t = text; t < p; t++)
		line += *t == '\n';
	/* Past the first argument. */
	for (; *p != '\0' && !(depth == 0 && *p == ','); p++) {
		if (*p == '"' || *p == '\'')
			p = skip_literal(p) - 1;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
	}
	if (*p != ',')
		return;
	/* The format: adjacent literals (a non-literal does not compile). */
	for (p = skip_space(p + 1); *p == '"'; p = skip_space(p)) {
		const char *e = skip_literal(p);

		for (p++; p < e - 1 && n < sizeof fmt - 1; p++)
			fmt[n++] = *p;
		p = e;
	}
	fmt[n] = '\0';
	if (n == 0)
		return;
	formats_seen++;
	for (const char *c = fmt; (c = strchr(c, '%')) != NULL; c++) {
		c++;
		if (*c == 's' || *c == 'd' || *c == '%')
			continue;
		if ((c[0] == 'l' && c[1] == 'd') || (c[0] == 'z' && c[1] == 'u')) {
			c++;
			continue;
		}
		print_error("%s:%d: \"%s\"\n", path, line, fmt);
		formats_bad++;
		break;
	}
}

static int
check_file(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	size_t len = strlen(path);
	FILE *f;
	char *text;
	const char *p;

	(void)ftw;
	if (flag != FTW_F || len < 2 || strcmp(path + len - 2, ".c") != 0 ||
	    strstr(path, "/core/html.c") != NULL)
		return 0;
	f = fopen(path, "r");
	assert_non_null(f);
	text = xcalloc(1, (size_t)st->st_size + 1);
	assert_int_equal(fread(text, 1, (size_t)st->st_size, f),
	    (size_t)st->st_size);
	fclose(f);
	for (p = text; *p != '\0'; ) {
		if (*p == '"' || *p == '\'')
			p = skip_literal(p);
		else if (p[0] == '/' && (p[1] == '*' || p[1] == '/')) {
			const char *e = p[1] == '*' ? strstr(p + 2, "*/") :
			    strchr(p, '\n');

			p = e != NULL ? e + (p[1] == '*' ? 2 : 1) : p + strlen(p);
		} else if (strncmp(p, "html_out", 8) == 0 && (p == text ||
		    !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			p = skip_space(p + 8);
			if (*p == '(')
				check_call(path, text, p + 1);
		} else
			p++;
	}
	free(text);
	return 0;
}

static void
test_formats_in_tree(void **state)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];

	(void)state;
	if (srcdir == NULL)
		skip();
	snprintf(path, sizeof path, "%s/platform", srcdir);
	assert_int_equal(nftw(path, check_file, 16, FTW_PHYS), 0);
	snprintf(path, sizeof path, "%s/plugins", srcdir);
	assert_int_equal(nftw(path, check_file, 16, FTW_PHYS), 0);
	if (formats_bad > 0)
		fail_msg("%d format(s) with conversions html_out() does not "
		    "know", formats_bad);
	/* Not vacuous: the tree has a few hundred. */
	assert_true(formats_seen > 100);
}

/* A Markdown search fragment as plain text, the match markers kept. */
static void
test_snippet(void **state)
{
	static const char *const cases[][2] = {
		{ "# Kop\n\nDit is **vet** en _schuin_.",
		  "Kop Dit is vet en schuin." },
		{ "Zie [de \2gids\3](https://example.org/gids) nu",
		  "Zie de \2gids\3 nu" },
		{ "…example.org/pad) en \2verder\3",
		  "… en \2verder\3" },
		{ "lees [hier](https://example.org/x…", "lees hier" },
		{ "- een\n- twee\n1. drie", "een twee drie" },
		{ "| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2" },
		{ "`code` en ~~weg~~ en \\*ster\\*", "code en weg en *ster*" },
		{ "> citaat\n***\nsnake_case_naam", "citaat snake_case_naam" },
		{ "![plaatje](a.png) <b>tag</b> <https://a.nl>",
		  "plaatje tag https://a.nl" },
		{ "[\2link\3](https://x.nl/\2y\3)", "\2link\3" },
		{ "[tekst](https://x.nl/\2y", "tekst" },
		{ "Kop\n===\n\2woord\3", "Kop \2woord\3" },
		{ "\2open", "\2open\3" },
	};

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		char *out = snippet_plain(cases[i][0]);

		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("case %zu: %s -> '%s', want '%s'", i,
			    cases[i][0], out, cases[i][1]);
		free(out);
	}
	{
		char *u = snippet_unmarked("a \2b\3 c");

		assert_string_equal(u, "a b c");
		free(u);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_out),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_url_value),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_snippet),
		cmocka_unit_test(test_bad_conversion),
		cmocka_unit_test(test_formats_in_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
