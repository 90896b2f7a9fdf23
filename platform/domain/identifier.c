/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Direct identifiers in uploaded data. A benchmark upload must never hold
 * personal data, so every cell of every column is looked at before anything
 * is stored: a burgerservicenummer, e-mail address, Dutch telephone number,
 * IBAN, postcode with house number or a person's name makes the column, and
 * with it the upload, unacceptable.
 *
 * This runs on every cell of uploads of half a million rows, most of which
 * are numbers and short category labels, so identifier_value() makes one
 * pass to count the kinds of bytes and only then tries the patterns those
 * counts allow; nothing is allocated. A value longer than
 * IDENTIFIER_VALUE_MAX bytes is free text: only an e-mail address is looked
 * for in it, which costs a memchr() when there is none.
 *
 * One value is weak evidence for some kinds: about one random nine-digit
 * number in eleven passes the elfproef, and "Anna Paulowna" is a place. So
 * BSN and NAME need the column's name or a majority of its values; the other
 * kinds have checksums or shapes that figures and labels do not have, and a
 * single one is already personal data.
 *
 * Values are raw bytes from an upload: they are never logged or printed.
 */
#include "domain/domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDENTIFIER_VALUE_MAX	256	/* longer: not looked at */
#define IDENTIFIER_HEADER_MAX	64	/* longer: no match */
#define IDENTIFIER_WORDS_MAX	6	/* words in a name */
#define IDENTIFIER_WORD_MAX	32	/* bytes in one word of a name */
#define IDENTIFIER_MIN_HITS	3	/* BSN and NAME by majority */

/* A word: offset and length in its value. */
struct identifier_word {
	size_t	 off, len;
};

/*
 * Common Dutch first names, male and female, lower case, sorted bytewise
 * (LC_ALL=C sort) for identifier_first_name()'s binary search. Short words
 * that are also ordinary Dutch ("ad") are left out.
 */
static const char *identifier_first_names[] = {
	"adam", "ahmed", "aisha", "ali", "amira", "anja", "anna", "annie",
	"anouk", "arjan", "astrid", "ay\305\237e", "bart", "bas", "bianca",
	"boaz", "bram", "cor", "daan", "dennis", "dirk", "elif", "elin",
	"ellen", "els", "emma", "emre", "erik", "esther", "eva", "evi",
	"fatima", "fatma", "femke", "fenna", "finn", "fleur", "floris", "fons",
	"frank", "gerard", "gert", "gijs", "guus", "hamza", "hanneke", "hans",
	"hendrik", "henk", "hidde", "hugo", "ibrahim", "ilse", "inge",
	"ingrid", "iris", "isa", "jaap", "jacob", "jan", "jantine", "jens",
	"jeroen", "jesse", "johan", "joke", "joost", "joris", "judith",
	"julia", "julian", "jurre", "karin", "kees", "kevin", "khadija", "kim",
	"klaas", "koen", "lara", "lars", "laura", "levi", "liam", "lieke",
	"linda", "lisa", "liv", "lotte", "lucas", "luuk", "maarten", "manon",
	"marco", "margriet", "maria", "marie", "marieke", "mark", "marloes",
	"martijn", "mats", "max", "mees", "mehmet", "meryem", "michiel",
	"mieke", "mila", "milan", "miranda", "mohamed", "mohammad", "mohammed",
	"monique", "muhammed", "mustafa", "nadia", "niels", "nienke", "nina",
	"noa", "noah", "nora", "noud", "olivia", "olivier", "omar", "paul",
	"peter", "petra", "piet", "pim", "ria", "rik", "rob", "roos", "ruben",
	"ruud", "saar", "samira", "sander", "sandra", "sanne", "sara", "sarah",
	"sem", "siem", "sjaak", "sjoerd", "sofie", "sophie", "stefan", "stijn",
	"sven", "tess", "teun", "thijs", "thomas", "ties", "tim", "tineke",
	"tom", "truus", "vincent", "willem", "wilma", "wim", "wouter", "yara",
	"yasmina", "youssef", "yusuf", "zeynep", "zo\xc3\xab",
};

/* Words between first name and surname ("Jan van der Berg"). */
static const char *identifier_tussenvoegsels[] = {
	"'t", "aan", "al", "d'", "da", "de", "del", "den", "der", "di", "du",
	"el", "het", "in", "la", "le", "op", "te", "ten", "ter", "uit", "van",
	"von", "zu",
};

/*
 * Capitalised words that make a would-be name a place or an organisation
 * ("Anna Kinderziekenhuis", "Jan Pieterszoon Coenstraat"): whole words,
 * and endings that no surname has.
 */
static const char *identifier_not_surnames[] = {
	"bv", "centrum", "college", "fonds", "kade", "laan", "nv", "park",
	"plein", "prijs", "weg", "zorg",
};
static const char *identifier_not_surname_endings[] = {
	"gracht", "kliniek", "museum", "plein", "school", "singel",
	"stichting", "straat", "ziekenhuis",
};

/* Column names (lower case, without '_', '-' and ' ') of BSN columns. */
static const char *identifier_bsn_headers[] = {
	"bsn", "burgerservicenummer", "sofinummer", "sofi", "persoonsnummer",
};

