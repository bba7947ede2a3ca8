/* SPDX-License-Identifier: MIT */
/* The seccomp listener: receive notifications and answer them. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "notify.h"
#include "stats.h"
#include "trace.h"
#include "util.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS	SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

struct notify {
	int				 refs;
	int				 fd;
	int				 recv_blocks;
	int				 sync_wakeup;
	struct seccomp_notif_sizes	 sizes;
	/* Threads sharing this listener (see notify_recv). */
	pthread_mutex_t			 lock;
	pthread_cond_t			 spare;
	int				 threads;	/* receiving threads */
	int				 blocked;	/* of them, in an open */
	int				 receiving;	/* in RECV now */
	int				 parked;	/* waiting on spare */
	int				 calls;		/* parked, to wake */
	/* What the creator keeps with the listener (notify_set_data). */
	void				*data;
	void				(*data_free)(void *);
};

/* Set by notify_block_begin: this thread blocked since its last RECV. */
static __thread int notify_waited;

#define NOTIFY_RESP_MAX	256

/*
 * ioctl() on the listener, again while it fails with EINTR. ID_VALID,
 * SEND and ADDFD take the filter's lock interruptibly: EINTR there means
 * nothing was done, and giving up would leave the target blocked for good.
 * Not so once ADDFD with SEND waits for the target: the kernel (6.18 too)
 * has marked the call answered, drops the fd on a signal, and the target's
 * call returns 0. So no thread is ever signalled while it answers
 * (session.c).
 */
static int
notify_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	while ((r = ioctl(fd, req, arg)) < 0 && errno == EINTR)
		;
	return r;
}

/* 1 if no task uses the filter any more (POLLHUP), else 0. */
static int
notify_hangup(const struct notify *n)
{
	struct pollfd p = { .fd = n->fd, .events = POLLIN };

	if (poll(&p, 1, 0) < 0)
		return 0;
	return (p.revents & POLLHUP) && !(p.revents & POLLIN);
}

/*
 * Before 6.11 RECV on a listener nobody uses blocks forever instead of
 * failing with ENOENT, so such kernels check for POLLHUP before each RECV.
 */
static int
notify_recv_blocks(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 1;
	return major < 6 || (major == 6 && minor < 11);
}

struct notify *
notify_new(int fd)
{
	struct notify *n;

	/* Whatever a client hands us must be a listener: one answers
	 * ENOENT for an id it never issued, anything else ENOTTY or EINVAL. */
	if (notify_ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID,
	    &(__u64){ 0 }) == 0 || errno != ENOENT) {
		errno = ENOTTY;
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->refs = 1;
	n->fd = fd;
	/* The kernel's structs may be larger than our headers' (new fields). */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &n->sizes) < 0) {
		int saved = errno;

		free(n);
		errno = saved;
		return NULL;
	}
	if (n->sizes.seccomp_notif < sizeof(struct seccomp_notif))
		n->sizes.seccomp_notif = sizeof(struct seccomp_notif);
	if (n->sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
		n->sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
	if (n->sizes.seccomp_notif_resp > NOTIFY_RESP_MAX) {
		free(n);
		errno = EOVERFLOW;
		return NULL;
	}
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->spare, NULL);
	/* Wake the target on our CPU: cross-CPU wake-ups of idle virtual CPUs
	 * dominate the cost otherwise (6.6+; EINVAL or ENOTTY before). */
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0) == 0)
		n->sync_wakeup = 1;
	n->recv_blocks = notify_recv_blocks();
	stats_listener(1);
	return n;
}

struct notify *
notify_ref(struct notify *n)
{
	__atomic_add_fetch(&n->refs, 1, __ATOMIC_RELAXED);
	return n;
}

