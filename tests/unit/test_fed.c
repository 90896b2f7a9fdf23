/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests: federation's signed bytes, keys, URLs (fed_sign.c, fed_peer.c). */
#include "meent.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
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

/*
 * A new pilot's id (instance_uuid7): valid for federation, version 7 and
 * the RFC 9562 variant, the time of its making in its first 48 bits, and
 * ids made later sort after it (so that new pilots go at the end of the
 * indexes on their id). Two made in the same millisecond differ.
 */
static void
test_uuid7(void **state)
{
	char a[37], b[37], c[37], hex[13];
	struct timespec ts;
	unsigned long long ms, now;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)
	    ts.tv_nsec / 1000000;
	instance_uuid7(a);
	instance_uuid7(b);
	assert_true(fed_sign_uuid_valid(a));
	assert_int_equal(a[14], '7');
	assert_non_null(strchr("89ab", a[19]));
	assert_string_not_equal(a, b);
	snprintf(hex, sizeof hex, "%.8s%.4s", a, a + 9);
	ms = strtoull(hex, NULL, 16);
	assert_true(ms >= now && ms < now + 60000);
	usleep(2000);
	instance_uuid7(c);
	assert_true(strcmp(a, c) < 0 && strcmp(b, c) < 0);
	instance_uuid(c);	/* the instance's own: random, version 4 */
	assert_int_equal(c[14], '4');
}

