/* SPDX-License-Identifier: MIT */
/* Hand-over messages: their format (strictly validated) and their socket. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fdpass.h"
#include "handover_msg.h"
#include "pods.h"
#include "util.h"

/* Set an allocated cause; returns err. */
static int PRINTFLIKE(3, 4)
handover_cause(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return err;
}

const char *
handover_type_name(unsigned type)
{
	static const char *const names[] = {
		[HANDOVER_HELLO] = "HELLO",
		[HANDOVER_TARGET] = "TARGET",
		[HANDOVER_SOCKET] = "SOCKET",
		[HANDOVER_END] = "END",
		[HANDOVER_ACK] = "ACK",
	};

	return type < nitems(names) && names[type] != NULL ? names[type] :
	    "unknown";
}

/* Payload size of the fixed-size types; 0 for TARGET and unknown ones. */
static size_t
handover_fixed_len(unsigned type)
{
	switch (type) {
	case HANDOVER_HELLO:
		return sizeof(struct handover_hello);
	case HANDOVER_SOCKET:
		return sizeof(struct handover_socket);
	case HANDOVER_END:
		return sizeof(struct handover_end);
	case HANDOVER_ACK:
		return sizeof(struct handover_ack);
	}
	return 0;
}

/* The strings of a TARGET payload p of n bytes. */
static int
handover_decode_target(const unsigned char *p, size_t n,
    struct handover_msg *m, char **cause)
{
	static const char *const what[HANDOVER_NSTR] = {
		"name", "metadata", "namespace", "pod", "container"
	};
	struct handover_target t;
	size_t i, off, total = 0;

	if (n < sizeof(t))
		return handover_cause(cause, -EBADMSG, "TARGET of %zu bytes, "
		    "shorter than its %zu-byte header", n, sizeof(t));
	memcpy(&t, p, sizeof(t));
	if (t.reserved != 0)
		return handover_cause(cause, -EBADMSG, "TARGET reserved field "
		    "is %u", t.reserved);
	if (t.pid <= 0)
		return handover_cause(cause, -EBADMSG, "TARGET pid %d",
		    (int)t.pid);
	for (i = 0; i < HANDOVER_NSTR; i++) {
		if (t.len[i] > HANDOVER_STR_MAX)
			return handover_cause(cause, -EBADMSG, "TARGET %s of "
			    "%u bytes (at most %d)", what[i], t.len[i],
			    HANDOVER_STR_MAX);
		total += t.len[i];
	}
	if (total != n - sizeof(t))
		return handover_cause(cause, -EBADMSG, "TARGET strings of %zu "
		    "bytes in a payload of %zu", total, n - sizeof(t));
	if (t.len[HANDOVER_STR_NAME] == 0)
		return handover_cause(cause, -EBADMSG, "TARGET without a name");
	for (i = 0, off = sizeof(t); i < HANDOVER_NSTR; off += t.len[i++]) {
		if (memchr(p + off, '\0', t.len[i]) != NULL)
			return handover_cause(cause, -EBADMSG, "TARGET %s "
			    "holds a NUL byte", what[i]);
		m->str[i] = xstrndup((const char *)p + off, t.len[i]);
		if (i >= HANDOVER_STR_NAMESPACE && *m->str[i] != '\0' &&
		    !pods_name_valid(m->str[i]))
			return handover_cause(cause, -EBADMSG, "TARGET %s is "
			    "not a Kubernetes name", what[i]);
	}
	m->pid = t.pid;
	return 0;
}

