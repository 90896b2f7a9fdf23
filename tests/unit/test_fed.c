/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: federation's signed bytes, keys, URLs (fed_sign.c, fed_peer.c). */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

static struct fed_entry
test_entry(void)
{
	struct fed_entry e;

	memset(&e, 0, sizeof e);
	snprintf(e.origin, sizeof e.origin, "%s",
	    "11111111-2222-4333-8444-555555555555");
	e.origin_seq = 42;
	snprintf(e.kind, sizeof e.kind, "pilot");
	snprintf(e.id, sizeof e.id, "abc");
	e.version = 3;
	e.body = "{}";
	e.body_len = 2;
	return e;
}

/* The signing string, byte for byte as docs/federation.md writes it. */
static void
test_entry_text(void **state)
{
	struct fed_entry e = test_entry();
	char *text;

	(void)state;
	text = fed_sign_entry_text(&e);
	/* sha256("{}") */
	assert_string_equal(text, "meent-fed-v1\n"
	    "11111111-2222-4333-8444-555555555555\n42\npilot\nabc\n3\n0\n"
	    "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
	free(text);
	e.deleted = true;
	text = fed_sign_entry_text(&e);
	assert_non_null(strstr(text, "\n3\n1\n"));
	free(text);
}

/* A signature holds for its entry only: every field is covered. */
static void
test_entry_signature(void **state)
{
	unsigned char pk[32], sk[64], other_pk[32], other_sk[64];
	struct fed_entry e = test_entry(), t;

	(void)state;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(other_pk, other_sk);
	fed_sign_entry(&e, sk, e.sig);
	assert_true(fed_sign_entry_valid(&e, pk));
	assert_false(fed_sign_entry_valid(&e, other_pk));
	t = e; t.origin_seq++;
	assert_false(fed_sign_entry_valid(&t, pk));
	t = e; t.version++;
	assert_false(fed_sign_entry_valid(&t, pk));
	t = e; t.deleted = true;
	assert_false(fed_sign_entry_valid(&t, pk));
	t = e; snprintf(t.kind, sizeof t.kind, "dataset");
	assert_false(fed_sign_entry_valid(&t, pk));
	t = e; snprintf(t.id, sizeof t.id, "abd");
	assert_false(fed_sign_entry_valid(&t, pk));
	t = e; t.origin[0] = '2';
	assert_false(fed_sign_entry_valid(&t, pk));
	t = e; t.body = "{ }"; t.body_len = 3;	/* same JSON, other bytes */
	assert_false(fed_sign_entry_valid(&t, pk));
	t = e; t.sig[10] ^= 1;
	assert_false(fed_sign_entry_valid(&t, pk));
}

static void
test_notify(void **state)
{
	unsigned char pk[32], sk[64], sig[64];
	const char *id = "11111111-2222-4333-8444-555555555555";
	char b64[89];

	(void)state;
	crypto_sign_keypair(pk, sk);
	fed_sign_notify(id, 1700000000, sk, b64);
	assert_true(fed_sign_base64_decode(b64, sig, sizeof sig));
	assert_true(fed_sign_notify_valid(id, 1700000000, sig, pk));
	assert_false(fed_sign_notify_valid(id, 1700000001, sig, pk));
}

static void
test_base64_and_uuid(void **state)
{
	unsigned char key[32], back[32];
	char *b64;

	(void)state;
	randombytes_buf(key, sizeof key);
	b64 = fed_sign_base64(key, sizeof key);
	assert_int_equal(strlen(b64), 44);
	assert_true(fed_sign_base64_decode(b64, back, sizeof back));
	assert_memory_equal(key, back, sizeof key);
	b64[43] = '\0';			/* one character short */
	assert_false(fed_sign_base64_decode(b64, back, sizeof back));
	free(b64);
	assert_false(fed_sign_base64_decode("AAAA", back, sizeof back));
	assert_false(fed_sign_base64_decode("", back, sizeof back));
	assert_true(fed_sign_uuid_valid("11111111-2222-4333-8444-555555555555"));
	assert_false(fed_sign_uuid_valid("11111111-2222-4333-8444-55555555555"));
	assert_false(fed_sign_uuid_valid("11111111-2222-4333-8444-55555555555G"));
	assert_false(fed_sign_uuid_valid("11111111x2222-4333-8444-555555555555"));
	assert_false(fed_sign_uuid_valid(NULL));
}

static void
test_peer_url(void **state)
{
	const char *why;

	(void)state;
	assert_true(fed_peer_url_valid("https://meent.example.nl", &why));
	assert_true(fed_peer_url_valid("https://meent.example.nl:8443/a", &why));
	assert_true(fed_peer_url_valid("http://127.0.0.1:8080", &why));
	assert_false(fed_peer_url_valid("file:///etc/passwd", &why));
	assert_non_null(why);
	assert_false(fed_peer_url_valid("ftp://example.nl", &why));
	assert_false(fed_peer_url_valid("https://", &why));
	assert_false(fed_peer_url_valid("https://user@example.nl", &why));
	assert_false(fed_peer_url_valid("https://example.nl/?a=1", &why));
	assert_false(fed_peer_url_valid("https://exa mple.nl", &why));
	assert_false(fed_peer_url_valid("gopher://example.nl", &why));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_text),
		cmocka_unit_test(test_entry_signature),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_base64_and_uuid),
		cmocka_unit_test(test_peer_url),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
