/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A bounded pool of threads for work too heavy for an event loop (parsing
 * and protecting an uploaded dataset). A worker submits a job with its
 * event_base; a pool thread runs it; its done() runs back on the worker's
 * loop (event_active), where the reply and the database write belong.
 *
 * The queue is bounded: past upload_threads running and upload_queue
 * waiting, jobs_submit() refuses and the caller answers 503 with
 * Retry-After, instead of letting memory grow with a burst of uploads.
 *
 * When a worker's loop ends (drain), jobs_drain() answers its jobs before
 * its connections are freed: running jobs are waited for, queued ones never
 * run; every job's done() is called exactly once, with ran telling whether
 * run() happened. jobs_stop() then ends the threads.
 */
#include "meent.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/event.h>

struct job {
	void		(*run)(void *);
	void		(*done)(void *, bool);
	void		*arg;
	struct event	*ev;		/* on the submitter's base */
	enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE } state;
	struct job	*next;		/* the queue */
	struct job	*prev_all, *next_all;	/* every undelivered job */
};

static struct {
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
} jobs = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.finished = PTHREAD_COND_INITIALIZER,
};

static void
jobs_unlink_all(struct job *j)
{
	if (j->prev_all != NULL)
		j->prev_all->next_all = j->next_all;
	else
		jobs.all = j->next_all;
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
	pthread_mutex_lock(&jobs.lock);
	jobs_unlink_all(j);
	pthread_mutex_unlock(&jobs.lock);
	jobs_finish(j);
}

static void *
jobs_thread_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&jobs.lock);
	for (;;) {
		struct job *j;

		while (jobs.head == NULL && !jobs.stopping)
			pthread_cond_wait(&jobs.wake, &jobs.lock);
		if (jobs.stopping)
			break;
		j = jobs.head;
		jobs.head = j->next;
		if (jobs.head == NULL)
			jobs.tail = NULL;
		jobs.queued--;
		jobs.running++;
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&jobs.lock);
		j->run(j->arg);
		pthread_mutex_lock(&jobs.lock);
		j->state = JOB_DONE;
		jobs.running--;
		atomic_fetch_add(&jobs.completed, 1);
		event_active(j->ev, EV_READ, 0);
		pthread_cond_broadcast(&jobs.finished);
	}
	pthread_mutex_unlock(&jobs.lock);
	return NULL;
}

/* Start nthreads threads with room for queue_cap waiting jobs. */
void
jobs_start(int nthreads, int queue_cap)
{
	jobs.nthreads = nthreads;
	jobs.queue_cap = queue_cap;
	jobs.stopping = false;
	jobs.threads = xcalloc((size_t)nthreads, sizeof *jobs.threads);
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&jobs.threads[i], NULL, jobs_thread_main,
		    NULL) != 0)
			fatal("pthread_create");
}

/*
 * Run run(arg) on a pool thread, then done(arg, true) on base's loop.
 * Returns -1 (nothing called, arg still the caller's) when the pool is full
 * or stopping.
 */
int
jobs_submit(struct event_base *base, void (*run)(void *),
    void (*done)(void *, bool), void *arg)
{
	struct job *j;

	pthread_mutex_lock(&jobs.lock);
	if (jobs.stopping || jobs.threads == NULL ||
	    jobs.queued + jobs.running >= jobs.nthreads + jobs.queue_cap) {
		pthread_mutex_unlock(&jobs.lock);
		atomic_fetch_add(&jobs.refused, 1);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->run = run;
	j->done = done;
	j->arg = arg;
	j->ev = event_new(base, -1, 0, jobs_deliver_cb, j);
	if (j->ev == NULL)
		fatal("event_new");
	if (jobs.tail != NULL)
		jobs.tail->next = j;
	else
		jobs.head = j;
	jobs.tail = j;
	jobs.queued++;
	j->next_all = jobs.all;
	if (jobs.all != NULL)
		jobs.all->prev_all = j;
	jobs.all = j;
	pthread_cond_signal(&jobs.wake);
	pthread_mutex_unlock(&jobs.lock);
	return 0;
}

/*
 * Hand back, on this thread, every job of base that is not running: the
 * queued ones (they will not run) and the finished ones. Returns whether
 * one of base's jobs is still running.
 */
static bool
jobs_deliver_idle(struct event_base *base)
{
	struct job *j, *next, *mine = NULL, **qp;
	bool running = false;

	pthread_mutex_lock(&jobs.lock);
	jobs.tail = NULL;
	for (qp = &jobs.head; (j = *qp) != NULL;) {
		if (event_get_base(j->ev) == base) {
			*qp = j->next;
			jobs.queued--;
			continue;
		}
		jobs.tail = j;
		qp = &j->next;
	}
	for (j = jobs.all; j != NULL; j = next) {
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
	pthread_mutex_unlock(&jobs.lock);
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
	while (jobs_deliver_idle(base)) {
		pthread_mutex_lock(&jobs.lock);
		pthread_cond_wait(&jobs.finished, &jobs.lock);
		pthread_mutex_unlock(&jobs.lock);
	}
}

/* After every worker drained: stop the threads. */
void
jobs_stop(void)
{
	if (jobs.threads == NULL)
		return;
	pthread_mutex_lock(&jobs.lock);
	jobs.stopping = true;
	pthread_cond_broadcast(&jobs.wake);
	pthread_mutex_unlock(&jobs.lock);
	for (int i = 0; i < jobs.nthreads; i++)
		pthread_join(jobs.threads[i], NULL);
	free(jobs.threads);
	jobs.threads = NULL;
}

/* For /metrics. */
void
jobs_metrics(struct evbuffer *out)
{
	int queued, running;

	pthread_mutex_lock(&jobs.lock);
	queued = jobs.queued;
	running = jobs.running;
	pthread_mutex_unlock(&jobs.lock);
	evbuffer_add_printf(out, "# TYPE meent_upload_jobs gauge\n"
	    "meent_upload_jobs{state=\"running\"} %d\n"
	    "meent_upload_jobs{state=\"queued\"} %d\n"
	    "# TYPE meent_upload_jobs_total counter\n"
	    "meent_upload_jobs_total{outcome=\"completed\"} %lu\n"
	    "meent_upload_jobs_total{outcome=\"refused\"} %lu\n",
	    running, queued, atomic_load(&jobs.completed),
	    atomic_load(&jobs.refused));
}
