/* SPDX-License-Identifier: MIT */
/* Decoding a notified call's arguments, one table row per path syscall. */
#ifndef CALLS_H
#define CALLS_H

#include <linux/seccomp.h>

#include "act.h"

/*
 * Fill c from the notification's seccomp_data: kind, arguments, each path
 * argument's dirfd and address, and whether the call writes through it
 * (c->sysid and c->layout already set). Reads nothing from the target but
 * openat2's struct open_how. Returns 0, or -errno to answer as the kernel
 * would (EINVAL, E2BIG, EFAULT).
 */
int	calls_decode(pid_t tid, const struct seccomp_data *, struct call *);

#endif
