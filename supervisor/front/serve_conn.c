/* SPDX-License-Identifier: MIT */
/* serve: accepting clients, and their handshake (exec or OCI runtime). */
#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "connlimit.h"
#include "fdpass.h"
#include "handover.h"
#include "handshake.h"
#include "log.h"
#include "oci.h"
#include "pods.h"
#include "proto.h"
#include "report.h"
#include "rules.h"
#include "serve_int.h"
#include "status.h"
#include "syscalls.h"

/* accept(2) out of descriptors waits this long, or for a close. */
#define SERVE_ACCEPT_PAUSE	1.

void
serve_conn_free(struct serve_conn *c)
{
	struct serve *s = c->s;
	size_t i;

	ev_io_stop(s->ev, &c->w);
	ev_timer_stop(s->ev, &c->timer);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	for (i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	oci_reader_free(c->oci);
	close(c->fd);
	if (c->counted)
		connlimit_release(s->limits, c->cred.uid);
	free(c);
	serve_accept_resume(s);
	/* A hand-over waits for connections mid-handshake. */
	if (s->conns == NULL)
		handover_poke(s->handover);
}

static void
serve_conn_fail(struct serve_conn *c, const char *fmt, ...)
    PRINTFLIKE(2, 3);

static void
serve_conn_fail(struct serve_conn *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_limited(LOG_LEVEL_ERR, "client pid %d uid %d: %s; connection "
	    "dropped", (int)c->cred.pid, (int)c->cred.uid, msg);
	serve_conn_free(c);
}

/* The exec client's steps; 1 when the connection is done with. */
static int
serve_conn_exec(struct serve_conn *c)
{
	struct proto_hello *hello = (struct proto_hello *)c->buf;
	struct proto_target pt;
	struct proto_filter pf = { .version = PROTO_VERSION };
	struct proto_ack ack = { 0 };
	syscalls_mask mask;
	int fd, r;

	if (c->state == SERVE_CONN_EXEC_HELLO) {
		if ((r = handshake_hello(c->buf, c->len)) == 0)
			return 0;
		if (r == HANDSHAKE_STATUS) {
			struct report_facts f = { (long)c->s->ntargets,
			    (long)c->s->served, c->s->rules };
			const char *why;

			/* status.c takes the fd, and closes it once sent. */
			ev_io_stop(c->s->ev, &c->w);
			if (status_reply(c->s->ev, c->fd, c->buf, c->len,
			    c->nfds, &f, &why) < 0) {
				serve_conn_fail(c, "%s", why);
				return 1;
			}
			c->fd = -1;
			serve_conn_free(c);
			return 1;
		}
		if (r < 0) {
			serve_conn_fail(c, "unknown protocol version");
			return 1;
		}
		/* Told of every change of credentials, umask and root, the
		 * daemon reads a client's only once (target_view). */
		mask = rules_syscalls(c->s->rules);
		if (mask != 0)
			mask |= SYSCALLS_MASK(SYSCALLS_CREDS) |
			    SYSCALLS_MASK(SYSCALLS_UMASK) |
			    SYSCALLS_MASK(SYSCALLS_ROOT);
		pf.mask = (uint32_t)mask;
		pf.mask_hi = (uint32_t)(mask >> 32);
		if (write(c->fd, &pf, sizeof(pf)) != sizeof(pf)) {
			serve_conn_fail(c, "write: %s", strerror(errno));
			return 1;
		}
		/* A client may send its target right behind the hello. */
		c->len -= sizeof(*hello);
		memmove(c->buf, c->buf + sizeof(*hello), c->len);
		c->state = SERVE_CONN_EXEC_TARGET;
		return 0;
	}
	if (handshake_target(c->buf, c->len, &pt) == 0)
		return 0;
	if (c->nfds != 1) {
		serve_conn_fail(c, "expected one listener fd, got %zu",
		    c->nfds);
		return 1;
	}
	fd = c->fds[0];
	c->nfds = 0;
	r = serve_target_add(c->s, fd, pt.pid, pt.comm, "", NULL, 1);
	ack.error = r < 0 ? -r : 0;
	if (write(c->fd, &ack, sizeof(ack)) != sizeof(ack))
		log_warn("client pid %d: ack: %s", (int)c->cred.pid,
		    strerror(errno));
	serve_conn_free(c);
	return 1;
}

/* The OCI runtime's message; 1 when the connection is done with. */
static int
serve_conn_oci(struct serve_conn *c, const char *buf, size_t len)
{
	cleanup_free char *cause = NULL, *shown_id = NULL, *version = NULL;
	cleanup_free char *bundle = NULL;
	struct oci_msg *m = NULL;
	struct pod_ident id;
	int fd, r;

	if ((r = oci_reader_feed(c->oci, buf, len, &m, &cause)) == 0)
		return 0;
	if (r < 0) {
		serve_conn_fail(c, "bad OCI state message: %s", cause);
		return 1;
	}
	if ((size_t)m->seccomp_index >= c->nfds) {
		serve_conn_fail(c, "OCI message names fd %d of %zu received",
		    m->seccomp_index, c->nfds);
		oci_msg_free(m);
		return 1;
	}
	fd = c->fds[m->seccomp_index];
	c->fds[m->seccomp_index] = c->fds[--c->nfds];
	shown_id = serve_shown(m->id);
	version = serve_shown(m->oci_version);
	bundle = serve_shown(m->bundle);
	log_info("runtime pid %d: container %s (%s, bundle %s) pid %d",
	    (int)c->cred.pid, shown_id, version, bundle, m->pid);
	/* oci.c let only valid names through. */
	pods_ident_set(&id, m->pod_namespace, m->pod_name,
	    m->container_name);
	if (m->sandbox)
		log_warn("container %s is the sandbox (pause) container of pod "
		    "%s/%s: a pod-level seccomp profile supervises it too; "
		    "give each container its own profile instead", shown_id,
		    m->pod_namespace, m->pod_name);
	serve_target_add(c->s, fd, m->pid, m->id, m->metadata, &id, 0);
	pods_ident_fini(&id);
	oci_msg_free(m);
	/* Runtimes keep the connection open; we are done with it. */
	serve_conn_free(c);
	return 1;
}

static void
serve_conn_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct serve_conn *c = w->data;
	enum handshake_kind kind;
	char chunk[4096];
	size_t n, room, skip;
	ssize_t r;

	(void)ev;
	(void)revents;
	r = fdpass_recv_fds(c->fd, c->fds + c->nfds, SERVE_MAXFDS - c->nfds,
	    &n, chunk, sizeof(chunk));
	if (r == -EAGAIN || r == -EINTR)
		return;
	if (r < 0) {
		serve_conn_fail(c, "recv: %s", strerror((int)-r));
		return;
	}
	c->nfds += n;
	if (r == 0) {
		cleanup_free char *cause = NULL;

		if (c->state == SERVE_CONN_OCI &&
		    oci_reader_eof(c->oci, &cause) < 0)
			serve_conn_fail(c, "%s", cause);
		else if (c->state == SERVE_CONN_EXEC_TARGET) {
			/* Its command could not start: it said why. */
			log_info("client pid %d: no command to supervise",
			    (int)c->cred.pid);
			serve_conn_free(c);
		} else
			serve_conn_fail(c, "closed before the end of its "
			    "handshake");
		return;
	}
	if (c->state == SERVE_CONN_NEW) {
		kind = handshake_kind(chunk, r, &skip);
		if (kind == HANDSHAKE_MORE)
			return;
		if (kind == HANDSHAKE_OCI) {
			c->state = SERVE_CONN_OCI;
			c->oci = oci_reader_new();
		} else if (kind == HANDSHAKE_EXEC) {
			c->state = SERVE_CONN_EXEC_HELLO;
		} else {
			serve_conn_fail(c, "neither an OCI runtime nor "
			    "unotifyd exec (first byte 0x%02x)",
			    (unsigned char)chunk[skip]);
			return;
		}
	}
	if (c->state == SERVE_CONN_OCI) {
		serve_conn_oci(c, chunk, r);
		return;
	}
	room = sizeof(c->buf) - c->len;
	if ((size_t)r > room) {
		serve_conn_fail(c, "unexpected data");
		return;
	}
	memcpy(c->buf + c->len, chunk, r);
	c->len += r;
	/* The hello step may leave a whole target message behind it. */
	if (serve_conn_exec(c) == 0 && c->state == SERVE_CONN_EXEC_TARGET &&
	    c->len >= sizeof(struct proto_target))
		serve_conn_exec(c);
}

