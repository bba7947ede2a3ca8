/* SPDX-License-Identifier: MIT */
/* The path syscalls unotifyd handles, by name and by number on each arch. */
#include <linux/audit.h>
#include <pthread.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "syscalls.h"

/* Every name that maps to an id; the first is the id's own name. */
static const char *const syscalls_table[SYSCALLS_NIDS][24] = {
	[SYSCALLS_OPEN] = { "open" },
	[SYSCALLS_OPENAT] = { "openat" },
	[SYSCALLS_OPENAT2] = { "openat2" },
	[SYSCALLS_CREAT] = { "creat" },
	[SYSCALLS_STAT] = { "stat", "stat64" },
	[SYSCALLS_LSTAT] = { "lstat", "lstat64" },
	[SYSCALLS_NEWFSTATAT] = { "newfstatat", "fstatat64" },
	[SYSCALLS_STATX] = { "statx" },
	[SYSCALLS_ACCESS] = { "access" },
	[SYSCALLS_FACCESSAT] = { "faccessat" },
	[SYSCALLS_FACCESSAT2] = { "faccessat2" },
	[SYSCALLS_READLINK] = { "readlink" },
	[SYSCALLS_READLINKAT] = { "readlinkat" },
	[SYSCALLS_GETXATTR] = { "getxattr" },
	[SYSCALLS_LGETXATTR] = { "lgetxattr" },
	[SYSCALLS_LISTXATTR] = { "listxattr" },
	[SYSCALLS_LLISTXATTR] = { "llistxattr" },
	[SYSCALLS_GETXATTRAT] = { "getxattrat" },
	[SYSCALLS_LISTXATTRAT] = { "listxattrat" },
	[SYSCALLS_STATFS] = { "statfs", "statfs64" },
	[SYSCALLS_NAME_TO_HANDLE_AT] = { "name_to_handle_at" },
	[SYSCALLS_CHDIR] = { "chdir" },
	[SYSCALLS_EXECVE] = { "execve" },
	[SYSCALLS_EXECVEAT] = { "execveat" },
	[SYSCALLS_INOTIFY_ADD_WATCH] = { "inotify_add_watch" },
	[SYSCALLS_FANOTIFY_MARK] = { "fanotify_mark" },
	[SYSCALLS_UNLINK] = { "unlink" },
	[SYSCALLS_UNLINKAT] = { "unlinkat" },
	[SYSCALLS_RMDIR] = { "rmdir" },
	[SYSCALLS_MKDIR] = { "mkdir" },
	[SYSCALLS_MKDIRAT] = { "mkdirat" },
	[SYSCALLS_MKNOD] = { "mknod" },
	[SYSCALLS_MKNODAT] = { "mknodat" },
	[SYSCALLS_RENAME] = { "rename" },
	[SYSCALLS_RENAMEAT] = { "renameat" },
	[SYSCALLS_RENAMEAT2] = { "renameat2" },
	[SYSCALLS_LINK] = { "link" },
	[SYSCALLS_LINKAT] = { "linkat" },
	[SYSCALLS_SYMLINK] = { "symlink" },
	[SYSCALLS_SYMLINKAT] = { "symlinkat" },
	[SYSCALLS_CHMOD] = { "chmod" },
	[SYSCALLS_FCHMODAT] = { "fchmodat" },
	[SYSCALLS_FCHMODAT2] = { "fchmodat2" },
	[SYSCALLS_CHOWN] = { "chown", "chown32" },
	[SYSCALLS_LCHOWN] = { "lchown", "lchown32" },
	[SYSCALLS_FCHOWNAT] = { "fchownat" },
	[SYSCALLS_TRUNCATE] = { "truncate", "truncate64" },
	[SYSCALLS_UTIME] = { "utime" },
	[SYSCALLS_UTIMES] = { "utimes" },
	[SYSCALLS_FUTIMESAT] = { "futimesat" },
	[SYSCALLS_UTIMENSAT] = { "utimensat", "utimensat_time64" },
	[SYSCALLS_SETXATTR] = { "setxattr" },
	[SYSCALLS_LSETXATTR] = { "lsetxattr" },
	[SYSCALLS_REMOVEXATTR] = { "removexattr" },
	[SYSCALLS_LREMOVEXATTR] = { "lremovexattr" },
	[SYSCALLS_SETXATTRAT] = { "setxattrat" },
	[SYSCALLS_REMOVEXATTRAT] = { "removexattrat" },
	[SYSCALLS_GETCWD] = { "getcwd" },
	[SYSCALLS_IO_URING] = { "io_uring_setup" },
	[SYSCALLS_CREDS] = { "setuid", "setgid", "setreuid", "setregid",
	    "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups",
	    "capset", "setuid32", "setgid32", "setreuid32", "setregid32",
	    "setresuid32", "setresgid32", "setfsuid32", "setfsgid32",
	    "setgroups32", "prctl" },
	[SYSCALLS_UMASK] = { "umask" },
	[SYSCALLS_ROOT] = { "chroot", "pivot_root", "unshare", "setns",
	    "clone" },
};

