/* SPDX-License-Identifier: MIT */
/* A small thread pool for work that may block (opening a FIFO, a slow
 * network file), so one stuck target never delays the others. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "stats.h"
#include "log.h"
#include "util.h"
#include "trace.h"
#include "worker.h"

struct worker_job {
	worker_cb		 cb;
	void			*arg;
	struct stats_ctx	 stats;		/* the notification it answers */
	void			*trace;		/* its trace record, or NULL */
	char			*ctx;		/* the caller's log context */
	char			*fields;	/* and journal fields */
	struct worker_job	*next;
};

static pthread_mutex_t	 worker_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 worker_cond = PTHREAD_COND_INITIALIZER;
static struct worker_job *worker_head, **worker_tail = &worker_head;
static int		 worker_threads, worker_idle, worker_queued, worker_busy;
static unsigned long	 worker_jobs;
static pthread_cond_t	 worker_done = PTHREAD_COND_INITIALIZER;

static void *
worker_main(void *unused)
{
	struct worker_job *job;

	(void)unused;
	pthread_mutex_lock(&worker_lock);
	for (;;) {
		while (worker_head == NULL)
			pthread_cond_wait(&worker_cond, &worker_lock);
		job = worker_head;
		if ((worker_head = job->next) == NULL)
			worker_tail = &worker_head;
		worker_idle--;
		worker_queued--;
		worker_busy++;
		pthread_mutex_unlock(&worker_lock);
		stats_ctx_restore(&job->stats);
		trace_ctx_put(job->trace);
		log_set_context(job->ctx);
		log_set_fields(job->fields);
		job->cb(job->arg);
		log_set_context(NULL);
		log_set_fields(NULL);
		free(job->ctx);
		free(job->fields);
		free(job);
		pthread_mutex_lock(&worker_lock);
		worker_idle++;
		if (--worker_busy == 0 && worker_queued == 0)
			pthread_cond_broadcast(&worker_done);
	}
	return NULL;
}

/* Start a thread with every signal blocked: signals belong to the loop. */
static int
worker_start(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Jobs keep a few PATH_MAX buffers on the stack, no more. */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	r = pthread_create(&t, &attr, worker_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

int
worker_run(worker_cb cb, void *arg)
{
	struct worker_job *job;
	int r;

	job = xmalloc(sizeof(*job));
	job->cb = cb;
	job->arg = arg;
	stats_ctx_save(&job->stats);
	job->trace = trace_ctx_take();
	/* A copy: the target it names may be gone when the job runs. */
	job->ctx = log_get_context() != NULL ? xstrdup(log_get_context()) :
	    NULL;
	job->fields = log_get_fields() != NULL ? xstrdup(log_get_fields()) :
	    NULL;
	job->next = NULL;
	pthread_mutex_lock(&worker_lock);
	/* A full pool with a full queue: every thread is blocked, and a
	 * queue that grows forever would only hold more targets. */
	if (worker_threads >= WORKER_MAX &&
	    worker_queued >= worker_idle + WORKER_QUEUE_MAX) {
		pthread_mutex_unlock(&worker_lock);
		trace_ctx_put(job->trace);
		free(job->ctx);
		free(job->fields);
		free(job);
		return -EBUSY;
	}
	/* Every queued job gets a thread of its own while the pool may grow:
	 * a job queued behind a blocked one would block too. */
	if (worker_queued >= worker_idle && worker_threads < WORKER_MAX) {
		if ((r = worker_start()) == 0) {
			worker_threads++;
			worker_idle++;
		} else if (worker_threads == 0) {
			pthread_mutex_unlock(&worker_lock);
			/* The caller answers itself: its record is back. */
			trace_ctx_put(job->trace);
			free(job->ctx);
			free(job->fields);
			free(job);
			return r;
		}
	}
	*worker_tail = job;
	worker_tail = &job->next;
	worker_queued++;
	worker_jobs++;
	pthread_cond_signal(&worker_cond);
	pthread_mutex_unlock(&worker_lock);
	return 0;
}

int
worker_drain(int ms)
{
	struct timespec until;
	int r = 0;

	deadline_after(&until, ms);
	pthread_mutex_lock(&worker_lock);
	while ((worker_busy > 0 || worker_queued > 0) && r == 0)
		r = pthread_cond_timedwait(&worker_done, &worker_lock, &until);
	r = worker_busy + worker_queued;
	pthread_mutex_unlock(&worker_lock);
	return r;
}

void
worker_occupancy(int *threads, int *busy, unsigned long *jobs)
{
	pthread_mutex_lock(&worker_lock);
	*threads = worker_threads;
	*busy = worker_busy;
	*jobs = worker_jobs;
	pthread_mutex_unlock(&worker_lock);
}
