/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Attachments of a pilot as a request sees them, for the API
 * (api_attachments.c) and the page (web_attachments.c): visible exactly as
 * the pilot is (model_pilots_load decides, for reading and for changing),
 * an upload checked and stored, a file sent as a download only. Each
 * function answers a refusal itself (problem+json, or the Dutch page
 * reply.c shows a browser) and returns -1 then.
 */
#include "model/model.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>

/* Downloads are never shown inline, never sniffed, never scripted. */
#define MODEL_ATTACHMENTS_CSP	"sandbox; default-src 'none'"

/*
 * Fill u from the bytes of body (drained as they are written). 0, or -1
 * after replying 507.
 */
int
model_attachments_from_buffer(struct req *r, struct evbuffer *body,
    struct attachment_upload *u)
{
	struct evbuffer_iovec v;

	if (attachment_upload_begin(r->ctx->cfg->data_dir, u) == -1)
		goto fail;
	while (evbuffer_get_length(body) > 0) {
		if (evbuffer_peek(body, -1, NULL, &v, 1) < 1)
			break;
		if (attachment_upload_write(u, v.iov_base, v.iov_len) == -1)
			goto fail;
		evbuffer_drain(body, v.iov_len);
	}
	return 0;
fail:
	log_emit(LOG_ERROR, "attachment.write", "cannot write an upload: %s",
	    strerror(errno));
	attachment_upload_abort(u);
	reply_problem(r, 507, "Geen ruimte", "Het bestand kon niet bewaard "
	    "worden.");
	return -1;
}

/*
 * Check the upload u (every byte written, not yet ended) for pilot p,
 * under the name given, and store it as *a. On any refusal replies (400,
 * 409, 413, 415, 5xx) and returns -1; u's temporary file is gone then, and
 * nothing stored has changed.
 */
int
model_attachments_add(struct req *r, const struct pilot *p,
    struct attachment_upload *u, const char *given, struct attachment *a)
{
	const struct config *cfg = r->ctx->cfg;
	const char *type, *why;
	int rc;

	memset(a, 0, sizeof *a);
	if (u->fd == -1) {
		reply_problem(r, 507, "Geen ruimte", "Het bestand kon niet "
		    "bewaard worden.");
		return -1;
	}
	attachment_upload_end(u);
	if (given == NULL || attachment_name_clean(given, a->naam) == -1) {
		attachment_upload_abort(u);
		req_invalid(r, "naam", "geef de bestandsnaam (UTF-8, niet leeg)");
		reply_invalid(r);
		return -1;
	}
	if ((unsigned long long)u->size > cfg->attachment_max_bytes) {
		attachment_upload_abort(u);
		reply_problem(r, 413, "Bestand te groot", "Een bijlage mag "
		    "hoogstens %zu bytes zijn.", cfg->attachment_max_bytes);
		return -1;
	}
	if ((why = attachment_detect(u->fd, u->size, a->naam, &type)) !=
	    NULL) {
		attachment_upload_abort(u);
		reply_problem(r, u->size == 0 ? 400 : 415, "Bestand geweigerd",
		    "%s", why);
		return -1;
	}
	snprintf(a->pilot, sizeof a->pilot, "%s", p->id);
	snprintf(a->hash, sizeof a->hash, "%s", u->hash);
	snprintf(a->type, sizeof a->type, "%s", type);
	snprintf(a->gemeente, sizeof a->gemeente, "%s", r->who.gemeente);
	a->grootte = u->size;
	a->aangemaakt = time(NULL);
	rc = attachment_store_add(r->db, cfg->data_dir, u, a,
	    (long long)cfg->attachment_pilot_max_bytes);
	if (rc == 0)
		return 0;
	if (rc == ATTACHMENT_NOT_STORED)
		reply_problem(r, 507, "Geen ruimte", "Het bestand kon niet "
		    "bewaard worden.");
	else if (rc == MEENT_CONFLICT)
		reply_problem(r, 409, "Bestaat al", "Deze pilot heeft dit "
		    "bestand al als bijlage.");
	else if (rc == MEENT_INVALID)
		reply_problem(r, 413, "Te veel bijlagen", "De bijlagen van "
		    "een pilot mogen samen hoogstens %zu bytes zijn.",
		    cfg->attachment_pilot_max_bytes);
	else
		reply_db_failed(r, "De bijlage kon niet opgeslagen worden.");
	return -1;
}

/* The attachments of a visible pilot p into *out; -1 after replying. */
int
model_attachments_list(struct req *r, const struct pilot *p, json_t **out)
{
	if (attachment_store_list(r->db, p->id, out) == -1) {
		reply_db_failed(r, "De bijlagen konden niet gelezen worden.");
		return -1;
	}
	return 0;
}

