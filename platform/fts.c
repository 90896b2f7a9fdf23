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
 */
#include "meent.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

struct fts_tokenizer {
	fts5_tokenizer		 parent;
	Fts5Tokenizer		*parent_tok;
	struct sb_stemmer	*stemmer;
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
	free(t);
}

static int
fts_token_cb(void *p, int tflags, const char *token, int len, int start,
    int end)
{
	struct fts_ctx *c = p;
	const sb_symbol *stem;

	if ((c->flags & FTS5_TOKENIZE_PREFIX) || len <= 0 || len > 64)
		return c->emit(c->ctx, tflags, token, len, start, end);
	stem = sb_stemmer_stem(c->tok->stemmer, (const sb_symbol *)token, len);
	if (stem == NULL)
		return SQLITE_NOMEM;
	return c->emit(c->ctx, tflags, (const char *)stem,
	    sb_stemmer_length(c->tok->stemmer), start, end);
}

static int
fts_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text,
    int len, int (*emit)(void *, int, const char *, int, int, int))
{
	struct fts_tokenizer *t = (struct fts_tokenizer *)p;
	struct fts_ctx c = { t, ctx, emit, flags };

	return t->parent.xTokenize(t->parent_tok, &c, flags, text, len,
	    fts_token_cb);
}

/* Register "meent_nl" on a connection. Returns an SQLite result code. */
int
fts_register(sqlite3 *h)
{
	static fts5_tokenizer tok = { fts_create, fts_delete, fts_tokenize };
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(h, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "meent_nl", api, &tok, NULL);
}

static bool
fts_word_byte(unsigned char c)
{
	/* Letters and digits; every byte of a multi-byte UTF-8 character. */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/*
 * Turn what a person typed into an FTS5 query: words stay words (each
 * quoted, so "?" or "<" is no syntax), "phrases" stay phrases, a trailing
 * * makes a prefix, AND/OR/NOT in capitals and parentheses are operators.
 * Returns the query (caller frees), or NULL with *err for an unclosed
 * quote or no words at all. Operator mistakes ("a OR") are left for FTS5
 * to refuse.
 */
char *
fts_query(const char *in, const char **err)
{
	size_t cap = strlen(in) * 3 + 16, n = 0;
	char *out = xmalloc(cap);
	bool words = false;
	const char *p = in;

#define PUT(c) (out[n++] = (c))
	while (*p != '\0') {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '"') {
			const char *end = strchr(p + 1, '"');

			if (end == NULL) {
				free(out);
				*err = "een aanhalingsteken is niet gesloten";
				return NULL;
			}
			words |= end > p + 1;
			PUT('"');
			for (const char *c = p + 1; c < end; c++)
				PUT(*c);
			PUT('"');
			p = end + 1;
			if (*p == '*')
				PUT(*p++);
			PUT(' ');
			continue;
		}
		if (*p == '(' || *p == ')') {
			PUT(*p++);
			PUT(' ');
			continue;
		}
		/* A run up to space, quote or parenthesis. */
		const char *start = p;

		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r' && *p != '"' && *p != '(' && *p != ')')
			p++;
		if ((p - start == 3 && (strncmp(start, "AND", 3) == 0 ||
		    strncmp(start, "NOT", 3) == 0)) ||
		    (p - start == 2 && strncmp(start, "OR", 2) == 0)) {
			memcpy(out + n, start, (size_t)(p - start));
			n += (size_t)(p - start);
			PUT(' ');
			continue;
		}
		for (const char *c = start; c < p; ) {
			const char *w = c;

			while (c < p && fts_word_byte((unsigned char)*c))
				c++;
			if (c > w) {
				PUT('"');
				memcpy(out + n, w, (size_t)(c - w));
				n += (size_t)(c - w);
				PUT('"');
				if (c < p && *c == '*' && c + 1 == p)
					PUT('*');
				PUT(' ');
				words = true;
			}
			while (c < p && !fts_word_byte((unsigned char)*c))
				c++;
		}
	}
#undef PUT
	out[n] = '\0';
	if (!words) {
		free(out);
		*err = "geen zoekwoorden";
		return NULL;
	}
	return out;
}
