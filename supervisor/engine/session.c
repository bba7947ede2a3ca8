/* SPDX-License-Identifier: MIT */
/* One listener's receivers, shared by `run` and `serve`. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch.h"
#include "log.h"
#include "session.h"
#include "util.h"

struct session {
	int			 refs;		/* the owner's, each receiver's */
	struct notify		*notify;
	pthread_mutex_t		 lock;		/* rules, ending, done */
	struct rule_set		*rules;
	int			 counted;
	int			 ending;	/* session_end was called */
	int			 done;		/* ops.done was called */
	void			(*done_fn)(void *, int);
	void			*arg;
	char			*label;
	char			*fields;
	struct session_thread {
		struct session	*s;
		pthread_t	 t;
		int		 state;		/* SESSION_* below */
		struct rule_set	*rules;		/* held, when counted */
	}			 threads[SESSION_RECEIVERS];
	int			 nthreads;
};

/*
 * A receiver is signalled out of RECV only while it is idle: a signal
 * that lands in an ADDFD with SEND makes the target's call return 0 (see
 * notify_ioctl). It goes IDLE before RECV and BUSY after it, both by
 * compare-and-swap; session_end swaps in STOPPING and signals an IDLE one.
 */
enum {
	SESSION_BUSY,
	SESSION_IDLE,
	SESSION_STOPPING
};

/* Receiver threads of every session: each is a stack and a task. */
static int session_threads;

/* Interrupts a receiver's RECV (or a signal-ending open) at session_end:
 * the handler does nothing, it is there so that the call returns EINTR. */
static int session_signo;
static __thread volatile sig_atomic_t session_woken;

static void
session_wake(int signo)
{
	(void)signo;
	session_woken = 1;
}

