/* SPDX-License-Identifier: MIT */
/* Blocking work done for one notification (an open of a FIFO, a file under
 * a lease), interrupted once that notification dies. */
#ifndef CANCEL_H
#define CANCEL_H

#include <pthread.h>
#include <stdint.h>

#include "notify.h"

struct cancel_slot;

struct cancel {
	struct cancel_slot	*slot;		/* the calling thread's */
};

/*
 * Between cancel_enter and cancel_leave, the calling thread works for
 * notification id of n. A watcher checks every CANCEL_PERIOD_MS whether
 * it is still pending; once it is not (its target was killed, or the
 * filter is gone), the thread gets CANCEL_SIGNAL, with a handler that does
 * nothing and no SA_RESTART, so a call sleeping interruptibly (a FIFO's
 * open, a lease break, a lock) fails with EINTR. The signal is repeated
 * each period, in case it came just before the thread went to sleep. A
 * FUSE or NFS request that waits uninterruptibly is not cut short. n
 * must stay valid until cancel_leave; a thread does not nest them.
 */
void	cancel_enter(struct cancel *, struct notify *n, uint64_t id);

/* Stop watching; returns 1 if the notification died meanwhile (then no
 * answer is possible, and whatever the work got is to be undone). A signal
 * still pending for this thread is taken here, so it never interrupts the
 * thread's next call. */
int	cancel_leave(struct cancel *);

#define CANCEL_PERIOD_MS	250
#define CANCEL_SIGNAL		(SIGRTMIN + 1)

#endif
