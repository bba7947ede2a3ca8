/* SPDX-License-Identifier: MIT */
/* Build the seccomp filter from a syscall set and install it in a child. */
#ifndef FILTER_H
#define FILTER_H

#include <stdint.h>
#include <stdio.h>

#include "syscalls.h"

struct filter;

/*
 * Build a filter that answers SECCOMP_RET_USER_NOTIF for every syscall in
 * mask (SYSCALLS_MASK bits) and allows everything else; foreign arches and
 * x32 numbers kill the process, nr == -1 passes. Returns 0 and sets *out,
 * or -errno with a reason in *cause (static string).
 */
int	 filter_build(syscalls_mask mask, struct filter **out, const char **cause);
void	 filter_free(struct filter *);

/*
 * Install the filter in the calling process with a new listener and return
 * the listener fd (O_CLOEXEC), or -errno. Sets no_new_privs first. Uses only
 * async-signal-safe calls and makes no notified syscall: it is meant to run
 * between fork() and exec().
 */
int	 filter_apply(const struct filter *);

/* Print the BPF program, one instruction a line, with names for arches,
 * syscalls and actions. */
void	 filter_print(const struct filter *, FILE *);

/* The raw program, for tests and export. */
size_t	 filter_program(const struct filter *, const void **insns);

#endif
