/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Operations endpoints: /healthz (the process answers), /readyz (it can
 * reach its database and is not draining), /metrics (Prometheus).
 */
#include "api/api.h"

#include <event2/buffer.h>

void
ops_healthz(struct req *r)
{
	reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

void
ops_readyz(struct req *r)
{
	sqlite3_stmt *st;
	bool ok;
	int rc;

	if (r->ctx->draining) {
		reply_problem(r, 503, "Wordt gestopt", "Deze server stopt; "
		    "stuur verzoeken naar een andere.");
		return;
	}
	/* Any failure is "not ready": a probe wants 503, of whatever kind. */
	st = db_stmt(r->db, "SELECT count(*) FROM instance");
	rc = st != NULL ? db_step_row(r->db, st, "readyz") : -1;
	ok = rc == 1 && sqlite3_column_int(st, 0) == 1;
	if (st != NULL)
		sqlite3_reset(st);
	if (!ok) {
		reply_problem(r, 503, "Niet gereed", "De database is niet "
		    "bereikbaar.");
		return;
	}
	reply_json(r, 200, json_pack("{s:s}", "status", "ready"));
}

void
ops_metrics(struct req *r)
{
	struct evbuffer *b;

	/* Not there for those not listed in metrics_allow. */
	if (!metrics_allowed(r)) {
		reply_problem(r, 404, "Niet gevonden", "Dit adres bestaat "
		    "niet.");
		return;
	}
	b = evbuffer_new();
	metrics_write(b);
	conn_metrics(b);
	reply_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", b);
	evbuffer_free(b);
}
