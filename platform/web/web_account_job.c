/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A new password on its way through the password pool (jobs.c), for the
 * forms that set one from an account page or an invitation: Argon2id costs
 * 64 MiB and tens of milliseconds, so it never runs on a worker. When a
 * current password must be checked first (a change of one's own), that
 * check runs in the same job, and the new one is hashed only when it
 * matched.
 *
 * The passwords are copied into sodium_malloc'ed memory and wiped; the
 * request waits (r->async) and the callback answers it on its worker.
 */
#include "web/web.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct web_account_job {
	struct req		*r;
	char			*pw;		/* sodium_malloc'ed, wiped */
	size_t			 pwlen;
	char			*current;	/* or NULL; the same */
	size_t			 curlen;
	char			 check[PASSWORD_HASH_LEN];	/* or "" */
	char			 hash[PASSWORD_HASH_LEN];
	int			 rc;
	web_account_job_fn	 done;
	void			*arg;
};

static char *
web_account_job_secret(const char *s, size_t *len)
{
	char *out;

	*len = strlen(s);
	if ((out = sodium_malloc(*len + 1)) == NULL)
		fatal("sodium_malloc");
	memcpy(out, s, *len + 1);
	return out;
}

static void
web_account_job_free(struct web_account_job *job)
{
	sodium_free(job->pw);
	sodium_free(job->current);
	sodium_memzero(job->check, sizeof job->check);
	sodium_memzero(job->hash, sizeof job->hash);
	free(job);
}

/* On the password pool. */
static void
web_account_job_run(void *arg)
{
	struct web_account_job *job = arg;

	if (job->current != NULL && !password_verify(job->check,
	    job->current, job->curlen)) {
		job->rc = WEB_ACCOUNT_JOB_WRONG;
		return;
	}
	job->rc = password_hash(job->pw, job->pwlen, job->hash) == 0 ?
	    WEB_ACCOUNT_JOB_OK : WEB_ACCOUNT_JOB_FAILED;
}

/* Back on the worker: the caller's callback answers. */
static void
web_account_job_done(void *arg, bool ran)
{
	struct web_account_job *job = arg;
	struct req *r = job->r;
	const char *prev = log_set_rid(r->rid);

	router_resume(r);	/* what fails or commits now is r's */
	job->done(r, ran ? job->rc : WEB_ACCOUNT_JOB_FAILED,
	    ran && job->rc == WEB_ACCOUNT_JOB_OK ? job->hash : NULL, job->arg);
	db_recover(r->db);
	log_set_rid(prev);
	web_account_job_free(job);
	router_req_free(r);
}

/* 503: the pool was full, or the job could not run. */
void
web_account_job_busy(struct req *r)
{
	reply_header(r, "Retry-After", "5");
	reply_problem(r, 503, "Tijdelijk niet beschikbaar", "Het is nu erg "
	    "druk. Probeer het over een paar seconden opnieuw.");
}

/*
 * Hash pw (checked by password_acceptable) on the pool; first, when check
 * is not NULL, verify current against the stored hash check. Then
 * done(r, rc, hash or NULL, arg) answers r on its worker: always called
 * once, so it frees arg. Returns 0 (r->async set), or -1 when the pool is
 * full: nothing was called, arg is still the caller's.
 */
int
web_account_job_submit(struct req *r, const char *pw, const char *check,
    const char *current, web_account_job_fn done, void *arg)
{
	struct web_account_job *job = xcalloc(1, sizeof *job);

	job->r = r;
	job->done = done;
	job->arg = arg;
	job->pw = web_account_job_secret(pw, &job->pwlen);
	if (check != NULL && current != NULL) {
		snprintf(job->check, sizeof job->check, "%s", check);
		job->current = web_account_job_secret(current, &job->curlen);
	}
	if (jobs_submit(JOBS_PASSWORD, r->ctx->base, web_account_job_run,
	    web_account_job_done, job) == -1) {
		web_account_job_free(job);
		return -1;
	}
	r->async = true;
	return 0;
}
