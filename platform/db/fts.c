/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The search tokenizer "meent_nl" for SQLite FTS5: FTS5's own unicode61
 * tokenizer (lower case, diacritics removed: "financiën" is "financien")
 * with every token stemmed by libstemmer's Dutch Snowball stemmer, so that
 * "bijstandsuitkeringen" and "bijstandsuitkering" are one term.
 *
 * Tokens of a prefix query ("bijstand*") are not stemmed: a stem of a prefix
 * would no longer be a prefix of the indexed stems.
 *
 * A libstemmer stemmer is not thread-safe; each tokenizer instance has its
 * own, and each SQLite connection (one per worker) its own instances.
 *
 * Stemming was two thirds of indexing (a federation sync indexes every
 * pilot it brings), and a text repeats its words: each instance keeps the
 * stems of the last FTS_STEM_SLOTS distinct words in a direct-mapped table
 * (a word that collides replaces the one there). A stem is a function of
 * the word alone, so a hit gives the bytes the stemmer would. The table is
 * made when the instance first indexes a document: connections that only
 * search do not pay for it. 16,384 slots (2.2 MiB an indexing instance):
 * the seed pilots alone use 3,336 distinct words, and with 2,048 slots a
 * federation sync of 5,000 pilots still called the stemmer 210,659 times
 * (31,722 with 16,384; the applying thread's instructions -9 %).
 */
#include "db/db.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#define FTS_WORD_MAX	64		/* longer tokens are not stemmed */
#define FTS_STEM_SLOTS	16384		/* a power of 2; ~2.2 MiB */

struct fts_stem_slot {
	unsigned char		 len, stem_len;	/* len 0: empty */
	char			 word[FTS_WORD_MAX];
	char			 stem[FTS_WORD_MAX + 8];
};

struct fts_tokenizer {
	fts5_tokenizer		 parent;
	Fts5Tokenizer		*parent_tok;
	struct sb_stemmer	*stemmer;
	struct fts_stem_slot	*stems;		/* FTS_STEM_SLOTS, or NULL */
};

struct fts_ctx {
	struct fts_tokenizer	*tok;
	void			*ctx;
	int			(*emit)(void *, int, const char *, int, int, int);
	int			 flags;
};

static int
fts_create(void *api_ptr, const char **argv, int argc, Fts5Tokenizer **out)
{
	static const char *uargs[] = { "remove_diacritics", "2" };
	fts5_api *api = api_ptr;
	struct fts_tokenizer *t;
	void *uctx;
	int rc;

	(void)argv;
	(void)argc;
	t = xcalloc(1, sizeof *t);
	rc = api->xFindTokenizer(api, "unicode61", &uctx, &t->parent);
	if (rc == SQLITE_OK)
		rc = t->parent.xCreate(uctx, uargs, 2, &t->parent_tok);
	if (rc != SQLITE_OK) {
		free(t);
		return rc;
	}
	t->stemmer = sb_stemmer_new("dutch", "UTF_8");
	if (t->stemmer == NULL) {
		t->parent.xDelete(t->parent_tok);
		free(t);
		return SQLITE_ERROR;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
fts_delete(Fts5Tokenizer *p)
{
	struct fts_tokenizer *t = (struct fts_tokenizer *)p;

	t->parent.xDelete(t->parent_tok);
	sb_stemmer_delete(t->stemmer);
	free(t->stems);
	free(t);
}

/* The slot a word (1 to FTS_WORD_MAX bytes) belongs in: FNV-1a. */
static struct fts_stem_slot *
fts_stem_slot(struct fts_tokenizer *t, const char *word, int len)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < len; i++)
		h = (h ^ (unsigned char)word[i]) * 16777619u;
	return &t->stems[h & (FTS_STEM_SLOTS - 1)];
}

static int
fts_token_cb(void *p, int tflags, const char *token, int len, int start,
    int end)
{
	struct fts_ctx *c = p;
	struct fts_stem_slot *slot = NULL;
	const sb_symbol *stem;
	int stem_len;

	if ((c->flags & FTS5_TOKENIZE_PREFIX) || len <= 0 ||
	    len > FTS_WORD_MAX)
		return c->emit(c->ctx, tflags, token, len, start, end);
	if (c->tok->stems != NULL) {
		slot = fts_stem_slot(c->tok, token, len);
		if (slot->len == len && memcmp(slot->word, token, (size_t)len)
		    == 0)
			return c->emit(c->ctx, tflags, slot->stem,
			    slot->stem_len, start, end);
	}
	stem = sb_stemmer_stem(c->tok->stemmer, (const sb_symbol *)token, len);
	if (stem == NULL)
		return SQLITE_NOMEM;
	stem_len = sb_stemmer_length(c->tok->stemmer);
	if (slot != NULL && stem_len >= 0 &&
	    (size_t)stem_len <= sizeof slot->stem) {
		slot->len = (unsigned char)len;
		slot->stem_len = (unsigned char)stem_len;
		memcpy(slot->word, token, (size_t)len);
		memcpy(slot->stem, stem, (size_t)stem_len);
	} else if (slot != NULL)
		slot->len = 0;
	return c->emit(c->ctx, tflags, (const char *)stem, stem_len, start,
	    end);
}

static int
fts_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text,
    int len, int (*emit)(void *, int, const char *, int, int, int))
{
	struct fts_tokenizer *t = (struct fts_tokenizer *)p;
	struct fts_ctx c = { t, ctx, emit, flags };
	int rc;

	/* Tokens made ahead for this very text (fts_ahead.c)? */
	if (flags == FTS5_TOKENIZE_DOCUMENT &&
	    (rc = fts_ahead_replay(text, len, ctx, emit)) != -1)
		return rc;
	if (t->stems == NULL && (flags & FTS5_TOKENIZE_DOCUMENT))
		t->stems = xcalloc(FTS_STEM_SLOTS, sizeof *t->stems);

	return t->parent.xTokenize(t->parent_tok, &c, flags, text, len,
	    fts_token_cb);
}

