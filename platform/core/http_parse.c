/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * HTTP/1.1 message framing, strictly (RFC 9112): a request's head (the
 * request line and the header fields) and the lines of a chunked body.
 * Pure functions over bytes, no I/O: conn.c feeds them, and so do the
 * fuzzers.
 *
 * Strict, because meent sits behind proxies: where a proxy and meent could
 * read one byte stream as two different sequences of requests (request
 * smuggling), meent refuses. So lines end in CRLF, never a bare LF or CR; a
 * field name is a token directly followed by its colon; no obsolete line
 * folding; no NUL or other control characters in values; exactly one
 * framing (one Content-Length of digits, or Transfer-Encoding: chunked and
 * nothing else); Host exactly once in HTTP/1.1; chunk sizes in plain
 * hexadecimal. Every refusal comes with its status and a Dutch reason.
 */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

#define HTTP_FIELDS_MAX		100
#define HTTP_LEADING_CRLF_MAX	4
#define HTTP_LENGTH_DIGITS_MAX	15	/* 10^15 bytes: far past any cap */

/* RFC 9110 5.6.2: tchar. */
static bool
http_parse_tchar(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* A field value's byte: VCHAR, obs-text, SP or HTAB. */
static bool
http_parse_vbyte(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

static int
http_parse_fail(const char **why, int status, const char *reason)
{
	*why = reason;
	return status;
}

/*
 * Check buf[0..len) for a line ending that is not CRLF: a LF without a CR
 * before it, or a CR followed by anything but LF. A CR as the very last
 * byte may still get its LF. Returns 0 or 400.
 */
static int
http_parse_check_eol(const char *buf, size_t len, const char **why)
{
	const char *p = buf, *end = buf + len;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (p == buf || p[-1] != '\r')
			return http_parse_fail(why, 400, "Een regel eindigt "
			    "alleen op LF; HTTP vraagt CRLF.");
		p++;
	}
	for (p = buf; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
		if (p + 1 < end && p[1] != '\n')
			return http_parse_fail(why, 400, "Een regel bevat een "
			    "losse CR.");
	return 0;
}

/*
 * One field line "name: value" (without its CRLF). The value, without the
 * whitespace around it, into *value (vlen bytes; points into line).
 * Returns 0, or 400 with why.
 */
int
http_parse_field(const char *line, size_t len, size_t *name_len,
    const char **value, size_t *vlen, const char **why)
{
	size_t i = 0, v, e;

	if (len > 0 && (line[0] == ' ' || line[0] == '\t'))
		return http_parse_fail(why, 400, "Een header loopt door op de "
		    "volgende regel (obs-fold); dat kan niet.");
	while (i < len && http_parse_tchar((unsigned char)line[i]))
		i++;
	if (i == len || line[i] != ':')
		return http_parse_fail(why, 400, "Een headerregel heeft geen "
		    "geldige naam met een dubbele punt erachter.");
	if (i == 0)
		return http_parse_fail(why, 400, "Een header heeft geen naam.");
	*name_len = i;
	v = i + 1;
	while (v < len && (line[v] == ' ' || line[v] == '\t'))
		v++;
	e = len;
	while (e > v && (line[e - 1] == ' ' || line[e - 1] == '\t'))
		e--;
	for (size_t k = v; k < e; k++)
		if (!http_parse_vbyte((unsigned char)line[k]))
			return http_parse_fail(why, 400, "Een header bevat een "
			    "teken dat niet mag (zoals NUL of een stuurteken).");
	*value = line + v;
	*vlen = e - v;
	return 0;
}

/* The request line "METHOD SP target SP HTTP/1.x" (without CRLF). */
static int
http_parse_request_line(const char *line, size_t len, struct http_head *h,
    const char **why)
{
	const char *sp1, *sp2, *ver;
	char method[16];
	size_t mlen, tlen, vlen;

	sp1 = memchr(line, ' ', len);
	if (sp1 == NULL)
		return http_parse_fail(why, 400, "De eerste regel van het "
		    "verzoek is geen METHODE PAD HTTP/1.1.");
	mlen = (size_t)(sp1 - line);
	for (size_t i = 0; i < mlen; i++)
		if (!http_parse_tchar((unsigned char)line[i]))
			return http_parse_fail(why, 400, "De methode van het "
			    "verzoek bevat een teken dat niet mag.");
	if (mlen == 0)
		return http_parse_fail(why, 400, "Het verzoek heeft geen "
		    "methode.");
	if (mlen >= sizeof method)
		return http_parse_fail(why, 501, "Deze server kent de methode "
		    "van het verzoek niet.");
	memcpy(method, line, mlen);
	method[mlen] = '\0';
	sp2 = memchr(sp1 + 1, ' ', (size_t)(line + len - sp1 - 1));
	if (sp2 == NULL)
		return http_parse_fail(why, 400, "De eerste regel van het "
		    "verzoek is geen METHODE PAD HTTP/1.1.");
	tlen = (size_t)(sp2 - sp1 - 1);
	ver = sp2 + 1;
	vlen = (size_t)(line + len - ver);
	if (vlen == 8 && memcmp(ver, "HTTP/1.", 7) == 0 &&
	    (ver[7] == '0' || ver[7] == '1'))
		h->minor = ver[7] - '0';
	else if (vlen == 8 && memcmp(ver, "HTTP/", 5) == 0 &&
	    ver[5] >= '0' && ver[5] <= '9' && ver[6] == '.' &&
	    ver[7] >= '0' && ver[7] <= '9')
		return http_parse_fail(why, 505, "Deze server spreekt HTTP/1.0 "
		    "en HTTP/1.1.");
	else
		return http_parse_fail(why, 400, "De eerste regel van het "
		    "verzoek eindigt niet op HTTP/1.1.");
	if (tlen == 0)
		return http_parse_fail(why, 400, "Het verzoek heeft geen pad.");
	if (tlen > HTTP_TARGET_MAX)
		return http_parse_fail(why, 414, "Het adres van het verzoek is "
		    "langer dan 1024 tekens.");
	for (size_t i = 0; i < tlen; i++) {
		unsigned char ch = (unsigned char)sp1[1 + i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '#')
			return http_parse_fail(why, 400, "Het adres van het "
			    "verzoek bevat een teken dat niet mag.");
	}
	h->method = http_method_type(method);
	if (h->method == 0)
		return http_parse_fail(why, 501, "Deze server kent de methode "
		    "van het verzoek niet.");
	if (sp1[1] != '/' && !(tlen == 1 && sp1[1] == '*' &&
	    h->method == EVHTTP_REQ_OPTIONS))
		return http_parse_fail(why, 400, "Het adres van het verzoek "
		    "moet met / beginnen.");
	memcpy(h->target, sp1 + 1, tlen);
	h->target[tlen] = '\0';
	return 0;
}

/* Does a comma-separated header value list the token tok? */
static bool
http_parse_has_token(const char *value, const char *tok)
{
	size_t tlen = strlen(tok);
	const char *p = value;

	while (*p != '\0') {
		const char *e;
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		e = p;
		while (*e != '\0' && *e != ',')
			e++;
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == tlen && strncasecmp(p, tok, tlen) == 0)
			return true;
		p = e;
	}
	return false;
}

/* A Host value: empty, or the characters of a host[:port]. */
static bool
http_parse_host_ok(const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v != '\0'; v++) {
		unsigned char ch = (unsigned char)*v;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') ||
		    strchr("-._~!$&'()*+,;=:%[]", ch) != NULL))
			return false;
	}
	return true;
}

