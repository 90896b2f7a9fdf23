/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Reading an uploaded CSV (untrusted, from the network) row by row with
 * libcsv, straight from the request's evbuffer chains: no copy of the
 * whole upload is made. Every bound is checked as bytes arrive, so memory
 * stays bounded whatever the input: fields per row, bytes per field (libcsv's
 * own field buffer is watched between slices of at most CSVSTREAM_SLICE
 * bytes), and every row must have as many fields as the header.
 *
 * Errors say row and column (1-based, the header is row 1) and a reason
 * in Dutch, never the bytes that were there: this is raw, possibly
 * personal data. For the same reason every buffer that held upload bytes
 * (libcsv's, the row's) is wiped before it is freed or grown, and
 * csvstream_wipe() wipes the upload itself.
 *
 * Accepted: UTF-8 with or without a byte-order mark; ',' or ';' as the
 * delimiter (Dutch spreadsheets write ';'), chosen from the header line
 * (csvstream_delimiter()). A header with both outside quotes, or a row that
 * has the other one where a field is missing, is refused as "gemengde
 * scheidingstekens" with its row and column: guessing would shift columns.
 */
#include "core/core.h"

#include <csv.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#define CSVSTREAM_SLICE		(64 * 1024)

struct csvstream_state {
	csvstream_row_cb	 cb;
	void			*arg;
	struct csvstream_error	*err;
	char			*arena;		/* this row's fields, NUL-ended */
	size_t			 arena_len, arena_cap;
	size_t			 off[CSVSTREAM_MAX_FIELDS];
	size_t			 len[CSVSTREAM_MAX_FIELDS];
	size_t			 nfields, header_fields;
	long			 row;
	bool			 stop;
	unsigned char		 delim;		/* ',' or ';' */
};

static void
csvstream_fail(struct csvstream_state *st, long row, int column,
    const char *reason)
{
	if (st->stop)
		return;
	st->stop = true;
	st->err->row = row;
	st->err->column = column;
	st->err->reason = reason;
}

/* libcsv grows its field buffer with this: the old copy is wiped. */
static void *
csvstream_realloc(void *old, size_t size)
{
	/* libcsv only grows, and tells us nothing of the old size: keep it. */
	size_t *p = malloc(size + sizeof *p), *o = old;

	if (p == NULL)
		return NULL;
	*p = size;
	if (o != NULL) {
		o--;
		memcpy(p + 1, o + 1, *o < size ? *o : size);
		sodium_memzero(o, *o + sizeof *o);
		free(o);
	}
	return p + 1;
}

static void
csvstream_free(void *ptr)
{
	size_t *o = ptr;

	if (o == NULL)
		return;
	o--;
	sodium_memzero(o, *o + sizeof *o);
	free(o);
}

/* Valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF)? */
bool
csvstream_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return false;
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		    || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}

static void
csvstream_field_cb(void *s, size_t len, void *data)
{
	struct csvstream_state *st = data;
	int column = (int)st->nfields + 1;

	if (st->stop)
		return;
	if (st->nfields == CSVSTREAM_MAX_FIELDS) {
		csvstream_fail(st, st->row + 1, column, "meer kolommen dan "
		    "toegestaan");
		return;
	}
	if (len > CSVSTREAM_MAX_FIELD) {
		csvstream_fail(st, st->row + 1, column, "veld is te lang");
		return;
	}
	if (len > 0 && memchr(s, '\0', len) != NULL) {
		csvstream_fail(st, st->row + 1, column, "bevat een NUL-teken");
		return;
	}
	if (!csvstream_utf8_valid(s, len)) {
		csvstream_fail(st, st->row + 1, column, "geen geldige UTF-8");
		return;
	}
	if (st->arena_len + len + 1 > st->arena_cap) {
		size_t cap = (st->arena_len + len + 1) * 2;
		char *n = xmalloc(cap);

		if (st->arena != NULL) {
			memcpy(n, st->arena, st->arena_len);
			sodium_memzero(st->arena, st->arena_cap);
		}
		free(st->arena);
		st->arena = n;
		st->arena_cap = cap;
	}
	if (len > 0)
		memcpy(st->arena + st->arena_len, s, len);
	st->arena[st->arena_len + len] = '\0';
	st->off[st->nfields] = st->arena_len;
	st->len[st->nfields] = len;
	st->nfields++;
	st->arena_len += len + 1;
}