static void
serve_conn_timeout_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct serve_conn *c = w->data;

	(void)ev;
	(void)revents;
	serve_conn_fail(c, "no complete handshake within %.0f s",
	    SERVE_HANDSHAKE_SECONDS);
}

/* Out of descriptors: stop accepting for a while instead of spinning on
 * a listening socket that stays readable. */
static void
serve_accept_pause(struct serve *s, int err)
{
	struct serve_socket *sock;

	log_limited(LOG_LEVEL_WARNING, "accept: %s; not accepting for %.0f s "
	    "or until a connection closes", strerror(err), SERVE_ACCEPT_PAUSE);
	for (sock = s->sockets; sock != NULL; sock = sock->next)
		ev_io_stop(s->ev, &sock->w);
	s->accept_paused = 1;
	ev_timer_set(&s->accept_timer, SERVE_ACCEPT_PAUSE, 0.);
	ev_timer_start(s->ev, &s->accept_timer);
}

void
serve_accept_resume(struct serve *s)
{
	struct serve_socket *sock;

	if (!s->accept_paused)
		return;
	s->accept_paused = 0;
	ev_timer_stop(s->ev, &s->accept_timer);
	for (sock = s->sockets; sock != NULL; sock = sock->next)
		ev_io_start(s->ev, &sock->w);
}

