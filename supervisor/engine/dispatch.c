/* SPDX-License-Identifier: MIT */
/* Decide and answer one notification: continue, an errno, or a redirect. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act.h"
#include "calls.h"
#include "cancel.h"
#include "creds.h"
#include "dispatch.h"
#include "follow.h"
#include "log.h"
#include "memory.h"
#include "path.h"
#include "perform.h"
#include "rewrite.h"
#include "stats.h"
#include "syscalls.h"
#include "trace.h"
#include "verdict.h"
#include "worker.h"

static const char *
dispatch_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "?";
}

static void
dispatch_log(const struct seccomp_notif *req, const struct call *c,
    const struct rule *r, const char *fmt, ...) PRINTFLIKE(4, 5);

/* The kind of answer a dispatch_log line tells, for the journal. */
static const char *
dispatch_answer_kind(const char *answer)
{
	if (strncmp(answer, "redirect", 8) != 0)
		return strncmp(answer, "errno", 5) == 0 ? "errno" : "continue";
	if (strstr(answer, "errno") != NULL)
		return "failed";
	if (strstr(answer, "target gone") != NULL)
		return "gone";
	return strstr(answer, " = ") != NULL ? "emulated" : "redirect";
}

static void
dispatch_log(const struct seccomp_notif *req, const struct call *c,
    const struct rule *r, const char *fmt, ...)
{
	char quoted[PATH_MAX], quoted2[PATH_MAX], answer[2 * PATH_MAX + 64];
	struct log_decision d = { 0 };
	const char *name;
	va_list ap;
	int i;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(answer, sizeof(answer), fmt, ap);
	va_end(ap);
	if ((name = syscalls_arch_name(req->data.arch, req->data.nr)) == NULL)
		name = "?";
	d.rule = r != NULL ? r->name : NULL;
	d.call = name;
	for (i = 0; i < c->npaths && i < 2; i++)
		d.path[i] = c->p[i].abs[0] != '\0' ? c->p[i].abs :
		    c->p[i].given;
	d.answer = dispatch_answer_kind(answer);
	d.pid = (pid_t)req->pid;
	if (c->npaths > 1)
		log_decision(&d, "tid=%u %s%s \"%s\" \"%s\" %s%s: %s", req->pid,
		    name, syscalls_arch_tag(req->data.arch),
		    log_escape(c->p[0].given, quoted, sizeof(quoted)),
		    log_escape(c->p[1].given, quoted2, sizeof(quoted2)),
		    r != NULL ? "rule=" : "no rule", r != NULL ? r->name : "",
		    answer);
	else
		log_decision(&d, "tid=%u %s%s \"%s\" %s%s: %s", req->pid,
		    name, syscalls_arch_tag(req->data.arch),
		    log_escape(c->p[0].given, quoted,
		    sizeof(quoted)), r != NULL ? "rule=" : "no rule",
		    r != NULL ? r->name : "", answer);
}

/* Answer with fd, the result of act_open(): install it, or its errno. */
static void
dispatch_install(struct notify *n, const struct seccomp_notif *req,
    const struct call *c, const struct rule *r, const char *dst, int fd)
{
	static int warned_openat2;
	int newfd;

	if (fd < 0) {
		/* Sandboxes that hide openat2 (systemd's RestrictSUIDSGID=)
		 * leave no safe way into another root: say why, once. */
		if (fd == -ENOSYS && !__atomic_exchange_n(&warned_openat2, 1,
		    __ATOMIC_RELAXED))
			log_warn("openat2(2) fails with ENOSYS here: redirects "
			    "inside a target's root fail with ENOSYS");
		dispatch_log(req, c, r, "redirect %s errno %s", dst,
		    dispatch_errname(-fd));
		notify_error(n, req->id, -fd);
		return;
	}
	newfd = notify_addfd(n, req->id, fd,
	    (c->flags & O_CLOEXEC) ? O_CLOEXEC : 0);
	close(fd);
	if (newfd >= 0)
		dispatch_log(req, c, r, "redirect %s fd %d", dst, newfd);
	else if (newfd == -ENOENT)
		dispatch_log(req, c, r, "redirect %s: target gone", dst);
	else {
		/* The target is still blocked: a failed ADDFD is answered. */
		dispatch_log(req, c, r, "redirect %s: cannot install the fd: "
		    "errno %s", dst, dispatch_errname(-newfd));
		notify_error(n, req->id, -newfd);
	}
}