/* What the fields say about framing and the connection (RFC 9112 6). */
static int
http_parse_semantics(struct http_head *h, struct evkeyvalq *fields,
    const char **why)
{
	struct evkeyval *kv;
	int ncl = 0, nte = 0, nhost = 0;
	const char *cl = NULL, *te = NULL, *host = NULL;
	bool keep_alive = false, close = false;

	TAILQ_FOREACH(kv, fields, next) {
		if (strcasecmp(kv->key, "Content-Length") == 0) {
			ncl++;
			cl = kv->value;
		} else if (strcasecmp(kv->key, "Transfer-Encoding") == 0) {
			nte++;
			te = kv->value;
		} else if (strcasecmp(kv->key, "Host") == 0) {
			nhost++;
			host = kv->value;
		} else if (strcasecmp(kv->key, "Connection") == 0) {
			close |= http_parse_has_token(kv->value, "close");
			keep_alive |= http_parse_has_token(kv->value,
			    "keep-alive");
		} else if (strcasecmp(kv->key, "Expect") == 0) {
			if (strcasecmp(kv->value, "100-continue") != 0)
				return http_parse_fail(why, 417, "Alleen "
				    "Expect: 100-continue wordt ondersteund.");
			h->expect_continue = h->minor == 1;
		}
	}
	if (ncl > 1)
		return http_parse_fail(why, 400, "Het verzoek heeft meer dan "
		    "één Content-Length.");
	if (nte > 1)
		return http_parse_fail(why, 400, "Het verzoek heeft meer dan "
		    "één Transfer-Encoding.");
	if (ncl == 1 && nte == 1)
		return http_parse_fail(why, 400, "Het verzoek heeft zowel "
		    "Content-Length als Transfer-Encoding.");
	if (nte == 1) {
		if (h->minor == 0)
			return http_parse_fail(why, 400, "HTTP/1.0 kent geen "
			    "Transfer-Encoding.");
		if (strcasecmp(te, "chunked") != 0)
			return http_parse_fail(why, 501, "Alleen "
			    "Transfer-Encoding: chunked wordt ondersteund.");
		h->chunked = true;
	}
	if (ncl == 1) {
		size_t n = strlen(cl);

		if (n == 0 || n > HTTP_LENGTH_DIGITS_MAX ||
		    strspn(cl, "0123456789") != n)
			return http_parse_fail(why, 400, "Content-Length is "
			    "geen geldig getal.");
		h->content_length = strtoll(cl, NULL, 10);
	}
	if (nhost > 1)
		return http_parse_fail(why, 400, "Het verzoek heeft meer dan "
		    "één Host.");
	if (h->minor == 1 && nhost == 0)
		return http_parse_fail(why, 400, "Een HTTP/1.1-verzoek moet "
		    "een Host-header hebben.");
	if (host != NULL && !http_parse_host_ok(host))
		return http_parse_fail(why, 400, "De Host-header is geen "
		    "geldige naam.");
	h->close = h->minor == 0 ? !keep_alive || close : close;
	return 0;
}

