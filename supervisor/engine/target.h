/* SPDX-License-Identifier: MIT */
/* The notifying task as the kernel sees it: credentials, umask, root. */
#ifndef TARGET_H
#define TARGET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct notify;
struct target_view;

/* What /proc/TID/status tells of a task's ids, capabilities and umask. */
struct target_creds {
	uid_t	 ruid, euid, fsuid;
	gid_t	 rgid, egid, fsgid;
	mode_t	 umask;
	uint64_t capeff;	/* effective capabilities */
};

struct target {
	pid_t	 tid;
	int	 have_status;	/* TARGET_STATUS_* below, or 0 */
	struct target_creds cr;
	int	 ngroups;
	gid_t	*groups;
	int	 groups_borrowed;	/* the view's: not freed here */
	int	 rootfd;	/* -1 same root as ours; TARGET_ROOT_UNKNOWN */
	int	 root_borrowed;	/* rootfd is the view's: not closed here */
	int	 procfd;	/* /proc/TID once pinned, else -1 */
	int	 memfd;		/* its memory, once opened through procfd */
	const struct notify *notify;	/* target_watch(), or NULL */
	uint64_t id;
	struct target_view *view;	/* its listener's, or NULL */
};

/*
 * What the tasks of one listener are known to be, kept with the listener
 * (notify_set_data) for a filter that notifies every call that changes
 * credentials, the umask or the root (SYSCALLS_CREDS, SYSCALLS_UMASK,
 * SYSCALLS_ROOT). `run` knows them from the start: its child begins with
 * our ids, groups, capabilities and root, and the umask it set
 * (target_view_spawned). The daemon learns them from the first task's
 * /proc status and root, read through its pinned directory after the
 * notification id check. Each serves every later call until a call that
 * changes it is notified: from then on every call reads its own again.
 * Listeners without a view read theirs on every call.
 */
struct target_view {
	pthread_mutex_t	 lock;
	int		 known;		/* ids, groups, caps and umask */
	int		 changed;	/* TARGET_CHANGED_* notified */
	struct target_creds cr;
	int		 ngroups;
	gid_t		*groups;
	int		 root;		/* an O_PATH fd of the tasks' root,
					   TARGET_ROOT_OURS or _UNKNOWN */
	int		 userns;	/* in our user namespace: 1, 0, or
					   -1 not known yet */
};

#define TARGET_STATUS_READ	1	/* cr, groups from /proc/TID/status */
#define TARGET_STATUS_LENT	2	/* from the view: cr.umask only if no
					   umask change came since */

#define TARGET_ROOT_UNKNOWN	(-2)
#define TARGET_ROOT_OURS	(-1)

#define TARGET_CHANGED_CREDS	0x1	/* ids, groups, caps, user ns */
#define TARGET_CHANGED_UMASK	0x2
#define TARGET_CHANGED_ROOT	0x4	/* root or mount namespace */

struct target_view *target_view_new(void);
/* A view of tasks that start as we are now, with umask mask; NULL if our
 * own status cannot be read. */
struct target_view *target_view_spawned(mode_t mask);
void	target_view_free(void *);
/* A call that changes what (TARGET_CHANGED_*) was notified. */
void	target_view_changed(struct target_view *, int what);

/* t's umask; 0 or -errno. */
int	target_umask(struct target *, mode_t *);

void	target_init(struct target *, pid_t tid);
void	target_fini(struct target *);

/*
 * From now on reach the task only through descriptors proven to be its:
 * the first read of its /proc entries or memory opens /proc/TID, then
 * checks that notification id of n is still pending (so TID was not reused
 * by then), and every later read of credentials, umask, root and memory
 * goes through that directory. Nothing is opened until needed: a redirect
 * that reads nothing costs nothing.
 */
void	target_watch(struct target *, const struct notify *, uint64_t id);
/* Pin it now (target_watch's check included); 0 or -errno (-ESRCH). */
int	target_pin(struct target *);
/* Its memory, through the pinned descriptor once pinned (as memory.h). */
int	target_read(struct target *, uint64_t addr, void *buf, size_t len);
ssize_t	target_read_string(struct target *, uint64_t addr, char *buf,
	    size_t len);
int	target_write(struct target *, uint64_t addr, const void *buf,
	    size_t len);

/* Read credentials, groups, capabilities and umask from /proc/TID/status
 * once.
 * Returns 0 or -errno (-ESRCH if the task is gone). */
int	target_status(struct target *);

/*
 * The task's root: 0 with *rootfd -1 when it is ours (the common case),
 * or an O_PATH fd of /proc/TID/root owned by t. Returns -errno on failure.
 */
int	target_root(struct target *, int *rootfd);

/*
 * Rewrite an absolute path as read from /proc (our view) into the task's
 * view by removing its root's prefix; -EXDEV if the path lies outside it.
 */
int	target_strip_root(struct target *, char *path);

/* 1 if t is in our user namespace, 0 if not, or -errno. */
int	target_in_our_userns(struct target *);

/*
 * Rewrite owner ids as stat(2) shows them in t's user namespace: through
 * its uid_map and gid_map, unmapped ids becoming the overflow ids. Nothing
 * changes when t shares our user namespace. Returns 0 or -errno.
 */
int	target_map_ids(struct target *, uint32_t *uid, uint32_t *gid);

#endif
