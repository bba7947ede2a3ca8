/* SPDX-License-Identifier: MIT */
/* Performing a redirected call for the target, in its context: its root,
 * its credentials, its umask. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "act.h"
#include "creds.h"
#include "statconv.h"

/* RESOLVE_* bits that describe the walk itself, not the dirfd anchor that a
 * redirect replaces; BENEATH and IN_ROOT would refuse the absolute target. */
#define ACT_RESOLVE_KEEP	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | \
				 RESOLVE_NO_SYMLINKS | RESOLVE_CACHED)

int
act_at(struct target *t, const char *target, int nofollow, int *dirfd,
    const char **rel, int *fd)
{
	struct open_how how = { 0 };
	int rootfd, r;
	long nfd;

	*fd = -1;
	if ((r = target_root(t, &rootfd)) < 0)
		return r;
	if (rootfd < 0) {
		*dirfd = AT_FDCWD;
		*rel = target;
		return 0;
	}
	how.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
	how.resolve = RESOLVE_IN_ROOT;
	if ((nfd = syscall(SYS_openat2, rootfd, target, &how, sizeof(how))) < 0)
		return -errno;
	*fd = *dirfd = (int)nfd;
	*rel = "";
	return 0;
}

int
act_open(struct target *t, const struct call *c, const char *target,
    uint64_t resolve)
{
	struct open_how how = { 0 };
	struct creds_saved saved;
	int rootfd, r, err;
	mode_t mask;
	long fd;

	how.flags = c->flags | O_CLOEXEC;
	how.mode = c->mode;
	if (c->flags & (O_CREAT | __O_TMPFILE)) {
		/* Our umask is 0: apply the target's, as its kernel would. */
		if ((r = target_umask(t, &mask)) < 0)
			return r;
		how.mode = c->mode & 07777 & ~mask;
	} else if (c->sysid != SYSCALLS_OPENAT2)
		how.mode = 0;	/* open(2) ignores it; openat2 checks it */
	if (c->sysid == SYSCALLS_OPENAT2)
		how.resolve = c->resolve & ACT_RESOLVE_KEEP;
	how.resolve |= resolve;
	if ((r = target_root(t, &rootfd)) < 0)
		return r;
	if (rootfd >= 0)
		how.resolve |= RESOLVE_IN_ROOT;
	if ((r = creds_enter(t, 0, &saved)) < 0)
		return r;
	/* openat2 keeps every flag bit, and refuses what open(2) would
	 * silently ignore only for openat2 callers. */
	if (c->sysid == SYSCALLS_OPENAT2 || rootfd >= 0 || resolve != 0)
		fd = syscall(SYS_openat2, rootfd >= 0 ? rootfd : AT_FDCWD,
		    target, &how, sizeof(how));
	else
		fd = openat(AT_FDCWD, target, (int)how.flags, (mode_t)how.mode);
	err = errno;
	creds_leave(&saved);
	return fd < 0 ? -err : (int)fd;
}