/* Column names of name columns, and what may precede "naam" or "name". */
static const char *identifier_name_headers[] = {
	"tussenvoegsel", "voornamen",
};
static const char *identifier_naam_prefixes[] = {
	"", "aanvrager", "achter", "bewoner", "burger", "client",
	"cli\xc3\xabnt", "contact", "contactpersoon", "deelnemer", "eigen",
	"geboorte", "geslachts", "inwoner", "kind", "klant", "leerling",
	"medewerker", "meisjes", "ouder", "partner", "patient",
	"pati\xc3\xabnt", "persoon", "persoons", "roep", "volledige", "voor",
};
static const char *identifier_name_prefixes[] = {
	"", "client", "contact", "customer", "family", "first", "full",
	"given", "last", "person", "sur",
};

static const char *identifier_reasons[] = {
	[IDENTIFIER_BSN] = "burgerservicenummer (voldoet aan de elfproef)",
	[IDENTIFIER_EMAIL] = "e-mailadres",
	[IDENTIFIER_PHONE] = "telefoonnummer",
	[IDENTIFIER_IBAN] = "IBAN-rekeningnummer",
	[IDENTIFIER_POSTCODE_HOUSE] = "postcode met huisnummer",
	[IDENTIFIER_NAME] = "naam van een persoon",
	[IDENTIFIER_DATE] = "volledige datum (mogelijk een geboortedatum)",
};

/* ASCII only: the C locale's ctype would do, but values may be any bytes. */
static bool
identifier_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
identifier_is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
identifier_is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
identifier_is_alpha(unsigned char c)
{
	return identifier_is_upper(c) || identifier_is_lower(c);
}

static bool
identifier_is_alnum(unsigned char c)
{
	return identifier_is_alpha(c) || identifier_is_digit(c);
}

static unsigned char
identifier_lower(unsigned char c)
{
	return identifier_is_upper(c) ? c - 'A' + 'a' : c;
}

/* Compares s[0..len) case-insensitively (ASCII) with NUL-terminated w. */
static int
identifier_compare(const char *s, size_t len, const char *w)
{
	size_t i;

	for (i = 0; i < len && w[i] != '\0'; i++) {
		unsigned char a = identifier_lower(s[i]);
		unsigned char b = w[i];

		if (a != b)
			return a < b ? -1 : 1;
	}
	if (i < len)
		return 1;
	return w[i] == '\0' ? 0 : -1;
}

/* Is s[0..len) one of the n words in list, case-insensitively? */
static bool
identifier_in_list(const char *s, size_t len, const char **list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (identifier_compare(s, len, list[i]) == 0)
			return true;
	}
	return false;
}

/* Does s[0..len) end in one of the n endings in list? */
static bool
identifier_ends_in_list(const char *s, size_t len, const char **list,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t el = strlen(list[i]);

		if (el <= len &&
		    identifier_compare(s + len - el, el, list[i]) == 0)
			return true;
	}
	return false;
}

/* Trims ASCII white space from both ends of s[0..*len). */
static const char *
identifier_trim(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' ||
	    *s == '\n')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t' ||
	    s[*len - 1] == '\r' || s[*len - 1] == '\n'))
		(*len)--;
	return s;
}

/*
 * Nine digits, or eight with the leading zero dropped (a spreadsheet made it
 * a number), or nine in the 4-2-3 grouping with one kind of separator.
 */
bool
identifier_bsn_valid(const char *s, size_t len)
{
	char d[9];
	size_t n = 0;
	int sum = 0;

	if (len == 11 && s[4] == s[7] &&
	    (s[4] == '.' || s[4] == ' ' || s[4] == '-')) {
		for (size_t i = 0; i < len; i++) {
			if (i == 4 || i == 7)
				continue;
			if (!identifier_is_digit(s[i]))
				return false;
			d[n++] = s[i];
		}
	} else if (len == 8 || len == 9) {
		if (len == 8)
			d[n++] = '0';
		for (size_t i = 0; i < len; i++) {
			if (!identifier_is_digit(s[i]))
				return false;
			d[n++] = s[i];
		}
	} else
		return false;

	/* The elfproef: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11. */
	for (size_t i = 0; i < 8; i++)
		sum += (9 - (int)i) * (d[i] - '0');
	sum -= d[8] - '0';
	if (sum == 0)
		return false;	/* 000000000, which passes but is no BSN */
	return sum % 11 == 0;
}

/*
 * Copies an IBAN without its spaces into c (34 bytes), upper case. Spaces
 * are allowed only as in print: after every group of four.
 */
static size_t
identifier_iban_compact(const char *s, size_t len, char *c)
{
	bool spaced = memchr(s, ' ', len) != NULL;
	size_t n = 0, group = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = s[i];

		if (ch == ' ') {
			if (group != 4)
				return 0;
			group = 0;
			continue;
		}
		if (!identifier_is_alnum(ch) || n == 34 ||
		    (spaced && group == 4))
			return 0;
		c[n++] = identifier_is_lower(ch) ? ch - 'a' + 'A' : ch;
		group++;
	}
	return group == 0 ? 0 : n;
}

