/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * multipart/form-data (RFC 7578), for the one form that sends a file: the
 * dataset upload. The body stays in its evbuffer; parts are found with
 * evbuffer_search and described as ranges, so a 32 MiB file is not copied
 * to be found. Bounded: at most MULTIPART_MAX_PARTS parts, part headers of
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
