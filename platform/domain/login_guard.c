/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Who may try a password now. Three limits, all checked before anything is
 * hashed, and none of them a lock:
 *
 * - per address (the client's, past trusted proxies; proxy.c):
 *   login_per_minute attempts a minute, whatever the account;
 * - per account, from browsers it does not know: after LOGIN_GUARD_FREE
 *   failures in a row, each next attempt must wait a delay that doubles
 *   from the last failure (2 s, 4 s, ... at most LOGIN_GUARD_MAX_DELAY); a
 *   success, or LOGIN_GUARD_FORGET without a failure, starts afresh;
 * - a browser that has signed in to the account before carries a device
 *   cookie (OWASP's "device cookies"): it skips the account's delay and has
 *   a delay of its own. So a flood of wrong passwords from anywhere slows
 *   the attacker down, but does not keep the real user out of the browser
 *   she always uses; on a new browser she waits at most the longest delay.
 *
 * A device cookie is a random nonce with a MAC over the account's address
 * and the nonce, keyed by a key derived from the instance's secret key:
 * unforgeable, tied to one account, and nothing to store.
 *
 * State lives in memory (lost on restart, like the rate limits), in a fixed
 * table keyed by a keyed hash: no address or e-mail is kept.
 */
#include "domain/domain.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define LOGIN_GUARD_FREE	5		/* failures before delays */
#define LOGIN_GUARD_MAX_DELAY	300.0		/* seconds */
#define LOGIN_GUARD_FORGET	3600.0		/* seconds */
#define LOGIN_GUARD_SETS	8192
#define LOGIN_GUARD_WAYS	4
#define LOGIN_DEVICE_NONCE	16
#define LOGIN_DEVICE_MAC	16
#define LOGIN_RESET_PER_HOUR	3.0		/* reset mails per account */

struct login_guard_slot {
	uint64_t	 key;		/* 0: free */
	int		 failures;
	double		 last;		/* ms, monotonic */
};

struct login_guard {
	pthread_mutex_t		 mu;
	unsigned char		 hkey[crypto_shorthash_KEYBYTES];
	unsigned char		 device_key[crypto_generichash_KEYBYTES];
	struct ratelimit	*per_address;
	struct ratelimit	*reset_per_account;
	struct login_guard_slot	 slots[LOGIN_GUARD_SETS][LOGIN_GUARD_WAYS];
};

/*
 * A guard for logins to the instance whose secret key is secret (64 bytes;
 * the key device cookies are signed with is derived from it). Freed with
 * login_guard_free().
 */
struct login_guard *
login_guard_new(const unsigned char *secret, int per_minute)
{
	static const char label[] = "meent device cookie v1";
	struct login_guard *g = xcalloc(1, sizeof *g);

	pthread_mutex_init(&g->mu, NULL);
	randombytes_buf(g->hkey, sizeof g->hkey);
	crypto_generichash(g->device_key, sizeof g->device_key,
	    (const unsigned char *)label, sizeof label - 1, secret, 64);
	g->per_address = ratelimit_new(per_minute, per_minute);
	g->reset_per_account = ratelimit_new(LOGIN_RESET_PER_HOUR / 60.0,
	    LOGIN_RESET_PER_HOUR);
	return g;
}

/* login_per_minute changed (SIGHUP): the per-address buckets follow. */
void
login_guard_set_rate(struct login_guard *g, int per_minute)
{
	ratelimit_set_rate(g->per_address, per_minute, per_minute);
}

void
login_guard_free(struct login_guard *g)
{
	if (g == NULL)
		return;
	ratelimit_free(g->per_address);
	ratelimit_free(g->reset_per_account);
	pthread_mutex_destroy(&g->mu);
	sodium_memzero(g->device_key, sizeof g->device_key);
	free(g);
}

/* The account's part of a key: its address, lower-cased. */
static void
login_guard_account(const char *email, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; email[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)email[i]);
	out[i] = '\0';
}

/* The slot of kind ("acct" or "dev") and id; with g->mu held. */
static struct login_guard_slot *
login_guard_slot(struct login_guard *g, const char *kind, const char *id,
    bool create)
{
	char buf[400];
	uint64_t h;
	struct login_guard_slot *set, *oldest = NULL;
	int n = snprintf(buf, sizeof buf, "%s:%s", kind, id);

	crypto_shorthash((unsigned char *)&h, (const unsigned char *)buf,
	    (unsigned long long)(n < (int)sizeof buf ? n : (int)sizeof buf - 1),
	    g->hkey);
	h |= 1;			/* 0 marks a free slot */
	set = g->slots[h % LOGIN_GUARD_SETS];
	for (int i = 0; i < LOGIN_GUARD_WAYS; i++)
		if (set[i].key == h)
			return &set[i];
	if (!create)
		return NULL;
	/* A free way, or the one whose last failure is oldest. */
	for (int i = 0; i < LOGIN_GUARD_WAYS; i++)
		if (oldest == NULL || set[i].key == 0 ||
		    (oldest->key != 0 && set[i].last < oldest->last))
			oldest = &set[i];
	oldest->key = h;
	oldest->failures = 0;
	oldest->last = 0;
	return oldest;
}

/* Seconds a slot must still wait, 0 when it may try now. */
static double
login_guard_wait(struct login_guard_slot *s, double now)
{
	double delay, since;

	if (s == NULL)
		return 0;
	since = (now - s->last) / 1000.0;
	if (since > LOGIN_GUARD_FORGET) {
		s->failures = 0;
		return 0;
	}
	if (s->failures < LOGIN_GUARD_FREE)
		return 0;
	delay = 2.0;
	for (int i = LOGIN_GUARD_FREE; i < s->failures &&
	    delay < LOGIN_GUARD_MAX_DELAY; i++)
		delay *= 2;
	if (delay > LOGIN_GUARD_MAX_DELAY)
		delay = LOGIN_GUARD_MAX_DELAY;
	return delay > since ? delay - since : 0;
}

/*
 * May client try a password for email now, from a browser with device
 * (its cookie's nonce, or NULL)? Returns 0, or the whole seconds to wait
 * (at least 1).
 */
int
login_guard_check(struct login_guard *g, const char *client,
    const char *email, const char *device)
{
	char key[300], acct[256];
	double wait;
	int n;

	n = snprintf(key, sizeof key, "ip:%s", client);
	if (!ratelimit_allow(g->per_address, key, (size_t)n))
		return 60;
	login_guard_account(email, acct, sizeof acct);
	pthread_mutex_lock(&g->mu);
	wait = device != NULL ?
	    login_guard_wait(login_guard_slot(g, "dev", device, false),
	    clock_ms()) :
	    login_guard_wait(login_guard_slot(g, "acct", acct, false),
	    clock_ms());
	pthread_mutex_unlock(&g->mu);
	return wait > 0 ? (int)wait + 1 : 0;
}

/* The outcome of an attempt that check allowed. */
void
login_guard_result(struct login_guard *g, const char *email,
    const char *device, bool ok)
{
	char acct[256];
	struct login_guard_slot *s;

	login_guard_account(email, acct, sizeof acct);
	pthread_mutex_lock(&g->mu);
	s = device != NULL ? login_guard_slot(g, "dev", device, !ok) :
	    login_guard_slot(g, "acct", acct, !ok);
	if (s != NULL && ok)
		s->failures = 0;
	else if (s != NULL) {
		s->failures++;
		s->last = clock_ms();
	}
	pthread_mutex_unlock(&g->mu);
}

static void
login_device_mac(struct login_guard *g, const char *email,
    const unsigned char nonce[LOGIN_DEVICE_NONCE],
    unsigned char mac[LOGIN_DEVICE_MAC])
{
	crypto_generichash_state st;
	char acct[256];

	login_guard_account(email, acct, sizeof acct);
	crypto_generichash_init(&st, g->device_key, sizeof g->device_key,
	    LOGIN_DEVICE_MAC);
	crypto_generichash_update(&st, (const unsigned char *)acct,
	    strlen(acct) + 1);
	crypto_generichash_update(&st, nonce, LOGIN_DEVICE_NONCE);
	crypto_generichash_final(&st, mac, LOGIN_DEVICE_MAC);
}

/*
 * A new device cookie value for email into out (LOGIN_DEVICE_LEN + 1
 * bytes): base64url of a nonce and its MAC.
 */
void
login_guard_device_new(struct login_guard *g, const char *email, char *out)
{
	unsigned char raw[LOGIN_DEVICE_NONCE + LOGIN_DEVICE_MAC];

	randombytes_buf(raw, LOGIN_DEVICE_NONCE);
	login_device_mac(g, email, raw, raw + LOGIN_DEVICE_NONCE);
	sodium_bin2base64(out, LOGIN_DEVICE_LEN + 1, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Is cookie a device cookie issued for email? (The cookie is then also the
 * key of that browser's own delay.)
 */
bool
login_guard_device_valid(struct login_guard *g, const char *email,
    const char *cookie)
{
	unsigned char raw[LOGIN_DEVICE_NONCE + LOGIN_DEVICE_MAC + 1];
	unsigned char mac[LOGIN_DEVICE_MAC];
	size_t len;

	if (cookie == NULL || strlen(cookie) != LOGIN_DEVICE_LEN ||
	    sodium_base642bin(raw, sizeof raw, cookie, LOGIN_DEVICE_LEN, NULL,
	    &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != LOGIN_DEVICE_NONCE + LOGIN_DEVICE_MAC)
		return false;
	login_device_mac(g, email, raw, mac);
	return sodium_memcmp(mac, raw + LOGIN_DEVICE_NONCE, sizeof mac) == 0;
}

/*
 * May client ask for a password reset link for email now? The address's
 * budget is the logins' (login_per_minute, one bucket); each account gets
 * at most LOGIN_RESET_PER_HOUR, known or not, so a flood for one address
 * sends it few mails and tells nothing. Returns 0, or seconds to wait.
 */
int
login_guard_reset_allow(struct login_guard *g, const char *client,
    const char *email)
{
	char key[300], acct[256];
	int n;

	n = snprintf(key, sizeof key, "ip:%s", client);
	if (!ratelimit_allow(g->per_address, key, (size_t)n))
		return 60;
	login_guard_account(email, acct, sizeof acct);
	n = snprintf(key, sizeof key, "reset:%s", acct);
	if (!ratelimit_allow(g->reset_per_account, key,
	    (size_t)(n < (int)sizeof key ? n : (int)sizeof key - 1)))
		return (int)(3600 / LOGIN_RESET_PER_HOUR);
	return 0;
}