/* ISO 13616: country, check digits, then up to 30 letters and digits. */
bool
identifier_iban_valid(const char *s, size_t len)
{
	char c[34];
	size_t n;
	unsigned r = 0;

	if (len < 15 || len > 42)	/* 34 and 8 spaces */
		return false;
	if ((n = identifier_iban_compact(s, len, c)) < 15)
		return false;
	if (!identifier_is_upper(c[0]) || !identifier_is_upper(c[1]) ||
	    !identifier_is_digit(c[2]) || !identifier_is_digit(c[3]))
		return false;
	/* 98 - (n mod 97) is never 00, 01 or 99; 99 and 02 would both pass. */
	if ((c[2] == '0' && c[3] <= '1') || (c[2] == '9' && c[3] == '9'))
		return false;
	if (c[0] == 'N' && c[1] == 'L') {
		if (n != 18)
			return false;
		for (size_t i = 4; i < 18; i++) {
			if (i < 8 ? !identifier_is_upper(c[i]) :
			    !identifier_is_digit(c[i]))
				return false;
		}
	}

	/* Country and check digits moved to the end, letters as 10..35. */
	for (size_t k = 0; k < n; k++) {
		unsigned char ch = c[(k + 4) % n];

		if (identifier_is_digit(ch))
			r = (r * 10 + (ch - '0')) % 97;
		else
			r = (r * 100 + (ch - 'A' + 10)) % 97;
	}
	return r == 1;
}

/* May ch be in an address (RFC 5322 atext, dots and the domain's '-')? */
static bool
identifier_email_char(unsigned char ch)
{
	return identifier_is_alnum(ch) ||
	    (ch != '\0' && strchr("!#$%&'*+/=?^_`{|}~.-", ch) != NULL);
}

/* local@domain.tld, with sane characters; s is one token. */
static bool
identifier_email_token(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	size_t local, label = 0, labels = 0, alpha = 0;

	if (at == NULL || (local = at - s) == 0 || local > 64)
		return false;
	if (s[0] == '.' || s[local - 1] == '.')
		return false;
	for (size_t i = 1; i < local; i++) {
		if (s[i] == '.' && s[i - 1] == '.')
			return false;
	}
	if (len - local - 1 < 4 || len - local - 1 > 253)
		return false;
	for (size_t i = local + 1; i <= len; i++) {
		unsigned char ch = i < len ? s[i] : '.';

		if (ch == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			labels++;
			if (i == len)
				break;
			label = alpha = 0;
			continue;
		}
		if (!identifier_is_alnum(ch) && ch != '-')
			return false;
		if (ch == '-' && label == 0)
			return false;
		label++;
		alpha += identifier_is_alpha(ch);
	}
	/* The top-level domain is letters only: "jan@host.12" is no address. */
	return labels >= 2 && label >= 2 && alpha == label;
}

/*
 * An address anywhere in the value ("Jan <jan@example.nl>"): the run of
 * address characters around each '@', a sentence's full stop left off.
 * Runs end at '@', so each byte is looked at at most twice.
 */
static bool
identifier_email(const char *s, size_t len)
{
	const char *at = s;

	while ((at = memchr(at, '@', len - (at - s))) != NULL) {
		size_t a = at - s, b = a + 1;

		while (a > 0 && identifier_email_char(s[a - 1]))
			a--;
		while (b < len && identifier_email_char(s[b]))
			b++;
		while (b > a && s[b - 1] == '.')
			b--;
		if (identifier_email_token(s + a, b - a))
			return true;
		at++;
	}
	return false;
}

/* The digits of a telephone number; 0 on a byte no number has. */
static size_t
identifier_phone_digits(const char *s, size_t len, char *d, size_t dsize)
{
	size_t n = 0;
	bool open = false, paren = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = s[i];

		if (identifier_is_digit(ch)) {
			if (n == dsize)
				return 0;
			d[n++] = ch;
		} else if (ch == '(' && !paren) {
			open = paren = true;
		} else if (ch == ')' && open)
			open = false;
		else if (ch == '+' && i == 0)
			continue;
		else if (ch != ' ' && ch != '-')
			return 0;
	}
	return open ? 0 : n;
}

/*
 * A Dutch number: +31 or 0031 and nine digits (a "(0)" or a stray 0 after
 * the country code dropped), or 0 and nine. The nine start with 1 to 7:
 * areas and mobiles, not 08xx and 09xx business lines. Dots are not
 * separators, or 0.123456789 would be a number to call.
 */
static bool
identifier_phone(const char *s, size_t len)
{
	char d[16];
	const char *rest;
	size_t n, rn;

	if (len == 0 || (s[0] != '+' && s[0] != '0' && s[0] != '('))
		return false;
	if ((n = identifier_phone_digits(s, len, d, sizeof d)) < 10)
		return false;
	if (s[0] == '+') {
		if (d[0] != '3' || d[1] != '1')
			return false;
		rest = d + 2;
		rn = n - 2;
	} else if (n >= 4 && memcmp(d, "0031", 4) == 0) {
		rest = d + 4;
		rn = n - 4;
	} else {
		if (d[0] != '0')
			return false;
		rest = d + 1;
		rn = n - 1;
	}
	if (rest != d + 1 && rn == 10 && rest[0] == '0') {
		rest++;
		rn--;
	}
	return rn == 9 && rest[0] >= '1' && rest[0] <= '7';
}

/*
 * Is there a postcode at s[i]: four digits, the first not 0, then two
 * letters, not SA, SD or SS? Capitals, or lower case right after the
 * digits ("1234ab"): "2024 en 2025" is no address. Sets *end past it.
 */
