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
path_dir(pid_t tid, int dirfd, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
	else if (dirfd < 0)
		return -EBADF;
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, dirfd);
	n = readlink(link, out, len);
	if (n < 0)
		return errno == ENOENT ? (dirfd == AT_FDCWD ? -ESRCH : -EBADF) :
		    -errno;
	/* Not a directory path: a socket:[..], pipe:[..] or the like. */
	if (n == 0 || out[0] != '/')
		return -ENOTDIR;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return 0;
}

int
path_join(const char *dir, const char *path, char *out, size_t len)
{
	size_t dlen = path[0] == '/' ? 0 : strlen(dir), plen = strlen(path);

	if (plen == 0)
		return -ENOENT;
	if ((dlen > 0 ? dlen + 1 : 0) + plen >= len)
		return -ENAMETOOLONG;
	if (dlen > 0) {
		memmove(out, dir, dlen);
		out[dlen] = '/';
		memcpy(out + dlen + 1, path, plen + 1);
	} else
		memcpy(out, path, plen + 1);
	path_normalise(out);
	return 0;
}
