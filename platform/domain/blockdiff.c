/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * What changed between two guideline texts, as HTML a civil servant can
 * read on a phone: the Markdown cut into blocks as the merge cuts it
 * (merge_encode: headings, paragraphs, code blocks, each list item and
 * table row), the blocks of the two texts lined up by libgit2's xdiff (the
 * Myers diff git uses, with its own bound on the work), and each block
 * shown once, stacked: unchanged, new (<ins>), gone (<del>), or changed,
 * with the changed words marked inside it (worddiff.c), or old and new
 * one after the other when most of it was rewritten. Runs of unchanged
 * blocks fold into one line ("12 ongewijzigde alinea's") but for the one
 * block on either side of a change, for context.
 *
 * A change may replace k blocks with l others. The shorter side is paired
 * with the window of the longer side its blocks resemble most (shared
 * beginning and end), so a paragraph inserted before an edited one is
 * shown as new, and the edited one word by word. All word diffs of one
 * page share BLOCKDIFF_CELLS_MAX cells of work; past it, or past a single
 * pair's WORDDIFF_CELLS_MAX, a pair is shown as replaced whole, with a
 * note that says so.
 *
 * The API keeps the unified diff (merge_diff); this is for the pages.
 */
#include "domain/domain.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <git2.h>

#define BLOCKDIFF_CELLS_MAX	((size_t)1 << 23)
#define BLOCKDIFF_ALIGN_MAX	4096	/* block comparisons per change */

/* The blocks of one text: each NUL-terminated, line ends as \n. */
struct blockdiff_side {
	char	**blocks;
	size_t	  n;
	char	 *lines;	/* the blocks one per line, for xdiff */
};

enum blockdiff_kind { BLOCKDIFF_SAME, BLOCKDIFF_GONE, BLOCKDIFF_NEW,
    BLOCKDIFF_CHANGED };

struct blockdiff_row {
	enum blockdiff_kind	 kind;
	size_t			 old, new;	/* the blocks, as kind uses */
};

struct blockdiff {
	struct blockdiff_side	 a, b;
	struct blockdiff_row	*rows;
	size_t			 nrows;
	size_t			 budget;
};

static pthread_once_t blockdiff_once = PTHREAD_ONCE_INIT;

static void
blockdiff_init(void)
{
	git_libgit2_init();
}

/*
 * Cut md into blocks. merge_encode() gives one block a line with its
 * newlines as \x1e; the blank lines around a block are left off, so that
 * a block that merely gained a blank line after it is the same block.
 */
static void
blockdiff_side_make(const char *md, struct blockdiff_side *s)
{
	char *lf = guideline_text_lf(md), *enc, *line, *next;
	struct evbuffer *lines = evbuffer_new();
	size_t cap = 16;

	enc = merge_encode(lf, strlen(lf));
	free(lf);
	s->n = 0;
	s->blocks = xcalloc(cap, sizeof *s->blocks);
	for (line = enc; *line != '\0'; line = next) {
		size_t len;

		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		len = (size_t)(next - line);
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\x1e'))
			len--;
		while (len > 0 && *line == '\x1e')
			line++, len--;
		if (len == 0)
			continue;
		if (s->n == cap) {
			cap *= 2;
			s->blocks = xreallocarray(s->blocks, cap,
			    sizeof *s->blocks);
		}
		evbuffer_add(lines, line, len);
		evbuffer_add(lines, "\n", 1);
		s->blocks[s->n++] = merge_decode(line, len);
	}
	free(enc);
	s->lines = buffer_take_string(lines);
}

static void
blockdiff_side_free(struct blockdiff_side *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->blocks[i]);
	free(s->blocks);
	free(s->lines);
}

static void
blockdiff_row(struct blockdiff *d, enum blockdiff_kind kind, size_t old,
    size_t new)
{
	d->rows[d->nrows].kind = kind;
	d->rows[d->nrows].old = old;
	d->rows[d->nrows].new = new;
	d->nrows++;
}

/* How alike two blocks look: the bytes they share at both ends. */
static size_t
blockdiff_alike(const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y), min = lx < ly ? lx : ly;
	size_t pre = 0, suf = 0;

	while (pre < min && x[pre] == y[pre])
		pre++;
	while (suf < min - pre && x[lx - 1 - suf] == y[ly - 1 - suf])
		suf++;
	return pre + suf;
}