/* A peer URL and what it is stored as; NULL: refused. */
static const struct {
	const char	*url;
	const char	*stored;
} peer_urls[] = {
	{ "https://meent.example.nl", "https://meent.example.nl" },
	{ "https://meent.example.nl/", "https://meent.example.nl" },
	{ "https://meent.example.nl//", "https://meent.example.nl" },
	{ "https://meent.example.nl:8443/a", "https://meent.example.nl:8443/a" },
	{ "https://meent.example.nl:8443/a/b/",
	    "https://meent.example.nl:8443/a/b" },
	/* one peer, many spellings */
	{ "HTTPS://Meent.Example.NL", "https://meent.example.nl" },
	{ "hTtPs://MEENT.example.nl:443/", "https://meent.example.nl" },
	{ "https://meent.example.nl.:443", "https://meent.example.nl." },
	{ "https://meent.example.nl:0443", "https://meent.example.nl" },
	{ "https://meent.example.nl/x/../", "https://meent.example.nl" },
	{ "https://meent.example.nl/Pad/", "https://meent.example.nl/Pad" },
	{ "https://meent.example.nl:", "https://meent.example.nl" },
	/* ports: 1 to 65535 */
	{ "https://meent.example.nl:1", "https://meent.example.nl:1" },
	{ "https://meent.example.nl:65535", "https://meent.example.nl:65535" },
	{ "https://meent.example.nl:0", NULL },
	{ "https://meent.example.nl:65536", NULL },
	{ "https://meent.example.nl:99999", NULL },
	{ "https://meent.example.nl:-1", NULL },
	{ "https://meent.example.nl:+443", NULL },
	{ "https://meent.example.nl:44x", NULL },
	/* IPv6 */
	{ "https://[2001:DB8::0001]:8443/", "https://[2001:db8::1]:8443" },
	{ "https://[::1", NULL },
	{ "https://[::1]x", NULL },
	{ "https://[fe80::1%25eth0]/", NULL },
	{ "https://[zz::1]", NULL },
	/* A percent-encoded host, decoded, in the spelling curl keeps. */
	{ "HTTPS://0%30000000", "https://0.0.0.0" },
	{ "https://meent%2Eexample.nl", "https://meent.example.nl" },
	{ "http://127.0.0.%31:8080", "http://127.0.0.1:8080" },
	{ "http://12%37.1:8080", "http://127.0.0.1:8080" },
	{ "https://meent.example.nl/pad%20met", "https://meent.example.nl/pad%20met" },
	/* http: only to a loopback address */
	{ "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
	{ "http://127.0.0.1:80/", "http://127.0.0.1" },
	{ "HTTP://127.1.2.3:8080/", "http://127.1.2.3:8080" },
	{ "http://[::1]:8080", "http://[::1]:8080" },
	{ "http://[::ffff:127.0.0.1]:8080", "http://[::ffff:127.0.0.1]:8080" },
	{ "http://example.com", NULL },
	{ "http://localhost:8080", NULL },
	{ "http://128.0.0.1", NULL },
	{ "http://126.255.255.255", NULL },
	{ "http://10.0.0.1", NULL },
	{ "http://[::2]", NULL },
	{ "http://127.0.0.1.example.com", NULL },
	/* other schemes */
	{ "file:///etc/passwd", NULL },
	{ "ftp://example.nl", NULL },
	{ "gopher://example.nl", NULL },
	{ "ws://example.nl", NULL },
	{ "javascript:alert(1)", NULL },
	{ "example.nl", NULL },
	{ "//example.nl", NULL },
	{ "", NULL },
	/* no host */
	{ "https://", NULL },
	{ "https:///", NULL },
	{ "https:///meent.example.nl", NULL },
	{ "https://:443", NULL },
	{ "https://.", NULL },
	{ "https://..", NULL },
	{ "https://../", NULL },
	{ "https://.meent.example.nl", NULL },
	{ "https://meent..example.nl", NULL },
	{ "https://%4Deent.example.nl", "https://meent.example.nl" },
	{ "https://meent%cc.nl", NULL },
	{ "https://meent%2f.nl", NULL },
	{ "https://meent%00.nl", NULL },
	{ "https://meent%20.nl", NULL },
	{ "https://meent.example.nl..", NULL },
	/* the shape around the host */
	{ "https:/meent.example.nl", NULL },
	{ "https:meent.example.nl", NULL },
	/* user info, query, fragment */
	{ "https://user@example.nl", NULL },
	{ "https://user:pw@example.nl", NULL },
	{ "https://:pw@example.nl", NULL },
	{ "https://@example.nl", NULL },
	{ "https://example.nl/?a=1", NULL },
	{ "https://example.nl?", NULL },
	{ "https://example.nl/#top", NULL },
	{ "https://example.nl#", NULL },
	/* bytes */
	{ "https://exa mple.nl", NULL },
	{ "https://example.nl/\\x", NULL },
	{ "https://example.nl/\t", NULL },
	{ "https://m\xc3\xa9" "ent.nl", NULL },
	{ "https://exa_mple.nl;x", NULL },
};

static void
test_peer_url(void **state)
{
	const char *why;
	char long_url[520];
	char *got;
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < nitems(peer_urls); i++) {
		got = fed_peer_url_normalise(peer_urls[i].url, &why);
		if (got == NULL ? peer_urls[i].stored != NULL :
		    peer_urls[i].stored == NULL ||
		    strcmp(got, peer_urls[i].stored) != 0) {
			print_error("%s: got %s, want %s\n", peer_urls[i].url,
			    got != NULL ? got : "refused", peer_urls[i].stored
			    != NULL ? peer_urls[i].stored : "refused");
			failed++;
		}
		/* A refusal says why; what is stored is stored as itself. */
		if (got == NULL && why == NULL) {
			print_error("%s: refused without a reason\n",
			    peer_urls[i].url);
			failed++;
		}
		if (got != NULL) {
			char *again = fed_peer_url_normalise(got, &why);

			if (again == NULL || strcmp(again, got) != 0) {
				print_error("%s: not stable\n", got);
				failed++;
			}
			free(again);
		}
		free(got);
	}
	assert_int_equal(failed, 0);

	/* 500 characters at most, before and after. */
	memset(long_url, 'a', sizeof long_url - 1);
	long_url[sizeof long_url - 1] = '\0';
	memcpy(long_url, "https://x.nl/", 13);
	long_url[500] = '\0';
	got = fed_peer_url_normalise(long_url, &why);
	assert_non_null(got);
	free(got);
	long_url[500] = 'a';
	long_url[501] = '\0';
	assert_null(fed_peer_url_normalise(long_url, &why));
	assert_non_null(strstr(why, "500"));

	/* The reasons name what is wrong. */
	assert_null(fed_peer_url_normalise("http://example.com", &why));
	assert_non_null(strstr(why, "loopback"));
	assert_null(fed_peer_url_normalise("https://[::1", &why));
	assert_non_null(strstr(why, "IPv6"));
	assert_null(fed_peer_url_normalise("https://e.nl:99999", &why));
	assert_non_null(strstr(why, "65535"));
	assert_null(fed_peer_url_normalise("https://e.nl:0", &why));
	assert_non_null(strstr(why, "65535"));
	assert_null(fed_peer_url_normalise("https://u:p@e.nl", &why));
	assert_non_null(strstr(why, "user"));
	assert_null(fed_peer_url_normalise("https://e.nl/?a", &why));
	assert_non_null(strstr(why, "query"));
	assert_null(fed_peer_url_normalise("https://e.nl/#a", &why));
	assert_non_null(strstr(why, "fragment"));
	assert_null(fed_peer_url_normalise("ftp://e.nl", &why));
	assert_non_null(strstr(why, "https://"));
	assert_null(fed_peer_url_normalise("https:///e.nl", &why));
	assert_non_null(strstr(why, "host"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_text),
		cmocka_unit_test(test_entry_signature),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_base64_and_uuid),
		cmocka_unit_test(test_uuid7),
		cmocka_unit_test(test_peer_url),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