static bool
identifier_postcode_at(const char *s, size_t len, size_t i, size_t *end)
{
	size_t j = i + 4;
	unsigned char a, b;

	if (i > 0 && identifier_is_alnum(s[i - 1]))
		return false;
	if (i + 6 > len || s[i] < '1' || s[i] > '9')
		return false;
	for (size_t k = i + 1; k < i + 4; k++) {
		if (!identifier_is_digit(s[k]))
			return false;
	}
	if (s[j] == ' ')
		j++;
	if (j + 2 > len || (j + 2 < len && identifier_is_alpha(s[j + 2])))
		return false;
	a = s[j];
	b = s[j + 1];
	if (!(identifier_is_upper(a) && identifier_is_upper(b)) &&
	    !(j == i + 4 && identifier_is_lower(a) && identifier_is_lower(b)))
		return false;
	a = identifier_lower(a);
	b = identifier_lower(b);
	if (a == 's' && (b == 'a' || b == 'd' || b == 's'))
		return false;
	*end = j + 2;
	return true;
}

/* Is there a run of one to five digits outside [skip, skip_end)? */
static bool
identifier_house_number(const char *s, size_t len, size_t skip,
    size_t skip_end)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i;

		if (i == skip) {
			i = skip_end;
			continue;
		}
		if (!identifier_is_digit(s[i])) {
			i++;
			continue;
		}
		while (i < len && i != skip && identifier_is_digit(s[i]))
			i++;
		if (i - start <= 5)
			return true;
	}
	return false;
}

/* A postcode and a house number: "1234 AB 12", "Dorpsstraat 12, 1234 AB". */
static bool
identifier_postcode_house(const char *s, size_t len)
{
	size_t end;

	for (size_t i = 0; i + 6 <= len; i++) {
		if (identifier_postcode_at(s, len, i, &end) &&
		    identifier_house_number(s, len, i, end))
			return true;
	}
	return false;
}

