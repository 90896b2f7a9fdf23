/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Bounded pools of threads for work too heavy for an event loop: JOBS_UPLOAD
 * parses and protects uploaded datasets; JOBS_PASSWORD hashes passwords
 * (Argon2id, 64 MiB and tens of milliseconds each), so that a burst of
 * logins can never keep the workers from serving reads. A worker submits a
 * job with its event_base; a pool thread runs it; its done() runs back on
 * the worker's loop (event_active), where the reply and the database write
 * belong.
 *
 * Each queue is bounded: past its threads running and its queue waiting,
 * jobs_submit() refuses and the caller answers 503 with Retry-After,
 * instead of letting memory and latency grow with a burst.
 *
 * When a worker's loop ends (drain), jobs_drain() answers its jobs before
 * its connections are freed: running jobs are waited for, queued ones never
 * run; every job's done() is called exactly once, with ran telling whether
 * run() happened. jobs_stop() then ends the threads.
 */
#include "domain/domain.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/event.h>

struct job {
	struct jobs_pool *pool;
	void		(*run)(void *);
	void		(*done)(void *, bool);
	void		*arg;
	struct event	*ev;		/* on the submitter's base */
	enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE } state;
	struct job	*next;		/* the queue */
	struct job	*prev_all, *next_all;	/* every undelivered job */
};

struct jobs_pool {
	const char	*name;		/* in /metrics */
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	pthread_cond_t	 finished;
	pthread_t	*threads;
	int		 nthreads;
	int		 queue_cap;
	int		 queued, running;
	bool		 stopping;
	struct job	*head, *tail;
	struct job	*all;
	_Atomic unsigned long refused, completed;
};

#define JOBS_POOL_INIT(n) { .name = (n), \
	.lock = PTHREAD_MUTEX_INITIALIZER, \
	.wake = PTHREAD_COND_INITIALIZER, \
	.finished = PTHREAD_COND_INITIALIZER }

static struct jobs_pool jobs_pools[JOBS_POOLS] = {
	[JOBS_UPLOAD] = JOBS_POOL_INIT("upload"),
	[JOBS_PASSWORD] = JOBS_POOL_INIT("password"),
};

static void
jobs_unlink_all(struct job *j)
{
	struct jobs_pool *p = j->pool;

	if (j->prev_all != NULL)
		j->prev_all->next_all = j->next_all;
	else
		p->all = j->next_all;
	if (j->next_all != NULL)
		j->next_all->prev_all = j->prev_all;
}

/* Hand a job back (run or not) and free it. */
static void
jobs_finish(struct job *j)
{
	j->done(j->arg, j->state == JOB_DONE);
	event_free(j->ev);
	free(j);
}

/* On the submitting worker's loop: hand the result back. */
static void
jobs_deliver_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&j->pool->lock);
	jobs_unlink_all(j);
	pthread_mutex_unlock(&j->pool->lock);
	jobs_finish(j);
}

static void *
jobs_thread_main(void *arg)
{
	struct jobs_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct job *j;

		while (p->head == NULL && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->stopping)
			break;
		j = p->head;
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->queued--;
		p->running++;
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&p->lock);
		j->run(j->arg);
		pthread_mutex_lock(&p->lock);
		j->state = JOB_DONE;
		p->running--;
		atomic_fetch_add(&p->completed, 1);
		event_active(j->ev, EV_READ, 0);
		pthread_cond_broadcast(&p->finished);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Start pool's nthreads threads with room for queue_cap waiting jobs. */
void
jobs_start(enum jobs_pool_id pool, int nthreads, int queue_cap)
{
	struct jobs_pool *p = &jobs_pools[pool];

	p->nthreads = nthreads;
	p->queue_cap = queue_cap;
	p->stopping = false;
	p->threads = xcalloc((size_t)nthreads, sizeof *p->threads);
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&p->threads[i], NULL, jobs_thread_main,
		    p) != 0)
			fatal("pthread_create");
}

/*
 * Run run(arg) on a thread of pool, then done(arg, true) on base's loop.
 * Returns -1 (nothing called, arg still the caller's) when the pool is full
 * or stopping.
 */