/* Check a fixed-size payload's fields. */
static int
handover_decode_fixed(const unsigned char *p, struct handover_msg *m,
    char **cause)
{
	struct handover_hello hello;
	struct handover_socket sock;
	struct handover_end end;
	struct handover_ack ack;

	switch (m->type) {
	case HANDOVER_HELLO:
		memcpy(&hello, p, sizeof(hello));
		if (hello.flags != 0 || hello.reserved != 0)
			return handover_cause(cause, -EBADMSG, "HELLO flags "
			    "0x%x reserved %u", hello.flags, hello.reserved);
		m->flags = hello.flags;
		return 0;
	case HANDOVER_SOCKET:
		memcpy(&sock, p, sizeof(sock));
		if ((sock.flags & ~HANDOVER_SOCKET_OWN) != 0 ||
		    sock.reserved != 0)
			return handover_cause(cause, -EBADMSG, "SOCKET flags "
			    "0x%x reserved %u", sock.flags, sock.reserved);
		m->flags = sock.flags;
		return 0;
	case HANDOVER_END:
		memcpy(&end, p, sizeof(end));
		if (end.nsockets == 0)
			return handover_cause(cause, -EBADMSG, "END without a "
			    "socket");
		m->ntargets = end.ntargets;
		m->nsockets = end.nsockets;
		return 0;
	case HANDOVER_ACK:
		memcpy(&ack, p, sizeof(ack));
		if (ack.error < 0 || ack.error > 4095)
			return handover_cause(cause, -EBADMSG, "ACK error %d",
			    (int)ack.error);
		m->ntargets = ack.ntargets;
		m->error = ack.error;
		return 0;
	default:
		return handover_cause(cause, -EBADMSG, "message type %d",
		    (int)m->type);
	}
}

int
handover_decode(const void *buf, size_t len, const int *fds, size_t nfds,
    struct handover_msg *m, char **cause)
{
	const unsigned char *p = buf;
	struct handover_hdr h;
	size_t want, wantfds;
	int r;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	*cause = NULL;
	if (len < sizeof(h))
		return handover_cause(cause, -EBADMSG, "message of %zu bytes, "
		    "shorter than a header", len);
	memcpy(&h, p, sizeof(h));
	if (memcmp(h.magic, HANDOVER_MAGIC, sizeof(h.magic)) != 0)
		return handover_cause(cause, -EBADMSG, "bad magic");
	if (h.version != HANDOVER_VERSION)
		return handover_cause(cause, -EPROTO, "protocol version %u "
		    "(this unotifyd speaks %d)", h.version, HANDOVER_VERSION);
	if (h.type < HANDOVER_HELLO || h.type > HANDOVER_ACK)
		return handover_cause(cause, -EBADMSG, "unknown message type "
		    "%u", h.type);
	if (h.len != len - sizeof(h))
		return handover_cause(cause, -EBADMSG, "%s header says %u "
		    "bytes, %zu came", handover_type_name(h.type), h.len,
		    len - sizeof(h));
	m->type = h.type;
	want = handover_fixed_len(h.type);
	if (h.type != HANDOVER_TARGET && h.len != want)
		return handover_cause(cause, -EBADMSG, "%s of %u bytes, not "
		    "%zu", handover_type_name(h.type), h.len, want);
	wantfds = h.type == HANDOVER_TARGET || h.type == HANDOVER_SOCKET;
	if (nfds != wantfds)
		return handover_cause(cause, -EBADMSG, "%s with %zu "
		    "descriptors, not %zu", handover_type_name(h.type), nfds,
		    wantfds);
	if (h.type == HANDOVER_TARGET)
		r = handover_decode_target(p + sizeof(h), h.len, m, cause);
	else
		r = handover_decode_fixed(p + sizeof(h), m, cause);
	if (r < 0) {
		handover_msg_fini(m);
		return r;
	}
	if (wantfds)
		m->fd = fds[0];
	return 0;
}

