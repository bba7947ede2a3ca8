/* SPDX-License-Identifier: MIT */
/* The redirected open: performed by the receiver, or by a worker thread
 * when it may block and no other receiver is free; cut short once its
 * notification dies. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "act.h"
#include "answer.h"
#include "cancel.h"
#include "follow.h"
#include "log.h"
#include "opener.h"
#include "worker.h"

static void
opener_open(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const struct rule *r,
    const char *dst)
{
	answer_fd(n, req, c, r, dst, act_open(t, c, dst, 0));
}

/*
 * Open dst, following symlinks on the way back into redirected sources:
 * the open itself refuses symlinks first, so the common case costs one
 * lookup, and only an ELOOP walks the path by hand (follow.c).
 */
static int
opener_follow(const struct rule_set *rules, struct target *t,
    const struct call *c, char *dst)
{
	int fd = act_open(t, c, dst, RESOLVE_NO_SYMLINKS), err;

	/* ELOOP: a symlink; EINVAL: flag bits openat2 refuses but open(2)
	 * ignores, for which the walk checks on its own. */
	if (fd != -ELOOP && !(fd == -EINVAL && c->sysid != SYSCALLS_OPENAT2))
		return fd;
	if ((err = follow_resolve(rules, t, c, 0, dst, PATH_MAX)) != 0)
		return err > 0 ? -err : err;
	return act_open(t, c, dst, 0);
}

/* A redirected open handed to a worker thread, with copies of its state. */
struct opener_job {
	struct notify		*notify;
	int			 procfd;	/* the pinned task */
	struct rule		 rule;		/* name only, for the log */
	char			 name[256];
	struct seccomp_notif	 req;
	struct call		 call;
	char			 dst[PATH_MAX];
};

/* An open that may block for as long as it likes, cut short once its
 * notification dies: then nothing is left of it. */
static int
opener_cancellable(struct notify *n, const struct seccomp_notif *req,
    const struct rule_set *rules, struct target *t, const struct call *c,
    const struct rule *r, char *dst)
{
	struct cancel cancel;
	int fd;

	cancel_enter(&cancel, n, req->id);
	fd = rules != NULL ? opener_follow(rules, t, c, dst) :
	    act_open(t, c, dst, 0);
	if (!cancel_leave(&cancel))
		return fd;
	answer_log(req, c, r, "redirect %s: target gone, open cancelled",
	    dst);
	if (fd >= 0)
		close(fd);
	return -ECANCELED;
}

static void
opener_job_cb(void *arg)
{
	struct opener_job *job = arg;
	struct target t;
	int fd;

	target_init(&t, job->req.pid);
	t.procfd = job->procfd;
	t.view = notify_data(job->notify);
	job->rule.name = job->name;
	fd = opener_cancellable(job->notify, &job->req, NULL, &t,
	    &job->call, &job->rule, job->dst);
	if (fd != -ECANCELED)
		answer_fd(job->notify, &job->req, &job->call,
		    &job->rule, job->dst, fd);
	target_fini(&t);
	notify_unref(job->notify);
	free(job);
}

void
opener_redirect(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req, struct target *t, const struct call *c,
    const struct rule *r, char *dst)
{
	struct opener_job *job;
	int fd;

	/* With other threads receiving, even an open that blocks (a FIFO, a
	 * hung NFS server) delays only this target: skip the check. */
	if (notify_block_begin(n) == 0) {
		fd = opener_cancellable(n, req, rules, t, c, r, dst);
		notify_block_end(n);
		if (fd != -ECANCELED)
			answer_fd(n, req, c, r, dst, fd);
		return;
	}
	if ((fd = follow_resolve(rules, t, c, 0, dst, PATH_MAX)) != 0) {
		answer_fd(n, req, c, r, dst, fd > 0 ? -fd : fd);
		return;
	}
	if (!act_open_may_block(t, c, dst)) {
		opener_open(n, req, t, c, r, dst);
		return;
	}
	/* The rule set may be gone (reloaded, or freed at exit) before a
	 * blocked open returns: keep what the log needs. */
	/* The job runs later: it carries the pinned task, not its tid. */
	if ((fd = target_pin(t)) < 0) {
		/* Out of descriptors or memory, it still waits: answer. */
		if (fd != -ESRCH)
			notify_error(n, req->id, -fd);
		return;
	}
	job = xcalloc(1, sizeof(*job));
	if ((job->procfd = fcntl(t->procfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		free(job);
		opener_open(n, req, t, c, r, dst);
		return;
	}
	job->notify = notify_ref(n);
	snprintf(job->name, sizeof(job->name), "%s", r->name);
	job->req = *req;
	job->call = *c;
	snprintf(job->dst, sizeof(job->dst), "%s", dst);
	if ((fd = worker_run(opener_job_cb, job)) < 0) {
		notify_unref(job->notify);
		close(job->procfd);
		free(job);
		if (fd != -EBUSY) {
			opener_open(n, req, t, c, r, dst);
			return;
		}
		log_limited(LOG_LEVEL_WARNING, "%d redirected opens already "
		    "blocked on worker threads: answering EAGAIN",
		    WORKER_MAX + WORKER_QUEUE_MAX);
		notify_error(n, req->id, EAGAIN);
	}
}
