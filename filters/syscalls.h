/* SPDX-License-Identifier: MIT */
/* The path syscalls unotifyd can handle: names, ids and per-arch numbers. */
#ifndef SYSCALLS_H
#define SYSCALLS_H

#include <stdint.h>

enum syscalls_id {
	SYSCALLS_OPEN,
	SYSCALLS_OPENAT,
	SYSCALLS_OPENAT2,
	SYSCALLS_CREAT,
	SYSCALLS_COUNT
};

#define SYSCALLS_MASK(id)	(1u << (id))
#define SYSCALLS_ALL		((1u << SYSCALLS_COUNT) - 1)

/* Name of an id ("openat"), or NULL if out of range. */
const char	*syscalls_name(int);
/* Id of a name, or -1 if unotifyd does not handle that syscall. */
int		 syscalls_from_name(const char *);
/* Id for a syscall number on an audit arch (AUDIT_ARCH_*), or -1. */
int		 syscalls_lookup(uint32_t, int);
/* Number of an id on an audit arch, or -1 if the arch lacks it. */
int		 syscalls_number(uint32_t, int);

#endif
