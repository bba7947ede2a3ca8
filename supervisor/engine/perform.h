/* SPDX-License-Identifier: MIT */
/* Performing a call that changes the file system (unlink, rename, mkdir,
 * chmod, utimensat, setxattr, ...) for the target, with its paths moved. */
#ifndef PERFORM_H
#define PERFORM_H

#include "act.h"

/*
 * Perform c, an ACT_PERFORM call, in t's context (its credentials, umask
 * and root) with path i at dst[i] (absolute in t's view). Arguments other
 * than paths (modes, ids, times, attribute names and values, a symlink's
 * text) are read from c and from t's memory as the kernel reads them.
 * Returns the call's result (>= 0) or -errno.
 */
long	perform_call(struct target *, const struct call *,
	    const char *const dst[CALL_PATHS]);

#endif