/* FTS5's API on connection h (valid while h is open), or NULL. */
fts5_api *
fts_api(sqlite3 *h)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

/* Register "meent_nl" on a connection. Returns an SQLite result code. */
int
fts_register(sqlite3 *h)
{
	static fts5_tokenizer tok = { fts_create, fts_delete, fts_tokenize };
	fts5_api *api = fts_api(h);

	if (api == NULL)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "meent_nl", api, &tok, NULL);
}

/*
 * What one search may ask of FTS5. An AND of n phrases costs about n times
 * the rows that hold their terms, and each prefix phrase ("bijstand*") first
 * merges the position lists of every indexed term that starts with it;
 * snippet() and bm25() then walk every instance of every phrase in every
 * matching row, in both statements of a search (results and facets).
 * Before these caps, "e* e* e* ..." (66 prefixes fit in 200 bytes) kept a
 * worker busy for seconds to minutes. Terms are counted after
 * de-duplication, words inside "phrases" too. A prefix needs 3 characters:
 * "e*" or "de*" matches nearly every word of a Dutch text (de, een, en, er),
 * so it finds everything and costs the most; "bij*" or "zorg*" still work.
 * The time budget (db_deadline_set) is the backstop behind these caps.
 */
#define FTS_QUERY_MAX		200	/* bytes, as typed */
#define FTS_TERMS_MAX		12
#define FTS_PREFIXES_MAX	4
#define FTS_PREFIX_MIN		3	/* characters before a * */

enum fts_kind { FTS_WORD, FTS_PHRASE, FTS_OPERATOR };

/* One part of a query: a word, a "phrase", AND/OR/NOT or a parenthesis. */
struct fts_part {
	enum fts_kind	 kind;
	const char	*s;		/* in the input; a phrase unquoted */
	size_t		 len;
	bool		 prefix;
	int		 words;		/* terms it holds */
};

