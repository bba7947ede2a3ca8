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
#include "dispatch.h"
#include "log.h"
#include "memory.h"
#include "path.h"
#include "stats.h"
#include "syscalls.h"
#include "worker.h"

/* The first published struct open_how: flags, mode, resolve. */
#define DISPATCH_HOW_SIZE_VER0	24

/* Escape a path for a log line: it may hold quotes, newlines, anything. */
static const char *
dispatch_quote(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < len; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			o += snprintf(buf + o, len - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = c;
	}
	buf[o] = '\0';
	return buf;
}

static const char *
dispatch_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name != NULL ? name : "?";
}

static void
dispatch_log(const struct seccomp_notif *req, const struct call *c,
    const struct rule *r, const char *fmt, ...) PRINTFLIKE(4, 5);

static void
dispatch_log(const struct seccomp_notif *req, const struct call *c,
    const struct rule *r, const char *fmt, ...)
{
	char quoted[PATH_MAX], answer[PATH_MAX + 64];
	const char *name;
	va_list ap;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(answer, sizeof(answer), fmt, ap);
	va_end(ap);
	name = syscalls_arch_name(req->data.arch, req->data.nr);
	log_debug("tid=%u %s%s \"%s\" %s%s: %s", req->pid, name,
	    syscalls_arch_is_32bit(req->data.arch) ? "/i386" : "",
	    dispatch_quote(c->path, quoted, sizeof(quoted)),
	    r != NULL ? "rule=" : "no rule", r != NULL ? r->name : "", answer);
}

/* openat2's struct open_how, checked like copy_struct_from_user(). */
static int
dispatch_open_how(const struct seccomp_notif *req, uint64_t addr,
    uint64_t size, struct call *c)
{
	struct open_how how;
	unsigned char extra[256];
	uint64_t off;
	size_t i, n;
	int r;

	if (size < DISPATCH_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	memset(&how, 0, sizeof(how));
	n = size < sizeof(how) ? size : sizeof(how);
	if ((r = memory_read(req->pid, addr, &how, n)) < 0)
		return r;
	for (off = sizeof(how); off < size; off += n) {
		n = size - off < sizeof(extra) ? size - off : sizeof(extra);
		if ((r = memory_read(req->pid, addr + off, extra, n)) < 0)
			return r;
		for (i = 0; i < n; i++)
			if (extra[i] != 0)
				return -E2BIG;
	}
	c->flags = how.flags;
	c->mode = how.mode;
	c->resolve = how.resolve;
	return 0;
}

/* Decode the arguments; 0, or -errno to answer as the kernel would. */
static int
dispatch_decode(const struct seccomp_notif *req, struct call *c)
{
	uint64_t a[6];
	int i, is32;

	/* i386 arguments are 32-bit registers. */
	is32 = syscalls_arch_is_32bit(req->data.arch);
	for (i = 0; i < 6; i++)
		a[i] = is32 ? (uint32_t)req->data.args[i] : req->data.args[i];
	c->dirfd = AT_FDCWD;
	c->kind = ACT_OPEN;
	switch (c->sysid) {
	case SYSCALLS_OPEN:
		c->path_addr = a[0];
		c->flags = (unsigned int)a[1];
		c->mode = a[2];
		break;
	case SYSCALLS_CREAT:
		c->path_addr = a[0];
		c->flags = O_CREAT | O_WRONLY | O_TRUNC;
		c->mode = a[1];
		break;
	case SYSCALLS_OPENAT:
		c->dirfd = (int)a[0];
		c->path_addr = a[1];
		c->flags = (unsigned int)a[2];
		c->mode = a[3];
		break;
	case SYSCALLS_OPENAT2:
		c->dirfd = (int)a[0];
		c->path_addr = a[1];
		return dispatch_open_how(req, a[2], a[3], c);
	case SYSCALLS_STAT:
	case SYSCALLS_LSTAT:
		c->kind = ACT_STAT;
		c->path_addr = a[0];
		c->buf = a[1];
		if (c->sysid == SYSCALLS_LSTAT)
			c->atflags = AT_SYMLINK_NOFOLLOW;
		break;
	case SYSCALLS_NEWFSTATAT:
		c->kind = ACT_STAT;
		c->dirfd = (int)a[0];
		c->path_addr = a[1];
		c->buf = a[2];
		c->atflags = (int)a[3];
		if (c->atflags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
		    AT_EMPTY_PATH))
			return -EINVAL;
		break;
	case SYSCALLS_STATX:
		c->kind = ACT_STATX;
		c->dirfd = (int)a[0];
		c->path_addr = a[1];
		c->atflags = (int)a[2];
		c->mask = (unsigned int)a[3];
		c->buf = a[4];
		break;
	case SYSCALLS_ACCESS:
		c->kind = ACT_ACCESS;
		c->path_addr = a[0];
		c->mode = (unsigned int)a[1];
		break;
	case SYSCALLS_FACCESSAT:
	case SYSCALLS_FACCESSAT2:
		c->kind = ACT_ACCESS;
		c->dirfd = (int)a[0];
		c->path_addr = a[1];
		c->mode = (unsigned int)a[2];
		if (c->sysid == SYSCALLS_FACCESSAT2) {
			c->atflags = (int)a[3];
			if (c->atflags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW |
			    AT_EMPTY_PATH))
				return -EINVAL;
		}
		break;
	case SYSCALLS_READLINK:
		c->kind = ACT_READLINK;
		c->path_addr = a[0];
		c->buf = a[1];
		c->bufsiz = a[2];
		break;
	case SYSCALLS_READLINKAT:
		c->kind = ACT_READLINK;
		c->dirfd = (int)a[0];
		c->path_addr = a[1];
		c->buf = a[2];
		c->bufsiz = a[3];
		break;
	case SYSCALLS_GETXATTR:
	case SYSCALLS_LGETXATTR:
		c->kind = ACT_GETXATTR;
		c->path_addr = a[0];
		c->name_addr = a[1];
		c->buf = a[2];
		c->bufsiz = a[3];
		if (c->sysid == SYSCALLS_LGETXATTR)
			c->atflags = AT_SYMLINK_NOFOLLOW;
		break;
	case SYSCALLS_LISTXATTR:
	case SYSCALLS_LLISTXATTR:
		c->kind = ACT_LISTXATTR;
		c->path_addr = a[0];
		c->buf = a[1];
		c->bufsiz = a[2];
		if (c->sysid == SYSCALLS_LLISTXATTR)
			c->atflags = AT_SYMLINK_NOFOLLOW;
		break;
	default:
		return -ENOSYS;
	}
	return 0;
}

