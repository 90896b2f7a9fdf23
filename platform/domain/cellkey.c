/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Consistent perturbation: the cell-key method of the Australian Bureau of
 * Statistics and the ONS, for tables cut from the same data again and again.
 *
 * Every unit (a person, or a row when there is no identifying column) gets
 * a record key: 32 bits of a keyed hash of what identifies it. A cell's key
 * is the sum of its units' record keys, modulo 2^32. The noise added to a
 * published cell is a function of its key alone. So:
 *
 * - the same persons in a cell always give the same noise, in every table,
 *   breakdown or release: publishing a table twice, or a marginal in two
 *   breakdowns, tells an attacker nothing new (no averaging);
 * - one person more or less gives an unrelated key, hence unrelated noise:
 *   the difference of two releases is that person's value plus noise the
 *   attacker cannot know (differencing yields an interval, not the value).
 *
 * The key of the hash is derived from the instance's secret key (the file
 * instance.key) and the municipality's code, so record keys agree across a
 * municipality's uploads and cannot be computed outside meent. Neither the
 * key nor any record key is stored; identifying values are hashed in the
 * upload's job and forgotten with it.
 *
 * Counts get an integer noise uniform in -d..d. Magnitudes get m times the
 * cell's largest contribution times eta, eta uniform in [-1, 1): the noise
 * scales with what one person can contribute, so that differencing learns a
 * person's amount only to within m of it (docs/privacy.md).
 */
#include "domain/domain.h"

#include <sodium.h>
#include <string.h>

/*
 * The key of a municipality's record keys, into out (32 bytes): a keyed
 * BLAKE2b of the municipality's code, keyed by the instance's secret key.
 */
void
cellkey_derive(const unsigned char *instance_secret, const char *gemeente,
    unsigned char *out)
{
	static const char label[] = "meent cell key v1";
	crypto_generichash_state st;

	crypto_generichash_init(&st, instance_secret, 64, CELLKEY_KEYBYTES);
	crypto_generichash_update(&st, (const unsigned char *)label,
	    sizeof label);
	crypto_generichash_update(&st, (const unsigned char *)gemeente,
	    strlen(gemeente) + 1);
	crypto_generichash_final(&st, out, CELLKEY_KEYBYTES);
}

/*
 * A unit's 64-bit pseudonym from what identifies it (kind: "persoon" or
 * "rij", then the bytes): for grouping rows per person, and, in its upper
 * 32 bits, the record key.
 */
uint64_t
cellkey_pseudonym(const unsigned char *key, const char *kind,
    const void *data, size_t len)
{
	crypto_generichash_state st;
	unsigned char h[8];
	uint64_t v = 0;

	crypto_generichash_init(&st, key, CELLKEY_KEYBYTES, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)kind,
	    strlen(kind) + 1);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, h, sizeof h);
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	sodium_memzero(&st, sizeof st);
	return v;
}

uint32_t
cellkey_record(uint64_t pseudonym)
{
	return (uint32_t)(pseudonym >> 32);
}

/* The count noise of a cell key: uniform in -d..d (0 when d is 0). */
int
cellkey_count_noise(uint32_t key, int d)
{
	if (d <= 0)
		return 0;
	return (int)(((uint64_t)key * (uint64_t)(2 * d + 1)) >> 32) - d;
}

/*
 * eta in [-1, 1) from a cell key, through a mixing step (murmur3's
 * finaliser), so that it does not follow the count noise, which takes the
 * key's upper bits as they are.
 */
double
cellkey_eta(uint32_t key)
{
	uint32_t h = key;

	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return (double)h / 2147483648.0 - 1.0;
}
