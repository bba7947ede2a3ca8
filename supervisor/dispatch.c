/* SPDX-License-Identifier: MIT */
/* Decide and answer one notification: continue, an errno, or a redirect. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dispatch.h"
#include "log.h"
#include "memory.h"
#include "path.h"
#include "syscalls.h"

/* What the handled syscalls have in common, decoded from seccomp_data. */
struct call {
	int		 sysid;
	int		 dirfd;
	uint64_t	 path_addr;
	uint64_t	 flags;
	uint64_t	 mode;
	uint64_t	 resolve;
	char		 path[PATH_MAX];	/* as the target passed it */
	char		 abs[PATH_MAX];		/* absolute, normalised */
};

/* The first published struct open_how: flags, mode, resolve. */
#define DISPATCH_HOW_SIZE_VER0	24

/* RESOLVE_* bits that describe the walk itself, not the dirfd anchor that a
 * redirect replaces; BENEATH and IN_ROOT would refuse the absolute target. */
#define DISPATCH_RESOLVE_KEEP	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | \
				 RESOLVE_NO_SYMLINKS | RESOLVE_CACHED)

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

static void
dispatch_log(const struct seccomp_notif *req, const struct call *c,
    const struct rule *r, const char *fmt, ...) PRINTFLIKE(4, 5);

static void
dispatch_log(const struct seccomp_notif *req, const struct call *c,
    const struct rule *r, const char *fmt, ...)
{
	char quoted[PATH_MAX], answer[PATH_MAX + 64];
	va_list ap;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	va_start(ap, fmt);
	vsnprintf(answer, sizeof(answer), fmt, ap);
	va_end(ap);
	log_debug("tid=%u %s \"%s\" %s%s: %s", req->pid,
	    syscalls_name(c->sysid), dispatch_quote(c->path, quoted,
	    sizeof(quoted)), r != NULL ? "rule=" : "no rule",
	    r != NULL ? r->name : "", answer);
}

/* Decode the arguments; 0, or -errno to answer as the kernel would. */
static int
dispatch_decode(const struct seccomp_notif *req, struct call *c)
{
	const __u64 *a = req->data.args;
	struct open_how how;
	unsigned char extra[256];
	uint64_t size, off;
	size_t i, n;
	int r;

	c->dirfd = AT_FDCWD;
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
		size = a[3];
		/* The kernel's copy_struct_from_user rules. */
		if (size < DISPATCH_HOW_SIZE_VER0)
			return -EINVAL;
		if (size > 4096)
			return -E2BIG;
		memset(&how, 0, sizeof(how));
		n = size < sizeof(how) ? size : sizeof(how);
		if ((r = memory_read(req->pid, a[2], &how, n)) < 0)
			return r;
		for (off = sizeof(how); off < size; off += n) {
			n = size - off < sizeof(extra) ? size - off :
			    sizeof(extra);
			if ((r = memory_read(req->pid, a[2] + off, extra, n)) < 0)
				return r;
			for (i = 0; i < n; i++)
				if (extra[i] != 0)
					return -E2BIG;
		}
		c->flags = how.flags;
		c->mode = how.mode;
		c->resolve = how.resolve;
		break;
	default:
		return -ENOSYS;
	}
	return 0;
}

static int
dispatch_writes(uint64_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY ||
	    (flags & (O_CREAT | O_TRUNC | O_APPEND | __O_TMPFILE)) != 0;
}

/* The target's umask from /proc/TID/status (Linux 4.7+), or 022. */
static mode_t
dispatch_umask(pid_t tid)
{
	char file[64], line[128];
	unsigned int mask = 022;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/status", (int)tid);
	if ((f = fopen(file, "re")) == NULL)
		return mask;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Umask: %o", &mask) == 1)
			break;
	fclose(f);
	return mask & 0777;
}

