/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Three-way merges and diffs of Markdown, for guideline revisions.
 *
 * A merge works on blocks as cmark sees them: headings, paragraphs, code
 * blocks, each list item and each table row. The text is cut at the start
 * line of every block (cmark's source positions), so the blocks put back
 * together are the text exactly. Each block is then encoded as one line
 * (every newline of the text becomes \x1e; only block boundaries stay
 * newlines) and the three encoded texts go to libgit2's
 * git_merge_file, the xdiff merge that git itself uses: edits to different
 * blocks merge; edits to the same block, or next to each other, conflict.
 * Nothing is ever dropped silently: a conflict returns both sides.
 *
 * Diffs (what changed between two revisions) are line-based unified diffs
 * from libgit2 too.
 */
#include "domain/domain.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <event2/buffer.h>
#include <git2.h>

#define MERGE_SEP '\x1e'	/* a newline inside a block, while merging */

static pthread_once_t merge_once = PTHREAD_ONCE_INIT;

static void
merge_init(void)
{
	git_libgit2_init();
	cmark_gfm_core_extensions_ensure_registered();
}

static int
merge_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Add the start lines of n's blocks: list items and table rows count. */
static void
merge_starts(cmark_node *n, int *starts, size_t *count, size_t max)
{
	const char *type = cmark_node_get_type_string(n);
	bool split = cmark_node_get_type(n) == CMARK_NODE_LIST ||
	    strcmp(type, "table") == 0;

	if (split) {
		for (cmark_node *c = cmark_node_first_child(n); c != NULL;
		    c = cmark_node_next(c)) {
			if (cmark_node_get_start_line(c) > 0 && *count < max)
				starts[(*count)++] = cmark_node_get_start_line(c);
		}
		if (*count < max && cmark_node_get_start_line(n) > 0)
			starts[(*count)++] = cmark_node_get_start_line(n);
		return;
	}
	if (cmark_node_get_start_line(n) > 0 && *count < max)
		starts[(*count)++] = cmark_node_get_start_line(n);
}

/*
 * Encode md as one line per block (caller frees). Blank lines stay with the
 * block before them, so decoding gives md back byte for byte. The text
 * must not hold \x1e itself (guideline validation refuses control bytes).
 */
char *
merge_encode(const char *md, size_t len)
{
	cmark_parser *p;
	cmark_node *doc;
	int *starts;
	size_t nstarts = 0, max = 1, line = 1, si = 0, o = 0;
	char *out;
	cmark_syntax_extension *table;

	pthread_once(&merge_once, merge_init);
	for (size_t i = 0; i < len; i++)
		max += md[i] == '\n';
	starts = xcalloc(max + 1, sizeof *starts);
	p = cmark_parser_new(CMARK_OPT_SOURCEPOS);
	if ((table = cmark_find_syntax_extension("table")) != NULL)
		cmark_parser_attach_syntax_extension(p, table);
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	for (cmark_node *n = cmark_node_first_child(doc); n != NULL;
	    n = cmark_node_next(n))
		merge_starts(n, starts, &nstarts, max);
	cmark_node_free(doc);
	cmark_parser_free(p);
	qsort(starts, nstarts, sizeof *starts, merge_cmp_int);

	/* At most one boundary per line, and the final newline. */
	out = xmalloc(len + max + 2);
	for (size_t i = 0; i < len; i++) {
		/* A new block starts on this line: end the previous one. */
		if ((i == 0 || md[i - 1] == '\n') && line > 1) {
			while (si < nstarts && (size_t)starts[si] < line)
				si++;
			if (si < nstarts && (size_t)starts[si] == line)
				out[o++] = '\n';
		}
		if (md[i] == '\n') {
			line++;
			out[o++] = MERGE_SEP;
			continue;
		}
		out[o++] = md[i];
	}
	out[o++] = '\n';
	out[o] = '\0';
	free(starts);
	return out;
}

/* Undo merge_encode (caller frees). */
char *
merge_decode(const char *enc, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (enc[i] == '\n')
			continue;	/* a block boundary */
		out[n++] = enc[i] == MERGE_SEP ? '\n' : enc[i];
	}
	out[n] = '\0';
	return out;
}

