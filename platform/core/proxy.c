/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Who a request comes from. Behind a reverse proxy the socket's peer is the
 * proxy. Only when that peer is listed in trusted_proxy (addresses and
 * networks, meentd.conf(5)) is the header it sets believed: X-Forwarded-For
 * (with X-Forwarded-Proto) or, with proxy_header = forwarded, Forwarded
 * (RFC 7239: for= and proto=). One of the two, never whichever is there: a
 * proxy that sets X-Forwarded-For passes a client's own Forwarded header on
 * untouched, and reading that would let the client choose its address.
 * The client is the rightmost address of the chain that is not itself a
 * trusted proxy. Anyone else's such headers are ignored, so a client
 * cannot choose its own address, and with it its rate-limit bucket. A hop
 * that cannot be read ("unknown", an obfuscated name, garbage) ends the
 * walk at the last address that could.
 */
#include "core/core.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROXY_HOPS_MAX	32

struct proxy_net {
	int		 family;
	unsigned char	 addr[16];
	int		 prefix;
};

/* An address into family and bytes; 0, or -1. */
static int
proxy_addr_parse(const char *s, int *family, unsigned char addr[16])
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		/* An IPv4-mapped address is the IPv4 address. */
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)addr)) {
			memmove(addr, addr + 12, 4);
			*family = AF_INET;
		} else
			*family = AF_INET6;
		return 0;
	}
	return -1;
}

/* "ADDR" or "ADDR/PREFIX" into n. Returns 0, or -1. */
static int
proxy_net_parse(const char *s, struct proxy_net *n)
{
	char buf[64], *slash, *end;
	long prefix;
	int max;

	if (strlen(s) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (proxy_addr_parse(buf, &n->family, n->addr) == -1)
		return -1;
	max = n->family == AF_INET ? 32 : 128;
	n->prefix = max;
	if (slash != NULL) {
		prefix = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || prefix < 0 ||
		    prefix > max)
			return -1;
		n->prefix = (int)prefix;
	}
	return 0;
}

/* Is s a valid trusted_proxy entry (config.c checks each)? */
bool
proxy_net_valid(const char *s)
{
	struct proxy_net n;

	return proxy_net_parse(s, &n) == 0;
}

static bool
proxy_net_contains(const struct proxy_net *n, int family,
    const unsigned char addr[16])
{
	int full = n->prefix / 8, rest = n->prefix % 8;

	if (family != n->family || memcmp(addr, n->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((addr[full] ^ n->addr[full]) & (0xff << (8 - rest))) == 0;
}

/* Is addr (text) in one of the networks? */
bool
proxy_trusted(const struct strlist *nets, const char *addr)
{
	unsigned char a[16];
	int family;

	if (nets->n == 0 || proxy_addr_parse(addr, &family, a) == -1)
		return false;
	for (size_t i = 0; i < nets->n; i++) {
		struct proxy_net n;

		if (proxy_net_parse(nets->v[i], &n) == 0 &&
		    proxy_net_contains(&n, family, a))
			return true;
	}
	return false;
}

/*
 * One node of Forwarded's for= (RFC 7239 6): an address, an IPv4 address
 * with a port when quoted, "[v6]" with an optional port. Into out; false
 * for "unknown", obfuscated names and anything else.
 */
static bool
proxy_node(const char *v, size_t len, char out[INET6_ADDRSTRLEN])
{
	char buf[64];
	unsigned char a[16];
	int family;
	char *p;

	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, v, len);
	buf[len] = '\0';
	p = buf;
	if (*p == '[') {
		char *close = strchr(p, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return false;
		*close = '\0';
		p++;
	} else if ((p = strchr(buf, ':')) != NULL && strchr(p + 1, ':') ==
	    NULL) {
		*p = '\0';		/* IPv4 with a port */
		p = buf;
	} else
		p = buf;
	if (proxy_addr_parse(p, &family, a) == -1)
		return false;
	inet_ntop(family, a, out, INET6_ADDRSTRLEN);
	return true;
}

/* The value of pair name= among an element's ';'-separated pairs. */
static const char *
proxy_pair(const char *h, size_t len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *v = NULL;

	for (const char *p = h; p < h + len; ) {
		const char *e = memchr(p, ';', (size_t)(h + len - p));
		size_t plen = e != NULL ? (size_t)(e - p) :
		    (size_t)(h + len - p);

		while (plen > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			plen--;
		}
		if (plen > nlen && strncasecmp(p, name, nlen) == 0) {
			v = p + nlen;
			*vlen = plen - nlen;
		}
		p += plen + (e != NULL);
	}
	return v;
}

/* Is this proto= value (maybe quoted, maybe padded) https? */
static bool
proxy_proto_https(const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t' || *v == '"')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' ||
	    v[len - 1] == '"'))
		len--;
	return len == 5 && strncasecmp(v, "https", 5) == 0;
}

