/* SPDX-License-Identifier: MIT */
/* Performing a redirected call for the target, in its context: its root,
 * its credentials, its umask. */
#ifndef ACT_H
#define ACT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "syscalls.h"
#include "target.h"

enum act_kind {
	ACT_OPEN,
	ACT_STAT,
	ACT_STATX,
	ACT_ACCESS,
	ACT_READLINK,
	ACT_GETXATTR,
	ACT_LISTXATTR,
	ACT_STATFS,
	ACT_HANDLE,		/* name_to_handle_at */
	ACT_SELF,		/* acts on the task: chdir, execve, watches */
	ACT_PERFORM		/* writes: unlink, rename, chmod, ... */
};

/* The kernel's limits for extended attributes (linux/limits.h). */
#define ACT_XATTR_NAME_MAX	255
#define ACT_XATTR_SIZE_MAX	65536

/* At most two paths a call (rename, link). */
#define CALL_PATHS	2

/* One path argument of a call. */
struct call_path {
	int			 dirfd;
	uint64_t		 addr;
	int			 write;		/* the call changes what it names */
	int			 skip;		/* NULL, or "" with AT_EMPTY_PATH */
	int			 mapped;	/* relative to a directory in a
						   redirect's destination */
	/* Filled as they are read, so not cleared for each call. */
	char			 given[PATH_MAX];	/* as passed */
	char			 abs[PATH_MAX];		/* absolute, normalised */
	char			 phys[PATH_MAX];	/* if mapped: where the
							   kernel looks */
};

/* A notified call, decoded from seccomp_data. */
struct call {
	int			 sysid;
	enum syscalls_layout	 layout;
	enum act_kind		 kind;
	int			 is32;		/* i386 arguments */
	uint64_t		 a[6];		/* the arguments as the kernel
						   takes them */
	int			 npaths;
	uint64_t		 flags;		/* open flags */
	uint64_t		 mode;		/* open mode, access mode */
	uint64_t		 resolve;	/* openat2 RESOLVE_* */
	int			 atflags;	/* AT_* flags of the call */
	unsigned int		 mask;		/* statx mask */
	uint64_t		 buf;		/* result buffer in the target */
	uint64_t		 bufsiz;	/* readlink, *xattr */
	uint64_t		 name_addr;	/* *xattr: the name */
	char			 xname[ACT_XATTR_NAME_MAX + 1];	/* its text */
	struct call_path	 p[CALL_PATHS];
};

/* name_to_handle_at: the kernel's MAX_HANDLE_SZ, and where act_emulate
 * leaves the mount id in its out buffer. */
#define ACT_HANDLE_MAX		128
#define ACT_HANDLE_MNT_OFF	(ACT_OUT_MAX - 8)

/* Size of the out buffer act_emulate needs; the *xattr calls need
 * ACT_XATTR_SIZE_MAX. */
#define ACT_OUT_MAX	PATH_MAX

/* Open target for an ACT_OPEN call, with RESOLVE_* flags resolve added
 * (0 for none); returns an O_CLOEXEC fd or -errno. */
int	act_open(struct target *, const struct call *, const char *target,
	    uint64_t resolve);

/*
 * Could opening target for an ACT_OPEN call block (a FIFO without a peer,
 * a tty, a device)? Regular files and directories are opened inline: a
 * thread hand-off would cost a wake-up each. Looked up in t's root.
 */
int	act_open_may_block(struct target *, const struct call *,
	    const char *target);

/*
 * Perform a stat, statx, access, readlink, getxattr, listxattr, statfs or
 * name_to_handle_at call on target (for getxattr, c->xname holds the name;
 * for name_to_handle_at, out holds the struct file_handle header the
 * program passed). Returns the syscall's result (>= 0) or -errno; *outlen
 * bytes of out (ACT_OUT_MAX, or ACT_XATTR_SIZE_MAX for the *xattr calls) are
 * to be copied to the call's buffer in the target.
 */
long	act_emulate(struct target *, const struct call *, const char *target,
	    void *out, size_t *outlen);

/* Read an attribute name from t's memory as the kernel takes it: empty or
 * longer than len - 1 is ERANGE. 0 or -errno. */
int	act_xattr_name(struct target *, uint64_t addr, char *name, size_t len);

/*
 * Where to reach a path in t's root: our own root (AT_FDCWD and the path),
 * or, for a task with another root (chroot, container), an O_PATH fd found
 * beneath that root and an empty path. *fd is to be closed.
 */
int	act_at(struct target *, const char *path, int nofollow, int *dirfd,
	    const char **rel, int *fd);

#endif
