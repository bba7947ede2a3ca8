/* SPDX-License-Identifier: MIT */
/* `unotifyd serve`: one event loop supervising every process that an
 * `unotifyd exec` client or an OCI runtime (runc, crun) hands it. */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "connlimit.h"
#include "creds.h"
#include "handover.h"
#include "log.h"
#include "rules.h"
#include "rulesnap.h"
#include "serve.h"
#include "serve_int.h"
#include "stats.h"
#include "target.h"
#include "worker.h"

void
serve_status(struct serve *s)
{
	cleanup_free struct stats_snapshot *st = xmalloc(sizeof(*st));

	stats_snapshot(st);
	sd_notifyf(0, "STATUS=%lu %s (%lu since start), %llu calls "
	    "answered, %zu %s%s", s->ntargets, PLURAL(s->ntargets, "target",
	    "targets"), s->served, (unsigned long long)st->notifications,
	    s->rules->n,
	    PLURAL(s->rules->n, "rule", "rules"), s->kept ? "; THE RULES ON "
	    "DISK ARE INVALID (see the log): serving the last rules that "
	    "loaded" : "");
}

/* Leave the loop for the signal that asked us to stop. */
static void
serve_stop_now(struct serve *s)
{
	ev_timer_stop(s->ev, &s->wait_timer);
	log_info("%s: stopping with %lu targets", strsignal(s->stop_signo),
	    s->ntargets);
	sd_notify(0, "STOPPING=1");
	ev_break(s->ev, EVBREAK_ALL);
}

/* Waiting for a successor, the last target left: nothing to hand over. */
void
serve_stop_if_idle(struct serve *s)
{
	if (s->ntargets == 0 && ev_is_active(&s->wait_timer) &&
	    !handover_active(s->handover)) {
		log_info("no targets left to hand over");
		serve_stop_now(s);
	}
}

/*
 * SIGTERM or SIGINT. With targets, wait up to --handover-wait seconds for a
 * successor to take them (closing their listeners would fail every call
 * with ENOSYS), serving them meanwhile. A second signal stops at once.
 */
static void
serve_stop_signal(struct serve *s, int signo)
{
	if (s->stop_signo != 0) {
		log_info("%s again: not waiting for a successor",
		    strsignal(signo));
		serve_stop_now(s);
		return;
	}
	s->stop_signo = signo;
	/* Stopping now would close listeners the successor may not hold. */
	if (handover_active(s->handover)) {
		log_info("%s: stopping once the hand-over under way ends",
		    strsignal(signo));
		ev_timer_set(&s->wait_timer, s->opts->handover_wait > 0 ?
		    s->opts->handover_wait : 1., 0.);
		ev_timer_start(s->ev, &s->wait_timer);
		return;
	}
	if (s->opts->handover_wait <= 0 || s->handover == NULL ||
	    (s->ntargets == 0 && !handover_active(s->handover))) {
		serve_stop_now(s);
		return;
	}
	log_info("%s: waiting up to %d s for a successor to take over %lu "
	    "targets", strsignal(signo), s->opts->handover_wait, s->ntargets);
	ev_timer_set(&s->wait_timer, s->opts->handover_wait, 0.);
	ev_timer_start(s->ev, &s->wait_timer);
}

static void
serve_wait_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct serve *s = w->data;

	(void)revents;
	/* A hand-over under way ends by itself, one way or the other. */
	if (handover_active(s->handover)) {
		ev_timer_set(w, 1., 0.);
		ev_timer_start(ev, w);
		return;
	}
	log_warn("no successor within %d s: closing %lu listeners fails "
	    "their calls with ENOSYS", s->opts->handover_wait, s->ntargets);
	serve_stop_now(s);
}

static void
serve_signal_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct serve *s = w->data;
	struct signalfd_siginfo si;

	(void)ev;
	(void)revents;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			serve_reload(s);
			continue;
		}
		serve_stop_signal(s, (int)si.ssi_signo);
	}
}

static void
serve_status_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)revents;
	serve_status(w->data);
	log_limit_flush(0);
}

