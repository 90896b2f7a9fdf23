/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The webhook plugin: for each publish, change and deletion of public
 * content, a JSON event POSTed to every configured URL, signed so that the
 * receiver can check it came from this meent:
 *
 *	plugin = .../webhook.so url=https://chat.example.nl/hook secret=S
 *	         [url=...] [attempts=5] [queue=1000] [allow_private=false]
 *
 *	X-Meent-Event: gepubliceerd | gewijzigd | verwijderd
 *	X-Meent-Delivery: <id of this delivery>
 *	X-Meent-Signature: sha256=<HMAC-SHA256 of the body with the secret, hex>
 *
 * The key is the whole secret, every byte of it (at least 16), so that
 * hmac.new(secret, body, "sha256") at the receiver gives the same digest.
 *
 * A delivery that fails (no answer, not 2xx) is tried again after 1, 2,
 * 4, ... seconds (with jitter) until it has been tried "attempts" times;
 * then it is given up and logged. At most "queue" deliveries are under way
 * at once; more are dropped and counted. Requests go through meentd's
 * guarded fetch: https, no redirects, timeouts, and no private, loopback
 * or link-local targets unless allow_private=true (which also allows http,
 * for tests). Delivery outcomes are counted in /metrics:
 * meent_plugin_events_total{plugin="webhook",event="delivered"|"retried"|
 * "gave_up"|"refused"|"dropped"}.
 */
#include "config.h"

#include "../../platform/plugin/plugin.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#define NAME "webhook"

struct ctx {
	const struct meent_services *s;
	const char	*secret;
	int		 attempts;
	int		 queue;
	int		 allow_private;
	_Atomic int	 inflight;
};

struct delivery {
	struct ctx	*c;
	char		*url;
	char		*body;
	char		*h_event, *h_id, *h_sig;
	int		 attempt;
};

static void delivery_send(struct delivery *d, long delay_ms);

static void
delivery_free(struct delivery *d)
{
	atomic_fetch_sub(&d->c->inflight, 1);
	free(d->url);
	free(d->body);
	free(d->h_event);
	free(d->h_id);
	free(d->h_sig);
	free(d);
}

static void
delivery_done(void *arg, int result, long status, const char *body,
    size_t len)
{
	struct delivery *d = arg;
	struct ctx *c = d->c;
	long delay;

	(void)body;
	(void)len;
	if (result == MEENT_FETCH_OK && status >= 200 && status < 300) {
		c->s->count(NAME, "delivered", 1);
		delivery_free(d);
		return;
	}
	if (result == MEENT_FETCH_REFUSED) {
		/* Never a retry: the address will not become allowed. */
		c->s->count(NAME, "refused", 1);
		c->s->log(NAME, MEENT_PLUGIN_LOG_WARN, "%s: not allowed (only "
		    "https, and no private, loopback or link-local address); "
		    "allow_private=true allows them", d->url);
		delivery_free(d);
		return;
	}
	if (d->attempt >= c->attempts) {
		c->s->count(NAME, "gave_up", 1);
		c->s->log(NAME, MEENT_PLUGIN_LOG_WARN, "%s: gave up after %d "
		    "attempts (last: %s %ld)", d->url, d->attempt,
		    result == MEENT_FETCH_OK ? "status" : "no answer", status);
		delivery_free(d);
		return;
	}
	/* 1, 2, 4 ... seconds, each between half and one and a half of it. */
	delay = 1000L << (d->attempt - 1 > 10 ? 10 : d->attempt - 1);
	delay = delay / 2 + (long)randombytes_uniform((uint32_t)delay + 1);
	c->s->count(NAME, "retried", 1);
	delivery_send(d, delay);
}

static void
delivery_send(struct delivery *d, long delay_ms)
{
	const char *headers[] = { d->h_event, d->h_id, d->h_sig, NULL };
	struct meent_fetch f = {
		.method = "POST", .url = d->url,
		.content_type = "application/json", .body = d->body,
		.body_len = strlen(d->body), .headers = headers,
		.timeout_ms = 10000, .max_response = 64 * 1024,
		.delay_ms = delay_ms, .allow_private = d->c->allow_private,
	};

	d->attempt++;
	if (d->c->s->fetch(NAME, &f, delivery_done, d) != MEENT_PLUGIN_OK) {
		d->c->s->count(NAME, "dropped", 1);
		delivery_free(d);
	}
}

