/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * multipart/form-data (RFC 7578), for the forms that send a file. The
 * dataset upload is held in memory (raw data is never written to disk):
 * the body stays in its evbuffer; parts are found with evbuffer_search and
 * described as ranges, so a 32 MiB file is not copied to be found. An
 * attachment is read as it arrives instead (multipart_stream_*, below). Bounded: at most MULTIPART_MAX_PARTS parts, part headers of
 * at most 1 KiB, a boundary of at most 70 characters (the RFC's limit).
 */
#include "core/core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#define MULTIPART_HEAD_MAX	1024

/* The boundary parameter of a multipart/form-data Content-Type. */
static int
multipart_boundary(const char *ctype, char out[80])
{
	const char *p;
	size_t n = 0;

	if (ctype == NULL || strncasecmp(ctype, "multipart/form-data", 19) != 0)
		return -1;
	if ((p = strcasestr(ctype, "boundary=")) == NULL)
		return -1;
	p += 9;
	if (*p == '"')
		p++;
	out[n++] = '-';
	out[n++] = '-';
	while (*p != '\0' && *p != '"' && *p != ';' && n < 72)
		out[n++] = *p++;
	if (n == 2 || n == 72 || (*p != '\0' && *p != '"' && *p != ';'))
		return -1;
	out[n] = '\0';
	return 0;
}

/* name="..." (and filename) from a Content-Disposition line. */
static int
multipart_disposition(const char *head, struct multipart_part *part)
{
	const char *d = strcasestr(head, "content-disposition:"), *p;
	size_t n = 0;

	if (d == NULL || (p = strstr(d, " name=\"")) == NULL)
		if (d == NULL || (p = strstr(d, ";name=\"")) == NULL)
			return -1;
	p += 7;
	while (*p != '\0' && *p != '"' && n + 1 < sizeof part->name)
		part->name[n++] = *p++;
	if (*p != '"')
		return -1;
	part->name[n] = '\0';
	part->file = strstr(d, "filename=") != NULL;
	/* Browsers send '"' as %22 and no CR or LF: read to the quote. */
	p = strstr(d, "filename=\"");
	for (n = 0, p = p != NULL ? p + 10 : ""; *p != '\0' && *p != '"' &&
	    n + 1 < sizeof part->filename; )
		part->filename[n++] = *p++;
	part->filename[n] = '\0';
	return 0;
}

/*
 * Find the parts of body (Content-Type ctype). Returns 0 with *n parts,
 * or -1 with *why (static, Dutch).
 */
int
multipart_parse(const char *ctype, struct evbuffer *body,
    struct multipart_part *parts, size_t max, size_t *n, const char **why)
{
	char boundary[80], delim[84], head[MULTIPART_HEAD_MAX + 1];
	struct evbuffer_ptr at, end;
	size_t blen;

	*n = 0;
	if (multipart_boundary(ctype, boundary) == -1) {
		*why = "geen multipart/form-data met een boundary";
		return -1;
	}
	blen = strlen(boundary);
	snprintf(delim, sizeof delim, "\r\n%s", boundary);
	at = evbuffer_search(body, boundary, blen, NULL);
	if (at.pos != 0) {
		*why = "het formulier begint niet met de boundary";
		return -1;
	}
	for (;;) {
		struct multipart_part *part;
		struct evbuffer_ptr hend;
		char tail[2];
		size_t hlen;

		/* After a delimiter: "--" ends the body, CRLF starts a part. */
		if (evbuffer_ptr_set(body, &at, blen, EVBUFFER_PTR_ADD) == -1 ||
		    evbuffer_copyout_from(body, &at, tail, 2) != 2) {
			*why = "het formulier is afgebroken";
			return -1;
		}
		if (tail[0] == '-' && tail[1] == '-')
			return 0;
		if (tail[0] != '\r' || tail[1] != '\n' || *n == max) {
			*why = *n == max ? "te veel velden" : "onjuist formulier";
			return -1;
		}
		evbuffer_ptr_set(body, &at, 2, EVBUFFER_PTR_ADD);
		hend = evbuffer_search(body, "\r\n\r\n", 4, &at);
		if (hend.pos < 0 || (size_t)(hend.pos - at.pos) >
		    MULTIPART_HEAD_MAX) {
			*why = "onjuiste kop van een veld";
			return -1;
		}
		hlen = (size_t)(hend.pos - at.pos);
		evbuffer_copyout_from(body, &at, head, hlen);
		head[hlen] = '\0';
		part = &parts[*n];
		memset(part, 0, sizeof *part);
		if (strlen(head) != hlen ||
		    multipart_disposition(head, part) == -1) {
			*why = "veld zonder naam";
			return -1;
		}
		part->start = (size_t)hend.pos + 4;
		evbuffer_ptr_set(body, &at, part->start, EVBUFFER_PTR_SET);
		end = evbuffer_search(body, delim, strlen(delim), &at);
		if (end.pos < 0) {
			*why = "het formulier is afgebroken";
			return -1;
		}
		part->len = (size_t)end.pos - part->start;
		(*n)++;
		evbuffer_ptr_set(body, &at, (size_t)end.pos + 2,
		    EVBUFFER_PTR_SET);
	}
}

/* A small part's text, NUL-terminated, or NULL if it has a NUL or is big. */
char *
multipart_text(struct evbuffer *body, const struct multipart_part *part,
    size_t max)
{
	struct evbuffer_ptr at;
	char *s;

	if (part->len > max)
		return NULL;
	s = xmalloc(part->len + 1);
	evbuffer_ptr_set(body, &at, part->start, EVBUFFER_PTR_SET);
	evbuffer_copyout_from(body, &at, s, part->len);
	s[part->len] = '\0';
	if (strlen(s) != part->len) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * Move one part's bytes out of body into a new buffer (the caller frees),
 * without copying them where libevent can avoid it (take one part, after
 * reading the others: offsets move). What came before the
 * part is wiped on the way; body is left with what follows.
 */
struct evbuffer *
multipart_take(struct evbuffer *body, const struct multipart_part *part)
{
	struct evbuffer *out = evbuffer_new(), *before = evbuffer_new();

	evbuffer_remove_buffer(body, before, part->start);
	csvstream_wipe(before);
	evbuffer_free(before);
	evbuffer_remove_buffer(body, out, part->len);
	return out;
}

/*
 * The same form read as it arrives, for a form that sends a large file
 * (an attachment): the first part with a file name goes to a sink as its
 * bytes come (the caller writes them to disk), the other parts are kept in
 * a small buffer (at most MULTIPART_STREAM_FIELDS bytes), described by the
 * same struct multipart_part as multipart_parse() gives, so
 * multipart_text() reads them. What it holds at a time is bounded by the
 * part head and the delimiter, whatever the file's size. The same rules
 * as multipart_parse(): the body begins with the boundary, at most
 * MULTIPART_MAX_PARTS parts, part heads of at most 1 KiB; and at most one
 * file part.
 */
enum multipart_state { MP_DELIM, MP_AFTER, MP_HEAD, MP_BODY, MP_DONE,
    MP_FAILED };

struct multipart_stream {
	enum multipart_state	 state;
	char			 delim[84];	/* CRLF "--" boundary */
	size_t			 dlen;
	struct evbuffer		*pending;	/* not yet placed */
	struct evbuffer		*fields;	/* the small parts' bytes */
	struct multipart_part	 parts[MULTIPART_MAX_PARTS];
	size_t			 nparts;
	int			 file;		/* its part, or -1 */
	bool			 to_file;	/* the current part's sink */
	multipart_sink_fn	 sink;
	void			*arg;
	const char		*why;		/* MP_FAILED: static, Dutch */
};

static void
multipart_stream_fail(struct multipart_stream *ms, const char *why)
{
	if (ms->state != MP_FAILED) {
		ms->state = MP_FAILED;
		ms->why = why;
	}
	evbuffer_drain(ms->pending, evbuffer_get_length(ms->pending));
}

/* A stream for a body of Content-Type ctype; fails at once if not a form. */
struct multipart_stream *
multipart_stream_new(const char *ctype, multipart_sink_fn sink, void *arg)
{
	struct multipart_stream *ms = xcalloc(1, sizeof *ms);
	char boundary[80];

	ms->pending = evbuffer_new();
	ms->fields = evbuffer_new();
	ms->file = -1;
	ms->sink = sink;
	ms->arg = arg;
	if (multipart_boundary(ctype, boundary) == -1) {
		multipart_stream_fail(ms, "geen multipart/form-data met een "
		    "boundary");
		return ms;
	}
	ms->dlen = (size_t)snprintf(ms->delim, sizeof ms->delim, "\r\n%s",
	    boundary);
	/* The body begins with the boundary: as if a CRLF came before it. */
	evbuffer_add(ms->pending, "\r\n", 2);
	ms->state = MP_DELIM;
	return ms;
}

/* n bytes of the current part to where they go. */
static void
multipart_stream_emit(struct multipart_stream *ms, size_t n)
{
	struct multipart_part *part = &ms->parts[ms->nparts - 1];
	struct evbuffer_iovec v;

	part->len += n;
	if (!ms->to_file) {
		if (evbuffer_get_length(ms->fields) + n >
		    MULTIPART_STREAM_FIELDS) {
			multipart_stream_fail(ms, "te grote velden");
			return;
		}
		evbuffer_remove_buffer(ms->pending, ms->fields, n);
		return;
	}
	while (n > 0 && evbuffer_peek(ms->pending, -1, NULL, &v, 1) == 1) {
		size_t k = v.iov_len < n ? v.iov_len : n;

		ms->sink(ms->arg, v.iov_base, k);
		evbuffer_drain(ms->pending, k);
		n -= k;
	}
}

/* A part's head is complete in pending (hlen bytes, then CRLF CRLF). */
static void
multipart_stream_part(struct multipart_stream *ms, size_t hlen)
{
	struct multipart_part *part;
	char head[MULTIPART_HEAD_MAX + 1];

	if (ms->nparts == MULTIPART_MAX_PARTS) {
		multipart_stream_fail(ms, "te veel velden");
		return;
	}
	part = &ms->parts[ms->nparts];
	memset(part, 0, sizeof *part);
	evbuffer_remove(ms->pending, head, hlen);
	head[hlen] = '\0';
	evbuffer_drain(ms->pending, 4);
	if (strlen(head) != hlen || multipart_disposition(head, part) == -1) {
		multipart_stream_fail(ms, "veld zonder naam");
		return;
	}
	ms->to_file = part->file;
	if (part->file && ms->file != -1) {
		multipart_stream_fail(ms, "meer dan één bestand");
		return;
	}
	if (part->file)
		ms->file = (int)ms->nparts;
	else
		part->start = evbuffer_get_length(ms->fields);
	ms->nparts++;
	ms->state = MP_BODY;
}

/* One step on what pending holds; false when more bytes are needed. */
static bool
multipart_stream_step(struct multipart_stream *ms)
{
	size_t have = evbuffer_get_length(ms->pending);
	struct evbuffer_ptr at;
	char tail[2];

	switch (ms->state) {
	case MP_DELIM:
		/* Before the first part: nothing but the boundary. */
		if (have < ms->dlen)
			return false;
		at = evbuffer_search(ms->pending, ms->delim, ms->dlen, NULL);
		if (at.pos != 0) {
			multipart_stream_fail(ms, "het formulier begint niet "
			    "met de boundary");
			return false;
		}
		evbuffer_drain(ms->pending, ms->dlen);
		ms->state = MP_AFTER;
		return true;
	case MP_AFTER:
		/* After a delimiter: "--" ends the body, CRLF starts a part. */
		if (have < 2)
			return false;
		evbuffer_remove(ms->pending, tail, 2);
		if (tail[0] == '-' && tail[1] == '-') {
			ms->state = MP_DONE;
			evbuffer_drain(ms->pending, have - 2);
			return false;
		}
		if (tail[0] != '\r' || tail[1] != '\n') {
			multipart_stream_fail(ms, "onjuist formulier");
			return false;
		}
		ms->state = MP_HEAD;
		return true;
	case MP_HEAD:
		at = evbuffer_search(ms->pending, "\r\n\r\n", 4, NULL);
		if (at.pos < 0 || (size_t)at.pos > MULTIPART_HEAD_MAX) {
			if (at.pos >= 0 || have > MULTIPART_HEAD_MAX + 3)
				multipart_stream_fail(ms, "onjuiste kop van een "
				    "veld");
			return false;
		}
		multipart_stream_part(ms, (size_t)at.pos);
		return ms->state == MP_BODY;
	case MP_BODY:
		at = evbuffer_search(ms->pending, ms->delim, ms->dlen, NULL);
		if (at.pos < 0) {
			/* All but what could be the start of a delimiter. */
			if (have >= ms->dlen)
				multipart_stream_emit(ms, have - ms->dlen + 1);
			return false;
		}
		multipart_stream_emit(ms, (size_t)at.pos);
		if (ms->state == MP_FAILED)
			return false;
		evbuffer_drain(ms->pending, ms->dlen);
		ms->state = MP_AFTER;
		return true;
	case MP_DONE:
		evbuffer_drain(ms->pending, have);	/* the epilogue */
		return false;
	case MP_FAILED:
		return false;
	}
	return false;
}

/* The next bytes of the body. */
void
multipart_stream_feed(struct multipart_stream *ms, const void *p, size_t n)
{
	if (ms->state == MP_FAILED || ms->state == MP_DONE)
		return;
	evbuffer_add(ms->pending, p, n);
	while (multipart_stream_step(ms))
		;
}

/*
 * After the last byte: the parts (*parts, *n; the small ones' bytes in
 * *fields, for multipart_text(); the file part, if any, at *file, its len
 * the bytes the sink had). 0 when the form was whole, or -1 with *why
 * (static, Dutch) and the parts read so far, the last perhaps cut short.
 * All of it is the stream's, until multipart_stream_free().
 */
int
multipart_stream_end(struct multipart_stream *ms,
    const struct multipart_part **parts, size_t *n,
    const struct multipart_part **file, struct evbuffer **fields,
    const char **why)
{
	*parts = ms->parts;
	*n = ms->nparts;
	*file = ms->file >= 0 ? &ms->parts[ms->file] : NULL;
	*fields = ms->fields;
	if (ms->state != MP_DONE) {
		*why = ms->state == MP_FAILED ? ms->why :
		    "het formulier is afgebroken";
		return -1;
	}
	return 0;
}

void
multipart_stream_free(struct multipart_stream *ms)
{
	if (ms == NULL)
		return;
	evbuffer_free(ms->pending);
	csvstream_wipe(ms->fields);
	evbuffer_free(ms->fields);
	free(ms);
}
