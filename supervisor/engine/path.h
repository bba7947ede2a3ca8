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
 * The directory task tid resolves a relative path against: its cwd for
 * AT_FDCWD, its open directory dirfd otherwise, as the path /proc shows (our
 * view). Returns 0, or -errno (-EBADF for a dirfd the task has not open,
 * -ESRCH if it is gone, -ENOTDIR for a socket or pipe, -ENAMETOOLONG).
 */
int	path_dir(pid_t tid, int dirfd, char *out, size_t len);

/*
 * path made absolute against dir (ignored when path is absolute; dir may be
 * out itself), normalised, in out. Returns 0, -ENOENT for an empty path, or
 * -ENAMETOOLONG.
 */
int	path_join(const char *dir, const char *path, char *out, size_t len);

#endif
