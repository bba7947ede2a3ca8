/* SPDX-License-Identifier: MIT */
/* Decide and answer one notification: continue, an errno, or a redirect. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>

#include "act.h"
#include "answer.h"
#include "calls.h"
#include "cancel.h"
#include "dispatch.h"
#include "log.h"
#include "memory.h"
#include "path.h"
#include "redirect.h"
#include "stats.h"
#include "syscalls.h"
#include "trace.h"
#include "verdict.h"

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
		answer_log(req, &c, NULL, "errno %s", answer_errname(-err));
		if (trace_enabled)
			trace_call(req, &t, &c, NULL, err);
		notify_error(n, req->id, -err);
		goto out;
	}
	if (skip) {
		/* Nothing to match: the kernel answers. */
		answer_log(req, &c, NULL, "continue");
		notify_continue(n, req->id);
		goto out;
	}
	verdict_decide(rules, &c, &v);
	stats_rule(v.rule);
	if (trace_enabled)
		trace_call(req, &t, &c, &v, 0);
	switch (v.kind) {
	case VERDICT_CONTINUE:
		answer_log(req, &c, v.rule, "continue");
		notify_continue(n, req->id);
		break;
	case VERDICT_ERRNO:
		answer_log(req, &c, v.rule, "errno %s",
		    answer_errname(v.err));
		notify_error(n, req->id, v.err);
		break;
	case VERDICT_REDIRECT:
		/* Any of it may wait on a hung file system (FUSE, NFS):
		 * meanwhile another receiver takes the next notification.
		 * Opens see to it themselves, FIFOs and all. */
		if (c.kind == ACT_OPEN && !(c.flags & O_PATH)) {
			redirect_call(n, rules, req, &t, &c, &v);
			break;
		}
		if ((blocking = notify_block_begin(n) == 0))
			cancel_enter(&cancel, n, req->id);
		redirect_call(n, rules, req, &t, &c, &v);
		if (blocking) {
			cancel_leave(&cancel);
			notify_block_end(n);
		}
		break;
	}
out:
	target_fini(&t);
}

