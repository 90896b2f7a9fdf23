/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: direct identifiers in values and columns of an upload. */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static enum identifier_kind
kind(const char *s)
{
	return identifier_value(s, strlen(s));
}

static bool
bsn(const char *s)
{
	return identifier_bsn_valid(s, strlen(s));
}

static bool
iban(const char *s)
{
	return identifier_iban_valid(s, strlen(s));
}

static void
add(struct identifier_column *col, const char *s, long row)
{
	identifier_column_add(col, s, strlen(s), row);
}

/* A deterministic generator, so the column tests see the same numbers. */
static unsigned long
next(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return (*seed >> 33) & 0x7fffffff;
}

/* A nine-digit number that passes the elfproef, into buf[10]. */
static void
make_bsn(unsigned long *seed, char *buf)
{
	for (;;) {
		int sum = 0, check;

		for (int i = 0; i < 8; i++) {
			buf[i] = '0' + next(seed) % 10;
			sum += (9 - i) * (buf[i] - '0');
		}
		if ((check = sum % 11) == 10 || buf[0] == '0')
			continue;
		buf[8] = '0' + check;
		buf[9] = '\0';
		return;
	}
}

static void
test_bsn(void **state)
{
	const char *good[] = { "111222333", "123456782", "1234.56.782",
	    "1234 56 782", "1234-56-782", "012345672", "12345672" };
	const char *bad[] = { "123456789", "000000000", "00000000", "1234.56",
	    "12345678a", "1234.56-782", "123.456.782", "1234567820",
	    "1234567", " 123456782", "123456782 ", "", "12.3456.782" };

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_true(bsn(good[i]));
	for (size_t i = 0; i < nitems(bad); i++)
		assert_false(bsn(bad[i]));
	/* The value, not the bytes after it: "123456782" then garbage. */
	assert_true(identifier_bsn_valid("123456782XYZ", 9));
	assert_int_equal(kind("123456782"), IDENTIFIER_BSN);
	assert_int_equal(kind(" 1234.56.782 "), IDENTIFIER_BSN);
	assert_int_equal(kind("123456789"), IDENTIFIER_NONE);
	assert_int_equal(kind("1234.56"), IDENTIFIER_NONE);
}

static void
test_iban(void **state)
{
	const char *good[] = { "NL91ABNA0417164300", "nl91abna0417164300",
	    "nl91 abna 0417 1643 00", "NL91 ABNA 0417 1643 00",
	    "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32",
	    "DE89370400440532013000" };
	const char *bad[] = { "NL91ABNA0417164301", "NL92ABNA0417164300",
	    "NL91ABNA041716430", "NL91ABNA04171643000", "NL91 ABNA0417164300",
	    "NL91  ABNA 0417 1643 00", "NL91 ABNA 0417 1643 00 ",
	    "NL91ABNA04171643OO", "9191ABNA0417164300", "GB82WEST1234569876543",
	    "", "NL", "NL91-ABNA-0417-1643-00" };

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_true(iban(good[i]));
	for (size_t i = 0; i < nitems(bad); i++)
		assert_false(iban(bad[i]));
	assert_int_equal(kind("NL91ABNA0417164300"), IDENTIFIER_IBAN);
	assert_int_equal(kind(" nl91 abna 0417 1643 00"), IDENTIFIER_IBAN);
	assert_int_equal(kind("NL91ABNA0417164301"), IDENTIFIER_NONE);
}

static void
test_email(void **state)
{
	const char *good[] = { "jan@example.nl", "J.de.Vries+x@gemeente.nl",
	    "Jan de Vries <jan.devries@mail.gemeente.nl>",
	    "mail jan@example.nl.", "a_b@sub-domain.example.com" };
	const char *bad[] = { "jan@example", "a@b.c", "@gemeente", "jan@",
	    "jan..x@example.nl", ".jan@example.nl", "jan@-x.nl",
	    "jan@x-.nl", "jan@x..nl", "jan@host.12", "a@b@c", "@@@",
	    "jan @ example.nl" };

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_int_equal(kind(good[i]), IDENTIFIER_EMAIL);
	for (size_t i = 0; i < nitems(bad); i++)
		assert_int_equal(kind(bad[i]), IDENTIFIER_NONE);
}

