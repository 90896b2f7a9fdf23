/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Search tokens made ahead, on another thread than the one that writes.
 *
 * Indexing a document runs the tokenizer ("meent_nl", fts.c) on the thread
 * that writes it, and SQLite has one writer: in a federation sync that
 * thread is the bound, and tokenizing and stemming were a tenth of its
 * work, while the helper that checks and parses the next page has a core
 * to spare. So the helper tokenizes each text first (fts_ahead_add), with
 * a tokenizer instance of its own, and records what the tokenizer emits;
 * while the writer has a list of such sets in use (fts_ahead_use), its
 * tokenizer, given a document text that a set holds byte for byte, emits
 * the recorded tokens instead of tokenizing again (fts_ahead_replay).
 *
 * A text is found by its bytes, compared in full: a text that differs
 * (the set was made from other content) is simply tokenized, so a set can
 * make indexing faster but never different. Only documents being indexed
 * are replayed (FTS5_TOKENIZE_DOCUMENT), never a query.
 *
 * The helper's tokenizer lives on a private in-memory connection (FTS5
 * hands out tokenizers per connection); one is kept between uses, with
 * its table of stems, for the next page's helper.
 */
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One token as the tokenizer emitted it; its bytes at off in the pool. */
struct fts_ahead_token {
	int		 tflags, start, end;
	uint32_t	 off;
	int		 len;
};

/* One text and its tokens. */
struct fts_ahead_doc {
	char			*text;
	int			 len;
	uint64_t		 key;
	struct fts_ahead_token	*tok;
	size_t			 ntok, tokcap;
	char			*pool;
	size_t			 poollen, poolcap;
};

struct fts_ahead {
	struct fts_ahead_doc	*doc;
	size_t			 n, cap;
};

/* A tokenizer instance for making sets, on its own connection. */
struct fts_ahead_maker {
	sqlite3			*h;
	fts5_tokenizer		 api;
	Fts5Tokenizer		*tok;
};

static pthread_mutex_t fts_ahead_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fts_ahead_maker *fts_ahead_spare;	/* under mu */
static atomic_ulong fts_ahead_replays;

/* The writer's sets in use: a hash of their texts (this thread's). */
static _Thread_local struct {
	const struct fts_ahead_doc **slot;
	size_t			 mask;		/* slots - 1; 0: none in use */
} fts_ahead_in_use;

/* Where a text is looked for: its length and bytes at both ends. */
static uint64_t
fts_ahead_key(const char *text, int len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)len;
	int ends = len < 32 ? len : 32;

	for (int i = 0; i < ends; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
	for (int i = len - ends; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
	return h;
}

static void
fts_ahead_maker_free(struct fts_ahead_maker *m)
{
	if (m == NULL)
		return;
	if (m->tok != NULL)
		m->api.xDelete(m->tok);
	sqlite3_close(m->h);
	free(m);
}

static struct fts_ahead_maker *
fts_ahead_maker_new(void)
{
	struct fts_ahead_maker *m = xcalloc(1, sizeof *m);
	fts5_api *api = NULL;
	void *uctx;

	if (sqlite3_open_v2(":memory:", &m->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    fts_register(m->h) != SQLITE_OK)
		goto fail;
	api = fts_api(m->h);
	if (api == NULL || api->xFindTokenizer(api, "meent_nl", &uctx,
	    &m->api) != SQLITE_OK || m->api.xCreate(uctx, NULL, 0, &m->tok) !=
	    SQLITE_OK) {
		m->tok = NULL;
		goto fail;
	}
	return m;
fail:
	fts_ahead_maker_free(m);
	return NULL;
}

/* The kept maker, or a new one (NULL if SQLite could not make one). */
static struct fts_ahead_maker *
fts_ahead_maker_take(void)
{
	struct fts_ahead_maker *m;

	pthread_mutex_lock(&fts_ahead_mu);
	m = fts_ahead_spare;
	fts_ahead_spare = NULL;
	pthread_mutex_unlock(&fts_ahead_mu);
	return m != NULL ? m : fts_ahead_maker_new();
}

static void
fts_ahead_maker_give(struct fts_ahead_maker *m)
{
	pthread_mutex_lock(&fts_ahead_mu);
	if (fts_ahead_spare == NULL) {
		fts_ahead_spare = m;
		m = NULL;
	}
	pthread_mutex_unlock(&fts_ahead_mu);
	fts_ahead_maker_free(m);	/* two at once: one is kept */
}

struct fts_ahead *
fts_ahead_new(void)
{
	return xcalloc(1, sizeof (struct fts_ahead));
}

void
fts_ahead_free(struct fts_ahead *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->doc[i].text);
		free(a->doc[i].tok);
		free(a->doc[i].pool);
	}
	free(a->doc);
	free(a);
}