/* Does the call write, for `access = write` rules? */
static int
dispatch_writes(const struct call *c)
{
	switch (c->kind) {
	case ACT_OPEN:
		return (c->flags & O_ACCMODE) != O_RDONLY ||
		    (c->flags & (O_CREAT | O_TRUNC | O_APPEND |
		    __O_TMPFILE)) != 0;
	case ACT_ACCESS:
		/* The kernel itself answers EROFS to W_OK. */
		return (c->mode & W_OK) != 0;
	default:
		return 0;
	}
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
	dispatch_install(n, req, c, r, dst, act_open(t, c, dst));
}

/* A redirected open handed to a worker thread, with copies of its state. */
struct dispatch_job {
	struct notify		*notify;
	struct rule		 rule;		/* name only, for the log */
	char			 name[256];
	struct seccomp_notif	 req;
	struct call		 call;
	char			 dst[PATH_MAX];
};

static void
dispatch_job_cb(void *arg)
{
	struct dispatch_job *job = arg;
	struct target t;

	target_init(&t, job->req.pid);
	job->rule.name = job->name;
	dispatch_open(job->notify, &job->req, &t, &job->call, &job->rule,
	    job->dst);
	target_fini(&t);
	notify_unref(job->notify);
	free(job);
}

static void
dispatch_open_maybe_async(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const struct rule *r,
    const char *dst)
{
	struct dispatch_job *job;
	int fd;

	/* With other threads receiving, even an open that blocks (a FIFO, a
	 * hung NFS server) delays only this target: skip the check. */
	if (notify_block_begin(n) == 0) {
		fd = act_open(t, c, dst);
		notify_block_end(n);
		dispatch_install(n, req, c, r, dst, fd);
		return;
	}
	if (!act_open_may_block(t, c, dst)) {
		dispatch_open(n, req, t, c, r, dst);
		return;
	}
	/* The rule set may be gone (reloaded, or freed at exit) before a
	 * blocked open returns: keep what the log needs. */
	job = xcalloc(1, sizeof(*job));
	job->notify = notify_ref(n);
	snprintf(job->name, sizeof(job->name), "%s", r->name);
	job->req = *req;
	job->call = *c;
	snprintf(job->dst, sizeof(job->dst), "%s", dst);
	if (worker_run(dispatch_job_cb, job) < 0) {
		notify_unref(job->notify);
		free(job);
		dispatch_open(n, req, t, c, r, dst);
	}
}

static void
dispatch_emulate(struct notify *n, const struct seccomp_notif *req,
    struct target *t, struct call *c, const struct rule *r, const char *dst)
{
	char small[ACT_OUT_MAX], *out = small;
	size_t outlen = 0;
	ssize_t len;
	long ret;
	int w;

