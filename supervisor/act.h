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
	ACT_LISTXATTR
};

/* The kernel's limits for extended attributes (linux/limits.h). */
#define ACT_XATTR_NAME_MAX	255
#define ACT_XATTR_SIZE_MAX	65536

/* A notified call, decoded from seccomp_data. */
struct call {
	int			 sysid;
	enum syscalls_layout	 layout;
	enum act_kind		 kind;
	int			 dirfd;
	uint64_t		 path_addr;
	uint64_t		 flags;		/* open flags */
	uint64_t		 mode;		/* open mode, access mode */
	uint64_t		 resolve;	/* openat2 RESOLVE_* */
	int			 atflags;	/* AT_* of stat, statx, access */
	unsigned int		 mask;		/* statx mask */
	uint64_t		 buf;		/* result buffer in the target */
	uint64_t		 bufsiz;	/* readlink, *xattr */
	uint64_t		 name_addr;	/* getxattr: the name */
	/* Filled as they are read, so not cleared for each call. */
	char			 path[PATH_MAX];	/* as passed */
	char			 abs[PATH_MAX];		/* absolute, normalised */
	char			 xname[ACT_XATTR_NAME_MAX + 1];	/* getxattr */
};

/* Size of the out buffer act_emulate needs; the *xattr calls need
 * ACT_XATTR_SIZE_MAX. */
#define ACT_OUT_MAX	PATH_MAX

/* Open target for an ACT_OPEN call; returns an O_CLOEXEC fd or -errno. */
int	act_open(struct target *, const struct call *, const char *target);

/*
 * Could opening target for an ACT_OPEN call block (a FIFO without a peer,
 * a tty, a device)? Regular files and directories are opened inline: a
 * thread hand-off would cost a wake-up each. Looked up in t's root.
 */
int	act_open_may_block(struct target *, const struct call *,
	    const char *target);

/*
 * Perform a stat, statx, access, readlink, getxattr or listxattr call on
 * target (for getxattr, c->xname holds the name). Returns the syscall's
 * result (>= 0) or -errno; *outlen bytes of out (ACT_OUT_MAX, or
 * ACT_XATTR_SIZE_MAX for the *xattr calls) are to be copied to the call's
 * buffer in the target.
 */
long	act_emulate(struct target *, const struct call *, const char *target,
	    void *out, size_t *outlen);

#endif