/* Calls newer than libseccomp 2.5.4's tables (Linux 6.13), by the number
 * they have on x86_64 and every arch that came after the 2019 unification
 * of new syscall numbers. */
static const struct {
	const char	*name;
	int		 nr;
} syscalls_fallback[] = {
	{ "setxattrat", 463 },
	{ "getxattrat", 464 },
	{ "listxattrat", 465 },
	{ "removexattrat", 466 },
};

#define SYSCALLS_MAXNR	512

/* Numbers are resolved once per arch through libseccomp's tables, so the
 * same code serves every arch without per-arch headers. Every arch here
 * can be looked up on any build (tests check aarch64's numbers on x86_64);
 * the filter supervises the build's native arch and its compat arch. */
struct syscalls_arch {
	uint32_t	audit;
	uint32_t	scmp;
	const char	*label;
	int		is32;		/* 4-byte registers, pointers, longs */
	int		ready;
	signed char	id[SYSCALLS_MAXNR];
	unsigned char	layout[SYSCALLS_MAXNR];
	const char	*name[SYSCALLS_MAXNR];
};

static struct syscalls_arch syscalls_arches[] = {
	{ .audit = AUDIT_ARCH_X86_64, .scmp = SCMP_ARCH_X86_64,
	    .label = "x86_64" },
	{ .audit = AUDIT_ARCH_I386, .scmp = SCMP_ARCH_X86, .label = "i386",
	    .is32 = 1 },
	{ .audit = AUDIT_ARCH_AARCH64, .scmp = SCMP_ARCH_AARCH64,
	    .label = "aarch64" },
	{ .audit = AUDIT_ARCH_ARM, .scmp = SCMP_ARCH_ARM, .label = "arm",
	    .is32 = 1 },
};

#define SYSCALLS_NARCHES	(sizeof(syscalls_arches) / \
				 sizeof(syscalls_arches[0]))

/* The build's own arch, and the 32-bit one its kernel may also run
 * (IA32 emulation, AArch32 EL0): 0 where there is none or it is not
 * supported (x32 is refused, see filter.c). */
#if defined(__x86_64__)
#define SYSCALLS_NATIVE		AUDIT_ARCH_X86_64
#define SYSCALLS_COMPAT		AUDIT_ARCH_I386
#elif defined(__aarch64__) && !defined(__AARCH64EB__)
#define SYSCALLS_NATIVE		AUDIT_ARCH_AARCH64
#define SYSCALLS_COMPAT		AUDIT_ARCH_ARM
#elif defined(__i386__)
#define SYSCALLS_NATIVE		AUDIT_ARCH_I386
#define SYSCALLS_COMPAT		0
#elif defined(__arm__) && !defined(__ARMEB__)
#define SYSCALLS_NATIVE		AUDIT_ARCH_ARM
#define SYSCALLS_COMPAT		0
#else
#error "unotifyd: no syscall table for this arch (filters/syscalls.c)"
#endif