/* Open the redirect target with the call's flags; fd or -errno. */
static int
dispatch_open(const struct seccomp_notif *req, const struct call *c,
    const char *target)
{
	struct open_how how = { 0 };
	long fd;

	how.flags = c->flags | O_CLOEXEC;
	if (c->flags & (O_CREAT | __O_TMPFILE))
		how.mode = c->mode & 07777 & ~dispatch_umask(req->pid);
	if (c->sysid == SYSCALLS_OPENAT2) {
		how.resolve = c->resolve & DISPATCH_RESOLVE_KEEP;
		/* openat2 rejects unknown flags and stray modes itself. */
		if (!(c->flags & (O_CREAT | __O_TMPFILE)))
			how.mode = c->mode;
		fd = syscall(SYS_openat2, AT_FDCWD, target, &how, sizeof(how));
	} else
		fd = openat(AT_FDCWD, target, (int)how.flags, (mode_t)how.mode);
	return fd < 0 ? -errno : (int)fd;
}

static void
dispatch_redirect(struct notify *n, const struct seccomp_notif *req,
    const struct call *c, const struct rule *r)
{
	char target[PATH_MAX];
	int fd, newfd, err;

	if ((err = rules_target(r, c->abs, target, sizeof(target))) < 0) {
		dispatch_log(req, c, r, "redirect: %s", strerror(-err));
		notify_error(n, req->id, -err);
		return;
	}
	if ((fd = dispatch_open(req, c, target)) < 0) {
		dispatch_log(req, c, r, "redirect %s errno %s", target,
		    strerrorname_np(-fd));
		notify_error(n, req->id, -fd);
		return;
	}
	newfd = notify_addfd(n, req->id, fd,
	    (c->flags & O_CLOEXEC) ? O_CLOEXEC : 0);
	close(fd);
	if (newfd >= 0) {
		dispatch_log(req, c, r, "redirect %s fd %d", target, newfd);
		return;
	}
	if (newfd == -ENOENT) {
		dispatch_log(req, c, r, "redirect %s: target gone", target);
		return;
	}
	/* The target is still blocked: a failed ADDFD must be answered. */
	dispatch_log(req, c, r, "redirect %s: cannot install fd: errno %s",
	    target, strerrorname_np(-newfd));
	notify_error(n, req->id, -newfd);
}

void
dispatch_notification(struct notify *n, const struct rule_set *rules,
    const struct seccomp_notif *req)
{
	static __u32 warned;
	const struct rule *r;
	struct call c;
	ssize_t len;
	int err;

	memset(&c, 0, sizeof(c));
	c.sysid = syscalls_lookup(req->data.arch, req->data.nr);
	if (c.sysid < 0) {
		/* Only the syscalls we asked for are notified; be safe. */
		notify_continue(n, req->id);
		return;
	}
	if ((err = dispatch_decode(req, &c)) == 0) {
		len = memory_read_string(req->pid, c.path_addr, c.path,
		    sizeof(c.path));
		err = len < 0 ? (int)len : 0;
	}
	if (err == -ESRCH)
		return;
	if (err == -EPERM && warned != req->pid) {
		warned = req->pid;
		log_warn("tid=%u: cannot read its memory (not dumpable, or "
		    "another user's): answering EPERM", req->pid);
	}
	if (err < 0) {
		/* The kernel would fail the same way (EFAULT, ENAMETOOLONG,
		 * EINVAL or E2BIG for open_how); EPERM fails closed. */
		if (notify_id_valid(n, req->id) == 0)
			notify_error(n, req->id, -err);
		return;
	}
	if (path_resolve(req->pid, c.dirfd, c.path, c.abs, sizeof(c.abs)) < 0) {
		/* A bad dirfd or an empty path: the kernel says why. */
		if (notify_id_valid(n, req->id) == 0) {
			dispatch_log(req, &c, NULL, "continue (unresolved)");
			notify_continue(n, req->id);
		}
		return;
	}
	/* What we read belongs to this very call, not to a recycled tid. */
	if (notify_id_valid(n, req->id) < 0)
		return;
	r = rules_match(rules, c.abs, c.sysid, dispatch_writes(c.flags));
	if (r == NULL || r->action == RULE_CONTINUE) {
		dispatch_log(req, &c, r, "continue");
		notify_continue(n, req->id);
	} else if (r->action == RULE_ERRNO) {
		dispatch_log(req, &c, r, "errno %s", strerrorname_np(r->err) ?
		    strerrorname_np(r->err) : "?");
		notify_error(n, req->id, r->err);
	} else
		dispatch_redirect(n, req, &c, r);
}
