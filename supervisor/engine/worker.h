/* SPDX-License-Identifier: MIT */
/* A small thread pool for work that may block (opening a FIFO, a slow
 * network file), so one stuck target never delays the others. */
#ifndef WORKER_H
#define WORKER_H

typedef void (*worker_cb)(void *);

/*
 * Run cb(arg) on a pool thread, starting one (up to WORKER_MAX) when none
 * is idle; past that, up to WORKER_QUEUE_MAX jobs wait for a thread. Pool
 * threads block every signal. The job logs with the caller's log context
 * (log_set_context). Returns 0, -EBUSY when the pool and its queue are
 * full (the caller answers an error), or another -errno when there is no
 * thread at all (the caller then runs it itself).
 */
int	worker_run(worker_cb cb, void *arg);

/* Wait up to ms milliseconds for every job to finish; returns how many
 * are still running (blocked forever on a FIFO whose target died, say). */
int	worker_drain(int ms);

/* Threads in the pool, of them running a job, and jobs ever queued. */
void	worker_occupancy(int *threads, int *busy, unsigned long *jobs);

#define WORKER_MAX	32
#define WORKER_QUEUE_MAX	64

#endif
