/* SPDX-License-Identifier: MIT */
/* Blocking work done for one notification, interrupted once that
 * notification dies (cancel.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "cancel.h"
#include "log.h"
#include "util.h"

/*
 * One slot per thread that ever did cancellable work (util.h's
 * thread_slot). A thread enters and leaves through its own slot's lock
 * alone, which nobody else takes but the watcher once a period: no lock
 * or line shared between receivers.
 */
struct cancel_slot {
	struct thread_slot	 slot;		/* in every one ever made */
	pthread_mutex_t		 lock;		/* what follows */
	pthread_t		 thread;
	struct notify		*notify;	/* while busy */
	uint64_t		 id;
	int			 busy;
	int			 signalled;
};

static pthread_mutex_t	 cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cancel_cond = PTHREAD_COND_INITIALIZER;
static pthread_once_t	 cancel_once = PTHREAD_ONCE_INIT;
static pthread_key_t	 cancel_key;
static struct thread_slot *cancel_slots;
static int		 cancel_watching;	/* the watcher runs */
static int		 cancel_sleeping;	/* until a slot is busy */
static __thread struct cancel_slot *cancel_self;
static __thread int	 cancel_unblocked;	/* CANCEL_SIGNAL, here */

static void
cancel_wake(int sig)
{
	(void)sig;
}

/* Signal every busy slot whose notification died; 1 if any is busy. */
static int
cancel_scan(void)
{
	struct cancel_slot *c;
	int busy = 0;

	for (c = (struct cancel_slot *)__atomic_load_n(&cancel_slots,
	    __ATOMIC_ACQUIRE); c != NULL; c = (struct cancel_slot *)c->slot.next) {
		pthread_mutex_lock(&c->lock);
		if (c->busy) {
			busy = 1;
			if (notify_id_valid(c->notify, c->id) != 0) {
				c->signalled = 1;
				pthread_kill(c->thread, CANCEL_SIGNAL);
			}
		}
		pthread_mutex_unlock(&c->lock);
	}
	return busy;
}

/* Is any slot busy? Read after cancel_sleeping is set, as the busy flag
 * is set before cancel_sleeping is read (both sequentially consistent):
 * one of the two sides sees the other. */
static int
cancel_any_busy(void)
{
	struct cancel_slot *c;

	for (c = (struct cancel_slot *)__atomic_load_n(&cancel_slots,
	    __ATOMIC_ACQUIRE); c != NULL; c = (struct cancel_slot *)c->slot.next)
		if (__atomic_load_n(&c->busy, __ATOMIC_SEQ_CST))
			return 1;
	return 0;
}

static void *
cancel_main(void *unused)
{
	struct timespec until;

	(void)unused;
	pthread_mutex_lock(&cancel_lock);
	for (;;) {
		/* Most work is done long before a period is over: look
		 * only every period, and sleep for good once a look finds
		 * none busy, until the next entry wakes us. */
		deadline_after(&until, CANCEL_PERIOD_MS);
		while (pthread_cond_timedwait(&cancel_cond, &cancel_lock,
		    &until) != ETIMEDOUT)
			;
		if (cancel_scan())
			continue;
		__atomic_store_n(&cancel_sleeping, 1, __ATOMIC_SEQ_CST);
		while (!cancel_any_busy())
			pthread_cond_wait(&cancel_cond, &cancel_lock);
		__atomic_store_n(&cancel_sleeping, 0, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void
cancel_init(void)
{
	struct sigaction sa;
	sigset_t all, old;
	pthread_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cancel_wake;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the blocked call must return. */
	sigaction(CANCEL_SIGNAL, &sa, NULL);
	if (pthread_key_create(&cancel_key, thread_slot_give) != 0) {
		log_warn("cannot keep per-thread state to cancel blocked "
		    "opens: they wait until they return");
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t, NULL, cancel_main, NULL) == 0) {
		pthread_detach(t);
		cancel_watching = 1;
	} else
		log_warn("cannot start a thread to cancel blocked opens: "
		    "they wait until they return");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void
cancel_slot_init(struct thread_slot *slot)
{
	pthread_mutex_init(&((struct cancel_slot *)slot)->lock, NULL);
}

/* The calling thread's slot: a released one, or a new one. */
static struct cancel_slot *
cancel_slot_take(void)
{
	struct cancel_slot *c;

	c = (struct cancel_slot *)thread_slot_take(&cancel_slots, sizeof(*c),
	    cancel_slot_init);
	c->thread = pthread_self();
	pthread_setspecific(cancel_key, c);
	return cancel_self = c;
}

void
cancel_enter(struct cancel *cancel, struct notify *n, uint64_t id)
{
	struct cancel_slot *c;
	sigset_t set;

	pthread_once(&cancel_once, cancel_init);
	cancel->slot = NULL;
	if (!cancel_watching)
		return;
	/* Worker threads block every signal: not this one, from now on. */
	if (!cancel_unblocked) {
		sigemptyset(&set);
		sigaddset(&set, CANCEL_SIGNAL);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		cancel_unblocked = 1;
	}
	c = cancel->slot = cancel_self != NULL ? cancel_self :
	    cancel_slot_take();
	pthread_mutex_lock(&c->lock);
	c->notify = n;
	c->id = id;
	c->signalled = 0;
	__atomic_store_n(&c->busy, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&c->lock);
	if (__atomic_load_n(&cancel_sleeping, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&cancel_lock);
		pthread_cond_signal(&cancel_cond);
		pthread_mutex_unlock(&cancel_lock);
	}
}

int
cancel_leave(struct cancel *cancel)
{
	struct cancel_slot *c = cancel->slot;
	struct timespec now = { 0, 0 };
	sigset_t set, old;
	int signalled;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	__atomic_store_n(&c->busy, 0, __ATOMIC_RELAXED);
	c->notify = NULL;
	signalled = c->signalled;
	pthread_mutex_unlock(&c->lock);
	if (signalled) {
		/* Sent, but maybe not yet taken: take it now. */
		sigemptyset(&set);
		sigaddset(&set, CANCEL_SIGNAL);
		pthread_sigmask(SIG_BLOCK, &set, &old);
		while (sigtimedwait(&set, NULL, &now) < 0 && errno == EINTR)
			;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return signalled;
}