void
serve_accept_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)revents;
	serve_accept_resume(w->data);
}

void
serve_accept_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct serve_socket *sock = w->data;
	struct serve *s = sock->s;
	enum connlimit_verdict v;
	struct serve_conn *c;
	socklen_t len;
	int fd;

	(void)ev;
	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			serve_accept_pause(s, errno);
		else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_limited(LOG_LEVEL_WARNING, "accept: %s",
			    strerror(errno));
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->fd = fd;
	len = sizeof(c->cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0)
		c->cred.pid = c->cred.uid = c->cred.gid = -1;
	/* Over a limit: close at once, so it holds nothing while it waits. */
	if ((v = connlimit_admit(s->limits, c->cred.uid)) != CONNLIMIT_OK) {
		log_limited(LOG_LEVEL_WARNING, "connection from pid %d uid %d "
		    "refused: %u clients %s (--max-clients%s)",
		    (int)c->cred.pid, (int)c->cred.uid, v == CONNLIMIT_FULL ?
		    connlimit_max(s->limits) : connlimit_per_uid(s->limits),
		    v == CONNLIMIT_FULL ? "in all" : "of this uid",
		    v == CONNLIMIT_FULL ? "" : "-per-uid");
		close(fd);
		free(c);
		return;
	}
	c->counted = 1;
	log_limited(LOG_LEVEL_INFO, "connection from pid %d uid %d gid %d",
	    (int)c->cred.pid, (int)c->cred.uid, (int)c->cred.gid);
	ev_io_init(&c->w, serve_conn_cb, fd, EV_READ);
	c->w.data = c;
	ev_io_start(s->ev, &c->w);
	/* One deadline for every step of the handshake (serve_conn_state). */
	ev_timer_init(&c->timer, serve_conn_timeout_cb,
	    SERVE_HANDSHAKE_SECONDS, 0.);
	c->timer.data = c;
	ev_timer_start(s->ev, &c->timer);
	if ((c->next = s->conns) != NULL)
		c->next->prev = c;
	s->conns = c;
}