static void
test_phone(void **state)
{
	const char *good[] = { "06-12345678", "+31 6 1234 5678",
	    "+31 (0)6 1234 5678", "+31612345678", "0031 6 12345678",
	    "020-1234567", "0201234567", "(020) 123 45 67", "0612345678",
	    "+31 (0)20 1234567" };
	const char *bad[] = { "612345678", "12345678", "0.123456789",
	    "06-1234567", "06-123456789", "0800-1234567", "0900 1234567",
	    "+32 6 1234 5678", "+31 6 1234 567", "tel 06-12345678",
	    "(020 1234567", "-0612345678", "0-6-1-2", "2024-2025" };

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_int_equal(kind(good[i]), IDENTIFIER_PHONE);
	for (size_t i = 0; i < nitems(bad); i++)
		assert_int_equal(kind(bad[i]), IDENTIFIER_NONE);
}

static void
test_postcode(void **state)
{
	const char *good[] = { "1234 AB 12", "1234AB-12a", "1234AB12",
	    "1234ab 12", "Dorpsstraat 12, 1234 AB Ergens",
	    "Dorpsstraat 12a 1234AB", "3511 AX, 7" };
	const char *bad[] = { "1234 AB", "1234AB", "1234", "1234 SS 12",
	    "1234 SA 12", "0123 AB 12", "1234 ABC 12", "12345 AB 12",
	    "2024 en 2025", "1234 ab 12", "Dorpsstraat 12", "1234 AB 123456" };

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_int_equal(kind(good[i]), IDENTIFIER_POSTCODE_HOUSE);
	for (size_t i = 0; i < nitems(bad); i++)
		assert_int_equal(kind(bad[i]), IDENTIFIER_NONE);
}

/*
 * Names start with a known first name, or are "Surname, Firstname". Places
 * and institutions that start with a tussenvoegsel ("Den Haag", "Van Gogh
 * Museum") are not names; one that starts with a first name is, unless it
 * ends like a street or institution ("Anna Paulowna" is a name here, which
 * is why NAME needs a majority or a column name).
 */
static void
test_name(void **state)
{
	const char *good[] = { "Jan de Vries", "de Vries, Jan",
	    "Fatima El Amrani", "jan Jansen", "Jan Willem van der Berg",
	    "Vries, Jan de", "Anna Paulowna", "Zo\xc3\xab \xc3\x96zt\xc3\xbcrk",
	    "Jan P. van Dijk", "Mohammed Bouali", "Sophie de Jong-Bakker",
	    "JAN DE VRIES", "Daan  Smit" };
	const char *bad[] = { "Den Haag", "Van Gogh Museum", "Noord",
	    "Centrum", "65+", "Jan", "Jan de", "Jan de vries", "jan en piet",
	    "Jan Steen Museum", "Anna Kinderziekenhuis", "Julia Vries de",
	    "Jan Pieterszoon Coenstraat", "Emma Zorg", "Noord, Oost",
	    "Vries, Klaartje", "Jan, Piet, Klaas",
	    "Oud-West", "Jan 12 Vries", "Jan A B C D E F" };

	(void)state;
	for (size_t i = 0; i < nitems(good); i++)
		assert_int_equal(kind(good[i]), IDENTIFIER_NAME);
	for (size_t i = 0; i < nitems(bad); i++)
		assert_int_equal(kind(bad[i]), IDENTIFIER_NONE);
}

static void
test_labels(void **state)
{
	const char *none[] = { "", " ", "0", "12.5", "-3", "1e3", "65+",
	    "GM0363", "2024-K1", "Noord", "Centrum", "ja", "nee", "n.v.t.",
	    "12345678901234567890", "1.234.567,89", "100%", "0-17 jaar" };

	(void)state;
	for (size_t i = 0; i < nitems(none); i++)
		assert_int_equal(kind(none[i]), IDENTIFIER_NONE);
}