/* Binary search of identifier_first_names, case-insensitively. */
static bool
identifier_first_name(const char *s, size_t len)
{
	size_t lo = 0, hi = nitems(identifier_first_names);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = identifier_compare(s, len, identifier_first_names[mid]);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

static bool
identifier_tussenvoegsel(const char *s, size_t len)
{
	return identifier_in_list(s, len, identifier_tussenvoegsels,
	    nitems(identifier_tussenvoegsels));
}

/* A name's capital: A-Z, or an accented capital (UTF-8 C3 80..9E). */
static bool
identifier_capital(const char *s, size_t len)
{
	unsigned char c0 = s[0], c1 = len > 1 ? s[1] : 0;

	return identifier_is_upper(c0) ||
	    (c0 == 0xc3 && c1 >= 0x80 && c1 <= 0x9e && c1 != 0x97);
}

/*
 * A capitalised word that may be part of a name: letters (any byte from
 * 0x80 counts, for accents), '-' and '\'', or an initial ("P.").
 */
static bool
identifier_name_word(const char *s, size_t len)
{
	if (!identifier_capital(s, len))
		return false;
	if (len == 2 && s[1] == '.')
		return true;
	for (size_t i = 1; i < len; i++) {
		unsigned char ch = s[i];

		if (!identifier_is_alpha(ch) && ch < 0x80 && ch != '-' &&
		    ch != '\'')
			return false;
	}
	return true;
}

/* A surname: a name word, but not "Museum" or "Julianastraat". */
static bool
identifier_surname(const char *s, size_t len)
{
	if (!identifier_name_word(s, len) || s[len - 1] == '.')
		return false;
	if (identifier_in_list(s, len, identifier_not_surnames,
	    nitems(identifier_not_surnames)))
		return false;
	return !identifier_ends_in_list(s, len, identifier_not_surname_endings,
	    nitems(identifier_not_surname_endings));
}

/* Splits s[0..len) at spaces; -1 if there are too many or too long words. */
static int
identifier_split(const char *s, size_t len, struct identifier_word *w)
{
	int n = 0;

	for (size_t i = 0; i < len;) {
		size_t start;

		if (s[i] == ' ') {
			i++;
			continue;
		}
		start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (n == IDENTIFIER_WORDS_MAX ||
		    i - start > IDENTIFIER_WORD_MAX)
			return -1;
		w[n].off = start;
		w[n].len = i - start;
		n++;
	}
	return n;
}

/*
 * Words after a first name, or a surname with its tussenvoegsels: each a
 * tussenvoegsel or a name word, at least one a surname. With last, that
 * must be the last word ("Jan de Vries", not "Jan Vries de").
 */
static bool
identifier_name_rest(const char *s, const struct identifier_word *w, int n,
    bool last)
{
	bool surname = false;

	for (int i = 0; i < n; i++) {
		const char *p = s + w[i].off;

		if (identifier_tussenvoegsel(p, w[i].len))
			continue;
		if (!identifier_name_word(p, w[i].len))
			return false;
		if (identifier_surname(p, w[i].len) && (!last || i == n - 1))
			surname = true;
	}
	return surname;
}

/* "Vries, Jan de" and "de Vries, Jan": a surname, then a known first name. */
static bool
identifier_name_inverted(const char *s, size_t len, size_t comma)
{
	struct identifier_word w[IDENTIFIER_WORDS_MAX];
	int n, m;

	if ((n = identifier_split(s, comma, w)) < 1 || n > 4 ||
	    !identifier_name_rest(s, w, n, false))
		return false;
	s += comma + 1;
	len -= comma + 1;
	if ((m = identifier_split(s, len, w)) < 1 || n + m > 6 ||
	    !identifier_first_name(s + w[0].off, w[0].len))
		return false;
	for (int i = 1; i < m; i++) {
		if (!identifier_tussenvoegsel(s + w[i].off, w[i].len) &&
		    !identifier_name_word(s + w[i].off, w[i].len))
			return false;
	}
	return true;
}

/*
 * A known first name and a capitalised surname, tussenvoegsels and second
 * names between: "Jan de Vries", "Fatima El Amrani", "Jan P. van Dijk".
 * "Den Haag" and "Van Gogh Museum" do not start with a first name.
 */
static bool
identifier_name(const char *s, size_t len)
{
	struct identifier_word w[IDENTIFIER_WORDS_MAX];
	const char *comma = memchr(s, ',', len);
	int n;

	if (comma != NULL) {
		if (memchr(comma + 1, ',', len - (comma - s) - 1) != NULL)
			return false;
		return identifier_name_inverted(s, len, comma - s);
	}
	if ((n = identifier_split(s, len, w)) < 2)
		return false;
	if (!identifier_first_name(s + w[0].off, w[0].len))
		return false;
	return identifier_name_rest(s, w + 1, n - 1, true);
}

/*
 * One value. A single pass counts digits, letters and '@'; those decide
 * which patterns are worth trying, so a figure costs one scan.
 */
enum identifier_kind
identifier_value(const char *s, size_t len)
{
	size_t digits = 0, letters = 0, high = 0, ats = 0, other = 0;

	s = identifier_trim(s, &len);
	if (len == 0)
		return IDENTIFIER_NONE;
	if (len > IDENTIFIER_VALUE_MAX) {
		if (memchr(s, '@', len) != NULL && identifier_email(s, len))
			return IDENTIFIER_EMAIL;
		return IDENTIFIER_NONE;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = s[i];

		if (identifier_is_digit(ch))
			digits++;
		else if (identifier_is_alpha(ch))
			letters++;
		else if (ch >= 0x80)
			high++;
		else if (ch == '@')
			ats++;
		else
			other++;
	}

	if (ats > 0)
		return identifier_email(s, len) ?
		    IDENTIFIER_EMAIL : IDENTIFIER_NONE;
	if (letters == 0 && high == 0) {
		if (digits < 8)
			return IDENTIFIER_NONE;
		if (identifier_bsn_valid(s, len))
			return IDENTIFIER_BSN;
		if (identifier_phone(s, len))
			return IDENTIFIER_PHONE;
		return IDENTIFIER_NONE;
	}
	if (digits > 0) {
		if (len >= 15 && identifier_is_alpha(s[0]) &&
		    identifier_is_alpha(s[1]) && identifier_is_digit(s[2]) &&
		    identifier_is_digit(s[3]) && identifier_iban_valid(s, len))
			return IDENTIFIER_IBAN;
		if (digits >= 5 && identifier_postcode_house(s, len))
			return IDENTIFIER_POSTCODE_HOUSE;
		return IDENTIFIER_NONE;
	}
	/* A name has a space or comma between its words. */
	if (other > 0 && letters >= 4 && identifier_name(s, len))
		return IDENTIFIER_NAME;
	return IDENTIFIER_NONE;
}

/* Lower case, without '_', '-', ' ' or a byte order mark; false if long. */
static bool
identifier_header_normalise(const char *h, char *out, size_t *outlen)
{
	size_t n = 0;

	if (strncmp(h, "\xef\xbb\xbf", 3) == 0)
		h += 3;
	for (; *h != '\0'; h++) {
		unsigned char ch = *h;

		if (ch == '_' || ch == '-' || ch == ' ' || ch == '\t')
			continue;
		if (n == IDENTIFIER_HEADER_MAX)
			return false;
		out[n++] = identifier_lower(ch);
	}
	*outlen = n;
	return true;
}

/*
 * Is h a name column: a name word on its own, or "naam"/"name" after a
 * word for a person ("klantnaam", "lastname")? Only a person: gemeentenaam
 * and wijknaam are in every benchmark upload.
 */
static bool
identifier_header_is_name(const char *h, size_t n)
{
	if (identifier_in_list(h, n, identifier_name_headers,
	    nitems(identifier_name_headers)))
		return true;
	if (n < 4)
		return false;
	if (memcmp(h + n - 4, "naam", 4) == 0)
		return identifier_in_list(h, n - 4, identifier_naam_prefixes,
		    nitems(identifier_naam_prefixes));
	if (memcmp(h + n - 4, "name", 4) == 0)
		return identifier_in_list(h, n - 4, identifier_name_prefixes,
		    nitems(identifier_name_prefixes));
	return false;
}

/* Borrows header; NULL is no name. */
void
identifier_column_header(struct identifier_column *col, const char *header)
{
	char h[IDENTIFIER_HEADER_MAX];
	size_t n;

	if (header == NULL || !identifier_header_normalise(header, h, &n))
		return;
	if (identifier_in_list(h, n, identifier_bsn_headers,
	    nitems(identifier_bsn_headers)))
		col->header_bsn = true;
	else if (n > 3 && (memcmp(h, "bsn", 3) == 0 ||
	    memcmp(h + n - 3, "bsn", 3) == 0))
		col->header_bsn = true;	/* "bsn_client", "klant_bsn" */
	if (identifier_header_is_name(h, n))
		col->header_name = true;
}

static void
identifier_column_hit(struct identifier_column *col, enum identifier_kind k,
    long row)
{
	if (col->hits[k]++ == 0)
		col->first_row[k] = row;
}

/*
 * Rows count from 1. In a column named for names every non-empty value
 * counts as a name as well, so first_row[IDENTIFIER_NAME] says where.
 */
void
identifier_column_add(struct identifier_column *col, const char *value,
    size_t len, long row)
{
	enum identifier_kind k;

	value = identifier_trim(value, &len);
	if (len == 0)
		return;
	col->values++;
	if ((k = identifier_value(value, len)) != IDENTIFIER_NONE)
		identifier_column_hit(col, k, row);
	if (col->header_name && k != IDENTIFIER_NAME)
		identifier_column_hit(col, IDENTIFIER_NAME, row);
}

/*
 * Is hits a majority of the column's values, and enough to go by? A short
 * column where every value hits counts too: two BSNs in a two-row upload
 * are no accident (random numbers pass the 11-test 1 time in 11).
 */
static bool
identifier_column_majority(const struct identifier_column *col, long hits)
{
	return hits * 2 >= col->values && (hits >= IDENTIFIER_MIN_HITS ||
	    hits == col->values);
}

static bool
identifier_column_qualifies(const struct identifier_column *col,
    enum identifier_kind k)
{
	long hits = col->hits[k];

	if (hits == 0)
		return false;
	switch (k) {
	case IDENTIFIER_BSN:
		return col->header_bsn ||
		    identifier_column_majority(col, hits);
	case IDENTIFIER_NAME:
		return col->header_name ||
		    identifier_column_majority(col, hits);
	default:
		return true;
	}
}

/* The kind seen first (ties: enum order) that qualifies; row may be NULL. */
enum identifier_kind
identifier_column_verdict(const struct identifier_column *col, long *row)
{
	enum identifier_kind best = IDENTIFIER_NONE;

	for (int k = IDENTIFIER_BSN; k <= IDENTIFIER_NAME; k++) {
		if (!identifier_column_qualifies(col, k))
			continue;
		if (best == IDENTIFIER_NONE ||
		    col->first_row[k] < col->first_row[best])
			best = k;
	}
	if (row != NULL)
		*row = best == IDENTIFIER_NONE ? 0 : col->first_row[best];
	return best;
}

/* A static string, or NULL for IDENTIFIER_NONE. */
const char *
identifier_reason(enum identifier_kind k)
{
	if (k <= IDENTIFIER_NONE || k >= (int)nitems(identifier_reasons))
		return NULL;
	return identifier_reasons[k];
}

/* --- One label ------------------------------------------------------------ */

#define IDENTIFIER_LABEL_MAX	128

/*
 * s with full-width forms (U+FF01..U+FF5E), the ideographic space and the
 * no-break space folded to ASCII, into out (at most IDENTIFIER_LABEL_MAX
 * bytes). Returns its length, or -1 if it does not fit.
 */
static int
identifier_fold(const char *s, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = p[i];

		if (n == IDENTIFIER_LABEL_MAX)
			return -1;
		if (ch == 0xef && i + 2 < len && (p[i + 1] == 0xbc ||
		    p[i + 1] == 0xbd)) {
			unsigned cp = (unsigned)(ch & 0x0f) << 12 |
			    (unsigned)(p[i + 1] & 0x3f) << 6 |
			    (unsigned)(p[i + 2] & 0x3f);

			if (cp >= 0xff01 && cp <= 0xff5e) {
				out[n++] = (char)(cp - 0xff01 + 0x21);
				i += 2;
				continue;
			}
		}
		if (ch == 0xe3 && i + 2 < len && p[i + 1] == 0x80 &&
		    p[i + 2] == 0x80) {
			out[n++] = ' ';
			i += 2;
			continue;
		}
		if (ch == 0xc2 && i + 1 < len && p[i + 1] == 0xa0) {
			out[n++] = ' ';
			i++;
			continue;
		}
		out[n++] = (char)ch;
	}
	return (int)n;
}

