/* SPDX-License-Identifier: MIT */
/* The notifying task as the kernel sees it: credentials, umask, root. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memory.h"
#include "notify.h"
#include "target.h"
#include "util.h"

/* Written by the loop thread, read by workers. */
static int	target_assumed;
static int	target_creds_changed;
static int	target_umask_changed;
static int	target_root_changed;
static int	target_root_always;
static mode_t	target_spawn_umask;

/* Our own root and user namespace, looked up once by whichever thread
 * asks first; an inode of 0 (lookup failed) matches no target. */
static pthread_once_t	target_ours_once = PTHREAD_ONCE_INIT;
static dev_t		target_our_root_dev;
static ino_t		target_our_root_ino;
static ino_t		target_our_userns;
static ino_t		target_our_mntns;

static int	target_ns_is(struct target *, const char *, ino_t);

static void
target_ours_init(void)
{
	struct stat st;

	if (stat("/", &st) == 0) {
		target_our_root_dev = st.st_dev;
		target_our_root_ino = st.st_ino;
	}
	if (stat("/proc/self/ns/user", &st) == 0)
		target_our_userns = st.st_ino;
	if (stat("/proc/self/ns/mnt", &st) == 0)
		target_our_mntns = st.st_ino;
}

void
target_assume(mode_t mask)
{
	target_spawn_umask = mask;
	__atomic_store_n(&target_assumed, 1, __ATOMIC_RELEASE);
}

void
target_changed_creds(void)
{
	__atomic_store_n(&target_creds_changed, 1, __ATOMIC_RELEASE);
}

void
target_changed_umask(void)
{
	__atomic_store_n(&target_umask_changed, 1, __ATOMIC_RELEASE);
}

void
target_always_own_root(void)
{
	target_root_always = 1;
}

void
target_changed_root(void)
{
	__atomic_store_n(&target_root_changed, 1, __ATOMIC_RELEASE);
}

int
target_has_our_creds(const struct target *t)
{
	(void)t;
	return __atomic_load_n(&target_assumed, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&target_creds_changed, __ATOMIC_ACQUIRE);
}

int
target_umask(struct target *t, mode_t *mask)
{
	int r;

	if (__atomic_load_n(&target_assumed, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&target_umask_changed, __ATOMIC_ACQUIRE)) {
		*mask = target_spawn_umask;
		return 0;
	}
	if ((r = target_status(t)) < 0)
		return r;
	*mask = t->umask;
	return 0;
}

void
target_init(struct target *t, pid_t tid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->rootfd = TARGET_ROOT_UNKNOWN;
	t->procfd = t->memfd = -1;
	t->umask = 022;
}

void
target_fini(struct target *t)
{
	free(t->groups);
	t->groups = NULL;
	if (t->rootfd >= 0 && !t->root_borrowed)
		close(t->rootfd);
	t->rootfd = TARGET_ROOT_UNKNOWN;
	t->root_borrowed = 0;
	if (t->procfd >= 0)
		close(t->procfd);
	if (t->memfd >= 0)
		close(t->memfd);
	t->procfd = t->memfd = -1;
}

void
target_watch(struct target *t, const struct notify *n, uint64_t id)
{
	t->notify = n;
	t->id = id;
}

