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

struct target {
	pid_t	 tid;
	int	 have_status;
	uid_t	 ruid, euid, fsuid;
	gid_t	 rgid, egid, fsgid;
	mode_t	 umask;
	int	 ngroups;
	gid_t	*groups;
	uint64_t capeff;	/* effective capabilities */
	int	 rootfd;	/* -1 same root as ours; TARGET_ROOT_UNKNOWN */
	int	 root_borrowed;	/* rootfd is the view's: not closed here */
	int	 procfd;	/* /proc/TID once pinned, else -1 */
	int	 memfd;		/* its memory, once opened through procfd */
	const struct notify *notify;	/* target_watch(), or NULL */
	uint64_t id;
	struct target_view *view;	/* its listener's, or NULL */
};

/*
 * What the tasks of one listener are known to be: for a listener whose
 * filter notifies every call that changes credentials or the umask
 * or root (SYSCALLS_CREDS, SYSCALLS_UMASK, SYSCALLS_ROOT: the daemon's
 * `unotifyd exec` clients), the ids, groups and umask read from the first
 * task's /proc status and its root directory (through its pinned
 * directory, after the notification id check) serve every later call,
 * until such a call is notified: then every call reads its own again.
 * Calls of other listeners read their status and root every time.
 */
struct target_view {
	pthread_mutex_t	 lock;
	int		 known;		/* ids, groups and umask below */
	int		 changed;	/* a change was notified */
	uid_t		 ruid, euid, fsuid;
	gid_t		 rgid, egid, fsgid;
	mode_t		 umask;
	uint64_t	 capeff;
	int		 ngroups;
	gid_t		*groups;
	int		 rootfd;	/* the tasks' root (O_PATH), or -1 */
	int		 userns;	/* in our user namespace: 1, 0, or
					   -1 not known yet */
};

struct target_view *target_view_new(void);
void	target_view_free(void *);
/* A call that may change credentials or the umask was notified. */
void	target_view_changed(struct target_view *);

#define TARGET_ROOT_UNKNOWN	(-2)

/*
 * `run` knows how its targets start: with our credentials, our root and
 * umask mask, changed only through syscalls it is notified of
 * (SYSCALLS_CREDS, SYSCALLS_UMASK, SYSCALLS_ROOT), which call
 * target_changed_*. Until then the costly reads of /proc/TID/status and
 * /proc/TID/root are skipped. Without target_assume, they always happen.
 */
void	target_assume(mode_t mask);
void	target_changed_creds(void);
void	target_changed_umask(void);
void	target_changed_root(void);
/*
 * The daemon runs in its own mount namespace (ProtectSystem=): a target's
 * root with the same inode is still another view. Always act through
 * /proc/TID/root then.
 */
void	target_always_own_root(void);
/* 1 if t surely has the supervisor's credentials (nothing to switch). */
int	target_has_our_creds(const struct target *);
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