/* Lengths are honoured: NUL bytes, no terminator, huge values. */
static void
test_bounds(void **state)
{
	char big[4096];
	const char nul[] = "Jan de\0Vries";

	(void)state;
	assert_int_equal(identifier_value("123456782", 0), IDENTIFIER_NONE);
	assert_int_equal(identifier_value("jan@example.nl", 5),
	    IDENTIFIER_NONE);
	assert_int_equal(identifier_value(nul, sizeof nul - 1),
	    IDENTIFIER_NONE);
	assert_false(identifier_bsn_valid("1234\0""56782", 10));
	/* Long free text: an address is still found, nothing else is. */
	memset(big, 'a', sizeof big);
	memcpy(big + 1000, " jan@example.nl ", 16);
	assert_int_equal(identifier_value(big, sizeof big), IDENTIFIER_EMAIL);
	memcpy(big + 1000, " 06-12345678 1234 AB 12 ", 24);
	assert_int_equal(identifier_value(big, sizeof big), IDENTIFIER_NONE);
	memset(big, '@', sizeof big);
	assert_int_equal(identifier_value(big, 200), IDENTIFIER_NONE);
	assert_int_equal(identifier_value(big, sizeof big), IDENTIFIER_NONE);
	memset(big, '1', sizeof big);
	assert_int_equal(identifier_value(big, sizeof big), IDENTIFIER_NONE);
	assert_false(identifier_iban_valid(big, sizeof big));
	assert_false(identifier_bsn_valid(big, sizeof big));
}

static void
test_headers(void **state)
{
	const char *bsns[] = { "bsn", "BSN", " Burger_Service-Nummer ",
	    "sofinummer", "SOFI", "persoons_nummer", "bsn_client",
	    "klant bsn", "\357\273\277bsn" };
	const char *names[] = { "naam", "Voornaam", "voornamen", "achternaam",
	    "roepnaam", "geslachtsnaam", "tussenvoegsel", "volledige_naam",
	    "name", "first_name", "LastName", "surname", "full name",
	    "klantnaam", "cli\xc3\xabntnaam", "client_naam" };
	const char *neither[] = { "gemeentenaam", "wijknaam", "waarde", "",
	    "gemeente", "indicatornaam", "filename", "jaar", "naamloos" };

	(void)state;
	for (size_t i = 0; i < nitems(bsns); i++) {
		struct identifier_column col = { 0 };

		identifier_column_header(&col, bsns[i]);
		assert_true(col.header_bsn);
		assert_false(col.header_name);
	}
	for (size_t i = 0; i < nitems(names); i++) {
		struct identifier_column col = { 0 };

		identifier_column_header(&col, names[i]);
		assert_true(col.header_name);
		assert_false(col.header_bsn);
	}
	for (size_t i = 0; i < nitems(neither); i++) {
		struct identifier_column col = { 0 };

		identifier_column_header(&col, neither[i]);
		assert_false(col.header_name || col.header_bsn);
	}
}

/* Amounts of nine digits: about one in eleven passes the elfproef. */
static void
test_column_amounts(void **state)
{
	struct identifier_column col = { 0 };
	unsigned long seed = 42;
	char buf[16];
	long row;

	(void)state;
	identifier_column_header(&col, "bedrag");
	for (long r = 1; r <= 100; r++) {
		snprintf(buf, sizeof buf, "%lu",
		    100000000 + next(&seed) % 900000000);
		add(&col, buf, r);
	}
	assert_int_equal(col.values, 100);
	assert_true(col.hits[IDENTIFIER_BSN] >= 3);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_NONE);
	assert_int_equal(row, 0);
}

