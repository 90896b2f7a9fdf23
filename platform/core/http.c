/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Small facts about HTTP: reason phrases, method names, origins, and
 * which paths are safe to send a person back to.
 */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/http.h>

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

static const struct {
	int		 type;
	const char	*name;
} http_methods[] = {
	{ EVHTTP_REQ_GET, "GET" },
	{ EVHTTP_REQ_HEAD, "HEAD" },
	{ EVHTTP_REQ_POST, "POST" },
	{ EVHTTP_REQ_PUT, "PUT" },
	{ EVHTTP_REQ_PATCH, "PATCH" },
	{ EVHTTP_REQ_DELETE, "DELETE" },
	{ EVHTTP_REQ_OPTIONS, "OPTIONS" },
	{ EVHTTP_REQ_TRACE, "TRACE" },
	{ EVHTTP_REQ_CONNECT, "CONNECT" },
};

const char *
http_method_name(int type)
{
	for (size_t i = 0; i < nitems(http_methods); i++)
		if (http_methods[i].type == type)
			return http_methods[i].name;
	return "?";
}

/* The EVHTTP_REQ_* of a method name, or 0. */
int
http_method_type(const char *name)
{
	for (size_t i = 0; i < nitems(http_methods); i++)
		if (strcmp(http_methods[i].name, name) == 0)
			return http_methods[i].type;
	return 0;
}

bool
http_method_known(const char *name)
{
	return http_method_type(name) != 0;
}

/*
 * The origin of an http(s) URL, "scheme://host[:port]", normalised as
 * browsers send it in Origin: scheme and host in lower case, the port only
 * when it is not the scheme's default. Caller frees; NULL when url is not
 * an absolute http or https URL (curl's URL parser decides).
 */
char *
http_origin(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;

	if (u == NULL)
		fatal("curl_url");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		goto out;
	for (char *p = host; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	    strcmp(port, strcmp(scheme, "https") == 0 ? "443" : "80") == 0) {
		curl_free(port);
		port = NULL;
	}
	out = port != NULL ? xasprintf("%s://%s:%s", scheme, host, port) :
	    xasprintf("%s://%s", scheme, host);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/*
 * May s be sent back in a Location header as a place on this site (the
 * login form's "terug")? Only a local path: a single "/" first, no "//"
 * anywhere (so no "//host" and no "scheme://"), no backslash (browsers read
 * "/\\host" as "//host"), printable ASCII only (no CR, LF or other control
 * characters, no spaces), at most HTTP_LOCAL_PATH_MAX bytes. Anything else
 * could send a person to another site (an open redirect) or split the
 * header.
 */
bool
http_local_path(const char *s)
{
	size_t n;

	if (s == NULL || s[0] != '/')
		return false;
	for (n = 0; s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n == HTTP_LOCAL_PATH_MAX || c <= 0x20 || c >= 0x7f ||
		    c == '\\' || (c == '/' && s[n + 1] == '/'))
			return false;
	}
	return true;
}