/*
 * Where a 32-bit call's arguments or results differ from the native ones.
 * i386 and ARM EABI share most (the kernel's compat_stat, compat_statfs,
 * 32-bit times, 16-bit ids); their struct stat64 differ (packed on i386,
 * 8-byte aligned on ARM), ARM's statfs64 also takes the padded size 88,
 * and ARM passes a 64-bit argument in an even register pair.
 */
static enum syscalls_layout
syscalls_layout_of(uint32_t audit, const char *name)
{
	static const struct {
		const char		*name;
		enum syscalls_layout	 layout;
		enum syscalls_layout	 arm;	/* ARM EABI's */
	} compat[] = {
		{ "stat", SYSCALLS_LAYOUT_STAT32, SYSCALLS_LAYOUT_STAT32 },
		{ "lstat", SYSCALLS_LAYOUT_STAT32, SYSCALLS_LAYOUT_STAT32 },
		{ "stat64", SYSCALLS_LAYOUT_STAT64,
		    SYSCALLS_LAYOUT_STAT64_EABI },
		{ "lstat64", SYSCALLS_LAYOUT_STAT64,
		    SYSCALLS_LAYOUT_STAT64_EABI },
		{ "fstatat64", SYSCALLS_LAYOUT_STAT64,
		    SYSCALLS_LAYOUT_STAT64_EABI },
		{ "statfs", SYSCALLS_LAYOUT_STATFS32, SYSCALLS_LAYOUT_STATFS32 },
		{ "statfs64", SYSCALLS_LAYOUT_STATFS64,
		    SYSCALLS_LAYOUT_STATFS64_EABI },
		{ "utime", SYSCALLS_LAYOUT_TIME32, SYSCALLS_LAYOUT_TIME32 },
		{ "utimes", SYSCALLS_LAYOUT_TIME32, SYSCALLS_LAYOUT_TIME32 },
		{ "futimesat", SYSCALLS_LAYOUT_TIME32, SYSCALLS_LAYOUT_TIME32 },
		{ "utimensat", SYSCALLS_LAYOUT_TIME32, SYSCALLS_LAYOUT_TIME32 },
		{ "chown", SYSCALLS_LAYOUT_UID16, SYSCALLS_LAYOUT_UID16 },
		{ "lchown", SYSCALLS_LAYOUT_UID16, SYSCALLS_LAYOUT_UID16 },
		/* EABI passes a 64-bit argument in an even register pair. */
		{ "truncate64", SYSCALLS_LAYOUT_SPLIT64,
		    SYSCALLS_LAYOUT_SPLIT64_EABI },
	};
	size_t i;

	if (audit != AUDIT_ARCH_I386 && audit != AUDIT_ARCH_ARM)
		return SYSCALLS_LAYOUT_NATIVE;
	for (i = 0; i < sizeof(compat) / sizeof(compat[0]); i++)
		if (strcmp(name, compat[i].name) == 0)
			return audit == AUDIT_ARCH_ARM ? compat[i].arm :
			    compat[i].layout;
	return SYSCALLS_LAYOUT_NATIVE;
}

static struct syscalls_arch *
syscalls_arch_find(uint32_t audit)
{
	size_t i;

	for (i = 0; i < SYSCALLS_NARCHES; i++)
		if (syscalls_arches[i].audit == audit)
			return &syscalls_arches[i];
	return NULL;
}

/* Tables are filled on first use, by whichever receiver thread needs one. */
static pthread_mutex_t syscalls_lock = PTHREAD_MUTEX_INITIALIZER;

static struct syscalls_arch *
syscalls_arch(uint32_t audit)
{
	struct syscalls_arch *a;
	const char *const *name;
	int id, nr;

	if ((a = syscalls_arch_find(audit)) == NULL)
		return NULL;
	if (__atomic_load_n(&a->ready, __ATOMIC_ACQUIRE))
		return a;
	pthread_mutex_lock(&syscalls_lock);
	if (a->ready) {
		pthread_mutex_unlock(&syscalls_lock);
		return a;
	}
	memset(a->id, -1, sizeof(a->id));
	for (id = 0; id < SYSCALLS_NIDS; id++)
		for (name = syscalls_table[id]; *name != NULL; name++) {
			/* Negative: absent on this arch. */
			nr = seccomp_syscall_resolve_name_arch(a->scmp, *name);
			if (nr < 0)
				nr = syscalls_fallback_nr(*name);
			if (nr < 0 || nr >= SYSCALLS_MAXNR)
				continue;
			a->id[nr] = id;
			a->layout[nr] = syscalls_layout_of(audit, *name);
			a->name[nr] = *name;
		}
	__atomic_store_n(&a->ready, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&syscalls_lock);
	return a;
}

