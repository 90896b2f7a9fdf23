/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Fuzz target: applying a page of a peer's changes feed (fed_apply.c and
 * the kinds in fed_items.c) to a real database. Input starting with 'S':
 * the rest is a page whose entries the target signs with the peer's key
 * first, so that bodies of every kind reach their checks; otherwise the
 * input is the page as served. Whatever happens, the cursor never moves
 * below 0 and no entry of another origin is ever stored (the peer is not
 * a relay).
 */
#include "meent.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct db *db;
static struct config cfg;
static struct instance self;
static struct fed_peer peer;
static unsigned char peer_sk[64];
static const char peer_uuid[] = "11111111-2222-4333-8444-555555555555";
static const char peer_epoch[] = "66666666-7777-4888-9999-000000000000";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/meent-fuzz-fed-XXXXXX", *path, *err = NULL;

	(void)argc;
	(void)argv;
	if (sodium_init() == -1 || mkdtemp(dir) == NULL)
		abort();
	log_init(NULL, LOG_FATAL);
	config_init(&cfg);
	path = xasprintf("%s/meent.db", dir);
	if ((db = db_open(path, DB_CREATE, &err)) == NULL ||
	    migrate_apply(db, &err) == -1 ||
	    instance_create(db, dir, "fuzz", "http://127.0.0.1", &err) == -1 ||
	    instance_load(db, dir, &self, &err) == -1 ||
	    refdata_load_gemeenten(db, MEENT_CONTENT_DIR, &err) < 0)
		abort();
	free(path);
	crypto_sign_keypair(peer.key, peer_sk);
	if (fed_peer_add(db, "http://127.0.0.1:1", peer.key, false, 60,
	    &err) == -1)
		abort();
	peer.id = 1;
	snprintf(peer.url, sizeof peer.url, "http://127.0.0.1:1");
	snprintf(peer.instance, sizeof peer.instance, "%s", peer_uuid);
	snprintf(peer.epoch, sizeof peer.epoch, "%s", peer_epoch);
	return 0;
}

/* Sign each entry as the peer would (fields it cannot read stay as they are). */
static void
fuzz_sign(json_t *page)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(page, "entries"), i, e) {
		struct fed_entry fe;
		const char *s;
		char *b64;

		memset(&fe, 0, sizeof fe);
		if ((s = json_string_value(json_object_get(e, "origin"))) == NULL)
			continue;
		snprintf(fe.origin, sizeof fe.origin, "%s", s);
		if ((s = json_string_value(json_object_get(e, "kind"))) == NULL)
			continue;
		snprintf(fe.kind, sizeof fe.kind, "%s", s);
		if ((s = json_string_value(json_object_get(e, "id"))) == NULL)
			continue;
		snprintf(fe.id, sizeof fe.id, "%s", s);
		fe.origin_seq = json_integer_value(json_object_get(e,
		    "originSeq"));
		fe.version = json_integer_value(json_object_get(e, "version"));
		fe.deleted = json_is_true(json_object_get(e, "deleted"));
		fe.body = json_string_value(json_object_get(e, "body"));
		if (fe.body == NULL)
			continue;
		fe.body_len = json_string_length(json_object_get(e, "body"));
		fed_sign_entry(&fe, peer_sk, fe.sig);
		b64 = fed_sign_base64(fe.sig, 64);
		json_object_set_new(e, "sig", json_string(b64));
		free(b64);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fed_counts c;
	const char *why;
	char *text = NULL;
	size_t len = size;
	bool more;

	peer.cursor = 0;	/* every input is read as a first page */
	if (size > 0 && data[0] == 'S') {
		json_t *page = json_loadb((const char *)data + 1, size - 1, 0,
		    NULL);

		if (page == NULL)
			return 0;
		fuzz_sign(page);
		text = json_dumps(page, JSON_COMPACT);
		json_decref(page);
		if (text == NULL)
			return 0;
		len = strlen(text);
	}
	fed_apply_page(db, &cfg, &self, &peer, text != NULL ? text :
	    (const char *)data, len, &more, &c, &why);
	free(text);
	if (peer.cursor < 0)
		abort();
	if (db_exists(db, "SELECT 1 FROM fed_entries WHERE origin <> ?1",
	    peer_uuid))
		abort();	/* a non-relay peer introduced another origin */
	return 0;
}
