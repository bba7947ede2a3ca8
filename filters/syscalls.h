/* SPDX-License-Identifier: MIT */
/* The path syscalls unotifyd handles: names, ids and per-arch numbers. */
#ifndef SYSCALLS_H
#define SYSCALLS_H

#include <stdint.h>

/* One id per meaning: i386's stat64 is SYSCALLS_STAT with another layout. */
enum syscalls_id {
	SYSCALLS_OPEN,
	SYSCALLS_OPENAT,
	SYSCALLS_OPENAT2,
	SYSCALLS_CREAT,
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
	SYSCALLS_COUNT,			/* path syscalls, the ones rules name */

	/* Not for rules: notified only so the supervisor knows when a target
	 * may no longer have the credentials, umask or root it started with. */
	SYSCALLS_CREDS = SYSCALLS_COUNT,
	SYSCALLS_UMASK,
	SYSCALLS_ROOT,
	SYSCALLS_NIDS
};

/* How a stat result is laid out in the target's memory. */
enum syscalls_layout {
	SYSCALLS_LAYOUT_NATIVE,		/* the build's struct stat, or n/a */
	SYSCALLS_LAYOUT_STAT32,		/* i386, ARM stat(2): compat_stat */
	SYSCALLS_LAYOUT_STAT64,		/* i386 stat64(2): packed stat64 */
	SYSCALLS_LAYOUT_STAT64_EABI	/* ARM stat64(2): aligned stat64 */
};

#define SYSCALLS_MASK(id)	(1u << (id))
#define SYSCALLS_ALL		((1u << SYSCALLS_COUNT) - 1)	/* paths */
#define SYSCALLS_OPENS		(SYSCALLS_MASK(SYSCALLS_OPEN) | \
				 SYSCALLS_MASK(SYSCALLS_OPENAT) | \
				 SYSCALLS_MASK(SYSCALLS_OPENAT2) | \
				 SYSCALLS_MASK(SYSCALLS_CREAT))

/* Name of an id ("openat"), or NULL if out of range. */
const char	*syscalls_name(int);
/* Id of a path syscall name (x86_64 names, and i386's stat64, lstat64 and
 * fstatat64 as aliases), or -1 if unotifyd does not handle that syscall. */
int		 syscalls_from_name(const char *);
/* Id for a syscall number on an audit arch (AUDIT_ARCH_*), or -1; the
 * result layout of a stat call in *layout when layout is not NULL. */
int		 syscalls_lookup(uint32_t arch, int nr, enum syscalls_layout *);
/* The arch's own name of a handled syscall number ("stat64"), or NULL. */
const char	*syscalls_arch_name(uint32_t arch, int nr);
/* Every syscall name of id, on any supported arch, for the filter:
 * NULL-terminated. */
const char *const *syscalls_names(int);
/*
 * What `unotifyd run` notifies for rules needing the path syscalls in
 * rules: those, plus, when there are any, the calls that change what run
 * assumes of its targets (umask, root, and when privileged, credentials):
 * targets start with the supervisor's, and being told when they change
 * spares reading /proc on every redirect.
 */
uint32_t	 syscalls_run_mask(uint32_t rules, int privileged);
/* 1 if the arch is 32-bit (pointers and longs are 4 bytes). */
int		 syscalls_arch_is_32bit(uint32_t);
/* "x86_64", "i386", "aarch64", "arm"; NULL for an arch with no table. */
const char	*syscalls_arch_label(uint32_t);
/* The AUDIT_ARCH_* of the build, and of the 32-bit ABI its kernel also
 * runs (i386 on x86_64, ARM on aarch64), or 0: the arches the filter
 * supervises; any other arch is killed. */
uint32_t	 syscalls_native_arch(void);
uint32_t	 syscalls_compat_arch(void);
/* The SCMP_ARCH_* of an arch with a table, or 0. */
uint32_t	 syscalls_arch_scmp(uint32_t);

#endif
