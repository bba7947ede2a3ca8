/* SPDX-License-Identifier: MIT */
/* Calls only the target itself can make, redirected by rewriting the path
 * they pass and letting them continue. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "memory.h"
#include "path.h"
#include "rewrite.h"

/* Open dst for the target as flags say; an O_CLOEXEC fd or -errno. */
static int
rewrite_open(struct target *t, const struct call *c, const char *dst,
    int flags)
{
	struct call o = *c;

	o.sysid = SYSCALLS_OPENAT;
	o.flags = flags;
	o.mode = 0;
	return act_open(t, &o, dst, 0);
}

/* 1 if dst starts with "#!": exec runs its interpreter, which opens it by
 * the name exec passes. */
static int
rewrite_is_script(struct target *t, const struct call *c, const char *dst)
{
	char magic[2];
	int fd, n;

	if ((fd = rewrite_open(t, c, dst, O_RDONLY | O_NONBLOCK)) < 0)
		return 0;
	n = pread(fd, magic, sizeof(magic), 0);
	close(fd);
	return n == 2 && magic[0] == '#' && magic[1] == '!';
}

/*
 * Write s over path 0's string when it fits there, then continue the call:
 * t is pinned (its memory descriptor opened before the ID check), so the
 * write lands in the very task that asked.
 */
static int
rewrite_poke(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const char *s)
{
	size_t len = strlen(s);
	int r;

	if (len > strlen(c->p[0].given))
		return -ENAMETOOLONG;
	if ((r = target_write(t, c->p[0].addr, s, len + 1)) == 0)
		r = notify_continue(n, req->id);
	/* Gone meanwhile: nobody to answer. */
	return r == -ENOENT ? 0 : r;
}

/* dst relative to the directory the call resolves against (its dirfd, or
 * the cwd) when beneath it: shorter to write. */
static const char *
rewrite_relative(struct target *t, const struct call *c, const char *dst)
{
	char dir[PATH_MAX];
	size_t len;

	if (path_dir(t->tid, c->p[0].dirfd, dir, sizeof(dir)) < 0 ||
	    target_strip_root(t, dir) < 0)
		return NULL;
	len = strlen(dir);
	if (len == 1 || strncmp(dst, dir, len) != 0 || dst[len] != '/' ||
	    dst[len + 1] == '\0')
		return NULL;
	return dst + len + 1;
}

/* Install a descriptor of dst and name it by /proc/self/fd/N in place. */
static int
rewrite_by_fd(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const char *dst)
{
	char name[32];
	unsigned int newflags = O_CLOEXEC;
	int fd, tfd, flags = O_RDONLY | O_NONBLOCK;

	if (strlen(c->p[0].given) < sizeof("/proc/self/fd/N") - 1)
		return -ENAMETOOLONG;
	if (c->sysid == SYSCALLS_CHDIR)
		flags |= O_DIRECTORY;
	if ((c->sysid == SYSCALLS_EXECVE || c->sysid == SYSCALLS_EXECVEAT) &&
	    rewrite_is_script(t, c, dst))
		newflags = 0;
	if ((fd = rewrite_open(t, c, dst, flags)) < 0)
		return fd;
	tfd = notify_inject(n, req->id, fd, newflags, 0);
	close(fd);
	if (tfd < 0)
		return tfd == -ENOENT ? 0 : tfd;
	snprintf(name, sizeof(name), "/proc/self/fd/%d", tfd);
	return rewrite_poke(n, req, t, c, name);
}

static int	rewrite_path(struct notify *, const struct seccomp_notif *,
		    struct target *, const struct call *, const char *, int);

/*
 * O_PATH: a directory or a regular file is opened for reading and the
 * descriptor installed; anything else (a device, a FIFO, a symlink itself)
 * would have effects or cannot be, so its path is rewritten.
 */
static int
rewrite_open_path(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const char *dst)
{
	struct creds_saved saved;
	struct stat st;
	const char *rel;
	int dirfd, fd = -1, lfd, r, nofollow = (c->flags & O_NOFOLLOW) != 0;

	if ((r = creds_enter(t, 0, &saved)) < 0)
		return r;
	if ((r = act_at(t, dst, nofollow, &dirfd, &rel, &lfd)) == 0) {
		r = fstatat(dirfd, rel, &st, (lfd >= 0 ? AT_EMPTY_PATH : 0) |
		    (nofollow ? AT_SYMLINK_NOFOLLOW : 0)) < 0 ? -errno : 0;
		if (lfd >= 0)
			close(lfd);
	}
	creds_leave(&saved);
	if (r < 0)
		return r;
	if ((c->flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (S_ISDIR(st.st_mode))
		fd = rewrite_open(t, c, dst, O_RDONLY | O_DIRECTORY |
		    (c->flags & O_NOFOLLOW));
	else if (S_ISREG(st.st_mode))
		fd = rewrite_open(t, c, dst, O_RDONLY | O_NONBLOCK |
		    (c->flags & O_NOFOLLOW));
	if (fd >= 0) {
		/* The descriptor shares its status flags: as O_PATH's. */
		fcntl(fd, F_SETFL, 0);
		r = notify_addfd(n, req->id, fd, (c->flags & O_CLOEXEC) ?
		    O_CLOEXEC : 0);
		close(fd);
		return r == -ENOENT || r >= 0 ? 0 : r;
	}
	return rewrite_path(n, req, t, c, dst, 0);
}

/* The shortest name of dst that fits: itself, relative, or (by_fd) a
 * descriptor's. */
static int
rewrite_path(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const char *dst, int by_fd)
{
	const char *rel;
	int r;

	if ((r = rewrite_poke(n, req, t, c, dst)) != -ENAMETOOLONG)
		return r;
	if ((rel = rewrite_relative(t, c, dst)) != NULL &&
	    (r = rewrite_poke(n, req, t, c, rel)) != -ENAMETOOLONG)
		return r;
	return by_fd ? rewrite_by_fd(n, req, t, c, dst) : r;
}

int
rewrite_call(struct notify *n, const struct seccomp_notif *req,
    struct target *t, const struct call *c, const char *dst)
{
	if (c->kind == ACT_OPEN)
		return rewrite_open_path(n, req, t, c, dst);
	return rewrite_path(n, req, t, c, dst, 1);
}