/*
 * The offset into the longer side (n long) at which the shorter side's k
 * blocks resemble it most; 0 when trying them all would cost too much.
 */
static size_t
blockdiff_offset(char **shorter, size_t k, char **longer, size_t n)
{
	size_t best = 0, best_score = 0;

	if ((n - k + 1) * k > BLOCKDIFF_ALIGN_MAX)
		return 0;
	for (size_t s = 0; s + k <= n; s++) {
		size_t score = 0;

		for (size_t t = 0; t < k; t++)
			score += blockdiff_alike(shorter[t], longer[s + t]);
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

/* One change: old blocks [o, o + k) became new blocks [n, n + l). */
static void
blockdiff_change(struct blockdiff *d, size_t o, size_t k, size_t n, size_t l)
{
	size_t s, pairs = k < l ? k : l;

	if (k <= l) {
		s = blockdiff_offset(d->a.blocks + o, k, d->b.blocks + n, l);
		for (size_t t = 0; t < s; t++)
			blockdiff_row(d, BLOCKDIFF_NEW, 0, n + t);
		for (size_t t = 0; t < pairs; t++)
			blockdiff_row(d, BLOCKDIFF_CHANGED, o + t, n + s + t);
		for (size_t t = s + pairs; t < l; t++)
			blockdiff_row(d, BLOCKDIFF_NEW, 0, n + t);
	} else {
		s = blockdiff_offset(d->b.blocks + n, l, d->a.blocks + o, k);
		for (size_t t = 0; t < s; t++)
			blockdiff_row(d, BLOCKDIFF_GONE, o + t, 0);
		for (size_t t = 0; t < pairs; t++)
			blockdiff_row(d, BLOCKDIFF_CHANGED, o + s + t, n + t);
		for (size_t t = s + pairs; t < k; t++)
			blockdiff_row(d, BLOCKDIFF_GONE, o + t, 0);
	}
}

/* Line the blocks up (xdiff, no context) into d->rows. 0 or -1. */
static int
blockdiff_align(struct blockdiff *d)
{
	git_diff_options opts;
	git_patch *patch = NULL;
	size_t oi = 0, ni = 0;

	pthread_once(&blockdiff_once, blockdiff_init);
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	opts.interhunk_lines = 0;
	/* \x1e in every line would make it "binary" to libgit2. */
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(&patch, d->a.lines, strlen(d->a.lines),
	    NULL, d->b.lines, strlen(d->b.lines), NULL, &opts) != 0)
		return -1;
	d->rows = xcalloc(d->a.n + d->b.n + 1, sizeof *d->rows);
	for (size_t h = 0; h < git_patch_num_hunks(patch); h++) {
		const git_diff_hunk *hunk;
		size_t lines, o, n;

		if (git_patch_get_hunk(&hunk, &lines, patch, h) != 0)
			goto fail;
		/* 1-based; a side with no lines names the line before. */
		o = (size_t)hunk->old_start - (hunk->old_lines > 0);
		n = (size_t)hunk->new_start - (hunk->new_lines > 0);
		if (o < oi || n < ni || o - oi != n - ni ||
		    o + (size_t)hunk->old_lines > d->a.n ||
		    n + (size_t)hunk->new_lines > d->b.n)
			goto fail;
		while (oi < o)
			blockdiff_row(d, BLOCKDIFF_SAME, oi++, ni++);
		blockdiff_change(d, o, (size_t)hunk->old_lines, n,
		    (size_t)hunk->new_lines);
		oi = o + (size_t)hunk->old_lines;
		ni = n + (size_t)hunk->new_lines;
	}
	if (d->a.n - oi != d->b.n - ni)
		goto fail;
	while (oi < d->a.n)
		blockdiff_row(d, BLOCKDIFF_SAME, oi++, ni++);
	git_patch_free(patch);
	return 0;
fail:
	git_patch_free(patch);
	return -1;
}

/* Is row i unchanged with no change next to it (folded away)? */
static bool
blockdiff_folded(const struct blockdiff *d, size_t i)
{
	return d->rows[i].kind == BLOCKDIFF_SAME &&
	    (i == 0 || d->rows[i - 1].kind == BLOCKDIFF_SAME) &&
	    (i + 1 == d->nrows || d->rows[i + 1].kind == BLOCKDIFF_SAME);
}

static void
blockdiff_changed(struct blockdiff *d, struct evbuffer *b,
    const struct blockdiff_row *row)
{
	const char *x = d->a.blocks[row->old], *y = d->b.blocks[row->new];
	struct evbuffer *words = evbuffer_new();
	int rc;

	rc = worddiff_html(words, x, strlen(x), y, strlen(y), &d->budget);
	if (rc == 0) {
		html_out(b, "<div class=\"diff-blok diff-gewijzigd\">");
		evbuffer_add_buffer(b, words);
	} else {
		/* Rewritten: old, then new. Past the bound: said so. */
		if (rc == WORDDIFF_REWRITTEN)
			html_out(b, "<div class=\"diff-blok diff-herschreven\">"
			    "<div>");
		else
			html_out(b, "<div class=\"diff-blok diff-vervangen\">"
			    "<p class=\"diff-noot\">Dit blok is te veel veranderd "
			    "om per woord te vergelijken. Eerst het oude blok, "
			    "dan het nieuwe.</p><div>");
		worddiff_mark(b, false, x, strlen(x));
		html_out(b, "</div><div>");
		worddiff_mark(b, true, y, strlen(y));
		html_out(b, "</div>");
	}
	html_out(b, "</div>\n");
	evbuffer_free(words);
}

static void
blockdiff_write_row(struct blockdiff *d, struct evbuffer *b,
    const struct blockdiff_row *row)
{
	const char *x, *y;

	switch (row->kind) {
	case BLOCKDIFF_SAME:
		html_out(b, "<div class=\"diff-blok\">%s</div>\n",
		    d->b.blocks[row->new]);
		break;
	case BLOCKDIFF_NEW:
		y = d->b.blocks[row->new];
		html_out(b, "<div class=\"diff-blok diff-nieuw\">");
		worddiff_mark(b, true, y, strlen(y));
		html_out(b, "</div>\n");
		break;
	case BLOCKDIFF_GONE:
		x = d->a.blocks[row->old];
		html_out(b, "<div class=\"diff-blok diff-weg\">");
		worddiff_mark(b, false, x, strlen(x));
		html_out(b, "</div>\n");
		break;
	case BLOCKDIFF_CHANGED:
		blockdiff_changed(d, b, row);
		break;
	}
}

static void
blockdiff_write(struct blockdiff *d, struct evbuffer *b)
{
	size_t folded = 0;
	bool changed = false;

	for (size_t i = 0; i < d->nrows; i++)
		changed |= d->rows[i].kind != BLOCKDIFF_SAME;
	if (!changed) {
		html_out(b, "<p class=\"diff-gelijk\">De tekst is niet "
		    "veranderd.</p>\n");
		return;
	}
	html_out(b, "<div class=\"verschillen\">\n");
	for (size_t i = 0; i <= d->nrows; i++) {
		if (i < d->nrows && blockdiff_folded(d, i)) {
			folded++;
			continue;
		}
		if (folded > 0)
			html_out(b, "<p class=\"diff-overgeslagen\">%zu "
			    "ongewijzigde %s</p>\n", folded, folded == 1 ?
			    "alinea" : "alinea's");
		folded = 0;
		if (i < d->nrows)
			blockdiff_write_row(d, b, &d->rows[i]);
	}
	html_out(b, "</div>\n");
}

/*
 * The changes from old to new (Markdown; any line ends) as HTML: a
 * <div class="verschillen"> of stacked blocks, or one paragraph saying
 * nothing changed. Every text in it is escaped. Caller frees; NULL when
 * the diff could not be made (libgit2 failed).
 */
char *
blockdiff_html(const char *old, const char *new)
{
	struct blockdiff d;
	struct evbuffer *b;
	char *out = NULL;

	memset(&d, 0, sizeof d);
	d.budget = BLOCKDIFF_CELLS_MAX;
	blockdiff_side_make(old, &d.a);
	blockdiff_side_make(new, &d.b);
	if (blockdiff_align(&d) == 0) {
		b = evbuffer_new();
		blockdiff_write(&d, b);
		out = buffer_take_string(b);
	}
	free(d.rows);
	blockdiff_side_free(&d.a);
	blockdiff_side_free(&d.b);
	return out;
}
