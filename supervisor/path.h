/* SPDX-License-Identifier: MIT */
/* Paths as the target sees them: relative to its cwd or a dirfd, and
 * normalised lexically for matching. */
#ifndef PATH_H
#define PATH_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Fold "//", "/./" and ".." in an absolute path in place, without looking
 * at the file system (".." of "/" is "/"). A trailing '/' is kept, since
 * "/a/file/" must not match a rule for "/a/file".
 */
void	path_normalise(char *path);

/*
 * Make path absolute as task tid would resolve it: against its cwd for
 * AT_FDCWD, against its open directory dirfd otherwise (dirfd is ignored for
 * an absolute path), then normalise. Returns 0, or -errno (-EBADF for a dirfd
 * the task has not open, -ESRCH if it is gone, -ENAMETOOLONG, -ENOENT for an
 * empty path).
 */
int	path_resolve(pid_t tid, int dirfd, const char *path, char *out,
	    size_t len);

#endif
