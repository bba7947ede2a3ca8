/* SPDX-License-Identifier: MIT */
/* The libev loop of `unotifyd run`: the listener, signals, the child. */
#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dispatch.h"
#include "log.h"
#include "loop.h"
#include "session.h"
#include "sigfwd.h"
#include "spawn.h"
#include "util.h"
#include "worker.h"

struct loop {
	struct ev_loop		*ev;
	ev_io			 listener_w;
	struct seccomp_notif	*req;		/* without receivers */
	ev_async		 hangup_w;	/* from a receiver */
	struct session		*session;	/* its receivers, or NULL */
	int			 receivers_done;
	ev_io			 signal_w;
	ev_io			 exec_w;	/* the exec's outcome */
	char *const		*argv;
	struct notify		*notify;
	const struct rule_set	*rules;
	pid_t			 child;
	struct sigfwd		 fwd;
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
	int r;

	(void)ev;
	(void)revents;
	if ((r = notify_recv(l->notify, l->req, NULL)) == 0)
		dispatch_notification(l->notify, l->rules, l->req);
	else if (r == -EPIPE)
		loop_listener_hangup(l);
	else if (r != -ENOENT && r != -EINTR)
		log_warn("receiving a notification: %s", strerror(-r));
}

/* From a receiver: no task uses the filter any more. */
static void
loop_receivers_done(void *arg, int err)
{
	struct loop *l = arg;

	(void)err;
	ev_async_send(l->ev, &l->hangup_w);
}

static void
loop_hangup_cb(struct ev_loop *ev, ev_async *w, int revents)
{
	struct loop *l = w->data;

	(void)ev;
	(void)revents;
	l->receivers_done = 1;
	loop_listener_hangup(l);
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
		if (log_enabled(LOG_LEVEL_DEBUG)) {
			char how[128];

			log_debug("command %s", spawn_describe(status, how,
			    sizeof(how)));
		}
	}
	loop_check_done(l);
}

static void
loop_forward(struct loop *l, const struct signalfd_siginfo *si)
{
	/* One its sender delivered to the command too (a terminal's, or
	 * systemd's to the whole unit) is not delivered twice. */
	if (!sigfwd_wanted(&l->fwd, si, l->child))
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
loop_exec_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct loop *l = w->data;
	cleanup_free char *cause = NULL;

	(void)revents;
	ev_io_stop(ev, w);
	if (spawn_exec_result(w->fd, l->argv, &cause) != 0)
		log_err("%s", cause);
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
    int sigfd, int execfd, char *const argv[])
{
	struct session_ops ops = { 0 };
	struct loop l;
	int stuck = 0;

	memset(&l, 0, sizeof(l));
	/* Not the default loop: it would install its own SIGCHLD handler. */
	if ((l.ev = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK)) == NULL)
		return -1;
	l.notify = n;
	l.rules = rules;
	l.child = child;
	sigfwd_init(&l.fwd);
	ev_async_init(&l.hangup_w, loop_hangup_cb);
	l.hangup_w.data = &l;
	ev_async_start(l.ev, &l.hangup_w);
	ops.done = loop_receivers_done;
	ops.arg = &l;
	/* Not counted: rules outlive the session, which never writes them. */
	/* Before 6.11 a receiver could stay in RECV for ever once the
	 * command is gone: run's loop receives there. */
	if (!notify_recv_can_block(n) || (l.session = session_start(n,
	    (struct rule_set *)rules, 0, &ops)) == NULL) {
		l.req = notify_req_new(n);
		ev_io_init(&l.listener_w, loop_listener_cb, notify_fd(n),
		    EV_READ);
		l.listener_w.data = &l;
		ev_io_start(l.ev, &l.listener_w);
	}
	l.argv = argv;
	ev_io_init(&l.exec_w, loop_exec_cb, execfd, EV_READ);
	l.exec_w.data = &l;
	ev_io_start(l.ev, &l.exec_w);
	ev_io_init(&l.signal_w, loop_signal_cb, sigfd, EV_READ);
	l.signal_w.data = &l;
	ev_io_start(l.ev, &l.signal_w);
	/* The child may have exited before the loop started. */
	loop_reap(&l);
	if (!(l.child_done && l.listener_done))
		ev_run(l.ev, 0);
	/* The child is gone: its message, if any, is there to read. */
	if (ev_is_active(&l.exec_w))
		loop_exec_cb(l.ev, &l.exec_w, EV_READ);
	/* Receivers return once no task uses the filter, but one may be in an
	 * open of a FIFO that nobody will ever write; when we stop with
	 * orphans left, they stay in RECV. */
	if (l.session != NULL)
		stuck = session_end(l.session, 0, l.receivers_done ? 1000 : 0);
	/* Let redirects still finishing on workers answer and log. */
	if (worker_drain(1000) > 0 || (stuck > 0 && l.receivers_done))
		log_warn("leaving while a redirected open still blocks");
	if (stuck > 0) {
		/* They use the rules, the listener and this loop: leave now
		 * rather than free those under their feet. */
		fflush(NULL);
		_exit(spawn_exit_status(l.child_status));
	}
	free(l.req);
	ev_loop_destroy(l.ev);
	return l.child_status;
}
