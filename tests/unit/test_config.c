/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: configuration keys, bounds and the file format. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static char *
write_temp(const char *text)
{
	char *path = xstrdup("/tmp/meent-config-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_defaults(void **state)
{
	struct config c = { 0 };

	(void)state;
	config_init(&c);
	assert_int_equal(c.max_header_bytes, 8192);
	assert_int_equal(c.max_body_bytes, DATASET_MAX_BYTES + 64 * 1024);
	assert_int_equal(c.header_timeout, 10);
	assert_int_equal(c.request_timeout, 30);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	config_free(&c);
}

static void
test_set_bounds(void **state)
{
	struct config c = { 0 };
	char *err = NULL;

	(void)state;
	config_init(&c);
	assert_int_equal(config_set(&c, "threads", "4", &err), 0);
	assert_int_equal(c.threads, 4);
	assert_int_equal(config_set(&c, "threads", "257", &err), -1);
	assert_non_null(strstr(err, "0 to 256"));
	free(err);
	assert_int_equal(config_set(&c, "threads", "4x", &err), -1);
	free(err);
	assert_int_equal(config_set(&c, "max_body_bytes", "2M", &err), 0);
	assert_int_equal(c.max_body_bytes, 2 << 20);
	assert_int_equal(config_set(&c, "max_body_bytes", "1", &err), -1);
	free(err);
	assert_int_equal(config_set(&c, "access_log", "off", &err), 0);
	assert_false(c.access_log);
	assert_int_equal(config_set(&c, "log_level", "loud", &err), -1);
	free(err);
	assert_int_equal(config_set(&c, "nope", "1", &err), -1);
	assert_non_null(strstr(err, "unknown key"));
	free(err);
	config_free(&c);
}

static void
test_file(void **state)
{
	struct config c = { 0 };
	char *err = NULL;
	char *ok = write_temp("# comment\n\n  listen = 127.0.0.1:9 # end\n"
	    "threads=3\n");
	char *bad = write_temp("threads = 2\nthis is not a line\n");

	(void)state;
	config_init(&c);
	assert_int_equal(config_load(&c, ok, &err), 0);
	assert_string_equal(c.listen, "127.0.0.1:9");
	assert_int_equal(c.threads, 3);
	assert_int_equal(config_load(&c, bad, &err), -1);
	assert_non_null(strstr(err, ":2: expected"));
	free(err);
	assert_int_equal(config_load(&c, "/nonexistent/meentd.conf", &err), -1);
	free(err);
	config_free(&c);
	unlink(ok);
	unlink(bad);
	free(ok);
	free(bad);
}

/* '#' is a comment at a line's start or after a blank, else a value's. */
static void
test_comments(void **state)
{
	struct config c = { 0 };
	char *err = NULL;
	const char *text = "   # indented\n"
	    "plugin = x.so secret=ab#cd # the hook\n"
	    "plugin = y.so secret=#start\n"
	    "plugin = z.so\tsecret=q\t# tab\n"
	    "base_url = https://m.example.nl/#top\n";

	(void)state;
	config_init(&c);
	assert_int_equal(config_parse(&c, "t.conf", text, strlen(text), &err),
	    0);
	assert_int_equal(c.plugins.n, 3);
	assert_string_equal(c.plugins.v[0], "x.so secret=ab#cd");
	assert_string_equal(c.plugins.v[1], "y.so secret=#start");
	assert_string_equal(c.plugins.v[2], "z.so\tsecret=q");
	assert_string_equal(c.base_url, "https://m.example.nl/#top");
	text = "threads = 2#3\n";
	assert_int_equal(config_parse(&c, "t.conf", text, strlen(text), &err),
	    -1);
	assert_non_null(strstr(err, "t.conf:1: threads: '2#3'"));
	free(err);
	config_free(&c);
}

static void
test_choices(void **state)
{
	struct config c = { 0 };
	char *err = NULL;

	(void)state;
	config_init(&c);
	assert_int_equal(c.proxy_header, PROXY_HEADER_XFF);
	assert_int_equal(c.log_format, LOG_FORMAT_JSON);
	assert_int_equal(config_set(&c, "proxy_header", "forwarded", &err), 0);
	assert_int_equal(c.proxy_header, PROXY_HEADER_FORWARDED);
	assert_int_equal(config_set(&c, "log_format", "text", &err), 0);
	assert_int_equal(c.log_format, LOG_FORMAT_TEXT);
	assert_int_equal(config_set(&c, "log_format", "xml", &err), -1);
	assert_string_equal(err, "log_format: 'xml' is not json or text");
	free(err);
	assert_int_equal(config_set(&c, "metrics_allow", "10.0.0.0/8, ::1",
	    &err), 0);
	assert_int_equal(c.metrics_allow.n, 2);
	assert_int_equal(config_set(&c, "metrics_allow", "::1/129", &err), -1);
	free(err);
	config_free(&c);
}

/* A reload keeps the start-only keys and names those that changed. */
static void
test_restart_keys(void **state)
{
	struct config run = { 0 }, fresh = { 0 };
	char *err = NULL, *names;

	(void)state;
	config_init(&run);
	config_init(&fresh);
	assert_null(config_restart_keys(&fresh, &run));
	assert_int_equal(config_set(&fresh, "listen", "127.0.0.1:9", &err), 0);
	assert_int_equal(config_set(&fresh, "upload_threads", "5", &err), 0);
	assert_int_equal(config_set(&fresh, "domein", "Zorg", &err), 0);
	assert_int_equal(config_set(&fresh, "max_body_bytes", "2M", &err), 0);
	assert_int_equal(config_set(&fresh, "trusted_proxy", "::1", &err), 0);
	names = config_restart_keys(&fresh, &run);
	assert_string_equal(names, "listen domein upload_threads");
	free(names);
	/* The running values are back; the live keys are the file's. */
	assert_string_equal(fresh.listen, "127.0.0.1:8080");
	assert_int_equal(fresh.upload_threads, run.upload_threads);
	assert_int_equal(fresh.domeinen.n, 0);
	assert_int_equal(fresh.max_body_bytes, 2 << 20);
	assert_int_equal(fresh.trusted_proxy.n, 1);
	assert_null(config_restart_keys(&fresh, &run));
	config_free(&run);
	config_free(&fresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_bounds),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_restart_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