/*
 * A row with too few fields that holds the other delimiter was written with
 * mixed separators: the column of the first field that has it, or 0.
 */
static int
csvstream_mixed_column(const struct csvstream_state *st)
{
	char other = st->delim == ';' ? ',' : ';';

	for (size_t i = 0; i < st->nfields; i++)
		if (memchr(st->arena + st->off[i], other, st->len[i]) != NULL)
			return (int)i + 1;
	return 0;
}

static void
csvstream_row_end_cb(int c, void *data)
{
	struct csvstream_state *st = data;
	const char *fields[CSVSTREAM_MAX_FIELDS];
	int mixed;

	(void)c;
	st->row++;
	if (!st->stop) {
		if (st->row == 1)
			st->header_fields = st->nfields;
		else if (st->nfields < st->header_fields &&
		    (mixed = csvstream_mixed_column(st)) > 0)
			csvstream_fail(st, st->row, mixed, st->delim == ';' ?
			    "gemengde scheidingstekens: hier staat een komma "
			    "waar de kopregel een puntkomma (;) gebruikt" :
			    "gemengde scheidingstekens: hier staat een "
			    "puntkomma waar de kopregel een komma gebruikt");
		else if (st->nfields > st->header_fields && st->delim == ',')
			/* 12,5 unquoted splits a field: likely a decimal
			 * comma in a file of commas. */
			csvstream_fail(st, st->row, (int)st->header_fields + 1,
			    "rij heeft te veel velden. Staat er een komma als "
			    "decimaalteken? Tussen komma's is de punt het "
			    "decimaalteken (of zet ; tussen de kolommen)");
		else if (st->nfields != st->header_fields)
			csvstream_fail(st, st->row, (int)(st->nfields <
			    st->header_fields ? st->nfields + 1 :
			    st->header_fields + 1), st->nfields <
			    st->header_fields ? "rij heeft te weinig velden" :
			    "rij heeft te veel velden");
	}
	if (!st->stop) {
		for (size_t i = 0; i < st->nfields; i++)
			fields[i] = st->arena + st->off[i];
		if (st->cb(fields, st->len, st->nfields, st->row, st->arg,
		    st->err) == -1)
			st->stop = true;
	}
	if (st->arena != NULL)
		sodium_memzero(st->arena, st->arena_len);
	st->arena_len = 0;
	st->nfields = 0;
}

/*
 * The delimiter of the CSV in body, from its header line: ';' when it has
 * a ';' outside quotes and no ',' (a Dutch spreadsheet, which also writes
 * decimal commas), else ','. Both outside quotes: -1 with *err (row 1, the
 * column where the second kind first appears). Reads only the first line
 * (at most 4 fields' worth), copies nothing out of body.
 */
int
csvstream_delimiter(struct evbuffer *body, unsigned char *delim,
    struct csvstream_error *err)
{
	struct evbuffer_ptr pos;
	struct evbuffer_iovec v[4];
	size_t seen = 0, max = CSVSTREAM_MAX_FIELD * 4;
	int n, field = 1, first_comma = 0, first_semi = 0;
	bool quoted = false, done = false;

	memset(err, 0, sizeof *err);
	*delim = ',';
	evbuffer_ptr_set(body, &pos, 0, EVBUFFER_PTR_SET);
	while (!done && seen < max && (n = evbuffer_peek(body, -1, &pos, v,
	    (int)nitems(v))) > 0) {
		size_t fed = 0;

		for (int i = 0; i < n && i < (int)nitems(v) && !done; i++) {
			const char *s = v[i].iov_base;

			for (size_t k = 0; k < v[i].iov_len && !done; k++) {
				if (++seen > max || (!quoted && s[k] == '\n'))
					done = true;
				else if (s[k] == '"')
					quoted = !quoted;
				else if (!quoted && s[k] == ',') {
					if (first_comma == 0)
						first_comma = field;
					field++;
				} else if (!quoted && s[k] == ';') {
					if (first_semi == 0)
						first_semi = field;
					field++;
				}
			}
			fed += v[i].iov_len;
		}
		if (evbuffer_ptr_set(body, &pos, fed, EVBUFFER_PTR_ADD) == -1)
			break;
	}
	if (first_comma > 0 && first_semi > 0) {
		err->row = 1;
		err->column = first_comma > first_semi ? first_comma :
		    first_semi;
		err->reason = "gemengde scheidingstekens: de kopregel heeft "
		    "zowel komma's als puntkomma's tussen de kolommen; gebruik "
		    "er één";
		return -1;
	}
	if (first_semi > 0)
		*delim = ';';
	return 0;
}

