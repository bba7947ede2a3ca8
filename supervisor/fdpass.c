/* SPDX-License-Identifier: MIT */
/* Passing a file descriptor with a small payload over an AF_UNIX socket. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdpass.h"

#define FDPASS_MAX	4

int
fdpass_send(int sock, int fd, const void *buf, size_t len)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	size_t done = 0;
	ssize_t n;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	/* A stream socket may take part of it: the rest follows, the fd
	 * travels with the first part only. */
	while (done < len) {
		iov.iov_base = (char *)buf + done;
		iov.iov_len = len - done;
		if ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += n;
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	}
	return 0;
}

ssize_t
fdpass_recv_fds(int sock, int *fds, size_t max, size_t *nfds, void *buf,
    size_t len)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(FDPASS_MAX * sizeof(int))];
	} u;
	struct iovec iov = { buf, len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	int got[FDPASS_MAX];
	size_t i, n;
	ssize_t r;

	*nfds = 0;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > FDPASS_MAX)
			n = FDPASS_MAX;
		memcpy(got, CMSG_DATA(cmsg), n * sizeof(int));
		/* Keep what fits; never leak the rest into our table. */
		for (i = 0; i < n; i++) {
			if (*nfds < max && !(msg.msg_flags & MSG_CTRUNC))
				fds[(*nfds)++] = got[i];
			else
				close(got[i]);
		}
	}
	return r;
}

ssize_t
fdpass_recv(int sock, int *fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	size_t n;
	ssize_t r;

	/* Blocking for the caller, whatever the socket's O_NONBLOCK. */
	for (;;) {
		r = fdpass_recv_fds(sock, fd, 1, &n, buf, len);
		if (r != -EAGAIN)
			break;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
	if (n == 0)
		*fd = -1;
	return r;
}