/*
 * A full date: YYYY-MM-DD; D-M-YYYY, D/M/YY, D.M.YYYY (day and month of one
 * or two digits, a two-digit year); YYYYMMDD.
 */
static bool
identifier_full_date(const char *s, size_t len)
{
	int y, m, d, used = 0;
	char sep;

	if (len == 10 && identifier_is_digit(s[0]) && s[4] == '-' &&
	    s[7] == '-' && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3)
		;
	else if (len >= 6 && len <= 10 && identifier_is_digit(s[0]) &&
	    sscanf(s, "%2d%c%2d%*[-/.]%4d%n", &d, &sep, &m, &y, &used) == 4 &&
	    (size_t)used == len && strchr("-/.", sep) != NULL) {
		if (y < 100)		/* '80: the 1900s or 2000s */
			y += y > 30 ? 1900 : 2000;
	} else if (len == 8 && (s[0] == '1' || s[0] == '2') &&
	    sscanf(s, "%4d%2d%2d", &y, &m, &d) == 3) {
		for (size_t i = 0; i < len; i++)
			if (!identifier_is_digit(s[i]))
				return false;
	} else
		return false;
	return y >= 1850 && y <= 2150 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= 31;
}

/*
 * A number in scientific notation ("1.23456782E8", as spreadsheets write
 * long numbers) as its whole-number digits, into out; false if s is not
 * one or is not whole.
 */
