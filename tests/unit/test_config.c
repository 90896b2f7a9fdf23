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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_bounds),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
