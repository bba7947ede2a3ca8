/* SPDX-License-Identifier: MIT */
/* Performing a call that changes the file system (unlink, rename, mkdir,
 * chmod, utimensat, setxattr, ...) for the target, with its paths moved. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "creds.h"
#include "memory.h"
#include "perform.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2	452
#endif

/*
 * Where a path is reached. In our own root: AT_FDCWD and the path itself.
 * In another root, resolved beneath it: for a directory entry (unlink,
 * rename, mkdir) its parent's fd and the last name; for an object (chmod,
 * truncate) an O_PATH fd of it, reached as /proc/self/fd/N or with
 * AT_EMPTY_PATH.
 */
struct perform_at {
	int		 dirfd;
	const char	*rel;
	const char	*path;		/* for calls that take no dirfd */
	int		 fd;		/* ours, to close */
	int		 empty;		/* rel is "": AT_EMPTY_PATH */
	char		 proc[32];
};

static void
perform_at_fini(struct perform_at *at)
{
	if (at->fd >= 0)
		close(at->fd);
	at->fd = -1;
}

/* A directory entry: its parent and last name. */
static int
perform_entry(struct target *t, const char *path, struct perform_at *at)
{
	struct open_how how = { 0 };
	char parent[PATH_MAX];
	const char *end, *slash;
	int rootfd, r;
	long fd;

	memset(at, 0, sizeof(*at));
	at->fd = -1;
	if ((r = target_root(t, &rootfd)) < 0)
		return r;
	if (rootfd < 0) {
		at->dirfd = AT_FDCWD;
		at->rel = at->path = path;
		return 0;
	}
	/* The last name keeps its trailing '/', as the kernel sees it. */
	for (end = path + strlen(path); end > path + 1 && end[-1] == '/'; end--)
		;
	for (slash = end; slash > path && slash[-1] != '/'; slash--)
		;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	if (parent[0] == '\0')
		snprintf(parent, sizeof(parent), "/");
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT;
	if ((fd = syscall(SYS_openat2, rootfd, parent, &how, sizeof(how))) < 0)
		return -errno;
	at->fd = at->dirfd = (int)fd;
	at->rel = *slash != '\0' ? slash : ".";
	snprintf(at->proc, sizeof(at->proc), "/proc/self/fd/%d", at->fd);
	at->path = NULL;
	return 0;
}

/* An object, following a final symlink unless nofollow. */
static int
perform_object(struct target *t, const char *path, int nofollow,
    struct perform_at *at)
{
	int r;

	memset(at, 0, sizeof(*at));
	at->fd = -1;
	if ((r = act_at(t, path, nofollow, &at->dirfd, &at->rel, &at->fd)) < 0)
		return r;
	if (at->fd < 0) {
		at->path = path;
		return 0;
	}
	at->empty = 1;
	snprintf(at->proc, sizeof(at->proc), "/proc/self/fd/%d", at->fd);
	at->path = at->proc;
	return 0;
}

/*
 * Two times as utimensat(2) takes them, read from utime's struct utimbuf,
 * utimes' struct timeval[2] or utimensat's struct timespec[2], in the
 * arch's layout; *now when the program passed NULL.
 */
static int
perform_times(struct target *t, const struct call *c, uint64_t addr,
    struct timespec ts[2], int *now)
{
	int64_t v[4] = { 0 };
	int32_t v32[4];
	size_t i, n = c->sysid == SYSCALLS_UTIME ? 2 : 4;
	int r;

	*now = addr == 0;
	if (*now)
		return 0;
	if (c->layout == SYSCALLS_LAYOUT_TIME32) {
		if ((r = target_read(t, addr, v32, n * 4)) < 0)
			return r;
		for (i = 0; i < n; i++)
			v[i] = v32[i];
	} else if ((r = target_read(t, addr, v, n * 8)) < 0)
		return r;
	if (n == 2) {
		ts[0].tv_sec = v[0];
		ts[1].tv_sec = v[1];
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		return 0;
	}
	ts[0].tv_sec = v[0];
	ts[1].tv_sec = v[2];
	if (c->sysid == SYSCALLS_UTIMENSAT) {
		ts[0].tv_nsec = v[1];
		ts[1].tv_nsec = v[3];
		return 0;
	}
	/* struct timeval: microseconds, which utimes(2) checks. */
	if (v[1] < 0 || v[1] >= 1000000 || v[3] < 0 || v[3] >= 1000000)
		return -EINVAL;
	ts[0].tv_nsec = v[1] * 1000;
	ts[1].tv_nsec = v[3] * 1000;
	return 0;
}

