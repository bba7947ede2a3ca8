/* SPDX-License-Identifier: MIT */
/* The path syscalls unotifyd handles: names, ids and per-arch numbers. */
#ifndef SYSCALLS_H
#define SYSCALLS_H

#include <stdint.h>

/* One id per meaning: i386's stat64 is SYSCALLS_STAT with another layout. */
enum syscalls_id {
	/* Opens: read or write by their flags. */
	SYSCALLS_OPEN,
	SYSCALLS_OPENAT,
	SYSCALLS_OPENAT2,
	SYSCALLS_CREAT,
	/* Reads, answered by unotifyd for a redirected path. */
	SYSCALLS_STAT,
	SYSCALLS_LSTAT,
	SYSCALLS_NEWFSTATAT,
	SYSCALLS_STATX,
	SYSCALLS_ACCESS,
	SYSCALLS_FACCESSAT,
	SYSCALLS_FACCESSAT2,
	SYSCALLS_READLINK,
	SYSCALLS_READLINKAT,
	SYSCALLS_GETXATTR,
	SYSCALLS_LGETXATTR,
	SYSCALLS_LISTXATTR,
	SYSCALLS_LLISTXATTR,
	SYSCALLS_GETXATTRAT,
	SYSCALLS_LISTXATTRAT,
	SYSCALLS_STATFS,
	SYSCALLS_NAME_TO_HANDLE_AT,
	/* Reads that act on the calling task itself. */
	SYSCALLS_CHDIR,
	SYSCALLS_EXECVE,
	SYSCALLS_EXECVEAT,
	SYSCALLS_INOTIFY_ADD_WATCH,
	SYSCALLS_FANOTIFY_MARK,
	/* Writes, performed by unotifyd for a redirected path. */
	SYSCALLS_UNLINK,
	SYSCALLS_UNLINKAT,
	SYSCALLS_RMDIR,
	SYSCALLS_MKDIR,
	SYSCALLS_MKDIRAT,
	SYSCALLS_MKNOD,
	SYSCALLS_MKNODAT,
	SYSCALLS_RENAME,
	SYSCALLS_RENAMEAT,
	SYSCALLS_RENAMEAT2,
	SYSCALLS_LINK,
	SYSCALLS_LINKAT,
	SYSCALLS_SYMLINK,
	SYSCALLS_SYMLINKAT,
	SYSCALLS_CHMOD,
	SYSCALLS_FCHMODAT,
	SYSCALLS_FCHMODAT2,
	SYSCALLS_CHOWN,
	SYSCALLS_LCHOWN,
	SYSCALLS_FCHOWNAT,
	SYSCALLS_TRUNCATE,
	SYSCALLS_UTIME,
	SYSCALLS_UTIMES,
	SYSCALLS_FUTIMESAT,
	SYSCALLS_UTIMENSAT,
	SYSCALLS_SETXATTR,
	SYSCALLS_LSETXATTR,
	SYSCALLS_REMOVEXATTR,
	SYSCALLS_LREMOVEXATTR,
	SYSCALLS_SETXATTRAT,
	SYSCALLS_REMOVEXATTRAT,
	SYSCALLS_COUNT,			/* path syscalls, the ones rules name */

	/* Not for rules. getcwd: answered when the cwd lies in a redirect's
	 * destination; io_uring_setup: refused, io_uring would bypass every
	 * rule. */
	SYSCALLS_GETCWD = SYSCALLS_COUNT,
	SYSCALLS_IO_URING,
	/* Notified only so the supervisor knows when a target may no longer
	 * have the credentials, umask or root it started with (credentials:
	 * the set*id calls, capset, and prctl(PR_CAPBSET_DROP); root: chroot,
	 * pivot_root, and a new mount or user namespace by unshare, setns or
	 * clone with CLONE_NEWNS or CLONE_NEWUSER). */
	SYSCALLS_CREDS,
	SYSCALLS_UMASK,
	SYSCALLS_ROOT,
	SYSCALLS_NIDS
};

/* How an argument or result is laid out in the target's memory, where an
 * arch's variant of a call differs from the native one. */