	if (c->kind == ACT_GETXATTR || c->kind == ACT_LISTXATTR)
		out = xmalloc(ACT_XATTR_SIZE_MAX);
	ret = 0;
	if (c->kind == ACT_GETXATTR) {
		/* The name as the kernel takes it: too long or empty is
		 * ERANGE. */
		len = memory_read_string(req->pid, c->name_addr, c->xname,
		    sizeof(c->xname));
		if (len == 0 || len == -ENAMETOOLONG)
			ret = -ERANGE;
		else if (len < 0)
			ret = len;
	}
	if (ret == 0)
		ret = act_emulate(t, c, dst, out, &outlen);
	if (ret >= 0 && outlen > 0) {
		/* Write only into the very call that asked. */
		if (notify_id_valid(n, req->id) < 0)
			goto done;
		if ((w = memory_write(req->pid, c->buf, out, outlen)) < 0)
			ret = w == -ESRCH ? -ESRCH : -EFAULT;
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

static void
dispatch_redirect(struct notify *n, const struct seccomp_notif *req,
    struct target *t, struct call *c, const struct rule *r)
{
	char dst[PATH_MAX];
	int err;

	if ((err = rules_target(r, c->abs, dst, sizeof(dst))) < 0) {
		dispatch_log(req, c, r, "redirect: errno %s",
		    dispatch_errname(-err));
		notify_error(n, req->id, -err);
	} else if (c->kind == ACT_OPEN)
		dispatch_open_maybe_async(n, req, t, c, r, dst);
	else
		dispatch_emulate(n, req, t, c, r, dst);
}

/* Read and resolve the path; 0, or -errno to answer as the kernel would. */
static int
dispatch_path(const struct seccomp_notif *req, struct target *t,
    struct call *c)
{
	ssize_t len;
	int r;

	if ((r = dispatch_decode(req, c)) < 0)
		return r;
	len = memory_read_string(req->pid, c->path_addr, c->path,
	    sizeof(c->path));
	if (len < 0)
		return (int)len;
	if (len == 0 && (c->atflags & AT_EMPTY_PATH))
		return 1;	/* fstat(2) of dirfd: nothing to match */
	if ((r = path_resolve(req->pid, c->dirfd, c->path, c->abs,
	    sizeof(c->abs))) < 0)
		return 1;	/* a bad dirfd or an empty path: the kernel says */
	/* /proc shows the cwd and dirfds in our view, rules are in its. */
	if (c->path[0] != '/' && target_strip_root(t, c->abs) < 0)
		return 1;
	return 0;
}

void
dispatch_notification(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req)
{
	static __u32 warned;
	const struct rule *r;
	struct target t;
	struct call c;
	int err;

	/* Not the buffers at its end: 8 KiB to clear on every call. */
	memset(&c, 0, offsetof(struct call, path));
	c.path[0] = c.abs[0] = '\0';
	c.sysid = syscalls_lookup(req->data.arch, req->data.nr, &c.layout);
	if (c.sysid < 0) {
		/* Only the syscalls we asked for are notified; be safe. */
		notify_continue(n, req->id);
		return;
	}
	if (c.sysid >= SYSCALLS_COUNT) {
		/* Credential, umask and root changes: note them, let them
		 * run. */
		if (c.sysid == SYSCALLS_CREDS)
			target_changed_creds();
		else if (c.sysid == SYSCALLS_UMASK)
			target_changed_umask();
		else
			target_changed_root();
		notify_continue(n, req->id);
		return;
	}
	target_init(&t, req->pid);
	err = dispatch_path(req, &t, &c);
	if (err == -ESRCH)
		goto out;
	if (err == -EPERM &&
	    __atomic_exchange_n(&warned, req->pid, __ATOMIC_RELAXED) !=
	    req->pid)
		log_warn("tid=%u: cannot read its memory (not dumpable, or "
		    "another user's): answering EPERM", req->pid);
	/* What we read belongs to this very call, not to a recycled tid. */
	if (notify_id_valid(n, req->id) < 0)
		goto out;
	if (err < 0) {
		/* EFAULT, ENAMETOOLONG, EINVAL, E2BIG as the kernel would;
		 * EPERM fails closed. */
		dispatch_log(req, &c, NULL, "errno %s", dispatch_errname(-err));
		notify_error(n, req->id, -err);
		goto out;
	}
	r = err > 0 ? NULL : rules_match(rules, c.abs, c.sysid,
	    dispatch_writes(&c));
	stats_rule(r);
	if (r == NULL || r->action == RULE_CONTINUE) {
		dispatch_log(req, &c, r, "continue");
		notify_continue(n, req->id);
	} else if (r->action == RULE_ERRNO) {
		dispatch_log(req, &c, r, "errno %s", dispatch_errname(r->err));
		notify_error(n, req->id, r->err);
	} else
		dispatch_redirect(n, req, &t, &c, r);
out:
	target_fini(&t);
}