/*
 * Without CAP_SYS_ADMIN (trusted.*) or CAP_SETFCAP and friends (security.*)
 * a task cannot write these; a privileged supervisor acting for another
 * user must not either.
 */
static int
perform_xattr_allowed(const char *name, int switched)
{
	if (!switched)
		return 1;
	return strncmp(name, "trusted.", 8) != 0 &&
	    strncmp(name, "security.", 9) != 0;
}

static long
perform_setxattr(struct target *t, const struct call *c, const char *dst,
    int switched)
{
	char name[ACT_XATTR_NAME_MAX + 1];
	struct { uint64_t value; uint32_t size, flags; } xa;
	struct perform_at at;
	uint64_t nameaddr, value, size;
	int flags, r, nofollow = (c->atflags & AT_SYMLINK_NOFOLLOW) != 0;
	void *buf = NULL;
	long ret;

	if (c->sysid == SYSCALLS_SETXATTRAT) {
		if (c->a[5] < sizeof(xa))
			return -EINVAL;
		if ((r = target_read(t, c->a[4], &xa, sizeof(xa))) < 0)
			return r;
		nameaddr = c->a[3];
		value = xa.value;
		size = xa.size;
		flags = (int)xa.flags;
	} else {
		nameaddr = c->a[1];
		value = c->a[2];
		size = c->a[3];
		flags = (int)c->a[4];
	}
	if ((r = act_xattr_name(t, nameaddr, name, sizeof(name))) < 0)
		return r;
	if (size > ACT_XATTR_SIZE_MAX)
		return -E2BIG;
	if (!perform_xattr_allowed(name, switched))
		return -EPERM;
	if (size > 0) {
		buf = malloc(size);
		if (buf == NULL)
			return -ENOMEM;
		if ((r = target_read(t, value, buf, size)) < 0) {
			free(buf);
			return r;
		}
	}
	if ((r = perform_object(t, dst, nofollow, &at)) < 0) {
		free(buf);
		return r;
	}
	if (at.fd >= 0)
		nofollow = 0;	/* /proc/self/fd/N is the object itself */
	ret = (nofollow ? lsetxattr : setxattr)(at.path, name, buf, size,
	    flags);
	ret = ret < 0 ? -errno : 0;
	perform_at_fini(&at);
	free(buf);
	return ret;
}

static long
perform_removexattr(struct target *t, const struct call *c, const char *dst,
    int switched)
{
	char name[ACT_XATTR_NAME_MAX + 1];
	struct perform_at at;
	int r, nofollow = (c->atflags & AT_SYMLINK_NOFOLLOW) != 0;
	long ret;

	if ((r = act_xattr_name(t, c->sysid == SYSCALLS_REMOVEXATTRAT ?
	    c->a[3] : c->a[1], name, sizeof(name))) < 0)
		return r;
	if (!perform_xattr_allowed(name, switched))
		return -EPERM;
	if ((r = perform_object(t, dst, nofollow, &at)) < 0)
		return r;
	if (at.fd >= 0)
		nofollow = 0;
	ret = (nofollow ? lremovexattr : removexattr)(at.path, name);
	ret = ret < 0 ? -errno : 0;
	perform_at_fini(&at);
	return ret;
}

/* chown's ids: -1 keeps one; i386's 16-bit calls say so with 0xffff. */
static uid_t
perform_id(const struct call *c, uint64_t v)
{
	if (c->layout == SYSCALLS_LAYOUT_UID16)
		return (uint16_t)v == 0xffff ? (uid_t)-1 : (uint16_t)v;
	return (uid_t)v;
}

