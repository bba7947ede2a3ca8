/* SPDX-License-Identifier: MIT */
/* Decoding a notified call's arguments, one table row per path syscall. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <unistd.h>

#include "calls.h"
#include "memory.h"

/* The first published struct open_how: flags, mode, resolve. */
#define CALLS_HOW_SIZE_VER0	24

/* How a call uses a path, for `access =` rules. */
enum calls_access {
	CALLS_NONE,		/* no such path */
	CALLS_R,		/* reads through it */
	CALLS_W,		/* changes what it names */
	CALLS_OPENFLAGS,	/* by the open flags */
	CALLS_ACCESSMODE	/* by access(2)'s mode: W_OK writes */
};

#define NA	(-1)		/* no such argument */

/*
 * One row per call: the kind of answer, and which argument holds each path,
 * its dirfd (NA: AT_FDCWD) and the call's AT_* flags; fixed holds the flags
 * the call implies (lstat is stat with AT_SYMLINK_NOFOLLOW). Arguments are
 * x86_64's; i386 differs only in fanotify_mark (a 64-bit mask in two).
 */
struct calls_row {
	unsigned char	 kind;
	unsigned char	 access[CALL_PATHS];
	signed char	 path[CALL_PATHS];
	signed char	 dirfd[CALL_PATHS];
	signed char	 atflags;
	int		 fixed;
};

#define P1(k, acc, p, d, f, fx) \
	{ k, { acc, CALLS_NONE }, { p, NA }, { d, NA }, f, fx }
#define P2(k, acc0, p0, d0, acc1, p1, d1, f) \
	{ k, { acc0, acc1 }, { p0, p1 }, { d0, d1 }, f, 0 }