/*
 * The hops of a Forwarded header (the for= of each element, and whether
 * its proto= is https) or of an X-Forwarded-For list, left to right, into
 * hops[] (an empty string for a hop that cannot be read). Returns how many;
 * a chain of more than PROXY_HOPS_MAX hops keeps its rightmost ones.
 */
static int
proxy_hops(const char *h, bool forwarded, char hops[][INET6_ADDRSTRLEN],
    bool https[])
{
	int n = 0;

	while (*h != '\0') {
		const char *end = strchr(h, ',');
		size_t len = end != NULL ? (size_t)(end - h) : strlen(h);
		const char *v, *proto;
		size_t vlen = 0, plen = 0;

		if (n == PROXY_HOPS_MAX) {
			/* Keep the nearest hops: they are the ones walked. */
			memmove(hops, hops + 1, (PROXY_HOPS_MAX - 1) *
			    sizeof hops[0]);
			memmove(https, https + 1, (PROXY_HOPS_MAX - 1) *
			    sizeof https[0]);
			n--;
		}
		https[n] = false;
		if (forwarded) {
			v = proxy_pair(h, len, "for=", &vlen);
			proto = proxy_pair(h, len, "proto=", &plen);
			https[n] = proto != NULL && proxy_proto_https(proto,
			    plen);
		} else {
			v = h;
			vlen = len;
		}
		while (v != NULL && vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (v != NULL && vlen > 0 && (v[vlen - 1] == ' ' ||
		    v[vlen - 1] == '\t'))
			vlen--;
		if (v == NULL || !proxy_node(v, vlen, hops[n]))
			hops[n][0] = '\0';
		n++;
		h += len + (end != NULL);
	}
	return n;
}

/*
 * Who sent a request that came from peer, with chain (NULL when absent) the
 * value of the header trusted proxies set (header: PROXY_HEADER_*; several
 * fields of that name joined with ", "). Only when peer is a trusted proxy
 * is the chain read, from the right: the client is the rightmost address
 * that is not itself a trusted proxy. Fills out (INET6_ADDRSTRLEN bytes)
 * with the client's address and *https with whether it reached the
 * outermost trusted proxy over https, as far as the Forwarded header's
 * proto= says (X-Forwarded-Proto is proxy_https()'s).
 */
void
proxy_client(const struct strlist *nets, int header, const char *peer,
    const char *chain, char *out, bool *https)
{
	char hops[PROXY_HOPS_MAX][INET6_ADDRSTRLEN];
	bool hop_https[PROXY_HOPS_MAX];
	int n;

	snprintf(out, INET6_ADDRSTRLEN, "%s", peer);
	*https = false;
	if (chain == NULL || !proxy_trusted(nets, peer))
		return;
	n = proxy_hops(chain, header == PROXY_HEADER_FORWARDED, hops,
	    hop_https);
	for (int i = n - 1; i >= 0; i--) {
		if (hops[i][0] == '\0')
			return;
		snprintf(out, INET6_ADDRSTRLEN, "%s", hops[i]);
		*https = hop_https[i];
		if (!proxy_trusted(nets, hops[i]))
			return;
	}
}

/*
 * Did the client reach the trusted proxy (peer) over https, as its
 * X-Forwarded-Proto says (the rightmost value, which the nearest proxy
 * set)? Never for anyone else's.
 */
bool
proxy_https(const struct strlist *nets, const char *peer, const char *xfp)
{
	const char *p;

	if (xfp == NULL || !proxy_trusted(nets, peer))
		return false;
	p = strrchr(xfp, ',');
	p = p != NULL ? p + 1 : xfp;
	return proxy_proto_https(p, strlen(p));
}
