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

static pthread_mutex_t	 cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cancel_cond = PTHREAD_COND_INITIALIZER;
static pthread_once_t	 cancel_once = PTHREAD_ONCE_INIT;
static struct cancel	*cancel_head;
static int		 cancel_watching;	/* the watcher runs */
static int		 cancel_sleeping;	/* until an entry comes */
static __thread int	 cancel_unblocked;	/* CANCEL_SIGNAL, here */

static void
cancel_wake(int sig)
{
	(void)sig;
}

static void *
cancel_main(void *unused)
{
	struct timespec until;
	struct cancel *c;

	(void)unused;
	pthread_mutex_lock(&cancel_lock);
	for (;;) {
		/* Woken by the next entry: most leave long before a period
		 * is over, so the watcher looks only every period, and
		 * sleeps for good once a look finds none. */
		while (cancel_head == NULL) {
			cancel_sleeping = 1;
			pthread_cond_wait(&cancel_cond, &cancel_lock);
			cancel_sleeping = 0;
		}
		deadline_after(&until, CANCEL_PERIOD_MS);
		while (pthread_cond_timedwait(&cancel_cond, &cancel_lock,
		    &until) != ETIMEDOUT)
			;
		/* Entries leave only under the lock: each is still there. */
		for (c = cancel_head; c != NULL; c = c->next) {
			if (notify_id_valid(c->notify, c->id) == 0)
				continue;
			c->signalled = 1;
			pthread_kill(c->thread, CANCEL_SIGNAL);
		}
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

void
cancel_enter(struct cancel *c, struct notify *n, uint64_t id)
{
	sigset_t set;

	pthread_once(&cancel_once, cancel_init);
	c->thread = pthread_self();
	c->notify = n;
	c->id = id;
	c->signalled = 0;
	c->prev = NULL;
	if (!cancel_watching)
		return;
	/* Worker threads block every signal: not this one, from now on. */
	if (!cancel_unblocked) {
		sigemptyset(&set);
		sigaddset(&set, CANCEL_SIGNAL);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		cancel_unblocked = 1;
	}
	pthread_mutex_lock(&cancel_lock);
	if ((c->next = cancel_head) != NULL)
		c->next->prev = c;
	cancel_head = c;
	if (cancel_sleeping)
		pthread_cond_signal(&cancel_cond);
	pthread_mutex_unlock(&cancel_lock);
}

int
cancel_leave(struct cancel *c)
{
	struct timespec now = { 0, 0 };
	sigset_t set, old;
	int signalled;

	if (!cancel_watching)
		return 0;
	pthread_mutex_lock(&cancel_lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cancel_head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	signalled = c->signalled;
	pthread_mutex_unlock(&cancel_lock);
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