static const struct calls_row calls_rows[SYSCALLS_COUNT] = {
	[SYSCALLS_OPEN] = P1(ACT_OPEN, CALLS_OPENFLAGS, 0, NA, NA, 0),
	[SYSCALLS_OPENAT] = P1(ACT_OPEN, CALLS_OPENFLAGS, 1, 0, NA, 0),
	[SYSCALLS_OPENAT2] = P1(ACT_OPEN, CALLS_OPENFLAGS, 1, 0, NA, 0),
	[SYSCALLS_CREAT] = P1(ACT_OPEN, CALLS_OPENFLAGS, 0, NA, NA, 0),
	[SYSCALLS_STAT] = P1(ACT_STAT, CALLS_R, 0, NA, NA, 0),
	[SYSCALLS_LSTAT] = P1(ACT_STAT, CALLS_R, 0, NA, NA,
	    AT_SYMLINK_NOFOLLOW),
	[SYSCALLS_NEWFSTATAT] = P1(ACT_STAT, CALLS_R, 1, 0, 3, 0),
	[SYSCALLS_STATX] = P1(ACT_STATX, CALLS_R, 1, 0, 2, 0),
	[SYSCALLS_ACCESS] = P1(ACT_ACCESS, CALLS_ACCESSMODE, 0, NA, NA, 0),
	[SYSCALLS_FACCESSAT] = P1(ACT_ACCESS, CALLS_ACCESSMODE, 1, 0, NA, 0),
	[SYSCALLS_FACCESSAT2] = P1(ACT_ACCESS, CALLS_ACCESSMODE, 1, 0, 3, 0),
	[SYSCALLS_READLINK] = P1(ACT_READLINK, CALLS_R, 0, NA, NA, 0),
	[SYSCALLS_READLINKAT] = P1(ACT_READLINK, CALLS_R, 1, 0, NA, 0),
	[SYSCALLS_GETXATTR] = P1(ACT_GETXATTR, CALLS_R, 0, NA, NA, 0),
	[SYSCALLS_LGETXATTR] = P1(ACT_GETXATTR, CALLS_R, 0, NA, NA,
	    AT_SYMLINK_NOFOLLOW),
	[SYSCALLS_LISTXATTR] = P1(ACT_LISTXATTR, CALLS_R, 0, NA, NA, 0),
	[SYSCALLS_LLISTXATTR] = P1(ACT_LISTXATTR, CALLS_R, 0, NA, NA,
	    AT_SYMLINK_NOFOLLOW),
	[SYSCALLS_GETXATTRAT] = P1(ACT_GETXATTR, CALLS_R, 1, 0, 2, 0),
	[SYSCALLS_LISTXATTRAT] = P1(ACT_LISTXATTR, CALLS_R, 1, 0, 2, 0),
	[SYSCALLS_STATFS] = P1(ACT_STATFS, CALLS_R, 0, NA, NA, 0),
	[SYSCALLS_NAME_TO_HANDLE_AT] = P1(ACT_HANDLE, CALLS_R, 1, 0, 4, 0),
	[SYSCALLS_CHDIR] = P1(ACT_SELF, CALLS_R, 0, NA, NA, 0),
	[SYSCALLS_EXECVE] = P1(ACT_SELF, CALLS_R, 0, NA, NA, 0),
	[SYSCALLS_EXECVEAT] = P1(ACT_SELF, CALLS_R, 1, 0, 4, 0),
	[SYSCALLS_INOTIFY_ADD_WATCH] = P1(ACT_SELF, CALLS_R, 1, NA, NA, 0),
	[SYSCALLS_FANOTIFY_MARK] = P1(ACT_SELF, CALLS_R, 4, 3, NA, 0),
	[SYSCALLS_UNLINK] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_UNLINKAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, NA, 0),
	[SYSCALLS_RMDIR] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_MKDIR] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_MKDIRAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, NA, 0),
	[SYSCALLS_MKNOD] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_MKNODAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, NA, 0),
	[SYSCALLS_RENAME] = P2(ACT_PERFORM, CALLS_W, 0, NA, CALLS_W, 1, NA,
	    NA),
	[SYSCALLS_RENAMEAT] = P2(ACT_PERFORM, CALLS_W, 1, 0, CALLS_W, 3, 2,
	    NA),
	[SYSCALLS_RENAMEAT2] = P2(ACT_PERFORM, CALLS_W, 1, 0, CALLS_W, 3, 2,
	    NA),
	/* A hard link leaves the file itself as it was. */
	[SYSCALLS_LINK] = P2(ACT_PERFORM, CALLS_R, 0, NA, CALLS_W, 1, NA, NA),
	[SYSCALLS_LINKAT] = P2(ACT_PERFORM, CALLS_R, 1, 0, CALLS_W, 3, 2, 4),
	/* The link's text is not a path to translate, only its place. */
	[SYSCALLS_SYMLINK] = P1(ACT_PERFORM, CALLS_W, 1, NA, NA, 0),
	[SYSCALLS_SYMLINKAT] = P1(ACT_PERFORM, CALLS_W, 2, 1, NA, 0),
	[SYSCALLS_CHMOD] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_FCHMODAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, NA, 0),
	[SYSCALLS_FCHMODAT2] = P1(ACT_PERFORM, CALLS_W, 1, 0, 3, 0),
	[SYSCALLS_CHOWN] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_LCHOWN] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA,
	    AT_SYMLINK_NOFOLLOW),
	[SYSCALLS_FCHOWNAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, 4, 0),
	[SYSCALLS_TRUNCATE] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_UTIME] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_UTIMES] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_FUTIMESAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, NA, 0),
	[SYSCALLS_UTIMENSAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, 3, 0),
	[SYSCALLS_SETXATTR] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_LSETXATTR] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA,
	    AT_SYMLINK_NOFOLLOW),
	[SYSCALLS_REMOVEXATTR] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA, 0),
	[SYSCALLS_LREMOVEXATTR] = P1(ACT_PERFORM, CALLS_W, 0, NA, NA,
	    AT_SYMLINK_NOFOLLOW),
	[SYSCALLS_SETXATTRAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, 2, 0),
	[SYSCALLS_REMOVEXATTRAT] = P1(ACT_PERFORM, CALLS_W, 1, 0, 2, 0),
};

