/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Answers kept in the response cache (domain/cache.c) together with their
 * ETag, for the API and the pages alike. A 200 without an ETag of its own
 * gets one in reply_send(), a hash of all its bytes: on a cache hit that
 * hash was most of the work (a fifth of a pilot page's time, more for a
 * 25 KB comparison), for the same bytes every time. So the ETag is made
 * once, when the answer is kept, and a hit sends it with the bytes.
 */
#include "model/model.h"

#include <string.h>

#include <event2/buffer.h>

/*
 * Keep body (len bytes, copied) under key, made under generation gen
 * (cache_generation_now() before it was made), with its ETag; the ETag
 * header is set for the reply that follows, which then does not hash
 * the body again.
 */
void
model_cache_keep(struct req *r, const char *key, const char *body,
    size_t len, unsigned long gen)
{
	struct cache_meta meta;
	struct evbuffer *b = evbuffer_new();

	memset(&meta, 0, sizeof meta);
	evbuffer_add_reference(b, body, len, NULL, NULL);
	reply_etag(b, meta.etag);
	evbuffer_free(b);
	reply_header(r, "ETag", meta.etag);
	cache_put(key, body, len, &meta, gen);
}

/*
 * Reply 200 of type ctype with what is kept under key (key may be NULL:
 * nothing is) and its ETag, and return true; or return false, having
 * sent nothing.
 */
bool
model_cache_reply(struct req *r, const char *key, const char *ctype)
{
	struct cache_meta meta;
	const char *body;
	size_t len;

	if (key == NULL ||
	    (body = cache_get(r->db, key, &len, &meta)) == NULL)
		return false;
	if (meta.etag[0] != '\0')
		reply_header(r, "ETag", meta.etag);
	reply_text(r, 200, ctype, body, len);
	return true;
}
