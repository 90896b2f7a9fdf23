/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Flesch-Douma, the Dutch adaptation of the Flesch reading ease (Douma,
 * 1960): 206.835 - 0.93 * (words per sentence) - 77 * (syllables per word).
 * Higher is easier; texts for everyone (language level B1) aim at about 60
 * or more.
 *
 * Words are runs of letters; sentences end at . ! ? and at the end of a
 * paragraph, heading or list item (Markdown); syllables are groups of
 * vowels (a e i o u y and accented ones), where a vowel with a diaeresis
 * (ë ï ö ü) starts a new group, as in "financiën". It is an estimate, as
 * every readability formula is.
 */
#include "flesch.h"

#include <string.h>

/* Is the (UTF-8) character at s a vowel? *len gets its length. */
static int
flesch_vowel(const unsigned char *s, size_t *len, int *diaeresis)
{
	*len = 1;
	*diaeresis = 0;
	if (strchr("aeiouyAEIOUY", *s) != NULL && *s != '\0')
		return 1;
	if (s[0] == 0xc3 && s[1] != '\0') {
		unsigned char c = s[1];

		*len = 2;
		/* ë ï ö ü Ë Ï Ö Ü */
		if (c == 0xab || c == 0xaf || c == 0xb6 || c == 0xbc ||
		    c == 0x8b || c == 0x8f || c == 0x96 || c == 0x9c) {
			*diaeresis = 1;
			return 1;
		}
		/* à-å è-ê ì-î ò-õ ù-û ý and capitals */
		return (c >= 0xa0 && c <= 0xbd) || (c >= 0x80 && c <= 0x9d);
	}
	if (s[0] >= 0x80)
		*len = (s[0] >= 0xf0) ? 4 : (s[0] >= 0xe0) ? 3 : 2;
	return 0;
}

/* Syllables of one word (at least 1). */
int
flesch_syllables(const char *word, size_t len)
{
	const unsigned char *s = (const unsigned char *)word;
	int groups = 0, in_group = 0;

	for (size_t i = 0; i < len; ) {
		size_t n;
		int diaeresis;

		if (flesch_vowel(s + i, &n, &diaeresis)) {
			if (!in_group || diaeresis)
				groups++;
			in_group = 1;
		} else
			in_group = 0;
		i += n;
	}
	return groups > 0 ? groups : 1;
}

static int
flesch_letter(const unsigned char *s)
{
	return (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s >= 0x80;
}

/* Add text's words, sentences and syllables to f. */
void
flesch_count(const char *text, struct flesch *f)
{
	const unsigned char *s = (const unsigned char *)text;
	long words_in_sentence = 0;

	while (*s != '\0') {
		if (flesch_letter(s)) {
			const unsigned char *start = s;

			while (flesch_letter(s) || ((*s == '-' || *s == '\'') &&
			    flesch_letter(s + 1)))
				s++;
			f->words++;
			f->syllables += flesch_syllables((const char *)start,
			    (size_t)(s - start));
			words_in_sentence++;
			continue;
		}
		/* A sentence ends at . ! ? or at a line that ends a block. */
		if (((*s == '.' || *s == '!' || *s == '?') && (s[1] == '\0' ||
		    s[1] == ' ' || s[1] == '\n')) || (*s == '\n' &&
		    (s[1] == '\n' || s[1] == '#' || s[1] == '-' || s[1] == '*' ||
		    s[1] == '\0'))) {
			if (words_in_sentence > 0)
				f->sentences++;
			words_in_sentence = 0;
		}
		s++;
	}
	if (words_in_sentence > 0)
		f->sentences++;
}

double
flesch_douma(const struct flesch *f)
{
	if (f->words == 0 || f->sentences == 0)
		return 0.0;
	return 206.835 - 0.93 * ((double)f->words / (double)f->sentences) -
	    77.0 * ((double)f->syllables / (double)f->words);
}
