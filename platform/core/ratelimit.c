/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Token-bucket rate limits in memory, shared by all worker threads, for
 * things that must be slowed down before they cost anything (login attempts:
 * an Argon2id hash costs 64 MiB and tens of milliseconds).
 *
 * Keys are hashed with a random per-process SipHash key, so a client cannot
 * aim at another client's slot. The table is fixed in size and 4-way set
 * associative: a key takes a free way, or a way whose bucket has refilled
 * (its key has been quiet); only when all four ways of its set are busy does
 * it share the fullest one, which errs on the side of limiting. A flood of
 * new keys therefore cannot evict a bucket that is being limited. Nothing is
 * stored but the 64-bit keyed hash, so no address or e-mail is kept.
 */
#include "core/core.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_WAYS 4
#define RATELIMIT_SETS 16384	/* 64k buckets, 1.5 MiB */

struct ratelimit_slot {
	uint64_t key;
	double tokens;
	double last;		/* ms, monotonic */
};

struct ratelimit {
	pthread_mutex_t mu;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	double per_ms;		/* refill rate */
	double burst;
	struct ratelimit_slot slots[RATELIMIT_SETS][RATELIMIT_WAYS];
};

/* per_minute events per minute, with bursts of up to burst. */
struct ratelimit *
ratelimit_new(double per_minute, double burst)
{
	struct ratelimit *rl = xcalloc(1, sizeof *rl);

	pthread_mutex_init(&rl->mu, NULL);
	crypto_shorthash_keygen(rl->hkey);
	rl->per_ms = per_minute / 60000.0;
	rl->burst = burst;
	return rl;
}

/* A new rate (a reload); buckets keep what they hold, up to burst. */
void
ratelimit_set_rate(struct ratelimit *rl, double per_minute, double burst)
{
	pthread_mutex_lock(&rl->mu);
	rl->per_ms = per_minute / 60000.0;
	rl->burst = burst;
	pthread_mutex_unlock(&rl->mu);
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

/* Refill a bucket up to now. */
static void
ratelimit_refill(struct ratelimit *rl, struct ratelimit_slot *s, double now)
{
	s->tokens = fmin(rl->burst, s->tokens + (now - s->last) * rl->per_ms);
	s->last = now;
}

/* The bucket of key k: its own, a free or refilled way, or the fullest. */
static struct ratelimit_slot *
ratelimit_find(struct ratelimit *rl, uint64_t k, double now)
{
	struct ratelimit_slot *set = rl->slots[k % RATELIMIT_SETS];
	struct ratelimit_slot *best = NULL;

	for (int i = 0; i < RATELIMIT_WAYS; i++) {
		if (set[i].key == k) {
			ratelimit_refill(rl, &set[i], now);
			return &set[i];
		}
	}
	for (int i = 0; i < RATELIMIT_WAYS; i++) {
		ratelimit_refill(rl, &set[i], now);
		if (set[i].key == 0 || set[i].tokens >= rl->burst) {
			set[i].key = k;
			set[i].tokens = rl->burst;
			return &set[i];
		}
		if (best == NULL || set[i].tokens > best->tokens)
			best = &set[i];
	}
	return best;
}

/* May one more event with this key happen now? Takes a token if so. */
bool
ratelimit_allow(struct ratelimit *rl, const char *key, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t k;
	struct ratelimit_slot *s;
	double now = clock_ms();
	bool ok;

	crypto_shorthash(h, (const unsigned char *)key, len, rl->hkey);
	memcpy(&k, h, sizeof k);
	pthread_mutex_lock(&rl->mu);
	s = ratelimit_find(rl, k, now);
	ok = s->tokens >= 1.0;
	if (ok)
		s->tokens -= 1.0;
	pthread_mutex_unlock(&rl->mu);
	return ok;
}
