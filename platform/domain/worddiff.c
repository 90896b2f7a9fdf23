/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What changed inside one block of a guideline, word by word, as HTML:
 * the new text with the words that went marked <del> and the words that
 * came marked <ins> (blockdiff.c decides which blocks to compare).
 *
 * Tokens: a word (letters, digits and every UTF-8 character that is not
 * punctuation or a space), one punctuation mark, or a run of white space;
 * together the tokens are the text exactly. The longest common subsequence
 * of the two token lists (white space weighing nothing) is found by
 * dynamic programming over what is left once the common beginning and end
 * are taken off, so that the usual edit (a few words in a paragraph) costs
 * next to nothing. A block rewritten for the most part reads better as old
 * and new one after the other than as a mix of marks: the caller is told.
 *
 * The work is bounded: a table over n x m tokens is n x m cells, and a
 * block pair whose middle needs more than WORDDIFF_CELLS_MAX cells, or
 * more than the caller's budget left, is not compared at all: the caller
 * shows it as replaced whole. A hostile 200 KB paragraph against a
 * shuffled copy of itself is 10^9 cells; it is refused in microseconds.
 */
#include "domain/domain.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

struct worddiff_token {
	const char	*p;
	size_t		 len;
	uint32_t	 hash;
};

struct worddiff_list {
	struct worddiff_token	*t;
	size_t			 n;
};

/* The length of the UTF-8 sequence at s (1 for a byte that starts none). */
static size_t
worddiff_utf8_len(const unsigned char *s)
{
	if (s[0] >= 0xf0 && s[1] >= 0x80 && s[2] >= 0x80 && s[3] >= 0x80)
		return 4;
	if (s[0] >= 0xe0 && s[1] >= 0x80 && s[2] >= 0x80)
		return 3;
	if (s[0] >= 0xc0 && s[1] >= 0x80)
		return 2;
	return 1;
}

/*
 * Is the character at s (len bytes) punctuation or a space, a token of its
 * own? ASCII punctuation; Latin-1's (U+00A0 to U+00BF: no-break space,
 * guillemets, section sign); general punctuation (U+2000 to U+206F: dashes,
 * curly quotes, ellipsis).
 */
static bool
worddiff_is_mark(const unsigned char *s, size_t len)
{
	if (len == 1)
		return !((s[0] >= 'a' && s[0] <= 'z') ||
		    (s[0] >= 'A' && s[0] <= 'Z') ||
		    (s[0] >= '0' && s[0] <= '9') || s[0] >= 0x80);
	if (len == 2)
		return s[0] == 0xc2 && s[1] >= 0xa0;
	if (len == 3)
		return s[0] == 0xe2 && (s[1] == 0x80 || s[1] == 0x81);
	return false;
}

static bool
worddiff_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static uint32_t
worddiff_hash(const char *p, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Cut s (len bytes, NUL after them) into tokens; free l->t. */
static void
worddiff_split(const char *s, size_t len, struct worddiff_list *l)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, cap = 16;

	l->n = 0;
	l->t = xcalloc(cap, sizeof *l->t);
	while (i < len) {
		size_t start = i, cl = worddiff_utf8_len(u + i);

		if (worddiff_is_space(u[i])) {
			while (i < len && worddiff_is_space(u[i]))
				i++;
		} else if (worddiff_is_mark(u + i, cl))
			i += cl;
		else {
			while (i < len && !worddiff_is_space(u[i]) &&
			    !worddiff_is_mark(u + i, cl = worddiff_utf8_len(
			    u + i)))
				i += cl;
		}
		if (i > len)
			i = len;
		if (l->n == cap) {
			cap *= 2;
			l->t = xreallocarray(l->t, cap, sizeof *l->t);
		}
		l->t[l->n].p = s + start;
		l->t[l->n].len = i - start;
		l->t[l->n].hash = worddiff_hash(s + start, i - start);
		l->n++;
	}
}