int
jobs_submit(enum jobs_pool_id pool, struct event_base *base,
    void (*run)(void *), void (*done)(void *, bool), void *arg)
{
	struct jobs_pool *p = &jobs_pools[pool];
	struct job *j;

	pthread_mutex_lock(&p->lock);
	if (p->stopping || p->threads == NULL ||
	    p->queued + p->running >= p->nthreads + p->queue_cap) {
		pthread_mutex_unlock(&p->lock);
		atomic_fetch_add(&p->refused, 1);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->pool = p;
	j->run = run;
	j->done = done;
	j->arg = arg;
	j->ev = event_new(base, -1, 0, jobs_deliver_cb, j);
	if (j->ev == NULL)
		fatal("event_new");
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	j->next_all = p->all;
	if (p->all != NULL)
		p->all->prev_all = j;
	p->all = j;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/*
 * Hand back, on this thread, every job of base that is not running: the
 * queued ones (they will not run) and the finished ones. Returns whether
 * one of base's jobs is still running.
 */
static bool
jobs_deliver_idle(struct jobs_pool *p, struct event_base *base)
{
	struct job *j, *next, *mine = NULL, **qp;
	bool running = false;

	pthread_mutex_lock(&p->lock);
	p->tail = NULL;
	for (qp = &p->head; (j = *qp) != NULL;) {
		if (event_get_base(j->ev) == base) {
			*qp = j->next;
			p->queued--;
			continue;
		}
		p->tail = j;
		qp = &j->next;
	}
	for (j = p->all; j != NULL; j = next) {
		next = j->next_all;
		if (event_get_base(j->ev) != base)
			continue;
		if (j->state == JOB_RUNNING) {
			running = true;
			continue;
		}
		jobs_unlink_all(j);
		j->next = mine;
		mine = j;
	}
	pthread_mutex_unlock(&p->lock);
	while ((j = mine) != NULL) {
		mine = j->next;
		jobs_finish(j);
	}
	return running;
}

/*
 * A worker's loop has ended and its connections are about to be freed:
 * answer its jobs now. Queued ones never run; running ones are waited for.
 */
void
jobs_drain(struct event_base *base)
{
	for (int i = 0; i < JOBS_POOLS; i++) {
		struct jobs_pool *p = &jobs_pools[i];

		while (jobs_deliver_idle(p, base)) {
			pthread_mutex_lock(&p->lock);
			pthread_cond_wait(&p->finished, &p->lock);
			pthread_mutex_unlock(&p->lock);
		}
	}
}

/* After every worker drained: stop the threads of every pool. */
void
jobs_stop(void)
{
	for (int i = 0; i < JOBS_POOLS; i++) {
		struct jobs_pool *p = &jobs_pools[i];

		if (p->threads == NULL)
			continue;
		pthread_mutex_lock(&p->lock);
		p->stopping = true;
		pthread_cond_broadcast(&p->wake);
		pthread_mutex_unlock(&p->lock);
		for (int k = 0; k < p->nthreads; k++)
			pthread_join(p->threads[k], NULL);
		free(p->threads);
		p->threads = NULL;
	}
}

/* For /metrics: each pool's jobs running and waiting, and their outcomes. */
void
jobs_metrics(struct evbuffer *out)
{
	evbuffer_add_printf(out, "# HELP meent_jobs Jobs of a thread pool, "
	    "running or waiting.\n# TYPE meent_jobs gauge\n");
	for (int i = 0; i < JOBS_POOLS; i++) {
		struct jobs_pool *p = &jobs_pools[i];
		int queued, running;

		pthread_mutex_lock(&p->lock);
		queued = p->queued;
		running = p->running;
		pthread_mutex_unlock(&p->lock);
		evbuffer_add_printf(out, "meent_jobs{pool=\"%s\",state=\"running\"}"
		    " %d\nmeent_jobs{pool=\"%s\",state=\"queued\"} %d\n",
		    p->name, running, p->name, queued);
	}
	evbuffer_add_printf(out, "# HELP meent_jobs_total Jobs of a thread "
	    "pool, by outcome.\n# TYPE meent_jobs_total counter\n");
	for (int i = 0; i < JOBS_POOLS; i++) {
		struct jobs_pool *p = &jobs_pools[i];

		evbuffer_add_printf(out, "meent_jobs_total{pool=\"%s\","
		    "outcome=\"completed\"} %lu\n"
		    "meent_jobs_total{pool=\"%s\",outcome=\"refused\"} %lu\n",
		    p->name, atomic_load(&p->completed), p->name,
		    atomic_load(&p->refused));
	}
}