/* The hash of the path (params[1]) and its row; -1 after replying 404. */
static int
model_attachments_find(struct req *r, const struct pilot *p,
    struct attachment *a)
{
	const char *hash = r->params[1];
	int rc;

	if (!attachment_hash_valid(hash) || (rc = attachment_store_get(r->db,
	    p->id, hash, a)) == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Deze pilot heeft geen "
		    "bijlage met deze hash.");
		return -1;
	}
	if (rc != 0) {
		reply_db_failed(r, "De bijlage kon niet gelezen worden.");
		return -1;
	}
	return 0;
}

/* Content-Disposition: attachment, with the name in RFC 5987 form. */
static void
model_attachments_disposition(struct req *r, const char *naam)
{
	static const char hex[] = "0123456789ABCDEF";
	struct evbuffer *b = evbuffer_new();
	char *v;

	evbuffer_add_printf(b, "attachment; filename*=UTF-8''");
	for (const unsigned char *s = (const unsigned char *)naam; *s != '\0';
	    s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL)
			evbuffer_add(b, s, 1);
		else
			evbuffer_add_printf(b, "%%%c%c", hex[*s >> 4],
			    hex[*s & 15]);
	v = buffer_take_string(b);	/* frees b */
	reply_header(r, "Content-Disposition", v);
	free(v);
}

/*
 * Send the attachment of the path of a visible pilot p: as a download of
 * its stored type, straight from its file (libevent sends it with
 * sendfile; it is never read into memory here). -1 after a refusal.
 */
int
model_attachments_send(struct req *r, const struct pilot *p)
{
	const char *inm = req_header(r, "If-None-Match");
	struct attachment a;
	struct evbuffer *b;
	struct stat st;
	char etag[68], *path;
	int fd;

	if (model_attachments_find(r, p, &a) == -1)
		return -1;
	snprintf(etag, sizeof etag, "\"%s\"", a.hash);
	path = attachment_file_path(r->ctx->cfg->data_dir, a.hash);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1 || fstat(fd, &st) == -1 || st.st_size != a.grootte) {
		bool fetching = fd == -1 && errno == ENOENT &&
		    strcmp(p->origin, r->ctx->instance->uuid) != 0;

		if (fd != -1)
			close(fd);
		if (fetching) {
			reply_header(r, "Retry-After", "30");
			reply_problem(r, 503, "Nog niet opgehaald", "Deze "
			    "bijlage komt van een andere instantie en is hier "
			    "nog niet binnen; probeer het later.");
		} else {
			log_emit(LOG_ERROR, "attachment.missing", "the file of "
			    "an attachment is missing or has another size");
			reply_problem(r, 500, "Interne fout", "Het bestand van "
			    "deze bijlage ontbreekt.");
		}
		return -1;
	}
	reply_header(r, "ETag", etag);
	reply_header(r, "Content-Security-Policy", MODEL_ATTACHMENTS_CSP);
	model_attachments_disposition(r, a.naam);
	b = evbuffer_new();
	if (inm != NULL && reply_etag_matches(inm, etag)) {
		close(fd);
		reply_send(r, 304, NULL, b);
	} else {
		/*
		 * evbuffer_add_file takes fd and closes it when sent. libevent
		 * maps the file (mmap) and writes from the mapping: no copy in
		 * anonymous memory; the pages are the page cache's, shared by
		 * every download of the file. (sendfile(2), with the buffer
		 * marked EVBUFFER_FLAG_DRAINS_TO_FD, ran at half the speed
		 * here: tests/bench/attachments.sh.)
		 */
		if (evbuffer_add_file(b, fd, 0, st.st_size) == -1) {
			close(fd);
			evbuffer_free(b);
			reply_problem(r, 500, "Interne fout", "Het bestand kon "
			    "niet gelezen worden.");
			return -1;
		}
		reply_send(r, 200, a.type, b);
	}
	evbuffer_free(b);
	return 0;
}

/* Remove the attachment of the path from p (own, changeable); -1 after replying. */
int
model_attachments_delete(struct req *r, const struct pilot *p)
{
	struct attachment a;
	int rc;

	if (model_attachments_find(r, p, &a) == -1)
		return -1;
	rc = attachment_store_delete(r->db, r->ctx->cfg->data_dir, p->id,
	    a.hash);
	if (rc == MEENT_NOTFOUND) {
		reply_problem(r, 404, "Niet gevonden", "Deze pilot heeft geen "
		    "bijlage met deze hash.");
		return -1;
	}
	if (rc != 0) {
		reply_db_failed(r, "De bijlage kon niet verwijderd worden.");
		return -1;
	}
	return 0;
}