static bool
worddiff_same(const struct worddiff_token *a, const struct worddiff_token *b)
{
	return a->hash == b->hash && a->len == b->len &&
	    memcmp(a->p, b->p, a->len) == 0;
}

/* Escaped text of len bytes at p. */
static void
worddiff_text(struct evbuffer *b, const char *p, size_t len)
{
	char *s = xstrndup(p, len);

	html_escape(b, s);
	free(s);
}

/* The bytes from token i to token j (exclusive) of l. */
static void
worddiff_range(struct evbuffer *b, const struct worddiff_list *l, size_t i,
    size_t j)
{
	if (j > i)
		worddiff_text(b, l->t[i].p, (size_t)(l->t[j - 1].p +
		    l->t[j - 1].len - l->t[i].p));
}

/*
 * Words that went, or came, as <del> or <ins> with a hidden word for
 * screen readers: colour is not the only sign (the page underlines and
 * strikes through as well).
 */
void
worddiff_mark(struct evbuffer *b, bool added, const char *p, size_t len)
{
	if (len == 0)
		return;
	html_out(b, added ? "<ins><span class=\"vh\">toegevoegd: </span>" :
	    "<del><span class=\"vh\">verwijderd: </span>");
	worddiff_text(b, p, len);
	html_out(b, added ? "</ins>" : "</del>");
}

static void
worddiff_mark_range(struct evbuffer *b, bool added,
    const struct worddiff_list *l, size_t i, size_t j)
{
	if (j > i)
		worddiff_mark(b, added, l->t[i].p, (size_t)(l->t[j - 1].p +
		    l->t[j - 1].len - l->t[i].p));
}

/* Is every token from i to j (exclusive) white space? */
static bool
worddiff_blank(const struct worddiff_list *l, size_t i, size_t j)
{
	for (; i < j; i++)
		if (!worddiff_is_space((unsigned char)l->t[i].p[0]))
			return false;
	return true;
}

/*
 * At a[i] against b[j], unequal: does the old token go (or the new one
 * come)? The way that keeps the longer LCS (L points at cell i, j); on a
 * tie, not the white space, so that it stays between the words.
 */
static bool
worddiff_take_old(const struct worddiff_list *a, const struct worddiff_list *b,
    size_t i, size_t an, size_t j, size_t bn, const uint16_t *L, size_t w)
{
	if (j == bn || i == an)
		return j == bn;
	if (L[w] != L[1])
		return L[w] > L[1];
	return !worddiff_is_space((unsigned char)a->t[i].p[0]) ||
	    worddiff_is_space((unsigned char)b->t[j].p[0]);
}

/*
 * Walk the table L (suffix LCS lengths of a[ai..an) against b[bi..bn), w
 * columns) and write the marked text. Equal runs that are only white space
 * between two changes join the change, so "<del>a</del> <del>b</del>"
 * reads as one change "a b".
 */
static void
worddiff_walk(struct evbuffer *out, const struct worddiff_list *a,
    const struct worddiff_list *b, size_t ai, size_t an, size_t bi,
    size_t bn, const uint16_t *L, size_t w)
{
	size_t i = ai, j = bi, di = ai, dj = bi;	/* change starts */

	while (i < an || j < bn) {
		size_t ei = i, ej = j;

		/* Take the equal run starting here. */
		while (ei < an && ej < bn && worddiff_same(&a->t[ei],
		    &b->t[ej]))
			ei++, ej++;
		if (ei > i && (ei == an || ej == bn || !worddiff_blank(a, i,
		    ei) || (di == i && dj == j))) {
			worddiff_mark_range(out, false, a, di, i);
			worddiff_mark_range(out, true, b, dj, j);
			worddiff_range(out, b, j, ej);
			i = di = ei;
			j = dj = ej;
			continue;
		}
		/* A blank equal run inside a change, or a change: step. */
		if (ei > i) {
			i = ei;
			j = ej;
			continue;
		}
		if (worddiff_take_old(a, b, i, an, j, bn, L + (i - ai) * w +
		    (j - bi), w))
			i++;
		else
			j++;
	}
	worddiff_mark_range(out, false, a, di, an);
	worddiff_mark_range(out, true, b, dj, bn);
}

