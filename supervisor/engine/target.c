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

/* Our own root and user namespace, looked up once by whichever thread
 * asks first; an inode of 0 (lookup failed) matches no target. */
static pthread_once_t	target_ours_once = PTHREAD_ONCE_INIT;
static dev_t		target_our_root_dev;
static ino_t		target_our_root_ino;
static ino_t		target_our_userns;
static ino_t		target_our_mntns;

static int	target_ns_is(struct target *, const char *, ino_t);
static int	target_status_read(struct target *);

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

/* Has a call changing what (TARGET_CHANGED_*) been notified? A task
 * without a view always may have. */
static int
target_view_stale(const struct target_view *v, int what)
{
	return v == NULL || (__atomic_load_n(&v->changed, __ATOMIC_ACQUIRE) &
	    what) != 0;
}

int
target_umask(struct target *t, mode_t *mask)
{
	struct target_view *v = t->view;
	int r;

	if (!target_view_stale(v, TARGET_CHANGED_UMASK) &&
	    __atomic_load_n(&v->known, __ATOMIC_ACQUIRE)) {
		*mask = v->cr.umask;
		return 0;
	}
	/* A status lent by the view has its umask from before the change. */
	if (t->have_status != TARGET_STATUS_READ &&
	    (r = target_status_read(t)) < 0)
		return r;
	*mask = t->cr.umask;
	return 0;
}

void
target_init(struct target *t, pid_t tid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->rootfd = TARGET_ROOT_UNKNOWN;
	t->procfd = t->memfd = -1;
	t->cr.umask = 022;
}

void
target_fini(struct target *t)
{
	if (!t->groups_borrowed)
		free(t->groups);
	t->groups = NULL;
	t->groups_borrowed = 0;
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

	if (!t->groups_borrowed)
		free(t->groups);
	t->groups = NULL;
	t->groups_borrowed = 0;
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
	v->root = TARGET_ROOT_UNKNOWN;
	v->userns = -1;
	return v;
}

void
target_view_free(void *arg)
{
	struct target_view *v = arg;

	if (v == NULL)
		return;
	pthread_mutex_destroy(&v->lock);
	if (v->root >= 0)
		close(v->root);
	free(v->groups);
	free(v);
}

void
target_view_changed(struct target_view *v, int what)
{
	if (v != NULL)
		__atomic_or_fetch(&v->changed, what, __ATOMIC_RELEASE);
}

/* Fill t from its listener's view; 0, or -1 when the view cannot say.
 * Once known, a view's ids never change (a change makes it stale): they
 * are read without the lock, and its groups are lent, not copied. */
static int
target_from_view(struct target *t)
{
	struct target_view *v = t->view;

	if (target_view_stale(v, TARGET_CHANGED_CREDS) ||
	    !__atomic_load_n(&v->known, __ATOMIC_ACQUIRE))
		return -1;
	t->cr = v->cr;
	if (!t->groups_borrowed)
		free(t->groups);
	t->ngroups = v->ngroups;
	t->groups = v->groups;
	t->groups_borrowed = 1;
	t->have_status = TARGET_STATUS_LENT;
	return 0;
}