static void
dispatch_open(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const struct rule *r,
    const char *dst)
{
	dispatch_install(n, req, c, r, dst, act_open(t, c, dst, 0));
}

/*
 * Open dst, following symlinks on the way back into redirected sources:
 * the open itself refuses symlinks first, so the common case costs one
 * lookup, and only an ELOOP walks the path by hand (follow.c).
 */
static int
dispatch_open_follow(const struct rule_set *rules, struct target *t,
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
struct dispatch_job {
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
dispatch_open_cancellable(struct notify *n, const struct seccomp_notif *req,
    const struct rule_set *rules, struct target *t, const struct call *c,
    const struct rule *r, char *dst)
{
	struct cancel cancel;
	int fd;

	cancel_enter(&cancel, n, req->id);
	fd = rules != NULL ? dispatch_open_follow(rules, t, c, dst) :
	    act_open(t, c, dst, 0);
	if (!cancel_leave(&cancel))
		return fd;
	dispatch_log(req, c, r, "redirect %s: target gone, open cancelled",
	    dst);
	if (fd >= 0)
		close(fd);
	return -ECANCELED;
}

static void
dispatch_job_cb(void *arg)
{
	struct dispatch_job *job = arg;
	struct target t;
	int fd;

	target_init(&t, job->req.pid);
	t.procfd = job->procfd;
	t.view = notify_data(job->notify);
	job->rule.name = job->name;
	fd = dispatch_open_cancellable(job->notify, &job->req, NULL, &t,
	    &job->call, &job->rule, job->dst);
	if (fd != -ECANCELED)
		dispatch_install(job->notify, &job->req, &job->call,
		    &job->rule, job->dst, fd);
	target_fini(&t);
	notify_unref(job->notify);
	free(job);
}

static void
dispatch_open_maybe_async(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req, struct target *t, const struct call *c,
    const struct rule *r, char *dst)
{
	struct dispatch_job *job;
	int fd;

	/* With other threads receiving, even an open that blocks (a FIFO, a
	 * hung NFS server) delays only this target: skip the check. */
	if (notify_block_begin(n) == 0) {
		fd = dispatch_open_cancellable(n, req, rules, t, c, r, dst);
		notify_block_end(n);
		if (fd != -ECANCELED)
			dispatch_install(n, req, c, r, dst, fd);
		return;
	}
	if ((fd = follow_resolve(rules, t, c, 0, dst, PATH_MAX)) != 0) {
		dispatch_install(n, req, c, r, dst, fd > 0 ? -fd : fd);
		return;
	}
	if (!act_open_may_block(t, c, dst)) {
		dispatch_open(n, req, t, c, r, dst);
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
		dispatch_open(n, req, t, c, r, dst);
		return;
	}
	job->notify = notify_ref(n);
	snprintf(job->name, sizeof(job->name), "%s", r->name);
	job->req = *req;
	job->call = *c;
	snprintf(job->dst, sizeof(job->dst), "%s", dst);
	if ((fd = worker_run(dispatch_job_cb, job)) < 0) {
		notify_unref(job->notify);
		close(job->procfd);
		free(job);
		if (fd != -EBUSY) {
			dispatch_open(n, req, t, c, r, dst);
			return;
		}
		log_limited(LOG_LEVEL_WARNING, "%d redirected opens already "
		    "blocked on worker threads: answering EAGAIN",
		    WORKER_MAX + WORKER_QUEUE_MAX);
		notify_error(n, req->id, EAGAIN);
	}
}

static void
dispatch_emulate(struct notify *n, const struct seccomp_notif *req,
    struct target *t, struct call *c, const struct rule *r, const char *dst)
{
	char small[ACT_OUT_MAX], *out = small;
	size_t outlen = 0;
	long ret;
	int w;

	if (c->kind == ACT_GETXATTR || c->kind == ACT_LISTXATTR)
		out = xmalloc(ACT_XATTR_SIZE_MAX);
	ret = 0;
	if (c->kind == ACT_HANDLE) {
		/* struct file_handle's header: its handle_bytes is read. */
		if ((w = target_read(t, c->buf, out,
		    sizeof(struct file_handle))) < 0)
			ret = w;
	} else if (c->kind == ACT_GETXATTR) {
		ret = act_xattr_name(t, c->name_addr, c->xname,
		    sizeof(c->xname));
	}
	if (ret == 0)
		ret = act_emulate(t, c, dst, out, &outlen);
	/* name_to_handle_at's EOVERFLOW still tells the size it needs. */
	if ((ret >= 0 || (ret == -EOVERFLOW && c->kind == ACT_HANDLE)) &&
	    outlen > 0) {
		/* Write only into the very call that asked. */
		if (notify_id_valid(n, req->id) < 0)
			goto done;
		if ((w = target_write(t, c->buf, out, outlen)) < 0)
			ret = w == -ESRCH ? -ESRCH : -EFAULT;
		else if (ret >= 0 && c->kind == ACT_HANDLE &&
		    (w = target_write(t, c->name_addr, out +
		    ACT_HANDLE_MNT_OFF, (c->atflags & 1) ? 8 : 4)) < 0)
			ret = -EFAULT;
	}
	if (ret < 0) {
		dispatch_log(req, c, r, "redirect %s errno %s", dst,
		    dispatch_errname(-ret));
		notify_error(n, req->id, (int)-ret);
		goto done;
	}
	dispatch_log(req, c, r, "redirect %s = %ld", dst, ret);
	notify_return(n, req->id, ret);
done:
	if (out != small)
		free(out);
}

/* A write-side call, performed with its paths moved. */
static void
dispatch_perform(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const struct rule *r,
    const char *const dst[CALL_PATHS])
{
	long ret = perform_call(t, c, dst);

	if (ret < 0) {
		dispatch_log(req, c, r, "redirect %s errno %s", dst[0],
		    dispatch_errname((int)-ret));
		notify_error(n, req->id, (int)-ret);
	} else {
		dispatch_log(req, c, r, "redirect %s%s%s = %ld", dst[0],
		    c->npaths > 1 ? " " : "", c->npaths > 1 ? dst[1] : "",
		    ret);
		notify_return(n, req->id, ret);
	}
}

static void
dispatch_self(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const struct rule *r,
    const char *dst)
{
	int err = rewrite_call(n, req, t, c, dst);

	if (err < 0) {
		dispatch_log(req, c, r, "redirect %s errno %s", dst,
		    dispatch_errname(-err));
		notify_error(n, req->id, -err);
	} else
		dispatch_log(req, c, r, "redirect %s", dst);
}

/* Do a and b name entries of the same directory? */
static int
dispatch_same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return sa - a == sb - b && strncmp(a, b, (size_t)(sa - a)) == 0;
}

/* Is path, in t's root and looked up as t, anything but a symlink (or
 * nothing: the kernel then answers, or creates it there)? */
static int
dispatch_no_link(struct target *t, const char *path)
{
	struct creds_saved saved;
	char link[PATH_MAX];
	int r;

	if (creds_enter(t, 0, &saved) < 0)
		return 0;
	r = follow_link(t, path, link, sizeof(link));
	creds_leave(&saved);
	return r != 1;
}

/*
 * Would the kernel's own lookup do the redirect? So it is when each path is
 * one entry (or "..") relative to a dirfd or cwd inside a directory
 * redirect's destination, moved by its rule to exactly where that lookup
 * lands, and no symlink there is to be followed: the case of every call of
 * a tree walk (du, find, tar, rm -r) below a redirected directory, which
 * is then answered with CONTINUE. Other paths must be ones the kernel
 * resolves as the rules do: not redirected, and not mapped.
 */
static int
dispatch_in_place(struct target *t, const struct call *c,
    const struct verdict *v, const char *const to[CALL_PATHS])
{
	const struct call_path *p;
	int i;

	for (i = 0; i < c->npaths; i++) {
		p = &c->p[i];
		if (p->skip)
			continue;
		if (v->by[i] == NULL ? p->mapped : (!p->mapped ||
		    strchr(p->given, '/') != NULL ||
		    strcmp(to[i], p->phys) != 0 ||
		    (follow_last(c, i) && !dispatch_no_link(t, p->phys))))
			return 0;
	}
	return 1;
}

static void
dispatch_redirect(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req, struct target *t, struct call *c,
    const struct verdict *v)
{
	char dst[CALL_PATHS][PATH_MAX];
	const char *to[CALL_PATHS];
	int i, err;

	/* From here on the task is reached through descriptors proven to be
	 * its own, never by its tid, which may be reused once it dies. */
	target_watch(t, n, req->id);

	for (i = 0; i < c->npaths; i++) {
		to[i] = c->p[i].abs;
		if (v->by[i] == NULL)
			continue;
		if ((err = rules_target(v->by[i], c->p[i].abs, dst[i],
		    sizeof(dst[i]))) < 0)
			goto fail;
		to[i] = dst[i];
	}
	if (dispatch_in_place(t, c, v, to)) {
		dispatch_log(req, c, v->rule, "redirect %s in place: continue",
		    to[0]);
		notify_continue(n, req->id);
		return;
	}
	/* What we read belongs to this very call, not to a recycled tid. */
	if (!trace_enabled && notify_id_valid(n, req->id) < 0)
		return;
	/* A symlink in the destination may lead back into a redirected
	 * source: follow it there (an open does so itself, at no cost when
	 * there is none). */
	for (i = 0; i < c->npaths; i++) {
		if (v->by[i] == NULL ||
		    (c->kind == ACT_OPEN && !(c->flags & O_PATH)))
			continue;
		/* rename(d/a, d/b): the first path's walk cleared d. */
		if (i == 1 && v->by[0] != NULL && !follow_last(c, 0) &&
		    !follow_last(c, 1) && dispatch_same_dir(dst[0], dst[1]))
			continue;
		if ((err = follow_resolve(rules, t, c, i, dst[i],
		    sizeof(dst[i]))) != 0)
			goto fail;
	}
	switch (c->kind) {
	case ACT_OPEN:
		if (c->flags & O_PATH)
			dispatch_self(n, req, t, c, v->rule, to[0]);
		else
			dispatch_open_maybe_async(n, rules, req, t, c, v->rule,
			    dst[0]);
		break;
	case ACT_SELF:
		dispatch_self(n, req, t, c, v->rule, to[0]);
		break;
	case ACT_PERFORM:
		dispatch_perform(n, req, t, c, v->rule, to);
		break;
	default:
		dispatch_emulate(n, req, t, c, v->rule, to[0]);
	}
	return;
fail:
	err = err < 0 ? -err : err;
	dispatch_log(req, c, v->rule, "redirect: errno %s",
	    dispatch_errname(err));
	notify_error(n, req->id, err);
}

/* Calls that name no path by design: utimensat(fd, NULL), fanotify_mark
 * on its dirfd. */
static int
dispatch_null_ok(const struct call *c)
{
	return c->sysid == SYSCALLS_UTIMENSAT ||
	    c->sysid == SYSCALLS_FANOTIFY_MARK;
}

/*
 * Read and resolve path i: absolute, in the target's view, with a cwd or
 * dirfd lying in a directory redirect's destination named by its source
 * (where a redirected chdir left it). Sets skip where the kernel is to
 * answer (a NULL or empty path, a bad dirfd). 0, or -errno to answer.
 */
static int
dispatch_path(const struct seccomp_notif *req, const struct rule_set *rules,
    struct target *t, struct call *c, int i)
{
	struct call_path *p = &c->p[i];
	char dir[PATH_MAX], mapped[PATH_MAX];
	const char *base = "";
	ssize_t len;

	p->mapped = 0;
	if (p->addr == 0 && dispatch_null_ok(c)) {
		p->skip = 1;
		return 0;
	}
	len = memory_read_string(req->pid, p->addr, p->given,
	    sizeof(p->given));
	if (len < 0)
		return (int)len;
	if (len == 0) {
		/* fstat(2) of a dirfd, or ENOENT from the kernel. */
		p->skip = 1;
		return 0;
	}
	if (p->given[0] != '/') {
		/* /proc shows the cwd and dirfds in our view, rules are in
		 * its. */
		if (path_dir(req->pid, p->dirfd, dir, sizeof(dir)) < 0 ||
		    target_strip_root(t, dir) < 0) {
			p->skip = 1;
			return 0;
		}
		base = dir;
		if (rules_reverse(rules, dir, mapped, sizeof(mapped)) > 0) {
			base = mapped;
			p->mapped = path_join(dir, p->given, p->phys,
			    sizeof(p->phys)) == 0;
		}
	}
	if (path_join(base, p->given, p->abs, sizeof(p->abs)) < 0)
		p->skip = 1;
	return 0;
}

/* getcwd(2) with the cwd in a directory redirect's destination answers
 * with its source, as a redirected chdir promised. */
static void
dispatch_getcwd(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req)
{
	char cwd[PATH_MAX], src[PATH_MAX];
	struct target t;
	uint64_t buf, size;
	size_t len;
	int is32 = syscalls_arch_is_32bit(req->data.arch), err, r;

	buf = is32 ? (uint32_t)req->data.args[0] : req->data.args[0];
	size = is32 ? (uint32_t)req->data.args[1] : req->data.args[1];
	target_init(&t, req->pid);
	t.view = notify_data(n);
	if (path_dir(req->pid, AT_FDCWD, cwd, sizeof(cwd)) < 0 ||
	    target_strip_root(&t, cwd) < 0 ||
	    rules_reverse(rules, cwd, src, sizeof(src)) <= 0) {
		notify_continue(n, req->id);
		goto out;
	}
	len = strlen(src) + 1;
	if (size < len)
		err = ERANGE;
	else if (notify_id_valid(n, req->id) < 0)
		goto out;
	else if ((target_watch(&t, n, req->id), r = target_pin(&t)) == -ESRCH)
		goto out;
	else if (r < 0)
		err = -r;	/* out of descriptors or memory: answered */
	else if (target_write(&t, buf, src, len) < 0)
		err = EFAULT;
	else {
		log_debug("tid=%u getcwd: \"%s\" for \"%s\"", req->pid, src,
		    cwd);
		notify_return(n, req->id, (int64_t)len);
		goto out;
	}
	notify_error(n, req->id, err);
out:
	target_fini(&t);
}

void
dispatch_notification(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req)
{
	static __u32 warned;
	struct cancel cancel;
	struct verdict v;
	struct target t;
	struct call c;
	int blocking, err, i, skip;

	/* Not the buffers at its end: 16 KiB to clear on every call. */
	memset(&c, 0, offsetof(struct call, xname));
	c.sysid = syscalls_lookup(req->data.arch, req->data.nr, &c.layout);
	switch (c.sysid) {
	case -1:
		/* Only the syscalls we asked for are notified; be safe. */
		notify_continue(n, req->id);
		return;
	case SYSCALLS_GETCWD:
		dispatch_getcwd(n, rules, req);
		return;
	case SYSCALLS_IO_URING:
		/* Its operations never pass through seccomp. Programs fall
		 * back to plain calls on ENOSYS. */
		log_debug("tid=%u io_uring_setup: errno ENOSYS (io_uring would "
		    "bypass the rules; --allow-io-uring permits it)", req->pid);
		notify_error(n, req->id, ENOSYS);
		return;
	case SYSCALLS_CREDS:
	case SYSCALLS_UMASK:
	case SYSCALLS_ROOT:
		/* Note the change, let it run. A new mount namespace is
		 * another root; a new user namespace, other credentials:
		 * from now on both are read for every call. */
		target_view_changed(notify_data(n),
		    c.sysid == SYSCALLS_UMASK ? TARGET_CHANGED_UMASK :
		    c.sysid == SYSCALLS_CREDS ? TARGET_CHANGED_CREDS :
		    TARGET_CHANGED_CREDS | TARGET_CHANGED_ROOT);
		notify_continue(n, req->id);
		return;
	}
	target_init(&t, req->pid);
	t.view = notify_data(n);
	err = calls_decode(req->pid, &req->data, &c);
	for (i = 0, skip = 1; err == 0 && i < c.npaths; i++) {
		err = dispatch_path(req, rules, &t, &c, i);
		skip &= c.p[i].skip;
	}
	if (err == -ESRCH)
		goto out;
	if (err == -EPERM &&
	    __atomic_exchange_n(&warned, req->pid, __ATOMIC_RELAXED) !=
	    req->pid)
		log_warn("tid=%u: cannot read its memory (not dumpable, or "
		    "another user's): answering EPERM", req->pid);
	/* What we read may be a recycled tid's: an answer alone is bound to
	 * the notification ID, so it needs no check (a dead one fails), but
	 * acting on it, or tracing it, does. */
	if (trace_enabled && notify_id_valid(n, req->id) < 0)
		goto out;
	if (err < 0) {
		/* EFAULT, ENAMETOOLONG, EINVAL, E2BIG as the kernel would;
		 * EPERM fails closed. */
		dispatch_log(req, &c, NULL, "errno %s", dispatch_errname(-err));
		if (trace_enabled)
			trace_call(req, &t, &c, NULL, err);
		notify_error(n, req->id, -err);
		goto out;
	}
	if (skip) {
		/* Nothing to match: the kernel answers. */
		dispatch_log(req, &c, NULL, "continue");
		notify_continue(n, req->id);
		goto out;
	}
	verdict_decide(rules, &c, &v);
	stats_rule(v.rule);
	if (trace_enabled)
		trace_call(req, &t, &c, &v, 0);
	switch (v.kind) {
	case VERDICT_CONTINUE:
		dispatch_log(req, &c, v.rule, "continue");
		notify_continue(n, req->id);
		break;
	case VERDICT_ERRNO:
		dispatch_log(req, &c, v.rule, "errno %s",
		    dispatch_errname(v.err));
		notify_error(n, req->id, v.err);
		break;
	case VERDICT_REDIRECT:
		/* Any of it may wait on a hung file system (FUSE, NFS):
		 * meanwhile another receiver takes the next notification.
		 * Opens see to it themselves, FIFOs and all. */
		if (c.kind == ACT_OPEN && !(c.flags & O_PATH)) {
			dispatch_redirect(n, rules, req, &t, &c, &v);
			break;
		}
		if ((blocking = notify_block_begin(n) == 0))
			cancel_enter(&cancel, n, req->id);
		dispatch_redirect(n, rules, req, &t, &c, &v);
		if (blocking) {
			cancel_leave(&cancel);
			notify_block_end(n);
		}
		break;
	}
out:
	target_fini(&t);
}
