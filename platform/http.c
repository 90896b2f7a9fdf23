/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Small facts about HTTP: reason phrases, method names.
 */
#include "meent.h"

#include <string.h>

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