/* Teach v what t's status said, unless it knows already. */
static void
target_view_learn(struct target_view *v, const struct target *t)
{
	pthread_mutex_lock(&v->lock);
	if (!v->known) {
		v->cr = t->cr;
		v->ngroups = t->ngroups;
		v->groups = xreallocarray(NULL, t->ngroups + 1,
		    sizeof(gid_t));
		if (t->ngroups > 0)
			memcpy(v->groups, t->groups,
			    t->ngroups * sizeof(gid_t));
		__atomic_store_n(&v->known, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&v->lock);
}

struct target_view *
target_view_spawned(mode_t mask)
{
	struct target_view *v;
	struct target self;

	target_init(&self, getpid());
	if (target_status(&self) < 0) {
		target_fini(&self);
		return NULL;
	}
	self.cr.umask = mask;
	v = target_view_new();
	target_view_learn(v, &self);
	target_fini(&self);
	v->root = TARGET_ROOT_OURS;
	v->userns = 1;
	return v;
}

/* The first status read through a pinned directory teaches the view. */
static void
target_to_view(const struct target *t)
{
	if (t->procfd >= 0 && !target_view_stale(t->view,
	    TARGET_CHANGED_CREDS))
		target_view_learn(t->view, t);
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

/* Read /proc/TID/status, even when the view lent what it knows. */
static int
target_status_read(struct target *t)
{
	unsigned long u[4], g[4];
	const char *p, *up, *gp, *groups, *caps;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

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
		t->cr.umask = (mode_t)(strtoul(p, NULL, 8) & 0777);
	t->cr.ruid = (uid_t)u[0];
	t->cr.euid = (uid_t)u[1];
	t->cr.fsuid = (uid_t)u[3];
	t->cr.rgid = (gid_t)g[0];
	t->cr.egid = (gid_t)g[1];
	t->cr.fsgid = (gid_t)g[3];
	t->cr.capeff = strtoull(caps, NULL, 16);
	target_groups(t, groups);
	free(buf);
	t->have_status = TARGET_STATUS_READ;
	target_to_view(t);
	return 0;
}

int
target_status(struct target *t)
{
	if (t->have_status || target_from_view(t) == 0)
		return 0;
	return target_status_read(t);
}

/* Keep root (TARGET_ROOT_OURS or a descriptor of t's, then copied) as
 * the view's, when t's root was found through its pinned directory and
 * no change of root came since; the first to get there wins. */
static void
target_root_to_view(const struct target *t, int root)
{
	struct target_view *v = t->view;
	int none = TARGET_ROOT_UNKNOWN;

	if (t->procfd < 0 || target_view_stale(v, TARGET_CHANGED_ROOT))
		return;
	if (root >= 0 && (root = fcntl(root, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	if (!__atomic_compare_exchange_n(&v->root, &none, root, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) && root >= 0)
		close(root);
}

int
target_root(struct target *t, int *rootfd)
{
	struct stat st;
	int fd, r;

	if (t->rootfd != TARGET_ROOT_UNKNOWN) {
		*rootfd = t->rootfd;
		return 0;
	}
	/* The listener's root, known from its start or its first call. */
	if (!target_view_stale(t->view, TARGET_CHANGED_ROOT) &&
	    (fd = __atomic_load_n(&t->view->root, __ATOMIC_ACQUIRE)) !=
	    TARGET_ROOT_UNKNOWN) {
		t->root_borrowed = fd >= 0;
		t->rootfd = *rootfd = fd;
		return 0;
	}
	pthread_once(&target_ours_once, target_ours_init);
	/* The root's fd (one open and fstat), kept only for another root. */
	if ((fd = target_open(t, "root", O_PATH | O_DIRECTORY)) < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	/* The same directory seen from another mount namespace (unshare
	 * -m, the daemon's own under ProtectSystem=) is another root: its
	 * mounts are not ours. When that cannot be told, it is another. */
	if (st.st_dev == target_our_root_dev &&
	    st.st_ino == target_our_root_ino) {
		if ((r = target_ns_is(t, "mnt", target_our_mntns)) == -ESRCH) {
			close(fd);
			return r;
		}
		if (r == 1) {
			close(fd);
			fd = TARGET_ROOT_OURS;
		}
	}
	target_root_to_view(t, fd);
	t->rootfd = *rootfd = fd;
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
	if (!target_view_stale(v, TARGET_CHANGED_CREDS) &&
	    (r = __atomic_load_n(&v->userns, __ATOMIC_ACQUIRE)) >= 0)
		return r;
	pthread_once(&target_ours_once, target_ours_init);
	r = target_ns_is(t, "user", target_our_userns);
	/* Read through the pinned directory: the view may keep it. */
	if (r >= 0 && t->procfd >= 0 &&
	    !target_view_stale(v, TARGET_CHANGED_CREDS))
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
