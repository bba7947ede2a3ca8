/* SPDX-License-Identifier: MIT */
/* The seccomp listener: receive notifications and answer them (raw ioctls;
 * libseccomp 2.5.4 hides errno and has no ADDFD). */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <linux/seccomp.h>
#include <stdint.h>

struct notify;

/* Take ownership of a listener fd; asks for same-CPU wake-ups when the
 * kernel has them (6.6). Returns NULL with errno set on failure (ENOTTY:
 * not a seccomp listener; the fd is then still the caller's). */
struct notify	*notify_new(int fd);
/* Reference counting: a worker thread finishing a blocked open keeps the
 * listener alive after its owner let go. The last unref closes it. */
struct notify	*notify_ref(struct notify *);
void		 notify_unref(struct notify *);
int		 notify_fd(const struct notify *);
/* Data kept with the listener, freed with free_fn (if not NULL) when the
 * last reference goes; NULL until set. */
void		 notify_set_data(struct notify *, void *,
		    void (*free_fn)(void *));
void		*notify_data(const struct notify *);

/* A buffer for notify_recv, sized for the running kernel; free(3) it. */
struct seccomp_notif *notify_req_new(const struct notify *);
/*
 * Receive one notification into req. Returns 0, -EPIPE once no task uses
 * the filter any more, -ENOENT or -EINTR (try again when readable), or
 * another -errno. Any number of threads may call it on one listener; it
 * parks the spare ones so that only one waits in the kernel at a time
 * (see notify.c). -EINTR without waiting if *stop (stop may be NULL) is
 * set when a parked thread's turn comes.
 */
int	notify_recv(struct notify *, struct seccomp_notif *req,
	    const int *stop);
/* A thread starts (delta 1) or stops (-1) calling notify_recv in a loop. */
void	notify_join(struct notify *, int delta);
/*
 * The calling thread is about to open a file that may block (a FIFO, a hung
 * NFS server), then install it: 0 if other threads keep receiving meanwhile
 * (a spare is woken if need be; call notify_block_end once the open
 * returns), -1 if none would (all but this one are in such opens, or no
 * other thread receives).
 */
int	notify_block_begin(struct notify *);
void	notify_block_end(struct notify *);
/* 1 if a thread may block in notify_recv: the kernel (6.11+) ends a
 * blocked RECV with ENOENT once no task uses the filter. */
int	notify_recv_can_block(const struct notify *);
/* 1 if no task uses the filter any more and nothing is left to receive. */
int	notify_gone(const struct notify *);
/* 0 if the notification is still pending, else -ENOENT. */
int	notify_id_valid(const struct notify *, uint64_t id);
/* Let the syscall run in the kernel. 0, or -ENOENT if the task is gone. */
int	notify_continue(struct notify *, uint64_t id);
/* Fail the syscall with positive errno err. */
int	notify_error(struct notify *, uint64_t id, int err);
/* Make the syscall return val without running it. */
int	notify_return(struct notify *, uint64_t id, int64_t val);
/* Install srcfd in the target as the syscall's result (ADDFD|SEND);
 * newfd_flags may hold O_CLOEXEC. Returns the target's fd or -errno. */
int	notify_addfd(struct notify *, uint64_t id, int srcfd,
	    unsigned int newfd_flags);
/* Install srcfd in the target without answering (send 0), or as the
 * answer (send 1, as notify_addfd). Returns the target's fd or -errno. */
int	notify_inject(struct notify *, uint64_t id, int srcfd,
	    unsigned int newfd_flags, int send);
/* 1 if same-CPU wake-ups are on. */
int	notify_sync_wakeup(const struct notify *);

#endif