int
act_open_may_block(struct target *t, const struct call *c, const char *target)
{
	struct stat st;
	const char *rel;
	int rootfd, dirfd, fd, nofollow = (c->flags & O_NOFOLLOW) != 0, r;

	if (c->flags & (O_NONBLOCK | O_PATH))
		return 0;
	/* Without the target's root, let a worker find out. */
	if (target_root(t, &rootfd) < 0)
		return 1;
	if (act_at(t, target, nofollow, &dirfd, &rel, &fd) < 0)
		return 0;
	r = fstatat(dirfd, rel, &st, (fd >= 0 ? AT_EMPTY_PATH : 0) |
	    (nofollow ? AT_SYMLINK_NOFOLLOW : 0));
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return 0;
	return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static long
act_stat(struct target *t, const struct call *c, int dirfd, const char *rel,
    int atflags, void *out, size_t *outlen)
{
	struct stat st;
	uint32_t uid, gid;
	int n;

	if (fstatat(dirfd, rel, &st, atflags) < 0)
		return -errno;
	uid = st.st_uid;
	gid = st.st_gid;
	if ((n = target_map_ids(t, &uid, &gid)) < 0)
		return n;
	st.st_uid = uid;
	st.st_gid = gid;
	if ((n = statconv(&st, c->layout, out)) < 0)
		return n;
	*outlen = n;
	return 0;
}

static long
act_statx(struct target *t, const struct call *c, int dirfd, const char *rel,
    int atflags, void *out, size_t *outlen)
{
	struct statx stx;
	int r;

	if (statx(dirfd, rel, atflags, c->mask, &stx) < 0)
		return -errno;
	/* Owners as the target's user namespace shows them. */
	if ((r = target_map_ids(t, &stx.stx_uid, &stx.stx_gid)) < 0)
		return r;
	memcpy(out, &stx, sizeof(stx));
	*outlen = sizeof(stx);
	return 0;
}

static long
act_readlink(const struct call *c, int dirfd, const char *rel, void *out,
    size_t *outlen)
{
	/* The kernel takes bufsiz as an int: 0x100000004 is 4. */
	int bufsiz = (int)c->bufsiz;
	ssize_t n;

	if (bufsiz <= 0)
		return -EINVAL;
	if ((n = readlinkat(dirfd, rel, out, ACT_OUT_MAX)) < 0)
		return -errno;
	if (n > bufsiz)
		n = bufsiz;
	*outlen = n;
	return n;
}

/*
 * getxattr/listxattr on what act_at found: the path in our root, or the fd
 * through /proc/self/fd (the magic link lands on the fd's own file, a
 * symlink itself for the l variants, which act_at opened O_NOFOLLOW).
 * Without CAP_SYS_ADMIN a task sees no trusted.* attributes; a privileged
 * supervisor answering for another user must not show them either.
 */
static long
act_xattr(const struct call *c, int fd, const char *rel, int nofollow,
    int hide_trusted, char *out, size_t *outlen)
{
	char proc[64];
	const char *path = rel;
	char *p, *end, *w;
	ssize_t n;
	size_t len;

	if (fd >= 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		path = proc;
		nofollow = 0;
	}
	if (c->kind == ACT_GETXATTR) {
		if (hide_trusted && strncmp(c->xname, "trusted.", 8) == 0)
			return -ENODATA;
		n = (nofollow ? lgetxattr : getxattr)(path, c->xname, out,
		    ACT_XATTR_SIZE_MAX);
	} else {
		n = (nofollow ? llistxattr : listxattr)(path, out,
		    ACT_XATTR_SIZE_MAX);
		/* A list longer than the kernel's XATTR_LIST_MAX: its size
		 * is still told, a buffer of the maximum gets E2BIG. */
		if (n < 0 && errno == ERANGE) {
			if (c->bufsiz == 0)
				n = (nofollow ? llistxattr : listxattr)(path,
				    NULL, 0);
			else if (c->bufsiz >= ACT_XATTR_SIZE_MAX)
				errno = E2BIG;
			if (n >= 0)
				return n;	/* trusted.* counted too */
		}
	}
	if (n < 0)
		return -errno;
	if (c->kind == ACT_LISTXATTR && hide_trusted) {
		/* NUL-terminated names, one after the other. */
		for (p = w = out, end = out + n; p < end; p += len) {
			len = strnlen(p, end - p) + 1;
			if (len > (size_t)(end - p))
				len = end - p;
			if (strncmp(p, "trusted.", 8) == 0)
				continue;
			memmove(w, p, len);
			w += len;
		}
		n = w - out;
	}
	/* Size 0 asks how big; a smaller buffer is the kernel's ERANGE. */
	if (c->bufsiz == 0)
		return n;
	if ((uint64_t)n > c->bufsiz)
		return -ERANGE;
	*outlen = n;
	return n;
}

static long
act_statfs(const struct call *c, int dirfd, const char *rel, void *out,
    size_t *outlen)
{
	struct statfs fs;
	int n;

	if ((dirfd == AT_FDCWD ? statfs(rel, &fs) : fstatfs(dirfd, &fs)) < 0)
		return -errno;
	if ((n = statconv_fs(&fs, c->layout, c->bufsiz, out)) < 0)
		return n;
	*outlen = n;
	return 0;
}

/*
 * name_to_handle_at: out holds the program's struct file_handle header;
 * the handle goes back there, the mount id (8 bytes, as wide as the
 * unique id of AT_HANDLE_MNT_ID_UNIQUE) at ACT_HANDLE_MNT_OFF.
 */
static long
act_handle(const struct call *c, int dirfd, const char *rel, int empty,
    unsigned char *out, size_t *outlen)
{
	struct file_handle *fh = (struct file_handle *)out;
	uint64_t mnt = 0;
	int flags = c->atflags & ~(AT_EMPTY_PATH | AT_SYMLINK_FOLLOW);
	int imnt = 0;
	long r;

	if (fh->handle_bytes > ACT_HANDLE_MAX)
		return -EINVAL;
	if (empty)
		flags |= AT_EMPTY_PATH;
	else
		flags |= c->atflags & AT_SYMLINK_FOLLOW;
	/* AT_HANDLE_MNT_ID_UNIQUE (Linux 6.12) asks for a 64-bit id. */
	r = syscall(SYS_name_to_handle_at, dirfd, rel, fh,
	    (c->atflags & 1) ? (void *)&mnt : (void *)&imnt, flags);
	if (r < 0 && errno == EOVERFLOW) {
		*outlen = sizeof(fh->handle_bytes);
		return -EOVERFLOW;
	}
	if (r < 0)
		return -errno;
	if (!(c->atflags & 1))
		mnt = (uint64_t)(uint32_t)imnt;
	memcpy(out + ACT_HANDLE_MNT_OFF, &mnt, sizeof(mnt));
	*outlen = sizeof(*fh) + fh->handle_bytes;
	return 0;
}

int
act_xattr_name(struct target *t, uint64_t addr, char *name, size_t len)
{
	ssize_t n = target_read_string(t, addr, name, len);

	if (n == 0 || n == -ENAMETOOLONG)
		return -ERANGE;
	return n < 0 ? (int)n : 0;
}

long
act_emulate(struct target *t, const struct call *c, const char *target,
    void *out, size_t *outlen)
{
	struct creds_saved saved;
	const char *rel = target;
	int dirfd = AT_FDCWD, fd, nofollow, real, atflags, r;
	long ret;

	*outlen = 0;
	nofollow = (c->atflags & AT_SYMLINK_NOFOLLOW) || c->kind == ACT_READLINK ||
	    (c->kind == ACT_HANDLE && !(c->atflags & AT_SYMLINK_FOLLOW));
	/* access(2) checks the real ids unless AT_EACCESS. */
	real = c->kind == ACT_ACCESS && !(c->atflags & AT_EACCESS);
	if (c->kind == ACT_ACCESS && (c->mode & ~(uint64_t)(F_OK | R_OK |
	    W_OK | X_OK)))
		return -EINVAL;
	if ((r = creds_enter(t, real, &saved)) < 0)
		return r;
	if ((r = act_at(t, target, nofollow, &dirfd, &rel, &fd)) < 0) {
		creds_leave(&saved);
		return r;
	}
	atflags = c->atflags & ~AT_EMPTY_PATH;
	if (fd >= 0)
		atflags |= AT_EMPTY_PATH;
	switch (c->kind) {
	case ACT_STAT:
		ret = act_stat(t, c, dirfd, rel, atflags & (AT_SYMLINK_NOFOLLOW |
		    AT_NO_AUTOMOUNT | AT_EMPTY_PATH), out, outlen);
		break;
	case ACT_STATX:
		ret = act_statx(t, c, dirfd, rel, atflags, out, outlen);
		break;
	case ACT_ACCESS:
		/* Our fsuid is the target's id now; AT_EACCESS makes the
		 * kernel check it instead of our real uid. */
		ret = syscall(SYS_faccessat2, dirfd, rel, (int)c->mode,
		    (atflags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) |
		    (saved.switched || !real ? AT_EACCESS : 0));
		ret = ret < 0 ? -errno : 0;
		break;
	case ACT_READLINK:
		ret = act_readlink(c, dirfd, rel, out, outlen);
		break;
	case ACT_GETXATTR:
	case ACT_LISTXATTR:
		ret = act_xattr(c, fd, rel, nofollow, saved.switched, out,
		    outlen);
		break;
	case ACT_STATFS:
		ret = act_statfs(c, fd >= 0 ? fd : AT_FDCWD, rel, out, outlen);
		break;
	case ACT_HANDLE:
		ret = act_handle(c, dirfd, rel, fd >= 0, out, outlen);
		break;
	default:
		ret = -ENOSYS;
	}
	if (fd >= 0)
		close(fd);
	creds_leave(&saved);
	return ret;
}