static long
perform_chown(struct target *t, const struct call *c, const char *dst)
{
	struct perform_at at;
	int at_uid = c->sysid == SYSCALLS_FCHOWNAT ? 2 : 1, r;
	int nofollow = (c->atflags & AT_SYMLINK_NOFOLLOW) != 0;
	long ret;

	if ((r = perform_object(t, dst, nofollow, &at)) < 0)
		return r;
	ret = fchownat(at.dirfd, at.rel, perform_id(c, c->a[at_uid]),
	    perform_id(c, c->a[at_uid + 1]), at.empty ? AT_EMPTY_PATH :
	    c->atflags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
	ret = ret < 0 ? -errno : 0;
	perform_at_fini(&at);
	return ret;
}

static long
perform_chmod(struct target *t, const struct call *c, const char *dst)
{
	struct perform_at at;
	mode_t mode = (mode_t)c->a[c->sysid == SYSCALLS_CHMOD ? 1 : 2];
	int nofollow = (c->atflags & AT_SYMLINK_NOFOLLOW) != 0, r, flags;
	long ret;

	if ((r = perform_object(t, dst, nofollow, &at)) < 0)
		return r;
	flags = at.empty ? AT_EMPTY_PATH : c->atflags;
	ret = syscall(SYS_fchmodat2, at.dirfd, at.rel, mode, flags);
	/* Before Linux 6.6: fchmodat(2), which has no flags. */
	if (ret < 0 && errno == ENOSYS && flags == 0)
		ret = fchmodat(at.dirfd, at.rel, mode, 0);
	else if (ret < 0 && errno == ENOSYS && at.empty)
		ret = chmod(at.proc, mode);
	ret = ret < 0 ? -errno : 0;
	perform_at_fini(&at);
	return ret;
}

static long
perform_utimes(struct target *t, const struct call *c, const char *dst)
{
	struct timespec ts[2];
	struct perform_at at;
	uint64_t addr;
	int now, r, nofollow = (c->atflags & AT_SYMLINK_NOFOLLOW) != 0;
	long ret;

	switch (c->sysid) {
	case SYSCALLS_UTIME:
	case SYSCALLS_UTIMES:
		addr = c->a[1];
		break;
	default:
		addr = c->a[2];
	}
	if ((r = perform_times(t, c, addr, ts, &now)) < 0)
		return r;
	if ((r = perform_object(t, dst, nofollow, &at)) < 0)
		return r;
	ret = utimensat(AT_FDCWD, at.path, now ? NULL : ts, at.empty ? 0 :
	    c->atflags & AT_SYMLINK_NOFOLLOW);
	ret = ret < 0 ? -errno : 0;
	perform_at_fini(&at);
	return ret;
}

static long
perform_truncate(struct target *t, const struct call *c, const char *dst)
{
	struct perform_at at;
	int64_t len = (int64_t)c->a[1];
	long ret;
	int r;

	if (c->layout == SYSCALLS_LAYOUT_SPLIT64)
		len = (int64_t)(c->a[1] | c->a[2] << 32);
	else if (c->layout == SYSCALLS_LAYOUT_SPLIT64_EABI)
		len = (int64_t)(c->a[2] | c->a[3] << 32);
	else if (c->is32)
		len = (int32_t)c->a[1];
	if ((r = perform_object(t, dst, 0, &at)) < 0)
		return r;
	ret = truncate(at.path, len) < 0 ? -errno : 0;
	perform_at_fini(&at);
	return ret;
}

/* mkdir's and mknod's permission bits get the target's umask. */
static int
perform_mode(struct target *t, uint64_t mode, mode_t keep, mode_t *out)
{
	mode_t mask;
	int r;

	if ((r = target_umask(t, &mask)) < 0)
		return r;
	*out = (mode & S_IFMT) | (mode & keep & ~mask);
	return 0;
}

/* Calls on directory entries: create, remove, rename, link. */
static long
perform_entries(struct target *t, const struct call *c,
    const char *const dst[CALL_PATHS])
{
	char text[PATH_MAX], old[64];
	struct perform_at e, o;
	const char *oldpath;
	mode_t mode;
	ssize_t n;
	long ret;
	int r, flags;

	memset(&o, 0, sizeof(o));
	o.fd = -1;
	if ((r = perform_entry(t, dst[c->npaths - 1], &e)) < 0)
		return r;
	switch (c->sysid) {
	case SYSCALLS_UNLINK:
		ret = unlinkat(e.dirfd, e.rel, 0);
		break;
	case SYSCALLS_RMDIR:
		ret = unlinkat(e.dirfd, e.rel, AT_REMOVEDIR);
		break;
	case SYSCALLS_UNLINKAT:
		ret = unlinkat(e.dirfd, e.rel, (int)c->a[2]);
		break;
	case SYSCALLS_MKDIR:
	case SYSCALLS_MKDIRAT:
		if ((ret = perform_mode(t, c->a[c->sysid == SYSCALLS_MKDIR ?
		    1 : 2] & ~(uint64_t)S_IFMT, 01777, &mode)) < 0)
			goto out;
		ret = mkdirat(e.dirfd, e.rel, mode);
		break;
	case SYSCALLS_MKNOD:
	case SYSCALLS_MKNODAT:
		r = c->sysid == SYSCALLS_MKNOD ? 1 : 2;
		if ((ret = perform_mode(t, c->a[r], 07777, &mode)) < 0)
			goto out;
		ret = mknodat(e.dirfd, e.rel, mode, (dev_t)(uint32_t)c->a[r + 1]);
		break;
	case SYSCALLS_SYMLINK:
	case SYSCALLS_SYMLINKAT:
		n = target_read_string(t, c->a[0], text, sizeof(text));
		if (n < 0) {
			ret = n;
			goto out;
		}
		ret = symlinkat(text, e.dirfd, e.rel);
		break;
	case SYSCALLS_RENAME:
	case SYSCALLS_RENAMEAT:
	case SYSCALLS_RENAMEAT2:
		if ((ret = perform_entry(t, dst[0], &o)) < 0)
			goto out;
		ret = syscall(SYS_renameat2, o.dirfd, o.rel, e.dirfd, e.rel,
		    c->sysid == SYSCALLS_RENAMEAT2 ? (unsigned)c->a[4] : 0);
		break;
	case SYSCALLS_LINK:
	case SYSCALLS_LINKAT:
		flags = c->sysid == SYSCALLS_LINKAT ? (int)c->a[4] : 0;
		if (c->p[0].skip) {
			/* linkat(fd, "", ..., AT_EMPTY_PATH): the target's fd. */
			snprintf(old, sizeof(old), "/proc/self/fd/%d/fd/%d",
			    t->procfd, c->p[0].dirfd);
			oldpath = old;
			flags = AT_SYMLINK_FOLLOW;
		} else if ((ret = perform_object(t, dst[0],
		    !(flags & AT_SYMLINK_FOLLOW), &o)) < 0)
			goto out;
		else if (o.fd >= 0) {
			oldpath = o.proc;
			flags = AT_SYMLINK_FOLLOW;
		} else
			oldpath = dst[0];
		ret = linkat(AT_FDCWD, oldpath, e.dirfd, e.rel, flags);
		break;
	default:
		ret = -ENOSYS;
		errno = ENOSYS;
	}
	if (ret < 0)
		ret = -errno;
out:
	perform_at_fini(&o);
	perform_at_fini(&e);
	return ret;
}

long
perform_call(struct target *t, const struct call *c,
    const char *const dst[CALL_PATHS])
{
	struct creds_saved saved;
	long ret;
	int r;

	if ((r = creds_enter(t, 0, &saved)) < 0)
		return r;
	switch (c->sysid) {
	case SYSCALLS_CHMOD:
	case SYSCALLS_FCHMODAT:
	case SYSCALLS_FCHMODAT2:
		ret = perform_chmod(t, c, dst[0]);
		break;
	case SYSCALLS_CHOWN:
	case SYSCALLS_LCHOWN:
	case SYSCALLS_FCHOWNAT:
		ret = perform_chown(t, c, dst[0]);
		break;
	case SYSCALLS_TRUNCATE:
		ret = perform_truncate(t, c, dst[0]);
		break;
	case SYSCALLS_UTIME:
	case SYSCALLS_UTIMES:
	case SYSCALLS_FUTIMESAT:
	case SYSCALLS_UTIMENSAT:
		ret = perform_utimes(t, c, dst[0]);
		break;
	case SYSCALLS_SETXATTR:
	case SYSCALLS_LSETXATTR:
	case SYSCALLS_SETXATTRAT:
		ret = perform_setxattr(t, c, dst[0], saved.switched);
		break;
	case SYSCALLS_REMOVEXATTR:
	case SYSCALLS_LREMOVEXATTR:
	case SYSCALLS_REMOVEXATTRAT:
		ret = perform_removexattr(t, c, dst[0], saved.switched);
		break;
	default:
		ret = perform_entries(t, c, dst);
	}
	creds_leave(&saved);
	return ret;
}
