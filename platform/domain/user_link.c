/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * One-time links sent by e-mail (a password reset, an invitation): the
 * token is 32 random bytes in base64url, in the link's path; only its
 * SHA-256 digest is stored, so a copy of the database opens no link.
 * password_reset.c and invitation.c keep their own tables and rules;
 * what the token is and how it is checked lives here, once.
 */
#include "domain/domain.h"

#include <sodium.h>
#include <string.h>

/* A new token into token and its digest into digest. */
void
user_link_new(char token[USER_LINK_LEN + 1], unsigned char digest[32])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, USER_LINK_LEN + 1, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	crypto_hash_sha256(digest, (const unsigned char *)token,
	    USER_LINK_LEN);
}

/*
 * The digest of token (borrowed, from a path) into digest. False when the
 * token cannot be one of ours (length, alphabet): then nothing is looked
 * up.
 */
bool
user_link_digest(const char *token, unsigned char digest[32])
{
	size_t len = strlen(token);

	if (len != USER_LINK_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((token[i] >= 'A' && token[i] <= 'Z') ||
		    (token[i] >= 'a' && token[i] <= 'z') ||
		    (token[i] >= '0' && token[i] <= '9') || token[i] == '-' ||
		    token[i] == '_'))
			return false;
	crypto_hash_sha256(digest, (const unsigned char *)token,
	    USER_LINK_LEN);
	return true;
}