/*
 * HMAC-SHA256 of body with the whole secret as the key (RFC 2104: a key
 * longer than SHA-256's 64-byte block is hashed first), as any standard
 * HMAC receiver computes it. The secret is borrowed; mac is filled.
 */
static void
webhook_sign(const struct ctx *c, const char *body,
    unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)c->secret,
	    strlen(c->secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
	    strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
}

static void
on_publish(void *arg, const struct meent_item *item)
{
	struct ctx *c = arg;
	const char *type = item->deleted ? "verwijderd" : item->versie <= 1 ?
	    "gepubliceerd" : "gewijzigd";
	unsigned char mac[crypto_auth_hmacsha256_BYTES], rnd[16];
	char hex[2 * sizeof mac + 1], id[2 * sizeof rnd + 1], when[32];
	time_t now = time(NULL);
	struct tm tm;
	json_t *ev;
	char *body;
	const char *url;

	/* Only public content leaves this instance. */
	if (item->zichtbaarheid == NULL || strcmp(item->zichtbaarheid,
	    "openbaar") != 0)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "type", type,
	    "kind", item->kind, "id", item->id, "origin", item->origin,
	    "gemeente", item->gemeente, "versie", (json_int_t)item->versie,
	    "url", item->url != NULL ? item->url : "", "tijd", when);
	body = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	webhook_sign(c, body, mac);
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	for (int n = 0; (url = c->s->arg(NAME, "url", n)) != NULL; n++) {
		struct delivery *d;

		if (atomic_fetch_add(&c->inflight, 1) >= c->queue) {
			atomic_fetch_sub(&c->inflight, 1);
			c->s->count(NAME, "dropped", 1);
			continue;
		}
		d = calloc(1, sizeof *d);
		randombytes_buf(rnd, sizeof rnd);
		sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
		d->c = c;
		d->url = strdup(url);
		d->body = strdup(body);
		if (asprintf(&d->h_event, "X-Meent-Event: %s", type) < 0 ||
		    asprintf(&d->h_id, "X-Meent-Delivery: %s", id) < 0 ||
		    asprintf(&d->h_sig, "X-Meent-Signature: sha256=%s", hex) < 0)
			abort();
		delivery_send(d, 0);
	}
	free(body);
}

static int
load(const struct meent_services *s, void **out)
{
	struct ctx *c;
	const char *secret = s->arg(NAME, "secret", 0);
	const char *attempts = s->arg(NAME, "attempts", 0);
	const char *queue = s->arg(NAME, "queue", 0);
	const char *priv = s->arg(NAME, "allow_private", 0);

	if (s->abi != MEENT_PLUGIN_ABI || s->size < sizeof *s || s->fetch == NULL
	    || sodium_init() == -1)
		return MEENT_PLUGIN_ERROR;
	if (secret == NULL || strlen(secret) < 16) {
		s->log(NAME, MEENT_PLUGIN_LOG_ERROR, "needs secret=... of at "
		    "least 16 characters");
		return MEENT_PLUGIN_ERROR;
	}
	if (s->arg(NAME, "url", 0) == NULL) {
		s->log(NAME, MEENT_PLUGIN_LOG_ERROR, "needs at least one url=");
		return MEENT_PLUGIN_ERROR;
	}
	c = s->alloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->s = s;
	c->secret = secret;
	c->attempts = attempts != NULL ? atoi(attempts) : 5;
	c->queue = queue != NULL ? atoi(queue) : 1000;
	c->allow_private = priv != NULL && strcmp(priv, "true") == 0;
	if (c->attempts < 1 || c->attempts > 20 || c->queue < 1 ||
	    c->queue > 100000) {
		s->log(NAME, MEENT_PLUGIN_LOG_ERROR, "attempts is 1 to 20, queue "
		    "1 to 100000");
		s->free(c);
		return MEENT_PLUGIN_ERROR;
	}
	*out = c;
	return MEENT_PLUGIN_OK;
}

static void
unload(void *arg)
{
	struct ctx *c = arg;

	c->s->free(c);
}

static const struct meent_plugin plugin = {
	.abi = MEENT_PLUGIN_ABI,
	.size = sizeof (struct meent_plugin),
	.name = NAME,
	.version = "1.0.0",
	.load = load,
	.unload = unload,
	.on_publish = on_publish,
};

const struct meent_plugin *
meent_plugin_v1(void)
{
	return &plugin;
}