const char *
syscalls_name(int id)
{
	if (id < 0 || id >= SYSCALLS_NIDS)
		return NULL;
	return syscalls_table[id][0];
}

const char *const *
syscalls_names(int id)
{
	if (id < 0 || id >= SYSCALLS_NIDS)
		return NULL;
	return syscalls_table[id];
}

int
syscalls_arch_has(uint32_t audit, const char *name)
{
	struct syscalls_arch *a = syscalls_arch(audit);
	int nr;

	for (nr = 0; a != NULL && nr < SYSCALLS_MAXNR; nr++)
		if (a->name[nr] != NULL && strcmp(a->name[nr], name) == 0)
			return 1;
	return 0;
}

int
syscalls_from_name(const char *name)
{
	const char *const *n;
	int id;

	for (id = 0; id < SYSCALLS_COUNT; id++)
		for (n = syscalls_table[id]; *n != NULL; n++)
			if (strcmp(*n, name) == 0)
				return id;
	return -1;
}

int
syscalls_lookup(uint32_t audit, int nr, enum syscalls_layout *layout)
{
	struct syscalls_arch *a = syscalls_arch(audit);

	if (a == NULL || nr < 0 || nr >= SYSCALLS_MAXNR || a->id[nr] < 0)
		return -1;
	if (layout != NULL)
		*layout = a->layout[nr];
	return a->id[nr];
}

int
syscalls_arch_is_32bit(uint32_t audit)
{
	struct syscalls_arch *a = syscalls_arch_find(audit);

	return a != NULL && a->is32;
}

const char *
syscalls_arch_label(uint32_t audit)
{
	struct syscalls_arch *a = syscalls_arch_find(audit);

	return a != NULL ? a->label : NULL;
}

const char *
syscalls_arch_tag(uint32_t audit)
{
	if (audit == SYSCALLS_NATIVE)
		return "";
	switch (audit) {
	case AUDIT_ARCH_I386:
		return "/i386";
	case AUDIT_ARCH_ARM:
		return "/arm";
	case AUDIT_ARCH_AARCH64:
		return "/aarch64";
	case AUDIT_ARCH_X86_64:
		return "/x86_64";
	}
	return "/?";
}

uint32_t
syscalls_native_arch(void)
{
	return SYSCALLS_NATIVE;
}

uint32_t
syscalls_compat_arch(void)
{
	return SYSCALLS_COMPAT;
}

uint32_t
syscalls_arch_scmp(uint32_t audit)
{
	struct syscalls_arch *a = syscalls_arch_find(audit);

	return a != NULL ? a->scmp : 0;
}

const char *
syscalls_arch_name(uint32_t audit, int nr)
{
	struct syscalls_arch *a = syscalls_arch(audit);

	if (a == NULL || nr < 0 || nr >= SYSCALLS_MAXNR)
		return NULL;
	return a->name[nr];
}

int
syscalls_fallback_nr(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(syscalls_fallback) /
	    sizeof(syscalls_fallback[0]); i++)
		if (strcmp(syscalls_fallback[i].name, name) == 0)
			return syscalls_fallback[i].nr;
	return -1;
}

syscalls_mask
syscalls_run_mask(syscalls_mask rules, int privileged)
{
	if (rules == 0)
		return 0;
	rules |= SYSCALLS_MASK(SYSCALLS_UMASK) | SYSCALLS_MASK(SYSCALLS_ROOT);
	if (privileged)
		rules |= SYSCALLS_MASK(SYSCALLS_CREDS);
	return rules;
}
