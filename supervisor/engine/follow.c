/* SPDX-License-Identifier: MIT */
/* Symlinks met inside a redirect's destination, translated again when they
 * point back into a redirected source, as proot does. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "creds.h"
#include "follow.h"
#include "path.h"

/* As the kernel's MAXSYMLINKS. */
#define FOLLOW_MAX	40

int
follow_last(const struct call *c, int i)
{
	switch (c->kind) {
	case ACT_OPEN:
		return !(c->flags & O_NOFOLLOW) &&
		    (c->flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	case ACT_READLINK:
		return 0;
	case ACT_HANDLE:
		return (c->atflags & AT_SYMLINK_FOLLOW) != 0;
	case ACT_PERFORM:
		switch (c->sysid) {
		case SYSCALLS_LINK:
		case SYSCALLS_LINKAT:
			return i == 0 && (c->atflags & AT_SYMLINK_FOLLOW);
		case SYSCALLS_CHMOD:
		case SYSCALLS_FCHMODAT:
		case SYSCALLS_FCHMODAT2:
		case SYSCALLS_CHOWN:
		case SYSCALLS_LCHOWN:
		case SYSCALLS_FCHOWNAT:
		case SYSCALLS_TRUNCATE:
		case SYSCALLS_UTIME:
		case SYSCALLS_UTIMES:
		case SYSCALLS_FUTIMESAT:
		case SYSCALLS_UTIMENSAT:
		case SYSCALLS_SETXATTR:
		case SYSCALLS_LSETXATTR:
		case SYSCALLS_SETXATTRAT:
		case SYSCALLS_REMOVEXATTR:
		case SYSCALLS_LREMOVEXATTR:
		case SYSCALLS_REMOVEXATTRAT:
			return !(c->atflags & AT_SYMLINK_NOFOLLOW);
		default:
			/* Entries: unlink, rename, mkdir, symlink name them. */
			return 0;
		}
	default:
		return !(c->atflags & AT_SYMLINK_NOFOLLOW);
	}
}

int
follow_link(struct target *t, const char *path, char *link, size_t len)
{
	struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT };
	struct stat st;
	int rootfd, r;
	ssize_t n;
	long fd;

	if ((r = target_root(t, &rootfd)) < 0)
		return r;
	if (rootfd < 0) {
		if (lstat(path, &st) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode))
			return 0;
		n = readlink(path, link, len - 1);
	} else {
		if ((fd = syscall(SYS_openat2, rootfd, path, &how,
		    sizeof(how))) < 0)
			return -errno;
		if (fstatat((int)fd, "", &st, AT_EMPTY_PATH |
		    AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode)) {
			close((int)fd);
			return 0;
		}
		n = readlinkat((int)fd, "", link, len - 1);
		close((int)fd);
	}
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return 1;
}

/* Is any symlink on the way to dst? One lookup that refuses them. */
static int
follow_any(struct target *t, const char *dst, int last)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC |
	    (last ? 0 : O_NOFOLLOW), .resolve = RESOLVE_NO_SYMLINKS };
	int rootfd;
	long fd;

	if (target_root(t, &rootfd) < 0)
		return 0;
	if (rootfd >= 0)
		how.resolve |= RESOLVE_IN_ROOT;
	fd = syscall(SYS_openat2, rootfd >= 0 ? rootfd : AT_FDCWD, dst, &how,
	    sizeof(how));
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	return errno == ELOOP;
}

int
follow_resolve(const struct rule_set *rules, struct target *t,
    const struct call *c, int i, char *dst, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX], next[PATH_MAX];
	struct creds_saved saved;
	const struct rule *r;
	const char *end;
	size_t at;
	int last = follow_last(c, i), hops = 0, n, ret = 0;

	if ((n = creds_enter(t, 0, &saved)) < 0)
		return n;
	if (!follow_any(t, dst, last))
		goto out;
	snprintf(path, sizeof(path), "%s", dst);
again:
	/* Each prefix of the normalised path, up to a component's end. */
	for (at = 1; path[at - 1] != '\0' && path[at] != '\0'; at = end - path +
	    1) {
		for (end = path + at; *end != '\0' && *end != '/'; end++)
			;
		if (*end == '\0' && !last)
			break;
		snprintf(next, sizeof(next), "%.*s", (int)(end - path), path);
		if ((n = follow_link(t, next, link, sizeof(link))) <= 0) {
			if (n < 0)
				break;	/* missing: the kernel tells */
			if (*end == '\0')
				break;
			continue;
		}
		if (++hops > FOLLOW_MAX) {
			ret = -ELOOP;
			goto out;
		}
		/* The link's text, against its directory, then the rest. */
		n = link[0] == '/' ?
		    snprintf(next, sizeof(next), "%s%s", link, end) :
		    snprintf(next, sizeof(next), "%.*s/%s%s",
		    (int)(path + at - 1 - path), path, link, end);
		if (n < 0 || (size_t)n >= sizeof(next)) {
			ret = -ENAMETOOLONG;
			goto out;
		}
		path_normalise(next);
		r = rules_match(rules, next, c->sysid, c->p[i].write);
		if (r != NULL && r->action == RULE_ERRNO) {
			ret = r->err;
			goto out;
		}
		if (r != NULL && r->action == RULE_REDIRECT) {
			if ((ret = rules_target(r, next, path,
			    sizeof(path))) < 0)
				goto out;
		} else
			memcpy(path, next, strlen(next) + 1);
		goto again;
	}
	if (hops > 0 && snprintf(dst, len, "%s", path) >= (int)len)
		ret = -ENAMETOOLONG;
out:
	creds_leave(&saved);
	return ret;
}
