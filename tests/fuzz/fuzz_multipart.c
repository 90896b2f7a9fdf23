/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: multipart/form-data. The first line of the input is the
 * Content-Type, the rest the body. Every part found must lie inside the
 * body; taking the file part must leave the bytes that follow it. The
 * same body read as it arrives (multipart_stream_*, in pieces of 1 to 61
 * bytes) must agree with the whole-body parser: the same parts, the same
 * small fields, the file's bytes through the sink; and it must read every
 * form the other reads that has at most one file and small fields.
 */
#include "meent.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
sink(void *arg, const void *p, size_t n)
{
	evbuffer_add(arg, p, n);
}

/* The streamed reading of body against the whole one (parts, n). */
static void
stream_agrees(const char *ctype, const uint8_t *body, size_t blen,
    struct evbuffer *whole, const struct multipart_part *parts, size_t n,
    bool whole_ok)
{
	const struct multipart_part *sp, *file;
	struct evbuffer *got = evbuffer_new(), *fields;
	struct multipart_stream *ms = multipart_stream_new(ctype, sink, got);
	size_t sn, files = 0, small = 0, off = 0, step = 7;
	const char *why;

	while (off < blen) {
		size_t k = 1 + (step = step * 1103515245 + 12345) % 61;

		k = k < blen - off ? k : blen - off;
		multipart_stream_feed(ms, body + off, k);
		off += k;
	}
	for (size_t i = 0; whole_ok && i < n; i++) {
		files += parts[i].file;
		small += parts[i].file ? 0 : parts[i].len;
	}
	if (multipart_stream_end(ms, &sp, &sn, &file, &fields, &why) == 0) {
		if (!whole_ok || sn != n)
			abort();
		for (size_t i = 0; i < n; i++) {
			struct evbuffer *a = parts[i].file ? got : fields;
			size_t at = parts[i].file ? 0 : sp[i].start;
			unsigned char *x, *y;

			if (strcmp(sp[i].name, parts[i].name) != 0 ||
			    sp[i].file != parts[i].file ||
			    sp[i].len != parts[i].len ||
			    at + sp[i].len > evbuffer_get_length(a))
				abort();
			if (parts[i].len == 0)
				continue;
			x = evbuffer_pullup(a, -1) + at;
			y = evbuffer_pullup(whole, -1) + parts[i].start;
			if (memcmp(x, y, parts[i].len) != 0)
				abort();
		}
	} else if (whole_ok && files <= 1 && small <= MULTIPART_STREAM_FIELDS)
		abort();
	multipart_stream_free(ms);
	evbuffer_free(got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	const uint8_t *nl = memchr(data, '\n', size);
	struct evbuffer *body, *file;
	char ctype[256];
	const char *why;
	size_t n = 0, hlen, blen;
	bool ok;

	if (nl == NULL || (hlen = (size_t)(nl - data)) >= sizeof ctype)
		return 0;
	memcpy(ctype, data, hlen);
	ctype[hlen] = '\0';
	body = evbuffer_new();
	evbuffer_add(body, nl + 1, size - hlen - 1);
	blen = evbuffer_get_length(body);
	ok = multipart_parse(ctype, body, parts, nitems(parts), &n, &why) == 0;
	stream_agrees(ctype, nl + 1, blen, body, parts, n, ok);
	if (ok) {
		for (size_t i = 0; i < n; i++) {
			char *s;

			if (parts[i].start + parts[i].len > blen)
				abort();
			s = multipart_text(body, &parts[i], 4096);
			free(s);
		}
		if (n > 0) {
			file = multipart_take(body, &parts[n - 1]);
			if (evbuffer_get_length(file) != parts[n - 1].len ||
			    evbuffer_get_length(body) != blen -
			    parts[n - 1].start - parts[n - 1].len)
				abort();
			evbuffer_free(file);
		}
	}
	evbuffer_free(body);
	return 0;
}
