/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Benchmark uploads as a request sees them, for the API (api_datasets.c)
 * and the web pages (web_datasets.c) alike: what an upload asks for, the
 * job that parses and protects it off the event loop (jobs.c) and stores
 * the result as a concept, and publishing or withdrawing one with the
 * caller's rights.
 *
 * The upload is wiped once read, and never logged: errors name a row, a
 * column and a reason, never a value.
 */
#include "model/model.h"

#include <sodium.h>

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

struct dataset_job {
	struct req		*r;
	struct dataset_request	 rq;
	struct evbuffer		*body;
	struct dataset_result	 res;
	dataset_answer_fn	 answer;
	char			 id[37];
};

/*
 * Check what an upload asks for (vorm, indicator, periode, rollen: from
 * the query or a form) into rq; invalid fields are noted on r. 0, or
 * MEENT_ERR when the database failed (the caller answers reply_db_failed).
 */
int
model_datasets_request(struct req *r, const char *vorm, const char *indicator,
    const char *periode, const char *rollen, struct dataset_request *rq)
{
	json_t *ind = NULL;
	const char *why;
	int rc = MEENT_NOTFOUND;

	memset(rq, 0, sizeof *rq);
	if (!choice_valid(dataset_forms, vorm)) {
		char *allowed = choice_values_text(dataset_forms);

		req_invalid(r, "vorm", "%s", allowed);
		free(allowed);
	} else
		rq->microdata = strcmp(vorm, "microdata") == 0;
	if (indicator_id_valid(indicator) &&
	    (rc = indicator_get(r->db, indicator, &ind)) == MEENT_ERR)
		return MEENT_ERR;
	if (rc != MEENT_OK)
		req_invalid(r, "indicator", "geen bekende indicator");
	else {
		snprintf(rq->indicator, sizeof rq->indicator, "%s", indicator);
		snprintf(rq->soort, sizeof rq->soort, "%s",
		    json_string_value(json_object_get(ind, "soort")));
	}
	json_decref(ind);
	if (!indicator_period_valid(periode))
		req_invalid(r, "periode", "jaar (2024), kwartaal (2024-K1) of "
		    "maand (2024-01)");
	else
		snprintf(rq->periode, sizeof rq->periode, "%s", periode);
	if (rollen != NULL && rollen[0] != '\0') {
		if (vorm != NULL && strcmp(vorm, "microdata") != 0)
			req_invalid(r, "rollen", "alleen bij microdata");
		else if (strlen(rollen) > 4096)
			req_invalid(r, "rollen", "te lang");
		else if (dataset_roles_parse(rollen, rq, &why) == -1)
			req_invalid(r, "rollen", "%s", why);
	}
	snprintf(rq->gemeente, sizeof rq->gemeente, "%s", r->who.gemeente);
	sdc_rules_config(r->ctx->cfg, &rq->rules);
	/* The municipality's record keys (cellkey.c); wiped with the job. */
	cellkey_derive(r->ctx->instance->secret_key, rq->gemeente,
	    rq->cellkey);
	return 0;
}

static void
model_datasets_run(void *arg)
{
	struct dataset_job *job = arg;

	dataset_process(&job->rq, job->body, &job->res);
	sodium_memzero(job->rq.cellkey, sizeof job->rq.cellkey);
}

/* Store the protected table as a concept; its id goes to job->id. */
static int
model_datasets_store(struct dataset_job *job)
{
	struct req *r = job->r;
	struct dataset_row row = {
		.id = job->id,
		.origin = r->ctx->instance->uuid,
		.gemeente = job->rq.gemeente,
		.indicator = job->rq.indicator,
		.periode = job->rq.periode,
		.vorm = job->rq.microdata ? "microdata" : "tabel",
		.publishable = job->res.publishable,
	};
	char *rapport, *eigen, *regels, *tabel;
	int rc;

	instance_uuid(job->id);
	rapport = json_dumps(job->res.report, JSON_COMPACT);
	eigen = json_dumps(job->res.report_own, JSON_COMPACT);
	regels = json_dumps(job->res.statuses, JSON_COMPACT);
	tabel = json_dumps(job->res.table, JSON_COMPACT);
	row.rapport = rapport;
	row.rapport_eigen = eigen;
	row.cel_regels = regels;
	row.tabel = tabel;
	rc = dataset_store_insert(r->db, &row);
	free(rapport);
	free(eigen);
	free(regels);
	free(tabel);
	if (rc == 0)
		cache_bump();
	return rc;
}

/* Back on the worker's loop: store, answer, free. */
static void
model_datasets_done(void *arg, bool ran)
{
	struct dataset_job *job = arg;
	struct req *r = job->r;

	log_set_rid(r->rid);
	router_resume(r);	/* what fails or commits now is r's */
	if (!ran)
		reply_problem(r, 503, "Tijdelijk niet beschikbaar", "De server "
		    "stopt; probeer de upload zo opnieuw.");
	else if (job->res.problems == NULL && model_datasets_store(job) == -1)
		reply_db_failed(r, "De beschermde tabel kon "
		    "niet bewaard worden.");
	else
		job->answer(r, &job->rq, &job->res, job->id);
	db_recover(r->db);
	log_set_rid(NULL);
	csvstream_wipe(job->body);
	evbuffer_free(job->body);
	dataset_result_free(&job->res);
	free(job);
	router_req_free(r);
	/* An upload's tens of megabytes go back to the system now. */
	malloc_trim(0);
}

/*
 * The list a request asks for (?indicator, gemeente, periode, status,
 * eigen=ja for the caller's own municipality), checked into q (strings
 * borrowed from r); invalid fields are noted on r. The API and the page
 * /datasets ask the same question.
 */
