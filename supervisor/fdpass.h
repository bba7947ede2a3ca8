/* SPDX-License-Identifier: MIT */
/* Passing a file descriptor with a small payload over an AF_UNIX socket. */
#ifndef FDPASS_H
#define FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Send all len bytes (at least 1) and, if fd >= 0, fd with SCM_RIGHTS in
 * the first sendmsg. Async-signal-safe. Returns 0 or -errno. */
int	fdpass_send(int sock, int fd, const void *buf, size_t len);

/*
 * Receive one message into buf; *fd is the passed descriptor (made
 * O_CLOEXEC) or -1. Returns the payload length (0 at EOF) or -errno.
 * Descriptors beyond the first, or with a truncated message, are closed.
 * Blocks until a message arrives.
 */
ssize_t	fdpass_recv(int sock, int *fd, void *buf, size_t len);

/*
 * Receive one message without blocking (-EAGAIN when none): up to max
 * descriptors (O_CLOEXEC) into fds, *nfds of them; any beyond max, or from
 * a truncated control message, are closed. Returns the payload length.
 */
ssize_t	fdpass_recv_fds(int sock, int *fds, size_t max, size_t *nfds,
	    void *buf, size_t len);

#endif
