/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Who is calling: an API token (Authorization: Bearer), a web session
 * (cookie), or nobody. A malformed, unknown, expired or revoked token is an
 * error (401) even on public routes: the client should know its credentials
 * do not work. A stale session cookie is simply no session.
 */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

const char *
auth_cookie_name(const struct http_ctx *ctx)
{
	/* __Host- needs Secure, which needs https. */
	return ctx->secure ? "__Host-meent" : "meent_sessie";
}

/* The value of cookie name in a Cookie header, into out; or false. */
bool
auth_cookie_value(const char *header, const char *name, char *out,
    size_t outlen)
{
	size_t nlen = strlen(name);
	const char *p = header;

	while (p != NULL && *p != '\0') {
		const char *end;
		size_t vlen;

		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			p += nlen + 1;
			vlen = end != NULL ? (size_t)(end - p) : strlen(p);
			if (vlen >= outlen)
				return false;
			memcpy(out, p, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

/* The session cookie's value sent with r, into out; or false. */
bool
auth_session_cookie(struct req *r, char *out, size_t outlen)
{
	const char *cookie = req_header(r, "Cookie");

	return cookie != NULL && auth_cookie_value(cookie,
	    auth_cookie_name(r->ctx), out, outlen);
}

/*
 * Fill r->who. Returns AUTH_OK (perhaps anonymous), AUTH_INVALID (bad
 * token: 401) or AUTH_FAILED (database).
 */
int
auth_identify(struct req *r)
{
	const char *authz = req_header(r, "Authorization");
	char value[SESSION_LEN + 2];
	int rc;

	memset(&r->who, 0, sizeof r->who);
	if (authz != NULL) {
		if (strncasecmp(authz, "Bearer ", 7) != 0)
			return AUTH_INVALID;
		authz += 7;
		while (*authz == ' ')
			authz++;
		rc = token_lookup(r->db, authz, strlen(authz), &r->who);
		if (rc != AUTH_OK)
			memset(&r->who, 0, sizeof r->who);
		return rc;
	}
	if (auth_session_cookie(r, value, sizeof value)) {
		rc = session_lookup(r->db, value, &r->who);
		if (rc != AUTH_OK)
			memset(&r->who, 0, sizeof r->who);
		if (rc == AUTH_FAILED)
			return rc;
	}
	return AUTH_OK;
}

/*
 * Did this state-changing request come from our own pages? The Origin must
 * be the origin of the configured base URL (not the Host the request names:
 * a rebound DNS name would match its own Host); without an Origin,
 * Sec-Fetch-Site must say same-origin. Neither: refused.
 */
bool
auth_same_origin(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	const char *site = req_header(r, "Sec-Fetch-Site");
	char *norm;
	bool same;

	if (origin != NULL) {
		if (strcmp(origin, "null") == 0 ||
		    (norm = http_origin(origin)) == NULL)
			return false;
		same = strcmp(norm, r->ctx->origin) == 0;
		free(norm);
		return same;
	}
	return site != NULL && strcmp(site, "same-origin") == 0;
}