void
model_datasets_query(struct req *r, struct dataset_query *q)
{
	const char *eigen = req_query(r, "eigen");

	memset(q, 0, sizeof *q);
	q->indicator = req_query(r, "indicator");
	q->gemeente = req_query(r, "gemeente");
	q->periode = req_query(r, "periode");
	q->status = req_query(r, "status");
	q->viewer = r->who.kind == PRINCIPAL_ANONYMOUS ? NULL :
	    r->who.gemeente;
	/* An empty select ("alle") is no filter. */
	if (q->indicator != NULL && q->indicator[0] == '\0')
		q->indicator = NULL;
	if (q->periode != NULL && q->periode[0] == '\0')
		q->periode = NULL;
	if (q->status != NULL && q->status[0] == '\0')
		q->status = NULL;
	if (q->gemeente != NULL && q->gemeente[0] == '\0')
		q->gemeente = NULL;
	if (q->indicator != NULL && !indicator_id_valid(q->indicator))
		req_invalid(r, "indicator", "geen geldige indicator");
	if (q->gemeente != NULL && !municipality_code_valid(q->gemeente))
		req_invalid(r, "gemeente", "een CBS-code zoals GM0363");
	if (q->periode != NULL && !indicator_period_valid(q->periode))
		req_invalid(r, "periode", "jaar (2024), kwartaal (2024-K1) of "
		    "maand (2024-01)");
	if (q->status != NULL && !choice_valid(dataset_statuses, q->status))
		req_invalid(r, "status", "concept, gepubliceerd of "
		    "ingetrokken");
	if (eigen != NULL && eigen[0] != '\0') {
		if (strcmp(eigen, "ja") != 0)
			req_invalid(r, "eigen", "ja, of weglaten");
		else if (q->viewer == NULL)
			req_invalid(r, "eigen", "alleen als u bent ingelogd");
		else
			q->gemeente = q->viewer;
	}
}

/*
 * Hand body (moved out of the request) and rq to a job; answer() replies
 * when it is done. If the pool is full, reply 503 here.
 */
void
model_datasets_submit(struct req *r, const struct dataset_request *rq,
    struct evbuffer *body, dataset_answer_fn answer)
{
	struct dataset_job *job = xcalloc(1, sizeof *job);

	job->r = r;
	job->rq = *rq;
	job->answer = answer;
	job->body = evbuffer_new();
	evbuffer_add_buffer(job->body, body);
	if (jobs_submit(JOBS_UPLOAD, r->ctx->base, model_datasets_run,
	    model_datasets_done, job) == -1) {
		csvstream_wipe(job->body);
		evbuffer_free(job->body);
		free(job);
		reply_header(r, "Retry-After", "10");
		reply_problem(r, 503, "Druk bezig", "Er worden nu te veel "
		    "uploads verwerkt; probeer het over enkele seconden "
		    "opnieuw.");
		return;
	}
	r->async = true;
}

/* The problems of a refused upload, each with row and column. */
void
model_datasets_problems(struct req *r, json_t *problems)
{
	if (r->invalid == NULL)
		r->invalid = json_array();
	json_array_extend(r->invalid, problems);
}

/*
 * Is dataset id (the path's) one the caller sees but that belongs to another
 * municipality? Then a write on it is 403, not 404 (DESIGN §4). 1, 0, or
 * -1 when it could not be read.
 */
static int
model_datasets_foreign(struct req *r)
{
	json_t *d;
	int rc = dataset_store_get(r->db, r->params[0], r->who.gemeente, &d);
	int foreign = rc == MEENT_ERR ? -1 : (rc == MEENT_OK ||
	    rc == MEENT_CONFLICT) && !req_own(r, json_string_value(
	    json_object_get(d, "gemeente")));

	json_decref(d);
	return foreign;
}

/*
 * A publish or remove's MEENT_* from the store on the path's dataset (why:
 * the store's reason with MEENT_INVALID): 0, or -1 after replying.
 */
int
model_datasets_store_reply(struct req *r, int rc, const char *why)
{
	switch (rc) {
	case MEENT_OK:
		return 0;
	case MEENT_CONFLICT:
		reply_problem(r, 409, "Kan niet publiceren", "Alleen een "
		    "concept waarvan de controle geslaagd is, kan gepubliceerd "
		    "worden.");
		break;
	case MEENT_INVALID:
		reply_problem(r, 409, "Kan niet publiceren", "Niet "
		    "gepubliceerd: %s.", why != NULL ? why : "de controle liet "
		    "het niet toe");
		break;
	case MEENT_NOTFOUND:
		switch (model_datasets_foreign(r)) {
		case 1:
			reply_problem(r, 403, "Verboden", "Deze dataset is van "
			    "een andere gemeente.");
			break;
		case 0:
			reply_problem(r, 404, "Niet gevonden", "Deze dataset "
			    "bestaat niet of is niet van uw gemeente.");
			break;
		default:
			reply_db_failed(r, "De dataset kon niet gelezen "
			    "worden.");
		}
		break;
	default:
		reply_db_failed(r, "Er ging iets mis.");
	}
	return -1;
}

/*
 * Publish the path's dataset, audited beside the tables published before
 * under this instance's rules: 0, or -1 after replying.
 */
int
model_datasets_publish_path(struct req *r)
{
	struct sdc_rules rules;
	const char *why;
	int rc;

	sdc_rules_config(r->ctx->cfg, &rules);
	rc = dataset_store_publish(r->db, r->params[0], r->who.gemeente,
	    rules.min_frequency, &why);
	return model_datasets_store_reply(r, rc, why);
}