/* openat2's struct open_how, checked like copy_struct_from_user(). */
static int
calls_open_how(pid_t tid, uint64_t addr, uint64_t size, struct call *c)
{
	struct open_how how;
	unsigned char extra[256];
	uint64_t off;
	size_t i, n;
	int r;

	if (size < CALLS_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	memset(&how, 0, sizeof(how));
	n = size < sizeof(how) ? size : sizeof(how);
	if ((r = memory_read(tid, addr, &how, n)) < 0)
		return r;
	for (off = sizeof(how); off < size; off += n) {
		n = size - off < sizeof(extra) ? size - off : sizeof(extra);
		if ((r = memory_read(tid, addr + off, extra, n)) < 0)
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

/* The arguments the existing answers of each kind read. */
static int
calls_kind_args(pid_t tid, struct call *c)
{
	const uint64_t *a = c->a;

	switch (c->sysid) {
	case SYSCALLS_OPEN:
		c->flags = (unsigned int)a[1];
		c->mode = a[2];
		break;
	case SYSCALLS_CREAT:
		c->flags = O_CREAT | O_WRONLY | O_TRUNC;
		c->mode = a[1];
		break;
	case SYSCALLS_OPENAT:
		c->flags = (unsigned int)a[2];
		c->mode = a[3];
		break;
	case SYSCALLS_OPENAT2:
		return calls_open_how(tid, a[2], a[3], c);
	case SYSCALLS_STAT:
	case SYSCALLS_LSTAT:
		c->buf = a[1];
		break;
	case SYSCALLS_NEWFSTATAT:
		c->buf = a[2];
		if (c->atflags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
		    AT_EMPTY_PATH))
			return -EINVAL;
		break;
	case SYSCALLS_STATX:
		c->mask = (unsigned int)a[3];
		c->buf = a[4];
		break;
	case SYSCALLS_ACCESS:
		c->mode = (unsigned int)a[1];
		break;
	case SYSCALLS_FACCESSAT:
	case SYSCALLS_FACCESSAT2:
		c->mode = (unsigned int)a[2];
		if (c->atflags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW |
		    AT_EMPTY_PATH))
			return -EINVAL;
		break;
	case SYSCALLS_READLINK:
		c->buf = a[1];
		c->bufsiz = a[2];
		break;
	case SYSCALLS_READLINKAT:
		c->buf = a[2];
		c->bufsiz = a[3];
		break;
	case SYSCALLS_GETXATTR:
	case SYSCALLS_LGETXATTR:
		c->name_addr = a[1];
		c->buf = a[2];
		c->bufsiz = a[3];
		break;
	case SYSCALLS_LISTXATTR:
	case SYSCALLS_LLISTXATTR:
		c->buf = a[1];
		c->bufsiz = a[2];
		break;
	case SYSCALLS_GETXATTRAT: {
		/* struct xattr_args { u64 value; u32 size; u32 flags; } */
		struct { uint64_t value; uint32_t size, flags; } xa;
		int r;

		if (c->atflags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
		if (a[5] < sizeof(xa))
			return -EINVAL;
		if ((r = memory_read(tid, a[4], &xa, sizeof(xa))) < 0)
			return r;
		if (xa.flags != 0)
			return -EINVAL;
		c->name_addr = a[3];
		c->buf = xa.value;
		c->bufsiz = xa.size;
		break;
	}
	case SYSCALLS_LISTXATTRAT:
		if (c->atflags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
			return -EINVAL;
		c->buf = a[3];
		c->bufsiz = a[4];
		break;
	case SYSCALLS_STATFS:
		/* i386's and ARM's statfs64 pass the size of its struct first. */
		c->buf = c->layout == SYSCALLS_LAYOUT_STATFS64 ||
		    c->layout == SYSCALLS_LAYOUT_STATFS64_EABI ? a[2] : a[1];
		c->bufsiz = a[1];
		break;
	case SYSCALLS_NAME_TO_HANDLE_AT:
		c->buf = a[2];
		c->name_addr = a[3];	/* the mount id's place */
		break;
	}
	return 0;
}

/* Whether a path of access acc is written through. */
static int
calls_writes(const struct call *c, enum calls_access acc)
{
	switch (acc) {
	case CALLS_W:
		return 1;
	case CALLS_OPENFLAGS:
		return (c->flags & O_ACCMODE) != O_RDONLY ||
		    (c->flags & (O_CREAT | O_TRUNC | O_APPEND |
		    __O_TMPFILE)) != 0;
	case CALLS_ACCESSMODE:
		/* The kernel itself answers EROFS to W_OK. */
		return (c->mode & W_OK) != 0;
	default:
		return 0;
	}
}

int
calls_decode(pid_t tid, const struct seccomp_data *d, struct call *c)
{
	const struct calls_row *row;
	int i, r, shift;

	if (c->sysid < 0 || c->sysid >= SYSCALLS_COUNT)
		return -ENOSYS;
	row = &calls_rows[c->sysid];
	/* i386 and ARM arguments are 32-bit registers. */
	c->is32 = syscalls_arch_is_32bit(d->arch);
	for (i = 0; i < 6; i++)
		c->a[i] = c->is32 ? (uint32_t)d->args[i] : d->args[i];
	c->kind = row->kind;
	c->atflags = row->fixed;
	if (row->atflags != NA)
		c->atflags |= (int)c->a[(int)row->atflags];
	/* i386's and ARM's fanotify_mark take the 64-bit mask in two
	 * arguments (on ARM the even register pair r2, r3: the same). */
	shift = c->is32 && c->sysid == SYSCALLS_FANOTIFY_MARK;
	if ((r = calls_kind_args(tid, c)) < 0)
		return r;
	c->npaths = 0;
	for (i = 0; i < CALL_PATHS && row->path[i] != NA; i++) {
		struct call_path *p = &c->p[i];

		p->addr = c->a[row->path[i] + shift];
		p->dirfd = row->dirfd[i] == NA ? AT_FDCWD :
		    (int)c->a[row->dirfd[i] + shift];
		p->write = calls_writes(c, row->access[i]);
		p->skip = 0;
		p->given[0] = p->abs[0] = '\0';
		c->npaths++;
	}
	return 0;
}
