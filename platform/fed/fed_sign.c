/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The bytes federation signs (docs/federation.md): an entry's signing
 * string, a notification's, and Ed25519 over them with libsodium. Kept
 * apart so that the serving side, the pulling side and the fuzzer agree
 * on the exact bytes by construction.
 */
#include "fed/fed.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/*
 * The string an entry's signature covers; caller frees. The body's SHA-256
 * is OpenSSL's (SHA-NI where the CPU has it), as for attachments: every
 * entry signed or verified hashes its whole body, and libsodium's portable
 * SHA-256 was a sixth of an initial sync's verification (callgrind).
 */
char *
fed_sign_entry_text(const struct fed_entry *e)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	unsigned int n;

	if (EVP_Digest(e->body, e->body_len, digest, &n, EVP_sha256(), NULL)
	    != 1 || n != sizeof digest)
		fatal("EVP_Digest");
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	return xasprintf("meent-fed-v1\n%s\n%lld\n%s\n%s\n%lld\n%d\n%s",
	    e->origin, e->origin_seq, e->kind, e->id, e->version,
	    e->deleted ? 1 : 0, hex);
}

/* Sign an entry with the instance's secret key into sig[64]. */
void
fed_sign_entry(const struct fed_entry *e, const unsigned char *sk,
    unsigned char sig[64])
{
	char *text = fed_sign_entry_text(e);

	crypto_sign_detached(sig, NULL, (const unsigned char *)text,
	    strlen(text), sk);
	free(text);
}

/* Does sig verify over the entry's signing string with pk? */
bool
fed_sign_entry_valid(const struct fed_entry *e, const unsigned char *pk)
{
	char *text = fed_sign_entry_text(e);
	bool ok = crypto_sign_verify_detached(e->sig,
	    (const unsigned char *)text, strlen(text), pk) == 0;

	free(text);
	return ok;
}

static char *
fed_sign_notify_text(const char *instance, long long t)
{
	return xasprintf("meent-notify-v1\n%s\n%lld", instance, t);
}

/* A notification's signature, base64 into out[89]. */
void
fed_sign_notify(const char *instance, long long t, const unsigned char *sk,
    char out[89])
{
	unsigned char sig[crypto_sign_BYTES];
	char *text = fed_sign_notify_text(instance, t);

	crypto_sign_detached(sig, NULL, (const unsigned char *)text,
	    strlen(text), sk);
	sodium_bin2base64(out, 89, sig, sizeof sig,
	    sodium_base64_VARIANT_ORIGINAL);
	free(text);
}

bool
fed_sign_notify_valid(const char *instance, long long t,
    const unsigned char sig[64], const unsigned char *pk)
{
	char *text = fed_sign_notify_text(instance, t);
	bool ok = crypto_sign_verify_detached(sig, (const unsigned char *)text,
	    strlen(text), pk) == 0;

	free(text);
	return ok;
}

/* Standard base64 of exactly n bytes into out? true when it is. */
bool
fed_sign_base64_decode(const char *b64, unsigned char *out, size_t n)
{
	size_t len = 0;

	if (b64 == NULL || strlen(b64) > 4 * ((n + 2) / 3))
		return false;
	return sodium_base642bin(out, n, b64, strlen(b64), NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && len == n;
}

/* Base64 of n bytes; caller frees. */
char *
fed_sign_base64(const unsigned char *in, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL);
	char *out = xmalloc(cap);

	sodium_bin2base64(out, cap, in, n, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* Is s a lower-case UUID as instance_uuid() writes them? */
bool
fed_sign_uuid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : strchr("0123456789abcdef", s[i]) ==
		    NULL || s[i] == '\0')
			return false;
	}
	return true;
}