/*
 * Parse a request head at the start of buf[0..len): leading empty lines,
 * the request line, the fields, the empty line. At most max bytes are a
 * head. Fields are added to fields (caller's, initialised; caller clears
 * them whatever the result). Returns 0 with h filled (h->length is the
 * number of bytes the head took), HTTP_PARSE_MORE when the head is not
 * complete yet, or the status of a refusal (400, 414, 417, 431, 501, 505)
 * with a Dutch reason in *why (static).
 */
int
http_parse_head(const char *buf, size_t len, size_t max, struct http_head *h,
    struct evkeyvalq *fields, const char **why)
{
	const char *start = buf, *end, *line, *eol;
	size_t scan;
	int nfields = 0, rc;

	memset(h, 0, sizeof *h);
	h->content_length = -1;
	*why = NULL;
	for (int i = 0; i < HTTP_LEADING_CRLF_MAX &&
	    (size_t)(start - buf) + 2 <= len && memcmp(start, "\r\n", 2) == 0;
	    i++)
		start += 2;
	scan = len < max ? len : max;
	end = memmem(start, scan - (size_t)(start - buf), "\r\n\r\n", 4);
	if ((rc = http_parse_check_eol(buf, end != NULL ?
	    (size_t)(end - buf) + 4 : scan, why)) != 0)
		return rc;
	if (end == NULL)
		return len >= max ? http_parse_fail(why, 431, "De regel en "
		    "headers van het verzoek zijn samen te groot.") :
		    HTTP_PARSE_MORE;
	h->length = (size_t)(end - buf) + 4;
	eol = memmem(start, (size_t)(end + 2 - start), "\r\n", 2);
	if ((rc = http_parse_request_line(start, (size_t)(eol - start), h,
	    why)) != 0)
		return rc;
	for (line = eol + 2; line < end + 2; line = eol + 2) {
		const char *value;
		size_t nlen, vlen;
		char *name, *val;

		eol = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		if ((rc = http_parse_field(line, (size_t)(eol - line), &nlen,
		    &value, &vlen, why)) != 0)
			return rc;
		if (++nfields > HTTP_FIELDS_MAX)
			return http_parse_fail(why, 431, "Het verzoek heeft "
			    "meer dan 100 headers.");
		name = xstrndup(line, nlen);
		val = xstrndup(value, vlen);
		rc = evhttp_add_header(fields, name, val);
		free(name);
		free(val);
		if (rc != 0)
			return http_parse_fail(why, 400, "Een header is niet "
			    "geldig.");
	}
	return http_parse_semantics(h, fields, why);
}

/*
 * A chunk-size line (without its CRLF): 1*HEXDIG, then optionally
 * whitespace and chunk extensions after ';', which are ignored. No sign,
 * no "0x", no leading whitespace. Returns 0 with *size, or -1.
 */
int
http_parse_chunk_size(const char *line, size_t len, uint64_t *size)
{
	size_t i = 0;
	uint64_t n = 0;

	while (i < len) {
		char ch = line[i];
		int d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			break;
		if (i == HTTP_LENGTH_DIGITS_MAX)
			return -1;
		n = n * 16 + (uint64_t)d;
		i++;
	}
	if (i == 0)
		return -1;
	if (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] != ';')
			return -1;
		for (; i < len; i++)
			if (!http_parse_vbyte((unsigned char)line[i]))
				return -1;
	}
	*size = n;
	return 0;
}