ssize_t
handover_encode(const struct handover_msg *m, void *buf, size_t size)
{
	unsigned char *p = buf;
	struct handover_hdr h;
	struct handover_target t = { 0 };
	struct handover_hello hello = { 0 };
	struct handover_socket sock = { 0 };
	struct handover_end end = { 0 };
	struct handover_ack ack = { 0 };
	const void *fixed = NULL;
	size_t len, i, off;

	memcpy(h.magic, HANDOVER_MAGIC, sizeof(h.magic));
	h.version = HANDOVER_VERSION;
	h.type = m->type;
	switch (m->type) {
	case HANDOVER_HELLO:
		fixed = &hello;
		break;
	case HANDOVER_SOCKET:
		if ((m->flags & ~HANDOVER_SOCKET_OWN) != 0)
			return -EINVAL;
		sock.flags = m->flags;
		fixed = &sock;
		break;
	case HANDOVER_END:
		if (m->nsockets == 0)
			return -EINVAL;
		end.ntargets = m->ntargets;
		end.nsockets = m->nsockets;
		fixed = &end;
		break;
	case HANDOVER_ACK:
		if (m->error < 0 || m->error > 4095)
			return -EINVAL;
		ack.ntargets = m->ntargets;
		ack.error = m->error;
		fixed = &ack;
		break;
	case HANDOVER_TARGET:
		if (m->pid <= 0)
			return -EINVAL;
		t.pid = m->pid;
		len = sizeof(t);
		for (i = 0; i < HANDOVER_NSTR; i++) {
			const char *s = m->str[i] != NULL ? m->str[i] : "";
			size_t n = strlen(s);

			if (n > HANDOVER_STR_MAX || (i == HANDOVER_STR_NAME &&
			    n == 0) || (i >= HANDOVER_STR_NAMESPACE && n > 0 &&
			    !pods_name_valid(s)))
				return -EINVAL;
			t.len[i] = (uint16_t)n;
			len += n;
		}
		h.len = (uint32_t)len;
		if (sizeof(h) + len > size)
			return -EMSGSIZE;
		memcpy(p, &h, sizeof(h));
		memcpy(p + sizeof(h), &t, sizeof(t));
		for (i = 0, off = sizeof(h) + sizeof(t); i < HANDOVER_NSTR;
		    off += t.len[i++])
			if (t.len[i] > 0)
				memcpy(p + off, m->str[i], t.len[i]);
		return (ssize_t)(sizeof(h) + len);
	default:
		return -EINVAL;
	}
	h.len = (uint32_t)handover_fixed_len(m->type);
	if (sizeof(h) + h.len > size)
		return -EMSGSIZE;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), fixed, h.len);
	return (ssize_t)(sizeof(h) + h.len);
}

void
handover_msg_fini(struct handover_msg *m)
{
	size_t i;

	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	for (i = 0; i < HANDOVER_NSTR; i++) {
		free(m->str[i]);
		m->str[i] = NULL;
	}
}

char *
handover_path(const char *socket)
{
	char *p;

	xasprintf(&p, "%s%s", socket, HANDOVER_SUFFIX);
	return p;
}

int
handover_send(int sock, const struct handover_msg *m, int fd)
{
	cleanup_free unsigned char *buf = xmalloc(HANDOVER_MSG_MAX);
	ssize_t n;

	if ((n = handover_encode(m, buf, HANDOVER_MSG_MAX)) < 0)
		return (int)n;
	return fdpass_send(sock, fd, buf, (size_t)n);
}

int
handover_recv(int sock, int timeout_ms, struct handover_msg *m,
    char **cause)
{
	cleanup_free unsigned char *buf = xmalloc(HANDOVER_MSG_MAX + 1);
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	int fds[2], r;
	size_t nfds, i;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	*cause = NULL;
	for (;;) {
		if ((r = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return handover_cause(cause, -errno, "poll: %s",
			    strerror(errno));
		if (r == 0)
			return handover_cause(cause, -ETIMEDOUT, "no message "
			    "within %d s", timeout_ms / 1000);
		/* One more byte than the largest record shows a larger one. */
		n = fdpass_recv_fds(sock, fds, nitems(fds), &nfds, buf,
		    HANDOVER_MSG_MAX + 1);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		break;
	}
	if (n < 0)
		return handover_cause(cause, (int)n, "receiving: %s",
		    strerror((int)-n));
	if (n == 0 && nfds == 0)
		return handover_cause(cause, -EPIPE, "the other daemon closed "
		    "the connection");
	if ((size_t)n > HANDOVER_MSG_MAX)
		r = handover_cause(cause, -EBADMSG, "message larger than %zu "
		    "bytes", HANDOVER_MSG_MAX);
	else
		r = handover_decode(buf, (size_t)n, fds, nfds, m, cause);
	if (r < 0)
		for (i = 0; i < nfds; i++)
			close(fds[i]);
	return r;
}

int
handover_peer_check(int sock, pid_t *pid, char **cause)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uid_t want = geteuid();

	*pid = -1;
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return handover_cause(cause, -errno, "SO_PEERCRED: %s",
		    strerror(errno));
	*pid = cred.pid;
	if (cred.uid != 0 && cred.uid != want)
		return handover_cause(cause, -EPERM, "pid %d is uid %d, not "
		    "root", (int)cred.pid, (int)cred.uid);
	return 0;
}

int
handover_sockaddr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}
