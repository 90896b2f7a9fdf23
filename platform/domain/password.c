/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Passwords: Argon2id through libsodium, with its "interactive" limits
 * (t = 2, 64 MiB), above the floor of 19 MiB and t >= 2. The hash string
 * carries its parameters, so raising them later still verifies old hashes.
 *
 * Callers rate-limit before calling here: each call costs 64 MiB and tens of
 * milliseconds on purpose.
 */
#include "domain/domain.h"

#include <sodium.h>
#include <string.h>

/* Length bounds, checked before any hashing. */
bool
password_acceptable(const char *pw, size_t len)
{
	(void)pw;
	return len >= PASSWORD_MIN && len <= PASSWORD_MAX;
}

/* Hash into out[PASSWORD_HASH_LEN]. Returns 0, or -1 (out of memory). */
int
password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_LEN])
{
	if (crypto_pwhash_str_alg(out, pw, len,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	return 0;
}

/* Does pw match hash? */
bool
password_verify(const char *hash, const char *pw, size_t len)
{
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}
