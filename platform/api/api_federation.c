/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The federation endpoints (docs/federation.md): who this instance is, its
 * changes feed, and notifications from peers that asked to be pulled.
 */
#include "api/api.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FED_NOTIFY_SKEW		300	/* seconds either way */

/* GET /.well-known/meent */
void
api_federation_wellknown(struct req *r)
{
	json_t *o = fed_feed_wellknown(r->db, r->ctx->instance,
	    r->ctx->cfg->federation_relay);

	if (o == NULL) {
		reply_db_failed(r, "De gegevens van deze instantie konden niet "
		    "gelezen worden.");
		return;
	}
	reply_json(r, 200, o);
}

/* GET /federation/v1/changes?after=SEQ&limit=N */
void
api_federation_changes(struct req *r)
{
	const struct instance *in = r->ctx->instance;
	long after, limit;
	json_t *page;

	req_query_int(r, "after", 0, 0, LONG_MAX, &after);
	req_query_int(r, "limit", FED_PAGE_MAX, 1, FED_PAGE_MAX, &limit);
	if (req_has_invalid(r)) {
		reply_invalid(r);
		return;
	}
	/*
	 * Writes sign themselves into the feed; a backlog (meentctl, a
	 * migration) is the signer's, told to look now. Only entries on disk
	 * go out: a peer must never hold one that a power loss takes back.
	 */
	switch (db_exists(r->db, "SELECT 1 FROM fed_outbox LIMIT 1", NULL)) {
	case 1:
		fed_signer_wake();
		break;
	case -1:
		reply_db_failed(r, "De feed kon niet gelezen worden.");
		return;
	}
	page = fed_feed_page(r->db, in, r->ctx->cfg->federation_relay, after,
	    (int)limit);
	if (page == NULL) {
		reply_db_failed(r, "De feed kon niet gelezen worden.");
		return;
	}
	park_until_durable(r);	/* after the read: all it could have seen */
	reply_json(r, 200, page);
}

/*
 * Is the notification signed by a peer we pin: the one with this instance
 * id, or one not contacted yet (its instance id is learned on first pull)?
 * 1, 0, or -1 when the peers could not be read.
 */
static int
api_federation_from_peer(struct db *db, const char *instance, long long t,
    const unsigned char sig[64])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT public_key FROM peers WHERE"
	    " instance = ?1 OR instance IS NULL");
	bool found = false;
	int rc = 0;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, instance);
	while (!found && (rc = db_step_row(db, st, "notify peers")) == 1)
		found = sqlite3_column_bytes(st, 0) == 32 &&
		    fed_sign_notify_valid(instance, t, sig,
		    sqlite3_column_blob(st, 0));
	sqlite3_reset(st);
	return found ? 1 : rc;
}

/* POST /federation/v1/notify: a pinned peer asks for an early pull. */
void
api_federation_notify(struct req *r)
{
	json_t *body, *t;
	const char *instance, *b64;
	unsigned char sig[64];
	long long now = (long long)time(NULL);

	if (api_body_json(r, &body) == -1)
		return;
	instance = json_string_value(json_object_get(body, "instance"));
	b64 = json_string_value(json_object_get(body, "sig"));
	t = json_object_get(body, "time");
	if (instance == NULL || !fed_sign_uuid_valid(instance))
		req_invalid(r, "instance", "de UUID van de instantie");
	if (!json_is_integer(t))
		req_invalid(r, "time", "Unix-seconden");
	if (b64 == NULL || !fed_sign_base64_decode(b64, sig, sizeof sig))
		req_invalid(r, "sig", "een Ed25519-handtekening in base64");
	if (req_has_invalid(r)) {
		json_decref(body);
		reply_invalid(r);
		return;
	}
	if (json_integer_value(t) < now - FED_NOTIFY_SKEW ||
	    json_integer_value(t) > now + FED_NOTIFY_SKEW) {
		json_decref(body);
		req_invalid(r, "time", "wijkt meer dan 5 minuten af van de klok"
		    " hier");
		reply_invalid(r);
		return;
	}
	switch (api_federation_from_peer(r->db, instance, json_integer_value(t),
	    sig)) {
	case 1:
		break;
	case 0:
		json_decref(body);
		reply_problem(r, 403, "Geen peer", "Deze instantie haalt niets "
		    "op bij de afzender, of de handtekening klopt niet.");
		return;
	default:
		json_decref(body);
		reply_db_failed(r, "De peers konden niet gelezen worden.");
		return;
	}
	fed_pull_notified(instance);
	json_decref(body);
	reply_json(r, 202, json_pack("{s:s}", "status", "ingepland"));
}