/* The recording tokenizer's emit: keep the token. */
static int
fts_ahead_record(void *arg, int tflags, const char *token, int len,
    int start, int end)
{
	struct fts_ahead_doc *d = arg;
	struct fts_ahead_token *t;

	if (len < 0 || d->poollen + (size_t)len > UINT32_MAX)
		return SQLITE_TOOBIG;
	if (d->ntok == d->tokcap) {
		d->tokcap = d->tokcap * 2 + 64;
		d->tok = xreallocarray(d->tok, d->tokcap, sizeof *d->tok);
	}
	if (d->poollen + (size_t)len >= d->poolcap) {
		d->poolcap = (d->poollen + (size_t)len + 1) * 2;
		d->pool = xreallocarray(d->pool, d->poolcap, 1);
	}
	t = &d->tok[d->ntok++];
	*t = (struct fts_ahead_token){ tflags, start, end,
	    (uint32_t)d->poollen, len };
	if (len > 0)
		memcpy(d->pool + d->poollen, token, (size_t)len);
	d->poollen += (size_t)len;
	return SQLITE_OK;
}

/*
 * Tokenize text (len bytes) now, as indexing it would, and add it to a.
 * Any thread; one set is filled by one thread at a time. 0, or -1 (the
 * text is then not in the set, and is tokenized when indexed).
 */
int
fts_ahead_add(struct fts_ahead *a, const char *text, size_t len)
{
	struct fts_ahead_maker *m;
	struct fts_ahead_doc d;
	int rc;

	if (len > INT32_MAX || (m = fts_ahead_maker_take()) == NULL)
		return -1;
	memset(&d, 0, sizeof d);
	d.len = (int)len;
	/* Room for a Dutch text's tokens at once (growing was 1 % here). */
	d.tokcap = len / 5 + 16;
	d.tok = xreallocarray(NULL, d.tokcap, sizeof *d.tok);
	d.poolcap = len + 16;
	d.pool = xmalloc(d.poolcap);
	rc = m->api.xTokenize(m->tok, &d, FTS5_TOKENIZE_DOCUMENT, text, d.len,
	    fts_ahead_record);
	fts_ahead_maker_give(m);
	if (rc != SQLITE_OK) {
		free(d.tok);
		free(d.pool);
		return -1;
	}
	d.text = xmalloc(len + 1);
	memcpy(d.text, text, len);
	d.text[len] = '\0';
	d.key = fts_ahead_key(text, d.len);
	if (a->n == a->cap) {
		a->cap = a->cap * 2 + 4;
		a->doc = xreallocarray(a->doc, a->cap, sizeof *a->doc);
	}
	a->doc[a->n++] = d;
	return 0;
}

/*
 * Use these n sets (borrowed) for this thread's indexing until
 * fts_ahead_use(NULL, 0). A text in two sets: the first found is used
 * (the same bytes give the same tokens).
 */
void
fts_ahead_use(const struct fts_ahead *const *sets, size_t n)
{
	size_t docs = 0, slots = 16;

	free(fts_ahead_in_use.slot);
	fts_ahead_in_use.slot = NULL;
	fts_ahead_in_use.mask = 0;
	for (size_t i = 0; i < n; i++)
		docs += sets[i] != NULL ? sets[i]->n : 0;
	if (docs == 0)
		return;
	while (slots < docs * 2)
		slots *= 2;
	fts_ahead_in_use.slot = xcalloc(slots, sizeof *fts_ahead_in_use.slot);
	fts_ahead_in_use.mask = slots - 1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; sets[i] != NULL && j < sets[i]->n; j++) {
			const struct fts_ahead_doc *d = &sets[i]->doc[j];
			size_t s = (size_t)d->key & fts_ahead_in_use.mask;

			while (fts_ahead_in_use.slot[s] != NULL)
				s = (s + 1) & fts_ahead_in_use.mask;
			fts_ahead_in_use.slot[s] = d;
		}
}

/*
 * Called by the tokenizer (fts.c) for a document: if a set in use holds
 * text, emit its tokens and return emit's result; -1 if none holds it.
 */
int
fts_ahead_replay(const char *text, int len, void *ctx,
    int (*emit)(void *, int, const char *, int, int, int))
{
	const struct fts_ahead_doc *d = NULL;
	uint64_t key;
	size_t s;
	int rc = SQLITE_OK;

	if (fts_ahead_in_use.mask == 0)
		return -1;
	key = fts_ahead_key(text, len);
	for (s = (size_t)key & fts_ahead_in_use.mask;
	    fts_ahead_in_use.slot[s] != NULL; s = (s + 1) &
	    fts_ahead_in_use.mask) {
		d = fts_ahead_in_use.slot[s];
		if (d->key == key && d->len == len &&
		    memcmp(d->text, text, (size_t)len) == 0)
			break;
		d = NULL;
	}
	if (d == NULL)
		return -1;
	for (size_t i = 0; i < d->ntok && rc == SQLITE_OK; i++) {
		const struct fts_ahead_token *t = &d->tok[i];

		rc = emit(ctx, t->tflags, d->pool + t->off, t->len, t->start,
		    t->end);
	}
	atomic_fetch_add_explicit(&fts_ahead_replays, 1,
	    memory_order_relaxed);
	return rc;
}

/* Texts replayed since the start (tests, and what a sync gained). */
unsigned long
fts_ahead_replayed(void)
{
	return atomic_load_explicit(&fts_ahead_replays, memory_order_relaxed);
}
