/* SPDX-License-Identifier: MIT */
/* Calls only the target itself can make (chdir, execve, execveat,
 * inotify_add_watch, fanotify_mark, O_PATH opens), redirected by rewriting
 * the path they pass and letting them continue. */
#ifndef REWRITE_H
#define REWRITE_H

#include <linux/seccomp.h>

#include "act.h"
#include "notify.h"

/*
 * Answer c, whose path 0 is redirected to dst (absolute, t's view), so that
 * the kernel runs it on dst in the target: overwrite the path string in the
 * target's memory with one naming dst that fits in place (dst itself, or
 * dst relative to the cwd), or with /proc/self/fd/N for a descriptor of
 * dst installed close-on-exec (kept across exec for a #! script, whose
 * interpreter opens it again), then continue. An O_PATH open of a directory
 * or a regular file is answered with a descriptor of it instead, as an
 * O_PATH descriptor cannot be installed. Returns 0 once answered, or -errno
 * for the caller to answer.
 */
int	rewrite_call(struct notify *, const struct seccomp_notif *,
	    struct target *, const struct call *, const char *dst);

#endif