static void
serve_watchdog_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)w;
	(void)revents;
	sd_notify(0, "WATCHDOG=1");
}

void
serve_socket_add(struct serve *s, int fd)
{
	struct serve_socket *sock = xcalloc(1, sizeof(*sock));

	sock->s = s;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ev_io_init(&sock->w, serve_accept_cb, fd, EV_READ);
	sock->w.data = sock;
	ev_io_start(s->ev, &sock->w);
	sock->next = s->sockets;
	s->sockets = sock;
}

/* Our own socket at path, mode 0660, in group if given. */
static int
serve_socket_create(const char *path, const char *group)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	cleanup_free char *dir = xstrdup(path);
	struct group *gr;
	char *slash;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		die(125, "%s: socket path too long", path);
	strcpy(sun.sun_path, path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			die_errno(125, "%s", dir);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die_errno(125, "socket");
	/* A stale socket from a previous run; a live one fails bind. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		die(125, "%s: another daemon is listening", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die_errno(125, "%s", path);
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL)
			die(125, "unknown group '%s'", group);
		if (chown(path, -1, gr->gr_gid) < 0)
			die_errno(125, "chown %s", path);
	}
	if (chmod(path, 0660) < 0 || listen(fd, 128) < 0)
		die_errno(125, "%s", path);
	return fd;
}

/* --check: load the rules as serving would (ExecReload runs it first, so
 * that a reload with broken rules fails where the administrator sees it). */
static int
serve_check(struct serve *s)
{
	struct causes c = { 0 };

	if (serve_load(s, s->rules, &c) < 0) {
		causes_print(&c, stderr);
		causes_free(&c);
		fprintf(stderr, "unotifyd: invalid rules\n");
		rules_drop(s->rules);
		return 1;
	}
	printf("%zu rules OK\n", s->rules->n);
	rules_drop(s->rules);
	return 0;
}

int
serve_run(const struct serve_options *opts)
{
	struct serve s;
	const struct handover_ops hops = {
		.arg = &s,
		.pause = serve_handover_pause,
		.busy = serve_handover_busy,
		.targets = serve_handover_targets,
		.sockets = serve_handover_sockets,
		.done = serve_handover_done,
		.take_target = serve_handover_take_target,
		.take_socket = serve_handover_take_socket,
		.abort = serve_handover_abort,
	};
	struct causes c = { 0 };
	struct serve_socket *sock;
	cleanup_free char *hpath = NULL;
	sigset_t set;
	uint64_t usec;
	char **names = NULL;
	pid_t from;
	int i, n, r, sigfd, nsockets = 0;

	memset(&s, 0, sizeof(s));
	s.opts = opts;
	s.own_fd = -1;
	s.rules = xcalloc(1, sizeof(*s.rules));
	if (opts->check)
		return serve_check(&s);
	s.limits = connlimit_new(opts->max_clients, opts->max_clients_per_uid);
	s.snap = rulesnap_new();
	/* The last rules that loaded come back from the fd store first. */
	n = sd_listen_fds_with_names(1, &names);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], RULESNAP_FDNAME) == 0)
			serve_snap_take(&s, SD_LISTEN_FDS_START + i);
	if (serve_load(&s, s.rules, &c) < 0) {
		causes_print(&c, stderr);
		causes_free(&c);
		rules_drop(s.rules);
		/* Targets taken back would get ENOSYS if we left: serve
		 * them (and new ones) by the rules that worked. */
		if (serve_kept(&s, "", &s.rules) < 0) {
			log_err("invalid rules; not starting");
			for (i = 0; i < n; i++)
				free(names[i]);
			free(names);
			connlimit_free(s.limits);
			rulesnap_free(s.snap);
			return 125;
		}
		s.kept = 1;
		log_err("invalid rules; serving with the last rules that "
		    "loaded (%zu %s) until a reload succeeds", s.rules->n,
		    PLURAL(s.rules->n, "rule", "rules"));
	} else
		serve_keep(&s, "", s.rules);
	if ((s.ev = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK)) == NULL)
		die(125, "cannot create the event loop");
	creds_init();
	/* Files created for targets get each target's umask. */
	umask(0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		die_errno(125, "signalfd");
	ev_io_init(&s.signal_w, serve_signal_cb, sigfd, EV_READ);
	s.signal_w.data = &s;
	ev_io_start(s.ev, &s.signal_w);
	ev_timer_init(&s.accept_timer, serve_accept_timer_cb, 0., 0.);
	s.accept_timer.data = &s;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], RULESNAP_FDNAME) == 0)
			;	/* taken above */
		else if (strncmp(names[i], "target.", 7) == 0)
			serve_resume(&s, SD_LISTEN_FDS_START + i, names[i]);
		else if (opts->socket == NULL) {
			serve_socket_add(&s, SD_LISTEN_FDS_START + i);
			log_info("listening on systemd's socket '%s'",
			    names[i]);
			nsockets++;
		} else
			close(SD_LISTEN_FDS_START + i);
		free(names[i]);
	}
	free(names);
	ev_timer_init(&s.wait_timer, serve_wait_cb, 0., 0.);
	s.wait_timer.data = &s;
	/* A daemon running there hands us its targets and sockets. */
	hpath = serve_handover_where(&s);
	if (hpath != NULL && (r = handover_take(hpath, &hops, &from)) < 0)
		die(125, "not starting: the running daemon (pid %d) keeps "
		    "serving", (int)from);
	if (hpath != NULL && r == 1) {
		serve_handover_keep(&s);
		for (sock = s.sockets; sock != NULL; sock = sock->next)
			nsockets++;
		log_info("listening on the sockets of pid %d", (int)from);
	}
	if (nsockets == 0) {
		const char *path = opts->socket ? opts->socket : SERVE_SOCKET;

		s.own_fd = serve_socket_create(path, opts->group);
		serve_socket_add(&s, s.own_fd);
		log_info("listening on %s", path);
	}
	if (hpath != NULL && (s.handover = handover_new(s.ev, hpath, &hops,
	    &r)) == NULL)
		log_warn("%s: %s; no successor can take over from this "
		    "daemon", hpath, strerror(-r));
	if (sd_watchdog_enabled(0, &usec) > 0) {
		ev_timer_init(&s.watchdog_timer, serve_watchdog_cb, 0.,
		    usec / 2e6);
		ev_timer_again(s.ev, &s.watchdog_timer);
	}
	ev_timer_init(&s.status_timer, serve_status_cb, 5., 5.);
	s.status_timer.data = &s;
	ev_timer_start(s.ev, &s.status_timer);
	log_info("ready: %zu %s", s.rules->n, PLURAL(s.rules->n, "rule",
	    "rules"));
	sd_notify(0, "READY=1");
	serve_status(&s);

	ev_run(s.ev, 0);

	/* Its path is the successor's now. */
	handover_free(s.handover, !s.handed_over);
	s.handover = NULL;
	while (s.sockets != NULL) {
		struct serve_socket *next = s.sockets->next;

		ev_io_stop(s.ev, &s.sockets->w);
		free(s.sockets);
		s.sockets = next;
	}
	while (s.conns != NULL)
		serve_conn_free(s.conns);
	/* Closing a listener fails its targets' calls with ENOSYS, unless
	 * systemd keeps a copy in its fd store for the next start. */
	while (s.targets != NULL)
		serve_target_free(s.targets);
	/* A call in a worker is ours to answer: the successor never saw
	 * it. */
	if ((n = worker_drain(s.handed_over ? 10000 : 1000)) > 0 &&
	    s.handed_over)
		log_warn("%d calls still blocked in opens; their targets stay "
		    "blocked", n);
	if (s.own_fd >= 0 && opts->socket != NULL && !s.handed_over)
		unlink(opts->socket);
	log_limit_flush(1);
	connlimit_free(s.limits);
	rulesnap_free(s.snap);
	rules_drop(s.rules);
	ev_loop_destroy(s.ev);
	return 0;
}