int
target_pin(struct target *t)
{
	char dir[64];
	int fd;

	if (t->procfd >= 0)
		return 0;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)t->tid);
	if ((fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* Still pending: the directory is the task's that asked. */
	if (t->notify != NULL && notify_id_valid(t->notify, t->id) < 0) {
		close(fd);
		return -ESRCH;
	}
	t->procfd = fd;
	return 0;
}

/* Open /proc/TID/name through the pinned directory (pinning it first when
 * a notification is watched), or by tid when none is. */
static int
target_open(struct target *t, const char *name, int flags)
{
	char file[64];
	int fd, r;

	if (t->procfd < 0 && t->notify != NULL && (r = target_pin(t)) < 0)
		return r;
	if (t->procfd >= 0)
		fd = openat(t->procfd, name, flags | O_CLOEXEC);
	else {
		snprintf(file, sizeof(file), "/proc/%d/%s", (int)t->tid, name);
		fd = open(file, flags | O_CLOEXEC);
	}
	return fd < 0 ? (errno == ENOENT ? -ESRCH : -errno) : fd;
}

/* The pinned memory descriptor, opened on first use; -errno. Unreadable
 * memory (another user's task, a non-dumpable one) answers EPERM. */
static int
target_memfd(struct target *t)
{
	int fd;

	if (t->memfd >= 0)
		return t->memfd;
	if ((fd = target_open(t, "mem", O_RDWR)) < 0)
		return fd == -ESRCH ? fd : -EPERM;
	return t->memfd = fd;
}

int
target_read(struct target *t, uint64_t addr, void *buf, size_t len)
{
	int fd;

	if (t->notify == NULL && t->procfd < 0)
		return memory_read(t->tid, addr, buf, len);
	if ((fd = target_memfd(t)) < 0)
		return fd;
	return memory_fd_read(fd, addr, buf, len);
}

ssize_t
target_read_string(struct target *t, uint64_t addr, char *buf, size_t len)
{
	int fd;

	if (t->notify == NULL && t->procfd < 0)
		return memory_read_string(t->tid, addr, buf, len);
	if ((fd = target_memfd(t)) < 0)
		return fd;
	return memory_fd_read_string(fd, addr, buf, len);
}

int
target_write(struct target *t, uint64_t addr, const void *buf, size_t len)
{
	int fd;

	if (t->notify == NULL && t->procfd < 0)
		return memory_write(t->tid, addr, buf, len);
	if ((fd = target_memfd(t)) < 0)
		return fd;
	return memory_fd_write(fd, addr, buf, len);
}

static void
target_groups(struct target *t, const char *list)
{
	char *end;
	long g;

	free(t->groups);
	t->groups = NULL;
	t->ngroups = 0;
	for (;;) {
		while (*list == ' ' || *list == '\t')
			list++;
		if (*list < '0' || *list > '9')
			break;		/* the line's end */
		g = strtol(list, &end, 10);
		if (end == list)
			break;
		t->groups = xreallocarray(t->groups, t->ngroups + 1,
		    sizeof(gid_t));
		t->groups[t->ngroups++] = (gid_t)g;
		list = end;
	}
}

struct target_view *
target_view_new(void)
{
	struct target_view *v = xcalloc(1, sizeof(*v));

	pthread_mutex_init(&v->lock, NULL);
	v->rootfd = v->userns = -1;
	return v;
}

void
target_view_free(void *arg)
{
	struct target_view *v = arg;

	if (v == NULL)
		return;
	pthread_mutex_destroy(&v->lock);
	if (v->rootfd >= 0)
		close(v->rootfd);
	free(v->groups);
	free(v);
}

void
target_view_changed(struct target_view *v)
{
	if (v != NULL)
		__atomic_store_n(&v->changed, 1, __ATOMIC_RELEASE);
}

/* Fill t from its listener's view; 0, or -1 when the view cannot say. */
static int
target_from_view(struct target *t)
{
	struct target_view *v = t->view;
	int r = -1;

	if (v == NULL || __atomic_load_n(&v->changed, __ATOMIC_ACQUIRE))
		return -1;
	pthread_mutex_lock(&v->lock);
	if (v->known) {
		t->ruid = v->ruid;
		t->euid = v->euid;
		t->fsuid = v->fsuid;
		t->rgid = v->rgid;
		t->egid = v->egid;
		t->fsgid = v->fsgid;
		t->umask = v->umask;
		t->capeff = v->capeff;
		free(t->groups);
		t->ngroups = v->ngroups;
		t->groups = xreallocarray(NULL, v->ngroups + 1,
		    sizeof(gid_t));
		memcpy(t->groups, v->groups, v->ngroups * sizeof(gid_t));
		t->have_status = 1;
		r = 0;
	}
	pthread_mutex_unlock(&v->lock);
	return r;
}

/* The first status read through a pinned directory teaches the view. */
static void
target_to_view(const struct target *t)
{
	struct target_view *v = t->view;

	if (v == NULL || t->procfd < 0 ||
	    __atomic_load_n(&v->changed, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&v->lock);
	if (!v->known) {
		v->ruid = t->ruid;
		v->euid = t->euid;
		v->fsuid = t->fsuid;
		v->rgid = t->rgid;
		v->egid = t->egid;
		v->fsgid = t->fsgid;
		v->umask = t->umask;
		v->capeff = t->capeff;
		v->ngroups = t->ngroups;
		v->groups = xreallocarray(NULL, t->ngroups + 1,
		    sizeof(gid_t));
		if (t->ngroups > 0)
			memcpy(v->groups, t->groups,
			    t->ngroups * sizeof(gid_t));
		v->known = 1;
	}
	pthread_mutex_unlock(&v->lock);
}

/* The value of "Name:" at the start of a line of buf, or NULL. */
static const char *
target_field(const char *buf, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = buf; (p = strstr(p, name)) != NULL; p += len)
		if (p == buf || p[-1] == '\n')
			return p + len;
	return NULL;
}

/* "N N N N" (real, effective, saved, fs); 0, or -1 if malformed. */
static int
target_ids(const char *p, unsigned long v[4])
{
	char *end;
	int i;

	for (i = 0; i < 4; i++, p = end) {
		v[i] = strtoul(p, &end, 10);
		if (end == p)
			return -1;
	}
	return 0;
}

int
target_status(struct target *t)
{
	unsigned long u[4], g[4];
	const char *p, *up, *gp, *groups, *caps;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if (t->have_status || target_from_view(t) == 0)
		return 0;
	if ((fd = target_open(t, "status", O_RDONLY)) < 0)
		return fd;
	/* One read for the usual 1.5 KiB; one parse, not a scanf a line
	 * (this is on every call of a target whose credentials may vary). */
	do {
		if (cap - len < 2048)
			buf = xreallocarray(buf, cap = cap == 0 ? 4096 :
			    cap * 2, 1);
		n = read(fd, buf + len, cap - len - 1);
		len += n > 0 ? (size_t)n : 0;
	} while (n > 0 || (n < 0 && errno == EINTR));
	close(fd);
	buf[len] = '\0';
	up = target_field(buf, "Uid:");
	gp = target_field(buf, "Gid:");
	groups = target_field(buf, "Groups:");
	caps = target_field(buf, "CapEff:");
	/* A task reaped while we read leaves an empty or partial file. */
	if (up == NULL || gp == NULL || groups == NULL || caps == NULL ||
	    target_ids(up, u) < 0 || target_ids(gp, g) < 0) {
		free(buf);
		return -ESRCH;
	}
	if ((p = target_field(buf, "Umask:")) != NULL)
		t->umask = (mode_t)(strtoul(p, NULL, 8) & 0777);
	t->ruid = (uid_t)u[0];
	t->euid = (uid_t)u[1];
	t->fsuid = (uid_t)u[3];
	t->rgid = (gid_t)g[0];
	t->egid = (gid_t)g[1];
	t->fsgid = (gid_t)g[3];
	t->capeff = strtoull(caps, NULL, 16);
	target_groups(t, groups);
	free(buf);
	t->have_status = 1;
	target_to_view(t);
	return 0;
}

int
target_root(struct target *t, int *rootfd)
{
	struct target_view *v;
	struct stat st;
	int fd, copy;

	if (t->rootfd != TARGET_ROOT_UNKNOWN) {
		*rootfd = t->rootfd;
		return 0;
	}
	if (__atomic_load_n(&target_assumed, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&target_root_changed, __ATOMIC_ACQUIRE)) {
		t->rootfd = *rootfd = -1;
		return 0;
	}
	/* A tracked listener's root, found for its first call. */
	v = t->view;
	if (v != NULL && !__atomic_load_n(&v->changed, __ATOMIC_ACQUIRE) &&
	    (fd = __atomic_load_n(&v->rootfd, __ATOMIC_ACQUIRE)) >= 0) {
		t->root_borrowed = 1;
		t->rootfd = *rootfd = fd;
		return 0;
	}
	pthread_once(&target_ours_once, target_ours_init);
	/* The root's fd (one open and fstat), kept only for another root. */
	if ((fd = target_open(t, "root", O_PATH | O_DIRECTORY)) < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	/* The same directory seen from another mount namespace (unshare
	 * -m) is another root: its mounts are not ours (when it cannot be
	 * told, ours). */
	if (st.st_dev == target_our_root_dev &&
	    st.st_ino == target_our_root_ino && !target_root_always &&
	    target_ns_is(t, "mnt", target_our_mntns) != 0) {
		close(fd);
		t->rootfd = *rootfd = -1;
		return 0;
	}
	t->rootfd = *rootfd = fd;
	/* Opened through the pinned directory: the view may keep a copy
	 * (the first to get there). */
	if (v != NULL && t->procfd >= 0 &&
	    !__atomic_load_n(&v->changed, __ATOMIC_ACQUIRE) &&
	    (copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0) {
		int none = -1;

		if (!__atomic_compare_exchange_n(&v->rootfd, &none, copy, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			close(copy);
	}
	return 0;
}

int
target_strip_root(struct target *t, char *path)
{
	char file[64], root[4096];
	size_t len;
	ssize_t n;
	int rootfd, r;

	if ((r = target_root(t, &rootfd)) < 0)
		return r;
	if (rootfd < 0)
		return 0;
	if (t->procfd < 0 && t->notify != NULL && (r = target_pin(t)) < 0)
		return r;
	if (t->procfd >= 0)
		n = readlinkat(t->procfd, "root", root, sizeof(root) - 1);
	else {
		snprintf(file, sizeof(file), "/proc/%d/root", (int)t->tid);
		n = readlink(file, root, sizeof(root) - 1);
	}
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	root[n] = '\0';
	len = n;
	/* Another mount namespace's root reads as "/" from here. */
	if (len == 1)
		return 0;
	if (strncmp(path, root, len) != 0 ||
	    (path[len] != '/' && path[len] != '\0'))
		return -EXDEV;
	if (path[len] == '\0')
		strcpy(path, "/");
	else
		memmove(path, path + len, strlen(path + len) + 1);
	return 0;
}

/* Map id through one /proc/TID/[ug]id_map, or to the overflow id. */
static uint32_t
target_map_one(struct target *t, const char *map, const char *overflow,
    uint32_t id)
{
	char file[64], line[128];
	unsigned long inside, outside, count, over = 65534;
	uint32_t out;
	FILE *f;
	int fd;

	snprintf(file, sizeof(file), "/proc/sys/kernel/%s", overflow);
	if ((f = fopen(file, "re")) != NULL) {
		if (fscanf(f, "%lu", &over) != 1)
			over = 65534;
		fclose(f);
	}
	out = over;
	if ((fd = target_open(t, map, O_RDONLY)) < 0)
		return out;
	if ((f = fdopen(fd, "re")) == NULL) {
		close(fd);
		return out;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
		    id >= outside && id - outside < count) {
			out = inside + (id - outside);
			break;
		}
	fclose(f);
	return out;
}

/* 1 if the task's namespace of kind ("user", "mnt") is ours (inode
 * ours), 0 if not, -errno if it cannot be read. "user:[INODE]": one
 * readlink instead of an open and an fstat. */
static int
target_ns_is(struct target *t, const char *kind, ino_t ours)
{
	char link[64], file[64], name[16];
	const char *p;
	ssize_t n;
	int r;

	snprintf(name, sizeof(name), "ns/%s", kind);
	if (t->procfd < 0 && t->notify != NULL && (r = target_pin(t)) < 0)
		return r;
	if (t->procfd >= 0)
		n = readlinkat(t->procfd, name, link, sizeof(link) - 1);
	else {
		snprintf(file, sizeof(file), "/proc/%d/%s", (int)t->tid, name);
		n = readlink(file, link, sizeof(link) - 1);
	}
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	link[n] = '\0';
	return (p = strchr(link, '[')) != NULL &&
	    strtoul(p + 1, NULL, 10) == ours;
}

int
target_in_our_userns(struct target *t)
{
	struct target_view *v = t->view;
	int r;

	/* A listener's tasks share one, until one is seen to leave it. */
	if (v != NULL && !__atomic_load_n(&v->changed, __ATOMIC_ACQUIRE) &&
	    (r = __atomic_load_n(&v->userns, __ATOMIC_ACQUIRE)) >= 0)
		return r;
	pthread_once(&target_ours_once, target_ours_init);
	r = target_ns_is(t, "user", target_our_userns);
	/* Read through the pinned directory: the view may keep it. */
	if (r >= 0 && v != NULL && t->procfd >= 0)
		__atomic_store_n(&v->userns, r, __ATOMIC_RELEASE);
	return r;
}

int
target_map_ids(struct target *t, uint32_t *uid, uint32_t *gid)
{
	int r;

	if ((r = target_in_our_userns(t)) != 0)
		return r < 0 ? r : 0;
	*uid = target_map_one(t, "uid_map", "overflowuid", *uid);
	*gid = target_map_one(t, "gid_map", "overflowgid", *gid);
	return 0;
}