/* Parse the conflict markers of an encoded merge into JSON pairs. */
static json_t *
merge_conflicts(const char *enc)
{
	json_t *list = json_array();
	const char *p = enc;
	struct evbuffer *side[2] = { NULL, NULL };
	int in = -1;	/* -1 outside, 0 ours (head), 1 theirs */

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		if (len >= 7 && strncmp(p, "<<<<<<<", 7) == 0) {
			in = 0;
			side[0] = evbuffer_new();
			side[1] = evbuffer_new();
		} else if (in == 0 && len >= 7 && strncmp(p, "=======", 7) == 0)
			in = 1;
		else if (in == 1 && len >= 7 && strncmp(p, ">>>>>>>", 7) == 0) {
			char *a = buffer_take_string(side[0]);
			char *b = buffer_take_string(side[1]);
			char *da = merge_decode(a, strlen(a));
			char *db = merge_decode(b, strlen(b));

			json_array_append_new(list, json_pack("{s:s, s:s}",
			    "head", da, "voorstel", db));
			free(a);
			free(b);
			free(da);
			free(db);
			in = -1;
		} else if (in >= 0) {
			evbuffer_add(side[in], p, len);
			evbuffer_add(side[in], "\n", 1);
		}
		p = nl != NULL ? nl + 1 : p + len;
	}
	if (in >= 0) {
		evbuffer_free(side[0]);
		evbuffer_free(side[1]);
	}
	return list;
}

/*
 * Merge the changes from base to head and from base to proposed. Returns
 * 0 with *merged (caller frees), MEENT_CONFLICT with *conflicts (a JSON
 * array of {head, voorstel}; caller owns), or -1.
 */
int
merge_three_way(const char *base, const char *head, const char *proposed,
    char **merged, json_t **conflicts)
{
	git_merge_file_input in_base, in_head, in_prop;
	git_merge_file_options opts;
	git_merge_file_result res;
	char *eb = merge_encode(base, strlen(base));
	char *eh = merge_encode(head, strlen(head));
	char *ep = merge_encode(proposed, strlen(proposed));
	int rc = -1;

	pthread_once(&merge_once, merge_init);
	*merged = NULL;
	*conflicts = NULL;
	memset(&res, 0, sizeof res);
	git_merge_file_input_init(&in_base, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&in_head, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&in_prop, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_options_init(&opts, GIT_MERGE_FILE_OPTIONS_VERSION);
	in_base.ptr = eb;
	in_base.size = strlen(eb);
	in_head.ptr = eh;
	in_head.size = strlen(eh);
	in_prop.ptr = ep;
	in_prop.size = strlen(ep);
	opts.flags = GIT_MERGE_FILE_STYLE_MERGE;
	opts.favor = GIT_MERGE_FILE_FAVOR_NORMAL;
	if (git_merge_file(&res, &in_base, &in_head, &in_prop, &opts) == 0) {
		/* res.ptr is not NUL-terminated: copy by length. */
		char *text = xmalloc(res.len + 1);

		memcpy(text, res.ptr, res.len);
		text[res.len] = '\0';

		if (res.automergeable) {
			*merged = merge_decode(text, strlen(text));
			rc = 0;
		} else {
			*conflicts = merge_conflicts(text);
			rc = MEENT_CONFLICT;
		}
		free(text);
		git_merge_file_result_free(&res);
	}
	free(eb);
	free(eh);
	free(ep);
	return rc;
}

/*
 * A unified diff of the Markdown from old to new, labelled with their
 * names. Caller frees; NULL on error.
 */
char *
merge_diff(const char *old, const char *new, const char *old_name,
    const char *new_name)
{
	git_diff_options opts;
	git_patch *patch = NULL;
	git_buf buf = { 0 };
	char *out = NULL;

	pthread_once(&merge_once, merge_init);
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 3;
	if (git_patch_from_buffers(&patch, old, strlen(old), old_name, new,
	    strlen(new), new_name, &opts) == 0 &&
	    git_patch_to_buf(&buf, patch) == 0) {
		/* From "--- " on: git's own header lines mean nothing here. */
		const char *start = buf.ptr != NULL ? strstr(buf.ptr, "--- ") :
		    NULL;

		out = xstrdup(start != NULL ? start : "");
	}
	git_buf_dispose(&buf);
	git_patch_free(patch);
	return out;
}

/* The diff as HTML: each line escaped, marked as added, removed or hunk. */
char *
merge_diff_html(const char *diff)
{
	struct evbuffer *b = evbuffer_new();
	const char *p = diff;

	html_out(b, "<pre class=\"diff\"><code>");
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);

		if (strncmp(line, "+++", 3) == 0 || strncmp(line, "---", 3) == 0)
			html_out(b, "<span class=\"file\">%s</span>\n", line);
		else if (line[0] == '+')
			html_out(b, "<ins>%s</ins>\n", line);
		else if (line[0] == '-')
			html_out(b, "<del>%s</del>\n", line);
		else if (line[0] == '@')
			html_out(b, "<span class=\"hunk\">%s</span>\n", line);
		else
			html_out(b, "%s\n", line);
		free(line);
		p = nl != NULL ? nl + 1 : p + len;
	}
	html_out(b, "</code></pre>");
	return buffer_take_string(b);
}
