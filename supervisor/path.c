/* SPDX-License-Identifier: MIT */
/* Paths as the target sees them: relative to its cwd or a dirfd, and
 * normalised lexically for matching. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "path.h"

void
path_normalise(char *path)
{
	char *r = path, *w = path;
	int trailing;

	/* w always ends without '/' except for the root itself. */
	*w++ = '/';
	while (*r != '\0') {
		const char *c;
		size_t n;

		while (*r == '/')
			r++;
		if (*r == '\0')
			break;
		c = r;
		while (*r != '\0' && *r != '/')
			r++;
		n = r - c;
		if (n == 1 && c[0] == '.')
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (w > path + 1 && *--w != '/')
				;
			if (w == path)
				w++;
			continue;
		}
		if (w > path + 1)
			*w++ = '/';
		memmove(w, c, n);
		w += n;
	}
	/* "a/", "a/." and "a/.." name a directory: keep the slash. */
	trailing = r > path && (r[-1] == '/' ||
	    (r[-1] == '.' && (r - 1 == path || r[-2] == '/' ||
	    (r[-2] == '.' && (r - 2 == path || r[-3] == '/')))));
	if (trailing && w > path + 1)
		*w++ = '/';
	*w = '\0';
}

int
path_resolve(pid_t tid, int dirfd, const char *path, char *out, size_t len)
{
	char link[64];
	ssize_t n;
	size_t plen = strlen(path);

	if (plen == 0)
		return -ENOENT;
	if (path[0] == '/') {
		if (plen >= len)
			return -ENAMETOOLONG;
		memcpy(out, path, plen + 1);
	} else {
		if (dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
		else if (dirfd < 0)
			return -EBADF;
		else
			snprintf(link, sizeof(link), "/proc/%d/fd/%d",
			    (int)tid, dirfd);
		n = readlink(link, out, len);
		if (n < 0)
			return errno == ENOENT ? (dirfd == AT_FDCWD ?
			    -ESRCH : -EBADF) : -errno;
		/* Not a directory path: a socket:[..], pipe:[..] or the like. */
		if (n == 0 || out[0] != '/')
			return -ENOTDIR;
		if ((size_t)n + 1 + plen >= len)
			return -ENAMETOOLONG;
		out[n] = '/';
		memcpy(out + n + 1, path, plen + 1);
	}
	path_normalise(out);
	return 0;
}
