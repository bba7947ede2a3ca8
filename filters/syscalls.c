/* SPDX-License-Identifier: MIT */
/* The path syscalls unotifyd handles, by name and by number on each arch. */
#include <linux/audit.h>
#include <seccomp.h>
#include <string.h>

#include "syscalls.h"

static const char *const syscalls_names[SYSCALLS_COUNT] = {
	[SYSCALLS_OPEN] = "open",
	[SYSCALLS_OPENAT] = "openat",
	[SYSCALLS_OPENAT2] = "openat2",
	[SYSCALLS_CREAT] = "creat",
};

/* Numbers are resolved once per arch through libseccomp's tables, so the
 * same code serves x86_64 and (later) i386 without per-arch headers. */
struct syscalls_arch {
	uint32_t	audit;
	uint32_t	scmp;
	int		ready;
	int		nr[SYSCALLS_COUNT];
};

static struct syscalls_arch syscalls_arches[] = {
	{ AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, 0, { 0 } },
	{ AUDIT_ARCH_I386, SCMP_ARCH_X86, 0, { 0 } },
};

static struct syscalls_arch *
syscalls_arch(uint32_t audit)
{
	struct syscalls_arch *a;
	int id, nr;

	for (a = syscalls_arches; a < syscalls_arches +
	    sizeof(syscalls_arches) / sizeof(syscalls_arches[0]); a++) {
		if (a->audit != audit)
			continue;
		if (!a->ready) {
			for (id = 0; id < SYSCALLS_COUNT; id++) {
				nr = seccomp_syscall_resolve_name_arch(a->scmp,
				    syscalls_names[id]);
				a->nr[id] = nr == __NR_SCMP_ERROR ? -1 : nr;
			}
			a->ready = 1;
		}
		return a;
	}
	return NULL;
}

const char *
syscalls_name(int id)
{
	if (id < 0 || id >= SYSCALLS_COUNT)
		return NULL;
	return syscalls_names[id];
}

int
syscalls_from_name(const char *name)
{
	int id;

	for (id = 0; id < SYSCALLS_COUNT; id++)
		if (strcmp(syscalls_names[id], name) == 0)
			return id;
	return -1;
}

int
syscalls_number(uint32_t audit, int id)
{
	struct syscalls_arch *a = syscalls_arch(audit);

	if (a == NULL || id < 0 || id >= SYSCALLS_COUNT)
		return -1;
	return a->nr[id];
}

int
syscalls_lookup(uint32_t audit, int nr)
{
	struct syscalls_arch *a = syscalls_arch(audit);
	int id;

	if (a == NULL || nr < 0)
		return -1;
	for (id = 0; id < SYSCALLS_COUNT; id++)
		if (a->nr[id] == nr)
			return id;
	return -1;
}