static void
test_column_bsn(void **state)
{
	struct identifier_column col = { 0 };
	unsigned long seed = 7;
	char buf[16];
	long row;

	(void)state;
	add(&col, "", 1);
	add(&col, "  ", 2);
	for (long r = 3; r <= 102; r++) {
		make_bsn(&seed, buf);
		add(&col, buf, r);
	}
	assert_int_equal(col.values, 100);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_BSN);
	assert_int_equal(row, 3);

	/* Two of two: every value passes; no accident (1 in 121). */
	memset(&col, 0, sizeof col);
	add(&col, "111222333", 1);
	add(&col, "123456782", 2);
	assert_int_equal(identifier_column_verdict(&col, NULL),
	    IDENTIFIER_BSN);

	/* Two of three: too few to go by without the column's name. */
	add(&col, "123456789", 3);
	assert_int_equal(identifier_column_verdict(&col, NULL),
	    IDENTIFIER_NONE);
}

static void
test_column_header_bsn(void **state)
{
	struct identifier_column col = { 0 };
	long row;

	(void)state;
	identifier_column_header(&col, "BSN");
	add(&col, "onbekend", 1);
	for (long r = 2; r < 50; r++)
		add(&col, "123456789", r);
	add(&col, "123456782", 50);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_BSN);
	assert_int_equal(row, 50);

	/* The name alone, without a valid number, is not enough. */
	memset(&col, 0, sizeof col);
	identifier_column_header(&col, "bsn");
	add(&col, "123456789", 1);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_NONE);
}

static void
test_column_email(void **state)
{
	struct identifier_column col = { 0 };
	char buf[16];
	long row;

	(void)state;
	identifier_column_header(&col, "opmerking");
	for (long r = 1; r <= 100; r++) {
		snprintf(buf, sizeof buf, "%ld", r * 7);
		add(&col, r == 57 ? "jan@example.nl" : buf, r);
	}
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_EMAIL);
	assert_int_equal(row, 57);
}

static void
test_column_names(void **state)
{
	const char *names[] = { "Jan de Vries", "Noord", "Anna Bakker",
	    "Piet Jansen", "Oost" };
	const char *places[] = { "Anna Paulowna", "Amsterdam", "Den Haag",
	    "Utrecht" };
	struct identifier_column col = { 0 };
	long row;

	(void)state;
	for (size_t i = 0; i < nitems(names); i++)
		add(&col, names[i], 10 + i);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_NAME);
	assert_int_equal(row, 10);

	memset(&col, 0, sizeof col);
	identifier_column_header(&col, "gemeentenaam");
	for (size_t i = 0; i < nitems(places); i++)
		add(&col, places[i], 1 + i);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_NONE);

	/* Named for names: any value, even one no list knows. */
	memset(&col, 0, sizeof col);
	identifier_column_header(&col, "achternaam");
	add(&col, "", 1);
	add(&col, "Xyzzy", 2);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_NAME);
	assert_int_equal(row, 2);
}

/* The kind seen first wins; in the same row, the enum's order. */
static void
test_column_order(void **state)
{
	struct identifier_column col = { 0 };
	long row;

	(void)state;
	add(&col, "06-12345678", 10);
	add(&col, "jan@example.nl", 3);
	add(&col, "1234 AB 12", 20);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_EMAIL);
	assert_int_equal(row, 3);

	memset(&col, 0, sizeof col);
	identifier_column_header(&col, "naam");
	add(&col, "jan@example.nl", 1);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_EMAIL);
	assert_int_equal(row, 1);

	memset(&col, 0, sizeof col);
	assert_int_equal(identifier_column_verdict(&col, &row),
	    IDENTIFIER_NONE);
	assert_int_equal(row, 0);
}

/*
 * One label, as it would be published: any identifier-like value counts,
 * also written with dots, dashes, spaces, full-width digits, lower case or
 * as a spreadsheet's scientific notation.
 */