/* What a matched token weighs: white space nothing, so that the LCS
 * lines up words and marks, not the spaces between them. */
static uint16_t
worddiff_weight(const struct worddiff_token *t)
{
	return worddiff_is_space((unsigned char)t->p[0]) ? 0 : 1;
}

/* How many of l's tokens from i to j (exclusive) weigh anything. */
static size_t
worddiff_words(const struct worddiff_list *l, size_t i, size_t j)
{
	size_t n = 0;

	for (; i < j; i++)
		n += worddiff_weight(&l->t[i]);
	return n;
}

/*
 * Append to out the new text of a block with its changes from the old one
 * marked. *budget is the table cells the caller still allows; what this
 * pair used is taken off it. Returns 0; WORDDIFF_TOO_LARGE (nothing
 * written) when the pair needs more than WORDDIFF_CELLS_MAX cells or the
 * budget; WORDDIFF_REWRITTEN (nothing written) when less than a third of
 * the words stayed, too little to read as edits. In both cases the caller
 * shows the block as replaced whole.
 */
int
worddiff_html(struct evbuffer *out, const char *old, size_t old_len,
    const char *new, size_t new_len, size_t *budget)
{
	struct worddiff_list a, b;
	size_t pre = 0, suf = 0, n, m, w, cells;
	uint16_t *L;
	size_t kept, words;
	int rc = 0;

	worddiff_split(old, old_len, &a);
	worddiff_split(new, new_len, &b);
	while (pre < a.n && pre < b.n && worddiff_same(&a.t[pre], &b.t[pre]))
		pre++;
	while (suf < a.n - pre && suf < b.n - pre && worddiff_same(
	    &a.t[a.n - 1 - suf], &b.t[b.n - 1 - suf]))
		suf++;
	n = a.n - pre - suf;
	m = b.n - pre - suf;
	w = m + 1;
	/* Checked before multiplying: n + 1 and w are each at most 2^20. */
	if (n + 1 > WORDDIFF_CELLS_MAX || w > WORDDIFF_CELLS_MAX ||
	    (cells = (n + 1) * w) > WORDDIFF_CELLS_MAX || cells > *budget) {
		free(a.t);
		free(b.t);
		return WORDDIFF_TOO_LARGE;
	}
	*budget -= cells;
	/* L[i][j]: the LCS of a's middle from i on and b's from j on. */
	L = xcalloc(cells, sizeof *L);
	for (size_t i = n; i-- > 0; )
		for (size_t j = m; j-- > 0; )
			L[i * w + j] = worddiff_same(&a.t[pre + i],
			    &b.t[pre + j]) ? L[(i + 1) * w + j + 1] +
			    worddiff_weight(&a.t[pre + i]) :
			    L[(i + 1) * w + j] > L[i * w + j + 1] ?
			    L[(i + 1) * w + j] : L[i * w + j + 1];
	kept = L[0] + worddiff_words(&a, 0, pre) + worddiff_words(&a,
	    pre + n, a.n);
	words = worddiff_words(&a, 0, a.n);
	if (worddiff_words(&b, 0, b.n) > words)
		words = worddiff_words(&b, 0, b.n);
	if (kept * 3 < words)
		rc = WORDDIFF_REWRITTEN;
	else {
		worddiff_range(out, &b, 0, pre);
		worddiff_walk(out, &a, &b, pre, pre + n, pre, pre + m, L, w);
		worddiff_range(out, &b, pre + m, b.n);
	}
	free(L);
	free(a.t);
	free(b.t);
	return rc;
}