static bool
fts_word_byte(unsigned char c)
{
	/* Letters and digits; every byte of a multi-byte UTF-8 character. */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool
fts_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Characters (not bytes) in a UTF-8 run. */
static size_t
fts_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* The words in s (len bytes), and the length of the last one in *last. */
static int
fts_words(const char *s, size_t len, size_t *last)
{
	int n = 0;

	*last = 0;
	for (size_t i = 0; i < len; ) {
		size_t w = i;

		while (i < len && fts_word_byte((unsigned char)s[i]))
			i++;
		if (i > w) {
			n++;
			*last = fts_chars(s + w, i - w);
		}
		while (i < len && !fts_word_byte((unsigned char)s[i]))
			i++;
	}
	return n;
}

static bool
fts_same(const struct fts_part *a, const struct fts_part *b)
{
	return a->kind == b->kind && a->prefix == b->prefix &&
	    a->len == b->len && strncasecmp(a->s, b->s, a->len) == 0;
}

/*
 * Split in into parts; at most FTS_QUERY_MAX, as each takes a byte or more.
 * Returns how many, or -1 with *err.
 */
static int
fts_split(const char *in, struct fts_part *part, const char **err)
{
	const char *p = in;
	int n = 0;

	while (*p != '\0') {
		if (fts_space(*p)) {
			p++;
			continue;
		}
		if (*p == '"') {
			const char *end = strchr(p + 1, '"');
			size_t last;

			if (end == NULL) {
				*err = "een aanhalingsteken is niet gesloten";
				return -1;
			}
			part[n] = (struct fts_part){ FTS_PHRASE, p + 1,
			    (size_t)(end - p - 1), end[1] == '*', 0 };
			part[n].words = fts_words(part[n].s, part[n].len,
			    &last);
			if (part[n].prefix && last < FTS_PREFIX_MIN)
				goto short_prefix;
			p = end + 1 + part[n].prefix;
			n++;
			continue;
		}
		if (*p == '(' || *p == ')') {
			part[n++] = (struct fts_part){ FTS_OPERATOR, p++, 1,
			    false, 0 };
			continue;
		}
		/* A run up to space, quote or parenthesis. */
		const char *start = p;

		while (*p != '\0' && !fts_space(*p) && *p != '"' && *p != '(' &&
		    *p != ')')
			p++;
		if ((p - start == 3 && (strncmp(start, "AND", 3) == 0 ||
		    strncmp(start, "NOT", 3) == 0)) ||
		    (p - start == 2 && strncmp(start, "OR", 2) == 0)) {
			part[n++] = (struct fts_part){ FTS_OPERATOR, start,
			    (size_t)(p - start), false, 0 };
			continue;
		}
		for (const char *c = start; c < p; ) {
			const char *w = c;

			while (c < p && fts_word_byte((unsigned char)*c))
				c++;
			if (c > w) {
				part[n] = (struct fts_part){ FTS_WORD, w,
				    (size_t)(c - w), c + 1 == p && *c == '*',
				    1 };
				if (part[n].prefix && fts_chars(w,
				    (size_t)(c - w)) < FTS_PREFIX_MIN)
					goto short_prefix;
				n++;
			}
			while (c < p && !fts_word_byte((unsigned char)*c))
				c++;
		}
	}
	return n;
short_prefix:
	*err = "zet een * alleen achter " stringify(FTS_PREFIX_MIN) " of meer "
	    "letters, zoals bijstand*";
	return -1;
}

static bool
fts_is(const struct fts_part *p, const char *op)
{
	return p->kind == FTS_OPERATOR && p->len == strlen(op) &&
	    strncmp(p->s, op, p->len) == 0;
}

static bool
fts_binary(const struct fts_part *p)
{
	return p->kind == FTS_OPERATOR && !fts_is(p, "(") && !fts_is(p, ")");
}

/*
 * Check how the operators stand, so that a mistake is explained in words
 * rather than left to FTS5's "syntax error": AND, OR and NOT each stand
 * between two search words (or parenthesised parts), and every parenthesis
 * is closed, around something. Returns 0, or -1 with *err.
 */
static int
fts_structure(const struct fts_part *part, int n, const char **err)
{
	int depth = 0;
	bool operand = false;	/* the part before ends an operand */

	for (int i = 0; i < n; i++) {
		if (fts_binary(&part[i])) {
			if (!operand)
				goto operator;
			operand = false;
		} else if (fts_is(&part[i], "(")) {
			if (i + 1 < n && fts_is(&part[i + 1], ")")) {
				*err = "er staat niets tussen de haakjes";
				return -1;
			}
			depth++;
			operand = false;
		} else if (fts_is(&part[i], ")")) {
			if (depth == 0) {
				*err = "er staat een ) zonder ( ervoor";
				return -1;
			}
			if (!operand)
				goto operator;
			depth--;
			operand = true;
		} else
			operand = true;
	}
	if (depth > 0) {
		*err = "een haakje ( is niet gesloten";
		return -1;
	}
	if (n > 0 && !operand)
		goto operator;
	return 0;
operator:
	*err = "AND, OR en NOT staan tussen twee zoekwoorden, zoals "
	    "bijstand AND jeugd of bijstand NOT jeugd";
	return -1;
}

/* Does b follow a in an AND that FTS5 needs spelled out? */
static bool
fts_needs_and(const struct fts_part *a, const struct fts_part *b)
{
	bool a_ends = a->kind != FTS_OPERATOR || fts_is(a, ")");
	bool b_starts = b->kind != FTS_OPERATOR || fts_is(b, "(");

	/* FTS5 joins two phrases by itself, but not a phrase and a group. */
	return a_ends && b_starts && (fts_is(a, ")") || fts_is(b, "("));
}

/*
 * Turn what a person typed into an FTS5 query: words stay words (each
 * quoted, so "?" or "<" is no syntax), "phrases" stay phrases, a trailing
 * * makes a prefix, AND/OR/NOT in capitals and parentheses are operators.
 * A query of words and phrases only (no operators) loses its repeated
 * terms: "zorg* zorg*" is "zorg*". Returns the query (caller frees), or NULL
 * with *err (a static Dutch reason naming the limit) when the query is too
 * long, has too many terms or prefixes, a prefix that is too short, an
 * unclosed quote, an operator that does not stand between two words ("a
 * OR", "AND"), an unbalanced parenthesis or no words at all. A word next to
 * a group ("a (b OR c)") is joined with an AND, which FTS5 wants written.
 */
char *
fts_query(const char *in, const char **err)
{
	struct fts_part part[FTS_QUERY_MAX];
	struct evbuffer *b;
	int n, kept = 0, terms = 0, prefixes = 0;
	bool operators = false;

	if (strlen(in) > FTS_QUERY_MAX) {
		*err = "hoogstens " stringify(FTS_QUERY_MAX) " tekens";
		return NULL;
	}
	if ((n = fts_split(in, part, err)) == -1)
		return NULL;
	if (fts_structure(part, n, err) == -1)
		return NULL;
	for (int i = 0; i < n; i++)
		operators |= part[i].kind == FTS_OPERATOR;
	for (int i = 0; i < n; i++) {
		bool seen = false;

		/* With no operators, parts are ANDed: a repeat is a no-op. */
		for (int j = 0; j < kept && !operators && !seen; j++)
			seen = fts_same(&part[j], &part[i]);
		if (seen)
			continue;
		part[kept++] = part[i];
		terms += part[i].words;
		prefixes += part[i].prefix;
	}
	if (terms == 0) {
		*err = "geen zoekwoorden";
		return NULL;
	}
	if (terms > FTS_TERMS_MAX) {
		*err = "gebruik hoogstens " stringify(FTS_TERMS_MAX) " zoek"
		    "woorden";
		return NULL;
	}
	if (prefixes > FTS_PREFIXES_MAX) {
		*err = "gebruik hoogstens " stringify(FTS_PREFIXES_MAX)
		    " woorden met een *";
		return NULL;
	}
	b = evbuffer_new();
	for (int i = 0; i < kept; i++) {
		if (i > 0 && fts_needs_and(&part[i - 1], &part[i]))
			evbuffer_add(b, "AND ", 4);
		if (part[i].kind == FTS_OPERATOR)
			evbuffer_add(b, part[i].s, part[i].len);
		else {
			evbuffer_add(b, "\"", 1);
			evbuffer_add(b, part[i].s, part[i].len);
			evbuffer_add(b, part[i].prefix ? "\"*" : "\"",
			    part[i].prefix ? 2 : 1);
		}
		evbuffer_add(b, " ", 1);
	}
	return buffer_take_string(b);
}