/* From state from to to, unless session_end got there first. */
static int
session_turn(struct session_thread *me, int from, int to)
{
	return __atomic_compare_exchange_n(&me->state, &from, to, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void
session_signal_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = session_wake;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: RECV must return. */
	session_signo = SIGRTMIN;
	sigaction(session_signo, &sa, NULL);
}

static void
session_unref(struct session *s)
{
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (s->counted)
		rules_drop(s->rules);
	notify_unref(s->notify);
	pthread_mutex_destroy(&s->lock);
	free(s->label);
	free(s->fields);
	free(s);
}

/*
 * The rules for the receiver's next call. A counted set is held by each
 * receiver until it sees another in s->rules: one load a call, and no
 * lock or count shared with the receivers of other listeners.
 */
static struct rule_set *
session_rules(struct session_thread *me)
{
	struct session *s = me->s;
	struct rule_set *cur = __atomic_load_n(&s->rules, __ATOMIC_ACQUIRE);

	if (!s->counted || cur == me->rules)
		return cur;
	pthread_mutex_lock(&s->lock);
	cur = rules_hold(s->rules);
	pthread_mutex_unlock(&s->lock);
	if (me->rules != NULL)
		rules_drop(me->rules);
	return me->rules = cur;
}

void
session_set_rules(struct session *s, struct rule_set *rules)
{
	struct rule_set *old;

	if (s->counted)
		rules_hold(rules);
	pthread_mutex_lock(&s->lock);
	old = s->rules;
	__atomic_store_n(&s->rules, rules, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->lock);
	if (s->counted)
		rules_drop(old);
}

/*
 * Receivers block in RECV themselves. SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 * then wakes one on the notifying task's CPU; through epoll that hint is
 * lost (the target wakes the epoll waiter with a plain wake-up) and every
 * call pays an extra epoll_wait. The first one out tells the owner no task
 * uses the filter any more.
 */
static void *
session_main(void *arg)
{
	struct session_thread *me = arg;
	struct session *s = me->s;
	struct seccomp_notif *req;
	int r, err = 0;

	log_set_context(s->label);
	log_set_fields(s->fields);
	req = notify_req_new(s->notify);
	notify_join(s->notify, 1);
	while (session_turn(me, SESSION_BUSY, SESSION_IDLE)) {
		r = notify_recv(s->notify, req, &s->ending);
		if (!session_turn(me, SESSION_IDLE, SESSION_BUSY)) {
			/* Signalled, or about to be: take the signal before
			 * answering what RECV may have brought. */
			while (!session_woken)
				sched_yield();
		}
		if (r == 0)
			dispatch_notification(s->notify, session_rules(me),
			    req);
		else if (r == -EPIPE || (r == -EINTR &&
		    __atomic_load_n(&s->ending, __ATOMIC_ACQUIRE)))
			break;
		else if (r != -ENOENT && r != -EINTR) {
			log_err("receiving a notification: %s", strerror(-r));
			err = r;
			break;
		}
	}
	notify_join(s->notify, -1);
	free(req);
	if (me->rules != NULL && s->counted)
		rules_drop(me->rules);
	/* Another may still be stuck in an open of a FIFO that nobody will
	 * ever write: the first out tells the owner. */
	pthread_mutex_lock(&s->lock);
	if (!s->ending && !s->done) {
		s->done = 1;
		s->done_fn(s->arg, err);
	}
	pthread_mutex_unlock(&s->lock);
	__atomic_sub_fetch(&session_threads, 1, __ATOMIC_RELAXED);
	session_unref(s);
	return NULL;
}

/* As many receivers as CPUs we may run on, up to the maximum. */
static int
session_receivers_wanted(void)
{
	cpu_set_t cpus;
	int n;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return 1;
	n = CPU_COUNT(&cpus);
	return n < SESSION_RECEIVERS ? (n > 0 ? n : 1) : SESSION_RECEIVERS;
}

struct session *
session_start(struct notify *n, struct rule_set *rules, int counted,
    const struct session_ops *ops)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct session *s;
	sigset_t mask, old;
	int i, want = session_receivers_wanted();

	if (__atomic_add_fetch(&session_threads, want, __ATOMIC_RELAXED) >
	    SESSION_THREADS_MAX) {
		__atomic_sub_fetch(&session_threads, want, __ATOMIC_RELAXED);
		errno = EAGAIN;
		return NULL;
	}
	pthread_once(&once, session_signal_init);
	s = xcalloc(1, sizeof(*s));
	s->refs = 1;
	s->notify = notify_ref(n);
	pthread_mutex_init(&s->lock, NULL);
	s->counted = counted;
	s->rules = counted ? rules_hold(rules) : rules;
	s->done_fn = ops->done;
	s->arg = ops->arg;
	s->label = ops->label != NULL ? xstrdup(ops->label) : NULL;
	s->fields = ops->fields != NULL ? xstrdup(ops->fields) : NULL;
	/* Signals are the event loop's (signalfd), but for the one that
	 * ends a RECV. */
	sigfillset(&mask);
	sigdelset(&mask, session_signo);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	for (i = 0; i < want; i++) {
		s->threads[i].s = s;
		s->threads[i].state = SESSION_BUSY;
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
		if (pthread_create(&s->threads[i].t, NULL, session_main,
		    &s->threads[i]) != 0) {
			__atomic_sub_fetch(&s->refs, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	s->nthreads = i;
	if (i < want)
		__atomic_sub_fetch(&session_threads, want - i,
		    __ATOMIC_RELAXED);
	if (i == 0) {
		session_unref(s);
		errno = EAGAIN;
		return NULL;
	}
	return s;
}

int
session_end(struct session *s, int interrupt, int ms)
{
	struct session_thread *th;
	struct timespec until;
	int i, left = 0;

	pthread_mutex_lock(&s->lock);
	__atomic_store_n(&s->ending, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->lock);
	deadline_after(&until, ms);
	for (i = 0; i < s->nthreads; i++) {
		th = &s->threads[i];
		/* A busy one leaves once it has answered. One blocked in
		 * RECV gets EINTR; one about to enter it, its signal pending,
		 * gets EINTR there; one parked finds s->ending set. */
		if (interrupt && __atomic_exchange_n(&th->state,
		    SESSION_STOPPING, __ATOMIC_ACQ_REL) == SESSION_IDLE)
			pthread_kill(th->t, session_signo);
		if (pthread_timedjoin_np(th->t, NULL, &until) != 0) {
			/* It frees its share when it returns. */
			pthread_detach(th->t);
			left++;
		}
	}
	session_unref(s);
	return left;
}
