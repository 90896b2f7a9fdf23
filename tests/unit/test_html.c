/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: HTML escaping by construction. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
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
	char *s;

	(void)state;
	html_out(b, "<a href=\"/x?q=%u\" title=\"%s\">%d%% %l %H</a>",
	    "a b&c", "\"><img onerror=x>", 7, 12L, "<em>ok</em>");
	s = drain(b);
	assert_string_equal(s, "<a href=\"/x?q=a+b%26c\" title=\"&quot;&gt;"
	    "&lt;img onerror=x&gt;\">7% 12 <em>ok</em></a>");
	free(s);
	html_out(b, "%s|%H", NULL, NULL);
	s = drain(b);
	assert_string_equal(s, "|");
	free(s);
	evbuffer_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