void
notify_unref(struct notify *n)
{
	if (n == NULL || __atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (n->fd >= 0)
		close(n->fd);
	if (n->data_free != NULL)
		n->data_free(n->data);
	stats_listener(-1);
	pthread_cond_destroy(&n->spare);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

void
notify_set_data(struct notify *n, void *data, void (*data_free)(void *))
{
	n->data = data;
	n->data_free = data_free;
}

void *
notify_data(const struct notify *n)
{
	return n->data;
}

int
notify_fd(const struct notify *n)
{
	return n->fd;
}

int
notify_recv_can_block(const struct notify *n)
{
	return !n->recv_blocks;
}

int
notify_sync_wakeup(const struct notify *n)
{
	return n->sync_wakeup;
}

struct seccomp_notif *
notify_req_new(const struct notify *n)
{
	return xcalloc(1, n->sizes.seccomp_notif);
}

/*
 * Several threads may receive from one listener. Every thread waiting in
 * RECV is woken by every notification (the kernel's wait is not
 * exclusive), so while answers are quick only one waits there and the
 * others park. A thread about to open a file and install it with ADDFD
 * (which waits for the target to take it) calls a spare first
 * (notify_block_begin), and goes straight back to RECV afterwards: the
 * next notification then finds a thread waiting, which SYNC_WAKE_UP brings
 * to the notifying task's CPU, instead of waiting for this one's wake-up on
 * another CPU.
 */
static void
notify_take_turn(struct notify *n)
{
	pthread_mutex_lock(&n->lock);
	if (!notify_waited && n->receiving > 0) {
		n->parked++;
		while (n->calls == 0 && n->receiving > 0)
			pthread_cond_wait(&n->spare, &n->lock);
		if (n->calls > 0)
			n->calls--;
		n->parked--;
	}
	notify_waited = 0;
	n->receiving++;
	pthread_mutex_unlock(&n->lock);
}

/* Once no task uses the filter, each receiver leaves (notify_join), which
 * wakes the parked ones: they find nobody receiving and get EPIPE too. */
static int
notify_end_turn(struct notify *n, int r)
{
	pthread_mutex_lock(&n->lock);
	n->receiving--;
	pthread_mutex_unlock(&n->lock);
	return r;
}

void
notify_join(struct notify *n, int delta)
{
	pthread_mutex_lock(&n->lock);
	n->threads += delta;
	/* One leaving (no task left, or an error) must not leave the others
	 * parked with nobody receiving. */
	if (delta < 0)
		pthread_cond_broadcast(&n->spare);
	pthread_mutex_unlock(&n->lock);
}

int
notify_block_begin(struct notify *n)
{
	int r = -1;

	pthread_mutex_lock(&n->lock);
	/* The others receive, park, or will be back soon from quick work or
	 * an ADDFD (bounded: the target takes the fd or dies); only opens keep
	 * a thread away for as long as they like. */
	if (n->threads - n->blocked > 1) {
		n->blocked++;
		if (n->receiving == 0 && n->parked > n->calls) {
			n->calls++;
			pthread_cond_signal(&n->spare);
		}
		r = 0;
	}
	pthread_mutex_unlock(&n->lock);
	notify_waited = 1;
	return r;
}

void
notify_block_end(struct notify *n)
{
	pthread_mutex_lock(&n->lock);
	n->blocked--;
	pthread_mutex_unlock(&n->lock);
}

int
notify_recv(struct notify *n, struct seccomp_notif *req, const int *stop)
{
	int err;

	if (n->recv_blocks && notify_hangup(n))
		return -EPIPE;
	notify_take_turn(n);
	/* Parked while the signal meant to end its RECV came. */
	if (stop != NULL && __atomic_load_n(stop, __ATOMIC_ACQUIRE))
		return notify_end_turn(n, -EINTR);
	/* Since 5.5 a buffer that is not zeroed gets EINVAL. */
	memset(req, 0, n->sizes.seccomp_notif);
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, req) == 0) {
		stats_received(req);
		return notify_end_turn(n, 0);
	}
	err = errno;
	/* ENOENT is also a task that died between poll and RECV: retry. */
	if (notify_hangup(n))
		return notify_end_turn(n, -EPIPE);
	return notify_end_turn(n, -err);
}

int
notify_gone(const struct notify *n)
{
	return notify_hangup(n);
}

int
notify_id_valid(const struct notify *n, uint64_t id)
{
	if (notify_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0)
		return -ENOENT;
	return 0;
}

/* Answers may come from worker threads: the response lives on the stack,
 * sized for the kernel's struct (checked in notify_new). */
static int
notify_send(struct notify *n, uint64_t id, int64_t val, int error,
    uint32_t flags)
{
	union {
		struct seccomp_notif_resp	resp;
		char				buf[NOTIFY_RESP_MAX];
	} u;

	memset(&u, 0, n->sizes.seccomp_notif_resp);
	u.resp.id = id;
	u.resp.val = val;
	u.resp.error = error;
	u.resp.flags = flags;
	if (notify_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, &u.resp) < 0)
		return -errno;
	return 0;
}

int
notify_continue(struct notify *n, uint64_t id)
{
	int r = notify_send(n, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);

	stats_answered(id, STATS_CONTINUE, r);
	if (trace_enabled && r == 0)
		trace_answered(id, STATS_CONTINUE, 0);
	return r;
}

int
notify_error(struct notify *n, uint64_t id, int err)
{
	/* Negative: a positive value would be the syscall's return value. */
	int r = notify_send(n, id, 0, -err, 0);

	stats_answered(id, STATS_ERRNO, r);
	if (trace_enabled && r == 0)
		trace_answered(id, STATS_ERRNO, -err);
	return r;
}

int
notify_return(struct notify *n, uint64_t id, int64_t val)
{
	int r = notify_send(n, id, val, 0, 0);

	stats_answered(id, STATS_EMULATED, r);
	if (trace_enabled && r == 0)
		trace_answered(id, STATS_EMULATED, val);
	return r;
}

int
notify_addfd(struct notify *n, uint64_t id, int srcfd,
    unsigned int newfd_flags)
{
	return notify_inject(n, id, srcfd, newfd_flags, 1);
}

int
notify_inject(struct notify *n, uint64_t id, int srcfd,
    unsigned int newfd_flags, int send)
{
	struct seccomp_notif_addfd addfd = {
		.id = id,
		.flags = send ? SECCOMP_ADDFD_FLAG_SEND : 0,
		.srcfd = srcfd,
		.newfd = 0,
		.newfd_flags = newfd_flags,
	};
	int r;

	r = notify_ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
	r = r < 0 ? -errno : r;
	/* Only SEND answers; a failed one is answered next (an errno) and
	 * counted then. */
	if (send)
		stats_answered(id, STATS_REDIRECT, r);
	if (send && trace_enabled && r >= 0)
		trace_answered(id, STATS_REDIRECT, r);
	return r;
}
