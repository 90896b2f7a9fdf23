/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests: the outbox's checks (addresses, subjects, the unsubscribe
 * URL: no header injection), RFC 2047 subjects, and what mail_enqueue
 * stores.
 */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

static void
test_address(void **state)
{
	char longest[300];

	(void)state;
	assert_true(mail_address_valid("a@b.nl"));
	assert_true(mail_address_valid("j.de.vries+meent@gemeente-x.nl"));
	assert_false(mail_address_valid(""));
	assert_false(mail_address_valid("geen-adres"));
	assert_false(mail_address_valid("a@nl"));
	assert_false(mail_address_valid("a@b.nl\r\nBcc: c@d.nl"));
	assert_false(mail_address_valid("a@b.nl\n"));
	assert_false(mail_address_valid("a b@c.nl"));
	assert_false(mail_address_valid("<a@b.nl>"));
	assert_false(mail_address_valid(".a@b.nl"));
	assert_false(mail_address_valid("a..b@c.nl"));
	assert_false(mail_address_valid("a@-b.nl"));
	assert_false(mail_address_valid("a@b-.nl"));
	assert_false(mail_address_valid("a@b..nl"));
	assert_false(mail_address_valid("\xc3\xa9@b.nl"));
	assert_false(mail_address_valid("a@b.nl\x7f"));
	/* 254 bytes is the limit: 64 + 1 + 189. */
	memset(longest, 'a', 64);
	longest[64] = '@';
	for (int i = 65; i < 254; i++)
		longest[i] = (i - 65) % 10 == 9 ? '.' : 'b';
	longest[253] = 'l';
	longest[254] = '\0';
	assert_true(mail_address_valid(longest));
	longest[254] = 'l';
	longest[255] = '\0';
	assert_false(mail_address_valid(longest));
}

static void
test_subject(void **state)
{
	char big[MAIL_SUBJECT_MAX + 2];

	(void)state;
	assert_true(mail_subject_valid("Uitnodiging voor meent"));
	assert_true(mail_subject_valid("Re\xc3\xbcnie in S\xc3\xba" "dwest"));
	assert_false(mail_subject_valid(""));
	assert_false(mail_subject_valid("a\r\nBcc: c@d.nl"));
	assert_false(mail_subject_valid("a\nb"));
	assert_false(mail_subject_valid("a\tb"));
	assert_false(mail_subject_valid("\xc3("));	/* not UTF-8 */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_false(mail_subject_valid(big));
}

static void
test_encode(void **state)
{
	char *s;

	(void)state;
	s = mail_subject_encode("Gewoon ASCII");
	assert_string_equal(s, "Gewoon ASCII");
	free(s);
	/* "Caf\xc3\xa9" is "Café". */
	s = mail_subject_encode("Caf\xc3\xa9");
	assert_string_equal(s, "=?UTF-8?B?Q2Fmw6k=?=");
	free(s);
	/* Long: several words, each at most 75 characters, no split é. */
	s = mail_subject_encode("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	assert_non_null(strchr(s, ' '));
	for (char *w = strtok(s, " "); w != NULL; w = strtok(NULL, " ")) {
		assert_true(strlen(w) <= 75);
		assert_memory_equal(w, "=?UTF-8?B?", 10);
		/* 44 bytes: 22 whole characters, "w6nD" repeating. */
		assert_null(strstr(w, "w6k=w"));
	}
	free(s);
}

static void
test_enqueue(void **state)
{
	char dir[] = "/tmp/meent-test-mail-XXXXXX", *path, *err = NULL;
	struct db *db;
	sqlite3_stmt *st;
	long id;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/meent.db", dir);
	db = db_open(path, DB_CREATE, &err);
	assert_non_null(db);
	assert_int_equal(migrate_apply(db, &err), 0);
	id = mail_enqueue(db, "a@b.nl", "Onderwerp", "tekst", "<p>html</p>",
	    "https://meent.example/afmelden/abc");
	assert_true(id > 0);
	assert_int_equal(mail_enqueue(db, "a@b.nl\r\nBcc: c@d.nl", "x", "t",
	    "h", NULL), MEENT_INVALID);
	assert_int_equal(mail_enqueue(db, "a@b.nl", "x\r\nBcc: c@d.nl", "t",
	    "h", NULL), MEENT_INVALID);
	assert_int_equal(mail_enqueue(db, "a@b.nl", "x", "t", "h",
	    "https://x.nl/a>\r\nBcc: c@d.nl"), MEENT_INVALID);
	assert_int_equal(mail_enqueue(db, "a@b.nl", "x", "t", "h",
	    "javascript:alert(1)"), MEENT_INVALID);
	st = db_stmt(db, "SELECT state, attempts, headers FROM mail_outbox");
	assert_int_equal(db_step_row(db, st, "test"), 1);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "queued");
	assert_int_equal(sqlite3_column_int(st, 1), 0);
	assert_string_equal((const char *)sqlite3_column_text(st, 2),
	    "List-Unsubscribe: <https://meent.example/afmelden/abc>\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click");
	assert_int_equal(db_step_row(db, st, "test"), 0);
	db_close(db);
	unlink(path);
	free(path);
	path = xasprintf("%s/meent.db-wal", dir);
	unlink(path);
	free(path);
	path = xasprintf("%s/meent.db-shm", dir);
	unlink(path);
	free(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_enqueue),
	};

	db_init();
	log_init(NULL, LOG_ERROR);
	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