static void
test_label(void **state)
{
	static const struct {
		const char		*label;
		enum identifier_kind	 want;
	} cases[] = {
		{ "111222333", IDENTIFIER_BSN },
		{ "111.222.333", IDENTIFIER_BSN },
		{ "111-222-333", IDENTIFIER_BSN },
		{ " 111 222 333 ", IDENTIFIER_BSN },
		{ "\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91\xef\xbc\x92"
		  "\xef\xbc\x92\xef\xbc\x92\xef\xbc\x93\xef\xbc\x93"
		  "\xef\xbc\x93", IDENTIFIER_BSN },
		{ "1.11222333E8", IDENTIFIER_BSN },
		{ "1,11222333e+8", IDENTIFIER_BSN },
		{ "jan.jansen@example.nl", IDENTIFIER_EMAIL },
		{ "jan(at)example.nl", IDENTIFIER_EMAIL },
		{ "06-12345678", IDENTIFIER_PHONE },
		{ "nl91 abna 0417 1643 00", IDENTIFIER_IBAN },
		{ "1234 AB 12", IDENTIFIER_POSTCODE_HOUSE },
		{ "12-03-1985", IDENTIFIER_DATE },
		{ "1985-03-12", IDENTIFIER_DATE },
		{ "19850312", IDENTIFIER_DATE },
		{ "Jan de Vries", IDENTIFIER_NAME },
		/* What the attack test (t_privacy) got through before. */
		{ "bsn 111222333", IDENTIFIER_BSN },
		{ "jan de vries", IDENTIFIER_NAME },
		{ "J. de Vries", IDENTIFIER_NAME },
		{ "J.P. de Vries", IDENTIFIER_NAME },
		{ "de Vries, J.", IDENTIFIER_NAME },
		{ "Gerrit Jansen", IDENTIFIER_NAME },
		{ "mevrouw Bakker", IDENTIFIER_NAME },
		{ "dhr. Smit", IDENTIFIER_NAME },
		{ "jan.devries @ example.nl", IDENTIFIER_EMAIL },
		{ "jan.devries(at)example.nl", IDENTIFIER_EMAIL },
		{ "jan.devries[at]example[dot]nl", IDENTIFIER_EMAIL },
		{ "3-7-1980", IDENTIFIER_DATE },
		{ "3/7/80", IDENTIFIER_DATE },
		{ "12 maart 1980", IDENTIFIER_DATE },
		{ "3 mrt. 1980", IDENTIFIER_DATE },
		/* Ordinary categories still pass. */
		{ "Zuid-Oost", IDENTIFIER_NONE },
		{ "Van Gogh Museum", IDENTIFIER_NONE },
		{ "65 tot 80 jaar", IDENTIFIER_NONE },
		{ "maart 2025", IDENTIFIER_NONE },
		{ "alleenstaand met kinderen", IDENTIFIER_NONE },
		{ "huurwoning", IDENTIFIER_NONE },
		{ "De Meern", IDENTIFIER_NONE },
		{ "Noord", IDENTIFIER_NONE },
		{ "18-24", IDENTIFIER_NONE },
		{ "2024-05", IDENTIFIER_NONE },
		{ "65 jaar en ouder", IDENTIFIER_NONE },
		{ "WK027501", IDENTIFIER_NONE },
		{ "1000000", IDENTIFIER_NONE },
		{ "", IDENTIFIER_NONE },
	};

	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		enum identifier_kind k = identifier_label(cases[i].label,
		    strlen(cases[i].label));

		if (k != cases[i].want)
			fail_msg("label %zu: got %d, want %d", i, k,
			    cases[i].want);
	}
}

static void
test_reason(void **state)
{
	(void)state;
	assert_null(identifier_reason(IDENTIFIER_NONE));
	assert_string_equal(identifier_reason(IDENTIFIER_BSN),
	    "burgerservicenummer (voldoet aan de elfproef)");
	for (int k = IDENTIFIER_BSN; k <= IDENTIFIER_DATE; k++)
		assert_non_null(identifier_reason(k));
	assert_null(identifier_reason(IDENTIFIER_DATE + 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bsn),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_postcode),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_column_amounts),
		cmocka_unit_test(test_column_bsn),
		cmocka_unit_test(test_column_header_bsn),
		cmocka_unit_test(test_column_email),
		cmocka_unit_test(test_column_names),
		cmocka_unit_test(test_column_order),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
