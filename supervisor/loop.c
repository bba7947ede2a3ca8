/* SPDX-License-Identifier: MIT */
/* The libev loop of `unotifyd run`: the listener, signals, the child. */
#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dispatch.h"
#include "log.h"
#include "loop.h"
#include "worker.h"

struct loop {
	struct ev_loop		*ev;
	ev_io			 listener_w;
	ev_async		 hangup_w;	/* from the receiver thread */
	pthread_t		 receiver;
	int			 threaded;
	int			 receiver_done;
	ev_io			 signal_w;
	struct notify		*notify;
	const struct rule_set	*rules;
	pid_t			 child;
	int			 child_status;
	int			 child_done;
	int			 listener_done;
};

static void
loop_check_done(struct loop *l)
{
	if (l->child_done && l->listener_done)
		ev_break(l->ev, EVBREAK_ALL);
}

static void
loop_listener_hangup(struct loop *l)
{
	ev_io_stop(l->ev, &l->listener_w);
	l->listener_done = 1;
	log_debug("no task uses the filter any more");
	loop_check_done(l);
}

static void
loop_listener_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct loop *l = w->data;
	struct seccomp_notif *req;
	int r;

	(void)ev;
	(void)revents;
	if ((r = notify_recv(l->notify, &req)) == 0)
		dispatch_notification(l->notify, l->rules, req);
	else if (r == -EPIPE)
		loop_listener_hangup(l);
	else if (r != -ENOENT && r != -EINTR)
		log_warn("receiving a notification: %s", strerror(-r));
}

/*
 * The receiver thread blocks in RECV itself. SECCOMP_USER_NOTIF_FD_SYNC_
 * WAKE_UP then wakes it on the notifying task's CPU; through epoll that
 * hint is lost (the target wakes the epoll waiter with a plain wake-up)
 * and every call pays an extra epoll_wait. The loop keeps signals and
 * children; the thread tells it when no task uses the filter any more.
 */
static void *
loop_receiver_main(void *arg)
{
	struct loop *l = arg;
	struct seccomp_notif *req;
	int r;

	for (;;) {
		if ((r = notify_recv(l->notify, &req)) == 0)
			dispatch_notification(l->notify, l->rules, req);
		else if (r == -EPIPE)
			break;
		else if (r != -ENOENT && r != -EINTR) {
			log_err("receiving a notification: %s", strerror(-r));
			break;
		}
	}
	ev_async_send(l->ev, &l->hangup_w);
	return NULL;
}

static void
loop_hangup_cb(struct ev_loop *ev, ev_async *w, int revents)
{
	struct loop *l = w->data;

	(void)ev;
	(void)revents;
	l->receiver_done = 1;
	loop_listener_hangup(l);
}

/* Start the receiver thread with every signal blocked; 0 or -errno. */
static int
loop_receiver_start(struct loop *l)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&l->receiver, NULL, loop_receiver_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

static void
loop_reap(struct loop *l)
{
	int status;
	pid_t pid;

	/* As a subreaper we also reap orphaned grandchildren. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != l->child)
			continue;
		l->child_status = status;
		l->child_done = 1;
		log_debug("command exited (status 0x%x)", status);
	}
	loop_check_done(l);
}

static void
loop_forward(struct loop *l, const struct signalfd_siginfo *si)
{
	/* A terminal's signal already reached the command, which shares our
	 * process group: do not deliver it twice. */
	if (si->ssi_code == SI_KERNEL)
		return;
	if (!l->child_done) {
		kill(l->child, si->ssi_signo);
		return;
	}
	if (si->ssi_signo == SIGUSR1 || si->ssi_signo == SIGUSR2)
		return;
	/* Only orphans are left; the user asked us to stop. */
	log_warn("%s with the command gone: stopping; processes still using "
	    "the filter now get ENOSYS", strsignal(si->ssi_signo));
	l->listener_done = 1;
	loop_check_done(l);
}

static void
loop_signal_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct loop *l = w->data;
	struct signalfd_siginfo si;
	ssize_t n;

	(void)ev;
	(void)revents;
	while ((n = read(w->fd, &si, sizeof(si))) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			loop_reap(l);
		else
			loop_forward(l, &si);
	}
}

int
loop_run(struct notify *n, const struct rule_set *rules, pid_t child,
    int sigfd)
{
	struct loop l;

	memset(&l, 0, sizeof(l));
	/* Not the default loop: it would install its own SIGCHLD handler. */
	if ((l.ev = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK)) == NULL)
		return -1;
	l.notify = n;
	l.rules = rules;
	l.child = child;
	ev_async_init(&l.hangup_w, loop_hangup_cb);
	l.hangup_w.data = &l;
	ev_async_start(l.ev, &l.hangup_w);
	if (notify_recv_can_block(n) && loop_receiver_start(&l) == 0)
		l.threaded = 1;
	else {
		ev_io_init(&l.listener_w, loop_listener_cb, notify_fd(n),
		    EV_READ);
		l.listener_w.data = &l;
		ev_io_start(l.ev, &l.listener_w);
	}
	ev_io_init(&l.signal_w, loop_signal_cb, sigfd, EV_READ);
	l.signal_w.data = &l;
	ev_io_start(l.ev, &l.signal_w);
	/* The child may have exited before the loop started. */
	loop_reap(&l);
	if (!(l.child_done && l.listener_done))
		ev_run(l.ev, 0);
	/* The receiver has returned, unless we stop with orphans left: it
	 * then stays blocked in RECV until the process exits. */
	if (l.threaded && l.receiver_done)
		pthread_join(l.receiver, NULL);
	ev_loop_destroy(l.ev);
	/* Let redirects still finishing on workers answer and log. */
	if (worker_drain(1000) > 0)
		log_warn("leaving while a redirected open still blocks");
	return l.child_status;
}