/* Feed one chunk in slices, watching libcsv's field buffer between them. */
static int
csvstream_feed(struct csv_parser *p, struct csvstream_state *st,
    const char *s, size_t len)
{
	while (len > 0 && !st->stop) {
		size_t n = len < CSVSTREAM_SLICE ? len : CSVSTREAM_SLICE;

		if (csv_parse(p, s, n, csvstream_field_cb, csvstream_row_end_cb,
		    st) != n && !st->stop) {
			csvstream_fail(st, st->row + 1, (int)st->nfields + 1,
			    csv_error(p) == CSV_EPARSE ? "onjuist gebruik "
			    "van aanhalingstekens" : "kan de rij niet lezen");
			return -1;
		}
		if (p->entry_pos > CSVSTREAM_MAX_FIELD)
			csvstream_fail(st, st->row + 1, (int)st->nfields + 1,
			    "veld is te lang");
		s += n;
		len -= n;
	}
	return st->stop ? -1 : 0;
}

/*
 * Call cb for every row of the CSV in body (the header is row 1). cb
 * returns 0, or -1 after filling *err. Returns 0, or -1 with *err: the
 * row, the column and why. body is read, not drained.
 */
int
csvstream_parse(struct evbuffer *body, csvstream_row_cb cb, void *arg,
    struct csvstream_error *err)
{
	struct csv_parser p;
	struct csvstream_state st = { .cb = cb, .arg = arg, .err = err };
	struct evbuffer_ptr pos;
	struct evbuffer_iovec v[8];
	size_t skip = 0;
	int n;

	memset(err, 0, sizeof *err);
	if (evbuffer_get_length(body) == 0) {
		csvstream_fail(&st, 1, 0, "het bestand is leeg");
		return -1;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatal("csv_init");
	csv_set_realloc_func(&p, csvstream_realloc);
	csv_set_free_func(&p, csvstream_free);
	if (csvstream_delimiter(body, &st.delim, err) == -1) {
		csv_free(&p);
		return -1;
	}
	csv_set_delim(&p, st.delim);
	/* A UTF-8 byte-order mark (Excel writes one) is not data. */
	if (evbuffer_get_length(body) >= 3) {
		unsigned char bom[3];

		evbuffer_copyout(body, bom, 3);
		if (bom[0] == 0xef && bom[1] == 0xbb && bom[2] == 0xbf)
			skip = 3;
	}
	evbuffer_ptr_set(body, &pos, skip, EVBUFFER_PTR_SET);
	while (!st.stop && (n = evbuffer_peek(body, -1, &pos, v,
	    (int)nitems(v))) > 0) {
		size_t fed = 0;

		for (int i = 0; i < n && i < (int)nitems(v) && !st.stop; i++) {
			csvstream_feed(&p, &st, v[i].iov_base, v[i].iov_len);
			fed += v[i].iov_len;
		}
		if (evbuffer_ptr_set(body, &pos, fed, EVBUFFER_PTR_ADD) == -1)
			break;
	}
	if (!st.stop && csv_fini(&p, csvstream_field_cb, csvstream_row_end_cb,
	    &st) != 0)
		csvstream_fail(&st, st.row + 1, (int)st.nfields + 1,
		    "aanhalingsteken niet afgesloten");
	if (!st.stop && st.row < 2)
		csvstream_fail(&st, st.row + 1, 0, "geen gegevens na de "
		    "kopregel");
	if (st.arena != NULL)
		sodium_memzero(st.arena, st.arena_cap);
	free(st.arena);
	csv_free(&p);
	return st.stop ? -1 : 0;
}

/* Overwrite every byte of buf, then empty it. */
void
csvstream_wipe(struct evbuffer *buf)
{
	struct evbuffer_iovec v[16];
	int n;

	while (evbuffer_get_length(buf) > 0 &&
	    (n = evbuffer_peek(buf, -1, NULL, v, (int)nitems(v))) > 0) {
		size_t len = 0;

		for (int i = 0; i < n && i < (int)nitems(v); i++) {
			sodium_memzero(v[i].iov_base, v[i].iov_len);
			len += v[i].iov_len;
		}
		if (len == 0)
			break;
		evbuffer_drain(buf, len);
	}
}