static bool
identifier_scientific(const char *s, size_t len, char *out)
{
	char digits[32];
	size_t nd = 0, i = 0, frac = 0;
	long exp;
	char *end;
	char buf[64];

	if (len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (; i < len && (identifier_is_digit(buf[i]) || buf[i] == '.' ||
	    buf[i] == ','); i++) {
		if (buf[i] == '.' || buf[i] == ',') {
			if (frac > 0)
				return false;
			frac = 1;
			continue;
		}
		if (nd + 1 >= sizeof digits)
			return false;
		digits[nd++] = buf[i];
		if (frac > 0)
			frac++;
	}
	if (nd == 0 || i >= len || (buf[i] != 'e' && buf[i] != 'E'))
		return false;
	exp = strtol(buf + i + 1, &end, 10);
	if (end == buf + i + 1 || *end != '\0' || exp < 0 || exp > 18)
		return false;
	frac = frac > 0 ? frac - 1 : 0;
	if ((long)frac > exp)
		return false;
	for (long k = 0; k < exp - (long)frac; k++) {
		if (nd + 1 >= sizeof digits)
			return false;
		digits[nd++] = '0';
	}
	memcpy(out, digits, nd);
	out[nd] = '\0';
	return true;
}

/*
 * Common Dutch surnames (lower case, sorted bytewise), for a label of an
 * unknown first name and a surname ("Gerrit Jansen").
 */
static const char *identifier_surnames[] = {
	"bakker", "bos", "boer", "bosch", "brouwer", "de boer", "de bruijn",
	"de graaf", "de groot", "de haan", "de jong", "de jonge", "de koning",
	"de vos", "de vries", "de wit", "dekker", "dijkstra", "hendriks",
	"hoekstra", "jacobs", "jansen", "janssen", "kok", "koster", "meijer",
	"mulder", "peters", "postma", "prins", "smit", "smits", "van beek",
	"van dam", "van den berg", "van der linden", "van der meer",
	"van dijk", "van leeuwen", "vermeulen", "visser", "vos", "willems",
};

/* Forms of address that a name follows ("mevrouw Bakker", "dhr. Smit"). */
static const char *identifier_titles[] = {
	"de heer", "dhr", "dhr.", "dr", "dr.", "heer", "ir.", "meneer", "mevr",
	"mevr.", "mevrouw", "mr", "mr.", "mw", "mw.", "prof.",
};

/* Dutch month names and their abbreviations, for a written date. */
static const char *identifier_months[] = {
	"apr", "april", "aug", "augustus", "dec", "december", "feb",
	"februari", "jan", "januari", "jul", "juli", "jun", "juni", "maa",
	"maart", "mei", "mrt", "nov", "november", "okt", "oktober", "sep",
	"sept", "september",
};

/* Initials: "J." or "J.P." */
static bool
identifier_initials(const char *s, size_t len)
{
	if (len < 2 || len % 2 != 0)
		return false;
	for (size_t i = 0; i < len; i += 2)
		if (!identifier_is_upper((unsigned char)s[i]) || s[i + 1] != '.')
			return false;
	return true;
}

/*
 * The label with the first letter of each word that is not a tussenvoegsel
 * in upper case ("jan de vries" as "Jan de Vries"), into out (len + 1).
 */
static void
identifier_title_case(const char *s, size_t len, char *out)
{
	struct identifier_word w[IDENTIFIER_WORDS_MAX];
	int n;

	memcpy(out, s, len);
	out[len] = '\0';
	if ((n = identifier_split(s, len, w)) < 0)
		return;
	for (int i = 0; i < n; i++)
		if (!identifier_tussenvoegsel(s + w[i].off, w[i].len) &&
		    identifier_is_lower((unsigned char)out[w[i].off]))
			out[w[i].off] = (char)(out[w[i].off] - 32);
}

/*
 * A person's name as a label may be written any way at all, so more counts
 * here than in a column: a form of address or initials before a surname
 * ("mevrouw Bakker", "J. de Vries"), a common surname after any capitalised
 * word ("Gerrit Jansen"), and any case ("jan de vries").
 */
static bool
identifier_label_name(const char *s, size_t len)
{
	struct identifier_word w[IDENTIFIER_WORDS_MAX];
	char tc[IDENTIFIER_LABEL_MAX + 1];
	const char *comma;
	size_t rest;
	int n;

	if (len > IDENTIFIER_LABEL_MAX)
		return false;
	identifier_title_case(s, len, tc);
	if (identifier_name(tc, len))
		return true;
	if ((comma = memchr(tc, ',', len)) != NULL) {
		/* "de Vries, J." */
		const char *a = comma + 1;

		rest = len - (size_t)(a - tc);
		while (rest > 0 && *a == ' ') {
			a++;
			rest--;
		}
		return (n = identifier_split(tc, (size_t)(comma - tc), w)) >= 1 &&
		    identifier_name_rest(tc, w, n, false) &&
		    identifier_initials(a, rest);
	}
	if ((n = identifier_split(tc, len, w)) < 2 || n > 5)
		return false;
	/* A form of address or initials, then a surname. */
	for (int k = 1; k <= 2 && k < n; k++) {
		size_t plen = w[k - 1].off + w[k - 1].len;

		if ((identifier_in_list(tc, plen, identifier_titles,
		    nitems(identifier_titles)) || (k == 1 &&
		    identifier_initials(tc, w[0].len))) &&
		    identifier_name_rest(tc, w + k, n - k, true))
			return true;
	}
	/* Any name word, then a common surname (with its tussenvoegsels). */
	for (int k = 1; k < n; k++) {
		size_t off = w[k].off;

		if (identifier_name_word(tc + w[0].off, w[0].len) &&
		    identifier_in_list(tc + off, len - off, identifier_surnames,
		    nitems(identifier_surnames)))
			return true;
	}
	return false;
}

/*
 * An e-mail address written to dodge a filter: " @ ", "(at)", "[at]",
 * " at ", "(dot)", "[dot]", " dot ", "(punt)" put back.
 */
static bool
identifier_label_email(const char *s, size_t len)
{
	static const struct {
		const char	*from;
		char		 to;
	} subs[] = {
		{ "(at)", '@' }, { "[at]", '@' }, { "{at}", '@' }, { " at ", '@' },
		{ " @ ", '@' }, { "(dot)", '.' }, { "[dot]", '.' },
		{ "{dot}", '.' }, { " dot ", '.' }, { "(punt)", '.' },
		{ "[punt]", '.' }, { " punt ", '.' },
	};
	char buf[IDENTIFIER_LABEL_MAX + 1];
	size_t n = 0;

	if (len > IDENTIFIER_LABEL_MAX)
		return false;
	for (size_t i = 0; i < len; ) {
		size_t k;

		for (k = 0; k < nitems(subs); k++) {
			size_t fl = strlen(subs[k].from);

			if (i + fl <= len && identifier_compare(s + i, fl,
			    subs[k].from) == 0) {
				buf[n++] = subs[k].to;
				i += fl;
				break;
			}
		}
		if (k < nitems(subs))
			continue;
		if (s[i] != ' ')
			buf[n++] = s[i];
		i++;
	}
	return n != len && memchr(buf, '@', n) != NULL &&
	    identifier_email(buf, n);
}

/*
 * A BSN anywhere in the label, among words or split by separators: each
 * run of digits (spaces, dots and dashes between digits allowed) of 8 or 9
 * digits that passes the 11-test.
 */
static bool
identifier_label_bsn(const char *s, size_t len)
{
	char d[16];
	size_t nd = 0;

	for (size_t i = 0; i <= len; i++) {
		bool digit = i < len && identifier_is_digit((unsigned char)s[i]);
		bool joiner = i < len && nd > 0 && i + 1 < len &&
		    strchr(" .-", s[i]) != NULL &&
		    identifier_is_digit((unsigned char)s[i + 1]);

		if (digit) {
			if (nd < sizeof d - 1)
				d[nd] = s[i];
			nd++;
			continue;
		}
		if (joiner)
			continue;
		if ((nd == 8 || nd == 9) && identifier_bsn_valid(d, nd))
			return true;
		nd = 0;
	}
	return false;
}

/* A written date: "12 maart 1980", "3 mrt. 1980", "12 maart '80". */
static bool
identifier_label_written_date(const char *s, size_t len)
{
	struct identifier_word w[IDENTIFIER_WORDS_MAX];
	int n = identifier_split(s, len, w);

	for (int i = 0; i + 2 < n + 1 && i + 1 < n; i++) {
		const char *a = s + w[i].off, *m = s + w[i + 1].off;
		size_t ml = w[i + 1].len;

		if (w[i].len > 2 || !identifier_is_digit((unsigned char)a[0]))
			continue;
		if (ml > 1 && m[ml - 1] == '.')
			ml--;
		if (!identifier_in_list(m, ml, identifier_months,
		    nitems(identifier_months)))
			continue;
		if (i + 2 < n) {
			const char *y = s + w[i + 2].off;

			if (identifier_is_digit((unsigned char)y[0]) ||
			    y[0] == '\'')
				return true;
		}
	}
	return false;
}

/*
 * Does one category label (or a column's name) look like a direct
 * identifier? Unlike identifier_value(), one occurrence is enough (a label
 * is published, so a single BSN or name among labels is one too many), and
 * the label is tried as written and normalised: full-width characters
 * folded, spaces, dots, dashes, slashes and underscores taken out, upper
 * case, scientific notation expanded. A full date counts too.
 */
enum identifier_kind
identifier_label(const char *s, size_t len)
{
	char folded[IDENTIFIER_LABEL_MAX + 1], bare[IDENTIFIER_LABEL_MAX + 1];
	char sci[40];
	enum identifier_kind k;
	size_t nb = 0;
	int n;

	s = identifier_trim(s, &len);
	if (len == 0)
		return IDENTIFIER_NONE;
	if ((n = identifier_fold(s, len, folded)) == -1)
		return identifier_value(s, len);	/* long: free text */
	folded[n] = '\0';
	if ((k = identifier_value(folded, (size_t)n)) != IDENTIFIER_NONE)
		return k;
	if (identifier_full_date(folded, (size_t)n) ||
	    identifier_label_written_date(folded, (size_t)n))
		return IDENTIFIER_DATE;
	if (identifier_label_bsn(folded, (size_t)n))
		return IDENTIFIER_BSN;
	if (identifier_label_email(folded, (size_t)n))
		return IDENTIFIER_EMAIL;
	if (identifier_label_name(folded, (size_t)n))
		return IDENTIFIER_NAME;
	for (int i = 0; i < n; i++)
		if (strchr(" .-/_\t", folded[i]) == NULL)
			bare[nb++] = (char)(identifier_is_lower(
			    (unsigned char)folded[i]) ? folded[i] - 32 :
			    folded[i]);
	bare[nb] = '\0';
	if (nb > 0 && nb != (size_t)n &&
	    (k = identifier_value(bare, nb)) != IDENTIFIER_NONE)
		return k;
	if (nb > 0 && identifier_iban_valid(bare, nb))
		return IDENTIFIER_IBAN;
	if (identifier_scientific(folded, (size_t)n, sci) &&
	    (k = identifier_value(sci, strlen(sci))) != IDENTIFIER_NONE)
		return k;
	return IDENTIFIER_NONE;
}