enum syscalls_layout {
	SYSCALLS_LAYOUT_NATIVE,		/* the native layout, or n/a */
	SYSCALLS_LAYOUT_STAT32,		/* i386, ARM stat(2): compat_stat */
	SYSCALLS_LAYOUT_STAT64,		/* i386 stat64(2): packed struct stat64 */
	SYSCALLS_LAYOUT_STATFS32,	/* i386, ARM statfs(2): compat_statfs */
	SYSCALLS_LAYOUT_STATFS64,	/* i386 statfs64(2): (path, size, buf) */
	SYSCALLS_LAYOUT_TIME32,		/* i386, ARM time_t, timeval, timespec */
	SYSCALLS_LAYOUT_UID16,		/* i386, ARM chown(2), lchown(2): 16-bit ids */
	SYSCALLS_LAYOUT_SPLIT64,	/* i386 truncate64(2): length in 2 args */
	SYSCALLS_LAYOUT_STAT64_EABI,	/* ARM stat64(2): aligned struct stat64 */
	SYSCALLS_LAYOUT_STATFS64_EABI,	/* ARM statfs64(2): size 88 or 84 */
	SYSCALLS_LAYOUT_SPLIT64_EABI	/* ARM truncate64(2): length in a2, a3 */
};

typedef uint64_t syscalls_mask;

#define SYSCALLS_MASK(id)	((syscalls_mask)1 << (id))
#define SYSCALLS_RANGE(a, b)	((SYSCALLS_MASK(b) - 1) & ~(SYSCALLS_MASK(a) - 1))
#define SYSCALLS_ALL		SYSCALLS_RANGE(0, SYSCALLS_COUNT)	/* paths */
#define SYSCALLS_OPENS		SYSCALLS_RANGE(SYSCALLS_OPEN, SYSCALLS_STAT)
/* The calls that read through a path (opens count both ways). */
#define SYSCALLS_READS		(SYSCALLS_OPENS | \
				 SYSCALLS_RANGE(SYSCALLS_STAT, SYSCALLS_UNLINK))
/* The calls that change what a path names (opens, and access(2) with W_OK,
 * count both ways). */
#define SYSCALLS_WRITES		(SYSCALLS_OPENS | \
				 SYSCALLS_RANGE(SYSCALLS_ACCESS, SYSCALLS_READLINK) | \
				 SYSCALLS_RANGE(SYSCALLS_UNLINK, SYSCALLS_COUNT))

/* Name of an id ("openat"), or NULL if out of range. */
const char	*syscalls_name(int);
/* Id of a path syscall name (x86_64 names, and i386's stat64, lstat64,
 * fstatat64, ... as aliases), or -1 if unotifyd does not handle that
 * syscall. */
int		 syscalls_from_name(const char *);
/* Id for a syscall number on an audit arch (AUDIT_ARCH_*), or -1; the
 * layout of the call's arguments or result in *layout when not NULL. */
int		 syscalls_lookup(uint32_t arch, int nr, enum syscalls_layout *);
/* The arch's own name of a handled syscall number ("stat64"), or NULL. */
const char	*syscalls_arch_name(uint32_t arch, int nr);
/* Every syscall name of id, on any supported arch, for the filter:
 * NULL-terminated. */
const char *const *syscalls_names(int);
/* 1 if the audit arch has a call of that name (libseccomp's or ours). */
int		 syscalls_arch_has(uint32_t arch, const char *);
/* The number of a name libseccomp does not know yet (Linux 6.13's *xattrat
 * calls), on the native arch; -1 if it knows it or we do not. */
int		 syscalls_fallback_nr(const char *);
/*
 * What `unotifyd run` notifies for rules needing the path syscalls in
 * rules: those, plus, when there are any, the calls that change what run
 * assumes of its targets (umask, root, and when privileged, credentials):
 * targets start with the supervisor's, and being told when they change
 * spares reading /proc on every redirect.
 */
syscalls_mask	 syscalls_run_mask(syscalls_mask rules, int privileged);
/* 1 if the arch is 32-bit (pointers and longs are 4 bytes). */
int		 syscalls_arch_is_32bit(uint32_t);
/* "x86_64", "i386", "aarch64", "arm"; NULL for an arch with no table. */
const char	*syscalls_arch_label(uint32_t);
/* For logs: "" for the build's own arch, else "/" and its label. */
const char	*syscalls_arch_tag(uint32_t);
/* The AUDIT_ARCH_* of the build, and of the 32-bit ABI its kernel also
 * runs (i386 on x86_64, ARM on aarch64), or 0: the arches the filter
 * supervises; any other arch is killed. */
uint32_t	 syscalls_native_arch(void);
uint32_t	 syscalls_compat_arch(void);
/* The SCMP_ARCH_* of an arch with a table, or 0. */
uint32_t	 syscalls_arch_scmp(uint32_t);

#endif
