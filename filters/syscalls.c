/* SPDX-License-Identifier: MIT */
/* The path syscalls unotifyd handles, by name and by number on each arch. */
#include <linux/audit.h>
#include <pthread.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "syscalls.h"

/* Every name that maps to an id; the first is the id's own name. */
static const char *const syscalls_table[SYSCALLS_NIDS][20] = {
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
	[SYSCALLS_CREDS] = { "setuid", "setgid", "setreuid", "setregid",
	    "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups",
	    "capset", "setuid32", "setgid32", "setreuid32", "setregid32",
	    "setresuid32", "setresgid32", "setfsuid32", "setfsgid32",
	    "setgroups32" },
	[SYSCALLS_UMASK] = { "umask" },
	[SYSCALLS_ROOT] = { "chroot", "pivot_root" },
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
 * Where a 32-bit stat call writes something other than the native struct
 * stat. i386 and ARM EABI share the old struct stat (the kernel's struct
 * compat_stat, 64 bytes); their struct stat64 differ: packed on i386,
 * 8-byte aligned on ARM.
 */
static enum syscalls_layout
syscalls_layout_of(uint32_t audit, const char *name)
{
	int stat64;

	if (audit != AUDIT_ARCH_I386 && audit != AUDIT_ARCH_ARM)
		return SYSCALLS_LAYOUT_NATIVE;
	if (strcmp(name, "stat") == 0 || strcmp(name, "lstat") == 0)
		return SYSCALLS_LAYOUT_STAT32;
	stat64 = strstr(name, "stat64") != NULL ||
	    strcmp(name, "fstatat64") == 0;
	if (!stat64)
		return SYSCALLS_LAYOUT_NATIVE;
	return audit == AUDIT_ARCH_ARM ? SYSCALLS_LAYOUT_STAT64_EABI :
	    SYSCALLS_LAYOUT_STAT64;
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

uint32_t
syscalls_run_mask(uint32_t rules, int privileged)
{
	if (rules == 0)
		return 0;
	rules |= SYSCALLS_MASK(SYSCALLS_UMASK) | SYSCALLS_MASK(SYSCALLS_ROOT);
	if (privileged)
		rules |= SYSCALLS_MASK(SYSCALLS_CREDS);
	return rules;
}
