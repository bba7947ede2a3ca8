/* SPDX-License-Identifier: MIT */
/* The OCI seccomp profile that hands a rule set's calls to the agent. */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdint.h>
#include <stdio.h>

#include "syscalls.h"

struct json_object;

/*
 * The runtime-spec linux.seccomp object (also what containerd, CRI-O and
 * podman read as a Localhost profile): default SCMP_ACT_ALLOW,
 * SCMP_ACT_NOTIFY for every syscall of the ids in mask (SYSCALLS_MASK
 * bits, every arch's name of each) with the argument conditions
 * filter_build() sets, the arches unotifyd supervises, listenerPath and
 * listenerMetadata. Returns 0 and sets *out
 * (the caller owns it: json_object_put), -EINVAL if mask is empty or
 * listener is not absolute, or -ENOMEM.
 */
int	 profile_build(syscalls_mask mask, const char *listener,
	    const char *metadata, struct json_object **out);

/* profile_build, printed as indented JSON with a final newline to f.
 * Returns 0 or -errno (-EIO for a write error). */
int	 profile_print(syscalls_mask mask, const char *listener,
	    const char *metadata, FILE *f);

#endif
